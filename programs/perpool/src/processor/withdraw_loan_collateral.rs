use crate::math::checked_sub;
use pinocchio::AccountView;

use super::loan::{borrow_side, collateral_side, load_context, loan_params, loan_state};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_withdraw_collateral, WithdrawCollateralInput},
    util::{
        check_receiving, check_token_program, check_vault, check_writable, transfer_from_vault, PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `withdraw_loan_collateral(amount)`:
/// 0. `[signer]` owner
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` loan
/// 4. `[writable]` collateral_custody
/// 5. `[]` collateral_oracle
/// 6. `[writable]` borrow_custody
/// 7. `[]` borrow_oracle
/// 8. `[writable]` vault — the collateral custody's vault
/// 9. `[writable]` receiving_account — token account of the collateral
/// 10. `[]` token program
pub fn process_withdraw_loan_collateral(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::WithdrawLoanCollateral { amount } = args::WithdrawLoanCollateral::read(data)?;
    let (x, rest) = load_context(accounts, true)?;
    let [vault, receiving, token_program, ..] = rest else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_vault(vault, &x.collateral.vault)?;
    check_writable(receiving)?;
    check_receiving(receiving, &x.collateral.mint, &x.collateral.vault)?;
    check_token_program(token_program)?;
    let q = quote_withdraw_collateral(&WithdrawCollateralInput {
        loan: loan_state(x.loan),
        amount,
        coll: collateral_side(x.collateral, &x.collateral_price),
        borrow: borrow_side(x.borrow, &x.borrow_price),
        params: loan_params(x.collateral),
    })?;
    x.loan.collateral_amount = q.collateral_after;
    x.loan.update_time = x.now;
    x.collateral.loan_collateral = checked_sub(x.collateral.loan_collateral, amount)?;
    crate::util::check_liquidity(x.collateral, vault, amount)?;
    transfer_from_vault(vault, receiving, x.pool_account, &PoolSigner::new(x.pool), amount)?;
    events::loan_event(
        events::LOAN_COLLATERAL_WITHDRAWN_EVENT,
        x.loan_account.address(),
        x.signer.address(),
        amount,
        q.collateral_after,
        x.loan.scaled_debt,
    );
    Ok(())
}
