//! What the importers build: new commands and events, and what an imported model needs
//! before it runs — the aggregate's id field on every command addressed to it and every
//! event it owns, envelope numbers on events.

use std::collections::BTreeMap;

use crate::model::field::Field;
use crate::model::layout::{Pos, Rect};
use crate::model::ty::Type;
use crate::model::uid::Uid;
use crate::model::{BoundedContext, Command, Event, Model};

/// A new bounded context named `name`, its frame to be laid out.
pub fn context(name: &str) -> BoundedContext {
    BoundedContext {
        name: name.to_owned(),
        frame: Rect {
            x: 0.0,
            y: 0.0,
            w: 600.0,
            h: 400.0,
        },
        ..Default::default()
    }
}

/// An event owned by `owner` (empty: none).
pub fn event(name: String, owner: &str, doc: String, fields: Vec<Field>) -> Event {
    Event {
        uid: Uid::NONE,
        name,
        n: 0,
        contract: String::new(),
        doc,
        owner: owner.into(),
        stream_key: String::new(),
        published: false,
        withdrawn: false,
        fields,
        reserved: Vec::new(),
        at: Pos::default(),
    }
}

/// A command addressed to `target` (empty: not yet known).
pub fn command(name: String, target: &str, doc: String, fields: Vec<Field>) -> Command {
    Command {
        uid: Uid::NONE,
        name,
        contract: String::new(),
        doc,
        target: target.into(),
        actors: Vec::new(),
        fields,
        reserved: Vec::new(),
        at: Pos::default(),
    }
}

/// Gives every command addressed to an aggregate, and every event an aggregate owns, the
/// aggregate's id field (first) when it lacks one: Stormlab routes a command and keys an
/// event's stream by it. Numbers the events' envelope fields.
pub fn add_id_fields(model: &mut Model) {
    for ctx in &mut model.contexts {
        let ids: BTreeMap<String, String> = ctx
            .aggregates
            .iter()
            .map(|a| (a.name.clone(), a.id.clone()))
            .collect();
        let with_id = |fields: &mut Vec<Field>, id: &str| {
            if fields.iter().any(|f| f.name == id) {
                return;
            }
            fields.insert(
                0,
                Field {
                    uid: Uid::NONE,
                    n: 0,
                    name: id.to_owned(),
                    ty: Type::Id,
                    doc: String::new(),
                },
            );
            for (i, f) in fields.iter_mut().enumerate() {
                f.n = i as u32 + 1;
            }
        };
        for c in &mut ctx.commands {
            if let Some(id) = ids.get(c.target.as_str()) {
                with_id(&mut c.fields, id);
            }
        }
        for e in &mut ctx.events {
            if let Some(id) = ids.get(e.owner.as_str()) {
                with_id(&mut e.fields, id);
            }
        }
        ctx.number_events();
    }
}
