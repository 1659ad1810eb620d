//! Alignment while dragging: a moved sticky (or selection) snaps to line up with the edges
//! or the centre of a sticky nearby, and the board draws the line it lines up on.

use egui::{Rect, Vec2};

/// A line the selection lines up on: vertical at `x`, or horizontal at `y` (board units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Guide {
    /// A vertical line.
    Vertical(f32),
    /// A horizontal line.
    Horizontal(f32),
}

/// The left, centre and right (or top, centre and bottom) of a rectangle along one axis.
fn lines(r: Rect, horizontal: bool) -> [f32; 3] {
    if horizontal {
        [r.min.x, r.center().x, r.max.x]
    } else {
        [r.min.y, r.center().y, r.max.y]
    }
}

/// The nudge along one axis that lines `moving` up with one of `others` (within `within`),
/// and the line it lines up on.
fn axis(moving: Rect, others: &[Rect], within: f32, horizontal: bool) -> Option<(f32, f32)> {
    let mine = lines(moving, horizontal);
    let mut best: Option<(f32, f32)> = None;
    for o in others {
        for theirs in lines(*o, horizontal) {
            for m in mine {
                let d = theirs - m;
                if d.abs() <= within && best.is_none_or(|(b, _)| d.abs() < b.abs()) {
                    best = Some((d, theirs));
                }
            }
        }
    }
    best
}

/// Where a drag by `delta` puts the selection whose bounds are `moving`: `delta` changed so
/// that an edge or the centre lines up with one of `others` when one is within `within`
/// (board units), and the guides to draw.
pub fn snap(moving: Rect, delta: Vec2, others: &[Rect], within: f32) -> (Vec2, Vec<Guide>) {
    let moved = moving.translate(delta);
    // Only stickies near enough to be seen as neighbours take part.
    let near: Vec<Rect> = others
        .iter()
        .copied()
        .filter(|o| {
            o.expand(moved.width().max(moved.height()) * 4.0)
                .intersects(moved)
        })
        .collect();
    let mut out = delta;
    let mut guides = Vec::new();
    if let Some((d, x)) = axis(moved, &near, within, true) {
        out.x += d;
        guides.push(Guide::Vertical(x));
    }
    if let Some((d, y)) = axis(moved, &near, within, false) {
        out.y += d;
        guides.push(Guide::Horizontal(y));
    }
    (out, guides)
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{pos2, vec2};

    fn sticky(x: f32, y: f32) -> Rect {
        Rect::from_min_size(pos2(x, y), vec2(120.0, 80.0))
    }

    #[test]
    fn a_sticky_dragged_near_a_neighbours_line_lines_up_with_it() {
        let other = sticky(300.0, 100.0);
        // Dragged to y = 104: 4 units below the neighbour's top, within 6: snaps level.
        let (d, guides) = snap(sticky(0.0, 0.0), vec2(10.0, 104.0), &[other], 6.0);
        assert_eq!(d, vec2(10.0, 100.0));
        assert_eq!(guides, [Guide::Horizontal(100.0)]);
        // Centres line up too.
        let (d, guides) = snap(sticky(0.0, 0.0), vec2(302.0, 300.0), &[other], 6.0);
        assert_eq!(d.x, 300.0);
        assert!(
            guides.contains(&Guide::Vertical(300.0)) || guides.contains(&Guide::Vertical(360.0))
        );
        // Far from every line: the drag is the pointer's.
        let (d, guides) = snap(sticky(0.0, 0.0), vec2(50.0, 30.0), &[other], 6.0);
        assert_eq!((d, guides.len()), (vec2(50.0, 30.0), 0));
    }
}
