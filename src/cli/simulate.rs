//! `stormlab simulate FILE --scenario NAME`: run one scenario and print what happened.

use super::Exit;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use std::io::{IsTerminal as _, Write as _};

use anyhow::Context as _;

use crate::model::file;
use crate::model::scenario::parse_time;
use crate::sim::program::{Program, SubscriberKind};
use crate::sim::scenario::{setup, until_of};

/// Arguments of `stormlab simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The model file.
    pub file: PathBuf,
    /// The scenario to run.
    #[arg(long, required_unless_present = "list_scenarios")]
    pub scenario: Option<String>,
    /// Override the scenario's seed (an unsigned 64-bit integer).
    #[arg(long)]
    pub seed: Option<String>,
    /// Stop at this virtual time (offset like `30m`, time of day `10:15`, or RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
    /// Write the event log to this file: JSON Lines; with the extension `.binpb` the records
    /// as length-delimited binary protobuf envelopes of the exported contracts; ending in
    /// `.pb.jsonl` the same envelopes as proto-JSON, one per line.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// Print the scenario names, one per line.
    #[arg(long)]
    pub list_scenarios: bool,
    /// How to print the summary: `text`, or `json` (one document on stdout; see the README).
    #[arg(long, value_enum, default_value_t)]
    pub format: super::report::Format,
}

/// Runs `stormlab simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let (text, model) = match super::read_model(&args.file) {
        Ok(read) => read,
        Err(e) => return Ok(e.into()),
    };
    if args.list_scenarios {
        for s in &model.scenarios {
            outln!("{}", s.name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let name = args.scenario.clone().unwrap_or_default();
    let seed = match &args.seed {
        Some(s) => Some(s.trim().parse::<u64>().map_err(|_| {
            anyhow::anyhow!(
                "--seed {s}: a seed is a whole number from 0 to {}",
                u64::MAX
            )
        })?),
        None => None,
    };
    let name_of_file = args.file.display().to_string();
    let diags = crate::model::check::check(&model);
    if super::refuse_errors(&diags, &model, &text, &name_of_file, "not simulated") {
        return Ok(Exit::Findings.into());
    }
    let program = Arc::new(Program::new(&model)?);
    let scenario = model.scenarios.iter().find(|s| s.name == name);
    let mut engine = setup(&model, program.clone(), &name, seed)?;
    let until = match (&args.until, scenario) {
        (Some(u), Some(s)) => Some(parse_time(u, s.start_ms().unwrap_or(0)).ok_or_else(|| {
            anyhow::anyhow!("--until {u}: not a time (write `30m`, `10:15` or a timestamp)")
        })?),
        (None, Some(s)) => until_of(s),
        _ => None,
    };
    if let Err(e) = run_with_progress(&mut engine, until) {
        // The model ran into trouble (a runaway loop, a value that cannot be computed): a
        // failure of the model, not of the command line.
        eprintln!("{name_of_file}: scenario `{name}`: {e}");
        return Ok(Exit::Findings.into());
    }
    if let Some(path) = &args.log {
        let name = path.to_string_lossy();
        let bytes = if name.ends_with(".binpb") || name.ends_with(".pb.jsonl") {
            let schema = crate::export::schema::schema(&model);
            let enc = crate::export::encode::Encoder::new(&schema);
            if name.ends_with(".binpb") {
                enc.delimited_log(&engine)
            } else {
                enc.json_log(&engine).into_bytes()
            }
        } else {
            crate::sim::log::jsonl(&engine).into_bytes()
        };
        file::write_atomic(path, &bytes)
            .with_context(|| format!("writing the log to {}", path.display()))?;
    }
    let summary = Summary::of(&engine, &program, scenario.map_or(&[][..], |s| &s.faults));
    match args.format {
        super::report::Format::Text => summary.print(&name),
        super::report::Format::Json => outln!("{:#}", summary.json(&name, engine.seed())),
    }
    drop(summary);
    // The process ends here: freeing a large run value by value (millions of ids, rows and
    // payloads) took a second of a 10^6-booking run; the system takes the memory back whole.
    std::mem::forget(engine);
    Ok(ExitCode::SUCCESS)
}

/// What a run did, for the text and JSON summaries.
struct Summary<'a> {
    faults: &'a [crate::model::scenario::Fault],
    commands: usize,
    /// Rejected commands: name, target, reason.
    rejected: Vec<(&'a str, &'a str, &'a str)>,
    events: usize,
    by_type: BTreeMap<&'a str, usize>,
    /// Dead letters: subscriber, position from 1, error, attempts.
    parked: Vec<(&'a str, u64, &'a str, u32)>,
    /// Per saga: instances by status.
    sagas: Vec<(&'a str, BTreeMap<&'a str, usize>)>,
    /// Per read model: rows.
    read_models: Vec<(&'a str, usize)>,
}

/// How many rejections and dead letters the text lists (JSON lists up to [`JSON_LISTED`]).
const SHOWN: (usize, usize) = (20, 10);
/// How many rejections and dead letters the JSON summary lists (its counts are complete).
const JSON_LISTED: usize = 1000;

impl<'a> Summary<'a> {
    fn of(
        engine: &'a crate::sim::Engine,
        p: &'a Program,
        faults: &'a [crate::model::scenario::Fault],
    ) -> Self {
        let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
        for r in engine.records() {
            *by_type
                .entry(p.events[r.event as usize].name.as_str())
                .or_default() += 1;
        }
        let mut sagas = Vec::new();
        let mut read_models = Vec::new();
        for sub in &p.subscribers {
            match &sub.kind {
                SubscriberKind::Saga(s) => {
                    let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
                    for i in engine.saga_instances()[*s].values() {
                        *statuses.entry(&*i.status).or_default() += 1;
                    }
                    sagas.push((sub.name.as_str(), statuses));
                }
                SubscriberKind::ReadModel(r) => {
                    read_models.push((sub.name.as_str(), engine.tables()[*r].len()));
                }
                _ => {}
            }
        }
        Summary {
            faults,
            commands: engine.commands().len(),
            rejected: engine
                .commands()
                .iter()
                .filter_map(|c| {
                    let why = c.rejection.as_deref()?;
                    Some((p.commands[c.command()].name.as_str(), &*c.target, why))
                })
                .collect(),
            events: engine.records().len(),
            by_type,
            parked: engine
                .parked()
                .iter()
                .map(|d| {
                    (
                        p.subscribers[d.subscriber].name.as_str(),
                        d.position + 1,
                        d.error.as_str(),
                        d.attempts,
                    )
                })
                .collect(),
            sagas,
            read_models,
        }
    }

    fn print(&self, name: &str) {
        outln!("scenario: {name}");
        // The faults the scenario injects, so that what follows (retries, dead letters)
        // reads as their consequence.
        for f in self.faults {
            for (from, until) in &f.outages {
                outln!("outage:   {} from {from} until {until}", f.subscriber);
            }
            if f.failure_rate > 0.0 {
                outln!(
                    "faults:   {} fails {:.0} % of deliveries",
                    f.subscriber,
                    f.failure_rate * 100.0
                );
            }
        }
        outln!(
            "commands: {} ({} rejected)",
            self.commands,
            self.rejected.len()
        );
        outln!("events:   {}", self.events);
        for (t, n) in &self.by_type {
            outln!("  {n:>6}  {t}");
        }
        for (command, target, why) in self.rejected.iter().take(SHOWN.0) {
            outln!("rejected: {command} {target} — {why}");
        }
        if self.rejected.len() > SHOWN.0 {
            outln!("rejected: … and {} more", self.rejected.len() - SHOWN.0);
        }
        outln!("dead letters: {}", self.parked.len());
        for (sub, position, error, attempts) in self.parked.iter().take(SHOWN.1) {
            outln!("  {sub} event {position}: {error} after {attempts} attempt(s)");
        }
        if self.parked.len() > SHOWN.1 {
            outln!("  … and {} more", self.parked.len() - SHOWN.1);
        }
        for (saga, statuses) in &self.sagas {
            let list: Vec<String> = statuses.iter().map(|(k, v)| format!("{v} {k}")).collect();
            outln!(
                "saga {saga}: {}",
                if list.is_empty() {
                    "no instances".into()
                } else {
                    list.join(", ")
                }
            );
        }
        for (rm, rows) in &self.read_models {
            outln!("read model {rm}: {rows} row(s)");
        }
    }

    fn json(&self, name: &str, seed: u64) -> serde_json::Value {
        use serde_json::json;
        json!({
            "schema": super::report::JSON_SCHEMA,
            "scenario": name,
            "seed": seed.to_string(),
            "faults": self.faults.iter().map(|f| json!({
                "subscriber": f.subscriber,
                "outages": f.outages.iter().map(|(from, until)| json!({"from": from, "until": until})).collect::<Vec<_>>(),
                "failure_rate": f.failure_rate,
            })).collect::<Vec<_>>(),
            "commands": self.commands,
            "rejected": self.rejected.len(),
            "rejections": self.rejected.iter().take(JSON_LISTED).map(|(command, target, why)| json!({
                "command": command, "target": target, "reason": why,
            })).collect::<Vec<_>>(),
            "events": self.events,
            "events_by_type": self.by_type,
            "dead_letters": self.parked.len(),
            "parked": self.parked.iter().take(JSON_LISTED).map(|(sub, position, error, attempts)| json!({
                "subscriber": sub, "position": position, "error": error, "attempts": attempts,
            })).collect::<Vec<_>>(),
            "sagas": self.sagas.iter().map(|(saga, statuses)| (saga.to_string(), json!(statuses))).collect::<serde_json::Map<_, _>>(),
            "read_models": self.read_models.iter().map(|(rm, rows)| (rm.to_string(), json!(rows))).collect::<serde_json::Map<_, _>>(),
        })
    }
}

/// The JSON summary of a finished run of scenario `name` (the document `stormlab simulate
/// --format json` prints; the MCP server's `run_scenario` answers it too).
pub fn summary_json(
    engine: &crate::sim::Engine,
    program: &Program,
    faults: &[crate::model::scenario::Fault],
    name: &str,
) -> serde_json::Value {
    Summary::of(engine, program, faults).json(name, engine.seed())
}

/// Runs the engine to the end; on a terminal, shows the virtual time and the number of
/// events on one line of stderr as it goes.
fn run_with_progress(
    engine: &mut crate::sim::Engine,
    until: Option<i64>,
) -> Result<(), crate::sim::SimError> {
    if !std::io::stdout().is_terminal() {
        return engine.run(until);
    }
    let started = std::time::Instant::now();
    let mut last = started;
    let mut steps: u64 = 0;
    while engine.step(until)? {
        steps += 1;
        if steps.is_multiple_of(4096) && last.elapsed() >= std::time::Duration::from_millis(200) {
            last = std::time::Instant::now();
            eprint!(
                "\r  simulating… virtual time {}  {} events  {:.1} s ",
                crate::model::expr::time::format_timestamp(engine.now()),
                engine.records().len(),
                started.elapsed().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    }
    if last != started {
        eprintln!();
    }
    Ok(())
}
