//! What positions owe and earn over time — borrow fees, funding, interest on unrealized PnL and
//! interest on interest-bearing collateral — settled per position on every update, and counted
//! per custody in O(1) so the pool value includes it before anyone settles (SPEC §5, §6 items 6–8).
//!
//! # Two halves that must agree
//! - **Aggregates** ([`accrue_carry`], [`funding_aggregates`]) grow with the custody's indexes at
//!   every accrual: what positions owe the pool (borrow fees on `locked`, funding paid by the
//!   heavier side, interest on recorded losses) and what the pool owes them (funding received by the
//!   lighter side, interest on recorded profits). Receivables round down and payables round up.
//! - **Settlement** ([`settle_carry`]) takes one position's exact share since its snapshots and the
//!   processor subtracts it from the aggregates (saturating: the per-position amounts round against
//!   the position, so their sum can exceed the aggregate by rounding).
//!
//! Between accruals the bases (`locked`, open interest, recorded PnL) do not change, so the sum of
//! the shares equals the aggregate up to rounding and settling a position never moves the pool
//! value by more than that rounding.
//!
//! # What is owed stays owed
//! What a position cannot pay from its collateral becomes `owed` (collateral tokens). It is part of
//! the position's equity (health, liquidation, every quote), it is paid first from anything the
//! position later receives or deposits and from profit when size is closed, and a liquidation that
//! cannot collect it books it as bad debt (insurance first, then the pool). Receivers are paid in
//! full by the pool, which holds the debt as a receivable: payers and receivers balance exactly.
//!
//! # Interest on unrealized PnL without a look-back
//! A period's interest is charged on the PnL *recorded at the last settlement* (the base), not on
//! the PnL at the moment of settling, so settling at a price spike earns nothing extra for the past.
//! A profit only becomes the base once it has been held: the base is the smaller of the profit now
//! and the profit observed at least `warmup_secs` earlier (until a new observation is that old, the
//! smaller of the profit now and the previous base). The base is capped at the value of the tokens
//! reserved for the position's payout. A loss is recorded as it is (paying interest is against the
//! trader). Interest uses absolute index growth per 1.0 (`Δindex / INDEX_ONE`), like borrow fees,
//! so shares add up to the aggregates exactly.
//!
//! Units: USD 6 decimals, tokens native, indexes 12 decimals ([`INDEX_ONE`]), funding indexes 18
//! decimals ([`FUNDING_ONE`](super::FUNDING_ONE)).

use super::fixed::raised;
use super::fixed::{checked_add, mul_div, mul_div_floor, Rounding};
use super::funding::{
    accrue_funding, funding_rate, funding_shares, FundingAccrual, FundingError, FundingIndex, FundingInput, FUNDING_ONE,
};
use super::interest::INDEX_ONE;
use super::position::{Pnl, PriceQuote, LONG, SHORT};
use super::units::POW10;
use super::units::{
    token_to_usd_ceil, token_to_usd_floor, usd_to_token_ceil, usd_to_token_floor, Price, TokenAmount, Usd,
};
use super::wide::{div_wide, div_wide_full, wide_mul};
use super::MathError;
use crate::math::checked_sub;
use core::num::NonZeroU64;

crate::source_file!();

/// `floor(amount × delta / INDEX_ONE)` (or ceil), for an index that only grows.
#[inline(always)]
fn index_share(amount: u64, now: u64, snapshot: u64, rounding: Rounding) -> Result<u64, MathError> {
    if now <= snapshot || amount == 0 {
        return Ok(0);
    }
    raised(mul_div(amount, now.abs_diff(snapshot), INDEX_ONE, rounding))
}

// ---------------------------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------------------------

/// Inputs of [`accrue_carry`]: one custody's bases and indexes before and after an accrual.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CarryAccrualInput {
    /// Tokens locked for positions (the base of borrow fees).
    pub locked: u64,
    /// Borrow index before and after (12 decimals).
    pub borrow_index_before: u64,
    pub borrow_index_after: u64,
    /// Supply index before and after (12 decimals).
    pub supply_index_before: u64,
    pub supply_index_after: u64,
    /// Sum of the recorded profit bases of positions settling here, USD.
    pub pnl_profit_base_usd: u64,
    /// Sum of the recorded loss bases, USD.
    pub pnl_loss_base_usd: u64,
    /// The suppliers' share of this accrual's loan interest, tokens.
    pub to_suppliers: u64,
    /// Tokens lent out before the accrual.
    pub lent: u64,
    /// What the pool's own tokens can fund: `max(0, owned − buffer − locked)` before the accrual.
    pub pool_room: u64,
    /// Interest-bearing collateral (positions' plus loans'), tokens; 0 when collateral earns nothing.
    pub earning_collateral: u64,
    /// The collateral index before (12 decimals per token).
    pub collateral_index: u64,
}

/// What [`accrue_carry`] adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CarryAccrual {
    /// Borrow fees positions now owe in addition, tokens (rounded down).
    pub borrow_fees: u64,
    /// Interest owed to recorded profits in addition, USD (rounded up).
    pub pnl_interest_due_usd: u64,
    /// Interest owed by recorded losses in addition, USD (rounded down).
    pub pnl_interest_owed_usd: u64,
    /// The collateral index after.
    pub collateral_index: u64,
    /// Tokens credited to interest-bearing collateral (claimable by its holders).
    pub to_collateral: u64,
    /// The suppliers' share that stays with the pool's own tokens (`to_suppliers − to_collateral`).
    pub to_pool: u64,
}

/// The aggregates of one accrual (see the module docs).
///
/// The suppliers' share of loan interest is split by who funded the loans: the pool's own tokens
/// are lent first (up to `pool_room`); what is lent beyond them comes from interest-bearing
/// collateral (at most `earning_collateral`) and its share of the interest,
/// `floor(to_suppliers × lent_from_collateral / lent)`, is credited to that collateral through the
/// collateral index: `Δ = floor(share × INDEX_ONE / earning_collateral)`, `to_collateral =
/// floor(earning_collateral × Δ / INDEX_ONE)`. Everything else stays with the pool.
///
/// Errors: `Overflow`.
#[inline(always)]
pub fn accrue_carry(i: &CarryAccrualInput) -> Result<CarryAccrual, MathError> {
    let borrow_fees = index_share(i.locked, i.borrow_index_after, i.borrow_index_before, Rounding::Down)?;
    let due = index_share(i.pnl_profit_base_usd, i.supply_index_after, i.supply_index_before, Rounding::Up)?;
    let owed = index_share(i.pnl_loss_base_usd, i.borrow_index_after, i.borrow_index_before, Rounding::Down)?;
    let mut out = CarryAccrual {
        borrow_fees,
        pnl_interest_due_usd: due,
        pnl_interest_owed_usd: owed,
        collateral_index: i.collateral_index,
        to_collateral: 0,
        to_pool: i.to_suppliers,
    };
    let from_collateral = i.lent.saturating_sub(i.pool_room).min(i.earning_collateral);
    if i.to_suppliers == 0 || from_collateral == 0 {
        return Ok(out);
    }
    // from_collateral <= lent, so the share is at most to_suppliers.
    let share = mul_div_floor(i.to_suppliers, from_collateral, i.lent)?;
    let delta = mul_div_floor(share, INDEX_ONE, i.earning_collateral)?;
    let credited = mul_div_floor(i.earning_collateral, delta, INDEX_ONE)?;
    out.collateral_index = checked_add(i.collateral_index, delta)?;
    out.to_collateral = credited;
    out.to_pool = checked_sub(i.to_suppliers, credited)?;
    Ok(out)
}

/// What one funding accrual adds to a market's aggregates, USD: each side's `owed` grows by
/// `floor(side_oi × Δpaid / 10^18)` and its `due` by `ceil(side_oi × Δreceived / 10^18)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingAggregates {
    pub long_owed_usd: u64,
    pub long_due_usd: u64,
    pub short_owed_usd: u64,
    pub short_due_usd: u64,
}

/// Inputs of [`funding_aggregates`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundingAggregatesInput {
    pub long_oi_usd: u64,
    pub short_oi_usd: u64,
    pub long_before: FundingIndex,
    pub long_after: FundingIndex,
    pub short_before: FundingIndex,
    pub short_after: FundingIndex,
}

/// The funding aggregates of one accrual (see [`FundingAggregates`]). Errors: `Underflow` for an
/// index that went down, `Overflow`.
#[inline(always)]
pub fn funding_aggregates(i: &FundingAggregatesInput) -> Result<FundingAggregates, MathError> {
    let (long_owed, long_due) =
        funding_shares(i.long_oi_usd, &i.long_after, &i.long_before, (Rounding::Down, Rounding::Up))?;
    let (short_owed, short_due) =
        funding_shares(i.short_oi_usd, &i.short_after, &i.short_before, (Rounding::Down, Rounding::Up))?;
    Ok(FundingAggregates {
        long_owed_usd: long_owed,
        long_due_usd: long_due,
        short_owed_usd: short_owed,
        short_due_usd: short_due,
    })
}

/// [`accrue_funding`] and the [`funding_aggregates`] of its result, in one pass: the same accrual
/// and the same aggregates, and `Overflow` exactly where either of the two fails (the only error
/// they report here: the indexes only grow).
///
/// The aggregates reuse the accrual's product. With `X = rate · dt · payer_oi`, the payer side's
/// `owed` grows by `floor(X / 10^18)`, and the receiver's index grows by
/// `floor(X / receiver_oi)`, so `receiver_oi · Δreceived = X − X mod receiver_oi` and the receiver
/// side's `due` is `ceil((X − X mod receiver_oi) / 10^18)`. Both come from one quotient and
/// remainder of `X` by 10^18 and the remainder the share's division already leaves, where the two
/// functions multiply and divide once more per side. An interval whose index growth or receiver
/// share does not fit in 64 bits takes the two functions themselves. (An error's logged location
/// may differ from theirs; the error does not.)
#[inline(always)]
pub fn accrue_funding_aggregated(i: &FundingInput) -> Result<(FundingAccrual, FundingAggregates), MathError> {
    let rate = funding_rate(i.long_oi_usd, i.short_oi_usd, i.funding_factor, i.max_rate)?;
    let payer_is_long = i.long_oi_usd > i.short_oi_usd;
    let mut out = FundingAccrual { rate, payer_is_long, long_index: i.long_index, short_index: i.short_index };
    if rate == 0 || i.dt_secs == 0 {
        return Ok((out, FundingAggregates::default()));
    }
    let (payer_oi, receiver_oi) =
        if payer_is_long { (i.long_oi_usd, i.short_oi_usd) } else { (i.short_oi_usd, i.long_oi_usd) };
    let (g_hi, growth) = wide_mul(rate, i.dt_secs);
    // X = growth · payer_oi; the receiver's share is floor(X / receiver_oi) when it fits.
    let (x_hi, x_lo) = wide_mul(growth, payer_oi);
    if g_hi != 0 || (receiver_oi != 0 && x_hi >= receiver_oi) {
        return funding_wide(i);
    }
    // X = q · 10^18 + r, through 10^9 twice; a quotient of 2^64 or more is an `owed` that does
    // not fit.
    let (q_hi, q_lo, r_low) = div_wide_full(x_hi, x_lo, POW10[9]);
    if q_hi >= POW10[9].get() {
        return Err(MathError::Overflow.raise());
    }
    let (q, r_high) = div_wide(q_hi, q_lo, POW10[9]);
    // r_high < 10^9 and r_low < 10^9: r < 10^18, no wrap.
    let r = r_high.wrapping_mul(POW10[9].get()).wrapping_add(r_low);
    let owed = q;
    let (share, due) = match NonZeroU64::new(receiver_oi) {
        None => (0, 0),
        Some(d) => {
            let (share, rem) = div_wide(x_hi, x_lo, d);
            // X − rem = receiver_oi · share >= 0.
            (share, ceil_less(q, r, rem).ok_or_else(|| MathError::Overflow.raise())?)
        }
    };
    let (payer, receiver) = if payer_is_long {
        (&mut out.long_index, &mut out.short_index)
    } else {
        (&mut out.short_index, &mut out.long_index)
    };
    payer.paid = payer.paid.checked_add(growth as u128).ok_or_else(|| MathError::Overflow.raise())?;
    if receiver_oi != 0 {
        receiver.received = receiver.received.checked_add(share as u128).ok_or_else(|| MathError::Overflow.raise())?;
    }
    let aggregates = if payer_is_long {
        FundingAggregates { long_owed_usd: owed, short_due_usd: due, ..FundingAggregates::default() }
    } else {
        FundingAggregates { short_owed_usd: owed, long_due_usd: due, ..FundingAggregates::default() }
    };
    Ok((out, aggregates))
}

/// `ceil((q · 10^18 + r − rem) / 10^18)` for `r < 10^18` and `q · 10^18 + r >= rem`; `None` above
/// `u64::MAX`.
#[inline(always)]
fn ceil_less(q: u64, r: u64, rem: u64) -> Option<u64> {
    if rem <= r {
        // q · 10^18 + (r − rem), with 0 <= r − rem < 10^18.
        q.checked_add((r > rem) as u64)
    } else {
        // q · 10^18 − (rem − r), which is not negative: ceil(q − d / 10^18) = q − floor(d / 10^18).
        // (rem > r: no wrap; the subtraction from q cannot fail under the precondition.)
        q.checked_sub(rem.wrapping_sub(r) / FUNDING_ONE)
    }
}

/// [`accrue_funding_aggregated`] for an interval whose growth or share needs more than 64 bits:
/// the two functions one after the other (out of line: rare).
#[inline(never)]
fn funding_wide(i: &FundingInput) -> Result<(FundingAccrual, FundingAggregates), MathError> {
    let a = accrue_funding(i).map_err(|e| match e {
        FundingError::Math(m) => m,
        FundingError::InvalidSide => MathError::Overflow,
    })?;
    let g = funding_aggregates(&FundingAggregatesInput {
        long_oi_usd: i.long_oi_usd,
        short_oi_usd: i.short_oi_usd,
        long_before: i.long_index,
        long_after: a.long_index,
        short_before: i.short_index,
        short_after: a.short_index,
    })?;
    Ok((a, g))
}

// ---------------------------------------------------------------------------------------------
// Settlement
// ---------------------------------------------------------------------------------------------

/// Inputs of [`settle_carry`]: a position, its snapshots, and its custodies now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CarryInput {
    /// Unix time now, seconds.
    pub now: i64,
    /// 1 long, 2 short.
    pub side: u8,
    /// Size, USD.
    pub size_usd: u64,
    /// Size, market tokens.
    pub size_tokens: u64,
    /// Tokens locked for the position's payout.
    pub locked: u64,
    /// Collateral, tokens.
    pub collateral: u64,
    /// Collateral tokens owed from before.
    pub owed: u64,
    /// The collateral custody's borrow index at the last settlement.
    pub borrow_snapshot: u64,
    /// The collateral custody's supply index at the last settlement.
    pub supply_snapshot: u64,
    /// The collateral custody's collateral index at the last settlement.
    pub collateral_snapshot: u64,
    /// The side's funding indexes at the last settlement.
    pub funding_snapshot: FundingIndex,
    /// The PnL recorded at the last settlement (the base of this period's PnL interest).
    pub pnl_base: Pnl,
    /// The profit observed at `pnl_seen_time` (0 for a loss), USD.
    pub pnl_seen_usd: u64,
    /// When `pnl_seen_usd` was observed.
    pub pnl_seen_time: i64,
    /// The collateral custody's borrow index now.
    pub borrow_index: u64,
    /// The collateral custody's supply index now.
    pub supply_index: u64,
    /// The collateral custody's collateral index now.
    pub collateral_index: u64,
    /// The side's funding indexes now.
    pub funding_index: FundingIndex,
    /// True when the collateral custody pays interest on position collateral.
    pub collateral_earns: bool,
    /// True when the market charges and pays interest on unrealized PnL.
    pub interest_on_pnl: bool,
    /// How long a profit must be held before it earns interest, seconds.
    pub warmup_secs: u64,
    /// The market's exit price now (spread included, no impact): the PnL recorded.
    pub exit_price: Price,
    /// The market token's decimals.
    pub market_decimals: u8,
    /// The collateral token's oracle reading (min pays, max receives).
    pub coll_price: PriceQuote,
    /// The collateral token's decimals.
    pub coll_decimals: u8,
    /// The pool's own tokens in the collateral custody: what it pays out (funding, profit
    /// interest) is capped by it.
    pub pool_tokens: u64,
    /// Interest credited to interest-bearing collateral and unclaimed: the collateral interest is
    /// capped by it (the shares round down, the credit too, so only rounding can bind).
    pub collateral_interest_due: u64,
}

/// What [`settle_carry`] settles. Every amount is the position's own; the processor books them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carry {
    /// Borrow fee on `locked` since the snapshot, tokens (rounded up). Split as a fee.
    pub borrow_fee: u64,
    /// Funding paid by the index, USD (rounded up): subtract from the side's `owed` aggregate.
    pub funding_paid_usd: u64,
    /// Funding received by the index, USD (rounded down): subtract from the side's `due` aggregate.
    pub funding_received_usd: u64,
    /// Net funding paid into the pool, tokens (at the collateral MIN price, rounded up).
    pub funding_in: u64,
    /// Net funding paid out of the pool, tokens (at the collateral MAX price, rounded down).
    pub funding_out: u64,
    /// The part of `funding_in` the position could not pay (it is in `owed_after`), tokens.
    pub funding_unpaid: u64,
    /// Interest earned on the recorded profit, USD (rounded down).
    pub profit_interest_usd: u64,
    /// The same in tokens, paid out of the pool (MAX price, down).
    pub profit_interest_tokens: u64,
    /// Interest paid on the recorded loss, USD (rounded up).
    pub loss_interest_usd: u64,
    /// The same in tokens, paid into the pool (MIN price, up).
    pub loss_interest_tokens: u64,
    /// Interest earned by the collateral, tokens (rounded down), from the custody's credited bucket.
    pub collateral_interest: u64,
    /// The position's collateral after paying and receiving.
    pub collateral_after: u64,
    /// What the position owes after, tokens (non-zero only when `collateral_after` is zero).
    pub owed_after: u64,
    /// The PnL recorded now: the base of the next period.
    pub pnl_base_after: Pnl,
    /// The profit observation after.
    pub pnl_seen_usd_after: u64,
    pub pnl_seen_time_after: i64,
}

/// The position's PnL at `exit` (no opening-second rule: this is a mark, not a realisation).
#[inline(always)]
fn mark_pnl(i: &CarryInput) -> Result<Pnl, MathError> {
    let long = i.side == LONG;
    if long {
        let value = token_to_usd_floor(TokenAmount(i.size_tokens), i.exit_price, i.market_decimals)?.0;
        Ok(Pnl { profit: value > i.size_usd, usd: value.abs_diff(i.size_usd) })
    } else {
        let value = token_to_usd_ceil(TokenAmount(i.size_tokens), i.exit_price, i.market_decimals)?.0;
        Ok(Pnl { profit: i.size_usd > value, usd: value.abs_diff(i.size_usd) })
    }
}

/// Settles what a position owes and earns since its snapshots (see the module docs):
///
/// 1. `borrow_fee = ceil(locked × (borrow − borrow_snapshot) / INDEX_ONE)`.
/// 2. Funding: `paid = ceil(size × Δpaid / 10^18)`, `received = floor(size × Δreceived / 10^18)`;
///    the net is paid in at the collateral MIN price (tokens up) or out at the MAX price (down).
/// 3. With `interest_on_pnl`: a recorded profit earns `floor(base × (supply − supply_snapshot) /
///    INDEX_ONE)` USD (tokens at MAX, down); a recorded loss pays `ceil(base × (borrow −
///    borrow_snapshot) / INDEX_ONE)` USD (tokens at MIN, up).
/// 4. With `collateral_earns`: `floor(collateral × (collateral_index − snapshot) / INDEX_ONE)` tokens.
/// 5. `net = collateral + received + earned − paid − owed`: `collateral_after = max(net, 0)`,
///    `owed_after = max(−net, 0)`.
/// 6. The next base: with `interest_on_pnl` and size, the PnL at `exit_price` now. A loss is the
///    base as it is and clears the profit observation. A profit becomes `min(profit, observed)`
///    when the observation is at least `warmup_secs` old or empty (and a new observation of the
///    profit now starts), else `min(profit, previous profit base)`; capped at the locked tokens'
///    value at the collateral MIN price (down). Without `interest_on_pnl` or size: zero.
///
/// Errors: `Underflow` (an index below its snapshot), `Overflow`, `InvalidDecimals`,
/// `DivideByZero` (a zero collateral price with something to convert).
#[inline(always)]
pub fn settle_carry(i: &CarryInput) -> Result<Carry, MathError> {
    settle_carry_for(i, false)
}

/// [`settle_carry`], or with `closes` only its steps 1 to 5: what the settlement books, with no
/// next base (zero, no profit observed, observed now). A position that closes in full right after
/// needs nothing more: its base would be recorded and released again.
#[inline(always)]
pub fn settle_carry_for(i: &CarryInput, closes: bool) -> Result<Carry, MathError> {
    let borrow_fee = index_share(i.locked, i.borrow_index, i.borrow_snapshot, Rounding::Up)?;
    let (paid_usd, received_usd) =
        funding_shares(i.size_usd, &i.funding_index, &i.funding_snapshot, (Rounding::Up, Rounding::Down))?;
    let (mut funding_in, mut funding_out) = (0, 0);
    if paid_usd > received_usd {
        funding_in = usd_to_token_ceil(Usd(paid_usd.abs_diff(received_usd)), i.coll_price.min, i.coll_decimals)?.0;
    } else if received_usd > paid_usd {
        funding_out = usd_to_token_floor(Usd(received_usd.abs_diff(paid_usd)), i.coll_price.max, i.coll_decimals)?.0;
    }
    let mut pool_left = i.pool_tokens;
    funding_out = funding_out.min(pool_left);
    pool_left = pool_left.saturating_sub(funding_out); // funding_out <= pool_left

    let (mut profit_usd, mut profit_tokens, mut loss_usd, mut loss_tokens) = (0, 0, 0, 0);
    if i.interest_on_pnl && i.pnl_base.usd > 0 {
        if i.pnl_base.profit {
            profit_usd = index_share(i.pnl_base.usd, i.supply_index, i.supply_snapshot, Rounding::Down)?;
            if profit_usd > 0 {
                profit_tokens =
                    usd_to_token_floor(Usd(profit_usd), i.coll_price.max, i.coll_decimals)?.0.min(pool_left);
            }
        } else {
            loss_usd = index_share(i.pnl_base.usd, i.borrow_index, i.borrow_snapshot, Rounding::Up)?;
            if loss_usd > 0 {
                loss_tokens = usd_to_token_ceil(Usd(loss_usd), i.coll_price.min, i.coll_decimals)?.0;
            }
        }
    }
    let collateral_interest = if i.collateral_earns {
        index_share(i.collateral, i.collateral_index, i.collateral_snapshot, Rounding::Down)?
            .min(i.collateral_interest_due)
    } else {
        0
    };

    let credits =
        checked_add(checked_add(i.collateral, funding_out)?, checked_add(profit_tokens, collateral_interest)?)?;
    let debits = checked_add(checked_add(borrow_fee, funding_in)?, checked_add(loss_tokens, i.owed)?)?;
    let (collateral_after, owed_after) = (credits.saturating_sub(debits), debits.saturating_sub(credits));
    // What was owed before is paid first, then the borrow fee, then funding, then loss interest.
    let after_fee = credits.saturating_sub(checked_add(i.owed, borrow_fee)?);
    let funding_unpaid = funding_in.saturating_sub(after_fee);

    let mut out = Carry {
        borrow_fee,
        funding_paid_usd: paid_usd,
        funding_received_usd: received_usd,
        funding_in,
        funding_out,
        funding_unpaid,
        profit_interest_usd: profit_usd,
        profit_interest_tokens: profit_tokens,
        loss_interest_usd: loss_usd,
        loss_interest_tokens: loss_tokens,
        collateral_interest,
        collateral_after,
        owed_after,
        pnl_base_after: Pnl::default(),
        pnl_seen_usd_after: 0,
        pnl_seen_time_after: i.now,
    };
    if closes || !i.interest_on_pnl || i.size_usd == 0 {
        return Ok(out);
    }
    let now_pnl = mark_pnl(i)?;
    if !now_pnl.profit {
        out.pnl_base_after = now_pnl;
        return Ok(out);
    }
    // A new observation starts when the last one is old enough or there was none (no profit seen).
    let age = i.now.saturating_sub(i.pnl_seen_time);
    let restart = i.pnl_seen_usd == 0 || (age >= 0 && age as u64 >= i.warmup_secs);
    let held = if restart {
        i.pnl_seen_usd
    } else if i.pnl_base.profit {
        i.pnl_base.usd
    } else {
        0
    };
    let cap = token_to_usd_floor(TokenAmount(i.locked), i.coll_price.min, i.coll_decimals)?.0;
    let base = now_pnl.usd.min(held).min(cap);
    out.pnl_base_after = Pnl { profit: base > 0, usd: base };
    if restart {
        out.pnl_seen_usd_after = now_pnl.usd;
    } else {
        out.pnl_seen_usd_after = i.pnl_seen_usd;
        out.pnl_seen_time_after = i.pnl_seen_time;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Pool value of the positions of one (market, side, collateral) group
// ---------------------------------------------------------------------------------------------

/// A signed USD amount: `positive − negative`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignedUsd {
    pub positive: u64,
    pub negative: u64,
}

impl SignedUsd {
    #[inline(always)]
    pub fn add(&mut self, v: u64) -> Result<(), MathError> {
        self.positive = checked_add(self.positive, v)?;
        Ok(())
    }
    #[inline(always)]
    pub fn sub(&mut self, v: u64) -> Result<(), MathError> {
        self.negative = checked_add(self.negative, v)?;
        Ok(())
    }
    /// `max(0, positive − negative)`.
    #[inline(always)]
    pub fn floor_zero(&self) -> u64 {
        self.positive.saturating_sub(self.negative)
    }
}

/// Inputs of [`group_claim`]: the positions of one market side posting one collateral custody.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupInput {
    /// 1 long, 2 short.
    pub side: u8,
    /// Their size, USD.
    pub oi_usd: u64,
    /// Their size, market tokens.
    pub oi_tokens: u64,
    /// The market token's decimals.
    pub market_decimals: u8,
    /// The price their PnL is marked at.
    pub market_price: Price,
    /// Their collateral, tokens of the collateral custody.
    pub collateral: u64,
    /// What they owe, tokens of the collateral custody.
    pub debt: u64,
    /// The collateral token's decimals.
    pub coll_decimals: u8,
    /// The collateral token's price for this valuation.
    pub coll_price: Price,
    /// Round for the pool value at MAX prices (trader profit down, collateral and debt up) instead
    /// of MIN prices (the reverse).
    pub round_for_max_aum: bool,
}

/// What the group adds to the pool's value (positive) or takes from it (negative), USD:
/// `min(collateral − debt, loss − profit)`.
///
/// If the group closed now the pool would collect `min(collateral, debt + loss − profit)` — losses
/// and debts count only up to the collateral they can be collected from, profits in full. The
/// debt, though, is already in the pool's `owned`: a settlement credits what a position owes when
/// it becomes owed (the pool pays its counterparties in full). So the group's worth beyond
/// `owned` is that minus the debt: a debt the collateral cannot cover is a write-off. Valued at
/// the caller's prices, rounded for the side being priced (collateral up and debt down at MAX
/// prices, the reverse at MIN).
///
/// Errors: `InvalidDecimals`, `Overflow`.
#[inline(never)]
pub fn group_claim(i: &GroupInput) -> Result<SignedUsd, MathError> {
    let up = i.round_for_max_aum;
    let tokens = TokenAmount(i.oi_tokens);
    // Trader PnL: at MAX valuation the trader profit rounds down (long value down, short value up).
    let long = i.side != SHORT;
    let value = if long == up {
        token_to_usd_floor(tokens, i.market_price, i.market_decimals)?.0
    } else {
        token_to_usd_ceil(tokens, i.market_price, i.market_decimals)?.0
    };
    let (profit, loss) = if long {
        (value.saturating_sub(i.oi_usd), i.oi_usd.saturating_sub(value))
    } else {
        (i.oi_usd.saturating_sub(value), value.saturating_sub(i.oi_usd))
    };
    let (collateral, debt) = (
        if i.collateral == 0 { 0 } else { usd_of(i.collateral, i, up)? },
        if i.debt == 0 { 0 } else { usd_of(i.debt, i, !up)? },
    );
    // i128 add, subtract and compare only, of u64 operands: none can overflow.
    #[allow(clippy::arithmetic_side_effects)]
    let worth = (collateral as i128 - debt as i128).min(loss as i128 - profit as i128);
    Ok(if worth >= 0 {
        SignedUsd { positive: worth as u64, negative: 0 }
    } else {
        SignedUsd { positive: 0, negative: worth.unsigned_abs() as u64 }
    })
}

/// Collateral tokens in USD, rounded up or down.
#[inline(always)]
fn usd_of(tokens: u64, i: &GroupInput, up: bool) -> Result<u64, MathError> {
    Ok(if up {
        token_to_usd_ceil(TokenAmount(tokens), i.coll_price, i.coll_decimals)?.0
    } else {
        token_to_usd_floor(TokenAmount(tokens), i.coll_price, i.coll_decimals)?.0
    })
}

/// The minimum held for profit, as the position quotes take it: profit is zero when closing at or
/// before `last_increase + max(min_hold, 1) − 1` (always within the second of the last increase).
#[inline(always)]
pub fn profit_lock_until(last_increase_time: i64, min_profit_hold_secs: u64) -> i64 {
    // i128 add and compare only (no multiply or divide) of i64/u64 operands: exact, then clamped.
    #[allow(clippy::arithmetic_side_effects)]
    let t = last_increase_time as i128 + min_profit_hold_secs.max(1) as i128 - 1;
    if t > i64::MAX as i128 {
        i64::MAX
    } else {
        t as i64
    }
}

/// `checked_sub` for the aggregates: what settles may exceed what accrued by rounding.
#[inline(always)]
pub fn release(aggregate: u64, amount: u64) -> u64 {
    aggregate.saturating_sub(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USD: u64 = 1_000_000;
    const ONE: u64 = INDEX_ONE;

    fn p(v: u64) -> Price {
        Price(v * 1_000_000_000)
    }

    fn base_input() -> CarryInput {
        CarryInput {
            now: 1_000,
            side: LONG,
            size_usd: 10_000 * USD,
            size_tokens: 100 * 1_000_000_000, // 100 tokens at 100 USD, 9 decimals
            locked: 10_000 * USD,             // USDC collateral custody, 6 decimals
            collateral: 1_000 * USD,
            owed: 0,
            borrow_snapshot: ONE,
            supply_snapshot: ONE,
            collateral_snapshot: 0,
            funding_snapshot: FundingIndex::default(),
            pnl_base: Pnl::default(),
            pnl_seen_usd: 0,
            pnl_seen_time: 0,
            borrow_index: ONE,
            supply_index: ONE,
            collateral_index: 0,
            funding_index: FundingIndex::default(),
            collateral_earns: false,
            interest_on_pnl: false,
            warmup_secs: 3_600,
            exit_price: p(100),
            market_decimals: 9,
            coll_price: PriceQuote { min: p(1), max: p(1), conf: 0 },
            coll_decimals: 6,
            pool_tokens: u64::MAX,
            collateral_interest_due: u64::MAX,
        }
    }

    #[test]
    fn nothing_to_settle() {
        let c = settle_carry(&base_input()).unwrap();
        assert_eq!(c.collateral_after, 1_000 * USD);
        assert_eq!(c.owed_after, 0);
        assert_eq!(c.borrow_fee, 0);
    }

    #[test]
    fn unpaid_charges_stay_owed_and_are_paid_first() {
        // 1 % borrow index growth on 10,000 locked = 100 USDC; funding paid 2,000 USD.
        let mut i = base_input();
        i.collateral = 50 * USD;
        i.borrow_index = ONE + ONE / 100;
        i.funding_index = FundingIndex { paid: 200_000_000_000_000_000, received: 0 }; // 0.2 per USD
        let c = settle_carry(&i).unwrap();
        assert_eq!(c.borrow_fee, 100 * USD);
        assert_eq!(c.funding_paid_usd, 2_000 * USD);
        assert_eq!(c.funding_in, 2_000 * USD);
        assert_eq!(c.collateral_after, 0);
        assert_eq!(c.owed_after, 2_050 * USD);
        assert_eq!(c.funding_unpaid, 2_000 * USD);
        // Later receipts pay the debt first.
        let mut j = base_input();
        j.collateral = 0;
        j.owed = 2_050 * USD;
        j.funding_index = FundingIndex { paid: 0, received: 300_000_000_000_000_000 };
        let d = settle_carry(&j).unwrap();
        assert_eq!(d.funding_out, 3_000 * USD);
        assert_eq!((d.collateral_after, d.owed_after), (950 * USD, 0));
    }

    #[test]
    fn profit_interest_needs_a_held_profit() {
        let mut i = base_input();
        i.interest_on_pnl = true;
        i.exit_price = p(110); // 1,000 USD profit now
                               // First settlement: nothing was observed an hour ago → base 0, observation starts.
        let a = settle_carry(&i).unwrap();
        assert_eq!(a.pnl_base_after, Pnl::default());
        assert_eq!((a.pnl_seen_usd_after, a.pnl_seen_time_after), (1_000 * USD, 1_000));
        // A spike a minute later does not become the base.
        i.pnl_seen_usd = a.pnl_seen_usd_after;
        i.pnl_seen_time = a.pnl_seen_time_after;
        i.now = 1_060;
        i.exit_price = p(150);
        let b = settle_carry(&i).unwrap();
        assert_eq!(b.pnl_base_after, Pnl::default());
        assert_eq!(b.pnl_seen_time_after, 1_000);
        // An hour after the observation the held profit (the smaller) is the base.
        i.now = 4_600;
        i.exit_price = p(120);
        let c = settle_carry(&i).unwrap();
        assert_eq!(c.pnl_base_after, Pnl { profit: true, usd: 1_000 * USD });
        assert_eq!((c.pnl_seen_usd_after, c.pnl_seen_time_after), (2_000 * USD, 4_600));
        // The base earns the supply index growth: 1 % → 10 USD.
        i.pnl_base = c.pnl_base_after;
        i.supply_index = ONE + ONE / 100;
        let d = settle_carry(&i).unwrap();
        assert_eq!(d.profit_interest_usd, 10 * USD);
        assert_eq!(d.collateral_after, 1_010 * USD);
    }

    #[test]
    fn profit_base_is_capped_by_the_reserve() {
        let mut i = base_input();
        i.interest_on_pnl = true;
        i.locked = 500 * USD;
        i.exit_price = p(200); // 10,000 profit
        i.pnl_seen_usd = 10_000 * USD;
        i.now = 10_000;
        let c = settle_carry(&i).unwrap();
        assert_eq!(c.pnl_base_after, Pnl { profit: true, usd: 500 * USD });
    }

    #[test]
    fn aggregates_split_supplier_interest_by_who_funded_the_loans() {
        let i = CarryAccrualInput {
            to_suppliers: 1_000,
            lent: 10_000,
            pool_room: 6_000,
            earning_collateral: 8_000,
            collateral_index: 0,
            ..CarryAccrualInput::default()
        };
        let a = accrue_carry(&i).unwrap();
        // 4,000 of 10,000 lent came from collateral: 400 of the interest.
        assert_eq!(a.to_collateral + a.to_pool, 1_000);
        assert!(a.to_collateral <= 400 && a.to_collateral >= 399);
        assert_eq!(a.collateral_index, 400 * ONE / 8_000);
        // Parked collateral with no lending beyond the pool's room earns nothing.
        let b = accrue_carry(&CarryAccrualInput { pool_room: 20_000, ..i }).unwrap();
        assert_eq!((b.to_collateral, b.to_pool), (0, 1_000));
    }

    #[test]
    fn group_claim_caps_losses_at_collateral() {
        let g = GroupInput {
            side: LONG,
            oi_usd: 10_000 * USD,
            oi_tokens: 100 * 1_000_000_000,
            market_decimals: 9,
            market_price: p(50), // 5,000 loss
            collateral: 1_000 * USD,
            debt: 0,
            coll_decimals: 6,
            coll_price: p(1),
            round_for_max_aum: false,
        };
        assert_eq!(group_claim(&g).unwrap(), SignedUsd { positive: 1_000 * USD, negative: 0 });
        // A debt is already in `owned`: with profit to pay it from, the group is worth −profit.
        let profit = GroupInput { market_price: p(150), debt: 200 * USD, ..g };
        assert_eq!(group_claim(&profit).unwrap(), SignedUsd { positive: 0, negative: 5_000 * USD });
        // A debt the collateral cannot cover is written off: worth collateral − debt.
        let broke = GroupInput { collateral: 0, debt: 300 * USD, ..g };
        assert_eq!(group_claim(&broke).unwrap(), SignedUsd { positive: 0, negative: 300 * USD });
    }

    #[test]
    fn profit_lock() {
        assert_eq!(profit_lock_until(100, 0), 100);
        assert_eq!(profit_lock_until(100, 1), 100);
        assert_eq!(profit_lock_until(100, 30), 129);
    }

    /// The composition [`accrue_funding_aggregated`] replaces: the two functions one after the
    /// other, as its wide path runs them.
    fn composed(i: &FundingInput) -> Result<(FundingAccrual, FundingAggregates), MathError> {
        funding_wide(i)
    }

    #[test]
    fn funding_aggregated_by_example() {
        let input = |long, short, dt| FundingInput {
            long_oi_usd: long,
            short_oi_usd: short,
            funding_factor: 2_777_777_777_777,
            max_rate: u64::MAX,
            dt_secs: dt,
            ..FundingInput::default()
        };
        // Longs pay, shorts receive three times as much per USD; nobody receives; balanced; an
        // `owed` above u64::MAX; an index growth above 2^64 (the wide path).
        for i in [
            input(300_000 * USD, 100_000 * USD, 3_600),
            input(7 * USD, 3 * USD + 1, 1),
            input(0, 10 * USD, 10),
            input(5, 5, 100),
            input(u64::MAX / 2, 1, u64::MAX / 4),
            FundingInput { funding_factor: u64::MAX, ..input(10 * USD, 1, u64::MAX) },
            // X = 2^63 · payer_oi at, just below, and above 2^64 · 10^18: `owed` is 2^64 (does
            // not fit), 2^64 − 1 after rounding, and over.
            FundingInput { funding_factor: u64::MAX, max_rate: 1 << 63, ..input(2 * FUNDING_ONE, 0, 1) },
            FundingInput { funding_factor: u64::MAX, max_rate: 1 << 63, ..input(2 * FUNDING_ONE - 1, 0, 1) },
            FundingInput {
                funding_factor: u64::MAX,
                max_rate: 1 << 63,
                ..input(2 * FUNDING_ONE, FUNDING_ONE * 3 / 2, 1)
            },
            FundingInput {
                funding_factor: u64::MAX,
                max_rate: 1 << 63,
                ..input(2 * FUNDING_ONE - 1, FUNDING_ONE * 3 / 2, 1)
            },
            FundingInput { funding_factor: u64::MAX, max_rate: 1 << 63, ..input(u64::MAX, FUNDING_ONE * 3 / 2, 1) },
        ] {
            assert_eq!(accrue_funding_aggregated(&i), composed(&i), "{i:?}");
        }
        let (_, g) = accrue_funding_aggregated(&input(300_000 * USD, 100_000 * USD, 3_600)).unwrap();
        assert!(g.long_owed_usd > 0 && g.short_due_usd > 0 && g.long_due_usd == 0 && g.short_owed_usd == 0);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// The fused accrual equals the two functions it replaces: indexes, aggregates and errors.
        #[test]
        fn funding_aggregated_matches_composition(
            long in edgy_oi(),
            short in edgy_oi(),
            factor in proptest::prop_oneof![0u64..1 << 20, 1u64..1 << 50, proptest::prelude::Just(u64::MAX)],
            max_rate in proptest::prop_oneof![proptest::prelude::Just(u64::MAX), 1u64..1 << 45],
            dt in proptest::prop_oneof![0u64..100_000, 1u64..1 << 40, proptest::prelude::Just(u64::MAX)],
            long_paid in edgy_index(),
            long_received in edgy_index(),
            short_paid in edgy_index(),
            short_received in edgy_index(),
        ) {
            let i = FundingInput {
                long_oi_usd: long,
                short_oi_usd: short,
                funding_factor: factor,
                max_rate,
                dt_secs: dt,
                long_index: FundingIndex { paid: long_paid, received: long_received },
                short_index: FundingIndex { paid: short_paid, received: short_received },
            };
            proptest::prop_assert_eq!(accrue_funding_aggregated(&i), composed(&i));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        /// Small books over short intervals, where `X` is below 10^18 and every remainder matters.
        #[test]
        fn funding_aggregated_matches_composition_small(
            long in 0u64..2_000,
            short in 0u64..2_000,
            factor in 0u64..5_000,
            dt in 0u64..2_000,
        ) {
            let i = FundingInput {
                long_oi_usd: long,
                short_oi_usd: short,
                funding_factor: factor,
                max_rate: u64::MAX,
                dt_secs: dt,
                ..FundingInput::default()
            };
            proptest::prop_assert_eq!(accrue_funding_aggregated(&i), composed(&i));
        }

        /// The receiver's `due` from the quotient and remainder by 10^18, against 128-bit
        /// arithmetic, around the remainders' crossing and 10^18 boundaries.
        #[test]
        fn ceil_less_matches_u128(
            q in proptest::prop_oneof![0u64..4, 1u64..1 << 40, (u64::MAX - 3)..=u64::MAX],
            r in proptest::prop_oneof![0u64..4, 0u64..FUNDING_ONE, (FUNDING_ONE - 3)..FUNDING_ONE],
            offset in -3i64..=3,
            wraps in 0u64..20,
            rem_any in proptest::prelude::any::<u64>(),
            pick in 0u8..3,
        ) {
            let rem = match pick {
                0 => r.saturating_add_signed(offset),
                1 => r.saturating_add(wraps.saturating_mul(FUNDING_ONE)).saturating_add_signed(offset),
                _ => rem_any,
            };
            let total = q as u128 * FUNDING_ONE as u128 + r as u128;
            // (A remainder is never above the dividend: one that would be is the dividend itself.)
            let rem = if rem as u128 > total { total as u64 } else { rem };
            let want = u64::try_from((total - rem as u128).div_ceil(FUNDING_ONE as u128)).ok();
            proptest::prop_assert_eq!(ceil_less(q, r, rem), want);
        }
    }

    fn edgy_oi() -> impl proptest::strategy::Strategy<Value = u64> {
        use proptest::prelude::*;
        prop_oneof![Just(0u64), 1u64..1_000, 1u64..1 << 40, 1u64..1 << 56, any::<u64>(), (u64::MAX - 2)..=u64::MAX,]
    }

    fn edgy_index() -> impl proptest::strategy::Strategy<Value = u128> {
        use proptest::prelude::*;
        prop_oneof![Just(0u128), 0u128..1 << 70, (u128::MAX - (1 << 66))..=u128::MAX, any::<u128>()]
    }
}
