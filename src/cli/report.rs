//! How the subcommands print findings: rustc-style snippets with the span underlined for
//! people (coloured on a terminal unless `NO_COLOR` is set, plain otherwise), one line per
//! finding for editors' problem matchers, JSON for scripts and SARIF 2.1.0 for code-scanning
//! UIs. The JSON layouts are documented in the README.

use std::io::IsTerminal as _;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Snippet, Label, Severity as Level};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde_json::{Value, json};

use crate::model::Model;
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::file::LoadError;
use crate::model::locate::{LineCol, Places, offset_of, token_end};

/// The layout version of every JSON document the CLI prints (`"schema": 1`). It changes only
/// when a field changes meaning or disappears; new fields may appear without it.
pub const JSON_SCHEMA: u32 = 1;

/// `--format` of `stormlab check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Snippets of the file with the place underlined, as rustc prints them.
    #[default]
    Text,
    /// One line per finding: `file:line:col: error[SL012]: message`.
    Short,
    /// One JSON document (see the README).
    Json,
    /// SARIF 2.1.0, for code-scanning UIs.
    Sarif,
}

/// `--format` of `stormlab test`, `diff` and `simulate`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document (see the README).
    Json,
}

/// A finding placed in its file.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Its code.
    pub code: Code,
    /// Its severity.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// The element it is about: its name as `Context/Name` and its kind.
    pub element: Option<(String, &'static str)>,
    /// The bytes of the file it points at.
    pub range: Range<usize>,
    /// Where `range` starts.
    pub start: LineCol,
    /// Where `range` ends (exclusive).
    pub end: LineCol,
}

impl Finding {
    /// A model's finding, placed in the file the model was read from.
    pub fn of(d: &Diagnostic, places: &mut Places<'_>, model: &Model) -> Finding {
        let range = d.range_in(places);
        Finding {
            code: d.code,
            severity: d.severity,
            message: d.message.clone(),
            element: d
                .element
                .map(|loc| (model.display_name(loc), loc.kind.label())),
            start: places.line_col(range.start),
            end: places.line_col(range.end),
            range,
        }
    }

    /// A file that is not a model (`SL038`), placed in its text when there is one; None when
    /// the file could not be read at all.
    pub fn of_load(e: &LoadError, text: Option<&str>) -> Option<Finding> {
        let at = e.at?;
        let (range, end) = match text {
            Some(t) => {
                let start = offset_of(t, at);
                let end = token_end(t, start);
                (start..end, crate::model::locate::line_col(t, end).max(at))
            }
            None => (0..0, at),
        };
        Some(Finding {
            code: Code::FileFormat,
            severity: Severity::Error,
            message: e.message.clone(),
            element: None,
            range,
            start: at,
            end,
        })
    }
}

/// Where text output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// The findings of one file as snippets, plain (no colour). Many findings (a generated model
/// with tens of thousands) are rendered in parts on every core, joined in their order.
pub fn snippets(findings: &[Finding], file: &str, src: &str) -> String {
    let files = SimpleFile::new(file, src);
    let config = term::Config::default();
    let render = |part: &[Finding]| {
        let mut out = String::new();
        for f in part {
            // A failure here means the range does not fit the text; fall back to one line,
            // as for a line too long to show.
            if too_long(f, src)
                || term::emit_to_string(&mut out, &config, &files, &snippet(f)).is_err()
            {
                out.push_str(&short(f, file));
                out.push('\n');
            }
        }
        out
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts = cores.min(findings.len() / PER_THREAD).max(1);
    if parts == 1 {
        return render(findings);
    }
    let size = findings.len().div_ceil(parts);
    std::thread::scope(|s| {
        let handles: Vec<_> = findings
            .chunks(size)
            .map(|part| s.spawn(|| render(part)))
            .collect();
        // A part whose thread failed is rendered again here (it cannot fail twice).
        let chunks = findings.chunks(size);
        handles
            .into_iter()
            .zip(chunks)
            .map(|(h, part)| h.join().unwrap_or_else(|_| render(part)))
            .collect()
    })
}

/// Findings below this many are rendered on one thread (a thread costs more than they do).
const PER_THREAD: usize = 2000;

/// Prints the findings of one file as snippets, coloured when `to` is a terminal and
/// `NO_COLOR` is not set.
pub fn print_snippets(findings: &[Finding], file: &str, src: &str, to: Stream) {
    let terminal = match to {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    if !terminal {
        let text = snippets(findings, file, src);
        match to {
            Stream::Stdout => outln!("{}", text.trim_end()),
            Stream::Stderr => eprintln!("{}", text.trim_end()),
        }
        return;
    }
    let stream = match to {
        Stream::Stdout => termcolor::StandardStream::stdout(termcolor::ColorChoice::Auto),
        Stream::Stderr => termcolor::StandardStream::stderr(termcolor::ColorChoice::Auto),
    };
    let files = SimpleFile::new(file, src);
    let config = term::Config::default();
    let mut lock = stream.lock();
    for f in findings {
        if too_long(f, src) {
            use std::io::Write as _;
            if writeln!(lock, "{}", short(f, file)).is_err() {
                return;
            }
            continue;
        }
        if term::emit_to_write_style(&mut lock, &config, &files, &snippet(f)).is_err() {
            // A terminal that went away: nobody reads the rest.
            return;
        }
    }
}

/// The longest line a snippet shows (a generated or minified file can hold a whole model,
/// or a 15,000-deep type, on one line): longer ones get the one-line form.
const LONGEST_SHOWN_LINE: usize = 400;

fn too_long(f: &Finding, src: &str) -> bool {
    let (Some(before), Some(after)) = (src.get(..f.range.start), src.get(f.range.end..)) else {
        return true;
    };
    let from = before.rfind('\n').map_or(0, |i| i + 1);
    let to = after.find('\n').map_or(src.len(), |i| f.range.end + i);
    src.get(from..to)
        .is_none_or(|lines| lines.lines().any(|l| l.len() > LONGEST_SHOWN_LINE))
}

fn snippet(f: &Finding) -> Snippet<()> {
    let level = match f.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Note,
    };
    let label = Label::primary((), f.range.clone());
    let label = match &f.element {
        Some((name, kind)) => label.with_message(format!("{kind} {name}")),
        None => label,
    };
    Snippet::new(level)
        .with_code(f.code.as_str())
        .with_message(&f.message)
        .with_labels(vec![label])
}

/// `file:line:col: error[SL012]: message`, as compilers print it on one line.
pub fn short(f: &Finding, file: &str) -> String {
    format!(
        "{file}:{}:{}: {}[{}]: {}",
        f.start.line,
        f.start.col,
        f.severity,
        f.code.as_str(),
        f.message
    )
}

/// A finding as JSON: `code`, `severity`, `message`, `element` (`{name, kind}` or null),
/// `line`, `column`, `end_line`, `end_column` (1-based, the end exclusive).
pub fn json(f: &Finding) -> Value {
    json!({
        "code": f.code.as_str(),
        "severity": f.severity.to_string(),
        "message": f.message,
        "element": f.element.as_ref().map(|(name, kind)| json!({"name": name, "kind": kind})),
        "line": f.start.line,
        "column": f.start.col,
        "end_line": f.end.line,
        "end_column": f.end.col,
    })
}

/// The findings of several files as one SARIF 2.1.0 log: every code as a rule (id, name,
/// meaning, default level), each finding as a result with its region and, where known, the
/// element as a logical location; files that could not be read as tool notifications.
pub fn sarif(files: &[(String, Vec<Finding>)], unreadable: &[String]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": format!("{c:?}"),
                "shortDescription": {"text": c.meaning()},
                "defaultConfiguration": {"level": sarif_level(c.severity())},
            })
        })
        .collect();
    let results: Vec<Value> = files
        .iter()
        .flat_map(|(file, findings)| findings.iter().map(move |f| (file, f)))
        .map(|(file, f)| {
            let mut location = json!({
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(file)},
                    "region": {
                        "startLine": f.start.line,
                        "startColumn": f.start.col,
                        "endLine": f.end.line,
                        "endColumn": f.end.col,
                    },
                },
            });
            if let Some((name, kind)) = &f.element {
                location["logicalLocations"] = json!([{"fullyQualifiedName": name, "kind": kind}]);
            }
            json!({
                "ruleId": f.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == f.code),
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [location],
            })
        })
        .collect();
    let notifications: Vec<Value> = unreadable
        .iter()
        .map(|m| json!({"level": "error", "message": {"text": m}}))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stormlab",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a URI reference: `/` separators, spaces and other reserved characters
/// percent-encoded; relative if the name is, else a `file:` URI.
fn uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    // An absolute path is an absolute `file:` URI (`file:///C:/…` on Windows); a relative
    // one stays relative, to the folder the check ran in, as code-scanning UIs expect.
    let windows = path.as_bytes().get(1) == Some(&b':');
    let mut out = match () {
        _ if path.starts_with('/') => "file://".to_owned(),
        _ if windows => "file:///".to_owned(),
        _ => String::new(),
    };
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if windows {
        // The drive's colon stays as it is.
        out = out.replacen("%3A", ":", 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(src: &str, path: Vec<crate::model::element::PathSeg>) -> Finding {
        let model = crate::model::file::from_str(src, "m.ron").unwrap();
        let d = Diagnostic::new(Code::HotSpot, None, path, "look here".into());
        Finding::of(&d, &mut Places::new(src), &model)
    }

    #[test]
    fn a_snippet_shows_the_line_and_underlines_the_value() {
        use crate::model::element::PathSeg::Key;
        let src = "(\n    format: 2,\n    name: \"Shop\",\n)\n";
        let f = finding(src, vec![Key("name")]);
        assert_eq!((f.start.line, f.start.col), (3, 11));
        assert_eq!((f.end.line, f.end.col), (3, 17));
        let text = snippets(&[f], "m.ron", src);
        assert!(text.contains("warning[SL026]: look here"), "{text}");
        assert!(text.contains("m.ron:3:11"), "{text}");
        assert!(text.contains("name: \"Shop\""), "{text}");
        assert!(text.contains("^^^^^^"), "{text}");
    }

    #[test]
    fn many_snippets_rendered_in_parts_keep_their_order() {
        use crate::model::element::PathSeg::Key;
        let src = "(\n    format: 2,\n    name: \"Shop\",\n)\n";
        let one = finding(src, vec![Key("name")]);
        let many: Vec<Finding> = (0..PER_THREAD * 2 + 3)
            .map(|i| Finding {
                message: format!("finding {i}"),
                ..one.clone()
            })
            .collect();
        let each: String = many
            .iter()
            .map(|f| snippets(std::slice::from_ref(f), "m.ron", src))
            .collect();
        assert_eq!(snippets(&many, "m.ron", src), each);
    }

    #[test]
    fn sarif_regions_and_uris_follow_the_spec() {
        use crate::model::element::PathSeg::Key;
        let src = "(format: 2, name: \"Shop\")";
        let f = finding(src, vec![Key("name")]);
        let log = sarif(&[("my models/a.ron".into(), vec![f])], &[]);
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "SL026");
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"]
                [result["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "SL026"
        );
        let place = &result["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "my%20models/a.ron");
        assert_eq!(
            uri("/home/ann/my models/a.ron"),
            "file:///home/ann/my%20models/a.ron"
        );
        assert_eq!(uri("C:\\models\\a.ron"), "file:///C:/models/a.ron");
        assert_eq!(place["region"]["startColumn"], 19);
        assert_eq!(place["region"]["endColumn"], 25);
        assert_eq!(result["level"], "warning");
    }
}
