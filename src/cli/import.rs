//! `stormlab import cml FILE.cml [-o MODEL.ron]`: a Context Mapper model read into a
//! Stormlab model; `stormlab import event-modeling FILE.json`: an Event Modeling export, its
//! specifications as scenarios. The model goes to stdout or atomically to `-o` (an existing
//! file only with `--force`); what it cannot hold is listed on stderr, one line per
//! construct with its place, then how the result checks.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Exit;
use super::report::{self, Finding, Stream};
use crate::interop::cml;
use crate::model::diagnostic::{Code, Severity};
use crate::model::locate::line_col;

/// Arguments of `stormlab import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// What to import.
    #[command(subcommand)]
    pub what: ImportWhat,
}

/// Import formats.
#[derive(Debug, clap::Subcommand)]
pub enum ImportWhat {
    /// Context Mapper's CML: bounded contexts, the context map with its patterns and roles,
    /// aggregates, entities and value objects, enums, domain events, commands and flows.
    Cml(Source),
    /// An Event Modeling export (the JSON of the Nebulit toolkit for Miro): slices'
    /// commands, events, read models and automations, and each given/when/then
    /// specification as a scenario that `stormlab test` runs.
    EventModeling(Source),
}

/// The file to import and where the model goes.
#[derive(Debug, clap::Args)]
pub struct Source {
    /// The file to import.
    pub file: PathBuf,
    /// Write the model here instead of stdout.
    #[arg(short, long, value_name = "MODEL")]
    pub out: Option<PathBuf>,
    /// Replace the `-o` file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs `stormlab import`: exit 1 if the file is not of the format, 2 if a file cannot be
/// read or written (or `-o` exists without `--force`).
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let (source, cml) = match &args.what {
        ImportWhat::Cml(s) => (s, true),
        ImportWhat::EventModeling(s) => (s, false),
    };
    let Source { file, out, force } = source;
    let name = file.display().to_string();
    let text = match crate::model::file::read_text(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return Ok(Exit::Trouble.into());
        }
    };
    if let Some(path) = out
        && !force
        && path.exists()
    {
        eprintln!("{}: exists; pass --force to replace it", path.display());
        return Ok(Exit::Trouble.into());
    }
    let stem = file
        .file_stem()
        .map_or_else(|| "Imported".into(), |s| s.to_string_lossy().into_owned());
    let (model, notes) = if cml {
        match cml::import(&text, &stem) {
            Ok(i) => {
                for n in &i.notes {
                    let at = line_col(&text, n.span.start);
                    eprintln!("{name}:{}:{}: warning: {}", at.line, at.col, n.message);
                }
                (i.model, i.notes.len())
            }
            Err(e) => {
                let f = Finding {
                    code: Code::FileFormat,
                    severity: Severity::Error,
                    message: format!("not CML: {}", e.message),
                    element: None,
                    start: line_col(&text, e.span.start),
                    end: line_col(&text, e.span.end),
                    range: e.span,
                };
                report::print_snippets(&[f], &name, &text, Stream::Stderr);
                return Ok(Exit::Findings.into());
            }
        }
    } else {
        match crate::interop::event_modeling::import(&text, &stem) {
            Ok(i) => {
                for n in &i.notes {
                    eprintln!("{name}: warning: {n}");
                }
                (i.model, i.notes.len())
            }
            Err(e) => {
                eprintln!("{name}:{e}");
                return Ok(Exit::Findings.into());
            }
        }
    };
    let model = &model;
    let ron = crate::model::file::to_string(model);
    match out {
        None => outln!("{}", ron.trim_end()),
        Some(path) => {
            if let Err(e) = crate::model::file::write_atomic(path, ron.as_bytes()) {
                eprintln!("{e}");
                return Ok(Exit::Trouble.into());
            }
        }
    }
    let count = |f: fn(&crate::model::BoundedContext) -> usize| -> usize {
        model.contexts.iter().map(f).sum()
    };
    let diags = crate::model::check::check(model);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let target = out
        .as_ref()
        .map_or_else(|| "the model".to_owned(), |p| p.display().to_string());
    eprintln!(
        "{name}: {} bounded contexts, {} relations, {} aggregates, {} commands, {} events, {} \
         policies, {} scenarios; {} constructs not mapped as written (above)",
        model.contexts.len(),
        model.relations.len(),
        count(|c| c.aggregates.len()),
        count(|c| c.commands.len()),
        count(|c| c.events.len()),
        count(|c| c.policies.len()),
        model.scenarios.len(),
        notes,
    );
    match out {
        Some(path) => eprintln!(
            "wrote {}: {errors} errors, {warnings} warnings (stormlab check {} lists them)",
            path.display(),
            path.display()
        ),
        None => eprintln!("{target}: {errors} errors, {warnings} warnings"),
    }
    Ok(ExitCode::SUCCESS)
}
