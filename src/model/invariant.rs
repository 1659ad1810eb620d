//! Invariants: properties the running system must keep, checked by every run (`stormlab
//! test`, the studio) and hunted for by `stormlab explore` under many seeded fault plans.
//!
//! An invariant belongs to what it speaks about: an aggregate (each instance), a read model
//! (each row), a saga (each instance), or the whole system (the model, or one scenario).

use serde::{Deserialize, Serialize};

/// One property: `always` holds after every change of what it is about; `eventually` holds
/// when the run ends (for a saga, optionally `within` a time of each instance's start).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariant {
    /// What it says, in words: `stock never negative`.
    pub name: String,
    /// A bool expression that must hold after every change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<String>,
    /// A bool expression that must hold when the run ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventually: Option<String>,
    /// A saga's `eventually`: each instance gets there no later than this after it started
    /// (`"1h"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
}

/// When an invariant is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// After every change.
    Always,
    /// When the run ends.
    Eventually,
}

impl Invariant {
    /// Its expression and when it is checked; None unless exactly one of `always` and
    /// `eventually` is given (the checks report that, SL043).
    pub fn condition(&self) -> Option<(When, &str)> {
        match (&self.always, &self.eventually) {
            (Some(a), None) => Some((When::Always, a)),
            (None, Some(e)) => Some((When::Eventually, e)),
            _ => None,
        }
    }

    /// The key its expression sits under in the file (`always` or `eventually`).
    pub fn key(&self) -> &'static str {
        if self.always.is_some() {
            "always"
        } else {
            "eventually"
        }
    }
}
