//! The model's flow graph (petgraph): actor → command → aggregate/external → event →
//! policy/saga/read model/external → command, and ACL translations event → event.
//!
//! Nodes carry [`Loc`]s; petgraph indices never leave this module as identities.
//! The board draws these edges as arrows; the checks look for cycles and orphans on it.

use std::collections::BTreeMap;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use super::document::Model;
use super::element::{Kind, Loc};
use super::refs::visit_refs;
use super::resolve::NameIndex;

/// What an edge of the flow means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Link {
    /// An actor issues a command.
    Issues,
    /// A command is handled by an aggregate or external system.
    HandledBy,
    /// An aggregate or external system emits an event.
    Emits,
    /// An event triggers a policy, saga, read model or external system.
    Triggers,
    /// A policy or saga issues a command, or an aggregate's handler schedules one.
    Commands,
    /// An anticorruption layer translates an upstream event into a downstream one.
    Translates,
}

/// The flow graph of a model.
#[derive(Clone, Debug, Default)]
pub struct FlowGraph {
    /// The graph; node weights are element ids.
    pub graph: StableDiGraph<Loc, Link>,
    nodes: BTreeMap<Loc, NodeIndex>,
}

impl FlowGraph {
    /// Builds the flow graph of `model`.
    pub fn new(model: &Model) -> Self {
        let index = NameIndex::new(model);
        let mut edges: Vec<(Loc, Loc, Link)> = Vec::new();
        visit_refs(model, &mut |site, name| {
            let owner = site.owner;
            if name.is_empty() {
                return;
            }
            let Some(target) = index.resolve(name, site.kinds, site.from).found() else {
                return;
            };
            let key = site.key();
            let in_handlers = site.under("handlers") || site.under("appliers");
            let edge = match (owner.kind, key) {
                (Kind::Relation, Some("from")) => None,
                (Kind::Relation, _) | (Kind::Scenario, _) => None,
                (Kind::Aggregate, Some("on")) if in_handlers => None,
                (Kind::Aggregate, Some("event")) => Some((owner, target, Link::Emits)),
                (Kind::Command, Some("actors")) => Some((target, owner, Link::Issues)),
                (Kind::Command, Some("target")) => Some((owner, target, Link::HandledBy)),
                (Kind::Event, Some("owner")) => Some((target, owner, Link::Emits)),
                (Kind::Policy | Kind::Saga | Kind::ReadModel, Some("on" | "start"))
                | (Kind::Saga, Some("and")) => Some((target, owner, Link::Triggers)),
                (Kind::External, Some("on")) if target.kind == Kind::Event => {
                    Some((target, owner, Link::Triggers))
                }
                (Kind::External, Some("on")) => None,
                (Kind::External, Some("respond")) => Some((owner, target, Link::Emits)),
                (Kind::Policy, Some("then"))
                | (Kind::Saga, Some("command"))
                | (Kind::Aggregate, Some("command")) => Some((owner, target, Link::Commands)),
                _ => None,
            };
            if let Some(e) = edge {
                edges.push(e);
            }
        });
        for r in &model.relations {
            let (up, down) = (index.context(&r.upstream), index.context(&r.downstream));
            for t in &r.translations {
                let from = index.resolve(&t.from, &[Kind::Event], up).found();
                let into = index.resolve(&t.into, &[Kind::Event], down).found();
                if let (Some(a), Some(b)) = (from, into) {
                    edges.push((a, b, Link::Translates));
                }
            }
        }
        edges.sort();
        edges.dedup();
        let mut g = FlowGraph::default();
        for e in model.elements() {
            if e.at.is_some() && !matches!(e.loc.kind, Kind::Context | Kind::HotSpot | Kind::Value)
            {
                let n = g.graph.add_node(e.loc);
                g.nodes.insert(e.loc, n);
            }
        }
        for (a, b, link) in edges {
            if let (Some(&x), Some(&y)) = (g.nodes.get(&a), g.nodes.get(&b)) {
                g.graph.add_edge(x, y, link);
            }
        }
        g
    }

    /// Every edge as `(from, to, link)`, sorted.
    pub fn edges(&self) -> Vec<(Loc, Loc, Link)> {
        let mut out: Vec<_> = self
            .graph
            .edge_indices()
            .filter_map(|e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some((self.graph[a], self.graph[b], self.graph[e]))
            })
            .collect();
        out.sort();
        out
    }

    /// The elements `id` leads to directly.
    pub fn successors(&self, id: Loc) -> Vec<Loc> {
        let Some(&n) = self.nodes.get(&id) else {
            return Vec::new();
        };
        let mut out: Vec<_> = self.graph.neighbors(n).map(|m| self.graph[m]).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The elements that lead to `id` directly.
    pub fn predecessors(&self, id: Loc) -> Vec<Loc> {
        let Some(&n) = self.nodes.get(&id) else {
            return Vec::new();
        };
        let mut out: Vec<_> = self
            .graph
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .map(|m| self.graph[m])
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Strongly connected groups of more than one element (or with a self-loop): the cycles.
    pub fn cycles(&self) -> Vec<Vec<Loc>> {
        let mut out: Vec<Vec<Loc>> = petgraph::algo::tarjan_scc(&self.graph)
            .into_iter()
            .filter(|scc| scc.len() > 1 || scc.iter().any(|n| self.graph.contains_edge(*n, *n)))
            .map(|scc| {
                let mut ids: Vec<_> = scc.into_iter().map(|n| self.graph[n]).collect();
                ids.sort();
                ids
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synthetic::synthetic;

    #[test]
    fn a_chain_has_its_edges_and_the_policies_close_a_cycle() {
        let m = synthetic(10, 1);
        let g = FlowGraph::new(&m);
        let cmd = Loc {
            kind: Kind::Command,
            context: Some(0),
            index: 0,
        };
        let agg = Loc {
            kind: Kind::Aggregate,
            ..cmd
        };
        let ev = Loc {
            kind: Kind::Event,
            ..cmd
        };
        assert_eq!(g.successors(cmd), vec![agg]);
        assert_eq!(g.successors(agg), vec![ev]);
        assert_eq!(g.successors(ev).len(), 2, "policy and read model");
        // Do0 → Thing0 → Done0 → React0 → Do1 → … → React1 → Do0
        assert_eq!(g.cycles().len(), 1);
        assert_eq!(g.cycles()[0].len(), 8);
    }
}
