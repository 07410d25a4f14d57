/**
 * Quote math: the TypeScript mirror of the program's `math` module (same file names, same
 * rounding, same errors), checked against the shared vectors in `tests/vectors/math.json`,
 * `tests/vectors/liquidity.json`, `tests/vectors/position.json`, `tests/vectors/lending.json` and
 * `tests/vectors/risk.json`.
 * Amounts are `BN` in and out and never pass through a JS `number`.
 */
export { MathError, MATH_ERROR_NUMBERS } from "./error";
export type { MathErrorCode } from "./error";
export { I64_MAX, I64_MIN, U64_MAX, wideMul } from "./wide";
export { checkedAdd, checkedMul, checkedSub, mulDivCeil, mulDivCeilI64, mulDivFloor, mulDivFloorI64 } from "./fixed";
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
} from "./units";
export { MAX_EXPO, confWithin, minMax, normalizeConf, normalizePrice } from "./oracle";
export { dynamicFeeBps, feeAmount, splitFee } from "./fees";
export type { DynamicFeeInput, FeeSplit } from "./fees";
export {
  LIQUIDITY_ERROR_CODES,
  LiquidityError,
  custodyValueUsd,
  quoteAddLiquidity,
  quoteRemoveLiquidity,
  quoteSwap,
  weightOkMax,
  weightOkMin,
} from "./liquidity";
export type {
  AddLiquidityInput,
  AddLiquidityQuote,
  LiquidityErrorCode,
  RemoveLiquidityInput,
  RemoveLiquidityQuote,
  SwapInput,
  SwapQuote,
} from "./liquidity";
export { INDEX_ONE, SECONDS_PER_YEAR, accrue, accrueIndex, borrowRate, supplyRate, utilizationBps } from "./interest";
export type { Accrual, AccrualInput, RateCurve } from "./interest";
export {
  LIQUIDATION_TIER_BPS,
  LONG,
  POSITION_ERROR_CODES,
  PositionError,
  SHORT,
  averagePrice,
  borrowFeeTokens,
  entryPrice,
  equityUsd,
  exitPrice,
  healthOk,
  liquidationFractionBps,
  owedUsd,
  pnl,
  poolPnl,
  decreaseImpact,
  quoteDecrease,
  quoteIncrease,
  quoteLiquidate,
  sizeTokens,
  tradeSpreadBps,
} from "./position";
export type {
  CollateralSide,
  DecreaseImpactInput,
  DecreaseInput,
  DecreaseQuote,
  Equity,
  FeeShares,
  IncreaseInput,
  IncreaseQuote,
  LiquidateInput,
  LiquidationQuote,
  MarketSide,
  Pnl,
  PoolPnlInput,
  PositionErrorCode,
  PositionState,
  PriceQuote,
} from "./position";
export {
  LENDING_ERROR_CODES,
  LendingError,
  accrueLending,
  accrueLendingDown,
  borrowScaled,
  debtTokens,
  loanHealth,
  loanLiquidationPrice,
  ltvBps,
  pnlInterest,
  quoteBorrow,
  quoteLiquidateLoan,
  quoteRepay,
  quoteWithdrawCollateral,
  repayScaled,
  supplyInterest,
} from "./lending";
export type {
  BorrowInput,
  BorrowQuote,
  LendingAccrual,
  LendingAccrualInput,
  LendingErrorCode,
  LiquidateLoanInput,
  LiquidateLoanQuote,
  LoanBorrowSide,
  LoanCollateralSide,
  LoanHealth,
  LoanHealthInput,
  LoanParams,
  LoanState,
  PnlInterestInput,
  RepayInput,
  RepayQuote,
  WithdrawCollateralInput,
  WithdrawCollateralQuote,
} from "./lending";
export {
  DEFAULT_IMPACT_EXPONENT,
  IMPACT_ERROR_CODES,
  IMPACT_FACTOR_ONE,
  ImpactError,
  MAX_IMPACT_EXPONENT,
  impactedPrice,
  priceImpact,
} from "./impact";
export type { Impact, ImpactErrorCode, ImpactInput, ImpactedPriceInput } from "./impact";
export {
  FUNDING_ERROR_CODES,
  FUNDING_ONE,
  FundingError,
  U128_MAX,
  accrueFunding,
  fundingRate,
  positionFunding,
} from "./funding";
export type {
  FundingAccrual,
  FundingErrorCode,
  FundingFee,
  FundingIndex,
  FundingInput,
  PositionFundingInput,
} from "./funding";
export { adlRatioBps, sideProfitUsd } from "./adl";
export type { AdlInput } from "./adl";
export { accrueCarry, fundingAggregates, fundingShares, groupClaim, profitLockUntil, settleCarry } from "./carry";
export type {
  Carry,
  CarryAccrual,
  CarryAccrualInput,
  CarryInput,
  FundingAggregates,
  GroupInput,
  SignedUsd,
} from "./carry";
