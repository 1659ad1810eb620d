//! Undo gestures. Edits that carry the same gesture id as the step before them join that
//! step (see `history`): one drag, one slider pull, one burst of arrow-key nudges is one undo
//! step. Every view draws its gesture ids from here, so ids of two views never meet; the
//! other half of the rule — one text box's focus session is one step — is applied to every
//! edit in `Studio::apply_edits`.

use std::sync::atomic::{AtomicU64, Ordering};

/// Gesture ids handed out so far (per process: undo history is never persisted).
static NEXT: AtomicU64 = AtomicU64::new(1);

/// The gesture a view's edits belong to now; `restart` begins the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gesture(u64);

impl Gesture {
    /// A gesture no view has used.
    pub fn fresh() -> Self {
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Ends this gesture: later edits are a new undo step.
    pub fn restart(&mut self) {
        *self = Self::fresh();
    }

    /// The id edits of this gesture carry.
    pub fn id(self) -> u64 {
        self.0
    }
}

impl Default for Gesture {
    fn default() -> Self {
        Self::fresh()
    }
}

/// Names widget `r` `label` for screen readers (and tests), and starts a new gesture when the
/// widget starts being dragged, edited or clicked (so one drag or one text edit is one undo
/// step).
pub fn track(r: &egui::Response, kind: egui::WidgetType, label: &str, gesture: &mut Gesture) {
    r.widget_info(|| egui::WidgetInfo::labeled(kind, true, label));
    if r.drag_started() || r.gained_focus() || r.clicked() {
        gesture.restart();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_views_never_share_a_gesture_and_a_restart_is_a_new_one() {
        let (a, mut b) = (Gesture::default(), Gesture::default());
        assert_ne!(a, b);
        let before = b;
        b.restart();
        assert_ne!(before, b);
        assert_ne!(a, b);
    }
}
