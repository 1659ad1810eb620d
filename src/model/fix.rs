//! Quick fixes: for the common findings, the change that makes them go away, offered next to
//! the finding in Problems and applied as one undoable edit. A fix is plain data addressed by
//! the element's id, so it still means the same after other edits.

use super::diagnostic::{Code, Diagnostic};
use super::document::Model;
use super::element::{Kind, Loc, PathSeg};
use super::field::{Field, Reserved};
use super::relation::{Pattern, Relation};
use super::ty::Type;
use super::uid::Uid;

/// One quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Name the element (rename it in place on the board).
    Rename {
        /// The element.
        element: Uid,
    },
    /// Give a command or event the id field of the aggregate or external system it goes to.
    AddIdField {
        /// The command or event.
        element: Uid,
        /// The field's name.
        field: String,
    },
    /// Give the aggregate a handler for the command (allowed in every state, no guard).
    AddHandler {
        /// The aggregate.
        aggregate: Uid,
        /// The command's name.
        command: String,
    },
    /// Create the sticky a reference names but that does not exist, next to the element
    /// that refers to it.
    Create {
        /// Its kind.
        kind: Kind,
        /// Its name.
        name: String,
        /// The context it goes into.
        context: Uid,
        /// The element it is placed next to.
        near: Uid,
    },
    /// Give a field whose number is taken (two people added a field at once, say) or
    /// reserved the next free number of its message.
    Renumber {
        /// The command, event or value object.
        element: Uid,
        /// The field.
        field: Uid,
        /// The field's name.
        name: String,
    },
    /// Add the relation to the context map that lets one context's flow reach another.
    AddRelation {
        /// The upstream context.
        upstream: Uid,
        /// The downstream context.
        downstream: Uid,
        /// Its pattern.
        pattern: Pattern,
    },
}

impl Fix {
    /// What it does, as a button says it.
    pub fn label(&self) -> String {
        match self {
            Fix::Rename { .. } => "Name it…".into(),
            Fix::AddIdField { field, .. } => format!("Add field `{field}`"),
            Fix::AddHandler { command, .. } => format!("Add a handler for {command}"),
            Fix::Create { kind, name, .. } => format!("Create {} `{name}`", kind.label()),
            Fix::Renumber { name, .. } => format!("Give `{name}` the next free number"),
            Fix::AddRelation { pattern, .. } => {
                format!("Add a {} relation to the context map", pattern.label())
            }
        }
    }
}

/// The element of `kind` that `name` refers to from context `from`.
fn resolve(model: &Model, name: &str, kind: Kind, from: Option<usize>) -> Option<Loc> {
    let bare = name.split_once('.').map_or(name, |(_, n)| n);
    super::resolve::NameIndex::of_name(model, bare)
        .resolve(name, &[kind], from)
        .found()
}

/// The quick fixes for finding `d` of `model` (none for most findings).
pub fn fixes(model: &Model, d: &Diagnostic) -> Vec<Fix> {
    let Some(loc) = d.element else {
        return vec![];
    };
    let Some(element) = model.uid_at(loc) else {
        return vec![];
    };
    let Some(c) = loc.context.and_then(|ci| model.contexts.get(ci)) else {
        return vec![];
    };
    match (d.code, loc.kind) {
        (Code::PlaceholderName, _) => vec![Fix::Rename { element }],
        (Code::MissingIdField, Kind::Command) => {
            let target = c
                .commands
                .get(loc.index)
                .and_then(|cmd| resolve(model, &cmd.target, Kind::Aggregate, loc.context));
            target
                .and_then(|t| super::connect::handler_id(model, t))
                .map(|field| Fix::AddIdField { element, field })
                .into_iter()
                .collect()
        }
        (Code::MissingIdField, Kind::Event) => {
            let owner = c.events.get(loc.index).and_then(|ev| {
                resolve(model, &ev.owner, Kind::Aggregate, loc.context)
                    .or_else(|| resolve(model, &ev.owner, Kind::External, loc.context))
            });
            owner
                .and_then(|o| super::connect::handler_id(model, o))
                .map(|field| Fix::AddIdField { element, field })
                .into_iter()
                .collect()
        }
        (Code::CommandNotHandled, Kind::Command) => {
            let Some(cmd) = c.commands.get(loc.index) else {
                return vec![];
            };
            resolve(model, &cmd.target, Kind::Aggregate, loc.context)
                .and_then(|t| model.uid_at(t))
                .map(|aggregate| Fix::AddHandler {
                    aggregate,
                    command: cmd.name.clone(),
                })
                .into_iter()
                .collect()
        }
        (Code::DuplicateName | Code::ProtoNameClash, kind) if Kind::STICKIES.contains(&kind) => {
            vec![Fix::Rename { element }]
        }
        (Code::DanglingReference | Code::UnknownIssuedCommand, _) => missing(model, loc, element),
        (Code::MissingRelation, _) => relations(model, loc),
        (Code::BadFieldNumber | Code::ReusesReserved, _) => renumber(model, loc, element, d),
        _ => vec![],
    }
}

/// Renumbering the field a numbering finding points at (its path ends `fields[j].n`).
fn renumber(model: &Model, loc: Loc, element: Uid, d: &Diagnostic) -> Vec<Fix> {
    let [
        ..,
        PathSeg::Key("fields"),
        PathSeg::Index(j),
        PathSeg::Key("n"),
    ] = d.path[..]
    else {
        return vec![];
    };
    let c = loc.context.and_then(|ci| model.contexts.get(ci));
    let fields = match loc.kind {
        Kind::Command => c.and_then(|c| c.commands.get(loc.index)).map(|x| &x.fields),
        Kind::Event => c.and_then(|c| c.events.get(loc.index)).map(|x| &x.fields),
        Kind::Value => c.and_then(|c| c.values.get(loc.index)).map(|x| &x.fields),
        _ => None,
    };
    fields
        .and_then(|f| f.get(j))
        .filter(|f| !f.uid.is_none())
        .map(|f| Fix::Renumber {
            element,
            field: f.uid,
            name: f.name.clone(),
        })
        .into_iter()
        .collect()
}

/// The fields and reserved numbers of the message `loc`.
fn message_fields(model: &mut Model, loc: Loc) -> Option<(&mut Vec<Field>, &[Reserved])> {
    let c = model.contexts.get_mut(loc.context?)?;
    match loc.kind {
        Kind::Command => c
            .commands
            .get_mut(loc.index)
            .map(|x| (&mut x.fields, &x.reserved[..])),
        Kind::Event => c
            .events
            .get_mut(loc.index)
            .map(|x| (&mut x.fields, &x.reserved[..])),
        Kind::Value => c
            .values
            .get_mut(loc.index)
            .map(|x| (&mut x.fields, &x.reserved[..])),
        _ => None,
    }
}

/// Creating what the references of element `loc` name but that does not exist: events and
/// commands, in the context the name says (or the element's own).
fn missing(model: &Model, loc: Loc, element: Uid) -> Vec<Fix> {
    let index = super::resolve::NameIndex::new(model);
    let mut out: Vec<Fix> = Vec::new();
    super::refs::visit_refs(model, &mut |site, r| {
        if site.owner != loc || r.is_empty() {
            return;
        }
        if index.resolve(r, site.kinds, site.from).found().is_some() {
            return;
        }
        let Some(&kind) = site
            .kinds
            .iter()
            .find(|k| matches!(k, Kind::Event | Kind::Command))
        else {
            return;
        };
        let (ctx, name) = match r.split_once('.') {
            Some((c, n)) => (index.context(c), n),
            None => (site.from, r.as_str()),
        };
        let Some(context) = ctx.and_then(|c| model.contexts.get(c)).map(|c| c.uid) else {
            return;
        };
        let fix = Fix::Create {
            kind,
            name: name.to_owned(),
            context,
            near: element,
        };
        if super::ty::is_identifier(name) && !out.contains(&fix) {
            out.push(fix);
        }
    });
    out
}

/// The relations that would let element `loc` reach the other contexts its references lead
/// to, where no relation joins the two contexts yet: events flow from their context down to
/// the consumer's (published language); a command issued into another context makes that
/// context the supplier (customer/supplier).
fn relations(model: &Model, loc: Loc) -> Vec<Fix> {
    let index = super::resolve::NameIndex::new(model);
    let mut out: Vec<Fix> = Vec::new();
    super::refs::visit_refs(model, &mut |site, r| {
        if site.owner != loc {
            return;
        }
        let Some(target) = index.resolve(r, site.kinds, site.from).found() else {
            return;
        };
        let (Some(up), Some(down)) = (target.context, site.from) else {
            return;
        };
        if up == down {
            return;
        }
        let (u, d) = (&model.contexts[up], &model.contexts[down]);
        let joined = model.relations.iter().any(|rel| {
            (rel.upstream == u.name && rel.downstream == d.name)
                || (rel.upstream == d.name && rel.downstream == u.name)
        });
        let pattern = if target.kind == Kind::Command {
            Pattern::CustomerSupplier
        } else {
            Pattern::PublishedLanguage
        };
        let fix = Fix::AddRelation {
            upstream: u.uid,
            downstream: d.uid,
            pattern,
        };
        if !joined && !out.contains(&fix) {
            out.push(fix);
        }
    });
    out
}

/// Applies `fix` to `model` (a `Rename` is the board's to do: it changes nothing here).
/// Returns what was done, or why it could not be.
pub fn apply(model: &mut Model, fix: &Fix) -> Result<String, String> {
    const GONE: &str = "that element no longer exists";
    match fix {
        Fix::Rename { .. } => Ok(String::new()),
        Fix::AddIdField { element, field } => {
            let loc = model.locate(*element).ok_or(GONE)?;
            let c = loc
                .context
                .and_then(|ci| model.contexts.get_mut(ci))
                .ok_or(GONE)?;
            match loc.kind {
                Kind::Command => {
                    let cmd = c.commands.get_mut(loc.index).ok_or(GONE)?;
                    super::connect::ensure_field(&mut cmd.fields, &cmd.reserved, field, &Type::Id);
                    Ok(format!("Added field {field} to {}", cmd.name))
                }
                Kind::Event => {
                    let ev = c.events.get_mut(loc.index).ok_or(GONE)?;
                    super::connect::ensure_field(&mut ev.fields, &ev.reserved, field, &Type::Id);
                    Ok(format!("Added field {field} to {}", ev.name))
                }
                _ => Err("only commands and events get id fields".into()),
            }
        }
        Fix::AddHandler { aggregate, command } => {
            let loc = model.locate(*aggregate).ok_or(GONE)?;
            let a = loc
                .context
                .and_then(|ci| model.contexts.get_mut(ci))
                .and_then(|c| c.aggregates.get_mut(loc.index))
                .ok_or(GONE)?;
            super::connect::handler_for(a, command);
            Ok(format!("{} handles {command}", a.name))
        }
        Fix::Create {
            kind,
            name,
            context,
            near,
        } => {
            let ctx = model
                .locate(*context)
                .filter(|l| l.kind == Kind::Context)
                .ok_or(GONE)?
                .index;
            // To the right of the element that names it (a command left of its policy's
            // event would read backwards; the board's auto-layout tidies either way).
            let at = model
                .locate(*near)
                .and_then(|l| model.pos_of(l))
                .map_or(super::layout::Pos::new(40.0, 40.0), |p| {
                    super::layout::Pos::new(p.x + 220.0, p.y)
                });
            let mut sticky =
                super::access::Sticky::new_of(*kind, name, at).ok_or("not a sticky kind")?;
            sticky.set_uid(Uid::fresh());
            model.insert_sticky(ctx, sticky).ok_or(GONE)?;
            Ok(format!("Created {} {name}", kind.label()))
        }
        Fix::Renumber {
            element,
            field,
            name,
        } => {
            let loc = model.locate(*element).ok_or(GONE)?;
            let (fields, reserved) = message_fields(model, loc).ok_or(GONE)?;
            let n = super::field::next_field_number(fields, reserved);
            let f = fields
                .iter_mut()
                .find(|f| f.uid == *field)
                .ok_or("that field no longer exists")?;
            f.n = n;
            Ok(format!("Field {name} is now number {n}"))
        }
        Fix::AddRelation {
            upstream,
            downstream,
            pattern,
        } => {
            let name = |uid: &Uid| {
                model
                    .locate(*uid)
                    .filter(|l| l.kind == Kind::Context)
                    .and_then(|l| model.contexts.get(l.index))
                    .map(|c| c.name.clone())
                    .ok_or(GONE)
            };
            let (up, down) = (name(upstream)?, name(downstream)?);
            model.relations.push(Relation {
                uid: Uid::fresh(),
                upstream: super::reference::Ref::linked(up.clone(), *upstream),
                downstream: super::reference::Ref::linked(down.clone(), *downstream),
                pattern: *pattern,
                also: Vec::new(),
                doc: String::new(),
                translations: vec![],
            });
            Ok(format!("{up} → {down}: {}", pattern.label()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::access::Sticky;
    use crate::model::layout::Pos;

    fn findings(m: &Model, code: Code) -> Vec<Diagnostic> {
        crate::model::check::check(m)
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    #[test]
    fn each_quick_fix_makes_its_finding_go_away() {
        let mut m = Model::new("t");
        let mut add = |k, n| {
            m.insert_sticky(0, Sticky::new_of(k, n, Pos::default()).unwrap())
                .unwrap()
        };
        let cmd = add(Kind::Command, "PlaceOrder");
        let agg = add(Kind::Aggregate, "Order");
        let ev = add(Kind::Event, "OrderPlaced");
        // Linked by hand, as a file might be: target and owner set, nothing else.
        m.contexts[0].commands[cmd.index].target = "Order".into();
        m.contexts[0].events[ev.index].owner = "Order".into();
        let _ = agg;
        for code in [Code::MissingIdField, Code::CommandNotHandled] {
            let found = findings(&m, code);
            assert!(!found.is_empty(), "{code:?}");
            for d in found {
                let fixes = fixes(&m, &d);
                assert_eq!(fixes.len(), 1, "{}", d.message);
                apply(&mut m, &fixes[0]).unwrap();
            }
            assert!(findings(&m, code).is_empty(), "{code:?} fixed");
        }
        assert_eq!(m.contexts[0].commands[0].fields[0].name, "id");
        assert_eq!(m.contexts[0].events[0].fields[0].name, "id");
        assert_eq!(m.contexts[0].aggregates[0].handlers[0].on, "PlaceOrder");
        // A placeholder's fix is the board's rename.
        let mut m = Model::new("t");
        let loc = m
            .insert_sticky(
                0,
                Sticky::new_of(Kind::Event, "SomethingHappened", Pos::default()).unwrap(),
            )
            .unwrap();
        let d = &findings(&m, Code::PlaceholderName)[0];
        assert_eq!(
            fixes(&m, d),
            [Fix::Rename {
                element: m.uid_at(loc).unwrap()
            }]
        );
    }

    #[test]
    fn a_taken_or_reserved_field_number_is_replaced_by_the_next_free_one() {
        let mut m = Model::new("t");
        let ev = m
            .insert_sticky(
                0,
                Sticky::new_of(Kind::Event, "OrderPlaced", Pos::default()).unwrap(),
            )
            .unwrap();
        let field = |n: u32, name: &str| Field {
            uid: Uid::fresh(),
            n,
            name: name.into(),
            ty: Type::String,
            doc: String::new(),
        };
        let e = &mut m.contexts[0].events[ev.index];
        // Two people added a field at once (both took 2), and one reuses a removed field's 5.
        e.fields = vec![field(1, "id"), field(2, "currency"), field(2, "note")];
        e.fields.push(field(5, "total"));
        e.reserved = vec![Reserved {
            n: 5,
            name: "amount".into(),
        }];
        for code in [Code::BadFieldNumber, Code::ReusesReserved] {
            let found = findings(&m, code);
            assert_eq!(found.len(), 1, "{code:?}");
            let fixes = fixes(&m, &found[0]);
            assert_eq!(fixes.len(), 1, "{}", found[0].message);
            apply(&mut m, &fixes[0]).unwrap();
            assert!(findings(&m, code).is_empty(), "{code:?} fixed");
        }
        let numbers: Vec<u32> = m.contexts[0].events[ev.index]
            .fields
            .iter()
            .map(|f| f.n)
            .collect();
        assert_eq!(
            numbers,
            [1, 2, 6, 7],
            "the later one of the pair moves; nothing else"
        );
    }

    #[test]
    fn missing_elements_are_created_and_a_missing_relation_added() {
        let mut m = Model::new("t");
        let pol = m
            .insert_sticky(
                0,
                Sticky::new_of(Kind::Policy, "ShipWhenPaid", Pos::new(100.0, 100.0)).unwrap(),
            )
            .unwrap();
        m.contexts[0].policies[pol.index].on = "OrderPaid".into();
        m.contexts[0].policies[pol.index].then = "ShipOrder".into();
        m.assign_ids();
        for code in [Code::DanglingReference, Code::UnknownIssuedCommand] {
            for d in findings(&m, code) {
                for fix in fixes(&m, &d) {
                    assert!(matches!(fix, Fix::Create { .. }), "{fix:?}");
                    apply(&mut m, &fix).unwrap();
                }
            }
        }
        let c = &m.contexts[0];
        assert_eq!(
            c.events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["OrderPaid"]
        );
        assert_eq!(
            c.commands
                .iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>(),
            ["ShipOrder"]
        );
        assert!(findings(&m, Code::DanglingReference).is_empty());
        assert!(findings(&m, Code::UnknownIssuedCommand).is_empty());
        // Placed to the right of the policy.
        assert_eq!(c.events[0].at, Pos::new(320.0, 100.0));

        // A read model in another context consumes the event: the relation is one click.
        m.contexts.push(crate::model::BoundedContext {
            uid: Uid::fresh(),
            name: "Reporting".into(),
            ..Default::default()
        });
        let rm = m
            .insert_sticky(
                1,
                Sticky::new_of(Kind::ReadModel, "Sales", Pos::default()).unwrap(),
            )
            .unwrap();
        m.contexts[1].read_models[rm.index]
            .rules
            .push(crate::model::Rule {
                on: "Core.OrderPaid".into(),
                for_each: None,
                key: "event.id".into(),
                action: crate::model::RuleAction::Delete,
            });
        m.contexts[0].events[0].published = true;
        let found = findings(&m, Code::MissingRelation);
        assert_eq!(found.len(), 1);
        let fix = fixes(&m, &found[0]);
        assert_eq!(fix.len(), 1);
        assert!(matches!(
            fix[0],
            Fix::AddRelation {
                pattern: Pattern::PublishedLanguage,
                ..
            }
        ));
        apply(&mut m, &fix[0]).unwrap();
        assert!(findings(&m, Code::MissingRelation).is_empty());
        assert_eq!(m.relations[0].upstream, "Core");
        assert_eq!(m.relations[0].downstream, "Reporting");
    }

    #[test]
    fn a_name_clash_is_fixed_by_renaming() {
        let mut m = Model::new("t");
        for _ in 0..2 {
            m.insert_sticky(
                0,
                Sticky::new_of(Kind::Event, "OrderPlaced", Pos::default()).unwrap(),
            )
            .unwrap();
        }
        m.assign_ids();
        let d = &findings(&m, Code::DuplicateName)[0];
        assert!(matches!(fixes(&m, d)[..], [Fix::Rename { .. }]));
    }
}
