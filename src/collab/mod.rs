//! Editing one board together: the shared document (Loro), and later presence, the relay
//! client and `stormlab serve`.
//!
//! - [`document`]: the board as a Loro document, the model derived from it, local edits
//!   written into it.

pub mod document;

pub use document::{CollabError, SharedDoc, random_peer};
