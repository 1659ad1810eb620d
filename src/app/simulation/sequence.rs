//! A saga instance drawn as a sequence diagram (built by [`crate::sim::sequence`]): one lane
//! per bounded context or external system (and one for the scenario), the commands and events
//! of its correlation id in log order, rejections, parked deliveries, status changes and
//! compensations marked; clicking a row moves the cursor there.

use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Stroke, Ui, Vec2};

use crate::app::theme;
pub use crate::sim::sequence::{Sequence, Step, of_saga as build};

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
