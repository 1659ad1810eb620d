//! Which names each kind of expression may use, and the named types they may mention.
//! The checks and the simulation build scopes here, so a compiled expression's slots always
//! match the values the engine passes.
//!
//! | where | roots, in order |
//! |---|---|
//! | handler guard, branch, emitted-event fields | `cmd`, `state`, `now`, read models |
//! | applier assignments | `event`, `state`, `now` |
//! | policy / saga / translation expressions, rule keys, `Emitted.where` | `event`, `now` |
//! | a policy's condition, target and fields | `event`, `now`, read models |
//! | a saga's step conditions, `set`, commands, deadlines' `at`, ends' conditions | `event`, `now`, read models, `state` |
//! | a fanned-out policy's target and fields | `event`, `now`, read models, the element |
//! | read-model upserts | `event`, `row`, `now` (and a fan-out's element) |
//! | external-system outcome fields | `msg`, `now` |
//! | scenario values | `i`, `now` |
//! | an aggregate's invariants | `state`, `status`, `id`, `now` |
//! | a read model's invariants | `row`, `now` |
//! | a saga's invariants | `status`, `started`, `now`, `state` |
//! | the system's invariants (model, scenario) | `parked`, `rejected`, `events`, `now`, read models |

use std::collections::BTreeMap;

use super::document::Model;
use super::expr::{Expr, ExprError, Scope, TableType, TypeEnv};
use super::field::{Field, shape};
use super::ty::Type;
use super::{Aggregate, Command, Event, ReadModel, Saga};

/// The enums and value objects of a model, by bare name and by `Context.Name`.
#[derive(Clone, Debug, Default)]
pub struct ModelTypes {
    enums: BTreeMap<String, Vec<String>>,
    records: BTreeMap<String, Vec<(String, Type)>>,
    tables: BTreeMap<String, TableType>,
    /// The context of each table (read models, then aggregates), by table id.
    table_contexts: Vec<usize>,
    /// Each aggregate's context and index there, in table order after the read models.
    table_aggregates: Vec<(usize, usize)>,
}

impl ModelTypes {
    /// Collects the named types of `model`. A bare name declared in several contexts
    /// resolves to the first (the checks report the ambiguity).
    pub fn new(model: &Model) -> Self {
        let mut t = Self::default();
        for c in &model.contexts {
            for e in &c.enums {
                t.enums
                    .entry(e.name.clone())
                    .or_insert_with(|| e.values.clone());
                t.enums
                    .insert(format!("{}.{}", c.name, e.name), e.values.clone());
            }
            for v in &c.values {
                t.records
                    .entry(v.name.clone())
                    .or_insert_with(|| shape(&v.fields));
                t.records
                    .insert(format!("{}.{}", c.name, v.name), shape(&v.fields));
            }
        }
        // Read models, numbered in file order as the engine's tables are; a row's type is
        // its columns, named `Context.ReadModel row`.
        for (ci, c) in model.contexts.iter().enumerate() {
            for r in &c.read_models {
                let row = format!("{}.{} row", c.name, r.name);
                t.records.insert(row.clone(), shape(&r.columns));
                let key = r
                    .columns
                    .iter()
                    .find(|f| f.name == r.key)
                    .map_or(Type::String, |f| f.ty.clone());
                let table = TableType {
                    id: t.table_contexts.len(),
                    key,
                    row,
                };
                t.tables
                    .entry(r.name.clone())
                    .or_insert_with(|| table.clone());
                t.tables.insert(format!("{}.{}", c.name, r.name), table);
                t.table_contexts.push(ci);
            }
        }
        // Then the aggregates, numbered after every read model as the engine's are: a row
        // is an instance's state fields, `Context.Aggregate state`, keyed by its id. A read
        // model of the same name keeps the name.
        for (ci, c) in model.contexts.iter().enumerate() {
            for (ai, a) in c.aggregates.iter().enumerate() {
                let row = format!("{}.{} state", c.name, a.name);
                t.records.insert(row.clone(), shape(&a.state));
                let table = TableType {
                    id: t.table_contexts.len(),
                    key: Type::Id,
                    row,
                };
                t.tables
                    .entry(a.name.clone())
                    .or_insert_with(|| table.clone());
                t.tables
                    .entry(format!("{}.{}", c.name, a.name))
                    .or_insert(table);
                t.table_contexts.push(ci);
                t.table_aggregates.push((ci, ai));
            }
        }
        t
    }

    /// The aggregate a `lookup`'s table id names (its context and index there), when it
    /// names one rather than a read model.
    pub fn table_aggregate(&self, table: usize) -> Option<(usize, usize)> {
        let read_models = self.table_contexts.len() - self.table_aggregates.len();
        table
            .checked_sub(read_models)
            .and_then(|a| self.table_aggregates.get(a))
            .copied()
    }

    /// The context of table `table` (a `lookup`'s table id: a read model or an aggregate).
    pub fn table_context(&self, table: usize) -> Option<usize> {
        self.table_contexts.get(table).copied()
    }

    /// True if `name` is a known enum or value object.
    pub fn knows(&self, name: &str) -> bool {
        self.enums.contains_key(name) || self.records.contains_key(name)
    }
}

impl TypeEnv for ModelTypes {
    fn enum_values(&self, name: &str) -> Option<&[String]> {
        self.enums.get(name).map(Vec::as_slice)
    }

    fn record_fields(&self, name: &str) -> Option<Vec<(String, Type)>> {
        self.records.get(name).cloned()
    }

    fn table(&self, name: &str) -> Option<TableType> {
        self.tables.get(name).cloned()
    }

    fn table_names(&self) -> Vec<&str> {
        self.tables.keys().map(String::as_str).collect()
    }
}

/// Handler guards, branches and emitted-event fields: `cmd`, `state`, `now`, and the read
/// models for `lookup`.
pub fn handler_scope(cmd: &Command, agg: &Aggregate) -> Scope {
    Scope::new()
        .record("cmd", shape(&cmd.fields))
        .record("state", shape(&agg.state))
        .scalar("now", Type::Timestamp)
        .with_lookups()
}

/// Applier assignments: `event`, `state`, `now`.
pub fn applier_scope(event: &Event, agg: &Aggregate) -> Scope {
    Scope::new()
        .record("event", shape(&event.fields))
        .record("state", shape(&agg.state))
        .scalar("now", Type::Timestamp)
}

/// Policy, saga and translation expressions, read-model keys: `event`, `now`.
pub fn event_scope(event: &Event) -> Scope {
    Scope::new()
        .record("event", shape(&event.fields))
        .scalar("now", Type::Timestamp)
}

/// A saga's expressions — step conditions, `set`, the commands it issues and compensates
/// with, deadlines' `at`, ends' conditions — over an event with `fields`: `event`, `now`,
/// the read models, and the instance's `state`.
pub fn saga_scope(fields: &[Field], saga: &Saga) -> Scope {
    Scope::new()
        .record("event", shape(fields))
        .scalar("now", Type::Timestamp)
        .with_lookups()
        .record("state", shape(&saga.state))
}

/// The fields every one of `events` (their field lists) has, with the same name and type
/// (what a saga join's expressions may read of `event`, whichever event completes it), in
/// the first's order.
pub fn common_fields(events: &[&[Field]]) -> Vec<Field> {
    let Some((first, rest)) = events.split_first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|f| {
            rest.iter()
                .all(|e| e.iter().any(|g| g.name == f.name && g.ty == f.ty))
        })
        .cloned()
        .collect()
}

/// Read-model upserts: `event`, `row`, `now`.
pub fn row_scope(event: &Event, rm: &ReadModel) -> Scope {
    Scope::new()
        .record("event", shape(&event.fields))
        .record("row", shape(&rm.columns))
        .scalar("now", Type::Timestamp)
}

/// External-system outcomes: `msg` (the command or event reacted to), `now`.
pub fn message_scope(fields: &[Field]) -> Scope {
    Scope::new()
        .record("msg", shape(fields))
        .scalar("now", Type::Timestamp)
}

/// Scenario values: `i` (the instance number in a load generator, else 0) and `now`.
pub fn constant_scope() -> Scope {
    Scope::new()
        .scalar("i", Type::Int)
        .scalar("now", Type::Timestamp)
}

/// An aggregate's invariants, about one instance: `state`, `status` (its lifecycle state's
/// name), `id`, `now`.
pub fn aggregate_invariant_scope(agg: &Aggregate) -> Scope {
    Scope::new()
        .record("state", shape(&agg.state))
        .scalar("status", Type::String)
        .scalar("id", Type::Id)
        .scalar("now", Type::Timestamp)
}

/// A read model's invariants, about one row: `row`, `now`.
pub fn row_invariant_scope(rm: &ReadModel) -> Scope {
    Scope::new()
        .record("row", shape(&rm.columns))
        .scalar("now", Type::Timestamp)
}

/// A saga's invariants, about one instance: `status` (`Running`, an end, `Compensated`,
/// `TimedOut`), `started` (when its start event happened), `now`, its `state`.
pub fn saga_invariant_scope(saga: &Saga) -> Scope {
    Scope::new()
        .scalar("status", Type::String)
        .scalar("started", Type::Timestamp)
        .scalar("now", Type::Timestamp)
        .record("state", shape(&saga.state))
}

/// The whole system's invariants (the model's, a scenario's): `parked` (messages in the
/// dead-letter queues), `rejected` (commands rejected so far), `events` (in the log), `now`,
/// and the read models for `lookup`.
pub fn system_scope() -> Scope {
    Scope::new()
        .scalar("parked", Type::Int)
        .scalar("rejected", Type::Int)
        .scalar("events", Type::Int)
        .scalar("now", Type::Timestamp)
        .with_lookups()
}

/// A policy's fan-out `ITEM in LIST` over `scope` (the event's): the compiled list, and the
/// scope of the policy's target and fields with the element added as a third root. Errors
/// point into `text`.
pub fn fan_out(text: &str, scope: &Scope, env: &dyn TypeEnv) -> Result<(Expr, Scope), ExprError> {
    let (list, item, ty) = fan_out_parts(text, scope, env)?;
    let scope = scope.clone().scalar(&item, ty);
    Ok((list, scope))
}

/// A fan-out `ITEM in LIST` over `scope`: the compiled list, the element's name and its
/// type (for scopes that add the element after roots of their own: a projection's `row`).
pub fn fan_out_parts(
    text: &str,
    scope: &Scope,
    env: &dyn TypeEnv,
) -> Result<(Expr, String, Type), ExprError> {
    let f = super::policy::for_each(text).map_err(|(span, message)| ExprError { span, message })?;
    let at = f.list_at;
    let list = Expr::compile(f.list, scope, env, None).map_err(|mut e| {
        let mut e = e.swap_remove(0);
        e.span = e.span.start + at..e.span.end + at;
        e
    })?;
    let Type::List(elem) = list.ty() else {
        return Err(ExprError {
            span: at..text.len(),
            message: format!("a fan-out runs over a list, found `{}`", list.ty()),
        });
    };
    let elem = (**elem).clone();
    Ok((list, f.item.to_owned(), elem))
}
