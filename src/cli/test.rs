//! `stormlab test FILE…`: run every scenario and check its expectations (exit 1 on failure).

use super::Exit;
use super::report::{self, Format};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::sim::program::Program;
use crate::sim::scenario::check;

/// Arguments of `stormlab test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Model files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// `text`, or `json` (one document on stdout; see the README).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Runs `stormlab test`: one line per scenario, the failed expectations with what was found,
/// and a closing `N passed, N failed` (or one JSON document).
pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let text_out = args.format == Format::Text;
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut trouble = Exit::Clean;
    let mut files = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let mut file = json!({"file": name, "refused": null, "scenarios": []});
        let (text, model) = match super::load(path) {
            Ok(read) => read,
            Err(unread) => {
                trouble = trouble.max(unread.exit());
                failed += 1;
                if text_out {
                    unread.print();
                }
                file["refused"] = match unread.finding() {
                    Some(f) => json!({"reason": "not a model", "findings": [report::json(&f)]}),
                    None => json!({"reason": unread.error.to_string(), "findings": []}),
                };
                files.push(file);
                continue;
            }
        };
        let diags = crate::model::check::check(&model);
        let errors = super::placed_errors(&diags, &model, &text);
        if !errors.is_empty() {
            failed += 1;
            if text_out {
                super::refuse_errors(&diags, &model, &text, &name, "not tested");
            }
            file["refused"] = json!({
                "reason": "the model has errors",
                "findings": errors.iter().map(report::json).collect::<Vec<_>>(),
            });
            files.push(file);
            continue;
        }
        let program = match Program::new(&model) {
            Ok(p) => Arc::new(p),
            Err(e) => {
                if text_out {
                    eprintln!("{name}: {e}");
                }
                file["refused"] = json!({"reason": e.to_string(), "findings": []});
                files.push(file);
                failed += 1;
                continue;
            }
        };
        let mut scenarios = Vec::new();
        for s in &model.scenarios {
            let outcome = check(&model, program.clone(), s);
            let ok = matches!(&outcome, Ok(vs) if vs.iter().all(|v| v.passed));
            if ok {
                passed += 1;
            } else {
                failed += 1;
            }
            if text_out {
                print_outcome(&name, &s.name, &outcome);
            }
            scenarios.push(scenario_json(&s.name, &outcome));
        }
        file["scenarios"] = Value::Array(scenarios);
        files.push(file);
    }
    if text_out {
        outln!("{passed} passed, {failed} failed");
    } else {
        outln!(
            "{:#}",
            json!({
                "schema": report::JSON_SCHEMA,
                "files": files,
                "passed": passed,
                "failed": failed,
            })
        );
    }
    let failures = if failed > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    Ok(trouble.max(failures).into())
}

/// One scenario's outcome as JSON: `name`, `passed`, `error`, and each expectation with what
/// was found when it failed (an element of `stormlab test --format json`'s `scenarios`).
pub fn scenario_json(
    name: &str,
    outcome: &Result<Vec<crate::sim::scenario::Verdict>, crate::sim::SimError>,
) -> Value {
    match outcome {
        Ok(vs) => json!({
            "name": name,
            "passed": vs.iter().all(|v| v.passed),
            "error": null,
            "expectations": vs.iter().map(|v| json!({
                "expectation": v.expectation,
                "passed": v.passed,
                "found": (!v.passed).then_some(&v.reason),
            })).collect::<Vec<_>>(),
        }),
        Err(e) => json!({
            "name": name,
            "passed": false,
            "error": e.to_string(),
            "expectations": [],
        }),
    }
}

fn print_outcome(
    file: &str,
    scenario: &str,
    outcome: &Result<Vec<crate::sim::scenario::Verdict>, crate::sim::SimError>,
) {
    match outcome {
        Ok(vs) if vs.iter().all(|v| v.passed) => {
            outln!("PASS {file}: {scenario} ({} expectation(s))", vs.len());
        }
        Ok(vs) => {
            outln!("FAIL {file}: {scenario}");
            for v in vs.iter().filter(|v| !v.passed) {
                outln!("     expected {}, but {}", v.expectation, v.reason);
            }
        }
        Err(e) => outln!("FAIL {file}: {scenario}: {e}"),
    }
}
