/**
 * Price impact from open-interest skew (GMX v2 shape) and the execution price it implies;
 * mirrors `programs/perpool-core/src/math/impact.rs` step for step (same rounding, same checks in the
 * same order, same errors). The program's module docs hold the formulas; in short:
 *
 * - `impact = f·skew_before^e − f·skew_after^e`, skew = |longOi − shortOi|; `positiveFactor` when
 *   the skew shrinks, `negativeFactor` when it grows; a trade that flips the skew's side is valued
 *   in two parts, `+ f_pos·before^e` (rounded down) and `− f_neg·after^e` (rounded up).
 * - Units: OI and sizes USD 6 decimals; factors 18 decimals per USD^(e−1) (`IMPACT_FACTOR_ONE`),
 *   e.g. 1e-8 per USD at e = 2 is `10_000_000_000`; e in 1..=3; caps in bps of the size. In the
 *   integers: `impact = factor · skew^e / (10^18 · 10^(6(e−1)))`, positive rounded down, negative
 *   rounded up, then capped (positive cap rounded down, negative cap up).
 * - Execution price (P oracle, S size, I impact): long increase `P·S/(S∓I)` (up), short increase
 *   `P·S/(S±I)` (down), long decrease `P·(S∓I)/S` (down), short decrease `P·(S±I)/S` (up), where
 *   the upper sign is for a negative impact.
 *
 * Errors: `ImpactError` (code = Rust variant name) for refusals, `MathError` for arithmetic,
 * `RangeError` for inputs the program could never receive.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { checkedAdd, checkedSub, divRound, fitU64, mulDiv } from "./fixed";
import { BPS_DENOM } from "./units";
import { assertU64 } from "./wide";
import { at } from "../util";

/** An impact factor of 1.0 (18 decimals per USD^(e−1)). */
export const IMPACT_FACTOR_ONE: BN = new BN("1000000000000000000");
/** The default impact exponent. */
export const DEFAULT_IMPACT_EXPONENT = 2;
/** The largest impact exponent (the smallest is 1). */
export const MAX_IMPACT_EXPONENT = 3;

const LONG = 1;
const SHORT = 2;

/** Why an impact computation was refused: the Rust `ImpactError` variants other than `Math`. */
export type ImpactErrorCode = "InvalidSide" | "InvalidExponent" | "ImpactTooLarge";

/** All `ImpactErrorCode`s, in the Rust enum's order (after `Math`). */
export const IMPACT_ERROR_CODES: readonly ImpactErrorCode[] = Object.freeze([
  "InvalidSide",
  "InvalidExponent",
  "ImpactTooLarge",
] as ImpactErrorCode[]);

/** Thrown for the same inputs for which the program returns that `ImpactError`. */
export class ImpactError extends Error {
  readonly code: ImpactErrorCode;

  constructor(code: ImpactErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "ImpactError";
    this.code = code;
  }
}

/** Inputs of `priceImpact` (the Rust `ImpactInput`). */
export interface ImpactInput {
  /** 1 long, 2 short. */
  side: number;
  isIncrease: boolean;
  /** USD 6 decimals. */
  sizeUsd: BN;
  /** Long open interest before the trade, USD 6 decimals. */
  longOiUsd: BN;
  /** Short open interest before the trade, USD 6 decimals. */
  shortOiUsd: BN;
  /** 18 decimals per USD^(e−1). */
  positiveFactor: BN;
  /** 18 decimals per USD^(e−1). */
  negativeFactor: BN;
  /** 1..=3 (default 2). */
  exponent: number;
  maxPositiveImpactBps: BN;
  maxNegativeImpactBps: BN;
}

/** A price impact: `positive` when the trader gains. Zero is `{ false, 0 }`. */
export interface Impact {
  positive: boolean;
  /** USD 6 decimals. */
  usd: BN;
}

/** Inputs of `impactedPrice` (the Rust `ImpactedPriceInput`). */
export interface ImpactedPriceInput {
  side: number;
  isIncrease: boolean;
  sizeUsd: BN;
  /** Price before impact, 9 decimals. */
  price: BN;
  impact: Impact;
}

const USD_POWERS = [new BN(1), new BN(1_000_000), new BN("1000000000000")];

/** The price impact of a trade; same errors, in the same order, as the program. */
export function priceImpact(i: ImpactInput): Impact {
  assertObject(i, "input");
  for (const k of [
    "sizeUsd",
    "longOiUsd",
    "shortOiUsd",
    "positiveFactor",
    "negativeFactor",
    "maxPositiveImpactBps",
    "maxNegativeImpactBps",
  ] as const) {
    assertU64(i[k], k);
  }
  assertU8(i.side, "side");
  assertU8(i.exponent, "exponent");
  assertBool(i.isIncrease, "isIncrease");
  const long = isLong(i.side);
  const e = i.exponent;
  if (e === 0 || e > MAX_IMPACT_EXPONENT) throw new ImpactError("InvalidExponent", String(e));
  const l0 = i.longOiUsd;
  const s0 = i.shortOiUsd;
  const traded = long ? l0 : s0;
  const after = i.isIncrease ? checkedAdd(traded, i.sizeUsd) : checkedSub(traded, i.sizeUsd);
  const l1 = long ? after : l0;
  const s1 = long ? s0 : after;
  const d0 = l0.sub(s0).abs();
  const d1 = l1.sub(s1).abs();
  const flips = (l0.gt(s0) && l1.lt(s1)) || (l0.lt(s0) && l1.gt(s1));
  const pow = (d: BN) => d.pow(new BN(e));
  const apply = (x: BN, factor: BN, up: boolean) =>
    divRound(divRound(x.mul(factor), IMPACT_FACTOR_ONE, up), at(USD_POWERS, e - 1), up);

  let positive: boolean;
  let magnitude: BN;
  if (flips) {
    const gain = apply(pow(d0), i.positiveFactor, false);
    const cost = apply(pow(d1), i.negativeFactor, true);
    positive = gain.gt(cost);
    magnitude = positive ? gain.sub(cost) : cost.sub(gain);
  } else if (d1.lt(d0)) {
    positive = true;
    magnitude = apply(pow(d0).sub(pow(d1)), i.positiveFactor, false);
  } else {
    positive = false;
    magnitude = apply(pow(d1).sub(pow(d0)), i.negativeFactor, true);
  }
  if (magnitude.isZero()) return { positive: false, usd: new BN(0) };
  const cap = positive
    ? mulDiv(i.sizeUsd, i.maxPositiveImpactBps, BPS_DENOM, false)
    : mulDiv(i.sizeUsd, i.maxNegativeImpactBps, BPS_DENOM, true);
  const usd = BN.min(magnitude, cap);
  if (usd.isZero()) return { positive: false, usd: new BN(0) };
  return { positive, usd };
}

/** The execution price of a trade with the given impact; same errors as the program. */
export function impactedPrice(i: ImpactedPriceInput): BN {
  assertObject(i, "input");
  assertObject(i.impact, "impact");
  assertU64(i.sizeUsd, "sizeUsd");
  assertU64(i.price, "price");
  assertU64(i.impact.usd, "impact.usd");
  assertU8(i.side, "side");
  assertBool(i.isIncrease, "isIncrease");
  assertBool(i.impact.positive, "impact.positive");
  const long = isLong(i.side);
  const s = i.sizeUsd;
  const imp = i.impact.usd;
  const p = i.price;
  if (imp.isZero()) return p.clone();
  const buys = long === i.isIncrease;
  const minus = long !== i.impact.positive;
  if (s.isZero() || (minus && imp.gte(s)))
    throw new ImpactError("ImpactTooLarge", `${imp.toString()} on ${s.toString()}`);
  const adjusted = minus ? s.sub(imp) : checkedAdd(s, imp);
  const out = i.isIncrease ? mulDiv(p, s, adjusted, buys) : mulDiv(p, adjusted, s, buys);
  if (out.isZero()) throw new MathError("InvalidPrice", "zero execution price");
  return fitU64(out);
}

function isLong(side: number): boolean {
  if (side === LONG) return true;
  if (side === SHORT) return false;
  throw new ImpactError("InvalidSide", String(side));
}

function assertU8(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${name} is not a u8: ${value}`);
}

function assertBool(value: boolean, name: string): void {
  if (typeof value !== "boolean") throw new RangeError(`${name} is not a boolean`);
}

function assertObject(value: unknown, name: string): void {
  if (value === null || typeof value !== "object") throw new RangeError(`${name} is not an object`);
}
