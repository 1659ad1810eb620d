//! Scenarios: executable specifications (given / when / faults / then) for the simulation.

use super::reference::Ref;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::uid::Uid;

/// Field values as expressions (over `i`, the instance number in a load generator, and `now`).
/// Strings use single quotes inside the RON string: `"'b-' + str(i)"`.
pub type Values = BTreeMap<String, String>;

/// A named, seeded run of the model with expectations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `no-show is reimbursed`.
    pub name: String,
    /// Description shown to the trainer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// RNG seed: the same seed gives the same run.
    #[serde(default)]
    pub seed: u64,
    /// Virtual start time, RFC 3339 (default `2024-01-01T09:00:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Virtual time after which the run stops even if work remains (default: run to quiescence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Events that happened before the scenario starts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given: Vec<Given>,
    /// Commands issued during the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Step>,
    /// Faults injected into subscribers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<Fault>,
    /// Expectations checked at the end.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<Expect>,
    /// Invariants of the whole system checked in this scenario only (see
    /// [`super::invariant::Invariant`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
    /// The bounds `stormlab explore` draws this scenario's fault plans within (the command's
    /// options override them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<Exploration>,
}

/// Where and how hard exploration may hit a scenario: its fault plans' bounds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exploration {
    /// Only these subscribers get faults (none listed: every one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscribers: Vec<Ref>,
    /// At most this many faults per run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_faults: Option<usize>,
    /// The highest failure, duplicate and reorder rate drawn, 0…1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rate: Option<f64>,
    /// The longest extra latency drawn (`"5s"`; `"0s"`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency: Option<String>,
    /// Whether outages are drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outages: Option<bool>,
}

/// A prior event, appended before the run to the stream of `id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// The event.
    pub event: Ref,
    /// Its fields (expressions).
    #[serde(default, deserialize_with = "crate::model::unique_keys::unique_keys")]
    pub fields: Values,
}

/// Something that happens during the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// One command at a virtual time offset from the start (`"0s"`, `"10m"`) or a time of day (`"10:05"`).
    Command {
        /// When.
        at: String,
        /// The command.
        command: Ref,
        /// Its fields (expressions).
        #[serde(default, deserialize_with = "crate::model::unique_keys::unique_keys")]
        fields: Values,
    },
    /// `count` commands, one every `every`, starting at `at`.
    Load {
        /// When the first is issued.
        at: String,
        /// The command.
        command: Ref,
        /// How many.
        count: i64,
        /// Interval between two, e.g. `"100ms"`.
        every: String,
        /// Its fields (expressions over `i`, 0-based, and `now`), or distributions.
        #[serde(default, deserialize_with = "crate::model::unique_keys::unique_keys")]
        fields: BTreeMap<String, Gen>,
    },
    /// Redrive the parked messages of a subscriber's dead-letter queue at a virtual time:
    /// every one, or only the one of `event`.
    Redrive {
        /// When.
        at: String,
        /// The subscriber (policy, saga, read model or external system).
        subscriber: Ref,
        /// Only the message of this event, by its number in the log (1-based, as the
        /// studio shows it); none: every parked message of the subscriber.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        event: Option<u64>,
    },
}

/// A load generator larger than this is refused (by the checks, SL023, and by the engine).
pub const MAX_LOAD: i64 = 10_000_000;

/// How a load generator picks a field value per instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Gen {
    /// An expression over `i` and `now`.
    Expr(String),
    /// Uniformly random between two int or decimal expressions (inclusive).
    Uniform(String, String),
    /// One of the expressions, uniformly at random.
    OneOf(Vec<String>),
}

/// A fault injected into one subscriber's deliveries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// The subscriber (policy, saga, read model or external system).
    pub subscriber: Ref,
    /// Probability that one delivery attempt fails, 0…1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failure_rate: f64,
    /// Windows `(from, until)` in which every attempt fails, as offsets or times of day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outages: Vec<(String, String)>,
    /// Extra latency added to each delivery, e.g. `"2s"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<String>,
    /// Probability that a delivered message is delivered a second time.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub duplicate_rate: f64,
    /// Probability that a message may overtake earlier messages of its stream.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reorder_rate: f64,
    /// Override the subscriber's `idempotent` switch for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent: Option<bool>,
}

impl Fault {
    /// No fault on `subscriber` (the start of a fault plan's entry).
    pub fn none(subscriber: &str) -> Self {
        Self {
            subscriber: subscriber.to_owned().into(),
            failure_rate: 0.0,
            outages: Vec::new(),
            latency: None,
            duplicate_rate: 0.0,
            reorder_rate: 0.0,
            idempotent: None,
        }
    }
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// An expectation checked when the run ends.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expect {
    /// Event `event` was appended `count` times (at least once when `count` is None),
    /// counting only events for which `where` (over `event`) holds.
    Emitted {
        /// The event.
        event: Ref,
        /// Exact count.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        /// Filter over `event`.
        #[serde(default, skip_serializing_if = "Option::is_none", rename = "where")]
        filter: Option<String>,
    },
    /// Event `event` was never appended.
    NotEmitted {
        /// The event.
        event: Ref,
    },
    /// Command `command` was rejected (with a reason containing `reason`, if given).
    Rejected {
        /// The command.
        command: Ref,
        /// Part of the rejection message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Read model row `key` has these column values (expressions); `None` columns: the row is absent.
    Row {
        /// The read model.
        read_model: Ref,
        /// Row key (expression).
        key: String,
        /// Expected columns (expressions); empty with `absent: true` means the row must not exist.
        #[serde(default, deserialize_with = "crate::model::unique_keys::unique_keys")]
        columns: Values,
        /// The row must not exist.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        absent: bool,
    },
    /// Read model has `count` rows.
    Rows {
        /// The read model.
        read_model: Ref,
        /// Row count.
        count: u64,
    },
    /// Aggregate instance `id` is in lifecycle state `state`.
    State {
        /// The aggregate.
        aggregate: Ref,
        /// Instance id (expression).
        id: String,
        /// Lifecycle state.
        state: String,
    },
    /// Saga instance for `correlation` ended (or is) in `status`.
    Saga {
        /// The saga.
        saga: Ref,
        /// Correlation value (expression).
        correlation: String,
        /// Status: an end status, `Running`, `Compensated` or `TimedOut`.
        status: String,
    },
    /// The dead-letter queue holds `count` messages (of `subscriber`, or in all).
    Dlq {
        /// The subscriber, or all when None.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subscriber: Option<Ref>,
        /// Parked message count.
        count: u64,
    },
}

/// The default virtual start of a scenario.
pub const DEFAULT_START: &str = "2024-01-01T09:00:00Z";

impl Scenario {
    /// An empty scenario named `name`, seed 1, without an id yet.
    pub fn named(name: String) -> Scenario {
        Scenario {
            uid: Uid::NONE,
            name,
            doc: String::new(),
            seed: 1,
            start: None,
            until: None,
            given: Vec::new(),
            when: Vec::new(),
            faults: Vec::new(),
            then: Vec::new(),
            invariants: Vec::new(),
            explore: None,
        }
    }

    /// The virtual start time in ms since the epoch (None if `start` cannot be read).
    pub fn start_ms(&self) -> Option<i64> {
        super::expr::time::parse_timestamp(self.start.as_deref().unwrap_or(DEFAULT_START))
    }
}

/// Reads a scenario time: an offset from the start (`"0s"`, `"10m"`, `"+1h30m"`), a time of
/// day on the start's day (`"10:15"`, `"10:15:30"`; the next day if already past), or an
/// RFC 3339 timestamp. Returns ms since the epoch.
pub fn parse_time(spec: &str, start_ms: i64) -> Option<i64> {
    let s = spec.trim();
    if let Some(d) = super::expr::time::parse_duration(s.strip_prefix('+').unwrap_or(s)) {
        return start_ms.checked_add(d);
    }
    if s.contains('T') {
        return super::expr::time::parse_timestamp(s);
    }
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 2)
    {
        return None;
    }
    let n = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let (h, m, sec) = (n(0), n(1), n(2));
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let day = start_ms.div_euclid(86_400_000) * 86_400_000;
    let t = day + ((h * 60 + m) * 60 + sec) * 1000;
    Some(if t < start_ms { t + 86_400_000 } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_times_are_offsets_times_of_day_or_timestamps() {
        let start = crate::model::expr::time::parse_timestamp("2024-03-29T09:00:00Z").unwrap();
        assert_eq!(parse_time("10m", start), Some(start + 600_000));
        assert_eq!(parse_time("+0s", start), Some(start));
        assert_eq!(parse_time("10:15", start), Some(start + 75 * 60_000));
        assert_eq!(
            parse_time("08:00", start),
            Some(start + 23 * 3_600_000),
            "already past: the next day"
        );
        assert_eq!(
            parse_time("2024-03-29T12:00:00Z", start),
            Some(start + 3 * 3_600_000)
        );
        for bad in ["", "soon", "25:00", "10:60", "1:2:3:4"] {
            assert_eq!(parse_time(bad, start), None, "{bad}");
        }
    }
}
