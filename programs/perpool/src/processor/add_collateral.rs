use crate::math::{checked_add, checked_sub};
use pinocchio::AccountView;

use super::trade::{group_part, move_group, Actor, At, TradeAccounts};
use crate::{
    error::PerpoolError,
    events,
    oracle::OracleContext,
    util::{check_funding, check_token_program, check_writable, now, transfer_from_user, Result},
};

perpool_core::source_file!();

/// Accounts of `add_collateral(amount)` (the trade layout of `decrease_position`):
/// 0. `[signer]` owner
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` position
/// 4. `[writable]` custody
/// 5. `[]` custody_oracle
/// 6. `[writable]` collateral_custody
/// 7. `[]` collateral_oracle
/// 8. `[writable]` vault — the collateral custody's vault
/// 9. `[writable]` funding_account — owner's token account of the collateral
/// 10. `[]` token program
///
/// Prices are read to settle what the position owes and earns (funding and
/// interest are paid in collateral tokens). The deposit pays what the position
/// owes first; the event's `borrow_fee` field carries that amount.
pub fn process_add_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::AddCollateral { amount } = args::AddCollateral::read(data)?;
    let (t, rest) = TradeAccounts::load(accounts, 11, Actor::OwnerReadOnly, None)?;
    let [funding, token_program, ..] = rest else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let p = t.existing_position(t.actor)?;
    let mut custodies = t.custodies(p.side)?;
    let TradeAccounts {
        actor: owner, pool, position: position_account, market_oracle, collateral_oracle, vault, ..
    } = t;
    check_writable(funding)?;
    check_funding(funding, &custodies.collateral().mint, owner)?;
    check_token_program(token_program)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    let clock = now()?;
    let ctx = OracleContext { now: clock.unix_timestamp };
    custodies.accrue(clock.unix_timestamp, pool)?;
    let (market_price, collateral_price) = custodies.prices(market_oracle, collateral_oracle, &ctx)?;
    let at = At { now: clock.unix_timestamp, market_price, collateral_price, closes: false };
    // Settles borrow fees, funding and interest first (what it cannot pay becomes owed).
    let (settled, _) = custodies.settle(p, pool, &at)?;
    // The deposit pays what the position owes first.
    let before = group_part(p);
    let paid = p.owed_tokens.min(amount);
    let deposited = checked_sub(amount, paid)?;
    let collateral_after = checked_add(p.collateral_amount, deposited)?;
    let c = custodies.collateral_mut();
    c.collateral = checked_add(c.collateral, deposited)?;
    c.position_debt = c.position_debt.saturating_sub(paid);
    p.owed_tokens = checked_sub(p.owed_tokens, paid)?;
    p.collateral_amount = collateral_after;
    p.update_time = clock.unix_timestamp;
    let (side, group, after) = (p.side, p.collateral_group, group_part(p));
    move_group(custodies.market, side, group, &before, &after)?;

    transfer_from_user(funding, vault, owner, amount)?;
    events::collateral_added(&events::CollateralAdded {
        position: position_account.address(),
        owner: owner.address(),
        amount,
        owed_paid: paid,
        collateral: collateral_after,
        settled,
    });
    Ok(())
}
