//! Stormlab: an EventStorming studio that runs what the team draws.
//!
//! - [`model`]: the vocabulary, the RON file format, expressions and checks.
//! - [`cli`]: the command-line subcommands.
//! - `app` (feature `studio`): the desktop studio.

pub mod cli;
pub mod model;

#[cfg(feature = "studio")]
pub mod app;
