//! Commands: requests to change the system (blue stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::field::{Field, Reserved};
use super::layout::Pos;

/// A request for an aggregate (or an external system) to do something.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name in the imperative, e.g. `BookService`.
    pub name: String,
    /// The name of its protobuf message, pinned when the element is first renamed so that the
    /// exported contract keeps its name (empty: the element's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The aggregate or external system that handles it.
    pub target: Ref,
    /// Actors who issue it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Ref>,
    /// Payload fields with stable numbers.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Numbers and names of removed fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<Reserved>,
    /// Board position.
    pub at: Pos,
}
