//! Pool valuation over the custody list that follows an instruction's fixed
//! accounts: `[custody_0, oracle_0, custody_1, oracle_1, …]` in pool order.

use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    math::{custody_value_usd, pool_pnl, PoolPnlInput},
    oracle::{read_price, OracleContext, OraclePrice},
    state::{load, Custody, Pool},
    util::Result,
};

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
/// were (their pending loan interest counts).
#[inline(always)] // (more than five register arguments otherwise)
pub fn value_pool<const N: usize>(
    pool: &Pool,
    list: &[AccountView],
    targets: [Target; N],
    side: PriceSide,
    now: i64,
) -> Result<Valuation<N>> {
    let count = pool.custody_count as usize;
    if list.len() != 2 * count {
        return Err(PerpoolError::CustodyListMismatch);
    }
    let ctx = OracleContext { now };
    let zero = OraclePrice { spot: crate::math::Price(0), ema: crate::math::Price(0), conf: 0, min: crate::math::Price(0), max: crate::math::Price(0) };
    let mut out = Valuation { aum_usd: 0, target_usd: [0; N], target_price: [zero; N] };
    let mut found = [false; N];
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
        let (p, round_up) = match side {
            PriceSide::Min => (price.min, false),
            PriceSide::Max => (price.max, true),
        };
        // A custody the instruction accrued is current; any other is valued with the
        // loan interest it has earned since its last accrual (as if refreshed now).
        let owned = match target {
            Some(_) => custody.owned,
            None => custody.owned_at(now, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)?,
        };
        let value = custody_value_usd(owned, p, custody.decimals, round_up)?;
        // Traders' net PnL on this market is owed by (profit) or to (loss) the
        // pool. Valued at the prices that favour the side being priced: the
        // higher pool value uses the lower trader PnL and vice versa.
        let (long_price, short_price) = match side {
            PriceSide::Max => (price.min, price.max),
            PriceSide::Min => (price.max, price.min),
        };
        if custody.long_oi_usd == 0 && custody.short_oi_usd == 0 {
            out.aum_usd = out.aum_usd.checked_add(value).ok_or(PerpoolError::MathOverflow)?;
            if let Some(j) = target {
                out.target_usd[j] = value;
                out.target_price[j] = price;
                found[j] = true;
            }
            continue;
        }
        let pnl = pool_pnl(&PoolPnlInput {
            long_oi_usd: custody.long_oi_usd,
            long_oi_tokens: custody.long_oi_tokens,
            short_oi_usd: custody.short_oi_usd,
            short_oi_tokens: custody.short_oi_tokens,
            decimals: custody.decimals,
            long_price,
            short_price,
            round_for_max_aum: round_up,
        })?;
        out.aum_usd = if pnl.profit {
            out.aum_usd.checked_add(value).ok_or(PerpoolError::MathOverflow)?.saturating_sub(pnl.usd)
        } else {
            out.aum_usd.checked_add(value).and_then(|x| x.checked_add(pnl.usd)).ok_or(PerpoolError::MathOverflow)?
        };
        if let Some(j) = target {
            out.target_usd[j] = value;
            out.target_price[j] = price;
            found[j] = true;
        }
    }
    if found.iter().any(|f| !f) {
        return Err(PerpoolError::CustodyListMismatch);
    }
    Ok(out)
}
