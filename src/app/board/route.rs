//! Arrows routed around stickies: orthogonal paths that leave one sticky from the side facing
//! the other, go around every sticky in between, and end on the target's border (so the
//! arrowhead is never under a sticky).
//!
//! Written here rather than taken from a crate: the layout crates at hand (e.g. the ones
//! behind egui_graphs) place nodes but do not route edges around fixed boxes, and the board
//! needs a router cheap enough to re-run for the arrows a drag touches every frame. An arrow
//! first tries the plain elbow (out, across, in); only when a sticky is in the way does it
//! search a small orthogonal grid built from the stickies near it (A* with a cost per bend).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use egui::{Pos2, Rect, Vec2, pos2, vec2};

/// The clearance kept around stickies (board units).
pub const MARGIN: f32 = 12.0;
/// What a bend costs, in board units of length: routes prefer few bends.
const BEND: f32 = 60.0;
/// How far beyond the two stickies a detour looks first (board units).
const REACH: f32 = 100.0;
/// Grid cell of the obstacle index (board units).
const CELL: f32 = 256.0;

/// The stickies arrows go around, indexed for lookups by area.
#[derive(Debug, Default)]
pub struct Obstacles {
    rects: Vec<Rect>,
    cells: HashMap<(i32, i32), Vec<u32>>,
}

fn cell_range(r: Rect) -> (std::ops::RangeInclusive<i32>, std::ops::RangeInclusive<i32>) {
    let c = |v: f32| (v / CELL).floor() as i32;
    (c(r.min.x)..=c(r.max.x), c(r.min.y)..=c(r.max.y))
}

impl Obstacles {
    /// Indexes `rects` (board units).
    pub fn new(rects: Vec<Rect>) -> Self {
        let mut cells: HashMap<(i32, i32), Vec<u32>> = HashMap::new();
        for (i, r) in rects.iter().enumerate() {
            let (xs, ys) = cell_range(*r);
            for x in xs {
                for y in ys.clone() {
                    cells.entry((x, y)).or_default().push(i as u32);
                }
            }
        }
        Self { rects, cells }
    }

    /// The stickies overlapping `area`, without `except` (the arrow's own two).
    fn near(&self, area: Rect, except: [Rect; 2]) -> Vec<Rect> {
        let mut seen: Vec<u32> = Vec::new();
        let (xs, ys) = cell_range(area);
        for x in xs {
            for y in ys.clone() {
                if let Some(list) = self.cells.get(&(x, y)) {
                    seen.extend(list);
                }
            }
        }
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter()
            .map(|i| self.rects[i as usize])
            .filter(|r| r.intersects(area) && !except.contains(r))
            .collect()
    }
}

/// Whether the axis-aligned segment `a`–`b` passes through the inside of `r`.
fn crosses(a: Pos2, b: Pos2, r: Rect) -> bool {
    let (lo, hi) = (a.min(b), a.max(b));
    hi.x > r.min.x && lo.x < r.max.x && hi.y > r.min.y && lo.y < r.max.y
}

/// Whether the polyline `points` passes through the inside of any of `rects`.
pub fn blocked(points: &[Pos2], rects: &[Rect]) -> bool {
    points
        .windows(2)
        .any(|w| rects.iter().any(|r| crosses(w[0], w[1], *r)))
}

/// The side of a sticky an arrow leaves or enters by: the point on it and the outward
/// direction.
#[derive(Clone, Copy, Debug)]
struct Port {
    at: Pos2,
    out: Vec2,
}

/// The ports of an arrow from `a` to `b`: the sides facing each other, across the wider gap.
fn ports(a: Rect, b: Rect) -> (Port, Port) {
    let gap_x = (b.min.x - a.max.x).max(a.min.x - b.max.x);
    let gap_y = (b.min.y - a.max.y).max(a.min.y - b.max.y);
    let d = b.center() - a.center();
    if gap_x >= gap_y {
        let s = if d.x >= 0.0 { 1.0 } else { -1.0 };
        let pa = pos2(if s > 0.0 { a.max.x } else { a.min.x }, a.center().y);
        let pb = pos2(if s > 0.0 { b.min.x } else { b.max.x }, b.center().y);
        (
            Port {
                at: pa,
                out: vec2(s, 0.0),
            },
            Port {
                at: pb,
                out: vec2(-s, 0.0),
            },
        )
    } else {
        let s = if d.y >= 0.0 { 1.0 } else { -1.0 };
        let pa = pos2(a.center().x, if s > 0.0 { a.max.y } else { a.min.y });
        let pb = pos2(b.center().x, if s > 0.0 { b.min.y } else { b.max.y });
        (
            Port {
                at: pa,
                out: vec2(0.0, s),
            },
            Port {
                at: pb,
                out: vec2(0.0, -s),
            },
        )
    }
}

/// The plain elbow between two ports: out, across at the middle, in.
fn elbow(pa: Port, pb: Port) -> Vec<Pos2> {
    let (a, b) = (pa.at, pb.at);
    if pa.out.x != 0.0 {
        let mx = (a.x + b.x) / 2.0;
        simplify(vec![a, pos2(mx, a.y), pos2(mx, b.y), b])
    } else {
        let my = (a.y + b.y) / 2.0;
        simplify(vec![a, pos2(a.x, my), pos2(b.x, my), b])
    }
}

/// Drops points in the middle of a straight run, and repeated points.
fn simplify(points: Vec<Pos2>) -> Vec<Pos2> {
    let mut out: Vec<Pos2> = Vec::with_capacity(points.len());
    for p in points {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let (a, b) = (out[out.len() - 2], out[out.len() - 1]);
            if (a.x == b.x && b.x == p.x) || (a.y == b.y && b.y == p.y) {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// The route of an arrow from sticky `a` to sticky `b` (board units): a polyline from `a`'s
/// border to `b`'s, around the stickies of `obstacles` in between. Overlapping stickies get
/// a straight line between their centres' borders.
pub fn route(a: Rect, b: Rect, obstacles: &Obstacles) -> Vec<Pos2> {
    if a.intersects(b) {
        return vec![a.center(), b.center()];
    }
    let (pa, pb) = ports(a, b);
    let plain = elbow(pa, pb);
    // Look close by first (a small grid is quick); a detour wider than that is searched for
    // only when the close one finds no way.
    for reach in [REACH, REACH * 4.0] {
        let area = a.union(b).expand(reach);
        let near: Vec<Rect> = obstacles
            .near(area, [a, b])
            .into_iter()
            .map(|r| r.expand(MARGIN - 1.0))
            .collect();
        if !blocked(&plain, &near) {
            return plain;
        }
        // Stickies packed closer than the clearance leave no way out (or in) at all.
        let (start, goal) = (pa.at + pa.out * MARGIN, pb.at + pb.out * MARGIN);
        if near.iter().any(|r| r.contains(start) || r.contains(goal)) {
            break;
        }
        if let Some(found) = search(pa, pb, a, b, &near, area) {
            return found;
        }
    }
    plain
}

/// A* over the orthogonal grid of the lines that bound the obstacles (with clearance), from
/// just outside `pa` to just outside `pb`, with a cost per bend.
fn search(pa: Port, pb: Port, a: Rect, b: Rect, near: &[Rect], area: Rect) -> Option<Vec<Pos2>> {
    let start = pa.at + pa.out * MARGIN;
    let goal = pb.at + pb.out * MARGIN;
    let mut walls: Vec<Rect> = near.to_vec();
    walls.push(a.expand(MARGIN - 1.0));
    walls.push(b.expand(MARGIN - 1.0));
    let mut xs = vec![start.x, goal.x, area.min.x, area.max.x];
    let mut ys = vec![start.y, goal.y, area.min.y, area.max.y];
    for r in &walls {
        xs.extend([r.min.x - 1.0, r.max.x + 1.0]);
        ys.extend([r.min.y - 1.0, r.max.y + 1.0]);
    }
    for v in [&mut xs, &mut ys] {
        v.sort_by(f32::total_cmp);
        v.dedup();
    }
    let (w, h) = (xs.len(), ys.len());
    let at = |i: usize| pos2(xs[i % w], ys[i / w]);
    let find = |p: Pos2| {
        let x = xs.iter().position(|&x| x == p.x)?;
        let y = ys.iter().position(|&y| y == p.y)?;
        Some(y * w + x)
    };
    let (s, g) = (find(start)?, find(goal)?);
    // Which moves between neighbouring grid points are clear: right of node i, and down.
    let mut right = vec![true; w * h];
    let mut down = vec![true; w * h];
    for r in &walls {
        let x0 = xs.partition_point(|&x| x < r.min.x);
        let x1 = xs.partition_point(|&x| x <= r.max.x);
        let y0 = ys.partition_point(|&y| y < r.min.y);
        let y1 = ys.partition_point(|&y| y <= r.max.y);
        // Horizontal moves on rows inside the wall, entering or crossing its columns.
        for y in y0..y1 {
            for x in x0.saturating_sub(1)..x1.min(w - 1) {
                if crosses(at(y * w + x), at(y * w + x + 1), *r) {
                    right[y * w + x] = false;
                }
            }
        }
        for x in x0..x1 {
            for y in y0.saturating_sub(1)..y1.min(h - 1) {
                if crosses(at(y * w + x), at((y + 1) * w + x), *r) {
                    down[y * w + x] = false;
                }
            }
        }
    }
    // States: node × the direction it was entered by (0 →, 1 ←, 2 ↓, 3 ↑).
    let dir_of = |v: Vec2| match (v.x > 0.0, v.x < 0.0, v.y > 0.0) {
        (true, _, _) => 0,
        (_, true, _) => 1,
        (_, _, true) => 2,
        _ => 3,
    };
    let first = dir_of(pa.out);
    let last = dir_of(-pb.out);
    let cost = |c: f32| (c * 8.0) as u32;
    // Distance left, plus a bend when not lined up with the goal; weighted a little above
    // the true cost, so the search goes for the goal (a board needs a good route, not the
    // shortest one).
    let guess = |i: usize| {
        let p = at(i);
        let bend = if p.x == goal.x || p.y == goal.y {
            0.0
        } else {
            BEND
        };
        ((p.x - goal.x).abs() + (p.y - goal.y).abs() + bend) * 1.25
    };
    let mut best = vec![u32::MAX; w * h * 4];
    let mut from = vec![usize::MAX; w * h * 4];
    let mut open = BinaryHeap::new();
    let s_state = s * 4 + first;
    best[s_state] = 0;
    open.push(Reverse((cost(guess(s)), 0u32, s_state)));
    let mut reached = None;
    while let Some(Reverse((_, g_cost, state))) = open.pop() {
        if g_cost > best[state] {
            continue;
        }
        let (node, dir) = (state / 4, state % 4);
        if node == g {
            let bend = if dir == last { 0 } else { cost(BEND) };
            reached = Some((state, g_cost + bend));
            // The first arrival is cheapest up to one final bend; good enough for a board.
            break;
        }
        let (x, y) = (node % w, node / w);
        let moves = [
            (0, x + 1 < w && right[node], node + 1),
            (
                1,
                x > 0 && right[node.wrapping_sub(1)],
                node.wrapping_sub(1),
            ),
            (2, y + 1 < h && down[node], node + w),
            (3, y > 0 && down[node.wrapping_sub(w)], node.wrapping_sub(w)),
        ];
        for (d, ok, next) in moves {
            // Never straight back the way it came.
            if !ok || d ^ 1 == dir {
                continue;
            }
            let d_xy = at(next) - at(node);
            let step = d_xy.x.abs() + d_xy.y.abs();
            let bend = if d == dir { 0.0 } else { BEND };
            let n_cost = g_cost + cost(step + bend);
            let n_state = next * 4 + d;
            if n_cost < best[n_state] {
                best[n_state] = n_cost;
                from[n_state] = state;
                open.push(Reverse((n_cost + cost(guess(next)), n_cost, n_state)));
            }
        }
    }
    let (mut state, _) = reached?;
    let mut points = vec![pb.at];
    loop {
        points.push(at(state / 4));
        if state == s_state {
            break;
        }
        state = from[state];
        if state == usize::MAX {
            return None;
        }
    }
    points.push(pa.at);
    points.reverse();
    Some(simplify(points))
}

/// The point at `t` (0…1) of the way along `points`, by length.
pub fn point_along(points: &[Pos2], t: f32) -> Pos2 {
    let total: f32 = points.windows(2).map(|w| (w[1] - w[0]).length()).sum();
    let mut left = total * t.clamp(0.0, 1.0);
    for w in points.windows(2) {
        let len = (w[1] - w[0]).length();
        if left <= len && len > 0.0 {
            return w[0] + (w[1] - w[0]) * (left / len);
        }
        left -= len;
    }
    points.last().copied().unwrap_or(Pos2::ZERO)
}

/// Where a label of `size` sits on the polyline `points`: halfway along unless it would cover
/// one of `stickies` there, else the place nearest halfway (a third, two thirds, …) that
/// covers none; halfway when every place covers one.
pub fn label_spot(points: &[Pos2], size: Vec2, stickies: &[Rect]) -> Pos2 {
    const ALONG: [f32; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9];
    let halfway = point_along(points, 0.5);
    ALONG
        .iter()
        .map(|&t| point_along(points, t))
        .find(|&at| {
            let label = Rect::from_center_size(at, size);
            !stickies.iter().any(|s| s.intersects(label))
        })
        .unwrap_or(halfway)
}

/// The distance from `p` to the polyline `points`.
pub fn distance(points: &[Pos2], p: Pos2) -> f32 {
    points
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            let ab = b - a;
            let t = if ab.length_sq() > 0.0 {
                ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (a + ab * t - p).length()
        })
        .fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sticky(x: f32, y: f32) -> Rect {
        Rect::from_min_size(pos2(x, y), vec2(120.0, 80.0))
    }

    #[test]
    fn a_label_moves_along_its_arrow_off_a_sticky_it_would_cover_halfway() {
        let line = [pos2(0.0, 0.0), pos2(1000.0, 0.0)];
        let size = vec2(80.0, 16.0);
        // Nothing in the way: halfway.
        assert_eq!(label_spot(&line, size, &[]), pos2(500.0, 0.0));
        // A sticky over the middle: the nearest free place along it instead.
        let middle = Rect::from_center_size(pos2(500.0, 0.0), vec2(120.0, 80.0));
        let at = label_spot(&line, size, &[middle]);
        assert!(
            !Rect::from_center_size(at, size).intersects(middle),
            "{at:?}"
        );
        assert_eq!(at, pos2(300.0, 0.0));
        // Covered everywhere: halfway after all.
        let all = Rect::from_min_max(pos2(-50.0, -50.0), pos2(1050.0, 50.0));
        assert_eq!(label_spot(&line, size, &[all]), pos2(500.0, 0.0));
    }

    #[test]
    fn a_clear_way_is_one_elbow_from_side_to_side() {
        let (a, b) = (sticky(0.0, 0.0), sticky(300.0, 100.0));
        let r = route(a, b, &Obstacles::new(vec![a, b]));
        assert_eq!(r.first(), Some(&pos2(120.0, 40.0)));
        assert_eq!(r.last(), Some(&pos2(300.0, 140.0)));
        assert_eq!(r.len(), 4, "{r:?}");
    }

    #[test]
    fn a_sticky_in_the_way_is_gone_around_and_the_arrow_ends_on_the_border() {
        let (a, b) = (sticky(0.0, 0.0), sticky(600.0, 0.0));
        let wall = sticky(300.0, 0.0);
        let r = route(a, b, &Obstacles::new(vec![a, b, wall]));
        assert!(!blocked(&r, &[wall]), "{r:?}");
        assert!(!blocked(&r, &[a.shrink(1.0), b.shrink(1.0)]), "{r:?}");
        assert_eq!(r.last(), Some(&pos2(600.0, 40.0)));
        // Into the target's left side, horizontally: the arrowhead points at it.
        let n = r.len();
        assert_eq!(r[n - 2].y, r[n - 1].y);
        assert!(r[n - 2].x < r[n - 1].x);
    }

    #[test]
    fn a_row_of_stickies_between_is_gone_around() {
        let (a, b) = (sticky(0.0, 200.0), sticky(900.0, 200.0));
        let mut rects = vec![a, b];
        for i in 0..4 {
            rects.push(sticky(200.0 + 150.0 * i as f32, 160.0));
        }
        let walls = rects[2..].to_vec();
        let r = route(a, b, &Obstacles::new(rects));
        assert!(!blocked(&r, &walls), "{r:?}");
    }

    #[test]
    fn distance_and_points_along_a_route() {
        let r = [pos2(0.0, 0.0), pos2(10.0, 0.0), pos2(10.0, 10.0)];
        assert_eq!(distance(&r, pos2(5.0, 3.0)), 3.0);
        assert_eq!(point_along(&r, 0.5), pos2(10.0, 0.0));
        assert_eq!(point_along(&r, 1.0), pos2(10.0, 10.0));
    }
}
