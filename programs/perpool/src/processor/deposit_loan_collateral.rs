use crate::math::checked_add;
use crate::CustodyOps;
use pinocchio::AccountView;

use super::loan::{check_pair, load_or_create_loan, settle_collateral_interest, LoanKeys};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, load_mut, Config, Custody, Pool},
    util::{
        check_funding, check_signer, check_system_program, check_token_program, check_vault, check_writable, now,
        transfer_from_user, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `deposit_loan_collateral(amount)`:
/// 0. `[writable, signer]` owner — pays rent when the loan is opened
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` loan — PDA `["loan", owner, pool, collateral_custody, borrow_custody]`
/// 4. `[writable]` collateral_custody
/// 5. `[]` borrow_custody
/// 6. `[writable]` vault — the collateral custody's vault
/// 7. `[writable]` funding_account — owner's token account of the collateral
/// 8. `[]` token program
/// 9. `[]` system program
pub fn process_deposit_loan_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::DepositLoanCollateral { amount } = args::DepositLoanCollateral::read(data)?;
    let [owner, config, pool_account, loan_account, collateral_custody, borrow_custody, vault, funding, token_program, system_program, ..] =
        accounts
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    check_writable(owner)?;
    load::<Config>(config)?;
    let pool = load::<Pool>(pool_account)?;
    if collateral_custody.address() == borrow_custody.address() {
        return Err(PerpoolError::LendingNotEnabled);
    }
    let c = load_mut::<Custody>(collateral_custody)?;
    let b = load::<Custody>(borrow_custody)?;
    check_pair(pool_account.address(), collateral_custody.address(), c, borrow_custody.address(), &b.pool)?;
    check_vault(vault, &c.vault)?;
    check_writable(funding)?;
    check_funding(funding, &c.mint, owner)?;
    check_token_program(token_program)?;
    check_system_program(system_program)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    let clock = now()?;
    c.accrue(clock.unix_timestamp, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?;
    let keys = LoanKeys {
        owner: owner.address(),
        pool: pool_account.address(),
        collateral_custody: collateral_custody.address(),
        borrow_custody: borrow_custody.address(),
    };
    let loan = load_or_create_loan(loan_account, owner, &keys, clock.unix_timestamp)?;
    settle_collateral_interest(loan, c)?;
    loan.collateral_amount = checked_add(loan.collateral_amount, amount)?;
    loan.update_time = clock.unix_timestamp;
    c.loan_collateral = checked_add(c.loan_collateral, amount)?;
    transfer_from_user(funding, vault, owner, amount)?;
    events::loan_event(
        events::LOAN_COLLATERAL_DEPOSITED_EVENT,
        loan_account.address(),
        owner.address(),
        amount,
        loan.collateral_amount,
        loan.scaled_debt,
    );
    Ok(())
}
