//! An Event Modeling export's elements as stickies: a context per slice `context`, commands
//! addressed to their aggregate (the element's, the slice's, else one named after the
//! context) whose handlers emit the events their arrows lead to (in a slice without arrows,
//! its one command emits its events), read models projected from the events that feed them,
//! automations as policies, actors.

use std::collections::BTreeMap;

use super::schema::{Element, FieldDef, Slice};
use super::{Notes, name_of};
use crate::interop::imported::{command, context, event};
use crate::model::field::Field;
use crate::model::layout::Pos;
use crate::model::naming::{pascal_case, snake_case};
use crate::model::uid::Uid;
use crate::model::{
    Actor, Aggregate, BoundedContext, Emit, Handler, Model, Policy, ReadModel, Rule, RuleAction,
    Type, ValueObject,
};

/// How deep `Custom` fields may nest (each level a value object).
const MAX_DEPTH: usize = 8;

/// What an element id names: its context and its name.
pub type Ids = BTreeMap<String, (usize, String)>;

/// The context a slice belongs to: its `context` as a name, else `Core`.
pub fn context_name(slice: &Slice) -> String {
    let name = pascal_case(&slice.context);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        "Core".into()
    } else {
        name
    }
}

fn context_index(model: &mut Model, name: &str) -> usize {
    if let Some(i) = model.contexts.iter().position(|c| c.name == name) {
        return i;
    }
    model.contexts.push(context(name));
    model.contexts.len() - 1
}

/// Adds every slice's commands, events, read models and actors (each name once per context)
/// and answers what each element id names.
pub fn add_elements(model: &mut Model, slices: &[Slice], notes: &mut Notes) -> Ids {
    let mut ids = Ids::new();
    for (si, slice) in slices.iter().enumerate() {
        let ci = context_index(model, &context_name(slice));
        let at = |what: &str, e: &Element| format!("slices[{si}] {what} \"{}\"", e.title);
        for e in &slice.commands {
            let name = name_of(&e.title);
            let ctx = &mut model.contexts[ci];
            if !ctx.commands.iter().any(|c| c.name == name) {
                let fields = fields(ctx, &e.fields, &at("command", e), notes, 0);
                let mut c = command(name.clone(), "", e.description.clone(), fields);
                c.actors = slice
                    .actors
                    .iter()
                    .map(|a| name_of(&a.name).into())
                    .collect();
                ctx.commands.push(c);
            }
            ids.insert(e.id.clone(), (ci, name));
        }
        for e in &slice.events {
            let name = name_of(&e.title);
            let ctx = &mut model.contexts[ci];
            if !ctx.events.iter().any(|c| c.name == name) {
                let fields = fields(ctx, &e.fields, &at("event", e), notes, 0);
                ctx.events
                    .push(event(name.clone(), "", e.description.clone(), fields));
            }
            ids.insert(e.id.clone(), (ci, name));
        }
        for e in &slice.readmodels {
            let name = name_of(&e.title);
            let ctx = &mut model.contexts[ci];
            if !ctx.read_models.iter().any(|c| c.name == name) {
                let columns = fields(ctx, &e.fields, &at("read model", e), notes, 0);
                let key = e
                    .fields
                    .iter()
                    .find(|f| f.id_attribute)
                    .map(|f| snake_case(&f.name))
                    .or_else(|| columns.first().map(|c| c.name.clone()))
                    .unwrap_or_default();
                ctx.read_models.push(ReadModel {
                    uid: Uid::NONE,
                    name: name.clone(),
                    doc: e.description.clone(),
                    columns,
                    key,
                    rules: Vec::new(),
                    delivery: Default::default(),
                    invariants: Vec::new(),
                    at: Pos::default(),
                });
            }
            ids.insert(e.id.clone(), (ci, name));
        }
        for a in &slice.actors {
            let name = name_of(&a.name);
            let ctx = &mut model.contexts[ci];
            if !name.is_empty() && !ctx.actors.iter().any(|x| x.name == name) {
                ctx.actors.push(Actor {
                    uid: Uid::NONE,
                    name,
                    doc: String::new(),
                    at: Pos::default(),
                });
            }
        }
        if !slice.screens.is_empty() {
            notes.push(format!(
                "slices[{si}] \"{}\": {} screen(s) not imported (a Stormlab model has no UI)",
                slice.title,
                slice.screens.len()
            ));
        }
    }
    ids
}

/// An element's fields as Stormlab fields numbered from 1; a `Custom` field becomes a value
/// object of the context named after the field.
fn fields(
    ctx: &mut BoundedContext,
    defs: &[FieldDef],
    at: &str,
    notes: &mut Notes,
    depth: usize,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for d in defs {
        let name = snake_case(&d.name);
        if name.is_empty() || out.iter().any(|f| f.name == name) {
            notes.push(format!(
                "{at}: field \"{}\" is unnamed or repeated: skipped",
                d.name
            ));
            continue;
        }
        let base = match d.ty.as_str() {
            "String" => Type::String,
            "Boolean" => Type::Bool,
            "Double" | "Decimal" => Type::Decimal,
            "Long" | "Int" | "Integer" => Type::Int,
            "Date" | "DateTime" => Type::Timestamp,
            "UUID" => Type::Id,
            "Custom" if depth < MAX_DEPTH && !d.subfields.is_empty() => {
                let vo = pascal_case(&d.name);
                if !ctx.values.iter().any(|v| v.name == vo) {
                    let inner = fields(ctx, &d.subfields, at, notes, depth + 1);
                    ctx.values.push(ValueObject {
                        uid: Uid::NONE,
                        name: vo.clone(),
                        contract: String::new(),
                        doc: String::new(),
                        fields: inner,
                        reserved: Vec::new(),
                        at: None,
                    });
                }
                Type::Named(vo)
            }
            other => {
                notes.push(format!(
                    "{at}: field \"{}\" has type \"{other}\" (a Custom type without subfields, or \
                     one this reader does not know): imported as string",
                    d.name
                ));
                Type::String
            }
        };
        let ty = if d.cardinality == "List" {
            Type::List(Box::new(base))
        } else if d.optional {
            Type::Optional(Box::new(base))
        } else {
            base
        };
        out.push(Field {
            uid: Uid::NONE,
            n: out.len() as u32 + 1,
            name,
            ty,
            doc: String::new(),
        });
    }
    out
}

/// The names an element's arrows of `direction` lead to among elements of `kind`.
fn linked<'a>(e: &'a Element, direction: &str, kind: &str, ids: &'a Ids) -> Vec<String> {
    e.dependencies
        .iter()
        .filter(|d| d.direction == direction && d.element_type == kind)
        .map(|d| {
            ids.get(&d.id)
                .map_or_else(|| name_of(&d.title), |(_, n)| n.clone())
        })
        .collect()
}

/// Adds the behaviour: handlers, aggregates, event owners, projections and policies.
pub fn add_behaviour(model: &mut Model, slices: &[Slice], ids: &Ids, notes: &mut Notes) {
    // Which command emits which event: arrows from commands, arrows into events, else a
    // slice's one command emits its events.
    let mut emits: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
    for slice in slices {
        let ci = context_index(model, &context_name(slice));
        for c in &slice.commands {
            let out = emits.entry((ci, name_of(&c.title))).or_default();
            out.extend(linked(c, "OUTBOUND", "EVENT", ids));
        }
        for e in &slice.events {
            for c in linked(e, "INBOUND", "COMMAND", ids) {
                emits.entry((ci, c)).or_default().push(name_of(&e.title));
            }
        }
        if let [only] = slice.commands.as_slice() {
            let out = emits.entry((ci, name_of(&only.title))).or_default();
            if out.is_empty() {
                out.extend(slice.events.iter().map(|e| name_of(&e.title)));
            }
        }
    }
    for slice in slices {
        let ci = context_index(model, &context_name(slice));
        for c in &slice.commands {
            let name = name_of(&c.title);
            let ctx = &mut model.contexts[ci];
            if ctx
                .aggregates
                .iter()
                .any(|a| a.handlers.iter().any(|h| h.on == name.as_str()))
            {
                continue;
            }
            let aggregate = [c.aggregate.as_str()]
                .into_iter()
                .chain(slice.aggregates.iter().map(String::as_str))
                .map(pascal_case)
                .find(|a| !a.is_empty())
                .unwrap_or_else(|| ctx.name.clone());
            let ai = match ctx.aggregates.iter().position(|a| a.name == aggregate) {
                Some(i) => i,
                None => {
                    ctx.aggregates.push(Aggregate {
                        uid: Uid::NONE,
                        name: aggregate.clone(),
                        doc: String::new(),
                        id: String::new(),
                        state: Vec::new(),
                        lifecycle: vec!["New".into()],
                        handlers: Vec::new(),
                        appliers: Vec::new(),
                        invariants: Vec::new(),
                        at: Pos::default(),
                    });
                    ctx.aggregates.len() - 1
                }
            };
            let mut events = emits.get(&(ci, name.clone())).cloned().unwrap_or_default();
            events.dedup();
            events.retain(|e| {
                let known = ctx.events.iter().any(|x| x.name == *e);
                if !known {
                    notes.push(format!(
                        "command \"{}\" leads to \"{e}\", which is no event",
                        c.title
                    ));
                }
                known
            });
            for e in &events {
                if let Some(ev) = ctx.events.iter_mut().find(|x| x.name == *e)
                    && ev.owner.is_empty()
                {
                    ev.owner = aggregate.as_str().into();
                }
            }
            if let Some(cmd) = ctx.commands.iter_mut().find(|x| x.name == name) {
                cmd.target = aggregate.as_str().into();
            }
            let mut h = Handler::new(name.as_str());
            h.emit = events
                .iter()
                .map(|e| Emit {
                    event: e.as_str().into(),
                    set: Default::default(),
                })
                .collect();
            ctx.aggregates[ai].handlers.push(h);
        }
    }
    for ctx in &mut model.contexts {
        ctx.aggregates
            .iter_mut()
            .for_each(|a| a.id = aggregate_id(a, &ctx.commands));
    }
    projections(model, slices, ids, notes);
    automations(model, slices, ids, notes);
}

/// An aggregate's id: a field marked as the id in a command addressed to it, else one
/// named `aggregateId`, `id` or `<aggregate>Id` there, else `<aggregate>_id`.
fn aggregate_id(a: &Aggregate, commands: &[crate::model::Command]) -> String {
    let own: Vec<&Field> = commands
        .iter()
        .filter(|c| c.target == a.name.as_str())
        .flat_map(|c| &c.fields)
        .collect();
    let agg = snake_case(&a.name);
    let names = [
        "aggregate_id".to_owned(),
        "id".to_owned(),
        format!("{agg}_id"),
    ];
    own.iter()
        .find(|f| names.contains(&f.name) && matches!(f.ty, Type::Id | Type::String))
        .map_or_else(|| format!("{agg}_id"), |f| f.name.clone())
}

/// Read models: a rule per event that feeds one (an arrow into it), upserting the row keyed
/// by the event's field of the read model's key, setting the columns the event has.
fn projections(model: &mut Model, slices: &[Slice], ids: &Ids, notes: &mut Notes) {
    for slice in slices {
        let ci = context_index(model, &context_name(slice));
        for r in &slice.readmodels {
            let name = name_of(&r.title);
            let ctx = &mut model.contexts[ci];
            let Some(ri) = ctx.read_models.iter().position(|x| x.name == name) else {
                continue;
            };
            for e in linked(r, "INBOUND", "EVENT", ids) {
                let Some(ev) = ctx.events.iter().find(|x| x.name == e) else {
                    continue;
                };
                let rm = &mut ctx.read_models[ri];
                if rm.rules.iter().any(|x| x.on == e.as_str()) {
                    continue;
                }
                if !ev.fields.iter().any(|f| f.name == rm.key) {
                    notes.push(format!(
                        "read model \"{}\" is fed by \"{e}\", which has no `{}` field to key its \
                         row: no rule",
                        r.title, rm.key
                    ));
                    continue;
                }
                let set = rm
                    .columns
                    .iter()
                    .filter(|c| c.name != rm.key && ev.fields.iter().any(|f| f.name == c.name))
                    .map(|c| (c.name.clone(), format!("event.{}", c.name)))
                    .collect();
                rm.rules.push(Rule {
                    on: e.as_str().into(),
                    for_each: None,
                    key: format!("event.{}", rm.key),
                    action: RuleAction::Upsert(set),
                });
            }
            if ctx.read_models[ri].rules.is_empty() {
                notes.push(format!(
                    "read model \"{}\": no event feeds it (no arrow in)",
                    r.title
                ));
            }
        }
    }
}

/// Automations: a policy per event that triggers one (an arrow in, or into a read model it
/// reads) and command it issues (an arrow out).
fn automations(model: &mut Model, slices: &[Slice], ids: &Ids, notes: &mut Notes) {
    for slice in slices {
        let ci = context_index(model, &context_name(slice));
        for p in &slice.processors {
            let ctx = &mut model.contexts[ci];
            let mut on = linked(p, "INBOUND", "EVENT", ids);
            for r in linked(p, "INBOUND", "READMODEL", ids) {
                if let Some(rm) = ctx.read_models.iter().find(|x| x.name == r) {
                    on.extend(rm.rules.iter().map(|x| x.on.to_string()));
                }
            }
            let then = linked(p, "OUTBOUND", "COMMAND", ids);
            if on.is_empty() || then.is_empty() {
                notes.push(format!(
                    "automation \"{}\": no event leads to it or it issues no command: not imported",
                    p.title
                ));
                continue;
            }
            for e in &on {
                for c in &then {
                    // The same wiring once; another automation of the same title gets a
                    // number after its name.
                    if ctx
                        .policies
                        .iter()
                        .any(|x| x.on == e.as_str() && x.then == c.as_str())
                    {
                        continue;
                    }
                    let base = if on.len() * then.len() > 1 {
                        format!("{}On{e}{c}", name_of(&p.title))
                    } else {
                        name_of(&p.title)
                    };
                    let mut name = base.clone();
                    let mut k = 2;
                    while ctx.policies.iter().any(|x| x.name == name) {
                        name = format!("{base}{k}");
                        k += 1;
                    }
                    ctx.policies.push(Policy {
                        uid: Uid::NONE,
                        name,
                        doc: p.description.clone(),
                        on: e.as_str().into(),
                        when: None,
                        for_each: None,
                        after: None,
                        unless: Vec::new(),
                        then: c.as_str().into(),
                        target: None,
                        with: Default::default(),
                        delivery: Default::default(),
                        at: Pos::default(),
                    });
                }
            }
        }
    }
}
