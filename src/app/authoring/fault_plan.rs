//! The fault-plan editor of the Simulation tab: for the chosen scenario, per subscriber
//! (policy, saga, read model, external system) the failure rate, outage windows, extra
//! latency, duplicate rate and the idempotent switch. Every change is an undoable model edit
//! (one step per drag or text edit); running the scenario again (F5) uses the new plan.

use egui::{Response, Ui};

use crate::app::document::edit::Edit;
use crate::app::document::gesture::{Gesture, track};
use crate::app::theme;
use crate::model::scenario::Fault;
use crate::model::{Model, Scenario};

/// The editor's state.
#[derive(Default)]
pub struct FaultPlanView {
    /// Whether the window is shown.
    pub open: bool,
    /// Subscriber names, for the model revision they were listed for.
    subscribers: Option<(u64, Result<Vec<String>, String>)>,
    /// Outage texts being typed, per subscriber (applied when they parse).
    outages: Vec<(String, String)>,
    /// The undo gesture of the widget being dragged or typed into.
    gesture: Gesture,
}

fn is_empty(f: &Fault) -> bool {
    *f == Fault::none(&f.subscriber)
}

/// `10:00..10:15, 30m..45m` as outage windows.
fn parse_outages(text: &str) -> Option<Vec<(String, String)>> {
    text.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let (a, b) = w.split_once("..")?;
            let (a, b) = (a.trim(), b.trim());
            (!a.is_empty() && !b.is_empty()).then(|| (a.to_owned(), b.to_owned()))
        })
        .collect()
}

fn outages_text(f: &Fault) -> String {
    f.outages
        .iter()
        .map(|(a, b)| format!("{a}..{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl FaultPlanView {
    fn subscribers(&mut self, model: &Model, revision: u64) -> Result<Vec<String>, String> {
        if self.subscribers.as_ref().map(|(r, _)| *r) != Some(revision) {
            let names = crate::sim::Program::new(model)
                .map(|p| p.subscribers.iter().map(|s| s.name.clone()).collect())
                .map_err(|e| e.to_string());
            self.subscribers = Some((revision, names));
        }
        self.subscribers
            .as_ref()
            .map_or_else(|| Ok(Vec::new()), |(_, n)| n.clone())
    }

    /// Names widget `r` `sub: what` for screen readers (and tests), and starts a new undo
    /// step when it starts being dragged or edited.
    fn track(&mut self, r: &Response, kind: egui::WidgetType, sub: &str, what: &str) {
        track(r, kind, &format!("{sub}: {what}"), &mut self.gesture);
    }

    /// The window for scenario `name` of `model`; a change comes back as an edit.
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        revision: u64,
        name: &str,
    ) -> Option<Edit> {
        let mut open = self.open;
        let mut edit = None;
        egui::Window::new(format!("Fault plan — {name}"))
            .id(egui::Id::new("fault-plan"))
            .open(&mut open)
            .default_pos(egui::pos2(240.0, 90.0))
            .default_width(640.0)
            .show(ctx, |ui| {
                edit = self.ui(ui, model, revision, name);
            });
        self.open = open;
        edit
    }

    fn ui(&mut self, ui: &mut Ui, model: &Model, revision: u64, name: &str) -> Option<Edit> {
        let Some(index) = model.scenarios.iter().position(|s| s.name == name) else {
            ui.weak("Pick a scenario in the Simulation tab first.");
            return None;
        };
        let subscribers = match self.subscribers(model, revision) {
            Ok(s) => s,
            Err(e) => {
                ui.colored_label(
                    theme::tokens(ui).error,
                    format!("The model cannot run: {e}"),
                );
                return None;
            }
        };
        ui.weak(
            "Faults injected into each subscriber's deliveries in this scenario. Changes are \
             undoable model edits; run the scenario again (F5) to see their effect.",
        );
        self.outages
            .resize(subscribers.len(), (String::new(), String::new()));
        let scenario = &model.scenarios[index];
        let mut plan = scenario.clone();
        egui::Grid::new("fault-plan-grid")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for h in [
                    "subscriber",
                    "failure %",
                    "duplicate %",
                    "extra latency",
                    "idempotent",
                    "outages (from..until, …)",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, sub) in subscribers.iter().enumerate() {
                    self.row_ui(ui, &mut plan, sub, i);
                    ui.end_row();
                }
            });
        plan.faults.retain(|f| !is_empty(f));
        if plan == *scenario {
            return None;
        }
        let gesture = Some(self.gesture.id());
        Some(Edit::Ops {
            label: format!("Edit fault plan of ‘{}’", plan.name),
            ops: vec![crate::model::op::Op::SetScenario {
                uid: plan.uid,
                scenario: Box::new(plan),
            }],
            gesture,
        })
    }

    /// A probability shown and dragged as a percentage.
    fn percent_ui(&mut self, ui: &mut Ui, rate: &mut f64, sub: &str, what: &str) {
        let mut percent = *rate * 100.0;
        let r = ui.add(
            egui::DragValue::new(&mut percent)
                .range(0.0..=100.0)
                .speed(0.5)
                .suffix(" %"),
        );
        self.track(&r, egui::WidgetType::DragValue, sub, what);
        if r.changed() {
            *rate = (percent / 100.0).clamp(0.0, 1.0);
        }
    }

    /// One subscriber's row: edits its fault in `plan` (adding it if new).
    fn row_ui(&mut self, ui: &mut Ui, plan: &mut Scenario, sub: &str, i: usize) {
        let at = match plan.faults.iter().position(|f| f.subscriber == sub) {
            Some(at) => at,
            None => {
                plan.faults.push(Fault::none(sub));
                plan.faults.len() - 1
            }
        };
        let f = &mut plan.faults[at];
        ui.label(sub);
        self.percent_ui(ui, &mut f.failure_rate, sub, "failure %");
        self.percent_ui(ui, &mut f.duplicate_rate, sub, "duplicate %");
        let mut latency = f.latency.clone().unwrap_or_default();
        let r = ui.add(
            egui::TextEdit::singleline(&mut latency)
                .hint_text("e.g. 2s")
                .desired_width(60.0),
        );
        self.track(&r, egui::WidgetType::TextEdit, sub, "extra latency");
        if r.changed() {
            f.latency = Some(latency.trim().to_owned()).filter(|l| !l.is_empty());
        }
        let shown = match f.idempotent {
            None => "as modelled",
            Some(true) => "on",
            Some(false) => "off",
        };
        egui::ComboBox::from_id_salt(("idempotent", i))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for (v, label) in [
                    (None, "as modelled"),
                    (Some(true), "on"),
                    (Some(false), "off"),
                ] {
                    if ui.selectable_value(&mut f.idempotent, v, label).clicked() {
                        self.gesture.restart();
                    }
                }
            });
        // The outage text is kept while typing; the plan changes when it parses.
        let (typed, shown_for) = &mut self.outages[i];
        let current = outages_text(f);
        if *shown_for != current {
            *typed = current.clone();
            *shown_for = current;
        }
        let r = ui.add(
            egui::TextEdit::singleline(typed)
                .hint_text("10:00..10:15")
                .desired_width(170.0),
        );
        let invalid = parse_outages(typed).is_none();
        if r.changed()
            && let Some(windows) = parse_outages(typed)
        {
            f.outages = windows;
        }
        if r.drag_started() || r.gained_focus() {
            self.gesture.restart();
        }
        if invalid {
            r.on_hover_text("Write windows as from..until, separated by commas");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outage_windows_are_read_from_text() {
        assert_eq!(
            parse_outages("10:00..10:15, 30m..45m"),
            Some(vec![
                ("10:00".into(), "10:15".into()),
                ("30m".into(), "45m".into())
            ])
        );
        assert_eq!(parse_outages(""), Some(vec![]));
        assert_eq!(parse_outages("10:00-10:15"), None);
        assert_eq!(parse_outages("10:00.."), None);
    }
}
