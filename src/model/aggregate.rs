//! Aggregates: consistency boundaries that decide on commands and evolve from events (pale yellow).

use super::reference::Ref;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::element::PathSeg;
use super::uid::Uid;

use super::field::Field;
use super::layout::Pos;

/// Field assignments `field name → expression`. Fields not listed copy the same-named field
/// of the source (the command for emitted events, the event for appliers) when one exists.
pub type Assignments = BTreeMap<String, String>;

/// An aggregate: its state, lifecycle, command handlers (decide) and event appliers (evolve).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `Booking`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The field of its commands and events that carries the aggregate id (the stream key).
    pub id: String,
    /// State fields (read as `state.x` in expressions).
    #[serde(default)]
    pub state: Vec<Field>,
    /// Lifecycle states; the first is the state of an instance with no events yet.
    pub lifecycle: Vec<String>,
    /// Command handlers.
    #[serde(default)]
    pub handlers: Vec<Handler>,
    /// Event appliers.
    #[serde(default)]
    pub appliers: Vec<Applier>,
    /// Invariants of each instance: `state.x`, `status` (its lifecycle state), `id`, `now` (see [`super::invariant::Invariant`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
    /// Board position.
    pub at: Pos,
}

/// `on COMMAND`, allowed in some lifecycle states, guarded, emitting events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handler {
    /// The command handled.
    pub on: Ref,
    /// Lifecycle states in which the command is accepted; empty means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<String>,
    /// Guards, checked in order; the first that is false rejects the command.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<Guard>,
    /// Events emitted whenever the command is accepted, in order (before any branch's).
    #[serde(default)]
    pub emit: Vec<Emit>,
    /// Data-dependent outcomes, tried in order after the guards: the first branch whose
    /// `when` holds (or the last one, when it has no `when`: the otherwise) adds its events
    /// after `emit`'s. When none applies, only `emit`'s events are emitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// Commands scheduled when the command is accepted (armed by the events it emits), each
    /// issued later unless one of its `unless` events happens first on its target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<Schedule>,
}

impl Handler {
    /// A handler of `on` with no states, guards, events or branches.
    pub fn new(on: impl Into<Ref>) -> Self {
        Handler {
            on: on.into(),
            states: Vec::new(),
            guards: Vec::new(),
            emit: Vec::new(),
            branches: Vec::new(),
            schedule: Vec::new(),
        }
    }

    /// Every event it may emit: `emit`'s, then each branch's, in order.
    pub fn all_emits(&self) -> impl Iterator<Item = &Emit> {
        self.emit
            .iter()
            .chain(self.branches.iter().flat_map(|b| b.emit.iter()))
    }

    /// Every event it may emit with its place inside the handler (`emit[0]`,
    /// `branches[1].emit[0]`), in the order of [`Handler::all_emits`].
    pub fn emit_sites(&self) -> impl Iterator<Item = (Vec<PathSeg>, &Emit)> {
        use PathSeg::{Index as I, Key as K};
        let own = self
            .emit
            .iter()
            .enumerate()
            .map(|(e, em)| (vec![K("emit"), I(e)], em));
        let branches = self.branches.iter().enumerate().flat_map(|(b, br)| {
            br.emit
                .iter()
                .enumerate()
                .map(move |(e, em)| (vec![K("branches"), I(b), K("emit"), I(e)], em))
        });
        own.chain(branches)
    }

    /// Whether it emits nothing in any case.
    pub fn emits_nothing(&self) -> bool {
        self.all_emits().next().is_none()
    }
}

/// A command a handler schedules: issued `after` a duration or `at` a moment (expressions
/// over `cmd`, `state` as before the command, `now` and the read models), unless an event of
/// `unless` whose id field is the command's target happens first — an offer that lapses, a
/// payment that falls due. Armed only when the handler accepts its command and emits at
/// least one event; a moment already past fires at once. The scheduled command is on its
/// own when it fires: its rejection is logged like any other.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// How long after the command it is issued (a duration: `days(30)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// When it is issued (a timestamp: `add_months(now, 1)`, `cmd.due`); instead of `after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Events that cancel it: one whose id field (its stream key) is its target's id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<Ref>,
    /// The command, its target and fields (over the same names; unlisted fields copy the
    /// handled command's same-named field).
    pub issue: super::saga::Issue,
}

/// One data-dependent outcome of a handler: `when` it holds (over `cmd`, `state`, `now`),
/// these events. No `when`: the otherwise, which must come last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// The condition; absent for the otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The events emitted in this case, after the handler's own `emit`.
    #[serde(default)]
    pub emit: Vec<Emit>,
}

/// A condition over `cmd`, `state` and `now`, with the message a rejected command gets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    /// Boolean expression that must hold.
    pub expr: String,
    /// Rejection message when it does not.
    pub reject: String,
}

/// One emitted event with its field assignments (expressions over `cmd`, `state`, `now`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Emit {
    /// The event emitted.
    pub event: Ref,
    /// Field assignments; unlisted fields copy the command's same-named field.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub set: Assignments,
}

/// `on EVENT` set state fields and move to a lifecycle state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applier {
    /// The event applied.
    pub on: Ref,
    /// State assignments (expressions over `event`, `state`); unlisted state fields copy the
    /// event's same-named field when it has one.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub set: Assignments,
    /// The lifecycle state after the event, if it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}
