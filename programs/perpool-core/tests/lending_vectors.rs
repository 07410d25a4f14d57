//! Checks the program's lending math against the shared vectors in `tests/vectors/lending.json`
//! (the TypeScript SDK checks the same file in `sdk/tests/lending-math.test.ts`).

mod common;

use common::*;
use perpool_core::math::{self, LendingError, MathError, Price};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/lending.json");
/// Each section must hold at least this many vectors; quote sections at least 100.
const MIN_PER_SECTION: usize = 60;
const MIN_PER_QUOTE_SECTION: usize = 100;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("lending.json has no section {name}"));
    let min = if name.starts_with("quote_") { MIN_PER_QUOTE_SECTION } else { MIN_PER_SECTION };
    assert!(list.len() >= min, "{name}: only {} vectors", list.len());
    list
}

fn lending_error(name: &str) -> LendingError {
    if let Some(e) = math_error(name) {
        return LendingError::Math(e);
    }
    use LendingError::*;
    match name {
        "ZeroAmount" => ZeroAmount,
        "LtvTooHigh" => LtvTooHigh,
        "InsufficientLiquidity" => InsufficientLiquidity,
        "UtilizationTooHigh" => UtilizationTooHigh,
        "InsufficientCollateral" => InsufficientCollateral,
        "NotLiquidatable" => NotLiquidatable,
        other => panic!("unknown error name {other}"),
    }
}

fn loan(v: &Value) -> math::LoanState {
    math::LoanState { collateral_amount: u(v, "collateral_amount"), scaled_debt: u(v, "scaled_debt") }
}

fn coll(v: &Value) -> math::LoanCollateralSide {
    math::LoanCollateralSide {
        decimals: small(v, "decimals"),
        price_min: Price(u(v, "price_min")),
        price_max: Price(u(v, "price_max")),
    }
}

fn borrow(v: &Value) -> math::LoanBorrowSide {
    math::LoanBorrowSide {
        decimals: small(v, "decimals"),
        price_max: Price(u(v, "price_max")),
        borrow_index: u(v, "borrow_index"),
        owned: u(v, "owned"),
        locked: u(v, "locked"),
        lent: u(v, "lent"),
        lendable: u(v, "lendable"),
        buffer_bps: u(v, "buffer_bps"),
        max_utilization_bps: u(v, "max_utilization_bps"),
        collateral_room: v.get("collateral_room").map(|_| u(v, "collateral_room")).unwrap_or(0),
    }
}

fn params(v: &Value) -> math::LoanParams {
    math::LoanParams {
        max_ltv_bps: u(v, "max_ltv_bps"),
        liquidation_ltv_bps: u(v, "liquidation_ltv_bps"),
        liquidation_bonus_bps: u(v, "liquidation_bonus_bps"),
        close_factor_bps: u(v, "close_factor_bps"),
    }
}

fn health_input(x: &Value) -> math::LoanHealthInput {
    math::LoanHealthInput {
        loan: loan(&x["loan"]),
        coll: coll(&x["coll"]),
        borrow: borrow(&x["borrow"]),
        params: params(&x["params"]),
    }
}

#[test]
fn accrual_and_interest_vectors() {
    let all = load();
    for (name, f) in [
        (
            "accrue_lending",
            math::accrue_lending as fn(&math::LendingAccrualInput) -> Result<math::LendingAccrual, math::MathError>,
        ),
        ("accrue_lending_down", math::accrue_lending_down),
    ] {
        for v in section(&all, name) {
            let x = &v["input"];
            let got = f(&math::LendingAccrualInput {
                lent: u(x, "lent"),
                old_borrow_index: u(x, "old_borrow_index"),
                new_borrow_index: u(x, "new_borrow_index"),
                reserve_factor_bps: u(x, "reserve_factor_bps"),
                protocol_share_bps: u(x, "protocol_share_bps"),
                insurance_share_bps: u(x, "insurance_share_bps"),
            })
            .map(|a| {
                vec![
                    ("lent", n(a.lent)),
                    ("interest", n(a.interest)),
                    ("to_suppliers", n(a.to_suppliers)),
                    ("to_protocol", n(a.to_protocol)),
                    ("to_insurance", n(a.to_insurance)),
                ]
            });
            check_fields(name, v, got, math_err);
        }
    }
    for v in section(&all, "debt_tokens") {
        let got = math::debt_tokens(u(v, "scaled"), u(v, "borrow_index"));
        check_scalar("debt_tokens", v, got, math_err);
    }
    for v in section(&all, "borrow_scaled") {
        let got = math::borrow_scaled(u(v, "amount"), u(v, "borrow_index"));
        check_scalar("borrow_scaled", v, got, math_err);
    }
    for v in section(&all, "repay_scaled") {
        let got = math::repay_scaled(u(v, "amount"), u(v, "borrow_index"));
        check_scalar("repay_scaled", v, got, math_err);
    }
    for v in section(&all, "supply_interest") {
        let got = math::supply_interest(u(v, "amount"), u(v, "supply_index_now"), u(v, "snapshot"));
        check_scalar("supply_interest", v, got, math_err);
    }
    for v in section(&all, "pnl_interest") {
        let x = &v["input"];
        let got = math::pnl_interest(&math::PnlInterestInput {
            pnl_profit: flag(x, "pnl_profit"),
            pnl_usd: u(x, "pnl_usd"),
            supply_index_now: u(x, "supply_index_now"),
            supply_snapshot: u(x, "supply_snapshot"),
            borrow_index_now: u(x, "borrow_index_now"),
            borrow_snapshot: u(x, "borrow_snapshot"),
        })
        .map(|p| vec![("profit", F::B(p.profit)), ("usd", n(p.usd))]);
        check_fields("pnl_interest", v, got, math_err);
    }
}

#[test]
fn health_vectors() {
    let all = load();
    for v in section(&all, "ltv_bps") {
        let got = math::ltv_bps(u(v, "debt_usd"), u(v, "collateral_usd"));
        check_scalar("ltv_bps", v, Ok::<u64, MathError>(got), math_err);
    }
    for v in section(&all, "loan_health") {
        let got = math::loan_health(&health_input(&v["input"])).map(|h| {
            vec![
                ("debt", n(h.debt)),
                ("debt_usd", n(h.debt_usd)),
                ("collateral_usd", n(h.collateral_usd)),
                ("ltv_bps", n(h.ltv_bps)),
                ("liquidatable", F::B(h.liquidatable)),
            ]
        });
        check_fields("loan_health", v, got, math_err);
    }
    for v in section(&all, "loan_liquidation_price") {
        let got =
            math::loan_liquidation_price(&health_input(&v["input"])).map(|p| vec![("price", F::O(p.map(|p| p.0)))]);
        check_fields("loan_liquidation_price", v, got, math_err);
    }
}

#[test]
fn quote_borrow_vectors() {
    let all = load();
    let list = section(&all, "quote_borrow");
    // Lent collateral (`collateral_room`, absent meaning zero) is in the file and is read.
    let with = list.iter().filter(|v| v["input"]["borrow"].get("collateral_room").is_some()).count();
    assert!(with >= 100, "quote_borrow: only {with} vectors with a collateral room");
    for v in list {
        let x = &v["input"];
        let got = math::quote_borrow(&math::BorrowInput {
            loan: loan(&x["loan"]),
            amount: u(x, "amount"),
            coll: coll(&x["coll"]),
            borrow: borrow(&x["borrow"]),
            params: params(&x["params"]),
        })
        .map(|q| {
            vec![
                ("scaled_delta", n(q.scaled_delta)),
                ("debt_after", n(q.debt_after)),
                ("debt_usd_after", n(q.debt_usd_after)),
                ("collateral_usd", n(q.collateral_usd)),
                ("ltv_bps_after", n(q.ltv_bps_after)),
            ]
        });
        check_fields("quote_borrow", v, got, lending_error);
    }
}

#[test]
fn quote_repay_vectors() {
    let all = load();
    for v in section(&all, "quote_repay") {
        let x = &v["input"];
        let got = math::quote_repay(&math::RepayInput {
            scaled_debt: u(x, "scaled_debt"),
            amount: u(x, "amount"),
            borrow_index: u(x, "borrow_index"),
        })
        .map(|q| {
            vec![("repaid", n(q.repaid)), ("scaled_delta", n(q.scaled_delta)), ("scaled_after", n(q.scaled_after))]
        });
        check_fields("quote_repay", v, got, lending_error);
    }
}

#[test]
fn quote_withdraw_collateral_vectors() {
    let all = load();
    for v in section(&all, "quote_withdraw_collateral") {
        let x = &v["input"];
        let got = math::quote_withdraw_collateral(&math::WithdrawCollateralInput {
            loan: loan(&x["loan"]),
            amount: u(x, "amount"),
            coll: coll(&x["coll"]),
            borrow: borrow(&x["borrow"]),
            params: params(&x["params"]),
        })
        .map(|q| vec![("collateral_after", n(q.collateral_after)), ("ltv_bps_after", n(q.ltv_bps_after))]);
        check_fields("quote_withdraw_collateral", v, got, lending_error);
    }
}

#[test]
fn quote_liquidate_loan_vectors() {
    let all = load();
    let list = section(&all, "quote_liquidate_loan");
    // The recall path (`recall_excess`, absent meaning zero) is in the file and is read.
    let with = list.iter().filter(|v| v["input"].get("recall_excess").is_some()).count();
    assert!(with >= 100, "quote_liquidate_loan: only {with} vectors with a recall excess");
    for v in list {
        let x = &v["input"];
        let got = math::quote_liquidate_loan(&math::LiquidateLoanInput {
            loan: loan(&x["loan"]),
            repay_amount: u(x, "repay_amount"),
            coll: coll(&x["coll"]),
            borrow: borrow(&x["borrow"]),
            params: params(&x["params"]),
            insurance_balance: u(x, "insurance_balance"),
            recall_excess: x.get("recall_excess").map(|_| u(x, "recall_excess")).unwrap_or(0),
        })
        .map(|q| {
            vec![
                ("repaid", n(q.repaid)),
                ("scaled_after", n(q.scaled_after)),
                ("collateral_seized", n(q.collateral_seized)),
                ("collateral_after", n(q.collateral_after)),
                ("bad_debt", n(q.bad_debt)),
                ("insurance_used", n(q.insurance_used)),
                ("socialized", n(q.socialized)),
                ("ltv_bps_before", n(q.ltv_bps_before)),
            ]
        });
        check_fields("quote_liquidate_loan", v, got, lending_error);
    }
}
