//! Checked `u64` arithmetic and exact `a * b / c` with an explicit rounding direction.
//!
//! `mul_div_*` compute over the full 128-bit product, so `a * b` may exceed `u64::MAX` as long as
//! the final quotient fits. Error precedence (mirrored by the SDK): a zero divisor is reported as
//! [`MathError::DivideByZero`] before anything else; then a result above the output type's range
//! is [`MathError::Overflow`].

use core::num::NonZeroU64;

use super::error::fail;
use super::wide::{div_wide, div_wide_by_factors, wide_mul};
use super::MathError;

crate::source_file!();

/// Which way a division rounds. Internal: the public API spells the direction in the name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rounding {
    /// Toward zero (for non-negative values: toward negative infinity).
    Down,
    /// Away from zero for a non-zero remainder (for non-negative values: toward positive infinity).
    Up,
}

impl Rounding {
    /// Applies the rounding to a quotient given whether the division left a remainder.
    #[inline(always)]
    pub(crate) fn adjust(self, quotient: u64, remainder: u64) -> Result<u64, MathError> {
        if self == Rounding::Up && remainder != 0 {
            quotient.checked_add(1).ok_or(MathError::Overflow)
        } else {
            Ok(quotient)
        }
    }
}

/// An integer type the checked helpers take.
pub trait CheckedInt: Copy {
    /// `self + other` if it fits.
    fn add_checked(self, other: Self) -> Option<Self>;
    /// `self - other` if it fits.
    fn sub_checked(self, other: Self) -> Option<Self>;
}

macro_rules! checked_int {
    ($($t:ty),*) => {$(
        impl CheckedInt for $t {
            #[inline(always)]
            fn add_checked(self, other: Self) -> Option<Self> {
                self.checked_add(other)
            }
            #[inline(always)]
            fn sub_checked(self, other: Self) -> Option<Self> {
                self.checked_sub(other)
            }
        }
    )*};
}
checked_int!(u8, u16, u32, u64, u128, usize, i32, i64, i128);

/// `a + b`, or [`MathError::Overflow`] (raised where this was called) past the type's range.
#[inline(always)]
#[track_caller]
pub fn checked_add<T: CheckedInt>(a: T, b: T) -> Result<T, MathError> {
    match a.add_checked(b) {
        Some(v) => Ok(v),
        None => fail(MathError::Overflow),
    }
}

/// `a - b`, or [`MathError::Underflow`] (raised where this was called) below the type's range.
#[inline(always)]
#[track_caller]
pub fn checked_sub<T: CheckedInt>(a: T, b: T) -> Result<T, MathError> {
    match a.sub_checked(b) {
        Some(v) => Ok(v),
        None => fail(MathError::Underflow),
    }
}

/// The sum of `parts`, or [`MathError::Overflow`] (raised where this was called) above `u64::MAX`.
/// One check for the whole sum: each add only records its carry, so a sum of several book entries
/// costs about what one `checked_add` does.
#[inline(always)]
#[track_caller]
pub fn checked_sum<const N: usize>(parts: [u64; N]) -> Result<u64, MathError> {
    let mut total = 0u64;
    let mut carried = false;
    for p in parts {
        let (t, c) = total.overflowing_add(p);
        total = t;
        carried |= c;
    }
    if carried {
        fail(MathError::Overflow)
    } else {
        Ok(total)
    }
}

/// `a * b`, or [`MathError::Overflow`] above `u64::MAX`.
///
/// Built on [`wide_mul`]: `u64::checked_mul` lowers to a 128-bit multiply the BPF backend lacks.
#[inline(always)]
#[track_caller]
pub fn checked_mul(a: u64, b: u64) -> Result<u64, MathError> {
    raised(mul_quiet(a, b))
}

/// [`checked_mul`] without raising: for the internals of the raising helpers.
#[inline(always)]
pub(crate) fn mul_quiet(a: u64, b: u64) -> Result<u64, MathError> {
    match wide_mul(a, b) {
        (0, lo) => Ok(lo),
        _ => Err(MathError::Overflow),
    }
}

/// Raises the error of a result produced by an internal (quiet) function at the line that called
/// this, the pattern of every raising helper; crate-internal callers of [`mul_div`] and
/// [`mul_div_nz`] wrap their call in it.
#[inline(always)]
#[track_caller]
pub(crate) fn raised<T>(r: Result<T, MathError>) -> Result<T, MathError> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => Err(e.raise()),
    }
}

/// `a * b / c` rounded toward zero (floor), exact over the 128-bit product.
///
/// Errors: `c == 0` → [`MathError::DivideByZero`]; result above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
#[track_caller]
pub fn mul_div_floor(a: u64, b: u64, c: u64) -> Result<u64, MathError> {
    raised(mul_div(a, b, c, Rounding::Down))
}

/// `a * b / c` rounded up (ceil), exact over the 128-bit product.
///
/// Errors: `c == 0` → [`MathError::DivideByZero`]; result above `u64::MAX` → [`MathError::Overflow`]
/// (including a floor of exactly `u64::MAX` with a non-zero remainder).
#[inline(always)]
#[track_caller]
pub fn mul_div_ceil(a: u64, b: u64, c: u64) -> Result<u64, MathError> {
    raised(mul_div(a, b, c, Rounding::Up))
}

/// Signed `a * b / c` rounded toward negative infinity (floor): `-7 * 1 / 2 == -4`.
///
/// For PnL and funding, where the sign lives in `a`. Works on magnitudes (the BPF backend has no
/// signed division): a negative `a` takes the ceiling of `|a| * b / c` and negates it.
/// Errors: `c == 0` → [`MathError::DivideByZero`]; result outside `i64` → [`MathError::Overflow`].
#[inline(always)]
#[track_caller]
pub fn mul_div_floor_i64(a: i64, b: u64, c: u64) -> Result<i64, MathError> {
    let magnitude = a.unsigned_abs();
    raised(if a >= 0 {
        mul_div(magnitude, b, c, Rounding::Down).and_then(positive_i64)
    } else {
        mul_div(magnitude, b, c, Rounding::Up).and_then(negative_i64)
    })
}

/// Signed `a * b / c` rounded toward positive infinity (ceil): `-7 * 1 / 2 == -3`.
///
/// Errors: `c == 0` → [`MathError::DivideByZero`]; result outside `i64` → [`MathError::Overflow`].
#[inline(always)]
#[track_caller]
pub fn mul_div_ceil_i64(a: i64, b: u64, c: u64) -> Result<i64, MathError> {
    let magnitude = a.unsigned_abs();
    raised(if a >= 0 {
        mul_div(magnitude, b, c, Rounding::Up).and_then(positive_i64)
    } else {
        mul_div(magnitude, b, c, Rounding::Down).and_then(negative_i64)
    })
}

/// `a * b / c` with the given rounding; the shared body of the `mul_div_*` functions. Quiet: a
/// caller outside this file wraps it in [`raised`].
#[inline]
pub(crate) fn mul_div(a: u64, b: u64, c: u64, rounding: Rounding) -> Result<u64, MathError> {
    match NonZeroU64::new(c) {
        Some(c) => mul_div_nz(a, b, c, rounding),
        None => Err(MathError::DivideByZero),
    }
}

/// [`mul_div`] for a divisor known to be non-zero (constants such as `BPS_DENOM`).
#[inline]
pub(crate) fn mul_div_nz(a: u64, b: u64, c: NonZeroU64, rounding: Rounding) -> Result<u64, MathError> {
    let (hi, lo) = wide_mul(a, b);
    // The quotient fits in 64 bits exactly when the product is below c * 2^64, i.e. hi < c.
    if hi >= c.get() {
        return Err(MathError::Overflow);
    }
    let (quotient, remainder) = div_wide(hi, lo, c);
    rounding.adjust(quotient, remainder)
}

/// [`mul_div_nz`] for a divisor given as two factors below 2^32 (`c1 * c2`, such as 10^18 as
/// 10^9 · 10^9): the same result, through two-digit divisions instead of Knuth's normalised one.
#[inline]
pub(crate) fn mul_div_factors(
    a: u64,
    b: u64,
    c: (NonZeroU64, NonZeroU64),
    rounding: Rounding,
) -> Result<u64, MathError> {
    let (hi, lo) = wide_mul(a, b);
    match div_wide_by_factors(hi, lo, c.0, c.1) {
        Some((quotient, exact)) => rounding.adjust(quotient, (!exact) as u64),
        None => Err(MathError::Overflow),
    }
}

/// A non-negative magnitude as `i64`, or [`MathError::Overflow`] above `i64::MAX`.
#[inline(always)]
fn positive_i64(magnitude: u64) -> Result<i64, MathError> {
    if magnitude > i64::MAX as u64 {
        Err(MathError::Overflow)
    } else {
        Ok(magnitude as i64)
    }
}

/// The negation of a magnitude as `i64`, or [`MathError::Overflow`] below `i64::MIN`.
#[inline(always)]
fn negative_i64(magnitude: u64) -> Result<i64, MathError> {
    if magnitude > i64::MIN.unsigned_abs() {
        Err(MathError::Overflow)
    } else {
        // 2^63 reinterprets as i64::MIN, whose wrapping negation is itself: the right answer.
        Ok((magnitude as i64).wrapping_neg())
    }
}

#[cfg(test)]
mod tests {
    // Works whether or not the crate is `no_std`: proptest's `prop_oneof!` expands to `vec!`.
    extern crate std;
    use std::vec;

    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 20_000;

    fn edgy_u64() -> impl Strategy<Value = u64> {
        prop_oneof![
            3 => any::<u64>(),
            1 => Just(0u64),
            1 => Just(1u64),
            1 => Just(2u64),
            1 => Just(u64::MAX),
            1 => Just(u64::MAX - 1),
            1 => (0u32..64).prop_map(|k| 1u64 << k),
            1 => (1u32..64).prop_map(|k| (1u64 << k) - 1),
            1 => any::<u32>().prop_map(u64::from),
            1 => 0u64..1000,
            1 => u64::MAX - 1000..=u64::MAX,
        ]
    }

    fn edgy_i64() -> impl Strategy<Value = i64> {
        prop_oneof![
            3 => any::<i64>(),
            1 => Just(0i64),
            1 => Just(1i64),
            1 => Just(-1i64),
            1 => Just(i64::MAX),
            1 => Just(i64::MIN),
            1 => Just(i64::MIN + 1),
            1 => -1000i64..1000,
            1 => any::<i32>().prop_map(i64::from),
        ]
    }

    /// u128 reference for `mul_div_*`.
    fn reference(a: u64, b: u64, c: u64, up: bool) -> Result<u64, MathError> {
        if c == 0 {
            return Err(MathError::DivideByZero);
        }
        let n = a as u128 * b as u128;
        let mut q = n / c as u128;
        if up && !n.is_multiple_of(c as u128) {
            q += 1;
        }
        u64::try_from(q).map_err(|_| MathError::Overflow)
    }

    /// i128 reference for the signed variants (floor / ceil toward -inf / +inf).
    fn reference_i64(a: i64, b: u64, c: u64, up: bool) -> Result<i64, MathError> {
        if c == 0 {
            return Err(MathError::DivideByZero);
        }
        let n = a as i128 * b as i128;
        let c = c as i128;
        let q = n.div_euclid(c); // c > 0: Euclidean division is floor division
        let q = if up && n.rem_euclid(c) != 0 { q + 1 } else { q };
        i64::try_from(q).map_err(|_| MathError::Overflow)
    }

    #[test]
    fn a_failed_operation_reports_the_line_that_called_it() {
        let last_raised = || crate::math::error::last_raised().map(|(e, at)| (e, at.file(), at.line()));
        let _ = last_raised();
        assert_eq!(checked_add(1u64, 2), Ok(3));
        assert_eq!(last_raised(), None, "a success reports nothing");
        let line = line!() + 1;
        assert_eq!(checked_sub(1u64, 2), Err(MathError::Underflow));
        assert_eq!(last_raised(), Some((MathError::Underflow, file!(), line)));
        // Through two `#[track_caller]` layers (mul_div_floor → mul_div → mul_div_nz): still this line.
        let line = line!() + 1;
        assert_eq!(mul_div_floor(u64::MAX, 2, 1), Err(MathError::Overflow));
        assert_eq!(last_raised(), Some((MathError::Overflow, file!(), line)));
        let line = line!() + 1;
        assert_eq!(mul_div_ceil(1, 1, 0), Err(MathError::DivideByZero));
        assert_eq!(last_raised(), Some((MathError::DivideByZero, file!(), line)));
        // A conversion of `units` reports its caller too.
        let line = line!() + 1;
        let r = crate::math::units::usd_to_token_floor(crate::math::Usd(1), crate::math::Price(1), 19);
        assert_eq!(r, Err(MathError::InvalidDecimals));
        assert_eq!(last_raised(), Some((MathError::InvalidDecimals, file!(), line)));
    }

    #[test]
    fn checked_sum_reports_any_carry() {
        assert_eq!(checked_sum([1, 2, 3]), Ok(6));
        assert_eq!(checked_sum([u64::MAX, 0, 0]), Ok(u64::MAX));
        assert_eq!(checked_sum([u64::MAX, 1, 0]), Err(MathError::Overflow));
        // Two carries that would cancel in a wrapping sum are still an overflow.
        assert_eq!(checked_sum([u64::MAX, u64::MAX, 2]), Err(MathError::Overflow));
        assert_eq!(checked_sum::<0>([]), Ok(0));
    }

    #[test]
    fn checked_ops_edges() {
        assert_eq!(checked_add(u64::MAX, 0), Ok(u64::MAX));
        assert_eq!(checked_add(u64::MAX, 1), Err(MathError::Overflow));
        assert_eq!(checked_sub(0u64, 0), Ok(0));
        assert_eq!(checked_sub(0u64, 1), Err(MathError::Underflow));
        assert_eq!(checked_mul(u64::MAX, 1), Ok(u64::MAX));
        assert_eq!(checked_mul(1 << 32, 1 << 32), Err(MathError::Overflow));
        // (2^32 + 1) * (2^32 - 1) = 2^64 - 1: the largest product that fits.
        assert_eq!(checked_mul((1 << 32) + 1, (1 << 32) - 1), Ok(u64::MAX));
        assert_eq!(checked_mul(0, u64::MAX), Ok(0));
    }

    #[test]
    fn mul_div_edges() {
        assert_eq!(mul_div_floor(1, 1, 0), Err(MathError::DivideByZero));
        assert_eq!(mul_div_ceil(0, 0, 0), Err(MathError::DivideByZero));
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX, u64::MAX), Ok(u64::MAX));
        assert_eq!(mul_div_ceil(u64::MAX, u64::MAX, u64::MAX), Ok(u64::MAX));
        assert_eq!(mul_div_floor(u64::MAX, 2, 2), Ok(u64::MAX));
        assert_eq!(mul_div_floor(u64::MAX, 2, 1), Err(MathError::Overflow));
        // 1.5 * u64::MAX: too large in either direction.
        assert_eq!(mul_div_floor(u64::MAX, 3, 2), Err(MathError::Overflow));
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX - 1, u64::MAX - 1), Ok(u64::MAX));
        // u64::MAX * u64::MAX / (u64::MAX - 1) = u64::MAX + 1 + 1 / (2^64 - 2): overflow either way.
        assert_eq!(mul_div_floor(u64::MAX, u64::MAX, u64::MAX - 1), Err(MathError::Overflow));
        assert_eq!(mul_div_floor(7, 3, 2), Ok(10));
        assert_eq!(mul_div_ceil(7, 3, 2), Ok(11));
        assert_eq!(mul_div_ceil(6, 3, 2), Ok(9));
        assert_eq!(mul_div_ceil(0, u64::MAX, 1), Ok(0));
    }

    #[test]
    fn ceil_overflows_only_by_the_remainder() {
        // 31 * b = 2^65 - 1 = 2 * u64::MAX + 1, so (31 * b) / 2 has floor u64::MAX, remainder 1.
        let b = (((1u128 << 65) - 1) / 31) as u64;
        assert_eq!(31 * b as u128, (1u128 << 65) - 1);
        assert_eq!(mul_div_floor(31, b, 2), Ok(u64::MAX));
        assert_eq!(mul_div_ceil(31, b, 2), Err(MathError::Overflow));
        // Without the remainder both fit.
        assert_eq!(mul_div_ceil(u64::MAX, 2, 2), Ok(u64::MAX));
    }

    #[test]
    fn signed_edges() {
        assert_eq!(mul_div_floor_i64(-7, 1, 2), Ok(-4));
        assert_eq!(mul_div_ceil_i64(-7, 1, 2), Ok(-3));
        assert_eq!(mul_div_floor_i64(7, 1, 2), Ok(3));
        assert_eq!(mul_div_ceil_i64(7, 1, 2), Ok(4));
        assert_eq!(mul_div_floor_i64(i64::MIN, 1, 1), Ok(i64::MIN));
        assert_eq!(mul_div_ceil_i64(i64::MIN, 1, 1), Ok(i64::MIN));
        assert_eq!(mul_div_floor_i64(i64::MIN, 2, 2), Ok(i64::MIN));
        assert_eq!(mul_div_floor_i64(i64::MIN, 3, 2), Err(MathError::Overflow));
        assert_eq!(mul_div_floor_i64(i64::MAX, 2, 1), Err(MathError::Overflow));
        assert_eq!(mul_div_floor_i64(-1, u64::MAX, u64::MAX), Ok(-1));
        // -(2^63 - 1) * 2 = -(2^64 - 2): below i64::MIN.
        assert_eq!(mul_div_floor_i64(i64::MIN + 1, 2, 1), Err(MathError::Overflow));
        // floor(-1 / 3) = -1, ceil(-1 / 3) = 0
        assert_eq!(mul_div_floor_i64(-1, 1, 3), Ok(-1));
        assert_eq!(mul_div_ceil_i64(-1, 1, 3), Ok(0));
        assert_eq!(mul_div_floor_i64(-1, 1, 0), Err(MathError::DivideByZero));
        assert_eq!(mul_div_ceil_i64(0, 0, 0), Err(MathError::DivideByZero));
    }

    /// (a, b, c) whose quotient sits around u64::MAX: c random, a near c, b near u64::MAX.
    fn near_max_quotient() -> impl Strategy<Value = (u64, u64, u64)> {
        (1u64..=u64::MAX, 0u64..4, 0u64..4, any::<bool>()).prop_map(|(c, da, db, above)| {
            let a = if above { c.saturating_add(da) } else { c.saturating_sub(da) };
            (a, u64::MAX - db, c)
        })
    }

    /// (a, b, c) with a * b in the neighbourhood of c * 2^64, where the `hi >= c` test flips:
    /// a * u64::MAX has high half a - 1, so a = c + 1 overflows and a = c just fits.
    fn near_hi_boundary() -> impl Strategy<Value = (u64, u64, u64)> {
        (1u64..u64::MAX, 0u64..4).prop_map(|(c, d)| ((c + 1).saturating_sub(d), u64::MAX, c))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn checked_ops_match_u128(a in edgy_u64(), b in edgy_u64()) {
            prop_assert_eq!(checked_add(a, b), u64::try_from(a as u128 + b as u128).map_err(|_| MathError::Overflow));
            prop_assert_eq!(checked_sub(a, b), if a >= b { Ok(a - b) } else { Err(MathError::Underflow) });
            prop_assert_eq!(checked_mul(a, b), u64::try_from(a as u128 * b as u128).map_err(|_| MathError::Overflow));
        }

        #[test]
        fn mul_div_matches_u128(a in edgy_u64(), b in edgy_u64(), c in edgy_u64()) {
            prop_assert_eq!(mul_div_floor(a, b, c), reference(a, b, c, false));
            prop_assert_eq!(mul_div_ceil(a, b, c), reference(a, b, c, true));
        }

        #[test]
        fn mul_div_near_u64_max(t in prop_oneof![near_max_quotient(), near_hi_boundary()]) {
            let (a, b, c) = t;
            prop_assert_eq!(mul_div_floor(a, b, c), reference(a, b, c, false));
            prop_assert_eq!(mul_div_ceil(a, b, c), reference(a, b, c, true));
            // Symmetric in a and b.
            prop_assert_eq!(mul_div_floor(b, a, c), reference(a, b, c, false));
        }

        #[test]
        fn ceil_is_floor_or_one_more(a in edgy_u64(), b in edgy_u64(), c in edgy_u64()) {
            // Rounding direction: floor <= exact <= ceil, and they differ by at most one.
            if let (Ok(f), Ok(up)) = (mul_div_floor(a, b, c), mul_div_ceil(a, b, c)) {
                prop_assert!(up == f || up == f + 1);
                prop_assert!(f as u128 * c as u128 <= a as u128 * b as u128);
                prop_assert!(up as u128 * c as u128 >= a as u128 * b as u128);
            }
        }

        #[test]
        fn signed_mul_div_matches_i128(a in edgy_i64(), b in edgy_u64(), c in edgy_u64()) {
            prop_assert_eq!(mul_div_floor_i64(a, b, c), reference_i64(a, b, c, false));
            prop_assert_eq!(mul_div_ceil_i64(a, b, c), reference_i64(a, b, c, true));
        }

        #[test]
        fn signed_mul_div_small_divisors(a in edgy_i64(), b in 0u64..1_000_000, c in 1u64..1000) {
            prop_assert_eq!(mul_div_floor_i64(a, b, c), reference_i64(a, b, c, false));
            prop_assert_eq!(mul_div_ceil_i64(a, b, c), reference_i64(a, b, c, true));
        }
    }
}
