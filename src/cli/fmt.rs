//! `stormlab fmt FILE…`: rewrite model files in canonical form (`--check` only reports).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::model::file;

/// Arguments of `stormlab fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Model files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only report files that are not in canonical form (exit 1 if any).
    #[arg(long)]
    pub check: bool,
}

/// Runs `stormlab fmt`.
pub fn run(args: &FmtArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for path in &args.files {
        let Some((text, model)) = super::read_model(path) else {
            failed = true;
            continue;
        };
        let canonical = file::to_string(&model);
        if canonical == text {
            continue;
        }
        if args.check {
            println!("{}: not in canonical form", path.display());
            failed = true;
        } else if let Err(e) = file::write_atomic(path, canonical.as_bytes()) {
            eprintln!("{e}");
            failed = true;
        } else {
            println!("{}: formatted", path.display());
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
