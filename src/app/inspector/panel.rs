//! The inspector: edits the selected element. Name, description, fields (with stable numbers,
//! reorder, removal into `reserved`) and the element's links have their own editors; every
//! other part can be edited as RON text, checked as you type.

use crate::app::inspector::invariants::invariants_ui;
use egui::{RichText, TextEdit, Ui};

use crate::app::document::edit::Edit;
use crate::app::inspector::buffered_edit::{buffered_edit, comma_list};
use crate::app::theme;
use crate::model::access::Sticky;
use crate::model::field::{next_field_number, remove_field};
use crate::model::op::{ContextProps, Op};
use crate::model::{Field, Kind, Loc, Model, Pattern, Ref, Reserved, Type, Uid};

/// Inspector state that outlives a frame: the RON text being edited, and gesture ids.
#[derive(Debug, Default)]
pub struct Inspector {
    /// The element the buffers belong to, and the model revision they were filled at.
    shown: Option<(Uid, u64)>,
    name: String,
    ron: String,
    ron_error: Option<String>,
    gesture: u64,
    /// An element to select, picked (or just added) in the context's list of types.
    pub select: Option<Uid>,
}

impl Inspector {
    /// Shows the inspector for `selection` (one element) and queues edits.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        revision: u64,
        selected: Option<Uid>,
        edits: &mut Vec<Edit>,
    ) {
        let Some((uid, id)) = selected.and_then(|u| Some((u, model.locate(u)?))) else {
            ui.weak("Select a sticky or a context frame to edit it.");
            ui.add_space(8.0);
            ui.weak("Double-click the board to create a sticky of the palette's kind; drag from a sticky's blue handle to link it.");
            return;
        };
        if self.shown != Some((uid, revision)) {
            self.refill(model, id);
            self.shown = Some((uid, revision));
        }
        ui.heading(id.kind.label());
        ui.add_space(4.0);

        // Name, committed on Enter or when the box loses focus.
        ui.label(if id.kind == Kind::HotSpot {
            "Text"
        } else {
            "Name"
        });
        let resp = ui.add(
            TextEdit::singleline(&mut self.name)
                .desired_width(f32::INFINITY)
                .id_salt("inspector-name"),
        );
        let name_label = if id.kind == Kind::HotSpot {
            "Hot spot text"
        } else {
            "Element name"
        };
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, name_label)
        });
        if resp.lost_focus() && model.name_of(id) != Some(self.name.as_str()) {
            edits.push(Edit::Rename {
                id: uid,
                name: self.name.clone(),
            });
        }
        if id.kind == Kind::Context {
            self.context_ui(ui, model, id.index, edits);
            return;
        }
        let Some(sticky) = model.sticky(id) else {
            return;
        };
        let mut edited = sticky.clone();
        let mut changed = false;
        changed |= self.kind_ui(ui, model, id, &mut edited);
        if changed && edited != sticky {
            self.gesture += 1;
            edits.push(Edit::Replace {
                id: uid,
                sticky: Box::new(edited),
                gesture: None,
            });
        }
        ui.add_space(8.0);
        egui::CollapsingHeader::new("All details (RON)")
            .default_open(false)
            .show(ui, |ui| {
                ui.weak("Every part of the element: handlers, guards, rules, outcomes, delivery…");
                let resp = ui.add(
                    TextEdit::multiline(&mut self.ron)
                        .code_editor()
                        .desired_rows(12)
                        .desired_width(f32::INFINITY)
                        .id_salt("inspector-ron"),
                );
                if resp.changed() {
                    self.ron_error = ron::Options::default()
                        .from_str::<Sticky>(&self.ron)
                        .err()
                        .map(|e| {
                            format!(
                                "line {}:{}: {}",
                                e.span.start.line, e.span.start.col, e.code
                            )
                        });
                }
                match &self.ron_error {
                    Some(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {
                        if ui.button("Apply").clicked()
                            && let Ok(s) = ron::Options::default().from_str::<Sticky>(&self.ron)
                        {
                            if s.kind() == id.kind {
                                edits.push(Edit::Replace {
                                    id: uid,
                                    sticky: Box::new(s),
                                    gesture: None,
                                });
                            } else {
                                self.ron_error = Some(format!(
                                    "the text describes a {}, not a {}",
                                    s.kind().label(),
                                    id.kind.label()
                                ));
                            }
                        }
                    }
                }
            });
    }

    fn refill(&mut self, model: &Model, id: Loc) {
        self.name = model.name_of(id).unwrap_or_default().to_owned();
        self.ron = model
            .sticky(id)
            .and_then(|s| {
                ron::ser::to_string_pretty(&s, ron::ser::PrettyConfig::new().struct_names(false))
                    .ok()
            })
            .unwrap_or_default();
        self.ron_error = None;
    }

    /// Kind-specific editors. Returns true if `s` was changed.
    fn kind_ui(&mut self, ui: &mut Ui, model: &Model, id: Loc, s: &mut Sticky) -> bool {
        let mut changed = false;
        let ctx = id.context.unwrap_or(0);
        let named = named_types(model, ctx);
        match s {
            Sticky::Command(c) => {
                changed |= doc_ui(ui, &mut c.doc);
                changed |= reference_ui(
                    ui,
                    model,
                    ctx,
                    "Handled by",
                    &mut c.target,
                    &[Kind::Aggregate, Kind::External],
                );
                changed |= fields_ui(ui, "Fields", &mut c.fields, &mut c.reserved, &named);
            }
            Sticky::Event(e) => {
                changed |= doc_ui(ui, &mut e.doc);
                changed |= reference_ui(
                    ui,
                    model,
                    ctx,
                    "Emitted by",
                    &mut e.owner,
                    &[Kind::Aggregate, Kind::External],
                );
                changed |= published_ui(ui, &mut e.published, &mut e.withdrawn);
                ui.label("Stream key field (empty: the one named as its owner's id)")
                    .on_hover_text(
                        "The field carrying the id of the instance it belongs to, when the \
                         contract names it otherwise (insurance_quote_request_id)",
                    );
                changed |= ui.text_edit_singleline(&mut e.stream_key).changed();
                changed |= fields_ui(ui, "Fields", &mut e.fields, &mut e.reserved, &named);
            }
            Sticky::Value(v) => {
                changed |= doc_ui(ui, &mut v.doc);
                changed |= fields_ui(ui, "Fields", &mut v.fields, &mut v.reserved, &named);
            }
            Sticky::Aggregate(a) => {
                changed |= doc_ui(ui, &mut a.doc);
                ui.label("Id field (stream key)");
                changed |= ui.text_edit_singleline(&mut a.id).changed();
                ui.label("Lifecycle states (first = initial), comma-separated");
                let id = ui.id().with(("lifecycle", a.uid));
                let width = ui.spacing().text_edit_width;
                let (resp, states) =
                    buffered_edit(ui, id, &a.lifecycle, width, |v| v.join(", "), comma_list);
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::WidgetType::TextEdit, true, "Lifecycle states")
                });
                if let Some(states) = states {
                    a.lifecycle = states;
                    changed = true;
                }
                let mut reserved = Vec::new();
                changed |= fields_ui(ui, "State", &mut a.state, &mut reserved, &named);
                ui.separator();
                changed |= crate::app::inspector::behaviour::handlers_ui(ui, model, ctx, a);
                changed |= crate::app::inspector::behaviour::appliers_ui(ui, model, ctx, a);
                let scope = crate::model::scopes::aggregate_invariant_scope(a);
                let names = ("state.x, status (its lifecycle state), id, now", false);
                changed |= invariants_ui(ui, model, &mut a.invariants, &scope, names);
            }
            Sticky::Policy(p) => {
                changed |= doc_ui(ui, &mut p.doc);
                changed |= reference_ui(ui, model, ctx, "Whenever", &mut p.on, &[Kind::Event]);
                changed |=
                    reference_ui(ui, model, ctx, "Then issue", &mut p.then, &[Kind::Command]);
                changed |= crate::app::inspector::behaviour::policy_ui(ui, model, ctx, p);
                changed |= ui
                    .checkbox(&mut p.delivery.idempotent, "Idempotent consumer")
                    .changed();
            }
            Sticky::Saga(sg) => {
                changed |= doc_ui(ui, &mut sg.doc);
                ui.label("Correlation field");
                changed |= ui.text_edit_singleline(&mut sg.correlation).changed();
                changed |=
                    reference_ui(ui, model, ctx, "Started by", &mut sg.start, &[Kind::Event]);
                changed |= ui
                    .checkbox(&mut sg.delivery.idempotent, "Idempotent consumer")
                    .changed();
                // What each instance remembers, set by its steps, read as `state.x`.
                let mut reserved = Vec::new();
                changed |= fields_ui(ui, "State", &mut sg.state, &mut reserved, &named);
                changed |= crate::app::inspector::saga::saga_ui(ui, model, ctx, sg);
                let scope = crate::model::scopes::saga_invariant_scope(sg);
                let names = ("status, started, now, state", true);
                changed |= invariants_ui(ui, model, &mut sg.invariants, &scope, names);
            }
            Sticky::ReadModel(r) => {
                changed |= doc_ui(ui, &mut r.doc);
                ui.label("Key column");
                changed |= ui.text_edit_singleline(&mut r.key).changed();
                let mut reserved: Vec<Reserved> = Vec::new();
                changed |= fields_ui(ui, "Columns", &mut r.columns, &mut reserved, &named);
                changed |= crate::app::inspector::behaviour::rules_ui(ui, model, ctx, r);
                changed |= ui
                    .checkbox(&mut r.delivery.idempotent, "Idempotent consumer")
                    .changed();
                let scope = crate::model::scopes::row_invariant_scope(r);
                let names = ("row.x, now", false);
                changed |= invariants_ui(ui, model, &mut r.invariants, &scope, names);
            }
            Sticky::External(x) => {
                changed |= doc_ui(ui, &mut x.doc);
                ui.label("Id field of its answers");
                changed |= ui.text_edit_singleline(&mut x.id).changed();
                changed |= crate::app::inspector::behaviour::reactions_ui(ui, model, ctx, x);
            }
            Sticky::Actor(a) => changed |= doc_ui(ui, &mut a.doc),
            Sticky::Enum(e) => {
                changed |= doc_ui(ui, &mut e.doc);
                ui.label("Values, comma-separated");
                let id = ui.id().with(("enum values", e.uid));
                let width = ui.spacing().text_edit_width;
                if let (_, Some(values)) =
                    buffered_edit(ui, id, &e.values, width, |v| v.join(", "), comma_list)
                {
                    e.values = values;
                    changed = true;
                }
            }
            Sticky::HotSpot(_) => {
                ui.weak("Hot spots are open questions: they are counted by the checks and never simulated.");
            }
        }
        changed
    }

    /// The context's own properties, its relations and its types. Every change is a typed
    /// operation on what it touches (no copy of the model is made).
    fn context_ui(&mut self, ui: &mut Ui, model: &Model, index: usize, edits: &mut Vec<Edit>) {
        let Some(c) = model.contexts.get(index) else {
            return;
        };
        let mut ops = Vec::new();
        let mut props = ContextProps::of(c);
        let mut changed = doc_ui(ui, &mut props.doc);
        ui.label("Owner team");
        changed |= ui.text_edit_singleline(&mut props.team).changed();
        ui.label(format!(
            "Proto package segment (default `{}`)",
            c.package_segment()
        ));
        changed |= ui.text_edit_singleline(&mut props.package).changed();
        // The system properties this context's team answers for.
        let scope = crate::model::scopes::system_scope();
        let names = (
            "parked, rejected, events, now, lookup(ReadModel, key) — about the whole system",
            false,
        );
        changed |= invariants_ui(ui, model, &mut props.invariants, &scope, names);
        if changed {
            ops.push(Op::SetContext {
                uid: c.uid,
                props: Box::new(props),
            });
        }
        ui.separator();
        ui.strong("Context map relations");
        let name = c.name.clone();
        for (i, r) in model.relations.iter().enumerate() {
            if r.upstream != name && r.downstream != name {
                continue;
            }
            let mut r = r.clone();
            let mut changed = false;
            ui.horizontal(|ui| {
                ui.label(format!("{} -> {}", r.upstream, r.downstream));
                egui::ComboBox::from_id_salt(("pattern", i))
                    .selected_text(r.pattern.label())
                    .show_ui(ui, |ui| {
                        for p in Pattern::ALL {
                            changed |= ui.selectable_value(&mut r.pattern, p, p.label()).changed();
                        }
                    });
                if ui
                    .small_button("🗑")
                    .on_hover_text("Remove relation")
                    .clicked()
                {
                    ops.push(Op::RemoveRelation { uid: r.uid });
                }
            });
            ui.push_id(("relation", i), |ui| {
                // Both sides' roles, as Context Mapper writes them: `[OHS, PL] -> [ACL]`.
                egui::CollapsingHeader::new(format!("Also ({})", r.also.len()))
                    .id_salt("also")
                    .show(ui, |ui| {
                        for p in Pattern::ALL.into_iter().filter(|p| *p != r.pattern) {
                            let mut on = r.also.contains(&p);
                            if ui.checkbox(&mut on, p.label()).changed() {
                                if on {
                                    r.also.push(p);
                                } else {
                                    r.also.retain(|x| *x != p);
                                }
                                changed = true;
                            }
                        }
                    });
                egui::CollapsingHeader::new(format!("Translations ({})", r.translations.len()))
                    .id_salt("translations")
                    .show(ui, |ui| {
                        changed |=
                            crate::app::inspector::relation::translations_ui(ui, model, &mut r);
                    });
            });
            if changed {
                ops.push(Op::SetRelation {
                    uid: r.uid,
                    relation: Box::new(r),
                });
            }
        }
        let others: Vec<String> = model
            .contexts
            .iter()
            .filter(|o| o.name != name)
            .map(|o| o.name.clone())
            .collect();
        if !others.is_empty() {
            ui.menu_button("Add relation to…", |ui| {
                for o in others {
                    for (up, down) in [(&name, &o), (&o, &name)] {
                        if ui.button(format!("{up} upstream of {down}")).clicked() {
                            ops.push(Op::InsertRelation {
                                index: usize::MAX,
                                relation: Box::new(crate::model::Relation {
                                    uid: Uid::fresh(),
                                    upstream: up.clone().into(),
                                    downstream: down.clone().into(),
                                    pattern: Pattern::CustomerSupplier,
                                    also: Vec::new(),
                                    doc: String::new(),
                                    translations: vec![],
                                }),
                            });
                        }
                    }
                }
            });
        }
        ui.separator();
        let (add, pick) = types_ui(ui, c);
        self.select = pick;
        if let Some(kind) = add {
            let sticky = new_type(c, kind);
            self.select = Some(sticky.uid());
            ops.push(Op::InsertSticky {
                context: c.uid,
                index: usize::MAX,
                sticky: Box::new(sticky),
            });
        }
        if !ops.is_empty() {
            edits.push(Edit::Ops {
                label: format!("Edit context ‘{name}’"),
                ops,
                gesture: None,
            });
        }
    }
}

/// The context's enums and value objects, each a button that selects it (the inspector then
/// edits its values or fields), and buttons that add one. Returns the kind to add and the
/// type picked.
fn types_ui(ui: &mut Ui, c: &crate::model::BoundedContext) -> (Option<Kind>, Option<Uid>) {
    let (mut add, mut pick) = (None, None);
    ui.strong("Types (enums and value objects)");
    for e in &c.enums {
        if ui
            .button(format!("enum {}", e.name))
            .on_hover_text(e.values.join(", "))
            .clicked()
        {
            pick = Some(e.uid);
        }
    }
    for v in &c.values {
        let fields: Vec<String> = v
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.name, f.ty))
            .collect();
        if ui
            .button(format!("value object {}", v.name))
            .on_hover_text(fields.join(", "))
            .clicked()
        {
            pick = Some(v.uid);
        }
    }
    if c.enums.is_empty() && c.values.is_empty() {
        ui.weak("None yet: field types can name an enum or a value object of this context.");
    }
    ui.horizontal(|ui| {
        if ui.button("+ Enum").clicked() {
            add = Some(Kind::Enum);
        }
        if ui.button("+ Value object").clicked() {
            add = Some(Kind::Value);
        }
    });
    (add, pick)
}

/// A new enum or value object with a name not taken in `c`.
fn new_type(c: &crate::model::BoundedContext, kind: Kind) -> Sticky {
    let base = if kind == Kind::Enum {
        "NewEnum"
    } else {
        "NewValue"
    };
    let taken =
        |n: &str| c.enums.iter().any(|e| e.name == n) || c.values.iter().any(|v| v.name == n);
    let name = (1..)
        .map(|i| {
            if i == 1 {
                base.to_owned()
            } else {
                format!("{base}{i}")
            }
        })
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_owned());
    let uid = Uid::fresh();
    if kind == Kind::Enum {
        Sticky::Enum(crate::model::named_type::EnumDef {
            uid,
            name,
            contract: String::new(),
            doc: String::new(),
            values: vec!["First".into(), "Second".into()],
        })
    } else {
        Sticky::Value(crate::model::named_type::ValueObject {
            uid,
            name,
            contract: String::new(),
            doc: String::new(),
            fields: Vec::new(),
            reserved: Vec::new(),
            at: None,
        })
    }
}

fn doc_ui(ui: &mut Ui, doc: &mut String) -> bool {
    ui.label("Description");
    let resp = ui.add(
        TextEdit::multiline(doc)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    );
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::WidgetType::TextEdit,
            true,
            "Description of the element",
        )
    });
    resp.changed()
}

/// A combo box choosing an element of `kinds` by name (qualified when in another context);
/// the reference it sets is linked to the element picked.
pub(crate) fn reference_ui(
    ui: &mut Ui,
    model: &Model,
    ctx: usize,
    label: &str,
    value: &mut Ref,
    kinds: &[Kind],
) -> bool {
    let mut changed = false;
    ui.label(label);
    let options: Vec<(String, Uid)> = model
        .elements()
        .iter()
        .filter(|e| kinds.contains(&e.loc.kind))
        .map(|e| {
            let name = match e.loc.context {
                Some(c) if c != ctx => format!(
                    "{}.{}",
                    model.contexts.get(c).map(|c| c.name.as_str()).unwrap_or(""),
                    e.name
                ),
                _ => e.name.to_owned(),
            };
            (name, e.uid)
        })
        .collect();
    let shown = if value.is_empty() {
        "— none —".to_owned()
    } else {
        value.to_string()
    };
    egui::ComboBox::from_id_salt(("ref", label))
        .selected_text(shown)
        .width(ui.available_width() - 8.0)
        .show_ui(ui, |ui| {
            for (name, uid) in options {
                let on = *value == name;
                if ui.selectable_label(on, &name).clicked() && !on {
                    *value = Ref::linked(name, uid);
                    changed = true;
                }
            }
        })
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::ComboBox, true, label));
    changed
}

const TYPES: [&str; 7] = [
    "string",
    "int",
    "decimal",
    "bool",
    "timestamp",
    "duration",
    "id",
];

/// The enums and value objects a field in context `ctx` can have as its type: by name in
/// their own context, `Context.Name` elsewhere.
fn named_types(model: &Model, ctx: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (ci, c) in model.contexts.iter().enumerate() {
        let names = c
            .enums
            .iter()
            .map(|e| &e.name)
            .chain(c.values.iter().map(|v| &v.name));
        for name in names {
            out.push(if ci == ctx {
                name.clone()
            } else {
                format!("{}.{name}", c.name)
            });
        }
    }
    out
}

/// The … menu beside a field's type: the built-in types, the model's enums and value
/// objects, and wrapping the type in (or out of) `list<…>` / `optional<…>`. Returns the type
/// picked.
fn type_picker(ui: &mut Ui, n: u32, ty: &Type, named: &[String]) -> Option<Type> {
    let mut picked = None;
    let r = ui.menu_button("…", |ui| {
        ui.label(RichText::new("Built-in").weak());
        for t in TYPES {
            if ui.button(t).clicked() {
                picked = Type::parse(t).ok();
            }
        }
        if !named.is_empty() {
            ui.separator();
            ui.label(RichText::new("Enums and value objects").weak());
            for name in named {
                if ui.button(name).clicked() {
                    picked = Some(Type::Named(name.clone()));
                }
            }
        }
        ui.separator();
        if let Type::List(inner) | Type::Optional(inner) = ty
            && ui.button(format!("Unwrap to {inner}")).clicked()
        {
            picked = Some((**inner).clone());
        }
        if ui.button(format!("list<{ty}>")).clicked() {
            picked = Some(Type::List(Box::new(ty.clone())));
        }
        if !matches!(ty, Type::Optional(_)) && ui.button(format!("optional<{ty}>")).clicked() {
            picked = Some(Type::Optional(Box::new(ty.clone())));
        }
        if picked.is_some() {
            ui.close();
        }
    });
    r.response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::WidgetType::Button,
            true,
            format!("field #{n} type picker"),
        )
    });
    picked
}

/// Where the id of a field just added waits for its row to take the keyboard focus.
fn focus_new_field() -> egui::Id {
    egui::Id::new("inspector: the field just added")
}

/// The fields table: name, type, optional/list, stable number (read-only), reorder, remove.
fn fields_ui(
    ui: &mut Ui,
    title: &str,
    fields: &mut Vec<Field>,
    reserved: &mut Vec<Reserved>,
    named: &[String],
) -> bool {
    let mut changed = false;
    ui.add_space(6.0);
    ui.strong(title);
    let mut action: Option<(usize, i32)> = None;
    let focus_new = ui
        .data(|d| d.get_temp::<Uid>(focus_new_field()))
        .unwrap_or_default();
    // One row per field (not a Grid: a grid ignores the text boxes' widths and squeezes them).
    let row_width = ui.available_width();
    // Beside the two text boxes: the number, three small buttons, the gaps between the six,
    // and each text box's inner margins.
    let spacing = ui.spacing().item_spacing.x;
    let beside = 34.0 + 4.0 * 26.0 + 6.0 * spacing + 2.0 * 2.0 * ui.spacing().button_padding.x;
    let text_width = ((row_width - beside) / 2.0).clamp(60.0, 180.0);
    ui.push_id((title, "fields"), |ui| {
        for (i, f) in fields.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                ui.add_sized(
                    [34.0, 18.0],
                    egui::Label::new(RichText::new(format!("#{}", f.n)).monospace().weak()),
                )
                .on_hover_text(
                    "Stable field number: never changes, exported as the protobuf field number",
                );
                let name_id = ui.id().with(("field name", f.uid));
                let name = ui.add(
                    TextEdit::singleline(&mut f.name)
                        .id(name_id)
                        .desired_width(text_width),
                );
                name.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::TextEdit,
                        true,
                        format!("field #{} name", f.n),
                    )
                });
                if f.uid == focus_new {
                    // A new field: its name box takes the keys, its placeholder selected so
                    // that typing replaces it.
                    name.request_focus();
                    crate::app::text::select_all(ui.ctx(), name_id, &f.name);
                    ui.data_mut(|d| d.remove::<Uid>(focus_new_field()));
                }
                changed |= name.changed();
                let (resp, ty) = buffered_edit(
                    ui,
                    ui.id().with(("field type", f.uid)),
                    &f.ty,
                    text_width,
                    Type::to_string,
                    |t| Type::parse(t).map_err(|e| e.reason.clone()),
                );
                let n = f.n;
                resp.widget_info(|| {
                    egui::WidgetInfo::labeled(
                        egui::WidgetType::TextEdit,
                        true,
                        format!("field #{n} type"),
                    )
                });
                if let Some(ty) = ty {
                    f.ty = ty;
                    changed = true;
                }
                resp.on_hover_text(format!(
                    "One of {}, an enum or value object name, list<T>, optional<T>",
                    TYPES.join(", ")
                ));
                if let Some(ty) = type_picker(ui, n, &f.ty, named) {
                    f.ty = ty;
                    changed = true;
                }
                if ui.small_button("⬆").on_hover_text("Move up").clicked() {
                    action = Some((i, -1));
                }
                if ui.small_button("⬇").on_hover_text("Move down").clicked() {
                    action = Some((i, 1));
                }
                if ui
                    .small_button("🗑")
                    .on_hover_text("Remove (its number and name become reserved)")
                    .clicked()
                {
                    action = Some((i, 0));
                }
            });
        }
    });
    match action {
        Some((i, 0)) => {
            remove_field(fields, reserved, i);
            changed = true;
        }
        Some((i, d)) => {
            let j = i as i64 + i64::from(d);
            if j >= 0 && (j as usize) < fields.len() {
                fields.swap(i, j as usize);
                changed = true;
            }
        }
        None => {}
    }
    if ui.button("➕ Add field").clicked() {
        let n = next_field_number(fields, reserved);
        let mut name = "field".to_owned();
        let mut k = 2;
        while fields.iter().any(|f| f.name == name) || reserved.iter().any(|r| r.name == name) {
            name = format!("field{k}");
            k += 1;
        }
        let uid = Uid::fresh();
        ui.data_mut(|d| d.insert_temp(focus_new_field(), uid));
        fields.push(Field {
            uid,
            n,
            name,
            ty: Type::String,
            doc: String::new(),
        });
        changed = true;
    }
    if !reserved.is_empty() {
        let list: Vec<String> = reserved
            .iter()
            .map(|r| format!("{} ({})", r.n, r.name))
            .collect();
        ui.label(
            RichText::new(format!("Reserved: {}", list.join(", ")))
                .small()
                .color(theme::tokens(ui).muted),
        );
    }
    changed
}

/// The "Published" switch of an event. Unticking it withdraws the event: it stays in the
/// context's integration envelope, deprecated, so that consumers holding it keep reading old
/// records (a compatible change); a withdrawn event can also be dropped from the envelope,
/// which breaks such consumers and says so.
fn published_ui(ui: &mut Ui, published: &mut bool, withdrawn: &mut bool) -> bool {
    let was = *published;
    let mut changed = ui
        .checkbox(published, "Published (integration event, public language)")
        .changed();
    if changed {
        // Unpublishing withdraws; publishing again clears the mark.
        *withdrawn = was && !*published;
    }
    if !*published && *withdrawn {
        changed |= ui
            .checkbox(withdrawn, "Withdrawn: kept, deprecated, for consumers")
            .on_hover_text(
                "The event stays in the integration envelope, marked deprecated, so that \
                 consumers can still read old records. Untick to drop it from the envelope: \
                 that breaks consumers that received it (stormlab diff reports it).",
            )
            .changed();
    }
    changed
}
