//! Model benchmark on a generated 1,000-element model: parse + check (budget ≤ 50 ms) and
//! export its protos (budget ≤ 50 ms); then `stormlab check`'s work (parse, check, every
//! finding placed in the file and printed) on 9,000, 18,000 and 36,000 small contexts chained
//! by relations — the last about 12 MB, budget ≤ 2 s — to show it grows linearly with the file.
//!
//! Run: `cargo bench --bench model`

use std::time::{Duration, Instant};

use stormlab::export::findings as check;
use stormlab::export::protos;
use stormlab::model::diagnostic::render_in;
use stormlab::model::file::{from_str, to_string};
use stormlab::model::locate::Places;
use stormlab::model::synthetic::synthetic;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let text = to_string(&synthetic(1000, 10));
    let model = from_str(&text, "synthetic.ron").expect("the generated model parses");
    println!(
        "model: {} elements, {} KiB of RON",
        model.element_count(),
        text.len() / 1024
    );
    let runs = 20;
    let (mut load, mut checks, mut both) = (Vec::new(), Vec::new(), Vec::new());
    let mut findings = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let m = from_str(&text, "synthetic.ron").expect("parses");
        let t1 = Instant::now();
        findings = check(&m).len();
        let t2 = Instant::now();
        load.push(t1 - t0);
        checks.push(t2 - t1);
        both.push(t2 - t0);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let total = median(both);
    println!(
        "  load (RON parse)      median {:>7.2} ms",
        ms(median(load))
    );
    println!(
        "  check ({findings} findings)   median {:>7.2} ms",
        ms(median(checks))
    );
    println!(
        "  load + check          median {:>7.2} ms   budget 50 ms: {}",
        ms(total),
        if total <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );
    scaling();
    let mut export = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let files = protos(&model);
        export.push(t.elapsed());
        bytes = files.iter().map(|f| f.text.len()).sum::<usize>();
    }
    let e = median(export);
    println!(
        "  export protos ({} KiB) median {:>7.2} ms   budget 50 ms: {}",
        bytes / 1024,
        ms(e),
        if e <= Duration::from_millis(50) {
            "met"
        } else {
            "MISSED"
        }
    );
}

/// A model file of `n` contexts, each with a described published event (its one finding:
/// nothing produces the event), and a context map chaining them (`Ctx0 → Ctx1 → …`), so that
/// whatever the check does per relation is measured too.
fn many_contexts(n: usize) -> String {
    let mut text = String::from(
        "(\n    format: 1,\n    name: \"Many\",\n    org: \"acme\",\n    contexts: [\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "        (name: \"Ctx{i}\", doc: \"Context {i} of a large generated model, with a description long enough to weigh like a real one.\", frame: (0.0, {y}.0, 400.0, 90.0), events: [(name: \"Done{i}\", n: 16, published: true, fields: [(n: 1, name: \"thing_id\", ty: \"id\")], at: (200.0, {y}.0))]),\n",
            y = i * 100
        ));
    }
    text.push_str("    ],\n    relations: [\n");
    for i in 1..n {
        text.push_str(&format!(
            "        (upstream: \"Ctx{}\", downstream: \"Ctx{i}\", pattern: Conformist),\n",
            i - 1
        ));
    }
    text.push_str("    ],\n)\n");
    text
}

/// Parse, check and print every finding with its place, as `stormlab check` does, at 1×, 2×
/// and 4× the size.
fn scaling() {
    let mut first = None;
    for n in [9_000, 18_000, 36_000] {
        let text = many_contexts(n);
        let t = Instant::now();
        let model = from_str(&text, "many.ron").expect("the generated model parses");
        let found = check(&model);
        let mut places = Places::new(&text);
        let printed: usize = found
            .iter()
            .map(|d| render_in(d, &mut places, "many.ron").len())
            .sum();
        let took = t.elapsed();
        let base = *first.get_or_insert(took);
        println!(
            "  check {n:>6} contexts ({:>5.1} MB, {} findings, {} KiB printed) {:>7.0} ms  ×{:.1} of 9,000{}",
            text.len() as f64 / 1e6,
            found.len(),
            printed / 1024,
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() / base.as_secs_f64(),
            if n == 36_000 {
                if took <= Duration::from_secs(2) {
                    "   budget 2 s: met"
                } else {
                    "   budget 2 s: MISSED"
                }
            } else {
                ""
            }
        );
    }
}
