use pinocchio::AccountView;

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events,
    reader::Reader,
    state::{custody::RiskParams, load, load_mut, Custody, Pool},
    util::{now, Result},
};

/// Accounts of `set_risk_params(params)` (admin): price impact, funding and
/// auto-deleveraging parameters of one custody. Funding is accrued under the
/// old parameters first, so a change never applies to the past.
/// 0. `[signer]` admin
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody
pub fn process_set_risk_params(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let mut r = Reader::new(data);
    let params = RiskParams::read(&mut r)?;
    r.finish()?;
    let [admin, config, pool_account, custody_account, ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    load_admin_config(admin, config)?;
    let pool = load::<Pool>(pool_account)?;
    let c = load_mut::<Custody>(custody_account)?;
    if &c.pool != pool_account.address() {
        return Err(PerpoolError::CustodyMismatch);
    }
    params.validate()?;
    let clock = now()?;
    c.accrue(clock.unix_timestamp, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?;
    c.set_risk_params(&params);
    events::risk_params_set(custody_account.address(), &params);
    Ok(())
}
