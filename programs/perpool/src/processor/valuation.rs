//! Pool valuation over the custody list that follows an instruction's fixed
//! accounts: `[custody_0, oracle_0, custody_1, oracle_1, …]` in pool order, either the
//! pool's used slots or all [`MAX_CUSTODIES`] (the unused ones are not read).
//!
//! The pool's value is what LPs would own if every position closed now (SPEC §5):
//!
//! - each custody's own tokens (`owned`, with the loan interest earned since its last accrual)
//!   and the LPs' share of the borrow fees positions have accrued, at the custody's price;
//! - plus what positions owe and minus what they are owed and have not settled: funding and
//!   interest on recorded PnL (USD aggregates, projected to now);
//! - plus, per market side and collateral custody (a *group*), `min(collateral − debt, loss −
//!   profit)`: traders' losses count only up to the collateral they can be collected from, never
//!   bad debt as value; profits count in full; what positions owe is already in `owned` (credited
//!   when it became owed), so a debt the collateral cannot cover counts as a write-off.
//!
//! Every part is O(1) per custody. Custodies the instruction does not write are projected to now
//! exactly as [`Custody::accrue`] would leave them ([`Custody::projection`]), so refreshing a
//! custody, or settling a position, never moves the pool value by more than rounding.

use crate::CustodyOps;
use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    math::{custody_value_usd, group_claim, GroupInput, Price, SignedUsd},
    oracle::{read_price, OracleContext, OraclePrice},
    state::{
        custody::{GROUP_COLLATERAL, GROUP_DEBT, GROUP_TOKENS, GROUP_USD},
        load,
        pool::MAX_CUSTODIES,
        position::{SIDE_LONG, SIDE_SHORT},
        Custody, Pool,
    },
    util::Result,
};

perpool_core::source_file!();

/// Which oracle bound values the pool: `Max` when LP tokens are minted
/// (the depositor gets fewer), `Min` when they are redeemed or tokens swapped.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PriceSide {
    Min,
    Max,
}

/// A custody the instruction writes, already loaded mutably: the list holds
/// it again and its data is read from here instead of loading it twice.
pub struct Target<'a> {
    pub key: &'a Address,
    pub custody: &'a Custody,
}

pub struct Valuation<const N: usize> {
    /// Pool value in USD (6 decimals) at the chosen side's prices.
    pub aum_usd: u64,
    /// Each target custody's `owned` value at the same prices.
    pub target_usd: [u64; N],
    /// Each target custody's checked oracle reading.
    pub target_price: [OraclePrice; N],
}

/// Values every custody of `pool` at `side` prices (rounding against the
/// user: up at max prices, down at min prices) and returns the targets' values
/// and prices. Every custody must be listed, in order, with its oracle. The
/// targets must already be accrued to `now`; the others are valued as if they
/// were.
#[inline(always)] // (more than five register arguments otherwise)
pub fn value_pool<const N: usize>(
    pool: &Pool,
    list: &[AccountView],
    targets: [Target; N],
    side: PriceSide,
    now: i64,
) -> Result<Valuation<N>> {
    let count = pool.custody_count as usize;
    if count > MAX_CUSTODIES {
        return Err(PerpoolError::CustodyListMismatch);
    }
    // Every slot (what an IDL client resolves), or only the used ones; the unused are not read.
    let used = count.saturating_mul(2);
    let list = match list.len() {
        n if n == used => list,
        n if n == MAX_CUSTODIES * 2 => list.get(..used).ok_or(PerpoolError::CustodyListMismatch)?,
        _ => return Err(PerpoolError::CustodyListMismatch),
    };
    let ctx = OracleContext { now };
    let zero = OraclePrice { spot: Price(0), ema: Price(0), conf: 0, min: Price(0), max: Price(0), publish_time: 0 };
    let mut out = Valuation { aum_usd: 0, target_usd: [0; N], target_price: [zero; N] };
    let mut found = [false; N];
    let up = side == PriceSide::Max;
    let lp_share_bps = 10_000u64
        .saturating_sub((pool.protocol_fee_share_bps as u64).saturating_add(pool.insurance_fee_share_bps as u64));
    let mut total = SignedUsd::default();
    let mut custodies: [Option<&Custody>; MAX_CUSTODIES] = [None; MAX_CUSTODIES];
    let mut prices = [zero; MAX_CUSTODIES];

    for (i, pair) in list.chunks_exact(2).enumerate() {
        let (custody_account, oracle) = (&pair[0], &pair[1]);
        let key = custody_account.address();
        if key != &pool.custodies[i] {
            return Err(PerpoolError::CustodyListMismatch);
        }
        let target = targets.iter().position(|t| t.key == key);
        let custody = match target {
            Some(j) => targets[j].custody,
            None => load::<Custody>(custody_account)?,
        };
        let price = read_price(custody, oracle, &ctx)?;
        let p = if up { price.max } else { price.min };
        // A target is accrued to now: its projection is itself.
        let proj = custody.projection(now, (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps))?;
        let value = custody_value_usd(proj.owned, p, custody.decimals, up)?;
        total.add(value)?;
        if proj.borrow_fees_accrued > 0 {
            // The LPs' share of the fees' value, rounded with the side being priced.
            let fees = custody_value_usd(proj.borrow_fees_accrued, p, custody.decimals, up)?;
            let share = if up {
                crate::math::mul_div_ceil(fees, lp_share_bps, 10_000)?
            } else {
                crate::math::mul_div_floor(fees, lp_share_bps, 10_000)?
            };
            total.add(share)?;
        }
        total.add(proj.receivable_usd)?;
        total.sub(proj.payable_usd)?;
        if let Some(j) = target {
            out.target_usd[j] = value;
            out.target_price[j] = price;
            found[j] = true;
        }
        custodies[i] = Some(custody);
        prices[i] = price;
    }
    if found.iter().any(|f| !f) {
        return Err(PerpoolError::CustodyListMismatch);
    }

    // Positions, by market side and collateral custody.
    let custodies = &custodies[..count];
    let prices = &prices[..count];
    for (m, price) in custodies.iter().zip(prices) {
        let Some(m) = *m else { continue };
        if m.is_stable != 0 {
            // A stablecoin is never a market (`Custodies::load` refuses it, and the flag is fixed
            // at listing): its rows are zero.
            continue;
        }
        // Most markets hold no position: both sides' rows (adjacent in the account) at once.
        if all_zero(both_sides(m)) {
            continue;
        }
        // Marked at the prices that favour the side being priced: the higher pool value uses the
        // lower trader PnL and vice versa.
        let (long_price, short_price) = if up { (price.min, price.max) } else { (price.max, price.min) };
        for side_tag in [SIDE_LONG, SIDE_SHORT] {
            let (rows, market_price) =
                if side_tag == SIDE_LONG { (&m.long_groups, long_price) } else { (&m.short_groups, short_price) };
            let rows = &rows[..count];
            if all_zero(rows) {
                continue;
            }
            for ((row, c), c_price) in rows.iter().zip(custodies).zip(prices) {
                // (Only the used rows are read: the others stay zero.)
                if (row[GROUP_USD] | row[GROUP_TOKENS] | row[GROUP_COLLATERAL] | row[GROUP_DEBT]) == 0 {
                    continue;
                }
                let Some(c) = *c else { continue };
                let claim = group_claim(&GroupInput {
                    side: side_tag,
                    oi_usd: row[GROUP_USD],
                    oi_tokens: row[GROUP_TOKENS],
                    market_decimals: m.decimals,
                    market_price,
                    collateral: row[GROUP_COLLATERAL],
                    debt: row[GROUP_DEBT],
                    coll_decimals: c.decimals,
                    coll_price: if up { c_price.max } else { c_price.min },
                    round_for_max_aum: up,
                })?;
                total.add(claim.positive)?;
                total.sub(claim.negative)?;
            }
        }
    }
    out.aum_usd = total.floor_zero();
    Ok(out)
}

/// Both sides' group rows of a full pool, all zero.
static ZERO_ROWS: [[u64; 4]; 2 * MAX_CUSTODIES] = [[0; 4]; 2 * MAX_CUSTODIES];

/// One side's rows.
const SIDE_ROWS_LEN: usize = core::mem::size_of::<[[u64; 4]; MAX_CUSTODIES]>();

// `both_sides` reads the short rows as the continuation of the long ones: they start where the
// long rows end, and both sides' rows end inside the account.
const _: () = assert!(matches!(
    core::mem::offset_of!(Custody, long_groups).checked_add(SIDE_ROWS_LEN),
    Some(end) if end == core::mem::offset_of!(Custody, short_groups)
));
const _: () = assert!(matches!(
    core::mem::offset_of!(Custody, short_groups).checked_add(SIDE_ROWS_LEN),
    Some(end) if end <= core::mem::size_of::<Custody>()
));

/// A market's long rows followed by its short rows (every slot, used or not).
#[inline(always)]
fn both_sides(m: &Custody) -> &[[u64; 4]] {
    // SAFETY: `short_groups` follows `long_groups` with no gap (asserted above), both inside `m`,
    // so the `2 * MAX_CUSTODIES` rows from `long_groups` are initialised and aligned (as the
    // field is); the pointer is derived from `m` itself, whose borrow covers both fields.
    unsafe {
        let first = (m as *const Custody).cast::<u8>().add(core::mem::offset_of!(Custody, long_groups));
        core::slice::from_raw_parts(first.cast::<[u64; 4]>(), 2 * MAX_CUSTODIES)
    }
}

/// Whether group rows (at most `2 * MAX_CUSTODIES`) are all zero, by the runtime's `memcmp`: it
/// charges ten units for anything under 2,500 bytes, where a comparison in the program costs
/// about 25 units per row (its loads, branches and loop).
#[inline(always)]
fn all_zero(rows: &[[u64; 4]]) -> bool {
    let rows = &rows[..rows.len().min(2 * MAX_CUSTODIES)];
    // Non-zero until the runtime writes the result: a comparison that did not happen never skips.
    let mut order = 1i32;
    // SAFETY: both pointers are readable for `size_of_val(rows)` bytes (at most the size of
    // `ZERO_ROWS`), and `order` is writable.
    unsafe {
        solana_define_syscall::definitions::sol_memcmp_(
            rows.as_ptr().cast(),
            ZERO_ROWS.as_ptr().cast(),
            core::mem::size_of_val(rows) as u64,
            &mut order,
        );
    }
    order == 0
}
