//! `stormlab test FILE…`: run every scenario and check its expectations (exit 1 on failure).

use super::Exit;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::sim::program::Program;
use crate::sim::scenario::check;

/// Arguments of `stormlab test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Model files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Runs `stormlab test`: one line per scenario, the failed expectations with what was found,
/// and a closing `N passed, N failed`.
pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut trouble = Exit::Clean;
    for path in &args.files {
        let (text, model) = match super::read_model(path) {
            Ok(read) => read,
            Err(e) => {
                trouble = trouble.max(e);
                failed += 1;
                continue;
            }
        };
        let diags = crate::model::check::check(&model);
        if super::refuse_errors(&diags, &text, &path.display().to_string(), "not tested") {
            failed += 1;
            continue;
        }
        let program = match Program::new(&model) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                failed += 1;
                continue;
            }
        };
        for s in &model.scenarios {
            match check(&model, program.clone(), s) {
                Ok(vs) if vs.iter().all(|v| v.passed) => {
                    passed += 1;
                    println!(
                        "PASS {}: {} ({} expectation(s))",
                        path.display(),
                        s.name,
                        vs.len()
                    );
                }
                Ok(vs) => {
                    failed += 1;
                    println!("FAIL {}: {}", path.display(), s.name);
                    for v in vs.iter().filter(|v| !v.passed) {
                        println!("     expected {}, but {}", v.expectation, v.reason);
                    }
                }
                Err(e) => {
                    failed += 1;
                    println!("FAIL {}: {}: {e}", path.display(), s.name);
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    let failures = if failed > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Ok(trouble.max(failures).into())
}
