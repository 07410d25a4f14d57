use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    math::{borrow_fee_tokens, split_fee},
    reader::Reader,
    state::{load, load_mut, Config, Custody, Pool},
    util::{check_signer, check_token_account, check_token_program, check_writable, now, transfer_from_user, Result},
};

/// Accounts of `add_collateral(amount)`:
/// 0. `[signer]` owner
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` position
/// 4. `[writable]` collateral_custody
/// 5. `[writable]` vault — the collateral custody's vault
/// 6. `[writable]` funding_account — owner's token account of the collateral
/// 7. `[]` token program
///
/// Adding collateral only makes a position safer, so no price is read.
pub fn process_add_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let mut r = Reader::new(data);
    let amount = r.u64()?;
    r.finish()?;
    let [owner, config, pool_account, position_account, collateral_custody, vault, funding, token_program, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    load::<Config>(config)?;
    let pool = load::<Pool>(pool_account)?;
    let c = load_mut::<Custody>(collateral_custody)?;
    if &c.pool != pool_account.address() {
        return Err(PerpoolError::CustodyMismatch);
    }
    let p = load_mut::<crate::state::Position>(position_account)?;
    if &p.owner != owner.address() || &p.pool != pool_account.address() || &p.collateral_custody != collateral_custody.address() {
        return Err(PerpoolError::PositionMismatch);
    }
    check_writable(vault)?;
    if vault.address() != &c.vault {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    check_writable(funding)?;
    check_token_account(funding, &c.mint)?;
    check_token_program(token_program)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    let clock = now()?;
    c.accrue(clock.unix_timestamp)?;

    // Settle the borrow fee accrued so far, then add the deposit.
    let fee = borrow_fee_tokens(p.locked_amount, c.borrow_index, p.borrow_index_snapshot)?;
    let collateral_after = p
        .collateral_amount
        .checked_add(amount)
        .and_then(|x| x.checked_sub(fee))
        .ok_or(PerpoolError::InsufficientCollateral)?;
    let split = split_fee(fee, pool.protocol_fee_share_bps as u64, pool.insurance_fee_share_bps as u64)?;
    c.collateral = c.collateral.checked_add(amount).and_then(|x| x.checked_sub(fee)).ok_or(PerpoolError::MathOverflow)?;
    c.owned = c.owned.checked_add(split.lp).ok_or(PerpoolError::MathOverflow)?;
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
