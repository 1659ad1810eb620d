//! What deleting an arrow means: the inverse of drawing it (`connect`). Every reference that
//! makes the board draw the arrow from one element to another is removed, with the behaviour
//! that exists only because of it (a command's handler, an event's applier, a saga step), so
//! the arrow is gone and the model says nothing about that link any more.

use super::document::Model;
use super::element::{Kind, Loc};
use super::resolve::NameIndex;

/// Removes the link drawn as the arrow from `from` to `to`; says what it removed, or why
/// there is nothing to remove.
pub fn disconnect(model: &mut Model, from: Loc, to: Loc) -> Result<String, String> {
    let index = NameIndex::new(model);
    let names = (
        model.name_of(from).unwrap_or("").to_owned(),
        model.name_of(to).unwrap_or("").to_owned(),
    );
    // Whether `name`, read in context `ctx`, names `target`.
    let is = |name: &str, kinds: &[Kind], ctx: Option<usize>, target: Loc| {
        !name.is_empty() && index.resolve(name, kinds, ctx).found() == Some(target)
    };
    let ctx = |l: Loc| l.context.and_then(|c| model.contexts.get(c)).is_some();
    if !ctx(from) || !ctx(to) {
        return Err("an arrow links two stickies".into());
    }
    let (fc, tc) = (from.context, to.context);
    let (f, t) = (fc.unwrap_or(0), tc.unwrap_or(0));
    let mut removed = 0usize;
    // The element at `index` of a context's list (it exists: the locs come from `locate`).
    macro_rules! at {
        ($ctx:expr, $list:ident, $loc:ident) => {
            model
                .contexts
                .get_mut($ctx)
                .and_then(|c| c.$list.get_mut($loc.index))
                .ok_or("that element no longer exists")?
        };
    }
    let mut count = |before: usize, after: usize| removed += before - after;
    use Kind::*;
    match (from.kind, to.kind) {
        (Actor, Command) => {
            let c = at!(t, commands, to);
            let n = c.actors.len();
            c.actors.retain(|a| !is(a, &[Actor], tc, from));
            count(n, c.actors.len());
        }
        (Command, Aggregate | External) => {
            let c = at!(f, commands, from);
            if is(&c.target, &[Aggregate, External], fc, to) {
                c.target.set("");
                count(1, 0);
            }
            if to.kind == Aggregate {
                // The handler drawing the link made goes with it; one that emits events is
                // behaviour someone wrote (and arrows of its own): it stays, for a check to
                // point at.
                let a = at!(t, aggregates, to);
                let n = a.handlers.len();
                a.handlers
                    .retain(|h| !h.emits_nothing() || !is(&h.on, &[Command], tc, from));
                count(n, a.handlers.len());
            }
        }
        (Aggregate | External, Event) => {
            if from.kind == Aggregate {
                let a = at!(f, aggregates, from);
                for h in &mut a.handlers {
                    let emits = std::iter::once(&mut h.emit)
                        .chain(h.branches.iter_mut().map(|b| &mut b.emit));
                    for emit in emits {
                        let n = emit.len();
                        emit.retain(|e| !is(&e.event, &[Event], fc, to));
                        count(n, emit.len());
                    }
                }
                let n = a.appliers.len();
                a.appliers.retain(|ap| !is(&ap.on, &[Event], fc, to));
                count(n, a.appliers.len());
            } else {
                let x = at!(f, externals, from);
                for r in &mut x.reacts {
                    let n = r.outcomes.len();
                    r.outcomes.retain(|o| !is(&o.respond, &[Event], fc, to));
                    count(n, r.outcomes.len());
                }
            }
            let e = at!(t, events, to);
            if is(&e.owner, &[Aggregate, External], tc, from) {
                e.owner.set("");
                count(1, 0);
            }
        }
        (Event, Policy) => {
            let p = at!(t, policies, to);
            if is(&p.on, &[Event], tc, from) {
                p.on.set("");
                count(1, 0);
            }
        }
        (Event, Saga) => {
            let s = at!(t, sagas, to);
            if is(&s.start, &[Event], tc, from) {
                s.start.set("");
                count(1, 0);
            }
            // A step also issues a command (its own arrow): it stays, waiting for an event.
            for st in &mut s.steps {
                if is(&st.on, &[Event], tc, from) {
                    st.on.set("");
                    count(1, 0);
                }
                let n = st.and.len();
                st.and.retain(|a| !is(a, &[Event], tc, from));
                count(n, st.and.len());
            }
            let n = s.ends.len();
            s.ends.retain(|e| !is(&e.on, &[Event], tc, from));
            count(n, s.ends.len());
        }
        (Event, ReadModel) => {
            let r = at!(t, read_models, to);
            let n = r.rules.len();
            r.rules.retain(|rule| !is(&rule.on, &[Event], tc, from));
            count(n, r.rules.len());
        }
        (Event, External) => {
            // A reaction with outcomes has arrows of its own: it stays, reacting to nothing.
            let x = at!(t, externals, to);
            let n = x.reacts.len();
            x.reacts
                .retain(|r| !r.outcomes.is_empty() || !is(&r.on, &[Command, Event], tc, from));
            count(n, x.reacts.len());
            for r in &mut x.reacts {
                if is(&r.on, &[Command, Event], tc, from) {
                    r.on.set("");
                    count(1, 0);
                }
            }
        }
        (Policy, Command) => {
            let p = at!(f, policies, from);
            if is(&p.then, &[Command], fc, to) {
                p.then.set("");
                count(1, 0);
            }
        }
        (Aggregate, Command) => {
            // A handler's scheduled command exists only for this arrow: it goes.
            let a = at!(f, aggregates, from);
            for h in &mut a.handlers {
                let n = h.schedule.len();
                h.schedule
                    .retain(|sc| !is(&sc.issue.command, &[Command], fc, to));
                count(n, h.schedule.len());
            }
        }
        (Saga, Command) => {
            let s = at!(f, sagas, from);
            // A step also waits for an event (its own arrow): it stays, issuing nothing.
            for st in &mut s.steps {
                if is(&st.issue.command, &[Command], fc, to) {
                    st.issue.command.set("");
                    count(1, 0);
                }
                if st
                    .compensate
                    .as_ref()
                    .is_some_and(|c| is(&c.command, &[Command], fc, to))
                {
                    st.compensate = None;
                    count(1, 0);
                }
            }
            if s.on_failure
                .as_ref()
                .is_some_and(|f| is(&f.command, &[Command], fc, to))
            {
                s.on_failure = None;
                count(1, 0);
            }
        }
        (Event, Event) => {
            let (up, down) = (fc, tc);
            let context_named = |name: &str| index.context(name);
            for r in &mut model.relations {
                if context_named(&r.upstream) != up || context_named(&r.downstream) != down {
                    continue;
                }
                let n = r.translations.len();
                r.translations.retain(|tr| {
                    !(is(&tr.from, &[Event], up, from) && is(&tr.into, &[Event], down, to))
                });
                count(n, r.translations.len());
            }
        }
        _ => {}
    }
    if removed == 0 {
        return Err(format!("nothing links {} to {}", names.0, names.1));
    }
    Ok(format!("Unlinked {} from {}", names.1, names.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::flow::FlowGraph;
    use crate::model::{file, op};

    #[test]
    fn deleting_each_arrow_of_every_example_removes_exactly_that_arrow() {
        for (file_name, text) in [
            (
                "autoservice.ron",
                include_str!("../../models/autoservice.ron"),
            ),
            ("accounts.ron", include_str!("../../models/accounts.ron")),
            (
                "conference.ron",
                include_str!("../../models/conference.ron"),
            ),
        ] {
            let model = file::from_str(text, file_name).unwrap();
            let edges: Vec<(Loc, Loc)> = FlowGraph::new(&model)
                .edges()
                .into_iter()
                .map(|(a, b, _)| (a, b))
                .collect();
            for &(a, b) in &edges {
                let mut m = model.clone();
                disconnect(&mut m, a, b).unwrap_or_else(|e| panic!("{file_name} {a:?}→{b:?}: {e}"));
                let after: Vec<(Loc, Loc)> = FlowGraph::new(&m)
                    .edges()
                    .into_iter()
                    .map(|(a, b, _)| (a, b))
                    .collect();
                assert!(
                    !after.contains(&(a, b)),
                    "{file_name} {a:?}→{b:?} still there"
                );
                // Every other arrow stays.
                for e in &edges {
                    assert!(e == &(a, b) || after.contains(e), "{file_name}: {e:?} lost");
                }
                // And the change is a handful of ops, as any edit.
                assert!(!op::diff(&model, &m).is_empty());
            }
        }
    }

    #[test]
    fn there_is_nothing_to_unlink_between_unlinked_stickies() {
        let mut m = file::from_str(include_str!("../../models/accounts.ron"), "a.ron").unwrap();
        let a = Loc {
            kind: Kind::Actor,
            context: Some(0),
            index: 0,
        };
        let e = Loc {
            kind: Kind::Event,
            context: Some(0),
            index: 0,
        };
        assert!(disconnect(&mut m, a, e).is_err());
    }
}
