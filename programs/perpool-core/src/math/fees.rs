//! Liquidity fees: the GMX-v1-shaped dynamic fee by target weight, fee amounts, and the split of a
//! fee between LPs, the protocol and the insurance fund.
//!
//! Rounding goes against the user: a rebate rounds down, a tax and a fee amount round up. Fee
//! shares round down for the protocol and insurance; the remainder stays with the LPs.

use super::fixed::{checked_add, checked_sub, mul_div_floor};
use super::units::{apply_bps_ceil, apply_bps_floor, Bps, TokenAmount};
use super::MathError;

crate::source_file!();

/// Inputs of [`dynamic_fee_bps`]. USD values share one scale (6 decimals); bps are /10_000.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DynamicFeeInput {
    /// Fee when the move is neutral (and the ceiling of a rebate).
    pub base_bps: u64,
    /// Largest tax added (moving away from target) or rebate taken off (moving toward it).
    pub tax_bps: u64,
    /// The custody's value before the operation.
    pub current_usd: u64,
    /// The custody's value after the operation.
    pub next_usd: u64,
    /// The custody's target value (pool value × target weight). Zero disables the dynamic part.
    pub target_usd: u64,
}

/// How a fee (in tokens) is divided. `lp + protocol + insurance` equals the fee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeSplit {
    /// Stays in the custody's `owned` (raises the LP price).
    pub lp: u64,
    /// Goes to the protocol's fee balance.
    pub protocol: u64,
    /// Goes to the custody's insurance fund.
    pub insurance: u64,
}

/// The fee in bps for moving a custody's value from `current_usd` to `next_usd` (GMX v1 shape).
///
/// - `target_usd == 0`: `base_bps`.
/// - With `initial = |current − target|`, `next = |next − target|`:
///   - `next < initial` (toward target): `base − floor(tax × initial / target)`, not below zero.
///     A rebate too large for a u64 exceeds any base, so the fee is then zero (no error).
///   - otherwise (away from target, or no closer): `avg = floor((initial + next) / 2)` capped at
///     `target`; `base + floor(tax × avg / target)` (floored like GMX v1).
///
/// The result lies in `0..=base + tax`. Errors: [`MathError::Overflow`] if `base + tax` does.
#[inline]
pub fn dynamic_fee_bps(i: &DynamicFeeInput) -> Result<u64, MathError> {
    let target = i.target_usd;
    if target == 0 {
        return Ok(i.base_bps);
    }
    let initial_diff = i.current_usd.abs_diff(target);
    let next_diff = i.next_usd.abs_diff(target);
    if next_diff < initial_diff {
        // target != 0, so the only possible error is a quotient above u64::MAX.
        let rebate = mul_div_floor(i.tax_bps, initial_diff, target).unwrap_or(u64::MAX);
        return Ok(i.base_bps.saturating_sub(rebate));
    }
    // floor((a + b) / 2) without the a + b overflow.
    // Two halves and a bit: at most u64::MAX.
    let average = (initial_diff >> 1).saturating_add(next_diff >> 1).saturating_add(initial_diff & next_diff & 1);
    let average = if average > target { target } else { average };
    // average <= target: the tax is at most tax_bps, so this cannot overflow.
    // Floored like GMX v1 (the worked numbers: 104 bps at 29,700 of a
    // 29,700 target for a 5,000 deposit); the fee amount itself rounds up.
    let tax = mul_div_floor(i.tax_bps, average, target)?;
    checked_add(i.base_bps, tax)
}

/// The fee on `amount` at `fee_bps`: `ceil(amount × fee_bps / 10_000)`.
///
/// Errors: [`MathError::Overflow`] (only possible above 100%).
#[inline]
pub fn fee_amount(amount: u64, fee_bps: u64) -> Result<u64, MathError> {
    apply_bps_ceil(TokenAmount(amount), Bps(fee_bps)).map(|fee| fee.0)
}

/// Splits `fee`: `protocol = floor(fee × protocol_share_bps / 10_000)`, likewise `insurance`, and
/// the LPs keep the rest.
///
/// Errors: shares summing above 100% leave the LP part negative → [`MathError::Underflow`]
/// (or [`MathError::Overflow`] for a single share far above 100%).
#[inline]
pub fn split_fee(fee: u64, protocol_share_bps: u64, insurance_share_bps: u64) -> Result<FeeSplit, MathError> {
    let protocol = apply_bps_floor(TokenAmount(fee), Bps(protocol_share_bps))?.0;
    let insurance = apply_bps_floor(TokenAmount(fee), Bps(insurance_share_bps))?.0;
    let lp = checked_sub(checked_sub(fee, protocol)?, insurance)?;
    Ok(FeeSplit { lp, protocol, insurance })
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;

    /// u128 reference for `dynamic_fee_bps`.
    fn reference(i: &DynamicFeeInput) -> Result<u64, MathError> {
        let (base, tax) = (i.base_bps as u128, i.tax_bps as u128);
        let (cur, next, target) = (i.current_usd as u128, i.next_usd as u128, i.target_usd as u128);
        if target == 0 {
            return Ok(i.base_bps);
        }
        let initial_diff = cur.abs_diff(target);
        let next_diff = next.abs_diff(target);
        let fee = if next_diff < initial_diff {
            base.saturating_sub(tax * initial_diff / target)
        } else {
            let avg = ((initial_diff + next_diff) / 2).min(target);
            base + tax * avg / target
        };
        u64::try_from(fee).map_err(|_| MathError::Overflow)
    }

    fn usd() -> impl Strategy<Value = u64> {
        prop_oneof![
            3 => 0u64..1u64 << 50,
            1 => any::<u64>(),
            1 => Just(0u64),
            1 => Just(u64::MAX),
        ]
    }

    fn input() -> impl Strategy<Value = DynamicFeeInput> {
        (0u64..200, 0u64..200, usd(), usd(), usd()).prop_map(|(b, t, c, n, g)| DynamicFeeInput {
            base_bps: b,
            tax_bps: t,
            current_usd: c,
            next_usd: n,
            target_usd: g,
        })
    }

    #[test]
    fn by_example() {
        let f = |c, n, g| {
            dynamic_fee_bps(&DynamicFeeInput { base_bps: 25, tax_bps: 50, current_usd: c, next_usd: n, target_usd: g })
        };
        assert_eq!(f(5, 10, 0), Ok(25));
        // The worked numbers (GMX v1): base 100, tax 50. At exactly its
        // 29,700 target, a 5,000 deposit pays 104 bps; with the target at
        // 14,850 (over-weight), increasing pays 150 and decreasing 50.
        let g = |current: u64, next: u64, target: u64| {
            dynamic_fee_bps(&DynamicFeeInput {
                base_bps: 100,
                tax_bps: 50,
                current_usd: current,
                next_usd: next,
                target_usd: target,
            })
        };
        assert_eq!(g(29_700, 34_700, 29_700), Ok(104));
        assert_eq!(g(29_700, 34_700, 14_850), Ok(150));
        assert_eq!(g(29_700, 24_700, 14_850), Ok(50));
        // At target, moving away by 10% of target: avg diff 5% → tax floor(50 × 0.05) = 2.
        assert_eq!(f(100, 110, 100), Ok(27));
        // From 50% under target to 40% under: rebate floor(50 × 0.5) = 25 → fee 0.
        assert_eq!(f(50, 60, 100), Ok(0));
        // From 20% under to 10% under: rebate 10 → 15.
        assert_eq!(f(80, 90, 100), Ok(15));
        // Far away: the average is capped at the target → base + tax.
        assert_eq!(f(1_000, 5_000, 100), Ok(75));
        // Rebate too large for a u64: fee 0, no error.
        assert_eq!(
            dynamic_fee_bps(&DynamicFeeInput {
                base_bps: 25,
                tax_bps: u64::MAX,
                current_usd: u64::MAX,
                next_usd: 2,
                target_usd: 1,
            }),
            Ok(0)
        );
        assert_eq!(
            dynamic_fee_bps(&DynamicFeeInput {
                base_bps: u64::MAX,
                tax_bps: 1,
                current_usd: 1,
                next_usd: 3,
                target_usd: 1,
            }),
            Err(MathError::Overflow)
        );
        assert_eq!(fee_amount(10_001, 30), Ok(31));
        assert_eq!(fee_amount(0, 30), Ok(0));
        assert_eq!(fee_amount(u64::MAX, 10_001), Err(MathError::Overflow));
        assert_eq!(split_fee(101, 1_000, 500), Ok(FeeSplit { lp: 86, protocol: 10, insurance: 5 }));
        assert_eq!(split_fee(101, 6_000, 5_000), Err(MathError::Underflow));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn dynamic_fee_matches_reference_and_bounds(i in input()) {
            let got = dynamic_fee_bps(&i);
            prop_assert_eq!(got, reference(&i));
            let fee = got.unwrap();
            prop_assert!(fee <= i.base_bps + i.tax_bps);
            let toward = i.target_usd != 0
                && i.next_usd.abs_diff(i.target_usd) < i.current_usd.abs_diff(i.target_usd);
            if toward { prop_assert!(fee <= i.base_bps) } else { prop_assert!(fee >= i.base_bps) }
        }

        #[test]
        fn dynamic_fee_huge_inputs(b in any::<u64>(), t in any::<u64>(), c in usd(), n in usd(), g in usd()) {
            let i = DynamicFeeInput { base_bps: b, tax_bps: t, current_usd: c, next_usd: n, target_usd: g };
            prop_assert_eq!(dynamic_fee_bps(&i), reference(&i));
        }

        #[test]
        fn split_adds_up(fee in any::<u64>(), p in 0u64..=10_000, ins in 0u64..=10_000) {
            let got = split_fee(fee, p, ins);
            if p + ins <= 10_000 {
                let s = got.unwrap();
                prop_assert_eq!(s.lp as u128 + s.protocol as u128 + s.insurance as u128, fee as u128);
                prop_assert_eq!(s.protocol as u128, fee as u128 * p as u128 / 10_000);
                prop_assert_eq!(s.insurance as u128, fee as u128 * ins as u128 / 10_000);
            } else if fee as u128 * p as u128 / 10_000 + fee as u128 * ins as u128 / 10_000 > fee as u128 {
                prop_assert_eq!(got, Err(MathError::Underflow));
            }
        }

        #[test]
        fn fee_amount_is_ceil(amount in any::<u64>(), bps in 0u64..=10_000) {
            let n = amount as u128 * bps as u128;
            prop_assert_eq!(fee_amount(amount, bps), Ok(n.div_ceil(10_000) as u64));
        }
    }
}
