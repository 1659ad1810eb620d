//! Fault plans: the faults one exploration run injects, drawn from its seed within bounds,
//! each a separate piece (one kind of fault on one subscriber) so that shrinking can drop
//! them one at a time, and written into a scenario's fault plan.

use crate::model::expr::time::parse_duration;
use crate::model::scenario::{Exploration, Fault, Scenario};
use crate::sim::rng::Rng;
use crate::sim::scenario::offset_text;

/// The limits within which fault plans are drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    /// At most this many faults per run (each run draws 0 to this many).
    pub max_faults: usize,
    /// Highest failure rate drawn (0: no failure rates).
    pub failure_rate: f64,
    /// Highest duplicate rate drawn (0: no duplicates).
    pub duplicate_rate: f64,
    /// Highest reorder rate drawn (0: no reordering).
    pub reorder_rate: f64,
    /// Longest extra latency drawn, ms (0: no latency).
    pub latency_ms: i64,
    /// Whether outages are drawn (placed at random in the scenario's span).
    pub outages: bool,
    /// Whether a subscriber's `idempotent` switch may be turned off: not a fault of the
    /// network but a "what if this consumer were not idempotent?", so off unless asked.
    pub idempotence: bool,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_faults: 3,
            failure_rate: 0.5,
            duplicate_rate: 0.5,
            reorder_rate: 0.5,
            latency_ms: 5_000,
            outages: true,
            idempotence: false,
        }
    }
}

impl Bounds {
    /// The bounds a scenario declares (its `explore`) over the defaults.
    pub fn of(declared: Option<&Exploration>) -> Self {
        let mut b = Self::default();
        let Some(e) = declared else {
            return b;
        };
        b.max_faults = e.max_faults.unwrap_or(b.max_faults);
        if let Some(r) = e.max_rate {
            (b.failure_rate, b.duplicate_rate, b.reorder_rate) = (r, r, r);
        }
        if let Some(l) = e.max_latency.as_deref().and_then(parse_duration) {
            b.latency_ms = l;
        }
        b.outages = e.outages.unwrap_or(b.outages);
        b
    }
}

/// One kind of fault.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultKind {
    /// A share of delivery attempts fails.
    Failures(f64),
    /// Every attempt fails between two offsets from the start, ms.
    Outage(i64, i64),
    /// Extra latency per delivery, ms.
    Latency(i64),
    /// A share of deliveries is delivered twice.
    Duplicates(f64),
    /// A share of messages may overtake earlier ones.
    Reordering(f64),
    /// The subscriber is not idempotent.
    NotIdempotent,
}

/// One fault on one subscriber.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// The subscriber's name (as a scenario's fault plan names it).
    pub subscriber: String,
    /// The fault.
    pub kind: FaultKind,
}

impl std::fmt::Display for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.subscriber;
        match self.kind {
            FaultKind::Failures(r) => write!(f, "{s} fails {:.0}% of attempts", r * 100.0),
            FaultKind::Outage(a, b) => {
                write!(
                    f,
                    "{s} is down from {} to {}",
                    offset_text(a),
                    offset_text(b)
                )
            }
            FaultKind::Latency(ms) => write!(f, "{s} is {} slower", offset_text(ms)),
            FaultKind::Duplicates(r) => write!(f, "{s} gets {:.0}% duplicates", r * 100.0),
            FaultKind::Reordering(r) => write!(f, "{s} gets {:.0}% out of order", r * 100.0),
            FaultKind::NotIdempotent => write!(f, "{s} is not idempotent"),
        }
    }
}

/// A rate in steps of 5 % up to `max` (at least 5 %).
fn rate(rng: &mut Rng, max: f64) -> f64 {
    let steps = ((max * 20.0).floor() as i64).max(1);
    rng.range(1, steps) as f64 / 20.0
}

/// Draws a run's fault plan: 0 to `bounds.max_faults` pieces, each on one of `subscribers`,
/// outages placed within `span_ms` of the start.
pub fn draw(rng: &mut Rng, subscribers: &[String], bounds: &Bounds, span_ms: i64) -> Vec<Piece> {
    let mut kinds: Vec<u8> = Vec::new();
    for (k, on) in [
        bounds.failure_rate > 0.0,
        bounds.outages,
        bounds.latency_ms > 0,
        bounds.duplicate_rate > 0.0,
        bounds.reorder_rate > 0.0,
        bounds.idempotence,
    ]
    .into_iter()
    .enumerate()
    {
        if on {
            kinds.push(k as u8);
        }
    }
    if subscribers.is_empty() || kinds.is_empty() || bounds.max_faults == 0 {
        return Vec::new();
    }
    let n = rng.range(0, bounds.max_faults as i64) as usize;
    let span = span_ms.max(1_000);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let subscriber = subscribers[rng.range(0, subscribers.len() as i64 - 1) as usize].clone();
        let kind = match kinds[rng.range(0, kinds.len() as i64 - 1) as usize] {
            0 => FaultKind::Failures(rate(rng, bounds.failure_rate)),
            1 => {
                let from = rng.range(0, span);
                let length = rng.range(span / 20, span / 2).max(100);
                FaultKind::Outage(from, from + length)
            }
            2 => FaultKind::Latency(rng.range(1, bounds.latency_ms.max(1) / 100).max(1) * 100),
            3 => FaultKind::Duplicates(rate(rng, bounds.duplicate_rate)),
            4 => FaultKind::Reordering(rate(rng, bounds.reorder_rate)),
            _ => FaultKind::NotIdempotent,
        };
        out.push(Piece { subscriber, kind });
    }
    out
}

/// Scenario `base` with `pieces` added to its fault plan (joined with a fault the scenario
/// already has for the same subscriber: the higher rate, the longer latency, every outage).
pub fn with_faults(base: &Scenario, pieces: &[Piece]) -> Scenario {
    let mut s = base.clone();
    for p in pieces {
        let at = match s.faults.iter().position(|f| *f.subscriber == *p.subscriber) {
            Some(i) => i,
            None => {
                s.faults.push(Fault::none(&p.subscriber));
                s.faults.len() - 1
            }
        };
        let f = &mut s.faults[at];
        match p.kind {
            FaultKind::Failures(r) => f.failure_rate = f.failure_rate.max(r),
            FaultKind::Outage(a, b) => f.outages.push((offset_text(a), offset_text(b))),
            FaultKind::Latency(ms) => {
                let had = f.latency.as_deref().and_then(parse_duration).unwrap_or(0);
                f.latency = Some(offset_text(had.max(ms)));
            }
            FaultKind::Duplicates(r) => f.duplicate_rate = f.duplicate_rate.max(r),
            FaultKind::Reordering(r) => f.reorder_rate = f.reorder_rate.max(r),
            FaultKind::NotIdempotent => f.idempotent = Some(false),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_drawn_within_bounds_and_the_same_for_the_same_seed() {
        let subs = vec!["A".to_owned(), "B".to_owned()];
        let bounds = Bounds {
            idempotence: true,
            ..Bounds::default()
        };
        for seed in 0..200 {
            let a = draw(&mut Rng::new(seed, "plan"), &subs, &bounds, 60_000);
            let b = draw(&mut Rng::new(seed, "plan"), &subs, &bounds, 60_000);
            assert_eq!(a, b);
            assert!(a.len() <= 3);
            for p in &a {
                match p.kind {
                    FaultKind::Failures(r)
                    | FaultKind::Duplicates(r)
                    | FaultKind::Reordering(r) => {
                        assert!((0.05..=0.5).contains(&r), "{r}")
                    }
                    FaultKind::Outage(x, y) => assert!(0 <= x && x < y && x <= 60_000),
                    FaultKind::Latency(ms) => assert!((100..=5_000).contains(&ms)),
                    FaultKind::NotIdempotent => {}
                }
            }
        }
        let none = Bounds {
            max_faults: 0,
            ..Bounds::default()
        };
        assert!(draw(&mut Rng::new(1, "plan"), &subs, &none, 1000).is_empty());
    }

    #[test]
    fn pieces_on_one_subscriber_join_into_one_fault() {
        let base = Scenario {
            faults: vec![Fault {
                failure_rate: 0.3,
                latency: Some("2s".into()),
                ..Fault::none("A")
            }],
            ..Scenario::default()
        };
        let pieces = [
            Piece {
                subscriber: "A".into(),
                kind: FaultKind::Failures(0.1),
            },
            Piece {
                subscriber: "A".into(),
                kind: FaultKind::Latency(5_000),
            },
            Piece {
                subscriber: "A".into(),
                kind: FaultKind::Outage(1_000, 3_500),
            },
            Piece {
                subscriber: "B".into(),
                kind: FaultKind::NotIdempotent,
            },
        ];
        let s = with_faults(&base, &pieces);
        assert_eq!(s.faults.len(), 2);
        assert_eq!(s.faults[0].failure_rate, 0.3, "the higher rate");
        assert_eq!(s.faults[0].latency.as_deref(), Some("5s"));
        assert_eq!(s.faults[0].outages, vec![("1s".into(), "3s500ms".into())]);
        assert_eq!(s.faults[1].idempotent, Some(false));
    }
}
