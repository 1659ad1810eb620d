//! Checking invariants while the engine runs: what each action changed (aggregate instances,
//! read-model rows, saga instances) is noted, and after the action the `always` invariants of
//! those (and of the system) are evaluated; `eventually` ones are evaluated at the end.

use std::sync::Arc;

use super::Engine;
use crate::model::expr::{RootValue, Value};
use crate::model::invariant::When;
use crate::sim::fold::Projected;
use crate::sim::hash::FastMap;
use crate::sim::invariant::{About, InvariantDef, Violation, Watch};

/// A run's side of its invariants: the compiled ones, what changed since they were last
/// checked, and the violations found (the first of each invariant).
#[derive(Clone, Debug)]
pub(super) struct Watching {
    watch: Arc<Watch>,
    aggregates: Vec<(usize, Arc<str>)>,
    /// Per read model, the keys of rows changed (only for read models with invariants).
    pub(super) rows: Vec<Vec<Value>>,
    sagas: Vec<(usize, Value)>,
    violations: Vec<Violation>,
    /// Per invariant, whether it has been reported.
    broken: Vec<bool>,
    /// Stop the run at the first violation.
    stop: bool,
    /// The record being handled, or the last a command appended (see [`Violation::record`]).
    pub(super) record: Option<u64>,
}

impl Watching {
    /// Notes that aggregate `a`'s instance `key` changed, by a command whose last event is at
    /// `last`.
    pub(super) fn aggregate(&mut self, a: usize, key: &Arc<str>, last: u64) {
        self.record = Some(last);
        if !self.watch.aggregates[a].is_empty() {
            self.aggregates.push((a, key.clone()));
        }
    }

    /// Notes that saga `s`'s instance `key` changed.
    pub(super) fn saga(&mut self, s: usize, key: &Value) {
        if !self.watch.sagas[s].is_empty() {
            self.sagas.push((s, key.clone()));
        }
    }

    /// Where to note the rows of read model `r` a projection changes (None: it has no
    /// invariants).
    pub(super) fn rows_of(&mut self, r: usize) -> Option<&mut Vec<Value>> {
        if self.watch.read_models[r].is_empty() {
            return None;
        }
        self.rows.get_mut(r)
    }

    /// Records invariant `i`'s verdict: its first violation is kept.
    fn report(&mut self, i: usize, def: &InvariantDef, v: Verdict, (position, time): (u64, i64)) {
        let Some((about, found)) = v else {
            return;
        };
        if std::mem::replace(&mut self.broken[i], true) {
            return;
        }
        let record = match def.when {
            When::Always => self.record,
            When::Eventually => None,
        };
        self.violations.push(Violation {
            record,
            index: i,
            invariant: def.name.clone(),
            expression: def.expr.source().to_owned(),
            when: def.when,
            about,
            position,
            time,
            found,
        });
    }
}

impl Engine {
    /// Checks `watch`'s invariants in this run (after every action, and by
    /// [`Engine::check_eventually`] at the end); with `stop`, the run ends at the first
    /// violation.
    pub fn watch(&mut self, watch: Arc<Watch>, stop: bool) {
        let n = watch.defs.len();
        let rows = vec![Vec::new(); watch.read_models.len()];
        self.watching = Some(Box::new(Watching {
            watch,
            aggregates: Vec::new(),
            rows,
            sagas: Vec::new(),
            violations: Vec::new(),
            broken: vec![false; n],
            stop,
            record: None,
        }));
    }

    /// The invariants this run checks (none when it checks none).
    pub fn invariants(&self) -> &[InvariantDef] {
        self.watching.as_ref().map_or(&[], |w| &w.watch.defs)
    }

    /// The invariants broken so far, in the order they were found (the first violation of
    /// each).
    pub fn violations(&self) -> &[Violation] {
        self.watching.as_ref().map_or(&[], |w| &w.violations)
    }

    /// True when the run watches for violations, stops at the first, and has found one.
    pub(super) fn stopped_by_violation(&self) -> bool {
        self.watching
            .as_ref()
            .is_some_and(|w| w.stop && !w.violations.is_empty())
    }

    /// After an action: the `always` invariants of what it changed, and of the system.
    pub(super) fn check_always(&mut self) {
        let Some(mut w) = self.watching.take() else {
            return;
        };
        let watch = w.watch.clone();
        let now = Value::Ts(self.clock.now);
        let stamp = self.stamp();
        // The lists of what changed are emptied and kept (no allocation per action).
        let mut aggregates = std::mem::take(&mut w.aggregates);
        for (a, key) in aggregates.drain(..) {
            for &i in &watch.aggregates[a] {
                if w.broken[i] {
                    continue;
                }
                let v = self.aggregate_holds((&watch, &watch.defs[i]), a, &key, &now);
                w.report(i, &watch.defs[i], v, stamp);
            }
        }
        w.aggregates = aggregates;
        let mut rows = std::mem::take(&mut w.rows);
        for (r, keys) in rows.iter_mut().enumerate() {
            for key in keys.drain(..) {
                for &i in &watch.read_models[r] {
                    if w.broken[i] {
                        continue;
                    }
                    let v = self.row_holds(&watch.defs[i], r, &key, &now);
                    w.report(i, &watch.defs[i], v, stamp);
                }
            }
        }
        w.rows = rows;
        let mut sagas = std::mem::take(&mut w.sagas);
        for (s, key) in sagas.drain(..) {
            for &i in &watch.sagas[s] {
                if w.broken[i] {
                    continue;
                }
                let v = self.saga_holds(&watch.defs[i], s, &key, &now, None);
                w.report(i, &watch.defs[i], v, stamp);
            }
        }
        w.sagas = sagas;
        for &i in &watch.system {
            if w.broken[i] {
                continue;
            }
            let v = self.system_holds(&watch.defs[i], &now);
            w.report(i, &watch.defs[i], v, stamp);
        }
        w.record = None;
        self.watching = Some(w);
    }

    fn aggregate_holds(
        &self,
        (watch, def): (&Watch, &InvariantDef),
        a: usize,
        key: &Arc<str>,
        now: &Value,
    ) -> Verdict {
        let inst = self.aggregates[a].get(key)?;
        let status = watch.statuses[a]
            .get(inst.lifecycle)
            .unwrap_or(&Value::None);
        let id = Value::Str(key.clone());
        let roots = [
            RootValue::Record(&inst.state),
            RootValue::Scalar(status),
            RootValue::Scalar(&id),
            RootValue::Scalar(now),
        ];
        verdict(def, &roots, || format!("{} {key}", def.owner))
    }

    fn row_holds(&self, def: &InvariantDef, r: usize, key: &Value, now: &Value) -> Verdict {
        let row = self.read_models[r].get(key)?;
        let roots = [RootValue::Record(row), RootValue::Scalar(now)];
        verdict(def, &roots, || format!("{} row {key}", def.owner))
    }

    /// Saga `s`'s instance `key`; `ended` (for an `eventually … within`): when each instance
    /// last changed status.
    fn saga_holds(
        &self,
        def: &InvariantDef,
        s: usize,
        key: &Value,
        now: &Value,
        ended: Option<&FastMap<(usize, Value), i64>>,
    ) -> Verdict {
        let inst = self.sagas[s].get(key)?;
        let started = self
            .store
            .records
            .get(inst.start as usize)
            .map_or(0, |r| r.time);
        let status = Value::Str(inst.status.clone());
        let started_v = Value::Ts(started);
        let roots = [
            RootValue::Scalar(&status),
            RootValue::Scalar(&started_v),
            RootValue::Scalar(now),
            RootValue::Record(inst.state()),
        ];
        let about = || format!("{} {key}", def.owner);
        if let Some(v) = verdict(def, &roots, about) {
            return Some(v);
        }
        let (Some(within), Some(ended)) = (def.within_ms, ended) else {
            return None;
        };
        let at = ended.get(&(s, key.clone())).copied().unwrap_or(started);
        let took = at - started;
        (took > within).then(|| {
            (
                about(),
                format!(
                    "true only after {}, later than within {}",
                    crate::sim::scenario::offset_text(took),
                    crate::sim::scenario::offset_text(within)
                ),
            )
        })
    }

    fn system_holds(&self, def: &InvariantDef, now: &Value) -> Verdict {
        let parked = Value::Int(self.dlq.len() as i64);
        let rejected = Value::Int(self.rejected as i64);
        let events = Value::Int(self.store.records.len() as i64);
        let tables = Projected::new(&self.read_models, &self.aggregates);
        let roots = [
            RootValue::Scalar(&parked),
            RootValue::Scalar(&rejected),
            RootValue::Scalar(&events),
            RootValue::Scalar(now),
            RootValue::Tables(&tables),
        ];
        // A context's invariant is about the system too; the report says whose it is.
        verdict(def, &roots, || match def.owner.as_str() {
            "" => "the system".to_owned(),
            context => format!("the system (context {context})"),
        })
    }

    /// At the end of a run: the `eventually` invariants. They are about what the system
    /// settles into, so they are checked on a copy of the run that is first healed — its
    /// faults lifted (a subscriber's `idempotent` setting stays), every parked message
    /// redriven, the work left done to the end — over every instance, row and the system, in
    /// a fixed order (the first that fails is the one reported). This run itself goes on
    /// unchanged.
    pub fn check_eventually(&mut self) {
        let Some(mut w) = self.watching.take() else {
            return;
        };
        if w.watch.defs.iter().any(|d| d.when == When::Eventually) {
            // The copy is made without the watch (taken above): it checks no `always`.
            let mut healed = self.clone();
            healed.heal();
            match healed.run(None) {
                Ok(()) => healed.eventually_into(&mut w),
                Err(e) => {
                    let stamp = healed.stamp();
                    let watch = w.watch.clone();
                    if let Some((i, def)) = watch
                        .defs
                        .iter()
                        .enumerate()
                        .find(|(_, d)| d.when == When::Eventually)
                    {
                        let found = format!("never settled after healing: {e}");
                        w.report(i, def, Some(("the system".into(), found)), stamp);
                    }
                }
            }
        }
        self.watching = Some(w);
    }

    /// Lifts every fault but a subscriber's `idempotent` setting and redrives every parked
    /// message now.
    fn heal(&mut self) {
        for f in &mut self.faults {
            *f = super::FaultDef {
                idempotent: f.idempotent,
                ..Default::default()
            };
        }
        let mut subs: Vec<usize> = self.dlq.iter().map(|p| p.subscriber).collect();
        subs.sort_unstable();
        subs.dedup();
        let now = self.clock.now;
        for sub in subs {
            self.schedule_redrive(now, sub);
        }
    }

    /// The `eventually` invariants over this (healed, settled) run, into `w`.
    fn eventually_into(&self, w: &mut Watching) {
        let watch = w.watch.clone();
        let now = Value::Ts(self.clock.now);
        let stamp = self.stamp();
        let mut ended: Option<FastMap<(usize, Value), i64>> = None;
        for (i, def) in watch.defs.iter().enumerate() {
            if def.when != When::Eventually || w.broken[i] {
                continue;
            }
            match def.about {
                About::Aggregate(a) => {
                    let mut keys: Vec<&Arc<str>> = self.aggregates[a].keys().collect();
                    keys.sort_unstable();
                    for key in keys {
                        let v = self.aggregate_holds((&watch, def), a, key, &now);
                        w.report(i, def, v, stamp);
                    }
                }
                About::ReadModel(r) => {
                    for (key, _) in crate::sim::hash::sorted(&self.read_models[r]) {
                        let v = self.row_holds(def, r, key, &now);
                        w.report(i, def, v, stamp);
                    }
                }
                About::Saga(s) => {
                    let ended = ended.get_or_insert_with(|| self.status_times());
                    for (key, _) in self.sagas[s].iter() {
                        let v = self.saga_holds(def, s, key, &now, Some(ended));
                        w.report(i, def, v, stamp);
                    }
                }
                About::System => {
                    let v = self.system_holds(def, &now);
                    w.report(i, def, v, stamp);
                }
            }
        }
    }

    /// When each saga instance last changed status.
    fn status_times(&self) -> FastMap<(usize, Value), i64> {
        let mut out = FastMap::default();
        for (_, time, change) in &self.journal {
            if let super::Change::Saga { saga, key, .. } = change {
                out.insert((*saga, key.clone()), *time);
            }
        }
        out
    }
}

/// None: it held; Some((what it was about, what was found)).
type Verdict = Option<(String, String)>;

fn verdict(def: &InvariantDef, roots: &[RootValue<'_>], about: impl FnOnce() -> String) -> Verdict {
    match def.expr.eval(roots) {
        Ok(Value::Bool(true)) => None,
        Ok(v) => Some((about(), v.to_string())),
        Err(e) => Some((about(), format!("not worked out: {e}"))),
    }
}
