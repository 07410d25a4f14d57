use crate::CustodyOps;
use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, load_mut, Custody, Pool},
    util::{now, Result},
};

/// Accounts of `refresh_custody()` (permissionless): accrues interest.
/// 0. `[]` pool
/// 1. `[writable]` custody
pub fn process_refresh_custody(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::RefreshCustody {} = args::RefreshCustody::read(data)?;
    let [pool_account, custody_account, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let pool = load::<Pool>(pool_account)?;
    let c = load_mut::<Custody>(custody_account)?;
    if &c.pool != pool_account.address() {
        return Err(PerpoolError::CustodyMismatch);
    }
    let clock = now()?;
    c.accrue(clock.unix_timestamp, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?;
    events::custody_refreshed(custody_account.address(), c.borrow_index, c.supply_index, clock.unix_timestamp);
    Ok(())
}
