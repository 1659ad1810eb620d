//! `stormlab check FILE…`: load and check models, printing `file:line:col: error[SL012]: …`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::findings;
use crate::model::diagnostic::{Severity, render};

/// Arguments of `stormlab check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Model files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Also print informational findings.
    #[arg(long)]
    pub all: bool,
}

/// Runs `stormlab check`: exit 1 if any file has errors (or cannot be read), else 0.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let Some((text, model)) = super::read_model(path) else {
            failed = true;
            continue;
        };
        let diags = findings(&model);
        let (mut errors, mut warnings) = (0, 0);
        for d in &diags {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info if !args.all => continue,
                Severity::Info => {}
            }
            println!("{}", render(d, &text, &name));
        }
        failed |= errors > 0;
        println!(
            "{name}: {errors} error(s), {warnings} warning(s), {} element(s)",
            model.element_count()
        );
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
