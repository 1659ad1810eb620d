//! The studio's look: EventStorming colours, sticky sizes, light and dark themes.

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
    match kind {
        Kind::Actor => Color32::from_rgb(255, 230, 80),
        Kind::Command => Color32::from_rgb(120, 185, 255),
        Kind::Aggregate => Color32::from_rgb(255, 243, 170),
        Kind::Event => Color32::from_rgb(255, 165, 70),
        Kind::Policy | Kind::Saga => Color32::from_rgb(205, 170, 255),
        Kind::ReadModel => Color32::from_rgb(150, 220, 130),
        Kind::External => Color32::from_rgb(255, 160, 205),
        Kind::HotSpot => Color32::from_rgb(255, 85, 95),
        Kind::Enum | Kind::Value => Color32::from_rgb(225, 225, 225),
        Kind::Context | Kind::Relation | Kind::Scenario => Color32::from_gray(200),
    }
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

/// The arrows of the path taken at the simulation cursor (the amber of lit stickies).
pub const SIM_PATH: Color32 = Color32::from_rgb(245, 160, 0);

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
