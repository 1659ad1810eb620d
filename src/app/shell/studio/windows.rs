//! The studio's floating windows: export and compare contracts, scenario checks, the
//! shortcuts, prompts, recovery and reload offers, find.

use std::path::{Path, PathBuf};

use egui::{Id, Key, Modal};

use super::{AfterPrompt, DockTab, Studio};
use crate::app::contracts::ExportView;
use crate::app::contracts::{CompareView, Request};
use crate::app::document::edit::Edit;
use crate::app::graphs::GraphViews;
use crate::app::shell::dialogs::Purpose;
use crate::app::shell::start::{EXAMPLES, StartChoice, StartPage};
use crate::app::simulation::checks::ScenarioChecks;
use crate::model::{Kind, Loc, file};

/// The studio's windows that are not the document's editors: the start page, the shortcuts,
/// the contract export and comparison, the graphs and the scenario checks.
#[derive(Default)]
pub struct Windows {
    /// The start page (shown on a first run without a file).
    pub start: StartPage,
    /// Whether Help → Keyboard Shortcuts is shown.
    pub shortcuts_open: bool,
    /// Model → Export Contracts (protos or AsyncAPI).
    pub(super) export: Option<ExportView>,
    /// Contracts → Compare with….
    pub(super) compare: Option<CompareView>,
    /// The context map and flow graph.
    pub(super) graphs: GraphViews,
    /// Simulate → Check All Scenarios.
    pub checks: ScenarioChecks,
    /// Model → System Invariants….
    pub invariants_open: bool,
    /// After File → Import…: the file, how its notes name places, and the notes.
    pub(super) import_notes: Option<(String, &'static str, Vec<String>)>,
}

impl Windows {
    /// Drops what belongs to the document that was open (its graphs, checks, exports).
    pub(super) fn forget_document(&mut self) {
        self.checks = ScenarioChecks::default();
        self.graphs = GraphViews::default();
        self.export = None;
        self.compare = None;
        self.import_notes = None;
    }
}

impl Studio {
    /// Opens what was picked on the start page (asking about unsaved changes first).
    fn start_with(&mut self, choice: StartChoice) {
        let example = |i: usize| {
            let (_, file, text) = EXAMPLES.get(i)?;
            file::from_str(text, file).ok()
        };
        match choice {
            StartChoice::Blank => self.guard_unsaved(AfterPrompt::New),
            StartChoice::Starter => {
                let starter = crate::model::template::starter();
                self.guard_unsaved(AfterPrompt::NewFrom(Box::new(starter)));
            }
            StartChoice::Example(i) => match example(i) {
                Some(m) => self.guard_unsaved(AfterPrompt::NewFrom(Box::new(m))),
                None => self.notify("That example could not be read", true),
            },
            StartChoice::Recent(p) => self.guard_unsaved(AfterPrompt::Open(Some(p))),
        }
    }

    /// The context of the selection: a selected frame, or the context of the selected stickies
    /// if they all share one.
    pub(super) fn selected_context(&self) -> Option<usize> {
        let mut contexts = self.selected_locs().into_iter().map(|id| match id.kind {
            Kind::Context => Some(id.index),
            _ => id.context,
        });
        let first = contexts.next()??;
        contexts.all(|c| c == Some(first)).then_some(first)
    }

    /// Model → System Invariants…: the model's own invariants, about the whole system; a
    /// change is one undoable edit of the model's properties.
    fn system_invariants(&mut self, ctx: &egui::Context) {
        let mut open = self.windows.invariants_open;
        let mut list = self.doc.model.invariants.clone();
        let mut changed = false;
        egui::Window::new("System invariants")
            .id(Id::new("system-invariants"))
            .open(&mut open)
            .default_pos(egui::pos2(300.0, 120.0))
            .default_width(460.0)
            .show(ctx, |ui| {
                let scope = crate::model::scopes::system_scope();
                let names = (
                    "parked (messages in dead-letter queues), rejected (commands), events, now, \
                     lookup(ReadModel, key)",
                    false,
                );
                changed = crate::app::inspector::invariants::invariants_ui(
                    ui,
                    &self.doc.model,
                    &mut list,
                    &scope,
                    names,
                );
            });
        self.windows.invariants_open = open;
        if changed {
            let mut props = crate::model::op::ModelProps::of(&self.doc.model);
            props.invariants = list;
            self.edits.push(Edit::Ops {
                label: "Edit system invariants".into(),
                ops: vec![crate::model::op::Op::SetModel(Box::new(props))],
                gesture: None,
            });
        }
    }

    /// Opens the Compare window against the model in `path`.
    pub(super) fn compare_with(&mut self, path: &Path, label: &str) {
        match file::load(path) {
            Ok(old) => self.windows.compare = Some(CompareView::new(label.to_owned(), &old)),
            Err(e) => self.notify(e.to_string(), true),
        }
    }

    /// The Export Contracts and Compare windows.
    pub(super) fn contract_windows(&mut self, ctx: &egui::Context) {
        let mut request = None;
        if let Some(view) = &mut self.windows.export {
            let mut open = true;
            egui::Window::new("Export Contracts")
                .open(&mut open)
                .default_pos([170.0, 60.0])
                .default_size([900.0, 600.0])
                .show(ctx, |ui| {
                    request = view.ui(ui, &self.doc.model, self.doc.revision);
                });
            if !open {
                self.windows.export = None;
            }
        }
        if let Some(view) = &mut self.windows.compare {
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
                self.windows.compare = None;
            }
        }
        match request {
            Some(Request::ChooseFolder) => self.ask_path(ctx, Purpose::ExportFolder),
            Some(Request::ChooseModel) => self.ask_path(ctx, Purpose::Compare),
            Some(Request::Jump(id)) => self.jump_to(id),
            Some(Request::Export(folder)) => {
                let dir = PathBuf::from(folder);
                if let Some(view) = &mut self.windows.export {
                    match view.export(&dir) {
                        Ok(s) => self.notify(s, false),
                        Err(e) => self.notify(e, true),
                    }
                }
            }
            None => {}
        }
    }

    /// The notes of the last import: what the board does not hold as the file wrote it,
    /// each with its place in the file.
    fn import_notes_window(&mut self, ctx: &egui::Context) {
        let Some((file, places, notes)) = &self.windows.import_notes else {
            return;
        };
        let mut open = true;
        egui::Window::new("Import notes")
            .id(Id::new("import-notes"))
            .open(&mut open)
            .default_pos(egui::pos2(260.0, 100.0))
            .default_size([720.0, 360.0])
            .show(ctx, |ui| {
                if notes.is_empty() {
                    ui.label(format!("Everything in {file} is on the board."));
                    return;
                }
                ui.label(format!(
                    "{} thing(s) in {file} are not on the board as written ({places}):",
                    notes.len()
                ));
                if ui.button("Copy").clicked() {
                    ui.ctx().copy_text(
                        notes
                            .iter()
                            .map(|n| format!("{file}:{n}\n"))
                            .collect::<String>(),
                    );
                }
                egui::ScrollArea::vertical().show(ui, |ui| {
                    for n in notes {
                        ui.label(egui::RichText::new(n).monospace());
                    }
                });
            });
        if !open {
            self.windows.import_notes = None;
        }
    }

    pub(super) fn windows(&mut self, ctx: &egui::Context) {
        self.contract_windows(ctx);
        self.import_notes_window(ctx);
        if let Some(choice) = self.windows.start.window(ctx, &self.prefs.recent) {
            self.start_with(choice);
        }
        self.system_invariants(ctx);
        egui::Window::new("Keyboard shortcuts")
            .open(&mut self.windows.shortcuts_open)
            .collapsible(false)
            .default_pos(egui::pos2(360.0, 60.0))
            .show(ctx, crate::app::commands::shortcuts::ui);
        if self.windows.checks.open
            && let Some(name) = self
                .windows
                .checks
                .window(ctx, &self.doc.model, self.doc.revision)
        {
            self.sim.scenario = name;
            self.dock = Some(DockTab::Simulation);
            self.sim
                .start(ctx, &self.doc.model, self.doc.revision, false);
        }
        if let Some(then) = self.files.prompt.clone() {
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
                    self.files.prompt = None;
                    self.save(ctx);
                    if !self.doc.is_dirty() {
                        self.proceed(then);
                    }
                }
                Some(1) => {
                    self.files.prompt = None;
                    self.proceed(then);
                }
                Some(_) => self.files.prompt = None,
                None => {}
            }
        }
        if let Some(rec) = self.files.recovered.clone() {
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
                    self.files.recovered = None;
                    self.forget_document_views();
                    self.edits.push(Edit::ReplaceDocument {
                        label: "Recover".into(),
                        model: Box::new(rec.model),
                    });
                    self.notify("Recovered the unsaved board; save it to keep it", false);
                }
                Some(false) => {
                    self.files.recovered = None;
                    let _ = std::fs::remove_file(&rec.file);
                }
                None => {}
            }
        }
        if self.files.reload_offer {
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
                self.files.reload_offer = false;
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
        if let Some((purpose, mut text, why)) = self.files.typed_path.take() {
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
                None => self.files.typed_path = Some((purpose, text, why)),
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
}
