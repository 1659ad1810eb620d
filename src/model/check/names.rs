//! Names and contract numbering: duplicates, identifiers, protobuf clashes after case
//! conversion, stable field numbers and reserved numbers and names.

use std::collections::BTreeMap;

use super::Checker;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::field::{Field, MAX_FIELD_NUMBER, PROTO_RESERVED_RANGE, Reserved};
use crate::model::naming::{pascal_case, snake_case, upper_snake_case};
use crate::model::ty::is_identifier;

const MESSAGES: [Kind; 4] = [Kind::Command, Kind::Event, Kind::Value, Kind::Enum];

pub(super) fn check(c: &mut Checker<'_>) {
    let model = c.model;
    let elements = model.elements();
    // Context names: unique, identifiers.
    let mut seen: BTreeMap<String, Loc> = BTreeMap::new();
    for e in elements.iter().filter(|e| e.loc.kind == Kind::Context) {
        identifier(c, e.loc, e.name, vec![]);
        if let Some(first) = seen.insert(snake_case(e.name), e.loc) {
            let code = if model.name_of(first) == Some(e.name) {
                Code::DuplicateName
            } else {
                Code::ProtoNameClash
            };
            c.push(
                code,
                Some(e.loc),
                e.loc.path(),
                format!(
                    "context {} has the same name as context {} (proto package `{}`)",
                    e.name,
                    c.name(first),
                    snake_case(e.name)
                ),
            );
        }
    }
    for ci in 0..model.contexts.len() {
        let in_ctx: Vec<_> = elements
            .iter()
            .filter(|e| e.loc.context == Some(ci) && e.loc.kind != Kind::HotSpot)
            .collect();
        let mut messages: BTreeMap<String, (Loc, String)> = BTreeMap::new();
        let mut others: BTreeMap<&str, Loc> = BTreeMap::new();
        // Aggregate lifecycles become enums named `<Aggregate>Lifecycle` in the contract.
        let lifecycles: Vec<(Loc, String)> = in_ctx
            .iter()
            .filter(|e| e.loc.kind == Kind::Aggregate)
            .map(|e| (e.loc, format!("{}Lifecycle", e.name)))
            .collect();
        for e in &in_ctx {
            identifier(c, e.loc, e.name, vec![]);
            if MESSAGES.contains(&e.loc.kind) {
                let key = pascal_case(e.name);
                match messages.get(&key) {
                    Some((first, first_name)) if first_name == e.name => {
                        let msg = format!(
                            "{} {} is declared twice in {} (also as {} {})",
                            e.loc.kind,
                            e.name,
                            model.contexts[ci].name,
                            first.kind,
                            c.name(*first)
                        );
                        c.push(Code::DuplicateName, Some(e.loc), e.loc.path(), msg);
                    }
                    Some((first, first_name)) => {
                        let msg = format!(
                            "{} {} and {} {first_name} both become the protobuf name `{key}`",
                            e.loc.kind, e.name, first.kind
                        );
                        c.push(Code::ProtoNameClash, Some(e.loc), e.loc.path(), msg);
                    }
                    None => {
                        messages.insert(key, (e.loc, e.name.to_owned()));
                    }
                }
            } else if let Some(first) = others.insert(e.name, e.loc) {
                let msg = format!(
                    "{} {} has the same name as {} {} in {}",
                    e.loc.kind, e.name, first.kind, e.name, model.contexts[ci].name
                );
                c.push(Code::DuplicateName, Some(e.loc), e.loc.path(), msg);
            }
        }
        for (agg, name) in lifecycles {
            if let Some((other, other_name)) = messages.get(&pascal_case(&name)) {
                let msg = format!(
                    "the lifecycle enum of aggregate {} (`{name}`) clashes with {} {other_name}",
                    c.name(agg),
                    other.kind
                );
                c.push(Code::ProtoNameClash, Some(*other), other.path(), msg);
            }
        }
        members(c, ci);
    }
}

fn identifier(c: &mut Checker<'_>, id: Loc, name: &str, rest: Vec<PathSeg>) {
    if !is_identifier(name) {
        let key = if id.kind == Kind::HotSpot {
            "text"
        } else {
            "name"
        };
        let mut path = c.at(id, &rest);
        if rest.is_empty() {
            path.push(PathSeg::Key(key));
        }
        let what = if rest.is_empty() {
            format!("{} name", id.kind)
        } else {
            "name".to_owned()
        };
        c.push(
            Code::NotAnIdentifier,
            Some(id),
            path,
            format!("{what} `{name}` is not an identifier: use letters, digits and `_`, starting with a letter (it becomes a protobuf name)"),
        );
    }
}

/// A field list to check: owner, its key in the file, fields, reserved, exported as proto.
type FieldList<'a> = (Loc, &'static str, &'a [Field], &'a [Reserved], bool);

fn members(c: &mut Checker<'_>, ci: usize) {
    let ctx = &c.model.contexts[ci];
    let id = |kind, index| Loc {
        kind,
        context: Some(ci),
        index,
    };
    let mut work: Vec<FieldList<'_>> = Vec::new();
    for (i, e) in ctx.commands.iter().enumerate() {
        work.push((id(Kind::Command, i), "fields", &e.fields, &e.reserved, true));
    }
    for (i, e) in ctx.events.iter().enumerate() {
        work.push((id(Kind::Event, i), "fields", &e.fields, &e.reserved, true));
    }
    for (i, e) in ctx.values.iter().enumerate() {
        work.push((id(Kind::Value, i), "fields", &e.fields, &e.reserved, true));
    }
    for (i, e) in ctx.aggregates.iter().enumerate() {
        work.push((id(Kind::Aggregate, i), "state", &e.state, &[], false));
    }
    for (i, e) in ctx.read_models.iter().enumerate() {
        work.push((id(Kind::ReadModel, i), "columns", &e.columns, &[], false));
    }
    for (eid, key, fields, reserved, exported) in work {
        fields_check(c, eid, key, fields, reserved, exported);
    }
    for (i, e) in ctx.enums.iter().enumerate() {
        let eid = id(Kind::Enum, i);
        let values: Vec<&str> = e.values.iter().map(String::as_str).collect();
        list_check(c, eid, "values", &values, "value", upper_snake_case);
    }
    for (i, a) in ctx.aggregates.iter().enumerate() {
        let eid = id(Kind::Aggregate, i);
        let states: Vec<&str> = a.lifecycle.iter().map(String::as_str).collect();
        list_check(
            c,
            eid,
            "lifecycle",
            &states,
            "lifecycle state",
            upper_snake_case,
        );
        if a.lifecycle.is_empty() {
            let path = c.at(eid, &[PathSeg::Key("lifecycle")]);
            c.push(Code::UnknownState, Some(eid), path, format!("aggregate {} has no lifecycle states; the first one is the state before any event", c.name(eid)));
        }
    }
}

/// Duplicates and identifiers in a list of names (enum values, lifecycle states).
fn list_check(
    c: &mut Checker<'_>,
    id: Loc,
    key: &'static str,
    names: &[&str],
    what: &str,
    proto: fn(&str) -> String,
) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (j, n) in names.iter().enumerate() {
        let rest = [PathSeg::Key(key), PathSeg::Index(j)];
        identifier(c, id, n, rest.to_vec());
        match seen.insert(proto(n), n) {
            Some(first) if first == *n => {
                let path = c.at(id, &rest);
                c.push(
                    Code::DuplicateMember,
                    Some(id),
                    path,
                    format!("{} {}: {what} `{n}` is declared twice", id.kind, c.name(id)),
                );
            }
            Some(first) => {
                let path = c.at(id, &rest);
                c.push(
                    Code::ProtoNameClash,
                    Some(id),
                    path,
                    format!(
                        "{} {}: {what}s `{first}` and `{n}` both become `{}`",
                        id.kind,
                        c.name(id),
                        proto(n)
                    ),
                );
            }
            None => {}
        }
    }
}

fn fields_check(
    c: &mut Checker<'_>,
    id: Loc,
    key: &'static str,
    fields: &[Field],
    reserved: &[Reserved],
    exported: bool,
) {
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    let mut numbers: BTreeMap<u32, &str> = BTreeMap::new();
    let owner = format!("{} {}", id.kind, c.name(id));
    for (j, f) in fields.iter().enumerate() {
        let at = |c: &Checker<'_>, k: &'static str| {
            c.at(id, &[PathSeg::Key(key), PathSeg::Index(j), PathSeg::Key(k)])
        };
        identifier(
            c,
            id,
            &f.name,
            vec![PathSeg::Key(key), PathSeg::Index(j), PathSeg::Key("name")],
        );
        match names.insert(snake_case(&f.name), &f.name) {
            Some(first) if first == f.name => {
                let path = at(c, "name");
                c.push(
                    Code::DuplicateMember,
                    Some(id),
                    path,
                    format!("{owner}: field `{}` is declared twice", f.name),
                );
            }
            Some(first) => {
                let path = at(c, "name");
                c.push(
                    Code::ProtoNameClash,
                    Some(id),
                    path,
                    format!(
                        "{owner}: fields `{first}` and `{}` both become `{}`",
                        f.name,
                        snake_case(&f.name)
                    ),
                );
            }
            None => {}
        }
        if !exported {
            continue;
        }
        let bad = if f.n == 0 {
            Some("field numbers start at 1".to_owned())
        } else if f.n > MAX_FIELD_NUMBER {
            Some(format!("field numbers end at {MAX_FIELD_NUMBER}"))
        } else if PROTO_RESERVED_RANGE.contains(&f.n) {
            Some("numbers 19000-19999 are reserved by protobuf".to_owned())
        } else {
            numbers
                .insert(f.n, &f.name)
                .map(|first| format!("number {} is already used by field `{first}`", f.n))
        };
        if let Some(why) = bad {
            let path = at(c, "n");
            c.push(
                Code::BadFieldNumber,
                Some(id),
                path,
                format!("{owner}: field `{}` has number {}: {why}", f.name, f.n),
            );
        }
        if let Some(r) = reserved.iter().find(|r| r.n == f.n) {
            let path = at(c, "n");
            c.push(Code::ReusesReserved, Some(id), path, format!("{owner}: field `{}` reuses number {}, reserved since field `{}` was removed; give it a new number", f.name, f.n, r.name));
        }
        if let Some(r) = reserved.iter().find(|r| r.name == f.name && r.n != f.n) {
            let path = at(c, "name");
            c.push(
                Code::ReusesReserved,
                Some(id),
                path,
                format!(
                    "{owner}: field name `{}` is reserved (it was field {}); choose another name",
                    f.name, r.n
                ),
            );
        }
    }
}
