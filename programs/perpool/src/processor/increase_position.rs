use crate::CustodyOps;
use pinocchio::AccountView;

use super::trade::{
    check_group, collateral_side, fee_shares, group_of, load_or_create_position, market_side, position_state,
    signed_impact, Actor, At, Change, Custodies, Opener, PositionKeys, TradeAccounts,
};
use crate::{
    error::PerpoolError,
    events,
    math::{quote_increase, IncreaseInput},
    oracle::{OracleContext, OraclePrice},
    profile::{mark, Phase},
    state::{config::PAUSE_TRADING, position::SIDE_LONG, Pool},
    util::{
        check_funding, check_system_program, check_token_account, check_token_program, check_writable, now,
        transfer_from_user, Result,
    },
};

/// Accounts of `increase_position(side, size_usd, collateral_amount, acceptable_price, position_bump)`:
/// 0. `[writable, signer]` owner — pays rent when the position is opened
/// 1. `[]` config
/// 2. `[]` pool — read only: trades in different markets share no writable account
/// 3. `[writable]` position — PDA `["position", owner, pool, custody, collateral_custody, [side]]`
/// 4. `[writable]` custody — the market
/// 5. `[]` custody_oracle
/// 6. `[writable]` collateral_custody — the market custody itself for a long posting the asset
/// 7. `[]` collateral_oracle
/// 8. `[writable]` vault — the collateral custody's vault
/// 9. `[writable]` funding_account — owner's token account of the collateral
/// 10. `[]` token program
/// 11. `[]` system program
///
/// `position_bump` saves the bump search when the position is opened: when the
/// seeds with that bump derive the position's address and it is the canonical
/// bump (every higher bump's address on the curve), that is its address (one
/// hash, and a hash and a curve test per higher bump: none for bump 255). Any
/// other value is not an error: the canonical bump is searched for, so a client
/// that does not compute it (raw anchor over the IDL) passes any byte and pays
/// the search. A position exists only at its canonical address: the address
/// of another bump is refused (`InvalidPda`).
///
/// `execute_order` uses the same list (after its keeper and order accounts) for a
/// limit order, with the owner not signing: the collateral then comes from the
/// order's escrow, not from `funding_account`.
pub struct IncreasePosition<'a> {
    pub owner: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub position: &'a AccountView,
    pub custodies: Custodies<'a>,
    pub market_oracle: &'a AccountView,
    pub collateral_oracle: &'a AccountView,
    pub vault: &'a AccountView,
    pub funding: &'a AccountView,
}

impl<'a> IncreasePosition<'a> {
    /// Checks the accounts; `owner_signs` is false only for a keeper executing a limit order.
    pub fn load(accounts: &'a [AccountView], side: u8, owner_signs: bool) -> Result<Self> {
        let actor = if owner_signs { Actor::Owner } else { Actor::OwnerByKeeper };
        let (t, rest) = TradeAccounts::load(accounts, 12, actor, Some(PAUSE_TRADING))?;
        let [funding, token_program, system_program, ..] = rest else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let custodies = t.custodies(side)?;
        let TradeAccounts {
            actor: owner, pool_account, pool, position, market_oracle, collateral_oracle, vault, ..
        } = t;
        check_writable(funding)?;
        if owner_signs {
            check_funding(funding, &custodies.collateral().mint, owner)?;
        } else {
            // A limit order's collateral is already escrowed: this account is not used.
            check_token_account(funding, &custodies.collateral().mint)?;
        }
        check_writable(position)?;
        check_token_program(token_program)?;
        check_system_program(system_program)?;
        mark(Phase::Accounts);
        Ok(Self { owner, pool_account, pool, position, custodies, market_oracle, collateral_oracle, vault, funding })
    }

    /// Accrues both custodies and reads their checked prices (recording their publish times).
    pub fn prepare(&mut self) -> Result<(i64, OraclePrice, OraclePrice)> {
        let clock = now()?;
        mark(Phase::Oracle);
        let ctx = OracleContext { now: clock.unix_timestamp };
        self.custodies.accrue(clock.unix_timestamp, self.pool)?;
        mark(Phase::Accrual);
        let (m, c) = self.custodies.prices(self.market_oracle, self.collateral_oracle, &ctx)?;
        mark(Phase::Oracle);
        Ok((clock.unix_timestamp, m, c))
    }
}

/// What is asked of an increase (bundled: upstream BPF passes five arguments at most).
pub struct Request<'a> {
    pub side: u8,
    pub size_usd: u64,
    pub collateral_amount: u64,
    pub acceptable_price: u64,
    /// Pays the position's rent when it is opened.
    pub payer: &'a AccountView,
    /// The position's bump as known: the client's, or a limit order's (found canonical when the
    /// order was placed).
    pub position_bump: crate::util::KnownBump,
    /// True when the collateral is already in the vault (a limit order's escrow).
    pub escrowed: bool,
    pub now: i64,
    pub market_price: OraclePrice,
    pub collateral_price: OraclePrice,
}

/// Opens or grows the position (shared by `increase_position` and `execute_order`).
pub fn increase(ix: &mut IncreasePosition, req: &Request) -> Result<()> {
    let Request { side, size_usd, collateral_amount, acceptable_price, now, .. } = *req;
    let keys = PositionKeys {
        owner: ix.owner,
        pool: ix.pool_account,
        custody: ix.custodies.market_key,
        collateral_custody: ix.custodies.collateral_key,
        side,
    };
    let group = group_of(ix.pool, ix.custodies.collateral_key)?;
    let position =
        load_or_create_position(ix.position, &keys, &Opener { payer: req.payer, bump: req.position_bump, group }, now)?;
    check_group(ix.pool, position)?;
    // (Opening: the PDA derivations and the account's creation.)
    mark(if position.size_usd == 0 { Phase::Cpi } else { Phase::Accounts });
    let settled = if position.size_usd == 0 {
        ix.custodies.start(position, now);
        None
    } else {
        let at = At { now, market_price: req.market_price, collateral_price: req.collateral_price, closes: false };
        ix.custodies.settle(position, ix.pool, &at)?.0
    };
    mark(Phase::Settlement);
    let impact = ix.custodies.market.price_impact(side, true, size_usd)?;
    mark(Phase::Impact);
    let q = quote_increase(&IncreaseInput {
        now,
        pos: position_state(position, ix.pool),
        size_delta_usd: size_usd,
        collateral_delta: collateral_amount,
        market: market_side(ix.custodies.market, &req.market_price, side),
        coll: collateral_side(ix.custodies.collateral(), &req.collateral_price),
        fees: fee_shares(ix.pool),
        impact,
    })?;
    let slipped =
        if side == SIDE_LONG { q.entry_price.0 > acceptable_price } else { q.entry_price.0 < acceptable_price };
    if slipped {
        return Err(PerpoolError::SlippageExceeded);
    }
    mark(Phase::Math);

    let change = Change { side, size_usd, collateral: collateral_amount, escrowed: req.escrowed, now };
    ix.custodies.apply_increase(position, &q, &change)?;
    mark(Phase::State);

    if collateral_amount > 0 && !req.escrowed {
        transfer_from_user(ix.funding, ix.vault, ix.owner, collateral_amount)?;
    }
    mark(Phase::Cpi);
    events::position_increased(&events::PositionChange {
        position: ix.position.address(),
        owner: ix.owner.address(),
        custody: ix.custodies.market_key,
        collateral_custody: ix.custodies.collateral_key,
        side,
        size_delta_usd: size_usd,
        collateral_delta: collateral_amount,
        price: q.entry_price.0,
        fee_usd: q.fee_usd,
        pnl_usd: 0,
        size_usd: q.size_usd_after,
        collateral: q.collateral_after,
        amount_out: 0,
        impact_usd: signed_impact(&impact),
        settled,
    });
    mark(Phase::Event);
    Ok(())
}

pub fn process_increase_position(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::IncreasePosition { side, size_usd, collateral_amount, acceptable_price, position_bump } =
        args::IncreasePosition::read(data)?;
    let mut ix = IncreasePosition::load(accounts, side, true)?;
    let (now, market_price, collateral_price) = ix.prepare()?;
    let payer = ix.owner;
    increase(
        &mut ix,
        &Request {
            side,
            size_usd,
            collateral_amount,
            acceptable_price,
            payer,
            position_bump: crate::util::KnownBump::Client(position_bump),
            escrowed: false,
            now,
            market_price,
            collateral_price,
        },
    )
}
