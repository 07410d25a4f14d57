//! Perpool: a GMX-style perpetuals exchange whose single multi-asset pool is
//! the counterparty to every trader and lends its idle assets.
//!
//! Layers, one direction: `processor` (accounts in, validation, events) →
//! `state` (zero-copy account layouts) → `math` (pure integer functions).
// The deployed SBF build is no_std; the host build links std for native tests.
#![cfg_attr(any(target_os = "solana", target_arch = "bpf"), no_std)]

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
pub mod util;
