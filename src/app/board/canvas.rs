//! The board canvas: context frames, stickies and arrows, with pan, zoom, selection, moving,
//! linking and renaming in place.
//!
//! The board keeps its own board→screen transform instead of using `egui::Scene`: text is laid
//! out at the zoomed size, so it stays crisp at any zoom, and stickies outside the view are
//! culled, which keeps a 1,000-sticky board within the frame budget. Each sticky is still an
//! egui widget with an AccessKit label (`event ServiceBooked`), so it can be clicked in tests.

use std::collections::{BTreeMap, BTreeSet};

use egui::{
    Align2, Color32, CornerRadius, FontId, Id, Key, Pos2, Rect, Response, Sense, Shape, Stroke,
    StrokeKind, Ui, Vec2, WidgetInfo, WidgetType, pos2, vec2,
};

use crate::app::board::arrows::Arrows;
use crate::app::board::snap;
use crate::app::board::sticky::{self, Look};
use crate::app::document::edit::Edit;
use crate::app::document::gesture::Gesture;
use crate::app::theme::{self, sticky_size};
use crate::model::{Kind, Loc, Model, Pos, Uid};

/// Height of a context frame's title strip, in board units.
const FRAME_HEADER: f32 = 30.0;

/// The set of selected elements, by identity (a selection survives edits to other elements).
pub type Selection = BTreeSet<Uid>;

/// What is drawn over the model: lit stickies (search hits, the simulation cursor) and short
/// badges under stickies (an aggregate's lifecycle state, a read model's row count).
#[derive(Debug, Default)]
pub struct Overlay {
    /// Stickies drawn with a glow.
    pub lit: BTreeSet<Loc>,
    /// Stickies where something failed at the simulation cursor, drawn with a red glow.
    pub failed: BTreeSet<Loc>,
    /// A line of text under each of these stickies.
    pub badges: BTreeMap<Loc, String>,
    /// The arrows taken at the simulation cursor, drawn over the others.
    pub path: crate::app::simulation::path::Path,
    /// The other people at a shared board: their selection outlined and their pointer, in
    /// their colour.
    pub peers: Vec<PeerMark>,
}

/// Where another person at a shared board is.
#[derive(Clone, Debug, PartialEq)]
pub struct PeerMark {
    /// Their name.
    pub name: String,
    /// Their colour.
    pub color: Color32,
    /// Their pointer on the board (board units), when it is over the board.
    pub pointer: Option<Pos2>,
    /// What they have selected.
    pub selection: Vec<Uid>,
    /// The sticky they are editing (renaming it, or typing in its inspector).
    pub editing: Option<Uid>,
}

/// What a pointer drag on the board is doing.
#[derive(Clone, Debug)]
enum Drag {
    /// Moving the selection; `last` is the pointer in board units at the previous frame.
    Move { gesture: u64, last: Pos2 },
    /// Rubber-band selection from `start` (board units).
    Band { start: Pos2, additive: bool },
    /// Drawing a link from a sticky.
    Link { from: Uid },
    /// Resizing a context frame.
    Resize { context: Uid, gesture: u64 },
}

/// What the board reports back besides edits.
#[derive(Debug, Default)]
pub struct BoardOutput {
    /// A message for the status bar.
    pub message: Option<String>,
}

/// The board's view state: pan, zoom and the gesture in progress.
#[derive(Debug)]
pub struct Board {
    /// Screen offset of the board origin from the canvas's top-left corner, in points.
    pub offset: Vec2,
    /// Points per board unit.
    pub zoom: f32,
    drag: Option<Drag>,
    renaming: Option<(Uid, String, bool)>,
    fit_pending: bool,
    /// The window size, canvas size and frame the view was last fitted at, while the user
    /// has not zoomed or panned since (see `ui`: when the board is fitted again).
    fitted_to: Option<(Vec2, Vec2, u64)>,
    /// While set, the next click on a sticky links the selection's first element to it.
    pub linking_from: Option<Uid>,
    /// Where to centre the view on the next frame (board units).
    center_on: Option<Pos2>,
    canvas: Rect,
    /// The flow links drawn as arrows, kept until the model changes.
    pub arrows: Arrows,
    /// The arrow picked by a click (from, to); Delete unlinks it.
    pub picked_arrow: Option<(Loc, Loc)>,
    /// The lines a dragged selection lines up on.
    guides: Vec<snap::Guide>,
    /// The pointer over the board (board units), for the others at a shared board.
    pub pointer: Option<Pos2>,
}

impl Default for Board {
    fn default() -> Self {
        Self {
            offset: Vec2::ZERO,
            zoom: 1.0,
            drag: None,
            renaming: None,
            fit_pending: true,
            fitted_to: None,
            linking_from: None,
            center_on: None,
            canvas: Rect::NOTHING,
            arrows: Arrows::default(),
            picked_arrow: None,
            guides: Vec::new(),
            pointer: None,
        }
    }
}

/// The board rectangle of the element with id `uid`, if it is on the board.
pub fn rect_of(model: &Model, uid: Uid) -> Option<Rect> {
    element_rect(model, model.locate(uid)?)
}

/// The board rectangle of a sticky (or a context's frame).
pub fn element_rect(model: &Model, id: Loc) -> Option<Rect> {
    if id.kind == Kind::Context {
        let f = model.contexts.get(id.index)?.frame;
        return Some(Rect::from_min_size(pos2(f.x, f.y), vec2(f.w, f.h)));
    }
    let p = model.pos_of(id)?;
    Some(Rect::from_min_size(pos2(p.x, p.y), sticky_size(id.kind)))
}

/// The bounding box of everything on the board.
fn board_bounds(model: &Model) -> Option<Rect> {
    model
        .elements()
        .iter()
        .filter_map(|e| element_rect(model, e.loc))
        .reduce(|a, b| a.union(b))
}

impl Board {
    /// Zoom limits.
    pub const ZOOM_RANGE: (f32, f32) = (0.1, 4.0);

    /// Asks for the whole board to be fitted into view on the next frame.
    pub fn fit(&mut self) {
        self.fit_pending = true;
    }

    /// Asks for the view to be centred on `id` on the next frame.
    pub fn center_on(&mut self, model: &Model, id: Uid) {
        if let Some(r) = rect_of(model, id) {
            self.center_on = Some(r.center());
        }
    }

    /// Zooms by `factor` around the canvas centre.
    pub fn zoom_by(&mut self, factor: f32) {
        let c = self.canvas.center();
        if c.is_finite() {
            self.zoom_at(factor, c);
        } else {
            self.zoom = (self.zoom * factor).clamp(Self::ZOOM_RANGE.0, Self::ZOOM_RANGE.1);
            self.fitted_to = None;
        }
    }

    /// Resets the zoom to 100% around the canvas centre.
    pub fn zoom_reset(&mut self) {
        self.zoom_by(1.0 / self.zoom);
    }

    /// The board point at the centre of the view, as of the last frame.
    pub fn view_center(&self) -> Option<Pos2> {
        let c = self.canvas.center();
        c.is_finite().then(|| self.to_board(c))
    }

    /// Shows the board at `zoom`, centred on the board point `center` (following a
    /// colleague's view).
    pub fn look_at(&mut self, center: Pos2, zoom: f32) {
        self.zoom = zoom.clamp(Self::ZOOM_RANGE.0, Self::ZOOM_RANGE.1);
        self.fitted_to = None;
        self.center_on = Some(center);
    }

    /// Starts renaming `id` in place.
    pub fn start_rename(&mut self, model: &Model, id: Uid) {
        if let Some(name) = model.locate(id).and_then(|l| model.name_of(l)) {
            self.renaming = Some((id, name.to_owned(), true));
        }
    }

    /// The board's area on screen (points), as of the last frame.
    pub fn canvas(&self) -> Rect {
        self.canvas
    }

    /// True while a rename text box is open.
    pub fn is_renaming(&self) -> bool {
        self.renaming.is_some()
    }

    /// The sticky being renamed in place, if one is.
    pub fn renaming(&self) -> Option<Uid> {
        self.renaming.as_ref().map(|r| r.0)
    }

    fn zoom_at(&mut self, factor: f32, screen: Pos2) {
        let new_zoom = (self.zoom * factor).clamp(Self::ZOOM_RANGE.0, Self::ZOOM_RANGE.1);
        let board = self.to_board(screen);
        self.zoom = new_zoom;
        self.fitted_to = None;
        // Keep `board` under `screen`.
        self.offset = screen - self.canvas.min - board.to_vec2() * self.zoom;
    }

    /// Where the board point `p` is on the screen.
    pub fn to_screen(&self, p: Pos2) -> Pos2 {
        self.canvas.min + self.offset + p.to_vec2() * self.zoom
    }

    fn to_board(&self, p: Pos2) -> Pos2 {
        ((p - self.canvas.min - self.offset) / self.zoom).to_pos2()
    }

    fn rect_to_screen(&self, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(r.min), self.to_screen(r.max))
    }

    fn fit_now(&mut self, model: &Model) {
        let Some(bounds) = board_bounds(model) else {
            self.zoom = 1.0;
            self.offset = vec2(40.0, 40.0);
            return;
        };
        let bounds = bounds.expand(40.0);
        let avail = self.canvas.size();
        let zoom = (avail.x / bounds.width())
            .min(avail.y / bounds.height())
            .clamp(Self::ZOOM_RANGE.0, 1.5);
        self.zoom = zoom;
        self.offset = (avail - bounds.size() * zoom) / 2.0 - bounds.min.to_vec2() * zoom;
    }

    /// Shows the board, with the arrows of the last [`Arrows::update`]; `overlay`'s lit
    /// elements are drawn with a glow (search hits, the simulation cursor). Edits go to
    /// `edits`.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        model: &Model,
        selection: &mut Selection,
        create_kind: Kind,
        overlay: &Overlay,
        edits: &mut Vec<Edit>,
    ) -> BoardOutput {
        let mut out = BoardOutput::default();
        let (canvas, bg) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        bg.widget_info(|| WidgetInfo::labeled(WidgetType::Other, true, "board"));
        self.canvas = canvas;
        let window = ui.ctx().content_rect().size();
        let pass = ui.ctx().cumulative_pass_nr();
        // Until the user zooms or pans, the board stays fitted: when the window changes
        // size, when the panels settle in the frame after the fit (the first frame lays them
        // out at their default sizes), and when a panel opens or closes beside it (the
        // Simulation tab); not for a few points of a panel's content growing.
        if let Some((w, c, at)) = self.fitted_to {
            let change = (c - canvas.size()).abs();
            if w != window || c != canvas.size() && (pass <= at + 1 || change.max_elem() > 100.0) {
                self.fit_pending = true;
            }
        }
        if self.fit_pending && canvas.width() > 10.0 {
            self.fit_now(model);
            self.fit_pending = false;
            self.fitted_to = Some((window, canvas.size(), pass));
        }
        if let Some(c) = self.center_on.take() {
            self.fitted_to = None;
            self.offset = canvas.size() / 2.0 - c.to_vec2() * self.zoom;
        }
        let mut painter = ui.painter_at(canvas);
        let visuals = ui.visuals().clone();
        painter.rect_filled(canvas, 0.0, visuals.extreme_bg_color);
        self.grid(&painter, &visuals);

        // Pan and zoom from wheel / trackpad / pinch while the pointer is over the board, and
        // not over a window or popup above it (those scroll themselves).
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let on_top = |p: Pos2| ui.ctx().layer_id_at(p).is_none_or(|l| l == ui.layer_id());
        if let Some(p) = pointer.filter(|p| canvas.contains(*p) && on_top(*p)) {
            let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta()));
            if zoom != 1.0 {
                self.zoom_at(zoom, p);
            }
            if scroll != Vec2::ZERO {
                self.offset += scroll;
                self.fitted_to = None;
            }
        }
        let space_held =
            ui.input(|i| i.key_down(Key::Space)) && !ui.ctx().egui_wants_keyboard_input();
        if bg.dragged_by(egui::PointerButton::Middle)
            || bg.dragged_by(egui::PointerButton::Secondary)
            || (space_held && bg.dragged_by(egui::PointerButton::Primary))
        {
            self.offset += bg.drag_delta();
            self.fitted_to = None;
        }

        // Frames first (underneath), then arrows, then stickies.
        let elements = model.elements();
        for e in elements.iter().filter(|e| e.loc.kind == Kind::Context) {
            self.frame_ui(ui, &painter, model, e.loc, e.uid, e.name, selection, edits);
        }
        let arrow_color = visuals
            .widgets
            .noninteractive
            .fg_stroke
            .color
            .gamma_multiply(0.7);
        self.draw_arrows(&painter, model, selection, arrow_color);
        self.path(&painter, model, &overlay.path);
        let mut sticky_responses: Vec<(Uid, Rect, Response)> = Vec::new();
        let mut badges: Vec<(Rect, &str)> = Vec::new();
        let clip = canvas.expand(4.0);
        for e in &elements {
            if matches!(
                e.loc.kind,
                Kind::Context | Kind::Enum | Kind::Scenario | Kind::Relation
            ) {
                continue;
            }
            let Some(r) = element_rect(model, e.loc) else {
                continue;
            };
            let sr = self.rect_to_screen(r);
            if !clip.intersects(sr) {
                continue;
            }
            let resp = ui.interact(sr, Id::new(("sticky", e.uid)), Sense::click_and_drag());
            let label = format!("{} {}", e.loc.kind.label(), e.name);
            // Zoomed out, names are clipped: the whole one shows on hover.
            let resp = if self.zoom < 0.4 {
                resp.on_hover_text(&label)
            } else {
                resp
            };
            let selected = selection.contains(&e.uid);
            resp.widget_info(|| WidgetInfo::selected(WidgetType::Button, true, selected, &label));
            let look = Look {
                selected,
                lit: overlay.lit.contains(&e.loc),
                failed: overlay.failed.contains(&e.loc),
                hovered: resp.hovered(),
                timer: sticky::keeps_time(model, e.loc),
            };
            sticky::draw(&mut painter, e.loc.kind, e.name, sr, self.zoom, look);
            sticky_responses.push((e.uid, sr, resp));
            if let Some(badge) = overlay.badges.get(&e.loc) {
                badges.push((sr, badge.as_str()));
            }
        }
        // Badges over everything, each where it covers no other sticky (nor another badge).
        let stickies: Vec<Rect> = sticky_responses.iter().map(|(_, r, _)| *r).collect();
        let mut taken: Vec<Rect> = Vec::new();
        for (sr, text) in badges {
            paint_badge(&painter, sr, text, &stickies, &mut taken);
        }
        self.pointer = ui
            .ctx()
            .pointer_hover_pos()
            .filter(|p| canvas.contains(*p))
            .map(|p| self.to_board(p));
        self.peers_ui(ui, &painter, model, &overlay.peers);

        // Sticky interaction.
        let shift = ui.input(|i| i.modifiers.shift || i.modifiers.command);
        for (id, sr, resp) in &sticky_responses {
            if resp.clicked() {
                self.picked_arrow = None;
                if let Some(from) = self.linking_from.take() {
                    edits.push(Edit::Connect { from, to: *id });
                } else if shift {
                    if !selection.remove(id) {
                        selection.insert(*id);
                    }
                } else {
                    selection.clear();
                    selection.insert(*id);
                }
            }
            if resp.double_clicked() || resp.triple_clicked() {
                self.start_rename(model, *id);
            }
            if resp.drag_started_by(egui::PointerButton::Primary) && !space_held {
                let p = resp.interact_pointer_pos().unwrap_or(sr.center());
                let near_link_handle = p.distance(link_handle(*sr)) < 12.0;
                if near_link_handle || ui.input(|i| i.modifiers.alt) {
                    self.drag = Some(Drag::Link { from: *id });
                } else {
                    if !selection.contains(id) {
                        selection.clear();
                        selection.insert(*id);
                    }
                    let gesture = Gesture::fresh().id();
                    self.drag = Some(Drag::Move {
                        gesture,
                        last: self.to_board(p),
                    });
                }
            }
        }
        // Link handle on the hovered or single selected sticky.
        for (id, sr, resp) in &sticky_responses {
            if resp.hovered() || (selection.len() == 1 && selection.contains(id)) {
                painter.circle(
                    link_handle(*sr),
                    5.0 * self.zoom.clamp(0.6, 1.5),
                    theme::SELECTION,
                    Stroke::new(1.5, theme::ON_DARK),
                );
            }
        }

        // Background interaction.
        if bg.drag_started_by(egui::PointerButton::Primary)
            && !space_held
            && let Some(p) = bg.interact_pointer_pos()
        {
            self.drag = Some(Drag::Band {
                start: self.to_board(p),
                additive: shift,
            });
        }
        if bg.clicked() {
            self.linking_from = None;
            // A click on an arrow picks it (Delete removes the link it draws).
            self.picked_arrow = bg.interact_pointer_pos().and_then(|p| {
                self.arrows
                    .hit(self.to_board(p), ARROW_PICK / self.zoom)
                    .filter(|_| !shift)
            });
            if let Some((from, to)) = self.picked_arrow {
                out.message = Some(format!(
                    "Arrow: {} — Delete removes it",
                    describe(model, from, to)
                ));
            }
            if !shift {
                selection.clear();
            }
        }
        // A quick click elsewhere before the double-click makes egui count three clicks.
        if (bg.double_clicked() || bg.triple_clicked())
            && let Some(p) = bg.interact_pointer_pos()
        {
            let b = self.to_board(p);
            edits.push(Edit::Create {
                kind: create_kind,
                at: Pos::new(b.x, b.y),
            });
        }

        // Palette drops.
        if let Some(kind) = bg.dnd_release_payload::<Kind>()
            && let Some(p) = ui.input(|i| i.pointer.interact_pos())
        {
            let b = self.to_board(p);
            edits.push(Edit::Create {
                kind: *kind,
                at: Pos::new(b.x, b.y),
            });
        }

        self.drag_ui(
            ui,
            &painter,
            model,
            &sticky_responses,
            selection,
            edits,
            &mut out,
        );
        self.rename_ui(ui, model, edits);
        // The bounds as of the arrows' update (once per change of the model, not per frame).
        if let Some(bounds) = self.arrows.bounds() {
            let view = Rect::from_min_max(self.to_board(canvas.min), self.to_board(canvas.max));
            if let Some(b) = super::minimap::show(ui, &painter, model, bounds, canvas, view) {
                self.offset = canvas.size() / 2.0 - b.to_vec2() * self.zoom;
                self.fitted_to = None;
            }
        }
        if let Some(from) = self.linking_from
            && let Some(p) = pointer
            && let Some(r) = rect_of(model, from)
        {
            let a = self.to_screen(r.center());
            painter.line_segment([a, p], Stroke::new(2.0, theme::SELECTION));
        }
        out
    }

    fn grid(&self, painter: &egui::Painter, visuals: &egui::Visuals) {
        let step = 40.0 * self.zoom;
        if step < 8.0 {
            return;
        }
        let color = visuals.faint_bg_color;
        let c = self.canvas;
        let origin = c.min + self.offset;
        let mut x = c.min.x + (origin.x - c.min.x).rem_euclid(step);
        let mut shapes = Vec::new();
        while x < c.max.x {
            shapes.push(Shape::line_segment(
                [pos2(x, c.min.y), pos2(x, c.max.y)],
                Stroke::new(1.0, color),
            ));
            x += step;
        }
        let mut y = c.min.y + (origin.y - c.min.y).rem_euclid(step);
        while y < c.max.y {
            shapes.push(Shape::line_segment(
                [pos2(c.min.x, y), pos2(c.max.x, y)],
                Stroke::new(1.0, color),
            ));
            y += step;
        }
        painter.extend(shapes);
    }

    #[expect(clippy::too_many_arguments)]
    fn frame_ui(
        &mut self,
        ui: &mut Ui,
        painter: &egui::Painter,
        model: &Model,
        loc: Loc,
        id: Uid,
        name: &str,
        selection: &mut Selection,
        edits: &mut Vec<Edit>,
    ) {
        let Some(r) = element_rect(model, loc) else {
            return;
        };
        let sr = self.rect_to_screen(r);
        if !self.canvas.intersects(sr) {
            return;
        }
        let selected = selection.contains(&id);
        let fill = theme::tokens(ui).frame_fill;
        let border = if selected {
            theme::SELECTION
        } else {
            ui.visuals()
                .widgets
                .noninteractive
                .fg_stroke
                .color
                .gamma_multiply(0.6)
        };
        painter.rect(
            sr,
            CornerRadius::same(6),
            fill,
            Stroke::new(if selected { 2.5 } else { 1.5 }, border),
            StrokeKind::Inside,
        );
        let header = Rect::from_min_size(sr.min, vec2(sr.width(), FRAME_HEADER * self.zoom));
        let team = model
            .contexts
            .get(loc.index)
            .map(|c| c.team.as_str())
            .unwrap_or_default();
        let title = if team.is_empty() {
            name.to_owned()
        } else {
            format!("{name}  ·  {team}")
        };
        if self.zoom > 0.15 {
            painter.text(
                header.left_center() + vec2(10.0 * self.zoom, 0.0),
                Align2::LEFT_CENTER,
                title,
                FontId::proportional(17.0 * self.zoom),
                ui.visuals().strong_text_color(),
            );
        }
        let resp = ui.interact(header, Id::new(("frame", id)), Sense::click_and_drag());
        resp.widget_info(|| {
            WidgetInfo::selected(
                WidgetType::Button,
                true,
                selected,
                format!("context {name}"),
            )
        });
        if resp.clicked() {
            if !ui.input(|i| i.modifiers.shift) {
                selection.clear();
            }
            selection.insert(id);
        }
        if resp.double_clicked() || resp.triple_clicked() {
            self.start_rename(model, id);
        }
        if resp.drag_started_by(egui::PointerButton::Primary) {
            if !selection.contains(&id) {
                selection.clear();
                selection.insert(id);
            }
            let gesture = Gesture::fresh().id();
            let p = resp.interact_pointer_pos().unwrap_or(header.center());
            self.drag = Some(Drag::Move {
                gesture,
                last: self.to_board(p),
            });
        }
        let grip = Rect::from_center_size(sr.max - vec2(7.0, 7.0), vec2(14.0, 14.0));
        let gr = ui.interact(grip, Id::new(("frame-resize", id)), Sense::drag());
        painter.line_segment(
            [grip.left_bottom(), grip.right_top()],
            Stroke::new(1.5, border),
        );
        if gr.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeNwSe);
        }
        if gr.drag_started() {
            let gesture = Gesture::fresh().id();
            self.drag = Some(Drag::Resize {
                context: id,
                gesture,
            });
        }
        let _ = edits;
    }

    /// The others at a shared board: each selected sticky outlined in their colour, their
    /// pointer as an arrowhead with their name.
    fn peers_ui(&self, ui: &Ui, painter: &egui::Painter, model: &Model, peers: &[PeerMark]) {
        for peer in peers {
            for &u in &peer.selection {
                if let Some(r) = model.locate(u).and_then(|l| element_rect(model, l)) {
                    painter.rect_stroke(
                        self.rect_to_screen(r).expand(4.0),
                        6.0,
                        Stroke::new(2.5, peer.color),
                        StrokeKind::Outside,
                    );
                }
            }
            if let Some(r) = peer
                .editing
                .and_then(|u| model.locate(u))
                .and_then(|l| element_rect(model, l))
            {
                // "✎ Ada" over the sticky someone is editing.
                let sr = self.rect_to_screen(r);
                let galley = painter.layout_no_wrap(
                    format!("✎ {}", peer.name),
                    FontId::proportional(11.0),
                    theme::ON_DARK,
                );
                let tag = Rect::from_min_size(
                    sr.left_top() - vec2(0.0, galley.size().y + 6.0),
                    galley.size(),
                )
                .expand(2.0);
                painter.rect_filled(tag, 3.0, peer.color);
                painter.galley(tag.min + vec2(2.0, 2.0), galley, theme::ON_DARK);
            }
            let Some(at) = peer.pointer.map(|p| self.to_screen(p)) else {
                continue;
            };
            if !self.canvas.contains(at) {
                continue;
            }
            // Pointers over the windows too (a colleague points at what a window covers).
            let painter = ui
                .ctx()
                .layer_painter(egui::LayerId::new(
                    egui::Order::Foreground,
                    Id::new("peers"),
                ))
                .with_clip_rect(self.canvas);
            let painter = &painter;
            painter.add(Shape::convex_polygon(
                vec![at, at + vec2(4.0, 14.0), at + vec2(11.0, 9.0)],
                peer.color,
                Stroke::new(1.0, theme::ON_DARK),
            ));
            let galley = painter.layout_no_wrap(
                peer.name.clone(),
                FontId::proportional(12.0),
                theme::ON_DARK,
            );
            let rect = Rect::from_min_size(at + vec2(12.0, 12.0), galley.size()).expand(3.0);
            painter.rect_filled(rect, 3.0, peer.color);
            painter.galley(rect.min + vec2(3.0, 3.0), galley, theme::ON_DARK);
            // Tests find the others by their pointer's label.
            let id = Id::new(("peer-pointer", &peer.name));
            let r = ui.interact(rect, id, Sense::hover());
            let label = format!("{}'s pointer", peer.name);
            r.widget_info(|| WidgetInfo::labeled(WidgetType::Label, true, &label));
        }
    }

    fn draw_arrows(
        &self,
        painter: &egui::Painter,
        model: &Model,
        selection: &Selection,
        base: Color32,
    ) {
        let scale = self.zoom.clamp(0.5, 1.5);
        // Lookups: a dashed arrow from the read model to each sticky that reads it in a
        // decision (a read, not a message: it is not picked or deleted like a flow arrow).
        for (_, route) in self.arrows.reads() {
            if route.len() < 2 {
                continue;
            }
            let points: Vec<Pos2> = route.iter().map(|p| self.to_screen(*p)).collect();
            if !self.canvas.intersects(Rect::from_points(&points)) {
                continue;
            }
            let stroke = Stroke::new(1.4 * scale, theme::LOOKUP);
            let head = 8.0 * scale;
            let n = points.len();
            let dir = (points[n - 1] - points[n - 2]).normalized();
            let mut line = points.clone();
            line[n - 1] -= dir * head * 0.8;
            painter.add(Shape::dashed_line(&line, stroke, 6.0 * scale, 4.0 * scale));
            arrow_line(
                painter,
                &[points[n - 1] - dir * head, points[n - 1]],
                stroke,
                head,
            );
        }
        for ((from, to), route) in self.arrows.routed() {
            if route.len() < 2 {
                continue;
            }
            let points: Vec<Pos2> = route.iter().map(|p| self.to_screen(*p)).collect();
            if !self.canvas.intersects(Rect::from_points(&points)) {
                continue;
            }
            let selected = |l: &Loc| model.uid_at(*l).is_some_and(|u| selection.contains(&u));
            let picked = self.picked_arrow == Some((*from, *to));
            let lit = picked || selected(from) || selected(to);
            let color = if lit { theme::SELECTION } else { base };
            let width = if picked {
                3.2
            } else if lit {
                2.2
            } else {
                1.4
            } * scale;
            arrow_line(painter, &points, Stroke::new(width, color), 9.0 * scale);
            // The team's label, halfway along (the picked arrow shows its meaning instead).
            let written = (!model.labels.is_empty() && !picked)
                .then(|| {
                    let (a, b) = (model.uid_at(*from)?, model.uid_at(*to)?);
                    crate::model::arrow_label::label_of(&model.labels, a, b)
                })
                .flatten();
            if let Some(text) = written {
                let galley = painter.layout_no_wrap(
                    text.to_owned(),
                    FontId::proportional((12.0 * self.zoom).clamp(9.0, 14.0)),
                    theme::ON_DARK,
                );
                // Along the arrow, off the stickies it passes (board units to find the spot).
                let size = (galley.size() + vec2(6.0, 6.0)) / self.zoom.max(0.01);
                let at = self.to_screen(self.arrows.label_spot(route, size));
                let rect = Rect::from_center_size(at, galley.size()).expand(3.0);
                painter.rect_filled(rect, 3.0, theme::BADGE_FILL);
                painter.galley(rect.min + vec2(3.0, 3.0), galley, theme::ON_DARK);
            }
            if picked {
                // The picked arrow says what it means, halfway along.
                let at = super::route::point_along(&points, 0.5);
                let galley = painter.layout_no_wrap(
                    describe(model, *from, *to),
                    FontId::proportional(12.0),
                    theme::ON_DARK,
                );
                let rect = Rect::from_center_size(at, galley.size()).expand(4.0);
                painter.rect_filled(rect, 4.0, theme::SELECTION);
                painter.galley(rect.min + vec2(4.0, 4.0), galley, theme::ON_DARK);
            }
        }
    }

    /// The simulation's path: its arrows thick and amber, and while the cursor has just moved
    /// a dot travelling along them, stage after stage.
    fn path(
        &self,
        painter: &egui::Painter,
        model: &Model,
        path: &crate::app::simulation::path::Path,
    ) {
        let stages = path.arrows.iter().map(|a| a.2 + 1).max().unwrap_or(0) as f32;
        let width = 3.0 * self.zoom.clamp(0.6, 1.5);
        for (from, to, stage) in &path.arrows {
            let points: Vec<Pos2> = match self.arrows.route(*from, *to) {
                Some(r) => r.iter().map(|p| self.to_screen(*p)).collect(),
                None => {
                    let (Some(a), Some(b)) = (element_rect(model, *from), element_rect(model, *to))
                    else {
                        continue;
                    };
                    let (a, b) = (self.rect_to_screen(a), self.rect_to_screen(b));
                    vec![edge_point(a, b.center()), edge_point(b, a.center())]
                }
            };
            painter.add(Shape::line(
                points.clone(),
                Stroke::new(width, theme::SIM_PATH),
            ));
            if let Some(phase) = path.phase {
                let t = (phase * stages - *stage as f32).clamp(0.0, 1.0);
                if t > 0.0 && t < 1.0 {
                    let radius = (5.0 * self.zoom).clamp(3.0, 7.0);
                    painter.circle(
                        super::route::point_along(&points, t),
                        radius,
                        theme::SIM_PATH,
                        Stroke::new(1.5, theme::ON_DARK),
                    );
                }
            }
        }
    }

    #[expect(clippy::too_many_arguments)]
    fn drag_ui(
        &mut self,
        ui: &mut Ui,
        painter: &egui::Painter,
        model: &Model,
        stickies: &[(Uid, Rect, Response)],
        selection: &mut Selection,
        edits: &mut Vec<Edit>,
        out: &mut BoardOutput,
    ) {
        let Some(drag) = self.drag.clone() else {
            return;
        };
        let (pointer, down, released) = ui.input(|i| {
            (
                i.pointer.interact_pos().or(i.pointer.hover_pos()),
                i.pointer.primary_down(),
                i.pointer.primary_released(),
            )
        });
        let Some(p) = pointer else {
            return;
        };
        let bp = self.to_board(p);
        match drag {
            Drag::Move { gesture, last } => {
                let delta = bp - last;
                if delta != Vec2::ZERO && !selection.is_empty() {
                    // Lined up with a visible neighbour when an edge or the centre comes
                    // within a few pixels of its line (the pointer pulls it free again).
                    let bounds = selection
                        .iter()
                        .filter_map(|u| rect_of(model, *u))
                        .reduce(|a, b| a.union(b));
                    let others: Vec<Rect> = stickies
                        .iter()
                        .filter(|(u, _, _)| !selection.contains(u))
                        .filter_map(|(u, _, _)| rect_of(model, *u))
                        .collect();
                    let (delta, guides) = match bounds {
                        Some(b) => snap::snap(b, delta, &others, SNAP / self.zoom),
                        None => (delta, Vec::new()),
                    };
                    self.guides = guides;
                    edits.push(Edit::Move {
                        ids: selection.iter().copied().collect(),
                        delta: (delta.x, delta.y),
                        gesture,
                    });
                    self.drag = Some(Drag::Move {
                        gesture,
                        last: last + delta,
                    });
                }
                for g in &self.guides {
                    let stroke = Stroke::new(1.0, theme::SELECTION);
                    let c = self.canvas;
                    match *g {
                        snap::Guide::Vertical(x) => {
                            let x = self.to_screen(pos2(x, 0.0)).x;
                            painter.line_segment([pos2(x, c.top()), pos2(x, c.bottom())], stroke);
                        }
                        snap::Guide::Horizontal(y) => {
                            let y = self.to_screen(pos2(0.0, y)).y;
                            painter.line_segment([pos2(c.left(), y), pos2(c.right(), y)], stroke);
                        }
                    }
                }
            }
            Drag::Band { start, additive } => {
                let band = Rect::from_two_pos(start, bp);
                painter.rect(
                    self.rect_to_screen(band),
                    0.0,
                    theme::SELECTION.gamma_multiply(0.12),
                    Stroke::new(1.0, theme::SELECTION),
                    StrokeKind::Inside,
                );
                if released || !down {
                    if !additive {
                        selection.clear();
                    }
                    for e in model.elements() {
                        if e.loc.kind == Kind::Context {
                            continue;
                        }
                        if let Some(r) = element_rect(model, e.loc)
                            && band.intersects(r)
                        {
                            selection.insert(e.uid);
                        }
                    }
                }
            }
            Drag::Link { from } => {
                if let Some(r) = rect_of(model, from) {
                    painter.line_segment(
                        [self.to_screen(r.center()), p],
                        Stroke::new(2.0, theme::SELECTION),
                    );
                }
                if released || !down {
                    match stickies
                        .iter()
                        .find(|(id, r, _)| *id != from && r.contains(p))
                    {
                        Some((to, _, _)) => edits.push(Edit::Connect { from, to: *to }),
                        None => {
                            out.message = Some("Link cancelled: release over another sticky".into())
                        }
                    }
                }
            }
            Drag::Resize { context, gesture } => {
                if let Some(c) = model
                    .locate(context)
                    .and_then(|l| model.contexts.get(l.index))
                {
                    let f = c.frame;
                    edits.push(Edit::Resize {
                        context,
                        frame: crate::model::Rect {
                            w: bp.x - f.x,
                            h: bp.y - f.y,
                            ..f
                        },
                        gesture,
                    });
                }
            }
        }
        if released || !down {
            self.drag = None;
            self.guides.clear();
        }
    }

    fn rename_ui(&mut self, ui: &mut Ui, model: &Model, edits: &mut Vec<Edit>) {
        let Some((id, mut text, first)) = self.renaming.take() else {
            return;
        };
        let Some(loc) = model.locate(id) else {
            return;
        };
        let Some(r) = element_rect(model, loc) else {
            return;
        };
        let r = if loc.kind == Kind::Context {
            Rect::from_min_size(r.min, vec2(r.width().min(320.0), FRAME_HEADER))
        } else {
            r
        };
        let sr = self.rect_to_screen(r).shrink(4.0);
        let edit_rect = Rect::from_center_size(sr.center(), vec2(sr.width().max(140.0), 28.0));
        let resp = ui.put(
            edit_rect,
            egui::TextEdit::singleline(&mut text)
                .id(Id::new("rename-in-place"))
                .font(FontId::proportional(15.0)),
        );
        if first {
            // The whole name selected: typing replaces it (F2, or a sticky just created).
            resp.request_focus();
            crate::app::text::select_all(ui.ctx(), resp.id, &text);
        }
        let (enter, escape) = ui.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
        if escape {
            return;
        }
        if enter || (resp.lost_focus() && !first) {
            edits.push(Edit::Rename { id, name: text });
            return;
        }
        self.renaming = Some((id, text, false));
    }
}

/// The spot on a sticky's right edge to drag a new link from.
/// A badge under sticky `r`: dark pill, light text, readable at any zoom (a projector's
/// distance included).
/// Paints the badge `text` of the sticky at `r` where it covers no sticky of `stickies` but
/// its own and no badge already placed (`taken`): next to the sticky, in smaller type when
/// the board is zoomed out and the stickies are close; where nothing is free, inside its own
/// sticky (clipped to it).
fn paint_badge(
    painter: &egui::Painter,
    r: Rect,
    text: &str,
    stickies: &[Rect],
    taken: &mut Vec<Rect>,
) {
    for size in [13.0, 10.0, 8.0] {
        let galley =
            painter.layout_no_wrap(text.to_owned(), FontId::proportional(size), theme::ON_DARK);
        let pad = vec2(size * 0.4, size * 0.15);
        if let Some(pill) = badge_place(r, galley.size() + pad * 2.0, stickies, taken) {
            taken.push(pill);
            painter.rect_filled(pill, CornerRadius::same(4), theme::BADGE_FILL);
            painter.galley(pill.min + pad, galley, theme::ON_DARK);
            return;
        }
    }
    let galley = painter.layout_no_wrap(text.to_owned(), FontId::proportional(8.0), theme::ON_DARK);
    let pill = Rect::from_min_size(pos2(r.left(), r.bottom() - galley.size().y), galley.size())
        .intersect(r);
    let inside = painter.with_clip_rect(pill.intersect(painter.clip_rect()));
    inside.rect_filled(pill, CornerRadius::same(2), theme::BADGE_FILL);
    inside.galley(pill.min, galley, theme::ON_DARK);
}

fn link_handle(r: Rect) -> Pos2 {
    r.right_center()
}

/// Where a badge of `size` goes for the sticky at `r`: below it, above it, right or left of
/// it (aligned with either edge) — the first place that covers no other sticky and no badge
/// in `taken`.
fn badge_place(r: Rect, size: Vec2, stickies: &[Rect], taken: &[Rect]) -> Option<Rect> {
    let gap = 2.0;
    let (below, above) = (r.bottom() + gap, r.top() - gap - size.y);
    let (right, left) = (r.right() + gap, r.left() - gap - size.x);
    let places = [
        pos2(r.left(), below),
        pos2(r.right() - size.x, below),
        pos2(r.left(), above),
        pos2(r.right() - size.x, above),
        pos2(right, r.top()),
        pos2(right, r.bottom() - size.y),
        pos2(left, r.top()),
        pos2(left, r.bottom() - size.y),
    ];
    let free = |pill: &Rect| {
        !stickies.iter().any(|s| *s != r && s.intersects(*pill))
            && !taken.iter().any(|t| t.intersects(*pill))
    };
    places
        .iter()
        .map(|&p| Rect::from_min_size(p, size))
        .find(free)
}

/// How near (screen points) a dragged sticky's edge or centre must come to a neighbour's
/// line to snap to it.
const SNAP: f32 = 6.0;

/// How near (screen points) a click must be to an arrow to pick it.
const ARROW_PICK: f32 = 6.0;

/// The arrow from `from` to `to` in words: "PlaceOrder is handled by Order".
pub fn describe(model: &Model, from: Loc, to: Loc) -> String {
    use Kind::*;
    let verb = match (from.kind, to.kind) {
        (Actor, _) | (Policy | Saga, _) => "issues",
        (Command, _) => "is handled by",
        (Aggregate | External, Event) => "emits",
        (Event, ReadModel) => "updates",
        (Event, Event) => "is translated into",
        (Event, _) => "triggers",
        _ => "leads to",
    };
    format!(
        "{} {verb} {}",
        model.name_of(from).unwrap_or("?"),
        model.name_of(to).unwrap_or("?")
    )
}

/// A polyline with an arrowhead at its end, pointing along its last segment.
pub(crate) fn arrow_line(painter: &egui::Painter, points: &[Pos2], stroke: Stroke, head: f32) {
    let (Some(&end), Some(&before)) = (points.last(), points.iter().rev().nth(1)) else {
        return;
    };
    let dir = (end - before).normalized();
    // The line stops where the head begins, so a thick line does not blunt its tip.
    let mut line = points.to_vec();
    if let Some(last) = line.last_mut() {
        *last = end - dir * head * 0.8;
    }
    painter.add(Shape::line(line, stroke));
    let left = end - dir * head + dir.rot90() * head * 0.5;
    let right = end - dir * head - dir.rot90() * head * 0.5;
    painter.add(Shape::convex_polygon(
        vec![end, left, right],
        stroke.color,
        Stroke::NONE,
    ));
}

/// Where the line from the centre of `r` towards `target` leaves `r`.
fn edge_point(r: Rect, target: Pos2) -> Pos2 {
    let c = r.center();
    let d = target - c;
    if d == Vec2::ZERO {
        return c;
    }
    let tx = if d.x != 0.0 {
        (r.width() / 2.0) / d.x.abs()
    } else {
        f32::INFINITY
    };
    let ty = if d.y != 0.0 {
        (r.height() / 2.0) / d.y.abs()
    } else {
        f32::INFINITY
    };
    c + d * tx.min(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_covers_no_other_sticky_and_no_other_badge() {
        let sticky = |x: f32, y: f32| Rect::from_min_size(pos2(x, y), vec2(100.0, 60.0));
        let size = vec2(80.0, 18.0);
        // A sticky with one right below it: the badge goes above.
        let (a, below) = (sticky(0.0, 100.0), sticky(0.0, 170.0));
        let p = badge_place(a, size, &[a, below], &[]).unwrap();
        assert!(!p.intersects(below) && p.bottom() <= a.top());
        // Boxed in above and below too: to the right; and a second badge not over the first.
        let above = sticky(0.0, 30.0);
        let p = badge_place(a, size, &[a, below, above], &[]).unwrap();
        assert!(p.left() >= a.right());
        let q = badge_place(a, size, &[a, below, above], &[p]).unwrap();
        assert!(!q.intersects(p) && ![below, above].iter().any(|s| s.intersects(q)));
        // Nowhere free: no place (the badge then goes inside its own sticky).
        let all = [a, below, above, sticky(103.0, 100.0), sticky(-103.0, 100.0)];
        assert_eq!(badge_place(a, size, &all, &[]), None);
    }
}
