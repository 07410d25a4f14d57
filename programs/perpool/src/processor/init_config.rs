use pinocchio::{cpi::Seed, AccountView, Address};

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{init, pool::check_timelock, Config, ZeroCopy},
    util::{
        check_pda, check_signer, check_system_program, check_uninitialized, check_writable, create_pda_account,
        NewAccount, Result,
    },
    BPF_LOADER_UPGRADEABLE_ID,
};

/// Accounts of `init_config(min_timelock_secs)`. `min_timelock_secs` is the shortest
/// settings timelock any pool may have, fixed for the life of the config: the upgrade
/// authority that signs this chooses 24 h on a public cluster (`migrations/deploy.ts` does)
/// and 0 on a local one, where pools then change settings at once (see `proposal`).
/// 0. `[writable, signer]` admin — the program's upgrade authority; pays rent and becomes the protocol admin
/// 1. `[writable]` config — PDA `["config"]`, must not exist yet
/// 2. `[]` program — this program's account (BPF Loader Upgradeable)
/// 3. `[]` program_data — the ProgramData account the program account names
/// 4. `[]` system program
pub struct InitConfig<'a> {
    pub admin: &'a AccountView,
    pub config: &'a AccountView,
    pub bump: u8,
}

impl<'a> TryFrom<&'a [AccountView]> for InitConfig<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, program, program_data, system_program, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(admin)?;
        check_writable(admin)?;
        check_upgrade_authority(admin.address(), program, program_data)?;
        check_system_program(system_program)?;
        check_uninitialized(config)?;
        let bump = check_pda(config, &[b"config"])?;
        Ok(Self { admin, config, bump })
    }
}

/// `UpgradeableLoaderState` tags (bincode u32): `Program { programdata_address }`
/// and `ProgramData { slot: u64, upgrade_authority_address: Option<Address> }`.
const PROGRAM_TAG: [u8; 4] = [2, 0, 0, 0];
const PROGRAM_DATA_TAG: [u8; 4] = [3, 0, 0, 0];
/// Program account: tag, then the ProgramData address.
const PROGRAM_LEN: usize = 4 + 32;
/// ProgramData header: tag, slot, option tag (0 = None, 1 = Some), authority; the ELF follows.
const AUTHORITY_TAG: usize = 4 + 8;
const PROGRAM_DATA_HEADER_LEN: usize = AUTHORITY_TAG + 1 + 32;

/// Checks that `authority` is this program's upgrade authority: `program` is
/// this program's account, owned by BPF Loader Upgradeable, and names
/// `program_data`, whose header holds `Some(authority)`. Only the loader
/// writes accounts it owns, so their bytes are the deployment's truth.
fn check_upgrade_authority(authority: &Address, program: &AccountView, program_data: &AccountView) -> Result<()> {
    if program.address() != &crate::ID || !program.owned_by(&BPF_LOADER_UPGRADEABLE_ID) {
        return Err(PerpoolError::InvalidProgramData);
    }
    // SAFETY: read-only views of loader-owned accounts this program never writes.
    let p = unsafe { program.borrow_unchecked() };
    if p.len() < PROGRAM_LEN || p[..4] != PROGRAM_TAG || p[4..PROGRAM_LEN] != *program_data.address().as_ref() {
        return Err(PerpoolError::InvalidProgramData);
    }
    if !program_data.owned_by(&BPF_LOADER_UPGRADEABLE_ID) {
        return Err(PerpoolError::InvalidProgramData);
    }
    // SAFETY: as above.
    let d = unsafe { program_data.borrow_unchecked() };
    if d.len() < PROGRAM_DATA_HEADER_LEN || d[..4] != PROGRAM_DATA_TAG {
        return Err(PerpoolError::InvalidProgramData);
    }
    match d[AUTHORITY_TAG] {
        0 => Err(PerpoolError::ProgramNotUpgradeable),
        1 if d[AUTHORITY_TAG + 1..PROGRAM_DATA_HEADER_LEN] == *authority.as_ref() => Ok(()),
        1 => Err(PerpoolError::NotUpgradeAuthority),
        _ => Err(PerpoolError::InvalidProgramData),
    }
}

pub fn process_init_config(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::InitConfig { min_timelock_secs } = args::InitConfig::read(data)?;
    check_timelock(min_timelock_secs, 0)?;
    let ix = InitConfig::try_from(accounts)?;
    let bump = [ix.bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.config, space: Config::LEN, owner: &crate::ID },
        &[Seed::from(b"config"), Seed::from(&bump)],
    )?;
    let cfg = init::<Config>(ix.config)?;
    cfg.bump = ix.bump;
    cfg.admin = *ix.admin.address();
    cfg.min_timelock_secs = min_timelock_secs;
    events::config_initialized(ix.admin.address());
    Ok(())
}
