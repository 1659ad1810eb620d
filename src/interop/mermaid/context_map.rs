//! The context map as a Mermaid flowchart: one node per bounded context, one arrow per
//! relation from upstream to downstream (both ways for a Partnership or a Shared Kernel),
//! labelled with its patterns; Separate Ways is a dotted line without arrow heads.

use std::fmt::Write;

use super::{text, title};
use crate::model::Model;
use crate::model::relation::Pattern;

/// The context map of `model` as Mermaid text.
pub fn context_map(model: &Model) -> String {
    let name = match model.name.is_empty() {
        true => "Context map".to_owned(),
        false => format!("{}: context map", model.name),
    };
    let mut out = title(&name);
    out.push_str("flowchart LR\n");
    for (i, c) in model.contexts.iter().enumerate() {
        let label = match c.team.is_empty() {
            true => text(&c.name),
            false => format!("{}<br/>team: {}", text(&c.name), text(&c.team)),
        };
        let _ = writeln!(out, "  c{i}[\"{label}\"]:::context");
    }
    let index = |name: &str| model.contexts.iter().position(|c| c.name == name);
    for r in &model.relations {
        let (Some(a), Some(b)) = (index(r.upstream.as_str()), index(r.downstream.as_str())) else {
            continue;
        };
        let arrow = if r.has(Pattern::SeparateWays) {
            "-.-"
        } else if r.is_two_way() {
            "<-->"
        } else {
            "-->"
        };
        let _ = writeln!(out, "  c{a} {arrow}|\"{}\"| c{b}", text(&r.label()));
    }
    out.push_str("  classDef context fill:#f5f5f5,stroke:#777,color:#111\n");
    out
}
