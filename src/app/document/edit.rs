//! Edits: every change the studio makes to the model is one of these values, applied once per
//! frame by [`crate::app::document::open::Document::apply`] and recorded for undo.

use crate::model::access::Sticky;
use crate::model::{Kind, Model, Pos, Rect, Uid};

/// A change to the model.
#[derive(Clone, Debug)]
#[must_use = "an edit does nothing until it is queued"]
pub enum Edit {
    /// Create a sticky of `kind` at `at` in the context whose frame holds it (or the first).
    Create {
        /// Kind of sticky.
        kind: Kind,
        /// Board position.
        at: Pos,
    },
    /// Add new stickies to a context (paste, duplicate), offset by `offset`. They get new
    /// ids: a copy is a new element.
    Insert {
        /// Target context.
        context: Uid,
        /// The stickies.
        stickies: Vec<Sticky>,
        /// Added to each position.
        offset: (f32, f32),
    },
    /// Add a bounded context with the frame `frame`.
    CreateContext {
        /// Frame.
        frame: Rect,
    },
    /// Apply a quick fix of a finding.
    Fix {
        /// The fix.
        fix: crate::model::fix::Fix,
    },
    /// Rename an element.
    Rename {
        /// Element.
        id: Uid,
        /// New name.
        name: String,
    },
    /// Move stickies (and contexts with their contents) by a delta. Part of a drag gesture.
    Move {
        /// Elements to move.
        ids: Vec<Uid>,
        /// Board-unit delta.
        delta: (f32, f32),
        /// Gesture id: the moves of one drag are one undo step.
        gesture: u64,
    },
    /// Put stickies and context frames at new places, each its own (align, auto-layout):
    /// one step.
    Place {
        /// What the step is called in the Edit menu.
        label: String,
        /// Each sticky and where it goes.
        to: Vec<(Uid, Pos)>,
        /// Each context and its new frame.
        frames: Vec<(Uid, Rect)>,
    },
    /// Resize a context frame. Part of a drag gesture.
    Resize {
        /// The context.
        context: Uid,
        /// New frame.
        frame: Rect,
        /// Gesture id.
        gesture: u64,
    },
    /// Delete elements.
    Delete {
        /// Elements.
        ids: Vec<Uid>,
    },
    /// Replace a sticky with an edited copy (the inspector).
    Replace {
        /// Element.
        id: Uid,
        /// New value.
        sticky: Box<Sticky>,
        /// Gesture id for continuous edits (typing into one text box); None for one-shot edits.
        gesture: Option<u64>,
    },
    /// Draw an arrow from one sticky to another.
    Connect {
        /// Source.
        from: Uid,
        /// Target.
        to: Uid,
    },
    /// Delete the arrow from one sticky to another: the links that make it.
    Unlink {
        /// Source.
        from: Uid,
        /// Target.
        to: Uid,
    },
    /// Typed operations a view made (the context inspector): applied as they are.
    Ops {
        /// What the step is called in the Edit menu.
        label: String,
        /// The operations, in order.
        ops: Vec<crate::model::op::Op>,
        /// Gesture id for continuous edits.
        gesture: Option<u64>,
    },
    /// Go back to the model as last saved: one step, and the document is saved again.
    Revert,
    /// Replace the document's model with another one (Reload from disk, Recover after a
    /// crash): one clearly labelled step holding what differs.
    ReplaceDocument {
        /// What the step is called in the Edit menu.
        label: String,
        /// The new model.
        model: Box<Model>,
    },
}

impl Edit {
    /// The name of this edit in the Edit menu (`Undo Rename ‘Booking’`), in `model` as it
    /// is before the edit.
    pub fn label(&self, model: &Model) -> String {
        let name = |id: &Uid| {
            model
                .locate(*id)
                .and_then(|l| model.name_of(l))
                .map_or_else(String::new, |n| format!(" ‘{n}’"))
        };
        let many = |verb: &str, ids: &[Uid]| match ids {
            [one] => format!("{verb}{}", name(one)),
            _ => format!("{verb} {} elements", ids.len()),
        };
        match self {
            Edit::Create { kind, .. } => format!("Create {}", kind.label()),
            Edit::Insert { stickies, .. } => match stickies.len() {
                1 => "Paste 1 sticky".into(),
                n => format!("Paste {n} stickies"),
            },
            Edit::CreateContext { .. } => "Create context".into(),
            Edit::Rename { id, .. } => format!("Rename{}", name(id)),
            Edit::Move { ids, .. } => many("Move", ids),
            Edit::Place { label, .. } => label.clone(),
            Edit::Resize { context, .. } => format!("Resize{}", name(context)),
            Edit::Delete { ids } => many("Delete", ids),
            Edit::Replace { id, .. } => format!("Edit{}", name(id)),
            Edit::Connect { from, to } => format!("Link{} to{}", name(from), name(to)),
            Edit::Unlink { from, to } => {
                format!("Delete arrow{} →{}", name(from), name(to))
            }
            Edit::Revert => "Revert".into(),
            Edit::Fix { fix } => format!("Fix: {}", fix.label()),
            Edit::Ops { label, .. } | Edit::ReplaceDocument { label, .. } => label.clone(),
        }
    }

    /// Makes this edit part of gesture `gesture` (edits that cannot join one are left as
    /// they are).
    pub fn set_gesture(&mut self, gesture: u64) {
        match self {
            Edit::Move { gesture: g, .. } | Edit::Resize { gesture: g, .. } => *g = gesture,
            Edit::Replace { gesture: g, .. } | Edit::Ops { gesture: g, .. } => *g = Some(gesture),
            _ => {}
        }
    }

    /// The gesture this edit belongs to, if it is part of a continuous one.
    pub fn gesture(&self) -> Option<u64> {
        match self {
            Edit::Move { gesture, .. } | Edit::Resize { gesture, .. } => Some(*gesture),
            Edit::Replace { gesture, .. } | Edit::Ops { gesture, .. } => *gesture,
            _ => None,
        }
    }
}
