//! The start page: what a first run shows (and File → Start Page… shows again) — a blank
//! board, the starter board, the example models, recent files, and how to run a board.

use std::path::PathBuf;

use egui::{RichText, Ui};

/// The example models shipped inside the binary: title, file name, text. The first is the
/// board the studio opens on by default.
pub const EXAMPLES: [(&str, &str, &str); 4] = [
    (
        "Car service bookings (payments, no-shows, a CRM outage)",
        "autoservice.ron",
        include_str!("../../../models/autoservice.ron"),
    ),
    (
        "Accounts and orders (a saga with compensation)",
        "accounts.ron",
        include_str!("../../../models/accounts.ron"),
    ),
    (
        "Conference tickets",
        "conference.ron",
        include_str!("../../../models/conference.ron"),
    ),
    (
        "Developer portal",
        "devportal.ron",
        include_str!("../../../models/devportal.ron"),
    ),
];

/// What the user picked on the start page.
#[derive(Clone, Debug, PartialEq)]
pub enum StartChoice {
    /// An empty board.
    Blank,
    /// The starter board (`model::template::starter`).
    Starter,
    /// Example `i` of [`EXAMPLES`].
    Example(usize),
    /// A recent file.
    Recent(PathBuf),
}

/// The start page's state.
#[derive(Debug, Default)]
pub struct StartPage {
    /// Whether it is shown.
    pub open: bool,
}

impl StartPage {
    /// The page, as a window over the board; returns the user's choice.
    pub fn window(&mut self, ctx: &egui::Context, recent: &[PathBuf]) -> Option<StartChoice> {
        if !self.open {
            return None;
        }
        let mut choice = None;
        let mut open = true;
        egui::Window::new("Welcome to Stormlab")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| choice = page_ui(ui, recent));
        if choice.is_some() || !open {
            self.open = false;
        }
        choice
    }
}

fn page_ui(ui: &mut Ui, recent: &[PathBuf]) -> Option<StartChoice> {
    let mut choice = None;
    ui.label(
        "Draw the board with stickies from the palette, link them (select one, press L, click \
         the other) and the studio writes the behaviour. F5 runs the chosen scenario, F11 \
         presents it.",
    );
    ui.add_space(8.0);
    ui.label(RichText::new("Start").strong());
    if ui.button("New blank board").clicked() {
        choice = Some(StartChoice::Blank);
    }
    if ui
        .button("New from the starter: orders and payments (runs as drawn)")
        .clicked()
    {
        choice = Some(StartChoice::Starter);
    }
    ui.add_space(8.0);
    ui.label(RichText::new("Examples").strong());
    for (i, (title, _, _)) in EXAMPLES.iter().enumerate() {
        if ui.button(*title).clicked() {
            choice = Some(StartChoice::Example(i));
        }
    }
    if !recent.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new("Recent").strong());
        for p in recent.iter().take(6) {
            if ui.button(p.display().to_string()).clicked() {
                choice = Some(StartChoice::Recent(p.clone()));
            }
        }
    }
    choice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_loads_and_checks_without_errors() {
        for (title, file, text) in EXAMPLES {
            let m = crate::model::file::from_str(text, file).unwrap_or_else(|e| panic!("{e}"));
            let errors = crate::export::findings(&m)
                .into_iter()
                .filter(|d| d.severity == crate::model::diagnostic::Severity::Error)
                .count();
            assert_eq!(errors, 0, "{title}");
        }
    }
}
