//! Zero-copy account layouts. Every account is `#[repr(C)]` with explicit
//! padding (so its bytes equal its borsh encoding and Anchor decodes it from
//! the IDL), starts with an 8-byte discriminator and a version byte, keeps
//! reserved bytes for growth, and has its size pinned by a const assertion.

#[macro_use]
pub mod settings;

pub mod config;
pub mod custody;
pub mod loan;
pub mod lp_account;
pub mod order;
pub mod pool;
pub mod position;
pub mod proposal;

pub use config::Config;
pub use custody::{Custody, CustodyParams, CustodySettings, RiskParams};
pub use loan::Loan;
pub use lp_account::LpAccount;
pub use order::Order;
pub use pool::{Pool, PoolParams};
pub use position::Position;
pub use proposal::Proposal;

use pinocchio::AccountView;

use crate::error::PerpoolError;

/// A program-owned account type with a fixed layout.
///
/// # Safety
/// Implementors must be `#[repr(C)]`, contain only plain-old-data fields
/// valid for every bit pattern, have alignment 1 or 8 with no implicit
/// padding, and start with the 8-byte discriminator.
pub unsafe trait ZeroCopy: Sized {
    const DISCRIMINATOR: [u8; 8];
    const VERSION: u8;
    const LEN: usize = core::mem::size_of::<Self>();
}

/// Checks owner, length, discriminator and version, and returns the account's data as `T`.
#[inline(always)]
fn check<T: ZeroCopy>(account: &AccountView) -> Result<(), PerpoolError> {
    if !account.owned_by(&crate::ID) {
        return Err(PerpoolError::InvalidAccountOwner);
    }
    if account.data_len() != T::LEN {
        return Err(PerpoolError::InvalidAccountData);
    }
    // SAFETY: the length was checked above; the first 9 bytes are read only.
    let head = unsafe { core::slice::from_raw_parts(account.data_ptr(), 9) };
    if head[..8] != T::DISCRIMINATOR || head[8] != T::VERSION {
        return Err(PerpoolError::InvalidAccountData);
    }
    Ok(())
}

/// Loads a program account read-only.
#[inline(always)]
pub fn load<T: ZeroCopy>(account: &AccountView) -> Result<&T, PerpoolError> {
    check::<T>(account)?;
    // SAFETY: owner, length and discriminator were checked; `T` is POD with
    // alignment ≤ 8 and account data is 8-byte aligned in the input buffer.
    // Instructions load each account once and reject duplicates of mutable
    // accounts, so no aliasing mutable reference exists.
    Ok(unsafe { &*(account.data_ptr() as *const T) })
}

/// Loads a program account for writing; it must be writable.
// The account data lives in the runtime's input buffer, not in `account`;
// exclusivity is argued in the SAFETY comment below.
#[allow(clippy::mut_from_ref)]
#[inline(always)]
pub fn load_mut<T: ZeroCopy>(account: &AccountView) -> Result<&mut T, PerpoolError> {
    if !account.is_writable() {
        return Err(PerpoolError::AccountNotWritable);
    }
    check::<T>(account)?;
    // SAFETY: as in `load`; the account is writable and loaded once per
    // instruction, so this is the only reference to its data.
    Ok(unsafe { &mut *(account.data_ptr() as *mut T) })
}

/// Initializes freshly created, zeroed account data as `T` (discriminator and version set).
#[allow(clippy::mut_from_ref)]
#[inline(always)]
pub fn init<T: ZeroCopy>(account: &AccountView) -> Result<&mut T, PerpoolError> {
    if account.data_len() != T::LEN || !account.owned_by(&crate::ID) {
        return Err(PerpoolError::InvalidAccountData);
    }
    let ptr = account.data_ptr() as *mut u8;
    // SAFETY: the account was just created by this instruction with `T::LEN`
    // zeroed bytes and this program as owner; nothing else references it.
    unsafe {
        core::ptr::copy_nonoverlapping(T::DISCRIMINATOR.as_ptr(), ptr, 8);
        *ptr.add(8) = T::VERSION;
        Ok(&mut *(ptr as *mut T))
    }
}
