/**
 * Borrow and supply rates: the kinked utilization curve and interest-index accrual; mirrors
 * `programs/perpool-core/src/math/interest.rs` (same rounding, same errors).
 *
 * Units: utilization in bps (10_000 = 100 %), rates with 9 decimals (1e9 = 100 % per year),
 * indexes with 12 decimals (`INDEX_ONE` = 1.0), time in seconds. Utilization and the borrow rate
 * round up, the supply rate down; the borrow index rounds up, the supply index down.
 *
 * Every amount is a `BN` (u64, or i64 for timestamps); inputs are never mutated. Arithmetic
 * failures throw `MathError`; values the program could never receive throw `RangeError`.
 */
import BN from "bn.js";

import { checkedAdd, checkedMul, checkedSub, fitU64, mulDiv } from "./fixed";
import { BPS_DENOM, RATE_ONE } from "./units";
import { assertI64, assertU64 } from "./wide";

/** Seconds in the 365-day year that rates are quoted over. */
export const SECONDS_PER_YEAR: BN = new BN(31_536_000);
/** An interest index of 1.0 (12 decimals). */
export const INDEX_ONE: BN = new BN("1000000000000");

const YEAR_RATE_DIVISOR = SECONDS_PER_YEAR.mul(RATE_ONE);
const BPS_SQUARED = BPS_DENOM.mul(BPS_DENOM);

/** A custody's kinked borrow-rate curve (the Rust `RateCurve`). */
export interface RateCurve {
  /** Borrow rate at zero utilization (1e9 = 100 %/year). */
  baseRate: BN;
  /** Rate added from zero to optimal utilization. */
  slope1: BN;
  /** Rate added from optimal to full utilization. */
  slope2: BN;
  /** The kink, bps; meaningful in 1..10_000. */
  optimalUtilizationBps: BN;
  /** Share of borrow interest kept from suppliers, bps. */
  reserveFactorBps: BN;
}

/** Inputs of `accrue` (the Rust `AccrualInput`). */
export interface AccrualInput {
  borrowIndex: BN;
  supplyIndex: BN;
  /** Unix seconds (i64). */
  lastAccrual: BN;
  /** Unix seconds (i64). */
  now: BN;
  locked: BN;
  lent: BN;
  /** The denominator of utilization. */
  lendable: BN;
  curve: RateCurve;
}

/** Output of `accrue` (the Rust `Accrual`). */
export interface Accrual {
  borrowIndex: BN;
  supplyIndex: BN;
  borrowRate: BN;
  supplyRate: BN;
  utilizationBps: BN;
}

/** `min(10_000, ceil(borrowed × 10_000 / lendable))`; nothing lendable: 100 % if borrowed > 0, else 0. */
export function utilizationBps(borrowed: BN, lendable: BN): BN {
  assertU64(borrowed, "borrowed");
  assertU64(lendable, "lendable");
  if (borrowed.gte(lendable)) return borrowed.isZero() ? new BN(0) : BPS_DENOM.clone();
  return mulDiv(borrowed, BPS_DENOM, lendable, true);
}

/**
 * The borrow rate at `uBps`: `base + ceil(slope1 × u / optimal)` up to the kink, then
 * `base + slope1 + ceil(slope2 × (u − optimal) / (10_000 − optimal))`.
 * Throws `DivideByZero` (zero optimum below the kink, or optimum 10_000 above it), `Underflow`
 * (optimum above 10_000), `Overflow`.
 */
export function borrowRate(c: RateCurve, uBps: BN): BN {
  assertCurve(c);
  assertU64(uBps, "uBps");
  const optimal = c.optimalUtilizationBps;
  if (uBps.lte(optimal)) {
    return checkedAdd(c.baseRate, mulDiv(c.slope1, uBps, optimal, true));
  }
  const span = checkedSub(BPS_DENOM, optimal);
  const slope = mulDiv(c.slope2, uBps.sub(optimal), span, true);
  return checkedAdd(checkedAdd(c.baseRate, c.slope1), slope);
}

/**
 * `floor(borrowRate × u × (10_000 − reserveFactor) / 10_000²)`, exact. Throws `Underflow`
 * (reserve factor above 10_000), `Overflow` (`u × (10_000 − rf)` or the result above u64).
 */
export function supplyRate(borrowRate: BN, uBps: BN, reserveFactorBps: BN): BN {
  const kept = checkedSub(BPS_DENOM, reserveFactorBps);
  const factor = checkedMul(uBps, kept);
  return mulDiv(borrowRate, factor, BPS_SQUARED, false);
}

/**
 * `index + round(index × rate × dt / (SECONDS_PER_YEAR × 1e9))`, up when `roundUp`.
 * Throws `Overflow` (`rate × dt` or the result above u64).
 */
export function accrueIndex(index: BN, rate: BN, dtSecs: BN, roundUp: boolean): BN {
  const rateTime = checkedMul(rate, dtSecs);
  const growth = mulDiv(index, rateTime, YEAR_RATE_DIVISOR, roundUp);
  return checkedAdd(index, growth);
}

/**
 * Accrues a custody's indexes from `lastAccrual` to `now` (`dt = max(0, now − lastAccrual)`);
 * with `dt = 0` the indexes are unchanged (rates still reported). See `accrue` in the program.
 */
export function accrue(i: AccrualInput): Accrual {
  assertI64(i.lastAccrual, "lastAccrual");
  assertI64(i.now, "now");
  for (const key of ["borrowIndex", "supplyIndex", "locked", "lent", "lendable"] as const) assertU64(i[key], key);
  const dt = i.now.gt(i.lastAccrual) ? i.now.sub(i.lastAccrual) : new BN(0);
  const borrowed = checkedAdd(i.locked, i.lent);
  const utilization = utilizationBps(borrowed, i.lendable);
  const borrow = borrowRate(i.curve, utilization);
  const supply = supplyRate(borrow, utilization, i.curve.reserveFactorBps);
  if (dt.isZero()) {
    return {
      borrowIndex: i.borrowIndex.clone(),
      supplyIndex: i.supplyIndex.clone(),
      borrowRate: borrow,
      supplyRate: supply,
      utilizationBps: utilization,
    };
  }
  fitU64(dt); // two i64 differ by less than 2^64
  return {
    borrowIndex: accrueIndex(i.borrowIndex, borrow, dt, true),
    supplyIndex: accrueIndex(i.supplyIndex, supply, dt, false),
    borrowRate: borrow,
    supplyRate: supply,
    utilizationBps: utilization,
  };
}

function assertCurve(c: RateCurve): void {
  if (c === null || typeof c !== "object") throw new RangeError("curve is not an object");
  for (const key of ["baseRate", "slope1", "slope2", "optimalUtilizationBps", "reserveFactorBps"] as const) {
    assertU64(c[key], key);
  }
}
