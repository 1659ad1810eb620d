//! AsyncAPI 3.0 (<https://www.asyncapi.com/docs/reference/specification/v3.0.0>): the
//! messages that cross the context map, as documents the AsyncAPI tools read (docs, code
//! generators, catalogs).
//!
//! Each bounded context has two channels: its events (`<org>.<context>.v<N>.events`, the
//! published language: every published event, and any other event another context consumes)
//! and its commands (`….commands`, those other contexts' policies and sagas issue). A
//! context *sends* on its events channel and on the commands channels of the contexts it
//! commands, and *receives* on the events channels it consumes (read off the flow graph,
//! [`traffic`]) and on its own commands channel. Messages carry JSON Schemas derived from the
//! exported protos ([`payload`]) and name their protobuf message; events carry the envelope
//! header and its correlation id.
//!
//! One document per context (its own operations, the channels they use), or one for the
//! whole system (every operation).

mod payload;
mod traffic;

use std::collections::{BTreeMap, BTreeSet};

use super::ordered_json::Json;
use crate::export::Generated;
use crate::export::names::pascal;
use crate::export::schema::{ProtoFile, Role, Schema};
use crate::model::{Kind, Loc, Model};

pub use payload::standalone as json_schema;
pub use traffic::{Flow, flows};

/// Which documents to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One per bounded context, beside its proto: `<org>/<context>/v<N>/<context>.asyncapi.json`.
    Contexts,
    /// One for the system: `asyncapi.json`.
    System,
}

impl Scope {
    /// One document for the system when `system`, else one per context.
    pub fn of(system: bool) -> Scope {
        if system {
            Scope::System
        } else {
            Scope::Contexts
        }
    }
}

/// The AsyncAPI documents of `model`, as JSON.
pub fn documents(model: &Model, scope: Scope) -> Vec<Generated> {
    let schema = crate::export::schema::schema(model);
    let lines = lines(model, &schema);
    match scope {
        Scope::System => {
            let title = if model.name.is_empty() {
                "System"
            } else {
                &model.name
            };
            let info = info(title, &model.doc, model.version, "");
            vec![Generated {
                path: "asyncapi.json".to_owned(),
                text: document(model, &schema, info, &lines.iter().collect::<Vec<_>>()).pretty(),
            }]
        }
        Scope::Contexts => schema
            .files
            .iter()
            .map(|f| {
                let c = &model.contexts[f.context];
                let title = match model.name.is_empty() {
                    true => c.name.clone(),
                    false => format!("{}: {}", model.name, c.name),
                };
                let info = info(&title, &c.doc, model.version, &c.team);
                let mine: Vec<&Line> = lines.iter().filter(|l| l.actor == f.context).collect();
                Generated {
                    path: f.path.replace(".proto", ".asyncapi.json"),
                    text: document(model, &schema, info, &mine).pretty(),
                }
            })
            .collect(),
    }
}

/// Events or commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Topic {
    Events,
    Commands,
}

/// One operation: context `actor` sends or receives `messages` on context `owner`'s
/// channel of `topic`.
#[derive(Clone, Debug)]
struct Line {
    owner: usize,
    topic: Topic,
    actor: usize,
    send: bool,
    messages: BTreeSet<Loc>,
}

/// Every operation of the system.
fn lines(model: &Model, schema: &Schema) -> Vec<Line> {
    let flows = flows(model);
    let mut out = Vec::new();
    for f in &schema.files {
        let c = f.context;
        let mut published: BTreeSet<Loc> = model.contexts[c]
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.published && !e.withdrawn)
            .map(|(i, _)| Loc {
                kind: Kind::Event,
                context: Some(c),
                index: i,
            })
            .collect();
        published.extend(
            flows
                .iter()
                .filter(|x| x.from == c && x.message.kind == Kind::Event)
                .map(|x| x.message),
        );
        if !published.is_empty() {
            out.push(Line {
                owner: c,
                topic: Topic::Events,
                actor: c,
                send: true,
                messages: published,
            });
        }
        let commanded: BTreeSet<Loc> = flows
            .iter()
            .filter(|x| x.to == c && x.message.kind == Kind::Command)
            .map(|x| x.message)
            .collect();
        if !commanded.is_empty() {
            out.push(Line {
                owner: c,
                topic: Topic::Commands,
                actor: c,
                send: false,
                messages: commanded,
            });
        }
    }
    // The other side of each flow: a consumer receiving events, an issuer sending commands.
    let mut other: BTreeMap<(usize, Topic, usize), BTreeSet<Loc>> = BTreeMap::new();
    for x in &flows {
        match x.message.kind {
            Kind::Event => other.entry((x.from, Topic::Events, x.to)),
            _ => other.entry((x.to, Topic::Commands, x.from)),
        }
        .or_default()
        .insert(x.message);
    }
    for ((owner, topic, actor), messages) in other {
        out.push(Line {
            owner,
            topic,
            actor,
            send: topic == Topic::Commands,
            messages,
        });
    }
    out
}

fn info(title: &str, doc: &str, version: u32, team: &str) -> Json {
    let mut info = Json::obj([
        ("title", Json::str(title)),
        ("version", Json::str(version.max(1).to_string())),
    ]);
    if !doc.trim().is_empty() {
        info.push("description", Json::str(doc.trim()));
    }
    if !team.trim().is_empty() {
        info.push("contact", Json::obj([("name", Json::str(team.trim()))]));
    }
    info
}

/// A context's short id in channel and operation names: `booking`, `customerSupport`.
fn context_id(f: &ProtoFile) -> String {
    let segment = f.package.split('.').rev().nth(1).unwrap_or(&f.context_name);
    let p = pascal(segment);
    let mut chars = p.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => format!("context{}", f.context),
    }
}

fn channel_id(f: &ProtoFile, topic: Topic) -> String {
    let t = match topic {
        Topic::Events => "Events",
        Topic::Commands => "Commands",
    };
    format!("{}{t}", context_id(f))
}

/// The protobuf message a model event or command is exported as.
/// The event or command message of element `loc` in file `f`.
pub fn proto_message(f: &ProtoFile, loc: Loc) -> Option<&crate::export::schema::Message> {
    f.messages
        .iter()
        .find(|m| m.element == Some(loc) && matches!(m.role, Role::Event { .. } | Role::Command))
}

fn document(model: &Model, schema: &Schema, info: Json, lines: &[&Line]) -> Json {
    let file = |c: usize| schema.files.iter().find(|f| f.context == c);
    // Channels: the messages of every line on them, in the order of the files.
    let mut used: BTreeMap<(usize, Topic), BTreeSet<Loc>> = BTreeMap::new();
    for l in lines {
        used.entry((l.owner, l.topic))
            .or_default()
            .extend(l.messages.iter().copied());
    }
    let mut channels = Json::obj::<String>([]);
    let mut messages = Json::obj::<String>([]);
    let mut schemas = payload::Schemas::default();
    for ((owner, topic), locs) in &used {
        let Some(f) = file(*owner) else { continue };
        let id = channel_id(f, *topic);
        let mut channel_messages = Json::obj::<String>([]);
        for loc in locs {
            let Some(m) = proto_message(f, *loc) else {
                continue;
            };
            let component = format!("{}.{}", context_id(f), m.name);
            channel_messages.push(
                m.name.clone(),
                Json::reference(format!("#/components/messages/{component}")),
            );
            let is_event = *topic == Topic::Events;
            messages.push(component, message(model, f, m, is_event));
            payload::collect(model, schema, &f.package, &m.name, &mut schemas);
        }
        let (address, about) = match topic {
            Topic::Events => (
                format!("{}.events", f.package),
                format!("The events bounded context {} publishes.", f.context_name),
            ),
            Topic::Commands => (
                format!("{}.commands", f.package),
                format!(
                    "The commands other contexts send to bounded context {}.",
                    f.context_name
                ),
            ),
        };
        channels.push(
            id,
            Json::obj([
                ("address", Json::str(address)),
                ("description", Json::str(about)),
                ("messages", channel_messages),
            ]),
        );
    }
    let mut operations = Json::obj::<String>([]);
    for l in lines {
        let (Some(f), Some(actor)) = (file(l.owner), file(l.actor)) else {
            continue;
        };
        let channel = channel_id(f, l.topic);
        let verb = if l.send { "Sends" } else { "Receives" };
        let id = format!("{}{verb}{}", context_id(actor), pascal(&channel));
        let refs: Vec<Json> = l
            .messages
            .iter()
            .filter_map(|loc| proto_message(f, *loc))
            .map(|m| Json::reference(format!("#/channels/{channel}/messages/{}", m.name)))
            .collect();
        let summary = format!(
            "{} {} {}",
            actor.context_name,
            if l.send { "sends" } else { "receives" },
            match l.topic {
                Topic::Events => format!("events of {}", f.context_name),
                Topic::Commands => format!("commands to {}", f.context_name),
            }
        );
        operations.push(
            id,
            Json::obj([
                ("action", Json::str(if l.send { "send" } else { "receive" })),
                ("channel", Json::reference(format!("#/channels/{channel}"))),
                ("summary", Json::str(summary)),
                ("messages", Json::Arr(refs)),
            ]),
        );
    }
    if used.keys().any(|(_, t)| *t == Topic::Events) {
        payload::header(model, schema, &mut schemas);
    }
    let mut components = Json::obj([("messages", messages)]);
    components.push("schemas", Json::Obj(schemas.list));
    components.push(
        "correlationIds",
        Json::obj([(
            "correlationId",
            Json::obj([
                (
                    "description",
                    Json::str("The id shared by everything one request caused."),
                ),
                ("location", Json::str("$message.header#/correlationId")),
            ]),
        )]),
    );
    Json::obj([
        ("asyncapi", Json::str("3.0.0")),
        ("info", info),
        ("defaultContentType", Json::str("application/json")),
        ("channels", channels),
        ("operations", operations),
        ("components", components),
    ])
}

/// A message object: its name, description, payload schema, and for an event the envelope
/// header and correlation id; `x-protobuf` names the exported message.
fn message(
    model: &Model,
    f: &ProtoFile,
    m: &crate::export::schema::Message,
    is_event: bool,
) -> Json {
    let mut j = Json::obj([("name", Json::str(m.name.clone()))]);
    let doc = m.element.map_or("", |loc| payload::element_doc(model, loc));
    if let Some(first) = doc.lines().map(str::trim).find(|l| !l.is_empty()) {
        j.push("summary", Json::str(first));
    }
    if doc.lines().count() > 1 {
        j.push("description", Json::str(doc));
    }
    j.push("contentType", Json::str("application/json"));
    if is_event {
        j.push("headers", payload::reference(payload::HEADER));
        j.push(
            "correlationId",
            Json::reference("#/components/correlationIds/correlationId"),
        );
    }
    j.push(
        "payload",
        payload::reference(&payload::key(&f.package, &m.name)),
    );
    j.push(
        "x-protobuf",
        Json::obj([
            ("file", Json::str(f.path.clone())),
            ("message", Json::str(payload::key(&f.package, &m.name))),
        ]),
    );
    j
}
