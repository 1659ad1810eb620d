//! The example models: they load, are in canonical form, round-trip byte-stably, check
//! without errors, and each carries at least three scenarios including a failure one.

use std::path::Path;

use stormlab::export::findings as check;
use stormlab::model::check::has_errors;
use stormlab::model::diagnostic::render;
use stormlab::model::file::{from_str, to_string};
use stormlab::model::scenario::Expect;

const MODELS: [&str; 4] = ["autoservice", "conference", "devportal", "accounts"];

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
