//! Commands: an aggregate decides (lifecycle state, guards, emitted events), the events are
//! appended with an expected version and applied; prior (`given`) events.

use std::ops::Range;
use std::sync::Arc;

use super::Engine;
use super::{CommandRecord, as_key};

use crate::model::expr::{EvalError, RootValue, Value};
use crate::sim::fold::Instance;
use crate::sim::fold::{Projected, Recorded, coerce};
use crate::sim::program::{Moment, Program, Source, SubscriberKind, Target, TimerOwner};
use crate::sim::store::derived_id;
use crate::sim::store::{Cause, Expected, NewEvent};

impl Engine {
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
    pub(super) fn stream_of(
        &mut self,
        event: usize,
        payload: &[Value],
    ) -> (u32, Option<(usize, Arc<str>)>) {
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
    pub(super) fn apply_at(&mut self, program: &Program, a: usize, key: &Arc<str>, position: u64) {
        let Some(r) = self.store.records.get(position as usize) else {
            return;
        };
        if let Some(inst) = self.aggregates[a].get_mut(key) {
            let payload = self.store.payload(r);
            let _ = crate::sim::fold::apply(
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
    pub(super) fn value(
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
    pub(super) fn values(
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
    pub(super) fn execute_in(
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
        if let Some(inputs) = &mut self.command_inputs
            && inputs.kept.len() < inputs.limit
        {
            let at = self.store.records.len() as u64;
            inputs.kept.push((at, fields.into()));
        }
        self.commands.push(CommandRecord::new(
            self.clock.now,
            command,
            key.clone(),
            correlation,
            cause,
        ));
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
                Ok(events) => rec.set_events(events),
                Err(reason) => {
                    rec.rejection = Some(reason.as_str().into());
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
    pub(super) fn decide(
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
        // The other aggregates stay readable by `lookup` while this one's instance is held.
        let (before, rest) = self.aggregates.split_at_mut(a);
        let Some((instances, after)) = rest.split_first_mut() else {
            return Err(format!("{} has no instances", def.name));
        };
        let mut found = instances.get_mut(key);
        let inst: &Instance = found.as_deref().unwrap_or(&def.fresh);
        if !h.states.is_empty() && !h.states.contains(&inst.lifecycle) {
            let state_name = def.lifecycle.get(inst.lifecycle).map_or("", |s| s.as_str());
            return Err(format!(
                "{cname} is not allowed while {} {key} is {state_name}",
                def.name
            ));
        }
        let now = Value::Ts(time);
        let plain = Projected {
            read_models: &self.read_models,
            aggregates: (before, after),
        };
        let recorded = self.looked.as_deref().map(|log| Recorded {
            tables: plain,
            log,
            command: match cause {
                Cause::Command(c) => c,
                _ => u32::MAX,
            },
        });
        let tables: &dyn crate::model::expr::Tables = match &recorded {
            Some(r) => r,
            None => &plain,
        };
        let roots = [
            RootValue::Record(fields),
            RootValue::Record(&inst.state),
            RootValue::Scalar(&now),
            RootValue::Tables(tables),
        ];
        for (g, reject) in &h.guards {
            match g.eval(&roots) {
                Ok(Value::Bool(true)) => {}
                Ok(_) => return Err(reject.clone()),
                Err(e) => return Err(format!("{reject} ({e} in `{}`)", g.source())),
            }
        }
        let mut outcome: &[crate::sim::program::EmitDef] = &[];
        for b in &h.branches {
            let holds = match &b.when {
                None => true,
                Some(w) => match w.eval(&roots) {
                    Ok(v) => v == Value::Bool(true),
                    Err(e) => {
                        return Err(format!(
                            "cannot choose the outcome of {cname}: {e} in `{}`",
                            w.source()
                        ));
                    }
                },
            };
            if holds {
                outcome = &b.emits;
                break;
            }
        }
        let start = self.store.records.len() as u64;
        // The instance's id, for an event that carries it under a name of its own.
        let id = if h.fills_key {
            Value::Str(key.clone())
        } else {
            Value::None
        };
        // Buffers taken this way are always put back empty (or lost, on an error).
        let mut news = std::mem::take(&mut self.scratch);
        // The payloads go straight to the store's staging area (no allocation of their own).
        let staging = self.store.staging();
        for (i, em) in h.emits.iter().chain(outcome).enumerate() {
            let event = &program.events[em.event];
            let fields = match Self::values(staging, &em.fields, &event.fields, &roots, &id) {
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
        // The commands it schedules, worked out with the decision's names: one that cannot
        // be worked out rejects the command, as an event's field would.
        let scheduled = match h.schedules.is_empty() {
            true => Vec::new(),
            false => match Self::schedules(program, &h.schedules, &roots, time) {
                Ok(s) => s,
                Err(e) => {
                    self.store.staging().clear();
                    news.clear();
                    self.scratch = news;
                    return Err(e);
                }
            },
        };
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
            None => instances
                .entry(key.clone())
                .or_insert_with(|| Instance::new(def, stream)),
        };
        for pos in positions.clone() {
            let r = &self.store.records[pos as usize];
            let payload = self.store.payload(r);
            if let Err(e) = crate::sim::fold::apply(def, inst, r.event as usize, payload, r.time) {
                return Err(format!(
                    "applying {}: {e}",
                    program.events[r.event as usize].name
                ));
            }
        }
        if let Some(w) = &mut self.watching {
            w.aggregate(a, key, positions.end - 1);
        }
        if scheduled.is_empty() {
            for pos in positions.clone() {
                self.dispatch(program, pos);
            }
        } else {
            let owner = (a, command, correlation);
            self.arm_schedules(program, owner, &h.schedules, scheduled, positions.clone());
        }
        Ok(positions)
    }

    /// A handler's schedules worked out over its decision's `roots` at `time`: each one's
    /// index, due time and command fields; or why one cannot be.
    #[inline(never)]
    fn schedules(
        program: &Program,
        schedules: &[crate::sim::program::ScheduleDef],
        roots: &[RootValue<'_>],
        time: i64,
    ) -> Result<Vec<(usize, i64, Vec<Value>)>, String> {
        let mut out = Vec::with_capacity(schedules.len());
        for (index, sc) in schedules.iter().enumerate() {
            let mut fields = Vec::new();
            let due = match &sc.when {
                Moment::After(e) => e.eval(roots).map(|v| match v {
                    Value::Dur(ms) => time.saturating_add(ms),
                    _ => time,
                }),
                Moment::At(e) => e.eval(roots).map(|v| match v {
                    Value::Ts(at) => at,
                    _ => time,
                }),
            };
            let due = due
                .and_then(|due| Self::issued(program, &sc.issue, roots, &mut fields).map(|()| due))
                .map_err(|e| {
                    let name = &program.commands[sc.issue.command].name;
                    format!("cannot schedule {name}: {e}")
                })?;
            out.push((index, due, fields));
        }
        Ok(out)
    }

    /// Arms the schedules of aggregate `a`'s handler of `command` for the events at
    /// `positions` it appended: its own events first cancel what was pending before them,
    /// then the schedules are armed (a later event can cancel them), and only then are its
    /// events handed out.
    #[inline(never)]
    fn arm_schedules(
        &mut self,
        program: &Program,
        (a, command, correlation): (usize, usize, u32),
        schedules: &[crate::sim::program::ScheduleDef],
        scheduled: Vec<(usize, i64, Vec<Value>)>,
        positions: Range<u64>,
    ) {
        for pos in positions.clone() {
            self.cancel_timers(program, pos);
        }
        for (index, due, fields) in scheduled {
            let owner = TimerOwner::Schedule {
                aggregate: a,
                command,
                index,
            };
            let issued = schedules[index].issue.command;
            let armed = positions.start;
            self.arm(program, (owner, issued), fields, due, correlation, armed);
        }
        for pos in positions {
            self.hand_out(program, pos);
        }
    }
}
