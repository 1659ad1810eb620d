//! The event store: a global append-only log with positions, streams with versions,
//! optimistic concurrency by expected version, and idempotent append by event id.

use std::ops::Range;
use std::sync::Arc;

use super::chunked::{Chunked, Runs};
use super::hash::FastMap;
use super::rng::splitmix64;
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
    /// A saga's deadline that expired (for the commands it set off): the position of the
    /// event that armed it.
    Deadline(u64),
}

impl Cause {
    /// The cause in one word: the variant in the top three bits, its number below (log
    /// positions and command indexes stay far below 2⁶¹).
    pub fn pack(self) -> u64 {
        const LOW: u64 = (1 << 61) - 1;
        match self {
            Cause::Command(i) => u64::from(i),
            Cause::Scenario => 1 << 61,
            Cause::Event(p) => (2 << 61) | (p & LOW),
            Cause::Given => 3 << 61,
            Cause::Deadline(p) => (4 << 61) | (p & LOW),
        }
    }

    /// The cause [`Cause::pack`] packed.
    pub fn unpack(word: u64) -> Cause {
        let n = word & ((1 << 61) - 1);
        match word >> 61 {
            0 => Cause::Command(n as u32),
            1 => Cause::Scenario,
            2 => Cause::Event(n),
            3 => Cause::Given,
            _ => Cause::Deadline(n),
        }
    }
}

/// One stored event (64 bytes: the id is kept as four words so that the record needs no
/// 16-byte alignment; the payload lies in the store's values, see [`EventStore::payload`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Event id, derived from the seed and the position; see [`Record::id`].
    id: [u32; 4],
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
    /// Where its field values lie in the store's values.
    payload: Span,
}

/// A run of the store's values: one record's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

impl Record {
    /// The event id.
    pub fn id(&self) -> u128 {
        let [a, b, c, d] = self.id;
        (u128::from(a) << 96) | (u128::from(b) << 64) | (u128::from(c) << 32) | u128::from(d)
    }
}

fn split_id(id: u128) -> [u32; 4] {
    [
        (id >> 96) as u32,
        (id >> 64) as u32,
        (id >> 32) as u32,
        id as u32,
    ]
}

/// The id the engine gives the event at `position` of a run with `seed`: 128 bits mixed from
/// both, unique per position, and invertible back to the position (see
/// [`EventStore::seeded`]).
pub fn derived_id(seed: u64, position: u64) -> u128 {
    let hi = splitmix64(seed ^ ID_SALT ^ position);
    let lo = splitmix64(hi ^ position.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    (u128::from(hi) << 64) | u128::from(lo)
}

const ID_SALT: u64 = 0xA5A5_5A5A_1234_5678;

/// The position whose derived id (for `seed`) has these high 64 bits.
fn derived_position(seed: u64, hi: u64) -> u64 {
    unsplitmix64(hi) ^ seed ^ ID_SALT
}

/// The inverse of `splitmix64`: each of its steps (xor-shift, odd multiply, add) undone.
fn unsplitmix64(z: u64) -> u64 {
    let unshift = |z: u64, s: u32| {
        let mut x = z;
        let mut k = s;
        while k < 64 {
            x = z ^ (x >> s);
            k += s;
        }
        x
    };
    let mut z = unshift(z, 31);
    z = z.wrapping_mul(inverse(0x94D0_49BB_1331_11EB));
    z = unshift(z, 27);
    z = z.wrapping_mul(inverse(0xBF58_476D_1CE4_E5B9));
    z = unshift(z, 30);
    z.wrapping_sub(0x9E37_79B9_7F4A_7C15)
}

/// The multiplicative inverse of an odd number modulo 2⁶⁴ (Newton's iteration).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// The positions of the stored events, found by event id: an open-addressing table of
/// positions (4 bytes a slot, at most 7/8 full), hashed by id; the ids themselves live in
/// the records, so the index costs about 6 bytes an event instead of a set of 16-byte ids.
#[derive(Clone, Debug, Default)]
struct IdIndex {
    /// `position + 1`, or 0 for an empty slot.
    slots: Vec<u32>,
    len: usize,
}

impl IdIndex {
    fn hash(id: u128) -> usize {
        let x = (id as u64) ^ ((id >> 64) as u64).rotate_left(29);
        splitmix64(x) as usize
    }

    /// The slot where `id` is stored, or the empty slot where it would go.
    fn probe(&self, records: &Chunked<Record>, id: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = Self::hash(id) & mask;
        loop {
            match self.slots[i] {
                0 => return i,
                p if records[(p - 1) as usize].id() == id => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn contains(&self, records: &Chunked<Record>, id: u128) -> bool {
        !self.slots.is_empty() && self.slots[self.probe(records, id)] != 0
    }

    /// Indexes the record at `position` (its id must not be indexed yet).
    fn insert(&mut self, records: &Chunked<Record>, position: usize) {
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            let size = (self.slots.len() * 2).max(1024);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            for p in old.into_iter().filter(|&p| p != 0) {
                let i = self.probe(records, records[(p - 1) as usize].id());
                self.slots[i] = p;
            }
        }
        let i = self.probe(records, records[position].id());
        self.slots[i] = position as u32 + 1;
        self.len += 1;
    }
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

/// A stream: its owner and key (named `Owner/key`, as `Booking/b-1`) and the positions of its
/// events.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The owner's name (an aggregate, an external system or an event type), interned.
    pub owner: u32,
    /// The key within the owner (an aggregate's id), shared with the instance it belongs to.
    pub key: Arc<str>,
    /// The position of its first event (`NO_EVENT` while it has none): kept apart, so that
    /// the many streams of one event each (a saga's steps) allocate no list.
    first: u32,
    /// The positions of its other events, in version order (a log holds fewer than 2³²).
    rest: Vec<u32>,
}

/// `Stream::first` of an empty stream.
const NO_EVENT: u32 = u32::MAX;

impl Stream {
    /// The number of its events (its version).
    pub fn len(&self) -> u32 {
        if self.first == NO_EVENT {
            0
        } else {
            1 + self.rest.len() as u32
        }
    }

    /// True while it has no events.
    pub fn is_empty(&self) -> bool {
        self.first == NO_EVENT
    }

    /// The positions of its events, in version order.
    pub fn positions(&self) -> impl Iterator<Item = u32> + '_ {
        (!self.is_empty())
            .then_some(self.first)
            .into_iter()
            .chain(self.rest.iter().copied())
    }

    fn push(&mut self, position: u32) {
        if self.is_empty() {
            self.first = position;
        } else {
            self.rest.push(position);
        }
    }
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
    /// How many values of the store's staging area (see [`EventStore::staging`]), taken in
    /// order, make its payload.
    pub fields: u32,
}

/// Correlation ids with this bit set are the scenario's command numbers (see
/// [`EventStore::command_correlation`]); interned strings are numbered below it.
const NUMBERED: u32 = 1 << 31;

/// The store.
#[derive(Clone, Debug, Default)]
pub struct EventStore {
    /// Every record, by position.
    pub records: Chunked<Record>,
    /// Every stream, by index.
    pub streams: Vec<Stream>,
    /// The records' field values, one payload after another (a payload costs no allocation
    /// of its own).
    values: Runs<Value>,
    /// Values of the events about to be appended.
    staged: Vec<Value>,
    stream_index: FastMap<(u32, Arc<str>), u32>,
    ids: IdIndex,
    strings: Vec<Arc<str>>,
    string_index: FastMap<Arc<str>, u32>,
    /// The seed of the ids derived from positions, which the id index leaves out.
    seed: Option<u64>,
}

impl EventStore {
    /// The stream `key` of `owner` (an interned name, see `intern`), created empty if new.
    /// No name is formatted: a new stream shares its key and costs one index entry. (An
    /// aggregate's streams are made by `new_stream` and found through its instances.)
    pub fn stream(&mut self, owner: u32, key: &Arc<str>) -> u32 {
        let next = self.streams.len() as u32;
        let i = *self
            .stream_index
            .entry((owner, key.clone()))
            .or_insert(next);
        if i == next {
            self.streams.push(Stream {
                owner,
                key: key.clone(),
                first: NO_EVENT,
                rest: Vec::new(),
            });
        }
        i
    }

    /// A new, empty stream `key` of `owner`, left out of the index by name: for a caller that
    /// keeps its own (an aggregate's instance holds its stream), so that making it costs no
    /// index entry. `stream` and `find_stream` do not see it.
    pub fn new_stream(&mut self, owner: u32, key: &Arc<str>) -> u32 {
        self.streams.push(Stream {
            owner,
            key: key.clone(),
            first: NO_EVENT,
            rest: Vec::new(),
        });
        (self.streams.len() - 1) as u32
    }

    /// The stream called `owner/key`, if it exists (one made by `stream`).
    pub fn find_stream(&self, owner: &str, key: &str) -> Option<u32> {
        let owner = *self.string_index.get(owner)?;
        self.stream_index.get(&(owner, Arc::from(key))).copied()
    }

    /// A stream's name, `Owner/key` (empty for no stream).
    pub fn stream_name(&self, stream: u32) -> String {
        self.streams
            .get(stream as usize)
            .map_or_else(String::new, |s| {
                let owner = self.string(s.owner);
                let mut name = String::with_capacity(owner.len() + 1 + s.key.len());
                name.push_str(owner);
                name.push('/');
                name.push_str(&s.key);
                name
            })
    }

    /// The current version of a stream (0 if it has no events).
    pub fn version(&self, stream: u32) -> u32 {
        self.streams.get(stream as usize).map_or(0, Stream::len)
    }

    /// The field values of a record of this store, in declaration order.
    pub fn payload(&self, record: &Record) -> &[Value] {
        let Span { start, len } = record.payload;
        self.values.run(start as usize, len as usize)
    }

    /// The field values of the record at `position` (empty if there is none).
    pub fn payload_at(&self, position: u64) -> &[Value] {
        self.records
            .get(position as usize)
            .map_or(&[], |r| self.payload(r))
    }

    /// The staging area of payloads: push the values of the events to append, in order, then
    /// `append` them (each takes its `fields`). `append` empties it, appended or not.
    pub fn staging(&mut self) -> &mut Vec<Value> {
        &mut self.staged
    }

    /// Interns a string (correlation ids, the owners of streams).
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

    /// The correlation id of the scenario's `n`th command (from 1), `c-n`: a number, named
    /// only when read ([`EventStore::correlation`]), so that a million-command load interns
    /// no million strings.
    pub fn command_correlation(&mut self, n: u64) -> u32 {
        match u32::try_from(n) {
            Ok(n) if n < NUMBERED => NUMBERED | n,
            _ => self.intern(&format!("c-{n}")),
        }
    }

    /// A correlation id's text: an interned string, or `c-n` for the scenario's `n`th
    /// command.
    pub fn correlation(&self, i: u32) -> std::borrow::Cow<'_, str> {
        if i & NUMBERED != 0 {
            std::borrow::Cow::Owned(format!("c-{}", i & !NUMBERED))
        } else {
            std::borrow::Cow::Borrowed(self.string(i))
        }
    }

    /// A store whose events mostly carry [`derived_id`]s of `seed` (an engine's store):
    /// such an id at its own position needs no index entry, since the id gives back its
    /// position, so idempotent append costs no memory and no hash probe for them.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed: Some(seed),
            ..Self::default()
        }
    }

    /// Takes the memory of `old`'s records and values (emptied) for this store's: a new
    /// run in an old run's memory.
    pub(crate) fn reuse(&mut self, mut old: EventStore) {
        if self.records.is_empty() {
            old.records.clear();
            old.values.clear();
            self.records = old.records;
            self.values = old.values;
        }
    }

    /// True if an event with this id is stored.
    pub fn contains_id(&self, id: u128) -> bool {
        if let Some(seed) = self.seed {
            let p = derived_position(seed, (id >> 64) as u64);
            if self.records.get(p as usize).is_some_and(|r| r.id() == id) {
                return true;
            }
        }
        self.ids.len > 0 && self.ids.contains(&self.records, id)
    }

    /// Appends `events` to `stream` if it is at the `expected` version, each with its payload
    /// taken from the staging area (see `staging`). Events whose id is already stored are
    /// skipped (idempotent append). Returns the new positions, which follow one another.
    pub fn append(
        &mut self,
        stream: u32,
        expected: Expected,
        events: impl IntoIterator<Item = NewEvent>,
    ) -> Result<Range<u64>, Conflict> {
        let mut staged = std::mem::take(&mut self.staged);
        let result = self.append_staged(stream, expected, events, &mut staged);
        staged.clear();
        self.staged = staged;
        result
    }

    fn append_staged(
        &mut self,
        stream: u32,
        expected: Expected,
        events: impl IntoIterator<Item = NewEvent>,
        staged: &mut [Value],
    ) -> Result<Range<u64>, Conflict> {
        let actual = self.version(stream);
        let ok = match expected {
            Expected::Any => true,
            Expected::NoStream => actual == 0,
            Expected::StreamExists => actual > 0,
            Expected::Exact(v) => actual == v,
        };
        if !ok {
            return Err(Conflict {
                stream: self.stream_name(stream),
                expected,
                actual,
            });
        }
        let first = self.records.len() as u64;
        // (A run of values may start a new chunk: room for two more.)
        let values_end = self.values.end() + staged.len() + (1 << 17);
        if first >= u64::from(u32::MAX) || values_end >= u32::MAX as usize {
            // Positions and payloads are 32-bit: a log this long is refused, not corrupted.
            return Ok(first..first);
        }
        let mut staged = staged.iter_mut();
        for e in events {
            let values = staged.by_ref().take(e.fields as usize);
            let position = self.records.len() as u64;
            // An id derived from its own position is new unless a caller stored that very
            // id earlier under another position (then it is in the index).
            let derived = self.seed.is_some_and(|s| derived_id(s, position) == e.id);
            let stored = if derived {
                self.ids.len > 0 && self.ids.contains(&self.records, e.id)
            } else {
                self.contains_id(e.id)
            };
            if stored {
                // Skip its values (the staging area is emptied afterwards).
                values.for_each(|_| ());
                continue;
            }
            let version = self.version(stream) + 1;
            // Invariants of every log, checked in debug builds (every test and fuzz run):
            // causes precede their effects, and the event that armed a deadline precedes
            // the commands the deadline sets off.
            debug_assert!(
                match e.causation {
                    Cause::Event(p) | Cause::Deadline(p) => p < position,
                    _ => true,
                },
                "event at {position} caused by a later event ({:?})",
                e.causation
            );
            let (start, len) = self
                .values
                .push_run(e.fields as usize, values.map(std::mem::take));
            self.records.push(Record {
                id: split_id(e.id),
                event: e.event,
                stream,
                version,
                time: e.time,
                correlation: e.correlation,
                causation: e.causation,
                payload: Span {
                    start: start as u32,
                    len: len as u32,
                },
            });
            if !derived {
                self.ids.insert(&self.records, position as usize);
            }
            if let Some(s) = self.streams.get_mut(stream as usize) {
                s.push(position as u32);
                // Versions go up by one; positions are contiguous.
                debug_assert_eq!(s.len(), version, "stream version skipped");
            }
            debug_assert_eq!(
                self.records.len() as u64,
                position + 1,
                "positions not contiguous"
            );
            debug_assert_eq!(len, e.fields as usize, "payload of the wrong length");
        }
        Ok(first..self.records.len() as u64)
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

    fn named(s: &mut EventStore, owner: &str, key: &str) -> u32 {
        let owner = s.intern(owner);
        s.stream(owner, &Arc::from(key))
    }

    fn ev(id: u128) -> NewEvent {
        NewEvent {
            id,
            event: 0,
            time: 0,
            correlation: 0,
            causation: Cause::Given,
            fields: 0,
        }
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "caused by a later event")]
    fn an_effect_before_its_cause_is_caught() {
        let mut s = EventStore::default();
        let a = named(&mut s, "Booking", "b-1");
        let mut e = ev(1);
        e.causation = Cause::Event(5);
        let _ = s.append(a, Expected::Any, vec![e]);
    }

    #[test]
    fn expected_versions_guard_concurrent_writers() {
        let mut s = EventStore::default();
        let a = named(&mut s, "Booking", "b-1");
        assert!(s.append(a, Expected::StreamExists, vec![ev(1)]).is_err());
        assert_eq!(s.append(a, Expected::NoStream, vec![ev(1)]).unwrap(), 0..1);
        let e = s.append(a, Expected::NoStream, vec![ev(2)]).unwrap_err();
        assert_eq!(e.actual, 1);
        // Two writers both read version 1; the first wins, the second learns the actual version.
        assert!(s.append(a, Expected::Exact(1), vec![ev(2)]).is_ok());
        let e = s.append(a, Expected::Exact(1), vec![ev(3)]).unwrap_err();
        assert_eq!((e.actual, e.stream.as_str()), (2, "Booking/b-1"));
        assert_eq!(s.version(a), 2);
    }

    proptest::proptest! {
        /// Writers each read the counter (the last event's value and the stream's version),
        /// then append the value plus one with `Exact(version read)`, in any interleaving;
        /// a refused writer reads again. No update is lost: the counter ends at the number
        /// of appends that went through, and every event is one more than the one before.
        #[test]
        fn concurrent_writers_with_exact_versions_never_lose_an_update(
            steps in proptest::collection::vec((0usize..4, proptest::bool::ANY), 1..200)
        ) {
            let mut s = EventStore::default();
            let a = named(&mut s, "Counter", "c-1");
            let read = |s: &EventStore| {
                let value = s.records.last().and_then(|r| s.payload(r).first().cloned());
                let value = match value {
                    Some(Value::Int(v)) => v,
                    _ => 0,
                };
                (value, s.version(a))
            };
            let mut seen = [(0i64, 0u32); 4];
            let mut written = 0i64;
            for (n, (w, reread)) in steps.into_iter().enumerate() {
                if reread {
                    seen[w] = read(&s);
                    continue;
                }
                let (value, version) = seen[w];
                s.staging().push(Value::Int(value + 1));
                let new = NewEvent { fields: 1, ..ev(n as u128 + 1) };
                match s.append(a, Expected::Exact(version), [new]) {
                    Ok(_) => {
                        written += 1;
                        seen[w] = read(&s);
                    }
                    Err(conflict) => {
                        proptest::prop_assert_eq!(conflict.actual, s.version(a));
                        seen[w] = read(&s);
                    }
                }
            }
            proptest::prop_assert_eq!(read(&s), (written, written as u32));
            for (i, r) in s.records.iter().enumerate() {
                proptest::prop_assert_eq!(s.payload(r), &[Value::Int(i as i64 + 1)][..]);
            }
        }
    }

    #[test]
    fn streams_are_found_by_owner_and_key_and_list_their_events_in_order() {
        let mut s = EventStore::default();
        let booking = named(&mut s, "Booking", "b-1");
        let other = named(&mut s, "Booking", "b-2");
        let payment = named(&mut s, "Payment", "b-1");
        assert_eq!(named(&mut s, "Booking", "b-1"), booking);
        assert!(booking != other && booking != payment && other != payment);
        assert_eq!(s.stream_name(payment), "Payment/b-1");
        assert_eq!(s.find_stream("Booking", "b-2"), Some(other));
        assert_eq!(s.find_stream("Booking", "b-3"), None);
        assert_eq!(s.find_stream("Nobody", "b-1"), None);
        assert!(s.streams[booking as usize].is_empty());
        for (i, stream) in [booking, payment, booking, booking].into_iter().enumerate() {
            s.append(stream, Expected::Any, [ev(i as u128 + 1)])
                .unwrap();
        }
        let of = |st: u32| s.streams[st as usize].positions().collect::<Vec<_>>();
        assert_eq!(of(booking), vec![0, 2, 3]);
        assert_eq!(of(payment), vec![1]);
        assert_eq!(of(other), Vec::<u32>::new());
        assert_eq!(
            (s.version(booking), s.version(payment), s.version(other)),
            (3, 1, 0)
        );
        assert_eq!(s.records[3].version, 3);
    }

    #[test]
    fn the_id_index_finds_every_id_after_growing() {
        let mut s = EventStore::default();
        let a = named(&mut s, "X", "x");
        let ids: Vec<u128> = (0..5000u128)
            .map(|i| i * 0x1_0000_0001 + (i << 100))
            .collect();
        for (n, &id) in ids.iter().enumerate() {
            let n = n as u64;
            assert_eq!(s.append(a, Expected::Any, [ev(id)]).unwrap(), n..n + 1);
        }
        for &id in &ids {
            assert!(s.contains_id(id));
            assert!(s.append(a, Expected::Any, [ev(id)]).unwrap().is_empty());
        }
        assert!(!s.contains_id(3));
        assert_eq!(s.records.len(), 5000);
        assert_eq!(s.records[4999].id(), ids[4999]);
    }

    #[test]
    fn derived_ids_give_back_their_position() {
        for seed in [0, 1, 42, u64::MAX] {
            for p in [0, 1, 2, 1000, 999_999, u64::from(u32::MAX)] {
                let id = derived_id(seed, p);
                assert_eq!(derived_position(seed, (id >> 64) as u64), p);
            }
        }
    }

    #[test]
    fn a_seeded_store_is_idempotent_for_derived_and_foreign_ids() {
        let mut s = EventStore::seeded(9);
        let a = named(&mut s, "X", "x");
        // Positions 0 and 1 carry their derived ids; position 2 a foreign id that happens to
        // be the id position 3 would derive.
        let d = |p| derived_id(9, p);
        assert_eq!(
            s.append(a, Expected::Any, [ev(d(0)), ev(d(1))]).unwrap(),
            0..2
        );
        assert_eq!(s.append(a, Expected::Any, [ev(d(3))]).unwrap(), 2..3);
        // Retrying any stored id appends nothing, wherever it was stored.
        for id in [d(0), d(1), d(3)] {
            assert!(s.contains_id(id));
            assert!(s.append(a, Expected::Any, [ev(id)]).unwrap().is_empty());
        }
        assert!(!s.contains_id(d(2)) && !s.contains_id(d(4)) && !s.contains_id(5));
        assert_eq!(s.append(a, Expected::Any, [ev(d(3)), ev(5)]).unwrap(), 3..4);
        assert_eq!(s.records.len(), 4);
        assert_eq!(s.records[3].id(), 5);
    }

    #[test]
    fn appending_an_event_id_twice_stores_it_once() {
        let mut s = EventStore::default();
        let a = named(&mut s, "X", "x");
        s.append(a, Expected::Any, vec![ev(7)]).unwrap();
        assert!(s.append(a, Expected::Any, vec![ev(7)]).unwrap().is_empty());
        assert_eq!(s.records.len(), 1);
        assert_eq!(s.records[0].id(), 7);
        assert!(s.contains_id(7) && !s.contains_id(8));
        assert_eq!(format_id(1), "00000000-0000-0000-0000-000000000001");
    }

    #[test]
    fn each_record_keeps_its_own_payload_and_a_refused_append_keeps_none() {
        let mut s = EventStore::default();
        let a = named(&mut s, "X", "x");
        let with = |id: u128, fields: u32| NewEvent { fields, ..ev(id) };
        s.staging()
            .extend([Value::Int(1), Value::Int(2), Value::str("three")]);
        assert_eq!(
            s.append(a, Expected::NoStream, [with(1, 2), with(2, 1)])
                .unwrap(),
            0..2
        );
        // A stored id is skipped with its values; the next event takes its own.
        s.staging().extend([Value::Int(9), Value::Int(4)]);
        assert_eq!(
            s.append(a, Expected::Any, [with(1, 1), with(3, 1)])
                .unwrap(),
            2..3
        );
        // A refused append leaves the staging area empty for the next one.
        s.staging().push(Value::Int(5));
        assert!(s.append(a, Expected::NoStream, [with(4, 1)]).is_err());
        assert!(s.staging().is_empty());
        let payloads: Vec<&[Value]> = s.records.iter().map(|r| s.payload(r)).collect();
        assert_eq!(
            payloads,
            [
                &[Value::Int(1), Value::Int(2)][..],
                &[Value::str("three")],
                &[Value::Int(4)]
            ]
        );
        assert_eq!(s.payload_at(2), &[Value::Int(4)]);
        assert!(s.payload_at(3).is_empty());
    }

    #[test]
    fn a_scenario_command_correlation_reads_as_its_number_without_interning() {
        let mut s = EventStore::default();
        let given = s.intern("given");
        let c7 = s.command_correlation(7);
        assert_eq!(s.correlation(c7), "c-7");
        assert_eq!(s.correlation(given), "given");
        assert_eq!(s.strings.len(), 1, "no string interned for c-7");
        // Past the numbered range the text is interned, and reads the same way.
        let big = s.command_correlation(u64::from(NUMBERED) + 5);
        assert_eq!(s.correlation(big), format!("c-{}", u64::from(NUMBERED) + 5));
        assert_ne!(big, s.command_correlation(8));
    }

    #[test]
    fn a_packed_cause_unpacks_to_itself() {
        for c in [
            Cause::Command(0),
            Cause::Command(u32::MAX),
            Cause::Scenario,
            Cause::Event(0),
            Cause::Event(u64::from(u32::MAX) * 1000),
            Cause::Given,
            Cause::Deadline(7),
            Cause::Deadline(u64::from(u32::MAX)),
        ] {
            assert_eq!(Cause::unpack(c.pack()), c);
        }
    }
}
