//! Simulated events as protobuf: each record of a run in its context's envelope (the
//! exported `<Context>Envelope`), binary, length-delimited — fixtures developers can feed to
//! their real consumers (`stormlab simulate … --log out.binpb`).
//!
//! The encoder reads the same [`Schema`] the `.proto` files are rendered from, so the bytes
//! decode with the exported files (the tests decode them with prost-reflect).

use std::collections::BTreeMap;

use super::schema::{Label, Message, ProtoEnum, ProtoField, ProtoType, Schema};
use crate::model::element::Loc;
use crate::model::expr::Value;
use crate::sim::engine::Engine;
use crate::sim::program::EventDef;
use crate::sim::store::{Cause, Record, format_id};

/// Protobuf wire types.
const VARINT: u32 = 0;
const LEN: u32 = 2;

fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn tag(buf: &mut Vec<u8>, number: u32, wire: u32) {
    varint(buf, (u64::from(number) << 3) | u64::from(wire));
}

fn bytes(buf: &mut Vec<u8>, number: u32, b: &[u8]) {
    tag(buf, number, LEN);
    varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

/// `google.protobuf.Timestamp` / `Duration` from milliseconds.
fn seconds_nanos(ms: i64, duration: bool) -> Vec<u8> {
    let (s, n) = if duration {
        (ms / 1000, (ms % 1000) * 1_000_000)
    } else {
        (ms.div_euclid(1000), ms.rem_euclid(1000) * 1_000_000)
    };
    let mut b = Vec::new();
    if s != 0 {
        tag(&mut b, 1, VARINT);
        varint(&mut b, s as u64);
    }
    if n != 0 {
        tag(&mut b, 2, VARINT);
        varint(&mut b, n as i32 as i64 as u64);
    }
    b
}

/// Encodes values by the exported schema.
pub struct Encoder<'s> {
    pub(super) messages: BTreeMap<(&'s str, &'s str), &'s Message>,
    pub(super) enums: BTreeMap<(&'s str, &'s str), &'s ProtoEnum>,
    pub(super) events: BTreeMap<Loc, (&'s str, &'s Message)>,
    pub(super) envelopes: BTreeMap<usize, &'s Message>,
}

impl<'s> Encoder<'s> {
    /// An encoder for `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        let mut e = Self {
            messages: BTreeMap::new(),
            enums: BTreeMap::new(),
            events: BTreeMap::new(),
            envelopes: BTreeMap::new(),
        };
        for f in &schema.files {
            for m in &f.messages {
                e.messages.insert((&f.package, &m.name), m);
                if let Some(id) = m.element {
                    e.events.insert(id, (&f.package, m));
                }
                if m.role == (super::schema::Role::Envelope { integration: false }) {
                    e.envelopes.insert(f.context, m);
                }
            }
            for en in &f.enums {
                e.enums.insert((&f.package, &en.name), en);
            }
        }
        e
    }

    /// The exported value (name, number) of the model enum value `v` of enum `package.name`.
    pub(super) fn enum_value(
        &self,
        package: &str,
        name: &str,
        v: &Value,
    ) -> Option<(&'s str, i32)> {
        let e = self.enums.get(&(package, name))?;
        let Value::Str(text) = v else { return None };
        let i = e.sources.iter().position(|s| **s == **text)?;
        e.values.get(i + 1).map(|(n, num)| (n.as_str(), *num))
    }

    /// The message of the model event (or command, value object) `element` with `payload`
    /// (its field values in declaration order).
    pub fn message(&self, element: Loc, payload: &[Value]) -> Option<Vec<u8>> {
        let (package, m) = self.events.get(&element)?;
        Some(self.fields(package, m, payload))
    }

    fn fields(&self, package: &str, m: &Message, values: &[Value]) -> Vec<u8> {
        let mut buf = Vec::new();
        for (f, v) in m.fields.iter().zip(values) {
            self.field(&mut buf, package, m, f, v);
        }
        buf
    }

    fn field(&self, buf: &mut Vec<u8>, package: &str, m: &Message, f: &ProtoField, v: &Value) {
        match (f.label, v) {
            (_, Value::None) => {}
            (Label::Repeated, Value::List(items)) => {
                for item in items.iter() {
                    self.single(buf, package, m, f.number, &f.ty, item);
                }
            }
            (_, v) => self.single(buf, package, m, f.number, &f.ty, v),
        }
    }

    fn single(
        &self,
        buf: &mut Vec<u8>,
        package: &str,
        parent: &Message,
        number: u32,
        ty: &ProtoType,
        v: &Value,
    ) {
        match ty {
            ProtoType::String => {
                let text = match v {
                    Value::Str(s) => s.to_string(),
                    other => other.to_string(),
                };
                bytes(buf, number, text.as_bytes());
            }
            ProtoType::Int64 | ProtoType::Uint64 => {
                tag(buf, number, VARINT);
                varint(buf, integer(v) as u64);
            }
            ProtoType::Bool => {
                tag(buf, number, VARINT);
                varint(buf, u64::from(matches!(v, Value::Bool(true))));
            }
            ProtoType::Timestamp => {
                let ms = match v {
                    Value::Ts(t) => *t,
                    _ => 0,
                };
                bytes(buf, number, &seconds_nanos(ms, false));
            }
            ProtoType::Duration => {
                let ms = match v {
                    Value::Dur(d) => *d,
                    _ => 0,
                };
                bytes(buf, number, &seconds_nanos(ms, true));
            }
            ProtoType::Enum(p, n) => {
                tag(buf, number, VARINT);
                let n = self.enum_value(p, n, v).map_or(0, |(_, n)| n);
                varint(buf, n as i64 as u64);
            }
            ProtoType::Message(p, n) => {
                let inner = match (self.messages.get(&(p.as_str(), n.as_str())), v) {
                    (Some(m), Value::Record(vals)) => self.fields(p, m, vals),
                    _ => Vec::new(),
                };
                bytes(buf, number, &inner);
            }
            ProtoType::Nested(n) => {
                let inner = match (parent.nested.iter().find(|m| &m.name == n), v) {
                    (Some(m), Value::List(_)) => self.fields(package, m, std::slice::from_ref(v)),
                    _ => Vec::new(),
                };
                bytes(buf, number, &inner);
            }
        }
    }

    /// The record at `position`, its event type and its case in its context's envelope.
    pub(super) fn case_of<'e>(
        &self,
        engine: &'e Engine,
        position: usize,
    ) -> Option<(&'e Record, &'e EventDef, &'s ProtoField)> {
        let r = engine.records().get(position)?;
        let def = engine.program().events.get(r.event as usize)?;
        let envelope = self.envelopes.get(&def.id.context?)?;
        let case = envelope
            .fields
            .iter()
            .find(|f| f.in_oneof && f.model_name == def.name)?;
        Some((r, def, case))
    }

    /// The record at `position` of `engine`'s log in its context's envelope.
    pub fn envelope(&self, engine: &Engine, position: usize) -> Option<Vec<u8>> {
        let (r, def, case) = self.case_of(engine, position)?;
        let mut buf = Vec::new();
        let h = Header::of(engine, position)?;
        bytes(&mut buf, 1, h.event_id.as_bytes());
        bytes(&mut buf, 2, h.stream.as_bytes());
        tag(&mut buf, 3, VARINT);
        varint(&mut buf, u64::from(r.version));
        tag(&mut buf, 4, VARINT);
        // From 1, as in the JSON Lines log and the studio.
        varint(&mut buf, position as u64 + 1);
        bytes(&mut buf, 5, &seconds_nanos(r.time, false));
        bytes(&mut buf, 6, h.correlation.as_bytes());
        bytes(&mut buf, 7, h.causation.as_bytes());
        let event = self.message(def.id, engine.payload(r))?;
        bytes(&mut buf, case.number, &event);
        Some(buf)
    }

    /// Every record of the log, each envelope prefixed by its length as a varint (the
    /// length-delimited stream format of `writeDelimitedTo` / `parseDelimitedFrom`).
    pub fn delimited_log(&self, engine: &Engine) -> Vec<u8> {
        let mut out = Vec::new();
        for pos in 0..engine.records().len() {
            if let Some(e) = self.envelope(engine, pos) {
                varint(&mut out, e.len() as u64);
                out.extend_from_slice(&e);
            }
        }
        out
    }
}

/// The text fields of a record's envelope header.
pub(super) struct Header<'e> {
    pub event_id: String,
    pub stream: String,
    pub correlation: std::borrow::Cow<'e, str>,
    /// `command:N` (the Nth command handled), an event id, `given` or `scenario`.
    pub causation: String,
}

impl<'e> Header<'e> {
    pub(super) fn of(engine: &'e Engine, position: usize) -> Option<Self> {
        let r = engine.records().get(position)?;
        let causation = match r.causation {
            Cause::Command(i) => format!("command:{}", i + 1),
            Cause::Event(p) | Cause::Deadline(p) => engine
                .records()
                .get(p as usize)
                .map_or_else(String::new, |c| format_id(c.id())),
            Cause::Given => "given".into(),
            Cause::Scenario => "scenario".into(),
        };
        Some(Self {
            event_id: format_id(r.id()),
            stream: engine.stream_name(r.stream),
            correlation: engine.text(r.correlation),
            causation,
        })
    }
}

pub(super) fn integer(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Ts(i) | Value::Dur(i) => *i,
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_times_are_encoded_as_protobuf_does() {
        let mut b = Vec::new();
        varint(&mut b, 300);
        assert_eq!(b, [0xAC, 0x02]);
        // -1 as int64 takes ten bytes.
        let mut b = Vec::new();
        varint(&mut b, -1i64 as u64);
        assert_eq!(b.len(), 10);
        // 1.5 s before the epoch: seconds -2, nanos 500 000 000 (nanos never negative).
        assert_eq!(
            seconds_nanos(-1500, false),
            [
                0x08, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x10, 0x80, 0xCA,
                0xB5, 0xEE, 0x01
            ]
        );
        assert!(seconds_nanos(0, true).is_empty());
    }
}
