//! Type checking and compilation: names become slot indices, literals become values, and
//! conversions (int → decimal) are made explicit, so evaluation does no lookups.

use std::sync::Arc;

use super::parser::{Ast, BinOp, Lit, UnOp};
use super::{ExprError, RootShape, Scope, Span, TypeEnv, Value};
use crate::model::ty::Type;

/// Built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    /// `len(list|string)`
    Len,
    /// `contains(list, x)` / `contains(string, string)`
    Contains,
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
    /// `abs(x)`
    Abs,
    /// `days(n)` etc.: a duration of n units (the factor in ms).
    Span(i64),
    /// `str(x)`
    Str,
    /// `is_some(x)`
    IsSome,
    /// `round(decimal, places)`
    Round,
    /// `lower(s)`
    Lower,
    /// `upper(s)`
    Upper,
    /// `append(list, x)`: the list with `x` at the end.
    Append,
    /// `without(list, x)`: the list without any `x`.
    Without,
    /// `add_months(ts, n)` (factor 1) and `add_years(ts, n)` (factor 12).
    AddMonths(i64),
    /// `start_of_day(ts)`
    StartOfDay,
    /// `weekday(ts)`: 1 (Monday) to 7 (Sunday).
    Weekday,
}

/// The functions over a list that may take an `x -> body` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFn {
    /// `map(xs, x -> e)`: the list of `e` for each element.
    Map,
    /// `filter(xs, x -> cond)`: the elements for which `cond` holds, in order.
    Filter,
    /// `any(xs, x -> cond)`: whether `cond` holds for some element (false for none).
    Any,
    /// `all(xs, x -> cond)`: whether `cond` holds for every element (true for none).
    All,
    /// `count(xs)` / `count(xs, x -> cond)`: how many elements (for which `cond` holds).
    Count,
    /// `sum(xs)` / `sum(xs, x -> e)`: the total (0 for an empty list).
    Sum,
    /// `min(xs)`: the least element; an empty list is an error.
    Min,
    /// `max(xs)`: the greatest element; an empty list is an error.
    Max,
}

impl ListFn {
    /// The function's name as written.
    pub fn name(self) -> &'static str {
        match self {
            ListFn::Map => "map",
            ListFn::Filter => "filter",
            ListFn::Any => "any",
            ListFn::All => "all",
            ListFn::Count => "count",
            ListFn::Sum => "sum",
            ListFn::Min => "min",
            ListFn::Max => "max",
        }
    }
}

/// Whether `node` reads a root (`now`, `i`, `cmd.amount`, a list function's element, a
/// read model): if not, its value is fixed.
pub fn reads_anything(node: &Node) -> bool {
    let mut reads = false;
    visit(node, &mut |n| {
        reads |= matches!(
            n,
            Node::Root(_) | Node::Field(..) | Node::Local(_) | Node::Lookup(..)
        );
    });
    reads
}

/// A compiled expression node.
#[derive(Clone, Debug)]
pub enum Node {
    /// A constant.
    Const(Value),
    /// A scalar root (`now`, `i`).
    Root(usize),
    /// A field of a record root (`cmd.amount`).
    Field(usize, usize),
    /// A field of a value object (`cmd.price.amount`).
    Get(Box<Node>, usize),
    /// `-x`
    Neg(Box<Node>, Span),
    /// `!x`
    Not(Box<Node>),
    /// Arithmetic or comparison; checked at run time for overflow and division by zero.
    Bin(BinOp, Box<Node>, Box<Node>, Span),
    /// `a && b` (short-circuit).
    And(Box<Node>, Box<Node>),
    /// `a || b` (short-circuit).
    Or(Box<Node>, Box<Node>),
    /// `a ?? b`
    Default(Box<Node>, Box<Node>),
    /// `if c then a else b`
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A function call.
    Call(Func, Vec<Node>, Span),
    /// A list literal.
    List(Vec<Node>),
    /// A value object built from its fields in order: `Money(9.90, 'EUR')`.
    Record(Vec<Node>),
    /// Int → decimal.
    ToDec(Box<Node>),
    /// The parameter of an enclosing `x -> body`, by depth (0 = outermost).
    Local(usize),
    /// `list[i]`; out of bounds is an error at the span.
    Index(Box<Node>, Box<Node>, Span),
    /// A list function over a list, with its `x -> body` (whose parameter is `Local` at the
    /// depth this node sits at) when it has one.
    Over(ListFn, Box<Node>, Option<Box<Node>>, Span),
    /// `lookup(TABLE, key)`: the tables root, the table, the key; the row or none.
    Lookup(usize, usize, Box<Node>),
}

/// Calls `f` on `node` and every node under it.
pub fn visit(node: &Node, f: &mut impl FnMut(&Node)) {
    use Node::*;
    f(node);
    match node {
        Const(_) | Root(_) | Field(..) | Local(_) => {}
        Get(a, _) | Neg(a, _) | Not(a) | ToDec(a) | Lookup(_, _, a) => visit(a, f),
        Bin(_, a, b, _) | And(a, b) | Or(a, b) | Default(a, b) | Index(a, b, _) => {
            visit(a, f);
            visit(b, f);
        }
        If(a, b, c) => {
            visit(a, f);
            visit(b, f);
            visit(c, f);
        }
        Over(_, a, body, _) => {
            visit(a, f);
            if let Some(b) = body {
                visit(b, f);
            }
        }
        Call(_, args, _) | List(args) | Record(args) => args.iter().for_each(|a| visit(a, f)),
    }
}

/// The "anything" placeholder inside the types of `none` and `[]`.
fn any() -> Type {
    Type::Named(String::new())
}

fn is_any(t: &Type) -> bool {
    matches!(t, Type::Named(n) if n.is_empty())
}

fn show(t: &Type) -> String {
    match t {
        Type::Optional(inner) if is_any(inner) => "none".into(),
        Type::List(inner) if is_any(inner) => "an empty list".into(),
        t => format!("`{t}`"),
    }
}

/// How a value of one type becomes another.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Conv {
    Same,
    ToDec,
}

fn apply(node: Node, conv: Conv) -> Node {
    match conv {
        Conv::Same => node,
        Conv::ToDec => Node::ToDec(Box::new(node)),
    }
}

/// The bare name of a named type: `Booking.ServiceKind` and `ServiceKind` are one type.
fn bare(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Whether a `from` value can be used where `to` is wanted (see [`super::assignable`]).
pub(super) fn fits(from: &Type, to: &Type, env: &dyn TypeEnv) -> bool {
    assignable(from, to, env).is_some()
}

/// Whether a `from` value can be used where `to` is wanted, and how.
fn assignable(from: &Type, to: &Type, env: &dyn TypeEnv) -> Option<Conv> {
    if from == to || is_any(from) || is_any(to) {
        return Some(Conv::Same);
    }
    if let (Type::Named(a), Type::Named(b)) = (from, to)
        && bare(a) == bare(b)
    {
        return Some(Conv::Same);
    }
    match (from, to) {
        (Type::Int, Type::Decimal) => Some(Conv::ToDec),
        (Type::String, Type::Id) | (Type::Id, Type::String) => Some(Conv::Same),
        (Type::String, Type::Named(n)) | (Type::Named(n), Type::String)
            if env.enum_values(n).is_some() =>
        {
            Some(Conv::Same)
        }
        (Type::Optional(a), Type::Optional(b)) | (Type::List(a), Type::List(b)) => {
            assignable(a, b, env).filter(|c| *c == Conv::Same)
        }
        (t, Type::Optional(inner)) => assignable(t, inner, env),
        _ => None,
    }
}

/// The common type of two operands (for comparisons and `if` branches).
fn unify(a: &Type, b: &Type, env: &dyn TypeEnv) -> Option<(Type, Conv, Conv)> {
    if let Some(c) = assignable(a, b, env) {
        return Some((if is_any(b) { a.clone() } else { b.clone() }, c, Conv::Same));
    }
    if let Some(c) = assignable(b, a, env) {
        return Some((a.clone(), Conv::Same, c));
    }
    None
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let v = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
            cur.push(v);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn suggest<'a>(name: &str, options: impl Iterator<Item = &'a str>) -> String {
    let best = options
        .map(|o| (edit_distance(name, o), o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 3))
        .min();
    match best {
        Some((_, o)) => format!("; did you mean `{o}`?"),
        None => String::new(),
    }
}

/// Checks and compiles one expression.
pub struct Compiler<'a> {
    /// The names in scope.
    pub scope: &'a Scope,
    /// Named types.
    pub env: &'a dyn TypeEnv,
    /// The parameters of the `x -> body` being compiled, outermost first.
    pub locals: std::cell::RefCell<Vec<(String, Type)>>,
}

type Out = Result<(Node, Type), ExprError>;

fn err(span: Span, message: impl Into<String>) -> ExprError {
    ExprError {
        span,
        message: message.into(),
    }
}

impl Compiler<'_> {
    /// Compiles `ast`, converting to `expected` when given.
    pub fn top(&self, ast: &Ast, expected: Option<&Type>) -> Out {
        let (node, ty) = self.node(ast)?;
        match expected {
            None => Ok((node, ty)),
            Some(want) => match assignable(&ty, want, self.env) {
                Some(c) => Ok((apply(node, c), want.clone())),
                None => Err(err(
                    ast.span(),
                    format!("expected `{want}`, found {}", show(&ty)),
                )),
            },
        }
    }

    fn node(&self, ast: &Ast) -> Out {
        match ast {
            Ast::Lit(lit, _) => Ok(match lit {
                Lit::Int(n) => (Node::Const(Value::Int(*n)), Type::Int),
                Lit::Dec(d) => (Node::Const(Value::Dec(*d)), Type::Decimal),
                Lit::Str(s) => (Node::Const(Value::Str(Arc::from(s.as_str()))), Type::String),
                Lit::Bool(b) => (Node::Const(Value::Bool(*b)), Type::Bool),
                Lit::None => (Node::Const(Value::None), Type::Optional(Box::new(any()))),
            }),
            Ast::Name(parts) => self.name(parts),
            Ast::Unary(op, inner, span) => {
                let (n, t) = self.node(inner)?;
                match (op, &t) {
                    (UnOp::Neg, Type::Int | Type::Decimal | Type::Duration) => {
                        Ok((Node::Neg(Box::new(n), span.clone()), t))
                    }
                    (UnOp::Not, Type::Bool) => Ok((Node::Not(Box::new(n)), t)),
                    (UnOp::Neg, _) => Err(err(span.clone(), format!("cannot negate {}", show(&t)))),
                    (UnOp::Not, _) => Err(err(
                        span.clone(),
                        format!("`!` needs a bool, found {}", show(&t)),
                    )),
                }
            }
            Ast::Binary(op, a, b, span) => self.binary(*op, a, b, span),
            Ast::If(c, a, b, span) => {
                let (cn, ct) = self.node(c)?;
                if ct != Type::Bool {
                    return Err(err(
                        c.span(),
                        format!("the condition of `if` must be a bool, found {}", show(&ct)),
                    ));
                }
                let (an, at) = self.node(a)?;
                let (bn, bt) = self.node(b)?;
                let (t, ca, cb) = unify(&at, &bt, self.env).ok_or_else(|| {
                    err(
                        span.clone(),
                        format!(
                            "the branches of `if` differ: {} and {}",
                            show(&at),
                            show(&bt)
                        ),
                    )
                })?;
                Ok((
                    Node::If(
                        Box::new(cn),
                        Box::new(apply(an, ca)),
                        Box::new(apply(bn, cb)),
                    ),
                    t,
                ))
            }
            Ast::List(items, span) => {
                let mut nodes = Vec::new();
                let mut elem = any();
                for item in items {
                    let (n, t) = self.node(item)?;
                    let (u, ce, ci) = unify(&elem, &t, self.env).ok_or_else(|| {
                        err(
                            item.span(),
                            format!("list items differ: {} and {}", show(&elem), show(&t)),
                        )
                    })?;
                    if ce == Conv::ToDec {
                        nodes = nodes.into_iter().map(|n| apply(n, Conv::ToDec)).collect();
                    }
                    nodes.push(apply(n, ci));
                    elem = u;
                }
                if nodes.len() > 10_000 {
                    return Err(err(span.clone(), "list literal too long"));
                }
                Ok((Node::List(nodes), Type::List(Box::new(elem))))
            }
            Ast::Call(name, name_span, args, span) => self.call(name, name_span, args, span),
            Ast::Index(list, index, span) => {
                let (ln, lt) = self.node(list)?;
                let Type::List(elem) = lt else {
                    return Err(err(
                        list.span(),
                        format!("only a list can be indexed, found {}", show(&lt)),
                    ));
                };
                let (inode, it) = self.node(index)?;
                if it != Type::Int {
                    return Err(err(
                        index.span(),
                        format!(
                            "an index is an int (0 is the first element), found {}",
                            show(&it)
                        ),
                    ));
                }
                Ok((
                    Node::Index(Box::new(ln), Box::new(inode), span.clone()),
                    *elem,
                ))
            }
            Ast::Member(base, name, span) => {
                let (node, ty) = self.node(base)?;
                self.member(node, ty, name, span)
            }
            Ast::Lambda(_, _, _, span) => Err(err(
                span.clone(),
                "a function of each element (`x -> …`) can only be given to map, filter, \
                 any, all, count or sum",
            )),
        }
    }

    /// `value.field` for a value object.
    fn member(&self, node: Node, ty: Type, fname: &str, fspan: &Span) -> Out {
        // A field of an optional value object is optional: absent when the value is.
        if let Type::Optional(inner) = &ty
            && let Type::Named(n) = &**inner
            && self.env.record_fields(n).is_some()
        {
            let (node, fty) = self.member(node, (**inner).clone(), fname, fspan)?;
            let fty = match fty {
                Type::Optional(_) => fty,
                t => Type::Optional(Box::new(t)),
            };
            return Ok((node, fty));
        }
        let record = match &ty {
            Type::Named(n) => self.env.record_fields(n),
            _ => None,
        };
        let Some(fields) = record else {
            let hint = match ty {
                Type::Optional(_) => " (it is optional: use `??` or `is_some`)",
                Type::List(_) => " (it is a list: take one element with `[i]`, or use map, sum…)",
                _ => "",
            };
            return Err(err(
                fspan.clone(),
                format!("{} has no field `{fname}`{hint}", show(&ty)),
            ));
        };
        let Some(slot) = fields.iter().position(|(n, _)| n == fname) else {
            return Err(err(
                fspan.clone(),
                format!(
                    "{} has no field `{fname}`; fields: {}{}",
                    show(&ty),
                    field_list(&fields),
                    suggest(fname, fields.iter().map(|(n, _)| n.as_str()))
                ),
            ));
        };
        Ok((Node::Get(Box::new(node), slot), fields[slot].1.clone()))
    }

    fn name(&self, parts: &[(String, Span)]) -> Out {
        let Some((first, first_span)) = parts.first() else {
            return Err(err(0..0, "empty name"));
        };
        let whole = first_span.start..parts.last().map_or(first_span.end, |p| p.1.end);
        let local = self.locals.borrow().iter().rposition(|(n, _)| n == first);
        if let Some(k) = local {
            let ty = self.locals.borrow()[k].1.clone();
            let (mut node, mut ty) = (Node::Local(k), ty);
            for (fname, fspan) in &parts[1..] {
                (node, ty) = self.member(node, ty, fname, fspan)?;
            }
            return Ok((node, ty));
        }
        let root = self.scope.roots.iter().position(|r| r.name == *first);
        let Some(ri) = root else {
            // `Context.Enum.Value`: treat the first two parts as the enum's name.
            if parts.len() == 3
                && let Some((second, _)) = parts.get(1)
            {
                let qualified = format!("{first}.{second}");
                if self.env.enum_values(&qualified).is_some() {
                    let rest: Vec<(String, Span)> =
                        std::iter::once((qualified, first_span.start..parts[1].1.end))
                            .chain(parts[2..].iter().cloned())
                            .collect();
                    return self.name(&rest);
                }
            }
            // `Enum.Value`
            if let Some(values) = self.env.enum_values(first) {
                let Some((value, vspan)) = parts.get(1) else {
                    return Err(err(
                        whole,
                        format!("`{first}` is an enum; write `{first}.VALUE`"),
                    ));
                };
                if !values.contains(value) {
                    return Err(err(
                        vspan.clone(),
                        format!(
                            "`{value}` is not a value of {first}; values: {}{}",
                            values.join(", "),
                            suggest(value, values.iter().map(String::as_str))
                        ),
                    ));
                }
                if parts.len() > 2 {
                    return Err(err(whole, "an enum value has no fields"));
                }
                return Ok((
                    Node::Const(Value::Str(Arc::from(value.as_str()))),
                    Type::Named(first.clone()),
                ));
            }
            let names: Vec<&str> = self
                .scope
                .roots
                .iter()
                .map(|r| r.name.as_str())
                .filter(|n| !n.starts_with('@'))
                .collect();
            return Err(err(
                first_span.clone(),
                format!(
                    "unknown name `{first}`; available here: {}{}",
                    names.join(", "),
                    suggest(first, names.iter().copied())
                ),
            ));
        };
        let root = &self.scope.roots[ri];
        let (mut node, mut ty) = match &root.shape {
            RootShape::Scalar(t) => (Node::Root(ri), t.clone()),
            RootShape::Record(fields) => {
                let Some((fname, fspan)) = parts.get(1) else {
                    return Err(err(
                        whole,
                        format!(
                            "`{first}` is a record; name one of its fields: {}",
                            field_list(fields)
                        ),
                    ));
                };
                let Some(slot) = fields.iter().position(|(n, _)| n == fname) else {
                    return Err(err(
                        first_span.start..fspan.end,
                        format!(
                            "unknown name `{first}.{fname}`; fields of {first}: {}{}",
                            field_list(fields),
                            suggest(fname, fields.iter().map(|(n, _)| n.as_str()))
                        ),
                    ));
                };
                (Node::Field(ri, slot), fields[slot].1.clone())
            }
        };
        let skip = if matches!(root.shape, RootShape::Scalar(_)) {
            1
        } else {
            2
        };
        for (fname, fspan) in parts.iter().skip(skip) {
            (node, ty) = self.member(node, ty, fname, fspan)?;
        }
        Ok((node, ty))
    }

    fn binary(&self, op: BinOp, a: &Ast, b: &Ast, span: &Span) -> Out {
        let (an, at) = self.node(a)?;
        let (bn, bt) = self.node(b)?;
        let mismatch = |what: &str| {
            err(
                span.clone(),
                format!("cannot {what} {} and {}", show(&at), show(&bt)),
            )
        };
        use Type::*;
        match op {
            BinOp::And | BinOp::Or => {
                if at != Bool || bt != Bool {
                    return Err(mismatch(if op == BinOp::And {
                        "combine with `&&`"
                    } else {
                        "combine with `||`"
                    }));
                }
                let (a, b) = (Box::new(an), Box::new(bn));
                Ok((
                    if op == BinOp::And {
                        Node::And(a, b)
                    } else {
                        Node::Or(a, b)
                    },
                    Bool,
                ))
            }
            BinOp::Default => {
                let Optional(inner) = &at else {
                    return Err(err(
                        a.span(),
                        format!(
                            "`??` needs an optional value on its left, found {}",
                            show(&at)
                        ),
                    ));
                };
                let (t, ca, cb) =
                    unify(inner, &bt, self.env).ok_or_else(|| mismatch("use `??` with"))?;
                Ok((
                    Node::Default(Box::new(apply(an, ca)), Box::new(apply(bn, cb))),
                    t,
                ))
            }
            BinOp::Eq | BinOp::Ne => {
                let (_, ca, cb) = unify(&at, &bt, self.env).ok_or_else(|| mismatch("compare"))?;
                Ok((
                    Node::Bin(
                        op,
                        Box::new(apply(an, ca)),
                        Box::new(apply(bn, cb)),
                        span.clone(),
                    ),
                    Bool,
                ))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (t, ca, cb) = unify(&at, &bt, self.env).ok_or_else(|| mismatch("compare"))?;
                if !matches!(t, Int | Decimal | String | Id | Timestamp | Duration) {
                    return Err(err(
                        span.clone(),
                        format!("{} values have no order", show(&t)),
                    ));
                }
                Ok((
                    Node::Bin(
                        op,
                        Box::new(apply(an, ca)),
                        Box::new(apply(bn, cb)),
                        span.clone(),
                    ),
                    Bool,
                ))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let verb = match op {
                    BinOp::Add => "add",
                    BinOp::Sub => "subtract",
                    BinOp::Mul => "multiply",
                    BinOp::Div => "divide",
                    _ => "take the remainder of",
                };
                let (ty, ca, cb) = match (op, &at, &bt) {
                    (_, Int, Int) => (Int, Conv::Same, Conv::Same),
                    (BinOp::Rem, _, _) => return Err(mismatch(verb)),
                    (_, Decimal, Decimal) => (Decimal, Conv::Same, Conv::Same),
                    (_, Int, Decimal) => (Decimal, Conv::ToDec, Conv::Same),
                    (_, Decimal, Int) => (Decimal, Conv::Same, Conv::ToDec),
                    (BinOp::Add, String | Id, String | Id) => (String, Conv::Same, Conv::Same),
                    (BinOp::Add | BinOp::Sub, Timestamp, Duration) => {
                        (Timestamp, Conv::Same, Conv::Same)
                    }
                    (BinOp::Sub, Timestamp, Timestamp) => (Duration, Conv::Same, Conv::Same),
                    (BinOp::Add | BinOp::Sub, Duration, Duration) => {
                        (Duration, Conv::Same, Conv::Same)
                    }
                    (BinOp::Mul, Duration, Int) | (BinOp::Div, Duration, Int) => {
                        (Duration, Conv::Same, Conv::Same)
                    }
                    (BinOp::Mul, Int, Duration) => (Duration, Conv::Same, Conv::Same),
                    _ => return Err(mismatch(verb)),
                };
                Ok((
                    Node::Bin(
                        op,
                        Box::new(apply(an, ca)),
                        Box::new(apply(bn, cb)),
                        span.clone(),
                    ),
                    ty,
                ))
            }
        }
    }

    fn call(&self, name: &str, name_span: &Span, args: &[Ast], span: &Span) -> Out {
        const NAMES: [&str; 29] = [
            "len",
            "contains",
            "min",
            "max",
            "abs",
            "days",
            "hours",
            "minutes",
            "seconds",
            "millis",
            "str",
            "is_some",
            "round",
            "ts",
            "lower",
            "upper",
            "append",
            "without",
            "map",
            "filter",
            "any",
            "all",
            "count",
            "sum",
            "lookup",
            "add_months",
            "add_years",
            "start_of_day",
            "weekday",
        ];
        let arity = |n: usize| -> Result<(), ExprError> {
            if args.len() == n {
                Ok(())
            } else {
                Err(err(
                    span.clone(),
                    format!(
                        "`{name}` takes {n} argument{}, found {}",
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                ))
            }
        };
        if let Some(fields) = self.env.record_fields(name) {
            if args.len() != fields.len() {
                let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
                return Err(err(
                    span.clone(),
                    format!(
                        "{name} takes its {} fields in order ({}), found {} value(s)",
                        fields.len(),
                        names.join(", "),
                        args.len()
                    ),
                ));
            }
            let mut nodes = Vec::with_capacity(args.len());
            for (a, (fname, fty)) in args.iter().zip(&fields) {
                let (n, t) = self.node(a)?;
                let conv = assignable(&t, fty, self.env).ok_or_else(|| {
                    err(
                        a.span(),
                        format!("{name}.{fname} is a `{fty}`, found {}", show(&t)),
                    )
                })?;
                nodes.push(apply(n, conv));
            }
            return Ok((Node::Record(nodes), Type::Named(name.to_owned())));
        }
        if let Some(f) = list_fn(name, args.len()) {
            return self.over(f, args, span);
        }
        if name == "lookup" {
            return self.lookup(name_span, args, span);
        }
        if name == "ts" {
            arity(1)?;
            let Some(Ast::Lit(Lit::Str(s), lspan)) = args.first() else {
                return Err(err(
                    span.clone(),
                    "`ts` takes a quoted timestamp such as ts('2024-03-29T10:00:00Z')",
                ));
            };
            let ms = super::time::parse_timestamp(s).ok_or_else(|| {
                err(
                    lspan.clone(),
                    format!("`{s}` is not a timestamp; write it like '2024-03-29T10:00:00Z'"),
                )
            })?;
            return Ok((Node::Const(Value::Ts(ms)), Type::Timestamp));
        }
        let compiled: Vec<(Node, Type)> = args
            .iter()
            .map(|a| self.node(a))
            .collect::<Result<_, _>>()?;
        let ty_at = |i: usize| compiled.get(i).map(|c| c.1.clone()).unwrap_or(Type::Bool);
        let bad = |i: usize, want: &str| {
            let s = args.get(i).map_or(span.clone(), Ast::span);
            err(
                s,
                format!("`{name}` needs {want}, found {}", show(&ty_at(i))),
            )
        };
        let (func, ty, convs): (Func, Type, Vec<Conv>) = match name {
            "len" => {
                arity(1)?;
                match ty_at(0) {
                    Type::List(_) | Type::String | Type::Id => (Func::Len, Type::Int, vec![]),
                    _ => return Err(bad(0, "a list or a string")),
                }
            }
            "contains" => {
                arity(2)?;
                match ty_at(0) {
                    Type::List(elem) => {
                        let c = assignable(&ty_at(1), &elem, self.env)
                            .ok_or_else(|| bad(1, &format!("a `{elem}`")))?;
                        (Func::Contains, Type::Bool, vec![Conv::Same, c])
                    }
                    Type::String | Type::Id => {
                        assignable(&ty_at(1), &Type::String, self.env)
                            .ok_or_else(|| bad(1, "a string"))?;
                        (Func::Contains, Type::Bool, vec![])
                    }
                    _ => return Err(bad(0, "a list or a string")),
                }
            }
            "append" | "without" => {
                arity(2)?;
                let Type::List(elem) = ty_at(0) else {
                    return Err(bad(0, "a list"));
                };
                let elem = if is_any(&elem) {
                    Box::new(ty_at(1))
                } else {
                    elem
                };
                let c = assignable(&ty_at(1), &elem, self.env)
                    .ok_or_else(|| bad(1, &format!("a `{elem}`")))?;
                (
                    if name == "append" {
                        Func::Append
                    } else {
                        Func::Without
                    },
                    Type::List(elem),
                    vec![Conv::Same, c],
                )
            }
            "min" | "max" => {
                arity(2)?;
                let (t, ca, cb) = unify(&ty_at(0), &ty_at(1), self.env).ok_or_else(|| {
                    bad(
                        1,
                        &format!("the same type as its first argument ({})", show(&ty_at(0))),
                    )
                })?;
                if !matches!(
                    t,
                    Type::Int | Type::Decimal | Type::Duration | Type::Timestamp
                ) {
                    return Err(bad(0, "numbers, durations or timestamps"));
                }
                (
                    if name == "min" { Func::Min } else { Func::Max },
                    t,
                    vec![ca, cb],
                )
            }
            "abs" => {
                arity(1)?;
                match ty_at(0) {
                    t @ (Type::Int | Type::Decimal | Type::Duration) => (Func::Abs, t, vec![]),
                    _ => return Err(bad(0, "a number")),
                }
            }
            "days" | "hours" | "minutes" | "seconds" | "millis" => {
                arity(1)?;
                if ty_at(0) != Type::Int {
                    return Err(bad(0, "an int"));
                }
                let unit = match name {
                    "days" => 86_400_000,
                    "hours" => 3_600_000,
                    "minutes" => 60_000,
                    "seconds" => 1000,
                    _ => 1,
                };
                (Func::Span(unit), Type::Duration, vec![])
            }
            "str" => {
                arity(1)?;
                (Func::Str, Type::String, vec![])
            }
            "is_some" => {
                arity(1)?;
                if !matches!(ty_at(0), Type::Optional(_)) {
                    return Err(bad(0, "an optional value"));
                }
                (Func::IsSome, Type::Bool, vec![])
            }
            "round" => {
                arity(2)?;
                let c = assignable(&ty_at(0), &Type::Decimal, self.env)
                    .filter(|_| ty_at(0).is_numeric())
                    .ok_or_else(|| bad(0, "a decimal"))?;
                if ty_at(1) != Type::Int {
                    return Err(bad(1, "an int (decimal places)"));
                }
                (Func::Round, Type::Decimal, vec![c, Conv::Same])
            }
            "add_months" | "add_years" => {
                arity(2)?;
                if ty_at(0) != Type::Timestamp {
                    return Err(bad(0, "a timestamp"));
                }
                if ty_at(1) != Type::Int {
                    return Err(bad(1, "an int"));
                }
                let factor = if name == "add_months" { 1 } else { 12 };
                (Func::AddMonths(factor), Type::Timestamp, vec![])
            }
            "start_of_day" | "weekday" => {
                arity(1)?;
                if ty_at(0) != Type::Timestamp {
                    return Err(bad(0, "a timestamp"));
                }
                if name == "weekday" {
                    (Func::Weekday, Type::Int, vec![])
                } else {
                    (Func::StartOfDay, Type::Timestamp, vec![])
                }
            }
            "lower" | "upper" => {
                arity(1)?;
                if !matches!(ty_at(0), Type::String | Type::Id) {
                    return Err(bad(0, "a string"));
                }
                (
                    if name == "lower" {
                        Func::Lower
                    } else {
                        Func::Upper
                    },
                    Type::String,
                    vec![],
                )
            }
            _ => {
                return Err(err(
                    name_span.clone(),
                    format!(
                        "unknown function `{name}`; functions: {}{}",
                        NAMES.join(", "),
                        suggest(name, NAMES.iter().copied())
                    ),
                ));
            }
        };
        let nodes = compiled
            .into_iter()
            .enumerate()
            .map(|(i, (n, _))| apply(n, convs.get(i).copied().unwrap_or(Conv::Same)))
            .collect();
        Ok((Node::Call(func, nodes, span.clone()), ty))
    }
}

/// The list function `name` called with `n` arguments, if it is one (`min`/`max` with one
/// argument; with two they compare two values).
fn list_fn(name: &str, n: usize) -> Option<ListFn> {
    Some(match name {
        "map" => ListFn::Map,
        "filter" => ListFn::Filter,
        "any" => ListFn::Any,
        "all" => ListFn::All,
        "count" => ListFn::Count,
        "sum" => ListFn::Sum,
        "min" if n == 1 => ListFn::Min,
        "max" if n == 1 => ListFn::Max,
        _ => return None,
    })
}

impl Compiler<'_> {
    /// `lookup(TABLE, key)`: the row of a read model, or the state of an aggregate's
    /// instance, or none.
    fn lookup(&self, name_span: &Span, args: &[Ast], span: &Span) -> Out {
        let Some(root) = self.scope.tables() else {
            return Err(err(
                name_span.clone(),
                "`lookup` is for decisions (guards, branches, emitted fields, policies, saga \
                 steps); appliers, projections and scenario values must replay the same, so \
                 they cannot read read models",
            ));
        };
        let [table, key] = args else {
            return Err(err(
                span.clone(),
                "`lookup` is written lookup(ReadModel, key), such as lookup(StockLevels, cmd.product)",
            ));
        };
        let name = match table {
            Ast::Name(parts) => parts
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join("."),
            _ => String::new(),
        };
        let Some(t) = self.env.table(&name) else {
            return Err(err(
                table.span(),
                format!(
                    "the first argument of `lookup` names a read model or an aggregate, such \
                     as lookup(StockLevels, cmd.product){}",
                    suggest(&name, self.env.table_names().into_iter())
                ),
            ));
        };
        let (kn, kt) = self.node(key)?;
        let conv = assignable(&kt, &t.key, self.env).ok_or_else(|| {
            err(
                key.span(),
                format!("the key of {name} is a `{}`, found {}", t.key, show(&kt)),
            )
        })?;
        Ok((
            Node::Lookup(root, t.id, Box::new(apply(kn, conv))),
            Type::Optional(Box::new(Type::Named(t.row))),
        ))
    }

    /// A list function: the list, then its `x -> body` when it takes one.
    fn over(&self, f: ListFn, args: &[Ast], span: &Span) -> Out {
        let name = f.name();
        let example = match f {
            ListFn::Map => "map(order.lines, l -> l.price * l.quantity)",
            ListFn::Filter => "filter(order.lines, l -> l.quantity > 0)",
            ListFn::Any => "any(order.lines, l -> l.quantity > 10)",
            ListFn::All => "all(order.lines, l -> l.quantity > 0)",
            ListFn::Count => "count(order.lines) or count(order.lines, l -> l.gift)",
            ListFn::Sum => "sum(order.amounts) or sum(order.lines, l -> l.price * l.quantity)",
            ListFn::Min => "min(order.amounts)",
            ListFn::Max => "max(order.amounts)",
        };
        let usage = || err(span.clone(), format!("`{name}` is written {example}"));
        let (list, lambda) = match args {
            [list] => (list, None),
            [list, lambda] => (list, Some(lambda)),
            _ => return Err(usage()),
        };
        let (ln, lt) = self.node(list)?;
        let Type::List(elem) = lt else {
            return Err(err(
                list.span(),
                format!("`{name}` needs a list, found {}", show(&lt)),
            ));
        };
        let body = match (f, lambda) {
            (ListFn::Map | ListFn::Filter | ListFn::Any | ListFn::All, None) => {
                return Err(usage());
            }
            (ListFn::Min | ListFn::Max, Some(l)) => {
                return Err(err(
                    l.span(),
                    format!("`{name}` of a list takes no function; write {name}(map(xs, x -> …))"),
                ));
            }
            (_, Some(Ast::Lambda(param, _, body, _))) => {
                self.locals
                    .borrow_mut()
                    .push((param.clone(), (*elem).clone()));
                let compiled = self.node(body);
                self.locals.borrow_mut().pop();
                let (n, t) = compiled?;
                Some((n, t, body.span()))
            }
            (_, Some(other)) => {
                return Err(err(
                    other.span(),
                    format!("`{name}` takes a function of each element here, such as {example}"),
                ));
            }
            (_, None) => None,
        };
        let wants_bool = matches!(
            f,
            ListFn::Filter | ListFn::Any | ListFn::All | ListFn::Count
        );
        if let Some((_, t, bspan)) = &body
            && wants_bool
            && *t != Type::Bool
        {
            return Err(err(
                bspan.clone(),
                format!(
                    "the function given to `{name}` must give a bool, found {}",
                    show(t)
                ),
            ));
        }
        let ty = match f {
            ListFn::Map => Type::List(Box::new(body.as_ref().map_or(any(), |b| b.1.clone()))),
            ListFn::Filter => Type::List(elem.clone()),
            ListFn::Any | ListFn::All => Type::Bool,
            ListFn::Count => Type::Int,
            ListFn::Sum => {
                let t = body.as_ref().map_or((*elem).clone(), |b| b.1.clone());
                match t {
                    Type::Int | Type::Decimal | Type::Duration => t,
                    t if is_any(&t) => Type::Int,
                    t => {
                        let hint = if body.is_none() {
                            "; to add up a field write sum(xs, x -> x.field)"
                        } else {
                            ""
                        };
                        return Err(err(
                            body.as_ref().map_or(list.span(), |b| b.2.clone()),
                            format!("`sum` adds numbers or durations, found {}{hint}", show(&t)),
                        ));
                    }
                }
            }
            ListFn::Min | ListFn::Max => {
                if !matches!(
                    *elem,
                    Type::Int
                        | Type::Decimal
                        | Type::String
                        | Type::Id
                        | Type::Timestamp
                        | Type::Duration
                ) {
                    return Err(err(
                        list.span(),
                        format!("{} values have no order", show(&elem)),
                    ));
                }
                (*elem).clone()
            }
        };
        let node = Node::Over(f, Box::new(ln), body.map(|b| Box::new(b.0)), span.clone());
        // An empty list sums to the zero of its type.
        let node = match (f, &ty) {
            (ListFn::Sum, Type::Decimal) => Node::Default(
                Box::new(node),
                Box::new(Node::Const(Value::Dec(rust_decimal::Decimal::ZERO))),
            ),
            (ListFn::Sum, Type::Duration) => {
                Node::Default(Box::new(node), Box::new(Node::Const(Value::Dur(0))))
            }
            (ListFn::Sum, _) => Node::Default(Box::new(node), Box::new(Node::Const(Value::Int(0)))),
            _ => node,
        };
        Ok((node, ty))
    }
}

fn field_list(fields: &[(String, Type)]) -> String {
    if fields.is_empty() {
        return "(none)".into();
    }
    fields
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
