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
}

/// Runs `stormlab simulate`.
pub fn run(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let (text, model) = match super::read_model(&args.file) {
        Ok(read) => read,
        Err(e) => return Ok(e.into()),
    };
    if args.list_scenarios {
        for s in &model.scenarios {
            println!("{}", s.name);
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
    if super::refuse_errors(&diags, &text, &name_of_file, "not simulated") {
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
    run_with_progress(&mut engine, until)?;
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
    let p = &program;
    let rejected: Vec<_> = engine
        .commands()
        .iter()
        .filter(|c| c.rejection.is_some())
        .collect();
    println!("scenario: {name}");
    // The faults the scenario injects, so that what follows (retries, dead letters) reads as
    // their consequence.
    for f in scenario.iter().flat_map(|s| &s.faults) {
        for (from, until) in &f.outages {
            println!("outage:   {} from {from} until {until}", f.subscriber);
        }
        if f.failure_rate > 0.0 {
            println!(
                "faults:   {} fails {:.0} % of deliveries",
                f.subscriber,
                f.failure_rate * 100.0
            );
        }
    }
    println!(
        "commands: {} ({} rejected)",
        engine.commands().len(),
        rejected.len()
    );
    println!("events:   {}", engine.records().len());
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for r in engine.records() {
        *by_type
            .entry(p.events[r.event as usize].name.as_str())
            .or_default() += 1;
    }
    for (t, n) in by_type {
        println!("  {n:>6}  {t}");
    }
    for r in rejected.iter().take(20) {
        println!(
            "rejected: {} {} — {}",
            p.commands[r.command].name,
            r.target,
            r.rejection.as_deref().unwrap_or("")
        );
    }
    if rejected.len() > 20 {
        println!("rejected: … and {} more", rejected.len() - 20);
    }
    println!("dead letters: {}", engine.parked().len());
    const SHOWN_PARKED: usize = 10;
    for d in engine.parked().iter().take(SHOWN_PARKED) {
        println!(
            "  {} event {}: {} after {} attempt(s)",
            p.subscribers[d.subscriber].name,
            d.position + 1,
            d.error,
            d.attempts
        );
    }
    if engine.parked().len() > SHOWN_PARKED {
        println!("  … and {} more", engine.parked().len() - SHOWN_PARKED);
    }
    for (si, sub) in p.subscribers.iter().enumerate() {
        match &sub.kind {
            SubscriberKind::Saga(s) => {
                let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
                for i in engine.saga_instances()[*s].values() {
                    *statuses.entry(&*i.status).or_default() += 1;
                }
                let list: Vec<String> = statuses.iter().map(|(k, v)| format!("{v} {k}")).collect();
                println!(
                    "saga {}: {}",
                    sub.name,
                    if list.is_empty() {
                        "no instances".into()
                    } else {
                        list.join(", ")
                    }
                );
            }
            SubscriberKind::ReadModel(r) => println!(
                "read model {}: {} row(s)",
                sub.name,
                engine.tables()[*r].len()
            ),
            _ => {}
        }
        let _ = si;
    }
    Ok(ExitCode::SUCCESS)
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
