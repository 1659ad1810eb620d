//! A run as a sequence of messages between lanes: one lane per bounded context or external
//! system (and one for the scenario), commands and events in log order, with rejections,
//! parked deliveries, saga status changes and compensations marked. Built from the engine's
//! logs and journal, for one saga instance (the studio's sequence window) or for the whole
//! run (the Mermaid export); drawn by the studio, written as text by `interop::mermaid`.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::engine::{Change, Engine};
use super::hash::FastMap;
use super::program::{Program, SimError, SubscriberKind, Target};
use super::scenario::{find, setup, until_of};
use super::store::Cause;
use super::timeline::shown_from;
use crate::model::Model;
use crate::model::expr::Value;

/// What a row of the diagram is.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A command sent from lane `from` to lane `to`.
    Command {
        /// Why it was rejected, if it was.
        rejection: Option<String>,
        /// Issued after a saga of its correlation failed (a compensation or the failure
        /// command).
        compensating: bool,
    },
    /// An event appended in lane `to` (caused from lane `from`).
    Event {
        /// Subscribers that parked it, with their errors.
        parked: Vec<String>,
    },
    /// A saga instance got a status.
    Status,
}

/// One row: a message between lanes (or a status note).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Virtual time.
    pub time: i64,
    /// Sending lane.
    pub from: usize,
    /// Receiving lane.
    pub to: usize,
    /// The message's name (and key fields).
    pub label: String,
    /// What it is.
    pub step: Step,
    /// The cursor that shows this moment.
    pub cursor: u64,
}

/// A diagram: lanes and rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// `Saga key`, or the scenario's name.
    pub title: String,
    /// Lane names; lane 0 is the scenario.
    pub lanes: Vec<String>,
    /// Rows in log order.
    pub rows: Vec<Row>,
    /// Rows left out after the first `limit` (see [`of_run`]).
    pub omitted: usize,
    /// Whether the run spans several days (times show their date).
    pub dated: bool,
}

/// The sequence of saga `saga`'s instance `key`: every command and event sharing the
/// correlation id of its start event. None if there is no such instance.
pub fn of_saga(e: &Engine, saga: usize, key: &Value) -> Option<Sequence> {
    let inst = e.saga_instances().get(saga)?.get(key)?;
    let correlation = e.records().get(inst.start as usize)?.correlation;
    let name = saga_name(e, saga);
    let keep = Keep {
        correlation: Some(correlation),
        saga: Some((saga, key)),
        limit: usize::MAX,
    };
    Some(collect(e, format!("{name} {key}"), &keep))
}

/// The sequence of the whole run `title`: its first `limit` rows (the rest counted in
/// [`Sequence::omitted`]), with every saga instance's status changes.
pub fn of_run(e: &Engine, title: &str, limit: usize) -> Sequence {
    let keep = Keep {
        correlation: None,
        saga: None,
        limit,
    };
    collect(e, title.to_owned(), &keep)
}

/// Runs scenario `name` of `model` to its end (with an optional seed override) and takes the
/// first `limit` rows of its sequence.
pub fn of_scenario(
    model: &Model,
    name: &str,
    seed: Option<u64>,
    limit: usize,
) -> Result<Sequence, SimError> {
    let program = Arc::new(Program::new(model)?);
    let mut engine = setup(model, program, name, seed)?;
    engine.run(find(model, name).ok().and_then(until_of))?;
    Ok(of_run(&engine, name, limit))
}

/// What a diagram shows.
struct Keep<'a> {
    /// Only messages of this correlation id.
    correlation: Option<u32>,
    /// Only status changes of this saga instance.
    saga: Option<(usize, &'a Value)>,
    /// At most this many rows.
    limit: usize,
}

fn saga_name(e: &Engine, saga: usize) -> &str {
    e.program()
        .subscribers
        .iter()
        .find(|s| matches!(s.kind, SubscriberKind::Saga(x) if x == saga))
        .map_or("?", |s| s.name.as_str())
}

fn lane(lanes: &mut Vec<String>, name: &str) -> usize {
    match lanes.iter().position(|l| l == name) {
        Some(i) => i,
        None => {
            lanes.push(name.to_owned());
            lanes.len() - 1
        }
    }
}

fn event_lane(e: &Engine, lanes: &mut Vec<String>, event: usize) -> usize {
    let def = &e.program().events[event];
    match def.owner {
        Some(Target::External(x)) => lane(lanes, &e.program().externals[x].name),
        _ => lane(lanes, &def.context),
    }
}

fn command_lane(e: &Engine, lanes: &mut Vec<String>, command: usize) -> usize {
    let def = &e.program().commands[command];
    match def.target {
        Target::External(x) => lane(lanes, &e.program().externals[x].name),
        Target::Aggregate(_) => lane(lanes, &def.context),
    }
}

fn collect(e: &Engine, title: String, keep: &Keep) -> Sequence {
    let kept = |c: u32| keep.correlation.is_none_or(|k| k == c);
    // Rows sort by (slot, minor, index): event p sits at slot 2p+1, a command just before
    // its first event, a command that appended nothing just after the event that caused it.
    // The first `limit` rows all lie at slots up to 2·limit+1 when every correlation is kept
    // (events 0..limit alone are `limit` rows), so later ones are only counted.
    let last_slot = match keep.correlation {
        None => (keep.limit as u64).saturating_mul(2).saturating_add(1),
        Some(_) => u64::MAX,
    };
    let mut lanes = vec!["Scenario".to_owned()];
    let mut keyed: Vec<((u64, u8, usize), Row)> = Vec::new();
    let mut beyond = 0usize;
    // Where each correlation's saga failed (and whether by a rejected step), and each
    // event's parkings.
    let mut failed_at: FastMap<u32, (u64, bool)> = FastMap::default();
    let mut parked: FastMap<u64, Vec<String>> = FastMap::default();
    for (i, (stamp, time, change)) in e.journal().iter().enumerate() {
        match change {
            Change::Saga { saga, key, status } => {
                if keep.saga.is_some_and(|(s, k)| (s, k) != (*saga, key)) {
                    continue;
                }
                let Some(correlation) = e
                    .saga_instances()
                    .get(*saga)
                    .and_then(|s| s.get(key))
                    .and_then(|inst| e.records().get(inst.start as usize))
                    .map(|r| r.correlation)
                else {
                    continue;
                };
                if !kept(correlation) {
                    continue;
                }
                match &**status {
                    "Compensated" => {
                        failed_at.entry(correlation).or_insert((2 * stamp, true));
                    }
                    "TimedOut" => {
                        failed_at.entry(correlation).or_insert((2 * stamp, false));
                    }
                    _ => {}
                }
                if 2 * stamp > last_slot {
                    beyond += 1;
                    continue;
                }
                let label = match keep.saga {
                    Some(_) => format!("{}: {status}", saga_name(e, *saga)),
                    None => format!("{} {key}: {status}", saga_name(e, *saga)),
                };
                let row = Row {
                    time: *time,
                    from: 0,
                    to: 0,
                    label,
                    step: Step::Status,
                    cursor: shown_from(e, *stamp, *time),
                };
                keyed.push(((2 * stamp, 1, i), row));
            }
            Change::Parked(x) => parked.entry(x.position).or_default().push(format!(
                "{}: {}",
                e.program().subscribers[x.subscriber].name,
                x.error
            )),
            Change::Redriven { .. } => {}
        }
    }
    // The rejected step that failed a saga is not a compensation: the first rejection at or
    // after the failure of a saga compensated for a rejection.
    let mut failing_step_seen: BTreeSet<u32> = BTreeSet::new();
    for (i, c) in e.commands().iter().enumerate() {
        if !kept(c.correlation) {
            continue;
        }
        let slot = if !c.events().is_empty() {
            2 * c.events().start
        } else if let Cause::Event(p) = c.cause() {
            2 * p + 2
        } else {
            2 * e.records().partition_point(|r| r.time <= c.time) as u64
        };
        if slot > last_slot {
            beyond += 1;
            continue;
        }
        let from = match c.cause() {
            Cause::Event(p) | Cause::Deadline(p) => e
                .records()
                .get(p as usize)
                .map_or(0, |r| event_lane(e, &mut lanes, r.event as usize)),
            Cause::Command(j) => e
                .commands()
                .get(j as usize)
                .map_or(0, |d| command_lane(e, &mut lanes, d.command())),
            Cause::Scenario | Cause::Given => 0,
        };
        let to = command_lane(e, &mut lanes, c.command());
        let compensating = match failed_at.get(&c.correlation) {
            Some(&(f, by_rejection)) if slot >= f => {
                let failing_step = by_rejection
                    && c.rejection.is_some()
                    && failing_step_seen.insert(c.correlation);
                !failing_step
            }
            _ => false,
        };
        keyed.push((
            (slot, 0, i),
            Row {
                time: c.time,
                from,
                to,
                label: format!("{} {}", e.program().commands[c.command()].name, c.target),
                step: Step::Command {
                    rejection: c.rejection.as_deref().map(str::to_owned),
                    compensating,
                },
                cursor: e.cursor_of(c),
            },
        ));
    }
    for (p, r) in e.records().iter().enumerate() {
        if !kept(r.correlation) {
            continue;
        }
        if 2 * p as u64 + 1 > last_slot {
            beyond += 1;
            continue;
        }
        let to = event_lane(e, &mut lanes, r.event as usize);
        let from = match r.causation {
            Cause::Event(q) | Cause::Deadline(q) => e
                .records()
                .get(q as usize)
                .map_or(to, |x| event_lane(e, &mut lanes, x.event as usize)),
            Cause::Command(j) => e
                .commands()
                .get(j as usize)
                .map_or(to, |d| command_lane(e, &mut lanes, d.command())),
            Cause::Scenario | Cause::Given => 0,
        };
        keyed.push((
            (2 * p as u64 + 1, 0, p),
            Row {
                time: r.time,
                from,
                to,
                label: e.program().events[r.event as usize].name.clone(),
                step: Step::Event {
                    parked: parked.remove(&(p as u64)).unwrap_or_default(),
                },
                cursor: p as u64 + 1,
            },
        ));
    }
    keyed.sort_by_key(|(k, _)| *k);
    let mut rows: Vec<Row> = keyed.into_iter().map(|(_, r)| r).collect();
    let omitted = beyond + rows.len().saturating_sub(keep.limit);
    if rows.len() > keep.limit {
        rows.truncate(keep.limit);
        lanes = used_lanes(lanes, &mut rows);
    }
    Sequence {
        title,
        lanes,
        rows,
        omitted,
        dated: e.spans_days(),
    }
}

/// The lanes some row uses (the scenario's always), rows renumbered to them.
fn used_lanes(lanes: Vec<String>, rows: &mut [Row]) -> Vec<String> {
    let mut used = vec![false; lanes.len()];
    used[0] = true;
    for r in rows.iter() {
        used[r.from] = true;
        used[r.to] = true;
    }
    let mut number = vec![0; lanes.len()];
    let mut kept = Vec::new();
    for (i, name) in lanes.into_iter().enumerate() {
        if used[i] {
            number[i] = kept.len();
            kept.push(name);
        }
    }
    for r in rows.iter_mut() {
        r.from = number[r.from];
        r.to = number[r.to];
    }
    kept
}
