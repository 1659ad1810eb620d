//! A handler's scheduled commands in the aggregate inspector: when each is issued (`after` a
//! duration or `at` a moment), the events that cancel it, the command and its fields, all
//! checked as typed over the handler's names; add and remove.

use egui::{RichText, Ui};

use crate::app::inspector::buffered_edit::unless_ui;
use crate::app::inspector::expr_edit::expr_edit;
use crate::app::inspector::saga::issue_ui;
use crate::model::expr::Scope;
use crate::model::saga::Issue;
use crate::model::scopes::ModelTypes;
use crate::model::{Model, NameIndex, Schedule, Type};

/// Handler `hi`'s schedules. Returns true if changed.
pub(super) fn schedules_ui(
    ui: &mut Ui,
    names: (&Model, &NameIndex),
    (ctx, hi): (usize, usize),
    schedules: &mut Vec<Schedule>,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    let mut changed = false;
    if !schedules.is_empty() {
        ui.label(RichText::new("Schedules (armed when it emits)").strong());
    }
    let mut remove = None;
    for (k, sc) in schedules.iter_mut().enumerate() {
        ui.push_id(("schedule", hi, k), |ui| {
            ui.group(|ui| {
                changed |= moment_ui(ui, sc, scope, types);
                changed |= unless_ui(ui, "schedule unless", &mut sc.unless);
                let label = ("Command issued then", "cmd");
                changed |= issue_ui(ui, types, names, ctx, label, &mut sc.issue, scope);
                if ui.small_button("✖ Remove the schedule").clicked() {
                    remove = Some(k);
                }
            });
        });
    }
    if let Some(k) = remove {
        schedules.remove(k);
        changed = true;
    }
    if ui
        .small_button("+ Schedule a command")
        .on_hover_text("Issue a command later: a payment falls due, an offer lapses")
        .clicked()
    {
        schedules.push(Schedule {
            after: Some("days(1)".into()),
            at: None,
            unless: Vec::new(),
            issue: Issue::default(),
        });
        changed = true;
    }
    changed
}

/// When the command is issued: `after` a duration or `at` a moment, one of the two.
fn moment_ui(ui: &mut Ui, sc: &mut Schedule, scope: Option<&Scope>, types: &ModelTypes) -> bool {
    let mut changed = false;
    let mut at = sc.at.is_some();
    ui.horizontal(|ui| {
        ui.label("Issue it");
        let after = ui.radio_value(&mut at, false, "after a duration").changed();
        let moment = ui.radio_value(&mut at, true, "at a moment").changed();
        if after || moment {
            let text = sc.after.take().or(sc.at.take()).unwrap_or_default();
            let text = if text.trim().is_empty() {
                if at { "now" } else { "days(1)" }.to_owned()
            } else {
                text
            };
            (sc.after, sc.at) = if at {
                (None, Some(text))
            } else {
                (Some(text), None)
            };
            changed = true;
        }
    });
    let (slot, ty, salt) = if at {
        (&mut sc.at, Type::Timestamp, "schedule at")
    } else {
        (&mut sc.after, Type::Duration, "schedule after")
    };
    let mut text = slot.clone().unwrap_or_default();
    if expr_edit(ui, salt, &mut text, scope, types, Some(&ty), false).changed() {
        *slot = Some(text);
        changed = true;
    }
    changed
}
