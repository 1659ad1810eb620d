//! Studio frame benchmark: the CPU time to lay out (egui run, the whole studio UI) and
//! tessellate one frame, budget ≤ 8 ms median —
//! - a board of 1,000 stickies and ≥ 1,500 arrows (issue 5), at three zooms;
//! - the Simulation tab over a 1 M-event run (issue 6): frames with the cursor still, and
//!   frames that each move the cursor to a random position (the timeline seek included).
//!
//! Run: `cargo bench --bench studio_frame`

use std::sync::Arc;
use std::time::{Duration, Instant};

use stormlab::app::shell::studio::{Prefs, Studio};
use stormlab::app::simulation::panel::Run;
use stormlab::app::simulation::state::Section;
use stormlab::model::connect::connect;
use stormlab::model::file::from_str;
use stormlab::model::synthetic::synthetic;
use stormlab::model::{Kind, Loc, Model};
use stormlab::sim::Program;
use stormlab::sim::rng::Rng;
use stormlab::sim::timeline::Timeline;

mod workloads;

const FRAMES: usize = 60;

fn board() -> Model {
    let mut m = synthetic(1000, 10);
    // Extra links: each event also feeds the next chain's read model.
    for ci in 0..m.contexts.len() {
        let n = m.contexts[ci].events.len();
        for k in 0..n {
            let ev = Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: k,
            };
            let rm = Loc {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: (k + 1) % n,
            };
            let rm2 = Loc {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: (k + 2) % n,
            };
            let _ = connect(&mut m, ev, rm);
            let _ = connect(&mut m, ev, rm2);
            let rm3 = Loc {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: (k + 3) % n,
            };
            let _ = connect(&mut m, ev, rm3);
        }
    }
    m
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Lays out and tessellates one frame of `studio` in a 1600×1000 window.
fn frame(ctx: &egui::Context, studio: &mut Studio) -> (Duration, usize) {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1600.0, 1000.0),
        )),
        ..Default::default()
    };
    let t = Instant::now();
    let out = ctx.run_ui(input, |ui| studio.ui(ui));
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    (t.elapsed(), prims.len())
}

/// The median and the maximum of `times` in milliseconds, and whether the median is within
/// `budget_ms`.
fn summary(times: &[Duration], budget_ms: u64) -> (f64, f64, &'static str) {
    let med = median(times.to_vec());
    let max = times.iter().max().copied().unwrap_or_default();
    let verdict = if med <= Duration::from_millis(budget_ms) {
        "met"
    } else {
        "MISSED"
    };
    (med.as_secs_f64() * 1e3, max.as_secs_f64() * 1e3, verdict)
}

fn report(label: &str, times: &[Duration], prims: usize) {
    let (med, max, verdict) = summary(times, 8);
    println!(
        "  {label:<44} median {med:>6.2} ms   max {max:>6.2} ms   {prims} clipped primitives   budget 8 ms: {verdict}"
    );
}

fn main() {
    board_frames();
    routing();
    large_board();
    simulation_frames();
}

/// A board of 10,000 stickies, fitted: budget 16 ms per frame (after the first, which routes
/// every arrow once).
fn large_board() {
    let model = synthetic(10_000, 40);
    let dir = std::env::temp_dir().join("stormlab-bench-recovery");
    let mut studio = Studio::new(model, None, Prefs::default(), dir);
    let ctx = egui::Context::default();
    let (first, _) = frame(&ctx, &mut studio);
    for _ in 0..2 {
        frame(&ctx, &mut studio);
    }
    let mut times = Vec::with_capacity(20);
    let mut prims = 0;
    for _ in 0..20 {
        let (t, p) = frame(&ctx, &mut studio);
        times.push(t);
        prims = p;
    }
    let (med, max, verdict) = summary(&times, 16);
    println!(
        "  10,000 stickies, fitted: first frame {:.0} ms; then median {med:.2} ms, max {max:.2} ms   {prims} clipped primitives   budget 16 ms: {verdict}",
        first.as_secs_f64() * 1e3
    );
}

/// Routing the board's arrows around stickies: all of them from scratch (a file just
/// opened), and again after one sticky moved (one frame of a drag; budget 2 ms).
fn routing() {
    use stormlab::app::board::arrows::Arrows;
    let mut model = board();
    let t = Instant::now();
    let mut arrows = Arrows::default();
    arrows.update(&model, 0, 0);
    let scratch = t.elapsed();
    let n = arrows.links().len();
    let mut rng = Rng::new(11, "drag");
    let stickies: Vec<Loc> = model
        .elements()
        .iter()
        .filter(|e| e.at.is_some() && e.loc.kind != Kind::Context)
        .map(|e| e.loc)
        .collect();
    let mut times = Vec::with_capacity(FRAMES);
    let mut picked = stickies[0];
    for frame in 0..FRAMES {
        if frame % 10 == 0 {
            picked = stickies[rng.range(0, stickies.len() as i64 - 1) as usize];
        }
        if let Some(p) = model.pos_mut(picked) {
            p.x += 6.0;
            p.y += 3.0;
        }
        let t = Instant::now();
        arrows.update(&model, frame as u64 + 1, 0);
        times.push(t.elapsed());
    }
    let (med, max, verdict) = summary(&times, 2);
    println!(
        "  routing {n} arrows from scratch {:>8.2} ms; one sticky dragged: median {med:.2} ms, max {max:.2} ms per frame   budget 2 ms: {verdict}",
        scratch.as_secs_f64() * 1e3,
    );
}

fn board_frames() {
    let model = board();
    let arrows = stormlab::app::board::arrows::arrows(&model);
    println!(
        "studio frame: {} stickies, {} arrows, {FRAMES} frames per view, 1600×1000 window",
        model.element_count(),
        arrows.len()
    );
    let dir = std::env::temp_dir().join("stormlab-bench-recovery");
    for (label, zoom) in [
        ("fitted (whole board visible)", None),
        ("zoom 30%", Some(0.3)),
        ("zoom 100%", Some(1.0)),
    ] {
        let mut studio = Studio::new(model.clone(), None, Prefs::default(), dir.clone());
        let ctx = egui::Context::default();
        for _ in 0..3 {
            frame(&ctx, &mut studio);
        }
        if let Some(z) = zoom {
            studio.view().zoom = z;
            frame(&ctx, &mut studio);
        }
        let mut times = Vec::with_capacity(FRAMES);
        let mut prims = 0;
        for _ in 0..FRAMES {
            let (t, p) = frame(&ctx, &mut studio);
            times.push(t);
            prims = p;
        }
        report(label, &times, prims);
    }
}

/// The Simulation tab over a million-event run of the counter model (1,000 counters × 1,000
/// increments, three read models of 1,000 rows each).
fn simulation_frames() {
    let text = workloads::counter_model(3);
    let model = from_str(&text, "bench.ron").expect("the bench model parses");
    let program = Arc::new(Program::new(&model).expect("the bench model is valid"));
    let t = Instant::now();
    let (_, engine) = workloads::stormlab(&program, 1000, 1000);
    let timeline = Timeline::new(&engine);
    let len = engine.records().len() as u64;
    println!(
        "simulation tab: {len} events (run and timeline built in {:.2} s), {FRAMES} frames per view",
        t.elapsed().as_secs_f64()
    );
    let dir = std::env::temp_dir().join("stormlab-bench-recovery");
    let mut studio = Studio::new(model, None, Prefs::default(), dir);
    studio.sim.run = Some(Box::new(Run {
        scenario: "bench".into(),
        engine,
        timeline,
        verdicts: Vec::new(),
        revision: studio.doc.revision,
        finished: true,
        rebuilt: std::sync::OnceLock::new(),
    }));
    studio.show_simulation();
    for (label, section) in [
        ("log + aggregates (1,000 instances)", Section::Aggregates),
        ("log + read models (3 × 1,000 rows)", Section::ReadModels),
    ] {
        studio.sim.state_view.section = section;
        let ctx = egui::Context::default();
        let mut rng = Rng::new(7, "cursor");
        let mut still = Vec::with_capacity(FRAMES);
        let mut moving = Vec::with_capacity(FRAMES);
        let mut prims = 0;
        studio
            .sim
            .time
            .apply(stormlab::app::simulation::time_control::TimeCommand::Seek(
                len / 2,
            ));
        for _ in 0..3 {
            frame(&ctx, &mut studio);
        }
        for _ in 0..FRAMES {
            let (t, p) = frame(&ctx, &mut studio);
            still.push(t);
            prims = p;
        }
        for _ in 0..FRAMES {
            studio
                .sim
                .time
                .apply(stormlab::app::simulation::time_control::TimeCommand::Seek(
                    rng.range(0, len as i64) as u64,
                ));
            moving.push(frame(&ctx, &mut studio).0);
        }
        report(&format!("{label}, cursor still"), &still, prims);
        report(&format!("{label}, cursor moved each frame"), &moving, prims);
    }
}
