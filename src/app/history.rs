//! Undo and redo: snapshots of the model taken before each gesture.
//!
//! One gesture (a drag, a rename, a layout) is one step: edits that carry the same gesture id
//! as the previous one extend its step instead of adding another. History is not persisted.

use crate::model::Model;

/// The most steps kept.
const MAX_STEPS: usize = 500;

/// A step: what it was called and the model before it.
#[derive(Clone, Debug)]
struct Step {
    label: String,
    before: Model,
}

/// Undo and redo stacks.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    last_gesture: Option<u64>,
}

impl History {
    /// Records that `before` is the model before an edit called `label`. Edits with the same
    /// non-None `gesture` as the previous edit join its step.
    pub fn record(&mut self, before: &Model, label: &str, gesture: Option<u64>) {
        if gesture.is_some() && gesture == self.last_gesture {
            return;
        }
        self.last_gesture = gesture;
        self.undo.push(Step {
            label: label.to_owned(),
            before: before.clone(),
        });
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
        self.redo.clear();
    }

    /// Ends the current gesture, so the next edit starts a new step.
    pub fn end_gesture(&mut self) {
        self.last_gesture = None;
    }

    /// Undoes one step: puts the previous model into `model`; returns the step's label.
    pub fn undo(&mut self, model: &mut Model) -> Option<String> {
        let step = self.undo.pop()?;
        self.last_gesture = None;
        let after = std::mem::replace(model, step.before);
        self.redo.push(Step {
            label: step.label.clone(),
            before: after,
        });
        Some(step.label)
    }

    /// Redoes one step; returns its label.
    pub fn redo(&mut self, model: &mut Model) -> Option<String> {
        let step = self.redo.pop()?;
        self.last_gesture = None;
        let before = std::mem::replace(model, step.before);
        self.undo.push(Step {
            label: step.label.clone(),
            before,
        });
        Some(step.label)
    }

    /// The label of the step Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// The label of the step Redo would reapply.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Forgets everything (a new document).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gesture_is_one_step_and_undo_redo_restore_models() {
        let mut h = History::default();
        let mut m = Model::new("a");
        for i in 0..5 {
            h.record(&m, "Move", Some(7));
            m.name = format!("moved {i}");
        }
        h.end_gesture();
        h.record(&m, "Rename", None);
        m.name = "renamed".into();
        assert_eq!(h.undo(&mut m).as_deref(), Some("Rename"));
        assert_eq!(m.name, "moved 4");
        assert_eq!(h.undo(&mut m).as_deref(), Some("Move"));
        assert_eq!(m.name, "a");
        assert!(h.undo(&mut m).is_none());
        assert_eq!(h.redo(&mut m).as_deref(), Some("Move"));
        assert_eq!(h.redo(&mut m).as_deref(), Some("Rename"));
        assert_eq!(m.name, "renamed");
    }
}
