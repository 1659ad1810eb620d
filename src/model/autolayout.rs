//! Auto-layout of the flow: the stickies of a context arranged in layers from left to right
//! along the flow graph (actor → command → aggregate → event → policy → …), as on a
//! timeline-ordered EventStorming wall.
//!
//! Layering (Sugiyama style, kept simple): back edges of cycles are ignored, each sticky goes
//! to the layer of its longest path from a source, stickies within a layer are ordered by
//! barycentre sweeps (left to right by predecessors, right to left by successors, the order
//! with the fewest crossings kept), and stickies with no flow links go to a last column.
//! Frames grow to fit; laying out the whole board also stacks the contexts top to bottom.

use std::collections::{BTreeMap, BTreeSet};

use super::Model;
use super::element::{Kind, Loc};
use super::flow::FlowGraph;
use super::layout::{Pos, Rect};
use super::uid::Uid;

/// Width of a layer (the widest sticky plus a gap), in board units.
pub const COLUMN: f32 = 210.0;
/// Height of a row.
pub const ROW: f32 = 140.0;
const MARGIN_X: f32 = 40.0;
const MARGIN_TOP: f32 = 60.0;
const GAP_BETWEEN_CONTEXTS: f32 = 80.0;

/// How many ordering sweeps the layout makes (see `layout_context`).
pub const SWEEPS: usize = 8;

/// `model` with the stickies of context `context` (or of every context) laid out.
pub fn auto_layout(model: &Model, context: Option<usize>) -> Model {
    auto_layout_with(model, context, SWEEPS)
}

/// [`auto_layout`] with `sweeps` ordering sweeps (1: each column ordered once, left to right,
/// by its predecessors — the layout before crossings were minimised).
pub fn auto_layout_with(model: &Model, context: Option<usize>, sweeps: usize) -> Model {
    let flow = FlowGraph::new(model);
    // Each context's own edges (both ends inside it), gathered once: laying out a board of
    // many contexts must not read every edge for every context.
    let mut edges: BTreeMap<usize, Vec<(Loc, Loc, super::flow::Link)>> = BTreeMap::new();
    for e in flow.edges() {
        if let (Some(a), Some(b)) = (e.0.context, e.1.context)
            && a == b
        {
            edges.entry(a).or_default().push(e);
        }
    }
    let mut out = model.clone();
    let contexts: Vec<usize> = match context {
        Some(c) if c < model.contexts.len() => vec![c],
        Some(_) => vec![],
        None => (0..model.contexts.len()).collect(),
    };
    for &ci in &contexts {
        let own = edges.get(&ci).map_or(&[][..], Vec::as_slice);
        layout_context(&mut out, ci, own, sweeps);
    }
    if context.is_none() {
        // Stack the frames so that grown ones do not overlap.
        let mut y = out.contexts.first().map_or(0.0, |c| c.frame.y);
        let x = out.contexts.first().map_or(0.0, |c| c.frame.x);
        for ci in 0..out.contexts.len() {
            let (dx, dy) = (x - out.contexts[ci].frame.x, y - out.contexts[ci].frame.y);
            shift_context(&mut out, ci, dx, dy);
            y += out.contexts[ci].frame.h + GAP_BETWEEN_CONTEXTS;
        }
    }
    out
}

/// Where elements go, by id: stickies to positions, contexts to frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Moves {
    /// Each moved sticky and its new position.
    pub stickies: Vec<(Uid, Pos)>,
    /// Each moved context and its new frame.
    pub frames: Vec<(Uid, Rect)>,
}

/// What moved from `before` to `after` (the same elements, laid out anew): each sticky's
/// new position and each context's new frame, by id.
pub fn moves(before: &Model, after: &Model) -> Moves {
    let frames = before
        .contexts
        .iter()
        .zip(&after.contexts)
        .filter(|(b, a)| b.uid == a.uid && b.frame != a.frame)
        .map(|(_, a)| (a.uid, a.frame))
        .collect();
    let to = before
        .elements()
        .iter()
        .zip(after.elements())
        .filter(|(b, a)| {
            b.uid == a.uid && b.loc.kind != Kind::Context && a.at.is_some() && b.at != a.at
        })
        .filter_map(|(_, a)| Some((a.uid, a.at?)))
        .collect();
    Moves {
        stickies: to,
        frames,
    }
}

/// The stickies of context `ci` that have a board position.
fn stickies(model: &Model, ci: usize) -> Vec<Loc> {
    model
        .elements_of(ci)
        .into_iter()
        .filter(|e| e.at.is_some())
        .map(|e| e.loc)
        .collect()
}

fn layout_context(
    model: &mut Model,
    ci: usize,
    edges: &[(Loc, Loc, super::flow::Link)],
    sweeps: usize,
) {
    let nodes = stickies(model, ci);
    let set: BTreeSet<Loc> = nodes.iter().copied().collect();
    let mut succ: BTreeMap<Loc, Vec<Loc>> = BTreeMap::new();
    for (a, b, _) in edges {
        if a != b && set.contains(a) && set.contains(b) {
            succ.entry(*a).or_default().push(*b);
        }
    }
    for v in succ.values_mut() {
        v.sort();
        v.dedup();
    }
    // Forward edges: a depth-first search drops the edges that close a cycle.
    let mut forward: Vec<(Loc, Loc)> = Vec::new();
    let mut state: BTreeMap<Loc, u8> = BTreeMap::new(); // 1 on stack, 2 done
    for &start in &nodes {
        if state.contains_key(&start) {
            continue;
        }
        let mut stack: Vec<(Loc, usize)> = vec![(start, 0)];
        state.insert(start, 1);
        while let Some((n, i)) = stack.pop() {
            let next = succ.get(&n).and_then(|v| v.get(i)).copied();
            match next {
                Some(m) => {
                    stack.push((n, i + 1));
                    match state.get(&m) {
                        None => {
                            forward.push((n, m));
                            state.insert(m, 1);
                            stack.push((m, 0));
                        }
                        Some(2) => forward.push((n, m)),
                        _ => {} // on the stack: a back edge
                    }
                }
                None => {
                    state.insert(n, 2);
                }
            }
        }
    }
    // Longest path from a source, in a topological order of the forward edges.
    let mut indegree: BTreeMap<Loc, usize> = nodes.iter().map(|n| (*n, 0)).collect();
    let mut fsucc: BTreeMap<Loc, Vec<Loc>> = BTreeMap::new();
    let mut fpred: BTreeMap<Loc, Vec<Loc>> = BTreeMap::new();
    for &(a, b) in &forward {
        fsucc.entry(a).or_default().push(b);
        fpred.entry(b).or_default().push(a);
        *indegree.entry(b).or_default() += 1;
    }
    let mut layer: BTreeMap<Loc, usize> = BTreeMap::new();
    let mut ready: Vec<Loc> = nodes.iter().copied().filter(|n| indegree[n] == 0).collect();
    ready.reverse();
    while let Some(n) = ready.pop() {
        let l = fpred.get(&n).map_or(0, |ps| {
            ps.iter()
                .map(|p| layer.get(p).map_or(0, |l| l + 1))
                .max()
                .unwrap_or(0)
        });
        layer.insert(n, l);
        for m in fsucc.get(&n).cloned().unwrap_or_default() {
            if let Some(d) = indegree.get_mut(&m) {
                *d -= 1;
                if *d == 0 {
                    ready.push(m);
                }
            }
        }
    }
    let linked: BTreeSet<Loc> = forward.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let last = layer.values().copied().max().map_or(0, |m| m + 1);
    let mut columns: BTreeMap<usize, Vec<Loc>> = BTreeMap::new();
    for &n in &nodes {
        let l = if linked.contains(&n) {
            layer.get(&n).copied().unwrap_or(0)
        } else {
            last
        };
        columns.entry(l).or_default().push(n);
    }
    // Order the columns to cross few arrows: sweeps alternately left to right (each sticky
    // at the average row of its predecessors) and right to left (of its successors), keeping
    // the order with the fewest crossings between columns.
    let mut row: BTreeMap<Loc, f32> = BTreeMap::new();
    let mut best: Option<(usize, BTreeMap<usize, Vec<Loc>>)> = None;
    for sweep in 0..sweeps.max(1) {
        let rightwards = sweep % 2 == 0;
        let keys: Vec<usize> = if rightwards {
            columns.keys().copied().collect()
        } else {
            columns.keys().rev().copied().collect()
        };
        let neighbours = if rightwards { &fpred } else { &fsucc };
        for l in keys {
            let Some(col) = columns.get_mut(&l) else {
                continue;
            };
            col.sort_by(|a, b| {
                let key = |n: &Loc| -> f32 {
                    let placed: Vec<f32> = neighbours
                        .get(n)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| row.get(p).copied())
                        .collect();
                    if placed.is_empty() {
                        // Nothing to follow: keep its place (last on the first sweep).
                        row.get(n).copied().unwrap_or(f32::MAX)
                    } else {
                        placed.iter().sum::<f32>() / placed.len() as f32
                    }
                };
                key(a).total_cmp(&key(b)).then(a.cmp(b))
            });
            for (i, n) in col.iter().enumerate() {
                row.insert(*n, i as f32);
            }
        }
        let crossings = layered_crossings(&forward, &layer_of(&columns), &row);
        if best.as_ref().is_none_or(|(c, _)| crossings < *c) {
            best = Some((crossings, columns.clone()));
        }
    }
    if let Some((_, order)) = best {
        columns = order;
    }
    // Rows: each sticky level with its predecessors where the column's order allows (a
    // command, its aggregate and its event in one line are arrows that cross nothing),
    // otherwise just below the sticky above it.
    let mut final_row: BTreeMap<Loc, usize> = BTreeMap::new();
    for col in columns.values() {
        let mut next = 0usize;
        for n in col {
            let placed: Vec<usize> = fpred
                .get(n)
                .into_iter()
                .flatten()
                .filter_map(|p| final_row.get(p).copied())
                .collect();
            let wanted = if placed.is_empty() {
                next
            } else {
                (placed.iter().sum::<usize>() as f32 / placed.len() as f32).round() as usize
            };
            let r = wanted.max(next);
            final_row.insert(*n, r);
            next = r + 1;
        }
    }
    let frame = model.contexts[ci].frame;
    let mut max_rows = 0;
    for (l, col) in &columns {
        for n in col {
            let r = final_row.get(n).copied().unwrap_or(0);
            if let Some(p) = model.pos_mut(*n) {
                *p = Pos::new(
                    frame.x + MARGIN_X + *l as f32 * COLUMN,
                    frame.y + MARGIN_TOP + r as f32 * ROW,
                );
            }
            max_rows = max_rows.max(r + 1);
        }
    }
    let f = &mut model.contexts[ci].frame;
    let width = MARGIN_X * 2.0 + columns.keys().max().map_or(0, |l| l + 1) as f32 * COLUMN;
    let height = MARGIN_TOP + max_rows as f32 * ROW + 20.0;
    f.w = f.w.max(width);
    f.h = f.h.max(height);
}

/// The column of each sticky.
fn layer_of(columns: &BTreeMap<usize, Vec<Loc>>) -> BTreeMap<Loc, usize> {
    columns
        .iter()
        .flat_map(|(l, col)| col.iter().map(move |n| (*n, *l)))
        .collect()
}

/// How many pairs of arrows cross, drawn as straight lines between (column, row) points:
/// long arrows that skip columns included.
fn layered_crossings(
    edges: &[(Loc, Loc)],
    layer: &BTreeMap<Loc, usize>,
    row: &BTreeMap<Loc, f32>,
) -> usize {
    let point = |n: &Loc| Some((*layer.get(n)? as f32, *row.get(n)?));
    type Point = (f32, f32);
    let segs: Vec<(Point, Point, Loc, Loc)> = edges
        .iter()
        .filter_map(|(a, b)| Some((point(a)?, point(b)?, *a, *b)))
        .collect();
    let orient = |p: Point, q: Point, r: Point| {
        ((q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)).signum()
    };
    let mut n = 0;
    for (i, x) in segs.iter().enumerate() {
        for y in &segs[i + 1..] {
            // Arrows that share a sticky meet there; they do not cross.
            if x.2 == y.2 || x.2 == y.3 || x.3 == y.2 || x.3 == y.3 {
                continue;
            }
            let (d1, d2) = (orient(x.0, x.1, y.0), orient(x.0, x.1, y.1));
            let (d3, d4) = (orient(y.0, y.1, x.0), orient(y.0, y.1, x.1));
            if d1 * d2 < 0.0 && d3 * d4 < 0.0 {
                n += 1;
            }
        }
    }
    n
}

/// Moves a context's frame and its stickies by (dx, dy).
fn shift_context(model: &mut Model, ci: usize, dx: f32, dy: f32) {
    if dx == 0.0 && dy == 0.0 {
        return;
    }
    for id in stickies(model, ci) {
        if let Some(p) = model.pos_mut(id) {
            p.x += dx;
            p.y += dy;
        }
    }
    let f = &mut model.contexts[ci].frame;
    f.x += dx;
    f.y += dy;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::file::from_str;

    fn example() -> Model {
        let text = include_str!("../../models/autoservice.ron");
        from_str(text, "autoservice.ron").unwrap()
    }

    #[test]
    fn the_flow_runs_left_to_right_and_no_stickies_overlap() {
        let model = example();
        let laid = auto_layout(&model, None);
        let pos = |id| laid.pos_of(id).unwrap();
        // Links inside a context run left to right, except the few that close a cycle
        // (an aggregate whose event leads, through a policy, back to one of its commands).
        let flow = FlowGraph::new(&laid);
        let inner: Vec<_> = flow
            .edges()
            .into_iter()
            .filter(|(a, b, _)| a.context == b.context && a != b)
            .collect();
        let right = inner
            .iter()
            .filter(|(a, b, _)| pos(*a).x < pos(*b).x)
            .count();
        assert!(inner.len() > 10);
        assert!(
            right * 10 >= inner.len() * 8,
            "{right} of {} links run left to right",
            inner.len()
        );
        // No two stickies share a cell, and every sticky is inside its frame.
        let mut cells = BTreeSet::new();
        for e in laid
            .elements()
            .into_iter()
            .filter(|e| e.loc.kind != Kind::Context)
        {
            let Some(p) = e.at else { continue };
            assert!(
                cells.insert(((p.x * 10.0) as i64, (p.y * 10.0) as i64)),
                "{:?}",
                e.loc
            );
            let f = laid.contexts[e.loc.context.unwrap()].frame;
            assert!(
                p.x >= f.x && p.y >= f.y && p.x + 140.0 <= f.x + f.w && p.y + 90.0 <= f.y + f.h
            );
        }
        // Frames do not overlap after stacking.
        for w in laid.contexts.windows(2) {
            assert!(w[0].frame.y + w[0].frame.h <= w[1].frame.y);
        }
        // Only positions changed.
        let mut a = laid.clone();
        let mut b = model.clone();
        for m in [&mut a, &mut b] {
            for c in &mut m.contexts {
                c.frame = Default::default();
            }
            for id in stickies(m, 0)
                .into_iter()
                .chain(stickies(m, 1))
                .chain(stickies(m, 2))
            {
                if let Some(p) = m.pos_mut(id) {
                    *p = Pos::new(0.0, 0.0);
                }
            }
        }
        assert_eq!(a, b);
    }

    #[test]
    fn laying_out_one_context_leaves_the_others_alone() {
        let model = example();
        let laid = auto_layout(&model, Some(1));
        assert_eq!(laid.contexts[0], model.contexts[0]);
        assert_eq!(laid.contexts[2], model.contexts[2]);
        assert_ne!(laid.contexts[1], model.contexts[1]);
    }
}
