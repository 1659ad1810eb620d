//! Collaboration benchmark on loopback: what one edit costs on the wire, how big a room's
//! snapshot is and how fast it loads, how long an edit takes to show in another studio
//! through the relay, how fast a client applies remote edits, and whether a relay keeps up
//! with 50 clients editing 10 times a second each.
//!
//! Targets (issue "collaboration"): edit → visible p50 ≤ 20 ms, p99 ≤ 100 ms; a move or
//! rename ≤ 200 bytes; a 1,000-element room's snapshot ≤ 256 KiB, loaded ≤ 100 ms; 50 clients
//! × 10 edits/s; a client applies ≥ 10,000 remote operations per second.
//!
//! Run: `cargo bench --bench collab` (`-- --quick` for a smaller run).

use std::time::{Duration, Instant};

use stormlab::collab::{Relay, RelayConfig, RoomAddress, Session, SharedDoc, Status};
use stormlab::model::op::{self, Op};
use stormlab::model::synthetic::synthetic;
use stormlab::model::{Kind, Model, Pos, Uid};

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn stickies(m: &Model) -> Vec<Uid> {
    m.elements()
        .iter()
        .filter(|e| e.loc.kind != Kind::Context && e.at.is_some())
        .filter_map(|e| m.uid_at(e.loc))
        .collect()
}

/// The bytes one edit puts on the wire.
fn wire_sizes(model: &Model) {
    let doc = SharedDoc::new(model, 1).unwrap();
    let mut m = doc.model().unwrap();
    let uid = stickies(&m)[10];
    let before = doc.version();
    let inv = op::apply_all(
        &mut m,
        vec![Op::SetPos {
            uid,
            at: Pos::new(123.0, 456.0),
        }],
    )
    .unwrap();
    doc.record(&m, &inv).unwrap();
    let moved = doc.updates_since(&before).unwrap().len();
    let before = doc.version();
    let loc = m.locate(uid).unwrap();
    let mut next = m.clone();
    stormlab::model::refs::rename(&mut next, loc, "RenamedForTheBench");
    let ops = op::diff(&m, &next);
    let inv = op::apply_all(&mut m, ops).unwrap();
    doc.record(&m, &inv).unwrap();
    let renamed = doc.updates_since(&before).unwrap().len();
    println!("update on the wire: move {moved} B, rename {renamed} B (budget 200 B each)");
}

/// A 1,000-element room's snapshot: size, and the time to load it and derive the model.
fn snapshot(model: &Model) {
    let doc = SharedDoc::new(model, 1).unwrap();
    let bytes = doc.snapshot().unwrap();
    let mut loads = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let joined = SharedDoc::from_bytes(&bytes, 2).unwrap();
        let m = joined.model().unwrap();
        loads.push(t.elapsed());
        assert_eq!(m.element_count(), model.element_count());
    }
    println!(
        "snapshot of {} elements: {} KiB (budget 256), loaded and derived in {:.1} ms median (budget 100)",
        model.element_count(),
        bytes.len() / 1024,
        percentile(&mut loads, 0.5).as_secs_f64() * 1e3
    );
}

/// Deriving the model after one remote move: kept up to date vs read whole.
fn derive_after_move(model: &Model) {
    let a = SharedDoc::new(model, 1).unwrap();
    let b = SharedDoc::from_bytes(&a.snapshot().unwrap(), 2).unwrap();
    b.model().unwrap();
    let mut m = a.model().unwrap();
    let ids = stickies(&m);
    let (mut kept, mut whole) = (Vec::new(), Vec::new());
    for i in 0..30 {
        let before = a.version();
        let inv = op::apply_all(
            &mut m,
            vec![Op::SetPos {
                uid: ids[i * 7 % ids.len()],
                at: Pos::new(i as f32, 2.0),
            }],
        )
        .unwrap();
        a.record(&m, &inv).unwrap();
        b.import(&a.updates_since(&before).unwrap()).unwrap();
        let t = Instant::now();
        b.model().unwrap();
        kept.push(t.elapsed());
        let t = Instant::now();
        stormlab::collab::document::model_of(b.loro()).unwrap();
        whole.push(t.elapsed());
    }
    println!(
        "model after one remote move ({} elements): kept up to date {:.2} ms, read whole {:.2} ms (medians)",
        model.element_count(),
        percentile(&mut kept, 0.5).as_secs_f64() * 1e3,
        percentile(&mut whole, 0.5).as_secs_f64() * 1e3
    );
}

/// A client applying many remote edits: imported one update at a time, the model derived
/// once at the end (as the studio does once per frame).
fn remote_apply(model: &Model, n: usize) {
    let a = SharedDoc::new(model, 1).unwrap();
    let b = SharedDoc::from_bytes(&a.snapshot().unwrap(), 2).unwrap();
    let mut m = a.model().unwrap();
    let ids = stickies(&m);
    let mut updates = Vec::with_capacity(n);
    for i in 0..n {
        let before = a.version();
        let inv = op::apply_all(
            &mut m,
            vec![Op::SetPos {
                uid: ids[i % ids.len()],
                at: Pos::new(i as f32, 1.0),
            }],
        )
        .unwrap();
        a.record(&m, &inv).unwrap();
        updates.push(a.updates_since(&before).unwrap());
    }
    let t = Instant::now();
    for u in &updates {
        b.import(u).unwrap();
    }
    let derived = b.model().unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(
        stormlab::model::file::to_string(&derived),
        stormlab::model::file::to_string(&m)
    );
    println!(
        "remote edits applied: {n} in {:.1} ms = {:.0} ops/s (target ≥ 10,000)",
        secs * 1e3,
        n as f64 / secs
    );
}

fn wait(s: &mut Session, mut done: impl FnMut(&mut Session) -> bool) {
    let start = Instant::now();
    while !done(s) {
        assert!(start.elapsed() < Duration::from_secs(20), "timed out");
        s.wait(Duration::from_millis(50));
    }
}

/// Edit in one session → visible in another, through a relay on loopback.
fn latency(model: &Model, runs: usize) {
    let relay = Relay::start("127.0.0.1:0".parse().unwrap(), RelayConfig::default()).unwrap();
    let url = format!("ws://{}", relay.addr());
    let at = RoomAddress {
        relay: url,
        room: "bench".into(),
        token: "t".into(),
    };
    let mut a = Session::share(at.clone(), "A", model, || {}).unwrap();
    wait(&mut a, |s| s.status() == &Status::Connected);
    let mut m = a.take_model().unwrap().unwrap();
    let mut b = Session::join(at, "B", || {}).unwrap();
    let mut seen = None;
    wait(&mut b, |s| {
        if let Some(Ok(x)) = s.take_model() {
            seen = Some(x);
        }
        seen.is_some()
    });
    let ids = stickies(&m);
    let mut took = Vec::new();
    for i in 0..runs {
        // Edits a person makes one after another (a drag's moves are sent together, at most
        // every SEND_EVERY).
        std::thread::sleep(stormlab::collab::session::SEND_EVERY);
        a.poll();
        let uid = ids[i % ids.len()];
        let to = Pos::new(10_000.0 + i as f32, 5.0);
        let t = Instant::now();
        let inv = op::apply_all(&mut m, vec![Op::SetPos { uid, at: to }]).unwrap();
        a.record(&m, &inv).unwrap();
        let start = Instant::now();
        loop {
            a.poll();
            b.wait(Duration::from_millis(2));
            if matches!(b.take_model(), Some(Ok(x)) if x.locate(uid).and_then(|l| x.pos_of(l)) == Some(to))
            {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "timed out");
        }
        took.push(t.elapsed());
    }
    println!(
        "edit → visible in the other studio ({} elements): p50 {:.2} ms, p99 {:.2} ms over {runs} (budget 20 / 100)",
        model.element_count(),
        percentile(&mut took, 0.5).as_secs_f64() * 1e3,
        percentile(&mut took, 0.99).as_secs_f64() * 1e3
    );
}

#[path = "../tests/common/served.rs"]
mod served;

/// The CPU time process `pid` has used (Linux: from /proc; None elsewhere).
fn cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th
    // of those, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// 50 clients, each editing 10 times a second for `secs`: every edit acknowledged, how long
/// the acknowledgements lagged, and how much of a core the relay (its own process) used.
/// The clients run in this process, so on a 2-core machine they compete with the relay.
fn many_clients(model: &Model, clients: usize, secs: u64) {
    let relay = served::serve(None);
    let at = RoomAddress {
        relay: relay.1.clone(),
        room: "load".into(),
        token: "t".into(),
    };
    let mut host = Session::share(at.clone(), "host", model, || {}).unwrap();
    wait(&mut host, |s| s.status() == &Status::Connected);
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let at = at.clone();
            std::thread::spawn(move || {
                let mut s = Session::join(at, &format!("c{c}"), || {}).unwrap();
                let mut m = None;
                wait(&mut s, |s| {
                    if let Some(Ok(x)) = s.take_model() {
                        m = Some(x);
                    }
                    m.is_some()
                });
                let mut m = m.unwrap();
                let ids = stickies(&m);
                let start = Instant::now();
                let mut edits = 0u64;
                let mut frame = Instant::now();
                while start.elapsed() < Duration::from_secs(secs) {
                    let uid = ids[(c * 7 + edits as usize) % ids.len()];
                    let inv = op::apply_all(
                        &mut m,
                        vec![Op::SetPos {
                            uid,
                            at: Pos::new(c as f32, edits as f32),
                        }],
                    )
                    .unwrap();
                    s.record(&m, &inv).unwrap();
                    edits += 1;
                    let next = start + Duration::from_millis(100 * edits);
                    while Instant::now() < next {
                        s.wait(next.saturating_duration_since(Instant::now()));
                        // The studio derives the model once a frame (60 a second at most),
                        // not per update.
                        if frame.elapsed() >= Duration::from_millis(16)
                            && let Some(Ok(x)) = s.take_model()
                        {
                            m = x;
                            frame = Instant::now();
                        }
                    }
                }
                let drained = Instant::now();
                wait(&mut s, |s| s.unsent() == 0);
                (edits, drained.elapsed())
            })
        })
        .collect();
    let cpu_before = cpu_of(relay.0.id());
    let started = Instant::now();
    let mut total = 0;
    let mut lag = Vec::new();
    for h in handles {
        let (e, l) = h.join().unwrap();
        total += e;
        lag.push(l);
    }
    let busy = match (cpu_before, cpu_of(relay.0.id())) {
        (Some(a), Some(b)) => format!(
            "; the relay used {:.0} % of one core",
            (b - a).as_secs_f64() / started.elapsed().as_secs_f64() * 100.0
        ),
        _ => String::new(),
    };
    println!(
        "{clients} clients × 10 edits/s for {secs} s: {total} edits, all acknowledged; last ack lag p50 {:.0} ms, max {:.0} ms{busy}",
        percentile(&mut lag, 0.5).as_secs_f64() * 1e3,
        percentile(&mut lag, 1.0).as_secs_f64() * 1e3
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let accounts = stormlab::model::file::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/models/accounts.ron"))
            .unwrap(),
        "accounts",
    )
    .unwrap();
    let big = synthetic(1000, 8);
    wire_sizes(&big);
    snapshot(&big);
    derive_after_move(&big);
    remote_apply(&accounts, if quick { 2_000 } else { 10_000 });
    latency(&accounts, if quick { 50 } else { 300 });
    latency(&big, if quick { 20 } else { 100 });
    many_clients(
        &accounts,
        if quick { 10 } else { 50 },
        if quick { 2 } else { 5 },
    );
}
