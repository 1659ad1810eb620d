//! Sagas simulated: an event starts or advances an instance (by correlation value), its step
//! issues a command; a rejection or a deadline runs the compensations; end events finish it.
//! The instances themselves (status, steps taken, deadlines armed) are `sim::saga`.

use std::sync::Arc;

use super::Engine;
use super::{Action, Change};

use crate::model::expr::{RootValue, Value};
use crate::sim::program::Program;
use crate::sim::saga::{ArmedDeadline, SagaInstance};
use crate::sim::store::Cause;

impl Engine {
    pub(super) fn saga_event(
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
            match self.issue(program, &step.issue, (payload, None), correlation, cause) {
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
                // From the data: a time already past (or one that cannot be worked out)
                // fires at once.
                let due = match &dl.at {
                    None => self.clock.now.saturating_add(dl.after_ms),
                    Some(at) => {
                        match at.eval(&[RootValue::Record(payload), RootValue::Scalar(&now)]) {
                            Ok(Value::Ts(t)) => t.max(self.clock.now),
                            _ => self.clock.now,
                        }
                    }
                };
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
        let now = Value::Ts(self.clock.now);
        let ends = def.ends.iter().find(|e| {
            e.on == event
                && e.when.as_ref().is_none_or(|w| {
                    matches!(
                        w.eval(&[RootValue::Record(payload), RootValue::Scalar(&now)]),
                        Ok(Value::Bool(true))
                    )
                })
        });
        if let Some(status) = ends.map(|e| &e.status)
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

    /// Deadline `token` of instance `key` fires (armed by the event at `armed`): the instance
    /// ends in the deadline's `ends_as` status, or fails and compensates.
    pub(super) fn deadline_fires(
        &mut self,
        program: &Program,
        s: usize,
        key: &Value,
        token: u64,
        armed: u64,
    ) {
        let ends_as = self.sagas[s]
            .get(key)
            .and_then(|i| i.deadlines.iter().find(|d| d.token == token))
            .and_then(|d| program.sagas[s].deadlines.get(d.deadline))
            .and_then(|d| d.ends_as.clone());
        let Some(status) = ends_as else {
            let timed_out = self.statuses.timed_out.clone();
            self.saga_fail(program, s, key, &timed_out, Cause::Deadline(armed));
            return;
        };
        let stamp = self.stamp();
        if let Some(inst) = self.sagas[s].get_mut(key) {
            inst.status = status.clone();
            inst.end_deadlines(None, stamp);
        }
        self.note(Change::Saga {
            saga: s,
            key: key.clone(),
            status,
        });
    }

    /// Compensates the steps taken, in reverse, then issues the failure command; `failure`
    /// (the rejected command, the expired deadline) is their cause.
    pub(super) fn saga_fail(
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
                let _ = self.issue(program, comp, (&payload, None), correlation, failure);
                if let Some(inst) = self.sagas[s].get_mut(key) {
                    inst.compensations.push(issued);
                }
            }
        }
        if let Some(f) = &def.on_failure
            && let Some(rec) = self.store.records.get(start as usize)
        {
            let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
            let _ = self.issue(program, f, (&payload, None), correlation, failure);
        }
    }
}
