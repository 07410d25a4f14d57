//! A settings change waiting on its pool's timelock, PDA
//! `["proposal", pool, target, nonce (u64 LE)]`.
//!
//! The proposal holds the complete new settings of its target (the pool's
//! `PoolParams`, or a custody's `CustodySettings`: oracle account, parameters
//! and risk parameters) as their borsh encoding, which is also the
//! instruction's argument encoding and the tail of the proposal events. The
//! mechanism is therefore the same for every setting: a new setting is a new
//! field of a parameter struct and its bound in that struct's `validate`,
//! nothing here.

use pinocchio::Address;

use super::ZeroCopy;
use crate::discriminator::account;

/// Proposal kinds.
pub const PROPOSAL_POOL: u8 = 1;
pub const PROPOSAL_CUSTODY: u8 = 2;

/// Room for the encoded settings, bytes. `CustodySettings` takes 247 today;
/// the rest is for settings added later (a native test keeps the margin).
pub const PAYLOAD_CAPACITY: usize = 512;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Proposal {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of the proposal PDA.
    pub bump: u8,
    /// `PROPOSAL_POOL` or `PROPOSAL_CUSTODY`.
    pub kind: u8,
    pub padding0: [u8; 5],
    /// The pool whose timelock applies.
    pub pool: Address,
    /// What changes: the pool itself, or one of its custodies.
    pub target: Address,
    /// The admin who proposed it (receives nothing; for the record).
    pub proposer: Address,
    /// The pool's `proposal_nonce` when proposed (PDA seed).
    pub nonce: u64,
    /// Unix time of the proposal.
    pub proposed_at: i64,
    /// Earliest unix time of execution: `proposed_at` + the pool's timelock then. Execution
    /// also waits for `proposed_at` + the pool's timelock now, should it have been raised since.
    pub eta: i64,
    /// Bytes of `payload` used.
    pub payload_len: u16,
    pub padding1: [u8; 6],
    /// The new settings, borsh (`PoolParams` or `CustodySettings`).
    pub payload: [u8; PAYLOAD_CAPACITY],
    pub reserved: [u8; 64],
}

const _: () = assert!(core::mem::size_of::<Proposal>() == 720);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Proposal {
    const DISCRIMINATOR: [u8; 8] = account::PROPOSAL;
    const VERSION: u8 = 1;
}

impl Proposal {
    /// The encoded settings.
    #[inline(always)]
    pub fn payload(&self) -> &[u8] {
        &self.payload[..(self.payload_len as usize).min(PAYLOAD_CAPACITY)]
    }

    /// Whether the proposal may execute at `now` under a pool timelock of `timelock_secs`:
    /// at or after its eta, and at least the current timelock after it was proposed.
    #[inline(always)]
    pub fn is_due(&self, now: i64, timelock_secs: u32) -> bool {
        now >= self.eta && now >= self.proposed_at.saturating_add(timelock_secs as i64)
    }
}
