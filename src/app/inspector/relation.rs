//! The inspector's editor for a context-map relation's translations (the anticorruption
//! layer): an upstream event becomes a downstream event, with field assignments over the
//! upstream `event` checked as you type.

use egui::{RichText, Ui};

use crate::app::inspector::behaviour::{assignments_ui, event};
use crate::app::inspector::panel::reference_ui;
use crate::model::relation::Translation;
use crate::model::scopes::{ModelTypes, event_scope};
use crate::model::{Kind, Model, NameIndex, Relation};

/// The translations of relation `r`. Returns true if changed.
pub fn translations_ui(ui: &mut Ui, model: &Model, r: &mut Relation) -> bool {
    let ctx_of = |name: &str| model.contexts.iter().position(|c| c.name == name);
    let (Some(up), Some(down)) = (ctx_of(&r.upstream), ctx_of(&r.downstream)) else {
        return false;
    };
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let mut changed = false;
    let mut remove = None;
    for (i, t) in r.translations.iter_mut().enumerate() {
        ui.push_id(("translation", i), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Translation {}", i + 1)).italics());
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the translation")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
            changed |= reference_ui(
                ui,
                model,
                up,
                &format!("{} event", r.upstream),
                &mut t.from,
                &[Kind::Event],
            );
            changed |= reference_ui(
                ui,
                model,
                down,
                &format!("becomes, in {}", r.downstream),
                &mut t.into,
                &[Kind::Event],
            );
            let scope = event(model, &index, &t.from, up).map(event_scope);
            let fields = event(model, &index, &t.into, down)
                .map(|e| e.fields.clone())
                .unwrap_or_default();
            ui.weak("Fields not assigned copy the same-named upstream field.");
            changed |= assignments_ui(
                ui,
                ("translate", i),
                &mut t.with,
                &fields,
                scope.as_ref(),
                &types,
                "event",
            );
        });
    }
    if let Some(i) = remove {
        r.translations.remove(i);
        changed = true;
    }
    if ui.button("+ Translation").clicked() {
        r.translations.push(Translation {
            from: String::new().into(),
            into: String::new().into(),
            with: Default::default(),
        });
        changed = true;
    }
    changed
}
