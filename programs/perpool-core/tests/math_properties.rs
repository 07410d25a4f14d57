//! Property tests of the program's math (issue 9): rounding direction, monotonicity,
//! round trips that must not create value, and no overflow panic for any input — checked
//! natively against exact `u128` references, with a small deterministic PRNG so that a
//! failure prints the case that breaks and replays identically.
//!
//! Each property runs `ITERATIONS` random cases (edge values mixed in).

mod reference;

use reference::Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};

use perpool_core::math::{
    self, accrue, accrue_index, accrue_lending, accrue_lending_down, apply_bps_ceil, apply_bps_floor, borrow_scaled,
    custody_value_usd, debt_tokens, decrease_impact, dynamic_fee_bps, entry_price, exit_price, fee_amount,
    impacted_price, mul_div_ceil, mul_div_floor, normalize_price, price_impact, quote_add_liquidity, quote_decrease,
    quote_increase, quote_remove_liquidity, quote_swap, repay_scaled, split_fee, supply_interest, token_to_usd_ceil,
    token_to_usd_floor, usd_to_token_ceil, usd_to_token_floor, wide_mul, AccrualInput, AddLiquidityInput, Bps,
    CollateralSide, DecreaseImpactInput, DecreaseInput, DynamicFeeInput, FeeShares, Impact, ImpactInput,
    ImpactedPriceInput, IncreaseInput, LendingAccrualInput, MarketSide, PositionState, Price, PriceQuote, RateCurve,
    RemoveLiquidityInput, SwapInput, TokenAmount, Usd, INDEX_ONE,
};

/// Random cases per property (14 properties, some checking several functions per case).
const ITERATIONS: usize = 50_000;

/// [`Rng`] (shared) with the draws of these properties.
impl Rng {
    /// Any u64, weighted toward edges and every order of magnitude.
    fn any(&mut self) -> u64 {
        match self.below(10) {
            0 => [0, 1, 2, u64::MAX, u64::MAX - 1, 1 << 32, (1 << 32) - 1, 1 << 63][self.below(8) as usize],
            1..=4 => {
                let bits = self.below(64) as u32;
                self.next() >> (63 - bits)
            }
            _ => self.next(),
        }
    }

    /// 1 ..= 10^digits, log-uniform-ish.
    fn magnitude(&mut self, digits: u32) -> u64 {
        let d = self.below(digits as u64 + 1) as u32;
        1 + self.below(10u64.pow(d))
    }
}

/// Runs `case` ITERATIONS times with a fresh seed each; a panic reports the seed.
fn property(name: &str, seed: u64, mut case: impl FnMut(&mut Rng)) {
    for i in 0..ITERATIONS {
        let s = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        let mut rng = Rng(s);
        let r = catch_unwind(AssertUnwindSafe(|| case(&mut rng)));
        if r.is_err() {
            panic!("property `{name}` failed at iteration {i} (rng seed {s})");
        }
    }
}

fn pow10(e: u32) -> u128 {
    10u128.pow(e)
}

/// `a × b` as a 256-bit `(hi, lo)` pair: exact comparisons of products of 128-bit values.
fn mul256(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & M);
    let (b1, b0) = (b >> 64, b & M);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    let lo = (mid << 64) | (p00 & M);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (hi, lo)
}

/// `a × b >= c × d`, exactly.
fn ge(a: u128, b: u128, c: u128, d: u128) -> bool {
    mul256(a, b) >= mul256(c, d)
}

// --- fixed point ---------------------------------------------------------------------------------

#[test]
fn mul_div_matches_exact_division_and_rounds_each_way() {
    property("mul_div", 1, |r| {
        let (a, b, c) = (r.any(), r.any(), r.any());
        let exact = (a as u128) * (b as u128);
        let floor = mul_div_floor(a, b, c);
        let ceil = mul_div_ceil(a, b, c);
        if c == 0 {
            assert!(floor.is_err() && ceil.is_err());
            return;
        }
        let q = exact / c as u128;
        let q_up = q + u128::from(!exact.is_multiple_of(c as u128));
        assert_eq!(floor.ok().map(u128::from), (q <= u64::MAX as u128).then_some(q), "floor {a}×{b}/{c}");
        assert_eq!(ceil.ok().map(u128::from), (q_up <= u64::MAX as u128).then_some(q_up), "ceil {a}×{b}/{c}");
        let (hi, lo) = wide_mul(a, b);
        assert_eq!((lo as u128) | ((hi as u128) << 64), exact);
    });
}

#[test]
fn bps_and_unit_conversions_bracket_the_exact_value() {
    property("apply_bps", 2, |r| {
        let (x, bps) = (r.any(), r.range(0, 20_000));
        let exact = x as u128 * bps as u128;
        let floor = apply_bps_floor(TokenAmount(x), Bps(bps)).map(|v| v.0 as u128);
        let ceil = apply_bps_ceil(TokenAmount(x), Bps(bps)).map(|v| v.0 as u128);
        if let (Ok(f), Ok(c)) = (floor, ceil) {
            assert!(f * 10_000 <= exact && exact <= c * 10_000 && c - f <= 1);
        }
    });
    property("token ⇄ usd", 3, |r| {
        let decimals = r.range(0, 18) as u8;
        let amount = r.any();
        let price = if r.chance(5) { 0 } else { r.any() };
        let e = decimals as u32 + 3;
        let exact = amount as u128 * price as u128;
        if let (Ok(f), Ok(c)) = (
            token_to_usd_floor(TokenAmount(amount), Price(price), decimals),
            token_to_usd_ceil(TokenAmount(amount), Price(price), decimals),
        ) {
            let (f, c) = (f.0 as u128, c.0 as u128);
            let (q, rem) = (exact / pow10(e), exact % pow10(e));
            assert!(f == q && c == q + u128::from(rem != 0), "{amount} at {price}");
            // Converting back never yields more tokens than were valued.
            if let Ok(back) = usd_to_token_floor(Usd(f as u64), Price(price), decimals) {
                assert!(back.0 <= amount, "round trip {amount} → ${f} → {}", back.0);
            }
            // A larger amount or price is never worth less.
            if amount < u64::MAX {
                if let Ok(more) = token_to_usd_floor(TokenAmount(amount + 1), Price(price), decimals) {
                    assert!(more.0 as u128 >= f);
                }
            }
        }
        let usd = r.any();
        if let (Ok(f), Ok(c)) =
            (usd_to_token_floor(Usd(usd), Price(price), decimals), usd_to_token_ceil(Usd(usd), Price(price), decimals))
        {
            let (f, c) = (f.0 as u128, c.0 as u128);
            let num = usd as u128 * pow10(e);
            assert!(f == num / price as u128 && c == f + u128::from(!num.is_multiple_of(price as u128)));
            if let Ok(back) = token_to_usd_floor(TokenAmount(f as u64), Price(price), decimals) {
                assert!(back.0 <= usd, "round trip ${usd} → {f} → ${}", back.0);
            }
        }
    });
}

#[test]
fn oracle_prices_normalise_downward_and_never_panic() {
    property("normalize_price", 4, |r| {
        let raw = r.next() as i64;
        let expo = r.range(0, 60) as i32 - 30;
        let down = normalize_price(raw, expo, false);
        let up = normalize_price(raw, expo, true);
        match (down, up) {
            (Ok(d), Ok(u)) => {
                assert!(raw > 0 && d.0 > 0 && u.0 >= d.0 && u.0 - d.0 <= 1);
                if raw < i64::MAX {
                    if let Ok(more) = normalize_price(raw + 1, expo, false) {
                        assert!(more.0 >= d.0, "monotone in the raw price");
                    }
                }
            }
            (Err(_), _) => {}
            (Ok(_), Err(_)) => {
                // Rounding up may overflow where rounding down just fits; never the reverse.
            }
        }
    });
}

// --- fees and liquidity ------------------------------------------------------------------------

#[test]
fn fees_round_up_and_split_without_loss() {
    property("fees", 5, |r| {
        let (amount, bps) = (r.any(), r.range(0, 10_000));
        if let Ok(fee) = fee_amount(amount, bps) {
            assert!(fee as u128 * 10_000 >= amount as u128 * bps as u128);
            let (p, i) = (r.range(0, 10_000), r.range(0, 10_000));
            if let Ok(s) = split_fee(fee, p, i.min(10_000 - p)) {
                assert_eq!(s.lp + s.protocol + s.insurance, fee);
            }
        }
        let base = r.range(0, 1_000);
        let tax = r.range(0, 1_000);
        let target = r.magnitude(15);
        let current = r.magnitude(15);
        let next = r.magnitude(15);
        if let Ok(f) = dynamic_fee_bps(&DynamicFeeInput {
            base_bps: base,
            tax_bps: tax,
            current_usd: current,
            next_usd: next,
            target_usd: target,
        }) {
            let toward = next.abs_diff(target) < current.abs_diff(target);
            if toward {
                assert!(f <= base, "a move toward the target pays at most the base fee");
            } else {
                assert!(f >= base && f <= base + tax, "a move away pays base plus at most the tax");
            }
        }
    });
}

/// One custody of a modelled pool, and the rest of the pool as a lump of value.
struct Pool {
    owned: u64,
    decimals: u8,
    min: Price,
    max: Price,
    other_min: u64,
    other_max: u64,
    supply: u64,
    base: u64,
    tax: u64,
}

impl Pool {
    fn random(r: &mut Rng) -> Pool {
        let decimals = r.range(0, 12) as u8;
        let p = r.range(1_000, 1_000_000_000_000_000);
        let spread = r.below(p / 50 + 1);
        let other = r.magnitude(14);
        Pool {
            owned: r.magnitude(16),
            decimals,
            min: Price(p),
            max: Price(p + spread),
            other_min: other,
            other_max: other + r.below(other / 100 + 1),
            supply: r.magnitude(15),
            base: r.range(0, 100),
            tax: r.range(0, 100),
        }
    }

    fn value(&self, max: bool) -> Option<u64> {
        let v = custody_value_usd(self.owned, if max { self.max } else { self.min }, self.decimals, max).ok()?;
        v.checked_add(if max { self.other_max } else { self.other_min })
    }

    /// Exact pool value (21-decimal USD) at min or max prices; None when it does not fit a u128.
    fn exact(&self, max: bool) -> Option<u128> {
        let p = if max { self.max.0 } else { self.min.0 } as u128;
        let own = (self.owned as u128).checked_mul(p)?.checked_mul(pow10(12 - self.decimals as u32))?;
        own.checked_add((if max { self.other_max } else { self.other_min }) as u128 * pow10(15))
    }
}

#[test]
fn deposits_and_redemptions_keep_the_lp_price_and_never_pay_back_more() {
    property("deposit → redeem", 6, |r| {
        let mut pool = Pool::random(r);
        let (Some(aum_max), Some(aum_min)) = (pool.value(true), pool.value(false)) else { return };
        let amount = r.magnitude(17);
        let add = AddLiquidityInput {
            amount_in: amount,
            decimals: pool.decimals,
            price: pool.min,
            custody_usd: custody_value_usd(pool.owned, pool.max, pool.decimals, true).unwrap(),
            aum_usd: aum_max,
            lp_supply: pool.supply,
            target_weight_bps: 5_000,
            max_weight_bps: 10_000,
            base_fee_bps: pool.base,
            tax_fee_bps: pool.tax,
            protocol_share_bps: 2_000,
            insurance_share_bps: 1_000,
            max_aum_usd: 0,
            ..Default::default()
        };
        let Ok(q) = quote_add_liquidity(&add) else { return };
        let (Some(min0), Some(max0)) = (pool.exact(false), pool.exact(true)) else { return };
        let supply0 = pool.supply as u128;
        pool.owned = match pool.owned.checked_add(q.owned_increase) {
            Some(o) => o,
            None => return,
        };
        pool.supply = match pool.supply.checked_add(q.lp_out) {
            Some(s) => s,
            None => return,
        };
        let (Some(min1), Some(max1)) = (pool.exact(false), pool.exact(true)) else { return };
        // The LP price (exactly, at min and at max prices) does not fall through the deposit.
        assert!(ge(min1, supply0, min0, pool.supply as u128), "deposit lowered the LP price at min prices");
        assert!(ge(max1, supply0, max0, pool.supply as u128), "deposit lowered the LP price at max prices");
        let _ = aum_min;

        let (Some(aum_min), Some(_)) = (pool.value(false), pool.value(true)) else { return };
        let rem = RemoveLiquidityInput {
            lp_in: q.lp_out,
            lp_supply: pool.supply,
            aum_usd: aum_min,
            decimals: pool.decimals,
            price: pool.max,
            custody_usd: custody_value_usd(pool.owned, pool.min, pool.decimals, false).unwrap(),
            owned: pool.owned,
            available: pool.owned,
            target_weight_bps: 5_000,
            min_weight_bps: 0,
            base_fee_bps: pool.base,
            tax_fee_bps: pool.tax,
            protocol_share_bps: 2_000,
            insurance_share_bps: 1_000,
        };
        let Ok(out) = quote_remove_liquidity(&rem) else { return };
        assert!(out.amount_out <= amount, "deposited {amount}, redeemed {}", out.amount_out);
        let (Some(min0), Some(max0)) = (pool.exact(false), pool.exact(true)) else { return };
        let supply0 = pool.supply as u128;
        pool.owned -= out.owned_decrease;
        pool.supply -= q.lp_out;
        let (Some(min1), Some(max1)) = (pool.exact(false), pool.exact(true)) else { return };
        if pool.supply > 0 {
            assert!(ge(min1, supply0, min0, pool.supply as u128), "redemption lowered the LP price at min prices");
            assert!(ge(max1, supply0, max0, pool.supply as u128), "redemption lowered the LP price at max prices");
        }
    });
}

#[test]
fn swaps_never_pay_out_more_value_than_comes_in() {
    property("swap", 7, |r| {
        let (din, dout) = (r.range(0, 12) as u8, r.range(0, 12) as u8);
        let (pin, pout) = (r.range(1_000, 1_000_000_000_000_000), r.range(1_000, 1_000_000_000_000_000));
        let (pin_max, pout_min) = (pin + r.below(pin / 50 + 1), pout.saturating_sub(r.below(pout / 50 + 1)).max(1));
        let amount = r.magnitude(17);
        let in_usd = r.magnitude(14);
        let out_usd = r.magnitude(14);
        let i = SwapInput {
            amount_in: amount,
            in_decimals: din,
            in_price: Price(pin),
            in_custody_usd: in_usd,
            in_target_bps: 5_000,
            in_max_weight_bps: 10_000,
            in_base_fee_bps: r.range(0, 100),
            in_tax_fee_bps: r.range(0, 100),
            out_decimals: dout,
            out_price: Price(pout),
            out_custody_usd: out_usd,
            out_target_bps: 5_000,
            out_min_weight_bps: 0,
            out_base_fee_bps: r.range(0, 100),
            out_tax_fee_bps: r.range(0, 100),
            out_available: u64::MAX,
            aum_usd: in_usd.saturating_add(out_usd),
            protocol_share_bps: 2_000,
            insurance_share_bps: 1_000,
        };
        let _ = (pin_max, pout_min);
        let Ok(q) = quote_swap(&i) else { return };
        // value out (at the out MAX price used) <= value in (at the in MIN price used), exactly.
        // amount_out × pout / 10^dout <= amount × pin / 10^din, cross-multiplied.
        assert!(
            ge(
                amount as u128 * pin as u128,
                pow10(dout as u32),
                q.amount_out as u128 * pout as u128,
                pow10(din as u32)
            ),
            "swap paid {} for {amount}",
            q.amount_out
        );
        assert!(q.amount_out + q.protocol_fee + q.insurance_fee == q.out_owned_decrease);
    });
}

// --- interest and lending --------------------------------------------------------------------

fn curve(r: &mut Rng) -> RateCurve {
    RateCurve {
        base_rate: r.range(0, 100_000_000),
        slope1: r.range(0, 500_000_000),
        slope2: r.range(0, 5_000_000_000),
        optimal_utilization_bps: r.range(1, 9_999),
        reserve_factor_bps: r.range(0, 10_000),
    }
}

#[test]
fn interest_indexes_grow_monotonically_and_frequent_accrual_never_favours_borrowers() {
    property("accrual steps", 8, |r| {
        let c = curve(r);
        let (locked, lent, lendable) = (r.magnitude(15), r.magnitude(15), r.magnitude(16));
        let dt = r.range(1, 400);
        let steps = r.range(2, 12);
        let input = |b: u64, s: u64, from: i64, to: i64| AccrualInput {
            borrow_index: b,
            supply_index: s,
            last_accrual: from,
            now: to,
            locked,
            lent,
            lendable,
            curve: c,
        };
        let Ok(one) = accrue(&input(INDEX_ONE, INDEX_ONE, 0, (dt * steps) as i64)) else { return };
        let (mut b, mut s) = (INDEX_ONE, INDEX_ONE);
        for k in 0..steps {
            let Ok(a) = accrue(&input(b, s, (k * dt) as i64, ((k + 1) * dt) as i64)) else { return };
            assert!(a.borrow_index >= b && a.supply_index >= s, "indexes never fall");
            assert!(a.supply_rate <= a.borrow_rate, "suppliers never earn more than borrowers pay per unit");
            b = a.borrow_index;
            s = a.supply_index;
        }
        assert!(b >= one.borrow_index, "accruing in {steps} steps let borrowers owe less: {b} < {}", one.borrow_index);
        // A longer interval never gives a smaller index.
        if let Ok(longer) = accrue_index(INDEX_ONE, one.borrow_rate, dt * steps + 1, true) {
            assert!(longer >= one.borrow_index);
        }
    });
}

#[test]
fn booked_lending_never_exceeds_what_the_loans_owe() {
    property("lent vs debts", 9, |r| {
        // Loans borrow and repay while the custody accrues; `lent` booked with the rounding-down
        // accrual stays at or below the sum of the loans' debts (each rounded up).
        let mut index = INDEX_ONE;
        let mut lent: u64 = 0;
        let mut loans: Vec<u64> = Vec::new();
        let rate = r.range(1, 3_000_000_000);
        for _ in 0..r.range(5, 60) {
            match r.below(4) {
                0 => {
                    let amount = r.magnitude(12);
                    let Ok(s) = borrow_scaled(amount, index) else { return };
                    assert!(debt_tokens(s, index).unwrap() >= amount, "a new loan owes at least what it took");
                    loans.push(s);
                    lent += amount;
                }
                1 if !loans.is_empty() => {
                    let k = r.below(loans.len() as u64) as usize;
                    let debt = debt_tokens(loans[k], index).unwrap();
                    let pay = if r.chance(50) { debt } else { r.below(debt + 1) };
                    if pay >= debt {
                        loans.remove(k);
                    } else {
                        loans[k] -= repay_scaled(pay, index).unwrap();
                    }
                    lent -= pay.min(lent);
                }
                _ => {
                    let Ok(next) = accrue_index(index, rate, r.range(1, 86_400), true) else { return };
                    let input = LendingAccrualInput {
                        lent,
                        old_borrow_index: index,
                        new_borrow_index: next,
                        reserve_factor_bps: r.range(0, 10_000),
                        protocol_share_bps: 2_000,
                        insurance_share_bps: 1_000,
                    };
                    let Ok(down) = accrue_lending_down(&input) else { return };
                    let up = accrue_lending(&input).unwrap();
                    assert!(down.lent <= up.lent && up.lent - down.lent <= 1);
                    assert_eq!(down.to_suppliers + down.to_protocol + down.to_insurance, down.interest);
                    lent = down.lent;
                    index = next;
                }
            }
            let owed: u128 = loans.iter().map(|s| debt_tokens(*s, index).unwrap() as u128).sum();
            assert!(lent as u128 <= owed, "booked {lent} lent, loans owe {owed}");
        }
        if loans.is_empty() {
            assert_eq!(lent, 0, "nothing stays booked once every loan is repaid");
        }
    });
}

#[test]
fn interest_bearing_balances_never_earn_more_than_the_index_grew() {
    property("supply interest", 10, |r| {
        let amount = r.any();
        let snap = r.range(INDEX_ONE, INDEX_ONE * 10);
        let now = snap + r.below(INDEX_ONE);
        if let Ok(earned) = supply_interest(amount, now, snap) {
            assert!(earned as u128 * snap as u128 <= amount as u128 * (now - snap) as u128);
        }
    });
}

// --- trading -------------------------------------------------------------------------------------

fn market(r: &mut Rng, q: PriceQuote) -> MarketSide {
    MarketSide {
        decimals: r.range(0, 12) as u8,
        price: q,
        spread_bps: r.range(0, 100),
        open_fee_bps: r.range(0, 50),
        close_fee_bps: r.range(0, 50),
        max_leverage_bps: 1_000_000,
        max_position_usd: u64::MAX,
        oi_usd: 0,
        oi_cap_usd: u64::MAX,
        min_collateral_usd: 0,
        maintenance_margin_bps: r.range(1, 99),
        liquidation_reward_bps: 0,
    }
}

fn quote(r: &mut Rng) -> PriceQuote {
    let p = r.range(1_000_000, 1_000_000_000_000_000);
    let ema = p + r.below(p / 20 + 1);
    let (min, max) = if r.chance(50) { (p, ema) } else { (p.saturating_sub(ema - p).max(1), p) };
    PriceQuote { min: Price(min), max: Price(max), conf: r.below(max / 200 + 1) }
}

#[test]
fn trade_prices_go_against_the_trader() {
    property("entry / exit", 11, |r| {
        let q = quote(r);
        let spread = r.range(0, 500);
        for side in [math::LONG, math::SHORT] {
            let (Ok(entry), Ok(exit)) = (entry_price(side, &q, spread), exit_price(side, &q, spread)) else { continue };
            if side == math::LONG {
                assert!(entry.0 >= q.max.0 && exit.0 <= q.min.0);
            } else {
                assert!(entry.0 <= q.min.0 && exit.0 >= q.max.0);
            }
        }
    });
}

#[test]
fn opening_and_closing_at_unchanged_prices_never_returns_more_than_the_collateral() {
    property("open → close", 12, |r| {
        let q = quote(r);
        let m = market(r, q);
        let coll_decimals = r.range(0, 12) as u8;
        let coll_price = quote(r);
        let coll = CollateralSide {
            decimals: coll_decimals,
            price: coll_price,
            borrow_index: INDEX_ONE,
            owned: u64::MAX / 4,
            locked: 0,
            buffer_bps: 0,
        };
        let side = if r.chance(50) { math::LONG } else { math::SHORT };
        let collateral = r.magnitude(16);
        let size = r.magnitude(13);
        // Impact with a positive factor no larger than the negative one (as set_risk_params requires).
        let (l0, s0) = (r.magnitude(13), r.magnitude(13));
        let neg = r.magnitude(12);
        let pos = r.below(neg + 1);
        let (cap_neg, cap_pos) = (r.range(0, 5_000), 0);
        let cap_pos = cap_pos.max(r.below(cap_neg + 1));
        let exponent = r.range(1, 3) as u8;
        let impact = |long: u64, short: u64, inc: bool| {
            price_impact(&ImpactInput {
                side,
                is_increase: inc,
                size_usd: size,
                long_oi_usd: long,
                short_oi_usd: short,
                positive_factor: pos,
                negative_factor: neg,
                exponent,
                max_positive_impact_bps: cap_pos,
                max_negative_impact_bps: cap_neg,
            })
        };
        let Ok(open_impact) = impact(l0, s0, true) else { return };
        let fees = FeeShares { protocol_bps: 2_000, insurance_bps: 1_000 };
        let now = 1_700_000_000;
        let Ok(inc) = quote_increase(&IncreaseInput {
            now,
            pos: PositionState { side, ..Default::default() },
            size_delta_usd: size,
            collateral_delta: collateral,
            market: m,
            coll,
            fees,
            impact: open_impact,
        }) else {
            return;
        };
        let (l1, s1) = if side == math::LONG { (l0 + size, s0) } else { (l0, s0 + size) };
        let Ok(close_impact) = impact(l1, s1, false) else { return };
        let pos_state = PositionState {
            side,
            open_time: now,
            size_usd: inc.size_usd_after,
            size_tokens: inc.size_tokens_after,
            collateral_amount: inc.collateral_after,
            locked_amount: inc.locked_delta,
            borrow_index_snapshot: INDEX_ONE,
            owed_tokens: 0,
        };
        // quote_decrease prices the impact so the closed tokens realize its USD amount.
        for later in [0, 1, 3_600] {
            let Ok(dec) = quote_decrease(&DecreaseInput {
                now: now + later,
                pos: pos_state,
                size_delta_usd: pos_state.size_usd,
                collateral_out: 0,
                market: m,
                coll: CollateralSide { locked: inc.locked_delta, ..coll },
                fees,
                impact: close_impact,
            }) else {
                continue;
            };
            assert!(dec.full_close);
            assert!(
                dec.amount_out <= collateral,
                "{later}s after opening: put in {collateral}, took out {}",
                dec.amount_out
            );
        }
    });
}

#[test]
fn a_decrease_realizes_its_impact_in_usd_whatever_the_position_is_worth() {
    property("decrease impact", 15, |r| {
        let q = quote(r);
        let m = market(r, q);
        let side = if r.chance(50) { math::LONG } else { math::SHORT };
        let size = r.magnitude(13);
        // Tokens worth anything from a tenth to ten times the size at the market price.
        let scale = pow10(m.decimals as u32 + 3);
        let worth = size as u128 * r.range(1, 100) as u128 / 10;
        let tokens = (worth * scale / q.min.0 as u128).max(1);
        if tokens > u64::MAX as u128 {
            return;
        }
        let pos = PositionState {
            side,
            open_time: 0,
            size_usd: size,
            size_tokens: tokens as u64,
            collateral_amount: 0,
            locked_amount: 0,
            borrow_index_snapshot: INDEX_ONE,
            owed_tokens: 0,
        };
        let delta = if r.chance(50) { size } else { 1 + r.below(size) };
        let impact = Impact { positive: r.chance(50), usd: 1 + r.below(delta / 2 + 1) };
        let Ok(priced) = decrease_impact(&DecreaseImpactInput { pos, size_delta_usd: delta, market: m, impact }) else {
            return;
        };
        let long = side == math::LONG;
        if long != impact.positive && priced.usd == delta - 1 {
            return; // a cost capped at what the closed tokens are worth
        }
        let Ok(plain) = exit_price(side, &q, m.spread_bps) else { return };
        let Ok(shifted) = impacted_price(&ImpactedPriceInput {
            side,
            is_increase: false,
            size_usd: delta,
            price: plain,
            impact: priced,
        }) else {
            return;
        };
        let closed = if delta == size {
            tokens
        } else if long {
            tokens * delta as u128 / size as u128
        } else {
            (tokens * delta as u128).div_ceil(size as u128)
        };
        if closed == 0 || closed * plain.0 as u128 / scale == 0 {
            return; // dust: no tokens (or none worth a micro-dollar) to realize anything with
        }
        // What the shift is worth to the trader, USD with 6 decimals (exactly, scaled by 10^(decimals + 3)).
        let moved = closed * (shifted.0 as u128).abs_diff(plain.0 as u128);
        let target = impact.usd as u128 * scale;
        let gains = shifted.0 >= plain.0 && long || shifted.0 <= plain.0 && !long;
        assert_eq!(gains, impact.positive || shifted.0 == plain.0, "the shift goes the impact's way");
        if impact.positive {
            assert!(moved <= target, "a gain realizes at most the impact: {moved} > {target}");
        } else {
            assert!(moved >= target, "a cost realizes at least the impact: {moved} < {target}");
        }
        // ...and not far from it: one micro-dollar of the scaled impact (worth V/S of them once
        // realized), one micro-dollar of the value V it is scaled by (worth I/V), and one price
        // unit per closed token.
        let value = closed * plain.0 as u128 / scale;
        let slack = (value / delta as u128 + impact.usd as u128 / value + 3) * scale + closed;
        assert!(moved.abs_diff(target) <= slack, "{moved} vs {target}");
    });
}

#[test]
fn price_impact_of_a_round_trip_is_never_a_gain() {
    property("impact round trip", 13, |r| {
        let side = if r.chance(50) { math::LONG } else { math::SHORT };
        let (l0, s0, size) = (r.magnitude(15), r.magnitude(15), r.magnitude(15));
        let neg = r.magnitude(18);
        let pos = r.below(neg + 1);
        let cap_neg = r.range(0, 5_000);
        let cap_pos = r.below(cap_neg + 1);
        let exponent = r.range(1, 3) as u8;
        let run = |long: u64, short: u64, inc: bool| {
            price_impact(&ImpactInput {
                side,
                is_increase: inc,
                size_usd: size,
                long_oi_usd: long,
                short_oi_usd: short,
                positive_factor: pos,
                negative_factor: neg,
                exponent,
                max_positive_impact_bps: cap_pos,
                max_negative_impact_bps: cap_neg,
            })
        };
        let (Ok(open), Ok(close)) = (
            run(l0, s0, true),
            run(
                if side == math::LONG { l0 + size } else { l0 },
                if side == math::LONG { s0 } else { s0 + size },
                false,
            ),
        ) else {
            return;
        };
        let signed = |i: Impact| if i.positive { i.usd as i128 } else { -(i.usd as i128) };
        assert!(signed(open) + signed(close) <= 0, "open {open:?} then close {close:?} gains");
    });
}

// --- no panics -------------------------------------------------------------------------------------

#[test]
fn no_quote_panics_on_any_input() {
    property("no panics", 14, |r| {
        let q = PriceQuote { min: Price(r.any()), max: Price(r.any()), conf: r.any() };
        let m = MarketSide {
            decimals: r.range(0, 20) as u8,
            price: q,
            spread_bps: r.any() % 20_000,
            open_fee_bps: r.any(),
            close_fee_bps: r.any(),
            max_leverage_bps: r.any(),
            max_position_usd: r.any(),
            oi_usd: r.any(),
            oi_cap_usd: r.any(),
            min_collateral_usd: r.any(),
            maintenance_margin_bps: r.any(),
            liquidation_reward_bps: r.any(),
        };
        let c = CollateralSide {
            decimals: r.range(0, 20) as u8,
            price: q,
            borrow_index: r.any(),
            owned: r.any(),
            locked: r.any(),
            buffer_bps: r.any(),
        };
        let pos = PositionState {
            side: r.range(0, 3) as u8,
            open_time: r.any() as i64,
            size_usd: r.any(),
            size_tokens: r.any(),
            collateral_amount: r.any(),
            locked_amount: r.any(),
            borrow_index_snapshot: r.any(),
            owed_tokens: if r.chance(50) { 0 } else { r.any() },
        };
        let fees = FeeShares { protocol_bps: r.any() % 20_000, insurance_bps: r.any() % 20_000 };
        let impact = Impact { positive: r.chance(50), usd: r.any() };
        let _ = quote_increase(&IncreaseInput {
            now: r.any() as i64,
            pos,
            size_delta_usd: r.any(),
            collateral_delta: r.any(),
            market: m,
            coll: c,
            fees,
            impact,
        });
        let _ = quote_decrease(&DecreaseInput {
            now: r.any() as i64,
            pos,
            size_delta_usd: r.any(),
            collateral_out: r.any(),
            market: m,
            coll: c,
            fees,
            impact,
        });
        let _ = decrease_impact(&DecreaseImpactInput { pos, size_delta_usd: r.any(), market: m, impact });
        let _ = price_impact(&ImpactInput {
            side: r.range(0, 3) as u8,
            is_increase: r.chance(50),
            size_usd: r.any(),
            long_oi_usd: r.any(),
            short_oi_usd: r.any(),
            positive_factor: r.any(),
            negative_factor: r.any(),
            exponent: r.range(0, 4) as u8,
            max_positive_impact_bps: r.any(),
            max_negative_impact_bps: r.any(),
        });
        let _ = quote_add_liquidity(&AddLiquidityInput {
            amount_in: r.any(),
            decimals: r.range(0, 20) as u8,
            price: Price(r.any()),
            custody_usd: r.any(),
            aum_usd: r.any(),
            lp_supply: r.any(),
            target_weight_bps: r.any(),
            max_weight_bps: r.any(),
            base_fee_bps: r.any(),
            tax_fee_bps: r.any(),
            protocol_share_bps: r.any(),
            insurance_share_bps: r.any(),
            max_aum_usd: r.any(),
            min_first_deposit_usd: r.any(),
            dead_lp: r.any(),
            min_lp_mint: r.any(),
        });
        let _ = quote_remove_liquidity(&RemoveLiquidityInput {
            lp_in: r.any(),
            lp_supply: r.any(),
            aum_usd: r.any(),
            decimals: r.range(0, 20) as u8,
            price: Price(r.any()),
            custody_usd: r.any(),
            owned: r.any(),
            available: r.any(),
            target_weight_bps: r.any(),
            min_weight_bps: r.any(),
            base_fee_bps: r.any(),
            tax_fee_bps: r.any(),
            protocol_share_bps: r.any(),
            insurance_share_bps: r.any(),
        });
        let _ = accrue(&AccrualInput {
            borrow_index: r.any(),
            supply_index: r.any(),
            last_accrual: r.any() as i64,
            now: r.any() as i64,
            locked: r.any(),
            lent: r.any(),
            lendable: r.any(),
            curve: RateCurve {
                base_rate: r.any(),
                slope1: r.any(),
                slope2: r.any(),
                optimal_utilization_bps: r.any(),
                reserve_factor_bps: r.any(),
            },
        });
        let l = LendingAccrualInput {
            lent: r.any(),
            old_borrow_index: r.any(),
            new_borrow_index: r.any(),
            reserve_factor_bps: r.any(),
            protocol_share_bps: r.any(),
            insurance_share_bps: r.any(),
        };
        let _ = accrue_lending_down(&l);
        let _ = normalize_price(r.any() as i64, r.any() as i32, r.chance(50));
    });
}
