//! An expression text box checked as you type: the expression is compiled against the scope
//! it will run in (the same checker as `stormlab check`), the error's span is underlined in
//! red inside the box, and the message is shown below it.

use egui::text::{LayoutJob, TextFormat};
use egui::{FontId, Response, RichText, Stroke, TextEdit, Ui};

use crate::app::theme;
use crate::model::Type;
use crate::model::expr::{Expr, ExprError, Scope};
use crate::model::scopes::ModelTypes;

/// The first error of `source` in `scope`, if any (None for an empty text when optional).
pub fn first_error(
    source: &str,
    scope: &Scope,
    types: &ModelTypes,
    expected: Option<&Type>,
) -> Option<ExprError> {
    Expr::compile(source, scope, types, expected)
        .err()
        .and_then(|mut e| {
            if e.is_empty() {
                None
            } else {
                Some(e.swap_remove(0))
            }
        })
}

/// The layout of `text` with the bytes in `span` underlined in red.
fn underlined(ui: &Ui, text: &str, span: Option<std::ops::Range<usize>>) -> LayoutJob {
    let font = FontId::monospace(ui.style().text_styles[&egui::TextStyle::Monospace].size);
    let normal = TextFormat {
        font_id: font.clone(),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let bad = TextFormat {
        font_id: font,
        color: theme::tokens(ui).error,
        underline: Stroke::new(1.5, theme::tokens(ui).error),
        ..Default::default()
    };
    let mut job = LayoutJob::default();
    match span {
        Some(s) if !text.is_empty() => {
            // Clamp to the text and to character boundaries; an error at the end (a missing
            // operand) underlines the last character.
            let mut start = s.start.min(text.len());
            let mut end = s.end.clamp(start, text.len());
            if start == end {
                start = text[..start]
                    .char_indices()
                    .next_back()
                    .map_or(0, |(i, _)| i);
                end = text
                    .len()
                    .min(start + text[start..].chars().next().map_or(0, char::len_utf8));
            }
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            while !text.is_char_boundary(end) {
                end += 1;
            }
            job.append(&text[..start], 0.0, normal.clone());
            job.append(&text[start..end], 0.0, bad);
            job.append(&text[end..], 0.0, normal);
        }
        _ => job.append(text, 0.0, normal),
    }
    job
}

/// An expression box: `text` checked against `scope` (None: the scope is unknown, e.g. the
/// referenced event does not exist yet — then only the text is edited). An empty text is
/// accepted when `optional`. Returns the text box's response.
pub fn expr_edit(
    ui: &mut Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    text: &mut String,
    scope: Option<&Scope>,
    types: &ModelTypes,
    expected: Option<&Type>,
    optional: bool,
) -> Response {
    let error = match scope {
        Some(s) if !(optional && text.trim().is_empty()) => first_error(text, s, types, expected),
        _ => None,
    };
    checked_edit(ui, id_salt, text, error)
}

/// A code text box showing `error` (worked out by the caller from the text as it was when
/// this frame began): its span underlined, its message below.
pub fn checked_edit(
    ui: &mut Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    text: &mut String,
    error: Option<ExprError>,
) -> Response {
    let span = error.as_ref().map(|e| e.span.clone());
    let mut layouter = |ui: &Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
        let mut job = underlined(ui, buf.as_str(), span.clone());
        job.wrap.max_width = wrap;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let resp = ui.add(
        TextEdit::singleline(text)
            .id_salt(id_salt)
            .code_editor()
            .desired_width(f32::INFINITY)
            .layouter(&mut layouter),
    );
    if let Some(e) = error {
        ui.label(
            RichText::new(format!("⚠ {}", e.message))
                .color(theme::tokens(ui).error)
                .small(),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::NoTypes;

    #[test]
    fn errors_come_with_the_span_to_underline() {
        let scope = Scope::new().record("cmd", vec![("price".into(), Type::Int)]);
        let types = ModelTypes::default();
        let e = first_error("cmd.prize > 0", &scope, &types, Some(&Type::Bool)).unwrap();
        assert_eq!(&"cmd.prize > 0"[e.span.clone()], "cmd.prize");
        assert!(first_error("cmd.price > 0", &scope, &types, Some(&Type::Bool)).is_none());
        let _ = NoTypes;
    }
}
