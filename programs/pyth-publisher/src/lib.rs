//! A price publisher for local clusters and tests, deployed at the Pyth
//! receiver's program address (`rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ`)
//! and nowhere else. It writes fully verified `PriceUpdateV2` accounts with
//! exactly the receiver's layout, so programs that read Pyth prices run on a
//! local cluster unchanged, byte for byte the code a real cluster runs.
//!
//! Accounts live at PDAs of this program, seeds `[shard (u16 LE), feed_id]`
//! (the shape of Pyth's sponsored price-feed accounts). The first writer of
//! an account becomes its `write_authority`; every later update must be signed
//! by it, and an update never moves `publish_time` backwards.
//!
//! Layers: `entrypoint` (accounts, syscalls; SBF only) → `price_update` (the
//! account layout and its transitions, pure and natively tested).
// The deployed SBF build is no_std; the host build links std for native tests.
#![cfg_attr(any(target_os = "solana", target_arch = "bpf"), no_std)]

pub mod error;
pub mod price_update;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub mod entrypoint;

use pinocchio::Address;

/// The address this program is deployed at on local clusters: the Pyth
/// receiver's (base58 `rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ`).
pub const ID: Address = Address::new_from_array([
    12, 183, 250, 187, 82, 247, 166, 72, 187, 91, 49, 125, 154, 1, 139, 144, 87, 203, 2, 71, 116, 250, 254, 1, 230,
    196, 223, 152, 204, 56, 88, 129,
]);

/// System program (all zeroes).
pub const SYSTEM_PROGRAM_ID: Address = Address::new_from_array([0; 32]);

/// Instruction discriminators: sha256("global:<name>")[..8], as Anchor computes them.
pub mod ix {
    /// `publish_price(shard, feed_id, price, conf, exponent, publish_time, ema_price, ema_conf)`.
    pub const PUBLISH_PRICE: [u8; 8] = [117, 13, 6, 171, 29, 204, 11, 1];
    /// `identify()`: sets the return data to [`super::IDENTITY`]; no accounts.
    pub const IDENTIFY: [u8; 8] = [252, 78, 40, 148, 155, 165, 119, 253];
}

/// Return data of `identify`: how clients tell this publisher from the real
/// Pyth receiver (which has no such instruction) before they publish.
pub const IDENTITY: &[u8] = b"perpool-pyth-publisher 1";
