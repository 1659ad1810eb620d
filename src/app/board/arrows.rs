//! The flow arrows drawn on the board: the edges of the model's flow graph.

use crate::model::Loc;
use crate::model::Model;
use crate::model::flow::FlowGraph;

/// Every arrow of the board, in a stable order.
pub fn arrows(model: &Model) -> Vec<(Loc, Loc)> {
    let mut out: Vec<_> = FlowGraph::new(model)
        .edges()
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect();
    out.dedup();
    out
}

/// The board's arrows, kept until the model changes.
#[derive(Debug, Default)]
pub struct Arrows {
    revision: Option<u64>,
    links: Vec<(Loc, Loc)>,
}

impl Arrows {
    /// Recomputes the arrows if the model changed since (`revision` is the document's).
    pub fn update(&mut self, model: &Model, revision: u64) {
        if self.revision != Some(revision) {
            self.links = arrows(model);
            self.revision = Some(revision);
        }
    }

    /// The arrows, as of the last update.
    pub fn links(&self) -> &[(Loc, Loc)] {
        &self.links
    }
}
