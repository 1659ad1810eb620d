//! Every name reference resolves to exactly one element of the right kind; every named
//! field type is a known enum or value object.

use super::Checker;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::field::Field;
use crate::model::refs::visit_refs;
use crate::model::resolve::Resolved;

fn kinds_text(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    names.join(" or ")
}

pub(super) fn check(c: &mut Checker<'_>) {
    let mut found = Vec::new();
    let index = &c.index;
    let model = c.model;
    visit_refs(model, &mut |site, name| {
        let last_key = site.key();
        if name.is_empty() {
            // An event without an owner is allowed (an ACL produces it); a command without a
            // target is reported as not handled (SL011); everything else is required.
            let command_target = last_key == Some("target") && site.owner.kind == Kind::Command;
            if last_key != Some("owner")
                && !command_target
                && !matches!(last_key, Some("upstream" | "downstream"))
            {
                found.push((
                    Code::DanglingReference,
                    Some(site.owner),
                    site.path(),
                    format!("no {} is set here yet", kinds_text(site.kinds)),
                ));
            }
            return;
        }
        if site.kinds == [Kind::Context] {
            if index.context(name).is_none() {
                found.push((
                    Code::DanglingReference,
                    Some(site.owner),
                    site.path(),
                    format!("no context is called `{name}`"),
                ));
            }
            return;
        }
        match index.resolve(name, site.kinds, site.from) {
            Resolved::Found(_) => {}
            Resolved::Missing => {
                let issued = matches!(site.owner.kind, Kind::Policy | Kind::Saga)
                    && site.kinds == [Kind::Command];
                let code = if issued {
                    Code::UnknownIssuedCommand
                } else {
                    Code::DanglingReference
                };
                found.push((
                    code,
                    Some(site.owner),
                    site.path(),
                    format!("no {} is called `{name}`", kinds_text(site.kinds)),
                ));
            }
            Resolved::Ambiguous(ids) => {
                let mut places: Vec<&str> = ids
                    .iter()
                    .filter_map(|i| i.context)
                    .filter_map(|ci| model.contexts.get(ci).map(|c| c.name.as_str()))
                    .collect();
                places.sort();
                places.dedup();
                found.push((
                    Code::AmbiguousReference,
                    Some(site.owner),
                    site.path(),
                    format!(
                        "`{name}` exists in {}; write `{}.{name}`",
                        places.join(" and "),
                        places.first().copied().unwrap_or("Context")
                    ),
                ));
            }
        }
    });
    for (code, owner, path, message) in found {
        let what = owner
            .map(|o| format!("{} {}: ", o.kind, c.name(o)))
            .unwrap_or_default();
        c.push(code, owner, path, format!("{what}{message}"));
    }
    field_types(c);
}

fn field_types(c: &mut Checker<'_>) {
    let model = c.model;
    let mut found = Vec::new();
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let lists: Vec<(Kind, usize, &'static str, &Vec<Field>)> = ctx
            .commands
            .iter()
            .enumerate()
            .map(|(i, e)| (Kind::Command, i, "fields", &e.fields))
            .chain(
                ctx.events
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Kind::Event, i, "fields", &e.fields)),
            )
            .chain(
                ctx.values
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Kind::Value, i, "fields", &e.fields)),
            )
            .chain(
                ctx.aggregates
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Kind::Aggregate, i, "state", &e.state)),
            )
            .chain(
                ctx.read_models
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Kind::ReadModel, i, "columns", &e.columns)),
            )
            .collect();
        for (kind, i, key, fields) in lists {
            let id = Loc {
                kind,
                context: Some(ci),
                index: i,
            };
            for (j, f) in fields.iter().enumerate() {
                if let Some(name) = f.ty.named()
                    && !c.types.knows(name)
                {
                    let path = c.at(
                        id,
                        &[PathSeg::Key(key), PathSeg::Index(j), PathSeg::Key("ty")],
                    );
                    found.push((
                        id,
                        path,
                        format!(
                            "{} {}: field `{}` has type `{}`, which is no enum or value object",
                            kind,
                            c.name(id),
                            f.name,
                            name
                        ),
                    ));
                }
            }
        }
    }
    for (id, path, msg) in found {
        c.push(Code::DanglingReference, Some(id), path, msg);
    }
}
