//! Funding between the two sides of a market (SPEC §5, GMX v2 shape): the larger side of open
//! interest pays the smaller side, at a rate proportional to the skew, through per-side
//! cumulative funding indexes.
//!
//! # Units
//! - Open interest and sizes: USD with 6 decimals (`u64`).
//! - Rates: USD per USD of size per second, 18 decimals ([`FUNDING_ONE`] = 1.0 per second; 1 %
//!   per hour is `2_777_777_777_777`). `funding_factor` is the rate when all open interest is on
//!   one side; `max_rate` caps the rate.
//! - Indexes: cumulative USD per USD of size, 18 decimals, as `u128` ([`FundingIndex`]). Each
//!   side has a `paid` index (grows while that side pays) and a `received` index (grows while it
//!   receives); both only grow.
//!
//! # Accrual
//! `rate = min(max_rate, ceil(funding_factor · |long − short| / (long + short)))` (zero for an
//! empty or balanced book). The heavier side (`payer_is_long = long_oi > short_oi`) pays:
//!
//! - its `paid` index grows by `rate · dt` — exact, no rounding;
//! - the other side's `received` index grows by `floor(rate · dt · payer_oi / receiver_oi)`, so
//!   `receiver_oi · Δreceived ≤ payer_oi · Δpaid`: what is received never exceeds what is paid.
//!   With no receiving open interest nothing is received (the pool keeps the payments).
//!
//! # Settlement
//! A position of size `S` snapshots its side's index when opened or settled; at the next update
//! it pays `ceil(S · Δpaid / 10^18)` and receives `floor(S · Δreceived / 10^18)`, netted
//! ([`position_funding`]). The pool therefore never pays out more than it collects, as long as
//! the OI passed to [`accrue_funding`] is the sum of the open positions' sizes, and funding is
//! accrued before any OI change.
//!
//! # Overflow horizon
//! `paid` grows by at most `max_rate` per second: at a (very high) 1 % per hour it takes
//! ~10^22 years to reach `u128::MAX`. `received` grows `payer_oi / receiver_oi` times faster: even
//! at a ratio of 10^13 (10 M USD against 1 µUSD) and 1 % per hour it lasts ~10^9 years. Every
//! step is checked and reports `Overflow` rather than wrapping.

use core::num::NonZeroU64;

use super::fixed::raised;
use super::fixed::{checked_add, mul_div, Rounding};
use super::impact::U256;
use super::units::POW10;
use super::wide::{div_wide, wide_mul};
use super::MathError;

/// A rate of 1.0 USD per USD per second, and an index of 1.0 USD per USD (18 decimals).
pub const FUNDING_ONE: u64 = 1_000_000_000_000_000_000;

/// [`FUNDING_ONE`] as a divisor.
const FUNDING_DIVISOR: NonZeroU64 = match NonZeroU64::new(FUNDING_ONE) {
    Some(d) => d,
    None => panic!("zero divisor constant"),
};

/// [`FUNDING_ONE`] as 10^9 · 10^9, for [`mul_div_factors`](super::fixed::mul_div_factors).
const FUNDING_FACTORS: (NonZeroU64, NonZeroU64) = (POW10[9], POW10[9]);

use super::position::{LONG, SHORT};

crate::source_file!();

/// Why a funding computation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingError {
    /// Arithmetic failed (overflow, an index below its snapshot, …).
    Math(MathError),
    /// The side is neither long (1) nor short (2).
    InvalidSide,
}

impl From<MathError> for FundingError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        FundingError::Math(e)
    }
}

/// One side's cumulative funding indexes (USD per USD of size, 18 decimals). Start at zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingIndex {
    /// Funding paid per USD of size while this side was the heavier one.
    pub paid: u128,
    /// Funding received per USD of size while this side was the lighter one.
    pub received: u128,
}

/// Inputs of [`accrue_funding`]: a market custody's open interest and indexes since its last
/// funding accrual.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingInput {
    /// Long open interest over the interval, USD 6 decimals.
    pub long_oi_usd: u64,
    /// Short open interest over the interval, USD 6 decimals.
    pub short_oi_usd: u64,
    /// The rate at full skew, per second (18 decimals).
    pub funding_factor: u64,
    /// The largest rate, per second (18 decimals).
    pub max_rate: u64,
    /// Seconds since the last accrual.
    pub dt_secs: u64,
    /// The long side's indexes at the last accrual.
    pub long_index: FundingIndex,
    /// The short side's indexes at the last accrual.
    pub short_index: FundingIndex,
}

/// What [`accrue_funding`] returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingAccrual {
    /// The rate over the interval, per second (18 decimals).
    pub rate: u64,
    /// True when longs pay (`long_oi > short_oi`); meaningless when `rate == 0`.
    pub payer_is_long: bool,
    /// The long side's indexes now.
    pub long_index: FundingIndex,
    /// The short side's indexes now.
    pub short_index: FundingIndex,
}

/// Inputs of [`position_funding`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PositionFundingInput {
    /// The position's size, USD 6 decimals.
    pub size_usd: u64,
    /// 1 long, 2 short: picks the side's current indexes.
    pub side: u8,
    /// The long side's indexes now (already accrued).
    pub long_index: FundingIndex,
    /// The short side's indexes now (already accrued).
    pub short_index: FundingIndex,
    /// The position's side's indexes when it was last settled.
    pub index_snapshot: FundingIndex,
}

/// A position's net funding: `pays` when it owes. Zero is `{ false, 0 }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingFee {
    /// True when the position pays (strictly positive amount owed).
    pub pays: bool,
    /// Magnitude, USD 6 decimals.
    pub usd: u64,
}

/// The funding rate per second (18 decimals):
/// `min(max_rate, ceil(funding_factor · |long − short| / (long + short)))`, zero when both are 0.
///
/// Errors: `long + short` above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
pub fn funding_rate(long_oi_usd: u64, short_oi_usd: u64, funding_factor: u64, max_rate: u64) -> Result<u64, MathError> {
    let total = checked_add(long_oi_usd, short_oi_usd)?;
    if total == 0 {
        return Ok(0);
    }
    if long_oi_usd == 0 || short_oi_usd == 0 {
        // A one-sided book: skew / total is exactly 1, and the product needs no division.
        return Ok(funding_factor.min(max_rate));
    }
    let skew = long_oi_usd.abs_diff(short_oi_usd);
    // skew <= total: the quotient is at most funding_factor.
    let rate = raised(mul_div(funding_factor, skew, total, Rounding::Up))?;
    Ok(rate.min(max_rate))
}

/// Accrues both sides' funding indexes over `dt_secs` (see the module docs).
///
/// With a zero rate or `dt_secs == 0` the indexes are returned unchanged (the rate is still
/// computed and validated). Errors, in this order: those of [`funding_rate`]; the payer's `paid`
/// index above `u128::MAX`; the receiver's growth or `received` index above `u128::MAX` (all
/// [`MathError::Overflow`]).
#[inline(always)]
pub fn accrue_funding(i: &FundingInput) -> Result<FundingAccrual, FundingError> {
    let rate = funding_rate(i.long_oi_usd, i.short_oi_usd, i.funding_factor, i.max_rate)?;
    let payer_is_long = i.long_oi_usd > i.short_oi_usd;
    let mut out = FundingAccrual { rate, payer_is_long, long_index: i.long_index, short_index: i.short_index };
    if rate == 0 || i.dt_secs == 0 {
        return Ok(out);
    }
    let (payer_oi, receiver_oi) =
        if payer_is_long { (i.long_oi_usd, i.short_oi_usd) } else { (i.short_oi_usd, i.long_oi_usd) };
    let (hi, lo) = wide_mul(rate, i.dt_secs);
    let growth = ((hi as u128) << 64) | lo as u128;
    let (payer, receiver) = if payer_is_long {
        (&mut out.long_index, &mut out.short_index)
    } else {
        (&mut out.short_index, &mut out.long_index)
    };
    payer.paid = payer.paid.checked_add(growth).ok_or_else(|| MathError::Overflow.raise())?;
    if let Some(receiver_oi) = NonZeroU64::new(receiver_oi) {
        let share = match (hi, wide_mul(lo, payer_oi)) {
            // The growth and the share both fit in 64 bits (every interval but a long quiet
            // spell at a high rate): one 128-bit product and one division.
            (0, (p_hi, p_lo)) if p_hi < receiver_oi.get() => div_wide(p_hi, p_lo, receiver_oi).0 as u128,
            _ => U256::from_u128(growth)
                .mul_u64(payer_oi)?
                .div_u64(receiver_oi, Rounding::Down)
                .to_u128()
                .ok_or_else(|| MathError::Overflow.raise())?,
        };
        receiver.received = receiver.received.checked_add(share).ok_or_else(|| MathError::Overflow.raise())?;
    }
    Ok(out)
}

/// A position's net funding since its snapshot: it pays `ceil(S · Δpaid / 10^18)` and receives
/// `floor(S · Δreceived / 10^18)`, where the deltas are its side's current indexes minus
/// `index_snapshot`.
///
/// Errors, in this order: side not 1 / 2 → [`FundingError::InvalidSide`]; an index below its
/// snapshot (paid first) → `Underflow`; an amount above `u64::MAX` (paid first) → `Overflow`.
#[inline]
pub fn position_funding(i: &PositionFundingInput) -> Result<FundingFee, FundingError> {
    let now = match i.side {
        LONG => &i.long_index,
        SHORT => &i.short_index,
        _ => return Err(FundingError::InvalidSide),
    };
    let paid = now.paid.checked_sub(i.index_snapshot.paid).ok_or_else(|| MathError::Underflow.raise())?;
    let received = now.received.checked_sub(i.index_snapshot.received).ok_or_else(|| MathError::Underflow.raise())?;
    let pays = settle(i.size_usd, paid, Rounding::Up)?;
    let gets = settle(i.size_usd, received, Rounding::Down)?;
    Ok(FundingFee { pays: pays > gets, usd: pays.abs_diff(gets) })
}

/// What a size of `size_usd` paid and received between two readings of its side's indexes, USD:
/// `(size · Δpaid / 10^18, size · Δreceived / 10^18)`, each rounded as asked.
///
/// Errors: an index below its earlier reading → `Underflow`; an amount above `u64::MAX` →
/// `Overflow`.
#[inline(always)] // (six arguments once the returned tuple is counted)
pub(crate) fn funding_shares(
    size_usd: u64,
    now: &FundingIndex,
    before: &FundingIndex,
    rounding: (Rounding, Rounding),
) -> Result<(u64, u64), MathError> {
    let (paid_rounding, received_rounding) = rounding;
    let paid = now.paid.checked_sub(before.paid).ok_or_else(|| MathError::Underflow.raise())?;
    let received = now.received.checked_sub(before.received).ok_or_else(|| MathError::Underflow.raise())?;
    let p = if paid == 0 || size_usd == 0 { 0 } else { settle(size_usd, paid, paid_rounding)? };
    let r = if received == 0 || size_usd == 0 { 0 } else { settle(size_usd, received, received_rounding)? };
    Ok((p, r))
}

/// `size · delta / 10^18`, rounded; [`MathError::Overflow`] above `u64::MAX`.
#[inline]
fn settle(size: u64, delta: u128, rounding: Rounding) -> Result<u64, MathError> {
    // An index growth below 2^64 (every settlement but one after a long quiet spell at a high
    // rate): the same quotient through one 128-bit product instead of 256-bit limbs.
    if delta >> 64 == 0 {
        return raised(super::fixed::mul_div_factors(size, delta as u64, FUNDING_FACTORS, rounding));
    }
    U256::from_u128(delta)
        .mul_u64(size)?
        .div_u64(FUNDING_DIVISOR, rounding)
        .to_u64()
        .ok_or_else(|| MathError::Overflow.raise())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use proptest::prelude::*;

    const USD: u64 = 1_000_000;
    /// 1 % per hour at full skew.
    const FACTOR: u64 = 2_777_777_777_777;

    fn input(long: u64, short: u64, dt: u64) -> FundingInput {
        FundingInput {
            long_oi_usd: long,
            short_oi_usd: short,
            funding_factor: FACTOR,
            max_rate: u64::MAX,
            dt_secs: dt,
            ..FundingInput::default()
        }
    }

    #[test]
    fn rate_by_example() {
        assert_eq!(funding_rate(0, 0, FACTOR, u64::MAX), Ok(0));
        assert_eq!(funding_rate(5, 5, FACTOR, u64::MAX), Ok(0));
        assert_eq!(funding_rate(5, 0, FACTOR, u64::MAX), Ok(FACTOR));
        // 300 vs 100: skew / total = 1/2.
        assert_eq!(funding_rate(300, 100, 10, u64::MAX), Ok(5));
        // 2 vs 1: 10 / 3 = 3.33.. rounds up.
        assert_eq!(funding_rate(2, 1, 10, u64::MAX), Ok(4));
        assert_eq!(funding_rate(2, 1, 10, 3), Ok(3));
        assert_eq!(funding_rate(u64::MAX, 1, 1, 1), Err(MathError::Overflow));
    }

    #[test]
    fn accrual_by_example() {
        // 300k long vs 100k short for an hour at half the factor: 0.5 % per hour.
        let a = accrue_funding(&input(300_000 * USD, 100_000 * USD, 3_600)).unwrap();
        let rate = (FACTOR as u128).div_ceil(2) as u64;
        assert_eq!(a.rate, rate);
        assert!(a.payer_is_long);
        assert_eq!(a.long_index.paid, rate as u128 * 3_600);
        assert_eq!(a.short_index.received, rate as u128 * 3_600 * 3);
        assert_eq!((a.long_index.received, a.short_index.paid), (0, 0));
        // A 100k long pays 0.5 % = 500 USD (rounded up); a 100k short receives 1,500 USD.
        let long = position_funding(&PositionFundingInput {
            size_usd: 100_000 * USD,
            side: LONG,
            long_index: a.long_index,
            short_index: a.short_index,
            index_snapshot: FundingIndex::default(),
        })
        .unwrap();
        assert_eq!(long, FundingFee { pays: true, usd: 500 * USD + 1 });
        let short = position_funding(&PositionFundingInput {
            side: SHORT,
            ..PositionFundingInput {
                size_usd: 100_000 * USD,
                side: LONG,
                long_index: a.long_index,
                short_index: a.short_index,
                index_snapshot: FundingIndex::default(),
            }
        })
        .unwrap();
        assert_eq!(short, FundingFee { pays: false, usd: 1_500 * USD });

        // Balanced, empty, or no time: nothing moves.
        for i in [input(7, 7, 100), input(0, 0, 100), input(9, 1, 0)] {
            let a = accrue_funding(&i).unwrap();
            assert_eq!((a.long_index, a.short_index), (i.long_index, i.short_index));
        }
        // No receivers: the payers still pay.
        let a = accrue_funding(&input(0, 10 * USD, 10)).unwrap();
        assert!(!a.payer_is_long);
        assert_eq!(a.short_index.paid, FACTOR as u128 * 10);
        assert_eq!(a.long_index.received, 0);
        // Overflow is reported.
        let far = FundingInput { long_index: FundingIndex { paid: u128::MAX, received: 0 }, ..input(2, 1, 1) };
        assert_eq!(accrue_funding(&far), Err(FundingError::Math(MathError::Overflow)));
    }

    #[test]
    fn position_errors() {
        let i = PositionFundingInput { size_usd: 1, side: 3, ..PositionFundingInput::default() };
        assert_eq!(position_funding(&i), Err(FundingError::InvalidSide));
        let i = PositionFundingInput { side: LONG, index_snapshot: FundingIndex { paid: 1, received: 0 }, ..i };
        assert_eq!(position_funding(&i), Err(FundingError::Math(MathError::Underflow)));
        let i = PositionFundingInput {
            size_usd: u64::MAX,
            side: SHORT,
            short_index: FundingIndex { paid: 0, received: 2 * FUNDING_ONE as u128 },
            ..PositionFundingInput::default()
        };
        assert_eq!(position_funding(&i), Err(FundingError::Math(MathError::Overflow)));
        assert_eq!(
            position_funding(&PositionFundingInput { side: LONG, ..PositionFundingInput::default() }),
            Ok(FundingFee::default())
        );
    }

    #[derive(Clone, Copy, Debug)]
    struct Pos {
        long: bool,
        size: u64,
        snapshot: FundingIndex,
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The rate against 128-bit arithmetic, one-sided and empty books included.
        #[test]
        fn rate_matches_reference(
            long in prop_oneof![Just(0u64), 1u64..1_000, any::<u64>()],
            short in prop_oneof![Just(0u64), 1u64..1_000, any::<u64>()],
            factor in prop_oneof![Just(0u64), any::<u64>()],
            max_rate in prop_oneof![Just(u64::MAX), any::<u64>()],
        ) {
            let total = long as u128 + short as u128;
            let want = if total > u64::MAX as u128 {
                Err(MathError::Overflow)
            } else if total == 0 {
                Ok(0)
            } else {
                let skew = (long as u128).abs_diff(short as u128);
                Ok(((factor as u128 * skew).div_ceil(total) as u64).min(max_rate))
            };
            prop_assert_eq!(funding_rate(long, short, factor, max_rate), want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Random books over random time: positions open and close, funding accrues before each
        /// OI change, every position settles. What is received never exceeds what is paid.
        #[test]
        fn pool_never_creates_value(
            steps in proptest::collection::vec((any::<bool>(), any::<bool>(), 1u64..1 << 40, 0u64..100_000, any::<u16>()), 1..60),
            factor in 0u64..1 << 50, max_rate in 0u64..1 << 50,
        ) {
            let (mut long_index, mut short_index) = (FundingIndex::default(), FundingIndex::default());
            let (mut long_oi, mut short_oi) = (0u64, 0u64);
            let mut book: Vec<Pos> = Vec::new();
            let (mut paid, mut received) = (0u128, 0u128);
            let settle_pos = |p: &Pos, li: FundingIndex, si: FundingIndex, paid: &mut u128, received: &mut u128| {
                let f = position_funding(&PositionFundingInput { size_usd: p.size, side: if p.long { LONG } else { SHORT }, long_index: li, short_index: si, index_snapshot: p.snapshot }).unwrap();
                if f.pays { *paid += f.usd as u128 } else { *received += f.usd as u128 }
            };
            for (open, long, size, dt, pick) in steps {
                let a = accrue_funding(&FundingInput { long_oi_usd: long_oi, short_oi_usd: short_oi, funding_factor: factor, max_rate, dt_secs: dt, long_index, short_index }).unwrap();
                long_index = a.long_index;
                short_index = a.short_index;
                if open || book.is_empty() {
                    let snapshot = if long { long_index } else { short_index };
                    book.push(Pos { long, size, snapshot });
                    if long { long_oi += size } else { short_oi += size }
                } else {
                    let p = book.swap_remove(pick as usize % book.len());
                    settle_pos(&p, long_index, short_index, &mut paid, &mut received);
                    if p.long { long_oi -= p.size } else { short_oi -= p.size }
                }
            }
            let a = accrue_funding(&FundingInput { long_oi_usd: long_oi, short_oi_usd: short_oi, funding_factor: factor, max_rate, dt_secs: 3_600, long_index, short_index }).unwrap();
            for p in &book {
                settle_pos(p, a.long_index, a.short_index, &mut paid, &mut received);
            }
            prop_assert!(received <= paid, "received {} > paid {}", received, paid);
        }

        /// A balanced book pays nothing, whatever the factor and time.
        #[test]
        fn balanced_book_pays_nothing(oi in 0u64..1 << 60, factor in any::<u64>(), dt in any::<u32>(), size in any::<u64>()) {
            let a = accrue_funding(&FundingInput { long_oi_usd: oi, short_oi_usd: oi, funding_factor: factor, max_rate: u64::MAX, dt_secs: dt as u64, ..FundingInput::default() }).unwrap();
            prop_assert_eq!(a.rate, 0);
            for side in [LONG, SHORT] {
                let f = position_funding(&PositionFundingInput { size_usd: size, side, long_index: a.long_index, short_index: a.short_index, index_snapshot: FundingIndex::default() }).unwrap();
                prop_assert_eq!(f, FundingFee::default());
            }
        }

        #[test]
        fn accrual_matches_u128(l in 0u64..1 << 40, s in 0u64..1 << 40, factor in 0u64..1 << 45, max_rate in any::<u64>(), dt in 0u64..1 << 20) {
            let a = accrue_funding(&input_with(l, s, factor, max_rate, dt)).unwrap();
            let total = l as u128 + s as u128;
            let rate = if total == 0 { 0 } else { (factor as u128 * l.abs_diff(s) as u128).div_ceil(total).min(max_rate as u128) };
            prop_assert_eq!(a.rate as u128, rate);
            let growth = rate * dt as u128;
            let (payer, receiver) = if l > s { (l, s) } else { (s, l) };
            let share = if receiver == 0 || rate == 0 { 0 } else { growth * payer as u128 / receiver as u128 };
            let (lp, lr, sp, sr) = if l > s { (growth, 0, 0, share) } else { (0, share, growth, 0) };
            let growth_or_zero = |x: u128| if rate == 0 { 0 } else { x };
            prop_assert_eq!((a.long_index.paid, a.long_index.received, a.short_index.paid, a.short_index.received),
                (growth_or_zero(lp), lr, growth_or_zero(sp), sr));
        }
    }

    fn input_with(l: u64, s: u64, factor: u64, max_rate: u64, dt: u64) -> FundingInput {
        FundingInput { funding_factor: factor, max_rate, ..input(l, s, dt) }
    }
}
