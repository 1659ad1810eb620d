//! The Problems panel: the model's diagnostics, checked on a worker thread shortly after
//! each change, grouped by severity; clicking one selects and centres its element.

use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use egui::{RichText, Ui};

use crate::app::theme;
use crate::export::findings;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::fix::{Fix, fixes};
use crate::model::{Loc, Model};

/// How long after the last change the model is checked again.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Live diagnostics of the open model.
#[derive(Default)]
pub struct Problems {
    /// The findings of the last finished check.
    pub diagnostics: Vec<Diagnostic>,
    /// The quick fixes of each finding (same order), found with them.
    pub fixes: Vec<Vec<Fix>>,
    checked: Option<u64>,
    changed: Option<(u64, Instant)>,
    pending: Option<(u64, Receiver<Checked>)>,
}

/// What a check finds: the findings and their quick fixes.
type Checked = (Vec<Diagnostic>, Vec<Vec<Fix>>);

/// Checks `model` and finds the quick fixes of its findings.
fn check(model: &Model) -> Checked {
    let diagnostics = findings(model);
    let fixes = diagnostics.iter().map(|d| fixes(model, d)).collect();
    (diagnostics, fixes)
}

/// What the user picked in the panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Picked {
    /// A finding: select its element.
    Element(Loc),
    /// A finding's quick fix.
    Fix(Fix),
}

impl std::fmt::Debug for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Problems")
            .field("diagnostics", &self.diagnostics.len())
            .finish_non_exhaustive()
    }
}

impl Problems {
    /// Call every frame: starts a check when the model settled after a change, collects
    /// finished ones. Returns when the next call is needed, if something is under way.
    pub fn tick(&mut self, ctx: &egui::Context, model: &Model, revision: u64) -> Option<Duration> {
        if let Some((rev, rx)) = &self.pending {
            match rx.try_recv() {
                Ok((diags, fixes)) => {
                    self.diagnostics = diags;
                    self.fixes = fixes;
                    self.checked = Some(*rev);
                    self.pending = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => return None,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.pending = None,
            }
        }
        if self.checked == Some(revision) {
            return None;
        }
        let since = match self.changed {
            Some((r, t)) if r == revision => t,
            _ => {
                let now = Instant::now();
                self.changed = Some((revision, now));
                // The first check runs at once; later ones wait for the edits to settle.
                if self.checked.is_some() {
                    return Some(DEBOUNCE);
                }
                now - DEBOUNCE
            }
        };
        let waited = since.elapsed();
        if waited < DEBOUNCE {
            return Some(DEBOUNCE - waited);
        }
        let (tx, rx) = channel();
        let snapshot = model.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("check".into())
            .spawn(move || {
                let _ = tx.send(check(&snapshot));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.pending = Some((revision, rx)),
            Err(_) => {
                // No thread: check here rather than never.
                (self.diagnostics, self.fixes) = check(model);
                self.checked = Some(revision);
            }
        }
        None
    }

    /// Checks `model` now, on this thread (tests, and saving).
    pub fn check_now(&mut self, model: &Model, revision: u64) {
        (self.diagnostics, self.fixes) = check(model);
        self.checked = Some(revision);
        self.pending = None;
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        (errors, warnings)
    }

    /// `3 errors, 1 warning` (`checking…` until the first check has finished).
    pub fn summary(&self) -> String {
        if self.checked.is_none() {
            return "checking…".to_owned();
        }
        let (e, w) = self.counts();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!("{}, {}", plural(e, "error"), plural(w, "warning"))
    }

    /// The panel. Returns the clicked finding's element, or the quick fix picked.
    pub fn ui(&self, ui: &mut Ui) -> Option<Picked> {
        let mut clicked = None;
        if self.checked.is_none() {
            ui.label("Checking the model…");
            return None;
        }
        if self.diagnostics.is_empty() {
            ui.label(RichText::new("✔ No problems found").color(theme::tokens(ui).ok));
            return None;
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for severity in [Severity::Error, Severity::Warning, Severity::Info] {
                    let group: Vec<(&Diagnostic, &[Fix])> = self
                        .diagnostics
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.severity == severity)
                        .map(|(i, d)| (d, self.fixes.get(i).map_or(&[][..], Vec::as_slice)))
                        .collect();
                    if group.is_empty() {
                        continue;
                    }
                    let (icon, color) = match severity {
                        Severity::Error => ("⛔", ui.visuals().error_fg_color),
                        Severity::Warning => ("⚠", ui.visuals().warn_fg_color),
                        Severity::Info => ("ℹ", ui.visuals().weak_text_color()),
                    };
                    let title = format!(
                        "{icon} {} {severity}{}",
                        group.len(),
                        if group.len() == 1 { "" } else { "s" }
                    );
                    egui::CollapsingHeader::new(RichText::new(title).color(color).strong())
                        .id_salt(("problems", severity as u8))
                        .default_open(severity != Severity::Info)
                        .show(ui, |ui| {
                            for (d, fixes) in group {
                                let text = format!("{}  {}", d.code.as_str(), d.message);
                                let resp = ui.add(
                                    egui::Button::new(RichText::new(text).color(color))
                                        .frame(false)
                                        .wrap(),
                                );
                                if resp.on_hover_text(d.code.meaning()).clicked() {
                                    clicked = d.element.map(Picked::Element);
                                }
                                if !fixes.is_empty() {
                                    ui.horizontal(|ui| {
                                        ui.add_space(24.0);
                                        for fix in fixes {
                                            if ui
                                                .small_button(format!("🔧 {}", fix.label()))
                                                .on_hover_text("Quick fix (one undoable step)")
                                                .clicked()
                                            {
                                                clicked = Some(Picked::Fix(fix.clone()));
                                            }
                                        }
                                    });
                                }
                            }
                        });
                }
            });
        clicked
    }
}
