//! Stormlab: an EventStorming studio that runs what the team draws.
//!
//! - [`model`]: the vocabulary, the RON file format, expressions and checks.

pub mod model;
