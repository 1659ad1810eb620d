//! The causation tree around one event: from its root cause (the scenario's command, or a
//! `given` event) down through every command and event that followed from it — the shape a
//! trainer draws on a whiteboard to explain "this happened because…". Only records of the
//! event's correlation id are looked at, so the tree of one event of a long run is cheap.
//! Deliveries that failed for good (parked in the dead-letter queue) hang under their event,
//! and the redrive that took them out hangs under them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::engine::{Change, Engine};
use super::store::Cause;
use super::timeline::{Link, causation};

/// A node of the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// A command (its index in the engine's command log).
    Command(u32),
    /// An event (its log position).
    Event(u64),
    /// A delivery of an event parked in the dead-letter queue (its index in the journal).
    Parked(u32),
    /// A redrive taking parked messages out again (its index in the journal).
    Redrive(u32),
}

/// A causation tree: nodes in breadth-first order from the root, and (parent, child) edges
/// as indices into `nodes`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    /// The nodes; the first is the root.
    pub nodes: Vec<Node>,
    /// (cause, effect) pairs of node indices.
    pub edges: Vec<(usize, usize)>,
    /// True when the tree was cut at the node limit.
    pub truncated: bool,
}

/// The causation tree of the event at `position`: its root cause and everything that root
/// led to, at most `limit` nodes. Empty when there is no such event.
pub fn tree(e: &Engine, position: u64, limit: usize) -> Tree {
    let Some(record) = e.store.records.get(position as usize) else {
        return Tree::default();
    };
    let root = causation(e, position)
        .into_iter()
        .rev()
        .find_map(|link| match link {
            Link::Event(p) | Link::Deadline(p) => Some(Node::Event(p)),
            Link::Command(c) => Some(Node::Command(c)),
            Link::Given => None,
        })
        .unwrap_or(Node::Event(position));
    // Who caused what, among the records and commands of this correlation id.
    let corr = record.correlation;
    let mut children: BTreeMap<Node, Vec<Node>> = BTreeMap::new();
    let parent = |cause: Cause| match cause {
        Cause::Command(c) => Some(Node::Command(c)),
        Cause::Event(p) | Cause::Deadline(p) => Some(Node::Event(p)),
        Cause::Scenario | Cause::Given => None,
    };
    for (i, c) in e.commands.iter().enumerate() {
        if c.correlation == corr
            && let Some(p) = parent(c.cause())
        {
            children.entry(p).or_default().push(Node::Command(i as u32));
        }
    }
    for (i, r) in e.store.records.iter().enumerate() {
        if r.correlation == corr
            && let Some(p) = parent(r.causation)
        {
            children.entry(p).or_default().push(Node::Event(i as u64));
        }
    }
    // Failed deliveries of this correlation's events, and the redrives that took them out.
    let mut parked: Vec<(u32, usize, u64)> = Vec::new();
    for (i, (_, _, change)) in e.journal.iter().enumerate() {
        match change {
            Change::Parked(p) => {
                let ours = e
                    .store
                    .records
                    .get(p.position as usize)
                    .is_some_and(|r| r.correlation == corr);
                if ours {
                    children
                        .entry(Node::Event(p.position))
                        .or_default()
                        .push(Node::Parked(i as u32));
                    parked.push((i as u32, p.subscriber, p.position));
                }
            }
            Change::Redriven {
                subscriber,
                position,
            } => {
                for &(j, sub, pos) in &parked {
                    if sub == *subscriber && position.is_none_or(|p| p == pos) {
                        children
                            .entry(Node::Parked(j))
                            .or_default()
                            .push(Node::Redrive(i as u32));
                    }
                }
                // Taken out: a later redrive of the same subscriber is for later parkings.
                parked.retain(|&(_, sub, pos)| {
                    !(sub == *subscriber && position.is_none_or(|p| p == pos))
                });
            }
            Change::Saga { .. } => {}
        }
    }
    let mut out = Tree::default();
    let mut index: BTreeMap<Node, usize> = BTreeMap::new();
    let mut seen = BTreeSet::from([root]);
    let mut queue = VecDeque::from([root]);
    while let Some(n) = queue.pop_front() {
        if out.nodes.len() >= limit {
            out.truncated = true;
            break;
        }
        index.insert(n, out.nodes.len());
        out.nodes.push(n);
        for &child in children.get(&n).into_iter().flatten() {
            if seen.insert(child) {
                queue.push_back(child);
            }
        }
    }
    for (&p, kids) in &children {
        let Some(&a) = index.get(&p) else { continue };
        for k in kids {
            if let Some(&b) = index.get(k) {
                out.edges.push((a, b));
            }
        }
    }
    out.edges.sort_unstable();
    out
}
