//! The model's invariants compiled for running: what each is about (an aggregate's
//! instances, a read model's rows, a saga's instances, the whole system), when it is checked,
//! and the violations a run found. Compiled once and shared by every run of an exploration.

use crate::model::Model;
use crate::model::expr::Expr;
use crate::model::expr::time::parse_duration;
use crate::model::invariant::{Invariant, When};
use crate::model::scenario::Scenario;
use crate::model::scopes::{
    aggregate_invariant_scope, row_invariant_scope, saga_invariant_scope, system_scope,
};
use crate::model::ty::Type;

use super::program::{Program, SimError};

/// What an invariant speaks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    /// Each instance of aggregate `.0` (program index).
    Aggregate(usize),
    /// Each row of read model `.0`.
    ReadModel(usize),
    /// Each instance of saga `.0`.
    Saga(usize),
    /// The whole system.
    System,
}

/// One invariant, compiled.
#[derive(Clone, Debug)]
pub struct InvariantDef {
    /// Its name.
    pub name: String,
    /// What it is about.
    pub about: About,
    /// The name of the element it belongs to (empty for the system's).
    pub owner: String,
    /// When it is checked.
    pub when: When,
    /// The bool expression.
    pub expr: Expr,
    /// A saga's `eventually … within`: the longest an instance may take, ms.
    pub within_ms: Option<i64>,
}

/// The invariants of a model (and of one scenario), by what they are about.
#[derive(Clone, Debug, Default)]
pub struct Watch {
    /// Every invariant, in file order (the model's elements, the model, the scenario).
    pub defs: Vec<InvariantDef>,
    /// Per aggregate, its `always` invariants (indices into `defs`).
    pub(super) aggregates: Vec<Vec<usize>>,
    /// Per read model, its `always` invariants.
    pub(super) read_models: Vec<Vec<usize>>,
    /// Per saga, its `always` invariants.
    pub(super) sagas: Vec<Vec<usize>>,
    /// The system's `always` invariants.
    pub(super) system: Vec<usize>,
    /// Per aggregate, its lifecycle states as the values `status` takes (made once, not at
    /// every check).
    pub(super) statuses: Vec<Vec<crate::model::expr::Value>>,
}

impl Watch {
    /// Compiles the invariants of `model` and, when given, of `scenario`; None when there
    /// are none (a run then pays nothing for them).
    pub fn compile(
        model: &Model,
        program: &Program,
        scenario: Option<&Scenario>,
    ) -> Result<Option<Watch>, SimError> {
        let mut w = Watch {
            aggregates: vec![Vec::new(); program.aggregates.len()],
            read_models: vec![Vec::new(); program.read_models.len()],
            sagas: vec![Vec::new(); program.sagas.len()],
            statuses: program
                .aggregates
                .iter()
                .map(|a| {
                    a.lifecycle
                        .iter()
                        .map(|s| crate::model::expr::Value::Str(s.as_str().into()))
                        .collect()
                })
                .collect(),
            ..Watch::default()
        };
        let (mut a, mut r, mut s) = (0, 0, 0);
        for c in &model.contexts {
            for agg in &c.aggregates {
                w.add(
                    program,
                    &agg.invariants,
                    (About::Aggregate(a), &agg.name),
                    &aggregate_invariant_scope(agg),
                )?;
                a += 1;
            }
            for sg in &c.sagas {
                w.add(
                    program,
                    &sg.invariants,
                    (About::Saga(s), &sg.name),
                    &saga_invariant_scope(sg),
                )?;
                s += 1;
            }
            for rm in &c.read_models {
                w.add(
                    program,
                    &rm.invariants,
                    (About::ReadModel(r), &rm.name),
                    &row_invariant_scope(rm),
                )?;
                r += 1;
            }
        }
        let system = system_scope();
        w.add(program, &model.invariants, (About::System, ""), &system)?;
        for c in &model.contexts {
            w.add(program, &c.invariants, (About::System, &c.name), &system)?;
        }
        if let Some(sc) = scenario {
            w.add(program, &sc.invariants, (About::System, ""), &system)?;
        }
        Ok((!w.defs.is_empty()).then_some(w))
    }

    fn add(
        &mut self,
        program: &Program,
        invariants: &[Invariant],
        (about, owner): (About, &str),
        scope: &crate::model::expr::Scope,
    ) -> Result<(), SimError> {
        for inv in invariants {
            let invalid =
                |m: String| SimError::Invalid(vec![format!("invariant `{}`: {m}", inv.name)]);
            let (when, text) = inv
                .condition()
                .ok_or_else(|| invalid("say either `always` or `eventually`".into()))?;
            let expr =
                Expr::compile(text, scope, &program.types, Some(&Type::Bool)).map_err(|e| {
                    invalid(format!(
                        "`{text}`: {}",
                        e.first().map_or("", |e| e.message.as_str())
                    ))
                })?;
            let within_ms = match &inv.within {
                Some(w) => Some(
                    parse_duration(w).ok_or_else(|| invalid(format!("`{w}` is not a duration")))?,
                ),
                None => None,
            };
            let index = self.defs.len();
            self.defs.push(InvariantDef {
                name: inv.name.clone(),
                about,
                owner: owner.to_owned(),
                when,
                expr,
                within_ms,
            });
            if when == When::Always {
                match about {
                    About::Aggregate(i) => self.aggregates[i].push(index),
                    About::ReadModel(i) => self.read_models[i].push(index),
                    About::Saga(i) => self.sagas[i].push(index),
                    About::System => self.system.push(index),
                }
            }
        }
        Ok(())
    }
}

/// An invariant that did not hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// The invariant's place among the watched ones ([`Watch::defs`]).
    pub index: usize,
    /// The invariant's name.
    pub invariant: String,
    /// Its expression.
    pub expression: String,
    /// When it is checked.
    pub when: When,
    /// What it was about: `Stock sku-1`, `StockLevels row sku-1`, `Checkout o-7`, `the system`.
    pub about: String,
    /// The log's length when it was found (for an `eventually`, the healed run's end).
    pub position: u64,
    /// The record whose handling broke it (0-based): the event a subscriber was handling, or
    /// the last one a command appended. None for an `eventually`.
    pub record: Option<u64>,
    /// The virtual time then.
    pub time: i64,
    /// What was found: `false`, or why the expression could not be worked out.
    pub found: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (when, moment) = match self.when {
            When::Always => ("always", "after"),
            When::Eventually => ("eventually", "once healed and settled,"),
        };
        let at = match (self.record, self.position) {
            (Some(r), _) => format!("{moment} event #{}", r + 1),
            (None, 0) => format!("{moment} no event"),
            (None, n) => format!("{moment} event #{n}"),
        };
        write!(
            f,
            "invariant `{}` broken by {} ({at}): {when} `{}` is {}",
            self.invariant, self.about, self.expression, self.found
        )
    }
}
