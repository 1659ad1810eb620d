//! What changed between the contracts of two models, and whose code or data it breaks.
//!
//! The comparison follows `buf breaking`: files by path, messages and enums by full name,
//! fields and enum values by number. Each change says the most lenient buf category that
//! reports it — WIRE (binary consumers), WIRE_JSON (binary and proto-JSON consumers) or
//! PACKAGE (generated code) — so that `stormlab diff` and `buf breaking` agree on the same
//! pair of exports.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::render::type_name;
use super::schema::{Label, Message, ProtoEnum, ProtoField, ProtoFile, ProtoType, Role, Schema};
use crate::model::element::Loc;

/// How far a change reaches: the most lenient `buf breaking` category that reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Breaks the binary encoding (buf WIRE and stricter).
    Wire,
    /// Breaks proto-JSON but not binary (buf WIRE_JSON and stricter).
    WireJson,
    /// Breaks generated code only (buf PACKAGE and FILE).
    Package,
}

impl Level {
    /// The buf category name.
    pub fn buf_category(self) -> &'static str {
        match self {
            Level::Wire => "WIRE",
            Level::WireJson => "WIRE_JSON",
            Level::Package => "PACKAGE",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Wire => "wire",
            Level::WireJson => "wire-json",
            Level::Package => "package",
        })
    }
}

/// One difference between the two contracts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The file (of the new export, or of the old one for what was removed).
    pub file: String,
    /// What changed, in words.
    pub message: String,
    /// None: compatible. Some(level): breaks consumers at that level and stricter ones.
    pub breaks: Option<Level>,
    /// The model element in the new model (or the old one, for what was removed).
    pub element: Option<Loc>,
    /// True if `element` refers to the old model.
    pub in_old: bool,
}

impl Change {
    /// True if this change breaks consumers when checking at `level`.
    pub fn breaks_at(&self, level: Level) -> bool {
        self.breaks.is_some_and(|b| b <= level)
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.breaks {
            Some(l) => write!(f, "BREAKING ({l}): {}: {}", self.file, self.message),
            None => write!(f, "compatible: {}: {}", self.file, self.message),
        }
    }
}

/// The changes from `old` to `new`, in file order.
pub fn diff(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut out = Vec::new();
    let olds: BTreeMap<&str, &ProtoFile> = old.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let news: BTreeMap<&str, &ProtoFile> = new.files.iter().map(|f| (f.path.as_str(), f)).collect();
    for f in &old.files {
        if !news.contains_key(f.path.as_str()) {
            // A moved package shows as a removed file and an added one, as buf sees it.
            let moved = new
                .files
                .iter()
                .find(|n| n.context_name == f.context_name)
                .map(|n| {
                    format!(
                        " (context {} now exports package `{}`)",
                        f.context_name, n.package
                    )
                })
                .unwrap_or_default();
            out.push(Change {
                file: f.path.clone(),
                message: format!("file removed: package `{}` is gone{moved}", f.package),
                breaks: Some(Level::Package),
                element: None,
                in_old: true,
            });
        }
    }
    for f in &new.files {
        match olds.get(f.path.as_str()) {
            None => out.push(Change {
                file: f.path.clone(),
                message: format!("file added: package `{}`", f.package),
                breaks: None,
                element: None,
                in_old: false,
            }),
            Some(o) => file(o, f, &mut out),
        }
    }
    out
}

fn file(old: &ProtoFile, new: &ProtoFile, out: &mut Vec<Change>) {
    let push = |out: &mut Vec<Change>, message: String, breaks, element, in_old| {
        out.push(Change {
            file: new.path.clone(),
            message,
            breaks,
            element,
            in_old,
        })
    };
    let old_enums: BTreeMap<&str, &ProtoEnum> =
        old.enums.iter().map(|e| (e.name.as_str(), e)).collect();
    let new_enums: BTreeMap<&str, &ProtoEnum> =
        new.enums.iter().map(|e| (e.name.as_str(), e)).collect();
    for e in &old.enums {
        if !new_enums.contains_key(e.name.as_str()) {
            push(
                out,
                format!("enum {} removed", e.name),
                Some(Level::Package),
                Some(e.element),
                true,
            );
        }
    }
    for e in &new.enums {
        match old_enums.get(e.name.as_str()) {
            None => push(
                out,
                format!("enum {} added", e.name),
                None,
                Some(e.element),
                false,
            ),
            Some(o) => enum_values(o, e, &new.path, out),
        }
    }
    let old_msgs = flatten(&old.messages);
    let new_msgs = flatten(&new.messages);
    for (name, m) in &old_msgs {
        if !new_msgs.contains_key(name) {
            push(
                out,
                format!("message {name} removed"),
                Some(Level::Package),
                m.element,
                true,
            );
        }
    }
    for (name, m) in &new_msgs {
        match old_msgs.get(name) {
            None => push(out, format!("message {name} added"), None, m.element, false),
            Some(o) => message(name, o, m, &old.package, &new.package, &new.path, out),
        }
    }
}

/// Messages by (nested) name, `Outer.Inner` for wrappers.
fn flatten(messages: &[Message]) -> BTreeMap<String, &Message> {
    let mut out = BTreeMap::new();
    for m in messages {
        out.insert(m.name.clone(), m);
        for n in &m.nested {
            out.insert(format!("{}.{}", m.name, n.name), n);
        }
    }
    out
}

fn enum_values(old: &ProtoEnum, new: &ProtoEnum, path: &str, out: &mut Vec<Change>) {
    let olds: BTreeMap<i32, &str> = old.values.iter().map(|(n, v)| (*v, n.as_str())).collect();
    let news: BTreeMap<i32, &str> = new.values.iter().map(|(n, v)| (*v, n.as_str())).collect();
    let mut push = |message: String, breaks| {
        out.push(Change {
            file: path.to_owned(),
            message: format!("enum {}: {message}", new.name),
            breaks,
            element: Some(new.element),
            in_old: false,
        })
    };
    for (n, name) in &olds {
        match news.get(n) {
            None => push(
                format!("value {n} `{name}` removed (old data holding it cannot be read back)"),
                Some(Level::Wire),
            ),
            Some(new_name) if new_name != name => push(
                format!(
                    "value {n} renamed from `{name}` to `{new_name}` (values are numbered by their order: reordering renumbers them)"
                ),
                Some(Level::WireJson),
            ),
            Some(_) => {}
        }
    }
    for (n, name) in &news {
        if !olds.contains_key(n) {
            push(format!("value {n} `{name}` added"), None);
        }
    }
}

fn message(
    name: &str,
    old: &Message,
    new: &Message,
    old_package: &str,
    new_package: &str,
    path: &str,
    out: &mut Vec<Change>,
) {
    let mut push = |message: String, breaks| {
        out.push(Change {
            file: path.to_owned(),
            message: format!("message {name}: {message}"),
            breaks,
            element: new.element,
            in_old: false,
        })
    };
    let olds: BTreeMap<u32, &ProtoField> = old.fields.iter().map(|f| (f.number, f)).collect();
    let news: BTreeMap<u32, &ProtoField> = new.fields.iter().map(|f| (f.number, f)).collect();
    let reserved_numbers: BTreeSet<u32> = new.reserved_numbers.iter().copied().collect();
    let reserved_names: BTreeSet<&str> = new.reserved_names.iter().map(String::as_str).collect();
    for (n, f) in &olds {
        let Some(g) = news.get(n) else {
            let (num, nm) = (
                reserved_numbers.contains(n),
                reserved_names.contains(f.name.as_str()),
            );
            // Generated code that used the field breaks even when both are reserved (buf's
            // FIELD_NO_DELETE, in PACKAGE and FILE).
            let breaks = match (num, nm) {
                (true, true) => Level::Package,
                (true, false) => Level::WireJson,
                _ => Level::Wire,
            };
            let how = match breaks {
                Level::Package => "removed; its number and name are reserved",
                Level::WireJson => "removed; its number is reserved but its name is not",
                Level::Wire => "removed without reserving its number",
            };
            let hint = if f.in_oneof && new.role == (Role::Envelope { integration: true }) {
                " (an unpublished event stays compatible when it is marked `withdrawn: true`, as the studio does)"
            } else {
                ""
            };
            push(format!("field {n} `{}` {how}{hint}", f.name), Some(breaks));
            continue;
        };
        if f.name != g.name {
            push(
                format!(
                    "field {n} renamed from `{}` to `{}` (binary consumers are unaffected; proto-JSON uses the name)",
                    f.name, g.name
                ),
                Some(Level::WireJson),
            );
        }
        if f.deprecated != g.deprecated {
            let what = if g.deprecated {
                "is deprecated (its event was withdrawn: old records still read)"
            } else {
                "is no longer deprecated"
            };
            push(format!("field {n} `{}` {what}", g.name), None);
        }
        if f.in_oneof != g.in_oneof {
            push(
                format!("field {n} `{}` moved in or out of the oneof", g.name),
                Some(Level::Wire),
            );
        }
        let (a, b) = (type_name(&f.ty, old_package), type_name(&g.ty, new_package));
        let same_type = same_type(&f.ty, &g.ty);
        if !same_type {
            let level = if integer_like(&f.ty) && integer_like(&g.ty) {
                Level::WireJson
            } else {
                Level::Wire
            };
            push(
                format!("field {n} `{}` changed type from {a} to {b}", g.name),
                Some(level),
            );
        }
        if (f.label == Label::Repeated) != (g.label == Label::Repeated) {
            push(
                format!(
                    "field {n} `{}` changed between a single value and a list",
                    g.name
                ),
                Some(Level::Wire),
            );
        } else if f.label != g.label {
            push(
                format!(
                    "field {n} `{}` gained or lost `optional` (explicit presence: generated code changes)",
                    g.name
                ),
                Some(Level::Package),
            );
        }
    }
    for (n, g) in &news {
        if !olds.contains_key(n) {
            push(format!("field {n} `{}` added", g.name), None);
        }
    }
    // Reservations are promises: dropping one (or using its number again) breaks old data.
    for n in &old.reserved_numbers {
        if !reserved_numbers.contains(n) {
            let why = match news.get(n) {
                Some(g) => format!("reserved number {n} is used again by field `{}`", g.name),
                None => format!("reserved number {n} is no longer reserved"),
            };
            push(why, Some(Level::Wire));
        }
    }
    for nm in &old.reserved_names {
        if !reserved_names.contains(nm.as_str()) {
            let why = match new.fields.iter().find(|g| &g.name == nm) {
                Some(g) => format!("reserved name `{nm}` is used again by field {}", g.number),
                None => format!("reserved name `{nm}` is no longer reserved"),
            };
            push(why, Some(Level::Wire));
        }
    }
}

fn same_type(a: &ProtoType, b: &ProtoType) -> bool {
    a == b
}

/// Types that share the varint wire encoding (binary-compatible, JSON-incompatible).
fn integer_like(t: &ProtoType) -> bool {
    matches!(t, ProtoType::Int64 | ProtoType::Uint64 | ProtoType::Bool)
}

/// The number of changes that break at `level`.
pub fn breaking(changes: &[Change], level: Level) -> usize {
    changes.iter().filter(|c| c.breaks_at(level)).count()
}
