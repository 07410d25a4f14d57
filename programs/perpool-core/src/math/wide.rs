//! 128-bit intermediate arithmetic built from 64-bit operations.
//!
//! A 128-bit value is carried as a `(hi, lo)` pair of `u64` halves. Multiplication splits each
//! operand into two 32-bit limbs (schoolbook, four 32×32→64 products); division is Knuth's
//! Algorithm D with 32-bit digits specialised to a two-digit divisor, so it needs two 64-bit
//! hardware divisions and a few multiplies instead of a 128-step shift-subtract loop.
//!
//! The limb arithmetic here uses operators: each step says in place why it cannot wrap, and this
//! module is what the checked helpers are built on.
#![allow(clippy::arithmetic_side_effects)]

use core::num::NonZeroU64;

/// Mask of the low 32 bits; also the largest 32-bit digit.
const LO32: u64 = 0xFFFF_FFFF;

/// The full 128-bit product `a * b`, returned as `(hi, lo)` with `a * b == hi * 2^64 + lo`.
///
/// Never fails: the product of two 64-bit numbers always fits in 128 bits.
#[inline]
pub fn wide_mul(a: u64, b: u64) -> (u64, u64) {
    // Both below 2^32 (basis points, decimals, small amounts): the product fits in 64 bits.
    if (a | b) >> 32 == 0 {
        return (0, a.wrapping_mul(b));
    }
    // The second operand below 2^32 (basis points, powers of ten up to 10^9, where callers put
    // the constant): two partial products instead of four.
    if b >> 32 == 0 {
        // Each product is of two values below 2^32: below 2^64, no wrap.
        let p0 = (a & LO32).wrapping_mul(b);
        let p1 = (a >> 32).wrapping_mul(b);
        // a * b = p1 * 2^32 + p0: the low half wraps at most once, and the high half is below
        // 2^32 plus that carry.
        let lo = p0.wrapping_add(p1 << 32);
        let hi = (p1 >> 32) + (lo < p0) as u64;
        return (hi, lo);
    }
    let (a1, a0) = (a >> 32, a & LO32);
    let (b1, b0) = (b >> 32, b & LO32);

    // Each partial product is of two values below 2^32, hence below 2^64: no wrap.
    let p00 = a0.wrapping_mul(b0);
    let p01 = a0.wrapping_mul(b1);
    let p10 = a1.wrapping_mul(b0);
    let p11 = a1.wrapping_mul(b1);

    // Bits 32..96 of the result: three terms below 2^32 each, so the sum is below 2^34.
    let mid = (p00 >> 32) + (p01 & LO32) + (p10 & LO32);
    let lo = (mid << 32) | (p00 & LO32);
    // The true high half is below 2^64, and this sum is exactly it: no overflow.
    let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    (hi, lo)
}

/// Divides `hi * 2^64 + lo` by `d`, returning `(quotient, remainder)`.
///
/// Precondition: `hi < d`, so the quotient fits in 64 bits; callers check it and report
/// [`MathError::Overflow`](super::MathError::Overflow) themselves. Taking a [`NonZeroU64`] makes the
/// divisor's non-zero check the caller's (it is their [`DivideByZero`](super::MathError::DivideByZero))
/// and lets the compiler drop its own divide-by-zero panic branches.
#[inline]
pub(crate) fn div_wide(hi: u64, lo: u64, d: NonZeroU64) -> (u64, u64) {
    debug_assert!(hi < d.get(), "div_wide: quotient does not fit in 64 bits");
    if hi == 0 {
        // Common case (a 64-bit dividend): one hardware division.
        return (lo / d, lo % d);
    }
    if d.get() >> 32 == 0 {
        // A divisor below 2^32 (basis points, powers of ten up to 1e9): two steps of long division
        // in base 2^32, each a 64-bit division, and no normalisation. `hi < d < 2^32`, so the
        // first partial dividend fits in 64 bits and each quotient digit is below 2^32.
        let t = (hi << 32) | (lo >> 32);
        let (q1, r1) = (t / d, t % d);
        let t = (r1 << 32) | (lo & LO32);
        return ((q1 << 32) | (t / d), t % d);
    }
    if d.get() >> 48 == 0 {
        // A divisor below 2^48 (prices up to $281,474 with 9 decimals, 10^10 to 10^14): four steps
        // of long division in base 2^16, each a 64-bit division, and no normalisation. Every
        // partial remainder is below `d < 2^48`, so each partial dividend `r * 2^16 + digit` fits
        // in 64 bits and each quotient digit is below 2^16. (`hi < d` is the first remainder.)
        let t = (hi << 16) | (lo >> 48);
        let (q3, r) = (t / d, t % d);
        let t = (r << 16) | ((lo >> 32) & 0xFFFF);
        let (q2, r) = (t / d, t % d);
        let t = (r << 16) | ((lo >> 16) & 0xFFFF);
        let (q1, r) = (t / d, t % d);
        let t = (r << 16) | (lo & 0xFFFF);
        let (q0, r) = (t / d, t % d);
        return ((q3 << 48) | (q2 << 32) | (q1 << 16) | q0, r);
    }

    if d.get() >> 56 == 0 {
        // A divisor below 2^56 (10^15, 10^16, a year of seconds times 10^9): eight steps in base
        // 2^8, by the same argument as above (partial dividends below `d * 2^8 <= 2^64`).
        let d = d.get();
        let mut r = hi;
        let mut q = 0u64;
        let mut shift = 64u32;
        while shift > 0 {
            shift -= 8;
            let t = (r << 8) | ((lo >> shift) & 0xFF);
            q = (q << 8) | (t / d);
            r = t % d;
        }
        return (q, r);
    }

    // Normalise: shift so the divisor's top bit is set. Then a quotient digit estimated from the
    // leading digits is at most two too large (Knuth, TAOCP vol. 2, 4.3.1, Theorem B).
    // Shifting the dividend by the same amount keeps its high half below the divisor.
    // The divisor is at least 2^56 here, so the shift is below 8: three tests find it (the BPF
    // backend has no count-leading-zeros instruction and expands `leading_zeros` to dozens).
    let mut s = 0u32;
    let mut top = d.get();
    if top >> 60 == 0 {
        s = 4;
        top <<= 4;
    }
    if top >> 62 == 0 {
        s += 2;
        top <<= 2;
    }
    if top >> 63 == 0 {
        s += 1;
        top <<= 1;
    }
    let d = top;
    // `checked_shr` yields None for a shift of 64 (when s == 0): nothing moves across halves then.
    let num_hi = (hi << s) | lo.checked_shr(64 - s).unwrap_or(0);
    let num_lo = lo << s;

    // Two base-2^32 long-division steps, one per quotient digit.
    let (q1, rem) = div_digit(num_hi, num_lo >> 32, d);
    let (q0, rem) = div_digit(rem, num_lo & LO32, d);
    ((q1 << 32) | q0, rem >> s)
}

/// The full 128-bit quotient of `hi * 2^64 + lo` divided by `d`: `(q_hi, q_lo, remainder)`.
#[inline]
pub(crate) fn div_wide_full(hi: u64, lo: u64, d: NonZeroU64) -> (u64, u64, u64) {
    // Schoolbook with 64-bit digits: the high digit first, its remainder carries into the low one
    // (and is below `d`, which is exactly the precondition of `div_wide`).
    let (q_hi, r_hi) = (hi / d, hi % d);
    let (q_lo, rem) = div_wide(r_hi, lo, d);
    (q_hi, q_lo, rem)
}

/// Divides `hi * 2^64 + lo` by the product `a * b` of two divisors below 2^32 (constants such as
/// 10^18 = 10^9 · 10^9): `Some((quotient, exact))`, or `None` when the quotient does not fit in
/// 64 bits. Nested floors compose exactly, `floor(floor(x / a) / b) == floor(x / (a·b))`, and the
/// division is exact only when both steps are; each step takes the two-digit path of
/// [`div_wide`], where one division by a divisor of 2^56 or more takes Knuth's.
#[inline]
pub(crate) fn div_wide_by_factors(hi: u64, lo: u64, a: NonZeroU64, b: NonZeroU64) -> Option<(u64, bool)> {
    debug_assert!(a.get() >> 32 == 0 && b.get() >> 32 == 0, "div_wide_by_factors: a factor of 2^32 or more");
    let (q_hi, q_lo, r1) = div_wide_full(hi, lo, a);
    if q_hi >= b.get() {
        return None;
    }
    let (q, r2) = div_wide(q_hi, q_lo, b);
    Some((q, (r1 | r2) == 0))
}

/// One step of long division in base 2^32: divides `top * 2^32 + next` by the normalised `d`.
///
/// Preconditions: `d >= 2^63` (normalised), `top < d`, `next < 2^32`. Then the quotient is a single
/// digit (below 2^32). Returns `(digit, remainder)`.
#[inline(always)]
fn div_digit(top: u64, next: u64, d: u64) -> (u64, u64) {
    // `d` is normalised, so its leading digit already has bit 31 set. Setting it again changes
    // nothing but tells the compiler the digit is non-zero, so `/` needs no zero check.
    let d1 = (d >> 32) | (1 << 31);
    let d0 = d & LO32;

    // Estimate the digit from the divisor's leading digit; `r` is the matching partial remainder.
    let mut q = top / d1;
    let mut r = top - q.wrapping_mul(d1); // q * d1 <= top: no wrap.

    // Refine with the second divisor digit: while the digit is too big for base 2^32, or
    // q * d > top * 2^32 + next (tested as q * d0 > r * 2^32 + next), step it down. With a
    // two-digit divisor this test is exact, and runs at most twice. Once r reaches 2^32 the
    // right-hand side exceeds any q * d0, so the loop stops; it also keeps `r << 32` lossless.
    while q > LO32 || q.wrapping_mul(d0) > ((r << 32) | next) {
        q -= 1;
        r += d1;
        if r > LO32 {
            break;
        }
    }

    // The true remainder is below d < 2^64, so computing it modulo 2^64 gives it exactly.
    let rem = ((top << 32) | next).wrapping_sub(q.wrapping_mul(d));
    (q, rem)
}

#[cfg(test)]
mod tests {
    // Works whether or not the crate is `no_std`: proptest's `prop_oneof!` expands to `vec!`.
    extern crate std;
    use std::vec;

    use super::*;
    use proptest::prelude::*;

    fn join(hi: u64, lo: u64) -> u128 {
        ((hi as u128) << 64) | lo as u128
    }

    /// Values that tend to break limb arithmetic: zero, one, all ones, powers of two and their
    /// neighbours, and values with only one 32-bit half set.
    fn edgy_u64() -> impl Strategy<Value = u64> {
        prop_oneof![
            any::<u64>(),
            Just(0u64),
            Just(1u64),
            Just(u64::MAX),
            Just(u64::MAX - 1),
            Just(LO32),
            Just(LO32 + 1),
            (0u32..64).prop_map(|k| 1u64 << k),
            (1u32..64).prop_map(|k| (1u64 << k) - 1),
            (0u32..63).prop_map(|k| (1u64 << k) + 1),
            any::<u32>().prop_map(u64::from),
            any::<u32>().prop_map(|x| (x as u64) << 32),
            u64::MAX - 1000..=u64::MAX,
        ]
    }

    fn nonzero_u64() -> impl Strategy<Value = u64> {
        edgy_u64().prop_map(|d| d.max(1))
    }

    /// Divisors on and around each path of `div_wide`: base 2^16 (below 2^48), base 2^8 (below
    /// 2^56) and Knuth's (2^56 and above, 10^18 among them).
    fn path_divisors() -> impl Strategy<Value = u64> {
        prop_oneof![
            (1u64 << 32)..(1u64 << 48),
            ((1u64 << 48) - 1000)..(1u64 << 48),
            Just(1u64 << 32),
            (1u64 << 48)..(1u64 << 56),
            ((1u64 << 56) - 1000)..=((1u64 << 56) + 1000),
            (1u64 << 56)..=u64::MAX,
            Just(1_000_000_000_000_000_000u64),
        ]
    }

    fn nz(d: u64) -> NonZeroU64 {
        NonZeroU64::new(d).unwrap()
    }

    #[test]
    fn wide_mul_edges() {
        assert_eq!(wide_mul(0, u64::MAX), (0, 0));
        assert_eq!(wide_mul(1, u64::MAX), (0, u64::MAX));
        assert_eq!(wide_mul(u64::MAX, u64::MAX), (u64::MAX - 1, 1));
        assert_eq!(wide_mul(1 << 32, 1 << 32), (1, 0));
        assert_eq!(wide_mul(1 << 63, 2), (1, 0));
    }

    #[test]
    fn div_wide_edges() {
        // Largest dividend with a 64-bit quotient: (d - 1) * 2^64 + (2^64 - 1).
        let d = u64::MAX;
        assert_eq!(div_wide(d - 1, u64::MAX, nz(d)), (u64::MAX, u64::MAX - 1));
        assert_eq!(div_wide(0, 7, nz(2)), (3, 1));
        assert_eq!(div_wide(1, 0, nz(2)), (1 << 63, 0));
        // Unnormalised divisor with a non-zero high half (the s > 0 path).
        let (q, r) = div_wide(2, 5, nz(3));
        assert_eq!(q as u128 * 3 + r as u128, join(2, 5));
        assert!(r < 3);
        // Normalised divisor (s == 0): no bits cross from `lo` into `hi`.
        let d = (1u64 << 63) + 12345;
        let (q, r) = div_wide(d - 1, 42, nz(d));
        assert_eq!(q as u128 * d as u128 + r as u128, join(d - 1, 42));
        assert!(r < d);
    }

    #[test]
    fn div_wide_full_edges() {
        assert_eq!(div_wide_full(u64::MAX, u64::MAX, nz(1)), (u64::MAX, u64::MAX, 0));
        assert_eq!(div_wide_full(u64::MAX, u64::MAX, nz(u64::MAX)), (1, 1, 0));
        // 5 * 2^64 / 10 = 2^63 exactly.
        assert_eq!(div_wide_full(5, 0, nz(10)), (0, 1 << 63, 0));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn wide_mul_matches_u128(a in edgy_u64(), b in edgy_u64()) {
            let (hi, lo) = wide_mul(a, b);
            prop_assert_eq!(join(hi, lo), a as u128 * b as u128);
        }

        #[test]
        fn div_wide_matches_u128(d in prop_oneof![nonzero_u64(), path_divisors()], hi_seed in edgy_u64(), lo in edgy_u64()) {
            let hi = hi_seed % d; // respect the precondition hi < d
            let n = join(hi, lo);
            let (q, r) = div_wide(hi, lo, nz(d));
            prop_assert_eq!(q as u128, n / d as u128);
            prop_assert_eq!(r as u128, n % d as u128);
        }

        #[test]
        fn div_wide_by_factors_matches_u128(
            a in prop_oneof![1u64..(1u64 << 32), Just(1_000_000_000u64), Just(31_536_000u64), Just((1u64 << 32) - 1)],
            b in prop_oneof![1u64..(1u64 << 32), Just(1_000_000_000u64), Just((1u64 << 32) - 1)],
            hi in edgy_u64(),
            lo in edgy_u64(),
        ) {
            let n = join(hi, lo);
            let d = a as u128 * b as u128;
            let expected = u64::try_from(n / d).ok().map(|q| (q, n.is_multiple_of(d)));
            prop_assert_eq!(div_wide_by_factors(hi, lo, nz(a), nz(b)), expected);
        }

        #[test]
        fn div_wide_full_matches_u128(d in nonzero_u64(), hi in edgy_u64(), lo in edgy_u64()) {
            let n = join(hi, lo);
            let (qh, ql, r) = div_wide_full(hi, lo, nz(d));
            prop_assert_eq!(join(qh, ql), n / d as u128);
            prop_assert_eq!(r as u128, n % d as u128);
        }
    }
}
