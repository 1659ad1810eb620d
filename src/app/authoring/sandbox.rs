//! The sandbox of the Simulation tab: after a run, issue commands by hand (and redrive dead
//! letters) at a chosen delay, watch what they cause, and record them into a scenario that
//! replays the same log.

use egui::Ui;

use crate::app::authoring::scenario_editor::{NamedFields, command_fields, fields_of, values_grid};
use crate::app::theme;
use crate::model::Model;
use crate::model::expr::time::parse_duration;
use crate::model::scenario::{Step, Values};

/// The sandbox window's state.
pub struct Sandbox {
    /// Whether the window is shown.
    pub open: bool,
    command: String,
    fields: Values,
    after: String,
    /// What was done by hand since the run, in order: the steps that replay it.
    pub recorded: Vec<Step>,
    /// The last failure, shown in the window.
    pub error: Option<String>,
    /// What the last command issued here did.
    pub outcome: Option<String>,
    /// Name for "Save as new scenario".
    new_name: String,
    /// The model's commands and their fields, with the revision they were read at.
    commands: Option<(u64, NamedFields)>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self {
            open: false,
            command: String::new(),
            fields: Values::new(),
            after: "1s".into(),
            recorded: Vec::new(),
            error: None,
            outcome: None,
            new_name: String::new(),
            commands: None,
        }
    }
}

/// What the sandbox asks of the Simulation tab.
pub enum SandboxRequest {
    /// Issue this command `after_ms` after the run's current time.
    Issue {
        /// The command.
        command: String,
        /// Its field expressions.
        fields: Values,
        /// Delay from the run's current virtual time.
        after_ms: i64,
    },
    /// Add the run's scenario plus the recorded steps as a new scenario called this.
    SaveAs(String),
    /// Append the recorded steps to the run's scenario.
    Append,
}

/// One line describing a recorded step.
pub fn step_text(step: &Step) -> String {
    match step {
        Step::Command {
            at,
            command,
            fields,
        } => {
            let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("+{at}  {command}  {}", fields.join(" "))
        }
        Step::Load { at, command, .. } => format!("+{at}  load of {command}"),
        Step::Redrive {
            at,
            subscriber,
            event: None,
        } => format!("+{at}  redrive {subscriber}"),
        Step::Redrive {
            at,
            subscriber,
            event: Some(n),
        } => format!("+{at}  redrive #{n} of {subscriber}"),
    }
}

impl Sandbox {
    /// Forgets what was recorded (a new run starts).
    pub fn reset(&mut self) {
        self.recorded.clear();
        self.error = None;
        self.outcome = None;
    }

    /// The window over `model` at `revision`; `scenario` is the run's scenario (None: no
    /// finished run yet).
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        revision: u64,
        scenario: Option<&str>,
    ) -> Option<SandboxRequest> {
        let mut open = self.open;
        let mut request = None;
        egui::Window::new("Sandbox — issue commands by hand")
            .id(egui::Id::new("sandbox-window"))
            .open(&mut open)
            .default_pos(egui::pos2(320.0, 140.0))
            .default_width(520.0)
            .show(ctx, |ui| {
                request = self.body_ui(ui, model, revision, scenario)
            });
        self.open = open;
        request
    }

    fn body_ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        revision: u64,
        scenario: Option<&str>,
    ) -> Option<SandboxRequest> {
        let Some(scenario) = scenario else {
            ui.weak("Run a scenario to its end first (an empty one starts from nothing): commands issued here continue its run.");
            return None;
        };
        if self.commands.as_ref().map(|(r, _)| *r) != Some(revision) {
            self.commands = Some((revision, command_fields(model)));
        }
        let commands = self.commands.take().map(|(_, c)| c).unwrap_or_default();
        if self.command.is_empty()
            && let Some((first, _)) = commands.first()
        {
            self.command = first.clone();
        }
        let mut request = None;
        ui.horizontal(|ui| {
            ui.label("Command");
            let r = egui::ComboBox::from_id_salt("sandbox-command")
                .selected_text(&self.command)
                .show_ui(ui, |ui| {
                    for (c, _) in &commands {
                        ui.selectable_value(&mut self.command, c.clone(), c);
                    }
                })
                .response;
            r.widget_info(|| {
                egui::WidgetInfo::labeled(egui::WidgetType::ComboBox, true, "Sandbox command")
            });
            ui.label("after");
            let r = ui.add(egui::TextEdit::singleline(&mut self.after).desired_width(60.0));
            r.widget_info(|| {
                egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, "Sandbox delay")
            });
        });
        values_grid(
            ui,
            &mut self.fields,
            fields_of(&commands, &self.command),
            "Sandbox",
            0,
        );
        ui.horizontal(|ui| {
            if ui
                .button("Issue")
                .on_hover_text("Append the command to the run at its end plus the delay, and run until nothing is left to do")
                .clicked()
            {
                match parse_duration(&self.after) {
                    Some(after_ms) => {
                        request = Some(SandboxRequest::Issue {
                            command: self.command.clone(),
                            fields: self.fields.clone(),
                            after_ms,
                        });
                    }
                    None => {
                        self.error = Some(format!(
                            "delay `{}`: write a duration such as 0s, 1s, 5m or 1h30m",
                            self.after
                        ));
                    }
                }
            }
            ui.weak("Fields are expressions: 'o-9' is text, 12.50 a decimal.");
        });
        if let Some(e) = &self.error {
            ui.colored_label(theme::tokens(ui).error, e);
        } else if let Some(o) = &self.outcome {
            ui.label(o);
        }
        ui.separator();
        ui.strong(format!(
            "Recorded — {} step(s) after “{scenario}”",
            self.recorded.len()
        ));
        if self.recorded.is_empty() {
            ui.weak(
                "Commands issued here and dead letters redriven (all, or one from Dead letters) are recorded.",
            );
        }
        for step in &self.recorded {
            ui.monospace(step_text(step));
        }
        if self.new_name.is_empty() {
            self.new_name = format!("{scenario} (recorded)");
        }
        ui.add_enabled_ui(!self.recorded.is_empty(), |ui| {
            ui.horizontal(|ui| {
                let r = ui.add(egui::TextEdit::singleline(&mut self.new_name).desired_width(220.0));
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::TextEdit,
                        true,
                        "Recorded scenario name",
                    )
                });
                let taken = model.scenarios.iter().any(|s| s.name == self.new_name);
                if ui
                    .add_enabled(
                        !taken && !self.new_name.trim().is_empty(),
                        egui::Button::new("Save as new scenario"),
                    )
                    .on_disabled_hover_text("Choose a name no scenario has")
                    .clicked()
                {
                    request = Some(SandboxRequest::SaveAs(self.new_name.clone()));
                }
                if ui
                    .button(format!("Append to “{scenario}”"))
                    .on_hover_text("Add the recorded steps to the scenario that was run")
                    .clicked()
                {
                    request = Some(SandboxRequest::Append);
                }
            });
        });
        self.commands = Some((revision, commands));
        request
    }
}
