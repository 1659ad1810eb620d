//! `stormlab export proto FILE -o DIR`: the model's contracts as one `.proto` file per
//! bounded context, written atomically under DIR; `stormlab export asyncapi FILE -o DIR`:
//! their AsyncAPI documents, the same way; `stormlab export mermaid` is [`super::mermaid`].

use super::Exit;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::findings;

/// Arguments of `stormlab export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to export.
    #[command(subcommand)]
    pub what: ExportWhat,
}

/// Export formats.
#[derive(Debug, clap::Subcommand)]
pub enum ExportWhat {
    /// Protocol Buffers: `<org>/<context>/v<N>/<context>.proto` per bounded context.
    Proto {
        /// The model file.
        file: PathBuf,
        /// The output folder (created if missing).
        #[arg(short, long)]
        out: PathBuf,
        /// Print the files that would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// AsyncAPI 3.0: what crosses the context map, one document per bounded context beside
    /// its proto (`<org>/<context>/v<N>/<context>.asyncapi.json`), or one for the system.
    Asyncapi {
        /// The model file.
        file: PathBuf,
        /// The output folder (created if missing).
        #[arg(short, long)]
        out: PathBuf,
        /// One document for the whole system (`asyncapi.json`) instead of one per context.
        #[arg(long)]
        system: bool,
        /// Print the files that would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Mermaid: the context map, the flow graph, a scenario's run as a sequence diagram, or
    /// all of them as a Markdown page.
    Mermaid(super::mermaid::MermaidArgs),
    /// EventCatalog: a catalog folder — a domain and a service per bounded context, a page
    /// and a JSON Schema per event and command, teams, a flow per scenario's run.
    Eventcatalog {
        /// The model file.
        file: PathBuf,
        /// The output folder (created if missing).
        #[arg(short, long)]
        out: PathBuf,
        /// Print the files that would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Tests generated from the scenarios' runs, with aggregate skeletons to write them
    /// against: a crate in DIR (`--for cqrs-es`).
    Tests {
        /// The model file.
        file: PathBuf,
        /// The framework the tests are for.
        #[arg(long = "for", value_enum, value_name = "FRAMEWORK")]
        framework: TestFramework,
        /// The output folder (created if missing).
        #[arg(short, long)]
        out: PathBuf,
        /// Print the files that would be written, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Frameworks `export tests` writes tests for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFramework {
    /// cqrs-es (Rust): `TestFramework` given/when/then tests.
    CqrsEs,
}

/// Runs `stormlab export`: exit 1 if the model has errors, 2 if a file cannot be read or
/// written.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let (file, out, dry_run) = match &args.what {
        ExportWhat::Proto { file, out, dry_run }
        | ExportWhat::Asyncapi {
            file, out, dry_run, ..
        }
        | ExportWhat::Tests {
            file, out, dry_run, ..
        }
        | ExportWhat::Eventcatalog { file, out, dry_run } => (file, out, dry_run),
        ExportWhat::Mermaid(m) => return super::mermaid::run(m),
    };
    let (text, model) = match super::read_model(file) {
        Ok(read) => read,
        Err(e) => return Ok(e.into()),
    };
    let name = file.display().to_string();
    if super::refuse_errors(&findings(&model), &model, &text, &name, "not exported") {
        return Ok(Exit::Findings.into());
    }
    let files = match &args.what {
        ExportWhat::Asyncapi { system, .. } => {
            let scope = crate::interop::asyncapi::Scope::of(*system);
            crate::interop::asyncapi::documents(&model, scope)
        }
        ExportWhat::Eventcatalog { .. } => crate::interop::eventcatalog::catalog(&model),
        ExportWhat::Tests { .. } => match crate::interop::cqrs_es::crate_files(&model) {
            Ok(o) => {
                for n in &o.notes {
                    eprintln!("{name}: {n}");
                }
                o.files
            }
            Err(e) => {
                eprintln!("{name}: {e}");
                return Ok(Exit::Findings.into());
            }
        },
        _ => crate::export::protos(&model),
    };
    if *dry_run {
        for f in &files {
            outln!("{}", out.join(&f.path).display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    match crate::export::write(out, &files) {
        Ok(paths) => {
            for p in paths {
                outln!("wrote {}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(Exit::Trouble.into())
        }
    }
}
