//! Applying events to state, as pure functions shared by the live engine and by rebuilds from
//! the log: an aggregate instance evolving, a read-model table projecting.

use std::sync::Arc;

use super::hash::FastMap;

use super::program::{AggregateDef, ReadModelDef, RuleDef, Source};
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
    /// Its stream in the event store.
    pub stream: u32,
}

impl Instance {
    /// A fresh instance of `def` on `stream`: zero state, initial lifecycle state, version 0.
    pub fn new(def: &AggregateDef, stream: u32) -> Self {
        Self {
            stream,
            ..def.fresh.clone()
        }
    }
}

/// Evaluates `sets` against the current `record` and writes the results into it. Every
/// expression reads the record as it was before any of them was written; the common case of
/// one assignment needs no copy of the record.
fn assign<'a, S: 'a>(
    record: &mut [Value],
    sets: impl ExactSizeIterator<Item = (usize, &'a S)>,
    eval: impl Fn(&S, &[Value]) -> Result<Option<Value>, EvalError>,
) -> Result<(), EvalError> {
    if sets.len() == 1 {
        for (slot, s) in sets {
            if let Some(v) = eval(s, record)?
                && let Some(cell) = record.get_mut(slot)
            {
                *cell = v;
            }
        }
        return Ok(());
    }
    // On the stack for up to eight fields: a row or state change costs no allocation.
    let mut values: smallvec::SmallVec<[(usize, Value); 8]> = smallvec::SmallVec::new();
    for (slot, s) in sets {
        if let Some(v) = eval(s, record)? {
            values.push((slot, v));
        }
    }
    for (slot, v) in values {
        if let Some(cell) = record.get_mut(slot) {
            *cell = v;
        }
    }
    Ok(())
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
    let sets = ap.sets.iter().map(|(slot, src)| (*slot, src));
    assign(&mut inst.state, sets, |src, old| {
        let v = match src {
            Source::Expr(e) => e.eval(&[
                RootValue::Record(payload),
                RootValue::Record(old),
                RootValue::Scalar(&now),
            ])?,
            Source::Copy(_, s) => payload.get(*s).cloned().unwrap_or_default(),
            Source::Target | Source::Zero(_) => return Ok(None),
        };
        Ok(Some(v))
    })?;
    for (slot, _) in &ap.sets {
        if let (Some(cell), Some(f)) = (inst.state.get_mut(*slot), def.state.get(*slot)) {
            *cell = coerce(std::mem::take(cell), &f.ty);
        }
    }
    if let Some(to) = ap.to {
        inst.lifecycle = to;
    }
    Ok(())
}

/// A read model's rows by key (unordered: show them with [`super::hash::sorted`]).
pub type Table = FastMap<Value, Vec<Value>>;

/// The instances of one aggregate, by id.
pub type AggregateInstances = FastMap<Arc<str>, Instance>;

/// What `lookup` reads: the read models, each as projected so far, then the aggregates'
/// instances as they are now. While an instance decides, its own aggregate's instances are
/// out of reach (its decision reads itself as `state`; the checks refuse such a lookup):
/// the aggregates are then the ones `before` it and the ones `after` it.
#[derive(Clone, Copy, Debug)]
pub struct Projected<'a> {
    /// The read models' tables.
    pub read_models: &'a [Table],
    /// The aggregates' instances: all of them, or those before and after the one deciding.
    pub aggregates: (&'a [AggregateInstances], &'a [AggregateInstances]),
}

impl<'a> Projected<'a> {
    /// Every read model and every aggregate.
    pub fn new(read_models: &'a [Table], aggregates: &'a [AggregateInstances]) -> Self {
        Self {
            read_models,
            aggregates: (aggregates, &[]),
        }
    }
}

impl crate::model::expr::Tables for Projected<'_> {
    fn row(&self, table: usize, key: &Value) -> Option<&[Value]> {
        if let Some(t) = self.read_models.get(table) {
            return t.get(key).map(Vec::as_slice);
        }
        let a = table - self.read_models.len();
        let (before, after) = self.aggregates;
        let instances = match a.checked_sub(before.len()) {
            None => before.get(a)?,
            // The aggregate deciding now is between the two.
            Some(0) => return None,
            Some(k) => after.get(k - 1)?,
        };
        let Value::Str(id) = key else {
            return None;
        };
        instances.get(&**id).map(|i| i.state.as_slice())
    }
}

/// One row a command's decision (or the working out of its fields) read: which command,
/// which read model and key, and the row as projected then (None: no such row yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Looked {
    /// The command (its index in the command log).
    pub command: u32,
    /// The read model (its index among the program's read models).
    pub table: u32,
    /// The key looked up.
    pub key: Value,
    /// The row read, its columns in order.
    pub row: Option<Box<[Value]>>,
}

/// The tables as [`Projected`], noting each row read for `command` in `log`.
#[derive(Debug)]
pub struct Recorded<'a> {
    /// The tables.
    pub tables: Projected<'a>,
    /// Where the reads go.
    pub log: &'a std::cell::RefCell<Vec<Looked>>,
    /// The command they are for.
    pub command: u32,
}

impl crate::model::expr::Tables for Recorded<'_> {
    fn row(&self, table: usize, key: &Value) -> Option<&[Value]> {
        let row = self.tables.row(table, key);
        self.log.borrow_mut().push(Looked {
            command: self.command,
            table: table as u32,
            key: key.clone(),
            row: row.map(Box::from),
        });
        row
    }
}

/// Projects one event of type `event` at `time` into `table` by the read model's rules. A
/// rule with a fan-out applies once per element of its list; if any application fails, the
/// rows the event touched are as they were (a retried delivery does not count twice). The
/// keys of the rows it changes are added to `touched`, when given (a run checking the read
/// model's invariants).
pub fn project(
    def: &ReadModelDef,
    table: &mut Table,
    event: usize,
    payload: &[Value],
    time: i64,
    mut touched: Option<&mut Vec<Value>>,
) -> Result<(), EvalError> {
    let now = Value::Ts(time);
    // Only an event some fan-out projects is made undoable (a copy of each row it touches).
    let atomic = def.rules.iter().any(|r| r.on == event && r.each.is_some());
    let mut undo: Undo = Vec::new();
    for rule in def.rules.iter().filter(|r| r.on == event) {
        let undo_here = atomic.then_some(&mut undo);
        let outcome = match &rule.each {
            None => apply_rule(
                def,
                rule,
                table,
                (payload, None, &now),
                undo_here,
                touched.as_deref_mut(),
            ),
            Some(list) => match list.eval(&[RootValue::Record(payload), RootValue::Scalar(&now)]) {
                Ok(Value::List(items)) => items.iter().try_for_each(|item| {
                    let source = (payload, Some(item), &now);
                    apply_rule(
                        def,
                        rule,
                        table,
                        source,
                        Some(&mut undo),
                        touched.as_deref_mut(),
                    )
                }),
                Ok(_) => Ok(()),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = outcome {
            for (key, old) in undo.into_iter().rev() {
                match old {
                    Some(row) => table.insert(key, row),
                    None => table.remove(&key),
                };
            }
            return Err(e);
        }
    }
    Ok(())
}

/// The first state of each row an event's projection touched (none: it had no row).
type Undo = Vec<(Value, Option<Vec<Value>>)>;

/// One application of `rule` (for one element of its fan-out, when it has one); `undo`
/// collects the first state of each row it touches, for a fan-out to be undone whole;
/// `touched`, when given, the key of the row it changes.
fn apply_rule(
    def: &ReadModelDef,
    rule: &RuleDef,
    table: &mut Table,
    (payload, item, now): (&[Value], Option<&Value>, &Value),
    undo: Option<&mut Undo>,
    touched: Option<&mut Vec<Value>>,
) -> Result<(), EvalError> {
    let item = item.unwrap_or(&Value::None);
    let key = rule.key.eval_ref(&[
        RootValue::Record(payload),
        RootValue::Scalar(now),
        RootValue::Scalar(item),
    ])?;
    if let Some(undo) = undo
        && !undo.iter().any(|(k, _)| *k == *key)
    {
        undo.push((key.clone().into_owned(), table.get(&*key).cloned()));
    }
    if let Some(touched) = touched {
        touched.push(key.clone().into_owned());
    }
    match &rule.upsert {
        None => {
            table.remove(&*key);
        }
        Some(sets) => {
            // Looked up by the borrowed key; cloned only for a new row.
            let (row, created) = match table.get_mut(&*key) {
                Some(row) => (row, false),
                None => {
                    let mut z = def.zero.clone();
                    if let Some(k) = z.get_mut(def.key_slot) {
                        *k = key.clone().into_owned();
                    }
                    (table.entry(key.clone().into_owned()).or_insert(z), true)
                }
            };
            let sets = sets.iter().map(|(slot, e)| (*slot, e));
            let result = assign(row, sets, |e, old| {
                e.eval(&[
                    RootValue::Record(payload),
                    RootValue::Record(old),
                    RootValue::Scalar(now),
                    RootValue::Scalar(item),
                ])
                .map(Some)
            });
            if result.is_err() && created {
                // A rule that fails leaves no half-made row behind.
                table.remove(&*key);
            }
            result?;
        }
    }
    Ok(())
}
