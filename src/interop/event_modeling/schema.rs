//! The Event Modeling JSON that the Nebulit Event Modeling toolkit for Miro exports, as
//! its published schema describes it (<https://github.com/dilgerma/event-modeling-spec>):
//! slices holding commands, events, read models, screens, automations ("processors") and
//! given/when/then specifications. Read leniently: every part may be missing and fields this
//! reader does not use are ignored, as exports from different toolkit versions differ.

use serde::Deserialize;
use serde_json::Value;

/// A whole export.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Document {
    /// Its slices; None when the document has no `slices` (not an Event Modeling export).
    pub slices: Option<Vec<Slice>>,
}

/// A vertical slice: one state change, one state view or one automation.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Slice {
    /// Its id.
    pub id: String,
    /// Its title (`slice: Submit Cart` in some exports).
    pub title: String,
    /// The bounded context it belongs to.
    pub context: String,
    /// `STATE_CHANGE`, `STATE_VIEW` or `AUTOMATION`.
    pub slice_type: String,
    /// Commands.
    pub commands: Vec<Element>,
    /// Events.
    pub events: Vec<Element>,
    /// Read models.
    pub readmodels: Vec<Element>,
    /// Screens (UI mock-ups).
    pub screens: Vec<Element>,
    /// Automations.
    pub processors: Vec<Element>,
    /// Given/when/then specifications.
    pub specifications: Vec<Specification>,
    /// Who acts in it.
    pub actors: Vec<Actor>,
    /// The aggregates it touches.
    pub aggregates: Vec<String>,
}

/// A command, event, read model, screen or automation.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Element {
    /// Its id (a Miro item id).
    pub id: String,
    /// Its title: the element's name.
    pub title: String,
    /// `INTERNAL` or `EXTERNAL` (an event from another system).
    pub context: String,
    /// The aggregate it belongs to.
    pub aggregate: String,
    /// Its description.
    pub description: String,
    /// Its fields.
    pub fields: Vec<FieldDef>,
    /// Arrows to and from other elements.
    pub dependencies: Vec<Dependency>,
}

/// A field of an element or a specification step.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FieldDef {
    /// Its name.
    pub name: String,
    /// `String`, `Boolean`, `Double`, `Decimal`, `Long`, `Int`, `Date`, `DateTime`, `UUID`
    /// or `Custom` (with `subfields`).
    #[serde(rename = "type")]
    pub ty: String,
    /// An example value (in a specification: the value of this example).
    pub example: Value,
    /// The fields of a `Custom` type.
    pub subfields: Vec<FieldDef>,
    /// May be absent.
    pub optional: bool,
    /// Identifies the aggregate or row.
    pub id_attribute: bool,
    /// `List` or `Single`.
    pub cardinality: String,
}

/// An arrow between two elements.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Dependency {
    /// The other element's id.
    pub id: String,
    /// `INBOUND` (from the other element) or `OUTBOUND` (to it).
    #[serde(rename = "type")]
    pub direction: String,
    /// The other element's title.
    pub title: String,
    /// The other element's kind: `EVENT`, `COMMAND`, `READMODEL`, `SCREEN`, `AUTOMATION`.
    pub element_type: String,
}

/// A given/when/then example of a slice.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Specification {
    /// Its title (`spec: …` in some exports).
    pub title: String,
    /// Events that happened before.
    pub given: Vec<SpecStep>,
    /// The command issued.
    pub when: Vec<SpecStep>,
    /// What follows: events, an error or a read model's state.
    pub then: Vec<SpecStep>,
}

/// One step of a specification.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SpecStep {
    /// The element's title.
    pub title: String,
    /// `SPEC_EVENT`, `SPEC_COMMAND`, `SPEC_READMODEL` or `SPEC_ERROR`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The element's fields with this example's values.
    pub fields: Vec<FieldDef>,
    /// A read model expected to hold no rows.
    pub expect_empty_list: bool,
}

/// Someone who acts in a slice.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Actor {
    /// Their name.
    pub name: String,
}
