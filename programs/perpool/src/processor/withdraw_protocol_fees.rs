use pinocchio::AccountView;

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, load_mut, Custody, Pool},
    util::{
        check_receiving, check_token_program, check_vault, check_writable, transfer_from_vault, PoolSigner, Result,
    },
};

/// Accounts of `withdraw_protocol_fees(amount)`:
/// 0. `[signer]` admin
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody
/// 4. `[writable]` vault — the custody's vault
/// 5. `[writable]` receiving_account — token account of the custody's mint
/// 6. `[]` token program
pub struct WithdrawProtocolFees<'a> {
    pub admin: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub custody_account: &'a AccountView,
    pub custody: &'a mut Custody,
    pub vault: &'a AccountView,
    pub receiving: &'a AccountView,
}

impl<'a> TryFrom<&'a [AccountView]> for WithdrawProtocolFees<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool_account, custody_account, vault, receiving, token_program, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        load_admin_config(admin, config)?;
        let pool = load::<Pool>(pool_account)?;
        let custody = load_mut::<Custody>(custody_account)?;
        if &custody.pool != pool_account.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        check_vault(vault, &custody.vault)?;
        check_writable(receiving)?;
        check_receiving(receiving, &custody.mint, &custody.vault)?;
        check_token_program(token_program)?;
        Ok(Self { admin, pool_account, pool, custody_account, custody, vault, receiving })
    }
}

pub fn process_withdraw_protocol_fees(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::WithdrawProtocolFees { amount } = args::WithdrawProtocolFees::read(data)?;
    let ix = WithdrawProtocolFees::try_from(accounts)?;
    if amount == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    ix.custody.protocol_fees =
        ix.custody.protocol_fees.checked_sub(amount).ok_or(PerpoolError::InsufficientProtocolFees)?;
    transfer_from_vault(ix.vault, ix.receiving, ix.pool_account, &PoolSigner::new(ix.pool), amount)?;
    events::protocol_fees_withdrawn(
        ix.custody_account.address(),
        ix.admin.address(),
        ix.receiving.address(),
        amount,
        ix.custody.protocol_fees,
    );
    Ok(())
}
