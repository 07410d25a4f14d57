use crate::math::{checked_add, checked_sub};
use crate::CustodyOps;
use pinocchio::AccountView;

use super::loan::{borrow_side, collateral_side, load_context, loan_params, loan_state};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_liquidate_loan, LiquidateLoanInput},
    util::{
        check_funding, check_receiving, check_token_program, check_writable, transfer_from_user, transfer_from_vault,
        PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `liquidate_loan(repay_amount)` (permissionless):
/// 0. `[signer]` liquidator
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` loan
/// 4. `[writable]` collateral_custody
/// 5. `[]` collateral_oracle
/// 6. `[writable]` borrow_custody
/// 7. `[]` borrow_oracle
/// 8. `[writable]` collateral_vault
/// 9. `[writable]` borrow_vault
/// 10. `[writable]` liquidator_funding — liquidator's token account of the borrowed asset
/// 11. `[writable]` liquidator_receiving — liquidator's token account of the collateral
/// 12. `[]` token program
///
/// Also the recall path of interest-bearing collateral: while the borrowed custody has lent more
/// than it may (`Custody::over_lent`, collateral withdrawn after it was lent out), any loan of it
/// may be partly repaid on liquidation terms, up to that excess.
pub fn process_liquidate_loan(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::LiquidateLoan { repay_amount } = args::LiquidateLoan::read(data)?;
    let (x, rest) = load_context(accounts, false)?;
    let [collateral_vault, borrow_vault, funding, receiving, token_program, ..] = rest else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_writable(collateral_vault)?;
    check_writable(borrow_vault)?;
    if collateral_vault.address() != &x.collateral.vault || borrow_vault.address() != &x.borrow.vault {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    check_writable(funding)?;
    check_funding(funding, &x.borrow.mint, x.signer)?;
    check_writable(receiving)?;
    check_receiving(receiving, &x.collateral.mint, &x.collateral.vault)?;
    check_token_program(token_program)?;
    let q = quote_liquidate_loan(&LiquidateLoanInput {
        loan: loan_state(x.loan),
        repay_amount,
        coll: collateral_side(x.collateral, &x.collateral_price),
        borrow: borrow_side(x.borrow, &x.borrow_price),
        params: loan_params(x.collateral),
        insurance_balance: x.borrow.insurance,
        recall_excess: x.borrow.over_lent(),
    })?;
    // Borrowed custody: repaid tokens come back; bad debt is written off,
    // paid by insurance first, then by the suppliers.
    let b = &mut *x.borrow;
    let written_off = checked_add(q.repaid, q.bad_debt)?;
    let from_lent = written_off.min(b.lent); // rounding drift, as in repay
    b.lent = checked_sub(b.lent, from_lent)?;
    b.insurance = checked_sub(b.insurance, q.insurance_used)?;
    b.owned = checked_add(b.owned, checked_sub(written_off, from_lent)?)?
        .checked_sub(q.socialized)
        .ok_or(PerpoolError::InsufficientLiquidity)?;
    x.loan.scaled_debt = q.scaled_after;
    x.loan.collateral_amount = q.collateral_after;
    x.loan.update_time = x.now;
    x.collateral.loan_collateral = checked_sub(x.collateral.loan_collateral, q.collateral_seized)?;

    let signer = PoolSigner::new(x.pool);
    if q.repaid > 0 {
        transfer_from_user(funding, borrow_vault, x.signer, q.repaid)?;
    }
    if q.collateral_seized > 0 {
        transfer_from_vault(collateral_vault, receiving, x.pool_account, &signer, q.collateral_seized)?;
    }
    events::loan_liquidated(x.loan_account.address(), x.signer.address(), q.repaid, q.collateral_seized, q.bad_debt);
    Ok(())
}
