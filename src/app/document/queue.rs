//! The edits the views asked for this frame, and the one rule that groups them into undo
//! steps: the edits made while one text box keeps the keyboard focus are one step (a rename,
//! a description, a guard typed key by key); moving the focus starts the next; a burst of
//! arrow-key nudges is one step until a pause of a second. Drags and sliders carry their
//! own [`Gesture`].

use super::edit::Edit;
use super::gesture::Gesture;

/// A pause longer than this (seconds) ends a burst of nudges.
const NUDGE_PAUSE: f64 = 1.0;

/// The queue of edits the views push during a frame, applied once per frame.
#[derive(Debug)]
pub struct EditQueue {
    edits: Vec<Edit>,
    /// The text box that had the keyboard focus when edits were last taken, and its session.
    typing: (Option<u64>, Gesture),
    /// The burst of nudges, and when the last one was (UI clock, seconds).
    nudging: (Gesture, f64),
}

impl Default for EditQueue {
    fn default() -> Self {
        Self {
            edits: Vec::new(),
            typing: (None, Gesture::fresh()),
            nudging: (Gesture::fresh(), f64::NEG_INFINITY),
        }
    }
}

impl EditQueue {
    /// Asks for an edit.
    pub fn push(&mut self, edit: Edit) {
        self.edits.push(edit);
    }

    /// The queue itself, for views that push several edits.
    pub fn sink(&mut self) -> &mut Vec<Edit> {
        &mut self.edits
    }

    /// Drops what was asked for (the document it was for is gone).
    pub fn clear(&mut self) {
        self.edits.clear();
    }

    /// The gesture of an arrow-key nudge made at `now` (UI clock, seconds): the same as the
    /// previous nudge's unless a second has passed since.
    pub fn nudge(&mut self, now: f64) -> u64 {
        let (gesture, last) = &mut self.nudging;
        if now - *last > NUDGE_PAUSE {
            gesture.restart();
        }
        *last = now;
        gesture.id()
    }

    /// Takes this frame's edits, in order, each given its undo step: an edit without a
    /// gesture of its own made while the text box `focus` (an id) has the keyboard focus
    /// joins that box's focus session.
    pub fn take(&mut self, focus: Option<u64>) -> Vec<Edit> {
        if focus != self.typing.0 {
            self.typing = (focus, Gesture::fresh());
        }
        let mut edits = std::mem::take(&mut self.edits);
        if focus.is_some() {
            for edit in &mut edits {
                if edit.gesture().is_none() {
                    edit.set_gesture(self.typing.1.id());
                }
            }
        }
        edits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> Edit {
        Edit::Ops {
            label: "Edit model".into(),
            ops: vec![],
            gesture: None,
        }
    }

    fn gestures(q: &mut EditQueue, focus: Option<u64>, n: usize) -> Vec<Option<u64>> {
        for _ in 0..n {
            q.push(typed());
        }
        q.take(focus).iter().map(Edit::gesture).collect()
    }

    #[test]
    fn one_focus_session_is_one_step_and_moving_the_focus_starts_the_next() {
        let mut q = EditQueue::default();
        let first = gestures(&mut q, Some(7), 2);
        let later = gestures(&mut q, Some(7), 1);
        assert!(first[0].is_some());
        assert_eq!(first[0], first[1]);
        assert_eq!(first[0], later[0]);
        let other_box = gestures(&mut q, Some(8), 1);
        assert_ne!(other_box[0], first[0]);
        // Back in the first box: a new session, a new step.
        let again = gestures(&mut q, Some(7), 1);
        assert_ne!(again[0], first[0]);
        assert_ne!(again[0], other_box[0]);
        // Without a focused box, each edit is its own step.
        assert_eq!(gestures(&mut q, None, 2), vec![None, None]);
    }

    #[test]
    fn an_edit_with_its_own_gesture_keeps_it() {
        let mut q = EditQueue::default();
        let drag = Gesture::fresh().id();
        q.push(Edit::Ops {
            label: "Drag".into(),
            ops: vec![],
            gesture: Some(drag),
        });
        assert_eq!(q.take(Some(3))[0].gesture(), Some(drag));
    }

    #[test]
    fn nudges_are_one_step_until_a_pause_of_a_second() {
        let mut q = EditQueue::default();
        let a = q.nudge(10.0);
        assert_eq!(q.nudge(10.4), a);
        assert_eq!(q.nudge(11.3), a);
        let b = q.nudge(12.5);
        assert_ne!(a, b);
    }
}
