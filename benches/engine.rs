//! Engine benchmark, with the peer in the same run: cqrs-es 0.5 with its MemStore.
//!
//! Workloads (issue 3): flat 1k aggregates × 100 commands, deep 100 × 1,000, wide 10k × 10,
//! a million events 1k × 1,000 — one event per command, one read model (as the peer's one
//! query); a three-step saga chain over 100k orders, the same with 5% failures + 1%
//! duplicates + DLQ; replay (rebuild three read models from 1M events, a log made by the
//! million workload with three read models); seek (random cursor positions in that log);
//! the store's memory per event, measured with a counting allocator; allocations per
//! command of the flat workload; the example models' heaviest scenarios with their loads
//! raised to 10⁵–10⁷ commands (issue 21): events/s, allocations per command, peak heap per
//! event.
//!
//! Run: `cargo bench --bench engine >/dev/null` (release, one thread): the figures go to
//! stderr, because cqrs-es's MemStore prints a line per load and store to stdout. Set
//! `STORMLAB_BENCH_QUICK=1` for a tenth of the sizes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cqrs_es::event_sink::EventSink;
use cqrs_es::mem_store::MemStore;
use cqrs_es::{Aggregate, CqrsFramework, DomainEvent, EventEnvelope, Query};
use serde::{Deserialize, Serialize};
use stormlab::model::expr::Value;
use stormlab::sim::Program;
use stormlab::sim::engine::{Engine, FaultDef};
use stormlab::sim::program::SubscriberKind;
use stormlab::sim::rebuild::rebuild_all;
use stormlab::sim::rng::Rng;
use stormlab::sim::store::Cause;
use stormlab::sim::timeline::Timeline;
use workloads::{counter_model, program, stormlab};

mod workloads;

// ---------- the peer: a counter aggregate in cqrs-es ----------

#[derive(Debug, Default, Serialize, Deserialize)]
struct Counter {
    total: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum CounterEvent {
    Incremented { amount: i64 },
}

impl DomainEvent for CounterEvent {
    fn event_type(&self) -> String {
        "Incremented".into()
    }
    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug)]
struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}

impl std::error::Error for Never {}

impl Aggregate for Counter {
    const TYPE: &'static str = "counter";
    type Command = i64;
    type Event = CounterEvent;
    type Error = Never;
    type Services = ();

    async fn handle(&mut self, amount: i64, _: &(), sink: &EventSink<Self>) -> Result<(), Never> {
        sink.write(CounterEvent::Incremented { amount }, self).await;
        Ok(())
    }

    fn apply(&mut self, event: CounterEvent) {
        let CounterEvent::Incremented { amount } = event;
        self.total += amount;
    }
}

/// The peer's read model: totals per counter.
struct Totals(Arc<Mutex<HashMap<String, i64>>>);

#[async_trait::async_trait]
impl Query<Counter> for Totals {
    async fn dispatch(&self, id: &str, events: &[EventEnvelope<Counter>]) {
        if let Ok(mut m) = self.0.lock() {
            for e in events {
                let CounterEvent::Incremented { amount } = e.payload;
                *m.entry(id.to_owned()).or_default() += amount;
            }
        }
    }
}

fn peer(aggregates: usize, per: usize) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let totals = Arc::new(Mutex::new(HashMap::new()));
    let cqrs = CqrsFramework::new(
        MemStore::<Counter>::default(),
        vec![Box::new(Totals(totals.clone()))],
        (),
    );
    let ids: Vec<String> = (0..aggregates).map(|i| format!("c-{i}")).collect();
    let t = Instant::now();
    rt.block_on(async {
        for round in 0..per {
            for id in &ids {
                let _ = cqrs.execute(id, (round % 7) as i64).await;
            }
        }
    });
    t.elapsed()
}

// ---------- Stormlab ----------

const SAGA: &str = r#"(format: 1, name: "Chain", contexts: [(name: "Core", frame: (0.0, 0.0, 900.0, 600.0),
    commands: [
        (name: "PlaceOrder", target: "Order", fields: [(n: 1, name: "order_id", ty: "id")], at: (0.0, 0.0)),
        (name: "Reserve", target: "Stock", fields: [(n: 1, name: "order_id", ty: "id")], at: (0.0, 100.0)),
        (name: "Charge", target: "Payment", fields: [(n: 1, name: "order_id", ty: "id")], at: (0.0, 200.0)),
        (name: "Ship", target: "Shipment", fields: [(n: 1, name: "order_id", ty: "id")], at: (0.0, 300.0)),
    ],
    aggregates: [
        (name: "Order", id: "order_id", lifecycle: ["New", "Placed"], handlers: [(on: "PlaceOrder", states: ["New"], emit: [(event: "OrderPlaced")])], appliers: [(on: "OrderPlaced", to: "Placed")], at: (200.0, 0.0)),
        (name: "Stock", id: "order_id", lifecycle: ["New", "Reserved"], handlers: [(on: "Reserve", states: ["New"], emit: [(event: "Reserved")])], appliers: [(on: "Reserved", to: "Reserved")], at: (200.0, 100.0)),
        (name: "Payment", id: "order_id", lifecycle: ["New", "Charged"], handlers: [(on: "Charge", states: ["New"], emit: [(event: "Charged")])], appliers: [(on: "Charged", to: "Charged")], at: (200.0, 200.0)),
        (name: "Shipment", id: "order_id", lifecycle: ["New", "Shipped"], handlers: [(on: "Ship", states: ["New"], emit: [(event: "Shipped")])], appliers: [(on: "Shipped", to: "Shipped")], at: (200.0, 300.0)),
    ],
    events: [
        (name: "OrderPlaced", owner: "Order", fields: [(n: 1, name: "order_id", ty: "id")], at: (400.0, 0.0)),
        (name: "Reserved", owner: "Stock", fields: [(n: 1, name: "order_id", ty: "id")], at: (400.0, 100.0)),
        (name: "Charged", owner: "Payment", fields: [(n: 1, name: "order_id", ty: "id")], at: (400.0, 200.0)),
        (name: "Shipped", owner: "Shipment", fields: [(n: 1, name: "order_id", ty: "id")], at: (400.0, 300.0)),
    ],
    sagas: [(name: "Fulfil", correlation: "order_id", start: "OrderPlaced",
        steps: [(on: "OrderPlaced", issue: (command: "Reserve")), (on: "Reserved", issue: (command: "Charge")), (on: "Charged", issue: (command: "Ship"))],
        ends: [(on: "Shipped", status: "Completed")], delivery: (latency: "0ms", max_attempts: 3, backoff: "10ms", idempotent: true), at: (600.0, 0.0))],
    )])"#;

/// Runs of each shared workload; the best counts.
const RUNS: usize = 3;

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn human(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M", r / 1e6)
    } else {
        format!("{:.0} k", r / 1e3)
    }
}

fn main() {
    let scale = if std::env::var_os("STORMLAB_BENCH_QUICK").is_some() {
        10
    } else {
        1
    };
    // `STORMLAB_BENCH_ONLY=orders` (or `saga`) runs those rows only (for profiling them).
    match std::env::var("STORMLAB_BENCH_ONLY").as_deref() {
        Ok("orders") => return orders_workload(scale),
        Ok("saga") => return saga_workload(scale),
        _ => {}
    }
    let counter = program(&counter_model(1));
    eprintln!(
        "engine benchmark (release, one thread; peer: cqrs-es 0.5 MemStore, one query; best of {RUNS} runs each, the peer's within 3 s), sizes ÷{scale}"
    );
    eprintln!(
        "{:<34} {:>14} {:>14} {:>10}",
        "workload", "stormlab cmd/s", "cqrs-es cmd/s", "ratio"
    );
    let mut flat_rate = 0.0;
    for (name, aggs, per) in [
        ("flat 1k × 100", 1000, 100),
        ("deep 100 × 1,000", 100, 1000),
        ("wide 10k × 10", 10_000, 10),
        ("million 1k × 1,000", 1000, 1000),
    ] {
        let (aggs, per) = (aggs / scale.min(aggs), per);
        let name = if scale > 1 {
            format!("{name} (÷{scale}: {aggs} aggregates)")
        } else {
            name.to_owned()
        };
        let name = name.as_str();
        let n = aggs * per;
        // The best of up to three runs each, so that a short workload is not judged by a
        // cold start; the peer repeats only while its runs take under 3 s in all.
        let (mut ours, mut engine) = stormlab(&counter, aggs, per);
        for _ in 1..RUNS {
            drop(engine);
            let (t, e) = stormlab(&counter, aggs, per);
            (ours, engine) = (ours.min(t), e);
        }
        let mut theirs = peer(aggs, per);
        let mut spent = theirs;
        for _ in 1..RUNS {
            if spent > Duration::from_secs(3) {
                break;
            }
            let t = peer(aggs, per);
            spent += t;
            theirs = theirs.min(t);
        }
        let (a, b) = (rate(n, ours), rate(n, theirs));
        if name.starts_with("flat") {
            flat_rate = a;
        }
        if name.starts_with("deep") {
            eprintln!(
                "{:<34} {:>14} {:>14} {:>9.1}×   deep/flat per command: {:.2}",
                name,
                human(a),
                human(b),
                a / b,
                flat_rate / a
            );
        } else {
            eprintln!(
                "{:<34} {:>14} {:>14} {:>9.1}×",
                name,
                human(a),
                human(b),
                a / b
            );
        }
        drop(engine);
    }

    saga_workload(scale);

    orders_workload(scale);

    // The log for replay and seek: the million workload with three read models.
    let three = program(&counter_model(3));
    let (d, e) = stormlab(&three, 1000 / scale, 1000);
    let events = e.records().len();
    eprintln!(
        "{:<34} {:>14}   (the log replayed below)",
        "million, three read models",
        human(rate(events, d))
    );
    // Replay: rebuild the three read models from the log alone.
    let mut d = Duration::MAX;
    for _ in 0..RUNS {
        let t = Instant::now();
        let tables = rebuild_all(&e);
        d = d.min(t.elapsed());
        assert!(tables.iter().all(Result::is_ok), "the rebuilds succeed");
    }
    eprintln!(
        "{:<34} {:>14} events/s   ({} events × 3 read models in {:.0} ms)",
        "replay",
        human(rate(events * 3, d)),
        events,
        d.as_secs_f64() * 1e3
    );

    // Seek: random cursor positions.
    let t = Instant::now();
    let timeline = Timeline::new(&e);
    let build = t.elapsed();
    let mut rng = Rng::new(3, "seek");
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let pos = rng.range(0, events as i64) as u64;
            let t = Instant::now();
            let s = timeline.at(&e, pos);
            std::hint::black_box(s.aggregates.len());
            t.elapsed()
        })
        .collect();
    times.sort();
    eprintln!(
        "{:<34} median {:.2} ms, max {:.2} ms   (timeline built in {:.0} ms, a snapshot every {} events; budget 10 ms)",
        &format!("seek ({events}-event log)"),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        build.as_secs_f64() * 1e3,
        timeline.every
    );
    drop(e);
    store_memory(1_000_000 / scale, true);
    store_memory(1_000_000 / scale, false);
    flat_allocations(&counter, 1000 / scale.min(1000), 100);
    example_workloads(scale);
}

/// Issue 19's constructs: orders of five lines summed, a lookup per line, a fan-out of five
/// reservations and a timer per order (target ≥ 1 M commands/s).
fn orders_workload(scale: usize) {
    let shop = program(workloads::ORDERS);
    let n = 100_000 / scale;
    let (mut d, mut e) = workloads::orders(&shop, n);
    for _ in 1..RUNS {
        drop(e);
        let (t, next) = workloads::orders(&shop, n);
        (d, e) = (d.min(t), next);
    }
    let rejected = e
        .commands()
        .iter()
        .filter(|c| c.rejection.is_some())
        .count();
    eprintln!(
        "{:<34} {:>14}   ({} commands, {} events, {rejected} rejected; target ≥ 1 M)",
        &format!("orders of 5 lines {}k", n / 1000),
        human(rate(e.commands().len(), d)),
        e.commands().len(),
        e.records().len(),
    );
}

/// Heap allocations per command of the flat workload (one counted run; issue 21's budget is
/// at most one).
fn flat_allocations(p: &Arc<Program>, aggs: usize, per: usize) {
    let ((_, engine), heap) = counted(|| stormlab(p, aggs, per));
    let allocs = heap.allocs;
    let commands = engine.commands().len();
    eprintln!(
        "flat workload: {:.2} heap allocations per command ({commands} commands; budget ≤ 1)",
        allocs as f64 / commands.max(1) as f64
    );
    drop(engine);
}

/// The example models' heaviest scenarios with their load raised to 10⁵ and 10⁶ commands
/// (10⁴ and 10⁵ quick), and the autoservice model's at 10⁷ in the full size when the machine
/// has the memory the 10⁶ run suggests it needs. One run each, with the allocator counting
/// (a relaxed atomic add per allocation): events/s, allocations per command, and the most
/// heap the run held at once per event (store, commands, aggregates, rows, sagas, queues).
fn example_workloads(scale: usize) {
    eprintln!(
        "\nexample workloads (heaviest scenario, its load raised; issue 21's targets: ≥ 2 M events/s, ≤ 200 bytes/event)"
    );
    eprintln!(
        "{:<58} {:>10} {:>10} {:>12} {:>11} {:>12}",
        "model / scenario", "load", "events", "events/s", "allocs/cmd", "peak B/event"
    );
    let mut per_event_1e6 = None;
    let sizes: &[(&str, i64)] = &[
        ("accounts", 100_000),
        ("autoservice", 100_000),
        ("conference", 100_000),
        ("devportal", 100_000),
        ("accounts", 1_000_000),
        ("autoservice", 1_000_000),
        ("conference", 1_000_000),
        ("autoservice", 10_000_000),
    ];
    for &(name, count) in sizes {
        let count = count / scale as i64;
        let Some((model, scenario)) = workloads::scaled_example(name, count) else {
            eprintln!("{name}: no scenario has a load to raise");
            continue;
        };
        let label = format!("{name} / {scenario}");
        if count >= 10_000_000 {
            // ~4 commands and events per booking.
            let need = per_event_1e6.map(|b: f64| b * 4.0 * count as f64);
            match (need, available_memory()) {
                (Some(need), Some(free)) if need < free as f64 * 0.6 => {}
                (need, free) => {
                    eprintln!(
                        "{label:<58} {count:>10}   skipped: needs ~{:.1} GB by the 10⁶ run's bytes per event, {:.1} GB available",
                        need.unwrap_or(f64::NAN) / 1e9,
                        free.unwrap_or(0) as f64 / 1e9
                    );
                    continue;
                }
            }
        }
        let (result, heap) = counted(|| workloads::run_scenario(&model, &scenario));
        let (allocs, peak) = (heap.allocs, heap.peak);
        let (d, engine) = match result {
            Ok(run) => run,
            Err(e) => {
                eprintln!(
                    "{label:<58} {count:>10}   stopped: {e} ({allocs} allocations, {:.1} GB peak)",
                    peak as f64 / 1e9
                );
                continue;
            }
        };
        let (events, commands) = (engine.records().len(), engine.commands().len());
        let per_event = peak as f64 / events.max(1) as f64;
        if name == "autoservice" && count >= 1_000_000 / scale as i64 {
            per_event_1e6 = Some(per_event);
        }
        eprintln!(
            "{label:<58} {count:>10} {events:>10} {:>12} {:>11.1} {:>12.0}",
            human(rate(events, d)),
            allocs as f64 / commands.max(1) as f64,
            per_event
        );
        if name == "autoservice" && count < 10_000_000 / scale as i64 {
            timeline_at_scale(&engine);
        }
        drop(engine);
    }
}

/// The studio's view of a large run: the timeline's build time and memory, random seeks,
/// and stepping forward one record at a time from the previous state (playing).
fn timeline_at_scale(e: &Engine) {
    let events = e.records().len() as u64;
    let t = Instant::now();
    let (timeline, heap) = counted(|| Timeline::new(e));
    let bytes = heap.retained;
    let build = t.elapsed();
    let mut rng = Rng::new(5, "seek");
    let mut seeks: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let s = timeline.at(e, rng.range(0, events as i64) as u64);
            std::hint::black_box(s.aggregates.len());
            t.elapsed()
        })
        .collect();
    seeks.sort();
    let start = events / 2;
    let mut state = Some(timeline.at(e, start));
    let mut steps: Vec<Duration> = (1..=100)
        .map(|k| {
            let t = Instant::now();
            state = Some(timeline.seek(e, state.take(), start + k));
            t.elapsed()
        })
        .collect();
    steps.sort();
    eprintln!(
        "{:<58} timeline {:.0} MB ({} snapshots) built in {:.1} s; seek median {:.0} ms, max {:.0} ms; a step forward median {:.2} ms (budget 10 ms)",
        "  the studio's timeline of that run",
        bytes as f64 / 1e6,
        events / timeline.every + 1,
        build.as_secs_f64(),
        seeks[seeks.len() / 2].as_secs_f64() * 1e3,
        seeks[seeks.len() - 1].as_secs_f64() * 1e3,
        steps[steps.len() / 2].as_secs_f64() * 1e3,
    );
}

/// `MemAvailable` of /proc/meminfo, in bytes (Linux).
fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Measures the store's memory per event beyond its payload: the heap the store grows by while
/// `n` small events (1k streams) are appended; the payloads were allocated before. `engine`:
/// with the ids an engine derives from seed and position (no id index needed), else with
/// ids from outside (indexed for idempotent append).
fn store_memory(n: usize, engine: bool) {
    use stormlab::sim::store::{EventStore, Expected, NewEvent, derived_id};
    let payloads: Vec<Arc<[Value]>> = (0..n)
        .map(|i| Arc::from(vec![Value::Int(i as i64), Value::Int(7)]))
        .collect();
    let (store, heap) = counted(|| {
        let mut store = if engine {
            EventStore::seeded(5)
        } else {
            EventStore::default()
        };
        let owner = store.intern("Counter");
        let streams: Vec<u32> = (0..1000)
            .map(|i| store.stream(owner, &Arc::from(format!("c-{i}"))))
            .collect();
        for (i, p) in payloads.iter().enumerate() {
            store.staging().extend_from_slice(p);
            let _ = store.append(
                streams[i % streams.len()],
                Expected::Any,
                [NewEvent {
                    id: if engine {
                        derived_id(5, i as u64)
                    } else {
                        (i as u128) << 64 | 0xfeed
                    },
                    event: 0,
                    time: i as i64,
                    correlation: 0,
                    causation: Cause::Scenario,
                    fields: p.len() as u32,
                }],
            );
        }
        store
    });
    // The payload itself: its values, which the store keeps one after another.
    let payload_bytes: usize = payloads.iter().map(|p| size_of_val::<[Value]>(p)).sum();
    let used = heap.retained - payload_bytes as isize;
    eprintln!(
        "store memory per event beyond its payload, {}: {:.1} bytes measured ({} events; record {} bytes; budget 100)",
        if engine {
            "engine ids"
        } else {
            "ids from outside"
        },
        used as f64 / n as f64,
        n,
        size_of::<stormlab::sim::store::Record>()
    );
    drop(store);
}

/// Counts the heap bytes allocated and freed while `COUNTING` is on, for the store-memory
/// figure; otherwise it only forwards (no atomic add on every allocation of the timed runs).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

/// Heap allocations (and reallocations) made while `COUNTING` is on.
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
/// The most `LIVE` rose above `BASE` while `COUNTING` is on (frees of older memory may
/// take `LIVE` below `BASE`: signed).
static PEAK: AtomicIsize = AtomicIsize::new(0);
static BASE: AtomicUsize = AtomicUsize::new(0);

fn count(add: usize, sub: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        if add > 0 {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        let live = LIVE.fetch_add(add, Ordering::Relaxed).wrapping_add(add);
        let above = live.wrapping_sub(BASE.load(Ordering::Relaxed)) as isize;
        PEAK.fetch_max(above, Ordering::Relaxed);
        LIVE.fetch_sub(sub, Ordering::Relaxed);
    }
}

/// What the heap did while a closure ran with the allocator counting.
struct Heap {
    /// Allocations (and reallocations) made.
    allocs: usize,
    /// The most heap held at once beyond what was live before.
    peak: usize,
    /// The heap allocated and not freed (what the result holds).
    retained: isize,
}

/// Runs `f` with the allocator counting: its result and what it did to the heap.
fn counted<T>(f: impl FnOnce() -> T) -> (T, Heap) {
    let before = LIVE.load(Ordering::Relaxed);
    BASE.store(before, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    let allocs = ALLOCS.load(Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let out = f();
    COUNTING.store(false, Ordering::Relaxed);
    let heap = Heap {
        allocs: ALLOCS.load(Ordering::Relaxed) - allocs,
        peak: PEAK.load(Ordering::Relaxed).max(0) as usize,
        retained: LIVE.load(Ordering::Relaxed).wrapping_sub(before) as isize,
    };
    (out, heap)
}

// Measuring store memory needs a counting allocator: the one place unsafe code is allowed.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size(), 0);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(0, layout.size());
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size, layout.size());
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Saga chain: place orders; the saga reserves, charges and ships each (without faults, then
/// with 5% failures and 1% duplicates of the saga's deliveries).
fn saga_workload(scale: usize) {
    let chain = program(SAGA);
    let orders = 100_000 / scale;
    for (name, faults) in [
        ("saga chain 100k orders", false),
        ("  + 5% failures, 1% duplicates", true),
    ] {
        let run = || {
            let mut e = Engine::new(chain.clone(), 7, 0);
            if faults {
                let sub = chain
                    .subscribers
                    .iter()
                    .position(|s| matches!(s.kind, SubscriberKind::Saga(_)))
                    .unwrap_or(0);
                e.set_faults(
                    sub,
                    FaultDef {
                        failure_rate: 0.05,
                        duplicate_rate: 0.01,
                        ..FaultDef::default()
                    },
                );
            }
            let corr = e.intern("bench");
            // The order ids are made before the clock starts, as the flat workload's ids are.
            let ids: Vec<[Value; 1]> = (0..orders)
                .map(|i| [Value::str(&format!("o-{i}"))])
                .collect();
            let t = Instant::now();
            for (i, id) in ids.iter().enumerate() {
                let _ = e.execute(0, id, corr, Cause::Scenario);
                if i % 1000 == 999 {
                    let _ = e.run(None);
                }
            }
            let _ = e.run(None);
            let d = t.elapsed();
            (d, e.commands().len(), e.records().len(), e.parked().len())
        };
        // The same seed each time: the same run, timed RUNS times; the best counts.
        let (mut d, commands, events, parked) = run();
        for _ in 1..RUNS {
            d = d.min(run().0);
        }
        eprintln!(
            "{:<34} {:>14}   ({commands} commands, {events} events, {parked} parked)",
            name,
            human(rate(commands, d)),
        );
    }
}
