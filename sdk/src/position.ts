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
  borrowFeeTokens,
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
import { PoolState } from "./pool";

/** A custody with its interest indexes accrued to `now`, as the program does first. */
export function accrueCustody(c: Custody, now: BN): Custody {
  if (now.lte(c.lastAccrual)) return c;
  const a = accrue({
    borrowIndex: c.borrowIndex,
    supplyIndex: c.supplyIndex,
    lastAccrual: c.lastAccrual,
    now,
    locked: c.locked,
    lent: c.lent,
    lendable: c.owned,
    curve: {
      baseRate: c.baseRate,
      slope1: c.slope1,
      slope2: c.slope2,
      optimalUtilizationBps: new BN(c.optimalUtilizationBps),
      reserveFactorBps: new BN(c.reserveFactorBps),
    },
  });
  return { ...c, borrowIndex: a.borrowIndex, supplyIndex: a.supplyIndex, lastAccrual: now };
}

function find(state: PoolState, address: PublicKey) {
  const c = state.custodies.find((x) => x.address.equals(address));
  if (!c) throw new Error(`custody ${address.toBase58()} is not in pool ${state.address.toBase58()}`);
  return c;
}

const quoteOf = (p: OraclePrice) => ({ min: p.min, max: p.max, conf: p.conf });

function priced(state: PoolState, address: PublicKey, now: BN): { account: Custody; price: OraclePrice } {
  const c = find(state, address);
  const price = readOraclePrice(c.address, c.account, c.account.oracle, c.oracle, state.pool.allowTestOracles !== 0, now, state.programId);
  return { account: accrueCustody(c.account, now), price };
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
    owned: c.owned,
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
  const m = priced(state, market, now);
  const c = market.equals(collateral) ? m : priced(state, collateral, now);
  return { m, c };
}

/** What `increase_position` will do (opens when `position` is null). */
export function quoteIncreasePosition(
  state: PoolState,
  a: { position: Position | null; side: number; custody: PublicKey; collateralCustody: PublicKey; sizeUsd: BN; collateralAmount: BN },
  now: BN,
): IncreaseQuote {
  const { m, c } = pair(state, a.custody, a.collateralCustody, now);
  return quoteIncrease({
    now,
    pos: positionState(a.position, a.side, now, c.account.borrowIndex),
    sizeDeltaUsd: a.sizeUsd,
    collateralDelta: a.collateralAmount,
    market: marketSide(m.account, m.price, a.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
  });
}

/** What `decrease_position` (or `remove_collateral`, with size 0) will do. */
export function quoteDecreasePosition(state: PoolState, position: Position, sizeUsd: BN, collateralOut: BN, now: BN): DecreaseQuote {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
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
export function quoteLiquidatePosition(state: PoolState, position: Position, now: BN): LiquidationQuote {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
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
export function liquidationPrice(state: PoolState, position: Position, now: BN): BN | null {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
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
