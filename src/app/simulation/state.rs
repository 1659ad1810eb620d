//! The state at the cursor in the Simulation tab: the record there and its causation chain,
//! aggregate instances with their fields, read-model tables (sortable by any column,
//! filterable), saga instances (with their sequence view), the dead-letter queue (redrive one
//! or all) and the scenario's expectations. Everything comes from the engine's timeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};

use crate::app::simulation::panel::Run;
use crate::app::theme;
use crate::model::expr::Value;
use crate::model::expr::time::format_timestamp;
use crate::sim::engine::{Change, Engine, Parked};
use crate::sim::fold::Table;
use crate::sim::hash::sorted;
use crate::sim::program::{EventDef, SubscriberKind};
use crate::sim::store::format_id;
use crate::sim::timeline::{Link, StateAt, causation, dlq_after};

/// What the user asked for in the state view.
#[derive(Clone, Debug, PartialEq)]
pub enum StateAction {
    /// Redrive one parked message.
    Redrive {
        /// The subscriber that parked it.
        subscriber: usize,
        /// Its log position.
        position: u64,
    },
    /// Open the causation graph of the event at a log position.
    Causation {
        /// The event's log position.
        position: u64,
    },
    /// Open the sequence view of saga `saga`'s instance `key`.
    Sequence {
        /// Saga index.
        saga: usize,
        /// Correlation value.
        key: Value,
    },
}

/// A table's sort: column and ascending (None: by key).
type Sort = Option<(usize, bool)>;

/// How one read-model table is shown.
#[derive(Clone, Debug, Default)]
struct TableView {
    /// Sort column and direction.
    sort: Sort,
    /// Only rows with a cell containing this text.
    filter: String,
    /// The keys of the rows shown, in order (sorting and filtering run when the cursor, sort
    /// or filter changes, not every frame).
    order: Vec<Value>,
    /// The cursor, sort and filter `order` was computed for.
    order_for: Option<(u64, Sort, String)>,
}

impl TableView {
    /// The keys of `table`'s rows to show at `cursor`, filtered and sorted.
    fn order(&mut self, table: &Table, cursor: u64) -> &[Value] {
        let fresh = self
            .order_for
            .as_ref()
            .is_some_and(|(c, s, f)| *c == cursor && *s == self.sort && *f == self.filter);
        if !fresh {
            let needle = self.filter.trim().to_lowercase();
            let mut rows: Vec<(&Value, &Vec<Value>)> = sorted(table)
                .into_iter()
                .filter(|(_, row)| {
                    needle.is_empty()
                        || row
                            .iter()
                            .any(|v| v.to_string().to_lowercase().contains(&needle))
                })
                .collect();
            if let Some((col, ascending)) = self.sort {
                rows.sort_by(|(_, a), (_, b)| {
                    let o = a.get(col).cmp(&b.get(col));
                    if ascending { o } else { o.reverse() }
                });
            }
            self.order = rows.into_iter().map(|(k, _)| k.clone()).collect();
            self.order_for = Some((cursor, self.sort, self.filter.clone()));
        }
        &self.order
    }
}

/// The instances of one aggregate in id order, for the cursor.
#[derive(Default)]
struct InstanceOrder {
    /// Every instance of the run (none is ever removed), sorted by id, with the log position
    /// of its first event.
    all: Vec<(Arc<str>, u64)>,
    /// The cursor `shown` is for.
    cursor: Option<u64>,
    /// Indexes into `all` of the instances that exist at the cursor.
    shown: Vec<u32>,
}

impl InstanceOrder {
    /// Brings the order up to aggregate `a`'s instances after `cursor` records.
    fn update(&mut self, e: &Engine, a: usize, cursor: u64) {
        let live = e.aggregate_instances().get(a);
        if self.all.len() != live.map_or(0, |m| m.len()) {
            self.all = live.map_or_else(Vec::new, |m| {
                sorted(m)
                    .into_iter()
                    .map(|(k, inst)| (k.clone(), e.stream_start(inst.stream).unwrap_or(0)))
                    .collect()
            });
            self.cursor = None;
        }
        if self.cursor != Some(cursor) {
            self.shown = (0..self.all.len() as u32)
                .filter(|&i| self.all[i as usize].1 < cursor)
                .collect();
            self.cursor = Some(cursor);
        }
    }

    /// The id of the `r`th instance shown.
    fn key(&self, r: usize) -> Option<&Arc<str>> {
        let i = *self.shown.get(r)?;
        self.all.get(i as usize).map(|(k, _)| k)
    }
}

/// A section of the state view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    /// Aggregate instances.
    #[default]
    Aggregates,
    /// Read-model tables.
    ReadModels,
    /// Saga instances.
    Sagas,
    /// Policies' timers pending at the cursor.
    Timers,
    /// The dead-letter queue.
    DeadLetters,
    /// The scenario's expectations.
    Expectations,
}

/// The state view's own settings.
#[derive(Default)]
pub struct StateView {
    /// The section shown.
    pub section: Section,
    tables: BTreeMap<usize, TableView>,
    /// Per aggregate, its instances in order (a million ids take a second to sort: sorted
    /// once per run, filtered when the cursor moves).
    instance_order: BTreeMap<usize, InstanceOrder>,
    /// A moment of the dead-letter history chosen at a cursor.
    moment: Option<Moment>,
}

/// A moment of the dead-letter history the user picked, between two events.
struct Moment {
    /// The cursor it was picked at (moving the cursor forgets it).
    cursor: u64,
    /// Its index in the engine's journal.
    index: usize,
    /// The queue just after it (replaying the journal once, not every frame).
    dlq: Vec<Parked>,
}

/// The read-model rows command `command` read (when the run noted them), as they were then:
/// `StockLevels[hinge] = product hinge, reserved 3`, or `… = no row`.
pub fn reads_text(e: &Engine, command: u32) -> String {
    let p = e.program();
    e.lookups_of(command)
        .iter()
        .map(|l| {
            let name = read_model_name(e, l.table);
            let row = match (&l.row, p.read_models.get(l.table as usize)) {
                (Some(row), Some(def)) => def
                    .columns
                    .iter()
                    .zip(row.iter())
                    .map(|(c, v)| format!("{} {v}", c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "no row".to_owned(),
            };
            format!("{name}[{}] = {row}", l.key)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The name of the read model or aggregate `table` (a lookup's table: the program's read
/// models, then its aggregates).
pub fn read_model_name(e: &Engine, table: u32) -> &str {
    // After the read models come the aggregates (a lookup of an instance's state).
    let read_models = e.program().read_models.len();
    if let Some(a) = (table as usize).checked_sub(read_models) {
        return e
            .program()
            .aggregates
            .get(a)
            .map_or("?", |a| a.name.as_str());
    }
    subscriber_name(
        e,
        |k| matches!(k, SubscriberKind::ReadModel(r) if *r == table as usize),
    )
}

/// The name of the subscriber whose kind matches.
pub fn subscriber_name(e: &Engine, is: impl Fn(&SubscriberKind) -> bool) -> &str {
    e.program()
        .subscribers
        .iter()
        .find(|s| is(&s.kind))
        .map_or("?", |s| s.name.as_str())
}

/// A virtual time as its time of day (`08:00:05`, or `08:00:05.010Z` with `ms`), preceded by
/// its date (`06-17 08:00:05`) when `dated`.
pub fn clock(time: i64, dated: bool, ms: bool) -> String {
    let full = format_timestamp(time);
    let of_day = if ms { full.get(11..) } else { full.get(11..19) };
    let of_day = of_day.unwrap_or(&full);
    match full.get(5..10) {
        Some(date) if dated => format!("{date} {of_day}"),
        _ => of_day.to_owned(),
    }
}

/// A record's payload as `name = value` pairs: `eq` between name and value, `sep` between pairs.
pub fn payload_text(def: &EventDef, payload: &[Value], eq: &str, sep: &str) -> String {
    let pairs: Vec<String> = def
        .fields
        .iter()
        .zip(payload)
        .map(|(f, v)| format!("{}{eq}{v}", f.name))
        .collect();
    pairs.join(sep)
}

/// The type name of the event at `position` ("?" past the log).
pub fn event_name(e: &Engine, position: u64) -> &str {
    e.records()
        .get(position as usize)
        .map_or("?", |r| e.program().events[r.event as usize].name.as_str())
}

/// A causation chain as text: `#3 OrderPlaced ⬅ command PlaceOrder`.
pub fn chain_text(e: &Engine, position: u64) -> String {
    let chain: Vec<String> = causation(e, position)
        .into_iter()
        .map(|l| match l {
            Link::Event(p) => format!("#{} {}", p + 1, event_name(e, p)),
            Link::Deadline(p) => {
                let what = if e.armed_a_timer(p) {
                    "timer"
                } else {
                    "deadline"
                };
                format!("{what} set on #{} {}", p + 1, event_name(e, p))
            }
            Link::Command(c) => e
                .commands()
                .get(c as usize)
                .map_or("command ?".into(), |c| {
                    format!("command {}", e.program().commands[c.command()].name)
                }),
            Link::Given => "given history".into(),
        })
        .collect();
    chain.join(" ⬅ ")
}

impl StateView {
    /// Forgets what was computed for an older run (sort and filter settings stay).
    pub fn reset(&mut self) {
        self.moment = None;
        for t in self.tables.values_mut() {
            t.order_for = None;
        }
        self.instance_order.clear();
    }

    /// The state after `cursor` records, scrolling within `room` points of height. Returns what
    /// the user asked for.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        run: &Run,
        state: &StateAt,
        cursor: u64,
        room: f32,
    ) -> Option<StateAction> {
        let e = &run.engine;
        let causation = record_ui(ui, e, cursor);
        let sagas: usize = state.sagas.iter().map(|s| s.len()).sum();
        let failed = run.verdicts.iter().filter(|v| !v.passed).count();
        // The Timers tab only for a model with timers; the pending ones are looked for only
        // then.
        let has_timers = e.program().has_timers();
        let pending = if has_timers {
            pending_timers(e, state)
        } else {
            Vec::new()
        };
        let timers = pending.len();
        if !has_timers && self.section == Section::Timers {
            self.section = Section::Aggregates;
        }
        ui.horizontal_wrapped(|ui| {
            for (section, label) in [
                (Section::Aggregates, "Aggregates".to_owned()),
                (Section::ReadModels, "Read models".to_owned()),
                (Section::Sagas, format!("Sagas ({sagas})")),
                (Section::Timers, format!("Timers ({timers})")),
                (
                    Section::DeadLetters,
                    format!("Dead letters ({})", state.dlq.len()),
                ),
                (
                    Section::Expectations,
                    match failed {
                        0 => format!("Expectations ({})", run.verdicts.len()),
                        n => format!("Expectations ({n} failed)"),
                    },
                ),
            ] {
                if section == Section::Timers && !has_timers {
                    continue;
                }
                ui.selectable_value(&mut self.section, section, label);
            }
        });
        ui.separator();
        // Below the record's details and the section tabs.
        let height = (room - 150.0).max(100.0);
        let chosen = egui::ScrollArea::vertical()
            .id_salt(("sim-state", self.section as u8))
            .max_height(height)
            .auto_shrink([false, true])
            .show(ui, |ui| match self.section {
                Section::Aggregates => {
                    aggregates_ui(ui, e, state, height, &mut self.instance_order);
                    None
                }
                Section::ReadModels => {
                    self.read_models_ui(ui, e, state);
                    None
                }
                Section::Sagas => sagas_ui(ui, e, state, height),
                Section::Timers => {
                    timers_ui(ui, e, &pending, height);
                    None
                }
                Section::DeadLetters => {
                    let moment = &mut self.moment;
                    if moment.as_ref().is_some_and(|m| m.cursor != state.position) {
                        *moment = None;
                    }
                    dlq_ui(ui, e, state, moment)
                }
                Section::Expectations => {
                    verdicts_ui(ui, run);
                    None
                }
            })
            .inner;
        chosen.or(causation)
    }

    fn read_models_ui(&mut self, ui: &mut Ui, e: &Engine, state: &StateAt) {
        for (i, table) in state.read_models.iter().enumerate() {
            let name = subscriber_name(e, |k| matches!(k, SubscriberKind::ReadModel(r) if *r == i));
            let view = self.tables.entry(i).or_default();
            egui::CollapsingHeader::new(format!("{name}: {} row(s)", table.len()))
                .id_salt(("read-model", i))
                .default_open(true)
                .show(ui, |ui| table_ui(ui, e, i, table, state.position, view));
        }
    }
}

/// The record at the cursor (type, time, payload, id and what caused it) in four one-line
/// rows (long ones are cut, the full text on hover), so the tab keeps its height while the
/// cursor moves. Returns a request for its causation graph.
fn record_ui(ui: &mut Ui, e: &Engine, cursor: u64) -> Option<StateAction> {
    // Three rows: what and when (with its stream, correlation and id, weaker), its payload,
    // and what caused it (or the compensation it is).
    let rows: [egui::WidgetText; 3] = match cursor
        .checked_sub(1)
        .and_then(|p| e.records().get(p as usize))
    {
        None => [
            RichText::new("Before the first event.").weak().into(),
            RichText::new("").into(),
            RichText::new("").into(),
        ],
        Some(r) => {
            let def = &e.program().events[r.event as usize];
            let stream = e.stream_name(r.stream);
            let mut chain = chain_text(e, cursor - 1);
            // What the command that appended it read, as projected then (a stale read shows).
            if let crate::sim::store::Cause::Command(c) = r.causation {
                let read = reads_text(e, c);
                if !read.is_empty() {
                    chain = format!("{chain} · it read {read}");
                }
            }
            let style = ui.style();
            let mut title = egui::text::LayoutJob::default();
            RichText::new(format!(
                "#{cursor} {} at {}",
                def.name,
                format_timestamp(r.time)
            ))
            .strong()
            .append_to(
                &mut title,
                style,
                egui::FontSelection::Default,
                egui::Align::Center,
            );
            RichText::new(format!(
                "  ·  stream {stream} v{} · correlation {} · id {}",
                r.version,
                e.text(r.correlation),
                format_id(r.id())
            ))
            .weak()
            .append_to(
                &mut title,
                style,
                egui::FontSelection::Default,
                egui::Align::Center,
            );
            [
                title.into(),
                RichText::new(payload_text(def, e.payload(r), " = ", ", "))
                    .monospace()
                    .into(),
                match crate::app::simulation::markers::compensation(e, cursor - 1) {
                    Some(said) => RichText::new(said).color(theme::tokens(ui).compensation),
                    None if chain.is_empty() => RichText::new(""),
                    None => RichText::new(format!("caused by: {chain}")),
                }
                .into(),
            ]
        }
    };
    let mut asked = None;
    for (i, row) in rows.into_iter().enumerate() {
        let hover = row.text().to_owned();
        ui.horizontal(|ui| {
            if i == 2 && cursor > 0 {
                let graph = ui
                    .small_button("Causation graph")
                    .on_hover_text("What led to this event and what it led to, as a graph");
                if graph.clicked() {
                    asked = Some(StateAction::Causation {
                        position: cursor - 1,
                    });
                }
            }
            let r = ui.add(egui::Label::new(row).truncate());
            if !hover.is_empty() {
                r.on_hover_text(hover);
            }
        });
    }
    asked
}

fn aggregates_ui(
    ui: &mut Ui,
    e: &Engine,
    state: &StateAt,
    height: f32,
    orders: &mut BTreeMap<usize, InstanceOrder>,
) {
    for (a, instances) in state.aggregates.iter().enumerate() {
        let def = &e.program().aggregates[a];
        egui::CollapsingHeader::new(format!("{}: {} instance(s)", def.name, instances.len()))
            .id_salt(("aggregate", a))
            .default_open(instances.len() <= 20)
            .show(ui, |ui| {
                let order = orders.entry(a).or_default();
                // At the end of the run (and only there) every change shows.
                let cursor = if state.end { u64::MAX } else { state.position };
                order.update(e, a, cursor);
                let order = &*order;
                long_list_ui(
                    ui,
                    ("sim-aggregate", a),
                    order.shown.len(),
                    height,
                    |ui, r| {
                        let Some((key, inst)) =
                            order.key(r).and_then(|k| Some((k, instances.get(k)?)))
                        else {
                            return;
                        };
                        let lifecycle =
                            def.lifecycle.get(inst.lifecycle).map_or("", String::as_str);
                        let fields: Vec<String> = def
                            .state
                            .iter()
                            .zip(&inst.state)
                            .map(|(f, v)| format!("{}={v}", f.name))
                            .collect();
                        ui.label(format!(
                            "{}/{key}: {lifecycle} (v{}) {}",
                            def.name,
                            inst.version,
                            fields.join(" ")
                        ));
                    },
                );
            });
    }
}

/// One read-model table: a filter box and a table sorted by the clicked column.
fn table_ui(ui: &mut Ui, e: &Engine, i: usize, table: &Table, cursor: u64, view: &mut TableView) {
    let Some(def) = e.program().read_models.get(i) else {
        return;
    };
    ui.add(
        egui::TextEdit::singleline(&mut view.filter)
            .id_salt(("read-model-filter", i))
            .hint_text("filter rows")
            .desired_width(140.0),
    );
    let sort = view.sort;
    let rows: Vec<&Vec<Value>> = view
        .order(table, cursor)
        .iter()
        .filter_map(|k| table.get(k))
        .collect();
    let mut clicked = None;
    let mut builder = TableBuilder::new(ui)
        .id_salt(("read-model-table", i))
        .striped(true)
        .resizable(true)
        .max_scroll_height(180.0);
    for _ in &def.columns {
        builder = builder.column(Column::auto().at_least(50.0));
    }
    builder
        .header(18.0, |mut h| {
            for (c, f) in def.columns.iter().enumerate() {
                h.col(|ui| {
                    let arrow = match sort {
                        Some((s, true)) if s == c => " ⏶",
                        Some((s, false)) if s == c => " ⏷",
                        _ => "",
                    };
                    if ui
                        .button(RichText::new(format!("{}{arrow}", f.name)).strong())
                        .on_hover_text("Sort by this column (again: reverse)")
                        .clicked()
                    {
                        clicked = Some(c);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(18.0, rows.len(), |mut row| {
                let r = rows[row.index()];
                for v in r {
                    row.col(|ui| {
                        ui.add(egui::Label::new(v.to_string()).truncate());
                    });
                }
            });
        });
    if let Some(c) = clicked {
        view.sort = match view.sort {
            Some((s, true)) if s == c => Some((c, false)),
            _ => Some((c, true)),
        };
    }
}

fn sagas_ui(ui: &mut Ui, e: &Engine, state: &StateAt, height: f32) -> Option<StateAction> {
    let rows: Vec<(usize, &Value, &Arc<str>)> = state
        .sagas
        .iter()
        .enumerate()
        .flat_map(|(i, sagas)| sagas.iter().map(move |(k, s)| (i, k, s)))
        .collect();
    if rows.is_empty() {
        ui.weak("No saga instance at this moment.");
        return None;
    }
    let names: Vec<&str> = (0..state.sagas.len())
        .map(|i| subscriber_name(e, |k| matches!(k, SubscriberKind::Saga(x) if *x == i)))
        .collect();
    let dated = e.spans_days();
    let mut action = None;
    long_list_ui(ui, "sim-sagas", rows.len(), height, |ui, r| {
        let (i, key, status) = rows[r];
        ui.horizontal(|ui| {
            let color = match &**status {
                "Running" => ui.visuals().text_color(),
                "Compensated" | "TimedOut" => theme::tokens(ui).caution,
                _ => theme::tokens(ui).ok,
            };
            ui.colored_label(color, format!("{} {key}: {status}", names[i]));
            if let Some(inst) = e.saga_instances()[i].get(key) {
                let def = &e.program().sagas[i];
                if !def.state.is_empty() {
                    let state = inst.state_seen(&def.zero_state, |s, t| state.shows(s, t));
                    let text: Vec<String> = def
                        .state
                        .iter()
                        .zip(&state)
                        .map(|(f, v)| format!("{}={v}", f.name))
                        .collect();
                    ui.monospace(text.join(", "));
                }
                for d in inst.pending(|s, t| state.shows(s, t)) {
                    let deadline = def.deadlines.get(d.deadline).map_or("?", |d| &d.name);
                    ui.weak(format!("⏰ {deadline} due {}", clock(d.due, dated, false)));
                }
                match inst.compensations_seen(|s, t| state.shows(s, t)) {
                    0 => {}
                    1 => _ = ui.weak("1 compensation run"),
                    n => _ = ui.weak(format!("{n} compensations run")),
                }
            }
            if ui
                .small_button("Sequence")
                .on_hover_text("The messages of this instance across contexts, in time order")
                .clicked()
            {
                action = Some(StateAction::Sequence {
                    saga: i,
                    key: key.clone(),
                });
            }
        });
    });
    action
}

/// The timers pending at the cursor, soonest first.
fn pending_timers<'e>(e: &'e Engine, state: &StateAt) -> Vec<&'e crate::sim::engine::Timer> {
    let mut out: Vec<&crate::sim::engine::Timer> = e
        .timers()
        .iter()
        .filter(|t| t.pending_at(|s, time| state.shows(s, time)))
        .collect();
    out.sort_by_key(|t| t.due);
    out
}

/// Each pending timer: who armed it, the command it will issue to its target, when.
fn timers_ui(ui: &mut Ui, e: &Engine, pending: &[&crate::sim::engine::Timer], height: f32) {
    if pending.is_empty() {
        ui.weak("No timer pending at this moment.");
        return;
    }
    let dated = e.spans_days();
    let p = e.program();
    long_list_ui(ui, "sim-timers", pending.len(), height, |ui, r| {
        let t = pending[r];
        let owner = p.timer_owner(t.owner);
        let command = p.commands.get(t.command).map_or("?", |c| c.name.as_str());
        ui.label(format!(
            "⏰ {owner}: {command} {} due {} (set on #{} {})",
            t.target,
            clock(t.due, dated, false),
            t.armed + 1,
            event_name(e, t.armed)
        ));
    });
}

/// `n` rows in a scroll area at most `height` points tall, laying out only the rows in view
/// (a run can have hundreds of thousands of instances).
fn long_list_ui(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    n: usize,
    height: f32,
    mut row: impl FnMut(&mut Ui, usize),
) {
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(height)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, n, |ui, range| {
            for r in range {
                row(ui, r);
            }
        });
}

/// The dead letters at the cursor (or at a moment of the history the user picked) and the
/// history of parkings and redrives up to the cursor.
fn dlq_ui(
    ui: &mut Ui,
    e: &Engine,
    state: &StateAt,
    moment: &mut Option<Moment>,
) -> Option<StateAction> {
    let mut action = None;
    let mut back = false;
    if let Some(m) = moment.as_ref() {
        ui.horizontal(|ui| {
            let time = e.journal().get(m.index).map_or(0, |j| j.1);
            ui.strong(format!(
                "At {} (after #{}, before the next event)",
                clock(time, e.spans_days(), false),
                state.position
            ));
            back = ui.small_button("Back to the cursor").clicked();
        });
    }
    let dlq = moment.as_ref().map_or(&state.dlq, |m| &m.dlq);
    if dlq.is_empty() {
        ui.weak("No message is parked at this moment.");
    }
    for p in dlq {
        ui.horizontal(|ui| {
            let event = event_name(e, p.position);
            ui.label(format!(
                "#{} {event} to {}: {} after {} attempt(s)",
                p.position + 1,
                e.program().subscribers[p.subscriber].name,
                p.error,
                p.attempts
            ));
            // Only a message still parked at the end of the run can be redriven (the run
            // goes on from its end).
            let live = e
                .parked()
                .iter()
                .any(|x| x.subscriber == p.subscriber && x.position == p.position);
            if live
                && ui
                    .small_button("Redrive")
                    .on_hover_text(
                        "Redeliver this message after the end of the run (recorded in the log)",
                    )
                    .clicked()
            {
                action = Some(StateAction::Redrive {
                    subscriber: p.subscriber,
                    position: p.position,
                });
            }
        });
    }
    if let Some(k) = history_ui(ui, e, state, moment.as_ref().map(|m| m.index)) {
        *moment = Some(Moment {
            cursor: state.position,
            index: k,
            dlq: dlq_after(e, k),
        });
    } else if back {
        *moment = None;
    }
    action
}

/// Every parking and redrive up to the cursor, with its virtual time: a message parked and
/// redriven between two events is never parked at a cursor position, but shows here. Each
/// line is clickable; returns the journal index of the line clicked.
fn history_ui(ui: &mut Ui, e: &Engine, state: &StateAt, chosen: Option<usize>) -> Option<usize> {
    let position = state.position;
    let dated = e.spans_days();
    let lines: Vec<(usize, bool, String)> = e
        .journal()
        .iter()
        .enumerate()
        .take_while(|(_, (stamp, _, _))| *stamp <= position)
        .filter_map(|(k, (stamp, time, change))| {
            let at = clock(*time, dated, false);
            let text = match change {
                Change::Parked(p) => format!(
                    "{at} parked #{} for {}: {} after {} attempt(s)",
                    p.position + 1,
                    e.program().subscribers[p.subscriber].name,
                    p.error,
                    p.attempts
                ),
                Change::Redriven {
                    subscriber,
                    position,
                } => match position {
                    Some(p) => format!(
                        "{at} redriven: #{} for {}",
                        p + 1,
                        e.program().subscribers[*subscriber].name
                    ),
                    None => format!(
                        "{at} redriven: everything parked for {}",
                        e.program().subscribers[*subscriber].name
                    ),
                },
                Change::Saga { .. } => return None,
            };
            Some((k, state.shows(*stamp, *time), text))
        })
        .collect();
    if lines.is_empty() {
        return None;
    }
    ui.separator();
    ui.strong("History");
    if lines.iter().any(|(_, shown, _)| !shown) {
        ui.weak("Some of this happened after this event and before the next: click a line to see the queue at that moment.");
    }
    let mut clicked = None;
    for (k, _, text) in lines {
        if ui.selectable_label(chosen == Some(k), text).clicked() {
            clicked = Some(k);
        }
    }
    clicked
}

fn verdicts_ui(ui: &mut Ui, run: &Run) {
    if run.verdicts.is_empty() {
        ui.weak("This scenario has no expectations.");
        return;
    }
    for v in &run.verdicts {
        let (mark, color) = if v.passed {
            ("✔", theme::tokens(ui).ok)
        } else {
            ("✖", theme::tokens(ui).error)
        };
        let text = if v.passed {
            format!("{mark} {}", v.expectation)
        } else {
            format!("{mark} {}: {}", v.expectation, v.reason)
        };
        ui.colored_label(color, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::time::parse_timestamp;

    #[test]
    fn times_show_their_date_when_the_run_spans_days() {
        let t = parse_timestamp("2024-06-17T08:00:05.010Z").unwrap();
        assert_eq!(clock(t, false, false), "08:00:05");
        assert_eq!(clock(t, false, true), "08:00:05.010Z");
        assert_eq!(clock(t, true, false), "06-17 08:00:05");
    }
}
