//! [`SharedDoc`]: the board held in a Loro document while a team edits it together.
//!
//! Layout of the document (every id is the element's [`Uid`] in hex):
//!
//! | root | type | holds |
//! |---|---|---|
//! | `model` | map | the model's own properties |
//! | `contexts` / `context` | movable list / map | context ids in order / id → its properties |
//! | `stickies` / `sticky` | movable list / map | every sticky id in order / id → `@kind`, `@ctx` and its properties |
//! | `relations` / `relation` | movable list / map | as for contexts |
//! | `scenarios` / `scenario` | movable list / map | as for contexts |
//!
//! Each element is a map of its top-level properties (`name`, `at`, `fields`, `handlers`…),
//! each value the property's JSON text, references written with their target's id
//! ([`crate::model::reference::with_ids`]). So two people editing different properties of a
//! sticky — or different stickies — never conflict; the same property edited by two ends as
//! one of them (Loro's last-writer-wins, the same on every peer); a sticky deleted while
//! another person edits it stays deleted everywhere; a reference made while its target is
//! renamed still points at it (the id wins).
//!
//! The [`Model`] the checks, the simulation and the export read is derived from the document
//! ([`SharedDoc::model`]); local edits are written into it element by element
//! ([`SharedDoc::record`]), one Loro commit per batch.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use loro::{
    ExportMode, LoroDoc, LoroMap, LoroMovableList, LoroValue, UndoManager, ValueOrContainer,
    VersionVector,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{keyed, packed};
use crate::model::context::BoundedContext;
use crate::model::op::{ContextProps, ModelProps, Op};
use crate::model::reference::with_ids;
use crate::model::{Kind, Loc, Model, Sticky, Uid};

/// Why a document could not be read, written or merged.
#[derive(Debug, thiserror::Error)]
pub enum CollabError {
    /// The Loro engine refused an operation or an update.
    #[error("the shared board refused it: {0}")]
    Loro(String),
    /// An element in the document is not a valid element (a peer wrote something broken).
    #[error("{what} {id} in the shared board is not valid: {why}")]
    Invalid {
        /// What kind of element.
        what: &'static str,
        /// Its id.
        id: String,
        /// What is wrong with it.
        why: String,
    },
}

impl From<loro::LoroError> for CollabError {
    fn from(e: loro::LoroError) -> Self {
        CollabError::Loro(e.to_string())
    }
}

/// A peer id for a person joining a board: random, so that no two people editing one board
/// need to agree on theirs (a clash among a handful of people is a 1-in-2^64 event).
pub fn random_peer() -> u64 {
    // Uid::fresh is random and never zero; Loro reserves u64::MAX.
    Uid::fresh().bits().min(u64::MAX - 1)
}

/// The roots of one kind of listed element: its order and its properties by id.
#[derive(Clone, Copy)]
struct Roots {
    order: &'static str,
    items: &'static str,
    what: &'static str,
}

const CONTEXTS: Roots = Roots {
    order: "contexts",
    items: "context",
    what: "context",
};
const STICKIES: Roots = Roots {
    order: "stickies",
    items: "sticky",
    what: "sticky",
};
const RELATIONS: Roots = Roots {
    order: "relations",
    items: "relation",
    what: "relation",
};
const SCENARIOS: Roots = Roots {
    order: "scenarios",
    items: "scenario",
    what: "scenario",
};
/// The model's own properties.
const MODEL: &str = "model";
/// A sticky's kind (the `Sticky` variant).
const KIND: &str = "@kind";
/// The id of a sticky's context.
const CTX: &str = "@ctx";
/// Marks a deleted element (kept for the name references to it still show).
const DELETED: &str = "@deleted";
/// An element's own id property: held by the key of its map, not inside it.
const OWN_ID: &str = "uid";

/// What one op touched, to be written into the document from the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Touch {
    Model,
    Context(Uid),
    Sticky(Uid),
    Relation(Uid),
    Scenario(Uid),
}

fn touch(op: &Op) -> Touch {
    match op {
        Op::SetModel(_) => Touch::Model,
        Op::InsertContext { context, .. } => Touch::Context(context.uid),
        Op::RemoveContext { uid } | Op::SetContext { uid, .. } => Touch::Context(*uid),
        Op::InsertSticky { sticky, .. } => Touch::Sticky(sticky.uid()),
        Op::RemoveSticky { uid } | Op::SetSticky { uid, .. } | Op::SetPos { uid, .. } => {
            Touch::Sticky(*uid)
        }
        Op::InsertRelation { relation, .. } => Touch::Relation(relation.uid),
        Op::RemoveRelation { uid } | Op::SetRelation { uid, .. } => Touch::Relation(*uid),
        Op::InsertScenario { scenario, .. } => Touch::Scenario(scenario.uid),
        Op::RemoveScenario { uid } | Op::SetScenario { uid, .. } => Touch::Scenario(*uid),
    }
}

/// The board as a Loro document, with the undo history of the person editing it here.
pub struct SharedDoc {
    doc: LoroDoc,
    /// Undoes this peer's own changes only, never a colleague's.
    undo: UndoManager,
    /// The model, re-read where the document changed.
    derived: std::cell::RefCell<super::derive::Derived>,
}

impl SharedDoc {
    /// A document holding `model`, edited here as `peer` (a number unique among the people
    /// editing the board: [`random_peer`]).
    pub fn new(model: &Model, peer: u64) -> Result<Self, CollabError> {
        let doc = LoroDoc::new();
        doc.set_peer_id(peer)?;
        let shared = Self::around(doc);
        shared.write_all(model)?;
        shared.doc.commit();
        // Sharing the board is not a step anyone can undo.
        shared.undo.clear();
        Ok(shared)
    }

    /// A document from a snapshot or updates exported by another peer, edited here as `peer`.
    pub fn from_bytes(bytes: &[u8], peer: u64) -> Result<Self, CollabError> {
        let doc = LoroDoc::new();
        doc.set_peer_id(peer)?;
        let shared = Self::around(doc);
        shared.import(bytes)?;
        Ok(shared)
    }

    /// An empty document, edited here as `peer`, to take in a room's board.
    pub fn empty(peer: u64) -> Result<Self, CollabError> {
        let doc = LoroDoc::new();
        doc.set_peer_id(peer)?;
        Ok(Self::around(doc))
    }

    fn around(doc: LoroDoc) -> Self {
        let mut undo = UndoManager::new(&doc);
        // Steps are what the studio says they are (`begin_step`): not merged by time.
        undo.set_merge_interval(0);
        undo.set_max_undo_steps(1000);
        let derived = std::cell::RefCell::new(super::derive::Derived::new(&doc));
        Self { doc, undo, derived }
    }

    /// Starts one undo step that the next commits (until [`SharedDoc::end_step`]) belong to:
    /// a drag, a typing session.
    pub fn begin_step(&mut self) -> Result<(), CollabError> {
        Ok(self.undo.group_start()?)
    }

    /// Ends the step [`SharedDoc::begin_step`] started.
    pub fn end_step(&mut self) {
        self.undo.group_end();
    }

    /// Undoes this person's last step (a colleague's changes since stay). Returns whether
    /// anything changed; the model is then [`SharedDoc::model`] again.
    pub fn undo(&mut self) -> Result<bool, CollabError> {
        Ok(self.undo.undo()?)
    }

    /// Redoes the step last undone here.
    pub fn redo(&mut self) -> Result<bool, CollabError> {
        Ok(self.undo.redo()?)
    }

    /// Whether there is a step of this person's to undo / to redo.
    pub fn can_undo(&self) -> (bool, bool) {
        (self.undo.can_undo(), self.undo.can_redo())
    }

    /// The Loro document (for undo, subscriptions and presence).
    pub fn loro(&self) -> &LoroDoc {
        &self.doc
    }

    /// The whole document, for a peer that has nothing yet (packed: see [`packed`]).
    pub fn snapshot(&self) -> Result<Vec<u8>, CollabError> {
        packed::whole(&self.doc).map_err(|e| CollabError::Loro(e.to_string()))
    }

    /// What happened since `since` (a peer's version), for that peer.
    pub fn updates_since(&self, since: &VersionVector) -> Result<Vec<u8>, CollabError> {
        self.doc
            .export(ExportMode::updates(since))
            .map_err(|e| CollabError::Loro(e.to_string()))
    }

    /// This document's version.
    pub fn version(&self) -> VersionVector {
        self.doc.oplog_vv()
    }

    /// Merges a peer's snapshot (packed or not) or updates.
    pub fn import(&self, bytes: &[u8]) -> Result<(), CollabError> {
        self.doc
            .import(&packed::unpack(bytes).map_err(CollabError::Loro)?)?;
        Ok(())
    }

    /// Writes what `ops` (applied to `model` already, or their inverses) changed into the
    /// document, from `model`, as one commit.
    pub fn record(&self, model: &Model, ops: &[Op]) -> Result<(), CollabError> {
        let mut seen = HashSet::new();
        for t in ops.iter().map(touch) {
            if seen.insert(t) {
                self.write(model, t)?;
            }
        }
        self.doc.commit();
        Ok(())
    }

    /// Writes every part of `model` (a new document, or one replaced wholesale).
    fn write_all(&self, model: &Model) -> Result<(), CollabError> {
        self.write(model, Touch::Model)?;
        for c in &model.contexts {
            self.write(model, Touch::Context(c.uid))?;
        }
        for r in &model.relations {
            self.write(model, Touch::Relation(r.uid))?;
        }
        for s in &model.scenarios {
            self.write(model, Touch::Scenario(s.uid))?;
        }
        Ok(())
    }

    fn write(&self, model: &Model, t: Touch) -> Result<(), CollabError> {
        match t {
            Touch::Model => {
                let props = object(&ModelProps::of(model))?;
                put_props(&self.doc.get_map(MODEL), &props)
            }
            Touch::Context(uid) => {
                let Some(ci) = model.contexts.iter().position(|c| c.uid == uid) else {
                    // Gone: its stickies go with it.
                    let key = uid.to_string();
                    let stickies = self.doc.get_map(STICKIES.items);
                    let inside: Vec<String> = stickies
                        .keys()
                        .map(|k| k.to_string())
                        .filter(|k| {
                            child_map(&stickies, k)
                                .is_some_and(|m| text(&m, CTX).as_deref() == Some(&*key))
                        })
                        .collect();
                    for k in inside {
                        self.remove(STICKIES, &k)?;
                    }
                    return self.remove(CONTEXTS, &key);
                };
                let c = &model.contexts[ci];
                // New here (or brought back from deleted): its stickies are written too.
                let fresh = child_map(&self.doc.get_map(CONTEXTS.items), &uid.to_string())
                    .is_none_or(|m| m.get(DELETED).is_some());
                let props = object(&ContextProps::of(c))?;
                let neighbours = |i: usize| model.contexts.get(i).map(|c| c.uid);
                self.put(CONTEXTS, uid, &props, &[], neighbours_of(ci, neighbours))?;
                if fresh {
                    for kind in Kind::IN_CONTEXT {
                        for index in 0.. {
                            let loc = Loc {
                                kind,
                                context: Some(ci),
                                index,
                            };
                            let Some(u) = model.uid_at(loc) else { break };
                            self.write(model, Touch::Sticky(u))?;
                        }
                    }
                }
                Ok(())
            }
            Touch::Sticky(uid) => {
                let Some(loc) = model.locate(uid).filter(|l| l.kind != Kind::Context) else {
                    return self.remove(STICKIES, &uid.to_string());
                };
                let (Some(ci), Some(sticky)) = (loc.context, model.sticky(loc)) else {
                    return Ok(());
                };
                let (variant, props) = variant_object(&sticky)?;
                let ctx = model.contexts[ci].uid.to_string();
                let neighbours = |i: usize| model.uid_at(Loc { index: i, ..loc });
                self.put(
                    STICKIES,
                    uid,
                    &props,
                    &[(KIND, variant), (CTX, ctx)],
                    neighbours_of(loc.index, neighbours),
                )
            }
            Touch::Relation(uid) => self.put_listed(RELATIONS, uid, &model.relations, |r| r.uid),
            Touch::Scenario(uid) => self.put_listed(SCENARIOS, uid, &model.scenarios, |s| s.uid),
        }
    }

    /// Writes the element `uid` of a model-level list (relations, scenarios) as the list
    /// has it, or marks it deleted when the list no longer does.
    fn put_listed<T: Serialize>(
        &self,
        roots: Roots,
        uid: Uid,
        list: &[T],
        id: impl Fn(&T) -> Uid,
    ) -> Result<(), CollabError> {
        match list.iter().position(|x| id(x) == uid) {
            Some(i) => self.put(
                roots,
                uid,
                &object(&list[i])?,
                &[],
                neighbours_of(i, |j| list.get(j).map(&id)),
            ),
            None => self.remove(roots, &uid.to_string()),
        }
    }

    /// Puts an element's properties (and `marks`) under its id, and its id in the order
    /// list between `around`'s neighbours.
    fn put(
        &self,
        roots: Roots,
        uid: Uid,
        props: &Map<String, Value>,
        marks: &[(&str, String)],
        around: (Option<Uid>, Option<Uid>),
    ) -> Result<(), CollabError> {
        let key = uid.to_string();
        let items = self.doc.get_map(roots.items);
        let map = match child_map(&items, &key) {
            Some(m) => m,
            None => items.insert_container(&key, LoroMap::new())?,
        };
        if map.get(DELETED).is_some() {
            map.delete(DELETED)?;
        }
        for (k, v) in marks {
            if text(&map, k).as_deref() != Some(v.as_str()) {
                map.insert(k, v.as_str())?;
            }
        }
        put_props(&map, props)?;
        place(&self.doc.get_movable_list(roots.order), &key, around)
    }

    /// Deletes an element: its id leaves the order list, and its properties stay behind a
    /// `@deleted` mark, so that references to it keep the name it last had on every peer (and
    /// an undo brings it back as it was).
    fn remove(&self, roots: Roots, key: &str) -> Result<(), CollabError> {
        let items = self.doc.get_map(roots.items);
        if let Some(map) = child_map(&items, key)
            && map.get(DELETED).is_none()
        {
            map.insert(DELETED, true)?;
        }
        let order = self.doc.get_movable_list(roots.order);
        while let Some(i) = index_of(&order, key) {
            order.delete(i, 1)?;
        }
        Ok(())
    }

    /// The model the document holds now. An element a peer wrote broken is an error naming
    /// it (the caller refuses the update that brought it).
    pub fn model(&self) -> Result<Model, CollabError> {
        self.derived.borrow_mut().model(&self.doc)
    }
}

/// The model a Loro document of a board holds (see [`SharedDoc::model`]); the relay checks
/// updates with it.
pub fn model_of(doc: &LoroDoc) -> Result<Model, CollabError> {
    let mut model = with_ids(|| read(doc))?;
    finish(doc, &mut model);
    Ok(model)
}

/// Links a model read from `doc` (wholly, or partly re-read): references to deleted elements
/// show the names those last had, then every reference is linked as after loading.
pub(super) fn finish(doc: &LoroDoc, model: &mut Model) {
    // A reference to a deleted element shows the name that element last had (what the
    // person who deleted it still sees), then everything is linked as after loading.
    let gone = tombstones(doc);
    if !gone.is_empty() {
        let live: HashSet<Uid> = model
            .elements()
            .iter()
            .filter_map(|e| model.uid_at(e.loc))
            .collect();
        crate::model::refs::visit_refs_mut(model, &mut |_, r| {
            let to = r.target();
            if let Some(name) = gone.get(&to).filter(|_| !live.contains(&to)) {
                let shown = match r.split_once('.') {
                    Some((context, _)) => format!("{context}.{name}"),
                    None => name.clone(),
                };
                if shown != r.as_str() {
                    r.link(Some(shown), to);
                }
            }
        });
    }
    crate::model::refs::link(model, &|_| true, &|_, _| true);
}

fn read(doc: &LoroDoc) -> Result<Model, CollabError> {
    let props: ModelProps = parse(&doc.get_map(MODEL), "model", "")?;
    let mut model = Model {
        format: crate::model::FORMAT_VERSION,
        name: props.name,
        doc: props.doc,
        org: props.org,
        version: props.version,
        contexts: Vec::new(),
        relations: Vec::new(),
        scenarios: Vec::new(),
        labels: props.labels,
        invariants: props.invariants,
    };
    let mut context_at: BTreeMap<String, usize> = BTreeMap::new();
    for (key, map) in listed(doc, CONTEXTS) {
        let props: ContextProps = parse(&map, CONTEXTS.what, &key)?;
        let mut c = BoundedContext {
            uid: uid_of(&key, CONTEXTS.what)?,
            ..BoundedContext::default()
        };
        props.put(&mut c);
        context_at.insert(key, model.contexts.len());
        model.contexts.push(c);
    }
    for (key, map) in listed(doc, STICKIES) {
        // A sticky whose context was deleted while it was made goes with its context.
        let Some(&ci) = text(&map, CTX).and_then(|c| context_at.get(&c)) else {
            continue;
        };
        model.insert_sticky(ci, sticky_of(&map, &key)?);
    }
    for (key, map) in listed(doc, RELATIONS) {
        model
            .relations
            .push(parse_with_uid(&map, RELATIONS.what, &key)?);
    }
    for (key, map) in listed(doc, SCENARIOS) {
        model
            .scenarios
            .push(parse_with_uid(&map, SCENARIOS.what, &key)?);
    }
    Ok(model)
}

/// The elements of one kind in order: those in the order list first (each once), then
/// any the list lost track of (a concurrent move and delete), by id.
fn listed(doc: &LoroDoc, roots: Roots) -> Vec<(String, LoroMap)> {
    let items = doc.get_map(roots.items);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in doc.get_movable_list(roots.order).to_vec() {
        if let LoroValue::String(key) = v
            && seen.insert(key.to_string())
            && let Some(map) = child_map(&items, &key)
            && map.get(DELETED).is_none()
        {
            out.push((key.to_string(), map));
        }
    }
    let mut rest: Vec<String> = items
        .keys()
        .map(|k| k.to_string())
        .filter(|k| !seen.contains(k))
        .collect();
    rest.sort();
    for key in rest {
        if let Some(map) = child_map(&items, &key)
            && map.get(DELETED).is_none()
        {
            out.push((key, map));
        }
    }
    out
}

/// The names deleted contexts and stickies last had, by id.
fn tombstones(doc: &LoroDoc) -> BTreeMap<Uid, String> {
    let mut out = BTreeMap::new();
    for roots in [CONTEXTS, STICKIES] {
        let items = doc.get_map(roots.items);
        for key in items.keys() {
            if let Some(map) = child_map(&items, &key)
                && map.get(DELETED).is_some()
                && let Some(name) =
                    text(&map, "name").and_then(|json| serde_json::from_str::<String>(&json).ok())
                && let Some(uid) = Uid::parse(&key)
            {
                out.insert(uid, name);
            }
        }
    }
    out
}

/// The sticky a map of the `sticky` root holds (read with references' ids).
pub(super) fn sticky_of(map: &LoroMap, key: &str) -> Result<Sticky, CollabError> {
    let variant = text(map, KIND).unwrap_or_default();
    let mut inner = props_of(map, STICKIES.what, key)?;
    inner.insert("uid".into(), Value::String(key.to_owned()));
    with_ids(|| {
        serde_json::from_value(Value::Object(Map::from_iter([(
            variant,
            Value::Object(inner),
        )])))
    })
    .map_err(|e| invalid(STICKIES.what, key, e))
}

/// The map of the sticky `key`, its context's id, and whether it is deleted.
pub(super) fn sticky_map(doc: &LoroDoc, key: &str) -> Option<(LoroMap, Option<String>, bool)> {
    let map = child_map(&doc.get_map(STICKIES.items), key)?;
    let ctx = text(&map, CTX);
    let deleted = map.get(DELETED).is_some();
    Some((map, ctx, deleted))
}

/// The root that holds the stickies' maps (events under it name a sticky).
pub(super) const STICKY_ROOT: &str = STICKIES.items;

/// The ids before and after place `i` of a list (by `at`).
pub(super) fn neighbours_of(
    i: usize,
    at: impl Fn(usize) -> Option<Uid>,
) -> (Option<Uid>, Option<Uid>) {
    (i.checked_sub(1).and_then(&at), at(i + 1))
}

/// Makes `key` stand in `order` after `around.0` and before `around.1` (where those are in
/// it), inserting it if it is not there; moves it only when it is out of place.
pub(super) fn place(
    order: &LoroMovableList,
    key: &str,
    around: (Option<Uid>, Option<Uid>),
) -> Result<(), CollabError> {
    let (before, after) = (
        around.0.and_then(|u| index_of(order, &u.to_string())),
        around.1.and_then(|u| index_of(order, &u.to_string())),
    );
    let target = |without: Option<usize>| {
        // Where it goes in the list as it is without it.
        let shift = |i: usize| match without {
            Some(w) if w < i => i - 1,
            _ => i,
        };
        match (before, after) {
            (Some(b), _) => shift(b) + 1,
            (None, Some(a)) => shift(a),
            (None, None) => order.len() - usize::from(without.is_some()),
        }
    };
    match index_of(order, key) {
        None => order.insert(target(None), key)?,
        Some(i) => {
            let in_place = before.is_none_or(|b| b < i) && after.is_none_or(|a| i < a);
            if !in_place {
                order.mov(i, target(Some(i)))?;
            }
        }
    }
    Ok(())
}

pub(super) fn index_of(order: &LoroMovableList, key: &str) -> Option<usize> {
    order
        .to_vec()
        .iter()
        .position(|v| matches!(v, LoroValue::String(s) if &***s == key))
}

pub(super) fn child_map(map: &LoroMap, key: &str) -> Option<LoroMap> {
    match map.get(key)? {
        ValueOrContainer::Container(loro::Container::Map(m)) => Some(m),
        _ => None,
    }
}

/// A string value of `map` at `key`.
pub(super) fn text(map: &LoroMap, key: &str) -> Option<String> {
    match map.get(key)? {
        ValueOrContainer::Value(LoroValue::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

/// A value's serialized properties (references with their targets' ids).
fn object<T: Serialize>(value: &T) -> Result<Map<String, Value>, CollabError> {
    match with_ids(|| serde_json::to_value(value)) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(CollabError::Loro("an element is not an object".into())),
        Err(e) => Err(CollabError::Loro(e.to_string())),
    }
}

/// A sticky's variant name and properties.
fn variant_object(sticky: &Sticky) -> Result<(String, Map<String, Value>), CollabError> {
    let whole = object(sticky)?;
    match whole.into_iter().next() {
        Some((variant, Value::Object(props))) => Ok((variant, props)),
        _ => Err(CollabError::Loro("a sticky is not a tagged object".into())),
    }
}

/// Sets each property of `map` that differs from `props` (as JSON text) and deletes those
/// `props` no longer has (marks, `@…`, stay). The element's own `uid` is not written: the
/// map's key is the id, and readers put it back (a tenth of a board's bytes saved).
fn put_props(map: &LoroMap, props: &Map<String, Value>) -> Result<(), CollabError> {
    for (k, v) in props.iter().filter(|(k, _)| *k != OWN_ID) {
        if let Some(items) = keyed::items(k, v) {
            keyed::put(map, k, &items)?;
            continue;
        }
        let json = v.to_string();
        // A property whose only change is the names of references that keep their targets
        // (a renamed element's referrers) is left as it is: the model derived from the
        // document takes those names from the targets (the id wins), so a rename is one
        // small write, not one per element referring to it.
        let same = text(map, k).is_some_and(|old| unchanged(&old, &json));
        if !same {
            map.insert(k, json)?;
        }
    }
    let stale: Vec<String> = map
        .keys()
        .map(|k| k.to_string())
        .filter(|k| !k.starts_with('@') && (k == OWN_ID || !props.contains_key(k)))
        .collect();
    for k in stale {
        map.delete(&k)?;
    }
    Ok(())
}

/// Whether a property written as `old` needs no write to become `new`: the same, or
/// differing only in the names of references that keep their targets.
pub(super) fn unchanged(old: &str, new: &str) -> bool {
    old == new || without_ref_names(old) == without_ref_names(new)
}

/// JSON text with the names of id-carrying references left out (their context qualifier
/// kept): `"Orders.PlaceOrder\u0001<id>"` reads `"Orders.\u0001<id>"`.
fn without_ref_names(json: &str) -> String {
    const MARK: &str = "\\u0001";
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find(MARK) {
        let (head, tail) = rest.split_at(at);
        // The reference's string starts after the last quote before the mark.
        let start = head.rfind('"').map_or(0, |q| q + 1);
        let name = &head[start..];
        let keep = name.rfind('.').map_or(0, |d| d + 1);
        out.push_str(&head[..start]);
        out.push_str(&name[..keep]);
        out.push_str(MARK);
        rest = &tail[MARK.len()..];
    }
    out.push_str(rest);
    out
}

/// The properties a map holds, parsed.
fn props_of(
    map: &LoroMap,
    what: &'static str,
    id: &str,
) -> Result<Map<String, Value>, CollabError> {
    let mut out = Map::new();
    for k in map.keys() {
        if k.starts_with('@') {
            continue;
        }
        let v = match map.get(&k) {
            Some(ValueOrContainer::Value(LoroValue::String(s))) => {
                serde_json::from_str(&s).map_err(|e| invalid(what, id, e))?
            }
            Some(ValueOrContainer::Container(loro::Container::Map(list))) => {
                keyed::read(&list, what, id)?
            }
            _ => return Err(invalid(what, id, format!("property `{k}` is not text"))),
        };
        out.insert(k.to_string(), v);
    }
    Ok(out)
}

fn parse<T: DeserializeOwned>(
    map: &LoroMap,
    what: &'static str,
    id: &str,
) -> Result<T, CollabError> {
    serde_json::from_value(Value::Object(props_of(map, what, id)?))
        .map_err(|e| invalid(what, id, e))
}

fn parse_with_uid<T: DeserializeOwned>(
    map: &LoroMap,
    what: &'static str,
    id: &str,
) -> Result<T, CollabError> {
    let mut props = props_of(map, what, id)?;
    props.insert("uid".into(), Value::String(id.to_owned()));
    serde_json::from_value(Value::Object(props)).map_err(|e| invalid(what, id, e))
}

fn uid_of(key: &str, what: &'static str) -> Result<Uid, CollabError> {
    Uid::parse(key).ok_or_else(|| invalid(what, key, "its id is not an element id"))
}

pub(super) fn invalid(what: &'static str, id: &str, why: impl std::fmt::Display) -> CollabError {
    CollabError::Invalid {
        what,
        id: id.to_owned(),
        why: why.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_ref_names;

    #[test]
    fn reference_names_are_left_out_but_ids_and_qualifiers_stay() {
        let a = r#"[{"on":"PlaceOrder\u00011234567890abcdef","states":["New"]}]"#;
        let b = r#"[{"on":"SubmitOrder\u00011234567890abcdef","states":["New"]}]"#;
        assert_eq!(without_ref_names(a), without_ref_names(b));
        let other_id = r#"[{"on":"PlaceOrder\u00011234567890abcdee","states":["New"]}]"#;
        assert_ne!(without_ref_names(a), without_ref_names(other_id));
        let qualified = r#"{"command":"Orders.CancelOrder\u00011234567890abcdef"}"#;
        let bare = r#"{"command":"CancelOrder\u00011234567890abcdef"}"#;
        assert_ne!(without_ref_names(qualified), without_ref_names(bare));
        assert_eq!(without_ref_names(r#"{"name":"x"}"#), r#"{"name":"x"}"#);
    }
}
