//! Actors: the people or roles who issue commands (small yellow stickies).

use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::layout::Pos;

/// A person or role that issues commands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `Customer`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Board position.
    pub at: Pos,
}
