//! Addressing elements: kinds, references and a walk over every element of a model.

use std::fmt;

use super::document::Model;
use super::layout::Pos;
use super::uid::Uid;

/// The kinds of things on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A bounded context's frame.
    Context,
    /// An enum type.
    Enum,
    /// A value object type.
    Value,
    /// An actor.
    Actor,
    /// A command.
    Command,
    /// An aggregate.
    Aggregate,
    /// A domain event.
    Event,
    /// A policy.
    Policy,
    /// A saga / process manager.
    Saga,
    /// A read model.
    ReadModel,
    /// An external system.
    External,
    /// A hot spot.
    HotSpot,
    /// A context-map relation.
    Relation,
    /// A scenario.
    Scenario,
}

impl Kind {
    /// The sticky colour of this kind, as RGB (the classic EventStorming palette): the board,
    /// the image export and the Mermaid export paint with it.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Kind::Actor => [255, 230, 80],
            Kind::Command => [120, 185, 255],
            Kind::Aggregate => [255, 243, 170],
            Kind::Event => [255, 165, 70],
            Kind::Policy | Kind::Saga => [205, 170, 255],
            Kind::ReadModel => [150, 220, 130],
            Kind::External => [255, 160, 205],
            Kind::HotSpot => [255, 85, 95],
            Kind::Enum | Kind::Value => [225, 225, 225],
            Kind::Context | Kind::Relation | Kind::Scenario => [200, 200, 200],
        }
    }

    /// The name a new sticky of this kind gets until someone names it (`DoSomething`; a
    /// second one gets `DoSomething2`); None for what is not created on the board.
    pub fn placeholder(self) -> Option<&'static str> {
        Some(match self {
            Kind::Actor => "Actor",
            Kind::Command => "DoSomething",
            Kind::Aggregate => "Aggregate",
            Kind::Event => "SomethingHappened",
            Kind::Policy => "Policy",
            Kind::Saga => "Process",
            Kind::ReadModel => "ReadModel",
            Kind::External => "ExternalSystem",
            Kind::HotSpot => "What happens here?",
            _ => return None,
        })
    }

    /// Whether `name` is still the placeholder of this kind (`DoSomething`, `DoSomething2`…).
    pub fn is_placeholder(self, name: &str) -> bool {
        self.placeholder().is_some_and(|p| {
            name.strip_prefix(p)
                .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
        })
    }

    /// The sticky kinds a palette offers, in EventStorming order: the kinds inside a context
    /// less the types (enums and value objects), which are not drawn on the board.
    pub const STICKIES: &[Kind] = Kind::IN_CONTEXT.split_at(2).1;

    /// The kinds that live inside a context, in file order.
    pub const IN_CONTEXT: [Kind; 11] = [
        Kind::Enum,
        Kind::Value,
        Kind::Actor,
        Kind::Command,
        Kind::Aggregate,
        Kind::Event,
        Kind::Policy,
        Kind::Saga,
        Kind::ReadModel,
        Kind::External,
        Kind::HotSpot,
    ];

    /// Human label, e.g. `read model`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Context => "context",
            Kind::Enum => "enum",
            Kind::Value => "value object",
            Kind::Actor => "actor",
            Kind::Command => "command",
            Kind::Aggregate => "aggregate",
            Kind::Event => "event",
            Kind::Policy => "policy",
            Kind::Saga => "saga",
            Kind::ReadModel => "read model",
            Kind::External => "external system",
            Kind::HotSpot => "hot spot",
            Kind::Relation => "relation",
            Kind::Scenario => "scenario",
        }
    }

    /// The list this kind lives in inside a context, as named in the file.
    pub fn file_key(self) -> &'static str {
        match self {
            Kind::Context => "contexts",
            Kind::Enum => "enums",
            Kind::Value => "values",
            Kind::Actor => "actors",
            Kind::Command => "commands",
            Kind::Aggregate => "aggregates",
            Kind::Event => "events",
            Kind::Policy => "policies",
            Kind::Saga => "sagas",
            Kind::ReadModel => "read_models",
            Kind::External => "externals",
            Kind::HotSpot => "hotspots",
            Kind::Relation => "relations",
            Kind::Scenario => "scenarios",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where an element is *in one model value*: its kind, its context's index and its index in
/// that kind's list. Contexts, relations and scenarios use `context: None`.
///
/// A `Loc` is a position, not an identity: deleting or reordering elements changes the `Loc`
/// of others. Checks and derived views computed from one model use it; anything that must
/// name an element across edits (selection, edits, undo, peers) uses its [`Uid`] and finds
/// the `Loc` with [`Model::locate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// Kind.
    pub kind: Kind,
    /// Index of the owning context (None for top-level items).
    pub context: Option<usize>,
    /// Index within its list.
    pub index: usize,
}

/// A borrowed view of one element: place, identity, name and board position.
#[derive(Clone, Copy, Debug)]
pub struct ElementInfo<'a> {
    /// Where it is in this model.
    pub loc: Loc,
    /// Who it is.
    pub uid: Uid,
    /// Name (the text, for hot spots).
    pub name: &'a str,
    /// Board position, for stickies.
    pub at: Option<Pos>,
}

impl Loc {
    /// The path of this element inside the file, e.g. `contexts[0].events[3]`, as segments.
    pub fn path(&self) -> Vec<PathSeg> {
        let mut p = Vec::new();
        match (self.kind, self.context) {
            (Kind::Context, _) => {
                p.push(PathSeg::Key("contexts"));
                p.push(PathSeg::Index(self.index));
            }
            (Kind::Relation | Kind::Scenario, _) | (_, None) => {
                p.push(PathSeg::Key(self.kind.file_key()));
                p.push(PathSeg::Index(self.index));
            }
            (kind, Some(c)) => {
                p.push(PathSeg::Key("contexts"));
                p.push(PathSeg::Index(c));
                p.push(PathSeg::Key(kind.file_key()));
                p.push(PathSeg::Index(self.index));
            }
        }
        p
    }
}

/// One step of a path into the model file: a struct field or a list/map position.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathSeg {
    /// A struct field (or map key) by name.
    Key(&'static str),
    /// A map entry by its (string) key.
    MapKey(String),
    /// A list element by index.
    Index(usize),
}

impl Model {
    /// Every element of the model, in file order (relations are not elements of the board
    /// and are left out).
    pub fn elements(&self) -> Vec<ElementInfo<'_>> {
        let mut out = Vec::with_capacity(self.element_count() + self.contexts.len());
        for (ci, c) in self.contexts.iter().enumerate() {
            out.push(ElementInfo {
                loc: Loc {
                    kind: Kind::Context,
                    context: None,
                    index: ci,
                },
                uid: c.uid,
                name: &c.name,
                at: Some(Pos::new(c.frame.x, c.frame.y)),
            });
            self.push_context_elements(ci, &mut out);
        }
        for (index, s) in self.scenarios.iter().enumerate() {
            out.push(ElementInfo {
                loc: Loc {
                    kind: Kind::Scenario,
                    context: None,
                    index,
                },
                uid: s.uid,
                name: &s.name,
                at: None,
            });
        }
        out
    }

    /// The elements inside context `ci` (not the context itself), in the order of
    /// [`Model::elements`]: a context's share without listing the whole model.
    pub fn elements_of(&self, ci: usize) -> Vec<ElementInfo<'_>> {
        let mut out = Vec::new();
        self.push_context_elements(ci, &mut out);
        out
    }

    fn push_context_elements<'a>(&'a self, ci: usize, out: &mut Vec<ElementInfo<'a>>) {
        let Some(c) = self.contexts.get(ci) else {
            return;
        };
        let ctx = Some(ci);
        macro_rules! each {
            ($list:expr, $kind:expr, |$e:ident| $name:expr, $at:expr) => {
                for (index, $e) in $list.iter().enumerate() {
                    out.push(ElementInfo {
                        loc: Loc {
                            kind: $kind,
                            context: ctx,
                            index,
                        },
                        uid: $e.uid,
                        name: $name,
                        at: $at,
                    });
                }
            };
        }
        each!(c.enums, Kind::Enum, |e| &e.name, None);
        each!(c.values, Kind::Value, |e| &e.name, e.at);
        each!(c.actors, Kind::Actor, |e| &e.name, Some(e.at));
        each!(c.commands, Kind::Command, |e| &e.name, Some(e.at));
        each!(c.aggregates, Kind::Aggregate, |e| &e.name, Some(e.at));
        each!(c.events, Kind::Event, |e| &e.name, Some(e.at));
        each!(c.policies, Kind::Policy, |e| &e.name, Some(e.at));
        each!(c.sagas, Kind::Saga, |e| &e.name, Some(e.at));
        each!(c.read_models, Kind::ReadModel, |e| &e.name, Some(e.at));
        each!(c.externals, Kind::External, |e| &e.name, Some(e.at));
        each!(c.hotspots, Kind::HotSpot, |e| &e.text, Some(e.at));
    }

    /// Where the element with id `uid` is now (contexts, stickies, relations and scenarios);
    /// None if it no longer exists.
    pub fn locate(&self, uid: Uid) -> Option<Loc> {
        if uid.is_none() {
            return None;
        }
        let top = |kind: Kind, index: Option<usize>| {
            index.map(|index| Loc {
                kind,
                context: None,
                index,
            })
        };
        // No list is built: this runs for every edit and every selected element.
        for (ci, c) in self.contexts.iter().enumerate() {
            if c.uid == uid {
                return top(Kind::Context, Some(ci));
            }
            macro_rules! find {
                ($($list:ident => $kind:expr),*) => {$(
                    if let Some(index) = c.$list.iter().position(|e| e.uid == uid) {
                        return Some(Loc { kind: $kind, context: Some(ci), index });
                    }
                )*};
            }
            find!(
                enums => Kind::Enum,
                values => Kind::Value,
                actors => Kind::Actor,
                commands => Kind::Command,
                aggregates => Kind::Aggregate,
                events => Kind::Event,
                policies => Kind::Policy,
                sagas => Kind::Saga,
                read_models => Kind::ReadModel,
                externals => Kind::External,
                hotspots => Kind::HotSpot
            );
        }
        top(
            Kind::Relation,
            self.relations.iter().position(|r| r.uid == uid),
        )
        .or_else(|| {
            top(
                Kind::Scenario,
                self.scenarios.iter().position(|s| s.uid == uid),
            )
        })
    }

    /// A display name such as `Booking/BookService` for diagnostics and search.
    pub fn display_name(&self, id: Loc) -> String {
        // By place, not by listing every element (a finding's message names its element:
        // thousands of findings made the check quadratic).
        let name = self.name_of(id).unwrap_or_default().to_owned();
        match id.context.and_then(|c| self.contexts.get(c)) {
            Some(c) => format!("{}/{}", c.name, name),
            None => match id.kind {
                Kind::Relation => self
                    .relations
                    .get(id.index)
                    .map(|r| format!("{} → {}", r.upstream, r.downstream))
                    .unwrap_or_default(),
                _ => name,
            },
        }
    }
}
