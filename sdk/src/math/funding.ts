/**
 * Funding between the sides of a market (GMX v2 shape): the heavier side pays the lighter side
 * at a rate proportional to the skew, through per-side cumulative indexes; mirrors
 * `programs/perpool-core/src/math/funding.rs` (same rounding, same checks in the same order, same
 * errors). The program's module docs hold the details; in short:
 *
 * - Rates: USD per USD of size per second, 18 decimals (`FUNDING_ONE` = 1.0/s);
 *   `rate = min(maxRate, ceil(fundingFactor · |long − short| / (long + short)))`.
 * - Indexes: USD per USD of size, 18 decimals, u128 (`BN`), a `paid` and a `received` index per
 *   side. The payer's `paid` grows by `rate · dt` (exact); the receiver's `received` by
 *   `floor(rate · dt · payerOi / receiverOi)` (nothing with no receiving OI).
 * - A position pays `ceil(S · Δpaid / 1e18)` and receives `floor(S · Δreceived / 1e18)`, netted.
 *
 * Errors: `FundingError` (code = Rust variant name) for refusals, `MathError` for arithmetic,
 * `RangeError` for inputs the program could never receive.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { checkedAdd, divRound, fitU64, mulDiv } from "./fixed";
import { assertU64 } from "./wide";

/** A rate of 1.0 per second, and an index of 1.0 USD per USD (18 decimals). */
export const FUNDING_ONE: BN = new BN("1000000000000000000");
/** 2^128 − 1: the largest index. */
export const U128_MAX: BN = new BN(1).ushln(128).subn(1);

const LONG = 1;
const SHORT = 2;

/** Why a funding computation was refused: the Rust `FundingError` variants other than `Math`. */
export type FundingErrorCode = "InvalidSide";

/** All `FundingErrorCode`s, in the Rust enum's order (after `Math`). */
export const FUNDING_ERROR_CODES: readonly FundingErrorCode[] = Object.freeze(["InvalidSide"] as FundingErrorCode[]);

/** Thrown for the same inputs for which the program returns that `FundingError`. */
export class FundingError extends Error {
  readonly code: FundingErrorCode;

  constructor(code: FundingErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "FundingError";
    this.code = code;
  }
}

/** One side's cumulative funding indexes (u128, 18 decimals). */
export interface FundingIndex {
  paid: BN;
  received: BN;
}

/** Inputs of `accrueFunding` (the Rust `FundingInput`). */
export interface FundingInput {
  longOiUsd: BN;
  shortOiUsd: BN;
  /** Rate at full skew, per second, 18 decimals. */
  fundingFactor: BN;
  /** Largest rate, per second, 18 decimals. */
  maxRate: BN;
  dtSecs: BN;
  longIndex: FundingIndex;
  shortIndex: FundingIndex;
}

/** Output of `accrueFunding` (the Rust `FundingAccrual`). */
export interface FundingAccrual {
  rate: BN;
  payerIsLong: boolean;
  longIndex: FundingIndex;
  shortIndex: FundingIndex;
}

/** Inputs of `positionFunding` (the Rust `PositionFundingInput`). */
export interface PositionFundingInput {
  sizeUsd: BN;
  /** 1 long, 2 short: picks the side's current indexes. */
  side: number;
  longIndex: FundingIndex;
  shortIndex: FundingIndex;
  /** The position's side's indexes when it was last settled. */
  indexSnapshot: FundingIndex;
}

/** A position's net funding: `pays` when it owes. Zero is `{ false, 0 }`. */
export interface FundingFee {
  pays: boolean;
  usd: BN;
}

/** `min(maxRate, ceil(fundingFactor · |long − short| / (long + short)))`; 0 for an empty book. */
export function fundingRate(longOiUsd: BN, shortOiUsd: BN, fundingFactor: BN, maxRate: BN): BN {
  assertU64(fundingFactor, "fundingFactor");
  assertU64(maxRate, "maxRate");
  const total = checkedAdd(longOiUsd, shortOiUsd);
  if (total.isZero()) return new BN(0);
  return BN.min(mulDiv(fundingFactor, longOiUsd.sub(shortOiUsd).abs(), total, true), maxRate);
}

/** Accrues both sides' indexes over `dtSecs`; same errors, in the same order, as the program. */
export function accrueFunding(i: FundingInput): FundingAccrual {
  assertObject(i, "input");
  assertU64(i.dtSecs, "dtSecs");
  assertIndex(i.longIndex, "longIndex");
  assertIndex(i.shortIndex, "shortIndex");
  const rate = fundingRate(i.longOiUsd, i.shortOiUsd, i.fundingFactor, i.maxRate);
  const payerIsLong = i.longOiUsd.gt(i.shortOiUsd);
  const longIndex = { paid: i.longIndex.paid.clone(), received: i.longIndex.received.clone() };
  const shortIndex = { paid: i.shortIndex.paid.clone(), received: i.shortIndex.received.clone() };
  if (rate.isZero() || i.dtSecs.isZero()) return { rate, payerIsLong, longIndex, shortIndex };
  const [payerOi, receiverOi] = payerIsLong ? [i.longOiUsd, i.shortOiUsd] : [i.shortOiUsd, i.longOiUsd];
  const [payer, receiver] = payerIsLong ? [longIndex, shortIndex] : [shortIndex, longIndex];
  const growth = rate.mul(i.dtSecs);
  payer.paid = fitU128(payer.paid.add(growth));
  if (!receiverOi.isZero()) {
    const share = fitU128(growth.mul(payerOi).div(receiverOi));
    receiver.received = fitU128(receiver.received.add(share));
  }
  return { rate, payerIsLong, longIndex, shortIndex };
}

/** A position's net funding since its snapshot; same errors, in the same order, as the program. */
export function positionFunding(i: PositionFundingInput): FundingFee {
  assertObject(i, "input");
  assertU64(i.sizeUsd, "sizeUsd");
  if (!Number.isInteger(i.side) || i.side < 0 || i.side > 255) throw new RangeError(`side is not a u8: ${i.side}`);
  assertIndex(i.longIndex, "longIndex");
  assertIndex(i.shortIndex, "shortIndex");
  assertIndex(i.indexSnapshot, "indexSnapshot");
  let now: FundingIndex;
  if (i.side === LONG) now = i.longIndex;
  else if (i.side === SHORT) now = i.shortIndex;
  else throw new FundingError("InvalidSide", String(i.side));
  if (now.paid.lt(i.indexSnapshot.paid)) throw new MathError("Underflow", "paid index below snapshot");
  if (now.received.lt(i.indexSnapshot.received)) throw new MathError("Underflow", "received index below snapshot");
  const pays = fitU64(divRound(i.sizeUsd.mul(now.paid.sub(i.indexSnapshot.paid)), FUNDING_ONE, true));
  const gets = fitU64(divRound(i.sizeUsd.mul(now.received.sub(i.indexSnapshot.received)), FUNDING_ONE, false));
  return pays.gt(gets) ? { pays: true, usd: pays.sub(gets) } : { pays: false, usd: gets.sub(pays) };
}

function fitU128(value: BN): BN {
  if (value.gt(U128_MAX)) throw new MathError("Overflow", value.toString());
  return value;
}

function assertIndex(value: FundingIndex, name: string): void {
  assertObject(value, name);
  for (const k of ["paid", "received"] as const) {
    const x = value[k];
    if (!BN.isBN(x) || x.isNeg() || x.gt(U128_MAX)) throw new RangeError(`${name}.${k} is not a u128: ${String(x)}`);
  }
}

function assertObject(value: unknown, name: string): void {
  if (value === null || typeof value !== "object") throw new RangeError(`${name} is not an object`);
}
