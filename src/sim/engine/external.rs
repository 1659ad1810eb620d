//! External systems: they answer a command or event with one of their outcomes, after a
//! latency, appended outside any aggregate.

use super::Action;
use super::Engine;

use crate::model::expr::{RootValue, Value};
use crate::sim::program::{OutcomeDef, Program};
use crate::sim::store::{Cause, Expected, NewEvent};

impl Engine {
    /// Schedules an external system's answer to a message.
    pub(super) fn react(
        &mut self,
        outcomes: &[OutcomeDef],
        msg: &[Value],
        correlation: u32,
        cause: Cause,
    ) {
        let now = Value::Ts(self.clock.now);
        let roots = [RootValue::Record(msg), RootValue::Scalar(&now)];
        let candidates: smallvec::SmallVec<[&OutcomeDef; 4]> = outcomes
            .iter()
            .filter(|o| {
                o.when
                    .as_ref()
                    .is_none_or(|w| matches!(w.eval(&roots), Ok(Value::Bool(true))))
            })
            .collect();
        let total: f64 = candidates.iter().map(|o| o.probability.max(0.0)).sum();
        if candidates.is_empty() || total <= 0.0 {
            return;
        }
        let mut pick = self.rng_outcomes.unit() * total;
        let chosen = candidates.iter().find(|o| {
            pick -= o.probability.max(0.0);
            pick < 0.0
        });
        let Some(o) = chosen.or(candidates.last()) else {
            return;
        };
        let mut payload = Vec::with_capacity(o.fields.len());
        if Self::values(
            &mut payload,
            &o.fields,
            &self.program.events[o.event].fields,
            &roots,
            &Value::None,
        )
        .is_ok()
        {
            self.clock.at(
                self.clock.now + o.after_ms,
                Action::Respond {
                    event: o.event,
                    payload,
                    correlation,
                    cause,
                },
            );
        }
    }

    /// Appends one event outside a command (history, an external system's answer, a
    /// translation) to its stream, applied to its aggregate instance if an aggregate owns it;
    /// the caller hands it on. Returns its position, or None if the store refused it.
    pub(super) fn append_outside(
        &mut self,
        program: &Program,
        event: usize,
        payload: Vec<Value>,
        correlation: u32,
        cause: Cause,
    ) -> Option<u64> {
        let (stream, agg) = self.stream_of(event, &payload);
        let position = self.store.records.len() as u64;
        let new = NewEvent {
            id: self.event_id(position),
            event: event as u32,
            time: self.clock.now,
            correlation,
            causation: cause,
            fields: payload.len() as u32,
        };
        self.store.staging().extend(payload);
        let appended = self.store.append(stream, Expected::Any, [new]).ok()?;
        if appended.is_empty() {
            return None;
        }
        if let Some((a, key)) = agg {
            self.apply_at(program, a, &key, position);
        }
        Some(position)
    }
}
