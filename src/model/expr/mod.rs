//! The expression language: a small, typed, sandboxed language for guards, field
//! assignments, targets, read-model updates and scenario values.
//!
//! `cmd.amount > 0`, `row.count + 1`, `if event.vip then 5 else 1`, `'b-' + str(i)`,
//! `now + days(14)`, `ServiceKind.OilChange`. Checked once against the names in scope
//! (unknown names and type errors come back with spans), compiled to a tree with all names
//! resolved to slots, evaluated with checked arithmetic and a step budget: overflow and
//! division by zero are errors, never panics.

mod compile;
mod eval;
mod parser;
pub mod text;
pub mod time;
mod value;

use std::sync::Arc;

pub use value::Value;

use crate::model::ty::Type;

/// A byte range in an expression's source.
pub type Span = std::ops::Range<usize>;

/// A parse or type error, pointing at its span.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ExprError {
    /// Where in the expression.
    pub span: Span,
    /// What is wrong, in a domain expert's words.
    pub message: String,
}

/// A failure at evaluation time: it rejects the command (or fails the delivery).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// Division (or remainder) by zero.
    #[error("division by zero")]
    DivisionByZero {
        /// The operator.
        span: Span,
    },
    /// A result too large for its type.
    #[error("arithmetic overflow")]
    Overflow {
        /// The operator.
        span: Span,
    },
    /// The step budget ran out.
    #[error("evaluation exceeded {0} steps")]
    TooManySteps(u32),
    /// Anything else (an over-long string, …).
    #[error("{message}")]
    Other {
        /// Where.
        span: Span,
        /// What.
        message: String,
    },
}

/// What the checker needs to know about named types.
pub trait TypeEnv {
    /// The value names of enum `name`, or None if `name` is not an enum.
    fn enum_values(&self, name: &str) -> Option<&[String]>;
    /// The ordered fields of value object `name`, or None.
    fn record_fields(&self, name: &str) -> Option<Vec<(String, Type)>>;
    /// The read model or aggregate `name` (`StockLevels`, `Warehouse.StockLevels`, `Item`)
    /// that `lookup` may read, or None.
    fn table(&self, _name: &str) -> Option<TableType> {
        None
    }
    /// The names `lookup` accepts (for suggestions).
    fn table_names(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// A read model (or an aggregate's instances) as `lookup(NAME, key)` sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableType {
    /// Its index among the model's read models, in file order, then its aggregates (the
    /// engine's tables).
    pub id: usize,
    /// The type of its key column.
    pub key: Type,
    /// The record type of its rows (its columns, in order).
    pub row: String,
}

/// The read models' rows as a decision sees them at the moment it runs — what has been
/// projected so far (a read may be stale) — and, after them, the aggregates' instances as
/// they are (their state fields).
pub trait Tables: std::fmt::Debug {
    /// The row of table `table` with key `key`, its columns in order.
    fn row(&self, table: usize, key: &Value) -> Option<&[Value]>;
}

/// A `TypeEnv` that knows no named types.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTypes;

impl TypeEnv for NoTypes {
    fn enum_values(&self, _: &str) -> Option<&[String]> {
        None
    }
    fn record_fields(&self, _: &str) -> Option<Vec<(String, Type)>> {
        None
    }
}

/// Whether a value of type `from` can be used where `to` is wanted (as an assignment or a
/// same-named copy would: `int` into `decimal`, a `T` into an optional `T`, text into an id).
pub fn assignable(from: &Type, to: &Type, env: &dyn TypeEnv) -> bool {
    compile::fits(from, to, env)
}

/// A name an expression may use.
#[derive(Clone, Debug)]
pub struct Root {
    /// The name (`cmd`, `now`).
    pub name: String,
    /// Its shape.
    pub shape: RootShape,
}

/// The shape of a root.
#[derive(Clone, Debug)]
pub enum RootShape {
    /// A record such as `cmd`, `event`, `state`, `row`: fields in slot order.
    Record(Vec<(String, Type)>),
    /// A single value such as `now` (timestamp) or `i` (int).
    Scalar(Type),
}

/// The names an expression may use, in order; compiled expressions refer to them by index.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The roots.
    pub roots: Vec<Root>,
}

/// The name of the root through which `lookup` reads the read models: not a name anyone can
/// write.
const TABLES: &str = "@tables";

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record root.
    pub fn record(mut self, name: &str, fields: Vec<(String, Type)>) -> Self {
        self.roots.push(Root {
            name: name.to_owned(),
            shape: RootShape::Record(fields),
        });
        self
    }

    /// Adds a scalar root.
    pub fn scalar(mut self, name: &str, ty: Type) -> Self {
        self.roots.push(Root {
            name: name.to_owned(),
            shape: RootShape::Scalar(ty),
        });
        self
    }

    /// Adds a fan-out's element (its name and type) as a scalar root, when there is one.
    pub fn with_element(self, element: Option<&(String, Type)>) -> Self {
        match element {
            Some((name, ty)) => self.scalar(name, ty.clone()),
            None => self,
        }
    }

    /// Lets the expression read read models with `lookup(NAME, key)`: a decision's scope (a
    /// guard, a branch, an emitted field, a policy, a saga step), never an applier's or a
    /// projection's, which must replay the same. The evaluator is given
    /// [`RootValue::Tables`] in this place.
    pub fn with_lookups(mut self) -> Self {
        self.roots.push(Root {
            name: TABLES.to_owned(),
            shape: RootShape::Scalar(Type::Bool),
        });
        self
    }

    /// Where the tables root is, when lookups are allowed.
    pub(crate) fn tables(&self) -> Option<usize> {
        self.roots.iter().position(|r| r.name == TABLES)
    }
}

/// A root's value at evaluation time, in scope order.
#[derive(Clone, Copy, Debug)]
pub enum RootValue<'a> {
    /// A record's field values in slot order.
    Record(&'a [Value]),
    /// A scalar.
    Scalar(&'a Value),
    /// The read models, for `lookup` (where the scope has [`Scope::with_lookups`]).
    Tables(&'a dyn Tables),
}

#[derive(Debug)]
struct Inner {
    source: String,
    node: compile::Node,
    ty: Type,
}

thread_local! {
    static COMPILATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times [`Expr::compile`] has run on this thread: lets a test check that a hot
/// path (a load's generated commands) evaluates compiled code instead of compiling.
pub fn compilations() -> u64 {
    COMPILATIONS.with(|n| n.get())
}

/// A checked, compiled expression. Cheap to clone; `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Expr(Arc<Inner>);

impl Expr {
    /// Parses and type-checks `source` against `scope`; the result must be assignable to
    /// `expected` when given (converted where needed, e.g. int → decimal).
    pub fn compile(
        source: &str,
        scope: &Scope,
        env: &dyn TypeEnv,
        expected: Option<&Type>,
    ) -> Result<Expr, Vec<ExprError>> {
        COMPILATIONS.with(|n| n.set(n.get() + 1));
        let ast = parser::parse(source).map_err(|e| vec![e])?;
        let (mut node, ty) = compile::Compiler {
            scope,
            env,
            locals: Default::default(),
        }
        .top(&ast, expected)
        .map_err(|e| vec![e])?;
        // An expression that reads nothing (`Money(99.00, 'EUR')`) is worked out once here,
        // not at each evaluation. One that fails (`1 / 0`) keeps failing where it runs.
        if !compile::reads_anything(&node)
            && let Ok(v) = (eval::Eval {
                roots: &[],
                steps: eval::MAX_STEPS,
                locals: Vec::new(),
            })
            .eval(&node)
        {
            node = compile::Node::Const(v);
        }
        Ok(Expr(Arc::new(Inner {
            source: source.to_owned(),
            node,
            ty,
        })))
    }

    /// The result type.
    pub fn ty(&self) -> &Type {
        &self.0.ty
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.0.source
    }

    /// Evaluates against `roots` (in scope order). Never panics.
    pub fn eval(&self, roots: &[RootValue<'_>]) -> Result<Value, EvalError> {
        eval::Eval {
            roots,
            steps: eval::MAX_STEPS,
            locals: Vec::new(),
        }
        .eval(&self.0.node)
    }

    /// Evaluates against `roots` like [`Expr::eval`], borrowing the value instead of
    /// copying it when the expression is a record root's field (`event.id`): map lookups by
    /// such a key cost no clone.
    pub fn eval_ref<'v>(
        &self,
        roots: &[RootValue<'v>],
    ) -> Result<std::borrow::Cow<'v, Value>, EvalError> {
        if let compile::Node::Field(r, s) = self.0.node
            && let Some(RootValue::Record(fields)) = roots.get(r)
            && let Some(v) = fields.get(s)
        {
            return Ok(std::borrow::Cow::Borrowed(v));
        }
        self.eval(roots).map(std::borrow::Cow::Owned)
    }

    /// The read models it looks rows up in (their ids), deduplicated and sorted.
    pub fn tables(&self) -> Vec<usize> {
        let mut out = Vec::new();
        compile::visit(&self.0.node, &mut |n| {
            if let compile::Node::Lookup(_, t, _) = n {
                out.push(*t);
            }
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The `(root index, field slot)` pairs the expression reads, deduplicated and sorted.
    pub fn reads(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        compile::visit(&self.0.node, &mut |n| {
            if let compile::Node::Field(r, s) = n {
                out.push((*r, *s));
            }
        });
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests;
