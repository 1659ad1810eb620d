//! Simulate → Explore…: the chosen scenario run many times under seeded fault plans on a
//! background thread (live progress, Stop), the failures found with their size before and
//! after shrinking, and for each: Open (the reproducer's run in the Simulation tab, the cursor
//! on the violating record) and Save as Scenario (an undoable model edit). What
//! `stormlab explore` does, with the same options.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use egui::Ui;

use crate::app::simulation::panel::Run;
use crate::app::theme;
use crate::model::{Model, Scenario};
use crate::sim::explore::{Bounds, Explorer, Found, Options, Progress, Report};
use crate::sim::invariant::Watch;
use crate::sim::scenario::{prepare, until_of, verdicts};
use crate::sim::timeline::Timeline;
use crate::sim::{Program, SimError};

/// An exploration under way on its own thread.
struct Job {
    /// The scenario explored and the model revision it was explored on.
    scenario: String,
    revision: u64,
    rx: Receiver<Result<Report, String>>,
    progress: Arc<Mutex<Option<Progress>>>,
    cancel: Arc<AtomicBool>,
}

/// What the window asks of the Simulation tab.
pub enum ExploreRequest {
    /// Show this run, the cursor at `cursor`.
    Open {
        /// The reproducer's run.
        run: Box<Run>,
        /// The violating record's place (events applied up to and with it).
        cursor: u64,
    },
    /// Add this scenario to the model.
    Save(Box<Scenario>),
    /// The reproducer could not be run (the model changed since, say).
    Failed(String),
}

/// The Explore window's state.
pub struct ExploreView {
    /// Whether the window is shown.
    pub open: bool,
    /// Runs to make.
    pub runs: u64,
    /// Threads.
    pub jobs: usize,
    /// The exploration's seed.
    pub seed: u64,
    /// At most this many faults per run.
    pub max_faults: usize,
    /// Highest failure, duplicate and reorder rate.
    pub max_rate: f64,
    /// Whether a failed expectation of the scenario counts.
    pub expectations: bool,
    job: Option<Job>,
    /// The scenario whose declared bounds the options were last set from.
    options_of: Option<String>,
    /// The last exploration's report, with the scenario and model revision it explored.
    report: Option<(String, u64, Report)>,
    /// The last error.
    pub error: Option<String>,
}

impl Default for ExploreView {
    fn default() -> Self {
        Self {
            open: false,
            runs: 1000,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            seed: 0,
            max_faults: Bounds::default().max_faults,
            max_rate: Bounds::default().failure_rate,
            expectations: false,
            job: None,
            options_of: None,
            report: None,
            error: None,
        }
    }
}

/// The run of a shrunk reproducer, as the Simulation tab shows a run.
fn reproducer_run(model: &Model, s: &Scenario, revision: u64) -> Result<Box<Run>, SimError> {
    let program = Arc::new(Program::new(model)?);
    let watch = Watch::compile(model, &program, Some(s))?.map(Arc::new);
    let mut engine = prepare(program, s, None, watch, false)?;
    engine.run(until_of(s))?;
    engine.check_eventually();
    let timeline = Timeline::new(&engine);
    let verdicts = verdicts(&engine, s)?;
    Ok(Box::new(Run {
        scenario: s.name.clone(),
        engine,
        timeline,
        verdicts,
        revision,
        finished: true,
        rebuilt: std::sync::OnceLock::new(),
    }))
}

impl ExploreView {
    /// True while an exploration runs.
    pub fn running(&self) -> bool {
        self.job.is_some()
    }

    /// The last report, when it is of `scenario` on model revision `revision`.
    pub fn report(&self, scenario: &str, revision: u64) -> Option<&Report> {
        self.report
            .as_ref()
            .filter(|(s, r, _)| s == scenario && *r == revision)
            .map(|(_, _, report)| report)
    }

    fn options(&self, declared: Option<&crate::model::scenario::Exploration>) -> Options {
        Options {
            runs: self.runs.max(1),
            jobs: self.jobs.max(1),
            seed: self.seed,
            bounds: Some(Bounds {
                max_faults: self.max_faults,
                failure_rate: self.max_rate,
                duplicate_rate: self.max_rate,
                reorder_rate: self.max_rate,
                ..Bounds::of(declared)
            }),
            expectations: self.expectations,
            ..Options::default()
        }
    }

    /// Starts exploring scenario `name` of `model` on a thread of its own.
    pub fn start(&mut self, ctx: &egui::Context, model: &Model, name: &str, revision: u64) {
        if self.running() {
            return;
        }
        let (tx, rx) = channel();
        let progress = Arc::new(Mutex::new(None));
        let cancel = Arc::new(AtomicBool::new(false));
        let scenario = name.to_owned();
        let (model, name, ctx) = (model.clone(), name.to_owned(), ctx.clone());
        let declared = model
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.explore.as_ref());
        let (p, c, opts) = (progress.clone(), cancel.clone(), self.options(declared));
        let spawned = std::thread::Builder::new()
            .name("exploration".into())
            .spawn(move || {
                let report = Explorer::new(&model, &name).map(|x| {
                    let tell = |now: &Progress| {
                        if let Ok(mut slot) = p.lock() {
                            *slot = Some(*now);
                        }
                        ctx.request_repaint();
                    };
                    x.explore(&opts, &tell, &c)
                });
                let _ = tx.send(report.map_err(|e| e.to_string()));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.job = Some(Job {
                    scenario,
                    revision,
                    rx,
                    progress,
                    cancel,
                });
                self.error = None;
                self.report = None;
            }
            Err(e) => self.error = Some(format!("cannot start the exploration: {e}")),
        }
    }

    /// Takes the report in once the thread is done.
    fn poll(&mut self) {
        let Some(job) = &self.job else { return };
        match job.rx.try_recv() {
            Ok(Ok(report)) => {
                self.report = Some((job.scenario.clone(), job.revision, report));
                self.job = None;
            }
            Ok(Err(e)) => {
                self.error = Some(e);
                self.job = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.error = Some("the exploration stopped unexpectedly".into());
                self.job = None;
            }
        }
    }

    /// The window, when open, for the chosen scenario `name`.
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        revision: u64,
        name: &str,
    ) -> Option<ExploreRequest> {
        self.poll();
        let mut open = self.open;
        let mut request = None;
        egui::Window::new(format!("Explore — {name}"))
            .id(egui::Id::new("explore"))
            .open(&mut open)
            .default_pos(egui::pos2(260.0, 110.0))
            .default_width(620.0)
            .show(ctx, |ui| request = self.ui(ui, model, revision, name));
        self.open = open;
        request
    }

    fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        revision: u64,
        name: &str,
    ) -> Option<ExploreRequest> {
        let Some(scenario) = model.scenarios.iter().find(|s| s.name == name) else {
            ui.weak("Pick a scenario in the Simulation tab first.");
            return None;
        };
        // The options start from what the scenario declares.
        if self.options_of.as_deref() != Some(name) {
            let b = Bounds::of(scenario.explore.as_ref());
            (self.max_faults, self.max_rate) = (b.max_faults, b.failure_rate);
            self.options_of = Some(name.to_owned());
        }
        ui.weak(
            "Runs the scenario many times, each with its own seed and fault plan, checking the \
             model's invariants; a failure is shrunk to a small scenario that replays it.",
        );
        ui.add_enabled_ui(!self.running(), |ui| {
            egui::Grid::new("explore-options")
                .num_columns(4)
                .show(ui, |ui| {
                    ui.label("Runs");
                    ui.add(egui::DragValue::new(&mut self.runs).range(1..=10_000_000))
                        .on_hover_text("how many runs, each with its own seed and fault plan");
                    ui.label("Threads");
                    ui.add(egui::DragValue::new(&mut self.jobs).range(1..=256))
                        .on_hover_text("the results do not depend on it");
                    ui.end_row();
                    ui.label("Seed");
                    ui.add(egui::DragValue::new(&mut self.seed))
                        .on_hover_text("the exploration's seed: each run's comes from it");
                    ui.label("Faults per run");
                    ui.add(egui::DragValue::new(&mut self.max_faults).range(0..=20));
                    ui.end_row();
                    ui.label("Highest rate");
                    ui.add(egui::Slider::new(&mut self.max_rate, 0.0..=1.0))
                        .on_hover_text("of failures, duplicates and reordering");
                    ui.checkbox(&mut self.expectations, "Expectations count")
                        .on_hover_text("a failed expectation of the scenario is a failure too");
                    ui.end_row();
                });
        });
        ui.horizontal(|ui| {
            if let Some(job) = &self.job {
                if ui.button("Stop").clicked() {
                    job.cancel.store(true, Ordering::Relaxed);
                }
                let p = job.progress.lock().ok().and_then(|p| *p);
                match p {
                    Some(p) => {
                        let share = p.done as f32 / p.planned.max(1) as f32;
                        let rate = p.done as f64 / p.elapsed.as_secs_f64().max(1e-3);
                        ui.add(
                            egui::ProgressBar::new(share)
                                .desired_width(200.0)
                                .text(format!(
                                    "{}/{} runs · {rate:.0} runs/s · {} failed",
                                    p.done, p.planned, p.failed
                                )),
                        );
                    }
                    None => {
                        ui.spinner();
                        ui.label("preparing…");
                    }
                }
            } else if ui.button("Explore").clicked() {
                self.start(ui.ctx(), model, name, revision);
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(theme::tokens(ui).error, e);
        }
        let report = self.report(name, revision)?;
        ui.separator();
        let secs = report.elapsed.as_secs_f64();
        ui.label(format!(
            "{} run(s) in {secs:.2} s ({:.0} runs/s): {} failed",
            report.runs,
            report.runs_per_second(),
            report.failed
        ));
        if let Some(b) = &report.baseline {
            ui.colored_label(
                theme::tokens(ui).warning,
                format!("Without any injected fault it fails too: {}", b.detail),
            );
        }
        if report.found.is_empty() {
            ui.colored_label(theme::tokens(ui).ok, "No run broke an invariant.");
        }
        let mut request = None;
        for (i, f) in report.found.iter().enumerate() {
            ui.push_id(("found", i), |ui| {
                if let Some(r) = found_ui(ui, model, revision, f) {
                    request = Some(r);
                }
            });
        }
        let c = &report.coverage;
        ui.separator();
        egui::CollapsingHeader::new(format!(
            "Coverage: {:.0}% of {} item(s) exercised",
            c.share() * 100.0,
            c.counts.len()
        ))
        .id_salt("explore-coverage")
        .show(ui, |ui| {
            let mut any = false;
            for (section, item) in c.never() {
                any = true;
                ui.label(format!("never ({}): {item}", section.title()));
            }
            if !any {
                ui.label("Every item was exercised.");
            }
        });
        request
    }
}

/// One way of failing: what broke, the run, the size before and after shrinking, and its
/// Open and Save buttons.
fn found_ui(ui: &mut Ui, model: &Model, revision: u64, f: &Found) -> Option<ExploreRequest> {
    ui.separator();
    ui.colored_label(theme::tokens(ui).error, &f.failure.what);
    let Some(s) = &f.shrunk else {
        ui.label(&f.failure.detail);
        ui.weak(format!("run {} (seed {}), not shrunk", f.run, f.seed));
        return None;
    };
    // The reproducer's failure: what Open shows.
    ui.label(&s.failure.detail);
    ui.weak(format!(
        "first in run {} (seed {}): {} fault(s), {} command(s); shrunk to {} fault(s), {} command(s)",
        f.run,
        f.seed,
        f.pieces.len(),
        f.commands,
        s.pieces.len(),
        s.commands
    ));
    for p in &s.pieces {
        ui.label(format!("fault: {p}"));
    }
    if !s.failure.chain.is_empty() {
        // Newest first, as the Simulation tab writes a record's causes.
        let causes: Vec<&str> = s.failure.chain.iter().rev().map(String::as_str).collect();
        ui.label(format!("caused by: {}", causes.join(" ⬅ ")));
    }
    let mut request = None;
    ui.horizontal(|ui| {
        if ui
            .button("Open")
            .on_hover_text("the reproducer's run in the Simulation tab, at the violating record")
            .clicked()
        {
            request = Some(match reproducer_run(model, &s.scenario, revision) {
                Ok(run) => ExploreRequest::Open {
                    run,
                    cursor: s.failure.record.map_or(s.failure.position, |r| r + 1),
                },
                Err(e) => ExploreRequest::Failed(format!("the reproducer cannot run: {e}")),
            });
        }
        let saved = model.scenarios.iter().any(|m| m.name == s.scenario.name);
        if ui
            .add_enabled(!saved, egui::Button::new("Save as Scenario"))
            .on_hover_text("add the reproducer to the model's scenarios (undoable)")
            .clicked()
        {
            request = Some(ExploreRequest::Save(Box::new(s.scenario.clone())));
        }
        if saved {
            ui.weak("saved");
        }
    });
    request
}
