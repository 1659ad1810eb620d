//! A saga instance as a sequence diagram: one lane per bounded context or external system
//! (and one for the scenario), the commands and events of its correlation id in log order,
//! rejections, parked deliveries, status changes and compensations marked. Built from the
//! engine's logs and journal; clicking a row moves the cursor there.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

use crate::app::simulation::log::cursor_of;
use crate::app::simulation::state::subscriber_name;
use crate::app::theme;
use crate::model::expr::Value;
use crate::sim::engine::{Change, Engine};
use crate::sim::program::{SubscriberKind, Target};
use crate::sim::store::Cause;
use crate::sim::timeline::shown_from;

/// What a row of the diagram is.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A command sent from lane `from` to lane `to`.
    Command {
        /// Why it was rejected, if it was.
        rejection: Option<String>,
        /// Issued after the saga failed (a compensation or the failure command).
        compensating: bool,
    },
    /// An event appended in lane `to` (caused from lane `from`).
    Event {
        /// Subscribers that parked it, with their errors.
        parked: Vec<String>,
    },
    /// The saga instance got a status.
    Status,
}

/// One row: a message between lanes (or a status note).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Virtual time.
    pub time: i64,
    /// Sending lane.
    pub from: usize,
    /// Receiving lane.
    pub to: usize,
    /// The message's name (and key fields).
    pub label: String,
    /// What it is.
    pub step: Step,
    /// The cursor that shows this moment.
    pub cursor: u64,
}

/// The diagram of one saga instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// `Saga key`.
    pub title: String,
    /// Lane names; lane 0 is the scenario.
    pub lanes: Vec<String>,
    /// Rows in log order.
    pub rows: Vec<Row>,
    /// Whether the run spans several days (times show their date).
    pub dated: bool,
}

fn lane(lanes: &mut Vec<String>, name: String) -> usize {
    match lanes.iter().position(|l| *l == name) {
        Some(i) => i,
        None => {
            lanes.push(name);
            lanes.len() - 1
        }
    }
}

fn event_lane(e: &Engine, lanes: &mut Vec<String>, event: usize) -> usize {
    let def = &e.program().events[event];
    match def.owner {
        Some(Target::External(x)) => lane(lanes, e.program().externals[x].name.clone()),
        _ => lane(lanes, def.context.clone()),
    }
}

fn command_lane(e: &Engine, lanes: &mut Vec<String>, command: usize) -> usize {
    let def = &e.program().commands[command];
    match def.target {
        Target::External(x) => lane(lanes, e.program().externals[x].name.clone()),
        Target::Aggregate(_) => lane(lanes, def.context.clone()),
    }
}

/// The sequence of saga `saga`'s instance `key`: every command and event sharing the
/// correlation id of its start event. None if there is no such instance.
pub fn build(e: &Engine, saga: usize, key: &Value) -> Option<Sequence> {
    let inst = e.saga_instances().get(saga)?.get(key)?;
    let correlation = e.records().get(inst.start as usize)?.correlation;
    let name = subscriber_name(e, |k| matches!(k, SubscriberKind::Saga(x) if *x == saga));
    let mut lanes = vec!["Scenario".to_owned()];
    // (slot, minor, index): event p sits at slot 2p+1, a command just before its first event,
    // a command that appended nothing just after the event that caused it.
    let mut keyed: Vec<((u64, u8, usize), Row)> = Vec::new();
    let mut failed_at = None;
    for (i, (stamp, time, change)) in e.journal().iter().enumerate() {
        let (from, label, step) = match change {
            Change::Saga {
                saga: s,
                key: k,
                status,
            } if *s == saga && k == key => {
                if matches!(&**status, "Compensated" | "TimedOut") {
                    failed_at.get_or_insert(2 * stamp);
                }
                (0, format!("{name}: {status}"), Step::Status)
            }
            _ => continue,
        };
        let row = Row {
            time: *time,
            from,
            to: from,
            label,
            step,
            cursor: shown_from(e, *stamp, *time),
        };
        keyed.push(((2 * stamp, 1, i), row));
    }
    for (i, c) in e.commands().iter().enumerate() {
        if c.correlation != correlation {
            continue;
        }
        let slot = if !c.events().is_empty() {
            2 * c.events().start
        } else if let Cause::Event(p) = c.cause() {
            2 * p + 2
        } else {
            2 * e.records().partition_point(|r| r.time <= c.time) as u64
        };
        let from = match c.cause() {
            Cause::Event(p) | Cause::Deadline(p) => e
                .records()
                .get(p as usize)
                .map_or(0, |r| event_lane(e, &mut lanes, r.event as usize)),
            Cause::Command(j) => e
                .commands()
                .get(j as usize)
                .map_or(0, |d| command_lane(e, &mut lanes, d.command())),
            Cause::Scenario | Cause::Given => 0,
        };
        let to = command_lane(e, &mut lanes, c.command());
        keyed.push((
            (slot, 0, i),
            Row {
                time: c.time,
                from,
                to,
                label: format!("{} {}", e.program().commands[c.command()].name, c.target),
                step: Step::Command {
                    rejection: c.rejection.as_deref().map(str::to_owned),
                    compensating: failed_at.is_some_and(|f| slot >= f),
                },
                cursor: cursor_of(e, c),
            },
        ));
    }
    for (p, r) in e.records().iter().enumerate() {
        if r.correlation != correlation {
            continue;
        }
        let to = event_lane(e, &mut lanes, r.event as usize);
        let from = match r.causation {
            Cause::Event(q) | Cause::Deadline(q) => e
                .records()
                .get(q as usize)
                .map_or(to, |x| event_lane(e, &mut lanes, x.event as usize)),
            Cause::Command(j) => e
                .commands()
                .get(j as usize)
                .map_or(to, |d| command_lane(e, &mut lanes, d.command())),
            Cause::Scenario | Cause::Given => 0,
        };
        let parked = e
            .journal()
            .iter()
            .filter_map(|(_, _, c)| match c {
                Change::Parked(x) if x.position == p as u64 => Some(format!(
                    "{}: {}",
                    e.program().subscribers[x.subscriber].name,
                    x.error
                )),
                _ => None,
            })
            .collect();
        keyed.push((
            (2 * p as u64 + 1, 0, p),
            Row {
                time: r.time,
                from,
                to,
                label: e.program().events[r.event as usize].name.clone(),
                step: Step::Event { parked },
                cursor: p as u64 + 1,
            },
        ));
    }
    keyed.sort_by_key(|(k, _)| *k);
    Some(Sequence {
        title: format!("{name} {key}"),
        lanes,
        rows: keyed.into_iter().map(|(_, r)| r).collect(),
        dated: crate::app::simulation::state::spans_days(e),
    })
}

const LANE_W: f32 = 150.0;
const ROW_H: f32 = 24.0;
const TIME_W: f32 = 90.0;

/// The diagram's size, in points: every lane and row, with room for the last lane's labels.
pub fn size(seq: &Sequence) -> Vec2 {
    let time_w = if seq.dated { TIME_W + 40.0 } else { TIME_W };
    Vec2::new(
        time_w + LANE_W * seq.lanes.len() as f32 + 220.0,
        ROW_H * (seq.rows.len() as f32 + 1.5),
    )
}

/// Paints the diagram; returns the cursor of a clicked row. The row at `cursor` is marked.
pub fn ui(ui: &mut Ui, seq: &Sequence, cursor: u64) -> Option<u64> {
    let mut clicked = None;
    let visuals = ui.visuals().clone();
    let text = visuals.text_color();
    let weak = visuals.weak_text_color();
    let red = theme::tokens(ui).error;
    let orange = theme::tokens(ui).caution;
    let lilac = theme::tokens(ui).compensation;
    // Room on the right for the labels of the last lane.
    // Room for the date too when the run spans several days.
    let time_w = if seq.dated { TIME_W + 40.0 } else { TIME_W };
    let Vec2 {
        x: width,
        y: height,
    } = size(seq);
    egui::ScrollArea::both().show(ui, |ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
        let painter = ui.painter_at(rect);
        let x = |lane: usize| rect.left() + time_w + LANE_W * (lane as f32 + 0.5);
        let font = FontId::proportional(13.0);
        let small = FontId::proportional(11.0);
        for (i, name) in seq.lanes.iter().enumerate() {
            painter.text(
                Pos2::new(x(i), rect.top() + ROW_H * 0.5),
                Align2::CENTER_CENTER,
                name,
                FontId::proportional(14.0),
                text,
            );
            painter.line_segment(
                [
                    Pos2::new(x(i), rect.top() + ROW_H),
                    Pos2::new(x(i), rect.bottom()),
                ],
                Stroke::new(1.0, weak),
            );
        }
        for (n, row) in seq.rows.iter().enumerate() {
            let y = rect.top() + ROW_H * (n as f32 + 1.5);
            let band = Rect::from_min_size(
                Pos2::new(rect.left(), y - ROW_H / 2.0),
                Vec2::new(width, ROW_H),
            );
            let response = ui.interact(band, ui.id().with(("seq-row", n)), Sense::click());
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::WidgetType::Button, true, &row.label)
            });
            if row.cursor == cursor {
                painter.rect_filled(band, 2.0, visuals.selection.bg_fill.gamma_multiply(0.5));
            } else if response.hovered() {
                painter.rect_filled(band, 2.0, visuals.faint_bg_color);
            }
            if response.clicked() {
                clicked = Some(row.cursor);
            }
            painter.text(
                Pos2::new(rect.left() + 4.0, y),
                Align2::LEFT_CENTER,
                crate::app::simulation::state::clock(row.time, seq.dated, false),
                small.clone(),
                weak,
            );
            let (a, b) = (x(row.from), x(row.to));
            match &row.step {
                Step::Status => {
                    painter.text(
                        Pos2::new(rect.left() + time_w, y),
                        Align2::LEFT_CENTER,
                        format!("◊ {}", row.label),
                        font.clone(),
                        lilac,
                    );
                }
                Step::Command {
                    rejection,
                    compensating,
                } => {
                    let color = match (rejection, compensating) {
                        (Some(_), _) => red,
                        (None, true) => orange,
                        (None, false) => theme::tokens(ui).info,
                    };
                    arrow(&painter, a, b, y, color);
                    let mut label = row.label.clone();
                    if *compensating {
                        label = format!("↺ {label}");
                    }
                    if let Some(r) = rejection {
                        label = format!("{label} ✖ {r}");
                    }
                    painter.text(
                        Pos2::new(a.min(b) + 6.0, y - 7.0),
                        Align2::LEFT_CENTER,
                        label,
                        small.clone(),
                        color,
                    );
                }
                Step::Event { parked } => {
                    let color = theme::tokens(ui).warning;
                    if a != b {
                        arrow(&painter, a, b, y, color);
                    }
                    painter.circle_filled(Pos2::new(b, y), 5.0, color);
                    let mut label = row.label.clone();
                    if !parked.is_empty() {
                        label = format!("{label} — parked by {}", parked.join("; "));
                    }
                    painter.text(
                        Pos2::new(b + 8.0, y),
                        Align2::LEFT_CENTER,
                        label,
                        font.clone(),
                        if parked.is_empty() { text } else { red },
                    );
                }
            }
        }
    });
    clicked
}

/// A horizontal arrow at `y` from `a` to `b` (a small loop when they are one lane).
fn arrow(painter: &egui::Painter, a: f32, b: f32, y: f32, color: Color32) {
    let stroke = Stroke::new(1.5, color);
    if (a - b).abs() < 1.0 {
        painter.line_segment(
            [Pos2::new(a, y - 5.0), Pos2::new(a + 14.0, y - 5.0)],
            stroke,
        );
        painter.line_segment(
            [Pos2::new(a + 14.0, y - 5.0), Pos2::new(a + 14.0, y + 4.0)],
            stroke,
        );
        painter.line_segment(
            [Pos2::new(a + 14.0, y + 4.0), Pos2::new(a + 2.0, y + 4.0)],
            stroke,
        );
        return;
    }
    painter.line_segment([Pos2::new(a, y), Pos2::new(b, y)], stroke);
    let dir = if b > a { -1.0 } else { 1.0 };
    painter.line_segment([Pos2::new(b, y), Pos2::new(b + 7.0 * dir, y - 4.0)], stroke);
    painter.line_segment([Pos2::new(b, y), Pos2::new(b + 7.0 * dir, y + 4.0)], stroke);
}
