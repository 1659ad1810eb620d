//! Delivery to subscribers (read models, policies, sagas, external systems): at least once,
//! in per-stream order, with latency, injected failures and duplicates, retries with backoff,
//! parking in the dead-letter queue, and idempotent consumers.

use std::collections::VecDeque;
use std::ops::Range;

use super::Engine;
use super::{Action, Change, Parked};

use crate::model::expr::{RootValue, Value};
use crate::sim::fold::project;
use crate::sim::hash::FastMap;
use crate::sim::program::{IssueDef, Program, Source, SubscriberKind};
use crate::sim::store::Cause;

/// Per-subscriber delivery state.
#[derive(Clone, Debug, Default)]
pub(super) struct SubState {
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
    /// A policy's: the messages on which its condition held (it issued or armed its
    /// command), and those on which it did not.
    decided: [u64; 2],
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

impl Engine {
    /// A new event: cancels the timers it cancels, then goes to its subscribers and
    /// translations.
    #[inline]
    pub(super) fn dispatch(&mut self, program: &Program, position: u64) {
        self.hand_out_after(program, position, true);
    }

    /// Hands a new event to its subscribers and translations (the timers it cancels are
    /// cancelled already).
    #[inline]
    pub(super) fn hand_out(&mut self, program: &Program, position: u64) {
        self.hand_out_after(program, position, false);
    }

    /// Hands a new event out, first cancelling the timers it cancels if `cancel`.
    fn hand_out_after(&mut self, program: &Program, position: u64, cancel: bool) {
        let Some(rec) = self.store.records.get(position as usize) else {
            return;
        };
        let (event, stream, time) = (rec.event as usize, rec.stream, rec.time);
        if cancel && program.cancels.get(event).is_some_and(|c| !c.is_empty()) {
            self.cancel_timers(program, position);
        }
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
    pub(super) fn advance(&mut self, sub: usize, position: u64) {
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
    pub(super) fn latency_ms(&self, program: &Program, sub: usize) -> i64 {
        program.subscribers[sub].delivery.latency_ms + self.faults[sub].latency_ms
    }

    /// Delivers one message to a subscriber: injected faults, the idempotent check, the
    /// handling, then its outcome (see `delivered`).
    pub(super) fn deliver(
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
    pub(super) fn takes_at_once(&self, program: &Program, sub: usize, stream: u32) -> bool {
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
    pub(super) fn deliver_at_once(
        &mut self,
        program: &Program,
        sub: usize,
        position: u64,
        stream: u32,
    ) {
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
    pub(super) fn delivered(
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
    pub(super) fn issue(
        &mut self,
        program: &Program,
        issue: &IssueDef,
        source: (&[Value], &[RootValue<'_>]),
        correlation: u32,
        cause: Cause,
    ) -> Result<Range<u64>, String> {
        // The command's fields live only while it is handled: in a reused buffer.
        let mut fields = std::mem::take(&mut self.field_buf);
        let result = match self.compute_issue(program, issue, source, &mut fields) {
            Ok(()) => self.execute_in(program, issue.command, &fields, correlation, cause),
            Err(e) => Err(self.uncomputable(program, issue.command, e, correlation, cause)),
        };
        fields.clear();
        self.field_buf = fields;
        result
    }

    /// Works out the fields of the command `issue` issues from an event's payload (and the
    /// roots after the read models, at most two: a policy's fan-out element; a saga's state,
    /// then its step's fan-out element), onto the end of `fields`.
    pub(super) fn compute_issue(
        &self,
        program: &Program,
        issue: &IssueDef,
        (event_payload, extra): (&[Value], &[RootValue<'_>]),
        fields: &mut Vec<Value>,
    ) -> Result<(), crate::model::expr::EvalError> {
        let now = Value::Ts(self.clock.now);
        let plain = crate::sim::fold::Projected::new(&self.read_models, &self.aggregates);
        // The command about to be issued is the next one logged.
        let recorded = self
            .looked
            .as_deref()
            .map(|log| crate::sim::fold::Recorded {
                tables: plain,
                log,
                command: self.commands.len() as u32,
            });
        let tables: &dyn crate::model::expr::Tables = match &recorded {
            Some(r) => r,
            None => &plain,
        };
        let roots = [
            RootValue::Record(event_payload),
            RootValue::Scalar(&now),
            RootValue::Tables(tables),
            extra
                .first()
                .copied()
                .unwrap_or(RootValue::Scalar(&Value::None)),
            extra
                .get(1)
                .copied()
                .unwrap_or(RootValue::Scalar(&Value::None)),
        ];
        Self::issued(program, issue, &roots, fields)
    }

    /// Works out the target and fields of the command `issue` issues over `roots` (as its
    /// expressions were compiled), the fields onto the end of `fields`.
    #[inline]
    pub(super) fn issued(
        program: &Program,
        issue: &IssueDef,
        roots: &[RootValue<'_>],
        fields: &mut Vec<Value>,
    ) -> Result<(), crate::model::expr::EvalError> {
        let target = match &issue.target {
            Source::Expr(e) => e.eval(roots)?,
            Source::Copy(r, s) => match roots.get(*r) {
                Some(RootValue::Record(rec)) => rec.get(*s).cloned().unwrap_or_default(),
                _ => Value::None,
            },
            Source::Target | Source::Zero(_) => Value::str(""),
        };
        for pair in issue
            .fields
            .iter()
            .zip(&program.commands[issue.command].fields)
        {
            fields.push(Self::value(pair, roots, &target)?);
        }
        Ok(())
    }

    /// Records command `command`, whose target or fields could not be computed, as rejected
    /// for that reason (so that it shows in the log); returns the reason.
    pub(super) fn uncomputable(
        &mut self,
        program: &Program,
        command: usize,
        error: crate::model::expr::EvalError,
        correlation: u32,
        cause: Cause,
    ) -> String {
        let reason = format!("cannot compute {}: {error}", program.commands[command].name);
        let mut rec =
            super::CommandRecord::new(self.clock.now, command, "".into(), correlation, cause);
        rec.rejection = Some(reason.as_str().into());
        self.commands.push(rec);
        self.rejected += 1;
        reason
    }

    /// Policy `sub` handles the event at `position` (its payload copied out): its condition,
    /// then its command at once, per element of its fan-out, or as a timer. A condition, a
    /// list or a delay that cannot be worked out fails the delivery.
    fn policy(
        &mut self,
        program: &Program,
        sub: usize,
        (payload, position): (&[Value], u64),
        correlation: u32,
    ) -> Result<(), String> {
        let SubscriberKind::Policy {
            when,
            issue,
            each,
            after,
            ..
        } = &program.subscribers[sub].kind
        else {
            return Ok(());
        };
        let now = Value::Ts(self.clock.now);
        let cause = Cause::Event(position);
        let tables = crate::sim::fold::Projected::new(&self.read_models, &self.aggregates);
        let roots = [
            RootValue::Record(payload),
            RootValue::Scalar(&now),
            RootValue::Tables(&tables),
        ];
        let go = match when {
            None => true,
            Some(w) => w.eval(&roots).map_err(|e| e.to_string())? == Value::Bool(true),
        };
        if let Some(s) = self.subs.get_mut(sub) {
            s.decided[usize::from(go)] += 1;
        }
        if !go {
            return Ok(());
        }
        // A timer's delay, worked out now.
        let delay = match after {
            None => None,
            Some(a) => match a
                .eval(&roots[..2])
                .map_err(|e| super::timer::delay_error(&e))?
            {
                Value::Dur(ms) => Some(ms),
                _ => Some(0),
            },
        };
        // One command per element, in order; a rejected one does not stop the others.
        let items = match each {
            None => None,
            Some(list) => match list.eval(&roots).map_err(|e| e.to_string())? {
                Value::List(items) => Some(items),
                _ => Some(Vec::new().into()),
            },
        };
        let one = [Value::None];
        let elements: &[Value] = items.as_deref().unwrap_or(&one);
        for item in elements {
            let element = [RootValue::Scalar(item)];
            let source = (payload, if items.is_some() { &element[..] } else { &[] });
            match delay {
                Some(ms) => {
                    self.arm_timer(program, sub, issue, source, ms, correlation, position);
                }
                None => {
                    let _ = self.issue(program, issue, source, correlation, cause);
                }
            }
        }
        Ok(())
    }

    /// A subscriber handles one event. An error fails the delivery (retried, then parked).
    pub(super) fn handle(
        &mut self,
        program: &Program,
        sub: usize,
        position: u64,
    ) -> Result<(), String> {
        let Some(rec) = self.store.records.get(position as usize) else {
            return Ok(());
        };
        if let Some(w) = &mut self.watching {
            w.record = Some(position);
        }
        if let SubscriberKind::ReadModel(r) = program.subscribers[sub].kind {
            let touched = self.watching.as_mut().and_then(|w| w.rows_of(r));
            return project(
                &program.read_models[r],
                &mut self.read_models[r],
                rec.event as usize,
                self.store.payload(rec),
                rec.time,
                touched,
            )
            .map_err(|e| e.to_string());
        }
        let (event, correlation) = (rec.event as usize, rec.correlation);
        // The payload is copied out (into a reused buffer): handling it appends to the store.
        let mut payload = std::mem::take(&mut self.payload_buf);
        payload.extend_from_slice(self.store.payload(rec));
        let cause = Cause::Event(position);
        let result = match &program.subscribers[sub].kind {
            SubscriberKind::Policy { .. } => {
                self.policy(program, sub, (&payload, position), correlation)
            }
            SubscriberKind::ReadModel(_) => Ok(()),
            SubscriberKind::External(x) => {
                if let Some(outcomes) = program.externals[*x].on_event.get(&event) {
                    self.react(outcomes, &payload, correlation, cause);
                }
                Ok(())
            }
            SubscriberKind::Saga(s) => {
                self.saga_event(program, (sub, *s), event, (&payload, position), correlation)
            }
        };
        payload.clear();
        self.payload_buf = payload;
        result
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

    /// A policy's messages on which its condition held — it issued its command (or armed
    /// its timer) — and those on which it did not: `(acted, declined)`.
    pub fn policy_decisions(&self, sub: usize) -> (u64, u64) {
        self.subs
            .get(sub)
            .map_or((0, 0), |s| (s.decided[1], s.decided[0]))
    }
}
