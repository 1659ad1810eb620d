//! Shrinking a failing run to a small reproducer: fewer faults, fewer and smaller steps, an
//! earlier end — each change kept only when the run still fails the same way. The result is
//! a scenario (its seed, its fault plan) that `stormlab test` replays byte for byte.

use crate::model::invariant::When;
use crate::model::scenario::{Scenario, Step};
use crate::sim::scenario::offset_text;

use super::plan::{Piece, with_faults};
use super::{Explorer, Failure, Found, command_count};

/// Runs a shrink may make at most.
pub const MAX_TRIES: u32 = 400;

/// A failure shrunk.
#[derive(Clone, Debug, PartialEq)]
pub struct Shrunk {
    /// The reproducer: the explored scenario with the shrunk steps, fault plan, seed and end.
    pub scenario: Scenario,
    /// Why it fails.
    pub failure: Failure,
    /// Its fault pieces.
    pub pieces: Vec<Piece>,
    /// Its commands (timed ones and loads).
    pub commands: u64,
    /// The runs shrinking made.
    pub tries: u32,
}

struct Search<'a> {
    x: &'a Explorer,
    seed: u64,
    what: String,
    expectations: bool,
    tries: u32,
    /// The smallest failing candidate so far.
    steps: Vec<Step>,
    pieces: Vec<Piece>,
    failure: Failure,
}

impl Search<'_> {
    fn scenario(&self, steps: &[Step], pieces: &[Piece]) -> Scenario {
        let base = Scenario {
            when: steps.to_vec(),
            ..self.x.scenario().clone()
        };
        with_faults(&base, pieces)
    }

    /// Whether the candidate still fails the same way; if so it becomes the current one.
    fn keep(&mut self, steps: Vec<Step>, pieces: Vec<Piece>) -> bool {
        if self.tries >= MAX_TRIES {
            return false;
        }
        self.tries += 1;
        let s = self.scenario(&steps, &pieces);
        match self.x.attempt(&s, self.seed, self.expectations).0 {
            Some(f) if f.what == self.what => {
                self.steps = steps;
                self.pieces = pieces;
                self.failure = f;
                true
            }
            _ => false,
        }
    }

    /// One pass over every way of making the candidate smaller; true if any was kept.
    fn pass(&mut self) -> bool {
        let mut changed = false;
        for i in (0..self.pieces.len()).rev() {
            let mut pieces = self.pieces.clone();
            pieces.remove(i);
            changed |= self.keep(self.steps.clone(), pieces);
        }
        for i in (0..self.steps.len()).rev() {
            let mut steps = self.steps.clone();
            steps.remove(i);
            changed |= self.keep(steps, self.pieces.clone());
        }
        for i in 0..self.steps.len() {
            // The smallest count of a load that still fails, by bisection: a failure needs
            // so many commands, or it does not depend on how many.
            let Some(&Step::Load { count, .. }) = self.steps.get(i) else {
                continue;
            };
            let (mut lo, mut hi) = (1, count);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let mut steps = self.steps.clone();
                if let Some(Step::Load { count, .. }) = steps.get_mut(i) {
                    *count = mid;
                }
                if self.keep(steps, self.pieces.clone()) {
                    hi = mid;
                    changed = true;
                } else {
                    lo = mid + 1;
                }
            }
        }
        changed
    }
}

/// Shrinks the failing run `found` of explorer `x`.
pub fn shrink(x: &Explorer, found: &Found, expectations: bool) -> Shrunk {
    let mut search = Search {
        x,
        seed: found.seed,
        what: found.failure.what.clone(),
        expectations,
        tries: 0,
        steps: x.scenario().when.clone(),
        pieces: found.pieces.clone(),
        failure: found.failure.clone(),
    };
    while search.pass() && search.tries < MAX_TRIES {}
    let mut scenario = search.scenario(&search.steps, &search.pieces);
    // An `always` invariant broken after some event: the reproducer stops right there.
    if search.failure.when == Some(When::Always) && search.tries < MAX_TRIES {
        let mut early = scenario.clone();
        let start = early.start_ms().unwrap_or(0);
        early.until = Some(offset_text(search.failure.time - start));
        search.tries += 1;
        if let (Some(f), _) = x.attempt(&early, search.seed, expectations)
            && f.what == search.what
        {
            scenario = early;
            search.failure = f;
        }
    }
    scenario.name = format!(
        "{} — explored: {} (seed {})",
        x.scenario().name,
        search.what,
        found.seed
    );
    scenario.seed = found.seed;
    scenario.doc = format!(
        "Found by `stormlab explore` (run {}): {}. Shrunk from {} fault(s) and {} command(s).",
        found.run,
        search.failure.detail,
        found.pieces.len(),
        found.commands
    );
    if !expectations {
        scenario.then.clear();
    }
    scenario.uid = crate::model::Uid::NONE;
    Shrunk {
        commands: command_count(&scenario),
        scenario,
        failure: search.failure,
        pieces: search.pieces,
        tries: search.tries,
    }
}
