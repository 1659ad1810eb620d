//! The path taken at the simulation cursor, drawn over the board's arrows: from the command
//! to its aggregate, to the event, to every subscriber it is delivered to. When the cursor
//! moves, a dot travels along the path, stage by stage, so a trainer can narrate the step.

use std::collections::BTreeSet;

use crate::app::simulation::panel::SimPanel;
use crate::model::Loc;
use crate::sim::program::Target;
use crate::sim::store::Cause;

/// How long the dot takes from the command to the subscribers, in seconds (less while
/// playing fast, so each step finishes before the next).
const TRAVEL: f64 = 0.9;

/// The arrows taken at the cursor, each with its stage (0: from the command, 1: from the
/// aggregate, 2: from the event), and where the travelling dot is (0…1 over all stages;
/// None when it has arrived).
#[derive(Clone, Debug, Default)]
pub struct Path {
    /// `(from, to, stage)` for every board arrow on the path.
    pub arrows: Vec<(Loc, Loc, usize)>,
    /// The dot's progress, while it travels.
    pub phase: Option<f32>,
}

impl SimPanel {
    /// The elements at the cursor by stage: the command, its aggregate, the event, the
    /// subscribers (empty while the run does not match the model).
    pub fn stages(&self, revision: u64) -> [Vec<Loc>; 4] {
        let mut stages: [Vec<Loc>; 4] = Default::default();
        let Some(run) = self.run.as_ref().filter(|r| r.revision == revision) else {
            return stages;
        };
        let (e, p) = (&run.engine, &run.engine.program());
        let Some(r) = self
            .time
            .cursor()
            .checked_sub(1)
            .and_then(|c| e.records().get(c as usize))
        else {
            return stages;
        };
        let def = &p.events[r.event as usize];
        if let Cause::Command(c) = r.causation
            && let Some(c) = e.commands().get(c as usize)
        {
            stages[0].push(p.commands[c.command()].id);
        }
        if let Some(Target::Aggregate(a)) = def.owner {
            stages[1].push(p.aggregates[a].id);
        }
        stages[2].push(def.id);
        stages[3].extend(
            p.by_event[r.event as usize]
                .iter()
                .map(|&s| p.subscribers[s].id),
        );
        stages
    }

    /// The path at the cursor over the board's `arrows`, animated from the moment the cursor
    /// last moved (`now`: the UI clock in seconds).
    pub fn path(&mut self, revision: u64, arrows: &[(Loc, Loc)], now: f64) -> Path {
        let stages = self.stages(revision);
        let stage_of = |id: &Loc| stages.iter().position(|s| s.contains(id));
        let on_path: BTreeSet<&Loc> = stages.iter().flatten().collect();
        let mut out = Path::default();
        for (a, b) in arrows {
            if !on_path.contains(a) || !on_path.contains(b) {
                continue;
            }
            if let (Some(sa), Some(sb)) = (stage_of(a), stage_of(b))
                && sb > sa
            {
                out.arrows.push((*a, *b, sa));
            }
        }
        if self.travel.0 != self.time.cursor() {
            self.travel = (self.time.cursor(), now);
        }
        let duration = if self.time.playing() {
            TRAVEL.min(0.8 / self.time.speed().max(0.1))
        } else {
            TRAVEL
        };
        let t = (now - self.travel.1) / duration;
        if !out.arrows.is_empty() && (0.0..1.0).contains(&t) {
            out.phase = Some(t as f32);
        }
        out
    }
}
