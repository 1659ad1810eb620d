//! `stormlab explore FILE`: run scenarios under many seeded fault plans, checking the model's
//! invariants; report each way of failing with its first run, shrunk to a small scenario that
//! `stormlab test` replays, and what the runs exercised.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::Exit;
use crate::model::expr::time::parse_duration;
use crate::sim::explore::coverage::Section;
use crate::sim::explore::{Bounds, Explorer, Options, Progress, Report};

/// Arguments of `stormlab explore`.
#[derive(Debug, clap::Args)]
pub struct ExploreArgs {
    /// The model file.
    pub file: PathBuf,
    /// The scenarios to explore (repeat the option for several; default: every scenario).
    #[arg(long)]
    pub scenario: Vec<String>,
    /// Runs per scenario, all partitions together.
    #[arg(long, default_value_t = 1000)]
    pub runs: u64,
    /// Stop after this long in all (`30s`, `5m`), even with runs left.
    #[arg(long)]
    pub time: Option<String>,
    /// Threads (default: the machine's cores). The results do not depend on it.
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The exploration's seed; each run's seed is derived from it and the run's number.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// `K/N`: run only part K of N (every N-th run from run K-1); the N parts together are
    /// the whole exploration.
    #[arg(long)]
    pub partition: Option<String>,
    /// At most this many faults per run (default: the scenario's `explore`, else 3).
    #[arg(long)]
    pub max_faults: Option<usize>,
    /// Highest failure, duplicate and reorder rate drawn, 0…1 (default: the scenario's
    /// `explore`, else 0.5).
    #[arg(long)]
    pub max_rate: Option<f64>,
    /// Also draw "what if this subscriber were not idempotent?" into the fault plans.
    #[arg(long)]
    pub flip_idempotence: bool,
    /// Count a failed expectation of the scenario as a failure too (by default only broken
    /// invariants, runs that never come to rest and scenarios that cannot run are).
    #[arg(long)]
    pub expectations: bool,
    /// Do not shrink failures.
    #[arg(long)]
    pub no_shrink: bool,
    /// Write a copy of the model with the shrunk reproducers added as scenarios.
    #[arg(short = 'o', long)]
    pub out: Option<PathBuf>,
    /// `text`, or `json` (one document on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: super::report::Format,
}

fn options(args: &ExploreArgs) -> anyhow::Result<Options> {
    let partition = match &args.partition {
        None => (1, 1),
        Some(p) => {
            let parsed = p.split_once('/').and_then(|(k, n)| {
                Some((k.trim().parse::<u64>().ok()?, n.trim().parse::<u64>().ok()?))
            });
            match parsed {
                Some((k, n)) if 1 <= k && k <= n => (k, n),
                _ => anyhow::bail!("--partition {p}: write K/N with 1 ≤ K ≤ N, like 2/3"),
            }
        }
    };
    let time = match &args.time {
        None => None,
        Some(t) => {
            let ms = parse_duration(t).filter(|ms| *ms > 0).ok_or_else(|| {
                anyhow::anyhow!("--time {t}: write a duration like `30s` or `5m`")
            })?;
            // The whole exploration's; `run` shares it out between the scenarios.
            Some(std::time::Duration::from_millis(ms as u64))
        }
    };
    if let Some(r) = args.max_rate
        && !(0.0..=1.0).contains(&r)
    {
        anyhow::bail!("--max-rate {r}: a rate is from 0 to 1");
    }
    let jobs = match args.jobs {
        Some(0) => anyhow::bail!("--jobs 0: at least one thread"),
        Some(j) => j,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    Ok(Options {
        runs: args.runs,
        time,
        jobs,
        seed: args.seed,
        partition,
        // The command's bounds replace the scenario's when any is given.
        bounds: (args.max_faults.is_some() || args.max_rate.is_some() || args.flip_idempotence)
            .then(|| {
                let d = Bounds::default();
                let rate = args.max_rate.unwrap_or(d.failure_rate);
                Bounds {
                    max_faults: args.max_faults.unwrap_or(d.max_faults),
                    failure_rate: rate,
                    duplicate_rate: rate,
                    reorder_rate: rate,
                    idempotence: args.flip_idempotence,
                    ..d
                }
            }),
        expectations: args.expectations,
        shrink: !args.no_shrink,
    })
}

/// Runs `stormlab explore`; exit 1 when some run failed.
pub fn run(args: &ExploreArgs) -> anyhow::Result<ExitCode> {
    let (text, mut model) = match super::read_model(&args.file) {
        Ok(read) => read,
        Err(e) => return Ok(e.into()),
    };
    let name_of_file = args.file.display().to_string();
    let diags = crate::model::check::check(&model);
    if super::refuse_errors(&diags, &model, &text, &name_of_file, "not explored") {
        return Ok(Exit::Findings.into());
    }
    let names: Vec<String> = if args.scenario.is_empty() {
        model.scenarios.iter().map(|s| s.name.clone()).collect()
    } else {
        args.scenario.clone()
    };
    if names.is_empty() {
        eprintln!(
            "{name_of_file}: no scenario to explore: write one (see the README's Simulation)"
        );
        return Ok(Exit::Clean.into());
    }
    let whole = options(args)?;
    let text_out = args.format == super::report::Format::Text;
    let cancel = AtomicBool::new(false);
    let mut reports = Vec::new();
    let began = std::time::Instant::now();
    for (i, name) in names.iter().enumerate() {
        // With `--time`, each scenario gets an equal share of what is left, so the time one
        // does not use (its runs ran out first) goes to those after it.
        let opts = Options {
            time: whole
                .time
                .map(|t| t.saturating_sub(began.elapsed()) / (names.len() - i) as u32),
            ..whole.clone()
        };
        let x = Explorer::new(&model, name)?;
        let live = text_out && std::io::stderr().is_terminal();
        let report = x.explore(
            &opts,
            &|p| {
                if live {
                    progress(name, p)
                }
            },
            &cancel,
        );
        if live {
            eprint!("\r\x1b[2K");
        }
        if text_out {
            print_report(&report, &opts);
        }
        reports.push(report);
    }
    let failed = reports.iter().any(|r| r.failed > 0);
    if let Some(out) = &args.out {
        for r in &reports {
            for s in r.found.iter().filter_map(|f| f.shrunk.as_ref()) {
                let mut s = s.scenario.clone();
                s.uid = crate::model::Uid::fresh();
                model.scenarios.retain(|o| o.name != s.name);
                model.scenarios.push(s);
            }
        }
        crate::model::file::save(out, &model)?;
        if text_out {
            outln!(
                "wrote {}: replay with `stormlab test {}`",
                out.display(),
                out.display()
            );
        }
    }
    if !text_out {
        let doc = json!({
            "file": name_of_file,
            "seed": whole.seed,
            "partition": format!("{}/{}", whole.partition.0, whole.partition.1),
            "scenarios": reports.iter().map(report_json).collect::<Vec<_>>(),
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    }
    Ok(if failed { Exit::Findings } else { Exit::Clean }.into())
}

fn progress(name: &str, p: &Progress) {
    let rate = p.done as f64 / p.elapsed.as_secs_f64().max(1e-3);
    eprint!(
        "\r\x1b[2Kexploring “{name}”: {}/{} runs · {rate:.0} runs/s · {} failed",
        p.done, p.planned, p.failed
    );
}

fn print_report(r: &Report, opts: &Options) {
    let secs = r.elapsed.as_secs_f64();
    outln!(
        "{} “{}”: {} run(s) in {secs:.2} s ({:.0} runs/s, {} job(s), seed {}, part {}/{}), {} failed",
        if r.failed > 0 { "FAIL" } else { "ok  " },
        r.scenario,
        r.runs,
        r.runs_per_second(),
        opts.jobs,
        opts.seed,
        opts.partition.0,
        opts.partition.1,
        r.failed
    );
    if let Some(b) = &r.baseline {
        outln!("     without any injected fault it fails too: {}", b.detail);
    }
    for f in &r.found {
        outln!(
            "  {} — first in run {} (seed {}), {} fault(s), {} command(s)",
            f.failure.what,
            f.run,
            f.seed,
            f.pieces.len(),
            f.commands
        );
        outln!("     {}", f.failure.detail);
        if let Some(s) = &f.shrunk {
            outln!(
                "     shrunk in {} run(s) to {} fault(s), {} command(s): “{}”",
                s.tries,
                s.pieces.len(),
                s.commands,
                s.scenario.name
            );
            outln!("       {}", s.failure.detail);
            for p in &s.pieces {
                outln!("       fault: {p}");
            }
            if !s.failure.chain.is_empty() {
                outln!("       led there: {}", s.failure.chain.join(" → "));
            }
        }
    }
    let c = &r.coverage;
    outln!(
        "  coverage: {:.0}% of {} item(s) exercised",
        c.share() * 100.0,
        c.counts.len()
    );
    let mut section = None;
    for (s, item) in c.never() {
        if section != Some(*s) {
            outln!("    never ({}):", s.title());
            section = Some(*s);
        }
        outln!("      {item}");
    }
}

fn report_json(r: &Report) -> serde_json::Value {
    let section = |s: Section| s.title();
    json!({
        "scenario": r.scenario,
        "runs": r.runs,
        "failed": r.failed,
        "seconds": r.elapsed.as_secs_f64(),
        "baseline": r.baseline.as_ref().map(|b| b.detail.clone()),
        "found": r.found.iter().map(|f| json!({
            "what": f.failure.what,
            "detail": f.failure.detail,
            "run": f.run,
            "seed": f.seed,
            "faults": f.pieces.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "commands": f.commands,
            "shrunk": f.shrunk.as_ref().map(|s| json!({
                "scenario": s.scenario.name,
                "faults": s.pieces.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "commands": s.commands,
                "tries": s.tries,
                "position": s.failure.position,
                "chain": s.failure.chain,
            })),
        })).collect::<Vec<_>>(),
        "coverage": {
            "share": r.coverage.share(),
            "items": r.coverage.counts.iter().map(|((s, item), n)| json!({
                "section": section(*s), "item": item, "count": n,
            })).collect::<Vec<_>>(),
        },
    })
}
