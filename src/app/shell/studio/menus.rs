//! The studio's frame around the board: the menu bar (from the action table), the bottom
//! dock's tabs, the sticky palette and the status bar.

use egui::{Button, Id, Key, RichText, Ui};

use super::{AfterPrompt, DockTab, Studio};
use crate::app::commands::actions::Action;
use crate::app::document::edit::Edit;
use crate::app::graphs::GraphKind;
use crate::app::problems::Picked;
use crate::app::theme;
use crate::model::Kind;
use crate::model::fix::Fix;

impl Studio {
    pub(super) fn menu_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let has_sel = !self.selection.is_empty();
        ui.menu_button("File", |ui| {
            item(ui, Action::New, true, actions);
            item(ui, Action::StartPage, true, actions);
            item(ui, Action::Open, true, actions);
            ui.menu_button("Open Recent", |ui| {
                if self.prefs.recent.is_empty() {
                    ui.weak("No recent files");
                }
                for p in self.prefs.recent.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        self.guard_unsaved(AfterPrompt::Open(Some(p)));
                    }
                }
            });
            item(ui, Action::ImportCml, true, actions);
            item(ui, Action::ImportEventModeling, true, actions);
            ui.separator();
            item(ui, Action::Save, true, actions);
            item(ui, Action::SaveAs, true, actions);
            item(ui, Action::Revert, self.doc.is_dirty(), actions);
            ui.separator();
            item(ui, Action::ExportImage, true, actions);
            ui.separator();
            item(ui, Action::ShareBoard, true, actions);
            item(ui, Action::JoinBoard, self.sharing.is_none(), actions);
            item(ui, Action::LeaveBoard, self.sharing.is_some(), actions);
            ui.separator();
            item(ui, Action::Quit, true, actions);
        });
        ui.menu_button("Edit", |ui| {
            // While shared, undo is this person's own steps (the shared document's).
            let (undo, redo, can_undo, can_redo) = match &self.sharing {
                Some(s) => {
                    let (u, r) = s.session.doc().can_undo();
                    ("Undo My Last Change".into(), "Redo My Change".into(), u, r)
                }
                None => (
                    self.doc
                        .history
                        .undo_label()
                        .map(|l| format!("Undo {l}"))
                        .unwrap_or_else(|| "Undo".into()),
                    self.doc
                        .history
                        .redo_label()
                        .map(|l| format!("Redo {l}"))
                        .unwrap_or_else(|| "Redo".into()),
                    self.doc.history.undo_label().is_some(),
                    self.doc.history.redo_label().is_some(),
                ),
            };
            item_labelled(ui, &undo, Action::Undo, can_undo, actions);
            item_labelled(ui, &redo, Action::Redo, can_redo, actions);
            ui.separator();
            item(ui, Action::Cut, has_sel, actions);
            item(ui, Action::Copy, has_sel, actions);
            let paste = Button::new("Paste").shortcut_text(ui.ctx().format_shortcut(
                &egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, Key::V),
            ));
            if ui
                .add(paste)
                .on_hover_text("Stickies copied here or in another studio (RON on the clipboard)")
                .clicked()
            {
                ui.ctx()
                    .send_viewport_cmd(egui::ViewportCommand::RequestPaste);
            }
            item(ui, Action::Duplicate, has_sel, actions);
            item(ui, Action::Delete, has_sel, actions);
            ui.separator();
            item(ui, Action::SelectAll, true, actions);
            item(ui, Action::Rename, self.selection.len() == 1, actions);
            item(ui, Action::Link, self.selection.len() == 1, actions);
            item(ui, Action::AlignLeft, self.selection.len() > 1, actions);
            item(ui, Action::AlignTop, self.selection.len() > 1, actions);
            ui.separator();
            item(ui, Action::Find, true, actions);
        });
        ui.menu_button("View", |ui| {
            item(ui, Action::ZoomIn, true, actions);
            item(ui, Action::ZoomOut, true, actions);
            item(ui, Action::ZoomReset, true, actions);
            item(ui, Action::Fit, true, actions);
            ui.separator();
            item_labelled(
                ui,
                if self.prefs.dark {
                    "Light Theme"
                } else {
                    "Dark Theme"
                },
                Action::ToggleTheme,
                true,
                actions,
            );
            ui.separator();
            item(ui, Action::Present, true, actions);
        });
        ui.menu_button("Model", |ui| {
            item(ui, Action::NewContext, true, actions);
            item(ui, Action::Check, true, actions);
            ui.separator();
            item(
                ui,
                Action::AutoLayoutContext,
                self.selected_context().is_some(),
                actions,
            );
            item(ui, Action::AutoLayoutBoard, true, actions);
            ui.separator();
            item(ui, Action::SystemInvariants, true, actions);
            item(ui, Action::ExportProtos, true, actions);
            ui.menu_button("Compare with", |ui| {
                item(ui, Action::CompareSaved, self.doc.path.is_some(), actions);
                item(ui, Action::CompareFile, true, actions);
            });
        });
        ui.menu_button("Simulate", |ui| {
            for s in &self.doc.model.scenarios {
                if ui
                    .selectable_label(self.sim.scenario == s.name, &s.name)
                    .clicked()
                {
                    self.sim.scenario = s.name.clone();
                    self.dock = Some(DockTab::Simulation);
                }
            }
            if self.doc.model.scenarios.is_empty() {
                ui.weak("No scenarios in this model");
            }
            ui.separator();
            let paused = self.sim.paused(self.doc.revision).is_some();
            // Run, step and reset: a scenario to run and no run in progress.
            let can_run = !self.doc.model.scenarios.is_empty() && !self.sim.running();
            item_labelled(
                ui,
                if paused {
                    "Continue"
                } else {
                    Action::RunScenario.label()
                },
                Action::RunScenario,
                can_run,
                actions,
            );
            item(ui, Action::PauseRun, self.sim.running(), actions);
            item(ui, Action::StepEvent, can_run, actions);
            item(ui, Action::StepCommand, can_run, actions);
            item(ui, Action::ResetRun, can_run, actions);
            item(
                ui,
                Action::CheckScenarios,
                !self.doc.model.scenarios.is_empty() && !self.windows.checks.running(),
                actions,
            );
            ui.separator();
            item(ui, Action::NewScenario, true, actions);
            item(
                ui,
                Action::EditScenario,
                !self.doc.model.scenarios.is_empty(),
                actions,
            );
            item(
                ui,
                Action::FaultPlan,
                !self.doc.model.scenarios.is_empty(),
                actions,
            );
            item(ui, Action::Sandbox, true, actions);
            item(
                ui,
                Action::Explore,
                !self.doc.model.scenarios.is_empty(),
                actions,
            );
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard Shortcuts").clicked() {
                self.windows.shortcuts_open = true;
            }
            ui.separator();
            ui.label(format!("Stormlab {}", env!("CARGO_PKG_VERSION")));
            ui.weak("Double-click the board: new sticky · drag a sticky's blue handle (or Alt+drag): link · F2: rename · Space+drag or middle-drag: pan · Ctrl+wheel: zoom");
        });
    }

    pub(super) fn dock_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let open = self.dock == Some(DockTab::Problems);
            let label = format!("Problems ({})", self.problems.summary());
            if ui.selectable_label(open, label).clicked() {
                self.dock = if open { None } else { Some(DockTab::Problems) };
            }
            let open = self.dock == Some(DockTab::Simulation);
            if ui.selectable_label(open, "Simulation").clicked() {
                self.dock = if open {
                    None
                } else {
                    Some(DockTab::Simulation)
                };
            }
            for (label, tab) in [
                ("Context map", GraphKind::ContextMap),
                ("Flow", GraphKind::Flow),
            ] {
                let open = self.dock == Some(DockTab::Graph(tab));
                if ui.selectable_label(open, label).clicked() {
                    self.dock = if open {
                        None
                    } else {
                        Some(DockTab::Graph(tab))
                    };
                }
            }
        });
        match self.dock {
            Some(DockTab::Problems) => match self.problems.ui(ui) {
                Some(Picked::Element(id)) => self.jump_to(id),
                Some(Picked::Fix(Fix::Rename { element })) => {
                    self.selection = [element].into();
                    self.board.start_rename(&self.doc.model, element);
                }
                Some(Picked::Fix(fix)) => self.edits.push(Edit::Fix { fix }),
                None => {}
            },
            Some(DockTab::Simulation) => {
                if let Some(edit) = self.sim.ui(
                    ui,
                    &self.doc.model,
                    self.doc.revision,
                    &self.problems.diagnostics,
                ) {
                    self.edits.push(edit);
                }
            }
            Some(DockTab::Graph(tab)) => {
                let selected = if self.selection.len() == 1 {
                    self.selected_locs().first().copied()
                } else {
                    None
                };
                if let Some(id) =
                    self.windows
                        .graphs
                        .ui(ui, tab, &self.doc.model, self.doc.revision, selected)
                {
                    self.jump_to(id);
                }
            }
            None => {}
        }
    }

    pub(super) fn palette_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        ui.add_space(6.0);
        ui.strong("Stickies");
        ui.weak("Drag onto the board, or pick one and double-click the board.");
        ui.add_space(4.0);
        for &kind in Kind::STICKIES {
            let selected = self.palette_kind == kind;
            let id = Id::new(("palette", kind));
            let resp = ui
                .dnd_drag_source(id, kind, |ui| {
                    let (rect, _) =
                        ui.allocate_exact_size(egui::vec2(132.0, 30.0), egui::Sense::hover());
                    let stroke = if selected {
                        egui::Stroke::new(2.5, theme::SELECTION)
                    } else {
                        egui::Stroke::new(1.0, theme::tokens(ui).chip_outline)
                    };
                    ui.painter().rect(
                        rect,
                        3.0,
                        theme::kind_color(kind),
                        stroke,
                        egui::StrokeKind::Inside,
                    );
                    ui.painter().text(
                        rect.left_center() + egui::vec2(8.0, 0.0),
                        egui::Align2::LEFT_CENTER,
                        kind.label(),
                        egui::FontId::proportional(14.0),
                        theme::STICKY_TEXT,
                    );
                })
                .response;
            let resp = ui.interact(resp.rect, id.with("click"), egui::Sense::click());
            resp.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::WidgetType::Button,
                    true,
                    selected,
                    format!("new {}", kind.label()),
                )
            });
            if resp.clicked() {
                self.palette_kind = kind;
            }
        }
        ui.add_space(10.0);
        if ui.button("New context frame").clicked() {
            actions.push(Action::NewContext);
        }
    }

    pub(super) fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let file = self
                .doc
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| format!("{} — not saved to a file yet", self.doc.model.name));
            ui.label(file);
            if self.doc.is_dirty() {
                ui.label(RichText::new("⚫ unsaved").color(theme::tokens(ui).warning));
            }
            ui.separator();
            let n = self.doc.model.element_count();
            ui.label(format!("{n} element{}", if n == 1 { "" } else { "s" }));
            ui.separator();
            let (e, _) = self.problems.counts();
            let text = self.problems.summary();
            if e > 0 {
                ui.colored_label(ui.visuals().error_fg_color, text);
            } else {
                ui.label(text);
            }
            ui.separator();
            ui.label(format!("zoom {:.0}%", self.board.zoom * 100.0));
            self.sharing_status_ui(ui);
            // Until something has run, say how to run it.
            if self.sim.run.is_none() && !self.doc.model.scenarios.is_empty() {
                ui.separator();
                ui.weak("F5 runs the board");
            }
            if let Some(e) = &self.files.autosave.error {
                ui.separator();
                ui.colored_label(ui.visuals().error_fg_color, format!("autosave failed: {e}"));
            }
            if let Some(t) = &self.toast
                && t.at.elapsed().as_secs_f32() < 6.0
            {
                ui.separator();
                let color = if t.error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().strong_text_color()
                };
                ui.colored_label(color, &t.text);
            }
        });
    }
}

/// A menu item for `action`: its label, shortcut and help from the one table.
fn item(ui: &mut Ui, action: Action, enabled: bool, actions: &mut Vec<Action>) {
    item_labelled(ui, action.label(), action, enabled, actions);
}

/// A menu item for `action` under a label that says more than the table's (`Undo Move`).
fn item_labelled(
    ui: &mut Ui,
    label: &str,
    action: Action,
    enabled: bool,
    actions: &mut Vec<Action>,
) {
    let mut b = Button::new(label);
    if let Some(s) = action.shortcut() {
        b = b.shortcut_text(ui.ctx().format_shortcut(&s));
    }
    if ui
        .add_enabled(enabled, b)
        .on_hover_text(action.command().help)
        .clicked()
    {
        actions.push(action);
    }
}
