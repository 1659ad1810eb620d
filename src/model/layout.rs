//! Where things sit on the board: positions and sizes in board units (1 unit = 1 point at 100% zoom).

use serde::{Deserialize, Serialize};

/// The top-left corner of a sticky on the board. Written `(x, y)` in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "(f32, f32)", into = "(f32, f32)")]
pub struct Pos {
    /// Horizontal position, growing to the right.
    pub x: f32,
    /// Vertical position, growing downwards.
    pub y: f32,
}

impl Pos {
    /// A position.
    pub const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// A rectangle on the board (a bounded context's frame). Written `(x, y, w, h)` in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "(f32, f32, f32, f32)", into = "(f32, f32, f32, f32)")]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
}

impl Rect {
    /// True if `p` lies inside (edges included).
    pub fn contains(&self, p: Pos) -> bool {
        p.x >= self.x && p.y >= self.y && p.x <= self.x + self.w && p.y <= self.y + self.h
    }
}

impl From<(f32, f32)> for Pos {
    fn from((x, y): (f32, f32)) -> Self {
        Self { x, y }
    }
}

impl From<Pos> for (f32, f32) {
    fn from(p: Pos) -> Self {
        (p.x, p.y)
    }
}

impl From<(f32, f32, f32, f32)> for Rect {
    fn from((x, y, w, h): (f32, f32, f32, f32)) -> Self {
        Self { x, y, w, h }
    }
}

impl From<Rect> for (f32, f32, f32, f32) {
    fn from(r: Rect) -> Self {
        (r.x, r.y, r.w, r.h)
    }
}

/// The default size of a sticky, in board units.
pub const STICKY_SIZE: (f32, f32) = (140.0, 90.0);
