//! The rules buf's STANDARD lint set enforces on the exported files, as Stormlab
//! diagnostics on the model, so that a modeller sees them on the board before any export.
//!
//! Most STANDARD rules hold by construction (the exporter writes `PascalCase` messages,
//! `lower_snake_case` fields, prefixed enum values with an `_UNSPECIFIED` zero, versioned
//! packages matching their folders, only used imports). What the model can still get wrong:
//! envelope numbers, import cycles between contexts, two contexts exporting to one package,
//! and pinned contract names that clash. Field numbers, identifiers and name clashes of the
//! elements themselves are checked in `model::check::names`.

use std::collections::{BTreeMap, BTreeSet};

use super::names::pascal;
use super::schema::{ProtoType, without_envelopes};
use crate::model::Model;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::event::FIRST_EVENT_NUMBER;
use crate::model::field::{MAX_FIELD_NUMBER, PROTO_RESERVED_RANGE};

/// The contract findings of `model`.
pub fn lint(model: &Model) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    event_numbers(model, &mut out);
    let s = without_envelopes(model);
    // Two contexts exporting to the same file.
    let mut paths: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &s.files {
        if let Some(first) = paths.insert(&f.path, f.context) {
            let id = Loc {
                kind: Kind::Context,
                context: None,
                index: f.context,
            };
            out.push(Diagnostic::new(
                Code::ProtoNameClash,
                Some(id),
                id.path(),
                format!(
                    "contexts {} and {} both export to package `{}`: give one a different `package`",
                    model.contexts[first].name, f.context_name, f.package
                ),
            ));
        }
    }
    // Pinned contract names that lost their name to another element.
    for f in &s.files {
        let c = &model.contexts[f.context];
        for m in &f.messages {
            let Some(id) = m.element else { continue };
            let contract = match id.kind {
                Kind::Event => c.events.get(id.index).map(|e| &e.contract),
                Kind::Command => c.commands.get(id.index).map(|e| &e.contract),
                Kind::Value => c.values.get(id.index).map(|e| &e.contract),
                _ => None,
            };
            if let Some(contract) = contract.filter(|k| !k.is_empty())
                && pascal(contract) != m.name
            {
                let mut path = id.path();
                path.push(PathSeg::Key("contract"));
                out.push(Diagnostic::new(
                    Code::ProtoNameClash,
                    Some(id),
                    path,
                    format!(
                        "{} {}: its contract name `{contract}` is taken by another message of {}; it would be exported as `{}`",
                        id.kind,
                        model.display_name(id),
                        c.name,
                        m.name
                    ),
                ));
            }
        }
    }
    import_cycles(model, &s, &mut out);
    out
}

fn event_numbers(model: &Model, out: &mut Vec<Diagnostic>) {
    for (ci, c) in model.contexts.iter().enumerate() {
        let retired: BTreeMap<u32, &str> =
            c.retired.iter().map(|r| (r.n, r.name.as_str())).collect();
        let retired_names: BTreeSet<String> = c.retired.iter().map(|r| pascal(&r.name)).collect();
        let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
        for (i, (e, n)) in c.events.iter().zip(c.event_numbers()).enumerate() {
            let id = Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: i,
            };
            let mut path = id.path();
            path.push(PathSeg::Key("n"));
            let mut bad = |why: String| {
                out.push(Diagnostic::new(
                    Code::BadEventNumber,
                    Some(id),
                    path.clone(),
                    format!(
                        "event {}: envelope number {n} {why}",
                        model.display_name(id)
                    ),
                ));
            };
            if n < FIRST_EVENT_NUMBER {
                bad(format!(
                    "is below {FIRST_EVENT_NUMBER} (1–15 hold the envelope's header)"
                ));
            } else if n > MAX_FIELD_NUMBER {
                bad(format!("is above the protobuf maximum {MAX_FIELD_NUMBER}"));
            } else if PROTO_RESERVED_RANGE.contains(&n) {
                bad("is in 19000–19999, which protobuf reserves".into());
            } else if let Some(old) = retired.get(&n) {
                bad(format!(
                    "was used by the removed event {old}; it is never reused"
                ));
            } else if let Some(first) = seen.insert(n, &e.name) {
                bad(format!("is also used by event {first}"));
            }
            let exported = if e.contract.is_empty() {
                &e.name
            } else {
                &e.contract
            };
            if retired_names.contains(&pascal(exported)) {
                let mut path = id.path();
                path.push(PathSeg::Key("name"));
                out.push(Diagnostic::new(
                    Code::BadEventNumber,
                    Some(id),
                    path,
                    format!(
                        "event {}: the name `{exported}` belonged to a removed event; old consumers would misread it (choose another name)",
                        model.display_name(id)
                    ),
                ));
            }
        }
    }
}

/// Contexts whose contracts import each other, directly or around a loop.
fn import_cycles(model: &Model, s: &super::schema::Schema, out: &mut Vec<Diagnostic>) {
    let by_package: BTreeMap<&str, usize> = s
        .files
        .iter()
        .map(|f| (f.package.as_str(), f.context))
        .collect();
    let mut graph = petgraph::graphmap::DiGraphMap::<usize, ()>::new();
    for f in &s.files {
        graph.add_node(f.context);
        let uses = f
            .messages
            .iter()
            .flat_map(|m| {
                m.fields
                    .iter()
                    .chain(m.nested.iter().flat_map(|n| &n.fields))
            })
            .filter_map(|fl| match &fl.ty {
                ProtoType::Message(p, _) | ProtoType::Enum(p, _) if *p != f.package => {
                    by_package.get(p.as_str()).copied()
                }
                _ => None,
            });
        for to in uses {
            graph.add_edge(f.context, to, ());
        }
    }
    for scc in petgraph::algo::tarjan_scc(&graph) {
        if scc.len() < 2 {
            continue;
        }
        let mut members = scc.clone();
        members.sort_unstable();
        let names: Vec<&str> = members
            .iter()
            .map(|&ci| model.contexts[ci].name.as_str())
            .collect();
        for &ci in &members {
            let id = Loc {
                kind: Kind::Context,
                context: None,
                index: ci,
            };
            let mut path = id.path();
            path.push(PathSeg::Key("name"));
            out.push(Diagnostic::new(
                Code::ImportCycle,
                Some(id),
                path,
                format!(
                    "the contracts of {} use each other's types, so their proto files would import each other: move the shared value objects or enums into one context",
                    names.join(", ")
                ),
            ));
        }
    }
}
