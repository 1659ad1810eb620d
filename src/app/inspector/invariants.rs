//! The inspector's invariants editor, for an aggregate (each instance), a read model (each
//! row) or a saga (each instance): a name, `always` or `eventually`, the condition checked as
//! you type against the names its owner gives (`state`, `status`, `row`, `started`…), and for
//! a saga's `eventually` the time it has.

use egui::Ui;

use crate::app::inspector::expr_edit::expr_edit;
use crate::model::expr::Scope;
use crate::model::expr::time::parse_duration;
use crate::model::invariant::{Invariant, When};
use crate::model::scopes::ModelTypes;
use crate::model::{Model, Type};

/// The invariants `list` of an element whose invariants read `scope` (`saga`: they may have
/// `within`); `names` says what they may read, for the hint. Returns true if changed.
pub fn invariants_ui(
    ui: &mut Ui,
    model: &Model,
    list: &mut Vec<Invariant>,
    scope: &Scope,
    (names, saga): (&str, bool),
) -> bool {
    let types = ModelTypes::new(model);
    let mut changed = false;
    ui.separator();
    ui.strong(format!("Invariants ({})", list.len()))
        .on_hover_text(
            "What must hold in every run: `always` after every change, `eventually` once the \
         run has settled. Simulate → Explore… looks for the run that breaks one.",
        );
    ui.weak(format!("Conditions read {names}."));
    let mut remove = None;
    for (i, inv) in list.iter_mut().enumerate() {
        ui.push_id(("invariant", i), |ui| {
            ui.horizontal(|ui| {
                let width = (ui.available_width() - 40.0).max(120.0);
                let name = ui.add(egui::TextEdit::singleline(&mut inv.name).desired_width(width));
                name.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::TextEdit,
                        true,
                        format!("Invariant {}: name", i + 1),
                    )
                });
                changed |= name.changed();
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the invariant")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
            let when = inv.condition().map_or(When::Always, |(w, _)| w);
            let mut chosen = when;
            ui.horizontal(|ui| {
                ui.radio_value(&mut chosen, When::Always, "always")
                    .on_hover_text("checked after every change");
                ui.radio_value(&mut chosen, When::Eventually, "eventually")
                    .on_hover_text("checked once the run has settled (faults healed)");
            });
            let mut text = inv
                .always
                .clone()
                .or_else(|| inv.eventually.clone())
                .unwrap_or_default();
            let r = expr_edit(
                ui,
                ("invariant-expr", i),
                &mut text,
                Some(scope),
                &types,
                Some(&Type::Bool),
                false,
            );
            r.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::WidgetType::TextEdit,
                    true,
                    format!("Invariant {}: condition", i + 1),
                )
            });
            let edited = r.changed();
            if edited || chosen != when || inv.condition().is_none() {
                (inv.always, inv.eventually) = match chosen {
                    When::Always => (Some(text), None),
                    When::Eventually => (None, Some(text)),
                };
                changed |= edited || chosen != when;
            }
            if saga && chosen == When::Eventually {
                ui.horizontal(|ui| {
                    ui.label("within (from its start; empty: any time)");
                    let mut within = inv.within.clone().unwrap_or_default();
                    let r = ui.add(egui::TextEdit::singleline(&mut within).desired_width(80.0));
                    if r.changed() {
                        inv.within = (!within.trim().is_empty()).then_some(within.clone());
                        changed = true;
                    }
                    if !within.trim().is_empty() && parse_duration(&within).is_none() {
                        ui.colored_label(
                            crate::app::theme::tokens(ui).error,
                            "a duration like 15m, 2h, 14d",
                        );
                    }
                });
            } else if inv.within.take().is_some() {
                changed = true;
            }
        });
    }
    if let Some(i) = remove {
        list.remove(i);
        changed = true;
    }
    if ui.button("+ Invariant").clicked() {
        let mut n = list.len() + 1;
        while list.iter().any(|i| i.name == format!("invariant {n}")) {
            n += 1;
        }
        list.push(Invariant {
            name: format!("invariant {n}"),
            always: Some("true".into()),
            ..Invariant::default()
        });
        changed = true;
    }
    changed
}
