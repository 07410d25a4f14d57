/**
 * Position quotes: what increase, decrease, collateral changes and
 * liquidation will do, computed as the program computes them (interest
 * accrued to `now`, the same oracle checks, the same math), plus the
 * numbers traders watch: PnL, leverage, accrued borrow fee, liquidation price.
 */
import BN from "bn.js";
import { PublicKey } from "@solana/web3.js";

import { Custody, Position } from "./idl/types";
import {
  accrue,
  accrueLending,
  borrowFeeTokens,
  pnlInterest,
  supplyInterest,
  usdToTokenCeil,
  usdToTokenFloor,
  exitPrice,
  pnl as positionPnl,
  quoteDecrease,
  quoteIncrease,
  quoteLiquidate,
  DecreaseQuote,
  IncreaseQuote,
  LiquidationQuote,
} from "./math";
import { OraclePrice, readOraclePrice } from "./oracle";
import { PoolState, findCustody } from "./pool";

/** Tokens the utilization is measured against (mirrors `Custody::lendable`). */
export function lendable(c: Custody): BN {
  return c.collateralEarnsInterest !== 0 ? c.owned.add(c.collateral).add(c.loanCollateral) : c.owned;
}

/**
 * A custody accrued to `now` exactly as the program's `Custody::accrue`:
 * indexes move along the curve; loan interest grows `lent` and is credited
 * to `owned` (suppliers) and to protocol and insurance (reserve factor).
 */
export function accrueCustody(c: Custody, now: BN, shares: { protocolBps: number; insuranceBps: number }): Custody {
  if (now.lte(c.lastAccrual)) return c;
  const a = accrue({
    borrowIndex: c.borrowIndex,
    supplyIndex: c.supplyIndex,
    lastAccrual: c.lastAccrual,
    now,
    locked: c.locked,
    lent: c.lent,
    lendable: lendable(c),
    curve: {
      baseRate: c.baseRate,
      slope1: c.slope1,
      slope2: c.slope2,
      optimalUtilizationBps: new BN(c.optimalUtilizationBps),
      reserveFactorBps: new BN(c.reserveFactorBps),
    },
  });
  let { lent, owned, protocolFees, insurance, cumulativeLendingInterest } = c;
  if (!lent.isZero()) {
    const l = accrueLending({
      lent,
      oldBorrowIndex: c.borrowIndex,
      newBorrowIndex: a.borrowIndex,
      reserveFactorBps: new BN(c.reserveFactorBps),
      protocolShareBps: new BN(shares.protocolBps),
      insuranceShareBps: new BN(shares.insuranceBps),
    });
    lent = l.lent;
    owned = owned.add(l.toSuppliers);
    protocolFees = protocolFees.add(l.toProtocol);
    insurance = insurance.add(l.toInsurance);
    cumulativeLendingInterest = cumulativeLendingInterest.add(l.toSuppliers);
  }
  return { ...c, lent, owned, protocolFees, insurance, cumulativeLendingInterest, borrowIndex: a.borrowIndex, supplyIndex: a.supplyIndex, lastAccrual: now };
}

/** The pool's fee shares, as accrual splits the reserve factor. */
export function poolShares(state: PoolState) {
  return { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
}

/**
 * Interest settled on a position before any change (mirrors
 * `Custodies::settle_interest`): interest-bearing collateral earns the
 * supply rate; with `interest_on_pnl`, unrealized profit earns the supply
 * rate and unrealized loss pays the borrow rate. Returns the updated
 * position and collateral custody.
 */
export function settlePositionInterest(p: Position, market: Custody, marketPrice: OraclePrice, coll: Custody, collPrice: OraclePrice): { position: Position; collateral: Custody; credited: BN } {
  const sNow = coll.supplyIndex;
  const bNow = coll.borrowIndex;
  const sSnap = p.supplyIndexSnapshot.isZero() ? sNow : p.supplyIndexSnapshot;
  let owned = coll.owned;
  let collateralBucket = coll.collateral;
  let amount = p.collateralAmount;
  let net = new BN(0);
  if (coll.collateralEarnsInterest !== 0) {
    const earned = BN.min(supplyInterest(amount, sNow, sSnap), owned);
    owned = owned.sub(earned);
    collateralBucket = collateralBucket.add(earned);
    amount = amount.add(earned);
    net = net.add(earned);
  }
  if (market.interestOnPnl !== 0 && !p.sizeUsd.isZero()) {
    const exit = exitPrice(p.side, quoteOf(marketPrice), new BN(market.spreadBps));
    const pl = positionPnl(p.side, p.sizeUsd, p.sizeTokens, exit, market.decimals);
    const pi = pnlInterest({
      pnlProfit: pl.profit,
      pnlUsd: pl.usd,
      supplyIndexNow: sNow,
      supplySnapshot: sSnap,
      borrowIndexNow: bNow,
      borrowSnapshot: p.borrowIndexSnapshot,
    });
    if (!pi.usd.isZero()) {
      if (pi.profit) {
        const t = BN.min(usdToTokenFloor(pi.usd, collPrice.max, coll.decimals), owned);
        owned = owned.sub(t);
        collateralBucket = collateralBucket.add(t);
        amount = amount.add(t);
        net = net.add(t);
      } else {
        const t = BN.min(usdToTokenCeil(pi.usd, collPrice.min, coll.decimals), amount);
        collateralBucket = collateralBucket.sub(t);
        owned = owned.add(t);
        amount = amount.sub(t);
        net = net.sub(t);
      }
    }
  }
  return {
    position: { ...p, collateralAmount: amount, supplyIndexSnapshot: sNow, interestSettled: p.interestSettled.add(net) },
    collateral: { ...coll, owned, collateral: collateralBucket },
    credited: net,
  };
}


const quoteOf = (p: OraclePrice) => ({ min: p.min, max: p.max, conf: p.conf });

/** A custody accrued to `now` with its checked oracle price, as the program sees it. */
export function pricedCustody(state: PoolState, address: PublicKey, now: BN): { account: Custody; price: OraclePrice } {
  const c = findCustody(state, address);
  const price = readOraclePrice(c.address, c.account, c.account.oracle, c.oracle, state.pool.allowTestOracles !== 0, now, state.programId);
  return { account: accrueCustody(c.account, now, poolShares(state)), price };
}

function marketSide(m: Custody, price: OraclePrice, side: number) {
  const long = side === 1;
  return {
    decimals: m.decimals,
    price: quoteOf(price),
    spreadBps: new BN(m.spreadBps),
    openFeeBps: new BN(m.openFeeBps),
    closeFeeBps: new BN(m.closeFeeBps),
    maxLeverageBps: new BN(m.maxLeverageBps),
    maxPositionUsd: m.maxPositionUsd,
    oiUsd: long ? m.longOiUsd : m.shortOiUsd,
    oiCapUsd: long ? m.maxLongOiUsd : m.maxShortOiUsd,
    minCollateralUsd: m.minCollateralUsd,
    maintenanceMarginBps: new BN(m.maintenanceMarginBps),
    liquidationRewardBps: new BN(m.liquidationRewardBps),
  };
}

function collateralSide(c: Custody, price: OraclePrice) {
  return {
    decimals: c.decimals,
    price: quoteOf(price),
    borrowIndex: c.borrowIndex,
    // Payouts cannot come from lent tokens (as the program counts it).
    owned: BN.max(c.owned.sub(c.lent), new BN(0)),
    locked: c.locked,
    bufferBps: new BN(c.bufferBps),
  };
}

function positionState(p: Position | null, side: number, now: BN, collateralIndex: BN) {
  if (!p) {
    return { side, openTime: now, sizeUsd: new BN(0), sizeTokens: new BN(0), collateralAmount: new BN(0), lockedAmount: new BN(0), borrowIndexSnapshot: collateralIndex };
  }
  return {
    side: p.side,
    openTime: p.openTime,
    sizeUsd: p.sizeUsd,
    sizeTokens: p.sizeTokens,
    collateralAmount: p.collateralAmount,
    lockedAmount: p.lockedAmount,
    borrowIndexSnapshot: p.borrowIndexSnapshot,
  };
}

function fees(state: PoolState) {
  return { protocolBps: new BN(state.pool.protocolFeeShareBps), insuranceBps: new BN(state.pool.insuranceFeeShareBps) };
}

/** Both custodies of a trade, priced; one reading when a long posts the market asset. */
function pair(state: PoolState, market: PublicKey, collateral: PublicKey, now: BN) {
  const m = pricedCustody(state, market, now);
  const c = market.equals(collateral) ? m : pricedCustody(state, collateral, now);
  return { m, c };
}

/** `pair` plus the interest the program settles on an existing position first. */
function settled(state: PoolState, position: Position, now: BN) {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
  const same = position.custody.equals(position.collateralCustody);
  const s = settlePositionInterest(position, m.account, m.price, c.account, c.price);
  const cc = { account: s.collateral, price: c.price };
  return { m: same ? cc : m, c: cc, position: s.position };
}

/** What `increase_position` will do (opens when `position` is null). */
export function quoteIncreasePosition(
  state: PoolState,
  a: { position: Position | null; side: number; custody: PublicKey; collateralCustody: PublicKey; sizeUsd: BN; collateralAmount: BN },
  now: BN,
): IncreaseQuote {
  let { m, c } = pair(state, a.custody, a.collateralCustody, now);
  let position = a.position;
  if (position && !position.sizeUsd.isZero()) {
    ({ m, c, position } = settled(state, position, now));
  }
  return quoteIncrease({
    now,
    pos: positionState(position, a.side, now, c.account.borrowIndex),
    sizeDeltaUsd: a.sizeUsd,
    collateralDelta: a.collateralAmount,
    market: marketSide(m.account, m.price, a.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
  });
}

/** What `decrease_position` (or `remove_collateral`, with size 0) will do. */
export function quoteDecreasePosition(state: PoolState, original: Position, sizeUsd: BN, collateralOut: BN, now: BN): DecreaseQuote {
  const { m, c, position } = settled(state, original, now);
  return quoteDecrease({
    now,
    pos: positionState(position, position.side, now, c.account.borrowIndex),
    sizeDeltaUsd: sizeUsd,
    collateralOut,
    market: marketSide(m.account, m.price, position.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
  });
}

/** What `liquidate_position` will do; throws `PositionError` NotLiquidatable for a healthy position. */
export function quoteLiquidatePosition(state: PoolState, original: Position, now: BN): LiquidationQuote {
  const { m, c, position } = settled(state, original, now);
  return quoteLiquidate({
    now,
    pos: positionState(position, position.side, now, c.account.borrowIndex),
    market: marketSide(m.account, m.price, position.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    insuranceBalance: c.account.insurance,
  });
}

/** Live numbers of a position at `now`. */
export function positionInfo(state: PoolState, position: Position, now: BN) {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
  const spread = m.account.spreadBps;
  const exit = exitPrice(position.side, quoteOf(m.price), new BN(spread));
  const p = positionPnl(position.side, position.sizeUsd, position.sizeTokens, exit, m.account.decimals);
  const borrowFee = borrowFeeTokens(position.lockedAmount, c.account.borrowIndex, position.borrowIndexSnapshot);
  return {
    exitPrice: exit,
    pnlUsd: p.profit ? p.usd : p.usd.neg(),
    borrowFeeTokens: borrowFee,
    liquidationPrice: liquidationPrice(state, position, now),
  };
}

/**
 * The market price at which the position becomes liquidatable, found by
 * bisection on the program's own health test (exact to one price unit):
 * for a long the highest price that is liquidatable, for a short the lowest.
 * Both oracle bounds are set to the candidate price with no confidence, and
 * a long posting the market asset revalues its collateral too.
 */
export function liquidationPrice(state: PoolState, original: Position, now: BN): BN | null {
  const { m, c, position } = settled(state, original, now);
  const same = position.custody.equals(position.collateralCustody);
  const liquidatableAt = (price: BN): boolean => {
    const q = { min: price, max: price, conf: new BN(0) };
    try {
      quoteLiquidate({
        now,
        pos: positionState(position, position.side, now, c.account.borrowIndex),
        market: { ...marketSide(m.account, m.price, position.side), price: q },
        coll: same ? { ...collateralSide(c.account, c.price), price: q } : collateralSide(c.account, c.price),
        fees: fees(state),
        insuranceBalance: c.account.insurance,
      });
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === "NotLiquidatable") return false;
      return true;
    }
  };
  const long = position.side === 1;
  let lo = new BN(1);
  let hi = m.price.max.muln(100);
  if (long) {
    // Liquidatable below the answer: find the highest liquidatable price.
    if (!liquidatableAt(lo)) return null;
    if (liquidatableAt(hi)) return hi;
    while (hi.sub(lo).gtn(1)) {
      const mid = lo.add(hi).shrn(1);
      if (liquidatableAt(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }
  // Short: liquidatable above the answer: find the lowest liquidatable price.
  if (!liquidatableAt(hi)) return null;
  if (liquidatableAt(lo)) return lo;
  while (hi.sub(lo).gtn(1)) {
    const mid = lo.add(hi).shrn(1);
    if (liquidatableAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
