//! The reference side shared by the vector generators (`gen_*_vectors.rs`) and the property tests
//! (`math_properties.rs`): the seeded generator of inputs. Nothing here calls `perpool`, so the
//! expected values stay independent of the program. Each test file is its own crate and uses a
//! subset, hence `dead_code` is allowed.
//!
//! The verify side (reading the vectors, comparing the library's results with them) is in
//! `common/mod.rs`.
#![allow(dead_code)]

// ---------------------------------------------------------------------------------------------
// Inputs: a deterministic generator.
// ---------------------------------------------------------------------------------------------

/// SplitMix64: a tiny, well-known deterministic generator (no dependency needed), so that a
/// seed replays the same inputs. Each generator adds its own `edgy` draw (its edge values
/// differ) in an `impl Rng` of its own.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Log-uniform in [lo, hi].
    pub fn log(&mut self, lo: u64, hi: u64) -> u64 {
        let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
        let x = a + (b - a) * (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (x.exp() as u64).clamp(lo, hi)
    }

    /// A value of random bit width (1 to 64), so small and large magnitudes both show up.
    pub fn any_width(&mut self) -> u64 {
        let bits = self.below(64) as u32 + 1;
        self.next() >> (64 - bits)
    }

    /// One of `edges` 30 % of the time (`chance(30)`), otherwise [`Rng::any_width`]: the `edgy`
    /// draw of every generator but the math one.
    pub fn edgy_among(&mut self, edges: &[u64]) -> u64 {
        if self.chance(30) {
            self.pick(edges)
        } else {
            self.any_width()
        }
    }
}

/// The edge values of the liquidity and position generators: around one, around 10_000 (the
/// basis-point denominator), 2^32, 2^63 and `u64::MAX`.
pub const BPS_EDGES: [u64; 10] = [0, 1, 2, 9_999, 10_000, 10_001, 1 << 32, 1 << 63, u64::MAX - 1, u64::MAX];
