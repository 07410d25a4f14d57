//! Checks the program's price-impact, funding and auto-deleveraging math against the shared
//! vectors in `tests/vectors/risk.json` (the TypeScript SDK checks the same file in
//! `sdk/tests/risk-math.test.ts`).

mod common;

use common::*;
use perpool_core::math::{self, FundingError, ImpactError, MathError, Price};
use serde_json::{json, Value};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/risk.json");
const MIN_PER_SECTION: usize = 60;
/// The `adl_ratio` section holds exactly this many cases (`ADL_RATIO_CASES` in
/// `gen_risk_vectors.rs`).
const ADL_RATIO_CASES: usize = 310;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("risk.json has no section {name}"));
    assert!(list.len() >= MIN_PER_SECTION, "{name}: only {} vectors", list.len());
    list
}

fn math_name(e: MathError) -> &'static str {
    match e {
        MathError::Overflow => "Overflow",
        MathError::Underflow => "Underflow",
        MathError::DivideByZero => "DivideByZero",
        MathError::InvalidDecimals => "InvalidDecimals",
        MathError::InvalidPrice => "InvalidPrice",
    }
}

fn impact_name(e: ImpactError) -> &'static str {
    match e {
        ImpactError::Math(m) => math_name(m),
        ImpactError::InvalidSide => "InvalidSide",
        ImpactError::InvalidExponent => "InvalidExponent",
        ImpactError::ImpactTooLarge => "ImpactTooLarge",
    }
}

fn funding_name(e: FundingError) -> &'static str {
    match e {
        FundingError::Math(m) => math_name(m),
        FundingError::InvalidSide => "InvalidSide",
    }
}

/// The vector's `{out, err}` against a result rendered as JSON (errors by variant name).
fn check(name: &str, v: &Value, got: Result<Value, &'static str>) {
    let want = match (&v["out"], &v["err"]) {
        (Value::Null, Value::String(err)) => Err(err.as_str()),
        (out, Value::Null) if !out.is_null() => Ok(out.clone()),
        _ => panic!("{name}: exactly one of out/err must be set in {v}"),
    };
    assert_eq!(got, want, "{name}: {}", v["note"]);
}

fn index(v: &Value) -> math::FundingIndex {
    math::FundingIndex { paid: w(v, "paid"), received: w(v, "received") }
}

fn index_json(i: &math::FundingIndex) -> Value {
    json!({"paid": i.paid.to_string(), "received": i.received.to_string()})
}

#[test]
fn price_impact_vectors() {
    let all = load();
    for v in section(&all, "price_impact") {
        let i = &v["input"];
        let input = math::ImpactInput {
            side: small(i, "side"),
            is_increase: flag(i, "is_increase"),
            size_usd: u(i, "size_usd"),
            long_oi_usd: u(i, "long_oi_usd"),
            short_oi_usd: u(i, "short_oi_usd"),
            positive_factor: u(i, "positive_factor"),
            negative_factor: u(i, "negative_factor"),
            exponent: small(i, "exponent"),
            max_positive_impact_bps: u(i, "max_positive_impact_bps"),
            max_negative_impact_bps: u(i, "max_negative_impact_bps"),
        };
        let got = math::price_impact(&input)
            .map(|x| json!({"positive": x.positive, "usd": x.usd.to_string()}))
            .map_err(impact_name);
        check("price_impact", v, got);
    }
}

#[test]
fn impacted_price_vectors() {
    let all = load();
    for v in section(&all, "impacted_price") {
        let i = &v["input"];
        let input = math::ImpactedPriceInput {
            side: small(i, "side"),
            is_increase: flag(i, "is_increase"),
            size_usd: u(i, "size_usd"),
            price: Price(u(i, "price")),
            impact: math::Impact { positive: flag(&i["impact"], "positive"), usd: u(&i["impact"], "usd") },
        };
        let got = math::impacted_price(&input).map(|p| json!(p.0.to_string())).map_err(impact_name);
        check("impacted_price", v, got);
    }
}

#[test]
fn accrue_funding_vectors() {
    let all = load();
    for v in section(&all, "accrue_funding") {
        let i = &v["input"];
        let input = math::FundingInput {
            long_oi_usd: u(i, "long_oi_usd"),
            short_oi_usd: u(i, "short_oi_usd"),
            funding_factor: u(i, "funding_factor"),
            max_rate: u(i, "max_rate"),
            dt_secs: u(i, "dt_secs"),
            long_index: index(&i["long_index"]),
            short_index: index(&i["short_index"]),
        };
        let got = math::accrue_funding(&input)
            .map(|a| {
                json!({
                    "rate": a.rate.to_string(),
                    "payer_is_long": a.payer_is_long,
                    "long_index": index_json(&a.long_index),
                    "short_index": index_json(&a.short_index),
                })
            })
            .map_err(funding_name);
        check("accrue_funding", v, got);
    }
}

#[test]
fn position_funding_vectors() {
    let all = load();
    for v in section(&all, "position_funding") {
        let i = &v["input"];
        let input = math::PositionFundingInput {
            size_usd: u(i, "size_usd"),
            side: small(i, "side"),
            long_index: index(&i["long_index"]),
            short_index: index(&i["short_index"]),
            index_snapshot: index(&i["index_snapshot"]),
        };
        let got = math::position_funding(&input)
            .map(|f| json!({"pays": f.pays, "usd": f.usd.to_string()}))
            .map_err(funding_name);
        check("position_funding", v, got);
    }
}

#[test]
fn adl_ratio_vectors() {
    let all = load();
    let list = section(&all, "adl_ratio");
    assert_eq!(list.len(), ADL_RATIO_CASES, "adl_ratio case count");
    for v in list {
        let i = &v["input"];
        let input = math::AdlInput {
            side: small(i, "side"),
            oi_usd: u(i, "oi_usd"),
            oi_tokens: u(i, "oi_tokens"),
            market_decimals: small(i, "market_decimals"),
            market_price: Price(u(i, "market_price")),
            pool_tokens: u(i, "pool_tokens"),
            pool_decimals: small(i, "pool_decimals"),
            pool_price: Price(u(i, "pool_price")),
        };
        // The ratio starts from the profit, so a refused profit is the ratio's error too.
        let got = math::side_profit_usd(&input)
            .and_then(|profit| {
                math::adl_ratio_bps(&input)
                    .map(|ratio| json!({"side_profit_usd": profit.to_string(), "adl_ratio_bps": ratio.to_string()}))
            })
            .map_err(math_name);
        check("adl_ratio", v, got);
    }
}

/// The SPEC's worked numbers are in the file, first in their sections.
#[test]
fn worked_numbers_are_in_the_file() {
    let all = load();
    let impacts = section(&all, "price_impact");
    assert_eq!(impacts[0]["out"], json!({"positive": false, "usd": "400000000"}));
    assert_eq!(impacts[1]["out"], json!({"positive": false, "usd": "1200000000"}));
    let prices = section(&all, "impacted_price");
    assert_eq!(prices[0]["out"], json!("5010020040081")); // ≈ 5,010.02
    assert_eq!(prices[1]["out"], json!("5030181086520")); // ≈ 5,030.18
}
