//! The event store: a global append-only log with positions, streams with versions,
//! optimistic concurrency by expected version, and idempotent append by event id.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::model::expr::Value;

/// What caused a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// A command (its index in the engine's command log).
    Command(u32),
    /// The scenario's `when` (for commands).
    Scenario,
    /// An earlier event (its position), through a policy, saga, translation or external system.
    Event(u64),
    /// A `given` event of the scenario.
    Given,
}

/// One stored event.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Event id, derived from the seed and the position.
    pub id: u128,
    /// The event type (index into the program's events).
    pub event: u32,
    /// The stream (index into the store's streams).
    pub stream: u32,
    /// Version within the stream, from 1.
    pub version: u32,
    /// Virtual time, ms since the epoch.
    pub time: i64,
    /// Correlation id (index into the store's interned strings).
    pub correlation: u32,
    /// What caused it.
    pub causation: Cause,
    /// Field values in declaration order.
    pub payload: Arc<[Value]>,
}

/// The version a writer expects a stream to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Any version.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must exist.
    StreamExists,
    /// The stream must be at exactly this version.
    Exact(u32),
}

/// An append refused by optimistic concurrency.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("stream {stream}: expected {expected:?}, but it is at version {actual}")]
pub struct Conflict {
    /// The stream's name.
    pub stream: String,
    /// What the writer expected.
    pub expected: Expected,
    /// The stream's actual version (0: it does not exist).
    pub actual: u32,
}

/// A stream: its name and the positions of its events.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// `Booking/b-1`.
    pub name: Arc<str>,
    /// Positions of its events, in version order.
    pub positions: Vec<u64>,
}

/// A new event to append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Event id.
    pub id: u128,
    /// Event type.
    pub event: u32,
    /// Virtual time.
    pub time: i64,
    /// Correlation id (interned).
    pub correlation: u32,
    /// Cause.
    pub causation: Cause,
    /// Payload.
    pub payload: Arc<[Value]>,
}

/// The store.
#[derive(Clone, Debug, Default)]
pub struct EventStore {
    /// Every record, by position.
    pub records: Vec<Record>,
    /// Every stream, by index.
    pub streams: Vec<Stream>,
    stream_index: HashMap<Arc<str>, u32>,
    ids: HashSet<u128>,
    strings: Vec<Arc<str>>,
    string_index: HashMap<Arc<str>, u32>,
}

impl EventStore {
    /// The stream called `name`, created empty if new.
    pub fn stream(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.stream_index.get(name) {
            return i;
        }
        let name: Arc<str> = Arc::from(name);
        let i = self.streams.len() as u32;
        self.streams.push(Stream {
            name: name.clone(),
            positions: Vec::new(),
        });
        self.stream_index.insert(name, i);
        i
    }

    /// The stream called `name`, if it exists.
    pub fn find_stream(&self, name: &str) -> Option<u32> {
        self.stream_index.get(name).copied()
    }

    /// The current version of a stream (0 if it has no events).
    pub fn version(&self, stream: u32) -> u32 {
        self.streams
            .get(stream as usize)
            .map_or(0, |s| s.positions.len() as u32)
    }

    /// Interns a string (correlation ids).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.string_index.get(s) {
            return i;
        }
        let a: Arc<str> = Arc::from(s);
        let i = self.strings.len() as u32;
        self.strings.push(a.clone());
        self.string_index.insert(a, i);
        i
    }

    /// An interned string.
    pub fn string(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", |s| s)
    }

    /// Appends `events` to `stream` if it is at the `expected` version. Events whose id is
    /// already stored are skipped (idempotent append). Returns the new positions.
    pub fn append(
        &mut self,
        stream: u32,
        expected: Expected,
        events: Vec<NewEvent>,
    ) -> Result<Vec<u64>, Conflict> {
        let actual = self.version(stream);
        let ok = match expected {
            Expected::Any => true,
            Expected::NoStream => actual == 0,
            Expected::StreamExists => actual > 0,
            Expected::Exact(v) => actual == v,
        };
        if !ok {
            return Err(Conflict {
                stream: self
                    .streams
                    .get(stream as usize)
                    .map(|s| s.name.to_string())
                    .unwrap_or_default(),
                expected,
                actual,
            });
        }
        let mut positions = Vec::with_capacity(events.len());
        for e in events {
            if !self.ids.insert(e.id) {
                continue;
            }
            let position = self.records.len() as u64;
            let version = self.version(stream) + 1;
            self.records.push(Record {
                id: e.id,
                event: e.event,
                stream,
                version,
                time: e.time,
                correlation: e.correlation,
                causation: e.causation,
                payload: e.payload,
            });
            if let Some(s) = self.streams.get_mut(stream as usize) {
                s.positions.push(position);
            }
            positions.push(position);
        }
        Ok(positions)
    }
}

/// The text form of an event id: 32 hex digits in UUID layout.
pub fn format_id(id: u128) -> String {
    let h = format!("{id:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: u128) -> NewEvent {
        NewEvent {
            id,
            event: 0,
            time: 0,
            correlation: 0,
            causation: Cause::Given,
            payload: Arc::from(Vec::new()),
        }
    }

    #[test]
    fn expected_versions_guard_concurrent_writers() {
        let mut s = EventStore::default();
        let a = s.stream("Booking/b-1");
        assert!(s.append(a, Expected::StreamExists, vec![ev(1)]).is_err());
        assert_eq!(
            s.append(a, Expected::NoStream, vec![ev(1)]).unwrap(),
            vec![0]
        );
        let e = s.append(a, Expected::NoStream, vec![ev(2)]).unwrap_err();
        assert_eq!(e.actual, 1);
        // Two writers both read version 1; the first wins, the second learns the actual version.
        assert!(s.append(a, Expected::Exact(1), vec![ev(2)]).is_ok());
        let e = s.append(a, Expected::Exact(1), vec![ev(3)]).unwrap_err();
        assert_eq!((e.actual, e.stream.as_str()), (2, "Booking/b-1"));
        assert_eq!(s.version(a), 2);
    }

    #[test]
    fn appending_an_event_id_twice_stores_it_once() {
        let mut s = EventStore::default();
        let a = s.stream("x");
        s.append(a, Expected::Any, vec![ev(7)]).unwrap();
        assert!(s.append(a, Expected::Any, vec![ev(7)]).unwrap().is_empty());
        assert_eq!(s.records.len(), 1);
        assert_eq!(format_id(1), "00000000-0000-0000-0000-000000000001");
    }
}
