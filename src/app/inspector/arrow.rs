//! The picked arrow in the inspector: what it means, and the label the team writes on it.

use egui::{TextEdit, Ui};

use crate::app::board::canvas::describe;
use crate::app::document::edit::Edit;
use crate::model::arrow_label::{label_of, with_label};
use crate::model::op::{ModelProps, Op};
use crate::model::{Loc, Model};

/// Shows the arrow from `from` to `to`: its meaning and its label (typed in one text box, one
/// undo step per typing session).
pub fn arrow_ui(ui: &mut Ui, model: &Model, from: Loc, to: Loc, edits: &mut Vec<Edit>) {
    let (Some(a), Some(b)) = (model.uid_at(from), model.uid_at(to)) else {
        return;
    };
    ui.heading("arrow");
    ui.add_space(4.0);
    ui.label(describe(model, from, to));
    ui.weak("Delete removes the link it draws.");
    ui.add_space(8.0);
    ui.label("Label");
    let mut text = label_of(&model.labels, a, b).unwrap_or_default().to_owned();
    let r = ui.add(
        TextEdit::singleline(&mut text)
            .desired_width(f32::INFINITY)
            .hint_text("what this link means to the team"),
    );
    r.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, "arrow label"));
    if r.changed() {
        let mut props = ModelProps::of(model);
        props.labels = with_label(&model.labels, a, b, &text);
        edits.push(Edit::Ops {
            label: "Label arrow".into(),
            ops: vec![Op::SetModel(Box::new(props))],
            gesture: None,
        });
    }
}
