//! Invariants: each says exactly one of `always` and `eventually`, its expression is a bool
//! over the names of what it is about, `within` belongs to a saga's `eventually`, and no two
//! invariants of one element share a name.

use std::collections::BTreeSet;

use super::Checker;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::expr::time::parse_duration;
use crate::model::expr::{Expr, Scope};
use crate::model::invariant::Invariant;
use crate::model::scopes::{
    aggregate_invariant_scope, row_invariant_scope, saga_invariant_scope, system_scope,
};
use crate::model::ty::Type;

use PathSeg::{Index as I, Key as K};

pub(super) fn check(c: &mut Checker<'_>) {
    let model = c.model;
    let system = system_scope();
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let at = |kind, index| Loc {
            kind,
            context: Some(ci),
            index,
        };
        let owner = Loc {
            kind: Kind::Context,
            context: None,
            index: ci,
        };
        list(c, Some(owner), &ctx.invariants, &system, false);
        for (i, a) in ctx.aggregates.iter().enumerate() {
            let scope = aggregate_invariant_scope(a);
            list(
                c,
                Some(at(Kind::Aggregate, i)),
                &a.invariants,
                &scope,
                false,
            );
        }
        for (i, r) in ctx.read_models.iter().enumerate() {
            let scope = row_invariant_scope(r);
            list(
                c,
                Some(at(Kind::ReadModel, i)),
                &r.invariants,
                &scope,
                false,
            );
        }
        for (i, s) in ctx.sagas.iter().enumerate() {
            let scope = saga_invariant_scope(s);
            list(c, Some(at(Kind::Saga, i)), &s.invariants, &scope, true);
        }
    }
    list(c, None, &model.invariants, &system, false);
    for (si, s) in model.scenarios.iter().enumerate() {
        let owner = Loc {
            kind: Kind::Scenario,
            context: None,
            index: si,
        };
        list(c, Some(owner), &s.invariants, &system, false);
    }
}

/// The invariants of `owner` (None: the model's own).
fn list(
    c: &mut Checker<'_>,
    owner: Option<Loc>,
    invariants: &[Invariant],
    scope: &Scope,
    saga: bool,
) {
    let who = match owner {
        Some(o) => format!("{} {}", o.kind, c.name(o)),
        None => "the model".to_owned(),
    };
    // The place of invariant `i` (and of its `key`, when given) in the file.
    let path = |i: usize, key: Option<&'static str>| {
        let mut p = owner.map(|o| o.path()).unwrap_or_default();
        p.extend([K("invariants"), I(i)]);
        p.extend(key.map(K));
        p
    };
    let mut names = BTreeSet::new();
    for (i, inv) in invariants.iter().enumerate() {
        if !names.insert(inv.name.as_str()) {
            let message = format!(
                "{who}: two invariants are named `{}`; a report could not tell them apart",
                inv.name
            );
            c.push(Code::BadInvariant, owner, path(i, Some("name")), message);
        }
        let Some((when, text)) = inv.condition() else {
            let message = format!(
                "{who}: invariant `{}` must say either `always` (checked after every change) \
                 or `eventually` (checked when the run ends); it says {}",
                inv.name,
                if inv.always.is_some() {
                    "both"
                } else {
                    "neither"
                }
            );
            c.push(Code::BadInvariant, owner, path(i, None), message);
            continue;
        };
        if let Some(within) = &inv.within {
            let p = path(i, Some("within"));
            if !saga || when != crate::model::invariant::When::Eventually {
                let message = format!(
                    "{who}: invariant `{}` has `within`, which only a saga's `eventually` \
                     has (each instance gets there within that time of its start)",
                    inv.name
                );
                c.push(Code::BadInvariant, owner, p, message);
            } else if parse_duration(within).is_none_or(|d| d < 0) {
                let message = format!(
                    "{who}: invariant `{}`: `{within}` is not a duration; write it like \
                     `15s`, `10m`, `2h`, `1h30m`",
                    inv.name
                );
                c.push(Code::BadTime, owner, p, message);
            }
        }
        if let Err(errors) = Expr::compile(text, scope, &c.types, Some(&Type::Bool)) {
            for e in errors {
                c.out.push(Diagnostic {
                    code: Code::ExpressionError,
                    severity: Code::ExpressionError.severity(),
                    message: format!(
                        "{who}: invariant `{}`: {} (in `{text}`)",
                        inv.name, e.message
                    ),
                    element: owner,
                    path: path(i, Some(inv.key())),
                    span: Some(e.span),
                });
            }
        }
    }
}
