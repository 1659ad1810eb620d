//! Application flows as behaviour: `command C delegates to Agg[A -> B] emits event E` is
//! a handler of C in Agg (admitted in A) emitting E, and an applier moving Agg to B on E;
//! `event E triggers command C` is a policy; an `operation` is a command named after it;
//! `[triggered by "…"]` is an actor. Alternatives without conditions (`E1 X E2`) become
//! branches whose conditions are `false` until the modeller writes them (the first is the
//! otherwise), so the model runs as drawn and shows every outcome.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::Note;
use super::ast::{self, ActionKind, File, Join, Name, Step};
use super::contexts::{INITIAL, is_team, state_name};
use crate::interop::imported::{command, event};
use crate::model::layout::Pos;
use crate::model::naming::pascal_case;
use crate::model::uid::Uid;
use crate::model::{
    Actor, Aggregate, Applier, BoundedContext, Branch, Emit, Event, Handler, Model, Policy,
};

/// Adds the behaviour of every context's flows to `model`'s contexts.
pub fn add(model: &mut Model, file: &File, notes: &mut Vec<Note>) {
    let index: BTreeMap<String, usize> = model
        .contexts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    for c in file.contexts.iter().filter(|c| !is_team(c)) {
        let Some(ctx) = index
            .get(&c.name.text)
            .and_then(|&i| model.contexts.get_mut(i))
        else {
            continue;
        };
        let ops = operations(c);
        let mut used = BTreeSet::new();
        let steps: Vec<&Step> = c
            .application
            .iter()
            .flat_map(|a| &a.flows)
            .flat_map(|f| &f.steps)
            .collect();
        service_handlers(ctx, c, &mut used, notes);
        for s in &steps {
            if let Step::Produce { kind, action, .. } = s {
                if *kind == ActionKind::Operation {
                    used.insert(action.text.clone());
                }
                produce(ctx, s, &ops, notes);
            }
        }
        drop_untargeted(ctx, c, notes);
        for s in &steps {
            if let Step::Trigger { kind, actions, .. } = s {
                if *kind == ActionKind::Operation {
                    used.extend(actions.iter().map(|a| a.text.clone()));
                }
                trigger(ctx, s, notes);
            }
        }
        for (name, op) in &ops {
            if !used.contains(name) {
                let message = format!(
                    "operation {name} of service {} is used in no flow: not imported",
                    op.service
                );
                note(notes, &op.span, message);
            }
        }
    }
}

/// A service operation: the aggregate whose service declares it (none for the
/// application's and modules' services), the service's name and where the operation is.
struct Op {
    aggregate: Option<String>,
    service: String,
    span: Range<usize>,
}

/// Every service operation of a context, by name (the first of a name wins).
fn operations(c: &ast::Context) -> BTreeMap<String, Op> {
    let mut out = BTreeMap::new();
    let mut add = |aggregate: Option<&Name>, s: &ast::Service| {
        for op in &s.operations {
            out.entry(op.name.text.clone()).or_insert_with(|| Op {
                aggregate: aggregate.map(|a| a.text.clone()),
                service: s.name.text.clone(),
                span: op.name.span.clone(),
            });
        }
    };
    for a in &c.aggregates {
        for s in &a.services {
            add(Some(&a.name), s);
        }
    }
    let loose = c.loose.services.iter();
    for s in loose.chain(c.application.iter().flat_map(|a| &a.services)) {
        add(None, s);
    }
    out
}

/// A service operation of an aggregate that takes one of its commands and returns an event
/// (`@ClaimRegistered checkDocumentation(@CheckClaimDocumentation cmd)`) is that command's
/// handler, emitting the event.
fn service_handlers(
    ctx: &mut BoundedContext,
    c: &ast::Context,
    used: &mut BTreeSet<String>,
    notes: &mut Vec<Note>,
) {
    for a in &c.aggregates {
        for op in a.services.iter().flat_map(|s| &s.operations) {
            let Some(event) = op
                .returns
                .as_ref()
                .filter(|r| ctx.events.iter().any(|e| e.name == r.text))
            else {
                continue;
            };
            let target = a.name.text.as_str();
            let Some(command) = op.params.iter().find(|p| {
                ctx.commands
                    .iter()
                    .any(|c| c.name == p.text && (c.target.is_empty() || c.target == target))
            }) else {
                continue;
            };
            let Some(ai) = ctx.aggregates.iter().position(|x| x.name == target) else {
                continue;
            };
            if let Some(cmd) = ctx.commands.iter_mut().find(|c| c.name == command.text) {
                cmd.target = target.into();
            }
            own_event(ctx, event, target, notes);
            let agg = &mut ctx.aggregates[ai];
            let handler = handler_of(agg, &command.text);
            if handler.emits_nothing() {
                handler.emit.push(Emit {
                    event: event.text.as_str().into(),
                    set: Default::default(),
                });
            }
            used.insert(op.name.text.clone());
        }
    }
}

/// The handler of `command` in `agg`, made if it has none.
fn handler_of<'a>(agg: &'a mut Aggregate, command: &str) -> &'a mut Handler {
    let i = match agg.handlers.iter().position(|h| h.on == command) {
        Some(i) => i,
        None => {
            agg.handlers.push(Handler::new(command));
            agg.handlers.len() - 1
        }
    };
    &mut agg.handlers[i]
}

/// The command a step's action stands for: a command by its name, an operation by its name
/// in PascalCase (`checkRequest` is `CheckRequest`).
fn command_name(kind: ActionKind, action: &Name) -> String {
    match kind {
        ActionKind::Command => action.text.clone(),
        ActionKind::Operation => pascal_case(&action.text),
    }
}

fn note(notes: &mut Vec<Note>, span: &Range<usize>, message: String) {
    notes.push(Note {
        span: span.clone(),
        message,
    });
}

fn produce(
    ctx: &mut BoundedContext,
    step: &Step,
    ops: &BTreeMap<String, Op>,
    notes: &mut Vec<Note>,
) {
    let Step::Produce {
        kind,
        action,
        actor,
        aggregate,
        transition,
        events,
        join,
        span,
    } = step
    else {
        return;
    };
    let name = command_name(*kind, action);
    let declared = ctx.commands.iter().find(|c| c.name == name);
    // Without `delegates to`: the aggregate the command is declared in, the one whose
    // service has the operation, or the one owning every event it emits (only a handler of
    // that aggregate can emit them).
    let owner = |e: &Name| {
        ctx.events
            .iter()
            .find(|x| x.name == e.text)
            .map(|x| x.owner.to_string())
    };
    let owners: BTreeSet<Option<String>> = events.iter().map(owner).collect();
    let events_owner = match owners.into_iter().collect::<Vec<_>>().as_slice() {
        [Some(o)] if !o.is_empty() => Some(o.clone()),
        _ => None,
    };
    let target = aggregate
        .as_ref()
        .map(|a| a.text.clone())
        .or_else(|| {
            declared
                .map(|c| c.target.to_string())
                .filter(|t| !t.is_empty())
        })
        .or_else(|| ops.get(&action.text).and_then(|o| o.aggregate.clone()))
        .or(events_owner);
    let Some(target) = target else {
        return note(
            notes,
            span,
            format!(
                "{name} delegates to no aggregate and its events belong to none: the events it \
                 emits here come from no handler"
            ),
        );
    };
    let Some(ai) = ctx.aggregates.iter().position(|a| a.name == target) else {
        let at = aggregate.as_ref().map_or(span, |a| &a.span);
        return note(
            notes,
            at,
            format!(
                "no aggregate {target} in context {}: this step is skipped",
                ctx.name
            ),
        );
    };
    match ctx.commands.iter_mut().find(|c| c.name == name) {
        Some(c) if c.target.is_empty() => c.target = target.as_str().into(),
        Some(c) if c.target != target.as_str() => {
            return note(
                notes,
                span,
                format!(
                    "{name} is already addressed to {}: this step, which delegates it to \
                     {target}, is skipped",
                    c.target
                ),
            );
        }
        Some(_) => {}
        None => {
            let doc = match ops.get(&action.text) {
                Some(op) => format!("Operation {} of service {}.", action.text, op.service),
                None => String::new(),
            };
            ctx.commands
                .push(command(name.clone(), &target, doc, Vec::new()));
        }
    }
    if let Some(who) = actor {
        add_actor(ctx, &name, who);
    }
    let lifecycle = &mut ctx.aggregates[ai].lifecycle;
    let mut states = Vec::new();
    let mut to = Vec::new();
    if let Some((from, ends)) = transition {
        states = if from.is_empty() {
            // A creation: from the state before the first event.
            if !lifecycle.iter().any(|s| s == INITIAL) {
                lifecycle.insert(0, INITIAL.to_owned());
            }
            vec![INITIAL.to_owned()]
        } else {
            from.iter().map(|s| state_name(&s.text)).collect()
        };
        to = ends.iter().map(|s| state_name(&s.text)).collect();
        for s in states.iter().chain(&to) {
            if !lifecycle.contains(s) {
                lifecycle.push(s.clone());
            }
        }
    }
    for e in events {
        own_event(ctx, e, &target, notes);
    }
    let agg = &mut ctx.aggregates[ai];
    if agg
        .handlers
        .iter()
        .any(|h| h.on == name.as_str() && !h.emits_nothing())
    {
        return note(
            notes,
            span,
            format!("{name} already has a flow step in {target}: this second one is skipped"),
        );
    }
    let handler = handler_of(agg, &name);
    handler.states = states;
    let emit = |e: &Name| Emit {
        event: e.text.as_str().into(),
        set: Default::default(),
    };
    match join {
        Join::Single | Join::All => handler.emit = events.iter().map(emit).collect(),
        Join::OneOf | Join::AnyOf => {
            for e in &events[1..] {
                handler.branches.push(Branch {
                    when: Some("false".into()),
                    emit: vec![emit(e)],
                });
            }
            handler.branches.push(Branch {
                when: None,
                emit: vec![emit(&events[0])],
            });
            let names: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
            let how = if *join == Join::OneOf { "X" } else { "O" };
            note(
                notes,
                span,
                format!(
                    "`{}` names outcomes without their conditions: imported as branches of \
                     {target}'s handler of {name}, {} the otherwise and the others' conditions \
                     `false` until you write them",
                    names.join(&format!(" {how} ")),
                    names[0]
                ),
            );
        }
    }
    let pairs: Vec<(&Name, &String)> = match (to.len(), events.len()) {
        (0, _) => Vec::new(),
        (1, _) => events.iter().map(|e| (e, &to[0])).collect(),
        (t, e) if t == e => events.iter().zip(&to).collect(),
        (t, e) => {
            note(
                notes,
                span,
                format!(
                    "{e} events and {t} target states: which event leads to which state is not \
                     said, so the events change no state"
                ),
            );
            Vec::new()
        }
    };
    for (e, state) in pairs {
        match agg.appliers.iter().find(|a| a.on == e.text.as_str()) {
            Some(a) if a.to.as_ref() != Some(state) => note(
                notes,
                &e.span,
                format!(
                    "{} already moves {target} to {}: not also to {state}",
                    e.text,
                    a.to.as_deref().unwrap_or("no state")
                ),
            ),
            Some(_) => {}
            None => agg.appliers.push(Applier {
                on: e.text.as_str().into(),
                set: Default::default(),
                to: Some(state.clone()),
            }),
        }
    }
}

/// Makes sure event `e` exists in `ctx` and is owned by `owner`.
fn own_event(ctx: &mut BoundedContext, e: &Name, owner: &str, notes: &mut Vec<Note>) {
    match ctx.events.iter_mut().find(|x| x.name == e.text) {
        Some(x) if x.owner.is_empty() => x.owner = owner.into(),
        Some(x) if x.owner != owner => note(
            notes,
            &e.span,
            format!(
                "event {} belongs to aggregate {}, but is emitted here by {owner}",
                e.text, x.owner
            ),
        ),
        Some(_) => {}
        None => ctx.events.push(new_event(&e.text, owner)),
    }
}

fn new_event(name: &str, owner: &str) -> Event {
    event(name.to_owned(), owner, String::new(), Vec::new())
}

fn add_actor(ctx: &mut BoundedContext, command: &str, who: &str) {
    let name = pascal_case(who);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return;
    }
    if !ctx.actors.iter().any(|a| a.name == name) {
        ctx.actors.push(Actor {
            uid: Uid::NONE,
            name: name.clone(),
            doc: who.to_owned(),
            at: Pos::default(),
        });
    }
    if let Some(c) = ctx.commands.iter_mut().find(|c| c.name == command)
        && !c.actors.iter().any(|a| *a == name.as_str())
    {
        c.actors.push(name.into());
    }
}

/// Drops the commands no flow step or aggregate addresses (Stormlab addresses every command
/// to an aggregate or external system), with a note at each one's declaration.
fn drop_untargeted(ctx: &mut BoundedContext, c: &ast::Context, notes: &mut Vec<Note>) {
    let declared = c
        .application
        .iter()
        .flat_map(|a| &a.objects)
        .chain(&c.loose.objects);
    for o in declared {
        if ctx
            .commands
            .iter()
            .any(|x| x.name == o.name.text && x.target.is_empty())
        {
            note(
                notes,
                &o.name.span,
                format!(
                    "command {} is delegated to no aggregate by any flow: not imported (a \
                     Stormlab command goes to an aggregate or external system)",
                    o.name.text
                ),
            );
        }
    }
    ctx.commands.retain(|x| !x.target.is_empty());
}

fn trigger(ctx: &mut BoundedContext, step: &Step, notes: &mut Vec<Note>) {
    let Step::Trigger {
        events,
        kind,
        actions,
        join,
        span,
    } = step
    else {
        return;
    };
    let on = &events[0];
    if events.len() > 1 {
        let names: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
        note(
            notes,
            span,
            format!(
                "`{}` waits for all of them, which a policy cannot (a saga can): imported as \
                 reacting to {}",
                names.join(" + "),
                on.text
            ),
        );
    }
    if !ctx.events.iter().any(|e| e.name == on.text) {
        ctx.events.push(new_event(&on.text, ""));
    }
    if matches!(join, Join::OneOf | Join::AnyOf) {
        let names: Vec<&str> = actions.iter().map(|a| a.text.as_str()).collect();
        note(
            notes,
            span,
            format!(
                "`{}` names alternatives without their conditions: the policies for all but \
                 the first have the condition `false` until you write one",
                names.join(if *join == Join::OneOf { " X " } else { " O " })
            ),
        );
    }
    for (i, action) in actions.iter().enumerate() {
        let then = command_name(*kind, action);
        if !ctx.commands.iter().any(|c| c.name == then) {
            note(
                notes,
                &action.span,
                format!(
                    "{} triggers {then}, which no flow step delegates to an aggregate: this \
                     policy is skipped",
                    on.text
                ),
            );
            continue;
        }
        let mut name = format!("{then}On{}", on.text);
        let base = name.clone();
        let mut k = 2;
        while ctx.policies.iter().any(|p| p.name == name) {
            name = format!("{base}{k}");
            k += 1;
        }
        let when = (i > 0 && matches!(join, Join::OneOf | Join::AnyOf)).then(|| "false".into());
        ctx.policies.push(Policy {
            uid: Uid::NONE,
            name,
            doc: String::new(),
            on: on.text.as_str().into(),
            when,
            for_each: None,
            after: None,
            unless: Vec::new(),
            then: then.as_str().into(),
            target: None,
            with: Default::default(),
            delivery: Default::default(),
            at: Pos::default(),
        });
    }
}
