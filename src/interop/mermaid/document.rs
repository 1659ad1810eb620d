//! A model as one Markdown page of Mermaid diagrams: its context map, its flow graph and a
//! sequence diagram of each scenario's run (the page a team commits next to its model).

use std::fmt::Write;

use super::{context_map, flow, sequence};
use crate::sim::sequence::Sequence;

/// The page: a heading per diagram, each in a ```` ```mermaid ```` fence. `runs` holds each
/// scenario's name with its sequence, or why it could not run (written in its section).
pub fn document(
    model: &crate::model::Model,
    runs: &[(String, Result<Sequence, String>)],
) -> String {
    let mut out = String::new();
    let heading = if model.name.is_empty() {
        "Model"
    } else {
        &model.name
    };
    let _ = writeln!(out, "# {heading}\n");
    if !model.doc.is_empty() {
        let _ = writeln!(out, "{}\n", model.doc.trim());
    }
    let _ = writeln!(
        out,
        "## Context map\n\n```mermaid\n{}```\n",
        context_map(model)
    );
    let _ = writeln!(out, "## Flow\n\n```mermaid\n{}```\n", flow(model, None));
    for (name, run) in runs {
        let _ = writeln!(out, "## Scenario: {name}\n");
        match run {
            Ok(seq) => {
                let _ = writeln!(out, "```mermaid\n{}```\n", sequence(seq));
            }
            Err(e) => {
                let _ = writeln!(out, "The scenario did not run: {e}\n");
            }
        }
    }
    out
}
