//! Where the model reads a read model (or an aggregate's state) in a decision:
//! `lookup(ReadModel, key)` in a handler's guards, branches and emitted fields, a policy's
//! condition, fan-out, target and fields, a saga's expressions, and invariants. The board
//! draws a dashed arrow from each read model (aggregate) to what reads it; renaming one
//! rewrites the lookups that name it.

use std::ops::Range;

use super::document::Model;
use super::element::{Kind, Loc};
use super::resolve::NameIndex;

/// The ranges of the read-model names in `text`'s `lookup(NAME, …)` calls (outside quoted
/// text), e.g. `StockLevels` or `Shop.StockLevels`.
pub fn names_in(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quoted = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\'' {
            quoted = !quoted;
            i += 1;
            continue;
        }
        let word =
            |k: usize| k < bytes.len() && (bytes[k].is_ascii_alphanumeric() || bytes[k] == b'_');
        if !quoted && text[i..].starts_with("lookup") && (i == 0 || !word(i - 1)) {
            let mut k = i + "lookup".len();
            while k < bytes.len() && bytes[k] == b' ' {
                k += 1;
            }
            if k < bytes.len() && bytes[k] == b'(' {
                k += 1;
                while k < bytes.len() && bytes[k] == b' ' {
                    k += 1;
                }
                let start = k;
                while word(k) || (k < bytes.len() && bytes[k] == b'.') {
                    k += 1;
                }
                if k > start {
                    out.push(start..k);
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
    out
}

macro_rules! walker {
    ($name:ident, $($m:ident)?, $iter:ident, $values:ident, $str:ty) => {
        /// Calls `f` with every decision expression and invariant of the model that may look
        /// a read model up, and its owner (None: the model's own invariants).
        pub fn $name(model: & $($m)? Model, f: &mut dyn FnMut(Option<Loc>, $str)) {
            for (ci, c) in model.contexts.$iter().enumerate() {
                let at = |kind, index| {
                    Some(Loc {
                        kind,
                        context: Some(ci),
                        index,
                    })
                };
                let context = Some(Loc {
                    kind: Kind::Context,
                    context: None,
                    index: ci,
                });
                for inv in c.invariants.$iter() {
                    for e in [& $($m)? inv.always, & $($m)? inv.eventually].into_iter().flatten() {
                        f(context, e);
                    }
                }
                for (i, a) in c.aggregates.$iter().enumerate() {
                    let owner = at(Kind::Aggregate, i);
                    for h in a.handlers.$iter() {
                        for g in h.guards.$iter() {
                            f(owner, & $($m)? g.expr);
                        }
                        for em in h.emit.$iter() {
                            em.set.$values().for_each(|v| f(owner, v));
                        }
                        for b in h.branches.$iter() {
                            if let Some(w) = & $($m)? b.when {
                                f(owner, w);
                            }
                            for em in b.emit.$iter() {
                                em.set.$values().for_each(|v| f(owner, v));
                            }
                        }
                        for sc in h.schedule.$iter() {
                            let exprs = [& $($m)? sc.after, & $($m)? sc.at, & $($m)? sc.issue.target];
                            for e in exprs.into_iter().flatten() {
                                f(owner, e);
                            }
                            sc.issue.with.$values().for_each(|v| f(owner, v));
                        }
                    }
                }
                for (i, p) in c.policies.$iter().enumerate() {
                    let owner = at(Kind::Policy, i);
                    for e in [& $($m)? p.when, & $($m)? p.for_each, & $($m)? p.target]
                        .into_iter()
                        .flatten()
                    {
                        f(owner, e);
                    }
                    p.with.$values().for_each(|v| f(owner, v));
                }
                for (i, s) in c.sagas.$iter().enumerate() {
                    let owner = at(Kind::Saga, i);
                    for st in s.steps.$iter() {
                        let exprs = [& $($m)? st.when, & $($m)? st.for_each, & $($m)? st.after];
                        for e in exprs.into_iter().flatten() {
                            f(owner, e);
                        }
                        st.set.$values().for_each(|v| f(owner, v));
                        let issues = std::iter::once(& $($m)? st.issue).chain(& $($m)? st.compensate);
                        for issue in issues {
                            if let Some(t) = & $($m)? issue.target {
                                f(owner, t);
                            }
                            issue.with.$values().for_each(|v| f(owner, v));
                        }
                    }
                    for d in s.deadlines.$iter() {
                        if let Some(at) = & $($m)? d.at {
                            f(owner, at);
                        }
                    }
                    for e in s.ends.$iter() {
                        if let Some(w) = & $($m)? e.when {
                            f(owner, w);
                        }
                    }
                    if let Some(issue) = & $($m)? s.on_failure {
                        if let Some(t) = & $($m)? issue.target {
                            f(owner, t);
                        }
                        issue.with.$values().for_each(|v| f(owner, v));
                    }
                }
            }
            for inv in model.invariants.$iter() {
                for e in [& $($m)? inv.always, & $($m)? inv.eventually].into_iter().flatten() {
                    f(None, e);
                }
            }
            for (si, s) in model.scenarios.$iter().enumerate() {
                let owner = Some(Loc {
                    kind: Kind::Scenario,
                    context: None,
                    index: si,
                });
                for inv in s.invariants.$iter() {
                    for e in [& $($m)? inv.always, & $($m)? inv.eventually].into_iter().flatten() {
                        f(owner, e);
                    }
                }
            }
        }
    };
}

walker!(visit, , iter, values, &str);
walker!(visit_mut, mut, iter_mut, values_mut, &mut String);

/// Each read model (or aggregate) and a sticky whose decisions look it up (a handler's
/// aggregate, a policy, a saga), once per pair, in model order. Names resolve from the
/// reader's context.
pub fn readers(model: &Model) -> Vec<(Loc, Loc)> {
    let index = NameIndex::new(model);
    let mut out = Vec::new();
    visit(model, &mut |owner, text| {
        let Some(reader) = owner.filter(|o| o.kind != Kind::Context && o.kind != Kind::Scenario)
        else {
            return;
        };
        for r in names_in(text) {
            if let Some(rm) = index
                .resolve(
                    &text[r],
                    &[Kind::ReadModel, Kind::Aggregate],
                    reader.context,
                )
                .found()
                && !out.contains(&(rm, reader))
            {
                out.push((rm, reader));
            }
        }
    });
    out
}

/// The owners of the expressions whose lookups name read model (or aggregate) `rm` (called
/// `old`): what [`rename`] will change.
pub fn owners_naming(model: &Model, rm: Loc, old: &str) -> Vec<Option<Loc>> {
    let index = NameIndex::of_name(model, old);
    let mut owners = Vec::new();
    visit(model, &mut |owner, text| {
        let from = owner.and_then(|o| o.context);
        let names = |r: Range<usize>| index.resolve(&text[r], &[rm.kind], from).found();
        if names_in(text).into_iter().any(|r| names(r) == Some(rm)) && !owners.contains(&owner) {
            owners.push(owner);
        }
    });
    owners
}

/// Rewrites every lookup that names read model (or aggregate) `rm` (called `old`, not yet
/// renamed) to call
/// it `new`, keeping a `Context.` prefix; returns the owners of the expressions it changed.
pub fn rename(model: &mut Model, rm: Loc, old: &str, new: &str) -> Vec<Option<Loc>> {
    let index = NameIndex::of_name(model, old);
    let mut owners = Vec::new();
    visit_mut(model, &mut |owner, text| {
        let from = owner.and_then(|o| o.context);
        let mut changed = false;
        for r in names_in(text).into_iter().rev() {
            let name = &text[r.clone()];
            if index.resolve(name, &[rm.kind], from).found() != Some(rm) {
                continue;
            }
            let with = match name.split_once('.') {
                Some((c, _)) => format!("{c}.{new}"),
                None => new.to_owned(),
            };
            text.replace_range(r, &with);
            changed = true;
        }
        if changed && !owners.contains(&owner) {
            owners.push(owner);
        }
    });
    owners
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_names_are_found_outside_quotes_and_whole_words_only() {
        let text = "lookup(StockLevels, cmd.p).free > 0 && 'lookup(Not, x)' != '' && \
                    mylookup(X, y) && lookup( Shop.Levels ,k) == none";
        let names: Vec<&str> = names_in(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(names, ["StockLevels", "Shop.Levels"]);
    }
}
