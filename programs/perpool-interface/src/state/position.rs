//! A trader's position, PDA `["position", owner, pool, custody,
//! collateral_custody, [side]]`: one per market, collateral asset and side.

use pinocchio::Address;

use super::ZeroCopy;
use crate::{discriminator::account, error::PerpoolError};

/// A position's side. Stored and sent as its `u8` (accounts hold only plain bytes); read back with
/// [`Side::try_from`], which refuses any other byte with `InvalidSide`.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Long = 1,
    Short = 2,
}

impl TryFrom<u8> for Side {
    type Error = PerpoolError;

    #[inline(always)]
    fn try_from(v: u8) -> Result<Self, PerpoolError> {
        match v {
            1 => Ok(Side::Long),
            2 => Ok(Side::Short),
            _ => Err(PerpoolError::InvalidSide),
        }
    }
}

/// [`Side::Long`] as stored.
pub const SIDE_LONG: u8 = Side::Long as u8;
/// [`Side::Short`] as stored.
pub const SIDE_SHORT: u8 = Side::Short as u8;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Position {
    pub discriminator: [u8; 8],
    /// Layout version (1).
    pub version: u8,
    /// Canonical bump of the position PDA.
    pub bump: u8,
    /// `SIDE_LONG` or `SIDE_SHORT`.
    pub side: u8,
    pub padding0: [u8; 5],
    /// Trader.
    pub owner: Address,
    pub pool: Address,
    /// Market custody (the asset traded).
    pub custody: Address,
    /// Custody of the collateral; also pays profits and holds the locked tokens.
    pub collateral_custody: Address,
    /// Unix time the position was opened.
    pub open_time: i64,
    /// Unix time of the last change.
    pub update_time: i64,
    /// Size, USD with 6 decimals.
    pub size_usd: u64,
    /// Size in market tokens at entry prices, native units (PnL and open interest use it).
    pub size_tokens: u64,
    /// Average entry price, 9 decimals (size_usd per size_tokens; informational).
    pub entry_price: u64,
    /// Collateral, collateral-custody native units.
    pub collateral_amount: u64,
    /// Tokens of the collateral custody reserved for the maximum payout.
    pub locked_amount: u64,
    /// Collateral custody's borrow index when fees were last settled, 12 decimals.
    pub borrow_index_snapshot: u64,
    /// Realized profit (positive) or loss, USD with 6 decimals.
    pub realized_pnl_usd: i64,
    /// Open, close and borrow fees paid, USD with 6 decimals at the prices of the time.
    pub fees_paid_usd: u64,
    /// Borrow fees paid, collateral-custody native units.
    pub borrow_fees_paid: u64,
    /// Collateral custody's supply index when interest was last settled, 12 decimals.
    pub supply_index_snapshot: u64,
    /// Interest earned (positive) or paid on collateral and unrealized PnL, collateral-custody native units, signed.
    pub interest_settled: i64,
    /// The side's funding `paid` index when funding was last settled, 18 decimals ([low, high] of a u128).
    pub funding_paid_snapshot: [u64; 2],
    /// The side's funding `received` index when funding was last settled ([low, high]).
    pub funding_received_snapshot: [u64; 2],
    /// Net funding settled: received (positive) or paid, USD with 6 decimals (what was booked; an
    /// unpaid part is in `owed_tokens`).
    pub funding_settled_usd: i64,
    /// Collateral tokens the position owes and could not pay from its collateral (funding,
    /// interest, borrow fees), native units. Counted in its equity; paid first from anything it
    /// receives or deposits and from profit on a decrease.
    pub owed_tokens: u64,
    /// Unix time of the last increase: no profit is paid on size closed within the pool's minimum
    /// hold (at least the same second) after it.
    pub last_increase_time: i64,
    /// The PnL recorded at the last settlement, the base of this period's PnL interest, USD with 6
    /// decimals (a profit when `pnl_base_profit` is 1).
    pub pnl_base_usd: u64,
    /// Profit observed at `pnl_seen_time` (the warm-up of PnL interest), USD with 6 decimals.
    pub pnl_seen_usd: u64,
    /// Unix time of that observation.
    pub pnl_seen_time: i64,
    /// Collateral custody's collateral index when interest was last settled, 12 decimals.
    pub collateral_index_snapshot: u64,
    /// 1 when `pnl_base_usd` is a profit.
    pub pnl_base_profit: u8,
    /// Index of the collateral custody in the pool's custody list (its row in the market's groups).
    pub collateral_group: u8,
    pub padding1: [u8; 6],
    pub reserved: [u8; 32],
}

const _: () = assert!(core::mem::size_of::<Position>() == 376);

// SAFETY: repr(C), POD fields only, no implicit padding (size pinned above).
unsafe impl ZeroCopy for Position {
    const DISCRIMINATOR: [u8; 8] = account::POSITION;
    const VERSION: u8 = 1;
}
