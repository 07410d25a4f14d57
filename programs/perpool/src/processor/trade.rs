//! What the position instructions share: the market and collateral custodies
//! (one account when a long posts the market asset), their checked prices,
//! the quote inputs built from them, the position record, the settlement of
//! what a position owes and earns over time, and the market's per-collateral
//! group rows.

use core::ops::{Deref, DerefMut};

use pinocchio::{AccountView, Address};

pub use perpool_core::trade::{
    check_group, collateral_side, fee_shares, group_of, group_part, market_side, move_group, position_state, quote_of,
    record_lp_fees, signed_impact, At, Change, Pair,
};

use crate::{
    error::PerpoolError,
    oracle::{read_price, OracleContext, OraclePrice},
    state::{
        load_mut,
        position::{SIDE_LONG, SIDE_SHORT},
        Custody, Pool, Position,
    },
    util::{create_at_pda_with_bump, Result},
};

/// The market custody and, when different, the collateral custody.
pub struct Custodies<'a> {
    pub market_key: &'a Address,
    pub collateral_key: &'a Address,
    /// The custodies themselves, for the core's transitions.
    pub pair: Pair<'a>,
}

impl<'a> Deref for Custodies<'a> {
    type Target = Pair<'a>;
    #[inline(always)]
    fn deref(&self) -> &Pair<'a> {
        &self.pair
    }
}

impl<'a> DerefMut for Custodies<'a> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Pair<'a> {
        &mut self.pair
    }
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
        Ok(Self { market_key: market.address(), collateral_key: collateral.address(), pair: Pair::new(m, c) })
    }

    /// Checked prices of both custodies (read once when they are the same); each custody records
    /// the publish time it used (no later instruction may use an older price).
    pub fn prices(
        &mut self,
        market_oracle: &AccountView,
        collateral_oracle: &AccountView,
        ctx: &OracleContext,
    ) -> Result<(OraclePrice, OraclePrice)> {
        let pair = &mut self.pair;
        let m = read_price(pair.market, market_oracle, ctx)?;
        pair.market.use_price_time(m.publish_time);
        let c = match pair.separate_collateral_mut() {
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

impl<'a> Custodies<'a> {
    /// Settles what the position owes and earns over time ([`Pair::settle`]) and emits
    /// `PositionSettled` when anything was booked.
    pub fn settle(&mut self, position: &Address, p: &mut Position, pool: &Pool, at: &At) -> Result<()> {
        let s = self.pair.settle(p, pool, at)?;
        if !s.is_empty() {
            crate::events::position_settled(position, s.borrow_fee, s.funding_usd, s.interest, s.owed);
        }
        Ok(())
    }
}
