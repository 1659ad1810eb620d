//! Stormlab's formats for other tools, on the example models: the Mermaid export (its pages
//! pinned as golden files; Mermaid's own parser checks them in CI, `tests/mermaid.sh`).

use stormlab::interop::mermaid;
use stormlab::model::Model;
use stormlab::model::file::from_str;
use stormlab::sim::sequence::{self, Sequence};

const MODELS: [&str; 6] = [
    "models/accounts.ron",
    "models/autoservice.ron",
    "models/conference.ron",
    "models/devportal.ron",
    "models/teaching/double-count.ron",
    "models/teaching/double-count-fixed.ron",
];

fn load(path: &str) -> Model {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap();
    from_str(&text, path).unwrap()
}

fn run(model: &Model, scenario: &str, limit: usize) -> Sequence {
    sequence::of_scenario(model, scenario, None, limit).unwrap()
}

fn page(model: &Model) -> String {
    let runs: Vec<_> = model
        .scenarios
        .iter()
        .map(|s| {
            let seq = sequence::of_scenario(model, &s.name, None, 200);
            (s.name.clone(), seq.map_err(|e| e.to_string()))
        })
        .collect();
    mermaid::document(model, &runs)
}

#[test]
fn every_example_page_is_deterministic_and_matches_its_golden_file() {
    // One insta snapshot per model (tests/golden/mermaid): after an intended change, review
    // the new text with `cargo insta review` (or accept with INSTA_UPDATE=always).
    insta::with_settings!({snapshot_path => "golden/mermaid", prepend_module_to_snapshot => false}, {
        for path in MODELS {
            let model = load(path);
            let text = page(&model);
            assert_eq!(text, page(&model.clone()), "{path}: not deterministic");
            let name = path.rsplit('/').next().unwrap().trim_end_matches(".ron");
            insta::assert_snapshot!(name, text);
        }
    });
}

#[test]
fn the_context_map_draws_every_context_and_relation_with_its_patterns() {
    let model = load("models/devportal.ron");
    let text = mermaid::context_map(&model);
    assert!(text.starts_with("---\ntitle: "), "{text}");
    for (i, c) in model.contexts.iter().enumerate() {
        assert!(
            text.contains(&format!("c{i}[\"{}", c.name)),
            "{} missing",
            c.name
        );
    }
    let arrows = text.lines().filter(|l| l.contains("|\"")).count();
    assert_eq!(arrows, model.relations.len(), "{text}");
    for r in &model.relations {
        assert!(
            text.contains(&format!("|\"{}\"|", r.label())),
            "{}",
            r.label()
        );
    }
}

#[test]
fn the_flow_of_one_context_keeps_only_its_stickies() {
    let model = load("models/accounts.ron");
    let whole = mermaid::flow(&model, None);
    let one = mermaid::flow(&model, Some(0));
    assert_eq!(one.matches("subgraph").count(), 1, "{one}");
    assert!(whole.matches("subgraph").count() > 1);
    let name = &model.contexts[0].name;
    assert!(one.contains(&format!("subgraph c0[\"{name}\"]")));
    // Every arrow joins two nodes the diagram declares.
    for line in one
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->"))
    {
        for id in line.split_whitespace().filter(|w| w.contains('_')) {
            assert!(
                one.contains(&format!("    {id}")),
                "{id} is not declared: {line}"
            );
        }
    }
}

#[test]
fn a_sequence_marks_rejections_compensations_and_status() {
    let model = load("models/accounts.ron");
    let text = mermaid::sequence(&run(&model, "payment over the limit is compensated", 200));
    // The failing step is a rejection (a cross), not a compensation; what follows is.
    assert!(
        text.contains("-xL2: 08:00:00 ChargePayment o-2 rejected: over the card limit"),
        "{text}"
    );
    assert!(
        text.contains("->>L2: 08:00:00 ↺ ReleaseStock o-2"),
        "{text}"
    );
    assert!(text.contains("->>L1: 08:00:00 ↺ CancelOrder o-2"), "{text}");
    assert!(text.contains("Note over L0: 08:00:00 OrderFulfilment o-2: Compensated"));
}

#[test]
fn a_sequence_notes_parked_deliveries_and_counts_what_it_leaves_out() {
    let model = load("models/autoservice.ron");
    let full = run(&model, "CRM outage parks booking events", usize::MAX);
    let cut = run(&model, "CRM outage parks booking events", 30);
    assert_eq!(cut.rows.len(), 30);
    assert_eq!(cut.rows[..], full.rows[..30]);
    assert_eq!(cut.omitted, full.rows.len() - 30);
    let text = mermaid::sequence(&cut);
    assert!(
        text.contains("Note right of L1: parked by Crm: unavailable (outage)"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with(&format!("… {} more messages not shown", cut.omitted)),
        "{text}"
    );
    // Only lanes some kept message uses are participants.
    for (i, _) in cut.lanes.iter().enumerate().skip(1) {
        assert!(text.contains(&format!("L{i}:")) || text.contains(&format!("L{i}-")));
    }
}
