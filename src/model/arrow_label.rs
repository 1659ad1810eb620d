//! A label written on an arrow of the board: what the link means to the team ("only for
//! gold sponsors", "nightly"). Arrows are drawn from references, so the label is kept beside
//! them, by the ids of the two elements the arrow joins; it lasts while both do.

use serde::{Deserialize, Serialize};

use super::uid::Uid;

/// The label of the arrow from one element to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrowLabel {
    /// The element the arrow leaves.
    pub from: Uid,
    /// The element it points at.
    pub to: Uid,
    /// The text.
    pub text: String,
}

/// `labels` with the label of the arrow `from` → `to` set to `text` as typed (removed when
/// blank).
pub fn with_label(labels: &[ArrowLabel], from: Uid, to: Uid, text: &str) -> Vec<ArrowLabel> {
    let mut out: Vec<ArrowLabel> = labels
        .iter()
        .filter(|l| !(l.from == from && l.to == to))
        .cloned()
        .collect();
    if !text.trim().is_empty() {
        out.push(ArrowLabel {
            from,
            to,
            text: text.to_owned(),
        });
    }
    out
}

/// The label of the arrow `from` → `to`, if it has one.
pub fn label_of(labels: &[ArrowLabel], from: Uid, to: Uid) -> Option<&str> {
    labels
        .iter()
        .find(|l| l.from == from && l.to == to)
        .map(|l| l.text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_set_replaced_and_removed() {
        let (a, b) = (Uid::fresh(), Uid::fresh());
        let l = with_label(&[], a, b, "nightly ");
        assert_eq!(label_of(&l, a, b), Some("nightly "));
        assert_eq!(label_of(&l, b, a), None);
        let l = with_label(&l, a, b, "hourly");
        assert_eq!((l.len(), label_of(&l, a, b)), (1, Some("hourly")));
        assert!(with_label(&l, a, b, "  ").is_empty());
    }
}
