//! Helpers for text boxes shared by the board (rename in place) and the inspector.

/// Selects all of `text` in the text box `id`, so that typing replaces it (a placeholder
/// name, a name being renamed with F2).
pub fn select_all(ctx: &egui::Context, id: egui::Id, text: &str) {
    let mut state = egui::TextEdit::load_state(ctx, id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::two(
            egui::text::CCursor::default(),
            egui::text::CCursor::new(text.chars().count()),
        )));
    state.store(ctx, id);
}
