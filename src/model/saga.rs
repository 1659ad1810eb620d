//! Sagas (process managers): long-running processes correlated by a key, with compensation.

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;
use super::delivery::Delivery;
use super::layout::Pos;

/// A process manager. One instance per correlation value; steps react to events by issuing
/// commands; a rejected command or an expired deadline runs the compensations of the steps
/// already taken, in reverse order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saga {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `OrderFulfilment`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The event field whose value identifies the instance (present on every event it handles).
    pub correlation: String,
    /// The event that starts an instance.
    pub start: Ref,
    /// Reactions, in the order the process usually takes them.
    pub steps: Vec<SagaStep>,
    /// Deadlines on the virtual clock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Deadline>,
    /// Events that end an instance, with the status it ends in.
    pub ends: Vec<SagaEnd>,
    /// Issued last when the saga fails (a rejected command or an expired deadline), after the
    /// compensations; its expressions read the start event. E.g. cancel the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Issue>,
    /// Delivery settings.
    #[serde(default, skip_serializing_if = "Delivery::is_default")]
    pub delivery: Delivery,
    /// Invariants of each instance: `status`, `started`, `now` (see [`super::invariant::Invariant`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
    /// Board position.
    pub at: Pos,
}

/// A command issued by a saga or by compensation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issue {
    /// The command.
    pub command: Ref,
    /// Target instance id expression (over `event`, `now`); defaults to the same-named id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Command field assignments over `event` and `now`.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub with: Assignments,
}

/// `on EVENT [if COND] issue COMMAND`, with what undoes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaStep {
    /// The event reacted to.
    pub on: Ref,
    /// Optional condition over `event` and `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The command issued.
    pub issue: Issue,
    /// The compensating command, issued if the saga fails after this step was taken.
    /// Its expressions read the event that triggered the step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensate: Option<Issue>,
}

/// A deadline: started by an event, cancelled by others; when it fires first, the saga
/// compensates (it failed), or, with `ends_as`, ends normally in that status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// Name, e.g. `payment`.
    pub name: String,
    /// Event that starts the timer.
    pub from: Ref,
    /// How long after `from` it fires, e.g. `"15m"` (unless `at` is given).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub after: String,
    /// When it fires, from the data: a timestamp expression over `event` (the starting one)
    /// and `now`, e.g. `"event.valid_until"`; a time already past fires at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Events that cancel it.
    pub until: Vec<Ref>,
    /// The status the instance ends in when it fires (`Expired`): a normal end, no
    /// compensation. Without it, firing fails the saga (`TimedOut`) and compensates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_as: Option<String>,
}

/// An event that ends the instance, and the status it ends in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaEnd {
    /// The event.
    pub on: Ref,
    /// Final status, e.g. `Completed`.
    pub status: String,
    /// Only when this holds (over `event`, `now`): a free plan's application ends the survey
    /// saga it started, a paid one's does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}
