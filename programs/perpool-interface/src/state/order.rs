//! A trigger order on a position, PDA `["order", position, [slot]]`: a
//! take-profit, stop-loss or limit order that any keeper may execute once the
//! oracle price crosses its trigger, for the execution reward the owner
//! prepaid in lamports. At most [`MAX_ORDERS`] per position (one per slot).

use pinocchio::Address;

use super::ZeroCopy;
use crate::{discriminator::account, error::PerpoolError};

/// What an order does when its trigger is crossed. Stored and sent as its `u8`; read back with
/// [`OrderKind::try_from`], which refuses any other byte with `InvalidOrder`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKind {
    /// Closes size when the price reaches the trigger in the position's favour.
    TakeProfit = 1,
    /// Closes size when the price reaches the trigger against the position.
    StopLoss = 2,
    /// Opens or grows the position, with escrowed collateral, when the price reaches the trigger.
    Limit = 3,
}

impl TryFrom<u8> for OrderKind {
    type Error = PerpoolError;

    #[inline(always)]
    fn try_from(v: u8) -> Result<Self, PerpoolError> {
        match v {
            1 => Ok(OrderKind::TakeProfit),
            2 => Ok(OrderKind::StopLoss),
            3 => Ok(OrderKind::Limit),
            _ => Err(PerpoolError::InvalidOrder),
        }
    }
}

/// [`OrderKind::TakeProfit`] as stored.
pub const ORDER_TAKE_PROFIT: u8 = OrderKind::TakeProfit as u8;
/// [`OrderKind::StopLoss`] as stored.
pub const ORDER_STOP_LOSS: u8 = OrderKind::StopLoss as u8;
/// [`OrderKind::Limit`] as stored.
pub const ORDER_LIMIT: u8 = OrderKind::Limit as u8;

/// Slots per position: orders are bounded by construction.
pub const MAX_ORDERS: u8 = 8;
/// Smallest execution reward, lamports (two signature fees).
pub const MIN_EXECUTION_REWARD: u64 = 10_000;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Order {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of the order PDA.
    pub bump: u8,
    /// `ORDER_TAKE_PROFIT`, `ORDER_STOP_LOSS` or `ORDER_LIMIT`.
    pub kind: u8,
    /// The position's side.
    pub side: u8,
    /// Slot in `0..MAX_ORDERS`.
    pub slot: u8,
    /// Canonical bump of the position PDA (a limit order opens it without searching).
    pub position_bump: u8,
    pub padding0: [u8; 2],
    /// Trader.
    pub owner: Address,
    pub pool: Address,
    /// The position PDA (it may not exist yet for a limit order).
    pub position: Address,
    /// Market custody.
    pub custody: Address,
    /// Collateral custody.
    pub collateral_custody: Address,
    /// Oracle price that triggers the order, 9 decimals.
    pub trigger_price: u64,
    /// Worst execution price accepted, 9 decimals (0: any, for take-profit and stop-loss).
    pub acceptable_price: u64,
    /// Size to close (0 = all) or to open, USD with 6 decimals.
    pub size_usd: u64,
    /// Limit orders: collateral escrowed in the collateral custody's vault, native units.
    pub collateral_amount: u64,
    /// Lamports the executing keeper receives.
    pub execution_reward: u64,
    /// Limit orders: the position's rent, prepaid; it repays the keeper who opens the position, or returns to the owner.
    pub position_rent: u64,
    /// Unix time the order was placed.
    pub created_time: i64,
    pub reserved: [u8; 24],
}

const _: () = assert!(core::mem::size_of::<Order>() == 256);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Order {
    const DISCRIMINATOR: [u8; 8] = account::ORDER;
    const VERSION: u8 = 1;
}
