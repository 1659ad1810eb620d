//! Typed fields with stable numbers, and the numbers and names a removed field leaves reserved.

use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::ty::Type;

/// A field of an event, command, value object, aggregate state or read model.
///
/// `n` is assigned once when the field is created and never changes, even when the field is
/// renamed or moved: it is the protobuf field number of the exported contract.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Stable field number (1…536,870,911, never reused).
    pub n: u32,
    /// Field name, `lower_snake_case` by convention.
    pub name: String,
    /// Field type.
    pub ty: Type,
    /// Description, exported as a comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
}

/// A number and name once used by a removed field; neither may be used again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserved {
    /// The removed field's number.
    pub n: u32,
    /// The removed field's name.
    pub name: String,
}

/// The highest field number protobuf allows.
pub const MAX_FIELD_NUMBER: u32 = 536_870_911;

/// Field numbers protobuf reserves for its own use.
pub const PROTO_RESERVED_RANGE: std::ops::RangeInclusive<u32> = 19_000..=19_999;

/// The next free field number: one above every number in use or reserved, skipping 19000–19999.
pub fn next_field_number(fields: &[Field], reserved: &[Reserved]) -> u32 {
    let max = fields
        .iter()
        .map(|f| f.n)
        .chain(reserved.iter().map(|r| r.n))
        .max()
        .unwrap_or(0);
    let next = max.saturating_add(1);
    if PROTO_RESERVED_RANGE.contains(&next) {
        *PROTO_RESERVED_RANGE.end() + 1
    } else {
        next
    }
}

/// Removes the field at `index`, remembering its number and name as reserved.
pub fn remove_field(fields: &mut Vec<Field>, reserved: &mut Vec<Reserved>, index: usize) {
    if index < fields.len() {
        let f = fields.remove(index);
        reserved.push(Reserved {
            n: f.n,
            name: f.name,
        });
    }
}

/// `(name, type)` pairs in declaration order, as the expression checker wants them.
pub fn shape(fields: &[Field]) -> Vec<(String, Type)> {
    fields
        .iter()
        .map(|f| (f.name.clone(), f.ty.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: u32, name: &str) -> Field {
        Field {
            uid: Uid::NONE,
            n,
            name: name.into(),
            ty: Type::Int,
            doc: String::new(),
        }
    }

    #[test]
    fn removing_a_field_reserves_its_number_and_name_and_numbers_are_never_reused() {
        let mut fields = vec![f(1, "a"), f(2, "b"), f(3, "c")];
        let mut reserved = vec![];
        remove_field(&mut fields, &mut reserved, 2);
        assert_eq!(
            reserved,
            vec![Reserved {
                n: 3,
                name: "c".into()
            }]
        );
        assert_eq!(next_field_number(&fields, &reserved), 4);
    }

    #[test]
    fn numbering_skips_the_range_protobuf_reserves() {
        let fields = vec![f(18_999, "a")];
        assert_eq!(next_field_number(&fields, &[]), 20_000);
    }
}
