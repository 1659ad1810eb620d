//! `stormlab check FILE…`: load and check models, printing `file:line:col: error[SL012]: …`.

use super::Exit;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::findings;
use crate::model::diagnostic::{Severity, render_in};
use crate::model::locate::Places;

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
    let mut worst = Exit::Clean;
    for path in &args.files {
        let name = path.display().to_string();
        let (text, model) = match super::read_model(path) {
            Ok(read) => read,
            Err(e) => {
                worst = worst.max(e);
                continue;
            }
        };
        let diags = findings(&model);
        let mut places = Places::new(&text);
        let (mut errors, mut warnings) = (0, 0);
        for d in &diags {
            match d.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                Severity::Info if !args.all => continue,
                Severity::Info => {}
            }
            println!("{}", render_in(d, &mut places, &name));
        }
        if errors > 0 {
            worst = worst.max(Exit::Findings);
        }
        println!(
            "{name}: {errors} error(s), {warnings} warning(s), {} element(s)",
            model.element_count()
        );
    }
    Ok(worst.into())
}
