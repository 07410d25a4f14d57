//! Generator of the shared interest- and position-math vectors, `tests/vectors/position.json`.
//!
//! Expected results come from the reference implementation below: straightforward `u128` /
//! `i128` arithmetic written from the specification (the brief's formulas, in the error order
//! the program documents), independent of the program's limb-based math — nothing here calls
//! `perpool_core::math` to compute an expected value. The liquidation tier, for instance, is the
//! literal `ceil((T·S − 10_000·E)·10_000 / (S·(T − c)))` rounded up to a multiple of 2_500,
//! where the program compares tier by tier. `position_vectors.rs` (Rust) and
//! `sdk/tests/position-math.test.ts` (TypeScript) check both implementations against the file.
//! Regenerate with
//!
//! ```text
//! PERPOOL_WRITE_VECTORS=1 cargo test -p perpool-core --test gen_position_vectors
//! ```
//!
//! Inputs are deterministic (hand-written cases plus a seeded SplitMix64 stream over realistic
//! markets: SOL $150 / 9 decimals, BTC $95,000 / 8, ETH $3,500 / 8, collateral in the traded
//! token or USDC $1 / 6), so regenerating gives the same file unless the semantics change.
//!
//! The quote sections end with cases carrying a price impact (an `impact` field; absent means
//! zero, as in every earlier case): the entry price of an increase and the exit price of a
//! decrease are shifted per the table in `math/impact.rs`'s module docs, built by hand per pair
//! and from a separate seeded stream, so adding them left the earlier cases unchanged.
//!
//! # Issue 14: what positions owe stays owed
//! A position may owe collateral tokens (`pos.owed_tokens`, in the JSON only when non-zero). The
//! reference follows the program's new rules:
//! - `quote_increase` pays the owed first from the collateral and the deposit (`owed_paid`;
//!   `InsufficientCollateral` when they cannot cover it with the fees).
//! - `quote_decrease` takes every charge — borrow fee, close fee, loss and the owed — from the
//!   collateral first and then from the profit realised now; only charges above both are
//!   `PositionUnderwater`. The amount out and the collateral after follow from what is left of
//!   each (`owed_paid`).
//! - `quote_liquidate` counts in the health the owed plus the borrow fee the collateral cannot
//!   pay, valued at the collateral MAX price rounded up; a partial liquidation's charges include
//!   the owed; a full one's waterfall is borrow fee, owed, loss, close fee, reward, and the owed
//!   it cannot pay (`owed_written_off`) is bad debt with the uncovered loss (insurance first).
//!
//! The earlier cases keep their inputs; their outputs gained `owed_paid` (and
//! `owed_written_off`), zero, and changed only where the rules did: four decreases that were
//! underwater by the collateral alone are now paid from their profit (one closes, three leave
//! too little collateral: `CollateralTooSmall`), and three liquidations whose borrow fee exceeds
//! the collateral are now liquidatable (that fee is owed, no longer forgiven in the health).
//! The cases of positions that owe come last in each quote section, from a stream of their own
//! (`OWED_*_CASES`; no `impact` field).
//!
//! The test `library_matches_reference_on_random_positions` runs the same reference
//! against the library on many more cases than the file holds.

mod common;
mod reference;

use common::math_name;
use reference::{V::*, *};
use serde_json::{json, Value};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Reference semantics, beyond the arithmetic the generators share (fit, div_round, mul_div, to_usd,
// to_tokens, ...) in `reference`.
// ---------------------------------------------------------------------------------------------

/// Sum of non-negative terms; `Overflow` above u64 (the program adds them checked in some
/// order, which overflows exactly when the total does).
fn sum(terms: &[u128]) -> R<u128> {
    fit(terms.iter().sum())
}

// ----- interest -----

#[derive(Clone, Copy, Debug, Default)]
struct Curve {
    base_rate: u64,
    slope1: u64,
    slope2: u64,
    optimal_utilization_bps: u64,
    reserve_factor_bps: u64,
}

fn ref_utilization(borrowed: u64, lendable: u64) -> u128 {
    let (b, l) = (borrowed as u128, lendable as u128);
    if l == 0 {
        return if b > 0 { BPS } else { 0 };
    }
    div_round(b * BPS, l, true).min(BPS)
}

fn ref_borrow_rate(c: &Curve, u: u64) -> R<u128> {
    let (u, opt) = (u as u128, c.optimal_utilization_bps as u128);
    if u <= opt {
        let slope = mul_div(c.slope1 as u128, u, opt, true)?;
        sum(&[c.base_rate as u128, slope])
    } else {
        if opt > BPS {
            return Err("Underflow");
        }
        let slope = mul_div(c.slope2 as u128, u - opt, BPS - opt, true)?;
        sum(&[c.base_rate as u128, c.slope1 as u128, slope])
    }
}

fn ref_supply_rate(borrow: u64, u: u64, rf: u64) -> R<u128> {
    if rf as u128 > BPS {
        return Err("Underflow");
    }
    let factor = fit(u as u128 * (BPS - rf as u128))?;
    fit(borrow as u128 * factor / (BPS * BPS))
}

fn ref_accrue_index(index: u64, rate: u64, dt: u64, up: bool) -> R<u128> {
    let rate_time = fit(rate as u128 * dt as u128)?;
    let growth = fit(div_round(index as u128 * rate_time, YEAR as u128 * RATE_ONE, up))?;
    fit(index as u128 + growth)
}

#[derive(Clone, Copy, Debug, Default)]
struct AccrualIn {
    borrow_index: u64,
    supply_index: u64,
    last_accrual: i64,
    now: i64,
    locked: u64,
    lent: u64,
    lendable: u64,
    curve: Curve,
}

/// (borrow_index, supply_index, borrow_rate, supply_rate, utilization_bps)
fn ref_accrue(i: &AccrualIn) -> R<Quote> {
    let dt = (i.now as i128 - i.last_accrual as i128).max(0) as u128;
    let borrowed = sum(&[i.locked as u128, i.lent as u128])?;
    let u = ref_utilization(borrowed as u64, i.lendable);
    let borrow = ref_borrow_rate(&i.curve, u as u64)?;
    let supply = ref_supply_rate(borrow as u64, u as u64, i.curve.reserve_factor_bps)?;
    let (bi, si) = if dt == 0 {
        (i.borrow_index as u128, i.supply_index as u128)
    } else {
        let dt = fit(dt)?; // unreachable: two i64 differ by less than 2^64
        (
            ref_accrue_index(i.borrow_index, borrow as u64, dt as u64, true)?,
            ref_accrue_index(i.supply_index, supply as u64, dt as u64, false)?,
        )
    };
    Ok(vec![
        ("borrow_index", U(bi)),
        ("supply_index", U(si)),
        ("borrow_rate", U(borrow)),
        ("supply_rate", U(supply)),
        ("utilization_bps", U(u)),
    ])
}

// ----- prices, PnL, fees -----

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Q {
    min: u64,
    max: u64,
    conf: u64,
}

fn side_long(side: u8) -> R<bool> {
    match side {
        LONG => Ok(true),
        SHORT => Ok(false),
        _ => Err("InvalidSide"),
    }
}

fn ref_spread(spread_bps: u64, q: &Q) -> R<u128> {
    let conf_bps = mul_div(q.conf as u128, BPS, q.max as u128, true)?;
    let s = sum(&[spread_bps as u128, conf_bps])?;
    if s >= BPS {
        return Err("InvalidSpread");
    }
    Ok(s)
}

fn ref_entry(long: bool, q: &Q, s: u128) -> R<u128> {
    if long {
        mul_div(q.max as u128, BPS + s, BPS, true)
    } else {
        mul_div(q.min as u128, BPS - s, BPS, false)
    }
}

fn ref_exit(long: bool, q: &Q, s: u128) -> R<u128> {
    if long {
        mul_div(q.min as u128, BPS - s, BPS, false)
    } else {
        mul_div(q.max as u128, BPS + s, BPS, true)
    }
}

fn ref_price_fn(side: u8, q: &Q, spread_bps: u64, entry: bool) -> R<u128> {
    let long = side_long(side)?;
    let s = ref_spread(spread_bps, q)?;
    if entry {
        ref_entry(long, q, s)
    } else {
        ref_exit(long, q, s)
    }
}

/// The execution price of a trade of `size` at `price` after its price impact `I`, straight
/// from the table in `math/impact.rs`'s module docs:
///
/// | trade           | negative impact | positive impact | rounds |
/// |-----------------|-----------------|-----------------|--------|
/// | long increase   | `P·S / (S − I)` | `P·S / (S + I)` | up     |
/// | short increase  | `P·S / (S + I)` | `P·S / (S − I)` | down   |
/// | long decrease   | `P·(S − I) / S` | `P·(S + I) / S` | down   |
/// | short decrease  | `P·(S + I) / S` | `P·(S − I) / S` | up     |
///
/// A zero (or absent) impact leaves the price. Refused, in this order: a zero size, or `I >= S`
/// where the formula subtracts → `PriceImpactTooLarge` (the quotes' name for the impact's
/// `ImpactTooLarge`); `S + I` or the price above u64 → `Overflow`; a zero price → `InvalidPrice`.
fn ref_impacted(long: bool, increase: bool, size: u128, price: u128, impact: Option<Imp>) -> R<u128> {
    let Some(imp) = impact.filter(|x| x.usd > 0) else {
        return Ok(price);
    };
    let i = imp.usd as u128;
    // (subtracts I, rounds up) by row and column of the table.
    let (minus, up) = match (long, increase, imp.positive) {
        (true, true, false) => (true, true),
        (true, true, true) => (false, true),
        (false, true, false) => (false, false),
        (false, true, true) => (true, false),
        (true, false, false) => (true, false),
        (true, false, true) => (false, false),
        (false, false, false) => (false, true),
        (false, false, true) => (true, true),
    };
    if size == 0 || (minus && i >= size) {
        return Err("PriceImpactTooLarge");
    }
    let adjusted = fit(if minus { size - i } else { size + i })?;
    let out = if increase {
        fit(div_round(price * size, adjusted, up))?
    } else {
        fit(div_round(price * adjusted, size, up))?
    };
    if out == 0 {
        return Err("InvalidPrice");
    }
    Ok(out)
}

fn ref_size_tokens(long: bool, usd: u128, price: u128, decimals: u8) -> R<u128> {
    // Fewer tokens for a long, more for a short.
    to_tokens(usd, price, decimals, !long)
}

/// Signed PnL (USD).
fn ref_pnl(long: bool, size: u128, tokens: u128, exit: u128, decimals: u8) -> R<i128> {
    Ok(if long {
        to_usd(tokens, exit, decimals, false)? as i128 - size as i128
    } else {
        size as i128 - to_usd(tokens, exit, decimals, true)? as i128
    })
}

fn ref_average_price(size: u128, tokens: u128, decimals: u8) -> R<u128> {
    if tokens == 0 {
        return Ok(0);
    }
    let s = scale(decimals)?;
    match size.checked_mul(s) {
        Some(n) => fit(n / tokens),
        None => Err("Overflow"),
    }
}

fn ref_borrow_fee(locked: u64, now: u64, snapshot: u64) -> R<u128> {
    if now <= snapshot {
        return Ok(0);
    }
    mul_div(locked as u128, (now - snapshot) as u128, INDEX_ONE as u128, true)
}

/// Collateral value + PnL − close fee; `Overflow` if the positive or the negative terms exceed
/// u64 (the program's documented rule).
fn ref_equity(collateral_usd: u128, pnl: i128, close_fee: u128) -> R<i128> {
    let plus = fit(collateral_usd + pnl.max(0) as u128)?;
    let minus = fit((-pnl).max(0) as u128 + close_fee)?;
    Ok(plus as i128 - minus as i128)
}

fn ref_healthy(equity: i128, size: u128, mm: u64) -> bool {
    equity >= 0 && equity as u128 * BPS >= mm as u128 * size
}

// ----- positions -----

#[derive(Clone, Copy, Debug, Default)]
struct Pos {
    side: u8,
    open_time: i64,
    size_usd: u64,
    size_tokens: u64,
    collateral_amount: u64,
    locked_amount: u64,
    borrow_index_snapshot: u64,
    /// Collateral tokens owed and not paid (issue 14); absent from the JSON when zero.
    owed_tokens: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Market {
    decimals: u8,
    price: Q,
    spread_bps: u64,
    open_fee_bps: u64,
    close_fee_bps: u64,
    max_leverage_bps: u64,
    max_position_usd: u64,
    oi_usd: u64,
    oi_cap_usd: u64,
    min_collateral_usd: u64,
    maintenance_margin_bps: u64,
    liquidation_reward_bps: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Coll {
    decimals: u8,
    price: Q,
    borrow_index: u64,
    owned: u64,
    locked: u64,
    buffer_bps: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct Fees {
    protocol_bps: u64,
    insurance_bps: u64,
}

/// A trade's price impact: `positive` when the trader gains; USD.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Imp {
    positive: bool,
    usd: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct IncIn {
    now: i64,
    pos: Pos,
    size_delta_usd: u64,
    collateral_delta: u64,
    market: Market,
    coll: Coll,
    fees: Fees,
    /// `None`: no `impact` field in the vector (a zero impact).
    impact: Option<Imp>,
}

#[derive(Clone, Copy, Debug, Default)]
struct DecIn {
    now: i64,
    pos: Pos,
    size_delta_usd: u64,
    collateral_out: u64,
    market: Market,
    coll: Coll,
    fees: Fees,
    /// As [`IncIn::impact`].
    impact: Option<Imp>,
}

#[derive(Clone, Copy, Debug, Default)]
struct LiqIn {
    now: i64,
    pos: Pos,
    market: Market,
    coll: Coll,
    fees: Fees,
    insurance_balance: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct PoolPnlIn {
    long_oi_usd: u64,
    long_oi_tokens: u64,
    short_oi_usd: u64,
    short_oi_tokens: u64,
    decimals: u8,
    long_price: u64,
    short_price: u64,
    round_for_max_aum: bool,
}

/// Equity of a (remaining) position marked at `exit`: collateral at the collateral MIN price
/// (down) + PnL − close fee on the whole size (up) − what it owes (`owed` tokens at the
/// collateral MAX price, up).
#[allow(clippy::too_many_arguments)]
fn ref_mark(
    long: bool,
    exit: u128,
    size: u128,
    tokens: u128,
    collateral: u128,
    owed: u128,
    m: &Market,
    c: &Coll,
) -> R<i128> {
    let collateral_usd = to_usd(collateral, c.price.min as u128, c.decimals, false)?;
    let pnl = ref_pnl(long, size, tokens, exit, m.decimals)?;
    let fee = ref_fee(size, m.close_fee_bps as u128)?;
    let owed_usd = if owed == 0 { 0 } else { to_usd(owed, c.price.max as u128, c.decimals, true)? };
    // The program adds the close fee and the owed value first (checked), then the PnL.
    ref_equity(collateral_usd, pnl, fit(fee + owed_usd)?)
}

/// The checks on a position that stays open: returns the collateral value.
fn ref_check_open(long: bool, exit: u128, size: u128, tokens: u128, collateral: u128, m: &Market, c: &Coll) -> R<u128> {
    let collateral_usd = to_usd(collateral, c.price.min as u128, c.decimals, false)?;
    if collateral_usd < m.min_collateral_usd as u128 {
        return Err("CollateralTooSmall");
    }
    if size * BPS > m.max_leverage_bps as u128 * collateral_usd {
        return Err("LeverageTooHigh");
    }
    let equity = ref_mark(long, exit, size, tokens, collateral, 0, m, c)?;
    if !ref_healthy(equity, size, m.maintenance_margin_bps) {
        return Err("WouldBeLiquidatable");
    }
    Ok(collateral_usd)
}

fn ref_increase(i: &IncIn) -> R<Quote> {
    let long = side_long(i.pos.side)?;
    if i.size_delta_usd == 0 {
        return Err("ZeroAmount");
    }
    let (p, m, c) = (&i.pos, &i.market, &i.coll);
    let delta = i.size_delta_usd as u128;
    let borrow_fee = ref_borrow_fee(p.locked_amount, c.borrow_index, p.borrow_index_snapshot)?;
    let s = ref_spread(m.spread_bps, &m.price)?;
    // The impact shifts the entry only; the new position is marked at the plain exit.
    let entry = ref_impacted(long, true, delta, ref_entry(long, &m.price, s)?, i.impact)?;
    let exit = ref_exit(long, &m.price, s)?;
    let tokens_delta = ref_size_tokens(long, delta, entry, m.decimals)?;
    let fee_usd = ref_fee(delta, m.open_fee_bps as u128)?;
    let fee_tokens = to_tokens(fee_usd, c.price.min as u128, c.decimals, true)?;
    let gross = sum(&[p.collateral_amount as u128, i.collateral_delta as u128])?;
    // What the position owes is paid first: nothing stays owed after an increase.
    let owed = p.owed_tokens as u128;
    let charges = sum(&[borrow_fee, fee_tokens, owed])?;
    if charges > gross {
        return Err("InsufficientCollateral");
    }
    let collateral_after = gross - charges;
    let size_after = sum(&[p.size_usd as u128, delta])?;
    let tokens_after = sum(&[p.size_tokens as u128, tokens_delta])?;
    if size_after > m.max_position_usd as u128 {
        return Err("PositionTooLarge");
    }
    if m.oi_usd as u128 + delta > m.oi_cap_usd as u128 {
        return Err("OpenInterestCap");
    }
    let locked_delta = to_tokens(delta, c.price.min as u128, c.decimals, true)?;
    let buffer = fit(c.owned as u128 * c.buffer_bps as u128 / BPS)?;
    let lockable = (c.owned as u128).checked_sub(buffer).ok_or("Underflow")?;
    if c.locked as u128 + locked_delta > lockable {
        return Err("InsufficientLiquidity");
    }
    let collateral_usd = ref_check_open(long, exit, size_after, tokens_after, collateral_after, m, c)?;
    let (lp, protocol, insurance) =
        ref_split(sum(&[fee_tokens, borrow_fee])?, i.fees.protocol_bps, i.fees.insurance_bps)?;
    let average = ref_average_price(size_after, tokens_after, m.decimals)?;
    let leverage = fit(size_after * BPS / collateral_usd)?;
    Ok(vec![
        ("entry_price", U(entry)),
        ("size_tokens_delta", U(tokens_delta)),
        ("fee_usd", U(fee_usd)),
        ("fee_tokens", U(fee_tokens)),
        ("borrow_fee_tokens", U(borrow_fee)),
        ("owed_paid", U(owed)),
        ("collateral_after", U(collateral_after)),
        ("locked_delta", U(locked_delta)),
        ("size_usd_after", U(size_after)),
        ("size_tokens_after", U(tokens_after)),
        ("average_price_after", U(average)),
        ("leverage_bps_after", U(leverage)),
        ("lp_fee", U(lp)),
        ("protocol_fee", U(protocol)),
        ("insurance_fee", U(insurance)),
    ])
}

/// Decrease steps 3–7: what closing `delta` of `p` realises.
struct Closed {
    tokens: u128,
    pnl: i128,
    fee_usd: u128,
    fee_tokens: u128,
    released: u128,
    profit_tokens: u128,
    loss_tokens: u128,
}

#[allow(clippy::too_many_arguments)]
fn ref_close(long: bool, now: i64, p: &Pos, delta: u128, full: bool, exit: u128, m: &Market, c: &Coll) -> R<Closed> {
    let (size, tokens, locked) = (p.size_usd as u128, p.size_tokens as u128, p.locked_amount as u128);
    let (closed, released) = if full {
        (tokens, locked)
    } else if delta == 0 {
        (0, 0)
    } else {
        (div_round(tokens * delta, size, !long), locked * delta / size)
    };
    let mut pnl = ref_pnl(long, delta, closed, exit, m.decimals)?;
    if pnl > 0 && now <= p.open_time {
        pnl = 0;
    }
    let fee_usd = ref_fee(delta, m.close_fee_bps as u128)?;
    let fee_tokens = to_tokens(fee_usd, c.price.min as u128, c.decimals, true)?;
    let (profit_tokens, loss_tokens) = if pnl > 0 {
        (to_tokens(pnl as u128, c.price.max as u128, c.decimals, false)?.min(released), 0)
    } else if pnl < 0 {
        (0, to_tokens((-pnl) as u128, c.price.min as u128, c.decimals, true)?)
    } else {
        (0, 0)
    };
    Ok(Closed { tokens: closed, pnl, fee_usd, fee_tokens, released, profit_tokens, loss_tokens })
}

fn ref_decrease(i: &DecIn) -> R<Quote> {
    let long = side_long(i.pos.side)?;
    let (p, m, c) = (&i.pos, &i.market, &i.coll);
    if i.size_delta_usd == 0 && i.collateral_out == 0 {
        return Err("ZeroAmount");
    }
    if i.size_delta_usd > p.size_usd {
        return Err("SizeTooLarge");
    }
    let delta = i.size_delta_usd as u128;
    let full = delta > 0 && i.size_delta_usd == p.size_usd;
    let borrow_fee = ref_borrow_fee(p.locked_amount, c.borrow_index, p.borrow_index_snapshot)?;
    let s = ref_spread(m.spread_bps, &m.price)?;
    // The impacted exit prices the closed part; the remainder is checked at the plain exit.
    let plain_exit = ref_exit(long, &m.price, s)?;
    // The exit shifts so the closed tokens realize the USD impact (ref_decrease_impact).
    let shifted = ref_decrease_impact(i)?;
    let shift = Imp { positive: flag(&shifted, "positive"), usd: get(&shifted, "usd") as u64 };
    let exit = ref_impacted(long, false, delta, plain_exit, Some(shift))?;
    let k = ref_close(long, i.now, p, delta, full, exit, m, c)?;
    // Every charge, what was owed included, comes from the collateral and then from the profit
    // realised now; only more than both is underwater.
    let owed = p.owed_tokens as u128;
    let charges = sum(&[borrow_fee, k.fee_tokens, k.loss_tokens, owed])?;
    let collateral = p.collateral_amount as u128;
    if charges > sum(&[collateral, k.profit_tokens])? {
        return Err("PositionUnderwater");
    }
    let available = collateral.saturating_sub(charges);
    let profit_left = k.profit_tokens - charges.saturating_sub(collateral);
    let size_after = p.size_usd as u128 - delta;
    let tokens_after = p.size_tokens as u128 - k.tokens;
    let (amount_out, collateral_after) = if full {
        (sum(&[available, profit_left])?, 0)
    } else {
        let out = i.collateral_out as u128;
        if out > available {
            return Err("InsufficientCollateral");
        }
        let after = available - out;
        if size_after > 0 {
            ref_check_open(long, plain_exit, size_after, tokens_after, after, m, c)?;
        }
        (sum(&[out, profit_left])?, after)
    };
    let (lp, protocol, insurance) =
        ref_split(sum(&[k.fee_tokens, borrow_fee])?, i.fees.protocol_bps, i.fees.insurance_bps)?;
    Ok(vec![
        ("exit_price", U(exit)),
        ("closed_tokens", U(k.tokens)),
        ("pnl_profit", B(k.pnl > 0)),
        ("pnl_usd", U(k.pnl.unsigned_abs())),
        ("profit_tokens", U(k.profit_tokens)),
        ("loss_tokens", U(k.loss_tokens)),
        ("fee_usd", U(k.fee_usd)),
        ("fee_tokens", U(k.fee_tokens)),
        ("borrow_fee_tokens", U(borrow_fee)),
        ("owed_paid", U(owed)),
        ("locked_released", U(k.released)),
        ("amount_out", U(amount_out)),
        ("collateral_after", U(collateral_after)),
        ("size_usd_after", U(if full { 0 } else { size_after })),
        ("size_tokens_after", U(if full { 0 } else { tokens_after })),
        ("full_close", B(full)),
        ("lp_fee", U(lp)),
        ("protocol_fee", U(protocol)),
        ("insurance_fee", U(insurance)),
    ])
}

/// The impact `quote_decrease` is handed so the closed tokens realize exactly the USD impact
/// (`math::decrease_impact`'s docs): `I × S / V` with `V` the closed tokens at the plain exit
/// price (a gain down with `V` up, a cost up with `V` down), kept below `S` where the price
/// formula subtracts it (a long's cost, a short's gain); the impact as given when `V` is zero,
/// cannot be valued or the result does not fit.
fn ref_decrease_impact(i: &DecIn) -> R<Quote> {
    let long = side_long(i.pos.side)?;
    let given = i.impact.unwrap_or_default();
    let as_given = || Ok(vec![("positive", B(given.positive)), ("usd", U(given.usd as u128))]);
    let (p, s) = (&i.pos, i.size_delta_usd as u128);
    if given.usd == 0 || s == 0 {
        return as_given();
    }
    if i.size_delta_usd > p.size_usd {
        return Err("SizeTooLarge");
    }
    let closed = if i.size_delta_usd == p.size_usd {
        p.size_tokens as u128
    } else {
        mul_div(p.size_tokens as u128, s, p.size_usd as u128, !long)?
    };
    let exit = ref_exit(long, &i.market.price, ref_spread(i.market.spread_bps, &i.market.price)?)?;
    let gain = given.positive;
    let value = match to_usd(closed, exit, i.market.decimals, gain) {
        Ok(v) if v > 0 => v,
        _ => return as_given(),
    };
    let Ok(mut usd) = mul_div(given.usd as u128, s, value, !gain) else {
        return as_given();
    };
    if long != gain && usd >= s {
        usd = s - 1;
    }
    Ok(vec![("positive", B(gain)), ("usd", U(usd))])
}

/// The liquidation fraction in bps, from the literal formula.
fn ref_fraction(equity: i128, size: u128, m: &Market) -> R<u128> {
    if equity <= 0 {
        return Ok(BPS);
    }
    let (mm, e) = (m.maintenance_margin_bps as u128, equity as u128);
    let target = fit(2 * mm)?;
    let cost = fit(m.close_fee_bps as u128 + m.liquidation_reward_bps as u128)?;
    if target <= cost {
        return Ok(BPS);
    }
    fit(6 * mm + cost)?; // the program's documented overflow bound
    let numerator = (target * size - e * BPS).checked_mul(BPS).expect("reference range");
    let denominator = size.checked_mul(target - cost).expect("reference range");
    let f = div_round(numerator, denominator, true);
    let tiered = div_round(f, 2_500, true) * 2_500;
    Ok(tiered.min(BPS))
}

fn ref_liquidate(i: &LiqIn) -> R<Quote> {
    let long = side_long(i.pos.side)?;
    let (p, m, c) = (&i.pos, &i.market, &i.coll);
    let (size, tokens, collateral) = (p.size_usd as u128, p.size_tokens as u128, p.collateral_amount as u128);
    let borrow_fee = ref_borrow_fee(p.locked_amount, c.borrow_index, p.borrow_index_snapshot)?;
    let s = ref_spread(m.spread_bps, &m.price)?;
    let exit = ref_exit(long, &m.price, s)?;
    // Health counts what is owed: the position's owed tokens and the borrow fee its collateral
    // cannot pay, at the collateral MAX price (up).
    let owed = p.owed_tokens as u128;
    let owed_now = fit(owed + borrow_fee.saturating_sub(collateral))?;
    let equity = ref_mark(long, exit, size, tokens, collateral.saturating_sub(borrow_fee), owed_now, m, c)?;
    if ref_healthy(equity, size, m.maintenance_margin_bps) {
        return Err("NotLiquidatable");
    }
    let f = ref_fraction(equity, size, m)?;
    let reward_of = |usd: u128| -> R<u128> {
        let reward_usd = fit(usd * m.liquidation_reward_bps as u128 / BPS)?;
        to_tokens(reward_usd, c.price.max as u128, c.decimals, false)
    };
    if f < BPS {
        let delta = size * f / BPS;
        let k = ref_close(long, i.now, p, delta, false, exit, m, c)?;
        let reward = reward_of(delta)?;
        let funds = sum(&[collateral, k.profit_tokens])?;
        let charges = sum(&[borrow_fee, owed, k.fee_tokens, k.loss_tokens, reward])?;
        if charges <= funds {
            let after = funds - charges;
            let (size_after, tokens_after) = (size - delta, tokens - k.tokens);
            let rest = ref_mark(long, exit, size_after, tokens_after, after, 0, m, c)?;
            if ref_healthy(rest, size_after, m.maintenance_margin_bps) {
                let (lp, protocol, insurance) =
                    ref_split(sum(&[k.fee_tokens, borrow_fee])?, i.fees.protocol_bps, i.fees.insurance_bps)?;
                return Ok(liquidation_quote(LiqOut {
                    full: false,
                    fraction: f,
                    delta,
                    exit,
                    k: &k,
                    loss: k.loss_tokens,
                    fee: k.fee_tokens,
                    borrow_fee,
                    owed_paid: owed,
                    owed_written_off: 0,
                    reward,
                    reward_from_insurance: 0,
                    reward_from_pool: 0,
                    insurance_used: 0,
                    pool_loss: 0,
                    owner_out: 0,
                    collateral_after: after,
                    size_after,
                    tokens_after,
                    split: (lp, protocol, insurance),
                }));
            }
        }
    }
    // Full.
    let k = ref_close(long, i.now, p, size, true, exit, m, c)?;
    let reward = reward_of(size)?;
    let mut funds = sum(&[collateral, k.profit_tokens])?;
    let mut take = |claim: u128| {
        let covered = claim.min(funds);
        funds -= covered;
        covered
    };
    // The waterfall: borrow fee, what is owed, loss, close fee, reward.
    let borrow_covered = take(borrow_fee);
    let owed_covered = take(owed);
    let loss_covered = take(k.loss_tokens);
    let fee_covered = take(k.fee_tokens);
    let reward_covered = take(reward);
    let owner_out = funds;
    // Bad debt: the uncovered loss and the owed the funds could not pay.
    let owed_written_off = owed - owed_covered;
    let uncovered_loss = fit(k.loss_tokens - loss_covered + owed_written_off)?;
    let insurance = i.insurance_balance as u128;
    let insurance_used = uncovered_loss.min(insurance);
    let uncovered_reward = reward - reward_covered;
    let reward_from_insurance = uncovered_reward.min(insurance - insurance_used);
    let (lp, protocol, ins_fee) =
        ref_split(sum(&[fee_covered, borrow_covered])?, i.fees.protocol_bps, i.fees.insurance_bps)?;
    Ok(liquidation_quote(LiqOut {
        full: true,
        fraction: BPS,
        delta: size,
        exit,
        k: &k,
        loss: loss_covered,
        fee: fee_covered,
        borrow_fee: borrow_covered,
        owed_paid: owed_covered,
        owed_written_off,
        reward,
        reward_from_insurance,
        reward_from_pool: uncovered_reward - reward_from_insurance,
        insurance_used,
        pool_loss: uncovered_loss - insurance_used,
        owner_out,
        collateral_after: 0,
        size_after: 0,
        tokens_after: 0,
        split: (lp, protocol, ins_fee),
    }))
}

struct LiqOut<'a> {
    full: bool,
    fraction: u128,
    delta: u128,
    exit: u128,
    k: &'a Closed,
    loss: u128,
    fee: u128,
    borrow_fee: u128,
    owed_paid: u128,
    owed_written_off: u128,
    reward: u128,
    reward_from_insurance: u128,
    reward_from_pool: u128,
    insurance_used: u128,
    pool_loss: u128,
    owner_out: u128,
    collateral_after: u128,
    size_after: u128,
    tokens_after: u128,
    split: (u128, u128, u128),
}

fn liquidation_quote(o: LiqOut) -> Quote {
    vec![
        ("full", B(o.full)),
        ("fraction_bps", U(o.fraction)),
        ("size_delta_usd", U(o.delta)),
        ("exit_price", U(o.exit)),
        ("closed_tokens", U(o.k.tokens)),
        ("pnl_profit", B(o.k.pnl > 0)),
        ("pnl_usd", U(o.k.pnl.unsigned_abs())),
        ("profit_tokens", U(o.k.profit_tokens)),
        ("loss_tokens", U(o.loss)),
        ("fee_tokens", U(o.fee)),
        ("borrow_fee_tokens", U(o.borrow_fee)),
        ("owed_paid", U(o.owed_paid)),
        ("owed_written_off", U(o.owed_written_off)),
        ("reward_tokens", U(o.reward)),
        ("reward_from_insurance", U(o.reward_from_insurance)),
        ("reward_from_pool", U(o.reward_from_pool)),
        ("insurance_used", U(o.insurance_used)),
        ("pool_loss", U(o.pool_loss)),
        ("owner_out", U(o.owner_out)),
        ("collateral_after", U(o.collateral_after)),
        ("locked_released", U(o.k.released)),
        ("size_usd_after", U(o.size_after)),
        ("size_tokens_after", U(o.tokens_after)),
        ("lp_fee", U(o.split.0)),
        ("protocol_fee", U(o.split.1)),
        ("insurance_fee", U(o.split.2)),
    ]
}

fn ref_pool_pnl(i: &PoolPnlIn) -> R<Quote> {
    let up = i.round_for_max_aum;
    // Max AUM: trader profit rounds down (long value down, short value up); min AUM: the reverse.
    let long_value = to_usd(i.long_oi_tokens as u128, i.long_price as u128, i.decimals, !up)?;
    let short_value = to_usd(i.short_oi_tokens as u128, i.short_price as u128, i.decimals, up)?;
    let net = long_value as i128 - i.long_oi_usd as i128 + i.short_oi_usd as i128 - short_value as i128;
    let usd = fit(net.unsigned_abs())?;
    Ok(vec![("profit", B(net > 0)), ("usd", U(usd))])
}

// ---------------------------------------------------------------------------------------------
// JSON encoding (field names = the Rust struct fields; u8 fields and decimals are JSON numbers,
// flags booleans, everything else a decimal string).
// ---------------------------------------------------------------------------------------------

impl Q {
    fn json(&self) -> Value {
        json!({ "min": s(self.min), "max": s(self.max), "conf": s(self.conf) })
    }
}

impl Curve {
    fn json(&self) -> Value {
        json!({
            "base_rate": s(self.base_rate), "slope1": s(self.slope1), "slope2": s(self.slope2),
            "optimal_utilization_bps": s(self.optimal_utilization_bps),
            "reserve_factor_bps": s(self.reserve_factor_bps),
        })
    }
}

impl AccrualIn {
    fn json(&self) -> Value {
        json!({
            "borrow_index": s(self.borrow_index), "supply_index": s(self.supply_index),
            "last_accrual": s(self.last_accrual), "now": s(self.now), "locked": s(self.locked),
            "lent": s(self.lent), "lendable": s(self.lendable), "curve": self.curve.json(),
        })
    }
}

impl Pos {
    /// `owed_tokens` appears only when non-zero (absent is zero, as in the earlier cases).
    fn json(&self) -> Value {
        let mut v = json!({
            "side": self.side, "open_time": s(self.open_time), "size_usd": s(self.size_usd),
            "size_tokens": s(self.size_tokens), "collateral_amount": s(self.collateral_amount),
            "locked_amount": s(self.locked_amount), "borrow_index_snapshot": s(self.borrow_index_snapshot),
        });
        if self.owed_tokens != 0 {
            v["owed_tokens"] = s(self.owed_tokens);
        }
        v
    }
}

impl Market {
    fn json(&self) -> Value {
        json!({
            "decimals": self.decimals, "price": self.price.json(), "spread_bps": s(self.spread_bps),
            "open_fee_bps": s(self.open_fee_bps), "close_fee_bps": s(self.close_fee_bps),
            "max_leverage_bps": s(self.max_leverage_bps), "max_position_usd": s(self.max_position_usd),
            "oi_usd": s(self.oi_usd), "oi_cap_usd": s(self.oi_cap_usd),
            "min_collateral_usd": s(self.min_collateral_usd),
            "maintenance_margin_bps": s(self.maintenance_margin_bps),
            "liquidation_reward_bps": s(self.liquidation_reward_bps),
        })
    }
}

impl Coll {
    fn json(&self) -> Value {
        json!({
            "decimals": self.decimals, "price": self.price.json(), "borrow_index": s(self.borrow_index),
            "owned": s(self.owned), "locked": s(self.locked), "buffer_bps": s(self.buffer_bps),
        })
    }
}

impl Fees {
    fn json(&self) -> Value {
        json!({ "protocol_bps": s(self.protocol_bps), "insurance_bps": s(self.insurance_bps) })
    }
}

/// Adds `impact` to a quote input when the case has one (absent means zero).
fn with_impact_json(mut v: Value, impact: Option<Imp>) -> Value {
    if let Some(imp) = impact {
        v["impact"] = json!({ "positive": imp.positive, "usd": s(imp.usd) });
    }
    v
}

impl IncIn {
    fn json(&self) -> Value {
        let v = json!({
            "now": s(self.now), "pos": self.pos.json(), "size_delta_usd": s(self.size_delta_usd),
            "collateral_delta": s(self.collateral_delta), "market": self.market.json(),
            "coll": self.coll.json(), "fees": self.fees.json(),
        });
        with_impact_json(v, self.impact)
    }
}

impl DecIn {
    fn json(&self) -> Value {
        let v = json!({
            "now": s(self.now), "pos": self.pos.json(), "size_delta_usd": s(self.size_delta_usd),
            "collateral_out": s(self.collateral_out), "market": self.market.json(),
            "coll": self.coll.json(), "fees": self.fees.json(),
        });
        with_impact_json(v, self.impact)
    }
}

impl LiqIn {
    fn json(&self) -> Value {
        json!({
            "now": s(self.now), "pos": self.pos.json(), "market": self.market.json(),
            "coll": self.coll.json(), "fees": self.fees.json(),
            "insurance_balance": s(self.insurance_balance),
        })
    }
}

impl PoolPnlIn {
    fn json(&self) -> Value {
        json!({
            "long_oi_usd": s(self.long_oi_usd), "long_oi_tokens": s(self.long_oi_tokens),
            "short_oi_usd": s(self.short_oi_usd), "short_oi_tokens": s(self.short_oi_tokens),
            "decimals": self.decimals, "long_price": s(self.long_price),
            "short_price": s(self.short_price), "round_for_max_aum": self.round_for_max_aum,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs: a deterministic generator and realistic markets.
// ---------------------------------------------------------------------------------------------

/// [`Rng`] (shared) with this generator's edge values.
impl Rng {
    fn edgy(&mut self) -> u64 {
        self.edgy_among(&BPS_EDGES)
    }
}

/// A market, its collateral custody and the pool's fee shares.
#[derive(Clone, Copy, Debug)]
struct World {
    mt: Tok,
    ct: Tok,
    side: u8,
    market: Market,
    coll: Coll,
    fees: Fees,
}

impl World {
    fn same(&self) -> bool {
        self.mt == self.ct
    }

    fn label(&self) -> String {
        let side = if self.side == LONG { "long" } else { "short" };
        format!("{} {side} on {}", self.mt.name, self.ct.name)
    }

    fn new(rng: &mut Rng, pair: usize) -> World {
        let (mt, ct, side) = PAIRS[pair % PAIRS.len()];
        let width = rng.pick(&[0, 0, 2, 5, 10, 20]);
        let conf_bps = rng.pick(&[0, 0, 1, 3, 8]);
        let mprice = Q { min: mt.price, max: mt.price + mt.price / 10_000 * width, conf: mt.price / 10_000 * conf_bps };
        let market = Market {
            decimals: mt.decimals,
            price: mprice,
            spread_bps: rng.pick(&[0, 5, 10, 20]),
            open_fee_bps: rng.pick(&[0, 6, 6, 10]),
            close_fee_bps: rng.pick(&[0, 6, 6, 10]),
            max_leverage_bps: rng.pick(&[100_000, 200_000, 500_000, 1_000_000]),
            max_position_usd: 5_000_000 * USD,
            oi_usd: rng.below(20_000_000) * USD,
            oi_cap_usd: 50_000_000 * USD,
            min_collateral_usd: 10 * USD,
            maintenance_margin_bps: rng.pick(&[50, 100, 100, 150, 200]),
            liquidation_reward_bps: rng.pick(&[0, 5, 10, 10, 25]),
        };
        let cprice = if mt == ct { mprice } else { Q { min: ct.price, max: ct.price, conf: 0 } };
        let owned = to_tokens(50_000_000 * USD as u128, ct.price as u128, ct.decimals, false).unwrap() as u64;
        let coll = Coll {
            decimals: ct.decimals,
            price: cprice,
            borrow_index: INDEX_ONE + rng.below(INDEX_ONE / 5),
            owned,
            locked: (owned as u128 * rng.below(60) as u128 / 100) as u64,
            buffer_bps: 1_000,
        };
        let fees = Fees { protocol_bps: rng.pick(&[0, 1_000, 2_000]), insurance_bps: rng.pick(&[0, 500, 1_000]) };
        World { mt, ct, side, market, coll, fees }
    }

    /// The increase that opens a position of `deposit_usd` at `leverage_bps`.
    fn open_input(&self, now: i64, deposit_usd: u64, leverage_bps: u64) -> IncIn {
        let deposit = to_tokens(deposit_usd as u128, self.ct.price as u128, self.ct.decimals, false).unwrap() as u64;
        IncIn {
            now,
            pos: Pos {
                side: self.side,
                open_time: now,
                borrow_index_snapshot: self.coll.borrow_index,
                ..Pos::default()
            },
            size_delta_usd: (deposit_usd as u128 * leverage_bps as u128 / BPS) as u64,
            collateral_delta: deposit,
            market: self.market,
            coll: self.coll,
            fees: self.fees,
            impact: None,
        }
    }

    /// Opens a random position (retrying the leverage); the world's custody locks the tokens.
    fn open(&mut self, rng: &mut Rng, now: i64) -> Option<(IncIn, Pos)> {
        for _ in 0..8 {
            let deposit_usd = rng.log(15 * USD, 100_000 * USD);
            let max_lev = self.market.max_leverage_bps.min(500_000);
            let leverage = rng.log(11_000, max_lev);
            let i = self.open_input(now, deposit_usd, leverage);
            if let Ok(q) = ref_increase(&i) {
                self.coll.locked += get(&q, "locked_delta") as u64;
                return Some((i, opened(&i, &q)));
            }
        }
        None
    }

    /// The same world `dt` seconds later with prices moved by `move_bps` / 10_000 and the borrow
    /// index grown by `growth` / 1e12.
    fn moved(&self, move_bps: u64, growth: u64) -> World {
        let mv = |p: u64| ((p as u128 * move_bps as u128 / BPS) as u64).max(1);
        let mut w = *self;
        w.market.price = Q {
            min: mv(self.market.price.min),
            max: mv(self.market.price.max),
            conf: (self.market.price.conf as u128 * move_bps as u128 / BPS) as u64,
        };
        if self.same() {
            w.coll.price = w.market.price;
        }
        w.coll.borrow_index = self.coll.borrow_index + growth;
        w
    }
}

fn opened(i: &IncIn, q: &Quote) -> Pos {
    Pos {
        size_usd: get(q, "size_usd_after") as u64,
        size_tokens: get(q, "size_tokens_after") as u64,
        collateral_amount: get(q, "collateral_after") as u64,
        locked_amount: i.pos.locked_amount + get(q, "locked_delta") as u64,
        borrow_index_snapshot: i.coll.borrow_index,
        ..i.pos
    }
}

/// A later time: the same second (sometimes) or up to ~4 months later.
fn later(rng: &mut Rng, now: i64) -> i64 {
    if rng.chance(15) {
        now
    } else {
        now + rng.log(1, 10_000_000) as i64
    }
}

/// A price move in bps: mostly within ±10 %, sometimes up to ±50 %.
fn price_move(rng: &mut Rng) -> u64 {
    if rng.chance(70) {
        rng.range(9_000, 11_000)
    } else {
        rng.range(5_000, 15_000)
    }
}

fn increase_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, IncIn)> {
    let mut cases = Vec::new();
    // Opens across every pair.
    let mut k = 0;
    while cases.len() < random {
        let mut w = World::new(rng, k);
        k += 1;
        let deposit_usd = rng.log(5 * USD, 200_000 * USD);
        let leverage = rng.log(5_000, w.market.max_leverage_bps + 50_000);
        cases.push((
            format!("open {} ${} at {}x", w.label(), deposit_usd / USD, leverage / 10_000),
            w.open_input(T0, deposit_usd, leverage),
        ));
        // Adding to an existing position later, at moved prices with accrued borrow fees.
        if let Some((_, pos)) = w.open(rng, T0) {
            let now = later(rng, T0);
            let w2 = w.moved(price_move(rng), rng.below(INDEX_ONE / 20));
            let add = IncIn {
                now,
                pos,
                size_delta_usd: rng.log(USD, pos.size_usd.max(USD + 1)),
                collateral_delta: if rng.chance(50) { 0 } else { pos.collateral_amount / rng.range(1, 10) },
                market: w2.market,
                coll: w2.coll,
                fees: w2.fees,
                impact: None,
            };
            cases.push((format!("increase {} after {}s", w.label(), now - T0), add));
        }
    }

    // Every refusal, from a valid opening of each pair.
    for pair in 0..PAIRS.len() {
        let w = World::new(rng, pair);
        let base = w.open_input(T0, 1_000 * USD, 50_000);
        let ok = ref_increase(&base).expect("the base opening is valid");
        let label = w.label();
        let mut push = |note: &str, f: &dyn Fn(&mut IncIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label}: {note}"), i));
        };
        push("base 5x $1000", &|_| {});
        push("side 0", &|i| i.pos.side = 0);
        push("side 3", &|i| i.pos.side = 3);
        push("zero size", &|i| i.size_delta_usd = 0);
        push("spread + confidence = 100 %", &|i| i.market.spread_bps = 10_000);
        push("spread 99.99 %", &|i| {
            i.market.price.conf = 0;
            i.market.spread_bps = 9_999;
        });
        push("no deposit", &|i| {
            i.collateral_delta = 0;
            i.market.open_fee_bps = 6;
        });
        let fee = get(&ok, "fee_tokens") as u64;
        push("deposit one unit short of the fee", &|i| {
            i.collateral_delta = fee.saturating_sub(1);
        });
        push("max position one below", &|i| i.market.max_position_usd = i.size_delta_usd - 1);
        push("max position exact", &|i| i.market.max_position_usd = i.size_delta_usd);
        push("open interest cap one below", &|i| i.market.oi_usd = i.market.oi_cap_usd - i.size_delta_usd + 1);
        push("open interest cap exact", &|i| i.market.oi_usd = i.market.oi_cap_usd - i.size_delta_usd);
        push("open interest near u64::MAX", &|i| {
            i.market.oi_usd = u64::MAX;
            i.market.oi_cap_usd = u64::MAX;
        });
        let locked_delta = get(&ok, "locked_delta") as u64;
        push("custody cannot lock", &|i| {
            i.coll.owned = locked_delta;
            i.coll.locked = 0;
        });
        push("custody locks exactly to the buffer", &|i| {
            i.coll.owned = 10 * locked_delta;
            i.coll.locked = 9 * locked_delta - locked_delta;
        });
        push("buffer above 100 %", &|i| i.coll.buffer_bps = 10_001);
        push("min collateral above", &|i| i.market.min_collateral_usd = 1_000 * USD);
        let leverage = get(&ok, "leverage_bps_after") as u64;
        push("max leverage one below", &|i| i.market.max_leverage_bps = leverage - 1);
        push("max leverage at the floor", &|i| i.market.max_leverage_bps = leverage + 1);
        push("maintenance margin 20 %", &|i| i.market.maintenance_margin_bps = 2_000);
        push("maintenance margin 100 %", &|i| i.market.maintenance_margin_bps = 10_000);
        push("market decimals 19", &|i| i.market.decimals = 19);
        push("collateral decimals 19", &|i| i.coll.decimals = 19);
        push("zero market price", &|i| i.market.price = Q::default());
        push("zero collateral price", &|i| i.coll.price = Q { min: 0, max: 0, conf: 0 });
        push("fee shares above 100 %", &|i| {
            i.market.open_fee_bps = 10;
            i.fees = Fees { protocol_bps: 9_000, insurance_bps: 2_000 };
        });
        push("size u64::MAX", &|i| i.size_delta_usd = u64::MAX);
        push("deposit overflows the collateral", &|i| {
            i.pos.collateral_amount = u64::MAX;
            i.collateral_delta = 1;
        });
        push("borrow fee on an existing lock", &|i| {
            i.pos.locked_amount = 1_000 * locked_delta;
            i.coll.borrow_index = i.pos.borrow_index_snapshot + INDEX_ONE / 1_000;
        });
        push("borrow fee eats the deposit", &|i| {
            i.pos.locked_amount = 100_000 * locked_delta;
            i.coll.borrow_index = i.pos.borrow_index_snapshot + INDEX_ONE / 10;
        });
        push("huge price overflows the entry", &|i| {
            i.market.price = Q { min: u64::MAX / 2, max: u64::MAX, conf: 0 };
        });
    }

    // Fuzz: valid-looking inputs with edgy fields.
    for n in 0..fuzz {
        let mut w = World::new(rng, n);
        let Some((mut i, pos)) = w.open(rng, T0) else {
            continue;
        };
        i.pos = if rng.chance(50) { pos } else { i.pos };
        match rng.below(10) {
            0 => i.size_delta_usd = rng.edgy(),
            1 => i.collateral_delta = rng.edgy(),
            2 => i.market.price.conf = rng.edgy() % (1 << 40),
            3 => i.market.open_fee_bps = rng.edgy() % 100_000,
            4 => i.coll.owned = rng.edgy(),
            5 => i.coll.borrow_index = i.pos.borrow_index_snapshot + rng.edgy() % (1 << 50),
            6 => i.market.max_leverage_bps = rng.edgy(),
            7 => i.market.maintenance_margin_bps = rng.edgy() % (1 << 20),
            8 => i.pos.size_tokens = rng.edgy(),
            _ => i.market.decimals = rng.range(0, 20) as u8,
        }
        cases.push((format!("fuzz {}", w.label()), i));
    }
    cases
}

fn decrease_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, DecIn)> {
    let mut cases = Vec::new();
    let mut k = 0;
    while cases.len() < random {
        let mut w = World::new(rng, k);
        k += 1;
        let Some((_, pos)) = w.open(rng, T0) else {
            continue;
        };
        let now = later(rng, T0);
        let w2 = w.moved(price_move(rng), rng.below(INDEX_ONE / 20));
        let (size_delta, out, kind) = match rng.below(4) {
            0 => (pos.size_usd, 0, "close"),
            1 => (pos.size_usd / rng.range(2, 5), 0, "partial close"),
            2 => (0, pos.collateral_amount / rng.range(3, 20), "remove collateral"),
            _ => {
                (pos.size_usd / rng.range(2, 5), pos.collateral_amount / rng.range(5, 30), "partial close and withdraw")
            }
        };
        cases.push((
            format!("{kind} {} after {}s", w.label(), now - T0),
            DecIn {
                now,
                pos,
                size_delta_usd: size_delta,
                collateral_out: out,
                market: w2.market,
                coll: w2.coll,
                fees: w2.fees,
                impact: None,
            },
        ));
    }

    for pair in 0..PAIRS.len() {
        let mut w = World::new(rng, pair);
        w.market.open_fee_bps = 6;
        w.market.close_fee_bps = 6;
        let open = w.open_input(T0, 1_000 * USD, 50_000);
        let q = ref_increase(&open).expect("valid opening");
        let pos = opened(&open, &q);
        let long = w.side == LONG;
        let up = w.moved(10_800, INDEX_ONE / 100); // +8 %
        let down = w.moved(9_200, INDEX_ONE / 100); // −8 %
        let (win, lose) = if long { (up, down) } else { (down, up) };
        let label = w.label();
        let base = DecIn {
            now: T0 + 3_600,
            pos,
            size_delta_usd: pos.size_usd,
            collateral_out: 0,
            market: win.market,
            coll: win.coll,
            fees: w.fees,
            impact: None,
        };
        let mut push = |note: &str, f: &dyn Fn(&mut DecIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label}: {note}"), i));
        };
        push("close in profit", &|_| {});
        push("close in profit in the opening second", &|i| i.now = T0);
        push("close in profit one second later", &|i| i.now = T0 + 1);
        push("close at a loss", &|i| {
            i.market = lose.market;
            i.coll = lose.coll;
        });
        push("close at a loss in the opening second", &|i| {
            i.now = T0;
            i.market = lose.market;
            i.coll = lose.coll;
        });
        push("close half in profit, withdraw a little", &|i| {
            i.size_delta_usd = pos.size_usd / 2;
            i.collateral_out = pos.collateral_amount / 10;
        });
        push("profit capped at the lock", &|i| {
            let w3 = w.moved(if long { 30_000 } else { 100 }, 0);
            i.market = w3.market;
            i.coll = w3.coll;
        });
        push("side 0", &|i| i.pos.side = 0);
        push("nothing to do", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = 0;
        });
        push("size one above", &|i| i.size_delta_usd = pos.size_usd + 1);
        push("withdraw all collateral on a partial close", &|i| {
            i.size_delta_usd = pos.size_usd / 2;
            i.collateral_out = pos.collateral_amount;
        });
        push("withdraw below the minimum collateral", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount - pos.collateral_amount / 200;
        });
        push("withdraw past max leverage", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 2;
            i.market.max_leverage_bps = 80_000;
        });
        push("withdraw past maintenance margin", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 2;
            i.market.maintenance_margin_bps = 1_500;
        });
        push("remove collateral exactly to the leverage cap", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 3;
            i.market = lose.market;
            i.coll = lose.coll;
        });
        push("underwater full close", &|i| {
            let w3 = w.moved(if long { 7_000 } else { 13_000 }, 0);
            i.market = w3.market;
            i.coll = w3.coll;
        });
        push("underwater partial close", &|i| {
            let w3 = w.moved(if long { 7_000 } else { 13_000 }, 0);
            i.market = w3.market;
            i.coll = w3.coll;
            i.size_delta_usd = pos.size_usd / 4;
        });
        push("borrow fee makes it underwater", &|i| i.coll.borrow_index = pos.borrow_index_snapshot + INDEX_ONE * 2);
        push("spread 100 %", &|i| i.market.spread_bps = 10_000);
        push("collateral decimals 19", &|i| i.coll.decimals = 19);
        push("zero collateral price", &|i| i.coll.price = Q::default());
        push("zero market price", &|i| i.market.price = Q::default());
        push("fee shares above 100 %", &|i| i.fees = Fees { protocol_bps: 10_000, insurance_bps: 1 });
        push("borrow index overflow", &|i| {
            i.pos.locked_amount = u64::MAX;
            i.coll.borrow_index = u64::MAX;
            i.pos.borrow_index_snapshot = 0;
        });
    }

    for n in 0..fuzz {
        let mut w = World::new(rng, n);
        let Some((_, pos)) = w.open(rng, T0) else {
            continue;
        };
        let w2 = w.moved(price_move(rng), rng.below(INDEX_ONE / 10));
        let mut i = DecIn {
            now: later(rng, T0),
            pos,
            size_delta_usd: pos.size_usd / 2,
            collateral_out: 0,
            market: w2.market,
            coll: w2.coll,
            fees: w2.fees,
            impact: None,
        };
        match rng.below(8) {
            0 => i.size_delta_usd = rng.edgy() % (pos.size_usd + 2),
            1 => i.collateral_out = rng.edgy(),
            2 => i.pos.size_tokens = rng.edgy(),
            3 => i.pos.collateral_amount = rng.edgy(),
            4 => i.market.close_fee_bps = rng.edgy() % 100_000,
            5 => i.coll.price.max = rng.edgy() % (1 << 50),
            6 => i.pos.open_time = T0 + rng.below(3) as i64 * 1_000_000_000,
            _ => i.pos.locked_amount = rng.edgy(),
        }
        cases.push((format!("fuzz {}", w.label()), i));
    }
    cases
}

// ----- quotes with a price impact -----

/// Impact cases per pair in the `quote_increase` / `quote_decrease` sections, and random ones.
const IMPACT_INCREASE_PER_PAIR: usize = 17;
const IMPACT_DECREASE_PER_PAIR: usize = 20;
const IMPACT_RANDOM: usize = 60;
/// Vectors with an `impact` field (the consumers check these counts).
const IMPACT_INCREASE_CASES: usize = IMPACT_INCREASE_PER_PAIR * PAIRS.len() + IMPACT_RANDOM;
const IMPACT_DECREASE_CASES: usize = IMPACT_DECREASE_PER_PAIR * PAIRS.len() + IMPACT_RANDOM;

/// A random impact on a trade of `size`: mostly within 5 % of it, sometimes one unit, about the
/// size itself, or any width.
fn random_impact(rng: &mut Rng, size: u64) -> Imp {
    let positive = rng.chance(50);
    let usd = match rng.below(10) {
        0 => 1,
        1 => rng.edgy(),
        2 => (size as u128 + rng.below(3) as u128).saturating_sub(1).min(U64) as u64,
        _ => part(size, rng.log(1, 500)),
    };
    Imp { positive, usd }
}

fn impact_increase_cases(rng: &mut Rng, random: usize) -> Vec<(String, IncIn)> {
    let mut cases = Vec::new();
    for pair in 0..PAIRS.len() {
        let w = World::new(rng, pair);
        let base = w.open_input(T0, 1_000 * USD, 50_000);
        ref_increase(&base).expect("the base opening is valid");
        let size = base.size_delta_usd;
        let long = w.side == LONG;
        // The impact the table subtracts from the size (a long's loss, a short's gain), or adds.
        let sub = |usd: u64| Some(Imp { positive: !long, usd });
        let add = |usd: u64| Some(Imp { positive: long, usd });
        let label = w.label();
        let before = cases.len();
        let mut push = |note: &str, f: &dyn Fn(&mut IncIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label}: {note}"), i));
        };
        push("negative impact 10 bps", &|i| i.impact = Some(Imp { positive: false, usd: part(size, 10) }));
        push("positive impact 10 bps", &|i| i.impact = Some(Imp { positive: true, usd: part(size, 10) }));
        push("negative impact of 1 micro-USD", &|i| i.impact = Some(Imp { positive: false, usd: 1 }));
        push("positive impact of 1 micro-USD", &|i| i.impact = Some(Imp { positive: true, usd: 1 }));
        push("negative impact 20 % eats the collateral: liquidatable at once", &|i| {
            i.impact = Some(Imp { positive: false, usd: part(size, 2_000) })
        });
        push("positive impact 50 %", &|i| i.impact = Some(Imp { positive: true, usd: part(size, 5_000) }));
        push("impact one below the size where it is subtracted", &|i| i.impact = sub(size - 1));
        push("impact equal to the size where it is subtracted", &|i| i.impact = sub(size));
        push("impact above the size where it is subtracted", &|i| i.impact = sub(size + 1));
        push("impact equal to the size where it is added", &|i| i.impact = add(size));
        push("u64::MAX impact where it is added: S + I overflows", &|i| i.impact = add(u64::MAX));
        push("price of one unit: the impacted entry may reach zero", &|i| {
            i.market.price = Q { min: 1, max: 1, conf: 0 };
            i.impact = Some(Imp { positive: false, usd: size / 2 });
        });
        push("huge max price with an impact equal to the size: the first refusal wins", &|i| {
            i.market.price = Q { min: w.mt.price, max: u64::MAX, conf: 0 };
            i.market.spread_bps = 10;
            i.impact = sub(size);
        });
        push("spread 100 % comes before the impact", &|i| {
            i.market.spread_bps = 10_000;
            i.impact = sub(size);
        });
        push("side 0 comes before the impact", &|i| {
            i.pos.side = 0;
            i.impact = sub(size);
        });
        push("zero size comes before the impact", &|i| {
            i.size_delta_usd = 0;
            i.impact = sub(1);
        });
        push("explicit zero impact, flagged positive", &|i| i.impact = Some(Imp { positive: true, usd: 0 }));
        assert_eq!(cases.len() - before, IMPACT_INCREASE_PER_PAIR);
    }
    // Realistic opens and additions with a random impact.
    for (note, mut i) in increase_cases(rng, random, 0).into_iter().take(random) {
        let imp = random_impact(rng, i.size_delta_usd);
        i.impact = Some(imp);
        let sign = match (imp.usd, imp.positive) {
            (0, _) => "",
            (_, true) => "+",
            (_, false) => "-",
        };
        cases.push((format!("{note}, impact {sign}{}", imp.usd), i));
    }
    cases
}

fn impact_decrease_cases(rng: &mut Rng, random: usize) -> Vec<(String, DecIn)> {
    let mut cases = Vec::new();
    for pair in 0..PAIRS.len() {
        let mut w = World::new(rng, pair);
        w.market.open_fee_bps = 6;
        w.market.close_fee_bps = 6;
        let open = w.open_input(T0, 1_000 * USD, 50_000);
        let q = ref_increase(&open).expect("valid opening");
        let pos = opened(&open, &q);
        let long = w.side == LONG;
        let up = w.moved(10_800, INDEX_ONE / 100); // +8 %
        let down = w.moved(9_200, INDEX_ONE / 100); // −8 %
        let (win, lose) = if long { (up, down) } else { (down, up) };
        let size = pos.size_usd;
        let sub = |usd: u64| Some(Imp { positive: !long, usd });
        let add = |usd: u64| Some(Imp { positive: long, usd });
        let label = w.label();
        let base = DecIn {
            now: T0 + 3_600,
            pos,
            size_delta_usd: size,
            collateral_out: 0,
            market: win.market,
            coll: win.coll,
            fees: w.fees,
            impact: None,
        };
        let before = cases.len();
        let mut push = |note: &str, f: &dyn Fn(&mut DecIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label}: {note}"), i));
        };
        let at_loss = |i: &mut DecIn| {
            i.market = lose.market;
            i.coll = lose.coll;
        };
        push("close in profit, negative impact 10 bps", &|i| {
            i.impact = Some(Imp { positive: false, usd: part(size, 10) })
        });
        push("close in profit, positive impact 10 bps", &|i| {
            i.impact = Some(Imp { positive: true, usd: part(size, 10) })
        });
        push("close at a loss, negative impact 10 bps", &|i| {
            at_loss(i);
            i.impact = Some(Imp { positive: false, usd: part(size, 10) });
        });
        push("close at a loss, positive impact 10 bps", &|i| {
            at_loss(i);
            i.impact = Some(Imp { positive: true, usd: part(size, 10) });
        });
        push("partial close, negative impact of 1 micro-USD", &|i| {
            i.size_delta_usd = size / 3;
            i.impact = Some(Imp { positive: false, usd: 1 });
        });
        push("partial close, positive impact of 1 micro-USD", &|i| {
            i.size_delta_usd = size / 3;
            i.impact = Some(Imp { positive: true, usd: 1 });
        });
        push("close at a loss, negative impact 15 %: underwater", &|i| {
            at_loss(i);
            i.impact = Some(Imp { positive: false, usd: part(size, 1_500) });
        });
        push("partial close at a loss, negative impact 15 %: the rest is marked at the impacted exit", &|i| {
            at_loss(i);
            i.size_delta_usd = size / 2;
            i.impact = Some(Imp { positive: false, usd: part(size / 2, 1_500) });
        });
        push("partial close at a loss, positive impact 15 %: the rest is marked at the impacted exit", &|i| {
            at_loss(i);
            i.size_delta_usd = size / 2;
            i.impact = Some(Imp { positive: true, usd: part(size / 2, 1_500) });
        });
        push("impact one below the size where it is subtracted", &|i| i.impact = sub(size - 1));
        push("impact equal to the size where it is subtracted", &|i| i.impact = sub(size));
        push("impact above the size where it is subtracted", &|i| i.impact = sub(size + 1));
        push("impact equal to the size where it is added", &|i| i.impact = add(size));
        push("u64::MAX impact where it is added: S + I overflows", &|i| i.impact = add(u64::MAX));
        push("remove collateral with a non-zero impact: no size to shift", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 10;
            i.impact = Some(Imp { positive: false, usd: 1 });
        });
        push("remove collateral with an explicit zero impact", &|i| {
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 10;
            i.impact = Some(Imp { positive: false, usd: 0 });
        });
        push("price of one unit: the impacted exit may reach zero", &|i| {
            i.market.price = Q { min: 1, max: 1, conf: 0 };
            i.impact = Some(Imp { positive: false, usd: size / 2 });
        });
        push("side 0 comes before the impact", &|i| {
            i.pos.side = 0;
            i.impact = sub(size);
        });
        push("size above the position comes before the impact", &|i| {
            i.size_delta_usd = size + 1;
            i.impact = sub(size + 1);
        });
        push("spread 100 % comes before the impact", &|i| {
            i.market.spread_bps = 10_000;
            i.impact = sub(size);
        });
        assert_eq!(cases.len() - before, IMPACT_DECREASE_PER_PAIR);
    }
    // Realistic closes with a random impact; withdrawing collateral alone moves no size, so its
    // impact is zero (what `price_impact` gives for a zero size).
    for (note, mut i) in decrease_cases(rng, random, 0).into_iter().take(random) {
        let imp = if i.size_delta_usd == 0 { Imp::default() } else { random_impact(rng, i.size_delta_usd) };
        i.impact = Some(imp);
        let sign = match (imp.usd, imp.positive) {
            (0, _) => "",
            (_, true) => "+",
            (_, false) => "-",
        };
        cases.push((format!("{note}, impact {sign}{}", imp.usd), i));
    }
    cases
}

fn liquidatable(i: &LiqIn) -> bool {
    !matches!(ref_liquidate(i), Err("NotLiquidatable"))
}

fn liquidate_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, LiqIn)> {
    let mut cases = Vec::new();
    let mut k = 0;
    while cases.len() < random {
        let mut w = World::new(rng, k);
        k += 1;
        let Some((_, pos)) = w.open(rng, T0) else {
            continue;
        };
        let now = later(rng, T0);
        let growth = if rng.chance(80) { rng.below(INDEX_ONE / 50) } else { rng.below(INDEX_ONE) };
        let long = w.side == LONG;
        let at = |mv: u64| {
            let w2 = w.moved(mv, growth);
            LiqIn { now, pos, market: w2.market, coll: w2.coll, fees: w.fees, insurance_balance: 0 }
        };
        // Bisect for the first liquidatable price, then go a little or a lot further.
        let (mut good, mut bad) = (10_000u64, if long { 1 } else { 40_000 });
        if liquidatable(&at(good)) || !liquidatable(&at(bad)) {
            continue;
        }
        while good.abs_diff(bad) > 1 {
            let mid = (good + bad) / 2;
            if liquidatable(&at(mid)) {
                bad = mid
            } else {
                good = mid
            }
        }
        let past = match rng.below(4) {
            0 => 0,
            1 => rng.below(20),
            2 => rng.below(200),
            _ => rng.below(3_000),
        };
        let mv = if long { bad.saturating_sub(past).max(1) } else { bad + past };
        let mut i = at(mv);
        i.insurance_balance = match rng.below(3) {
            0 => 0,
            1 => pos.collateral_amount / rng.range(1, 20),
            _ => pos.collateral_amount * rng.range(1, 5),
        };
        cases.push((format!("{} {} bps past the margin after {}s", w.label(), past, now - T0), i));
        if rng.chance(25) {
            cases.push((format!("{} healthy", w.label()), at(good)));
        }
    }

    for pair in 0..PAIRS.len() {
        let mut w = World::new(rng, pair);
        w.market.maintenance_margin_bps = 100;
        w.market.close_fee_bps = 6;
        w.market.liquidation_reward_bps = 10;
        w.market.max_leverage_bps = 500_000;
        // Exact prices (no spread, width or confidence), so small moves are pure PnL.
        w.market.spread_bps = 0;
        w.market.price = Q { min: w.mt.price, max: w.mt.price, conf: 0 };
        if w.same() {
            w.coll.price = w.market.price;
        }
        let open = w.open_input(T0, 1_000 * USD, 100_000); // 10x
        let q = ref_increase(&open).expect("valid opening");
        let pos = opened(&open, &q);
        let long = w.side == LONG;
        let label = w.label();
        let at = |mv: u64| {
            let w2 = w.moved(mv, 0);
            LiqIn { now: T0 + 60, pos, market: w2.market, coll: w2.coll, fees: w.fees, insurance_balance: 1_000_000 }
        };
        let crash = at(if long { 7_000 } else { 13_000 });
        let mut push = |note: &str, base: &LiqIn, f: &dyn Fn(&mut LiqIn)| {
            let mut i = *base;
            f(&mut i);
            cases.push((format!("{label}: {note}"), i));
        };
        push("healthy at the opening price", &at(10_000), &|_| {});
        push("bad debt, insurance covers part", &crash, &|_| {});
        push("bad debt, no insurance", &crash, &|i| i.insurance_balance = 0);
        push("bad debt, ample insurance", &crash, &|i| i.insurance_balance = pos.collateral_amount * 10);
        push("bad debt in the opening second", &crash, &|i| i.now = T0);
        push("borrow fee larger than the collateral", &at(10_000), &|i| {
            i.coll.borrow_index = pos.borrow_index_snapshot + INDEX_ONE * 3
        });
        // +0.5 % on 10x is a $50 profit; a 9.44 % borrow index growth on the 10x lock takes
        // ~95 % of the collateral: equity ~ $94 < 1 % of $10,000.
        let profit_at = at(if long { 10_050 } else { 9_950 });
        let eaten = pos.borrow_index_snapshot + INDEX_ONE / 10_000 * 944;
        push("in profit, liquidated by the borrow fee", &profit_at, &|i| i.coll.borrow_index = eaten);
        push("in profit, liquidated by the borrow fee, same second", &profit_at, &|i| {
            i.now = T0;
            i.coll.borrow_index = eaten;
        });
        push("in profit, borrow fee above the collateral", &profit_at, &|i| {
            i.coll.borrow_index = eaten + INDEX_ONE / 100
        });
        push("side 3", &crash, &|i| i.pos.side = 3);
        push("no position", &crash, &|i| i.pos = Pos { side: i.pos.side, ..Pos::default() });
        push("reward above close fee + 2 mm", &crash, &|i| i.market.liquidation_reward_bps = 500);
        push("spread 100 %", &crash, &|i| i.market.spread_bps = 10_000);
        push("collateral decimals 19", &crash, &|i| i.coll.decimals = 19);
        push("zero market price", &crash, &|i| i.market.price = Q::default());
        push("zero collateral max price", &crash, &|i| {
            i.coll.price.max = 0;
            i.coll.price.min = 0;
        });
        push("borrow fee overflow", &crash, &|i| {
            i.pos.locked_amount = u64::MAX;
            i.coll.borrow_index = u64::MAX;
            i.pos.borrow_index_snapshot = 0;
        });
        push("maintenance margin 2^62", &crash, &|i| i.market.maintenance_margin_bps = 1 << 62);
        // Partial tiers: bisect the margin, then step further (only 75 % occurs, see above).
        let mut seen = [false; 3];
        let (mut good, mut bad) = (10_000u64, if long { 1 } else { 40_000 });
        while good.abs_diff(bad) > 1 {
            let mid = (good + bad) / 2;
            if liquidatable(&at(mid)) {
                bad = mid
            } else {
                good = mid
            }
        }
        for step in 0..400u64 {
            let mv = if long { bad - step } else { bad + step };
            let i = at(mv);
            if let Ok(q) = ref_liquidate(&i) {
                let f = get(&q, "fraction_bps") as usize;
                if !flag(&q, "full") && !seen[f / 2_500 - 1] {
                    seen[f / 2_500 - 1] = true;
                    cases.push((format!("{label}: partial {f} bps, {step} bps past the margin"), i));
                }
            }
        }
    }

    for n in 0..fuzz {
        let mut w = World::new(rng, n);
        let Some((_, pos)) = w.open(rng, T0) else {
            continue;
        };
        let w2 = w.moved(rng.range(5_000, 15_000), rng.below(INDEX_ONE / 10));
        let mut i = LiqIn {
            now: later(rng, T0),
            pos,
            market: w2.market,
            coll: w2.coll,
            fees: w2.fees,
            insurance_balance: rng.edgy(),
        };
        match rng.below(7) {
            0 => i.pos.size_tokens = rng.edgy(),
            1 => i.pos.collateral_amount = rng.edgy(),
            2 => i.market.maintenance_margin_bps = rng.below(5_000),
            3 => i.market.close_fee_bps = rng.below(2_000),
            4 => i.market.liquidation_reward_bps = rng.below(2_000),
            5 => i.pos.locked_amount = rng.edgy(),
            _ => i.coll.price.max = rng.edgy() % (1 << 50),
        }
        cases.push((format!("fuzz {}", w.label()), i));
    }
    cases
}

// ----- what positions owe (issue 14) -----

/// An owed amount against a position's `collateral` tokens: one unit, a small or large share,
/// about all of it, several times it, or any width.
fn random_owed(rng: &mut Rng, collateral: u64) -> u64 {
    let c = collateral.max(1_000) as u128;
    let owed = match rng.below(8) {
        0 => 1,
        1 | 2 => c * rng.range(1, 100) as u128 / 1_000,
        3 | 4 => c * rng.range(100, 1_000) as u128 / 1_000,
        5 => c + rng.range(0, 2) as u128 - 1,
        6 => c * rng.range(1_000, 5_000) as u128 / 1_000,
        _ => rng.edgy() as u128,
    };
    owed.clamp(1, U64) as u64
}

/// A position that owes: most often with no collateral left (what settlement leaves), else
/// with some.
fn owing(rng: &mut Rng, pos: Pos) -> Pos {
    let owed_tokens = random_owed(rng, pos.collateral_amount);
    let collateral_amount = if rng.chance(70) { 0 } else { pos.collateral_amount };
    Pos { collateral_amount, owed_tokens, ..pos }
}

/// Tokens of the collateral worth `usd` at the world's nominal collateral price.
fn coll_tokens(w: &World, usd: u64) -> u64 {
    to_tokens(usd as u128, w.ct.price as u128, w.ct.decimals, false).unwrap() as u64
}

fn owed_increase_cases(rng: &mut Rng, random: usize) -> Vec<(String, IncIn)> {
    let mut cases = Vec::new();
    for pair in 0..PAIRS.len() {
        let w = World::new(rng, pair);
        let open = w.open_input(T0, 1_000 * USD, 50_000);
        let pos = opened(&open, &ref_increase(&open).expect("valid opening"));
        let w2 = w.moved(10_000, INDEX_ONE / 100);
        let owed = coll_tokens(&w, 100 * USD);
        let base = IncIn {
            now: T0 + 3_600,
            pos: Pos { collateral_amount: 0, owed_tokens: owed, ..pos },
            size_delta_usd: pos.size_usd / 10,
            collateral_delta: coll_tokens(&w, 1_000 * USD),
            market: w2.market,
            coll: w2.coll,
            fees: w.fees,
            impact: None,
        };
        // The charges other than the owed: borrow fee and open fee.
        let plain = ref_increase(&IncIn { pos: Pos { owed_tokens: 0, ..base.pos }, ..base }).expect("valid increase");
        let fees = (get(&plain, "borrow_fee_tokens") + get(&plain, "fee_tokens")) as u64;
        let label = w.label();
        let mut push = |note: &str, f: &dyn Fn(&mut IncIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label} owing: {note}"), i));
        };
        push("no collateral, $100 owed, $1,000 deposited: the owed is paid first", &|_| {});
        push("collateral and a small owed amount", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = coll_tokens(&w, 5 * USD).max(1);
            i.collateral_delta = 0;
        });
        push("one unit owed", &|i| i.pos.owed_tokens = 1);
        push("the deposit covers the owed and the fees exactly: nothing left", &|i| {
            i.collateral_delta = fees + owed;
        });
        push("the deposit one unit short of the owed and the fees", &|i| {
            i.collateral_delta = fees + owed - 1;
        });
        push("more owed than the deposit", &|i| i.collateral_delta = owed / 2);
        push("what is left after the owed is too little for the leverage", &|i| {
            i.collateral_delta = fees + owed + coll_tokens(&w, 20 * USD);
        });
        push("owed u64::MAX: the charges overflow", &|i| i.pos.owed_tokens = u64::MAX);
        push("owed and a zero size: ZeroAmount first", &|i| i.size_delta_usd = 0);
        push("owed and side 3: InvalidSide first", &|i| i.pos.side = 3);
    }
    // Realistic additions to open positions that owe.
    let mut k = 0;
    while cases.len() < 10 * PAIRS.len() + random {
        let batch = increase_cases(rng, 8, 0);
        for (note, mut i) in batch {
            if i.pos.size_usd == 0 || cases.len() >= 10 * PAIRS.len() + random {
                continue;
            }
            i.pos = owing(rng, i.pos);
            if rng.chance(60) {
                // A deposit that covers the owed (or not quite).
                i.collateral_delta = i.pos.owed_tokens.saturating_add(i.collateral_delta / rng.range(1, 4));
            }
            cases.push((format!("{note}, owing {}", i.pos.owed_tokens), i));
            k += 1;
        }
    }
    debug_assert!(k == random);
    cases
}

fn owed_decrease_cases(rng: &mut Rng, random: usize) -> Vec<(String, DecIn)> {
    let mut cases = Vec::new();
    const PER_PAIR: usize = 18;
    for pair in 0..PAIRS.len() {
        let mut w = World::new(rng, pair);
        w.market.open_fee_bps = 6;
        w.market.close_fee_bps = 6;
        let open = w.open_input(T0, 1_000 * USD, 50_000);
        let pos = opened(&open, &ref_increase(&open).expect("valid opening"));
        let long = w.side == LONG;
        let up = w.moved(10_800, INDEX_ONE / 100); // +8 %
        let down = w.moved(9_200, INDEX_ONE / 100); // −8 %
        let (win, lose) = if long { (up, down) } else { (down, up) };
        let base = DecIn {
            now: T0 + 3_600,
            pos: Pos { collateral_amount: 0, owed_tokens: coll_tokens(&w, 100 * USD), ..pos },
            size_delta_usd: pos.size_usd,
            collateral_out: 0,
            market: win.market,
            coll: win.coll,
            fees: w.fees,
            impact: None,
        };
        // A full close in profit with nothing owed and no collateral: profit, fees.
        let plain = ref_decrease(&DecIn { pos: Pos { owed_tokens: 0, ..base.pos }, ..base }).expect("valid close");
        let profit_net =
            (get(&plain, "profit_tokens") - get(&plain, "borrow_fee_tokens") - get(&plain, "fee_tokens")) as u64;
        // A partial close of half with its collateral: what is available before the owed.
        let half = DecIn {
            pos: Pos { collateral_amount: pos.collateral_amount, owed_tokens: 0, ..pos },
            size_delta_usd: pos.size_usd / 2,
            ..base
        };
        let q = ref_decrease(&half).expect("valid partial close");
        let half_charges = (get(&q, "borrow_fee_tokens") + get(&q, "fee_tokens") + get(&q, "loss_tokens")) as u64;
        let small = coll_tokens(&w, 20 * USD);
        let label = w.label();
        let before = cases.len();
        let mut push = |note: &str, f: &dyn Fn(&mut DecIn)| {
            let mut i = base;
            f(&mut i);
            cases.push((format!("{label} owing: {note}"), i));
        };
        push("full close in profit, no collateral: the profit pays the owed", &|_| {});
        push("full close in profit, the owed exactly the profit left", &|i| i.pos.owed_tokens = profit_net);
        push("full close in profit, one unit more owed: underwater", &|i| i.pos.owed_tokens = profit_net + 1);
        push("full close in profit with collateral: the collateral pays the owed", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = small;
        });
        push("full close in profit, owed above the collateral: the rest from the profit", &|i| {
            i.pos.collateral_amount = small;
            i.pos.owed_tokens = 3 * small;
        });
        push("full close at a loss, no collateral: underwater", &|i| {
            i.market = lose.market;
            i.coll = lose.coll;
        });
        push("full close at a loss, the collateral pays loss and owed", &|i| {
            i.market = lose.market;
            i.coll = lose.coll;
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = small;
        });
        push("full close in profit in the opening second: no profit to pay the owed", &|i| i.now = T0);
        push("profit capped at the lock pays the owed", &|i| {
            let w3 = w.moved(if long { 30_000 } else { 100 }, 0);
            i.market = w3.market;
            i.coll = w3.coll;
        });
        push("partial close, no collateral: the profit pays the owed, nothing stays as collateral", &|i| {
            i.size_delta_usd = pos.size_usd / 2;
        });
        push("partial close, the collateral pays the owed, a little withdrawn", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = small;
            i.size_delta_usd = pos.size_usd / 2;
            i.collateral_out = small;
        });
        push("partial close, withdrawing one unit more than is left after the owed", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = small;
            i.size_delta_usd = pos.size_usd / 2;
            i.collateral_out = pos.collateral_amount - half_charges - small + 1;
        });
        push("remove collateral: the owed is taken first", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = small;
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 10;
        });
        push("remove collateral: more than what is left after the owed", &|i| {
            i.pos.collateral_amount = pos.collateral_amount;
            i.pos.owed_tokens = pos.collateral_amount - pos.collateral_amount / 20;
            i.size_delta_usd = 0;
            i.collateral_out = pos.collateral_amount / 10;
        });
        push("remove collateral, more owed than collateral: underwater", &|i| {
            i.pos.collateral_amount = small;
            i.pos.owed_tokens = 2 * small;
            i.size_delta_usd = 0;
            i.collateral_out = 1;
        });
        push("owed u64::MAX: the charges overflow", &|i| i.pos.owed_tokens = u64::MAX);
        push("owed and a size above the position: SizeTooLarge first", &|i| i.size_delta_usd = pos.size_usd + 1);
        push("owed and nothing to do: ZeroAmount first", &|i| i.size_delta_usd = 0);
        assert_eq!(cases.len() - before, PER_PAIR);
    }
    // Realistic closes and withdrawals of positions that owe.
    while cases.len() < PER_PAIR * PAIRS.len() + random {
        for (note, mut i) in decrease_cases(rng, 8, 0) {
            if cases.len() >= PER_PAIR * PAIRS.len() + random {
                break;
            }
            i.pos = owing(rng, i.pos);
            cases.push((format!("{note}, owing {}", i.pos.owed_tokens), i));
        }
    }
    cases
}

fn owed_liquidate_cases(rng: &mut Rng, random: usize) -> Vec<(String, LiqIn)> {
    let mut cases = Vec::new();
    for pair in 0..PAIRS.len() {
        let mut w = World::new(rng, pair);
        w.market.maintenance_margin_bps = 100;
        w.market.close_fee_bps = 6;
        w.market.liquidation_reward_bps = 10;
        w.market.max_leverage_bps = 500_000;
        w.market.spread_bps = 0;
        w.market.price = Q { min: w.mt.price, max: w.mt.price, conf: 0 };
        if w.same() {
            w.coll.price = w.market.price;
        }
        let open = w.open_input(T0, 1_000 * USD, 100_000); // 10x
        let pos = opened(&open, &ref_increase(&open).expect("valid opening"));
        let long = w.side == LONG;
        let label = w.label();
        let at = |mv: u64, owed: u64| {
            let w2 = w.moved(mv, 0);
            LiqIn {
                now: T0 + 60,
                pos: Pos { owed_tokens: owed, ..pos },
                market: w2.market,
                coll: w2.coll,
                fees: w.fees,
                insurance_balance: coll_tokens(&w, 100 * USD),
            }
        };
        let mut push = |note: &str, i: LiqIn| cases.push((format!("{label} owing: {note}"), i));
        // The owed that tips a healthy position (at the opening price) into liquidation.
        let healthy = |i: &LiqIn| !liquidatable(i);
        let most = largest_from_zero(pos.collateral_amount, |o| healthy(&at(10_000, o)));
        push("healthy with the most it can owe", at(10_000, most));
        push("one unit more owed: liquidatable", at(10_000, most + 1));
        // The same with the collateral's MAX price 0.5 % above its MIN: the owed is valued at the MAX.
        let wide = |o: u64| {
            let mut i = at(10_000, o);
            i.coll.price.max = i.coll.price.min / 10_000 * 10_050;
            i
        };
        let most_wide = largest_from_zero(pos.collateral_amount, |o| healthy(&wide(o)));
        push("owed valued at the collateral MAX price: the most it can owe", wide(most_wide));
        push("owed valued at the collateral MAX price: one unit more", wide(most_wide + 1));
        // A partial liquidation that pays the owed: a little past the margin with a small owed.
        let small = (pos.collateral_amount / 100).max(1);
        let margin = largest_from_zero(5_000, |d| {
            let mv = if long { 10_000 - d } else { 10_000 + d };
            healthy(&at(mv, small))
        });
        let mut partial = None;
        for step in 1..400u64 {
            let d = margin + step;
            let mv = if long { 10_000 - d.min(9_999) } else { 10_000 + d };
            if let Ok(q) = ref_liquidate(&at(mv, small)) {
                if !flag(&q, "full") {
                    partial = Some(at(mv, small));
                    break;
                }
            }
        }
        if let Some(i) = partial {
            push("partial liquidation: the owed is paid from the collateral", i);
        }
        let crash = at(if long { 7_000 } else { 13_000 }, coll_tokens(&w, 200 * USD));
        push("full liquidation at a crash: the owed written off, insurance pays part", crash);
        push(
            "full liquidation at a crash, no insurance: the pool bears the owed",
            LiqIn { insurance_balance: 0, ..crash },
        );
        push("full liquidation at a crash, ample insurance", LiqIn { insurance_balance: u64::MAX / 2, ..crash });
        let profit = at(if long { 10_050 } else { 9_950 }, 0);
        push(
            "no collateral, in profit: the profit pays the owed",
            LiqIn { pos: Pos { collateral_amount: 0, owed_tokens: coll_tokens(&w, 40 * USD), ..pos }, ..profit },
        );
        push(
            "no collateral, in profit, owed above the profit: written off",
            LiqIn { pos: Pos { collateral_amount: 0, owed_tokens: coll_tokens(&w, 900 * USD), ..pos }, ..profit },
        );
        let mut i = at(10_000, small);
        i.coll.borrow_index = pos.borrow_index_snapshot + INDEX_ONE * 3;
        push("a borrow fee above the collateral and an owed amount", i);
        push("owed u64::MAX", at(10_000, u64::MAX));
        let mut i = at(10_000, u64::MAX);
        i.coll.decimals = 19;
        push("owed u64::MAX, collateral decimals 19: InvalidDecimals", i);
        let mut i = at(10_000, u64::MAX);
        i.coll.decimals = 19;
        i.coll.borrow_index = pos.borrow_index_snapshot + INDEX_ONE * 3;
        push("owed u64::MAX plus an unpaid borrow fee: Overflow before the decimals", i);
        push("owed and side 0: InvalidSide first", LiqIn { pos: Pos { side: 0, ..crash.pos }, ..crash });
    }
    let hand = cases.len();
    while cases.len() < hand + random {
        for (note, mut i) in liquidate_cases(rng, 8, 0) {
            if cases.len() >= hand + random {
                break;
            }
            i.pos = owing(rng, i.pos);
            cases.push((format!("{note}, owing {}", i.pos.owed_tokens), i));
        }
    }
    cases
}

fn pool_pnl_cases(rng: &mut Rng, n: usize) -> Vec<PoolPnlIn> {
    let mut cases = Vec::new();
    for k in 0..n {
        let t = [SOL, BTC, ETH][k % 3];
        let oi = |rng: &mut Rng| rng.log(USD, 50_000_000 * USD);
        let tokens_at = |usd: u64, bps: u64| {
            (to_tokens(usd as u128, t.price as u128 * bps as u128 / BPS, t.decimals, false).unwrap()) as u64
        };
        let (lu, su) = (oi(rng), oi(rng));
        let mut c = PoolPnlIn {
            long_oi_usd: lu,
            long_oi_tokens: tokens_at(lu, rng.range(8_000, 12_000)),
            short_oi_usd: su,
            short_oi_tokens: tokens_at(su, rng.range(8_000, 12_000)),
            decimals: t.decimals,
            long_price: t.price + rng.below(t.price / 100),
            short_price: t.price + rng.below(t.price / 100),
            round_for_max_aum: rng.chance(50),
        };
        match k % 10 {
            0 => c.long_oi_tokens = rng.below(3),
            1 => c.short_oi_tokens = rng.below(3),
            2 => {
                c.long_oi_usd = 0;
                c.long_oi_tokens = 0;
            }
            3 => c.decimals = rng.range(17, 20) as u8,
            4 => c.long_oi_tokens = rng.edgy(),
            5 => c.short_oi_usd = rng.edgy(),
            _ => {}
        }
        cases.push(c);
    }
    cases
}

// ---------------------------------------------------------------------------------------------
// Simple sections.
// ---------------------------------------------------------------------------------------------

fn curve(rng: &mut Rng) -> Curve {
    Curve {
        base_rate: rng.pick(&[0, 0, 10_000_000, 20_000_000]),
        slope1: rng.range(0, 200_000_000),
        slope2: rng.range(0, 3_000_000_000),
        optimal_utilization_bps: rng.range(1, 9_999),
        reserve_factor_bps: rng.range(0, 5_000),
    }
}

/// The brief's worked example: optimal 80 %, slope1 4 %, slope2 75 %, base 0, reserve 10 %.
const WORKED: Curve = Curve {
    base_rate: 0,
    slope1: 40_000_000,
    slope2: 750_000_000,
    optimal_utilization_bps: 8_000,
    reserve_factor_bps: 1_000,
};

fn flat_sections(rng: &mut Rng, n: usize) -> Vec<(&'static str, Vec<Value>)> {
    let mut sections = Vec::new();

    let mut v = Vec::new();
    for k in 0..n {
        let (b, l) = match k % 4 {
            0 => (rng.edgy(), rng.edgy()),
            1 => {
                let l = rng.any_width();
                (l / rng.range(1, 5), l)
            }
            2 => (rng.below(3), rng.below(3)),
            _ => (rng.any_width(), rng.any_width()),
        };
        v.push(flat_case(json!({ "borrowed": s(b), "lendable": s(l) }), Ok(s(ref_utilization(b, l)))));
    }
    sections.push(("utilization_bps", v));

    let mut v = Vec::new();
    for u in [0, 4_000, 8_000, 9_000, 10_000] {
        v.push(flat_case(json!({ "curve": WORKED.json(), "u_bps": s(u) }), ref_borrow_rate(&WORKED, u).map(s)));
    }
    for k in 0..n {
        let mut c = curve(rng);
        let u = match k % 5 {
            0 => c.optimal_utilization_bps,
            1 => rng.range(0, 10_000),
            2 => rng.pick(&[0, 1, 9_999, 10_000]),
            3 => rng.range(10_000, 20_000),
            _ => rng.range(0, 10_000),
        };
        match k % 13 {
            0 => c.optimal_utilization_bps = 0,
            1 => c.optimal_utilization_bps = 10_000,
            2 => c.optimal_utilization_bps = 12_000,
            3 => c.slope2 = u64::MAX,
            4 => c.base_rate = u64::MAX,
            _ => {}
        }
        v.push(flat_case(json!({ "curve": c.json(), "u_bps": s(u) }), ref_borrow_rate(&c, u).map(s)));
    }
    sections.push(("borrow_rate", v));

    let mut v = Vec::new();
    for (b, u) in [(40_000_000u64, 8_000u64), (790_000_000, 10_000)] {
        v.push(flat_case(
            json!({ "borrow_rate": s(b), "u_bps": s(u), "reserve_factor_bps": s(1_000) }),
            ref_supply_rate(b, u, 1_000).map(s),
        ));
    }
    for k in 0..n {
        let (b, u, rf) = match k % 6 {
            0 => (rng.edgy(), rng.edgy(), rng.edgy()),
            1 => (rng.range(0, 3_000_000_000), rng.range(0, 10_000), 10_001),
            _ => (rng.range(0, 3_000_000_000), rng.range(0, 10_000), rng.range(0, 10_000)),
        };
        v.push(flat_case(
            json!({ "borrow_rate": s(b), "u_bps": s(u), "reserve_factor_bps": s(rf) }),
            ref_supply_rate(b, u, rf).map(s),
        ));
    }
    sections.push(("supply_rate", v));

    let mut v = Vec::new();
    for k in 0..n {
        let index = if k % 7 == 0 { rng.edgy() } else { INDEX_ONE + rng.below(INDEX_ONE) };
        let rate = if k % 5 == 0 { rng.edgy() } else { rng.range(0, 3_000_000_000) };
        let dt = if k % 6 == 0 { rng.edgy() } else { rng.log(1, 100_000_000) };
        let up = rng.chance(50);
        v.push(flat_case(
            json!({ "index": s(index), "rate": s(rate), "dt_secs": s(dt), "round_up": up }),
            ref_accrue_index(index, rate, dt, up).map(s),
        ));
    }
    sections.push(("accrue_index", v));

    let mut v = Vec::new();
    for k in 0..n {
        let lendable = rng.log(1, 1 << 50);
        let mut a = AccrualIn {
            borrow_index: INDEX_ONE + rng.below(INDEX_ONE),
            supply_index: INDEX_ONE + rng.below(INDEX_ONE / 2),
            last_accrual: T0,
            now: T0 + rng.log(1, 40_000_000) as i64,
            locked: lendable / rng.range(1, 4),
            lent: lendable / rng.range(2, 10),
            lendable,
            curve: if k % 4 == 0 { WORKED } else { curve(rng) },
        };
        match k % 11 {
            0 => a.now = a.last_accrual,
            1 => a.now = a.last_accrual - rng.range(1, 1_000) as i64,
            2 => (a.last_accrual, a.now) = (i64::MIN, i64::MAX),
            3 => a.locked = u64::MAX,
            4 => a.lendable = 0,
            5 => {
                // No kink and nothing borrowed: the rate divides by a zero optimum.
                a.curve.optimal_utilization_bps = 0;
                (a.locked, a.lent) = (0, 0);
            }
            6 => a.borrow_index = u64::MAX - rng.below(1_000_000),
            _ => {}
        }
        let input = a.json();
        let out = ref_accrue(&a).map(|q| out_json(&q));
        v.push(flat_case(json!({ "input": input }), out));
    }
    sections.push(("accrue", v));

    let quote_of = |rng: &mut Rng, k: usize| -> Q {
        let t = [SOL, BTC, ETH, USDC][k % 4];
        let max = t.price + rng.below(t.price / 500 + 1);
        match k % 9 {
            0 => Q { min: t.price, max: 0, conf: 0 },
            1 => Q { min: rng.edgy(), max: rng.edgy(), conf: rng.edgy() },
            2 => Q { min: t.price, max, conf: max / rng.range(1, 3) },
            _ => Q { min: t.price, max, conf: max / 10_000 * rng.below(30) },
        }
    };

    let mut v = Vec::new();
    for k in 0..n {
        let q = quote_of(rng, k);
        let spread = if k % 8 == 7 { rng.edgy() } else { rng.below(100) };
        v.push(flat_case(json!({ "spread_bps": s(spread), "price": q.json() }), ref_spread(spread, &q).map(s)));
    }
    sections.push(("trade_spread_bps", v));

    for (name, entry) in [("entry_price", true), ("exit_price", false)] {
        let mut v = Vec::new();
        // A price so large that widening it by the spread overflows (long entry, short exit).
        let huge = Q { min: u64::MAX, max: u64::MAX, conf: 0 };
        for side in [LONG, SHORT] {
            v.push(flat_case(
                json!({ "side": side, "price": huge.json(), "spread_bps": s(10) }),
                ref_price_fn(side, &huge, 10, entry).map(s),
            ));
        }
        for k in 0..n {
            let q = quote_of(rng, k);
            let side = if k % 11 == 10 { rng.pick(&[0u8, 3, 255]) } else { [LONG, SHORT][k % 2] };
            let spread = if k % 13 == 12 { 10_000 } else { rng.below(50) };
            v.push(flat_case(
                json!({ "side": side, "price": q.json(), "spread_bps": s(spread) }),
                ref_price_fn(side, &q, spread, entry).map(s),
            ));
        }
        sections.push((name, v));
    }

    let mut v = Vec::new();
    for k in 0..n {
        let t = [SOL, BTC, ETH, USDC][k % 4];
        let side = if k % 17 == 16 { 0 } else { [LONG, SHORT][k % 2] };
        let usd = if k % 9 == 0 { rng.edgy() } else { rng.log(1, 10_000_000 * USD) };
        let price = if k % 10 == 0 { rng.pick(&[0, 1, u64::MAX]) } else { t.price + rng.below(t.price / 100) };
        let decimals = if k % 23 == 22 { 19 } else { t.decimals };
        let out = side_long(side).and_then(|long| ref_size_tokens(long, usd as u128, price as u128, decimals)).map(s);
        v.push(flat_case(json!({ "side": side, "size_usd": s(usd), "price": s(price), "decimals": decimals }), out));
    }
    sections.push(("size_tokens", v));

    let mut v = Vec::new();
    for k in 0..n {
        let t = [SOL, BTC, ETH][k % 3];
        let side = if k % 19 == 18 { 7 } else { [LONG, SHORT][k % 2] };
        let size = rng.log(USD, 5_000_000 * USD);
        let tokens = to_tokens(size as u128, t.price as u128, t.decimals, k % 2 == 1).unwrap() as u64;
        let exit = match k % 8 {
            0 => t.price,
            1 => 0,
            2 => rng.edgy(),
            _ => (t.price as u128 * rng.range(5_000, 15_000) as u128 / BPS) as u64,
        };
        let decimals = if k % 29 == 28 { 20 } else { t.decimals };
        let out = side_long(side)
            .and_then(|long| ref_pnl(long, size as u128, tokens as u128, exit as u128, decimals))
            .map(|p| json!({ "profit": p > 0, "usd": s(p.unsigned_abs()) }));
        v.push(flat_case(json!({ "side": side, "size_usd": s(size), "size_tokens": s(tokens), "exit_price": s(exit), "decimals": decimals }), out));
    }
    sections.push(("pnl", v));

    let mut v = Vec::new();
    for k in 0..n {
        let t = [SOL, BTC, ETH, USDC][k % 4];
        let size = rng.log(1, 5_000_000 * USD);
        let tokens = match k % 7 {
            0 => 0,
            1 => rng.below(3),
            2 => rng.edgy(),
            _ => to_tokens(size as u128, t.price as u128 * rng.range(9_000, 11_000) as u128 / BPS, t.decimals, false)
                .unwrap() as u64,
        };
        let decimals = if k % 13 == 12 { 19 } else { t.decimals };
        v.push(flat_case(
            json!({ "size_usd": s(size), "size_tokens": s(tokens), "decimals": decimals }),
            ref_average_price(size as u128, tokens as u128, decimals).map(s),
        ));
    }
    sections.push(("average_price", v));

    let mut v = Vec::new();
    v.push(flat_case(
        json!({ "locked": s(u64::MAX), "index_now": s(u64::MAX), "index_snapshot": s(0) }),
        ref_borrow_fee(u64::MAX, u64::MAX, 0).map(s),
    ));
    for k in 0..n {
        let locked = if k % 5 == 0 { rng.edgy() } else { rng.log(1, 1 << 50) };
        let snapshot = INDEX_ONE + rng.below(INDEX_ONE);
        let now = match k % 6 {
            0 => snapshot,
            1 => snapshot - rng.below(1_000),
            2 => rng.edgy(),
            _ => snapshot + rng.log(1, INDEX_ONE),
        };
        v.push(flat_case(
            json!({ "locked": s(locked), "index_now": s(now), "index_snapshot": s(snapshot) }),
            ref_borrow_fee(locked, now, snapshot).map(s),
        ));
    }
    sections.push(("borrow_fee_tokens", v));

    let v = pool_pnl_cases(rng, n)
        .into_iter()
        .map(|c| flat_case(json!({ "input": c.json() }), ref_pool_pnl(&c).map(|q| out_json(&q))))
        .collect();
    sections.push(("pool_pnl", v));
    sections
}

// ---------------------------------------------------------------------------------------------
// The file.
// ---------------------------------------------------------------------------------------------

const SIMPLE: usize = 90;
const QUOTES: usize = 110;
const FUZZ: usize = 30;
/// Random cases of positions that owe per quote section, after the hand-picked ones.
const OWED_RANDOM: usize = 70;
/// Vectors of positions that owe per quote section (the consumers check these counts).
const OWED_INCREASE_CASES: usize = 150;
const OWED_DECREASE_CASES: usize = 214;
const OWED_LIQUIDATE_CASES: usize = 190;

fn build() -> Vec<(&'static str, Vec<Value>)> {
    let mut rng = Rng(0x005E_ED0F_9051_7104);
    let mut sections = flat_sections(&mut rng, SIMPLE);
    // The impact cases follow each section's earlier cases, from their own stream so that those
    // stay as they were.
    let mut impact_rng = Rng(0x1A9A_C7ED_0000_0002);
    // The cases of positions that owe (issue 14) come last, from a stream of their own too.
    let mut owed_rng = Rng(0x0BED_0000_0000_0014);
    sections.push((
        "quote_increase",
        increase_cases(&mut rng, QUOTES, FUZZ)
            .into_iter()
            .chain(impact_increase_cases(&mut impact_rng, IMPACT_RANDOM))
            .chain(owed_increase_cases(&mut owed_rng, OWED_RANDOM))
            .map(|(note, i)| quote_case(&note, i.json(), &ref_increase(&i)))
            .collect(),
    ));
    sections.push((
        "quote_decrease",
        decrease_cases(&mut rng, QUOTES, FUZZ)
            .into_iter()
            .chain(impact_decrease_cases(&mut impact_rng, IMPACT_RANDOM))
            .chain(owed_decrease_cases(&mut owed_rng, OWED_RANDOM))
            .map(|(note, i)| quote_case(&note, i.json(), &ref_decrease(&i)))
            .collect(),
    ));
    sections.push((
        "quote_liquidate",
        liquidate_cases(&mut rng, QUOTES, FUZZ)
            .into_iter()
            .chain(owed_liquidate_cases(&mut owed_rng, OWED_RANDOM))
            .map(|(note, i)| quote_case(&note, i.json(), &ref_liquidate(&i)))
            .collect(),
    ));
    // decrease_impact over the decrease cases with an impact, from a stream of its own.
    let mut scaled_rng = Rng(0xDEC0_1A9A_C700_0003);
    sections.push((
        "decrease_impact",
        impact_decrease_cases(&mut scaled_rng, IMPACT_RANDOM)
            .into_iter()
            .map(|(note, i)| quote_case(&note, i.json(), &ref_decrease_impact(&i)))
            .collect(),
    ));
    sections
}

/// Counts the vectors with an `impact` field, the non-zero ones quoted by side and sign, and
/// the refusals; checks every quoted non-zero impact moved `price` off the unimpacted one.
fn impact_shapes(list: &[Value], price: &str) -> BTreeMap<String, usize> {
    let mut shapes = BTreeMap::new();
    for v in list {
        let x = &v["input"];
        let Some(imp) = x.get("impact") else {
            continue;
        };
        let mut add = |k: String| *shapes.entry(k).or_insert(0) += 1;
        add("with impact".into());
        if v["err"] == json!("PriceImpactTooLarge") {
            add("PriceImpactTooLarge".into());
        }
        if imp["usd"] == json!("0") || v["out"].is_null() {
            continue;
        }
        let side = x["pos"]["side"].as_u64().unwrap();
        add(format!("side {side} positive {} ok", imp["positive"]));
        let mut plain = x.clone();
        plain.as_object_mut().unwrap().remove("impact");
        let unimpacted = if price == "entry_price" { plain_price(&plain, true) } else { plain_price(&plain, false) };
        if v["out"][price] != json!(unimpacted.to_string()) {
            add("price moved".into());
        }
    }
    shapes
}

/// The quote's entry (or exit) price with no impact, from the reference.
fn plain_price(x: &Value, entry: bool) -> u128 {
    let n = |v: &Value, k: &str| v[k].as_str().unwrap().parse::<u64>().unwrap();
    let q = &x["market"]["price"];
    let q = Q { min: n(q, "min"), max: n(q, "max"), conf: n(q, "conf") };
    let side = x["pos"]["side"].as_u64().unwrap() as u8;
    ref_price_fn(side, &q, n(&x["market"], "spread_bps"), entry).unwrap()
}

/// Counts the vectors of positions that owe (`pos.owed_tokens`) by outcome.
fn owed_shapes(name: &str, list: &[Value]) -> BTreeMap<String, usize> {
    let mut shapes = BTreeMap::new();
    for v in list {
        let pos = &v["input"]["pos"];
        let Some(owed) = pos.get("owed_tokens") else {
            continue;
        };
        let mut add = |k: &str| *shapes.entry(k.to_string()).or_insert(0) += 1;
        add("owing");
        let out = &v["out"];
        if out.is_null() {
            add(&format!("owing: {}", v["err"].as_str().unwrap()));
            continue;
        }
        add("owing: ok");
        let n = |k: &str| out[k].as_str().unwrap().parse::<u128>().unwrap();
        let owed: u128 = owed.as_str().unwrap().parse().unwrap();
        let no_collateral = pos["collateral_amount"] == "0";
        match name {
            "quote_decrease" => {
                if no_collateral && n("owed_paid") == owed {
                    add("owing: paid from the profit");
                }
                if out["full_close"] == true {
                    add("owing: full close");
                }
            }
            "quote_liquidate" => {
                if out["full"] == false {
                    add("owing: partial");
                }
                if n("owed_written_off") > 0 {
                    add("owing: written off");
                    if n("pool_loss") > 0 {
                        add("owing: the pool bears bad debt");
                    }
                    if n("insurance_used") > 0 {
                        add("owing: insurance pays bad debt");
                    }
                } else if n("owed_paid") == owed {
                    add("owing: paid in full");
                }
                if no_collateral && out["pnl_profit"] == true && n("owed_paid") > 0 {
                    add("owing: the profit pays");
                }
            }
            _ => {}
        }
    }
    shapes
}

/// Counts liquidation shapes: partial tiers, bad debt, insurance, keeper paid by the pool.
fn liquidation_shapes(list: &[Value]) -> BTreeMap<&'static str, usize> {
    let mut shapes = BTreeMap::new();
    for v in list {
        let out = &v["out"];
        if out.is_null() {
            continue;
        }
        let n = |k: &str| out[k].as_str().unwrap().parse::<u128>().unwrap();
        let mut add = |k: &'static str| *shapes.entry(k).or_insert(0) += 1;
        if out["full"].as_bool().unwrap() {
            add("full");
        } else {
            add(match n("fraction_bps") {
                2_500 => "partial 25%",
                5_000 => "partial 50%",
                _ => "partial 75%",
            });
        }
        if n("pool_loss") > 0 {
            add("pool loss");
        }
        if n("insurance_used") > 0 {
            add("insurance used");
        }
        if n("reward_from_pool") > 0 {
            add("reward from pool");
        }
        if n("reward_from_insurance") > 0 {
            add("reward from insurance");
        }
        if n("owner_out") > 0 {
            add("owner paid");
        }
        if out["pnl_profit"].as_bool().unwrap() {
            add("in profit");
        }
    }
    shapes
}

#[test]
fn generate_position_vectors() {
    let sections = build();
    let find = |name: &str| &sections.iter().find(|(n, _)| *n == name).unwrap().1;
    for (name, list) in &sections {
        if !name.starts_with("quote_") {
            tally(name, list, 0, &[]);
        }
    }
    tally("borrow_rate", find("borrow_rate"), 0, &["ok", "Overflow", "DivideByZero", "Underflow"]);
    tally("supply_rate", find("supply_rate"), 0, &["ok", "Overflow", "Underflow"]);
    tally("accrue", find("accrue"), 0, &["ok", "Overflow", "DivideByZero"]);
    tally("entry_price", find("entry_price"), 0, &["ok", "InvalidSide", "InvalidSpread", "DivideByZero", "Overflow"]);
    tally("exit_price", find("exit_price"), 0, &["ok", "InvalidSide", "InvalidSpread", "DivideByZero", "Overflow"]);
    tally("pnl", find("pnl"), 0, &["ok", "InvalidSide", "InvalidDecimals"]);
    tally("borrow_fee_tokens", find("borrow_fee_tokens"), 0, &["ok", "Overflow"]);
    tally("pool_pnl", find("pool_pnl"), 0, &["ok", "InvalidDecimals", "Overflow"]);
    tally(
        "quote_increase",
        find("quote_increase"),
        0,
        &[
            "ok",
            "InvalidSide",
            "ZeroAmount",
            "InvalidSpread",
            "InsufficientCollateral",
            "PositionTooLarge",
            "OpenInterestCap",
            "InsufficientLiquidity",
            "CollateralTooSmall",
            "LeverageTooHigh",
            "WouldBeLiquidatable",
            "Overflow",
            "Underflow",
            "InvalidDecimals",
            "DivideByZero",
            "PriceImpactTooLarge",
            "InvalidPrice",
        ],
    );
    tally(
        "quote_decrease",
        find("quote_decrease"),
        0,
        &[
            "ok",
            "InvalidSide",
            "ZeroAmount",
            "SizeTooLarge",
            "InsufficientCollateral",
            "CollateralTooSmall",
            "LeverageTooHigh",
            "WouldBeLiquidatable",
            "PositionUnderwater",
            "InvalidSpread",
            "InvalidDecimals",
            "DivideByZero",
            "Overflow",
            "Underflow",
            "PriceImpactTooLarge",
            "InvalidPrice",
        ],
    );
    tally(
        "quote_liquidate",
        find("quote_liquidate"),
        0,
        &["ok", "NotLiquidatable", "InvalidSide", "InvalidSpread", "InvalidDecimals", "DivideByZero", "Overflow"],
    );
    for (name, expected, price) in [
        ("quote_increase", IMPACT_INCREASE_CASES, "entry_price"),
        ("quote_decrease", IMPACT_DECREASE_CASES, "exit_price"),
    ] {
        let shifted = impact_shapes(find(name), price);
        eprintln!("{name} with an impact: {shifted:?}");
        assert_eq!(shifted["with impact"], expected, "{name}: impact cases");
        for side in [LONG, SHORT] {
            for positive in [false, true] {
                let key = format!("side {side} positive {positive} ok");
                assert!(shifted.get(&key).is_some_and(|&n| n >= 10), "{name}: too few {key}");
            }
        }
        // An increase refuses an impact at or above its size; a decrease scales its impact to
        // the closed tokens and keeps it below the size, so only a size-0 decrease (removing
        // collateral) with an impact is refused, once per pair.
        let refusals = if name == "quote_increase" { 2 * PAIRS.len() } else { PAIRS.len() };
        assert!(shifted["PriceImpactTooLarge"] >= refusals, "{name}: refusals");
        let quoted: usize = shifted.iter().filter(|(k, _)| k.ends_with(" ok")).map(|(_, n)| n).sum();
        assert!(shifted["price moved"] * 10 >= quoted * 9, "{name}: impacts that moved no price");
    }
    for (name, required) in [
        (
            "quote_increase",
            &[
                "owing: ok",
                "owing: InsufficientCollateral",
                "owing: Overflow",
                "owing: CollateralTooSmall",
                "owing: LeverageTooHigh",
            ][..],
        ),
        (
            "quote_decrease",
            &[
                "owing: ok",
                "owing: PositionUnderwater",
                "owing: InsufficientCollateral",
                "owing: CollateralTooSmall",
                "owing: Overflow",
                "owing: paid from the profit",
                "owing: full close",
            ][..],
        ),
        (
            "quote_liquidate",
            &[
                "owing: ok",
                "owing: NotLiquidatable",
                "owing: Overflow",
                "owing: InvalidDecimals",
                "owing: partial",
                "owing: written off",
                "owing: the pool bears bad debt",
                "owing: insurance pays bad debt",
                "owing: paid in full",
                "owing: the profit pays",
            ][..],
        ),
    ] {
        let shapes = owed_shapes(name, find(name));
        eprintln!("{name} owing: {shapes:?}");
        let cases = match name {
            "quote_increase" => OWED_INCREASE_CASES,
            "quote_decrease" => OWED_DECREASE_CASES,
            _ => OWED_LIQUIDATE_CASES,
        };
        assert_eq!(shapes["owing"], cases, "{name}: vectors that owe");
        for r in required {
            assert!(shapes.contains_key(*r), "{name}: no vector with {r}: {shapes:?}");
        }
    }
    let shapes = liquidation_shapes(find("quote_liquidate"));
    eprintln!("liquidation shapes: {shapes:?}");
    // With the target at 2 × maintenance margin, an unhealthy position (10_000·E < mm·S) needs
    // f = (2mm·S − 10_000·E) / (S·(2mm − c)) > mm / (2mm − c) >= 50 %: only the 75 % tier and
    // full liquidations can occur (the 25 % / 50 % tiers are unit-tested in the program).
    for shape in [
        "full",
        "partial 75%",
        "pool loss",
        "insurance used",
        "reward from pool",
        "reward from insurance",
        "owner paid",
        "in profit",
    ] {
        assert!(shapes.contains_key(shape), "no liquidation vector with {shape}");
    }

    write_or_check(
        "position.json",
        concat!(
            "Shared interest- and position-math vectors: integers are decimal strings (decimals and side are JSON numbers, ",
            "flags booleans); exactly one of out/err is non-null; err is a PositionError or MathError variant name. Sections with an ",
            "input object hold the Rust struct field names (nested: pos, market, coll, fees, price, curve); quote sections hold ",
            "{note, input, out, err}; quote_increase / quote_decrease inputs may hold impact {positive, usd} (absent: zero). ",
            "Generated by programs/perpool/tests/gen_position_vectors.rs from u128/i128 references; checked by ",
            "programs/perpool/tests/position_vectors.rs and sdk/tests/position-math.test.ts."
        ),
        &sections,
    );
}

// ---------------------------------------------------------------------------------------------
// The library against the reference on many more cases than the file holds.
// ---------------------------------------------------------------------------------------------

mod library {
    use super::*;
    use perpool_core::math::{self, PositionError, Price};

    pub fn name(e: PositionError) -> &'static str {
        use PositionError::*;
        match e {
            Math(m) => math_name(m),
            InvalidSide => "InvalidSide",
            InvalidSpread => "InvalidSpread",
            ZeroAmount => "ZeroAmount",
            InsufficientCollateral => "InsufficientCollateral",
            PositionTooLarge => "PositionTooLarge",
            OpenInterestCap => "OpenInterestCap",
            InsufficientLiquidity => "InsufficientLiquidity",
            CollateralTooSmall => "CollateralTooSmall",
            LeverageTooHigh => "LeverageTooHigh",
            WouldBeLiquidatable => "WouldBeLiquidatable",
            SizeTooLarge => "SizeTooLarge",
            PositionUnderwater => "PositionUnderwater",
            NotLiquidatable => "NotLiquidatable",
            PriceImpactTooLarge => "PriceImpactTooLarge",
        }
    }

    fn q(p: &Q) -> math::PriceQuote {
        math::PriceQuote { min: Price(p.min), max: Price(p.max), conf: p.conf }
    }
    fn pos(p: &Pos) -> math::PositionState {
        math::PositionState {
            side: p.side,
            open_time: p.open_time,
            size_usd: p.size_usd,
            size_tokens: p.size_tokens,
            collateral_amount: p.collateral_amount,
            locked_amount: p.locked_amount,
            borrow_index_snapshot: p.borrow_index_snapshot,
            owed_tokens: p.owed_tokens,
        }
    }
    fn market(m: &Market) -> math::MarketSide {
        math::MarketSide {
            decimals: m.decimals,
            price: q(&m.price),
            spread_bps: m.spread_bps,
            open_fee_bps: m.open_fee_bps,
            close_fee_bps: m.close_fee_bps,
            max_leverage_bps: m.max_leverage_bps,
            max_position_usd: m.max_position_usd,
            oi_usd: m.oi_usd,
            oi_cap_usd: m.oi_cap_usd,
            min_collateral_usd: m.min_collateral_usd,
            maintenance_margin_bps: m.maintenance_margin_bps,
            liquidation_reward_bps: m.liquidation_reward_bps,
        }
    }
    fn coll(c: &Coll) -> math::CollateralSide {
        math::CollateralSide {
            decimals: c.decimals,
            price: q(&c.price),
            borrow_index: c.borrow_index,
            owned: c.owned,
            locked: c.locked,
            buffer_bps: c.buffer_bps,
        }
    }
    fn fees(f: &Fees) -> math::FeeShares {
        math::FeeShares { protocol_bps: f.protocol_bps, insurance_bps: f.insurance_bps }
    }
    pub fn curve(c: &Curve) -> math::RateCurve {
        math::RateCurve {
            base_rate: c.base_rate,
            slope1: c.slope1,
            slope2: c.slope2,
            optimal_utilization_bps: c.optimal_utilization_bps,
            reserve_factor_bps: c.reserve_factor_bps,
        }
    }

    fn impact(i: Option<Imp>) -> math::Impact {
        i.map_or(math::Impact::default(), |x| math::Impact { positive: x.positive, usd: x.usd })
    }

    pub fn increase(i: &IncIn) -> R<Quote> {
        let r = math::quote_increase(&math::IncreaseInput {
            now: i.now,
            pos: pos(&i.pos),
            size_delta_usd: i.size_delta_usd,
            collateral_delta: i.collateral_delta,
            market: market(&i.market),
            coll: coll(&i.coll),
            fees: fees(&i.fees),
            impact: impact(i.impact),
        })
        .map_err(name)?;
        Ok(vec![
            ("entry_price", u(r.entry_price.0)),
            ("size_tokens_delta", u(r.size_tokens_delta)),
            ("fee_usd", u(r.fee_usd)),
            ("fee_tokens", u(r.fee_tokens)),
            ("borrow_fee_tokens", u(r.borrow_fee_tokens)),
            ("owed_paid", u(r.owed_paid)),
            ("collateral_after", u(r.collateral_after)),
            ("locked_delta", u(r.locked_delta)),
            ("size_usd_after", u(r.size_usd_after)),
            ("size_tokens_after", u(r.size_tokens_after)),
            ("average_price_after", u(r.average_price_after.0)),
            ("leverage_bps_after", u(r.leverage_bps_after)),
            ("lp_fee", u(r.lp_fee)),
            ("protocol_fee", u(r.protocol_fee)),
            ("insurance_fee", u(r.insurance_fee)),
        ])
    }

    pub fn decrease_impact(i: &DecIn) -> R<Quote> {
        let r = math::decrease_impact(&math::DecreaseImpactInput {
            pos: pos(&i.pos),
            size_delta_usd: i.size_delta_usd,
            market: market(&i.market),
            impact: impact(i.impact),
        })
        .map_err(name)?;
        Ok(vec![("positive", B(r.positive)), ("usd", U(r.usd as u128))])
    }

    pub fn decrease(i: &DecIn) -> R<Quote> {
        let r = math::quote_decrease(&math::DecreaseInput {
            now: i.now,
            pos: pos(&i.pos),
            size_delta_usd: i.size_delta_usd,
            collateral_out: i.collateral_out,
            market: market(&i.market),
            coll: coll(&i.coll),
            fees: fees(&i.fees),
            impact: impact(i.impact),
        })
        .map_err(name)?;
        Ok(vec![
            ("exit_price", u(r.exit_price.0)),
            ("closed_tokens", u(r.closed_tokens)),
            ("pnl_profit", B(r.pnl_profit)),
            ("pnl_usd", u(r.pnl_usd)),
            ("profit_tokens", u(r.profit_tokens)),
            ("loss_tokens", u(r.loss_tokens)),
            ("fee_usd", u(r.fee_usd)),
            ("fee_tokens", u(r.fee_tokens)),
            ("borrow_fee_tokens", u(r.borrow_fee_tokens)),
            ("owed_paid", u(r.owed_paid)),
            ("locked_released", u(r.locked_released)),
            ("amount_out", u(r.amount_out)),
            ("collateral_after", u(r.collateral_after)),
            ("size_usd_after", u(r.size_usd_after)),
            ("size_tokens_after", u(r.size_tokens_after)),
            ("full_close", B(r.full_close)),
            ("lp_fee", u(r.lp_fee)),
            ("protocol_fee", u(r.protocol_fee)),
            ("insurance_fee", u(r.insurance_fee)),
        ])
    }

    pub fn liquidate(i: &LiqIn) -> R<Quote> {
        let r = math::quote_liquidate(&math::LiquidateInput {
            now: i.now,
            pos: pos(&i.pos),
            market: market(&i.market),
            coll: coll(&i.coll),
            fees: fees(&i.fees),
            insurance_balance: i.insurance_balance,
        })
        .map_err(name)?;
        Ok(vec![
            ("full", B(r.full)),
            ("fraction_bps", u(r.fraction_bps)),
            ("size_delta_usd", u(r.size_delta_usd)),
            ("exit_price", u(r.exit_price.0)),
            ("closed_tokens", u(r.closed_tokens)),
            ("pnl_profit", B(r.pnl_profit)),
            ("pnl_usd", u(r.pnl_usd)),
            ("profit_tokens", u(r.profit_tokens)),
            ("loss_tokens", u(r.loss_tokens)),
            ("fee_tokens", u(r.fee_tokens)),
            ("borrow_fee_tokens", u(r.borrow_fee_tokens)),
            ("owed_paid", u(r.owed_paid)),
            ("owed_written_off", u(r.owed_written_off)),
            ("reward_tokens", u(r.reward_tokens)),
            ("reward_from_insurance", u(r.reward_from_insurance)),
            ("reward_from_pool", u(r.reward_from_pool)),
            ("insurance_used", u(r.insurance_used)),
            ("pool_loss", u(r.pool_loss)),
            ("owner_out", u(r.owner_out)),
            ("collateral_after", u(r.collateral_after)),
            ("locked_released", u(r.locked_released)),
            ("size_usd_after", u(r.size_usd_after)),
            ("size_tokens_after", u(r.size_tokens_after)),
            ("lp_fee", u(r.lp_fee)),
            ("protocol_fee", u(r.protocol_fee)),
            ("insurance_fee", u(r.insurance_fee)),
        ])
    }

    pub fn accrue(a: &AccrualIn) -> R<Quote> {
        let r = math::accrue(&math::AccrualInput {
            borrow_index: a.borrow_index,
            supply_index: a.supply_index,
            last_accrual: a.last_accrual,
            now: a.now,
            locked: a.locked,
            lent: a.lent,
            lendable: a.lendable,
            curve: curve(&a.curve),
        })
        .map_err(math_name)?;
        Ok(vec![
            ("borrow_index", u(r.borrow_index)),
            ("supply_index", u(r.supply_index)),
            ("borrow_rate", u(r.borrow_rate)),
            ("supply_rate", u(r.supply_rate)),
            ("utilization_bps", u(r.utilization_bps)),
        ])
    }

    pub fn pool_pnl(i: &PoolPnlIn) -> R<Quote> {
        let r = math::pool_pnl(&math::PoolPnlInput {
            long_oi_usd: i.long_oi_usd,
            long_oi_tokens: i.long_oi_tokens,
            short_oi_usd: i.short_oi_usd,
            short_oi_tokens: i.short_oi_tokens,
            decimals: i.decimals,
            long_price: Price(i.long_price),
            short_price: Price(i.short_price),
            round_for_max_aum: i.round_for_max_aum,
        })
        .map_err(math_name)?;
        Ok(vec![("profit", B(r.profit)), ("usd", U(r.usd as u128))])
    }
}

#[test]
fn library_matches_reference_on_random_positions() {
    let mut rng = Rng(0x0DD_BA11_CAFE_F00D);
    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut count = |r: &R<Quote>| *outcomes.entry(r.as_ref().err().copied().unwrap_or("ok")).or_default() += 1;
    for (note, i) in increase_cases(&mut rng, 3_000, 1_000) {
        let expected = ref_increase(&i);
        assert_eq!(library::increase(&i), expected, "increase ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in decrease_cases(&mut rng, 3_000, 1_000) {
        let expected = ref_decrease(&i);
        assert_eq!(library::decrease(&i), expected, "decrease ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in impact_increase_cases(&mut rng, 3_000) {
        let expected = ref_increase(&i);
        assert_eq!(library::increase(&i), expected, "increase ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in impact_decrease_cases(&mut rng, 3_000) {
        let expected = ref_decrease(&i);
        assert_eq!(library::decrease(&i), expected, "decrease ({note}): {i:?}");
        count(&expected);
        assert_eq!(library::decrease_impact(&i), ref_decrease_impact(&i), "decrease_impact ({note}): {i:?}");
    }
    for (note, i) in owed_increase_cases(&mut rng, 3_000) {
        let expected = ref_increase(&i);
        assert_eq!(library::increase(&i), expected, "increase ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in owed_decrease_cases(&mut rng, 3_000) {
        let expected = ref_decrease(&i);
        assert_eq!(library::decrease(&i), expected, "decrease ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in owed_liquidate_cases(&mut rng, 3_000) {
        let expected = ref_liquidate(&i);
        assert_eq!(library::liquidate(&i), expected, "liquidate ({note}): {i:?}");
        count(&expected);
    }
    for (note, i) in liquidate_cases(&mut rng, 3_000, 1_000) {
        let expected = ref_liquidate(&i);
        assert_eq!(library::liquidate(&i), expected, "liquidate ({note}): {i:?}");
        count(&expected);
    }
    for _ in 0..20_000 {
        let mut a = AccrualIn {
            borrow_index: rng.edgy(),
            supply_index: rng.edgy(),
            last_accrual: rng.next() as i64,
            now: rng.next() as i64,
            locked: rng.edgy(),
            lent: rng.edgy(),
            lendable: rng.edgy(),
            curve: Curve {
                base_rate: rng.edgy(),
                slope1: rng.edgy(),
                slope2: rng.edgy(),
                optimal_utilization_bps: rng.edgy() % 12_000,
                reserve_factor_bps: rng.edgy() % 12_000,
            },
        };
        if rng.chance(50) {
            a.now = a.last_accrual.saturating_add(rng.log(1, 100_000_000) as i64);
            a.borrow_index = INDEX_ONE + rng.below(INDEX_ONE);
        }
        assert_eq!(library::accrue(&a), ref_accrue(&a), "{a:?}");
    }
    for c in pool_pnl_cases(&mut rng, 20_000) {
        assert_eq!(library::pool_pnl(&c), ref_pool_pnl(&c), "{c:?}");
    }
    eprintln!("quote outcomes: {outcomes:?}");
}
