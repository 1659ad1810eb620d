//! The board: the canvas of frames, stickies and arrows, and the board as an image.

pub mod arrows;
pub mod canvas;
pub mod image;
pub mod minimap;
pub mod route;
pub mod snap;
pub mod sticky;
