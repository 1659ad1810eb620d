//! Generated models of a chosen size, for benchmarks and stress tests.
//!
//! Each context holds a repeated command → aggregate → event → policy / read model chain, so
//! the model is valid, linked (every link is an arrow on the board) and can be simulated.

use std::collections::BTreeMap;

use super::access::Sticky;
use super::connect::connect;
use super::document::Model;
use super::element::{Kind, Loc};
use super::layout::{Pos, Rect};
use super::{BoundedContext, Field, Type};

/// Stickies per generated chain: command, aggregate, event, policy, read model.
const CHAIN: usize = 5;

/// A model with about `stickies` stickies in `contexts` contexts, linked into chains.
pub fn synthetic(stickies: usize, contexts: usize) -> Model {
    let contexts = contexts.max(1);
    let mut m = Model::new("Synthetic");
    m.contexts.clear();
    let chains_per_ctx = (stickies / CHAIN).div_ceil(contexts).max(1);
    let cols = 10usize;
    for ci in 0..contexts {
        let rows = chains_per_ctx.div_ceil(cols / 2).max(1);
        let frame = Rect {
            x: 0.0,
            y: ci as f32 * (rows as f32 * 260.0 + 120.0),
            w: cols as f32 * 180.0 + 80.0,
            h: rows as f32 * 260.0 + 60.0,
        };
        m.contexts.push(BoundedContext {
            name: format!("Context{ci}"),
            frame,
            ..Default::default()
        });
        for k in 0..chains_per_ctx {
            let x0 = frame.x + 40.0 + (k % 2) as f32 * 900.0;
            let y0 = frame.y + 60.0 + (k / 2) as f32 * 260.0;
            let at = |i: usize| Pos::new(x0 + i as f32 * 170.0, y0 + (i % 2) as f32 * 110.0);
            let id_field = Field {
                uid: crate::model::Uid::NONE,
                n: 1,
                name: "id".into(),
                ty: Type::Id,
                doc: String::new(),
            };
            let amount = Field {
                uid: crate::model::Uid::NONE,
                n: 2,
                name: "amount".into(),
                ty: Type::Decimal,
                doc: String::new(),
            };
            let mk = |kind, name: String, i| Sticky::new_of(kind, &name, at(i));
            let ids: Vec<Option<Loc>> = [
                mk(Kind::Command, format!("Do{k}"), 0),
                mk(Kind::Aggregate, format!("Thing{k}"), 1),
                mk(Kind::Event, format!("Done{k}"), 2),
                mk(Kind::Policy, format!("React{k}"), 3),
                mk(Kind::ReadModel, format!("View{k}"), 4),
            ]
            .into_iter()
            .map(|s| s.and_then(|s| m.insert_sticky(ci, s)))
            .collect();
            let [Some(cmd), Some(agg), Some(ev), Some(pol), Some(rm)] = ids[..] else {
                continue;
            };
            if let Some(c) = m.contexts.get_mut(ci) {
                if let Some(x) = c.commands.get_mut(cmd.index) {
                    x.fields = vec![id_field.clone(), amount.clone()];
                }
                if let Some(x) = c.events.get_mut(ev.index) {
                    x.fields = vec![id_field.clone(), amount.clone()];
                }
                if let Some(x) = c.aggregates.get_mut(agg.index) {
                    x.lifecycle = vec!["New".into(), "Active".into()];
                    x.state = vec![amount.clone()];
                }
                if let Some(x) = c.read_models.get_mut(rm.index) {
                    x.columns = vec![id_field.clone(), amount.clone()];
                }
            }
            let _ = connect(&mut m, cmd, agg);
            let _ = connect(&mut m, cmd, ev);
            let _ = connect(&mut m, ev, pol);
            let _ = connect(&mut m, ev, rm);
            // The policy issues the next chain's command (the last one: the first), so the
            // flow graph is connected; its guard-free cycle is broken by the `when` below.
            let next = format!("Do{}", (k + 1) % chains_per_ctx);
            if let Some(p) = m
                .contexts
                .get_mut(ci)
                .and_then(|c| c.policies.get_mut(pol.index))
            {
                p.then = next.into();
                p.when = Some("event.amount > 100".into());
            }
            if let Some(a) = m
                .contexts
                .get_mut(ci)
                .and_then(|c| c.aggregates.get_mut(agg.index))
            {
                if let Some(h) = a.handlers.first_mut() {
                    h.states = vec!["New".into()];
                }
                a.appliers.push(super::Applier {
                    on: format!("Done{k}").into(),
                    set: BTreeMap::new(),
                    to: Some("Active".into()),
                });
            }
        }
    }
    // Ids as a saved file would carry them (derived, so the same arguments give the same text).
    m.assign_ids();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_the_requested_size_and_links() {
        let m = synthetic(1000, 10);
        assert_eq!(m.element_count(), 1000);
        let c = &m.contexts[3];
        assert_eq!(c.commands[4].target, "Thing4");
        assert_eq!(c.policies[4].on, "Done4");
        assert_eq!(c.read_models[4].rules.len(), 1);
    }
}
