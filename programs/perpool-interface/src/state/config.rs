//! Global protocol configuration, PDA `["config"]`.

use pinocchio::Address;

use super::ZeroCopy;
use crate::discriminator::account;

/// Pause flag: `add_liquidity`, `remove_liquidity` and `swap` refused.
pub const PAUSE_LIQUIDITY: u8 = 1 << 0;
/// Pause flag: opening and increasing positions refused (closing stays open).
pub const PAUSE_TRADING: u8 = 1 << 1;
/// Pause flag: new borrowing refused (repaying stays open).
pub const PAUSE_LENDING: u8 = 1 << 2;
/// Pause flag: no new pools or custodies.
pub const PAUSE_LISTING: u8 = 1 << 3;
/// Every defined flag.
pub const PAUSE_ALL: u8 = PAUSE_LIQUIDITY | PAUSE_TRADING | PAUSE_LENDING | PAUSE_LISTING;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Config {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of `["config"]`.
    pub bump: u8,
    /// Bit set of `PAUSE_*` flags.
    pub pause_flags: u8,
    pub padding0: [u8; 5],
    /// Key allowed to run admin instructions.
    pub admin: Address,
    /// Key proposed by `propose_admin`; all zeroes when none.
    pub pending_admin: Address,
    /// Shortest timelock any pool may have, seconds. Set once by `init_config`
    /// (whose signer is the program's upgrade authority): 24 h on public
    /// clusters, 0 on local ones (see `processor::init_config`).
    pub min_timelock_secs: u32,
    pub padding1: [u8; 4],
    pub reserved: [u8; 56],
}

const _: () = assert!(core::mem::size_of::<Config>() == 144);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Config {
    const DISCRIMINATOR: [u8; 8] = account::CONFIG;
    const VERSION: u8 = 1;
}

impl Config {
    #[inline(always)]
    pub fn is_paused(&self, flag: u8) -> bool {
        self.pause_flags & flag != 0
    }
}
