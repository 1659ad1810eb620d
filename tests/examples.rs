//! The example models: they load, are in canonical form, round-trip byte-stably, check
//! without errors, and each carries at least three scenarios including a failure one.

use std::path::Path;

use stormlab::export::findings as check;
use stormlab::model::check::has_errors;
use stormlab::model::diagnostic::render;
use stormlab::model::file::{from_str, to_string};
use stormlab::model::scenario::Expect;

const MODELS: [&str; 6] = [
    "autoservice",
    "conference",
    "devportal",
    "accounts",
    "teaching/double-count",
    "teaching/double-count-fixed",
];

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(format!("{name}.ron"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_example_is_canonical_and_round_trips() {
    for name in MODELS {
        let text = read(name);
        let model = from_str(&text, name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            to_string(&model),
            text,
            "{name}.ron is not in canonical form: run `stormlab fmt`"
        );
        assert_eq!(from_str(&to_string(&model), name).unwrap(), model);
    }
}

#[test]
fn every_example_checks_without_errors() {
    for name in MODELS {
        let text = read(name);
        let model = from_str(&text, name).unwrap();
        let diags = check(&model);
        let rendered: Vec<String> = diags.iter().map(|d| render(d, &text, name)).collect();
        assert!(!has_errors(&diags), "{name}:\n{}", rendered.join("\n"));
    }
}

#[test]
fn every_example_has_three_scenarios_including_a_failure() {
    for name in MODELS {
        let model = from_str(&read(name), name).unwrap();
        assert!(
            model.scenarios.len() >= 3,
            "{name} has {} scenarios",
            model.scenarios.len()
        );
        let failure = model.scenarios.iter().any(|s| {
            !s.faults.is_empty()
                || s.then
                    .iter()
                    .any(|e| matches!(e, Expect::Rejected { .. } | Expect::Dlq { .. }))
                || s.then
                    .iter()
                    .any(|e| matches!(e, Expect::Saga { status, .. } if status != "Completed"))
        });
        assert!(failure, "{name} has no failure scenario");
        assert!(
            model.contexts.len() >= 2,
            "{name} has more than one bounded context"
        );
    }
}

#[test]
fn the_embedded_default_is_the_autoservice_model() {
    let model = from_str(&read("autoservice"), "autoservice").unwrap();
    assert_eq!(model.name, "HUK Autoservice");
}

/// FNV-1a, 64 bits: a stable digest of a log (std's hashers may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every example scenario's log, with the scenario's own seed, pinned by its digest (JSON Lines
/// and the binary protobuf envelopes): a change to the engine, the random streams or the
/// encoders that alters any run fails here, so that it is made on purpose. After a deliberate
/// change, review the new digests with `cargo insta review` (or `INSTA_UPDATE=always cargo
/// test --test examples`) and commit them.
#[test]
fn every_example_scenario_log_is_pinned() {
    use std::fmt::Write as _;
    use std::sync::Arc;
    let mut table = String::new();
    for name in MODELS {
        let model = from_str(&read(name), name).unwrap();
        let program = Arc::new(stormlab::sim::Program::new(&model).unwrap());
        let schema = stormlab::export::schema::schema(&model);
        let encoder = stormlab::export::encode::Encoder::new(&schema);
        for s in &model.scenarios {
            let mut engine =
                stormlab::sim::scenario::setup(&model, program.clone(), &s.name, None).unwrap();
            engine.run(stormlab::sim::scenario::until_of(s)).unwrap();
            let jsonl = stormlab::sim::log::jsonl(&engine);
            let binpb = encoder.delimited_log(&engine);
            writeln!(
                table,
                "{name} / {}: seed {}, {} events, jsonl {:016x}, binpb {:016x}",
                s.name,
                engine.seed(),
                engine.records().len(),
                fnv1a(jsonl.as_bytes()),
                fnv1a(&binpb)
            )
            .unwrap();
        }
    }
    insta::with_settings!({snapshot_path => "golden/logs", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("example_logs", table);
    });
}
