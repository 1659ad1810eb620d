//! Read models (projections): tables kept up to date from events (green stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;
use super::delivery::Delivery;
use super::field::Field;
use super::layout::Pos;

/// A query-side table: one row per key, updated by per-event rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadModel {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `BookingMetrics`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Columns (the key column among them), read as `row.x` in rules.
    pub columns: Vec<Field>,
    /// The column that is the row key.
    pub key: String,
    /// Update rules, applied in order for each event they match.
    pub rules: Vec<Rule>,
    /// Delivery settings.
    #[serde(default, skip_serializing_if = "Delivery::is_default")]
    pub delivery: Delivery,
    /// Invariants of each row: `row.x`, `now` (see [`super::invariant::Invariant`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
    /// Board position.
    pub at: Pos,
}

/// `on EVENT`: compute the row key, then upsert columns or delete the row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The event (`Context.Event` for another context's event).
    pub on: Ref,
    /// Fan-out, `ITEM in LIST` (`line in event.lines`): the rule applies once per element,
    /// with `ITEM` in scope for `key` and the upserts (an order's lines, each to its
    /// product's row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// Expression (over `event`) giving the row key.
    pub key: String,
    /// What to do with the row.
    pub action: RuleAction,
}

/// What a read-model rule does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RuleAction {
    /// Insert the row if missing (columns start at their zero value), then set these columns
    /// (expressions over `event`, `row`, `now`, all reading the row as it was before).
    Upsert(Assignments),
    /// Delete the row.
    Delete,
}
