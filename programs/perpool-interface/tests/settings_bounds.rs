//! The bounds every pool and custody setting is held to (at listing, and when a
//! settings proposal is made and executed), each refused with its own error; the
//! proposal's timing rule; and the room a proposal keeps for the settings.

use perpool_interface::{
    error::PerpoolError as E,
    reader::Reader,
    state::{
        custody::{CustodySettings, MAX_FEE_BPS, MAX_ORACLE_AGE_SECS, MAX_ORACLE_CONF_BPS, MAX_RATE},
        pool::{check_timelock, MAX_TIMELOCK_SECS},
        proposal::PAYLOAD_CAPACITY,
        CustodyParams, PoolParams, Proposal, RiskParams,
    },
};
use pinocchio::Address;

/// The SDK's `defaultCustodyParams()`.
fn custody() -> CustodyParams {
    CustodyParams {
        is_stable: false,
        oracle_kind: 0,
        interest_on_pnl: true,
        feed_id: [7; 32],
        oracle_shard: 0,
        oracle_program: Address::new_from_array([9; 32]),
        oracle_max_age_secs: 60,
        oracle_max_conf_bps: 100,
        max_leverage_bps: 500_000,
        spread_bps: 0,
        target_weight_bps: 2_500,
        min_weight_bps: 0,
        max_weight_bps: 10_000,
        base_fee_bps: 25,
        tax_fee_bps: 50,
        open_fee_bps: 6,
        close_fee_bps: 6,
        maintenance_margin_bps: 50,
        liquidation_reward_bps: 10,
        min_collateral_usd: 10_000_000,
        max_position_usd: 1_000_000_000_000,
        max_long_oi_usd: 10_000_000_000_000,
        max_short_oi_usd: 10_000_000_000_000,
        base_rate: 0,
        slope1: 80_000_000,
        slope2: 1_000_000_000,
        optimal_utilization_bps: 8_000,
        reserve_factor_bps: 1_000,
        max_utilization_bps: 9_000,
        buffer_bps: 1_000,
        collateral_earns_interest: true,
        max_ltv_bps: 7_500,
        liquidation_ltv_bps: 8_000,
        liquidation_bonus_bps: 500,
        close_factor_bps: 5_000,
        collateral_buffer_bps: 5_000,
    }
}

fn pool() -> PoolParams {
    PoolParams {
        lp_fee_share_bps: 7_000,
        protocol_fee_share_bps: 2_000,
        insurance_fee_share_bps: 1_000,
        adl_threshold_bps: 8_500,
        adl_floor_bps: 7_700,
        max_aum_usd: 0,
        lp_cooldown_secs: 900,
        pnl_warmup_secs: 3_600,
        min_profit_hold_secs: 0,
        min_first_deposit_usd: 10_000_000,
        dead_lp: 1_000_000,
        min_lp_mint: 1_000,
        timelock_secs: 86_400,
    }
}

fn with(f: impl FnOnce(&mut CustodyParams)) -> Result<(), E> {
    let mut p = custody();
    f(&mut p);
    p.validate()
}

#[test]
fn the_defaults_are_within_bounds() {
    assert_eq!(custody().validate(), Ok(()));
    assert_eq!(pool().validate(86_400), Ok(()));
}

#[test]
fn fees_and_spread_are_capped_at_ten_percent() {
    assert_eq!(with(|p| p.spread_bps = MAX_FEE_BPS), Ok(()));
    assert_eq!(with(|p| p.spread_bps = MAX_FEE_BPS + 1), Err(E::FeeAboveCap));
    assert_eq!(with(|p| p.base_fee_bps = MAX_FEE_BPS + 1), Err(E::FeeAboveCap));
    assert_eq!(with(|p| p.tax_fee_bps = MAX_FEE_BPS + 1), Err(E::FeeAboveCap));
    assert_eq!(with(|p| p.open_fee_bps = MAX_FEE_BPS + 1), Err(E::FeeAboveCap));
    assert_eq!(with(|p| p.close_fee_bps = u16::MAX), Err(E::FeeAboveCap));
    assert_eq!(with(|p| p.liquidation_reward_bps = MAX_FEE_BPS + 1), Err(E::FeeAboveCap));
}

#[test]
fn weights_keep_min_le_target_le_max_le_100_percent() {
    assert_eq!(
        with(|p| {
            p.min_weight_bps = 2_500;
            p.max_weight_bps = 2_500
        }),
        Ok(())
    );
    assert_eq!(with(|p| p.min_weight_bps = 2_501), Err(E::InvalidWeights));
    assert_eq!(with(|p| p.max_weight_bps = 2_499), Err(E::InvalidWeights));
    assert_eq!(with(|p| p.max_weight_bps = 10_001), Err(E::InvalidWeights));
}

#[test]
fn max_leverage_leaves_a_position_at_max_leverage_above_maintenance_margin() {
    // 50x at 1.99 % margin: 99.5 % < 100 %.
    assert_eq!(with(|p| p.maintenance_margin_bps = 199), Ok(()));
    // 50x at 2 %: a position opened at max leverage would already be at the margin.
    assert_eq!(with(|p| p.maintenance_margin_bps = 200), Err(E::LeverageBeyondMargin));
    assert_eq!(with(|p| p.maintenance_margin_bps = 0), Err(E::LeverageBeyondMargin));
    assert_eq!(with(|p| p.max_leverage_bps = 9_999), Err(E::LeverageBeyondMargin));
    assert_eq!(with(|p| p.max_leverage_bps = 10_000_001), Err(E::LeverageBeyondMargin));
    assert_eq!(
        with(|p| {
            p.max_leverage_bps = 10_000;
            p.maintenance_margin_bps = 9_999;
            p.close_fee_bps = 0
        }),
        Ok(())
    );
}

#[test]
fn liquidation_reward_plus_close_fee_stays_below_maintenance_margin() {
    assert_eq!(
        with(|p| {
            p.liquidation_reward_bps = 43;
            p.close_fee_bps = 6
        }),
        Ok(())
    );
    assert_eq!(
        with(|p| {
            p.liquidation_reward_bps = 44;
            p.close_fee_bps = 6
        }),
        Err(E::LiquidationFeesAboveMargin)
    );
    assert_eq!(
        with(|p| {
            p.liquidation_reward_bps = 0;
            p.close_fee_bps = 50
        }),
        Err(E::LiquidationFeesAboveMargin)
    );
}

#[test]
fn oracle_age_is_one_second_to_one_hour_and_confidence_at_most_ten_percent() {
    assert_eq!(with(|p| p.oracle_max_age_secs = 1), Ok(()));
    assert_eq!(with(|p| p.oracle_max_age_secs = MAX_ORACLE_AGE_SECS), Ok(()));
    assert_eq!(with(|p| p.oracle_max_age_secs = 0), Err(E::InvalidOracleLimits));
    assert_eq!(with(|p| p.oracle_max_age_secs = MAX_ORACLE_AGE_SECS + 1), Err(E::InvalidOracleLimits));
    assert_eq!(with(|p| p.oracle_max_conf_bps = MAX_ORACLE_CONF_BPS), Ok(()));
    assert_eq!(with(|p| p.oracle_max_conf_bps = MAX_ORACLE_CONF_BPS + 1), Err(E::InvalidOracleLimits));
}

#[test]
fn the_rate_curve_stays_in_range() {
    assert_eq!(with(|p| p.slope2 = MAX_RATE), Ok(()));
    assert_eq!(with(|p| p.base_rate = MAX_RATE + 1), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.slope1 = MAX_RATE + 1), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.slope2 = u64::MAX), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.optimal_utilization_bps = 0), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.optimal_utilization_bps = 10_000), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.reserve_factor_bps = 10_001), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.max_utilization_bps = 10_001), Err(E::InvalidRateCurve));
    assert_eq!(with(|p| p.buffer_bps = 10_001), Err(E::InvalidRateCurve));
}

#[test]
fn only_pyth_oracles_are_listed() {
    assert_eq!(with(|p| p.oracle_kind = 1), Err(E::UnsupportedOracleKind));
    assert_eq!(with(|p| p.oracle_kind = 2), Err(E::UnsupportedOracleKind));
}

#[test]
fn loan_limits_keep_the_general_error() {
    assert_eq!(with(|p| p.liquidation_ltv_bps = 7_500), Err(E::InvalidCustodyParams));
    assert_eq!(with(|p| p.close_factor_bps = 0), Err(E::InvalidCustodyParams));
}

#[test]
fn pool_timelocks_lie_between_the_config_minimum_and_thirty_days() {
    assert_eq!(check_timelock(0, 0), Ok(()));
    assert_eq!(check_timelock(MAX_TIMELOCK_SECS, 86_400), Ok(()));
    assert_eq!(check_timelock(MAX_TIMELOCK_SECS + 1, 0), Err(E::TimelockTooLong));
    assert_eq!(check_timelock(86_399, 86_400), Err(E::TimelockTooShort));
    let mut p = pool();
    p.timelock_secs = 0;
    assert_eq!(p.validate(0), Ok(()));
    assert_eq!(p.validate(1), Err(E::TimelockTooShort));
    p.lp_fee_share_bps += 1;
    assert_eq!(p.validate(0), Err(E::InvalidPoolParams));
}

#[test]
fn a_proposal_is_due_at_its_eta_and_at_least_the_current_timelock_after_it_was_proposed() {
    // SAFETY: `Proposal` is plain old data; all-zero bytes are a valid value.
    let mut p: Proposal = unsafe { core::mem::zeroed() };
    p.proposed_at = 1_000;
    p.eta = 1_000 + 86_400;
    assert!(!p.is_due(1_000 + 86_399, 86_400));
    assert!(p.is_due(1_000 + 86_400, 86_400));
    // The timelock was lowered since: the eta still holds.
    assert!(!p.is_due(1_000 + 86_399, 0));
    // Raised since: the proposal waits the new delay too.
    assert!(!p.is_due(1_000 + 86_400, 2 * 86_400));
    assert!(p.is_due(1_000 + 2 * 86_400, 2 * 86_400));
}

/// Bytes the reader consumes for a `T` (the smallest buffer it accepts).
fn encoded_len<T>(read: impl Fn(&mut Reader) -> Result<T, E>) -> usize {
    let zeros = [0u8; 1024];
    (0..=zeros.len())
        .find(|n| {
            let mut r = Reader::new(&zeros[..*n]);
            read(&mut r).is_ok() && r.finish().is_ok()
        })
        .expect("decodable")
}

#[test]
fn a_proposal_holds_every_setting_with_room_to_grow() {
    let custody = encoded_len(CustodySettings::read);
    let pool = encoded_len(PoolParams::read);
    assert_eq!(custody, 32 + encoded_len(CustodyParams::read) + encoded_len(RiskParams::read));
    assert!(custody <= PAYLOAD_CAPACITY / 2, "custody settings take {custody} of {PAYLOAD_CAPACITY} bytes");
    assert!(pool <= PAYLOAD_CAPACITY / 2, "pool settings take {pool} of {PAYLOAD_CAPACITY} bytes");
}
