//! What an exploration exercised, summed over its runs: each command accepted and rejected
//! (each guard held or rejected), each event appended, each subscriber's messages handled (a
//! policy's: issued its command, or its condition did not hold), each saga step
//! taken and compensation run, each saga end reached, each subscriber's messages parked. Every item the model has is listed,
//! so what no run tried shows as `never`.

use std::collections::BTreeMap;

use crate::sim::engine::{Change, Engine};
use crate::sim::program::{Program, SubscriberKind, Target};

/// The sections of the summary, in the order they are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Commands accepted, rejected, and rejected by each guard.
    Commands,
    /// Events appended.
    Events,
    /// Messages handled by each subscriber (policy, saga, read model, external system).
    Deliveries,
    /// Saga steps, compensations and ends.
    Sagas,
    /// Messages parked in the dead-letter queue.
    DeadLetters,
}

impl Section {
    /// Its heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::Commands => "commands",
            Section::Events => "events",
            Section::Deliveries => "deliveries",
            Section::Sagas => "sagas",
            Section::DeadLetters => "dead letters",
        }
    }
}

/// How often each item was exercised, summed over runs (the same whatever the order the runs
/// are added in).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// (section, item) → count.
    pub counts: BTreeMap<(Section, String), u64>,
}

fn guard_label(command: &str, reject: &str) -> String {
    format!("{command} rejected by “{reject}”")
}

fn guard_held(command: &str, reject: &str) -> String {
    format!("{command} passed the guard of “{reject}”")
}

fn acted(policy: &str) -> String {
    format!("{policy} issued its command")
}

fn declined(policy: &str) -> String {
    format!("{policy}'s condition did not hold")
}

fn saga_names(p: &Program) -> Vec<&str> {
    let mut names = vec![""; p.sagas.len()];
    for s in &p.subscribers {
        if let SubscriberKind::Saga(i) = s.kind
            && let Some(n) = names.get_mut(i)
        {
            *n = s.name.as_str();
        }
    }
    names
}

impl Coverage {
    /// Every item of `p`, none exercised yet.
    pub fn of(p: &Program) -> Self {
        let mut c = Self::default();
        let mut add = |s: Section, item: String| {
            c.counts.insert((s, item), 0);
        };
        for (ci, cmd) in p.commands.iter().enumerate() {
            add(Section::Commands, format!("{} accepted", cmd.name));
            if let Target::Aggregate(a) = cmd.target
                && let Some(h) = p.aggregates[a].handlers.get(&ci)
            {
                for (_, reject) in &h.guards {
                    add(Section::Commands, guard_held(&cmd.name, reject));
                    add(Section::Commands, guard_label(&cmd.name, reject));
                }
            }
        }
        for e in &p.events {
            add(Section::Events, e.name.clone());
        }
        let sagas = saga_names(p);
        for (si, s) in p.sagas.iter().enumerate() {
            for (k, step) in s.steps.iter().enumerate() {
                // A join's events each have a compiled step; the first names it.
                if k == 0 || s.steps[k - 1].number != step.number {
                    add(Section::Sagas, step_label(p, sagas[si], s, k));
                }
            }
            if s.steps.iter().any(|st| st.compensate.is_some()) {
                add(Section::Sagas, format!("{} compensated", sagas[si]));
            }
            for end in &s.ends {
                add(
                    Section::Sagas,
                    format!("{} ended {}", sagas[si], end.status),
                );
            }
        }
        for s in &p.subscribers {
            add(Section::Deliveries, format!("{} handled a message", s.name));
            if let SubscriberKind::Policy { when, .. } = &s.kind {
                add(Section::Deliveries, acted(&s.name));
                if when.is_some() {
                    add(Section::Deliveries, declined(&s.name));
                }
            }
            add(Section::DeadLetters, format!("{} parked a message", s.name));
        }
        c
    }

    fn bump(&mut self, s: Section, item: String) {
        *self.counts.entry((s, item)).or_insert(0) += 1;
    }

    /// Adds what one finished run exercised.
    pub fn add_run(&mut self, e: &Engine) {
        let p = e.program();
        for c in e.commands().iter() {
            let cmd = &p.commands[c.command()];
            let guards: &[(crate::model::expr::Expr, String)] = match cmd.target {
                Target::Aggregate(a) => p.aggregates[a]
                    .handlers
                    .get(&c.command())
                    .map_or(&[], |h| h.guards.as_slice()),
                Target::External(_) => &[],
            };
            // The guards are checked in order: those before the one that rejected held.
            let (held, item) = match &c.rejection {
                None => (guards.len(), format!("{} accepted", cmd.name)),
                Some(reason) => {
                    match guards
                        .iter()
                        .position(|(_, r)| reason.starts_with(r.as_str()))
                    {
                        Some(k) => (k, guard_label(&cmd.name, &guards[k].1)),
                        None => (0, format!("{} rejected otherwise", cmd.name)),
                    }
                }
            };
            for (_, reject) in &guards[..held] {
                self.bump(Section::Commands, guard_held(&cmd.name, reject));
            }
            self.bump(Section::Commands, item);
        }
        for r in e.records().iter() {
            if let Some(ev) = p.events.get(r.event as usize) {
                self.bump(Section::Events, ev.name.clone());
            }
        }
        for (i, s) in p.subscribers.iter().enumerate() {
            let n = e.deliveries(i);
            if n > 0 {
                *self
                    .counts
                    .entry((Section::Deliveries, format!("{} handled a message", s.name)))
                    .or_insert(0) += n;
            }
            let (yes, no) = e.policy_decisions(i);
            for (n, item) in [(yes, acted(&s.name)), (no, declined(&s.name))] {
                if n > 0 {
                    *self.counts.entry((Section::Deliveries, item)).or_insert(0) += n;
                }
            }
        }
        let sagas = saga_names(p);
        for (si, instances) in e.saga_instances().iter().enumerate() {
            let def = &p.sagas[si];
            for inst in instances.values() {
                for &(k, _) in &inst.taken {
                    if k < def.steps.len() {
                        self.bump(Section::Sagas, step_label(p, sagas[si], def, k));
                    }
                }
                if def.ends.iter().any(|e| e.status == inst.status) {
                    self.bump(
                        Section::Sagas,
                        format!("{} ended {}", sagas[si], inst.status),
                    );
                } else if *inst.status == *"Compensated" {
                    self.bump(Section::Sagas, format!("{} compensated", sagas[si]));
                }
            }
        }
        for (_, _, change) in e.journal() {
            if let Change::Parked(parked) = change
                && let Some(s) = p.subscribers.get(parked.subscriber)
            {
                self.bump(Section::DeadLetters, format!("{} parked a message", s.name));
            }
        }
    }

    /// Adds another summary's counts.
    pub fn merge(&mut self, other: &Coverage) {
        for (k, n) in &other.counts {
            *self.counts.entry(k.clone()).or_insert(0) += n;
        }
    }

    /// The items no run exercised.
    pub fn never(&self) -> impl Iterator<Item = &(Section, String)> {
        self.counts.iter().filter(|(_, n)| **n == 0).map(|(k, _)| k)
    }

    /// The share of items exercised at least once, 0…1.
    pub fn share(&self) -> f64 {
        if self.counts.is_empty() {
            return 1.0;
        }
        let hit = self.counts.values().filter(|n| **n > 0).count();
        hit as f64 / self.counts.len() as f64
    }
}

/// How the coverage names saga step `k` (a compiled one): `Saga step 2 (on A + B)`.
fn step_label(p: &Program, saga: &str, def: &crate::sim::program::SagaDef, k: usize) -> String {
    let number = def.steps[k].number;
    let on: Vec<&str> = def
        .steps
        .iter()
        .filter(|st| st.number == number)
        .map(|st| p.events[st.on].name.as_str())
        .collect();
    format!("{saga} step {} (on {})", number + 1, on.join(" + "))
}
