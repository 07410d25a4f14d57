use crate::math::checked_add;
use crate::CustodyOps;
use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, load_mut, Config, Custody, Pool},
    util::{
        check_funding, check_signer, check_token_program, check_vault, check_writable, now, transfer_from_user, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `top_up_insurance(amount)` (anyone may add to a custody's insurance fund):
/// 0. `[signer]` payer
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody
/// 4. `[writable]` vault — the custody's vault
/// 5. `[writable]` funding_account — payer's token account of the custody's mint
/// 6. `[]` token program
pub fn process_top_up_insurance(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::TopUpInsurance { amount } = args::TopUpInsurance::read(data)?;
    let [payer, config, pool_account, custody_account, vault, funding, token_program, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(payer)?;
    load::<Config>(config)?;
    let pool = load::<Pool>(pool_account)?;
    let c = load_mut::<Custody>(custody_account)?;
    if &c.pool != pool_account.address() {
        return Err(PerpoolError::CustodyMismatch);
    }
    check_vault(vault, &c.vault)?;
    check_writable(funding)?;
    check_funding(funding, &c.mint, payer)?;
    check_token_program(token_program)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    let clock = now()?;
    c.accrue(clock.unix_timestamp, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?;
    c.insurance = checked_add(c.insurance, amount)?;
    transfer_from_user(funding, vault, payer, amount)?;
    events::insurance_topped_up(custody_account.address(), payer.address(), amount, c.insurance);
    Ok(())
}
