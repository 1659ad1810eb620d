//! Timers: a policy or saga step with `after`, or a handler's schedule, arms a timer instead
//! of issuing its command at once (the command's fields worked out then); an event of its
//! `unless` list whose id field is the timer's target cancels it; otherwise it fires and the
//! command is handled then, caused by the event that armed it (as a saga deadline's
//! compensations are).

use std::sync::Arc;

use smallvec::SmallVec;

use super::{Action, Engine, as_key};
use crate::model::expr::{EvalError, RootValue, Value};
use crate::sim::hash::FastMap;
use crate::sim::program::{IssueDef, Program, TimerOwner};
use crate::sim::saga::Stamp;
use crate::sim::store::Cause;

/// A timer as the run saw it: armed, then fired or cancelled (for the views at a cursor).
#[derive(Clone, Debug)]
pub struct Timer {
    /// Who armed it: a policy or saga, or a handler's schedule.
    pub owner: TimerOwner,
    /// The command it issues.
    pub command: usize,
    /// Its target id.
    pub target: Arc<str>,
    /// When it falls due.
    pub due: i64,
    /// The position of the event that armed it.
    pub armed: u64,
    /// When it was armed.
    pub set: Stamp,
    /// When it fired (true) or was cancelled (false); None while pending.
    pub ended: Option<(Stamp, bool)>,
}

impl Timer {
    /// Whether it is pending at a moment: armed, not yet ended, by what `shows` lets in.
    pub fn pending_at(&self, shows: impl Fn(u64, i64) -> bool) -> bool {
        shows(self.set.0, self.set.1) && self.ended.is_none_or(|(at, _)| !shows(at.0, at.1))
    }
}

/// A pending timer's command: the fields worked out when it was armed, and its correlation.
#[derive(Clone, Debug)]
struct Due {
    timer: usize,
    fields: Vec<Value>,
    correlation: u32,
    /// Its place on the clock, withdrawn when it is cancelled (none: due at once).
    handle: Option<usize>,
}

/// Every timer of the run (in the order armed), the pending ones by token, and by (owner,
/// target) for cancelling.
#[derive(Clone, Debug, Default)]
pub(in crate::sim) struct Timers {
    history: Vec<Timer>,
    pending: FastMap<u64, Due>,
    by_target: FastMap<(TimerOwner, Arc<str>), SmallVec<[u64; 1]>>,
}

impl Timers {
    fn arm(&mut self, token: u64, timer: Timer, due: Due) {
        self.by_target
            .entry((timer.owner, timer.target.clone()))
            .or_default()
            .push(token);
        self.history.push(timer);
        self.pending.insert(token, due);
    }

    /// Timer `token`, now due: its command, and its record marked fired at `now`.
    fn take(&mut self, token: u64, now: Stamp) -> Option<(&Timer, Due)> {
        let due = self.pending.remove(&token)?;
        let t = self.history.get_mut(due.timer)?;
        t.ended = Some((now, true));
        let key = (t.owner, t.target.clone());
        if let Some(tokens) = self.by_target.get_mut(&key) {
            tokens.retain(|x| *x != token);
            if tokens.is_empty() {
                self.by_target.remove(&key);
            }
        }
        Some((&self.history[due.timer], due))
    }

    /// Cancels `owner`'s pending timers on `target`; their places on the clock, to withdraw.
    fn cancel(&mut self, owner: TimerOwner, target: Arc<str>, now: Stamp) -> SmallVec<[usize; 1]> {
        let mut handles = SmallVec::new();
        for token in self.by_target.remove(&(owner, target)).unwrap_or_default() {
            if let Some(due) = self.pending.remove(&token) {
                handles.extend(due.handle);
                if let Some(t) = self.history.get_mut(due.timer) {
                    t.ended = Some((now, false));
                }
            }
        }
        handles
    }
}

impl Engine {
    /// Arms policy or saga `sub`'s timer for `issue` from the event at `armed`, due
    /// `delay_ms` from now. A command whose fields cannot be worked out is logged as rejected
    /// at once.
    #[allow(
        clippy::too_many_arguments,
        reason = "the policy, the command and the event that arms it"
    )]
    pub(super) fn arm_timer(
        &mut self,
        program: &Program,
        sub: usize,
        issue: &IssueDef,
        source: (&[Value], &[RootValue<'_>]),
        delay_ms: i64,
        correlation: u32,
        armed: u64,
    ) {
        let mut fields = Vec::new();
        // Its reads are not noted: the command they would belong to is handled later.
        let looked = self.looked.take();
        let computed = self.compute_issue(program, issue, source, &mut fields);
        self.looked = looked;
        if let Err(e) = computed {
            self.uncomputable(program, issue.command, e, correlation, Cause::Event(armed));
            return;
        }
        let due = self.clock.now.saturating_add(delay_ms.max(0));
        let owner = TimerOwner::Subscriber(sub);
        self.arm(
            program,
            (owner, issue.command),
            fields,
            due,
            correlation,
            armed,
        );
    }

    /// Arms `owner`'s timer for `command` with its `fields` worked out, due at `due` (a
    /// moment already past: now), armed by the event at `armed`.
    pub(super) fn arm(
        &mut self,
        program: &Program,
        (owner, command): (TimerOwner, usize),
        fields: Vec<Value>,
        due: i64,
        correlation: u32,
        armed: u64,
    ) {
        let target = program.commands[command]
            .key_slot
            .and_then(|s| fields.get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        self.next_token += 1;
        let token = self.next_token;
        let due = due.max(self.clock.now);
        let timer = Timer {
            owner,
            command,
            target,
            due,
            armed,
            set: self.stamp(),
            ended: None,
        };
        let handle = self.clock.at_withdrawable(due, Action::Timer { token });
        let pending = Due {
            timer: self.timers.history.len(),
            fields,
            correlation,
            handle,
        };
        self.timers.arm(token, timer, pending);
    }

    /// Timer `token` fires (unless it was cancelled): its command is handled now.
    pub(super) fn fire_timer(&mut self, program: &Program, token: u64) {
        let now = self.stamp();
        if let Some((t, due)) = self.timers.take(token, now) {
            let (command, cause) = (t.command, Cause::Deadline(t.armed));
            let _ = self.execute_in(program, command, &due.fields, due.correlation, cause);
        }
    }

    /// The event at `position` cancels the pending timers its type cancels on its target.
    pub(super) fn cancel_timers(&mut self, program: &Program, position: u64) {
        let Some(r) = self.store.records.get(position as usize) else {
            return;
        };
        let event = r.event as usize;
        let Some(owners) = program.cancels.get(event).filter(|s| !s.is_empty()) else {
            return;
        };
        let key = program.events[event]
            .key_slot
            .and_then(|s| self.store.payload(r).get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        let now = self.stamp();
        for &owner in owners {
            // A cancelled timer leaves the clock: the run does not wait for its time.
            for handle in self.timers.cancel(owner, key.clone(), now) {
                self.clock.withdraw(handle);
            }
        }
    }

    /// Every timer the run armed, in that order (each says when it fired or was cancelled).
    pub fn timers(&self) -> &[Timer] {
        &self.timers.history
    }

    /// Whether the event at `position` armed a policy's timer (a command caused by
    /// `Cause::Deadline(position)` is then that timer's, not a saga deadline's).
    pub fn armed_a_timer(&self, position: u64) -> bool {
        self.timers.history.iter().any(|t| t.armed == position)
    }

    /// The timers pending now, soonest first.
    pub fn pending_timers(&self) -> Vec<&Timer> {
        let mut out: Vec<&Timer> = self
            .timers
            .history
            .iter()
            .filter(|t| t.ended.is_none())
            .collect();
        out.sort_by_key(|t| t.due);
        out
    }
}

/// Why the delivery fails when a timer's delay cannot be worked out (as a condition's would).
pub(super) fn delay_error(e: &EvalError) -> String {
    format!("the timer's delay: {e}")
}
