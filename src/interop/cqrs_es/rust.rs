//! The model's names, types and values as Rust: fields in snake_case (raw identifiers for
//! keywords), standard types by their full paths (so that no value object named `Option` or
//! `String` can shadow them), decimals as `rust_decimal::Decimal`, timestamps and durations
//! as milliseconds (`i64`), enums and value objects as Rust enums and structs.

use std::collections::BTreeSet;

use crate::model::expr::Value;
use crate::model::naming::{pascal_case, snake_case};
use crate::model::{EnumDef, Model, Type, ValueObject};

/// Rust's keywords (2024 edition, strict and reserved).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// A field's name as a Rust identifier.
pub fn field(name: &str) -> String {
    let s = snake_case(name);
    let s = if s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s
    } else {
        format!("f_{s}")
    };
    if matches!(s.as_str(), "self" | "super" | "crate" | "Self") {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// An enum value's name as a Rust variant.
pub fn variant(value: &str) -> String {
    let v = pascal_case(value);
    if v.starts_with(|c: char| c.is_ascii_alphabetic()) {
        v
    } else {
        format!("V{v}")
    }
}

/// A named type of the model.
pub enum Named<'a> {
    /// An enum.
    Enum(&'a EnumDef),
    /// A value object.
    Value(&'a ValueObject),
}

/// The enum or value object called `name` (`Context.Name`, or the first context's that
/// has one).
pub fn named<'a>(model: &'a Model, name: &str) -> Option<Named<'a>> {
    let (context, name) = match name.split_once('.') {
        Some((c, n)) => (Some(c), n),
        None => (None, name),
    };
    let contexts = model.contexts.iter();
    contexts
        .filter(|c| context.is_none_or(|x| x == c.name))
        .find_map(|c| {
            c.enums
                .iter()
                .find(|e| e.name == name)
                .map(Named::Enum)
                .or_else(|| c.values.iter().find(|v| v.name == name).map(Named::Value))
        })
}

/// The Rust type of `t`.
pub fn ty(t: &Type) -> String {
    match t {
        Type::String | Type::Id => "::std::string::String".into(),
        Type::Int | Type::Timestamp | Type::Duration => "i64".into(),
        Type::Decimal => "::rust_decimal::Decimal".into(),
        Type::Bool => "bool".into(),
        Type::Named(n) => type_name(n),
        Type::List(inner) => format!("::std::vec::Vec<{}>", ty(inner)),
        Type::Optional(inner) => format!("::std::option::Option<{}>", ty(inner)),
    }
}

/// A named type's Rust name: `Booking.ServiceKind` is `ServiceKind`.
pub fn type_name(name: &str) -> String {
    name.rsplit('.').next().unwrap_or(name).to_owned()
}

/// The named types `t` uses, through value objects' fields too, added to `out`.
pub fn uses(model: &Model, t: &Type, out: &mut BTreeSet<String>) {
    match t {
        Type::Named(n) => {
            if out.insert(n.clone())
                && let Some(Named::Value(v)) = named(model, n)
            {
                for f in &v.fields {
                    uses(model, &f.ty, out);
                }
            }
        }
        Type::List(inner) | Type::Optional(inner) => uses(model, inner, out),
        _ => {}
    }
}

/// `v`, a value of type `t`, as a Rust expression; a value that does not fit its type (or a
/// type the model does not define) is the type's default.
pub fn literal(model: &Model, v: &Value, t: &Type) -> String {
    let default = || "::std::default::Default::default()".to_owned();
    match (t, v) {
        (Type::String | Type::Id, Value::Str(s)) => format!("::std::string::String::from({s:?})"),
        (Type::Int, Value::Int(i))
        | (Type::Timestamp, Value::Ts(i))
        | (Type::Duration, Value::Dur(i)) => {
            format!("{i}")
        }
        (Type::Decimal, Value::Dec(d)) => {
            format!(
                "{:?}.parse::<::rust_decimal::Decimal>().unwrap()",
                d.to_string()
            )
        }
        (Type::Decimal, Value::Int(i)) => format!("::rust_decimal::Decimal::from({i}i64)"),
        (Type::Bool, Value::Bool(b)) => format!("{b}"),
        (Type::Optional(_), Value::None) => "::std::option::Option::None".into(),
        (Type::Optional(inner), v) => {
            format!("::std::option::Option::Some({})", literal(model, v, inner))
        }
        (Type::List(inner), Value::List(items)) => {
            let items: Vec<String> = items.iter().map(|x| literal(model, x, inner)).collect();
            format!("::std::vec![{}]", items.join(", "))
        }
        (Type::Named(n), v) => match (named(model, n), v) {
            (Some(Named::Enum(_)), Value::Str(s)) => format!("{}::{}", type_name(n), variant(s)),
            (Some(Named::Value(vo)), Value::Record(vals)) => {
                let fields: Vec<String> = vo
                    .fields
                    .iter()
                    .zip(vals.iter())
                    .map(|(f, x)| format!("{}: {}", field(&f.name), literal(model, x, &f.ty)))
                    .collect();
                format!("{} {{ {} }}", type_name(n), fields.join(", "))
            }
            _ => default(),
        },
        _ => default(),
    }
}

/// The Rust definitions of the named types in `names`: enums with their values (the first
/// the default), value objects as structs.
pub fn definitions(model: &Model, names: &BTreeSet<String>) -> String {
    let mut out = String::new();
    let mut defined = BTreeSet::new();
    for full in names {
        let n = type_name(full);
        if !defined.insert(n.clone()) {
            continue;
        }
        match named(model, full) {
            Some(Named::Enum(e)) => {
                out.push_str(&doc(&e.doc, ""));
                out.push_str(
                    "#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]\n",
                );
                out.push_str(&format!("pub enum {n} {{\n"));
                if e.values.is_empty() {
                    out.push_str("    #[default]\n    Unset,\n");
                }
                for (i, v) in e.values.iter().enumerate() {
                    if i == 0 {
                        out.push_str("    #[default]\n");
                    }
                    out.push_str(&format!("    {},\n", variant(v)));
                }
                out.push_str("}\n\n");
            }
            Some(Named::Value(v)) => {
                out.push_str(&doc(&v.doc, ""));
                out.push_str(
                    "#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]\n",
                );
                out.push_str(&format!("pub struct {n} {{\n"));
                for f in &v.fields {
                    out.push_str(&format!("    pub {}: {},\n", field(&f.name), ty(&f.ty)));
                }
                out.push_str("}\n\n");
            }
            None => {}
        }
    }
    out
}

/// `text` as `///` lines indented by `indent` (nothing for no text).
pub fn doc(text: &str, indent: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{indent}/// {}\n", l.trim()))
        .collect()
}
