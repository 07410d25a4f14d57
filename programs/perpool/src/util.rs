//! Account checks, PDA helpers and CPI wrappers shared by the processors.

use pinocchio::{
    cpi::{Seed, Signer},
    sysvars::{clock::Clock, rent::Rent, Sysvar},
    AccountView, Address,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::{error::PerpoolError, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};

pub type Result<T> = core::result::Result<T, PerpoolError>;

#[inline(always)]
pub fn check_signer(a: &AccountView) -> Result<()> {
    if a.is_signer() {
        Ok(())
    } else {
        Err(PerpoolError::MissingSigner)
    }
}

#[inline(always)]
pub fn check_writable(a: &AccountView) -> Result<()> {
    if a.is_writable() {
        Ok(())
    } else {
        Err(PerpoolError::AccountNotWritable)
    }
}

#[inline(always)]
pub fn check_system_program(a: &AccountView) -> Result<()> {
    if a.address() == &SYSTEM_PROGRAM_ID {
        Ok(())
    } else {
        Err(PerpoolError::InvalidSystemProgram)
    }
}

#[inline(always)]
pub fn check_token_program(a: &AccountView) -> Result<()> {
    if a.address() == &TOKEN_PROGRAM_ID {
        Ok(())
    } else {
        Err(PerpoolError::InvalidTokenProgram)
    }
}

/// Finds the canonical bump of a PDA and checks that `a` is at that address.
/// Used when creating accounts; later instructions trust owner + discriminator
/// (only this program can create accounts it owns, and it creates each type
/// only at its PDA).
#[inline(always)]
pub fn check_pda(a: &AccountView, seeds: &[&[u8]]) -> Result<u8> {
    let (expected, bump) = Address::find_program_address(seeds, &crate::ID);
    if a.address() == &expected {
        Ok(bump)
    } else {
        Err(PerpoolError::InvalidPda)
    }
}

/// An account about to be created must be empty, system owned and writable.
#[inline(always)]
pub fn check_uninitialized(a: &AccountView) -> Result<()> {
    if !a.owned_by(&SYSTEM_PROGRAM_ID) || !a.is_data_empty() {
        return Err(PerpoolError::AlreadyInitialized);
    }
    check_writable(a)
}

/// Creates a rent-exempt PDA account of `space` bytes owned by `owner`,
/// signed by `seeds` (which include the bump). Works when someone has already
/// sent lamports to the address (a known way to block `create_account`).
pub struct NewAccount<'a> {
    pub payer: &'a AccountView,
    pub account: &'a AccountView,
    pub space: usize,
    pub owner: &'a Address,
}

/// (Arguments are bundled: upstream BPF passes at most 5 in registers.)
pub fn create_pda_account(new: &NewAccount, seeds: &[Seed]) -> Result<()> {
    let NewAccount { payer, account, space, owner } = *new;
    let rent = Rent::get().map_err(|_| PerpoolError::InvalidAccountData)?;
    let needed = rent.try_minimum_balance(space).map_err(|_| PerpoolError::MathOverflow)?;
    let signer = [Signer::from(seeds)];
    let current = account.lamports();
    if current == 0 {
        CreateAccount { from: payer, to: account, lamports: needed, space: space as u64, owner }
            .invoke_signed(&signer)
            .map_err(|_| PerpoolError::InvalidAccountData)?;
        return Ok(());
    }
    if current < needed {
        Transfer { from: payer, to: account, lamports: needed - current }
            .invoke()
            .map_err(|_| PerpoolError::InvalidAccountData)?;
    }
    Allocate { account, space: space as u64 }
        .invoke_signed(&signer)
        .map_err(|_| PerpoolError::InvalidAccountData)?;
    Assign { account, owner }.invoke_signed(&signer).map_err(|_| PerpoolError::InvalidAccountData)
}

#[inline(always)]
pub fn unix_timestamp() -> Result<i64> {
    Clock::get().map(|c| c.unix_timestamp).map_err(|_| PerpoolError::InvalidAccountData)
}

/// Checks an SPL Token mint account and returns its decimals.
#[inline(always)]
pub fn mint_decimals(mint: &AccountView) -> Result<u8> {
    if !mint.owned_by(&TOKEN_PROGRAM_ID) || mint.data_len() != pinocchio_token::state::Mint::LEN {
        return Err(PerpoolError::InvalidMint);
    }
    // SAFETY: owner and length were checked; the token program owns the layout.
    let m = unsafe { pinocchio_token::state::Mint::from_bytes_unchecked(mint.borrow_unchecked()) };
    if !m.is_initialized() {
        return Err(PerpoolError::InvalidMint);
    }
    Ok(m.decimals())
}
