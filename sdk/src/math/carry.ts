/**
 * What positions owe and earn over time — borrow fees, funding, interest on recorded PnL and on
 * interest-bearing collateral — settled per position, and the per-custody aggregates that let the
 * pool value count it in O(1). Mirrors `programs/perpool-core/src/math/carry.rs` (same rounding, same
 * errors); see that module's documentation for the design.
 */
import BN from "bn.js";

import { checkedAdd, divRound, mulDiv } from "./fixed";
import { FUNDING_ONE, type FundingIndex } from "./funding";
import { INDEX_ONE } from "./interest";
import { LONG, SHORT, type Pnl, type PriceQuote } from "./position";
import { tokenToUsdCeil, tokenToUsdFloor, usdToTokenCeil, usdToTokenFloor } from "./units";
import { MathError } from "./error";
import { I64_MAX, U64_MAX } from "./wide";

const ZERO = new BN(0);

function fitU64(v: BN): BN {
  if (v.gt(U64_MAX)) throw new MathError("Overflow", v.toString());
  return v;
}

/** `amount × (now − snapshot) / INDEX_ONE`, rounded; zero when the index has not grown. */
function indexShare(amount: BN, now: BN, snapshot: BN, up: boolean): BN {
  if (now.lte(snapshot) || amount.isZero()) return new BN(0);
  return mulDiv(amount, now.sub(snapshot), INDEX_ONE, up);
}

/** `(size × Δpaid / 10^18, size × Δreceived / 10^18)`, each rounded as asked (Rust `funding_shares`). */
export function fundingShares(
  sizeUsd: BN,
  now: FundingIndex,
  before: FundingIndex,
  paidUp: boolean,
  receivedUp: boolean,
): [BN, BN] {
  if (now.paid.lt(before.paid)) throw new MathError("Underflow", "paid index below its earlier reading");
  if (now.received.lt(before.received)) throw new MathError("Underflow", "received index below its earlier reading");
  const dp = now.paid.sub(before.paid);
  const dr = now.received.sub(before.received);
  const p = dp.isZero() || sizeUsd.isZero() ? new BN(0) : fitU64(divRound(sizeUsd.mul(dp), FUNDING_ONE, paidUp));
  const r = dr.isZero() || sizeUsd.isZero() ? new BN(0) : fitU64(divRound(sizeUsd.mul(dr), FUNDING_ONE, receivedUp));
  return [p, r];
}

/** Inputs of `accrueCarry` (the Rust `CarryAccrualInput`). */
export interface CarryAccrualInput {
  locked: BN;
  borrowIndexBefore: BN;
  borrowIndexAfter: BN;
  supplyIndexBefore: BN;
  supplyIndexAfter: BN;
  pnlProfitBaseUsd: BN;
  pnlLossBaseUsd: BN;
  toSuppliers: BN;
  lent: BN;
  poolRoom: BN;
  earningCollateral: BN;
  collateralIndex: BN;
}

/** Output of `accrueCarry` (the Rust `CarryAccrual`). */
export interface CarryAccrual {
  borrowFees: BN;
  pnlInterestDueUsd: BN;
  pnlInterestOwedUsd: BN;
  collateralIndex: BN;
  toCollateral: BN;
  toPool: BN;
}

/** The aggregates of one accrual (Rust `accrue_carry`). */
export function accrueCarry(i: CarryAccrualInput): CarryAccrual {
  const out: CarryAccrual = {
    borrowFees: indexShare(i.locked, i.borrowIndexAfter, i.borrowIndexBefore, false),
    pnlInterestDueUsd: indexShare(i.pnlProfitBaseUsd, i.supplyIndexAfter, i.supplyIndexBefore, true),
    pnlInterestOwedUsd: indexShare(i.pnlLossBaseUsd, i.borrowIndexAfter, i.borrowIndexBefore, false),
    collateralIndex: i.collateralIndex.clone(),
    toCollateral: new BN(0),
    toPool: i.toSuppliers.clone(),
  };
  const over = i.lent.gt(i.poolRoom) ? i.lent.sub(i.poolRoom) : new BN(0);
  const fromCollateral = BN.min(over, i.earningCollateral);
  if (i.toSuppliers.isZero() || fromCollateral.isZero()) return out;
  const share = mulDiv(i.toSuppliers, fromCollateral, i.lent, false);
  const delta = mulDiv(share, INDEX_ONE, i.earningCollateral, false);
  const credited = mulDiv(i.earningCollateral, delta, INDEX_ONE, false);
  out.collateralIndex = checkedAdd(i.collateralIndex, delta);
  out.toCollateral = credited;
  out.toPool = i.toSuppliers.sub(credited);
  return out;
}

/** What one funding accrual adds to a market's aggregates, USD (Rust `FundingAggregates`). */
export interface FundingAggregates {
  longOwedUsd: BN;
  longDueUsd: BN;
  shortOwedUsd: BN;
  shortDueUsd: BN;
}

/** The funding aggregates of one accrual (Rust `funding_aggregates`). */
export function fundingAggregates(i: {
  longOiUsd: BN;
  shortOiUsd: BN;
  longBefore: FundingIndex;
  longAfter: FundingIndex;
  shortBefore: FundingIndex;
  shortAfter: FundingIndex;
}): FundingAggregates {
  const [longOwedUsd, longDueUsd] = fundingShares(i.longOiUsd, i.longAfter, i.longBefore, false, true);
  const [shortOwedUsd, shortDueUsd] = fundingShares(i.shortOiUsd, i.shortAfter, i.shortBefore, false, true);
  return { longOwedUsd, longDueUsd, shortOwedUsd, shortDueUsd };
}

/** Inputs of `settleCarry` (the Rust `CarryInput`). */
export interface CarryInput {
  now: BN;
  side: number;
  sizeUsd: BN;
  sizeTokens: BN;
  locked: BN;
  collateral: BN;
  owed: BN;
  borrowSnapshot: BN;
  supplySnapshot: BN;
  collateralSnapshot: BN;
  fundingSnapshot: FundingIndex;
  pnlBase: Pnl;
  pnlSeenUsd: BN;
  pnlSeenTime: BN;
  borrowIndex: BN;
  supplyIndex: BN;
  collateralIndex: BN;
  fundingIndex: FundingIndex;
  collateralEarns: boolean;
  interestOnPnl: boolean;
  warmupSecs: BN;
  exitPrice: BN;
  marketDecimals: number;
  collPrice: PriceQuote;
  collDecimals: number;
  poolTokens: BN;
  collateralInterestDue: BN;
}

/** Output of `settleCarry` (the Rust `Carry`). */
export interface Carry {
  borrowFee: BN;
  fundingPaidUsd: BN;
  fundingReceivedUsd: BN;
  fundingIn: BN;
  fundingOut: BN;
  fundingUnpaid: BN;
  profitInterestUsd: BN;
  profitInterestTokens: BN;
  lossInterestUsd: BN;
  lossInterestTokens: BN;
  collateralInterest: BN;
  collateralAfter: BN;
  owedAfter: BN;
  pnlBaseAfter: Pnl;
  pnlSeenUsdAfter: BN;
  pnlSeenTimeAfter: BN;
}

function markPnl(i: CarryInput): Pnl {
  if (i.side === LONG) {
    const value = tokenToUsdFloor(i.sizeTokens, i.exitPrice, i.marketDecimals);
    return value.gt(i.sizeUsd)
      ? { profit: true, usd: value.sub(i.sizeUsd) }
      : { profit: false, usd: i.sizeUsd.sub(value) };
  }
  const value = tokenToUsdCeil(i.sizeTokens, i.exitPrice, i.marketDecimals);
  return i.sizeUsd.gt(value)
    ? { profit: true, usd: i.sizeUsd.sub(value) }
    : { profit: false, usd: value.sub(i.sizeUsd) };
}

/** Settles what a position owes and earns since its snapshots (Rust `settle_carry`). */
export function settleCarry(i: CarryInput): Carry {
  const borrowFee = indexShare(i.locked, i.borrowIndex, i.borrowSnapshot, true);
  const [paidUsd, receivedUsd] = fundingShares(i.sizeUsd, i.fundingIndex, i.fundingSnapshot, true, false);
  let fundingIn = new BN(0);
  let fundingOut = new BN(0);
  if (paidUsd.gt(receivedUsd)) fundingIn = usdToTokenCeil(paidUsd.sub(receivedUsd), i.collPrice.min, i.collDecimals);
  else if (receivedUsd.gt(paidUsd))
    fundingOut = usdToTokenFloor(receivedUsd.sub(paidUsd), i.collPrice.max, i.collDecimals);
  let poolLeft = i.poolTokens;
  fundingOut = BN.min(fundingOut, poolLeft).clone();
  poolLeft = poolLeft.sub(fundingOut);

  let profitUsd = new BN(0);
  let profitTokens = new BN(0);
  let lossUsd = new BN(0);
  let lossTokens = new BN(0);
  if (i.interestOnPnl && !i.pnlBase.usd.isZero()) {
    if (i.pnlBase.profit) {
      profitUsd = indexShare(i.pnlBase.usd, i.supplyIndex, i.supplySnapshot, false);
      if (!profitUsd.isZero())
        profitTokens = BN.min(usdToTokenFloor(profitUsd, i.collPrice.max, i.collDecimals), poolLeft).clone();
    } else {
      lossUsd = indexShare(i.pnlBase.usd, i.borrowIndex, i.borrowSnapshot, true);
      if (!lossUsd.isZero()) lossTokens = usdToTokenCeil(lossUsd, i.collPrice.min, i.collDecimals);
    }
  }
  const collateralInterest = i.collateralEarns
    ? BN.min(indexShare(i.collateral, i.collateralIndex, i.collateralSnapshot, false), i.collateralInterestDue).clone()
    : new BN(0);

  const credits = checkedAdd(checkedAdd(i.collateral, fundingOut), checkedAdd(profitTokens, collateralInterest));
  const debits = checkedAdd(checkedAdd(borrowFee, fundingIn), checkedAdd(lossTokens, i.owed));
  const [collateralAfter, owedAfter] = credits.gte(debits)
    ? [credits.sub(debits), new BN(0)]
    : [new BN(0), debits.sub(credits)];
  const afterFee = BN.max(credits.sub(checkedAdd(i.owed, borrowFee)), ZERO);
  const fundingUnpaid = BN.max(fundingIn.sub(afterFee), ZERO);

  const out: Carry = {
    borrowFee,
    fundingPaidUsd: paidUsd,
    fundingReceivedUsd: receivedUsd,
    fundingIn,
    fundingOut,
    fundingUnpaid,
    profitInterestUsd: profitUsd,
    profitInterestTokens: profitTokens,
    lossInterestUsd: lossUsd,
    lossInterestTokens: lossTokens,
    collateralInterest,
    collateralAfter,
    owedAfter,
    pnlBaseAfter: { profit: false, usd: new BN(0) },
    pnlSeenUsdAfter: new BN(0),
    pnlSeenTimeAfter: i.now.clone(),
  };
  if (!i.interestOnPnl || i.sizeUsd.isZero()) return out;
  const nowPnl = markPnl(i);
  if (!nowPnl.profit) {
    out.pnlBaseAfter = nowPnl;
    return out;
  }
  const restart = i.pnlSeenUsd.isZero() || i.now.sub(i.pnlSeenTime).gte(i.warmupSecs);
  const held = restart ? i.pnlSeenUsd : i.pnlBase.profit ? i.pnlBase.usd : new BN(0);
  const cap = tokenToUsdFloor(i.locked, i.collPrice.min, i.collDecimals);
  const base = BN.min(BN.min(nowPnl.usd, held), cap).clone();
  out.pnlBaseAfter = { profit: !base.isZero(), usd: base };
  if (restart) {
    out.pnlSeenUsdAfter = nowPnl.usd;
  } else {
    out.pnlSeenUsdAfter = i.pnlSeenUsd.clone();
    out.pnlSeenTimeAfter = i.pnlSeenTime.clone();
  }
  return out;
}

/** A signed USD amount: `positive − negative`. */
export interface SignedUsd {
  positive: BN;
  negative: BN;
}

/** Inputs of `groupClaim` (the Rust `GroupInput`). */
export interface GroupInput {
  side: number;
  oiUsd: BN;
  oiTokens: BN;
  marketDecimals: number;
  marketPrice: BN;
  collateral: BN;
  debt: BN;
  collDecimals: number;
  collPrice: BN;
  roundForMaxAum: boolean;
}

/**
 * What one (market, side, collateral) group adds to the pool's value (positive) or takes from it
 * (negative): `min(collateral − debt, loss − profit)` — the debt is already in `owned` (Rust
 * `group_claim`; collateral up and debt down at MAX prices, the reverse at MIN).
 */
export function groupClaim(i: GroupInput): SignedUsd {
  const up = i.roundForMaxAum;
  const long = i.side !== SHORT;
  const value =
    long === up
      ? tokenToUsdFloor(i.oiTokens, i.marketPrice, i.marketDecimals)
      : tokenToUsdCeil(i.oiTokens, i.marketPrice, i.marketDecimals);
  const profit = long ? BN.max(value.sub(i.oiUsd), ZERO) : BN.max(i.oiUsd.sub(value), ZERO);
  const loss = long ? BN.max(i.oiUsd.sub(value), ZERO) : BN.max(value.sub(i.oiUsd), ZERO);
  const conv = (t: BN, roundUp: boolean) =>
    t.isZero()
      ? new BN(0)
      : roundUp
        ? tokenToUsdCeil(t, i.collPrice, i.collDecimals)
        : tokenToUsdFloor(t, i.collPrice, i.collDecimals);
  const collateral = conv(i.collateral, up);
  const debt = conv(i.debt, !up);
  const worth = BN.min(collateral.sub(debt), loss.sub(profit));
  return worth.isNeg() ? { positive: new BN(0), negative: worth.neg() } : { positive: worth, negative: new BN(0) };
}

/** No profit is realised at or before this time (Rust `profit_lock_until`). */
export function profitLockUntil(lastIncreaseTime: BN, minProfitHoldSecs: BN): BN {
  const hold = BN.max(minProfitHoldSecs, new BN(1));
  return BN.min(lastIncreaseTime.add(hold).subn(1), I64_MAX);
}
