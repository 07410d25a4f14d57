/**
 * Oracle price normalisation; mirrors `programs/perpool-core/src/math/oracle.rs`.
 *
 * A Pyth-style price `raw × 10^expo` becomes a price with 9 decimals (USD per whole token).
 * Prices round down or up as asked; a confidence interval always rounds up.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { BPS_DENOM } from "./units";
import { assertI64, assertU64 } from "./wide";
import { divRound, fitU64 } from "./fixed";

/** Accepted oracle exponents: `-MAX_EXPO..=MAX_EXPO`. */
export const MAX_EXPO = 18;

const PRICE_DECIMALS = 9;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

/**
 * Converts an oracle price `raw × 10^expo` (raw: i64, expo: i32) to 9 decimals: multiplies by
 * `10^(9 + expo)` when that is non-negative, else divides, rounding up when `roundUp`.
 *
 * Throws `MathError('InvalidPrice')` for `raw <= 0`, `expo` outside -18..=18, or a result that
 * rounds down to zero; `MathError('Overflow')` above u64::MAX.
 */
export function normalizePrice(raw: BN, expo: number, roundUp: boolean): BN {
  assertI64(raw, "raw");
  assertI32(expo);
  if (raw.lten(0)) throw new MathError("InvalidPrice", `raw price ${raw.toString()}`);
  const price = scale(raw, expo, roundUp);
  if (price.isZero()) throw new MathError("InvalidPrice", "price rounds to zero");
  return price;
}

/**
 * Converts an oracle confidence interval `conf × 10^expo` (conf: u64) to 9 decimals, rounded up.
 * Throws `MathError('InvalidPrice')` for `expo` outside -18..=18, `MathError('Overflow')`.
 */
export function normalizeConf(conf: BN, expo: number): BN {
  assertU64(conf, "conf");
  assertI32(expo);
  return scale(conf, expo, true);
}

/** Whether `conf × 10_000 <= price × maxConfBps` (exact): the interval is narrow enough. */
export function confWithin(price: BN, conf: BN, maxConfBps: BN): boolean {
  assertU64(price, "price");
  assertU64(conf, "conf");
  assertU64(maxConfBps, "maxConfBps");
  return conf.mul(BPS_DENOM).lte(price.mul(maxConfBps));
}

/**
 * `[min(spot, ema), max(spot, ema)]`, like the Rust tuple. The pool takes tokens in at the min
 * price and gives them out (or values them for minting) at the max price.
 */
export function minMax(spot: BN, ema: BN): [min: BN, max: BN] {
  assertU64(spot, "spot");
  assertU64(ema, "ema");
  return spot.lte(ema) ? [spot.clone(), ema.clone()] : [ema.clone(), spot.clone()];
}

function scale(value: BN, expo: number, roundUp: boolean): BN {
  if (expo < -MAX_EXPO || expo > MAX_EXPO) throw new MathError("InvalidPrice", `exponent ${expo}`);
  const shift = PRICE_DECIMALS + expo;
  if (shift >= 0) return fitU64(value.mul(new BN(10).pow(new BN(shift))));
  return divRound(value, new BN(10).pow(new BN(-shift)), roundUp);
}

function assertI32(expo: number): void {
  if (!Number.isInteger(expo) || expo < I32_MIN || expo > I32_MAX) {
    throw new RangeError(`expo is not an i32: ${expo}`);
  }
}
