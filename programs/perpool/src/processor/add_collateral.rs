use pinocchio::AccountView;

use super::trade::{load_position, Custodies, PositionKeys};
use crate::{
    error::PerpoolError,
    events,
    math::{borrow_fee_tokens, split_fee},
    oracle::OracleContext,
    reader::Reader,
    state::{load, Config, Pool},
    util::{check_vault, check_funding, check_signer, check_token_program, check_writable, now, transfer_from_user, Result},
};

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
/// Prices are read only to settle interest on unrealized PnL; adding
/// collateral is never refused for a price.
pub fn process_add_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let mut r = Reader::new(data);
    let amount = r.u64()?;
    r.finish()?;
    let [owner, config, pool_account, position_account, custody, market_oracle, collateral_custody, collateral_oracle, vault, funding, token_program, ..] = accounts
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    load::<Config>(config)?;
    let pool = load::<Pool>(pool_account)?;
    let keys = PositionKeys { owner, pool: pool_account, custody: custody.address(), collateral_custody: collateral_custody.address(), side: 0 };
    let p = load_position(position_account, &keys)?;
    let mut custodies = Custodies::load(pool_account, custody, collateral_custody, p.side)?;
    check_vault(vault, &custodies.collateral().vault)?;
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
    custodies.settle(p, &market_price, &collateral_price)?;

    // Settle the borrow fee accrued so far, then add the deposit.
    let c = custodies.collateral_mut();
    let fee = borrow_fee_tokens(p.locked_amount, c.borrow_index, p.borrow_index_snapshot)?;
    let collateral_after = p
        .collateral_amount
        .checked_add(amount)
        .ok_or(PerpoolError::MathOverflow)?
        .checked_sub(fee)
        .ok_or(PerpoolError::InsufficientCollateral)?;
    let split = split_fee(fee, pool.protocol_fee_share_bps as u64, pool.insurance_fee_share_bps as u64)?;
    c.collateral = c.collateral.checked_add(amount).and_then(|x| x.checked_sub(fee)).ok_or(PerpoolError::MathOverflow)?;
    c.owned = c.owned.checked_add(split.lp).ok_or(PerpoolError::MathOverflow)?;
    c.cumulative_borrow_fees = c.cumulative_borrow_fees.saturating_add(split.lp);
    c.protocol_fees = c.protocol_fees.checked_add(split.protocol).ok_or(PerpoolError::MathOverflow)?;
    c.insurance = c.insurance.checked_add(split.insurance).ok_or(PerpoolError::MathOverflow)?;
    p.collateral_amount = collateral_after;
    p.borrow_index_snapshot = c.borrow_index;
    p.borrow_fees_paid = p.borrow_fees_paid.saturating_add(fee);
    p.update_time = clock.unix_timestamp;

    transfer_from_user(funding, vault, owner, amount)?;
    events::collateral_added(position_account.address(), owner.address(), amount, fee, collateral_after);
    Ok(())
}
