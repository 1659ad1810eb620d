//! External systems: third parties that answer with events after a delay (pink stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;
use super::delivery::Delivery;
use super::layout::Pos;

/// A system outside the model (payment gateway, CRM, data lake) with probabilistic answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSystem {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `PaymentGateway`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The field of its response events that carries the stream key.
    pub id: String,
    /// Reactions to commands sent to it or events it consumes.
    #[serde(default)]
    pub reacts: Vec<Reaction>,
    /// Delivery settings (for the events it consumes).
    #[serde(default, skip_serializing_if = "Delivery::is_default")]
    pub delivery: Delivery,
    /// Board position.
    pub at: Pos,
}

/// `on COMMAND|EVENT respond` with one of several outcomes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reaction {
    /// The command or event it reacts to.
    pub on: Ref,
    /// Possible outcomes; their probabilities sum to 1. An empty list consumes silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<Outcome>,
}

/// One possible answer. Among the outcomes whose `when` holds (or that have none), one is
/// drawn by probability, renormalized over those outcomes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The event it answers with.
    pub respond: Ref,
    /// Only possible when this condition (over `msg` and `now`) holds, e.g. a test card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Probability of this outcome, 0…1.
    pub probability: f64,
    /// Delay before the answer, e.g. `"200ms"`.
    pub after: String,
    /// Event field assignments over `msg` (the command or event reacted to) and `now`;
    /// unlisted fields copy `msg`'s same-named field.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub with: Assignments,
}
