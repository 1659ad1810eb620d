//! [`Derived`]: the model of a board's Loro document, kept up to date element by element.
//!
//! Reading the whole document parses every element's JSON (17–19 ms for 1,000 elements).
//! Most changes are to the properties of stickies that exist (a move, a rename, an inspector
//! edit): Loro's events name the sticky maps that changed, and only those are read again.
//! Anything else — an element added, deleted or reordered, a context, relation, scenario or
//! the model's own properties — reads the whole document, as does the first call.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use loro::{ContainerID, Index, LoroDoc, Subscription};

use super::document::{CollabError, STICKY_ROOT, finish, model_of, sticky_map, sticky_of};
use crate::model::{Model, Uid};

/// What changed in the document since the model was last derived.
#[derive(Debug, Default)]
struct Changed {
    /// Something only a whole read takes in.
    all: bool,
    /// Stickies (by id) whose properties changed.
    stickies: BTreeSet<String>,
}

/// The model of one document, with what changed in it since.
pub struct Derived {
    model: Option<Model>,
    changed: Arc<Mutex<Changed>>,
    _subscription: Subscription,
}

impl Derived {
    /// Follows the changes of `doc` (its model is read on the first [`Derived::model`]).
    pub fn new(doc: &LoroDoc) -> Derived {
        let changed = Arc::new(Mutex::new(Changed {
            all: true,
            ..Changed::default()
        }));
        let sink = changed.clone();
        let subscription = doc.subscribe_root(Arc::new(move |e| {
            let mut c = sink.lock().unwrap_or_else(|p| p.into_inner());
            for d in &e.events {
                match sticky_of_path(d.path) {
                    Some(key) => {
                        c.stickies.insert(key);
                    }
                    None => c.all = true,
                }
            }
        }));
        Derived {
            model: None,
            changed,
            _subscription: subscription,
        }
    }

    /// The model `doc` holds now. A broken element is an error, and the next call reads the
    /// whole document again.
    pub fn model(&mut self, doc: &LoroDoc) -> Result<Model, CollabError> {
        let changed = std::mem::take(&mut *self.changed.lock().unwrap_or_else(|p| p.into_inner()));
        let result = match self.model.take() {
            Some(model) if !changed.all => patch(doc, model, &changed.stickies),
            _ => model_of(doc),
        };
        match result {
            Ok(model) => {
                self.model = Some(model.clone());
                Ok(model)
            }
            Err(e) => {
                self.changed.lock().unwrap_or_else(|p| p.into_inner()).all = true;
                Err(e)
            }
        }
    }
}

/// The sticky a change is inside of: its path starts at the `sticky` root and goes on into
/// the map under a sticky's id (a change to the root itself — a sticky added or removed —
/// is not one sticky's).
fn sticky_of_path(path: &[(ContainerID, Index)]) -> Option<String> {
    match path {
        [
            (ContainerID::Root { name, .. }, _),
            (_, Index::Key(key)),
            ..,
        ] if name.as_str() == STICKY_ROOT => Some(key.to_string()),
        _ => None,
    }
}

/// `model` with the stickies `keys` read again from `doc`; a whole read where one of them
/// is new, deleted or moved to another context.
fn patch(doc: &LoroDoc, mut model: Model, keys: &BTreeSet<String>) -> Result<Model, CollabError> {
    for key in keys {
        let Some(uid) = Uid::parse(key) else {
            return model_of(doc);
        };
        let (Some((map, ctx, false)), Some(loc)) = (sticky_map(doc, key), model.locate(uid)) else {
            return model_of(doc);
        };
        let sticky = sticky_of(&map, key)?;
        let same_place = loc.kind == sticky.kind()
            && loc
                .context
                .and_then(|ci| model.contexts.get(ci))
                .is_some_and(|c| Some(c.uid.to_string()) == ctx);
        if !same_place || !model.set_sticky(loc, sticky) {
            return model_of(doc);
        }
    }
    finish(doc, &mut model);
    Ok(model)
}
