//! Borrow and supply rates (SPEC §5): a kinked utilization curve per custody, and the per-second
//! accrual of its interest indexes.
//!
//! Units: utilization in bps (10_000 = 100 %), rates as [`Rate`](super::units::Rate) values
//! (1e9 = 100 % per year), indexes with 12 decimals ([`INDEX_ONE`] = 1.0), time in seconds.
//!
//! Rounding goes against the user: utilization and the borrow rate round up, the supply rate
//! rounds down; the borrow index (what borrowers owe) rounds up, the supply index (what
//! suppliers earn) rounds down. So the interest paid in is never less than the interest paid out.

use super::fixed::raised;
use super::fixed::{checked_add, checked_mul, checked_sub, mul_div, mul_div_ceil, mul_div_factors, Rounding};
use super::units::{nonzero, BPS_DENOM, RATE_DIVISOR};
use super::MathError;
use core::num::NonZeroU64;

crate::source_file!();

/// Seconds in the 365-day year that [`Rate`](super::units::Rate)s are quoted over.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// An interest index of 1.0 (12 decimals). Indexes start here and only grow.
pub const INDEX_ONE: u64 = 1_000_000_000_000;

/// `SECONDS_PER_YEAR × RATE_ONE` = 3.1536e16, the divisor of one accrual step, as its two
/// factors, each below 2^32 (see [`mul_div_factors`](super::fixed::mul_div_factors)).
const YEAR_RATE_FACTORS: (NonZeroU64, NonZeroU64) = (nonzero(SECONDS_PER_YEAR), RATE_DIVISOR);
/// `10_000²`: the divisor of the supply rate (two bps factors).
const BPS_SQUARED: u64 = BPS_DENOM * BPS_DENOM;

/// A custody's kinked borrow-rate curve (SPEC §5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateCurve {
    /// Borrow rate at zero utilization (`Rate`, 1e9 = 100 %/year).
    pub base_rate: u64,
    /// Rate added from zero to optimal utilization (`Rate`).
    pub slope1: u64,
    /// Rate added from optimal to full utilization (`Rate`).
    pub slope2: u64,
    /// The kink, bps; meaningful in `1..10_000`.
    pub optimal_utilization_bps: u64,
    /// Share of borrow interest kept back from suppliers (insurance and protocol), bps.
    pub reserve_factor_bps: u64,
}

/// Inputs of [`accrue`]: a custody's indexes and balances at its last accrual.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccrualInput {
    /// Borrow index at `last_accrual` (12 decimals).
    pub borrow_index: u64,
    /// Supply index at `last_accrual` (12 decimals).
    pub supply_index: u64,
    /// Unix time of the last accrual, seconds.
    pub last_accrual: i64,
    /// Unix time now, seconds.
    pub now: i64,
    /// Tokens locked for open positions (native units).
    pub locked: u64,
    /// Tokens lent out (native units).
    pub lent: u64,
    /// Tokens that can be lent or locked: the denominator of utilization (native units).
    pub lendable: u64,
    /// The custody's rate curve.
    pub curve: RateCurve,
}

/// What [`accrue`] returns: the new indexes and the rates they grew at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accrual {
    /// Borrow index at `now` (rounded up).
    pub borrow_index: u64,
    /// Supply index at `now` (rounded down).
    pub supply_index: u64,
    /// Borrow rate over the interval (`Rate`).
    pub borrow_rate: u64,
    /// Supply rate over the interval (`Rate`).
    pub supply_rate: u64,
    /// Utilization over the interval, bps.
    pub utilization_bps: u64,
}

/// Utilization in bps: `min(10_000, ceil(borrowed × 10_000 / lendable))`, where `borrowed` is
/// locked plus lent. With nothing lendable it is 100 % if anything is borrowed, else 0.
///
/// Never fails: the quotient is only computed when it is below 10_000.
#[inline(always)]
pub fn utilization_bps(borrowed: u64, lendable: u64) -> u64 {
    if borrowed >= lendable {
        // Covers lendable == 0 (100 % if borrowed > 0, else 0 / 0 → 0) and full utilization.
        return if borrowed == 0 { 0 } else { BPS_DENOM };
    }
    // borrowed < lendable: the quotient is below 10_000 and lendable is not zero.
    mul_div_ceil(borrowed, BPS_DENOM, lendable).unwrap_or(BPS_DENOM)
}

/// The borrow rate at utilization `u_bps`:
/// - `u <= optimal`: `base + ceil(slope1 × u / optimal)`;
/// - `u > optimal`: `base + slope1 + ceil(slope2 × (u − optimal) / (10_000 − optimal))`.
///
/// Errors: `optimal == 0` (below the kink) or `optimal >= 10_000` with `u > optimal` →
/// [`MathError::DivideByZero`] / [`MathError::Underflow`] (an `optimal` above 10_000 makes
/// `10_000 − optimal` negative); a rate above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
pub fn borrow_rate(c: &RateCurve, u_bps: u64) -> Result<u64, MathError> {
    let optimal = c.optimal_utilization_bps;
    if u_bps <= optimal {
        let slope = mul_div_ceil(c.slope1, u_bps, optimal)?;
        return checked_add(c.base_rate, slope);
    }
    let above = checked_sub(u_bps, optimal)?;
    let span = checked_sub(BPS_DENOM, optimal)?;
    let slope = mul_div_ceil(c.slope2, above, span)?;
    checked_add(checked_add(c.base_rate, c.slope1)?, slope)
}

/// The supply rate: `floor(borrow_rate × u × (10_000 − reserve_factor) / 10_000²)`, exact.
///
/// Errors: `reserve_factor_bps > 10_000` → [`MathError::Underflow`]; `u × (10_000 − rf)` above
/// `u64::MAX` (impossible for `u <= 10_000`) or a result above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
pub fn supply_rate(borrow_rate: u64, u_bps: u64, reserve_factor_bps: u64) -> Result<u64, MathError> {
    let kept = checked_sub(BPS_DENOM, reserve_factor_bps)?;
    let factor = checked_mul(u_bps, kept)?;
    // One division of the full 128-bit product: exact.
    raised(mul_div(borrow_rate, factor, BPS_SQUARED, Rounding::Down))
}

/// The index after `dt_secs` at `rate`:
/// `index + round(index × rate × dt / (SECONDS_PER_YEAR × RATE_ONE))`, rounded up when `round_up`
/// (what borrowers owe), else down (what suppliers earn). Simple interest per step; compounding
/// comes from accruing often.
///
/// Errors: `rate × dt` or the result above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
pub fn accrue_index(index: u64, rate: u64, dt_secs: u64, round_up: bool) -> Result<u64, MathError> {
    let rate_time = checked_mul(rate, dt_secs)?;
    let rounding = if round_up { Rounding::Up } else { Rounding::Down };
    let growth = raised(mul_div_factors(index, rate_time, YEAR_RATE_FACTORS, rounding))?;
    checked_add(index, growth)
}

/// Accrues a custody's indexes from `last_accrual` to `now`.
///
/// `dt = max(0, now − last_accrual)`; utilization from `(locked + lent, lendable)`; the rates
/// from the curve; then the borrow index accrues rounding up and the supply index rounding down.
/// With `dt == 0` the indexes are returned unchanged (the rates are still reported, and still
/// validated).
///
/// Errors: `locked + lent` above `u64::MAX`, and those of [`borrow_rate`], [`supply_rate`],
/// [`accrue_index`].
#[inline(always)]
pub fn accrue(i: &AccrualInput) -> Result<Accrual, MathError> {
    // `abs_diff` cannot overflow, unlike `now - last_accrual` on extreme timestamps.
    let dt = if i.now > i.last_accrual { i.now.abs_diff(i.last_accrual) } else { 0 };
    let borrowed = checked_add(i.locked, i.lent)?;
    let utilization = utilization_bps(borrowed, i.lendable);
    let borrow = borrow_rate(&i.curve, utilization)?;
    let supply = supply_rate(borrow, utilization, i.curve.reserve_factor_bps)?;
    let (borrow_index, supply_index) = if dt == 0 {
        (i.borrow_index, i.supply_index)
    } else {
        (accrue_index(i.borrow_index, borrow, dt, true)?, accrue_index(i.supply_index, supply, dt, false)?)
    };
    Ok(Accrual { borrow_index, supply_index, borrow_rate: borrow, supply_rate: supply, utilization_bps: utilization })
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::math::units::RATE_ONE;
    use proptest::prelude::*;

    /// The worked example of the brief: optimal 80 %, slope1 4 %, slope2 75 %, base 0, rf 10 %.
    const CURVE: RateCurve = RateCurve {
        base_rate: 0,
        slope1: 40_000_000,
        slope2: 750_000_000,
        optimal_utilization_bps: 8_000,
        reserve_factor_bps: 1_000,
    };

    #[test]
    fn worked_example_at_the_kink() {
        let borrow = borrow_rate(&CURVE, 8_000).unwrap();
        assert_eq!(borrow, 40_000_000); // 4 %
        assert_eq!(supply_rate(borrow, 8_000, 1_000), Ok(28_800_000)); // 2.88 %
    }

    #[test]
    fn worked_example_at_full_utilization() {
        let borrow = borrow_rate(&CURVE, 10_000).unwrap();
        assert_eq!(borrow, 790_000_000); // 79 %
        assert_eq!(supply_rate(borrow, 10_000, 1_000), Ok(711_000_000)); // 71.1 %
    }

    #[test]
    fn curve_by_example() {
        assert_eq!(borrow_rate(&CURVE, 0), Ok(0));
        // 40 % is half-way to the kink: 2 %.
        assert_eq!(borrow_rate(&CURVE, 4_000), Ok(20_000_000));
        // 1 bps: ceil(40e6 / 8000) = 5000.
        assert_eq!(borrow_rate(&CURVE, 1), Ok(5_000));
        // 90 %: 4 % + 75 % / 2.
        assert_eq!(borrow_rate(&CURVE, 9_000), Ok(415_000_000));
        let with_base = RateCurve { base_rate: 10_000_000, ..CURVE };
        assert_eq!(borrow_rate(&with_base, 0), Ok(10_000_000));
        let no_kink = RateCurve { optimal_utilization_bps: 0, ..CURVE };
        assert_eq!(borrow_rate(&no_kink, 0), Err(MathError::DivideByZero));
        let full_kink = RateCurve { optimal_utilization_bps: 10_000, ..CURVE };
        assert_eq!(borrow_rate(&full_kink, 10_000), Ok(40_000_000));
        assert_eq!(borrow_rate(&full_kink, 10_001), Err(MathError::DivideByZero));
        let past_full = RateCurve { optimal_utilization_bps: 10_001, ..CURVE };
        assert_eq!(borrow_rate(&past_full, 10_002), Err(MathError::Underflow));
        assert_eq!(supply_rate(1, 1, 10_001), Err(MathError::Underflow));
        assert_eq!(supply_rate(u64::MAX, u64::MAX, 0), Err(MathError::Overflow));
    }

    #[test]
    fn utilization_by_example() {
        assert_eq!(utilization_bps(0, 0), 0);
        assert_eq!(utilization_bps(1, 0), 10_000);
        assert_eq!(utilization_bps(0, 5), 0);
        assert_eq!(utilization_bps(1, 3), 3_334); // 33.33.. % rounds up
        assert_eq!(utilization_bps(8, 10), 8_000);
        assert_eq!(utilization_bps(11, 10), 10_000);
        assert_eq!(utilization_bps(u64::MAX - 1, u64::MAX), 10_000); // 99.99999..% rounds up
        assert_eq!(utilization_bps(1, u64::MAX), 1);
    }

    #[test]
    fn accrual_by_example() {
        // 79 % for a whole year on 1.0: borrow index 1.79.
        assert_eq!(accrue_index(INDEX_ONE, 790_000_000, SECONDS_PER_YEAR, true), Ok(1_790_000_000_000));
        // One second at 4 %: 1e12 × 0.04 / 31_536_000 = 1268.39.. → up 1269, down 1268.
        assert_eq!(accrue_index(INDEX_ONE, 40_000_000, 1, true), Ok(INDEX_ONE + 1_269));
        assert_eq!(accrue_index(INDEX_ONE, 40_000_000, 1, false), Ok(INDEX_ONE + 1_268));
        assert_eq!(accrue_index(INDEX_ONE, u64::MAX, 2, true), Err(MathError::Overflow));

        let input = AccrualInput {
            borrow_index: INDEX_ONE,
            supply_index: INDEX_ONE,
            last_accrual: 1_000,
            now: 1_000 + SECONDS_PER_YEAR as i64,
            locked: 600,
            lent: 200,
            lendable: 1_000,
            curve: CURVE,
        };
        let a = accrue(&input).unwrap();
        assert_eq!(a.utilization_bps, 8_000);
        assert_eq!(a.borrow_rate, 40_000_000);
        assert_eq!(a.supply_rate, 28_800_000);
        assert_eq!(a.borrow_index, 1_040_000_000_000);
        assert_eq!(a.supply_index, 1_028_800_000_000);

        // Time going backwards or standing still: indexes unchanged, rates reported.
        for now in [1_000, 999, i64::MIN] {
            let a = accrue(&AccrualInput { now, ..input }).unwrap();
            assert_eq!((a.borrow_index, a.supply_index), (INDEX_ONE, INDEX_ONE));
            assert_eq!(a.borrow_rate, 40_000_000);
        }
        // Extreme timestamps do not overflow the subtraction (the product does).
        let far = AccrualInput { last_accrual: i64::MIN, now: i64::MAX, ..input };
        assert_eq!(accrue(&far), Err(MathError::Overflow));
        let too_much = AccrualInput { locked: u64::MAX, lent: 1, ..input };
        assert_eq!(accrue(&too_much), Err(MathError::Overflow));
    }

    fn curve() -> impl Strategy<Value = RateCurve> {
        (0u64..200_000_000, 0u64..500_000_000, 0u64..5_000_000_000, 1u64..10_000, 0u64..=10_000).prop_map(
            |(base_rate, slope1, slope2, opt, rf)| RateCurve {
                base_rate,
                slope1,
                slope2,
                optimal_utilization_bps: opt,
                reserve_factor_bps: rf,
            },
        )
    }

    fn reference_borrow(c: &RateCurve, u: u64) -> u128 {
        let (u, opt) = (u as u128, c.optimal_utilization_bps as u128);
        if u <= opt {
            c.base_rate as u128 + (c.slope1 as u128 * u).div_ceil(opt)
        } else {
            c.base_rate as u128 + c.slope1 as u128 + (c.slope2 as u128 * (u - opt)).div_ceil(10_000 - opt)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn rates_match_u128(c in curve(), u in 0u64..=10_000) {
            let borrow = borrow_rate(&c, u).unwrap();
            prop_assert_eq!(borrow as u128, reference_borrow(&c, u));
            let supply = supply_rate(borrow, u, c.reserve_factor_bps).unwrap();
            let expected = borrow as u128 * u as u128 * (10_000 - c.reserve_factor_bps) as u128 / 100_000_000;
            prop_assert_eq!(supply as u128, expected);
            // Suppliers never earn more than borrowers pay.
            prop_assert!(supply <= borrow);
        }

        #[test]
        fn rate_is_monotonic_in_utilization(c in curve(), u in 0u64..10_000) {
            prop_assert!(borrow_rate(&c, u).unwrap() <= borrow_rate(&c, u + 1).unwrap());
        }

        #[test]
        fn utilization_matches_u128(borrowed in any::<u64>(), lendable in any::<u64>()) {
            let expected = if lendable == 0 {
                if borrowed > 0 { 10_000 } else { 0 }
            } else {
                (borrowed as u128 * 10_000).div_ceil(lendable as u128).min(10_000) as u64
            };
            prop_assert_eq!(utilization_bps(borrowed, lendable), expected);
        }

        #[test]
        fn accrue_index_matches_u128(index in INDEX_ONE..INDEX_ONE * 1_000, rate in 0u64..10_000_000_000, dt in 0u64..100_000_000, up in any::<bool>()) {
            let n = index as u128 * rate as u128 * dt as u128;
            let d = SECONDS_PER_YEAR as u128 * RATE_ONE as u128;
            let growth = if up { n.div_ceil(d) } else { n / d };
            let expected = u64::try_from(index as u128 + growth).map_err(|_| MathError::Overflow);
            prop_assert_eq!(accrue_index(index, rate, dt, up), expected);
        }

        /// Indexes never decrease, whatever the clock does; and the borrow index grows at least
        /// as fast as the supply index.
        #[test]
        fn indexes_never_decrease(
            c in curve(), bi in INDEX_ONE..INDEX_ONE * 100, si in INDEX_ONE..INDEX_ONE * 100,
            last in any::<i32>(), dt in -1_000_000i64..100_000_000,
            locked in 0u64..1u64 << 50, lent in 0u64..1u64 << 50, lendable in 0u64..1u64 << 51,
        ) {
            let input = AccrualInput {
                borrow_index: bi, supply_index: si, last_accrual: last as i64, now: last as i64 + dt,
                locked, lent, lendable, curve: c,
            };
            let a = accrue(&input).unwrap();
            prop_assert!(a.borrow_index >= bi && a.supply_index >= si);
            prop_assert!(a.supply_rate <= a.borrow_rate);
            if dt <= 0 {
                prop_assert_eq!((a.borrow_index, a.supply_index), (bi, si));
            }
            // A later accrual never lowers either index.
            let later = accrue(&AccrualInput { borrow_index: a.borrow_index, supply_index: a.supply_index, last_accrual: input.now, now: input.now + 60, ..input }).unwrap();
            prop_assert!(later.borrow_index >= a.borrow_index && later.supply_index >= a.supply_index);
        }
    }
}
