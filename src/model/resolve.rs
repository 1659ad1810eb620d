//! Resolving references by name: `Event` (in the referring context, else unique in the model)
//! or `Context.Event` (explicit).

use std::collections::BTreeMap;

use super::document::Model;
use super::element::{Kind, Loc};

/// The outcome of resolving a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Exactly one element.
    Found(Loc),
    /// No element of the wanted kinds has that name.
    Missing,
    /// Several contexts have one; qualify it as `Context.Name`.
    Ambiguous(Vec<Loc>),
}

impl Resolved {
    /// The element, if found.
    pub fn found(&self) -> Option<Loc> {
        match self {
            Resolved::Found(id) => Some(*id),
            _ => None,
        }
    }
}

/// Name → element lookup for one model, built once per check or load.
#[derive(Clone, Debug, Default)]
pub struct NameIndex {
    by_name: BTreeMap<String, Vec<Loc>>,
    contexts: BTreeMap<String, usize>,
}

impl NameIndex {
    /// Indexes every named element of `model`.
    pub fn new(model: &Model) -> Self {
        Self::filtered(model, |_| true)
    }

    /// Indexes the elements of `model` called `name` (and every context): enough to resolve
    /// references to that name, for a fraction of the cost of [`NameIndex::new`].
    pub fn of_name(model: &Model, name: &str) -> Self {
        Self::filtered(model, |n| n == name)
    }

    pub(crate) fn filtered(model: &Model, keep: impl Fn(&str) -> bool) -> Self {
        let mut by_name: BTreeMap<String, Vec<Loc>> = BTreeMap::new();
        let mut contexts = BTreeMap::new();
        // The lists are read directly (no list of every element is built: a rename indexes
        // one name of a large model on every keystroke's commit).
        for (ci, c) in model.contexts.iter().enumerate() {
            contexts.entry(c.name.clone()).or_insert(ci);
            macro_rules! each {
                ($($list:ident => $kind:expr),*) => {$(
                    for (index, e) in c.$list.iter().enumerate() {
                        if keep(&e.name) {
                            by_name.entry(e.name.clone()).or_default().push(Loc {
                                kind: $kind,
                                context: Some(ci),
                                index,
                            });
                        }
                    }
                )*};
            }
            each!(
                enums => Kind::Enum,
                values => Kind::Value,
                actors => Kind::Actor,
                commands => Kind::Command,
                aggregates => Kind::Aggregate,
                events => Kind::Event,
                policies => Kind::Policy,
                sagas => Kind::Saga,
                read_models => Kind::ReadModel,
                externals => Kind::External
            );
        }
        Self { by_name, contexts }
    }

    /// The index of the context named `name`.
    pub fn context(&self, name: &str) -> Option<usize> {
        self.contexts.get(name).copied()
    }

    /// Resolves `name` (optionally `Context.Name`) to an element of one of `kinds`, preferring
    /// the context `from` when unqualified.
    pub fn resolve(&self, name: &str, kinds: &[Kind], from: Option<usize>) -> Resolved {
        let (ctx, bare) = match name.split_once('.') {
            Some((c, n)) => match self.context(c) {
                Some(ci) => (Some(ci), n),
                None => return Resolved::Missing,
            },
            None => (None, name),
        };
        let candidates: Vec<Loc> = self
            .by_name
            .get(bare)
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|id| kinds.contains(&id.kind))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(ci) = ctx {
            return match candidates.iter().find(|id| id.context == Some(ci)) {
                Some(id) => Resolved::Found(*id),
                None => Resolved::Missing,
            };
        }
        if let Some(local) = from.and_then(|f| candidates.iter().find(|id| id.context == Some(f))) {
            return Resolved::Found(*local);
        }
        match candidates.len() {
            0 => Resolved::Missing,
            1 => Resolved::Found(candidates[0]),
            _ => Resolved::Ambiguous(candidates),
        }
    }
}
