//! Exploration benchmark: the example models' failure scenarios explored with one thread and
//! with two (runs/s, and the ratio: target ≥ 10,000 runs/s in total with two, two ≥ 1.8× one);
//! the teaching case's bug found in a 10,000-order load and shrunk (target ≤ 3 faults, ≤ 50
//! commands, ≤ 10 s); and the process's resident memory after a tenth of the runs and after
//! all of them (target: flat).
//!
//! Run: `cargo bench --bench explore` (`STORMLAB_BENCH_QUICK=1`: a tenth of the runs).

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use stormlab::model::Model;
use stormlab::model::file::from_str;
use stormlab::model::scenario::Step;
use stormlab::sim::explore::{Explorer, Options, Report};

/// One failure scenario of each example: a fault plan of its own, or a rejection.
const SCENARIOS: [(&str, &str, &str); 5] = [
    (
        "autoservice",
        include_str!("../models/autoservice.ron"),
        "CRM outage parks booking events",
    ),
    (
        "conference",
        include_str!("../models/conference.ron"),
        "ticketing outage parks the allocation until redriven",
    ),
    (
        "devportal",
        include_str!("../models/devportal.ron"),
        "unanswered survey times out and is closed",
    ),
    (
        "accounts",
        include_str!("../models/accounts.ron"),
        "flaky saga delivery is remediated",
    ),
    (
        "teaching",
        include_str!("../models/teaching/double-count.ron"),
        "a busy morning",
    ),
];

fn load(name: &str, text: &str) -> Model {
    from_str(text, name).unwrap_or_else(|e| panic!("{e}"))
}

fn explore(x: &Explorer, runs: u64, jobs: usize, shrink: bool) -> (Report, Duration) {
    let opts = Options {
        runs,
        jobs,
        shrink,
        ..Options::default()
    };
    let t = Instant::now();
    let r = x.explore(&opts, &|_| {}, &AtomicBool::new(false));
    (r, t.elapsed())
}

/// Resident memory of this process, in MiB.
fn resident_mib() -> f64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    (pages * 4096) as f64 / (1024.0 * 1024.0)
}

fn main() {
    let quick = std::env::var_os("STORMLAB_BENCH_QUICK").is_some();
    let runs: u64 = if quick { 400 } else { 4000 };
    println!("exploration: {runs} runs per scenario, no shrinking, best of 3");
    let (mut all_runs, mut one_time, mut two_time) = (0u64, 0.0f64, 0.0f64);
    for (name, text, scenario) in SCENARIOS {
        let model = load(name, text);
        let x = Explorer::new(&model, scenario).expect("the scenario explores");
        let best = |jobs| {
            (0..3)
                .map(|_| explore(&x, runs, jobs, false).1.as_secs_f64())
                .fold(f64::INFINITY, f64::min)
        };
        let (one, two) = (best(1), best(2));
        all_runs += runs;
        one_time += one;
        two_time += two;
        println!(
            "  {name:<11} {scenario:<55} 1 job {:>8.0} runs/s   2 jobs {:>8.0} runs/s   ×{:.2}",
            runs as f64 / one,
            runs as f64 / two,
            one / two
        );
    }
    let total = all_runs as f64 / two_time;
    let ratio = one_time / two_time;
    println!(
        "  in total: {total:.0} runs/s with 2 jobs (target ≥ 10,000: {}), 2 jobs ×{ratio:.2} of 1 (target ≥ 1.8: {})",
        if total >= 10_000.0 { "met" } else { "MISSED" },
        if ratio >= 1.8 { "met" } else { "MISSED" }
    );

    // The teaching case's bug in a load of 10,000 orders: found, then shrunk.
    let (name, text, scenario) = SCENARIOS[4];
    let mut model = load(name, text);
    let s = model
        .scenarios
        .iter_mut()
        .find(|s| s.name == scenario)
        .expect("the scenario");
    for step in &mut s.when {
        if let Step::Load { count, .. } = step {
            *count = 10_000;
        }
    }
    let x = Explorer::new(&model, scenario).expect("the scenario explores");
    let t = Instant::now();
    let (report, _) = explore(&x, 200, 2, true);
    let took = t.elapsed();
    match report.found.first() {
        Some(f) => {
            let shrunk = f.shrunk.as_ref().expect("shrunk");
            let met =
                shrunk.pieces.len() <= 3 && shrunk.commands <= 50 && took.as_secs_f64() <= 10.0;
            println!(
                "shrinking: a failure in a 10,000-order load (run {}, {} faults, {} commands) found and shrunk in {:.2} s ({} runs) to {} fault(s), {} command(s) (target ≤ 3, ≤ 50, ≤ 10 s: {})",
                f.run,
                f.pieces.len(),
                f.commands,
                took.as_secs_f64(),
                shrunk.tries,
                shrunk.pieces.len(),
                shrunk.commands,
                if met { "met" } else { "MISSED" }
            );
        }
        None => {
            println!("shrinking: no failure found in 200 runs of the 10,000-order load: MISSED")
        }
    }

    // Memory across runs: resident after a tenth of them and after all.
    let (name, text, scenario) = SCENARIOS[0];
    let x = Explorer::new(&load(name, text), scenario).expect("the scenario explores");
    let many = runs * 5;
    explore(&x, many / 10, 2, false);
    let early = resident_mib();
    explore(&x, many, 2, false);
    let late = resident_mib();
    println!(
        "memory: {early:.1} MiB resident after {} runs, {late:.1} MiB after {} more ({})",
        many / 10,
        many,
        if late <= early * 1.1 + 1.0 {
            "flat"
        } else {
            "GROWS"
        }
    );
}
