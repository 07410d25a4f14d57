//! Pure integer fixed-point math. No Solana types; testable natively.
//!
//! Layout (the TypeScript mirror in `sdk/src/math/` uses the same file names):
//! - [`error`]: [`MathError`], the only error this module returns.
//! - [`wide`]: 64×64→128 multiplication and 128÷64 division on 32-bit limbs.
//! - [`fixed`]: checked `u64` arithmetic and exact `mul_div` with a chosen rounding direction.
//! - [`units`]: unit newtypes (`Usd`, `Price`, `TokenAmount`, `Bps`, `Rate`) and conversions.
//! - [`oracle`]: oracle price / confidence normalisation, confidence check, min / max price.
//! - [`fees`]: the dynamic LP fee by target weight, fee amounts, fee splits.
//! - [`liquidity`]: the quotes of LP deposits, redemptions and swaps ([`LiquidityError`]).
//! - [`interest`]: the kinked borrow / supply rate curve and interest-index accrual.
//! - [`lending`]: lending accrual and its split, scaled loan debt, interest-bearing balances and
//!   PnL, loan health and liquidation price, and the loan quotes ([`LendingError`]).
//! - [`position`]: trade prices, PnL, health and the quotes of position actions
//!   ([`PositionError`]); traders' net PnL for the pool value.
//! - [`impact`]: price impact from open-interest skew and the execution price it implies
//!   ([`ImpactError`]).
//! - [`funding`]: the skew-proportional funding rate and per-side funding indexes
//!   ([`FundingError`]).
//!
//! # Why not plain `u128`?
//! The program is compiled by the upstream LLVM BPF backend, which cannot lower a 128-bit multiply
//! or divide (`__multi3`, `__udivti3`), nor `u64::checked_mul` / `overflowing_mul` (LLVM turns them
//! into a 128-bit multiply), nor signed division. Everything here therefore uses 64-bit `*`, `/`, `%`
//! on unsigned values, plus 128-bit-free limb arithmetic. Multiplications use `wrapping_mul` where the
//! product provably fits, so the code is the same whether or not overflow checks are compiled in.
//!
//! # Rounding
//! Every function that divides exists in a `_floor` and a `_ceil` flavour. Callers pick the one
//! that goes against the user (e.g. fees and debts round up, payouts round down).

pub mod adl;
pub mod carry;
pub mod error;
pub mod fees;
pub mod fixed;
pub mod funding;
pub mod impact;
pub mod interest;
pub mod lending;
pub mod liquidity;
pub mod oracle;
pub mod position;
pub mod units;
pub mod wide;

pub use adl::{adl_ratio_bps, side_profit_usd, AdlInput};
pub use carry::{
    accrue_carry, accrue_funding_aggregated, funding_aggregates, group_claim, profit_lock_until, release, settle_carry,
    settle_carry_for, Carry, CarryAccrual, CarryAccrualInput, CarryInput, FundingAggregates, FundingAggregatesInput,
    GroupInput, SignedUsd,
};
pub use error::{fail, MathError};
pub use fees::{dynamic_fee_bps, fee_amount, split_fee, DynamicFeeInput, FeeSplit};
pub use fixed::{
    checked_add, checked_mul, checked_sub, checked_sum, mul_div_ceil, mul_div_ceil_i64, mul_div_floor,
    mul_div_floor_i64,
};
pub use funding::{
    accrue_funding, funding_rate, position_funding, FundingAccrual, FundingError, FundingFee, FundingIndex,
    FundingInput, PositionFundingInput, FUNDING_ONE,
};
pub use impact::{
    impacted_price, price_impact, Impact, ImpactError, ImpactInput, ImpactedPriceInput, DEFAULT_IMPACT_EXPONENT,
    IMPACT_FACTOR_ONE, MAX_IMPACT_EXPONENT,
};
pub use interest::{
    accrue, accrue_index, borrow_rate, supply_rate, utilization_bps, Accrual, AccrualInput, RateCurve, INDEX_ONE,
    SECONDS_PER_YEAR,
};
pub use lending::{
    accrue_lending, accrue_lending_down, borrow_scaled, debt_tokens, loan_health, loan_liquidation_price, ltv_bps,
    pnl_interest, quote_borrow, quote_liquidate_loan, quote_repay, quote_withdraw_collateral, repay_scaled,
    supply_interest, BorrowInput, BorrowQuote, LendingAccrual, LendingAccrualInput, LendingError, LiquidateLoanInput,
    LiquidateLoanQuote, LoanBorrowSide, LoanCollateralSide, LoanHealth, LoanHealthInput, LoanParams, LoanState,
    PnlInterestInput, RepayInput, RepayQuote, WithdrawCollateralInput, WithdrawCollateralQuote,
};
pub use liquidity::{
    custody_value_usd, quote_add_liquidity, quote_remove_liquidity, quote_swap, weight_ok_max, weight_ok_min,
    AddLiquidityInput, AddLiquidityQuote, LiquidityError, RemoveLiquidityInput, RemoveLiquidityQuote, SwapInput,
    SwapQuote,
};
pub use oracle::{conf_within, min_max, normalize_conf, normalize_price, normalize_reading, MAX_EXPO};
pub use position::{
    average_price, borrow_fee_tokens, decrease_impact, entry_price, equity_usd, exit_price, health_ok,
    liquidation_fraction_bps, pnl, pool_pnl, quote_decrease, quote_decrease_at, quote_increase, quote_liquidate,
    quote_liquidate_at, size_tokens, trade_spread_bps, CollateralSide, DecreaseImpactInput, DecreaseInput,
    DecreaseQuote, Equity, FeeShares, IncreaseInput, IncreaseQuote, LiquidateInput, LiquidationQuote, MarketSide, Pnl,
    PoolPnlInput, PositionError, PositionState, PriceQuote, LIQUIDATION_TIER_BPS, LONG, SHORT,
};
pub use units::{
    apply_bps_ceil, apply_bps_floor, apply_rate_ceil, apply_rate_floor, token_to_usd_ceil, token_to_usd_floor,
    usd_to_token_ceil, usd_to_token_floor, Bps, Price, Rate, TokenAmount, Usd, BPS_DENOM, MAX_TOKEN_DECIMALS,
    PRICE_DECIMALS, RATE_ONE, USD_DECIMALS,
};
pub use wide::wide_mul;
