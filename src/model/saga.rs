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
    /// State fields of each instance (read as `state.x` in the saga's expressions, set by its
    /// steps' `set`), zero when the instance starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub state: Vec<super::field::Field>,
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// `on EVENT [and EVENT…] [if COND] [set STATE] [issue COMMAND]`, with what undoes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaStep {
    /// The event reacted to.
    pub on: Ref,
    /// A join: the step waits until the instance has seen `on` and every event here, in any
    /// order, and is taken once, when the last of them arrives. Its expressions read the
    /// fields the joined events have in common (`event`), and the saga's `state`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub and: Vec<Ref>,
    /// Optional condition over `event`, `state`, `now` and the read models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The instance's state fields this step sets (over `event`, `state`, `now`, the read
    /// models; all read the state as it was before the step), before its command is issued.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub set: Assignments,
    /// Fan-out, `ITEM in LIST` (`line in event.lines`, over `event`, `state` after `set`,
    /// `now`, the read models): one command per element, in order, with `ITEM` in scope for
    /// its target and fields and for the compensation. The first one rejected fails the
    /// saga: the elements already accepted are compensated, each with its element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// A timer: the command is issued this long after the event (a duration over `event`,
    /// `state`, `now`, the read models; `days(3)`), unless one of `unless` happens first on
    /// its target — a reminder, a grace period. Its command is on its own when it fires: a
    /// rejection is logged and does not fail the saga. Not with `compensate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Events that cancel the step's pending timer: one whose id field (its stream key) is
    /// the timer's target id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<Ref>,
    /// The command issued; a step may only set state (`Issue::none`).
    #[serde(default, skip_serializing_if = "Issue::is_none")]
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

impl Issue {
    /// True when no command is named: a saga step that only sets state.
    pub fn is_none(&self) -> bool {
        self.command.is_empty() && self.target.is_none() && self.with.is_empty()
    }
}

impl SagaStep {
    /// The events the step waits for: `on`, then a join's others.
    pub fn events(&self) -> impl Iterator<Item = &Ref> {
        std::iter::once(&self.on).chain(&self.and)
    }
}
