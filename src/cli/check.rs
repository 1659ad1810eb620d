//! `stormlab check FILE…`: load and check models, printing each finding as a snippet of the
//! file (or one line, JSON or SARIF with `--format`).

use super::Exit;
use super::report::{self, CheckFormat, Finding};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::findings;
use crate::model::diagnostic::Severity;
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
    /// How to print the findings: `text` (snippets), `short` (one line each), `json`,
    /// `sarif`.
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
}

/// One file's outcome.
struct Checked {
    name: String,
    /// The text, when the file could be read.
    text: Option<String>,
    findings: Vec<Finding>,
    /// Elements in the model, when it is one.
    elements: Option<usize>,
    /// Why the file could not be read at all.
    unreadable: Option<String>,
}

impl Checked {
    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }
}

/// Runs `stormlab check`: exit 1 if any file has errors or is not a model, 2 if one cannot be
/// read, else 0.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut worst = Exit::Clean;
    let mut checked = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let one = match super::load(path) {
            Ok((text, model)) => {
                let mut places = Places::new(&text);
                let findings = findings(&model)
                    .iter()
                    .filter(|d| args.all || d.severity != Severity::Info)
                    .map(|d| Finding::of(d, &mut places, &model))
                    .collect();
                Checked {
                    name,
                    findings,
                    elements: Some(model.element_count()),
                    unreadable: None,
                    text: Some(text),
                }
            }
            Err(unread) => {
                worst = worst.max(unread.exit());
                let finding = unread.finding();
                Checked {
                    name,
                    unreadable: finding.is_none().then(|| unread.error.to_string()),
                    findings: finding.into_iter().collect(),
                    elements: None,
                    text: unread.text,
                }
            }
        };
        if one.count(Severity::Error) > 0 {
            worst = worst.max(Exit::Findings);
        }
        if args.format == CheckFormat::Text || args.format == CheckFormat::Short {
            print_text(&one, args.format);
        }
        checked.push(one);
    }
    match args.format {
        CheckFormat::Json => outln!("{:#}", json(&checked)),
        CheckFormat::Sarif => {
            let files: Vec<(String, Vec<Finding>)> = checked
                .iter()
                .map(|c| (c.name.clone(), c.findings.clone()))
                .collect();
            let unreadable: Vec<String> = checked
                .iter()
                .filter_map(|c| c.unreadable.clone())
                .collect();
            outln!("{:#}", report::sarif(&files, &unreadable));
        }
        CheckFormat::Text | CheckFormat::Short => {}
    }
    Ok(worst.into())
}

fn print_text(one: &Checked, format: CheckFormat) {
    if let Some(why) = &one.unreadable {
        eprintln!("{why}");
        return;
    }
    match (&one.text, format) {
        (Some(text), CheckFormat::Text) => {
            report::print_snippets(&one.findings, &one.name, text, report::Stream::Stdout)
        }
        _ => {
            for f in &one.findings {
                outln!("{}", report::short(f, &one.name));
            }
        }
    }
    if let Some(elements) = one.elements {
        outln!(
            "{}: {} error(s), {} warning(s), {elements} element(s)",
            one.name,
            one.count(Severity::Error),
            one.count(Severity::Warning),
        );
    }
}

/// The JSON document of `check --format json`.
fn json(checked: &[Checked]) -> serde_json::Value {
    let files: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            serde_json::json!({
                "file": c.name,
                "unreadable": c.unreadable,
                "model": c.elements.is_some(),
                "elements": c.elements,
                "errors": c.count(Severity::Error),
                "warnings": c.count(Severity::Warning),
                "infos": c.count(Severity::Info),
                "findings": c.findings.iter().map(report::json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let total = |s| checked.iter().map(|c| c.count(s)).sum::<usize>();
    serde_json::json!({
        "schema": report::JSON_SCHEMA,
        "tool": "stormlab",
        "version": env!("CARGO_PKG_VERSION"),
        "files": files,
        "errors": total(Severity::Error),
        "warnings": total(Severity::Warning),
    })
}
