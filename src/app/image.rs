//! Exporting the board as an image for workshop documentation (SVG, vector, any zoom).

use std::fmt::Write as _;
use std::path::Path;

use super::board::element_rect;
use super::theme::{kind_color, sticky_size};
use crate::model::{Kind, Model};

/// Writes the board to `path` as SVG. Other extensions are refused with a reason.
pub fn export(model: &Model, path: &Path) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if ext != "svg" {
        return Err(format!(
            "{}: the board image is exported as SVG; choose a name ending in .svg",
            path.display()
        ));
    }
    crate::model::file::write_atomic(path, svg(model).as_bytes()).map_err(|e| e.to_string())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn hex(c: egui::Color32) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b())
}

/// The board as an SVG document.
pub fn svg(model: &Model) -> String {
    let rects: Vec<_> = model
        .elements()
        .iter()
        .filter_map(|e| element_rect(model, e.id))
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
    for c in &model.contexts {
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
    for (from, to) in super::arrows::arrows(model) {
        if let (Some(a), Some(b)) = (element_rect(model, from), element_rect(model, to)) {
            let _ = writeln!(
                s,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#555" stroke-width="1.4" marker-end="url(#arrow)"/>"##,
                a.center().x,
                a.center().y,
                b.center().x,
                b.center().y
            );
        }
    }
    for e in model.elements() {
        if matches!(
            e.id.kind,
            Kind::Context | Kind::Enum | Kind::Scenario | Kind::Relation
        ) {
            continue;
        }
        let Some(p) = e.at else { continue };
        let size = sticky_size(e.id.kind);
        let _ = writeln!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}" stroke="#0003"/>"##,
            p.x,
            p.y,
            size.x,
            size.y,
            hex(kind_color(e.id.kind))
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="10" fill="#555">{}</text>"##,
            p.x + 6.0,
            p.y + 15.0,
            e.id.kind.label()
        );
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="14" fill="#1e1e23">{}</text>"##,
            p.x + 6.0,
            p.y + size.y / 2.0 + 6.0,
            esc(e.name)
        );
    }
    s.push_str("</svg>\n");
    s
}
