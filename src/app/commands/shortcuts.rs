//! Help → Keyboard Shortcuts: every shortcut of the studio in one window, read from the
//! same table the menus and the key handling use ([`Action::command`]), plus the board's
//! pointer gestures.

use egui::Ui;

use crate::app::commands::actions::{Action, Menu};

/// Pointer gestures and keys that are not menu actions.
const GESTURES: [(&str, &str); 9] = [
    (
        "Ctrl+V",
        "paste stickies (copied here or in another studio)",
    ),
    ("Double-click the board", "new sticky of the palette's kind"),
    (
        "Drag a sticky's blue handle, or Alt+drag",
        "link it to another sticky",
    ),
    ("Space+drag or middle-drag", "pan the board"),
    ("Ctrl+wheel or pinch", "zoom the board"),
    ("Arrow keys", "nudge the selection"),
    ("Shift+click, or drag a box", "select several"),
    ("Escape", "cancel the gesture, or clear the selection"),
    (
        "Alt+← / Alt+→, Alt+Home / Alt+End",
        "move the simulation cursor",
    ),
];

/// The window's contents.
pub fn ui(ui: &mut Ui) {
    egui::ScrollArea::vertical()
        .max_height(560.0)
        .min_scrolled_height(480.0)
        .show(ui, grid);
}

fn grid(ui: &mut Ui) {
    egui::Grid::new("shortcuts")
        .num_columns(2)
        .spacing([24.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            // The same table the menus and the key handling read.
            for (menu, title) in Menu::ALL {
                ui.strong(title);
                ui.end_row();
                for action in Action::ALL.iter().filter(|a| a.command().menu == menu) {
                    let keys = action.command().keys;
                    if keys.is_empty() {
                        continue;
                    }
                    let shown: Vec<String> =
                        keys.iter().map(|k| ui.ctx().format_shortcut(k)).collect();
                    ui.label(action.label())
                        .on_hover_text(action.command().help);
                    ui.monospace(shown.join("  or  "));
                    ui.end_row();
                }
            }
            ui.strong("Board and cursor");
            ui.end_row();
            for (gesture, what) in GESTURES {
                ui.label(what);
                ui.monospace(gesture);
                ui.end_row();
            }
        });
}
