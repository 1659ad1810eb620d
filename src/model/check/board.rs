//! Board-level findings: hot spots, stickies not named yet, empty contexts, positions that
//! are not numbers.

use super::Checker;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};

pub(super) fn check(c: &mut Checker<'_>) {
    let model = c.model;
    if model.contexts.is_empty() {
        c.push(
            Code::Empty,
            None,
            vec![PathSeg::Key("contexts")],
            "the model has no bounded contexts yet".into(),
        );
    }
    let elements = model.elements();
    // Contexts holding at least one element (asked once per context below).
    let filled: std::collections::HashSet<usize> =
        elements.iter().filter_map(|e| e.loc.context).collect();
    for e in &elements {
        if e.loc.kind != Kind::HotSpot && e.loc.kind.is_placeholder(e.name) {
            let path = c.at(e.loc, &[PathSeg::Key("name")]);
            c.push(
                Code::PlaceholderName,
                Some(e.loc),
                path,
                format!(
                    "{} {} still has its placeholder name: name it (F2) before it reaches a contract",
                    e.loc.kind,
                    c.name(e.loc)
                ),
            );
        }
        if let Some(p) = e.at
            && !(p.x.is_finite() && p.y.is_finite())
        {
            let key = if e.loc.kind == Kind::Context {
                "frame"
            } else {
                "at"
            };
            let path = c.at(e.loc, &[PathSeg::Key(key)]);
            c.push(
                Code::BadPosition,
                Some(e.loc),
                path,
                format!(
                    "{} {} has a position that is not a number",
                    e.loc.kind,
                    c.name(e.loc)
                ),
            );
        }
    }
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let id = Loc {
            kind: Kind::Context,
            context: None,
            index: ci,
        };
        let f = ctx.frame;
        if !(f.w.is_finite() && f.h.is_finite()) || f.w < 0.0 || f.h < 0.0 {
            let path = c.at(id, &[PathSeg::Key("frame")]);
            c.push(
                Code::BadPosition,
                Some(id),
                path,
                format!(
                    "context {} has a frame size that is not a positive number",
                    ctx.name
                ),
            );
        }
        if !filled.contains(&ci) {
            c.push(
                Code::Empty,
                Some(id),
                id.path(),
                format!("context {} is empty", ctx.name),
            );
        }
        for (i, h) in ctx.hotspots.iter().enumerate() {
            let hid = Loc {
                kind: Kind::HotSpot,
                context: Some(ci),
                index: i,
            };
            c.push(
                Code::HotSpot,
                Some(hid),
                hid.path(),
                format!("open question in {}: {}", ctx.name, h.text),
            );
        }
    }
}
