//! What crosses the context map: which bounded context sends which event or command to which
//! other, read off the flow graph — an event triggering a policy, saga, read model or
//! external system of another context, or translated by another context's anticorruption
//! layer; a policy or saga issuing another context's command.

use std::collections::BTreeSet;

use crate::model::flow::{FlowGraph, Link};
use crate::model::{Kind, Loc, Model};

/// One kind of message going from one context to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    /// The sending context (the event's or the issuing policy's).
    pub from: usize,
    /// The receiving context.
    pub to: usize,
    /// The event or command.
    pub message: Loc,
}

/// Every flow between two different contexts of `model`, sorted.
pub fn flows(model: &Model) -> BTreeSet<Flow> {
    let mut out = BTreeSet::new();
    for (a, b, link) in FlowGraph::new(model).edges() {
        let (Some(from), Some(to)) = (a.context, b.context) else {
            continue;
        };
        if from == to {
            continue;
        }
        let message = match link {
            Link::Triggers | Link::Translates if a.kind == Kind::Event => a,
            Link::Commands if b.kind == Kind::Command => b,
            _ => continue,
        };
        out.insert(Flow { from, to, message });
    }
    out
}
