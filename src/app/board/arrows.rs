//! The flow arrows drawn on the board: the edges of the model's flow graph, each routed
//! around the stickies between its ends (`route`), kept until the model changes and then
//! re-routed only where something moved.

use std::collections::HashMap;

use egui::{Pos2, Rect};

use super::canvas::element_rect;
use super::route::{self, Obstacles};
use crate::model::flow::FlowGraph;
use crate::model::{Kind, Loc, Model};

/// Every arrow of the board, in a stable order.
pub fn arrows(model: &Model) -> Vec<(Loc, Loc)> {
    let mut out: Vec<_> = FlowGraph::new(model)
        .edges()
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    out.dedup();
    out
}

/// The board rectangle of every sticky (contexts are frames, not obstacles).
fn sticky_rects(model: &Model) -> HashMap<Loc, Rect> {
    model
        .elements()
        .iter()
        .filter(|e| e.at.is_some() && e.loc.kind != Kind::Context)
        .filter_map(|e| Some((e.loc, element_rect(model, e.loc)?)))
        .collect()
}

/// The board's arrows and their routes, kept until the model changes.
#[derive(Debug, Default)]
pub struct Arrows {
    revision: Option<u64>,
    structure: Option<u64>,
    links: Vec<(Loc, Loc)>,
    /// Each read model and a sticky that looks it up (drawn dashed), with its route.
    reads: Vec<(Loc, Loc)>,
    read_routes: Vec<Vec<Pos2>>,
    routes: Vec<Vec<Pos2>>,
    index: HashMap<(Loc, Loc), usize>,
    rects: HashMap<Loc, Rect>,
    bounds: Option<Rect>,
}

impl Arrows {
    /// Brings the arrows up to date with `model` (`revision` and `structure` are the
    /// document's): the links are found again only when more than positions changed, and an
    /// arrow keeps its route unless one of its ends, or a sticky near its route, moved.
    pub fn update(&mut self, model: &Model, revision: u64, structure: u64) {
        if self.revision == Some(revision) {
            return;
        }
        self.revision = Some(revision);
        let same_links = self.structure == Some(structure);
        let links = if same_links {
            std::mem::take(&mut self.links)
        } else {
            self.reads = crate::model::lookups::readers(model);
            arrows(model)
        };
        self.structure = Some(structure);
        let rects = sticky_rects(model);
        // Where stickies were and are, for those that moved, appeared or went.
        let mut moved: Vec<Rect> = Vec::new();
        for (loc, r) in &rects {
            match self.rects.get(loc) {
                Some(old) if old == r => {}
                Some(old) => moved.extend([*old, *r]),
                None => moved.push(*r),
            }
        }
        moved.extend(
            self.rects
                .iter()
                .filter(|(loc, _)| !rects.contains_key(loc))
                .map(|(_, r)| *r),
        );
        for m in &mut moved {
            *m = m.expand(route::MARGIN * 1.5);
        }
        let obstacles = Obstacles::new(rects.values().copied().collect());
        let mut old_routes = std::mem::take(&mut self.routes);
        let mut routes = Vec::with_capacity(links.len());
        for (i, (from, to)) in links.iter().enumerate() {
            let (Some(a), Some(b)) = (rects.get(from), rects.get(to)) else {
                routes.push(Vec::new());
                continue;
            };
            let was = if same_links {
                Some(i)
            } else {
                self.index.get(&(*from, *to)).copied()
            };
            let kept = was.and_then(|i| old_routes.get_mut(i)).filter(|old| {
                self.rects.get(from) == Some(a)
                    && self.rects.get(to) == Some(b)
                    && !old.is_empty()
                    // A sticky moved onto it, or away from where it went around.
                    && !route::blocked(old, &moved)
            });
            routes.push(match kept {
                Some(old) => std::mem::take(old),
                None => route::route(*a, *b, &obstacles),
            });
        }
        if !same_links {
            self.index = links.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        }
        // The few lookup arrows are routed again at every change.
        self.read_routes = self
            .reads
            .iter()
            .map(|(a, b)| match (rects.get(a), rects.get(b)) {
                (Some(a), Some(b)) => route::route(*a, *b, &obstacles),
                _ => Vec::new(),
            })
            .collect();
        self.bounds = rects
            .values()
            .copied()
            .chain(model.contexts.iter().map(|c| {
                Rect::from_min_size(
                    egui::pos2(c.frame.x, c.frame.y),
                    egui::vec2(c.frame.w, c.frame.h),
                )
            }))
            .reduce(|a, b| a.union(b));
        self.links = links;
        self.routes = routes;
        self.rects = rects;
    }

    /// Everything on the board (frames and stickies), as of the last update.
    pub fn bounds(&self) -> Option<Rect> {
        self.bounds
    }

    /// Each read model and a sticky whose decisions look it up, with its route (board
    /// units; empty when an end is not on the board), as of the last update.
    pub fn reads(&self) -> impl Iterator<Item = (&(Loc, Loc), &[Pos2])> {
        self.reads
            .iter()
            .zip(self.read_routes.iter().map(Vec::as_slice))
    }

    /// The arrows (flow links), as of the last update.
    pub fn links(&self) -> &[(Loc, Loc)] {
        &self.links
    }

    /// Every arrow with its route (board units; empty when an end is not on the board).
    pub fn routed(&self) -> impl Iterator<Item = (&(Loc, Loc), &[Pos2])> {
        self.links.iter().zip(self.routes.iter().map(Vec::as_slice))
    }

    /// The route of the arrow from `from` to `to`, if there is one.
    pub fn route(&self, from: Loc, to: Loc) -> Option<&[Pos2]> {
        let i = *self.index.get(&(from, to))?;
        self.routes
            .get(i)
            .map(Vec::as_slice)
            .filter(|r| r.len() >= 2)
    }

    /// Where a label of `size` (board units) goes on `route`: off every sticky when it can
    /// be (see [`route::label_spot`]).
    pub fn label_spot(&self, route: &[Pos2], size: egui::Vec2) -> Pos2 {
        let reach = Rect::from_points(route).expand2(size);
        let near: Vec<Rect> = self
            .rects
            .values()
            .filter(|r| r.intersects(reach))
            .copied()
            .collect();
        route::label_spot(route, size, &near)
    }

    /// The arrow whose route passes within `tolerance` of `p` (board units), nearest first.
    pub fn hit(&self, p: Pos2, tolerance: f32) -> Option<(Loc, Loc)> {
        self.routed()
            .filter(|(_, r)| r.len() >= 2)
            .map(|(l, r)| (*l, route::distance(r, p)))
            .filter(|(_, d)| *d <= tolerance)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(l, _)| l)
    }
}

/// How many arrows pass through a sticky that is not one of their ends, drawn straight
/// (centre to centre, as the board did before routing) and routed: the measure of a board
/// people can read.
pub fn crossings(model: &Model) -> (usize, usize) {
    let rects = sticky_rects(model);
    let mut arrows = Arrows::default();
    arrows.update(model, 0, 0);
    let mut straight = 0;
    let mut routed = 0;
    for ((from, to), r) in arrows.routed() {
        let (Some(a), Some(b)) = (rects.get(from), rects.get(to)) else {
            continue;
        };
        let others: Vec<Rect> = rects
            .iter()
            .filter(|(l, _)| *l != from && *l != to)
            .map(|(_, r)| r.shrink(1.0))
            .collect();
        let line = [a.center(), b.center()];
        let through = |r: &Rect| segment_hits(line[0], line[1], *r);
        straight += usize::from(others.iter().any(through));
        routed += usize::from(route::blocked(r, &others));
    }
    (straight, routed)
}

/// How many times two routed arrows cross each other (a horizontal run of one through a
/// vertical run of the other, away from both runs' ends).
pub fn route_crossings(model: &Model) -> usize {
    let mut arrows = Arrows::default();
    arrows.update(model, 0, 0);
    let runs: Vec<Vec<(Pos2, Pos2)>> = arrows
        .routes
        .iter()
        .map(|r| r.windows(2).map(|w| (w[0], w[1])).collect())
        .collect();
    let cross = |(a, b): (Pos2, Pos2), (c, d): (Pos2, Pos2)| {
        let (h, v) = if a.y == b.y && c.x == d.x {
            ((a, b), (c, d))
        } else if c.y == d.y && a.x == b.x {
            ((c, d), (a, b))
        } else {
            return false;
        };
        let (x0, x1) = (h.0.x.min(h.1.x), h.0.x.max(h.1.x));
        let (y0, y1) = (v.0.y.min(v.1.y), v.0.y.max(v.1.y));
        x0 < v.0.x && v.0.x < x1 && y0 < h.0.y && h.0.y < y1
    };
    let mut n = 0;
    for (i, p) in runs.iter().enumerate() {
        for q in &runs[i + 1..] {
            n += p
                .iter()
                .map(|s| q.iter().filter(|t| cross(*s, **t)).count())
                .sum::<usize>();
        }
    }
    n
}

/// Whether the segment `a`–`b` (any direction) passes through `r`.
fn segment_hits(a: Pos2, b: Pos2, r: Rect) -> bool {
    // Liang–Barsky clipping of the segment against the rectangle.
    let d = b - a;
    let (mut t0, mut t1) = (0.0f32, 1.0f32);
    for (p, q) in [
        (-d.x, a.x - r.min.x),
        (d.x, r.max.x - a.x),
        (-d.y, a.y - r.min.y),
        (d.y, r.max.y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_model_looked_up_in_a_decision_has_a_routed_arrow_to_its_reader() {
        let text = include_str!("../../../tests/fixtures/stock.ron");
        let model = crate::model::file::from_str(text, "stock.ron").unwrap();
        let mut arrows = Arrows::default();
        arrows.update(&model, 1, 1);
        let reads: Vec<((Loc, Loc), usize)> = arrows
            .reads()
            .map(|(pair, route)| (*pair, route.len()))
            .collect();
        assert_eq!(reads.len(), 1, "{reads:?}");
        let ((rm, reader), points) = reads[0];
        assert_eq!((rm.kind, reader.kind), (Kind::ReadModel, Kind::Aggregate));
        assert!(points >= 2, "routed");
        // Not a flow arrow: it cannot be picked and deleted like one.
        assert!(!arrows.links().contains(&(rm, reader)));
    }

    #[test]
    fn routed_arrows_cross_fewer_stickies_than_straight_ones_on_every_example() {
        for (_, file, text) in crate::app::shell::start::EXAMPLES {
            let model = crate::model::file::from_str(text, file).unwrap();
            let (straight, routed) = crossings(&model);
            eprintln!("{file}: {straight} arrows through stickies drawn straight, {routed} routed");
            assert!(routed <= straight / 4, "{file}: {straight} → {routed}");
        }
    }

    #[test]
    fn auto_layout_crosses_fewer_arrows_than_the_single_sweep_it_replaced() {
        use crate::model::autolayout::{auto_layout, auto_layout_with};
        let (mut old_total, mut new_total) = (0, 0);
        for (_, file, text) in crate::app::shell::start::EXAMPLES {
            let model = crate::model::file::from_str(text, file).unwrap();
            let drawn = route_crossings(&model);
            let old = route_crossings(&auto_layout_with(&model, None, 1));
            let new = route_crossings(&auto_layout(&model, None));
            eprintln!(
                "{file}: arrows crossing as drawn {drawn}, auto-layout before {old}, now {new}"
            );
            assert!(new <= old, "{file}: {old} → {new}");
            old_total += old;
            new_total += new;
        }
        assert!(new_total < old_total, "{old_total} → {new_total}");
    }

    #[test]
    fn moving_a_sticky_reroutes_only_the_arrows_near_it() {
        let text = crate::app::shell::start::EXAMPLES[0].2;
        let mut model = crate::model::file::from_str(text, "m.ron").unwrap();
        let mut arrows = Arrows::default();
        arrows.update(&model, 1, 1);
        let before = arrows.routes.clone();
        let loc = arrows.links[0].0;
        if let Some(p) = model.pos_mut(loc) {
            p.y += 37.0;
        }
        arrows.update(&model, 2, 1);
        let changed = before
            .iter()
            .zip(&arrows.routes)
            .filter(|(a, b)| a != b)
            .count();
        assert!(changed >= 1);
        assert!(changed < before.len() / 2, "{changed} of {}", before.len());
        // Each arrow of the moved sticky leaves or enters it on its border.
        for ((from, to), r) in arrows.routed() {
            let Some(rect) = element_rect(&model, loc) else {
                continue;
            };
            if *from == loc {
                assert!(rect.expand(0.5).contains(r[0]) && !rect.shrink(0.5).contains(r[0]));
            }
            if *to == loc {
                let end = r[r.len() - 1];
                assert!(rect.expand(0.5).contains(end) && !rect.shrink(0.5).contains(end));
            }
        }
    }
}
