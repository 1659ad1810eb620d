//! Applying events to state, as pure functions shared by the live engine and by rebuilds from
//! the log: an aggregate instance evolving, a read-model table projecting.

use std::collections::BTreeMap;

use super::program::{AggregateDef, ReadModelDef, Source};
use crate::model::expr::{EvalError, RootValue, Value};
use crate::model::ty::Type;

/// A live aggregate instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// State field values.
    pub state: Vec<Value>,
    /// Lifecycle state index.
    pub lifecycle: usize,
    /// Stream version (events applied).
    pub version: u32,
}

impl Instance {
    /// A fresh instance of `def`: zero state, initial lifecycle state, version 0.
    pub fn new(def: &AggregateDef) -> Self {
        Self {
            state: def.initial.clone(),
            lifecycle: 0,
            version: 0,
        }
    }
}

/// Converts a copied value to the field's type where the representation differs (int → decimal).
pub fn coerce(v: Value, ty: &Type) -> Value {
    match (v, ty) {
        (Value::Int(i), Type::Decimal) => Value::Dec(i.into()),
        (Value::Int(i), Type::Optional(inner)) if **inner == Type::Decimal => Value::Dec(i.into()),
        (v, _) => v,
    }
}

/// Evolves `inst` by one event of type `event` that happened at `time`.
pub fn apply(
    def: &AggregateDef,
    inst: &mut Instance,
    event: usize,
    payload: &[Value],
    time: i64,
) -> Result<(), EvalError> {
    inst.version += 1;
    let Some(ap) = def.appliers.get(&event) else {
        return Ok(());
    };
    let now = Value::Ts(time);
    let old = inst.state.clone();
    for (slot, src) in &ap.sets {
        let v = match src {
            Source::Expr(e) => e.eval(&[
                RootValue::Record(payload),
                RootValue::Record(&old),
                RootValue::Scalar(&now),
            ])?,
            Source::Copy(_, s) => payload.get(*s).cloned().unwrap_or_default(),
            Source::Target | Source::Zero(_) => continue,
        };
        if let (Some(cell), Some(f)) = (inst.state.get_mut(*slot), def.state.get(*slot)) {
            *cell = coerce(v, &f.ty);
        }
    }
    if let Some(to) = ap.to {
        inst.lifecycle = to;
    }
    Ok(())
}

/// A read model's rows by key.
pub type Table = BTreeMap<Value, Vec<Value>>;

/// Projects one event of type `event` at `time` into `table` by the read model's rules.
pub fn project(
    def: &ReadModelDef,
    table: &mut Table,
    event: usize,
    payload: &[Value],
    time: i64,
) -> Result<(), EvalError> {
    let now = Value::Ts(time);
    for rule in def.rules.iter().filter(|r| r.on == event) {
        let key = rule
            .key
            .eval(&[RootValue::Record(payload), RootValue::Scalar(&now)])?;
        match &rule.upsert {
            None => {
                table.remove(&key);
            }
            Some(sets) => {
                let old = table.get(&key).cloned().unwrap_or_else(|| {
                    let mut z = def.zero.clone();
                    if let Some(k) = z.get_mut(def.key_slot) {
                        *k = key.clone();
                    }
                    z
                });
                let mut row = old.clone();
                for (slot, e) in sets {
                    let v = e.eval(&[
                        RootValue::Record(payload),
                        RootValue::Record(&old),
                        RootValue::Scalar(&now),
                    ])?;
                    if let Some(c) = row.get_mut(*slot) {
                        *c = v;
                    }
                }
                table.insert(key, row);
            }
        }
    }
    Ok(())
}
