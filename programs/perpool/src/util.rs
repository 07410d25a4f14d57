//! Account checks, PDA helpers and CPI wrappers shared by the processors.

use crate::math::{checked_add, checked_sub, checked_sum};
use pinocchio::{
    cpi::{Seed, Signer},
    AccountView, Address,
};
use pinocchio_system::instructions::{Allocate, Assign, CreateAccount, Transfer};

use crate::{error::PerpoolError, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};

perpool_core::source_file!();

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
///
/// The search is `find_program_address`'s (bumps 255 down to 1, the first whose
/// address is off the curve), each step a `sol_sha256` of the seeds, bump, program
/// id and marker (about 200 CU) and a `sol_curve_validate_point` (159 CU) instead
/// of a `create_program_address` (1,500 CU).
#[inline(always)] // (the seeds stay constants folded into code: see `seed_table`)
pub fn check_pda(a: &AccountView, seeds: &[&[u8]]) -> Result<u8> {
    let mut t = PdaSeeds::new(seeds)?;
    find_bump(a, &mut t)
}

/// A PDA's hash input: the seeds, the bump (entry `slot`), the program id and the marker.
struct PdaSeeds<'a> {
    table: [&'a [u8]; MAX_SEEDS + 3],
    n: usize,
    slot: usize,
}

impl<'a> PdaSeeds<'a> {
    #[inline(always)]
    fn new(seeds: &[&'a [u8]]) -> Result<Self> {
        Self::of(seeds, &crate::ID)
    }

    /// The seeds of a PDA of `program`.
    #[inline(always)]
    fn of(seeds: &[&'a [u8]], program: &'a Address) -> Result<Self> {
        let mut table = [EMPTY_SEED; MAX_SEEDS + 3];
        let n = seed_table(&mut table, seeds, &[&BUMPS[255..], program.as_ref(), PDA_MARKER])?;
        Ok(Self { table, n, slot: seeds.len() })
    }
}

/// Checks that `oracle` is the price feed account custody settings name: the PDA of seeds
/// `[oracle_shard (u16 LE), feed_id]` of `oracle_program` at its canonical bump (Pyth's feed
/// accounts on public clusters, the local publisher's on local ones), so clients derive it.
pub fn check_feed_account(oracle: &AccountView, p: &crate::state::CustodyParams) -> Result<()> {
    let shard = p.oracle_shard.to_le_bytes();
    let mut t = PdaSeeds::of(&[&shard[..], &p.feed_id[..]], &p.oracle_program)?;
    find_bump(oracle, &mut t).map_err(|_| PerpoolError::OracleNotFeedAccount)?;
    Ok(())
}

/// The canonical bump of `a` over a seed table whose entry `slot` is the bump.
#[inline(always)]
fn find_bump(a: &AccountView, t: &mut PdaSeeds) -> Result<u8> {
    match first_off_curve(t, 1) {
        Some((bump, hash)) if a.address().as_ref() == &hash[..] => Ok(bump),
        _ => Err(PerpoolError::InvalidPda),
    }
}

/// Whether the address of every bump above `bump` is on the curve, that is whether `bump` is the
/// highest that derives a PDA (the canonical one) when its own address is off the curve.
#[inline(always)] // (the seeds stay constants folded into code: see `seed_table`)
fn higher_bumps_on_curve(seeds: &[&[u8]], bump: u8) -> Result<bool> {
    if bump == u8::MAX {
        return Ok(true);
    }
    let mut t = PdaSeeds::new(seeds)?;
    Ok(first_off_curve(&mut t, bump.wrapping_add(1)).is_none()) // bump < 255
}

/// The first bump from 255 down to `lowest` whose address is off the curve, and that address:
/// `find_program_address`'s search, each step a `sol_sha256` and a `sol_curve_validate_point`.
#[inline(never)]
fn first_off_curve(t: &mut PdaSeeds, lowest: u8) -> Option<(u8, [u8; 32])> {
    let slot = t.slot;
    let entries = t.table.get_mut(..t.n)?;
    let mut bump = u8::MAX;
    loop {
        if let Some(entry) = entries.get_mut(slot) {
            *entry = BUMPS.get(bump as usize..=bump as usize).unwrap_or(&[]);
        }
        let hash = sha256(entries);
        if !is_on_curve(&hash) {
            return Some((bump, hash));
        }
        if bump <= lowest {
            return None;
        }
        bump = bump.wrapping_sub(1); // bump > lowest
    }
}

/// Whether 32 bytes are a point of Curve25519 (Edwards form): a PDA is an address that is not.
#[inline(always)]
fn is_on_curve(bytes: &[u8; 32]) -> bool {
    let mut ignored = 0u8;
    // SAFETY: `bytes` is 32 readable bytes; the syscall writes nothing for a validation.
    // It returns 0 for a point of the curve, 1 otherwise.
    let rc = unsafe {
        solana_define_syscall::definitions::sol_curve_validate_point(CURVE25519_EDWARDS, bytes.as_ptr(), &mut ignored)
    };
    rc == 0
}

/// Every bump as a one-byte seed (`BUMPS[b..=b]`).
static BUMPS: [u8; 256] = {
    let mut out = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        out[i] = i as u8;
        i += 1;
    }
    out
};

/// The curve id of `sol_curve_validate_point` for Curve25519 in Edwards form.
const CURVE25519_EDWARDS: u64 = 0;

/// What `create_program_address` hashes after the seeds, the bump and the program id.
const PDA_MARKER: &[u8] = b"ProgramDerivedAddress";

/// `sol_sha256` of a seed table.
#[inline(always)]
fn sha256(table: &[&[u8]]) -> [u8; 32] {
    let mut hash = [0u8; 32];
    // SAFETY: `table` is an array of byte slices (pointer, length) as the syscall reads them;
    // `hash` has room for its 32-byte result.
    unsafe { pinocchio::syscalls::sol_sha256(table.as_ptr() as *const u8, table.len() as u64, hash.as_mut_ptr()) };
    hash
}

/// Checks that `a` is the address `seeds` with the given `bump` derive, by hashing them with the
/// program id as `create_program_address` does (`sol_sha256`: about 200 CU) but without its
/// off-curve test (the syscall costs 1,500 CU). Only for an account created next with these seeds
/// as the signer: the runtime derives the address again for the signature, off-curve test
/// included, and refuses it otherwise. The bump need not be the canonical one: a client's is
/// taken only with [`higher_bumps_on_curve`] (see [`create_at_pda_with_bump`]).
#[inline(always)]
pub fn check_pda_with_bump(a: &AccountView, seeds: &[&[u8]], bump: u8) -> Result<()> {
    let bump_seed = [bump];
    // Seeds, bump, program id, marker: what `create_program_address` hashes.
    let mut table = [EMPTY_SEED; MAX_SEEDS + 3];
    let n = seed_table(&mut table, seeds, &[&bump_seed[..], crate::ID.as_ref(), PDA_MARKER])?;
    let hash = sha256(&table[..n]);
    if a.address().as_ref() == &hash[..] {
        Ok(())
    } else {
        Err(PerpoolError::InvalidPda)
    }
}

/// An empty seed, to initialise seed tables.
const EMPTY_SEED: &[u8] = &[];

/// Writes `seeds` then `extra` into `table` (an 8-byte aligned stack array) and returns how many. The syscalls
/// require an aligned seed table; a table made of constants can be placed in .rodata at any offset
/// by the relinker, so it is copied element by element (the volatile writes keep LLVM from folding
/// it back into a constant). More than `MAX_SEEDS` seeds, or more than fit, is `InvalidPda`.
#[inline(always)]
fn seed_table<'a, const N: usize>(table: &mut [&'a [u8]; N], seeds: &[&'a [u8]], extra: &[&'a [u8]]) -> Result<usize> {
    let n = seeds.len().wrapping_add(extra.len()); // both short slices
    if seeds.len() > MAX_SEEDS || n > N {
        return Err(PerpoolError::InvalidPda);
    }
    for (dst, src) in table.iter_mut().zip(seeds.iter().chain(extra)) {
        // SAFETY: `dst` is a valid, aligned element of the caller's array.
        unsafe { core::ptr::write_volatile(dst, *src) };
    }
    Ok(n)
}

/// Most seeds (without the bump) of any PDA of this program.
const MAX_SEEDS: usize = 8;

/// A custody's vault passed to an instruction: writable and at the custody's vault address.
#[inline(always)]
pub fn check_vault(a: &AccountView, vault: &Address) -> Result<()> {
    check_writable(a)?;
    if a.address() != vault {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    Ok(())
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
    let needed = rent_exempt_minimum(space)?;
    let signer = [Signer::from(seeds)];
    let current = account.lamports();
    // Checked here: a failing system-program CPI would abort the transaction
    // with the system program's error instead of this program's.
    if payer.lamports() < needed.saturating_sub(current) {
        return Err(PerpoolError::InsufficientLamports);
    }
    if current == 0 {
        CreateAccount { from: payer, to: account, lamports: needed, space: space as u64, owner }
            .invoke_signed(&signer)?;
        return Ok(());
    }
    if current < needed {
        Transfer { from: payer, to: account, lamports: checked_sub(needed, current)? }.invoke()?;
    }
    Allocate { account, space: space as u64 }.invoke_signed(&signer)?;
    Assign { account, owner }.invoke_signed(&signer).map_err(PerpoolError::from)
}

/// Reads `N` bytes of a sysvar at `offset` through `sol_get_sysvar`.
///
/// pinocchio 0.11's `Sysvar::get` only calls the syscall under
/// `target_os = "solana"`; on the upstream `bpf` target it returns nothing
/// useful, so sysvars are read here directly.
#[inline(always)]
fn sysvar_bytes<const N: usize>(id: &Address, offset: u64) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    // SAFETY: `out` is valid for N bytes; the syscall writes at most N.
    let rc = unsafe {
        solana_define_syscall::definitions::sol_get_sysvar(id.as_ref().as_ptr(), out.as_mut_ptr(), offset, N as u64)
    };
    if rc == 0 {
        Ok(out)
    } else {
        Err(PerpoolError::SysvarUnavailable)
    }
}

const CLOCK_ID: Address = Address::from_str_const("SysvarC1ock11111111111111111111111111111111");
const RENT_ID: Address = Address::from_str_const("SysvarRent111111111111111111111111111111111");

/// `Clock::unix_timestamp` (byte offset 32 of the Clock sysvar).
#[inline(always)]
pub fn unix_timestamp() -> Result<i64> {
    Ok(i64::from_le_bytes(sysvar_bytes::<8>(&CLOCK_ID, 32)?))
}

/// Lamports that make an account of `space` bytes rent exempt:
/// (128 + space) × lamports_per_byte_year × exemption_threshold. The
/// threshold is an f64 in the sysvar; no float math runs on chain, so the
/// value is matched against the whole numbers the cluster uses.
pub fn rent_exempt_minimum(space: usize) -> Result<u64> {
    let raw = sysvar_bytes::<16>(&RENT_ID, 0)?;
    let mut per_byte = [0u8; 8];
    per_byte.copy_from_slice(&raw[..8]);
    let mut threshold = [0u8; 8];
    threshold.copy_from_slice(&raw[8..]);
    let years: u64 = match u64::from_le_bytes(threshold) {
        0x4000_0000_0000_0000 => 2, // 2.0
        0x3FF0_0000_0000_0000 => 1, // 1.0
        _ => return Err(PerpoolError::SysvarUnavailable),
    };
    let bytes = checked_add(space as u64, 128)?;
    let per_year = crate::math::checked_mul(bytes, u64::from_le_bytes(per_byte))?;
    Ok(crate::math::checked_mul(per_year, years)?)
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

/// The Clock fields instructions use.
pub struct Now {
    pub slot: u64,
    pub unix_timestamp: i64,
}

/// Reads slot (offset 0) and unix_timestamp (offset 32) of the Clock sysvar.
#[inline(always)]
pub fn now() -> Result<Now> {
    let c = sysvar_bytes::<40>(&CLOCK_ID, 0)?;
    let mut slot = [0u8; 8];
    slot.copy_from_slice(&c[..8]);
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&c[32..40]);
    Ok(Now { slot: u64::from_le_bytes(slot), unix_timestamp: i64::from_le_bytes(ts) })
}

/// Checks an SPL Token account of `mint` and returns its owner.
#[inline(always)]
pub fn check_token_account<'a>(a: &'a AccountView, mint: &Address) -> Result<&'a Address> {
    if !a.owned_by(&TOKEN_PROGRAM_ID) || a.data_len() != pinocchio_token::state::Account::LEN {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    // SAFETY: owner and length checked; read-only view of the token program's layout.
    let t = unsafe { pinocchio_token::state::Account::from_bytes_unchecked(a.borrow_unchecked()) };
    if t.mint() != mint || !t.is_initialized() {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    Ok(t.owner())
}

/// Checks a token account the signer pays from: of `mint` and owned by
/// `authority`, whose signature moves the tokens (a delegate is not accepted).
#[inline(always)]
pub fn check_funding(a: &AccountView, mint: &Address, authority: &AccountView) -> Result<()> {
    if check_token_account(a, mint)? != authority.address() {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    Ok(())
}

/// Checks a token account that receives tokens from `vault`: of `mint`, any
/// owner's, but not the vault itself (the payout would stay in the vault
/// while the books say it left). Returns its owner.
#[inline(always)]
pub fn check_receiving<'a>(a: &'a AccountView, mint: &Address, vault: &Address) -> Result<&'a Address> {
    if a.address() == vault {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    check_token_account(a, mint)
}

/// Balance of a token account already checked by [`check_token_account`].
#[inline(always)]
pub fn token_balance(a: &AccountView) -> u64 {
    // SAFETY: callers checked owner (SPL Token), length and mint; read only.
    unsafe { pinocchio_token::state::Account::from_bytes_unchecked(a.borrow_unchecked()) }.amount()
}

/// Checks that paying `amount` out of a custody's vault leaves what must stay in it: once the
/// custody lends (interest-bearing collateral may be out on loan), tokens locked for positions'
/// payouts, protocol fees, insurance, limit-order escrow and interest credited to collateral are
/// never withdrawn as collateral. Call after the custody's books are updated. A shortfall is
/// `InsufficientLiquidity` until loans are recalled (`liquidate_loan` while over-lent).
pub fn check_liquidity(c: &crate::state::Custody, vault: &AccountView, amount: u64) -> Result<()> {
    if c.lent == 0 {
        return Ok(());
    }
    let reserve = checked_sum([c.locked, c.protocol_fees, c.insurance, c.order_collateral, c.collateral_interest_due])?;
    match token_balance(vault).checked_sub(amount) {
        Some(left) if left >= reserve => Ok(()),
        _ => Err(PerpoolError::InsufficientLiquidity),
    }
}

/// Signer seeds of a pool: `["pool", name, bump]`.
pub struct PoolSigner<'a> {
    pub name: &'a [u8],
    pub bump: [u8; 1],
}

impl<'a> PoolSigner<'a> {
    pub fn new(pool: &'a crate::state::Pool) -> Self {
        Self { name: pool.name(), bump: [pool.bump] }
    }

    #[inline(always)]
    pub fn seeds(&self) -> [Seed<'_>; 3] {
        [Seed::from(b"pool"), Seed::from(self.name), Seed::from(&self.bump)]
    }
}

/// Moves tokens out of a vault, signed by the pool. A vault short of tokens (some are lent out
/// and the loans not yet recalled) is `InsufficientLiquidity`, not a token-program failure.
pub fn transfer_from_vault(
    vault: &AccountView,
    to: &AccountView,
    pool: &AccountView,
    signer: &PoolSigner,
    amount: u64,
) -> Result<()> {
    if token_balance(vault) < amount {
        return Err(PerpoolError::InsufficientLiquidity);
    }
    let seeds = signer.seeds();
    pinocchio_token::instructions::Transfer::new(vault, to, pool, amount)
        .invoke_signed(&[Signer::from(&seeds)])
        .map_err(PerpoolError::from)
}

/// Moves tokens from a user's account (checked by [`check_funding`]), signed by
/// the user. The balance is checked first: a failing token-program CPI would
/// abort with the token program's error instead of this program's.
pub fn transfer_from_user(from: &AccountView, to: &AccountView, authority: &AccountView, amount: u64) -> Result<()> {
    if token_balance(from) < amount {
        return Err(PerpoolError::InsufficientFunds);
    }
    pinocchio_token::instructions::Transfer::new(from, to, authority, amount).invoke().map_err(PerpoolError::from)
}

/// Creates a program account of type `T` at the PDA of `seeds` (canonical
/// bump found here; `account` must be empty and at that address), rent paid
/// by `payer`, and returns it initialized with its bump. The seeds are
/// written once, for both the address check and the signature.
#[inline(always)] // (six arguments once the returned reference is counted)
pub fn create_at_pda<'a, T: crate::state::ZeroCopy>(
    payer: &AccountView,
    account: &'a AccountView,
    seeds: &[&[u8]],
) -> Result<(&'a mut T, u8)> {
    create_at_pda_with_bump::<T>(payer, account, seeds, KnownBump::None)
}

/// What an instruction knows of a new account's bump before creating it.
#[derive(Clone, Copy)]
pub enum KnownBump {
    /// Nothing: the canonical bump is searched for.
    None,
    /// The client's: taken when it derives the account and every higher bump's address is on the
    /// curve, that is when it is the canonical bump (one hash, then a hash and a curve test per
    /// higher bump: none for 255).
    Client(u8),
    /// The canonical bump, found by this program earlier (a limit order keeps its position's).
    Canonical(u8),
}

/// [`create_at_pda`] with the bump perhaps known (stored by an earlier
/// instruction, or given by the client): the address is derived from the seeds
/// and that bump instead of searching for the canonical bump. A bump that does
/// not derive `account`, or a client's that is not the canonical one, is not an
/// error: the canonical bump is searched for then, so a client that does not
/// compute the bump (raw anchor) still opens the account, at the search's cost,
/// and an account at another bump's address is refused (`InvalidPda`).
#[inline(always)]
pub fn create_at_pda_with_bump<'a, T: crate::state::ZeroCopy>(
    payer: &AccountView,
    account: &'a AccountView,
    seeds: &[&[u8]],
    known: KnownBump,
) -> Result<(&'a mut T, u8)> {
    check_uninitialized(account)?;
    let bump = match known {
        KnownBump::Canonical(b) if check_pda_with_bump(account, seeds, b).is_ok() => b,
        KnownBump::Client(b) if check_pda_with_bump(account, seeds, b).is_ok() && higher_bumps_on_curve(seeds, b)? => b,
        _ => check_pda(account, seeds)?,
    };
    let bump_seed = [bump];
    let mut signer: [Seed; MAX_SEEDS + 1] = core::array::from_fn(|_| Seed::from(&[][..]));
    for (dst, src) in signer.iter_mut().zip(seeds) {
        *dst = Seed::from(*src);
    }
    signer[seeds.len()] = Seed::from(&bump_seed[..]);
    create_pda_account(&NewAccount { payer, account, space: T::LEN, owner: &crate::ID }, &signer[..=seeds.len()])?;
    Ok((crate::state::init::<T>(account)?, bump))
}
