//! Bounded contexts: a frame on the board holding its own model and language.

use serde::{Deserialize, Serialize};

use super::actor::Actor;
use super::aggregate::Aggregate;
use super::command::Command;
use super::event::Event;
use super::external::ExternalSystem;
use super::hotspot::HotSpot;
use super::layout::Rect;
use super::named_type::{EnumDef, ValueObject};
use super::policy::Policy;
use super::read_model::ReadModel;
use super::saga::Saga;

/// A bounded context and every sticky inside its frame.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundedContext {
    /// Name, e.g. `Booking`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Proto package segment (`<org>.<package>.v<N>`); defaults to the name in snake_case.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub package: String,
    /// The team that owns it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub team: String,
    /// The frame on the board.
    pub frame: Rect,
    /// Enums.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumDef>,
    /// Value objects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueObject>,
    /// Actors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<Actor>,
    /// Commands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<Command>,
    /// Aggregates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aggregates: Vec<Aggregate>,
    /// Domain events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<Policy>,
    /// Sagas / process managers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sagas: Vec<Saga>,
    /// Read models.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_models: Vec<ReadModel>,
    /// External systems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub externals: Vec<ExternalSystem>,
    /// Hot spots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hotspots: Vec<HotSpot>,
}

impl BoundedContext {
    /// The proto package segment: `package` if set, else the name in snake_case.
    pub fn package_segment(&self) -> String {
        if self.package.is_empty() {
            super::naming::snake_case(&self.name)
        } else {
            self.package.clone()
        }
    }
}
