//! The reference side shared by the vector generators (`gen_*_vectors.rs`) and the property tests
//! (`math_properties.rs`): the seeded generator of inputs, the JSON cases, and the writer that
//! compares a generated file with the committed one. Nothing here calls `perpool`, so the
//! expected values stay independent of the program. Each test file is its own crate and uses a
//! subset, hence `dead_code` is allowed.
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
