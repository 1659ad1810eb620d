//! Deterministic random numbers: xoshiro256** seeded by SplitMix64, written here so results
//! never change with a crate version. One seed forks into independent named streams.

/// SplitMix64: a good 64-bit mixer, used for seeding and for deriving ids.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A xoshiro256** generator.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for `seed`, in the stream named `stream` (e.g. "faults").
    pub fn new(seed: u64, stream: &str) -> Self {
        let mut x = seed;
        for b in stream.bytes() {
            x = splitmix64(x ^ u64::from(b));
        }
        let mut s = [0u64; 4];
        for slot in &mut s {
            x = splitmix64(x);
            *slot = x;
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Self { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// A uniform integer in `lo..=hi` (either order).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        Self::range_of(self.next_u64(), lo, hi)
    }

    /// The integer in `lo..=hi` (either order) that the random bits `draw` pick, as
    /// [`Rng::range`] picks it.
    pub fn range_of(draw: u64, lo: i64, hi: i64) -> i64 {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (u128::from(draw) % span) as i128) as i64
    }

    /// Moves past `n` numbers, as `n` calls of [`Rng::next_u64`] would.
    pub fn skip(&mut self, n: u64) {
        for _ in 0..n {
            self.next_u64();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published reference outputs (Vigna's `xoshiro256starstar.c` and `splitmix64.c`,
    /// as quoted by the rand_xoshiro crate's tests): the generator is the algorithm it says.
    #[test]
    fn the_generators_give_the_reference_outputs() {
        let mut r = Rng { s: [1, 2, 3, 4] };
        let expected: [u64; 10] = [
            11520,
            0,
            1509978240,
            1215971899390074240,
            1216172134540287360,
            607988272756665600,
            16172922978634559625,
            8476171486693032832,
            10595114339597558777,
            2904607092377533576,
        ];
        for e in expected {
            assert_eq!(r.next_u64(), e);
        }
        let mut state: u64 = 1477776061723855037;
        for e in [
            1985237415132408290u64,
            2979275885539914483,
            13511426838097143398,
        ] {
            assert_eq!(splitmix64(state), e);
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        }
    }

    /// Pinned: seeding, stream names and the derived numbers. Any change here changes every
    /// scenario's run for a given seed; make it only on purpose, with a note in the README.
    const PINNED_FAULTS: [u64; 3] = [
        8862107465543727803,
        16861301114305223508,
        2943533160063719989,
    ];
    const PINNED_DERIVED: (i64, i64, f64, bool) = (2, 2, 0.05169387704952688, false);

    #[test]
    fn seeded_streams_are_pinned() {
        let mut r = Rng::new(42, "faults");
        let firsts: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut w = Rng::new(7, "workload");
        let derived = (w.range(1, 6), w.range(-3, 3), w.unit(), w.chance(0.5));
        assert_eq!(firsts, PINNED_FAULTS);
        assert_eq!(derived, PINNED_DERIVED);
    }

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, "faults");
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, "faults");
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, "latency");
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut r = Rng::new(7, "x");
        for _ in 0..1000 {
            let v = r.range(1, 3);
            assert!((1..=3).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
