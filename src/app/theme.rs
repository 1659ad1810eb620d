//! The studio's look: EventStorming colours, sticky sizes, light and dark themes, and the
//! colours that carry a meaning (ok, error, warning…) for each theme. Every colour the studio
//! paints comes from here: `clippy.toml` disallows making one anywhere else, so a restyle or
//! a dark-mode fix is one change in this file.
#![allow(clippy::disallowed_methods)]

use egui::{Color32, Vec2};

use crate::model::Kind;

/// A kind's colour dark enough for text and graph nodes on a light background.
pub fn kind_ink(kind: Kind) -> Color32 {
    let c = kind_color(kind);
    let dark = |v: u8| (f32::from(v) * 0.6) as u8;
    Color32::from_rgb(dark(c.r()), dark(c.g()), dark(c.b()))
}

/// The sticky colour of a kind (the classic EventStorming palette).
pub fn kind_color(kind: Kind) -> Color32 {
    let [r, g, b] = kind.rgb();
    Color32::from_rgb(r, g, b)
}

/// The size of a sticky of `kind`, in board units.
pub fn sticky_size(kind: Kind) -> Vec2 {
    match kind {
        Kind::Actor => Vec2::new(110.0, 64.0),
        Kind::Aggregate => Vec2::new(160.0, 110.0),
        Kind::HotSpot => Vec2::new(150.0, 90.0),
        _ => Vec2::new(140.0, 90.0),
    }
}

/// Text on stickies is always dark: sticky colours are light in both themes.
pub const STICKY_TEXT: Color32 = Color32::from_rgb(30, 30, 35);

/// The colour of selection outlines and the link being drawn.
pub const SELECTION: Color32 = Color32::from_rgb(0, 110, 255);

/// The dashed arrows from a read model to what looks it up (the read models' green, deep
/// enough for both themes).
pub const LOOKUP: Color32 = Color32::from_rgb(60, 160, 80);

/// The arrows of the path taken at the simulation cursor (the amber of lit stickies).
pub const SIM_PATH: Color32 = Color32::from_rgb(245, 160, 0);

/// Colours with a meaning, in the variant readable on the current theme's background.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tokens {
    /// Passed, compatible, nothing wrong.
    pub ok: Color32,
    /// Failed, rejected, breaking, invalid.
    pub error: Color32,
    /// A warning; unsaved changes; a parked message.
    pub warning: Color32,
    /// Something that went the other way: compensated, timed out.
    pub caution: Color32,
    /// A compensation step.
    pub compensation: Color32,
    /// Neutral information: a command, a deadline.
    pub info: Color32,
    /// An event in graphs and sequence diagrams.
    pub event: Color32,
    /// Text of less importance.
    pub muted: Color32,
    /// The board's frame fill behind a context.
    pub frame_fill: Color32,
    /// The outline of a palette chip.
    pub chip_outline: Color32,
}

impl Tokens {
    /// On a light background.
    pub const LIGHT: Tokens = Tokens {
        ok: Color32::from_rgb(40, 140, 60),
        error: Color32::from_rgb(200, 40, 40),
        warning: Color32::from_rgb(190, 120, 0),
        caution: Color32::from_rgb(200, 90, 20),
        compensation: Color32::from_rgb(140, 70, 200),
        info: Color32::from_rgb(40, 110, 220),
        event: Color32::from_rgb(210, 110, 0),
        muted: Color32::from_gray(120),
        frame_fill: Color32::from_rgba_unmultiplied_const(0, 40, 120, 10),
        chip_outline: Color32::from_black_alpha(60),
    };

    /// On a dark background: the same meanings, lighter.
    pub const DARK: Tokens = Tokens {
        ok: Color32::from_rgb(95, 200, 115),
        error: Color32::from_rgb(255, 105, 100),
        warning: Color32::from_rgb(240, 175, 50),
        caution: Color32::from_rgb(245, 140, 70),
        compensation: Color32::from_rgb(190, 150, 255),
        info: Color32::from_rgb(115, 165, 255),
        event: Color32::from_rgb(255, 165, 70),
        muted: Color32::from_gray(150),
        frame_fill: Color32::from_rgba_unmultiplied_const(255, 255, 255, 8),
        chip_outline: Color32::from_rgba_premultiplied(60, 60, 60, 60),
    };
}

/// The meaning colours for the theme `ui` is drawn in.
pub fn tokens(ui: &egui::Ui) -> &'static Tokens {
    tokens_for(ui.visuals().dark_mode)
}

/// The meaning colours for a dark or a light theme.
pub fn tokens_for(dark: bool) -> &'static Tokens {
    if dark { &Tokens::DARK } else { &Tokens::LIGHT }
}

/// Colours for a chart's series, one per line, told apart on either background.
pub const SERIES: [Color32; 9] = [
    Color32::from_rgb(230, 120, 20),
    Color32::from_rgb(40, 110, 220),
    Color32::from_rgb(40, 160, 80),
    Color32::from_rgb(200, 50, 60),
    Color32::from_rgb(140, 80, 200),
    Color32::from_rgb(20, 160, 170),
    Color32::from_rgb(190, 160, 20),
    Color32::from_rgb(200, 90, 170),
    Color32::from_rgb(120, 120, 120),
];

/// The glow behind a sticky lit by the simulation cursor.
pub const LIT: Color32 = Color32::from_rgba_unmultiplied_const(255, 190, 0, 150);

/// The glow behind a sticky where something failed at the simulation cursor.
pub const FAILED: Color32 = Color32::from_rgba_unmultiplied_const(230, 40, 40, 170);

/// A sticky's soft shadow on the board.
pub const SHADOW: Color32 = Color32::from_black_alpha(40);

/// A sticky's outline: plain, hovered, and a saga's frame.
pub const STICKY_OUTLINE: Color32 = Color32::from_black_alpha(50);
/// A hovered sticky's outline.
pub const STICKY_HOVER: Color32 = Color32::from_gray(90);
/// A saga's frame (sagas are policies that remember).
pub const SAGA_FRAME: Color32 = Color32::from_rgb(120, 80, 190);

/// Simulation badges under stickies: a dark pill with light text in both themes, readable
/// at a projector's distance.
pub const BADGE_FILL: Color32 = Color32::from_rgba_unmultiplied_const(40, 40, 50, 220);
/// Text on a badge, and outlines drawn over dark fills.
pub const ON_DARK: Color32 = Color32::WHITE;

/// Applies the studio's theme: larger text for workshops, the chosen light/dark base.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        for (text_style, font) in style.text_styles.iter_mut() {
            font.size = match text_style {
                egui::TextStyle::Heading => 20.0,
                egui::TextStyle::Small => 11.0,
                _ => 14.5,
            };
        }
    });
}

/// The colours of the people at a shared board (pointer, selection outline, name), picked by
/// name so that everybody sees each person in the same colour.
pub const PEERS: [Color32; 6] = [
    Color32::from_rgb(214, 39, 40),
    Color32::from_rgb(44, 160, 44),
    Color32::from_rgb(148, 103, 189),
    Color32::from_rgb(23, 190, 207),
    Color32::from_rgb(227, 119, 194),
    Color32::from_rgb(140, 86, 75),
];

/// The colour of the person called `name` at a shared board.
pub fn peer_color(name: &str) -> Color32 {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    PEERS[(h % PEERS.len() as u64) as usize]
}
