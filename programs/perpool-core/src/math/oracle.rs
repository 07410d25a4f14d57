//! Oracle price normalisation: Pyth-style `raw × 10^expo` to [`Price`] (9 decimals), confidence
//! checks, and the min / max of spot and EMA.
//!
//! Rounding: a price is normalised down or up as the caller asks (the program reads spot and EMA
//! rounded down, then prices each side with [`min_max`]); a confidence interval always rounds up,
//! so a rounded confidence is never narrower than the oracle's.

use super::error::fail;
use super::fixed::raised;
use super::fixed::Rounding;
use super::units::{Price, POW10, PRICE_DECIMALS};
use super::wide::wide_mul;
use super::MathError;

crate::source_file!();

/// Accepted oracle exponents: `-MAX_EXPO..=MAX_EXPO`.
pub const MAX_EXPO: i32 = 18;

/// MUL_LIMIT[k] = floor(u64::MAX / 10^k): the largest value whose product by `10^k` fits (`k`
/// as [`POW10`]'s, up to 19).
const MUL_LIMIT: [u64; POW10.len()] = {
    let mut table = [0u64; POW10.len()];
    let mut k = 0;
    while k < table.len() {
        table[k] = u64::MAX / POW10[k].get();
        k += 1;
    }
    table
};

/// Converts an oracle price `raw × 10^expo` to a [`Price`] (USD per whole token, 9 decimals).
///
/// With `shift = 9 + expo`: a non-negative shift multiplies by `10^shift` (exact, checked); a
/// negative one divides by `10^-shift`, rounding up when `round_up`, else down.
///
/// Errors: `raw <= 0`, `expo` outside `-18..=18`, or a result that rounds down to zero →
/// [`MathError::InvalidPrice`]; a result above `u64::MAX` → [`MathError::Overflow`].
#[inline]
pub fn normalize_price(raw: i64, expo: i32, round_up: bool) -> Result<Price, MathError> {
    if raw <= 0 {
        return fail(MathError::InvalidPrice);
    }
    let rounding = if round_up { Rounding::Up } else { Rounding::Down };
    match scale(raw as u64, expo, rounding)? {
        0 => fail(MathError::InvalidPrice),
        price => Ok(Price(price)),
    }
}

/// Converts an oracle confidence interval `conf × 10^expo` to the [`Price`] scale (9 decimals),
/// rounded up. A zero confidence stays zero.
///
/// Errors: `expo` outside `-18..=18` → [`MathError::InvalidPrice`]; a result above `u64::MAX` →
/// [`MathError::Overflow`].
#[inline]
pub fn normalize_conf(conf: u64, expo: i32) -> Result<u64, MathError> {
    scale(conf, expo, Rounding::Up)
}

/// `value × 10^(9 + expo)` with the given rounding when the shift is negative.
#[inline]
fn scale(value: u64, expo: i32, rounding: Rounding) -> Result<u64, MathError> {
    if !(-MAX_EXPO..=MAX_EXPO).contains(&expo) {
        return fail(MathError::InvalidPrice);
    }
    // -9 <= shift <= 27. Only unsigned arithmetic from here (the BPF backend has no signed
    // division; the shift's magnitude is taken by a subtraction instead).
    let shift = (PRICE_DECIMALS as i32).saturating_add(expo);
    if shift >= 0 {
        let shift = shift as usize;
        if value == 0 {
            return Ok(0);
        }
        if shift >= POW10.len() {
            // value >= 1 and 10^20 > u64::MAX.
            return fail(MathError::Overflow);
        }
        // One comparison with a tabled limit instead of a checked 128-bit product.
        if value > MUL_LIMIT[shift] {
            return fail(MathError::Overflow);
        }
        Ok(value.wrapping_mul(POW10[shift].get())) // value <= u64::MAX / 10^shift: no wrap
    } else {
        let divisor = POW10[shift.unsigned_abs() as usize]; // 1..=9: 10..=10^9
        raised(rounding.adjust(value / divisor, value % divisor))
    }
}

/// One oracle reading on the [`Price`] scale: spot and EMA rounded down, confidence rounded up,
/// all under the same exponent. Exactly `(normalize_price(price, expo, false)?,
/// normalize_price(ema, expo, false)?, normalize_conf(conf, expo)?)`, the first error of the
/// three included, with the exponent checked and its power of ten looked up once.
#[inline]
pub fn normalize_reading(price: i64, ema: i64, conf: u64, expo: i32) -> Result<(Price, Price, u64), MathError> {
    if price <= 0 || !(-MAX_EXPO..=MAX_EXPO).contains(&expo) {
        return fail(MathError::InvalidPrice);
    }
    // -9 <= shift <= 27, as in `scale`.
    let shift = (PRICE_DECIMALS as i32).saturating_add(expo);
    if shift >= 0 {
        let shift = shift as usize;
        if shift >= POW10.len() {
            // price >= 1 and 10^20 > u64::MAX.
            return fail(MathError::Overflow);
        }
        let (limit, factor) = (MUL_LIMIT[shift], POW10[shift].get());
        if price as u64 > limit {
            return fail(MathError::Overflow);
        }
        if ema <= 0 {
            return fail(MathError::InvalidPrice);
        }
        if ema as u64 > limit || conf > limit {
            return fail(MathError::Overflow);
        }
        // Each at most `limit = u64::MAX / factor`: no wrap. A positive value times a factor of
        // at least one is not zero.
        Ok((
            Price((price as u64).wrapping_mul(factor)),
            Price((ema as u64).wrapping_mul(factor)),
            conf.wrapping_mul(factor),
        ))
    } else {
        let divisor = POW10[shift.unsigned_abs() as usize]; // 10..=10^9
        let spot = price as u64 / divisor;
        if spot == 0 {
            return fail(MathError::InvalidPrice);
        }
        if ema <= 0 {
            return fail(MathError::InvalidPrice);
        }
        let ema = ema as u64 / divisor;
        if ema == 0 {
            return fail(MathError::InvalidPrice);
        }
        // Rounded up; below u64::MAX / 10 + 1, so the increment cannot wrap.
        let conf = (conf / divisor).wrapping_add((conf % divisor != 0) as u64);
        Ok((Price(spot), Price(ema), conf))
    }
}

/// Whether an oracle's confidence interval is narrow enough: `conf / price <= max_conf_bps / 10_000`,
/// tested exactly as `conf × 10_000 <= price × max_conf_bps` over 128-bit products.
/// `conf` must be on the price's scale (see [`normalize_conf`]).
#[inline]
pub fn conf_within(price: Price, conf: u64, max_conf_bps: u64) -> bool {
    wide_mul(conf, super::units::BPS_DENOM) <= wide_mul(price.0, max_conf_bps)
}

/// `(min(spot, ema), max(spot, ema))`. The pool takes tokens in at the min price and gives them
/// out (or values them for minting) at the max price.
#[inline]
pub fn min_max(spot: Price, ema: Price) -> (Price, Price) {
    if spot <= ema {
        (spot, ema)
    } else {
        (ema, spot)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;

    /// i128 reference for `normalize_price`.
    fn reference_price(raw: i64, expo: i32, up: bool) -> Result<u64, MathError> {
        if raw <= 0 || !(-18..=18).contains(&expo) {
            return Err(MathError::InvalidPrice);
        }
        let shift = 9 + expo;
        let v: u128 = if shift >= 0 {
            match (raw as u128).checked_mul(10u128.pow(shift as u32)) {
                Some(v) => v,
                None => return Err(MathError::Overflow),
            }
        } else {
            let d = 10u128.pow((-shift) as u32);
            raw as u128 / d + (up && !(raw as u128).is_multiple_of(d)) as u128
        };
        match u64::try_from(v) {
            Ok(0) => Err(MathError::InvalidPrice),
            Ok(v) => Ok(v),
            Err(_) => Err(MathError::Overflow),
        }
    }

    #[test]
    fn by_example() {
        // SOL at $150.12345678 with expo -8.
        assert_eq!(normalize_price(15_012_345_678, -8, false), Ok(Price(150_123_456_780)));
        // BTC at $95,000.123456789012 with expo -12: one digit too many, rounds.
        assert_eq!(normalize_price(95_000_123_456_789_012, -12, false), Ok(Price(95_000_123_456_789)));
        assert_eq!(normalize_price(95_000_123_456_789_012, -12, true), Ok(Price(95_000_123_456_790)));
        assert_eq!(normalize_price(1, -10, false), Err(MathError::InvalidPrice));
        assert_eq!(normalize_price(1, -10, true), Ok(Price(1)));
        assert_eq!(normalize_price(0, -8, true), Err(MathError::InvalidPrice));
        assert_eq!(normalize_price(-5, -8, true), Err(MathError::InvalidPrice));
        assert_eq!(normalize_price(5, 19, true), Err(MathError::InvalidPrice));
        assert_eq!(normalize_price(5, -19, true), Err(MathError::InvalidPrice));
        assert_eq!(normalize_price(1, 10, false), Ok(Price(10u64.pow(19))));
        assert_eq!(normalize_price(2, 10, false), Err(MathError::Overflow));
        assert_eq!(normalize_price(1, 11, false), Err(MathError::Overflow));
        assert_eq!(normalize_price(i64::MAX, -9, false), Ok(Price(i64::MAX as u64)));
        assert_eq!(normalize_conf(0, 18), Ok(0));
        assert_eq!(normalize_conf(1, -18), Ok(1));
        assert_eq!(normalize_conf(12_345, -8), Ok(123_450));
        assert_eq!(normalize_conf(1, 19), Err(MathError::InvalidPrice));
        assert_eq!(normalize_conf(u64::MAX, -9), Ok(u64::MAX));
        assert_eq!(normalize_conf(u64::MAX, -8), Err(MathError::Overflow));
    }

    /// The tabled overflow limit at every multiplying shift: the largest value that fits and the
    /// next one, against the 128-bit reference.
    #[test]
    fn overflow_limit_at_every_shift() {
        for shift in 0..=MAX_EXPO + 9 {
            let expo = shift - 9;
            let limit = u64::MAX / 10u64.pow(shift.min(19) as u32);
            for v in [limit.saturating_sub(1), limit, limit.saturating_add(1)] {
                let exact = (v as u128) * 10u128.pow(shift as u32);
                let want = if v == 0 {
                    Ok(0)
                } else if exact > u64::MAX as u128 {
                    Err(MathError::Overflow)
                } else {
                    Ok(exact as u64)
                };
                assert_eq!(normalize_conf(v, expo), want, "value {v} at exponent {expo}");
                if let Ok(raw) = i64::try_from(v) {
                    assert_eq!(normalize_price(raw, expo, false).map(|p| p.0), reference_price(raw, expo, false));
                }
            }
        }
    }

    #[test]
    fn conf_and_min_max() {
        // $150 with a $0.15 interval is 10 bps.
        let p = Price(150_000_000_000);
        assert!(conf_within(p, 150_000_000, 10));
        assert!(!conf_within(p, 150_000_001, 10));
        assert!(conf_within(p, 0, 0));
        assert!(!conf_within(p, 1, 0));
        assert!(conf_within(Price(u64::MAX), u64::MAX, 10_000));
        assert!(!conf_within(Price(u64::MAX - 1), u64::MAX, 10_000));
        assert_eq!(min_max(Price(2), Price(1)), (Price(1), Price(2)));
        assert_eq!(min_max(Price(1), Price(2)), (Price(1), Price(2)));
        assert_eq!(min_max(Price(3), Price(3)), (Price(3), Price(3)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn normalize_matches_reference(raw in prop_oneof![any::<i64>(), -3i64..1_000_000_000_000, Just(i64::MAX)], expo in -20i32..=20, up in any::<bool>()) {
            prop_assert_eq!(normalize_price(raw, expo, up).map(|p| p.0), reference_price(raw, expo, up));
            if raw >= 0 {
                let conf = reference_price(raw, expo, true);
                let got = normalize_conf(raw as u64, expo);
                match conf {
                    Ok(v) => prop_assert_eq!(got, Ok(v)),
                    Err(MathError::InvalidPrice) if raw == 0 && (-18..=18).contains(&expo) => prop_assert_eq!(got, Ok(0)),
                    Err(e) => prop_assert_eq!(got, Err(e)),
                }
            }
        }

        #[test]
        fn reading_matches_the_three_normalisations(
            price in prop_oneof![any::<i64>(), -3i64..1_000_000_000_000, Just(i64::MAX), Just(1i64)],
            ema in prop_oneof![any::<i64>(), -3i64..1_000_000_000_000, Just(i64::MAX), Just(1i64)],
            conf in prop_oneof![any::<u64>(), 0u64..1_000_000_000, Just(u64::MAX), Just(0u64)],
            expo in -20i32..=20,
        ) {
            let sequential = (|| Ok((
                normalize_price(price, expo, false)?,
                normalize_price(ema, expo, false)?,
                normalize_conf(conf, expo)?,
            )))();
            prop_assert_eq!(normalize_reading(price, ema, conf, expo), sequential);
        }

        #[test]
        fn conf_within_matches_u128(price in any::<u64>(), conf in any::<u64>(), bps in prop_oneof![0u64..10_000, any::<u64>()]) {
            let expected = conf as u128 * 10_000 <= price as u128 * bps as u128;
            prop_assert_eq!(conf_within(Price(price), conf, bps), expected);
        }

        #[test]
        fn rounding_brackets_the_exact_value(raw in 1i64..=i64::MAX, expo in -18i32..=-10) {
            let down = normalize_price(raw, expo, false);
            let up = normalize_price(raw, expo, true).unwrap();
            match down {
                Ok(d) => prop_assert!(up.0 == d.0 || up.0 == d.0 + 1),
                Err(e) => { prop_assert_eq!(e, MathError::InvalidPrice); prop_assert_eq!(up.0, 1); }
            }
        }
    }
}
