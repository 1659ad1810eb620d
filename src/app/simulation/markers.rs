//! The timeline strip under the cursor controls: the whole log as a bar with markers where
//! commands were rejected, messages parked, parked messages redriven, sagas compensated or
//! timed out (a deadline fired first), and the cursor. Click or drag on it to move the cursor;
//! hover a marker to read what happened there.

use egui::{Color32, Rect, Sense, Stroke, Ui, pos2, vec2};

use crate::app::simulation::state::subscriber_name;
use crate::app::theme;
use crate::sim::engine::{Change, Engine};
use crate::sim::program::SubscriberKind;
use crate::sim::store::Cause;
use crate::sim::timeline::shown_from;

/// What a marker marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MarkerKind {
    /// A command was rejected.
    Rejection,
    /// A message was parked in the dead-letter queue.
    Parking,
    /// Parked messages were redriven.
    Redrive,
    /// A saga ran its compensation.
    Compensation,
    /// A saga's deadline fired before it ended.
    Timeout,
}

impl MarkerKind {
    /// The kinds, in legend order.
    pub const ALL: [MarkerKind; 5] = [
        MarkerKind::Rejection,
        MarkerKind::Parking,
        MarkerKind::Redrive,
        MarkerKind::Compensation,
        MarkerKind::Timeout,
    ];

    /// Its colour on the strip.
    pub fn color(self, t: &theme::Tokens) -> Color32 {
        match self {
            MarkerKind::Rejection => t.error,
            MarkerKind::Parking => t.warning,
            MarkerKind::Redrive => t.ok,
            MarkerKind::Compensation => t.compensation,
            MarkerKind::Timeout => t.info,
        }
    }

    /// Its name in the legend.
    pub fn label(self) -> &'static str {
        match self {
            MarkerKind::Rejection => "rejected",
            MarkerKind::Parking => "parked",
            MarkerKind::Redrive => "redriven",
            MarkerKind::Compensation => "compensated",
            MarkerKind::Timeout => "timed out",
        }
    }
}

/// One marker: the cursor position at which it can be seen, and where its story is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The cursor (records applied) at which it has happened.
    pub position: u64,
    /// What happened.
    pub kind: MarkerKind,
    /// The command index (rejections) or journal index (the others).
    source: usize,
}

/// The markers of a run, sorted by position.
pub fn markers(e: &Engine) -> Vec<Marker> {
    let mut out: Vec<Marker> = e
        .commands()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.rejection.is_some())
        .map(|(i, c)| Marker {
            position: e.cursor_of(c),
            kind: MarkerKind::Rejection,
            source: i,
        })
        .collect();
    for (i, (stamp, time, change)) in e.journal().iter().enumerate() {
        let kind = match change {
            Change::Parked(_) => MarkerKind::Parking,
            Change::Redriven { .. } => MarkerKind::Redrive,
            Change::Saga { status, .. } if &**status == "Compensated" => MarkerKind::Compensation,
            Change::Saga { status, .. } if &**status == "TimedOut" => MarkerKind::Timeout,
            Change::Saga { .. } => continue,
        };
        out.push(Marker {
            position: shown_from(e, *stamp, *time),
            kind,
            source: i,
        });
    }
    out.sort_by_key(|m| (m.position, m.kind, m.source));
    out
}

/// The markers that happened at cursor `position` (the record just applied), in order.
pub fn at(markers: &[Marker], position: u64) -> &[Marker] {
    let start = markers.partition_point(|m| m.position < position);
    let end = markers.partition_point(|m| m.position <= position);
    &markers[start..end]
}

/// The sticky a marker is about: the rejected command, the subscriber that parked a message
/// or had it redriven, the saga compensated or timed out.
pub fn element(e: &Engine, m: &Marker) -> Option<crate::model::Loc> {
    let program = e.program();
    if m.kind == MarkerKind::Rejection {
        let c = e.commands().get(m.source)?;
        return program.commands.get(c.command()).map(|d| d.id);
    }
    let sub = |i: usize| program.subscribers.get(i).map(|s| s.id);
    match &e.journal().get(m.source)?.2 {
        Change::Parked(p) => sub(p.subscriber),
        Change::Redriven { subscriber, .. } => sub(*subscriber),
        Change::Saga { saga, .. } => program
            .subscribers
            .iter()
            .find(|s| matches!(s.kind, SubscriberKind::Saga(x) if x == *saga))
            .map(|s| s.id),
    }
}

/// What a marker marks, in a sentence.
pub fn describe(e: &Engine, m: &Marker) -> String {
    let program = &e.program();
    if m.kind == MarkerKind::Rejection {
        return e.commands().get(m.source).map_or_else(String::new, |c| {
            format!(
                "✖ {} {} rejected: {}",
                program.commands[c.command()].name,
                c.target,
                c.rejection.as_deref().unwrap_or("")
            )
        });
    }
    let Some((_, _, change)) = e.journal().get(m.source) else {
        return String::new();
    };
    let sub = |i: usize| program.subscribers.get(i).map_or("?", |s| s.name.as_str());
    match change {
        Change::Parked(p) => {
            let event = e
                .records()
                .get(p.position as usize)
                .map_or("?", |r| program.events[r.event as usize].name.as_str());
            format!(
                "⚠ {event} #{} parked for {} after {} attempt(s): {}",
                p.position,
                sub(p.subscriber),
                p.attempts,
                p.error
            )
        }
        Change::Redriven {
            subscriber,
            position,
        } => match position {
            Some(p) => format!("⟲ event #{p} redriven to {}", sub(*subscriber)),
            None => format!("⟲ every parked message of {} redriven", sub(*subscriber)),
        },
        Change::Saga { saga, key, status } => {
            let name = subscriber_name(e, |k| matches!(k, SubscriberKind::Saga(x) if x == saga));
            format!("◊ {name} {key}: {status}")
        }
    }
}

/// The strip with the markers and the cursor; returns the cursor the user chose by clicking
/// or dragging on it.
pub fn strip_ui(ui: &mut Ui, e: &Engine, markers: &[Marker], cursor: u64) -> Option<u64> {
    let len = e.records().len() as u64;
    let height = 20.0;
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click_and_drag());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::WidgetType::Slider,
            true,
            format!(
                "Timeline: {} marker(s), cursor {cursor} of {len}",
                markers.len()
            ),
        )
    });
    let x_of = |p: u64| {
        let t = if len == 0 { 0.0 } else { p as f32 / len as f32 };
        rect.left() + t * rect.width()
    };
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 3.0, visuals.extreme_bg_color);
    // One column per pixel: at most one tick per kind and pixel, however many markers.
    // One lane per kind present in this run, so a run with few kinds gets thick ticks.
    let kinds: Vec<MarkerKind> = MarkerKind::ALL
        .into_iter()
        .filter(|k| markers.iter().any(|m| m.kind == *k))
        .collect();
    let row = (height - 4.0) / kinds.len().max(1) as f32;
    // Wider ticks on short logs, so a marker under the cursor still shows on both sides.
    let half = (rect.width() / len.max(1) as f32 * 0.3).clamp(1.0, 4.0);
    let mut last: Option<(i32, MarkerKind)> = None;
    for m in markers {
        let x = x_of(m.position);
        let column = (x.round() as i32, m.kind);
        if last == Some(column) {
            continue;
        }
        last = Some(column);
        let lane = kinds.iter().position(|k| *k == m.kind).unwrap_or(0) as f32;
        let top = rect.top() + 2.0 + lane * row;
        painter.rect_filled(
            Rect::from_min_max(pos2(x - half, top), pos2(x + half, top + row)),
            0.0,
            m.kind.color(theme::tokens(ui)),
        );
    }
    let cx = x_of(cursor);
    painter.line_segment(
        [pos2(cx, rect.top()), pos2(cx, rect.bottom())],
        Stroke::new(2.0, visuals.strong_text_color()),
    );
    let position_at = |x: f32| -> u64 {
        let t = ((x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
        (f64::from(t) * len as f64).round() as u64
    };
    if let Some(pointer) = response.hover_pos() {
        // The marker nearest the pointer, within a few pixels.
        let near = markers
            .iter()
            .map(|m| ((x_of(m.position) - pointer.x).abs(), m))
            .filter(|(d, _)| *d <= 4.0)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        let text = match near {
            Some((_, m)) => format!("at cursor {}: {}", m.position, describe(e, m)),
            None => format!(
                "cursor {} — click or drag to move there",
                position_at(pointer.x)
            ),
        };
        response.clone().on_hover_text_at_pointer(text);
    }
    if response.clicked() || response.dragged() {
        let pointer = response.interact_pointer_pos()?;
        // A click next to a marker lands on it.
        let snapped = markers
            .iter()
            .map(|m| ((x_of(m.position) - pointer.x).abs(), m.position))
            .filter(|(d, _)| *d <= 4.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, p)| p);
        return Some(snapped.unwrap_or_else(|| position_at(pointer.x)));
    }
    None
}

/// The legend: each kind with its count, its colour, and buttons to jump to its previous and
/// next marker. Returns the chosen cursor.
pub fn legend_ui(ui: &mut Ui, markers: &[Marker], cursor: u64) -> Option<u64> {
    let mut chosen = None;
    ui.horizontal_wrapped(|ui| {
        for kind in MarkerKind::ALL {
            let of_kind = markers.iter().filter(|m| m.kind == kind);
            let count = of_kind.clone().count();
            if count == 0 {
                continue;
            }
            ui.colored_label(kind.color(theme::tokens(ui)), "■");
            ui.label(format!("{count} {}", kind.label()));
            let before = of_kind.clone().rev().find(|m| m.position < cursor);
            let after = of_kind.clone().find(|m| m.position > cursor);
            for (text, label, target) in [("⬅", "Previous", before), ("➡", "Next", after)] {
                let what = format!("{label} {}", kind.label());
                let r = ui
                    .add_enabled(target.is_some(), egui::Button::new(text).small())
                    .on_hover_text(&what);
                r.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::WidgetType::Button, target.is_some(), &what)
                });
                if r.clicked() {
                    chosen = target.map(|m| m.position);
                }
            }
            ui.add_space(8.0);
        }
    });
    chosen
}

/// When the record at `position` was appended by a saga's compensation (or its failure
/// command), that in a sentence: which command ran and what it answers — the rejected command
/// and its reason, or the deadline that expired.
pub fn compensation(e: &Engine, position: u64) -> Option<String> {
    let program = e.program();
    let record = e.records().get(position as usize)?;
    let Cause::Command(c) = record.causation else {
        return None;
    };
    let command = e.commands().get(c as usize)?;
    let role = |sagas: &[crate::sim::program::SagaDef]| {
        sagas.iter().find_map(|s| {
            if s.steps
                .iter()
                .filter_map(|st| st.compensate.as_ref())
                .any(|i| i.command == command.command())
            {
                Some("compensation")
            } else if s
                .on_failure
                .as_ref()
                .is_some_and(|i| i.command == command.command())
            {
                Some("on failure")
            } else {
                None
            }
        })
    };
    let because = match command.cause() {
        Cause::Command(r) => {
            let failed = e.commands().get(r as usize)?;
            format!(
                "{} {} was rejected: {}",
                program.commands[failed.command()].name,
                failed.target,
                failed.rejection.as_deref()?
            )
        }
        Cause::Deadline(armed) => format!(
            "the deadline set on #{} {} expired",
            armed + 1,
            e.records()
                .get(armed as usize)
                .map_or("?", |r| program.events[r.event as usize].name.as_str())
        ),
        _ => return None,
    };
    let role = role(&program.sagas)?;
    Some(format!(
        "↺ {role} {} {}, because {because}",
        program.commands[command.command()].name,
        command.target
    ))
}
