//! The inspector's saga editor: steps (on an event — or a join of several —, if a condition,
//! set state fields, issue a command — at once or after a timer, once or once per element of
//! a list — and the command that compensates it), deadlines, the
//! events that end an instance and the command issued when the saga fails. Expressions are
//! checked as you type against the event they read and the saga's state.

use egui::{RichText, Ui};

use crate::app::inspector::behaviour::{assignments_ui, command, event};
use crate::app::inspector::buffered_edit::{buffered_edit, comma_list, unless_ui};
use crate::app::inspector::expr_edit::{checked_edit, expr_edit};
use crate::app::inspector::panel::reference_ui;
use crate::app::theme;
use crate::model::expr::Scope;
use crate::model::expr::time::parse_duration;
use crate::model::reference::Ref;
use crate::model::saga::{Deadline, Issue, Saga, SagaEnd, SagaStep};
use crate::model::scopes::{ModelTypes, common_fields, fan_out, saga_scope};
use crate::model::{Kind, Model, NameIndex, Type};

/// A step's or an end's condition over its event (empty: always). Returns true if changed.
fn condition_ui(
    ui: &mut Ui,
    id: &str,
    when: &mut Option<String>,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    ui.label("If (condition over event, state, now; empty: always)");
    let mut text = when.clone().unwrap_or_default();
    let edited = expr_edit(ui, id, &mut text, scope, types, Some(&Type::Bool), true).changed();
    if edited {
        *when = (!text.trim().is_empty()).then_some(text);
    }
    edited
}

/// What a saga's expressions read when `events` trigger them: `event` (a join's: the fields
/// its events share), `now`, the read models and the saga's `state`. None when an event is
/// not known.
fn scope_of(
    (model, index): (&Model, &NameIndex),
    ctx: usize,
    sg: &Saga,
    events: &[&Ref],
) -> Option<Scope> {
    let found: Option<Vec<&[crate::model::Field]>> = events
        .iter()
        .map(|e| event(model, index, e, ctx).map(|ev| &ev.fields[..]))
        .collect();
    Some(saga_scope(&common_fields(&found?), sg))
}

/// A step's timer: the command issued this long after the event (empty: at once), and the
/// events that cancel it. Returns true if changed.
fn timer_ui(ui: &mut Ui, step: &mut SagaStep, scope: Option<&Scope>, types: &ModelTypes) -> bool {
    ui.label("After (a timer: a duration over event, state, now; empty: at once)");
    let mut text = step.after.clone().unwrap_or_default();
    let duration = Some(&Type::Duration);
    let mut changed =
        expr_edit(ui, "saga after", &mut text, scope, types, duration, true).changed();
    if changed {
        step.after = (!text.trim().is_empty()).then_some(text);
    }
    if step.after.is_some() {
        changed |= unless_ui(ui, "saga unless", &mut step.unless);
    }
    changed
}

/// A step's fan-out, `ITEM in LIST` (empty: one command), checked as typed. Returns whether
/// it changed and the scope its command reads (with the element, when the fan-out is valid).
fn for_each_ui(
    ui: &mut Ui,
    for_each: &mut Option<String>,
    scope: Option<Scope>,
    types: &ModelTypes,
) -> (bool, Option<Scope>) {
    ui.label("For each (ITEM in LIST: one command per element; empty: one command)");
    let mut text = for_each.clone().unwrap_or_default();
    let fan = scope
        .as_ref()
        .filter(|_| !text.trim().is_empty())
        .map(|s| fan_out(&text, s, types));
    let error = fan.as_ref().and_then(|r| r.as_ref().err().cloned());
    let edited = checked_edit(ui, "saga for each", &mut text, error).changed();
    if edited {
        *for_each = (!text.trim().is_empty()).then_some(text);
    }
    match fan {
        Some(Ok((_, inner))) => (edited, Some(inner)),
        _ => (edited, scope),
    }
}

/// Everything the saga does. Returns true if changed.
pub fn saga_ui(ui: &mut Ui, model: &Model, ctx: usize, sg: &mut Saga) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let mut changed = false;
    // The scopes read the saga as it was at the start of this frame.
    let saga = sg.clone();
    let scope = |events: &[&Ref]| scope_of((model, &index), ctx, &saga, events);

    ui.separator();
    ui.strong(format!("Steps ({})", sg.steps.len()));
    let mut remove = None;
    for (i, step) in sg.steps.iter_mut().enumerate() {
        ui.push_id(("saga-step", i), |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("Step {}", i + 1)).italics());
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the step")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
            changed |= reference_ui(ui, model, ctx, "On", &mut step.on, &[Kind::Event]);
            changed |= join_ui(ui, model, ctx, &mut step.and);
            let events: Vec<&Ref> = step.events().collect();
            let scope = scope(&events);
            changed |= condition_ui(ui, "when", &mut step.when, scope.as_ref(), &types);
            if !saga.state.is_empty() {
                ui.label("Set state fields");
                changed |= assignments_ui(
                    ui,
                    "set",
                    &mut step.set,
                    &saga.state,
                    scope.as_ref(),
                    &types,
                    "state",
                );
            }
            let mut issues = !step.issue.is_none() || step.set.is_empty();
            if ui
                .checkbox(&mut issues, "Issues a command")
                .on_hover_text("Untick for a step that only sets state")
                .changed()
            {
                if !issues {
                    step.issue = Issue::default();
                }
                changed = true;
            }
            // A fan-out adds its element to what the command and its compensation read.
            let scope = if issues {
                changed |= timer_ui(ui, step, scope.as_ref(), &types);
                let (edited, inner) = for_each_ui(ui, &mut step.for_each, scope, &types);
                changed |= edited;
                changed |= issue_ui(
                    ui,
                    &types,
                    (model, &index),
                    ctx,
                    ("Issue", "event"),
                    &mut step.issue,
                    inner.as_ref(),
                );
                inner
            } else {
                scope
            };
            let mut compensates = step.compensate.is_some();
            if ui
                .checkbox(
                    &mut compensates,
                    "Compensated by a command when the saga fails",
                )
                .changed()
            {
                step.compensate = compensates.then(|| Issue {
                    command: String::new().into(),
                    target: None,
                    with: Default::default(),
                });
                changed = true;
            }
            if let Some(c) = &mut step.compensate {
                changed |= issue_ui(
                    ui,
                    &types,
                    (model, &index),
                    ctx,
                    ("Compensate with", "event"),
                    c,
                    scope.as_ref(),
                );
            }
            ui.add_space(4.0);
        });
    }
    if let Some(i) = remove {
        sg.steps.remove(i);
        changed = true;
    }
    if ui.button("+ Step").clicked() {
        sg.steps.push(SagaStep {
            on: String::new().into(),
            and: Vec::new(),
            when: None,
            set: Default::default(),
            for_each: None,
            after: None,
            unless: Vec::new(),
            issue: Issue::default(),
            compensate: None,
        });
        changed = true;
    }

    ui.separator();
    ui.strong(format!("Deadlines ({})", sg.deadlines.len()));
    ui.weak(
        "When a deadline fires before an event that cancels it, the saga compensates, or ends \
         normally if you say so.",
    );
    let mut remove = None;
    for (i, d) in sg.deadlines.iter_mut().enumerate() {
        ui.push_id(("saga-deadline", i), |ui| {
            ui.horizontal(|ui| {
                ui.label("Name");
                changed |= ui
                    .add(egui::TextEdit::singleline(&mut d.name).desired_width(120.0))
                    .changed();
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the deadline")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
            changed |= reference_ui(ui, model, ctx, "Starts at", &mut d.from, &[Kind::Event]);
            match &mut d.at {
                None => {
                    ui.horizontal(|ui| {
                        ui.label("Fires after");
                        changed |= ui
                            .add(egui::TextEdit::singleline(&mut d.after).desired_width(80.0))
                            .changed();
                        if parse_duration(&d.after).is_none_or(|ms| ms <= 0) {
                            ui.colored_label(
                                theme::tokens(ui).error,
                                "a duration such as 15m, 2h or 14d",
                            );
                        }
                    });
                    if ui
                        .small_button("Fire at a time from the data…")
                        .on_hover_text("A timestamp from the starting event, e.g. its expiry date")
                        .clicked()
                    {
                        d.at = Some("now + days(14)".into());
                        d.after.clear();
                        changed = true;
                    }
                }
                Some(at) => {
                    ui.label("Fires at (a timestamp over event, now)");
                    let scope = scope(&[&d.from]);
                    let types = ModelTypes::new(model);
                    let ts = Type::Timestamp;
                    changed |=
                        expr_edit(ui, "at", at, scope.as_ref(), &types, Some(&ts), false).changed();
                }
            }
            ui.horizontal(|ui| {
                let mut normal = d.ends_as.is_some();
                if ui
                    .checkbox(&mut normal, "Firing ends it normally, as")
                    .on_hover_text("Unticked: firing fails the saga (TimedOut) and compensates")
                    .changed()
                {
                    d.ends_as = normal.then(|| "Expired".to_owned());
                    changed = true;
                }
                if let Some(status) = &mut d.ends_as {
                    changed |= ui
                        .add(egui::TextEdit::singleline(status).desired_width(100.0))
                        .changed();
                }
            });
            ui.label("Unless one of these happens first (comma-separated events)");
            let id = ui.id().with("until");
            let width = ui.spacing().text_edit_width;
            if let (_, Some(until)) = buffered_edit(
                ui,
                id,
                &d.until,
                width,
                |v| v.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                comma_list,
            ) {
                d.until = until;
                changed = true;
            }
            let unknown: Vec<&str> = d
                .until
                .iter()
                .filter(|e| event(model, &index, e, ctx).is_none())
                .map(|e| e.as_str())
                .collect();
            if !unknown.is_empty() {
                ui.colored_label(theme::tokens(ui).error, format!("no event {unknown:?}"));
            }
        });
    }
    if let Some(i) = remove {
        sg.deadlines.remove(i);
        changed = true;
    }
    if ui.button("+ Deadline").clicked() {
        sg.deadlines.push(Deadline {
            name: format!("deadline {}", sg.deadlines.len() + 1),
            from: sg.start.clone(),
            after: "15m".into(),
            at: None,
            until: Vec::new(),
            ends_as: None,
        });
        changed = true;
    }

    ui.separator();
    ui.strong(format!("Ends ({})", sg.ends.len()));
    let mut remove = None;
    for (i, end) in sg.ends.iter_mut().enumerate() {
        ui.push_id(("saga-end", i), |ui| {
            changed |= reference_ui(ui, model, ctx, "When", &mut end.on, &[Kind::Event]);
            let scope = scope(&[&end.on]);
            changed |= condition_ui(ui, "end when", &mut end.when, scope.as_ref(), &types);
            ui.horizontal(|ui| {
                ui.label("the instance ends as");
                changed |= ui
                    .add(egui::TextEdit::singleline(&mut end.status).desired_width(120.0))
                    .changed();
                if ui.small_button("✖").on_hover_text("Remove").clicked() {
                    remove = Some(i);
                }
            });
        });
    }
    if let Some(i) = remove {
        sg.ends.remove(i);
        changed = true;
    }
    if ui.button("+ End").clicked() {
        sg.ends.push(SagaEnd {
            when: None,
            on: String::new().into(),
            status: "Completed".into(),
        });
        changed = true;
    }

    ui.separator();
    let mut fails = sg.on_failure.is_some();
    if ui
        .checkbox(
            &mut fails,
            "On failure, after the compensations, issue a command",
        )
        .changed()
    {
        sg.on_failure = fails.then(|| Issue {
            command: String::new().into(),
            target: None,
            with: Default::default(),
        });
        changed = true;
    }
    if let Some(f) = &mut sg.on_failure {
        ui.push_id("saga-failure", |ui| {
            let scope = scope(&[&saga.start]);
            let label = ("Issue", "event");
            changed |= issue_ui(ui, &types, (model, &index), ctx, label, f, scope.as_ref());
        });
    }
    changed
}

/// A command issued by a saga or a handler's schedule: which (its name labelled `label`), to
/// which target, with which field values; its expressions read `scope`, whose message root is
/// `root` (`event`, `cmd`): unassigned fields copy that message's same-named fields.
pub(super) fn issue_ui(
    ui: &mut Ui,
    types: &ModelTypes,
    (model, index): (&Model, &NameIndex),
    ctx: usize,
    (label, root): (&str, &str),
    issue: &mut Issue,
    scope: Option<&Scope>,
) -> bool {
    let mut changed = false;
    ui.push_id(label, |ui| {
        changed |= reference_ui(ui, model, ctx, label, &mut issue.command, &[Kind::Command]);
        let whose = if root == "cmd" { "command" } else { root };
        ui.label(format!("To target id (default: the {whose}'s id field)"));
        let mut target = issue.target.clone().unwrap_or_default();
        if expr_edit(
            ui,
            "target",
            &mut target,
            scope,
            types,
            Some(&Type::Id),
            true,
        )
        .changed()
        {
            issue.target = (!target.trim().is_empty()).then_some(target);
            changed = true;
        }
        let fields = command(model, index, &issue.command, ctx)
            .map(|c| c.fields.clone())
            .unwrap_or_default();
        changed |= assignments_ui(
            ui,
            ("with", label),
            &mut issue.with,
            &fields,
            scope,
            types,
            root,
        );
    });
    changed
}

/// A step's join: the other events it waits for besides `on` (empty: none). Returns true
/// if changed.
fn join_ui(ui: &mut Ui, model: &Model, ctx: usize, and: &mut Vec<Ref>) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (k, other) in and.iter_mut().enumerate() {
        ui.push_id(("join", k), |ui| {
            ui.horizontal(|ui| {
                changed |= reference_ui(ui, model, ctx, "and", other, &[Kind::Event]);
                if ui
                    .small_button("✖")
                    .on_hover_text("Wait for this event no longer")
                    .clicked()
                {
                    remove = Some(k);
                }
            });
        });
    }
    if let Some(k) = remove {
        and.remove(k);
        changed = true;
    }
    if ui
        .small_button("+ Wait also for…")
        .on_hover_text(
            "A join: the step is taken once, when this instance has seen every one of its \
             events, in any order",
        )
        .clicked()
    {
        and.push(Ref::default());
        changed = true;
    }
    changed
}
