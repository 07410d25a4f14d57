/**
 * Lending math: a custody's lending accrual and its split, scaled loan debt, interest-bearing
 * balances and PnL, loan health and liquidation price, and the quotes of the loan instructions
 * (borrow, repay, withdraw collateral, liquidate); mirrors `programs/perpool-core/src/math/lending.rs`
 * step for step, so a quote here is exactly what the program will do: same rounding (always
 * against the borrower / liquidated party), same checks in the same order, same errors. The
 * program's doc comments list the steps and the custody accounting each quote implies.
 *
 * Units: USD values 6 decimals, prices 9 decimals (USD per whole token), token amounts native,
 * bps /10_000, interest indexes 12 decimals (`INDEX_ONE`). Amounts are `BN` (u64); decimals are
 * numbers (u8). Inputs are never mutated.
 *
 * Errors: a refused quote throws `LendingError` (its `code` is the Rust variant name); an
 * arithmetic failure throws `MathError`; inputs the program could never receive (not a u64, a
 * u8 that is not an integer in 0..=255) throw `RangeError`.
 */
import BN from "bn.js";

import { MathError } from "./error";
import { checkedAdd, checkedSub, divRound, mulDiv } from "./fixed";
import { INDEX_ONE } from "./interest";
import type { Pnl } from "./position";
import {
  BPS_DENOM,
  MAX_TOKEN_DECIMALS,
  tokenToUsdCeil,
  tokenToUsdFloor,
  usdToTokenCeil,
  usdToTokenFloor,
} from "./units";
import { U64_MAX, assertU64 } from "./wide";

/** Why a lending quote was refused: the Rust `LendingError` variants other than `Math`. */
export type LendingErrorCode =
  | "ZeroAmount"
  | "LtvTooHigh"
  | "InsufficientLiquidity"
  | "UtilizationTooHigh"
  | "InsufficientCollateral"
  | "NotLiquidatable";

/** All `LendingErrorCode`s, in the Rust enum's order (after `Math`). */
export const LENDING_ERROR_CODES: readonly LendingErrorCode[] = Object.freeze([
  "ZeroAmount",
  "LtvTooHigh",
  "InsufficientLiquidity",
  "UtilizationTooHigh",
  "InsufficientCollateral",
  "NotLiquidatable",
] as LendingErrorCode[]);

/**
 * Thrown for the same inputs for which the program's quote returns that `LendingError`.
 *
 * - `ZeroAmount`: a zero amount (or a liquidation whose close factor allows no repayment).
 * - `LtvTooHigh`: the LTV after a borrow or withdrawal would exceed the maximum LTV.
 * - `InsufficientLiquidity`: lending never touches locked tokens or the withdrawal buffer.
 * - `UtilizationTooHigh`: the borrowed custody's utilization would exceed its maximum.
 * - `InsufficientCollateral`: more collateral withdrawn than the loan holds.
 * - `NotLiquidatable`: the loan's LTV is at or below the liquidation LTV.
 */
export class LendingError extends Error {
  readonly code: LendingErrorCode;

  constructor(code: LendingErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "LendingError";
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Custody lending accrual
// ---------------------------------------------------------------------------------------------

/** Inputs of `accrueLending` (the Rust `LendingAccrualInput`). */
export interface LendingAccrualInput {
  /** Tokens lent out at the last accrual. */
  lent: BN;
  oldBorrowIndex: BN;
  newBorrowIndex: BN;
  reserveFactorBps: BN;
  /** The protocol's weight in the reserve (only the ratio to the insurance weight counts). */
  protocolShareBps: BN;
  insuranceShareBps: BN;
}

/** Output of `accrueLending` (the Rust `LendingAccrual`). */
export interface LendingAccrual {
  /** Tokens lent out after: old amount plus interest. */
  lent: BN;
  interest: BN;
  toSuppliers: BN;
  toProtocol: BN;
  toInsurance: BN;
}

/**
 * Interest on a custody's lent tokens from the old to the new borrow index:
 * `lent' = ceil(lent × new / old)`, `reserve = floor(interest × rf / 10_000)`, the reserve split
 * `floor(reserve × p / (p + i))` to the protocol (0 when `p + i = 0`), the rest to insurance.
 * The three shares sum to the interest exactly. Throws `DivideByZero` (old index 0), `Underflow`
 * (new < old, or a reserve factor above 100 % with interest), `Overflow`.
 * The program books interest with `accrueLendingDown`; this rounding-up form is the reference
 * the shared vectors check.
 */
export function accrueLending(i: LendingAccrualInput): LendingAccrual {
  return accrueLendingRounded(i, true);
}

/**
 * `accrueLending` with `lent' = floor(lent × new / old)`, as the program books it: the custody's
 * `lent` never exceeds what its loans owe, however often it accrues.
 */
export function accrueLendingDown(i: LendingAccrualInput): LendingAccrual {
  return accrueLendingRounded(i, false);
}

function accrueLendingRounded(i: LendingAccrualInput, roundUp: boolean): LendingAccrual {
  assertFields(i, [
    "lent",
    "oldBorrowIndex",
    "newBorrowIndex",
    "reserveFactorBps",
    "protocolShareBps",
    "insuranceShareBps",
  ]);
  if (i.oldBorrowIndex.isZero()) throw new MathError("DivideByZero", "old borrow index is zero");
  if (i.newBorrowIndex.lt(i.oldBorrowIndex)) throw new MathError("Underflow", "borrow index decreased");
  const lent = mulDiv(i.lent, i.newBorrowIndex, i.oldBorrowIndex, roundUp);
  const interest = lent.sub(i.lent);
  const reserve = mulDiv(interest, i.reserveFactorBps, BPS_DENOM, false);
  const toSuppliers = checkedSub(interest, reserve);
  const weights = checkedAdd(i.protocolShareBps, i.insuranceShareBps);
  const toProtocol = weights.isZero() ? new BN(0) : mulDiv(reserve, i.protocolShareBps, weights, false);
  return { lent, interest, toSuppliers, toProtocol, toInsurance: reserve.sub(toProtocol) };
}

// ---------------------------------------------------------------------------------------------
// Scaled debt and interest-bearing balances
// ---------------------------------------------------------------------------------------------

/** Tokens owed on `scaled` debt: `ceil(scaled × index / 1e12)`. Throws `Overflow`. */
export function debtTokens(scaled: BN, borrowIndex: BN): BN {
  return mulDiv(scaled, borrowIndex, INDEX_ONE, true);
}

/** Scaled debt a borrow of `amount` adds: `ceil(amount × 1e12 / index)`. Throws `DivideByZero`, `Overflow`. */
export function borrowScaled(amount: BN, borrowIndex: BN): BN {
  return mulDiv(amount, INDEX_ONE, borrowIndex, true);
}

/** Scaled debt a (partial) repayment of `amount` removes: `floor(amount × 1e12 / index)`. Throws `DivideByZero`, `Overflow`. */
export function repayScaled(amount: BN, borrowIndex: BN): BN {
  return mulDiv(amount, INDEX_ONE, borrowIndex, false);
}

/**
 * Supply interest on an interest-bearing balance since its snapshot:
 * `floor(amount × (now − snapshot) / snapshot)`, 0 when the index has not grown.
 * Throws `DivideByZero` (zero snapshot below a grown index), `Overflow`.
 */
export function supplyInterest(amount: BN, supplyIndexNow: BN, snapshot: BN): BN {
  assertU64(amount, "amount");
  assertU64(supplyIndexNow, "supplyIndexNow");
  assertU64(snapshot, "snapshot");
  if (supplyIndexNow.lte(snapshot)) return new BN(0);
  return mulDiv(amount, supplyIndexNow.sub(snapshot), snapshot, false);
}

/** Inputs of `pnlInterest` (the Rust `PnlInterestInput`). */
export interface PnlInterestInput {
  pnlProfit: boolean;
  pnlUsd: BN;
  supplyIndexNow: BN;
  supplySnapshot: BN;
  borrowIndexNow: BN;
  borrowSnapshot: BN;
}

/**
 * Interest on an unrealized PnL: a profit earns `floor(usd × (sNow − sSnap) / sSnap)` (returned as
 * a profit), a loss pays `ceil(usd × (bNow − bSnap) / bSnap)` (returned as a loss); zero is
 * `{ profit: false, usd: 0 }`. Throws `DivideByZero`, `Overflow`.
 */
export function pnlInterest(i: PnlInterestInput): Pnl {
  if (typeof i.pnlProfit !== "boolean") throw new RangeError("pnlProfit is not a boolean");
  assertFields(i, ["pnlUsd", "supplyIndexNow", "supplySnapshot", "borrowIndexNow", "borrowSnapshot"]);
  let usd: BN;
  if (i.pnlProfit) {
    usd = supplyInterest(i.pnlUsd, i.supplyIndexNow, i.supplySnapshot);
  } else if (i.borrowIndexNow.lte(i.borrowSnapshot)) {
    usd = new BN(0);
  } else {
    usd = mulDiv(i.pnlUsd, i.borrowIndexNow.sub(i.borrowSnapshot), i.borrowSnapshot, true);
  }
  return { profit: i.pnlProfit && !usd.isZero(), usd };
}

// ---------------------------------------------------------------------------------------------
// Loans: shared inputs, health, liquidation price
// ---------------------------------------------------------------------------------------------

/** A loan (the Rust `LoanState`). */
export interface LoanState {
  /** Collateral-custody tokens. */
  collateralAmount: BN;
  /** Tokens owed = `debtTokens(scaledDebt, borrowIndex)`. */
  scaledDebt: BN;
}

/** The loan's collateral custody (the Rust `LoanCollateralSide`). */
export interface LoanCollateralSide {
  decimals: number;
  /** `min(spot, ema)`: the collateral's value for health. */
  priceMin: BN;
  /** `max(spot, ema)`: the liquidation's seize price. */
  priceMax: BN;
}

/** The loan's borrowed custody (the Rust `LoanBorrowSide`). */
export interface LoanBorrowSide {
  decimals: number;
  /** `max(spot, ema)`: the debt's value. */
  priceMax: BN;
  /** Already accrued to now. */
  borrowIndex: BN;
  owned: BN;
  locked: BN;
  lent: BN;
  /** The denominator of utilization. */
  lendable: BN;
  /** Share of `owned` never lent or locked. */
  bufferBps: BN;
  maxUtilizationBps: BN;
  /** What interest-bearing collateral adds to the lending capacity beyond the pool's own room (absent: 0). */
  collateralRoom?: BN;
}

/** Loan parameters of a custody pair (the Rust `LoanParams`). */
export interface LoanParams {
  maxLtvBps: BN;
  liquidationLtvBps: BN;
  liquidationBonusBps: BN;
  closeFactorBps: BN;
}

/** `ceil(debtUsd × 10_000 / collateralUsd)` saturating at u64::MAX; no collateral: u64::MAX with debt, else 0. */
export function ltvBps(debtUsd: BN, collateralUsd: BN): BN {
  assertU64(debtUsd, "debtUsd");
  assertU64(collateralUsd, "collateralUsd");
  if (collateralUsd.isZero()) return debtUsd.isZero() ? new BN(0) : U64_MAX.clone();
  return BN.min(divRound(debtUsd.mul(BPS_DENOM), collateralUsd, true), U64_MAX.clone());
}

/** Inputs of `loanHealth` and `loanLiquidationPrice` (the Rust `LoanHealthInput`). */
export interface LoanHealthInput {
  loan: LoanState;
  coll: LoanCollateralSide;
  borrow: LoanBorrowSide;
  params: LoanParams;
}

/** Output of `loanHealth` (the Rust `LoanHealth`). */
export interface LoanHealth {
  /** Tokens owed (up). */
  debt: BN;
  /** At the borrowed MAX price (up). */
  debtUsd: BN;
  /** At the collateral MIN price (down). */
  collateralUsd: BN;
  ltvBps: BN;
  /** `ltvBps > liquidationLtvBps`. */
  liquidatable: boolean;
}

/** A loan's debt, values and LTV. Throws `Overflow`, `InvalidDecimals`. */
export function loanHealth(i: LoanHealthInput): LoanHealth {
  assertLoanSides(i);
  return health(i.loan, i.coll, i.borrow, i.params.liquidationLtvBps);
}

function health(loan: LoanState, coll: LoanCollateralSide, borrow: LoanBorrowSide, liquidationLtvBps: BN): LoanHealth {
  const debt = debtTokens(loan.scaledDebt, borrow.borrowIndex);
  const debtUsd = tokenToUsdCeil(debt, borrow.priceMax, borrow.decimals);
  const collateralUsd = tokenToUsdFloor(loan.collateralAmount, coll.priceMin, coll.decimals);
  const ltv = ltvBps(debtUsd, collateralUsd);
  return { debt, debtUsd, collateralUsd, ltvBps: ltv, liquidatable: ltv.gt(liquidationLtvBps) };
}

/**
 * The liquidation price: the HIGHEST collateral MIN price at which the loan is liquidatable
 * (`loanHealth(..).liquidatable` there, not one unit above). `null` when no price makes it
 * liquidatable (no debt, a debt worth $0, a liquidation LTV of u64::MAX); u64::MAX when every price
 * does. Throws `Overflow` (the debt, or `ceil(10_000 × debtUsd / L)` above u64), `InvalidDecimals`.
 */
export function loanLiquidationPrice(i: LoanHealthInput): BN | null {
  assertLoanSides(i);
  const debt = debtTokens(i.loan.scaledDebt, i.borrow.borrowIndex);
  if (debt.isZero()) return null;
  const debtUsd = tokenToUsdCeil(debt, i.borrow.priceMax, i.borrow.decimals);
  if (i.coll.decimals > MAX_TOKEN_DECIMALS) throw new MathError("InvalidDecimals", String(i.coll.decimals));
  const threshold = i.params.liquidationLtvBps;
  if (debtUsd.isZero() || threshold.eq(U64_MAX)) return null;
  const collateral = i.loan.collateralAmount;
  if (collateral.isZero() || threshold.isZero()) return U64_MAX.clone();
  const k = mulDiv(debtUsd, BPS_DENOM, threshold, true);
  try {
    return usdToTokenCeil(k, collateral, i.coll.decimals).subn(1);
  } catch (e) {
    if (e instanceof MathError && e.code === "Overflow") return U64_MAX.clone();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Quotes
// ---------------------------------------------------------------------------------------------

/** Inputs of `quoteBorrow` (the Rust `BorrowInput`). */
export interface BorrowInput {
  loan: LoanState;
  /** Tokens to borrow. */
  amount: BN;
  coll: LoanCollateralSide;
  borrow: LoanBorrowSide;
  params: LoanParams;
}

/** Output of `quoteBorrow` (the Rust `BorrowQuote`). */
export interface BorrowQuote {
  scaledDelta: BN;
  debtAfter: BN;
  debtUsdAfter: BN;
  collateralUsd: BN;
  ltvBpsAfter: BN;
}

/**
 * Quotes a borrow: `ZeroAmount`; `InsufficientLiquidity` (lent + amount above owned − locked −
 * buffer); `UtilizationTooHigh` ((locked + lent + amount) × 10_000 above maxUtilization × lendable);
 * `LtvTooHigh` (after). See `quote_borrow` in the program.
 */
export function quoteBorrow(i: BorrowInput): BorrowQuote {
  assertU64(i.amount, "amount");
  assertLoanSides(i);
  if (i.amount.isZero()) throw new LendingError("ZeroAmount", "amount is zero");
  const b = i.borrow;
  if (i.amount.gt(lendableRoom(b))) throw new LendingError("InsufficientLiquidity");
  const borrowed = checkedAdd(checkedAdd(b.locked, b.lent), i.amount);
  const cap = b.maxUtilizationBps.mul(b.lendable).add((b.collateralRoom ?? new BN(0)).mul(BPS_DENOM));
  if (borrowed.mul(BPS_DENOM).gt(cap)) throw new LendingError("UtilizationTooHigh");
  const scaledDelta = borrowScaled(i.amount, b.borrowIndex);
  const scaledAfter = checkedAdd(i.loan.scaledDebt, scaledDelta);
  const debtAfter = debtTokens(scaledAfter, b.borrowIndex);
  const debtUsdAfter = tokenToUsdCeil(debtAfter, b.priceMax, b.decimals);
  const collateralUsd = tokenToUsdFloor(i.loan.collateralAmount, i.coll.priceMin, i.coll.decimals);
  const ltv = ltvBps(debtUsdAfter, collateralUsd);
  if (ltv.gt(i.params.maxLtvBps)) throw new LendingError("LtvTooHigh", ltv.toString());
  return { scaledDelta, debtAfter, debtUsdAfter, collateralUsd, ltvBpsAfter: ltv };
}

/** `max(0, owned − floor(owned × bufferBps / 10_000) − locked) + collateralRoom − lent`, at least 0. */
function lendableRoom(b: LoanBorrowSide): BN {
  const buffer = divRound(b.owned.mul(b.bufferBps), BPS_DENOM, false);
  const pool = BN.max(b.owned.sub(buffer).sub(b.locked), new BN(0));
  const room = pool.add(b.collateralRoom ?? new BN(0)).sub(b.lent);
  return room.isNeg() ? new BN(0) : room;
}

/** Inputs of `quoteRepay` (the Rust `RepayInput`). */
export interface RepayInput {
  scaledDebt: BN;
  /** Tokens offered; at most the debt is taken. */
  amount: BN;
  borrowIndex: BN;
}

/** Output of `quoteRepay` (the Rust `RepayQuote`). */
export interface RepayQuote {
  repaid: BN;
  scaledDelta: BN;
  scaledAfter: BN;
}

/**
 * Quotes a repayment: `amount ≥ debt` repays the debt and clears the scaled debt; otherwise
 * `floor(amount × 1e12 / index)` scaled units go. Throws `ZeroAmount`, `Overflow`.
 */
export function quoteRepay(i: RepayInput): RepayQuote {
  assertFields(i, ["scaledDebt", "amount", "borrowIndex"]);
  const debt = debtTokens(i.scaledDebt, i.borrowIndex);
  if (i.amount.isZero()) throw new LendingError("ZeroAmount", "amount is zero");
  return repayOf(i.scaledDebt, debt, i.amount, i.borrowIndex);
}

function repayOf(scaled: BN, debt: BN, amount: BN, index: BN): RepayQuote {
  if (amount.gte(debt)) return { repaid: debt.clone(), scaledDelta: scaled.clone(), scaledAfter: new BN(0) };
  const scaledDelta = repayScaled(amount, index);
  return { repaid: amount.clone(), scaledDelta, scaledAfter: checkedSub(scaled, scaledDelta) };
}

/** Inputs of `quoteWithdrawCollateral` (the Rust `WithdrawCollateralInput`). */
export interface WithdrawCollateralInput {
  loan: LoanState;
  /** Collateral tokens to withdraw. */
  amount: BN;
  coll: LoanCollateralSide;
  borrow: LoanBorrowSide;
  params: LoanParams;
}

/** Output of `quoteWithdrawCollateral` (the Rust `WithdrawCollateralQuote`). */
export interface WithdrawCollateralQuote {
  collateralAfter: BN;
  /** 0 without debt. */
  ltvBpsAfter: BN;
}

/**
 * Quotes a collateral withdrawal: `ZeroAmount`; `InsufficientCollateral`; with debt, `LtvTooHigh`
 * when the LTV after exceeds the maximum (no prices are read without debt).
 */
export function quoteWithdrawCollateral(i: WithdrawCollateralInput): WithdrawCollateralQuote {
  assertU64(i.amount, "amount");
  assertLoanSides(i);
  if (i.amount.isZero()) throw new LendingError("ZeroAmount", "amount is zero");
  if (i.amount.gt(i.loan.collateralAmount)) throw new LendingError("InsufficientCollateral");
  const collateralAfter = i.loan.collateralAmount.sub(i.amount);
  const debt = debtTokens(i.loan.scaledDebt, i.borrow.borrowIndex);
  let ltv = new BN(0);
  if (!debt.isZero()) {
    const debtUsd = tokenToUsdCeil(debt, i.borrow.priceMax, i.borrow.decimals);
    const collateralUsd = tokenToUsdFloor(collateralAfter, i.coll.priceMin, i.coll.decimals);
    ltv = ltvBps(debtUsd, collateralUsd);
  }
  if (ltv.gt(i.params.maxLtvBps)) throw new LendingError("LtvTooHigh", ltv.toString());
  return { collateralAfter, ltvBpsAfter: ltv };
}

/** Inputs of `quoteLiquidateLoan` (the Rust `LiquidateLoanInput`). */
export interface LiquidateLoanInput {
  loan: LoanState;
  /** Borrowed tokens the liquidator offers; at most the allowed maximum is taken. */
  repayAmount: BN;
  /** `priceMax` is the seize price. */
  coll: LoanCollateralSide;
  borrow: LoanBorrowSide;
  params: LoanParams;
  /** The borrowed custody's insurance fund, tokens. */
  insuranceBalance: BN;
  /** Tokens the borrowed custody has lent beyond its capacity: a healthy loan may be recalled up to this (absent: 0). */
  recallExcess?: BN;
}

/** Output of `quoteLiquidateLoan` (the Rust `LiquidateLoanQuote`). */
export interface LiquidateLoanQuote {
  repaid: BN;
  scaledAfter: BN;
  collateralSeized: BN;
  collateralAfter: BN;
  /** Debt left with no collateral, written off. */
  badDebt: BN;
  insuranceUsed: BN;
  /** Borne by the suppliers (`owned` falls). */
  socialized: BN;
  ltvBpsBefore: BN;
}

/**
 * Quotes a loan liquidation: `NotLiquidatable` (LTV at or below the liquidation LTV), `ZeroAmount`;
 * at most `ceil(debt × closeFactor / 10_000)` unless underwater (collateral worth less than debt ×
 * (1 + bonus): the whole debt); seizes `floor(floor(repaid at borrowed MAX) × (1 + bonus))` of
 * collateral at its MAX price (down), capped at the collateral; debt left without collateral is
 * bad debt, paid by insurance first, then socialized. See `quote_liquidate_loan` in the program.
 */
export function quoteLiquidateLoan(i: LiquidateLoanInput): LiquidateLoanQuote {
  assertU64(i.repayAmount, "repayAmount");
  assertU64(i.insuranceBalance, "insuranceBalance");
  assertLoanSides(i);
  const h = health(i.loan, i.coll, i.borrow, i.params.liquidationLtvBps);
  const excess = i.recallExcess ?? new BN(0);
  const recall = !h.liquidatable && !excess.isZero() && !h.debt.isZero();
  if (!h.liquidatable && !recall) throw new LendingError("NotLiquidatable", h.ltvBps.toString());
  if (i.repayAmount.isZero()) throw new LendingError("ZeroAmount", "repayAmount is zero");
  const factor = checkedAdd(BPS_DENOM, i.params.liquidationBonusBps);
  const underwater = h.collateralUsd.mul(BPS_DENOM).lt(h.debtUsd.mul(factor));
  const maxRepay = recall
    ? BN.min(mulDiv(h.debt, i.params.closeFactorBps, BPS_DENOM, true), excess)
    : underwater
      ? h.debt
      : mulDiv(h.debt, i.params.closeFactorBps, BPS_DENOM, true);
  const repaid = BN.min(BN.min(i.repayAmount, maxRepay), h.debt).clone();
  if (repaid.isZero()) throw new LendingError("ZeroAmount", "nothing may be repaid");

  const b = i.borrow;
  const repaidUsd = tokenToUsdFloor(repaid, b.priceMax, b.decimals);
  const seizeUsd = mulDiv(repaidUsd, factor, BPS_DENOM, false);
  const collateral = i.loan.collateralAmount;
  let seized: BN;
  try {
    seized = BN.min(usdToTokenFloor(seizeUsd, i.coll.priceMax, i.coll.decimals), collateral).clone();
  } catch (e) {
    if (!(e instanceof MathError && e.code === "Overflow")) throw e;
    seized = collateral.clone();
  }
  const collateralAfter = collateral.sub(seized);
  const remaining = h.debt.sub(repaid);

  let scaledAfter: BN;
  let badDebt = new BN(0);
  let insuranceUsed = new BN(0);
  if (collateralAfter.isZero() && !remaining.isZero()) {
    scaledAfter = new BN(0);
    badDebt = remaining;
    insuranceUsed = BN.min(remaining, i.insuranceBalance).clone();
  } else {
    scaledAfter = repayOf(i.loan.scaledDebt, h.debt, repaid, b.borrowIndex).scaledAfter;
  }
  return {
    repaid,
    scaledAfter,
    collateralSeized: seized,
    collateralAfter,
    badDebt,
    insuranceUsed,
    socialized: badDebt.sub(insuranceUsed),
    ltvBpsBefore: h.ltvBps,
  };
}

// ---------------------------------------------------------------------------------------------
// Input validation (caller bugs → RangeError)
// ---------------------------------------------------------------------------------------------

function assertU8(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${name} is not a u8: ${value}`);
}

function assertObject(value: unknown, name: string): void {
  if (value === null || typeof value !== "object") throw new RangeError(`${name} is not an object`);
}

/** RangeError unless every named field is a u64 `BN` (a caller bug, e.g. a missing field). */
function assertFields<T extends object>(input: T, keys: ReadonlyArray<keyof T & string>, prefix = ""): void {
  assertObject(input, prefix === "" ? "input" : prefix.slice(0, -1));
  for (const key of keys) assertU64(input[key] as unknown as BN, `${prefix}${key}`);
}

function assertLoanSides(i: {
  loan: LoanState;
  coll: LoanCollateralSide;
  borrow: LoanBorrowSide;
  params: LoanParams;
}): void {
  assertObject(i, "input");
  assertFields(i.loan, ["collateralAmount", "scaledDebt"], "loan.");
  assertFields(i.coll, ["priceMin", "priceMax"], "coll.");
  assertU8(i.coll.decimals, "coll.decimals");
  assertFields(
    i.borrow,
    ["priceMax", "borrowIndex", "owned", "locked", "lent", "lendable", "bufferBps", "maxUtilizationBps"],
    "borrow.",
  );
  assertU8(i.borrow.decimals, "borrow.decimals");
  assertFields(i.params, ["maxLtvBps", "liquidationLtvBps", "liquidationBonusBps", "closeFactorBps"], "params.");
}
