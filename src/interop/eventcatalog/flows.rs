//! A catalog flow per scenario, from its actual run: a step per command handled (rejected
//! ones say why) followed by a step per event it appended, each referring to the message's
//! page, chained in the order they happened; owned by the teams of the contexts it crosses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::kebab;
use super::yaml::{Yaml, page};
use crate::export::Generated;
use crate::model::{Loc, Model};
use crate::sim::program::Program;
use crate::sim::scenario;

/// At most this many steps per flow (the rest of the run is counted on the page).
pub const MAX_STEPS: usize = 40;

/// The flows of `model`'s scenarios; `messages` are the ids of the events' and commands'
/// pages. A scenario that cannot run has no flow.
pub fn flows(model: &Model, messages: &BTreeMap<Loc, String>, version: &str) -> Vec<Generated> {
    let Ok(program) = Program::new(model).map(Arc::new) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut taken = BTreeSet::new();
    for s in &model.scenarios {
        let Ok(mut engine) = scenario::setup(model, program.clone(), &s.name, None) else {
            continue;
        };
        if engine.run(scenario::until_of(s)).is_err() {
            continue;
        }
        // (title, message id) in the order they happened.
        let mut steps: Vec<(String, String)> = Vec::new();
        let mut teams = BTreeSet::new();
        let mut total = 0usize;
        for c in engine.commands().iter() {
            let def = &program.commands[c.command()];
            let mut push = |title: String, loc: Loc| {
                total += 1;
                if let Some(id) = messages.get(&loc)
                    && steps.len() < MAX_STEPS
                {
                    steps.push((title, id.clone()));
                    let team = loc
                        .context
                        .and_then(|c| model.contexts.get(c))
                        .map(|c| &c.team);
                    teams.extend(team.filter(|t| !t.is_empty()).map(|t| kebab(t)));
                }
            };
            let title = match &c.rejection {
                Some(why) => format!("{} for {} is rejected: {why}", def.name, c.target),
                None => format!("{} for {}", def.name, c.target),
            };
            push(title, def.id);
            for pos in c.events() {
                if let Some(r) = engine.record(pos as usize) {
                    let e = &program.events[r.event as usize];
                    push(format!("{} is appended", e.name), e.id);
                }
            }
        }
        if steps.is_empty() {
            continue;
        }
        let base = match kebab(&s.name) {
            k if k.is_empty() => "scenario".to_owned(),
            k => k,
        };
        let mut id = base.clone();
        let mut k = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}-{k}");
            k += 1;
        }
        let n = steps.len();
        let list = steps
            .into_iter()
            .enumerate()
            .map(|(i, (title, message))| {
                let mut step = vec![
                    ("id".to_owned(), Yaml::str(format!("step-{}", i + 1))),
                    ("title".to_owned(), Yaml::str(title)),
                    ("message".to_owned(), Yaml::reference(&message, version)),
                ];
                if i + 1 < n {
                    step.push(("next_step".to_owned(), Yaml::str(format!("step-{}", i + 2))));
                }
                Yaml::Map(step)
            })
            .collect();
        let more = total.saturating_sub(n);
        let body = format!(
            "What the scenario \"{}\" did when it ran (seed {}), command by command with the \
             events each appended{}.\n",
            s.name.replace('\n', " "),
            s.seed,
            if more > 0 {
                format!("; the first {n} steps of {total}")
            } else {
                String::new()
            }
        );
        let summary = s.doc.lines().next().filter(|l| !l.trim().is_empty());
        out.push(Generated {
            path: format!("flows/{id}/index.mdx"),
            text: page(
                &[
                    ("id", Yaml::str(&id)),
                    ("name", Yaml::str(&s.name)),
                    ("version", Yaml::str(version)),
                    (
                        "summary",
                        Yaml::str(summary.map_or_else(
                            || format!("The run of scenario {}.", s.name),
                            str::to_owned,
                        )),
                    ),
                    (
                        "owners",
                        Yaml::List(teams.into_iter().map(Yaml::Str).collect()),
                    ),
                    ("steps", Yaml::List(list)),
                ],
                &body,
            ),
        });
    }
    out
}
