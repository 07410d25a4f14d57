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
    pub reserved: [u8; 96],
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

/// Custody parameters set by `add_custody` and changed by custody settings proposals, borsh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustodyParams {
    pub is_stable: bool,
    pub oracle_kind: u8,
    pub interest_on_pnl: bool,
    pub feed_id: [u8; 32],
    pub oracle_max_age_secs: u32,
    pub oracle_max_conf_bps: u16,
    pub max_leverage_bps: u32,
    pub spread_bps: u16,
    pub target_weight_bps: u16,
    pub min_weight_bps: u16,
    pub max_weight_bps: u16,
    pub base_fee_bps: u16,
    pub tax_fee_bps: u16,
    pub open_fee_bps: u16,
    pub close_fee_bps: u16,
    pub maintenance_margin_bps: u16,
    pub liquidation_reward_bps: u16,
    pub min_collateral_usd: u64,
    pub max_position_usd: u64,
    pub max_long_oi_usd: u64,
    pub max_short_oi_usd: u64,
    pub base_rate: u64,
    pub slope1: u64,
    pub slope2: u64,
    pub optimal_utilization_bps: u16,
    pub reserve_factor_bps: u16,
    pub max_utilization_bps: u16,
    pub buffer_bps: u16,
    pub collateral_earns_interest: bool,
    pub max_ltv_bps: u16,
    pub liquidation_ltv_bps: u16,
    pub liquidation_bonus_bps: u16,
    pub close_factor_bps: u16,
    pub collateral_buffer_bps: u16,
}

/// Upper bound on any single fee or spread, bps (10 %).
/// The default impact exponent.
pub const DEFAULT_IMPACT_EXPONENT: u8 = 2;
/// The largest supported impact exponent (the smallest is 1).
pub const MAX_IMPACT_EXPONENT: u8 = 3;
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
    pub fn read(r: &mut Reader) -> Result<Self, PerpoolError> {
        Ok(Self {
            is_stable: r.bool()?,
            oracle_kind: r.u8()?,
            interest_on_pnl: r.bool()?,
            feed_id: r.array()?,
            oracle_max_age_secs: r.u32()?,
            oracle_max_conf_bps: r.u16()?,
            max_leverage_bps: r.u32()?,
            spread_bps: r.u16()?,
            target_weight_bps: r.u16()?,
            min_weight_bps: r.u16()?,
            max_weight_bps: r.u16()?,
            base_fee_bps: r.u16()?,
            tax_fee_bps: r.u16()?,
            open_fee_bps: r.u16()?,
            close_fee_bps: r.u16()?,
            maintenance_margin_bps: r.u16()?,
            liquidation_reward_bps: r.u16()?,
            min_collateral_usd: r.u64()?,
            max_position_usd: r.u64()?,
            max_long_oi_usd: r.u64()?,
            max_short_oi_usd: r.u64()?,
            base_rate: r.u64()?,
            slope1: r.u64()?,
            slope2: r.u64()?,
            optimal_utilization_bps: r.u16()?,
            reserve_factor_bps: r.u16()?,
            max_utilization_bps: r.u16()?,
            buffer_bps: r.u16()?,
            collateral_earns_interest: r.bool()?,
            max_ltv_bps: r.u16()?,
            liquidation_ltv_bps: r.u16()?,
            liquidation_bonus_bps: r.u16()?,
            close_factor_bps: r.u16()?,
            collateral_buffer_bps: r.u16()?,
        })
    }

    /// Bounds that keep the protocol sound, each with its own error (checked by
    /// `add_custody` and by settings proposals when proposed and when executed).
    pub fn validate(&self) -> Result<(), PerpoolError> {
        if self.oracle_kind != ORACLE_PYTH {
            return Err(PerpoolError::UnsupportedOracleKind);
        }
        let fees = [
            self.spread_bps,
            self.base_fee_bps,
            self.tax_fee_bps,
            self.open_fee_bps,
            self.close_fee_bps,
            self.liquidation_reward_bps,
        ];
        if fees.iter().any(|f| *f > MAX_FEE_BPS) {
            return Err(PerpoolError::FeeAboveCap);
        }
        if !(self.min_weight_bps <= self.target_weight_bps
            && self.target_weight_bps <= self.max_weight_bps
            && self.max_weight_bps <= 10_000)
        {
            return Err(PerpoolError::InvalidWeights);
        }
        // A position opened at max leverage starts above maintenance margin, so it is
        // liquidatable before its collateral is gone: margin × leverage < 100 %.
        if self.max_leverage_bps < 10_000
            || self.max_leverage_bps > MAX_LEVERAGE_BPS
            || self.maintenance_margin_bps == 0
            || (self.maintenance_margin_bps as u64).saturating_mul(self.max_leverage_bps as u64) >= 100_000_000
        {
            return Err(PerpoolError::LeverageBeyondMargin);
        }
        // What a position holds at the liquidation threshold pays the keeper and the close
        // fee, with something left: otherwise every liquidation is bad debt.
        if (self.liquidation_reward_bps as u32).saturating_add(self.close_fee_bps as u32)
            >= self.maintenance_margin_bps as u32
        {
            return Err(PerpoolError::LiquidationFeesAboveMargin);
        }
        if self.oracle_max_age_secs == 0
            || self.oracle_max_age_secs > MAX_ORACLE_AGE_SECS
            || self.oracle_max_conf_bps > MAX_ORACLE_CONF_BPS
        {
            return Err(PerpoolError::InvalidOracleLimits);
        }
        let curve_ok = self.base_rate <= MAX_RATE
            && self.slope1 <= MAX_RATE
            && self.slope2 <= MAX_RATE
            && self.optimal_utilization_bps > 0
            && self.optimal_utilization_bps < 10_000
            && self.reserve_factor_bps <= 10_000
            && self.max_utilization_bps <= 10_000
            && self.buffer_bps <= 10_000;
        if !curve_ok {
            return Err(PerpoolError::InvalidRateCurve);
        }
        // Loans: both LTVs zero (not loan collateral), or max < liquidation ≤ 100 %.
        let ok = ((self.max_ltv_bps == 0 && self.liquidation_ltv_bps == 0)
            || (self.max_ltv_bps < self.liquidation_ltv_bps && self.liquidation_ltv_bps <= 10_000))
            && self.liquidation_bonus_bps <= 2_000
            && self.close_factor_bps > 0
            && self.close_factor_bps <= 10_000
            && self.collateral_buffer_bps <= 10_000;
        if ok {
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

/// Risk parameters (SPEC §5): price impact, funding and auto-deleveraging, borsh;
/// changed through custody settings proposals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskParams {
    pub impact_positive_factor: u64,
    pub impact_negative_factor: u64,
    pub impact_exponent: u8,
    pub max_positive_impact_bps: u16,
    pub max_negative_impact_bps: u16,
    pub funding_factor: u64,
    pub max_funding_rate: u64,
    pub adl_threshold_bps: u16,
    pub adl_floor_bps: u16,
}

/// Highest funding rate any custody may set: 0.01 % per second (36 % per hour), 18 decimals.
const MAX_FUNDING_RATE: u64 = 100_000_000_000_000;
/// Largest impact cap, bps of the trade size (50 %).
const MAX_IMPACT_CAP_BPS: u16 = 5_000;

impl RiskParams {
    pub fn read(r: &mut Reader) -> Result<Self, PerpoolError> {
        Ok(Self {
            impact_positive_factor: r.u64()?,
            impact_negative_factor: r.u64()?,
            impact_exponent: r.u8()?,
            max_positive_impact_bps: r.u16()?,
            max_negative_impact_bps: r.u16()?,
            funding_factor: r.u64()?,
            max_funding_rate: r.u64()?,
            adl_threshold_bps: r.u16()?,
            adl_floor_bps: r.u16()?,
        })
    }

    pub fn validate(&self) -> Result<(), PerpoolError> {
        let ok = (1..=MAX_IMPACT_EXPONENT).contains(&self.impact_exponent)
            && self.max_positive_impact_bps <= MAX_IMPACT_CAP_BPS
            && self.max_negative_impact_bps <= MAX_IMPACT_CAP_BPS
            // Undoing a trade never earns more impact than the trade paid: otherwise
            // opening and closing at an unchanged price takes value from the pool.
            && self.impact_positive_factor <= self.impact_negative_factor
            && self.max_positive_impact_bps <= self.max_negative_impact_bps
            && self.max_funding_rate <= MAX_FUNDING_RATE
            && self.adl_threshold_bps > 0
            && self.adl_threshold_bps <= 10_000
            && self.adl_floor_bps < self.adl_threshold_bps;
        if ok {
            Ok(())
        } else {
            Err(PerpoolError::InvalidRiskParams)
        }
    }
}

impl Custody {
    /// Copies the risk parameters (funding must be accrued under the old ones first).
    pub fn set_risk_params(&mut self, p: &RiskParams) {
        self.impact_positive_factor = p.impact_positive_factor;
        self.impact_negative_factor = p.impact_negative_factor;
        self.impact_exponent = p.impact_exponent;
        self.max_positive_impact_bps = p.max_positive_impact_bps;
        self.max_negative_impact_bps = p.max_negative_impact_bps;
        self.funding_factor = p.funding_factor;
        self.max_funding_rate = p.max_funding_rate;
        self.adl_threshold_bps = p.adl_threshold_bps;
        self.adl_floor_bps = p.adl_floor_bps;
    }

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

    /// Copies the tunable parameters; balances and indexes are untouched.
    pub fn set_params(&mut self, p: &CustodyParams) {
        self.is_stable = p.is_stable as u8;
        self.oracle_kind = p.oracle_kind;
        self.interest_on_pnl = p.interest_on_pnl as u8;
        self.feed_id = p.feed_id;
        self.oracle_max_age_secs = p.oracle_max_age_secs;
        self.oracle_max_conf_bps = p.oracle_max_conf_bps;
        self.max_leverage_bps = p.max_leverage_bps;
        self.spread_bps = p.spread_bps;
        self.target_weight_bps = p.target_weight_bps;
        self.min_weight_bps = p.min_weight_bps;
        self.max_weight_bps = p.max_weight_bps;
        self.base_fee_bps = p.base_fee_bps;
        self.tax_fee_bps = p.tax_fee_bps;
        self.open_fee_bps = p.open_fee_bps;
        self.close_fee_bps = p.close_fee_bps;
        self.maintenance_margin_bps = p.maintenance_margin_bps;
        self.liquidation_reward_bps = p.liquidation_reward_bps;
        self.min_collateral_usd = p.min_collateral_usd;
        self.max_position_usd = p.max_position_usd;
        self.max_long_oi_usd = p.max_long_oi_usd;
        self.max_short_oi_usd = p.max_short_oi_usd;
        self.base_rate = p.base_rate;
        self.slope1 = p.slope1;
        self.slope2 = p.slope2;
        self.optimal_utilization_bps = p.optimal_utilization_bps;
        self.reserve_factor_bps = p.reserve_factor_bps;
        self.max_utilization_bps = p.max_utilization_bps;
        self.buffer_bps = p.buffer_bps;
        self.collateral_earns_interest = p.collateral_earns_interest as u8;
        self.max_ltv_bps = p.max_ltv_bps;
        self.liquidation_ltv_bps = p.liquidation_ltv_bps;
        self.liquidation_bonus_bps = p.liquidation_bonus_bps;
        self.close_factor_bps = p.close_factor_bps;
        self.collateral_buffer_bps = p.collateral_buffer_bps;
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
