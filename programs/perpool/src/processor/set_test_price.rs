use pinocchio::AccountView;

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events,
    reader::Reader,
    state::{custody::ORACLE_TEST, load, load_mut, Custody, Pool, TestOracle},
    util::{unix_timestamp, Result},
};

/// Accepted exponent range of test prices.
const MIN_EXPO: i32 = -18;
const MAX_EXPO: i32 = 0;

/// Accounts of `set_test_price(price, ema_price, conf, expo)`:
/// 0. `[signer]` admin
/// 1. `[]` config
/// 2. `[]` pool — must have been created with `allow_test_oracles`
/// 3. `[]` custody — of that pool, with a test oracle
/// 4. `[writable]` test_oracle — the custody's `["test_oracle", custody]`
pub struct SetTestPrice<'a> {
    pub custody: &'a AccountView,
    pub oracle: &'a mut TestOracle,
}

impl<'a> TryFrom<&'a [AccountView]> for SetTestPrice<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool_account, custody_account, oracle_account, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        load_admin_config(admin, config)?;
        let pool = load::<Pool>(pool_account)?;
        if pool.allow_test_oracles == 0 {
            return Err(PerpoolError::TestOraclesNotAllowed);
        }
        let custody = load::<Custody>(custody_account)?;
        if &custody.pool != pool_account.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        if custody.oracle_kind != ORACLE_TEST || &custody.oracle != oracle_account.address() {
            return Err(PerpoolError::InvalidOracleAccount);
        }
        let oracle = load_mut::<TestOracle>(oracle_account)?;
        Ok(Self { custody: custody_account, oracle })
    }
}

pub fn process_set_test_price(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let mut r = Reader::new(data);
    let price = r.i64()?;
    let ema_price = r.i64()?;
    let conf = r.u64()?;
    let expo = r.i32()?;
    r.finish()?;
    if price <= 0 || ema_price <= 0 || !(MIN_EXPO..=MAX_EXPO).contains(&expo) {
        return Err(PerpoolError::InvalidPrice);
    }
    let ix = SetTestPrice::try_from(accounts)?;
    let now = unix_timestamp()?;
    ix.oracle.price = price;
    ix.oracle.ema_price = ema_price;
    ix.oracle.conf = conf;
    ix.oracle.expo = expo;
    ix.oracle.publish_time = now;
    events::test_price_set(ix.custody.address(), price, ema_price, conf, expo, now);
    Ok(())
}
