/**
 * Unit conversions; mirrors `programs/perpool-core/src/math/units.rs`.
 *
 * Precisions (the Rust newtypes; here every value is a `BN` of the named unit):
 * - USD values: 6 decimals (`1_000_000` = $1).
 * - Prices: USD per one whole token, 9 decimals (`1_000_000_000` = $1 per token).
 * - Token amounts: the mint's native units (`10^decimals` = one token).
 * - Bps: `10_000` = 100%. Rates: `1_000_000_000` = 100%. Both may exceed 100%.
 *
 * Every conversion exists as `Floor` and `Ceil`; pick the one that goes against the user
 * (value credited to the user rounds down, fees and debts round up) — the same choice the
 * program makes, so quotes match on-chain results exactly.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { divRound, fitU64, mulDiv } from "./fixed";
import { assertU64 } from "./wide";

/** Decimals of USD values: 1_000_000 = $1. */
export const USD_DECIMALS = 6;
/** Decimals of prices: 1_000_000_000 = $1 per whole token. */
export const PRICE_DECIMALS = 9;
/** Largest supported mint decimals. */
export const MAX_TOKEN_DECIMALS = 18;
/** Denominator of basis points: 10_000 bps = 100%. */
export const BPS_DENOM: BN = new BN("10000");
/** A rate of 100%. */
export const RATE_ONE: BN = new BN("1000000000");

/** `amount * bps / 10_000` rounded down (for amounts owed to the user). Throws `Overflow`. */
export function applyBpsFloor(amount: BN, bps: BN): BN {
  return mulDiv(amount, bps, BPS_DENOM, false);
}

/** `amount * bps / 10_000` rounded up (for amounts the user owes, e.g. fees). Throws `Overflow`. */
export function applyBpsCeil(amount: BN, bps: BN): BN {
  return mulDiv(amount, bps, BPS_DENOM, true);
}

/** `amount * rate / 1e9` rounded down (for amounts owed to the user). Throws `Overflow`. */
export function applyRateFloor(amount: BN, rate: BN): BN {
  return mulDiv(amount, rate, RATE_ONE, false);
}

/** `amount * rate / 1e9` rounded up (for amounts the user owes, e.g. interest). Throws `Overflow`. */
export function applyRateCeil(amount: BN, rate: BN): BN {
  return mulDiv(amount, rate, RATE_ONE, true);
}

/**
 * USD value (6 decimals) of `amount` native units of a token with `decimals`, at `price`, rounded
 * down: `amount * price / 10^(decimals + 3)`. Throws `InvalidDecimals` (decimals > 18), `Overflow`.
 */
export function tokenToUsdFloor(amount: BN, price: BN, decimals: number): BN {
  return tokenToUsd(amount, price, decimals, false);
}

/** As `tokenToUsdFloor`, rounded up. */
export function tokenToUsdCeil(amount: BN, price: BN, decimals: number): BN {
  return tokenToUsd(amount, price, decimals, true);
}

/**
 * Native units of a token with `decimals` worth `usd` (6 decimals) at `price`, rounded down:
 * `usd * 10^(decimals + 3) / price`. Throws, in this order, `InvalidDecimals`, `DivideByZero`
 * (zero price), `Overflow`.
 */
export function usdToTokenFloor(usd: BN, price: BN, decimals: number): BN {
  return usdToToken(usd, price, decimals, false);
}

/** As `usdToTokenFloor`, rounded up. */
export function usdToTokenCeil(usd: BN, price: BN, decimals: number): BN {
  return usdToToken(usd, price, decimals, true);
}

function tokenToUsd(amount: BN, price: BN, decimals: number, roundUp: boolean): BN {
  assertU64(amount, "amount");
  assertU64(price, "price");
  const scale = conversionScale(decimals);
  return fitU64(divRound(amount.mul(price), scale, roundUp));
}

function usdToToken(usd: BN, price: BN, decimals: number, roundUp: boolean): BN {
  assertU64(usd, "usd");
  assertU64(price, "price");
  const scale = conversionScale(decimals);
  if (price.isZero()) throw new MathError("DivideByZero", "zero price");
  return fitU64(divRound(usd.mul(scale), price, roundUp));
}

/** `10^(decimals + PRICE_DECIMALS - USD_DECIMALS)`, validating `decimals` like the program. */
function conversionScale(decimals: number): BN {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) {
    throw new RangeError(`decimals is not a u8: ${decimals}`);
  }
  if (decimals > MAX_TOKEN_DECIMALS) throw new MathError("InvalidDecimals", String(decimals));
  return new BN(10).pow(new BN(decimals + PRICE_DECIMALS - USD_DECIMALS));
}
