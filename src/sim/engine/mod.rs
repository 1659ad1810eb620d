//! The simulation engine: commands decided by aggregates, events appended to the store and
//! delivered at least once to subscribers (policies, sagas, read models, external systems)
//! with latency, injected failures, retries with backoff, a dead-letter queue, duplicates
//! and idempotent consumers — all on a virtual clock, deterministic from the seed.

use std::ops::Range;
use std::sync::Arc;

use super::chunked::Chunked;
use super::clock::Scheduler;
pub use super::fold::Instance;
use super::fold::Table;
use super::hash::FastMap;
use super::load::Load;
use super::program::{Program, SimError};
use super::rng::Rng;
pub use super::saga::{ArmedDeadline, Instances, SagaInstance, Stamp};
use super::store::{Cause, EventStore, NewEvent, derived_id};
use crate::model::expr::Value;

mod command;
mod delivery;
mod external;
mod saga;
mod timer;
mod watch;

pub use timer::Timer;

pub use delivery::DelaySample;
use delivery::SubState;

/// Actions beyond which a run is considered runaway.
pub const MAX_ACTIONS: u64 = 20_000_000;

/// A change outside the log, stamped with the log length when it happened; the timeline
/// replays these to show sagas and the dead-letter queue at any position.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A saga instance got a status.
    Saga {
        /// Saga index.
        saga: usize,
        /// Correlation value.
        key: Value,
        /// New status.
        status: Arc<str>,
    },
    /// A message was parked.
    Parked(Parked),
    /// A subscriber's parked messages were taken out for redrive.
    Redriven {
        /// Subscriber index.
        subscriber: usize,
        /// Only the message of this log position (None: all of the subscriber's).
        position: Option<u64>,
    },
}

/// A message parked in the dead-letter queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Parked {
    /// Subscriber index.
    pub subscriber: usize,
    /// Event position.
    pub position: u64,
    /// Attempts made.
    pub attempts: u32,
    /// The last error.
    pub error: String,
    /// When it was parked.
    pub time: i64,
}

impl Parked {
    /// Whether a redrive of subscriber `sub` (of one `position`, or all) takes this message.
    pub fn is_redriven_by(&self, sub: usize, position: Option<u64>) -> bool {
        self.subscriber == sub && position.is_none_or(|p| p == self.position)
    }
}

/// A command that was handled (accepted or rejected), in 64 bytes: a million-command run
/// keeps a million of them.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandRecord {
    /// When.
    pub time: i64,
    /// Target id.
    pub target: Arc<str>,
    /// Correlation id (see [`crate::sim::store::EventStore::correlation`]).
    pub correlation: u32,
    /// Command type.
    command: u32,
    /// What caused it, packed (see [`Cause::pack`]).
    cause: u64,
    /// The position of the first event it appended, and how many (they follow one another).
    first_event: u32,
    event_count: u32,
    /// None: accepted; Some(reason): rejected.
    pub rejection: Option<Box<str>>,
}

// What "in 64 bytes" promises.
const _: () = assert!(size_of::<CommandRecord>() <= 64);

impl CommandRecord {
    fn new(time: i64, command: usize, target: Arc<str>, correlation: u32, cause: Cause) -> Self {
        Self {
            time,
            target,
            correlation,
            command: command as u32,
            cause: cause.pack(),
            first_event: 0,
            event_count: 0,
            rejection: None,
        }
    }

    /// Command type (index into the program's commands).
    pub fn command(&self) -> usize {
        self.command as usize
    }

    /// What caused it.
    pub fn cause(&self) -> Cause {
        Cause::unpack(self.cause)
    }

    /// Positions of the events it appended.
    pub fn events(&self) -> Range<u64> {
        let first = u64::from(self.first_event);
        first..first + u64::from(self.event_count)
    }

    fn set_events(&mut self, events: &Range<u64>) {
        // A log holds fewer than 2³² events (stream positions are 32-bit too).
        self.first_event = events.start as u32;
        self.event_count = (events.end - events.start) as u32;
    }
}

/// Faults injected into one subscriber.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FaultDef {
    /// Probability an attempt fails.
    pub failure_rate: f64,
    /// Windows of total failure (ms since the epoch).
    pub outages: Vec<(i64, i64)>,
    /// Extra latency, ms.
    pub latency_ms: i64,
    /// Probability of a second delivery.
    pub duplicate_rate: f64,
    /// Probability a message skips its stream's queue.
    pub reorder_rate: f64,
    /// Override of the idempotent switch.
    pub idempotent: Option<bool>,
}

#[derive(Clone, Debug)]
enum Action {
    Command {
        command: usize,
        fields: Vec<Value>,
    },
    Deliver {
        sub: usize,
        position: u64,
        attempt: u32,
        queued: bool,
    },
    Respond {
        event: usize,
        payload: Vec<Value>,
        correlation: u32,
        cause: Cause,
    },
    Deadline {
        saga: usize,
        key: Value,
        token: u64,
    },
    Redrive {
        sub: usize,
        position: Option<u64>,
    },
    /// The next command of the scenario's load (index into `Engine::loads`).
    Load(usize),
    /// A policy's timer falls due.
    Timer {
        token: u64,
    },
}

/// The statuses the engine itself gives saga instances, shared rather than allocated per
/// instance (a running instance's status is this very `Arc`).
#[derive(Clone, Debug)]
struct Statuses {
    running: Arc<str>,
    compensated: Arc<str>,
    timed_out: Arc<str>,
}

/// A running simulation.
#[derive(Clone, Debug)]
pub struct Engine {
    /// The compiled model.
    pub(in crate::sim) program: Arc<Program>,
    /// The event store.
    pub(in crate::sim) store: EventStore,
    /// Aggregate instances, per aggregate, by id.
    pub(in crate::sim) aggregates: Vec<crate::sim::fold::AggregateInstances>,
    /// Read-model tables, per read model, by key.
    pub(in crate::sim) read_models: Vec<Table>,
    /// Saga instances, per saga, by correlation value.
    pub(in crate::sim) sagas: Vec<Instances>,
    /// The dead-letter queue.
    pub(in crate::sim) dlq: Vec<Parked>,
    /// Every command handled.
    pub(in crate::sim) commands: Chunked<CommandRecord>,
    /// Faults per subscriber.
    pub(in crate::sim) faults: Vec<FaultDef>,
    /// Saga and dead-letter changes, each with the log length and the virtual time then.
    pub(in crate::sim) journal: Vec<(u64, i64, Change)>,
    clock: Scheduler<Action>,
    subs: Vec<SubState>,
    seed: u64,
    rng_faults: Rng,
    rng_outcomes: Rng,
    next_token: u64,
    actions: u64,
    /// How many actions were the scenario's own commands.
    scenario_commands: u64,
    scratch: Vec<NewEvent>,
    statuses: Statuses,
    field_buf: Vec<Value>,
    payload_buf: Vec<Value>,
    /// What a saga does with an event, worked out before it acts (reused across events).
    plan_buf: saga::Plan,
    /// Per aggregate, its name interned in the store (the owner of its streams).
    owners: Vec<u32>,
    /// The scenario's loads, issuing their commands one at a time.
    loads: Vec<Load>,
    /// Policies' pending timers.
    timers: timer::Timers,
    rejected: usize,
    /// The invariants this run checks, when it checks any.
    watching: Option<Box<watch::Watching>>,
    /// When kept (see [`Engine::keep_command_inputs`]): commands' fields.
    pub(in crate::sim) command_inputs: Option<Box<CommandInputs>>,
    /// When asked for (see [`Engine::record_lookups`]): the rows each command's decision
    /// and fields read, in command order.
    pub(in crate::sim) looked: Option<Box<std::cell::RefCell<Vec<crate::sim::fold::Looked>>>>,
}

/// The fields of the commands handled from command `first` on, at most `limit` of them, each
/// with the log length when it was handled.
#[derive(Clone, Debug)]
pub struct CommandInputs {
    pub(in crate::sim) first: usize,
    pub(in crate::sim) limit: usize,
    pub(in crate::sim) kept: Vec<(u64, Box<[Value]>)>,
}

fn as_key(v: &Value) -> Arc<str> {
    match v {
        Value::Str(s) => s.clone(),
        other => Arc::from(other.to_string()),
    }
}

impl Engine {
    /// A fresh engine for `program`, seeded, with the clock at `start`.
    pub fn new(program: Arc<Program>, seed: u64, start: i64) -> Self {
        let n_subs = program.subscribers.len();
        let mut store = EventStore::seeded(seed);
        let owners = program
            .aggregates
            .iter()
            .map(|a| store.intern(&a.name))
            .collect();
        Self {
            aggregates: vec![FastMap::default(); program.aggregates.len()],
            read_models: vec![Table::default(); program.read_models.len()],
            sagas: vec![Instances::default(); program.sagas.len()],
            faults: vec![FaultDef::default(); n_subs],
            subs: vec![SubState::default(); n_subs],
            program,
            store,
            owners,
            loads: Vec::new(),
            timers: Default::default(),
            dlq: Vec::new(),
            journal: Vec::new(),
            commands: Chunked::default(),
            clock: Scheduler::new(start),
            seed,
            rng_faults: Rng::new(seed, "faults"),
            rng_outcomes: Rng::new(seed, "outcomes"),
            next_token: 0,
            actions: 0,
            scenario_commands: 0,
            scratch: Vec::new(),
            field_buf: Vec::new(),
            payload_buf: Vec::new(),
            plan_buf: saga::Plan::default(),
            rejected: 0,
            watching: None,
            command_inputs: None,
            looked: None,
            statuses: Statuses {
                running: Arc::from("Running"),
                compensated: Arc::from("Compensated"),
                timed_out: Arc::from("TimedOut"),
            },
        }
    }

    /// A fresh engine, as [`Engine::new`] makes it, in the memory of `old` (a finished run of
    /// the same program): its log, its commands, its instances and rows keep their
    /// allocations, emptied. An exploration runs thousands of short runs one after another.
    /// Everything else is new, so the run is the one `Engine::new` would make.
    pub fn renew(old: Engine, seed: u64, start: i64) -> Self {
        let mut e = Engine::new(old.program.clone(), seed, start);
        let Engine {
            store,
            mut aggregates,
            mut read_models,
            mut sagas,
            mut commands,
            mut journal,
            ..
        } = old;
        e.store.reuse(store);
        commands.clear();
        e.commands = commands;
        journal.clear();
        e.journal = journal;
        if aggregates.len() == e.aggregates.len() {
            aggregates.iter_mut().for_each(FastMap::clear);
            e.aggregates = aggregates;
        }
        if read_models.len() == e.read_models.len() {
            read_models.iter_mut().for_each(Table::clear);
            e.read_models = read_models;
        }
        if sagas.len() == e.sagas.len() {
            sagas.iter_mut().for_each(Instances::clear);
            e.sagas = sagas;
        }
        e
    }

    /// The seed the run was started with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current virtual time.
    pub fn now(&self) -> i64 {
        self.clock.now
    }

    /// Schedules a command at `time`.
    pub fn schedule_command(&mut self, time: i64, command: usize, fields: Vec<Value>) {
        self.clock.at(time, Action::Command { command, fields });
    }

    /// Schedules the commands of `load`, each in the place it would have if all were
    /// scheduled now; they are generated one at a time as the clock reaches them.
    pub fn schedule_load(&mut self, mut load: Load) {
        let count = load.count();
        if count <= 0 {
            return;
        }
        load.seq = self.clock.reserve_many(count as u64);
        let (time, seq) = (load.time_of(0), load.seq);
        self.loads.push(load);
        self.clock
            .at_seq(time, seq, Action::Load(self.loads.len() - 1));
    }

    /// Schedules a redrive of a subscriber's parked messages at `time`.
    pub fn schedule_redrive(&mut self, time: i64, sub: usize) {
        self.clock.at(
            time,
            Action::Redrive {
                sub,
                position: None,
            },
        );
    }

    /// Schedules the redrive, at `time`, of the message at log `position` parked by
    /// subscriber `sub` (recorded in the journal like a redrive of all).
    pub fn schedule_redrive_one(&mut self, time: i64, sub: usize, position: u64) {
        self.clock.at(
            time,
            Action::Redrive {
                sub,
                position: Some(position),
            },
        );
    }

    fn event_id(&self, position: u64) -> u128 {
        derived_id(self.seed, position)
    }

    /// Runs one scheduled action. Returns false when nothing is left (or past `until`).
    pub fn step(&mut self, until: Option<i64>) -> Result<bool, SimError> {
        if let (Some(u), Some(t)) = (until, self.clock.peek_time())
            && t > u
        {
            return Ok(false);
        }
        if self.stopped_by_violation() {
            return Ok(false);
        }
        let Some((_, action)) = self.clock.pop() else {
            return Ok(false);
        };
        self.actions += 1;
        if self.actions > MAX_ACTIONS {
            return Err(SimError::Runaway {
                steps: MAX_ACTIONS,
                scenario_commands: self.scenario_commands,
            });
        }
        let program = self.program.clone();
        match action {
            Action::Command { command, fields } => {
                self.scenario_command(&program, command, &fields);
            }
            Action::Load(k) => {
                let load = &mut self.loads[k];
                let Some(i) = load.take_next() else {
                    return Ok(true);
                };
                let mut fields = std::mem::take(&mut self.field_buf);
                let made = load.values(i, load.time_of(i), &mut fields);
                let command = load.command;
                if load.has_next() {
                    let (time, seq) = (load.time_of(i + 1), load.seq + i as u64 + 1);
                    self.clock.at_seq(time, seq, Action::Load(k));
                }
                made?;
                self.scenario_command(&program, command, &fields);
                fields.clear();
                self.field_buf = fields;
            }
            Action::Deliver {
                sub,
                position,
                attempt,
                queued,
            } => self.deliver(&program, sub, position, attempt, queued),
            Action::Respond {
                event,
                payload,
                correlation,
                cause,
            } => {
                if let Some(p) = self.append_outside(&program, event, payload, correlation, cause) {
                    self.dispatch(&program, p);
                }
            }
            Action::Deadline { saga, key, token } => {
                // It has left the clock: its place may be another action's from now on.
                if let Some(d) = self.sagas[saga]
                    .get_mut(&key)
                    .and_then(|i| i.deadlines.iter_mut().find(|d| d.token == token))
                {
                    d.handle = None;
                }
                let running = &self.statuses.running;
                let armed = self.sagas[saga]
                    .get(&key)
                    .filter(|i| Arc::ptr_eq(&i.status, running))
                    .and_then(|i| {
                        i.deadlines
                            .iter()
                            .find(|d| d.token == token && d.ended.is_none())
                    })
                    .map(|d| d.armed);
                if let Some(armed) = armed {
                    self.deadline_fires(&program, saga, &key, token, armed);
                }
            }
            Action::Timer { token } => self.fire_timer(&program, token),
            Action::Redrive { sub, position } => {
                let (parked, keep): (Vec<Parked>, Vec<Parked>) = std::mem::take(&mut self.dlq)
                    .into_iter()
                    .partition(|p| p.is_redriven_by(sub, position));
                self.dlq = keep;
                self.note(Change::Redriven {
                    subscriber: sub,
                    position,
                });
                for p in parked {
                    self.clock.at(
                        self.clock.now,
                        Action::Deliver {
                            sub,
                            position: p.position,
                            attempt: 1,
                            queued: false,
                        },
                    );
                }
            }
        }
        if self.watching.is_some() {
            self.check_always();
        }
        Ok(true)
    }

    /// Handles one of the scenario's own commands (timed or from a load), correlated by its
    /// number among the commands handled (`c-N`).
    fn scenario_command(&mut self, program: &Program, command: usize, fields: &[Value]) {
        self.scenario_commands += 1;
        let n = self.commands.len();
        let correlation = self.store.command_correlation(n as u64 + 1);
        let _ = self.execute_in(program, command, fields, correlation, Cause::Scenario);
    }

    /// Runs until nothing is left to do (or `until`).
    pub fn run(&mut self, until: Option<i64>) -> Result<(), SimError> {
        while self.step(until)? {}
        Ok(())
    }

    /// Now, as a stamp for changes outside the log.
    fn stamp(&self) -> Stamp {
        (self.store.records.len() as u64, self.clock.now)
    }

    fn note(&mut self, change: Change) {
        if let (Some(w), Change::Saga { saga, key, .. }) = (&mut self.watching, &change) {
            w.saga(*saga, key);
        }
        self.journal
            .push((self.store.records.len() as u64, self.clock.now, change));
    }

    /// How many commands were rejected.
    pub fn rejected(&self) -> usize {
        self.rejected
    }
}
