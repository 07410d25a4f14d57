//! A liquidity provider's record in one pool, PDA `["lp_account", pool, owner]`:
//! LP tokens waiting out the pool's cooldown in its escrow, and their running totals, for the
//! share and history the app shows.

use pinocchio::Address;

use super::ZeroCopy;
use crate::discriminator::account;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct LpAccount {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of `["lp_account", pool, owner]`.
    pub bump: u8,
    pub padding0: [u8; 6],
    /// Pool this record belongs to.
    pub pool: Address,
    /// Liquidity provider.
    pub owner: Address,
    /// Slot of the last `add_liquidity`.
    pub last_add_slot: u64,
    /// Sum of deposit values, USD with 6 decimals.
    pub deposited_usd: u64,
    /// Sum of redemption values, USD with 6 decimals.
    pub redeemed_usd: u64,
    /// LP tokens minted to this owner, 6 decimals.
    pub lp_minted: u64,
    /// LP tokens this owner redeemed, 6 decimals.
    pub lp_burned: u64,
    /// LP tokens minted to this owner and still in the pool's escrow (the cooldown), 6 decimals.
    pub escrowed_lp: u64,
    /// Unix time from which `escrowed_lp` can be claimed.
    pub unlock_time: i64,
    pub reserved: [u8; 48],
}

const _: () = assert!(core::mem::size_of::<LpAccount>() == 184);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for LpAccount {
    const DISCRIMINATOR: [u8; 8] = account::LP_ACCOUNT;
    const VERSION: u8 = 1;
}
