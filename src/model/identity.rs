//! Giving every element of a model its [`Uid`]: on load (format 1 files, hand-written
//! elements without an `id`, ids repeated by a copy in a text editor) and after edits that
//! build elements in code.

use std::collections::HashSet;

use super::document::Model;
use super::field::Field;
use super::uid::Uid;

/// Hands out ids: keeps what is set and unique, derives the rest from their place.
struct Assigner {
    seen: HashSet<Uid>,
}

impl Assigner {
    /// Keeps `id` if it is set and not taken; else derives one from `key` (the element's
    /// kind, context and name), deterministic for the same text. The key is only made when
    /// it is needed (a loaded format-2 file needs none).
    fn assign(&mut self, id: &mut Uid, key: impl FnOnce() -> String) {
        if !id.is_none() && self.seen.insert(*id) {
            return;
        }
        let key = key();
        let mut candidate = Uid::derived(&key);
        let mut salt = 0u32;
        while !self.seen.insert(candidate) {
            salt += 1;
            candidate = Uid::derived(&format!("{key}#{salt}"));
        }
        *id = candidate;
    }

    fn fields(&mut self, owner: Uid, fields: &mut [Field]) {
        for f in fields {
            self.assign(&mut f.uid, || format!("{owner}/field/{}/{}", f.n, f.name));
        }
    }
}

impl Model {
    /// Gives every context, sticky, field, relation and scenario without an id (or with an
    /// id another element already has) one derived from its place and name. Ids already set
    /// and unique are kept, so this can run after any edit; for the same model text the
    /// result is always the same. Every reference is then linked to the element it names.
    pub fn assign_ids(&mut self) {
        let mut a = Assigner {
            seen: HashSet::new(),
        };
        for c in &mut self.contexts {
            a.assign(&mut c.uid, || format!("context/{}", c.name));
            let cx = c.name.clone();
            macro_rules! each {
                ($list:expr, $kind:literal, |$e:ident| $name:expr) => {
                    for $e in &mut $list {
                        a.assign(&mut $e.uid, || format!("{cx}/{}/{}", $kind, $name));
                    }
                };
            }
            each!(c.enums, "enum", |e| e.name);
            each!(c.values, "value", |e| e.name);
            each!(c.actors, "actor", |e| e.name);
            each!(c.commands, "command", |e| e.name);
            each!(c.aggregates, "aggregate", |e| e.name);
            each!(c.events, "event", |e| e.name);
            each!(c.policies, "policy", |e| e.name);
            each!(c.sagas, "saga", |e| e.name);
            each!(c.read_models, "read_model", |e| e.name);
            each!(c.externals, "external", |e| e.name);
            each!(c.hotspots, "hotspot", |e| e.text);
            for v in &mut c.values {
                a.fields(v.uid, &mut v.fields);
            }
            for e in &mut c.commands {
                a.fields(e.uid, &mut e.fields);
            }
            for e in &mut c.aggregates {
                a.fields(e.uid, &mut e.state);
            }
            for e in &mut c.sagas {
                a.fields(e.uid, &mut e.state);
            }
            for e in &mut c.events {
                a.fields(e.uid, &mut e.fields);
            }
            for e in &mut c.read_models {
                a.fields(e.uid, &mut e.columns);
            }
        }
        for r in &mut self.relations {
            a.assign(&mut r.uid, || {
                format!("relation/{}/{}/{:?}", r.upstream, r.downstream, r.pattern)
            });
        }
        for s in &mut self.scenarios {
            a.assign(&mut s.uid, || format!("scenario/{}", s.name));
        }
        // With every element named by an id, references can point at them by id.
        super::refs::link(self, &|_| true, &|_, _| true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    #[test]
    fn ids_are_derived_once_kept_after_and_repeated_ids_are_replaced() {
        let mut m = Model::new("t");
        m.contexts[0].uid = Uid::NONE;
        m.assign_ids();
        let first = m.contexts[0].uid;
        assert!(!first.is_none());
        // The same text gives the same ids.
        let mut again = Model::new("t");
        again.contexts[0].uid = Uid::NONE;
        again.assign_ids();
        assert_eq!(again.contexts[0].uid, first);
        // A rename keeps the id; a copy with the same id gets a new one.
        m.contexts[0].name = "Sales".into();
        let mut copy = m.contexts[0].clone();
        copy.name = "Sales2".into();
        m.contexts.push(copy);
        m.assign_ids();
        assert_eq!(m.contexts[0].uid, first);
        assert_ne!(m.contexts[1].uid, first);
        assert_eq!(
            m.locate(first).map(|l| (l.kind, l.index)),
            Some((Kind::Context, 0))
        );
    }
}
