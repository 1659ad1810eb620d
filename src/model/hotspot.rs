//! Hot spots: open questions and conflicts (red stickies). Never simulated; counted by the checks.

use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::layout::Pos;

/// An open question or problem noted during the workshop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotSpot {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// The question or problem, free text.
    pub text: String,
    /// Board position.
    pub at: Pos,
}
