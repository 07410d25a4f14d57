//! Helpers shared by the vector tests (`*_vectors.rs`): reading the JSON
//! vectors and comparing results with them, and naming the library's errors
//! as the vectors do (also for the generators' checks of the library against
//! the reference). Each test file uses a subset. The reference side (the
//! generators' arithmetic, inputs and writer) is `reference/mod.rs`.
#![allow(dead_code)]

use perpool_core::math::MathError;
use serde_json::Value;
use std::{fmt::Debug, str::FromStr};

/// Reads and parses a vector file.
pub fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"))
}

/// A section of at least `min` vectors.
pub fn section_of<'a>(all: &'a Value, name: &str, min: usize) -> &'a [Value] {
    let list = all[name].as_array().unwrap_or_else(|| panic!("no section {name}"));
    assert!(list.len() >= min, "{name}: only {} vectors", list.len());
    list
}

/// A number written as a decimal string.
pub fn num<T: FromStr>(v: &Value, key: &str) -> T
where
    T::Err: Debug,
{
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
        .parse()
        .unwrap_or_else(|e| panic!("{key} in {v}: {e:?}"))
}

pub fn u(v: &Value, key: &str) -> u64 {
    num(v, key)
}

pub fn i(v: &Value, key: &str) -> i64 {
    num(v, key)
}

pub fn w(v: &Value, key: &str) -> u128 {
    num(v, key)
}

/// A small integer written as a JSON number (decimals, sides, exponents).
pub fn small<T: TryFrom<i64>>(v: &Value, key: &str) -> T {
    v[key].as_i64().and_then(|x| T::try_from(x).ok()).unwrap_or_else(|| panic!("{key} is not a small integer in {v}"))
}

pub fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or_else(|| panic!("{key} is not a boolean in {v}"))
}

/// A `MathError`'s variant name, as the vectors write it.
pub fn math_name(e: MathError) -> &'static str {
    match e {
        MathError::Overflow => "Overflow",
        MathError::Underflow => "Underflow",
        MathError::DivideByZero => "DivideByZero",
        MathError::InvalidDecimals => "InvalidDecimals",
        MathError::InvalidPrice => "InvalidPrice",
    }
}

pub fn math_error(name: &str) -> Option<MathError> {
    Some(match name {
        "Overflow" => MathError::Overflow,
        "Underflow" => MathError::Underflow,
        "DivideByZero" => MathError::DivideByZero,
        "InvalidDecimals" => MathError::InvalidDecimals,
        "InvalidPrice" => MathError::InvalidPrice,
        _ => return None,
    })
}

pub fn math_err(name: &str) -> MathError {
    math_error(name).unwrap_or_else(|| panic!("not a MathError: {name}"))
}

/// The vector's expected result: `Ok(out)` or `Err(err name)`.
pub fn expected(v: &Value) -> Result<&Value, &str> {
    match (&v["out"], &v["err"]) {
        (Value::Null, Value::String(err)) => Err(err),
        (out, Value::Null) if !out.is_null() => Ok(out),
        _ => panic!("exactly one of out/err must be set in {v}"),
    }
}

/// An output field: a number (a decimal string), a flag, or an optional number (string or null).
#[derive(Debug)]
pub enum F {
    N(u64),
    B(bool),
    O(Option<u64>),
}

pub fn n(x: u64) -> F {
    F::N(x)
}

/// Checks a scalar result rendered as a decimal string.
pub fn check_scalar<E: PartialEq + Debug>(name: &str, v: &Value, got: Result<u64, E>, to_error: impl Fn(&str) -> E) {
    let want = expected(v).map(|out| out.as_str().expect("out is a string").to_string());
    assert_eq!(got.map(|x| x.to_string()), want.map_err(to_error), "{name}: {v}");
}

/// Checks a struct result: every output field of the vector equals the field
/// of that name, and the result has no field the vector lacks.
pub fn check_fields<E: PartialEq + Debug>(
    name: &str,
    v: &Value,
    got: Result<Vec<(&str, F)>, E>,
    to_error: impl Fn(&str) -> E,
) {
    match (expected(v), got) {
        (Ok(out), Ok(fields)) => {
            let out = out.as_object().expect("out is an object");
            assert_eq!(out.len(), fields.len(), "{name}: field count in {v}");
            for (field, value) in fields {
                let want = out.get(field).unwrap_or_else(|| panic!("{name}: no {field} in {v}"));
                match value {
                    F::N(x) => assert_eq!(want.as_str(), Some(x.to_string().as_str()), "{name}.{field}: {v}"),
                    F::B(b) => assert_eq!(want.as_bool(), Some(b), "{name}.{field}: {v}"),
                    F::O(x) => {
                        assert_eq!(want.as_str().map(str::to_string), x.map(|x| x.to_string()), "{name}.{field}: {v}")
                    }
                }
            }
        }
        (Err(err), Err(e)) => assert_eq!(e, to_error(err), "{name}: {v}"),
        (want, got) => panic!("{name}: expected {want:?}, got {got:?} for {v}"),
    }
}
