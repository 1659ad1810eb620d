//! `stormlab fmt FILE…`: rewrite model files in canonical form (`--check` only reports).

use super::Exit;
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
    let mut worst = Exit::Clean;
    for path in &args.files {
        let (text, model) = match super::read_model(path) {
            Ok(read) => read,
            Err(e) => {
                worst = worst.max(e);
                continue;
            }
        };
        let canonical = file::to_string(&model);
        if canonical == text {
            continue;
        }
        if args.check {
            outln!("{}: not in canonical form", path.display());
            worst = worst.max(Exit::Findings);
        } else if let Err(e) = file::write_atomic(path, canonical.as_bytes()) {
            eprintln!("{e}");
            worst = worst.max(Exit::Trouble);
        } else {
            outln!("{}: formatted", path.display());
        }
    }
    Ok(worst.into())
}
