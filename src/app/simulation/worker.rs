//! A run's lifecycle in the Simulation tab: computed on a worker thread (progress shown, the
//! UI responsive) and pausable there; a paused run steps one event or one command at a time
//! on the UI thread, or goes on to its end on a worker again; Reset sets the scenario up
//! paused at its start. Pausing, stepping and continuing give the same log as one run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::app::simulation::panel::{Run, SimPanel};
use crate::model::Model;
use crate::sim::engine::Engine;
use crate::sim::scenario::{find, setup, until_of, verdicts};
use crate::sim::timeline::Timeline;
use crate::sim::{Program, SimError};

type Outcome = Result<Box<Run>, String>;

/// A run being computed on a worker thread.
pub struct Worker {
    rx: Receiver<Outcome>,
    /// Events in the log so far.
    pub progress: Arc<AtomicU64>,
    pause: Arc<AtomicBool>,
}

impl Worker {
    /// Asks the worker to stop after its current step and hand the run back, paused.
    pub fn pause(&self) {
        self.pause.store(true, Ordering::Relaxed);
    }

    /// Whether a pause was asked for (the worker may not have answered yet).
    pub fn pausing(&self) -> bool {
        self.pause.load(Ordering::Relaxed)
    }

    /// The run, once the worker finished or paused.
    pub fn answer(&self) -> Option<Outcome> {
        self.rx.try_recv().ok()
    }
}

/// Where a worker's run starts.
pub enum Start {
    /// The scenario from the beginning, with this seed (None: the scenario's).
    Scenario(Option<u64>),
    /// A paused run, going on.
    Paused(Box<Engine>),
}

/// How far a paused run goes on in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stride {
    /// Until one more event is in the log.
    Event,
    /// Until one more command has been handled (with the events it appended).
    Command,
}

/// Runs scenario `name` of `model` on a worker thread from `start`; paused before its first
/// step when `paused` (Reset). The answer arrives through [`Worker`].
pub fn spawn(
    ctx: &egui::Context,
    model: &Model,
    name: &str,
    start: Start,
    revision: u64,
    paused: bool,
) -> Result<Worker, String> {
    let (tx, rx) = channel();
    let progress = Arc::new(AtomicU64::new(0));
    let pause = Arc::new(AtomicBool::new(paused));
    let (model, name, ctx) = (model.clone(), name.to_owned(), ctx.clone());
    let (p, q) = (progress.clone(), pause.clone());
    std::thread::Builder::new()
        .name("simulation".into())
        .spawn(move || {
            let result = work(&model, &name, start, revision, &p, &q, &ctx);
            let _ = tx.send(result.map_err(|e| e.to_string()));
            ctx.request_repaint();
        })
        .map_err(|e| format!("cannot start the simulation: {e}"))?;
    Ok(Worker {
        rx,
        progress,
        pause,
    })
}

/// Runs the scenario until its end or a pause, reporting progress; builds the timeline, and
/// checks the expectations of a finished run.
fn work(
    model: &Model,
    name: &str,
    start: Start,
    revision: u64,
    progress: &AtomicU64,
    pause: &AtomicBool,
    ctx: &egui::Context,
) -> Result<Box<Run>, SimError> {
    let scenario = find(model, name)?;
    let mut engine = match start {
        Start::Scenario(seed) => {
            let mut e = setup(model, Arc::new(Program::new(model)?), name, seed)?;
            // The causation view says what each decision read.
            e.record_lookups();
            e
        }
        Start::Paused(engine) => *engine,
    };
    let until = until_of(scenario);
    let mut steps = 0u64;
    let finished = loop {
        if pause.load(Ordering::Relaxed) {
            break false;
        }
        if !engine.step(until)? {
            break true;
        }
        steps += 1;
        if steps.is_multiple_of(4096) {
            progress.store(engine.records().len() as u64, Ordering::Relaxed);
            ctx.request_repaint();
        }
    };
    if finished {
        engine.check_eventually();
    }
    let timeline = Timeline::new(&engine);
    let verdicts = if finished {
        verdicts(&engine, scenario)?
    } else {
        Vec::new()
    };
    Ok(Box::new(Run {
        scenario: name.to_owned(),
        engine,
        timeline,
        verdicts,
        revision,
        finished,
        rebuilt: std::sync::OnceLock::new(),
    }))
}

impl SimPanel {
    /// Runs the chosen scenario from its start on a worker; `paused` sets it up and stops
    /// before its first step (Reset), to be stepped.
    pub fn start(&mut self, ctx: &egui::Context, model: &Model, revision: u64, paused: bool) {
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
        let start = Start::Scenario(seed);
        match spawn(ctx, model, &self.scenario, start, revision, paused) {
            Ok(w) => {
                self.worker = Some(w);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// The paused run, if it can go on: it ran on the current model revision.
    pub fn paused(&self, revision: u64) -> Option<&Run> {
        self.run
            .as_deref()
            .filter(|r| !r.finished && r.revision == revision && !self.running())
    }

    /// Takes the paused run on to its end on a worker (the cursor follows when it is back).
    pub fn resume(&mut self, ctx: &egui::Context, model: &Model, revision: u64) {
        if self.paused(revision).is_none() {
            return;
        }
        let Some(run) = self.run.take() else { return };
        let name = run.scenario.clone();
        match spawn(
            ctx,
            model,
            &name,
            Start::Paused(Box::new(run.engine)),
            revision,
            false,
        ) {
            Ok(w) => {
                self.worker = Some(w);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Steps the paused run on by one event or one command, here (a step is short), and puts
    /// the cursor at the new end.
    pub fn step_run(&mut self, model: &Model, revision: u64, stride: Stride) {
        if self.paused(revision).is_none() {
            return;
        }
        let Some(run) = &mut self.run else { return };
        let Some(scenario) = model.scenarios.iter().find(|s| s.name == run.scenario) else {
            self.error = Some(format!(
                "the scenario “{}” is no longer in the model: reset",
                run.scenario
            ));
            return;
        };
        let until = until_of(scenario);
        let e = &mut run.engine;
        let (events, commands) = (e.records().len(), e.commands().len());
        loop {
            match e.step(until) {
                Ok(true) => {
                    let done = match stride {
                        Stride::Event => e.records().len() > events,
                        Stride::Command => e.commands().len() > commands,
                    };
                    if done {
                        break;
                    }
                }
                Ok(false) => {
                    run.finished = true;
                    break;
                }
                Err(err) => {
                    self.error = Some(err.to_string());
                    break;
                }
            }
        }
        self.extended(model);
    }

    /// Collects a finished or paused run of `model` at `revision`, if one arrived, and takes
    /// the step asked for before it was set up.
    pub fn poll(&mut self, model: &Model, revision: u64) {
        let Some(outcome) = self.worker.as_ref().and_then(Worker::answer) else {
            return;
        };
        self.worker = None;
        match outcome {
            Ok(run) => {
                self.arrived(run);
                if let Some(stride) = self.step_after_start.take() {
                    self.step_run(model, revision, stride);
                }
            }
            Err(e) => {
                self.step_after_start = None;
                self.error = Some(e);
            }
        }
    }
}
