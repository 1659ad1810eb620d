//! A sticky's list of fields (a command's or event's fields, an aggregate's state, a read
//! model's columns) as its own containers in the document, so that two people editing
//! different fields of one sticky at once both keep their edit.
//!
//! Other properties are one JSON value each, and the last writer wins. A field list kept
//! that way would lose one of two fields added at once; here it is a map of each field (by
//! its id) beside a movable list of the ids, so adds, removals, edits and moves of
//! different fields merge, and two edits of one field end the same on every peer. Two
//! fields added at once may take the same number; the checks report that (SL017) and the
//! quick fix gives the later one the next free number.

use std::collections::BTreeSet;

use loro::{LoroMap, LoroMovableList, LoroValue, ValueOrContainer};
use serde_json::Value;

use super::document::{
    CollabError, child_map, index_of, invalid, neighbours_of, place, text, unchanged,
};
use crate::model::Uid;

/// The properties kept this way: each is a list of fields with ids.
const KEYED: [&str; 3] = ["fields", "state", "columns"];

/// The key of the order list inside a keyed property's map.
const ORDER: &str = "@order";

/// The fields of `value` by id (without their `uid`, which the key holds), when `key` is a
/// keyed property and every item has an id of its own; None otherwise (then the property is
/// written whole, as other properties are).
pub(super) fn items(key: &str, value: &Value) -> Option<Vec<(Uid, String)>> {
    if !KEYED.contains(&key) {
        return None;
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for item in value.as_array()? {
        let mut item = item.as_object()?.clone();
        let uid = Uid::parse(item.remove("uid")?.as_str()?)?;
        if uid.is_none() || !seen.insert(uid) {
            return None;
        }
        out.push((uid, Value::Object(item).to_string()));
    }
    Some(out)
}

/// Makes the property `key` of `map` hold `items` in that order, writing only the fields
/// that changed and moving only those out of place.
pub(super) fn put(map: &LoroMap, key: &str, items: &[(Uid, String)]) -> Result<(), CollabError> {
    let list = match child_map(map, key) {
        Some(m) => m,
        None => map.insert_container(key, LoroMap::new())?,
    };
    let order = match list.get(ORDER) {
        Some(ValueOrContainer::Container(loro::Container::MovableList(l))) => l,
        _ => list.insert_container(ORDER, LoroMovableList::new())?,
    };
    for (i, (uid, json)) in items.iter().enumerate() {
        let k = uid.to_string();
        if !text(&list, &k).is_some_and(|old| unchanged(&old, json)) {
            list.insert(&k, json.as_str())?;
        }
        place(&order, &k, neighbours_of(i, |j| items.get(j).map(|x| x.0)))?;
    }
    let keep: BTreeSet<String> = items.iter().map(|(u, _)| u.to_string()).collect();
    let gone: Vec<String> = list
        .keys()
        .map(|k| k.to_string())
        .filter(|k| k != ORDER && !keep.contains(k))
        .collect();
    for k in gone {
        list.delete(&k)?;
        while let Some(i) = index_of(&order, &k) {
            order.delete(i, 1)?;
        }
    }
    Ok(())
}

/// The fields a keyed property's map holds, in order: those in the order list first (each
/// once), then any it lost track of (a removal racing an edit of the same field, which the
/// edit survives), by id.
pub(super) fn read(list: &LoroMap, what: &'static str, id: &str) -> Result<Value, CollabError> {
    let mut keys = Vec::new();
    let mut seen = BTreeSet::new();
    if let Some(ValueOrContainer::Container(loro::Container::MovableList(order))) = list.get(ORDER)
    {
        for v in order.to_vec() {
            if let LoroValue::String(k) = v
                && list.get(&k).is_some()
                && seen.insert(k.to_string())
            {
                keys.push(k.to_string());
            }
        }
    }
    let mut rest: Vec<String> = list
        .keys()
        .map(|k| k.to_string())
        .filter(|k| k != ORDER && !seen.contains(k))
        .collect();
    rest.sort();
    keys.extend(rest);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let json =
            text(list, &k).ok_or_else(|| invalid(what, id, format!("field `{k}` is not text")))?;
        let Value::Object(mut item) =
            serde_json::from_str::<Value>(&json).map_err(|e| invalid(what, id, e))?
        else {
            return Err(invalid(what, id, format!("field `{k}` is not an object")));
        };
        item.insert("uid".into(), Value::String(k));
        out.push(Value::Object(item));
    }
    Ok(Value::Array(out))
}
