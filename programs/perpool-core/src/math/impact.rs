//! Price impact from open-interest skew (SPEC §5, GMX v2 shape), and the execution price it
//! implies.
//!
//! # The impact
//! With `skew = |long_oi − short_oi|` (USD), a trade that moves the skew from `d0` to `d1` has
//!
//! ```text
//! impact_usd = f · d0^e − f · d1^e
//! ```
//!
//! positive (the trader gains) when the skew shrinks, negative (the trader pays) when it grows.
//! The factor `f` is `positive_factor` for a shrinking skew, `negative_factor` for a growing one.
//! When the trade *flips* the skew to the other side (longs heavier before, shorts heavier after,
//! or the reverse) it is valued in two parts, like GMX v2: the part that takes the old skew to
//! zero is positive, `f_pos · d0^e` (rounded down), and the part that builds the new skew is
//! negative, `f_neg · d1^e` (rounded up); the impact is their difference. A skew that only
//! reaches zero, or starts from zero, is not a flip.
//!
//! # Units
//! - Open interest and sizes: USD with 6 decimals (`u64`, [`Usd`](super::units::Usd) raw).
//! - The factors are fixed point with 18 decimals ([`IMPACT_FACTOR_ONE`] = 1.0) *per USD^(e−1)*,
//!   i.e. in the units where skews are whole USD: `impact [USD] = f · skew[USD]^e`. A factor of
//!   1e-8 per USD (exponent 2) is `10_000_000_000`. In the 6-decimal integers the program holds,
//!   `impact_µ = factor · skew_µ^e / (10^18 · 10^(6(e−1)))`.
//! - The exponent `e` is `1..=3` ([`MAX_IMPACT_EXPONENT`]; the default is 2).
//! - Caps in bps of the trade size.
//!
//! # Rounding and caps (against the trader)
//! `f · (d0^e − d1^e)` is computed exactly (256-bit intermediate, see [`U256`]) and divided once:
//! a positive impact rounds down, a negative one up. The result is capped at
//! `floor(size · max_positive_impact_bps / 10_000)` (positive) or
//! `ceil(size · max_negative_impact_bps / 10_000)` (negative); an impact too large for a `u64`
//! is simply capped. A zero impact is `{ positive: false, usd: 0 }`.
//!
//! # The execution price
//! With oracle price `P`, size `S` and impact magnitude `I` (see [`impacted_price`]):
//!
//! | trade           | negative impact       | positive impact       | rounds |
//! |-----------------|-----------------------|-----------------------|--------|
//! | long increase   | `P·S / (S − I)`       | `P·S / (S + I)`       | up     |
//! | short increase  | `P·S / (S + I)`       | `P·S / (S − I)`       | down   |
//! | long decrease   | `P·(S − I) / S`       | `P·(S + I) / S`       | down   |
//! | short decrease  | `P·(S + I) / S`       | `P·(S − I) / S`       | up     |
//!
//! On an increase the trader's tokens are `(S ∓ I) / P`, so at the oracle price the position is
//! worth exactly `S ∓ I` (GMX v2's `sizeDeltaInTokens`). On a decrease the price moves by
//! `P · I / S` (GMX v2's decrease execution price), so closing tokens worth `S` yields `S ∓ I`.
//! Buyers (long increase, short decrease) round up, sellers round down.

use core::num::NonZeroU64;

use super::error::fail;
use super::fixed::raised;
use super::fixed::{checked_add, checked_sub, mul_div, Rounding};
use super::units::{nonzero, Price, BPS_DENOM, POW10};
use super::wide::{div_wide, div_wide_by_factors, wide_mul};
use super::MathError;

/// An impact factor of 1.0 (18 decimals, per USD^(e−1)).
pub const IMPACT_FACTOR_ONE: u64 = 1_000_000_000_000_000_000;
/// The default and the largest supported impact exponent (the smallest is 1): settings bounds,
/// declared with the custody's settings.
pub use perpool_interface::state::custody::{DEFAULT_IMPACT_EXPONENT, MAX_IMPACT_EXPONENT};

use super::position::{LONG, SHORT};

crate::source_file!();

/// 10^18 as a divisor.
const FACTOR_DIVISOR: NonZeroU64 = nonzero(IMPACT_FACTOR_ONE);
/// 10^18 as two factors of 10^9, for [`div_wide_by_factors`].
const FACTOR_HALF: NonZeroU64 = POW10[9];
const _: () = assert!(FACTOR_HALF.get() * FACTOR_HALF.get() == IMPACT_FACTOR_ONE);
/// `10^(6(e−1))` for e = 1, 2, 3: one USD in 6 decimals per extra power of the skew.
const USD_POWERS: [NonZeroU64; 3] = [nonzero(1), nonzero(1_000_000), nonzero(1_000_000_000_000)];

/// Why a price-impact computation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImpactError {
    /// Arithmetic failed (OI overflow / underflow, cap above `u64`, zero execution price, …).
    Math(MathError),
    /// The side is neither long (1) nor short (2).
    InvalidSide,
    /// The exponent is not in `1..=3`.
    InvalidExponent,
    /// The impact is not below the size where the formula subtracts it (or the size is zero
    /// with a non-zero impact): no meaningful execution price.
    ImpactTooLarge,
}

impl From<MathError> for ImpactError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        ImpactError::Math(e)
    }
}

/// Inputs of [`price_impact`]: the trade, the market custody's open interest before it, and
/// the custody's impact parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImpactInput {
    /// 1 long, 2 short.
    pub side: u8,
    /// True when the trade opens / increases size, false when it decreases / closes.
    pub is_increase: bool,
    /// The size traded, USD 6 decimals.
    pub size_usd: u64,
    /// Long open interest before the trade, USD 6 decimals.
    pub long_oi_usd: u64,
    /// Short open interest before the trade, USD 6 decimals.
    pub short_oi_usd: u64,
    /// Factor for a shrinking skew (18 decimals per USD^(e−1)).
    pub positive_factor: u64,
    /// Factor for a growing skew (18 decimals per USD^(e−1)).
    pub negative_factor: u64,
    /// Exponent `e`, `1..=3` (default 2).
    pub exponent: u8,
    /// Cap on a positive impact, bps of `size_usd`.
    pub max_positive_impact_bps: u64,
    /// Cap on a negative impact, bps of `size_usd`.
    pub max_negative_impact_bps: u64,
}

/// A price impact: `positive` when the trader gains. Zero is `{ false, 0 }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    /// True for a (strictly positive) gain to the trader.
    pub positive: bool,
    /// Magnitude, USD 6 decimals.
    pub usd: u64,
}

/// Inputs of [`impacted_price`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImpactedPriceInput {
    /// 1 long, 2 short.
    pub side: u8,
    /// True for an increase, false for a decrease.
    pub is_increase: bool,
    /// The size traded, USD 6 decimals.
    pub size_usd: u64,
    /// The price before impact (oracle, or oracle with spread), 9 decimals.
    pub price: Price,
    /// The impact of the trade (from [`price_impact`]).
    pub impact: Impact,
}

#[inline(always)]
fn is_long(side: u8) -> Result<bool, ImpactError> {
    match side {
        LONG => Ok(true),
        SHORT => Ok(false),
        _ => Err(ImpactError::InvalidSide),
    }
}

/// The price impact of a trade (see the module docs for the formula, units and rounding).
///
/// Errors, in this order: side not 1 / 2 → [`ImpactError::InvalidSide`]; exponent not in `1..=3`
/// → [`ImpactError::InvalidExponent`]; the traded side's OI plus the size above `u64::MAX`
/// (increase) → `Overflow`, or below zero (decrease) → `Underflow`; a cap above `u64::MAX` (only
/// with a cap above 10_000 bps) → `Overflow`. A zero impact never computes a cap.
#[inline]
pub fn price_impact(i: &ImpactInput) -> Result<Impact, ImpactError> {
    let long = is_long(i.side)?;
    let e = i.exponent;
    if e == 0 || e > MAX_IMPACT_EXPONENT {
        return Err(ImpactError::InvalidExponent);
    }
    let (l0, s0) = (i.long_oi_usd, i.short_oi_usd);
    let traded = if long { l0 } else { s0 };
    let after = if i.is_increase { checked_add(traded, i.size_usd)? } else { checked_sub(traded, i.size_usd)? };
    let (l1, s1) = if long { (after, s0) } else { (l0, after) };
    let d0 = l0.abs_diff(s0);
    let d1 = l1.abs_diff(s1);
    let flips = (l0 > s0 && l1 < s1) || (l0 < s0 && l1 > s1);

    let (positive, magnitude) = match impact_small(d0, d1, flips, e, (i.positive_factor, i.negative_factor)) {
        Some((positive, m)) => (positive, U256::from_u64(m)),
        None => impact_wide(d0, d1, flips, e, (i.positive_factor, i.negative_factor))?,
    };
    if magnitude.is_zero() {
        return Ok(Impact::default());
    }
    let cap = if positive {
        raised(mul_div(i.size_usd, i.max_positive_impact_bps, BPS_DENOM, Rounding::Down))?
    } else {
        raised(mul_div(i.size_usd, i.max_negative_impact_bps, BPS_DENOM, Rounding::Up))?
    };
    let usd = match magnitude.to_u64() {
        Some(m) if m <= cap => m,
        _ => cap,
    };
    if usd == 0 {
        return Ok(Impact::default());
    }
    Ok(Impact { positive, usd })
}

/// The impact's sign and magnitude before the cap, in 256-bit limbs: `factor · (d^e difference)`
/// scaled down (see the module docs). `factors` is `(positive, negative)`.
#[inline(always)]
fn impact_wide(d0: u64, d1: u64, flips: bool, e: u8, factors: (u64, u64)) -> Result<(bool, U256), MathError> {
    Ok(if flips {
        let gain = apply_factor(power(d0, e)?, factors.0, e, Rounding::Down)?;
        let cost = apply_factor(power(d1, e)?, factors.1, e, Rounding::Up)?;
        if gain.gt(&cost) {
            (true, gain.sub(&cost))
        } else {
            (false, cost.sub(&gain))
        }
    } else if d1 < d0 {
        let diff = power(d0, e)?.sub(&power(d1, e)?);
        (true, apply_factor(diff, factors.0, e, Rounding::Down)?)
    } else {
        let diff = power(d1, e)?.sub(&power(d0, e)?);
        (false, apply_factor(diff, factors.1, e, Rounding::Up)?)
    })
}

/// [`impact_wide`] when every power fits in 128 bits, every product by a factor in 128 bits and
/// every scaled value in 64 (skews up to about $18M at the default exponent 2 and factors up to
/// 10^-6 per USD): the same values without 256-bit limbs. `None` otherwise.
#[inline(always)]
fn impact_small(d0: u64, d1: u64, flips: bool, e: u8, factors: (u64, u64)) -> Option<(bool, u64)> {
    if flips {
        let gain = apply_factor_small(power_small(d0, e)?, factors.0, e, Rounding::Down)?;
        let cost = apply_factor_small(power_small(d1, e)?, factors.1, e, Rounding::Up)?;
        Some(if gain > cost { (true, gain.abs_diff(cost)) } else { (false, cost.abs_diff(gain)) })
    } else if d1 < d0 {
        // d1 < d0: d1^e <= d0^e, the difference does not wrap.
        let diff = power_small(d0, e)?.wrapping_sub(power_small(d1, e)?);
        Some((true, apply_factor_small(diff, factors.0, e, Rounding::Down)?))
    } else {
        let diff = power_small(d1, e)?.wrapping_sub(power_small(d0, e)?);
        Some((false, apply_factor_small(diff, factors.1, e, Rounding::Up)?))
    }
}

/// `d^e` as a `u128`, when it fits.
#[inline(always)]
fn power_small(d: u64, e: u8) -> Option<u128> {
    let join = |(hi, lo): (u64, u64)| ((hi as u128) << 64) | lo as u128;
    match e {
        1 => Some(d as u128),
        2 => Some(join(wide_mul(d, d))),
        _ => match wide_mul(d, d) {
            (0, square) => Some(join(wide_mul(square, d))),
            _ => None,
        },
    }
}

/// [`apply_factor`] of a 128-bit `x`, when `x · factor` fits in 128 bits and the value scaled by
/// 10^18 in 64: the same value (the same nested roundings). `None` otherwise.
#[inline(always)]
fn apply_factor_small(x: u128, factor: u64, e: u8, rounding: Rounding) -> Option<u64> {
    let (x_hi, x_lo) = ((x >> 64) as u64, x as u64);
    let (a1, a0) = wide_mul(x_lo, factor);
    let (b1, b0) = wide_mul(x_hi, factor);
    // x · factor = b1·2^128 + (b0 + a1)·2^64 + a0: it fits in 128 bits when b1 is zero and the
    // middle sum does not carry.
    if b1 != 0 {
        return None;
    }
    let (mid, carry) = a1.overflowing_add(b0);
    if carry {
        return None;
    }
    let (q, exact) = div_wide_by_factors(mid, a0, FACTOR_HALF, FACTOR_HALF)?;
    let scaled = rounding.adjust(q, (!exact) as u64).ok()?;
    let power = usd_power(e);
    rounding.adjust(scaled / power, scaled % power).ok()
}

/// The execution price of a trade with the given impact (table in the module docs).
///
/// A zero impact returns `price` unchanged. Errors, in this order: side not 1 / 2 →
/// [`ImpactError::InvalidSide`]; a non-zero impact with a zero size, or an impact not below the
/// size where the formula subtracts it → [`ImpactError::ImpactTooLarge`]; `S + I` or the price
/// above `u64::MAX` → `Overflow`; an execution price of zero → `InvalidPrice`.
#[inline]
pub fn impacted_price(i: &ImpactedPriceInput) -> Result<Price, ImpactError> {
    let long = is_long(i.side)?;
    let (s, imp, p) = (i.size_usd, i.impact.usd, i.price.0);
    if imp == 0 {
        return Ok(i.price);
    }
    // Long increase / short decrease buy: round up. Shorts gain when longs lose, so the size
    // shrinks (S − I) for a long's negative or a short's positive impact.
    let buys = long == i.is_increase;
    let minus = long != i.impact.positive;
    if s == 0 || (minus && imp >= s) {
        return Err(ImpactError::ImpactTooLarge);
    }
    let adjusted = if minus { checked_sub(s, imp)? } else { checked_add(s, imp)? };
    let rounding = if buys { Rounding::Up } else { Rounding::Down };
    let out = if i.is_increase {
        raised(mul_div(p, s, adjusted, rounding))?
    } else {
        raised(mul_div(p, adjusted, s, rounding))?
    };
    if out == 0 {
        return Err(ImpactError::Math(MathError::InvalidPrice.raise()));
    }
    Ok(Price(out))
}

/// `d^e` for `e` in `1..=3` (at most 192 bits: never fails in practice).
#[inline]
fn power(d: u64, e: u8) -> Result<U256, MathError> {
    let mut p = U256::from_u64(d);
    let mut k = 1;
    while k < e {
        p = p.mul_u64(d)?;
        k = k.saturating_add(1);
    }
    Ok(p)
}

/// `x · factor / (10^18 · 10^(6(e−1)))`, rounded. Two nested divisions compose exactly (floor of
/// floor, ceil of ceil).
#[inline]
fn apply_factor(x: U256, factor: u64, e: u8, rounding: Rounding) -> Result<U256, MathError> {
    let scaled = x.mul_u64(factor)?.div_u64(FACTOR_DIVISOR, rounding);
    Ok(scaled.div_u64(usd_power(e), rounding))
}

/// `10^(6(e−1))` as a divisor (one USD in 6 decimals per extra power of the skew).
#[inline(always)]
fn usd_power(e: u8) -> NonZeroU64 {
    match e {
        2 => USD_POWERS[1],
        3 => USD_POWERS[2],
        _ => USD_POWERS[0],
    }
}

/// A 256-bit unsigned integer as four little-endian `u64` limbs: just enough for the impact's
/// `factor · skew^e` and funding's `rate · dt · oi` (shared with [`funding`](super::funding)).
/// Built on [`wide_mul`] and [`div_wide`]: no 128-bit multiply or divide.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct U256 {
    limbs: [u64; 4],
}

// Limb arithmetic, as in `wide`: limb indexes below 4, and each carry step says why it cannot wrap.
#[allow(clippy::arithmetic_side_effects)]
impl U256 {
    #[inline(always)]
    pub(crate) fn from_u64(x: u64) -> Self {
        U256 { limbs: [x, 0, 0, 0] }
    }

    #[inline(always)]
    pub(crate) fn from_u128(x: u128) -> Self {
        U256 { limbs: [x as u64, (x >> 64) as u64, 0, 0] }
    }

    #[inline(always)]
    pub(crate) fn is_zero(&self) -> bool {
        (self.limbs[0] | self.limbs[1] | self.limbs[2] | self.limbs[3]) == 0
    }

    /// `self > other`.
    #[inline]
    pub(crate) fn gt(&self, other: &U256) -> bool {
        let mut k = 4;
        while k > 0 {
            k -= 1;
            if self.limbs[k] != other.limbs[k] {
                return self.limbs[k] > other.limbs[k];
            }
        }
        false
    }

    /// `self − other`, wrapping; callers guarantee `self >= other`.
    #[inline]
    pub(crate) fn sub(&self, other: &U256) -> U256 {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for (k, o) in out.iter_mut().enumerate() {
            let (d, b1) = self.limbs[k].overflowing_sub(other.limbs[k]);
            let (d, b2) = d.overflowing_sub(borrow as u64);
            *o = d;
            borrow = b1 || b2;
        }
        U256 { limbs: out }
    }

    /// `self · m`, or [`MathError::Overflow`] above 2^256 − 1.
    #[inline]
    pub(crate) fn mul_u64(&self, m: u64) -> Result<U256, MathError> {
        let mut out = [0u64; 4];
        let mut carry = 0u64;
        for (k, o) in out.iter_mut().enumerate() {
            if self.limbs[k] == 0 {
                // Nothing to multiply (a 64×64 product costs dozens of instructions on SBF).
                *o = carry;
                carry = 0;
                continue;
            }
            let (hi, lo) = wide_mul(self.limbs[k], m);
            let (sum, c) = lo.overflowing_add(carry);
            *o = sum;
            // hi <= 2^64 − 2, so adding one carry bit cannot wrap.
            carry = hi + c as u64;
        }
        if carry != 0 {
            return fail(MathError::Overflow);
        }
        Ok(U256 { limbs: out })
    }

    /// `self / d` with the given rounding. Never overflows: for `d >= 2` the quotient is at most
    /// half of `self`, and `d == 1` leaves no remainder.
    #[inline]
    pub(crate) fn div_u64(&self, d: NonZeroU64, rounding: Rounding) -> U256 {
        let mut q = [0u64; 4];
        let mut rem = 0u64;
        // Leading zero limbs divide to zero with no remainder: start at the top non-zero one.
        let mut k = 4;
        while k > 0 && self.limbs[k - 1] == 0 {
            k -= 1;
        }
        while k > 0 {
            k -= 1;
            // rem < d: the precondition of div_wide.
            let (qk, r) = div_wide(rem, self.limbs[k], d);
            q[k] = qk;
            rem = r;
        }
        if rounding == Rounding::Up && rem != 0 {
            for limb in q.iter_mut() {
                let (v, c) = limb.overflowing_add(1);
                *limb = v;
                if !c {
                    break;
                }
            }
        }
        U256 { limbs: q }
    }

    /// The value if it fits in a `u64`.
    #[inline(always)]
    pub(crate) fn to_u64(self) -> Option<u64> {
        if (self.limbs[1] | self.limbs[2] | self.limbs[3]) == 0 {
            Some(self.limbs[0])
        } else {
            None
        }
    }

    /// The value if it fits in a `u128`.
    #[inline(always)]
    pub(crate) fn to_u128(self) -> Option<u128> {
        if (self.limbs[2] | self.limbs[3]) == 0 {
            Some(((self.limbs[1] as u128) << 64) | self.limbs[0] as u128)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;

    const USD: u64 = 1_000_000;
    const PRICE_5000: Price = Price(5_000_000_000_000);
    /// 1e-8 per USD.
    const F: u64 = 10_000_000_000;

    fn long_increase(size: u64, long_oi: u64, short_oi: u64) -> ImpactInput {
        ImpactInput {
            side: LONG,
            is_increase: true,
            size_usd: size,
            long_oi_usd: long_oi,
            short_oi_usd: short_oi,
            positive_factor: F,
            negative_factor: F,
            exponent: DEFAULT_IMPACT_EXPONENT,
            max_positive_impact_bps: 500,
            max_negative_impact_bps: 500,
        }
    }

    fn exec(input: &ImpactInput, impact: Impact, price: Price) -> Result<Price, ImpactError> {
        impacted_price(&ImpactedPriceInput {
            side: input.side,
            is_increase: input.is_increase,
            size_usd: input.size_usd,
            price,
            impact,
        })
    }

    #[test]
    fn worked_numbers() {
        // 0 → 200,000 USD long OI: 1e-8 · 200,000² = 400 USD.
        let first = long_increase(200_000 * USD, 0, 0);
        let impact = price_impact(&first).unwrap();
        assert_eq!(impact, Impact { positive: false, usd: 400 * USD });
        // 5,000 · 200,000 / 199,600 = 5,010.02004008016.. → rounded up.
        assert_eq!(exec(&first, impact, PRICE_5000), Ok(Price(5_010_020_040_081)));

        // 200,000 → 400,000: 1e-8 · (400,000² − 200,000²) = 1,200 USD.
        let second = long_increase(200_000 * USD, 200_000 * USD, 0);
        let impact = price_impact(&second).unwrap();
        assert_eq!(impact, Impact { positive: false, usd: 1_200 * USD });
        // 5,000 · 200,000 / 198,800 = 5,030.18108651911.. → rounded up.
        assert_eq!(exec(&second, impact, PRICE_5000), Ok(Price(5_030_181_086_520)));
    }

    #[test]
    fn shrinking_and_flipping() {
        // A short of 100k against 200k longs: skew 200k → 100k, gain 1e-8·(4e10 − 1e10) = 300.
        let short = ImpactInput { side: SHORT, ..long_increase(100_000 * USD, 200_000 * USD, 0) };
        assert_eq!(price_impact(&short), Ok(Impact { positive: true, usd: 300 * USD }));
        // A short increase with positive impact sells higher: P·S/(S − I).
        assert_eq!(
            exec(&short, Impact { positive: true, usd: 300 * USD }, PRICE_5000),
            Ok(Price(5_015_045_135_406)) // 5000 · 100000 / 99700 = 5015.0451354062.. floor
        );
        // A short of 300k flips it: +1e-8·200k² = 400, −2e-8·100k² = 200 → +200.
        let flip = ImpactInput {
            negative_factor: 2 * F,
            ..ImpactInput { side: SHORT, ..long_increase(300_000 * USD, 200_000 * USD, 0) }
        };
        assert_eq!(price_impact(&flip), Ok(Impact { positive: true, usd: 200 * USD }));
        // Closing the whole long OI brings the skew to zero: not a flip, full gain 400.
        let close = ImpactInput { is_increase: false, ..long_increase(200_000 * USD, 200_000 * USD, 0) };
        assert_eq!(price_impact(&close), Ok(Impact { positive: true, usd: 400 * USD }));
        // ... at P·(S + I)/S rounded down.
        assert_eq!(exec(&close, Impact { positive: true, usd: 400 * USD }, PRICE_5000), Ok(Price(5_010_000_000_000)));
        // A balanced book with a zero-size trade: no impact.
        assert_eq!(price_impact(&long_increase(0, 7, 7)), Ok(Impact::default()));
    }

    #[test]
    fn caps_and_errors() {
        // 1M USD from zero: 1e-8 · 1e12 = 10,000 USD, capped at 50 bps = 5,000.
        let big = ImpactInput { max_negative_impact_bps: 50, ..long_increase(1_000_000 * USD, 0, 0) };
        assert_eq!(price_impact(&big), Ok(Impact { positive: false, usd: 5_000 * USD }));
        // A huge factor cannot overflow: it is capped.
        let huge = ImpactInput { negative_factor: u64::MAX, exponent: 3, ..long_increase(u64::MAX, 0, 0) };
        assert_eq!(
            price_impact(&huge),
            Ok(Impact { positive: false, usd: (u64::MAX as u128 * 500).div_ceil(10_000) as u64 })
        );
        assert_eq!(price_impact(&ImpactInput { side: 0, ..big }), Err(ImpactError::InvalidSide));
        assert_eq!(price_impact(&ImpactInput { exponent: 0, ..big }), Err(ImpactError::InvalidExponent));
        assert_eq!(price_impact(&ImpactInput { exponent: 4, ..big }), Err(ImpactError::InvalidExponent));
        assert_eq!(
            price_impact(&ImpactInput { is_increase: false, ..big }),
            Err(ImpactError::Math(MathError::Underflow))
        );
        assert_eq!(price_impact(&long_increase(1, u64::MAX, 0)), Err(ImpactError::Math(MathError::Overflow)));
        let neg = Impact { positive: false, usd: 10 };
        assert_eq!(exec(&long_increase(10, 0, 0), neg, PRICE_5000), Err(ImpactError::ImpactTooLarge));
        assert_eq!(exec(&long_increase(0, 0, 0), neg, PRICE_5000), Err(ImpactError::ImpactTooLarge));
        assert_eq!(exec(&long_increase(0, 0, 0), Impact::default(), PRICE_5000), Ok(PRICE_5000));
        assert_eq!(exec(&long_increase(11, 0, 0), neg, Price(0)), Err(ImpactError::Math(MathError::InvalidPrice)));
        let pos = Impact { positive: true, usd: u64::MAX };
        assert_eq!(exec(&long_increase(1, 0, 0), pos, PRICE_5000), Err(ImpactError::Math(MathError::Overflow)));
    }

    /// Exact reference for exponents up to 2 on values small enough for u128.
    fn reference(i: &ImpactInput) -> Impact {
        let long = i.side == LONG;
        let (l0, s0) = (i.long_oi_usd as i128, i.short_oi_usd as i128);
        let delta = if i.is_increase { i.size_usd as i128 } else { -(i.size_usd as i128) };
        let (l1, s1) = if long { (l0 + delta, s0) } else { (l0, s0 + delta) };
        let e = i.exponent as u32;
        let div = 10u128.pow(18) * 10u128.pow(6 * (e - 1));
        let pw = |d: i128| (d.unsigned_abs()).pow(e);
        let flips = (l0 - s0).signum() * (l1 - s1).signum() < 0;
        let (d0, d1) = (pw(l0 - s0), pw(l1 - s1));
        let signed: i128 = if flips {
            (d0 * i.positive_factor as u128 / div) as i128 - (d1 * i.negative_factor as u128).div_ceil(div) as i128
        } else if d1 < d0 {
            ((d0 - d1) * i.positive_factor as u128 / div) as i128
        } else {
            -(((d1 - d0) * i.negative_factor as u128).div_ceil(div) as i128)
        };
        let size = i.size_usd as u128;
        let (positive, cap) = if signed > 0 {
            (true, size * i.max_positive_impact_bps as u128 / 10_000)
        } else {
            (false, (size * i.max_negative_impact_bps as u128).div_ceil(10_000))
        };
        let usd = signed.unsigned_abs().min(cap) as u64;
        if usd == 0 {
            Impact::default()
        } else {
            Impact { positive, usd }
        }
    }

    /// Skews around the 128-bit edge of the power: zero, small, $1M-scale, and 2^64-scale.
    fn skew() -> impl Strategy<Value = u64> {
        prop_oneof![
            Just(0u64),
            0u64..1_000_000_000,
            0u64..100_000_000_000_000,
            any::<u64>(),
            (u64::MAX - 1000)..=u64::MAX
        ]
    }

    fn factor() -> impl Strategy<Value = u64> {
        prop_oneof![Just(0u64), 0u64..100_000_000_000_000, any::<u64>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The 128-bit path gives exactly the 256-bit path's sign and magnitude whenever it
        /// applies; and it applies to the skews and factors of real markets.
        #[test]
        fn small_path_matches_the_wide_one(
            d0 in skew(), d1 in skew(), flips in any::<bool>(), e in 1u8..=3, f_pos in factor(), f_neg in factor(),
        ) {
            let wide = impact_wide(d0, d1, flips, e, (f_pos, f_neg)).unwrap();
            if let Some((positive, m)) = impact_small(d0, d1, flips, e, (f_pos, f_neg)) {
                prop_assert_eq!(positive, wide.0);
                prop_assert_eq!(Some(m), wide.1.to_u64());
            }
            // $10M of skew at the default exponent with a factor of 10^-8 per USD: the small path.
            if e == 2 && d0 <= 10_000_000_000_000 && d1 <= 10_000_000_000_000 && f_pos <= 10_000_000_000 && f_neg <= 10_000_000_000 {
                prop_assert!(impact_small(d0, d1, flips, e, (f_pos, f_neg)).is_some());
            }
        }

        #[test]
        fn matches_u128_reference(
            side in 1u8..=2, inc in any::<bool>(), size in 0u64..1 << 36,
            l in 0u64..1 << 36, s in 0u64..1 << 36, fp in 0u64..1 << 40, fnn in 0u64..1 << 40,
            e in 1u8..=2, mp in 0u64..=10_000, mn in 0u64..=10_000,
        ) {
            let (l, s) = if !inc && side == LONG { (l.max(size), s) } else if !inc { (l, s.max(size)) } else { (l, s) };
            let i = ImpactInput { side, is_increase: inc, size_usd: size, long_oi_usd: l, short_oi_usd: s,
                positive_factor: fp, negative_factor: fnn, exponent: e, max_positive_impact_bps: mp, max_negative_impact_bps: mn };
            prop_assert_eq!(price_impact(&i).unwrap(), reference(&i));
        }

        /// A round trip (open then close the same size, same factors) never gains the trader anything.
        #[test]
        fn round_trip_never_gains(size in 1u64..1 << 40, l in 0u64..1 << 40, s in 0u64..1 << 40, f in 0u64..1 << 36, e in 1u8..=3, side in 1u8..=2) {
            let open = ImpactInput { side, is_increase: true, size_usd: size, long_oi_usd: l, short_oi_usd: s,
                positive_factor: f, negative_factor: f, exponent: e, max_positive_impact_bps: 10_000, max_negative_impact_bps: 10_000 };
            let a = price_impact(&open).unwrap();
            let (l2, s2) = if side == LONG { (l + size, s) } else { (l, s + size) };
            let close = ImpactInput { is_increase: false, long_oi_usd: l2, short_oi_usd: s2, ..open };
            let b = price_impact(&close).unwrap();
            let net = (if a.positive { a.usd as i128 } else { -(a.usd as i128) }) + (if b.positive { b.usd as i128 } else { -(b.usd as i128) });
            prop_assert!(net <= 0);
        }

        #[test]
        fn execution_price_goes_against_the_trader(side in 1u8..=2, inc in any::<bool>(), size in 1u64..1 << 50, frac in 0u64..10_000, positive in any::<bool>(), p in 1u64..1 << 50) {
            let imp = (size as u128 * frac as u128 / 10_000) as u64;
            let i = ImpactedPriceInput { side, is_increase: inc, size_usd: size, price: Price(p), impact: Impact { positive, usd: imp } };
            let (s, imp_i, p_i) = (size as u128, imp as u128, p as u128);
            let long = side == LONG;
            let minus = long != positive;
            let adj = if minus { s - imp_i } else { s + imp_i };
            let (n, d) = if inc { (p_i * s, adj) } else { (p_i * adj, s) };
            let buys = long == inc;
            let want = if imp == 0 { p_i } else if buys { n.div_ceil(d) } else { n / d };
            match impacted_price(&i) {
                Ok(got) => prop_assert_eq!(got.0 as u128, want),
                Err(e) => prop_assert!(e == ImpactError::Math(MathError::InvalidPrice) && want == 0),
            }
        }

        #[test]
        fn u256_div_matches_u128(a in any::<u128>(), d in 1u64..) {
            let n = U256::from_u128(a);
            let q = n.div_u64(NonZeroU64::new(d).unwrap(), Rounding::Down).to_u128().unwrap();
            prop_assert_eq!(q, a / d as u128);
            let q = n.div_u64(NonZeroU64::new(d).unwrap(), Rounding::Up).to_u128().unwrap();
            prop_assert_eq!(q, a.div_ceil(d as u128));
            let m = U256::from_u64(d).mul_u64(d).unwrap();
            prop_assert_eq!(m.to_u128(), Some(d as u128 * d as u128));
        }
    }
}
