//! The event log as JSON Lines: one record per line, fields in a fixed order, deterministic
//! byte for byte. Decimals are strings (exact); timestamps and durations are text.

use std::fmt::Write as _;

use super::engine::Engine;
use super::store::{Cause, format_id};
use crate::model::expr::Value;
use crate::model::expr::time::{format_duration, format_timestamp};

/// Appends `s` as a JSON string.
pub(crate) fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn value(out: &mut String, v: &Value) {
    match v {
        Value::None => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Dec(d) => string(out, &d.normalize().to_string()),
        Value::Str(s) => string(out, s),
        Value::Ts(t) => string(out, &format_timestamp(*t)),
        Value::Dur(d) => string(out, &format_duration(*d)),
        Value::Record(items) | Value::List(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value(out, x);
            }
            out.push(']');
        }
    }
}

/// One line per stored event.
pub fn jsonl(engine: &Engine) -> String {
    jsonl_head(engine, usize::MAX)
}

/// The first `n` lines of [`jsonl`] (an excerpt of a long run without writing it all).
pub fn jsonl_head(engine: &Engine, n: usize) -> String {
    let p = &engine.program;
    let mut out = String::new();
    for (pos, r) in engine.store.records.iter().enumerate().take(n) {
        let def = &p.events[r.event as usize];
        out.push_str("{\"position\":");
        let _ = write!(out, "{}", pos + 1);
        out.push_str(",\"id\":");
        string(&mut out, &format_id(r.id()));
        out.push_str(",\"time\":");
        string(&mut out, &format_timestamp(r.time));
        out.push_str(",\"context\":");
        string(&mut out, &def.context);
        out.push_str(",\"stream\":");
        string(&mut out, &engine.store.stream_name(r.stream));
        let _ = write!(out, ",\"version\":{}", r.version);
        out.push_str(",\"type\":");
        string(&mut out, &def.name);
        out.push_str(",\"correlation\":");
        string(&mut out, &engine.store.correlation(r.correlation));
        out.push_str(",\"causation\":");
        let cause = match r.causation {
            Cause::Command(c) => format!("command:{}", c + 1),
            Cause::Event(e) => format!("event:{}", e + 1),
            Cause::Deadline(e) => format!("deadline:{}", e + 1),
            Cause::Given => "given".to_owned(),
            Cause::Scenario => "scenario".to_owned(),
        };
        string(&mut out, &cause);
        out.push_str(",\"payload\":{");
        for (i, (f, v)) in def.fields.iter().zip(engine.store.payload(r)).enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(&mut out, &f.name);
            out.push(':');
            value(&mut out, v);
        }
        out.push_str("}}\n");
    }
    out
}
