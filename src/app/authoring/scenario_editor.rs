//! The scenario editor: name, seed, start and end of a scenario, its given events, its timed
//! steps (commands, load generators, redrives) and its expectations, with the checker's
//! findings shown under the row they are about. Every change is an undoable model edit (one
//! step per text edit or drag); the fault plan has its own window.

use egui::{Response, Ui};

use crate::app::document::edit::Edit;
use crate::app::document::gesture::{Gesture, track};
use crate::app::inspector::buffered_edit::buffered_edit;
use crate::app::theme;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::expr::text;
use crate::model::op::Op;
use crate::model::scenario::{DEFAULT_START, Expect, Gen, Given, Step, Values};
use crate::model::{Model, Scenario};

/// Element names the editor offers, with the field names of commands, events and read models.
#[derive(Default)]
struct Names {
    events: NamedFields,
    commands: NamedFields,
    read_models: NamedFields,
    aggregates: Vec<(String, Vec<String>)>,
    sagas: Vec<(String, Vec<String>)>,
    subscribers: Vec<String>,
}

impl Names {
    fn of(model: &Model) -> Self {
        let fields = field_names;
        let mut n = Names {
            commands: command_fields(model),
            ..Names::default()
        };
        for c in &model.contexts {
            n.events
                .extend(c.events.iter().map(|e| (e.name.clone(), fields(&e.fields))));
            n.read_models.extend(
                c.read_models
                    .iter()
                    .map(|r| (r.name.clone(), fields(&r.columns))),
            );
            n.aggregates.extend(
                c.aggregates
                    .iter()
                    .map(|a| (a.name.clone(), a.lifecycle.clone())),
            );
            n.sagas.extend(c.sagas.iter().map(|s| {
                let mut statuses: Vec<String> = s.ends.iter().map(|e| e.status.clone()).collect();
                statuses.extend(["Running", "Compensated", "TimedOut"].map(String::from));
                statuses.dedup();
                (s.name.clone(), statuses)
            }));
            n.subscribers
                .extend(c.policies.iter().map(|p| p.name.clone()));
            n.subscribers.extend(c.sagas.iter().map(|s| s.name.clone()));
            n.subscribers
                .extend(c.read_models.iter().map(|r| r.name.clone()));
            n.subscribers
                .extend(c.externals.iter().map(|x| x.name.clone()));
        }
        n
    }

    fn fields_of<'a>(
        list: &'a [(String, Vec<(String, String)>)],
        name: &str,
    ) -> &'a [(String, String)] {
        fields_of(list, name)
    }
}

/// The fields of element `name` in a list of `(element, fields)`.
pub fn fields_of<'a>(
    list: &'a [(String, Vec<(String, String)>)],
    name: &str,
) -> &'a [(String, String)] {
    list.iter()
        .find(|(n, _)| n == name)
        .map_or(&[], |(_, f)| f.as_slice())
}

/// The editor's state.
#[derive(Default)]
pub struct ScenarioEditor {
    /// Whether the window is shown.
    pub open: bool,
    names: Option<(u64, Names)>,
    /// The undo gesture of the widget being dragged or typed into.
    gesture: Gesture,
    /// Widget ids seen this frame, so two rows never share a label.
    row: usize,
    /// The name being typed (applied while it is neither blank nor taken).
    name: Option<String>,
}

/// A button of the editor's head.
#[derive(Clone, Copy, PartialEq)]
enum Head {
    Run,
    Duplicate,
    Delete,
}

/// What the editor asks of the studio.
pub enum EditorOutcome {
    /// Apply this model edit; the scenario is now called `name`.
    Edit {
        /// The edit.
        edit: Edit,
        /// The scenario's name after it.
        name: String,
    },
    /// Run the scenario.
    Run,
}

/// The text of a load generator's field: the expression, `uniform(a, b)` or `one_of(a, b, …)`.
pub fn gen_text(g: &Gen) -> String {
    match g {
        Gen::Expr(e) => e.clone(),
        Gen::Uniform(a, b) => format!("uniform({a}, {b})"),
        Gen::OneOf(v) => format!("one_of({})", v.join(", ")),
    }
}

/// Reads the text written by [`gen_text`] back; anything else is an expression.
pub fn parse_gen(text: &str) -> Gen {
    let t = text.trim();
    let call = |name: &str| {
        t.strip_prefix(name)
            .and_then(|r| r.trim_start().strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
            .map(split_arguments)
    };
    if let Some(args) = call("uniform")
        && let [a, b] = args.as_slice()
    {
        return Gen::Uniform(a.clone(), b.clone());
    }
    if let Some(args) = call("one_of") {
        return Gen::OneOf(args);
    }
    Gen::Expr(text.to_owned())
}

/// Splits `a, f(b, c), "d, e"` at its top-level commas.
fn split_arguments(s: &str) -> Vec<String> {
    let (mut out, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    for (i, ch) in s.char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(s[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last.to_owned());
    }
    out
}

fn first(list: &[(String, impl Sized)]) -> String {
    list.first().map(|(n, _)| n.clone()).unwrap_or_default()
}

/// The expectation kinds, in the order the editor offers them.
const EXPECT_KINDS: [&str; 8] = [
    "emitted",
    "not emitted",
    "rejected",
    "row",
    "rows",
    "state",
    "saga",
    "dead letters",
];

fn kind_of(e: &Expect) -> usize {
    match e {
        Expect::Emitted { .. } => 0,
        Expect::NotEmitted { .. } => 1,
        Expect::Rejected { .. } => 2,
        Expect::Row { .. } => 3,
        Expect::Rows { .. } => 4,
        Expect::State { .. } => 5,
        Expect::Saga { .. } => 6,
        Expect::Dlq { .. } => 7,
    }
}

fn new_expect(kind: usize, n: &Names) -> Expect {
    match kind {
        0 => Expect::Emitted {
            event: first(&n.events).into(),
            count: None,
            filter: None,
        },
        1 => Expect::NotEmitted {
            event: first(&n.events).into(),
        },
        2 => Expect::Rejected {
            command: first(&n.commands).into(),
            reason: None,
        },
        3 => Expect::Row {
            read_model: first(&n.read_models).into(),
            key: String::new(),
            columns: Values::new(),
            absent: false,
        },
        4 => Expect::Rows {
            read_model: first(&n.read_models).into(),
            count: 0,
        },
        5 => Expect::State {
            aggregate: first(&n.aggregates).into(),
            id: String::new(),
            state: n
                .aggregates
                .first()
                .and_then(|(_, l)| l.first().cloned())
                .unwrap_or_default(),
        },
        6 => Expect::Saga {
            saga: first(&n.sagas).into(),
            correlation: String::new(),
            status: "Completed".into(),
        },
        _ => Expect::Dlq {
            subscriber: None,
            count: 0,
        },
    }
}

/// `base`, or `base 2`, `base 3`, … : the first no scenario of `model` has.
pub fn new_scenario_name(model: &Model, base: &str) -> String {
    let mut name = base.to_owned();
    let mut k = 2;
    while model.scenarios.iter().any(|s| s.name == name) {
        name = format!("{base} {k}");
        k += 1;
    }
    name
}

/// An empty scenario with a name no scenario of `model` has (not yet added to it).
pub fn new_scenario(model: &Model) -> Scenario {
    Scenario {
        uid: crate::model::Uid::fresh(),
        ..Scenario::named(new_scenario_name(model, "new scenario"))
    }
}

/// The findings about scenario `index` under `section` (`given`, `when`, `then`), row `row`
/// (None: about the scenario as a whole).
fn findings<'a>(
    diagnostics: &'a [Diagnostic],
    index: usize,
    section: Option<(&'a str, usize)>,
) -> impl Iterator<Item = &'a Diagnostic> + 'a {
    let id = Loc {
        kind: Kind::Scenario,
        context: None,
        index,
    };
    diagnostics.iter().filter(move |d| {
        if d.element != Some(id) {
            return false;
        }
        let at = d.path.windows(2).find_map(|w| match w {
            [PathSeg::Key(k), PathSeg::Index(i)] if matches!(*k, "given" | "when" | "then") => {
                Some((*k, *i))
            }
            _ => None,
        });
        at == section
    })
}

fn findings_ui<'a>(ui: &mut Ui, found: impl Iterator<Item = &'a Diagnostic>) {
    for d in found {
        let color = match d.severity {
            Severity::Error => theme::tokens(ui).error,
            _ => theme::tokens(ui).warning,
        };
        ui.colored_label(color, format!("{}: {}", d.code.as_str(), d.message));
    }
}

/// One text per field (`(name, type)`) of a command, event or read model: its expression
/// (empty: the zero value), labelled `what: field`; values that are not fields can be removed.
/// True when a text gained focus or a value was removed (a new undo step).
pub fn values_grid(
    ui: &mut Ui,
    values: &mut Values,
    fields: &[(String, String)],
    what: &str,
    salt: usize,
) -> bool {
    let mut gesture = false;
    egui::Grid::new(("scenario-values", what, salt))
        .num_columns(2)
        .show(ui, |ui| {
            for (name, ty) in fields {
                ui.label(format!("  {name}"));
                let label = format!("{what}: {name}");
                let r = if matches!(ty.as_str(), "string" | "id") {
                    // Text is typed as it is (`o-1`); `=` starts an expression instead.
                    let id = ui.id().with(("text value", what, salt, name));
                    let (r, new) = buffered_edit(
                        ui,
                        id,
                        &values.get(name).cloned(),
                        260.0,
                        |v| match v {
                            None => String::new(),
                            Some(e) => text::unquote(e).unwrap_or_else(|| format!("={e}")),
                        },
                        |t| {
                            Ok(match t.strip_prefix('=') {
                                Some(e) if e.trim().is_empty() => None,
                                Some(e) => Some(e.trim().to_owned()),
                                None if t.is_empty() => None,
                                // Typed with quotes after all: that text, not its quotes.
                                None if text::unquote(t).is_some() => Some(t.trim().to_owned()),
                                None => Some(text::quote(t)),
                            })
                        },
                    );
                    match new {
                        Some(Some(e)) => {
                            values.insert(name.clone(), e);
                        }
                        Some(None) => {
                            values.remove(name);
                        }
                        None => {}
                    }
                    r.on_hover_text(format!(
                        "{ty}: typed as it is (no quotes needed); start with = for an expression"
                    ))
                } else {
                    let mut text = values.get(name).cloned().unwrap_or_default();
                    let r = ui.add(
                        egui::TextEdit::singleline(&mut text)
                            .hint_text(ty)
                            .desired_width(260.0),
                    );
                    if text.trim().is_empty() {
                        values.remove(name);
                    } else {
                        values.insert(name.clone(), text);
                    }
                    r
                };
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, &label)
                });
                gesture |= r.gained_focus();
                ui.end_row();
            }
            let unknown: Vec<String> = values
                .keys()
                .filter(|k| !fields.iter().any(|(n, _)| n == *k))
                .cloned()
                .collect();
            for k in unknown {
                ui.colored_label(theme::tokens(ui).error, format!("  {k}"));
                if ui.small_button("✖ not a field: remove").clicked() {
                    values.remove(&k);
                    gesture = true;
                }
                ui.end_row();
            }
        });
    gesture
}

/// Every command of `model` with its fields as `(name, type)`.
pub fn command_fields(model: &Model) -> NamedFields {
    model
        .contexts
        .iter()
        .flat_map(|c| &c.commands)
        .map(|c| (c.name.clone(), field_names(&c.fields)))
        .collect()
}

fn field_names(f: &[crate::model::field::Field]) -> Vec<(String, String)> {
    f.iter()
        .map(|f| (f.name.clone(), f.ty.to_string()))
        .collect()
}

/// Names (of commands, events or read models) with their fields' names and types.
pub type NamedFields = Vec<(String, Vec<(String, String)>)>;

impl ScenarioEditor {
    /// Names widget `r` `label` for screen readers (and tests), and starts a new undo step
    /// when it starts being dragged or edited.
    fn track(&mut self, r: &Response, kind: egui::WidgetType, label: &str) {
        track(r, kind, label, &mut self.gesture);
    }

    fn text(&mut self, ui: &mut Ui, value: &mut String, label: &str, hint: &str, width: f32) {
        let r = ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(width),
        );
        self.track(&r, egui::WidgetType::TextEdit, label);
    }

    fn optional_text(&mut self, ui: &mut Ui, value: &mut Option<String>, label: &str, hint: &str) {
        let mut text = value.clone().unwrap_or_default();
        self.text(ui, &mut text, label, hint, 180.0);
        *value = (!text.trim().is_empty()).then_some(text);
    }

    /// A drop-down of `options` for a name (a reference or a state).
    fn combo<T>(&mut self, ui: &mut Ui, value: &mut T, options: &[String], label: &str)
    where
        T: std::ops::Deref<Target = str> + PartialEq<String> + From<String>,
    {
        self.row += 1;
        let mut picked = None;
        let r = egui::ComboBox::from_id_salt(("scenario-combo", self.row))
            .selected_text(if value.is_empty() { "—" } else { &**value })
            .show_ui(ui, |ui| {
                for o in options {
                    if ui.selectable_label(*value == *o, o).clicked() {
                        picked = Some(o);
                    }
                }
            })
            .response;
        r.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::ComboBox, true, label));
        if let Some(o) = picked.filter(|o| *value != **o) {
            *value = T::from(o.clone());
            self.gesture.restart();
        }
    }

    /// One text per field of the command or event: its expression (empty: the zero value).
    fn values_ui(
        &mut self,
        ui: &mut Ui,
        values: &mut Values,
        fields: &[(String, String)],
        what: &str,
    ) {
        self.row += 1;
        if values_grid(ui, values, fields, what, self.row) {
            self.gesture.restart();
        }
    }

    /// Shows the editor for scenario `name` of `model`; returns the edit made this frame, or
    /// a request to run the scenario.
    pub fn window(
        &mut self,
        ctx: &egui::Context,
        model: &Model,
        revision: u64,
        name: &str,
        diagnostics: &[Diagnostic],
    ) -> Option<EditorOutcome> {
        let Some(index) = model.scenarios.iter().position(|s| s.name == name) else {
            self.open = false;
            return None;
        };
        if self.names.as_ref().map(|(r, _)| *r) != Some(revision) {
            self.names = Some((revision, Names::of(model)));
        }
        let names = self.names.take().map(|(_, n)| n).unwrap_or_default();
        let mut scenario = model.scenarios[index].clone();
        let mut open = self.open;
        let mut head = None;
        egui::Window::new(format!("Scenario — {name}"))
            .id(egui::Id::new("scenario-editor"))
            .open(&mut open)
            // Above the dock, so the run controls stay reachable.
            .default_pos(egui::pos2(300.0, 50.0))
            .default_size(egui::vec2(640.0, 440.0))
            .vscroll(true)
            .show(ctx, |ui| {
                self.row = 0;
                head = self.body_ui(ui, &mut scenario, &names, index, diagnostics, model);
            });
        self.names = Some((revision, names));
        self.open = open;
        if head.is_none() && scenario == model.scenarios[index] {
            // Nothing changed: no copy of the model is made.
            return None;
        }
        let (label, name, op) = match head {
            Some(Head::Run) => return Some(EditorOutcome::Run),
            Some(Head::Duplicate) => {
                let mut copy = scenario.clone();
                copy.uid = crate::model::Uid::fresh();
                copy.name = new_scenario_name(model, &format!("{} (copy)", scenario.name));
                let name = copy.name.clone();
                let op = Op::InsertScenario {
                    index: index + 1,
                    scenario: Box::new(copy),
                };
                ("Duplicate scenario", name, op)
            }
            Some(Head::Delete) => {
                self.open = false;
                // The scenario chosen next: the one after, else the one before.
                let next = model
                    .scenarios
                    .get(index + 1)
                    .or_else(|| index.checked_sub(1).and_then(|i| model.scenarios.get(i)));
                let op = Op::RemoveScenario { uid: scenario.uid };
                (
                    "Delete scenario",
                    next.map(|s| s.name.clone()).unwrap_or_default(),
                    op,
                )
            }
            None => {
                let name = scenario.name.clone();
                let op = Op::SetScenario {
                    uid: scenario.uid,
                    scenario: Box::new(scenario),
                };
                ("Edit scenario", name, op)
            }
        };
        // One widget's session (a text box focused, a value dragged) is one undo step:
        // `track` counts a new gesture when one starts.
        Some(EditorOutcome::Edit {
            edit: Edit::Ops {
                label: label.into(),
                ops: vec![op],
                gesture: Some(self.gesture.id()),
            },
            name,
        })
    }

    /// The editor's content; the head button clicked, if any.
    fn body_ui(
        &mut self,
        ui: &mut Ui,
        s: &mut Scenario,
        n: &Names,
        index: usize,
        diagnostics: &[Diagnostic],
        model: &Model,
    ) -> Option<Head> {
        let mut head = None;
        let taken = |name: &str| {
            model
                .scenarios
                .iter()
                .enumerate()
                .any(|(i, o)| i != index && o.name == name)
        };
        let mut typed = self.name.take().unwrap_or_else(|| s.name.clone());
        egui::Grid::new("scenario-head")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("Name");
                let r = ui.add(
                    egui::TextEdit::singleline(&mut typed)
                        .hint_text("a sentence: what happens")
                        .desired_width(360.0),
                );
                self.track(&r, egui::WidgetType::TextEdit, "Scenario name");
                if !typed.trim().is_empty() && !taken(&typed) {
                    s.name = typed.clone();
                }
                // While typed into, the field keeps its text; afterwards it shows the name in force.
                if r.has_focus() {
                    self.name = Some(typed.clone());
                }
                ui.end_row();
                ui.label("Description");
                let r = ui.add(
                    egui::TextEdit::multiline(&mut s.doc)
                        .desired_rows(2)
                        .desired_width(360.0)
                        .hint_text("what the trainer tells the room"),
                );
                self.track(&r, egui::WidgetType::TextEdit, "Scenario description");
                ui.end_row();
                ui.label("Seed");
                let r = ui.add(egui::DragValue::new(&mut s.seed));
                self.track(&r, egui::WidgetType::DragValue, "Scenario seed");
                ui.end_row();
                ui.label("Starts at");
                self.optional_text(ui, &mut s.start, "Scenario start", DEFAULT_START);
                ui.end_row();
                ui.label("Stops at");
                self.optional_text(
                    ui,
                    &mut s.until,
                    "Scenario end",
                    "when nothing is left to do",
                );
                ui.end_row();
            });
        ui.horizontal(|ui| {
            if ui
                .button("▶ Run")
                .on_hover_text("Run this scenario (F5)")
                .clicked()
            {
                head = Some(Head::Run);
            }
            if ui.button("Duplicate").clicked() {
                head = Some(Head::Duplicate);
            }
            if ui
                .button("Delete scenario")
                .on_hover_text("Remove it from the model (Ctrl+Z brings it back)")
                .clicked()
            {
                head = Some(Head::Delete);
            }
            if typed.trim().is_empty() {
                ui.colored_label(theme::tokens(ui).error, "A scenario needs a name.");
            } else if taken(&typed) {
                ui.colored_label(theme::tokens(ui).error, "Another scenario has this name.");
            }
        });
        findings_ui(ui, findings(diagnostics, index, None));
        ui.separator();
        self.given_ui(ui, s, n, index, diagnostics);
        ui.separator();
        self.when_ui(ui, s, n, index, diagnostics);
        ui.separator();
        self.then_ui(ui, s, n, index, diagnostics);
        head
    }

    fn given_ui(
        &mut self,
        ui: &mut Ui,
        s: &mut Scenario,
        n: &Names,
        index: usize,
        d: &[Diagnostic],
    ) {
        ui.strong(format!(
            "Given — {} event(s) before the start",
            s.given.len()
        ));
        let events: Vec<String> = n.events.iter().map(|(e, _)| e.clone()).collect();
        let mut remove = None;
        for (j, g) in s.given.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{}.", j + 1));
                self.combo(
                    ui,
                    &mut g.event,
                    &events,
                    &format!("Given {}: event", j + 1),
                );
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove this event")
                    .clicked()
                {
                    remove = Some(j);
                }
            });
            let fields = Names::fields_of(&n.events, &g.event);
            self.values_ui(ui, &mut g.fields, fields, &format!("Given {}", j + 1));
            findings_ui(ui, findings(d, index, Some(("given", j))));
        }
        if let Some(j) = remove {
            s.given.remove(j);
            self.gesture.restart();
        }
        if ui.button("+ Given event").clicked() {
            s.given.push(Given {
                event: first(&n.events).into(),
                fields: Values::new(),
            });
            self.gesture.restart();
        }
    }

    fn when_ui(
        &mut self,
        ui: &mut Ui,
        s: &mut Scenario,
        n: &Names,
        index: usize,
        d: &[Diagnostic],
    ) {
        ui.strong(format!("When — {} step(s)", s.when.len()));
        ui.weak(
            "Times: an offset from the start (10m, 1h30m), a time of day (10:15) or a timestamp.",
        );
        let commands: Vec<String> = n.commands.iter().map(|(c, _)| c.clone()).collect();
        let mut remove = None;
        for (j, step) in s.when.iter_mut().enumerate() {
            let label = format!("Step {}", j + 1);
            ui.horizontal(|ui| {
                ui.label(format!("{}.", j + 1));
                match step {
                    Step::Command { at, command, .. } => {
                        ui.label("at");
                        self.text(ui, at, &format!("{label}: at"), "0s", 70.0);
                        ui.label("command");
                        self.combo(ui, command, &commands, &format!("{label}: command"));
                    }
                    Step::Load {
                        at,
                        command,
                        count,
                        every,
                        ..
                    } => {
                        ui.label("from");
                        self.text(ui, at, &format!("{label}: at"), "0s", 70.0);
                        let r = ui.add(
                            egui::DragValue::new(count)
                                .range(1..=crate::sim::scenario::MAX_LOAD)
                                .suffix(" ×"),
                        );
                        self.track(&r, egui::WidgetType::DragValue, &format!("{label}: count"));
                        self.combo(ui, command, &commands, &format!("{label}: command"));
                        ui.label("every");
                        self.text(ui, every, &format!("{label}: every"), "100ms", 70.0);
                    }
                    Step::Redrive {
                        at,
                        subscriber,
                        event,
                    } => {
                        ui.label("at");
                        self.text(ui, at, &format!("{label}: at"), "0s", 70.0);
                        ui.label(match event {
                            Some(n) => format!("redrive the message of event #{n} parked by"),
                            None => "redrive the dead letters of".to_owned(),
                        });
                        self.combo(
                            ui,
                            subscriber,
                            &n.subscribers,
                            &format!("{label}: subscriber"),
                        );
                        if event.is_some()
                            && ui
                                .small_button("all of them")
                                .on_hover_text(
                                    "Redrive every parked message of the subscriber instead",
                                )
                                .clicked()
                        {
                            *event = None;
                            self.gesture.restart();
                        }
                    }
                }
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove this step")
                    .clicked()
                {
                    remove = Some(j);
                }
            });
            match step {
                Step::Command {
                    command, fields, ..
                } => {
                    let f = Names::fields_of(&n.commands, command);
                    self.values_ui(ui, fields, f, &label);
                }
                Step::Load {
                    command, fields, ..
                } => {
                    ui.weak("  Per field: an expression over i (0, 1, …) and now, uniform(low, high) or one_of(a, b, …).");
                    let f = Names::fields_of(&n.commands, command);
                    let mut texts: Values = fields
                        .iter()
                        .map(|(k, g)| (k.clone(), gen_text(g)))
                        .collect();
                    self.values_ui(ui, &mut texts, f, &label);
                    *fields = texts
                        .iter()
                        .map(|(k, t)| (k.clone(), parse_gen(t)))
                        .collect();
                }
                Step::Redrive { .. } => {}
            }
            findings_ui(ui, findings(d, index, Some(("when", j))));
        }
        if let Some(j) = remove {
            s.when.remove(j);
            self.gesture.restart();
        }
        ui.horizontal(|ui| {
            let at = "0s".to_owned();
            if ui.button("+ Command").clicked() {
                s.when.push(Step::Command {
                    at: at.clone(),
                    command: first(&n.commands).into(),
                    fields: Values::new(),
                });
                self.gesture.restart();
            }
            if ui.button("+ Load generator").clicked() {
                s.when.push(Step::Load {
                    at: at.clone(),
                    command: first(&n.commands).into(),
                    count: 100,
                    every: "1s".into(),
                    fields: Default::default(),
                });
                self.gesture.restart();
            }
            if ui.button("+ Redrive").clicked() {
                s.when.push(Step::Redrive {
                    at,
                    subscriber: n.subscribers.first().cloned().unwrap_or_default().into(),
                    event: None,
                });
                self.gesture.restart();
            }
        });
    }

    fn then_ui(
        &mut self,
        ui: &mut Ui,
        s: &mut Scenario,
        n: &Names,
        index: usize,
        d: &[Diagnostic],
    ) {
        ui.strong(format!(
            "Then — {} expectation(s), checked at the end",
            s.then.len()
        ));
        let mut remove = None;
        for (j, e) in s.then.iter_mut().enumerate() {
            let label = format!("Expectation {}", j + 1);
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{}.", j + 1));
                let mut kind = kind_of(e);
                self.row += 1;
                let r = egui::ComboBox::from_id_salt(("expect-kind", self.row))
                    .selected_text(EXPECT_KINDS[kind])
                    .show_ui(ui, |ui| {
                        for (k, text) in EXPECT_KINDS.iter().enumerate() {
                            ui.selectable_value(&mut kind, k, *text);
                        }
                    })
                    .response;
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::ComboBox,
                        true,
                        format!("{label}: kind"),
                    )
                });
                if kind != kind_of(e) {
                    *e = new_expect(kind, n);
                    self.gesture.restart();
                }
                self.expect_ui(ui, e, n, &label);
                if ui
                    .small_button("✖")
                    .on_hover_text("Remove this expectation")
                    .clicked()
                {
                    remove = Some(j);
                }
            });
            if let Expect::Row {
                read_model,
                columns,
                absent: false,
                ..
            } = e
            {
                let f = Names::fields_of(&n.read_models, read_model);
                self.values_ui(ui, columns, f, &label);
            }
            findings_ui(ui, findings(d, index, Some(("then", j))));
        }
        if let Some(j) = remove {
            s.then.remove(j);
            self.gesture.restart();
        }
        if ui.button("+ Expectation").clicked() {
            s.then.push(new_expect(0, n));
            self.gesture.restart();
        }
    }

    fn expect_ui(&mut self, ui: &mut Ui, e: &mut Expect, n: &Names, label: &str) {
        let events: Vec<String> = n.events.iter().map(|(e, _)| e.clone()).collect();
        let names = |list: &[(String, Vec<(String, String)>)]| -> Vec<String> {
            list.iter().map(|(x, _)| x.clone()).collect()
        };
        match e {
            Expect::Emitted {
                event,
                count,
                filter,
            } => {
                self.combo(ui, event, &events, &format!("{label}: event"));
                let mut exact = count.is_some();
                if ui.checkbox(&mut exact, "exactly").changed() {
                    *count = exact.then_some(1);
                    self.gesture.restart();
                }
                if let Some(c) = count {
                    let r = ui.add(egui::DragValue::new(c).suffix(" time(s)"));
                    self.track(&r, egui::WidgetType::DragValue, &format!("{label}: count"));
                }
                ui.label("where");
                self.optional_text(
                    ui,
                    filter,
                    &format!("{label}: where"),
                    "any, e.g. event.total > 100",
                );
            }
            Expect::NotEmitted { event } => {
                self.combo(ui, event, &events, &format!("{label}: event"));
            }
            Expect::Rejected { command, reason } => {
                self.combo(
                    ui,
                    command,
                    &names(&n.commands),
                    &format!("{label}: command"),
                );
                ui.label("reason contains");
                self.optional_text(ui, reason, &format!("{label}: reason"), "any reason");
            }
            Expect::Row {
                read_model,
                key,
                absent,
                columns,
            } => {
                self.combo(
                    ui,
                    read_model,
                    &names(&n.read_models),
                    &format!("{label}: read model"),
                );
                ui.label("key");
                self.text(ui, key, &format!("{label}: key"), "expression", 160.0);
                if ui.checkbox(absent, "absent").changed() {
                    columns.clear();
                    self.gesture.restart();
                }
            }
            Expect::Rows { read_model, count } => {
                self.combo(
                    ui,
                    read_model,
                    &names(&n.read_models),
                    &format!("{label}: read model"),
                );
                ui.label("has");
                let r = ui.add(egui::DragValue::new(count).suffix(" row(s)"));
                self.track(&r, egui::WidgetType::DragValue, &format!("{label}: count"));
            }
            Expect::State {
                aggregate,
                id,
                state,
            } => {
                let aggregates: Vec<String> = n.aggregates.iter().map(|(a, _)| a.clone()).collect();
                self.combo(ui, aggregate, &aggregates, &format!("{label}: aggregate"));
                ui.label("id");
                self.text(ui, id, &format!("{label}: id"), "expression", 140.0);
                ui.label("is");
                let states = n
                    .aggregates
                    .iter()
                    .find(|(a, _)| a == aggregate)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                self.combo(ui, state, &states, &format!("{label}: state"));
            }
            Expect::Saga {
                saga,
                correlation,
                status,
            } => {
                let sagas: Vec<String> = n.sagas.iter().map(|(a, _)| a.clone()).collect();
                self.combo(ui, saga, &sagas, &format!("{label}: saga"));
                ui.label("for");
                self.text(
                    ui,
                    correlation,
                    &format!("{label}: correlation"),
                    "expression",
                    140.0,
                );
                ui.label("is");
                let statuses = n
                    .sagas
                    .iter()
                    .find(|(a, _)| a == saga)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                self.combo(ui, status, &statuses, &format!("{label}: status"));
            }
            Expect::Dlq { subscriber, count } => {
                let mut all = vec!["all subscribers".to_owned()];
                all.extend(n.subscribers.iter().cloned());
                let mut chosen = subscriber.clone().unwrap_or_else(|| all[0].clone().into());
                self.combo(ui, &mut chosen, &all, &format!("{label}: subscriber"));
                *subscriber = (chosen != all[0]).then_some(chosen);
                ui.label("holds");
                let r = ui.add(egui::DragValue::new(count).suffix(" message(s)"));
                self.track(&r, egui::WidgetType::DragValue, &format!("{label}: count"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_generator_texts_round_trip() {
        for g in [
            Gen::Expr("\"o-\" + to_text(i)".into()),
            Gen::Uniform("1".into(), "10".into()),
            Gen::OneOf(vec!["\"a, b\"".into(), "max(1, 2)".into(), "3".into()]),
        ] {
            assert_eq!(parse_gen(&gen_text(&g)), g);
        }
        // Half-typed calls stay expressions (the checker reports them), never lose text.
        assert_eq!(parse_gen("uniform(1, "), Gen::Expr("uniform(1, ".into()));
        assert_eq!(parse_gen("uniform(1)"), Gen::Expr("uniform(1)".into()));
    }
}
