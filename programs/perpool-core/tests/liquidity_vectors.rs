//! Checks the program's liquidity math against the shared vectors in
//! `tests/vectors/liquidity.json` (the TypeScript SDK checks the same file in
//! `sdk/tests/liquidity-math.test.ts`).

mod common;

use common::*;
use perpool_core::math::{self, LiquidityError, Price};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/liquidity.json");
/// Each section must hold at least this many vectors.
const MIN_PER_SECTION: usize = 60;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("liquidity.json has no section {name}"));
    assert!(list.len() >= MIN_PER_SECTION, "{name}: only {} vectors", list.len());
    list
}

fn liquidity_error(name: &str) -> LiquidityError {
    if let Some(e) = math_error(name) {
        return LiquidityError::Math(e);
    }
    match name {
        "ZeroAmount" => LiquidityError::ZeroAmount,
        "PoolValueZero" => LiquidityError::PoolValueZero,
        "MaxWeightExceeded" => LiquidityError::MaxWeightExceeded,
        "MinWeightExceeded" => LiquidityError::MinWeightExceeded,
        "PoolCapExceeded" => LiquidityError::PoolCapExceeded,
        "InsufficientLiquidity" => LiquidityError::InsufficientLiquidity,
        "InsufficientLpSupply" => LiquidityError::InsufficientLpSupply,
        "FirstDepositTooSmall" => LiquidityError::FirstDepositTooSmall,
        "LpMintTooSmall" => LiquidityError::LpMintTooSmall,
        other => panic!("unknown error name {other}"),
    }
}

/// Checks a quote: every output field of the vector equals the quote's field of that name, and
/// the quote has no field the vector lacks.
fn check_quote(name: &str, v: &Value, got: Result<Vec<(&str, u64)>, LiquidityError>) {
    match (expected(v), got) {
        (Ok(out), Ok(fields)) => {
            let out = out.as_object().expect("out is an object");
            assert_eq!(out.len(), fields.len(), "{name}: field count in {v}");
            for (field, value) in fields {
                assert_eq!(
                    Some(value),
                    out.get(field).and_then(Value::as_str).map(|x| x.parse().unwrap()),
                    "{name}.{field}: {v}"
                );
            }
        }
        (Err(err), Err(e)) => assert_eq!(e, liquidity_error(err), "{name}: {v}"),
        (want, got) => panic!("{name}: expected {want:?}, got {got:?} for {v}"),
    }
}

#[test]
fn dynamic_fee_bps_vectors() {
    let all = load();
    for v in section(&all, "dynamic_fee_bps") {
        let got = math::dynamic_fee_bps(&math::DynamicFeeInput {
            base_bps: u(v, "base_bps"),
            tax_bps: u(v, "tax_bps"),
            current_usd: u(v, "current_usd"),
            next_usd: u(v, "next_usd"),
            target_usd: u(v, "target_usd"),
        });
        check_scalar("dynamic_fee_bps", v, got, math_err);
    }
}

#[test]
fn split_fee_vectors() {
    let all = load();
    for v in section(&all, "split_fee") {
        let got = math::split_fee(u(v, "fee"), u(v, "protocol_share_bps"), u(v, "insurance_share_bps"));
        match (expected(v), got) {
            (Ok(out), Ok(split)) => {
                assert_eq!(split.lp, u(out, "lp"), "split_fee: {v}");
                assert_eq!(split.protocol, u(out, "protocol"), "split_fee: {v}");
                assert_eq!(split.insurance, u(out, "insurance"), "split_fee: {v}");
            }
            (Err(err), Err(e)) => assert_eq!(e, math_err(err), "split_fee: {v}"),
            (want, got) => panic!("split_fee: expected {want:?}, got {got:?} for {v}"),
        }
    }
}

#[test]
fn oracle_vectors() {
    let all = load();
    for v in section(&all, "normalize_price") {
        let raw: i64 = v["raw"].as_str().unwrap().parse().unwrap();
        let got = math::normalize_price(raw, small(v, "expo"), flag(v, "round_up"));
        check_scalar("normalize_price", v, got.map(|p| p.0), math_err);
    }
    for v in section(&all, "normalize_conf") {
        let got = math::normalize_conf(u(v, "conf"), small(v, "expo"));
        check_scalar("normalize_conf", v, got, math_err);
    }
    for v in section(&all, "conf_within") {
        let got = math::conf_within(Price(u(v, "price")), u(v, "conf"), u(v, "max_conf_bps"));
        assert_eq!(Some(got), v["out"].as_bool(), "conf_within: {v}");
    }
}

#[test]
fn custody_value_usd_vectors() {
    let all = load();
    for v in section(&all, "custody_value_usd") {
        let got =
            math::custody_value_usd(u(v, "owned"), Price(u(v, "price")), small(v, "decimals"), flag(v, "round_up"));
        check_scalar("custody_value_usd", v, got, math_err);
    }
}

/// A share-inflation guard of `AddLiquidityInput`: absent (the earlier vectors) means zero.
fn optional(v: &Value, key: &str) -> u64 {
    v.get(key).map_or(0, |_| u(v, key))
}

#[test]
fn quote_add_liquidity_vectors() {
    let all = load();
    let list = section(&all, "quote_add_liquidity");
    // The guards appear in the file (and so are read, not defaulted) and are exercised.
    for key in ["min_first_deposit_usd", "dead_lp", "min_lp_mint"] {
        let with = list.iter().filter(|v| v["input"].get(key).is_some()).count();
        assert!(with >= 50, "quote_add_liquidity: only {with} vectors with {key}");
    }
    for err in ["FirstDepositTooSmall", "LpMintTooSmall"] {
        assert!(list.iter().any(|v| v["err"] == err), "quote_add_liquidity: no {err} vector");
    }
    assert!(
        list.iter().any(|v| v["out"]["dead_lp"].as_str().is_some_and(|d| d != "0")),
        "quote_add_liquidity: no vector minting dead LP units"
    );
    for v in list {
        let i = &v["input"];
        let got = math::quote_add_liquidity(&math::AddLiquidityInput {
            amount_in: u(i, "amount_in"),
            decimals: small(i, "decimals"),
            price: Price(u(i, "price")),
            custody_usd: u(i, "custody_usd"),
            aum_usd: u(i, "aum_usd"),
            lp_supply: u(i, "lp_supply"),
            target_weight_bps: u(i, "target_weight_bps"),
            max_weight_bps: u(i, "max_weight_bps"),
            base_fee_bps: u(i, "base_fee_bps"),
            tax_fee_bps: u(i, "tax_fee_bps"),
            protocol_share_bps: u(i, "protocol_share_bps"),
            insurance_share_bps: u(i, "insurance_share_bps"),
            max_aum_usd: u(i, "max_aum_usd"),
            min_first_deposit_usd: optional(i, "min_first_deposit_usd"),
            dead_lp: optional(i, "dead_lp"),
            min_lp_mint: optional(i, "min_lp_mint"),
        })
        .map(|q| {
            vec![
                ("fee_bps", q.fee_bps),
                ("fee", q.fee),
                ("lp_out", q.lp_out),
                ("dead_lp", q.dead_lp),
                ("value_in_usd", q.value_in_usd),
                ("protocol_fee", q.protocol_fee),
                ("insurance_fee", q.insurance_fee),
                ("owned_increase", q.owned_increase),
            ]
        });
        check_quote("quote_add_liquidity", v, got);
    }
}

#[test]
fn quote_remove_liquidity_vectors() {
    let all = load();
    for v in section(&all, "quote_remove_liquidity") {
        let i = &v["input"];
        let got = math::quote_remove_liquidity(&math::RemoveLiquidityInput {
            lp_in: u(i, "lp_in"),
            lp_supply: u(i, "lp_supply"),
            aum_usd: u(i, "aum_usd"),
            decimals: small(i, "decimals"),
            price: Price(u(i, "price")),
            custody_usd: u(i, "custody_usd"),
            owned: u(i, "owned"),
            available: u(i, "available"),
            target_weight_bps: u(i, "target_weight_bps"),
            min_weight_bps: u(i, "min_weight_bps"),
            base_fee_bps: u(i, "base_fee_bps"),
            tax_fee_bps: u(i, "tax_fee_bps"),
            protocol_share_bps: u(i, "protocol_share_bps"),
            insurance_share_bps: u(i, "insurance_share_bps"),
        })
        .map(|q| {
            vec![
                ("value_usd", q.value_usd),
                ("fee_bps", q.fee_bps),
                ("fee", q.fee),
                ("amount_out", q.amount_out),
                ("protocol_fee", q.protocol_fee),
                ("insurance_fee", q.insurance_fee),
                ("owned_decrease", q.owned_decrease),
            ]
        });
        check_quote("quote_remove_liquidity", v, got);
    }
}

#[test]
fn quote_swap_vectors() {
    let all = load();
    for v in section(&all, "quote_swap") {
        let i = &v["input"];
        let got = math::quote_swap(&math::SwapInput {
            amount_in: u(i, "amount_in"),
            in_decimals: small(i, "in_decimals"),
            in_price: Price(u(i, "in_price")),
            in_custody_usd: u(i, "in_custody_usd"),
            in_target_bps: u(i, "in_target_bps"),
            in_max_weight_bps: u(i, "in_max_weight_bps"),
            in_base_fee_bps: u(i, "in_base_fee_bps"),
            in_tax_fee_bps: u(i, "in_tax_fee_bps"),
            out_decimals: small(i, "out_decimals"),
            out_price: Price(u(i, "out_price")),
            out_custody_usd: u(i, "out_custody_usd"),
            out_target_bps: u(i, "out_target_bps"),
            out_min_weight_bps: u(i, "out_min_weight_bps"),
            out_base_fee_bps: u(i, "out_base_fee_bps"),
            out_tax_fee_bps: u(i, "out_tax_fee_bps"),
            out_available: u(i, "out_available"),
            aum_usd: u(i, "aum_usd"),
            protocol_share_bps: u(i, "protocol_share_bps"),
            insurance_share_bps: u(i, "insurance_share_bps"),
        })
        .map(|q| {
            vec![
                ("value_in_usd", q.value_in_usd),
                ("fee_bps", q.fee_bps),
                ("fee", q.fee),
                ("amount_out", q.amount_out),
                ("protocol_fee", q.protocol_fee),
                ("insurance_fee", q.insurance_fee),
                ("in_owned_increase", q.in_owned_increase),
                ("out_owned_decrease", q.out_owned_decrease),
            ]
        });
        check_quote("quote_swap", v, got);
    }
}
