//! Runtime values of expressions, shared with the simulation engine.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::TypeEnv;
use super::time::{format_duration, format_timestamp};
use crate::model::ty::Type;

/// A value. Ids and enum values are text at runtime; an absent optional is `None`.
#[derive(Clone, Debug, Eq, PartialOrd, Ord, Default)]
pub enum Value {
    /// An absent optional value.
    #[default]
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An exact decimal.
    Dec(Decimal),
    /// Text (also ids and enum values).
    Str(Arc<str>),
    /// Milliseconds since the Unix epoch, UTC.
    Ts(i64),
    /// Milliseconds.
    Dur(i64),
    /// A value object's fields, in declaration order.
    Record(Arc<[Value]>),
    /// A list.
    List(Arc<[Value]>),
}

impl Value {
    /// Text value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// Text value written by `write` into a buffer reused across calls, then shared: one
    /// allocation (the `Arc`'s) where building a `String` first would make two. Evaluating
    /// `'b-' + str(i)` for every command of a load is the hot case.
    pub fn text_with(write: impl FnOnce(&mut String)) -> Value {
        thread_local! {
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        BUF.with(|buf| match buf.try_borrow_mut() {
            Ok(mut b) => {
                b.clear();
                write(&mut b);
                Value::Str(Arc::from(b.as_str()))
            }
            // Only if `write` itself builds text this way: a buffer of its own.
            Err(_) => {
                let mut b = String::new();
                write(&mut b);
                Value::Str(Arc::from(b))
            }
        })
    }

    /// The zero value of a type: 0, 0.0, "", false, the epoch, 0s, the first enum value, a
    /// record of zeros, an empty list, `None` for optionals.
    pub fn zero_of(ty: &Type, env: &dyn TypeEnv) -> Value {
        zero(ty, env, 0)
    }

    /// The text, for `Str` values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn zero(ty: &Type, env: &dyn TypeEnv, depth: u32) -> Value {
    match ty {
        Type::String | Type::Id => Value::str(""),
        Type::Int => Value::Int(0),
        Type::Decimal => Value::Dec(Decimal::ZERO),
        Type::Bool => Value::Bool(false),
        Type::Timestamp => Value::Ts(0),
        Type::Duration => Value::Dur(0),
        Type::List(_) => Value::List(Arc::from(Vec::new())),
        Type::Optional(_) => Value::None,
        Type::Named(n) => {
            if let Some(values) = env.enum_values(n) {
                return values.first().map(|v| Value::str(v)).unwrap_or_default();
            }
            match env.record_fields(n) {
                // A value object containing itself would be infinite: stop at a fixed depth.
                Some(fields) if depth < 16 => Value::Record(
                    fields
                        .iter()
                        .map(|(_, t)| zero(t, env, depth + 1))
                        .collect(),
                ),
                _ => Value::None,
            }
        }
    }
}

/// Equality by content, as derived, but shared text and lists (the same `Arc`, as an id
/// copied from a command into its events and on into a row key) compare without reading them.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) | (Ts(a), Ts(b)) | (Dur(a), Dur(b)) => a == b,
            (Dec(a), Dec(b)) => a == b,
            (Str(a), Str(b)) => Arc::ptr_eq(a, b) || a == b,
            (Record(a), Record(b)) | (List(a), List(b)) => Arc::ptr_eq(a, b) || a == b,
            _ => false,
        }
    }
}

/// Hashing by content, consistent with equality; text (the usual map key: ids, row keys) in
/// as few hasher rounds as its length allows.
impl std::hash::Hash for Value {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        use Value::*;
        match self {
            None => state.write_u8(0),
            Bool(b) => state.write_u8(1 + u8::from(*b)),
            Int(i) => state.write_u64(*i as u64 ^ (3 << 60)),
            Dec(d) => {
                state.write_u8(4);
                d.hash(state);
            }
            Str(s) => {
                state.write_usize(s.len() ^ (5 << 59));
                state.write(s.as_bytes());
            }
            Ts(t) => state.write_u64(*t as u64 ^ (6 << 60)),
            Dur(d) => state.write_u64(*d as u64 ^ (7 << 60)),
            Record(items) | List(items) => {
                state.write_usize(items.len() ^ (8 << 59));
                for v in items.iter() {
                    v.hash(state);
                }
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            // Canonical: equal values read the same (`2.50`, `2.5` → `2.5`; `0.00` → `0`), in
            // logs, protobuf strings and keys.
            Value::Dec(d) => write!(f, "{}", d.normalize()),
            Value::Str(s) => f.write_str(s),
            Value::Ts(t) => f.write_str(&format_timestamp(*t)),
            Value::Dur(d) => f.write_str(&format_duration(*d)),
            Value::Record(v) | Value::List(v) => {
                let (open, close) = if matches!(self, Value::List(_)) {
                    ("[", "]")
                } else {
                    ("(", ")")
                };
                f.write_str(open)?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{x}")?;
                }
                f.write_str(close)
            }
        }
    }
}
