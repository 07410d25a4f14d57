//! Generator of the shared price-impact, funding and auto-deleveraging vectors,
//! `tests/vectors/risk.json`.
//!
//! Expected results come from the reference implementation below: arbitrary-precision integer
//! arithmetic ([`Big`], a plain schoolbook / shift-subtract big integer written here) applied
//! to the formulas of `programs/perpool-core/src/math/{impact,funding}.rs`'s module docs, and plain
//! `u128` arithmetic for the ADL ratio of `math/adl.rs`'s module docs (every product there is of
//! two `u64`), with a single exact division per rounded value and the documented error order.
//! Nothing here calls
//! `perpool_core::math` to compute an expected value. `risk_vectors.rs` (Rust) and
//! `sdk/tests/risk-math.test.ts` (TypeScript) check both implementations against the file.
//! Regenerate with
//!
//! ```text
//! PERPOOL_WRITE_VECTORS=1 cargo test -p perpool-core --test gen_risk_vectors
//! ```
//!
//! Inputs are deterministic (hand-written cases including the SPEC's worked numbers, plus a
//! seeded SplitMix64 stream over realistic markets and over full-width values). The
//! test `library_matches_reference_on_random_cases` runs the reference against the library on
//! many more cases than the file holds.

mod common;
mod reference;

use common::math_name;
use reference::*;
use serde_json::{json, Value};
use std::cmp::Ordering;

// ---------------------------------------------------------------------------------------------
// A small arbitrary-precision unsigned integer (little-endian base-2^32 digits).
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from(x: u128) -> Big {
        let mut d = Vec::new();
        let mut x = x;
        while x > 0 {
            d.push(x as u32);
            x >>= 32;
        }
        Big(d)
    }
    fn trim(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }
    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
    fn mul(&self, o: &Big) -> Big {
        let mut r = vec![0u64; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let t = r[i + j] + a as u64 * b as u64 + carry;
                r[i + j] = t & 0xFFFF_FFFF;
                carry = t >> 32;
            }
            let mut k = i + o.0.len();
            while carry > 0 {
                let t = r[k] + carry;
                r[k] = t & 0xFFFF_FFFF;
                carry = t >> 32;
                k += 1;
            }
        }
        Big(r.into_iter().map(|x| x as u32).collect()).trim()
    }
    fn cmp(&self, o: &Big) -> Ordering {
        if self.0.len() != o.0.len() {
            return self.0.len().cmp(&o.0.len());
        }
        for k in (0..self.0.len()).rev() {
            if self.0[k] != o.0[k] {
                return self.0[k].cmp(&o.0[k]);
            }
        }
        Ordering::Equal
    }
    /// `self − o` for `self >= o`.
    fn sub(&self, o: &Big) -> Big {
        assert!(self.cmp(o) != Ordering::Less);
        let mut r = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for k in 0..self.0.len() {
            let mut t = self.0[k] as i64 - borrow - *o.0.get(k).unwrap_or(&0) as i64;
            borrow = 0;
            if t < 0 {
                t += 1 << 32;
                borrow = 1;
            }
            r.push(t as u32);
        }
        Big(r).trim()
    }
    fn bits(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(&top) => 32 * self.0.len() - top.leading_zeros() as usize,
        }
    }
    fn bit(&self, k: usize) -> bool {
        self.0.get(k / 32).is_some_and(|d| (d >> (k % 32)) & 1 == 1)
    }
    fn shl1_or(&self, bit: bool) -> Big {
        let mut r = Vec::with_capacity(self.0.len() + 1);
        let mut carry = bit as u32;
        for &d in &self.0 {
            r.push((d << 1) | carry);
            carry = d >> 31;
        }
        r.push(carry);
        Big(r).trim()
    }
    /// `self / d` rounded, by shift-and-subtract long division.
    fn div(&self, d: &Big, up: bool) -> Big {
        assert!(!d.is_zero());
        let mut q = Big(Vec::new());
        let mut r = Big(Vec::new());
        for k in (0..self.bits()).rev() {
            r = r.shl1_or(self.bit(k));
            let ge = r.cmp(d) != Ordering::Less;
            if ge {
                r = r.sub(d);
            }
            q = q.shl1_or(ge);
        }
        if up && !r.is_zero() {
            q = q.add(&Big::from(1));
        }
        q
    }
    fn add(&self, o: &Big) -> Big {
        let n = self.0.len().max(o.0.len()) + 1;
        let mut r = Vec::with_capacity(n);
        let mut carry = 0u64;
        for k in 0..n {
            let t = *self.0.get(k).unwrap_or(&0) as u64 + *o.0.get(k).unwrap_or(&0) as u64 + carry;
            r.push(t as u32);
            carry = t >> 32;
        }
        Big(r).trim()
    }
    fn to_u128(&self) -> Option<u128> {
        if self.0.len() > 4 {
            return None;
        }
        Some(self.0.iter().rev().fold(0u128, |acc, &d| (acc << 32) | d as u128))
    }
    fn pow10(k: u32) -> Big {
        (0..k).fold(Big::from(1), |acc, _| acc.mul(&Big::from(10)))
    }
}

fn big(x: impl Into<u128>) -> Big {
    Big::from(x.into())
}

// ---------------------------------------------------------------------------------------------
// Reference semantics, beyond the arithmetic the generators share (fit, div_round, mul_div, to_usd,
// to_tokens, ...) in `reference`.
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default)]
struct ImpactIn {
    side: u8,
    is_increase: bool,
    size_usd: u64,
    long_oi_usd: u64,
    short_oi_usd: u64,
    positive_factor: u64,
    negative_factor: u64,
    exponent: u8,
    max_positive_impact_bps: u64,
    max_negative_impact_bps: u64,
}

/// (positive, usd)
fn ref_price_impact(i: &ImpactIn) -> R<(bool, u64)> {
    let long = match i.side {
        LONG => true,
        SHORT => false,
        _ => return Err("InvalidSide"),
    };
    if !(1..=3).contains(&i.exponent) {
        return Err("InvalidExponent");
    }
    let e = i.exponent as u32;
    let (l0, s0) = (i.long_oi_usd as i128, i.short_oi_usd as i128);
    let traded = if long { l0 } else { s0 };
    let after = if i.is_increase { traded + i.size_usd as i128 } else { traded - i.size_usd as i128 };
    if after < 0 {
        return Err("Underflow");
    }
    if after > U64 as i128 {
        return Err("Overflow");
    }
    let (l1, s1) = if long { (after, s0) } else { (l0, after) };
    // One USD is 10^6 units: impact_µ = f · skew_µ^e / (10^18 · 10^(6(e−1))).
    let denom = Big::pow10(18 + 6 * (e - 1));
    let pw = |x: i128| {
        let b = big(x.unsigned_abs());
        (1..e).fold(b.clone(), |acc, _| acc.mul(&b))
    };
    let (p0, p1) = (pw(l0 - s0), pw(l1 - s1));
    let flips = (l0 - s0).signum() * (l1 - s1).signum() < 0;
    // (positive, magnitude)
    let (positive, magnitude) = if flips {
        let gain = p0.mul(&big(i.positive_factor)).div(&denom, false);
        let cost = p1.mul(&big(i.negative_factor)).div(&denom, true);
        if gain.cmp(&cost) == Ordering::Greater {
            (true, gain.sub(&cost))
        } else {
            (false, cost.sub(&gain))
        }
    } else if p1.cmp(&p0) == Ordering::Less {
        (true, p0.sub(&p1).mul(&big(i.positive_factor)).div(&denom, false))
    } else {
        (false, p1.sub(&p0).mul(&big(i.negative_factor)).div(&denom, true))
    };
    if magnitude.is_zero() {
        return Ok((false, 0));
    }
    let (bps, up) = if positive { (i.max_positive_impact_bps, false) } else { (i.max_negative_impact_bps, true) };
    let cap = fit_u64(div_round(i.size_usd as u128 * bps as u128, 10_000, up))?;
    let usd = match magnitude.to_u128() {
        Some(m) if m <= cap as u128 => m as u64,
        _ => cap,
    };
    Ok(if usd == 0 { (false, 0) } else { (positive, usd) })
}

#[derive(Clone, Copy, Debug, Default)]
struct PriceIn {
    side: u8,
    is_increase: bool,
    size_usd: u64,
    price: u64,
    positive: bool,
    usd: u64,
}

fn ref_impacted_price(i: &PriceIn) -> R<u64> {
    let long = match i.side {
        LONG => true,
        SHORT => false,
        _ => return Err("InvalidSide"),
    };
    let (s, imp, p) = (i.size_usd as u128, i.usd as u128, i.price as u128);
    if imp == 0 {
        return Ok(i.price);
    }
    // The trader's side is worth less (S − I) for a long's loss or a short's gain.
    let shrinks = (long && !i.positive) || (!long && i.positive);
    if s == 0 || (shrinks && imp >= s) {
        return Err("ImpactTooLarge");
    }
    let adjusted = if shrinks { s - imp } else { s + imp };
    fit_u64(adjusted)?;
    // Buyers (long increase, short decrease) round up.
    let up = (long && i.is_increase) || (!long && !i.is_increase);
    let out =
        if i.is_increase { fit_u64(div_round(p * s, adjusted, up))? } else { fit_u64(div_round(p * adjusted, s, up))? };
    if out == 0 {
        return Err("InvalidPrice");
    }
    Ok(out)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Index {
    paid: u128,
    received: u128,
}

#[derive(Clone, Copy, Debug, Default)]
struct FundingIn {
    long_oi_usd: u64,
    short_oi_usd: u64,
    funding_factor: u64,
    max_rate: u64,
    dt_secs: u64,
    long_index: Index,
    short_index: Index,
}

/// (rate, payer_is_long, long_index, short_index)
fn ref_accrue_funding(i: &FundingIn) -> R<(u64, bool, Index, Index)> {
    let (l, s) = (i.long_oi_usd as u128, i.short_oi_usd as u128);
    let total = l + s;
    fit_u64(total)?;
    let rate = if total == 0 {
        0
    } else {
        div_round(i.funding_factor as u128 * l.abs_diff(s), total, true).min(i.max_rate as u128)
    };
    let payer_is_long = l > s;
    let (mut li, mut si) = (i.long_index, i.short_index);
    if rate > 0 && i.dt_secs > 0 {
        let growth = rate * i.dt_secs as u128; // < 2^128
        let (payer_oi, receiver_oi) = if payer_is_long { (l, s) } else { (s, l) };
        let (payer, receiver) = if payer_is_long { (&mut li, &mut si) } else { (&mut si, &mut li) };
        payer.paid = payer.paid.checked_add(growth).ok_or("Overflow")?;
        if receiver_oi > 0 {
            let share = big(growth).mul(&big(payer_oi)).div(&big(receiver_oi), false).to_u128().ok_or("Overflow")?;
            receiver.received = receiver.received.checked_add(share).ok_or("Overflow")?;
        }
    }
    Ok((rate as u64, payer_is_long, li, si))
}

#[derive(Clone, Copy, Debug, Default)]
struct PosFundingIn {
    size_usd: u64,
    side: u8,
    long_index: Index,
    short_index: Index,
    index_snapshot: Index,
}

/// (pays, usd)
fn ref_position_funding(i: &PosFundingIn) -> R<(bool, u64)> {
    let now = match i.side {
        LONG => i.long_index,
        SHORT => i.short_index,
        _ => return Err("InvalidSide"),
    };
    let dp = now.paid.checked_sub(i.index_snapshot.paid).ok_or("Underflow")?;
    let dr = now.received.checked_sub(i.index_snapshot.received).ok_or("Underflow")?;
    let one = Big::pow10(18);
    let settle = |d: u128, up: bool| -> R<u64> {
        let v = big(i.size_usd).mul(&big(d)).div(&one, up);
        match v.to_u128() {
            Some(x) => fit_u64(x),
            None => Err("Overflow"),
        }
    };
    let pays = settle(dp, true)?;
    let gets = settle(dr, false)?;
    Ok(if pays > gets { (true, pays - gets) } else { (false, gets - pays) })
}

#[derive(Clone, Copy, Debug, Default)]
struct AdlIn {
    side: u8,
    oi_usd: u64,
    oi_tokens: u64,
    market_decimals: u8,
    market_price: u64,
    pool_tokens: u64,
    pool_decimals: u8,
    pool_price: u64,
}

/// (side_profit_usd, adl_ratio_bps): the side's profit at the market price (a loss is zero;
/// longs' tokens valued down, shorts' up), then `floor(profit · 10_000 / value)` with the
/// custody's value rounded up; a zero profit is a zero ratio whatever the custody, a profit
/// against a custody worth nothing is `u64::MAX`. Sides other than 1 and 2 are not defined.
fn ref_adl(i: &AdlIn) -> R<(u64, u64)> {
    let profit = match i.side {
        LONG => {
            let value = to_usd(i.oi_tokens, i.market_price, i.market_decimals, false)?;
            value.saturating_sub(i.oi_usd as u128)
        }
        SHORT => {
            let value = to_usd(i.oi_tokens, i.market_price, i.market_decimals, true)?;
            (i.oi_usd as u128).saturating_sub(value)
        }
        other => panic!("the ADL reference has no side {other}"),
    };
    if profit == 0 {
        return Ok((0, 0));
    }
    let value = to_usd(i.pool_tokens, i.pool_price, i.pool_decimals, true)?;
    if value == 0 {
        return Ok((profit as u64, u64::MAX));
    }
    Ok((profit as u64, fit_u64(profit * 10_000 / value)?))
}

// ---------------------------------------------------------------------------------------------
// JSON.
// ---------------------------------------------------------------------------------------------

impl ImpactIn {
    fn json(&self) -> Value {
        json!({
            "side": self.side, "is_increase": self.is_increase, "size_usd": s(self.size_usd),
            "long_oi_usd": s(self.long_oi_usd), "short_oi_usd": s(self.short_oi_usd),
            "positive_factor": s(self.positive_factor), "negative_factor": s(self.negative_factor),
            "exponent": self.exponent, "max_positive_impact_bps": s(self.max_positive_impact_bps),
            "max_negative_impact_bps": s(self.max_negative_impact_bps),
        })
    }
}

impl PriceIn {
    fn json(&self) -> Value {
        json!({
            "side": self.side, "is_increase": self.is_increase, "size_usd": s(self.size_usd),
            "price": s(self.price), "impact": {"positive": self.positive, "usd": s(self.usd)},
        })
    }
}

impl Index {
    fn json(&self) -> Value {
        json!({"paid": s(self.paid), "received": s(self.received)})
    }
}

impl FundingIn {
    fn json(&self) -> Value {
        json!({
            "long_oi_usd": s(self.long_oi_usd), "short_oi_usd": s(self.short_oi_usd),
            "funding_factor": s(self.funding_factor), "max_rate": s(self.max_rate),
            "dt_secs": s(self.dt_secs), "long_index": self.long_index.json(),
            "short_index": self.short_index.json(),
        })
    }
}

impl PosFundingIn {
    fn json(&self) -> Value {
        json!({
            "size_usd": s(self.size_usd), "side": self.side,
            "long_index": self.long_index.json(), "short_index": self.short_index.json(),
            "index_snapshot": self.index_snapshot.json(),
        })
    }
}

impl AdlIn {
    fn json(&self) -> Value {
        json!({
            "side": self.side, "oi_usd": s(self.oi_usd), "oi_tokens": s(self.oi_tokens),
            "market_decimals": self.market_decimals, "market_price": s(self.market_price),
            "pool_tokens": s(self.pool_tokens), "pool_decimals": self.pool_decimals,
            "pool_price": s(self.pool_price),
        })
    }
}

fn impact_out(r: R<(bool, u64)>) -> R<Value> {
    r.map(|(p, u)| json!({"positive": p, "usd": s(u)}))
}

fn accrual_out(r: R<(u64, bool, Index, Index)>) -> R<Value> {
    r.map(|(rate, payer, li, si)| {
        json!({"rate": s(rate), "payer_is_long": payer, "long_index": li.json(), "short_index": si.json()})
    })
}

fn fee_out(r: R<(bool, u64)>) -> R<Value> {
    r.map(|(p, u)| json!({"pays": p, "usd": s(u)}))
}

fn adl_out(r: R<(u64, u64)>) -> R<Value> {
    r.map(|(p, q)| json!({"side_profit_usd": s(p), "adl_ratio_bps": s(q)}))
}

// ---------------------------------------------------------------------------------------------
// Inputs.
// ---------------------------------------------------------------------------------------------

/// [`Rng`] (shared) with this generator's edge values.
impl Rng {
    fn edgy(&mut self) -> u64 {
        const EDGES: [u64; 8] = [0, 1, 2, 10_000, 1 << 32, u64::MAX / 2, u64::MAX - 1, u64::MAX];
        self.edgy_among(&EDGES)
    }
    fn wide(&mut self) -> u128 {
        ((self.any_width() as u128) << self.below(65)) | self.any_width() as u128
    }
}

/// 1e-8 per USD at exponent 2 (18 decimals).
const F2: u64 = 10_000_000_000;

fn worked(long_oi: u64) -> ImpactIn {
    ImpactIn {
        side: LONG,
        is_increase: true,
        size_usd: 200_000 * USD,
        long_oi_usd: long_oi,
        short_oi_usd: 0,
        positive_factor: F2,
        negative_factor: F2,
        exponent: 2,
        max_positive_impact_bps: 500,
        max_negative_impact_bps: 500,
    }
}

/// A realistic factor for the exponent: per USD^(e−1), around 1e-4 (e=1), 1e-8 (e=2), 1e-14 (e=3).
fn factor(rng: &mut Rng, e: u8) -> u64 {
    match e {
        1 => rng.log(1_000_000_000_000, 10_000_000_000_000_000),
        2 => rng.log(100_000_000, 1_000_000_000_000),
        _ => rng.log(100, 100_000_000),
    }
}

fn realistic_impact(rng: &mut Rng) -> ImpactIn {
    let e = rng.pick(&[1, 2, 2, 2, 3]);
    let long_oi = if rng.chance(15) { 0 } else { rng.log(USD, 500_000_000 * USD) };
    let short_oi = if rng.chance(15) { 0 } else { rng.log(USD, 500_000_000 * USD) };
    let side = rng.pick(&[LONG, SHORT]);
    let is_increase = rng.chance(60);
    let traded = if side == LONG { long_oi } else { short_oi };
    let size = if is_increase || traded == 0 { rng.log(USD, 50_000_000 * USD) } else { rng.range(0, traded) };
    let fp = factor(rng, e);
    let fneg = if rng.chance(50) { fp } else { factor(rng, e) };
    ImpactIn {
        side,
        is_increase,
        size_usd: size,
        long_oi_usd: long_oi,
        short_oi_usd: short_oi,
        positive_factor: fp,
        negative_factor: fneg,
        exponent: e,
        max_positive_impact_bps: rng.pick(&[0, 10, 50, 100, 10_000]),
        max_negative_impact_bps: rng.pick(&[0, 50, 100, 500, 10_000]),
    }
}

fn fuzz_impact(rng: &mut Rng) -> ImpactIn {
    ImpactIn {
        side: if rng.chance(5) { rng.pick(&[0, 3, 255]) } else { rng.pick(&[LONG, SHORT]) },
        is_increase: rng.chance(50),
        size_usd: rng.edgy(),
        long_oi_usd: rng.edgy(),
        short_oi_usd: rng.edgy(),
        positive_factor: rng.edgy(),
        negative_factor: rng.edgy(),
        exponent: if rng.chance(10) { rng.pick(&[0, 4, 255]) } else { rng.range(1, 3) as u8 },
        max_positive_impact_bps: if rng.chance(20) { rng.edgy() } else { rng.range(0, 10_000) },
        max_negative_impact_bps: if rng.chance(20) { rng.edgy() } else { rng.range(0, 10_000) },
    }
}

fn impact_cases(rng: &mut Rng) -> Vec<(String, ImpactIn)> {
    let mut v: Vec<(String, ImpactIn)> = vec![
        ("worked: long OI 0 -> 200k at 1e-8/USD, e=2: 400 USD".into(), worked(0)),
        ("worked: long OI 200k -> 400k: 1,200 USD".into(), worked(200_000 * USD)),
    ];
    let base = worked(200_000 * USD);
    let hand: Vec<(&str, ImpactIn)> = vec![
        ("short shrinks the skew 200k -> 100k: +300", ImpactIn { side: SHORT, size_usd: 100_000 * USD, ..base }),
        (
            "short flips the skew 200k long -> 100k short, neg factor 2x: +200",
            ImpactIn { side: SHORT, size_usd: 300_000 * USD, negative_factor: 2 * F2, ..base },
        ),
        (
            "short flips the skew 200k long -> 300k short: -500",
            ImpactIn { side: SHORT, size_usd: 500_000 * USD, ..base },
        ),
        ("flip with equal parts: zero", ImpactIn { side: SHORT, size_usd: 400_000 * USD, ..base }),
        ("long close to a balanced book: +400", ImpactIn { is_increase: false, ..base }),
        ("long close grows short skew", ImpactIn { is_increase: false, short_oi_usd: 50_000 * USD, ..base }),
        (
            "long decrease flips",
            ImpactIn { is_increase: false, long_oi_usd: 250_000 * USD, short_oi_usd: 100_000 * USD, ..base },
        ),
        (
            "short decrease grows long skew",
            ImpactIn {
                side: SHORT,
                is_increase: false,
                long_oi_usd: 300_000 * USD,
                short_oi_usd: 250_000 * USD,
                size_usd: 100_000 * USD,
                ..base
            },
        ),
        ("zero size", ImpactIn { size_usd: 0, ..base }),
        ("balanced book, zero size", ImpactIn { size_usd: 0, long_oi_usd: 5, short_oi_usd: 5, ..base }),
        ("from a balanced book", ImpactIn { long_oi_usd: 1_000_000 * USD, short_oi_usd: 1_000_000 * USD, ..base }),
        ("zero factors", ImpactIn { positive_factor: 0, negative_factor: 0, ..base }),
        (
            "negative capped at 50 bps",
            ImpactIn { size_usd: 1_000_000 * USD, long_oi_usd: 0, max_negative_impact_bps: 50, ..base },
        ),
        ("negative cap 0", ImpactIn { max_negative_impact_bps: 0, ..base }),
        (
            "positive capped at 1 bps",
            ImpactIn { side: SHORT, size_usd: 100_000 * USD, max_positive_impact_bps: 1, ..base },
        ),
        ("positive cap 0", ImpactIn { side: SHORT, size_usd: 100_000 * USD, max_positive_impact_bps: 0, ..base }),
        (
            "exponent 1",
            ImpactIn {
                exponent: 1,
                positive_factor: 100_000_000_000_000,
                negative_factor: 100_000_000_000_000,
                ..base
            },
        ),
        ("exponent 3", ImpactIn { exponent: 3, positive_factor: 10_000, negative_factor: 10_000, ..base }),
        (
            "1 micro-USD trade rounds the negative impact up",
            ImpactIn { size_usd: 1, long_oi_usd: 0, max_negative_impact_bps: 10_000, ..base },
        ),
        (
            "1 micro-USD shrink rounds the positive impact down",
            ImpactIn { side: SHORT, size_usd: 1, long_oi_usd: 1, max_positive_impact_bps: 10_000, ..base },
        ),
        (
            "full-width exponent 3, huge factor: capped",
            ImpactIn { size_usd: u64::MAX, long_oi_usd: 0, exponent: 3, negative_factor: u64::MAX, ..base },
        ),
        (
            "full-width flip, huge factors",
            ImpactIn {
                side: SHORT,
                size_usd: u64::MAX,
                long_oi_usd: u64::MAX / 2,
                exponent: 3,
                positive_factor: u64::MAX,
                negative_factor: u64::MAX,
                max_positive_impact_bps: 10_000,
                max_negative_impact_bps: 10_000,
                ..base
            },
        ),
        (
            "cap above 100 % overflows",
            ImpactIn { size_usd: u64::MAX, long_oi_usd: 0, max_negative_impact_bps: 10_001, ..base },
        ),
        ("cap above 100 % on a small trade", ImpactIn { max_negative_impact_bps: 20_000, ..base }),
        ("invalid side 0", ImpactIn { side: 0, ..base }),
        ("invalid side 3", ImpactIn { side: 3, ..base }),
        ("exponent 0", ImpactIn { exponent: 0, ..base }),
        ("exponent 4", ImpactIn { exponent: 4, ..base }),
        ("invalid side before exponent", ImpactIn { side: 9, exponent: 9, ..base }),
        ("decrease beyond long OI", ImpactIn { is_increase: false, size_usd: 200_000 * USD + 1, ..base }),
        ("decrease beyond short OI", ImpactIn { side: SHORT, is_increase: false, size_usd: 1, ..base }),
        ("increase overflows OI", ImpactIn { long_oi_usd: u64::MAX, ..base }),
        ("exponent checked before OI", ImpactIn { exponent: 0, long_oi_usd: u64::MAX, ..base }),
    ];
    v.extend(hand.into_iter().map(|(n, i)| (n.to_string(), i)));
    for k in 0..70 {
        v.push((format!("realistic {k}"), realistic_impact(rng)));
    }
    for k in 0..40 {
        v.push((format!("fuzz {k}"), fuzz_impact(rng)));
    }
    v
}

fn price_cases(rng: &mut Rng, impacts: &[(String, ImpactIn)]) -> Vec<(String, PriceIn)> {
    let p5000 = 5_000_000_000_000;
    let mut v: Vec<(String, PriceIn)> = vec![
        (
            "worked: 400 USD on 200k long at 5,000 -> ~5,010.02".into(),
            PriceIn {
                side: LONG,
                is_increase: true,
                size_usd: 200_000 * USD,
                price: p5000,
                positive: false,
                usd: 400 * USD,
            },
        ),
        (
            "worked: 1,200 USD on 200k long at 5,000 -> ~5,030.18".into(),
            PriceIn {
                side: LONG,
                is_increase: true,
                size_usd: 200_000 * USD,
                price: p5000,
                positive: false,
                usd: 1_200 * USD,
            },
        ),
    ];
    // Every (side, increase, sign) shape on the same numbers.
    for side in [LONG, SHORT] {
        for is_increase in [true, false] {
            for positive in [false, true] {
                v.push((
                    format!("shape side {side} increase {is_increase} positive {positive}"),
                    PriceIn {
                        side,
                        is_increase,
                        size_usd: 100_000 * USD,
                        price: 150_123_456_789,
                        positive,
                        usd: 333_333_333,
                    },
                ));
            }
        }
    }
    let base = PriceIn { side: LONG, is_increase: true, size_usd: 1_000 * USD, price: p5000, positive: false, usd: 0 };
    let hand: Vec<(&str, PriceIn)> = vec![
        ("zero impact: price unchanged", base),
        ("zero impact, zero size: unchanged", PriceIn { size_usd: 0, ..base }),
        ("impact equal to size (long negative)", PriceIn { usd: 1_000 * USD, ..base }),
        ("impact equal to size (short positive)", PriceIn { side: SHORT, positive: true, usd: 1_000 * USD, ..base }),
        ("impact above size (long decrease negative)", PriceIn { is_increase: false, usd: 1_000 * USD + 1, ..base }),
        ("impact just below size (long increase negative)", PriceIn { usd: 1_000 * USD - 1, ..base }),
        (
            "impact just below size (long decrease negative): tiny price",
            PriceIn { is_increase: false, usd: 1_000 * USD - 1, ..base },
        ),
        (
            "impact just below size, small price: zero price",
            PriceIn { is_increase: false, usd: 1_000 * USD - 1, price: 999, ..base },
        ),
        ("zero size with an impact", PriceIn { size_usd: 0, usd: 1, positive: true, ..base }),
        ("S + I overflows", PriceIn { size_usd: u64::MAX, usd: 1, positive: true, ..base }),
        ("price overflows", PriceIn { price: u64::MAX, usd: 1, ..base }),
        ("zero price with an impact", PriceIn { price: 0, usd: 1, ..base }),
        ("invalid side", PriceIn { side: 0, usd: 1, ..base }),
        ("invalid side with zero impact", PriceIn { side: 7, ..base }),
        (
            "1 micro-USD impact on 1 USD short decrease",
            PriceIn { side: SHORT, is_increase: false, size_usd: USD, usd: 1, ..base },
        ),
    ];
    v.extend(hand.into_iter().map(|(n, i)| (n.to_string(), i)));
    // The impacts of the realistic cases, at realistic prices.
    for (note, i) in impacts.iter().filter(|(n, _)| n.starts_with("realistic")).take(60) {
        if let Ok((positive, usd)) = ref_price_impact(i) {
            let price = rng.log(1_000_000, 100_000_000_000_000);
            v.push((
                format!("price of {note}"),
                PriceIn { side: i.side, is_increase: i.is_increase, size_usd: i.size_usd, price, positive, usd },
            ));
        }
    }
    for k in 0..40 {
        let size = rng.edgy();
        let usd = if rng.chance(60) && size > 0 { rng.below(size) } else { rng.edgy() };
        v.push((
            format!("fuzz {k}"),
            PriceIn {
                side: if rng.chance(5) { 3 } else { rng.pick(&[LONG, SHORT]) },
                is_increase: rng.chance(50),
                size_usd: size,
                price: rng.edgy(),
                positive: rng.chance(50),
                usd,
            },
        ));
    }
    v
}

/// 1 % per hour (18 decimals per second).
const ONE_PCT_HOUR: u64 = 2_777_777_777_778;

fn funding_cases(rng: &mut Rng) -> Vec<(String, FundingIn)> {
    let base = FundingIn {
        long_oi_usd: 300_000 * USD,
        short_oi_usd: 100_000 * USD,
        funding_factor: ONE_PCT_HOUR,
        max_rate: u64::MAX,
        dt_secs: 3_600,
        ..FundingIn::default()
    };
    let idx = Index { paid: 123_456_789_000_000_000, received: 987_654_321 };
    let hand: Vec<(&str, FundingIn)> = vec![
        ("longs pay half the factor for an hour", base),
        ("shorts pay", FundingIn { long_oi_usd: 100_000 * USD, short_oi_usd: 300_000 * USD, ..base }),
        ("with existing indexes", FundingIn { long_index: idx, short_index: Index { paid: 5, received: 7 }, ..base }),
        ("capped rate", FundingIn { max_rate: 1_000_000_000, ..base }),
        ("zero max rate", FundingIn { max_rate: 0, ..base }),
        ("balanced book pays nothing", FundingIn { short_oi_usd: 300_000 * USD, long_index: idx, ..base }),
        ("empty book", FundingIn { long_oi_usd: 0, short_oi_usd: 0, ..base }),
        ("no receivers: pool keeps it", FundingIn { short_oi_usd: 0, ..base }),
        ("zero dt", FundingIn { dt_secs: 0, long_index: idx, ..base }),
        ("zero factor", FundingIn { funding_factor: 0, ..base }),
        ("rate rounds up", FundingIn { long_oi_usd: 2, short_oi_usd: 1, funding_factor: 10, ..base }),
        ("1 micro-USD receiver: large share", FundingIn { short_oi_usd: 1, dt_secs: 86_400 * 365, ..base }),
        ("OI sum overflows", FundingIn { long_oi_usd: u64::MAX, short_oi_usd: 1, ..base }),
        ("paid index overflows", FundingIn { long_index: Index { paid: u128::MAX, received: 0 }, ..base }),
        ("received index overflows", FundingIn { short_index: Index { paid: 0, received: u128::MAX - 5 }, ..base }),
        (
            "received share overflows u128",
            FundingIn {
                long_oi_usd: u64::MAX - 1,
                short_oi_usd: 1,
                funding_factor: u64::MAX,
                dt_secs: u64::MAX,
                ..base
            },
        ),
        (
            "max rate x max dt fits the paid index",
            FundingIn { long_oi_usd: 1, short_oi_usd: 0, funding_factor: u64::MAX, dt_secs: u64::MAX, ..base },
        ),
    ];
    let mut v: Vec<(String, FundingIn)> = hand.into_iter().map(|(n, i)| (n.to_string(), i)).collect();
    for k in 0..70 {
        let long = if rng.chance(10) { 0 } else { rng.log(USD, 500_000_000 * USD) };
        let short = if rng.chance(10) {
            0
        } else if rng.chance(10) {
            long
        } else {
            rng.log(USD, 500_000_000 * USD)
        };
        let ix = |rng: &mut Rng| Index {
            paid: if rng.chance(30) { 0 } else { rng.log(1, 1 << 62) as u128 * rng.log(1, 1000) as u128 },
            received: if rng.chance(30) { 0 } else { rng.log(1, 1 << 62) as u128 * rng.log(1, 1000) as u128 },
        };
        v.push((
            format!("realistic {k}"),
            FundingIn {
                long_oi_usd: long,
                short_oi_usd: short,
                funding_factor: rng.log(1_000_000_000, 100_000_000_000_000),
                max_rate: if rng.chance(30) { rng.log(1_000_000_000, 10_000_000_000_000) } else { u64::MAX },
                dt_secs: rng.pick(&[0, 1, 12, 400, 3_600, 86_400, 2_592_000]),
                long_index: ix(rng),
                short_index: ix(rng),
            },
        ));
    }
    for k in 0..30 {
        v.push((
            format!("fuzz {k}"),
            FundingIn {
                long_oi_usd: rng.edgy(),
                short_oi_usd: rng.edgy(),
                funding_factor: rng.edgy(),
                max_rate: rng.edgy(),
                dt_secs: rng.edgy(),
                long_index: Index { paid: rng.wide(), received: rng.wide() },
                short_index: Index { paid: rng.wide(), received: rng.wide() },
            },
        ));
    }
    v
}

fn position_cases(rng: &mut Rng, accruals: &[(String, FundingIn)]) -> Vec<(String, PosFundingIn)> {
    let e18 = 1_000_000_000_000_000_000u128;
    let zero = Index::default();
    let base = PosFundingIn {
        size_usd: 100_000 * USD,
        side: LONG,
        long_index: Index { paid: 5_000_000_000_000_400, received: 0 },
        short_index: Index { paid: 0, received: 15_000_000_000_001_200 },
        index_snapshot: zero,
    };
    let hand: Vec<(&str, PosFundingIn)> = vec![
        ("100k long pays 0.5 % rounded up", base),
        ("100k short receives 1.5 % rounded down", PosFundingIn { side: SHORT, ..base }),
        (
            "both indexes moved: net pays",
            PosFundingIn { long_index: Index { paid: 3 * e18 / 100, received: e18 / 100 }, ..base },
        ),
        (
            "both indexes moved: net receives",
            PosFundingIn { long_index: Index { paid: e18 / 100, received: 3 * e18 / 100 }, ..base },
        ),
        (
            "both indexes moved equally: ceil vs floor",
            PosFundingIn { size_usd: 3, long_index: Index { paid: e18 / 3, received: e18 / 3 }, ..base },
        ),
        (
            "snapshot equals now: nothing",
            PosFundingIn { index_snapshot: Index { paid: 5_000_000_000_000_400, received: 0 }, ..base },
        ),
        ("zero size", PosFundingIn { size_usd: 0, ..base }),
        ("1 micro-USD position pays at least 1", PosFundingIn { size_usd: 1, ..base }),
        ("1 micro-USD position receives 0", PosFundingIn { size_usd: 1, side: SHORT, ..base }),
        ("invalid side", PosFundingIn { side: 0, ..base }),
        ("invalid side 3", PosFundingIn { side: 3, ..base }),
        (
            "paid snapshot above now",
            PosFundingIn { index_snapshot: Index { paid: 5_000_000_000_000_401, received: 0 }, ..base },
        ),
        (
            "received snapshot above now",
            PosFundingIn { side: SHORT, index_snapshot: Index { paid: 0, received: 15_000_000_000_001_201 }, ..base },
        ),
        (
            "paid underflow checked before received",
            PosFundingIn { index_snapshot: Index { paid: u128::MAX, received: u128::MAX }, ..base },
        ),
        (
            "paid amount overflows",
            PosFundingIn { size_usd: u64::MAX, long_index: Index { paid: 2 * e18, received: 0 }, ..base },
        ),
        (
            "received amount overflows",
            PosFundingIn {
                size_usd: u64::MAX,
                side: SHORT,
                short_index: Index { paid: 0, received: u128::MAX },
                ..base
            },
        ),
        (
            "full-width indexes, small size",
            PosFundingIn { size_usd: 7, long_index: Index { paid: u128::MAX, received: u128::MAX - 1 }, ..base },
        ),
    ];
    let mut v: Vec<(String, PosFundingIn)> = hand.into_iter().map(|(n, i)| (n.to_string(), i)).collect();
    // Positions settled against the realistic accruals, with snapshots from before them.
    for (note, a) in accruals.iter().filter(|(n, _)| n.starts_with("realistic")).take(60) {
        if let Ok((_, _, li, si)) = ref_accrue_funding(a) {
            let side = rng.pick(&[LONG, SHORT]);
            let oi = if side == LONG { a.long_oi_usd } else { a.short_oi_usd };
            let size = if oi == 0 { rng.log(1, 1_000_000 * USD) } else { rng.range(1, oi) };
            let snapshot = if side == LONG { a.long_index } else { a.short_index };
            v.push((
                format!("settle after {note}"),
                PosFundingIn { size_usd: size, side, long_index: li, short_index: si, index_snapshot: snapshot },
            ));
        }
    }
    for k in 0..30 {
        let now = Index { paid: rng.wide(), received: rng.wide() };
        let snapshot = if rng.chance(80) {
            Index { paid: now.paid - now.paid.min(rng.wide()), received: now.received - now.received.min(rng.wide()) }
        } else {
            Index { paid: rng.wide(), received: rng.wide() }
        };
        let side = if rng.chance(5) { 4 } else { rng.pick(&[LONG, SHORT]) };
        let other = Index { paid: rng.wide(), received: rng.wide() };
        let (long_index, short_index) = if side == LONG { (now, other) } else { (other, now) };
        v.push((
            format!("fuzz {k}"),
            PosFundingIn { size_usd: rng.edgy(), side, long_index, short_index, index_snapshot: snapshot },
        ));
    }
    v
}

/// Market tokens for the ADL cases: (name, decimals, price with 9 decimals).
const ADL_TOKENS: [(&str, u8, u64); 7] = [
    ("SOL", 9, 150_000_000_000),
    ("BTC", 8, 95_000_000_000_000),
    ("ETH", 8, 3_500_000_000_000),
    ("BONK", 5, 20_000),
    ("USDC", 6, 1_000_000_000),
    ("WETH", 18, 3_500_000_000_000),
    ("WHOLE", 0, 25_000_000_000),
];

/// Cases in the `adl_ratio` section: hand-written, the decimals sweep, realistic, fuzz.
const ADL_HAND: usize = 42;
const ADL_SWEEP: usize = 38;
const ADL_REALISTIC: usize = 150;
const ADL_FUZZ: usize = 80;
const ADL_RATIO_CASES: usize = ADL_HAND + ADL_SWEEP + ADL_REALISTIC + ADL_FUZZ;

/// Native units worth `usd` at `price` (rounded down), for building inputs.
fn units_for(usd: u64, decimals: u8, price: u64) -> u64 {
    (usd as u128 * 10u128.pow(decimals as u32 + 3) / price as u128).min(U64) as u64
}

/// The largest USD amount (capped at `cap`) whose units at `price` fit in a u64.
fn usd_cap(decimals: u8, price: u64, cap: u64) -> u64 {
    (U64 * price as u128 / 10u128.pow(decimals as u32 + 3)).clamp(USD as u128, cap as u128) as u64
}

/// One side of a market marked after a price move, against its paying custody.
fn realistic_adl(rng: &mut Rng) -> (String, AdlIn) {
    let (name, md, entry) = rng.pick(&ADL_TOKENS);
    let side = rng.pick(&[LONG, SHORT]);
    let oi_usd = if rng.chance(5) { 0 } else { rng.log(USD, usd_cap(md, entry, 2_000_000_000 * USD)) };
    // The side's tokens, bought at `entry`: a long holds them, a short owes them.
    let oi_tokens = units_for(oi_usd, md, entry);
    let move_bps = if rng.chance(70) { rng.range(8_000, 12_000) } else { rng.range(2_000, 30_000) };
    let market_price = (entry as u128 * move_bps as u128 / 10_000) as u64;
    // Longs are paid by the market token's custody, shorts by a stablecoin; sometimes another.
    let (pool_name, pd, pool_price) = if rng.chance(20) {
        rng.pick(&ADL_TOKENS)
    } else if side == LONG {
        (name, md, market_price)
    } else {
        ADL_TOKENS[4]
    };
    let pool_cap = usd_cap(pd, pool_price.max(1), 5_000_000_000 * USD);
    let pool_usd = if rng.chance(8) {
        0
    } else if rng.chance(15) {
        rng.log(1, pool_cap.min(1_000 * USD))
    } else {
        rng.log(pool_cap.min(10_000 * USD), pool_cap)
    };
    let pool_tokens = if pool_price == 0 { rng.log(1, u64::MAX) } else { units_for(pool_usd, pd, pool_price) };
    let label = if side == LONG { "long" } else { "short" };
    (
        format!("{name} {label} at {move_bps} bps of entry, paid in {pool_name}"),
        AdlIn {
            side,
            oi_usd,
            oi_tokens,
            market_decimals: md,
            market_price,
            pool_tokens,
            pool_decimals: pd,
            pool_price,
        },
    )
}

fn fuzz_decimals(rng: &mut Rng) -> u8 {
    if rng.chance(6) {
        rng.pick(&[19, 20, 255])
    } else {
        rng.range(0, 18) as u8
    }
}

fn fuzz_adl(rng: &mut Rng) -> AdlIn {
    AdlIn {
        side: rng.pick(&[LONG, SHORT]),
        oi_usd: rng.edgy(),
        oi_tokens: rng.edgy(),
        market_decimals: fuzz_decimals(rng),
        market_price: rng.edgy(),
        pool_tokens: rng.edgy(),
        pool_decimals: fuzz_decimals(rng),
        pool_price: rng.edgy(),
    }
}

fn adl_cases(rng: &mut Rng) -> Vec<(String, AdlIn)> {
    const P200: u64 = 200_000_000_000;
    const P100: u64 = 100_000_000_000;
    // 10 tokens (9 decimals) bought for 1,000 USD, now at 200 USD; the custody holds 10 tokens.
    let base = AdlIn {
        side: LONG,
        oi_usd: 1_000 * USD,
        oi_tokens: 10_000_000_000,
        market_decimals: 9,
        market_price: P200,
        pool_tokens: 10_000_000_000,
        pool_decimals: 9,
        pool_price: P200,
    };
    // 1.5e-6 USD per whole token with 0 decimals: one token is worth 1.5 µUSD.
    let odd = AdlIn {
        oi_usd: 0,
        oi_tokens: 1,
        market_decimals: 0,
        market_price: 1_500,
        pool_tokens: 1_000,
        pool_decimals: 0,
        pool_price: 1_000,
        ..base
    };
    let full = u64::MAX;
    let hand: Vec<(&str, AdlIn)> = vec![
        ("long +1,000 USD against a 2,000 USD custody: 5,000 bps", base),
        (
            "short +1,000 USD against a 1,000 USD custody: 10,000 bps",
            AdlIn { side: SHORT, oi_usd: 2_000 * USD, market_price: P100, pool_price: P100, ..base },
        ),
        ("long at a loss: 0", AdlIn { oi_usd: 3_000 * USD, ..base }),
        ("short at a loss: 0", AdlIn { side: SHORT, oi_usd: 1_999 * USD, ..base }),
        ("long at break-even: 0", AdlIn { oi_usd: 2_000 * USD, ..base }),
        ("short at break-even: 0", AdlIn { side: SHORT, oi_usd: 2_000 * USD, ..base }),
        ("no open interest: 0", AdlIn { oi_usd: 0, oi_tokens: 0, ..base }),
        ("short owing no tokens: the whole OI is profit", AdlIn { side: SHORT, oi_tokens: 0, ..base }),
        ("long profit against an empty custody: u64::MAX", AdlIn { pool_tokens: 0, ..base }),
        (
            "short profit against an empty custody: u64::MAX",
            AdlIn { side: SHORT, oi_usd: 3_000 * USD, pool_tokens: 0, ..base },
        ),
        ("long profit against a zero custody price: u64::MAX", AdlIn { pool_price: 0, ..base }),
        ("long at a loss against an empty custody: 0", AdlIn { oi_usd: 3_000 * USD, pool_tokens: 0, ..base }),
        ("zero market price: longs lose everything", AdlIn { market_price: 0, ..base }),
        ("zero market price: shorts keep the whole OI", AdlIn { side: SHORT, market_price: 0, ..base }),
        (
            "1 µUSD against 3 µUSD: 3,333 bps, rounded down",
            AdlIn {
                oi_usd: 1,
                oi_tokens: 2,
                market_decimals: 6,
                market_price: 1_000_000_000,
                pool_tokens: 3,
                pool_decimals: 6,
                pool_price: 1_000_000_000,
                ..base
            },
        ),
        ("long token value 1.5 µUSD rounds down to 1: profit 1", odd),
        ("short token value 1.5 µUSD rounds up to 2: no profit on 2", AdlIn { side: SHORT, oi_usd: 2, ..odd }),
        ("short token value 1.5 µUSD rounds up to 2: profit 1 on 3", AdlIn { side: SHORT, oi_usd: 3, ..odd }),
        ("custody worth 1.5 µUSD counts as 2", AdlIn { pool_tokens: 1, pool_price: 1_500, ..odd }),
        ("custody worth a thousandth of a µUSD counts as 1", AdlIn { pool_tokens: 1, pool_price: 1, ..odd }),
        (
            "profit of the full u64 range against 10,000 µUSD: exactly u64::MAX",
            AdlIn { oi_tokens: full, market_price: 1_000, pool_tokens: 10_000, ..odd },
        ),
        (
            "profit of the full u64 range against 9,999 µUSD: the ratio overflows",
            AdlIn { oi_tokens: full, market_price: 1_000, pool_tokens: 9_999, ..odd },
        ),
        (
            "profit × 10,000 above u64 against 1 µUSD: the ratio overflows",
            AdlIn { oi_tokens: 1 << 62, market_price: 1_000, pool_tokens: 1, ..odd },
        ),
        (
            "largest profit whose ratio against 1 µUSD fits",
            AdlIn { oi_tokens: full / 10_000, market_price: 1_000, pool_tokens: 1, ..odd },
        ),
        (
            "one more µUSD of profit against 1 µUSD overflows",
            AdlIn { oi_tokens: full / 10_000 + 1, market_price: 1_000, pool_tokens: 1, ..odd },
        ),
        ("long value above u64 overflows", AdlIn { oi_tokens: full, market_price: full, market_decimals: 0, ..base }),
        (
            "short value above u64 overflows",
            AdlIn { side: SHORT, oi_usd: full, oi_tokens: full, market_price: full, market_decimals: 0, ..base },
        ),
        (
            "long value of exactly u64::MAX µUSD + 15/1000: floor fits",
            AdlIn {
                oi_usd: full - 7,
                oi_tokens: 18_428_315_757_951_600_015,
                market_price: 1_001,
                market_decimals: 0,
                ..base
            },
        ),
        (
            "short value of u64::MAX µUSD + 15/1000 overflows only when rounded up",
            AdlIn {
                side: SHORT,
                oi_usd: full,
                oi_tokens: 18_428_315_757_951_600_015,
                market_price: 1_001,
                market_decimals: 0,
                ..base
            },
        ),
        (
            "custody value overflows only when rounded up",
            AdlIn { pool_tokens: 18_428_315_757_951_600_015, pool_price: 1_001, pool_decimals: 0, ..base },
        ),
        (
            "custody value overflows with a profit",
            AdlIn { pool_tokens: full, pool_price: full, pool_decimals: 0, ..base },
        ),
        (
            "custody value overflows but the side is at a loss: 0",
            AdlIn { oi_usd: 3_000 * USD, pool_tokens: full, pool_price: full, pool_decimals: 0, ..base },
        ),
        (
            "full-width values at 18 decimals fit",
            AdlIn {
                oi_usd: 1,
                oi_tokens: full,
                market_price: full,
                market_decimals: 18,
                pool_tokens: full,
                pool_price: full,
                pool_decimals: 18,
                ..base
            },
        ),
        ("market decimals 19", AdlIn { market_decimals: 19, ..base }),
        ("market decimals 255, short", AdlIn { side: SHORT, market_decimals: 255, ..base }),
        ("market decimals 19 with no tokens", AdlIn { oi_tokens: 0, market_decimals: 19, ..base }),
        ("custody decimals 19 with a profit", AdlIn { pool_decimals: 19, ..base }),
        ("custody decimals 19 but the side is at a loss: 0", AdlIn { oi_usd: 3_000 * USD, pool_decimals: 19, ..base }),
        (
            "1 µUSD profit against 1 µUSD: 10,000 bps",
            AdlIn {
                oi_usd: 0,
                oi_tokens: 1,
                market_decimals: 0,
                market_price: 1_000,
                pool_tokens: 1,
                pool_decimals: 0,
                pool_price: 1_000,
                ..base
            },
        ),
        (
            "tiny profit against a deep custody: rounds to 0 bps",
            AdlIn { oi_usd: 2_000 * USD - 1, pool_tokens: full, pool_decimals: 9, pool_price: 1_000_000_000, ..base },
        ),
        (
            "BTC longs up 1 USD against 1 BTC of custody: 0 bps",
            AdlIn {
                oi_usd: 94_999 * USD,
                oi_tokens: 100_000_000,
                market_decimals: 8,
                market_price: 95_000_000_000_000,
                pool_tokens: 100_000_000,
                pool_decimals: 8,
                pool_price: 95_000_000_000_000,
                ..base
            },
        ),
        (
            "shorts up 50 % paid by a 6-decimal stablecoin",
            AdlIn {
                side: SHORT,
                oi_usd: 1_000_000 * USD,
                oi_tokens: 10_000_000_000_000,
                market_decimals: 9,
                market_price: 50_000_000_000,
                pool_tokens: 2_500_000 * USD,
                pool_decimals: 6,
                pool_price: 1_000_000_000,
            },
        ),
    ];
    assert_eq!(hand.len(), ADL_HAND);
    let mut v: Vec<(String, AdlIn)> = hand.into_iter().map(|(n, i)| (n.to_string(), i)).collect();
    // Every market decimals d against custody decimals 18 − d: 10 tokens bought at 100 USD, now
    // at 123.456789012 USD; the custody holds 7 tokens at the same price.
    for d in 0..=18u8 {
        for side in [LONG, SHORT] {
            let price = if side == LONG { 123_456_789_012 } else { 87_654_321_098 };
            v.push((
                format!("decimals {d} against custody decimals {}, side {side}", 18 - d),
                AdlIn {
                    side,
                    oi_usd: 1_000 * USD,
                    oi_tokens: 10 * 10u64.pow(d as u32),
                    market_decimals: d,
                    market_price: price,
                    pool_tokens: 7 * 10u64.pow(18 - d as u32),
                    pool_decimals: 18 - d,
                    pool_price: price,
                },
            ));
        }
    }
    for _ in 0..ADL_REALISTIC {
        v.push(realistic_adl(rng));
    }
    for k in 0..ADL_FUZZ {
        v.push((format!("fuzz {k}"), fuzz_adl(rng)));
    }
    assert_eq!(v.len(), ADL_RATIO_CASES);
    v
}

fn build() -> Vec<(&'static str, Vec<Value>)> {
    let mut rng = Rng(0x0215_C0DE_F00D_1234);
    let impacts = impact_cases(&mut rng);
    let prices = price_cases(&mut rng, &impacts);
    let accruals = funding_cases(&mut rng);
    let positions = position_cases(&mut rng, &accruals);
    // Its own stream, so the ADL cases leave the other sections as they were.
    let adl = adl_cases(&mut Rng(0x0AD1_5EED_0000_0005));
    vec![
        ("price_impact", impacts.iter().map(|(n, i)| case(n, i.json(), impact_out(ref_price_impact(i)))).collect()),
        ("impacted_price", prices.iter().map(|(n, i)| case(n, i.json(), ref_impacted_price(i).map(s))).collect()),
        (
            "accrue_funding",
            accruals.iter().map(|(n, i)| case(n, i.json(), accrual_out(ref_accrue_funding(i)))).collect(),
        ),
        (
            "position_funding",
            positions.iter().map(|(n, i)| case(n, i.json(), fee_out(ref_position_funding(i)))).collect(),
        ),
        ("adl_ratio", adl.iter().map(|(n, i)| case(n, i.json(), adl_out(ref_adl(i)))).collect()),
    ]
}

#[test]
fn generate_risk_vectors() {
    let sections = build();
    let find = |name: &str| &sections.iter().find(|(n, _)| *n == name).unwrap().1;
    tally("price_impact", find("price_impact"), 60, &["ok", "InvalidSide", "InvalidExponent", "Overflow", "Underflow"]);
    tally(
        "impacted_price",
        find("impacted_price"),
        60,
        &["ok", "InvalidSide", "ImpactTooLarge", "Overflow", "InvalidPrice"],
    );
    tally("accrue_funding", find("accrue_funding"), 60, &["ok", "Overflow"]);
    tally("position_funding", find("position_funding"), 60, &["ok", "InvalidSide", "Underflow", "Overflow"]);
    let adl = find("adl_ratio");
    tally("adl_ratio", adl, 60, &["ok", "Overflow", "InvalidDecimals"]);
    assert_eq!(adl.len(), ADL_RATIO_CASES);
    let ratio = |v: &Value| v["out"]["adl_ratio_bps"].as_str().map(str::to_string);
    let count = |pred: &dyn Fn(&Value) -> bool| adl.iter().filter(|v| pred(v)).count();
    for side in [LONG, SHORT] {
        let on = |v: &Value| v["input"]["side"] == json!(side);
        let zero = count(&|v| on(v) && ratio(v).as_deref() == Some("0"));
        let max = count(&|v| on(v) && ratio(v) == Some(u64::MAX.to_string()));
        let between = count(&|v| on(v) && ratio(v).is_some_and(|r| r != "0" && r != u64::MAX.to_string()));
        eprintln!("adl_ratio side {side}: {zero} zero, {max} u64::MAX, {between} between");
        assert!(zero >= 10 && max >= 3 && between >= 30, "adl_ratio side {side}");
    }
    // The module's worked numbers open the section.
    assert_eq!(adl[0]["out"], json!({"side_profit_usd": "1000000000", "adl_ratio_bps": "5000"}));
    assert_eq!(adl[1]["out"], json!({"side_profit_usd": "1000000000", "adl_ratio_bps": "10000"}));
    // The worked numbers are in the file with the SPEC's values.
    let impacts = find("price_impact");
    assert_eq!(impacts[0]["out"], json!({"positive": false, "usd": "400000000"}));
    assert_eq!(impacts[1]["out"], json!({"positive": false, "usd": "1200000000"}));
    let prices = find("impacted_price");
    assert_eq!(prices[0]["out"], json!("5010020040081"));
    assert_eq!(prices[1]["out"], json!("5030181086520"));
    let shapes = |pred: &dyn Fn(&Value) -> bool| impacts.iter().filter(|v| pred(v)).count();
    let positive = shapes(&|v| v["out"]["positive"] == json!(true));
    let negative = shapes(&|v| v["out"]["positive"] == json!(false) && v["out"]["usd"] != json!("0"));
    eprintln!("price_impact: {positive} positive, {negative} negative");
    assert!(positive >= 10 && negative >= 10);

    write_or_check(
        "risk.json",
        concat!(
            "Shared price-impact, funding and auto-deleveraging vectors: integers are decimal strings (side, ",
            "exponent and decimals are JSON numbers, flags booleans; funding indexes are u128); each case is {note, input, out, err} ",
            "with exactly one of out/err non-null; input holds the Rust struct field names (nested: impact, long_index, short_index, ",
            "index_snapshot); adl_ratio cases give both side_profit_usd and adl_ratio_bps of one AdlInput; err is an ",
            "ImpactError / FundingError or MathError variant name. Generated by programs/perpool/tests/gen_risk_vectors.rs from an ",
            "arbitrary-precision reference; checked by programs/perpool/tests/risk_vectors.rs and sdk/tests/risk-math.test.ts."
        ),
        &sections,
    );
}

// ---------------------------------------------------------------------------------------------
// The library against the reference on many more cases than the file holds.
// ---------------------------------------------------------------------------------------------

mod library {
    use super::*;
    use perpool_core::math::{self, FundingError, ImpactError, Price};

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

    fn idx(i: Index) -> math::FundingIndex {
        math::FundingIndex { paid: i.paid, received: i.received }
    }

    fn back(i: math::FundingIndex) -> Index {
        Index { paid: i.paid, received: i.received }
    }

    pub fn impact(i: &ImpactIn) -> R<(bool, u64)> {
        math::price_impact(&math::ImpactInput {
            side: i.side,
            is_increase: i.is_increase,
            size_usd: i.size_usd,
            long_oi_usd: i.long_oi_usd,
            short_oi_usd: i.short_oi_usd,
            positive_factor: i.positive_factor,
            negative_factor: i.negative_factor,
            exponent: i.exponent,
            max_positive_impact_bps: i.max_positive_impact_bps,
            max_negative_impact_bps: i.max_negative_impact_bps,
        })
        .map(|x| (x.positive, x.usd))
        .map_err(impact_name)
    }

    pub fn price(i: &PriceIn) -> R<u64> {
        math::impacted_price(&math::ImpactedPriceInput {
            side: i.side,
            is_increase: i.is_increase,
            size_usd: i.size_usd,
            price: Price(i.price),
            impact: math::Impact { positive: i.positive, usd: i.usd },
        })
        .map(|p| p.0)
        .map_err(impact_name)
    }

    pub fn accrue(i: &FundingIn) -> R<(u64, bool, Index, Index)> {
        math::accrue_funding(&math::FundingInput {
            long_oi_usd: i.long_oi_usd,
            short_oi_usd: i.short_oi_usd,
            funding_factor: i.funding_factor,
            max_rate: i.max_rate,
            dt_secs: i.dt_secs,
            long_index: idx(i.long_index),
            short_index: idx(i.short_index),
        })
        .map(|a| (a.rate, a.payer_is_long, back(a.long_index), back(a.short_index)))
        .map_err(funding_name)
    }

    pub fn adl(i: &AdlIn) -> R<(u64, u64)> {
        let input = math::AdlInput {
            side: i.side,
            oi_usd: i.oi_usd,
            oi_tokens: i.oi_tokens,
            market_decimals: i.market_decimals,
            market_price: Price(i.market_price),
            pool_tokens: i.pool_tokens,
            pool_decimals: i.pool_decimals,
            pool_price: Price(i.pool_price),
        };
        let profit = math::side_profit_usd(&input).map_err(math_name)?;
        let ratio = math::adl_ratio_bps(&input).map_err(math_name)?;
        Ok((profit, ratio))
    }

    pub fn position(i: &PosFundingIn) -> R<(bool, u64)> {
        math::position_funding(&math::PositionFundingInput {
            size_usd: i.size_usd,
            side: i.side,
            long_index: idx(i.long_index),
            short_index: idx(i.short_index),
            index_snapshot: idx(i.index_snapshot),
        })
        .map(|f| (f.pays, f.usd))
        .map_err(funding_name)
    }
}

#[test]
fn library_matches_reference_on_random_cases() {
    let mut rng = Rng(0xA11C_E5E5_0000_0001);
    for _ in 0..3_000 {
        let i = if rng.chance(50) { realistic_impact(&mut rng) } else { fuzz_impact(&mut rng) };
        let want = ref_price_impact(&i);
        assert_eq!(library::impact(&i), want, "{i:?}");
        if let Ok((positive, usd)) = want {
            let p = PriceIn {
                side: i.side,
                is_increase: i.is_increase,
                size_usd: i.size_usd,
                price: rng.log(1, u64::MAX / 4),
                positive,
                usd,
            };
            assert_eq!(library::price(&p), ref_impacted_price(&p), "{p:?}");
        }
    }
    let fixed = build();
    let accruals = funding_cases(&mut rng);
    for (_, a) in &accruals {
        assert_eq!(library::accrue(a), ref_accrue_funding(a), "{a:?}");
    }
    for (_, p) in position_cases(&mut rng, &accruals) {
        assert_eq!(library::position(&p), ref_position_funding(&p), "{p:?}");
    }
    for k in 0..20_000 {
        let i = if k % 2 == 0 { realistic_adl(&mut rng).1 } else { fuzz_adl(&mut rng) };
        assert_eq!(library::adl(&i), ref_adl(&i), "{i:?}");
    }
    for (note, i) in adl_cases(&mut rng) {
        assert_eq!(library::adl(&i), ref_adl(&i), "{note}: {i:?}");
    }
    assert_eq!(fixed.len(), 5);
    // The big-integer reference itself, against u128 where that suffices.
    for _ in 0..2_000 {
        let (a, b, d) = (rng.next() as u128, rng.next() as u128, rng.next().max(1) as u128);
        assert_eq!(big(a).mul(&big(b)).to_u128(), Some(a * b));
        assert_eq!(big(a * b).div(&big(d), false).to_u128(), Some(a * b / d));
        assert_eq!(big(a * b).div(&big(d), true).to_u128(), Some((a * b).div_ceil(d)));
        let (x, y) = (a.max(b), a.min(b));
        assert_eq!(big(x).sub(&big(y)).to_u128(), Some(x - y));
    }
}
