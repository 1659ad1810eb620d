//! Model benchmark on a generated 1,000-element model: parse + check (budget ≤ 50 ms) and
//! export its protos (budget ≤ 50 ms).
//!
//! Run: `cargo bench --bench model`

use std::time::{Duration, Instant};

use stormlab::export::findings as check;
use stormlab::export::protos;
use stormlab::model::file::{from_str, to_string};
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
