//! Every name reference in a model, visited in file order: what it may refer to, from which
//! context it is resolved, and where it sits in the file. Renaming uses it to keep references
//! pointing at the renamed element; checks use it to find dangling ones.

use super::document::Model;
use super::element::{Kind, Loc, PathSeg};
use super::resolve::NameIndex;
use super::scenario::{Expect, Step};

/// Where a reference sits and what it may name.
#[derive(Clone, Debug)]
pub struct RefSite {
    /// The context it is resolved from (None: model level, e.g. scenarios).
    pub from: Option<usize>,
    /// The kinds of element it may name.
    pub kinds: &'static [Kind],
    /// Its place in the file.
    pub path: Vec<PathSeg>,
    /// The element that holds the reference.
    pub owner: Option<Loc>,
}

const COMMAND: &[Kind] = &[Kind::Command];
const EVENT: &[Kind] = &[Kind::Event];
const ACTOR: &[Kind] = &[Kind::Actor];
const HANDLER: &[Kind] = &[Kind::Aggregate, Kind::External];
const MESSAGE: &[Kind] = &[Kind::Command, Kind::Event];
const SUBSCRIBER: &[Kind] = &[Kind::Policy, Kind::Saga, Kind::ReadModel, Kind::External];
const CONTEXT: &[Kind] = &[Kind::Context];

use PathSeg::{Index as I, Key as K};

/// Calls `f` for every name reference in `model` (empty strings included).
pub fn visit_refs_mut(model: &mut Model, f: &mut dyn FnMut(&RefSite, &mut String)) {
    for (ci, c) in model.contexts.iter_mut().enumerate() {
        let base = vec![K("contexts"), I(ci)];
        let from = Some(ci);
        let at = |kind: Kind, i: usize, rest: &[PathSeg]| {
            let mut p = base.clone();
            p.push(K(kind.file_key()));
            p.push(I(i));
            p.extend_from_slice(rest);
            p
        };
        let owner = |kind, index| {
            Some(Loc {
                kind,
                context: from,
                index,
            })
        };
        let mut site = |kinds, path, owner, s: &mut String| {
            f(
                &RefSite {
                    from,
                    kinds,
                    path,
                    owner,
                },
                s,
            )
        };
        for (i, e) in c.commands.iter_mut().enumerate() {
            let o = owner(Kind::Command, i);
            site(
                HANDLER,
                at(Kind::Command, i, &[K("target")]),
                o,
                &mut e.target,
            );
            for (j, a) in e.actors.iter_mut().enumerate() {
                site(ACTOR, at(Kind::Command, i, &[K("actors"), I(j)]), o, a);
            }
        }
        for (i, e) in c.events.iter_mut().enumerate() {
            if !e.owner.is_empty() {
                site(
                    HANDLER,
                    at(Kind::Event, i, &[K("owner")]),
                    owner(Kind::Event, i),
                    &mut e.owner,
                );
            }
        }
        for (i, a) in c.aggregates.iter_mut().enumerate() {
            let o = owner(Kind::Aggregate, i);
            for (j, h) in a.handlers.iter_mut().enumerate() {
                site(
                    COMMAND,
                    at(Kind::Aggregate, i, &[K("handlers"), I(j), K("on")]),
                    o,
                    &mut h.on,
                );
                for (k, em) in h.emit.iter_mut().enumerate() {
                    let p = at(
                        Kind::Aggregate,
                        i,
                        &[K("handlers"), I(j), K("emit"), I(k), K("event")],
                    );
                    site(EVENT, p, o, &mut em.event);
                }
            }
            for (j, ap) in a.appliers.iter_mut().enumerate() {
                site(
                    EVENT,
                    at(Kind::Aggregate, i, &[K("appliers"), I(j), K("on")]),
                    o,
                    &mut ap.on,
                );
            }
        }
        for (i, p) in c.policies.iter_mut().enumerate() {
            let o = owner(Kind::Policy, i);
            site(EVENT, at(Kind::Policy, i, &[K("on")]), o, &mut p.on);
            site(COMMAND, at(Kind::Policy, i, &[K("then")]), o, &mut p.then);
        }
        for (i, s) in c.sagas.iter_mut().enumerate() {
            let o = owner(Kind::Saga, i);
            site(EVENT, at(Kind::Saga, i, &[K("start")]), o, &mut s.start);
            for (j, st) in s.steps.iter_mut().enumerate() {
                site(
                    EVENT,
                    at(Kind::Saga, i, &[K("steps"), I(j), K("on")]),
                    o,
                    &mut st.on,
                );
                let p = at(Kind::Saga, i, &[K("steps"), I(j), K("issue"), K("command")]);
                site(COMMAND, p, o, &mut st.issue.command);
                if let Some(comp) = &mut st.compensate {
                    let p = at(
                        Kind::Saga,
                        i,
                        &[K("steps"), I(j), K("compensate"), K("command")],
                    );
                    site(COMMAND, p, o, &mut comp.command);
                }
            }
            for (j, d) in s.deadlines.iter_mut().enumerate() {
                site(
                    EVENT,
                    at(Kind::Saga, i, &[K("deadlines"), I(j), K("from")]),
                    o,
                    &mut d.from,
                );
                for (k, u) in d.until.iter_mut().enumerate() {
                    let p = at(Kind::Saga, i, &[K("deadlines"), I(j), K("until"), I(k)]);
                    site(EVENT, p, o, u);
                }
            }
            for (j, e) in s.ends.iter_mut().enumerate() {
                site(
                    EVENT,
                    at(Kind::Saga, i, &[K("ends"), I(j), K("on")]),
                    o,
                    &mut e.on,
                );
            }
        }
        for (i, r) in c.read_models.iter_mut().enumerate() {
            let o = owner(Kind::ReadModel, i);
            for (j, rule) in r.rules.iter_mut().enumerate() {
                site(
                    EVENT,
                    at(Kind::ReadModel, i, &[K("rules"), I(j), K("on")]),
                    o,
                    &mut rule.on,
                );
            }
        }
        for (i, x) in c.externals.iter_mut().enumerate() {
            let o = owner(Kind::External, i);
            for (j, r) in x.reacts.iter_mut().enumerate() {
                site(
                    MESSAGE,
                    at(Kind::External, i, &[K("reacts"), I(j), K("on")]),
                    o,
                    &mut r.on,
                );
                for (k, out) in r.outcomes.iter_mut().enumerate() {
                    let p = at(
                        Kind::External,
                        i,
                        &[K("reacts"), I(j), K("outcomes"), I(k), K("respond")],
                    );
                    site(EVENT, p, o, &mut out.respond);
                }
            }
        }
    }
    // Relations resolve their translations' events in the upstream / downstream context.
    let index = NameIndex::new(model);
    for (i, r) in model.relations.iter_mut().enumerate() {
        let owner = Some(Loc {
            kind: Kind::Relation,
            context: None,
            index: i,
        });
        let path = |rest: &[PathSeg]| {
            let mut p = vec![K("relations"), I(i)];
            p.extend_from_slice(rest);
            p
        };
        let up = index.context(&r.upstream);
        let down = index.context(&r.downstream);
        for (key, name) in [
            ("upstream", &mut r.upstream),
            ("downstream", &mut r.downstream),
        ] {
            let s = RefSite {
                from: None,
                kinds: CONTEXT,
                path: path(&[K(key)]),
                owner,
            };
            f(&s, name);
        }
        for (j, t) in r.translations.iter_mut().enumerate() {
            let s = RefSite {
                from: up,
                kinds: EVENT,
                path: path(&[K("translations"), I(j), K("from")]),
                owner,
            };
            f(&s, &mut t.from);
            let s = RefSite {
                from: down,
                kinds: EVENT,
                path: path(&[K("translations"), I(j), K("into")]),
                owner,
            };
            f(&s, &mut t.into);
        }
    }
    for (i, sc) in model.scenarios.iter_mut().enumerate() {
        let owner = Some(Loc {
            kind: Kind::Scenario,
            context: None,
            index: i,
        });
        let mut site = |kinds, rest: &[PathSeg], s: &mut String| {
            let mut path = vec![K("scenarios"), I(i)];
            path.extend_from_slice(rest);
            f(
                &RefSite {
                    from: None,
                    kinds,
                    path,
                    owner,
                },
                s,
            )
        };
        for (j, g) in sc.given.iter_mut().enumerate() {
            site(EVENT, &[K("given"), I(j), K("event")], &mut g.event);
        }
        for (j, step) in sc.when.iter_mut().enumerate() {
            match step {
                Step::Command { command, .. } | Step::Load { command, .. } => {
                    site(COMMAND, &[K("when"), I(j), K("command")], command)
                }
                Step::Redrive { subscriber, .. } => {
                    site(SUBSCRIBER, &[K("when"), I(j), K("subscriber")], subscriber)
                }
            }
        }
        for (j, fault) in sc.faults.iter_mut().enumerate() {
            site(
                SUBSCRIBER,
                &[K("faults"), I(j), K("subscriber")],
                &mut fault.subscriber,
            );
        }
        for (j, ex) in sc.then.iter_mut().enumerate() {
            let (kinds, key, name): (&'static [Kind], &'static str, &mut String) = match ex {
                Expect::Emitted { event, .. } | Expect::NotEmitted { event } => {
                    (EVENT, "event", event)
                }
                Expect::Rejected { command, .. } => (COMMAND, "command", command),
                Expect::Row { read_model, .. } | Expect::Rows { read_model, .. } => {
                    (&[Kind::ReadModel], "read_model", read_model)
                }
                Expect::State { aggregate, .. } => (&[Kind::Aggregate], "aggregate", aggregate),
                Expect::Saga { saga, .. } => (&[Kind::Saga], "saga", saga),
                Expect::Dlq { subscriber, .. } => match subscriber {
                    Some(s) => (SUBSCRIBER, "subscriber", s),
                    None => continue,
                },
            };
            site(kinds, &[K("then"), I(j), K(key)], name);
        }
    }
}

/// Renaming an event, command, value object or enum keeps its exported protobuf name: the
/// first rename pins the old name as the element's contract name, so consumers of the
/// contract see no change (see `crate::export`).
fn pin_contract(model: &mut Model, id: Loc, old: &str, new_name: &str) {
    if old == new_name {
        return;
    }
    let Some(c) = id.context.and_then(|i| model.contexts.get_mut(i)) else {
        return;
    };
    let contract = match id.kind {
        Kind::Event => c.events.get_mut(id.index).map(|e| &mut e.contract),
        Kind::Command => c.commands.get_mut(id.index).map(|e| &mut e.contract),
        Kind::Value => c.values.get_mut(id.index).map(|e| &mut e.contract),
        Kind::Enum => c.enums.get_mut(id.index).map(|e| &mut e.contract),
        _ => None,
    };
    if let Some(contract) = contract
        && contract.is_empty()
    {
        *contract = old.to_owned();
    }
}

/// Renames element `id` to `new_name` and rewrites every reference that resolved to it, as
/// well as field types naming it (enums, value objects). Qualified references keep their
/// context prefix; a renamed context updates the prefixes and the relations.
pub fn rename(model: &mut Model, id: Loc, new_name: &str) {
    let index = NameIndex::new(model);
    let Some(old) = model.name_of(id).map(str::to_owned) else {
        return;
    };
    let mut targets: Vec<(Vec<PathSeg>, bool)> = Vec::new();
    // First pass (read-only in effect): which references point at the element.
    let mut probe = model.clone();
    visit_refs_mut(&mut probe, &mut |site, name| {
        if name.is_empty() {
            return;
        }
        if id.kind == Kind::Context {
            let hits = site.kinds == CONTEXT && *name == old
                || name.split_once('.').is_some_and(|(c, _)| c == old);
            if hits {
                targets.push((site.path.clone(), site.kinds == CONTEXT));
            }
        } else if index.resolve(name, site.kinds, site.from).found() == Some(id) {
            targets.push((site.path.clone(), false));
        }
    });
    pin_contract(model, id, &old, new_name);
    if let Some(n) = model.name_mut(id) {
        *n = new_name.to_owned();
    }
    visit_refs_mut(model, &mut |site, name| {
        let Some((_, whole)) = targets.iter().find(|(p, _)| *p == site.path) else {
            return;
        };
        if id.kind == Kind::Context {
            *name = if *whole {
                new_name.to_owned()
            } else {
                match name.split_once('.') {
                    Some((_, rest)) => format!("{new_name}.{rest}"),
                    None => name.clone(),
                }
            };
        } else {
            *name = match name.split_once('.') {
                Some((ctx, _)) => format!("{ctx}.{new_name}"),
                None => new_name.to_owned(),
            };
        }
    });
    if matches!(id.kind, Kind::Enum | Kind::Value) {
        rename_type(model, &old, new_name);
    }
}

fn rename_type(model: &mut Model, old: &str, new: &str) {
    use super::ty::Type;
    fn fix(t: &mut Type, old: &str, new: &str) {
        match t {
            Type::Named(n) if n == old => *n = new.to_owned(),
            Type::List(inner) | Type::Optional(inner) => fix(inner, old, new),
            _ => {}
        }
    }
    for c in &mut model.contexts {
        let fields = c
            .commands
            .iter_mut()
            .flat_map(|e| e.fields.iter_mut())
            .chain(c.events.iter_mut().flat_map(|e| e.fields.iter_mut()))
            .chain(c.values.iter_mut().flat_map(|e| e.fields.iter_mut()))
            .chain(c.aggregates.iter_mut().flat_map(|e| e.state.iter_mut()))
            .chain(c.read_models.iter_mut().flat_map(|e| e.columns.iter_mut()));
        for f in fields {
            fix(&mut f.ty, old, new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::access::Sticky;
    use crate::model::connect::connect;
    use crate::model::layout::Pos;

    #[test]
    fn renaming_an_event_rewrites_every_reference_to_it() {
        let mut m = Model::new("t");
        let add = |m: &mut Model, k, n| {
            m.insert_sticky(0, Sticky::new_of(k, n, Pos::default()).unwrap())
                .unwrap()
        };
        let cmd = add(&mut m, Kind::Command, "Book");
        let agg = add(&mut m, Kind::Aggregate, "Booking");
        let ev = add(&mut m, Kind::Event, "Booked");
        let pol = add(&mut m, Kind::Policy, "P");
        connect(&mut m, cmd, agg).unwrap();
        connect(&mut m, cmd, ev).unwrap();
        connect(&mut m, ev, pol).unwrap();
        rename(&mut m, ev, "ServiceBooked");
        let c = &m.contexts[0];
        assert_eq!(c.events[0].name, "ServiceBooked");
        assert_eq!(c.aggregates[0].handlers[0].emit[0].event, "ServiceBooked");
        assert_eq!(c.policies[0].on, "ServiceBooked");
        rename(&mut m, agg, "Reservation");
        assert_eq!(m.contexts[0].commands[0].target, "Reservation");
        assert_eq!(m.contexts[0].events[0].owner, "Reservation");
    }
}
