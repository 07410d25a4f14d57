//! The reference side shared by the vector generators (`gen_*_vectors.rs`) and the property tests
//! (`math_properties.rs`): the plain `u128` reference arithmetic the generators have in common
//! (with the error order the program documents), the constants and realistic tokens, the seeded
//! generator of inputs, the JSON cases, and the writer that compares a generated file with the
//! committed one. Nothing here calls `perpool`, so the expected values stay independent of the
//! program. Each test file is its own crate and uses a subset, hence `dead_code` is allowed.
//!
//! The verify side (reading the vectors, comparing the library's results with them) is in
//! `common/mod.rs`.
#![allow(dead_code)]

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A reference result: the value, or the name of the error the program documents for it.
pub type R<T> = Result<T, &'static str>;

// ---------------------------------------------------------------------------------------------
// Constants (the program's, written out again so that the reference does not read them).
// ---------------------------------------------------------------------------------------------

/// `u64::MAX` as a u128: the largest value a u64 result can take.
pub const U64: u128 = u64::MAX as u128;
/// Basis points in one (100 %).
pub const BPS: u128 = 10_000;
/// A rate of 100 % (9 decimals).
pub const RATE_ONE: u128 = 1_000_000_000;
/// An interest index of one (12 decimals).
pub const INDEX_ONE: u64 = 1_000_000_000_000;
/// [`INDEX_ONE`] as a u128.
pub const ONE: u128 = INDEX_ONE as u128;
/// The most decimals a token may have.
pub const MAX_TOKEN_DECIMALS: u8 = 18;
/// One dollar in USD units (6 decimals).
pub const USD: u64 = 1_000_000;
/// Seconds in a (365-day) year.
pub const YEAR: u64 = 31_536_000;
/// The clock of the realistic cases (a 2025 Unix time).
pub const T0: i64 = 1_750_000_000;
/// The position sides.
pub const LONG: u8 = 1;
pub const SHORT: u8 = 2;

// ---------------------------------------------------------------------------------------------
// Reference arithmetic (u128), with the error precedence documented in the program.
// ---------------------------------------------------------------------------------------------

/// `x` if it fits a u64, else `Overflow`.
pub fn fit(x: u128) -> R<u128> {
    if x > U64 {
        Err("Overflow")
    } else {
        Ok(x)
    }
}

/// [`fit`], as a u64.
pub fn fit_u64(x: u128) -> R<u64> {
    fit(x).map(|x| x as u64)
}

/// `a − b`, or `Underflow`.
pub fn sub(a: u128, b: u128) -> R<u128> {
    a.checked_sub(b).ok_or("Underflow")
}

/// `n / d`, rounded down or (`up`) up.
pub fn div_round(n: u128, d: u128, up: bool) -> u128 {
    n / d + (up && !n.is_multiple_of(d)) as u128
}

/// `a × b / c` (a, b < 2^64), rounded, checked: `DivideByZero`, then `Overflow`.
pub fn mul_div(a: u128, b: u128, c: u128, up: bool) -> R<u128> {
    if c == 0 {
        return Err("DivideByZero");
    }
    fit(div_round(a * b, c, up))
}

/// `10^(decimals + 3)`: USD units (6 decimals) × price (9 decimals) per token unit; or
/// `InvalidDecimals` above [`MAX_TOKEN_DECIMALS`].
pub fn scale(decimals: u8) -> R<u128> {
    if decimals > MAX_TOKEN_DECIMALS {
        Err("InvalidDecimals")
    } else {
        Ok(10u128.pow(decimals as u32 + 3))
    }
}

/// Tokens → USD: `amount × price / 10^(decimals + 3)`, rounded (amount, price < 2^64);
/// `InvalidDecimals`, then `Overflow`.
pub fn to_usd(amount: impl Into<u128>, price: impl Into<u128>, decimals: u8, up: bool) -> R<u128> {
    let s = scale(decimals)?;
    fit(div_round(amount.into() * price.into(), s, up))
}

/// Tokens worth `usd` at `price`, unbounded (`None` beyond u128, which is beyond u64 anyway);
/// `InvalidDecimals`, then `DivideByZero`.
pub fn to_tokens_wide(usd: impl Into<u128>, price: impl Into<u128>, decimals: u8, up: bool) -> R<Option<u128>> {
    let s = scale(decimals)?;
    let price = price.into();
    if price == 0 {
        return Err("DivideByZero");
    }
    Ok(usd.into().checked_mul(s).map(|n| div_round(n, price, up)))
}

/// USD → tokens: `usd × 10^(decimals + 3) / price`, rounded; `InvalidDecimals`,
/// `DivideByZero`, `Overflow` in this order.
pub fn to_tokens(usd: impl Into<u128>, price: impl Into<u128>, decimals: u8, up: bool) -> R<u128> {
    match to_tokens_wide(usd, price, decimals, up)? {
        Some(t) => fit(t),
        // usd < 2^64: the quotient by a u64 price is >= 2^64.
        None => Err("Overflow"),
    }
}

/// A fee of `bps` on `amount`, rounded up.
pub fn ref_fee(amount: u128, bps: u128) -> R<u128> {
    fit(div_round(amount * bps, BPS, true))
}

/// A fee split as `(lp, protocol, insurance)`: the protocol's and the insurance's shares
/// rounded down, the rest to the LPs.
pub fn ref_split(fee: u128, protocol_bps: u64, insurance_bps: u64) -> R<(u128, u128, u128)> {
    let protocol = fit(fee * protocol_bps as u128 / BPS)?;
    let insurance = fit(fee * insurance_bps as u128 / BPS)?;
    let lp = sub(sub(fee, protocol)?, insurance)?;
    Ok((lp, protocol, insurance))
}

// ---------------------------------------------------------------------------------------------
// Realistic tokens and markets.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tok {
    pub name: &'static str,
    pub decimals: u8,
    /// USD with 9 decimals.
    pub price: u64,
}

pub const SOL: Tok = Tok { name: "SOL", decimals: 9, price: 150_000_000_000 };
pub const BTC: Tok = Tok { name: "BTC", decimals: 8, price: 95_000_000_000_000 };
pub const ETH: Tok = Tok { name: "ETH", decimals: 8, price: 3_500_000_000_000 };
pub const USDC: Tok = Tok { name: "USDC", decimals: 6, price: 1_000_000_000 };
pub const TOKENS: [Tok; 4] = [SOL, BTC, ETH, USDC];

/// The trading pairs of the carry and position generators: (market token, collateral token, side).
pub const PAIRS: [(Tok, Tok, u8); 8] = [
    (SOL, SOL, LONG),
    (SOL, USDC, LONG),
    (SOL, USDC, SHORT),
    (BTC, BTC, LONG),
    (BTC, USDC, LONG),
    (BTC, USDC, SHORT),
    (ETH, USDC, SHORT),
    (ETH, ETH, LONG),
];

/// Tokens (native units) worth `usd` at `price`, rounded; for inputs known to be valid.
pub fn tokens_for(usd: u64, price: u64, decimals: u8, up: bool) -> u64 {
    to_tokens(usd, price, decimals, up).unwrap() as u64
}

/// `bps` / 10_000 of `x`, rounded down.
pub fn part(x: u64, bps: u64) -> u64 {
    (x as u128 * bps as u128 / BPS) as u64
}

// ---------------------------------------------------------------------------------------------
// Boundary search: the largest input a monotone test passes (`ok` true, then false).
// ---------------------------------------------------------------------------------------------

/// The largest `x` in `1..=hi` with `ok(x)`, or 0 if none: tests `ok(1)`, then `ok(hi)`, then
/// bisects from 1 (the lending generator's search).
pub fn largest_from_one(hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    if hi == 0 || !ok(1) {
        return 0;
    }
    if ok(hi) {
        return hi;
    }
    bisect(1, hi, ok)
}

/// The largest `x` in `0..=hi` with `ok(x)`, or 0: tests `ok(hi)`, then `ok(0)`, then bisects
/// from 0 (the position generator's search). For a test that is not monotone the two searches
/// may answer differently, so each generator keeps its own.
pub fn largest_from_zero(hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    if ok(hi) {
        return hi;
    }
    if !ok(0) {
        return 0;
    }
    bisect(0, hi, ok)
}

/// With `ok(lo)` and not `ok(hi)`: the largest `x` in `lo..hi` found by bisection.
fn bisect(mut lo: u64, mut hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

// ---------------------------------------------------------------------------------------------
// Inputs: a deterministic generator.
// ---------------------------------------------------------------------------------------------

/// SplitMix64: a tiny, well-known deterministic generator (no dependency needed), so that a
/// seed replays the same inputs. Each generator adds its own `edgy` draw (its edge values
/// differ) in an `impl Rng` of its own.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Log-uniform in [lo, hi].
    pub fn log(&mut self, lo: u64, hi: u64) -> u64 {
        let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
        let x = a + (b - a) * (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (x.exp() as u64).clamp(lo, hi)
    }

    /// A value of random bit width (1 to 64), so small and large magnitudes both show up.
    pub fn any_width(&mut self) -> u64 {
        let bits = self.below(64) as u32 + 1;
        self.next() >> (64 - bits)
    }

    /// One of `edges` 30 % of the time (`chance(30)`), otherwise [`Rng::any_width`]: the `edgy`
    /// draw of every generator but the math one.
    pub fn edgy_among(&mut self, edges: &[u64]) -> u64 {
        if self.chance(30) {
            self.pick(edges)
        } else {
            self.any_width()
        }
    }
}

/// The edge values of the liquidity and position generators: around one, around 10_000 (the
/// basis-point denominator), 2^32, 2^63 and `u64::MAX`.
pub const BPS_EDGES: [u64; 10] = [0, 1, 2, 9_999, 10_000, 10_001, 1 << 32, 1 << 63, u64::MAX - 1, u64::MAX];

// ---------------------------------------------------------------------------------------------
// JSON: the cases of a vector file.
// ---------------------------------------------------------------------------------------------

/// A value as a JSON string: every integer that may exceed 2^53 is written as a decimal string.
pub fn s(v: impl ToString) -> Value {
    Value::String(v.to_string())
}

/// `{note, input, out, err}` with exactly one of out / err non-null.
pub fn case(note: &str, input: Value, expected: R<Value>) -> Value {
    let (out, err) = match expected {
        Ok(v) => (v, Value::Null),
        Err(e) => (Value::Null, s(e)),
    };
    json!({ "note": note, "input": input, "out": out, "err": err })
}

/// Flat fields (the function's arguments by name) plus `out` (any JSON value) or `err`.
pub fn flat_case(mut fields: Value, expected: R<Value>) -> Value {
    let (out, err) = match expected {
        Ok(v) => (v, Value::Null),
        Err(e) => (Value::Null, s(e)),
    };
    fields["out"] = out;
    fields["err"] = err;
    fields
}

/// A field of a quote's output (the lending and position generators).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V {
    /// A number (a decimal string).
    U(u128),
    /// A flag.
    B(bool),
    /// An optional price (`null` when absent).
    P(Option<u128>),
}

/// A quote's output fields, in the order they are written.
pub type Quote = Vec<(&'static str, V)>;

/// A u64 output field.
pub fn u(x: u64) -> V {
    V::U(x as u128)
}

pub fn out_json(q: &Quote) -> Value {
    let mut m = Map::new();
    for (k, v) in q {
        m.insert(
            k.to_string(),
            match v {
                V::U(x) => s(x),
                V::B(b) => Value::Bool(*b),
                V::P(p) => p.map(s).unwrap_or(Value::Null),
            },
        );
    }
    Value::Object(m)
}

/// `{note, input, out, err}` of a quote.
pub fn quote_case(note: &str, input: Value, expected: &R<Quote>) -> Value {
    case(note, input, expected.as_ref().map(out_json).map_err(|e| *e))
}

/// The number `name` of a quote.
pub fn get(q: &Quote, name: &str) -> u128 {
    match q.iter().find(|(k, _)| *k == name) {
        Some((_, V::U(x))) => *x,
        other => panic!("no numeric field {name}: {other:?}"),
    }
}

/// The flag `name` of a quote.
pub fn flag(q: &Quote, name: &str) -> bool {
    match q.iter().find(|(k, _)| *k == name) {
        Some((_, V::B(b))) => *b,
        other => panic!("no flag {name}: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The vector file.
// ---------------------------------------------------------------------------------------------

/// A vector's outcome: its error name, or `ok`.
pub fn outcome(v: &Value) -> String {
    match &v["err"] {
        Value::String(e) => e.clone(),
        _ => "ok".to_string(),
    }
}

/// Counts a section's outcomes, asserts it holds at least `min` vectors (0: any number) and
/// that every required outcome appears.
pub fn tally(name: &str, list: &[Value], min: usize, required: &[&str]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in list {
        *counts.entry(outcome(v)).or_default() += 1;
    }
    eprintln!("{name}: {} vectors {counts:?}", list.len());
    assert!(list.len() >= min, "{name}: only {} vectors", list.len());
    for r in required {
        assert!(counts.contains_key(*r), "{name}: no vector with outcome {r}");
    }
}

/// Writes `tests/vectors/{file}` (repo root): the `_comment`, then the sections in their order,
/// one vector per line so that diffs stay readable. The committed file must be exactly what the
/// reference produces: without `PERPOOL_WRITE_VECTORS` this compares and fails on any
/// difference; set `PERPOOL_WRITE_VECTORS=1` to rewrite it after changing a generator.
pub fn write_or_check(file: &str, comment: &str, sections: &[(&str, Vec<Value>)]) {
    let mut out = String::from("{\n");
    writeln!(out, "  \"_comment\": \"{comment}\",").unwrap();
    for (k, (name, list)) in sections.iter().enumerate() {
        writeln!(out, "  \"{name}\": [").unwrap();
        for (j, v) in list.iter().enumerate() {
            let sep = if j + 1 < list.len() { "," } else { "" };
            writeln!(out, "    {}{sep}", serde_json::to_string(v).unwrap()).unwrap();
        }
        let sep = if k + 1 < sections.len() { "," } else { "" };
        writeln!(out, "  ]{sep}").unwrap();
    }
    out.push_str("}\n");
    // Sanity: the file parses back.
    let _: Value = serde_json::from_str(&out).unwrap();
    let path = format!("{}/../../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("PERPOOL_WRITE_VECTORS").is_some() {
        std::fs::write(&path, out).unwrap();
    } else {
        let committed = std::fs::read_to_string(&path).expect("committed vectors");
        assert!(
            committed == out,
            "tests/vectors/{file} differs from the reference generator: rerun with PERPOOL_WRITE_VECTORS=1"
        );
    }
}
