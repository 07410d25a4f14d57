//! The pure math of perpetual positions: trade prices, PnL, borrow fees, health, and the quotes
//! of every position action (increase, decrease / remove collateral, liquidate), plus the
//! traders' net PnL that the pool value subtracts.
//!
//! Each position instruction's processor gathers numbers from accounts, calls exactly one
//! `quote_*` function and applies the quote's outputs (the accounting each quote implies is in
//! its doc comment); the SDK mirror (`sdk/src/math/position.ts`) computes the same quote to the
//! last unit. Every rounding step goes against the trader:
//!
//! - entry prices round away from the trader (longs buy high, shorts sell low), exit prices too;
//!   the oracle's confidence interval is part of the spread ([`trade_spread_bps`]);
//! - a long's size in tokens rounds down, a short's up (less PnL either way); a long's value at
//!   exit rounds down, a short's up;
//! - fees, borrow fees, losses and locked amounts round up; profits, payouts and the keeper's
//!   reward round down; collateral is valued at its MIN price (rounded down), profits are paid
//!   at its MAX price;
//! - no profit is paid on a position closed in the second it was opened.
//!
//! Units: USD values 6 decimals (`u64`), prices ([`Price`]) USD per whole token with 9 decimals,
//! token amounts native, bps /10_000, interest indexes 12 decimals ([`INDEX_ONE`]).
//!
//! A position lives on two custodies: the *market* custody (the traded asset: prices, OI, fees,
//! limits — [`MarketSide`]) and the *collateral* custody (the token posted and paid out, which
//! also holds the tokens locked for the position's profit — [`CollateralSide`]). For a long
//! posting the traded asset they are the same custody.
//!
//! Every quote takes one input struct by reference and returns a struct (the SBF target allows
//! at most five register arguments). All arithmetic is checked; any overflow is an error.

use super::error::fail;
use super::fees::{fee_amount, split_fee, FeeSplit};
use super::fixed::{checked_add, checked_mul, checked_sub, mul_div_ceil, mul_div_floor};
use super::impact::{impacted_price, Impact, ImpactError, ImpactedPriceInput};
use super::interest::INDEX_ONE;
use super::units::{
    apply_bps_floor, token_to_usd_ceil, token_to_usd_floor, usd_to_token_ceil, usd_to_token_floor, Bps, Price,
    TokenAmount, Usd, BPS_DENOM,
};
use super::wide::wide_mul;
use super::MathError;

/// `PositionState::side` of a long and of a short: the interface's `Side` as stored.
pub use perpool_interface::state::position::{SIDE_LONG as LONG, SIDE_SHORT as SHORT};

crate::source_file!();
/// A partial liquidation closes a multiple of this fraction of the size (25 %, 50 %, 75 %).
pub const LIQUIDATION_TIER_BPS: u64 = 2_500;

/// Why a position quote was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionError {
    /// Arithmetic failed (overflow, invalid decimals, zero price, fee shares above 100 %, …).
    Math(MathError),
    /// The side is neither [`LONG`] nor [`SHORT`].
    InvalidSide,
    /// Spread plus oracle confidence is 100 % or more.
    InvalidSpread,
    /// Nothing to do (zero size on increase; zero size and zero collateral on decrease).
    ZeroAmount,
    /// Collateral does not cover the fees (increase), or less is left than requested (decrease).
    InsufficientCollateral,
    /// The size after an increase exceeds the market's maximum position.
    PositionTooLarge,
    /// The side's open interest would exceed its cap.
    OpenInterestCap,
    /// The collateral custody cannot lock the tokens the position could win.
    InsufficientLiquidity,
    /// The position's collateral is worth less than the market's minimum.
    CollateralTooSmall,
    /// Size over collateral value exceeds the market's maximum leverage.
    LeverageTooHigh,
    /// The position after the action would be below maintenance margin.
    WouldBeLiquidatable,
    /// More size closed than the position has.
    SizeTooLarge,
    /// Losses and fees exceed the collateral: the position must be liquidated instead.
    PositionUnderwater,
    /// The position is at or above maintenance margin.
    NotLiquidatable,
    /// The price impact is as large as the trade (no meaningful execution price).
    PriceImpactTooLarge,
}

impl From<ImpactError> for PositionError {
    #[inline(always)]
    fn from(e: ImpactError) -> Self {
        match e {
            ImpactError::Math(m) => PositionError::Math(m),
            ImpactError::InvalidSide => PositionError::InvalidSide,
            ImpactError::InvalidExponent | ImpactError::ImpactTooLarge => PositionError::PriceImpactTooLarge,
        }
    }
}

/// The execution price of a trade of `size_usd` at `price` shifted by its price impact (see
/// [`impacted_price`]); a zero impact leaves the price as it is.
#[inline(always)]
fn with_impact(
    long: bool,
    is_increase: bool,
    size_usd: u64,
    price: Price,
    impact: Impact,
) -> Result<Price, PositionError> {
    if impact.usd == 0 {
        return Ok(price);
    }
    let side = if long { LONG } else { SHORT };
    Ok(impacted_price(&ImpactedPriceInput { side, is_increase, size_usd, price, impact })?)
}

impl From<MathError> for PositionError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        PositionError::Math(e)
    }
}

/// An oracle reading: min and max of spot and EMA, and the confidence interval (same 9-decimal
/// scale as the prices).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceQuote {
    /// `min(spot, ema)`.
    pub min: Price,
    /// `max(spot, ema)`.
    pub max: Price,
    /// Confidence interval, 9 decimals.
    pub conf: u64,
}

/// A signed USD amount as a profit (`profit == true`) or a loss. Zero is `{ false, 0 }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pnl {
    /// True for a (strictly positive) profit.
    pub profit: bool,
    /// Magnitude, USD 6 decimals.
    pub usd: u64,
}

/// A position's equity (collateral value + PnL − closing fee), signed. Zero is `{ false, 0 }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Equity {
    /// True when strictly negative.
    pub negative: bool,
    /// Magnitude, USD 6 decimals.
    pub usd: u64,
}

/// A position as the quotes see it. All zeros (but `side`) for a new position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PositionState {
    /// [`LONG`] or [`SHORT`].
    pub side: u8,
    /// No profit is realised at or before this unix time (the second of the last increase plus
    /// the pool's minimum hold: [`profit_lock_until`](super::carry::profit_lock_until)), seconds.
    pub open_time: i64,
    /// Size, USD 6 decimals (the sum of the sizes opened, at entry).
    pub size_usd: u64,
    /// Size in the market token's native units (what the size bought at entry).
    pub size_tokens: u64,
    /// Collateral, collateral-custody tokens.
    pub collateral_amount: u64,
    /// Tokens locked in the collateral custody for the position's profit.
    pub locked_amount: u64,
    /// The collateral custody's borrow index when borrow fees were last settled (12 decimals).
    pub borrow_index_snapshot: u64,
    /// Collateral tokens the position owes and could not pay (non-zero only with no collateral).
    pub owed_tokens: u64,
}

/// The market custody (the traded asset) for one side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarketSide {
    /// The traded token's mint decimals.
    pub decimals: u8,
    /// The traded token's oracle reading.
    pub price: PriceQuote,
    /// Configured spread, bps (the confidence interval is added to it).
    pub spread_bps: u64,
    /// Open fee, bps of the size opened.
    pub open_fee_bps: u64,
    /// Close fee, bps of the size closed.
    pub close_fee_bps: u64,
    /// Maximum size / collateral value, bps (e.g. 500_000 = 50×).
    pub max_leverage_bps: u64,
    /// Maximum size of one position, USD.
    pub max_position_usd: u64,
    /// This side's open interest, USD.
    pub oi_usd: u64,
    /// This side's open-interest cap, USD.
    pub oi_cap_usd: u64,
    /// Minimum collateral value, USD.
    pub min_collateral_usd: u64,
    /// Maintenance margin, bps of size.
    pub maintenance_margin_bps: u64,
    /// Keeper's liquidation reward, bps of the size liquidated.
    pub liquidation_reward_bps: u64,
}

/// The collateral custody (the token posted, paid out and locked).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CollateralSide {
    /// The collateral token's mint decimals.
    pub decimals: u8,
    /// The collateral token's oracle reading (only min and max are used).
    pub price: PriceQuote,
    /// The custody's borrow index, already accrued to now (12 decimals).
    pub borrow_index: u64,
    /// The pool's own tokens in the custody.
    pub owned: u64,
    /// Tokens locked for all open positions.
    pub locked: u64,
    /// Share of `owned` that can never be locked, bps.
    pub buffer_bps: u64,
}

/// How fees are shared (the LPs keep the rest), bps of the fee.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeShares {
    /// The protocol's share.
    pub protocol_bps: u64,
    /// The insurance fund's share.
    pub insurance_bps: u64,
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/// `true` for a long, `false` for a short, else [`PositionError::InvalidSide`].
#[inline(always)]
fn is_long(side: u8) -> Result<bool, PositionError> {
    match side {
        LONG => Ok(true),
        SHORT => Ok(false),
        _ => Err(PositionError::InvalidSide),
    }
}

/// The spread a trade pays: `spread_bps + ceil(conf × 10_000 / max)` (the oracle's confidence
/// is part of the spread).
///
/// Errors: `max == 0` → `DivideByZero`; overflow → `Overflow`; a total of 10_000 or more →
/// [`PositionError::InvalidSpread`].
#[inline]
pub fn trade_spread_bps(spread_bps: u64, q: &PriceQuote) -> Result<u64, PositionError> {
    let conf_bps = mul_div_ceil(q.conf, BPS_DENOM, q.max.0)?;
    let spread = checked_add(spread_bps, conf_bps)?;
    if spread >= BPS_DENOM {
        return Err(PositionError::InvalidSpread);
    }
    Ok(spread)
}

/// `ceil(price × (10_000 + s) / 10_000)`, for `s < 10_000`.
#[inline(always)]
fn widen(price: Price, spread: u64) -> Result<Price, MathError> {
    mul_div_ceil(price.0, checked_add(BPS_DENOM, spread)?, BPS_DENOM).map(Price)
}

/// `floor(price × (10_000 − s) / 10_000)`, for `s < 10_000`.
#[inline(always)]
fn narrow(price: Price, spread: u64) -> Result<Price, MathError> {
    mul_div_floor(price.0, checked_sub(BPS_DENOM, spread)?, BPS_DENOM).map(Price)
}

#[inline(always)]
fn entry_at(long: bool, q: &PriceQuote, spread: u64) -> Result<Price, MathError> {
    if long {
        widen(q.max, spread)
    } else {
        narrow(q.min, spread)
    }
}

#[inline(always)]
fn exit_at(long: bool, q: &PriceQuote, spread: u64) -> Result<Price, MathError> {
    if long {
        narrow(q.min, spread)
    } else {
        widen(q.max, spread)
    }
}

/// The price a position opens at, with `s = trade_spread_bps(spread_bps, q)`:
/// long `ceil(max × (10_000 + s) / 10_000)`, short `floor(min × (10_000 − s) / 10_000)`.
///
/// `spread_bps` is the configured spread; the confidence is added here.
/// Errors: `InvalidSide`, those of [`trade_spread_bps`], `Overflow`.
#[inline]
pub fn entry_price(side: u8, q: &PriceQuote, spread_bps: u64) -> Result<Price, PositionError> {
    let long = is_long(side)?;
    let spread = trade_spread_bps(spread_bps, q)?;
    Ok(entry_at(long, q, spread)?)
}

/// The price a position closes at, with `s = trade_spread_bps(spread_bps, q)`:
/// long `floor(min × (10_000 − s) / 10_000)`, short `ceil(max × (10_000 + s) / 10_000)`.
///
/// Errors: as [`entry_price`].
#[inline(always)]
pub fn exit_price(side: u8, q: &PriceQuote, spread_bps: u64) -> Result<Price, PositionError> {
    let long = is_long(side)?;
    let spread = trade_spread_bps(spread_bps, q)?;
    Ok(exit_at(long, q, spread)?)
}

#[inline(always)]
fn size_tokens_of(long: bool, size_usd: u64, price: Price, decimals: u8) -> Result<u64, MathError> {
    let usd = Usd(size_usd);
    let tokens =
        if long { usd_to_token_floor(usd, price, decimals)? } else { usd_to_token_ceil(usd, price, decimals)? };
    Ok(tokens.0)
}

/// Market tokens a size of `size_usd` buys at `price`: rounded down for a long, up for a short
/// (less PnL for the trader either way).
///
/// Errors: `InvalidSide`, `InvalidDecimals`, `DivideByZero` (zero price), `Overflow`.
#[inline]
pub fn size_tokens(side: u8, size_usd: u64, price: Price, decimals: u8) -> Result<u64, PositionError> {
    let long = is_long(side)?;
    Ok(size_tokens_of(long, size_usd, price, decimals)?)
}

/// `a − b` as a [`Pnl`].
#[inline(always)]
fn signed_diff(a: u64, b: u64) -> Pnl {
    Pnl { profit: a > b, usd: a.abs_diff(b) }
}

#[inline(always)]
fn pnl_of(long: bool, size_usd: u64, size_tokens: u64, exit_price: Price, decimals: u8) -> Result<Pnl, MathError> {
    let tokens = TokenAmount(size_tokens);
    Ok(if long {
        let value = token_to_usd_floor(tokens, exit_price, decimals)?.0;
        signed_diff(value, size_usd)
    } else {
        let value = token_to_usd_ceil(tokens, exit_price, decimals)?.0;
        signed_diff(size_usd, value)
    })
}

/// A position's PnL at `exit_price`: long `floor(value) − size_usd`, short
/// `size_usd − ceil(value)`, where `value` is `size_tokens` at `exit_price`.
///
/// Errors: `InvalidSide`, `InvalidDecimals`, `Overflow`.
// Six registers with the returned struct's pointer: always inlined (SBF allows five).
#[inline(always)]
pub fn pnl(side: u8, size_usd: u64, size_tokens: u64, exit_price: Price, decimals: u8) -> Result<Pnl, PositionError> {
    let long = is_long(side)?;
    Ok(pnl_of(long, size_usd, size_tokens, exit_price, decimals)?)
}

/// The price at which `size_tokens` are worth `size_usd`:
/// `floor(size_usd × 10^(decimals + 3) / size_tokens)`; zero when `size_tokens == 0`.
///
/// Errors: `InvalidDecimals` (unless `size_tokens == 0`), `Overflow`.
#[inline]
pub fn average_price(size_usd: u64, size_tokens: u64, decimals: u8) -> Result<Price, MathError> {
    if size_tokens == 0 {
        return Ok(Price(0));
    }
    // usd × 10^(d+3) / x is usd_to_token with the token amount in the price's place.
    let price = usd_to_token_floor(Usd(size_usd), Price(size_tokens), decimals)?;
    Ok(Price(price.0))
}

/// Borrow fee on `locked` tokens since the snapshot:
/// `ceil(locked × (index_now − index_snapshot) / INDEX_ONE)`; zero if the index has not grown.
///
/// Errors: `Overflow`.
#[inline]
pub fn borrow_fee_tokens(locked: u64, index_now: u64, index_snapshot: u64) -> Result<u64, MathError> {
    if index_now <= index_snapshot {
        return Ok(0);
    }
    mul_div_ceil(locked, index_now.abs_diff(index_snapshot), INDEX_ONE)
}

/// Equity: `collateral_usd + pnl − close_fee_usd`, signed.
///
/// `collateral_usd` is the collateral at its MIN price rounded down, `pnl` the position's PnL at
/// the exit price, `close_fee_usd` the close fee on the whole size rounded up.
/// Errors: `Overflow` when a sum of positive or of negative terms exceeds `u64::MAX`.
#[inline]
pub fn equity_usd(collateral_usd: u64, pnl: Pnl, close_fee_usd: u64) -> Result<Equity, MathError> {
    let (plus, minus) = if pnl.profit {
        (checked_add(collateral_usd, pnl.usd)?, close_fee_usd)
    } else {
        (collateral_usd, checked_add(pnl.usd, close_fee_usd)?)
    };
    Ok(Equity { negative: plus < minus, usd: plus.abs_diff(minus) })
}

/// Whether a position is at or above maintenance margin:
/// `equity × 10_000 >= maintenance_margin_bps × size_usd`, exact; negative equity fails.
#[inline]
pub fn health_ok(equity: Equity, size_usd: u64, maintenance_margin_bps: u64) -> bool {
    !equity.negative && wide_mul(equity.usd, BPS_DENOM) >= wide_mul(maintenance_margin_bps, size_usd)
}

/// A position (or what remains of it) marked at an exit price.
struct Mark {
    long: bool,
    exit: Price,
    size_usd: u64,
    size_tokens: u64,
    /// Collateral tokens (after any fees already taken).
    collateral: u64,
    /// Collateral tokens still owed (valued at the collateral MAX price, rounded up).
    owed: u64,
}

/// [`equity_usd`] of a marked position: collateral at the collateral MIN price (down), PnL at the
/// exit price, close fee on the whole size (up).
#[inline(always)]
fn mark_equity(m: &Mark, market: &MarketSide, coll: &CollateralSide) -> Result<Equity, MathError> {
    let collateral_usd = token_to_usd_floor(TokenAmount(m.collateral), coll.price.min, coll.decimals)?.0;
    equity_of(m, market, coll, collateral_usd)
}

/// [`mark_equity`] with the collateral's value already computed (as [`mark_equity`] computes it).
#[inline(always)]
fn equity_of(m: &Mark, market: &MarketSide, coll: &CollateralSide, collateral_usd: u64) -> Result<Equity, MathError> {
    let pnl = pnl_of(m.long, m.size_usd, m.size_tokens, m.exit, market.decimals)?;
    let close_fee = fee_amount(m.size_usd, market.close_fee_bps)?;
    let owed = owed_usd(m.owed, coll)?;
    equity_usd(collateral_usd, pnl, checked_add(close_fee, owed)?)
}

/// What a position owes, USD: its owed tokens at the collateral MAX price, rounded up.
#[inline(always)]
pub(crate) fn owed_usd(owed: u64, coll: &CollateralSide) -> Result<u64, MathError> {
    if owed == 0 {
        return Ok(0);
    }
    Ok(token_to_usd_ceil(TokenAmount(owed), coll.price.max, coll.decimals)?.0)
}

/// `a + b > cap`, exact (no overflow).
#[inline(always)]
fn exceeds(a: u64, b: u64, cap: u64) -> bool {
    a.checked_add(b).is_none_or(|sum| sum > cap)
}

/// The checks on a position that stays open after an action: minimum collateral, maximum
/// leverage (both at the collateral MIN price), maintenance margin. Returns the collateral value.
#[inline(always)]
fn check_open(m: &Mark, market: &MarketSide, coll: &CollateralSide) -> Result<u64, PositionError> {
    let collateral_usd = token_to_usd_floor(TokenAmount(m.collateral), coll.price.min, coll.decimals)?.0;
    if collateral_usd < market.min_collateral_usd {
        return Err(PositionError::CollateralTooSmall);
    }
    if wide_mul(m.size_usd, BPS_DENOM) > wide_mul(market.max_leverage_bps, collateral_usd) {
        return Err(PositionError::LeverageTooHigh);
    }
    let equity = equity_of(m, market, coll, collateral_usd)?;
    if !health_ok(equity, m.size_usd, market.maintenance_margin_bps) {
        return Err(PositionError::WouldBeLiquidatable);
    }
    Ok(collateral_usd)
}

#[inline(always)]
fn split(fee: u64, borrow_fee: u64, shares: &FeeShares) -> Result<FeeSplit, MathError> {
    split_fee(checked_add(fee, borrow_fee)?, shares.protocol_bps, shares.insurance_bps)
}

// ---------------------------------------------------------------------------------------------
// increase
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_increase`] (opening a position is increasing an empty one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IncreaseInput {
    /// Unix time now, seconds (not used by the arithmetic; a new position's `open_time`).
    pub now: i64,
    /// The position before (all zeros but `side` for a new one).
    pub pos: PositionState,
    /// Size added, USD.
    pub size_delta_usd: u64,
    /// Collateral tokens deposited now.
    pub collateral_delta: u64,
    /// The market custody.
    pub market: MarketSide,
    /// The collateral custody.
    pub coll: CollateralSide,
    /// Fee shares.
    pub fees: FeeShares,
    /// The trade's price impact ([`price_impact`](super::impact::price_impact)); shifts the
    /// entry price. Zero for none.
    pub impact: Impact,
}

/// What [`quote_increase`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IncreaseQuote {
    /// The price the added size opens at.
    pub entry_price: Price,
    /// Market tokens the added size buys (added to the position and the side's OI in tokens).
    pub size_tokens_delta: u64,
    /// Open fee, USD (rounded up).
    pub fee_usd: u64,
    /// Open fee in collateral tokens (at the collateral MIN price, rounded up).
    pub fee_tokens: u64,
    /// Borrow fee settled, collateral tokens.
    pub borrow_fee_tokens: u64,
    /// What the position owed, paid from its collateral and deposit (tokens).
    pub owed_paid: u64,
    /// The position's collateral after: `pos + deposit − borrow fee − open fee − owed`.
    pub collateral_after: u64,
    /// Collateral-custody tokens newly locked (the size at the collateral MIN price, rounded up).
    pub locked_delta: u64,
    /// The position's size after, USD.
    pub size_usd_after: u64,
    /// The position's size in tokens after.
    pub size_tokens_after: u64,
    /// `average_price(size_usd_after, size_tokens_after)`.
    pub average_price_after: Price,
    /// `floor(size_after × 10_000 / collateral value)`.
    pub leverage_bps_after: u64,
    /// Part of the fees that stays in `owned`.
    pub lp_fee: u64,
    /// Part of the fees for the protocol.
    pub protocol_fee: u64,
    /// Part of the fees for the insurance fund.
    pub insurance_fee: u64,
}

/// Quotes opening or increasing a position.
///
/// Steps (errors are checked in this order):
/// 0. `pos.side` not [`LONG`] / [`SHORT`] → `InvalidSide`.
/// 1. `size_delta == 0` → `ZeroAmount`.
/// 2. `borrow_fee = borrow_fee_tokens(pos.locked, coll.borrow_index, pos.snapshot)` (accrued fees
///    are settled, never reset).
/// 3. `entry = entry_price(side, market.price, market.spread_bps)` shifted by `impact`
///    ([`impacted_price`], an impact error → `PriceImpactTooLarge`), `exit = exit_price(..)`
///    (same spread, no impact); `tokens_delta = size_tokens(side, size_delta, entry)`.
/// 4. `fee_usd = ceil(size_delta × open_fee_bps / 10_000)`;
///    `fee_tokens = usd_to_token_ceil(fee_usd, coll MIN)`.
/// 5. `collateral_after = pos.collateral + deposit − borrow_fee − fee_tokens − pos.owed`
///    (`owed_paid = pos.owed`: an increase pays what the position owes first), negative →
///    `InsufficientCollateral`.
/// 6. `size_after = pos.size + size_delta`, `size_tokens_after = pos.size_tokens +
///    tokens_delta`; `size_after > max_position_usd` → `PositionTooLarge`; `oi_usd + size_delta > oi_cap_usd`
///    → `OpenInterestCap`.
/// 7. `locked_delta = usd_to_token_ceil(size_delta, coll MIN)`; `coll.locked + locked_delta >
///    owned − floor(owned × buffer_bps / 10_000)` → `InsufficientLiquidity`.
/// 8. `collateral_usd = token_to_usd_floor(collateral_after, coll MIN)`; below
///    `min_collateral_usd` → `CollateralTooSmall`; `size_after × 10_000 > max_leverage_bps ×
///    collateral_usd` → `LeverageTooHigh`.
/// 9. The position after, marked at the exit price now (close fee on `size_after`), must pass
///    [`health_ok`], else `WouldBeLiquidatable`.
/// 10. `split_fee(fee_tokens + borrow_fee)`.
///
/// Accounting the processor applies — collateral custody: `collateral += collateral_after −
/// pos.collateral` (i.e. `+ deposit − fee_tokens − borrow_fee − owed_paid`), debts `−= owed_paid`, `owned += lp_fee`,
/// `protocol += protocol_fee`, `insurance += insurance_fee`, `locked += locked_delta`, vault
/// `+= deposit`; market custody: this side's OI `+= size_delta_usd` and `+= size_tokens_delta`;
/// position: size, tokens, collateral from the quote, `locked += locked_delta`, snapshot = the
/// collateral custody's borrow index. The vault change equals the change of
/// `owned + collateral + protocol + insurance`.
#[inline(always)]
pub fn quote_increase(i: &IncreaseInput) -> Result<IncreaseQuote, PositionError> {
    let long = is_long(i.pos.side)?;
    if i.size_delta_usd == 0 {
        return Err(PositionError::ZeroAmount);
    }
    let (pos, market, coll) = (&i.pos, &i.market, &i.coll);
    let borrow_fee = borrow_fee_tokens(pos.locked_amount, coll.borrow_index, pos.borrow_index_snapshot)?;

    let spread = trade_spread_bps(market.spread_bps, &market.price)?;
    let entry = with_impact(long, true, i.size_delta_usd, entry_at(long, &market.price, spread)?, i.impact)?;
    let exit = exit_at(long, &market.price, spread)?;
    let tokens_delta = size_tokens_of(long, i.size_delta_usd, entry, market.decimals)?;

    let fee_usd = fee_amount(i.size_delta_usd, market.open_fee_bps)?;
    let fee_tokens = usd_to_token_ceil(Usd(fee_usd), coll.price.min, coll.decimals)?.0;

    let gross = checked_add(pos.collateral_amount, i.collateral_delta)?;
    // What the position owes is paid first: an increase leaves nothing owed.
    let charges = checked_add(checked_add(borrow_fee, fee_tokens)?, pos.owed_tokens)?;
    if charges > gross {
        return Err(PositionError::InsufficientCollateral);
    }
    let collateral_after = gross.wrapping_sub(charges); // charges <= gross, checked above

    let size_after = checked_add(pos.size_usd, i.size_delta_usd)?;
    let size_tokens_after = checked_add(pos.size_tokens, tokens_delta)?;
    if size_after > market.max_position_usd {
        return Err(PositionError::PositionTooLarge);
    }
    if exceeds(market.oi_usd, i.size_delta_usd, market.oi_cap_usd) {
        return Err(PositionError::OpenInterestCap);
    }

    let locked_delta = usd_to_token_ceil(Usd(i.size_delta_usd), coll.price.min, coll.decimals)?.0;
    let buffer = apply_bps_floor(TokenAmount(coll.owned), Bps(coll.buffer_bps))?.0;
    let lockable = checked_sub(coll.owned, buffer)?;
    if exceeds(coll.locked, locked_delta, lockable) {
        return Err(PositionError::InsufficientLiquidity);
    }

    let after = Mark {
        long,
        exit,
        size_usd: size_after,
        size_tokens: size_tokens_after,
        collateral: collateral_after,
        owed: 0,
    };
    let collateral_usd = check_open(&after, market, coll)?;

    let shares = split(fee_tokens, borrow_fee, &i.fees)?;
    Ok(IncreaseQuote {
        entry_price: entry,
        size_tokens_delta: tokens_delta,
        fee_usd,
        fee_tokens,
        borrow_fee_tokens: borrow_fee,
        owed_paid: pos.owed_tokens,
        collateral_after,
        locked_delta,
        size_usd_after: size_after,
        size_tokens_after,
        average_price_after: average_price(size_after, size_tokens_after, market.decimals)?,
        // check_open passed: collateral_usd > 0 (size_after > 0) and the ratio fits.
        leverage_bps_after: mul_div_floor(size_after, BPS_DENOM, collateral_usd)?,
        lp_fee: shares.lp,
        protocol_fee: shares.protocol,
        insurance_fee: shares.insurance,
    })
}

// ---------------------------------------------------------------------------------------------
// Closing (shared by decrease and liquidation)
// ---------------------------------------------------------------------------------------------

/// What closing `size_delta` of a position realises (decrease steps 3–7).
struct Closing {
    closed_tokens: u64,
    pnl: Pnl,
    fee_usd: u64,
    fee_tokens: u64,
    locked_released: u64,
    profit_tokens: u64,
    loss_tokens: u64,
}

struct CloseArgs<'a> {
    long: bool,
    now: i64,
    pos: &'a PositionState,
    size_delta: u64,
    full: bool,
    /// [`closed_tokens`] of the above.
    closed_tokens: u64,
    exit: Price,
    market: &'a MarketSide,
    coll: &'a CollateralSide,
}

/// Decrease step 3: the tokens closing `size_delta` of a position takes (`size_delta <=
/// pos.size_usd`; `full` when equal and non-zero): all on a full close, none for a zero size,
/// else `size_tokens × size_delta / size_usd`, long floor / short ceil. Never above `size_tokens`.
#[inline(always)]
fn closed_tokens(long: bool, pos: &PositionState, size_delta: u64, full: bool) -> Result<u64, MathError> {
    if full {
        Ok(pos.size_tokens)
    } else if size_delta == 0 {
        Ok(0) // also avoids dividing by a zero size
    } else if long {
        mul_div_floor(pos.size_tokens, size_delta, pos.size_usd)
    } else {
        mul_div_ceil(pos.size_tokens, size_delta, pos.size_usd)
    }
}

/// Decrease steps 3–7 for `size_delta` (`size_delta <= pos.size_usd`; `full` when equal and
/// non-zero), with the closed tokens already computed ([`closed_tokens`]).
#[inline(always)]
fn close_part(a: &CloseArgs) -> Result<Closing, MathError> {
    let (pos, coll) = (a.pos, a.coll);
    let closed_tokens = a.closed_tokens;
    let locked_released = if a.full {
        pos.locked_amount
    } else if a.size_delta == 0 {
        0
    } else {
        mul_div_floor(pos.locked_amount, a.size_delta, pos.size_usd)?
    };

    let mut pnl = pnl_of(a.long, a.size_delta, closed_tokens, a.exit, a.market.decimals)?;
    if pnl.profit && a.now <= pos.open_time {
        // No profit on a position closed in the second it was opened.
        pnl = Pnl::default();
    }

    let fee_usd = fee_amount(a.size_delta, a.market.close_fee_bps)?;
    let fee_tokens = usd_to_token_ceil(Usd(fee_usd), coll.price.min, coll.decimals)?.0;

    let (profit_tokens, loss_tokens) = if pnl.profit {
        let won = usd_to_token_floor(Usd(pnl.usd), coll.price.max, coll.decimals)?.0;
        (won.min(locked_released), 0)
    } else if pnl.usd > 0 {
        (0, usd_to_token_ceil(Usd(pnl.usd), coll.price.min, coll.decimals)?.0)
    } else {
        (0, 0)
    };
    Ok(Closing { closed_tokens, pnl, fee_usd, fee_tokens, locked_released, profit_tokens, loss_tokens })
}

// ---------------------------------------------------------------------------------------------
// decrease / remove collateral
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_decrease`] (also remove-collateral, with `size_delta_usd == 0`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecreaseInput {
    /// Unix time now, seconds.
    pub now: i64,
    /// The position before.
    pub pos: PositionState,
    /// Size closed, USD (`pos.size_usd` closes the position).
    pub size_delta_usd: u64,
    /// Collateral tokens requested back (ignored on a full close: everything is returned).
    pub collateral_out: u64,
    /// The market custody.
    pub market: MarketSide,
    /// The collateral custody.
    pub coll: CollateralSide,
    /// Fee shares.
    pub fees: FeeShares,
    /// The price impact of closing `size_delta_usd`, USD ([`price_impact`](super::impact::price_impact));
    /// the exit price shifts so the closed tokens realize exactly this amount. Zero for none.
    pub impact: Impact,
}

/// What [`quote_decrease`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecreaseQuote {
    /// The price the closed size exits at.
    pub exit_price: Price,
    /// Market tokens closed (taken off the position and the side's OI in tokens).
    pub closed_tokens: u64,
    /// True if the closed part realised a profit.
    pub pnl_profit: bool,
    /// Realised PnL magnitude, USD (a profit in the opening second is zero).
    pub pnl_usd: u64,
    /// Profit paid, collateral tokens (at the collateral MAX price, down, capped at the lock).
    pub profit_tokens: u64,
    /// Loss taken from collateral, tokens (at the collateral MIN price, up).
    pub loss_tokens: u64,
    /// Close fee, USD (up).
    pub fee_usd: u64,
    /// Close fee, collateral tokens (at the collateral MIN price, up).
    pub fee_tokens: u64,
    /// Borrow fee settled, collateral tokens.
    pub borrow_fee_tokens: u64,
    /// What the position owed, paid from its collateral and profit (tokens).
    pub owed_paid: u64,
    /// Tokens unlocked in the collateral custody.
    pub locked_released: u64,
    /// Tokens paid to the owner.
    pub amount_out: u64,
    /// The position's collateral after (0 on a full close).
    pub collateral_after: u64,
    /// The position's size after, USD.
    pub size_usd_after: u64,
    /// The position's size in tokens after.
    pub size_tokens_after: u64,
    /// True if the position is closed.
    pub full_close: bool,
    /// Part of the fees that stays in `owned`.
    pub lp_fee: u64,
    /// Part of the fees for the protocol.
    pub protocol_fee: u64,
    /// Part of the fees for the insurance fund.
    pub insurance_fee: u64,
}

/// Inputs of [`decrease_impact`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecreaseImpactInput {
    /// The position before the decrease.
    pub pos: PositionState,
    /// Size closed, USD.
    pub size_delta_usd: u64,
    /// The market custody.
    pub market: MarketSide,
    /// The decrease's price impact in USD ([`price_impact`](super::impact::price_impact)).
    pub impact: Impact,
}

/// The impact to hand to [`quote_decrease`] so that the closed tokens realize exactly
/// `impact.usd` (SPEC §5: the impact is a USD amount; GMX v2 shifts a decrease's price by the
/// position's average price × impact / size for the same reason).
///
/// [`quote_decrease`] shifts the exit price `P` to `P × (S ± I) / S` for `S = size_delta`, which
/// the closed tokens `T` turn into `I × V / S` USD, `V = T × P` (their value at the plain exit
/// price). A position whose tokens are worth more than its size (a long in profit, a short in
/// loss, a short opened with a large negative impact) would realize more than `I`, one worth less
/// would realize less. So the impact passed is `I × S / V`: a gain rounded down (with `V` rounded
/// up), a cost rounded up (with `V` rounded down); kept below `S` where the price formula
/// subtracts it (a long's cost, a short's gain). When `V` is zero or the scaled amount does not
/// fit, the impact is passed unchanged.
///
/// Errors: `InvalidSide`, `SizeTooLarge` (more than the position), those of the exit price.
#[inline]
pub fn decrease_impact(i: &DecreaseImpactInput) -> Result<Impact, PositionError> {
    let long = is_long(i.pos.side)?;
    let (pos, s) = (&i.pos, i.size_delta_usd);
    if i.impact.usd == 0 || s == 0 {
        return Ok(i.impact);
    }
    if s > pos.size_usd {
        return Err(PositionError::SizeTooLarge);
    }
    let closed = closed_tokens(long, pos, s, s == pos.size_usd)?;
    let spread = trade_spread_bps(i.market.spread_bps, &i.market.price)?;
    let exit = exit_at(long, &i.market.price, spread)?;
    Ok(scaled_impact(long, i.impact, s, closed, exit, i.market.decimals))
}

/// [`decrease_impact`] from the closed tokens and the plain exit price (what [`quote_decrease`]
/// has computed already), for a non-zero impact and size.
#[inline(always)]
fn scaled_impact(long: bool, impact: Impact, s: u64, closed: u64, exit: Price, decimals: u8) -> Impact {
    let gain = impact.positive;
    let value = if gain {
        token_to_usd_ceil(TokenAmount(closed), exit, decimals)
    } else {
        token_to_usd_floor(TokenAmount(closed), exit, decimals)
    };
    let value = match value {
        Ok(v) if v.0 > 0 => v.0,
        _ => return impact,
    };
    let scaled = if gain { mul_div_floor(impact.usd, s, value) } else { mul_div_ceil(impact.usd, s, value) };
    let Ok(mut usd) = scaled else {
        return impact;
    };
    // The price formula subtracts the impact from the size for a long's cost and a short's gain.
    if long != gain && usd >= s {
        usd = s.saturating_sub(1); // s > usd >= 0
    }
    Impact { positive: gain, usd }
}

/// Quotes closing part or all of a position, or withdrawing collateral (`size_delta_usd == 0`).
///
/// Steps (errors are checked in this order):
/// 0. `pos.side` not [`LONG`] / [`SHORT`] → `InvalidSide`.
/// 1. `size_delta == 0 && collateral_out == 0` → `ZeroAmount`; `size_delta > pos.size` →
///    `SizeTooLarge`; `full = size_delta > 0 && size_delta == pos.size`.
/// 2. `borrow_fee` as in [`quote_increase`]; `exit = exit_price(side, market.price, spread)`
///    shifted by [`impacted_price`] with the impact [`decrease_impact`] scales so the closed
///    tokens realize `impact.usd` (an impact error → `PriceImpactTooLarge`); the remainder's
///    checks in step 9 use the plain exit.
/// 3. `closed_tokens = full ? pos.size_tokens : (long floor / short ceil)(pos.size_tokens ×
///    size_delta / pos.size)` (0 when `size_delta == 0`).
/// 4. `p = pnl(side, size_delta, closed_tokens, exit)`; a profit when `now <= pos.open_time`
///    becomes zero.
/// 5. `fee_usd = ceil(size_delta × close_fee_bps / 10_000)`; `fee_tokens = usd_to_token_ceil(
///    fee_usd, coll MIN)`.
/// 6. `locked_released = full ? pos.locked : floor(pos.locked × size_delta / pos.size)`.
/// 7. `profit_tokens = min(usd_to_token_floor(p, coll MAX), locked_released)` on a profit;
///    `loss_tokens = usd_to_token_ceil(p, coll MIN)` on a loss.
/// 8. `charges = borrow_fee + fee_tokens + loss_tokens + pos.owed` (`owed_paid = pos.owed`),
///    paid from the collateral first and then from `profit_tokens`; more than both →
///    `PositionUnderwater`. `available` is the collateral left, `profit_left` the profit left.
/// 9. Full: `amount_out = available + profit_left`, `collateral_after = 0` (`collateral_out`
///    is ignored). Partial: `collateral_out > available` → `InsufficientCollateral`;
///    `amount_out = collateral_out + profit_left`; `collateral_after = available −
///    collateral_out`; then if size remains, the checks of an open position at the collateral
///    MIN price: `CollateralTooSmall`, `LeverageTooHigh`, `WouldBeLiquidatable` (the remainder
///    marked at `exit` with `size_tokens_after`).
/// 10. `split_fee(fee_tokens + borrow_fee)`.
///
/// Accounting the processor applies — collateral custody: `collateral −= pos.collateral −
/// collateral_after`, debts `−= owed_paid`, `owned += loss_tokens + lp_fee − profit_tokens`, `protocol +=
/// protocol_fee`, `insurance += insurance_fee`, `locked −= locked_released`, vault `−=
/// amount_out`; market custody: this side's OI `−= size_delta_usd` and `−= closed_tokens`;
/// position: from the quote, `locked −= locked_released`, snapshot = the borrow index. The vault
/// change `−amount_out` equals the change of `owned + collateral + protocol + insurance`.
#[inline(always)]
pub fn quote_decrease(i: &DecreaseInput) -> Result<DecreaseQuote, PositionError> {
    quote_decrease_at(i, None)
}

/// [`quote_decrease`], given the plain exit price (`exit_price(side, market.price,
/// market.spread_bps)`, step 2's exit before the impact) when it is already known: a settlement
/// at the same prices computed it. `None` computes it; the quote is the same either way.
#[inline(always)]
pub fn quote_decrease_at(i: &DecreaseInput, plain_exit: Option<Price>) -> Result<DecreaseQuote, PositionError> {
    let long = is_long(i.pos.side)?;
    let (pos, market, coll) = (&i.pos, &i.market, &i.coll);
    if i.size_delta_usd == 0 && i.collateral_out == 0 {
        return Err(PositionError::ZeroAmount);
    }
    if i.size_delta_usd > pos.size_usd {
        return Err(PositionError::SizeTooLarge);
    }
    let full = i.size_delta_usd != 0 && i.size_delta_usd == pos.size_usd;

    let borrow_fee = borrow_fee_tokens(pos.locked_amount, coll.borrow_index, pos.borrow_index_snapshot)?;
    // The impact prices the closed part only, shifted so the closed tokens realize exactly its
    // USD amount ([`decrease_impact`]); what remains is marked at the plain exit.
    let plain_exit = match plain_exit {
        Some(exit) => exit,
        None => exit_at(long, &market.price, trade_spread_bps(market.spread_bps, &market.price)?)?,
    };
    // (Cannot fail: the size closed is at most the position's.)
    let closed = closed_tokens(long, pos, i.size_delta_usd, full)?;
    // `decrease_impact` with the exit and closed tokens computed once.
    let shift = if i.impact.usd == 0 || i.size_delta_usd == 0 {
        i.impact
    } else {
        scaled_impact(long, i.impact, i.size_delta_usd, closed, plain_exit, market.decimals)
    };
    let exit = with_impact(long, false, i.size_delta_usd, plain_exit, shift)?;
    let c = close_part(&CloseArgs {
        long,
        now: i.now,
        pos,
        size_delta: i.size_delta_usd,
        full,
        closed_tokens: closed,
        exit,
        market,
        coll,
    })?;

    // Charges come from the collateral first, then from the profit realised now.
    let charges = checked_add(checked_add(borrow_fee, c.fee_tokens)?, checked_add(c.loss_tokens, pos.owed_tokens)?)?;
    if charges > checked_add(pos.collateral_amount, c.profit_tokens)? {
        return Err(PositionError::PositionUnderwater);
    }
    let from_collateral = charges.min(pos.collateral_amount);
    // Exact: from_collateral is at most the collateral, and charges beyond it at most the profit
    // (the underwater check above).
    let available = pos.collateral_amount.wrapping_sub(from_collateral);
    let profit_left = c.profit_tokens.wrapping_sub(charges.wrapping_sub(from_collateral));

    let size_usd_after = checked_sub(pos.size_usd, i.size_delta_usd)?;
    let size_tokens_after = checked_sub(pos.size_tokens, c.closed_tokens)?;
    let (amount_out, collateral_after) = if full {
        (checked_add(available, profit_left)?, 0)
    } else {
        if i.collateral_out > available {
            return Err(PositionError::InsufficientCollateral);
        }
        let collateral_after = available.wrapping_sub(i.collateral_out); // checked just above
        if size_usd_after > 0 {
            check_open(
                &Mark {
                    long,
                    exit: plain_exit,
                    size_usd: size_usd_after,
                    size_tokens: size_tokens_after,
                    collateral: collateral_after,
                    owed: 0,
                },
                market,
                coll,
            )?;
        }
        (checked_add(i.collateral_out, profit_left)?, collateral_after)
    };

    let shares = split(c.fee_tokens, borrow_fee, &i.fees)?;
    Ok(DecreaseQuote {
        exit_price: exit,
        closed_tokens: c.closed_tokens,
        pnl_profit: c.pnl.profit,
        pnl_usd: c.pnl.usd,
        profit_tokens: c.profit_tokens,
        loss_tokens: c.loss_tokens,
        fee_usd: c.fee_usd,
        fee_tokens: c.fee_tokens,
        borrow_fee_tokens: borrow_fee,
        owed_paid: pos.owed_tokens,
        locked_released: c.locked_released,
        amount_out,
        collateral_after,
        size_usd_after: if full { 0 } else { size_usd_after },
        size_tokens_after: if full { 0 } else { size_tokens_after },
        full_close: full,
        lp_fee: shares.lp,
        protocol_fee: shares.protocol,
        insurance_fee: shares.insurance,
    })
}

// ---------------------------------------------------------------------------------------------
// liquidate
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_liquidate`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidateInput {
    /// Unix time now, seconds.
    pub now: i64,
    /// The position.
    pub pos: PositionState,
    /// The market custody.
    pub market: MarketSide,
    /// The collateral custody.
    pub coll: CollateralSide,
    /// Fee shares.
    pub fees: FeeShares,
    /// The collateral custody's insurance fund, tokens.
    pub insurance_balance: u64,
}

/// What [`quote_liquidate`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationQuote {
    /// True if the whole position is closed.
    pub full: bool,
    /// Share of the size closed, bps: 2_500, 5_000, 7_500 or 10_000.
    pub fraction_bps: u64,
    /// Size closed, USD.
    pub size_delta_usd: u64,
    /// The exit price.
    pub exit_price: Price,
    /// Market tokens closed.
    pub closed_tokens: u64,
    /// True if the closed part realised a profit.
    pub pnl_profit: bool,
    /// Realised PnL magnitude of the closed part, USD.
    pub pnl_usd: u64,
    /// Profit credited, collateral tokens (capped at the lock). Paid into the remaining
    /// collateral (partial) or to the owner through `owner_out` (full).
    pub profit_tokens: u64,
    /// Loss taken from the collateral, tokens (the covered part).
    pub loss_tokens: u64,
    /// Close fee taken, tokens (the covered part).
    pub fee_tokens: u64,
    /// Borrow fee taken, tokens (the covered part; the rest is forgiven).
    pub borrow_fee_tokens: u64,
    /// What the position owed, paid from its funds (tokens).
    pub owed_paid: u64,
    /// What the position owed and its funds could not pay: bad debt (tokens).
    pub owed_written_off: u64,
    /// The keeper's whole reward, tokens (at the collateral MAX price, down).
    pub reward_tokens: u64,
    /// Part of the reward the collateral could not cover, paid by the insurance fund.
    pub reward_from_insurance: u64,
    /// Part of the reward neither could cover, paid from the pool's `owned`.
    pub reward_from_pool: u64,
    /// Bad debt (uncovered loss and unpaid owed) paid by the insurance fund into `owned`.
    pub insurance_used: u64,
    /// Bad debt nobody pays: the pool's loss, tokens (no transfer).
    pub pool_loss: u64,
    /// Tokens paid to the position's owner (full only).
    pub owner_out: u64,
    /// The position's collateral after (0 when full).
    pub collateral_after: u64,
    /// Tokens unlocked.
    pub locked_released: u64,
    /// The position's size after, USD.
    pub size_usd_after: u64,
    /// The position's size in tokens after.
    pub size_tokens_after: u64,
    /// Part of the fees (covered close fee + covered borrow fee) that stays in `owned`.
    pub lp_fee: u64,
    /// Part of the fees for the protocol.
    pub protocol_fee: u64,
    /// Part of the fees for the insurance fund.
    pub insurance_fee: u64,
}

/// Quotes a keeper's liquidation.
///
/// 0. `pos.side` not [`LONG`] / [`SHORT`] → `InvalidSide`.
/// 1. `borrow_fee` as in [`quote_increase`] (it may exceed the collateral); `exit` as in
///    [`quote_decrease`]; equity = `token_to_usd_floor(collateral − borrow_fee (at least 0),
///    coll MIN) + pnl(whole size, exit) − ceil(size × close_fee_bps / 10_000) − owed`, where
///    `owed` is `pos.owed` plus the borrow fee the collateral cannot pay, at the collateral MAX
///    price rounded up. If
///    [`health_ok`] → `NotLiquidatable`. (Health is marked to market: the opening-second rule
///    applies to what is realised, not to this test.)
/// 2. Tier ([`liquidation_fraction_bps`]): the smallest of 25 / 50 / 75 % that brings equity
///    back to twice the maintenance margin after paying close fee and reward on the closed part;
///    otherwise (or with equity ≤ 0, or `2 × mm <= close_fee + reward`) 100 %.
/// 3. Partial: `size_delta = floor(size × f / 10_000)`; decrease steps 3–7 on it (the
///    opening-second rule included); `reward = usd_to_token_floor(floor(size_delta × reward_bps
///    / 10_000), coll MAX)`; `collateral_after = collateral + profit_tokens − borrow_fee − owed −
///    fee − loss − reward` (`owed_paid = pos.owed`). If that is negative, or the remainder (marked at `exit`) fails
///    [`health_ok`], the liquidation is full instead. Nothing is paid to the owner.
/// 4. Full: the whole position closes (decrease steps 3–7 with `full`); `reward` on the whole
///    size. The funds `collateral + profit_tokens` pay, in order and as far as they go: the
///    borrow fee, what it owes (`owed_paid`), the loss, the close fee, the reward. The bad debt —
///    the uncovered loss plus the owed it could not pay (`owed_written_off`) — is paid by the
///    insurance fund (`insurance_used = min(insurance_balance, bad debt)`) and the rest is
///    `pool_loss`; the uncovered reward is paid by what is left of the insurance fund
///    (`reward_from_insurance`), then by the pool (`reward_from_pool`): keepers are always paid.
///    What is left of the funds is `owner_out`.
/// 5. `split_fee(fee_tokens + borrow_fee_tokens)` (the covered parts).
///
/// Accounting the processor applies — collateral custody: `collateral += collateral_after −
/// pos.collateral`, debts `−= owed_paid + owed_written_off`, `owned += loss_tokens + lp_fee +
/// insurance_used − profit_tokens − reward_from_pool − owed_written_off`, `insurance += insurance_fee − insurance_used − reward_from_insurance`,
/// `protocol += protocol_fee`, `locked −= locked_released`, vault `−= reward_tokens + owner_out`
/// (to the keeper and the owner); market custody: this side's OI `−= size_delta_usd` and `−=
/// closed_tokens`. The vault change equals the change of `owned + collateral + protocol +
/// insurance`.
#[inline]
pub fn quote_liquidate(i: &LiquidateInput) -> Result<LiquidationQuote, PositionError> {
    quote_liquidate_at(i, None)
}

/// [`quote_liquidate`], given the exit price (`exit_price(side, market.price, market.spread_bps)`)
/// when it is already known: a settlement at the same prices computed it. `None` computes it; the
/// quote is the same either way.
#[inline]
pub fn quote_liquidate_at(i: &LiquidateInput, exit: Option<Price>) -> Result<LiquidationQuote, PositionError> {
    let long = is_long(i.pos.side)?;
    let (pos, market, coll) = (&i.pos, &i.market, &i.coll);
    let borrow_fee = borrow_fee_tokens(pos.locked_amount, coll.borrow_index, pos.borrow_index_snapshot)?;
    let exit = match exit {
        Some(exit) => exit,
        None => exit_at(long, &market.price, trade_spread_bps(market.spread_bps, &market.price)?)?,
    };
    let equity = mark_equity(
        &Mark {
            long,
            exit,
            size_usd: pos.size_usd,
            size_tokens: pos.size_tokens,
            collateral: pos.collateral_amount.saturating_sub(borrow_fee),
            // A borrow fee the collateral cannot pay is owed like the rest.
            owed: checked_add(pos.owed_tokens, borrow_fee.saturating_sub(pos.collateral_amount))?,
        },
        market,
        coll,
    )?;
    if health_ok(equity, pos.size_usd, market.maintenance_margin_bps) {
        return Err(PositionError::NotLiquidatable);
    }

    let fraction = liquidation_fraction_bps(equity, pos.size_usd, market)?;
    let args = LiquidationArgs { long, borrow_fee, exit, input: i };
    if fraction < BPS_DENOM {
        if let Some(q) = liquidate_partial(&args, fraction)? {
            return Ok(q);
        }
    }
    liquidate_full(&args)
}

/// The share of a liquidatable position to close, bps (step 2 of [`quote_liquidate`]).
///
/// With `T = 2 × maintenance_margin_bps`, `c = close_fee_bps + liquidation_reward_bps`, size `S`
/// and equity `E > 0`: closing the fraction `f` leaves about `E − f·S·c` of equity on `(1 − f)·S`
/// of size, which is `T` of it when `f = (T·S − 10_000·E) / (S·(T − c))`. The result is that
/// fraction rounded up to a multiple of [`LIQUIDATION_TIER_BPS`], exactly: the tier `k/4` is
/// enough iff `4·(T·S − 10_000·E) <= k·S·(T − c)`, i.e. iff `S·((8 − 2k)·mm + k·c) <=
/// 40_000·E`, compared over 128-bit products. 10_000 (full) when no tier below 100 % is enough,
/// `E <= 0`, or `T <= c`.
///
/// Precondition: the position is not healthy (`10_000·E < mm·S`). Errors: `Overflow` when
/// `2 × mm`, `c` or `6 × mm + c` exceeds `u64::MAX`.
///
/// Note: with the target at `2 × mm`, an unhealthy position needs `f > mm / (2·mm − c) >= 50 %`,
/// so only the 75 % tier and full liquidations occur in practice; the 25 % and 50 % tiers would
/// need a target below `(4·mm − c) / 3` and `2·mm − c` respectively.
#[inline]
pub fn liquidation_fraction_bps(equity: Equity, size_usd: u64, market: &MarketSide) -> Result<u64, MathError> {
    if equity.negative || equity.usd == 0 {
        return Ok(BPS_DENOM);
    }
    let mm = market.maintenance_margin_bps;
    let target = checked_add(mm, mm)?;
    let cost = checked_add(market.close_fee_bps, market.liquidation_reward_bps)?;
    if target <= cost {
        return Ok(BPS_DENOM);
    }
    let first = checked_add(checked_mul(mm, 6)?, cost)?;
    // T > c makes the multipliers fall with k (m₁ > m₂ > m₃): once m₁ fits, the others do.
    let multipliers = [
        first,
        mm.wrapping_mul(4).wrapping_add(cost.wrapping_mul(2)),
        mm.wrapping_mul(2).wrapping_add(cost.wrapping_mul(3)),
    ];
    let budget = wide_mul(equity.usd, 4 * BPS_DENOM);
    let mut tier = 0;
    while tier < multipliers.len() {
        if wide_mul(size_usd, multipliers[tier]) <= budget {
            // tier < 3: at most 3 × the tier step.
            return Ok((tier as u64).saturating_add(1).saturating_mul(LIQUIDATION_TIER_BPS));
        }
        tier = tier.saturating_add(1);
    }
    Ok(BPS_DENOM)
}

struct LiquidationArgs<'a> {
    long: bool,
    /// The whole accrued borrow fee (may exceed the collateral).
    borrow_fee: u64,
    exit: Price,
    input: &'a LiquidateInput,
}

/// Step 3 of [`quote_liquidate`]; `None` when the liquidation must be full instead.
#[inline(always)]
fn liquidate_partial(a: &LiquidationArgs, fraction: u64) -> Result<Option<LiquidationQuote>, PositionError> {
    let i = a.input;
    let (pos, market, coll) = (&i.pos, &i.market, &i.coll);
    let size_delta = mul_div_floor(pos.size_usd, fraction, BPS_DENOM)?;
    let closed = closed_tokens(a.long, pos, size_delta, false)?;
    let c = close_part(&CloseArgs {
        long: a.long,
        now: i.now,
        pos,
        size_delta,
        full: false,
        closed_tokens: closed,
        exit: a.exit,
        market,
        coll,
    })?;
    let reward_tokens = reward_tokens(size_delta, market, coll)?;

    let funds = checked_add(pos.collateral_amount, c.profit_tokens)?;
    let charges = checked_add(
        checked_add(checked_add(a.borrow_fee, pos.owed_tokens)?, c.fee_tokens)?,
        checked_add(c.loss_tokens, reward_tokens)?,
    )?;
    if charges > funds {
        return Ok(None);
    }
    let collateral_after = funds.wrapping_sub(charges); // charges <= funds, checked above
    let size_usd_after = checked_sub(pos.size_usd, size_delta)?;
    let size_tokens_after = checked_sub(pos.size_tokens, c.closed_tokens)?;
    let remainder = mark_equity(
        &Mark {
            long: a.long,
            exit: a.exit,
            size_usd: size_usd_after,
            size_tokens: size_tokens_after,
            collateral: collateral_after,
            owed: 0,
        },
        market,
        coll,
    )?;
    if !health_ok(remainder, size_usd_after, market.maintenance_margin_bps) {
        return Ok(None);
    }

    let shares = split(c.fee_tokens, a.borrow_fee, &i.fees)?;
    Ok(Some(LiquidationQuote {
        full: false,
        fraction_bps: fraction,
        size_delta_usd: size_delta,
        exit_price: a.exit,
        closed_tokens: c.closed_tokens,
        pnl_profit: c.pnl.profit,
        pnl_usd: c.pnl.usd,
        profit_tokens: c.profit_tokens,
        loss_tokens: c.loss_tokens,
        fee_tokens: c.fee_tokens,
        borrow_fee_tokens: a.borrow_fee,
        owed_paid: pos.owed_tokens,
        owed_written_off: 0,
        reward_tokens,
        reward_from_insurance: 0,
        reward_from_pool: 0,
        insurance_used: 0,
        pool_loss: 0,
        owner_out: 0,
        collateral_after,
        locked_released: c.locked_released,
        size_usd_after,
        size_tokens_after,
        lp_fee: shares.lp,
        protocol_fee: shares.protocol,
        insurance_fee: shares.insurance,
    }))
}

/// Step 4 of [`quote_liquidate`].
#[inline(always)]
fn liquidate_full(a: &LiquidationArgs) -> Result<LiquidationQuote, PositionError> {
    let i = a.input;
    let (pos, market, coll) = (&i.pos, &i.market, &i.coll);
    let c = close_part(&CloseArgs {
        long: a.long,
        now: i.now,
        pos,
        size_delta: pos.size_usd,
        full: true,
        closed_tokens: pos.size_tokens, // `closed_tokens` of a full close
        exit: a.exit,
        market,
        coll,
    })?;
    let reward = reward_tokens(pos.size_usd, market, coll)?;

    // The waterfall: each claim takes what the remaining funds can cover.
    let mut funds = checked_add(pos.collateral_amount, c.profit_tokens)?;
    let mut take = |claim: u64| {
        let covered = claim.min(funds);
        funds = funds.wrapping_sub(covered); // covered <= funds
        covered
    };
    let borrow_fee = take(a.borrow_fee);
    let owed = take(pos.owed_tokens);
    let loss = take(c.loss_tokens);
    let fee = take(c.fee_tokens);
    let reward_covered = take(reward);
    let owner_out = funds;

    // Bad debt: the loss the funds could not cover and what the position owed and could not pay
    // (the pool already credited it when it was owed).
    // Each claim's covered part is at most the claim, each insurance draw at most what is left: the
    // subtractions below are exact.
    let uncovered_owed = pos.owed_tokens.wrapping_sub(owed);
    let uncovered_loss = checked_add(c.loss_tokens.wrapping_sub(loss), uncovered_owed)?;
    let insurance_used = uncovered_loss.min(i.insurance_balance);
    let uncovered_reward = reward.wrapping_sub(reward_covered);
    let reward_from_insurance = uncovered_reward.min(i.insurance_balance.wrapping_sub(insurance_used));

    let shares = split(fee, borrow_fee, &i.fees)?;
    Ok(LiquidationQuote {
        full: true,
        fraction_bps: BPS_DENOM,
        size_delta_usd: pos.size_usd,
        exit_price: a.exit,
        closed_tokens: c.closed_tokens,
        pnl_profit: c.pnl.profit,
        pnl_usd: c.pnl.usd,
        profit_tokens: c.profit_tokens,
        loss_tokens: loss,
        fee_tokens: fee,
        borrow_fee_tokens: borrow_fee,
        owed_paid: owed,
        owed_written_off: uncovered_owed,
        reward_tokens: reward,
        reward_from_insurance,
        reward_from_pool: uncovered_reward.wrapping_sub(reward_from_insurance),
        insurance_used,
        pool_loss: uncovered_loss.wrapping_sub(insurance_used),
        owner_out,
        collateral_after: 0,
        locked_released: c.locked_released,
        size_usd_after: 0,
        size_tokens_after: 0,
        lp_fee: shares.lp,
        protocol_fee: shares.protocol,
        insurance_fee: shares.insurance,
    })
}

/// The keeper's reward for closing `size_usd`: `floor(size × reward_bps / 10_000)` USD, in
/// collateral tokens at the MAX price, rounded down.
#[inline(always)]
fn reward_tokens(size_usd: u64, market: &MarketSide, coll: &CollateralSide) -> Result<u64, MathError> {
    let usd = apply_bps_floor(Usd(size_usd), Bps(market.liquidation_reward_bps))?;
    Ok(usd_to_token_floor(usd, coll.price.max, coll.decimals)?.0)
}

// ---------------------------------------------------------------------------------------------
// Pool value
// ---------------------------------------------------------------------------------------------

/// Inputs of [`pool_pnl`]: one custody's open interest on both sides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolPnlInput {
    /// Longs' size, USD.
    pub long_oi_usd: u64,
    /// Longs' size, market tokens.
    pub long_oi_tokens: u64,
    /// Shorts' size, USD.
    pub short_oi_usd: u64,
    /// Shorts' size, market tokens.
    pub short_oi_tokens: u64,
    /// The market token's decimals.
    pub decimals: u8,
    /// Price the longs are marked at.
    pub long_price: Price,
    /// Price the shorts are marked at.
    pub short_price: Price,
    /// Rounding for the pool value at MAX prices (trader profit rounds down) instead of MIN
    /// prices (trader profit rounds up).
    pub round_for_max_aum: bool,
}

/// Traders' net PnL on one custody: `(long_tokens × long_price − long_usd) + (short_usd −
/// short_tokens × short_price)`. The caller subtracts it from the pool value (a trader profit
/// lowers it, a trader loss raises it).
///
/// Rounding errs the pool value low when `round_for_max_aum` is false (trader profit rounds up:
/// long value up, short value down) and high when it is true (the reverse). For the matching
/// prices, value the pool at MAX prices with longs at the MIN price and shorts at the MAX price,
/// and at MIN prices the other way round.
///
/// Errors: `InvalidDecimals`; `Overflow` when a value or the net result exceeds `u64::MAX`.
#[inline]
pub fn pool_pnl(i: &PoolPnlInput) -> Result<Pnl, MathError> {
    let (long_tokens, short_tokens) = (TokenAmount(i.long_oi_tokens), TokenAmount(i.short_oi_tokens));
    let (long_value, short_value) = if i.round_for_max_aum {
        (
            token_to_usd_floor(long_tokens, i.long_price, i.decimals)?,
            token_to_usd_ceil(short_tokens, i.short_price, i.decimals)?,
        )
    } else {
        (
            token_to_usd_ceil(long_tokens, i.long_price, i.decimals)?,
            token_to_usd_floor(short_tokens, i.short_price, i.decimals)?,
        )
    };
    // u128 add / sub / compare (no multiply): supported by the BPF backend.
    // Sums of two u64 in u128 cannot wrap; each difference is taken from the larger side.
    let gains = (long_value.0 as u128).wrapping_add(i.short_oi_usd as u128);
    let losses = (i.long_oi_usd as u128).wrapping_add(short_value.0 as u128);
    let (profit, magnitude) =
        if gains > losses { (true, gains.wrapping_sub(losses)) } else { (false, losses.wrapping_sub(gains)) };
    if magnitude > u64::MAX as u128 {
        return fail(MathError::Overflow);
    }
    Ok(Pnl { profit, usd: magnitude as u64 })
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use proptest::prelude::*;

    const SOL: u64 = 150_000_000_000;
    const USDC: u64 = 1_000_000_000;
    const SHARES: FeeShares = FeeShares { protocol_bps: 1_000, insurance_bps: 500 };

    fn quote(min: u64, max: u64, conf: u64) -> PriceQuote {
        PriceQuote { min: Price(min), max: Price(max), conf }
    }

    fn market(decimals: u8, price: PriceQuote) -> MarketSide {
        MarketSide {
            decimals,
            price,
            spread_bps: 10,
            open_fee_bps: 6,
            close_fee_bps: 6,
            max_leverage_bps: 500_000,
            max_position_usd: 10_000_000_000_000,
            oi_usd: 0,
            oi_cap_usd: 100_000_000_000_000,
            min_collateral_usd: 10_000_000,
            maintenance_margin_bps: 100,
            liquidation_reward_bps: 10,
        }
    }

    fn collateral(decimals: u8, price: PriceQuote, owned: u64) -> CollateralSide {
        CollateralSide { decimals, price, borrow_index: INDEX_ONE, owned, locked: 0, buffer_bps: 1_000 }
    }

    /// 10× SOL long on SOL collateral: $1,500 on 1 SOL at $150, 10 bps spread + 10 bps of
    /// confidence.
    fn sol_long() -> IncreaseInput {
        let q = quote(SOL, SOL, 150_000_000);
        IncreaseInput {
            now: 1_000,
            pos: PositionState { side: LONG, open_time: 1_000, borrow_index_snapshot: INDEX_ONE, ..Default::default() },
            size_delta_usd: 1_500_000_000,
            collateral_delta: 1_000_000_000,
            market: market(9, q),
            coll: collateral(9, q, 1_000_000_000_000),
            fees: SHARES,
            impact: Default::default(),
        }
    }

    fn opened(i: &IncreaseInput, q: &IncreaseQuote) -> PositionState {
        PositionState {
            size_usd: q.size_usd_after,
            size_tokens: q.size_tokens_after,
            collateral_amount: q.collateral_after,
            locked_amount: i.pos.locked_amount + q.locked_delta,
            borrow_index_snapshot: i.coll.borrow_index,
            ..i.pos
        }
    }

    #[test]
    fn prices_by_example() {
        let q = quote(SOL, SOL, 150_000_000);
        // $0.15 of confidence on $150 is 10 bps.
        assert_eq!(trade_spread_bps(10, &q), Ok(20));
        assert_eq!(entry_price(LONG, &q, 10), Ok(Price(150_300_000_000)));
        assert_eq!(entry_price(SHORT, &q, 10), Ok(Price(149_700_000_000)));
        assert_eq!(exit_price(LONG, &q, 10), Ok(Price(149_700_000_000)));
        assert_eq!(exit_price(SHORT, &q, 10), Ok(Price(150_300_000_000)));
        // Rounding: long entry up, short entry down.
        let odd = quote(3, 3, 0);
        assert_eq!(entry_price(LONG, &odd, 1), Ok(Price(4)));
        assert_eq!(entry_price(SHORT, &odd, 1), Ok(Price(2)));
        assert_eq!(entry_price(3, &q, 10), Err(PositionError::InvalidSide));
        assert_eq!(trade_spread_bps(9_990, &q), Err(PositionError::InvalidSpread));
        assert_eq!(trade_spread_bps(9_989, &q), Ok(9_999));
        assert_eq!(trade_spread_bps(0, &quote(0, 0, 0)), Err(PositionError::Math(MathError::DivideByZero)));

        // $100 of BTC at $95,000 (8 decimals): 105_263.15.. sats → long 105_263, short 105_264.
        let btc = Price(95_000_000_000_000);
        assert_eq!(size_tokens(LONG, 100_000_000, btc, 8), Ok(105_263));
        assert_eq!(size_tokens(SHORT, 100_000_000, btc, 8), Ok(105_264));
        // Their value at $95,000: long $99.99985, short $100.0008.
        assert_eq!(pnl(LONG, 100_000_000, 105_263, btc, 8), Ok(Pnl { profit: false, usd: 150 }));
        assert_eq!(pnl(SHORT, 100_000_000, 105_264, btc, 8), Ok(Pnl { profit: false, usd: 800 }));
        assert_eq!(pnl(LONG, 0, 0, btc, 8), Ok(Pnl::default()));
        assert_eq!(pnl(SHORT, 100_000_000, 0, btc, 8), Ok(Pnl { profit: true, usd: 100_000_000 }));
        assert_eq!(pnl(0, 1, 1, btc, 8), Err(PositionError::InvalidSide));
        assert_eq!(average_price(100_000_000, 105_263, 8), Ok(Price(95_000_142_500_213)));
        assert_eq!(average_price(100_000_000, 0, 30), Ok(Price(0)));
        assert_eq!(average_price(1, 1, 19), Err(MathError::InvalidDecimals));

        // 10 SOL locked while the index grew 5 %: 0.5 SOL; rounding up.
        assert_eq!(borrow_fee_tokens(10_000_000_000, 1_050_000_000_000, INDEX_ONE), Ok(500_000_000));
        assert_eq!(borrow_fee_tokens(1, INDEX_ONE + 1, INDEX_ONE), Ok(1));
        assert_eq!(borrow_fee_tokens(1, INDEX_ONE, INDEX_ONE + 1), Ok(0));

        assert_eq!(equity_usd(100, Pnl { profit: false, usd: 150 }, 10), Ok(Equity { negative: true, usd: 60 }));
        assert_eq!(equity_usd(100, Pnl { profit: true, usd: 5 }, 105), Ok(Equity::default()));
        assert_eq!(equity_usd(u64::MAX, Pnl { profit: true, usd: 1 }, 0), Err(MathError::Overflow));
        assert!(health_ok(Equity { negative: false, usd: 100 }, 10_000, 100));
        assert!(!health_ok(Equity { negative: false, usd: 99 }, 10_000, 100));
        assert!(!health_ok(Equity { negative: true, usd: 0 }, 0, 0));
        assert!(health_ok(Equity::default(), 0, 100));
        assert!(health_ok(Equity { negative: false, usd: u64::MAX }, u64::MAX, 10_000));
    }

    #[test]
    fn pool_pnl_by_example() {
        // Longs: 10 SOL opened for $1,400; shorts: 5 SOL for $800. At $150:
        // longs +$100, shorts +$50.
        let base = PoolPnlInput {
            long_oi_usd: 1_400_000_000,
            long_oi_tokens: 10_000_000_000,
            short_oi_usd: 800_000_000,
            short_oi_tokens: 5_000_000_000,
            decimals: 9,
            long_price: Price(SOL),
            short_price: Price(SOL),
            round_for_max_aum: false,
        };
        assert_eq!(pool_pnl(&base), Ok(Pnl { profit: true, usd: 150_000_000 }));
        // One native unit of SOL at $150 is $0.00000015: rounding decides.
        let odd = PoolPnlInput { long_oi_tokens: 1, long_oi_usd: 0, short_oi_tokens: 1, short_oi_usd: 0, ..base };
        assert_eq!(pool_pnl(&odd), Ok(Pnl { profit: true, usd: 1 }));
        assert_eq!(pool_pnl(&PoolPnlInput { round_for_max_aum: true, ..odd }), Ok(Pnl { profit: false, usd: 1 }));
        let big = PoolPnlInput {
            long_oi_usd: 0,
            short_oi_usd: u64::MAX,
            long_oi_tokens: u64::MAX,
            short_oi_tokens: 0,
            long_price: Price(10_000_000_000_000),
            ..base
        };
        assert_eq!(pool_pnl(&big), Err(MathError::Overflow));
        assert_eq!(pool_pnl(&PoolPnlInput { decimals: 19, ..base }), Err(MathError::InvalidDecimals));
    }

    #[test]
    fn sol_long_round_trip_by_example() {
        let i = sol_long();
        let q = quote_increase(&i).unwrap();
        assert_eq!(
            q,
            IncreaseQuote {
                entry_price: Price(150_300_000_000),
                size_tokens_delta: 9_980_039_920,
                fee_usd: 900_000,
                fee_tokens: 6_000_000,
                borrow_fee_tokens: 0,
                owed_paid: 0,
                collateral_after: 994_000_000,
                locked_delta: 10_000_000_000,
                size_usd_after: 1_500_000_000,
                size_tokens_after: 9_980_039_920,
                average_price_after: Price(150_300_000_002),
                leverage_bps_after: 100_603,
                lp_fee: 5_100_000,
                protocol_fee: 600_000,
                insurance_fee: 300_000,
            }
        );

        // A year later SOL is $165 (no confidence) and the borrow index grew 5 %.
        let pos = opened(&i, &q);
        let at = quote(165_000_000_000, 165_000_000_000, 0);
        let d = DecreaseInput {
            now: 1_000 + 31_536_000,
            pos,
            size_delta_usd: pos.size_usd,
            collateral_out: 0,
            market: market(9, at),
            coll: CollateralSide {
                borrow_index: 1_050_000_000_000,
                locked: pos.locked_amount,
                ..collateral(9, at, 1_000_000_000_000)
            },
            fees: SHARES,
            impact: Default::default(),
        };
        let c = quote_decrease(&d).unwrap();
        assert_eq!(c.exit_price, Price(164_835_000_000));
        assert!(c.pnl_profit && c.full_close);
        assert_eq!(c.pnl_usd, 145_059_880);
        assert_eq!(c.borrow_fee_tokens, 500_000_000);
        assert_eq!(c.fee_tokens, 5_454_546);
        assert_eq!(c.profit_tokens, 879_150_787);
        assert_eq!(c.amount_out, 488_545_454 + 879_150_787);
        assert_eq!((c.collateral_after, c.size_usd_after, c.size_tokens_after), (0, 0, 0));
        assert_eq!(c.locked_released, 10_000_000_000);

        // The same close in the opening second: no profit.
        let same = quote_decrease(&DecreaseInput { now: 1_000, ..d }).unwrap();
        assert_eq!((same.pnl_profit, same.pnl_usd, same.profit_tokens), (false, 0, 0));
        assert_eq!(same.amount_out, 488_545_454);
    }

    #[test]
    fn increase_errors() {
        let base = sol_long();
        assert!(quote_increase(&base).is_ok());
        let q = |f: &dyn Fn(&mut IncreaseInput)| {
            let mut i = base;
            f(&mut i);
            quote_increase(&i)
        };
        use PositionError::*;
        assert_eq!(q(&|i| i.pos.side = 0), Err(InvalidSide));
        assert_eq!(q(&|i| i.size_delta_usd = 0), Err(ZeroAmount));
        assert_eq!(q(&|i| i.market.spread_bps = 9_990), Err(InvalidSpread));
        assert_eq!(q(&|i| i.collateral_delta = 5_999_999), Err(InsufficientCollateral));
        assert_eq!(q(&|i| i.market.max_position_usd = 1_499_999_999), Err(PositionTooLarge));
        assert_eq!(q(&|i| i.market.oi_usd = i.market.oi_cap_usd - 1_499_999_999), Err(OpenInterestCap));
        assert_eq!(q(&|i| i.market.oi_usd = u64::MAX), Err(OpenInterestCap));
        // 10 SOL to lock: owned 11.1 SOL with a 10 % buffer leaves 9.99 lockable.
        assert_eq!(q(&|i| i.coll.owned = 11_100_000_000), Err(InsufficientLiquidity));
        assert!(q(&|i| i.coll.owned = 11_111_111_112).is_ok());
        assert_eq!(q(&|i| i.market.min_collateral_usd = 149_100_001), Err(CollateralTooSmall));
        // Leverage 10.0603×: a cap of 10.0603× is just below it.
        assert_eq!(q(&|i| i.market.max_leverage_bps = 100_603), Err(LeverageTooHigh));
        assert!(q(&|i| i.market.max_leverage_bps = 100_604).is_ok());
        // Equity $142.21 on $1,500: below a 9.49 % margin.
        assert_eq!(q(&|i| i.market.maintenance_margin_bps = 949), Err(WouldBeLiquidatable));
        assert!(q(&|i| i.market.maintenance_margin_bps = 948).is_ok());
        assert_eq!(q(&|i| i.coll.decimals = 19), Err(Math(MathError::InvalidDecimals)));
        assert_eq!(q(&|i| i.fees.protocol_bps = 9_600), Err(Math(MathError::Underflow)));
        // A settled borrow fee comes out of the collateral.
        let with_fee = q(&|i| {
            i.pos.locked_amount = 10_000_000_000;
            i.coll.borrow_index = INDEX_ONE + INDEX_ONE / 100;
        })
        .unwrap();
        assert_eq!(with_fee.borrow_fee_tokens, 100_000_000);
        assert_eq!(with_fee.collateral_after, 894_000_000);
    }

    #[test]
    fn decrease_errors() {
        let i = sol_long();
        let pos = opened(&i, &quote_increase(&i).unwrap());
        let base = DecreaseInput {
            now: 2_000,
            pos,
            size_delta_usd: 500_000_000,
            collateral_out: 0,
            market: i.market,
            coll: i.coll,
            fees: SHARES,
            impact: Default::default(),
        };
        assert!(quote_decrease(&base).is_ok());
        let q = |f: &dyn Fn(&mut DecreaseInput)| {
            let mut i = base;
            f(&mut i);
            quote_decrease(&i)
        };
        use PositionError::*;
        assert_eq!(q(&|i| i.pos.side = 7), Err(InvalidSide));
        assert_eq!(q(&|i| i.size_delta_usd = 0), Err(ZeroAmount));
        assert_eq!(q(&|i| i.size_delta_usd = 1_500_000_001), Err(SizeTooLarge));
        assert_eq!(q(&|i| i.collateral_out = 1_000_000_000), Err(InsufficientCollateral));
        // Withdrawing most of the collateral: too little left, or too much leverage.
        assert_eq!(
            q(&|i| {
                i.size_delta_usd = 0;
                i.collateral_out = 990_000_000;
            }),
            Err(CollateralTooSmall)
        );
        assert_eq!(
            q(&|i| {
                i.size_delta_usd = 0;
                i.collateral_out = 500_000_000;
                i.market.max_leverage_bps = 100_000;
            }),
            Err(LeverageTooHigh)
        );
        assert_eq!(
            q(&|i| {
                i.size_delta_usd = 0;
                i.collateral_out = 500_000_000;
                i.market.maintenance_margin_bps = 500;
            }),
            Err(WouldBeLiquidatable)
        );
        // SOL at $50: the loss exceeds the collateral.
        let crash = quote(50_000_000_000, 50_000_000_000, 0);
        assert_eq!(
            q(&|i| {
                i.market.price = crash;
                i.coll.price = crash;
            }),
            Err(PositionUnderwater)
        );
        // Removing collateral alone keeps the size and pays no fee.
        let r = q(&|i| {
            i.size_delta_usd = 0;
            i.collateral_out = 100_000_000;
        })
        .unwrap();
        assert_eq!((r.size_usd_after, r.fee_tokens, r.closed_tokens), (pos.size_usd, 0, 0));
        assert_eq!(r.amount_out, 100_000_000);
        assert_eq!(r.collateral_after, pos.collateral_amount - 100_000_000);
        assert!(!r.full_close);
    }

    /// A 10× SOL short on USDC: $10,000 on 1,000 USDC at $150 (no spread, no confidence).
    fn usdc_short(price: u64) -> LiquidateInput {
        let sol = quote(SOL, SOL, 0);
        let usdc = quote(USDC, USDC, 0);
        let open = IncreaseInput {
            now: 0,
            pos: PositionState { side: SHORT, borrow_index_snapshot: INDEX_ONE, ..Default::default() },
            size_delta_usd: 10_000_000_000,
            collateral_delta: 1_000_000_000,
            market: MarketSide { spread_bps: 0, ..market(9, sol) },
            coll: collateral(6, usdc, 1_000_000_000_000),
            fees: SHARES,
            impact: Default::default(),
        };
        let q = quote_increase(&open).unwrap();
        assert_eq!((q.size_tokens_after, q.collateral_after), (66_666_666_667, 994_000_000));
        let at = quote(price, price, 0);
        LiquidateInput {
            now: 100,
            pos: opened(&open, &q),
            market: MarketSide { price: at, ..open.market },
            coll: open.coll,
            fees: SHARES,
            insurance_balance: 100_000_000,
        }
    }

    #[test]
    fn partial_liquidation_by_example() {
        // At $163.50 equity is $88 < 1 % of $10,000; the exact fraction is 60.87 % → 75 %.
        let i = usdc_short(163_500_000_000);
        let q = quote_liquidate(&i).unwrap();
        assert!(!q.full);
        assert_eq!(q.fraction_bps, 7_500);
        assert_eq!(q.size_delta_usd, 7_500_000_000);
        assert_eq!(q.closed_tokens, 50_000_000_001);
        assert_eq!((q.pnl_profit, q.pnl_usd, q.loss_tokens), (false, 675_000_001, 675_000_001));
        assert_eq!((q.fee_tokens, q.reward_tokens), (4_500_000, 7_500_000));
        assert_eq!(q.collateral_after, 306_999_999);
        assert_eq!((q.size_usd_after, q.size_tokens_after), (2_500_000_000, 16_666_666_666));
        assert_eq!(q.locked_released, 7_500_000_000);
        assert_eq!((q.lp_fee, q.protocol_fee, q.insurance_fee), (3_825_000, 450_000, 225_000));
        assert_eq!((q.owner_out, q.insurance_used, q.pool_loss), (0, 0, 0));
        // What is left is healthy: liquidating it again is refused.
        let rest = LiquidateInput {
            pos: PositionState {
                size_usd: q.size_usd_after,
                size_tokens: q.size_tokens_after,
                collateral_amount: q.collateral_after,
                locked_amount: i.pos.locked_amount - q.locked_released,
                ..i.pos
            },
            ..i
        };
        assert_eq!(quote_liquidate(&rest), Err(PositionError::NotLiquidatable));
        // At $163.30 the position is still healthy.
        assert_eq!(quote_liquidate(&usdc_short(163_300_000_000)), Err(PositionError::NotLiquidatable));
        assert_eq!(
            quote_liquidate(&LiquidateInput { pos: PositionState { side: 3, ..i.pos }, ..i }),
            Err(PositionError::InvalidSide)
        );
    }

    #[test]
    fn full_liquidation_with_bad_debt_by_example() {
        // At $170 the loss ($1,333.33) exceeds the collateral ($994).
        let i = usdc_short(170_000_000_000);
        let q = quote_liquidate(&i).unwrap();
        assert!(q.full);
        assert_eq!(q.fraction_bps, 10_000);
        assert_eq!(q.pnl_usd, 1_333_333_334);
        assert_eq!((q.loss_tokens, q.fee_tokens, q.borrow_fee_tokens), (994_000_000, 0, 0));
        assert_eq!((q.insurance_used, q.pool_loss), (100_000_000, 239_333_334));
        assert_eq!((q.reward_tokens, q.reward_from_insurance, q.reward_from_pool), (10_000_000, 0, 10_000_000));
        assert_eq!((q.owner_out, q.collateral_after, q.locked_released), (0, 0, 10_000_000_000));
        // A larger insurance fund covers the loss and the keeper.
        let q = quote_liquidate(&LiquidateInput { insurance_balance: 400_000_000, ..i }).unwrap();
        assert_eq!((q.insurance_used, q.pool_loss), (339_333_334, 0));
        assert_eq!((q.reward_from_insurance, q.reward_from_pool), (10_000_000, 0));
    }

    #[test]
    fn liquidation_fraction_edges() {
        let m = |mm, close, reward| MarketSide {
            maintenance_margin_bps: mm,
            close_fee_bps: close,
            liquidation_reward_bps: reward,
            ..Default::default()
        };
        let e = |usd| Equity { negative: false, usd };
        assert_eq!(liquidation_fraction_bps(Equity { negative: true, usd: 1 }, 100, &m(100, 0, 0)), Ok(10_000));
        assert_eq!(liquidation_fraction_bps(e(0), 100, &m(100, 0, 0)), Ok(10_000));
        // 2 × mm <= close + reward: closing never restores health.
        assert_eq!(liquidation_fraction_bps(e(1), 10_000, &m(100, 150, 50)), Ok(10_000));
        // Free closing: f = (T·S − 10_000·E) / (S·T). E = 0.99 % of S: f = 50.5 % → 75 %.
        assert_eq!(liquidation_fraction_bps(e(99), 10_000, &m(100, 0, 0)), Ok(7_500));
        assert_eq!(liquidation_fraction_bps(e(100), 10_000, &m(100, 0, 0)), Ok(5_000));
        assert_eq!(liquidation_fraction_bps(e(75), 5_000, &m(100, 0, 0)), Ok(2_500));
        assert_eq!(liquidation_fraction_bps(e(1), 10_000, &m(100, 0, 0)), Ok(10_000));
        assert_eq!(liquidation_fraction_bps(e(1), 1, &m(u64::MAX / 6 + 1, 0, 0)), Err(MathError::Overflow));
        assert_eq!(liquidation_fraction_bps(e(1), 1, &m(u64::MAX / 2 + 1, 0, 0)), Err(MathError::Overflow));
    }

    // ------------------------------------------------------------------------------------------
    // Properties over realistic scenarios
    // ------------------------------------------------------------------------------------------

    /// One custody's balances as the processor keeps them (signed so any drift shows).
    #[derive(Clone, Copy, Debug, Default)]
    struct Books {
        vault: i128,
        owned: i128,
        collateral: i128,
        protocol: i128,
        insurance: i128,
        locked: i128,
    }

    impl Books {
        fn sum(&self) -> i128 {
            self.owned + self.collateral + self.protocol + self.insurance
        }

        fn increase(&mut self, i: &IncreaseInput, q: &IncreaseQuote) {
            self.vault += i.collateral_delta as i128;
            self.collateral += q.collateral_after as i128 - i.pos.collateral_amount as i128;
            self.owned += q.lp_fee as i128;
            self.protocol += q.protocol_fee as i128;
            self.insurance += q.insurance_fee as i128;
            self.locked += q.locked_delta as i128;
        }

        fn decrease(&mut self, i: &DecreaseInput, q: &DecreaseQuote) {
            self.vault -= q.amount_out as i128;
            self.collateral -= i.pos.collateral_amount as i128 - q.collateral_after as i128;
            self.owned += q.loss_tokens as i128 + q.lp_fee as i128 - q.profit_tokens as i128;
            self.protocol += q.protocol_fee as i128;
            self.insurance += q.insurance_fee as i128;
            self.locked -= q.locked_released as i128;
        }

        fn liquidate(&mut self, i: &LiquidateInput, q: &LiquidationQuote) {
            self.vault -= (q.reward_tokens + q.owner_out) as i128;
            self.collateral += q.collateral_after as i128 - i.pos.collateral_amount as i128;
            self.owned += q.loss_tokens as i128 + q.lp_fee as i128 + q.insurance_used as i128
                - q.profit_tokens as i128
                - q.reward_from_pool as i128;
            self.insurance += q.insurance_fee as i128 - q.insurance_used as i128 - q.reward_from_insurance as i128;
            self.protocol += q.protocol_fee as i128;
            self.locked -= q.locked_released as i128;
        }
    }

    #[derive(Clone, Copy, Debug)]
    struct Token {
        decimals: u8,
        price: u64,
    }

    const TOKENS: [Token; 3] = [
        Token { decimals: 9, price: SOL },
        Token { decimals: 8, price: 95_000_000_000_000 },
        Token { decimals: 6, price: USDC },
    ];

    /// A realistic opening: market token, side, collateral token (the market token or USDC for
    /// a long, USDC for a short), prices with a spread between min and max and a confidence,
    /// custody configuration, the deposit (about $10 to $100k) and the leverage.
    #[derive(Clone, Copy, Debug)]
    struct Scenario {
        open: IncreaseInput,
    }

    fn price_quote(price: u64, width_bps: u64, conf_bps: u64) -> PriceQuote {
        let max = price + price / 10_000 * width_bps;
        quote(price, max, price / 10_000 * conf_bps)
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            (0usize..3, any::<bool>(), any::<bool>(), 0u64..=30, 0u64..=20, 0u64..=30),
            (0u64..=20, 0u64..=20, 10u64..=200, 0u64..=50, 500_000u64..=1_000_000),
            (10_000_000u64..100_000_000_000, 10_000u64..=500_000, 0u64..=3_000, 0u64..=2_000),
        )
            .prop_map(|(a, b, c)| {
                let (market_token, long, market_collateral, width, conf, spread) = a;
                let (open_fee, close_fee, mm, reward, max_leverage) = b;
                let (deposit_usd, leverage_bps, protocol, insurance) = c;
                let mt = TOKENS[market_token];
                let long = long || mt.decimals == 6; // USDC is only ever collateral
                let ct = if long && market_collateral { mt } else { TOKENS[2] };
                let mq = price_quote(mt.price, width, conf);
                let cq = if ct.decimals == mt.decimals { mq } else { price_quote(USDC, 0, 0) };
                let deposit = (deposit_usd as u128 * 10u128.pow(ct.decimals as u32 + 3) / ct.price as u128) as u64;
                let size = (deposit_usd as u128 * leverage_bps as u128 / 10_000) as u64;
                let owned = (10_000_000_000_000_000u128 * 10u128.pow(ct.decimals as u32 + 3) / ct.price as u128) as u64;
                Scenario {
                    open: IncreaseInput {
                        now: 1_000,
                        pos: PositionState {
                            side: if long { LONG } else { SHORT },
                            open_time: 1_000,
                            borrow_index_snapshot: INDEX_ONE,
                            ..Default::default()
                        },
                        size_delta_usd: size.max(1),
                        collateral_delta: deposit,
                        market: MarketSide {
                            decimals: mt.decimals,
                            price: mq,
                            spread_bps: spread,
                            open_fee_bps: open_fee,
                            close_fee_bps: close_fee,
                            max_leverage_bps: max_leverage,
                            max_position_usd: u64::MAX,
                            oi_usd: 0,
                            oi_cap_usd: u64::MAX,
                            min_collateral_usd: 0,
                            maintenance_margin_bps: mm,
                            liquidation_reward_bps: reward,
                        },
                        coll: CollateralSide {
                            decimals: ct.decimals,
                            price: cq,
                            borrow_index: INDEX_ONE,
                            owned,
                            locked: 0,
                            buffer_bps: 1_000,
                        },
                        fees: FeeShares { protocol_bps: protocol, insurance_bps: insurance },
                        impact: Default::default(),
                    },
                }
            })
    }

    /// Price moves in bps of the opening price: anywhere in ±50 %, or within ±5 % where
    /// leveraged positions cross their maintenance margin.
    fn moves() -> impl Strategy<Value = u64> {
        prop_oneof![5_000u64..15_000, 9_500u64..10_500, 9_900u64..10_100]
    }

    /// Moves both custodies' prices by `move_bps` / 10_000 (the same factor: a USDC collateral
    /// stays at $1) and the borrow index by `interest` parts per 1e12.
    fn moved(s: &Scenario, move_bps: u64, interest: u64) -> (MarketSide, CollateralSide) {
        let scale = |q: PriceQuote| PriceQuote {
            min: Price((q.min.0 as u128 * move_bps as u128 / 10_000).max(1) as u64),
            max: Price((q.max.0 as u128 * move_bps as u128 / 10_000).max(1) as u64),
            conf: (q.conf as u128 * move_bps as u128 / 10_000) as u64,
        };
        let mut market = s.open.market;
        market.price = scale(market.price);
        let mut coll = s.open.coll;
        if coll.decimals == market.decimals {
            coll.price = market.price;
        }
        coll.borrow_index = INDEX_ONE + interest;
        (market, coll)
    }

    /// Opens the scenario's position; `None` if the opening is refused.
    fn open(s: &Scenario) -> Option<(IncreaseQuote, PositionState, Books)> {
        let q = quote_increase(&s.open).ok()?;
        let mut books =
            Books { vault: s.open.coll.owned as i128, owned: s.open.coll.owned as i128, ..Default::default() };
        books.increase(&s.open, &q);
        assert_eq!(books.vault, books.sum(), "increase accounting");
        Some((q, opened(&s.open, &q), books))
    }

    /// The custody as seen after `books`, with a moved market.
    fn custody_after(coll: &CollateralSide, books: &Books) -> CollateralSide {
        CollateralSide { owned: books.owned as u64, locked: books.locked as u64, ..*coll }
    }

    #[test]
    fn property_strategies_mostly_succeed() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = (scenario(), moves());
        let (mut opens, mut liquidations, mut partials) = (0, 0, 0);
        let cases = 2_000;
        for _ in 0..cases {
            let (s, mv) = strategy.new_tree(&mut runner).unwrap().current();
            let Some((_, pos, books)) = open(&s) else {
                continue;
            };
            opens += 1;
            let (market, coll) = moved(&s, mv, 0);
            if let Ok(q) = quote_liquidate(&LiquidateInput {
                now: 2_000,
                pos,
                market,
                coll: custody_after(&coll, &books),
                fees: s.open.fees,
                insurance_balance: 0,
            }) {
                liquidations += 1;
                partials += !q.full as u32;
            }
        }
        std::eprintln!("of {cases}: opened {opens}, liquidated {liquidations} ({partials} partial)");
        assert!(opens > cases / 2, "{opens}");
        assert!(liquidations > cases / 20 && partials > cases / 100, "{liquidations} {partials}");
    }

    /// Positions pushed just past their maintenance margin (the price found by bisection, then
    /// a few bps further): every liquidation is of an unhealthy position, balances the books,
    /// and a partial one leaves a healthy position.
    #[test]
    fn liquidations_near_the_margin() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = (scenario(), 0u64..40, 0u64..10_000_000_000, 0u64..1u64 << 36);
        let (mut liquidated, mut partial) = (0, 0);
        for _ in 0..1_500 {
            let (s, past, interest, insurance) = strategy.new_tree(&mut runner).unwrap().current();
            let Some((_, pos, books)) = open(&s) else {
                continue;
            };
            let long = pos.side == LONG;
            let at = |mv: u64| {
                let (market, coll) = moved(&s, mv, interest);
                LiquidateInput {
                    now: 2_000,
                    pos,
                    market,
                    coll: custody_after(&coll, &books),
                    fees: s.open.fees,
                    insurance_balance: insurance,
                }
            };
            let liquidatable = |mv: u64| !matches!(quote_liquidate(&at(mv)), Err(PositionError::NotLiquidatable));
            // Healthy at `good`, liquidatable at `bad` (equity is monotonic in the price).
            let (mut good, mut bad) = if long { (10_000u64, 1u64) } else { (10_000u64, 40_000u64) };
            if liquidatable(good) || !liquidatable(bad) {
                continue;
            }
            while good.abs_diff(bad) > 1 {
                let mid = (good + bad) / 2;
                if liquidatable(mid) {
                    bad = mid
                } else {
                    good = mid
                }
            }
            let mv = if long { bad.saturating_sub(past).max(1) } else { bad + past };
            let liq = at(mv);
            let q = quote_liquidate(&liq).unwrap();
            liquidated += 1;
            let mut b = books;
            b.vault += insurance as i128;
            b.insurance += insurance as i128;
            b.liquidate(&liq, &q);
            assert_eq!(b.vault, b.sum(), "{s:?} {mv}");
            if !q.full {
                partial += 1;
                let rest = PositionState {
                    size_usd: q.size_usd_after,
                    size_tokens: q.size_tokens_after,
                    collateral_amount: q.collateral_after,
                    locked_amount: pos.locked_amount - q.locked_released,
                    borrow_index_snapshot: liq.coll.borrow_index,
                    ..pos
                };
                let again = LiquidateInput { pos: rest, coll: custody_after(&liq.coll, &b), ..liq };
                assert_eq!(quote_liquidate(&again), Err(PositionError::NotLiquidatable), "{s:?} {mv}");
            }
        }
        std::eprintln!("near the margin: liquidated {liquidated}, partial {partial}");
        assert!(liquidated > 1_000 && partial > 300, "{liquidated} {partial}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// Opening and closing at the same prices never returns more than was put in, and the
        /// pool never ends up with less.
        #[test]
        fn round_trip_never_profits(s in scenario(), later in 0i64..3, interest in 0u64..1_000_000_000) {
            let Some((_, pos, mut books)) = open(&s) else { return Ok(()) };
            let (market, coll) = moved(&s, 10_000, interest);
            let d = DecreaseInput {
                now: 1_000 + later, pos, size_delta_usd: pos.size_usd, collateral_out: 0,
                market, coll: custody_after(&coll, &books), fees: s.open.fees,
                impact: Default::default(),
            };
            let Ok(q) = quote_decrease(&d) else { return Ok(()) };
            prop_assert!(q.full_close && !q.pnl_profit);
            prop_assert!(q.amount_out <= s.open.collateral_delta, "{} > {}", q.amount_out, s.open.collateral_delta);
            books.decrease(&d, &q);
            prop_assert_eq!(books.vault, books.sum());
            prop_assert_eq!(books.locked, 0);
            prop_assert_eq!(books.collateral, 0);
            prop_assert!(books.owned >= s.open.coll.owned as i128);
        }

        /// Every quote keeps the custody's books balanced; an increase or a partial decrease
        /// never leaves a liquidatable position; a liquidation only happens below maintenance
        /// margin and a partial one leaves a healthy position.
        #[test]
        fn accounting_and_health(
            s in scenario(), mv in moves(), interest in 0u64..200_000_000_000,
            fraction in 0u64..=10_000, out_fraction in 0u64..=10_000, insurance in prop_oneof![Just(0u64), 0u64..1u64 << 40],
            later in 0i64..3,
        ) {
            let Some((_, pos, books)) = open(&s) else { return Ok(()) };
            let (market, coll) = moved(&s, mv, interest);
            let coll = custody_after(&coll, &books);
            let now = 1_000 + later;

            // Increase again by half.
            let inc = IncreaseInput { now, pos, size_delta_usd: pos.size_usd / 2 + 1, collateral_delta: s.open.collateral_delta / 4, market, coll, fees: s.open.fees, impact: Default::default() };
            if let Ok(q) = quote_increase(&inc) {
                let mut b = books;
                b.increase(&inc, &q);
                prop_assert_eq!(b.vault, b.sum());
                prop_assert!(q.lp_fee + q.protocol_fee + q.insurance_fee == q.fee_tokens + q.borrow_fee_tokens);
                let after = LiquidateInput { now, pos: opened(&inc, &q), market, coll: custody_after(&coll, &b), fees: s.open.fees, insurance_balance: 0 };
                prop_assert_eq!(quote_liquidate(&after), Err(PositionError::NotLiquidatable));
            }

            // Decrease a fraction and withdraw some collateral.
            let dec = DecreaseInput {
                now, pos, size_delta_usd: (pos.size_usd as u128 * fraction as u128 / 10_000) as u64,
                collateral_out: (pos.collateral_amount as u128 * out_fraction as u128 / 20_000) as u64,
                market, coll, fees: s.open.fees,
                impact: Default::default(),
            };
            if let Ok(q) = quote_decrease(&dec) {
                let mut b = books;
                b.decrease(&dec, &q);
                prop_assert_eq!(b.vault, b.sum());
                prop_assert!(b.locked >= 0 && b.collateral >= 0);
                prop_assert!(q.lp_fee + q.protocol_fee + q.insurance_fee == q.fee_tokens + q.borrow_fee_tokens);
                prop_assert!(q.profit_tokens <= q.locked_released);
                if !q.full_close && q.size_usd_after > 0 {
                    let rest = PositionState {
                        size_usd: q.size_usd_after, size_tokens: q.size_tokens_after,
                        collateral_amount: q.collateral_after, locked_amount: pos.locked_amount - q.locked_released,
                        borrow_index_snapshot: coll.borrow_index, ..pos
                    };
                    let after = LiquidateInput { now, pos: rest, market, coll: custody_after(&coll, &b), fees: s.open.fees, insurance_balance: 0 };
                    prop_assert_eq!(quote_liquidate(&after), Err(PositionError::NotLiquidatable));
                }
            }

            // Liquidate.
            let liq = LiquidateInput { now, pos, market, coll, fees: s.open.fees, insurance_balance: insurance };
            let borrow_fee = borrow_fee_tokens(pos.locked_amount, coll.borrow_index, pos.borrow_index_snapshot).unwrap();
            let spread = trade_spread_bps(market.spread_bps, &market.price).unwrap();
            let exit = exit_price(pos.side, &market.price, market.spread_bps).unwrap();
            prop_assert_eq!(exit, exit_at(pos.side == LONG, &market.price, spread).unwrap());
            let p = pnl(pos.side, pos.size_usd, pos.size_tokens, exit, market.decimals).unwrap();
            let collateral_usd = token_to_usd_floor(TokenAmount(pos.collateral_amount.saturating_sub(borrow_fee)), coll.price.min, coll.decimals).unwrap().0;
            // A borrow fee the collateral cannot pay is owed, valued at the collateral MAX price (up).
            let unpaid = borrow_fee.saturating_sub(pos.collateral_amount);
            let owed = if unpaid == 0 { 0 } else { token_to_usd_ceil(TokenAmount(unpaid), coll.price.max, coll.decimals).unwrap().0 };
            let equity = equity_usd(collateral_usd, p, fee_amount(pos.size_usd, market.close_fee_bps).unwrap() + owed).unwrap();
            let healthy = health_ok(equity, pos.size_usd, market.maintenance_margin_bps);
            match quote_liquidate(&liq) {
                Err(PositionError::NotLiquidatable) => prop_assert!(healthy),
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
                Ok(q) => {
                    prop_assert!(!healthy);
                    let mut b = books;
                    b.vault += insurance as i128;
                    b.insurance += insurance as i128;
                    b.liquidate(&liq, &q);
                    prop_assert_eq!(b.vault, b.sum());
                    prop_assert!(b.insurance >= 0);
                    prop_assert!(q.insurance_used + q.reward_from_insurance <= insurance);
                    prop_assert!(q.lp_fee + q.protocol_fee + q.insurance_fee == q.fee_tokens + q.borrow_fee_tokens);
                    prop_assert_eq!(q.size_usd_after, pos.size_usd - q.size_delta_usd);
                    if q.full {
                        prop_assert_eq!(q.fraction_bps, 10_000);
                        prop_assert_eq!(b.collateral, 0);
                        prop_assert_eq!(b.locked, 0);
                        prop_assert_eq!(q.reward_tokens, q.reward_from_insurance + q.reward_from_pool + (q.reward_tokens - q.reward_from_insurance - q.reward_from_pool));
                    } else {
                        prop_assert!(q.fraction_bps % LIQUIDATION_TIER_BPS == 0 && q.fraction_bps < 10_000);
                        prop_assert_eq!(q.owner_out + q.insurance_used + q.pool_loss + q.reward_from_pool + q.reward_from_insurance, 0);
                        let rest = PositionState {
                            size_usd: q.size_usd_after, size_tokens: q.size_tokens_after,
                            collateral_amount: q.collateral_after, locked_amount: pos.locked_amount - q.locked_released,
                            borrow_index_snapshot: coll.borrow_index, ..pos
                        };
                        let again = LiquidateInput { pos: rest, coll: custody_after(&coll, &b), ..liq };
                        prop_assert_eq!(quote_liquidate(&again), Err(PositionError::NotLiquidatable));
                    }
                }
            }
        }
    }
}
