//! A scenario's load generator (`Load(command, count, every, fields)`), compiled once when
//! the scenario is set up and issued lazily: the engine holds one pending action per load,
//! and each generated command schedules the next. A million-command load therefore costs
//! one compilation per field expression and one pending action, not a million queued
//! commands.
//!
//! Determinism: every generated command keeps the place it would have had if the whole
//! load had been queued at set-up (its scheduler sequence number is reserved up front), and
//! the random draws of each load come from the scenario's `workload` stream at the point
//! where the loads before it leave it (each command of a load draws a fixed number of
//! times), so a lazily generated run is the same run, byte for byte.

use std::sync::Arc;

use super::program::{Program, SimError};
use super::rng::Rng;
use crate::model::expr::{Expr, RootValue, Value};
use crate::model::scenario::Gen;
use crate::model::scopes::constant_scope;
use crate::model::ty::Type;

/// A scenario value (`i` and `now` in scope) compiled once for the field type `ty`.
pub(super) fn compile(
    scenario: &str,
    p: &Program,
    src: &str,
    ty: Option<&Type>,
) -> Result<Expr, SimError> {
    Expr::compile(src, &constant_scope(), &p.types, ty).map_err(|e| SimError::Scenario {
        scenario: scenario.to_owned(),
        message: format!(
            "`{src}`: {}",
            e.first().map(|e| e.message.as_str()).unwrap_or("")
        ),
    })
}

/// Evaluates a compiled scenario value for command `i` at virtual time `now`.
pub(super) fn eval(scenario: &str, e: &Expr, i: i64, now: i64) -> Result<Value, SimError> {
    let (iv, nv) = (Value::Int(i), Value::Ts(now));
    e.eval(&[RootValue::Scalar(&iv), RootValue::Scalar(&nv)])
        .map_err(|err| SimError::Scenario {
            scenario: scenario.to_owned(),
            message: format!("`{}`: {err}", e.source()),
        })
}

/// How one field of the generated commands gets its value.
#[derive(Clone, Debug)]
enum FieldGen {
    /// Not given: the type's zero.
    Zero(Value),
    /// One expression.
    Expr(Expr),
    /// One of these, picked at random (one draw).
    OneOf(Vec<Expr>),
    /// Uniformly between two numbers (one draw).
    Uniform(Expr, Expr),
}

impl FieldGen {
    /// How many numbers the field draws from the workload stream per command.
    fn draws(&self) -> u64 {
        match self {
            FieldGen::Zero(_) | FieldGen::Expr(_) => 0,
            FieldGen::OneOf(_) | FieldGen::Uniform(..) => 1,
        }
    }
}

/// One load of a scenario, ready to issue its commands one at a time.
#[derive(Clone, Debug)]
pub struct Load {
    scenario: Arc<str>,
    /// The command issued.
    pub(super) command: usize,
    first: i64,
    every: i64,
    count: i64,
    /// The index of the next command to issue.
    next: i64,
    /// The scheduler's sequence number of command 0 (command `i` has `seq + i`).
    pub(super) seq: u64,
    fields: Arc<[FieldGen]>,
    rng: Rng,
}

impl Load {
    /// Compiles a load of `count` commands `command`, the first at `first`, one every
    /// `every` ms, with field generators `fields`; its draws start from `workload`, which is
    /// moved past every draw the load makes (for the loads after it).
    #[allow(
        clippy::too_many_arguments,
        reason = "a load step's parts, resolved by the scenario's set-up"
    )]
    pub fn new(
        scenario: &str,
        p: &Program,
        command: usize,
        fields: &std::collections::BTreeMap<String, Gen>,
        first: i64,
        every: i64,
        count: i64,
        workload: &mut Rng,
    ) -> Result<Load, SimError> {
        let mut gens = Vec::with_capacity(p.commands[command].fields.len());
        for f in &p.commands[command].fields {
            let ty = Some(&f.ty);
            gens.push(match fields.get(&f.name) {
                None => FieldGen::Zero(Value::zero_of(&f.ty, &p.types)),
                Some(Gen::Expr(src)) => FieldGen::Expr(compile(scenario, p, src, ty)?),
                Some(Gen::OneOf(options)) if options.is_empty() => {
                    FieldGen::Zero(Value::zero_of(&f.ty, &p.types))
                }
                Some(Gen::OneOf(options)) => FieldGen::OneOf(
                    options
                        .iter()
                        .map(|src| compile(scenario, p, src, ty))
                        .collect::<Result<_, _>>()?,
                ),
                Some(Gen::Uniform(lo, hi)) => {
                    FieldGen::Uniform(compile(scenario, p, lo, ty)?, compile(scenario, p, hi, ty)?)
                }
            });
        }
        let rng = workload.clone();
        let per_command: u64 = gens.iter().map(FieldGen::draws).sum();
        workload.skip(per_command.saturating_mul(count.max(0) as u64));
        Ok(Load {
            scenario: Arc::from(scenario),
            command,
            first,
            every,
            count,
            next: 0,
            seq: 0,
            fields: gens.into(),
            rng,
        })
    }

    /// How many commands the load issues.
    pub fn count(&self) -> i64 {
        self.count
    }

    /// The virtual time of command `i`.
    pub(super) fn time_of(&self, i: i64) -> i64 {
        self.first.saturating_add(self.every.saturating_mul(i))
    }

    /// The index of the next command, if any is left; moves past it.
    pub(super) fn take_next(&mut self) -> Option<i64> {
        (self.next < self.count).then(|| {
            self.next += 1;
            self.next - 1
        })
    }

    /// Whether commands are left to issue.
    pub(super) fn has_next(&self) -> bool {
        self.next < self.count
    }

    /// The field values of command `i` (issued at `now`), appended to `out`.
    pub(super) fn values(
        &mut self,
        i: i64,
        now: i64,
        out: &mut Vec<Value>,
    ) -> Result<(), SimError> {
        let s = &*self.scenario;
        for g in self.fields.iter() {
            out.push(match g {
                FieldGen::Zero(v) => v.clone(),
                FieldGen::Expr(e) => eval(s, e, i, now)?,
                FieldGen::OneOf(options) => {
                    let k = self.rng.range(0, options.len() as i64 - 1) as usize;
                    eval(s, &options[k], i, now)?
                }
                FieldGen::Uniform(lo, hi) => {
                    let draw = self.rng.next_u64();
                    uniform(eval(s, lo, i, now)?, eval(s, hi, i, now)?, draw)
                }
            });
        }
        Ok(())
    }
}

/// The number between `lo` and `hi` (inclusive) that the random bits `draw` pick: an int,
/// or a decimal in cents. Anything else is `lo`.
fn uniform(lo: Value, hi: Value, draw: u64) -> Value {
    match (lo, hi) {
        (Value::Int(a), Value::Int(b)) => Value::Int(Rng::range_of(draw, a, b)),
        (Value::Dec(a), Value::Dec(b)) => {
            let cents = |d: rust_decimal::Decimal| {
                let c = (d * rust_decimal::Decimal::from(100)).round();
                i64::try_from(c.mantissa() / 10i128.pow(c.scale())).unwrap_or(0)
            };
            Value::Dec(rust_decimal::Decimal::new(
                Rng::range_of(draw, cents(a), cents(b)),
                2,
            ))
        }
        (a, _) => a,
    }
}
