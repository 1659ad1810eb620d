//! `stormlab export mermaid FILE`: the context map, the flow graph or a scenario's run as
//! Mermaid text, or all of them as one Markdown page; on stdout, or written atomically to
//! `-o FILE`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Exit;
use crate::interop::mermaid;
use crate::sim::sequence::{self, Sequence};

/// Which Mermaid diagram to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Diagram {
    /// The contexts and their relations (a flowchart).
    ContextMap,
    /// The flow graph, one subgraph per context (a flowchart); `--context` keeps one.
    Flow,
    /// A scenario's run (a sequence diagram); `--scenario` names it.
    Sequence,
    /// A Markdown page: the context map, the flow and every scenario's run.
    All,
}

/// Arguments of `stormlab export mermaid`.
#[derive(Debug, clap::Args)]
pub struct MermaidArgs {
    /// The model file.
    pub file: PathBuf,
    /// The diagram (default: `sequence` with `--scenario`, else `context-map`).
    #[arg(long, value_enum)]
    pub diagram: Option<Diagram>,
    /// The flow of this bounded context only.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The scenario whose run the sequence diagram shows.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// At most this many messages per sequence diagram (the rest are counted in a note;
    /// Mermaid refuses very large diagrams).
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub max_messages: usize,
    /// Write to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs `stormlab export mermaid`: exit 1 if the model has errors or the scenario cannot
/// run, 2 for a bad argument or a file that cannot be read or written.
pub fn run(args: &MermaidArgs) -> anyhow::Result<ExitCode> {
    let (text, model) = match super::read_model(&args.file) {
        Ok(read) => read,
        Err(e) => return Ok(e.into()),
    };
    let name = args.file.display().to_string();
    let diags = crate::model::check::check(&model);
    if super::refuse_errors(&diags, &model, &text, &name, "not exported") {
        return Ok(Exit::Findings.into());
    }
    let diagram = args.diagram.unwrap_or(match args.scenario {
        Some(_) => Diagram::Sequence,
        None => Diagram::ContextMap,
    });
    let out = match diagram {
        Diagram::ContextMap => mermaid::context_map(&model),
        Diagram::Flow => {
            let context = match &args.context {
                Some(c) => match model.contexts.iter().position(|x| x.name == *c) {
                    Some(i) => Some(i),
                    None => {
                        let known: Vec<&str> =
                            model.contexts.iter().map(|c| c.name.as_str()).collect();
                        eprintln!(
                            "{name}: --context {c}: no such bounded context (the model has: {})",
                            known.join(", ")
                        );
                        return Ok(Exit::Trouble.into());
                    }
                },
                None => None,
            };
            mermaid::flow(&model, context)
        }
        Diagram::Sequence => {
            let scenario = match (&args.scenario, model.scenarios.as_slice()) {
                (Some(s), _) => s.clone(),
                (None, [only]) => only.name.clone(),
                (None, _) => {
                    eprintln!(
                        "{name}: --diagram sequence: name the scenario with --scenario (`stormlab simulate {name} --list-scenarios` lists them)"
                    );
                    return Ok(Exit::Trouble.into());
                }
            };
            match sequence::of_scenario(&model, &scenario, args.seed, args.max_messages) {
                Ok(seq) => mermaid::sequence(&seq),
                Err(e) => {
                    eprintln!("{name}: scenario `{scenario}`: {e}");
                    return Ok(Exit::Findings.into());
                }
            }
        }
        Diagram::All => {
            let runs: Vec<(String, Result<Sequence, String>)> = model
                .scenarios
                .iter()
                .map(|s| {
                    let run = sequence::of_scenario(&model, &s.name, args.seed, args.max_messages);
                    (s.name.clone(), run.map_err(|e| e.to_string()))
                })
                .collect();
            mermaid::document(&model, &runs)
        }
    };
    match &args.out {
        None => {
            outln!("{}", out.trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Some(path) => match crate::model::file::write_atomic(path, out.as_bytes()) {
            Ok(()) => {
                outln!("wrote {}", path.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{e}");
                Ok(Exit::Trouble.into())
            }
        },
    }
}
