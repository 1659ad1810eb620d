//! Evaluation of compiled expressions: checked arithmetic, a step budget, never a panic.

use std::cmp::Ordering;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::compile::{Func, ListFn, Node};
use super::parser::BinOp;
use super::{EvalError, RootValue, Span, Value};

/// Steps one evaluation may take.
pub const MAX_STEPS: u32 = 10_000;
/// Longest string an expression may build, in bytes.
const MAX_STRING: usize = 64 * 1024;

/// Evaluation state: the roots and the remaining step budget.
pub struct Eval<'a> {
    /// Root values in scope order.
    pub roots: &'a [RootValue<'a>],
    /// Steps left.
    pub steps: u32,
    /// The elements bound by the enclosing `x -> body`s, outermost first.
    pub locals: Vec<Value>,
}

fn overflow(span: &Span) -> EvalError {
    EvalError::Overflow { span: span.clone() }
}

fn other(span: &Span, message: impl Into<String>) -> EvalError {
    EvalError::Other {
        span: span.clone(),
        message: message.into(),
    }
}

impl Eval<'_> {
    /// Evaluates `node`.
    #[inline]
    pub fn eval(&mut self, node: &Node) -> Result<Value, EvalError> {
        if self.steps > 0
            && let Some(v) = self.quick(node)
        {
            self.steps -= 1;
            return Ok(v);
        }
        self.eval_node(node)
    }

    /// The common cases without the general evaluator's frame: a field, a constant, integer
    /// arithmetic and comparisons over those (`state.total + event.amount`), and `min`/`max`
    /// of two integers. None for everything else (and for what could fail).
    #[inline]
    fn quick(&self, node: &Node) -> Option<Value> {
        match node {
            Node::Const(v) => Some(v.clone()),
            Node::Local(_) | Node::Get(..) => self.peek(node).cloned(),
            Node::Field(r, slot) => Some(match self.roots.get(*r) {
                Some(RootValue::Record(fields)) => fields.get(*slot).cloned().unwrap_or_default(),
                _ => Value::None,
            }),
            Node::Bin(op, a, b, _) => match (self.peek(a), self.peek(b)) {
                (Some(Value::Int(x)), Some(Value::Int(y))) => int_op(*op, *x, *y),
                _ => None,
            },
            Node::Call(f @ (Func::Min | Func::Max), args, _) => match args.as_slice() {
                [a, b] => match (self.peek(a), self.peek(b)) {
                    (Some(Value::Int(x)), Some(Value::Int(y))) => Some(Value::Int(match f {
                        Func::Min => *x.min(y),
                        _ => *x.max(y),
                    })),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// Evaluates `node` in general: one step of the budget, then by kind. Kept out of line,
    /// so that the quick cases above stay small enough to inline at every caller.
    #[inline(never)]
    fn eval_node(&mut self, node: &Node) -> Result<Value, EvalError> {
        self.steps = self
            .steps
            .checked_sub(1)
            .ok_or(EvalError::TooManySteps(MAX_STEPS))?;
        Ok(match node {
            Node::Const(v) => v.clone(),
            Node::Root(i) => match self.roots.get(*i) {
                Some(RootValue::Scalar(v)) => (*v).clone(),
                _ => Value::None,
            },
            Node::Field(r, slot) => match self.roots.get(*r) {
                Some(RootValue::Record(fields)) => fields.get(*slot).cloned().unwrap_or_default(),
                _ => Value::None,
            },
            // A field of a looked-up row is read from the row in place (no copy of the row).
            Node::Get(inner, slot) if matches!(**inner, Node::Lookup(..)) => {
                let Node::Lookup(root, table, key) = &**inner else {
                    return Ok(Value::None);
                };
                let key = self.eval(key)?;
                match self.roots.get(*root) {
                    Some(RootValue::Tables(t)) => t
                        .row(*table, &key)
                        .and_then(|row| row.get(*slot))
                        .cloned()
                        .unwrap_or_default(),
                    _ => Value::None,
                }
            }
            Node::Get(inner, slot) => match self.eval(inner)? {
                Value::Record(fields) => fields.get(*slot).cloned().unwrap_or_default(),
                _ => Value::None,
            },
            Node::Neg(inner, span) => match self.eval(inner)? {
                Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(|| overflow(span))?),
                Value::Dec(d) => Value::Dec(-d),
                Value::Dur(d) => Value::Dur(d.checked_neg().ok_or_else(|| overflow(span))?),
                v => v,
            },
            Node::Not(inner) => Value::Bool(!matches!(self.eval(inner)?, Value::Bool(true))),
            Node::And(a, b) => Value::Bool(
                matches!(self.eval(a)?, Value::Bool(true))
                    && matches!(self.eval(b)?, Value::Bool(true)),
            ),
            Node::Or(a, b) => Value::Bool(
                matches!(self.eval(a)?, Value::Bool(true))
                    || matches!(self.eval(b)?, Value::Bool(true)),
            ),
            Node::Default(a, b) => match self.eval(a)? {
                Value::None => self.eval(b)?,
                v => v,
            },
            Node::If(c, a, b) => {
                if matches!(self.eval(c)?, Value::Bool(true)) {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Node::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Value::List(Arc::from(out))
            }
            Node::Record(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.eval(i)?);
                }
                Value::Record(Arc::from(out))
            }
            Node::Local(k) => self.locals.get(*k).cloned().unwrap_or_default(),
            Node::Index(list, index, span) => {
                let list = self.eval(list)?;
                let index = self.eval(index)?;
                let items: &[Value] = match &list {
                    Value::List(items) => items,
                    _ => &[],
                };
                let found = match index {
                    Value::Int(i) => usize::try_from(i).ok().and_then(|i| items.get(i)),
                    _ => None,
                };
                match found {
                    Some(v) => v.clone(),
                    None => {
                        return Err(other(
                            span,
                            format!(
                                "index {index} is outside the list, which has {} element{}",
                                items.len(),
                                if items.len() == 1 { "" } else { "s" }
                            ),
                        ));
                    }
                }
            }
            Node::Over(f, list, body, span) => match self.eval(list)? {
                Value::List(items) => self.over(*f, &items, body.as_deref(), span)?,
                _ => self.over(*f, &[], body.as_deref(), span)?,
            },
            Node::Lookup(root, table, key) => {
                let key = self.eval(key)?;
                match self.roots.get(*root) {
                    Some(RootValue::Tables(t)) => match t.row(*table, &key) {
                        Some(row) => Value::Record(Arc::from(row)),
                        None => Value::None,
                    },
                    _ => Value::None,
                }
            }
            Node::ToDec(inner) => match self.eval(inner)? {
                Value::Int(i) => Value::Dec(Decimal::from(i)),
                v => v,
            },
            Node::Bin(op, a, b, span) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                binary(*op, a, b, span)?
            }
            Node::Call(f, args, span) => {
                // Every function takes at most two arguments: no list is built for them.
                let mut vals = [Value::None, Value::None];
                for (i, a) in args.iter().enumerate() {
                    let v = self.eval(a)?;
                    if let Some(slot) = vals.get_mut(i) {
                        *slot = v;
                    }
                }
                let [a, b] = vals;
                call(*f, a, b, span)?
            }
        })
    }
}

impl Eval<'_> {
    /// `body` for one element `x` (`x` itself when there is no body); one step per element,
    /// so that a list function over a long list stays within the budget too.
    fn each(&mut self, body: Option<&Node>, x: &Value) -> Result<Value, EvalError> {
        self.steps = self
            .steps
            .checked_sub(1)
            .ok_or(EvalError::TooManySteps(MAX_STEPS))?;
        let Some(body) = body else {
            return Ok(x.clone());
        };
        self.locals.push(x.clone());
        let v = self.eval(body);
        self.locals.pop();
        v
    }

    /// Whether `body` holds for `x`.
    fn holds(&mut self, body: Option<&Node>, x: &Value) -> Result<bool, EvalError> {
        Ok(matches!(self.each(body, x)?, Value::Bool(true)))
    }

    /// A list function over `items`. `Sum` of no elements is `None` (the compiler supplies
    /// the zero of the type); `Min`/`Max` of no elements is an error at `span`.
    fn over(
        &mut self,
        f: ListFn,
        items: &[Value],
        body: Option<&Node>,
        span: &Span,
    ) -> Result<Value, EvalError> {
        Ok(match f {
            ListFn::Map => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.each(body, x)?);
                }
                Value::List(Arc::from(out))
            }
            ListFn::Filter => {
                let mut out = Vec::new();
                for x in items {
                    if self.holds(body, x)? {
                        out.push(x.clone());
                    }
                }
                Value::List(Arc::from(out))
            }
            ListFn::Any => {
                for x in items {
                    if self.holds(body, x)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(false)
            }
            ListFn::All => {
                for x in items {
                    if !self.holds(body, x)? {
                        return Ok(Value::Bool(false));
                    }
                }
                Value::Bool(true)
            }
            ListFn::Count if body.is_none() => Value::Int(items.len() as i64),
            ListFn::Count => {
                let mut n = 0;
                for x in items {
                    n += i64::from(self.holds(body, x)?);
                }
                Value::Int(n)
            }
            ListFn::Sum => {
                let mut total = Value::None;
                for x in items {
                    let v = self.each(body, x)?;
                    total = match total {
                        Value::None => v,
                        t => binary(BinOp::Add, t, v, span)?,
                    };
                }
                total
            }
            ListFn::Min | ListFn::Max => {
                let mut best: Option<Value> = None;
                for x in items {
                    let v = self.each(body, x)?;
                    best = Some(match best {
                        None => v,
                        Some(b) if f == ListFn::Min => b.min(v),
                        Some(b) => b.max(v),
                    });
                }
                best.ok_or_else(|| other(span, format!("`{}` of an empty list", f.name())))?
            }
        })
    }

    /// The value of a field or constant node, borrowed (None for other nodes).
    fn peek<'n>(&'n self, node: &'n Node) -> Option<&'n Value> {
        match node {
            Node::Const(v) => Some(v),
            Node::Field(r, slot) => match self.roots.get(*r) {
                Some(RootValue::Record(fields)) => fields.get(*slot),
                _ => None,
            },
            Node::Local(k) => self.locals.get(*k),
            // A field of a value object held by a field or a local (`l.quantity`).
            Node::Get(inner, slot) => match self.peek(inner)? {
                Value::Record(fields) => fields.get(*slot),
                _ => None,
            },
            _ => None,
        }
    }
}

/// `x op y` for integers when it cannot fail; None for division and overflow (the general
/// path reports those).
fn int_op(op: BinOp, x: i64, y: i64) -> Option<Value> {
    Some(match op {
        BinOp::Add => Value::Int(x.checked_add(y)?),
        BinOp::Sub => Value::Int(x.checked_sub(y)?),
        BinOp::Mul => Value::Int(x.checked_mul(y)?),
        BinOp::Eq => Value::Bool(x == y),
        BinOp::Ne => Value::Bool(x != y),
        BinOp::Lt => Value::Bool(x < y),
        BinOp::Le => Value::Bool(x <= y),
        BinOp::Gt => Value::Bool(x > y),
        BinOp::Ge => Value::Bool(x >= y),
        _ => return None,
    })
}

fn binary(op: BinOp, a: Value, b: Value, span: &Span) -> Result<Value, EvalError> {
    use Value::*;
    let cmp = |o: Ordering| -> bool {
        match op {
            BinOp::Lt => o == Ordering::Less,
            BinOp::Le => o != Ordering::Greater,
            BinOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }
    };
    Ok(match op {
        BinOp::Eq => Bool(a == b),
        BinOp::Ne => Bool(a != b),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => Bool(cmp(a.cmp(&b))),
        _ => match (op, a, b) {
            (BinOp::Add, Int(x), Int(y)) => Int(x.checked_add(y).ok_or_else(|| overflow(span))?),
            (BinOp::Sub, Int(x), Int(y)) => Int(x.checked_sub(y).ok_or_else(|| overflow(span))?),
            (BinOp::Mul, Int(x), Int(y)) => Int(x.checked_mul(y).ok_or_else(|| overflow(span))?),
            (BinOp::Div | BinOp::Rem, Int(_), Int(0)) => {
                return Err(EvalError::DivisionByZero { span: span.clone() });
            }
            (BinOp::Div, Int(x), Int(y)) => Int(x.checked_div(y).ok_or_else(|| overflow(span))?),
            (BinOp::Rem, Int(x), Int(y)) => Int(x.checked_rem(y).ok_or_else(|| overflow(span))?),
            (BinOp::Add, Dec(x), Dec(y)) => Dec(x.checked_add(y).ok_or_else(|| overflow(span))?),
            (BinOp::Sub, Dec(x), Dec(y)) => Dec(x.checked_sub(y).ok_or_else(|| overflow(span))?),
            (BinOp::Mul, Dec(x), Dec(y)) => Dec(x.checked_mul(y).ok_or_else(|| overflow(span))?),
            (BinOp::Div, Dec(_), Dec(y)) if y.is_zero() => {
                return Err(EvalError::DivisionByZero { span: span.clone() });
            }
            (BinOp::Div, Dec(x), Dec(y)) => Dec(x.checked_div(y).ok_or_else(|| overflow(span))?),
            (BinOp::Add, Str(x), Str(y)) => {
                if x.len() + y.len() > MAX_STRING {
                    return Err(other(span, "string too long"));
                }
                Value::text_with(|b| {
                    b.push_str(&x);
                    b.push_str(&y);
                })
            }
            (BinOp::Add, Ts(t), Dur(d)) => Ts(t.checked_add(d).ok_or_else(|| overflow(span))?),
            (BinOp::Sub, Ts(t), Dur(d)) => Ts(t.checked_sub(d).ok_or_else(|| overflow(span))?),
            (BinOp::Sub, Ts(x), Ts(y)) => Dur(x.checked_sub(y).ok_or_else(|| overflow(span))?),
            (BinOp::Add, Dur(x), Dur(y)) => Dur(x.checked_add(y).ok_or_else(|| overflow(span))?),
            (BinOp::Sub, Dur(x), Dur(y)) => Dur(x.checked_sub(y).ok_or_else(|| overflow(span))?),
            (BinOp::Mul, Dur(x), Int(y)) | (BinOp::Mul, Int(y), Dur(x)) => {
                Dur(x.checked_mul(y).ok_or_else(|| overflow(span))?)
            }
            (BinOp::Div, Dur(_), Int(0)) => {
                return Err(EvalError::DivisionByZero { span: span.clone() });
            }
            (BinOp::Div, Dur(x), Int(y)) => Dur(x.checked_div(y).ok_or_else(|| overflow(span))?),
            // An absent optional reached arithmetic (the checker prevents it otherwise).
            (_, a, b) => {
                return Err(other(
                    span,
                    format!("cannot apply `{}` to {a} and {b}", op.symbol()),
                ));
            }
        },
    })
}

fn call(f: Func, a: Value, b: Value, span: &Span) -> Result<Value, EvalError> {
    use Value::*;
    Ok(match f {
        Func::Len => match a {
            List(l) => Int(l.len() as i64),
            Str(s) => Int(s.chars().count() as i64),
            _ => Int(0),
        },
        Func::Contains => match (a, b) {
            (List(l), x) => Bool(l.contains(&x)),
            (Str(s), Str(t)) => Bool(s.contains(&*t)),
            _ => Bool(false),
        },
        Func::Min => a.min(b),
        Func::Max => a.max(b),
        Func::Abs => match a {
            Int(i) => Int(i.checked_abs().ok_or_else(|| overflow(span))?),
            Dec(d) => Dec(d.abs()),
            Dur(d) => Dur(d.checked_abs().ok_or_else(|| overflow(span))?),
            v => v,
        },
        Func::Span(unit) => match a {
            Int(n) => Dur(n.checked_mul(unit).ok_or_else(|| overflow(span))?),
            _ => Dur(0),
        },
        Func::Str => match a {
            Str(s) => Str(s),
            a => Value::text_with(|b| {
                use std::fmt::Write as _;
                let _ = write!(b, "{a}");
            }),
        },
        Func::IsSome => Bool(a != None),
        Func::Round => match (a, b) {
            (Dec(d), Int(p)) => Dec(d.round_dp(u32::try_from(p.clamp(0, 28)).unwrap_or(0))),
            (v, _) => v,
        },
        Func::Append => match a {
            List(l) if l.len() >= 10_000 => return Err(other(span, "list too long")),
            List(l) => List(l.iter().cloned().chain(std::iter::once(b)).collect()),
            v => v,
        },
        Func::Without => match a {
            List(l) => List(l.iter().filter(|x| **x != b).cloned().collect()),
            v => v,
        },
        Func::AddMonths(factor) => match (a, b) {
            (Ts(t), Int(n)) => Ts(n
                .checked_mul(factor)
                .and_then(|months| super::time::add_months(t, months))
                .ok_or_else(|| overflow(span))?),
            (v, _) => v,
        },
        Func::StartOfDay => match a {
            Ts(t) => Ts(super::time::start_of_day(t)),
            v => v,
        },
        Func::Weekday => match a {
            Ts(t) => Int(super::time::weekday(t)),
            _ => Int(0),
        },
        Func::Lower => Str(Arc::from(a.to_string().to_lowercase())),
        Func::Upper => Str(Arc::from(a.to_string().to_uppercase())),
    })
}
