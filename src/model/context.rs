//! Bounded contexts: a frame on the board holding its own model and language.

use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::actor::Actor;
use super::aggregate::Aggregate;
use super::command::Command;
use super::event::Event;
use super::external::ExternalSystem;
use super::field::Reserved;
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
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
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
    /// Envelope numbers and names of removed events: never used again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<Reserved>,
    /// Properties of the whole system this context's team answers for (`parked`,
    /// `rejected`, `events`, `now`, lookups), checked like the model's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invariants: Vec<super::invariant::Invariant>,
}

impl BoundedContext {
    /// Gives every event without an envelope number the next free one (above every number
    /// in use or retired, skipping 19000–19999), in declaration order.
    pub fn number_events(&mut self) {
        let numbers = self.event_numbers();
        for (e, n) in self.events.iter_mut().zip(numbers) {
            e.n = n;
        }
    }

    /// The envelope number of every event: its own, or for an event without one, the number
    /// [`Self::number_events`] would give it.
    pub fn event_numbers(&self) -> Vec<u32> {
        let mut next = self
            .events
            .iter()
            .map(|e| e.n)
            .chain(self.retired.iter().map(|r| r.n))
            .max()
            .unwrap_or(0)
            .max(super::event::FIRST_EVENT_NUMBER - 1);
        self.events
            .iter()
            .map(|e| {
                if e.n != 0 {
                    return e.n;
                }
                next = next.saturating_add(1);
                if super::field::PROTO_RESERVED_RANGE.contains(&next) {
                    next = *super::field::PROTO_RESERVED_RANGE.end() + 1;
                }
                next
            })
            .collect()
    }

    /// The envelope number a new event gets: one above every number in use or retired,
    /// skipping 19000–19999 (what [`Self::number_events`] gives an event added last).
    pub fn next_event_number(&self) -> u32 {
        let max = self
            .event_numbers()
            .into_iter()
            .chain(self.retired.iter().map(|r| r.n))
            .max()
            .unwrap_or(0)
            .max(super::event::FIRST_EVENT_NUMBER - 1);
        let next = max.saturating_add(1);
        if super::field::PROTO_RESERVED_RANGE.contains(&next) {
            *super::field::PROTO_RESERVED_RANGE.end() + 1
        } else {
            next
        }
    }

    /// Removes the event at `index`, retiring its envelope number and name.
    pub fn remove_event(&mut self, index: usize) {
        if index < self.events.len() {
            let e = self.events.remove(index);
            if e.n != 0 {
                self.retired.push(Reserved {
                    n: e.n,
                    name: if e.contract.is_empty() {
                        e.name
                    } else {
                        e.contract
                    },
                });
            }
        }
    }

    /// The proto package segment: `package` if set, else the name in snake_case.
    pub fn package_segment(&self) -> String {
        if self.package.is_empty() {
            super::naming::snake_case(&self.name)
        } else {
            self.package.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Ref};

    fn event(name: &str, n: u32) -> Event {
        Event {
            uid: Uid::NONE,
            name: name.into(),
            n,
            contract: String::new(),
            doc: String::new(),
            owner: Ref::default(),
            stream_key: String::new(),
            published: false,
            withdrawn: false,
            fields: vec![],
            reserved: vec![],
            at: Default::default(),
        }
    }

    #[test]
    fn envelope_numbers_start_at_16_skip_retired_and_protobufs_range_and_survive_removal() {
        let mut c = BoundedContext {
            events: vec![event("A", 0), event("B", 0)],
            ..Default::default()
        };
        c.number_events();
        assert_eq!(c.events.iter().map(|e| e.n).collect::<Vec<_>>(), [16, 17]);
        // Removing an event retires its number and name; a new event never gets them back.
        c.remove_event(1);
        assert_eq!(
            c.retired,
            [Reserved {
                n: 17,
                name: "B".into()
            }]
        );
        c.events.push(event("C", 0));
        c.number_events();
        assert_eq!(c.events[1].n, 18);
        // Numbers jump over 19000–19999.
        c.events.push(event("D", 18_999));
        c.events.push(event("E", 0));
        c.number_events();
        assert_eq!(c.events[3].n, 20_000);
    }
}
