//! What the collaboration tests share: a seeded generator and the random edits of a soak.

use stormlab::model::field::next_field_number;
use stormlab::model::op::{self, Op};
use stormlab::model::{Field, Kind, Loc, Model, Pos, Type, Uid};

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
/// a sticky, add, remove, rename or move an event's field, edit a context's description, add
/// or remove a scenario. `who` and `n` make the
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
    match rng.below(8) {
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
        6 => {
            let events: Vec<Loc> = stickies
                .iter()
                .copied()
                .filter(|l| l.kind == Kind::Event)
                .collect();
            let Some(&loc) = events.get(rng.below(events.len())) else {
                return Vec::new();
            };
            let (what, a, b) = (rng.below(4), rng.next() as usize, rng.next() as usize);
            changed(&|m| {
                let fields = &mut m.contexts[loc.context.unwrap()].events[loc.index].fields;
                let len = fields.len();
                match what {
                    0 => fields.push(Field {
                        uid: Uid::fresh(),
                        n: next_field_number(fields, &[]),
                        name: format!("added_{who}x{n}"),
                        ty: Type::String,
                        doc: String::new(),
                    }),
                    1 if len > 0 => {
                        fields.remove(a % len);
                    }
                    2 if len > 0 => fields[a % len].name = format!("renamed_{who}x{n}"),
                    3 if len > 1 => {
                        let f = fields.remove(a % len);
                        fields.insert(b % len, f);
                    }
                    _ => {}
                }
            })
        }
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
