//! A liquidity pool, PDA `["pool", name]`. Read-only for trades: positions
//! only write their custodies, so markets trade in parallel.

use pinocchio::Address;

use super::ZeroCopy;
use crate::{discriminator::account, error::PerpoolError};

/// Most custodies (assets) one pool can hold.
pub const MAX_CUSTODIES: usize = 8;
/// Longest pool name, in bytes (a PDA seed is at most 32 bytes).
pub const MAX_NAME_LEN: usize = 32;
/// LP token decimals.
pub const LP_DECIMALS: u8 = 6;
/// Longest LP cooldown a pool may set: a week.
pub const MAX_LP_COOLDOWN_SECS: u32 = 7 * 86_400;
/// Longest PnL-interest warm-up or minimum profit hold a pool may set: a day.
pub const MAX_HOLD_SECS: u32 = 86_400;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Pool {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of `["pool", name]`.
    pub bump: u8,
    /// Canonical bump of `["lp_mint", pool]`.
    pub lp_mint_bump: u8,
    /// Reserved, zero (held `allow_test_oracles` before test oracles were removed).
    pub reserved0: u8,
    /// Number of entries used in `custodies`.
    pub custody_count: u8,
    /// Length of `name` in bytes.
    pub name_len: u8,
    pub padding0: [u8; 2],
    /// Pool name, zero padded.
    pub name: [u8; 32],
    /// LP token mint; its mint authority is this pool.
    pub lp_mint: Address,
    /// Custody accounts, in the order they were added. The slots from `custody_count` on repeat the
    /// first custody (once there is one) and are never read as custodies: they let a client that
    /// resolves a custody list from the IDL (fields `custody_0` … `custody_7` there) find a custody
    /// and its price feed in every slot.
    pub custodies: [Address; MAX_CUSTODIES],
    /// Share of fees kept by LPs, bps.
    pub lp_fee_share_bps: u16,
    /// Share of fees to the protocol, bps.
    pub protocol_fee_share_bps: u16,
    /// Share of fees to the insurance fund, bps. The three shares sum to 10,000.
    pub insurance_fee_share_bps: u16,
    /// Auto-deleveraging starts when a side's PnL exceeds this share of the custody's tokens, bps.
    pub adl_threshold_bps: u16,
    /// Auto-deleveraging never takes the ratio below this, bps.
    pub adl_floor_bps: u16,
    pub padding1: [u8; 6],
    /// Deposits are refused once pool value would exceed this, USD with 6 decimals; 0 = no cap.
    pub max_aum_usd: u64,
    /// Unix time of creation.
    pub inception_time: i64,
    /// LP tokens minted by a deposit wait this long in the pool's escrow before they can be
    /// claimed (and so transferred or redeemed), seconds.
    pub lp_cooldown_secs: u32,
    /// A profit must be held this long before it earns interest (PnL interest warm-up), seconds.
    pub pnl_warmup_secs: u32,
    /// No profit is paid on size closed within this long after the position's last increase
    /// (at least the same second), seconds.
    pub min_profit_hold_secs: u32,
    /// Canonical bump of the LP escrow `["lp_escrow", pool]`.
    pub lp_escrow_bump: u8,
    pub padding2: [u8; 3],
    /// The LP escrow: LP token account `["lp_escrow", pool]` owned by the pool.
    pub lp_escrow: Address,
    /// Smallest first deposit into an empty pool, USD with 6 decimals.
    pub min_first_deposit_usd: u64,
    /// LP units minted to no one (kept in the escrow forever) by the first deposit.
    pub dead_lp: u64,
    /// Smallest number of LP units a deposit may mint.
    pub min_lp_mint: u64,
    /// Delay between proposing a pool or custody settings change and executing it, seconds.
    /// Raised at once by `raise_timelock`; lowered only by a pool settings proposal, which
    /// waits out the current delay.
    pub timelock_secs: u32,
    /// Settings proposals of this pool not yet executed or cancelled.
    pub pending_proposals: u32,
    /// Nonce of the next settings proposal (its PDA seed); counts every proposal ever made.
    pub proposal_nonce: u64,
    pub reserved: [u8; 40],
}

const _: () = assert!(core::mem::size_of::<Pool>() == 496);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Pool {
    const DISCRIMINATOR: [u8; 8] = account::POOL;
    const VERSION: u8 = 1;
}

impl Pool {
    #[inline(always)]
    pub fn name(&self) -> &[u8] {
        &self.name[..(self.name_len as usize).min(MAX_NAME_LEN)]
    }

    #[inline(always)]
    pub fn custodies(&self) -> &[Address] {
        &self.custodies[..(self.custody_count as usize).min(MAX_CUSTODIES)]
    }

    #[inline(always)]
    pub fn has_custody(&self, custody: &Address) -> bool {
        self.custodies().iter().any(|c| c == custody)
    }
}

settings! {
    /// Tunable pool parameters (instruction argument, borsh), kept in [`Pool`] under the same names.
    pub struct PoolParams => Pool::set_params {
        lp_fee_share_bps: u16,
        protocol_fee_share_bps: u16,
        insurance_fee_share_bps: u16,
        adl_threshold_bps: u16 [1..=10_000 => InvalidPoolParams],
        adl_floor_bps: u16,
        max_aum_usd: u64,
        // At most a week of LP cooldown, a day of warm-up and of minimum hold.
        lp_cooldown_secs: u32 [..=MAX_LP_COOLDOWN_SECS => InvalidPoolParams],
        pnl_warmup_secs: u32 [..=MAX_HOLD_SECS => InvalidPoolParams],
        min_profit_hold_secs: u32 [..=MAX_HOLD_SECS => InvalidPoolParams],
        min_first_deposit_usd: u64,
        dead_lp: u64,
        min_lp_mint: u64 [1.. => InvalidPoolParams],
        /// Settings timelock, seconds: at least the config's minimum, at most [`MAX_TIMELOCK_SECS`].
        timelock_secs: u32,
    }
}

/// Longest settings timelock, seconds (30 days): longer would only lock the operator out.
pub const MAX_TIMELOCK_SECS: u32 = 30 * 86_400;

/// A timelock within the protocol's bounds: at least `min_secs` (the config's minimum), at
/// most [`MAX_TIMELOCK_SECS`].
pub fn check_timelock(secs: u32, min_secs: u32) -> Result<(), PerpoolError> {
    if secs > MAX_TIMELOCK_SECS {
        return Err(PerpoolError::TimelockTooLong);
    }
    if secs < min_secs {
        return Err(PerpoolError::TimelockTooShort);
    }
    Ok(())
}

impl PoolParams {
    /// Bounds of every pool setting; `min_timelock_secs` is the config's minimum.
    pub fn validate(&self, min_timelock_secs: u32) -> Result<(), PerpoolError> {
        self.check_bounds()?;
        // Three u16 widened to u32: the sum cannot overflow.
        let split = (self.lp_fee_share_bps as u32)
            .saturating_add(self.protocol_fee_share_bps as u32)
            .saturating_add(self.insurance_fee_share_bps as u32);
        if split != 10_000
            || self.adl_floor_bps >= self.adl_threshold_bps
            // Dead units must leave the first depositor something: the minimum first deposit
            // mints at least `dead_lp + min_lp_mint` units (1 LP unit per µUSD).
            || self.dead_lp.checked_add(self.min_lp_mint).is_none_or(|x| x > self.min_first_deposit_usd)
        {
            return Err(PerpoolError::InvalidPoolParams);
        }
        check_timelock(self.timelock_secs, min_timelock_secs)
    }
}
