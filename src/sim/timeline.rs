//! Time travel: the state of every aggregate, read model, saga and the dead-letter queue at
//! any position of a finished run's log, and the causation chain of any event.
//!
//! Aggregates and read models are folded from the log: the timeline keeps snapshots every
//! `every` records (about 256 of them at most, fewer for a large final state: see
//! [`spacing`]), so a seek clones the nearest snapshot and replays fewer than `every`
//! records. Sagas and the DLQ come from the engine's journal.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::engine::{Change, Engine, Parked};
use super::fold::{Instance, Table, apply, project};
use super::hash::FastMap;
use super::program::Target;
use super::store::Cause;
use crate::model::expr::Value;

/// Aggregate instances per aggregate, by id.
pub type Aggregates = Vec<super::fold::AggregateInstances>;

#[derive(Clone, Debug)]
struct Snapshot {
    applied: u64,
    aggregates: Aggregates,
    read_models: Vec<Table>,
}

/// The state after the first `position` records of the log.
#[derive(Clone, Debug)]
pub struct StateAt {
    /// Records applied.
    pub position: u64,
    /// Virtual time of the last applied record.
    pub time: i64,
    /// Aggregate instances.
    pub aggregates: Aggregates,
    /// Read-model tables (projected from the log).
    pub read_models: Vec<Table>,
    /// Saga statuses by correlation value.
    pub sagas: Vec<BTreeMap<Value, Arc<str>>>,
    /// Parked messages.
    pub dlq: Vec<Parked>,
    /// The cursor is at the end of the run: every change is in view, even those after the
    /// last record.
    pub end: bool,
}

impl StateAt {
    /// Whether a change made when the log held `stamp` records, at virtual time `time`, is
    /// in view: made before the next record and no later than the cursor's moment.
    pub fn shows(&self, stamp: u64, time: i64) -> bool {
        self.end || (stamp <= self.position && time <= self.time)
    }
}

/// One link of a causation chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// An event (its position).
    Event(u64),
    /// A command (its index in the command log).
    Command(u32),
    /// A saga deadline that expired; the position of the event that armed it.
    Deadline(u64),
    /// A scenario's `given` history.
    Given,
}

/// Snapshots of a finished run, for seeking.
#[derive(Clone, Debug)]
pub struct Timeline {
    snapshots: Vec<Snapshot>,
    /// Records between two snapshots.
    pub every: u64,
}

fn step(engine: &Engine, aggregates: &mut Aggregates, read_models: &mut [Table], position: u64) {
    let p = &engine.program;
    let Some(r) = engine.store.records.get(position as usize) else {
        return;
    };
    let event = r.event as usize;
    let def = &p.events[event];
    if let Some(Target::Aggregate(a)) = def.owner {
        let key: Arc<str> = match def.key_slot.and_then(|s| engine.store.payload(r).get(s)) {
            Some(Value::Str(s)) => s.clone(),
            Some(v) => Arc::from(v.to_string()),
            None => Arc::from(""),
        };
        let adef = &p.aggregates[a];
        let inst = aggregates[a]
            .entry(key)
            .or_insert_with(|| Instance::new(adef, r.stream));
        let _ = apply(adef, inst, event, engine.store.payload(r), r.time);
    }
    for &sub in &p.by_event[event] {
        if let super::program::SubscriberKind::ReadModel(rm) = p.subscribers[sub].kind {
            let _ = project(
                &p.read_models[rm],
                &mut read_models[rm],
                event,
                engine.store.payload(r),
                r.time,
                None,
            );
        }
    }
}

/// Aggregate instances and read-model rows held by all snapshots together, at most: each
/// snapshot is a whole copy of the state, so a run whose final state has a million entries
/// gets a few snapshots (and longer replays per seek) instead of 256 copies of a growing
/// state — gigabytes.
pub const SNAPSHOT_ENTRIES: u64 = 2_000_000;

/// Records between two snapshots for a log of `n` records whose final state has `entries`
/// aggregate instances and rows: about 256 snapshots, fewer when their copies would exceed
/// [`SNAPSHOT_ENTRIES`] (a snapshot holds about half the final state, on average).
pub fn spacing(n: u64, entries: u64) -> u64 {
    let affordable = (2 * SNAPSHOT_ENTRIES / entries.max(1)).clamp(1, 256);
    (n / affordable).max(1024)
}

impl Timeline {
    /// Builds the snapshots of `engine`'s log.
    pub fn new(engine: &Engine) -> Self {
        let n = engine.store.records.len() as u64;
        let entries = engine
            .aggregates
            .iter()
            .map(|a| a.len() as u64)
            .sum::<u64>()
            + engine
                .read_models
                .iter()
                .map(|t| t.len() as u64)
                .sum::<u64>();
        let every = spacing(n, entries);
        let p = &engine.program;
        let mut aggregates: Aggregates = vec![FastMap::default(); p.aggregates.len()];
        let mut read_models: Vec<Table> = vec![Table::default(); p.read_models.len()];
        let mut snapshots = vec![Snapshot {
            applied: 0,
            aggregates: aggregates.clone(),
            read_models: read_models.clone(),
        }];
        for pos in 0..n {
            step(engine, &mut aggregates, &mut read_models, pos);
            if (pos + 1) % every == 0 {
                snapshots.push(Snapshot {
                    applied: pos + 1,
                    aggregates: aggregates.clone(),
                    read_models: read_models.clone(),
                });
            }
        }
        Self { snapshots, every }
    }

    /// Brings the snapshots up to `engine`'s log after the run went on (a step, a redrive, a
    /// command issued by hand): only the records after the last snapshot are replayed, unless
    /// the log outgrew the snapshot spacing (then it is built afresh).
    pub fn extend(&mut self, engine: &Engine) {
        let n = engine.store.records.len() as u64;
        let Some(last) = self.snapshots.last() else {
            *self = Self::new(engine);
            return;
        };
        if n / self.every > 512 || last.applied > n {
            *self = Self::new(engine);
            return;
        }
        let (mut aggregates, mut read_models) = (last.aggregates.clone(), last.read_models.clone());
        for pos in last.applied..n {
            step(engine, &mut aggregates, &mut read_models, pos);
            if (pos + 1) % self.every == 0 {
                self.snapshots.push(Snapshot {
                    applied: pos + 1,
                    aggregates: aggregates.clone(),
                    read_models: read_models.clone(),
                });
            }
        }
    }

    /// The state after the first `position` records (clamped to the log), including the saga
    /// and dead-letter changes made at the moment of the last of them (a saga compensating
    /// right away); changes made later, before the next record, show with that record. At
    /// the end of the log every change shows.
    pub fn at(&self, engine: &Engine, position: u64) -> StateAt {
        let records = &engine.store.records;
        if position >= records.len() as u64 {
            let mut s = self.state(engine, position, |_, _| true);
            s.end = true;
            return s;
        }
        self.state(engine, position, moment(engine, position))
    }

    /// The state at virtual time `time`: every record and change up to and including it.
    pub fn at_time(&self, engine: &Engine, time: i64) -> StateAt {
        let position = engine.store.records.partition_point(|r| r.time <= time) as u64;
        let mut s = self.state(engine, position, |_, t| t <= time);
        s.time = time;
        s.end = time >= engine.now();
        s
    }

    /// The state after the first `position` records, as [`Timeline::at`] gives it, made
    /// from `previous` (the state at an earlier cursor, given up) when replaying from there
    /// is less work than from the nearest snapshot: playing forward one event costs one
    /// event, not the copy of a snapshot.
    pub fn seek(&self, engine: &Engine, previous: Option<StateAt>, position: u64) -> StateAt {
        let records = &engine.store.records;
        let nearest = self.nearest(position).map_or(0, |s| s.applied);
        match previous {
            Some(prev)
                if !prev.end
                    && prev.position <= position
                    && position < records.len() as u64
                    && position - prev.position <= position - nearest =>
            {
                let start = (prev.position, prev.aggregates, prev.read_models);
                replayed(engine, start, position, moment(engine, position))
            }
            _ => self.at(engine, position),
        }
    }

    /// The last snapshot at or before `position`.
    fn nearest(&self, position: u64) -> Option<&Snapshot> {
        self.snapshots.iter().rev().find(|s| s.applied <= position)
    }

    fn state(&self, engine: &Engine, position: u64, include: impl Fn(u64, i64) -> bool) -> StateAt {
        let position = position.min(engine.store.records.len() as u64);
        let snap = self.nearest(position).cloned().unwrap_or(Snapshot {
            applied: 0,
            aggregates: vec![FastMap::default(); engine.program.aggregates.len()],
            read_models: vec![Table::default(); engine.program.read_models.len()],
        });
        let start = (snap.applied, snap.aggregates, snap.read_models);
        replayed(engine, start, position, include)
    }
}

/// The state after `position` records, replayed from the state after `start.0` records
/// (its aggregates and read models), with the saga and dead-letter changes `include`
/// admits.
fn replayed(
    engine: &Engine,
    start: (u64, Aggregates, Vec<Table>),
    position: u64,
    include: impl Fn(u64, i64) -> bool,
) -> StateAt {
    let (applied, mut aggregates, mut read_models) = start;
    for pos in applied..position {
        step(engine, &mut aggregates, &mut read_models, pos);
    }
    let mut sagas: Vec<BTreeMap<Value, Arc<str>>> =
        vec![BTreeMap::new(); engine.program.sagas.len()];
    let mut dlq: Vec<Parked> = Vec::new();
    for (stamp, time, change) in &engine.journal {
        if *stamp > position || !include(*stamp, *time) {
            break;
        }
        match change {
            Change::Saga { saga, key, status } => {
                if let Some(m) = sagas.get_mut(*saga) {
                    m.insert(key.clone(), status.clone());
                }
            }
            _ => apply_dlq(&mut dlq, change),
        }
    }
    let time = last_time(engine, position).unwrap_or(0);
    StateAt {
        position,
        time,
        aggregates,
        read_models,
        sagas,
        dlq,
        end: false,
    }
}

/// The virtual time of the last of the first `position` records (None before the first).
fn last_time(engine: &Engine, position: u64) -> Option<i64> {
    let i = position.checked_sub(1)?;
    engine.store.records.get(i as usize).map(|r| r.time)
}

/// Which saga and dead-letter changes the state after `position` records shows: those made
/// by then, at the moment of its last record at the latest.
fn moment(engine: &Engine, position: u64) -> impl Fn(u64, i64) -> bool {
    let time = last_time(engine, position).unwrap_or(i64::MIN);
    move |stamp, t| stamp <= position && t <= time
}

/// The first cursor position whose state shows a change made when the log held `stamp`
/// records, at virtual time `time` (see `Timeline::at`).
pub fn shown_from(engine: &Engine, stamp: u64, time: i64) -> u64 {
    let records = &engine.store.records;
    let len = records.len() as u64;
    if stamp >= len {
        return len;
    }
    if last_time(engine, stamp).is_some_and(|t| time <= t) {
        stamp
    } else {
        stamp + 1
    }
}

/// A parking or redrive applied to a dead-letter queue (other changes leave it alone).
fn apply_dlq(dlq: &mut Vec<Parked>, change: &Change) {
    match change {
        Change::Parked(p) => dlq.push(p.clone()),
        Change::Redriven {
            subscriber,
            position,
        } => dlq.retain(|p| !p.is_redriven_by(*subscriber, *position)),
        Change::Saga { .. } => {}
    }
}

/// The dead-letter queue just after journal entry `index`: the moments between two events
/// (a message parked after its retries and redriven before the next event) made visible.
pub fn dlq_after(engine: &Engine, index: usize) -> Vec<Parked> {
    let mut dlq = Vec::new();
    for (_, _, change) in engine.journal.iter().take(index.saturating_add(1)) {
        apply_dlq(&mut dlq, change);
    }
    dlq
}

/// The chain of causes of the event at `position`, nearest first, ending at a command of
/// the scenario or its history. A command issued by a policy or saga was itself caused by an
/// event; a compensation by the rejected command or the expired deadline.
pub fn causation(engine: &Engine, position: u64) -> Vec<Link> {
    let mut out = Vec::new();
    let Some(r) = engine.store.records.get(position as usize) else {
        return out;
    };
    // Causes only point backwards; these bounds keep a damaged log from looping.
    let (mut event, mut command) = (position, u32::MAX);
    let mut cause = r.causation;
    while out.len() < 10_000 {
        let next = match cause {
            Cause::Event(p) if p < event => {
                out.push(Link::Event(p));
                event = p;
                engine.store.records.get(p as usize).map(|r| r.causation)
            }
            Cause::Deadline(p) if p < event => {
                out.push(Link::Deadline(p));
                event = p;
                engine.store.records.get(p as usize).map(|r| r.causation)
            }
            Cause::Command(c) if c < command => {
                out.push(Link::Command(c));
                command = c;
                engine.commands.get(c as usize).map(|c| c.cause())
            }
            Cause::Given => {
                out.push(Link::Given);
                None
            }
            _ => None,
        };
        let Some(next) = next else { break };
        cause = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_state_gets_256_snapshots_and_a_large_one_as_many_as_memory_allows() {
        // A small final state: the usual spacing.
        assert_eq!(spacing(1_000_000, 5_000), 1_000_000 / 256);
        assert_eq!(spacing(10_000, 50), 1024, "never closer than 1024 records");
        // A million bookings' state: copies of about half of it stay within the budget.
        for entries in [100_000u64, 1_100_000, 20_000_000] {
            let n = 3_900_000;
            let snapshots = n / spacing(n, entries);
            assert!(snapshots >= 1);
            assert!(
                snapshots == 1 || snapshots * entries / 2 <= SNAPSHOT_ENTRIES,
                "{snapshots} snapshots of {entries} entries"
            );
        }
    }
}
