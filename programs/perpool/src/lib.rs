//! Perpool: a GMX-style perpetuals exchange whose single multi-asset pool is
//! the counterparty to every trader and lends its idle assets.
//!
//! Three crates, one direction: this program (entrypoint, account checks, CPIs, events) →
//! `perpool-core` (the math and the state transitions, no Solana types) → `perpool-interface`
//! (account layouts, errors, discriminators). The interface's and the core's modules are
//! re-exported under the paths the processors use (`crate::state`, `crate::math`, ...).
// The deployed SBF build is no_std; the host build links std for native tests.
#![cfg_attr(any(target_os = "solana", target_arch = "bpf"), no_std)]
// Arithmetic goes through checked helpers (overflow checks are off in the release build, so a
// plain `+` would wrap silently); tests may use operators.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

// The interface and the core, under the paths the processors use.
pub use perpool_core::{math, CustodyOps};
pub use perpool_interface::{
    discriminator, error, error_log, event, instruction, reader, state, BPF_LOADER_UPGRADEABLE_ID, ID,
    PYTH_RECEIVER_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID,
};

pub mod oracle;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod entrypoint;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod events;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod processor;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod profile;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod util;
