//! The open document: the model, where it lives on disk, whether it has unsaved changes,
//! and its undo history.

use std::path::PathBuf;

use crate::app::document::edit::Edit;
use crate::app::document::history::History;
use crate::model::access::Sticky;
use crate::model::connect::{connect, unique_name};
use crate::model::disconnect::disconnect;
use crate::model::op::{self, ContextProps, Op};
use crate::model::{Kind, Loc, Model, Pos, Rect, Uid};

/// One open model.
#[derive(Debug)]
pub struct Document {
    /// The model as edited.
    pub model: Model,
    /// The file it was loaded from or saved to (None: embedded example or new).
    pub path: Option<PathBuf>,
    /// The model as last loaded or saved (for Revert and Compare).
    saved: Model,
    /// The history position of the saved model: the model is unsaved when it differs.
    saved_at: u64,
    /// Undo/redo.
    pub history: History,
    /// Increases with every change; views rebuild their caches when it moves.
    pub revision: u64,
    /// Increases with every change other than moving stickies (what the flow between them
    /// depends on: the board keeps its arrows while a drag only moves things).
    pub structure: u64,
    /// While the board is shared: what each applied edit changed (its inverse ops) and
    /// whether it began a new undo step, for the shared document to take in.
    pub tap: Option<Vec<Tapped>>,
}

/// One applied edit, as the shared document needs it.
#[derive(Clone, Debug)]
pub struct Tapped {
    /// The inverses of what it changed (they address the same elements).
    pub ops: Vec<Op>,
    /// It began a new undo step (else it joined the last one: a drag, a typing session).
    pub new_step: bool,
}

/// Whether `ops` only move stickies.
fn moves_only(ops: &[Op]) -> bool {
    ops.iter().all(|o| matches!(o, Op::SetPos { .. }))
}

/// What applying an edit produced, for the UI to act on.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Elements to select afterwards (created or pasted ones).
    pub select: Vec<Uid>,
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
            saved_at: 0,
            history: History::default(),
            revision: 0,
            structure: 0,
            tap: None,
        }
    }

    /// True if the model differs from the last loaded or saved version (no model is
    /// compared: undo and redo come back to the position that was saved).
    pub fn is_dirty(&self) -> bool {
        self.history.position() != self.saved_at
    }

    /// Marks the current model as saved at `path`.
    pub fn mark_saved(&mut self, path: PathBuf) {
        self.path = Some(path);
        self.saved = self.model.clone();
        self.saved_at = self.history.position();
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

    /// Hands what an edit changed to the shared document, while there is one.
    fn tap(&mut self, inverses: &[Op], gesture: Option<u64>) {
        if let Some(t) = &mut self.tap {
            t.push(Tapped {
                ops: inverses.to_vec(),
                new_step: !self.history.joins(gesture),
            });
        }
    }

    /// Replaces the model by `model` as a peer's edit (or a shared undo) made it: no undo step
    /// of this person's, every view refreshed.
    pub fn replace_shared(&mut self, model: Model) {
        self.model = model;
        self.revision += 1;
        self.structure += 1;
        // Differs from the file now (until saved).
        self.saved_at = u64::MAX;
    }

    /// Drops the undo history (sharing starts or ends: undo steps made on one side of that
    /// do not apply on the other), keeping whether there are unsaved changes.
    pub fn forget_history(&mut self) {
        let dirty = self.is_dirty();
        self.history.clear();
        self.saved_at = if dirty {
            u64::MAX
        } else {
            self.history.position()
        };
    }

    /// Undoes one step.
    pub fn undo(&mut self) -> Option<String> {
        if !self.history.undo_ops().is_some_and(moves_only) {
            self.structure += 1;
        }
        let done = self.history.undo(&mut self.model);
        self.step_message("Undid", "undo", done)
    }

    /// Redoes one step.
    pub fn redo(&mut self) -> Option<String> {
        if !self.history.redo_ops().is_some_and(moves_only) {
            self.structure += 1;
        }
        let done = self.history.redo(&mut self.model);
        self.step_message("Redid", "redo", done)
    }

    fn step_message(
        &mut self,
        did: &str,
        verb: &str,
        done: Result<Option<String>, op::OpError>,
    ) -> Option<String> {
        match done {
            Ok(Some(label)) => {
                self.revision += 1;
                Some(format!("{did} {label}"))
            }
            Ok(None) => None,
            Err(e) => Some(format!("Could not {verb}: {e}")),
        }
    }

    /// Applies one edit, recording the inverse of what it changed for undo. A refused edit
    /// changes nothing and says why.
    pub fn apply(&mut self, edit: Edit) -> Result<Applied, String> {
        let label = edit.label(&self.model);
        let gesture = edit.gesture();
        let revert = matches!(edit, Edit::Revert);
        let (ops, applied) = match edit {
            Edit::Revert => (op::diff(&self.model, &self.saved), Applied::default()),
            Edit::Rename { id, name } => {
                // A rename changes the model in place and says what it touched.
                let (inverses, applied) = rename(&mut self.model, id, &name)?;
                if !inverses.is_empty() {
                    self.tap(&inverses, gesture);
                    self.history.record(&label, inverses, gesture);
                    self.revision += 1;
                    self.structure += 1;
                }
                return Ok(applied);
            }
            edit => match direct_ops(&self.model, edit) {
                Ok(planned) => planned?,
                Err(edit) => {
                    // Edits written as a change to a copy (renames rewrite references,
                    // links add handlers): their ops are what changed.
                    let replaces = matches!(edit, Edit::ReplaceDocument { .. });
                    let mut next = self.model.clone();
                    let applied = apply_to(&mut next, edit)?;
                    if replaces {
                        // A model from an editor or a file: elements it made without ids (or
                        // copied with theirs) get their own.
                        next.assign_ids();
                    }
                    (op::diff(&self.model, &next), applied)
                }
            },
        };
        if !ops.is_empty() {
            let moves = moves_only(&ops);
            let inverses = op::apply_all(&mut self.model, ops).map_err(|e| e.to_string())?;
            self.tap(&inverses, gesture);
            self.history.record(&label, inverses, gesture);
            self.revision += 1;
            if !moves {
                self.structure += 1;
            }
        }
        if revert {
            self.saved_at = self.history.position();
        }
        Ok(applied)
    }
}

/// The ops of the edits that say exactly what they change (moves, layouts, resizes, an
/// inspector edit, a new sticky), found without copying the model; other edits come back
/// as `Err` to be applied to a copy.
fn direct_ops(model: &Model, edit: Edit) -> Result<Result<(Vec<Op>, Applied), String>, Edit> {
    let ops = match edit {
        Edit::Move { ids, delta, .. } => {
            let locs: Vec<(Uid, Loc)> = ids
                .iter()
                .filter_map(|&u| Some((u, model.locate(u)?)))
                .collect();
            let moved_contexts: Vec<usize> = locs
                .iter()
                .filter(|(_, l)| l.kind == Kind::Context)
                .map(|(_, l)| l.index)
                .collect();
            let shift = |p: Pos| Pos::new(p.x + delta.0, p.y + delta.1);
            let mut ops = Vec::new();
            for &ci in &moved_contexts {
                let c = &model.contexts[ci];
                let mut props = ContextProps::of(c);
                props.frame.x += delta.0;
                props.frame.y += delta.1;
                ops.push(Op::SetContext {
                    uid: c.uid,
                    props: Box::new(props),
                });
                for e in model.elements() {
                    if e.loc.context == Some(ci)
                        && let Some(at) = e.at
                    {
                        ops.push(Op::SetPos {
                            uid: e.uid,
                            at: shift(at),
                        });
                    }
                }
            }
            for (uid, loc) in locs {
                if loc.kind == Kind::Context
                    || loc.context.is_some_and(|c| moved_contexts.contains(&c))
                {
                    continue;
                }
                if let Some(at) = model.pos_of(loc) {
                    ops.push(Op::SetPos { uid, at: shift(at) });
                }
            }
            ops
        }
        Edit::Place { to, frames, .. } => {
            let mut ops = Vec::new();
            for (uid, frame) in frames {
                if let Some(c) = model.contexts.iter().find(|c| c.uid == uid) {
                    let mut props = ContextProps::of(c);
                    props.frame = frame;
                    ops.push(Op::SetContext {
                        uid,
                        props: Box::new(props),
                    });
                }
            }
            for (uid, at) in to {
                if model
                    .locate(uid)
                    .is_some_and(|l| model.pos_of(l).is_some_and(|p| p != at))
                {
                    ops.push(Op::SetPos { uid, at });
                }
            }
            ops
        }
        Edit::Resize { context, frame, .. } => {
            let Some(c) = model.contexts.iter().find(|c| c.uid == context) else {
                return Ok(Err("that context no longer exists".into()));
            };
            let mut props = ContextProps::of(c);
            props.frame = Rect {
                w: frame.w.max(200.0),
                h: frame.h.max(120.0),
                ..frame
            };
            vec![Op::SetContext {
                uid: context,
                props: Box::new(props),
            }]
        }
        Edit::Replace { id, sticky, .. } => {
            let Some(loc) = model.locate(id) else {
                return Ok(Err(GONE.into()));
            };
            if model.sticky(loc).as_ref() == Some(&*sticky) {
                vec![]
            } else {
                vec![Op::SetSticky { uid: id, sticky }]
            }
        }
        Edit::Ops { ops, .. } => ops,
        Edit::Create { kind, at } if context_at(model, at).is_some() => {
            let ci = context_at(model, at).unwrap_or_default();
            let c = &model.contexts[ci];
            let Some((mut sticky, name)) = new_sticky(model, ci, kind, at) else {
                return Ok(Err(format!(
                    "a {} is not created on the board",
                    kind.label()
                )));
            };
            if let Sticky::Event(e) = &mut sticky {
                e.n = c.next_event_number();
            }
            let uid = sticky.uid();
            return Ok(Ok((
                vec![Op::InsertSticky {
                    context: c.uid,
                    index: usize::MAX,
                    sticky: Box::new(sticky),
                }],
                Applied {
                    select: vec![uid],
                    message: Some(format!("Created {} {name}", kind.label())),
                },
            )));
        }
        other => return Err(other),
    };
    Ok(Ok((ops, Applied::default())))
}

/// A new sticky of `kind` at `at` in context `ci`, with a name not taken there.
fn new_sticky(model: &Model, ci: usize, kind: Kind, at: Pos) -> Option<(Sticky, String)> {
    let base = kind.placeholder()?;
    let name = if kind == Kind::HotSpot {
        base.to_owned()
    } else {
        unique_name(model, ci, base)
    };
    Some((Sticky::new_of(kind, &name, at)?, name))
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

/// The refusal of an edit whose element was deleted meanwhile.
const GONE: &str = "that element no longer exists";

/// Renames element `id` in place; returns the inverse ops (empty when nothing changed).
fn rename(model: &mut Model, id: Uid, name: &str) -> Result<(Vec<Op>, Applied), String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a name cannot be empty".into());
    }
    let loc = model.locate(id).ok_or(GONE)?;
    let old = model.name_of(loc).ok_or(GONE)?.to_owned();
    if old == name {
        return Ok((vec![], Applied::default()));
    }
    let renamed = crate::model::refs::rename(model, loc, name);
    Ok((
        renamed.inverse,
        Applied {
            select: vec![id],
            message: Some(format!("Renamed {old} to {name}")),
        },
    ))
}

/// Where each of `ids` is now; ids of deleted elements are left out.
fn locate_all(model: &Model, ids: &[Uid]) -> Vec<Loc> {
    ids.iter().filter_map(|&id| model.locate(id)).collect()
}

fn apply_to(model: &mut Model, edit: Edit) -> Result<Applied, String> {
    match edit {
        Edit::Create { kind, at } => {
            let ctx = match context_at(model, at) {
                Some(c) => c,
                None => {
                    model.contexts.push(crate::model::BoundedContext {
                        uid: Uid::fresh(),
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
            let (sticky, name) = new_sticky(model, ctx, kind, at)
                .ok_or_else(|| format!("a {} is not created on the board", kind.label()))?;
            let uid = sticky.uid();
            model
                .insert_sticky(ctx, sticky)
                .ok_or("no context to put it in")?;
            Ok(Applied {
                select: vec![uid],
                message: Some(format!("Created {} {name}", kind.label())),
            })
        }
        Edit::Insert {
            context,
            stickies,
            offset,
        } => {
            let context = model
                .locate(context)
                .filter(|l| l.kind == Kind::Context)
                .ok_or("no context to paste into")?
                .index;
            let mut select = Vec::new();
            for mut s in stickies {
                s.renew_ids();
                if s.kind() != Kind::HotSpot {
                    let name = unique_name(model, context, s.name_mut());
                    *s.name_mut() = name;
                }
                if let Some(p) = s.pos_mut() {
                    p.x += offset.0;
                    p.y += offset.1;
                }
                let uid = s.uid();
                if model.insert_sticky(context, s).is_some() {
                    select.push(uid);
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
            let uid = Uid::fresh();
            model.contexts.push(crate::model::BoundedContext {
                uid,
                name,
                frame,
                ..Default::default()
            });
            Ok(Applied {
                select: vec![uid],
                message: None,
            })
        }
        Edit::Move { ids, delta, .. } => {
            let ids = locate_all(model, &ids);
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
                    let inner: Vec<Loc> = model
                        .elements()
                        .iter()
                        .filter(|e| e.loc.context == Some(id.index) && e.at.is_some())
                        .map(|e| e.loc)
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
        Edit::Place { to, frames, .. } => {
            for (uid, frame) in frames {
                if let Some(l) = model.locate(uid).filter(|l| l.kind == Kind::Context) {
                    model.contexts[l.index].frame = frame;
                }
            }
            for (uid, at) in to {
                if let Some(p) = model.locate(uid).and_then(|l| model.pos_mut(l)) {
                    *p = at;
                }
            }
            Ok(Applied::default())
        }
        Edit::Resize { context, frame, .. } => {
            let index = model
                .locate(context)
                .filter(|l| l.kind == Kind::Context)
                .ok_or("that context no longer exists")?
                .index;
            let c = &mut model.contexts[index];
            c.frame = Rect {
                w: frame.w.max(200.0),
                h: frame.h.max(120.0),
                ..frame
            };
            Ok(Applied::default())
        }
        Edit::Delete { ids } => {
            let ids = locate_all(model, &ids);
            let n = ids.len();
            model.remove_elements(&ids);
            Ok(Applied {
                select: vec![],
                message: Some(format!("Deleted {n} element(s)")),
            })
        }
        Edit::Replace { id, mut sticky, .. } => {
            let loc = model.locate(id).ok_or(GONE)?;
            // The edited copy is the same element: it keeps its id.
            if sticky.uid() != id {
                sticky.set_uid(id);
            }
            if model.set_sticky(loc, *sticky) {
                Ok(Applied::default())
            } else {
                Err(GONE.into())
            }
        }
        Edit::Fix { fix } => {
            let message = crate::model::fix::apply(model, &fix)?;
            Ok(Applied {
                select: vec![],
                message: Some(message),
            })
        }
        Edit::Connect { from, to } => {
            let from = model.locate(from).ok_or(GONE)?;
            let to_loc = model.locate(to).ok_or(GONE)?;
            let what = connect(model, from, to_loc)?;
            Ok(Applied {
                select: vec![to],
                message: Some(what),
            })
        }
        Edit::Unlink { from, to } => {
            let from = model.locate(from).ok_or(GONE)?;
            let to = model.locate(to).ok_or(GONE)?;
            let what = disconnect(model, from, to)?;
            Ok(Applied {
                select: vec![],
                message: Some(what),
            })
        }
        Edit::Revert | Edit::Ops { .. } | Edit::Rename { .. } => {
            Err("applied by the document itself".into())
        }
        Edit::ReplaceDocument { model: new, .. } => {
            *model = *new;
            Ok(Applied::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(doc: &Document, id: Uid) -> Option<Pos> {
        doc.model.pos_of(doc.model.locate(id)?)
    }

    fn create(doc: &mut Document, kind: Kind, x: f32) -> Uid {
        doc.apply(Edit::Create {
            kind,
            at: Pos::new(x, 10.0),
        })
        .unwrap()
        .select[0]
    }

    #[test]
    fn deleting_a_sticky_leaves_every_other_id_where_it_was() {
        let mut doc = Document::new(Model::new("t"), None);
        let ids: Vec<Uid> = (0..4)
            .map(|i| create(&mut doc, Kind::Event, 10.0 + 200.0 * i as f32))
            .collect();
        let before: Vec<Option<Pos>> = ids.iter().map(|&i| pos(&doc, i)).collect();
        doc.apply(Edit::Delete { ids: vec![ids[1]] }).unwrap();
        assert_eq!(doc.model.locate(ids[1]), None);
        for i in [0, 2, 3] {
            assert_eq!(pos(&doc, ids[i]), before[i], "event {i} is still itself");
        }
        // An edit addressed to a later sticky still reaches it, not its new neighbour.
        doc.apply(Edit::Rename {
            id: ids[3],
            name: "Last".into(),
        })
        .unwrap();
        let loc = doc.model.locate(ids[3]).unwrap();
        assert_eq!(doc.model.name_of(loc), Some("Last"));
        // Undo brings the deleted one back under its own id.
        doc.undo();
        doc.undo();
        assert_eq!(pos(&doc, ids[1]), before[1]);
    }

    #[test]
    fn pasted_and_duplicated_stickies_get_new_ids_and_their_fields_too() {
        let mut doc = Document::new(Model::new("t"), None);
        let cmd = create(&mut doc, Kind::Command, 10.0);
        let loc = doc.model.locate(cmd).unwrap();
        let mut sticky = doc.model.sticky(loc).unwrap();
        if let Sticky::Command(c) = &mut sticky {
            c.fields.push(crate::model::Field {
                uid: Uid::fresh(),
                n: 1,
                name: "order_id".into(),
                ty: crate::model::Type::Id,
                doc: String::new(),
            });
        }
        doc.apply(Edit::Replace {
            id: cmd,
            sticky: Box::new(sticky.clone()),
            gesture: None,
        })
        .unwrap();
        let field = doc.model.contexts[0].commands[0].fields[0].uid;
        let pasted = doc
            .apply(Edit::Insert {
                context: doc.model.contexts[0].uid,
                stickies: vec![sticky],
                offset: (30.0, 30.0),
            })
            .unwrap()
            .select;
        assert_eq!(pasted.len(), 1);
        assert_ne!(pasted[0], cmd);
        let copy = &doc.model.contexts[0].commands[1];
        assert_eq!(copy.uid, pasted[0]);
        assert_ne!(copy.fields[0].uid, field);
        assert!(!copy.fields[0].uid.is_none());
    }

    #[test]
    fn unsaved_changes_follow_undo_redo_and_revert_without_comparing_models() {
        let mut doc = Document::new(Model::new("t"), None);
        let ev = create(&mut doc, Kind::Event, 10.0);
        doc.mark_saved(PathBuf::from("t.ron"));
        assert!(!doc.is_dirty());
        doc.apply(Edit::Move {
            ids: vec![ev],
            delta: (5.0, 0.0),
            gesture: 1,
        })
        .unwrap();
        assert!(doc.is_dirty());
        doc.undo();
        assert!(!doc.is_dirty(), "undone back to what was saved");
        doc.redo();
        assert!(doc.is_dirty());
        doc.apply(Edit::Revert).unwrap();
        assert!(!doc.is_dirty(), "reverted is saved");
        assert_eq!(&doc.model, doc.saved_model());
        assert_eq!(doc.history.undo_label(), Some("Revert"));
        doc.undo();
        assert!(doc.is_dirty(), "Revert is undoable");
        assert_eq!(pos(&doc, ev), Some(Pos::new(15.0, 10.0)));
    }

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
        assert_eq!(pos(&doc, id), Some(Pos::new(130.0, 100.0)));
        doc.undo();
        assert_eq!(
            pos(&doc, id),
            Some(Pos::new(100.0, 100.0)),
            "one drag is one undo step"
        );
        doc.undo();
        assert!(!doc.is_dirty());
        doc.redo();
        doc.redo();
        assert_eq!(pos(&doc, id), Some(Pos::new(130.0, 100.0)));
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
        let ctx = doc.model.contexts[0].uid;
        doc.apply(Edit::Move {
            ids: vec![ctx, ev],
            delta: (5.0, 5.0),
            gesture: 9,
        })
        .unwrap();
        assert_eq!(pos(&doc, ev), Some(Pos::new(15.0, 15.0)));
        assert_eq!(doc.model.contexts[0].frame.x, 5.0);
    }
}
