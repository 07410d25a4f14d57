//! What the position instructions share: the market and collateral custodies
//! (one account when a long posts the market asset), their checked prices,
//! the quote inputs built from them, and the position record.

use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    math::{CollateralSide, FeeShares, FundingIndex, MarketSide, PositionState, PriceQuote},
    oracle::{read_price, OracleContext, OraclePrice},
    state::{
        custody::{join, split},
        load_mut,
        position::{SIDE_LONG, SIDE_SHORT},
        Custody, Pool, Position,
    },
    util::{create_at_pda_with_bump, Result},
};

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

    /// Checked prices of both custodies (read once when they are the same).
    pub fn prices(&self, market_oracle: &AccountView, collateral_oracle: &AccountView, ctx: &OracleContext) -> Result<(OraclePrice, OraclePrice)> {
        let m = read_price(self.market, market_oracle, ctx)?;
        let c = match &self.collateral {
            None => {
                if collateral_oracle.address() != market_oracle.address() {
                    return Err(PerpoolError::InvalidOracleAccount);
                }
                m
            }
            Some(c) => read_price(c, collateral_oracle, ctx)?,
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

pub fn position_state(p: &Position) -> PositionState {
    PositionState {
        side: p.side,
        open_time: p.open_time,
        size_usd: p.size_usd,
        size_tokens: p.size_tokens,
        collateral_amount: p.collateral_amount,
        locked_amount: p.locked_amount,
        borrow_index_snapshot: p.borrow_index_snapshot,
    }
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

/// Who pays for a new position, and its bump when already known (a limit order stores it).
pub struct Opener<'a> {
    pub payer: &'a AccountView,
    pub bump: Option<u8>,
}

/// Loads the position, or creates it (rent paid by `opener.payer`) at its PDA.
pub fn load_or_create_position<'a>(account: &'a AccountView, keys: &PositionKeys, opener: &Opener, now: i64) -> Result<&'a mut Position> {
    if account.owned_by(&crate::ID) {
        return load_position(account, keys);
    }
    let side = [keys.side];
    let (p, bump) = create_at_pda_with_bump::<Position>(
        opener.payer,
        account,
        &[b"position", keys.owner.address().as_ref(), keys.pool.address().as_ref(), keys.custody.as_ref(), keys.collateral_custody.as_ref(), &side],
        opener.bump,
    )?;
    p.bump = bump;
    p.side = keys.side;
    p.owner = *keys.owner.address();
    p.pool = *keys.pool.address();
    p.custody = *keys.custody;
    p.collateral_custody = *keys.collateral_custody;
    p.open_time = now;
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
        p.borrow_index_snapshot = c.borrow_index;
        p.supply_index_snapshot = c.supply_index;
        let f = self.market.funding_index(p.side);
        p.funding_paid_snapshot = split(f.paid);
        p.funding_received_snapshot = split(f.received);
    }

    /// Settles everything a position owes or earns over time before any other change:
    /// interest ([`Custodies::settle_interest`]) and funding ([`Custodies::settle_funding`]).
    #[inline(always)]
    pub fn settle(&mut self, p: &mut Position, market_price: &OraclePrice, collateral_price: &OraclePrice) -> Result<()> {
        self.settle_interest(p, market_price, collateral_price)?;
        self.settle_funding(p, collateral_price)
    }

    /// Settles funding (SPEC §5): the position pays or receives its side's funding since its
    /// snapshot, in collateral tokens, through the pool (`owned`): what the heavier side pays
    /// joins the pool, what the lighter side receives comes from it. Payments round up at the
    /// collateral MIN price and stop at the collateral; receipts round down at the MAX price.
    pub fn settle_funding(&mut self, p: &mut Position, collateral_price: &OraclePrice) -> Result<()> {
        let index = self.market.funding_index(p.side);
        let snapshot = FundingIndex { paid: join(p.funding_paid_snapshot), received: join(p.funding_received_snapshot) };
        if index == snapshot {
            return Ok(());
        }
        let f = crate::math::position_funding(&crate::math::PositionFundingInput {
            size_usd: p.size_usd,
            side: p.side,
            long_index: index,
            short_index: index,
            index_snapshot: snapshot,
        })
        .map_err(|_| PerpoolError::MathOverflow)?;
        p.funding_paid_snapshot = split(index.paid);
        p.funding_received_snapshot = split(index.received);
        if f.usd == 0 {
            return Ok(());
        }
        let c = self.collateral_mut();
        if f.pays {
            let t = crate::math::usd_to_token_ceil(crate::math::Usd(f.usd), collateral_price.min, c.decimals)?.0.min(p.collateral_amount);
            p.collateral_amount -= t;
            c.collateral -= t;
            c.owned = c.owned.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
            p.funding_settled_usd = p.funding_settled_usd.saturating_sub(f.usd as i64);
        } else {
            let t = crate::math::usd_to_token_floor(crate::math::Usd(f.usd), collateral_price.max, c.decimals)?.0.min(c.owned);
            c.owned -= t;
            c.collateral = c.collateral.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
            p.collateral_amount = p.collateral_amount.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
            p.funding_settled_usd = p.funding_settled_usd.saturating_add(f.usd as i64);
        }
        Ok(())
    }

    /// Settles the interest a position earns or pays before any other change
    /// (SPEC §5): interest-bearing collateral earns the collateral custody's
    /// supply rate; with `interest_on_pnl` on the market, unrealized profit
    /// earns the supply rate and unrealized loss pays the borrow rate. Both
    /// move tokens between the pool (`owned`) and the position's collateral.
    /// Returns the signed token amount credited to the position.
    pub fn settle_interest(&mut self, p: &mut Position, market_price: &OraclePrice, collateral_price: &OraclePrice) -> Result<i64> {
        let m = &*self.market;
        let (interest_on_pnl, spread, decimals) = (m.interest_on_pnl != 0, m.spread_bps as u64, m.decimals);
        let c = self.collateral_mut();
        let (s_now, b_now) = (c.supply_index, c.borrow_index);
        let s_snap = if p.supply_index_snapshot == 0 { s_now } else { p.supply_index_snapshot };
        let mut net: i64 = 0;

        if c.collateral_earns_interest != 0 {
            let earned = crate::math::supply_interest(p.collateral_amount, s_now, s_snap)?.min(c.owned);
            c.owned -= earned;
            c.collateral = c.collateral.checked_add(earned).ok_or(PerpoolError::MathOverflow)?;
            p.collateral_amount = p.collateral_amount.checked_add(earned).ok_or(PerpoolError::MathOverflow)?;
            net += earned as i64;
        }
        if interest_on_pnl && p.size_usd > 0 {
            let exit = crate::math::exit_price(p.side, &quote_of(market_price), spread)?;
            let pnl = crate::math::pnl(p.side, p.size_usd, p.size_tokens, exit, decimals)?;
            let pi = crate::math::pnl_interest(&crate::math::PnlInterestInput {
                pnl_profit: pnl.profit,
                pnl_usd: pnl.usd,
                supply_index_now: s_now,
                supply_snapshot: s_snap,
                borrow_index_now: b_now,
                borrow_snapshot: p.borrow_index_snapshot,
            })?;
            if pi.usd > 0 {
                if pi.profit {
                    let t = crate::math::usd_to_token_floor(crate::math::Usd(pi.usd), collateral_price.max, c.decimals)?.0.min(c.owned);
                    c.owned -= t;
                    c.collateral = c.collateral.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
                    p.collateral_amount = p.collateral_amount.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
                    net += t as i64;
                } else {
                    let t = crate::math::usd_to_token_ceil(crate::math::Usd(pi.usd), collateral_price.min, c.decimals)?.0.min(p.collateral_amount);
                    c.collateral -= t;
                    c.owned = c.owned.checked_add(t).ok_or(PerpoolError::MathOverflow)?;
                    p.collateral_amount -= t;
                    net -= t as i64;
                }
            }
        }
        p.supply_index_snapshot = s_now;
        p.interest_settled = p.interest_settled.saturating_add(net);
        Ok(net)
    }
}
