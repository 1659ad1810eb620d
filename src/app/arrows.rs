//! The flow arrows drawn on the board, derived from the model's references: actor → command,
//! command → aggregate/external, aggregate → event, event → policy/saga/read model/external,
//! policy/saga → command, external → event.

use crate::model::element::PathSeg;
use crate::model::refs::visit_refs_mut;
use crate::model::{ElementId, Kind, Model, NameIndex};

/// Every arrow of the board, deduplicated, in a stable order.
pub fn arrows(model: &Model) -> Vec<(ElementId, ElementId)> {
    let index = NameIndex::new(model);
    let mut out = Vec::new();
    let mut scratch = model.clone();
    visit_refs_mut(&mut scratch, &mut |site, name| {
        let Some(owner) = site.owner else {
            return;
        };
        if owner.context.is_none() || name.is_empty() {
            return;
        }
        let Some(target) = index.resolve(name, site.kinds, site.from).found() else {
            return;
        };
        // The last field name in the path says what the reference means.
        let key = site.path.iter().rev().find_map(|s| match s {
            PathSeg::Key(k) => Some(*k),
            _ => None,
        });
        let inside_handlers = site
            .path
            .iter()
            .any(|s| matches!(s, PathSeg::Key("handlers" | "appliers")));
        let edge = match (owner.kind, key) {
            // Handler `on` repeats command → aggregate; appliers are internal.
            (Kind::Aggregate, Some("on")) if inside_handlers => None,
            (Kind::Command, Some("actors")) => Some((target, owner)),
            (Kind::Event, Some("owner")) => Some((target, owner)),
            (
                Kind::Policy | Kind::Saga | Kind::ReadModel | Kind::External,
                Some("on" | "start"),
            ) => Some((target, owner)),
            (Kind::Saga, Some("from" | "until")) => None,
            _ if target.kind == Kind::Context => None,
            _ => Some((owner, target)),
        };
        if let Some(e) = edge {
            out.push(e);
        }
    });
    out.sort();
    out.dedup();
    out
}
