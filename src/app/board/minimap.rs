//! The minimap: the whole board in small in a corner of the canvas, with the part in view
//! outlined; clicking or dragging in it brings that part of the board into view. Shown only
//! while part of the board is out of view.

use egui::{Id, Pos2, Rect, Sense, Stroke, StrokeKind, Ui, WidgetInfo, WidgetType, vec2};

use super::canvas::element_rect;
use crate::app::theme;
use crate::model::{Kind, Model};

/// The minimap's largest size on screen (points).
const SIZE: egui::Vec2 = vec2(200.0, 130.0);
/// Its distance from the canvas's corner.
const INSET: f32 = 10.0;

/// Draws the minimap of `model` (whose board bounds are `bounds`) in the lower right corner
/// of `canvas`, with `view` (the part of the board in view, board units) outlined. Returns
/// the board point the user clicked or dragged to, to bring into view.
pub fn show(
    ui: &mut Ui,
    painter: &egui::Painter,
    model: &Model,
    bounds: Rect,
    canvas: Rect,
    view: Rect,
) -> Option<Pos2> {
    if view.contains_rect(bounds) || bounds.width() <= 0.0 || bounds.height() <= 0.0 {
        return None;
    }
    let scale = (SIZE.x / bounds.width()).min(SIZE.y / bounds.height());
    let size = bounds.size() * scale;
    let rect = Rect::from_min_size(canvas.max - size - vec2(INSET, INSET), size);
    let to_map = |p: Pos2| rect.min + (p - bounds.min) * scale;
    let response = ui.interact(rect, Id::new("board minimap"), Sense::click_and_drag());
    response.widget_info(|| WidgetInfo::labeled(WidgetType::Other, true, "minimap"));
    let visuals = ui.visuals();
    painter.rect(
        rect.expand(3.0),
        4.0,
        visuals.window_fill,
        visuals.window_stroke,
        StrokeKind::Outside,
    );
    for e in model.elements() {
        let Some(r) = element_rect(model, e.loc) else {
            continue;
        };
        let r = Rect::from_min_max(to_map(r.min), to_map(r.max));
        if e.loc.kind == Kind::Context {
            painter.rect_stroke(
                r,
                1.0,
                visuals.widgets.noninteractive.bg_stroke,
                StrokeKind::Inside,
            );
        } else {
            painter.rect_filled(r, 0.0, theme::kind_color(e.loc.kind));
        }
    }
    let shown = Rect::from_min_max(to_map(view.min), to_map(view.max)).intersect(rect);
    painter.rect_stroke(
        shown,
        1.0,
        Stroke::new(1.5, theme::SELECTION),
        StrokeKind::Inside,
    );
    if response.clicked() || response.dragged() {
        let p = response.interact_pointer_pos()?;
        return Some(bounds.min + (p - rect.min) / scale);
    }
    None
}
