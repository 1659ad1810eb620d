//! Sagas simulated: an event starts or advances an instance (by correlation value), its step
//! issues a command; a rejection or a deadline runs the compensations; end events finish it.
//! The instances themselves (status, steps taken, deadlines armed) are `sim::saga`.

use std::sync::Arc;

use super::Engine;
use super::{Action, Change};

use std::borrow::Cow;

use smallvec::SmallVec;

use crate::model::expr::{EvalError, RootValue, Value};
use crate::sim::fold::coerce;
use crate::sim::program::{Program, SagaDef, StepDef};
use crate::sim::saga::{ArmedDeadline, SagaData, SagaInstance, TAKEN};
use crate::sim::store::Cause;

/// A step an event takes: its place in the program's steps, its fan-out's elements (when it
/// fans out) and its timer's delay in ms (when it is timed).
type Taken = (usize, Option<Arc<[Value]>>, Option<i64>);

/// What one event does to one saga instance, worked out before anything is done: the steps
/// it takes, the state changes they make, the join marks after it, and the end it reaches.
/// Made for every event a saga handles, in the engine's one buffer (see `saga_event`).
#[derive(Clone, Debug, Default)]
pub(super) struct Plan {
    /// The steps it takes (their places in the program's steps), each with its fan-out's
    /// elements when it has one and its timer's delay when it is timed.
    steps: Vec<Taken>,
    /// The state fields changed, with their new values, in order, each with the place in
    /// `steps` of the step that set it.
    sets: Vec<(usize, usize, Value)>,
    /// The join marks after the event, when it changed them.
    joined: Option<Vec<u64>>,
    end: Option<Arc<str>>,
}

impl Engine {
    /// Saga `s` handles the event of type `event` at `position`. Its conditions and `set`s
    /// are worked out first, over the instance's state; one that cannot be fails the
    /// delivery (retried, then parked) before anything is done.
    pub(super) fn saga_event(
        &mut self,
        program: &Program,
        (sub, s): (usize, usize),
        event: usize,
        (payload, position): (&[Value], u64),
        correlation: u32,
    ) -> Result<(), String> {
        let def = &program.sagas[s];
        let Some(key) = def
            .correlation
            .get(&event)
            .and_then(|slot| payload.get(*slot))
        else {
            return Ok(());
        };
        // The instance is found once; below it is reached by its place.
        let running = &self.statuses.running;
        let found = match self.sagas[s].find(key) {
            Some(p)
                if self.sagas[s]
                    .at(p)
                    .is_some_and(|i| Arc::ptr_eq(&i.status, running)) =>
            {
                Some(p)
            }
            Some(_) => return Ok(()),
            None if event != def.start => return Ok(()),
            None => None,
        };
        // The plan is made in the engine's buffer, kept across events (no allocation once
        // warm); it goes back when the event is done with.
        let mut plan = std::mem::take(&mut self.plan_buf);
        plan.steps.clear();
        plan.sets.clear();
        plan.joined = None;
        plan.end = None;
        if let Err(e) = self.saga_plan((def, s), event, payload, found, &mut plan) {
            self.plan_buf = plan;
            return Err(e);
        }
        let place = match found {
            Some(p) => p,
            None => {
                let keeps = def.joins > 0 || !def.state.is_empty() || def.keeps_elements;
                let data = keeps.then(|| {
                    Box::new(SagaData {
                        state: def.zero_state.clone(),
                        joined: vec![0; def.joins],
                        ..SagaData::default()
                    })
                });
                let p = self.sagas[s].start(
                    key.clone(),
                    SagaInstance {
                        status: running.clone(),
                        taken: Vec::new(),
                        deadlines: Vec::new(),
                        start: position,
                        data,
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
        let stamp = self.stamp();
        // The instance's state is held here while its steps issue their commands (which never
        // reach this instance before they return) and put back after.
        let mut state = Vec::new();
        if let Some(data) = self.sagas[s].at_mut(place).and_then(|i| i.data.as_mut()) {
            if let Some(joined) = plan.joined.take() {
                data.joined = joined;
            }
            state = std::mem::take(&mut data.state);
        }
        if !plan.sets.is_empty()
            && let Some(w) = &mut self.watching
        {
            w.saga(s, key);
        }
        let put_back = |e: &mut Engine, state: Vec<Value>| {
            if let Some(data) = e.sagas[s].at_mut(place).and_then(|i| i.data.as_mut()) {
                data.state = state;
            }
        };
        for j in 0..plan.steps.len() {
            let (number, delay) = (plan.steps[j].0, plan.steps[j].2);
            let elements = plan.steps[j].1.take();
            let step = &def.steps[number];
            // The step's changes to the state, kept for the views at a cursor (a step after
            // a failed one sets nothing).
            let mut sets = plan.sets.iter().filter(|(k, ..)| *k == j).peekable();
            if sets.peek().is_some() {
                let data = self.sagas[s].at_mut(place).and_then(|i| i.data.as_mut());
                let mut history = data.map(|d| &mut d.sets);
                for (_, slot, v) in sets {
                    if let Some(x) = state.get_mut(*slot) {
                        *x = v.clone();
                    }
                    if let Some(h) = &mut history {
                        h.push((stamp, *slot, v.clone()));
                    }
                }
            }
            let Some(issue) = &step.issue else {
                if let Some(inst) = self.sagas[s].at_mut(place) {
                    inst.taken.push((number, position));
                }
                continue;
            };
            // One command, or one per element (none for an empty list: the step is taken).
            let one = [Value::None];
            let items = elements.as_deref().unwrap_or(&one);
            if items.is_empty()
                && let Some(inst) = self.sagas[s].at_mut(place)
            {
                inst.taken.push((number, position));
            }
            for item in items {
                let issued = self.commands.len();
                let cause = Cause::Event(position);
                let roots = [RootValue::Record(&state), RootValue::Scalar(item)];
                let extra = state_and(&roots, elements.is_some());
                // A timed step arms its command; it is on its own when it fires.
                if let Some(ms) = delay {
                    let source = (payload, extra);
                    self.arm_timer(program, sub, issue, source, ms, correlation, position);
                    if let Some(inst) = self.sagas[s].at_mut(place) {
                        inst.taken.push((number, position));
                    }
                    continue;
                }
                match self.issue(program, issue, (payload, extra), correlation, cause) {
                    Ok(_) => {
                        if let Some(inst) = self.sagas[s].at_mut(place) {
                            if elements.is_some()
                                && let Some(d) = &mut inst.data
                            {
                                d.elements.push((inst.taken.len(), item.clone()));
                            }
                            inst.taken.push((number, position));
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
                        put_back(self, state);
                        self.saga_fail(program, s, key, &failed, failure);
                        return Ok(());
                    }
                }
            }
            // An issued command only schedules deliveries: the instance is still running.
        }
        put_back(self, state);
        let now = Value::Ts(self.clock.now);
        for (d, dl) in def.deadlines.iter().enumerate() {
            if dl.until.contains(&event)
                && let Some(inst) = self.sagas[s].at_mut(place)
            {
                let clock = &mut self.clock;
                inst.end_deadlines(Some(d), stamp, |h| clock.withdraw(h));
            }
            if dl.from == event {
                self.next_token += 1;
                let token = self.next_token;
                // From the data: a time already past (or one that cannot be worked out)
                // fires at once.
                let due = match &dl.at {
                    None => self.clock.now.saturating_add(dl.after_ms),
                    Some(at) => {
                        let tables =
                            crate::sim::fold::Projected::new(&self.read_models, &self.aggregates);
                        let state = self.sagas[s].at(place).map_or(&[][..], |i| i.state());
                        let roots = [
                            RootValue::Record(payload),
                            RootValue::Scalar(&now),
                            RootValue::Tables(&tables),
                            RootValue::Record(state),
                        ];
                        match at.eval(&roots) {
                            Ok(Value::Ts(t)) => t.max(self.clock.now),
                            _ => self.clock.now,
                        }
                    }
                };
                let handle = self.clock.at_withdrawable(
                    due,
                    Action::Deadline {
                        saga: s,
                        key: key.clone(),
                        token,
                    },
                );
                if let Some(inst) = self.sagas[s].at_mut(place) {
                    inst.deadlines.push(ArmedDeadline {
                        deadline: d,
                        due,
                        armed: position,
                        set: stamp,
                        ended: None,
                        token,
                        handle,
                    });
                }
            }
        }
        let end = plan.end.take();
        self.plan_buf = plan;
        if let Some(status) = end
            && let Some(inst) = self.sagas[s].at_mut(place)
        {
            inst.status = status.clone();
            let clock = &mut self.clock;
            inst.end_deadlines(None, stamp, |h| clock.withdraw(h));
            self.note(Change::Saga {
                saga: s,
                key: key.clone(),
                status,
            });
        }
        Ok(())
    }

    /// Works out what the event does to saga `s`'s instance at `place` (none: the one it
    /// starts): which steps it takes — a join's once, when the last of its events arrives —
    /// with the state changes each makes and its fan-out's elements, and the end it reaches
    /// over the state after them.
    fn saga_plan(
        &self,
        (def, s): (&SagaDef, usize),
        event: usize,
        payload: &[Value],
        place: Option<usize>,
        plan: &mut Plan,
    ) -> Result<(), String> {
        if def.plain {
            let on = |(i, st): (usize, &StepDef)| (st.on == event).then_some((i, None, None));
            plan.steps
                .extend(def.steps.iter().enumerate().filter_map(on));
            plan.end = def
                .ends
                .iter()
                .find(|e| e.on == event)
                .map(|e| e.status.clone());
            return Ok(());
        }
        let data = place
            .and_then(|p| self.sagas[s].at(p))
            .and_then(|i| i.data.as_deref());
        // Copied only when a step changes them.
        let mut state: Cow<'_, [Value]> = Cow::Borrowed(data.map_or(&def.zero_state, |d| &d.state));
        let zeros = vec![0; def.joins];
        let mut joined: Cow<'_, [u64]> = Cow::Borrowed(data.map_or(&zeros, |d| &d.joined));
        let now = Value::Ts(self.clock.now);
        let tables = crate::sim::fold::Projected::new(&self.read_models, &self.aggregates);
        let Plan { steps, sets, .. } = plan;
        for (i, step) in def
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.on == event)
        {
            if let Some(j) = &step.join {
                let Some(&marks) = joined.get(j.slot) else {
                    continue;
                };
                if marks & TAKEN != 0 {
                    continue;
                }
                joined.to_mut()[j.slot] = marks | j.bit;
                if (marks | j.bit) & j.all != j.all {
                    continue;
                }
            }
            let failed =
                |what: &str, e: EvalError| format!("step {}: {what}: {e}", step.number + 1);
            let mut changes: SmallVec<[(usize, Value); 4]> = SmallVec::new();
            {
                let roots = [
                    RootValue::Record(payload),
                    RootValue::Scalar(&now),
                    RootValue::Tables(&tables),
                    RootValue::Record(&state),
                ];
                if let Some(w) = &step.when {
                    match w.eval(&roots) {
                        Ok(Value::Bool(true)) => {}
                        Ok(_) => continue,
                        Err(e) => return Err(failed("its condition", e)),
                    }
                }
                for (slot, e) in &step.set {
                    let v = e.eval(&roots).map_err(|e| failed("set", e))?;
                    changes.push((*slot, coerce(v, &def.state[*slot].ty)));
                }
            }
            for (slot, v) in changes {
                state.to_mut()[slot] = v.clone();
                sets.push((steps.len(), slot, v));
            }
            if let Some(j) = &step.join {
                joined.to_mut()[j.slot] |= TAKEN;
            }
            // The fan-out's list, over the state after the step's `set`.
            let roots = [
                RootValue::Record(payload),
                RootValue::Scalar(&now),
                RootValue::Tables(&tables),
                RootValue::Record(&state),
            ];
            let elements = match &step.each {
                None => None,
                Some(list) => match list.eval(&roots).map_err(|e| failed("its list", e))? {
                    Value::List(items) => Some(items),
                    _ => Some(Arc::from(Vec::new())),
                },
            };
            // A timer's delay, over the same state.
            let delay = match &step.after {
                None => None,
                Some(a) => match a.eval(&roots).map_err(|e| failed("its timer", e))? {
                    Value::Dur(ms) => Some(ms),
                    _ => Some(0),
                },
            };
            steps.push((i, elements, delay));
        }
        let roots = [
            RootValue::Record(payload),
            RootValue::Scalar(&now),
            RootValue::Tables(&tables),
            RootValue::Record(&state),
        ];
        let mut end = None;
        for e in def.ends.iter().filter(|e| e.on == event) {
            let ends = match &e.when {
                None => true,
                Some(w) => match w.eval(&roots) {
                    Ok(v) => v == Value::Bool(true),
                    Err(err) => return Err(format!("end {}: its condition: {err}", e.status)),
                },
            };
            if ends {
                end = Some(e.status.clone());
                break;
            }
        }
        plan.joined = match joined {
            Cow::Owned(marks) => Some(marks),
            Cow::Borrowed(_) => None,
        };
        plan.end = end;
        Ok(())
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
            let clock = &mut self.clock;
            inst.end_deadlines(None, stamp, |h| clock.withdraw(h));
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
        let clock = &mut self.clock;
        inst.end_deadlines(None, now, |h| clock.withdraw(h));
        let taken = inst.taken.clone();
        let start = inst.start;
        // Compensations and the failure command read the state as the instance left it.
        let state = inst.state().to_vec();
        let elements = inst
            .data
            .as_ref()
            .map(|d| d.elements.clone())
            .unwrap_or_default();
        self.note(Change::Saga {
            saga: s,
            key: key.clone(),
            status: status.clone(),
        });
        for (t, (step, pos)) in taken.into_iter().enumerate().rev() {
            if let Some(comp) = def.steps.get(step).and_then(|st| st.compensate.as_ref())
                && let Some(rec) = self.store.records.get(pos as usize)
            {
                let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
                let issued = self.stamp();
                // A fanned-out command's compensation reads the element it was issued for.
                let element = elements
                    .binary_search_by_key(&t, |(k, _)| *k)
                    .ok()
                    .map(|k| &elements[k].1);
                let roots = [
                    RootValue::Record(&state),
                    RootValue::Scalar(element.unwrap_or(&Value::None)),
                ];
                let extra = state_and(&roots, element.is_some());
                let _ = self.issue(program, comp, (&payload, extra), correlation, failure);
                if let Some(inst) = self.sagas[s].get_mut(key) {
                    let data = inst.data.get_or_insert_with(Box::default);
                    data.compensations.push(issued);
                }
            }
        }
        if let Some(f) = &def.on_failure
            && let Some(rec) = self.store.records.get(start as usize)
        {
            let (payload, correlation) = (self.store.payload(rec).to_vec(), rec.correlation);
            let roots = [RootValue::Record(&state)];
            let _ = self.issue(program, f, (&payload, &roots), correlation, failure);
        }
    }
}

/// The roots a saga's command reads after the read models: the instance's state, and the
/// fan-out's element when the step has one.
fn state_and<'r, 'a>(roots: &'r [RootValue<'a>; 2], element: bool) -> &'r [RootValue<'a>] {
    if element { roots } else { &roots[..1] }
}
