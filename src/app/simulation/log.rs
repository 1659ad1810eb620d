//! The run's logs in the Simulation tab: the event log (virtualized, filterable by context,
//! event type and text) and the command log (every command with its outcome; a rejected one
//! shows its reason). Clicking a row moves the cursor there.

use egui::Ui;
use egui_extras::{Column, TableBuilder};

use crate::app::simulation::panel::Run;
use crate::app::simulation::state::{clock, payload_text};
use crate::app::theme;
use crate::model::expr::time::format_timestamp;
use crate::sim::engine::{CommandRecord, Engine};
use crate::sim::store::{Cause, Record};

/// Which log is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LogKind {
    /// Events, by position.
    #[default]
    Events,
    /// Commands, in the order they were handled.
    Commands,
}

/// What the event log shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFilter {
    /// Only this context's events.
    pub context: Option<String>,
    /// Only events of this type (index into the program's events).
    pub event: Option<usize>,
    /// Only records whose stream, type or payload contains this text (case-insensitive).
    pub text: String,
}

impl LogFilter {
    fn is_empty(&self) -> bool {
        self.context.is_none() && self.event.is_none() && self.text.trim().is_empty()
    }

    /// Whether record `r` passes; `needle` is the text, trimmed and lowercased once by the caller.
    fn matches(&self, e: &Engine, r: &Record, needle: &str) -> bool {
        let def = &e.program().events[r.event as usize];
        if self.context.as_ref().is_some_and(|c| *c != def.context) {
            return false;
        }
        if self.event.is_some_and(|x| x != r.event as usize) {
            return false;
        }
        if needle.is_empty() {
            return true;
        }
        let stream = e.stream_name(r.stream);
        stream.to_lowercase().contains(needle)
            || def.name.to_lowercase().contains(needle)
            || e.text(r.correlation).to_lowercase().contains(needle)
            || e.payload(r)
                .iter()
                .any(|v| v.to_string().to_lowercase().contains(needle))
    }
}

/// The log view's state.
#[derive(Default)]
pub struct LogView {
    /// Events or commands.
    pub kind: LogKind,
    /// The event filter.
    pub filter: LogFilter,
    /// The selected command (index into the command log).
    pub command: Option<usize>,
    /// Positions matching the filter, for the filter and log length they were computed for.
    matching: Option<(LogFilter, usize, Vec<u32>)>,
}

impl LogView {
    /// Forgets what was computed for an older run.
    pub fn reset(&mut self) {
        self.matching = None;
        self.command = None;
    }

    /// The log chosen, up to `cursor`. Returns a new cursor when a row is clicked.
    /// The log up to `cursor`, its table within `room` points of height; returns a cursor
    /// the user picked.
    pub fn ui(&mut self, ui: &mut Ui, run: &Run, cursor: u64, room: f32) -> Option<u64> {
        // The event log's heading (how many shown) sits beside the tabs, to leave rows to it.
        let heading = (self.kind == LogKind::Events).then(|| self.heading(&run.engine, cursor));
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.kind, LogKind::Events, "Events");
            ui.selectable_value(&mut self.kind, LogKind::Commands, "Commands");
            if let Some(heading) = heading {
                ui.add_space(12.0);
                ui.strong(heading);
            }
        });
        match self.kind {
            // Below the tabs and filters (events); above the details (commands).
            LogKind::Events => self.events_ui(ui, &run.engine, cursor, (room - 85.0).max(60.0)),
            LogKind::Commands => {
                // Room under the table for the selected command's detail, if one is.
                let detail = if self.command.is_some() { 190.0 } else { 50.0 };
                self.commands_ui(ui, &run.engine, (room - detail).max(60.0))
            }
        }
    }

    fn filter_ui(&mut self, ui: &mut Ui, e: &Engine) {
        ui.horizontal(|ui| {
            let mut contexts: Vec<&str> = e
                .program()
                .events
                .iter()
                .map(|d| d.context.as_str())
                .collect();
            contexts.dedup();
            egui::ComboBox::from_id_salt("log-context")
                .selected_text(self.filter.context.as_deref().unwrap_or("all contexts"))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.context, None, "all contexts");
                    for c in contexts {
                        ui.selectable_value(&mut self.filter.context, Some(c.to_owned()), c);
                    }
                });
            let shown = self
                .filter
                .event
                .and_then(|x| e.program().events.get(x))
                .map_or("all events", |d| d.name.as_str());
            egui::ComboBox::from_id_salt("log-event")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.event, None, "all events");
                    for (x, d) in e.program().events.iter().enumerate() {
                        if self.filter.context.as_ref().is_none_or(|c| *c == d.context) {
                            ui.selectable_value(&mut self.filter.event, Some(x), &d.name);
                        }
                    }
                });
            let label = ui.label("Filter events");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text("stream, type, value or correlation")
                    .desired_width(150.0),
            )
            .labelled_by(label.id)
            .on_hover_text("Only events whose stream, type or payload contains this text");
            if !self.filter.is_empty()
                && ui
                    .small_button("✖")
                    .on_hover_text("Clear the filter")
                    .clicked()
            {
                self.filter = LogFilter::default();
            }
        });
    }

    /// The positions shown: all of them, or those matching the filter (computed once per
    /// filter and log length, then cut at the cursor).
    fn positions(&mut self, e: &Engine) -> Option<&[u32]> {
        if self.filter.is_empty() {
            return None;
        }
        let len = e.records().len();
        let fresh = self
            .matching
            .as_ref()
            .is_some_and(|(f, n, _)| *f == self.filter && *n == len);
        if !fresh {
            let needle = self.filter.text.trim().to_lowercase();
            let hits = e
                .records()
                .iter()
                .enumerate()
                .filter(|(_, r)| self.filter.matches(e, r, &needle))
                .map(|(i, _)| i as u32)
                .collect();
            self.matching = Some((self.filter.clone(), len, hits));
        }
        self.matching.as_ref().map(|(_, _, v)| v.as_slice())
    }

    /// "Event log (8 of 12)": the events shown at `cursor`, of all of them.
    fn heading(&mut self, e: &Engine, cursor: u64) -> String {
        match self.positions(e) {
            Some(p) => format!(
                "Event log: {} matching of {cursor} ({} in all)",
                p.partition_point(|&i| u64::from(i) < cursor),
                e.records().len()
            ),
            None => format!("Event log ({cursor} of {})", e.records().len()),
        }
    }

    fn events_ui(&mut self, ui: &mut Ui, e: &Engine, cursor: u64, room: f32) -> Option<u64> {
        let dated = e.spans_days();
        self.filter_ui(ui, e);
        let positions = self.positions(e);
        let shown = match positions {
            Some(p) => p.partition_point(|&i| u64::from(i) < cursor),
            None => cursor as usize,
        };
        let mut clicked = None;
        TableBuilder::new(ui)
            .id_salt("sim-log")
            .striped(true)
            .resizable(true)
            .stick_to_bottom(true)
            .sense(egui::Sense::click())
            .min_scrolled_height(60.0)
            .max_scroll_height(room)
            .column(Column::initial(40.0).at_least(30.0))
            .column(Column::initial(80.0).at_least(50.0))
            .column(Column::initial(70.0).at_least(40.0))
            .column(Column::initial(110.0).at_least(60.0))
            .column(Column::initial(26.0).at_least(22.0))
            .column(Column::initial(130.0).at_least(60.0))
            .column(Column::initial(50.0).at_least(30.0))
            .column(Column::remainder().at_least(60.0))
            .header(18.0, |mut h| {
                for t in [
                    "#",
                    "time",
                    "context",
                    "stream",
                    "v",
                    "event",
                    "correlation",
                    "payload",
                ] {
                    h.col(|ui| {
                        // One line, however narrow the column: the full name on hover.
                        ui.add(egui::Label::new(egui::RichText::new(t).strong()).truncate());
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, shown, |mut row| {
                    let i = positions.map_or(row.index(), |p| p[row.index()] as usize);
                    let r = &e.records()[i];
                    row.set_selected(i as u64 + 1 == cursor);
                    let stream = e.stream_name(r.stream);
                    let def = &e.program().events[r.event as usize];
                    let cells = [
                        (i + 1).to_string(),
                        clock(r.time, dated, true),
                        def.context.clone(),
                        stream,
                        r.version.to_string(),
                        def.name.clone(),
                        e.text(r.correlation).into_owned(),
                        payload_text(def, e.payload(r), "=", " "),
                    ];
                    if cells_ui(&mut row, cells) {
                        clicked = Some(i as u64 + 1);
                    }
                });
            });
        clicked
    }

    fn commands_ui(&mut self, ui: &mut Ui, e: &Engine, room: f32) -> Option<u64> {
        let dated = e.spans_days();
        let rejected = e.rejected();
        ui.strong(format!(
            "Command log ({} commands, {rejected} rejected)",
            e.commands().len()
        ));
        let mut clicked = None;
        TableBuilder::new(ui)
            .id_salt("sim-commands")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .min_scrolled_height(60.0)
            .max_scroll_height(room)
            .column(Column::initial(40.0).at_least(30.0))
            .column(Column::initial(90.0).at_least(60.0))
            .column(Column::initial(150.0).at_least(60.0))
            .column(Column::initial(90.0).at_least(40.0))
            .column(Column::remainder())
            .header(18.0, |mut h| {
                for t in ["#", "time", "command", "target", "outcome"] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(18.0, e.commands().len(), |mut row| {
                    let i = row.index();
                    let c = &e.commands()[i];
                    row.set_selected(self.command == Some(i));
                    let outcome = match &c.rejection {
                        Some(reason) => format!("✖ rejected: {reason}"),
                        None => format!("✔ {} event(s)", c.events().end - c.events().start),
                    };
                    let cells = [
                        (i + 1).to_string(),
                        clock(c.time, dated, true),
                        e.program().commands[c.command()].name.clone(),
                        c.target.to_string(),
                        outcome,
                    ];
                    if cells_ui(&mut row, cells) {
                        self.command = Some(i);
                        clicked = Some(e.cursor_of(c));
                    }
                });
            });
        if let Some(c) = self.command.and_then(|i| e.commands().get(i)) {
            command_detail_ui(ui, e, c);
        }
        clicked
    }
}

/// A row's cells as clickable text; true when the row was clicked.
fn cells_ui<const N: usize>(row: &mut egui_extras::TableRow<'_, '_>, cells: [String; N]) -> bool {
    let mut clicked = false;
    for c in cells {
        row.col(|ui| {
            clicked |= ui
                .add(egui::Label::new(c).truncate().sense(egui::Sense::click()))
                .clicked();
        });
    }
    clicked || row.response().clicked()
}

fn command_detail_ui(ui: &mut Ui, e: &Engine, c: &CommandRecord) {
    let def = &e.program().commands[c.command()];
    ui.separator();
    ui.strong(format!("{} ➡ {} {}", def.name, def.context, c.target));
    ui.label(format!("at {}", format_timestamp(c.time)));
    match &c.rejection {
        Some(reason) => {
            ui.colored_label(theme::tokens(ui).error, format!("Rejected: {reason}"));
        }
        None => {
            let names: Vec<&str> = (c.events().start..c.events().end)
                .filter_map(|p| e.records().get(p as usize))
                .map(|r| e.program().events[r.event as usize].name.as_str())
                .collect();
            ui.label(format!("Accepted: {}", names.join(", ")));
        }
    }
    let event = |p: u64| crate::app::simulation::state::event_name(e, p);
    let cause = match c.cause() {
        Cause::Scenario => "issued by the scenario".to_owned(),
        Cause::Given => "part of the given history".to_owned(),
        Cause::Event(p) => format!("issued on event #{} {}", p + 1, event(p)),
        // A policy's timer, or a saga's deadline.
        Cause::Deadline(p) if e.armed_a_timer(p) => format!(
            "issued when the timer set on event #{} {} fell due",
            p + 1,
            event(p)
        ),
        Cause::Deadline(p) => format!(
            "issued when the deadline set on event #{} {} expired",
            p + 1,
            event(p)
        ),
        Cause::Command(i) => match e.commands().get(i as usize) {
            Some(by) if by.rejection.is_some() => format!(
                "issued because command #{} {} was rejected",
                i + 1,
                e.program().commands[by.command()].name
            ),
            Some(by) => format!(
                "issued by command #{} {}",
                i + 1,
                e.program().commands[by.command()].name
            ),
            None => format!("issued by command #{}", i + 1),
        },
    };
    ui.weak(cause);
}
