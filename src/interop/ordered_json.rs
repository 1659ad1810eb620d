//! A JSON value whose objects keep their keys in the order they were written, for documents
//! people read (an AsyncAPI file starts with `asyncapi`, `info`, then `channels`). Printed by
//! serde_json; written here because serde_json's own `Value` sorts keys unless its
//! `preserve_order` feature is on, and turning that on would reorder JSON elsewhere (the
//! shared board's documents).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value; objects are lists of (key, value) in output order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// An array.
    Arr(Vec<Json>),
    /// An object, keys in output order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// An object of `pairs`.
    pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// `{"$ref": to}`.
    pub fn reference(to: impl Into<String>) -> Json {
        Json::obj([("$ref", Json::str(to))])
    }

    /// Adds `key: value` at the end of an object (nothing for other values).
    pub fn push(&mut self, key: impl Into<String>, value: Json) {
        if let Json::Obj(pairs) = self {
            pairs.push((key.into(), value));
        }
    }

    /// Pretty-printed, two spaces per level, with a final newline.
    pub fn pretty(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Str(v) => s.serialize_str(v),
            Json::Int(v) => s.serialize_i64(*v),
            Json::Bool(v) => s.serialize_bool(*v),
            Json::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Json::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_strings_are_escaped() {
        let mut j = Json::obj([("z", Json::Int(1)), ("a", Json::str("say \"hi\"\n"))]);
        j.push("m", Json::Arr(vec![Json::Bool(true)]));
        assert_eq!(
            j.pretty(),
            "{\n  \"z\": 1,\n  \"a\": \"say \\\"hi\\\"\\n\",\n  \"m\": [\n    true\n  ]\n}\n"
        );
    }
}
