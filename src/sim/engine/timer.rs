//! Policy timers: a policy with `after` arms a timer instead of issuing its command at once
//! (the command's fields worked out from the event then); an event of its `unless` list whose
//! id field is the timer's target cancels it; otherwise it fires and the command is handled
//! then, caused by the event that armed it (as a saga deadline's compensations are).

use std::sync::Arc;

use smallvec::SmallVec;

use super::{Action, Engine, as_key};
use crate::model::expr::{EvalError, Value};
use crate::sim::hash::FastMap;
use crate::sim::program::{IssueDef, Program};
use crate::sim::store::Cause;

/// A pending timer: the command it will issue, worked out when it was armed.
#[derive(Clone, Debug)]
pub struct Timer {
    /// The policy (its subscriber index).
    pub sub: usize,
    /// The command.
    pub command: usize,
    /// Its target id.
    pub target: Arc<str>,
    /// Its fields.
    pub fields: Vec<Value>,
    /// The correlation of the event that armed it.
    pub correlation: u32,
    /// The position of the event that armed it.
    pub armed: u64,
    /// When it fires.
    pub due: i64,
}

/// The pending timers, by token and by (policy, target) for cancelling.
#[derive(Clone, Debug, Default)]
pub(in crate::sim) struct Timers {
    pending: FastMap<u64, Timer>,
    by_target: FastMap<(usize, Arc<str>), SmallVec<[u64; 1]>>,
}

impl Timers {
    fn arm(&mut self, token: u64, timer: Timer) {
        self.by_target
            .entry((timer.sub, timer.target.clone()))
            .or_default()
            .push(token);
        self.pending.insert(token, timer);
    }

    fn take(&mut self, token: u64) -> Option<Timer> {
        let t = self.pending.remove(&token)?;
        let key = (t.sub, t.target.clone());
        if let Some(tokens) = self.by_target.get_mut(&key) {
            tokens.retain(|x| *x != token);
            if tokens.is_empty() {
                self.by_target.remove(&key);
            }
        }
        Some(t)
    }

    fn cancel(&mut self, sub: usize, target: Arc<str>) {
        for token in self.by_target.remove(&(sub, target)).unwrap_or_default() {
            self.pending.remove(&token);
        }
    }

    /// The pending timers, soonest first (then in the order they were armed).
    pub fn pending(&self) -> Vec<(u64, &Timer)> {
        let mut out: Vec<(u64, &Timer)> = self.pending.iter().map(|(k, t)| (*k, t)).collect();
        out.sort_by_key(|(token, t)| (t.due, *token));
        out
    }
}

impl Engine {
    /// Arms policy `sub`'s timer for `issue` from the event at `armed`, due `delay_ms` from
    /// now. A command whose fields cannot be worked out is logged as rejected at once.
    #[allow(
        clippy::too_many_arguments,
        reason = "the policy, the command and the event that arms it"
    )]
    pub(super) fn arm_timer(
        &mut self,
        program: &Program,
        sub: usize,
        issue: &IssueDef,
        source: (&[Value], Option<&Value>),
        delay_ms: i64,
        correlation: u32,
        armed: u64,
    ) {
        let mut fields = Vec::new();
        if let Err(e) = self.compute_issue(program, issue, source, &mut fields) {
            self.uncomputable(program, issue.command, e, correlation, Cause::Event(armed));
            return;
        }
        let target = program.commands[issue.command]
            .key_slot
            .and_then(|s| fields.get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        self.next_token += 1;
        let token = self.next_token;
        let due = self.clock.now.saturating_add(delay_ms.max(0));
        self.timers.arm(
            token,
            Timer {
                sub,
                command: issue.command,
                target,
                fields,
                correlation,
                armed,
                due,
            },
        );
        self.clock.at(due, Action::Timer { token });
    }

    /// Timer `token` fires (unless it was cancelled): its command is handled now.
    pub(super) fn fire_timer(&mut self, program: &Program, token: u64) {
        if let Some(t) = self.timers.take(token) {
            let cause = Cause::Deadline(t.armed);
            let _ = self.execute_in(program, t.command, &t.fields, t.correlation, cause);
        }
    }

    /// The event at `position` cancels the pending timers its type cancels on its target.
    pub(super) fn cancel_timers(&mut self, program: &Program, position: u64) {
        let Some(r) = self.store.records.get(position as usize) else {
            return;
        };
        let event = r.event as usize;
        let Some(subs) = program.cancels.get(event).filter(|s| !s.is_empty()) else {
            return;
        };
        let key = program.events[event]
            .key_slot
            .and_then(|s| self.store.payload(r).get(s))
            .map(as_key)
            .unwrap_or_else(|| Arc::from(""));
        for &sub in subs {
            self.timers.cancel(sub, key.clone());
        }
    }

    /// The timers pending now, soonest first: (token, timer).
    pub fn pending_timers(&self) -> Vec<(u64, &Timer)> {
        self.timers.pending()
    }
}

/// Why a timer's delay could not be worked out fails the delivery, like a condition's.
pub(super) fn delay(e: &EvalError) -> String {
    format!("the timer's delay: {e}")
}
