/**
 * Quote math: the TypeScript mirror of the program's `math` module (same file names, same
 * rounding, same errors), checked against the shared vectors in `tests/vectors/math.json` and
 * `tests/vectors/liquidity.json`.
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
export { MAX_EXPO, confWithin, minMax, normalizeConf, normalizePrice } from './oracle';
export { dynamicFeeBps, feeAmount, splitFee } from './fees';
export type { DynamicFeeInput, FeeSplit } from './fees';
export {
  LIQUIDITY_ERROR_CODES,
  LiquidityError,
  custodyValueUsd,
  quoteAddLiquidity,
  quoteRemoveLiquidity,
  quoteSwap,
  weightOkMax,
  weightOkMin,
} from './liquidity';
export type {
  AddLiquidityInput,
  AddLiquidityQuote,
  LiquidityErrorCode,
  RemoveLiquidityInput,
  RemoveLiquidityQuote,
  SwapInput,
  SwapQuote,
} from './liquidity';
