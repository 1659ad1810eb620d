//! Help → Keyboard Shortcuts: every shortcut of the studio in one window, read from the
//! same table the menus and the key handling use, plus the board's pointer gestures.

use egui::Ui;

use super::actions::{Action, shortcut};

/// The actions with shortcuts, grouped as in the menus.
const GROUPS: [(&str, &[(&str, Action)]); 4] = [
    (
        "File and edit",
        &[
            ("New", Action::New),
            ("Open…", Action::Open),
            ("Save", Action::Save),
            ("Save As…", Action::SaveAs),
            ("Quit", Action::Quit),
            ("Undo", Action::Undo),
            ("Redo", Action::Redo),
            ("Cut", Action::Cut),
            ("Copy", Action::Copy),
            ("Duplicate", Action::Duplicate),
            ("Delete", Action::Delete),
            ("Select all", Action::SelectAll),
            ("Rename", Action::Rename),
            ("Link from the selection", Action::Link),
            ("Find…", Action::Find),
        ],
    ),
    (
        "View",
        &[
            ("Zoom in", Action::ZoomIn),
            ("Zoom out", Action::ZoomOut),
            ("Actual size", Action::ZoomReset),
            ("Fit the board", Action::Fit),
            ("Presentation mode", Action::Present),
        ],
    ),
    (
        "Model",
        &[
            ("Check now", Action::Check),
            ("Auto-layout the board", Action::AutoLayoutBoard),
            ("Export protos…", Action::ExportProtos),
        ],
    ),
    (
        "Simulate",
        &[
            (
                "Run the scenario / continue a paused run",
                Action::RunScenario,
            ),
            ("Pause the run", Action::PauseRun),
            ("Step one event", Action::StepEvent),
            ("Step one command", Action::StepCommand),
            ("Reset, paused at the start", Action::ResetRun),
            ("Check all scenarios", Action::CheckScenarios),
        ],
    ),
];

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
            for (group, actions) in GROUPS {
                ui.strong(group);
                ui.end_row();
                for (label, action) in actions {
                    if let Some(s) = shortcut(*action) {
                        ui.label(*label);
                        ui.monospace(ui.ctx().format_shortcut(&s));
                        ui.end_row();
                    }
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
