/**
 * Liquidity fees; mirrors `programs/perpool-core/src/math/fees.rs`.
 *
 * Rounding goes against the user: a rebate rounds down, a tax and a fee amount round up; the
 * protocol and insurance shares of a fee round down and the LPs keep the remainder.
 */
import BN from "bn.js";

import { checkedSub, fitU64 } from "./fixed";
import { applyBpsCeil, applyBpsFloor } from "./units";
import { assertU64 } from "./wide";

/** Inputs of `dynamicFeeBps` (USD values on one scale, bps /10_000). */
export interface DynamicFeeInput {
  baseBps: BN;
  taxBps: BN;
  currentUsd: BN;
  nextUsd: BN;
  /** Zero disables the dynamic part (the fee is `baseBps`). */
  targetUsd: BN;
}

/** How a fee is divided; `lp + protocol + insurance` equals the fee. */
export interface FeeSplit {
  lp: BN;
  protocol: BN;
  insurance: BN;
}

/**
 * The fee in bps for moving a custody's value from `currentUsd` to `nextUsd` (GMX v1 shape):
 * toward the target, `base − floor(tax × initialDiff / target)` (not below zero); otherwise
 * `base + floor(tax × min(floor((initialDiff + nextDiff) / 2), target) / target)`.
 * Throws `MathError('Overflow')` if `base + tax` does.
 */
export function dynamicFeeBps(i: DynamicFeeInput): BN {
  for (const key of ["baseBps", "taxBps", "currentUsd", "nextUsd", "targetUsd"] as const) assertU64(i[key], key);
  const target = i.targetUsd;
  if (target.isZero()) return i.baseBps.clone();
  const initialDiff = i.currentUsd.sub(target).abs();
  const nextDiff = i.nextUsd.sub(target).abs();
  if (nextDiff.lt(initialDiff)) {
    // Exact (BN is unbounded); a rebate beyond any base leaves a zero fee.
    const rebate = i.taxBps.mul(initialDiff).div(target);
    return rebate.gte(i.baseBps) ? new BN(0) : i.baseBps.sub(rebate);
  }
  let average = initialDiff.add(nextDiff).shrn(1);
  if (average.gt(target)) average = target;
  // Floored like GMX v1 (worked numbers: 104 bps); the fee amount itself rounds up.
  const tax = i.taxBps.mul(average).div(target);
  return fitU64(i.baseBps.add(tax));
}

/** The fee on `amount` at `feeBps`: `ceil(amount × feeBps / 10_000)`. Throws `Overflow`. */
export function feeAmount(amount: BN, feeBps: BN): BN {
  return applyBpsCeil(amount, feeBps);
}

/**
 * Splits `fee`: protocol and insurance get `floor(fee × share / 10_000)`, LPs the rest.
 * Throws `MathError('Underflow')` when the shares exceed 100% (`Overflow` for one far above).
 */
export function splitFee(fee: BN, protocolShareBps: BN, insuranceShareBps: BN): FeeSplit {
  const protocol = applyBpsFloor(fee, protocolShareBps);
  const insurance = applyBpsFloor(fee, insuranceShareBps);
  const lp = checkedSub(checkedSub(fee, protocol), insurance);
  return { lp, protocol, insurance };
}
