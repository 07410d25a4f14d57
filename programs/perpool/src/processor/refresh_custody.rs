use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    events,
    state::{load_mut, Custody},
    util::{now, Result},
};

/// Accounts of `refresh_custody()` (permissionless): accrues interest.
/// 0. `[writable]` custody
pub fn process_refresh_custody(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    crate::reader::Reader::new(data).finish()?;
    let [custody_account, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let c = load_mut::<Custody>(custody_account)?;
    let clock = now()?;
    c.accrue(clock.unix_timestamp)?;
    events::custody_refreshed(custody_account.address(), c.borrow_index, c.supply_index, clock.unix_timestamp);
    Ok(())
}
