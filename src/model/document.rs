//! The model document: everything one `.ron` file holds.

use serde::{Deserialize, Serialize};

use super::arrow_label::ArrowLabel;

use super::context::BoundedContext;
use super::relation::Relation;
use super::scenario::Scenario;

/// The file format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

/// A whole EventStorming model: contexts, the context map and scenarios.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// File format version (see [`FORMAT_VERSION`]).
    pub format: u32,
    /// Model name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Organisation segment of exported proto packages (`<org>.<context>.v<N>`).
    #[serde(default = "default_org")]
    pub org: String,
    /// Major version of the exported contracts (`v<N>`).
    #[serde(default = "default_version")]
    pub version: u32,
    /// Bounded contexts.
    #[serde(default)]
    pub contexts: Vec<BoundedContext>,
    /// Context map relations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Scenarios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Labels written on arrows of the board.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<ArrowLabel>,
    /// Invariants of the whole system: `parked`, `rejected`, `events`, `now` and `lookup`
    /// (see [`super::invariant::Invariant`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
}

fn default_org() -> String {
    "acme".into()
}

fn default_version() -> u32 {
    1
}

impl Model {
    /// An empty model with one context, ready to draw on.
    pub fn new(name: &str) -> Self {
        Self {
            format: FORMAT_VERSION,
            name: name.to_owned(),
            doc: String::new(),
            org: default_org(),
            version: default_version(),
            contexts: vec![BoundedContext {
                uid: super::uid::Uid::fresh(),
                name: "Core".into(),
                frame: super::layout::Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 1200.0,
                    h: 700.0,
                },
                ..Default::default()
            }],
            relations: vec![],
            scenarios: vec![],
            labels: vec![],
            invariants: vec![],
        }
    }

    /// Number of stickies (every element on the board except context frames).
    pub fn element_count(&self) -> usize {
        self.contexts
            .iter()
            .map(|c| {
                c.actors.len()
                    + c.commands.len()
                    + c.aggregates.len()
                    + c.events.len()
                    + c.policies.len()
                    + c.sagas.len()
                    + c.read_models.len()
                    + c.externals.len()
                    + c.hotspots.len()
            })
            .sum()
    }
}
