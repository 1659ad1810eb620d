//! CML's attribute types as Stormlab field types: Java's basic types by meaning, an
//! aggregate's root entity as the id that refers to it (aggregates refer to each other by
//! id), other entities, value objects and enums by name, a lifecycle enum not at all (it is
//! the aggregate's state).

use std::collections::BTreeMap;

use super::Note;
use super::ast::{DomainObject, File, ObjectKind, Property};
use crate::model::ty::Type;

/// What a domain object's name stands for as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    /// An aggregate's root entity: referred to by id.
    Root,
    /// An aggregate's lifecycle enum: the aggregate's state, not a field.
    Lifecycle,
    /// A value object (entities inside an aggregate become value objects too) or an enum.
    Named,
    /// An event or command: not a field type in Stormlab.
    Message,
}

/// Every domain object of a file by name.
pub struct Types<'a> {
    known: BTreeMap<String, Known>,
    objects: BTreeMap<&'a str, &'a DomainObject>,
}

/// Whether a type was mapped, and how.
pub enum Mapped {
    /// As this field type.
    Field(Type),
    /// Not a field: it is the aggregate's lifecycle.
    Lifecycle,
}

impl<'a> Types<'a> {
    /// The index of `file`'s domain objects.
    pub fn of(file: &'a File) -> Types<'a> {
        let mut known = BTreeMap::new();
        let mut objects = BTreeMap::new();
        for c in &file.contexts {
            let apps = c.application.iter().flat_map(|a| a.objects.iter());
            let aggregates = c.aggregates.iter().map(|a| (a, true));
            for (a, real) in aggregates.chain(std::iter::once((&c.loose, false))) {
                // A module's loose entities have no aggregate to be the root of.
                let root = root_of(&a.objects)
                    .filter(|_| real)
                    .map(|o| o.name.text.as_str());
                for o in &a.objects {
                    let k = match o.kind {
                        ObjectKind::Entity if Some(o.name.text.as_str()) == root => Known::Root,
                        ObjectKind::Enum if o.lifecycle => Known::Lifecycle,
                        ObjectKind::Event | ObjectKind::Command => Known::Message,
                        _ => Known::Named,
                    };
                    known.entry(o.name.text.clone()).or_insert(k);
                    objects.entry(o.name.text.as_str()).or_insert(o);
                }
            }
            for o in apps {
                known.entry(o.name.text.clone()).or_insert(Known::Message);
                objects.entry(o.name.text.as_str()).or_insert(o);
            }
        }
        Types { known, objects }
    }

    /// The properties of `o` with those it inherits (`extends X`, through at most 16
    /// levels), the inherited first; a property redeclared below keeps the lower one.
    pub fn properties(&self, o: &'a DomainObject) -> Vec<&'a Property> {
        let mut chain = vec![o];
        let mut at = o;
        while let Some(parent) = at
            .extends
            .as_ref()
            .and_then(|e| self.objects.get(e.text.as_str()))
        {
            if chain.len() > 16 || chain.iter().any(|c| std::ptr::eq(*c, *parent)) {
                break;
            }
            chain.push(parent);
            at = parent;
        }
        let mut out: Vec<&Property> = Vec::new();
        for c in chain.iter().rev() {
            for p in &c.properties {
                out.retain(|q| q.name.text != p.name.text);
                out.push(p);
            }
        }
        out
    }

    /// Whether `name` is a type some object of the file extends.
    pub fn is_extended(&self, name: &str) -> bool {
        self.objects
            .values()
            .any(|o| o.extends.as_ref().is_some_and(|e| e.text == name))
    }

    /// The field type of `p`; unknown or unsupported types become `string`, with a note.
    pub fn map(&self, p: &Property, notes: &mut Vec<Note>) -> Mapped {
        let name = p.ty.text.as_str();
        let base = match name {
            "String" | "Text" | "char" | "Character" => Type::String,
            "int" | "Integer" | "long" | "Long" | "short" | "Short" | "byte" | "Byte"
            | "BigInteger" => Type::Int,
            "BigDecimal" | "double" | "Double" | "float" | "Float" => Type::Decimal,
            "boolean" | "Boolean" => Type::Bool,
            "Date" | "DateTime" | "Timestamp" | "LocalDate" | "LocalDateTime" | "Instant"
            | "ZonedDateTime" | "OffsetDateTime" => Type::Timestamp,
            "Duration" => Type::Duration,
            "Key" | "UUID" => Type::Id,
            _ => match self.known.get(name) {
                Some(Known::Root) => Type::Id,
                Some(Known::Lifecycle) => return Mapped::Lifecycle,
                Some(Known::Named) => Type::Named(name.to_owned()),
                Some(Known::Message) => {
                    notes.push(Note {
                        span: p.ty.span.clone(),
                        message: format!(
                            "`{}` has the type of event or command `{name}`, which is no \
                             field type in Stormlab: imported as `string`",
                            p.name.text
                        ),
                    });
                    Type::String
                }
                None => {
                    notes.push(Note {
                        span: p.ty.span.clone(),
                        message: format!(
                            "`{}` has type `{name}`, which is neither a Java basic type nor a \
                             domain object of this file: imported as `string`",
                            p.name.text
                        ),
                    });
                    Type::String
                }
            },
        };
        Mapped::Field(match &p.collection {
            Some(c) => {
                if c.text == "Map" {
                    notes.push(Note {
                        span: c.span.clone(),
                        message: format!(
                            "`{}` is a map, which Stormlab has no type for: imported as the \
                             list of its values",
                            p.name.text
                        ),
                    });
                }
                Type::List(Box::new(base))
            }
            None if p.nullable => Type::Optional(Box::new(base)),
            None => base,
        })
    }
}

/// The root entity among an aggregate's objects: the one marked `aggregateRoot`, else the
/// first entity.
pub fn root_of(objects: &[DomainObject]) -> Option<&DomainObject> {
    let entities = || objects.iter().filter(|o| o.kind == ObjectKind::Entity);
    entities().find(|o| o.root).or_else(|| entities().next())
}
