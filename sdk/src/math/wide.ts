/**
 * Fixed-width integer emulation over `BN`; mirrors `programs/perpool-core/src/math/wide.rs`.
 *
 * The Rust side builds 128-bit intermediates from 32-bit limbs because the BPF backend has no
 * 128-bit multiply or divide. `BN` is arbitrary-precision, so here the intermediates are exact
 * for free; what must be emulated instead are the u64 / i64 range limits of inputs and results.
 *
 * The exported `BN` constants are shared: never call an in-place (`i`-prefixed) method on them.
 */
import BN from "bn.js";

/** 2^64 - 1. */
export const U64_MAX: BN = new BN("ffffffffffffffff", 16);
/** 2^63 - 1. */
export const I64_MAX: BN = new BN("7fffffffffffffff", 16);
/** -2^63. */
export const I64_MIN: BN = new BN("8000000000000000", 16).neg();

/** Throws a `RangeError` unless `value` is an integer in `0..=u64::MAX` (a caller bug, not a math error). */
export function assertU64(value: BN, name: string): void {
  if (!BN.isBN(value) || value.isNeg() || value.gt(U64_MAX)) {
    throw new RangeError(`${name} is not a u64: ${String(value)}`);
  }
}

/** Throws a `RangeError` unless `value` is an integer in `i64::MIN..=i64::MAX`. */
export function assertI64(value: BN, name: string): void {
  if (!BN.isBN(value) || value.lt(I64_MIN) || value.gt(I64_MAX)) {
    throw new RangeError(`${name} is not an i64: ${String(value)}`);
  }
}

/** The full 128-bit product `a * b` as its high and low 64-bit halves: `a * b = hi * 2^64 + lo`. */
export function wideMul(a: BN, b: BN): { hi: BN; lo: BN } {
  assertU64(a, "a");
  assertU64(b, "b");
  const product = a.mul(b);
  return { hi: product.shrn(64), lo: product.maskn(64) };
}
