//! Studio frame benchmark: a board of 1,000 stickies and ≥ 1,500 arrows; the CPU time to lay
//! out (egui run, the whole studio UI) and tessellate one frame. Budget: ≤ 8 ms median.
//!
//! Run: `cargo bench --bench studio_frame`

use std::time::{Duration, Instant};

use stormlab::app::studio::{Prefs, Studio};
use stormlab::model::connect::connect;
use stormlab::model::synthetic::synthetic;
use stormlab::model::{ElementId, Kind, Model};

const FRAMES: usize = 60;

fn board() -> Model {
    let mut m = synthetic(1000, 10);
    // Extra links: each event also feeds the next chain's read model.
    for ci in 0..m.contexts.len() {
        let n = m.contexts[ci].events.len();
        for k in 0..n {
            let ev = ElementId {
                kind: Kind::Event,
                context: Some(ci),
                index: k,
            };
            let rm = ElementId {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: (k + 1) % n,
            };
            let rm2 = ElementId {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: (k + 2) % n,
            };
            let _ = connect(&mut m, ev, rm);
            let _ = connect(&mut m, ev, rm2);
            let rm3 = ElementId {
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

fn main() {
    let model = board();
    let arrows = stormlab::app::arrows::arrows(&model);
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
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1600.0, 1000.0),
            )),
            ..Default::default()
        };
        let frame = |studio: &mut Studio| {
            let t = Instant::now();
            let out = ctx.run_ui(input.clone(), |ui| studio.ui(ui));
            let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
            (t.elapsed(), prims.len())
        };
        for _ in 0..3 {
            frame(&mut studio);
        }
        if let Some(z) = zoom {
            studio.view().zoom = z;
            frame(&mut studio);
        }
        let mut times = Vec::with_capacity(FRAMES);
        let mut prims = 0;
        for _ in 0..FRAMES {
            let (t, p) = frame(&mut studio);
            times.push(t);
            prims = p;
        }
        let med = median(times.clone());
        let max = times.iter().max().copied().unwrap_or_default();
        println!(
            "  {label:<30} median {:>6.2} ms   max {:>6.2} ms   {prims} clipped primitives   budget 8 ms: {}",
            med.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            if med <= Duration::from_millis(8) {
                "met"
            } else {
                "MISSED"
            }
        );
    }
}
