//! The contracts of a model as protobuf declarations: one file per bounded context with its
//! enums, value objects, commands, events and event envelopes. Rendering ([`super::render`]),
//! the compatibility report ([`super::diff`]) and the binary log ([`super::encode`]) all read
//! this one description, so they cannot disagree.
//!
//! Layout (DESIGN.md §3): `<org>/<context>/v<N>/<context>.proto`, package
//! `<org>.<context>.v<N>`. Each context gets `<Context>Envelope` (every event of the context,
//! as written to its streams) and, when it publishes any, `<Context>IntegrationEnvelope`
//! (its published language only: what other contexts may consume).
//!
//! The integration envelope is built so that publishing and unpublishing are compatible
//! changes at every `buf breaking` level: publishing an internal event adds a case (internal
//! events' numbers are not reserved there, since dropping a reservation breaks); an event that
//! is unpublished is `withdrawn` and keeps its case, marked deprecated (deleting the case
//! would break old data, and reserving it would forbid publishing it again).

use std::collections::{BTreeMap, BTreeSet};

use super::names::{Scope, pascal, snake, upper};
use crate::model::element::{Kind, Loc};
use crate::model::field::{Field, Reserved};
use crate::model::resolve::NameIndex;
use crate::model::{Model, Type};

/// Every exported file.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// One per bounded context, in model order.
    pub files: Vec<ProtoFile>,
}

/// One `.proto` file: a bounded context's contracts.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoFile {
    /// The context's index in the model.
    pub context: usize,
    /// The context's name.
    pub context_name: String,
    /// Relative path, `<org>/<context>/v<N>/<context>.proto`.
    pub path: String,
    /// `<org>.<context>.v<N>`.
    pub package: String,
    /// The context's description.
    pub doc: String,
    /// Imported files, sorted: only what the file uses.
    pub imports: BTreeSet<String>,
    /// Enums: the model's, then one lifecycle enum per aggregate.
    pub enums: Vec<ProtoEnum>,
    /// Messages: value objects, commands, events, envelopes.
    pub messages: Vec<Message>,
}

/// An enum.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoEnum {
    /// `PascalCase` name.
    pub name: String,
    /// Description.
    pub doc: String,
    /// Values, the first `<ENUM>_UNSPECIFIED = 0`.
    pub values: Vec<(String, i32)>,
    /// The model's value names in order: `sources[i]` is exported as `values[i + 1]`.
    pub sources: Vec<String>,
    /// The model element it comes from.
    pub element: Loc,
}

/// What a message stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A value object.
    Value,
    /// A command.
    Command,
    /// A domain event; `published` for an integration event.
    Event {
        /// Part of the context's published language.
        published: bool,
    },
    /// An envelope; `integration` for the published-language envelope.
    Envelope {
        /// Only the published events.
        integration: bool,
    },
    /// A wrapper for a list of lists.
    Wrapper,
}

/// A message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// `PascalCase` name.
    pub name: String,
    /// Description (comment lines).
    pub doc: String,
    /// What it stands for.
    pub role: Role,
    /// Fields in declaration order (envelopes: the header, then the `event` oneof cases).
    pub fields: Vec<ProtoField>,
    /// Reserved numbers, sorted.
    pub reserved_numbers: Vec<u32>,
    /// Reserved names, sorted.
    pub reserved_names: Vec<String>,
    /// Nested wrapper messages.
    pub nested: Vec<Message>,
    /// The model element it comes from (none for envelopes).
    pub element: Option<Loc>,
}

/// The scalar or named type of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProtoType {
    /// `string` (also ids and decimals).
    String,
    /// `int64`.
    Int64,
    /// `uint64`.
    Uint64,
    /// `bool`.
    Bool,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `google.protobuf.Duration`.
    Duration,
    /// A message, by package and name.
    Message(String, String),
    /// An enum, by package and name.
    Enum(String, String),
    /// A wrapper message nested in the field's message.
    Nested(String),
}

/// How many values a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// One value (proto3 implicit presence).
    Plain,
    /// `optional`: explicit presence.
    Optional,
    /// `repeated`.
    Repeated,
}

/// A field.
#[derive(Clone, Debug, PartialEq)]
pub struct ProtoField {
    /// `lower_snake_case` name.
    pub name: String,
    /// Field number.
    pub number: u32,
    /// Type.
    pub ty: ProtoType,
    /// Cardinality.
    pub label: Label,
    /// Description.
    pub doc: String,
    /// True for a case of the envelope's `event` oneof.
    pub in_oneof: bool,
    /// Marked `[deprecated = true]`: a withdrawn event's case of the integration envelope.
    pub deprecated: bool,
    /// The model field (or event) it comes from, for the diff's messages.
    pub model_name: String,
    /// The model type (none for envelope fields), for encoding values.
    pub model_type: Option<Type>,
}

/// Envelope header fields: name, number, type, description.
pub const ENVELOPE_HEADER: [(&str, u32, ProtoType, &str); 7] = [
    (
        "event_id",
        1,
        ProtoType::String,
        "Event id (UUID layout), unique in the log.",
    ),
    (
        "stream",
        2,
        ProtoType::String,
        "The stream, `<Aggregate>/<id>`.",
    ),
    (
        "version",
        3,
        ProtoType::Uint64,
        "Version of the event in its stream, from 1.",
    ),
    (
        "position",
        4,
        ProtoType::Uint64,
        "Global position in the log, from 1 (as in the JSON Lines log and the studio).",
    ),
    ("occurred_at", 5, ProtoType::Timestamp, "When it happened."),
    (
        "correlation_id",
        6,
        ProtoType::String,
        "The id shared by everything one request caused.",
    ),
    (
        "causation_id",
        7,
        ProtoType::String,
        "The event or command that caused this event.",
    ),
];

/// The envelope header's fields ([`ENVELOPE_HEADER`]) as proto fields.
pub fn header_fields() -> Vec<ProtoField> {
    ENVELOPE_HEADER
        .iter()
        .map(|(n, number, ty, doc)| ProtoField {
            name: (*n).to_owned(),
            number: *number,
            ty: ty.clone(),
            label: Label::Plain,
            doc: (*doc).to_owned(),
            in_oneof: false,
            deprecated: false,
            model_name: (*n).to_owned(),
            model_type: None,
        })
        .collect()
}

/// Where each named type of the model is exported: element → (package, proto name).
type TypeNames = BTreeMap<Loc, (String, String)>;

/// The directory segment and package of a context: `(org, context, version)` sanitized.
fn package_parts(model: &Model, ci: usize) -> (String, String, String) {
    let org = model
        .org
        .split('.')
        .map(snake)
        .collect::<Vec<_>>()
        .join(".");
    let ctx = snake(&model.contexts[ci].package_segment());
    (org, ctx, format!("v{}", model.version.max(1)))
}

/// `<org>/<context>/v<N>/<context>.proto` (org segments become folders).
fn file_path(org: &str, ctx: &str, version: &str) -> String {
    format!("{}/{ctx}/{version}/{ctx}.proto", org.replace('.', "/"))
}

/// The exported contracts of `model`. Never fails: names are sanitized and made unique; a
/// model with errors exports what can be exported (the CLI refuses such models before).
pub fn schema(model: &Model) -> Schema {
    build(model, true)
}

/// The schema without the envelopes, which the lint rules do not read (they name no
/// element, take no name another message wants, and import only the timestamp): on a
/// board of tens of thousands of contexts their header fields are most of the work.
pub(super) fn without_envelopes(model: &Model) -> Schema {
    build(model, false)
}

fn build(model: &Model, envelopes: bool) -> Schema {
    let index = NameIndex::new(model);
    let mut packages = Vec::new();
    let mut types: TypeNames = BTreeMap::new();
    let mut scopes: Vec<Scope> = Vec::new();
    // Pass 1: name every enum and message of every context.
    for (ci, c) in model.contexts.iter().enumerate() {
        let (org, ctx, v) = package_parts(model, ci);
        let package = format!("{org}.{ctx}.{v}");
        let mut scope = Scope::default();
        let id = |kind, index| Loc {
            kind,
            context: Some(ci),
            index,
        };
        for (i, e) in c.enums.iter().enumerate() {
            let name = scope.claim(pascal(contract_or(&e.contract, &e.name)), "");
            types.insert(id(Kind::Enum, i), (package.clone(), name));
        }
        for (i, a) in c.aggregates.iter().enumerate() {
            let name = scope.claim(pascal(&format!("{}Lifecycle", a.name)), "");
            types.insert(id(Kind::Aggregate, i), (package.clone(), name));
        }
        for (i, e) in c.values.iter().enumerate() {
            let name = scope.claim(pascal(contract_or(&e.contract, &e.name)), "");
            types.insert(id(Kind::Value, i), (package.clone(), name));
        }
        for (i, e) in c.commands.iter().enumerate() {
            let name = scope.claim(pascal(contract_or(&e.contract, &e.name)), "");
            types.insert(id(Kind::Command, i), (package.clone(), name));
        }
        for (i, e) in c.events.iter().enumerate() {
            let name = scope.claim(pascal(contract_or(&e.contract, &e.name)), "");
            types.insert(id(Kind::Event, i), (package.clone(), name));
        }
        packages.push((org, ctx, v, package));
        scopes.push(scope);
    }
    // Pass 2: the declarations.
    let mut files = Vec::new();
    for (ci, c) in model.contexts.iter().enumerate() {
        let (org, ctx, v, package) = packages[ci].clone();
        let scope = &mut scopes[ci];
        let id = |kind, index| Loc {
            kind,
            context: Some(ci),
            index,
        };
        let name_of = |eid: Loc| types.get(&eid).map(|(_, n)| n.clone()).unwrap_or_default();
        let mut file = ProtoFile {
            context: ci,
            context_name: c.name.clone(),
            path: file_path(&org, &ctx, &v),
            package: package.clone(),
            doc: c.doc.clone(),
            imports: BTreeSet::new(),
            enums: Vec::new(),
            messages: Vec::new(),
        };
        let mut values_scope = Scope::default();
        for (i, e) in c.enums.iter().enumerate() {
            let name = name_of(id(Kind::Enum, i));
            let doc = e.doc.clone();
            file.enums.push(enumeration(
                name,
                doc,
                &e.values,
                id(Kind::Enum, i),
                &mut values_scope,
            ));
        }
        for (i, a) in c.aggregates.iter().enumerate() {
            if a.lifecycle.is_empty() {
                continue;
            }
            let name = name_of(id(Kind::Aggregate, i));
            let doc = format!("Lifecycle states of the {} aggregate.", a.name);
            file.enums.push(enumeration(
                name,
                doc,
                &a.lifecycle,
                id(Kind::Aggregate, i),
                &mut values_scope,
            ));
        }
        let mut cx = Fields {
            model,
            index: &index,
            types: &types,
            context: ci,
            package: &package,
            imports: &mut file.imports,
        };
        for (i, e) in c.values.iter().enumerate() {
            let eid = id(Kind::Value, i);
            let m = cx.message(
                name_of(eid),
                &e.doc,
                Role::Value,
                &e.fields,
                &e.reserved,
                eid,
            );
            file.messages.push(m);
        }
        for (i, e) in c.commands.iter().enumerate() {
            let eid = id(Kind::Command, i);
            let doc = format!("Command.{}", if e.doc.is_empty() { "" } else { " " }) + &e.doc;
            let m = cx.message(
                name_of(eid),
                &doc,
                Role::Command,
                &e.fields,
                &e.reserved,
                eid,
            );
            file.messages.push(m);
        }
        for (i, e) in c.events.iter().enumerate() {
            let eid = id(Kind::Event, i);
            let kind = if e.published {
                "Integration event (published language of the context)."
            } else {
                "Internal domain event (not for other contexts)."
            };
            let doc = if e.doc.is_empty() {
                kind.to_owned()
            } else {
                format!("{kind} {}", e.doc)
            };
            let role = Role::Event {
                published: e.published,
            };
            let m = cx.message(name_of(eid), &doc, role, &e.fields, &e.reserved, eid);
            file.messages.push(m);
        }
        if envelopes && !c.events.is_empty() {
            for integration in [false, true] {
                if integration && !c.events.iter().any(|e| e.published || e.withdrawn) {
                    continue;
                }
                let name = if integration {
                    format!("{}IntegrationEnvelope", pascal(&c.name))
                } else {
                    format!("{}Envelope", pascal(&c.name))
                };
                let name = scope.claim(name, "");
                file.imports
                    .insert("google/protobuf/timestamp.proto".into());
                file.messages
                    .push(envelope(c, ci, name, integration, &types));
            }
        }
        files.push(file);
    }
    Schema { files }
}

fn contract_or<'a>(contract: &'a str, name: &'a str) -> &'a str {
    if contract.is_empty() { name } else { contract }
}

fn enumeration(
    name: String,
    doc: String,
    values: &[String],
    element: Loc,
    package_values: &mut Scope,
) -> ProtoEnum {
    let prefix = upper(&name);
    let mut out = vec![(
        package_values.claim(format!("{prefix}_UNSPECIFIED"), "_"),
        0,
    )];
    for (i, v) in values.iter().enumerate() {
        let n = package_values.claim(format!("{prefix}_{}", upper(v)), "_");
        out.push((n, i as i32 + 1));
    }
    ProtoEnum {
        name,
        doc,
        values: out,
        sources: values.to_vec(),
        element,
    }
}

/// The envelope of a context's events (or of its published events only).
fn envelope(
    c: &crate::model::BoundedContext,
    ci: usize,
    name: String,
    integration: bool,
    types: &TypeNames,
) -> Message {
    let mut scope = Scope::default();
    let mut fields = header_fields();
    for f in &mut fields {
        f.name = scope.claim(std::mem::take(&mut f.name), "_");
    }
    let reserved_numbers: BTreeSet<u32> = c.retired.iter().map(|r| r.n).collect();
    let mut reserved_names: BTreeSet<String> = c.retired.iter().map(|r| snake(&r.name)).collect();
    for r in &reserved_names {
        scope.block(r.clone());
    }
    for ((i, e), n) in c.events.iter().enumerate().zip(c.event_numbers()) {
        // The integration envelope holds the published events and, deprecated, the withdrawn
        // ones (consumers may hold them). An internal event's number is neither used nor
        // reserved there: the event numbers of a context never repeat, and publishing it
        // later only adds a case — where a reservation would have to be dropped (a break).
        if integration && !e.published && !e.withdrawn {
            continue;
        }
        let withdrawn_case = integration && !e.published;
        let eid = Loc {
            kind: Kind::Event,
            context: Some(ci),
            index: i,
        };
        let Some((package, msg)) = types.get(&eid) else {
            continue;
        };
        fields.push(ProtoField {
            name: scope.claim(snake(msg), "_"),
            number: n,
            ty: ProtoType::Message(package.clone(), msg.clone()),
            label: Label::Plain,
            doc: if withdrawn_case {
                "Withdrawn: no longer published, kept for consumers that still hold it.".into()
            } else {
                String::new()
            },
            in_oneof: true,
            deprecated: withdrawn_case,
            model_name: e.name.clone(),
            model_type: None,
        });
    }
    // Reserved names of the integration envelope: only the retired ones, so that the names of
    // unpublished events stay free for the full envelope's generated code in other languages.
    reserved_names.retain(|n| !fields.iter().any(|f| &f.name == n));
    let doc = if integration {
        format!(
            "The published events of {}, as other contexts consume them: the header of the \
             record and one of the integration events.",
            c.name
        )
    } else {
        format!(
            "Every event of {}, as written to its streams: the header of the record and one \
             of the context's events (integration and internal).",
            c.name
        )
    };
    Message {
        name,
        doc,
        role: Role::Envelope { integration },
        fields,
        reserved_numbers: reserved_numbers.into_iter().collect(),
        reserved_names: reserved_names.into_iter().collect(),
        nested: Vec::new(),
        element: None,
    }
}

/// Builds message fields: resolves named types, adds imports.
struct Fields<'a> {
    model: &'a Model,
    index: &'a NameIndex,
    types: &'a TypeNames,
    context: usize,
    package: &'a str,
    imports: &'a mut BTreeSet<String>,
}

impl Fields<'_> {
    fn message(
        &mut self,
        name: String,
        doc: &str,
        role: Role,
        fields: &[Field],
        reserved: &[Reserved],
        element: Loc,
    ) -> Message {
        let mut scope = Scope::default();
        let reserved_names: BTreeSet<String> = reserved.iter().map(|r| snake(&r.name)).collect();
        for r in &reserved_names {
            scope.block(r.clone());
        }
        let mut nested = Vec::new();
        let mut out = Vec::new();
        for f in fields {
            let fname = scope.claim(snake(&f.name), "_");
            let (ty, label, note) = self.field_type(&f.ty, &fname, &mut nested);
            let doc = match (f.doc.is_empty(), note) {
                (true, None) => String::new(),
                (false, None) => f.doc.clone(),
                (true, Some(n)) => n.to_owned(),
                (false, Some(n)) => format!("{} {n}", f.doc),
            };
            out.push(ProtoField {
                name: fname,
                number: f.n,
                ty,
                label,
                doc,
                in_oneof: false,
                deprecated: false,
                model_name: f.name.clone(),
                model_type: Some(f.ty.clone()),
            });
        }
        Message {
            name,
            doc: doc.to_owned(),
            role,
            fields: out,
            reserved_numbers: {
                let mut v: Vec<u32> = reserved.iter().map(|r| r.n).collect();
                v.sort_unstable();
                v.dedup();
                v
            },
            reserved_names: reserved_names.into_iter().collect(),
            nested,
            element: Some(element),
        }
    }

    /// The proto type, label and a documentation note of a model type.
    fn field_type(
        &mut self,
        ty: &Type,
        field: &str,
        nested: &mut Vec<Message>,
    ) -> (ProtoType, Label, Option<&'static str>) {
        match ty {
            Type::Optional(inner) => match &**inner {
                Type::List(_) => self.field_type(inner, field, nested),
                Type::Optional(_) => self.field_type(inner, field, nested),
                t => {
                    let (p, _, note) = self.scalar(t, field, nested);
                    (p, Label::Optional, note)
                }
            },
            Type::List(inner) => {
                let inner = match &**inner {
                    Type::Optional(t) => &**t,
                    t => t,
                };
                let (p, _, note) = self.scalar(inner, field, nested);
                (p, Label::Repeated, note)
            }
            t => self.scalar(t, field, nested),
        }
    }

    /// A single value's type; a list inside a list becomes a nested wrapper message.
    fn scalar(
        &mut self,
        ty: &Type,
        field: &str,
        nested: &mut Vec<Message>,
    ) -> (ProtoType, Label, Option<&'static str>) {
        const DECIMAL: &str = "Exact decimal as text, e.g. \"12.50\" (never a float).";
        let p = match ty {
            Type::String | Type::Id => ProtoType::String,
            Type::Decimal => return (ProtoType::String, Label::Plain, Some(DECIMAL)),
            Type::Int => ProtoType::Int64,
            Type::Bool => ProtoType::Bool,
            Type::Timestamp => {
                self.imports
                    .insert("google/protobuf/timestamp.proto".into());
                ProtoType::Timestamp
            }
            Type::Duration => {
                self.imports.insert("google/protobuf/duration.proto".into());
                ProtoType::Duration
            }
            Type::Named(n) => self.named(n),
            Type::List(_) | Type::Optional(_) => {
                // `<Field>Items` (`ValuesItems` a level deeper), with a number where a
                // wrapper of the same message took the name already (lists four deep).
                let base = format!("{}Items", pascal(field));
                let mut name = base.clone();
                for k in 2.. {
                    if !nested.iter().any(|m| m.name == name) {
                        break;
                    }
                    name = format!("{base}{k}");
                }
                let inner = Field {
                    uid: crate::model::Uid::NONE,
                    n: 1,
                    name: "values".into(),
                    ty: match ty {
                        Type::Optional(t) => Type::List(Box::new((**t).clone())),
                        t => t.clone(),
                    },
                    doc: String::new(),
                };
                // Its place is taken before the inner levels name theirs.
                let at = nested.len();
                nested.push(Message {
                    name: name.clone(),
                    doc: "A list inside a list.".into(),
                    role: Role::Wrapper,
                    fields: vec![],
                    reserved_numbers: vec![],
                    reserved_names: vec![],
                    nested: vec![],
                    element: None,
                });
                let (ity, ilabel, note) = self.field_type(&inner.ty, "values", nested);
                nested[at].fields = vec![ProtoField {
                    name: "values".into(),
                    number: 1,
                    ty: ity,
                    label: ilabel,
                    doc: note.unwrap_or("").to_owned(),
                    in_oneof: false,
                    deprecated: false,
                    model_name: "values".into(),
                    model_type: Some(inner.ty),
                }];
                ProtoType::Nested(name)
            }
        };
        (p, Label::Plain, None)
    }

    fn named(&mut self, n: &str) -> ProtoType {
        let found = self
            .index
            .resolve(n, &[Kind::Enum, Kind::Value], Some(self.context))
            .found();
        let Some(eid) = found else {
            return ProtoType::String;
        };
        let Some((package, name)) = self.types.get(&eid) else {
            return ProtoType::String;
        };
        if package != self.package
            && let Some(ci) = eid.context
        {
            let (org, ctx, v) = package_parts(self.model, ci);
            self.imports.insert(file_path(&org, &ctx, &v));
        }
        match eid.kind {
            Kind::Enum => ProtoType::Enum(package.clone(), name.clone()),
            _ => ProtoType::Message(package.clone(), name.clone()),
        }
    }
}
