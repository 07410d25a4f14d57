//! Generator of the shared math test vectors, `tests/vectors/math.json`.
//!
//! The expected results come from plain `u128` / `i128` arithmetic on the host, independently of
//! the program's limb-based math; `math_vectors.rs` (Rust) and `sdk/tests/math.test.ts` (TypeScript)
//! then check both implementations against them. Regenerate with
//!
//! ```text
//! PERPOOL_WRITE_VECTORS=1 cargo test -p perpool-core --test gen_math_vectors
//! ```
//!
//! The inputs are deterministic (fixed edge cases plus a seeded SplitMix64 stream), so
//! regenerating gives the same file unless the reference semantics change.

mod reference;

use reference::*;
use serde_json::{json, Value};

/// Vectors per function (edge cases first, then seeded random inputs up to this count).
const PER_FUNCTION: usize = 80;

// ---------------------------------------------------------------------------------------------
// Reference semantics (u128 / i128), including the error precedence documented in the program:
// the shared `mul_div`, `to_usd` and `to_tokens` of `reference`, and the functions below.
// ---------------------------------------------------------------------------------------------

fn ref_checked_add(a: u64, b: u64) -> R<u128> {
    fit(a as u128 + b as u128)
}

fn ref_checked_sub(a: u64, b: u64) -> R<u128> {
    sub(a as u128, b as u128)
}

fn ref_checked_mul(a: u64, b: u64) -> R<u128> {
    fit(a as u128 * b as u128)
}

fn ref_mul_div_i64(a: i64, b: u64, c: u64, up: bool) -> R<i128> {
    if c == 0 {
        return Err("DivideByZero");
    }
    let n = a as i128 * b as i128; // |n| < 2^127: fits
    let c = c as i128;
    let q = n.div_euclid(c) + (up && n.rem_euclid(c) != 0) as i128; // c > 0: floor division
    if q < i64::MIN as i128 || q > i64::MAX as i128 {
        Err("Overflow")
    } else {
        Ok(q)
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs.
// ---------------------------------------------------------------------------------------------

/// [`Rng`] (shared) with this generator's edge values.
impl Rng {
    /// Mostly random widths, one time in four an edge value. The oldest generator's draw: one
    /// in four is `below(4) == 0`, not the `chance(30)` of [`Rng::edgy_among`], so it is kept
    /// as it was (the vectors would change otherwise).
    fn edgy(&mut self) -> u64 {
        if self.below(4) == 0 {
            self.pick(EDGES)
        } else {
            self.any_width()
        }
    }

    fn edgy_i64(&mut self) -> i64 {
        let v = self.edgy() as i64;
        match self.below(3) {
            0 => v,
            1 => v.wrapping_neg(),
            _ => (v >> 1).wrapping_neg(),
        }
    }
}

const EDGES: &[u64] = &[
    0,
    1,
    2,
    3,
    10,
    0xFFFF_FFFF,
    0x1_0000_0000,
    0x1_0000_0001,
    1 << 62,
    (1 << 63) - 1,
    1 << 63,
    (1 << 63) + 1,
    u64::MAX - 1,
    u64::MAX,
    1_000_000_000,
    10_000_000_000_000_000_000,
];

const I64_EDGES: &[i64] = &[0, 1, -1, 7, -7, i64::MAX, i64::MIN, i64::MIN + 1, -(1 << 32), 1 << 32];

/// Pairs (a, b) for the checked ops and wide_mul.
fn pairs(rng: &mut Rng) -> Vec<(u64, u64)> {
    let mut v = vec![
        (0, 0),
        (0, u64::MAX),
        (1, u64::MAX),
        (u64::MAX, 1),
        (u64::MAX, u64::MAX),
        (u64::MAX - 1, 1),
        (u64::MAX, 0),
        (1 << 32, 1 << 32),
        (0xFFFF_FFFF, 0xFFFF_FFFF),
        (0x1_0000_0001, 0xFFFF_FFFF), // = u64::MAX exactly
        (0x1_0000_0001, 0x1_0000_0000),
        (1 << 63, 2),
        (1 << 63, 1 << 63),
        ((1 << 63) - 1, 2),
        (3, 5),
        (5, 3),
        (10_000_000_000_000_000_000, 2),
    ];
    while v.len() < PER_FUNCTION {
        v.push((rng.edgy(), rng.edgy()));
    }
    v
}

/// Triples (a, b, c) for mul_div.
fn triples(rng: &mut Rng) -> Vec<(u64, u64, u64)> {
    // 31 * B = 2^65 - 1 = 2 * u64::MAX + 1: floor(31 * B / 2) = u64::MAX with remainder 1.
    let b31 = (((1u128 << 65) - 1) / 31) as u64;
    let mut v = vec![
        (0, 0, 0),
        (1, 1, 0),
        (u64::MAX, u64::MAX, 0),
        (0, 0, 1),
        (0, u64::MAX, 1),
        (7, 3, 2),
        (6, 3, 2),
        (1, 1, 3),
        (2, 1, 3),
        (u64::MAX, u64::MAX, u64::MAX),
        (u64::MAX, u64::MAX, u64::MAX - 1),
        (u64::MAX, u64::MAX - 1, u64::MAX - 1),
        (u64::MAX, 2, 2),
        (u64::MAX, 2, 1),
        (u64::MAX, 3, 2),
        (31, b31, 2),
        (u64::MAX, 1, 1),
        (u64::MAX, 1, 2),
        (u64::MAX, 1, u64::MAX),
        (1 << 63, 2, 1),
        (1 << 63, 1 << 63, 1 << 62),
        (1 << 63, 1 << 63, (1 << 62) + 1),
        // hi == c - 1 (largest fitting quotient range) and hi == c (first overflow).
        (1 << 40, u64::MAX, 1 << 40),
        ((1 << 40) + 1, u64::MAX, 1 << 40),
        (12345, u64::MAX, 12345),
        (12346, u64::MAX, 12345),
        (1_000_000_007, 1_000_000_009, 998_244_353),
        (10_000_000_000_000_000_000, 10_000_000_000_000_000_000, 10_000_000_000_000_000_000),
        (0xFFFF_FFFF, 0xFFFF_FFFF, 0x1_0000_0000),
        ((1 << 63) + 1, (1 << 63) + 3, (1 << 63) + 5),
    ];
    while v.len() < PER_FUNCTION {
        let (a, b, c) = match rng.below(3) {
            // Arbitrary magnitudes.
            0 => (rng.edgy(), rng.edgy(), rng.edgy()),
            // Quotient near u64::MAX: a close to c, b close to u64::MAX.
            1 => {
                let c = rng.any_width().max(1);
                let a = c.saturating_add(rng.below(3)).saturating_sub(rng.below(3));
                (a, u64::MAX - rng.below(3), c)
            }
            // Typical: large product, modest divisor.
            _ => (rng.any_width(), rng.any_width(), rng.below(1 << 40) + 1),
        };
        v.push((a, b, c));
    }
    v
}

fn signed_triples(rng: &mut Rng) -> Vec<(i64, u64, u64)> {
    let mut v = vec![
        (-7, 1, 2),
        (7, 1, 2),
        (-1, 1, 3),
        (1, 1, 3),
        (-1, 1, 0),
        (0, 0, 0),
        (0, u64::MAX, 1),
        (i64::MIN, 1, 1),
        (i64::MIN, 2, 2),
        (i64::MIN, 3, 2),
        (i64::MIN, u64::MAX, u64::MAX),
        (i64::MIN + 1, 2, 1),
        (i64::MIN + 1, 1, 1),
        (i64::MAX, 1, 1),
        (i64::MAX, 2, 1),
        (i64::MAX, 2, 2),
        (i64::MAX, u64::MAX, u64::MAX),
        (-1, u64::MAX, u64::MAX),
        (-1, u64::MAX, 1),
        (-1, 1 << 63, 1),
        (1, 1 << 63, 1),
        (1, (1 << 63) - 1, 1),
        (-3, (1 << 62) + 1, 1 << 62),
        (3, (1 << 62) + 1, 1 << 62),
        (-1_000_000, 999_999, 1_000_000),
        (1_000_000, 999_999, 1_000_000),
    ];
    while v.len() < PER_FUNCTION {
        let a = if rng.below(5) == 0 { rng.pick(I64_EDGES) } else { rng.edgy_i64() };
        let c = if rng.below(2) == 0 { rng.edgy() } else { rng.below(1 << 32) + 1 };
        v.push((a, rng.edgy(), c));
    }
    v
}

/// (value, price, decimals) for the token/USD conversions.
fn conversions(rng: &mut Rng, to_usd: bool) -> Vec<(u64, u64, u8)> {
    let sol = 150_000_000_000; // $150 with 9 decimals
    let eth = 3_000_000_000_000; // $3000
    let btc = 60_000_000_000_000; // $60k
    let one = 1_000_000_000; // $1
    let mut v: Vec<(u64, u64, u8)> = if to_usd {
        vec![
            (1_500_000_000, sol, 9),
            (1, sol, 9),
            (1, one, 6),
            (1_000_000, one, 6),
            (1, eth, 18),
            (1_000_000_000_000_000_000, eth, 18),
            (u64::MAX, eth, 18),
            (100_000_000, btc, 8),
            (1, btc, 8),
            (u64::MAX, u64::MAX, 18),
            (u64::MAX, u64::MAX, 17),
            (u64::MAX, u64::MAX, 16),
            (u64::MAX, u64::MAX, 0),
            (u64::MAX, 1_000, 0),
            (u64::MAX, 1_001, 0),
            (u64::MAX, 999, 0),
            (0, u64::MAX, 0),
            (7, 0, 9),
            (1, 1, 19),
            (1, 1, 255),
            (0, 0, 19),
            (1, 999_999_999, 0),
            (3, 333, 0),
        ]
    } else {
        vec![
            (225_000_000, sol, 9),
            (1, sol, 9),
            (1_000_000, one, 6),
            (1, one, 6),
            (1_000_000, eth, 18),
            (1, eth, 18),
            (1_000_000, 1, 18),
            (1_000_000, 3, 18),
            (60_000_000_000, btc, 8),
            (1, btc, 8),
            (u64::MAX, 1, 0),
            (u64::MAX, 1_000, 0),
            (u64::MAX, 1_001, 0),
            (u64::MAX, u64::MAX, 18),
            (u64::MAX, u64::MAX, 16),
            (18_446_744, 1, 18),
            (18_446_745, 1, 18),
            (18_446_744_073, 10, 17),
            (1, 0, 9),
            (0, 0, 9),
            (1, 0, 19),
            (1, 1, 19),
            (1, 1, 255),
            (0, 1, 0),
            (0, u64::MAX, 18),
        ]
    };
    while v.len() < PER_FUNCTION {
        let decimals = match rng.below(8) {
            0 => 19 + rng.below(3) as u8,     // invalid
            1..=3 => 15 + rng.below(4) as u8, // 15..=18: the split paths at 17 and 18
            _ => rng.below(19) as u8,
        };
        let (value, price) = match rng.below(3) {
            0 => (rng.edgy(), rng.edgy()),
            1 => (rng.any_width() >> rng.below(40), rng.below(1 << 48) + 1),
            _ => (rng.any_width(), rng.any_width()),
        };
        v.push((value, price, decimals));
    }
    v
}

/// (amount, fraction) for apply_bps / apply_rate; `one` is the denominator (100%).
fn scalings(rng: &mut Rng, one: u64) -> Vec<(u64, u64)> {
    let mut v = vec![
        (0, 0),
        (u64::MAX, 0),
        (u64::MAX, one),
        (u64::MAX, one + 1),
        (u64::MAX, one - 1),
        (u64::MAX, u64::MAX),
        (1, 1),
        (1, one - 1),
        (1, one),
        (one - 1, 1),
        (one, 1),
        (1_000_000_001, 10),
        (3, one / 2),
        (1_000_000, 30),
        (123_456_789, 5),
        (0, u64::MAX),
    ];
    while v.len() < PER_FUNCTION {
        let frac = match rng.below(3) {
            0 => rng.below(one + 1),
            1 => rng.below(one / 10 + 1),
            _ => rng.edgy(),
        };
        v.push((rng.edgy(), frac));
    }
    v
}

#[test]
fn generate_math_vectors() {
    let mut rng = Rng(0x0005_EED0_F9E5_9001);
    let mut sections: Vec<(&str, Vec<Value>)> = Vec::new();

    let p = pairs(&mut rng);
    sections.push((
        "wide_mul",
        p.iter()
            .map(|&(a, b)| {
                let n = a as u128 * b as u128;
                json!({ "a": s(a), "b": s(b), "hi": s((n >> 64) as u64), "lo": s(n as u64) })
            })
            .collect(),
    ));
    for (name, f) in [
        ("checked_add", ref_checked_add as fn(u64, u64) -> R<u128>),
        ("checked_sub", ref_checked_sub),
        ("checked_mul", ref_checked_mul),
    ] {
        let p = pairs(&mut rng);
        let mut list: Vec<Value> =
            p.iter().map(|&(a, b)| flat_case(json!({ "a": s(a), "b": s(b) }), f(a, b).map(s))).collect();
        if name == "checked_sub" {
            // Make sure the boundary either side of zero is present.
            list.push(flat_case(json!({ "a": s(5), "b": s(5) }), f(5, 5).map(s)));
            list.push(flat_case(json!({ "a": s(5), "b": s(6) }), f(5, 6).map(s)));
        }
        sections.push((name, list));
    }

    let t = triples(&mut rng);
    for (name, up) in [("mul_div_floor", false), ("mul_div_ceil", true)] {
        let list = t
            .iter()
            .map(|&(a, b, c)| {
                flat_case(
                    json!({ "a": s(a), "b": s(b), "c": s(c) }),
                    mul_div(a as u128, b as u128, c as u128, up).map(s),
                )
            })
            .collect();
        sections.push((name, list));
    }

    let t = signed_triples(&mut rng);
    for (name, up) in [("mul_div_floor_i64", false), ("mul_div_ceil_i64", true)] {
        let list = t
            .iter()
            .map(|&(a, b, c)| {
                flat_case(json!({ "a": s(a), "b": s(b), "c": s(c) }), ref_mul_div_i64(a, b, c, up).map(s))
            })
            .collect();
        sections.push((name, list));
    }

    let conv = conversions(&mut rng, true);
    for (name, up) in [("token_to_usd_floor", false), ("token_to_usd_ceil", true)] {
        let list = conv
            .iter()
            .map(|&(amount, price, d)| {
                flat_case(
                    json!({ "amount": s(amount), "price": s(price), "decimals": d }),
                    to_usd(amount, price, d, up).map(s),
                )
            })
            .collect();
        sections.push((name, list));
    }

    let conv = conversions(&mut rng, false);
    for (name, up) in [("usd_to_token_floor", false), ("usd_to_token_ceil", true)] {
        let list = conv
            .iter()
            .map(|&(usd, price, d)| {
                flat_case(
                    json!({ "usd": s(usd), "price": s(price), "decimals": d }),
                    to_tokens(usd, price, d, up).map(s),
                )
            })
            .collect();
        sections.push((name, list));
    }

    let sc = scalings(&mut rng, BPS as u64);
    for (name, up) in [("apply_bps_floor", false), ("apply_bps_ceil", true)] {
        let list = sc
            .iter()
            .map(|&(amount, bps)| {
                flat_case(
                    json!({ "amount": s(amount), "bps": s(bps) }),
                    mul_div(amount as u128, bps as u128, BPS, up).map(s),
                )
            })
            .collect();
        sections.push((name, list));
    }

    let sc = scalings(&mut rng, RATE_ONE as u64);
    for (name, up) in [("apply_rate_floor", false), ("apply_rate_ceil", true)] {
        let list = sc
            .iter()
            .map(|&(amount, rate)| {
                flat_case(
                    json!({ "amount": s(amount), "rate": s(rate) }),
                    mul_div(amount as u128, rate as u128, RATE_ONE, up).map(s),
                )
            })
            .collect();
        sections.push((name, list));
    }

    write_or_check(
        "math.json",
        concat!(
            "Shared math vectors: decimal-string integers (decimals is a JSON number); ",
            "exactly one of out/err is non-null. Generated by programs/perpool/tests/gen_math_vectors.rs ",
            "from u128 references; checked by programs/perpool/tests/math_vectors.rs and sdk/tests/math.test.ts."
        ),
        &sections,
    );
}
