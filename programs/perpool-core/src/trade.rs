//! The position transitions, over the interface's structs: what a position owes and earns over
//! time (settlement: borrow fees, funding, interest on recorded PnL and on collateral), and how an
//! increase, a decrease and a liquidation move the market's open interest, the collateral
//! custody's books, the position and the market's per-collateral group rows.
//!
//! The program loads and checks the accounts, reads the prices, asks the math for a quote, then
//! applies it here; the token transfers and the events stay in the program.

use crate::math::{checked_add, checked_sub, checked_sum};
use perpool_interface::{
    error::PerpoolError,
    event::Settlement,
    state::{
        custody::{join, split, GROUP_COLLATERAL, GROUP_DEBT, GROUP_TOKENS, GROUP_USD},
        position::SIDE_LONG,
        Custody, Pool, Position,
    },
    Address,
};

use crate::{
    math::{
        exit_price, mul_div_floor, profit_lock_until, release, settle_carry_for, split_fee, Carry, CarryInput,
        CollateralSide, DecreaseQuote, FeeShares, FundingIndex, Impact, IncreaseQuote, LiquidationQuote, MarketSide,
        Pnl, PositionState, Price, PriceQuote,
    },
    CustodyOps,
};

crate::source_file!();

/// A checked oracle reading (the program reads it from a Pyth `PriceUpdateV2` account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// Spot price (rounded down).
    pub spot: Price,
    /// EMA price (rounded down).
    pub ema: Price,
    /// Confidence interval (rounded up), same scale as the prices.
    pub conf: u64,
    /// min(spot, ema): what the pool pays for a token it takes in.
    pub min: Price,
    /// max(spot, ema): what the pool charges for a token it gives out.
    pub max: Price,
    /// The oracle's publish time, unix seconds.
    pub publish_time: i64,
}

/// The time and checked prices of a position instruction, read once.
pub struct At {
    pub now: i64,
    pub market_price: OraclePrice,
    pub collateral_price: OraclePrice,
    /// Whether the change after the settlement closes the position in full. Its settlement then
    /// skips the next PnL base ([`settle_carry_for`]): the close would release whatever base it
    /// recorded, so the custody ends the same, and the position account goes. Everything the
    /// settlement books, and everything the quote reads, is the same. (Only where computing or
    /// recording the base would overflow, marking the position or adding to a sum, did the
    /// settlement fail before; it no longer does.)
    pub closes: bool,
}

/// The market custody and, when different, the collateral custody (one account when a long
/// posts the market asset).
pub struct Pair<'a> {
    pub market: &'a mut Custody,
    collateral: Option<&'a mut Custody>,
}

/// What a settlement booked, and the plain exit price it marked the position's PnL at (when it
/// did: interest on PnL is on and the position has size), which a decrease at the same prices
/// reuses ([`crate::math::quote_decrease_at`]).
pub struct Settled {
    pub booked: Settlement,
    pub exit: Option<Price>,
}

impl<'a> Pair<'a> {
    /// `collateral` is `None` when the market custody is also the collateral custody.
    #[inline(always)]
    pub fn new(market: &'a mut Custody, collateral: Option<&'a mut Custody>) -> Self {
        Self { market, collateral }
    }

    /// Whether the collateral is the market asset itself.
    #[inline(always)]
    pub fn same(&self) -> bool {
        self.collateral.is_none()
    }

    #[inline(always)]
    pub fn collateral(&self) -> &Custody {
        match &self.collateral {
            Some(c) => c,
            None => self.market,
        }
    }

    #[inline(always)]
    pub fn collateral_mut(&mut self) -> &mut Custody {
        match self.collateral {
            Some(ref mut c) => c,
            None => self.market,
        }
    }

    /// The collateral custody when it is a separate account.
    #[inline(always)]
    pub fn separate_collateral_mut(&mut self) -> Option<&mut Custody> {
        self.collateral.as_deref_mut()
    }

    /// Accrues interest and funding on both custodies.
    pub fn accrue(&mut self, now: i64, pool: &Pool) -> Result<(), PerpoolError> {
        let (ps, is) = (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps);
        self.market.accrue(now, ps, is)?;
        if let Some(c) = self.collateral.as_mut() {
            c.accrue(now, ps, is)?;
        }
        Ok(())
    }

    /// Starts a fresh position's clocks: it owes nothing from before now.
    #[inline(always)]
    pub fn start(&self, p: &mut Position, now: i64) {
        let c = self.collateral();
        p.open_time = now;
        p.last_increase_time = now;
        p.borrow_index_snapshot = c.borrow_index;
        p.supply_index_snapshot = c.supply_index;
        p.collateral_index_snapshot = c.collateral_index;
        let f = self.market.funding_index(p.side);
        p.funding_paid_snapshot = split(f.paid);
        p.funding_received_snapshot = split(f.received);
        p.pnl_base_usd = 0;
        p.pnl_base_profit = 0;
        p.pnl_seen_usd = 0;
        p.pnl_seen_time = now;
    }

    /// Settles everything a position owes or earns over time before any other change
    /// ([`settle_carry`](crate::math::settle_carry)): borrow fees, funding, interest on its recorded PnL and on its
    /// collateral. What it cannot pay from its collateral becomes `owed_tokens`; the custodies'
    /// aggregates give back exactly what it settled, so the pool value does not move.
    #[inline(always)]
    pub fn settle(&mut self, p: &mut Position, pool: &Pool, at: &At) -> Result<Settled, PerpoolError> {
        let side = p.side;
        let m = &*self.market;
        let interest_on_pnl = m.interest_on_pnl != 0;
        let exit = if interest_on_pnl && p.size_usd > 0 {
            Some(exit_price(side, &quote_of(&at.market_price), m.spread_bps as u64)?)
        } else {
            None
        };
        let funding_index = m.funding_index(side);
        let market_decimals = m.decimals;
        let c = self.collateral();
        let input = CarryInput {
            now: at.now,
            side,
            size_usd: p.size_usd,
            size_tokens: p.size_tokens,
            locked: p.locked_amount,
            collateral: p.collateral_amount,
            owed: p.owed_tokens,
            borrow_snapshot: p.borrow_index_snapshot,
            supply_snapshot: if p.supply_index_snapshot == 0 { c.supply_index } else { p.supply_index_snapshot },
            collateral_snapshot: p.collateral_index_snapshot,
            funding_snapshot: FundingIndex {
                paid: join(p.funding_paid_snapshot),
                received: join(p.funding_received_snapshot),
            },
            pnl_base: Pnl { profit: p.pnl_base_profit != 0, usd: p.pnl_base_usd },
            pnl_seen_usd: p.pnl_seen_usd,
            pnl_seen_time: p.pnl_seen_time,
            borrow_index: c.borrow_index,
            supply_index: c.supply_index,
            collateral_index: c.collateral_index,
            funding_index,
            collateral_earns: c.collateral_earns_interest != 0,
            interest_on_pnl,
            warmup_secs: pool.pnl_warmup_secs as u64,
            exit_price: exit.unwrap_or(Price(0)),
            market_decimals,
            coll_price: quote_of(&at.collateral_price),
            coll_decimals: c.decimals,
            pool_tokens: c.owned,
            collateral_interest_due: c.collateral_interest_due,
        };
        let k = settle_carry_for(&input, at.closes)?;

        // The market: funding aggregates and the position's group row.
        let m = &mut *self.market;
        if side == SIDE_LONG {
            m.long_funding_owed_usd = release(m.long_funding_owed_usd, k.funding_paid_usd);
            m.long_funding_due_usd = release(m.long_funding_due_usd, k.funding_received_usd);
        } else {
            m.short_funding_owed_usd = release(m.short_funding_owed_usd, k.funding_paid_usd);
            m.short_funding_due_usd = release(m.short_funding_due_usd, k.funding_received_usd);
        }
        move_settled_group(m, p, k.collateral_after, k.owed_after)?;

        // The collateral custody: fees, pool flows, aggregates, buckets.
        let fees = split_fee(k.borrow_fee, pool.protocol_fee_share_bps as u64, pool.insurance_fee_share_bps as u64)?;
        let c = self.collateral_mut();
        let inflow = checked_sum([c.owned, fees.lp, k.funding_in, k.loss_interest_tokens])?;
        let outflow = checked_sum([k.funding_out, k.profit_interest_tokens])?;
        c.owned = inflow.checked_sub(outflow).ok_or(PerpoolError::InsufficientLiquidity)?;
        c.protocol_fees = checked_add(c.protocol_fees, fees.protocol)?;
        c.insurance = checked_add(c.insurance, fees.insurance)?;
        c.cumulative_borrow_fees = c.cumulative_borrow_fees.saturating_add(fees.lp);
        c.borrow_fees_accrued = release(c.borrow_fees_accrued, k.borrow_fee);
        c.pnl_interest_due_usd = release(c.pnl_interest_due_usd, k.profit_interest_usd);
        c.pnl_interest_owed_usd = release(c.pnl_interest_owed_usd, k.loss_interest_usd);
        if p.pnl_base_profit != 0 {
            c.pnl_profit_base_usd = release(c.pnl_profit_base_usd, p.pnl_base_usd);
        } else {
            c.pnl_loss_base_usd = release(c.pnl_loss_base_usd, p.pnl_base_usd);
        }
        if k.pnl_base_after.profit {
            c.pnl_profit_base_usd = checked_add(c.pnl_profit_base_usd, k.pnl_base_after.usd)?;
        } else {
            c.pnl_loss_base_usd = checked_add(c.pnl_loss_base_usd, k.pnl_base_after.usd)?;
        }
        c.collateral_interest_due = checked_sub(c.collateral_interest_due, k.collateral_interest)?;
        c.collateral = checked_add(checked_sub(c.collateral, p.collateral_amount)?, k.collateral_after)?;
        c.position_debt = checked_add(c.position_debt.saturating_sub(p.owed_tokens), k.owed_after)?;

        // The position.
        let earned = signed(true, k.profit_interest_tokens.saturating_add(k.collateral_interest))
            .saturating_sub(signed(true, k.loss_interest_tokens));
        let funding = funding_booked_usd(&k);
        p.interest_settled = p.interest_settled.saturating_add(earned);
        p.funding_settled_usd = p.funding_settled_usd.saturating_add(funding);
        p.borrow_fees_paid = p.borrow_fees_paid.saturating_add(k.borrow_fee);
        p.collateral_amount = k.collateral_after;
        p.owed_tokens = k.owed_after;
        p.borrow_index_snapshot = c.borrow_index;
        p.supply_index_snapshot = c.supply_index;
        p.collateral_index_snapshot = c.collateral_index;
        p.funding_paid_snapshot = split(funding_index.paid);
        p.funding_received_snapshot = split(funding_index.received);
        p.pnl_base_usd = k.pnl_base_after.usd;
        p.pnl_base_profit = k.pnl_base_after.profit as u8;
        p.pnl_seen_usd = k.pnl_seen_usd_after;
        p.pnl_seen_time = k.pnl_seen_time_after;
        let booked =
            Settlement { borrow_fee: k.borrow_fee, funding_usd: funding, interest: earned, owed: k.owed_after };
        Ok(Settled { booked, exit })
    }

    /// Applies an increase quote: open interest on the market, the deposit and the fees on the
    /// collateral custody, the position's new size, and its group row. The position must be
    /// started or settled at `change.now` first.
    pub fn apply_increase(&mut self, p: &mut Position, q: &IncreaseQuote, change: &Change) -> Result<(), PerpoolError> {
        let Change { side, size_usd, collateral, escrowed, now } = *change;
        let before = group_part(p);
        // Market custody: open interest.
        let m = &mut *self.market;
        if side == SIDE_LONG {
            m.long_oi_usd = checked_add(m.long_oi_usd, size_usd)?;
            m.long_oi_tokens = checked_add(m.long_oi_tokens, q.size_tokens_delta)?;
        } else {
            m.short_oi_usd = checked_add(m.short_oi_usd, size_usd)?;
            m.short_oi_tokens = checked_add(m.short_oi_tokens, q.size_tokens_delta)?;
        }
        // Collateral custody: the deposit joins trader collateral, fees leave it.
        let c = self.collateral_mut();
        if escrowed {
            c.order_collateral = checked_sub(c.order_collateral, collateral)?;
        }
        c.collateral = checked_sub(
            checked_add(c.collateral, collateral)?,
            checked_sum([q.fee_tokens, q.borrow_fee_tokens, q.owed_paid])?,
        )?;
        c.position_debt = c.position_debt.saturating_sub(q.owed_paid);
        c.owned = checked_add(c.owned, q.lp_fee)?;
        c.protocol_fees = checked_add(c.protocol_fees, q.protocol_fee)?;
        c.insurance = checked_add(c.insurance, q.insurance_fee)?;
        c.locked = checked_add(c.locked, q.locked_delta)?;
        record_lp_fees(c, q.lp_fee, q.fee_tokens, q.borrow_fee_tokens);
        let index = c.borrow_index;

        p.size_usd = q.size_usd_after;
        p.size_tokens = q.size_tokens_after;
        p.entry_price = q.average_price_after.0;
        p.collateral_amount = q.collateral_after;
        p.owed_tokens = 0;
        p.last_increase_time = now;
        p.locked_amount = checked_add(p.locked_amount, q.locked_delta)?;
        p.borrow_index_snapshot = index;
        p.update_time = now;
        p.fees_paid_usd = p.fees_paid_usd.saturating_add(q.fee_usd);
        p.borrow_fees_paid = p.borrow_fees_paid.saturating_add(q.borrow_fee_tokens);
        let (group, after) = (p.collateral_group, group_part(p));
        move_group(self.market, side, group, &before, &after)
    }

    /// Applies a decrease quote: open interest, the collateral custody's books (the closed part's
    /// PnL and fees), the position, its group row and its recorded PnL base. Returns the realised
    /// PnL, USD (negative: a loss).
    #[inline(always)] // one caller each: the processor's own code, as it was before the move
    pub fn apply_decrease(
        &mut self,
        p: &mut Position,
        q: &DecreaseQuote,
        change: &Change,
    ) -> Result<i64, PerpoolError> {
        let Change { side, size_usd, now, .. } = *change;
        let before = group_part(p);
        apply_open_interest(self.market, side, size_usd, q.closed_tokens);
        let c = self.collateral_mut();
        c.collateral = checked_sub(checked_add(c.collateral, q.collateral_after)?, p.collateral_amount)?;
        c.position_debt = c.position_debt.saturating_sub(q.owed_paid);
        let inflow = checked_sum([c.owned, q.loss_tokens, q.lp_fee])?;
        c.owned = inflow.checked_sub(q.profit_tokens).ok_or(PerpoolError::InsufficientLiquidity)?;
        c.protocol_fees = checked_add(c.protocol_fees, q.protocol_fee)?;
        c.insurance = checked_add(c.insurance, q.insurance_fee)?;
        c.locked = checked_sub(c.locked, q.locked_released)?;
        record_lp_fees(c, q.lp_fee, q.fee_tokens, q.borrow_fee_tokens);

        p.fees_paid_usd = p.fees_paid_usd.saturating_add(q.fee_usd);
        let closed = Closed {
            pnl_usd: q.pnl_usd,
            pnl_profit: q.pnl_profit,
            size_usd_after: q.size_usd_after,
            size_tokens_after: q.size_tokens_after,
            collateral_after: q.collateral_after,
            locked_released: q.locked_released,
            borrow_fee_tokens: q.borrow_fee_tokens,
        };
        self.close_size(p, &closed, &before, now)
    }

    /// Applies a liquidation quote: as a decrease, plus the liquidator's reward, the insurance
    /// that covers bad debt and the debt written off. Returns the realised PnL, USD.
    #[inline(always)] // one caller each: the processor's own code, as it was before the move
    pub fn apply_liquidation(&mut self, p: &mut Position, q: &LiquidationQuote, now: i64) -> Result<i64, PerpoolError> {
        let side = p.side;
        let before = group_part(p);
        apply_open_interest(self.market, side, q.size_delta_usd, q.closed_tokens);
        let c = self.collateral_mut();
        // Trader collateral: everything the position held leaves the bucket, except what stays
        // in a partially liquidated position.
        c.collateral = checked_sub(checked_add(c.collateral, q.collateral_after)?, p.collateral_amount)?;
        // What the position owed is paid or written off (bad debt).
        c.position_debt = c.position_debt.saturating_sub(checked_add(q.owed_paid, q.owed_written_off)?);
        // Pool: covered losses, the LP share of fees and insurance-paid bad debt come in; profits,
        // rewards it pays and the written-off debt it had already credited go out.
        let inflow = checked_sum([c.owned, q.loss_tokens, q.lp_fee, q.insurance_used])?;
        let outflow = checked_sum([q.profit_tokens, q.reward_from_pool, q.owed_written_off])?;
        c.owned = inflow.checked_sub(outflow).ok_or(PerpoolError::InsufficientLiquidity)?;
        c.protocol_fees = checked_add(c.protocol_fees, q.protocol_fee)?;
        let paid_out = checked_sum([q.insurance_used, q.reward_from_insurance])?;
        c.insurance = checked_sub(checked_sum([c.insurance, q.insurance_fee])?, paid_out)?;
        c.locked = checked_sub(c.locked, q.locked_released)?;
        record_lp_fees(c, q.lp_fee, q.fee_tokens, q.borrow_fee_tokens);

        let closed = Closed {
            pnl_usd: q.pnl_usd,
            pnl_profit: q.pnl_profit,
            size_usd_after: q.size_usd_after,
            size_tokens_after: q.size_tokens_after,
            collateral_after: q.collateral_after,
            locked_released: q.locked_released,
            borrow_fee_tokens: q.borrow_fee_tokens,
        };
        self.close_size(p, &closed, &before, now)
    }

    /// What a decrease and a liquidation both do to the position once the custody's books are
    /// done: its new size, collateral and lock, its realised PnL, its group row and its recorded
    /// PnL base. Returns the realised PnL, USD (negative: a loss).
    #[inline(always)]
    fn close_size(&mut self, p: &mut Position, q: &Closed, before: &[u64; 4], now: i64) -> Result<i64, PerpoolError> {
        let pnl = signed(q.pnl_profit, q.pnl_usd);
        p.size_usd = q.size_usd_after;
        p.size_tokens = q.size_tokens_after;
        p.collateral_amount = q.collateral_after;
        p.owed_tokens = 0;
        p.locked_amount = checked_sub(p.locked_amount, q.locked_released)?;
        p.borrow_index_snapshot = self.collateral().borrow_index;
        p.update_time = now;
        p.realized_pnl_usd = p.realized_pnl_usd.saturating_add(pnl);
        p.borrow_fees_paid = p.borrow_fees_paid.saturating_add(q.borrow_fee_tokens);
        let (group, after) = (p.collateral_group, group_part(p));
        move_group(self.market, p.side, group, before, &after)?;
        scale_pnl_base(self.collateral_mut(), p, before[GROUP_USD])?;
        Ok(pnl)
    }
}

/// What an increase or a decrease changes (bundled: upstream BPF passes five arguments at most).
#[derive(Clone, Copy)]
pub struct Change {
    pub side: u8,
    /// Size added or closed, USD.
    pub size_usd: u64,
    /// Collateral deposited (increase), tokens.
    pub collateral: u64,
    /// True when the collateral is already in the vault (a limit order's escrow).
    pub escrowed: bool,
    pub now: i64,
}

/// The part of a decrease or liquidation quote that [`Pair::close_size`] applies to the position.
struct Closed {
    pnl_usd: u64,
    pnl_profit: bool,
    size_usd_after: u64,
    size_tokens_after: u64,
    collateral_after: u64,
    locked_released: u64,
    borrow_fee_tokens: u64,
}

#[inline(always)]
pub fn quote_of(p: &OraclePrice) -> PriceQuote {
    PriceQuote { min: p.min, max: p.max, conf: p.conf }
}

/// The market custody's side of a quote.
pub fn market_side(m: &Custody, price: &OraclePrice, side: u8) -> MarketSide {
    let long = side == SIDE_LONG;
    MarketSide {
        decimals: m.decimals,
        price: quote_of(price),
        spread_bps: m.spread_bps as u64,
        open_fee_bps: m.open_fee_bps as u64,
        close_fee_bps: m.close_fee_bps as u64,
        max_leverage_bps: m.max_leverage_bps as u64,
        max_position_usd: m.max_position_usd,
        oi_usd: if long { m.long_oi_usd } else { m.short_oi_usd },
        oi_cap_usd: if long { m.max_long_oi_usd } else { m.max_short_oi_usd },
        min_collateral_usd: m.min_collateral_usd,
        maintenance_margin_bps: m.maintenance_margin_bps as u64,
        liquidation_reward_bps: m.liquidation_reward_bps as u64,
    }
}

/// The collateral custody's side of a quote.
pub fn collateral_side(c: &Custody, price: &OraclePrice) -> CollateralSide {
    CollateralSide {
        decimals: c.decimals,
        price: quote_of(price),
        borrow_index: c.borrow_index,
        // Payouts cannot come from lent tokens: reservations count what is in the vault.
        owned: c.owned.saturating_sub(c.lent),
        locked: c.locked,
        buffer_bps: c.buffer_bps as u64,
    }
}

pub fn fee_shares(pool: &Pool) -> FeeShares {
    FeeShares { protocol_bps: pool.protocol_fee_share_bps as u64, insurance_bps: pool.insurance_fee_share_bps as u64 }
}

/// The position as the quotes take it: no profit is realised within the pool's minimum hold
/// after its last increase (at least that second).
pub fn position_state(p: &Position, pool: &Pool) -> PositionState {
    PositionState {
        side: p.side,
        open_time: profit_lock_until(p.last_increase_time, pool.min_profit_hold_secs as u64),
        size_usd: p.size_usd,
        size_tokens: p.size_tokens,
        collateral_amount: p.collateral_amount,
        locked_amount: p.locked_amount,
        borrow_index_snapshot: p.borrow_index_snapshot,
        owed_tokens: p.owed_tokens,
    }
}

/// The index of `collateral` in the pool's custody list: the position's row in the market's
/// groups.
pub fn group_of(pool: &Pool, collateral: &Address) -> Result<u8, PerpoolError> {
    pool.custodies().iter().position(|k| k == collateral).map(|i| i as u8).ok_or(PerpoolError::CustodyMismatch)
}

/// Checks that a position's recorded group is its collateral custody's index in the pool.
#[inline(always)]
pub fn check_group(pool: &Pool, p: &Position) -> Result<(), PerpoolError> {
    match pool.custodies().get(p.collateral_group as usize) {
        Some(k) if k == &p.collateral_custody => Ok(()),
        _ => Err(PerpoolError::InvalidCollateralGroup),
    }
}

/// What a position contributes to its group row: `[size USD, size tokens, collateral, debt]`.
#[inline(always)]
pub fn group_part(p: &Position) -> [u64; 4] {
    [p.size_usd, p.size_tokens, p.collateral_amount, p.owed_tokens]
}

/// Replaces a position's contribution to its group row (`before` → `after`).
#[inline(always)]
pub fn move_group(
    m: &mut Custody,
    side: u8,
    group: u8,
    before: &[u64; 4],
    after: &[u64; 4],
) -> Result<(), PerpoolError> {
    let row = m.group_mut(side, group)?;
    for k in [GROUP_USD, GROUP_TOKENS, GROUP_COLLATERAL, GROUP_DEBT] {
        row[k] = checked_add(row[k].saturating_sub(before[k]), after[k])?;
    }
    Ok(())
}

/// [`move_group`] of a settlement: from `group_part(p)` to the same with the collateral and debt
/// after it, with the same result and errors. The size columns do not change, and moving `x` to `x`
/// leaves `max(row, x)` (`row − x` saturates, and the sum cannot overflow). Kept inline, it is
/// about 40 CU cheaper than the general move.
#[inline(always)]
pub fn move_settled_group(
    m: &mut Custody,
    p: &Position,
    collateral_after: u64,
    owed_after: u64,
) -> Result<(), PerpoolError> {
    let row = m.group_mut(p.side, p.collateral_group)?;
    row[GROUP_USD] = row[GROUP_USD].max(p.size_usd);
    row[GROUP_TOKENS] = row[GROUP_TOKENS].max(p.size_tokens);
    row[GROUP_COLLATERAL] = checked_add(row[GROUP_COLLATERAL].saturating_sub(p.collateral_amount), collateral_after)?;
    row[GROUP_DEBT] = checked_add(row[GROUP_DEBT].saturating_sub(p.owed_tokens), owed_after)?;
    Ok(())
}

/// Removes closed size from the market custody's per-side open interest.
#[inline(always)]
pub fn apply_open_interest(m: &mut Custody, side: u8, size_usd: u64, tokens: u64) {
    let (usd, tok) = if side == SIDE_LONG {
        (&mut m.long_oi_usd, &mut m.long_oi_tokens)
    } else {
        (&mut m.short_oi_usd, &mut m.short_oi_tokens)
    };
    *usd = usd.saturating_sub(size_usd);
    *tok = tok.saturating_sub(tokens);
}

/// After size is closed, the recorded PnL base shrinks with the size (the closed part's PnL is
/// realised and earns or pays nothing more): `base × size_after / size_before`, rounded down,
/// and the custody's sums follow. A full close clears it.
pub fn scale_pnl_base(c: &mut Custody, p: &mut Position, size_before: u64) -> Result<(), PerpoolError> {
    if p.pnl_base_usd == 0 || p.size_usd == size_before {
        return Ok(());
    }
    let after = if size_before == 0 { 0 } else { mul_div_floor(p.pnl_base_usd, p.size_usd, size_before)? };
    let cut = checked_sub(p.pnl_base_usd, after)?;
    if p.pnl_base_profit != 0 {
        c.pnl_profit_base_usd = c.pnl_profit_base_usd.saturating_sub(cut);
    } else {
        c.pnl_loss_base_usd = c.pnl_loss_base_usd.saturating_sub(cut);
    }
    p.pnl_base_usd = after;
    if p.pnl_seen_usd > 0 && size_before > 0 {
        p.pnl_seen_usd = mul_div_floor(p.pnl_seen_usd, p.size_usd, size_before)?;
    }
    Ok(())
}

/// The signed USD of an impact: positive when the trader gains.
#[inline(always)]
pub fn signed_impact(i: &Impact) -> i64 {
    signed(i.positive, i.usd)
}

/// A magnitude with its sign, saturating at `i64::MAX` and `-i64::MAX`: a `u64` above `i64::MAX`
/// (a realised PnL over $9.2 trillion) keeps its sign instead of wrapping to the other one.
#[inline(always)]
pub fn signed(positive: bool, magnitude: u64) -> i64 {
    let m = magnitude.min(i64::MAX as u64) as i64;
    if positive {
        m
    } else {
        m.wrapping_neg() // 0 <= m <= i64::MAX: no wrap
    }
}

/// Records the LPs' fee income of a position update for the APY split: the
/// LP share of `fee_tokens + borrow_fee_tokens` is divided between trading
/// fees and borrow fees in proportion (floor to borrow fees).
pub fn record_lp_fees(c: &mut Custody, lp_fee: u64, fee_tokens: u64, borrow_fee_tokens: u64) {
    let total = fee_tokens.saturating_add(borrow_fee_tokens);
    // No borrow fee (a change after its settlement has none): no share of the LP fee is one.
    let borrow = if total == 0 || borrow_fee_tokens == 0 {
        0
    } else {
        mul_div_floor(lp_fee, borrow_fee_tokens, total).unwrap_or(0)
    };
    c.cumulative_borrow_fees = c.cumulative_borrow_fees.saturating_add(borrow);
    c.cumulative_trading_fees = c.cumulative_trading_fees.saturating_add(lp_fee.saturating_sub(borrow));
    // borrow <= lp_fee
}

/// The funding a settlement paid (negative) or received, USD: a payment counts only for the
/// part the position could pay (the rest is in `owed_tokens`).
fn funding_booked_usd(k: &Carry) -> i64 {
    if k.funding_received_usd >= k.funding_paid_usd {
        return signed(true, k.funding_received_usd.abs_diff(k.funding_paid_usd));
    }
    let net = k.funding_paid_usd.abs_diff(k.funding_received_usd);
    let paid = if k.funding_in == 0 || k.funding_unpaid == 0 {
        net
    } else {
        mul_div_floor(net, k.funding_in.saturating_sub(k.funding_unpaid), k.funding_in).unwrap_or(0)
    };
    signed(false, paid)
}
