//! Domain events: facts that happened (orange stickies).

use serde::{Deserialize, Serialize};

use super::field::{Field, Reserved};
use super::layout::Pos;

/// Something that happened, in the past tense, e.g. `ServiceBooked`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Name in the past tense.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The aggregate or external system that emits it. Empty for an event that an
    /// anticorruption layer produces by translating an upstream event.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// True for an integration event: part of the context's published language, visible to
    /// other contexts. False for an internal domain event.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub published: bool,
    /// Payload fields with stable numbers.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Numbers and names of removed fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<Reserved>,
    /// Board position.
    pub at: Pos,
}
