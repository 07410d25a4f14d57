//! Checks the program's math against the shared vectors in `tests/vectors/math.json`
//! (the TypeScript SDK checks the same file in `sdk/tests/math.test.ts`).

mod common;

use common::*;
use perpool_core::math::{self, Bps, MathError, Price, Rate, TokenAmount, Usd};
use serde_json::Value;
use std::fmt::Display;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/math.json");
/// Each function must be covered by at least this many vectors.
const MIN_PER_FUNCTION: usize = 50;

type BinaryOp = fn(u64, u64) -> Result<u64, MathError>;
type MulDiv = fn(u64, u64, u64) -> Result<u64, MathError>;
type SignedMulDiv = fn(i64, u64, u64) -> Result<i64, MathError>;
type ToUsd = fn(TokenAmount, Price, u8) -> Result<Usd, MathError>;
type ToToken = fn(Usd, Price, u8) -> Result<TokenAmount, MathError>;

fn load() -> Value {
    common::load(VECTORS)
}

fn section<'a>(all: &'a Value, name: &str) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("math.json has no section {name}"));
    assert!(list.len() >= MIN_PER_FUNCTION, "{name}: only {} vectors", list.len());
    list
}

fn decimals(v: &Value) -> u8 {
    v["decimals"].as_u64().and_then(|d| u8::try_from(d).ok()).expect("decimals is a u8")
}

fn error_named(name: &str) -> MathError {
    match name {
        "Overflow" => MathError::Overflow,
        "Underflow" => MathError::Underflow,
        "DivideByZero" => MathError::DivideByZero,
        "InvalidDecimals" => MathError::InvalidDecimals,
        other => panic!("unknown error name {other}"),
    }
}

/// Compares a result with the vector's `out` / `err`, rendering the output as a decimal string.
fn check<T: Display>(name: &str, v: &Value, got: Result<T, MathError>) {
    let expected = match (&v["out"], &v["err"]) {
        (Value::String(out), Value::Null) => Ok(out.clone()),
        (Value::Null, Value::String(err)) => Err(error_named(err)),
        _ => panic!("{name}: exactly one of out/err must be set in {v}"),
    };
    assert_eq!(got.map(|x| x.to_string()), expected, "{name}: {v}");
}

#[test]
fn wide_mul_vectors() {
    let all = load();
    for v in section(&all, "wide_mul") {
        let (hi, lo) = math::wide_mul(u(v, "a"), u(v, "b"));
        assert_eq!((hi, lo), (u(v, "hi"), u(v, "lo")), "wide_mul: {v}");
    }
}

#[test]
fn checked_op_vectors() {
    let all = load();
    let ops: [(&str, BinaryOp); 3] =
        [("checked_add", math::checked_add), ("checked_sub", math::checked_sub), ("checked_mul", math::checked_mul)];
    for (name, f) in ops {
        for v in section(&all, name) {
            check(name, v, f(u(v, "a"), u(v, "b")));
        }
    }
}

#[test]
fn mul_div_vectors() {
    let all = load();
    let ops: [(&str, MulDiv); 2] = [("mul_div_floor", math::mul_div_floor), ("mul_div_ceil", math::mul_div_ceil)];
    for (name, f) in ops {
        for v in section(&all, name) {
            check(name, v, f(u(v, "a"), u(v, "b"), u(v, "c")));
        }
    }
}

#[test]
fn signed_mul_div_vectors() {
    let all = load();
    let ops: [(&str, SignedMulDiv); 2] =
        [("mul_div_floor_i64", math::mul_div_floor_i64), ("mul_div_ceil_i64", math::mul_div_ceil_i64)];
    for (name, f) in ops {
        for v in section(&all, name) {
            check(name, v, f(i(v, "a"), u(v, "b"), u(v, "c")));
        }
    }
}

#[test]
fn token_to_usd_vectors() {
    let all = load();
    let ops: [(&str, ToUsd); 2] =
        [("token_to_usd_floor", math::token_to_usd_floor), ("token_to_usd_ceil", math::token_to_usd_ceil)];
    for (name, f) in ops {
        for v in section(&all, name) {
            let got = f(TokenAmount(u(v, "amount")), Price(u(v, "price")), decimals(v));
            check(name, v, got.map(|usd| usd.0));
        }
    }
}

#[test]
fn usd_to_token_vectors() {
    let all = load();
    let ops: [(&str, ToToken); 2] =
        [("usd_to_token_floor", math::usd_to_token_floor), ("usd_to_token_ceil", math::usd_to_token_ceil)];
    for (name, f) in ops {
        for v in section(&all, name) {
            let got = f(Usd(u(v, "usd")), Price(u(v, "price")), decimals(v));
            check(name, v, got.map(|amount| amount.0));
        }
    }
}

#[test]
fn bps_and_rate_vectors() {
    let all = load();
    // The same vectors hold for both quantity types; alternate them to exercise both.
    for (k, v) in section(&all, "apply_bps_floor").iter().enumerate() {
        let (amount, bps) = (u(v, "amount"), Bps(u(v, "bps")));
        let got = if k % 2 == 0 {
            math::apply_bps_floor(Usd(amount), bps).map(|x| x.0)
        } else {
            math::apply_bps_floor(TokenAmount(amount), bps).map(|x| x.0)
        };
        check("apply_bps_floor", v, got);
    }
    for (k, v) in section(&all, "apply_bps_ceil").iter().enumerate() {
        let (amount, bps) = (u(v, "amount"), Bps(u(v, "bps")));
        let got = if k % 2 == 0 {
            math::apply_bps_ceil(Usd(amount), bps).map(|x| x.0)
        } else {
            math::apply_bps_ceil(TokenAmount(amount), bps).map(|x| x.0)
        };
        check("apply_bps_ceil", v, got);
    }
    for v in section(&all, "apply_rate_floor") {
        check("apply_rate_floor", v, math::apply_rate_floor(Usd(u(v, "amount")), Rate(u(v, "rate"))).map(|x| x.0));
    }
    for v in section(&all, "apply_rate_ceil") {
        check(
            "apply_rate_ceil",
            v,
            math::apply_rate_ceil(TokenAmount(u(v, "amount")), Rate(u(v, "rate"))).map(|x| x.0),
        );
    }
}
