//! Editing one board together.
//!
//! - [`document`]: the board as a Loro document, the model derived from it, local edits
//!   written into it, per-person undo.
//! - `keyed`: a sticky's fields as their own containers, so edits of different fields merge.
//! - [`derive`]: the model kept up to date with the document, element by element.
//! - [`wire`]: the messages between studios and the relay.
//! - [`relay`]: `stormlab serve`, one room per board; [`store`]: a room on disk.
//! - [`packed`]: a whole board's bytes deflated for the wire and the disk.
//! - [`client`]: a studio's connection; [`session`]: one person's side of a shared board.

pub mod client;
pub mod derive;
pub mod document;
mod keyed;
pub mod packed;
pub mod relay;
pub mod session;
pub mod store;
pub mod wire;

pub use document::{CollabError, SharedDoc, random_peer};
pub use relay::{Relay, RelayConfig};
pub use session::{RoomAddress, Session, Status};
