//! State rebuilt from the log alone: a stream folded into its aggregate, a read model
//! projected from every event once in log order, and the comparison with the live state.
//!
//! They agree unless a non-idempotent subscriber saw duplicates: that difference is the
//! lesson, and [`compare`] shows it row by row.

use super::engine::Engine;
use super::fold::{Instance, Table, apply, project};
use crate::model::expr::{EvalError, Value};

/// The instance `key` of aggregate `a`, folded from its stream (None if it has no events).
pub fn fold_stream(engine: &Engine, a: usize, key: &str) -> Option<Result<Instance, EvalError>> {
    let def = engine.program.aggregates.get(a)?;
    // An aggregate's streams are indexed by its instances.
    let stream = engine.aggregates.get(a)?.get(key)?.stream;
    let mut inst = Instance::new(def, stream);
    for pos in engine.store.streams.get(stream as usize)?.positions() {
        let r = engine.store.records.get(pos as usize)?;
        if let Err(e) = apply(
            def,
            &mut inst,
            r.event as usize,
            engine.store.payload(r),
            r.time,
        ) {
            return Some(Err(e));
        }
    }
    Some(Ok(inst))
}

/// Read model `r` rebuilt from the log: every event once, in log order.
pub fn rebuild(engine: &Engine, r: usize) -> Result<Table, EvalError> {
    let mut table = Table::default();
    let Some(def) = engine.program.read_models.get(r) else {
        return Ok(table);
    };
    for rec in &engine.store.records {
        project(
            def,
            &mut table,
            rec.event as usize,
            engine.store.payload(rec),
            rec.time,
            None,
        )?;
    }
    Ok(table)
}

/// Every read model rebuilt from the log in one pass: each event once, in log order, handed
/// only to the read models that subscribe to it. Each entry is what [`rebuild`] gives for
/// that read model (a failing one stops at its first error, the others go on).
pub fn rebuild_all(engine: &Engine) -> Vec<Result<Table, EvalError>> {
    let p = &engine.program;
    let mut out: Vec<Result<Table, EvalError>> =
        p.read_models.iter().map(|_| Ok(Table::default())).collect();
    // Per event type, the read models subscribed to it.
    let by_event: Vec<Vec<usize>> = p
        .by_event
        .iter()
        .map(|subs| {
            subs.iter()
                .filter_map(|&s| match p.subscribers[s].kind {
                    super::program::SubscriberKind::ReadModel(r) => Some(r),
                    _ => None,
                })
                .collect()
        })
        .collect();
    for rec in &engine.store.records {
        for &r in by_event
            .get(rec.event as usize)
            .map_or(&[][..], Vec::as_slice)
        {
            if let Some(Ok(table)) = out.get_mut(r)
                && let Err(e) = project(
                    &p.read_models[r],
                    table,
                    rec.event as usize,
                    engine.store.payload(rec),
                    rec.time,
                    None,
                )
            {
                out[r] = Err(e);
            }
        }
    }
    out
}

/// A row that differs between the live read model and its rebuild.
#[derive(Clone, Debug, PartialEq)]
pub struct RowDiff {
    /// The row key.
    pub key: Value,
    /// The live row (None: missing live).
    pub live: Option<Vec<Value>>,
    /// The rebuilt row (None: missing in the rebuild).
    pub rebuilt: Option<Vec<Value>>,
}

/// The rows where `live` and `rebuilt` differ, by key.
pub fn compare(live: &Table, rebuilt: &Table) -> Vec<RowDiff> {
    let keys: std::collections::BTreeSet<&Value> = live.keys().chain(rebuilt.keys()).collect();
    keys.into_iter()
        .filter(|k| live.get(*k) != rebuilt.get(*k))
        .map(|k| RowDiff {
            key: k.clone(),
            live: live.get(k).cloned(),
            rebuilt: rebuilt.get(k).cloned(),
        })
        .collect()
}
