/**
 * Position math: trade prices, PnL, borrow fees, health, the quotes of every position action
 * (increase, decrease / remove collateral, liquidate) and the traders' net PnL for the pool
 * value; mirrors `programs/perpool-core/src/math/position.rs` step for step, so a quote here is
 * exactly what the program will do: same rounding (always against the trader), same checks in
 * the same order, same errors. The program's doc comments list the steps and the custody
 * accounting each quote implies.
 *
 * Units: USD values 6 decimals, prices 9 decimals (USD per whole token), token amounts native,
 * bps /10_000, interest indexes 12 decimals. Amounts are `BN` (u64; timestamps i64); `side` and
 * decimals are numbers (u8). Inputs are never mutated.
 *
 * Errors: a refused quote throws `PositionError` (its `code` is the Rust variant name); an
 * arithmetic failure throws `MathError`; inputs the program could never receive (not a u64, a
 * u8 that is not an integer in 0..=255) throw `RangeError`.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { type FeeSplit, feeAmount, splitFee } from "./fees";
import { checkedAdd, checkedSub, fitU64, mulDiv } from "./fixed";
import { type Impact, ImpactError, impactedPrice } from "./impact";
import { INDEX_ONE } from "./interest";
import { BPS_DENOM, applyBpsFloor, tokenToUsdCeil, tokenToUsdFloor, usdToTokenCeil, usdToTokenFloor } from "./units";
import { U64_MAX, assertI64, assertU64 } from "./wide";
import { at } from "../util";

/** `side` of a long. */
export const LONG = 1;
/** `side` of a short. */
export const SHORT = 2;
/** A partial liquidation closes a multiple of this fraction (bps). */
export const LIQUIDATION_TIER_BPS: BN = new BN(2_500);

/** Why a position quote was refused: the Rust `PositionError` variants other than `Math`. */
export type PositionErrorCode =
  | "InvalidSide"
  | "InvalidSpread"
  | "ZeroAmount"
  | "InsufficientCollateral"
  | "PositionTooLarge"
  | "OpenInterestCap"
  | "InsufficientLiquidity"
  | "CollateralTooSmall"
  | "LeverageTooHigh"
  | "WouldBeLiquidatable"
  | "SizeTooLarge"
  | "PositionUnderwater"
  | "NotLiquidatable"
  | "PriceImpactTooLarge";

/** All `PositionErrorCode`s, in the Rust enum's order (after `Math`). */
export const POSITION_ERROR_CODES: readonly PositionErrorCode[] = Object.freeze([
  "InvalidSide",
  "InvalidSpread",
  "ZeroAmount",
  "InsufficientCollateral",
  "PositionTooLarge",
  "OpenInterestCap",
  "InsufficientLiquidity",
  "CollateralTooSmall",
  "LeverageTooHigh",
  "WouldBeLiquidatable",
  "SizeTooLarge",
  "PositionUnderwater",
  "NotLiquidatable",
  "PriceImpactTooLarge",
] as PositionErrorCode[]);

/** Thrown for the same inputs for which the program's quote returns that `PositionError`. */
export class PositionError extends Error {
  readonly code: PositionErrorCode;

  constructor(code: PositionErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "PositionError";
    this.code = code;
  }
}

/** An oracle reading: min and max of spot and EMA, and the confidence (9 decimals). */
export interface PriceQuote {
  min: BN;
  max: BN;
  conf: BN;
}

/** A signed USD amount: `profit` true for a strictly positive one. Zero is `{ false, 0 }`. */
export interface Pnl {
  profit: boolean;
  usd: BN;
}

/** A position's equity, signed: `negative` true when strictly negative. Zero is `{ false, 0 }`. */
export interface Equity {
  negative: boolean;
  usd: BN;
}

/** A position (the Rust `PositionState`); all zeros but `side` for a new one. */
export interface PositionState {
  side: number;
  /** Unix seconds (i64). */
  openTime: BN;
  sizeUsd: BN;
  sizeTokens: BN;
  /** Collateral-custody tokens. */
  collateralAmount: BN;
  /** Collateral-custody tokens locked for the position's profit. */
  lockedAmount: BN;
  borrowIndexSnapshot: BN;
  /** Collateral tokens the position owes and could not pay (absent: 0). */
  owedTokens?: BN;
}

/** The market custody for one side (the Rust `MarketSide`). */
export interface MarketSide {
  decimals: number;
  price: PriceQuote;
  /** Configured spread; the confidence is added to it. */
  spreadBps: BN;
  openFeeBps: BN;
  closeFeeBps: BN;
  maxLeverageBps: BN;
  maxPositionUsd: BN;
  /** This side's open interest, USD. */
  oiUsd: BN;
  oiCapUsd: BN;
  minCollateralUsd: BN;
  maintenanceMarginBps: BN;
  liquidationRewardBps: BN;
}

/** The collateral custody (the Rust `CollateralSide`). */
export interface CollateralSide {
  decimals: number;
  /** Only min and max are used. */
  price: PriceQuote;
  /** Already accrued to now. */
  borrowIndex: BN;
  owned: BN;
  locked: BN;
  bufferBps: BN;
}

/** Fee shares, bps of the fee (the LPs keep the rest). */
export interface FeeShares {
  protocolBps: BN;
  insuranceBps: BN;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

function isLong(side: number): boolean {
  assertU8(side, "side");
  if (side === LONG) return true;
  if (side === SHORT) return false;
  throw new PositionError("InvalidSide", String(side));
}

/** `spreadBps + ceil(conf × 10_000 / max)`; throws `DivideByZero`, `Overflow`, `InvalidSpread` (>= 10_000). */
export function tradeSpreadBps(spreadBps: BN, q: PriceQuote): BN {
  assertQuote(q, "price");
  const confBps = mulDiv(q.conf, BPS_DENOM, q.max, true);
  const spread = checkedAdd(spreadBps, confBps);
  if (spread.gte(BPS_DENOM)) throw new PositionError("InvalidSpread", spread.toString());
  return spread;
}

function widen(price: BN, spread: BN): BN {
  return mulDiv(price, BPS_DENOM.add(spread), BPS_DENOM, true);
}

function narrow(price: BN, spread: BN): BN {
  return mulDiv(price, BPS_DENOM.sub(spread), BPS_DENOM, false);
}

function entryAt(long: boolean, q: PriceQuote, spread: BN): BN {
  return long ? widen(q.max, spread) : narrow(q.min, spread);
}

function exitAt(long: boolean, q: PriceQuote, spread: BN): BN {
  return long ? narrow(q.min, spread) : widen(q.max, spread);
}

/** Opening price: long `ceil(max × (1 + s))`, short `floor(min × (1 − s))`, `s = tradeSpreadBps(spreadBps, q)`. */
export function entryPrice(side: number, q: PriceQuote, spreadBps: BN): BN {
  const long = isLong(side);
  return entryAt(long, q, tradeSpreadBps(spreadBps, q));
}

/** Closing price: long `floor(min × (1 − s))`, short `ceil(max × (1 + s))`. */
export function exitPrice(side: number, q: PriceQuote, spreadBps: BN): BN {
  const long = isLong(side);
  return exitAt(long, q, tradeSpreadBps(spreadBps, q));
}

function sizeTokensOf(long: boolean, sizeUsd: BN, price: BN, decimals: number): BN {
  return long ? usdToTokenFloor(sizeUsd, price, decimals) : usdToTokenCeil(sizeUsd, price, decimals);
}

/** Market tokens `sizeUsd` buys at `price`: rounded down for a long, up for a short. */
export function sizeTokens(side: number, sizeUsd: BN, price: BN, decimals: number): BN {
  const long = isLong(side);
  return sizeTokensOf(long, sizeUsd, price, decimals);
}

function signedDiff(a: BN, b: BN): Pnl {
  return a.gt(b) ? { profit: true, usd: a.sub(b) } : { profit: false, usd: b.sub(a) };
}

function pnlOf(long: boolean, sizeUsd: BN, sizeTokens: BN, exit: BN, decimals: number): Pnl {
  assertU64(sizeUsd, "sizeUsd");
  return long
    ? signedDiff(tokenToUsdFloor(sizeTokens, exit, decimals), sizeUsd)
    : signedDiff(sizeUsd, tokenToUsdCeil(sizeTokens, exit, decimals));
}

/** PnL at `exitPrice`: long `floor(value) − size`, short `size − ceil(value)`. */
export function pnl(side: number, sizeUsd: BN, sizeTokens: BN, exitPrice: BN, decimals: number): Pnl {
  const long = isLong(side);
  return pnlOf(long, sizeUsd, sizeTokens, exitPrice, decimals);
}

/** `floor(sizeUsd × 10^(decimals + 3) / sizeTokens)`; zero when `sizeTokens` is zero. */
export function averagePrice(sizeUsd: BN, sizeTokens: BN, decimals: number): BN {
  assertU64(sizeTokens, "sizeTokens");
  if (sizeTokens.isZero()) return new BN(0);
  return usdToTokenFloor(sizeUsd, sizeTokens, decimals);
}

/** `ceil(locked × (indexNow − indexSnapshot) / 1e12)`; zero if the index has not grown. */
export function borrowFeeTokens(locked: BN, indexNow: BN, indexSnapshot: BN): BN {
  assertU64(locked, "locked");
  assertU64(indexNow, "indexNow");
  assertU64(indexSnapshot, "indexSnapshot");
  if (indexNow.lte(indexSnapshot)) return new BN(0);
  return mulDiv(locked, indexNow.sub(indexSnapshot), INDEX_ONE, true);
}

/** `collateralUsd + pnl − closeFeeUsd`, signed; `Overflow` if the positive or negative terms exceed u64. */
export function equityUsd(collateralUsd: BN, pnl: Pnl, closeFeeUsd: BN): Equity {
  assertU64(collateralUsd, "collateralUsd");
  assertU64(pnl.usd, "pnl.usd");
  assertU64(closeFeeUsd, "closeFeeUsd");
  const plus = pnl.profit ? checkedAdd(collateralUsd, pnl.usd) : collateralUsd;
  const minus = pnl.profit ? closeFeeUsd : checkedAdd(pnl.usd, closeFeeUsd);
  return plus.gte(minus) ? { negative: false, usd: plus.sub(minus) } : { negative: true, usd: minus.sub(plus) };
}

/** `equity × 10_000 >= maintenanceMarginBps × sizeUsd` (exact); negative equity fails. */
export function healthOk(equity: Equity, sizeUsd: BN, maintenanceMarginBps: BN): boolean {
  assertU64(equity.usd, "equity.usd");
  assertU64(sizeUsd, "sizeUsd");
  assertU64(maintenanceMarginBps, "maintenanceMarginBps");
  return !equity.negative && equity.usd.mul(BPS_DENOM).gte(maintenanceMarginBps.mul(sizeUsd));
}

interface Mark {
  long: boolean;
  exit: BN;
  sizeUsd: BN;
  sizeTokens: BN;
  collateral: BN;
  /** Collateral tokens still owed. */
  owed: BN;
}

/** What a position owes, USD: its owed tokens at the collateral MAX price, rounded up (Rust `owed_usd`). */
export function owedUsd(owed: BN, coll: CollateralSide): BN {
  if (owed.isZero()) return new BN(0);
  return tokenToUsdCeil(owed, coll.price.max, coll.decimals);
}

function markEquity(m: Mark, market: MarketSide, coll: CollateralSide): Equity {
  const collateralUsd = tokenToUsdFloor(m.collateral, coll.price.min, coll.decimals);
  const p = pnlOf(m.long, m.sizeUsd, m.sizeTokens, m.exit, market.decimals);
  const closeFee = feeAmount(m.sizeUsd, market.closeFeeBps);
  return equityUsd(collateralUsd, p, checkedAdd(closeFee, owedUsd(m.owed, coll)));
}

const owedOf = (p: PositionState): BN => p.owedTokens ?? new BN(0);

/** Minimum collateral, maximum leverage, maintenance margin of a position that stays open. */
function checkOpen(m: Mark, market: MarketSide, coll: CollateralSide): BN {
  const collateralUsd = tokenToUsdFloor(m.collateral, coll.price.min, coll.decimals);
  if (collateralUsd.lt(market.minCollateralUsd)) throw new PositionError("CollateralTooSmall");
  if (m.sizeUsd.mul(BPS_DENOM).gt(market.maxLeverageBps.mul(collateralUsd))) throw new PositionError("LeverageTooHigh");
  const equity = markEquity(m, market, coll);
  if (!healthOk(equity, m.sizeUsd, market.maintenanceMarginBps)) throw new PositionError("WouldBeLiquidatable");
  return collateralUsd;
}

function split(fee: BN, borrowFee: BN, shares: FeeShares): FeeSplit {
  return splitFee(checkedAdd(fee, borrowFee), shares.protocolBps, shares.insuranceBps);
}

// ---------------------------------------------------------------------------------------------
// increase
// ---------------------------------------------------------------------------------------------

/** The execution price shifted by a trade's price impact (Rust `with_impact`); zero impact leaves it. */
function withImpact(long: boolean, isIncrease: boolean, sizeUsd: BN, price: BN, impact: Impact | undefined): BN {
  if (!impact || impact.usd.isZero()) return price;
  try {
    return impactedPrice({ side: long ? LONG : SHORT, isIncrease, sizeUsd, price, impact });
  } catch (e) {
    if (e instanceof ImpactError) {
      if (e.code === "InvalidSide") throw new PositionError("InvalidSide");
      throw new PositionError("PriceImpactTooLarge");
    }
    throw e;
  }
}

/** Inputs of `quoteIncrease` (the Rust `IncreaseInput`). */
export interface IncreaseInput {
  /** Unix seconds (i64); not used by the arithmetic. */
  now: BN;
  pos: PositionState;
  sizeDeltaUsd: BN;
  /** Collateral tokens deposited now. */
  collateralDelta: BN;
  market: MarketSide;
  coll: CollateralSide;
  fees: FeeShares;
  /** The trade's price impact (`priceImpact`); shifts the entry price. Absent or zero for none. */
  impact?: Impact;
}

/** Output of `quoteIncrease` (the Rust `IncreaseQuote`). */
export interface IncreaseQuote {
  entryPrice: BN;
  sizeTokensDelta: BN;
  feeUsd: BN;
  feeTokens: BN;
  borrowFeeTokens: BN;
  /** What the position owed, paid first. */
  owedPaid: BN;
  collateralAfter: BN;
  lockedDelta: BN;
  sizeUsdAfter: BN;
  sizeTokensAfter: BN;
  averagePriceAfter: BN;
  leverageBpsAfter: BN;
  lpFee: BN;
  protocolFee: BN;
  insuranceFee: BN;
}

/** Quotes opening or increasing a position; see `quote_increase` in the program for the steps. */
export function quoteIncrease(i: IncreaseInput): IncreaseQuote {
  assertI64(i.now, "now");
  assertPosition(i.pos);
  assertU64(i.sizeDeltaUsd, "sizeDeltaUsd");
  assertU64(i.collateralDelta, "collateralDelta");
  assertSides(i.market, i.coll, i.fees);
  const long = isLong(i.pos.side);
  if (i.sizeDeltaUsd.isZero()) throw new PositionError("ZeroAmount", "sizeDeltaUsd is zero");
  const { pos, market, coll } = i;
  const borrowFee = borrowFeeTokens(pos.lockedAmount, coll.borrowIndex, pos.borrowIndexSnapshot);

  const spread = tradeSpreadBps(market.spreadBps, market.price);
  const entry = withImpact(long, true, i.sizeDeltaUsd, entryAt(long, market.price, spread), i.impact);
  const exit = exitAt(long, market.price, spread);
  const tokensDelta = sizeTokensOf(long, i.sizeDeltaUsd, entry, market.decimals);

  const feeUsd = feeAmount(i.sizeDeltaUsd, market.openFeeBps);
  const feeTokens = usdToTokenCeil(feeUsd, coll.price.min, coll.decimals);

  const gross = checkedAdd(pos.collateralAmount, i.collateralDelta);
  // What the position owes is paid first: an increase leaves nothing owed.
  const charges = checkedAdd(checkedAdd(borrowFee, feeTokens), owedOf(pos));
  if (charges.gt(gross)) throw new PositionError("InsufficientCollateral");
  const collateralAfter = gross.sub(charges);

  const sizeAfter = checkedAdd(pos.sizeUsd, i.sizeDeltaUsd);
  const sizeTokensAfter = checkedAdd(pos.sizeTokens, tokensDelta);
  if (sizeAfter.gt(market.maxPositionUsd)) throw new PositionError("PositionTooLarge");
  if (market.oiUsd.add(i.sizeDeltaUsd).gt(market.oiCapUsd)) throw new PositionError("OpenInterestCap");

  const lockedDelta = usdToTokenCeil(i.sizeDeltaUsd, coll.price.min, coll.decimals);
  const buffer = applyBpsFloor(coll.owned, coll.bufferBps);
  const lockable = checkedSub(coll.owned, buffer);
  if (coll.locked.add(lockedDelta).gt(lockable)) throw new PositionError("InsufficientLiquidity");

  const collateralUsd = checkOpen(
    { long, exit, sizeUsd: sizeAfter, sizeTokens: sizeTokensAfter, collateral: collateralAfter, owed: new BN(0) },
    market,
    coll,
  );

  const shares = split(feeTokens, borrowFee, i.fees);
  return {
    entryPrice: entry,
    sizeTokensDelta: tokensDelta,
    feeUsd,
    feeTokens,
    borrowFeeTokens: borrowFee,
    owedPaid: owedOf(pos).clone(),
    collateralAfter,
    lockedDelta,
    sizeUsdAfter: sizeAfter,
    sizeTokensAfter,
    averagePriceAfter: averagePrice(sizeAfter, sizeTokensAfter, market.decimals),
    leverageBpsAfter: mulDiv(sizeAfter, BPS_DENOM, collateralUsd, false),
    lpFee: shares.lp,
    protocolFee: shares.protocol,
    insuranceFee: shares.insurance,
  };
}

// ---------------------------------------------------------------------------------------------
// Closing (shared by decrease and liquidation)
// ---------------------------------------------------------------------------------------------

interface Closing {
  closedTokens: BN;
  pnl: Pnl;
  feeUsd: BN;
  feeTokens: BN;
  lockedReleased: BN;
  profitTokens: BN;
  lossTokens: BN;
}

interface CloseArgs {
  long: boolean;
  now: BN;
  pos: PositionState;
  sizeDelta: BN;
  full: boolean;
  exit: BN;
  market: MarketSide;
  coll: CollateralSide;
}

function closePart(a: CloseArgs): Closing {
  const { pos, coll } = a;
  let closedTokens: BN;
  let lockedReleased: BN;
  if (a.full) {
    closedTokens = pos.sizeTokens.clone();
    lockedReleased = pos.lockedAmount.clone();
  } else if (a.sizeDelta.isZero()) {
    closedTokens = new BN(0);
    lockedReleased = new BN(0);
  } else {
    closedTokens = mulDiv(pos.sizeTokens, a.sizeDelta, pos.sizeUsd, !a.long);
    lockedReleased = mulDiv(pos.lockedAmount, a.sizeDelta, pos.sizeUsd, false);
  }

  let p = pnlOf(a.long, a.sizeDelta, closedTokens, a.exit, a.market.decimals);
  if (p.profit && a.now.lte(pos.openTime)) p = { profit: false, usd: new BN(0) };

  const feeUsd = feeAmount(a.sizeDelta, a.market.closeFeeBps);
  const feeTokens = usdToTokenCeil(feeUsd, coll.price.min, coll.decimals);

  let profitTokens = new BN(0);
  let lossTokens = new BN(0);
  if (p.profit) {
    const won = usdToTokenFloor(p.usd, coll.price.max, coll.decimals);
    profitTokens = won.lt(lockedReleased) ? won : lockedReleased.clone();
  } else if (!p.usd.isZero()) {
    lossTokens = usdToTokenCeil(p.usd, coll.price.min, coll.decimals);
  }
  return { closedTokens, pnl: p, feeUsd, feeTokens, lockedReleased, profitTokens, lossTokens };
}

// ---------------------------------------------------------------------------------------------
// decrease / remove collateral
// ---------------------------------------------------------------------------------------------

/** Inputs of `decreaseImpact` (the Rust `DecreaseImpactInput`). */
export interface DecreaseImpactInput {
  pos: PositionState;
  sizeDeltaUsd: BN;
  market: MarketSide;
  /** The decrease's price impact in USD (`priceImpact`). */
  impact: Impact;
}

/**
 * The impact to hand to `quoteDecrease` so that the closed tokens realize exactly `impact.usd`:
 * `I × S / V`, with `V` the closed tokens at the plain exit price (a gain rounded down with `V` up,
 * a cost up with `V` down; kept below `S` for a long's cost or a short's gain; unchanged when `V`
 * is zero or the result does not fit). Mirrors `math::decrease_impact`.
 */
export function decreaseImpact(i: DecreaseImpactInput): Impact {
  const long = isLong(i.pos.side);
  const { pos } = i;
  const s = i.sizeDeltaUsd;
  if (i.impact.usd.isZero() || s.isZero()) return i.impact;
  if (s.gt(pos.sizeUsd)) throw new PositionError("SizeTooLarge", `${s} > ${pos.sizeUsd}`);
  const closed = s.eq(pos.sizeUsd) ? pos.sizeTokens : mulDiv(pos.sizeTokens, s, pos.sizeUsd, !long);
  const exit = exitAt(long, i.market.price, tradeSpreadBps(i.market.spreadBps, i.market.price));
  const gain = i.impact.positive;
  let value: BN;
  try {
    value = gain ? tokenToUsdCeil(closed, exit, i.market.decimals) : tokenToUsdFloor(closed, exit, i.market.decimals);
  } catch {
    return i.impact;
  }
  if (value.isZero()) return i.impact;
  let usd: BN;
  try {
    usd = mulDiv(i.impact.usd, s, value, !gain);
  } catch {
    return i.impact;
  }
  if (long !== gain && usd.gte(s)) usd = s.subn(1);
  return { positive: gain, usd };
}

/** Inputs of `quoteDecrease` (the Rust `DecreaseInput`); `sizeDeltaUsd = 0` removes collateral. */
export interface DecreaseInput {
  /** Unix seconds (i64). */
  now: BN;
  pos: PositionState;
  sizeDeltaUsd: BN;
  /** Collateral tokens requested back (ignored on a full close). */
  collateralOut: BN;
  market: MarketSide;
  coll: CollateralSide;
  fees: FeeShares;
  /** The price impact of closing `sizeDeltaUsd`, USD; the exit price shifts so the closed tokens realize it. Absent or zero for none. */
  impact?: Impact;
}

/** Output of `quoteDecrease` (the Rust `DecreaseQuote`). */
export interface DecreaseQuote {
  exitPrice: BN;
  closedTokens: BN;
  pnlProfit: boolean;
  pnlUsd: BN;
  profitTokens: BN;
  lossTokens: BN;
  feeUsd: BN;
  feeTokens: BN;
  borrowFeeTokens: BN;
  /** What the position owed, paid from its collateral and profit. */
  owedPaid: BN;
  lockedReleased: BN;
  amountOut: BN;
  collateralAfter: BN;
  sizeUsdAfter: BN;
  sizeTokensAfter: BN;
  fullClose: boolean;
  lpFee: BN;
  protocolFee: BN;
  insuranceFee: BN;
}

/** Quotes closing part or all of a position, or withdrawing collateral; see `quote_decrease`. */
export function quoteDecrease(i: DecreaseInput): DecreaseQuote {
  assertI64(i.now, "now");
  assertPosition(i.pos);
  assertU64(i.sizeDeltaUsd, "sizeDeltaUsd");
  assertU64(i.collateralOut, "collateralOut");
  assertSides(i.market, i.coll, i.fees);
  const long = isLong(i.pos.side);
  const { pos, market, coll } = i;
  if (i.sizeDeltaUsd.isZero() && i.collateralOut.isZero()) throw new PositionError("ZeroAmount");
  if (i.sizeDeltaUsd.gt(pos.sizeUsd)) throw new PositionError("SizeTooLarge");
  const full = !i.sizeDeltaUsd.isZero() && i.sizeDeltaUsd.eq(pos.sizeUsd);

  const borrowFee = borrowFeeTokens(pos.lockedAmount, coll.borrowIndex, pos.borrowIndexSnapshot);
  const spread = tradeSpreadBps(market.spreadBps, market.price);
  // The impact prices the closed part only; what remains is marked at the plain exit.
  const plainExit = exitAt(long, market.price, spread);
  // Shifted so the closed tokens realize exactly the USD impact (`decreaseImpact`).
  const shift = i.impact ? decreaseImpact({ pos, sizeDeltaUsd: i.sizeDeltaUsd, market, impact: i.impact }) : undefined;
  const exit = withImpact(long, false, i.sizeDeltaUsd, plainExit, shift);
  const c = closePart({ long, now: i.now, pos, sizeDelta: i.sizeDeltaUsd, full, exit, market, coll });

  // Charges come from the collateral first, then from the profit realised now.
  const charges = checkedAdd(checkedAdd(borrowFee, c.feeTokens), checkedAdd(c.lossTokens, owedOf(pos)));
  if (charges.gt(checkedAdd(pos.collateralAmount, c.profitTokens))) throw new PositionError("PositionUnderwater");
  const fromCollateral = BN.min(charges, pos.collateralAmount);
  const available = pos.collateralAmount.sub(fromCollateral);
  const profitLeft = c.profitTokens.sub(charges.sub(fromCollateral));

  const sizeUsdAfter = pos.sizeUsd.sub(i.sizeDeltaUsd);
  const sizeTokensAfter = checkedSub(pos.sizeTokens, c.closedTokens);
  let amountOut: BN;
  let collateralAfter: BN;
  if (full) {
    amountOut = checkedAdd(available, profitLeft);
    collateralAfter = new BN(0);
  } else {
    if (i.collateralOut.gt(available)) throw new PositionError("InsufficientCollateral");
    collateralAfter = available.sub(i.collateralOut);
    if (!sizeUsdAfter.isZero()) {
      checkOpen(
        {
          long,
          exit: plainExit,
          sizeUsd: sizeUsdAfter,
          sizeTokens: sizeTokensAfter,
          collateral: collateralAfter,
          owed: new BN(0),
        },
        market,
        coll,
      );
    }
    amountOut = checkedAdd(i.collateralOut, profitLeft);
  }

  const shares = split(c.feeTokens, borrowFee, i.fees);
  return {
    exitPrice: exit,
    closedTokens: c.closedTokens,
    pnlProfit: c.pnl.profit,
    pnlUsd: c.pnl.usd,
    profitTokens: c.profitTokens,
    lossTokens: c.lossTokens,
    feeUsd: c.feeUsd,
    feeTokens: c.feeTokens,
    borrowFeeTokens: borrowFee,
    owedPaid: owedOf(pos).clone(),
    lockedReleased: c.lockedReleased,
    amountOut,
    collateralAfter,
    sizeUsdAfter: full ? new BN(0) : sizeUsdAfter,
    sizeTokensAfter: full ? new BN(0) : sizeTokensAfter,
    fullClose: full,
    lpFee: shares.lp,
    protocolFee: shares.protocol,
    insuranceFee: shares.insurance,
  };
}

// ---------------------------------------------------------------------------------------------
// liquidate
// ---------------------------------------------------------------------------------------------

/** Inputs of `quoteLiquidate` (the Rust `LiquidateInput`). */
export interface LiquidateInput {
  /** Unix seconds (i64). */
  now: BN;
  pos: PositionState;
  market: MarketSide;
  coll: CollateralSide;
  fees: FeeShares;
  /** The collateral custody's insurance fund, tokens. */
  insuranceBalance: BN;
}

/** Output of `quoteLiquidate` (the Rust `LiquidationQuote`). */
export interface LiquidationQuote {
  full: boolean;
  fractionBps: BN;
  sizeDeltaUsd: BN;
  exitPrice: BN;
  closedTokens: BN;
  pnlProfit: boolean;
  pnlUsd: BN;
  profitTokens: BN;
  lossTokens: BN;
  feeTokens: BN;
  borrowFeeTokens: BN;
  /** What the position owed, paid from its funds. */
  owedPaid: BN;
  /** What it owed and its funds could not pay: bad debt. */
  owedWrittenOff: BN;
  rewardTokens: BN;
  rewardFromInsurance: BN;
  rewardFromPool: BN;
  insuranceUsed: BN;
  poolLoss: BN;
  ownerOut: BN;
  collateralAfter: BN;
  lockedReleased: BN;
  sizeUsdAfter: BN;
  sizeTokensAfter: BN;
  lpFee: BN;
  protocolFee: BN;
  insuranceFee: BN;
}

/** Quotes a keeper's liquidation; see `quote_liquidate` in the program for the steps. */
export function quoteLiquidate(i: LiquidateInput): LiquidationQuote {
  assertI64(i.now, "now");
  assertPosition(i.pos);
  assertU64(i.insuranceBalance, "insuranceBalance");
  assertSides(i.market, i.coll, i.fees);
  const long = isLong(i.pos.side);
  const { pos, market, coll } = i;
  const borrowFee = borrowFeeTokens(pos.lockedAmount, coll.borrowIndex, pos.borrowIndexSnapshot);
  const spread = tradeSpreadBps(market.spreadBps, market.price);
  const exit = exitAt(long, market.price, spread);
  const netCollateral = pos.collateralAmount.gt(borrowFee) ? pos.collateralAmount.sub(borrowFee) : new BN(0);
  // A borrow fee the collateral cannot pay is owed like the rest.
  const unpaidFee = borrowFee.gt(pos.collateralAmount) ? borrowFee.sub(pos.collateralAmount) : new BN(0);
  const equity = markEquity(
    {
      long,
      exit,
      sizeUsd: pos.sizeUsd,
      sizeTokens: pos.sizeTokens,
      collateral: netCollateral,
      owed: checkedAdd(owedOf(pos), unpaidFee),
    },
    market,
    coll,
  );
  if (healthOk(equity, pos.sizeUsd, market.maintenanceMarginBps)) throw new PositionError("NotLiquidatable");

  const fraction = liquidationFractionBps(equity, pos.sizeUsd, market);
  if (fraction.lt(BPS_DENOM)) {
    const partial = liquidatePartial(i, long, borrowFee, exit, fraction);
    if (partial !== null) return partial;
  }
  return liquidateFull(i, long, borrowFee, exit);
}

/**
 * The share of an unhealthy position to close, bps: the fraction restoring equity to twice the
 * maintenance margin after the closing fee and reward, rounded up to 25 / 50 / 75 %, else 100 %.
 * See `liquidation_fraction_bps` in the program; throws `Overflow` when `2 × mm`,
 * `closeFee + reward` or `6 × mm + closeFee + reward` exceeds u64.
 */
export function liquidationFractionBps(equity: Equity, sizeUsd: BN, market: MarketSide): BN {
  assertU64(equity.usd, "equity.usd");
  assertU64(sizeUsd, "sizeUsd");
  if (equity.negative || equity.usd.isZero()) return BPS_DENOM.clone();
  const mm = market.maintenanceMarginBps;
  const target = checkedAdd(mm, mm);
  const cost = checkedAdd(market.closeFeeBps, market.liquidationRewardBps);
  if (target.lte(cost)) return BPS_DENOM.clone();
  const multipliers = [fitU64(mm.muln(6).add(cost)), mm.muln(4).add(cost.muln(2)), mm.muln(2).add(cost.muln(3))];
  const budget = equity.usd.mul(BPS_DENOM.muln(4));
  for (let tier = 0; tier < multipliers.length; tier++) {
    if (sizeUsd.mul(at(multipliers, tier)).lte(budget)) return LIQUIDATION_TIER_BPS.muln(tier + 1);
  }
  return BPS_DENOM.clone();
}

function rewardTokens(sizeUsd: BN, market: MarketSide, coll: CollateralSide): BN {
  const usd = applyBpsFloor(sizeUsd, market.liquidationRewardBps);
  return usdToTokenFloor(usd, coll.price.max, coll.decimals);
}

function liquidatePartial(
  i: LiquidateInput,
  long: boolean,
  borrowFee: BN,
  exit: BN,
  fraction: BN,
): LiquidationQuote | null {
  const { pos, market, coll } = i;
  const sizeDelta = mulDiv(pos.sizeUsd, fraction, BPS_DENOM, false);
  const c = closePart({ long, now: i.now, pos, sizeDelta, full: false, exit, market, coll });
  const reward = rewardTokens(sizeDelta, market, coll);

  const funds = checkedAdd(pos.collateralAmount, c.profitTokens);
  const charges = checkedAdd(
    checkedAdd(checkedAdd(borrowFee, owedOf(pos)), c.feeTokens),
    checkedAdd(c.lossTokens, reward),
  );
  if (charges.gt(funds)) return null;
  const collateralAfter = funds.sub(charges);
  const sizeUsdAfter = pos.sizeUsd.sub(sizeDelta);
  const sizeTokensAfter = checkedSub(pos.sizeTokens, c.closedTokens);
  const rest = markEquity(
    { long, exit, sizeUsd: sizeUsdAfter, sizeTokens: sizeTokensAfter, collateral: collateralAfter, owed: new BN(0) },
    market,
    coll,
  );
  if (!healthOk(rest, sizeUsdAfter, market.maintenanceMarginBps)) return null;

  const shares = split(c.feeTokens, borrowFee, i.fees);
  return {
    full: false,
    fractionBps: fraction,
    sizeDeltaUsd: sizeDelta,
    exitPrice: exit,
    closedTokens: c.closedTokens,
    pnlProfit: c.pnl.profit,
    pnlUsd: c.pnl.usd,
    profitTokens: c.profitTokens,
    lossTokens: c.lossTokens,
    feeTokens: c.feeTokens,
    borrowFeeTokens: borrowFee,
    owedPaid: owedOf(pos).clone(),
    owedWrittenOff: new BN(0),
    rewardTokens: reward,
    rewardFromInsurance: new BN(0),
    rewardFromPool: new BN(0),
    insuranceUsed: new BN(0),
    poolLoss: new BN(0),
    ownerOut: new BN(0),
    collateralAfter,
    lockedReleased: c.lockedReleased,
    sizeUsdAfter,
    sizeTokensAfter,
    lpFee: shares.lp,
    protocolFee: shares.protocol,
    insuranceFee: shares.insurance,
  };
}

function liquidateFull(i: LiquidateInput, long: boolean, borrowFee: BN, exit: BN): LiquidationQuote {
  const { pos, market, coll } = i;
  const c = closePart({ long, now: i.now, pos, sizeDelta: pos.sizeUsd, full: true, exit, market, coll });
  const reward = rewardTokens(pos.sizeUsd, market, coll);

  // The waterfall: each claim takes what the remaining funds cover.
  let funds = checkedAdd(pos.collateralAmount, c.profitTokens);
  const take = (claim: BN): BN => {
    const covered = claim.lt(funds) ? claim.clone() : funds.clone();
    funds = funds.sub(covered);
    return covered;
  };
  const borrowCovered = take(borrowFee);
  const owed = take(owedOf(pos));
  const loss = take(c.lossTokens);
  const fee = take(c.feeTokens);
  const rewardCovered = take(reward);
  const ownerOut = funds;

  // Bad debt: the uncovered loss and what the position owed and could not pay.
  const uncoveredOwed = owedOf(pos).sub(owed);
  const uncoveredLoss = checkedAdd(c.lossTokens.sub(loss), uncoveredOwed);
  const insuranceUsed = BN.min(uncoveredLoss, i.insuranceBalance).clone();
  const uncoveredReward = reward.sub(rewardCovered);
  const rewardFromInsurance = BN.min(uncoveredReward, i.insuranceBalance.sub(insuranceUsed)).clone();

  const shares = split(fee, borrowCovered, i.fees);
  return {
    full: true,
    fractionBps: BPS_DENOM.clone(),
    sizeDeltaUsd: pos.sizeUsd.clone(),
    exitPrice: exit,
    closedTokens: c.closedTokens,
    pnlProfit: c.pnl.profit,
    pnlUsd: c.pnl.usd,
    profitTokens: c.profitTokens,
    lossTokens: loss,
    feeTokens: fee,
    borrowFeeTokens: borrowCovered,
    owedPaid: owed,
    owedWrittenOff: uncoveredOwed,
    rewardTokens: reward,
    rewardFromInsurance,
    rewardFromPool: uncoveredReward.sub(rewardFromInsurance),
    insuranceUsed,
    poolLoss: uncoveredLoss.sub(insuranceUsed),
    ownerOut,
    collateralAfter: new BN(0),
    lockedReleased: c.lockedReleased,
    sizeUsdAfter: new BN(0),
    sizeTokensAfter: new BN(0),
    lpFee: shares.lp,
    protocolFee: shares.protocol,
    insuranceFee: shares.insurance,
  };
}

// ---------------------------------------------------------------------------------------------
// Pool value
// ---------------------------------------------------------------------------------------------

/** Inputs of `poolPnl` (the Rust `PoolPnlInput`): one custody's open interest. */
export interface PoolPnlInput {
  longOiUsd: BN;
  longOiTokens: BN;
  shortOiUsd: BN;
  shortOiTokens: BN;
  decimals: number;
  longPrice: BN;
  shortPrice: BN;
  /** Round for the pool value at max prices (trader profit down) instead of min (up). */
  roundForMaxAum: boolean;
}

/**
 * Traders' net PnL: `(longTokens × longPrice − longUsd) + (shortUsd − shortTokens × shortPrice)`;
 * the caller subtracts it from the pool value. Throws `InvalidDecimals`, `Overflow`.
 */
export function poolPnl(i: PoolPnlInput): Pnl {
  for (const key of ["longOiUsd", "longOiTokens", "shortOiUsd", "shortOiTokens", "longPrice", "shortPrice"] as const) {
    assertU64(i[key], key);
  }
  const up = i.roundForMaxAum;
  const longValue = up
    ? tokenToUsdFloor(i.longOiTokens, i.longPrice, i.decimals)
    : tokenToUsdCeil(i.longOiTokens, i.longPrice, i.decimals);
  const shortValue = up
    ? tokenToUsdCeil(i.shortOiTokens, i.shortPrice, i.decimals)
    : tokenToUsdFloor(i.shortOiTokens, i.shortPrice, i.decimals);
  const gains = longValue.add(i.shortOiUsd);
  const losses = i.longOiUsd.add(shortValue);
  const profit = gains.gt(losses);
  const usd = profit ? gains.sub(losses) : losses.sub(gains);
  if (usd.gt(U64_MAX)) throw new MathError("Overflow", usd.toString());
  return { profit, usd };
}

// ---------------------------------------------------------------------------------------------
// Input validation (caller bugs → RangeError)
// ---------------------------------------------------------------------------------------------

function assertU8(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${name} is not a u8: ${value}`);
}

function assertQuote(q: PriceQuote, name: string): void {
  if (q === null || typeof q !== "object") throw new RangeError(`${name} is not a price quote`);
  assertU64(q.min, `${name}.min`);
  assertU64(q.max, `${name}.max`);
  assertU64(q.conf, `${name}.conf`);
}

function assertPosition(p: PositionState): void {
  if (p === null || typeof p !== "object") throw new RangeError("pos is not an object");
  assertU8(p.side, "pos.side");
  assertI64(p.openTime, "pos.openTime");
  for (const key of ["sizeUsd", "sizeTokens", "collateralAmount", "lockedAmount", "borrowIndexSnapshot"] as const) {
    assertU64(p[key], `pos.${key}`);
  }
  if (p.owedTokens !== undefined) assertU64(p.owedTokens, "pos.owedTokens");
}

function assertSides(m: MarketSide, c: CollateralSide, f: FeeShares): void {
  if (m === null || typeof m !== "object") throw new RangeError("market is not an object");
  if (c === null || typeof c !== "object") throw new RangeError("coll is not an object");
  if (f === null || typeof f !== "object") throw new RangeError("fees is not an object");
  assertU8(m.decimals, "market.decimals");
  assertQuote(m.price, "market.price");
  for (const key of [
    "spreadBps",
    "openFeeBps",
    "closeFeeBps",
    "maxLeverageBps",
    "maxPositionUsd",
    "oiUsd",
    "oiCapUsd",
    "minCollateralUsd",
    "maintenanceMarginBps",
    "liquidationRewardBps",
  ] as const) {
    assertU64(m[key], `market.${key}`);
  }
  assertU8(c.decimals, "coll.decimals");
  assertQuote(c.price, "coll.price");
  for (const key of ["borrowIndex", "owned", "locked", "bufferBps"] as const) assertU64(c[key], `coll.${key}`);
  assertU64(f.protocolBps, "fees.protocolBps");
  assertU64(f.insuranceBps, "fees.insuranceBps");
}
