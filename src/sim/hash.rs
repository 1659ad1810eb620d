//! A fast, fixed hasher for the engine's maps (instances by id, rows by key, stream queues).
//!
//! The maps are looked up on every command and delivery; SipHash and ordered maps with
//! string comparisons cost more than the rest of a command. The hasher has no random state,
//! so a map's iteration order is the same on every run and machine — but it is no order a
//! user should see: views sort by key (see [`sorted`]). It is not DoS-resistant, which does
//! not matter for a simulation of one's own model.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A word-at-a-time multiplicative hasher (the FxHash scheme of rustc).
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        // The last 1–7 bytes as one word, read without a variable-length copy: two
        // overlapping 4-byte reads, or the bytes one by one below 4.
        let word = match rest.len() {
            0 => return,
            n @ 4.. => {
                let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
                u64::from(lo) | u64::from(hi) << 32
            }
            n => {
                rest.iter()
                    .enumerate()
                    .fold(0, |w, (i, b)| w | u64::from(*b) << (8 * i))
                    ^ (n as u64) << 40
            }
        };
        self.add(word ^ ((rest.len() as u64) << 59));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // A full mix (MurmurHash3's finalizer): the rounds' multiplications carry every input
        // bit up but never down, and hashbrown takes its bucket from the low bits — without
        // this, keys that differ in their last bytes (`o-10417`, `o-10418`) crowd into a few
        // buckets.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A hash map with the fixed [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The entries of a map sorted by key, for showing to a user.
pub fn sorted<K: Ord, V>(map: &FastMap<K, V>) -> Vec<(&K, &V)> {
    let mut v: Vec<(&K, &V)> = map.iter().collect();
    v.sort_unstable_by(|a, b| a.0.cmp(b.0));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_keys_hash_alike_and_views_are_sorted() {
        let mut m: FastMap<String, u32> = FastMap::default();
        for (i, k) in ["b", "a", "c-10", "c-9"].iter().enumerate() {
            m.insert((*k).to_owned(), i as u32);
        }
        assert_eq!(m.get("c-10"), Some(&2));
        let keys: Vec<&str> = sorted(&m).into_iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c-10", "c-9"]);
    }

    #[test]
    fn value_keys_hash_by_content_and_short_texts_spread() {
        use crate::model::expr::Value;
        use std::hash::BuildHasher as _;
        let build = BuildHasherDefault::<FxHasher>::default();
        // Equal content in two allocations: equal, and hashed alike.
        let (a, b) = (Value::str("o-17"), Value::str("o-17"));
        assert_eq!(a, b);
        assert_eq!(build.hash_one(&a), build.hash_one(&b));
        assert_ne!(Value::str("o-17"), Value::str("o-18"));
        assert_ne!(Value::Int(5), Value::Ts(5));
        // Every text of 0–12 bytes over a small alphabet hashes apart (each length takes
        // another path through the hasher's tail).
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        for len in 0..=12 {
            for first in ["a", "b", "c-", "x9"] {
                for last in ["0", "1", "z"] {
                    let mut t = first.to_owned();
                    while t.len() + 1 < len {
                        t.push('_');
                    }
                    t.push_str(last);
                    if t.len() == len.max(first.len() + 1) {
                        n += 1;
                        seen.insert((build.hash_one(&t), t));
                    }
                }
            }
        }
        let hashes: std::collections::HashSet<u64> = seen.iter().map(|(h, _)| *h).collect();
        assert_eq!(hashes.len(), seen.len(), "{n} texts");
    }

    #[test]
    fn sequential_ids_fill_the_buckets_a_map_takes_from_the_low_bits() {
        use crate::model::expr::Value;
        use std::hash::BuildHasher as _;
        let build = BuildHasherDefault::<FxHasher>::default();
        let (n, buckets) = (20_000usize, 32_768usize);
        let ideal = buckets as f64 * (1.0 - (-(n as f64) / buckets as f64).exp());
        let used = |hashes: &mut dyn Iterator<Item = u64>| {
            let mut hit = vec![false; buckets];
            for h in hashes {
                hit[h as usize & (buckets - 1)] = true;
            }
            hit.iter().filter(|&&b| b).count() as f64
        };
        // Ids that differ only in their last characters, as values (saga correlations, row
        // keys) and as text (aggregate ids): as many buckets as random hashes would fill.
        let values = used(&mut (0..n).map(|i| build.hash_one(Value::str(&format!("o-{i}")))));
        let texts = used(&mut (0..n).map(|i| build.hash_one(format!("booking-{i}"))));
        let ints = used(&mut (0..n).map(|i| build.hash_one(Value::Int(i as i64 * 1024))));
        for (what, got) in [("values", values), ("texts", texts), ("integers", ints)] {
            assert!(
                got > 0.95 * ideal,
                "{what}: {got} buckets used of ~{ideal:.0}"
            );
        }
    }
}
