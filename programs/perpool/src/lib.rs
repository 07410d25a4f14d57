//! Perpool: a GMX-style perpetuals exchange whose single multi-asset pool is
//! the counterparty to every trader and lends its idle assets.
//!
//! Layers, one direction: `processor` (accounts in, validation, events) →
//! `state` (zero-copy account layouts) → `math` (pure integer functions).
// The deployed SBF build is no_std; the host build links std for native tests.
#![cfg_attr(any(target_os = "solana", target_arch = "bpf"), no_std)]

pub mod discriminator;
pub mod error;
pub mod error_log;
pub mod math;
pub mod oracle;
pub mod state;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod entrypoint;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod events;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod processor;
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod util;

pub mod reader;

use pinocchio::Address;

/// The program's address (base58 `Huuufy2ycrhXVytHV8GRH7yJCbCMnq4zsU2KAqY68dTD`).
pub const ID: Address = Address::new_from_array([
    251, 73, 4, 45, 14, 55, 196, 226, 49, 19, 170, 30, 224, 201, 161, 35, 115, 79, 21, 204, 80,
    59, 243, 48, 39, 152, 39, 190, 152, 172, 152, 72,
]);

/// SPL Token program.
pub const TOKEN_PROGRAM_ID: Address = Address::new_from_array([
    6, 221, 246, 225, 215, 101, 161, 147, 217, 203, 225, 70, 206, 235, 121, 172, 28, 180, 133, 237,
    95, 91, 55, 145, 58, 140, 245, 133, 126, 255, 0, 169,
]);

/// System program (all zeroes).
pub const SYSTEM_PROGRAM_ID: Address = Address::new_from_array([0; 32]);

/// Pyth pull-oracle receiver program, owner of `PriceUpdateV2` accounts
/// (base58 `rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ`).
pub const PYTH_RECEIVER_ID: Address = Address::new_from_array([
    12, 183, 250, 187, 82, 247, 166, 72, 187, 91, 49, 125, 154, 1, 139, 144, 87, 203, 2, 71, 116,
    250, 254, 1, 230, 196, 223, 152, 204, 56, 88, 129,
]);

/// BPF Loader Upgradeable: owner of this program's account and its ProgramData
/// (base58 `BPFLoaderUpgradeab1e11111111111111111111111`).
pub const BPF_LOADER_UPGRADEABLE_ID: Address = Address::from_str_const("BPFLoaderUpgradeab1e11111111111111111111111");
