use pinocchio::AccountView;

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load_mut, pool::check_timelock, Pool},
    util::Result,
};

/// Accounts of `raise_timelock(timelock_secs)` (admin): raises the pool's settings timelock
/// at once (a longer delay only protects users). Pending proposals then also wait the new
/// delay from when they were proposed. Lowering goes through a pool settings proposal.
/// 0. `[signer]` admin
/// 1. `[]` config
/// 2. `[writable]` pool
pub fn process_raise_timelock(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::RaiseTimelock { timelock_secs: secs } = args::RaiseTimelock::read(data)?;
    let [admin, config, pool_account, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let cfg = load_admin_config(admin, config)?;
    let pool = load_mut::<Pool>(pool_account)?;
    if secs <= pool.timelock_secs {
        return Err(PerpoolError::TimelockNotRaised);
    }
    check_timelock(secs, cfg.min_timelock_secs)?;
    let old = pool.timelock_secs;
    pool.timelock_secs = secs;
    events::timelock_raised(pool_account.address(), old, secs);
    Ok(())
}
