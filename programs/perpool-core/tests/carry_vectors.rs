//! Checks the program's carry math (`math/carry.rs`, issue 14) against the shared vectors in
//! `tests/vectors/carry.json` (the TypeScript SDK checks the same file in
//! `sdk/tests/carry-math.test.ts`).
//!
//! `funding_shares` is `pub(crate)`: its vectors are checked through its public callers —
//! `funding_aggregates` (long side) for the aggregates' rounding (paid down, received up) and
//! `settle_carry` (funding only) for settlement's (paid up, received down).

mod common;

use common::*;
use perpool_core::math::{self, carry, FundingIndex, MathError, Price};
use serde_json::{json, Value};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/carry.json");
/// Each section must hold at least this many vectors.
const MIN_PER_SECTION: usize = 100;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    section_of(all, name, MIN_PER_SECTION)
}

fn s(v: impl ToString) -> Value {
    Value::String(v.to_string())
}

/// Compares a result, rendered as JSON, with the vector's `out` (the same object, field for
/// field) or `err`.
fn check(name: &str, v: &Value, got: Result<Value, MathError>) {
    match (expected(v), got) {
        (Ok(out), Ok(got)) => assert_eq!(&got, out, "{name}: {v}"),
        (Err(err), Err(e)) => assert_eq!(e, math_err(err), "{name}: {v}"),
        (want, got) => panic!("{name}: expected {want:?}, got {got:?} for {v}"),
    }
}

fn fi(v: &Value) -> FundingIndex {
    FundingIndex { paid: w(v, "paid"), received: w(v, "received") }
}

#[test]
fn funding_shares_vectors() {
    let all = load();
    let list = section(&all, "funding_shares");
    let mut routes = [0; 2];
    for v in list {
        let x = &v["input"];
        let (size, now, before) = (u(x, "size_usd"), fi(&x["now"]), fi(&x["before"]));
        let got = match (flag(x, "paid_up"), flag(x, "received_up")) {
            (false, true) => {
                routes[0] += 1;
                carry::funding_aggregates(&carry::FundingAggregatesInput {
                    long_oi_usd: size,
                    long_before: before,
                    long_after: now,
                    ..Default::default()
                })
                .map(|a| (a.long_owed_usd, a.long_due_usd))
            }
            (true, false) => {
                routes[1] += 1;
                // Only funding moves, and its net converts without error (at most 1,000 tokens
                // at a price of u64::MAX with 0 decimals).
                carry::settle_carry(&carry::CarryInput {
                    size_usd: size,
                    funding_snapshot: before,
                    funding_index: now,
                    coll_price: math::PriceQuote { min: Price(u64::MAX), max: Price(u64::MAX), conf: 0 },
                    pool_tokens: u64::MAX,
                    ..Default::default()
                })
                .map(|c| (c.funding_paid_usd, c.funding_received_usd))
            }
            other => panic!("funding_shares is used with (down, up) and (up, down) only, not {other:?}"),
        };
        check("funding_shares", v, got.map(|(p, r)| json!({ "paid": s(p), "received": s(r) })));
    }
    assert!(routes.iter().all(|&n| n >= 40), "both roundings are covered: {routes:?}");
}

#[test]
fn funding_aggregates_vectors() {
    let all = load();
    for v in section(&all, "funding_aggregates") {
        let x = &v["input"];
        let got = carry::funding_aggregates(&carry::FundingAggregatesInput {
            long_oi_usd: u(x, "long_oi_usd"),
            short_oi_usd: u(x, "short_oi_usd"),
            long_before: fi(&x["long_before"]),
            long_after: fi(&x["long_after"]),
            short_before: fi(&x["short_before"]),
            short_after: fi(&x["short_after"]),
        })
        .map(|a| {
            json!({
                "long_owed_usd": s(a.long_owed_usd), "long_due_usd": s(a.long_due_usd),
                "short_owed_usd": s(a.short_owed_usd), "short_due_usd": s(a.short_due_usd),
            })
        });
        check("funding_aggregates", v, got);
    }
}

#[test]
fn accrue_carry_vectors() {
    let all = load();
    for v in section(&all, "accrue_carry") {
        let x = &v["input"];
        let got = carry::accrue_carry(&carry::CarryAccrualInput {
            locked: u(x, "locked"),
            borrow_index_before: u(x, "borrow_index_before"),
            borrow_index_after: u(x, "borrow_index_after"),
            supply_index_before: u(x, "supply_index_before"),
            supply_index_after: u(x, "supply_index_after"),
            pnl_profit_base_usd: u(x, "pnl_profit_base_usd"),
            pnl_loss_base_usd: u(x, "pnl_loss_base_usd"),
            to_suppliers: u(x, "to_suppliers"),
            lent: u(x, "lent"),
            pool_room: u(x, "pool_room"),
            earning_collateral: u(x, "earning_collateral"),
            collateral_index: u(x, "collateral_index"),
        })
        .map(|a| {
            json!({
                "borrow_fees": s(a.borrow_fees), "pnl_interest_due_usd": s(a.pnl_interest_due_usd),
                "pnl_interest_owed_usd": s(a.pnl_interest_owed_usd), "collateral_index": s(a.collateral_index),
                "to_collateral": s(a.to_collateral), "to_pool": s(a.to_pool),
            })
        });
        check("accrue_carry", v, got);
    }
}

#[test]
fn settle_carry_vectors() {
    let all = load();
    for v in section(&all, "settle_carry") {
        let x = &v["input"];
        let q = &x["coll_price"];
        let got = carry::settle_carry(&carry::CarryInput {
            now: i(x, "now"),
            side: small(x, "side"),
            size_usd: u(x, "size_usd"),
            size_tokens: u(x, "size_tokens"),
            locked: u(x, "locked"),
            collateral: u(x, "collateral"),
            owed: u(x, "owed"),
            borrow_snapshot: u(x, "borrow_snapshot"),
            supply_snapshot: u(x, "supply_snapshot"),
            collateral_snapshot: u(x, "collateral_snapshot"),
            funding_snapshot: fi(&x["funding_snapshot"]),
            pnl_base: math::Pnl { profit: flag(&x["pnl_base"], "profit"), usd: u(&x["pnl_base"], "usd") },
            pnl_seen_usd: u(x, "pnl_seen_usd"),
            pnl_seen_time: i(x, "pnl_seen_time"),
            borrow_index: u(x, "borrow_index"),
            supply_index: u(x, "supply_index"),
            collateral_index: u(x, "collateral_index"),
            funding_index: fi(&x["funding_index"]),
            collateral_earns: flag(x, "collateral_earns"),
            interest_on_pnl: flag(x, "interest_on_pnl"),
            warmup_secs: u(x, "warmup_secs"),
            exit_price: Price(u(x, "exit_price")),
            market_decimals: small(x, "market_decimals"),
            coll_price: math::PriceQuote { min: Price(u(q, "min")), max: Price(u(q, "max")), conf: u(q, "conf") },
            coll_decimals: small(x, "coll_decimals"),
            pool_tokens: u(x, "pool_tokens"),
            collateral_interest_due: u(x, "collateral_interest_due"),
        })
        .map(|c| {
            json!({
                "borrow_fee": s(c.borrow_fee), "funding_paid_usd": s(c.funding_paid_usd),
                "funding_received_usd": s(c.funding_received_usd), "funding_in": s(c.funding_in),
                "funding_out": s(c.funding_out), "funding_unpaid": s(c.funding_unpaid),
                "profit_interest_usd": s(c.profit_interest_usd), "profit_interest_tokens": s(c.profit_interest_tokens),
                "loss_interest_usd": s(c.loss_interest_usd), "loss_interest_tokens": s(c.loss_interest_tokens),
                "collateral_interest": s(c.collateral_interest), "collateral_after": s(c.collateral_after),
                "owed_after": s(c.owed_after),
                "pnl_base_after": { "profit": c.pnl_base_after.profit, "usd": s(c.pnl_base_after.usd) },
                "pnl_seen_usd_after": s(c.pnl_seen_usd_after), "pnl_seen_time_after": s(c.pnl_seen_time_after),
            })
        });
        check("settle_carry", v, got);
    }
}

#[test]
fn group_claim_vectors() {
    let all = load();
    for v in section(&all, "group_claim") {
        let x = &v["input"];
        let got = carry::group_claim(&carry::GroupInput {
            side: small(x, "side"),
            oi_usd: u(x, "oi_usd"),
            oi_tokens: u(x, "oi_tokens"),
            market_decimals: small(x, "market_decimals"),
            market_price: Price(u(x, "market_price")),
            collateral: u(x, "collateral"),
            debt: u(x, "debt"),
            coll_decimals: small(x, "coll_decimals"),
            coll_price: Price(u(x, "coll_price")),
            round_for_max_aum: flag(x, "round_for_max_aum"),
        })
        .map(|g| json!({ "positive": s(g.positive), "negative": s(g.negative) }));
        check("group_claim", v, got);
    }
}

#[test]
fn profit_lock_until_vectors() {
    let all = load();
    for v in section(&all, "profit_lock_until") {
        let x = &v["input"];
        let got = carry::profit_lock_until(i(x, "last_increase_time"), u(x, "min_profit_hold_secs"));
        check("profit_lock_until", v, Ok(s(got)));
    }
}
