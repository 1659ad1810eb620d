//! The simulation engine: commands decided by aggregates, events appended to the store and
//! delivered at least once to subscribers (policies, sagas, read models, external systems)
//! with latency, injected failures, retries with backoff, a dead-letter queue, duplicates
//! and idempotent consumers — all on a virtual clock, deterministic from the seed.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use super::chunked::Chunked;
use super::clock::Scheduler;
pub use super::fold::Instance;
use super::fold::{Table, coerce, project};
use super::hash::FastMap;
use super::program::{IssueDef, OutcomeDef, Program, SimError, Source, SubscriberKind, Target};
use super::rng::Rng;
pub use super::saga::{ArmedDeadline, Instances, SagaInstance, Stamp};
use super::store::{Cause, EventStore, Expected, NewEvent, derived_id};
use crate::model::expr::{EvalError, RootValue, Value};

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

/// A command that was handled (accepted or rejected).
#[derive(Clone, Debug, PartialEq)]
pub struct CommandRecord {
    /// When.
    pub time: i64,
    /// Command type.
    pub command: usize,
    /// Target id.
    pub target: Arc<str>,
    /// Correlation id (interned in the store).
    pub correlation: u32,
    /// What caused it.
    pub cause: Cause,
    /// None: accepted; Some(reason): rejected.
    pub rejection: Option<String>,
    /// Positions of the events it appended (they follow one another).
    pub events: Range<u64>,
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
}

/// Per-subscriber delivery state.
#[derive(Clone, Debug, Default)]
struct SubState {
    /// The streams with a message in flight to the subscriber, one bit each: the stream's
    /// next messages wait until it is handled or parked (per-stream order).
    in_flight: Vec<u64>,
    /// Per stream, the messages waiting behind the one in flight (most streams have none:
    /// they cost no entry): positions, each with the clock's sequence number of its dispatch,
    /// so that it goes out in its place among other streams' messages.
    waiting: FastMap<u32, VecDeque<(u64, u64)>>,
    /// Positions handled, one bit each (for idempotent consumers).
    handled: Vec<u64>,
    /// Deliveries handled, duplicates included.
    deliveries: u64,
    /// Per virtual minute with deliveries, the longest wait from append to handling.
    delays: Vec<DelaySample>,
}

/// The longest delivery delay a subscriber saw in one virtual minute: how far behind the log
/// it ran (latency, retries with backoff, outages).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DelaySample {
    /// The minute, as ms since the epoch of its start.
    pub minute: i64,
    /// The longest wait from append to handling in that minute, ms.
    pub max_ms: i64,
}

impl SubState {
    fn is_busy(&self, stream: u32) -> bool {
        self.in_flight
            .get((stream / 64) as usize)
            .is_some_and(|w| w & (1 << (stream % 64)) != 0)
    }

    fn set_busy(&mut self, stream: u32, busy: bool) {
        let i = (stream / 64) as usize;
        if i >= self.in_flight.len() {
            if !busy {
                return;
            }
            self.in_flight.resize(i + 1, 0);
        }
        if busy {
            self.in_flight[i] |= 1 << (stream % 64);
        } else {
            self.in_flight[i] &= !(1 << (stream % 64));
        }
    }

    fn was_handled(&self, position: u64) -> bool {
        self.handled
            .get((position / 64) as usize)
            .is_some_and(|w| w & (1 << (position % 64)) != 0)
    }

    fn note_delay(&mut self, now: i64, appended: i64) {
        let minute = now - now.rem_euclid(60_000);
        let wait = now.saturating_sub(appended);
        match self.delays.last_mut() {
            Some(last) if last.minute == minute => last.max_ms = last.max_ms.max(wait),
            _ => self.delays.push(DelaySample {
                minute,
                max_ms: wait,
            }),
        }
    }

    fn mark_handled(&mut self, position: u64) {
        let i = (position / 64) as usize;
        if i >= self.handled.len() {
            self.handled.resize(i + 1, 0);
        }
        self.handled[i] |= 1 << (position % 64);
    }
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
    pub(in crate::sim) aggregates: Vec<FastMap<Arc<str>, Instance>>,
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
    scratch: Vec<NewEvent>,
    statuses: Statuses,
    field_buf: Vec<Value>,
    payload_buf: Vec<Value>,
    /// Per aggregate, its name interned in the store (the owner of its streams).
    owners: Vec<u32>,
    rejected: usize,
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
            dlq: Vec::new(),
            journal: Vec::new(),
            commands: Chunked::default(),
            clock: Scheduler::new(start),
            seed,
            rng_faults: Rng::new(seed, "faults"),
            rng_outcomes: Rng::new(seed, "outcomes"),
            next_token: 0,
            actions: 0,
            scratch: Vec::new(),
            field_buf: Vec::new(),
            payload_buf: Vec::new(),
            rejected: 0,
            statuses: Statuses {
                running: Arc::from("Running"),
                compensated: Arc::from("Compensated"),
                timed_out: Arc::from("TimedOut"),
            },
        }
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

    /// Appends a prior (`given`) event: applied to its aggregate and projected into read
    /// models as history; policies, sagas and external systems do not react to it.
    pub fn given(&mut self, event: usize, payload: Vec<Value>) {
        let program = self.program.clone();
        let correlation = self.store.intern("given");
        let Some(position) =
            self.append_outside(&program, event, payload, correlation, Cause::Given)
        else {
            return;
        };
        for &sub in &program.by_event[event] {
            if let SubscriberKind::ReadModel(_) = program.subscribers[sub].kind {
                let _ = self.handle(&program, sub, position);
            }
        }
    }

    /// The stream of an event appended outside a command, `Owner/key` (and the aggregate and
    /// key if an aggregate owns it: its instance is made with its stream if new).
    fn stream_of(&mut self, event: usize, payload: &[Value]) -> (u32, Option<(usize, Arc<str>)>) {
        let def = &self.program.events[event];
        let key = def
            .key_slot
            .and_then(|s| payload.get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        let owner = match def.owner {
            Some(Target::Aggregate(a)) => {
                // An aggregate's streams are found through its instances, not by name.
                let stream = match self.aggregates[a].get(&key) {
                    Some(inst) => inst.stream,
                    None => {
                        let stream = self.store.new_stream(self.owners[a], &key);
                        let inst = Instance::new(&self.program.aggregates[a], stream);
                        self.aggregates[a].insert(key.clone(), inst);
                        stream
                    }
                };
                return (stream, Some((a, key)));
            }
            Some(Target::External(x)) => &self.program.externals[x].name,
            None => &def.name,
        };
        let owner = self.store.intern(owner);
        (self.store.stream(owner, &key), None)
    }

    /// Applies the event at `position` to instance `key` of aggregate `a`: an event of its
    /// stream appended outside its commands (history, a translation, an answer).
    fn apply_at(&mut self, program: &Program, a: usize, key: &Arc<str>, position: u64) {
        let Some(r) = self.store.records.get(position as usize) else {
            return;
        };
        if let Some(inst) = self.aggregates[a].get_mut(key) {
            let payload = self.store.payload(r);
            let _ = super::fold::apply(
                &program.aggregates[a],
                inst,
                r.event as usize,
                payload,
                r.time,
            );
        }
    }

    /// Computes one field's value from its source over `roots`, the target id for
    /// `Source::Target`.
    fn value(
        (source, field): (&Source, &crate::model::Field),
        roots: &[RootValue<'_>],
        target: &Value,
    ) -> Result<Value, EvalError> {
        let v = match source {
            Source::Expr(e) => e.eval(roots)?,
            Source::Copy(r, slot) => match roots.get(*r) {
                Some(RootValue::Record(rec)) => rec.get(*slot).cloned().unwrap_or_default(),
                _ => Value::None,
            },
            Source::Target => target.clone(),
            Source::Zero(z) => z.clone(),
        };
        Ok(coerce(v, &field.ty))
    }

    /// Computes field values from sources (see `value`), as an event's payload, onto the end
    /// of `out`; returns how many.
    fn values(
        out: &mut Vec<Value>,
        sources: &[Source],
        fields: &[crate::model::Field],
        roots: &[RootValue<'_>],
        target: &Value,
    ) -> Result<u32, EvalError> {
        let before = out.len();
        for pair in sources.iter().zip(fields) {
            out.push(Self::value(pair, roots, target)?);
        }
        Ok((out.len() - before) as u32)
    }

    /// Handles a command now: decides, appends, applies and dispatches. Returns the new
    /// positions, or the rejection reason.
    pub fn execute(
        &mut self,
        command: usize,
        fields: &[Value],
        correlation: u32,
        cause: Cause,
    ) -> Result<Range<u64>, String> {
        let program = self.program.clone();
        self.execute_in(&program, command, fields, correlation, cause)
    }

    /// `execute` with the program at hand (one `Arc` clone per action, not per call).
    fn execute_in(
        &mut self,
        program: &Program,
        command: usize,
        fields: &[Value],
        correlation: u32,
        cause: Cause,
    ) -> Result<Range<u64>, String> {
        let cdef = &program.commands[command];
        let key = cdef
            .key_slot
            .and_then(|s| fields.get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        // Reserve this command's slot first: commands it triggers are logged after it.
        let index = self.commands.len();
        self.commands.push(CommandRecord {
            time: self.clock.now,
            command,
            target: key.clone(),
            correlation,
            cause,
            rejection: None,
            events: 0..0,
        });
        let own = Cause::Command(index as u32);
        let result = match cdef.target {
            Target::External(x) => {
                if let Some(outcomes) = program.externals[x].on_command.get(&command) {
                    self.react(outcomes, fields, correlation, own);
                }
                Ok(0..0)
            }
            Target::Aggregate(a) => {
                self.decide(program, a, command, &key, fields, correlation, own)
            }
        };
        if let Some(rec) = self.commands.get_mut(index) {
            match &result {
                Ok(events) => rec.events = events.clone(),
                Err(reason) => {
                    rec.rejection = Some(reason.clone());
                    self.rejected += 1;
                }
            }
        }
        result
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "the command's parts, passed apart"
    )]
    fn decide(
        &mut self,
        program: &Program,
        a: usize,
        command: usize,
        key: &Arc<str>,
        fields: &[Value],
        correlation: u32,
        cause: Cause,
    ) -> Result<Range<u64>, String> {
        let def = &program.aggregates[a];
        let cname = &program.commands[command].name;
        let Some(h) = def.handlers.get(&command) else {
            return Err(format!("{} has no handler for {cname}", def.name));
        };
        // Looking at an instance does not create it: only appended events do. One lookup
        // serves the decision, the append and the apply.
        let (seed, time) = (self.seed, self.clock.now);
        let mut found = self.aggregates[a].get_mut(key);
        let inst: &Instance = found.as_deref().unwrap_or(&def.fresh);
        if !h.states.is_empty() && !h.states.contains(&inst.lifecycle) {
            let state_name = def.lifecycle.get(inst.lifecycle).map_or("", |s| s.as_str());
            return Err(format!(
                "{cname} is not allowed while {} {key} is {state_name}",
                def.name
            ));
        }
        let now = Value::Ts(time);
        let roots = [
            RootValue::Record(fields),
            RootValue::Record(&inst.state),
            RootValue::Scalar(&now),
        ];
        for (g, reject) in &h.guards {
            match g.eval(&roots) {
                Ok(Value::Bool(true)) => {}
                Ok(_) => return Err(reject.clone()),
                Err(e) => return Err(format!("{reject} ({e} in `{}`)", g.source())),
            }
        }
        let start = self.store.records.len() as u64;
        // Buffers taken this way are always put back empty (or lost, on an error).
        let mut news = std::mem::take(&mut self.scratch);
        // The payloads go straight to the store's staging area (no allocation of their own).
        let staging = self.store.staging();
        for (i, em) in h.emits.iter().enumerate() {
            let event = &program.events[em.event];
            let fields =
                match Self::values(staging, &em.fields, &event.fields, &roots, &Value::None) {
                    Ok(n) => n,
                    Err(e) => {
                        staging.clear();
                        return Err(format!("cannot compute {}: {e}", event.name));
                    }
                };
            news.push(NewEvent {
                id: derived_id(seed, start + i as u64),
                event: em.event as u32,
                time,
                correlation,
                causation: cause,
                fields,
            });
        }
        let (version, stream) = match &found {
            Some(inst) => (inst.version, inst.stream),
            None if news.is_empty() => {
                // Nothing to append: no stream, no instance.
                self.scratch = news;
                return Ok(start..start);
            }
            None => (0, self.store.new_stream(self.owners[a], key)),
        };
        let expected = if version == 0 {
            Expected::NoStream
        } else {
            Expected::Exact(version)
        };
        let appended = self.store.append(stream, expected, news.drain(..));
        self.scratch = news;
        let positions = appended.map_err(|c| c.to_string())?;
        if positions.is_empty() {
            return Ok(positions);
        }
        let inst = match found.take() {
            Some(inst) => inst,
            None => self.aggregates[a]
                .entry(key.clone())
                .or_insert_with(|| Instance::new(def, stream)),
        };
        for pos in positions.clone() {
            let r = &self.store.records[pos as usize];
            let payload = self.store.payload(r);
            if let Err(e) = super::fold::apply(def, inst, r.event as usize, payload, r.time) {
                return Err(format!(
                    "applying {}: {e}",
                    program.events[r.event as usize].name
                ));
            }
        }
        for pos in positions.clone() {
            self.dispatch(program, pos);
        }
        Ok(positions)
    }

    /// Schedules an external system's answer to a message.
    fn react(&mut self, outcomes: &[OutcomeDef], msg: &[Value], correlation: u32, cause: Cause) {
        let now = Value::Ts(self.clock.now);
        let roots = [RootValue::Record(msg), RootValue::Scalar(&now)];
        let candidates: Vec<&OutcomeDef> = outcomes
            .iter()
            .filter(|o| {
                o.when
                    .as_ref()
                    .is_none_or(|w| matches!(w.eval(&roots), Ok(Value::Bool(true))))
            })
            .collect();
        let total: f64 = candidates.iter().map(|o| o.probability.max(0.0)).sum();
        if candidates.is_empty() || total <= 0.0 {
            return;
        }
        let mut pick = self.rng_outcomes.unit() * total;
        let chosen = candidates.iter().find(|o| {
            pick -= o.probability.max(0.0);
            pick < 0.0
        });
        let Some(o) = chosen.or(candidates.last()) else {
            return;
        };
        let mut payload = Vec::new();
        if Self::values(
            &mut payload,
            &o.fields,
            &self.program.events[o.event].fields,
            &roots,
            &Value::None,
        )
        .is_ok()
        {
            self.clock.at(
                self.clock.now + o.after_ms,
                Action::Respond {
                    event: o.event,
                    payload,
                    correlation,
                    cause,
                },
            );
        }
    }

    /// Appends one event outside a command (history, an external system's answer, a
    /// translation) to its stream, applied to its aggregate instance if an aggregate owns it;
    /// the caller hands it on. Returns its position, or None if the store refused it.
    fn append_outside(
        &mut self,
        program: &Program,
        event: usize,
        payload: Vec<Value>,
        correlation: u32,
        cause: Cause,
    ) -> Option<u64> {
        let (stream, agg) = self.stream_of(event, &payload);
        let position = self.store.records.len() as u64;
        let new = NewEvent {
            id: self.event_id(position),
            event: event as u32,
            time: self.clock.now,
            correlation,
            causation: cause,
            fields: payload.len() as u32,
        };
        self.store.staging().extend(payload);
        let appended = self.store.append(stream, Expected::Any, [new]).ok()?;
        if appended.is_empty() {
            return None;
        }
        if let Some((a, key)) = agg {
            self.apply_at(program, a, &key, position);
        }
        Some(position)
    }

    /// Hands a new event to its subscribers and translations.
    fn dispatch(&mut self, program: &Program, position: u64) {
        let Some(rec) = self.store.records.get(position as usize) else {
            return;
        };
        let (event, stream, time) = (rec.event as usize, rec.stream, rec.time);
        for &sub in &program.by_event[event] {
            if self.takes_at_once(program, sub, stream) {
                self.deliver_at_once(program, sub, position, stream);
                continue;
            }
            let delay = self.latency_ms(program, sub);
            let bypass = self.rng_faults.chance(self.faults[sub].reorder_rate);
            if bypass {
                self.clock.at(
                    time + delay,
                    Action::Deliver {
                        sub,
                        position,
                        attempt: 1,
                        queued: false,
                    },
                );
                continue;
            }
            let state = &mut self.subs[sub];
            if state.is_busy(stream) {
                let place = (position, self.clock.reserve());
                state.waiting.entry(stream).or_default().push_back(place);
            } else {
                state.set_busy(stream, true);
                self.clock.at(
                    time + delay,
                    Action::Deliver {
                        sub,
                        position,
                        attempt: 1,
                        queued: true,
                    },
                );
            }
        }
        if program.translations[event].is_empty() {
            return;
        }
        let Some(rec) = self.store.records.get(position as usize) else {
            return;
        };
        let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
        for t in &program.translations[event] {
            let now = Value::Ts(self.clock.now);
            let mut translated = Vec::new();
            if Self::values(
                &mut translated,
                &t.fields,
                &program.events[t.into].fields,
                &[RootValue::Record(&payload), RootValue::Scalar(&now)],
                &Value::None,
            )
            .is_ok()
            {
                let cause = Cause::Event(position);
                if let Some(p) =
                    self.append_outside(program, t.into, translated, correlation, cause)
                {
                    self.dispatch(program, p);
                }
            }
        }
    }

    /// Moves a subscriber's stream queue past its head.
    fn advance(&mut self, sub: usize, position: u64) {
        let Some(stream) = self.store.records.get(position as usize).map(|r| r.stream) else {
            return;
        };
        // A stream's queue exists only while messages of it wait: streams that are done cost
        // nothing (a run over a million short streams stays small).
        let state = &mut self.subs[sub];
        let mut next = None;
        if !state.waiting.is_empty()
            && let Some(q) = state.waiting.get_mut(&stream)
        {
            next = q.pop_front();
            if q.is_empty() {
                state.waiting.remove(&stream);
            }
        }
        let Some((n, seq)) = next else {
            state.set_busy(stream, false);
            return;
        };
        let ready = self
            .store
            .records
            .get(n as usize)
            .map_or(self.clock.now, |r| {
                r.time + self.latency_ms(&self.program, sub)
            });
        let action = Action::Deliver {
            sub,
            position: n,
            attempt: 1,
            queued: true,
        };
        self.clock.at_seq(ready, seq, action);
    }

    /// A subscriber's delivery latency: its own plus the fault plan's extra.
    fn latency_ms(&self, program: &Program, sub: usize) -> i64 {
        program.subscribers[sub].delivery.latency_ms + self.faults[sub].latency_ms
    }

    /// Delivers one message to a subscriber: injected faults, the idempotent check, the
    /// handling, then its outcome (see `delivered`).
    fn deliver(
        &mut self,
        program: &Program,
        sub: usize,
        position: u64,
        attempt: u32,
        queued: bool,
    ) {
        let now = self.clock.now;
        let fault = &self.faults[sub];
        let idempotent = fault
            .idempotent
            .unwrap_or(program.subscribers[sub].delivery.idempotent);
        let failure_rate = fault.failure_rate;
        let injected = if fault.outages.iter().any(|(a, b)| now >= *a && now < *b) {
            Some("unavailable (outage)".to_owned())
        } else if self.rng_faults.chance(failure_rate) {
            Some("delivery failed (injected fault)".to_owned())
        } else {
            None
        };
        let result = match injected {
            Some(e) => Err(e),
            None if idempotent && self.subs[sub].was_handled(position) => Ok(()),
            None => self.handle(program, sub, position),
        };
        self.delivered(program, sub, position, attempt, queued, result);
    }

    /// Whether subscriber `sub` takes the event at `position` (of `stream`) the moment it is
    /// appended: a read model with no latency and no faults, and nothing of the stream still
    /// in flight to it. Such a delivery is the same as one through the clock, which would run
    /// at this very virtual time; the log, the read model (in log order, as a rebuild makes
    /// it), the checkpoints and the random streams all come out alike, and it costs no
    /// scheduling.
    fn takes_at_once(&self, program: &Program, sub: usize, stream: u32) -> bool {
        let fault = &self.faults[sub];
        matches!(program.subscribers[sub].kind, SubscriberKind::ReadModel(_))
            && program.subscribers[sub].delivery.latency_ms == 0
            && fault.latency_ms == 0
            && fault.failure_rate <= 0.0
            && fault.duplicate_rate <= 0.0
            && fault.reorder_rate <= 0.0
            && fault.outages.is_empty()
            && !self.subs[sub].is_busy(stream)
    }

    /// Delivers the event at `position` to `sub` now, in the middle of the action that
    /// appended it (see `takes_at_once`). A failed handling becomes the stream's head in
    /// flight, retried through the clock like any other.
    fn deliver_at_once(&mut self, program: &Program, sub: usize, position: u64, stream: u32) {
        let result = self.handle(program, sub, position);
        let queued = result.is_err();
        if queued {
            self.subs[sub].set_busy(stream, true);
        }
        self.delivered(program, sub, position, 1, queued, result);
    }

    /// The outcome of a delivery attempt: on success the checkpoint moves (and the stream's
    /// next message goes out, and a duplicate may be injected); on failure a retry with
    /// backoff, or parking in the dead-letter queue after the last attempt.
    fn delivered(
        &mut self,
        program: &Program,
        sub: usize,
        position: u64,
        attempt: u32,
        queued: bool,
        result: Result<(), String>,
    ) {
        let now = self.clock.now;
        let d = &program.subscribers[sub].delivery;
        let (latency_ms, max_attempts, backoff_ms) = (d.latency_ms, d.max_attempts, d.backoff_ms);
        let duplicate_rate = self.faults[sub].duplicate_rate;
        match result {
            Ok(()) => {
                let state = &mut self.subs[sub];
                if !state.was_handled(position) {
                    // The first handling (in order, or redriven): how long it waited.
                    let appended = self
                        .store
                        .records
                        .get(position as usize)
                        .map_or(now, |r| r.time);
                    state.note_delay(now, appended);
                }
                state.mark_handled(position);
                state.deliveries += 1;
                if queued {
                    self.advance(sub, position);
                    if self.rng_faults.chance(duplicate_rate) {
                        self.clock.at(
                            now + latency_ms.max(1),
                            Action::Deliver {
                                sub,
                                position,
                                attempt: 1,
                                queued: false,
                            },
                        );
                    }
                }
            }
            Err(_) if attempt < max_attempts => {
                let backoff = backoff_ms.saturating_mul(1i64 << (attempt - 1).min(20));
                self.clock.at(
                    now.saturating_add(backoff),
                    Action::Deliver {
                        sub,
                        position,
                        attempt: attempt + 1,
                        queued,
                    },
                );
            }
            Err(error) => {
                let parked = Parked {
                    subscriber: sub,
                    position,
                    attempts: attempt,
                    error,
                    time: now,
                };
                self.note(Change::Parked(parked.clone()));
                self.dlq.push(parked);
                if queued {
                    self.advance(sub, position);
                }
            }
        }
    }

    /// Issues a command from an event's data (a policy, a saga step, a compensation) for
    /// `cause`.
    fn issue(
        &mut self,
        program: &Program,
        issue: &IssueDef,
        event_payload: &[Value],
        correlation: u32,
        cause: Cause,
    ) -> Result<Range<u64>, String> {
        let now = Value::Ts(self.clock.now);
        let roots = [RootValue::Record(event_payload), RootValue::Scalar(&now)];
        let target = match &issue.target {
            Source::Expr(e) => e.eval(&roots).map_err(|e| e.to_string())?,
            Source::Copy(_, s) => event_payload.get(*s).cloned().unwrap_or_default(),
            Source::Target | Source::Zero(_) => Value::str(""),
        };
        // The command's fields live only while it is handled: in a reused buffer.
        let mut fields = std::mem::take(&mut self.field_buf);
        for pair in issue
            .fields
            .iter()
            .zip(&program.commands[issue.command].fields)
        {
            fields.push(Self::value(pair, &roots, &target).map_err(|e| e.to_string())?);
        }
        let result = self.execute_in(program, issue.command, &fields, correlation, cause);
        fields.clear();
        self.field_buf = fields;
        result
    }

    /// A subscriber handles one event. An error fails the delivery (retried, then parked).
    fn handle(&mut self, program: &Program, sub: usize, position: u64) -> Result<(), String> {
        let Some(rec) = self.store.records.get(position as usize) else {
            return Ok(());
        };
        if let SubscriberKind::ReadModel(r) = program.subscribers[sub].kind {
            return project(
                &program.read_models[r],
                &mut self.read_models[r],
                rec.event as usize,
                self.store.payload(rec),
                rec.time,
            )
            .map_err(|e| e.to_string());
        }
        let (event, correlation) = (rec.event as usize, rec.correlation);
        // The payload is copied out (into a reused buffer): handling it appends to the store.
        let mut payload = std::mem::take(&mut self.payload_buf);
        payload.extend_from_slice(self.store.payload(rec));
        let now = Value::Ts(self.clock.now);
        let cause = Cause::Event(position);
        let result = match &program.subscribers[sub].kind {
            SubscriberKind::Policy { when, issue, .. } => {
                let go = match when {
                    None => Ok(true),
                    Some(w) => {
                        match w.eval(&[RootValue::Record(&payload), RootValue::Scalar(&now)]) {
                            Ok(v) => Ok(v == Value::Bool(true)),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                };
                if go == Ok(true) {
                    let _ = self.issue(program, issue, &payload, correlation, cause);
                }
                go.map(|_| ())
            }
            SubscriberKind::ReadModel(_) => Ok(()),
            SubscriberKind::External(x) => {
                if let Some(outcomes) = program.externals[*x].on_event.get(&event) {
                    self.react(outcomes, &payload, correlation, cause);
                }
                Ok(())
            }
            SubscriberKind::Saga(s) => {
                self.saga_event(program, *s, event, position, &payload, correlation);
                Ok(())
            }
        };
        payload.clear();
        self.payload_buf = payload;
        result
    }

    fn saga_event(
        &mut self,
        program: &Program,
        s: usize,
        event: usize,
        position: u64,
        payload: &[Value],
        correlation: u32,
    ) {
        let def = &program.sagas[s];
        let Some(key) = def
            .correlation
            .get(&event)
            .and_then(|slot| payload.get(*slot))
        else {
            return;
        };
        // The instance is found once; below it is reached by its place.
        let running = &self.statuses.running;
        let place = match self.sagas[s].find(key) {
            Some(p)
                if self.sagas[s]
                    .at_mut(p)
                    .is_some_and(|i| Arc::ptr_eq(&i.status, running)) =>
            {
                p
            }
            Some(_) => return,
            None if event != def.start => return,
            None => {
                let p = self.sagas[s].start(
                    key.clone(),
                    SagaInstance {
                        status: running.clone(),
                        taken: Vec::new(),
                        deadlines: Vec::new(),
                        start: position,
                        compensations: Vec::new(),
                    },
                );
                let status = running.clone();
                self.note(Change::Saga {
                    saga: s,
                    key: key.clone(),
                    status,
                });
                p
            }
        };
        let now = Value::Ts(self.clock.now);
        for (i, step) in def
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.on == event)
        {
            if let Some(w) = &step.when
                && !matches!(
                    w.eval(&[RootValue::Record(payload), RootValue::Scalar(&now)]),
                    Ok(Value::Bool(true))
                )
            {
                continue;
            }
            let issued = self.commands.len();
            let cause = Cause::Event(position);
            match self.issue(program, &step.issue, payload, correlation, cause) {
                Ok(_) => {
                    if let Some(inst) = self.sagas[s].at_mut(place) {
                        inst.taken.push((i, position));
                    }
                }
                Err(_) => {
                    // The rejected command is the failure's cause (when it got as far as
                    // being issued; a step whose fields could not be computed has none).
                    let failure = if self.commands.len() > issued {
                        Cause::Command(issued as u32)
                    } else {
                        cause
                    };
                    let failed = self.statuses.compensated.clone();
                    self.saga_fail(program, s, key, &failed, failure);
                    return;
                }
            }
            // An issued command only schedules deliveries: the instance is still running.
        }
        let stamp = self.stamp();
        for (d, dl) in def.deadlines.iter().enumerate() {
            if dl.until.contains(&event)
                && let Some(inst) = self.sagas[s].at_mut(place)
            {
                inst.end_deadlines(Some(d), stamp);
            }
            if dl.from == event {
                self.next_token += 1;
                let token = self.next_token;
                let due = self.clock.now + dl.after_ms;
                if let Some(inst) = self.sagas[s].at_mut(place) {
                    inst.deadlines.push(ArmedDeadline {
                        deadline: d,
                        due,
                        armed: position,
                        set: stamp,
                        ended: None,
                        token,
                    });
                }
                self.clock.at(
                    due,
                    Action::Deadline {
                        saga: s,
                        key: key.clone(),
                        token,
                    },
                );
            }
        }
        if let Some((_, status)) = def.ends.iter().find(|(e, _)| *e == event)
            && let Some(inst) = self.sagas[s].at_mut(place)
        {
            inst.status = status.clone();
            inst.end_deadlines(None, stamp);
            self.note(Change::Saga {
                saga: s,
                key: key.clone(),
                status: status.clone(),
            });
        }
    }

    /// Compensates the steps taken, in reverse, then issues the failure command; `failure`
    /// (the rejected command, the expired deadline) is their cause.
    fn saga_fail(
        &mut self,
        program: &Program,
        s: usize,
        key: &Value,
        status: &Arc<str>,
        failure: Cause,
    ) {
        let def = &program.sagas[s];
        let now = self.stamp();
        let Some(inst) = self.sagas[s].get_mut(key) else {
            return;
        };
        inst.status = status.clone();
        inst.end_deadlines(None, now);
        let taken = inst.taken.clone();
        let start = inst.start;
        self.note(Change::Saga {
            saga: s,
            key: key.clone(),
            status: status.clone(),
        });
        for (step, pos) in taken.into_iter().rev() {
            if let Some(comp) = def.steps.get(step).and_then(|st| st.compensate.as_ref())
                && let Some(rec) = self.store.records.get(pos as usize)
            {
                let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
                let issued = self.stamp();
                let _ = self.issue(program, comp, &payload, correlation, failure);
                if let Some(inst) = self.sagas[s].get_mut(key) {
                    inst.compensations.push(issued);
                }
            }
        }
        if let Some(f) = &def.on_failure
            && let Some(rec) = self.store.records.get(start as usize)
        {
            let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
            let _ = self.issue(program, f, &payload, correlation, failure);
        }
    }

    /// Runs one scheduled action. Returns false when nothing is left (or past `until`).
    pub fn step(&mut self, until: Option<i64>) -> Result<bool, SimError> {
        if let (Some(u), Some(t)) = (until, self.clock.peek_time())
            && t > u
        {
            return Ok(false);
        }
        let Some((_, action)) = self.clock.pop() else {
            return Ok(false);
        };
        self.actions += 1;
        if self.actions > MAX_ACTIONS {
            return Err(SimError::Runaway(MAX_ACTIONS));
        }
        let program = self.program.clone();
        match action {
            Action::Command { command, fields } => {
                let n = self.commands.len();
                let correlation = self.store.intern(&format!("c-{}", n + 1));
                let _ = self.execute_in(&program, command, &fields, correlation, Cause::Scenario);
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
                    let timed_out = self.statuses.timed_out.clone();
                    self.saga_fail(&program, saga, &key, &timed_out, Cause::Deadline(armed));
                }
            }
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
        Ok(true)
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
        self.journal
            .push((self.store.records.len() as u64, self.clock.now, change));
    }

    /// How many commands were rejected.
    pub fn rejected(&self) -> usize {
        self.rejected
    }

    /// Subscriber `sub`'s delivery delays, one sample per virtual minute in which it first
    /// handled an event (in order or redriven; duplicates not counted), in time order.
    pub fn delays(&self, sub: usize) -> &[DelaySample] {
        self.subs.get(sub).map_or(&[], |s| &s.delays)
    }

    /// How many times each subscriber handled an event (duplicates included).
    pub fn deliveries(&self, sub: usize) -> u64 {
        self.subs.get(sub).map_or(0, |s| s.deliveries)
    }
}
