//! The flow graph as a Mermaid flowchart: the board's arrows (actor → command → aggregate or
//! external system → event → policy, saga, read model → command; ACL translations) between
//! the stickies, one subgraph per bounded context, each kind in its sticky colour and shape.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{text, title};
use crate::model::flow::{FlowGraph, Link};
use crate::model::{Kind, Loc, Model};

/// The kinds drawn, in the order of their colour classes.
const KINDS: [Kind; 8] = [
    Kind::Actor,
    Kind::Command,
    Kind::Aggregate,
    Kind::External,
    Kind::Event,
    Kind::Policy,
    Kind::Saga,
    Kind::ReadModel,
];

/// The flow graph of `model` (of one context's stickies when `context` names one; None:
/// the whole model) as Mermaid text.
pub fn flow(model: &Model, context: Option<usize>) -> String {
    let keep: BTreeSet<Loc> = model
        .elements()
        .iter()
        .filter(|e| context.is_none() || e.loc.context == context)
        .map(|e| e.loc)
        .collect();
    let name = match context.and_then(|c| model.contexts.get(c)) {
        Some(c) => format!("{}: flow", c.name),
        None if model.name.is_empty() => "Flow".to_owned(),
        None => format!("{}: flow", model.name),
    };
    flow_of(model, &name, &keep)
}

/// The flow graph between the stickies of `keep` (others, and kinds without arrows such as
/// hot spots, left out), titled `name`, as Mermaid text: what the studio's Flow tab shows.
pub fn flow_of(model: &Model, name: &str, keep: &BTreeSet<Loc>) -> String {
    let keep: BTreeSet<Loc> = keep
        .iter()
        .filter(|l| KINDS.contains(&l.kind))
        .copied()
        .collect();
    let mut out = title(name);
    out.push_str("flowchart LR\n");
    for (ci, c) in model.contexts.iter().enumerate() {
        let inside: Vec<&Loc> = keep.iter().filter(|l| l.context == Some(ci)).collect();
        if inside.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph c{ci}[\"{}\"]", text(&c.name));
        for loc in inside {
            let Some(name) = model.name_of(*loc) else {
                continue;
            };
            let (open, close) = shape(loc.kind);
            let _ = writeln!(
                out,
                "    {}{open}\"{}\"{close}:::{}",
                id(loc),
                text(name),
                class(loc.kind)
            );
        }
        out.push_str("  end\n");
    }
    let mut edges = FlowGraph::new(model).edges();
    edges.dedup_by_key(|(a, b, _)| (*a, *b));
    for (a, b, link) in edges {
        if !keep.contains(&a) || !keep.contains(&b) {
            continue;
        }
        match link {
            Link::Translates => {
                let _ = writeln!(out, "  {} -.->|\"translates\"| {}", id(&a), id(&b));
            }
            _ => {
                let _ = writeln!(out, "  {} --> {}", id(&a), id(&b));
            }
        }
    }
    for kind in KINDS {
        let [r, g, b] = kind.rgb();
        let _ = writeln!(
            out,
            "  classDef {} fill:#{r:02x}{g:02x}{b:02x},stroke:#555,color:#111",
            class(kind)
        );
    }
    out
}

/// A node id unique in the diagram: kind, context and index (`command_0_3`).
fn id(loc: &Loc) -> String {
    format!(
        "{}_{}_{}",
        class(loc.kind),
        loc.context.unwrap_or(0),
        loc.index
    )
}

/// The colour class of a kind.
fn class(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => "actor",
        Kind::Command => "command",
        Kind::Aggregate => "aggregate",
        Kind::External => "external",
        Kind::Event => "event",
        Kind::Policy => "policy",
        Kind::Saga => "saga",
        Kind::ReadModel => "readmodel",
        _ => "other",
    }
}

/// A kind's node shape: actors round, policies hexagons, sagas framed, read models
/// cylinders, external systems slanted; commands, aggregates and events plain boxes.
fn shape(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Actor => ("([", "])"),
        Kind::Policy => ("{{", "}}"),
        Kind::Saga => ("[[", "]]"),
        Kind::ReadModel => ("[(", ")]"),
        Kind::External => ("[/", "/]"),
        _ => ("[", "]"),
    }
}
