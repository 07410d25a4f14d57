//! What the position instructions share: the market and collateral custodies
//! (one account when a long posts the market asset), their checked prices,
//! the quote inputs built from them, the position record, the settlement of
//! what a position owes and earns over time, and the market's per-collateral
//! group rows.

use crate::CustodyOps;
use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    math::{
        profit_lock_until, release, settle_carry, split_fee, CarryInput, CollateralSide, FeeShares, FundingIndex,
        MarketSide, Pnl, PositionState, PriceQuote,
    },
    oracle::{read_price, OracleContext, OraclePrice},
    state::{
        custody::{join, split, GROUP_COLLATERAL, GROUP_DEBT, GROUP_TOKENS, GROUP_USD},
        load_mut,
        position::{SIDE_LONG, SIDE_SHORT},
        Custody, Pool, Position,
    },
    util::{create_at_pda_with_bump, Result},
};

/// The time and checked prices of a position instruction, read once.
pub struct At {
    pub now: i64,
    pub market_price: OraclePrice,
    pub collateral_price: OraclePrice,
}

/// The market custody and, when different, the collateral custody.
pub struct Custodies<'a> {
    pub market_key: &'a Address,
    pub market: &'a mut Custody,
    pub collateral_key: &'a Address,
    collateral: Option<&'a mut Custody>,
}

impl<'a> Custodies<'a> {
    /// Loads both custodies of `pool` for writing, once each, and checks the
    /// pairing rules: stablecoins are not traded; longs post the market asset
    /// or a stablecoin; shorts post a stablecoin.
    pub fn load(pool: &AccountView, market: &'a AccountView, collateral: &'a AccountView, side: u8) -> Result<Self> {
        let m = load_mut::<Custody>(market)?;
        if &m.pool != pool.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        let same = market.address() == collateral.address();
        let c = if same {
            None
        } else {
            let c = load_mut::<Custody>(collateral)?;
            if &c.pool != pool.address() {
                return Err(PerpoolError::CustodyMismatch);
            }
            Some(c)
        };
        let collateral_stable = c.as_ref().map(|c| c.is_stable != 0).unwrap_or(m.is_stable != 0);
        let ok = m.is_stable == 0
            && match side {
                SIDE_LONG => same || collateral_stable,
                SIDE_SHORT => !same && collateral_stable,
                _ => return Err(PerpoolError::InvalidSide),
            };
        if !ok {
            return Err(PerpoolError::InvalidCollateralCustody);
        }
        Ok(Self { market_key: market.address(), market: m, collateral_key: collateral.address(), collateral: c })
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

    /// Accrues interest on both custodies.
    pub fn accrue(&mut self, now: i64, pool: &Pool) -> Result<()> {
        let (ps, is) = (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps);
        self.market.accrue(now, ps, is)?;
        if let Some(c) = self.collateral.as_mut() {
            c.accrue(now, ps, is)?;
        }
        Ok(())
    }

    /// Checked prices of both custodies (read once when they are the same); each custody records
    /// the publish time it used (no later instruction may use an older price).
    pub fn prices(
        &mut self,
        market_oracle: &AccountView,
        collateral_oracle: &AccountView,
        ctx: &OracleContext,
    ) -> Result<(OraclePrice, OraclePrice)> {
        let m = read_price(self.market, market_oracle, ctx)?;
        self.market.use_price_time(m.publish_time);
        let c = match self.collateral.as_mut() {
            None => {
                if collateral_oracle.address() != market_oracle.address() {
                    return Err(PerpoolError::InvalidOracleAccount);
                }
                m
            }
            Some(c) => {
                let p = read_price(c, collateral_oracle, ctx)?;
                c.use_price_time(p.publish_time);
                p
            }
        };
        Ok((m, c))
    }
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
pub fn group_of(pool: &Pool, collateral: &Address) -> Result<u8> {
    pool.custodies().iter().position(|k| k == collateral).map(|i| i as u8).ok_or(PerpoolError::CustodyMismatch)
}

/// Checks that a position's recorded group is its collateral custody's index in the pool.
#[inline(always)]
pub fn check_group(pool: &Pool, p: &Position) -> Result<()> {
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
pub fn move_group(m: &mut Custody, side: u8, group: u8, before: &[u64; 4], after: &[u64; 4]) -> Result<()> {
    let row = m.group_mut(side, group)?;
    for k in [GROUP_USD, GROUP_TOKENS, GROUP_COLLATERAL, GROUP_DEBT] {
        row[k] = row[k].saturating_sub(before[k]).checked_add(after[k]).ok_or(PerpoolError::MathOverflow)?;
    }
    Ok(())
}

/// The keys a position is derived from.
pub struct PositionKeys<'a> {
    pub owner: &'a AccountView,
    pub pool: &'a AccountView,
    pub custody: &'a Address,
    pub collateral_custody: &'a Address,
    pub side: u8,
}

/// Loads an existing position for writing and checks that it is the one these keys name.
pub fn load_position<'a>(account: &'a AccountView, keys: &PositionKeys) -> Result<&'a mut Position> {
    let p = load_mut::<Position>(account)?;
    check_position_keys(p, keys)?;
    Ok(p)
}

/// Checks that a position is the one these keys name (`side` 0: any side).
pub fn check_position_keys(p: &Position, keys: &PositionKeys) -> Result<()> {
    if &p.owner != keys.owner.address()
        || &p.pool != keys.pool.address()
        || &p.custody != keys.custody
        || &p.collateral_custody != keys.collateral_custody
        || (keys.side != 0 && p.side != keys.side)
    {
        return Err(PerpoolError::PositionMismatch);
    }
    Ok(())
}

/// Who pays for a new position, its bump when already known (a limit order stores it), and its
/// collateral custody's index in the pool.
pub struct Opener<'a> {
    pub payer: &'a AccountView,
    pub bump: Option<u8>,
    pub group: u8,
}

/// Loads the position, or creates it (rent paid by `opener.payer`) at its PDA.
pub fn load_or_create_position<'a>(
    account: &'a AccountView,
    keys: &PositionKeys,
    opener: &Opener,
    now: i64,
) -> Result<&'a mut Position> {
    if account.owned_by(&crate::ID) {
        let p = load_position(account, keys)?;
        if p.collateral_group != opener.group {
            return Err(PerpoolError::InvalidCollateralGroup);
        }
        return Ok(p);
    }
    let side = [keys.side];
    let (p, bump) = create_at_pda_with_bump::<Position>(
        opener.payer,
        account,
        &[
            b"position",
            keys.owner.address().as_ref(),
            keys.pool.address().as_ref(),
            keys.custody.as_ref(),
            keys.collateral_custody.as_ref(),
            &side,
        ],
        opener.bump,
    )?;
    p.bump = bump;
    p.side = keys.side;
    p.owner = *keys.owner.address();
    p.pool = *keys.pool.address();
    p.custody = *keys.custody;
    p.collateral_custody = *keys.collateral_custody;
    p.collateral_group = opener.group;
    p.open_time = now;
    p.last_increase_time = now;
    Ok(p)
}

/// Closes a position account, its rent going to `recipient`.
pub fn close_position(account: &AccountView, recipient: &AccountView) -> Result<()> {
    let mut acc = *account;
    let mut to = *recipient;
    to.set_lamports(to.lamports().checked_add(acc.lamports()).ok_or(PerpoolError::MathOverflow)?);
    acc.set_lamports(0);
    // SAFETY: no reference into the position's data is used after this point.
    unsafe { acc.close_unchecked() };
    Ok(())
}

/// The signed USD of an impact: positive when the trader gains.
#[inline(always)]
pub fn signed_impact(i: &crate::math::Impact) -> i64 {
    if i.positive {
        i.usd as i64
    } else {
        -(i.usd as i64)
    }
}

/// Records the LPs' fee income of a position update for the APY split: the
/// LP share of `fee_tokens + borrow_fee_tokens` is divided between trading
/// fees and borrow fees in proportion (floor to borrow fees).
pub fn record_lp_fees(c: &mut Custody, lp_fee: u64, fee_tokens: u64, borrow_fee_tokens: u64) {
    let total = fee_tokens.saturating_add(borrow_fee_tokens);
    let borrow = if total == 0 { 0 } else { crate::math::mul_div_floor(lp_fee, borrow_fee_tokens, total).unwrap_or(0) };
    c.cumulative_borrow_fees = c.cumulative_borrow_fees.saturating_add(borrow);
    c.cumulative_trading_fees = c.cumulative_trading_fees.saturating_add(lp_fee - borrow);
}

impl<'a> Custodies<'a> {
    /// Starts a fresh position's clocks: it owes nothing from before now.
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
    /// ([`settle_carry`]): borrow fees, funding, interest on its recorded PnL and on its
    /// collateral. What it cannot pay from its collateral becomes `owed_tokens`; the custodies'
    /// aggregates give back exactly what it settled, so the pool value does not move.
    pub fn settle(&mut self, position: &Address, p: &mut Position, pool: &Pool, at: &At) -> Result<()> {
        let side = p.side;
        let m = &*self.market;
        let interest_on_pnl = m.interest_on_pnl != 0;
        let exit = if interest_on_pnl && p.size_usd > 0 {
            crate::math::exit_price(side, &quote_of(&at.market_price), m.spread_bps as u64)?
        } else {
            crate::math::Price(0)
        };
        let funding_index = m.funding_index(side);
        let market_decimals = m.decimals;
        let c = self.collateral();
        let k = settle_carry(&CarryInput {
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
            exit_price: exit,
            market_decimals,
            coll_price: quote_of(&at.collateral_price),
            coll_decimals: c.decimals,
            pool_tokens: c.owned,
            collateral_interest_due: c.collateral_interest_due,
        })?;

        // The market: funding aggregates and the position's group row.
        let before = group_part(p);
        let mut after = before;
        after[GROUP_COLLATERAL] = k.collateral_after;
        after[GROUP_DEBT] = k.owed_after;
        let m = &mut *self.market;
        if side == SIDE_LONG {
            m.long_funding_owed_usd = release(m.long_funding_owed_usd, k.funding_paid_usd);
            m.long_funding_due_usd = release(m.long_funding_due_usd, k.funding_received_usd);
        } else {
            m.short_funding_owed_usd = release(m.short_funding_owed_usd, k.funding_paid_usd);
            m.short_funding_due_usd = release(m.short_funding_due_usd, k.funding_received_usd);
        }
        move_group(m, side, p.collateral_group, &before, &after)?;

        // The collateral custody: fees, pool flows, aggregates, buckets.
        let fees = split_fee(k.borrow_fee, pool.protocol_fee_share_bps as u64, pool.insurance_fee_share_bps as u64)?;
        let c = self.collateral_mut();
        c.owned = c
            .owned
            .checked_add(fees.lp + k.funding_in + k.loss_interest_tokens)
            .and_then(|x| x.checked_sub(k.funding_out + k.profit_interest_tokens))
            .ok_or(PerpoolError::InsufficientLiquidity)?;
        c.protocol_fees = c.protocol_fees.checked_add(fees.protocol).ok_or(PerpoolError::MathOverflow)?;
        c.insurance = c.insurance.checked_add(fees.insurance).ok_or(PerpoolError::MathOverflow)?;
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
            c.pnl_profit_base_usd =
                c.pnl_profit_base_usd.checked_add(k.pnl_base_after.usd).ok_or(PerpoolError::MathOverflow)?;
        } else {
            c.pnl_loss_base_usd =
                c.pnl_loss_base_usd.checked_add(k.pnl_base_after.usd).ok_or(PerpoolError::MathOverflow)?;
        }
        c.collateral_interest_due =
            c.collateral_interest_due.checked_sub(k.collateral_interest).ok_or(PerpoolError::MathOverflow)?;
        c.collateral = c
            .collateral
            .checked_sub(p.collateral_amount)
            .and_then(|x| x.checked_add(k.collateral_after))
            .ok_or(PerpoolError::MathOverflow)?;
        c.position_debt = c
            .position_debt
            .saturating_sub(p.owed_tokens)
            .checked_add(k.owed_after)
            .ok_or(PerpoolError::MathOverflow)?;

        // The position.
        let earned = (k.profit_interest_tokens + k.collateral_interest) as i64 - k.loss_interest_tokens as i64;
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
        if k.borrow_fee != 0 || funding != 0 || earned != 0 || k.owed_after != 0 {
            crate::events::position_settled(position, k.borrow_fee, funding, earned, k.owed_after);
        }
        Ok(())
    }
}

/// The funding a settlement paid (negative) or received, USD: a payment counts only for the
/// part the position could pay (the rest is in `owed_tokens`).
fn funding_booked_usd(k: &crate::math::Carry) -> i64 {
    if k.funding_received_usd >= k.funding_paid_usd {
        return (k.funding_received_usd - k.funding_paid_usd) as i64;
    }
    let net = k.funding_paid_usd - k.funding_received_usd;
    let paid = if k.funding_in == 0 || k.funding_unpaid == 0 {
        net
    } else {
        crate::math::mul_div_floor(net, k.funding_in - k.funding_unpaid, k.funding_in).unwrap_or(0)
    };
    -(paid as i64)
}
