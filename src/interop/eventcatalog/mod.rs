//! An EventCatalog (<https://www.eventcatalog.dev>) of the model: `stormlab export
//! eventcatalog FILE -o DIR` writes a catalog folder —
//!
//! - a domain per bounded context (`domains/<context>/index.mdx`, its flow as a Mermaid
//!   diagram), owned by the context's team;
//! - a service per context (`…/services/<context>-service/`) that sends the context's events
//!   and the commands its policies and sagas issue to other contexts, and receives its
//!   commands and the events of other contexts it consumes;
//! - a page per event and command beside its service, with `schema.json`: the JSON Schema of
//!   its exported contract (the protobuf JSON mapping, as the AsyncAPI export writes it); the
//!   context's `.proto` file lies in the service's folder;
//! - a team per team named on the board (`teams/<team>.mdx`);
//! - a flow per scenario (`flows/<scenario>/index.mdx`), its steps the commands of the
//!   scenario's actual run and the events each appended;
//! - `eventcatalog.config.js`.
//!
//! Every id is kebab-case; a message whose name two contexts use gets its context's in front.

mod flows;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};

use yaml::{Yaml, page};

use crate::export::Generated;
use crate::export::schema::{ProtoFile, schema};
use crate::interop::asyncapi::{flows as traffic, json_schema, proto_message};
use crate::model::{Kind, Loc, Model};

/// A name as an id: `kebab-case`.
pub fn kebab(name: &str) -> String {
    crate::model::naming::kebab_case(name)
}

/// The ids of a model's resources.
struct Ids {
    version: String,
    messages: BTreeMap<Loc, String>,
}

impl Ids {
    fn of(model: &Model) -> Ids {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        let each = || {
            model.contexts.iter().enumerate().flat_map(|(ci, c)| {
                let events = c
                    .events
                    .iter()
                    .enumerate()
                    .map(move |(i, e)| (Kind::Event, ci, i, &e.name));
                let commands = c
                    .commands
                    .iter()
                    .enumerate()
                    .map(move |(i, e)| (Kind::Command, ci, i, &e.name));
                events.chain(commands)
            })
        };
        for (_, _, _, name) in each() {
            *count.entry(kebab(name)).or_default() += 1;
        }
        let messages = each()
            .map(|(kind, ci, i, name)| {
                let id = kebab(name);
                let id = if count[&id] > 1 {
                    format!("{}-{id}", kebab(&model.contexts[ci].name))
                } else {
                    id
                };
                (
                    Loc {
                        kind,
                        context: Some(ci),
                        index: i,
                    },
                    id,
                )
            })
            .collect();
        Ids {
            version: format!("{}.0.0", model.version),
            messages,
        }
    }

    fn reference(&self, loc: Loc) -> Option<Yaml> {
        self.messages
            .get(&loc)
            .map(|id| Yaml::reference(id, &self.version))
    }
}

fn service_id(context: &str) -> String {
    format!("{}-service", kebab(context))
}

/// First line of `doc`, or `fallback`.
fn summary(doc: &str, fallback: String) -> Yaml {
    Yaml::str(
        doc.lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map_or(fallback, str::to_owned),
    )
}

fn owners(team: &str) -> Yaml {
    Yaml::List(if team.is_empty() {
        vec![]
    } else {
        vec![Yaml::str(kebab(team))]
    })
}

/// The catalog's files for `model` (which must check without errors).
pub fn catalog(model: &Model) -> Vec<Generated> {
    let ids = Ids::of(model);
    let protos = schema(model);
    let crossing = traffic(model);
    let mut files = Vec::new();
    let mut teams = BTreeSet::new();
    for (ci, c) in model.contexts.iter().enumerate() {
        if !c.team.is_empty() {
            teams.insert(c.team.clone());
        }
        let domain = kebab(&c.name);
        let service = service_id(&c.name);
        let dir = format!("domains/{domain}/services/{service}");
        // Sends: its events, and the commands it issues to other contexts; receives: its
        // commands, and the events of other contexts it consumes.
        let mut sends: BTreeSet<Loc> = (0..c.events.len())
            .map(|i| Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: i,
            })
            .collect();
        let mut receives: BTreeSet<Loc> = (0..c.commands.len())
            .map(|i| Loc {
                kind: Kind::Command,
                context: Some(ci),
                index: i,
            })
            .collect();
        for f in &crossing {
            match f.message.kind {
                Kind::Command if f.from == ci => {
                    sends.insert(f.message);
                }
                Kind::Event if f.to == ci => {
                    receives.insert(f.message);
                }
                _ => {}
            }
        }
        let refs = |set: &BTreeSet<Loc>| {
            Yaml::List(set.iter().filter_map(|l| ids.reference(*l)).collect())
        };
        files.push(Generated {
            path: format!("domains/{domain}/index.mdx"),
            text: page(
                &[
                    ("id", Yaml::str(&domain)),
                    ("name", Yaml::str(&c.name)),
                    ("version", Yaml::str(&ids.version)),
                    (
                        "summary",
                        summary(&c.doc, format!("Bounded context {}.", c.name)),
                    ),
                    ("owners", owners(&c.team)),
                    (
                        "services",
                        Yaml::List(vec![Yaml::reference(&service, &ids.version)]),
                    ),
                ],
                &format!(
                    "{}\n\n## Flow\n\n```mermaid\n{}\n```\n",
                    if c.doc.is_empty() {
                        format!("Bounded context {}.", c.name)
                    } else {
                        c.doc.clone()
                    },
                    crate::interop::mermaid::flow(model, Some(ci)).trim_end()
                ),
            ),
        });
        files.push(Generated {
            path: format!("{dir}/index.mdx"),
            text: page(
                &[
                    ("id", Yaml::str(&service)),
                    ("name", Yaml::str(format!("{} service", c.name))),
                    ("version", Yaml::str(&ids.version)),
                    (
                        "summary",
                        Yaml::str(format!("What bounded context {} runs.", c.name)),
                    ),
                    ("owners", owners(&c.team)),
                    ("sends", refs(&sends)),
                    ("receives", refs(&receives)),
                ],
                &format!(
                    "The service of bounded context {}: its aggregates decide on the commands it \
                     receives and append the events it sends.\n",
                    c.name
                ),
            ),
        });
        let file = protos.files.iter().find(|f| f.context == ci);
        // The context's contract beside its service: the messages' pages point at it.
        if let Some(f) = file {
            files.push(Generated {
                path: format!("{dir}/{}", proto_name(f)),
                text: crate::export::render::render(f),
            });
        }
        let at = Place {
            ids: &ids,
            protos: &protos,
            file,
            dir: &dir,
            context: c,
        };
        for (i, e) in c.events.iter().enumerate() {
            let loc = Loc {
                kind: Kind::Event,
                context: Some(ci),
                index: i,
            };
            files.extend(message(model, &at, loc, (&e.name, &e.doc)));
        }
        for (i, e) in c.commands.iter().enumerate() {
            let loc = Loc {
                kind: Kind::Command,
                context: Some(ci),
                index: i,
            };
            files.extend(message(model, &at, loc, (&e.name, &e.doc)));
        }
    }
    for t in &teams {
        files.push(Generated {
            path: format!("teams/{}.mdx", kebab(t)),
            text: page(
                &[
                    ("id", Yaml::str(kebab(t))),
                    ("name", Yaml::str(t)),
                    ("summary", Yaml::str(format!("Team {t}."))),
                ],
                &format!("Team {t}, as named on the board.\n"),
            ),
        });
    }
    files.extend(flows::flows(model, &ids.messages, &ids.version));
    files.push(Generated {
        path: "eventcatalog.config.js".into(),
        text: config(model),
    });
    if model.contexts.iter().any(|c| c.team.is_empty()) {
        files.push(Generated {
            path: ".eventcatalogrc.js".into(),
            text: "// Written by `stormlab export eventcatalog`: some bounded contexts of the model name no\n\
                   // team, so their pages have no owner; EventCatalog's linter reports that as a warning\n\
                   // instead of an error. Name the teams on the board and export again to drop this file.\n\
                   module.exports = { rules: { 'best-practices/owner-required': 'warn' } };\n"
                .into(),
        });
    }
    files
}

/// Where a context's messages go: the ids, the contracts, the context's file and folder.
struct Place<'a> {
    ids: &'a Ids,
    protos: &'a crate::export::schema::Schema,
    file: Option<&'a ProtoFile>,
    dir: &'a str,
    context: &'a crate::model::BoundedContext,
}

/// The page and `schema.json` of the event or command at `loc`, called `name`.
fn message(model: &Model, at: &Place<'_>, loc: Loc, (name, doc): (&str, &str)) -> Vec<Generated> {
    let Some(id) = at.ids.messages.get(&loc) else {
        return Vec::new();
    };
    let (folder, what) = match loc.kind {
        Kind::Event => ("events", "Event"),
        _ => ("commands", "Command"),
    };
    let path = format!("{}/{folder}/{id}", at.dir);
    let about = format!("{what} {name} of bounded context {}.", at.context.name);
    let proto = at.file.and_then(|f| proto_message(f, loc).map(|m| (f, m)));
    let mut front = vec![
        ("id", Yaml::str(id)),
        ("name", Yaml::str(name)),
        ("version", Yaml::str(&at.ids.version)),
        ("summary", summary(doc, about.clone())),
        ("owners", owners(&at.context.team)),
    ];
    let mut out = Vec::new();
    if let Some((f, m)) = proto {
        front.push(("schemaPath", Yaml::str("schema.json")));
        out.push(Generated {
            path: format!("{path}/schema.json"),
            text: json_schema(model, at.protos, &f.package, &m.name) + "\n",
        });
    }
    let contract = proto.map_or(String::new(), |(f, m)| {
        format!(
            "\n\nIts contract is the protobuf message `{}.{}` of [`{}`](../../{}) (exported as \
             `{}`); `schema.json` is the same contract in the protobuf JSON mapping.",
            f.package,
            m.name,
            proto_name(f),
            proto_name(f),
            f.path
        )
    });
    let text = if doc.is_empty() {
        about
    } else {
        doc.to_owned()
    };
    out.push(Generated {
        path: format!("{path}/index.mdx"),
        text: page(&front, &format!("{text}{contract}\n")),
    });
    out
}

/// The file name of a context's `.proto`.
fn proto_name(f: &ProtoFile) -> &str {
    f.path.rsplit('/').next().unwrap_or(&f.path)
}

/// `eventcatalog.config.js`: title, organisation and a catalog id derived from the model's
/// name (the same model gives the same file).
fn config(model: &Model) -> String {
    let id = crate::model::uid::Uid::derived(&format!("eventcatalog/{}", model.name));
    let bits = format!(
        "{:016x}{:016x}",
        id.bits(),
        id.bits().rotate_left(17) ^ 0x9E37_79B9_7F4A_7C15
    );
    let uuid = format!(
        "{}-{}-4{}-8{}-{}",
        &bits[0..8],
        &bits[8..12],
        &bits[13..16],
        &bits[17..20],
        &bits[20..32]
    );
    let text = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!(
        "// EventCatalog configuration, written by `stormlab export eventcatalog`.\n\
         /** @type {{import('@eventcatalog/core/bin/eventcatalog.config').Config}} */\n\
         export default {{\n\
         \x20 title: {},\n\
         \x20 tagline: {},\n\
         \x20 organizationName: {},\n\
         \x20 homepageLink: 'https://www.eventcatalog.dev/',\n\
         \x20 output: 'static',\n\
         \x20 trailingSlash: false,\n\
         \x20 base: '/',\n\
         \x20 cId: '{uuid}',\n\
         }};\n",
        text(&model.name),
        text(model.doc.lines().next().unwrap_or("")),
        text(&model.org),
    )
}
