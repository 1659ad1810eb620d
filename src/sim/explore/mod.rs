//! Exploration: one scenario run many times, each run with its own seed and a fault plan
//! drawn from that seed, checking the model's invariants (and, when asked, the scenario's
//! expectations). Runs are numbered; run `i` is the same on every machine whatever the number
//! of threads, and `--partition K/N` takes every N-th run, so partitions add up to the whole.
//! A failure is shrunk to a small scenario that replays it (see [`shrink`]).

pub mod coverage;
pub mod plan;
pub mod shrink;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::model::Model;
use crate::model::invariant::When;
use crate::model::scenario::{Scenario, Step};
use crate::sim::engine::Engine;
use crate::sim::invariant::Watch;
use crate::sim::program::{Program, SimError};
use crate::sim::rng::{Rng, splitmix64};
use crate::sim::scenario::{find, prepare, prepare_in, until_of, verdicts};
use crate::sim::timeline::{Link, causation};

pub use coverage::Coverage;
pub use plan::{Bounds, FaultKind, Piece};
pub use shrink::Shrunk;

/// How to explore.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// How many runs make the whole exploration (all partitions together).
    pub runs: u64,
    /// Stop after this long, even if runs are left.
    pub time: Option<Duration>,
    /// Threads.
    pub jobs: usize,
    /// The exploration's seed: run `i`'s seed is derived from it.
    pub seed: u64,
    /// `(k, n)`: this is part `k` (1-based) of `n`, taking runs `k-1`, `k-1+n`, …
    pub partition: (u64, u64),
    /// The limits of the fault plans drawn; None: the scenario's own (its `explore`), or
    /// the defaults.
    pub bounds: Option<Bounds>,
    /// Whether a failed expectation of the scenario counts as a failure (not only a broken
    /// invariant, a run that cannot end, or a scenario that cannot run).
    pub expectations: bool,
    /// Whether failures are shrunk.
    pub shrink: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runs: 1000,
            time: None,
            jobs: 1,
            seed: 0,
            partition: (1, 1),
            bounds: None,
            expectations: false,
            shrink: true,
        }
    }
}

/// How far an exploration is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Runs finished.
    pub done: u64,
    /// Runs planned (for this partition).
    pub planned: u64,
    /// Runs that failed so far.
    pub failed: u64,
    /// Time since the start.
    pub elapsed: Duration,
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// What failed, the same for every run failing the same way: `invariant \`…\``,
    /// `expectation …`, `the run does not come to rest`.
    pub what: String,
    /// What was found, in words.
    pub detail: String,
    /// The log's length when it was found.
    pub position: u64,
    /// The record whose handling broke an `always` invariant (0-based).
    pub record: Option<u64>,
    /// The virtual time then.
    pub time: i64,
    /// How it came about: from the scenario's command down to the violating record.
    pub chain: Vec<String>,
    /// When the broken invariant is checked (None: not an invariant).
    pub when: Option<When>,
}

/// A failing run.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// Its number.
    pub run: u64,
    /// Its seed (the engine's and its fault plan's).
    pub seed: u64,
    /// Its fault plan.
    pub pieces: Vec<Piece>,
    /// Why it failed.
    pub failure: Failure,
    /// The scenario's commands in the run (timed ones and loads).
    pub commands: u64,
    /// The failure shrunk to a small scenario, when shrinking was asked for.
    pub shrunk: Option<Shrunk>,
}

/// What an exploration found.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The scenario explored.
    pub scenario: String,
    /// Runs made.
    pub runs: u64,
    /// Runs that failed.
    pub failed: u64,
    /// The numbers of the runs that failed, in order.
    pub failing: Vec<u64>,
    /// The first failing run of each way of failing, in run order.
    pub found: Vec<Found>,
    /// Why the scenario fails without any injected fault, if it does.
    pub baseline: Option<Failure>,
    /// What the runs exercised.
    pub coverage: Coverage,
    /// How long it took, shrinking included.
    pub elapsed: Duration,
    /// How long the runs took (before shrinking).
    pub running: Duration,
}

impl Report {
    /// Runs per second, over the time the runs took (not the shrinking after them).
    pub fn runs_per_second(&self) -> f64 {
        self.runs as f64 / self.running.as_secs_f64().max(1e-6)
    }
}

/// A scenario ready to be explored: the program and invariants compiled once for every run.
pub struct Explorer {
    program: Arc<Program>,
    watch: Option<Arc<Watch>>,
    base: Scenario,
    subscribers: Vec<String>,
    /// The scenario's own bounds (its `explore`, over the defaults).
    bounds: Bounds,
    span_ms: i64,
    /// Why the scenario fails without faults: by its invariants alone, and counting its
    /// expectations too (the run that measures `span_ms` finds both).
    baseline: [Option<Failure>; 2],
}

/// Run `index`'s seed in an exploration seeded `seed`.
pub fn run_seed(seed: u64, index: u64) -> u64 {
    splitmix64(seed ^ splitmix64(index))
}

/// The scenario's own commands: one per timed command, `count` per load.
pub fn command_count(s: &Scenario) -> u64 {
    s.when
        .iter()
        .map(|st| match st {
            Step::Command { .. } => 1,
            Step::Load { count, .. } => (*count).max(0) as u64,
            Step::Redrive { .. } => 0,
        })
        .sum()
}

impl Explorer {
    /// Prepares scenario `scenario` of `model` (which must check clean).
    pub fn new(model: &Model, scenario: &str) -> Result<Self, SimError> {
        let program = Arc::new(Program::new(model)?);
        let base = find(model, scenario)?.clone();
        let watch = Watch::compile(model, &program, Some(&base))?.map(Arc::new);
        // Subscribers by the name a fault plan gives them: bare when it is unique.
        let subscribers = program
            .subscribers
            .iter()
            .map(|s| {
                let twins = program
                    .subscribers
                    .iter()
                    .filter(|o| o.name == s.name)
                    .count();
                match (twins, s.id.context.and_then(|c| model.contexts.get(c))) {
                    (2.., Some(c)) => format!("{}.{}", c.name, s.name),
                    _ => s.name.clone(),
                }
            })
            .collect::<Vec<String>>();
        let bounds = Bounds::of(base.explore.as_ref());
        // Only the subscribers the scenario lets exploration hit, when it names some.
        let only: Vec<usize> = base
            .explore
            .iter()
            .flat_map(|e| &e.subscribers)
            .filter_map(|s| program.subscriber_named(s))
            .collect();
        let subscribers = subscribers
            .into_iter()
            .enumerate()
            .filter(|(i, _)| only.is_empty() || only.contains(i))
            .map(|(_, s)| s)
            .collect();
        let mut x = Self {
            program,
            watch,
            base,
            subscribers,
            bounds,
            span_ms: 0,
            baseline: [None, None],
        };
        // Outages are placed within the time the scenario takes without faults. The same
        // run, watched to its end, is the baseline's verdict (watching changes no record).
        let start = x.base.start_ms().unwrap_or(0);
        let mut e = prepare(x.program.clone(), &x.base, None, x.watch.clone(), false)?;
        e.run(until_of(&x.base))?;
        x.span_ms = (e.now() - start).max(1_000);
        let broken = broken_invariant(&mut e);
        let failed = broken.clone().or_else(|| failed_expectation(&e, &x.base));
        x.baseline = [broken, failed];
        Ok(x)
    }

    /// A copy for one thread, sharing nothing: a run clones the program's `Arc` at every
    /// step, and threads sharing one would contend for its count.
    fn for_thread(&self) -> Explorer {
        Explorer {
            program: Arc::new((*self.program).clone()),
            watch: self.watch.as_ref().map(|w| Arc::new((**w).clone())),
            base: self.base.clone(),
            subscribers: self.subscribers.clone(),
            bounds: self.bounds.clone(),
            span_ms: self.span_ms,
            baseline: self.baseline.clone(),
        }
    }

    /// The scenario explored.
    pub fn scenario(&self) -> &Scenario {
        &self.base
    }

    /// Runs scenario `s` with `seed`: why it failed, if it did, and the finished engine.
    pub fn attempt(
        &self,
        s: &Scenario,
        seed: u64,
        expectations: bool,
    ) -> (Option<Failure>, Option<Engine>) {
        self.attempt_in(None, s, seed, expectations)
    }

    /// As [`Explorer::attempt`], in the memory of a finished run when given.
    fn attempt_in(
        &self,
        spare: Option<Engine>,
        s: &Scenario,
        seed: u64,
        expectations: bool,
    ) -> (Option<Failure>, Option<Engine>) {
        let watch = (self.watch.clone(), true);
        let mut e = match prepare_in(spare, self.program.clone(), s, Some(seed), watch) {
            Ok(e) => e,
            Err(err) => {
                return (
                    Some(plain("the scenario cannot run", err.to_string())),
                    None,
                );
            }
        };
        if let Err(err) = e.run(until_of(s)) {
            let f = plain("the run does not come to rest", err.to_string());
            return (
                Some(Failure {
                    position: e.records().len() as u64,
                    time: e.now(),
                    ..f
                }),
                Some(e),
            );
        }
        let failure = match broken_invariant(&mut e) {
            Some(f) => Some(f),
            None if expectations => failed_expectation(&e, s),
            None => None,
        };
        (failure, Some(e))
    }

    /// The bounds fault plans are drawn within: `given` (the command's), else the
    /// scenario's own.
    pub fn bounds<'a>(&'a self, given: Option<&'a Bounds>) -> &'a Bounds {
        given.unwrap_or(&self.bounds)
    }

    /// Run `index` of an exploration seeded `seed`: its seed and fault plan.
    pub fn plan(&self, seed: u64, index: u64, bounds: &Bounds) -> (u64, Vec<Piece>) {
        let run_seed = run_seed(seed, index);
        let mut rng = Rng::new(run_seed, "explore");
        let pieces = plan::draw(&mut rng, &self.subscribers, bounds, self.span_ms);
        (run_seed, pieces)
    }

    /// Runs run `index`: whether it failed, and what it exercised. The run is made in the
    /// memory of the previous one (`spare`), and leaves its own there for the next.
    pub fn run(
        &self,
        opts: &Options,
        index: u64,
        (coverage, spare): (&mut Coverage, &mut Option<Engine>),
    ) -> Option<Found> {
        let (seed, pieces) = self.plan(opts.seed, index, self.bounds(opts.bounds.as_ref()));
        let s = plan::with_faults(&self.base, &pieces);
        let (failure, engine) = self.attempt_in(spare.take(), &s, seed, opts.expectations);
        if let Some(e) = engine {
            coverage.add_run(&e);
            *spare = Some(e);
        }
        failure.map(|failure| Found {
            run: index,
            seed,
            pieces,
            failure,
            commands: command_count(&s),
            shrunk: None,
        })
    }

    /// Explores: runs this partition's runs on `opts.jobs` threads, calling `progress` about
    /// ten times a second from the calling thread, until done, out of time or `cancel`;
    /// then shrinks the first failure of each kind.
    pub fn explore(
        &self,
        opts: &Options,
        progress: &dyn Fn(&Progress),
        cancel: &AtomicBool,
    ) -> Report {
        let began = Instant::now();
        let (k, n) = (opts.partition.0.max(1), opts.partition.1.max(1));
        let planned = opts.runs.saturating_sub(k - 1).div_ceil(n);
        let next = AtomicU64::new(0);
        let done = AtomicU64::new(0);
        let failed = AtomicU64::new(0);
        let found: Mutex<Vec<Found>> = Mutex::new(Vec::new());
        let coverage = Mutex::new(Coverage::of(&self.program));
        let out_of_time = || opts.time.is_some_and(|t| began.elapsed() >= t);
        let working = AtomicU64::new(opts.jobs.max(1) as u64);
        std::thread::scope(|scope| {
            for _ in 0..opts.jobs.max(1) {
                scope.spawn(|| {
                    let x = self.for_thread();
                    let mut mine = Coverage::default();
                    let mut spare = None;
                    let mut local = Vec::new();
                    loop {
                        if cancel.load(Ordering::Relaxed) || out_of_time() {
                            break;
                        }
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        if j >= planned {
                            break;
                        }
                        if let Some(f) = x.run(opts, j * n + (k - 1), (&mut mine, &mut spare)) {
                            failed.fetch_add(1, Ordering::Relaxed);
                            local.push(f);
                        }
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Ok(mut all) = found.lock() {
                        all.extend(local);
                    }
                    if let Ok(mut c) = coverage.lock() {
                        c.merge(&mine);
                    }
                    working.fetch_sub(1, Ordering::Release);
                });
            }
            let mut told = Instant::now();
            while working.load(Ordering::Acquire) > 0 {
                std::thread::sleep(Duration::from_millis(2));
                if told.elapsed() < Duration::from_millis(100) {
                    continue;
                }
                told = Instant::now();
                progress(&Progress {
                    done: done.load(Ordering::Relaxed),
                    planned,
                    failed: failed.load(Ordering::Relaxed),
                    elapsed: began.elapsed(),
                });
            }
        });
        let running = began.elapsed();
        let mut all = found.into_inner().unwrap_or_default();
        all.sort_by_key(|f| f.run);
        let failing = all.iter().map(|f| f.run).collect();
        let mut first: Vec<Found> = Vec::new();
        for f in all {
            if !first.iter().any(|g| g.failure.what == f.failure.what) {
                first.push(f);
            }
        }
        if opts.shrink {
            for f in &mut first {
                if cancel.load(Ordering::Relaxed) {
                    break;
                }
                f.shrunk = Some(shrink::shrink(self, f, opts.expectations));
            }
        }
        let baseline = self.baseline[usize::from(opts.expectations)].clone();
        Report {
            scenario: self.base.name.clone(),
            runs: done.load(Ordering::Relaxed),
            failed: failed.load(Ordering::Relaxed),
            failing,
            found: first,
            baseline,
            coverage: coverage.into_inner().unwrap_or_default(),
            elapsed: began.elapsed(),
            running,
        }
    }
}

/// The first invariant the finished run `e` broke (the `eventually` ones checked now).
fn broken_invariant(e: &mut Engine) -> Option<Failure> {
    if e.violations().is_empty() {
        e.check_eventually();
    }
    let v = e.violations().first()?;
    Some(Failure {
        what: format!("invariant `{}`", v.invariant),
        detail: v.to_string(),
        position: v.position,
        record: v.record,
        time: v.time,
        chain: v.record.map(|r| chain(e, r)).unwrap_or_default(),
        when: Some(v.when),
    })
}

/// The first expectation of `s` the finished run `e` does not meet.
fn failed_expectation(e: &Engine, s: &Scenario) -> Option<Failure> {
    let v = verdicts_of(e, s).ok()?.into_iter().find(|v| !v.passed)?;
    Some(Failure {
        position: e.records().len() as u64,
        time: e.now(),
        ..plain(&format!("expectation {}", v.expectation), v.reason)
    })
}

fn plain(what: &str, detail: String) -> Failure {
    Failure {
        what: what.to_owned(),
        detail,
        position: 0,
        time: 0,
        record: None,
        chain: Vec::new(),
        when: None,
    }
}

/// The scenario's own expectations (not the invariants' verdicts, which follow them)
/// against a finished run.
fn verdicts_of(e: &Engine, s: &Scenario) -> Result<Vec<crate::sim::scenario::Verdict>, SimError> {
    verdicts(e, s).map(|mut v| {
        // One verdict per invariant closes the list (an expectation may give several).
        v.truncate(v.len().saturating_sub(e.invariants().len()));
        v
    })
}

/// The records and commands that led to the record at `position`, from the scenario's
/// command down to it.
fn chain(e: &Engine, position: u64) -> Vec<String> {
    let p = e.program();
    let mut out: Vec<String> = std::iter::once(Link::Event(position))
        .chain(causation(e, position))
        .map(|link| match link {
            Link::Event(at) => {
                let name = e
                    .record(at as usize)
                    .and_then(|r| p.events.get(r.event as usize))
                    .map_or("?", |d| d.name.as_str());
                format!("event #{} {name}", at + 1)
            }
            Link::Command(c) => match e.commands().get(c as usize) {
                Some(rec) => {
                    let name = &p.commands[rec.command()].name;
                    format!("command {name} to {}", rec.target)
                }
                None => "a command".to_owned(),
            },
            Link::Deadline(at) => format!("a deadline armed by event #{}", at + 1),
            Link::Given => "the given history".to_owned(),
        })
        .collect();
    out.reverse();
    out
}
