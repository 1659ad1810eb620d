//! Charts of a run (egui_plot), over virtual time: events per minute by type (stacked bars),
//! each subscriber's delivery delay (how far behind the log it ran), and the dead-letter
//! queue's size. A vertical line marks the cursor; clicking or dragging on a chart moves the
//! cursor to that moment. The series are computed once per run, not per frame.

use egui::{Color32, Ui};
use egui_plot::{Bar, BarChart, HoverPosition, Line, Plot, PlotPoints, Points, VLine};

use crate::app::theme;
use crate::sim::engine::{Change, Engine};

/// At most this many event types get their own colour; the rest are summed as "other".
const TYPES_SHOWN: usize = 8;
/// At most about this many bars across the run (buckets widen beyond it).
const BARS: i64 = 240;

/// The charts' series, computed from a finished run.
pub struct ChartData {
    /// (log length, journal length) of the run they were computed from.
    key: (usize, usize),
    /// Bucket width, minutes.
    bucket_min: i64,
    /// The middle of each bucket, minutes since the epoch.
    bar_x: Vec<f64>,
    /// Per shown type (and "other"): its name and its count in every bucket.
    per_type: Vec<(String, Vec<f64>)>,
    /// Per subscriber that ever waited a second or more: its name and (minute, longest delay
    /// in seconds).
    delays: Vec<(String, Vec<[f64; 2]>)>,
    /// The dead-letter queue's size as a step line (minute, size).
    dlq: Vec<[f64; 2]>,
    /// The run's first and last moments, minutes since the epoch.
    first_minute: f64,
    last_minute: f64,
}

/// Minutes since the epoch of a virtual time in ms.
fn minutes(ms: i64) -> f64 {
    ms as f64 / 60_000.0
}

impl ChartData {
    /// The series of `e`'s run.
    pub fn new(e: &Engine) -> Self {
        let records = &e.records();
        let (first, last) = match (records.first(), records.last()) {
            (Some(a), Some(b)) => (a.time, b.time.max(e.now())),
            _ => (e.now(), e.now()),
        };
        let span_min = (last - first) / 60_000 + 1;
        let bucket_min = (span_min + BARS - 1) / BARS;
        let bucket_ms = bucket_min.max(1) * 60_000;
        let start = first - first.rem_euclid(bucket_ms);
        let buckets = ((last - start) / bucket_ms + 1) as usize;
        // Counts per event type and bucket, then the busiest types on their own.
        let mut counts = vec![vec![0u32; buckets]; e.program().events.len()];
        for r in records.iter() {
            let b = ((r.time - start) / bucket_ms) as usize;
            if let Some(c) = counts
                .get_mut(r.event as usize)
                .and_then(|row| row.get_mut(b))
            {
                *c += 1;
            }
        }
        let mut order: Vec<(u64, usize)> = counts
            .iter()
            .enumerate()
            .map(|(i, row)| (row.iter().map(|&c| u64::from(c)).sum(), i))
            .filter(|(total, _)| *total > 0)
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let bar_x = (0..buckets)
            .map(|b| minutes(start + b as i64 * bucket_ms + bucket_ms / 2))
            .collect();
        let series = |row: &[u32]| -> Vec<f64> { row.iter().map(|c| f64::from(*c)).collect() };
        let mut per_type: Vec<(String, Vec<f64>)> = order
            .iter()
            .take(TYPES_SHOWN)
            .map(|&(_, i)| (e.program().events[i].name.clone(), series(&counts[i])))
            .collect();
        if order.len() > TYPES_SHOWN {
            let mut other = vec![0u32; buckets];
            for &(_, i) in &order[TYPES_SHOWN..] {
                for (o, c) in other.iter_mut().zip(&counts[i]) {
                    *o += c;
                }
            }
            per_type.push(("other".to_owned(), series(&other)));
        }
        let delays = e
            .program()
            .subscribers
            .iter()
            .enumerate()
            .filter(|(i, _)| e.delays(*i).iter().any(|d| d.max_ms >= 1000))
            .map(|(i, s)| {
                let points = e
                    .delays(i)
                    .iter()
                    .map(|d| [minutes(d.minute), d.max_ms as f64 / 1000.0])
                    .collect();
                (s.name.clone(), points)
            })
            .collect();
        Self {
            key: key(e),
            bucket_min: bucket_min.max(1),
            bar_x,
            per_type,
            delays,
            dlq: dlq_steps(e, first, last),
            first_minute: minutes(first),
            last_minute: minutes(last),
        }
    }

    /// Whether these series were computed from `e` as it is now.
    pub fn is_of(&self, e: &Engine) -> bool {
        self.key == key(e)
    }
}

fn key(e: &Engine) -> (usize, usize) {
    (e.records().len(), e.journal().len())
}

/// The dead-letter queue's size over time, from the journal, as a staircase.
fn dlq_steps(e: &Engine, first: i64, last: i64) -> Vec<[f64; 2]> {
    let mut parked: Vec<(usize, u64)> = Vec::new();
    let mut points = vec![[minutes(first), 0.0]];
    for (_, time, change) in e.journal() {
        let before = parked.len();
        match change {
            Change::Parked(p) => parked.push((p.subscriber, p.position)),
            Change::Redriven {
                subscriber,
                position,
            } => parked.retain(|&(s, p)| !(s == *subscriber && position.is_none_or(|q| q == p))),
            Change::Saga { .. } => continue,
        }
        let x = minutes(*time);
        points.push([x, before as f64]);
        points.push([x, parked.len() as f64]);
    }
    points.push([minutes(last.max(first)), parked.len() as f64]);
    points
}

/// `HH:MM` of a minute since the epoch.
fn clock(minute: f64) -> String {
    let m = (minute.floor() as i64).rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The three charts; returns the cursor the user chose by clicking or dragging on one.
pub fn ui(ui: &mut Ui, e: &Engine, data: &ChartData, cursor: u64) -> Option<u64> {
    let records = &e.records();
    let cursor_minute = match cursor.checked_sub(1) {
        Some(i) => records
            .get(i as usize)
            .map_or(data.first_minute, |r| minutes(r.time)),
        None => data.first_minute,
    };
    let height = 150.0;
    let strong = ui.visuals().strong_text_color();
    let cursor_line = || VLine::new("", cursor_minute).color(strong).width(1.5);
    let plot = |id: &str| {
        Plot::new(id)
            .height(height)
            .include_x(data.first_minute)
            .include_x(data.last_minute + 1.0)
            .link_cursor("sim-charts", [true, false])
            .allow_drag(false)
            .allow_boxed_zoom(false)
            .include_y(0.0)
            .x_axis_formatter(|mark, _| clock(mark.value))
            .label_formatter(|hover: &HoverPosition<'_>| {
                Some(match hover {
                    HoverPosition::NearDataPoint {
                        plot_name,
                        position,
                        ..
                    } => format!("{plot_name}\n{} · {:.1}", clock(position.x), position.y),
                    HoverPosition::Elsewhere { position } => clock(position.x),
                })
            })
    };
    let mut chosen = None;
    let mut pick = |response: &egui::Response, x: Option<f64>| {
        if (response.clicked() || response.dragged())
            && let Some(x) = x
        {
            let ms = (x * 60_000.0).round() as i64;
            chosen = Some(records.partition_point(|r| r.time <= ms) as u64);
        }
    };
    let per = if data.bucket_min == 1 {
        "minute".to_owned()
    } else {
        format!("{} minutes", data.bucket_min)
    };
    ui.strong(format!("Events per virtual {per}, by type"));
    legend(ui, data.per_type.iter().map(|(name, _)| name.as_str()));
    let width = data.bucket_min as f64 * 0.8;
    let r = plot("sim-chart-events").show(ui, |p| {
        let mut charts: Vec<BarChart> = Vec::new();
        for (i, (name, counts)) in data.per_type.iter().enumerate() {
            // Every chart has a bar in every bucket (zeros too): stacking goes by index.
            let bars = data
                .bar_x
                .iter()
                .zip(counts)
                .map(|(&x, &y)| Bar::new(x, y).width(width))
                .collect();
            let chart = BarChart::new(name.clone(), bars)
                .color(palette(i))
                .stack_on(&charts.iter().collect::<Vec<_>>());
            charts.push(chart);
        }
        for chart in charts {
            p.bar_chart(chart);
        }
        p.vline(cursor_line());
        p.pointer_coordinate().map(|c| c.x)
    });
    pick(&r.response, r.inner);
    ui.strong("Delivery delay per subscriber (longest in each minute, seconds)");
    if data.delays.is_empty() {
        ui.weak("Every subscriber handled every event within a second of its append.");
    } else {
        legend(ui, data.delays.iter().map(|(name, _)| name.as_str()));
    }
    let r = plot("sim-chart-delay").show(ui, |p| {
        for (i, (name, points)) in data.delays.iter().enumerate() {
            p.line(Line::new(name.clone(), PlotPoints::new(points.clone())).color(palette(i)));
            p.points(
                Points::new(name.clone(), PlotPoints::new(points.clone()))
                    .color(palette(i))
                    .radius(2.5),
            );
        }
        p.vline(cursor_line());
        p.pointer_coordinate().map(|c| c.x)
    });
    pick(&r.response, r.inner);
    ui.strong("Dead-letter queue size");
    let parked = theme::tokens(ui).warning;
    let r = plot("sim-chart-dlq").show(ui, |p| {
        p.line(
            Line::new("parked", PlotPoints::new(data.dlq.clone()))
                .color(parked)
                .fill(0.0),
        );
        p.vline(cursor_line());
        p.pointer_coordinate().map(|c| c.x)
    });
    pick(&r.response, r.inner);
    chosen
}

/// The series' names in their colours, above a chart (a legend inside would hide data).
fn legend<'a>(ui: &mut Ui, names: impl Iterator<Item = &'a str>) {
    ui.horizontal_wrapped(|ui| {
        for (i, name) in names.enumerate() {
            ui.colored_label(palette(i), format!("■ {name}"));
        }
    });
}

/// Distinct series colours, readable on light and dark themes.
fn palette(i: usize) -> Color32 {
    theme::SERIES[i % theme::SERIES.len()]
}
