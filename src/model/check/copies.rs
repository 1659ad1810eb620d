//! Same-named copies: a field that an assignment leaves out takes the same-named field of its
//! source — the command (then the state) for an emitted event, the event for an applier, an
//! issued command, an external system's answer or a translation. The copy must fit the
//! field's type as an assignment would (`int` into `decimal` does; `int` into `string` and a
//! value object into `decimal` do not).

use std::borrow::Cow;

use super::Checker;
use crate::model::Assignments;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::expr::assignable;
use crate::model::field::Field;
use crate::model::scopes::common_fields;

use PathSeg::{Index as I, Key as K};

/// One place that copies: what it fills, from what, and where to point.
struct Site<'m> {
    owner: Loc,
    /// Inside the owner: the reference naming the filled message (`emit[0].event`…).
    rest: Vec<PathSeg>,
    /// The filled message or state, for the message (`event ServiceBooked`).
    what: String,
    targets: &'m [Field],
    set: &'m Assignments,
    /// Where unset fields are copied from, in order, each with its name in words.
    sources: Vec<(Cow<'m, [Field]>, &'static str)>,
    /// A field filled otherwise (an issued command's target id).
    skip: Option<&'m str>,
}

pub(super) fn check(c: &mut Checker<'_>) {
    let sites = sites(c);
    for s in sites {
        for f in s.targets {
            if s.set.contains_key(&f.name) || s.skip == Some(f.name.as_str()) {
                continue;
            }
            let from = s
                .sources
                .iter()
                .find_map(|(fields, who)| Some((fields.iter().find(|x| x.name == f.name)?, who)));
            let Some((src, who)) = from else { continue };
            if assignable(&src.ty, &f.ty, &c.types) {
                continue;
            }
            let path = c.at(s.owner, &s.rest);
            let message = format!(
                "{}: field `{}` is a `{}`, but it would be copied from {who}'s `{}`, a `{}`; set \
                 it with an expression or rename one of them",
                s.what, f.name, f.ty, src.name, src.ty
            );
            c.push(Code::CopiedFieldType, Some(s.owner), path, message);
        }
    }
}

/// Every copying place of the model.
fn sites<'m>(c: &Checker<'m>) -> Vec<Site<'m>> {
    let model = c.model;
    let fields_of = |name: &str, kinds: &[Kind], from: Option<usize>| -> Option<&'m [Field]> {
        let id = c.index.resolve(name, kinds, from).found()?;
        let ctx = model.contexts.get(id.context?)?;
        match id.kind {
            Kind::Command => ctx.commands.get(id.index).map(|x| x.fields.as_slice()),
            Kind::Event => ctx.events.get(id.index).map(|x| x.fields.as_slice()),
            _ => None,
        }
    };
    // The id field of the command's target: filled with the target id, not copied.
    let key_of = |command: &str, from: Option<usize>| -> Option<&'m str> {
        let id = c.index.resolve(command, &[Kind::Command], from).found()?;
        let cmd = model.contexts.get(id.context?)?.commands.get(id.index)?;
        let t = c
            .index
            .resolve(&cmd.target, &[Kind::Aggregate, Kind::External], id.context)
            .found()?;
        let ctx = model.contexts.get(t.context?)?;
        match t.kind {
            Kind::Aggregate => ctx.aggregates.get(t.index).map(|a| a.id.as_str()),
            _ => ctx.externals.get(t.index).map(|x| x.id.as_str()),
        }
    };
    let mut out = Vec::new();
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let from = Some(ci);
        let loc = |kind, index| Loc {
            kind,
            context: from,
            index,
        };
        // A command issued (by a policy, a saga, a handler's schedule): copies into its
        // fields, but for the target's id field, filled with the target id.
        let issue_site = |owner: Loc, rest: Vec<PathSeg>, sources, i: IssueRef<'m>| {
            Some(Site {
                owner,
                rest,
                what: format!("command {}", i.command),
                targets: fields_of(i.command, &[Kind::Command], from)?,
                set: i.with,
                sources,
                skip: key_of(i.command, from),
            })
        };
        for (ai, a) in ctx.aggregates.iter().enumerate() {
            let owner = loc(Kind::Aggregate, ai);
            for (hi, h) in a.handlers.iter().enumerate() {
                let Some(cmd) = fields_of(&h.on, &[Kind::Command], from) else {
                    continue;
                };
                for (site, em) in h.emit_sites() {
                    let Some(targets) = fields_of(&em.event, &[Kind::Event], from) else {
                        continue;
                    };
                    // A stream key under its own name is filled with the instance's id.
                    let key = c
                        .index
                        .resolve(&em.event, &[Kind::Event], from)
                        .found()
                        .and_then(|e| model.contexts.get(e.context?)?.events.get(e.index))
                        .map(|e| e.stream_key.as_str())
                        .filter(|k| !k.is_empty());
                    let mut rest = vec![K("handlers"), I(hi)];
                    rest.extend(site);
                    rest.push(K("event"));
                    out.push(Site {
                        owner,
                        rest,
                        what: format!("event {}", em.event),
                        targets,
                        set: &em.set,
                        sources: vec![
                            (Cow::Borrowed(cmd), "the command"),
                            (Cow::Borrowed(&a.state), "the state"),
                        ],
                        skip: key,
                    });
                }
                for (k, sc) in h.schedule.iter().enumerate() {
                    let rest = vec![
                        K("handlers"),
                        I(hi),
                        K("schedule"),
                        I(k),
                        K("issue"),
                        K("command"),
                    ];
                    let sources = vec![(Cow::Borrowed(cmd), "the command")];
                    out.extend(issue_site(owner, rest, sources, IssueRef::of(&sc.issue)));
                }
            }
            for (pi, ap) in a.appliers.iter().enumerate() {
                let Some(ev) = fields_of(&ap.on, &[Kind::Event], from) else {
                    continue;
                };
                out.push(Site {
                    owner,
                    rest: vec![K("appliers"), I(pi), K("on")],
                    what: format!("the state of {}", a.name),
                    targets: &a.state,
                    set: &ap.set,
                    sources: vec![(Cow::Borrowed(ev), "the event")],
                    skip: None,
                });
            }
        }
        let mut issue = |owner: Loc, rest: Vec<PathSeg>, sources, i: IssueRef<'m>| {
            out.extend(issue_site(owner, rest, sources, i));
        };
        for (pi, p) in ctx.policies.iter().enumerate() {
            let i = IssueRef {
                command: &p.then,
                with: &p.with,
            };
            if let Some(ev) = fields_of(&p.on, &[Kind::Event], from) {
                let sources = vec![(Cow::Borrowed(ev), "the event")];
                issue(loc(Kind::Policy, pi), vec![K("then")], sources, i);
            }
        }
        for (si, s) in ctx.sagas.iter().enumerate() {
            let owner = loc(Kind::Saga, si);
            // A saga's commands copy from the event (a join's: what its events have in
            // common), then from the saga's state.
            let sources = |events: Vec<&'m str>| {
                let fields: Option<Vec<&'m [Field]>> = events
                    .into_iter()
                    .map(|e| fields_of(e, &[Kind::Event], from))
                    .collect();
                let fields = fields?;
                let event = match fields.as_slice() {
                    [one] => Cow::Borrowed(*one),
                    many => Cow::Owned(common_fields(many)),
                };
                Some(vec![
                    (event, "the event"),
                    (Cow::Borrowed(&s.state[..]), "the saga's state"),
                ])
            };
            for (j, st) in s.steps.iter().enumerate() {
                let events = || st.events().map(|e| e.as_str()).collect();
                if !st.issue.is_none()
                    && let Some(src) = sources(events())
                {
                    let rest = vec![K("steps"), I(j), K("issue"), K("command")];
                    issue(owner, rest, src, IssueRef::of(&st.issue));
                }
                if let Some(comp) = &st.compensate
                    && let Some(src) = sources(events())
                {
                    let rest = vec![K("steps"), I(j), K("compensate"), K("command")];
                    issue(owner, rest, src, IssueRef::of(comp));
                }
            }
            if let Some(f) = &s.on_failure
                && let Some(src) = sources(vec![s.start.as_str()])
            {
                let rest = vec![K("on_failure"), K("command")];
                issue(owner, rest, src, IssueRef::of(f));
            }
        }
        for (xi, x) in ctx.externals.iter().enumerate() {
            for (j, r) in x.reacts.iter().enumerate() {
                let Some(msg) = fields_of(&r.on, &[Kind::Command, Kind::Event], from) else {
                    continue;
                };
                for (k, o) in r.outcomes.iter().enumerate() {
                    let Some(targets) = fields_of(&o.respond, &[Kind::Event], from) else {
                        continue;
                    };
                    out.push(Site {
                        owner: loc(Kind::External, xi),
                        rest: vec![K("reacts"), I(j), K("outcomes"), I(k), K("respond")],
                        what: format!("event {}", o.respond),
                        targets,
                        set: &o.with,
                        sources: vec![(Cow::Borrowed(msg), "the message")],
                        skip: None,
                    });
                }
            }
        }
    }
    for (ri, r) in model.relations.iter().enumerate() {
        let (up, down) = (c.index.context(&r.upstream), c.index.context(&r.downstream));
        for (j, t) in r.translations.iter().enumerate() {
            let (Some(src), Some(targets)) = (
                fields_of(&t.from, &[Kind::Event], up),
                fields_of(&t.into, &[Kind::Event], down),
            ) else {
                continue;
            };
            out.push(Site {
                owner: Loc {
                    kind: Kind::Relation,
                    context: None,
                    index: ri,
                },
                rest: vec![K("translations"), I(j), K("into")],
                what: format!("event {}", t.into),
                targets,
                set: &t.with,
                sources: vec![(Cow::Borrowed(src), "the upstream event")],
                skip: None,
            });
        }
    }
    out
}

/// A command issued from an event: its name and assignments.
struct IssueRef<'m> {
    command: &'m str,
    with: &'m Assignments,
}

impl<'m> IssueRef<'m> {
    fn of(i: &'m crate::model::saga::Issue) -> Self {
        IssueRef {
            command: &i.command,
            with: &i.with,
        }
    }
}
