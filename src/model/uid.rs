//! Stable identity: the [`Uid`] every context, sticky, relation, scenario and field carries.
//!
//! A `Uid` names *this* element for as long as it exists: renaming, moving, reordering it or
//! deleting others never changes it, and it is saved in the file (`id: "…"`, format 2). New
//! ids are random 64-bit values, so people creating stickies on different machines at the
//! same time need no coordination (a collision needs ~4 billion elements in one board to
//! become likely). Ids of elements a file does not name (format 1, or a hand-written element)
//! are derived from the element's place and name, so loading the same text always gives the
//! same ids.

use std::fmt;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The stable identity of one element. [`Uid::NONE`] means "not assigned yet".
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(u64);

impl Uid {
    /// No id: an element built in code before the model gives it one.
    pub const NONE: Uid = Uid(0);

    /// True for [`Uid::NONE`].
    pub fn is_none(&self) -> bool {
        self.0 == 0
    }

    /// A new id, unique with overwhelming probability across machines and runs.
    pub fn fresh() -> Uid {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        thread_local! {
            // Seeded by the OS's randomness through std (no extra crate for 64 random bits).
            static SEED: u64 = std::collections::hash_map::RandomState::new().build_hasher().finish();
        }
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let seed = SEED.with(|s| *s);
        Uid::from_bits(mix(seed ^ mix(n.wrapping_add(0x9E37_79B9_7F4A_7C15))))
    }

    /// The id derived from a text key (an element's place and name): the same key always
    /// gives the same id, on every machine.
    pub fn derived(key: &str) -> Uid {
        // FNV-1a, then a full mix: stable across Rust versions, unlike std's hashers.
        let mut h: u64 = 0xCBF2_9CE4_8422_2325;
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        Uid::from_bits(mix(h))
    }

    /// The id with these bits (0 becomes 1: zero is [`Uid::NONE`]).
    pub fn from_bits(bits: u64) -> Uid {
        Uid(bits.max(1))
    }

    /// The raw bits.
    pub fn bits(self) -> u64 {
        self.0
    }

    /// Parses the file form: 16 hexadecimal digits.
    pub fn parse(text: &str) -> Option<Uid> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16)
            .ok()
            .filter(|&b| b != 0)
            .map(Uid)
    }
}

/// SplitMix64's finaliser: every input bit affects every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({self})")
    }
}

impl Serialize for Uid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Uid::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not an element id: an id is 16 hexadecimal digits, not all zero \
                 (delete the `uid` line and one is made for the element)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_differ_and_round_trip_through_text() {
        let ids: std::collections::BTreeSet<Uid> = (0..10_000).map(|_| Uid::fresh()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert!(!id.is_none());
            assert_eq!(Uid::parse(&id.to_string()), Some(*id));
        }
        assert_eq!(Uid::parse("0000000000000000"), None);
        assert_eq!(Uid::parse("xyz"), None);
        assert_eq!(Uid::parse("00000000000000001"), None);
    }

    #[test]
    fn derived_ids_are_pinned() {
        // Migrated files depend on these values: they must never drift.
        assert_eq!(Uid::derived("").to_string(), "f52a15e9a9b5e89b");
        assert_eq!(
            Uid::derived("Sales/command/PlaceOrder").to_string(),
            "40f7cee0532c5469"
        );
        assert_ne!(Uid::derived("a"), Uid::derived("b"));
    }
}
