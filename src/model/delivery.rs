//! How events reach a subscriber (policy, saga, read model, external system).

use serde::{Deserialize, Serialize};

/// Delivery settings of one subscriber. Durations are written like `"200ms"`, `"15m"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Delivery {
    /// Time from append to delivery.
    pub latency: String,
    /// Attempts before the message is parked in the dead-letter queue.
    pub max_attempts: u32,
    /// Wait before the first retry; doubles with each further attempt.
    pub backoff: String,
    /// Deduplicate by event id (an idempotent consumer).
    pub idempotent: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            latency: "0ms".into(),
            max_attempts: 3,
            backoff: "1s".into(),
            idempotent: false,
        }
    }
}

impl Delivery {
    /// True when every setting has its default value (then it is left out of the file).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
