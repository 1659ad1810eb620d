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
    organisation(c);
    scenario_names(c);
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
    // The elements of each context, grouped once (a filter per context was quadratic).
    let mut by_context: Vec<Vec<_>> = vec![Vec::new(); model.contexts.len()];
    for e in elements.iter().filter(|e| e.loc.kind != Kind::HotSpot) {
        if let Some(list) = e.loc.context.and_then(|ci| by_context.get_mut(ci)) {
            list.push(e);
        }
    }
    for (ci, in_ctx) in by_context.into_iter().enumerate() {
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

/// The longest name that becomes a protobuf name, package segment or file name (a file name
/// is at most 255 bytes on common file systems; protoc refuses packages past 512).
pub const MAX_NAME_LEN: usize = 100;

/// The model's organisation: dot-separated identifiers, the first segment of every package.
fn organisation(c: &mut Checker<'_>) {
    let org = &c.model.org;
    let why = if org.len() > MAX_NAME_LEN {
        Some(format!("it is longer than {MAX_NAME_LEN} characters"))
    } else if !org.split('.').all(is_identifier) {
        Some("use identifiers separated by dots, such as `acme` or `acme.shop`".to_owned())
    } else {
        None
    };
    if let Some(why) = why {
        let shown: String = org.chars().take(40).collect();
        c.push(
            Code::BadContractName,
            None,
            vec![PathSeg::Key("org")],
            format!("organisation `{shown}` cannot begin a protobuf package: {why}"),
        );
    }
    for (ci, ctx) in c.model.contexts.iter().enumerate() {
        let p = &ctx.package;
        if p.is_empty() || (p.len() <= MAX_NAME_LEN && is_identifier(p)) {
            continue;
        }
        let loc = Loc {
            kind: Kind::Context,
            context: None,
            index: ci,
        };
        let shown: String = p.chars().take(40).collect();
        let msg = format!(
            "context {}: package `{shown}` must be one identifier of at most {MAX_NAME_LEN} characters",
            ctx.name
        );
        let path = c.at(loc, &[PathSeg::Key("package")]);
        c.push(Code::BadContractName, Some(loc), path, msg);
    }
}

/// Scenario names: each one picks its scenario (`--scenario NAME`, the studio's list).
fn scenario_names(c: &mut Checker<'_>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (si, s) in c.model.scenarios.iter().enumerate() {
        let loc = Loc {
            kind: Kind::Scenario,
            context: None,
            index: si,
        };
        let why = if s.name.trim().is_empty() {
            Some("a scenario needs a name".to_owned())
        } else if s.name.chars().any(char::is_control) {
            Some(format!(
                "scenario {:?} has a line break or control character in its name",
                s.name
            ))
        } else {
            seen.insert(&s.name, si).map(|first| {
                format!(
                    "scenarios {} and {} are both named `{}`",
                    first + 1,
                    si + 1,
                    s.name
                )
            })
        };
        if let Some(why) = why {
            let path = c.at(loc, &[PathSeg::Key("name")]);
            c.push(Code::BadScenarioName, Some(loc), path, why);
        }
    }
}

fn identifier(c: &mut Checker<'_>, id: Loc, name: &str, rest: Vec<PathSeg>) {
    if name.len() > MAX_NAME_LEN {
        let mut path = c.at(id, &rest);
        if rest.is_empty() {
            path.push(PathSeg::Key("name"));
        }
        let shown: String = name.chars().take(40).collect();
        c.push(
            Code::BadContractName,
            Some(id),
            path,
            format!(
                "name `{shown}…` is {} characters long; names become protobuf names and file names, at most {MAX_NAME_LEN} characters",
                name.len()
            ),
        );
        return;
    }
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
