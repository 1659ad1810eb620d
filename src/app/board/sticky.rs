//! What a sticky looks like, decided once for every surface that draws one: the board (egui's
//! painter, at any zoom) and the SVG export. A surface only knows how to put a rectangle and a
//! piece of text; the colours, outline, shadow, glow, the kind's label and the name wrapped
//! between words are decided here.

use egui::{Color32, Rect, Stroke, pos2, vec2};

use crate::app::theme::{self, kind_color};
use crate::model::Kind;

/// How a sticky is shown beyond its kind and name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Look {
    /// Part of the selection.
    pub selected: bool,
    /// Lit by the simulation cursor.
    pub lit: bool,
    /// Where something failed at the simulation cursor (a rejection, a parked delivery, a
    /// compensation, a timeout).
    pub failed: bool,
    /// Under the pointer.
    pub hovered: bool,
    /// How it keeps time, said after its kind: `timer` (a policy's, a saga's timed step, an
    /// aggregate's scheduled command), `deadline` (a saga's).
    pub timer: Option<&'static str>,
}

/// Whether the sticky at `loc` keeps time (see [`Look::timer`]).
pub fn keeps_time(model: &crate::model::Model, loc: crate::model::Loc) -> Option<&'static str> {
    let c = loc.context.and_then(|c| model.contexts.get(c))?;
    match loc.kind {
        Kind::Policy => c.policies.get(loc.index)?.after.as_ref().map(|_| "timer"),
        Kind::Saga => {
            let s = c.sagas.get(loc.index)?;
            if !s.deadlines.is_empty() {
                Some("deadline")
            } else {
                s.steps
                    .iter()
                    .any(|st| st.after.is_some())
                    .then_some("timer")
            }
        }
        Kind::Aggregate => {
            let a = c.aggregates.get(loc.index)?;
            let schedules = a.handlers.iter().any(|h| !h.schedule.is_empty());
            schedules.then_some("timer")
        }
        _ => None,
    }
}

/// A piece of text on a sticky.
#[derive(Clone, Copy, Debug)]
pub struct Text<'a> {
    /// The text.
    pub text: &'a str,
    /// The box it is set in: from its top left, or centred vertically (`centre`).
    pub area: Rect,
    /// Nothing of it shows outside this.
    pub clip: Rect,
    /// Type size, in points on the surface.
    pub size: f32,
    /// Colour.
    pub color: Color32,
    /// Wrapped between words to the box's width when it does not fit on one line.
    pub wrap: bool,
    /// Centred vertically in the box (else from its top).
    pub centre: bool,
}

/// Somewhere a sticky can be drawn.
pub trait Surface {
    /// A filled rectangle with rounded corners and an outline drawn outside it.
    fn rect(&mut self, rect: Rect, radius: f32, fill: Color32, stroke: Stroke);
    /// A piece of text.
    fn text(&mut self, text: &Text<'_>);
}

/// Draws a sticky of `kind` named `name` in `r` (surface units) at `zoom` (surface units per
/// board unit).
pub fn draw(surface: &mut impl Surface, kind: Kind, name: &str, r: Rect, zoom: f32, look: Look) {
    let z = zoom;
    let fill = kind_color(kind);
    if look.lit || look.failed {
        // At least a few units wide, so a lit sticky shows at a whole-board zoom too; a
        // failure in red, wider, whatever else lights the sticky.
        let (grow, color) = if look.failed {
            (9.0, theme::FAILED)
        } else {
            (6.0, theme::LIT)
        };
        let glow = r.expand((grow * z).max(5.0));
        surface.rect(glow, 6.0, color, Stroke::NONE);
    }
    // Below ~40% a sticky is a few pixels tall: a plain rectangle looks the same and is far
    // cheaper to tessellate than a rounded one with a shadow (1,000 of them in a frame).
    if z < 0.4 {
        let stroke = if look.selected {
            Stroke::new(2.0, theme::SELECTION)
        } else {
            Stroke::NONE
        };
        surface.rect(r, 0.0, fill, stroke);
        // The name stays legible at a whole-board zoom while the sticky holds a few letters:
        // small type, wrapped between words (shrunk to fit the longest), clipped.
        if r.width() >= 16.0 {
            surface.text(&Text {
                text: name,
                area: Rect::from_min_max(r.min + vec2(2.0, 1.0), r.max - vec2(2.0, 0.0)),
                clip: r,
                size: (14.0 * z).max(8.0),
                color: theme::STICKY_TEXT,
                wrap: true,
                centre: false,
            });
        }
        return;
    }
    // A soft shadow, then the note.
    surface.rect(
        r.translate(vec2(2.0, 3.0) * z.min(1.5)),
        3.0,
        theme::SHADOW,
        Stroke::NONE,
    );
    let stroke = if look.selected {
        Stroke::new(3.0, theme::SELECTION)
    } else if kind == Kind::Saga {
        Stroke::new(2.0 * z.clamp(0.5, 1.5), theme::SAGA_FRAME)
    } else if look.hovered {
        Stroke::new(1.5, theme::STICKY_HOVER)
    } else {
        Stroke::new(1.0, theme::STICKY_OUTLINE)
    };
    surface.rect(r, 3.0, fill, stroke);
    let pad = 6.0 * z;
    let kind_text: std::borrow::Cow<'_, str> = match look.timer {
        Some(how) => format!("{} · {how}", kind.label()).into(),
        None => kind.label().into(),
    };
    surface.text(&Text {
        text: &kind_text,
        area: Rect::from_min_max(r.min + vec2(pad, pad), r.max - vec2(pad, pad)),
        clip: r,
        size: 10.0 * z,
        color: theme::STICKY_TEXT.gamma_multiply(0.65),
        wrap: false,
        centre: false,
    });
    // Never below 8 px: zoomed out, the name is what a workshop reads. Centred a little
    // below the middle, under the kind's label.
    surface.text(&Text {
        text: name,
        area: Rect::from_min_max(
            pos2(r.min.x + pad, r.min.y + 10.0 * z),
            pos2(r.max.x - pad, r.max.y),
        ),
        clip: r,
        size: (14.0 * z).max(8.0),
        color: theme::STICKY_TEXT,
        wrap: true,
        centre: true,
    });
}

/// The board draws stickies with egui's painter.
impl Surface for egui::Painter {
    fn rect(&mut self, rect: Rect, radius: f32, fill: Color32, stroke: Stroke) {
        let radius = egui::CornerRadius::same(radius.round().clamp(0.0, 255.0) as u8);
        egui::Painter::rect(self, rect, radius, fill, stroke, egui::StrokeKind::Outside);
    }

    fn text(&mut self, text: &Text<'_>) {
        let font = egui::FontId::proportional(text.size);
        let width = text.area.width();
        let mut galley = self.layout_no_wrap(text.text.to_owned(), font.clone(), text.color);
        if text.wrap && galley.size().x > width {
            // Wrapped between words, never inside one: the type shrinks until the longest
            // word fits (`Accoun t` is not a name anyone can read).
            let words = spaced(text.text);
            let longest_at = |size: f32| {
                let font = egui::FontId::proportional(size);
                words
                    .split(' ')
                    .map(|w| {
                        self.layout_no_wrap(w.to_owned(), font.clone(), text.color)
                            .size()
                            .x
                    })
                    .fold(0.0, f32::max)
            };
            // Glyph widths snap to pixels, so they do not scale exactly with the size: aim a
            // little inside, then check (a few steps at most).
            // (Every frame, for every wrapped name: measure once when the words fit.)
            let longest = longest_at(text.size);
            let mut size = text.size;
            if longest > width {
                size = fitting_size(text.size, width * 0.97, longest);
                for _ in 0..4 {
                    if size <= 5.0 || longest_at(size) <= width {
                        break;
                    }
                    size = (size * 0.93).max(5.0);
                }
            }
            if longest_at(size) > width {
                // Even the smallest type does not hold the longest word: one line, cut
                // with an ellipsis (the full name is in the sticky's tooltip).
                let mut job = egui::text::LayoutJob::simple_singleline(
                    text.text.to_owned(),
                    egui::FontId::proportional(size),
                    text.color,
                );
                job.wrap = egui::text::TextWrapping {
                    max_width: width,
                    max_rows: 1,
                    break_anywhere: true,
                    overflow_character: Some('…'),
                };
                let galley = self.layout_job(job);
                self.with_clip_rect(text.clip.intersect(self.clip_rect()))
                    .galley(text.area.min, galley, text.color);
                return;
            }
            // A pixel of slack: a word measured to fit must not be broken by rounding.
            let wrap_at = width + 1.0;
            galley = self.layout(
                words.clone(),
                egui::FontId::proportional(size),
                text.color,
                wrap_at,
            );
            // Lines that do not fit the height shrink too (a name cut in half is as
            // unreadable as one broken inside a word).
            let height = text.clip.intersect(text.area).height();
            for _ in 0..3 {
                if galley.size().y <= height || size <= 5.0 {
                    break;
                }
                size = (size * height / galley.size().y * 0.97).max(5.0);
                galley = self.layout(
                    words.clone(),
                    egui::FontId::proportional(size),
                    text.color,
                    wrap_at,
                );
            }
        }
        let y = if text.centre {
            text.area.center().y - galley.size().y / 2.0
        } else {
            text.area.min.y
        };
        self.with_clip_rect(text.clip.intersect(self.clip_rect()))
            .galley(pos2(text.area.min.x, y), galley, text.color);
    }
}

/// The type size at which a word `longest` wide at `size` fits in `width`: `size` when it
/// fits, else smaller in proportion, but never below 5 points (then it is clipped).
pub fn fitting_size(size: f32, width: f32, longest: f32) -> f32 {
    if longest <= width || longest <= 0.0 {
        size
    } else {
        (size * width / longest).max(5.0)
    }
}

/// `ReserveStock` as `Reserve Stock`: camel-case names split into words, so small type wraps
/// between them.
pub fn spaced(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_names_split_into_words_for_small_type() {
        assert_eq!(spaced("ReserveStock"), "Reserve Stock");
        assert_eq!(spaced("Place order"), "Place order");
        assert_eq!(spaced("CRM"), "CRM");
        assert_eq!(spaced("Step2Done"), "Step2 Done");
    }

    #[test]
    fn a_word_too_wide_for_its_sticky_shrinks_instead_of_breaking() {
        assert_eq!(fitting_size(14.0, 100.0, 80.0), 14.0);
        assert_eq!(fitting_size(14.0, 100.0, 200.0), 7.0);
        assert_eq!(
            fitting_size(8.0, 10.0, 400.0),
            5.0,
            "a floor: then it is clipped"
        );
    }

    #[derive(Default)]
    struct Recorder {
        rects: Vec<(Rect, Color32)>,
        texts: Vec<(String, f32)>,
    }

    impl Surface for Recorder {
        fn rect(&mut self, rect: Rect, _radius: f32, fill: Color32, _stroke: Stroke) {
            self.rects.push((rect, fill));
        }
        fn text(&mut self, text: &Text<'_>) {
            self.texts.push((text.text.to_owned(), text.size));
        }
    }

    #[test]
    fn a_sticky_is_its_colour_its_kind_and_its_name_and_zoomed_out_only_its_name() {
        let r = Rect::from_min_size(pos2(0.0, 0.0), vec2(140.0, 90.0));
        let mut near = Recorder::default();
        draw(
            &mut near,
            Kind::Event,
            "OrderPlaced",
            r,
            1.0,
            Look::default(),
        );
        assert_eq!(near.rects.len(), 2, "shadow and note");
        assert_eq!(near.rects[1], (r, kind_color(Kind::Event)));
        assert_eq!(
            near.texts,
            [("event".to_owned(), 10.0), ("OrderPlaced".to_owned(), 14.0)]
        );
        let mut far = Recorder::default();
        let small = Rect::from_min_size(pos2(0.0, 0.0), vec2(42.0, 27.0));
        let lit = Look {
            lit: true,
            ..Look::default()
        };
        draw(&mut far, Kind::Event, "OrderPlaced", small, 0.3, lit);
        assert_eq!(far.rects.len(), 2, "glow and note");
        assert_eq!(far.rects[0].1, theme::LIT);
        let mut failed = Recorder::default();
        let look = Look {
            lit: true,
            failed: true,
            ..Look::default()
        };
        draw(&mut failed, Kind::Command, "ChargePayment", r, 1.0, look);
        assert_eq!(
            failed.rects[0].1,
            theme::FAILED,
            "a failure outshines the cursor's glow"
        );
        assert_eq!(far.texts, [("OrderPlaced".to_owned(), 8.0)]);
    }
}
