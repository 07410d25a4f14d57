//! Trigger orders (SPEC §5): `place_order`, `cancel_order` and the
//! permissionless `execute_order`.

use crate::math::{checked_add, checked_sub};
use pinocchio::AccountView;
use pinocchio_system::instructions::Transfer;

use super::{
    decrease_position::{self, DecreasePosition},
    increase_position::{self, IncreasePosition},
    trade::{check_position_keys, Custodies, PositionKeys},
};
use crate::{
    error::PerpoolError,
    events,
    math::Price,
    state::{
        config::PAUSE_TRADING,
        load, load_mut,
        order::{OrderKind, MAX_ORDERS, MIN_EXECUTION_REWARD, ORDER_LIMIT},
        position::SIDE_LONG,
        Config, Order, Pool, Position,
    },
    util::{
        check_funding, check_pda, check_receiving, check_signer, check_system_program, check_token_program,
        check_vault, check_writable, create_at_pda, now, rent_exempt_minimum, transfer_from_user, transfer_from_vault,
        PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// What `place_order` is asked (bundled: upstream BPF passes five arguments at most).
struct PlaceArgs {
    slot: u8,
    kind: u8,
    side: u8,
    trigger_price: u64,
    acceptable_price: u64,
    size_usd: u64,
    collateral_amount: u64,
    execution_reward: u64,
}

impl PlaceArgs {
    /// The rules every order follows, before any account is touched.
    fn validate(&self) -> Result<()> {
        let kind_ok = match OrderKind::try_from(self.kind) {
            Ok(OrderKind::TakeProfit | OrderKind::StopLoss) => self.collateral_amount == 0,
            Ok(OrderKind::Limit) => self.size_usd > 0 && self.acceptable_price > 0,
            Err(_) => false,
        };
        if !kind_ok || self.slot >= MAX_ORDERS || self.trigger_price == 0 {
            return Err(PerpoolError::InvalidOrder);
        }
        if self.execution_reward < MIN_EXECUTION_REWARD {
            return Err(PerpoolError::ExecutionRewardTooSmall);
        }
        Ok(())
    }
}

/// Accounts of `place_order(slot, kind, side, trigger_price, acceptable_price, size_usd, collateral_amount, execution_reward)`:
/// 0. `[writable, signer]` owner — pays the order's rent and the execution reward (and, for a limit order, the position's rent)
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[]` position — PDA `["position", owner, pool, custody, collateral_custody, [side]]`; must be open for take-profit / stop-loss
/// 4. `[writable]` order — PDA `["order", position, [slot]]`
/// 5. `[writable]` custody — the market
/// 6. `[writable]` collateral_custody
/// 7. `[writable]` vault — the collateral custody's vault (limit orders escrow their collateral there)
/// 8. `[writable]` funding_account — owner's token account of the collateral
/// 9. `[]` token program
/// 10. `[]` system program
pub fn process_place_order(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::PlaceOrder {
        slot,
        kind,
        side,
        trigger_price,
        acceptable_price,
        size_usd,
        collateral_amount,
        execution_reward,
    } = args::PlaceOrder::read(data)?;
    let a =
        PlaceArgs { slot, kind, side, trigger_price, acceptable_price, size_usd, collateral_amount, execution_reward };
    let [owner, config, pool_account, position, order_account, custody, collateral_custody, vault, funding, token_program, system_program, ..] =
        accounts
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    check_writable(owner)?;
    if load::<Config>(config)?.is_paused(PAUSE_TRADING) {
        return Err(PerpoolError::Paused);
    }
    load::<Pool>(pool_account)?;
    let mut custodies = Custodies::load(pool_account, custody, collateral_custody, a.side)?;
    check_vault(vault, &custodies.collateral().vault)?;
    check_writable(funding)?;
    check_funding(funding, &custodies.collateral().mint, owner)?;
    check_token_program(token_program)?;
    check_system_program(system_program)?;
    a.validate()?;

    let keys = PositionKeys {
        owner,
        pool: pool_account,
        custody: custody.address(),
        collateral_custody: collateral_custody.address(),
        side: a.side,
    };
    let open = position.owned_by(&crate::ID);
    let position_bump = if open {
        let p = load::<Position>(position)?;
        check_position_keys(p, &keys)?;
        if p.size_usd == 0 {
            return Err(PerpoolError::InvalidOrder);
        }
        p.bump
    } else if a.kind != ORDER_LIMIT {
        // Take-profit and stop-loss need an open position.
        return Err(PerpoolError::InvalidOrder);
    } else {
        let side = [a.side];
        check_pda(
            position,
            &[
                b"position",
                owner.address().as_ref(),
                pool_account.address().as_ref(),
                custody.address().as_ref(),
                collateral_custody.address().as_ref(),
                &side,
            ],
        )?
    };

    let slot = [a.slot];
    let (o, bump) = create_at_pda::<Order>(owner, order_account, &[b"order", position.address().as_ref(), &slot])?;
    o.bump = bump;
    o.kind = a.kind;
    o.side = a.side;
    o.slot = a.slot;
    o.position_bump = position_bump;
    o.owner = *owner.address();
    o.pool = *pool_account.address();
    o.position = *position.address();
    o.custody = *custody.address();
    o.collateral_custody = *collateral_custody.address();
    o.trigger_price = a.trigger_price;
    o.acceptable_price = a.acceptable_price;
    o.size_usd = a.size_usd;
    o.collateral_amount = a.collateral_amount;
    o.execution_reward = a.execution_reward;
    o.position_rent =
        if a.kind == ORDER_LIMIT { rent_exempt_minimum(<Position as crate::state::ZeroCopy>::LEN)? } else { 0 };
    o.created_time = now()?.unix_timestamp;

    let prepaid = checked_add(a.execution_reward, o.position_rent)?;
    // Checked here: a failing system-program CPI aborts with that program's error.
    if owner.lamports() < prepaid {
        return Err(PerpoolError::InsufficientLamports);
    }
    Transfer { from: owner, to: order_account, lamports: prepaid }.invoke()?;
    if a.collateral_amount > 0 {
        let c = custodies.collateral_mut();
        c.order_collateral = checked_add(c.order_collateral, a.collateral_amount)?;
        transfer_from_user(funding, vault, owner, a.collateral_amount)?;
    }
    events::order_placed(order_account.address(), o);
    Ok(())
}

/// Accounts of `cancel_order()`: the owner gets back the escrow, the reward and the rent.
/// 0. `[writable, signer]` owner
/// 1. `[]` pool
/// 2. `[writable]` order
/// 3. `[writable]` collateral_custody
/// 4. `[writable]` vault — the collateral custody's vault
/// 5. `[writable]` receiving_account — owner's token account of the collateral
/// 6. `[]` token program
pub fn process_cancel_order(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::CancelOrder {} = args::CancelOrder::read(data)?;
    let [owner, pool_account, order_account, collateral_custody, vault, receiving, token_program, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    check_writable(owner)?;
    let pool = load::<Pool>(pool_account)?;
    let o = load_mut::<Order>(order_account)?;
    if &o.owner != owner.address()
        || &o.pool != pool_account.address()
        || &o.collateral_custody != collateral_custody.address()
    {
        return Err(PerpoolError::OrderMismatch);
    }
    let c = load_mut::<crate::state::Custody>(collateral_custody)?;
    check_vault(vault, &c.vault)?;
    check_writable(receiving)?;
    check_receiving(receiving, &c.mint, &c.vault)?;
    check_token_program(token_program)?;
    let escrow = o.collateral_amount;
    if escrow > 0 {
        c.order_collateral = checked_sub(c.order_collateral, escrow)?;
        transfer_from_vault(vault, receiving, pool_account, &PoolSigner::new(pool), escrow)?;
    }
    events::order_cancelled(order_account.address(), owner.address(), escrow);
    close_order(order_account, owner, None)
}

/// Whether the oracle price has crossed the order's trigger.
fn triggered(o: &Order, price: Price) -> bool {
    let long = o.side == SIDE_LONG;
    let at_or_above = price.0 >= o.trigger_price;
    let at_or_below = price.0 <= o.trigger_price;
    // The kind was checked when the order was placed; a limit order is the remaining case.
    match OrderKind::try_from(o.kind) {
        // A long takes profit high and stops out low; a short the reverse.
        Ok(OrderKind::TakeProfit) => {
            if long {
                at_or_above
            } else {
                at_or_below
            }
        }
        Ok(OrderKind::StopLoss) => {
            if long {
                at_or_below
            } else {
                at_or_above
            }
        }
        // A limit order buys low (long) or sells high (short).
        _ => {
            if long {
                at_or_below
            } else {
                at_or_above
            }
        }
    }
}

/// Accounts of `execute_order()` (permissionless):
/// 0. `[writable, signer]` keeper — receives the execution reward; pays the position's rent when a limit order opens it (repaid from the order)
/// 1. `[writable]` order
/// 2. `[writable]` owner — the order's owner; receives the order's rent
/// 3. `[]` config
/// 4. `[]` pool
/// 5. `[writable]` position
/// 6. `[writable]` custody
/// 7. `[]` custody_oracle
/// 8. `[writable]` collateral_custody
/// 9. `[]` collateral_oracle
/// 10. `[writable]` vault — the collateral custody's vault
/// 11. `[writable]` owner_account — owner's token account of the collateral (receives take-profit / stop-loss proceeds)
/// 12. `[]` token program
/// 13. `[]` system program
///
/// Accounts 2–13 are the `increase_position` / `decrease_position` list.
///
/// A take-profit or stop-loss whose position was closed (or closed and opened
/// again after the order) is cleared instead (`OrderCancelled`): the keeper
/// gets the reward, the owner the rent.
pub fn process_execute_order(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::ExecuteOrder {} = args::ExecuteOrder::read(data)?;
    let [keeper, order_account, rest @ ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let [owner, _config, pool_account, position, _custody, _custody_oracle, _collateral_custody, _collateral_oracle, _vault, _owner_account, _token_program, system_program, ..] =
        rest
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(keeper)?;
    check_writable(keeper)?;
    let o = load_mut::<Order>(order_account)?;
    if &o.owner != owner.address() || &o.pool != pool_account.address() || &o.position != position.address() {
        return Err(PerpoolError::OrderMismatch);
    }
    // A limit order checks it with the rest of the increase accounts; the others only use it here.
    if o.kind != ORDER_LIMIT {
        check_system_program(system_program)?;
    }
    let stale = o.kind != ORDER_LIMIT
        && (!position.owned_by(&crate::ID) || load::<Position>(position)?.open_time > o.created_time);
    if stale {
        // The position was closed (by its owner, an order or a liquidation), and
        // maybe opened again since: its take-profit / stop-loss orders no longer
        // apply. Any keeper may clear them, for the reward; the owner gets the rent.
        check_writable(owner)?;
        events::order_cancelled(order_account.address(), keeper.address(), 0);
        let reward = o.execution_reward;
        return close_order(order_account, owner, Some((keeper, reward)));
    }
    let (price, opened) = if o.kind == ORDER_LIMIT {
        let opened = !position.owned_by(&crate::ID);
        let mut ix = IncreasePosition::load(rest, o.side, false)?;
        let (now, market_price, collateral_price) = ix.prepare()?;
        if !triggered(o, market_price.spot) {
            return Err(PerpoolError::OrderNotTriggered);
        }
        let req = increase_position::Request {
            side: o.side,
            size_usd: o.size_usd,
            collateral_amount: o.collateral_amount,
            acceptable_price: o.acceptable_price,
            payer: keeper,
            position_bump: crate::util::KnownBump::Canonical(o.position_bump),
            escrowed: true,
            now,
            market_price,
            collateral_price,
        };
        increase_position::increase(&mut ix, &req)?;
        (market_price.spot, opened)
    } else {
        let mut ix = DecreasePosition::load(rest, false)?;
        // A settlement leaves the size as it is: the size closed is known before it.
        let open = ix.position.size_usd;
        let size_usd = if o.size_usd == 0 { open } else { o.size_usd.min(open) };
        let at = ix.prepare(size_usd)?;
        if !triggered(o, at.market_price.spot) {
            return Err(PerpoolError::OrderNotTriggered);
        }
        let acceptable_price = if o.acceptable_price == 0 { None } else { Some(o.acceptable_price) };
        decrease_position::decrease(
            &mut ix,
            &at,
            &decrease_position::Request { size_usd, collateral_out: 0, acceptable_price },
        )?;
        (at.market_price.spot, false)
    };
    let to_keeper = checked_add(o.execution_reward, if opened { o.position_rent } else { 0 })?;
    events::order_executed(order_account.address(), keeper.address(), price.0, o.execution_reward);
    crate::profile::mark(crate::profile::Phase::Event);
    let closed = close_order(order_account, owner, Some((keeper, to_keeper)));
    crate::profile::mark(crate::profile::Phase::State);
    closed
}

/// Closes an order: `paid.1` lamports to `paid.0` (the keeper), the rest to the owner.
fn close_order(order: &AccountView, owner: &AccountView, paid: Option<(&AccountView, u64)>) -> Result<()> {
    let mut acc = *order;
    let mut total = acc.lamports();
    if let Some((keeper, amount)) = paid {
        let mut k = *keeper;
        let amount = amount.min(total);
        k.set_lamports(checked_add(k.lamports(), amount)?);
        total = checked_sub(total, amount)?;
    }
    let mut to = *owner;
    to.set_lamports(checked_add(to.lamports(), total)?);
    acc.set_lamports(0);
    // SAFETY: no reference into the order's data is used after this point.
    unsafe { acc.close_unchecked() };
    Ok(())
}
