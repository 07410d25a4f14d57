//! Admin-set price source, PDA `["test_oracle", custody]`, with the same
//! fields as a Pyth price. Usable only by pools created with `allow_test_oracles`.

use pinocchio::Address;

use super::ZeroCopy;
use crate::discriminator::account;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct TestOracle {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of `["test_oracle", custody]`.
    pub bump: u8,
    pub padding0: [u8; 6],
    /// Custody this oracle prices.
    pub custody: Address,
    /// Spot price, scaled by 10^expo.
    pub price: i64,
    /// Exponentially weighted moving average price, scaled by 10^expo.
    pub ema_price: i64,
    /// Confidence interval, scaled by 10^expo.
    pub conf: u64,
    /// Decimal exponent of `price`, `ema_price` and `conf` (e.g. -8).
    pub expo: i32,
    pub padding1: [u8; 4],
    /// Unix time the price was set.
    pub publish_time: i64,
    pub reserved: [u8; 32],
}

const _: () = assert!(core::mem::size_of::<TestOracle>() == 120);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for TestOracle {
    const DISCRIMINATOR: [u8; 8] = account::TEST_ORACLE;
    const VERSION: u8 = 1;
}
