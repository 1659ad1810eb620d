//! The studio application: window layout, menus, the per-frame edit queue, files, prompts.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use egui::{Button, Id, Key, Modal, RichText, Ui};

use crate::app::board::canvas::{Board, Overlay, Selection};
use crate::app::commands::actions::{Action, from_keys};
use crate::app::contracts::{CompareView, ExportView, Request};
use crate::app::document::edit::Edit;
use crate::app::document::open::Document;
use crate::app::document::recovery::{self, Autosave, Recovered};
use crate::app::graphs::{GraphKind, GraphViews};
use crate::app::inspector::panel::Inspector;
use crate::app::problems::Problems;
use crate::app::shell::dialogs::{Dialogs, Purpose};
use crate::app::simulation::worker::Stride;
use crate::app::theme;
use crate::model::access::Sticky;
use crate::model::{Kind, Loc, Model, Pos, Uid, file};

/// The embedded example model the studio opens by default.
pub const DEFAULT_MODEL: &str = include_str!("../../../models/autoservice.ron");

/// UI preferences kept between runs (eframe storage); documents are saved to files.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Dark theme.
    pub dark: bool,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
}

/// What to do once the user has answered "save changes?".
#[derive(Clone, Debug, PartialEq)]
enum AfterPrompt {
    New,
    Open(Option<PathBuf>),
    Quit,
    Revert,
}

/// What the bottom dock shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DockTab {
    Problems,
    Simulation,
    Graph(GraphKind),
}

/// A short message at the bottom of the window.
#[derive(Clone, Debug)]
struct Toast {
    text: String,
    error: bool,
    at: Instant,
}

/// The whole studio.
pub struct Studio {
    /// The open document.
    pub doc: Document,
    board: Board,
    /// The selected elements.
    pub selection: Selection,
    /// Whether Help → Keyboard Shortcuts is shown.
    pub shortcuts_open: bool,
    edits: Vec<Edit>,
    inspector: Inspector,
    palette_kind: Kind,
    prefs: Prefs,
    dialogs: Dialogs,
    typed_path: Option<(Purpose, String, String)>,
    prompt: Option<AfterPrompt>,
    quitting: bool,
    autosave: Autosave,
    recovered: Option<Recovered>,
    toast: Option<Toast>,
    search: Option<String>,
    arrows: (u64, Vec<(Loc, Loc)>),
    disk_mtime: Option<std::time::SystemTime>,
    reload_offer: bool,
    export_view: Option<ExportView>,
    /// The Simulation tab.
    pub sim: crate::app::simulation::panel::SimPanel,
    /// Simulate → Check All Scenarios.
    pub checks: crate::app::simulation::checks::ScenarioChecks,
    /// Presentation mode: the UI zoom factor to restore when it ends.
    pub presenting: Option<f32>,
    /// Frames until the board is fitted again (a new UI zoom factor takes effect a frame later).
    refit_in: u8,
    compare_view: Option<CompareView>,
    pending_dialog: Option<Purpose>,
    title: String,
    dock: Option<DockTab>,
    graphs: GraphViews,
    png_pending: Option<PathBuf>,
    /// Live diagnostics.
    pub problems: Problems,
    /// The text box that had the keyboard focus when edits were last applied, and a count
    /// of focus changes (one text-box session is one undo step).
    typing_in: (Option<Id>, u64),
    /// The last few actions handled (newest last).
    recent_actions: Vec<Action>,
}

impl Studio {
    /// A studio on `model` (stored at `path`), with preferences and the recovery folder given.
    pub fn new(model: Model, path: Option<PathBuf>, prefs: Prefs, recovery_dir: PathBuf) -> Self {
        let recovered = recovery::find(&recovery_dir, path.as_deref()).filter(|r| r.model != model);
        let disk_mtime = path.as_deref().and_then(mtime);
        Self {
            doc: Document::new(model, path),
            board: Board::default(),
            selection: BTreeSet::new(),
            shortcuts_open: false,
            edits: Vec::new(),
            inspector: Inspector::default(),
            palette_kind: Kind::Event,
            prefs,
            dialogs: Dialogs::default(),
            typed_path: None,
            prompt: None,
            quitting: false,
            autosave: Autosave::new(recovery_dir),
            recovered,
            toast: None,
            search: None,
            arrows: (u64::MAX, Vec::new()),
            disk_mtime,
            reload_offer: false,
            export_view: None,
            sim: Default::default(),
            checks: Default::default(),
            presenting: None,
            refit_in: 0,
            compare_view: None,
            pending_dialog: None,
            title: String::new(),
            dock: Some(DockTab::Problems),
            graphs: GraphViews::default(),
            png_pending: None,
            typing_in: (None, 0),
            recent_actions: Vec::new(),
            problems: Problems::default(),
        }
    }

    /// Opens the studio from the command line: `file`, or the embedded example.
    pub fn from_args(file_arg: Option<PathBuf>, prefs: Prefs) -> (Self, Option<String>) {
        let dir = recovery::recovery_dir();
        match file_arg {
            Some(p) => match file::load(&p) {
                Ok(m) => (Self::new(m, Some(p), prefs, dir), None),
                Err(e) => {
                    let mut s = Self::new(default_model(), None, prefs, dir);
                    s.notify(e.to_string(), true);
                    (s, Some(e.to_string()))
                }
            },
            None => (Self::new(default_model(), None, prefs, dir), None),
        }
    }

    /// The board's view (pan and zoom).
    pub fn view(&mut self) -> &mut Board {
        &mut self.board
    }

    /// Opens the Simulation tab in the bottom dock.
    pub fn show_simulation(&mut self) {
        self.dock = Some(DockTab::Simulation);
    }

    /// The last few actions handled (newest last), from menus, keys and panel buttons alike.
    pub fn recent_actions(&self) -> &[Action] {
        &self.recent_actions
    }

    /// The UI preferences, to be stored.
    pub fn prefs(&self) -> &Prefs {
        &self.prefs
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.toast = Some(Toast {
            text: text.into(),
            error,
            at: Instant::now(),
        });
    }

    /// One frame of the studio.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        let typing = ctx.egui_wants_keyboard_input() || self.board.is_renaming();
        let mut actions = from_keys(&ctx, typing);
        self.clipboard_events(&ctx, typing, &mut actions);
        self.nudge(&ctx, typing);
        self.dropped_files(&ctx);
        if let Some(answer) = self.dialogs.poll() {
            self.dialog_answer(answer);
        }
        // Every frame, whatever is shown (presentation mode hides the Simulation tab).
        self.sim.poll(&self.doc.model, self.doc.revision);

        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menu_ui(ui, &mut actions));
        });
        if self.refit_in > 0 {
            self.refit_in -= 1;
            if self.refit_in == 0 {
                self.board.fit();
            }
            ctx.request_repaint();
        }
        if self.presenting.is_some() {
            if !typing {
                self.sim.step_keys(&ctx);
            }
            egui::Panel::bottom("caption")
                .show(ui, |ui| self.sim.caption_ui(ui, self.doc.revision));
            self.board_ui(ui, true);
        } else {
            egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
            if self.dock.is_some() {
                // A graph fills what it is given: give it room to be read.
                // (The first frames' window can be tiny: without a floor, the dock would
                // stay as small as it was then.)
                let min = match self.dock {
                    Some(DockTab::Graph(_)) => 340.0,
                    Some(DockTab::Simulation) => 380.0,
                    _ => 60.0,
                };
                egui::Panel::bottom("dock")
                    .resizable(true)
                    .default_size(320.0)
                    .min_size(min)
                    .show(ui, |ui| self.dock_ui(ui));
            } else {
                egui::Panel::bottom("dock-tabs")
                    .resizable(false)
                    .show(ui, |ui| self.dock_ui(ui));
            }
            egui::Panel::left("palette")
                .resizable(false)
                .exact_size(150.0)
                .show(ui, |ui| self.palette_ui(ui, &mut actions));
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(330.0)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        let one = if self.selection.len() == 1 {
                            self.selection.iter().next().copied()
                        } else {
                            None
                        };
                        if self.selection.len() > 1 {
                            ui.heading(format!("{} selected", self.selection.len()));
                            ui.weak("Move, align, duplicate, copy or delete them together.");
                        } else {
                            self.inspector.ui(
                                ui,
                                &self.doc.model,
                                self.doc.revision,
                                one,
                                &mut self.edits,
                            );
                        }
                    });
                });
            let simulating = self.dock == Some(DockTab::Simulation);
            self.board_ui(ui, simulating);
        }
        // The panels' buttons send the same actions as the menus and keys.
        actions.append(&mut self.sim.requested);
        self.recent_actions.extend_from_slice(&actions);
        let excess = self.recent_actions.len().saturating_sub(16);
        self.recent_actions.drain(..excess);
        for a in actions {
            self.act(&ctx, a);
        }
        self.apply_edits(&ctx);
        // A type picked or added in the context inspector (after its edit is applied).
        if let Some(loc) = self
            .inspector
            .select
            .take()
            .and_then(|u| self.doc.model.locate(u))
        {
            self.jump_to(loc);
        }
        self.windows(&ctx);
        self.close_request(&ctx);
        self.autosave_tick(&ctx);
        let title = self.doc.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    /// Where each selected element is now, in selection order.
    fn selected_locs(&self) -> Vec<Loc> {
        self.selection
            .iter()
            .filter_map(|&u| self.doc.model.locate(u))
            .collect()
    }

    /// Copies of the selected stickies (contexts and other non-stickies left out).
    fn selected_stickies(&self) -> Vec<Sticky> {
        self.selected_locs()
            .into_iter()
            .filter_map(|l| self.doc.model.sticky(l))
            .collect()
    }

    /// Drops deleted elements from the selection; the others stay selected.
    fn forget_deleted(&mut self) {
        let model = &self.doc.model;
        self.selection.retain(|&u| model.locate(u).is_some());
    }

    fn apply_edits(&mut self, ctx: &egui::Context) {
        // The one rule for undo steps made by typing: the edits made while one text box
        // keeps the keyboard focus are one step (a rename, a description, a guard typed key
        // by key); moving the focus starts the next. Drags carry their own gesture.
        let focus = ctx.memory(|m| m.focused());
        if focus != self.typing_in.0 {
            self.typing_in = (focus, self.typing_in.1.wrapping_add(1));
        }
        for mut edit in std::mem::take(&mut self.edits) {
            if let Some(f) = focus
                && edit.gesture().is_none()
            {
                // The box and the time it got the focus: typing in it again later is a
                // new step.
                edit.set_gesture(Id::new((f, self.typing_in.1)).value());
            }
            // Only these can remove elements (a drag does not rescan the selection).
            let removes = matches!(
                edit,
                Edit::Delete { .. }
                    | Edit::Ops { .. }
                    | Edit::ReplaceDocument { .. }
                    | Edit::Revert
            );
            match self.doc.apply(edit) {
                Ok(applied) => {
                    if applied.select.is_empty() {
                        if removes {
                            self.forget_deleted();
                        }
                    } else {
                        self.selection = applied.select.into_iter().collect();
                    }
                    if let Some(m) = applied.message {
                        self.notify(m, false);
                    }
                }
                Err(why) => self.notify(why, true),
            }
        }
    }

    fn act(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::New => self.guard_unsaved(AfterPrompt::New),
            Action::Open => self.guard_unsaved(AfterPrompt::Open(None)),
            Action::Save => self.save(ctx),
            Action::SaveAs => self.ask_path(ctx, Purpose::SaveAs),
            Action::Revert => {
                if self.doc.is_dirty() {
                    self.prompt = Some(AfterPrompt::Revert);
                }
            }
            Action::ExportImage => self.ask_path(ctx, Purpose::ExportImage),
            Action::Quit => self.guard_unsaved(AfterPrompt::Quit),
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
                if self.export_view.is_none() {
                    let folder = self
                        .doc
                        .path
                        .as_ref()
                        .and_then(|p| p.parent())
                        .map(|d| d.join("protos").display().to_string())
                        .unwrap_or_default();
                    self.export_view = Some(ExportView::new(folder));
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
            Action::CheckScenarios => self.checks.start(ctx, &self.doc.model, self.doc.revision),
            Action::NewScenario => {
                self.dock = Some(DockTab::Simulation);
                let edit = self.sim.new_scenario(&self.doc.model);
                self.edits.push(edit);
            }
            Action::EditScenario => {
                self.dock = Some(DockTab::Simulation);
                self.sim.editor.open = true;
            }
            Action::Sandbox => {
                self.dock = Some(DockTab::Simulation);
                self.sim.sandbox.open = true;
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
                if self.board.linking_from.take().is_none() && self.search.take().is_none() {
                    self.selection.clear();
                }
            }
        }
    }

    /// The board in the central panel; with `simulating`, the stickies at the simulation
    /// cursor are lit.
    fn board_ui(&mut self, ui: &mut Ui, simulating: bool) {
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                if self.arrows.0 != self.doc.revision {
                    self.arrows = (
                        self.doc.revision,
                        crate::app::board::arrows::arrows(&self.doc.model),
                    );
                }
                let mut overlay = Overlay {
                    lit: self.search_hits(),
                    ..Overlay::default()
                };
                if simulating {
                    overlay.lit.extend(self.sim.lit(self.doc.revision));
                    overlay.badges = self.sim.badges(self.doc.revision);
                    let now = ui.input(|i| i.time);
                    overlay.path = self.sim.path(self.doc.revision, &self.arrows.1, now);
                    if overlay.path.phase.is_some() {
                        ui.ctx().request_repaint();
                    }
                }
                let out = self.board.ui(
                    ui,
                    &self.doc.model,
                    &self.arrows.1,
                    &mut self.selection,
                    self.palette_kind,
                    &overlay,
                    &mut self.edits,
                );
                if let Some(m) = out.message {
                    self.notify(m, false);
                }
            });
    }

    /// Starts or ends presentation mode: panels hidden, type 1.5× larger, the board fitted,
    /// Left/Right step the simulation cursor, Escape or F11 ends it.
    fn present(&mut self, ctx: &egui::Context, on: bool) {
        match (on, self.presenting) {
            (true, None) => {
                self.presenting = Some(ctx.zoom_factor());
                ctx.set_zoom_factor(1.5);
                self.selection.clear();
                self.refit_in = 2;
            }
            (false, Some(zoom)) => {
                self.presenting = None;
                ctx.set_zoom_factor(zoom);
                self.refit_in = 2;
            }
            _ => {}
        }
    }

    fn align(&mut self, left: bool) {
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

    fn clipboard_events(&mut self, ctx: &egui::Context, typing: bool, actions: &mut Vec<Action>) {
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

    fn paste(&mut self, text: &str) {
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

    fn nudge(&mut self, ctx: &egui::Context, typing: bool) {
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
            self.edits.push(Edit::Move {
                ids: self.selection.iter().copied().collect(),
                delta: d,
                gesture: u64::MAX - 1,
            });
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(path) = dropped
            .into_iter()
            .map(|f| f.path().to_owned())
            .find(|p| p.extension().is_some_and(|e| e == "ron"))
        {
            self.guard_unsaved(AfterPrompt::Open(Some(path)));
        }
    }

    fn search_hits(&self) -> BTreeSet<Loc> {
        match &self.search {
            Some(q) if !q.trim().is_empty() => {
                let q = q.to_lowercase();
                self.doc
                    .model
                    .elements()
                    .iter()
                    .filter(|e| e.at.is_some() && e.name.to_lowercase().contains(&q))
                    .map(|e| e.loc)
                    .collect()
            }
            _ => BTreeSet::new(),
        }
    }

    // ----- files -----

    fn guard_unsaved(&mut self, then: AfterPrompt) {
        if self.doc.is_dirty() {
            self.prompt = Some(then);
        } else {
            self.proceed(then);
        }
    }

    fn proceed(&mut self, then: AfterPrompt) {
        match then {
            AfterPrompt::New => {
                self.autosave.clear(self.doc.path.as_deref());
                self.replace_document(Model::new("Untitled"), None);
            }
            AfterPrompt::Open(Some(path)) => self.open_path(&path),
            AfterPrompt::Open(None) => self.typed_or_dialog(Purpose::Open),
            AfterPrompt::Quit => {
                self.autosave.clear(self.doc.path.as_deref());
                self.quitting = true;
            }
            AfterPrompt::Revert => {
                self.forget_document_views();
                self.edits.push(Edit::Revert);
            }
        }
    }

    fn typed_or_dialog(&mut self, purpose: Purpose) {
        // The dialog is asked for on the next frame, from `ask_path`, which has the context.
        self.pending_dialog = Some(purpose);
    }

    fn replace_document(&mut self, model: Model, path: Option<PathBuf>) {
        self.disk_mtime = path.as_deref().and_then(mtime);
        self.doc = Document::new(model, path);
        self.forget_document_views();
    }

    /// Drops every view of the document that was open (its problems, runs and the badges
    /// they put on stickies, selection, editors, pending edits, caches), so nothing of one
    /// model is ever shown on, or applied to, another. Called when a document is opened,
    /// created, reverted, reloaded or recovered.
    fn forget_document_views(&mut self) {
        self.edits.clear();
        self.selection.clear();
        self.board = Board::default();
        self.inspector = Inspector::default();
        self.problems = Problems::default();
        self.sim = Default::default();
        self.checks = Default::default();
        self.graphs = GraphViews::default();
        self.search = None;
        self.export_view = None;
        self.compare_view = None;
        self.arrows.0 = u64::MAX;
    }

    /// Opens `path`, replacing the document; a bad file leaves the current one open.
    pub fn open_path(&mut self, path: &Path) {
        match file::load(path) {
            Ok(m) => {
                self.autosave.clear(self.doc.path.as_deref());
                self.recovered =
                    recovery::find(&recovery::recovery_dir(), Some(path)).filter(|r| r.model != m);
                self.replace_document(m, Some(path.to_owned()));
                self.remember(path);
                self.notify(format!("Opened {}", path.display()), false);
            }
            Err(e) => self.notify(e.to_string(), true),
        }
    }

    fn remember(&mut self, path: &Path) {
        let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.prefs.recent.retain(|r| *r != p);
        self.prefs.recent.insert(0, p);
        self.prefs.recent.truncate(10);
    }

    fn save(&mut self, ctx: &egui::Context) {
        match self.doc.path.clone() {
            Some(p) => self.save_to(&p),
            None => self.ask_path(ctx, Purpose::SaveAs),
        }
    }

    /// Saves atomically to `path`; on failure the old file stays and the error is shown.
    pub fn save_to(&mut self, path: &Path) {
        match file::save(path, &self.doc.model) {
            Ok(()) => {
                self.autosave.clear(self.doc.path.as_deref());
                self.autosave.clear(Some(path));
                self.doc.mark_saved(path.to_owned());
                self.disk_mtime = mtime(path);
                self.remember(path);
                self.notify(format!("Saved {}", path.display()), false);
            }
            Err(e) => self.notify(format!("{e} — the previous file is unchanged"), true),
        }
    }

    fn ask_path(&mut self, ctx: &egui::Context, purpose: Purpose) {
        let dir = self
            .doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_owned));
        let name = match purpose {
            Purpose::SaveAs => Some(format!(
                "{}.ron",
                crate::model::naming::snake_case(&self.doc.model.name)
            )),
            Purpose::ExportImage => Some("board.svg".into()),
            _ => None,
        };
        self.dialogs.open(ctx, purpose, dir, name);
    }

    fn dialog_answer(&mut self, a: crate::app::shell::dialogs::Answer) {
        match a.path {
            Some(p) => self.use_path(a.purpose, &p),
            None if a.no_backend => {
                let default = match a.purpose {
                    Purpose::SaveAs => self
                        .doc
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "model.ron".into()),
                    _ => String::new(),
                };
                self.typed_path = Some((a.purpose, default, "No file dialog is available on this desktop (no portal answered). Type a path:".into()));
            }
            None => {}
        }
    }

    fn use_path(&mut self, purpose: Purpose, p: &Path) {
        match purpose {
            Purpose::Open => self.open_path(p),
            Purpose::SaveAs => self.save_to(p),
            Purpose::ExportImage => {
                let ext = p
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                match ext.as_str() {
                    "svg" => {
                        let only = (!self.selection.is_empty()).then_some(&self.selection);
                        match crate::app::board::image::export_svg(&self.doc.model, only, p) {
                            Ok(()) => self.notify(
                                format!(
                                    "Exported {} to {}",
                                    if only.is_some() {
                                        "the selection"
                                    } else {
                                        "the board"
                                    },
                                    p.display()
                                ),
                                false,
                            ),
                            Err(e) => self.notify(e, true),
                        }
                    }
                    "png" => self.png_pending = Some(p.to_owned()),
                    _ => self.notify(
                        format!("{}: choose a name ending in .svg or .png", p.display()),
                        true,
                    ),
                }
            }
            Purpose::ExportFolder => {
                let folder = p.display().to_string();
                let view = self.export_view.get_or_insert_with(ExportView::default);
                view.folder = folder;
                match view.export(p) {
                    Ok(s) => self.notify(s, false),
                    Err(e) => self.notify(e, true),
                }
            }
            Purpose::Compare => {
                let name = p.display().to_string();
                self.compare_with(p, &name);
            }
        }
    }

    // ----- periodic work -----

    /// PNG export: ask for a screenshot, then crop it to the board when it arrives.
    fn screenshot(&mut self, ctx: &egui::Context) {
        if let Some(path) = self.png_pending.take() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(egui::UserData::new(path)));
        }
        let shot = ctx.input(|i| {
            i.raw.events.iter().find_map(|e| match e {
                egui::Event::Screenshot {
                    image, user_data, ..
                } => user_data
                    .data
                    .as_ref()
                    .and_then(|d| d.downcast_ref::<PathBuf>())
                    .map(|p| (image.clone(), p.clone())),
                _ => None,
            })
        });
        if let Some((image, path)) = shot {
            let ppp = ctx.pixels_per_point();
            let r = self.board.canvas();
            let px = egui::Rect::from_min_max(
                (r.min.to_vec2() * ppp).to_pos2(),
                (r.max.to_vec2() * ppp).to_pos2(),
            );
            match crate::app::board::image::export_png(&image, px, &path) {
                Ok(()) => self.notify(format!("Exported the board to {}", path.display()), false),
                Err(e) => self.notify(e, true),
            }
        }
    }

    fn autosave_tick(&mut self, ctx: &egui::Context) {
        self.screenshot(ctx);
        if let Some(after) = self.problems.tick(ctx, &self.doc.model, self.doc.revision) {
            ctx.request_repaint_after(after);
        }
        if let Some(purpose) = self.pending_dialog.take() {
            self.ask_path(ctx, purpose);
        }
        let due = self.autosave.tick(
            &self.doc.model,
            self.doc.path.as_deref(),
            self.doc.revision,
            self.doc.is_dirty(),
        );
        if let Some(d) = due {
            ctx.request_repaint_after(d);
        }
        // Changed on disk by someone else?
        if let Some(p) = &self.doc.path
            && let Some(now) = mtime(p)
            && self.disk_mtime.is_some_and(|t| t != now)
        {
            self.disk_mtime = Some(now);
            self.reload_offer = true;
        }
        if let Some(t) = &self.toast
            && t.at.elapsed().as_secs_f32() < 6.0
        {
            ctx.request_repaint_after(std::time::Duration::from_secs(6) - t.at.elapsed());
        }
    }

    fn close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.quitting {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.prompt = Some(AfterPrompt::Quit);
            } else {
                self.autosave.clear(self.doc.path.as_deref());
            }
        }
        if self.quitting {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// The embedded example model (or an empty one, should it ever fail to parse).
pub fn default_model() -> Model {
    file::from_str(DEFAULT_MODEL, "autoservice.ron").unwrap_or_else(|_| Model::new("Untitled"))
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

impl Studio {
    fn menu_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
        let has_sel = !self.selection.is_empty();
        ui.menu_button("File", |ui| {
            item(ui, Action::New, true, actions);
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
            ui.separator();
            item(ui, Action::Save, true, actions);
            item(ui, Action::SaveAs, true, actions);
            item(ui, Action::Revert, self.doc.is_dirty(), actions);
            ui.separator();
            item(ui, Action::ExportImage, true, actions);
            ui.separator();
            item(ui, Action::Quit, true, actions);
        });
        ui.menu_button("Edit", |ui| {
            let undo = self
                .doc
                .history
                .undo_label()
                .map(|l| format!("Undo {l}"))
                .unwrap_or_else(|| "Undo".into());
            let redo = self
                .doc
                .history
                .redo_label()
                .map(|l| format!("Redo {l}"))
                .unwrap_or_else(|| "Redo".into());
            item_labelled(
                ui,
                &undo,
                Action::Undo,
                self.doc.history.undo_label().is_some(),
                actions,
            );
            item_labelled(
                ui,
                &redo,
                Action::Redo,
                self.doc.history.redo_label().is_some(),
                actions,
            );
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
                !self.doc.model.scenarios.is_empty() && !self.checks.running(),
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
            item(ui, Action::Sandbox, true, actions);
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard Shortcuts").clicked() {
                self.shortcuts_open = true;
            }
            ui.separator();
            ui.label(format!("Stormlab {}", env!("CARGO_PKG_VERSION")));
            ui.weak("Double-click the board: new sticky · drag a sticky's blue handle (or Alt+drag): link · F2: rename · Space+drag or middle-drag: pan · Ctrl+wheel: zoom");
        });
    }

    fn dock_ui(&mut self, ui: &mut Ui) {
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
            Some(DockTab::Problems) => {
                if let Some(id) = self.problems.ui(ui) {
                    self.jump_to(id);
                }
            }
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
                    self.graphs
                        .ui(ui, tab, &self.doc.model, self.doc.revision, selected)
                {
                    self.jump_to(id);
                }
            }
            None => {}
        }
    }

    fn palette_ui(&mut self, ui: &mut Ui, actions: &mut Vec<Action>) {
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

    fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let file = self
                .doc
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "embedded example (not saved)".into());
            ui.label(file);
            if self.doc.is_dirty() {
                ui.label(RichText::new("⚫ unsaved").color(theme::tokens(ui).warning));
            }
            ui.separator();
            ui.label(format!("{} elements", self.doc.model.element_count()));
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
            if let Some(e) = &self.autosave.error {
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

    /// The context of the selection: a selected frame, or the context of the selected stickies
    /// if they all share one.
    fn selected_context(&self) -> Option<usize> {
        let mut contexts = self.selected_locs().into_iter().map(|id| match id.kind {
            Kind::Context => Some(id.index),
            _ => id.context,
        });
        let first = contexts.next()??;
        contexts.all(|c| c == Some(first)).then_some(first)
    }

    /// Opens the Compare window against the model in `path`.
    fn compare_with(&mut self, path: &Path, label: &str) {
        match file::load(path) {
            Ok(old) => self.compare_view = Some(CompareView::new(label.to_owned(), &old)),
            Err(e) => self.notify(e.to_string(), true),
        }
    }

    /// The Export Protos and Compare windows.
    fn contract_windows(&mut self, ctx: &egui::Context) {
        let mut request = None;
        if let Some(view) = &mut self.export_view {
            let mut open = true;
            egui::Window::new("Export Protos")
                .open(&mut open)
                .default_pos([170.0, 60.0])
                .default_size([900.0, 600.0])
                .show(ctx, |ui| {
                    request = view.ui(ui, &self.doc.model, self.doc.revision);
                });
            if !open {
                self.export_view = None;
            }
        }
        if let Some(view) = &mut self.compare_view {
            let mut open = true;
            egui::Window::new("Compare Contracts")
                .open(&mut open)
                .default_pos([230.0, 120.0])
                .default_size([800.0, 460.0])
                .show(ctx, |ui| {
                    if let Some(r) = view.ui(ui, &self.doc.model, self.doc.revision) {
                        request = Some(r);
                    }
                });
            if !open {
                self.compare_view = None;
            }
        }
        match request {
            Some(Request::ChooseFolder) => self.ask_path(ctx, Purpose::ExportFolder),
            Some(Request::ChooseModel) => self.ask_path(ctx, Purpose::Compare),
            Some(Request::Jump(id)) => self.jump_to(id),
            Some(Request::Export(folder)) => {
                let dir = PathBuf::from(folder);
                if let Some(view) = &mut self.export_view {
                    match view.export(&dir) {
                        Ok(s) => self.notify(s, false),
                        Err(e) => self.notify(e, true),
                    }
                }
            }
            None => {}
        }
    }

    fn windows(&mut self, ctx: &egui::Context) {
        self.contract_windows(ctx);
        egui::Window::new("Keyboard shortcuts")
            .open(&mut self.shortcuts_open)
            .collapsible(false)
            .default_pos(egui::pos2(360.0, 60.0))
            .show(ctx, crate::app::commands::shortcuts::ui);
        if self.checks.open
            && let Some(name) = self.checks.window(ctx, &self.doc.model, self.doc.revision)
        {
            self.sim.scenario = name;
            self.dock = Some(DockTab::Simulation);
            self.sim
                .start(ctx, &self.doc.model, self.doc.revision, false);
        }
        if let Some(then) = self.prompt.clone() {
            let mut choice = None;
            Modal::new(Id::new("unsaved-prompt")).show(ctx, |ui| {
                ui.heading("Save changes?");
                ui.label(format!("“{}” has unsaved changes.", self.doc.model.name));
                ui.horizontal(|ui| {
                    if then != AfterPrompt::Revert && ui.button("Save").clicked() {
                        choice = Some(0);
                    }
                    if ui
                        .button(if then == AfterPrompt::Revert {
                            "Revert"
                        } else {
                            "Don't Save"
                        })
                        .clicked()
                    {
                        choice = Some(1);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        choice = Some(2);
                    }
                });
            });
            match choice {
                Some(0) => {
                    self.prompt = None;
                    self.save(ctx);
                    if !self.doc.is_dirty() {
                        self.proceed(then);
                    }
                }
                Some(1) => {
                    self.prompt = None;
                    self.proceed(then);
                }
                Some(_) => self.prompt = None,
                None => {}
            }
        }
        if let Some(rec) = self.recovered.clone() {
            let mut choice = None;
            Modal::new(Id::new("recovery")).show(ctx, |ui| {
                ui.heading("Recover unsaved work?");
                ui.label(format!(
                    "Stormlab did not close cleanly. A recovered version of “{}” was found.",
                    rec.model.name
                ));
                ui.horizontal(|ui| {
                    if ui.button("Recover").clicked() {
                        choice = Some(true);
                    }
                    if ui.button("Discard").clicked() {
                        choice = Some(false);
                    }
                });
            });
            match choice {
                Some(true) => {
                    self.recovered = None;
                    self.forget_document_views();
                    self.edits.push(Edit::ReplaceDocument {
                        label: "Recover".into(),
                        model: Box::new(rec.model),
                    });
                    self.notify("Recovered the unsaved board; save it to keep it", false);
                }
                Some(false) => {
                    self.recovered = None;
                    let _ = std::fs::remove_file(&rec.file);
                }
                None => {}
            }
        }
        if self.reload_offer {
            let mut choice = None;
            Modal::new(Id::new("reload")).show(ctx, |ui| {
                ui.heading("File changed on disk");
                ui.label("The model file was changed by another program. Reload it?");
                if self.doc.is_dirty() {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        "Reloading discards your unsaved changes (Undo brings them back).",
                    );
                }
                ui.horizontal(|ui| {
                    if ui.button("Reload").clicked() {
                        choice = Some(true);
                    }
                    if ui.button("Keep mine").clicked() {
                        choice = Some(false);
                    }
                });
            });
            if let Some(reload) = choice {
                self.reload_offer = false;
                if reload && let Some(p) = self.doc.path.clone() {
                    match file::load(&p) {
                        Ok(m) => {
                            self.forget_document_views();
                            self.edits.push(Edit::ReplaceDocument {
                                label: "Reload".into(),
                                model: Box::new(m),
                            });
                        }
                        Err(e) => self.notify(e.to_string(), true),
                    }
                }
            }
        }
        if let Some((purpose, mut text, why)) = self.typed_path.take() {
            let mut done = None;
            Modal::new(Id::new("typed-path")).show(ctx, |ui| {
                ui.heading(purpose.title());
                ui.label(&why);
                let r = ui.add(
                    egui::TextEdit::singleline(&mut text)
                        .desired_width(420.0)
                        .id_salt("typed-path-input"),
                );
                r.request_focus();
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(Key::Enter)) {
                        done = Some(true);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        done = Some(false);
                    }
                });
            });
            match done {
                Some(true) if !text.trim().is_empty() => {
                    self.use_path(purpose, Path::new(text.trim()))
                }
                Some(_) => {}
                None => self.typed_path = Some((purpose, text, why)),
            }
        }
        if let Some(mut q) = self.search.take() {
            let mut keep = true;
            egui::Window::new("Find")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 60.0))
                .show(ctx, |ui| {
                    let r = ui.add(
                        egui::TextEdit::singleline(&mut q)
                            .hint_text("name of a sticky…")
                            .id_salt("find-input"),
                    );
                    r.request_focus();
                    let model = &self.doc.model;
                    let hits: Vec<(Loc, String)> = model
                        .elements()
                        .into_iter()
                        .filter(|e| {
                            !q.is_empty()
                                && e.at.is_some()
                                && e.name.to_lowercase().contains(&q.to_lowercase())
                        })
                        .take(12)
                        .map(|e| {
                            let ctx = e
                                .loc
                                .context
                                .and_then(|c| model.contexts.get(c))
                                .map(|c| c.name.as_str())
                                .unwrap_or("");
                            (e.loc, format!("{} {} — {ctx}", e.loc.kind.label(), e.name))
                        })
                        .collect();
                    let mut jump = None;
                    for (id, label) in &hits {
                        if ui.button(label).clicked() {
                            jump = Some(*id);
                        }
                    }
                    if ui.input(|i| i.key_pressed(Key::Enter)) {
                        jump = jump.or(hits.first().map(|h| h.0));
                    }
                    if let Some(id) = jump {
                        self.jump_to(id);
                        keep = false;
                    }
                    if ui.input(|i| i.key_pressed(Key::Escape)) {
                        keep = false;
                    }
                });
            if keep {
                self.search = Some(q);
            }
        }
    }

    /// Selects `id` and centres the board on it; a scenario opens in the scenario editor.
    pub fn jump_to(&mut self, id: Loc) {
        if id.kind == Kind::Scenario {
            // A scenario is not on the board: open it in the scenario editor.
            if let Some(s) = self.doc.model.scenarios.get(id.index) {
                self.sim.scenario = s.name.clone();
                self.sim.editor.open = true;
                self.dock = Some(DockTab::Simulation);
            }
            return;
        }
        let Some(uid) = self.doc.model.uid_at(id) else {
            return;
        };
        self.selection.clear();
        self.selection.insert(uid);
        self.board.center_on(&self.doc.model, uid);
    }
}
