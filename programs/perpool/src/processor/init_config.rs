use pinocchio::{cpi::Seed, AccountView};

use crate::{
    error::PerpoolError,
    events,
    reader::Reader,
    state::{init, pool::check_timelock, Config, ZeroCopy},
    util::{check_pda, check_signer, check_system_program, check_uninitialized, check_writable, create_pda_account, NewAccount, Result},
};

/// Accounts of `init_config(min_timelock_secs)`. `min_timelock_secs` is the shortest
/// settings timelock any pool may have, fixed for the life of the config: the upgrade
/// authority that signs this chooses 24 h on a public cluster (`migrations/deploy.ts` does)
/// and 0 on a local one, where pools then change settings at once (see `proposal`).
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
    let mut r = Reader::new(data);
    let min_timelock_secs = r.u32()?;
    r.finish()?;
    check_timelock(min_timelock_secs, 0)?;
    let ix = InitConfig::try_from(accounts)?;
    let bump = [ix.bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.config, space: Config::LEN, owner: &crate::ID },
        &[Seed::from(b"config"), Seed::from(&bump)])?;
    let cfg = init::<Config>(ix.config)?;
    cfg.bump = ix.bump;
    cfg.admin = *ix.admin.address();
    cfg.min_timelock_secs = min_timelock_secs;
    events::config_initialized(ix.admin.address());
    Ok(())
}
