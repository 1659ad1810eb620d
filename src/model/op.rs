//! Operations: every change to a model as plain data addressed by ids, with its inverse.
//!
//! An [`Op`] names what it changes by [`Uid`], never by position, so it means the same thing
//! after other edits (and, later, on another person's copy of the board). Applying an op
//! returns its inverse; undo applies inverses. An op holds only what it changes (a position,
//! one sticky, one context's own properties), so an undo step is as large as its change.
//! [`diff`] finds the ops that turn one model into another, for edits that are easier to
//! write as a change to a copy (a rename that rewrites references, linking two stickies).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::access::Sticky;
use super::context::BoundedContext;
use super::document::Model;
use super::element::{Kind, Loc};
use super::field::Reserved;
use super::layout::{Pos, Rect};
use super::refs;
use super::relation::Relation;
use super::scenario::Scenario;
use super::uid::Uid;

/// A bounded context's own properties: everything but the elements inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContextProps {
    /// Name.
    pub name: String,
    /// Description.
    pub doc: String,
    /// Proto package segment.
    pub package: String,
    /// Owning team.
    pub team: String,
    /// Frame on the board.
    pub frame: Rect,
    /// Retired envelope numbers and names.
    pub retired: Vec<Reserved>,
    /// Invariants of the system this context answers for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
}

impl ContextProps {
    /// The properties of `c`.
    pub fn of(c: &BoundedContext) -> Self {
        Self {
            name: c.name.clone(),
            doc: c.doc.clone(),
            package: c.package.clone(),
            team: c.team.clone(),
            frame: c.frame,
            retired: c.retired.clone(),
            invariants: c.invariants.clone(),
        }
    }

    /// Puts these properties on `c`; returns the ones it had.
    pub fn put(self, c: &mut BoundedContext) -> Self {
        Self {
            name: std::mem::replace(&mut c.name, self.name),
            doc: std::mem::replace(&mut c.doc, self.doc),
            package: std::mem::replace(&mut c.package, self.package),
            team: std::mem::replace(&mut c.team, self.team),
            frame: std::mem::replace(&mut c.frame, self.frame),
            retired: std::mem::replace(&mut c.retired, self.retired),
            invariants: std::mem::replace(&mut c.invariants, self.invariants),
        }
    }

    fn same_as(&self, c: &BoundedContext) -> bool {
        self.name == c.name
            && self.doc == c.doc
            && self.package == c.package
            && self.team == c.team
            && self.frame == c.frame
            && self.retired == c.retired
            && self.invariants == c.invariants
    }
}

/// The model's own properties: name, description, proto organisation and version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelProps {
    /// Model name.
    pub name: String,
    /// Description.
    pub doc: String,
    /// Proto organisation segment.
    pub org: String,
    /// Major contract version.
    pub version: u32,
    /// Labels written on arrows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<super::arrow_label::ArrowLabel>,
    /// Invariants of the whole system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
}

impl ModelProps {
    /// The properties of `m`.
    pub fn of(m: &Model) -> Self {
        Self {
            name: m.name.clone(),
            doc: m.doc.clone(),
            org: m.org.clone(),
            version: m.version,
            labels: m.labels.clone(),
            invariants: m.invariants.clone(),
        }
    }
}

/// One reversible change to a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Set the model's own properties.
    SetModel(Box<ModelProps>),
    /// Put a context (with everything in it) at `index` of the context list.
    InsertContext {
        /// Place in the list.
        index: usize,
        /// The context.
        context: Box<BoundedContext>,
    },
    /// Remove a context and everything in it.
    RemoveContext {
        /// The context.
        uid: Uid,
    },
    /// Set a context's own properties.
    SetContext {
        /// The context.
        uid: Uid,
        /// Its new properties.
        props: Box<ContextProps>,
    },
    /// Put a sticky at `index` of its kind's list in a context.
    InsertSticky {
        /// The context.
        context: Uid,
        /// Place in the list of its kind.
        index: usize,
        /// The sticky.
        sticky: Box<Sticky>,
    },
    /// Remove a sticky.
    RemoveSticky {
        /// The sticky.
        uid: Uid,
    },
    /// Replace a sticky's value (same id, same kind).
    SetSticky {
        /// The sticky.
        uid: Uid,
        /// Its new value.
        sticky: Box<Sticky>,
    },
    /// Move a sticky.
    SetPos {
        /// The sticky.
        uid: Uid,
        /// Its new position.
        at: Pos,
    },
    /// Put a relation at `index` of the context map.
    InsertRelation {
        /// Place in the list.
        index: usize,
        /// The relation.
        relation: Box<Relation>,
    },
    /// Remove a relation.
    RemoveRelation {
        /// The relation.
        uid: Uid,
    },
    /// Replace a relation's value.
    SetRelation {
        /// The relation.
        uid: Uid,
        /// Its new value.
        relation: Box<Relation>,
    },
    /// Put a scenario at `index` of the scenario list.
    InsertScenario {
        /// Place in the list.
        index: usize,
        /// The scenario.
        scenario: Box<Scenario>,
    },
    /// Remove a scenario.
    RemoveScenario {
        /// The scenario.
        uid: Uid,
    },
    /// Replace a scenario's value.
    SetScenario {
        /// The scenario.
        uid: Uid,
        /// Its new value.
        scenario: Box<Scenario>,
    },
}

/// Why an op could not be applied; the model is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The element it addresses does not exist (any more).
    #[error("that element no longer exists ({0})")]
    Missing(Uid),
    /// An element with the id of the one to insert exists already.
    #[error("an element with id {0} exists already")]
    Exists(Uid),
    /// The element exists but is of another kind than the op expects.
    #[error("element {0} is not of the kind this change is for")]
    WrongKind(Uid),
}

impl Op {
    /// The id of the element this op changes (None for the model's own properties).
    pub fn target(&self) -> Option<Uid> {
        match self {
            Op::SetModel(_) => None,
            Op::InsertContext { context, .. } => Some(context.uid),
            Op::InsertSticky { sticky, .. } => Some(sticky.uid()),
            Op::InsertRelation { relation, .. } => Some(relation.uid),
            Op::InsertScenario { scenario, .. } => Some(scenario.uid),
            Op::RemoveContext { uid }
            | Op::SetContext { uid, .. }
            | Op::RemoveSticky { uid }
            | Op::SetSticky { uid, .. }
            | Op::SetPos { uid, .. }
            | Op::RemoveRelation { uid }
            | Op::SetRelation { uid, .. }
            | Op::RemoveScenario { uid }
            | Op::SetScenario { uid, .. } => Some(*uid),
        }
    }

    /// True for ops that set a property to a value (applying the first of a run of them on
    /// one element restores what the whole run changed).
    pub fn is_set(&self) -> bool {
        matches!(
            self,
            Op::SetModel(_)
                | Op::SetContext { .. }
                | Op::SetSticky { .. }
                | Op::SetPos { .. }
                | Op::SetRelation { .. }
                | Op::SetScenario { .. }
        )
    }

    /// Applies this op to `model` and returns its inverse. A refused op changes nothing.
    /// References are linked afterwards, as by [`apply_all`].
    pub fn apply(self, model: &mut Model) -> Result<Op, OpError> {
        let uid = self.target();
        apply_all(model, vec![self])?
            .pop()
            .ok_or(OpError::Missing(uid.unwrap_or(Uid::NONE)))
    }

    /// The element whose value this op puts in place (its references are linked after it).
    fn puts(&self) -> Option<Uid> {
        match self {
            Op::InsertContext { context, .. } => Some(context.uid),
            Op::InsertSticky { sticky, .. } => Some(sticky.uid()),
            Op::InsertRelation { relation, .. } => Some(relation.uid),
            Op::InsertScenario { scenario, .. } => Some(scenario.uid),
            Op::SetSticky { uid, .. }
            | Op::SetRelation { uid, .. }
            | Op::SetScenario { uid, .. }
            | Op::SetContext { uid, .. } => Some(*uid),
            _ => None,
        }
    }

    fn apply_unlinked(self, model: &mut Model) -> Result<Op, OpError> {
        match self {
            Op::SetModel(props) => {
                let old = ModelProps::of(model);
                let p = *props;
                model.name = p.name;
                model.doc = p.doc;
                model.org = p.org;
                model.version = p.version;
                model.labels = p.labels;
                model.invariants = p.invariants;
                Ok(Op::SetModel(Box::new(old)))
            }
            Op::InsertContext { index, context } => {
                fresh(model, context.uid)?;
                let uid = context.uid;
                let index = index.min(model.contexts.len());
                model.contexts.insert(index, *context);
                Ok(Op::RemoveContext { uid })
            }
            Op::RemoveContext { uid } => {
                let index = context_index(model, uid)?;
                let context = Box::new(model.contexts.remove(index));
                Ok(Op::InsertContext { index, context })
            }
            Op::SetContext { uid, props } => {
                let index = context_index(model, uid)?;
                let old = props.put(&mut model.contexts[index]);
                Ok(Op::SetContext {
                    uid,
                    props: Box::new(old),
                })
            }
            Op::InsertSticky {
                context,
                index,
                sticky,
            } => {
                let uid = sticky.uid();
                fresh(model, uid)?;
                let ci = context_index(model, context)?;
                model.insert_sticky_at(ci, index, *sticky);
                Ok(Op::RemoveSticky { uid })
            }
            Op::RemoveSticky { uid } => {
                let loc = sticky_loc(model, uid)?;
                let context = model.contexts[loc.context.unwrap_or_default()].uid;
                let sticky = model.take_sticky(loc).ok_or(OpError::Missing(uid))?;
                Ok(Op::InsertSticky {
                    context,
                    index: loc.index,
                    sticky: Box::new(sticky),
                })
            }
            Op::SetSticky { uid, mut sticky } => {
                let loc = sticky_loc(model, uid)?;
                if loc.kind != sticky.kind() {
                    return Err(OpError::WrongKind(uid));
                }
                sticky.set_uid(uid);
                let old = model.sticky(loc).ok_or(OpError::Missing(uid))?;
                model.set_sticky(loc, *sticky);
                Ok(Op::SetSticky {
                    uid,
                    sticky: Box::new(old),
                })
            }
            Op::SetPos { uid, at } => {
                let loc = sticky_loc(model, uid)?;
                let p = model.pos_mut(loc).ok_or(OpError::WrongKind(uid))?;
                let old = std::mem::replace(p, at);
                Ok(Op::SetPos { uid, at: old })
            }
            Op::InsertRelation { index, relation } => {
                fresh(model, relation.uid)?;
                let uid = list_insert(&mut model.relations, index, *relation);
                Ok(Op::RemoveRelation { uid })
            }
            Op::RemoveRelation { uid } => {
                let (index, relation) = list_remove(&mut model.relations, uid)?;
                Ok(Op::InsertRelation { index, relation })
            }
            Op::SetRelation { uid, relation } => {
                let relation = list_set(&mut model.relations, uid, *relation)?;
                Ok(Op::SetRelation { uid, relation })
            }
            Op::InsertScenario { index, scenario } => {
                fresh(model, scenario.uid)?;
                let uid = list_insert(&mut model.scenarios, index, *scenario);
                Ok(Op::RemoveScenario { uid })
            }
            Op::RemoveScenario { uid } => {
                let (index, scenario) = list_remove(&mut model.scenarios, uid)?;
                Ok(Op::InsertScenario { index, scenario })
            }
            Op::SetScenario { uid, scenario } => {
                let scenario = list_set(&mut model.scenarios, uid, *scenario)?;
                Ok(Op::SetScenario { uid, scenario })
            }
        }
    }
}

/// A top-level list item with an id (relations, scenarios).
trait Identified {
    fn uid(&self) -> Uid;
    fn set_uid(&mut self, uid: Uid);
}

impl Identified for Relation {
    fn uid(&self) -> Uid {
        self.uid
    }
    fn set_uid(&mut self, uid: Uid) {
        self.uid = uid;
    }
}

impl Identified for Scenario {
    fn uid(&self) -> Uid {
        self.uid
    }
    fn set_uid(&mut self, uid: Uid) {
        self.uid = uid;
    }
}

/// Puts `item` at `index` (past the end: appended); returns its id.
fn list_insert<T: Identified>(list: &mut Vec<T>, index: usize, item: T) -> Uid {
    let uid = item.uid();
    list.insert(index.min(list.len()), item);
    uid
}

/// Takes the item with id `uid` out; returns where it was and the item.
fn list_remove<T: Identified>(list: &mut Vec<T>, uid: Uid) -> Result<(usize, Box<T>), OpError> {
    let index = list
        .iter()
        .position(|x| x.uid() == uid)
        .ok_or(OpError::Missing(uid))?;
    Ok((index, Box::new(list.remove(index))))
}

/// Replaces the item with id `uid` by `item` (which keeps that id); returns the old one.
fn list_set<T: Identified>(list: &mut [T], uid: Uid, mut item: T) -> Result<Box<T>, OpError> {
    let slot = list
        .iter_mut()
        .find(|x| x.uid() == uid)
        .ok_or(OpError::Missing(uid))?;
    item.set_uid(uid);
    Ok(Box::new(std::mem::replace(slot, item)))
}

/// Applies `ops` in order; returns their inverses in the order to apply them (last op's
/// first). If one is refused, the ones before it are undone and the model is as it was.
pub fn apply_all(model: &mut Model, ops: Vec<Op>) -> Result<Vec<Op>, OpError> {
    let mut inverses = Vec::with_capacity(ops.len());
    let mut put = Vec::new();
    let mut renamed = Vec::new();
    for op in ops {
        let target = op.puts();
        let name_before = target
            .and_then(|u| model.locate(u))
            .and_then(|l| model.name_of(l))
            .map(str::to_owned);
        match op.apply_unlinked(model) {
            Ok(inv) => inverses.push(inv),
            Err(e) => {
                for inv in inverses.into_iter().rev() {
                    // Inverses of ops just applied always apply.
                    let _ = inv.apply_unlinked(model);
                }
                return Err(e);
            }
        }
        if let Some(uid) = target {
            put.push(uid);
            let name_now = model.locate(uid).and_then(|l| model.name_of(l));
            if name_before.is_some() && name_before.as_deref() != name_now {
                renamed.push(uid);
            }
        }
    }
    link_after(model, &put, &renamed);
    inverses.reverse();
    Ok(inverses)
}

/// Links the references of what a batch of ops put in place, and every reference to an
/// element the batch renamed (by its id: wherever it is, it takes the new name). A renamed
/// context relinks every reference (`Context.Name` prefixes).
fn link_after(model: &mut Model, put: &[Uid], renamed: &[Uid]) {
    if put.is_empty() {
        return;
    }
    let locs: Vec<Loc> = put.iter().filter_map(|&u| model.locate(u)).collect();
    let contexts: Vec<usize> = locs
        .iter()
        .filter(|l| l.kind == Kind::Context)
        .map(|l| l.index)
        .collect();
    let context_renamed = renamed
        .iter()
        .any(|&u| model.locate(u).is_some_and(|l| l.kind == Kind::Context));
    if context_renamed {
        refs::link(model, &|_| true, &|_, _| true);
        return;
    }
    // Only the parts holding what was put are walked to link it.
    let scope = |part: refs::Part| match part {
        refs::Part::Context(c) => locs
            .iter()
            .any(|l| l.context == Some(c) || l.kind == Kind::Context && l.index == c),
        refs::Part::Relations => locs.iter().any(|l| l.kind == Kind::Relation),
        refs::Part::Scenarios => locs.iter().any(|l| l.kind == Kind::Scenario),
    };
    refs::link(model, &scope, &|site, _| {
        locs.contains(&site.owner) || site.owner.context.is_some_and(|c| contexts.contains(&c))
    });
    // What was renamed may be referred to from anywhere.
    refs::follow_renames(model, renamed);
}

fn fresh(model: &Model, uid: Uid) -> Result<(), OpError> {
    if model.locate(uid).is_some() {
        Err(OpError::Exists(uid))
    } else {
        Ok(())
    }
}

fn context_index(model: &Model, uid: Uid) -> Result<usize, OpError> {
    position(&model.contexts, |c| c.uid, uid)
}

fn position<T>(list: &[T], id: impl Fn(&T) -> Uid, uid: Uid) -> Result<usize, OpError> {
    list.iter()
        .position(|x| id(x) == uid)
        .ok_or(OpError::Missing(uid))
}

fn sticky_loc(model: &Model, uid: Uid) -> Result<Loc, OpError> {
    let loc = model.locate(uid).ok_or(OpError::Missing(uid))?;
    if loc.context.is_none() {
        return Err(OpError::WrongKind(uid));
    }
    Ok(loc)
}

/// How a list of ids changed: what left, what came (with its place in the new list), what
/// stayed. When the ones that stayed changed order, everything leaves and comes back.
struct ListChange {
    removed: Vec<Uid>,
    inserted: Vec<(usize, Uid)>,
    kept: Vec<Uid>,
}

fn list_change(before: &[Uid], after: &[Uid]) -> ListChange {
    let after_set: std::collections::HashSet<Uid> = after.iter().copied().collect();
    let before_set: std::collections::HashSet<Uid> = before.iter().copied().collect();
    let kept_before: Vec<Uid> = before
        .iter()
        .copied()
        .filter(|u| after_set.contains(u))
        .collect();
    let kept_after: Vec<Uid> = after
        .iter()
        .copied()
        .filter(|u| before_set.contains(u))
        .collect();
    if kept_before != kept_after {
        return ListChange {
            removed: before.to_vec(),
            inserted: after.iter().copied().enumerate().collect(),
            kept: vec![],
        };
    }
    ListChange {
        removed: before
            .iter()
            .copied()
            .filter(|u| !after_set.contains(u))
            .collect(),
        inserted: after
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, u)| !before_set.contains(u))
            .collect(),
        kept: kept_before,
    }
}

/// Where every element of `model` is, by id.
fn places(model: &Model) -> HashMap<Uid, Loc> {
    model.elements().iter().map(|e| (e.uid, e.loc)).collect()
}

/// The stickies of context `ci`, by kind, in file order: (kind, ids).
fn sticky_lists(model: &Model, ci: usize) -> Vec<(Kind, Vec<Uid>)> {
    let mut lists: Vec<(Kind, Vec<Uid>)> = Vec::new();
    for e in model.elements() {
        if e.loc.context != Some(ci) {
            continue;
        }
        match lists.last_mut() {
            Some((k, ids)) if *k == e.loc.kind => ids.push(e.uid),
            _ => lists.push((e.loc.kind, vec![e.uid])),
        }
    }
    lists
}

/// The op that sets the element at `loc` to what it is now (a sticky, relation, scenario or
/// a context's own properties): taken before and after an in-place change, the pair is the
/// change and its inverse.
pub fn set_current(model: &Model, loc: Loc) -> Option<Op> {
    Some(match loc.kind {
        Kind::Context => {
            let c = model.contexts.get(loc.index)?;
            Op::SetContext {
                uid: c.uid,
                props: Box::new(ContextProps::of(c)),
            }
        }
        Kind::Relation => {
            let r = model.relations.get(loc.index)?;
            Op::SetRelation {
                uid: r.uid,
                relation: Box::new(r.clone()),
            }
        }
        Kind::Scenario => {
            let sc = model.scenarios.get(loc.index)?;
            Op::SetScenario {
                uid: sc.uid,
                scenario: Box::new(sc.clone()),
            }
        }
        _ => {
            let sticky = model.sticky(loc)?;
            Op::SetSticky {
                uid: sticky.uid(),
                sticky: Box::new(sticky),
            }
        }
    })
}

/// The ops that turn `before` into `after`, element by element: removals first, then
/// changes, then insertions (so an element moved to another context leaves before it comes).
/// Applying them to `before` gives a model equal to `after`, provided every element of both
/// has an id.
pub fn diff(before: &Model, after: &Model) -> Vec<Op> {
    let (before_at, after_at) = (places(before), places(after));
    let mut removes = Vec::new();
    let mut sets = Vec::new();
    let mut inserts = Vec::new();
    if ModelProps::of(before) != ModelProps::of(after) {
        sets.push(Op::SetModel(Box::new(ModelProps::of(after))));
    }
    let ids = |m: &Model| m.contexts.iter().map(|c| c.uid).collect::<Vec<_>>();
    let contexts = list_change(&ids(before), &ids(after));
    for uid in contexts.removed {
        removes.push(Op::RemoveContext { uid });
    }
    for (index, uid) in contexts.inserted {
        if let Some(c) = after.contexts.iter().find(|c| c.uid == uid) {
            inserts.push(Op::InsertContext {
                index,
                context: Box::new(c.clone()),
            });
        }
    }
    for uid in contexts.kept {
        let (Some(bi), Some(ai)) = (
            before.contexts.iter().position(|c| c.uid == uid),
            after.contexts.iter().position(|c| c.uid == uid),
        ) else {
            continue;
        };
        let (b, a) = (&before.contexts[bi], &after.contexts[ai]);
        if !ContextProps::of(a).same_as(b) {
            sets.push(Op::SetContext {
                uid,
                props: Box::new(ContextProps::of(a)),
            });
        }
        let (bl, al) = (sticky_lists(before, bi), sticky_lists(after, ai));
        let sticky = |m: &Model, at: &HashMap<Uid, Loc>, u: Uid| m.sticky(*at.get(&u)?);
        for kind in Kind::IN_CONTEXT {
            let of = |l: &[(Kind, Vec<Uid>)]| {
                l.iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, ids)| ids.clone())
                    .unwrap_or_default()
            };
            let change = list_change(&of(&bl), &of(&al));
            for u in change.removed {
                removes.push(Op::RemoveSticky { uid: u });
            }
            for (index, u) in change.inserted {
                if let Some(s) = sticky(after, &after_at, u) {
                    inserts.push(Op::InsertSticky {
                        context: uid,
                        index,
                        sticky: Box::new(s),
                    });
                }
            }
            for u in change.kept {
                let (Some(&bl), Some(&al)) = (before_at.get(&u), after_at.get(&u)) else {
                    continue;
                };
                if !before.same_sticky(bl, after, al)
                    && let Some(s) = after.sticky(al)
                {
                    sets.push(Op::SetSticky {
                        uid: u,
                        sticky: Box::new(s),
                    });
                }
            }
        }
    }
    macro_rules! top_list {
        ($list:ident, $insert:ident, $remove:ident, $set:ident, $field:ident) => {
            let ids = |m: &Model| m.$list.iter().map(|x| x.uid).collect::<Vec<_>>();
            let change = list_change(&ids(before), &ids(after));
            for uid in change.removed {
                removes.push(Op::$remove { uid });
            }
            for (index, uid) in change.inserted {
                if let Some(x) = after.$list.iter().find(|x| x.uid == uid) {
                    inserts.push(Op::$insert {
                        index,
                        $field: Box::new(x.clone()),
                    });
                }
            }
            for uid in change.kept {
                let b = before.$list.iter().find(|x| x.uid == uid);
                let a = after.$list.iter().find(|x| x.uid == uid);
                if let (Some(b), Some(a)) = (b, a)
                    && b != a
                {
                    sets.push(Op::$set {
                        uid,
                        $field: Box::new(a.clone()),
                    });
                }
            }
        };
    }
    top_list!(
        relations,
        InsertRelation,
        RemoveRelation,
        SetRelation,
        relation
    );
    top_list!(
        scenarios,
        InsertScenario,
        RemoveScenario,
        SetScenario,
        scenario
    );
    removes.extend(sets);
    removes.extend(inserts);
    removes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::file::from_str;

    fn examples() -> Vec<Model> {
        [
            include_str!("../../models/accounts.ron"),
            include_str!("../../models/autoservice.ron"),
            include_str!("../../models/conference.ron"),
            include_str!("../../models/devportal.ron"),
        ]
        .iter()
        .map(|t| from_str(t, "m.ron").unwrap())
        .collect()
    }

    /// A handful of edits of every shape: a rename that rewrites references, a delete, a
    /// sticky moved to another context, a scenario added, a relation changed, a new context.
    fn edited(before: &Model) -> Model {
        let mut m = before.clone();
        m.name.push_str(" (edited)");
        let first_event = Loc {
            kind: Kind::Event,
            context: Some(0),
            index: 0,
        };
        refs::rename(&mut m, first_event, "SomethingRenamed");
        m.remove_elements(&[Loc {
            kind: Kind::Command,
            context: Some(0),
            index: 1,
        }]);
        if m.contexts.len() > 1
            && let Some(s) = m.take_sticky(Loc {
                kind: Kind::Actor,
                context: Some(0),
                index: 0,
            })
        {
            m.insert_sticky_at(1, 0, s);
        }
        if let Some(s) = m.scenarios.first().cloned() {
            let mut copy = s;
            copy.uid = Uid::fresh();
            copy.name.push_str(" again");
            m.scenarios.insert(0, copy);
        }
        if let Some(r) = m.relations.first_mut() {
            r.doc = "changed".into();
        }
        m.contexts.push(BoundedContext {
            uid: Uid::fresh(),
            name: "Extra".into(),
            ..Default::default()
        });
        m.contexts[0].frame.w += 10.0;
        m
    }

    #[test]
    fn the_diff_of_two_models_turns_one_into_the_other_and_its_inverses_back() {
        for before in examples() {
            let after = edited(&before);
            let ops = diff(&before, &after);
            assert!(!ops.is_empty());
            let mut m = before.clone();
            let inverses = apply_all(&mut m, ops.clone()).unwrap();
            assert_eq!(m, after, "{}", before.name);
            apply_all(&mut m, inverses).unwrap();
            assert_eq!(m, before, "{}", before.name);
            // Ops are plain data: they survive a trip through text. The text names
            // references (as the file does): applied, they give the same file.
            let text = ron::to_string(&ops).unwrap();
            let back: Vec<Op> = ron::from_str(&text).unwrap();
            assert_eq!(ron::to_string(&back).unwrap(), text);
            let mut m = before.clone();
            apply_all(&mut m, back).unwrap();
            assert_eq!(
                ron::to_string(&m).unwrap(),
                ron::to_string(&after).unwrap(),
                "{}",
                before.name
            );
            assert!(diff(&after, &after).is_empty());
        }
    }

    #[test]
    fn a_refused_op_changes_nothing_and_later_edits_do_not_redirect_an_op() {
        let mut m = examples().remove(1);
        let before = m.clone();
        let existing = m.contexts[0].events[0].clone();
        let ops = vec![
            Op::SetPos {
                uid: existing.uid,
                at: Pos::new(1.0, 2.0),
            },
            Op::InsertSticky {
                context: m.contexts[0].uid,
                index: 0,
                sticky: Box::new(Sticky::Event(existing)),
            },
        ];
        assert!(matches!(apply_all(&mut m, ops), Err(OpError::Exists(_))));
        assert_eq!(m, before, "the first op was rolled back");
        // An op addressed to the third event still reaches it after the first is removed.
        let third = m.contexts[0].events[2].uid;
        Op::RemoveSticky {
            uid: m.contexts[0].events[0].uid,
        }
        .apply(&mut m)
        .unwrap();
        Op::SetPos {
            uid: third,
            at: Pos::new(5.0, 5.0),
        }
        .apply(&mut m)
        .unwrap();
        assert_eq!(m.contexts[0].events[1].uid, third);
        assert_eq!(m.contexts[0].events[1].at, Pos::new(5.0, 5.0));
    }
}
