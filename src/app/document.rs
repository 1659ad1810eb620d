//! The open document: the model, where it lives on disk, whether it has unsaved changes,
//! and its undo history.

use std::path::PathBuf;

use super::edit::Edit;
use super::history::History;
use crate::model::access::Sticky;
use crate::model::connect::{connect, unique_name};
use crate::model::{ElementId, Kind, Model, Pos, Rect};

/// One open model.
#[derive(Debug)]
pub struct Document {
    /// The model as edited.
    pub model: Model,
    /// The file it was loaded from or saved to (None: embedded example or new).
    pub path: Option<PathBuf>,
    /// The model as last loaded or saved, to tell whether there are unsaved changes.
    saved: Model,
    /// Undo/redo.
    pub history: History,
    /// Increases with every change; views rebuild their caches when it moves.
    pub revision: u64,
}

/// What applying an edit produced, for the UI to act on.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Elements to select afterwards (created or pasted ones).
    pub select: Vec<ElementId>,
    /// A message for the status bar.
    pub message: Option<String>,
}

impl Document {
    /// A document for `model`, stored at `path`.
    pub fn new(model: Model, path: Option<PathBuf>) -> Self {
        Self {
            saved: model.clone(),
            model,
            path,
            history: History::default(),
            revision: 0,
        }
    }

    /// True if the model differs from the last loaded or saved version.
    pub fn is_dirty(&self) -> bool {
        self.model != self.saved
    }

    /// Marks the current model as saved at `path`.
    pub fn mark_saved(&mut self, path: PathBuf) {
        self.path = Some(path);
        self.saved = self.model.clone();
        self.revision += 1;
    }

    /// The model as last saved (for Revert and Compare).
    pub fn saved_model(&self) -> &Model {
        &self.saved
    }

    /// The file name for the window title.
    pub fn title(&self) -> String {
        let name = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{} (unsaved)", self.model.name));
        if self.is_dirty() {
            format!("● {name} — Stormlab")
        } else {
            format!("{name} — Stormlab")
        }
    }

    /// Undoes one step.
    pub fn undo(&mut self) -> Option<String> {
        let label = self.history.undo(&mut self.model)?;
        self.revision += 1;
        Some(format!("Undid {label}"))
    }

    /// Redoes one step.
    pub fn redo(&mut self) -> Option<String> {
        let label = self.history.redo(&mut self.model)?;
        self.revision += 1;
        Some(format!("Redid {label}"))
    }

    /// Applies one edit, recording it for undo. A refused edit changes nothing and says why.
    pub fn apply(&mut self, edit: Edit) -> Result<Applied, String> {
        let mut next = self.model.clone();
        let label = edit.label();
        let gesture = edit.gesture();
        let applied = apply_to(&mut next, edit)?;
        if next != self.model {
            self.history.record(&self.model, &label, gesture);
            self.model = next;
            self.revision += 1;
        }
        Ok(applied)
    }
}

/// The context whose frame contains `at`, else the nearest frame's context (None if none).
pub fn context_at(model: &Model, at: Pos) -> Option<usize> {
    model
        .contexts
        .iter()
        .position(|c| c.frame.contains(at))
        .or_else(|| {
            model
                .contexts
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    let d = |r: &Rect| {
                        let cx = at.x.clamp(r.x, r.x + r.w);
                        let cy = at.y.clamp(r.y, r.y + r.h);
                        (cx - at.x).powi(2) + (cy - at.y).powi(2)
                    };
                    d(&a.frame).total_cmp(&d(&b.frame))
                })
                .map(|(i, _)| i)
        })
}

fn apply_to(model: &mut Model, edit: Edit) -> Result<Applied, String> {
    match edit {
        Edit::Create { kind, at } => {
            let ctx = match context_at(model, at) {
                Some(c) => c,
                None => {
                    model.contexts.push(crate::model::BoundedContext {
                        name: "Core".into(),
                        frame: Rect {
                            x: at.x - 40.0,
                            y: at.y - 60.0,
                            w: 1000.0,
                            h: 600.0,
                        },
                        ..Default::default()
                    });
                    model.contexts.len() - 1
                }
            };
            let base = match kind {
                Kind::Actor => "Actor",
                Kind::Command => "DoSomething",
                Kind::Aggregate => "Aggregate",
                Kind::Event => "SomethingHappened",
                Kind::Policy => "Policy",
                Kind::Saga => "Process",
                Kind::ReadModel => "ReadModel",
                Kind::External => "ExternalSystem",
                Kind::HotSpot => "Question",
                other => return Err(format!("a {} is not created on the board", other.label())),
            };
            let name = if kind == Kind::HotSpot {
                "What happens here?".to_owned()
            } else {
                unique_name(model, ctx, base)
            };
            let sticky = Sticky::new_of(kind, &name, at).ok_or("cannot create that kind")?;
            let id = model
                .insert_sticky(ctx, sticky)
                .ok_or("no context to put it in")?;
            Ok(Applied {
                select: vec![id],
                message: Some(format!("Created {} {name}", kind.label())),
            })
        }
        Edit::Insert {
            context,
            stickies,
            offset,
        } => {
            if context >= model.contexts.len() {
                return Err("no context to paste into".into());
            }
            let mut select = Vec::new();
            for mut s in stickies {
                if s.kind() != Kind::HotSpot {
                    let name = unique_name(model, context, s.name_mut());
                    *s.name_mut() = name;
                }
                if let Some(p) = s.pos_mut() {
                    p.x += offset.0;
                    p.y += offset.1;
                }
                if let Some(id) = model.insert_sticky(context, s) {
                    select.push(id);
                }
            }
            let n = select.len();
            Ok(Applied {
                select,
                message: Some(format!("Pasted {n} element(s)")),
            })
        }
        Edit::CreateContext { frame } => {
            let taken: Vec<&str> = model.contexts.iter().map(|c| c.name.as_str()).collect();
            let name = (1..)
                .map(|i| {
                    if i == 1 {
                        "NewContext".to_owned()
                    } else {
                        format!("NewContext{i}")
                    }
                })
                .find(|n| !taken.contains(&n.as_str()))
                .unwrap_or_default();
            model.contexts.push(crate::model::BoundedContext {
                name,
                frame,
                ..Default::default()
            });
            Ok(Applied {
                select: vec![ElementId {
                    kind: Kind::Context,
                    context: None,
                    index: model.contexts.len() - 1,
                }],
                message: None,
            })
        }
        Edit::Rename { id, name } => {
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err("a name cannot be empty".into());
            }
            let old = model
                .name_of(id)
                .ok_or("that element no longer exists")?
                .to_owned();
            if old == name {
                return Ok(Applied::default());
            }
            crate::model::refs::rename(model, id, &name);
            Ok(Applied {
                select: vec![id],
                message: Some(format!("Renamed {old} to {name}")),
            })
        }
        Edit::Move { ids, delta, .. } => {
            let moved_contexts: Vec<usize> = ids
                .iter()
                .filter(|i| i.kind == Kind::Context)
                .map(|i| i.index)
                .collect();
            for id in &ids {
                if id.kind == Kind::Context {
                    if let Some(c) = model.contexts.get_mut(id.index) {
                        c.frame.x += delta.0;
                        c.frame.y += delta.1;
                    }
                    let inner: Vec<ElementId> = model
                        .elements()
                        .iter()
                        .filter(|e| e.id.context == Some(id.index) && e.at.is_some())
                        .map(|e| e.id)
                        .collect();
                    for e in inner {
                        if let Some(p) = model.pos_mut(e) {
                            p.x += delta.0;
                            p.y += delta.1;
                        }
                    }
                } else if id.context.is_some_and(|c| moved_contexts.contains(&c)) {
                    // Already moved with its context.
                } else if let Some(p) = model.pos_mut(*id) {
                    p.x += delta.0;
                    p.y += delta.1;
                }
            }
            Ok(Applied::default())
        }
        Edit::Resize { context, frame, .. } => {
            let c = model
                .contexts
                .get_mut(context)
                .ok_or("that context no longer exists")?;
            c.frame = Rect {
                w: frame.w.max(200.0),
                h: frame.h.max(120.0),
                ..frame
            };
            Ok(Applied::default())
        }
        Edit::Delete { ids } => {
            let n = ids.len();
            model.remove_elements(&ids);
            Ok(Applied {
                select: vec![],
                message: Some(format!("Deleted {n} element(s)")),
            })
        }
        Edit::Replace { id, sticky, .. } => {
            if model.set_sticky(id, *sticky) {
                Ok(Applied::default())
            } else {
                Err("that element no longer exists".into())
            }
        }
        Edit::Connect { from, to } => {
            let what = connect(model, from, to)?;
            Ok(Applied {
                select: vec![to],
                message: Some(what),
            })
        }
        Edit::Model { model: new, .. } => {
            *model = *new;
            Ok(Applied::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_move_undo_redo_and_dirty_tracking() {
        let mut doc = Document::new(Model::new("t"), None);
        assert!(!doc.is_dirty());
        let a = doc
            .apply(Edit::Create {
                kind: Kind::Event,
                at: Pos::new(100.0, 100.0),
            })
            .unwrap();
        let id = a.select[0];
        assert!(doc.is_dirty());
        for _ in 0..3 {
            doc.apply(Edit::Move {
                ids: vec![id],
                delta: (10.0, 0.0),
                gesture: 1,
            })
            .unwrap();
        }
        assert_eq!(doc.model.pos_of(id), Some(Pos::new(130.0, 100.0)));
        doc.undo();
        assert_eq!(
            doc.model.pos_of(id),
            Some(Pos::new(100.0, 100.0)),
            "one drag is one undo step"
        );
        doc.undo();
        assert!(!doc.is_dirty());
        doc.redo();
        doc.redo();
        assert_eq!(doc.model.pos_of(id), Some(Pos::new(130.0, 100.0)));
    }

    #[test]
    fn a_refused_edit_records_nothing() {
        let mut doc = Document::new(Model::new("t"), None);
        let ev = doc
            .apply(Edit::Create {
                kind: Kind::Event,
                at: Pos::new(10.0, 10.0),
            })
            .unwrap()
            .select[0];
        let actor = doc
            .apply(Edit::Create {
                kind: Kind::Actor,
                at: Pos::new(200.0, 10.0),
            })
            .unwrap()
            .select[0];
        let rev = doc.revision;
        assert!(
            doc.apply(Edit::Connect {
                from: ev,
                to: actor
            })
            .is_err()
        );
        assert_eq!(doc.revision, rev);
        assert_eq!(doc.history.undo_label(), Some("Create actor"));
    }

    #[test]
    fn moving_a_context_moves_its_stickies() {
        let mut doc = Document::new(Model::new("t"), None);
        let ev = doc
            .apply(Edit::Create {
                kind: Kind::Event,
                at: Pos::new(10.0, 10.0),
            })
            .unwrap()
            .select[0];
        let ctx = ElementId {
            kind: Kind::Context,
            context: None,
            index: 0,
        };
        doc.apply(Edit::Move {
            ids: vec![ctx, ev],
            delta: (5.0, 5.0),
            gesture: 9,
        })
        .unwrap();
        assert_eq!(doc.model.pos_of(ev), Some(Pos::new(15.0, 15.0)));
        assert_eq!(doc.model.contexts[0].frame.x, 5.0);
    }
}
