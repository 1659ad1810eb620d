//! Simulate → Check All Scenarios: every scenario of the model run with its own seed and its
//! expectations checked, on a worker thread — the same results as `stormlab test` — shown as a
//! pass/fail list with what was found instead; a scenario can be opened in the Simulation tab.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use egui::Ui;

use crate::app::theme;
use crate::model::Model;
use crate::sim::Program;
use crate::sim::scenario::{Verdict, check};

/// One scenario's result: its verdicts, or why it could not run.
pub type Outcome = (String, Result<Vec<Verdict>, String>);

/// The checks window's state.
#[derive(Default)]
pub struct ScenarioChecks {
    /// Whether the window is shown.
    pub open: bool,
    /// The results of the last check, in the model's scenario order.
    pub results: Vec<Outcome>,
    /// The model revision they were computed for.
    pub revision: Option<u64>,
    worker: Option<Receiver<Result<Vec<Outcome>, String>>>,
}

/// Runs every scenario of `model` and checks its expectations.
pub fn check_all(model: &Model) -> Result<Vec<Outcome>, String> {
    let program = Arc::new(Program::new(model).map_err(|e| e.to_string())?);
    Ok(model
        .scenarios
        .iter()
        .map(|s| {
            let result = check(model, program.clone(), s).map_err(|e| e.to_string());
            (s.name.clone(), result)
        })
        .collect())
}

fn passed(result: &Result<Vec<Verdict>, String>) -> bool {
    result.as_ref().is_ok_and(|vs| vs.iter().all(|v| v.passed))
}

impl ScenarioChecks {
    /// True while the checks run.
    pub fn running(&self) -> bool {
        self.worker.is_some()
    }

    /// Opens the window and starts checking `model` on a worker thread.
    pub fn start(&mut self, ctx: &egui::Context, model: &Model, revision: u64) {
        self.open = true;
        if self.running() {
            return;
        }
        let (tx, rx) = channel();
        let (model, ctx2) = (model.clone(), ctx.clone());
        let spawned = std::thread::Builder::new()
            .name("scenario checks".into())
            .spawn(move || {
                let _ = tx.send(check_all(&model));
                ctx2.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.worker = Some(rx);
                self.revision = Some(revision);
            }
            Err(e) => self.results = vec![(String::new(), Err(format!("cannot start: {e}")))],
        }
    }

    fn poll(&mut self) {
        let Some(rx) = &self.worker else { return };
        if let Ok(outcome) = rx.try_recv() {
            self.worker = None;
            self.results = outcome.unwrap_or_else(|e| vec![("the model".to_owned(), Err(e))]);
        }
    }

    /// The window. Returns a scenario the user wants to open in the Simulation tab.
    pub fn window(&mut self, ctx: &egui::Context, model: &Model, revision: u64) -> Option<String> {
        self.poll();
        let mut open = self.open;
        let mut chosen = None;
        let mut again = false;
        egui::Window::new("Scenario checks")
            .open(&mut open)
            .default_pos(egui::pos2(220.0, 60.0))
            .default_width(520.0)
            .show(ctx, |ui| {
                again = self.header_ui(ui, revision);
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        chosen = self.results_ui(ui);
                    });
            });
        self.open = open;
        if again {
            self.start(ctx, model, revision);
        }
        chosen
    }

    fn header_ui(&self, ui: &mut Ui, revision: u64) -> bool {
        let mut again = false;
        ui.horizontal(|ui| {
            if self.running() {
                ui.spinner();
                ui.label("Running every scenario…");
            } else {
                let n = self.results.len();
                let ok = self.results.iter().filter(|(_, r)| passed(r)).count();
                let color = if ok == n {
                    theme::tokens(ui).ok
                } else {
                    theme::tokens(ui).error
                };
                ui.colored_label(color, format!("{ok} of {n} scenario(s) passed"));
                again = ui.button("Run again").clicked();
            }
        });
        if !self.running() && self.revision.is_some_and(|r| r != revision) {
            ui.colored_label(
                theme::tokens(ui).warning,
                "The model changed since these checks: run them again.",
            );
        }
        ui.separator();
        again
    }

    fn results_ui(&self, ui: &mut Ui) -> Option<String> {
        let mut chosen = None;
        for (name, result) in &self.results {
            ui.horizontal(|ui| {
                let (mark, color) = if passed(result) {
                    ("✔ PASS", theme::tokens(ui).ok)
                } else {
                    ("✖ FAIL", theme::tokens(ui).error)
                };
                ui.colored_label(color, format!("{mark} {name}"));
                if !name.is_empty()
                    && ui
                        .small_button("Open")
                        .on_hover_text("Run it in the Simulation tab")
                        .clicked()
                {
                    chosen = Some(name.clone());
                }
            });
            match result {
                Ok(vs) => {
                    for v in vs.iter().filter(|v| !v.passed) {
                        ui.label(format!(
                            "      expected {}, but {}",
                            v.expectation, v.reason
                        ));
                    }
                    if passed(result) {
                        ui.weak(format!("      {} expectation(s) held", vs.len()));
                    }
                }
                Err(e) => {
                    ui.label(format!("      cannot run: {e}"));
                }
            }
        }
        chosen
    }
}
