//! Bounded contexts and what their aggregates hold: the root entity's attributes as the
//! aggregate's state (its key as the aggregate's id), other entities and value objects as
//! value objects, enums as enums (a lifecycle enum as the aggregate's lifecycle), events
//! owned by their aggregate, commands addressed to it. Teams (`type = TEAM`) become the
//! `team` of the contexts they realize or whose aggregates they own.

use std::collections::BTreeMap;

use super::Note;
use super::ast::{self, DomainObject, File, ObjectKind, Property};
use super::types::{Mapped, Types, root_of};
use crate::interop::imported::{command, context, event};
use crate::model::field::Field;
use crate::model::layout::Pos;
use crate::model::named_type::{EnumDef, ValueObject};
use crate::model::naming::{pascal_case, snake_case};
use crate::model::uid::Uid;
use crate::model::{Aggregate, BoundedContext, Handler, Model};

/// The name of the lifecycle state an aggregate is in before its first event, when a flow
/// creates it (CML's `[-> CREATED]`) or it has no lifecycle enum.
pub const INITIAL: &str = "New";

/// Whether `c` is a team rather than a bounded context.
pub fn is_team(c: &ast::Context) -> bool {
    c.settings
        .iter()
        .any(|s| s.key.text == "type" && s.values.iter().any(|v| v == "TEAM"))
}

/// Adds `file`'s bounded contexts (not its teams) to `model`.
pub fn add<'a>(model: &mut Model, file: &'a File, types: &Types<'a>, notes: &mut Vec<Note>) {
    let mut teams: BTreeMap<&str, &str> = BTreeMap::new();
    for t in file.contexts.iter().filter(|c| is_team(c)) {
        for (link, names) in &t.links {
            if link.text == "realizes" {
                for n in names {
                    teams.entry(n.text.as_str()).or_insert(t.name.text.as_str());
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for c in file.contexts.iter().filter(|c| !is_team(c)) {
        let mut ctx = BoundedContext {
            doc: doc_of(c),
            team: teams
                .get(c.name.text.as_str())
                .map_or_else(String::new, |t| (*t).to_owned()),
            ..context(&c.name.text)
        };
        if !seen.insert(ctx.name.clone()) {
            notes.push(Note {
                span: c.name.span.clone(),
                message: format!(
                    "bounded context {} is declared twice: the second is skipped",
                    c.name.text
                ),
            });
            continue;
        }
        for a in &c.aggregates {
            aggregate(&mut ctx, a, types, notes);
        }
        for o in &c.loose.objects {
            object(&mut ctx, None, o, types, notes);
        }
        for o in c.application.iter().flat_map(|a| &a.objects) {
            object(&mut ctx, None, o, types, notes);
        }
        model.contexts.push(ctx);
    }
}

/// A context's description: its vision statement, then its other settings and links.
fn doc_of(c: &ast::Context) -> String {
    let mut lines = Vec::new();
    for s in &c.settings {
        if s.key.text == "domainVisionStatement" {
            lines.insert(0, s.values.join(" "));
        } else {
            lines.push(format!("{}: {}", s.key.text, s.values.join(", ")));
        }
    }
    for (link, names) in &c.links {
        let names: Vec<&str> = names.iter().map(|n| n.text.as_str()).collect();
        lines.push(format!("{} {}", link.text, names.join(", ")));
    }
    lines.join("\n")
}

fn aggregate<'a>(
    ctx: &mut BoundedContext,
    a: &'a ast::Aggregate,
    types: &Types<'a>,
    notes: &mut Vec<Note>,
) {
    let root = root_of(&a.objects);
    if let Some(r) = root
        && !r.root
    {
        notes.push(Note {
            span: r.name.span.clone(),
            message: format!(
                "aggregate {} marks no entity `aggregateRoot`: {} is taken as its root",
                a.name.text, r.name.text
            ),
        });
    }
    let root_props = root.map_or_else(Vec::new, |r| types.properties(r));
    let id_prop = root.and_then(|r| id_property(r, &root_props, &a.name.text));
    let id = match (id_prop, root) {
        (Some(p), _) => snake_case(&p.name.text),
        (None, Some(r)) => format!("{}_id", snake_case(&r.name.text)),
        (None, None) => format!("{}_id", snake_case(&a.name.text)),
    };
    // The lifecycle enum's values, the first the initial state; a flow that creates the
    // aggregate (`[-> X]`) puts `New` before them (see `flows`).
    let mut lifecycle: Vec<String> = Vec::new();
    let mut lifecycles = a.objects.iter().filter(|o| o.lifecycle);
    if let Some(l) = lifecycles.next() {
        for v in &l.values {
            let s = state_name(&v.text);
            if !lifecycle.contains(&s) {
                lifecycle.push(s);
            }
        }
    }
    if lifecycle.is_empty() {
        lifecycle.push(INITIAL.to_owned());
    }
    for extra in lifecycles {
        notes.push(Note {
            span: extra.name.span.clone(),
            message: format!(
                "aggregate {} has a second lifecycle enum ({}): only the first is its \
                 lifecycle; this one is imported as an enum",
                a.name.text, extra.name.text
            ),
        });
        ctx.enums.push(enum_def(extra));
    }
    let mut doc = vec![a.doc.clone()];
    for s in &a.settings {
        if s.key.text == "owner" {
            let team = s.values.join(", ");
            if ctx.team.is_empty() {
                ctx.team = team;
            } else if ctx.team != team {
                notes.push(Note {
                    span: s.key.span.clone(),
                    message: format!(
                        "aggregate {} is owned by {team}, but context {} already has team {}: \
                         Stormlab records one team per context",
                        a.name.text, ctx.name, ctx.team
                    ),
                });
            }
        } else {
            doc.push(format!("{}: {}", s.key.text, s.values.join(", ")));
        }
    }
    let props: Vec<&Property> = root_props
        .iter()
        .copied()
        .filter(|p| id_prop.is_none_or(|i| !std::ptr::eq(*p, i)))
        .collect();
    let state = fields(&props, types, notes);
    ctx.aggregates.push(Aggregate {
        uid: Uid::NONE,
        name: a.name.text.clone(),
        doc: doc
            .into_iter()
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        id,
        state,
        lifecycle,
        handlers: Vec::new(),
        appliers: Vec::new(),
        invariants: Vec::new(),
        at: Pos::default(),
    });
    for o in &a.objects {
        if root.is_some_and(|r| std::ptr::eq(r, o)) {
            members(o, notes);
        } else if !o.lifecycle {
            object(ctx, Some(&a.name.text), o, types, notes);
        }
    }
}

/// The root's attribute that identifies the aggregate: one marked `key`, else one named
/// `id`, `<root>Id` or `<aggregate>Id`.
fn id_property<'a>(
    root: &DomainObject,
    props: &[&'a Property],
    aggregate: &str,
) -> Option<&'a Property> {
    let single = || props.iter().copied().filter(|p| p.collection.is_none());
    single().find(|p| p.key).or_else(|| {
        let names = [
            "id".to_owned(),
            format!("{}id", root.name.text.to_lowercase()),
            format!("{}id", aggregate.to_lowercase()),
        ];
        single().find(|p| names.contains(&p.name.text.to_lowercase()))
    })
}

/// A lifecycle state's name: `POLICY_CREATED` is `PolicyCreated`.
pub fn state_name(value: &str) -> String {
    pascal_case(value)
}

fn enum_def(o: &DomainObject) -> EnumDef {
    EnumDef {
        uid: Uid::NONE,
        name: o.name.text.clone(),
        contract: String::new(),
        doc: o.doc.clone(),
        values: o.values.iter().map(|v| v.text.clone()).collect(),
    }
}

/// Notes for what an entity holds besides its properties.
fn members(o: &DomainObject, notes: &mut Vec<Note>) {
    for op in &o.operations {
        notes.push(Note {
            span: op.name.span.clone(),
            message: format!(
                "operation {} of {} is not mapped: a Stormlab aggregate decides in the handler \
                 of a command (a flow's `operation … delegates to` makes one)",
                op.name.text, o.name.text
            ),
        });
    }
    if let Some(r) = &o.repository {
        notes.push(Note {
            span: r.span.clone(),
            message: format!("repository {} is not mapped: skipped", r.text),
        });
    }
}

/// Adds a domain object other than an aggregate's root to `ctx`; `owner` is its aggregate.
fn object<'a>(
    ctx: &mut BoundedContext,
    owner: Option<&str>,
    o: &'a DomainObject,
    types: &Types<'a>,
    notes: &mut Vec<Note>,
) {
    if o.is_abstract && o.kind != ObjectKind::Enum {
        if !types.is_extended(&o.name.text) {
            notes.push(Note {
                span: o.name.span.clone(),
                message: format!(
                    "abstract {} is extended by nothing: not imported",
                    o.name.text
                ),
            });
        }
        return;
    }
    let props = types.properties(o);
    let name = o.name.text.clone();
    let doc = o.doc.clone();
    let dup = |what: &str, notes: &mut Vec<Note>| {
        notes.push(Note {
            span: o.name.span.clone(),
            message: format!(
                "{what} {name} is declared twice in context {}: the second is skipped",
                ctx.name
            ),
        });
    };
    match o.kind {
        ObjectKind::Enum => {
            if ctx.enums.iter().any(|e| e.name == name) {
                return dup("enum", notes);
            }
            ctx.enums.push(enum_def(o));
        }
        ObjectKind::Entity | ObjectKind::Value => {
            if ctx.values.iter().any(|e| e.name == name) {
                return dup("value object", notes);
            }
            members(o, notes);
            let fields = fields(&props, types, notes);
            ctx.values.push(ValueObject {
                uid: Uid::NONE,
                name,
                contract: String::new(),
                doc,
                fields,
                reserved: Vec::new(),
                at: None,
            });
        }
        ObjectKind::Event => {
            if ctx.events.iter().any(|e| e.name == name) {
                return dup("event", notes);
            }
            members(o, notes);
            let fields = fields(&props, types, notes);
            ctx.events
                .push(event(name, owner.unwrap_or_default(), doc, fields));
        }
        ObjectKind::Command => {
            if ctx.commands.iter().any(|e| e.name == name) {
                return dup("command", notes);
            }
            members(o, notes);
            let fields = fields(&props, types, notes);
            ctx.commands.push(command(
                name.clone(),
                owner.unwrap_or_default(),
                doc,
                fields,
            ));
            if let Some(a) = owner.and_then(|a| ctx.aggregates.iter_mut().find(|x| x.name == a)) {
                a.handlers.push(Handler::new(name));
            }
        }
    }
}

/// Properties as fields numbered from 1, names in snake_case; a name met twice is kept once.
fn fields(props: &[&Property], types: &Types, notes: &mut Vec<Note>) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for p in props {
        let Mapped::Field(ty) = types.map(p, notes) else {
            continue;
        };
        let name = snake_case(&p.name.text);
        if out.iter().any(|f| f.name == name) {
            notes.push(Note {
                span: p.name.span.clone(),
                message: format!("a second property named `{name}`: skipped"),
            });
            continue;
        }
        out.push(Field {
            uid: Uid::NONE,
            n: out.len() as u32 + 1,
            name,
            ty,
            doc: p.doc.clone(),
        });
    }
    out
}
