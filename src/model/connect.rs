//! Creating elements and links the way a board does: a new sticky of a kind, and what drawing
//! an arrow from one sticky to another means in the model (or why it is not allowed).

use std::collections::BTreeMap;

use super::access::Sticky;
use super::document::Model;
use super::element::{Kind, Loc};
use super::layout::Pos;
use super::uid::Uid;
use super::{
    Actor, Aggregate, Command, Emit, Event, ExternalSystem, Handler, HotSpot, Outcome, Policy,
    Reaction, ReadModel, Rule, RuleAction, Saga, SagaEnd,
};

impl Sticky {
    /// A new, minimal element of `kind` called `name` at `at` (None for non-sticky kinds).
    pub fn new_of(kind: Kind, name: &str, at: Pos) -> Option<Sticky> {
        let name = name.to_owned();
        let mut sticky = match kind {
            Kind::Actor => Sticky::Actor(Actor {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                at,
            }),
            Kind::Command => Sticky::Command(Command {
                uid: Uid::NONE,
                name,
                contract: String::new(),
                doc: String::new(),
                target: String::new().into(),
                actors: vec![],
                fields: vec![],
                reserved: vec![],
                at,
            }),
            Kind::Aggregate => Sticky::Aggregate(Aggregate {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                id: "id".into(),
                state: vec![],
                lifecycle: vec!["New".into()],
                handlers: vec![],
                appliers: vec![],
                invariants: vec![],
                at,
            }),
            Kind::Event => Sticky::Event(Event {
                uid: Uid::NONE,
                name,
                n: 0,
                contract: String::new(),
                doc: String::new(),
                owner: String::new().into(),
                stream_key: String::new(),
                published: false,
                withdrawn: false,
                fields: vec![],
                reserved: vec![],
                at,
            }),
            Kind::Policy => Sticky::Policy(Policy {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                on: String::new().into(),
                when: None,
                for_each: None,
                after: None,
                unless: Vec::new(),
                then: String::new().into(),
                target: None,
                with: BTreeMap::new(),
                delivery: Default::default(),
                at,
            }),
            Kind::Saga => Sticky::Saga(Saga {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                correlation: "id".into(),
                start: String::new().into(),
                state: vec![],
                steps: vec![],
                deadlines: vec![],
                ends: vec![],
                on_failure: None,
                delivery: Default::default(),
                invariants: vec![],
                at,
            }),
            Kind::ReadModel => Sticky::ReadModel(ReadModel {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                columns: vec![super::Field {
                    uid: Uid::NONE,
                    n: 1,
                    name: "id".into(),
                    ty: super::Type::Id,
                    doc: String::new(),
                }],
                key: "id".into(),
                rules: vec![],
                delivery: Default::default(),
                invariants: vec![],
                at,
            }),
            Kind::External => Sticky::External(ExternalSystem {
                uid: Uid::NONE,
                name,
                doc: String::new(),
                id: "id".into(),
                reacts: vec![],
                delivery: Default::default(),
                at,
            }),
            Kind::HotSpot => Sticky::HotSpot(HotSpot {
                uid: Uid::NONE,
                text: name,
                at,
            }),
            _ => return None,
        };
        sticky.renew_ids();
        Some(sticky)
    }
}

/// A name not yet used in context `context`: `base`, else `base2`, `base3`, …
pub fn unique_name(model: &Model, context: usize, base: &str) -> String {
    let taken = |n: &str| {
        model
            .elements()
            .iter()
            .any(|e| e.loc.context == Some(context) && e.name == n)
    };
    if !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned())
}

/// How `to` is referred to from `from`'s context: bare when in the same context, else `Ctx.Name`.
fn reference(model: &Model, from: Loc, to: Loc) -> Option<String> {
    let name = model.name_of(to)?;
    if from.context == to.context {
        Some(name.to_owned())
    } else {
        let ctx = model.contexts.get(to.context?)?;
        Some(format!("{}.{}", ctx.name, name))
    }
}

fn c(model: &mut Model, ci: usize) -> Result<&mut super::BoundedContext, String> {
    model
        .contexts
        .get_mut(ci)
        .ok_or_else(|| "no such context".to_string())
}

/// The id field of the aggregate or external system at `loc` (the field that names one
/// instance: its stream key).
pub(super) fn handler_id(model: &Model, loc: Loc) -> Option<String> {
    let c = model.contexts.get(loc.context?)?;
    match loc.kind {
        Kind::Aggregate => c.aggregates.get(loc.index).map(|a| a.id.clone()),
        Kind::External => c.externals.get(loc.index).map(|x| x.id.clone()),
        _ => None,
    }
}

/// Gives `fields` a field `name` of type `ty` unless it has one (with the next stable number).
pub(super) fn ensure_field(
    fields: &mut Vec<super::Field>,
    reserved: &[super::field::Reserved],
    name: &str,
    ty: &super::Type,
) {
    if name.is_empty() || fields.iter().any(|f| f.name == name) {
        return;
    }
    let n = super::field::next_field_number(fields, reserved);
    fields.push(super::Field {
        uid: Uid::fresh(),
        n,
        name: name.to_owned(),
        ty: ty.clone(),
        doc: String::new(),
    });
}

/// The aggregate's handler of command `on`, added (allowed in every state, no guard) when it
/// has none.
pub(super) fn handler_for<'a>(a: &'a mut Aggregate, on: &str) -> &'a mut Handler {
    let i = match a.handlers.iter().position(|h| h.on == on) {
        Some(i) => i,
        None => {
            a.handlers.push(Handler::new(on));
            a.handlers.len() - 1
        }
    };
    &mut a.handlers[i]
}

/// Makes `handler` emit `event` (same-named fields copied) unless it does.
fn emit(handler: &mut Handler, event: &str) {
    if !handler.all_emits().any(|e| e.event == event) {
        handler.emit.push(Emit {
            event: event.to_owned().into(),
            set: BTreeMap::new(),
        });
    }
}

/// Gives the aggregate an applier of `event` (same-named state fields copied) unless it has one.
fn apply(a: &mut Aggregate, event: &str) {
    if !a.appliers.iter().any(|ap| ap.on == event) {
        a.appliers.push(super::Applier {
            on: event.to_owned().into(),
            set: BTreeMap::new(),
            to: None,
        });
    }
}

/// Draws the arrow `from → to`: changes the model so that the link exists, or says why such a
/// link is not allowed. Returns a short description of what was linked.
pub fn connect(model: &mut Model, from: Loc, to: Loc) -> Result<String, String> {
    if from == to {
        return Err("a sticky cannot be linked to itself".into());
    }
    let to_ref = reference(model, from, to).ok_or("the target no longer exists")?;
    let from_ref = reference(model, to, from).ok_or("the source no longer exists")?;
    let from_ctx = from.context.ok_or("only stickies can be linked")?;
    let to_ctx = to.context.ok_or("only stickies can be linked")?;
    use Kind::*;
    match (from.kind, to.kind) {
        (Actor, Command) => {
            let cmd = c(model, to_ctx)?
                .commands
                .get_mut(to.index)
                .ok_or("no such command")?;
            if !cmd.actors.iter().any(|a| *a == from_ref) {
                cmd.actors.push(from_ref.into());
            }
            Ok(format!("{} issues {}", model.name_of(from).unwrap_or(""), to_ref))
        }
        (Command, Aggregate | External) => {
            let cmd_name = model.name_of(from).unwrap_or_default().to_owned();
            let id = handler_id(model, to).ok_or("the target no longer exists")?;
            let cmd = c(model, from_ctx)?
                .commands
                .get_mut(from.index)
                .ok_or("no such command")?;
            cmd.target = to_ref.clone().into();
            // The command says which instance it is for.
            ensure_field(&mut cmd.fields, &cmd.reserved, &id, &super::Type::Id);
            if to.kind == Aggregate && from.context == to.context {
                let a = c(model, to_ctx)?
                    .aggregates
                    .get_mut(to.index)
                    .ok_or("no such aggregate")?;
                handler_for(a, &cmd_name);
            }
            Ok(format!("handled by {to_ref}"))
        }
        (Command, Event) => {
            let cmd_name = model.name_of(from).unwrap_or_default().to_owned();
            let target = c(model, from_ctx)?
                .commands
                .get(from.index)
                .map(|c| c.target.clone())
                .unwrap_or_default();
            let index = super::NameIndex::new(model);
            let agg = index
                .resolve(&target, &[Aggregate], Some(from_ctx))
                .found()
                .ok_or("link the command to its aggregate first; the aggregate's handler emits the event")?;
            if agg.context != to.context {
                return Err("an aggregate can only emit events of its own context".into());
            }
            let agg_name = model.name_of(agg).unwrap_or_default().to_owned();
            let event_name = model.name_of(to).unwrap_or_default().to_owned();
            let ctx = c(model, to_ctx)?;
            let a = ctx
                .aggregates
                .get_mut(agg.index)
                .ok_or("no such aggregate")?;
            let id = a.id.clone();
            emit(handler_for(a, &cmd_name), &event_name);
            apply(a, &event_name);
            if let Some(ev) = ctx.events.get_mut(to.index) {
                if ev.owner.is_empty() {
                    ev.owner = agg_name.clone().into();
                }
                ensure_field(&mut ev.fields, &ev.reserved, &id, &super::Type::Id);
            }
            Ok(format!("{agg_name} emits {event_name} on {cmd_name}"))
        }
        (Aggregate | External, Event) => {
            if from.context != to.context {
                return Err("events belong to an aggregate or external system of their own context".into());
            }
            let owner = model.name_of(from).unwrap_or_default().to_owned();
            let reacts_to_nothing = from.kind == External
                && model
                    .contexts
                    .get(from_ctx)
                    .and_then(|c| c.externals.get(from.index))
                    .is_some_and(|e| e.reacts.is_empty());
            if reacts_to_nothing {
                return Err(format!(
                    "{owner} answers commands or events: link what it reacts to first"
                ));
            }
            let id = handler_id(model, from).ok_or("the source no longer exists")?;
            let ev = c(model, to_ctx)?
                .events
                .get_mut(to.index)
                .ok_or("no such event")?;
            ev.owner = owner.clone().into();
            let event_name = ev.name.clone();
            if from.kind == Aggregate {
                // The event goes to the aggregate's stream, is applied to it, and is emitted by
                // the handler that does not emit anything yet (or the only one).
                ensure_field(&mut ev.fields, &ev.reserved, &id, &super::Type::Id);
                let a = c(model, from_ctx)?
                    .aggregates
                    .get_mut(from.index)
                    .ok_or("no such aggregate")?;
                apply(a, &event_name);
                let silent = a.handlers.iter().rposition(Handler::emits_nothing);
                let only = (a.handlers.len() == 1).then_some(0);
                if let Some(h) = silent.or(only) {
                    let on = a.handlers[h].on.clone();
                    emit(&mut a.handlers[h], &event_name);
                    return Ok(format!("{owner} emits {to_ref} on {on}"));
                }
            }
            if from.kind == External {
                let ext = c(model, from_ctx)?
                    .externals
                    .get_mut(from.index)
                    .ok_or("no such external system")?;
                for r in &mut ext.reacts {
                    if !r.outcomes.iter().any(|o| o.respond == to_ref) {
                        r.outcomes.push(Outcome {
                            respond: to_ref.clone().into(),
                            when: None,
                            probability: 0.0,
                            after: "0ms".into(),
                            with: BTreeMap::new(),
                        });
                        let share = 1.0 / r.outcomes.len() as f64;
                        for o in &mut r.outcomes {
                            o.probability = share;
                        }
                    }
                }
            }
            Ok(format!("{owner} emits {to_ref}"))
        }
        (Event, Policy) => {
            let p = c(model, to_ctx)?
                .policies
                .get_mut(to.index)
                .ok_or("no such policy")?;
            p.on = from_ref.clone().into();
            Ok(format!("whenever {from_ref}"))
        }
        (Policy, Command) => {
            let p = c(model, from_ctx)?
                .policies
                .get_mut(from.index)
                .ok_or("no such policy")?;
            p.then = to_ref.clone().into();
            Ok(format!("then {to_ref}"))
        }
        (Event, Saga) => {
            let s = c(model, to_ctx)?
                .sagas
                .get_mut(to.index)
                .ok_or("no such saga")?;
            if s.start.is_empty() {
                s.start = from_ref.clone().into();
                Ok(format!("started by {from_ref}"))
            } else {
                if !s.ends.iter().any(|e| e.on == from_ref) {
                    s.ends.push(SagaEnd {
                        when: None,
                        on: from_ref.clone().into(),
                        status: "Completed".into(),
                    });
                }
                Ok(format!("ended by {from_ref}"))
            }
        }
        (Event, ReadModel) => {
            let event_columns: Vec<super::Field> = model
                .contexts
                .get(from_ctx)
                .and_then(|c| c.events.get(from.index))
                .map(|e| e.fields.clone())
                .unwrap_or_default();
            let rm = c(model, to_ctx)?
                .read_models
                .get_mut(to.index)
                .ok_or("no such read model")?;
            // The row shows what the event says: its fields become columns of the same name
            // (an upsert copies same-named fields).
            for f in &event_columns {
                ensure_field(&mut rm.columns, &[], &f.name, &f.ty);
            }
            let key_field = if event_columns.iter().any(|f| f.name == rm.key) {
                rm.key.clone()
            } else {
                event_columns
                    .first()
                    .map(|f| f.name.clone())
                    .ok_or("give the event a field first: a read model needs a row key")?
            };
            rm.rules.push(Rule {
                on: from_ref.clone().into(),
                for_each: None,
                key: format!("event.{key_field}"),
                action: RuleAction::Upsert(BTreeMap::new()),
            });
            Ok(format!("projects {from_ref}"))
        }
        (Event, External) => {
            let ext = c(model, to_ctx)?
                .externals
                .get_mut(to.index)
                .ok_or("no such external system")?;
            if !ext.reacts.iter().any(|r| r.on == from_ref) {
                ext.reacts.push(Reaction {
                    on: from_ref.clone().into(),
                    outcomes: vec![],
                });
            }
            Ok(format!("consumes {from_ref}"))
        }
        (Aggregate, Command) => Err(
            "an aggregate schedules a command from one of its handlers (the payment falls due \
             30 days after the invoice is issued): in the inspector, open the handler and \
             + Schedule a command"
                .into(),
        ),
        (Saga, Command) => Err(
            "a saga issues commands in its steps (on EVENT issue COMMAND): add the step in the inspector"
                .into(),
        ),
        (HotSpot, _) | (_, HotSpot) => {
            Err("hot spots are notes; they take no part in the flow".into())
        }
        (a, b) => Err(format!(
            "{} → {} is not an EventStorming link; valid links: actor → command, command → aggregate/external, \
             command → event (via its aggregate), aggregate → event, event → policy/saga/read model/external, \
             policy → command, external → event",
            a.label(),
            b.label()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(m: &mut Model, kind: Kind, name: &str) -> Loc {
        m.insert_sticky(0, Sticky::new_of(kind, name, Pos::default()).unwrap())
            .unwrap()
    }

    #[test]
    fn drawing_the_flow_builds_handlers_and_references() {
        let mut m = Model::new("t");
        let actor = add(&mut m, Kind::Actor, "Customer");
        let cmd = add(&mut m, Kind::Command, "BookService");
        let agg = add(&mut m, Kind::Aggregate, "Booking");
        let ev = add(&mut m, Kind::Event, "ServiceBooked");
        let pol = add(&mut m, Kind::Policy, "Notify");
        connect(&mut m, actor, cmd).unwrap();
        connect(&mut m, cmd, agg).unwrap();
        connect(&mut m, cmd, ev).unwrap();
        connect(&mut m, ev, pol).unwrap();
        connect(&mut m, pol, cmd).unwrap();
        let c = &m.contexts[0];
        assert_eq!(c.commands[0].actors, vec!["Customer"]);
        assert_eq!(c.commands[0].target, "Booking");
        assert_eq!(c.aggregates[0].handlers[0].on, "BookService");
        assert_eq!(c.aggregates[0].handlers[0].emit[0].event, "ServiceBooked");
        assert_eq!(c.events[0].owner, "Booking");
        assert_eq!(c.policies[0].on, "ServiceBooked");
        assert_eq!(c.policies[0].then, "BookService");
    }

    #[test]
    fn invalid_links_say_why() {
        let mut m = Model::new("t");
        let ev = add(&mut m, Kind::Event, "A");
        let actor = add(&mut m, Kind::Actor, "B");
        let cmd = add(&mut m, Kind::Command, "C");
        let before = m.clone();
        let e = connect(&mut m, ev, actor).unwrap_err();
        assert!(
            e.contains("event → actor is not an EventStorming link"),
            "{e}"
        );
        let e = connect(&mut m, cmd, ev).unwrap_err();
        assert!(e.contains("aggregate first"), "{e}");
        assert_eq!(m, before, "a refused link changes nothing");
        // An aggregate issues commands only from a handler's schedule: the message says where.
        let agg = add(&mut m, Kind::Aggregate, "D");
        let before = m.clone();
        let e = connect(&mut m, agg, cmd).unwrap_err();
        assert!(e.contains("+ Schedule a command"), "{e}");
        assert_eq!(m, before);
    }

    #[test]
    fn unique_names_get_a_number() {
        let mut m = Model::new("t");
        add(&mut m, Kind::Event, "Event");
        assert_eq!(unique_name(&m, 0, "Event"), "Event2");
        assert_eq!(unique_name(&m, 0, "Other"), "Other");
    }

    #[test]
    fn a_flow_drawn_only_by_links_checks_clean_and_runs() {
        use crate::model::scenario::{Expect, Scenario, Step};
        let mut m = Model::new("t");
        let actor = add(&mut m, Kind::Actor, "Customer");
        let cmd = add(&mut m, Kind::Command, "PlaceOrder");
        let agg = add(&mut m, Kind::Aggregate, "Order");
        let ev = add(&mut m, Kind::Event, "OrderPlaced");
        let rm = add(&mut m, Kind::ReadModel, "Orders");
        for (from, to) in [(actor, cmd), (cmd, agg), (agg, ev), (ev, rm)] {
            connect(&mut m, from, to).unwrap();
        }
        let c = &m.contexts[0];
        assert_eq!(c.aggregates[0].handlers[0].on, "PlaceOrder");
        assert_eq!(c.aggregates[0].handlers[0].emit[0].event, "OrderPlaced");
        assert_eq!(c.aggregates[0].appliers[0].on, "OrderPlaced");
        assert_eq!(c.commands[0].fields[0].name, "id");
        assert_eq!(c.events[0].fields[0].name, "id");
        let errors: Vec<String> = crate::model::check::check(&m)
            .into_iter()
            .filter(|d| d.severity == crate::model::diagnostic::Severity::Error)
            .map(|d| d.message)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        m.scenarios.push(Scenario {
            name: "one order".into(),
            when: vec![Step::Command {
                at: "0s".into(),
                command: "PlaceOrder".into(),
                fields: [("id".to_owned(), "'o-1'".to_owned())].into(),
            }],
            then: vec![
                Expect::Emitted {
                    event: "OrderPlaced".into(),
                    count: Some(1),
                    filter: None,
                },
                Expect::Row {
                    read_model: "Orders".into(),
                    key: "'o-1'".into(),
                    columns: Default::default(),
                    absent: false,
                },
            ],
            ..Scenario::default()
        });
        m.assign_ids();
        let program = std::sync::Arc::new(crate::sim::Program::new(&m).unwrap());
        let verdicts = crate::sim::scenario::check(&m, program, &m.scenarios[0]).unwrap();
        assert!(verdicts.iter().all(|v| v.passed), "{verdicts:#?}");
    }

    #[test]
    fn linking_an_aggregate_to_an_event_makes_the_handler_that_emits_nothing_yet_emit_it() {
        let mut m = Model::new("t");
        let cmd = add(&mut m, Kind::Command, "PlaceOrder");
        let agg = add(&mut m, Kind::Aggregate, "Order");
        let ev = add(&mut m, Kind::Event, "OrderPlaced");
        let other = add(&mut m, Kind::Event, "OrderCancelled");
        connect(&mut m, cmd, agg).unwrap();
        connect(&mut m, agg, ev).unwrap();
        let say = connect(&mut m, agg, other).unwrap();
        // One handler only: it emits both (a decision the inspector can undo).
        assert_eq!(say, "Order emits OrderCancelled on PlaceOrder");
        let cmd2 = add(&mut m, Kind::Command, "CancelOrder");
        connect(&mut m, cmd2, agg).unwrap();
        let third = add(&mut m, Kind::Event, "OrderShipped");
        let cmd3 = add(&mut m, Kind::Command, "ShipOrder");
        connect(&mut m, cmd3, agg).unwrap();
        // Two handlers emit nothing yet: the last one drawn gets the event.
        connect(&mut m, agg, third).unwrap();
        let a = &m.contexts[0].aggregates[0];
        assert_eq!(a.handlers[2].on, "ShipOrder");
        assert_eq!(a.handlers[2].emit[0].event, "OrderShipped");
        assert!(a.handlers[1].emit.is_empty());
        assert_eq!(a.appliers.len(), 3);
    }
}
