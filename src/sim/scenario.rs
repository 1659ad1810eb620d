//! Scenarios: set an engine up from a scenario of the model (given events, timed commands,
//! load generators, redrives, the fault plan), run it, and check its expectations.

use std::sync::Arc;

use super::engine::{Engine, FaultDef};
use super::invariant::Watch;
use super::load::{self, Load};
use super::program::{Program, SimError};
use super::rng::Rng;
use crate::model::Model;
use crate::model::expr::time::parse_duration;
use crate::model::expr::{Expr, RootValue, Value};
use crate::model::scenario::{Expect, Scenario, Step, Values, parse_time};
use crate::model::ty::Type;

pub use crate::model::scenario::MAX_LOAD;

/// The result of one expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The expectation, in words.
    pub expectation: String,
    /// Whether it held.
    pub passed: bool,
    /// What was found instead, when it failed.
    pub reason: String,
}

fn err(s: &Scenario, message: impl Into<String>) -> SimError {
    SimError::Scenario {
        scenario: s.name.clone(),
        message: message.into(),
    }
}

/// Evaluates a scenario value (`now` in scope, `i` = 0) to the type `ty`.
fn constant(
    s: &Scenario,
    p: &Program,
    src: &str,
    ty: Option<&Type>,
    now: i64,
) -> Result<Value, SimError> {
    load::eval(&s.name, &load::compile(&s.name, p, src, ty)?, 0, now)
}

/// The command named `command` and its field values from `fields` (expressions; a missing
/// field is its type's zero), evaluated at virtual time `t`.
fn command_values(
    s: &Scenario,
    p: &Program,
    command: &str,
    fields: &Values,
    t: i64,
) -> Result<(usize, Vec<Value>), SimError> {
    let c = p
        .command(command, None)
        .ok_or_else(|| err(s, format!("no command `{command}`")))?;
    let mut values = Vec::with_capacity(p.commands[c].fields.len());
    for f in &p.commands[c].fields {
        values.push(match fields.get(&f.name) {
            Some(src) => constant(s, p, src, Some(&f.ty), t)?,
            None => Value::zero_of(&f.ty, &p.types),
        });
    }
    Ok((c, values))
}

/// `ms` as a scenario offset: `0s`, `1h2m3s`, `2s500ms` (what [`parse_time`] reads back).
pub fn offset_text(ms: i64) -> String {
    let ms = ms.max(0);
    let (h, m, sec, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (sec, "s"), (milli, "ms")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Sandbox: issues `command` with `fields` (expressions) to the finished run of scenario `s`,
/// `after_ms` after its current time, and runs until nothing is left to do. Returns the step
/// that, appended to the scenario, replays it.
pub fn issue(
    engine: &mut Engine,
    s: &Scenario,
    command: &str,
    fields: &Values,
    after_ms: i64,
) -> Result<Step, SimError> {
    let (start, t) = after_now(engine, s, after_ms)?;
    let program = engine.program.clone();
    let (c, values) = command_values(s, &program, command, fields, t)?;
    engine.schedule_command(t, c, values);
    engine.run(None)?;
    Ok(Step::Command {
        at: offset_text(t - start),
        command: command.to_owned().into(),
        fields: fields.clone(),
    })
}

/// Sandbox: redrives every parked message of the subscribers `subs` `after_ms` after the
/// run's current time and runs until nothing is left to do. Returns the steps that replay it.
pub fn redrive(
    engine: &mut Engine,
    s: &Scenario,
    subs: &[usize],
    after_ms: i64,
) -> Result<Vec<Step>, SimError> {
    let (start, t) = after_now(engine, s, after_ms)?;
    let mut steps = Vec::with_capacity(subs.len());
    for &sub in subs {
        engine.schedule_redrive(t, sub);
        steps.push(Step::Redrive {
            at: offset_text(t - start),
            subscriber: engine.program.subscribers[sub].name.clone().into(),
            event: None,
        });
    }
    engine.run(None)?;
    Ok(steps)
}

/// The scenario's start and the time `after_ms` after the run's current time (sandbox steps
/// are recorded as offsets from that start).
fn after_now(engine: &Engine, s: &Scenario, after_ms: i64) -> Result<(i64, i64), SimError> {
    let start = s
        .start_ms()
        .ok_or_else(|| err(s, "the start time cannot be read"))?;
    Ok((start, engine.now().saturating_add(after_ms.max(0))))
}

/// Sandbox: redrives the one message at log `position` parked by subscriber `sub`,
/// `after_ms` after the run's current time, and runs until nothing is left to do. Returns
/// the step that replays it.
pub fn redrive_one(
    engine: &mut Engine,
    s: &Scenario,
    sub: usize,
    position: u64,
    after_ms: i64,
) -> Result<Step, SimError> {
    let (start, t) = after_now(engine, s, after_ms)?;
    engine.schedule_redrive_one(t, sub, position);
    engine.run(None)?;
    Ok(Step::Redrive {
        at: offset_text(t - start),
        subscriber: engine.program.subscribers[sub].name.clone().into(),
        event: Some(position + 1),
    })
}

/// Scenario `s` with the sandbox steps appended, run with `seed`, named `name`: it replays
/// what was done by hand. Its end time is dropped when a step lies beyond it.
pub fn recorded(s: &Scenario, steps: &[Step], seed: u64, name: String) -> Scenario {
    let mut out = s.clone();
    out.name = name;
    out.seed = seed;
    if !steps.is_empty() {
        out.until = None;
    }
    out.when.extend_from_slice(steps);
    out
}

/// Scenario `name` of `model`, or an error listing the scenarios it has.
pub fn find<'m>(model: &'m Model, name: &str) -> Result<&'m Scenario, SimError> {
    model
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| SimError::UnknownScenario {
            name: name.to_owned(),
            known: model.scenarios.iter().map(|s| s.name.clone()).collect(),
        })
}

/// Builds an engine for `scenario` of `model` (with an optional seed override), ready to run,
/// checking the invariants of the model and the scenario.
pub fn setup(
    model: &Model,
    program: Arc<Program>,
    scenario: &str,
    seed: Option<u64>,
) -> Result<Engine, SimError> {
    let s = find(model, scenario)?;
    let watch = Watch::compile(model, &program, Some(s))?.map(Arc::new);
    prepare(program, s, seed, watch, false)
}

/// Builds an engine for scenario `s` (which need not be in the model: an exploration's
/// variant of one), with an optional seed override, checking `watch`'s invariants (with
/// `stop`, the run ends at the first violation).
pub fn prepare(
    program: Arc<Program>,
    s: &Scenario,
    seed: Option<u64>,
    watch: Option<Arc<Watch>>,
    stop: bool,
) -> Result<Engine, SimError> {
    prepare_in(None, program, s, seed, (watch, stop))
}

/// As [`prepare`], in the memory of `spare` when given (a finished run of `program`, see
/// [`Engine::renew`]).
pub fn prepare_in(
    spare: Option<Engine>,
    program: Arc<Program>,
    s: &Scenario,
    seed: Option<u64>,
    (watch, stop): (Option<Arc<Watch>>, bool),
) -> Result<Engine, SimError> {
    let start = s
        .start_ms()
        .ok_or_else(|| err(s, "the start time cannot be read"))?;
    let seed = seed.unwrap_or(s.seed);
    let mut engine = match spare {
        Some(old) if Arc::ptr_eq(&old.program, &program) => Engine::renew(old, seed, start),
        _ => Engine::new(program.clone(), seed, start),
    };
    if let Some(watch) = watch {
        engine.watch(watch, stop);
    }
    let p = &*program;
    for f in &s.faults {
        let sub = p.subscriber_named(&f.subscriber).ok_or_else(|| {
            err(
                s,
                format!("no subscriber `{}` for the fault plan", f.subscriber),
            )
        })?;
        let mut outages = Vec::new();
        for (a, b) in &f.outages {
            let (a, b) = (parse_time(a, start), parse_time(b, start));
            outages.push((
                a.ok_or_else(|| err(s, "outage start cannot be read"))?,
                b.ok_or_else(|| err(s, "outage end cannot be read"))?,
            ));
        }
        engine.faults[sub] = FaultDef {
            failure_rate: f.failure_rate,
            outages,
            latency_ms: f.latency.as_deref().and_then(parse_duration).unwrap_or(0),
            duplicate_rate: f.duplicate_rate,
            reorder_rate: f.reorder_rate,
            idempotent: f.idempotent,
        };
    }
    for g in &s.given {
        let ev = p
            .event(&g.event, None)
            .ok_or_else(|| err(s, format!("no event `{}`", g.event)))?;
        let def = p.events[ev].clone();
        let mut payload = Vec::with_capacity(def.fields.len());
        for f in &def.fields {
            payload.push(match g.fields.get(&f.name) {
                Some(src) => constant(s, p, src, Some(&f.ty), start)?,
                None => Value::zero_of(&f.ty, &p.types),
            });
        }
        engine.given(ev, payload);
    }
    let mut workload = Rng::new(seed, "workload");
    for step in &s.when {
        match step {
            Step::Command {
                at,
                command,
                fields,
            } => {
                let t =
                    parse_time(at, start).ok_or_else(|| err(s, format!("`{at}` is not a time")))?;
                let (c, values) = command_values(s, p, command, fields, t)?;
                engine.schedule_command(t, c, values);
            }
            Step::Load {
                at,
                command,
                count,
                every,
                fields,
            } => {
                if *count <= 0 {
                    return Err(err(
                        s,
                        format!("the load of {command} has count {count}; it must be positive"),
                    ));
                }
                if *count > MAX_LOAD {
                    return Err(err(
                        s,
                        format!("the load of {command} has count {count}; at most {MAX_LOAD}"),
                    ));
                }
                let every_ms = parse_duration(every).filter(|d| *d > 0).ok_or_else(|| err(s, format!("the load of {command} repeats every `{every}`: the rate must be positive")))?;
                let t0 =
                    parse_time(at, start).ok_or_else(|| err(s, format!("`{at}` is not a time")))?;
                let c = p
                    .command(command, None)
                    .ok_or_else(|| err(s, format!("no command `{command}`")))?;
                let load = Load::new(&s.name, p, c, fields, t0, every_ms, *count, &mut workload)?;
                engine.schedule_load(load);
            }
            Step::Redrive {
                at,
                subscriber,
                event,
            } => {
                let t =
                    parse_time(at, start).ok_or_else(|| err(s, format!("`{at}` is not a time")))?;
                let sub = p
                    .subscriber_named(subscriber)
                    .ok_or_else(|| err(s, format!("no subscriber `{subscriber}`")))?;
                match event {
                    Some(0) => {
                        return Err(err(s, "events are numbered from 1: no event #0 to redrive"));
                    }
                    Some(n) => engine.schedule_redrive_one(t, sub, n - 1),
                    None => engine.schedule_redrive(t, sub),
                }
            }
        }
    }
    Ok(engine)
}

/// Runs scenario `s` of `model` with its own seed and checks its expectations: what
/// `stormlab test` and the studio's scenario checks report.
pub fn check(model: &Model, program: Arc<Program>, s: &Scenario) -> Result<Vec<Verdict>, SimError> {
    let mut engine = setup(model, program, &s.name, None)?;
    engine.run(until_of(s))?;
    engine.check_eventually();
    verdicts(&engine, s)
}

/// The scenario's `until`, as ms since the epoch.
pub fn until_of(s: &Scenario) -> Option<i64> {
    let start = s.start_ms()?;
    s.until.as_deref().and_then(|u| parse_time(u, start))
}

/// Checks the scenario's expectations against a finished run.
pub fn verdicts(engine: &Engine, scenario: &Scenario) -> Result<Vec<Verdict>, SimError> {
    let p = &*engine.program;
    let now = engine.now();
    let mut out = Vec::new();
    let mut verdict = |expectation: String, passed: bool, reason: String| {
        out.push(Verdict {
            expectation,
            passed,
            reason,
        })
    };
    for ex in &scenario.then {
        match ex {
            Expect::Emitted {
                event,
                count,
                filter,
            } => {
                let ev = p
                    .event(event, None)
                    .ok_or_else(|| err(scenario, format!("no event `{event}`")))?;
                let f = match filter {
                    Some(src) => Some(
                        Expr::compile(
                            src,
                            &super::program::event_scope_of(p, ev),
                            &p.types,
                            Some(&Type::Bool),
                        )
                        .map_err(|e| {
                            err(
                                scenario,
                                format!(
                                    "`{src}`: {}",
                                    e.first().map(|e| e.message.as_str()).unwrap_or("")
                                ),
                            )
                        })?,
                    ),
                    None => None,
                };
                let n = engine
                    .store
                    .records
                    .iter()
                    .filter(|r| r.event as usize == ev)
                    .filter(|r| {
                        let t = Value::Ts(r.time);
                        f.as_ref().is_none_or(|f| {
                            matches!(
                                f.eval(&[
                                    RootValue::Record(engine.store.payload(r)),
                                    RootValue::Scalar(&t),
                                ]),
                                Ok(Value::Bool(true))
                            )
                        })
                    })
                    .count() as u64;
                let what = match filter {
                    Some(w) => format!("{event} where {w}"),
                    None => event.to_string(),
                };
                match count {
                    Some(c) => verdict(
                        format!("{what} emitted {c} time(s)"),
                        n == *c,
                        format!("emitted {n} time(s)"),
                    ),
                    None => verdict(format!("{what} emitted"), n > 0, "never emitted".into()),
                }
            }
            Expect::NotEmitted { event } => {
                let ev = p
                    .event(event, None)
                    .ok_or_else(|| err(scenario, format!("no event `{event}`")))?;
                let n = engine
                    .store
                    .records
                    .iter()
                    .filter(|r| r.event as usize == ev)
                    .count();
                verdict(
                    format!("{event} never emitted"),
                    n == 0,
                    format!("emitted {n} time(s)"),
                );
            }
            Expect::Rejected { command, reason } => {
                let c = p
                    .command(command, None)
                    .ok_or_else(|| err(scenario, format!("no command `{command}`")))?;
                let rejections: Vec<&str> = engine
                    .commands
                    .iter()
                    .filter(|r| r.command() == c)
                    .filter_map(|r| r.rejection.as_deref())
                    .collect();
                let hit = rejections
                    .iter()
                    .any(|r| reason.as_ref().is_none_or(|want| r.contains(want.as_str())));
                let what = match reason {
                    Some(r) => format!("{command} rejected with “{r}”"),
                    None => format!("{command} rejected"),
                };
                let found = if rejections.is_empty() {
                    "never rejected".to_owned()
                } else {
                    format!("rejected with: {}", rejections.join("; "))
                };
                verdict(what, hit, found);
            }
            Expect::Row {
                read_model,
                key,
                columns,
                absent,
            } => {
                let sub = p
                    .subscriber_named(read_model)
                    .ok_or_else(|| err(scenario, format!("no read model `{read_model}`")))?;
                let super::program::SubscriberKind::ReadModel(r) = p.subscribers[sub].kind else {
                    return Err(err(scenario, format!("`{read_model}` is not a read model")));
                };
                let def = &p.read_models[r];
                let key_ty = def.columns.get(def.key_slot).map(|c| c.ty.clone());
                let k = constant(scenario, p, key, key_ty.as_ref(), now)?;
                let row = engine.read_models[r].get(&k);
                if *absent {
                    verdict(
                        format!("{read_model}[{k}] absent"),
                        row.is_none(),
                        "the row exists".into(),
                    );
                    continue;
                }
                let Some(row) = row else {
                    verdict(
                        format!("{read_model}[{k}] exists"),
                        false,
                        "no such row".into(),
                    );
                    continue;
                };
                for (col, src) in columns {
                    let Some(slot) = def.columns.iter().position(|c| &c.name == col) else {
                        continue;
                    };
                    let want = constant(scenario, p, src, Some(&def.columns[slot].ty), now)?;
                    let got = row.get(slot).cloned().unwrap_or_default();
                    verdict(
                        format!("{read_model}[{k}].{col} = {want}"),
                        got == want,
                        format!("it is {got}"),
                    );
                }
            }
            Expect::Rows { read_model, count } => {
                let sub = p
                    .subscriber_named(read_model)
                    .ok_or_else(|| err(scenario, format!("no read model `{read_model}`")))?;
                let super::program::SubscriberKind::ReadModel(r) = p.subscribers[sub].kind else {
                    return Err(err(scenario, format!("`{read_model}` is not a read model")));
                };
                let n = engine.read_models[r].len() as u64;
                verdict(
                    format!("{read_model} has {count} row(s)"),
                    n == *count,
                    format!("it has {n}"),
                );
            }
            Expect::State {
                aggregate,
                id,
                state,
            } => {
                let a = p
                    .aggregate_named(aggregate)
                    .ok_or_else(|| err(scenario, format!("no aggregate `{aggregate}`")))?;
                let k = constant(scenario, p, id, Some(&Type::Id), now)?;
                let key = k.as_str().unwrap_or("").to_owned();
                let got = engine.aggregates[a]
                    .get(key.as_str())
                    .and_then(|i| p.aggregates[a].lifecycle.get(i.lifecycle))
                    .cloned()
                    .unwrap_or_else(|| "(no such instance)".into());
                verdict(
                    format!("{aggregate} {key} is {state}"),
                    &got == state,
                    format!("it is {got}"),
                );
            }
            Expect::Saga {
                saga,
                correlation,
                status,
            } => {
                let sub = p
                    .subscriber_named(saga)
                    .ok_or_else(|| err(scenario, format!("no saga `{saga}`")))?;
                let super::program::SubscriberKind::Saga(si) = p.subscribers[sub].kind else {
                    return Err(err(scenario, format!("`{saga}` is not a saga")));
                };
                let k = constant(scenario, p, correlation, None, now)?;
                let got = engine.sagas[si]
                    .get(&k)
                    .map(|i| i.status.clone())
                    .unwrap_or_else(|| "(no instance)".into());
                verdict(
                    format!("{saga} for {k} is {status}"),
                    *got == **status,
                    format!("it is {got}"),
                );
            }
            Expect::Dlq { subscriber, count } => {
                let n = match subscriber {
                    Some(name) => {
                        let sub = p
                            .subscriber_named(name)
                            .ok_or_else(|| err(scenario, format!("no subscriber `{name}`")))?;
                        engine.dlq.iter().filter(|d| d.subscriber == sub).count()
                    }
                    None => engine.dlq.len(),
                } as u64;
                let who = subscriber
                    .clone()
                    .unwrap_or_else(|| "all subscribers".into());
                verdict(
                    format!("{count} parked message(s) for {who}"),
                    n == *count,
                    format!("{n} parked"),
                );
            }
        }
    }
    for (i, def) in engine.invariants().iter().enumerate() {
        let broken = engine.violations().iter().find(|v| v.index == i);
        let whose = if def.owner.is_empty() {
            String::new()
        } else {
            format!(" of {}", def.owner)
        };
        out.push(Verdict {
            expectation: format!("invariant `{}`{whose} holds", def.name),
            passed: broken.is_none(),
            reason: broken.map(ToString::to_string).unwrap_or_default(),
        });
    }
    Ok(out)
}
