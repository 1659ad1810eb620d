//! Writing scenarios from the Simulation tab: the scenario editor's window, a new scenario,
//! and the sandbox (commands issued by hand after a run, recorded into a scenario).

use crate::app::authoring::explore::ExploreRequest;
use crate::app::authoring::sandbox::SandboxRequest;
use crate::app::authoring::scenario_editor::{EditorOutcome, new_scenario};
use crate::app::document::edit::Edit;
use crate::app::simulation::panel::SimPanel;
use crate::app::simulation::time_control::TimeCommand;
use crate::model::Model;
use crate::model::diagnostic::Diagnostic;
use crate::model::op::Op;
use crate::sim::scenario::{issue, recorded};

impl SimPanel {
    /// An edit adding an empty scenario; it becomes the chosen one, open in the editor.
    pub fn new_scenario(&mut self, model: &Model) -> Edit {
        let s = new_scenario(model);
        self.scenario = s.name.clone();
        self.authoring.editor.open = true;
        Edit::Ops {
            label: "New scenario".into(),
            ops: vec![Op::InsertScenario {
                index: usize::MAX,
                scenario: Box::new(s),
            }],
            gesture: None,
        }
    }

    /// The scenario editor and the sandbox windows, when open; returns their model edit.
    pub(crate) fn authoring_windows(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        revision: u64,
        diagnostics: &[Diagnostic],
    ) -> Option<Edit> {
        let mut edit = None;
        if self.authoring.editor.open {
            match self
                .authoring
                .editor
                .window(ctx, model, revision, &self.scenario, diagnostics)
            {
                Some(EditorOutcome::Edit { edit: e, name }) => {
                    self.scenario = name;
                    edit = Some(e);
                }
                Some(EditorOutcome::Run) => self.start(ctx, model, revision, false),
                None => {}
            }
        }
        if self.authoring.explore.open {
            let name = self.scenario.clone();
            match self.authoring.explore.window(ctx, model, revision, &name) {
                Some(ExploreRequest::Open { run, cursor }) => {
                    self.arrived(run);
                    self.time.apply(TimeCommand::Seek(cursor));
                }
                Some(ExploreRequest::Save(s)) => {
                    let mut s = *s;
                    s.uid = crate::model::Uid::fresh();
                    edit = Some(Edit::Ops {
                        label: "Save explored scenario".into(),
                        ops: vec![Op::InsertScenario {
                            index: usize::MAX,
                            scenario: Box::new(s),
                        }],
                        gesture: None,
                    });
                }
                Some(ExploreRequest::Failed(e)) => self.authoring.explore.error = Some(e),
                None => {}
            }
        }
        if self.authoring.sandbox.open {
            let scenario = self
                .run
                .as_ref()
                .filter(|r| r.finished && !self.running())
                .map(|r| r.scenario.clone());
            match self
                .authoring
                .sandbox
                .window(ctx, model, revision, scenario.as_deref())
            {
                Some(SandboxRequest::Issue {
                    command,
                    fields,
                    after_ms,
                }) => self.issue(model, &command, &fields, after_ms),
                Some(SandboxRequest::SaveAs(name)) => edit = self.record(model, Some(name)),
                Some(SandboxRequest::Append) => edit = self.record(model, None),
                None => {}
            }
        }
        edit
    }

    /// Issues a command by hand to the finished run (see [`issue`]) and records it.
    fn issue(
        &mut self,
        model: &Model,
        command: &str,
        fields: &crate::model::scenario::Values,
        after_ms: i64,
    ) {
        let Some(run) = &mut self.run else { return };
        let Some(s) = model.scenarios.iter().find(|s| s.name == run.scenario) else {
            self.authoring.sandbox.error = Some(format!(
                "the scenario “{}” is no longer in the model: run one again",
                run.scenario
            ));
            return;
        };
        let (commands, events) = (run.engine.commands().len(), run.engine.records().len());
        match issue(&mut run.engine, s, command, fields, after_ms) {
            Ok(step) => {
                let e = &run.engine;
                let outcome = match e
                    .commands()
                    .get(commands)
                    .and_then(|c| c.rejection.as_ref())
                {
                    Some(reason) => format!("{command} was rejected: {reason}"),
                    None => format!(
                        "{command}: {} event(s) and {} command(s) followed",
                        e.records().len() - events,
                        e.commands().len() - commands
                    ),
                };
                self.authoring.sandbox.recorded.push(step);
                self.authoring.sandbox.error = None;
                self.authoring.sandbox.outcome = Some(outcome);
                self.extended(model);
            }
            Err(e) => self.authoring.sandbox.error = Some(e.to_string()),
        }
    }

    /// An edit saving the run's scenario plus what the sandbox recorded: as a new scenario
    /// called `name`, or (None) in place of the run's scenario.
    fn record(&mut self, model: &Model, name: Option<String>) -> Option<Edit> {
        let run = self.run.as_ref()?;
        let Some(index) = model.scenarios.iter().position(|s| s.name == run.scenario) else {
            self.authoring.sandbox.error = Some(format!(
                "the scenario “{}” is no longer in the model",
                run.scenario
            ));
            return None;
        };
        let base = &model.scenarios[index];
        let (label, op) = match name {
            Some(name) => {
                let mut s = recorded(
                    base,
                    &self.authoring.sandbox.recorded,
                    run.engine.seed(),
                    name,
                );
                s.uid = crate::model::Uid::fresh();
                self.scenario = s.name.clone();
                let op = Op::InsertScenario {
                    index: index + 1,
                    scenario: Box::new(s),
                };
                ("Record scenario", op)
            }
            None => {
                let s = recorded(
                    base,
                    &self.authoring.sandbox.recorded,
                    run.engine.seed(),
                    base.name.clone(),
                );
                // The recorded steps are now the scenario's own.
                self.authoring.sandbox.recorded.clear();
                let op = Op::SetScenario {
                    uid: base.uid,
                    scenario: Box::new(s),
                };
                ("Record into scenario", op)
            }
        };
        Some(Edit::Ops {
            label: label.into(),
            ops: vec![op],
            gesture: None,
        })
    }
}
