//! A liquidity pool, PDA `["pool", name]`. Read-only for trades: positions
//! only write their custodies, so markets trade in parallel.

use pinocchio::Address;

use super::ZeroCopy;
use crate::{discriminator::account, error::PerpoolError, reader::Reader};

/// Most custodies (assets) one pool can hold.
pub const MAX_CUSTODIES: usize = 8;
/// Longest pool name, in bytes (a PDA seed is at most 32 bytes).
pub const MAX_NAME_LEN: usize = 32;
/// LP token decimals.
pub const LP_DECIMALS: u8 = 6;

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
    /// Custody accounts, in the order they were added.
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
    pub reserved: [u8; 128],
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

    #[inline(always)]
    pub fn set_params(&mut self, p: &PoolParams) {
        self.lp_fee_share_bps = p.lp_fee_share_bps;
        self.protocol_fee_share_bps = p.protocol_fee_share_bps;
        self.insurance_fee_share_bps = p.insurance_fee_share_bps;
        self.adl_threshold_bps = p.adl_threshold_bps;
        self.adl_floor_bps = p.adl_floor_bps;
        self.max_aum_usd = p.max_aum_usd;
    }
}

/// Tunable pool parameters (instruction argument, borsh).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolParams {
    pub lp_fee_share_bps: u16,
    pub protocol_fee_share_bps: u16,
    pub insurance_fee_share_bps: u16,
    pub adl_threshold_bps: u16,
    pub adl_floor_bps: u16,
    pub max_aum_usd: u64,
}

impl PoolParams {
    pub fn read(r: &mut Reader) -> Result<Self, PerpoolError> {
        Ok(Self {
            lp_fee_share_bps: r.u16()?,
            protocol_fee_share_bps: r.u16()?,
            insurance_fee_share_bps: r.u16()?,
            adl_threshold_bps: r.u16()?,
            adl_floor_bps: r.u16()?,
            max_aum_usd: r.u64()?,
        })
    }

    pub fn validate(&self) -> Result<(), PerpoolError> {
        let split = self.lp_fee_share_bps as u32
            + self.protocol_fee_share_bps as u32
            + self.insurance_fee_share_bps as u32;
        if split != 10_000
            || self.adl_threshold_bps == 0
            || self.adl_threshold_bps > 10_000
            || self.adl_floor_bps >= self.adl_threshold_bps
        {
            return Err(PerpoolError::InvalidPoolParams);
        }
        Ok(())
    }
}
