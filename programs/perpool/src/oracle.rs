//! Oracle reading: Pyth pull-oracle `PriceUpdateV2` accounts (owner, feed,
//! verification, staleness, confidence), normalised to `Price` (USD per
//! whole token, 9 decimals). There is no other kind: local clusters and
//! tests publish real `PriceUpdateV2` accounts.

use pinocchio::AccountView;

use crate::{
    discriminator::account::PRICE_UPDATE_V2,
    error::PerpoolError,
    math::{conf_within, min_max, normalize_reading},
    state::{custody::ORACLE_PYTH, Custody},
    PYTH_RECEIVER_ID,
};

/// A checked oracle reading (declared in the core, which takes it as input).
pub use perpool_core::trade::OraclePrice;

/// Raw oracle fields before normalisation.
struct RawPrice {
    price: i64,
    ema_price: i64,
    conf: u64,
    expo: i32,
    publish_time: i64,
}

// `PriceUpdateV2` (borsh): discriminator 8, write_authority 32, verification
// level (tag 0 = Partial { num_signatures: u8 }, tag 1 = Full), then the price
// message: feed_id 32, price i64, conf u64, exponent i32, publish_time i64,
// prev_publish_time i64, ema_price i64, ema_conf u64; then posted_slot u64.
const VERIFICATION_TAG: usize = 40;
const FULL: u8 = 1;
const MESSAGE: usize = 41;
const PRICE_UPDATE_MIN_LEN: usize = MESSAGE + 84 + 8;

#[inline(always)]
fn read_i64(d: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[at..at.wrapping_add(8)]); // `at` is a field offset of the account layout
    i64::from_le_bytes(b)
}

/// The data of a fully verified `PriceUpdateV2` account of `feed_id`, owned by the Pyth receiver.
fn pyth_update<'a>(oracle: &'a AccountView, feed_id: &[u8; 32]) -> Result<&'a [u8], PerpoolError> {
    if !oracle.owned_by(&PYTH_RECEIVER_ID) {
        return Err(PerpoolError::InvalidOracleAccount);
    }
    // SAFETY: read-only view of an account owned by another program; no
    // mutable borrow of it exists in this instruction.
    let d = unsafe { oracle.borrow_unchecked() };
    if d.len() < PRICE_UPDATE_MIN_LEN || d[..8] != PRICE_UPDATE_V2 {
        return Err(PerpoolError::InvalidOracleAccount);
    }
    if d[VERIFICATION_TAG] != FULL {
        return Err(PerpoolError::OracleNotFullyVerified);
    }
    if d[MESSAGE..MESSAGE + 32] != *feed_id {
        return Err(PerpoolError::OracleFeedMismatch);
    }
    Ok(d)
}

/// Checks that `oracle` can price a custody of `feed_id` (settings proposals: owner,
/// type, verification and feed; age and confidence are checked on every read).
pub fn check_pyth_account(oracle: &AccountView, feed_id: &[u8; 32]) -> Result<(), PerpoolError> {
    pyth_update(oracle, feed_id).map(|_| ())
}

fn read_pyth(custody: &Custody, oracle: &AccountView) -> Result<RawPrice, PerpoolError> {
    let d = pyth_update(oracle, &custody.feed_id)?;
    let mut expo = [0u8; 4];
    expo.copy_from_slice(&d[MESSAGE + 48..MESSAGE + 52]);
    Ok(RawPrice {
        price: read_i64(d, MESSAGE + 32),
        conf: read_i64(d, MESSAGE + 40) as u64,
        expo: i32::from_le_bytes(expo),
        publish_time: read_i64(d, MESSAGE + 52),
        ema_price: read_i64(d, MESSAGE + 68),
    })
}

/// What a price is checked against besides the custody's own settings.
#[derive(Clone, Copy)]
pub struct OracleContext {
    /// Clock unix timestamp.
    pub now: i64,
}

/// Reads and checks the custody's price. (Arguments bundled in `OracleContext`:
/// upstream BPF passes at most five, the returned struct's pointer included.)
pub fn read_price(custody: &Custody, oracle: &AccountView, ctx: &OracleContext) -> Result<OraclePrice, PerpoolError> {
    let now = ctx.now;
    if oracle.address() != &custody.oracle || custody.oracle_kind != ORACLE_PYTH {
        return Err(PerpoolError::InvalidOracleAccount);
    }
    let raw = read_pyth(custody, oracle)?;
    // A publish time ahead of the validator clock counts as age zero.
    if now.saturating_sub(raw.publish_time) > custody.oracle_max_age_secs as i64 {
        return Err(PerpoolError::StaleOraclePrice);
    }
    // Nobody may choose among several valid signed prices: never older than one already used.
    if raw.publish_time < custody.last_price_time {
        return Err(PerpoolError::OraclePriceOutdated);
    }
    let (spot, ema, conf) =
        normalize_reading(raw.price, raw.ema_price, raw.conf, raw.expo).map_err(|_| PerpoolError::InvalidPrice)?;
    if !conf_within(spot, conf, custody.oracle_max_conf_bps as u64) {
        return Err(PerpoolError::OracleConfidenceTooWide);
    }
    let (min, max) = min_max(spot, ema);
    Ok(OraclePrice { spot, ema, conf, min, max, publish_time: raw.publish_time })
}
