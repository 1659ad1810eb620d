//! Policies: "whenever EVENT [if COND] then COMMAND" reactions (lilac stickies).

use super::reference::Ref;
use serde::{Deserialize, Serialize};

use super::uid::Uid;

use super::aggregate::Assignments;
use super::delivery::Delivery;
use super::layout::Pos;

/// Whenever `on` happens (and `when` holds), issue `then` to the instance `target` names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Stable identity (see [`Uid`]); unchanged by rename, move and reorder.
    #[serde(default, skip_serializing_if = "Uid::is_none")]
    pub uid: Uid,
    /// Name, e.g. `PayOnBooking`.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
    /// The event that triggers it (`Context.Event` for another context's event).
    pub on: Ref,
    /// Optional condition over `event` and `now`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Fan-out, `ITEM in LIST` (`line in event.lines`): one command per element of the list,
    /// in its order, each with `ITEM` in scope for `target` and `with`. A rejected one does
    /// not stop the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    /// A timer: the command is issued this long after the event (a duration expression over
    /// `event` and `now`, e.g. `days(14)` or `event.due - now`) instead of at once, unless one
    /// of the `unless` events happens first on its target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Events that cancel a pending timer of this policy: one whose id field (its stream key)
    /// is the timer's target id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<Ref>,
    /// The command issued.
    pub then: Ref,
    /// Expression giving the target instance id; defaults to the event's same-named id field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Command field assignments over `event` and `now`; unlisted fields copy the event's.
    #[serde(
        default,
        deserialize_with = "crate::model::unique_keys::unique_keys",
        skip_serializing_if = "Assignments::is_empty"
    )]
    pub with: Assignments,
    /// Delivery settings.
    #[serde(default, skip_serializing_if = "Delivery::is_default")]
    pub delivery: Delivery,
    /// Board position.
    pub at: Pos,
}

/// A fan-out written `ITEM in LIST`, split: the element's name and the list expression with
/// the byte offset where it starts in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForEach<'a> {
    /// The element's name (`line`).
    pub item: &'a str,
    /// The list expression (`event.lines`).
    pub list: &'a str,
    /// Where `list` starts in the text.
    pub list_at: usize,
}

/// Splits `ITEM in LIST`; the error says what is wrong, with its byte range in `text`.
pub fn for_each(text: &str) -> Result<ForEach<'_>, (std::ops::Range<usize>, String)> {
    let usage = "write `ITEM in LIST`, such as `line in event.lines`";
    let trimmed = text.trim_start();
    let start = text.len() - trimmed.len();
    let item_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let item = &trimmed[..item_len];
    let rest = &trimmed[item_len..];
    let after = rest.trim_start();
    let Some(list) = after
        .strip_prefix("in ")
        .or_else(|| after.strip_prefix("in\t"))
    else {
        return Err((0..text.len(), usage.into()));
    };
    if item.is_empty() || !item.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return Err((
            start..start + item_len.max(1),
            format!("the element needs a name: {usage}"),
        ));
    }
    if matches!(item, "event" | "now" | "in" | "state" | "row") {
        return Err((
            start..start + item_len,
            format!("`{item}` is taken here; name the element otherwise (`line`, `item`…)"),
        ));
    }
    let list = list.trim_start();
    let list_at = text.len() - list.len();
    Ok(ForEach {
        item,
        list,
        list_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fan_out_splits_into_the_element_and_the_list() {
        let f = for_each("line in event.lines").unwrap();
        assert_eq!((f.item, f.list, f.list_at), ("line", "event.lines", 8));
        let f = for_each("  x  in  filter(event.xs, y -> y > 0)").unwrap();
        assert_eq!((f.item, &f.list[..6]), ("x", "filter"));
        assert_eq!(
            &"  x  in  filter(event.xs, y -> y > 0)"[f.list_at..f.list_at + 6],
            "filter"
        );
        assert!(
            for_each("event.lines")
                .unwrap_err()
                .1
                .contains("ITEM in LIST")
        );
        assert_eq!(for_each("event in event.lines").unwrap_err().0, 0..5);
        assert!(for_each("1x in event.lines").is_err());
    }
}
