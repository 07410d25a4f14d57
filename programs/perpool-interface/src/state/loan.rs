//! A loan against collateral, PDA `["loan", owner, pool, collateral_custody,
//! borrow_custody]`. Debt is scaled by the borrowed custody's borrow index.

use pinocchio::Address;

use super::ZeroCopy;
use crate::discriminator::account;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Loan {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of the loan PDA.
    pub bump: u8,
    pub padding0: [u8; 6],
    /// Borrower.
    pub owner: Address,
    pub pool: Address,
    /// Custody holding the collateral.
    pub collateral_custody: Address,
    /// Custody lent from.
    pub borrow_custody: Address,
    /// Collateral, collateral-custody native units.
    pub collateral_amount: u64,
    /// Debt divided by the borrow index (12 decimals): debt = scaled_debt × index / 1e12, rounded up.
    pub scaled_debt: u64,
    /// Collateral custody's collateral index when collateral interest was last settled, 12 decimals.
    pub collateral_index_snapshot: u64,
    /// Unix time of creation.
    pub open_time: i64,
    /// Unix time of the last change.
    pub update_time: i64,
    /// Interest earned by the collateral, collateral-custody native units.
    pub collateral_interest: u64,
    pub reserved: [u8; 48],
}

const _: () = assert!(core::mem::size_of::<Loan>() == 240);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Loan {
    const DISCRIMINATOR: [u8; 8] = account::LOAN;
    const VERSION: u8 = 1;
}
