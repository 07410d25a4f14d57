use crate::math::{checked_add, checked_sub};
use crate::CustodyOps;
use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_repay, RepayInput},
    state::{load, load_mut, Config, Custody, Loan, Pool},
    util::{
        check_funding, check_signer, check_token_program, check_vault, check_writable, now, transfer_from_user, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `repay(amount)` (anyone may repay a loan; more than the debt repays the debt):
/// 0. `[signer]` payer
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` loan
/// 4. `[writable]` borrow_custody
/// 5. `[writable]` borrow_vault — the borrowed custody's vault
/// 6. `[writable]` funding_account — payer's token account of the borrowed asset
/// 7. `[]` token program
pub fn process_repay(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::Repay { amount } = args::Repay::read(data)?;
    let [payer, config, pool_account, loan_account, borrow_custody, vault, funding, token_program, ..] = accounts
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(payer)?;
    load::<Config>(config)?;
    let pool = load::<Pool>(pool_account)?;
    let b = load_mut::<Custody>(borrow_custody)?;
    let loan = load_mut::<Loan>(loan_account)?;
    if &loan.pool != pool_account.address()
        || &loan.borrow_custody != borrow_custody.address()
        || &b.pool != pool_account.address()
    {
        return Err(PerpoolError::LoanMismatch);
    }
    check_vault(vault, &b.vault)?;
    check_writable(funding)?;
    check_funding(funding, &b.mint, payer)?;
    check_token_program(token_program)?;
    let clock = now()?;
    b.accrue(clock.unix_timestamp, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?;
    let q = quote_repay(&RepayInput { scaled_debt: loan.scaled_debt, amount, borrow_index: b.borrow_index })?;
    loan.scaled_debt = q.scaled_after;
    loan.update_time = clock.unix_timestamp;
    // Loans' debts round up, so together they may exceed the custody's `lent`
    // by a few units: what `lent` cannot absorb is the pool's gain.
    let from_lent = q.repaid.min(b.lent);
    b.lent = checked_sub(b.lent, from_lent)?;
    b.owned = checked_add(b.owned, checked_sub(q.repaid, from_lent)?)?;
    transfer_from_user(funding, vault, payer, q.repaid)?;
    events::loan_event(
        events::REPAID_EVENT,
        loan_account.address(),
        payer.address(),
        q.repaid,
        loan.collateral_amount,
        loan.scaled_debt,
    );
    Ok(())
}
