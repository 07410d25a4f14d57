//! Checks the program's interest and position math against the shared vectors in
//! `tests/vectors/position.json` (the TypeScript SDK checks the same file in
//! `sdk/tests/position-math.test.ts`).

mod common;

use common::*;
use perpool_core::math::{self, MathError, PositionError, Price};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/position.json");
/// Each section must hold at least this many vectors; quote sections twice as many.
const MIN_PER_SECTION: usize = 60;
const MIN_PER_QUOTE_SECTION: usize = 120;
/// Quote vectors with an `impact` field (`IMPACT_INCREASE_CASES` / `IMPACT_DECREASE_CASES` in
/// `gen_position_vectors.rs`).
const IMPACT_INCREASE_CASES: usize = 196;
const IMPACT_DECREASE_CASES: usize = 220;
/// Quote vectors of positions that owe (an `owed_tokens` field in `pos`; `OWED_*_CASES` in
/// `gen_position_vectors.rs`).
const OWED_INCREASE_CASES: usize = 150;
const OWED_DECREASE_CASES: usize = 214;
const OWED_LIQUIDATE_CASES: usize = 190;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("position.json has no section {name}"));
    let min = if name.starts_with("quote_") { MIN_PER_QUOTE_SECTION } else { MIN_PER_SECTION };
    assert!(list.len() >= min, "{name}: only {} vectors", list.len());
    list
}

fn position_error(name: &str) -> PositionError {
    if let Some(e) = math_error(name) {
        return PositionError::Math(e);
    }
    use PositionError::*;
    match name {
        "InvalidSide" => InvalidSide,
        "InvalidSpread" => InvalidSpread,
        "ZeroAmount" => ZeroAmount,
        "InsufficientCollateral" => InsufficientCollateral,
        "PositionTooLarge" => PositionTooLarge,
        "OpenInterestCap" => OpenInterestCap,
        "InsufficientLiquidity" => InsufficientLiquidity,
        "CollateralTooSmall" => CollateralTooSmall,
        "LeverageTooHigh" => LeverageTooHigh,
        "WouldBeLiquidatable" => WouldBeLiquidatable,
        "SizeTooLarge" => SizeTooLarge,
        "PositionUnderwater" => PositionUnderwater,
        "NotLiquidatable" => NotLiquidatable,
        "PriceImpactTooLarge" => PriceImpactTooLarge,
        other => panic!("unknown error name {other}"),
    }
}

fn quote(v: &Value) -> math::PriceQuote {
    math::PriceQuote { min: Price(u(v, "min")), max: Price(u(v, "max")), conf: u(v, "conf") }
}

fn curve(v: &Value) -> math::RateCurve {
    math::RateCurve {
        base_rate: u(v, "base_rate"),
        slope1: u(v, "slope1"),
        slope2: u(v, "slope2"),
        optimal_utilization_bps: u(v, "optimal_utilization_bps"),
        reserve_factor_bps: u(v, "reserve_factor_bps"),
    }
}

fn pos(v: &Value) -> math::PositionState {
    math::PositionState {
        side: small(v, "side"),
        open_time: i(v, "open_time"),
        size_usd: u(v, "size_usd"),
        size_tokens: u(v, "size_tokens"),
        collateral_amount: u(v, "collateral_amount"),
        locked_amount: u(v, "locked_amount"),
        borrow_index_snapshot: u(v, "borrow_index_snapshot"),
        owed_tokens: v.get("owed_tokens").map(|_| u(v, "owed_tokens")).unwrap_or(0),
    }
}

fn market(v: &Value) -> math::MarketSide {
    math::MarketSide {
        decimals: small(v, "decimals"),
        price: quote(&v["price"]),
        spread_bps: u(v, "spread_bps"),
        open_fee_bps: u(v, "open_fee_bps"),
        close_fee_bps: u(v, "close_fee_bps"),
        max_leverage_bps: u(v, "max_leverage_bps"),
        max_position_usd: u(v, "max_position_usd"),
        oi_usd: u(v, "oi_usd"),
        oi_cap_usd: u(v, "oi_cap_usd"),
        min_collateral_usd: u(v, "min_collateral_usd"),
        maintenance_margin_bps: u(v, "maintenance_margin_bps"),
        liquidation_reward_bps: u(v, "liquidation_reward_bps"),
    }
}

fn coll(v: &Value) -> math::CollateralSide {
    math::CollateralSide {
        decimals: small(v, "decimals"),
        price: quote(&v["price"]),
        borrow_index: u(v, "borrow_index"),
        owned: u(v, "owned"),
        locked: u(v, "locked"),
        buffer_bps: u(v, "buffer_bps"),
    }
}

/// A quote input's price impact; an absent `impact` field is zero.
fn impact(x: &Value) -> math::Impact {
    match x.get("impact") {
        None => math::Impact::default(),
        Some(v) => math::Impact { positive: flag(v, "positive"), usd: u(v, "usd") },
    }
}

/// The number of vectors whose position owes (`pos.owed_tokens` present: read, not defaulted).
fn owing(list: &[Value]) -> usize {
    list.iter().filter(|v| v["input"]["pos"].get("owed_tokens").is_some()).count()
}

/// The number of vectors whose input has an `impact` field.
fn with_impact(list: &[Value]) -> usize {
    list.iter().filter(|v| v["input"].get("impact").is_some()).count()
}

fn fees(v: &Value) -> math::FeeShares {
    math::FeeShares { protocol_bps: u(v, "protocol_bps"), insurance_bps: u(v, "insurance_bps") }
}

#[test]
fn interest_vectors() {
    let all = load();
    for v in section(&all, "utilization_bps") {
        let got = math::utilization_bps(u(v, "borrowed"), u(v, "lendable"));
        check_scalar("utilization_bps", v, Ok::<u64, MathError>(got), math_err);
    }
    for v in section(&all, "borrow_rate") {
        check_scalar("borrow_rate", v, math::borrow_rate(&curve(&v["curve"]), u(v, "u_bps")), math_err);
    }
    for v in section(&all, "supply_rate") {
        let got = math::supply_rate(u(v, "borrow_rate"), u(v, "u_bps"), u(v, "reserve_factor_bps"));
        check_scalar("supply_rate", v, got, math_err);
    }
    for v in section(&all, "accrue_index") {
        let got = math::accrue_index(u(v, "index"), u(v, "rate"), u(v, "dt_secs"), flag(v, "round_up"));
        check_scalar("accrue_index", v, got, math_err);
    }
    for v in section(&all, "accrue") {
        let x = &v["input"];
        let got = math::accrue(&math::AccrualInput {
            borrow_index: u(x, "borrow_index"),
            supply_index: u(x, "supply_index"),
            last_accrual: i(x, "last_accrual"),
            now: i(x, "now"),
            locked: u(x, "locked"),
            lent: u(x, "lent"),
            lendable: u(x, "lendable"),
            curve: curve(&x["curve"]),
        })
        .map(|a| {
            vec![
                ("borrow_index", n(a.borrow_index)),
                ("supply_index", n(a.supply_index)),
                ("borrow_rate", n(a.borrow_rate)),
                ("supply_rate", n(a.supply_rate)),
                ("utilization_bps", n(a.utilization_bps)),
            ]
        });
        check_fields("accrue", v, got, math_err);
    }
}

#[test]
fn price_and_pnl_vectors() {
    let all = load();
    for v in section(&all, "trade_spread_bps") {
        let got = math::trade_spread_bps(u(v, "spread_bps"), &quote(&v["price"]));
        check_scalar("trade_spread_bps", v, got, position_error);
    }
    for v in section(&all, "entry_price") {
        let got = math::entry_price(small(v, "side"), &quote(&v["price"]), u(v, "spread_bps"));
        check_scalar("entry_price", v, got.map(|p| p.0), position_error);
    }
    for v in section(&all, "exit_price") {
        let got = math::exit_price(small(v, "side"), &quote(&v["price"]), u(v, "spread_bps"));
        check_scalar("exit_price", v, got.map(|p| p.0), position_error);
    }
    for v in section(&all, "size_tokens") {
        let got = math::size_tokens(small(v, "side"), u(v, "size_usd"), Price(u(v, "price")), small(v, "decimals"));
        check_scalar("size_tokens", v, got, position_error);
    }
    for v in section(&all, "pnl") {
        let got = math::pnl(
            small(v, "side"),
            u(v, "size_usd"),
            u(v, "size_tokens"),
            Price(u(v, "exit_price")),
            small(v, "decimals"),
        );
        check_fields("pnl", v, got.map(|p| vec![("profit", F::B(p.profit)), ("usd", n(p.usd))]), position_error);
    }
    for v in section(&all, "average_price") {
        let got = math::average_price(u(v, "size_usd"), u(v, "size_tokens"), small(v, "decimals"));
        check_scalar("average_price", v, got.map(|p| p.0), math_err);
    }
    for v in section(&all, "borrow_fee_tokens") {
        let got = math::borrow_fee_tokens(u(v, "locked"), u(v, "index_now"), u(v, "index_snapshot"));
        check_scalar("borrow_fee_tokens", v, got, math_err);
    }
    for v in section(&all, "pool_pnl") {
        let x = &v["input"];
        let got = math::pool_pnl(&math::PoolPnlInput {
            long_oi_usd: u(x, "long_oi_usd"),
            long_oi_tokens: u(x, "long_oi_tokens"),
            short_oi_usd: u(x, "short_oi_usd"),
            short_oi_tokens: u(x, "short_oi_tokens"),
            decimals: small(x, "decimals"),
            long_price: Price(u(x, "long_price")),
            short_price: Price(u(x, "short_price")),
            round_for_max_aum: flag(x, "round_for_max_aum"),
        });
        check_fields("pool_pnl", v, got.map(|p| vec![("profit", F::B(p.profit)), ("usd", n(p.usd))]), math_err);
    }
}

#[test]
fn quote_increase_vectors() {
    let all = load();
    let list = section(&all, "quote_increase");
    assert_eq!(with_impact(list), IMPACT_INCREASE_CASES, "quote_increase impact cases");
    assert_eq!(owing(list), OWED_INCREASE_CASES, "quote_increase owed cases");
    for v in list {
        let x = &v["input"];
        let got = math::quote_increase(&math::IncreaseInput {
            now: i(x, "now"),
            pos: pos(&x["pos"]),
            size_delta_usd: u(x, "size_delta_usd"),
            collateral_delta: u(x, "collateral_delta"),
            market: market(&x["market"]),
            coll: coll(&x["coll"]),
            fees: fees(&x["fees"]),
            impact: impact(x),
        })
        .map(|q| {
            vec![
                ("entry_price", n(q.entry_price.0)),
                ("size_tokens_delta", n(q.size_tokens_delta)),
                ("fee_usd", n(q.fee_usd)),
                ("fee_tokens", n(q.fee_tokens)),
                ("borrow_fee_tokens", n(q.borrow_fee_tokens)),
                ("owed_paid", n(q.owed_paid)),
                ("collateral_after", n(q.collateral_after)),
                ("locked_delta", n(q.locked_delta)),
                ("size_usd_after", n(q.size_usd_after)),
                ("size_tokens_after", n(q.size_tokens_after)),
                ("average_price_after", n(q.average_price_after.0)),
                ("leverage_bps_after", n(q.leverage_bps_after)),
                ("lp_fee", n(q.lp_fee)),
                ("protocol_fee", n(q.protocol_fee)),
                ("insurance_fee", n(q.insurance_fee)),
            ]
        });
        check_fields("quote_increase", v, got, position_error);
    }
}

#[test]
fn decrease_impact_vectors() {
    let all = load();
    for v in section(&all, "decrease_impact") {
        let x = &v["input"];
        let got = math::decrease_impact(&math::DecreaseImpactInput {
            pos: pos(&x["pos"]),
            size_delta_usd: u(x, "size_delta_usd"),
            market: market(&x["market"]),
            impact: impact(x),
        })
        .map(|r| vec![("positive", F::B(r.positive)), ("usd", n(r.usd))]);
        check_fields("decrease_impact", v, got, position_error);
    }
}

#[test]
fn quote_decrease_vectors() {
    let all = load();
    let list = section(&all, "quote_decrease");
    assert_eq!(with_impact(list), IMPACT_DECREASE_CASES, "quote_decrease impact cases");
    assert_eq!(owing(list), OWED_DECREASE_CASES, "quote_decrease owed cases");
    for v in list {
        let x = &v["input"];
        let got = math::quote_decrease(&math::DecreaseInput {
            now: i(x, "now"),
            pos: pos(&x["pos"]),
            size_delta_usd: u(x, "size_delta_usd"),
            collateral_out: u(x, "collateral_out"),
            market: market(&x["market"]),
            coll: coll(&x["coll"]),
            fees: fees(&x["fees"]),
            impact: impact(x),
        })
        .map(|q| {
            vec![
                ("exit_price", n(q.exit_price.0)),
                ("closed_tokens", n(q.closed_tokens)),
                ("pnl_profit", F::B(q.pnl_profit)),
                ("pnl_usd", n(q.pnl_usd)),
                ("profit_tokens", n(q.profit_tokens)),
                ("loss_tokens", n(q.loss_tokens)),
                ("fee_usd", n(q.fee_usd)),
                ("fee_tokens", n(q.fee_tokens)),
                ("borrow_fee_tokens", n(q.borrow_fee_tokens)),
                ("owed_paid", n(q.owed_paid)),
                ("locked_released", n(q.locked_released)),
                ("amount_out", n(q.amount_out)),
                ("collateral_after", n(q.collateral_after)),
                ("size_usd_after", n(q.size_usd_after)),
                ("size_tokens_after", n(q.size_tokens_after)),
                ("full_close", F::B(q.full_close)),
                ("lp_fee", n(q.lp_fee)),
                ("protocol_fee", n(q.protocol_fee)),
                ("insurance_fee", n(q.insurance_fee)),
            ]
        });
        check_fields("quote_decrease", v, got, position_error);
    }
}

#[test]
fn quote_liquidate_vectors() {
    let all = load();
    let list = section(&all, "quote_liquidate");
    assert_eq!(owing(list), OWED_LIQUIDATE_CASES, "quote_liquidate owed cases");
    for v in list {
        let x = &v["input"];
        let got = math::quote_liquidate(&math::LiquidateInput {
            now: i(x, "now"),
            pos: pos(&x["pos"]),
            market: market(&x["market"]),
            coll: coll(&x["coll"]),
            fees: fees(&x["fees"]),
            insurance_balance: u(x, "insurance_balance"),
        })
        .map(|q| {
            vec![
                ("full", F::B(q.full)),
                ("fraction_bps", n(q.fraction_bps)),
                ("size_delta_usd", n(q.size_delta_usd)),
                ("exit_price", n(q.exit_price.0)),
                ("closed_tokens", n(q.closed_tokens)),
                ("pnl_profit", F::B(q.pnl_profit)),
                ("pnl_usd", n(q.pnl_usd)),
                ("profit_tokens", n(q.profit_tokens)),
                ("loss_tokens", n(q.loss_tokens)),
                ("fee_tokens", n(q.fee_tokens)),
                ("borrow_fee_tokens", n(q.borrow_fee_tokens)),
                ("owed_paid", n(q.owed_paid)),
                ("owed_written_off", n(q.owed_written_off)),
                ("reward_tokens", n(q.reward_tokens)),
                ("reward_from_insurance", n(q.reward_from_insurance)),
                ("reward_from_pool", n(q.reward_from_pool)),
                ("insurance_used", n(q.insurance_used)),
                ("pool_loss", n(q.pool_loss)),
                ("owner_out", n(q.owner_out)),
                ("collateral_after", n(q.collateral_after)),
                ("locked_released", n(q.locked_released)),
                ("size_usd_after", n(q.size_usd_after)),
                ("size_tokens_after", n(q.size_tokens_after)),
                ("lp_fee", n(q.lp_fee)),
                ("protocol_fee", n(q.protocol_fee)),
                ("insurance_fee", n(q.insurance_fee)),
            ]
        });
        check_fields("quote_liquidate", v, got, position_error);
    }
}
