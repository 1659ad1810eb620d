//! Actors: the people or roles who issue commands (small yellow stickies).

use serde::{Deserialize, Serialize};

use super::layout::Pos;

/// A person or role that issues commands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Name, e.g. `Customer`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Board position.
    pub at: Pos,
}
