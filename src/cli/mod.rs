//! The command line: one file per subcommand; `main.rs` only dispatches.

pub mod check;
pub mod diff;
pub mod export;
pub mod fmt;
pub mod serve;
pub mod simulate;
pub mod test;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Stormlab: model, check, simulate and export event-driven systems.
#[derive(Debug, Parser)]
#[command(
    name = "stormlab",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A model file to open in the studio (default: the embedded example model).
    pub file: Option<PathBuf>,
    /// What to do instead of opening the studio.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check models and print diagnostics (exit 1 on errors).
    Check(check::CheckArgs),
    /// Compare the contracts of two model files (exit 1 when consumers break).
    Diff(diff::DiffArgs),
    /// Export the model's contracts (`export proto FILE -o DIR`).
    Export(export::ExportArgs),
    /// Rewrite model files in canonical form.
    Fmt(fmt::FmtArgs),
    /// Run the relay for boards edited together (`serve --bind 127.0.0.1:7420 --data DIR`).
    Serve(serve::ServeArgs),
    /// Run one scenario and print what happened.
    Simulate(simulate::SimulateArgs),
    /// Run every scenario's expectations (exit 1 on failure).
    Test(test::TestArgs),
}

/// How a subcommand ends, as linters do: 0 all well; 1 findings or failures (errors in a
/// model, a failing scenario, a breaking change, a file not in canonical form); 2 usage or
/// I/O trouble (bad arguments, a file that cannot be read or written). Over several files,
/// the worst.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// All well.
    #[default]
    Clean = 0,
    /// Findings or failures.
    Findings = 1,
    /// Usage or I/O trouble.
    Trouble = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Reads and parses a model file for a subcommand: its text and model, or (the placed error
/// already printed to stderr) [`Exit::Trouble`] when the file cannot be read and
/// [`Exit::Findings`] when it is not a valid model.
pub fn read_model(path: &Path) -> Result<(String, crate::model::Model), Exit> {
    let text = crate::model::file::read_text(path).map_err(|e| {
        eprintln!("{e}");
        if e.at.is_none() {
            Exit::Trouble
        } else {
            Exit::Findings
        }
    })?;
    match crate::model::file::from_str(&text, &path.display().to_string()) {
        Ok(m) => Ok((text, m)),
        Err(e) => {
            eprintln!("{e}");
            Err(Exit::Findings)
        }
    }
}

/// Prints the errors among `diags` to stderr, each with its place in the file
/// (`file:line:col: error[SL…]: …`), then `{name}: {what}: fix the errors above first`;
/// whether there were any.
pub fn refuse_errors(
    diags: &[crate::model::diagnostic::Diagnostic],
    text: &str,
    name: &str,
    what: &str,
) -> bool {
    use crate::model::diagnostic::{Severity, render_in};
    let mut places = crate::model::locate::Places::new(text);
    let mut any = false;
    for d in diags.iter().filter(|d| d.severity == Severity::Error) {
        eprintln!("{}", render_in(d, &mut places, name));
        any = true;
    }
    if any {
        eprintln!("{name}: {what}: fix the errors above first");
    }
    any
}
