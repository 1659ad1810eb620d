//! The studio application: window layout, menus, the per-frame edit queue, files, prompts.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use egui::Ui;

use crate::app::board::canvas::{Board, Overlay, Selection};
use crate::app::commands::actions::{Action, from_keys};
use crate::app::document::edit::Edit;
use crate::app::document::open::Document;
use crate::app::document::queue::EditQueue;
use crate::app::document::recovery::{self, Autosave};
use crate::app::graphs::GraphKind;
use crate::app::inspector::panel::Inspector;
use crate::app::problems::Problems;
use crate::app::shell::dialogs::Dialogs;
use crate::app::shell::start::EXAMPLES;
use crate::model::access::Sticky;
use crate::model::{Kind, Loc, Model, file};

mod act;
mod files;
mod menus;
mod sharing;
mod windows;

pub use windows::Windows;

use files::{FileSession, mtime};

/// The embedded example model the studio opens by default.
pub const DEFAULT_MODEL: &str = EXAMPLES[0].2;

/// UI preferences kept between runs (eframe storage); documents are saved to files.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// Dark theme.
    pub dark: bool,
    /// Recently opened files, newest first.
    pub recent: Vec<PathBuf>,
    /// While presenting: the UI zoom to go back to (so a studio closed in presentation mode
    /// opens at the zoom it had before).
    pub zoom_before_presenting: Option<f32>,
}

/// What to do once the user has answered "save changes?".
#[derive(Clone, Debug, PartialEq)]
enum AfterPrompt {
    New,
    /// Open a model that is not a file (the starter, an example).
    NewFrom(Box<Model>),
    Open(Option<PathBuf>),
    /// Import a file of another tool (None: ask which).
    Import(crate::app::shell::dialogs::ImportFormat, Option<PathBuf>),
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
    /// The studio's windows: start page, shortcuts, contracts, comparison, graphs, checks.
    pub windows: Windows,
    board: Board,
    /// The selected elements.
    pub selection: Selection,
    /// The edits the views asked for this frame, and the rule grouping them into undo steps.
    edits: EditQueue,
    inspector: Inspector,
    /// Dialogs, prompts, autosave and what is known about the file on disk.
    files: FileSession,
    palette_kind: Kind,
    prefs: Prefs,
    toast: Option<Toast>,
    search: Option<String>,
    /// The Simulation tab.
    pub sim: crate::app::simulation::panel::SimPanel,
    /// Presentation mode: the UI zoom factor to restore when it ends.
    pub presenting: Option<f32>,
    /// Frames until the board is fitted again (a new UI zoom factor takes effect a frame later).
    refit_in: u8,
    title: String,
    dock: Option<DockTab>,
    /// Live diagnostics.
    pub problems: Problems,
    /// The last few actions handled (newest last).
    recent_actions: Vec<Action>,
    /// The board being edited together, while it is.
    pub sharing: Option<crate::app::shell::sharing::Sharing>,
    share_dialog: crate::app::shell::sharing::ShareDialog,
    join_dialog: crate::app::shell::sharing::JoinDialog,
}

impl Studio {
    /// A studio on `model` (stored at `path`), with preferences and the recovery folder given.
    pub fn new(model: Model, path: Option<PathBuf>, prefs: Prefs, recovery_dir: PathBuf) -> Self {
        let recovered = recovery::find(&recovery_dir, path.as_deref()).filter(|r| r.model != model);
        let disk_mtime = path.as_deref().and_then(mtime);
        Self {
            doc: Document::new(model, path),
            windows: Windows::default(),
            board: Board::default(),
            selection: BTreeSet::new(),
            edits: EditQueue::default(),
            inspector: Inspector::default(),
            files: FileSession {
                dialogs: Dialogs::default(),
                typed_path: None,
                prompt: None,
                quitting: false,
                autosave: Autosave::new(recovery_dir),
                recovered,
                disk_mtime,
                watch: None,
                reload_offer: false,
                pending_dialog: None,
            },
            palette_kind: Kind::Event,
            prefs,
            toast: None,
            search: None,
            sim: Default::default(),
            presenting: None,
            refit_in: 0,
            title: String::new(),
            dock: Some(DockTab::Problems),
            recent_actions: Vec::new(),
            problems: Problems::default(),
            sharing: None,
            share_dialog: Default::default(),
            join_dialog: Default::default(),
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

    /// The board's zoom (points per board unit).
    pub fn view_zoom(&self) -> f32 {
        self.board.zoom
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
        if let Some(answer) = self.files.dialogs.poll() {
            self.dialog_answer(answer);
        }
        // Every frame, whatever is shown (presentation mode hides the Simulation tab).
        self.sim.poll(&self.doc.model, self.doc.revision);
        // Colleagues' edits, before anything reads the model.
        self.sync_shared(&ctx);

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
            // Tall enough for a step's whole story, so the fitted board above stays put
            // while the trainer steps through the run.
            egui::Panel::bottom("caption")
                .resizable(false)
                .min_size(210.0)
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
                    _ => 120.0,
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
                .default_size(360.0)
                .min_size(260.0)
                .show(ui, |ui| {
                    // The panel is as wide as the user made it: a wide editor (an aggregate's
                    // handlers) scrolls sideways instead of widening the panel for good.
                    egui::ScrollArea::both().auto_shrink(false).show(ui, |ui| {
                        let one = if self.selection.len() == 1 {
                            self.selection.iter().next().copied()
                        } else {
                            None
                        };
                        if self.selection.len() > 1 {
                            ui.heading(format!("{} selected", self.selection.len()));
                            ui.weak("Move, align, duplicate, copy or delete them together.");
                        } else if let (None, Some((from, to))) = (one, self.board.picked_arrow) {
                            crate::app::inspector::arrow::arrow_ui(
                                ui,
                                &self.doc.model,
                                from,
                                to,
                                self.edits.sink(),
                            );
                        } else {
                            self.inspector.ui(
                                ui,
                                &self.doc.model,
                                self.doc.revision,
                                one,
                                self.edits.sink(),
                            );
                        }
                    });
                });
            let simulating = self.dock == Some(DockTab::Simulation);
            self.board_ui(ui, simulating);
        }
        // The panels' buttons send the same actions as the menus and keys.
        actions.append(&mut self.sim.requested);
        // Following a colleague: their view, and their run (started here when it is not).
        actions.extend(self.follow());
        self.recent_actions.extend_from_slice(&actions);
        let excess = self.recent_actions.len().saturating_sub(16);
        self.recent_actions.drain(..excess);
        for a in actions {
            self.act(&ctx, a);
        }
        self.sharing_windows(&ctx);
        self.apply_edits(&ctx);
        self.share_out(&ctx);
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
        let mut title = self.doc.title();
        if let Some(s) = &self.sharing {
            let others = s.session.peers().count();
            title = format!(
                "{title} — shared in room {} with {others} other{}",
                s.session.address().room,
                if others == 1 { "" } else { "s" }
            );
        }
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
        // The one rule for undo steps (one text box's focus session, one nudge burst, one
        // drag) is the queue's.
        let focus = ctx.memory(|m| m.focused()).map(|f| f.value());
        for edit in self.edits.take(focus) {
            // A sticky just made is named by typing: its placeholder name selected.
            let names_new = matches!(edit, Edit::Create { .. });
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
                        if names_new && let [new] = applied.select[..] {
                            self.board.start_rename(&self.doc.model, new);
                        }
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

    /// The board in the central panel; with `simulating`, the stickies at the simulation
    /// cursor are lit.
    fn board_ui(&mut self, ui: &mut Ui, simulating: bool) {
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.board
                    .arrows
                    .update(&self.doc.model, self.doc.revision, self.doc.structure);
                let mut overlay = Overlay {
                    lit: self.search_hits(),
                    ..Overlay::default()
                };
                if simulating {
                    overlay.lit.extend(self.sim.lit(self.doc.revision));
                    overlay.failed.extend(self.sim.failed(self.doc.revision));
                    overlay.badges = self.sim.badges(self.doc.revision);
                    let now = ui.input(|i| i.time);
                    overlay.path = self
                        .sim
                        .path(self.doc.revision, self.board.arrows.links(), now);
                    if overlay.path.phase.is_some() {
                        ui.ctx().request_repaint();
                    }
                }
                if let Some(s) = &self.sharing {
                    overlay.peers = s.peers();
                }
                let out = self.board.ui(
                    ui,
                    &self.doc.model,
                    &mut self.selection,
                    self.palette_kind,
                    &overlay,
                    self.edits.sink(),
                );
                if let Some(m) = out.message {
                    self.notify(m, false);
                }
            });
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
}

/// The embedded example model (or an empty one, should it ever fail to parse).
pub fn default_model() -> Model {
    file::from_str(DEFAULT_MODEL, "autoservice.ron").unwrap_or_else(|_| Model::new("Untitled"))
}

impl Studio {
    /// Selects `id` and centres the board on it; a scenario opens in the scenario editor.
    pub fn jump_to(&mut self, id: Loc) {
        if id.kind == Kind::Scenario {
            // A scenario is not on the board: open it in the scenario editor.
            if let Some(s) = self.doc.model.scenarios.get(id.index) {
                self.sim.scenario = s.name.clone();
                self.sim.authoring.editor.open = true;
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
