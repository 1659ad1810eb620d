//! The Simulation dock tab (issue 6, first slice): pick a scenario and seed, run it on a
//! worker thread (the UI stays responsive, progress is shown), then scrub the log with a
//! cursor — a virtualized event log up to the cursor, the selected record's payload and
//! causation chain, and the state at the cursor (aggregates, read models, sagas, dead
//! letters) from the engine's timeline. Nothing here re-implements simulation logic.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use egui::{Color32, Key, RichText, Ui};

use crate::model::Model;
use crate::model::expr::time::format_timestamp;
use crate::sim::engine::Engine;
use crate::sim::hash::sorted;
use crate::sim::program::SubscriberKind;
use crate::sim::scenario::{Verdict, setup, until_of, verdicts};
use crate::sim::store::format_id;
use crate::sim::timeline::{Link, StateAt, Timeline, causation};
use crate::sim::{Program, SimError};

/// A finished run.
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
}

type Outcome = Result<Box<Run>, String>;

/// The panel's state.
pub struct SimPanel {
    /// The chosen scenario.
    pub scenario: String,
    /// Seed override (empty: the scenario's).
    pub seed: String,
    /// The last finished run.
    pub run: Option<Box<Run>>,
    /// The cursor: records applied (0 … log length).
    pub cursor: u64,
    /// A run in progress: its answer channel and its progress (events so far).
    worker: Option<(Receiver<Outcome>, Arc<AtomicU64>)>,
    state: Option<(u64, StateAt)>,
    /// The last error.
    pub error: Option<String>,
    /// Virtual minutes after the end of the run at which "Redrive all" redrives.
    pub redrive_after_min: u32,
}

impl Default for SimPanel {
    fn default() -> Self {
        Self {
            scenario: String::new(),
            seed: String::new(),
            run: None,
            cursor: 0,
            worker: None,
            state: None,
            error: None,
            redrive_after_min: 15,
        }
    }
}

impl SimPanel {
    /// True while a run is in progress.
    pub fn running(&self) -> bool {
        self.worker.is_some()
    }

    /// Starts running the chosen scenario of `model` on a worker thread.
    pub fn start(&mut self, ctx: &egui::Context, model: &Model, revision: u64) {
        if self.running() {
            return;
        }
        if self.scenario.is_empty() {
            self.scenario = model
                .scenarios
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default();
        }
        let seed = match self.seed.trim() {
            "" => None,
            s => match s.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.error = Some(format!("seed `{s}`: a whole number from 0 to {}", u64::MAX));
                    return;
                }
            },
        };
        let (tx, rx) = channel();
        let progress = Arc::new(AtomicU64::new(0));
        let (model, name, ctx2, prog) = (
            model.clone(),
            self.scenario.clone(),
            ctx.clone(),
            progress.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("simulation".into())
            .spawn(move || {
                let result = run(&model, &name, seed, revision, &prog, &ctx2);
                let _ = tx.send(result.map_err(|e| e.to_string()));
                ctx2.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.worker = Some((rx, progress));
                self.error = None;
            }
            Err(e) => self.error = Some(format!("cannot start the simulation: {e}")),
        }
    }

    /// Collects a finished run, if one arrived.
    pub fn poll(&mut self) {
        let Some((rx, _)) = &self.worker else { return };
        if let Ok(outcome) = rx.try_recv() {
            self.worker = None;
            match outcome {
                Ok(run) => {
                    self.cursor = run.engine.store.records.len() as u64;
                    self.run = Some(run);
                    self.state = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// The panel. `revision` is the model's current revision (a run of an older one is marked).
    pub fn ui(&mut self, ui: &mut Ui, model: &Model, revision: u64) {
        self.poll();
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
            let label = if self.running() {
                "Running…"
            } else {
                "▶ Run"
            };
            if ui
                .add_enabled(
                    !self.running() && !model.scenarios.is_empty(),
                    egui::Button::new(label),
                )
                .clicked()
            {
                self.start(ui.ctx(), model, revision);
            }
            if let Some((_, p)) = &self.worker {
                ui.spinner();
                ui.label(format!("{} events so far", p.load(Ordering::Relaxed)));
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(100));
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(Color32::from_rgb(200, 40, 40), e);
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
                Color32::from_rgb(190, 120, 0),
                "The model changed since this run: run it again to see the current behaviour.",
            );
        }
        let len = run.engine.store.records.len() as u64;
        let passed = run.verdicts.iter().filter(|v| v.passed).count();
        let mut redrive = false;
        ui.horizontal(|ui| {
            ui.label(format!(
                "{}: {} events, {} commands ({} rejected), {} parked · expectations {passed}/{} passed",
                run.scenario,
                len,
                run.engine.commands.len(),
                run.engine.commands.iter().filter(|c| c.rejection.is_some()).count(),
                run.engine.dlq.len(),
                run.verdicts.len()
            ));
            if !run.engine.dlq.is_empty() {
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
        });
        if redrive {
            self.redrive_all();
            return;
        }
        // The cursor: slider, ←/→ one event, Home/End.
        let mut cursor = self.cursor.min(len);
        ui.horizontal(|ui| {
            if ui.button("⏮").on_hover_text("Start (Home)").clicked() {
                cursor = 0;
            }
            if ui.button("◀").on_hover_text("One event back (←)").clicked() {
                cursor = cursor.saturating_sub(1);
            }
            if ui.button("▶").on_hover_text("One event on (→)").clicked() {
                cursor = (cursor + 1).min(len);
            }
            if ui.button("⏭").on_hover_text("End (End)").clicked() {
                cursor = len;
            }
            ui.spacing_mut().slider_width = (ui.available_width() - 120.0).max(100.0);
            ui.add(egui::Slider::new(&mut cursor, 0..=len).text("events applied"));
        });
        if !ui.ctx().egui_wants_keyboard_input() {
            ui.input(|i| {
                if i.key_pressed(Key::ArrowLeft) && i.modifiers.alt {
                    cursor = cursor.saturating_sub(1);
                }
                if i.key_pressed(Key::ArrowRight) && i.modifiers.alt {
                    cursor = (cursor + 1).min(len);
                }
            });
        }
        self.cursor = cursor;
        if self.state.as_ref().map(|(c, _)| *c) != Some(cursor) {
            self.state = Some((cursor, run.timeline.at(&run.engine, cursor)));
        }
        let Some((_, state)) = &self.state else {
            return;
        };
        ui.separator();
        let mut clicked = None;
        ui.columns(2, |cols| {
            clicked = log_table(&mut cols[0], run, cursor);
            state_view(&mut cols[1], run, state, cursor);
        });
        if let Some(c) = clicked {
            self.cursor = c;
        }
    }

    /// Redrives every parked message of the finished run: the redrive and the deliveries it
    /// causes are recorded in the log like any other step (so replays show them), and the
    /// cursor moves to the new end.
    pub fn redrive_all(&mut self) {
        let Some(run) = &mut self.run else { return };
        let e = &mut run.engine;
        let mut subs: Vec<usize> = e.dlq.iter().map(|p| p.subscriber).collect();
        subs.sort_unstable();
        subs.dedup();
        let at = e.now() + i64::from(self.redrive_after_min) * 60_000;
        for sub in subs {
            e.schedule_redrive(at, sub);
        }
        if let Err(err) = e.run(None) {
            self.error = Some(err.to_string());
        }
        run.timeline = Timeline::new(&run.engine);
        self.cursor = run.engine.store.records.len() as u64;
        self.state = None;
    }
}

/// Runs the scenario to its end, reporting progress; builds the timeline and checks.
fn run(
    model: &Model,
    name: &str,
    seed: Option<u64>,
    revision: u64,
    progress: &AtomicU64,
    ctx: &egui::Context,
) -> Result<Box<Run>, SimError> {
    let program = Arc::new(Program::new(model)?);
    let mut engine = setup(model, program, name, seed)?;
    let scenario = model
        .scenarios
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| SimError::UnknownScenario {
            name: name.to_owned(),
            known: model.scenarios.iter().map(|s| s.name.clone()).collect(),
        })?;
    let until = until_of(scenario);
    let mut steps = 0u64;
    while engine.step(until)? {
        steps += 1;
        if steps.is_multiple_of(4096) {
            progress.store(engine.store.records.len() as u64, Ordering::Relaxed);
            ctx.request_repaint();
        }
    }
    let timeline = Timeline::new(&engine);
    let verdicts = verdicts(model, &engine, scenario)?;
    Ok(Box::new(Run {
        scenario: name.to_owned(),
        engine,
        timeline,
        verdicts,
        revision,
    }))
}

/// The records up to the cursor, newest last, virtualized; the row at the cursor is
/// highlighted. Returns a new cursor when a row is clicked.
fn log_table(ui: &mut Ui, run: &Run, cursor: u64) -> Option<u64> {
    use egui_extras::{Column, TableBuilder};
    let e = &run.engine;
    let mut clicked = None;
    ui.strong(format!("Event log ({cursor} of {})", e.store.records.len()));
    TableBuilder::new(ui)
        .id_salt("sim-log")
        .striped(true)
        .resizable(true)
        .stick_to_bottom(true)
        .max_scroll_height(260.0)
        .column(Column::initial(40.0).at_least(30.0))
        .column(Column::initial(100.0).at_least(60.0))
        .column(Column::initial(150.0).at_least(60.0))
        .column(Column::initial(30.0).at_least(24.0))
        .column(Column::remainder())
        .header(18.0, |mut h| {
            for t in ["#", "time", "stream", "v", "event"] {
                h.col(|ui| {
                    ui.strong(t);
                });
            }
        })
        .body(|body| {
            body.rows(18.0, cursor as usize, |mut row| {
                let i = row.index();
                let r = &e.store.records[i];
                row.set_selected(i as u64 + 1 == cursor);
                let stream = e
                    .store
                    .streams
                    .get(r.stream as usize)
                    .map_or("", |s| &s.name);
                let name = &e.program.events[r.event as usize].name;
                let time = format_timestamp(r.time);
                let cells = [
                    (i + 1).to_string(),
                    time[11..].to_owned(),
                    stream.to_owned(),
                    r.version.to_string(),
                    name.clone(),
                ];
                for c in cells {
                    row.col(|ui| {
                        ui.add(egui::Label::new(c).truncate());
                    });
                }
                if row.response().clicked() {
                    clicked = Some(i as u64 + 1);
                }
            });
        });
    clicked
}

/// The name of the subscriber whose kind matches.
fn subscriber_name(e: &Engine, is: impl Fn(&SubscriberKind) -> bool) -> &str {
    e.program
        .subscribers
        .iter()
        .find(|s| is(&s.kind))
        .map_or("?", |s| s.name.as_str())
}

/// The record at the cursor and the state after it.
fn state_view(ui: &mut Ui, run: &Run, state: &StateAt, cursor: u64) {
    let e = &run.engine;
    egui::ScrollArea::vertical()
        .id_salt("sim-state")
        .max_height(300.0)
        .show(ui, |ui| {
            if let Some(r) = cursor
                .checked_sub(1)
                .and_then(|p| e.store.records.get(p as usize))
            {
                let def = &e.program.events[r.event as usize];
                ui.strong(format!("{} at {}", def.name, format_timestamp(r.time)));
                let payload: Vec<String> = def
                    .fields
                    .iter()
                    .zip(r.payload.iter())
                    .map(|(f, v)| format!("{} = {v}", f.name))
                    .collect();
                ui.label(RichText::new(payload.join(", ")).monospace());
                ui.weak(format!("id {}", format_id(r.id())));
                let chain: Vec<String> = causation(e, cursor - 1)
                    .into_iter()
                    .map(|l| match l {
                        Link::Event(p) => format!(
                            "#{} {}",
                            p + 1,
                            e.store
                                .records
                                .get(p as usize)
                                .map_or("?", |r| e.program.events[r.event as usize].name.as_str())
                        ),
                        Link::Command(c) => {
                            e.commands.get(c as usize).map_or("command ?".into(), |c| {
                                format!("command {}", e.program.commands[c.command].name)
                            })
                        }
                        Link::Given => "given history".into(),
                    })
                    .collect();
                if !chain.is_empty() {
                    ui.label(format!("caused by: {}", chain.join(" ← ")));
                }
                ui.separator();
            }
            ui.strong("Aggregates");
            for (a, instances) in state.aggregates.iter().enumerate() {
                let def = &e.program.aggregates[a];
                for (key, inst) in sorted(instances) {
                    let lifecycle = def.lifecycle.get(inst.lifecycle).map_or("", String::as_str);
                    ui.label(format!(
                        "{}/{key}: {lifecycle} (v{})",
                        def.name, inst.version
                    ));
                }
            }
            ui.strong("Read models");
            for (i, table) in state.read_models.iter().enumerate() {
                let name =
                    subscriber_name(e, |k| matches!(k, SubscriberKind::ReadModel(r) if *r == i));
                ui.label(format!("{name}: {} row(s)", table.len()));
            }
            if state.sagas.iter().any(|s| !s.is_empty()) {
                ui.strong("Sagas");
                for (i, sagas) in state.sagas.iter().enumerate() {
                    for (key, status) in sagas {
                        let name =
                            subscriber_name(e, |k| matches!(k, SubscriberKind::Saga(x) if *x == i));
                        ui.label(format!("{name} {key}: {status}"));
                    }
                }
            }
            ui.strong(format!("Dead letters ({})", state.dlq.len()));
            for p in &state.dlq {
                ui.label(format!(
                    "#{} to {}: {} after {} attempt(s)",
                    p.position + 1,
                    e.program.subscribers[p.subscriber].name,
                    p.error,
                    p.attempts
                ));
            }
            if !run.verdicts.is_empty() {
                ui.separator();
                ui.strong("Expectations");
                for v in &run.verdicts {
                    let (mark, color) = if v.passed {
                        ("✔", Color32::from_rgb(40, 140, 60))
                    } else {
                        ("✖", Color32::from_rgb(200, 40, 40))
                    };
                    let text = if v.passed {
                        format!("{mark} {}", v.expectation)
                    } else {
                        format!("{mark} {}: {}", v.expectation, v.reason)
                    };
                    ui.colored_label(color, text);
                }
            }
        });
}
