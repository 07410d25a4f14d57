//! Perpool's core: the pure integer math ([`math`]) and the state transitions over the interface's
//! account structs. No Solana types, no accounts, no syscalls: everything here runs and is tested
//! natively.
#![cfg_attr(not(test), no_std)]
// Arithmetic goes through checked helpers (overflow checks are off in the release build, so a
// plain `+` would wrap silently); tests may use operators.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

// Off the chain, `math::error` keeps the last raised error in a thread-local.
#[cfg(all(not(test), not(target_arch = "bpf")))]
extern crate std;

pub mod custody;
pub mod errors;
pub mod math;

pub use custody::CustodyOps;
pub mod trade;
