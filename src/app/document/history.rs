//! Undo and redo: each step keeps the inverse operations of what it changed, never a copy of
//! the model, so a step is as large as its change.
//!
//! One gesture (a drag, one text box's session, a layout) is one step: edits that carry the
//! same gesture id as the previous one extend its step instead of adding another. History is
//! not persisted.

use crate::model::Model;
use crate::model::op::{self, Op, OpError};

/// The most steps kept.
const MAX_STEPS: usize = 500;

/// A step: what it was called, and the ops that take it back (in the order to apply them).
#[derive(Clone, Debug)]
struct Step {
    label: String,
    ops: Vec<Op>,
    /// Names the model state this step leads to (see [`History::position`]).
    serial: u64,
}

/// Undo and redo stacks.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    last_gesture: Option<u64>,
    next_serial: u64,
}

impl History {
    /// Whether an edit with `gesture` would join the last step (see [`History::record`]).
    pub fn joins(&self, gesture: Option<u64>) -> bool {
        gesture.is_some() && gesture == self.last_gesture && !self.undo.is_empty()
    }

    /// Records an applied edit called `label`, whose inverse is `inverses` (in the order to
    /// apply them). Edits with the same non-None `gesture` as the previous edit join its step.
    pub fn record(&mut self, label: &str, inverses: Vec<Op>, gesture: Option<u64>) {
        self.next_serial += 1;
        let serial = self.next_serial;
        self.redo.clear();
        if gesture.is_some()
            && gesture == self.last_gesture
            && let Some(step) = self.undo.last_mut()
        {
            // The step's earliest inverse of a property already restores it: keep only
            // inverses of elements and properties the gesture has not touched before.
            let mut fresh: Vec<Op> = inverses
                .into_iter()
                .filter(|inv| {
                    !(inv.is_set()
                        && step.ops.iter().any(|o| {
                            std::mem::discriminant(o) == std::mem::discriminant(inv)
                                && o.target() == inv.target()
                        }))
                })
                .collect();
            fresh.append(&mut step.ops);
            step.ops = fresh;
            step.serial = serial;
            return;
        }
        self.last_gesture = gesture;
        self.undo.push(Step {
            label: label.to_owned(),
            ops: inverses,
            serial,
        });
        if self.undo.len() > MAX_STEPS {
            self.undo.remove(0);
        }
    }

    /// Ends the current gesture, so the next edit starts a new step.
    pub fn end_gesture(&mut self) {
        self.last_gesture = None;
    }

    /// Undoes one step on `model`; returns its label.
    pub fn undo(&mut self, model: &mut Model) -> Result<Option<String>, OpError> {
        self.last_gesture = None;
        replay(&mut self.undo, &mut self.redo, model)
    }

    /// Redoes one step on `model`; returns its label.
    pub fn redo(&mut self, model: &mut Model) -> Result<Option<String>, OpError> {
        self.last_gesture = None;
        replay(&mut self.redo, &mut self.undo, model)
    }

    /// A name for the current model state: it changes with every edit, and undo and redo
    /// come back to the names they left. Equal positions mean equal models.
    pub fn position(&self) -> u64 {
        self.undo.last().map_or(0, |s| s.serial)
    }

    /// The label of the step Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// The label of the step Redo would reapply.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// The ops that undo the last step, for measuring and tests.
    pub fn undo_ops(&self) -> Option<&[Op]> {
        self.undo.last().map(|s| s.ops.as_slice())
    }

    /// The ops that redo the next step.
    pub fn redo_ops(&self) -> Option<&[Op]> {
        self.redo.last().map(|s| s.ops.as_slice())
    }

    /// Forgets everything (a new document).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Applies the last step of `from` to `model` and moves it, as the ops that take it back,
/// onto `to` (undo: from the undo stack to the redo stack; redo: the other way). A refused
/// step stays where it was.
fn replay(
    from: &mut Vec<Step>,
    to: &mut Vec<Step>,
    model: &mut Model,
) -> Result<Option<String>, OpError> {
    let Some(step) = from.pop() else {
        return Ok(None);
    };
    match op::apply_all(model, step.ops.clone()) {
        Ok(back) => {
            let label = step.label.clone();
            to.push(Step { ops: back, ..step });
            Ok(Some(label))
        }
        Err(e) => {
            from.push(step);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Pos, Uid};

    #[test]
    fn a_gesture_is_one_step_and_undo_redo_restore_models() {
        let mut h = History::default();
        let mut m = Model::new("a");
        m.contexts[0].hotspots.push(crate::model::HotSpot {
            uid: Uid::fresh(),
            text: "why?".into(),
            at: Pos::new(0.0, 0.0),
        });
        let uid = m.contexts[0].hotspots[0].uid;
        let start = m.clone();
        for i in 1..=5 {
            let inv = op::apply_all(
                &mut m,
                vec![Op::SetPos {
                    uid,
                    at: Pos::new(i as f32, 0.0),
                }],
            )
            .unwrap();
            h.record("Move", inv, Some(7));
        }
        assert_eq!(
            h.undo_ops().map(<[Op]>::len),
            Some(1),
            "one inverse per moved sticky"
        );
        h.end_gesture();
        let moved = m.clone();
        let props = op::ModelProps {
            name: "renamed".into(),
            ..op::ModelProps::of(&m)
        };
        let inv = op::apply_all(&mut m, vec![Op::SetModel(Box::new(props))]).unwrap();
        h.record("Rename", inv, None);
        let renamed = m.clone();
        let at_rename = h.position();
        assert_eq!(h.undo(&mut m).unwrap().as_deref(), Some("Rename"));
        assert_eq!(m, moved);
        assert_eq!(h.undo(&mut m).unwrap().as_deref(), Some("Move"));
        assert_eq!(m, start);
        assert_eq!(h.position(), 0);
        assert!(h.undo(&mut m).unwrap().is_none());
        assert_eq!(h.redo(&mut m).unwrap().as_deref(), Some("Move"));
        assert_eq!(h.redo(&mut m).unwrap().as_deref(), Some("Rename"));
        assert_eq!(m, renamed);
        assert_eq!(h.position(), at_rename);
    }
}
