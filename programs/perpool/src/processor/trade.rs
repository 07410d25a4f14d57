//! What the position instructions share: the market and collateral custodies
//! (one account when a long posts the market asset), their checked prices,
//! the quote inputs built from them, the position record, the settlement of
//! what a position owes and earns over time, and the market's per-collateral
//! group rows.

use crate::math::{checked_add, Price};
use core::ops::{Deref, DerefMut};

use pinocchio::{AccountView, Address};

pub use perpool_core::trade::{
    check_group, collateral_side, fee_shares, group_of, group_part, market_side, move_group, position_state, quote_of,
    record_lp_fees, signed_impact, At, Change, Pair,
};

use crate::{
    error::PerpoolError,
    event::Settlement,
    oracle::{read_price, OracleContext, OraclePrice},
    state::{load, load_mut, position::Side, Config, Custody, Pool, Position},
    util::{check_signer, check_vault, check_writable, create_at_pda_with_bump, Result},
};

perpool_core::source_file!();

/// Who acts in a position instruction, and what its first account must be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The owner, signing and writable (it pays rent or receives it).
    Owner,
    /// The owner, signing; read only.
    OwnerReadOnly,
    /// The owner, not signing (a keeper acts for it): writable, it receives the rent.
    OwnerByKeeper,
    /// A permissionless keeper, signing.
    Keeper,
}

/// The nine accounts every position instruction starts with (`increase_position`,
/// `decrease_position`, `remove_collateral`, `add_collateral`, `liquidate_position`, and the
/// same list inside `execute_order` and `auto_deleverage`):
/// 0. actor — the owner, or the keeper ([`Actor`])
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` position
/// 4. `[writable]` custody — the market
/// 5. `[]` custody_oracle
/// 6. `[writable]` collateral_custody — the market custody itself for a long posting the asset
/// 7. `[]` collateral_oracle
/// 8. `[writable]` vault — the collateral custody's vault
///
/// [`TradeAccounts::load`] checks the actor, the config (and a pause flag) and the pool; the
/// position and the custodies are checked by [`TradeAccounts::existing_position`] and
/// [`TradeAccounts::custodies`], which need the side. The oracles are checked when read.
pub struct TradeAccounts<'a> {
    pub actor: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub position: &'a AccountView,
    pub custody: &'a AccountView,
    pub market_oracle: &'a AccountView,
    pub collateral_custody: &'a AccountView,
    pub collateral_oracle: &'a AccountView,
    pub vault: &'a AccountView,
}

impl<'a> TradeAccounts<'a> {
    /// Splits off and checks the nine-account prefix; returns the instruction's other accounts.
    /// `count`: how many accounts the instruction takes in all (a shorter list is refused with
    /// `NotEnoughAccounts` before anything else is checked). `pause`: the config flag that refuses
    /// the instruction when set (closing is never paused).
    #[inline(always)]
    pub fn load(
        accounts: &'a [AccountView],
        count: usize,
        actor: Actor,
        pause: Option<u8>,
    ) -> Result<(Self, &'a [AccountView])> {
        if accounts.len() < count {
            return Err(PerpoolError::NotEnoughAccounts);
        }
        let [actor_account, config, pool_account, position, custody, market_oracle, collateral_custody, collateral_oracle, vault, rest @ ..] =
            accounts
        else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        if actor != Actor::OwnerByKeeper {
            check_signer(actor_account)?;
        }
        if actor == Actor::Owner || actor == Actor::OwnerByKeeper {
            check_writable(actor_account)?;
        }
        let config = load::<Config>(config)?;
        if let Some(flag) = pause {
            if config.is_paused(flag) {
                return Err(PerpoolError::Paused);
            }
        }
        let pool = load::<Pool>(pool_account)?;
        let t = Self {
            actor: actor_account,
            pool_account,
            pool,
            position,
            custody,
            market_oracle,
            collateral_custody,
            collateral_oracle,
            vault,
        };
        Ok((t, rest))
    }

    /// The position, which must exist and belong to `owner` in this pool and market, for writing.
    #[inline(always)]
    pub fn existing_position(&self, owner: &'a AccountView) -> Result<&'a mut Position> {
        let keys = PositionKeys {
            owner,
            pool: self.pool_account,
            custody: self.custody.address(),
            collateral_custody: self.collateral_custody.address(),
            side: 0,
        };
        let p = load_position(self.position, &keys)?;
        check_group(self.pool, p)?;
        Ok(p)
    }

    /// Both custodies of `side` for writing, checked ([`Custodies::load`]), and the vault
    /// checked to be the collateral custody's.
    #[inline(always)]
    pub fn custodies(&self, side: u8) -> Result<Custodies<'a>> {
        let custodies = Custodies::load(self.pool_account, self.custody, self.collateral_custody, side)?;
        check_vault(self.vault, &custodies.collateral().vault)?;
        Ok(custodies)
    }
}

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
            && match Side::try_from(side)? {
                Side::Long => same || collateral_stable,
                Side::Short => !same && collateral_stable,
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
    pub bump: crate::util::KnownBump,
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
    to.set_lamports(checked_add(to.lamports(), acc.lamports())?);
    acc.set_lamports(0);
    // SAFETY: no reference into the position's data is used after this point.
    unsafe { acc.close_unchecked() };
    Ok(())
}

impl<'a> Custodies<'a> {
    /// Settles what the position owes and earns over time ([`Pair::settle`]); returns what it
    /// booked, none when nothing was, for the `settled` field of the instruction's event, and the
    /// plain exit price it used, if any.
    pub fn settle(&mut self, p: &mut Position, pool: &Pool, at: &At) -> Result<(Option<Settlement>, Option<Price>)> {
        let s = self.pair.settle(p, pool, at)?;
        Ok((s.booked.booked(), s.exit))
    }
}
