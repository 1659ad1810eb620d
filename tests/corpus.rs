//! Hardening against what users and tools actually feed the studio: a corpus of malformed
//! models generated from the examples (truncations, type swaps, nesting thousands deep, huge
//! and odd numbers, bad UTF-8, hostile expressions, a 10 MB file) goes through everything a
//! user can do with a file — load, check, export, simulate — with no panic, crash or hang;
//! and a property test: a model that checks clean exports protos that compile and runs
//! every scenario without a model error ("checks clean, then fails" is a bug of the checks).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use proptest::prelude::*;
use stormlab::export::findings as check;
use stormlab::export::{protos, write};
use stormlab::model::diagnostic::Severity;
use stormlab::model::file::{from_str, load};
use stormlab::model::{Kind, Model, Type};
use stormlab::sim::Program;
use stormlab::sim::program::SimError;
use stormlab::sim::scenario::{setup, until_of};

const MODELS: [(&str, &str); 4] = [
    ("autoservice", include_str!("../models/autoservice.ron")),
    ("conference", include_str!("../models/conference.ron")),
    ("devportal", include_str!("../models/devportal.ron")),
    ("accounts", include_str!("../models/accounts.ron")),
];

/// How far a file got.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// Not a model: a placed file error.
    Unread,
    /// Loaded; the check found errors.
    Refused,
    /// Checked clean, exported and simulated.
    Ran,
}

/// Everything a user can do with a model that loaded: check it; when the check finds no
/// error, export it (protox must compile the files) and run every scenario, which must not
/// fail for a reason the check should have caught.
fn use_model(model: &Model, what: &str) -> Result<Outcome, String> {
    let findings = check(model);
    if findings.iter().any(|d| d.severity == Severity::Error) {
        return Ok(Outcome::Refused);
    }
    compiles(model).map_err(|e| format!("{what}: checks clean, but protoc refuses it: {e}"))?;
    let program = Arc::new(
        Program::new(model)
            .map_err(|e| format!("{what}: checks clean, but cannot simulate: {e}"))?,
    );
    for s in &model.scenarios {
        let ran = setup(model, program.clone(), &s.name, None).and_then(|mut e| e.run(until_of(s)));
        match ran {
            Ok(()) => {}
            Err(
                e @ (SimError::Invalid(_) | SimError::Scenario { .. } | SimError::Runaway { .. }),
            ) => {
                return Err(format!(
                    "{what}: checks clean, but scenario `{}` fails: {e}",
                    s.name
                ));
            }
            Err(SimError::UnknownScenario { .. }) => unreachable!("the name comes from the model"),
        }
    }
    Ok(Outcome::Ran)
}

/// Whether the model's export compiles (protox: protoc's rules, in process).
fn compiles(model: &Model) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let files = protos(model);
    write(dir.path(), &files).map_err(|e| e.to_string())?;
    let mut c = protox::Compiler::new([dir.path()]).map_err(|e| e.to_string())?;
    c.include_imports(true);
    c.open_files(files.iter().map(|f| f.path.clone()))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Loads `bytes` as the file `name` (through the file system, as the CLI and the studio
/// do) and uses what loads. A panic anywhere is caught and reported with the case's name.
fn try_file(name: &str, bytes: &[u8], dir: &std::path::Path) -> Result<Outcome, String> {
    let path = dir.join("case.ron");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    catch_unwind(AssertUnwindSafe(|| match load(&path) {
        Err(e) if e.at.is_some() => Ok(Outcome::Unread),
        Err(e) if e.message.contains("larger") => Ok(Outcome::Unread),
        Err(e) => Err(format!("{name}: a file error without a place: {e}")),
        Ok(m) => use_model(&m, name),
    }))
    .unwrap_or_else(|p| {
        let why = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(format!("{name}: panicked: {why}"))
    })
}

/// The byte offsets just after each occurrence of `key` in `text` (at most `max`).
fn after(text: &str, key: &str, max: usize) -> Vec<usize> {
    text.match_indices(key)
        .map(|(i, _)| i + key.len())
        .take(max)
        .collect()
}

/// `text` with the token starting at `at` (up to the next `,`, `)`, `]` or `"`) replaced.
fn replace_token(text: &str, at: usize, with: &str) -> String {
    let end = text[at..]
        .find([',', ')', ']', '"'])
        .map_or(text.len(), |n| at + n);
    format!("{}{with}{}", &text[..at], &text[end..])
}

/// The malformed variants of one example model: (what, bytes).
fn variants(name: &str, text: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    // Truncated anywhere (a save cut short, a partial download).
    for k in 1..20 {
        let mut cut = text.len() * k / 20;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push((format!("{name} cut at byte {cut}"), text[..cut].into()));
    }
    // Field types swapped: valid others, unknown ones, nested past the limit and thousands
    // deep, empty, unbalanced, long, non-ASCII.
    let deep = format!("{}int{}", "list<".repeat(20_000), ">".repeat(20_000));
    let types = [
        "timestamp",
        "duration",
        "decimal",
        "bool",
        "list<list<list<list<int>>>>",
        "optional<optional<int>>",
        "list<optional<list<string>>>",
        &"list<".repeat(17),
        &format!("{}int{}", "list<".repeat(17), ">".repeat(17)),
        &deep,
        "",
        "int>",
        "map<string, int>",
        "Ünïcödé",
        &"T".repeat(300),
    ];
    for (i, at) in after(text, "ty: \"", 6).into_iter().enumerate() {
        for ty in &types {
            let t = replace_token(text, at, ty);
            let what = format!("{name} type #{i} → {}", &ty[..ty.len().min(30)]);
            out.push((what, t.into_bytes()));
        }
    }
    // Numbers: huge, negative, out of protobuf's range, in its reserved range, not numbers.
    let numbers = [
        "99999999999999999999999",
        "-1",
        "0",
        "536870912",
        "19000",
        "1e308",
        "-0.0",
        "NaN",
        "inf",
        "0x10",
    ];
    for key in ["n: ", "count: ", "seed: ", "probability: ", "at: ("] {
        for at in after(text, key, 2) {
            for n in numbers {
                out.push((
                    format!("{name} `{key}` → {n}"),
                    replace_token(text, at, n).into_bytes(),
                ));
            }
        }
    }
    // Hostile expressions: nesting tens of thousands deep, long chains, unterminated text,
    // overflow, division by zero, unknown names.
    let exprs = [
        format!("{}1{}", "(".repeat(50_000), ")".repeat(50_000)),
        format!("{}1", "-".repeat(100_000)),
        format!("{}true", "!".repeat(100_000)),
        format!("1{}", " + 1".repeat(20_000)),
        "9223372036854775807 + 1".into(),
        "1 / 0".into(),
        "'unterminated".into(),
        "a.b.c.d.e.f".into(),
        "max()".into(),
    ];
    for key in ["expr: \"", "when: \"", "text: \""] {
        for at in after(text, key, 1) {
            for e in &exprs {
                let what = format!("{name} `{key}` → {}", &e[..e.len().min(30)]);
                out.push((what, replace_token(text, at, e).into_bytes()));
            }
        }
    }
    // Bad UTF-8: a stray byte, a cut multi-byte sequence, an overlong encoding.
    for (k, bad) in [&[0xffu8][..], &[0xc3], &[0xc0, 0xaf]].iter().enumerate() {
        let at = text.len() * (k + 1) / 4;
        let at = (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let mut bytes = text.as_bytes()[..at].to_vec();
        bytes.extend_from_slice(bad);
        bytes.extend_from_slice(&text.as_bytes()[at..]);
        out.push((format!("{name} bad UTF-8 #{k}"), bytes));
    }
    // Structure nested thousands deep where an element belongs.
    let at = text
        .find("contexts: [")
        .map_or(0, |i| i + "contexts: [".len());
    for open in ["(", "[", "{", "Some("] {
        let t = format!("{}{}{}", &text[..at], open.repeat(100_000), &text[at..]);
        out.push((format!("{name} {open} × 100,000"), t.into_bytes()));
    }
    out
}

#[test]
fn a_corpus_of_malformed_models_never_panics_crashes_or_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut tally = [0usize; 3];
    let mut cases = vec![
        ("empty file".to_owned(), Vec::new()),
        ("only a parenthesis".to_owned(), b"(".to_vec()),
        ("a NUL".to_owned(), b"\0".to_vec()),
        (
            "a byte-order mark".to_owned(),
            "\u{feff}(".as_bytes().to_vec(),
        ),
    ];
    for (name, text) in MODELS {
        cases.extend(variants(name, text));
    }
    for (what, bytes) in &cases {
        match try_file(what, bytes, dir.path()) {
            Ok(o) => tally[o as usize] += 1,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The corpus reaches every stage: files that do not load, models the check refuses,
    // and corrupted models that still check clean and run.
    let [unread, refused, ran] = tally;
    assert!(cases.len() > 600, "{} cases", cases.len());
    assert!(unread > 50 && refused > 50 && ran > 20, "{tally:?}");
}

#[test]
fn a_ten_megabyte_model_loads_and_checks() {
    let mut text = String::from(
        "(\n    format: 2,\n    name: \"Many\",\n    org: \"acme\",\n    contexts: [\n",
    );
    let mut i = 0;
    while text.len() < 10 << 20 {
        text.push_str(&format!(
            "        (name: \"Ctx{i}\", doc: \"Context {i} of a large generated model, with a description long enough to weigh like a real one.\", frame: (0.0, {y}.0, 400.0, 90.0), events: [(name: \"Done{i}\", n: 16, published: true, fields: [(n: 1, name: \"thing_id\", ty: \"id\")], at: (200.0, {y}.0))]),\n",
            y = i * 100
        ));
        i += 1;
    }
    text.push_str("    ],\n)\n");
    let model = from_str(&text, "many.ron").expect("a 10 MB model loads");
    assert_eq!(model.contexts.len(), i);
    // Each context has one finding (nothing produces its event), none an error.
    let findings = check(&model);
    assert!(findings.len() >= i, "{} findings", findings.len());
    assert!(findings.iter().all(|d| d.severity != Severity::Error));
}

/// One change a modeller (or a merge) could make to a model.
#[derive(Clone, Debug)]
enum Change {
    /// Rename an element of the kind to the name.
    Rename(Kind, usize, String),
    /// Give a field of a command or event another type.
    Retype(Kind, usize, usize, Type),
    /// Publish, unpublish or withdraw an event.
    Publish(usize, bool, bool),
    /// Delete an element of the kind.
    Delete(Kind, usize),
    /// Rename a bounded context.
    RenameContext(usize, String),
    /// Change the organisation (the packages' first part).
    Org(String),
    /// Rename a field of a command or event.
    RenameField(Kind, usize, usize, String),
}

fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z]{1,8}",
        Just("Google".to_owned()),
        Just("google".to_owned()),
        Just("Message".to_owned()),
        Just("package".to_owned()),
        Just("Bücher".to_owned()),
        Just("1st".to_owned()),
        Just("a b".to_owned()),
        Just("X".repeat(300)),
        Just(String::new()),
    ]
}

fn types() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just("int"),
        Just("string"),
        Just("bool"),
        Just("decimal"),
        Just("timestamp"),
        Just("duration"),
        Just("id"),
        Just("list<int>"),
        Just("optional<string>"),
        Just("list<list<int>>"),
        Just("list<list<list<list<decimal>>>>"),
        Just("optional<list<timestamp>>"),
    ]
    .prop_map(|t| Type::parse(t).expect("a valid type"))
}

fn kinds() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Command),
        Just(Kind::Event),
        Just(Kind::Aggregate),
        Just(Kind::Policy),
        Just(Kind::ReadModel),
        Just(Kind::Saga),
    ]
}

fn changes() -> impl Strategy<Value = Change> {
    prop_oneof![
        (kinds(), 0usize..40, names()).prop_map(|(k, i, n)| Change::Rename(k, i, n)),
        (
            prop_oneof![Just(Kind::Command), Just(Kind::Event)],
            0usize..40,
            0usize..6,
            types()
        )
            .prop_map(|(k, i, f, t)| Change::Retype(k, i, f, t)),
        (0usize..40, any::<bool>(), any::<bool>()).prop_map(|(i, p, w)| Change::Publish(i, p, w)),
        (kinds(), 0usize..40).prop_map(|(k, i)| Change::Delete(k, i)),
        (0usize..4, names()).prop_map(|(i, n)| Change::RenameContext(i, n)),
        prop_oneof![
            Just("acme".to_owned()),
            Just("google".to_owned()),
            Just("a".repeat(600)),
            Just("x.y".to_owned()),
            Just(String::new())
        ]
        .prop_map(Change::Org),
        (
            prop_oneof![Just(Kind::Command), Just(Kind::Event)],
            0usize..40,
            0usize..6,
            names()
        )
            .prop_map(|(k, i, f, n)| Change::RenameField(k, i, f, n.to_lowercase())),
    ]
}

/// The `i`-th element of `kind` over all contexts (wrapping), if the model has any.
fn nth(model: &Model, kind: Kind, i: usize) -> Option<stormlab::model::Loc> {
    let all: Vec<_> = model
        .elements()
        .iter()
        .map(|e| e.loc)
        .filter(|l| l.kind == kind)
        .collect();
    (!all.is_empty()).then(|| all[i % all.len()])
}

/// The `f`-th field (wrapping) of the `i`-th command or event, if it has fields.
fn field_mut(
    model: &mut Model,
    kind: Kind,
    i: usize,
    f: usize,
) -> Option<&mut stormlab::model::Field> {
    let loc = nth(model, kind, i)?;
    let c = &mut model.contexts[loc.context.unwrap_or(0)];
    let fields = match kind {
        Kind::Command => &mut c.commands[loc.index].fields,
        _ => &mut c.events[loc.index].fields,
    };
    let n = fields.len();
    (n > 0).then(|| &mut fields[f % n])
}

fn apply(model: &mut Model, change: &Change) {
    use stormlab::model::refs::rename;
    match change {
        Change::Rename(kind, i, name) => {
            if let Some(loc) = nth(model, *kind, *i) {
                rename(model, loc, name);
            }
        }
        Change::Retype(kind, i, f, ty) => {
            if let Some(field) = field_mut(model, *kind, *i, *f) {
                field.ty = ty.clone();
            }
        }
        Change::Publish(i, published, withdrawn) => {
            if let Some(loc) = nth(model, Kind::Event, *i) {
                let e = &mut model.contexts[loc.context.unwrap_or(0)].events[loc.index];
                e.published = *published;
                e.withdrawn = *withdrawn;
            }
        }
        Change::Delete(kind, i) => {
            if let Some(loc) = nth(model, *kind, *i) {
                model.remove_elements(&[loc]);
            }
        }
        Change::RenameContext(i, name) => {
            if !model.contexts.is_empty() {
                let n = model.contexts.len();
                model.contexts[i % n].name = name.clone();
            }
        }
        Change::Org(org) => model.org = org.clone(),
        Change::RenameField(kind, i, f, name) => {
            if let Some(field) = field_mut(model, *kind, *i, *f) {
                field.name = name.clone();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Checks clean ⇒ the export compiles and every scenario runs without a model error.
    #[test]
    fn a_model_that_checks_clean_exports_and_simulates(
        which in 0usize..4,
        edits in proptest::collection::vec(changes(), 1..4),
    ) {
        let (name, text) = MODELS[which];
        let mut model = from_str(text, name).unwrap();
        for c in &edits {
            apply(&mut model, c);
        }
        if let Err(e) = use_model(&model, &format!("{name} after {edits:?}")) {
            prop_assert!(false, "{}", e);
        }
    }
}
