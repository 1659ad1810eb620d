//! What the studio does for each action: the one place menus, keys and panel buttons end up.

use egui::Key;

use super::{AfterPrompt, DockTab, Studio};
use crate::app::commands::actions::Action;
use crate::app::contracts::ExportView;
use crate::app::document::edit::Edit;

use crate::app::shell::dialogs::{ImportFormat, Purpose};
use crate::app::simulation::worker::Stride;
use crate::app::theme;
use crate::model::access::Sticky;
use crate::model::{Kind, Pos, Uid};

impl Studio {
    pub(super) fn act(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::New => self.guard_unsaved(AfterPrompt::New),
            Action::StartPage => self.windows.start.open = true,
            Action::Open => self.guard_unsaved(AfterPrompt::Open(None)),
            Action::ImportCml => self.guard_unsaved(AfterPrompt::Import(ImportFormat::Cml, None)),
            Action::ImportEventModeling => {
                self.guard_unsaved(AfterPrompt::Import(ImportFormat::EventModeling, None))
            }
            Action::Save => self.save(ctx),
            Action::SaveAs => self.ask_path(ctx, Purpose::SaveAs),
            Action::Revert => {
                if self.doc.is_dirty() {
                    self.files.prompt = Some(AfterPrompt::Revert);
                }
            }
            Action::ExportImage => self.ask_path(ctx, Purpose::ExportImage),
            Action::Quit => self.guard_unsaved(AfterPrompt::Quit),
            Action::Undo if self.sharing.is_some() => self.shared_undo(false),
            Action::Redo if self.sharing.is_some() => self.shared_undo(true),
            Action::ShareBoard => self.open_share_dialog(),
            Action::JoinBoard => self.open_join_dialog(),
            Action::LeaveBoard => match self.sharing {
                Some(_) => self.leave_shared(),
                None => self.notify("This board is not shared", false),
            },
            Action::Undo => match self.doc.undo() {
                Some(m) => {
                    self.forget_deleted();
                    self.notify(m, false)
                }
                None => self.notify("Nothing to undo", false),
            },
            Action::Redo => match self.doc.redo() {
                Some(m) => self.notify(m, false),
                None => self.notify("Nothing to redo", false),
            },
            Action::Copy | Action::Cut => {
                let stickies = self.selected_stickies();
                if stickies.is_empty() {
                    return;
                }
                if let Ok(text) = ron::ser::to_string_pretty(
                    &stickies,
                    ron::ser::PrettyConfig::new().struct_names(false),
                ) {
                    ctx.copy_text(format!("// stormlab stickies\n{text}"));
                    self.notify(format!("Copied {} element(s)", stickies.len()), false);
                }
                if action == Action::Cut {
                    self.edits.push(Edit::Delete {
                        ids: self.selection.iter().copied().collect(),
                    });
                }
            }
            Action::Duplicate => {
                let model = &self.doc.model;
                let context = self
                    .selected_locs()
                    .iter()
                    .find_map(|l| l.context)
                    .and_then(|c| model.contexts.get(c))
                    .or(model.contexts.first())
                    .map(|c| c.uid);
                let stickies = self.selected_stickies();
                if let Some(context) = context
                    && !stickies.is_empty()
                {
                    self.edits.push(Edit::Insert {
                        context,
                        stickies,
                        offset: (30.0, 30.0),
                    });
                }
            }
            Action::Delete => {
                if !self.selection.is_empty() {
                    self.edits.push(Edit::Delete {
                        ids: self.selection.iter().copied().collect(),
                    });
                } else if let Some((from, to)) = self.board.picked_arrow.take() {
                    let model = &self.doc.model;
                    if let (Some(from), Some(to)) = (model.uid_at(from), model.uid_at(to)) {
                        self.edits.push(Edit::Unlink { from, to });
                    }
                }
            }
            Action::SelectAll => {
                self.selection = self
                    .doc
                    .model
                    .elements()
                    .iter()
                    .filter(|e| e.at.is_some() && e.loc.kind != Kind::Context)
                    .map(|e| e.uid)
                    .collect();
            }
            Action::Rename => {
                if let Some(id) = self.selection.iter().next().copied() {
                    self.board.start_rename(&self.doc.model, id);
                }
            }
            Action::Link => match self.selection.iter().next().copied() {
                Some(id) => {
                    self.board.linking_from = Some(id);
                    self.notify("Click the sticky to link to (Escape cancels)", false);
                }
                None => self.notify("Select the sticky to link from first", true),
            },
            Action::Find => self.search = Some(self.search.take().unwrap_or_default()),
            Action::AlignLeft | Action::AlignTop => self.align(action == Action::AlignLeft),
            Action::ZoomIn => self.board.zoom_by(1.25),
            Action::ZoomOut => self.board.zoom_by(0.8),
            Action::ZoomReset => self.board.zoom_reset(),
            Action::Fit => self.board.fit(),
            Action::ToggleTheme => {
                self.prefs.dark = !self.prefs.dark;
                theme::apply(ctx, self.prefs.dark);
            }
            Action::NewContext => {
                let y = self
                    .doc
                    .model
                    .contexts
                    .iter()
                    .map(|c| c.frame.y + c.frame.h)
                    .fold(0.0, f32::max)
                    + 60.0;
                self.edits.push(Edit::CreateContext {
                    frame: crate::model::Rect {
                        x: 0.0,
                        y,
                        w: 1000.0,
                        h: 500.0,
                    },
                });
            }
            Action::Check => self.notify(
                "The model is checked continuously; see the Problems panel",
                false,
            ),
            Action::ExportProtos => {
                if self.windows.export.is_none() {
                    let folder = self
                        .doc
                        .path
                        .as_ref()
                        .and_then(|p| p.parent())
                        .map(|d| d.join("protos").display().to_string())
                        .unwrap_or_default();
                    self.windows.export = Some(ExportView::new(folder));
                }
            }
            Action::CompareSaved => match self.doc.path.clone() {
                Some(p) => self.compare_with(&p, "the last saved version"),
                None => self.notify("The model has not been saved yet", true),
            },
            Action::CompareFile => self.ask_path(ctx, Purpose::Compare),
            Action::RunScenario => {
                self.dock = Some(DockTab::Simulation);
                let (model, revision) = (&self.doc.model, self.doc.revision);
                if self
                    .sim
                    .paused(revision)
                    .is_some_and(|r| r.scenario == self.sim.scenario)
                {
                    self.sim.resume(ctx, model, revision);
                } else {
                    self.sim.start(ctx, model, revision, false);
                }
            }
            Action::PauseRun => {
                if let Some(w) = &self.sim.worker {
                    w.pause();
                }
            }
            Action::StepEvent | Action::StepCommand => {
                self.dock = Some(DockTab::Simulation);
                let stride = if action == Action::StepEvent {
                    Stride::Event
                } else {
                    Stride::Command
                };
                let (model, revision) = (&self.doc.model, self.doc.revision);
                if self.sim.paused(revision).is_some() {
                    self.sim.step_run(model, revision, stride);
                } else if !self.sim.running() {
                    // Nothing paused: start the chosen scenario paused, then take the step.
                    self.sim.start(ctx, model, revision, true);
                    self.sim.step_after_start = Some(stride);
                }
            }
            Action::ResetRun => {
                self.dock = Some(DockTab::Simulation);
                self.sim
                    .start(ctx, &self.doc.model, self.doc.revision, true);
            }
            Action::CheckScenarios => {
                self.windows
                    .checks
                    .start(ctx, &self.doc.model, self.doc.revision)
            }
            Action::NewScenario => {
                self.dock = Some(DockTab::Simulation);
                let edit = self.sim.new_scenario(&self.doc.model);
                self.edits.push(edit);
            }
            Action::EditScenario => {
                self.dock = Some(DockTab::Simulation);
                self.sim.authoring.editor.open = true;
            }
            Action::FaultPlan => {
                self.dock = Some(DockTab::Simulation);
                self.sim.authoring.faults.open = true;
            }
            Action::Sandbox => {
                self.dock = Some(DockTab::Simulation);
                self.sim.authoring.sandbox.open = true;
            }
            Action::SystemInvariants => self.windows.invariants_open = true,
            Action::Explore => {
                self.dock = Some(DockTab::Simulation);
                if self.sim.scenario.is_empty() {
                    self.sim.scenario = self
                        .doc
                        .model
                        .scenarios
                        .first()
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                }
                self.sim.authoring.explore.open = true;
            }
            Action::AutoLayoutContext | Action::AutoLayoutBoard => {
                let context = match action {
                    Action::AutoLayoutContext => match self.selected_context() {
                        Some(c) => Some(c),
                        None => {
                            self.notify(
                                "Select a sticky or a frame of the context to lay out",
                                true,
                            );
                            return;
                        }
                    },
                    _ => None,
                };
                let after = crate::model::autolayout::auto_layout(&self.doc.model, context);
                let moves = crate::model::autolayout::moves(&self.doc.model, &after);
                if moves != Default::default() {
                    self.edits.push(Edit::Place {
                        label: "Auto-Layout".into(),
                        to: moves.stickies,
                        frames: moves.frames,
                    });
                }
            }
            Action::Present => self.present(ctx, self.presenting.is_none()),
            Action::Escape if self.presenting.is_some() => self.present(ctx, false),
            Action::Escape => {
                if self.board.linking_from.take().is_none()
                    && self.board.picked_arrow.take().is_none()
                    && self.search.take().is_none()
                {
                    self.selection.clear();
                }
            }
        }
    }

    pub(super) fn align(&mut self, left: bool) {
        let model = &self.doc.model;
        let positions: Vec<(Uid, Pos)> = self
            .selection
            .iter()
            .filter_map(|&u| {
                let loc = model.locate(u).filter(|l| l.kind != Kind::Context)?;
                Some((u, model.pos_of(loc)?))
            })
            .collect();
        let Some(target) = positions
            .iter()
            .map(|(_, p)| if left { p.x } else { p.y })
            .reduce(f32::min)
        else {
            return;
        };
        let to = positions
            .into_iter()
            .map(|(u, p)| {
                let p = if left {
                    Pos::new(target, p.y)
                } else {
                    Pos::new(p.x, target)
                };
                (u, p)
            })
            .collect();
        self.edits.push(Edit::Place {
            label: "Align".into(),
            to,
            frames: vec![],
        });
    }

    /// Starts or ends presentation mode: panels hidden, type 1.5× larger, the board fitted,
    /// Left/Right step the simulation cursor, Escape or F11 ends it.
    pub(super) fn present(&mut self, ctx: &egui::Context, on: bool) {
        match (on, self.presenting) {
            (true, None) => {
                self.presenting = Some(ctx.zoom_factor());
                self.prefs.zoom_before_presenting = self.presenting;
                ctx.set_zoom_factor(1.5);
                self.selection.clear();
                self.refit_in = 2;
            }
            (false, Some(zoom)) => {
                self.presenting = None;
                self.prefs.zoom_before_presenting = None;
                ctx.set_zoom_factor(zoom);
                self.refit_in = 2;
            }
            _ => {}
        }
    }

    pub(super) fn clipboard_events(
        &mut self,
        ctx: &egui::Context,
        typing: bool,
        actions: &mut Vec<Action>,
    ) {
        if typing {
            return;
        }
        let events = ctx.input(|i| i.events.clone());
        for e in events {
            match e {
                egui::Event::Copy => actions.push(Action::Copy),
                egui::Event::Cut => actions.push(Action::Cut),
                egui::Event::Paste(text) => self.paste(&text),
                _ => {}
            }
        }
    }

    pub(super) fn paste(&mut self, text: &str) {
        let body: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        match ron::Options::default().from_str::<Vec<Sticky>>(&body) {
            Ok(stickies) if !stickies.is_empty() => {
                let model = &self.doc.model;
                let context = self
                    .selected_locs()
                    .iter()
                    .find_map(|l| l.context.or((l.kind == Kind::Context).then_some(l.index)))
                    .and_then(|c| model.contexts.get(c))
                    .or(model.contexts.first())
                    .map(|c| c.uid);
                match context {
                    Some(context) => self.edits.push(Edit::Insert {
                        context,
                        stickies,
                        offset: (40.0, 40.0),
                    }),
                    None => self.notify("Draw a context to paste into first", true),
                }
            }
            _ => self.notify("The clipboard holds no Stormlab stickies", true),
        }
    }

    pub(super) fn nudge(&mut self, ctx: &egui::Context, typing: bool) {
        if typing || self.selection.is_empty() {
            return;
        }
        let step = if ctx.input(|i| i.modifiers.shift) {
            1.0
        } else {
            10.0
        };
        let mut d = (0.0, 0.0);
        ctx.input(|i| {
            if i.key_pressed(Key::ArrowLeft) {
                d.0 -= step;
            }
            if i.key_pressed(Key::ArrowRight) {
                d.0 += step;
            }
            if i.key_pressed(Key::ArrowUp) {
                d.1 -= step;
            }
            if i.key_pressed(Key::ArrowDown) {
                d.1 += step;
            }
        });
        if d != (0.0, 0.0) {
            // A burst of nudges is one undo step: a pause of a second starts the next.
            let gesture = self.edits.nudge(ctx.input(|i| i.time));
            self.edits.push(Edit::Move {
                ids: self.selection.iter().copied().collect(),
                delta: d,
                gesture,
            });
        }
    }
}
