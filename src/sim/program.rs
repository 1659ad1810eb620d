//! The model compiled for running: every name resolved to an index, every expression
//! compiled once against the same scopes the checks use, every field of every message given
//! a source (an expression, a same-named copy or a zero value).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::check::{check, has_errors};
use crate::model::expr::time::parse_duration;
use crate::model::expr::{Expr, Scope, Value};
use crate::model::scopes::{
    ModelTypes, applier_scope, common_fields, event_scope, fan_out_parts, handler_scope,
    message_scope, row_scope, saga_scope,
};
use crate::model::ty::Type;
use crate::model::{Assignments, Delivery, Field, Issue, Kind, Loc, Model, NameIndex, RuleAction};

/// Why a model cannot be run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The model has errors (run `stormlab check`).
    #[error("the model has {} error(s); run `stormlab check` first:\n{}", .0.len(), .0.join("\n"))]
    Invalid(Vec<String>),
    /// No scenario has that name.
    #[error("no scenario is called `{name}`; scenarios: {}", known.join(", "))]
    UnknownScenario {
        /// The name asked for.
        name: String,
        /// The names that exist.
        known: Vec<String>,
    },
    /// A scenario value cannot be computed.
    #[error("scenario `{scenario}`: {message}")]
    Scenario {
        /// The scenario.
        scenario: String,
        /// What went wrong.
        message: String,
    },
    /// The run did not come to rest within the engine's step limit.
    #[error("the run was stopped after {steps} steps without coming to rest: {}", runaway_cause(*.scenario_commands, *.steps))]
    Runaway {
        /// The steps run.
        steps: u64,
        /// How many of them were the scenario's own commands (its `when` and loads).
        scenario_commands: u64,
    },
}

/// Why a run did not come to rest: a scenario whose own commands are a large share of the
/// steps is too big for one run; otherwise something keeps issuing commands.
fn runaway_cause(scenario_commands: u64, steps: u64) -> String {
    if scenario_commands.saturating_mul(10) >= steps {
        format!(
            "the scenario itself issued {scenario_commands} commands by then; lower its loads' `count` (the run holds every event in memory)"
        )
    } else {
        format!(
            "only {scenario_commands} of them were the scenario's commands; the rest were set off by policies, sagas or retries — is there an endless loop of policies?"
        )
    }
}

/// Where a field's value comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// An expression over the roots of its scope.
    Expr(Expr),
    /// The same-named field of a root record: (root index, slot).
    Copy(usize, usize),
    /// The target id, for the id field of an issued command.
    Target,
    /// Nothing given: the type's zero value.
    Zero(Value),
}

/// What handles a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An aggregate (index).
    Aggregate(usize),
    /// An external system (index).
    External(usize),
}

/// An event type.
#[derive(Clone, Debug)]
pub struct EventDef {
    /// Where it is in the model.
    pub id: Loc,
    /// Its name.
    pub name: String,
    /// Its context's name.
    pub context: String,
    /// Its fields.
    pub fields: Vec<Field>,
    /// Who emits it (its stream's owner), if anyone.
    pub owner: Option<Target>,
    /// The field holding the stream key.
    pub key_slot: Option<usize>,
}

/// A command type.
#[derive(Clone, Debug)]
pub struct CommandDef {
    /// Where it is in the model.
    pub id: Loc,
    /// Its name.
    pub name: String,
    /// Its context's name.
    pub context: String,
    /// Its fields.
    pub fields: Vec<Field>,
    /// Who handles it.
    pub target: Target,
    /// The field holding the target's id.
    pub key_slot: Option<usize>,
}

/// An emitted event: its type and a source per field (roots: cmd, state, now).
#[derive(Clone, Debug)]
pub struct EmitDef {
    /// Event type.
    pub event: usize,
    /// One source per event field.
    pub fields: Vec<Source>,
}

/// A command handler.
#[derive(Clone, Debug)]
pub struct HandlerDef {
    /// Allowed lifecycle states (indices); empty: any.
    pub states: Vec<usize>,
    /// Guards with their rejection messages.
    pub guards: Vec<(Expr, String)>,
    /// Events emitted whenever the command is accepted.
    pub emits: Vec<EmitDef>,
    /// Data-dependent outcomes: the first whose condition holds adds its events.
    pub branches: Vec<BranchDef>,
    /// Whether an event it emits carries the instance's id under a name of its own (its
    /// `stream_key`), to be filled with the id.
    pub fills_key: bool,
    /// Commands it schedules when it accepts its command and emits an event.
    pub schedules: Vec<ScheduleDef>,
}

/// A handler's scheduled command (roots: cmd, state, now, read models and aggregates).
#[derive(Clone, Debug)]
pub struct ScheduleDef {
    /// When it is issued: a duration from now, or a moment.
    pub when: Moment,
    /// The command.
    pub issue: IssueDef,
}

/// When a scheduled command is issued.
#[derive(Clone, Debug)]
pub enum Moment {
    /// This long after the command that schedules it.
    After(Expr),
    /// At this moment (a past one: at once).
    At(Expr),
}

/// Who armed a timer (and whose pending timers an event cancels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimerOwner {
    /// A policy or a saga: its subscriber index.
    Subscriber(usize),
    /// A handler's schedule: the aggregate, the command its handler handles, the schedule's
    /// place in the handler's list.
    Schedule {
        /// The aggregate's index.
        aggregate: usize,
        /// The handled command's index.
        command: usize,
        /// The schedule's index in its handler.
        index: usize,
    },
}

/// One outcome of a handler: its condition (none: the otherwise) and its events.
#[derive(Clone, Debug)]
pub struct BranchDef {
    /// The condition over `cmd`, `state`, `now`.
    pub when: Option<Expr>,
    /// Its events, after the handler's own.
    pub emits: Vec<EmitDef>,
}

/// An event applier (roots: event, state, now).
#[derive(Clone, Debug)]
pub struct ApplierDef {
    /// New values for state slots.
    pub sets: Vec<(usize, Source)>,
    /// The lifecycle state after it.
    pub to: Option<usize>,
}

/// An aggregate.
#[derive(Clone, Debug)]
pub struct AggregateDef {
    /// Where it is in the model.
    pub id: Loc,
    /// Its name.
    pub name: String,
    /// State fields.
    pub state: Vec<Field>,
    /// A fresh instance (zero state, initial lifecycle state, version 0, no stream yet): what
    /// a command sees of an aggregate that has no events.
    pub fresh: super::fold::Instance,
    /// Lifecycle state names; 0 is initial.
    pub lifecycle: Vec<String>,
    /// Handlers by command index.
    pub handlers: BTreeMap<usize, HandlerDef>,
    /// Appliers by event index.
    pub appliers: BTreeMap<usize, ApplierDef>,
}

/// A command issued from an event (roots: event, now).
#[derive(Clone, Debug)]
pub struct IssueDef {
    /// The command.
    pub command: usize,
    /// The target id.
    pub target: Source,
    /// One source per command field.
    pub fields: Vec<Source>,
}

/// One outcome of an external system (roots: msg, now).
#[derive(Clone, Debug)]
pub struct OutcomeDef {
    /// The event answered.
    pub event: usize,
    /// Condition.
    pub when: Option<Expr>,
    /// Weight.
    pub probability: f64,
    /// Delay, ms.
    pub after_ms: i64,
    /// One source per event field.
    pub fields: Vec<Source>,
}

/// An external system.
#[derive(Clone, Debug)]
pub struct ExternalDef {
    /// Its name.
    pub name: String,
    /// Reactions to commands, by command index.
    pub on_command: BTreeMap<usize, Vec<OutcomeDef>>,
    /// Reactions to events, by event index.
    pub on_event: BTreeMap<usize, Vec<OutcomeDef>>,
}

/// A saga step (a join's: one per event it waits for, each compiled over that event).
#[derive(Clone, Debug)]
pub struct StepDef {
    /// The model step it was compiled from (its index in the saga's `steps`).
    pub number: usize,
    /// Triggering event.
    pub on: usize,
    /// A join: which of the instance's join marks it sets and needs.
    pub join: Option<JoinDef>,
    /// Condition (roots: event, now, read models, state).
    pub when: Option<Expr>,
    /// New values for state slots (same roots), all over the state before the step.
    pub set: Vec<(usize, Expr)>,
    /// A fan-out's list (same roots, the state after `set`): one command per element, the
    /// element a root after the state for the command and its compensation.
    pub each: Option<Expr>,
    /// A timer's delay (same roots, the state after `set`): the command is armed, not
    /// issued, and its step's `unless` events (in `Program::cancels`) cancel it.
    pub after: Option<Expr>,
    /// The command (none: the step only sets state).
    pub issue: Option<IssueDef>,
    /// Its compensation.
    pub compensate: Option<IssueDef>,
}

/// The part of a join one event plays.
#[derive(Clone, Copy, Debug)]
pub struct JoinDef {
    /// The join's place in an instance's join marks.
    pub slot: usize,
    /// This event's mark.
    pub bit: u64,
    /// The marks of all the join's events: the step is taken when every one is set.
    pub all: u64,
}

/// A saga deadline.
#[derive(Clone, Debug)]
pub struct DeadlineDef {
    /// Name.
    pub name: String,
    /// Starting event.
    pub from: usize,
    /// Delay, ms (when `at` is none).
    pub after_ms: i64,
    /// When it fires, from the starting event (roots: event, now).
    pub at: Option<Expr>,
    /// Cancelling events.
    pub until: Vec<usize>,
    /// The status a firing ends the instance in, normally; none: it fails the saga.
    pub ends_as: Option<Arc<str>>,
}

/// A saga.
#[derive(Clone, Debug)]
pub struct SagaDef {
    /// The correlation field's slot, per event type it handles.
    pub correlation: BTreeMap<usize, usize>,
    /// Start event.
    pub start: usize,
    /// State fields.
    pub state: Vec<Field>,
    /// A new instance's state (each field's zero).
    pub zero_state: Vec<Value>,
    /// How many join steps (an instance keeps marks for each).
    pub joins: usize,
    /// Whether a fan-out step has a compensation: an instance keeps the elements its
    /// commands were issued for, to compensate each.
    pub keeps_elements: bool,
    /// Whether nothing it does with an event can be worked out wrong: no state, no joins,
    /// no conditions, no fan-outs, no timers (its plan is the steps and the end the event
    /// names).
    pub plain: bool,
    /// Steps.
    pub steps: Vec<StepDef>,
    /// Deadlines.
    pub deadlines: Vec<DeadlineDef>,
    /// End events and statuses.
    pub ends: Vec<EndDef>,
    /// Issued when the saga fails (roots: the start event, now, read models, state).
    pub on_failure: Option<IssueDef>,
}

/// A read-model rule.
#[derive(Clone, Debug)]
pub struct RuleDef {
    /// Event type.
    pub on: usize,
    /// A fan-out's list (roots: event, now): the rule applies once per element.
    pub each: Option<Expr>,
    /// Row key (roots: event, now, the fan-out's element).
    pub key: Expr,
    /// Column updates (roots: event, row, now, the fan-out's element); None: delete.
    pub upsert: Option<Vec<(usize, Expr)>>,
}

/// A read model.
#[derive(Clone, Debug)]
pub struct ReadModelDef {
    /// Columns.
    pub columns: Vec<Field>,
    /// The key column's slot.
    pub key_slot: usize,
    /// Zero row.
    pub zero: Vec<Value>,
    /// Rules.
    pub rules: Vec<RuleDef>,
}

/// What a subscriber does with an event.
#[derive(Clone, Debug)]
pub enum SubscriberKind {
    /// Issue a command.
    Policy {
        /// Event.
        on: usize,
        /// Condition.
        when: Option<Expr>,
        /// The command.
        issue: IssueDef,
        /// A fan-out's list (roots: event, now, read models): one command per element,
        /// which `issue` reads as its fourth root.
        each: Option<Expr>,
        /// A timer's delay (roots: event, now): the command is issued that much later.
        after: Option<Expr>,
    },
    /// A saga (index into `sagas`).
    Saga(usize),
    /// A read model (index into `read_models`).
    ReadModel(usize),
    /// An external system consuming events (index into `externals`).
    External(usize),
}

/// Delivery settings, parsed.
#[derive(Clone, Debug)]
pub struct DeliveryDef {
    /// Latency, ms.
    pub latency_ms: i64,
    /// Attempts before parking.
    pub max_attempts: u32,
    /// First retry delay, ms (doubles).
    pub backoff_ms: i64,
    /// Dedupe by event id.
    pub idempotent: bool,
}

/// A subscriber.
#[derive(Clone, Debug)]
pub struct SubscriberDef {
    /// Its name.
    pub name: String,
    /// Where it is in the model.
    pub id: Loc,
    /// What it does.
    pub kind: SubscriberKind,
    /// Delivery settings.
    pub delivery: DeliveryDef,
}

/// An ACL translation (roots: the upstream event, now).
#[derive(Clone, Debug)]
pub struct TranslationDef {
    /// The downstream event.
    pub into: usize,
    /// One source per field of `into`.
    pub fields: Vec<Source>,
}

/// An event that ends a saga instance (when its condition holds).
#[derive(Clone, Debug)]
pub struct EndDef {
    /// The event.
    pub on: usize,
    /// The status it ends in.
    pub status: Arc<str>,
    /// Its condition (roots: event, now, read models, state).
    pub when: Option<Expr>,
}

/// The compiled model.
#[derive(Clone, Debug)]
pub struct Program {
    /// Named types.
    pub types: ModelTypes,
    /// Event types.
    pub events: Vec<EventDef>,
    /// Command types.
    pub commands: Vec<CommandDef>,
    /// Aggregates.
    pub aggregates: Vec<AggregateDef>,
    /// External systems.
    pub externals: Vec<ExternalDef>,
    /// Sagas.
    pub sagas: Vec<SagaDef>,
    /// Read models.
    pub read_models: Vec<ReadModelDef>,
    /// Subscribers.
    pub subscribers: Vec<SubscriberDef>,
    /// Subscribers per event type.
    pub by_event: Vec<Vec<usize>>,
    /// Per event type, the policies, sagas and handler schedules whose pending timers it
    /// cancels.
    pub cancels: Vec<Vec<TimerOwner>>,
    /// Translations per event type.
    pub translations: Vec<Vec<TranslationDef>>,
    event_ix: BTreeMap<Loc, usize>,
    command_ix: BTreeMap<Loc, usize>,
    aggregate_ix: BTreeMap<Loc, usize>,
    index: NameIndex,
}

impl Program {
    /// Whether anything arms timers: a policy's or a saga step's `after`, a handler's
    /// schedule.
    pub fn has_timers(&self) -> bool {
        let policies = self
            .subscribers
            .iter()
            .any(|s| matches!(s.kind, SubscriberKind::Policy { after: Some(_), .. }));
        let steps = self.sagas.iter().flat_map(|s| &s.steps);
        let handlers = self.aggregates.iter().flat_map(|a| a.handlers.values());
        policies
            || steps.into_iter().any(|st| st.after.is_some())
            || handlers.into_iter().any(|h| !h.schedules.is_empty())
    }

    /// Who armed a timer, named for people: the policy or saga, or `Aggregate on Command`
    /// for a handler's schedule.
    pub fn timer_owner(&self, owner: TimerOwner) -> String {
        match owner {
            TimerOwner::Subscriber(sub) => self
                .subscribers
                .get(sub)
                .map_or_else(|| "?".to_owned(), |s| s.name.clone()),
            TimerOwner::Schedule {
                aggregate, command, ..
            } => format!(
                "{} on {}",
                self.aggregates
                    .get(aggregate)
                    .map_or("?", |a| a.name.as_str()),
                self.commands.get(command).map_or("?", |c| c.name.as_str())
            ),
        }
    }
}

fn delivery(d: &Delivery) -> DeliveryDef {
    DeliveryDef {
        latency_ms: parse_duration(&d.latency).unwrap_or(0),
        max_attempts: d.max_attempts.max(1),
        backoff_ms: parse_duration(&d.backoff).unwrap_or(1000),
        idempotent: d.idempotent,
    }
}

/// Compiles an expression the checks already accepted.
fn compile(
    src: &str,
    scope: &Scope,
    types: &ModelTypes,
    expected: Option<&Type>,
) -> Result<Expr, SimError> {
    Expr::compile(src, scope, types, expected).map_err(|e| {
        SimError::Invalid(vec![format!(
            "`{src}`: {}",
            e.first().map(|e| e.message.as_str()).unwrap_or("invalid")
        )])
    })
}

impl Program {
    /// Compiles `model`; a model with check errors is refused with the errors listed.
    pub fn new(model: &Model) -> Result<Program, SimError> {
        let diags = check(model);
        if has_errors(&diags) {
            return Err(SimError::Invalid(
                diags
                    .iter()
                    .filter(|d| d.severity == crate::model::diagnostic::Severity::Error)
                    .map(|d| format!("error[{}]: {}", d.code.as_str(), d.message))
                    .collect(),
            ));
        }
        let types = ModelTypes::new(model);
        let index = NameIndex::new(model);
        let mut p = Program {
            types,
            events: Vec::new(),
            commands: Vec::new(),
            aggregates: Vec::new(),
            externals: Vec::new(),
            sagas: Vec::new(),
            read_models: Vec::new(),
            subscribers: Vec::new(),
            by_event: Vec::new(),
            cancels: Vec::new(),
            translations: Vec::new(),
            event_ix: BTreeMap::new(),
            command_ix: BTreeMap::new(),
            aggregate_ix: BTreeMap::new(),
            index,
        };
        // Index element kinds first, so references can be resolved to indices.
        let mut agg_ix = BTreeMap::new();
        let mut ext_ix = BTreeMap::new();
        for (ci, c) in model.contexts.iter().enumerate() {
            for i in 0..c.aggregates.len() {
                agg_ix.insert(
                    Loc {
                        kind: Kind::Aggregate,
                        context: Some(ci),
                        index: i,
                    },
                    agg_ix.len(),
                );
            }
            for i in 0..c.externals.len() {
                ext_ix.insert(
                    Loc {
                        kind: Kind::External,
                        context: Some(ci),
                        index: i,
                    },
                    ext_ix.len(),
                );
            }
            for i in 0..c.events.len() {
                p.event_ix.insert(
                    Loc {
                        kind: Kind::Event,
                        context: Some(ci),
                        index: i,
                    },
                    p.event_ix.len(),
                );
            }
            for i in 0..c.commands.len() {
                p.command_ix.insert(
                    Loc {
                        kind: Kind::Command,
                        context: Some(ci),
                        index: i,
                    },
                    p.command_ix.len(),
                );
            }
        }
        let target_of = |p: &Program, name: &str, from: usize| -> Option<Target> {
            let id = p
                .index
                .resolve(name, &[Kind::Aggregate, Kind::External], Some(from))
                .found()?;
            match id.kind {
                Kind::Aggregate => agg_ix.get(&id).map(|i| Target::Aggregate(*i)),
                _ => ext_ix.get(&id).map(|i| Target::External(*i)),
            }
        };
        let key_field = |t: Option<Target>| -> Option<String> {
            let find = |kind: Kind, want: usize| {
                model
                    .contexts
                    .iter()
                    .enumerate()
                    .flat_map(|(ci, c)| {
                        let n = if kind == Kind::Aggregate {
                            c.aggregates.len()
                        } else {
                            c.externals.len()
                        };
                        (0..n).map(move |i| (ci, i))
                    })
                    .nth(want)
            };
            match t? {
                Target::Aggregate(a) => find(Kind::Aggregate, a)
                    .and_then(|(ci, i)| model.contexts[ci].aggregates.get(i))
                    .map(|a| a.id.clone()),
                Target::External(x) => find(Kind::External, x)
                    .and_then(|(ci, i)| model.contexts[ci].externals.get(i))
                    .map(|x| x.id.clone()),
            }
        };
        for (ci, c) in model.contexts.iter().enumerate() {
            for (i, e) in c.events.iter().enumerate() {
                let owner = if e.owner.is_empty() {
                    None
                } else {
                    target_of(&p, &e.owner, ci)
                };
                // The field named as the owner's id, or the one the event names.
                let key = match e.stream_key.as_str() {
                    "" => key_field(owner),
                    k => Some(k.to_owned()),
                };
                p.events.push(EventDef {
                    id: Loc {
                        kind: Kind::Event,
                        context: Some(ci),
                        index: i,
                    },
                    name: e.name.clone(),
                    context: c.name.clone(),
                    fields: e.fields.clone(),
                    owner,
                    key_slot: key.and_then(|k| e.fields.iter().position(|f| f.name == k)),
                });
            }
            for (i, cmd) in c.commands.iter().enumerate() {
                let target = target_of(&p, &cmd.target, ci).unwrap_or(Target::Aggregate(0));
                let key = key_field(Some(target));
                p.commands.push(CommandDef {
                    id: Loc {
                        kind: Kind::Command,
                        context: Some(ci),
                        index: i,
                    },
                    name: cmd.name.clone(),
                    context: c.name.clone(),
                    fields: cmd.fields.clone(),
                    target,
                    key_slot: key.and_then(|k| cmd.fields.iter().position(|f| f.name == k)),
                });
            }
        }
        p.by_event = vec![Vec::new(); p.events.len()];
        p.cancels = vec![Vec::new(); p.events.len()];
        p.translations = vec![Vec::new(); p.events.len()];
        for (ci, c) in model.contexts.iter().enumerate() {
            for (i, a) in c.aggregates.iter().enumerate() {
                let def = p.aggregate(model, ci, i, a)?;
                // The handlers' pending schedules each of their `unless` events cancels.
                let aggregate = p.aggregates.len();
                for h in &a.handlers {
                    let Some(command) = p.command(&h.on, Some(ci)) else {
                        continue;
                    };
                    for (index, sc) in h.schedule.iter().enumerate() {
                        for u in &sc.unless {
                            if let Some(u) = p.event(u, Some(ci))
                                && let Some(list) = p.cancels.get_mut(u)
                            {
                                list.push(TimerOwner::Schedule {
                                    aggregate,
                                    command,
                                    index,
                                });
                            }
                        }
                    }
                }
                p.aggregates.push(def);
            }
            for x in &c.externals {
                let def = p.external(ci, x)?;
                p.externals.push(def);
            }
        }
        for (ci, c) in model.contexts.iter().enumerate() {
            for (i, pol) in c.policies.iter().enumerate() {
                let Some(on) = p.event(&pol.on, Some(ci)) else {
                    continue;
                };
                let scope = event_scope_of(&p, on).with_lookups();
                let when = pol
                    .when
                    .as_deref()
                    .map(|w| compile(w, &scope, &p.types, Some(&Type::Bool)))
                    .transpose()?;
                let after = pol
                    .after
                    .as_deref()
                    .map(|a| {
                        let scope = event_scope_of(&p, on);
                        compile(a, &scope, &p.types, Some(&Type::Duration))
                    })
                    .transpose()?;
                // The policies' pending timers each of these events cancels.
                for u in &pol.unless {
                    if let Some(u) = p.event(u, Some(ci))
                        && let Some(list) = p.cancels.get_mut(u)
                    {
                        list.push(TimerOwner::Subscriber(p.subscribers.len()));
                    }
                }
                let (each, scope) = match &pol.for_each {
                    None => (None, scope),
                    Some(text) => {
                        let (list, scope) = p.fan_out(text, &scope)?;
                        (Some(list), scope)
                    }
                };
                let issue = p.issue_in(
                    ci,
                    &p.events[on].fields,
                    &scope,
                    &Issue {
                        command: pol.then.clone(),
                        target: pol.target.clone(),
                        with: pol.with.clone(),
                    },
                    &[0],
                )?;
                p.subscribe(
                    vec![on],
                    SubscriberDef {
                        name: pol.name.clone(),
                        id: Loc {
                            kind: Kind::Policy,
                            context: Some(ci),
                            index: i,
                        },
                        kind: SubscriberKind::Policy {
                            on,
                            when,
                            issue,
                            each,
                            after,
                        },
                        delivery: delivery(&pol.delivery),
                    },
                );
            }
            for (i, s) in c.sagas.iter().enumerate() {
                let def = p.saga(ci, s)?;
                // The pending timers of its timed steps each of these events cancels.
                let sub = TimerOwner::Subscriber(p.subscribers.len());
                for u in s.steps.iter().flat_map(|st| &st.unless) {
                    if let Some(u) = p.event(u, Some(ci))
                        && let Some(list) = p.cancels.get_mut(u)
                        && !list.contains(&sub)
                    {
                        list.push(sub);
                    }
                }
                let mut events: Vec<usize> = def.correlation.keys().copied().collect();
                events.sort_unstable();
                events.dedup();
                p.sagas.push(def);
                p.subscribe(
                    events,
                    SubscriberDef {
                        name: s.name.clone(),
                        id: Loc {
                            kind: Kind::Saga,
                            context: Some(ci),
                            index: i,
                        },
                        kind: SubscriberKind::Saga(p.sagas.len() - 1),
                        delivery: delivery(&s.delivery),
                    },
                );
            }
            for (i, r) in c.read_models.iter().enumerate() {
                let def = p.read_model(ci, r)?;
                let mut events: Vec<usize> = def.rules.iter().map(|r| r.on).collect();
                events.sort_unstable();
                events.dedup();
                p.read_models.push(def);
                p.subscribe(
                    events,
                    SubscriberDef {
                        name: r.name.clone(),
                        id: Loc {
                            kind: Kind::ReadModel,
                            context: Some(ci),
                            index: i,
                        },
                        kind: SubscriberKind::ReadModel(p.read_models.len() - 1),
                        delivery: delivery(&r.delivery),
                    },
                );
            }
            for (i, x) in c.externals.iter().enumerate() {
                let xi = ext_ix
                    .get(&Loc {
                        kind: Kind::External,
                        context: Some(ci),
                        index: i,
                    })
                    .copied()
                    .unwrap_or(0);
                let events: Vec<usize> = p
                    .externals
                    .get(xi)
                    .map(|d| d.on_event.keys().copied().collect())
                    .unwrap_or_default();
                if !events.is_empty() {
                    p.subscribe(
                        events,
                        SubscriberDef {
                            name: x.name.clone(),
                            id: Loc {
                                kind: Kind::External,
                                context: Some(ci),
                                index: i,
                            },
                            kind: SubscriberKind::External(xi),
                            delivery: delivery(&x.delivery),
                        },
                    );
                }
            }
        }
        p.aggregate_ix = agg_ix.clone();
        for r in &model.relations {
            let (up, down) = (p.index.context(&r.upstream), p.index.context(&r.downstream));
            for t in &r.translations {
                let (Some(from), Some(into)) = (p.event(&t.from, up), p.event(&t.into, down))
                else {
                    continue;
                };
                let scope = event_scope_of(&p, from);
                let fields =
                    p.sources(&p.events[into].fields.clone(), &t.with, &scope, &[0], None)?;
                p.translations[from].push(TranslationDef { into, fields });
            }
        }
        Ok(p)
    }

    fn subscribe(&mut self, events: Vec<usize>, def: SubscriberDef) {
        let s = self.subscribers.len();
        self.subscribers.push(def);
        for e in events {
            if let Some(list) = self.by_event.get_mut(e) {
                list.push(s);
            }
        }
    }

    /// The event type a name refers to from a context.
    pub fn event(&self, name: &str, from: Option<usize>) -> Option<usize> {
        let id = self.index.resolve(name, &[Kind::Event], from).found()?;
        self.event_ix.get(&id).copied()
    }

    /// The command type a name refers to from a context.
    pub fn command(&self, name: &str, from: Option<usize>) -> Option<usize> {
        let id = self.index.resolve(name, &[Kind::Command], from).found()?;
        self.command_ix.get(&id).copied()
    }

    /// The aggregate called `name` (bare or qualified).
    pub fn aggregate_named(&self, name: &str) -> Option<usize> {
        let id = self.index.resolve(name, &[Kind::Aggregate], None).found()?;
        self.aggregate_ix.get(&id).copied()
    }

    /// The subscriber (policy, saga, read model or external system) called `name`.
    pub fn subscriber_named(&self, name: &str) -> Option<usize> {
        let id = self
            .index
            .resolve(
                name,
                &[Kind::Policy, Kind::Saga, Kind::ReadModel, Kind::External],
                None,
            )
            .found()?;
        self.subscribers.iter().position(|s| s.id == id)
    }

    /// One source per field of `fields`: an expression from `with`, a same-named copy from the
    /// first of `copy_roots` that has the field, the target id, or zero.
    fn sources(
        &self,
        fields: &[Field],
        with: &Assignments,
        scope: &Scope,
        copy_roots: &[usize],
        target_field: Option<&str>,
    ) -> Result<Vec<Source>, SimError> {
        fields
            .iter()
            .map(|f| {
                if let Some(src) = with.get(&f.name) {
                    return Ok(Source::Expr(compile(src, scope, &self.types, Some(&f.ty))?));
                }
                if target_field == Some(f.name.as_str()) {
                    return Ok(Source::Target);
                }
                for &r in copy_roots {
                    if let Some(crate::model::expr::Root {
                        shape: crate::model::expr::RootShape::Record(rf),
                        ..
                    }) = scope.roots.get(r)
                        && let Some(slot) = rf.iter().position(|(n, _)| *n == f.name)
                    {
                        return Ok(Source::Copy(r, slot));
                    }
                }
                Ok(Source::Zero(Value::zero_of(&f.ty, &self.types)))
            })
            .collect()
    }

    /// The events a handler (or one of its branches) emits, with a source per field (roots:
    /// cmd, state, now; unset fields copy the command's or the state's same-named field; a
    /// stream key under another name than the aggregate's id `agg_id` is the instance's id).
    fn emit_defs(
        &self,
        emits: &[crate::model::aggregate::Emit],
        scope: &Scope,
        (ci, agg_id): (usize, &str),
    ) -> Result<Vec<EmitDef>, SimError> {
        let mut out = Vec::new();
        for em in emits {
            let Some(ev) = self.event(&em.event, Some(ci)) else {
                continue;
            };
            let def = &self.events[ev];
            // A stream key under its own name (`stream_key`) is the instance's id.
            let key = def
                .key_slot
                .and_then(|k| def.fields.get(k))
                .map(|f| f.name.as_str())
                .filter(|k| *k != agg_id);
            let fields = self.sources(&def.fields, &em.set, scope, &[0, 1], key)?;
            out.push(EmitDef { event: ev, fields });
        }
        Ok(out)
    }

    fn aggregate(
        &self,
        model: &Model,
        ci: usize,
        index: usize,
        a: &crate::model::Aggregate,
    ) -> Result<AggregateDef, SimError> {
        let mut handlers = BTreeMap::new();
        for h in &a.handlers {
            let Some(cmd) = self.command(&h.on, Some(ci)) else {
                continue;
            };
            let cdef = model
                .contexts
                .iter()
                .flat_map(|c| c.commands.iter())
                .nth(cmd);
            let Some(cdef) = cdef else { continue };
            let scope = handler_scope(cdef, a);
            let states = h
                .states
                .iter()
                .filter_map(|s| a.lifecycle.iter().position(|l| l == s))
                .collect();
            let guards = h
                .guards
                .iter()
                .map(|g| {
                    Ok((
                        compile(&g.expr, &scope, &self.types, Some(&Type::Bool))?,
                        g.reject.clone(),
                    ))
                })
                .collect::<Result<_, SimError>>()?;
            let emits = self.emit_defs(&h.emit, &scope, (ci, &a.id))?;
            let cmd_fields = &self.commands[cmd].fields;
            let schedules = h
                .schedule
                .iter()
                .map(|sc| {
                    let when = match (&sc.after, &sc.at) {
                        (Some(after), _) => Moment::After(compile(
                            after,
                            &scope,
                            &self.types,
                            Some(&Type::Duration),
                        )?),
                        (None, Some(at)) => {
                            Moment::At(compile(at, &scope, &self.types, Some(&Type::Timestamp))?)
                        }
                        (None, None) => {
                            return Err(SimError::Invalid(vec![format!(
                                "schedule of {} has no time",
                                sc.issue.command
                            )]));
                        }
                    };
                    let issue = self.issue_in(ci, cmd_fields, &scope, &sc.issue, &[0])?;
                    Ok(ScheduleDef { when, issue })
                })
                .collect::<Result<_, SimError>>()?;
            let branches: Vec<BranchDef> = h
                .branches
                .iter()
                .map(|b| {
                    Ok(BranchDef {
                        when: b
                            .when
                            .as_ref()
                            .map(|w| compile(w, &scope, &self.types, Some(&Type::Bool)))
                            .transpose()?,
                        emits: self.emit_defs(&b.emit, &scope, (ci, &a.id))?,
                    })
                })
                .collect::<Result<_, SimError>>()?;
            handlers.insert(
                cmd,
                HandlerDef {
                    fills_key: emits
                        .iter()
                        .chain(branches.iter().flat_map(|b| &b.emits))
                        .any(|e| e.fields.iter().any(|f| matches!(f, Source::Target))),
                    states,
                    guards,
                    emits,
                    branches,
                    schedules,
                },
            );
        }
        let mut appliers = BTreeMap::new();
        for ap in &a.appliers {
            let Some(ev) = self.event(&ap.on, Some(ci)) else {
                continue;
            };
            let edef = &self.events[ev];
            let event = as_event(edef);
            let scope = applier_scope(&event, a);
            let mut sets = Vec::new();
            for (slot, f) in a.state.iter().enumerate() {
                if let Some(src) = ap.set.get(&f.name) {
                    sets.push((
                        slot,
                        Source::Expr(compile(src, &scope, &self.types, Some(&f.ty))?),
                    ));
                } else if let Some(es) = edef.fields.iter().position(|ef| ef.name == f.name) {
                    sets.push((slot, Source::Copy(0, es)));
                }
            }
            let to = ap
                .to
                .as_ref()
                .and_then(|t| a.lifecycle.iter().position(|l| l == t));
            appliers.insert(ev, ApplierDef { sets, to });
        }
        Ok(AggregateDef {
            id: Loc {
                kind: Kind::Aggregate,
                context: Some(ci),
                index,
            },
            name: a.name.clone(),
            fresh: super::fold::Instance {
                state: a
                    .state
                    .iter()
                    .map(|f| Value::zero_of(&f.ty, &self.types))
                    .collect(),
                lifecycle: 0,
                version: 0,
                stream: u32::MAX,
            },
            state: a.state.clone(),
            lifecycle: a.lifecycle.clone(),
            handlers,
            appliers,
        })
    }

    fn outcome_list(
        &self,
        ci: usize,
        msg_fields: &[Field],
        outcomes: &[crate::model::Outcome],
    ) -> Result<Vec<OutcomeDef>, SimError> {
        let scope = message_scope(msg_fields);
        outcomes
            .iter()
            .filter_map(|o| self.event(&o.respond, Some(ci)).map(|ev| (o, ev)))
            .map(|(o, ev)| {
                Ok(OutcomeDef {
                    event: ev,
                    when: o
                        .when
                        .as_deref()
                        .map(|w| compile(w, &scope, &self.types, Some(&Type::Bool)))
                        .transpose()?,
                    probability: o.probability,
                    after_ms: parse_duration(&o.after).unwrap_or(0),
                    fields: self.sources(&self.events[ev].fields, &o.with, &scope, &[0], None)?,
                })
            })
            .collect()
    }

    fn external(
        &self,
        ci: usize,
        x: &crate::model::ExternalSystem,
    ) -> Result<ExternalDef, SimError> {
        let mut on_command = BTreeMap::new();
        let mut on_event = BTreeMap::new();
        for r in &x.reacts {
            if let Some(cmd) = self.command(&r.on, Some(ci)) {
                let fields = self.commands[cmd].fields.clone();
                on_command.insert(cmd, self.outcome_list(ci, &fields, &r.outcomes)?);
            } else if let Some(ev) = self.event(&r.on, Some(ci)) {
                let fields = self.events[ev].fields.clone();
                on_event.insert(ev, self.outcome_list(ci, &fields, &r.outcomes)?);
            }
        }
        Ok(ExternalDef {
            name: x.name.clone(),
            on_command,
            on_event,
        })
    }

    /// A command issued with the names of `scope` (an event, now, read models, and a
    /// fan-out's element or a saga's state; or a handler's command and state), its first root
    /// having the fields `source`; the target defaults to the same-named field of `source`,
    /// unset fields copy the same-named field of the first of the `copy_roots` that has one.
    fn issue_in(
        &self,
        ci: usize,
        source: &[Field],
        scope: &Scope,
        issue: &Issue,
        copy_roots: &[usize],
    ) -> Result<IssueDef, SimError> {
        let cmd = self
            .command(&issue.command, Some(ci))
            .ok_or_else(|| SimError::Invalid(vec![format!("no command `{}`", issue.command)]))?;
        let cdef = &self.commands[cmd];
        let key_name = cdef
            .key_slot
            .and_then(|s| cdef.fields.get(s))
            .map(|f| f.name.clone());
        let target = match &issue.target {
            Some(t) => Source::Expr(compile(t, scope, &self.types, Some(&Type::Id))?),
            None => match key_name
                .as_ref()
                .and_then(|k| source.iter().position(|f| &f.name == k))
            {
                Some(slot) => Source::Copy(0, slot),
                None => Source::Zero(Value::str("")),
            },
        };
        let target_field = if issue.with.contains_key(key_name.as_deref().unwrap_or("")) {
            None
        } else {
            key_name.as_deref()
        };
        let fields = self.sources(&cdef.fields, &issue.with, scope, copy_roots, target_field)?;
        Ok(IssueDef {
            command: cmd,
            target,
            fields,
        })
    }

    /// A policy's or saga step's fan-out `text` over `scope`: its list, and the scope with
    /// the element for the command it issues.
    fn fan_out(&self, text: &str, scope: &Scope) -> Result<(Expr, Scope), SimError> {
        crate::model::scopes::fan_out(text, scope, &self.types)
            .map_err(|e| SimError::Invalid(vec![format!("`{text}`: {e}")]))
    }

    fn saga(&self, ci: usize, s: &crate::model::Saga) -> Result<SagaDef, SimError> {
        let ev = |n: &str| self.event(n, Some(ci));
        let start = ev(&s.start).unwrap_or(0);
        // Every expression of the saga reads `event`, `now`, the read models and `state`.
        let scope_of = |on: usize| saga_scope(&self.events[on].fields, s);
        let mut handled: Vec<usize> = vec![start];
        let mut steps = Vec::new();
        let mut joins = 0;
        for (number, st) in s.steps.iter().enumerate() {
            let events: Vec<usize> = st.events().filter_map(|e| ev(e)).collect();
            if events.len() != 1 + st.and.len() {
                continue;
            }
            handled.extend(&events);
            // A join's expressions read the fields its events have in common; each event's
            // copy is compiled over that event's payload with the others' fields hidden.
            let join = (events.len() > 1).then(|| {
                joins += 1;
                let all: Vec<&[Field]> =
                    events.iter().map(|e| &self.events[*e].fields[..]).collect();
                common_fields(&all)
            });
            for (k, &on) in events.iter().enumerate() {
                let scope = match &join {
                    None => scope_of(on),
                    Some(common) => saga_scope(&only(&self.events[on].fields, common), s),
                };
                let (each, issue_scope) = match &st.for_each {
                    None => (None, scope.clone()),
                    Some(text) => {
                        let (list, inner) = self.fan_out(text, &scope)?;
                        (Some(list), inner)
                    }
                };
                let compiled_issue = |i: &Issue| {
                    self.issue_in(ci, &self.events[on].fields, &issue_scope, i, &[0, 3])
                };
                steps.push(StepDef {
                    number,
                    on,
                    join: join.as_ref().map(|_| JoinDef {
                        slot: joins - 1,
                        bit: 1 << k,
                        all: (1 << events.len()) - 1,
                    }),
                    when: st
                        .when
                        .as_deref()
                        .map(|w| compile(w, &scope, &self.types, Some(&Type::Bool)))
                        .transpose()?,
                    set: s
                        .state
                        .iter()
                        .enumerate()
                        .filter_map(|(slot, f)| st.set.get(&f.name).map(|src| (slot, f, src)))
                        .map(|(slot, f, src)| {
                            Ok((slot, compile(src, &scope, &self.types, Some(&f.ty))?))
                        })
                        .collect::<Result<_, SimError>>()?,
                    each,
                    after: st
                        .after
                        .as_deref()
                        .map(|a| compile(a, &scope, &self.types, Some(&Type::Duration)))
                        .transpose()?,
                    issue: (!st.issue.is_none())
                        .then(|| compiled_issue(&st.issue))
                        .transpose()?,
                    compensate: st.compensate.as_ref().map(compiled_issue).transpose()?,
                });
            }
        }
        let mut deadlines = Vec::new();
        for d in &s.deadlines {
            let Some(from) = ev(&d.from) else { continue };
            let until: Vec<usize> = d.until.iter().filter_map(|u| ev(u)).collect();
            handled.push(from);
            handled.extend(&until);
            let at =
                d.at.as_ref()
                    .map(|at| compile(at, &scope_of(from), &self.types, Some(&Type::Timestamp)))
                    .transpose()?;
            deadlines.push(DeadlineDef {
                name: d.name.clone(),
                from,
                after_ms: parse_duration(&d.after).unwrap_or(0),
                at,
                until,
                ends_as: d.ends_as.as_deref().map(Arc::from),
            });
        }
        let mut ends = Vec::with_capacity(s.ends.len());
        for e in &s.ends {
            let Some(on) = ev(&e.on) else {
                continue;
            };
            let when = match &e.when {
                Some(w) => Some(compile(w, &scope_of(on), &self.types, Some(&Type::Bool))?),
                None => None,
            };
            ends.push(EndDef {
                on,
                status: Arc::from(e.status.as_str()),
                when,
            });
        }
        handled.extend(ends.iter().map(|e| e.on));
        let correlation = handled
            .into_iter()
            .filter_map(|e| {
                self.events[e]
                    .fields
                    .iter()
                    .position(|f| f.name == s.correlation)
                    .map(|slot| (e, slot))
            })
            .collect();
        let on_failure = s
            .on_failure
            .as_ref()
            .map(|f| self.issue_in(ci, &self.events[start].fields, &scope_of(start), f, &[0, 3]))
            .transpose()?;
        Ok(SagaDef {
            correlation,
            start,
            zero_state: s
                .state
                .iter()
                .map(|f| Value::zero_of(&f.ty, &self.types))
                .collect(),
            state: s.state.clone(),
            joins,
            keeps_elements: steps
                .iter()
                .any(|st| st.each.is_some() && st.compensate.is_some()),
            plain: s.state.is_empty()
                && joins == 0
                && steps.iter().all(|st| {
                    st.when.is_none()
                        && st.each.is_none()
                        && st.set.is_empty()
                        && st.after.is_none()
                })
                && ends.iter().all(|e| e.when.is_none()),
            steps,
            deadlines,
            ends,
            on_failure,
        })
    }

    fn read_model(&self, ci: usize, r: &crate::model::ReadModel) -> Result<ReadModelDef, SimError> {
        let key_slot = r.columns.iter().position(|c| c.name == r.key).unwrap_or(0);
        let mut rules = Vec::new();
        for rule in &r.rules {
            let Some(on) = self.event(&rule.on, Some(ci)) else {
                continue;
            };
            let edef = &self.events[on];
            let event = as_event(edef);
            let key_ty = r.columns.get(key_slot).map(|c| c.ty.clone());
            let (each, item) = match &rule.for_each {
                None => (None, None),
                Some(text) => {
                    let (list, item, ty) =
                        fan_out_parts(text, &event_scope(&event), &self.types)
                            .map_err(|e| SimError::Invalid(vec![format!("`{text}`: {e}")]))?;
                    (Some(list), Some((item, ty)))
                }
            };
            let key = compile(
                &rule.key,
                &event_scope(&event).with_element(item.as_ref()),
                &self.types,
                key_ty.as_ref(),
            )?;
            let upsert = match &rule.action {
                RuleAction::Delete => None,
                RuleAction::Upsert(set) => {
                    let scope = row_scope(&event, r).with_element(item.as_ref());
                    let mut out = Vec::new();
                    for (col, src) in set {
                        if let Some(slot) = r.columns.iter().position(|c| &c.name == col) {
                            out.push((
                                slot,
                                compile(src, &scope, &self.types, Some(&r.columns[slot].ty))?,
                            ));
                        }
                    }
                    Some(out)
                }
            };
            rules.push(RuleDef {
                on,
                each,
                key,
                upsert,
            });
        }
        Ok(ReadModelDef {
            zero: r
                .columns
                .iter()
                .map(|c| Value::zero_of(&c.ty, &self.types))
                .collect(),
            columns: r.columns.clone(),
            key_slot,
            rules,
        })
    }
}

/// The `event, now` scope of an event type.
pub fn event_scope_of(p: &Program, ev: usize) -> Scope {
    event_scope(&as_event(&p.events[ev]))
}

/// `fields` with those not in `common` hidden (renamed to what no expression can write), so
/// that a join's copy over one event keeps that event's slots but reads only what all of the
/// join's events have.
fn only(fields: &[Field], common: &[Field]) -> Vec<Field> {
    fields
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if !common.iter().any(|c| c.name == f.name) {
                f.name = format!("·{}", f.name);
            }
            f
        })
        .collect()
}

/// The model event an event type was compiled from (name and fields), for building scopes.
fn as_event(def: &EventDef) -> crate::model::Event {
    crate::model::Event {
        uid: crate::model::Uid::NONE,
        name: def.name.clone(),
        n: 0,
        contract: String::new(),
        doc: String::new(),
        owner: String::new().into(),
        stream_key: String::new(),
        published: false,
        withdrawn: false,
        fields: def.fields.clone(),
        reserved: vec![],
        at: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runaway_blames_the_scenario_size_or_a_loop_by_who_issued_the_commands() {
        // 10^7 load commands among 2·10^7 steps: the load is too big, not a loop.
        let big = SimError::Runaway {
            steps: 20_000_000,
            scenario_commands: 10_000_000,
        }
        .to_string();
        assert!(big.contains("lower its loads' `count`"), "{big}");
        assert!(!big.contains("endless loop"), "{big}");
        // Three commands that set off twenty million steps: a loop.
        let looping = SimError::Runaway {
            steps: 20_000_000,
            scenario_commands: 3,
        }
        .to_string();
        assert!(looping.contains("endless loop of policies"), "{looping}");
        assert!(looping.contains("only 3 of them"), "{looping}");
    }
}
