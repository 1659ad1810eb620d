//! Simulated events as proto-JSON (the protobuf JSON mapping of the exported envelopes): one
//! envelope object per line, `lowerCamelCase` names, 64-bit integers as strings, enums by
//! name, timestamps in RFC 3339 and durations as `1.500s` (`stormlab simulate … --log
//! out.pb.jsonl`).

use std::fmt::Write as _;

use super::encode::{Encoder, Header, integer};
use super::schema::{Label, Message, ProtoField, ProtoType};
use crate::model::expr::Value;
use crate::model::expr::time::format_timestamp;
use crate::sim::engine::Engine;
use crate::sim::log::string;

/// The JSON name of a field: `booking_id` → `bookingId`.
pub fn json_name(field: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in field.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A protobuf `Duration` in JSON: seconds with the fraction, then `s`.
fn duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    match a % 1000 {
        0 => format!("{sign}{}s", a / 1000),
        f => format!("{sign}{}.{f:03}s", a / 1000),
    }
}

impl Encoder<'_> {
    fn json_fields(&self, out: &mut String, package: &str, m: &Message, values: &[Value]) {
        out.push('{');
        let mut first = true;
        for (f, v) in m.fields.iter().zip(values) {
            if matches!(v, Value::None) {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            string(out, &json_name(&f.name));
            out.push(':');
            self.json_field(out, package, m, f, v);
        }
        out.push('}');
    }

    fn json_field(&self, out: &mut String, package: &str, m: &Message, f: &ProtoField, v: &Value) {
        match (f.label, v) {
            (Label::Repeated, Value::List(items)) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    self.json_single(out, package, m, &f.ty, item);
                }
                out.push(']');
            }
            (_, v) => self.json_single(out, package, m, &f.ty, v),
        }
    }

    fn json_single(
        &self,
        out: &mut String,
        package: &str,
        parent: &Message,
        ty: &ProtoType,
        v: &Value,
    ) {
        match ty {
            ProtoType::String => match v {
                Value::Str(s) => string(out, s),
                other => string(out, &other.to_string()),
            },
            ProtoType::Int64 | ProtoType::Uint64 => string(out, &integer(v).to_string()),
            ProtoType::Bool => out.push_str(if matches!(v, Value::Bool(true)) {
                "true"
            } else {
                "false"
            }),
            ProtoType::Timestamp => match v {
                Value::Ts(t) => string(out, &format_timestamp(*t)),
                _ => string(out, &format_timestamp(0)),
            },
            ProtoType::Duration => match v {
                Value::Dur(d) => string(out, &duration(*d)),
                _ => string(out, "0s"),
            },
            ProtoType::Enum(p, n) => {
                let name = self.enum_value(p, n, v).map_or("0", |(n, _)| n);
                string(out, name);
            }
            ProtoType::Message(p, n) => match (self.messages.get(&(p.as_str(), n.as_str())), v) {
                (Some(m), Value::Record(vals)) => self.json_fields(out, p, m, vals),
                _ => out.push_str("{}"),
            },
            ProtoType::Nested(n) => match parent.nested.iter().find(|m| &m.name == n) {
                Some(m) => self.json_fields(out, package, m, std::slice::from_ref(v)),
                None => out.push_str("{}"),
            },
        }
    }

    /// The record at `position` of `engine`'s log as a proto-JSON envelope.
    pub fn json_envelope(&self, engine: &Engine, position: usize) -> Option<String> {
        let (r, def, case) = self.case_of(engine, position)?;
        let (package, m) = self.events.get(&def.id)?;
        let h = Header::of(engine, position)?;
        let mut out = String::from("{\"eventId\":");
        string(&mut out, &h.event_id);
        out.push_str(",\"stream\":");
        string(&mut out, &h.stream);
        let _ = write!(
            out,
            ",\"version\":\"{}\",\"position\":\"{}\",\"occurredAt\":",
            r.version,
            position + 1
        );
        string(&mut out, &format_timestamp(r.time));
        out.push_str(",\"correlationId\":");
        string(&mut out, &h.correlation);
        out.push_str(",\"causationId\":");
        string(&mut out, &h.causation);
        out.push(',');
        string(&mut out, &json_name(&case.name));
        out.push(':');
        self.json_fields(&mut out, package, m, engine.payload(r));
        out.push('}');
        Some(out)
    }

    /// Every record of the log as proto-JSON, one envelope per line.
    pub fn json_log(&self, engine: &Engine) -> String {
        let mut out = String::new();
        for pos in 0..engine.records().len() {
            if let Some(line) = self.json_envelope(engine, pos) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_and_durations_follow_the_protobuf_json_mapping() {
        assert_eq!(json_name("booking_id"), "bookingId");
        assert_eq!(json_name("event"), "event");
        assert_eq!(duration(1500), "1.500s");
        assert_eq!(duration(-2000), "-2s");
    }
}
