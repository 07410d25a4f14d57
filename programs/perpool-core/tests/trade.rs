//! The position transitions of `perpool_core::trade`, natively, with no chain: random sequences
//! of opens, increases, settlements and partial or full closes of longs and shorts on one market,
//! with interest on PnL, borrow fees and funding on, over random time steps and prices. After
//! every step the books must agree with the positions:
//!
//! - tokens: `owned + protocol_fees + insurance + collateral − position_debt` of the collateral
//!   custody moves only by what traders deposit and what is paid out to them;
//! - trader collateral and debt: the custody's buckets are the sums of the positions';
//! - open interest and the per-collateral group rows are the sums of the positions' sizes,
//!   tokens, collateral and debt;
//! - a second settlement in the same second books nothing and changes nothing.

use perpool_core::{
    math::{
        exit_price, quote_decrease, quote_decrease_at, quote_increase, quote_liquidate, quote_liquidate_at,
        DecreaseInput, IncreaseInput, LiquidateInput, Price, INDEX_ONE,
    },
    trade::{
        collateral_side, fee_shares, group_part, market_side, move_group, move_settled_group, position_state, quote_of,
        signed, At, Change, OraclePrice, Pair,
    },
    CustodyOps,
};
use perpool_interface::{
    state::{
        custody::{GROUP_COLLATERAL, GROUP_DEBT, GROUP_TOKENS, GROUP_USD},
        position::{SIDE_LONG, SIDE_SHORT},
        Custody, CustodyParams, Pool, Position, RiskParams,
    },
    Address,
};
use proptest::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Applied increases and decreases over every case: the quotes must accept most steps.
static INCREASES: AtomicUsize = AtomicUsize::new(0);
static DECREASES: AtomicUsize = AtomicUsize::new(0);
/// Full closes compared with their settlement without a next PnL base.
static CLOSES: AtomicUsize = AtomicUsize::new(0);

type Quick = (
    perpool_interface::event::Settlement,
    Option<Price>,
    Result<perpool_core::math::DecreaseQuote, perpool_core::math::PositionError>,
    Custody,
    Custody,
);

std::thread_local! {
    /// A full close's other path, run on copies before the step's own.
    static QUICK: std::cell::Cell<Option<Quick>> = const { std::cell::Cell::new(None) };
}

/// An account's bytes.
fn bytes<T>(v: &T) -> &[u8] {
    // SAFETY: the interface's account structs are plain old data with no padding read as uninit
    // (they are `repr(C)` of integers and byte arrays, zeroed when made).
    unsafe { core::slice::from_raw_parts((v as *const T).cast::<u8>(), core::mem::size_of::<T>()) }
}

const T0: i64 = 1_750_000_000;
const SOL: [u8; 32] = [1; 32];
const USDC: [u8; 32] = [2; 32];

/// The SDK's `defaultCustodyParams()` with a spread and fees.
fn params(stable: bool) -> CustodyParams {
    CustodyParams {
        is_stable: stable,
        oracle_kind: 0,
        interest_on_pnl: true,
        feed_id: [7; 32],
        oracle_shard: 0,
        oracle_program: Address::new_from_array([9; 32]),
        oracle_max_age_secs: 60,
        oracle_max_conf_bps: 100,
        max_leverage_bps: 500_000,
        spread_bps: 10,
        target_weight_bps: 5_000,
        min_weight_bps: 0,
        max_weight_bps: 10_000,
        base_fee_bps: 25,
        tax_fee_bps: 50,
        open_fee_bps: 6,
        close_fee_bps: 6,
        maintenance_margin_bps: 50,
        liquidation_reward_bps: 10,
        min_collateral_usd: 10_000_000,
        max_position_usd: 1_000_000_000_000,
        max_long_oi_usd: 10_000_000_000_000,
        max_short_oi_usd: 10_000_000_000_000,
        base_rate: 0,
        slope1: 80_000_000,
        slope2: 1_000_000_000,
        optimal_utilization_bps: 8_000,
        reserve_factor_bps: 1_000,
        max_utilization_bps: 9_000,
        buffer_bps: 1_000,
        collateral_earns_interest: false,
        max_ltv_bps: 7_500,
        liquidation_ltv_bps: 8_000,
        liquidation_bonus_bps: 500,
        close_factor_bps: 5_000,
        collateral_buffer_bps: 5_000,
    }
}

/// Impact and a funding factor a hundred times the local deployment's, so that a day moves it.
fn risk() -> RiskParams {
    RiskParams {
        impact_positive_factor: 5_000_000_000,
        impact_negative_factor: 10_000_000_000,
        impact_exponent: 2,
        max_positive_impact_bps: 50,
        max_negative_impact_bps: 100,
        funding_factor: 2_777_777_777_777,
        max_funding_rate: 13_888_888_888_888,
        adl_threshold_bps: 8_500,
        adl_floor_bps: 7_700,
    }
}

fn zeroed<T: Copy>() -> T {
    // SAFETY: the interface's account structs are plain old data, valid for every bit pattern.
    unsafe { core::mem::zeroed() }
}

fn custody(decimals: u8, stable: bool, owned: u64) -> Custody {
    let mut c: Custody = zeroed();
    c.set_params(&params(stable));
    c.set_risk_params(&risk());
    c.decimals = decimals;
    c.owned = owned;
    c.borrow_index = INDEX_ONE;
    c.supply_index = INDEX_ONE;
    c.last_accrual = T0;
    c.last_funding_update = T0;
    c
}

fn pool() -> Pool {
    let mut p: Pool = zeroed();
    p.protocol_fee_share_bps = 2_000;
    p.insurance_fee_share_bps = 1_000;
    p.pnl_warmup_secs = 3_600;
    p.custody_count = 2;
    p.custodies[0] = Address::new_from_array(SOL);
    p.custodies[1] = Address::new_from_array(USDC);
    p
}

fn position(side: u8) -> Position {
    let mut p: Position = zeroed();
    p.side = side;
    p.custody = Address::new_from_array(SOL);
    p.collateral_custody = Address::new_from_array(USDC);
    p.collateral_group = 1;
    p
}

/// A reading at `usd` dollars per token (9 decimals), spot = EMA, confidence 0.01 %.
fn price(usd_milli: u64, time: i64) -> OraclePrice {
    let p = Price(usd_milli * 1_000_000);
    OraclePrice { spot: p, ema: p, conf: usd_milli * 100, min: p, max: p, publish_time: time }
}

#[derive(Clone, Debug)]
enum Action {
    /// Position index, size USD (whole dollars), collateral USDC (whole).
    Increase(usize, u64, u64),
    Settle(usize),
    /// Position index, share of the size closed (1..=4 quarters).
    Decrease(usize, u64),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..4usize, 10u64..200_000, 10u64..50_000).prop_map(|(i, s, c)| Action::Increase(i, s, c)),
        (0..4usize).prop_map(Action::Settle),
        (0..4usize, 1u64..=4).prop_map(|(i, q)| Action::Decrease(i, q)),
    ]
}

/// Everything the books must agree with, after each step.
fn check_books(market: &Custody, coll: &Custody, positions: &[Position], tokens_in: u64, tokens_out: u64, s0: u64) {
    let s = (coll.owned + coll.protocol_fees + coll.insurance + coll.collateral) as i128 - coll.position_debt as i128;
    assert_eq!(s, s0 as i128 + tokens_in as i128 - tokens_out as i128, "collateral custody tokens");
    let sum = |f: fn(&Position) -> u64, side: u8| -> u64 {
        positions.iter().filter(|p| p.side == side && p.size_usd > 0).map(f).sum()
    };
    let all = |f: fn(&Position) -> u64| positions.iter().filter(|p| p.size_usd > 0).map(f).sum::<u64>();
    assert_eq!(coll.collateral, all(|p| p.collateral_amount), "trader collateral bucket");
    assert_eq!(coll.position_debt, all(|p| p.owed_tokens), "position debt bucket");
    for side in [SIDE_LONG, SIDE_SHORT] {
        let oi = if side == SIDE_LONG { market.long_oi_usd } else { market.short_oi_usd };
        assert_eq!(oi, sum(|p| p.size_usd, side), "open interest USD, side {side}");
        let oi_tokens = if side == SIDE_LONG { market.long_oi_tokens } else { market.short_oi_tokens };
        assert_eq!(oi_tokens, sum(|p| p.size_tokens, side), "open interest tokens, side {side}");
        let row = market.group(side, 1);
        assert_eq!(row[GROUP_USD], sum(|p| p.size_usd, side), "group size, side {side}");
        assert_eq!(row[GROUP_TOKENS], sum(|p| p.size_tokens, side), "group tokens, side {side}");
        assert_eq!(row[GROUP_COLLATERAL], sum(|p| p.collateral_amount, side), "group collateral, side {side}");
        assert_eq!(row[GROUP_DEBT], sum(|p| p.owed_tokens, side), "group debt, side {side}");
        assert_eq!(market.group(side, 0), [0; 4], "no position posts the market asset");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    fn the_books_follow_the_positions(
        steps in proptest::collection::vec((action(), 0u64..172_800, 100_000u64..200_000), 1..40),
    ) {
        let pool = pool();
        let mut market = custody(9, false, 1_000_000_000_000_000); // 1M SOL
        let mut coll = custody(6, true, 100_000_000_000_000); // 100M USDC
        let s0 = coll.owned;
        let (mut tokens_in, mut tokens_out) = (0u64, 0u64);
        let mut positions = [position(SIDE_LONG), position(SIDE_LONG), position(SIDE_SHORT), position(SIDE_SHORT)];
        let mut now = T0;
        for (act, dt, usd_milli) in steps {
            now += dt as i64;
            let at = At { now, market_price: price(usd_milli, now), collateral_price: price(1_000, now), closes: false };
            let mut pair = Pair::new(&mut market, Some(&mut coll));
            pair.accrue(now, &pool).unwrap();
            match act {
                Action::Increase(i, size, collateral) => {
                    let p = &mut positions[i];
                    if p.size_usd == 0 {
                        pair.start(p, now);
                    } else {
                        pair.settle(p, &pool, &at).unwrap();
                    }
                    let (size_usd, amount) = (size * 1_000_000, collateral * 1_000_000);
                    let q = quote_increase(&IncreaseInput {
                        now,
                        pos: position_state(p, &pool),
                        size_delta_usd: size_usd,
                        collateral_delta: amount,
                        market: market_side(pair.market, &at.market_price, p.side),
                        coll: collateral_side(pair.collateral(), &at.collateral_price),
                        fees: fee_shares(&pool),
                        impact: pair.market.price_impact(p.side, true, size_usd).unwrap(),
                    });
                    if let Ok(q) = q {
                        let change = Change { side: p.side, size_usd, collateral: amount, escrowed: false, now };
                        pair.apply_increase(p, &q, &change).unwrap();
                        tokens_in += amount;
                        INCREASES.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Action::Settle(i) => {
                    let p = &mut positions[i];
                    if p.size_usd > 0 {
                        pair.settle(p, &pool, &at).unwrap();
                        // The same second again: nothing is due, nothing moves.
                        let (p_before, m_before, c_before) = (*p, *pair.market, *pair.collateral());
                        let again = pair.settle(p, &pool, &at).unwrap();
                        prop_assert_eq!(again.booked.borrow_fee, 0);
                        prop_assert_eq!(again.booked.funding_usd, 0);
                        prop_assert_eq!(again.booked.interest, 0);
                        prop_assert_eq!(group_part(p), group_part(&p_before));
                        prop_assert_eq!(p.pnl_base_usd, p_before.pnl_base_usd);
                        prop_assert_eq!(pair.market.long_oi_usd, m_before.long_oi_usd);
                        prop_assert_eq!(pair.collateral().owned, c_before.owned);
                        prop_assert_eq!(pair.collateral().collateral, c_before.collateral);
                    }
                }
                Action::Decrease(i, quarters) => {
                    let p = &mut positions[i];
                    if p.size_usd > 0 && quarters == 4 {
                        // A full close settles without a next PnL base (`At::closes`): what it
                        // books, the quote and both custodies after the close are the same.
                        let mut quick = (*pair.market, *pair.collateral(), *p);
                        let quick_at = At { closes: true, ..at };
                        let mut q_pair = Pair::new(&mut quick.0, Some(&mut quick.1));
                        let q_settled = q_pair.settle(&mut quick.2, &pool, &quick_at).unwrap();
                        let q_input = DecreaseInput {
                            now,
                            pos: position_state(&quick.2, &pool),
                            size_delta_usd: quick.2.size_usd,
                            collateral_out: 0,
                            market: market_side(q_pair.market, &at.market_price, quick.2.side),
                            coll: collateral_side(q_pair.collateral(), &at.collateral_price),
                            fees: fee_shares(&pool),
                            impact: q_pair.market.price_impact(quick.2.side, false, quick.2.size_usd).unwrap(),
                        };
                        let q_quote = quote_decrease_at(&q_input, q_settled.exit);
                        if let Ok(q) = &q_quote {
                            let change =
                                Change { side: quick.2.side, size_usd: q_input.size_delta_usd, collateral: 0, escrowed: false, now };
                            q_pair.apply_decrease(&mut quick.2, q, &change).unwrap();
                        }
                        QUICK.with(|c| c.set(Some((q_settled.booked, q_settled.exit, q_quote, quick.0, quick.1))));
                    }
                    if p.size_usd > 0 {
                        let settled = pair.settle(p, &pool, &at).unwrap();
                        let size_usd = if quarters == 4 { p.size_usd } else { p.size_usd / 4 * quarters };
                        let input = DecreaseInput {
                            now,
                            pos: position_state(p, &pool),
                            size_delta_usd: size_usd,
                            collateral_out: 0,
                            market: market_side(pair.market, &at.market_price, p.side),
                            coll: collateral_side(pair.collateral(), &at.collateral_price),
                            fees: fee_shares(&pool),
                            impact: pair.market.price_impact(p.side, false, size_usd).unwrap(),
                        };
                        let q = quote_decrease(&input);
                        // The settlement's exit, which the program hands to the quote, is the
                        // quote's own: the same quote, or the same error.
                        let spread = pair.market.spread_bps as u64;
                        let exit = exit_price(p.side, &quote_of(&at.market_price), spread).unwrap();
                        prop_assert_eq!(settled.exit, (pair.market.interest_on_pnl != 0).then_some(exit));
                        prop_assert_eq!(quote_decrease_at(&input, settled.exit), q);
                        // And a liquidation's quote (whether or not the position is liquidatable).
                        let liq = LiquidateInput {
                            now,
                            pos: input.pos,
                            market: input.market,
                            coll: input.coll,
                            fees: input.fees,
                            insurance_balance: pair.collateral().insurance,
                        };
                        prop_assert_eq!(quote_liquidate_at(&liq, settled.exit), quote_liquidate(&liq));
                        if let Ok(q) = q {
                            let change = Change { side: p.side, size_usd, collateral: 0, escrowed: false, now };
                            pair.apply_decrease(p, &q, &change).unwrap();
                            tokens_out += q.amount_out;
                            DECREASES.fetch_add(1, Ordering::Relaxed);
                            if q.full_close {
                                prop_assert_eq!(p.size_usd, 0);
                                prop_assert_eq!(p.collateral_amount, 0);
                                *p = position(p.side);
                            }
                        }
                        if let Some((booked, exit, quote, m, c)) = QUICK.with(|c| c.take()) {
                            prop_assert_eq!(booked, settled.booked);
                            prop_assert_eq!(exit, settled.exit);
                            prop_assert_eq!(quote, q);
                            // (A close the quote refuses fails the transaction: nothing it did stays.)
                            if q.is_ok() {
                                prop_assert!(bytes(&m) == bytes(pair.market), "market custody after a full close");
                                prop_assert!(
                                    bytes(&c) == bytes(pair.collateral()),
                                    "collateral custody after a full close"
                                );
                                CLOSES.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
            check_books(&market, &coll, &positions, tokens_in, tokens_out, s0);
        }
    }
}

#[test]
fn most_steps_apply() {
    the_books_follow_the_positions();
    let (i, d) = (INCREASES.load(Ordering::Relaxed), DECREASES.load(Ordering::Relaxed));
    println!("increases applied: {i}, decreases applied: {d}");
    // About 450 and 145 on average over a run's random cases; the floors are far below any run's
    // spread, so this only fails when the quotes refuse most steps.
    assert!(i > 150 && d > 50, "too few steps applied: {i} increases, {d} decreases");
    let closes = CLOSES.load(Ordering::Relaxed);
    println!("full closes compared: {closes}");
    assert!(closes > 10, "too few full closes compared: {closes}");
}

fn edge() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..1_000, any::<u64>(), (u64::MAX - 1_000)..=u64::MAX]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    /// A settlement's move of its group row is `move_group`'s: the same row and the same error, for
    /// any row (also one below the position's part, which the books never hold) and any values,
    /// a group past the rows included.
    #[test]
    fn a_settlement_moves_its_group_row_as_move_group_does(
        row in proptest::array::uniform4(edge()),
        part in proptest::array::uniform4(edge()),
        collateral_after in edge(),
        owed_after in edge(),
        side in prop_oneof![Just(SIDE_LONG), Just(SIDE_SHORT)],
        group in 0u8..10,
    ) {
        let mut p = position(side);
        p.collateral_group = group;
        (p.size_usd, p.size_tokens, p.collateral_amount, p.owed_tokens) = (part[0], part[1], part[2], part[3]);
        let mut general = custody(9, false, 0);
        if let Ok(r) = general.group_mut(side, group) {
            *r = row;
        }
        let mut settled = general;
        let after = [p.size_usd, p.size_tokens, collateral_after, owed_after];
        let want = move_group(&mut general, side, group, &group_part(&p), &after);
        let got = move_settled_group(&mut settled, &p, collateral_after, owed_after);
        prop_assert_eq!(got, want);
        if want.is_ok() {
            prop_assert_eq!(settled.group(side, group), general.group(side, group));
        }
    }
}

/// Funding that does not move (no funding factor, or a balanced book) leaves the indexes and the
/// funding sums as they were and only advances the time; the projection to the same time agrees.
#[test]
fn idle_funding_only_advances_the_time() {
    let pool = pool();
    for (factor, long, short) in [(0u64, 7_000_000u64, 1_000_000u64), (2_777_777_777_777, 5_000_000, 5_000_000)] {
        let mut c = custody(9, false, 1_000_000_000_000);
        c.funding_factor = factor;
        (c.long_oi_usd, c.short_oi_usd) = (long, short);
        (c.long_funding_paid, c.long_funding_received) = ([3, 1], [5, 0]);
        (c.short_funding_paid, c.short_funding_received) = ([7, 0], [11, 2]);
        (c.long_funding_owed_usd, c.long_funding_due_usd) = (13, 17);
        (c.short_funding_owed_usd, c.short_funding_due_usd) = (19, 23);
        let before = c;
        let now = T0 + 3_600;
        let projected = c.projection(now, (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)).unwrap();
        c.accrue(now, pool.protocol_fee_share_bps, pool.insurance_fee_share_bps).unwrap();
        assert_eq!(c.last_funding_update, now);
        assert_eq!(
            (c.long_funding_paid, c.long_funding_received, c.short_funding_paid, c.short_funding_received),
            (
                before.long_funding_paid,
                before.long_funding_received,
                before.short_funding_paid,
                before.short_funding_received
            )
        );
        assert_eq!(
            (c.long_funding_owed_usd, c.long_funding_due_usd, c.short_funding_owed_usd, c.short_funding_due_usd),
            (13, 17, 19, 23)
        );
        let after = c.projection(now, (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps)).unwrap();
        assert_eq!((after.receivable_usd, after.payable_usd), (projected.receivable_usd, projected.payable_usd));
        assert_eq!((after.receivable_usd, after.payable_usd), (13 + 19, 17 + 23));
    }
}

/// A signed amount keeps its sign at any magnitude: above `i64::MAX` it saturates.
#[test]
fn signed_amounts_keep_their_sign() {
    for (positive, magnitude, want) in [
        (true, 0u64, 0i64),
        (false, 0, 0),
        (true, 5, 5),
        (false, 5, -5),
        (true, i64::MAX as u64, i64::MAX),
        (false, i64::MAX as u64, -i64::MAX),
        (true, 1 << 63, i64::MAX),
        (false, 1 << 63, -i64::MAX),
        (true, u64::MAX, i64::MAX),
        (false, u64::MAX, -i64::MAX),
    ] {
        assert_eq!(signed(positive, magnitude), want, "{positive} {magnitude}");
    }
}
