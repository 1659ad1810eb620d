//! The windows a run opens beside the Simulation tab: a saga's sequence diagram, an event's
//! causation graph, the charts and the comparison with a baseline run. Each reads the run and
//! moves the cursor only through the time control.

use crate::app::simulation::causation::CausationView;
use crate::app::simulation::charts::{self, ChartData};
use crate::app::simulation::panel::Run;
use crate::app::simulation::sequence::{self, Sequence};
use crate::app::simulation::time_control::{TimeCommand, TimeControl};

/// The run's windows and what they show.
#[derive(Default)]
pub struct RunWindows {
    /// The open saga sequence diagram.
    pub sequence: Option<Sequence>,
    /// The open causation graph.
    pub causation: Option<CausationView>,
    /// Whether the charts window is shown.
    pub charts_open: bool,
    /// The charts' series, for the current run.
    charts: Option<ChartData>,
    /// A run kept for comparison.
    pub baseline: Option<Box<Run>>,
    /// Whether the comparison window is shown.
    pub compare_open: bool,
}

impl RunWindows {
    /// Shows the open windows for `run` (none without one).
    pub fn ui(&mut self, ctx: &egui::Context, run: Option<&Run>, time: &mut TimeControl) {
        self.sequence_ui(ctx, time);
        let Some(run) = run else { return };
        self.charts_ui(ctx, run, time);
        self.causation_ui(ctx, run, time);
        if self.compare_open {
            let mut open = true;
            egui::Window::new("Compare runs")
                .open(&mut open)
                .default_pos(egui::pos2(280.0, 100.0))
                .default_width(620.0)
                .show(ctx, |ui| {
                    crate::app::simulation::compare::ui(ui, self.baseline.as_deref(), run);
                });
            self.compare_open = open;
        }
    }

    /// Closes the windows that show one run (a new run replaces it).
    pub fn forget_run(&mut self) {
        self.sequence = None;
        self.causation = None;
    }

    /// The causation graph of an event, in its own window.
    fn causation_ui(&mut self, ctx: &egui::Context, run: &Run, time: &mut TimeControl) {
        let Some(view) = &mut self.causation else {
            return;
        };
        let mut open = true;
        let mut clicked = None;
        egui::Window::new(format!("Causation — {}", view.title))
            .id(egui::Id::new("causation-window"))
            .open(&mut open)
            .default_pos(egui::pos2(240.0, 90.0))
            .default_size(egui::vec2(760.0, 420.0))
            .show(ctx, |ui| clicked = view.ui(ui, &run.engine));
        if let Some(c) = clicked {
            time.apply(TimeCommand::Seek(c));
        }
        if !open {
            self.causation = None;
        }
    }

    /// The charts, in their own window; computed once per run.
    fn charts_ui(&mut self, ctx: &egui::Context, run: &Run, time: &mut TimeControl) {
        if !self.charts_open {
            return;
        }
        let e = &run.engine;
        if !self.charts.as_ref().is_some_and(|c| c.is_of(e)) {
            self.charts = Some(ChartData::new(e));
        }
        let Some(data) = &self.charts else { return };
        let mut open = true;
        let mut clicked = None;
        egui::Window::new(format!("Charts — {}", run.scenario))
            .id(egui::Id::new("sim-charts"))
            .open(&mut open)
            .default_pos(egui::pos2(300.0, 80.0))
            .default_size(egui::vec2(680.0, 620.0))
            .show(ctx, |ui| {
                ui.weak("Click or drag on a chart to move the cursor there; scroll to zoom, double-click to reset.");
                clicked = charts::ui(ui, e, data, time.cursor());
            });
        if let Some(c) = clicked {
            time.apply(TimeCommand::Seek(c));
        }
        self.charts_open = open;
    }

    /// The saga sequence diagram, in its own window.
    fn sequence_ui(&mut self, ctx: &egui::Context, time: &mut TimeControl) {
        let Some(seq) = &self.sequence else { return };
        let mut open = true;
        let mut clicked = None;
        // Opens as large as its diagram (with its hint line), within most of the window.
        let room = ctx.content_rect().size() * 0.85;
        let wanted = sequence::size(seq) + egui::vec2(24.0, 64.0);
        egui::Window::new(format!("Saga sequence — {}", seq.title))
            .id(egui::Id::new("saga-sequence"))
            .open(&mut open)
            .default_pos(egui::pos2(120.0, 60.0))
            .default_size(wanted.min(room).max(egui::vec2(480.0, 240.0)))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.weak("Click a row to move the cursor there. ↺ compensation, ✖ rejected, ◊ saga status.");
                    crate::app::graphs::copy_mermaid_button(ui, "sequence", || {
                        crate::interop::mermaid::sequence(seq)
                    });
                });
                clicked = sequence::ui(ui, seq, time.cursor());
            });
        if let Some(c) = clicked {
            time.apply(TimeCommand::Seek(c));
        }
        if !open {
            self.sequence = None;
        }
    }
}
