/**
 * Liquidity pool quotes (LP deposits, redemptions, swaps); mirrors
 * `programs/perpool-core/src/math/liquidity.rs` step for step, so a quote here is exactly what the
 * program will do: same rounding (always against the user), same checks in the same order, same
 * errors.
 *
 * Units: USD values 6 decimals, prices 9 decimals (USD per whole token), token amounts native,
 * LP tokens 6 decimals (1 LP per USD on the first deposit), bps /10_000. Every amount is a `BN`
 * holding a u64; decimals are numbers. Inputs are never mutated.
 *
 * Errors: a refused quote throws `LiquidityError` (its `code` is the Rust variant name); an
 * arithmetic failure throws `MathError` (overflow, invalid decimals, zero price, fee shares above
 * 100%, …); inputs the program could never receive (not a u64, decimals not a u8) throw `RangeError`.
 */
import BN from "bn.js";

import { checkedAdd, checkedSub, mulDivFloor } from "./fixed";
import { dynamicFeeBps, feeAmount, splitFee } from "./fees";
import { BPS_DENOM, applyBpsFloor, tokenToUsdCeil, tokenToUsdFloor, usdToTokenFloor } from "./units";
import { assertU64 } from "./wide";

/** Why a liquidity quote was refused: the Rust `LiquidityError` variants other than `Math`. */
export type LiquidityErrorCode =
  | "ZeroAmount"
  | "PoolValueZero"
  | "MaxWeightExceeded"
  | "MinWeightExceeded"
  | "PoolCapExceeded"
  | "InsufficientLiquidity"
  | "InsufficientLpSupply"
  | "FirstDepositTooSmall"
  | "LpMintTooSmall";

/** All `LiquidityErrorCode`s, in the Rust enum's order (after `Math`). */
export const LIQUIDITY_ERROR_CODES: readonly LiquidityErrorCode[] = Object.freeze([
  "ZeroAmount",
  "PoolValueZero",
  "MaxWeightExceeded",
  "MinWeightExceeded",
  "PoolCapExceeded",
  "InsufficientLiquidity",
  "InsufficientLpSupply",
  "FirstDepositTooSmall",
  "LpMintTooSmall",
]);

/**
 * Thrown for the same inputs for which the program's quote returns that `LiquidityError`:
 *
 * - `ZeroAmount`: a zero input, or one too small to be worth a unit (of USD, LP or output tokens).
 * - `PoolValueZero`: LP tokens exist but the pool is worth nothing.
 * - `MaxWeightExceeded` / `MinWeightExceeded`: the custody would leave its weight band.
 * - `PoolCapExceeded`: the pool's value would exceed its cap.
 * - `InsufficientLiquidity`: the custody has fewer tokens available than would leave it.
 * - `InsufficientLpSupply`: more LP tokens redeemed than exist.
 * - `FirstDepositTooSmall`: the first deposit into an empty pool is below the pool's minimum.
 * - `LpMintTooSmall`: the deposit would mint fewer LP units than the pool's minimum.
 */
export class LiquidityError extends Error {
  readonly code: LiquidityErrorCode;

  constructor(code: LiquidityErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "LiquidityError";
    this.code = code;
  }
}

/**
 * USD value of a custody's `owned` tokens at `price`, rounded up when `roundUp` (pool value at
 * max prices, for minting) else down (at min prices, for redeeming). Sum over custodies for AUM.
 */
export function custodyValueUsd(owned: BN, price: BN, decimals: number, roundUp: boolean): BN {
  return roundUp ? tokenToUsdCeil(owned, price, decimals) : tokenToUsdFloor(owned, price, decimals);
}

/** `custodyUsdAfter × 10_000 <= maxWeightBps × aumAfter` (exact). */
export function weightOkMax(custodyUsdAfter: BN, aumAfter: BN, maxWeightBps: BN): boolean {
  assertU64(custodyUsdAfter, "custodyUsdAfter");
  assertU64(aumAfter, "aumAfter");
  assertU64(maxWeightBps, "maxWeightBps");
  return custodyUsdAfter.mul(BPS_DENOM).lte(maxWeightBps.mul(aumAfter));
}

/** `custodyUsdAfter × 10_000 >= minWeightBps × aumAfter` (exact). */
export function weightOkMin(custodyUsdAfter: BN, aumAfter: BN, minWeightBps: BN): boolean {
  assertU64(custodyUsdAfter, "custodyUsdAfter");
  assertU64(aumAfter, "aumAfter");
  assertU64(minWeightBps, "minWeightBps");
  return custodyUsdAfter.mul(BPS_DENOM).gte(minWeightBps.mul(aumAfter));
}

// ---------------------------------------------------------------------------------------------
// add_liquidity
// ---------------------------------------------------------------------------------------------

/** Inputs of `quoteAddLiquidity` (the Rust `AddLiquidityInput`). */
export interface AddLiquidityInput {
  /** Tokens deposited (native units). */
  amountIn: BN;
  /** The deposited token's mint decimals. */
  decimals: number;
  /** The deposited token's MIN price. */
  price: BN;
  /** The custody's owned tokens at its MAX price, rounded up (`custodyValueUsd(.., true)`). */
  custodyUsd: BN;
  /** Pool value at MAX prices (each custody rounded up). */
  aumUsd: BN;
  lpSupply: BN;
  targetWeightBps: BN;
  maxWeightBps: BN;
  baseFeeBps: BN;
  taxFeeBps: BN;
  protocolShareBps: BN;
  insuranceShareBps: BN;
  /** Cap on pool value after the deposit; zero means none. */
  maxAumUsd: BN;
  /** Smallest first deposit into an empty pool (absent: 0). */
  minFirstDepositUsd?: BN;
  /** LP units the first deposit mints to no one (absent: 0). */
  deadLp?: BN;
  /** Smallest number of LP units a deposit may mint (absent: 0). */
  minLpMint?: BN;
}

/** Output of `quoteAddLiquidity` (the Rust `AddLiquidityQuote`). */
export interface AddLiquidityQuote {
  feeBps: BN;
  /** Fee in deposited tokens. */
  fee: BN;
  /** LP tokens minted to the depositor. */
  lpOut: BN;
  /** LP tokens minted to no one by the first deposit (kept in the pool's escrow forever). */
  deadLp: BN;
  /** Value of `amountIn` at the min price, rounded down. */
  valueInUsd: BN;
  protocolFee: BN;
  insuranceFee: BN;
  /** `amountIn − protocolFee − insuranceFee`. */
  ownedIncrease: BN;
}

/** Quotes an LP deposit; see `quote_add_liquidity` in the program for the steps. */
export function quoteAddLiquidity(i: AddLiquidityInput): AddLiquidityQuote {
  assertFields(i, [
    "amountIn",
    "price",
    "custodyUsd",
    "aumUsd",
    "lpSupply",
    "targetWeightBps",
    "maxWeightBps",
    "baseFeeBps",
    "taxFeeBps",
    "protocolShareBps",
    "insuranceShareBps",
    "maxAumUsd",
  ]);
  if (i.amountIn.isZero()) throw new LiquidityError("ZeroAmount", "amountIn is zero");
  const valueIn = tokenToUsdFloor(i.amountIn, i.price, i.decimals);
  if (valueIn.isZero()) throw new LiquidityError("ZeroAmount", "deposit is worth less than one USD unit");

  const custodyAfter = checkedAdd(i.custodyUsd, valueIn);
  const feeBps = dynamicFeeBps({
    baseBps: i.baseFeeBps,
    taxBps: i.taxFeeBps,
    currentUsd: i.custodyUsd,
    nextUsd: custodyAfter,
    targetUsd: applyBpsFloor(i.aumUsd, i.targetWeightBps),
  });

  const fee = feeAmount(i.amountIn, feeBps);
  const net = checkedSub(i.amountIn, fee);
  const netUsd = tokenToUsdFloor(net, i.price, i.decimals);

  let lpOut: BN;
  let deadLp = new BN(0);
  if (i.lpSupply.isZero()) {
    if (valueIn.lt(i.minFirstDepositUsd ?? new BN(0)))
      throw new LiquidityError("FirstDepositTooSmall", valueIn.toString());
    deadLp = (i.deadLp ?? new BN(0)).clone();
    lpOut = BN.max(netUsd.sub(deadLp), new BN(0));
  } else if (i.aumUsd.isZero()) {
    throw new LiquidityError("PoolValueZero");
  } else {
    lpOut = mulDivFloor(netUsd, i.lpSupply, i.aumUsd);
  }
  if (lpOut.isZero()) throw new LiquidityError("ZeroAmount", "no LP tokens after the fee");
  if (lpOut.lt(i.minLpMint ?? new BN(0))) throw new LiquidityError("LpMintTooSmall", lpOut.toString());

  const aumAfter = checkedAdd(i.aumUsd, valueIn);
  if (!i.aumUsd.isZero() && !weightOkMax(custodyAfter, aumAfter, i.maxWeightBps)) {
    throw new LiquidityError("MaxWeightExceeded");
  }
  if (!i.maxAumUsd.isZero() && aumAfter.gt(i.maxAumUsd)) throw new LiquidityError("PoolCapExceeded");

  const split = splitFee(fee, i.protocolShareBps, i.insuranceShareBps);
  return {
    feeBps,
    fee,
    lpOut,
    deadLp,
    valueInUsd: valueIn,
    protocolFee: split.protocol,
    insuranceFee: split.insurance,
    ownedIncrease: checkedSub(checkedSub(i.amountIn, split.protocol), split.insurance),
  };
}

// ---------------------------------------------------------------------------------------------
// remove_liquidity
// ---------------------------------------------------------------------------------------------

/** Inputs of `quoteRemoveLiquidity` (the Rust `RemoveLiquidityInput`). */
export interface RemoveLiquidityInput {
  /** LP tokens redeemed. */
  lpIn: BN;
  lpSupply: BN;
  /** Pool value at MIN prices (each custody rounded down). */
  aumUsd: BN;
  /** The output token's mint decimals. */
  decimals: number;
  /** The output token's MAX price. */
  price: BN;
  /** The custody's owned tokens at its MIN price, rounded down. */
  custodyUsd: BN;
  owned: BN;
  /** Tokens that may leave the custody (owned less locked and reserved). */
  available: BN;
  targetWeightBps: BN;
  minWeightBps: BN;
  baseFeeBps: BN;
  taxFeeBps: BN;
  protocolShareBps: BN;
  insuranceShareBps: BN;
}

/** Output of `quoteRemoveLiquidity` (the Rust `RemoveLiquidityQuote`). */
export interface RemoveLiquidityQuote {
  /** Value of `lpIn`, rounded down. */
  valueUsd: BN;
  feeBps: BN;
  /** Fee in output tokens. */
  fee: BN;
  /** Tokens paid to the user. */
  amountOut: BN;
  protocolFee: BN;
  insuranceFee: BN;
  /** `amountOut + protocolFee + insuranceFee`. */
  ownedDecrease: BN;
}

/** Quotes an LP redemption; see `quote_remove_liquidity` in the program for the steps. */
export function quoteRemoveLiquidity(i: RemoveLiquidityInput): RemoveLiquidityQuote {
  assertFields(i, [
    "lpIn",
    "lpSupply",
    "aumUsd",
    "price",
    "custodyUsd",
    "owned",
    "available",
    "targetWeightBps",
    "minWeightBps",
    "baseFeeBps",
    "taxFeeBps",
    "protocolShareBps",
    "insuranceShareBps",
  ]);
  if (i.lpIn.isZero()) throw new LiquidityError("ZeroAmount", "lpIn is zero");
  if (i.lpIn.gt(i.lpSupply)) throw new LiquidityError("InsufficientLpSupply");
  const value = mulDivFloor(i.lpIn, i.aumUsd, i.lpSupply);
  const amount = usdToTokenFloor(value, i.price, i.decimals);
  if (amount.isZero()) throw new LiquidityError("ZeroAmount", "redemption is worth less than one token unit");

  const custodyAfter = saturatingSub(i.custodyUsd, value);
  const feeBps = dynamicFeeBps({
    baseBps: i.baseFeeBps,
    taxBps: i.taxFeeBps,
    currentUsd: i.custodyUsd,
    nextUsd: custodyAfter,
    targetUsd: applyBpsFloor(i.aumUsd, i.targetWeightBps),
  });
  const fee = feeAmount(amount, feeBps);
  const amountOut = checkedSub(amount, fee);
  if (amountOut.isZero()) throw new LiquidityError("ZeroAmount", "nothing left after the fee");

  const split = splitFee(fee, i.protocolShareBps, i.insuranceShareBps);
  const ownedDecrease = checkedAdd(checkedAdd(amountOut, split.protocol), split.insurance);
  if (ownedDecrease.gt(i.available) || ownedDecrease.gt(i.owned)) throw new LiquidityError("InsufficientLiquidity");

  const aumAfter = saturatingSub(i.aumUsd, value);
  if (!aumAfter.isZero() && !weightOkMin(custodyAfter, aumAfter, i.minWeightBps)) {
    throw new LiquidityError("MinWeightExceeded");
  }
  return {
    valueUsd: value,
    feeBps,
    fee,
    amountOut,
    protocolFee: split.protocol,
    insuranceFee: split.insurance,
    ownedDecrease,
  };
}

// ---------------------------------------------------------------------------------------------
// swap
// ---------------------------------------------------------------------------------------------

/** Inputs of `quoteSwap` (the Rust `SwapInput`): `in*` the receiving custody, `out*` the paying one. */
export interface SwapInput {
  amountIn: BN;
  inDecimals: number;
  /** The input token's MIN price. */
  inPrice: BN;
  inCustodyUsd: BN;
  inTargetBps: BN;
  inMaxWeightBps: BN;
  inBaseFeeBps: BN;
  inTaxFeeBps: BN;
  outDecimals: number;
  /** The output token's MAX price. */
  outPrice: BN;
  outCustodyUsd: BN;
  outTargetBps: BN;
  outMinWeightBps: BN;
  outBaseFeeBps: BN;
  outTaxFeeBps: BN;
  /** Output tokens that may leave the output custody. */
  outAvailable: BN;
  aumUsd: BN;
  protocolShareBps: BN;
  insuranceShareBps: BN;
}

/** Output of `quoteSwap` (the Rust `SwapQuote`). */
export interface SwapQuote {
  valueInUsd: BN;
  /** The higher of the two sides' dynamic fees. */
  feeBps: BN;
  /** Fee in output tokens. */
  fee: BN;
  amountOut: BN;
  protocolFee: BN;
  insuranceFee: BN;
  /** All of `amountIn`. */
  inOwnedIncrease: BN;
  /** `amountOut + protocolFee + insuranceFee`. */
  outOwnedDecrease: BN;
}

/** Quotes a swap; see `quote_swap` in the program for the steps. */
export function quoteSwap(i: SwapInput): SwapQuote {
  assertFields(i, [
    "amountIn",
    "inPrice",
    "inCustodyUsd",
    "inTargetBps",
    "inMaxWeightBps",
    "inBaseFeeBps",
    "inTaxFeeBps",
    "outPrice",
    "outCustodyUsd",
    "outTargetBps",
    "outMinWeightBps",
    "outBaseFeeBps",
    "outTaxFeeBps",
    "outAvailable",
    "aumUsd",
    "protocolShareBps",
    "insuranceShareBps",
  ]);
  if (i.amountIn.isZero()) throw new LiquidityError("ZeroAmount", "amountIn is zero");
  const valueIn = tokenToUsdFloor(i.amountIn, i.inPrice, i.inDecimals);
  if (valueIn.isZero()) throw new LiquidityError("ZeroAmount", "input is worth less than one USD unit");
  const grossOut = usdToTokenFloor(valueIn, i.outPrice, i.outDecimals);
  if (grossOut.isZero()) throw new LiquidityError("ZeroAmount", "input buys less than one output unit");

  const inAfter = checkedAdd(i.inCustodyUsd, valueIn);
  const feeIn = dynamicFeeBps({
    baseBps: i.inBaseFeeBps,
    taxBps: i.inTaxFeeBps,
    currentUsd: i.inCustodyUsd,
    nextUsd: inAfter,
    targetUsd: applyBpsFloor(i.aumUsd, i.inTargetBps),
  });
  const outAfter = saturatingSub(i.outCustodyUsd, valueIn);
  const feeOut = dynamicFeeBps({
    baseBps: i.outBaseFeeBps,
    taxBps: i.outTaxFeeBps,
    currentUsd: i.outCustodyUsd,
    nextUsd: outAfter,
    targetUsd: applyBpsFloor(i.aumUsd, i.outTargetBps),
  });
  const feeBps = feeIn.gte(feeOut) ? feeIn : feeOut;

  const fee = feeAmount(grossOut, feeBps);
  const amountOut = checkedSub(grossOut, fee);
  if (amountOut.isZero()) throw new LiquidityError("ZeroAmount", "nothing left after the fee");
  const split = splitFee(fee, i.protocolShareBps, i.insuranceShareBps);
  const outOwnedDecrease = checkedAdd(checkedAdd(amountOut, split.protocol), split.insurance);
  if (outOwnedDecrease.gt(i.outAvailable)) throw new LiquidityError("InsufficientLiquidity");

  if (!weightOkMax(inAfter, i.aumUsd, i.inMaxWeightBps)) throw new LiquidityError("MaxWeightExceeded");
  if (!weightOkMin(outAfter, i.aumUsd, i.outMinWeightBps)) throw new LiquidityError("MinWeightExceeded");
  return {
    valueInUsd: valueIn,
    feeBps,
    fee,
    amountOut,
    protocolFee: split.protocol,
    insuranceFee: split.insurance,
    inOwnedIncrease: i.amountIn.clone(),
    outOwnedDecrease,
  };
}

function saturatingSub(a: BN, b: BN): BN {
  return a.gt(b) ? a.sub(b) : new BN(0);
}

/** RangeError unless every named field is a u64 `BN` (a caller bug, e.g. a missing field). */
function assertFields<T extends object>(input: T, keys: ReadonlyArray<keyof T & string>): void {
  for (const key of keys) assertU64(input[key] as unknown as BN, key);
}
