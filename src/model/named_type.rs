//! Named types a context declares: enums and value objects (records).

use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::field::{Field, Reserved};
use super::layout::Pos;

/// An enumeration, e.g. `ServiceKind { OilChange, Inspection }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Type name, `PascalCase`.
    pub name: String,
    /// The name of its protobuf message, pinned when the element is first renamed so that the
    /// exported contract keeps its name (empty: the element's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Values in order; the first is the default. Exported with stable numbers 1, 2, … in this order.
    pub values: Vec<String>,
}

/// A value object: a named record used as a field type, e.g. `Money { amount, currency }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueObject {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Type name, `PascalCase`.
    pub name: String,
    /// The name of its protobuf message, pinned when the element is first renamed so that the
    /// exported contract keeps its name (empty: the element's name).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contract: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// Fields with stable numbers.
    pub fields: Vec<Field>,
    /// Numbers and names of removed fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<Reserved>,
    /// Board position (value objects may be shown as small cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Pos>,
}
