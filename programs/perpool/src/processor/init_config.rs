use pinocchio::{cpi::Seed, AccountView};

use crate::{
    error::PerpoolError,
    events,
    reader::Reader,
    state::{init, Config, ZeroCopy},
    util::{check_pda, check_signer, check_system_program, check_uninitialized, check_writable, create_pda_account, NewAccount, Result},
};

/// Accounts of `init_config`:
/// 0. `[writable, signer]` admin — pays rent and becomes the protocol admin
/// 1. `[writable]` config — PDA `["config"]`, must not exist yet
/// 2. `[]` system program
pub struct InitConfig<'a> {
    pub admin: &'a AccountView,
    pub config: &'a AccountView,
    pub bump: u8,
}

impl<'a> TryFrom<&'a [AccountView]> for InitConfig<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, system_program, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(admin)?;
        check_writable(admin)?;
        check_system_program(system_program)?;
        check_uninitialized(config)?;
        let bump = check_pda(config, &[b"config"])?;
        Ok(Self { admin, config, bump })
    }
}

pub fn process_init_config(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    Reader::new(data).finish()?;
    let ix = InitConfig::try_from(accounts)?;
    let bump = [ix.bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.config, space: Config::LEN, owner: &crate::ID },
        &[Seed::from(b"config"), Seed::from(&bump)])?;
    let cfg = init::<Config>(ix.config)?;
    cfg.bump = ix.bump;
    cfg.admin = *ix.admin.address();
    events::config_initialized(ix.admin.address());
    Ok(())
}
