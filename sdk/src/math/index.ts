/**
 * Quote math: the TypeScript mirror of the program's `math` module (same file names, same
 * rounding, same errors), checked against the shared vectors in `tests/vectors/math.json`.
 * Amounts are `BN` in and out and never pass through a JS `number`.
 */
export { MathError, MATH_ERROR_NUMBERS } from './error';
export type { MathErrorCode } from './error';
export { I64_MAX, I64_MIN, U64_MAX, wideMul } from './wide';
export {
  checkedAdd,
  checkedMul,
  checkedSub,
  mulDivCeil,
  mulDivCeilI64,
  mulDivFloor,
  mulDivFloorI64,
} from './fixed';
export {
  BPS_DENOM,
  MAX_TOKEN_DECIMALS,
  PRICE_DECIMALS,
  RATE_ONE,
  USD_DECIMALS,
  applyBpsCeil,
  applyBpsFloor,
  applyRateCeil,
  applyRateFloor,
  tokenToUsdCeil,
  tokenToUsdFloor,
  usdToTokenCeil,
  usdToTokenFloor,
} from './units';
