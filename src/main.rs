//! The `stormlab` binary: the studio, or a CLI subcommand.

use std::process::ExitCode;

use clap::Parser as _;
use stormlab::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Check(args)) => stormlab::cli::check::run(args),
        Some(Command::Diff(args)) => stormlab::cli::diff::run(args),
        Some(Command::Export(args)) => stormlab::cli::export::run(args),
        Some(Command::Fmt(args)) => stormlab::cli::fmt::run(args),
        Some(Command::Serve(args)) => stormlab::cli::serve::run(args),
        Some(Command::Simulate(args)) => stormlab::cli::simulate::run(args),
        Some(Command::Test(args)) => stormlab::cli::test::run(args),
        None => open_studio(cli.file),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "studio")]
fn open_studio(file: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    stormlab::app::run(file)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "studio"))]
fn open_studio(_file: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this build has no studio (built without the `studio` feature); see `stormlab --help`"
    )
}
