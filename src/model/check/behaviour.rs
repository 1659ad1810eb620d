//! Behaviour: handlers and appliers fit their aggregate, lifecycles are reachable, events
//! are produced and commands handled, ids and correlation keys are present, assignments
//! name real fields, and no policy cycle runs without a condition that can stop it.

use std::collections::{BTreeMap, BTreeSet};

use super::Checker;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::field::Field;
use crate::model::flow::FlowGraph;
use crate::model::scenario::{Expect, Step};
use crate::model::{Event, Model};

use PathSeg::{Index as I, Key as K, MapKey as M};

/// Resolves an event reference from context `from`.
fn event<'m>(c: &Checker<'m>, name: &str, from: Option<usize>) -> Option<(Loc, &'m Event)> {
    let id = c.index.resolve(name, &[Kind::Event], from).found()?;
    let e = c.model.contexts.get(id.context?)?.events.get(id.index)?;
    Some((id, e))
}

fn fields_of(model: &Model, id: Loc) -> Option<&[Field]> {
    let ctx = model.contexts.get(id.context?)?;
    match id.kind {
        Kind::Command => ctx.commands.get(id.index).map(|e| e.fields.as_slice()),
        Kind::Event => ctx.events.get(id.index).map(|e| e.fields.as_slice()),
        _ => None,
    }
}

pub(super) fn check(c: &mut Checker<'_>) {
    aggregates(c);
    produced_and_handled(c);
    ids_and_keys(c);
    assignments(c);
    cycles(c);
    saga_steps(c);
}

/// A join waits for distinct events; a step does something.
fn saga_steps(c: &mut Checker<'_>) {
    let model = c.model;
    for (ci, ctx) in model.contexts.iter().enumerate() {
        for (si, s) in ctx.sagas.iter().enumerate() {
            let sid = Loc {
                kind: Kind::Saga,
                context: Some(ci),
                index: si,
            };
            for (j, st) in s.steps.iter().enumerate() {
                for (k, a) in st.and.iter().enumerate() {
                    let earlier = std::iter::once(&st.on).chain(&st.and[..k]);
                    if !a.is_empty() && earlier.into_iter().any(|e| e.as_str() == a.as_str()) {
                        let path = c.at(sid, &[K("steps"), I(j), K("and"), I(k)]);
                        let message = format!(
                            "saga {}, step {}: the join waits for {a} twice; list each event \
                             once (`on` and `and` together)",
                            s.name,
                            j + 1
                        );
                        c.push(Code::BadJoin, Some(sid), path, message);
                    }
                }
                if st.set.is_empty() && st.issue.is_none() {
                    let path = c.at(sid, &[K("steps"), I(j)]);
                    let message = format!(
                        "saga {}, step {} (on {}) does nothing: give it a command to `issue` \
                         or state fields to `set`",
                        s.name,
                        j + 1,
                        st.on
                    );
                    c.push(Code::IdleStep, Some(sid), path, message);
                }
            }
        }
    }
}

fn aggregates(c: &mut Checker<'_>) {
    let model = c.model;
    for (ci, ctx) in model.contexts.iter().enumerate() {
        for (ai, a) in ctx.aggregates.iter().enumerate() {
            let aid = Loc {
                kind: Kind::Aggregate,
                context: Some(ci),
                index: ai,
            };
            let states: BTreeSet<&str> = a.lifecycle.iter().map(String::as_str).collect();
            handler_shape(c, aid, a);
            // Handlers: their command is addressed here; their events are ours; their states exist.
            for (hi, h) in a.handlers.iter().enumerate() {
                if let Some(cid) = c.index.resolve(&h.on, &[Kind::Command], Some(ci)).found() {
                    let target = model
                        .contexts
                        .get(cid.context.unwrap_or(0))
                        .and_then(|x| x.commands.get(cid.index))
                        .map(|x| x.target.as_str())
                        .unwrap_or("");
                    let resolved = c
                        .index
                        .resolve(target, &[Kind::Aggregate, Kind::External], cid.context)
                        .found();
                    if !target.is_empty() && resolved.is_some() && resolved != Some(aid) {
                        let path = c.at(aid, &[K("handlers"), I(hi), K("on")]);
                        c.push(Code::HandlesForeignCommand, Some(aid), path, format!("aggregate {} handles {}, but that command is addressed to {target}", c.name(aid), h.on));
                    }
                }
                for (si, s) in h.states.iter().enumerate() {
                    if !states.contains(s.as_str()) {
                        let path = c.at(aid, &[K("handlers"), I(hi), K("states"), I(si)]);
                        c.push(
                            Code::UnknownState,
                            Some(aid),
                            path,
                            format!(
                                "aggregate {} has no lifecycle state `{s}` (states: {})",
                                c.name(aid),
                                a.lifecycle.join(", ")
                            ),
                        );
                    }
                }
                for (site, em) in h.emit_sites() {
                    if let Some((eid, ev)) = event(c, &em.event, Some(ci)) {
                        let owner = c
                            .index
                            .resolve(&ev.owner, &[Kind::Aggregate, Kind::External], eid.context)
                            .found();
                        if !ev.owner.is_empty() && owner.is_some() && owner != Some(aid) {
                            let rest: Vec<PathSeg> = [K("handlers"), I(hi)]
                                .into_iter()
                                .chain(site)
                                .chain([K("event")])
                                .collect();
                            let path = c.at(aid, &rest);
                            c.push(
                                Code::EmitsForeignEvent,
                                Some(aid),
                                path,
                                format!(
                                    "aggregate {} emits {}, which belongs to {}",
                                    c.name(aid),
                                    em.event,
                                    ev.owner
                                ),
                            );
                        }
                    }
                }
            }
            for (pi, ap) in a.appliers.iter().enumerate() {
                if let Some(to) = &ap.to
                    && !states.contains(to.as_str())
                {
                    let path = c.at(aid, &[K("appliers"), I(pi), K("to")]);
                    c.push(
                        Code::UnknownState,
                        Some(aid),
                        path,
                        format!(
                            "aggregate {} has no lifecycle state `{to}` (states: {})",
                            c.name(aid),
                            a.lifecycle.join(", ")
                        ),
                    );
                }
            }
            // Reachability: from the initial state, a handler allowed in a reachable state emits
            // events whose appliers move to further states.
            let Some(initial) = a.lifecycle.first() else {
                continue;
            };
            let mut reached: BTreeSet<&str> = BTreeSet::from([initial.as_str()]);
            loop {
                let before = reached.len();
                for h in &a.handlers {
                    if h.states.is_empty() || h.states.iter().any(|s| reached.contains(s.as_str()))
                    {
                        for em in h.all_emits() {
                            let ev_name = c
                                .index
                                .resolve(&em.event, &[Kind::Event], Some(ci))
                                .found()
                                .and_then(|id| model.name_of(id))
                                .unwrap_or(&em.event);
                            for ap in &a.appliers {
                                let on = c
                                    .index
                                    .resolve(&ap.on, &[Kind::Event], Some(ci))
                                    .found()
                                    .and_then(|id| model.name_of(id))
                                    .unwrap_or(&ap.on);
                                if on == ev_name
                                    && let Some(to) = &ap.to
                                {
                                    reached.insert(to.as_str());
                                }
                            }
                        }
                    }
                }
                if reached.len() == before {
                    break;
                }
            }
            for (si, s) in a.lifecycle.iter().enumerate() {
                if !reached.contains(s.as_str()) {
                    let path = c.at(aid, &[K("lifecycle"), I(si)]);
                    c.push(Code::UnreachableState, Some(aid), path, format!("aggregate {}: lifecycle state `{s}` cannot be reached from `{initial}` by any handler and applier", c.name(aid)));
                }
            }
        }
    }
}

/// One handler per command, and an otherwise branch only at the end.
fn handler_shape(c: &mut Checker<'_>, aid: Loc, a: &crate::model::Aggregate) {
    let ci = aid.context;
    // The command it resolves to, or its name when it resolves to none.
    let target = |h: &crate::model::aggregate::Handler| -> Result<Loc, String> {
        c.index
            .resolve(&h.on, &[Kind::Command], ci)
            .found()
            .ok_or_else(|| h.on.to_string())
    };
    let mut by_command: BTreeMap<Result<Loc, String>, Vec<usize>> = BTreeMap::new();
    for (hi, h) in a.handlers.iter().enumerate() {
        by_command.entry(target(h)).or_default().push(hi);
    }
    for his in by_command.values().filter(|v| v.len() > 1) {
        let numbers: Vec<String> = his.iter().map(|i| (i + 1).to_string()).collect();
        for &hi in his {
            let others: Vec<&str> = his
                .iter()
                .zip(&numbers)
                .filter(|(i, _)| **i != hi)
                .map(|(_, n)| n.as_str())
                .collect();
            let path = c.at(aid, &[K("handlers"), I(hi), K("on")]);
            c.push(
                Code::DuplicateHandler,
                Some(aid),
                path,
                format!(
                    "aggregate {} handles {} in handler {} and again in handler {}: only one \
                     would ever decide; merge them, with `branches` for different outcomes",
                    c.name(aid),
                    a.handlers[hi].on,
                    hi + 1,
                    others.join(" and ")
                ),
            );
        }
    }
    for (hi, h) in a.handlers.iter().enumerate() {
        let last = h.branches.len().saturating_sub(1);
        for (bi, b) in h.branches.iter().enumerate() {
            if b.when.is_none() && bi != last {
                let path = c.at(aid, &[K("handlers"), I(hi), K("branches"), I(bi)]);
                c.push(
                    Code::MisplacedOtherwise,
                    Some(aid),
                    path,
                    format!(
                        "aggregate {}, handler of {}: branch {} has no `when`, so it always \
                         applies and the branches after it never do; move it last or give it a \
                         `when`",
                        c.name(aid),
                        h.on,
                        bi + 1
                    ),
                );
            }
        }
    }
}

fn produced_and_handled(c: &mut Checker<'_>) {
    let model = c.model;
    let mut produced: BTreeSet<Loc> = BTreeSet::new();
    let mut handled: BTreeSet<Loc> = BTreeSet::new();
    for (ci, ctx) in model.contexts.iter().enumerate() {
        for a in &ctx.aggregates {
            for h in &a.handlers {
                handled.extend(c.index.resolve(&h.on, &[Kind::Command], Some(ci)).found());
                for em in h.all_emits() {
                    produced.extend(c.index.resolve(&em.event, &[Kind::Event], Some(ci)).found());
                }
            }
        }
        for x in &ctx.externals {
            for r in &x.reacts {
                handled.extend(c.index.resolve(&r.on, &[Kind::Command], Some(ci)).found());
                for o in &x
                    .reacts
                    .iter()
                    .flat_map(|r| r.outcomes.iter())
                    .collect::<Vec<_>>()
                {
                    produced.extend(
                        c.index
                            .resolve(&o.respond, &[Kind::Event], Some(ci))
                            .found(),
                    );
                }
            }
        }
    }
    for r in &model.relations {
        for t in &r.translations {
            produced.extend(
                c.index
                    .resolve(&t.into, &[Kind::Event], c.index.context(&r.downstream))
                    .found(),
            );
        }
    }
    for s in &model.scenarios {
        for g in &s.given {
            produced.extend(c.index.resolve(&g.event, &[Kind::Event], None).found());
        }
    }
    for (ci, ctx) in model.contexts.iter().enumerate() {
        for i in 0..ctx.events.len() {
            let id = Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: i,
            };
            if !produced.contains(&id) {
                let msg = format!(
                    "event {} is never emitted: no handler emits it, no external system answers with it, no translation produces it",
                    c.name(id)
                );
                c.push(Code::EventNeverEmitted, Some(id), id.path(), msg);
            }
        }
        for (i, cmd) in ctx.commands.iter().enumerate() {
            let id = Loc {
                kind: Kind::Command,
                context: Some(ci),
                index: i,
            };
            let target = c
                .index
                .resolve(&cmd.target, &[Kind::Aggregate, Kind::External], Some(ci))
                .found();
            let ok = handled.contains(&id) || target.is_some_and(|t| t.kind == Kind::External);
            if !ok {
                let why = match target {
                    Some(t) => format!("aggregate {} has no handler for it", c.name(t)),
                    None if cmd.target.is_empty() => {
                        "it has no target: link it to an aggregate or external system".into()
                    }
                    None => format!("its target `{}` does not exist", cmd.target),
                };
                let path = c.at(id, &[K("target")]);
                c.push(
                    Code::CommandNotHandled,
                    Some(id),
                    path,
                    format!("command {} is not handled: {why}", c.name(id)),
                );
            }
        }
    }
}

fn ids_and_keys(c: &mut Checker<'_>) {
    let model = c.model;
    for (ci, ctx) in model.contexts.iter().enumerate() {
        for (i, cmd) in ctx.commands.iter().enumerate() {
            let id = Loc {
                kind: Kind::Command,
                context: Some(ci),
                index: i,
            };
            if let Some(t) = c
                .index
                .resolve(&cmd.target, &[Kind::Aggregate], Some(ci))
                .found()
                && let Some(a) = model
                    .contexts
                    .get(t.context.unwrap_or(0))
                    .and_then(|x| x.aggregates.get(t.index))
                && !cmd.fields.iter().any(|f| f.name == a.id)
            {
                let path = c.at(id, &[K("fields")]);
                c.push(
                    Code::MissingIdField,
                    Some(id),
                    path,
                    format!(
                        "command {} goes to aggregate {}, but has no `{}` field to say which one",
                        c.name(id),
                        a.name,
                        a.id
                    ),
                );
            }
        }
        for (i, ev) in ctx.events.iter().enumerate() {
            let id = Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: i,
            };
            let owner = c
                .index
                .resolve(&ev.owner, &[Kind::Aggregate, Kind::External], Some(ci))
                .found();
            let key = owner.and_then(|o| {
                let x = model.contexts.get(o.context?)?;
                match o.kind {
                    Kind::Aggregate => x.aggregates.get(o.index).map(|a| a.id.clone()),
                    _ => x.externals.get(o.index).map(|e| e.id.clone()),
                }
            });
            if !ev.stream_key.is_empty() {
                // Named by the event: it must be one of its fields.
                if !ev.fields.iter().any(|f| f.name == ev.stream_key) {
                    let path = c.at(id, &[K("stream_key")]);
                    let names: Vec<&str> = ev.fields.iter().map(|f| f.name.as_str()).collect();
                    c.push(
                        Code::MissingIdField,
                        Some(id),
                        path,
                        format!(
                            "event {}: its stream key `{}` is not one of its fields ({})",
                            c.name(id),
                            ev.stream_key,
                            names.join(", ")
                        ),
                    );
                }
            } else if let Some(key) = key
                && !ev.fields.iter().any(|f| f.name == key)
            {
                let path = c.at(id, &[K("fields")]);
                c.push(
                    Code::MissingIdField,
                    Some(id),
                    path,
                    format!(
                        "event {} belongs to {}, but has no `{key}` field for its stream; add \
                         it, or name the field that carries it with `stream_key`",
                        c.name(id),
                        ev.owner
                    ),
                );
            }
        }
        for (i, rm) in ctx.read_models.iter().enumerate() {
            let id = Loc {
                kind: Kind::ReadModel,
                context: Some(ci),
                index: i,
            };
            if !rm.columns.iter().any(|f| f.name == rm.key) {
                let path = c.at(id, &[K("key")]);
                c.push(
                    Code::BadKey,
                    Some(id),
                    path,
                    format!(
                        "read model {}: key `{}` is not one of its columns",
                        c.name(id),
                        rm.key
                    ),
                );
            }
        }
        for (i, s) in ctx.sagas.iter().enumerate() {
            let sid = Loc {
                kind: Kind::Saga,
                context: Some(ci),
                index: i,
            };
            let mut handled: Vec<(Vec<PathSeg>, &str)> = vec![(vec![K("start")], s.start.as_str())];
            handled.extend(
                s.steps
                    .iter()
                    .enumerate()
                    .map(|(j, st)| (vec![K("steps"), I(j), K("on")], st.on.as_str())),
            );
            for (j, st) in s.steps.iter().enumerate() {
                handled.extend(
                    st.and
                        .iter()
                        .enumerate()
                        .map(|(k, a)| (vec![K("steps"), I(j), K("and"), I(k)], a.as_str())),
                );
            }
            handled.extend(
                s.ends
                    .iter()
                    .enumerate()
                    .map(|(j, e)| (vec![K("ends"), I(j), K("on")], e.on.as_str())),
            );
            handled.extend(
                s.deadlines
                    .iter()
                    .enumerate()
                    .map(|(j, d)| (vec![K("deadlines"), I(j), K("from")], d.from.as_str())),
            );
            for (j, d) in s.deadlines.iter().enumerate() {
                handled.extend(
                    d.until
                        .iter()
                        .enumerate()
                        .map(|(k, u)| (vec![K("deadlines"), I(j), K("until"), I(k)], u.as_str())),
                );
            }
            for (rest, name) in handled {
                if let Some((_, ev)) = event(c, name, Some(ci))
                    && !ev.fields.iter().any(|f| f.name == s.correlation)
                {
                    let path = c.at(sid, &rest);
                    c.push(
                        Code::MissingCorrelation,
                        Some(sid),
                        path,
                        format!(
                            "saga {} correlates by `{}`, but event {name} has no such field",
                            c.name(sid),
                            s.correlation
                        ),
                    );
                }
            }
        }
    }
}

/// An assignment map's keys must be fields of the message it builds.
fn assignments(c: &mut Checker<'_>) {
    let model = c.model;
    let mut found: Vec<(Loc, Vec<PathSeg>, String)> = Vec::new();
    let mut check_keys = |owner: Loc,
                          rest: Vec<PathSeg>,
                          keys: Vec<&String>,
                          fields: Option<&[Field]>,
                          what: &str| {
        let Some(fields) = fields else { return };
        for k in keys {
            if !fields.iter().any(|f| &f.name == k) {
                let mut p = rest.clone();
                p.push(M(k.clone()));
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                found.push((
                    owner,
                    p,
                    format!("{what} has no field `{k}` (fields: {})", names.join(", ")),
                ));
            }
        }
    };
    let resolve = |name: &str, kinds: &[Kind], from: Option<usize>| {
        c.index.resolve(name, kinds, from).found()
    };
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let from = Some(ci);
        for (ai, a) in ctx.aggregates.iter().enumerate() {
            let aid = Loc {
                kind: Kind::Aggregate,
                context: from,
                index: ai,
            };
            for (hi, h) in a.handlers.iter().enumerate() {
                for (site, em) in h.emit_sites() {
                    let ev = resolve(&em.event, &[Kind::Event], from);
                    let rest = aid
                        .path()
                        .into_iter()
                        .chain([K("handlers"), I(hi)])
                        .chain(site)
                        .chain([K("set")])
                        .collect();
                    check_keys(
                        aid,
                        rest,
                        em.set.keys().collect(),
                        ev.and_then(|e| fields_of(model, e)),
                        &format!("event {}", em.event),
                    );
                }
                for (k, sc) in h.schedule.iter().enumerate() {
                    let cmd = resolve(&sc.issue.command, &[Kind::Command], from);
                    let rest = aid
                        .path()
                        .into_iter()
                        .chain([
                            K("handlers"),
                            I(hi),
                            K("schedule"),
                            I(k),
                            K("issue"),
                            K("with"),
                        ])
                        .collect();
                    check_keys(
                        aid,
                        rest,
                        sc.issue.with.keys().collect(),
                        cmd.and_then(|e| fields_of(model, e)),
                        &format!("command {}", sc.issue.command),
                    );
                }
            }
            for (pi, ap) in a.appliers.iter().enumerate() {
                let rest = aid
                    .path()
                    .into_iter()
                    .chain([K("appliers"), I(pi), K("set")])
                    .collect();
                check_keys(
                    aid,
                    rest,
                    ap.set.keys().collect(),
                    Some(&a.state),
                    &format!("the state of {}", a.name),
                );
            }
        }
        for (pi, p) in ctx.policies.iter().enumerate() {
            let pid = Loc {
                kind: Kind::Policy,
                context: from,
                index: pi,
            };
            let cmd = resolve(&p.then, &[Kind::Command], from);
            check_keys(
                pid,
                pid.path().into_iter().chain([K("with")]).collect(),
                p.with.keys().collect(),
                cmd.and_then(|e| fields_of(model, e)),
                &format!("command {}", p.then),
            );
        }
        for (si, s) in ctx.sagas.iter().enumerate() {
            let sid = Loc {
                kind: Kind::Saga,
                context: from,
                index: si,
            };
            if let Some(f) = &s.on_failure {
                let cmd = resolve(&f.command, &[Kind::Command], from);
                let rest = sid
                    .path()
                    .into_iter()
                    .chain([K("on_failure"), K("with")])
                    .collect();
                check_keys(
                    sid,
                    rest,
                    f.with.keys().collect(),
                    cmd.and_then(|e| fields_of(model, e)),
                    &format!("command {}", f.command),
                );
            }
            for (j, st) in s.steps.iter().enumerate() {
                let rest = sid
                    .path()
                    .into_iter()
                    .chain([K("steps"), I(j), K("set")])
                    .collect();
                check_keys(
                    sid,
                    rest,
                    st.set.keys().collect(),
                    Some(&s.state),
                    &format!("the state of saga {}", s.name),
                );
                let mut issues = vec![];
                if !st.issue.is_none() {
                    issues.push((K("issue"), &st.issue));
                }
                if let Some(comp) = &st.compensate {
                    issues.push((K("compensate"), comp));
                }
                for (key, issue) in issues {
                    let cmd = resolve(&issue.command, &[Kind::Command], from);
                    let rest = sid
                        .path()
                        .into_iter()
                        .chain([K("steps"), I(j), key, K("with")])
                        .collect();
                    check_keys(
                        sid,
                        rest,
                        issue.with.keys().collect(),
                        cmd.and_then(|e| fields_of(model, e)),
                        &format!("command {}", issue.command),
                    );
                }
            }
        }
        for (ri, rm) in ctx.read_models.iter().enumerate() {
            let rid = Loc {
                kind: Kind::ReadModel,
                context: from,
                index: ri,
            };
            for (j, rule) in rm.rules.iter().enumerate() {
                if let crate::model::RuleAction::Upsert(set) = &rule.action {
                    let rest = rid
                        .path()
                        .into_iter()
                        .chain([K("rules"), I(j), K("action"), K("Upsert")])
                        .collect();
                    check_keys(
                        rid,
                        rest,
                        set.keys().collect(),
                        Some(&rm.columns),
                        &format!("read model {}", rm.name),
                    );
                }
            }
        }
        for (xi, x) in ctx.externals.iter().enumerate() {
            let xid = Loc {
                kind: Kind::External,
                context: from,
                index: xi,
            };
            for (j, r) in x.reacts.iter().enumerate() {
                for (k, o) in r.outcomes.iter().enumerate() {
                    let ev = resolve(&o.respond, &[Kind::Event], from);
                    let rest = xid
                        .path()
                        .into_iter()
                        .chain([K("reacts"), I(j), K("outcomes"), I(k), K("with")])
                        .collect();
                    check_keys(
                        xid,
                        rest,
                        o.with.keys().collect(),
                        ev.and_then(|e| fields_of(model, e)),
                        &format!("event {}", o.respond),
                    );
                }
            }
        }
    }
    for (ri, r) in model.relations.iter().enumerate() {
        let rid = Loc {
            kind: Kind::Relation,
            context: None,
            index: ri,
        };
        for (j, t) in r.translations.iter().enumerate() {
            let ev = resolve(&t.into, &[Kind::Event], c.index.context(&r.downstream));
            let rest = rid
                .path()
                .into_iter()
                .chain([K("translations"), I(j), K("with")])
                .collect();
            check_keys(
                rid,
                rest,
                t.with.keys().collect(),
                ev.and_then(|e| fields_of(model, e)),
                &format!("event {}", t.into),
            );
        }
    }
    for (si, s) in model.scenarios.iter().enumerate() {
        let sid = Loc {
            kind: Kind::Scenario,
            context: None,
            index: si,
        };
        for (j, g) in s.given.iter().enumerate() {
            let ev = resolve(&g.event, &[Kind::Event], None);
            let rest = sid
                .path()
                .into_iter()
                .chain([K("given"), I(j), K("fields")])
                .collect();
            check_keys(
                sid,
                rest,
                g.fields.keys().collect(),
                ev.and_then(|e| fields_of(model, e)),
                &format!("event {}", g.event),
            );
        }
        for (j, step) in s.when.iter().enumerate() {
            let (command, keys): (&str, Vec<&String>) = match step {
                Step::Command {
                    command, fields, ..
                } => (command, fields.keys().collect()),
                Step::Load {
                    command, fields, ..
                } => (command, fields.keys().collect()),
                Step::Redrive { .. } => continue,
            };
            let cmd = resolve(command, &[Kind::Command], None);
            let rest = sid
                .path()
                .into_iter()
                .chain([K("when"), I(j), K("fields")])
                .collect();
            check_keys(
                sid,
                rest,
                keys,
                cmd.and_then(|e| fields_of(model, e)),
                &format!("command {command}"),
            );
        }
        for (j, ex) in s.then.iter().enumerate() {
            if let Expect::Row {
                read_model,
                columns,
                ..
            } = ex
                && let Some(rid) = resolve(read_model, &[Kind::ReadModel], None)
                && let Some(rm) = model
                    .contexts
                    .get(rid.context.unwrap_or(0))
                    .and_then(|x| x.read_models.get(rid.index))
            {
                let rest = sid
                    .path()
                    .into_iter()
                    .chain([K("then"), I(j), K("columns")])
                    .collect();
                check_keys(
                    sid,
                    rest,
                    columns.keys().collect(),
                    Some(&rm.columns),
                    &format!("read model {read_model}"),
                );
            }
        }
    }
    for (owner, path, msg) in found {
        let who = format!("{} {}: ", owner.kind, c.name(owner));
        c.push(
            Code::UnknownTargetField,
            Some(owner),
            path,
            format!("{who}{msg}"),
        );
    }
}

/// A cycle through policies with no condition on any of them and no guard or state
/// restriction on any handler along it would run forever. A condition that is always true
/// (`when: "true"`, a guard `1 < 2`) does not count, nor does a state restriction that the
/// cycle never leaves: one that admits the first lifecycle state and every state the cycle's
/// events move the aggregate to.
fn cycles(c: &mut Checker<'_>) {
    let model = c.model;
    let flow = FlowGraph::new(model);
    for cycle in flow.cycles() {
        let policies: Vec<Loc> = cycle
            .iter()
            .copied()
            .filter(|id| id.kind == Kind::Policy)
            .collect();
        let Some(&first) = policies.first() else {
            continue;
        };
        let in_cycle: BTreeSet<Loc> = cycle.iter().copied().collect();
        let policy_condition = policies.iter().any(|p| {
            model
                .contexts
                .get(p.context.unwrap_or(0))
                .and_then(|x| x.policies.get(p.index))
                .and_then(|p| p.when.as_deref())
                .is_some_and(|w| !always_true(w))
        });
        let handler_condition = cycle
            .iter()
            .filter(|id| id.kind == Kind::Aggregate)
            .any(|aid| {
                let Some(a) = model
                    .contexts
                    .get(aid.context.unwrap_or(0))
                    .and_then(|x| x.aggregates.get(aid.index))
                else {
                    return false;
                };
                let on_cycle = |name: &str, kind: Kind| {
                    c.index
                        .resolve(name, &[kind], aid.context)
                        .found()
                        .is_some_and(|id| in_cycle.contains(&id))
                };
                // The states the cycle's events move this aggregate to.
                let reached: Vec<&str> = a
                    .appliers
                    .iter()
                    .filter(|ap| on_cycle(&ap.on, Kind::Event))
                    .filter_map(|ap| ap.to.as_deref())
                    .collect();
                a.handlers.iter().any(|h| {
                    let allowed = |s: &str| h.states.iter().any(|x| x == s);
                    let states_stop = !h.states.is_empty()
                        && (a.lifecycle.first().is_some_and(|s| !allowed(s))
                            || reached.iter().any(|s| !allowed(s)));
                    // Events on the cycle only in branches that may not apply.
                    let branch_stops = !h.emit.iter().any(|em| on_cycle(&em.event, Kind::Event))
                        && h.branches.iter().all(|b| {
                            b.when.as_deref().is_some_and(|w| !always_true(w))
                                || !b.emit.iter().any(|em| on_cycle(&em.event, Kind::Event))
                        });
                    on_cycle(&h.on, Kind::Command)
                        && (h.guards.iter().any(|g| !always_true(&g.expr))
                            || states_stop
                            || branch_stops)
                })
            });
        // The flow graph links an aggregate to all its events; the cycle is real only if, at
        // each aggregate on it, the handler of a command on the cycle emits an event on it.
        let closed = cycle
            .iter()
            .filter(|id| id.kind == Kind::Aggregate)
            .all(|aid| {
                let Some(a) = model
                    .contexts
                    .get(aid.context.unwrap_or(0))
                    .and_then(|x| x.aggregates.get(aid.index))
                else {
                    return true;
                };
                let on_cycle = |name: &str, kind: Kind| {
                    c.index
                        .resolve(name, &[kind], aid.context)
                        .found()
                        .is_some_and(|id| in_cycle.contains(&id))
                };
                a.handlers.iter().any(|h| {
                    on_cycle(&h.on, Kind::Command)
                        && h.all_emits().any(|em| on_cycle(&em.event, Kind::Event))
                })
            });
        if closed && !policy_condition && !handler_condition {
            let mut names: BTreeMap<Loc, String> = BTreeMap::new();
            for id in &cycle {
                names.insert(*id, model.name_of(*id).unwrap_or("").to_owned());
            }
            let list: Vec<&str> = names.values().map(String::as_str).collect();
            let msg = format!(
                "policy {} is part of a cycle with no condition that can stop it ({}); add a `when` to a policy or a guard or state restriction to a handler",
                c.name(first),
                list.join(" → ")
            );
            c.push(Code::UnguardedPolicyCycle, Some(first), first.path(), msg);
        }
    }
}

/// Whether `condition` holds whatever happens: it reads nothing and evaluates to true.
fn always_true(condition: &str) -> bool {
    use crate::model::expr::{Expr, NoTypes, Scope, Value};
    Expr::compile(condition, &Scope::new(), &NoTypes, None)
        .is_ok_and(|e| matches!(e.eval(&[]), Ok(Value::Bool(true))))
}
