//! A fast, fixed hasher for the engine's maps (instances by id, rows by key, stream queues).
//!
//! The maps are looked up on every command and delivery; SipHash and ordered maps with
//! string comparisons cost more than the rest of a command. The hasher is rustc-hash's
//! (rustc's own FxHash, version 2): no random state, so a map's iteration order is the same
//! on every run — but it is no order a user should see, and no log depends on it: views sort
//! by key (see [`sorted`]), and the pinned example logs would change if a log did. It is not
//! DoS-resistant, which does not matter for a simulation of one's own model. It replaced a
//! hand-written FxHash with a full finalizer: `cargo bench --bench engine` measured them
//! alike (within the run-to-run noise, rustc-hash equal or ahead on 7 of 9 workloads), and
//! the tests below hold for it — equal keys hash alike, short texts spread, sequential ids
//! fill the buckets.

use std::collections::HashMap;

/// A hash map with rustc-hash's fixed hasher.
pub type FastMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

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
        let build = rustc_hash::FxBuildHasher;
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
        let build = rustc_hash::FxBuildHasher;
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
