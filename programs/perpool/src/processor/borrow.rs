use crate::math::checked_add;
use pinocchio::AccountView;

use super::loan::{borrow_side, collateral_side, load_context, loan_params, loan_state};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_borrow, BorrowInput},
    profile::{mark, Phase},
    util::{
        check_receiving, check_token_program, check_vault, check_writable, transfer_from_vault, PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `borrow(amount)`:
/// 0. `[signer]` owner
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` loan
/// 4. `[writable]` collateral_custody
/// 5. `[]` collateral_oracle
/// 6. `[writable]` borrow_custody
/// 7. `[]` borrow_oracle
/// 8. `[writable]` borrow_vault — the borrowed custody's vault
/// 9. `[writable]` receiving_account — token account of the borrowed asset
/// 10. `[]` token program
pub fn process_borrow(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::Borrow { amount } = args::Borrow::read(data)?;
    let (x, rest) = load_context(accounts, true)?;
    if x.paused {
        return Err(PerpoolError::Paused);
    }
    let [vault, receiving, token_program, ..] = rest else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_vault(vault, &x.borrow.vault)?;
    check_writable(receiving)?;
    check_receiving(receiving, &x.borrow.mint, &x.borrow.vault)?;
    check_token_program(token_program)?;
    mark(Phase::Accounts);
    let q = quote_borrow(&BorrowInput {
        loan: loan_state(x.loan),
        amount,
        coll: collateral_side(x.collateral, &x.collateral_price),
        borrow: borrow_side(x.borrow, &x.borrow_price),
        params: loan_params(x.collateral),
    })?;
    mark(Phase::Math);
    x.loan.scaled_debt = checked_add(x.loan.scaled_debt, q.scaled_delta)?;
    x.loan.update_time = x.now;
    x.borrow.lent = checked_add(x.borrow.lent, amount)?;
    mark(Phase::State);
    transfer_from_vault(vault, receiving, x.pool_account, &PoolSigner::new(x.pool), amount)?;
    mark(Phase::Cpi);
    events::loan_event(
        events::BORROWED_EVENT,
        x.loan_account.address(),
        x.signer.address(),
        amount,
        x.loan.collateral_amount,
        x.loan.scaled_debt,
    );
    mark(Phase::Event);
    Ok(())
}
