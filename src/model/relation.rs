//! The context map: relations between bounded contexts and the DDD pattern of each.

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;

/// The eight context-map patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Pattern {
    /// Two teams succeed or fail together and coordinate their plans (symmetric).
    Partnership,
    /// A shared subset of the model both sides own jointly (symmetric).
    SharedKernel,
    /// The downstream customer's needs are planned into the upstream supplier's work.
    CustomerSupplier,
    /// The downstream adopts the upstream model as it is.
    Conformist,
    /// The downstream translates the upstream model into its own (see `translations`).
    AnticorruptionLayer,
    /// The upstream offers a protocol open to all consumers.
    OpenHostService,
    /// The upstream publishes a documented shared language (e.g. integration events).
    PublishedLanguage,
    /// No integration; the contexts go their own ways (symmetric).
    SeparateWays,
}

impl Pattern {
    /// All patterns, in display order.
    pub const ALL: [Pattern; 8] = [
        Pattern::Partnership,
        Pattern::SharedKernel,
        Pattern::CustomerSupplier,
        Pattern::Conformist,
        Pattern::AnticorruptionLayer,
        Pattern::OpenHostService,
        Pattern::PublishedLanguage,
        Pattern::SeparateWays,
    ];

    /// True for the patterns without an upstream/downstream direction.
    pub fn is_symmetric(self) -> bool {
        matches!(
            self,
            Pattern::Partnership | Pattern::SharedKernel | Pattern::SeparateWays
        )
    }

    /// True if events may flow across a relation with this pattern.
    pub fn allows_integration(self) -> bool {
        self != Pattern::SeparateWays
    }

    /// Short label for edges of the context map.
    pub fn label(self) -> &'static str {
        match self {
            Pattern::Partnership => "Partnership",
            Pattern::SharedKernel => "Shared Kernel",
            Pattern::CustomerSupplier => "Customer/Supplier",
            Pattern::Conformist => "Conformist",
            Pattern::AnticorruptionLayer => "Anticorruption Layer",
            Pattern::OpenHostService => "Open Host Service",
            Pattern::PublishedLanguage => "Published Language",
            Pattern::SeparateWays => "Separate Ways",
        }
    }
}

/// A relation on the context map. Events flow from `upstream` to `downstream`
/// (both ways for symmetric patterns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// The upstream context (for symmetric patterns, simply the first side).
    pub upstream: Ref,
    /// The downstream context.
    pub downstream: Ref,
    /// The pattern.
    pub pattern: Pattern,
    /// More patterns of the same relation, as Context Mapper writes both sides' roles
    /// (`[OHS, PL] -> [ACL]`: `pattern: OpenHostService, also: [PublishedLanguage,
    /// AnticorruptionLayer]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Pattern>,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// With an anticorruption layer: how upstream events become downstream events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<Translation>,
}

impl Relation {
    /// Its patterns: `pattern`, then `also`'s.
    pub fn patterns(&self) -> impl Iterator<Item = Pattern> + '_ {
        std::iter::once(self.pattern).chain(self.also.iter().copied())
    }

    /// Whether `p` is one of its patterns.
    pub fn has(&self, p: Pattern) -> bool {
        self.patterns().any(|x| x == p)
    }

    /// Whether events may flow across it: not Separate Ways.
    pub fn allows_integration(&self) -> bool {
        self.patterns().all(Pattern::allows_integration)
    }

    /// Whether it runs both ways (a Partnership or a Shared Kernel among its patterns).
    pub fn is_two_way(&self) -> bool {
        self.patterns()
            .any(|p| matches!(p, Pattern::Partnership | Pattern::SharedKernel))
    }

    /// Its patterns' labels, joined: `Open Host Service, Published Language`.
    pub fn label(&self) -> String {
        self.patterns()
            .map(Pattern::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An ACL translation: upstream event `from` becomes downstream event `into`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// The upstream event.
    pub from: Ref,
    /// The downstream event (declared in the downstream context, with no owner).
    pub into: Ref,
    /// Field assignments over `event` (the upstream event); unlisted fields copy same-named ones.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub with: Assignments,
}
