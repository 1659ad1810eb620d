//! Every name reference in a model, visited in file order: what it may refer to, from which
//! context it is resolved, and where it sits in the file. Renaming uses it to keep references
//! pointing at the renamed element; checks and the flow graph use it to resolve them.

use super::context::BoundedContext;
use super::document::Model;
use super::element::{Kind, Loc, PathSeg};
use super::op::{self, Op};
use super::reference::Ref;
use super::resolve::NameIndex;
use super::scenario::{Expect, Step};
use super::uid::Uid;

/// Where a reference sits and what it may name.
#[derive(Clone, Debug)]
pub struct RefSite<'a> {
    /// The context it is resolved from (None: model level, e.g. scenarios).
    pub from: Option<usize>,
    /// The kinds of element it may name.
    pub kinds: &'static [Kind],
    /// The element that holds the reference.
    pub owner: Loc,
    /// Its place inside the owner (`handlers[2].emit[0].event`).
    pub rest: &'a [PathSeg],
}

impl RefSite<'_> {
    /// Its place in the file (built on demand: most visits never need it).
    pub fn path(&self) -> Vec<PathSeg> {
        let mut p = self.owner.path();
        p.extend_from_slice(self.rest);
        p
    }

    /// The last field name on its path inside the owner (`event` for `emit[0].event`).
    pub fn key(&self) -> Option<&'static str> {
        self.rest.iter().rev().find_map(|s| match s {
            PathSeg::Key(k) => Some(*k),
            _ => None,
        })
    }

    /// Whether its path inside the owner passes through the field `key`.
    pub fn under(&self, key: &str) -> bool {
        self.rest
            .iter()
            .any(|s| matches!(s, PathSeg::Key(k) if *k == key))
    }
}

const COMMAND: &[Kind] = &[Kind::Command];
const EVENT: &[Kind] = &[Kind::Event];
const ACTOR: &[Kind] = &[Kind::Actor];
const HANDLER: &[Kind] = &[Kind::Aggregate, Kind::External];
const MESSAGE: &[Kind] = &[Kind::Command, Kind::Event];
const SUBSCRIBER: &[Kind] = &[Kind::Policy, Kind::Saga, Kind::ReadModel, Kind::External];
const CONTEXT: &[Kind] = &[Kind::Context];

use PathSeg::{Index as I, Key as K};

/// The index of each context by name (the first of a name, as `NameIndex::context`).
fn context_indexes(contexts: &[BoundedContext]) -> std::collections::HashMap<&str, usize> {
    let mut out = std::collections::HashMap::with_capacity(contexts.len());
    for (i, c) in contexts.iter().enumerate() {
        out.entry(c.name.as_str()).or_insert(i);
    }
    out
}

/// The one walk over every reference, written once for shared and for mutable access:
/// `$iter` is `iter` or `iter_mut`, `$m` is nothing or `mut`.
macro_rules! walk_refs {
    ($model:ident, $scope:ident, $f:ident, $iter:ident $(, $m:tt)?) => {{
        // Translations resolve their events in the upstream / downstream context (contexts
        // found by name through an index: a scan per relation is quadratic on large maps).
        let ends: Vec<(Option<usize>, Option<usize>)> = if $scope(Part::Relations) {
            let index = context_indexes(&$model.contexts);
            let find = |name: &str| index.get(name).copied();
            $model
                .relations
                .iter()
                .map(|r| (find(&r.upstream), find(&r.downstream)))
                .collect()
        } else {
            Vec::new()
        };
        for (ci, c) in $model.contexts.$iter().enumerate() {
            if !$scope(Part::Context(ci)) {
                continue;
            }
            let from = Some(ci);
            let mut site =
                |kind: Kind, index: usize, kinds, rest: &[PathSeg], name: &$($m)? Ref| {
                    let owner = Loc {
                        kind,
                        context: from,
                        index,
                    };
                    $f(
                        &RefSite {
                            from,
                            kinds,
                            owner,
                            rest,
                        },
                        name,
                    )
                };
            for (i, e) in c.commands.$iter().enumerate() {
                site(Kind::Command, i, HANDLER, &[K("target")], &$($m)? e.target);
                for (j, a) in e.actors.$iter().enumerate() {
                    site(Kind::Command, i, ACTOR, &[K("actors"), I(j)], a);
                }
            }
            for (i, e) in c.events.$iter().enumerate() {
                if !e.owner.is_empty() {
                    site(Kind::Event, i, HANDLER, &[K("owner")], &$($m)? e.owner);
                }
            }
            for (i, a) in c.aggregates.$iter().enumerate() {
                let agg = Kind::Aggregate;
                for (j, h) in a.handlers.$iter().enumerate() {
                    site(agg, i, COMMAND, &[K("handlers"), I(j), K("on")], &$($m)? h.on);
                    for (k, em) in h.emit.$iter().enumerate() {
                        let rest = [K("handlers"), I(j), K("emit"), I(k), K("event")];
                        site(agg, i, EVENT, &rest, &$($m)? em.event);
                    }
                    for (b, branch) in h.branches.$iter().enumerate() {
                        for (k, em) in branch.emit.$iter().enumerate() {
                            let rest = [
                                K("handlers"), I(j), K("branches"), I(b), K("emit"), I(k),
                                K("event"),
                            ];
                            site(agg, i, EVENT, &rest, &$($m)? em.event);
                        }
                    }
                    for (s, sc) in h.schedule.$iter().enumerate() {
                        let rest = [K("handlers"), I(j), K("schedule"), I(s), K("issue"), K("command")];
                        site(agg, i, COMMAND, &rest, &$($m)? sc.issue.command);
                        for (k, u) in sc.unless.$iter().enumerate() {
                            let rest = [K("handlers"), I(j), K("schedule"), I(s), K("unless"), I(k)];
                            site(agg, i, EVENT, &rest, u);
                        }
                    }
                }
                for (j, ap) in a.appliers.$iter().enumerate() {
                    site(agg, i, EVENT, &[K("appliers"), I(j), K("on")], &$($m)? ap.on);
                }
            }
            for (i, p) in c.policies.$iter().enumerate() {
                site(Kind::Policy, i, EVENT, &[K("on")], &$($m)? p.on);
                site(Kind::Policy, i, COMMAND, &[K("then")], &$($m)? p.then);
                for (j, u) in p.unless.$iter().enumerate() {
                    site(Kind::Policy, i, EVENT, &[K("unless"), I(j)], u);
                }
            }
            for (i, s) in c.sagas.$iter().enumerate() {
                let saga = Kind::Saga;
                site(saga, i, EVENT, &[K("start")], &$($m)? s.start);
                for (j, st) in s.steps.$iter().enumerate() {
                    site(saga, i, EVENT, &[K("steps"), I(j), K("on")], &$($m)? st.on);
                    for (k, a) in st.and.$iter().enumerate() {
                        site(saga, i, EVENT, &[K("steps"), I(j), K("and"), I(k)], a);
                    }
                    for (k, u) in st.unless.$iter().enumerate() {
                        site(saga, i, EVENT, &[K("steps"), I(j), K("unless"), I(k)], u);
                    }
                    // A step that only sets state issues nothing.
                    if !st.issue.is_none() {
                        let rest = [K("steps"), I(j), K("issue"), K("command")];
                        site(saga, i, COMMAND, &rest, &$($m)? st.issue.command);
                    }
                    if let Some(comp) = &$($m)? st.compensate {
                        let rest = [K("steps"), I(j), K("compensate"), K("command")];
                        site(saga, i, COMMAND, &rest, &$($m)? comp.command);
                    }
                }
                if let Some(f) = &$($m)? s.on_failure {
                    site(saga, i, COMMAND, &[K("on_failure"), K("command")], &$($m)? f.command);
                }
                for (j, d) in s.deadlines.$iter().enumerate() {
                    let rest = [K("deadlines"), I(j), K("from")];
                    site(saga, i, EVENT, &rest, &$($m)? d.from);
                    for (k, u) in d.until.$iter().enumerate() {
                        site(saga, i, EVENT, &[K("deadlines"), I(j), K("until"), I(k)], u);
                    }
                }
                for (j, e) in s.ends.$iter().enumerate() {
                    site(saga, i, EVENT, &[K("ends"), I(j), K("on")], &$($m)? e.on);
                }
            }
            for (i, r) in c.read_models.$iter().enumerate() {
                for (j, rule) in r.rules.$iter().enumerate() {
                    let rest = [K("rules"), I(j), K("on")];
                    site(Kind::ReadModel, i, EVENT, &rest, &$($m)? rule.on);
                }
            }
            for (i, x) in c.externals.$iter().enumerate() {
                for (j, r) in x.reacts.$iter().enumerate() {
                    let rest = [K("reacts"), I(j), K("on")];
                    site(Kind::External, i, MESSAGE, &rest, &$($m)? r.on);
                    for (k, out) in r.outcomes.$iter().enumerate() {
                        let rest = [K("reacts"), I(j), K("outcomes"), I(k), K("respond")];
                        site(Kind::External, i, EVENT, &rest, &$($m)? out.respond);
                    }
                }
            }
        }
        for (i, r) in $model.relations.$iter().enumerate() {
            if !$scope(Part::Relations) {
                break;
            }
            let owner = Loc {
                kind: Kind::Relation,
                context: None,
                index: i,
            };
            let (up, down) = ends[i];
            let mut site = |from, kinds, rest: &[PathSeg], name: &$($m)? Ref| {
                $f(
                    &RefSite {
                        from,
                        kinds,
                        owner,
                        rest,
                    },
                    name,
                )
            };
            site(None, CONTEXT, &[K("upstream")], &$($m)? r.upstream);
            site(None, CONTEXT, &[K("downstream")], &$($m)? r.downstream);
            for (j, t) in r.translations.$iter().enumerate() {
                site(up, EVENT, &[K("translations"), I(j), K("from")], &$($m)? t.from);
                site(down, EVENT, &[K("translations"), I(j), K("into")], &$($m)? t.into);
            }
        }
        for (i, sc) in $model.scenarios.$iter().enumerate() {
            if !$scope(Part::Scenarios) {
                break;
            }
            let owner = Loc {
                kind: Kind::Scenario,
                context: None,
                index: i,
            };
            let mut site = |kinds, rest: &[PathSeg], name: &$($m)? Ref| {
                $f(
                    &RefSite {
                        from: None,
                        kinds,
                        owner,
                        rest,
                    },
                    name,
                )
            };
            for (j, g) in sc.given.$iter().enumerate() {
                site(EVENT, &[K("given"), I(j), K("event")], &$($m)? g.event);
            }
            for (j, step) in sc.when.$iter().enumerate() {
                match step {
                    Step::Command { command, .. } | Step::Load { command, .. } => {
                        site(COMMAND, &[K("when"), I(j), K("command")], command)
                    }
                    Step::Redrive { subscriber, .. } => {
                        site(SUBSCRIBER, &[K("when"), I(j), K("subscriber")], subscriber)
                    }
                }
            }
            for (j, fault) in sc.faults.$iter().enumerate() {
                let rest = [K("faults"), I(j), K("subscriber")];
                site(SUBSCRIBER, &rest, &$($m)? fault.subscriber);
            }
            if let Some(x) = &$($m)? sc.explore {
                for (j, s) in x.subscribers.$iter().enumerate() {
                    site(SUBSCRIBER, &[K("explore"), K("subscribers"), I(j)], s);
                }
            }
            for (j, ex) in sc.then.$iter().enumerate() {
                let (kinds, key, name): (&'static [Kind], &'static str, &$($m)? Ref) =
                    match ex {
                        Expect::Emitted { event, .. } | Expect::NotEmitted { event } => {
                            (EVENT, "event", event)
                        }
                        Expect::Rejected { command, .. } => (COMMAND, "command", command),
                        Expect::Row { read_model, .. } | Expect::Rows { read_model, .. } => {
                            (&[Kind::ReadModel], "read_model", read_model)
                        }
                        Expect::State { aggregate, .. } => {
                            (&[Kind::Aggregate], "aggregate", aggregate)
                        }
                        Expect::Saga { saga, .. } => (&[Kind::Saga], "saga", saga),
                        Expect::Dlq { subscriber, .. } => match subscriber {
                            Some(s) => (SUBSCRIBER, "subscriber", s),
                            None => continue,
                        },
                    };
                site(kinds, &[K("then"), I(j), K(key)], name);
            }
        }
    }};
}

/// A part of a model a walk over references may visit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The stickies of one context.
    Context(usize),
    /// The context map's relations.
    Relations,
    /// The scenarios.
    Scenarios,
}

/// Calls `f` for every name reference in `model` (empty strings included), in file order.
pub fn visit_refs(model: &Model, f: &mut dyn FnMut(&RefSite<'_>, &Ref)) {
    visit_refs_in(model, &|_| true, f)
}

/// Calls `f` for every name reference in the parts of `model` that `scope` selects.
pub fn visit_refs_in(
    model: &Model,
    scope: &dyn Fn(Part) -> bool,
    f: &mut dyn FnMut(&RefSite<'_>, &Ref),
) {
    walk_refs!(model, scope, f, iter)
}

/// Calls `f` for every name reference in `model` (empty strings included), in file order,
/// with the reference to change.
pub fn visit_refs_mut(model: &mut Model, f: &mut dyn FnMut(&RefSite<'_>, &mut Ref)) {
    visit_refs_mut_in(model, &|_| true, f)
}

/// Calls `f` for every name reference in the parts of `model` that `scope` selects, with the
/// reference to change.
pub fn visit_refs_mut_in(
    model: &mut Model,
    scope: &dyn Fn(Part) -> bool,
    f: &mut dyn FnMut(&RefSite<'_>, &mut Ref),
) {
    walk_refs!(model, scope, f, iter_mut, mut)
}

/// Counts the references of a walk within each part of the model (contexts, relations,
/// scenarios), so that a walk of some parts finds the same places as a walk of all.
#[derive(Default)]
struct Counter {
    part: Option<Part>,
    ordinal: usize,
}

impl Counter {
    /// The part `site` is in and its place in that part's walk.
    fn next(&mut self, site: &RefSite<'_>) -> (Part, usize) {
        let part = match site.owner.kind {
            Kind::Relation => Part::Relations,
            Kind::Scenario => Part::Scenarios,
            _ => Part::Context(site.owner.context.unwrap_or(0)),
        };
        if self.part != Some(part) {
            self.part = Some(part);
            self.ordinal = 0;
        }
        self.ordinal += 1;
        (part, self.ordinal)
    }
}

/// What linking decided for one reference.
enum Link {
    /// Already right.
    Keep,
    /// Give it this id (and, when its target was renamed, this name).
    Set(Option<String>, Uid),
}

/// The name a reference gives the element `to`: `Context.Name` when the reference was
/// qualified, else the bare name (a reference keeps its form; only the names change).
fn name_for(model: &Model, to: Loc, qualified: bool) -> Option<String> {
    let name = model.name_of(to)?;
    if to.kind == Kind::Context || !qualified {
        return Some(name.to_owned());
    }
    let ctx = to.context.and_then(|c| model.contexts.get(c))?;
    Some(format!("{}.{name}", ctx.name))
}

/// Links the references `owns` selects (by where they are and what they hold) in the parts
/// of the model `scope` selects: a reference whose target
/// exists takes that element's current name (the id wins: it was made to point there,
/// whatever happened to the name since); one without a live target is resolved by its name
/// and takes that element's id (when nothing has that name, it keeps the id it has).
///
/// Runs after loading (every reference) and after every op (the references of what it
/// changed), so a reference's name and id always agree.
pub fn link(
    model: &mut Model,
    scope: &dyn Fn(Part) -> bool,
    owns: &dyn Fn(&RefSite<'_>, &Ref) -> bool,
) {
    let mut plan: Vec<Link> = Vec::new();
    let mut unresolved: Vec<(usize, String, &'static [Kind], Option<usize>)> = Vec::new();
    visit_refs_in(model, scope, &mut |site, r| {
        if !owns(site, r) {
            return;
        }
        let by_id = Some(r.target())
            .filter(|t| !t.is_none())
            .and_then(|t| model.locate_near(t, site.kinds, site.from));
        let decision = match by_id {
            Some(to) => {
                let qualified = site.kinds != CONTEXT && r.contains('.');
                match name_for(model, to, qualified) {
                    Some(name) if name != r.as_str() => Link::Set(Some(name), r.target()),
                    _ => Link::Keep,
                }
            }
            None if r.is_empty() => Link::Keep,
            None => {
                unresolved.push((plan.len(), r.to_string(), site.kinds, site.from));
                Link::Keep
            }
        };
        plan.push(decision);
    });
    if !unresolved.is_empty() {
        // The names looked for, as a set (a file without ids has every reference here: a
        // scan of this list per element made loading quadratic).
        let wanted: std::collections::HashSet<&str> = unresolved
            .iter()
            .flat_map(|(_, r, _, _)| {
                std::iter::once(r.as_str()).chain(r.split_once('.').map(|(_, b)| b))
            })
            .collect();
        let index = NameIndex::filtered(model, |n| wanted.contains(n));
        for (at, name, kinds, from) in unresolved {
            let found = if kinds == CONTEXT {
                index.context(&name).map(|index| Loc {
                    kind: Kind::Context,
                    context: None,
                    index,
                })
            } else {
                index.resolve(&name, kinds, from).found()
            };
            // Nothing of that name (yet): it keeps the id it has, so undoing the delete of
            // its target links it again.
            if let Some(uid) = found.and_then(|l| model.uid_at(l)) {
                plan[at] = Link::Set(None, uid);
            }
        }
    }
    let mut plan = plan.into_iter();
    visit_refs_mut_in(model, scope, &mut |site, r| {
        if !owns(site, r) {
            return;
        }
        if let Some(Link::Set(name, uid)) = plan.next()
            && (uid != r.target() || name.is_some())
        {
            r.link(name, uid);
        }
    });
}

/// Every reference linked to one of the `renamed` elements takes its current name (a rename
/// that reached this model as the renamed element alone, e.g. from a peer): one walk that
/// compares ids, and rewrites only what changed.
pub fn follow_renames(model: &mut Model, renamed: &[Uid]) {
    let now: Vec<(Uid, String, String)> = renamed
        .iter()
        .filter_map(|&uid| {
            let at = model.locate(uid)?;
            let name = model.name_of(at)?.to_owned();
            let context = at
                .context
                .and_then(|c| model.contexts.get(c))
                .map(|c| c.name.clone())
                .unwrap_or_default();
            Some((uid, name, context))
        })
        .collect();
    if now.is_empty() {
        return;
    }
    visit_refs_mut(model, &mut |site, r| {
        let to = r.target();
        if to.is_none() {
            return;
        }
        let Some((_, name, context)) = now.iter().find(|(uid, ..)| *uid == to) else {
            return;
        };
        let want = match r.split_once('.') {
            Some(_) if site.kinds != CONTEXT && !context.is_empty() => {
                format!("{context}.{name}")
            }
            _ => name.clone(),
        };
        if *r != want {
            r.link(Some(want), to);
        }
    });
}

/// Drops the ids of every reference a sticky holds: a pasted copy is resolved by name where
/// it lands (a policy pasted into another context reacts to that context's event).
pub fn unlink_sticky(sticky: &mut super::access::Sticky) {
    let mut m = Model::new("");
    m.contexts.push(BoundedContext::default());
    let Some(at) = m.insert_sticky_at(0, 0, sticky.clone()) else {
        return;
    };
    visit_refs_mut(&mut m, &mut |_, r| r.unlink());
    if let Some(back) = m.take_sticky(at) {
        *sticky = back;
    }
}

/// Renaming an event, command, value object or enum keeps its exported protobuf name: the
/// first rename pins the old name as the element's contract name, so consumers of the
/// contract see no change (see `crate::export`). A placeholder name (`DoSomething`) is not a
/// contract anyone relies on: naming a new sticky pins nothing.
fn pin_contract(model: &mut Model, id: Loc, old: &str, new_name: &str) {
    if old == new_name || id.kind.is_placeholder(old) {
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

/// What a rename changed: the elements it touched and the ops that undo it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Renamed {
    /// The elements it changed (the renamed one first).
    pub touched: Vec<Loc>,
    /// The ops that undo it.
    pub inverse: Vec<Op>,
    /// Whether it changed the model's own properties (a lookup in a system invariant).
    pub model_props: bool,
}

impl Renamed {
    /// The ops that make the rename (for a peer), read from the renamed `model`: copies of
    /// the touched elements, made only when asked for.
    pub fn ops(&self, model: &Model) -> Vec<Op> {
        let mut ops: Vec<Op> = self
            .touched
            .iter()
            .filter_map(|&o| op::set_current(model, o))
            .collect();
        if self.model_props {
            ops.push(Op::SetModel(Box::new(op::ModelProps::of(model))));
        }
        ops
    }
}

/// Renames element `id` to `new_name` and rewrites every reference that resolved to it, as
/// well as field types naming it (enums, value objects). Qualified references keep their
/// context prefix; a renamed context updates the prefixes and the relations.
///
/// The model is changed in place; only the elements it touched are copied (into the
/// inverse ops), so a rename costs what it changes plus two walks over the references.
pub fn rename(model: &mut Model, id: Loc, new_name: &str) -> Renamed {
    let Some(old) = model.name_of(id).map(str::to_owned) else {
        return Renamed::default();
    };
    if old == new_name {
        return Renamed::default();
    }
    let index = NameIndex::of_name(model, &old);
    let hits_context = |name: &str, kinds: &[Kind]| {
        kinds == CONTEXT && name == old || name.split_once('.').is_some_and(|(c, _)| c == old)
    };
    // Which references point at the element (by their place in the walk), and whose they are.
    // Hits by their part of the model and their place in that part's walk, so the second
    // walk visits only the parts that hold one.
    let mut hits: Vec<(Part, usize, bool)> = Vec::new();
    let mut owners: Vec<Loc> = vec![id];
    let mut at = Counter::default();
    let uid = model.uid_at(id).unwrap_or(Uid::NONE);
    visit_refs(model, &mut |site, r| {
        let (part, ordinal) = at.next(site);
        let name = r.as_str();
        let bare = name.split_once('.').map_or(name, |(_, n)| n);
        // A reference linked to the element is one by id; one whose id is gone (or never
        // was) is one by name.
        let by_id = !uid.is_none() && r.target() == uid;
        let unlinked = || r.target().is_none() || model.locate(r.target()).is_none();
        let hit = if id.kind == Kind::Context {
            by_id || hits_context(name, site.kinds)
        } else {
            by_id
                || bare == old
                    && index.resolve(name, site.kinds, site.from).found() == Some(id)
                    && unlinked()
        };
        if hit {
            hits.push((part, ordinal, site.kinds == CONTEXT));
            if !owners.contains(&site.owner) {
                owners.push(site.owner);
            }
        }
    });
    if matches!(id.kind, Kind::Enum | Kind::Value) {
        for owner in typed_with(model, &old) {
            if !owners.contains(&owner) {
                owners.push(owner);
            }
        }
    }
    // A read model's (an aggregate's) lookups name it in expressions (the model's own
    // invariants too).
    let mut model_props = false;
    let looked_up = matches!(id.kind, Kind::ReadModel | Kind::Aggregate);
    if looked_up {
        for owner in super::lookups::owners_naming(model, id, &old) {
            match owner {
                None => model_props = true,
                Some(o) if !owners.contains(&o) => owners.push(o),
                Some(_) => {}
            }
        }
    }
    let mut inverse: Vec<Op> = owners
        .iter()
        .filter_map(|&o| op::set_current(model, o))
        .collect();
    if model_props {
        inverse.push(Op::SetModel(Box::new(op::ModelProps::of(model))));
    }
    if looked_up {
        super::lookups::rename(model, id, &old, new_name);
    }
    pin_contract(model, id, &old, new_name);
    if let Some(n) = model.name_mut(id) {
        *n = new_name.to_owned();
    }
    let mut at = Counter::default();
    let mut next = hits.iter().peekable();
    let scope = |part: Part| hits.iter().any(|h| h.0 == part);
    visit_refs_mut_in(model, &scope, &mut |site, r| {
        let (part, ordinal) = at.next(site);
        let Some(&(_, _, whole)) = next.next_if(|h| h.0 == part && h.1 == ordinal) else {
            return;
        };
        let (name, to) = if id.kind == Kind::Context && whole {
            (new_name.to_owned(), uid)
        } else if id.kind == Kind::Context {
            // `Context.Event`: the event keeps its id, the prefix follows the context.
            let name = match r.split_once('.') {
                Some((_, rest)) => format!("{new_name}.{rest}"),
                None => r.to_string(),
            };
            (name, r.target())
        } else {
            let name = match r.split_once('.') {
                Some((ctx, _)) => format!("{ctx}.{new_name}"),
                None => new_name.to_owned(),
            };
            (name, uid)
        };
        r.link(Some(name), to);
    });
    if matches!(id.kind, Kind::Enum | Kind::Value) {
        rename_type(model, &old, new_name);
    }
    Renamed {
        touched: owners,
        inverse,
        model_props,
    }
}

/// The elements with a field whose type names `ty` (an enum or value object).
fn typed_with(model: &Model, ty: &str) -> Vec<Loc> {
    use super::ty::Type;
    fn names(t: &Type, ty: &str) -> bool {
        match t {
            Type::Named(n) => n == ty,
            Type::List(inner) | Type::Optional(inner) => names(inner, ty),
            _ => false,
        }
    }
    let mut found = Vec::new();
    for (ci, c) in model.contexts.iter().enumerate() {
        let lists = [
            (
                Kind::Command,
                c.commands.iter().map(|e| &e.fields[..]).collect::<Vec<_>>(),
            ),
            (
                Kind::Event,
                c.events.iter().map(|e| &e.fields[..]).collect(),
            ),
            (
                Kind::Value,
                c.values.iter().map(|e| &e.fields[..]).collect(),
            ),
            (
                Kind::Aggregate,
                c.aggregates.iter().map(|e| &e.state[..]).collect(),
            ),
            (
                Kind::ReadModel,
                c.read_models.iter().map(|e| &e.columns[..]).collect(),
            ),
        ];
        for (kind, fields) in lists {
            for (index, fs) in fields.iter().enumerate() {
                if fs.iter().any(|f| names(&f.ty, ty)) {
                    found.push(Loc {
                        kind,
                        context: Some(ci),
                        index,
                    });
                }
            }
        }
    }
    found
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
    use crate::model::reference::Ref;

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
    #[test]
    fn a_rename_reports_exactly_what_it_changed_and_how_to_undo_it() {
        for text in [
            include_str!("../../models/autoservice.ron"),
            include_str!("../../models/accounts.ron"),
        ] {
            let before = crate::model::file::from_str(text, "m.ron").unwrap();
            let targets: Vec<Loc> = before
                .elements()
                .iter()
                .filter(|e| {
                    matches!(
                        e.loc.kind,
                        Kind::Context | Kind::Event | Kind::Command | Kind::Aggregate | Kind::Enum
                    )
                })
                .map(|e| e.loc)
                .collect();
            for loc in targets {
                let mut after = before.clone();
                let renamed = rename(&mut after, loc, "Renamed");
                let ops = renamed.ops(&after);
                assert!(!ops.is_empty(), "{loc:?}");
                // The ops turn the old model into the new one; their inverses turn it back.
                let mut replayed = before.clone();
                op::apply_all(&mut replayed, ops).unwrap();
                assert_eq!(replayed, after, "{loc:?}");
                op::apply_all(&mut after, renamed.inverse).unwrap();
                assert_eq!(after, before, "{loc:?}");
            }
        }
    }

    fn accounts() -> Model {
        crate::model::file::from_str(include_str!("../../models/accounts.ron"), "m.ron").unwrap()
    }

    fn event_named(m: &Model, name: &str) -> Loc {
        m.elements()
            .iter()
            .find(|e| e.loc.kind == Kind::Event && e.name == name)
            .map(|e| e.loc)
            .unwrap()
    }

    #[test]
    fn loaded_references_hold_the_id_of_the_element_their_name_resolves_to() {
        let m = accounts();
        let index = NameIndex::new(&m);
        let mut linked = 0;
        visit_refs(&m, &mut |site, r| {
            let by_name = if site.kinds == CONTEXT {
                index
                    .context(r)
                    .and_then(|i| m.contexts.get(i))
                    .map(|c| c.uid)
            } else {
                index
                    .resolve(r, site.kinds, site.from)
                    .found()
                    .and_then(|l| m.uid_at(l))
            };
            assert_eq!(by_name.unwrap_or(Uid::NONE), r.target(), "{r:?}");
            linked += usize::from(!r.target().is_none());
        });
        assert!(linked > 50, "{linked}");
    }

    #[test]
    fn a_reference_made_against_an_old_name_still_points_at_the_renamed_element() {
        // A peer (or an undo step) adds a policy reacting to `AccountCreated`, made before
        // this side renamed that event: the policy reacts to the renamed event.
        let mut m = accounts();
        let created = event_named(&m, "AccountCreated");
        let uid = m.uid_at(created).unwrap();
        let context = m.contexts[created.context.unwrap()].uid;
        let mut policy = Sticky::new_of(Kind::Policy, "Welcome", Pos::default()).unwrap();
        if let Sticky::Policy(p) = &mut policy {
            p.on = Ref::linked("AccountCreated", uid);
        }
        let made_before = Op::InsertSticky {
            context,
            index: 0,
            sticky: Box::new(policy),
        };
        rename(&mut m, created, "AccountOpened");
        made_before.apply(&mut m).unwrap();
        let c = &m.contexts[created.context.unwrap()];
        assert_eq!(c.policies[0].name, "Welcome");
        assert_eq!(c.policies[0].on, "AccountOpened");
        assert_eq!(c.policies[0].on.target(), uid);
    }

    #[test]
    fn a_rename_arriving_as_one_op_renames_every_reference_linked_to_the_element() {
        // A peer's rename may reach us as the renamed sticky alone: every reference linked
        // to it follows, wherever it is (policies, appliers, read models, scenarios).
        let mut m = accounts();
        let created = event_named(&m, "AccountCreated");
        let mut sticky = m.sticky(created).unwrap();
        *sticky.name_mut() = "AccountOpened".into();
        let uid = sticky.uid();
        Op::SetSticky {
            uid,
            sticky: Box::new(sticky),
        }
        .apply(&mut m)
        .unwrap();
        let mut old = 0;
        let mut new = 0;
        visit_refs(&m, &mut |_, r| {
            old += usize::from(r.ends_with("AccountCreated"));
            new += usize::from(r.ends_with("AccountOpened") && r.target() == uid);
        });
        assert_eq!(old, 0);
        assert!(new >= 3, "{new}");
    }

    #[test]
    fn a_pasted_copy_is_resolved_by_name_where_it_lands() {
        let m = accounts();
        let policy = m
            .elements()
            .iter()
            .find(|e| e.loc.kind == Kind::Policy)
            .map(|e| e.loc)
            .unwrap();
        let mut copy = m.sticky(policy).unwrap();
        let Sticky::Policy(p) = &copy else { panic!() };
        assert!(!p.on.target().is_none());
        copy.renew_ids();
        let Sticky::Policy(p) = &copy else { panic!() };
        assert!(p.on.target().is_none() && p.then.target().is_none());
        assert!(!p.on.is_empty());
    }

    #[test]
    fn naming_a_new_sticky_pins_no_contract_and_renaming_a_named_one_does() {
        use crate::model::access::Sticky;
        use crate::model::layout::Pos;
        let mut m = Model::new("t");
        for name in ["PlaceOrder", "CancelOrder"] {
            // Each new command is `DoSomething` again once the previous one is named.
            let loc = m
                .insert_sticky(
                    0,
                    Sticky::new_of(Kind::Command, "DoSomething", Pos::default()).unwrap(),
                )
                .unwrap();
            rename(&mut m, loc, name);
        }
        let commands = &m.contexts[0].commands;
        assert!(
            commands.iter().all(|c| c.contract.is_empty()),
            "{commands:#?}"
        );
        let first = Loc {
            kind: Kind::Command,
            context: Some(0),
            index: 0,
        };
        rename(&mut m, first, "SubmitOrder");
        assert_eq!(m.contexts[0].commands[0].contract, "PlaceOrder");
    }
}
