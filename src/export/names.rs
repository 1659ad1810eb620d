//! Protobuf identifiers from sticky-note text: every name the exporter writes goes through
//! here, so no text on the board can inject proto syntax or produce an invalid identifier.
//!
//! Names are split into words (see [`crate::model::naming::words`]), reduced to ASCII letters
//! and digits, and re-cased; a name left empty or starting with a digit gets a letter in
//! front. [`Scope`] makes names unique within one namespace by suffixing a number.

use std::collections::BTreeSet;

use crate::model::naming::words;

fn ascii_words(name: &str) -> Vec<String> {
    words(name)
        .into_iter()
        .map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn lead_with_letter(s: String, prefix: &str) -> String {
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("{prefix}{s}")
    }
}

/// `PascalCase` for messages and enums; `Unnamed` if nothing is left.
pub fn pascal(name: &str) -> String {
    let s: String = ascii_words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() {
        "Unnamed".into()
    } else {
        lead_with_letter(s, "X")
    }
}

/// `lower_snake_case` for fields, oneofs and package segments; `unnamed` if nothing is left.
pub fn snake(name: &str) -> String {
    let s = ascii_words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() {
        "unnamed".into()
    } else {
        lead_with_letter(s, "x_")
    }
}

/// `UPPER_SNAKE_CASE` for enum values (without the enum's prefix).
pub fn upper(name: &str) -> String {
    let s = ascii_words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() { "UNNAMED".into() } else { s }
}

/// Width comments are wrapped to.
const WIDTH: usize = 100;

/// The comment lines for a description: `// ` before each line, wrapped at 100 columns,
/// control characters removed.
pub fn comment(doc: &str, indent: &str) -> String {
    let mut out = String::new();
    let room = WIDTH.saturating_sub(indent.len() + 3).max(40);
    for line in doc.lines() {
        let clean: String = line.chars().filter(|c| !c.is_control()).collect();
        let mut cur = String::new();
        for word in clean.split_whitespace() {
            if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > room {
                out.push_str(&format!("{indent}// {cur}\n"));
                cur.clear();
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        if cur.is_empty() {
            out.push_str(&format!("{indent}//\n"));
        } else {
            out.push_str(&format!("{indent}// {cur}\n"));
        }
    }
    out
}

/// A namespace in which every name handed out is unique.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// Claims `name`, or `name` with a number (`2`, `3`, … joined by `sep`) if it is taken.
    /// Returns the name claimed.
    pub fn claim(&mut self, name: String, sep: &str) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        (2..)
            .map(|i| format!("{name}{sep}{i}"))
            .find(|n| self.taken.insert(n.clone()))
            .unwrap_or(name)
    }

    /// Marks `name` as taken without claiming it for anyone (reserved names).
    pub fn block(&mut self, name: String) {
        self.taken.insert(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sticky_text_becomes_valid_identifiers() {
        assert_eq!(pascal("service booked"), "ServiceBooked");
        assert_eq!(pascal("ServiceBooked"), "ServiceBooked");
        assert_eq!(pascal("Paiement reçu"), "PaiementReu");
        assert_eq!(pascal("2fa enabled"), "X2faEnabled");
        assert_eq!(pascal("}; message Evil {"), "MessageEvil");
        assert_eq!(pascal("日本"), "Unnamed");
        assert_eq!(snake("BookingID"), "booking_id");
        assert_eq!(snake("paid at"), "paid_at");
        assert_eq!(snake("1st = 2; //"), "x_1st_2");
        assert_eq!(upper("OilChange"), "OIL_CHANGE");
        assert_eq!(comment("a\nb\u{7}c\n\n", "  "), "  // a\n  // bc\n  //\n");
        let long = "word ".repeat(40);
        let wrapped = comment(&long, "");
        assert!(wrapped.lines().all(|l| l.len() <= 100), "{wrapped}");
        assert_eq!(wrapped.lines().count(), 3);
    }

    #[test]
    fn a_scope_hands_out_each_name_once() {
        let mut s = Scope::default();
        assert_eq!(s.claim("Money".into(), ""), "Money");
        assert_eq!(s.claim("Money".into(), ""), "Money2");
        s.block("id_2".into());
        assert_eq!(s.claim("id".into(), "_"), "id");
        assert_eq!(s.claim("id".into(), "_"), "id_3");
    }
}
