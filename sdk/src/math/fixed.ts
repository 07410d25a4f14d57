/**
 * Checked u64 arithmetic and exact `a * b / c` with an explicit rounding direction; mirrors
 * `programs/perpool-core/src/math/fixed.rs`.
 *
 * All inputs and outputs are `BN`; inputs are never mutated. Error precedence matches the
 * program: invalid inputs throw `RangeError`; then a zero divisor throws `MathError('DivideByZero')`;
 * then a result outside the output type throws `MathError('Overflow')`.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { I64_MAX, I64_MIN, U64_MAX, assertI64, assertU64 } from "./wide";

/** `a + b`; throws `Overflow` above u64::MAX. */
export function checkedAdd(a: BN, b: BN): BN {
  assertU64(a, "a");
  assertU64(b, "b");
  return fitU64(a.add(b));
}

/** `a - b`; throws `Underflow` below zero. */
export function checkedSub(a: BN, b: BN): BN {
  assertU64(a, "a");
  assertU64(b, "b");
  if (a.lt(b)) throw new MathError("Underflow", `${a.toString()} - ${b.toString()}`);
  return a.sub(b);
}

/** `a * b`; throws `Overflow` above u64::MAX. */
export function checkedMul(a: BN, b: BN): BN {
  assertU64(a, "a");
  assertU64(b, "b");
  return fitU64(a.mul(b));
}

/** `a * b / c` rounded down, exact over the full product. Throws `DivideByZero`, `Overflow`. */
export function mulDivFloor(a: BN, b: BN, c: BN): BN {
  return mulDiv(a, b, c, false);
}

/** `a * b / c` rounded up, exact over the full product. Throws `DivideByZero`, `Overflow`. */
export function mulDivCeil(a: BN, b: BN, c: BN): BN {
  return mulDiv(a, b, c, true);
}

/**
 * Signed `a * b / c` (a: i64, b, c: u64) rounded toward negative infinity: `-7 * 1 / 2 = -4`.
 * Throws `DivideByZero`, or `Overflow` when the result is outside i64.
 */
export function mulDivFloorI64(a: BN, b: BN, c: BN): BN {
  return mulDivSigned(a, b, c, false);
}

/**
 * Signed `a * b / c` (a: i64, b, c: u64) rounded toward positive infinity: `-7 * 1 / 2 = -3`.
 * Throws `DivideByZero`, or `Overflow` when the result is outside i64.
 */
export function mulDivCeilI64(a: BN, b: BN, c: BN): BN {
  return mulDivSigned(a, b, c, true);
}

/** Shared body of `mulDivFloor` / `mulDivCeil` (and the unit conversions). */
export function mulDiv(a: BN, b: BN, c: BN, roundUp: boolean): BN {
  assertU64(a, "a");
  assertU64(b, "b");
  assertU64(c, "c");
  if (c.isZero()) throw new MathError("DivideByZero");
  return fitU64(divRound(a.mul(b), c, roundUp));
}

function mulDivSigned(a: BN, b: BN, c: BN, towardPositive: boolean): BN {
  assertI64(a, "a");
  assertU64(b, "b");
  assertU64(c, "c");
  if (c.isZero()) throw new MathError("DivideByZero");
  // Work on the magnitude, as the program does: flooring a negative value rounds its magnitude up.
  const magnitude = divRound(a.abs().mul(b), c, a.isNeg() !== towardPositive);
  const result = a.isNeg() ? magnitude.neg() : magnitude;
  if (result.lt(I64_MIN) || result.gt(I64_MAX)) throw new MathError("Overflow", result.toString());
  return result;
}

/** `n / d` for `n >= 0`, `d > 0`, rounded down or up. Unbounded (`BN` is arbitrary precision). */
export function divRound(n: BN, d: BN, roundUp: boolean): BN {
  const { div, mod } = n.divmod(d);
  return roundUp && !mod.isZero() ? div.addn(1) : div;
}

/** `value` if it fits in a u64, else throws `Overflow`. */
export function fitU64(value: BN): BN {
  if (value.gt(U64_MAX)) throw new MathError("Overflow", value.toString());
  return value;
}
