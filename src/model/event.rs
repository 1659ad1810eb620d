//! Domain events: facts that happened (orange stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::field::{Field, Reserved};
use super::layout::Pos;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The first envelope number of an event (1–15 hold the envelope's own fields).
pub const FIRST_EVENT_NUMBER: u32 = 16;

/// Something that happened, in the past tense, e.g. `ServiceBooked`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name in the past tense.
    pub name: String,
    /// Stable number of its case in the context's event envelope (16 and up, never reused;
    /// 0 in a file: assigned on load).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub n: u32,
    /// The name of its protobuf message, pinned when the element is first renamed so that the
    /// exported contract keeps its name (empty: the element's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The aggregate or external system that emits it. Empty for an event that an
    /// anticorruption layer produces by translating an upstream event.
    #[serde(default, skip_serializing_if = "Ref::is_empty")]
    pub owner: Ref,
    /// The field carrying its owner's id (its stream key), when it is not named as the
    /// owner's id field: `insurance_quote_request_id` for an owner keyed by `request_id`.
    /// Empty: the field named as the owner's id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stream_key: String,
    /// True for an integration event: part of the context's published language, visible to
    /// other contexts. False for an internal domain event.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub published: bool,
    /// True for an event that was published and no longer is: consumers may still hold it,
    /// so it stays in the context's integration envelope, marked deprecated, and unpublishing
    /// stays a compatible change. The studio sets it when "Published" is unticked. Ignored
    /// while `published` is true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Payload fields with stable numbers.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Numbers and names of removed fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<Reserved>,
    /// Board position.
    pub at: Pos,
}
