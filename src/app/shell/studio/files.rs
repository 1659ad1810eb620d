//! The studio's files: open, save, revert, reload, prompts about unsaved changes, file
//! dialogs and typed paths, autosave, screenshots, closing the window.

use std::path::{Path, PathBuf};

use super::{AfterPrompt, Studio};
use crate::app::board::canvas::Board;
use crate::app::contracts::ExportView;
use crate::app::document::edit::Edit;
use crate::app::document::open::Document;
use crate::app::document::recovery::{self, Autosave, Recovered};
use crate::app::inspector::panel::Inspector;
use crate::app::problems::Problems;
use crate::app::shell::dialogs::{Dialogs, ImportFormat, Purpose};
use crate::model::{Model, file};

/// The studio's dealings with files: pending dialogs and prompts, autosave and recovery,
/// and what is known about the open file on disk.
pub(super) struct FileSession {
    pub(super) dialogs: Dialogs,
    /// A path being typed (when no file dialog is available): purpose, text, error.
    pub(super) typed_path: Option<(Purpose, String, String)>,
    /// "Save changes?" is asked; what to do after.
    pub(super) prompt: Option<AfterPrompt>,
    /// The window closes once the prompt is answered.
    pub(super) quitting: bool,
    pub(super) autosave: Autosave,
    /// A recovery file newer than the document, offered on start.
    pub(super) recovered: Option<Recovered>,
    /// When the open file was last modified on disk (to notice edits from elsewhere).
    pub(super) disk_mtime: Option<std::time::SystemTime>,
    /// Wakes the studio when the open file may have changed on disk.
    pub(super) watch: Option<crate::app::document::watch::DiskWatch>,
    /// The file changed on disk: reloading it is offered.
    pub(super) reload_offer: bool,
    /// A file dialog to open once the prompt is answered.
    pub(super) pending_dialog: Option<Purpose>,
}

impl Studio {
    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        let ext = |p: &Path| p.extension().map(|e| e.to_string_lossy().to_lowercase());
        if let Some(path) = dropped
            .into_iter()
            .map(|f| f.path().to_owned())
            .find(|p| matches!(ext(p).as_deref(), Some("ron" | "cml")))
        {
            if ext(&path).as_deref() == Some("cml") {
                self.guard_unsaved(AfterPrompt::Import(ImportFormat::Cml, Some(path)));
            } else {
                self.guard_unsaved(AfterPrompt::Open(Some(path)));
            }
        }
    }

    pub(super) fn guard_unsaved(&mut self, then: AfterPrompt) {
        if self.doc.is_dirty() {
            self.files.prompt = Some(then);
        } else {
            self.proceed(then);
        }
    }

    pub(super) fn proceed(&mut self, then: AfterPrompt) {
        match then {
            AfterPrompt::New => {
                self.files.autosave.clear(self.doc.path.as_deref());
                self.replace_document(Model::new("Untitled"), None);
            }
            AfterPrompt::NewFrom(model) => {
                self.files.autosave.clear(self.doc.path.as_deref());
                self.replace_document(*model, None);
            }
            AfterPrompt::Open(Some(path)) => self.open_path(&path),
            AfterPrompt::Open(None) => self.typed_or_dialog(Purpose::Open),
            AfterPrompt::Import(format, Some(path)) => self.import_file(&path, format),
            AfterPrompt::Import(format, None) => self.typed_or_dialog(Purpose::Import(format)),
            AfterPrompt::Quit => {
                self.files.autosave.clear(self.doc.path.as_deref());
                self.files.quitting = true;
            }
            AfterPrompt::Revert => {
                self.forget_document_views();
                self.edits.push(Edit::Revert);
            }
        }
    }

    pub(super) fn typed_or_dialog(&mut self, purpose: Purpose) {
        // The dialog is asked for on the next frame, from `ask_path`, which has the context.
        self.files.pending_dialog = Some(purpose);
    }

    pub(super) fn replace_document(&mut self, model: Model, path: Option<PathBuf>) {
        // Another board: a shared one is left (it stays in the room for the others).
        self.leave_shared();
        self.files.disk_mtime = path.as_deref().and_then(mtime);
        self.doc = Document::new(model, path);
        self.forget_document_views();
    }

    /// Drops every view of the document that was open (its problems, runs and the badges
    /// they put on stickies, selection, editors, pending edits, caches), so nothing of one
    /// model is ever shown on, or applied to, another. Called when a document is opened,
    /// created, reverted, reloaded or recovered.
    pub(super) fn forget_document_views(&mut self) {
        self.edits.clear();
        self.selection.clear();
        self.board = Board::default();
        self.inspector = Inspector::default();
        self.problems = Problems::default();
        self.sim = Default::default();
        self.windows.forget_document();
        self.search = None;
    }

    /// Opens `path`, replacing the document; a bad file leaves the current one open.
    pub fn open_path(&mut self, path: &Path) {
        match file::load(path) {
            Ok(m) => {
                self.files.autosave.clear(self.doc.path.as_deref());
                self.files.recovered =
                    recovery::find(&recovery::recovery_dir(), Some(path)).filter(|r| r.model != m);
                self.replace_document(m, Some(path.to_owned()));
                self.remember(path);
                self.notify(format!("Opened {}", path.display()), false);
            }
            Err(e) => self.notify(e.to_string(), true),
        }
    }

    /// Imports the Context Mapper (`.cml`) or Event Modeling (`.json`) file `path` as a new,
    /// unsaved board (Save asks where), with a window listing what the model could not
    /// hold; a file that is not of the format leaves the current board open and says where
    /// it is broken.
    pub fn import_file(&mut self, path: &Path, format: ImportFormat) {
        let text = match file::read_text(path) {
            Ok(t) => t,
            Err(e) => return self.notify(e.to_string(), true),
        };
        let stem = path
            .file_stem()
            .map_or_else(|| "Imported".into(), |s| s.to_string_lossy().into_owned());
        let shown = path.display();
        let read = match format {
            ImportFormat::Cml => crate::interop::cml::import(&text, &stem)
                .map(|i| {
                    let notes = i.notes.iter().map(|n| {
                        let at = crate::model::locate::line_col(&text, n.span.start);
                        format!("{}:{}: {}", at.line, at.col, n.message)
                    });
                    (
                        i.model,
                        "line:column in the file",
                        notes.collect::<Vec<_>>(),
                    )
                })
                .map_err(|e| {
                    let at = crate::model::locate::line_col(&text, e.span.start);
                    format!("{shown}:{}:{}: not CML: {e}", at.line, at.col)
                }),
            ImportFormat::EventModeling => crate::interop::event_modeling::import(&text, &stem)
                .map(|i| (i.model, "where in the export's slices", i.notes))
                .map_err(|e| format!("{shown}:{e}")),
        };
        match read {
            Ok((model, places, notes)) => {
                self.files.autosave.clear(self.doc.path.as_deref());
                let scenarios = model.scenarios.len();
                self.replace_document(model, None);
                let runs = if scenarios > 0 {
                    format!(", {scenarios} scenario(s) to run")
                } else {
                    String::new()
                };
                self.notify(
                    format!(
                        "Imported {shown}{runs}: {} note(s) on what the model could not hold",
                        notes.len()
                    ),
                    false,
                );
                self.windows.import_notes = Some((shown.to_string(), places, notes));
            }
            Err(e) => self.notify(e, true),
        }
    }

    pub(super) fn remember(&mut self, path: &Path) {
        let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.prefs.recent.retain(|r| *r != p);
        self.prefs.recent.insert(0, p);
        self.prefs.recent.truncate(10);
    }

    pub(super) fn save(&mut self, ctx: &egui::Context) {
        match self.doc.path.clone() {
            Some(p) => self.save_to(&p),
            None => self.ask_path(ctx, Purpose::SaveAs),
        }
    }

    /// Saves atomically to `path`; on failure the old file stays and the error is shown.
    pub fn save_to(&mut self, path: &Path) {
        match file::save(path, &self.doc.model) {
            Ok(()) => {
                self.files.autosave.clear(self.doc.path.as_deref());
                self.files.autosave.clear(Some(path));
                self.doc.mark_saved(path.to_owned());
                self.files.disk_mtime = mtime(path);
                self.remember(path);
                self.notify(format!("Saved {}", path.display()), false);
            }
            Err(e) => self.notify(format!("{e} — the previous file is unchanged"), true),
        }
    }

    pub(super) fn ask_path(&mut self, ctx: &egui::Context, purpose: Purpose) {
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
        self.files.dialogs.open(ctx, purpose, dir, name);
    }

    pub(super) fn dialog_answer(&mut self, a: crate::app::shell::dialogs::Answer) {
        match a.path {
            Some(p) => self.use_path(a.purpose, &p),
            None => {
                let default = match a.purpose {
                    Purpose::SaveAs => self
                        .doc
                        .path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "model.ron".into()),
                    _ => String::new(),
                };
                let why = if a.no_backend {
                    "No file dialog could be opened. Type a path:"
                } else {
                    "No file was chosen. If no dialog appeared (no desktop portal), type a path, or press Escape:"
                };
                self.files.typed_path = Some((a.purpose, default, why.into()));
            }
        }
    }

    pub(super) fn use_path(&mut self, purpose: Purpose, p: &Path) {
        match purpose {
            Purpose::Open => self.open_path(p),
            Purpose::SaveAs => self.save_to(p),
            Purpose::ExportImage => {
                let ext = p
                    .extension()
                    .map(|e| e.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let only = (!self.selection.is_empty()).then_some(&self.selection);
                let what = if only.is_some() {
                    "the selection"
                } else {
                    "the board"
                };
                let model = &self.doc.model;
                let result = match ext.as_str() {
                    "svg" => crate::app::board::image::export_svg(model, only, p)
                        .map(|()| format!("Exported {what} to {}", p.display())),
                    "png" => crate::app::board::image::export_png(model, only, p).map(|[w, h]| {
                        format!("Exported {what} to {} ({w}×{h} pixels)", p.display())
                    }),
                    _ => Err(format!(
                        "{}: choose a name ending in .svg or .png",
                        p.display()
                    )),
                };
                match result {
                    Ok(s) => self.notify(s, false),
                    Err(e) => self.notify(e, true),
                }
            }
            Purpose::ExportFolder => {
                let folder = p.display().to_string();
                let view = self.windows.export.get_or_insert_with(ExportView::default);
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
            Purpose::Import(format) => self.import_file(p, format),
        }
    }

    pub(super) fn autosave_tick(&mut self, ctx: &egui::Context) {
        if let Some(after) = self.problems.tick(ctx, &self.doc.model, self.doc.revision) {
            ctx.request_repaint_after(after);
        }
        if let Some(purpose) = self.files.pending_dialog.take() {
            self.ask_path(ctx, purpose);
        }
        let due = self.files.autosave.tick(
            &self.doc.model,
            self.doc.path.as_deref(),
            self.doc.revision,
            self.doc.is_dirty(),
        );
        if let Some(d) = due {
            ctx.request_repaint_after(d);
        }
        // Changed on disk by someone else? (The watch wakes the studio; its own saves update
        // the time it knows.)
        match &self.doc.path {
            Some(p) => {
                if self.files.watch.as_ref().is_none_or(|w| w.path() != p) {
                    let ctx = ctx.clone();
                    self.files.watch =
                        Some(crate::app::document::watch::DiskWatch::new(p, move || {
                            ctx.request_repaint()
                        }));
                }
                if self.files.watch.as_ref().is_some_and(|w| w.take_changed())
                    && let Some(now) = mtime(p)
                    && self.files.disk_mtime.is_some_and(|t| t != now)
                {
                    self.files.disk_mtime = Some(now);
                    self.files.reload_offer = true;
                }
            }
            None => self.files.watch = None,
        }
        if let Some(t) = &self.toast
            && t.at.elapsed().as_secs_f32() < 6.0
        {
            ctx.request_repaint_after(std::time::Duration::from_secs(6) - t.at.elapsed());
        }
    }

    pub(super) fn close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.files.quitting {
            if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.files.prompt = Some(AfterPrompt::Quit);
            } else {
                self.files.autosave.clear(self.doc.path.as_deref());
            }
        }
        if self.files.quitting {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}

pub(super) fn mtime(p: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}
