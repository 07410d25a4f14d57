//! Compute-unit profile marks. With the cargo feature `cu-profile` (a build of its own,
//! `target/deploy/perpool-profile.so`, made by `npm run build:profile`; never the deployed
//! program) each [`mark`] logs the phase that just ended and the compute units remaining, and
//! `npm run bench` turns the marks of each hot instruction into its cost by phase. Without the
//! feature a mark is an empty inline function: the deployed build has no trace of it.
//!
//! A mark ends a phase: the units spent since the previous mark belong to the phase it names.
//! The entrypoint marks [`Phase::Start`] twice in a row first, so the bench measures what a mark
//! itself costs and takes it off every phase.

/// First value of every mark's log line (`sol_log_64`), so the bench tells marks from other logs.
pub const TAG: u64 = 0x5045_5250_5052_4f46;

/// What the units since the previous mark were spent on.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum Phase {
    /// The entrypoint's first line (pinocchio's input parsing and the dispatch before it).
    Start = 0,
    /// Account checks: owners, addresses, PDAs, signers, the accounts' loaders.
    Accounts = 1,
    /// The clock sysvar and the oracles' checked prices.
    Oracle = 2,
    /// Interest, borrow-fee and funding accrual of custodies, settlement of a position's.
    Accrual = 3,
    /// Quotes: prices, fees, PnL, impact, limits.
    Math = 4,
    /// Writing the results into accounts (custodies, positions, pool), closing an account.
    State = 5,
    /// Cross-program invocations: token transfers, mints, burns, account creation.
    Cpi = 6,
    /// The instruction's event (`sol_log_data`).
    Event = 7,
    /// The pool's value (LP instructions and swaps): every custody's account and oracle read,
    /// its accruals projected, the sums.
    Valuation = 8,
    /// A position's settlement before it changes: borrow fee, funding, interest on its PnL and
    /// collateral, the custodies' aggregates.
    Settlement = 9,
    /// Price impact at the market's open interest.
    Impact = 10,
}

/// Logs `phase`, then the compute units remaining (`Program consumption: N units remaining`),
/// profile build only. (`sol_remaining_compute_units` would take one syscall instead of two, but
/// the VM this is measured on does not resolve it.)
#[cfg(feature = "cu-profile")]
#[inline(never)]
pub fn mark(phase: Phase) {
    // SAFETY: both syscalls take plain values; neither reads or writes program memory.
    unsafe {
        solana_define_syscall::definitions::sol_log_64_(TAG, phase as u64, 0, 0, 0);
        solana_define_syscall::definitions::sol_log_compute_units_();
    }
}

/// Nothing outside the profile build.
#[cfg(not(feature = "cu-profile"))]
#[inline(always)]
pub fn mark(_phase: Phase) {}
