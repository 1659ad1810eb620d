//! The context map: events consumed and commands issued across contexts must cross a
//! declared relation; internal events stay internal; an anticorruption layer is used.

use super::Checker;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::relation::Pattern;

use PathSeg::{Index as I, Key as K};

/// How an element in one context uses an element of another.
#[derive(Clone, Copy, PartialEq)]
enum Use {
    Consumes,
    Issues,
}

pub(super) fn check(c: &mut Checker<'_>) {
    let model = c.model;
    // (user, path, name referenced, kind, use)
    let mut uses: Vec<(Loc, Vec<PathSeg>, &str, Kind, Use)> = Vec::new();
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let id = |kind, index| Loc {
            kind,
            context: Some(ci),
            index,
        };
        for (i, a) in ctx.aggregates.iter().enumerate() {
            for (j, h) in a.handlers.iter().enumerate() {
                for (k, sc) in h.schedule.iter().enumerate() {
                    let at = |rest: &[PathSeg]| {
                        let mut p = vec![K("handlers"), I(j), K("schedule"), I(k)];
                        p.extend_from_slice(rest);
                        p
                    };
                    uses.push((
                        id(Kind::Aggregate, i),
                        at(&[K("issue"), K("command")]),
                        &sc.issue.command,
                        Kind::Command,
                        Use::Issues,
                    ));
                    for (u, ev) in sc.unless.iter().enumerate() {
                        uses.push((
                            id(Kind::Aggregate, i),
                            at(&[K("unless"), I(u)]),
                            ev,
                            Kind::Event,
                            Use::Consumes,
                        ));
                    }
                }
            }
        }
        for (i, p) in ctx.policies.iter().enumerate() {
            uses.push((
                id(Kind::Policy, i),
                vec![K("on")],
                &p.on,
                Kind::Event,
                Use::Consumes,
            ));
            uses.push((
                id(Kind::Policy, i),
                vec![K("then")],
                &p.then,
                Kind::Command,
                Use::Issues,
            ));
        }
        for (i, s) in ctx.sagas.iter().enumerate() {
            let sid = id(Kind::Saga, i);
            uses.push((sid, vec![K("start")], &s.start, Kind::Event, Use::Consumes));
            for (j, st) in s.steps.iter().enumerate() {
                uses.push((
                    sid,
                    vec![K("steps"), I(j), K("on")],
                    &st.on,
                    Kind::Event,
                    Use::Consumes,
                ));
                for (k, a) in st.and.iter().enumerate() {
                    uses.push((
                        sid,
                        vec![K("steps"), I(j), K("and"), I(k)],
                        a,
                        Kind::Event,
                        Use::Consumes,
                    ));
                }
                if !st.issue.is_none() {
                    uses.push((
                        sid,
                        vec![K("steps"), I(j), K("issue"), K("command")],
                        &st.issue.command,
                        Kind::Command,
                        Use::Issues,
                    ));
                }
                if let Some(comp) = &st.compensate {
                    uses.push((
                        sid,
                        vec![K("steps"), I(j), K("compensate"), K("command")],
                        &comp.command,
                        Kind::Command,
                        Use::Issues,
                    ));
                }
            }
            for (j, e) in s.ends.iter().enumerate() {
                uses.push((
                    sid,
                    vec![K("ends"), I(j), K("on")],
                    &e.on,
                    Kind::Event,
                    Use::Consumes,
                ));
            }
        }
        for (i, r) in ctx.read_models.iter().enumerate() {
            for (j, rule) in r.rules.iter().enumerate() {
                uses.push((
                    id(Kind::ReadModel, i),
                    vec![K("rules"), I(j), K("on")],
                    &rule.on,
                    Kind::Event,
                    Use::Consumes,
                ));
            }
        }
        for (i, x) in ctx.externals.iter().enumerate() {
            for (j, r) in x.reacts.iter().enumerate() {
                uses.push((
                    id(Kind::External, i),
                    vec![K("reacts"), I(j), K("on")],
                    &r.on,
                    Kind::Event,
                    Use::Consumes,
                ));
            }
        }
    }
    for (user, rest, name, kind, how) in uses {
        let Some(target) = c.index.resolve(name, &[kind], user.context).found() else {
            continue;
        };
        let (Some(down), Some(up)) = (user.context, target.context) else {
            continue;
        };
        if down == up {
            continue;
        }
        let (up_name, down_name) = (
            model.contexts[up].name.as_str(),
            model.contexts[down].name.as_str(),
        );
        let allowed = model.relations.iter().any(|r| {
            let forward = r.upstream == up_name && r.downstream == down_name;
            let backward = r.upstream == down_name && r.downstream == up_name;
            r.allows_integration()
                && (forward || ((r.is_two_way() || how == Use::Issues) && backward))
        });
        let path = c.at(user, &rest);
        if !allowed {
            let between = |r: &&crate::model::relation::Relation| {
                (r.upstream == up_name && r.downstream == down_name)
                    || (r.upstream == down_name && r.downstream == up_name)
            };
            let related = model.relations.iter().find(between);
            let who = format!("{} {}", user.kind, c.name(user));
            let message = match (how, related) {
                (_, Some(r)) if !r.allows_integration() => format!(
                    "{who} uses {name} of context {up_name}, but {} and {} go Separate Ways: \
                     contexts that go their own ways do not integrate",
                    r.upstream, r.downstream
                ),
                (Use::Consumes, Some(_)) => format!(
                    "{who} consumes event {name} of context {up_name}, but {up_name} is \
                     downstream of {down_name}: events flow from upstream to downstream \
                     (make the relation two-way with Partnership or Shared Kernel, or turn it \
                     around)"
                ),
                (Use::Consumes, None) => format!(
                    "{who} consumes event {name} of context {up_name}, but the context map has \
                     no relation that lets {up_name} reach {down_name}"
                ),
                (Use::Issues, _) => format!(
                    "{who} issues command {name} to context {up_name}, but the context map \
                     has no relation between {down_name} and {up_name}: a command crosses a \
                     declared relation (either way: a downstream calling its upstream's open \
                     host service, or an upstream directing its downstream)"
                ),
            };
            c.push(Code::MissingRelation, Some(user), path.clone(), message);
            continue;
        }
        if how == Use::Consumes {
            let translated = model.relations.iter().any(|r| {
                r.has(Pattern::AnticorruptionLayer)
                    && r.upstream == up_name
                    && r.downstream == down_name
                    && r.translations.iter().any(|t| {
                        c.index.resolve(&t.from, &[Kind::Event], Some(up)).found() == Some(target)
                    })
            });
            if translated {
                c.push(Code::BypassesTranslation, Some(user), path.clone(), format!("{} {} consumes {name} directly; {down_name} has an anticorruption layer that translates it — consume the translated event", user.kind, c.name(user)));
            }
            let published = model.contexts[up]
                .events
                .get(target.index)
                .is_some_and(|e| e.published);
            if !published {
                c.push(Code::ConsumesInternalEvent, Some(user), path, format!("{} {} consumes {name}, an internal event of {up_name}; mark it published (an integration event) or keep it inside {up_name}", user.kind, c.name(user)));
            }
        }
    }
    for (ri, r) in model.relations.iter().enumerate() {
        let rid = Loc {
            kind: Kind::Relation,
            context: None,
            index: ri,
        };
        if r.upstream == r.downstream {
            c.push(
                Code::BadRelation,
                Some(rid),
                rid.path(),
                format!("relation of context {} with itself", r.upstream),
            );
        }
        if !r.translations.is_empty() && !r.has(Pattern::AnticorruptionLayer) {
            let path = c.at(rid, &[K("translations")]);
            c.push(
                Code::BadRelation,
                Some(rid),
                path,
                format!(
                    "relation {} → {} translates events but is a {}, not an anticorruption \
                     layer (add AnticorruptionLayer to its patterns)",
                    r.upstream,
                    r.downstream,
                    r.label()
                ),
            );
        }
        // Its extra patterns: none contradicts Separate Ways, none repeats.
        let mut seen = Vec::new();
        let mut wrong = Vec::new();
        if r.has(Pattern::SeparateWays) && r.patterns().count() > 1 {
            wrong.push(format!(
                "is Separate Ways and also {}: contexts that go their own ways do not integrate",
                r.label()
            ));
        }
        for p in r.patterns() {
            if seen.contains(&p) {
                wrong.push(format!("names {} twice", p.label()));
            }
            seen.push(p);
        }
        for why in wrong {
            let path = c.at(rid, &[K("also")]);
            let message = format!("relation {} → {} {why}", r.upstream, r.downstream);
            c.push(Code::BadRelation, Some(rid), path, message);
        }
        for (j, t) in r.translations.iter().enumerate() {
            let up = c.index.context(&r.upstream);
            if let Some(from) = c.index.resolve(&t.from, &[Kind::Event], up).found()
                && from.context != up
            {
                let path = c.at(rid, &[K("translations"), I(j), K("from")]);
                c.push(
                    Code::BadRelation,
                    Some(rid),
                    path,
                    format!(
                        "translation source {} is not an event of the upstream context {}",
                        t.from, r.upstream
                    ),
                );
            }
            let down = c.index.context(&r.downstream);
            if let Some(into) = c.index.resolve(&t.into, &[Kind::Event], down).found()
                && into.context != down
            {
                let path = c.at(rid, &[K("translations"), I(j), K("into")]);
                c.push(
                    Code::BadRelation,
                    Some(rid),
                    path,
                    format!(
                        "translation target {} is not an event of the downstream context {}",
                        t.into, r.downstream
                    ),
                );
            }
        }
    }
}
