//! The command line: one file per subcommand; `main.rs` only dispatches.

/// `println!` for what a subcommand prints: when the reader stops early (`stormlab check … |
/// head`), the process ends quietly with status 141, as a program killed by SIGPIPE does,
/// instead of panicking on the closed pipe.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::write_out(format_args!($($arg)*))
    };
}

pub mod check;
pub mod diff;
pub mod explore;
pub mod export;
pub mod fmt;
pub mod import;
pub mod mcp;
pub mod mermaid;
pub mod report;
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
    /// Run scenarios under many seeded fault plans, checking the invariants (exit 1 on a
    /// failure), and shrink what fails to a scenario that replays it.
    Explore(explore::ExploreArgs),
    /// Export the model's contracts (`export proto|asyncapi FILE -o DIR`), diagrams (`export
    /// mermaid FILE`), an EventCatalog (`export eventcatalog`) or tests (`export tests --for
    /// cqrs-es`).
    Export(export::ExportArgs),
    /// Rewrite model files in canonical form.
    Fmt(fmt::FmtArgs),
    /// Read another tool's model into a Stormlab model (`import cml FILE.cml -o MODEL.ron`,
    /// `import event-modeling FILE.json`).
    Import(import::ImportArgs),
    /// Serve a model to AI assistants over the Model Context Protocol on stdio.
    Mcp(mcp::McpArgs),
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

/// A model file that could not be used: why, and its text when it could be read.
#[derive(Debug)]
pub struct Unread {
    /// The error, with its place when the text is not a model.
    pub error: crate::model::file::LoadError,
    /// The text, when the file could be read.
    pub text: Option<String>,
}

impl Unread {
    /// [`Exit::Trouble`] when the file could not be read, [`Exit::Findings`] when it is not
    /// a model.
    pub fn exit(&self) -> Exit {
        if self.error.at.is_none() {
            Exit::Trouble
        } else {
            Exit::Findings
        }
    }

    /// As a finding (`SL038`), when the file was read but is not a model.
    pub fn finding(&self) -> Option<report::Finding> {
        report::Finding::of_load(&self.error, self.text.as_deref())
    }

    /// Prints the error to stderr: a snippet of the file at the place, else one line.
    pub fn print(&self) {
        match (self.finding(), &self.text) {
            (Some(f), Some(text)) => {
                report::print_snippets(&[f], &self.error.file, text, report::Stream::Stderr)
            }
            _ => eprintln!("{}", self.error),
        }
    }
}

/// Reads and parses a model file for a subcommand: its text and model, or why not.
pub fn load(path: &Path) -> Result<(String, crate::model::Model), Unread> {
    let text = crate::model::file::read_text(path).map_err(|error| Unread { error, text: None })?;
    match crate::model::file::from_str(&text, &path.display().to_string()) {
        Ok(m) => Ok((text, m)),
        Err(error) => Err(Unread {
            error,
            text: Some(text),
        }),
    }
}

/// As [`load`], printing why not to stderr and answering the exit code.
pub fn read_model(path: &Path) -> Result<(String, crate::model::Model), Exit> {
    load(path).map_err(|u| {
        u.print();
        u.exit()
    })
}

/// The errors among `diags`, placed in `text`.
pub fn placed_errors(
    diags: &[crate::model::diagnostic::Diagnostic],
    model: &crate::model::Model,
    text: &str,
) -> Vec<report::Finding> {
    use crate::model::diagnostic::Severity;
    let mut places = crate::model::locate::Places::new(text);
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| report::Finding::of(d, &mut places, model))
        .collect()
}

/// Prints the errors among `diags` to stderr as snippets of the file, then
/// `{name}: {what}: fix the errors above first`; whether there were any.
pub fn refuse_errors(
    diags: &[crate::model::diagnostic::Diagnostic],
    model: &crate::model::Model,
    text: &str,
    name: &str,
    what: &str,
) -> bool {
    let errors = placed_errors(diags, model, text);
    if errors.is_empty() {
        return false;
    }
    report::print_snippets(&errors, name, text, report::Stream::Stderr);
    eprintln!("{name}: {what}: fix the errors above first");
    true
}

/// Writes one line to stdout (see `outln!`).
pub fn write_out(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(line).and_then(|()| out.write_all(b"\n")) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("error: writing to stdout: {e}");
    }
}
