//! The Simulation dock tab: pick a scenario and seed, run it on a worker thread (the UI stays
//! responsive, progress is shown), then scrub the log with a cursor — the event and command
//! logs up to the cursor ([`crate::app::simulation::log`]), the state there ([`crate::app::simulation::state`]), a
//! saga's sequence diagram ([`crate::app::simulation::sequence`]); redrive parked messages. Nothing here
//! re-implements simulation logic.

use std::sync::OnceLock;
use std::sync::atomic::Ordering;

use egui::{Key, Ui};

use crate::app::authoring::Authoring;
use crate::app::commands::actions::Action;
use crate::app::document::edit::Edit;
use crate::app::simulation::causation::CausationView;
use crate::app::simulation::log::LogView;
use crate::app::simulation::markers::{Marker, legend_ui, markers, strip_ui};
use crate::app::simulation::run_windows::RunWindows;
use crate::app::simulation::sequence::{self};
use crate::app::simulation::state::{StateAction, StateView, clock};
use crate::app::simulation::time_control::{TimeCommand, TimeControl};
use crate::app::simulation::worker::{Stride, Worker};
use std::collections::BTreeMap;

use crate::app::theme;
use crate::model::diagnostic::Diagnostic;
use crate::model::expr::EvalError;
use crate::model::{Loc, Model};
use crate::sim::engine::Engine;
use crate::sim::fold::Table;
use crate::sim::program::SubscriberKind;
use crate::sim::scenario::{Verdict, verdicts};
use crate::sim::timeline::{StateAt, Timeline};

/// A finished run.
#[derive(Clone)]
pub struct Run {
    /// The scenario's name.
    pub scenario: String,
    /// The engine after the run.
    pub engine: Engine,
    /// Snapshots for seeking.
    pub timeline: Timeline,
    /// The scenario's expectations, checked.
    pub verdicts: Vec<Verdict>,
    /// The model revision it ran on.
    pub revision: u64,
    /// False while the run is paused: its scenario has more to do.
    pub finished: bool,
    /// Every read model rebuilt from the log, made when first asked for (by the comparison
    /// view) rather than every frame.
    pub rebuilt: OnceLock<Vec<Result<Table, EvalError>>>,
}

/// The panel's state.
pub struct SimPanel {
    /// The chosen scenario.
    pub scenario: String,
    /// Seed override (empty: the scenario's).
    pub seed: String,
    /// The last finished run.
    pub run: Option<Box<Run>>,
    /// The cursor, play state and speed; changed only by its commands.
    pub time: TimeControl,
    /// A run in progress on a worker thread.
    pub(crate) worker: Option<Worker>,
    /// A step to take once the paused run being set up arrives (Step with nothing paused).
    pub step_after_start: Option<Stride>,
    state: Option<(u64, StateAt)>,
    /// The last error.
    pub error: Option<String>,
    /// Virtual minutes after the end of the run at which "Redrive all" redrives.
    pub redrive_after_min: u32,
    /// The run's own windows: sequence diagram, causation graph, charts, comparison.
    pub windows: RunWindows,
    /// The event and command logs.
    pub log: LogView,
    /// The state view's settings.
    pub state_view: StateView,
    /// The run's timeline markers (rejections, parkings, …).
    pub(crate) markers: Vec<Marker>,
    /// The scenario editor, the fault plan and the sandbox.
    pub authoring: Authoring,
    /// The cursor the board's path animation started for, and when (UI clock, seconds).
    pub(crate) travel: (u64, f64),
    /// Actions asked for by the panel's buttons this frame, for the studio to handle.
    pub(crate) requested: Vec<Action>,
}

impl Default for SimPanel {
    fn default() -> Self {
        Self {
            scenario: String::new(),
            seed: String::new(),
            run: None,
            time: TimeControl::default(),
            worker: None,
            step_after_start: None,
            state: None,
            error: None,
            redrive_after_min: 15,
            windows: RunWindows::default(),
            log: LogView::default(),
            state_view: StateView::default(),
            markers: Vec::new(),
            authoring: Authoring::default(),
            travel: (0, f64::NEG_INFINITY),
            requested: Vec::new(),
        }
    }
}

impl SimPanel {
    /// True while a run is in progress.
    pub fn running(&self) -> bool {
        self.worker.is_some()
    }

    /// The stickies involved in the record at the cursor, lit on the board while the run
    /// matches the model: its event, the command that appended it and the subscribers
    /// (policies, sagas, read models, external systems) it is delivered to.
    pub fn lit(&self, revision: u64) -> Vec<Loc> {
        // The path's stages without the aggregate (its badge shows the instance instead).
        let [command, _, event, subscribers] = self.stages(revision);
        [event, command, subscribers].concat()
    }

    /// The stickies where something went wrong (or was put right) at the cursor: a rejected
    /// command, a subscriber that parked a message, a saga compensated or timed out.
    pub fn failed(&self, revision: u64) -> Vec<Loc> {
        let Some(run) = self.run.as_ref().filter(|r| r.revision == revision) else {
            return vec![];
        };
        let cursor = self.time.cursor().min(run.engine.records().len() as u64);
        crate::app::simulation::markers::at(&self.markers, cursor)
            .iter()
            .filter(|m| m.kind != crate::app::simulation::markers::MarkerKind::Redrive)
            .filter_map(|m| crate::app::simulation::markers::element(&run.engine, m))
            .collect()
    }

    /// Badges for the board at the cursor while the run matches the model: each aggregate's
    /// instance count (the instance of the record at the cursor with its lifecycle state),
    /// each read model's row count, each saga's running instances.
    pub fn badges(&mut self, revision: u64) -> BTreeMap<Loc, String> {
        if self.run.as_ref().is_none_or(|r| r.revision != revision) {
            return BTreeMap::new();
        }
        if let Some(run) = &self.run {
            let cursor = self.time.cursor().min(run.engine.records().len() as u64);
            refresh(&mut self.state, run, cursor);
        }
        let (Some(run), Some((cursor, state))) = (&self.run, &self.state) else {
            return BTreeMap::new();
        };
        let (e, p) = (&run.engine, &run.engine.program());
        let current = cursor
            .checked_sub(1)
            .and_then(|c| e.records().get(c as usize))
            .map(|r| r.stream);
        let mut badges = BTreeMap::new();
        for (a, instances) in state.aggregates.iter().enumerate() {
            let def = &p.aggregates[a];
            let shown = instances
                .iter()
                .find(|(_, i)| Some(i.stream) == current)
                .map(|(key, i)| {
                    let lifecycle = def.lifecycle.get(i.lifecycle).map_or("", String::as_str);
                    format!("{key}: {lifecycle}")
                });
            let text = match (shown, instances.len()) {
                (Some(t), _) => t,
                (None, 0) => continue,
                (None, n) => format!("{n} instance(s)"),
            };
            badges.insert(def.id, text);
        }
        for s in &p.subscribers {
            match s.kind {
                SubscriberKind::ReadModel(r) => {
                    let rows = state.read_models.get(r).map_or(0, |t| t.len());
                    badges.insert(s.id, format!("{rows} row(s)"));
                }
                SubscriberKind::Saga(x) => {
                    let Some(instances) = state.sagas.get(x).filter(|m| !m.is_empty()) else {
                        continue;
                    };
                    let text = match instances.iter().next() {
                        Some((key, status)) if instances.len() == 1 => format!("{key}: {status}"),
                        _ => {
                            let running =
                                instances.values().filter(|st| &***st == "Running").count();
                            format!("{running} of {} running", instances.len())
                        }
                    };
                    badges.insert(s.id, text);
                }
                _ => {}
            }
        }
        badges
    }

    /// Shows a run the worker handed back, finished or paused, with the cursor at its end.
    pub(crate) fn arrived(&mut self, run: Box<Run>) {
        self.time.apply(TimeCommand::Load {
            len: run.engine.records().len() as u64,
        });
        self.markers = markers(&run.engine);
        self.run = Some(run);
        self.state = None;
        self.windows.forget_run();
        self.authoring.sandbox.reset();
        self.log.reset();
        self.state_view.reset();
    }

    /// The panel and its windows. `revision` is the model's current revision (a run of an
    /// older one is marked); `diagnostics` are the checker's (the scenario editor shows its
    /// own). Returns an edit of the model (fault plan, scenario editor, sandbox recording).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        revision: u64,
        diagnostics: &[Diagnostic],
    ) -> Option<Edit> {
        self.poll(model, revision);
        if self.scenario.is_empty()
            && let Some(first) = model.scenarios.first()
        {
            self.scenario = first.name.clone();
        }
        let edit = if self.authoring.faults.open {
            self.authoring
                .faults
                .window(ui.ctx(), model, revision, &self.scenario)
        } else {
            None
        };
        let edit = edit.or(self.authoring_windows(ui.ctx(), model, revision, diagnostics));
        self.panel_ui(ui, model, revision);
        edit
    }

    fn panel_ui(&mut self, ui: &mut Ui, model: &Model, revision: u64) {
        ui.horizontal(|ui| {
            ui.label("Scenario");
            egui::ComboBox::from_id_salt("sim-scenario")
                .selected_text(if self.scenario.is_empty() {
                    "— choose —"
                } else {
                    &self.scenario
                })
                .show_ui(ui, |ui| {
                    for s in &model.scenarios {
                        ui.selectable_value(&mut self.scenario, s.name.clone(), &s.name);
                    }
                });
            ui.label("Seed");
            ui.add(
                egui::TextEdit::singleline(&mut self.seed)
                    .hint_text("scenario's")
                    .desired_width(90.0),
            );
            self.controls_ui(ui, model, revision);
            let requested = &mut self.requested;
            window_button(
                ui,
                "Fault plan…",
                &mut self.authoring.faults.open,
                Action::FaultPlan,
                requested,
            );
            let label = "Edit scenario…";
            window_button(
                ui,
                label,
                &mut self.authoring.editor.open,
                Action::EditScenario,
                requested,
            );
            if ui
                .button("New scenario")
                .on_hover_text(Action::NewScenario.tooltip(ui.ctx()))
                .clicked()
            {
                self.requested.push(Action::NewScenario);
            }
            if let Some(w) = &self.worker {
                ui.spinner();
                ui.label(format!(
                    "{} events so far",
                    w.progress.load(Ordering::Relaxed)
                ));
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(theme::tokens(ui).error, e);
        }
        let Some(run) = &self.run else {
            if model.scenarios.is_empty() {
                ui.weak("This model has no scenarios yet.");
            } else {
                ui.weak("Pick a scenario and run it: the log, the state at any moment and the checks appear here.");
            }
            return;
        };
        if run.revision != revision {
            ui.colored_label(
                theme::tokens(ui).warning,
                "The model changed since this run: run it again to see the current behaviour.",
            );
        }
        let len = run.engine.records().len() as u64;
        let passed = run.verdicts.iter().filter(|v| v.passed).count();
        let mut redrive = false;
        let mut keep = false;
        ui.horizontal(|ui| {
            let checks = if run.finished {
                format!("expectations {passed}/{} passed", run.verdicts.len())
            } else {
                format!(
                    "paused at {} (expectations are checked at the end)",
                    clock(run.engine.now(), run.engine.spans_days(), false)
                )
            };
            ui.label(format!(
                "{}: {} events, {} commands ({} rejected), {} · {checks}",
                run.scenario,
                len,
                run.engine.commands().len(),
                run.engine.rejected(),
                parked_summary(&run.engine),
            ));
            // Redrives go on from the end of a finished run.
            if run.finished && !run.engine.parked().is_empty() {
                redrive = ui
                    .button("Redrive all")
                    .on_hover_text("Redeliver every parked message; recorded in the log")
                    .clicked();
                ui.add(
                    egui::DragValue::new(&mut self.redrive_after_min)
                        .range(0..=1440)
                        .suffix(" min after the end"),
                )
                .on_hover_text("When, in virtual time (an outage may still be on)");
            }
            keep = ui
                .button("Keep as baseline")
                .on_hover_text("Compare later runs with this one")
                .clicked();
            ui.toggle_value(&mut self.windows.compare_open, "Compare…")
                .on_hover_text("This run against the baseline, and its read models rebuilt from the log");
            ui.toggle_value(&mut self.windows.charts_open, "Charts…")
                .on_hover_text("Events per minute by type, delivery delay per subscriber, dead-letter queue size");
            let requested = &mut self.requested;
            window_button(ui, "Sandbox…", &mut self.authoring.sandbox.open, Action::Sandbox, requested);
        });
        if keep {
            self.windows.baseline = self.run.clone();
            self.windows.compare_open = true;
        }
        if redrive {
            self.redrive(model, None);
            return;
        }
        // The cursor: buttons, slider, strip, markers and Alt+Left/Right/Home/End each send a
        // time command; the time control applies them.
        let cursor = self.time.cursor();
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            if ui.button("⏮").on_hover_text("Start (Alt+Home)").clicked() {
                commands.push(TimeCommand::Start);
            }
            if ui
                .button("◀")
                .on_hover_text("One event back (Alt+Left)")
                .clicked()
            {
                commands.push(TimeCommand::Back);
            }
            let play = if self.time.playing() {
                "⏸ Pause"
            } else {
                "⏵ Play"
            };
            if ui
                .button(play)
                .on_hover_text("Move the cursor on by itself, at the speed beside")
                .clicked()
            {
                commands.push(TimeCommand::TogglePlay);
            }
            let mut speed = self.time.speed();
            if ui
                .add(
                    egui::DragValue::new(&mut speed)
                        .range(TimeControl::SPEED)
                        .speed(0.5)
                        .suffix(" events/s"),
                )
                .on_hover_text("Playing speed")
                .changed()
            {
                commands.push(TimeCommand::Speed(speed));
            }
            if ui
                .button("▶")
                .on_hover_text("One event on (Alt+Right)")
                .clicked()
            {
                commands.push(TimeCommand::On);
            }
            if ui
                .button("⏩ Next command")
                .on_hover_text("On to the events of the next command handled")
                .clicked()
            {
                commands.push(TimeCommand::Seek(
                    next_command_end(&run.engine, cursor).unwrap_or(len),
                ));
            }
            if ui.button("⏭").on_hover_text("End (Alt+End)").clicked() {
                commands.push(TimeCommand::End);
            }
            // Where the cursor is (the strip below scrubs), and the markers' legend with
            // their previous/next buttons: one row, to leave rows to the logs.
            let mut at = cursor;
            if ui
                .add(
                    egui::DragValue::new(&mut at)
                        .range(0..=len)
                        .suffix(format!(" of {len} events applied")),
                )
                .on_hover_text("Drag or type where the cursor goes")
                .changed()
            {
                commands.push(TimeCommand::Seek(at));
            }
            ui.add_space(12.0);
            if let Some(c) = legend_ui(ui, &self.markers, cursor) {
                commands.push(TimeCommand::Seek(c));
            }
        });
        if let Some(c) = strip_ui(ui, &run.engine, &self.markers, cursor) {
            commands.push(TimeCommand::Seek(c));
        }
        if self.time.playing() {
            commands.push(TimeCommand::Tick {
                secs: f64::from(ui.input(|i| i.stable_dt)),
            });
        }
        if !ui.ctx().egui_wants_keyboard_input() {
            ui.input(|i| {
                if i.modifiers.alt {
                    for (key, command) in [
                        (Key::ArrowLeft, TimeCommand::Back),
                        (Key::ArrowRight, TimeCommand::On),
                        (Key::Home, TimeCommand::Start),
                        (Key::End, TimeCommand::End),
                    ] {
                        if i.key_pressed(key) {
                            commands.push(command);
                        }
                    }
                }
            });
        }
        self.time.apply_all(commands);
        if self.time.playing() {
            ui.ctx().request_repaint();
        }
        let cursor = self.time.cursor();
        refresh(&mut self.state, run, cursor);
        let Some((_, state)) = &self.state else {
            return;
        };
        ui.separator();
        let (mut clicked, mut action) = (None, None);
        let (log, view) = (&mut self.log, &mut self.state_view);
        // The logs and state scroll within what the dock has left (their tables size to
        // `room`), so the dock keeps its size, and the buttons above their place, as rows come.
        let room = ui.available_height();
        egui::ScrollArea::vertical()
            .id_salt("sim-body")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.columns(2, |cols| {
                    clicked = log.ui(&mut cols[0], run, cursor, room);
                    action = view.ui(&mut cols[1], run, state, cursor, room);
                });
            });
        if let Some(c) = clicked {
            self.time.apply(TimeCommand::Seek(c));
        }
        match action {
            Some(StateAction::Redrive {
                subscriber,
                position,
            }) => self.redrive(model, Some((subscriber, position))),
            Some(StateAction::Sequence { saga, key }) => {
                self.windows.sequence = sequence::build(&run.engine, saga, &key);
            }
            Some(StateAction::Causation { position }) => {
                self.windows.causation = CausationView::new(ui, &run.engine, position);
            }
            None => {}
        }
        self.windows
            .ui(ui.ctx(), self.run.as_deref(), &mut self.time);
    }

    /// Run, Pause, Continue, Step event, Step command and Reset: the same actions as the
    /// Simulate menu and its keys, handled by the studio.
    fn controls_ui(&mut self, ui: &mut Ui, model: &Model, revision: u64) {
        let scenarios = !model.scenarios.is_empty();
        let pausing = self.worker.as_ref().map(|w| w.pausing());
        let paused = self
            .paused(revision)
            .is_some_and(|r| r.scenario == self.scenario);
        let mut button = |ui: &mut Ui, text: &str, action: Action, enabled: bool| {
            if ui
                .add_enabled(enabled, egui::Button::new(text))
                .on_hover_text(action.tooltip(ui.ctx()))
                .clicked()
            {
                self.requested.push(action);
            }
        };
        if let Some(pausing) = pausing {
            button(ui, "⏸ Pause", Action::PauseRun, !pausing);
            return;
        }
        if paused {
            button(ui, "▶ Continue", Action::RunScenario, true);
            button(ui, "Step event", Action::StepEvent, true);
            button(ui, "Step command", Action::StepCommand, true);
        } else {
            button(ui, "▶ Run", Action::RunScenario, scenarios);
        }
        button(ui, "⏮ Reset", Action::ResetRun, scenarios);
    }

    /// Redrives one parked message of the finished run (`Some((subscriber, position))`) or
    /// all of them, `redrive_after_min` after its end: the redrive and the deliveries it causes
    /// are recorded like any other step (so replays show them), the redrive is recorded in the
    /// sandbox (to save as a scenario), and the cursor moves to the new end.
    pub fn redrive(&mut self, model: &Model, one: Option<(usize, u64)>) {
        let Some(run) = &mut self.run else { return };
        if !run.finished {
            self.error = Some("Continue the paused run to its end before redriving".into());
            return;
        }
        let e = &mut run.engine;
        let after = i64::from(self.redrive_after_min) * 60_000;
        let outcome = match one {
            Some((sub, position)) => {
                match model.scenarios.iter().find(|s| s.name == run.scenario) {
                    Some(s) => crate::sim::scenario::redrive_one(e, s, sub, position, after)
                        .map(|step| self.authoring.sandbox.recorded.push(step)),
                    None => {
                        e.schedule_redrive_one(e.now() + after, sub, position);
                        e.run(None)
                    }
                }
            }
            None => {
                let mut subs: Vec<usize> = e.parked().iter().map(|p| p.subscriber).collect();
                subs.sort_unstable();
                subs.dedup();
                match model.scenarios.iter().find(|s| s.name == run.scenario) {
                    Some(s) => crate::sim::scenario::redrive(e, s, &subs, after)
                        .map(|steps| self.authoring.sandbox.recorded.extend(steps)),
                    None => {
                        for sub in subs {
                            e.schedule_redrive(e.now() + after, sub);
                        }
                        e.run(None)
                    }
                }
            }
        };
        if let Err(err) = outcome {
            self.error = Some(err.to_string());
        }
        self.extended(model);
    }

    /// After the run went on (a step, a redrive, a command issued by hand): the timeline,
    /// markers and (once finished) checks again, the cursor at the new end.
    pub(crate) fn extended(&mut self, model: &Model) {
        let Some(run) = &mut self.run else { return };
        run.timeline.extend(&run.engine);
        run.rebuilt = OnceLock::new();
        if run.finished
            && let Some(s) = model.scenarios.iter().find(|s| s.name == run.scenario)
            && let Ok(v) = verdicts(&run.engine, s)
        {
            run.verdicts = v;
        }
        self.markers = markers(&run.engine);
        self.windows.causation = None;
        self.time.apply(TimeCommand::Load {
            len: run.engine.records().len() as u64,
        });
        self.state = None;
        self.log.reset();
        self.state_view.reset();
    }
}

/// How many messages were parked during the run, and how many still are: the timeline marks
/// every parking, so "0 parked" after a redrive would contradict it.
fn parked_summary(e: &Engine) -> String {
    let ever = e
        .journal()
        .iter()
        .filter(|(_, _, c)| matches!(c, crate::sim::engine::Change::Parked(_)))
        .count();
    let now = e.parked().len();
    if ever == now {
        format!("{now} parked")
    } else {
        format!("{ever} parked ({now} still parked)")
    }
}

/// A button for a window the panel opens with `action` (the menus' command): shown pressed
/// while the window is open, and a click then closes it, as the window's own × would.
fn window_button(ui: &mut Ui, label: &str, open: &mut bool, action: Action, to: &mut Vec<Action>) {
    let clicked = ui
        .selectable_label(*open, label)
        .on_hover_text(action.tooltip(ui.ctx()))
        .clicked();
    if clicked && *open {
        *open = false;
    } else if clicked {
        to.push(action);
    }
}

/// Brings the cached state up to `cursor` (a timeline seek when the cursor moved).
fn refresh(state: &mut Option<(u64, StateAt)>, run: &Run, cursor: u64) {
    if state.as_ref().map(|(c, _)| *c) != Some(cursor) {
        let previous = state.take().map(|(_, s)| s);
        *state = Some((cursor, run.timeline.seek(&run.engine, previous, cursor)));
    }
}

/// The cursor after the events of the first command that appended events beyond `cursor`.
fn next_command_end(e: &Engine, cursor: u64) -> Option<u64> {
    e.commands()
        .iter()
        .find(|c| !c.events().is_empty() && c.events().end > cursor)
        .map(|c| c.events().end)
}
