//! The desktop studio (egui): the board editor and the simulation panels.
//!
//! Data flows one way: the UI reads the [`document::open::Document`] and queues
//! [`document::edit::Edit`]s, which are applied once per frame and recorded for undo. The
//! folders are the rooms: `shell`, `commands`, `document`, `board`, `inspector`,
//! `simulation`, `authoring`; graphs, contracts, problems and the theme stand alone.

pub mod authoring;
pub mod board;
pub mod commands;
pub mod contracts;
pub mod document;
pub mod graphs;
pub mod inspector;
pub mod problems;
pub mod shell;
pub mod simulation;
pub mod text;
pub mod theme;

use shell::studio::{Prefs, Studio};

/// The eframe application: the studio plus preference storage.
pub struct StudioApp {
    /// The studio.
    pub studio: Studio,
}

impl StudioApp {
    /// Creates the app for `file` (or the embedded example), restoring preferences.
    pub fn new(cc: &eframe::CreationContext<'_>, file: Option<std::path::PathBuf>) -> Self {
        let mut prefs: Prefs = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        // Closed while presenting: back to the zoom from before (egui keeps the last one).
        if let Some(zoom) = prefs.zoom_before_presenting.take() {
            cc.egui_ctx.set_zoom_factor(zoom);
        }
        theme::apply(&cc.egui_ctx, prefs.dark);
        let first_screen = file.is_none();
        let (mut studio, _) = Studio::from_args(file, prefs);
        // Without a file to open, the first screen offers where to start.
        studio.windows.start.open = first_screen;
        Self { studio }
    }
}

impl eframe::App for StudioApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.studio.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, self.studio.prefs());
    }
}

/// The studio's application id: its window's name and its data folder (see
/// [`document::recovery::recovery_dir`]).
pub const APP_ID: &str = "Stormlab";

/// Opens the studio window on `file`, or on the embedded example model.
pub fn run(file: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Stormlab")
        .with_inner_size([1400.0, 900.0])
        .with_min_inner_size([800.0, 500.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| Ok(Box::new(StudioApp::new(cc, file)))),
    )
    .map_err(|e| anyhow::anyhow!("could not open the studio window: {e}"))
}
