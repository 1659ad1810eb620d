//! Inspector editors for behaviour written as expressions: an aggregate's command handlers
//! (accepted states, guards with rejection messages, emitted events with field assignments)
//! and a policy's condition and target. Every expression box is checked as you type against
//! the scope it runs in ([`super::expr_edit`]).

use egui::{RichText, TextEdit, Ui};

use super::expr_edit::expr_edit;
use crate::model::expr::Scope;
use crate::model::scopes::{ModelTypes, event_scope, handler_scope};
use crate::model::{Aggregate, Command, Emit, Event, Guard, Handler, Kind, Model, Policy, Type};

/// The model element `name` refers to from context `ctx`, among `kinds`.
fn lookup<'m>(
    model: &'m Model,
    name: &str,
    kind: Kind,
    ctx: usize,
) -> Option<(usize, usize, &'m Model)> {
    let id = crate::model::NameIndex::new(model)
        .resolve(name, &[kind], Some(ctx))
        .found()?;
    Some((id.context?, id.index, model))
}

fn command<'m>(model: &'m Model, name: &str, ctx: usize) -> Option<&'m Command> {
    let (c, i, m) = lookup(model, name, Kind::Command, ctx)?;
    m.contexts.get(c)?.commands.get(i)
}

fn event<'m>(model: &'m Model, name: &str, ctx: usize) -> Option<&'m Event> {
    let (c, i, m) = lookup(model, name, Kind::Event, ctx)?;
    m.contexts.get(c)?.events.get(i)
}

/// The policy's condition and target expressions. Returns true if changed.
pub fn policy_ui(ui: &mut Ui, model: &Model, ctx: usize, p: &mut Policy) -> bool {
    let types = ModelTypes::new(model);
    let scope = event(model, &p.on, ctx).map(event_scope);
    let mut changed = false;
    for (label, value, ty) in [
        ("If (condition over event, now)", &mut p.when, Type::Bool),
        (
            "To target id (default: the event's id field)",
            &mut p.target,
            Type::Id,
        ),
    ] {
        ui.label(label);
        let mut text = value.clone().unwrap_or_default();
        if expr_edit(
            ui,
            ("policy", label),
            &mut text,
            scope.as_ref(),
            &types,
            Some(&ty),
            true,
        )
        .changed()
        {
            *value = (!text.trim().is_empty()).then_some(text);
            changed = true;
        }
    }
    changed
}

/// The aggregate's command handlers. Returns true if changed.
pub fn handlers_ui(ui: &mut Ui, model: &Model, ctx: usize, a: &mut Aggregate) -> bool {
    let types = ModelTypes::new(model);
    let mut changed = false;
    let agg = a.clone();
    let mut remove = None;
    ui.label(RichText::new("Command handlers").strong());
    let few = a.handlers.len() <= 3;
    for (hi, h) in a.handlers.iter_mut().enumerate() {
        let scope = command(model, &h.on, ctx).map(|c| handler_scope(c, &agg));
        egui::CollapsingHeader::new(format!("on {}", h.on))
            .id_salt(("handler", hi))
            .default_open(few)
            .show(ui, |ui| {
                changed |= handler_ui(ui, model, ctx, hi, h, scope.as_ref(), &types);
                if ui.small_button("Remove handler").clicked() {
                    remove = Some(hi);
                }
            });
    }
    if let Some(i) = remove {
        a.handlers.remove(i);
        changed = true;
    }
    // A handler for a command aimed at this aggregate that has none yet.
    let unhandled: Vec<String> = model
        .contexts
        .get(ctx)
        .map(|c| {
            c.commands
                .iter()
                .filter(|cmd| cmd.target == a.name && !a.handlers.iter().any(|h| h.on == cmd.name))
                .map(|cmd| cmd.name.clone())
                .collect()
        })
        .unwrap_or_default();
    if !unhandled.is_empty() {
        ui.menu_button("+ Handler", |ui| {
            for name in unhandled {
                if ui.button(&name).clicked() {
                    a.handlers.push(Handler {
                        on: name,
                        states: vec![],
                        guards: vec![],
                        emit: vec![],
                    });
                    changed = true;
                    ui.close();
                }
            }
        });
    }
    changed
}

fn handler_ui(
    ui: &mut Ui,
    model: &Model,
    ctx: usize,
    hi: usize,
    h: &mut Handler,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    let mut changed = false;
    ui.label("Accepted in states (comma-separated; empty: any)");
    let mut states = h.states.join(", ");
    if ui
        .add(
            TextEdit::singleline(&mut states)
                .id_salt(("states", hi))
                .desired_width(f32::INFINITY),
        )
        .changed()
    {
        h.states = states
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        changed = true;
    }
    ui.label("Guards (cmd, state, now) → rejection message");
    let mut remove = None;
    for (gi, g) in h.guards.iter_mut().enumerate() {
        ui.push_id(("guard", hi, gi), |ui| {
            changed |= expr_edit(
                ui,
                "expr",
                &mut g.expr,
                scope,
                types,
                Some(&Type::Bool),
                false,
            )
            .changed();
            ui.horizontal(|ui| {
                ui.label("else reject:");
                changed |= ui
                    .add(
                        TextEdit::singleline(&mut g.reject)
                            .desired_width(ui.available_width() - 30.0),
                    )
                    .changed();
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the guard")
                    .clicked()
                {
                    remove = Some(gi);
                }
            });
        });
    }
    if let Some(i) = remove {
        h.guards.remove(i);
        changed = true;
    }
    if ui.small_button("+ Guard").clicked() {
        h.guards.push(Guard {
            expr: "true".into(),
            reject: "not allowed".into(),
        });
        changed = true;
    }
    ui.label("Emits (unassigned fields copy the command's same-named field)");
    for (ei, em) in h.emit.iter_mut().enumerate() {
        changed |= emit_ui(ui, model, ctx, (hi, ei), em, scope, types);
    }
    changed
}

fn emit_ui(
    ui: &mut Ui,
    model: &Model,
    ctx: usize,
    at: (usize, usize),
    em: &mut Emit,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    let mut changed = false;
    let fields = event(model, &em.event, ctx)
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    ui.label(RichText::new(format!("emit {}", em.event)).italics());
    let mut remove = None;
    for (field, expr) in em.set.iter_mut() {
        let ty = fields
            .iter()
            .find(|f| &f.name == field)
            .map(|f| f.ty.clone());
        ui.push_id(("assign", at, field.as_str()), |ui| {
            ui.horizontal(|ui| {
                ui.monospace(format!("{field} ="));
                if ui
                    .small_button("✖")
                    .on_hover_text("Copy the command's field instead")
                    .clicked()
                {
                    remove = Some(field.clone());
                }
            });
            changed |= expr_edit(ui, "expr", expr, scope, types, ty.as_ref(), false).changed();
        });
    }
    if let Some(f) = remove {
        em.set.remove(&f);
        changed = true;
    }
    let free: Vec<String> = fields
        .iter()
        .filter(|f| !em.set.contains_key(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !free.is_empty() {
        ui.push_id(("assign-add", at), |ui| {
            ui.menu_button("+ Assignment", |ui| {
                for f in free {
                    if ui.button(&f).clicked() {
                        em.set.insert(f.clone(), format!("cmd.{f}"));
                        changed = true;
                        ui.close();
                    }
                }
            });
        });
    }
    changed
}
