//! Generator of the shared carry-math vectors, `tests/vectors/carry.json` (issue 14: what
//! positions owe and earn over time, and the per-custody aggregates the pool value counts).
//!
//! Expected results come from the reference implementation below: straightforward `u128` /
//! `i128` arithmetic written from the doc comments of `math/carry.rs` and
//! `math/funding.rs::funding_shares` (the error order they document), independent of the
//! program's limb-based math — nothing here calls `perpool_core::math` to compute an expected value.
//! `carry_vectors.rs` (Rust) and `sdk/tests/carry-math.test.ts` (TypeScript) check both
//! implementations against the file. Regenerate with
//!
//! ```text
//! PERPOOL_WRITE_VECTORS=1 cargo test -p perpool-core --test gen_carry_vectors
//! ```
//!
//! Sections (each `{note, input, out, err}`, inputs named as the Rust struct fields):
//! - `funding_shares`: `(size × Δpaid / 10^18, size × Δreceived / 10^18)` with the two roundings
//!   the program uses — down / up (the aggregates) and up / down (settlement). The function is
//!   `pub(crate)` in Rust, so the Rust checker reaches it through `funding_aggregates` and
//!   `settle_carry`; the TypeScript checker calls `fundingShares`.
//! - `funding_aggregates`, `accrue_carry`, `settle_carry`, `group_claim`, `profit_lock_until`.
//!
//! Inputs are deterministic (hand-written cases plus a seeded SplitMix64 stream over realistic
//! custodies: SOL $150 / 9 decimals, BTC $95,000 / 8, ETH $3,500 / 8, USDC $1 / 6), so
//! regenerating gives the same file unless the semantics change.
//!
//! Three corners where an implementation once departed from the documented formula (a warm-up
//! above `i64::MAX`, a profit lock beyond `i64::MAX`) are now covered like any other case; the
//! test `former_differences` keeps one example of each.
//!
//! The test `library_matches_reference_on_random_cases` runs the same reference against the
//! library on many more cases than the file holds.

mod common;
mod reference;

use common::math_name;
use reference::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A funding index of one (18 decimals).
const FUNDING_ONE: u128 = 1_000_000_000_000_000_000;

// ---------------------------------------------------------------------------------------------
// Reference semantics, beyond the arithmetic the generators share (fit, div_round, mul_div, to_usd,
// to_tokens, ...) in `reference`.
// ---------------------------------------------------------------------------------------------

/// `amount × (now − snapshot) / INDEX_ONE`, rounded; zero when the index has not grown (or
/// went down) or the amount is zero.
fn ref_index_share(amount: u64, now: u64, snapshot: u64, up: bool) -> R<u128> {
    if now <= snapshot || amount == 0 {
        return Ok(0);
    }
    fit(div_round(amount as u128 * (now - snapshot) as u128, ONE, up))
}

/// One side's cumulative funding indexes (18 decimals).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Fi {
    paid: u128,
    received: u128,
}

/// `(size × Δpaid / 10^18, size × Δreceived / 10^18)`, each rounded as asked. `Underflow` for an
/// index below its earlier reading (paid first), then `Overflow` above u64 (paid first).
fn ref_funding_shares(size: u64, now: Fi, before: Fi, paid_up: bool, received_up: bool) -> R<(u128, u128)> {
    let dp = now.paid.checked_sub(before.paid).ok_or("Underflow")?;
    let dr = now.received.checked_sub(before.received).ok_or("Underflow")?;
    let share = |d: u128, up: bool| -> R<u128> {
        if d == 0 || size == 0 {
            return Ok(0);
        }
        // Beyond u128 the quotient by 10^18 is far beyond u64.
        match (size as u128).checked_mul(d) {
            Some(n) => fit(div_round(n, FUNDING_ONE, up)),
            None => Err("Overflow"),
        }
    };
    let p = share(dp, paid_up)?;
    let r = share(dr, received_up)?;
    Ok((p, r))
}

// ----- funding_shares -----

#[derive(Clone, Copy, Debug, Default)]
struct SharesIn {
    size_usd: u64,
    now: Fi,
    before: Fi,
    paid_up: bool,
    received_up: bool,
}

fn ref_shares(i: &SharesIn) -> R<Value> {
    let (p, r) = ref_funding_shares(i.size_usd, i.now, i.before, i.paid_up, i.received_up)?;
    Ok(json!({ "paid": s(p), "received": s(r) }))
}

// ----- funding_aggregates -----

#[derive(Clone, Copy, Debug, Default)]
struct AggIn {
    long_oi_usd: u64,
    short_oi_usd: u64,
    long_before: Fi,
    long_after: Fi,
    short_before: Fi,
    short_after: Fi,
}

/// Each side's `owed` grows by `floor(oi × Δpaid / 10^18)`, its `due` by `ceil(oi × Δreceived /
/// 10^18)`; the long side first.
fn ref_aggregates(i: &AggIn) -> R<Value> {
    let (lo, ld) = ref_funding_shares(i.long_oi_usd, i.long_after, i.long_before, false, true)?;
    let (so, sd) = ref_funding_shares(i.short_oi_usd, i.short_after, i.short_before, false, true)?;
    Ok(json!({
        "long_owed_usd": s(lo), "long_due_usd": s(ld), "short_owed_usd": s(so), "short_due_usd": s(sd),
    }))
}

// ----- accrue_carry -----

#[derive(Clone, Copy, Debug, Default)]
struct AccIn {
    locked: u64,
    borrow_index_before: u64,
    borrow_index_after: u64,
    supply_index_before: u64,
    supply_index_after: u64,
    pnl_profit_base_usd: u64,
    pnl_loss_base_usd: u64,
    to_suppliers: u64,
    lent: u64,
    pool_room: u64,
    earning_collateral: u64,
    collateral_index: u64,
}

/// Borrow fees on `locked` (down), interest due to recorded profits (supply index, up), owed by
/// recorded losses (borrow index, down); the suppliers' interest split by who funded the loans:
/// the pool's own tokens first (up to `pool_room`), then interest-bearing collateral (at most
/// `earning_collateral`), whose share `floor(to_suppliers × from_collateral / lent)` is credited
/// through the collateral index (`Δ = floor(share × 10^12 / earning)`, credited `floor(earning ×
/// Δ / 10^12)`); the rest stays with the pool.
fn ref_accrue(i: &AccIn) -> R<Value> {
    let borrow_fees = ref_index_share(i.locked, i.borrow_index_after, i.borrow_index_before, false)?;
    let due = ref_index_share(i.pnl_profit_base_usd, i.supply_index_after, i.supply_index_before, true)?;
    let owed = ref_index_share(i.pnl_loss_base_usd, i.borrow_index_after, i.borrow_index_before, false)?;
    let from_collateral = i.lent.saturating_sub(i.pool_room).min(i.earning_collateral) as u128;
    let (index, credited) = if i.to_suppliers == 0 || from_collateral == 0 {
        (i.collateral_index as u128, 0)
    } else {
        let share = i.to_suppliers as u128 * from_collateral / i.lent as u128;
        let delta = fit(share * ONE / i.earning_collateral as u128)?;
        let credited = i.earning_collateral as u128 * delta / ONE;
        (fit(i.collateral_index as u128 + delta)?, credited)
    };
    Ok(json!({
        "borrow_fees": s(borrow_fees), "pnl_interest_due_usd": s(due), "pnl_interest_owed_usd": s(owed),
        "collateral_index": s(index), "to_collateral": s(credited),
        "to_pool": s(i.to_suppliers as u128 - credited),
    }))
}

// ----- settle_carry -----

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Q {
    min: u64,
    max: u64,
    conf: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Pnl {
    profit: bool,
    usd: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct SetIn {
    now: i64,
    side: u8,
    size_usd: u64,
    size_tokens: u64,
    locked: u64,
    collateral: u64,
    owed: u64,
    borrow_snapshot: u64,
    supply_snapshot: u64,
    collateral_snapshot: u64,
    funding_snapshot: Fi,
    pnl_base: Pnl,
    pnl_seen_usd: u64,
    pnl_seen_time: i64,
    borrow_index: u64,
    supply_index: u64,
    collateral_index: u64,
    funding_index: Fi,
    collateral_earns: bool,
    interest_on_pnl: bool,
    warmup_secs: u64,
    exit_price: u64,
    market_decimals: u8,
    coll_price: Q,
    coll_decimals: u8,
    pool_tokens: u64,
    collateral_interest_due: u64,
}

/// The documented settlement (`settle_carry`'s steps 1–6), in its error order.
fn ref_settle(i: &SetIn) -> R<Value> {
    let (cd, cmin, cmax) = (i.coll_decimals, i.coll_price.min, i.coll_price.max);
    // 1. Borrow fee on the locked tokens, up.
    let borrow_fee = ref_index_share(i.locked, i.borrow_index, i.borrow_snapshot, true)?;
    // 2. Funding: paid up, received down; the net in at the MIN price (up) or out at the MAX
    //    price (down), what goes out capped by the pool's tokens.
    let (paid, received) = ref_funding_shares(i.size_usd, i.funding_index, i.funding_snapshot, true, false)?;
    let (mut funding_in, mut funding_out) = (0, 0);
    if paid > received {
        funding_in = to_tokens(paid - received, cmin, cd, true)?;
    } else if received > paid {
        funding_out = to_tokens(received - paid, cmax, cd, false)?;
    }
    funding_out = funding_out.min(i.pool_tokens as u128);
    let pool_left = i.pool_tokens as u128 - funding_out;
    // 3. Interest on the recorded PnL: a profit earns the supply index (down, tokens at MAX
    //    down, capped by what the pool has left), a loss pays the borrow index (up, MIN up).
    let (mut profit_usd, mut profit_tokens, mut loss_usd, mut loss_tokens) = (0, 0, 0, 0);
    if i.interest_on_pnl && i.pnl_base.usd > 0 {
        if i.pnl_base.profit {
            profit_usd = ref_index_share(i.pnl_base.usd, i.supply_index, i.supply_snapshot, false)?;
            if profit_usd > 0 {
                profit_tokens = to_tokens(profit_usd, cmax, cd, false)?.min(pool_left);
            }
        } else {
            loss_usd = ref_index_share(i.pnl_base.usd, i.borrow_index, i.borrow_snapshot, true)?;
            if loss_usd > 0 {
                loss_tokens = to_tokens(loss_usd, cmin, cd, true)?;
            }
        }
    }
    // 4. Interest earned by the collateral, down, capped by the custody's credited bucket.
    let collateral_interest = if i.collateral_earns {
        ref_index_share(i.collateral, i.collateral_index, i.collateral_snapshot, false)?
            .min(i.collateral_interest_due as u128)
    } else {
        0
    };
    // 5. The net: what is left, or what stays owed.
    let credits = fit(i.collateral as u128 + funding_out + profit_tokens + collateral_interest)?;
    let debits = fit(borrow_fee + funding_in + loss_tokens + i.owed as u128)?;
    let (collateral_after, owed_after) = if credits >= debits { (credits - debits, 0) } else { (0, debits - credits) };
    // Paid in order: what was owed, the borrow fee, funding, loss interest.
    let after_fee = credits.saturating_sub(i.owed as u128 + borrow_fee);
    let funding_unpaid = funding_in.saturating_sub(after_fee);
    // 6. The next base.
    let (base, seen_usd, seen_time) = ref_next_base(i)?;
    Ok(json!({
        "borrow_fee": s(borrow_fee), "funding_paid_usd": s(paid), "funding_received_usd": s(received),
        "funding_in": s(funding_in), "funding_out": s(funding_out), "funding_unpaid": s(funding_unpaid),
        "profit_interest_usd": s(profit_usd), "profit_interest_tokens": s(profit_tokens),
        "loss_interest_usd": s(loss_usd), "loss_interest_tokens": s(loss_tokens),
        "collateral_interest": s(collateral_interest), "collateral_after": s(collateral_after),
        "owed_after": s(owed_after), "pnl_base_after": { "profit": base.profit, "usd": s(base.usd) },
        "pnl_seen_usd_after": s(seen_usd), "pnl_seen_time_after": s(seen_time),
    }))
}

/// Step 6: the PnL recorded now (a mark at `exit_price`: a long's value down, a short's up; any
/// side but long marks as a short) becomes the next base — a loss as it is; a profit only once
/// held: `min(profit, observed)` when the observation is at least `warmup_secs` old (exactly) or
/// empty, which starts a new observation, else `min(profit, previous profit base)`; capped at
/// the locked tokens' value at the collateral MIN price (down).
fn ref_next_base(i: &SetIn) -> R<(Pnl, u64, i64)> {
    if !i.interest_on_pnl || i.size_usd == 0 {
        return Ok((Pnl::default(), 0, i.now));
    }
    let long = i.side == LONG;
    let value = to_usd(i.size_tokens, i.exit_price, i.market_decimals, !long)? as i128;
    let pnl = if long { value - i.size_usd as i128 } else { i.size_usd as i128 - value };
    if pnl <= 0 {
        return Ok((Pnl { profit: false, usd: (-pnl) as u64 }, 0, i.now));
    }
    let profit = pnl as u128;
    let age = i.now as i128 - i.pnl_seen_time as i128;
    let restart = i.pnl_seen_usd == 0 || age >= i.warmup_secs as i128;
    let held = if restart {
        i.pnl_seen_usd as u128
    } else if i.pnl_base.profit {
        i.pnl_base.usd as u128
    } else {
        0
    };
    let cap = to_usd(i.locked, i.coll_price.min, i.coll_decimals, false)?;
    let base = profit.min(held).min(cap) as u64;
    let base = Pnl { profit: base > 0, usd: base };
    Ok(if restart { (base, profit as u64, i.now) } else { (base, i.pnl_seen_usd, i.pnl_seen_time) })
}

// ----- group_claim -----

#[derive(Clone, Copy, Debug, Default)]
struct GroupIn {
    side: u8,
    oi_usd: u64,
    oi_tokens: u64,
    market_decimals: u8,
    market_price: u64,
    collateral: u64,
    debt: u64,
    coll_decimals: u8,
    coll_price: u64,
    round_for_max_aum: bool,
}

/// `min(collateral − debt, loss − profit)`: what the group adds to the pool beyond `owned`, where
/// the debt already is. At MAX valuation trader profit rounds down (a long's value down, a short's
/// up), collateral up and debt down; at MIN the reverse. Any side but short is a long.
fn ref_group(i: &GroupIn) -> R<Value> {
    let up = i.round_for_max_aum;
    let long = i.side != SHORT;
    let value = to_usd(i.oi_tokens, i.market_price, i.market_decimals, long != up)? as i128;
    let oi = i.oi_usd as i128;
    let pnl = if long { value - oi } else { oi - value }; // the traders' PnL, signed
    let conv = |t: u64, round_up: bool| if t == 0 { Ok(0) } else { to_usd(t, i.coll_price, i.coll_decimals, round_up) };
    // The debt is already in the pool's `owned`: the group adds min(collateral − debt, −PnL).
    let collateral = conv(i.collateral, up)? as i128;
    let debt = conv(i.debt, !up)? as i128;
    let worth = (collateral - debt).min(-pnl);
    let (positive, negative) = if worth >= 0 { (worth, 0) } else { (0, -worth) };
    Ok(json!({ "positive": s(positive), "negative": s(negative) }))
}

// ----- profit_lock_until -----

/// `last_increase + max(min_hold, 1) − 1`, the unix time up to which no profit is realised; a
/// time beyond `i64::MAX` is `i64::MAX`.
fn ref_lock(last: i64, hold: u64) -> i128 {
    (last as i128 + hold.max(1) as i128 - 1).min(i64::MAX as i128)
}

// ---------------------------------------------------------------------------------------------
// JSON encoding (field names = the Rust struct fields; u8 fields are JSON numbers, flags
// booleans, everything else a decimal string).
// ---------------------------------------------------------------------------------------------

impl Fi {
    fn json(&self) -> Value {
        json!({ "paid": s(self.paid), "received": s(self.received) })
    }
}

impl Q {
    fn json(&self) -> Value {
        json!({ "min": s(self.min), "max": s(self.max), "conf": s(self.conf) })
    }
}

impl SharesIn {
    fn json(&self) -> Value {
        json!({
            "size_usd": s(self.size_usd), "now": self.now.json(), "before": self.before.json(),
            "paid_up": self.paid_up, "received_up": self.received_up,
        })
    }
}

impl AggIn {
    fn json(&self) -> Value {
        json!({
            "long_oi_usd": s(self.long_oi_usd), "short_oi_usd": s(self.short_oi_usd),
            "long_before": self.long_before.json(), "long_after": self.long_after.json(),
            "short_before": self.short_before.json(), "short_after": self.short_after.json(),
        })
    }
}

impl AccIn {
    fn json(&self) -> Value {
        json!({
            "locked": s(self.locked), "borrow_index_before": s(self.borrow_index_before),
            "borrow_index_after": s(self.borrow_index_after), "supply_index_before": s(self.supply_index_before),
            "supply_index_after": s(self.supply_index_after), "pnl_profit_base_usd": s(self.pnl_profit_base_usd),
            "pnl_loss_base_usd": s(self.pnl_loss_base_usd), "to_suppliers": s(self.to_suppliers),
            "lent": s(self.lent), "pool_room": s(self.pool_room),
            "earning_collateral": s(self.earning_collateral), "collateral_index": s(self.collateral_index),
        })
    }
}

impl SetIn {
    fn json(&self) -> Value {
        json!({
            "now": s(self.now), "side": self.side, "size_usd": s(self.size_usd),
            "size_tokens": s(self.size_tokens), "locked": s(self.locked), "collateral": s(self.collateral),
            "owed": s(self.owed), "borrow_snapshot": s(self.borrow_snapshot),
            "supply_snapshot": s(self.supply_snapshot), "collateral_snapshot": s(self.collateral_snapshot),
            "funding_snapshot": self.funding_snapshot.json(),
            "pnl_base": { "profit": self.pnl_base.profit, "usd": s(self.pnl_base.usd) },
            "pnl_seen_usd": s(self.pnl_seen_usd), "pnl_seen_time": s(self.pnl_seen_time),
            "borrow_index": s(self.borrow_index), "supply_index": s(self.supply_index),
            "collateral_index": s(self.collateral_index), "funding_index": self.funding_index.json(),
            "collateral_earns": self.collateral_earns, "interest_on_pnl": self.interest_on_pnl,
            "warmup_secs": s(self.warmup_secs), "exit_price": s(self.exit_price),
            "market_decimals": self.market_decimals, "coll_price": self.coll_price.json(),
            "coll_decimals": self.coll_decimals, "pool_tokens": s(self.pool_tokens),
            "collateral_interest_due": s(self.collateral_interest_due),
        })
    }
}

impl GroupIn {
    fn json(&self) -> Value {
        json!({
            "side": self.side, "oi_usd": s(self.oi_usd), "oi_tokens": s(self.oi_tokens),
            "market_decimals": self.market_decimals, "market_price": s(self.market_price),
            "collateral": s(self.collateral), "debt": s(self.debt), "coll_decimals": self.coll_decimals,
            "coll_price": s(self.coll_price), "round_for_max_aum": self.round_for_max_aum,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs: a deterministic generator and realistic custodies.
// ---------------------------------------------------------------------------------------------

/// [`Rng`] (shared) with this generator's edge values.
impl Rng {
    fn edgy(&mut self) -> u64 {
        const EDGES: [u64; 12] = [
            0,
            1,
            2,
            999_999,
            INDEX_ONE - 1,
            INDEX_ONE,
            INDEX_ONE + 1,
            1 << 32,
            1 << 63,
            (1 << 63) - 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        self.edgy_among(&EDGES)
    }
    /// A funding index reading: small, realistic, or any width up to u128.
    fn edgy_wide(&mut self) -> u128 {
        match self.below(4) {
            0 => self.edgy() as u128,
            1 => ((self.edgy() as u128) << 64) | self.next() as u128,
            2 => u128::MAX - self.below(3) as u128,
            _ => self.log(1, 1 << 62) as u128,
        }
    }
}

/// An index (12 decimals) grown by `rate_bps` a year over `dt` seconds.
fn grown(index: u64, rate_bps: u64, dt: u64) -> u64 {
    (index as u128 + index as u128 * rate_bps as u128 * dt as u128 / (10_000 * YEAR as u128)) as u64
}

// ----- funding cases -----

/// A realistic funding accrual: the heavier side's `paid` grows by `rate × dt` (up to 1 % an
/// hour), the lighter side's `received` by that times the OI ratio.
fn funding_step(rng: &mut Rng, long_oi: u64, short_oi: u64, long: Fi, short: Fi) -> (Fi, Fi) {
    let rate = rng.log(1, 2_777_777_777_777) as u128; // per second, 18 decimals
    let dt = rng.log(1, 30 * 86_400) as u128;
    let growth = rate * dt;
    let (mut l, mut s) = (long, short);
    // (Saturating: a reading near u128::MAX stays there.)
    if long_oi >= short_oi {
        l.paid = l.paid.saturating_add(growth);
        if short_oi > 0 {
            s.received = s.received.saturating_add(growth * long_oi as u128 / short_oi as u128);
        }
    } else {
        s.paid = s.paid.saturating_add(growth);
        if long_oi > 0 {
            l.received = l.received.saturating_add(growth * short_oi as u128 / long_oi as u128);
        }
    }
    (l, s)
}

fn random_fi(rng: &mut Rng) -> Fi {
    Fi {
        paid: rng.log(1, 1 << 60) as u128 * rng.below(2) as u128,
        received: rng.log(1, 1 << 60) as u128 * rng.below(2) as u128,
    }
}

fn aggregate_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, AggIn)> {
    let mut v = Vec::new();
    let fi = |paid: u128, received: u128| Fi { paid, received };
    // 300k long against 100k short for an hour at 0.5 % an hour: longs owe 1,500, shorts are due
    // 1,500 (3 × the index growth on a third of the OI).
    let rate = 2_777_777_777_777u128.div_ceil(2);
    let worked = AggIn {
        long_oi_usd: 300_000 * USD,
        short_oi_usd: 100_000 * USD,
        long_before: Fi::default(),
        long_after: fi(rate * 3_600, 0),
        short_before: Fi::default(),
        short_after: fi(0, rate * 3_600 * 3),
    };
    v.push(("worked: 300k long pays 100k short for an hour".to_string(), worked));
    v.push(("nothing accrued".to_string(), AggIn { long_after: Fi::default(), short_after: Fi::default(), ..worked }));
    v.push(("no open interest".to_string(), AggIn { long_oi_usd: 0, short_oi_usd: 0, ..worked }));
    v.push((
        "rounding: 1 µUSD of OI and an index growth of 1: owed rounds down, due up".to_string(),
        AggIn { long_oi_usd: 1, short_oi_usd: 1, long_after: fi(1, 1), short_after: fi(1, 1), ..AggIn::default() },
    ));
    v.push((
        "rounding: exact multiples round neither way".to_string(),
        AggIn {
            long_oi_usd: 7,
            short_oi_usd: 3,
            long_after: fi(FUNDING_ONE * 2, FUNDING_ONE),
            short_after: fi(FUNDING_ONE, 0),
            ..AggIn::default()
        },
    ));
    v.push((
        "both sides paid and received since the readings".to_string(),
        AggIn {
            long_oi_usd: 1_234_567 * USD,
            short_oi_usd: 987_654 * USD,
            long_before: fi(5 * FUNDING_ONE / 1_000, 3 * FUNDING_ONE / 1_000),
            long_after: fi(6 * FUNDING_ONE / 1_000 + 7, 4 * FUNDING_ONE / 1_000 + 11),
            short_before: fi(2 * FUNDING_ONE / 1_000, 9 * FUNDING_ONE / 1_000),
            short_after: fi(2 * FUNDING_ONE / 1_000 + 13, 10 * FUNDING_ONE / 1_000 + 17),
        },
    ));
    v.push((
        "long paid index went down: Underflow".to_string(),
        AggIn { long_before: fi(2, 0), long_after: fi(1, 0), ..worked },
    ));
    v.push((
        "long received index went down: Underflow".to_string(),
        AggIn { long_before: fi(0, 2), long_after: fi(rate, 1), ..worked },
    ));
    v.push((
        "short paid index went down, the long side fine: Underflow".to_string(),
        AggIn { short_before: fi(5, 0), short_after: fi(4, rate), ..worked },
    ));
    v.push((
        "short received index went down: Underflow".to_string(),
        AggIn { short_before: fi(0, rate * 4_000 * 3), ..worked },
    ));
    v.push((
        "u64::MAX of OI at an index growth of exactly 1.0: both fit".to_string(),
        AggIn {
            long_oi_usd: u64::MAX,
            short_oi_usd: u64::MAX,
            long_after: fi(FUNDING_ONE, FUNDING_ONE),
            short_after: fi(FUNDING_ONE, FUNDING_ONE),
            ..AggIn::default()
        },
    ));
    v.push((
        "u64::MAX of OI, growth 1.0 + 10^-18: the owed (down) fits, the due (up) overflows".to_string(),
        AggIn { long_oi_usd: u64::MAX, long_after: fi(FUNDING_ONE, FUNDING_ONE + 1), ..AggIn::default() },
    ));
    v.push((
        "u64::MAX of OI, paid growth 1.0 + 10^-18 on the short side: the owed fits".to_string(),
        AggIn { short_oi_usd: u64::MAX, short_after: fi(FUNDING_ONE + 1, 0), ..AggIn::default() },
    ));
    v.push((
        "an index growth near u128::MAX: Overflow".to_string(),
        AggIn { long_oi_usd: 2, long_after: fi(u128::MAX, 0), ..AggIn::default() },
    ));
    v.push((
        "indexes near u128::MAX that barely moved".to_string(),
        AggIn {
            long_oi_usd: 5 * USD,
            short_oi_usd: 5 * USD,
            long_before: fi(u128::MAX - 10 * FUNDING_ONE, u128::MAX - FUNDING_ONE),
            long_after: fi(u128::MAX, u128::MAX),
            short_before: fi(u128::MAX - 1, 0),
            short_after: fi(u128::MAX, 3),
        },
    ));
    // Realistic books over a realistic accrual.
    for _ in 0..random {
        let long_oi = if rng.chance(10) { 0 } else { rng.log(USD, 100_000_000 * USD) };
        let short_oi = if rng.chance(10) { 0 } else { rng.log(USD, 100_000_000 * USD) };
        let (long_before, short_before) = (random_fi(rng), random_fi(rng));
        let (long_after, short_after) = funding_step(rng, long_oi, short_oi, long_before, short_before);
        v.push((
            "random book".to_string(),
            AggIn { long_oi_usd: long_oi, short_oi_usd: short_oi, long_before, long_after, short_before, short_after },
        ));
    }
    for _ in 0..fuzz {
        v.push((
            "fuzz".to_string(),
            AggIn {
                long_oi_usd: rng.edgy(),
                short_oi_usd: rng.edgy(),
                long_before: Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() },
                long_after: Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() },
                short_before: Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() },
                short_after: Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() },
            },
        ));
    }
    v
}

/// `funding_shares` with the aggregates' rounding (paid down, received up) and settlement's
/// (paid up, received down), over the same readings.
fn shares_cases(rng: &mut Rng, random: usize) -> Vec<(String, SharesIn)> {
    let mut v = Vec::new();
    let fi = |paid: u128, received: u128| Fi { paid, received };
    let mut both = |note: &str, size_usd: u64, now: Fi, before: Fi| {
        for (paid_up, received_up, how) in [(false, true, "aggregate"), (true, false, "settlement")] {
            v.push((format!("{note} ({how} rounding)"), SharesIn { size_usd, now, before, paid_up, received_up }));
        }
    };
    both("nothing moved", 10 * USD, fi(5, 5), fi(5, 5));
    both("a zero size", 0, fi(FUNDING_ONE, FUNDING_ONE), Fi::default());
    both("one unit of growth on 1 µUSD", 1, fi(1, 1), Fi::default());
    both("growth of 10^18 − 1 on 1 µUSD", 1, fi(FUNDING_ONE - 1, FUNDING_ONE - 1), Fi::default());
    both("exact: 3 µUSD at 2.0 paid and 1.0 received", 3, fi(2 * FUNDING_ONE, FUNDING_ONE), Fi::default());
    both(
        "$10,000 at 0.5 % paid, 1.5 % received, plus a unit",
        10_000 * USD,
        fi(FUNDING_ONE / 200 + 1, 3 * FUNDING_ONE / 200 + 1),
        Fi::default(),
    );
    both("u64::MAX at exactly 1.0", u64::MAX, fi(FUNDING_ONE, FUNDING_ONE), Fi::default());
    both(
        "u64::MAX at 1.0 + 10^-18: the rounded-up share overflows",
        u64::MAX,
        fi(FUNDING_ONE + 1, FUNDING_ONE + 1),
        Fi::default(),
    );
    both("paid below its earlier reading", 10 * USD, fi(1, 9), fi(2, 0));
    both("received below its earlier reading", 10 * USD, fi(3, 1), fi(2, 2));
    both("both below: paid reported first", 10 * USD, fi(1, 1), fi(2, 2));
    both(
        "received below its reading is reported before the paid share overflows",
        u64::MAX,
        fi(u128::MAX, 0),
        fi(0, 1),
    );
    both("paid overflows, received fine", u64::MAX, fi(u128::MAX, 1), Fi::default());
    both("the product beyond u128", u64::MAX, fi(u128::MAX, u128::MAX), Fi::default());
    both(
        "readings near u128::MAX",
        123 * USD,
        fi(u128::MAX, u128::MAX - 5),
        fi(u128::MAX - 3 * FUNDING_ONE, u128::MAX - 7 * FUNDING_ONE),
    );
    let hand = v.len();
    while v.len() < hand + random {
        let size = if rng.chance(80) { rng.log(1, 10_000_000 * USD) } else { rng.edgy() };
        let before =
            if rng.chance(70) { random_fi(rng) } else { Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() } };
        let now = if rng.chance(75) {
            // One accrual where this side pays, one where it receives.
            let (payer, light) = (2 + rng.below(3), 1 + rng.below(2));
            let (a, _) = funding_step(rng, payer, light, before, before);
            let (b, _) = funding_step(rng, light, payer, before, before);
            Fi { paid: a.paid.max(b.paid), received: a.received.max(b.received) }
        } else {
            Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() }
        };
        let (paid_up, received_up) = if rng.chance(50) { (false, true) } else { (true, false) };
        v.push(("random".to_string(), SharesIn { size_usd: size, now, before, paid_up, received_up }));
    }
    v
}

// ----- accrue_carry cases -----

fn accrue_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, AccIn)> {
    let mut v: Vec<(String, AccIn)> = Vec::new();
    let mut push = |note: &str, i: AccIn| v.push((note.to_string(), i));
    // The module's example: 4,000 of 10,000 lent came from 8,000 of earning collateral.
    let split =
        AccIn { to_suppliers: 1_000, lent: 10_000, pool_room: 6_000, earning_collateral: 8_000, ..AccIn::default() };
    push("4,000 of 10,000 lent from collateral: 400 of the interest, less rounding", split);
    push("the pool's room covers every loan: nothing to collateral", AccIn { pool_room: 20_000, ..split });
    push("the pool's room covers the loans exactly", AccIn { pool_room: 10_000, ..split });
    push("one unit lent beyond the pool's room", AccIn { pool_room: 9_999, ..split });
    push("no pool room: all lent from collateral, capped at it", AccIn { pool_room: 0, ..split });
    push("over-lent: more lent than room and collateral", AccIn { lent: 100_000, pool_room: 1_000, ..split });
    push("no earning collateral", AccIn { earning_collateral: 0, ..split });
    push("no supplier interest", AccIn { to_suppliers: 0, ..split });
    push("nothing lent", AccIn { lent: 0, pool_room: 0, ..split });
    push(
        "share rounds to zero",
        AccIn { to_suppliers: 1, lent: 3, pool_room: 2, earning_collateral: 5, ..AccIn::default() },
    );
    push(
        "the index step rounds down, the credit too: the pool keeps the dust",
        AccIn { to_suppliers: 10, lent: 10, pool_room: 0, earning_collateral: 3, ..AccIn::default() },
    );
    push(
        "collateral so large the index step is zero",
        AccIn { to_suppliers: 1, lent: 1, pool_room: 0, earning_collateral: 2 * INDEX_ONE, ..AccIn::default() },
    );
    push("the collateral index continues from where it was", AccIn { collateral_index: 123_456_789_012, ..split });
    push("the collateral index overflows", AccIn { collateral_index: u64::MAX - 1, ..split });
    push(
        "the index step overflows: the whole interest on one unit of collateral",
        AccIn { to_suppliers: u64::MAX, lent: 1, pool_room: 0, earning_collateral: 1, ..AccIn::default() },
    );
    push(
        "the largest index step that fits",
        AccIn {
            to_suppliers: (u64::MAX as u128 / ONE) as u64,
            lent: 1,
            pool_room: 0,
            earning_collateral: 1,
            ..AccIn::default()
        },
    );
    let year = AccIn {
        locked: 1_000_000 * USD,
        borrow_index_before: INDEX_ONE,
        borrow_index_after: INDEX_ONE + INDEX_ONE / 25,
        supply_index_before: INDEX_ONE,
        supply_index_after: INDEX_ONE + INDEX_ONE / 40,
        pnl_profit_base_usd: 250_000 * USD,
        pnl_loss_base_usd: 120_000 * USD,
        ..AccIn::default()
    };
    push("a year at 4 % borrow and 2.5 % supply on locked tokens and recorded PnL", year);
    push(
        "borrow fees round down, due rounds up, owed rounds down",
        AccIn {
            locked: 3,
            borrow_index_after: INDEX_ONE + 1,
            supply_index_after: INDEX_ONE + 1,
            pnl_profit_base_usd: 3,
            pnl_loss_base_usd: 3,
            ..year
        },
    );
    push(
        "indexes that went down: nothing accrues",
        AccIn { borrow_index_after: INDEX_ONE - 1, supply_index_after: 1, ..year },
    );
    push(
        "indexes unchanged: nothing accrues",
        AccIn { borrow_index_after: INDEX_ONE, supply_index_after: INDEX_ONE, ..year },
    );
    push("borrow fees overflow", AccIn { locked: u64::MAX, borrow_index_after: 3 * INDEX_ONE, ..year });
    push(
        "due overflows",
        AccIn { pnl_profit_base_usd: u64::MAX, supply_index_before: 0, supply_index_after: u64::MAX, ..year },
    );
    push(
        "owed overflows",
        AccIn { pnl_loss_base_usd: u64::MAX, borrow_index_after: 2 * INDEX_ONE + 1, locked: 0, ..year },
    );
    push(
        "u64::MAX at a growth of exactly 1.0 fits",
        AccIn {
            locked: u64::MAX,
            borrow_index_before: 0,
            borrow_index_after: INDEX_ONE,
            pnl_loss_base_usd: u64::MAX,
            ..AccIn::default()
        },
    );
    push(
        "u64::MAX of recorded profit at a growth of 1.0 + 10^-12: due rounds up and overflows",
        AccIn {
            pnl_profit_base_usd: u64::MAX,
            supply_index_before: 0,
            supply_index_after: INDEX_ONE + 1,
            ..AccIn::default()
        },
    );
    push(
        "everything at once",
        AccIn {
            to_suppliers: 77_777 * USD,
            lent: 5_000_000 * USD,
            pool_room: 3_000_000 * USD,
            earning_collateral: 4_000_000 * USD,
            collateral_index: 5_000_000_000,
            ..year
        },
    );
    // Realistic custodies over an accrual of a second to a month.
    let hand = v.len();
    while v.len() < hand + random {
        let t = rng.pick(&TOKENS);
        let unit = tokens_for(USD, t.price, t.decimals, false).max(1);
        let owned = unit.saturating_mul(rng.log(100_000, 100_000_000));
        let dt = rng.log(1, 30 * 86_400);
        let bi = INDEX_ONE + rng.below(INDEX_ONE / 2);
        let si = INDEX_ONE + rng.below(INDEX_ONE / 4);
        let lent = part(owned, rng.range(0, 9_000));
        let interest = (lent as u128 * rng.range(0, 3_000) as u128 * dt as u128 / (10_000 * YEAR as u128)) as u64;
        let earning = if rng.chance(25) { 0 } else { part(owned, rng.range(0, 20_000)) };
        v.push((
            format!("random {} custody", t.name),
            AccIn {
                locked: part(owned, rng.range(0, 6_000)),
                borrow_index_before: bi,
                borrow_index_after: grown(bi, rng.range(0, 10_000), dt),
                supply_index_before: si,
                supply_index_after: grown(si, rng.range(0, 5_000), dt),
                pnl_profit_base_usd: if rng.chance(30) { 0 } else { rng.log(1, 50_000_000 * USD) },
                pnl_loss_base_usd: if rng.chance(30) { 0 } else { rng.log(1, 50_000_000 * USD) },
                to_suppliers: part(interest, rng.range(7_000, 10_000)),
                lent,
                pool_room: match rng.below(3) {
                    0 => part(owned, rng.range(0, 9_000)),
                    1 => lent.saturating_sub(part(earning, rng.range(0, 10_000))),
                    _ => 0,
                },
                earning_collateral: earning,
                collateral_index: rng.below(INDEX_ONE),
            },
        ));
    }
    for _ in 0..fuzz {
        v.push((
            "fuzz".to_string(),
            AccIn {
                locked: rng.edgy(),
                borrow_index_before: rng.edgy(),
                borrow_index_after: rng.edgy(),
                supply_index_before: rng.edgy(),
                supply_index_after: rng.edgy(),
                pnl_profit_base_usd: rng.edgy(),
                pnl_loss_base_usd: rng.edgy(),
                to_suppliers: rng.edgy(),
                lent: rng.edgy(),
                pool_room: rng.edgy(),
                earning_collateral: rng.edgy(),
                collateral_index: rng.edgy(),
            },
        ));
    }
    v
}

// ----- settle_carry cases -----

/// A realistic position on one of [`PAIRS`] settled `dt` seconds after its snapshots.
fn position(rng: &mut Rng, pair: usize) -> (String, SetIn) {
    let (mt, ct, side) = PAIRS[pair % PAIRS.len()];
    let long = side == LONG;
    let size = rng.log(100 * USD, 2_000_000 * USD);
    let entry = part(mt.price, rng.range(9_000, 11_000));
    let size_tokens = tokens_for(size, entry, mt.decimals, !long);
    let same = mt == ct;
    let width = rng.pick(&[0, 0, 5, 20]);
    let move_bps = if rng.chance(70) { rng.range(9_000, 11_000) } else { rng.range(5_000, 15_000) };
    let exit = part(entry, move_bps);
    let coll_min = if same { exit } else { ct.price };
    let coll_price = Q { min: coll_min, max: coll_min + part(coll_min, width), conf: 0 };
    let leverage = rng.log(11_000, 500_000);
    let collateral = tokens_for((size as u128 * 10_000 / leverage as u128) as u64, ct.price, ct.decimals, false);
    let locked = tokens_for(size, ct.price, ct.decimals, true);
    let dt = rng.log(1, 90 * 86_400);
    let (bs, ss) = (INDEX_ONE + rng.below(INDEX_ONE / 2), INDEX_ONE + rng.below(INDEX_ONE / 4));
    let cs = rng.below(INDEX_ONE / 10);
    let snapshot = random_fi(rng);
    let (heavy, light) = if rng.chance(50) { (2, 1) } else { (1, 2) };
    let (index, _) = funding_step(rng, heavy, light, snapshot, snapshot);
    let warmup = rng.pick(&[0, 60, 3_600, 3_600, 86_400]);
    let now = T0 + dt as i64;
    let base_usd = part(size, rng.range(0, 3_000));
    let pnl_base =
        if rng.chance(50) { Pnl { profit: base_usd > 0, usd: base_usd } } else { Pnl { profit: false, usd: base_usd } };
    let seen_usd = if rng.chance(30) { 0 } else { part(size, rng.range(1, 3_000)) };
    let seen_time = match rng.below(4) {
        0 => now - warmup as i64,
        1 => now - warmup as i64 + 1,
        2 => now - rng.below(warmup + 1) as i64,
        _ => now - rng.log(1, 10 * 86_400) as i64,
    };
    let i = SetIn {
        now,
        side,
        size_usd: size,
        size_tokens,
        locked,
        collateral,
        owed: 0,
        borrow_snapshot: bs,
        supply_snapshot: ss,
        collateral_snapshot: cs,
        funding_snapshot: snapshot,
        pnl_base,
        pnl_seen_usd: seen_usd,
        pnl_seen_time: seen_time,
        borrow_index: grown(bs, rng.range(0, 10_000), dt),
        supply_index: grown(ss, rng.range(0, 5_000), dt),
        collateral_index: cs
            + (INDEX_ONE as u128 * rng.range(0, 500) as u128 * dt as u128 / (10_000 * YEAR as u128)) as u64,
        funding_index: index,
        collateral_earns: rng.chance(50),
        interest_on_pnl: rng.chance(70),
        warmup_secs: warmup,
        exit_price: exit,
        market_decimals: mt.decimals,
        coll_price,
        coll_decimals: ct.decimals,
        pool_tokens: if rng.chance(80) { u64::MAX } else { rng.below(collateral / 1_000 + 1) },
        collateral_interest_due: if rng.chance(80) { u64::MAX } else { rng.below(collateral / 10_000 + 1) },
    };
    let side_name = if long { "long" } else { "short" };
    (format!("{} {side_name} on {}", mt.name, ct.name), i)
}

fn settle_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, SetIn)> {
    let mut v: Vec<(String, SetIn)> = Vec::new();
    // The module's base: a 10,000 USD long on 100 tokens at $100 (9 decimals), USDC collateral.
    let p = |usd: u64| usd * 1_000_000_000;
    let base = SetIn {
        now: 1_000,
        side: LONG,
        size_usd: 10_000 * USD,
        size_tokens: 100 * 1_000_000_000,
        locked: 10_000 * USD,
        collateral: 1_000 * USD,
        borrow_snapshot: INDEX_ONE,
        supply_snapshot: INDEX_ONE,
        borrow_index: INDEX_ONE,
        supply_index: INDEX_ONE,
        warmup_secs: 3_600,
        exit_price: p(100),
        market_decimals: 9,
        coll_price: Q { min: p(1), max: p(1), conf: 0 },
        coll_decimals: 6,
        pool_tokens: u64::MAX,
        collateral_interest_due: u64::MAX,
        ..SetIn::default()
    };
    let fi = |paid: u128, received: u128| Fi { paid, received };
    let f = FUNDING_ONE;
    let mut push = |note: &str, g: &dyn Fn(&mut SetIn)| {
        let mut i = base;
        g(&mut i);
        v.push((note.to_string(), i));
    };
    // Charges, receipts, and what stays owed.
    push("nothing to settle", &|_| {});
    push("borrow fee: 1 % on 10,000 locked", &|i| i.borrow_index = INDEX_ONE + INDEX_ONE / 100);
    push("borrow fee rounds up", &|i| {
        i.locked = 3;
        i.borrow_index = INDEX_ONE + 1;
    });
    push("borrow index below its snapshot: no fee", &|i| i.borrow_index = INDEX_ONE - 1);
    push("charges beyond the collateral stay owed (funding unpaid)", &|i| {
        i.collateral = 50 * USD;
        i.borrow_index = INDEX_ONE + INDEX_ONE / 100;
        i.funding_index = fi(f / 5, 0);
    });
    push("the collateral pays the borrow fee and part of the funding", &|i| {
        i.collateral = 150 * USD;
        i.borrow_index = INDEX_ONE + INDEX_ONE / 100;
        i.funding_index = fi(f / 5, 0);
    });
    push("what was owed is paid first: later receipts clear it", &|i| {
        i.collateral = 0;
        i.owed = 2_050 * USD;
        i.funding_index = fi(0, 3 * f / 10);
    });
    push("what was owed is paid before the fee: the fee's shortfall is owed too", &|i| {
        i.collateral = 100 * USD;
        i.owed = 80 * USD;
        i.borrow_index = INDEX_ONE + INDEX_ONE / 100;
    });
    push("owed exactly the collateral: nothing left, nothing owed", &|i| i.owed = 1_000 * USD);
    push("owed one unit more than the collateral", &|i| i.owed = 1_000 * USD + 1);
    push("funding paid and received net to zero", &|i| i.funding_index = fi(f / 100, f / 100));
    push("funding: net paid at the collateral MIN price, rounded up", &|i| {
        i.coll_price = Q { min: 999_700_000, max: 1_000_300_000, conf: 0 };
        i.funding_index = fi(f / 100 + 12_345, 0);
    });
    push("funding: net received at the collateral MAX price, rounded down", &|i| {
        i.coll_price = Q { min: 999_700_000, max: 1_000_300_000, conf: 0 };
        i.funding_index = fi(7, f / 100 + 12_345);
    });
    push("funding paid rounds up, received rounds down", &|i| {
        i.size_usd = 3;
        i.funding_index = fi(1, f - 1);
    });
    push("funding out capped at the pool's tokens", &|i| {
        i.funding_index = fi(0, f / 10);
        i.pool_tokens = 400 * USD;
    });
    push("funding out with a pool that holds nothing", &|i| {
        i.funding_index = fi(0, f / 10);
        i.pool_tokens = 0;
    });
    push("funding paid is not capped by the pool's tokens", &|i| {
        i.funding_index = fi(f / 10, 0);
        i.pool_tokens = 0;
    });
    push("funding paid index below its snapshot: Underflow", &|i| {
        i.funding_snapshot = fi(5, 0);
        i.funding_index = fi(4, 0);
    });
    push("funding received index below its snapshot: Underflow", &|i| {
        i.funding_snapshot = fi(0, 5);
        i.funding_index = fi(10, 4);
    });
    // Interest on the recorded PnL.
    let profit_base = |i: &mut SetIn| {
        i.interest_on_pnl = true;
        i.pnl_base = Pnl { profit: true, usd: 1_000 * USD };
        i.supply_index = INDEX_ONE + INDEX_ONE / 100;
        i.borrow_index = INDEX_ONE + INDEX_ONE / 50;
    };
    push("a recorded profit earns the supply index growth (1 % of 1,000)", &|i| profit_base(i));
    push("profit interest rounds down, its tokens at the MAX price down", &|i| {
        profit_base(i);
        i.pnl_base.usd = 333_333_333;
        i.supply_index = INDEX_ONE + 3;
        i.coll_price = Q { min: 999_000_000, max: 1_001_000_000, conf: 0 };
    });
    push("profit interest capped by what the pool has left after funding out", &|i| {
        profit_base(i);
        i.funding_index = fi(0, f / 100);
        i.pool_tokens = 105 * USD;
    });
    push("a recorded loss pays the borrow index growth (2 % of 1,000)", &|i| {
        profit_base(i);
        i.pnl_base.profit = false;
    });
    push("loss interest rounds up, its tokens at the MIN price up", &|i| {
        profit_base(i);
        i.pnl_base = Pnl { profit: false, usd: 333_333_333 };
        i.borrow_index = INDEX_ONE + 3;
        i.coll_price = Q { min: 999_000_000, max: 1_001_000_000, conf: 0 };
    });
    push("loss interest beyond the collateral stays owed", &|i| {
        profit_base(i);
        i.pnl_base = Pnl { profit: false, usd: 5_000 * USD };
        i.borrow_index = 2 * INDEX_ONE;
    });
    push("no interest on PnL: a recorded base earns nothing", &|i| {
        profit_base(i);
        i.interest_on_pnl = false;
    });
    // Collateral interest.
    let earning = |i: &mut SetIn| {
        i.collateral_earns = true;
        i.collateral_snapshot = 7 * INDEX_ONE / 100;
        i.collateral_index = 7 * INDEX_ONE / 100 + INDEX_ONE / 50 + 1;
    };
    push("collateral earns 2 % (rounded down)", &|i| earning(i));
    push("collateral interest capped by the credited bucket", &|i| {
        earning(i);
        i.collateral_interest_due = 3 * USD;
    });
    push("collateral interest with an empty bucket", &|i| {
        earning(i);
        i.collateral_interest_due = 0;
    });
    push("collateral that does not earn", &|i| {
        earning(i);
        i.collateral_earns = false;
    });
    push("collateral index below its snapshot: nothing", &|i| {
        earning(i);
        i.collateral_index = 0;
    });
    // The next base: warm-up, restart or not.
    let marking = |i: &mut SetIn| {
        i.interest_on_pnl = true;
        i.exit_price = p(110); // 1,000 profit
    };
    push("warm-up: a first profit starts an observation, base zero", &|i| marking(i));
    push("warm-up: a spike a minute later does not become the base", &|i| {
        marking(i);
        i.exit_price = p(150);
        i.now = 1_060;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
    });
    push("warm-up: within it, the previous profit base holds (the smaller)", &|i| {
        marking(i);
        i.exit_price = p(150);
        i.now = 1_060;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
        i.pnl_base = Pnl { profit: true, usd: 700 * USD };
    });
    push("warm-up: within it, a profit now below the previous base", &|i| {
        marking(i);
        i.exit_price = p(103);
        i.now = 1_060;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
        i.pnl_base = Pnl { profit: true, usd: 700 * USD };
    });
    push("warm-up: within it after a recorded loss: base zero", &|i| {
        marking(i);
        i.now = 1_060;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
        i.pnl_base = Pnl { profit: false, usd: 700 * USD };
    });
    push("warm-up: one second short of the warm-up, no restart", &|i| {
        marking(i);
        i.exit_price = p(120);
        i.now = 4_599;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
    });
    push("warm-up: exactly the warm-up old, the held profit is the base and a new observation starts", &|i| {
        marking(i);
        i.exit_price = p(120);
        i.now = 4_600;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
    });
    push("warm-up: after it, a profit now below the observation", &|i| {
        marking(i);
        i.exit_price = p(105);
        i.now = 10_000;
        i.pnl_seen_usd = 1_000 * USD;
        i.pnl_seen_time = 1_000;
    });
    push("warm-up zero: every settlement restarts", &|i| {
        marking(i);
        i.warmup_secs = 0;
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = 1_000;
    });
    push("warm-up: an observation from the future (clock skew) does not restart", &|i| {
        marking(i);
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = 2_000;
        i.pnl_base = Pnl { profit: true, usd: 500 * USD };
    });
    push("warm-up: the observation at i64::MIN, now at i64::MAX", &|i| {
        marking(i);
        i.now = i64::MAX;
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = i64::MIN;
    });
    push("warm-up: the observation at i64::MAX, now at i64::MIN", &|i| {
        marking(i);
        i.now = i64::MIN;
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = i64::MAX;
        i.pnl_base = Pnl { profit: true, usd: 300 * USD };
    });
    push("warm-up i64::MAX seconds", &|i| {
        marking(i);
        i.warmup_secs = i64::MAX as u64;
        i.now = i64::MAX;
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = 0;
    });
    push("the base capped at the locked tokens' value at the collateral MIN price", &|i| {
        marking(i);
        i.exit_price = p(200);
        i.locked = 500 * USD;
        i.pnl_seen_usd = 10_000 * USD;
        i.now = 10_000;
        i.coll_price = Q { min: 999_999_999, max: 1_000_000_001, conf: 0 };
    });
    push("a loss now is the base as it is and clears the observation", &|i| {
        marking(i);
        i.exit_price = p(90);
        i.pnl_seen_usd = 800 * USD;
        i.pnl_seen_time = 100;
        i.pnl_base = Pnl { profit: true, usd: 500 * USD };
    });
    push("zero PnL now: a zero base", &|i| {
        marking(i);
        i.exit_price = p(100);
        i.pnl_seen_usd = 800 * USD;
    });
    push("a long's value rounds down", &|i| {
        marking(i);
        i.size_tokens = 3;
        i.size_usd = 1;
        i.exit_price = 666_666_667; // 3 × 0.666666667 / 1000 = 0.002 → 0 USD
        i.market_decimals = 0;
    });
    push("a short's value rounds up", &|i| {
        marking(i);
        i.side = SHORT;
        i.size_tokens = 3;
        i.size_usd = 3;
        i.exit_price = 666_666_667;
        i.market_decimals = 0;
    });
    push("a short in profit", &|i| {
        marking(i);
        i.side = SHORT;
        i.exit_price = p(90);
        i.pnl_seen_usd = 600 * USD;
        i.pnl_seen_time = -10_000;
    });
    push("side 0 marks as a short", &|i| {
        marking(i);
        i.side = 0;
        i.exit_price = p(90);
    });
    push("no interest on PnL: no base, no observation", &|i| {
        marking(i);
        i.interest_on_pnl = false;
        i.pnl_seen_usd = 800 * USD;
    });
    push("no size: no base", &|i| {
        marking(i);
        i.size_usd = 0;
        i.pnl_seen_usd = 800 * USD;
    });
    // Errors.
    push("borrow fee overflows", &|i| {
        i.locked = u64::MAX;
        i.borrow_index = 3 * INDEX_ONE;
    });
    push("funding overflows", &|i| {
        i.size_usd = u64::MAX;
        i.funding_index = fi(2 * f, 0);
    });
    push("collateral decimals 19 with funding to convert: InvalidDecimals", &|i| {
        i.coll_decimals = 19;
        i.funding_index = fi(f / 100, 0);
    });
    push("collateral decimals 19 with nothing to convert and no interest on PnL: fine", &|i| i.coll_decimals = 19);
    push("collateral decimals 19 reached at the base's cap: InvalidDecimals", &|i| {
        marking(i);
        i.coll_decimals = 19;
        i.pnl_seen_usd = 100 * USD;
        i.now = 100_000;
    });
    push("market decimals 19 with interest on PnL: InvalidDecimals", &|i| {
        marking(i);
        i.market_decimals = 19;
    });
    push("a zero collateral MIN price with funding to pay: DivideByZero", &|i| {
        i.coll_price = Q { min: 0, max: p(1), conf: 0 };
        i.funding_index = fi(f / 100, 0);
    });
    push("a zero collateral MAX price with funding to receive: DivideByZero", &|i| {
        i.coll_price = Q { min: p(1), max: 0, conf: 0 };
        i.funding_index = fi(0, f / 100);
    });
    push("a zero collateral MAX price with profit interest: DivideByZero", &|i| {
        profit_base(i);
        i.coll_price = Q { min: p(1), max: 0, conf: 0 };
    });
    push("funding in beyond u64 tokens: Overflow", &|i| {
        i.coll_price = Q { min: 1, max: 1, conf: 0 };
        i.coll_decimals = 18;
        i.funding_index = fi(f, 0);
    });
    push("credits overflow", &|i| {
        i.collateral = u64::MAX;
        i.funding_index = fi(0, f / 100);
    });
    push("debits overflow", &|i| {
        i.owed = u64::MAX;
        i.borrow_index = INDEX_ONE + INDEX_ONE / 100;
    });
    push("the mark overflows", &|i| {
        marking(i);
        i.size_tokens = u64::MAX;
        i.exit_price = u64::MAX;
    });
    // Realistic positions on every pair, some owing.
    let hand = v.len();
    let mut k = 0;
    while v.len() < hand + random {
        let (label, mut i) = position(rng, k);
        let kind = match k % 8 {
            0 => {
                i.owed = part(i.collateral, rng.range(1, 30_000)).max(1);
                i.collateral = 0;
                "owing, no collateral"
            }
            1 => {
                i.owed = part(i.collateral, rng.range(1, 12_000)).max(1);
                "owing, with collateral"
            }
            2 => {
                // Receiving 0.01 %..2 % of the size in funding while owing.
                i.funding_index.received =
                    i.funding_snapshot.received + FUNDING_ONE / 10_000 * rng.range(1, 200) as u128;
                let usd = part(i.size_usd, rng.range(1, 300));
                i.owed = tokens_for(usd, i.coll_price.max.max(1), i.coll_decimals, false).max(1);
                i.collateral = 0;
                "owing, receiving funding"
            }
            3 => {
                i.collateral = part(i.collateral, rng.range(0, 300)); // nearly wiped out
                "thin collateral"
            }
            4 => {
                i.interest_on_pnl = true;
                "interest on PnL"
            }
            _ => "random",
        };
        k += 1;
        v.push((format!("{label}: {kind}"), i));
    }
    let mut n = 0;
    while n < fuzz {
        let pair = rng.below(8) as usize;
        let (label, mut i) = position(rng, pair);
        match rng.below(12) {
            0 => i.locked = rng.edgy(),
            1 => i.collateral = rng.edgy(),
            2 => i.owed = rng.edgy(),
            3 => i.borrow_index = rng.edgy(),
            4 => i.funding_index = Fi { paid: rng.edgy_wide(), received: rng.edgy_wide() },
            5 => i.size_usd = rng.edgy(),
            6 => i.size_tokens = rng.edgy(),
            7 => i.coll_price = Q { min: rng.edgy() % (1 << 40), max: rng.edgy(), conf: 0 },
            8 => i.coll_decimals = rng.range(0, 20) as u8,
            9 => i.market_decimals = rng.range(0, 20) as u8,
            10 => i.pnl_base = Pnl { profit: rng.chance(50), usd: rng.edgy() },
            _ => {
                i.now = rng.next() as i64;
                i.pnl_seen_time = rng.next() as i64;
                i.warmup_secs = rng.edgy();
            }
        }
        i.interest_on_pnl = rng.chance(70);
        v.push((format!("fuzz {label}"), i));
        n += 1;
    }
    v
}

// ----- group_claim cases -----

fn group_cases(rng: &mut Rng, random: usize, fuzz: usize) -> Vec<(String, GroupIn)> {
    let mut v: Vec<(String, GroupIn)> = Vec::new();
    let p = |usd: u64| usd * 1_000_000_000;
    // 10,000 USD long on 100 tokens (9 decimals) with 1,000 USDC collateral.
    let base = GroupIn {
        side: LONG,
        oi_usd: 10_000 * USD,
        oi_tokens: 100 * 1_000_000_000,
        market_decimals: 9,
        market_price: p(50),
        collateral: 1_000 * USD,
        debt: 0,
        coll_decimals: 6,
        coll_price: p(1),
        round_for_max_aum: false,
    };
    let mut push = |note: &str, g: &dyn Fn(&mut GroupIn)| {
        for max in [false, true] {
            let mut i = base;
            g(&mut i);
            i.round_for_max_aum = max;
            v.push((format!("{note} ({} prices)", if max { "max" } else { "min" }), i));
        }
    };
    push("longs in loss: the claim capped at the collateral", &|_| {});
    push("longs in a small loss: the loss", &|i| i.market_price = p(95));
    push("longs in profit, less their debt", &|i| {
        i.market_price = p(150);
        i.debt = 200 * USD;
    });
    push("longs in profit below their debt: a claim", &|i| {
        i.market_price = p(101);
        i.debt = 300 * USD;
    });
    push("debt and loss together capped at the collateral", &|i| {
        i.market_price = p(95);
        i.debt = 800 * USD;
    });
    push("debt alone, at even PnL", &|i| {
        i.market_price = p(100);
        i.debt = 123 * USD;
    });
    push("claims exactly the profit: nothing either way", &|i| {
        i.market_price = p(102);
        i.debt = 200 * USD;
    });
    push("no collateral: a loss counts for nothing", &|i| i.collateral = 0);
    push("no collateral: a profit is owed in full", &|i| {
        i.collateral = 0;
        i.market_price = p(130);
    });
    push("an empty group", &|i| {
        i.oi_usd = 0;
        i.oi_tokens = 0;
        i.collateral = 0;
    });
    push("shorts in profit", &|i| {
        i.side = SHORT;
        i.market_price = p(80);
    });
    push("shorts in loss", &|i| {
        i.side = SHORT;
        i.market_price = p(105);
    });
    push("shorts in a loss beyond their collateral", &|i| {
        i.side = SHORT;
        i.market_price = p(130);
        i.debt = 50 * USD;
    });
    push("a long's value rounds: fractional tokens", &|i| {
        i.oi_tokens = 100 * 1_000_000_000 + 7;
        i.market_price = 100_000_000_001;
    });
    push("a short's value rounds: fractional tokens", &|i| {
        i.side = SHORT;
        i.oi_tokens = 100 * 1_000_000_000 + 7;
        i.market_price = 99_999_999_999;
    });
    push("collateral and debt round: fractional token prices", &|i| {
        i.market_price = 99_999_999_999;
        i.collateral = 1_000 * USD + 3;
        i.debt = 7;
        i.coll_price = 999_999_999;
    });
    push("SOL collateral at $150", &|i| {
        i.collateral = 6_666_666_667;
        i.coll_decimals = 9;
        i.coll_price = 150_000_000_123;
    });
    push("side 0 values as a long", &|i| i.side = 0);
    push("side 3 values as a long", &|i| {
        i.side = 3;
        i.market_price = p(120);
    });
    push("market decimals 19: InvalidDecimals", &|i| i.market_decimals = 19);
    push("collateral decimals 19: InvalidDecimals", &|i| i.coll_decimals = 19);
    push("collateral decimals 19 with no collateral or debt: fine", &|i| {
        i.coll_decimals = 19;
        i.collateral = 0;
    });
    push("collateral decimals 19, no collateral but a debt: InvalidDecimals", &|i| {
        i.coll_decimals = 19;
        i.collateral = 0;
        i.debt = 1;
    });
    push("the value overflows", &|i| {
        i.oi_tokens = u64::MAX;
        i.market_price = u64::MAX;
    });
    push("debt and loss overflow", &|i| {
        i.debt = u64::MAX;
        i.coll_decimals = 0;
        i.coll_price = 1_000;
    });
    push("collateral overflows", &|i| {
        i.collateral = u64::MAX;
        i.coll_price = u64::MAX;
    });
    let hand = v.len();
    while v.len() < hand + random {
        let (mt, ct, side) = PAIRS[rng.below(8) as usize];
        let oi = rng.log(1_000 * USD, 50_000_000 * USD);
        let entry = part(mt.price, rng.range(8_000, 12_000));
        let oi_tokens = tokens_for(oi, entry, mt.decimals, side == SHORT);
        let market_price = part(mt.price, rng.range(7_000, 13_000)) + rng.below(1_000);
        let coll_price = if mt == ct { market_price } else { ct.price + rng.below(1_000_000) };
        let collateral = tokens_for(part(oi, rng.range(200, 5_000)), coll_price, ct.decimals, false);
        let debt = if rng.chance(60) { 0 } else { part(collateral, rng.range(1, 15_000)) };
        v.push((
            format!("{} {} on {}", mt.name, if side == LONG { "longs" } else { "shorts" }, ct.name),
            GroupIn {
                side,
                oi_usd: oi,
                oi_tokens,
                market_decimals: mt.decimals,
                market_price,
                collateral,
                debt,
                coll_decimals: ct.decimals,
                coll_price,
                round_for_max_aum: rng.chance(50),
            },
        ));
    }
    for _ in 0..fuzz {
        v.push((
            "fuzz".to_string(),
            GroupIn {
                side: rng.pick(&[LONG, SHORT, LONG, SHORT, 0, 3]),
                oi_usd: rng.edgy(),
                oi_tokens: rng.edgy(),
                market_decimals: rng.range(0, 20) as u8,
                market_price: rng.edgy(),
                collateral: rng.edgy(),
                debt: if rng.chance(50) { 0 } else { rng.edgy() },
                coll_decimals: rng.range(0, 20) as u8,
                coll_price: rng.edgy(),
                round_for_max_aum: rng.chance(50),
            },
        ));
    }
    v
}

// ----- profit_lock_until cases -----

fn lock_cases(rng: &mut Rng, random: usize) -> Vec<(i64, u64)> {
    let mut v = vec![
        (100, 0),
        (100, 1),
        (100, 2),
        (100, 30),
        (T0, 3_600),
        (T0, 86_400),
        (0, 0),
        (0, 1),
        (-1, 0),
        (-100, 30),
        (i64::MIN, 0),
        (i64::MIN, 1),
        (i64::MIN, 2),
        (i64::MIN, i64::MAX as u64),
        (i64::MAX, 0),
        (i64::MAX, 1),
        (i64::MAX - 5, 6),
        (i64::MAX - 5, 5),
        (0, i64::MAX as u64),
        (1, i64::MAX as u64),
        (-1, i64::MAX as u64),
    ];
    while v.len() < random {
        let last = match rng.below(4) {
            0 => T0 + rng.below(100_000_000) as i64,
            1 => rng.next() as i64,
            2 => i64::MAX - rng.below(1 << 20) as i64,
            _ => rng.below(1_000) as i64 - 500,
        };
        let hold = match rng.below(4) {
            0 => rng.below(3),
            1 => rng.log(1, 30 * 86_400),
            _ => rng.edgy(),
        };
        v.push((last, hold));
    }
    v
}

// ---------------------------------------------------------------------------------------------
// The file.
// ---------------------------------------------------------------------------------------------

const SHARES: usize = 150;
const AGGREGATES: usize = 130;
const ACCRUALS: usize = 170;
const SETTLEMENTS: usize = 330;
const GROUPS: usize = 150;
const LOCKS: usize = 120;
const FUZZ: usize = 40;

fn build() -> Vec<(&'static str, Vec<Value>)> {
    let mut rng = Rng(0xCA22_7000_5EED_0014);
    vec![
        (
            "funding_shares",
            shares_cases(&mut rng, SHARES).into_iter().map(|(note, i)| case(&note, i.json(), ref_shares(&i))).collect(),
        ),
        (
            "funding_aggregates",
            aggregate_cases(&mut rng, AGGREGATES, FUZZ)
                .into_iter()
                .map(|(note, i)| case(&note, i.json(), ref_aggregates(&i)))
                .collect(),
        ),
        (
            "accrue_carry",
            accrue_cases(&mut rng, ACCRUALS, FUZZ)
                .into_iter()
                .map(|(note, i)| case(&note, i.json(), ref_accrue(&i)))
                .collect(),
        ),
        (
            "settle_carry",
            settle_cases(&mut rng, SETTLEMENTS, FUZZ)
                .into_iter()
                .map(|(note, i)| case(&note, i.json(), ref_settle(&i)))
                .collect(),
        ),
        (
            "group_claim",
            group_cases(&mut rng, GROUPS, FUZZ)
                .into_iter()
                .map(|(note, i)| case(&note, i.json(), ref_group(&i)))
                .collect(),
        ),
        (
            "profit_lock_until",
            lock_cases(&mut rng, LOCKS)
                .into_iter()
                .map(|(last, hold)| {
                    case(
                        "",
                        json!({ "last_increase_time": s(last), "min_profit_hold_secs": s(hold) }),
                        Ok(s(ref_lock(last, hold))),
                    )
                })
                .collect(),
        ),
    ]
}

/// Counts the shapes that matter per section (see the asserts in the generator test).
fn shapes(name: &str, list: &[Value]) -> BTreeMap<&'static str, usize> {
    let mut shapes = BTreeMap::new();
    let n = |v: &Value, k: &str| v[k].as_str().unwrap().parse::<u128>().unwrap();
    for v in list {
        let out = &v["out"];
        if out.is_null() {
            continue;
        }
        let x = &v["input"];
        let mut add = |k: &'static str| *shapes.entry(k).or_insert(0) += 1;
        match name {
            "funding_shares" => {
                add(if x["paid_up"] == true { "settlement rounding" } else { "aggregate rounding" });
            }
            "accrue_carry" => {
                if n(out, "to_collateral") > 0 {
                    add("to collateral");
                }
                if n(out, "to_collateral") > 0 && n(out, "to_pool") > 0 {
                    add("split");
                }
                if n(x, "to_suppliers") > 0 && n(out, "to_collateral") == 0 {
                    add("all to the pool");
                }
                if n(out, "borrow_fees") > 0
                    && n(out, "pnl_interest_due_usd") > 0
                    && n(out, "pnl_interest_owed_usd") > 0
                {
                    add("fees, due and owed");
                }
            }
            "settle_carry" => {
                if n(out, "owed_after") > 0 {
                    add("owed after");
                }
                if n(x, "owed") > 0 && n(out, "owed_after") == 0 {
                    add("owed cleared");
                }
                if n(out, "funding_unpaid") > 0 {
                    add("funding unpaid");
                }
                if n(out, "funding_in") > 0 {
                    add("funding in");
                }
                if n(out, "funding_out") > 0 {
                    add("funding out");
                }
                if n(out, "profit_interest_tokens") > 0 {
                    add("profit interest");
                }
                if n(out, "loss_interest_tokens") > 0 {
                    add("loss interest");
                }
                if n(out, "collateral_interest") > 0 {
                    add("collateral interest");
                }
                if x["pool_tokens"] != json!(u64::MAX.to_string())
                    && n(out, "funding_out") == n(x, "pool_tokens")
                    && n(out, "funding_out") < n(out, "funding_received_usd")
                {
                    add("funding out capped by the pool");
                }
                if n(out, "collateral_interest") > 0 && n(out, "collateral_interest") == n(x, "collateral_interest_due")
                {
                    add("collateral interest capped");
                }
                if out["pnl_base_after"]["profit"] == true {
                    add("profit base");
                }
                if out["pnl_base_after"]["profit"] == false && out["pnl_base_after"]["usd"] != "0" {
                    add("loss base");
                }
                if x["interest_on_pnl"] == true && x["size_usd"] != "0" {
                    if out["pnl_seen_time_after"] == x["now"] && out["pnl_seen_usd_after"] != "0" {
                        add("observation restarted");
                    }
                    if out["pnl_seen_time_after"] != x["now"] {
                        add("observation kept");
                    }
                }
                let side = x["side"].as_u64().unwrap();
                add(if side == 1 { "long" } else { "short" });
            }
            "group_claim" => {
                add(if x["round_for_max_aum"] == true { "max prices" } else { "min prices" });
                if n(out, "negative") > 0 {
                    add("pool owes");
                }
                if n(out, "positive") > 0 {
                    add("pool claims");
                    if n(out, "positive")
                        == to_usd(
                            n(x, "collateral") as u64,
                            n(x, "coll_price") as u64,
                            x["coll_decimals"].as_u64().unwrap() as u8,
                            x["round_for_max_aum"] == true,
                        )
                        .unwrap()
                    {
                        add("claim capped at the collateral");
                    }
                }
                if n(x, "debt") > 0 {
                    add("with debt");
                }
                add(if x["side"] == 2 { "shorts" } else { "longs" });
            }
            _ => {}
        }
    }
    shapes
}

#[test]
fn generate_carry_vectors() {
    let sections = build();
    let find = |name: &str| &sections.iter().find(|(n, _)| *n == name).unwrap().1;
    tally("funding_shares", find("funding_shares"), 80, &["ok", "Underflow", "Overflow"]);
    tally("funding_aggregates", find("funding_aggregates"), 80, &["ok", "Underflow", "Overflow"]);
    tally("accrue_carry", find("accrue_carry"), 80, &["ok", "Overflow"]);
    tally(
        "settle_carry",
        find("settle_carry"),
        80,
        &["ok", "Underflow", "Overflow", "InvalidDecimals", "DivideByZero"],
    );
    tally("group_claim", find("group_claim"), 80, &["ok", "Overflow", "InvalidDecimals"]);
    tally("profit_lock_until", find("profit_lock_until"), 80, &["ok"]);
    let required: [(&str, &[(&str, usize)]); 4] = [
        ("funding_shares", &[("settlement rounding", 40), ("aggregate rounding", 40)]),
        ("accrue_carry", &[("to collateral", 40), ("split", 30), ("all to the pool", 30), ("fees, due and owed", 40)]),
        (
            "settle_carry",
            &[
                ("owed after", 30),
                ("owed cleared", 20),
                ("funding unpaid", 20),
                ("funding in", 60),
                ("funding out", 60),
                ("profit interest", 30),
                ("loss interest", 30),
                ("collateral interest", 40),
                ("funding out capped by the pool", 5),
                ("collateral interest capped", 5),
                ("profit base", 40),
                ("loss base", 40),
                ("observation restarted", 30),
                ("observation kept", 20),
                ("long", 100),
                ("short", 100),
            ],
        ),
        (
            "group_claim",
            &[
                ("max prices", 60),
                ("min prices", 60),
                ("pool owes", 30),
                ("pool claims", 30),
                ("claim capped at the collateral", 10),
                ("with debt", 30),
                ("longs", 50),
                ("shorts", 50),
            ],
        ),
    ];
    for (name, wanted) in required {
        let got = shapes(name, find(name));
        eprintln!("{name} shapes: {got:?}");
        for (shape, min) in wanted {
            let count = got.get(shape).copied().unwrap_or(0);
            assert!(count >= *min, "{name}: only {count} vectors with {shape}");
        }
    }

    write_or_check(
        "carry.json",
        concat!(
            "Shared carry-math vectors (issue 14): integers are decimal strings (u8 fields such as side and decimals ",
            "are JSON numbers, flags booleans; funding indexes are u128 strings); every section holds {note, input, out, err} with ",
            "the Rust struct field names; exactly one of out/err is non-null; err is a MathError variant name. funding_shares ",
            "holds the two roundings the program uses (paid_up/received_up). Generated by programs/perpool/tests/gen_carry_vectors.rs ",
            "from u128/i128 references; checked by programs/perpool/tests/carry_vectors.rs and sdk/tests/carry-math.test.ts."
        ),
        &sections,
    );
}

// ---------------------------------------------------------------------------------------------
// The library against the reference on many more cases than the file holds.
// ---------------------------------------------------------------------------------------------

mod library {
    use super::*;
    use perpool_core::math::{self, carry, FundingIndex, Price};

    fn fi(f: Fi) -> FundingIndex {
        FundingIndex { paid: f.paid, received: f.received }
    }

    pub fn aggregates(i: &AggIn) -> R<Value> {
        let a = carry::funding_aggregates(&carry::FundingAggregatesInput {
            long_oi_usd: i.long_oi_usd,
            short_oi_usd: i.short_oi_usd,
            long_before: fi(i.long_before),
            long_after: fi(i.long_after),
            short_before: fi(i.short_before),
            short_after: fi(i.short_after),
        })
        .map_err(math_name)?;
        Ok(json!({
            "long_owed_usd": s(a.long_owed_usd), "long_due_usd": s(a.long_due_usd),
            "short_owed_usd": s(a.short_owed_usd), "short_due_usd": s(a.short_due_usd),
        }))
    }

    pub fn accrue(i: &AccIn) -> R<Value> {
        let a = carry::accrue_carry(&carry::CarryAccrualInput {
            locked: i.locked,
            borrow_index_before: i.borrow_index_before,
            borrow_index_after: i.borrow_index_after,
            supply_index_before: i.supply_index_before,
            supply_index_after: i.supply_index_after,
            pnl_profit_base_usd: i.pnl_profit_base_usd,
            pnl_loss_base_usd: i.pnl_loss_base_usd,
            to_suppliers: i.to_suppliers,
            lent: i.lent,
            pool_room: i.pool_room,
            earning_collateral: i.earning_collateral,
            collateral_index: i.collateral_index,
        })
        .map_err(math_name)?;
        Ok(json!({
            "borrow_fees": s(a.borrow_fees), "pnl_interest_due_usd": s(a.pnl_interest_due_usd),
            "pnl_interest_owed_usd": s(a.pnl_interest_owed_usd), "collateral_index": s(a.collateral_index),
            "to_collateral": s(a.to_collateral), "to_pool": s(a.to_pool),
        }))
    }

    pub fn settle_input(i: &SetIn) -> carry::CarryInput {
        carry::CarryInput {
            now: i.now,
            side: i.side,
            size_usd: i.size_usd,
            size_tokens: i.size_tokens,
            locked: i.locked,
            collateral: i.collateral,
            owed: i.owed,
            borrow_snapshot: i.borrow_snapshot,
            supply_snapshot: i.supply_snapshot,
            collateral_snapshot: i.collateral_snapshot,
            funding_snapshot: fi(i.funding_snapshot),
            pnl_base: math::Pnl { profit: i.pnl_base.profit, usd: i.pnl_base.usd },
            pnl_seen_usd: i.pnl_seen_usd,
            pnl_seen_time: i.pnl_seen_time,
            borrow_index: i.borrow_index,
            supply_index: i.supply_index,
            collateral_index: i.collateral_index,
            funding_index: fi(i.funding_index),
            collateral_earns: i.collateral_earns,
            interest_on_pnl: i.interest_on_pnl,
            warmup_secs: i.warmup_secs,
            exit_price: Price(i.exit_price),
            market_decimals: i.market_decimals,
            coll_price: math::PriceQuote {
                min: Price(i.coll_price.min),
                max: Price(i.coll_price.max),
                conf: i.coll_price.conf,
            },
            coll_decimals: i.coll_decimals,
            pool_tokens: i.pool_tokens,
            collateral_interest_due: i.collateral_interest_due,
        }
    }

    pub fn settle(i: &SetIn) -> R<Value> {
        let c = carry::settle_carry(&settle_input(i)).map_err(math_name)?;
        Ok(json!({
            "borrow_fee": s(c.borrow_fee), "funding_paid_usd": s(c.funding_paid_usd),
            "funding_received_usd": s(c.funding_received_usd), "funding_in": s(c.funding_in),
            "funding_out": s(c.funding_out), "funding_unpaid": s(c.funding_unpaid),
            "profit_interest_usd": s(c.profit_interest_usd), "profit_interest_tokens": s(c.profit_interest_tokens),
            "loss_interest_usd": s(c.loss_interest_usd), "loss_interest_tokens": s(c.loss_interest_tokens),
            "collateral_interest": s(c.collateral_interest), "collateral_after": s(c.collateral_after),
            "owed_after": s(c.owed_after),
            "pnl_base_after": { "profit": c.pnl_base_after.profit, "usd": s(c.pnl_base_after.usd) },
            "pnl_seen_usd_after": s(c.pnl_seen_usd_after), "pnl_seen_time_after": s(c.pnl_seen_time_after),
        }))
    }

    /// `funding_shares` through its public callers: the aggregates (long side) for the
    /// aggregate rounding, settlement for the settlement rounding.
    pub fn shares(i: &SharesIn) -> R<Value> {
        let (p, r) = if !i.paid_up && i.received_up {
            let a = carry::funding_aggregates(&carry::FundingAggregatesInput {
                long_oi_usd: i.size_usd,
                long_before: fi(i.before),
                long_after: fi(i.now),
                ..Default::default()
            })
            .map_err(math_name)?;
            (a.long_owed_usd, a.long_due_usd)
        } else if i.paid_up && !i.received_up {
            let c = carry::settle_carry(&neutral_settlement(i)).map_err(math_name)?;
            (c.funding_paid_usd, c.funding_received_usd)
        } else {
            panic!("funding_shares is only used with (down, up) and (up, down)");
        };
        Ok(json!({ "paid": s(p), "received": s(r) }))
    }

    /// A settlement where only funding moves and its net converts without error (USD at a
    /// price of u64::MAX with 0 decimals is at most 1,000 tokens).
    pub fn neutral_settlement(i: &SharesIn) -> carry::CarryInput {
        carry::CarryInput {
            size_usd: i.size_usd,
            funding_snapshot: fi(i.before),
            funding_index: fi(i.now),
            coll_price: math::PriceQuote { min: Price(u64::MAX), max: Price(u64::MAX), conf: 0 },
            coll_decimals: 0,
            pool_tokens: u64::MAX,
            ..Default::default()
        }
    }

    pub fn group(i: &GroupIn) -> R<Value> {
        let g = carry::group_claim(&carry::GroupInput {
            side: i.side,
            oi_usd: i.oi_usd,
            oi_tokens: i.oi_tokens,
            market_decimals: i.market_decimals,
            market_price: Price(i.market_price),
            collateral: i.collateral,
            debt: i.debt,
            coll_decimals: i.coll_decimals,
            coll_price: Price(i.coll_price),
            round_for_max_aum: i.round_for_max_aum,
        })
        .map_err(math_name)?;
        Ok(json!({ "positive": s(g.positive), "negative": s(g.negative) }))
    }
}

#[test]
fn library_matches_reference_on_random_cases() {
    let mut rng = Rng(0x0DD_CA22_7000_0014);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut count = |name: &str, r: &R<Value>| {
        *outcomes.entry(format!("{name} {}", r.as_ref().err().copied().unwrap_or("ok"))).or_default() += 1
    };
    for (note, i) in shares_cases(&mut rng, 20_000) {
        let expected = ref_shares(&i);
        assert_eq!(library::shares(&i), expected, "funding_shares ({note}): {i:?}");
        count("funding_shares", &expected);
    }
    for (note, i) in aggregate_cases(&mut rng, 10_000, 5_000) {
        let expected = ref_aggregates(&i);
        assert_eq!(library::aggregates(&i), expected, "funding_aggregates ({note}): {i:?}");
        count("funding_aggregates", &expected);
    }
    for (note, i) in accrue_cases(&mut rng, 10_000, 5_000) {
        let expected = ref_accrue(&i);
        assert_eq!(library::accrue(&i), expected, "accrue_carry ({note}): {i:?}");
        count("accrue_carry", &expected);
    }
    for (note, i) in settle_cases(&mut rng, 20_000, 10_000) {
        let expected = ref_settle(&i);
        assert_eq!(library::settle(&i), expected, "settle_carry ({note}): {i:?}");
        count("settle_carry", &expected);
    }
    for (note, i) in group_cases(&mut rng, 10_000, 5_000) {
        let expected = ref_group(&i);
        assert_eq!(library::group(&i), expected, "group_claim ({note}): {i:?}");
        count("group_claim", &expected);
    }
    for (last, hold) in lock_cases(&mut rng, 20_000) {
        assert_eq!(perpool_core::math::profit_lock_until(last, hold) as i128, ref_lock(last, hold), "{last} {hold}");
    }
    eprintln!("outcomes: {outcomes:?}");
}

/// The corners where an implementation once departed from the documented formula, now exact.
#[test]
fn former_differences() {
    // A warm-up above i64::MAX: 10 s is not that old, so no restart and the previous base holds
    // (the program once cast the warm-up to i64 and restarted).
    let mut i = SetIn {
        now: 1_010,
        side: LONG,
        size_usd: 10_000 * USD,
        size_tokens: 100 * 1_000_000_000,
        locked: 10_000 * USD,
        collateral: 1_000 * USD,
        borrow_snapshot: INDEX_ONE,
        supply_snapshot: INDEX_ONE,
        borrow_index: INDEX_ONE,
        supply_index: INDEX_ONE,
        interest_on_pnl: true,
        warmup_secs: u64::MAX,
        exit_price: 110_000_000_000,
        market_decimals: 9,
        coll_price: Q { min: 1_000_000_000, max: 1_000_000_000, conf: 0 },
        coll_decimals: 6,
        pool_tokens: u64::MAX,
        collateral_interest_due: u64::MAX,
        pnl_base: Pnl { profit: true, usd: 400 * USD },
        pnl_seen_usd: 600 * USD,
        pnl_seen_time: 1_000,
        ..SetIn::default()
    };
    let documented = ref_settle(&i).unwrap();
    assert_eq!(documented["pnl_base_after"]["usd"], "400000000");
    assert_eq!(documented["pnl_seen_time_after"], "1000");
    assert_eq!(library::settle(&i), ref_settle(&i));
    i.warmup_secs = i64::MAX as u64;
    assert_eq!(library::settle(&i), ref_settle(&i), "i64::MAX is still exact");

    // A negative time and a hold above i64::MAX: −10 + (2^64 − 1) − 1 is beyond i64, so i64::MAX
    // (the program once capped the hold first and answered i64::MAX − 11).
    assert_eq!(ref_lock(-10, u64::MAX), i64::MAX as i128);
    assert_eq!(perpool_core::math::profit_lock_until(-10, u64::MAX) as i128, ref_lock(-10, u64::MAX));
}
