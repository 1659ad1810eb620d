//! What the collaboration tests share: a seeded generator and the random edits of a soak.

use stormlab::model::op::{self, Op};
use stormlab::model::{Kind, Loc, Model, Pos, Uid};

/// A small seeded generator (splitmix64), so a failing soak run can be replayed from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random edit of the kinds people make, as ops on `model`: move, rename, delete or copy
/// a sticky, edit a context's description, add or remove a scenario. `who` and `n` make the
/// names it gives unique.
pub fn random_ops(model: &Model, rng: &mut Rng, who: usize, n: usize) -> Vec<Op> {
    let stickies: Vec<Loc> = model
        .elements()
        .iter()
        .filter(|e| e.loc.kind != Kind::Context && e.at.is_some())
        .map(|e| e.loc)
        .collect();
    let pick = |rng: &mut Rng| stickies.get(rng.below(stickies.len())).copied();
    let changed = |change: &dyn Fn(&mut Model)| {
        let mut next = model.clone();
        change(&mut next);
        op::diff(model, &next)
    };
    match rng.below(7) {
        0 | 1 => pick(rng).map_or_else(Vec::new, |loc| {
            let at = Pos::new(rng.below(2000) as f32, rng.below(2000) as f32);
            vec![Op::SetPos {
                uid: model.uid_at(loc).unwrap(),
                at,
            }]
        }),
        2 => pick(rng).map_or_else(Vec::new, |loc| {
            changed(&|m| {
                stormlab::model::refs::rename(m, loc, &format!("Renamed{who}x{n}"));
            })
        }),
        3 => pick(rng).map_or_else(Vec::new, |loc| {
            vec![Op::RemoveSticky {
                uid: model.uid_at(loc).unwrap(),
            }]
        }),
        4 => pick(rng).map_or_else(Vec::new, |loc| {
            let mut copy = model.sticky(loc).unwrap();
            copy.renew_ids();
            *copy.name_mut() = format!("Copy{who}x{n}");
            let ci = loc.context.unwrap();
            changed(&|m| {
                m.insert_sticky(ci, copy.clone());
            })
        }),
        5 if !model.contexts.is_empty() => {
            let ci = rng.below(model.contexts.len());
            changed(&|m| m.contexts[ci].doc = format!("noted by {who} at {n}"))
        }
        _ => {
            if model.scenarios.len() > 1 && rng.below(2) == 0 {
                let uid = model.scenarios[rng.below(model.scenarios.len())].uid;
                vec![Op::RemoveScenario { uid }]
            } else if let Some(s) = model.scenarios.first() {
                let at = rng.below(model.scenarios.len() + 1);
                changed(&|m| {
                    let mut s = s.clone();
                    s.uid = Uid::fresh();
                    s.name = format!("scenario {who}x{n}");
                    m.scenarios.insert(at, s);
                })
            } else {
                Vec::new()
            }
        }
    }
}
