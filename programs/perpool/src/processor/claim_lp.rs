use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, load_mut, LpAccount, Pool},
    util::{
        check_signer, check_token_account, check_token_program, check_vault, check_writable, now, PoolSigner, Result,
    },
};

/// Accounts of `claim_lp()`: the owner takes their LP tokens out of the pool's escrow once their
/// cooldown is over.
/// 0. `[signer]` owner
/// 1. `[]` pool
/// 2. `[writable]` lp_account — PDA `["lp_account", pool, owner]`
/// 3. `[writable]` lp_escrow — the pool's LP escrow
/// 4. `[writable]` lp_token_account — receives the LP tokens (any LP token account)
/// 5. `[]` token program
pub fn process_claim_lp(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ClaimLp {} = args::ClaimLp::read(data)?;
    let [owner, pool_account, lp_record, lp_escrow, lp_token, token_program, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(owner)?;
    let pool = load::<Pool>(pool_account)?;
    check_writable(lp_record)?;
    let lp = load_mut::<LpAccount>(lp_record)?;
    if &lp.pool != pool_account.address() || &lp.owner != owner.address() {
        return Err(PerpoolError::InvalidPda);
    }
    check_vault(lp_escrow, &pool.lp_escrow)?;
    check_writable(lp_token)?;
    check_token_account(lp_token, &pool.lp_mint)?;
    check_token_program(token_program)?;
    if lp.escrowed_lp == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    if now()?.unix_timestamp < lp.unlock_time {
        return Err(PerpoolError::LpCooldown);
    }
    let amount = lp.escrowed_lp;
    lp.escrowed_lp = 0;
    let signer = PoolSigner::new(pool);
    let seeds = signer.seeds();
    pinocchio_token::instructions::Transfer::new(lp_escrow, lp_token, pool_account, amount)
        .invoke_signed(&[pinocchio::cpi::Signer::from(&seeds)])?;
    events::lp_claimed(pool_account.address(), owner.address(), amount);
    Ok(())
}
