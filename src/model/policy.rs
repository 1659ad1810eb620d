//! Policies: "whenever EVENT [if COND] then COMMAND" reactions (lilac stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;
use super::delivery::Delivery;
use super::layout::Pos;

/// Whenever `on` happens (and `when` holds), issue `then` to the instance `target` names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `PayOnBooking`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The event that triggers it (`Context.Event` for another context's event).
    pub on: Ref,
    /// Optional condition over `event` and `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The command issued.
    pub then: Ref,
    /// Expression giving the target instance id; defaults to the event's same-named id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Command field assignments over `event` and `now`; unlisted fields copy the event's.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub with: Assignments,
    /// Delivery settings.
    #[serde(default, skip_serializing_if = "Delivery::is_default")]
    pub delivery: Delivery,
    /// Board position.
    pub at: Pos,
}
