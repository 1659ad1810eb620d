//! Field types of events, commands, value objects, aggregate state and read-model columns.
//!
//! In the model file a type is written as a short string (`"decimal"`, `"list<Money>"`,
//! `"optional<timestamp>"`), which keeps the file readable and its diffs small.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field type. Named types (`Enum`, `Value`) refer to an enum or value object by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// UTF-8 text.
    String,
    /// 64-bit signed integer.
    Int,
    /// Exact decimal (money); never a float.
    Decimal,
    /// `true` / `false`.
    Bool,
    /// A point on the (virtual) clock, millisecond precision.
    Timestamp,
    /// A span of time, millisecond precision.
    Duration,
    /// An identifier (aggregate ids, correlation ids); text at runtime.
    Id,
    /// A named enum or value object, resolved against the model by name.
    Named(String),
    /// A list of values of one type.
    List(Box<Type>),
    /// A value that may be absent.
    Optional(Box<Type>),
}

/// How deep `list<…>` and `optional<…>` may nest (a bound, so that no input can exhaust the
/// stack of the code that walks a type; protobuf needs a wrapper message per level).
pub const MAX_TYPE_DEPTH: usize = 16;

/// Why a type string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid type `{text}`: {reason}")]
pub struct TypeParseError {
    /// The text that was given (its first 60 characters).
    pub text: String,
    /// What was wrong with it.
    pub reason: String,
}

impl Type {
    /// Parses `string`, `list<Money>`, `optional<list<int>>`, … Names must be identifiers;
    /// `list<…>` and `optional<…>` nest at most [`MAX_TYPE_DEPTH`] deep.
    pub fn parse(text: &str) -> Result<Self, TypeParseError> {
        Self::parse_within(text, MAX_TYPE_DEPTH)
    }

    fn parse_within(text: &str, depth: usize) -> Result<Self, TypeParseError> {
        let err = |reason: &str| TypeParseError {
            text: shortened(text),
            reason: reason.to_owned(),
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(err("empty type"));
        }
        if let Some(open) = t.find('<') {
            if depth == 0 {
                return Err(err(&format!(
                    "`list<…>` and `optional<…>` nest at most {MAX_TYPE_DEPTH} deep"
                )));
            }
            let head = t[..open].trim();
            let Some(inner) = t[open + 1..].strip_suffix('>') else {
                return Err(err("missing closing `>`"));
            };
            let inner = Type::parse_within(inner, depth - 1).map_err(|e| err(&e.reason))?;
            return match head {
                "list" => Ok(Type::List(Box::new(inner))),
                "optional" => Ok(Type::Optional(Box::new(inner))),
                _ => Err(err("only `list<T>` and `optional<T>` take a type argument")),
            };
        }
        Ok(match t {
            "string" => Type::String,
            "int" => Type::Int,
            "decimal" => Type::Decimal,
            "bool" => Type::Bool,
            "timestamp" => Type::Timestamp,
            "duration" => Type::Duration,
            "id" => Type::Id,
            name => {
                if !name.split('.').all(is_identifier) || name.split('.').count() > 2 {
                    return Err(err(
                        "expected a built-in type (string, int, decimal, bool, timestamp, duration, id), \
                         list<T>, optional<T>, or the name of an enum or value object",
                    ));
                }
                Type::Named(name.to_owned())
            }
        })
    }

    /// The named enum or value object this type mentions, if any (looking through list/optional).
    pub fn named(&self) -> Option<&str> {
        match self {
            Type::Named(n) => Some(n),
            Type::List(t) | Type::Optional(t) => t.named(),
            _ => None,
        }
    }

    /// True for `int` and `decimal`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Decimal)
    }
}

/// `text` as an error shows it: at most 60 characters, then `…`.
fn shortened(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// True if `s` is an ASCII identifier: a letter or `_`, then letters, digits or `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Int => f.write_str("int"),
            Type::Decimal => f.write_str("decimal"),
            Type::Bool => f.write_str("bool"),
            Type::Timestamp => f.write_str("timestamp"),
            Type::Duration => f.write_str("duration"),
            Type::Id => f.write_str("id"),
            Type::Named(n) => f.write_str(n),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Optional(t) => write!(f, "optional<{t}>"),
        }
    }
}

impl Serialize for Type {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Type {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Type::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_nested_types() {
        for text in ["string", "list<Money>", "optional<list<timestamp>>", "id"] {
            assert_eq!(Type::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Type::parse(" list< int > ").unwrap(),
            Type::List(Box::new(Type::Int))
        );
    }

    #[test]
    fn rejects_malformed_types_with_a_reason() {
        assert_eq!(
            Type::parse("Billing.Money").unwrap(),
            Type::Named("Billing.Money".into())
        );
        for text in [
            "", "list<int", "map<int>", "9lives", "a b", "list<>", "a.b.c", ".x",
        ] {
            assert!(Type::parse(text).is_err(), "{text} should not parse");
        }
    }

    #[test]
    fn nesting_is_bounded_and_a_deep_type_is_an_error_not_a_crash() {
        let nested = |n: usize| format!("{}int{}", "list<".repeat(n), ">".repeat(n));
        assert!(Type::parse(&nested(MAX_TYPE_DEPTH)).is_ok());
        let e = Type::parse(&nested(MAX_TYPE_DEPTH + 1)).unwrap_err();
        assert!(e.reason.contains("nest at most 16 deep"), "{}", e.reason);
        // Deep enough to overflow the stack of a recursive reader.
        assert!(Type::parse(&nested(15_000)).is_err());
    }
}
