//! Message payloads as JSON Schemas, derived from the exported protobuf schema so that both
//! describe one contract: the protobuf JSON mapping (`lowerCamelCase` names, 64-bit integers
//! as strings or numbers, enums by value name, timestamps in RFC 3339, durations as `1.5s`,
//! decimals as strings — what `stormlab simulate --log run.pb.jsonl` writes).

use super::super::ordered_json::Json;
use crate::export::json::json_name;
use crate::export::schema::{Label, Message, ProtoField, ProtoType, Schema};
use crate::model::{Kind, Loc, Model, Type};

/// A document's schemas by key, in the order first needed.
#[derive(Debug, Default)]
pub struct Schemas {
    /// Key and schema, in order.
    pub list: Vec<(String, Json)>,
    index: std::collections::HashMap<String, usize>,
}

impl Schemas {
    /// Takes `key` (its schema to be filled in at the slot returned); None when taken.
    fn claim(&mut self, key: &str) -> Option<usize> {
        if self.index.contains_key(key) {
            return None;
        }
        self.index.insert(key.to_owned(), self.list.len());
        self.list.push((key.to_owned(), Json::Bool(true)));
        Some(self.list.len() - 1)
    }
}

/// The JSON Schema (2020-12) of message `name` of `package` on its own: a `$ref` to it among
/// `$defs`, which hold it and every message and enum it uses (as an AsyncAPI document's
/// components hold them). For a catalog's `schema.json` beside each message.
pub fn standalone(model: &Model, schema: &Schema, package: &str, name: &str) -> String {
    let mut schemas = Schemas::default();
    collect(model, schema, package, name, &mut schemas);
    let defs = Json::obj(schemas.list);
    let doc = Json::obj([
        (
            "$schema",
            Json::str("https://json-schema.org/draft/2020-12/schema"),
        ),
        ("$ref", Json::str(format!("#/$defs/{}", key(package, name)))),
        ("$defs", defs),
    ]);
    // The references were written for a document's components; here they point at `$defs`
    // (the prefix only occurs in `$ref` values: keys are protobuf names).
    doc.pretty()
        .replace("\"#/components/schemas/", "\"#/$defs/")
}

/// The key of a message or enum among a document's schemas: its full protobuf name.
pub fn key(package: &str, name: &str) -> String {
    format!("{package}.{name}")
}

/// `#/components/schemas/<key>`.
pub fn reference(key: &str) -> Json {
    Json::reference(format!("#/components/schemas/{key}"))
}

/// Adds the schema of message `name` of `package`, and of everything it refers to, to
/// `out` (each once, in the order first needed).
pub fn collect(model: &Model, schema: &Schema, package: &str, name: &str, out: &mut Schemas) {
    let Some(m) = message(schema, package, name) else {
        return;
    };
    let cx = Cx { model, schema };
    cx.add_message(package, &key(package, name), m, out);
}

/// The description the modeller wrote on the element a message or enum comes from (the
/// proto comment adds notes for protobuf readers).
pub fn element_doc(model: &Model, loc: Loc) -> &str {
    let Some(c) = loc.context.and_then(|c| model.contexts.get(c)) else {
        return "";
    };
    let doc = match loc.kind {
        Kind::Event => c.events.get(loc.index).map(|e| &e.doc),
        Kind::Command => c.commands.get(loc.index).map(|e| &e.doc),
        Kind::Value => c.values.get(loc.index).map(|e| &e.doc),
        Kind::Enum => c.enums.get(loc.index).map(|e| &e.doc),
        _ => None,
    };
    doc.map_or("", |d| d.trim())
}

/// What building schemas reads.
struct Cx<'a> {
    model: &'a Model,
    schema: &'a Schema,
}

fn message<'s>(schema: &'s Schema, package: &str, name: &str) -> Option<&'s Message> {
    let file = schema.files.iter().find(|f| f.package == package)?;
    file.messages.iter().find(|m| m.name == name)
}

impl Cx<'_> {
    fn add_message(&self, package: &str, key: &str, m: &Message, out: &mut Schemas) {
        // Claim the key first: a message that refers to itself through a list stops here.
        let Some(slot) = out.claim(key) else {
            return;
        };
        let mut properties = Vec::new();
        for f in &m.fields {
            properties.push((json_name(&f.name), self.field(package, key, m, f, out)));
        }
        let mut object = Json::obj([("type", Json::str("object"))]);
        let doc = match m.element {
            Some(loc) => element_doc(self.model, loc),
            None => m.doc.trim(),
        };
        if !doc.is_empty() {
            object.push("description", Json::str(doc));
        }
        object.push("properties", Json::Obj(properties));
        out.list[slot].1 = object;
    }

    fn field(
        &self,
        package: &str,
        parent_key: &str,
        parent: &Message,
        f: &ProtoField,
        out: &mut Schemas,
    ) -> Json {
        let one = match &f.ty {
            ProtoType::String if f.model_type == Some(Type::Decimal) => Json::obj([
                ("type", Json::str("string")),
                ("pattern", Json::str("^-?[0-9]+(\\.[0-9]+)?$")),
            ]),
            ProtoType::String => Json::obj([("type", Json::str("string"))]),
            ProtoType::Int64 => Self::integer("int64"),
            ProtoType::Uint64 => Self::integer("uint64"),
            ProtoType::Bool => Json::obj([("type", Json::str("boolean"))]),
            ProtoType::Timestamp => Json::obj([
                ("type", Json::str("string")),
                ("format", Json::str("date-time")),
            ]),
            ProtoType::Duration => Json::obj([
                ("type", Json::str("string")),
                ("pattern", Json::str("^-?[0-9]+(\\.[0-9]{1,9})?s$")),
            ]),
            ProtoType::Message(p, n) => {
                let k = key(p, n);
                if let Some(m) = message(self.schema, p, n) {
                    self.add_message(p, &k, m, out);
                }
                reference(&k)
            }
            ProtoType::Enum(p, n) => {
                let k = key(p, n);
                self.add_enum(p, n, &k, out);
                reference(&k)
            }
            ProtoType::Nested(n) => {
                let k = format!("{parent_key}.{n}");
                if let Some(m) = parent.nested.iter().find(|m| m.name == *n) {
                    self.add_message(package, &k, m, out);
                }
                reference(&k)
            }
        };
        let mut j = match f.label {
            Label::Repeated => Json::obj([("type", Json::str("array")), ("items", one)]),
            Label::Plain | Label::Optional => one,
        };
        // Beside a `$ref` other keywords are ignored, so only plain schemas carry the text.
        let is_ref = matches!(&j, Json::Obj(p) if p.iter().any(|(k, _)| k == "$ref"));
        if !f.doc.is_empty() && !is_ref {
            j.push("description", Json::str(f.doc.trim()));
        }
        j
    }

    /// A 64-bit integer in the protobuf JSON mapping: written as a decimal string, read from a
    /// string or a number.
    fn integer(format: &str) -> Json {
        Json::obj([
            (
                "type",
                Json::Arr(vec![Json::str("string"), Json::str("integer")]),
            ),
            ("format", Json::str(format)),
            ("pattern", Json::str("^-?[0-9]+$")),
        ])
    }

    fn add_enum(&self, package: &str, name: &str, key: &str, out: &mut Schemas) {
        if out.index.contains_key(key) {
            return;
        }
        let Some(e) = self
            .schema
            .files
            .iter()
            .find(|f| f.package == package)
            .and_then(|f| f.enums.iter().find(|e| e.name == name))
        else {
            return;
        };
        let mut j = Json::obj([("type", Json::str("string"))]);
        let doc = match e.element.kind {
            Kind::Enum => element_doc(self.model, e.element),
            _ => e.doc.trim(),
        };
        if !doc.is_empty() {
            j.push("description", Json::str(doc));
        }
        j.push(
            "enum",
            Json::Arr(e.values.iter().map(|(v, _)| Json::str(v.clone())).collect()),
        );
        if let Some(slot) = out.claim(key) {
            out.list[slot].1 = j;
        }
    }
}

/// The key of the event header's schema.
pub const HEADER: &str = "stormlab.EventHeader";

/// Adds the schema of the header every event travels with (the envelope's header fields:
/// event id, stream, version, position, occurred-at, correlation and causation ids).
pub fn header(model: &Model, schema: &Schema, out: &mut Schemas) {
    let fields = crate::export::schema::header_fields();
    let m = Message {
        name: "EventHeader".to_owned(),
        doc: "The header of every event: the fields of the exported envelopes' header.".to_owned(),
        role: crate::export::schema::Role::Envelope { integration: false },
        fields,
        reserved_numbers: Vec::new(),
        reserved_names: Vec::new(),
        nested: Vec::new(),
        element: None,
    };
    Cx { model, schema }.add_message("stormlab", HEADER, &m, out);
}
