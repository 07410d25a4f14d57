//! One pool asset, PDA `["custody", pool, mint]`: its vault, oracle, risk
//! parameters, lending curve, balances and open-interest aggregates.

use pinocchio::Address;

use super::ZeroCopy;
use crate::{discriminator::account, error::PerpoolError, reader::Reader};

/// Oracle kinds. Pyth `PriceUpdateV2` is the only one: local clusters and
/// tests publish real `PriceUpdateV2` accounts (programs/pyth-publisher).
pub const ORACLE_PYTH: u8 = 0;

/// Interest indexes start at 1.0 with 12 decimals.
pub const INDEX_ONE: u64 = 1_000_000_000_000;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Custody {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of `["custody", pool, mint]`.
    pub bump: u8,
    /// Canonical bump of `["vault", custody]`.
    pub vault_bump: u8,
    /// Decimals of `mint`.
    pub decimals: u8,
    /// 1 for a stablecoin (may back shorts).
    pub is_stable: u8,
    /// `ORACLE_PYTH` (the only kind).
    pub oracle_kind: u8,
    /// 1 when positions on this market earn/pay interest on unrealized PnL.
    pub interest_on_pnl: u8,
    /// 1 when trader and loan collateral held here earn the supply rate (and count as lendable).
    pub collateral_earns_interest: u8,
    /// Owning pool.
    pub pool: Address,
    /// Token mint of this asset.
    pub mint: Address,
    /// Token account `["vault", custody]` owned by the pool.
    pub vault: Address,
    /// Oracle account: a Pyth `PriceUpdateV2`.
    pub oracle: Address,
    /// Pyth feed id the oracle account must carry.
    pub feed_id: [u8; 32],
    /// Oldest accepted price, seconds.
    pub oracle_max_age_secs: u32,
    /// Widest accepted confidence interval as a share of price, bps.
    pub oracle_max_conf_bps: u16,
    pub padding1: [u8; 2],
    /// Highest leverage on open, bps (100,000 = 10x).
    pub max_leverage_bps: u32,
    /// Fixed spread added to trade prices, bps.
    pub spread_bps: u16,
    /// Target share of pool value, bps.
    pub target_weight_bps: u16,
    /// Lowest share of pool value after a redemption or swap out, bps.
    pub min_weight_bps: u16,
    /// Highest share of pool value after a deposit or swap in, bps.
    pub max_weight_bps: u16,
    /// LP/swap base fee, bps.
    pub base_fee_bps: u16,
    /// LP/swap fee tax scaled by weight drift, bps.
    pub tax_fee_bps: u16,
    /// Position open fee, bps of size.
    pub open_fee_bps: u16,
    /// Position close fee, bps of size.
    pub close_fee_bps: u16,
    /// Maintenance margin, bps of size.
    pub maintenance_margin_bps: u16,
    /// Liquidator reward, bps of size closed.
    pub liquidation_reward_bps: u16,
    /// Smallest collateral of a position, USD with 6 decimals.
    pub min_collateral_usd: u64,
    /// Largest single position, USD with 6 decimals.
    pub max_position_usd: u64,
    /// Long open-interest cap, USD with 6 decimals.
    pub max_long_oi_usd: u64,
    /// Short open-interest cap, USD with 6 decimals.
    pub max_short_oi_usd: u64,
    /// Borrow rate at zero utilization, per year, 1e9 = 100 %.
    pub base_rate: u64,
    /// Borrow rate added from zero to optimal utilization, per year, 1e9 = 100 %.
    pub slope1: u64,
    /// Borrow rate added from optimal to full utilization, per year, 1e9 = 100 %.
    pub slope2: u64,
    /// Kink of the borrow curve, bps.
    pub optimal_utilization_bps: u16,
    /// Share of interest kept for insurance and protocol, bps.
    pub reserve_factor_bps: u16,
    /// Lending stops above this utilization, bps.
    pub max_utilization_bps: u16,
    /// Share of `owned` never lent out (withdrawal buffer), bps.
    pub buffer_bps: u16,
    /// Pool's own tokens, native units.
    pub owned: u64,
    /// Tokens reserved for open positions' payouts, native units.
    pub locked: u64,
    /// Traders' position collateral, native units.
    pub collateral: u64,
    /// Borrowers' loan collateral, native units.
    pub loan_collateral: u64,
    /// Tokens out to borrowers (principal at last accrual), native units.
    pub lent: u64,
    /// Protocol fees not yet withdrawn, native units.
    pub protocol_fees: u64,
    /// Insurance fund, native units.
    pub insurance: u64,
    /// Cumulative borrow index, 12 decimals (starts at 1.0).
    pub borrow_index: u64,
    /// Cumulative supply index, 12 decimals (starts at 1.0).
    pub supply_index: u64,
    /// Unix time of the last interest accrual.
    pub last_accrual: i64,
    /// Long open interest, USD with 6 decimals (sum of position sizes at entry).
    pub long_oi_usd: u64,
    /// Long open interest, native token units.
    pub long_oi_tokens: u64,
    /// Short open interest, USD with 6 decimals.
    pub short_oi_usd: u64,
    /// Short open interest, native token units.
    pub short_oi_tokens: u64,
    /// Highest loan-to-value for borrowing against this asset, bps (0 = not accepted as loan collateral).
    pub max_ltv_bps: u16,
    /// Loans against this asset liquidate above this loan-to-value, bps.
    pub liquidation_ltv_bps: u16,
    /// Extra collateral value a loan liquidator receives, bps of the debt repaid.
    pub liquidation_bonus_bps: u16,
    /// Largest share of a loan's debt one liquidation may repay, bps.
    pub close_factor_bps: u16,
    /// LPs' share of trading and swap fees credited to `owned` since creation, native units.
    pub cumulative_trading_fees: u64,
    /// LPs' share of position borrow fees credited to `owned`, native units.
    pub cumulative_borrow_fees: u64,
    /// Suppliers' share of loan interest credited to `owned`, native units.
    pub cumulative_lending_interest: u64,
    /// Price impact factor when a trade shrinks the skew, 18 decimals per USD^(exponent−1) (0 = none).
    pub impact_positive_factor: u64,
    /// Price impact factor when a trade grows the skew, 18 decimals per USD^(exponent−1) (0 = none).
    pub impact_negative_factor: u64,
    /// Funding rate when all open interest is on one side, per second, 18 decimals (0 = no funding).
    pub funding_factor: u64,
    /// Highest funding rate, per second, 18 decimals.
    pub max_funding_rate: u64,
    /// Longs' cumulative funding paid per USD of size, 18 decimals (a u128 as [low, high]).
    pub long_funding_paid: [u64; 2],
    /// Longs' cumulative funding received per USD of size, 18 decimals ([low, high]).
    pub long_funding_received: [u64; 2],
    /// Shorts' cumulative funding paid per USD of size, 18 decimals ([low, high]).
    pub short_funding_paid: [u64; 2],
    /// Shorts' cumulative funding received per USD of size, 18 decimals ([low, high]).
    pub short_funding_received: [u64; 2],
    /// Unix time of the last funding accrual.
    pub last_funding_update: i64,
    /// Collateral escrowed by open limit orders, native units.
    pub order_collateral: u64,
    /// Largest positive price impact, bps of the trade size.
    pub max_positive_impact_bps: u16,
    /// Largest negative price impact, bps of the trade size.
    pub max_negative_impact_bps: u16,
    /// Auto-deleveraging is allowed while a side's unrealized profit exceeds this share of the paying custody's tokens, bps.
    pub adl_threshold_bps: u16,
    /// Auto-deleveraging may not take that share below this, bps.
    pub adl_floor_bps: u16,
    /// Price impact exponent (1–3).
    pub impact_exponent: u8,
    pub padding2: [u8; 7],
    /// Share of interest-bearing collateral never lent out (its withdrawal buffer), bps.
    pub collateral_buffer_bps: u16,
    pub padding3: [u8; 6],
    /// Newest oracle publish time this custody has used, unix seconds: older prices are refused.
    pub last_price_time: i64,
    /// `owned` averaged over about an hour (auto-deleveraging's denominator), native units.
    pub owned_ema: u64,
    /// Unix time `owned_ema` was last updated.
    pub owned_ema_time: i64,
    /// Collateral tokens positions owe and could not pay (a receivable of the pool), native units.
    pub position_debt: u64,
    /// Borrow fees on `locked` accrued since each position's last settlement, native units (down).
    pub borrow_fees_accrued: u64,
    /// Interest credited per token of interest-bearing collateral, cumulative, 12 decimals.
    pub collateral_index: u64,
    /// Interest credited to interest-bearing collateral and not yet settled to it, native units.
    pub collateral_interest_due: u64,
    /// Sum of the recorded profit bases of positions settling here (PnL interest), USD 6 decimals.
    pub pnl_profit_base_usd: u64,
    /// Sum of the recorded loss bases of positions settling here, USD 6 decimals.
    pub pnl_loss_base_usd: u64,
    /// Interest owed to recorded profits since their last settlement, USD 6 decimals (up).
    pub pnl_interest_due_usd: u64,
    /// Interest owed by recorded losses since their last settlement, USD 6 decimals (down).
    pub pnl_interest_owed_usd: u64,
    /// Funding longs owe since their last settlement, USD 6 decimals (down).
    pub long_funding_owed_usd: u64,
    /// Funding owed to longs since their last settlement, USD 6 decimals (up).
    pub long_funding_due_usd: u64,
    /// Funding shorts owe since their last settlement, USD 6 decimals (down).
    pub short_funding_owed_usd: u64,
    /// Funding owed to shorts since their last settlement, USD 6 decimals (up).
    pub short_funding_due_usd: u64,
    /// Longs on this market by collateral custody (pool order): `[size USD, size tokens,
    /// collateral tokens, debt tokens]` (USD 6 decimals; market and collateral native units).
    pub long_groups: [[u64; 4]; 8],
    /// Shorts on this market by collateral custody, as `long_groups`.
    pub short_groups: [[u64; 4]; 8],
    /// The program `oracle` is a PDA of, seeds `[oracle_shard (u16 LE), feed_id]`: Pyth's push
    /// oracle on public clusters (its sponsored feeds), the local price publisher on local ones.
    pub oracle_program: Address,
    /// The shard of `oracle`'s seeds (Pyth's sponsored feeds are shard 0).
    pub oracle_shard: u16,
    pub padding4: [u8; 6],
    pub reserved: [u8; 56],
}

const _: () = assert!(core::mem::size_of::<Custody>() == 1280);

/// Entries of a `long_groups` / `short_groups` row.
pub const GROUP_USD: usize = 0;
pub const GROUP_TOKENS: usize = 1;
pub const GROUP_COLLATERAL: usize = 2;
pub const GROUP_DEBT: usize = 3;

/// The time constant of `owned_ema`, seconds.
pub const OWNED_EMA_SECS: u64 = 3_600;

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Custody {
    const DISCRIMINATOR: [u8; 8] = account::CUSTODY;
    const VERSION: u8 = 1;
}

settings! {
    /// Custody parameters set by `add_custody` and changed by custody settings proposals, borsh.
    /// Each line is a setting of the same name in [`Custody`], with its own bound where it has one.
    pub struct CustodyParams => Custody::set_params {
        is_stable: bool,
        oracle_kind: u8 [ORACLE_PYTH..=ORACLE_PYTH => UnsupportedOracleKind],
        interest_on_pnl: bool,
        feed_id: [u8; 32],
        oracle_shard: u16,
        oracle_program: Address,
        oracle_max_age_secs: u32 [1..=MAX_ORACLE_AGE_SECS => InvalidOracleLimits],
        oracle_max_conf_bps: u16 [..=MAX_ORACLE_CONF_BPS => InvalidOracleLimits],
        max_leverage_bps: u32 [10_000..=MAX_LEVERAGE_BPS => LeverageBeyondMargin],
        spread_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        target_weight_bps: u16,
        min_weight_bps: u16,
        max_weight_bps: u16 [..=10_000 => InvalidWeights],
        base_fee_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        tax_fee_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        open_fee_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        close_fee_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        maintenance_margin_bps: u16 [1.. => LeverageBeyondMargin],
        liquidation_reward_bps: u16 [..=MAX_FEE_BPS => FeeAboveCap],
        min_collateral_usd: u64,
        max_position_usd: u64,
        max_long_oi_usd: u64,
        max_short_oi_usd: u64,
        base_rate: u64 [..=MAX_RATE => InvalidRateCurve],
        slope1: u64 [..=MAX_RATE => InvalidRateCurve],
        slope2: u64 [..=MAX_RATE => InvalidRateCurve],
        optimal_utilization_bps: u16 [1..=9_999 => InvalidRateCurve],
        reserve_factor_bps: u16 [..=10_000 => InvalidRateCurve],
        max_utilization_bps: u16 [..=10_000 => InvalidRateCurve],
        buffer_bps: u16 [..=10_000 => InvalidRateCurve],
        collateral_earns_interest: bool,
        max_ltv_bps: u16,
        liquidation_ltv_bps: u16 [..=10_000 => InvalidCustodyParams],
        liquidation_bonus_bps: u16 [..=2_000 => InvalidCustodyParams],
        close_factor_bps: u16 [1..=10_000 => InvalidCustodyParams],
        collateral_buffer_bps: u16 [..=10_000 => InvalidCustodyParams],
    }
}

/// The default impact exponent.
pub const DEFAULT_IMPACT_EXPONENT: u8 = 2;
/// The largest supported impact exponent (the smallest is 1).
pub const MAX_IMPACT_EXPONENT: u8 = 3;
/// Upper bound on any single fee or spread, bps (10 %).
pub const MAX_FEE_BPS: u16 = 1_000;
/// Highest leverage any custody may allow, bps (1,000x).
pub const MAX_LEVERAGE_BPS: u32 = 10_000_000;
/// Highest yearly rate component, 1e9 = 100 % (10,000 %).
pub const MAX_RATE: u64 = 100_000_000_000;
/// Oldest price any custody may accept, seconds (1 hour): an older price is far from the
/// market for a leveraged product, and anything longer is a configuration mistake.
pub const MAX_ORACLE_AGE_SECS: u32 = 3_600;
/// Widest confidence interval any custody may accept, bps of the price (10 %).
pub const MAX_ORACLE_CONF_BPS: u16 = 1_000;

impl CustodyParams {
    /// Bounds that keep the protocol sound, each with its own error (checked by
    /// `add_custody` and by settings proposals when proposed and when executed): every
    /// setting's own range ([`CustodyParams::check_bounds`]), then the bounds between settings.
    pub fn validate(&self) -> Result<(), PerpoolError> {
        self.check_bounds()?;
        if !(self.min_weight_bps <= self.target_weight_bps && self.target_weight_bps <= self.max_weight_bps) {
            return Err(PerpoolError::InvalidWeights);
        }
        // A position opened at max leverage starts above maintenance margin, so it is
        // liquidatable before its collateral is gone: margin × leverage < 100 %.
        if (self.maintenance_margin_bps as u64).saturating_mul(self.max_leverage_bps as u64) >= 100_000_000 {
            return Err(PerpoolError::LeverageBeyondMargin);
        }
        // What a position holds at the liquidation threshold pays the keeper and the close
        // fee, with something left: otherwise every liquidation is bad debt.
        if (self.liquidation_reward_bps as u32).saturating_add(self.close_fee_bps as u32)
            >= self.maintenance_margin_bps as u32
        {
            return Err(PerpoolError::LiquidationFeesAboveMargin);
        }
        // Loans: both LTVs zero (not loan collateral), or max below liquidation.
        if (self.max_ltv_bps == 0 && self.liquidation_ltv_bps == 0) || self.max_ltv_bps < self.liquidation_ltv_bps {
            Ok(())
        } else {
            Err(PerpoolError::InvalidCustodyParams)
        }
    }
}

/// Everything a custody settings proposal replaces: the oracle account, the
/// custody parameters and the risk parameters (borsh; the proposal's payload).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustodySettings {
    pub oracle: Address,
    pub params: CustodyParams,
    pub risk: RiskParams,
}

impl CustodySettings {
    pub fn read(r: &mut Reader) -> Result<Self, PerpoolError> {
        Ok(Self {
            oracle: Address::new_from_array(r.array()?),
            params: CustodyParams::read(r)?,
            risk: RiskParams::read(r)?,
        })
    }

    /// The bounds of both parameter sets.
    pub fn validate(&self) -> Result<(), PerpoolError> {
        self.params.validate()?;
        self.risk.validate()
    }
}

settings! {
    /// Risk parameters (SPEC §5): price impact, funding and auto-deleveraging, borsh;
    /// changed through custody settings proposals. Kept in [`Custody`] under the same names.
    pub struct RiskParams => Custody::set_risk_params {
        impact_positive_factor: u64,
        impact_negative_factor: u64,
        impact_exponent: u8 [1..=MAX_IMPACT_EXPONENT => InvalidRiskParams],
        max_positive_impact_bps: u16 [..=MAX_IMPACT_CAP_BPS => InvalidRiskParams],
        max_negative_impact_bps: u16 [..=MAX_IMPACT_CAP_BPS => InvalidRiskParams],
        funding_factor: u64,
        max_funding_rate: u64 [..=MAX_FUNDING_RATE => InvalidRiskParams],
        adl_threshold_bps: u16 [1..=10_000 => InvalidRiskParams],
        adl_floor_bps: u16,
    }
}

/// Highest funding rate any custody may set: 0.01 % per second (36 % per hour), 18 decimals.
const MAX_FUNDING_RATE: u64 = 100_000_000_000_000;
/// Largest impact cap, bps of the trade size (50 %).
const MAX_IMPACT_CAP_BPS: u16 = 5_000;

impl RiskParams {
    /// Every setting's own range, then the bounds between settings.
    pub fn validate(&self) -> Result<(), PerpoolError> {
        self.check_bounds()?;
        // Undoing a trade never earns more impact than the trade paid: otherwise
        // opening and closing at an unchanged price takes value from the pool.
        let ok = self.impact_positive_factor <= self.impact_negative_factor
            && self.max_positive_impact_bps <= self.max_negative_impact_bps
            && self.adl_floor_bps < self.adl_threshold_bps;
        if ok {
            Ok(())
        } else {
            Err(PerpoolError::InvalidRiskParams)
        }
    }
}

impl Custody {
    /// A new custody's risk parameters: no impact or funding until a settings proposal sets them,
    /// auto-deleveraging at the pool's threshold and floor.
    pub fn set_default_risk_params(&mut self, pool: &super::Pool) {
        self.impact_exponent = DEFAULT_IMPACT_EXPONENT;
        self.adl_threshold_bps = pool.adl_threshold_bps;
        self.adl_floor_bps = pool.adl_floor_bps;
    }

    /// The `[size USD, size tokens, collateral, debt]` row of the positions of `side` on this
    /// market that post the pool's custody number `group`.
    #[inline(always)]
    pub fn group_mut(&mut self, side: u8, group: u8) -> Result<&mut [u64; 4], PerpoolError> {
        let rows = if side == super::position::SIDE_LONG { &mut self.long_groups } else { &mut self.short_groups };
        rows.get_mut(group as usize).ok_or(PerpoolError::CustodyListMismatch)
    }

    /// The group row, read only.
    #[inline(always)]
    pub fn group(&self, side: u8, group: u8) -> [u64; 4] {
        let rows = if side == super::position::SIDE_LONG { &self.long_groups } else { &self.short_groups };
        rows.get(group as usize).copied().unwrap_or_default()
    }
}

/// A u128 from `[low, high]`.
#[inline(always)]
pub fn join(v: [u64; 2]) -> u128 {
    (v[0] as u128) | ((v[1] as u128) << 64)
}

/// `[low, high]` of a u128.
#[inline(always)]
pub fn split(v: u128) -> [u64; 2] {
    [v as u64, (v >> 64) as u64]
}

impl Custody {
    /// Settings a proposal may not change: whether the asset is a stablecoin (which
    /// positions may exist on it) and the kind of its oracle.
    pub fn check_fixed_settings(&self, p: &CustodyParams) -> Result<(), PerpoolError> {
        if self.is_stable != p.is_stable as u8 || self.oracle_kind != p.oracle_kind {
            return Err(PerpoolError::SettingFixedAtListing);
        }
        Ok(())
    }
}

impl Custody {
    /// Tokens the utilization (and so the rate) is measured against: the pool's own tokens.
    /// Interest-bearing collateral is lent only once the pool's own room is used
    /// ([`Custody::collateral_room`]), so parking collateral changes no LP's rate.
    #[inline(always)]
    pub fn lendable(&self) -> u64 {
        self.owned
    }

    /// Interest-bearing collateral (positions' and loans'), tokens; 0 when collateral earns nothing.
    #[inline(always)]
    pub fn earning_collateral(&self) -> u64 {
        if self.collateral_earns_interest != 0 {
            self.collateral.saturating_add(self.loan_collateral)
        } else {
            0
        }
    }

    /// Records the newest oracle publish time used (prices older than it are refused afterwards).
    #[inline(always)]
    pub fn use_price_time(&mut self, publish_time: i64) {
        if publish_time > self.last_price_time {
            self.last_price_time = publish_time;
        }
    }
}
