//! Inspector editors for behaviour written as expressions: an aggregate's command handlers
//! (accepted states, guards with rejection messages, emitted events with field assignments)
//! and event appliers, a policy's condition and target, a read model's rules and an external
//! system's outcomes. Every expression box is checked as you type against
//! the scope it runs in ([`crate::app::inspector::expr_edit`]).

use egui::{RichText, TextEdit, Ui};

use crate::app::inspector::buffered_edit::{buffered_edit, comma_list, unless_ui};
use crate::app::inspector::expr_edit::{checked_edit, expr_edit};
use crate::model::NameIndex;
use crate::model::aggregate::Assignments;
use crate::model::expr::Scope;
use crate::model::scopes::{
    ModelTypes, applier_scope, event_scope, fan_out, fan_out_parts, handler_scope, message_scope,
    row_scope,
};
use crate::model::{
    Aggregate, Branch, Command, Emit, Event, ExternalSystem, Field, Guard, Handler, Kind, Model,
    Policy, ReadModel, RuleAction, Type,
};

/// The command `name` refers to from context `ctx`.
pub(crate) fn command<'m>(
    model: &'m Model,
    index: &NameIndex,
    name: &str,
    ctx: usize,
) -> Option<&'m Command> {
    let id = index.resolve(name, &[Kind::Command], Some(ctx)).found()?;
    model.contexts.get(id.context?)?.commands.get(id.index)
}

/// The event `name` refers to from context `ctx`.
pub(crate) fn event<'m>(
    model: &'m Model,
    index: &NameIndex,
    name: &str,
    ctx: usize,
) -> Option<&'m Event> {
    let id = index.resolve(name, &[Kind::Event], Some(ctx)).found()?;
    model.contexts.get(id.context?)?.events.get(id.index)
}

/// The policy's condition, fan-out, target and command fields. Returns true if changed.
pub fn policy_ui(ui: &mut Ui, model: &Model, ctx: usize, p: &mut Policy) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let plain = event(model, &index, &p.on, ctx).map(event_scope);
    // Its condition, target and fields may look read models up; its timer's delay may not.
    let scope = plain.clone().map(Scope::with_lookups);
    let mut changed = false;
    /// An optional expression: empty text is none.
    fn optional(
        ui: &mut Ui,
        label: &str,
        value: &mut Option<String>,
        (scope, types): (Option<&Scope>, &ModelTypes),
        ty: Type,
    ) -> bool {
        ui.label(label);
        let mut text = value.clone().unwrap_or_default();
        let edit = expr_edit(
            ui,
            ("policy", label),
            &mut text,
            scope,
            types,
            Some(&ty),
            true,
        );
        if edit.changed() {
            *value = (!text.trim().is_empty()).then_some(text);
        }
        edit.changed()
    }
    let label = "If (condition over event, now)";
    changed |= optional(ui, label, &mut p.when, (scope.as_ref(), &types), Type::Bool);
    let label = "After (a timer: a duration over event, now; empty: at once)";
    changed |= optional(
        ui,
        label,
        &mut p.after,
        (plain.as_ref(), &types),
        Type::Duration,
    );
    if p.after.is_some() {
        changed |= unless_ui(ui, "policy unless", &mut p.unless);
    }
    // A fan-out adds its element to what the target and the fields may read.
    ui.label("For each (ITEM in LIST: one command per element; empty: one command)");
    let mut text = p.for_each.clone().unwrap_or_default();
    let fan = scope
        .as_ref()
        .filter(|_| !text.trim().is_empty())
        .map(|s| fan_out(&text, s, &types));
    let error = fan.as_ref().and_then(|r| r.as_ref().err().cloned());
    if checked_edit(ui, ("policy", "for each"), &mut text, error).changed() {
        p.for_each = (!text.trim().is_empty()).then_some(text);
        changed = true;
    }
    let scope = match fan {
        Some(Ok((_, inner))) => Some(inner),
        _ => scope,
    };
    changed |= optional(
        ui,
        "To target id (default: the event's id field)",
        &mut p.target,
        (scope.as_ref(), &types),
        Type::Id,
    );
    let fields = command(model, &index, &p.then, ctx)
        .map(|c| c.fields.clone())
        .unwrap_or_default();
    ui.label("Command fields (unassigned ones copy the event's same-named field)");
    changed |= assignments_ui(
        ui,
        "policy with",
        &mut p.with,
        &fields,
        scope.as_ref(),
        &types,
        "event",
    );
    changed
}

/// The aggregate's command handlers. Returns true if changed.
pub fn handlers_ui(ui: &mut Ui, model: &Model, ctx: usize, a: &mut Aggregate) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let mut changed = false;
    let agg = a.clone();
    let own = own_events(model, ctx, &a.name);
    let mut remove = None;
    ui.label(RichText::new("Command handlers").strong());
    let few = a.handlers.len() <= 3;
    for (hi, h) in a.handlers.iter_mut().enumerate() {
        let scope = command(model, &index, &h.on, ctx).map(|c| handler_scope(c, &agg));
        egui::CollapsingHeader::new(format!("on {}", h.on))
            .id_salt(("handler", hi))
            .default_open(few)
            .show(ui, |ui| {
                changed |= handler_ui(
                    ui,
                    (model, &index),
                    (ctx, &own),
                    hi,
                    h,
                    scope.as_ref(),
                    &types,
                );
                if ui.small_button("Remove handler").clicked() {
                    remove = Some(hi);
                }
            });
    }
    if let Some(i) = remove {
        a.handlers.remove(i);
        changed = true;
    }
    // A handler for a command aimed at this aggregate that has none yet.
    let unhandled: Vec<String> = model
        .contexts
        .get(ctx)
        .map(|c| {
            c.commands
                .iter()
                .filter(|cmd| cmd.target == a.name && !a.handlers.iter().any(|h| h.on == cmd.name))
                .map(|cmd| cmd.name.clone())
                .collect()
        })
        .unwrap_or_default();
    if !unhandled.is_empty() {
        ui.menu_button("+ Handler", |ui| {
            for name in unhandled {
                if ui.button(&name).clicked() {
                    a.handlers.push(Handler::new(name));
                    changed = true;
                    ui.close();
                }
            }
        });
    }
    changed
}

fn handler_ui(
    ui: &mut Ui,
    names: (&Model, &NameIndex),
    (ctx, own): (usize, &[String]),
    hi: usize,
    h: &mut Handler,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    let mut changed = false;
    ui.label("Accepted in states (comma-separated; empty: any)");
    let id = ui.id().with(("states", hi));
    let (resp, states) = buffered_edit(
        ui,
        id,
        &h.states,
        f32::INFINITY,
        |v| v.join(", "),
        comma_list,
    );
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, "Accepted in states")
    });
    if let Some(states) = states {
        h.states = states;
        changed = true;
    }
    ui.label("Guards (cmd, state, now), each with its rejection message");
    let mut remove = None;
    for (gi, g) in h.guards.iter_mut().enumerate() {
        ui.push_id(("guard", hi, gi), |ui| {
            changed |= expr_edit(
                ui,
                "expr",
                &mut g.expr,
                scope,
                types,
                Some(&Type::Bool),
                false,
            )
            .changed();
            ui.horizontal(|ui| {
                ui.label("else reject:");
                changed |= ui
                    .add(
                        TextEdit::singleline(&mut g.reject)
                            .desired_width(ui.available_width() - 30.0),
                    )
                    .changed();
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the guard")
                    .clicked()
                {
                    remove = Some(gi);
                }
            });
        });
    }
    if let Some(i) = remove {
        h.guards.remove(i);
        changed = true;
    }
    if ui.small_button("+ Guard").clicked() {
        h.guards.push(Guard {
            expr: "true".into(),
            reject: "not allowed".into(),
        });
        changed = true;
    }
    ui.label("Emits (unassigned fields copy the command's same-named field)");
    let list = EmitList {
        names,
        ctx,
        own,
        scope,
        types,
    };
    changed |= list.ui(ui, (hi, 0), &mut h.emit);
    changed |= branches_ui(ui, &list, hi, &mut h.branches);
    changed |= crate::app::inspector::schedule::schedules_ui(
        ui,
        names,
        (ctx, hi),
        &mut h.schedule,
        scope,
        types,
    );
    changed
}

/// A handler's outcomes: each branch's condition (or "otherwise") and its events, to move,
/// remove and add.
fn branches_ui(ui: &mut Ui, list: &EmitList<'_>, hi: usize, branches: &mut Vec<Branch>) -> bool {
    let mut changed = false;
    if !branches.is_empty() {
        ui.label("Outcomes: the first whose condition holds adds its events");
    }
    let (mut remove, mut raise) = (None, None);
    let n = branches.len();
    for (bi, b) in branches.iter_mut().enumerate() {
        ui.push_id(("branch", hi, bi), |ui| {
            ui.group(|ui| {
                ui.horizontal(|ui| {
                    ui.label(match b.when {
                        Some(_) => format!("{}. when", bi + 1),
                        None => format!("{}. otherwise", bi + 1),
                    });
                    if bi > 0
                        && ui
                            .small_button("⏶")
                            .on_hover_text("Try it earlier")
                            .clicked()
                    {
                        raise = Some(bi);
                    }
                    if bi + 1 < n && ui.small_button("⏷").on_hover_text("Try it later").clicked()
                    {
                        raise = Some(bi + 1);
                    }
                    if ui
                        .small_button("✖")
                        .on_hover_text("Remove the outcome")
                        .clicked()
                    {
                        remove = Some(bi);
                    }
                });
                if let Some(when) = &mut b.when {
                    changed |= expr_edit(
                        ui,
                        "when",
                        when,
                        list.scope,
                        list.types,
                        Some(&Type::Bool),
                        false,
                    )
                    .changed();
                }
                changed |= list.ui(ui, (hi, bi + 1), &mut b.emit);
            });
        });
    }
    if let Some(i) = raise {
        branches.swap(i - 1, i);
        changed = true;
    }
    if let Some(i) = remove {
        branches.remove(i);
        changed = true;
    }
    ui.horizontal(|ui| {
        let otherwise = branches.iter().position(|b| b.when.is_none());
        if ui
            .small_button("+ Outcome when…")
            .on_hover_text("Emit other events when a condition holds")
            .clicked()
        {
            // Before the otherwise, which stays last.
            let at = otherwise.unwrap_or(branches.len());
            branches.insert(
                at,
                Branch {
                    when: Some("true".into()),
                    emit: Vec::new(),
                },
            );
            changed = true;
        }
        if otherwise.is_none()
            && !branches.is_empty()
            && ui
                .small_button("+ Otherwise")
                .on_hover_text("The events when no condition holds")
                .clicked()
        {
            branches.push(Branch {
                when: None,
                emit: Vec::new(),
            });
            changed = true;
        }
    });
    changed
}

/// What editing a list of emitted events needs: the model, the aggregate's own events and
/// the scope of the handler's expressions.
struct EmitList<'a> {
    names: (&'a Model, &'a NameIndex),
    ctx: usize,
    own: &'a [String],
    scope: Option<&'a Scope>,
    types: &'a ModelTypes,
}

impl EmitList<'_> {
    /// The events of `emits` (handler `hi`'s own, `list` 0, or branch `list - 1`'s), each with
    /// its assignments and a remove button, then `+ Emit`.
    fn ui(&self, ui: &mut Ui, (hi, list): (usize, usize), emits: &mut Vec<Emit>) -> bool {
        let mut changed = false;
        let mut remove = None;
        for (ei, em) in emits.iter_mut().enumerate() {
            changed |= emit_ui(
                ui,
                self.names,
                self.ctx,
                (hi, list, ei),
                em,
                self.scope,
                self.types,
            );
            if ui
                .push_id(("stop", hi, list, ei), |ui| {
                    ui.small_button(format!("✖ Stop emitting {}", em.event))
                })
                .inner
                .clicked()
            {
                remove = Some(ei);
            }
        }
        if let Some(i) = remove {
            emits.remove(i);
            changed = true;
        }
        changed | add_emit_ui(ui, (hi, list), emits, self.own)
    }
}

/// The events owned by aggregate `owner` of context `ctx`, by name.
fn own_events(model: &Model, ctx: usize, owner: &str) -> Vec<String> {
    model
        .contexts
        .get(ctx)
        .map(|c| {
            c.events
                .iter()
                .filter(|e| e.owner == owner)
                .map(|e| e.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// `+ Emit`: one of the aggregate's own events the list does not emit yet.
fn add_emit_ui(ui: &mut Ui, id: (usize, usize), emits: &mut Vec<Emit>, own: &[String]) -> bool {
    let free: Vec<&String> = own
        .iter()
        .filter(|e| !emits.iter().any(|em| &em.event == *e))
        .collect();
    if free.is_empty() {
        if own.is_empty() && id.1 == 0 {
            ui.weak("Link the aggregate to an event on the board to give it events to emit.");
        }
        return false;
    }
    let mut changed = false;
    ui.push_id(("add emit", id), |ui| {
        ui.menu_button("+ Emit", |ui| {
            for e in free {
                if ui.button(e.as_str()).clicked() {
                    emits.push(Emit {
                        event: e.clone().into(),
                        set: Default::default(),
                    });
                    changed = true;
                    ui.close();
                }
            }
        });
    });
    changed
}

fn emit_ui(
    ui: &mut Ui,
    (model, index): (&Model, &NameIndex),
    ctx: usize,
    at: (usize, usize, usize),
    em: &mut Emit,
    scope: Option<&Scope>,
    types: &ModelTypes,
) -> bool {
    let fields = event(model, index, &em.event, ctx)
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    ui.label(RichText::new(format!("emit {}", em.event)).italics());
    assignments_ui(ui, ("emit", at), &mut em.set, &fields, scope, types, "cmd")
}

/// Field assignments `field = expression` for the fields of `targets`, each checked against
/// `scope` and the field's type; `+ Assignment` offers the unassigned fields, starting from
/// `<root>.<field>`.
pub(crate) fn assignments_ui(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug + Copy,
    set: &mut Assignments,
    targets: &[Field],
    scope: Option<&Scope>,
    types: &ModelTypes,
    root: &str,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (field, expr) in set.iter_mut() {
        let ty = targets
            .iter()
            .find(|f| &f.name == field)
            .map(|f| f.ty.clone());
        ui.push_id((id, field.as_str()), |ui| {
            ui.horizontal(|ui| {
                ui.monospace(format!("{field} ="));
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove the assignment")
                    .clicked()
                {
                    remove = Some(field.clone());
                }
            });
            changed |= expr_edit(ui, "expr", expr, scope, types, ty.as_ref(), false).changed();
        });
    }
    if let Some(f) = remove {
        set.remove(&f);
        changed = true;
    }
    let free: Vec<String> = targets
        .iter()
        .filter(|f| !set.contains_key(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !free.is_empty() {
        ui.push_id((id, "add"), |ui| {
            ui.menu_button("+ Assignment", |ui| {
                for f in free {
                    if ui.button(&f).clicked() {
                        set.insert(f.clone(), format!("{root}.{f}"));
                        changed = true;
                        ui.close();
                    }
                }
            });
        });
    }
    changed
}

/// The aggregate's event appliers: state assignments and the lifecycle state after.
pub fn appliers_ui(ui: &mut Ui, model: &Model, ctx: usize, a: &mut Aggregate) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let agg = a.clone();
    let mut changed = false;
    let mut remove = None;
    ui.label(RichText::new("Event appliers").strong());
    for (i, ap) in a.appliers.iter_mut().enumerate() {
        let ev = event(model, &index, &ap.on, ctx);
        let scope = ev.map(|e| applier_scope(e, &agg));
        egui::CollapsingHeader::new(format!("apply {}", ap.on))
            .id_salt(("applier", i))
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.label("Lifecycle state after");
                    let shown = ap.to.clone().unwrap_or_else(|| "(unchanged)".into());
                    egui::ComboBox::from_id_salt(("to", i))
                        .selected_text(shown)
                        .show_ui(ui, |ui| {
                            let mut to = ap.to.clone();
                            ui.selectable_value(&mut to, None, "(unchanged)");
                            for state in &agg.lifecycle {
                                ui.selectable_value(&mut to, Some(state.clone()), state);
                            }
                            if to != ap.to {
                                ap.to = to;
                                changed = true;
                            }
                        });
                });
                ui.label("State assignments (event, state, now)");
                changed |= assignments_ui(
                    ui,
                    ("applier", i),
                    &mut ap.set,
                    &agg.state,
                    scope.as_ref(),
                    &types,
                    "event",
                );
                if ui.small_button("Remove applier").clicked() {
                    remove = Some(i);
                }
            });
    }
    if let Some(i) = remove {
        a.appliers.remove(i);
        changed = true;
    }
    let free: Vec<String> = own_events(model, ctx, &a.name)
        .into_iter()
        .filter(|e| !a.appliers.iter().any(|ap| &ap.on == e))
        .collect();
    if !free.is_empty() {
        ui.menu_button("+ Applier", |ui| {
            for e in free {
                if ui.button(&e).clicked() {
                    a.appliers.push(crate::model::Applier {
                        on: e.into(),
                        set: Default::default(),
                        to: None,
                    });
                    changed = true;
                    ui.close();
                }
            }
        });
    }
    changed
}

/// The read model's rules: the row key and the columns each event sets (or a delete).
pub fn rules_ui(ui: &mut Ui, model: &Model, ctx: usize, r: &mut ReadModel) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let rm = r.clone();
    let mut changed = false;
    ui.label(RichText::new("Rules").strong());
    for (i, rule) in r.rules.iter_mut().enumerate() {
        let ev = event(model, &index, &rule.on, ctx);
        egui::CollapsingHeader::new(format!("on {}", rule.on))
            .id_salt(("rule", i))
            .show(ui, |ui| {
                // A fan-out: the rule applies once per element, which key and columns read.
                ui.label("For each (ITEM in LIST: once per element; empty: once)");
                let mut text = rule.for_each.clone().unwrap_or_default();
                let fan = ev
                    .filter(|_| !text.trim().is_empty())
                    .map(|e| fan_out_parts(&text, &event_scope(e), &types));
                let error = fan.as_ref().and_then(|r| r.as_ref().err().cloned());
                if checked_edit(ui, ("rule for each", i), &mut text, error).changed() {
                    rule.for_each = (!text.trim().is_empty()).then_some(text);
                    changed = true;
                }
                let item = match fan {
                    Some(Ok((_, name, ty))) => Some((name, ty)),
                    _ => None,
                };
                ui.label("Row key (event, now)");
                let key_ty = rm
                    .columns
                    .iter()
                    .find(|c| c.name == rm.key)
                    .map(|c| c.ty.clone());
                let scope = ev.map(|e| event_scope(e).with_element(item.as_ref()));
                changed |= expr_edit(
                    ui,
                    ("key", i),
                    &mut rule.key,
                    scope.as_ref(),
                    &types,
                    key_ty.as_ref(),
                    false,
                )
                .changed();
                let mut delete = matches!(rule.action, RuleAction::Delete);
                if ui.checkbox(&mut delete, "Delete the row").changed() {
                    rule.action = if delete {
                        RuleAction::Delete
                    } else {
                        RuleAction::Upsert(Default::default())
                    };
                    changed = true;
                }
                if let RuleAction::Upsert(set) = &mut rule.action {
                    ui.label("Columns (event, row, now)");
                    let scope = ev.map(|e| row_scope(e, &rm).with_element(item.as_ref()));
                    changed |= assignments_ui(
                        ui,
                        ("rule", i),
                        set,
                        &rm.columns,
                        scope.as_ref(),
                        &types,
                        "event",
                    );
                }
            });
    }
    changed
}

/// The external system's reactions: for each outcome the event, probability, delay,
/// condition and field assignments.
pub fn reactions_ui(ui: &mut Ui, model: &Model, ctx: usize, x: &mut ExternalSystem) -> bool {
    let types = ModelTypes::new(model);
    let index = NameIndex::new(model);
    let mut changed = false;
    ui.label(RichText::new("Reactions").strong());
    for (i, re) in x.reacts.iter_mut().enumerate() {
        let msg: Vec<Field> = command(model, &index, &re.on, ctx)
            .map(|c| c.fields.clone())
            .or_else(|| event(model, &index, &re.on, ctx).map(|e| e.fields.clone()))
            .unwrap_or_default();
        let scope = message_scope(&msg);
        egui::CollapsingHeader::new(format!("on {}", re.on))
            .id_salt(("reaction", i))
            .show(ui, |ui| {
                for (j, o) in re.outcomes.iter_mut().enumerate() {
                    ui.push_id(("outcome", i, j), |ui| {
                        ui.label(RichText::new(format!("respond {}", o.respond)).italics());
                        ui.horizontal(|ui| {
                            ui.label("probability");
                            changed |= ui
                                .add(
                                    egui::DragValue::new(&mut o.probability)
                                        .range(0.0..=1.0)
                                        .speed(0.01),
                                )
                                .changed();
                            ui.label("after");
                            changed |= ui
                                .add(TextEdit::singleline(&mut o.after).desired_width(70.0))
                                .changed();
                        });
                        ui.label("Only when (msg, now; empty: always)");
                        let mut when = o.when.clone().unwrap_or_default();
                        if expr_edit(
                            ui,
                            "when",
                            &mut when,
                            Some(&scope),
                            &types,
                            Some(&Type::Bool),
                            true,
                        )
                        .changed()
                        {
                            o.when = (!when.trim().is_empty()).then_some(when);
                            changed = true;
                        }
                        let fields = event(model, &index, &o.respond, ctx)
                            .map(|e| e.fields.clone())
                            .unwrap_or_default();
                        changed |= assignments_ui(
                            ui,
                            ("with", i, j),
                            &mut o.with,
                            &fields,
                            Some(&scope),
                            &types,
                            "msg",
                        );
                    });
                }
            });
    }
    changed
}
