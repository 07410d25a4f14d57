//! Program entrypoint and the `publish_price` processor (SBF only).

use pinocchio::{
    cpi::{Seed, Signer},
    error::ProgramError,
    AccountView, Address, ProgramResult,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::{
    error::PublisherError,
    ix,
    price_update::{self, Now, PublishArgs},
    IDENTITY, SYSTEM_PROGRAM_ID,
};

pinocchio::program_entrypoint!(process_instruction, 8);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

type Result<T> = core::result::Result<T, PublisherError>;

// Inlined into the entrypoint: upstream BPF passes at most five arguments
// in registers, and this takes six words.
#[inline(always)]
pub fn process_instruction(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [d0, d1, d2, d3, d4, d5, d6, d7, rest @ ..] = data else {
        return Err(PublisherError::InvalidInstructionData.into());
    };
    let tag = [*d0, *d1, *d2, *d3, *d4, *d5, *d6, *d7];
    let result = if tag == ix::PUBLISH_PRICE {
        process_publish_price(program_id, accounts, rest)
    } else if tag == ix::IDENTIFY && rest.is_empty() {
        // SAFETY: IDENTITY is a valid slice for its length.
        unsafe { solana_define_syscall::definitions::sol_set_return_data(IDENTITY.as_ptr(), IDENTITY.len() as u64) };
        Ok(())
    } else {
        Err(PublisherError::InvalidInstructionData)
    };
    result.map_err(ProgramError::from)
}

/// Accounts of `publish_price(shard, feed_id, price, conf, exponent, publish_time, ema_price, ema_conf)`:
/// 0. `[writable, signer]` authority — pays the rent of a new account; its write authority afterwards
/// 1. `[writable]` price_update — PDA `[shard (u16 LE), feed_id]` of this program
/// 2. `[]` system program
#[inline(always)]
fn process_publish_price(program_id: &Address, accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args = PublishArgs::read(data)?;
    let [authority, price_update, system_program, ..] = accounts else {
        return Err(PublisherError::NotEnoughAccounts);
    };
    if !authority.is_signer() {
        return Err(PublisherError::MissingSigner);
    }
    if !authority.is_writable() || !price_update.is_writable() {
        return Err(PublisherError::AccountNotWritable);
    }
    if system_program.address() != &SYSTEM_PROGRAM_ID {
        return Err(PublisherError::InvalidSystemProgram);
    }
    let shard = args.shard.to_le_bytes();
    let bump = check_pda(price_update, &shard, &args.feed_id, program_id)?;
    let now = clock()?;
    if price_update.owned_by(program_id) {
        // SAFETY: the account is writable, passed once, owned by this program;
        // nothing else references its data during this instruction.
        let d = unsafe { core::slice::from_raw_parts_mut(price_update.data_ptr() as *mut u8, price_update.data_len()) };
        return price_update::update(d, authority.address(), &args, now);
    }
    if !price_update.owned_by(&SYSTEM_PROGRAM_ID) || !price_update.is_data_empty() {
        return Err(PublisherError::InvalidPriceAccount);
    }
    let bump = [bump];
    let seeds = [Seed::from(&shard[..]), Seed::from(&args.feed_id[..]), Seed::from(&bump[..])];
    create_account(authority, price_update, program_id, &seeds)?;
    // SAFETY: just created with LEN zeroed bytes and this program as owner.
    let d = unsafe { core::slice::from_raw_parts_mut(price_update.data_ptr() as *mut u8, price_update.data_len()) };
    price_update::initialize(d, authority.address(), &args, now)
}

/// Checks that `a` is the PDA of `[shard, feed_id]` and returns its bump.
fn check_pda(a: &AccountView, shard: &[u8; 2], feed_id: &[u8; 32], program_id: &Address) -> Result<u8> {
    // The syscall wants an aligned seed table; built on the stack (volatile
    // writes keep LLVM from folding it into a possibly unaligned constant).
    let mut table: [&[u8]; 2] = [&[], &[]];
    // SAFETY: both destinations are valid, aligned elements of a local array.
    unsafe {
        core::ptr::write_volatile(&mut table[0], &shard[..]);
        core::ptr::write_volatile(&mut table[1], &feed_id[..]);
    }
    let (expected, bump) = Address::find_program_address(&table, program_id);
    if a.address() == &expected {
        Ok(bump)
    } else {
        Err(PublisherError::InvalidPda)
    }
}

/// Creates the rent-exempt price account at its PDA, paid by `payer`. Works
/// when someone already sent lamports to the address (which blocks
/// `create_account`).
fn create_account(payer: &AccountView, account: &AccountView, owner: &Address, seeds: &[Seed]) -> Result<()> {
    let needed = rent_exempt_minimum(price_update::LEN as u64)?;
    let signer = [Signer::from(seeds)];
    let current = account.lamports();
    if payer.lamports() < needed.saturating_sub(current) {
        return Err(PublisherError::InsufficientLamports);
    }
    let space = price_update::LEN as u64;
    if current == 0 {
        return CreateAccount { from: payer, to: account, lamports: needed, space, owner }
            .invoke_signed(&signer)
            .map_err(|_| PublisherError::InvalidPriceAccount);
    }
    if current < needed {
        Transfer { from: payer, to: account, lamports: needed - current }
            .invoke()
            .map_err(|_| PublisherError::InsufficientLamports)?;
    }
    Allocate { account, space }.invoke_signed(&signer).map_err(|_| PublisherError::InvalidPriceAccount)?;
    Assign { account, owner }.invoke_signed(&signer).map_err(|_| PublisherError::InvalidPriceAccount)
}

const CLOCK_ID: Address = Address::from_str_const("SysvarC1ock11111111111111111111111111111111");
const RENT_ID: Address = Address::from_str_const("SysvarRent111111111111111111111111111111111");

/// Reads `N` bytes of a sysvar at `offset` (pinocchio's `Sysvar::get` does not
/// call the syscall on the upstream `bpf` target).
fn sysvar_bytes<const N: usize>(id: &Address, offset: u64) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    // SAFETY: `out` is valid for N bytes; the syscall writes at most N.
    let rc = unsafe {
        solana_define_syscall::definitions::sol_get_sysvar(id.as_ref().as_ptr(), out.as_mut_ptr(), offset, N as u64)
    };
    if rc == 0 {
        Ok(out)
    } else {
        Err(PublisherError::SysvarUnavailable)
    }
}

/// Clock slot (offset 0) and unix_timestamp (offset 32).
fn clock() -> Result<Now> {
    let c = sysvar_bytes::<40>(&CLOCK_ID, 0)?;
    let mut slot = [0u8; 8];
    slot.copy_from_slice(&c[..8]);
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&c[32..40]);
    Ok(Now { slot: u64::from_le_bytes(slot), unix_timestamp: i64::from_le_bytes(ts) })
}

/// (128 + space) × lamports per byte-year × exemption threshold; the f64
/// threshold is matched against the whole numbers clusters use (no floats).
fn rent_exempt_minimum(space: u64) -> Result<u64> {
    let raw = sysvar_bytes::<16>(&RENT_ID, 0)?;
    let mut per_byte = [0u8; 8];
    per_byte.copy_from_slice(&raw[..8]);
    let mut threshold = [0u8; 8];
    threshold.copy_from_slice(&raw[8..]);
    let years: u64 = match u64::from_le_bytes(threshold) {
        0x4000_0000_0000_0000 => 2,
        0x3FF0_0000_0000_0000 => 1,
        _ => return Err(PublisherError::SysvarUnavailable),
    };
    // Real clusters charge a few thousand lamports per byte-year; bounding it
    // by 2^40 keeps (128 + 134) × 2 × it far below u64::MAX, with no 128-bit
    // multiply (which the upstream BPF backend cannot lower).
    let per_byte = u64::from_le_bytes(per_byte);
    if per_byte > 1 << 40 {
        return Err(PublisherError::SysvarUnavailable);
    }
    let bytes_years = (128 + space) * years;
    Ok(bytes_years * per_byte)
}
