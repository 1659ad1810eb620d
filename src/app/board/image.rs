//! Exporting the board as an image for workshop documentation: SVG (vector) and PNG (that
//! SVG rendered off-screen with resvg), of the whole board or the selection.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use crate::app::board::canvas::element_rect;
use crate::app::board::sticky;
use crate::app::theme::{self, sticky_size};
use crate::model::{Kind, Loc, Model, Uid};

/// Writes the board (or only `only`, when given) to `path` as SVG.
pub fn export_svg(model: &Model, only: Option<&BTreeSet<Uid>>, path: &Path) -> Result<(), String> {
    crate::model::file::write_atomic(path, svg(model, only).as_bytes()).map_err(|e| e.to_string())
}

/// Pixels per board point in a PNG export: sharp on print and high-density screens.
pub const PNG_SCALE: f32 = 2.0;

/// The longest side of a PNG export in pixels; a larger board is scaled down to fit.
pub const PNG_MAX_SIDE: u32 = 16_384;

/// Writes the board (or only `only`) to `path` as PNG: the SVG export rendered off-screen
/// with resvg at [`PNG_SCALE`] (less for a board too large for [`PNG_MAX_SIDE`]), whatever
/// part of the board the window shows. Text uses the studio's own fonts, so the picture is
/// the same on every machine. Returns the image's size in pixels.
pub fn export_png(
    model: &Model,
    only: Option<&BTreeSet<Uid>>,
    path: &Path,
) -> Result<[u32; 2], String> {
    let (bytes, size) = png(&svg(model, only))?;
    crate::model::file::write_atomic(path, &bytes).map_err(|e| e.to_string())?;
    Ok(size)
}

/// Renders `svg` to PNG bytes and their size in pixels.
fn png(svg: &str) -> Result<(Vec<u8>, [u32; 2]), String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    for font in egui::FontDefinitions::default().font_data.values() {
        fonts.load_font_data(font.font.to_vec());
    }
    // The board's type: egui's proportional font (Ubuntu Light).
    fonts.set_sans_serif_family("Ubuntu");
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let longest = size.width().max(size.height());
    let scale = PNG_SCALE.min(PNG_MAX_SIDE as f32 / longest);
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(w, h).ok_or_else(|| format!("cannot make a {w}×{h} image"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap.encode_png().map_err(|e| e.to_string())?;
    Ok((bytes, [w, h]))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A colour as SVG paint: `#rrggbb` and its opacity.
fn paint(c: egui::Color32) -> (String, f32) {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    (format!("#{r:02x}{g:02x}{b:02x}"), f32::from(a) / 255.0)
}

/// Stickies drawn as SVG elements. Text is wrapped by an estimate of its width (SVG has no
/// wrapping of its own), close enough for sans-serif type.
struct Svg<'a>(&'a mut String);

impl sticky::Surface for Svg<'_> {
    fn rect(&mut self, r: egui::Rect, radius: f32, fill: egui::Color32, stroke: egui::Stroke) {
        let (fill, fill_opacity) = paint(fill);
        let (line, line_opacity) = paint(stroke.color);
        let _ = writeln!(
            self.0,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{radius}" fill="{fill}" fill-opacity="{fill_opacity:.2}" stroke="{line}" stroke-opacity="{line_opacity:.2}" stroke-width="{}"/>"#,
            r.min.x,
            r.min.y,
            r.width(),
            r.height(),
            stroke.width
        );
    }

    fn text(&mut self, t: &sticky::Text<'_>) {
        let em = t.size * 0.55;
        let fits = |line: &str| line.chars().count() as f32 * em <= t.area.width();
        let mut lines: Vec<String> = Vec::new();
        if t.wrap && !fits(t.text) {
            for word in sticky::spaced(t.text).split(' ') {
                match lines.last_mut() {
                    Some(line) if fits(&format!("{line} {word}")) => {
                        line.push(' ');
                        line.push_str(word);
                    }
                    _ => lines.push(word.to_owned()),
                }
            }
        } else {
            lines.push(t.text.to_owned());
        }
        let height = 1.2 * t.size;
        let top = if t.centre {
            t.area.center().y - height * lines.len() as f32 / 2.0
        } else {
            t.area.min.y
        };
        let (fill, opacity) = paint(t.color);
        let x = t.area.min.x;
        let _ = write!(
            self.0,
            r#"<text x="{x}" y="{}" font-size="{}" fill="{fill}" fill-opacity="{opacity:.2}">"#,
            top + 0.9 * t.size,
            t.size
        );
        for (i, line) in lines.iter().enumerate() {
            let dy = if i == 0 { 0.0 } else { height };
            let _ = write!(self.0, r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#, esc(line));
        }
        let _ = writeln!(self.0, "</text>");
    }
}

/// The board (or only the elements in `only`) as an SVG document.
pub fn svg(model: &Model, only: Option<&BTreeSet<Uid>>) -> String {
    let only: Option<BTreeSet<Loc>> =
        only.map(|o| o.iter().filter_map(|&u| model.locate(u)).collect());
    let only = only.as_ref();
    let shown = |id: &Loc| {
        only.is_none_or(|o| {
            o.contains(id)
                || (id.kind == Kind::Context && o.iter().any(|e| e.context == Some(id.index)))
        })
    };
    let rects: Vec<_> = model
        .elements()
        .iter()
        .filter(|e| shown(&e.loc))
        .filter_map(|e| element_rect(model, e.loc))
        .collect();
    let bounds = rects
        .iter()
        .copied()
        .reduce(|a, b| a.union(b))
        .unwrap_or(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(100.0, 100.0),
        ))
        .expand(20.0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{} {} {} {}" width="{}" height="{}" font-family="sans-serif">"#,
        bounds.min.x,
        bounds.min.y,
        bounds.width(),
        bounds.height(),
        bounds.width(),
        bounds.height()
    );
    let _ = writeln!(
        s,
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>"##
    );
    let _ = writeln!(
        s,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#fafafa"/>"##,
        bounds.min.x,
        bounds.min.y,
        bounds.width(),
        bounds.height()
    );
    for (i, c) in model.contexts.iter().enumerate() {
        if !shown(&Loc {
            kind: Kind::Context,
            context: None,
            index: i,
        }) {
            continue;
        }
        let f = c.frame;
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#eef2fa" stroke="#8890a0" stroke-width="1.5"/>"##,
            f.x, f.y, f.w, f.h
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="17" font-weight="bold" fill="#223">{}</text>"##,
            f.x + 10.0,
            f.y + 21.0,
            esc(&c.name)
        );
    }
    // The arrows as the board routes them, ending on their target's border.
    let mut arrows = crate::app::board::arrows::Arrows::default();
    arrows.update(model, 0, 0);
    for ((from, to), route) in arrows.routed() {
        if !shown(from) || !shown(to) || route.len() < 2 {
            continue;
        }
        let points: Vec<String> = route.iter().map(|p| format!("{},{}", p.x, p.y)).collect();
        let _ = writeln!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#555" stroke-width="1.4" marker-end="url(#arrow)"/>"##,
            points.join(" ")
        );
    }
    for e in model.elements() {
        if matches!(
            e.loc.kind,
            Kind::Context | Kind::Enum | Kind::Scenario | Kind::Relation
        ) || !shown(&e.loc)
        {
            continue;
        }
        let Some(p) = e.at else { continue };
        let r = egui::Rect::from_min_size(egui::pos2(p.x, p.y), sticky_size(e.loc.kind));
        let look = sticky::Look {
            timer: sticky::keeps_time(model, e.loc),
            ..sticky::Look::default()
        };
        sticky::draw(&mut Svg(&mut s), e.loc.kind, e.name, r, 1.0, look);
    }
    // The team's arrow labels over everything, off the stickies where they can be.
    for ((from, to), route) in arrows.routed() {
        if !shown(from) || !shown(to) || route.len() < 2 {
            continue;
        }
        let (Some(a), Some(b)) = (model.uid_at(*from), model.uid_at(*to)) else {
            continue;
        };
        let Some(text) = crate::model::arrow_label::label_of(&model.labels, a, b) else {
            continue;
        };
        let size = 12.0;
        let inner = egui::vec2(text.chars().count() as f32 * size * 0.55, size * 1.2);
        let at = arrows.label_spot(route, inner + egui::vec2(6.0, 6.0));
        let area = egui::Rect::from_center_size(at, inner);
        let mut surface = Svg(&mut s);
        sticky::Surface::rect(
            &mut surface,
            area.expand(3.0),
            3.0,
            theme::BADGE_FILL,
            egui::Stroke::NONE,
        );
        sticky::Surface::text(
            &mut surface,
            &sticky::Text {
                text,
                area,
                clip: area.expand(3.0),
                size,
                color: theme::ON_DARK,
                wrap: false,
                centre: true,
            },
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_holds_every_sticky_or_only_the_selection() {
        let m = crate::model::synthetic::synthetic(10, 1);
        let all = svg(&m, None);
        assert_eq!(
            all.matches("<rect").count(),
            1 + 1 + 2 * 10,
            "background, frame, stickies with their shadows"
        );
        assert!(all.contains(">Done1<"));
        let one = BTreeSet::from([m.contexts[0].events[1].uid]);
        let sel = svg(&m, Some(&one));
        assert!(sel.contains(">Done1<") && !sel.contains(">Done0<"));
    }

    #[test]
    fn svg_shows_an_arrow_label_where_the_board_does() {
        let mut m = crate::model::synthetic::synthetic(10, 1);
        let c = &m.contexts[0];
        let (from, to) = (c.commands[0].uid, c.aggregates[0].uid);
        m.labels = crate::model::arrow_label::with_label(&m.labels, from, to, "web shop & app");
        let s = svg(&m, None);
        assert!(s.contains(">web shop &amp; app<"), "{s}");
    }

    #[test]
    fn png_renders_the_whole_board_off_screen_with_its_text() {
        use resvg::tiny_skia::Pixmap;
        let m = crate::model::synthetic::synthetic(10, 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("board.png");
        let [w, h] = export_png(&m, None, &path).unwrap();
        let picture = Pixmap::decode_png(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!([picture.width(), picture.height()], [w, h]);
        // The SVG's size, at twice the scale.
        let tree = resvg::usvg::Tree::from_str(&svg(&m, None), &Default::default()).unwrap();
        assert_eq!(w, (tree.size().width() * PNG_SCALE).ceil() as u32);
        // Sticky colours and dark text glyphs are there, not just the background.
        let pixels = picture.pixels();
        let dark = pixels
            .iter()
            .filter(|p| u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue()) < 150)
            .count();
        assert!(dark > 200, "text drawn: {dark} dark pixels");
        let orange = pixels
            .iter()
            .filter(|p| p.red() > 200 && p.green() > 120 && p.green() < 200 && p.blue() < 120)
            .count();
        assert!(
            orange > 10_000,
            "event stickies drawn: {orange} orange pixels"
        );
    }

    #[test]
    fn a_huge_board_is_scaled_down_to_fit() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40000 100" width="40000" height="100"><rect width="40000" height="100" fill="#fafafa"/></svg>"##;
        let (_, [w, h]) = png(svg).unwrap();
        assert_eq!(w, PNG_MAX_SIDE);
        assert!(h < 100);
    }
}
