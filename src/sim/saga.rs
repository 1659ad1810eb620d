//! Saga instances: a saga's running and finished instances by correlation value, with the
//! steps they took, the deadlines they armed and the compensations they ran.

use std::sync::Arc;

use super::hash::FastMap;
use crate::model::expr::Value;

/// A saga instance.
#[derive(Clone, Debug, PartialEq)]
pub struct SagaInstance {
    /// `Running`, an end status, `Compensated` or `TimedOut`.
    pub status: Arc<str>,
    /// Steps taken: (step index, position of the triggering event).
    pub taken: Vec<(usize, u64)>,
    /// Every deadline armed for this instance; the pending ones have not `ended`.
    pub deadlines: Vec<ArmedDeadline>,
    /// Position of the start event.
    pub start: u64,
    /// State fields, join marks, fan-out elements and compensations, for an instance that
    /// has any (none for one that has not: an instance of a saga without them, running as
    /// it should, costs nothing more — a saga may have hundreds of thousands).
    pub data: Option<Box<SagaData>>,
}

/// What an instance keeps beyond its status when it has state fields, joins, compensated
/// fan-outs or compensations run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SagaData {
    /// The state fields' values now.
    pub state: Vec<Value>,
    /// Each state change, when it was made: (stamp, field slot, value).
    pub sets: Vec<(Stamp, usize, Value)>,
    /// Per join step: which of its events arrived (one bit each), and `TAKEN` once taken.
    pub(super) joined: Vec<u64>,
    /// The element each fanned-out command was issued for, by its place in `taken` (kept
    /// when a fan-out step compensates: each element is compensated with its own).
    pub(super) elements: Vec<(usize, Value)>,
    /// When each compensating command was issued.
    pub(super) compensations: Vec<Stamp>,
}

/// The join mark of a join step that was taken.
pub(super) const TAKEN: u64 = 1 << 63;

/// When something happened outside the log: the log's length then, and the virtual time.
pub type Stamp = (u64, i64);

impl SagaInstance {
    /// The deadlines pending at a moment — `shows` tells whether a change stamped so is in
    /// view (`StateAt::shows`) — soonest first.
    pub fn pending(&self, shows: impl Fn(u64, i64) -> bool) -> Vec<&ArmedDeadline> {
        let seen = |s: Stamp| shows(s.0, s.1);
        let mut out: Vec<&ArmedDeadline> = self
            .deadlines
            .iter()
            .filter(|d| seen(d.set) && d.ended.is_none_or(|e| !seen(e)))
            .collect();
        out.sort_by_key(|d| (d.due, d.deadline));
        out
    }

    /// How many compensating commands had been issued at a moment (see `pending`).
    pub fn compensations_seen(&self, shows: impl Fn(u64, i64) -> bool) -> usize {
        self.compensations()
            .iter()
            .filter(|s| shows(s.0, s.1))
            .count()
    }

    /// When each compensating command was issued.
    pub fn compensations(&self) -> &[Stamp] {
        self.data.as_ref().map_or(&[], |d| &d.compensations)
    }

    /// The instance's state fields at a moment (see `pending`), starting from `zero`.
    pub fn state_seen(&self, zero: &[Value], shows: impl Fn(u64, i64) -> bool) -> Vec<Value> {
        let mut state = zero.to_vec();
        for (stamp, slot, v) in self.data.iter().flat_map(|d| &d.sets) {
            if shows(stamp.0, stamp.1)
                && let Some(s) = state.get_mut(*slot)
            {
                *s = v.clone();
            }
        }
        state
    }

    /// The state fields' values now (none for a saga without state).
    pub fn state(&self) -> &[Value] {
        self.data.as_ref().map_or(&[], |d| &d.state)
    }

    /// Ends the pending deadlines (all, or those of deadline `only`) at `now`; each one's
    /// place on the clock goes to `withdraw`.
    pub(super) fn end_deadlines(
        &mut self,
        only: Option<usize>,
        now: Stamp,
        mut withdraw: impl FnMut(usize),
    ) {
        for armed in &mut self.deadlines {
            if armed.ended.is_none() && only.is_none_or(|d| d == armed.deadline) {
                armed.ended = Some(now);
                armed.handle.take().into_iter().for_each(&mut withdraw);
            }
        }
    }
}

/// A deadline armed for a saga instance.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmedDeadline {
    /// The deadline's index in the saga's definition.
    pub deadline: usize,
    /// When it falls due (virtual ms).
    pub due: i64,
    /// Position of the event that armed it.
    pub armed: u64,
    /// When it was armed (the saga handled that event).
    pub set: Stamp,
    /// When it fired, was cancelled or the instance ended; None while pending.
    pub ended: Option<Stamp>,
    pub(super) token: u64,
    /// Its place on the clock while pending (none: due at once).
    pub(super) handle: Option<usize>,
}

/// A saga's instances, by correlation value, in the order they started. The engine finds an
/// instance once per event and then reaches it by its place, not by hashing its key again.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instances {
    index: FastMap<Value, u32>,
    list: Vec<(Value, SagaInstance)>,
}

impl Instances {
    /// The instance of correlation value `key`.
    pub fn get(&self, key: &Value) -> Option<&SagaInstance> {
        self.find(key).map(|i| &self.list[i].1)
    }

    /// The number of instances.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when no instance has started.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The instances, in the order they started.
    pub fn values(&self) -> impl Iterator<Item = &SagaInstance> {
        self.list.iter().map(|(_, i)| i)
    }

    /// The instances with their correlation values, in the order they started.
    pub fn iter(&self) -> impl Iterator<Item = (&Value, &SagaInstance)> {
        self.list.iter().map(|(k, i)| (k, i))
    }

    /// Forgets every instance, keeping the memory.
    pub(super) fn clear(&mut self) {
        self.index.clear();
        self.list.clear();
    }

    /// The place of the instance of `key`.
    pub(super) fn find(&self, key: &Value) -> Option<usize> {
        self.index.get(key).map(|&i| i as usize)
    }

    /// Adds the instance of `key` (which has none); returns its place.
    pub(super) fn start(&mut self, key: Value, instance: SagaInstance) -> usize {
        let i = self.list.len();
        self.index.insert(key.clone(), i as u32);
        self.list.push((key, instance));
        i
    }

    /// The instance at place `i` (from `find` or `start`).
    pub(super) fn at(&self, i: usize) -> Option<&SagaInstance> {
        self.list.get(i).map(|(_, inst)| inst)
    }

    /// The instance at place `i` (from `find` or `start`), to change.
    pub(super) fn at_mut(&mut self, i: usize) -> Option<&mut SagaInstance> {
        self.list.get_mut(i).map(|(_, inst)| inst)
    }

    /// The instance of `key`, to change.
    pub(super) fn get_mut(&mut self, key: &Value) -> Option<&mut SagaInstance> {
        let i = self.find(key)?;
        self.at_mut(i)
    }
}
