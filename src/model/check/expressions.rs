//! Every expression in the model compiles against the names in its scope, with the type its
//! place expects (guards are bools, assignments have their field's type, targets are ids).

use super::Checker;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::expr::{Expr, Scope, Span};
use crate::model::scenario::{Expect, Gen, Step};
use crate::model::scopes::{
    applier_scope, common_fields, constant_scope, event_scope, fan_out, fan_out_parts,
    handler_scope, message_scope, row_scope, saga_scope,
};
use crate::model::ty::Type;
use crate::model::{Aggregate, Command, Event, Field, Model, ReadModel, RuleAction, Saga};

use PathSeg::{Index as I, Key as K, MapKey as M};

fn field_ty(fields: &[Field], name: &str) -> Option<Type> {
    fields.iter().find(|f| f.name == name).map(|f| f.ty.clone())
}

struct Sites<'a, 'm> {
    c: &'a mut Checker<'m>,
    /// Said after an unknown `event` field's error (a saga join's: what its events share).
    event_hint: Option<String>,
}

impl<'m> Sites<'_, 'm> {
    fn compile(
        &mut self,
        owner: Loc,
        rest: Vec<PathSeg>,
        src: &str,
        scope: &Scope,
        expected: Option<&Type>,
    ) {
        match Expr::compile(src, scope, &self.c.types, expected) {
            Ok(e) => self.lookups_across(owner, rest, &e),
            Err(errors) => {
                for e in errors {
                    self.error(owner, rest.clone(), &e.message, src, e.span);
                }
            }
        }
    }

    /// A lookup of another context's read model or aggregate needs a relation between the
    /// two contexts; an aggregate's decision cannot look up its own aggregate.
    fn lookups_across(&mut self, owner: Loc, rest: Vec<PathSeg>, e: &Expr) {
        let model = self.c.model;
        for t in e.tables() {
            let aggregate = self.c.types.table_aggregate(t);
            if owner.kind == Kind::Aggregate && aggregate == owner.context.map(|c| (c, owner.index))
            {
                let bare = (owner.context.and_then(|c| model.contexts.get(c)))
                    .and_then(|c| c.aggregates.get(owner.index))
                    .map_or("", |a| a.name.as_str());
                let message = format!(
                    "aggregate {}: a decision reads its own instance as `state`; another \
                     {bare} cannot be looked up while one decides (each instance decides \
                     alone): read a read model of them instead (in `{}`)",
                    self.c.name(owner),
                    e.source()
                );
                let path = self.c.at(owner, &rest);
                let code = Code::ExpressionError;
                self.c.push(code, Some(owner), path, message);
                continue;
            }
            let (Some(theirs), Some(ours)) = (self.c.types.table_context(t), owner.context) else {
                continue;
            };
            let related = model.relations.iter().any(|r| {
                let ends = (
                    self.c.index.context(&r.upstream),
                    self.c.index.context(&r.downstream),
                );
                ends == (Some(ours), Some(theirs)) || ends == (Some(theirs), Some(ours))
            });
            if theirs == ours || related {
                continue;
            }
            let name = |ci: usize| model.contexts.get(ci).map_or("", |c| c.name.as_str());
            let message = format!(
                "{} {} looks up {} of {}, but no relation links {} and {}: draw the relation \
                 that lets it read that context's data",
                owner.kind,
                self.c.name(owner),
                if aggregate.is_some() {
                    "an aggregate"
                } else {
                    "a read model"
                },
                name(theirs),
                name(ours),
                name(theirs)
            );
            let path = self.c.at(owner, &rest);
            self.c
                .push(Code::LookupAcrossContexts, Some(owner), path, message);
        }
    }

    /// An expression error at `span` of the text `src` at `rest`.
    fn error(&mut self, owner: Loc, rest: Vec<PathSeg>, message: &str, src: &str, span: Span) {
        let mut path = owner.path();
        path.extend(rest);
        let who = format!("{} {}", owner.kind, self.c.name(owner));
        let hint = match &self.event_hint {
            Some(h) if message.contains("`event.") => format!("; {h}"),
            _ => String::new(),
        };
        self.c.out.push(Diagnostic {
            code: Code::ExpressionError,
            severity: Code::ExpressionError.severity(),
            message: format!("{who}: {message}{hint} (in `{src}`)"),
            element: Some(owner),
            path,
            span: Some(span),
        });
    }

    /// The scope of a fan-out's command (a policy's, a saga step's, the fan-out at `path`):
    /// `scope` and the element of `text` (`line in event.lines`); None when it is wrong.
    fn fan_out(
        &mut self,
        owner: Loc,
        path: Vec<PathSeg>,
        text: &str,
        scope: &Scope,
    ) -> Option<Scope> {
        match fan_out(text, scope, &self.c.types) {
            Ok((_, scope)) => Some(scope),
            Err(e) => {
                self.error(owner, path, &e.message, text, e.span);
                None
            }
        }
    }

    fn event(&self, name: &str, from: Option<usize>) -> Option<&'m Event> {
        let id = self.c.index.resolve(name, &[Kind::Event], from).found()?;
        self.c.model.contexts.get(id.context?)?.events.get(id.index)
    }

    fn command(&self, name: &str, from: Option<usize>) -> Option<&'m Command> {
        let id = self.c.index.resolve(name, &[Kind::Command], from).found()?;
        self.c
            .model
            .contexts
            .get(id.context?)?
            .commands
            .get(id.index)
    }

    fn fields_of_message(&self, name: &str, from: Option<usize>) -> Option<&'m [Field]> {
        let id = self
            .c
            .index
            .resolve(name, &[Kind::Command, Kind::Event], from)
            .found()?;
        let ctx = self.c.model.contexts.get(id.context?)?;
        match id.kind {
            Kind::Command => ctx.commands.get(id.index).map(|x| x.fields.as_slice()),
            _ => ctx.events.get(id.index).map(|x| x.fields.as_slice()),
        }
    }

    /// A command issued from an event: target and field assignments.
    fn issue(
        &mut self,
        owner: Loc,
        rest: Vec<PathSeg>,
        scope: &Scope,
        command: &str,
        target: Option<&String>,
        with: &crate::model::Assignments,
    ) {
        let cmd = self.command(command, owner.context);
        if let Some(t) = target {
            let mut p = rest.clone();
            p.push(K("target"));
            self.compile(owner, p, t, scope, Some(&Type::Id));
        }
        for (k, v) in with {
            let mut p = rest.clone();
            p.extend([K("with"), M(k.clone())]);
            let want = cmd.and_then(|c| field_ty(&c.fields, k));
            self.compile(owner, p, v, scope, want.as_ref());
        }
    }
}

pub(super) fn check(c: &mut Checker<'_>) {
    let model: &Model = c.model;
    let mut s = Sites {
        c,
        event_hint: None,
    };
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let from = Some(ci);
        let id = |kind, index| Loc {
            kind,
            context: from,
            index,
        };
        for (ai, a) in ctx.aggregates.iter().enumerate() {
            aggregate(&mut s, id(Kind::Aggregate, ai), a, from);
        }
        for (pi, p) in ctx.policies.iter().enumerate() {
            let pid = id(Kind::Policy, pi);
            let Some(ev) = s.event(&p.on, from) else {
                continue;
            };
            if let Some(after) = &p.after {
                let rest = vec![K("after")];
                s.compile(pid, rest, after, &event_scope(ev), Some(&Type::Duration));
            }
            let scope = event_scope(ev).with_lookups();
            if let Some(w) = &p.when {
                s.compile(pid, vec![K("when")], w, &scope, Some(&Type::Bool));
            }
            let scope = match &p.for_each {
                None => scope,
                Some(text) => match s.fan_out(pid, vec![K("for_each")], text, &scope) {
                    Some(scope) => scope,
                    None => continue,
                },
            };
            s.issue(pid, vec![], &scope, &p.then, p.target.as_ref(), &p.with);
        }
        for (si, sg) in ctx.sagas.iter().enumerate() {
            saga(&mut s, id(Kind::Saga, si), sg, from);
        }
        for (ri, rm) in ctx.read_models.iter().enumerate() {
            read_model(&mut s, id(Kind::ReadModel, ri), rm, from);
        }
        for (xi, x) in ctx.externals.iter().enumerate() {
            let xid = id(Kind::External, xi);
            for (j, r) in x.reacts.iter().enumerate() {
                let Some(msg) = s.fields_of_message(&r.on, from) else {
                    continue;
                };
                let scope = message_scope(msg);
                for (k, o) in r.outcomes.iter().enumerate() {
                    if let Some(w) = &o.when {
                        s.compile(
                            xid,
                            vec![K("reacts"), I(j), K("outcomes"), I(k), K("when")],
                            w,
                            &scope,
                            Some(&Type::Bool),
                        );
                    }
                    let ev = s.event(&o.respond, from);
                    for (f, v) in &o.with {
                        let want = ev.and_then(|e| field_ty(&e.fields, f));
                        s.compile(
                            xid,
                            vec![
                                K("reacts"),
                                I(j),
                                K("outcomes"),
                                I(k),
                                K("with"),
                                M(f.clone()),
                            ],
                            v,
                            &scope,
                            want.as_ref(),
                        );
                    }
                }
            }
        }
    }
    for (ri, r) in model.relations.iter().enumerate() {
        let rid = Loc {
            kind: Kind::Relation,
            context: None,
            index: ri,
        };
        for (j, t) in r.translations.iter().enumerate() {
            let (Some(from), into) = (
                s.event(&t.from, s.c.index.context(&r.upstream)),
                s.event(&t.into, s.c.index.context(&r.downstream)),
            ) else {
                continue;
            };
            let scope = event_scope(from);
            for (f, v) in &t.with {
                let want = into.and_then(|e| field_ty(&e.fields, f));
                s.compile(
                    rid,
                    vec![K("translations"), I(j), K("with"), M(f.clone())],
                    v,
                    &scope,
                    want.as_ref(),
                );
            }
        }
    }
    scenarios(&mut s, model);
}

/// A saga's expressions, each over its event, `now`, the read models and the saga's `state`;
/// a join's over the fields its events have in common.
fn saga(s: &mut Sites<'_, '_>, sid: Loc, sg: &Saga, from: Option<usize>) {
    let scope_of =
        |s: &Sites<'_, '_>, name: &str| s.event(name, from).map(|ev| saga_scope(&ev.fields, sg));
    if let (Some(f), Some(scope)) = (&sg.on_failure, scope_of(s, &sg.start)) {
        s.issue(
            sid,
            vec![K("on_failure")],
            &scope,
            &f.command,
            f.target.as_ref(),
            &f.with,
        );
    }
    for (j, d) in sg.deadlines.iter().enumerate() {
        if let (Some(at), Some(scope)) = (&d.at, scope_of(s, &d.from)) {
            let rest = vec![K("deadlines"), I(j), K("at")];
            s.compile(sid, rest, at, &scope, Some(&Type::Timestamp));
        }
    }
    for (j, end) in sg.ends.iter().enumerate() {
        if let (Some(w), Some(scope)) = (&end.when, scope_of(s, &end.on)) {
            let rest = vec![K("ends"), I(j), K("when")];
            s.compile(sid, rest, w, &scope, Some(&Type::Bool));
        }
    }
    for (j, st) in sg.steps.iter().enumerate() {
        let events: Option<Vec<&Event>> = st.events().map(|e| s.event(e, from)).collect();
        let Some(events) = events else {
            continue;
        };
        let fields: Vec<&[Field]> = events.iter().map(|e| &e.fields[..]).collect();
        let scope = saga_scope(&common_fields(&fields), sg);
        s.event_hint = (events.len() > 1).then(|| {
            "a join reads only the fields all its events have (keep the others in the saga's \
             `state` with a step's `set`)"
                .to_owned()
        });
        let at = |key| vec![K("steps"), I(j), K(key)];
        if let Some(w) = &st.when {
            s.compile(sid, at("when"), w, &scope, Some(&Type::Bool));
        }
        for (name, v) in &st.set {
            let want = field_ty(&sg.state, name);
            let mut rest = at("set");
            rest.push(M(name.clone()));
            s.compile(sid, rest, v, &scope, want.as_ref());
        }
        // A timer: a duration over the step's scope; it needs a command, and cannot be
        // compensated (its command may not have fired when the saga fails).
        match &st.after {
            Some(after) if st.issue.is_none() => {
                let why = "a timer issues the step's command later: name the command, or \
                           remove `after`";
                s.error(sid, at("after"), why, after, 0..after.len());
            }
            Some(after) if st.compensate.is_some() => {
                let why = "a timed step cannot be compensated (its command may not have been \
                           issued when the saga fails): remove `compensate` or `after`";
                s.error(sid, at("after"), why, after, 0..after.len());
            }
            Some(after) => s.compile(sid, at("after"), after, &scope, Some(&Type::Duration)),
            None if !st.unless.is_empty() => {
                let why = "`unless` cancels a timer: give the step an `after`";
                let first = st.unless[0].as_str();
                let mut path = at("unless");
                path.push(I(0));
                s.error(sid, path, why, first, 0..first.len());
            }
            None => {}
        }
        // A fan-out's element is in scope for the command and its compensation.
        let scope = match &st.for_each {
            None => Some(scope),
            Some(text) if st.issue.is_none() => {
                let why = "a fan-out issues one command per element: name the command the step \
                           issues, or remove `for_each`";
                s.error(sid, at("for_each"), why, text, 0..text.len());
                None
            }
            Some(text) => s.fan_out(sid, at("for_each"), text, &scope),
        };
        if let Some(scope) = scope {
            if !st.issue.is_none() {
                let i = &st.issue;
                s.issue(
                    sid,
                    at("issue"),
                    &scope,
                    &i.command,
                    i.target.as_ref(),
                    &i.with,
                );
            }
            if let Some(i) = &st.compensate {
                s.issue(
                    sid,
                    at("compensate"),
                    &scope,
                    &i.command,
                    i.target.as_ref(),
                    &i.with,
                );
            }
        }
        s.event_hint = None;
    }
}

fn aggregate(s: &mut Sites<'_, '_>, aid: Loc, a: &Aggregate, from: Option<usize>) {
    for (hi, h) in a.handlers.iter().enumerate() {
        let Some(cmd) = s.command(&h.on, from) else {
            continue;
        };
        let scope = handler_scope(cmd, a);
        for (gi, g) in h.guards.iter().enumerate() {
            s.compile(
                aid,
                vec![K("handlers"), I(hi), K("guards"), I(gi), K("expr")],
                &g.expr,
                &scope,
                Some(&Type::Bool),
            );
        }
        for (bi, b) in h.branches.iter().enumerate() {
            if let Some(when) = &b.when {
                s.compile(
                    aid,
                    vec![K("handlers"), I(hi), K("branches"), I(bi), K("when")],
                    when,
                    &scope,
                    Some(&Type::Bool),
                );
            }
        }
        for (site, em) in h.emit_sites() {
            let ev = s.event(&em.event, from);
            for (f, v) in &em.set {
                let want = ev.and_then(|e| field_ty(&e.fields, f));
                let mut path = vec![K("handlers"), I(hi)];
                path.extend(site.iter().cloned());
                path.extend([K("set"), M(f.clone())]);
                s.compile(aid, path, v, &scope, want.as_ref());
            }
        }
        for (k, sc) in h.schedule.iter().enumerate() {
            schedule(s, aid, (hi, k), sc, &scope, h.emits_nothing());
        }
    }
    for (pi, ap) in a.appliers.iter().enumerate() {
        let Some(ev) = s.event(&ap.on, from) else {
            continue;
        };
        let scope = applier_scope(ev, a);
        for (f, v) in &ap.set {
            let want = field_ty(&a.state, f);
            s.compile(
                aid,
                vec![K("appliers"), I(pi), K("set"), M(f.clone())],
                v,
                &scope,
                want.as_ref(),
            );
        }
    }
}

/// A handler's scheduled command `(handler, k)`: `after` or `at` (one of them, typed), and
/// the command over the handler's names; a handler that emits nothing never arms it.
fn schedule(
    s: &mut Sites<'_, '_>,
    aid: Loc,
    (hi, k): (usize, usize),
    sc: &crate::model::Schedule,
    scope: &Scope,
    emits_nothing: bool,
) {
    let at = |rest: &[PathSeg]| {
        let mut p = vec![K("handlers"), I(hi), K("schedule"), I(k)];
        p.extend_from_slice(rest);
        p
    };
    let command = sc.issue.command.as_str();
    let at_command = |s: &mut Sites<'_, '_>, why: &str| {
        s.error(
            aid,
            at(&[K("issue"), K("command")]),
            why,
            command,
            0..command.len(),
        );
    };
    match (&sc.after, &sc.at) {
        (Some(after), None) => {
            s.compile(aid, at(&[K("after")]), after, scope, Some(&Type::Duration))
        }
        (None, Some(when)) => s.compile(aid, at(&[K("at")]), when, scope, Some(&Type::Timestamp)),
        (Some(_), Some(when)) => {
            let why = "a scheduled command is issued either `after` a duration or `at` a \
                       moment: remove one of them";
            s.error(aid, at(&[K("at")]), why, when, 0..when.len());
        }
        (None, None) => {
            let why = "a scheduled command needs `after` (a duration, `days(30)`) or `at` (a \
                       moment, `add_months(now, 1)`)";
            at_command(s, why);
        }
    }
    if emits_nothing {
        let why = "a schedule is armed by the events its handler emits, and this handler emits \
                   none: emit an event, or issue the command from a policy";
        at_command(s, why);
    }
    s.issue(
        aid,
        at(&[K("issue")]),
        scope,
        command,
        sc.issue.target.as_ref(),
        &sc.issue.with,
    );
}

fn read_model(s: &mut Sites<'_, '_>, rid: Loc, rm: &ReadModel, from: Option<usize>) {
    let key_ty = field_ty(&rm.columns, &rm.key);
    for (j, rule) in rm.rules.iter().enumerate() {
        let Some(ev) = s.event(&rule.on, from) else {
            continue;
        };
        // A fan-out adds its element after the roots of each scope.
        let item = match &rule.for_each {
            None => None,
            Some(text) => match fan_out_parts(text, &event_scope(ev), &s.c.types) {
                Ok((_, name, ty)) => Some((name, ty)),
                Err(e) => {
                    let rest = vec![K("rules"), I(j), K("for_each")];
                    s.error(rid, rest, &e.message, text, e.span);
                    continue;
                }
            },
        };
        s.compile(
            rid,
            vec![K("rules"), I(j), K("key")],
            &rule.key,
            &event_scope(ev).with_element(item.as_ref()),
            key_ty.as_ref(),
        );
        if let RuleAction::Upsert(set) = &rule.action {
            let scope = row_scope(ev, rm).with_element(item.as_ref());
            for (f, v) in set {
                let want = field_ty(&rm.columns, f);
                s.compile(
                    rid,
                    vec![K("rules"), I(j), K("action"), K("Upsert"), M(f.clone())],
                    v,
                    &scope,
                    want.as_ref(),
                );
            }
        }
    }
}

fn scenarios(s: &mut Sites<'_, '_>, model: &Model) {
    let constants = constant_scope();
    for (si, sc) in model.scenarios.iter().enumerate() {
        let sid = Loc {
            kind: Kind::Scenario,
            context: None,
            index: si,
        };
        for (j, g) in sc.given.iter().enumerate() {
            let ev = s.event(&g.event, None);
            for (f, v) in &g.fields {
                let want = ev.and_then(|e| field_ty(&e.fields, f));
                s.compile(
                    sid,
                    vec![K("given"), I(j), K("fields"), M(f.clone())],
                    v,
                    &constants,
                    want.as_ref(),
                );
            }
        }
        for (j, step) in sc.when.iter().enumerate() {
            match step {
                Step::Command {
                    command, fields, ..
                } => {
                    let cmd = s.command(command, None);
                    for (f, v) in fields {
                        let want = cmd.and_then(|c| field_ty(&c.fields, f));
                        s.compile(
                            sid,
                            vec![K("when"), I(j), K("fields"), M(f.clone())],
                            v,
                            &constants,
                            want.as_ref(),
                        );
                    }
                }
                Step::Load {
                    command, fields, ..
                } => {
                    let cmd = s.command(command, None);
                    for (f, g) in fields {
                        let want = cmd.and_then(|c| field_ty(&c.fields, f));
                        let path = vec![K("when"), I(j), K("fields"), M(f.clone())];
                        match g {
                            Gen::Expr(v) => s.compile(sid, path, v, &constants, want.as_ref()),
                            Gen::Uniform(lo, hi) => {
                                for v in [lo, hi] {
                                    s.compile(sid, path.clone(), v, &constants, want.as_ref());
                                }
                            }
                            Gen::OneOf(vs) => {
                                for v in vs {
                                    s.compile(sid, path.clone(), v, &constants, want.as_ref());
                                }
                            }
                        }
                    }
                }
                Step::Redrive { .. } => {}
            }
        }
        for (j, ex) in sc.then.iter().enumerate() {
            let path = |k: &'static str| vec![K("then"), I(j), K(k)];
            match ex {
                Expect::Emitted {
                    event,
                    filter: Some(w),
                    ..
                } => {
                    if let Some(ev) = s.event(event, None) {
                        s.compile(sid, path("where"), w, &event_scope(ev), Some(&Type::Bool));
                    }
                }
                Expect::Row {
                    read_model,
                    key,
                    columns,
                    ..
                } => {
                    let rm = s
                        .c
                        .index
                        .resolve(read_model, &[Kind::ReadModel], None)
                        .found()
                        .and_then(|id| model.contexts.get(id.context?)?.read_models.get(id.index));
                    let key_ty = rm.and_then(|r| field_ty(&r.columns, &r.key));
                    s.compile(sid, path("key"), key, &constants, key_ty.as_ref());
                    for (f, v) in columns {
                        let want = rm.and_then(|r| field_ty(&r.columns, f));
                        s.compile(
                            sid,
                            vec![K("then"), I(j), K("columns"), M(f.clone())],
                            v,
                            &constants,
                            want.as_ref(),
                        );
                    }
                }
                Expect::State { id, .. } => {
                    s.compile(sid, path("id"), id, &constants, Some(&Type::Id))
                }
                Expect::Saga { correlation, .. } => {
                    s.compile(sid, path("correlation"), correlation, &constants, None)
                }
                _ => {}
            }
        }
    }
}
