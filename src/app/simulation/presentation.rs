//! Presentation mode's caption (View → Presentation Mode, F11): with the panels hidden and
//! the type enlarged, a strip under the board narrates the record at the simulation cursor —
//! what happened, to which stream, what caused it — and Left/Right step through the run.

use egui::{Key, RichText, Ui};

use crate::app::simulation::markers;
use crate::app::simulation::panel::SimPanel;
use crate::app::simulation::state::{chain_text, payload_text};
use crate::app::simulation::time_control::TimeCommand;
use crate::app::theme;

impl SimPanel {
    /// Left/Right move the cursor one event back or on (presentation mode).
    pub fn step_keys(&mut self, ctx: &egui::Context) {
        if self.run.is_none() {
            return;
        }
        ctx.input_mut(|i| {
            if i.consume_key(egui::Modifiers::NONE, Key::ArrowLeft) {
                self.time.apply(TimeCommand::Back);
            }
            if i.consume_key(egui::Modifiers::NONE, Key::ArrowRight) {
                self.time.apply(TimeCommand::On);
            }
        });
    }

    /// The caption: the record at the cursor in large type, with step buttons.
    pub fn caption_ui(&mut self, ui: &mut Ui, revision: u64) {
        let Some(run) = self.run.as_ref().filter(|r| r.revision == revision) else {
            ui.label(
                RichText::new(
                    "Run a scenario (F5) to narrate it here; Escape leaves presentation mode.",
                )
                .size(18.0),
            );
            return;
        };
        let e = &run.engine;
        let len = e.records().len() as u64;
        let mut step = None;
        ui.horizontal(|ui| {
            if ui
                .button(RichText::new("◀").size(22.0))
                .on_hover_text("One event back (Left)")
                .clicked()
            {
                step = Some(TimeCommand::Back);
            }
            if ui
                .button(RichText::new("▶").size(22.0))
                .on_hover_text("One event on (Right)")
                .clicked()
            {
                step = Some(TimeCommand::On);
            }
            if let Some(c) = step {
                self.time.apply(c);
            }
            let cursor = self.time.cursor().min(len);
            ui.label(
                RichText::new(format!("{} · {cursor} of {len}", run.scenario))
                    .size(16.0)
                    .weak(),
            );
        });
        let cursor = self.time.cursor().min(len);
        match cursor
            .checked_sub(1)
            .and_then(|p| e.records().get(p as usize))
        {
            None => {
                ui.label(RichText::new("Before the first event").size(24.0));
            }
            Some(r) => {
                let def = &e.program().events[r.event as usize];
                let stream = e.stream_name(r.stream);
                ui.label(
                    RichText::new(format!(
                        "{} — {stream}, {}",
                        def.name,
                        crate::app::simulation::state::clock(r.time, e.spans_days(), false)
                    ))
                    .size(26.0)
                    .strong(),
                );
                ui.label(RichText::new(payload_text(def, e.payload(r), " = ", ", ")).size(18.0));
                // What went wrong (or was put right) at this step, in words and its colour:
                // a rejection, a parked delivery, a redrive, a compensation, a timeout.
                let t = theme::tokens(ui);
                for m in markers::at(&self.markers, cursor) {
                    ui.label(
                        RichText::new(markers::describe(e, m))
                            .size(20.0)
                            .color(m.kind.color(t)),
                    );
                }
                if let Some(said) = markers::compensation(e, cursor - 1) {
                    ui.label(RichText::new(said).size(20.0).color(t.compensation));
                }
                let chain = chain_text(e, cursor - 1);
                if !chain.is_empty() {
                    ui.label(
                        RichText::new(format!("caused by {chain}"))
                            .size(16.0)
                            .weak(),
                    );
                }
            }
        }
    }
}
