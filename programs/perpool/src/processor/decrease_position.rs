use crate::CustodyOps;
use pinocchio::AccountView;

use super::trade::{
    close_position, collateral_side, fee_shares, market_side, position_state, signed_impact, Actor, At, Change,
    Custodies, TradeAccounts,
};
use crate::{
    error::PerpoolError,
    event::Settlement,
    events,
    math::{quote_decrease_at, DecreaseInput, Price},
    oracle::OracleContext,
    profile::{mark, Phase},
    state::{position::SIDE_LONG, Pool, Position},
    util::{check_receiving, check_token_program, check_writable, now, transfer_from_vault, PoolSigner, Result},
};

/// Accounts of `decrease_position(size_usd, collateral_out, acceptable_price)`
/// and of `remove_collateral(amount)`:
/// 0. `[writable, signer]` owner — receives the rent when the position closes
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` position
/// 4. `[writable]` custody
/// 5. `[]` custody_oracle
/// 6. `[writable]` collateral_custody
/// 7. `[]` collateral_oracle
/// 8. `[writable]` vault — the collateral custody's vault
/// 9. `[writable]` receiving_account — token account of the collateral
/// 10. `[]` token program
///
/// `execute_order` (take-profit / stop-loss) and `auto_deleverage` use the
/// same list after their keeper (and order) accounts, with the owner not
/// signing: the receiving account must then be the owner's.
pub struct DecreasePosition<'a> {
    pub owner: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub position_account: &'a AccountView,
    pub position: &'a mut Position,
    pub custodies: Custodies<'a>,
    pub market_oracle: &'a AccountView,
    pub collateral_oracle: &'a AccountView,
    pub vault: &'a AccountView,
    pub receiving: &'a AccountView,
    /// What the position's settlement booked ([`DecreasePosition::prepare`]), for the event.
    pub settled: Option<Settlement>,
    /// The plain exit price the settlement marked the position at, if it did (the quote reuses it).
    pub exit: Option<Price>,
}

impl<'a> DecreasePosition<'a> {
    /// Checks the accounts; `owner_signs` is false when a keeper acts for the owner.
    pub fn load(accounts: &'a [AccountView], owner_signs: bool) -> Result<Self> {
        let actor = if owner_signs { Actor::Owner } else { Actor::OwnerByKeeper };
        // Closing is never paused: the config is only checked to be the config.
        let (t, rest) = TradeAccounts::load(accounts, 11, actor, None)?;
        let [receiving, token_program, ..] = rest else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let position = t.existing_position(t.actor)?;
        let custodies = t.custodies(position.side)?;
        let TradeAccounts {
            actor: owner,
            pool_account,
            pool,
            position: position_account,
            market_oracle,
            collateral_oracle,
            vault,
            ..
        } = t;
        check_writable(receiving)?;
        let receiver = check_receiving(receiving, &custodies.collateral().mint, &custodies.collateral().vault)?;
        if !owner_signs && receiver != owner.address() {
            return Err(PerpoolError::InvalidTokenAccount);
        }
        check_token_program(token_program)?;
        mark(Phase::Accounts);
        Ok(Self {
            owner,
            pool_account,
            pool,
            position_account,
            position,
            custodies,
            market_oracle,
            collateral_oracle,
            vault,
            receiving,
            settled: None,
            exit: None,
        })
    }

    /// Accrues both custodies, reads their checked prices and settles what the
    /// position owes and earns over time. `size_usd`: the size the change will close, when known
    /// (a change that closes it all needs no next PnL base, [`At::closes`]); 0 if not.
    pub fn prepare(&mut self, size_usd: u64) -> Result<Prepared> {
        let closes = size_usd != 0 && size_usd == self.position.size_usd;
        let clock = now()?;
        mark(Phase::Oracle);
        let ctx = OracleContext { now: clock.unix_timestamp };
        self.custodies.accrue(clock.unix_timestamp, self.pool)?;
        mark(Phase::Accrual);
        let (market_price, collateral_price) =
            self.custodies.prices(self.market_oracle, self.collateral_oracle, &ctx)?;
        mark(Phase::Oracle);
        let at = At { now: clock.unix_timestamp, market_price, collateral_price, closes };
        (self.settled, self.exit) = self.custodies.settle(self.position, self.pool, &at)?;
        mark(Phase::Settlement);
        Ok(at)
    }
}

/// The time and prices of a decrease, read once.
pub type Prepared = At;

/// What is asked of a decrease (bundled: upstream BPF passes five arguments at most).
pub struct Request {
    pub size_usd: u64,
    pub collateral_out: u64,
    pub acceptable_price: Option<u64>,
}

/// What a decrease did.
pub struct Outcome {
    pub full_close: bool,
    pub exit_price: u64,
    pub pnl_usd: i64,
    pub amount_out: u64,
}

/// Closes size and/or withdraws collateral (shared by `decrease_position`,
/// `remove_collateral`, `execute_order` and `auto_deleverage`). Closes the
/// position account on a full close.
pub fn decrease(ix: &mut DecreasePosition, at: &Prepared, req: &Request) -> Result<Outcome> {
    let Request { size_usd, collateral_out, acceptable_price } = *req;
    let side = ix.position.side;
    // Checked before the impact, whose open-interest arithmetic would report an
    // overflow for more size than the side holds.
    if size_usd > ix.position.size_usd {
        return Err(PerpoolError::SizeTooLarge);
    }
    let impact = ix.custodies.market.price_impact(side, false, size_usd)?;
    mark(Phase::Impact);
    let market = market_side(ix.custodies.market, &at.market_price, side);
    let q = quote_decrease_at(
        &DecreaseInput {
            now: at.now,
            pos: position_state(ix.position, ix.pool),
            size_delta_usd: size_usd,
            collateral_out,
            market,
            coll: collateral_side(ix.custodies.collateral(), &at.collateral_price),
            fees: fee_shares(ix.pool),
            impact,
        },
        ix.exit,
    )?;
    if let Some(limit) = acceptable_price {
        let slipped = if side == SIDE_LONG { q.exit_price.0 < limit } else { q.exit_price.0 > limit };
        if slipped {
            return Err(PerpoolError::SlippageExceeded);
        }
    }
    mark(Phase::Math);

    let change = Change { side, size_usd, collateral: 0, escrowed: false, now: at.now };
    let pnl = ix.custodies.apply_decrease(ix.position, &q, &change)?;
    mark(Phase::State);

    if q.amount_out > 0 {
        crate::util::check_liquidity(ix.custodies.collateral(), ix.vault, q.amount_out)?;
        transfer_from_vault(ix.vault, ix.receiving, ix.pool_account, &PoolSigner::new(ix.pool), q.amount_out)?;
    }
    mark(Phase::Cpi);
    events::position_decreased(&events::PositionChange {
        position: ix.position_account.address(),
        owner: ix.owner.address(),
        custody: ix.custodies.market_key,
        collateral_custody: ix.custodies.collateral_key,
        side,
        size_delta_usd: size_usd,
        collateral_delta: collateral_out,
        price: q.exit_price.0,
        fee_usd: q.fee_usd,
        pnl_usd: pnl,
        size_usd: q.size_usd_after,
        collateral: q.collateral_after,
        amount_out: q.amount_out,
        impact_usd: signed_impact(&impact),
        settled: ix.settled,
    });
    mark(Phase::Event);
    if q.full_close {
        close_position(ix.position_account, ix.owner)?;
    }
    mark(Phase::State);
    Ok(Outcome { full_close: q.full_close, exit_price: q.exit_price.0, pnl_usd: pnl, amount_out: q.amount_out })
}

/// The owner's own decrease or collateral withdrawal.
fn decrease_by_owner(accounts: &[AccountView], req: &Request) -> Result<()> {
    let mut ix = DecreasePosition::load(accounts, true)?;
    let at = ix.prepare(req.size_usd)?;
    decrease(&mut ix, &at, req).map(|_| ())
}

pub fn process_decrease_position(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::DecreasePosition { size_usd, collateral_out, acceptable_price } = args::DecreasePosition::read(data)?;
    decrease_by_owner(accounts, &Request { size_usd, collateral_out, acceptable_price: Some(acceptable_price) })
}

pub fn process_remove_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::RemoveCollateral { amount } = args::RemoveCollateral::read(data)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    decrease_by_owner(accounts, &Request { size_usd: 0, collateral_out: amount, acceptable_price: None })
}
