//! Edit benchmark on a generated 1,000-element model: applying an edit and undoing it
//! (budget ≤ 50 µs each) and the size of its undo step (budget ≤ 1 KiB for a move or a
//! rename), for the edits a workshop makes most: move a sticky, rename one that others refer
//! to, change one in the inspector.
//!
//! Run: `cargo bench --bench edit`

use std::time::{Duration, Instant};

use stormlab::app::document::edit::Edit;
use stormlab::app::document::open::Document;
use stormlab::model::access::Sticky;
use stormlab::model::file::{from_str, to_string};
use stormlab::model::synthetic::synthetic;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Applies `make(i)` and undoes it `runs` times; prints the medians and the undo step's size.
fn measure(doc: &mut Document, name: &str, runs: usize, make: impl Fn(usize) -> Edit) {
    let (mut apply, mut undo) = (Vec::new(), Vec::new());
    let mut step_bytes = 0;
    for i in 0..runs {
        let edit = make(i);
        let t0 = Instant::now();
        doc.apply(edit).expect("the edit applies");
        let t1 = Instant::now();
        doc.history.end_gesture();
        step_bytes = doc
            .history
            .undo_ops()
            .map_or(0, |ops| ron::to_string(ops).map_or(0, |t| t.len()));
        let t2 = Instant::now();
        doc.undo().expect("there is a step to undo");
        let t3 = Instant::now();
        apply.push(t1 - t0);
        undo.push(t3 - t2);
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let (a, u) = (median(apply), median(undo));
    let verdict = |d: Duration| {
        if d <= Duration::from_micros(50) {
            "met"
        } else {
            "MISSED"
        }
    };
    println!(
        "  {name:<28} apply {:>8.1} µs ({})   undo {:>8.1} µs ({})   undo step {:>5} B (as RON)",
        us(a),
        verdict(a),
        us(u),
        verdict(u),
        step_bytes
    );
}

fn main() {
    let text = to_string(&synthetic(1000, 10));
    let model = from_str(&text, "synthetic.ron").expect("the generated model parses");
    println!(
        "model: {} elements; budgets: apply ≤ 50 µs, undo ≤ 50 µs, undo step of a move or rename ≤ 1 KiB",
        model.element_count()
    );
    let mut doc = Document::new(model, None);
    let event = doc.model.contexts[3].events[5].uid;
    let renamed = doc.model.contexts[3].events[5].clone();
    let runs = 200;
    measure(&mut doc, "move one sticky", runs, |i| Edit::Move {
        ids: vec![event],
        delta: (1.0 + i as f32, 0.0),
        gesture: i as u64,
    });
    measure(&mut doc, "inspector edit of a sticky", runs, |i| {
        let mut e = renamed.clone();
        e.doc = format!("changed {i}");
        Edit::Replace {
            id: event,
            sticky: Box::new(Sticky::Event(e)),
            gesture: None,
        }
    });
    measure(&mut doc, "rename a referenced event", runs, |i| {
        Edit::Rename {
            id: event,
            name: format!("Renamed{i}"),
        }
    });
}
