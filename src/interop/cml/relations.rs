//! The context map's relationships as relations: which side is upstream from the arrow or
//! keyword, the patterns from the roles written at each side (`[U,S,OHS,PL] -> [D,C,ACL]`
//! is Customer/Supplier, Open Host Service, Published Language and Anticorruption Layer),
//! the name and settings as the relation's description. Aggregates an upstream exposes
//! publish their events.

use super::Note;
use super::ast::{Arrow, ContextMap, Name, Relationship};
use crate::model::uid::Uid;
use crate::model::{BoundedContext, Model, Pattern, Relation};

/// Adds `map`'s relationships to `model`, whose contexts are already there.
pub fn add(model: &mut Model, map: &ContextMap, notes: &mut Vec<Note>) {
    let index: std::collections::HashMap<String, usize> = model
        .contexts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    for r in &map.relationships {
        let known = |n: &Name| index.contains_key(&n.text);
        if let Some(missing) = [&r.left, &r.right].into_iter().find(|n| !known(n)) {
            notes.push(Note {
                span: missing.span.clone(),
                message: format!(
                    "{} is not a bounded context of this file: the relationship is skipped",
                    missing.text
                ),
            });
            continue;
        }
        let relation = relation(r, notes);
        if let Some(&u) = index.get(relation.upstream.as_str()) {
            publish_exposed(&mut model.contexts[u], r, notes);
        }
        model.relations.push(relation);
    }
}

fn relation(r: &Relationship, notes: &mut Vec<Note>) -> Relation {
    let roles = |names: &[Name]| -> Vec<String> { names.iter().map(|n| n.text.clone()).collect() };
    let (left, right) = (roles(&r.left_roles), roles(&r.right_roles));
    let has = |side: &[String], role: &str| side.iter().any(|x| x == role);
    // Which side is upstream, from the arrow or keyword, else from the roles.
    let left_up = match r.arrow {
        Arrow::Right | Arrow::SupplierCustomer | Arrow::UpstreamDownstream => true,
        Arrow::Left | Arrow::CustomerSupplier | Arrow::DownstreamUpstream => false,
        Arrow::Both | Arrow::Partnership | Arrow::SharedKernel => true,
    };
    let (up, down, up_roles, down_roles) = if left_up {
        (&r.left, &r.right, &left, &right)
    } else {
        (&r.right, &r.left, &right, &left)
    };
    let mut patterns = Vec::new();
    let symmetric = matches!(
        r.arrow,
        Arrow::Both | Arrow::Partnership | Arrow::SharedKernel
    );
    if symmetric {
        let partnership = r.arrow == Arrow::Partnership
            || (r.arrow == Arrow::Both && (has(&left, "P") || has(&right, "P")));
        patterns.push(if partnership {
            Pattern::Partnership
        } else {
            Pattern::SharedKernel
        });
    } else {
        let customer_supplier =
            matches!(r.arrow, Arrow::CustomerSupplier | Arrow::SupplierCustomer)
                || has(up_roles, "S")
                || has(down_roles, "C");
        if customer_supplier {
            patterns.push(Pattern::CustomerSupplier);
        }
        for (side, role, p) in [
            (up_roles, "OHS", Pattern::OpenHostService),
            (up_roles, "PL", Pattern::PublishedLanguage),
            (down_roles, "ACL", Pattern::AnticorruptionLayer),
            (down_roles, "CF", Pattern::Conformist),
        ] {
            if has(side, role) {
                patterns.push(p);
            }
        }
    }
    let expected: &[&str] = if symmetric {
        &["P", "SK"]
    } else {
        &["U", "D", "S", "C", "OHS", "PL", "ACL", "CF"]
    };
    for n in r.left_roles.iter().chain(&r.right_roles) {
        if !expected.contains(&n.text.as_str()) {
            notes.push(Note {
                span: n.span.clone(),
                message: format!(
                    "role `{}` is not one this relationship can have: ignored",
                    n.text
                ),
            });
        }
    }
    if patterns.is_empty() {
        notes.push(Note {
            span: r.span.clone(),
            message: format!(
                "{} -> {} names no pattern (a plain upstream/downstream relationship, which \
                 Stormlab does not have): imported as Conformist",
                up.text, down.text
            ),
        });
        patterns.push(Pattern::Conformist);
    }
    let mut doc = Vec::new();
    if let Some(n) = &r.name {
        doc.push(n.text.clone());
    }
    for s in &r.settings {
        doc.push(format!("{}: {}", s.key.text, s.values.join(", ")));
    }
    let pattern = patterns.remove(0);
    Relation {
        uid: Uid::NONE,
        upstream: up.text.as_str().into(),
        downstream: down.text.as_str().into(),
        pattern,
        also: patterns,
        doc: doc.join("\n"),
        translations: Vec::new(),
    }
}

/// Marks the events of the aggregates a relationship's upstream exposes as published.
fn publish_exposed(ctx: &mut BoundedContext, r: &Relationship, notes: &mut Vec<Note>) {
    let upstream = ctx.name.clone();
    for s in r
        .settings
        .iter()
        .filter(|s| s.key.text == "exposedAggregates")
    {
        for a in &s.values {
            if !ctx.aggregates.iter().any(|x| &x.name == a) {
                notes.push(Note {
                    span: s.key.span.clone(),
                    message: format!("{upstream} has no aggregate {a} to expose"),
                });
                continue;
            }
            for e in ctx.events.iter_mut().filter(|e| e.owner == a.as_str()) {
                e.published = true;
            }
        }
    }
}
