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
