//! What each command a run handled for an aggregate was, as a given/when/then case: the
//! events its instance had before, its fields, and the events it appended or why it was
//! rejected — the material of tests generated from executed behaviour (see
//! `interop::cqrs_es`).

use std::collections::BTreeMap;

use super::engine::Engine;
use super::program::Target;
use crate::model::expr::Value;

/// One handled command of an aggregate.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The aggregate (program index).
    pub aggregate: usize,
    /// The command (program index).
    pub command: usize,
    /// Its fields, in declaration order.
    pub fields: Vec<Value>,
    /// The instance's events before it (event index and fields), oldest first.
    pub given: Vec<(usize, Vec<Value>)>,
    /// What it did.
    pub outcome: Outcome,
}

/// What a command did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Appended these events (event index and fields), possibly none.
    Emitted(Vec<(usize, Vec<Value>)>),
    /// Was rejected for this reason.
    Rejected(String),
}

/// The cases of `engine`'s run, in the order the commands were handled: every command
/// addressed to an aggregate and handled after [`Engine::keep_command_inputs`].
pub fn cases(engine: &Engine) -> Vec<Case> {
    let p = engine.program();
    let payload = |pos: u64| {
        let r = engine.record(pos as usize)?;
        Some((r.event as usize, engine.payload(r).to_vec()))
    };
    // Each stream's positions, to find an instance's history without scanning the log.
    let mut by_stream: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for (pos, r) in engine.records().iter().enumerate() {
        by_stream.entry(r.stream).or_default().push(pos as u64);
    }
    let mut out = Vec::new();
    for (i, c) in engine.commands().iter().enumerate() {
        let Target::Aggregate(a) = p.commands[c.command()].target else {
            continue;
        };
        let Some((at, fields)) = engine.command_input(i) else {
            continue;
        };
        let stream = engine.aggregate_instances()[a]
            .get(&c.target)
            .map(|inst| inst.stream);
        let before = stream
            .and_then(|s| by_stream.get(&s))
            .map_or(&[][..], |ps| &ps[..ps.partition_point(|&x| x < at)]);
        let given = before.iter().filter_map(|&pos| payload(pos)).collect();
        let outcome = match &c.rejection {
            Some(reason) => Outcome::Rejected(reason.to_string()),
            None => Outcome::Emitted(c.events().filter_map(payload).collect()),
        };
        out.push(Case {
            aggregate: a,
            command: c.command(),
            fields: fields.to_vec(),
            given,
            outcome,
        });
    }
    out
}
