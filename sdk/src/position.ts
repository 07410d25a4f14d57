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
  FUNDING_ONE,
  FundingIndex,
  Impact,
  ImpactError,
  PositionError,
  accrue,
  accrueFunding,
  accrueLendingDown,
  adlRatioBps,
  fundingRate,
  tokenToUsdFloor,
  positionFunding,
  priceImpact,
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
 * indexes move along the curve; loan interest grows `lent` (rounded down) and is credited
 * to `owned` (suppliers) and to protocol and insurance (reserve factor).
 */
export function accrueCustody(original: Custody, now: BN, shares: { protocolBps: number; insuranceBps: number }): Custody {
  const c = accrueCustodyFunding(original, now);
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
    const l = accrueLendingDown({
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

/** A u128 stored as `[low, high]` u64 words. */
export function joinU128(v: BN[]): BN {
  return v[0].add(v[1].shln(64));
}

/** `[low, high]` u64 words of a u128, as accounts store funding indexes. */
export function splitU128(v: BN): BN[] {
  return [v.maskn(64), v.shrn(64)];
}

/** A side's cumulative funding indexes (mirrors `Custody::funding_index`). */
export function fundingIndexOf(c: Custody, side: number): FundingIndex {
  return side === 1
    ? { paid: joinU128(c.longFundingPaid), received: joinU128(c.longFundingReceived) }
    : { paid: joinU128(c.shortFundingPaid), received: joinU128(c.shortFundingReceived) };
}

/** Funding accrued to `now` at the current open interest (mirrors `Custody::accrue_funding`). */
export function accrueCustodyFunding(c: Custody, now: BN): Custody {
  if (now.lte(c.lastFundingUpdate)) return c;
  const dt = now.sub(c.lastFundingUpdate);
  if (c.fundingFactor.isZero() || c.longOiUsd.eq(c.shortOiUsd)) return { ...c, lastFundingUpdate: now };
  const a = accrueFunding({
    longOiUsd: c.longOiUsd,
    shortOiUsd: c.shortOiUsd,
    fundingFactor: c.fundingFactor,
    maxRate: c.maxFundingRate,
    dtSecs: dt,
    longIndex: fundingIndexOf(c, 1),
    shortIndex: fundingIndexOf(c, 2),
  });
  return {
    ...c,
    longFundingPaid: splitU128(a.longIndex.paid),
    longFundingReceived: splitU128(a.longIndex.received),
    shortFundingPaid: splitU128(a.shortIndex.paid),
    shortFundingReceived: splitU128(a.shortIndex.received),
    lastFundingUpdate: now,
  };
}

/**
 * The market's funding now: the rate per second (18 decimals) and which side
 * pays; `hourlyBps` is the rate per hour in bps (rounded down) for display.
 */
export function custodyFunding(c: Custody): { ratePerSecond: BN; longsPay: boolean; hourlyBps: number } {
  const rate = fundingRate(c.longOiUsd, c.shortOiUsd, c.fundingFactor, c.maxFundingRate);
  return { ratePerSecond: rate, longsPay: c.longOiUsd.gt(c.shortOiUsd), hourlyBps: rate.muln(3600).muln(10_000).div(FUNDING_ONE).toNumber() };
}

/** The price impact of a trade on `side` of market `m` (mirrors `Custody::price_impact`). */
export function custodyPriceImpact(m: Custody, side: number, isIncrease: boolean, sizeUsd: BN): Impact {
  if (sizeUsd.isZero() || (m.impactPositiveFactor.isZero() && m.impactNegativeFactor.isZero())) return { positive: false, usd: new BN(0) };
  try {
    return priceImpact({
      side,
      isIncrease,
      sizeUsd,
      longOiUsd: m.longOiUsd,
      shortOiUsd: m.shortOiUsd,
      positiveFactor: m.impactPositiveFactor,
      negativeFactor: m.impactNegativeFactor,
      exponent: m.impactExponent,
      maxPositiveImpactBps: new BN(m.maxPositiveImpactBps),
      maxNegativeImpactBps: new BN(m.maxNegativeImpactBps),
    });
  } catch (e) {
    if (e instanceof ImpactError) throw new PositionError(e.code === "InvalidSide" ? "InvalidSide" : "PriceImpactTooLarge");
    throw e;
  }
}

/**
 * Funding settled on a position before any change (mirrors
 * `Custodies::settle_funding`): payments round up at the collateral MIN price
 * and stop at the collateral; receipts round down at the MAX price and stop
 * at the pool's tokens.
 */
export function settlePositionFunding(p: Position, market: Custody, coll: Custody, collPrice: OraclePrice): { position: Position; collateral: Custody; fundingUsd: BN } {
  const index = fundingIndexOf(market, p.side);
  const snapshot = { paid: joinU128(p.fundingPaidSnapshot), received: joinU128(p.fundingReceivedSnapshot) };
  if (index.paid.eq(snapshot.paid) && index.received.eq(snapshot.received)) return { position: p, collateral: coll, fundingUsd: new BN(0) };
  const f = positionFunding({ sizeUsd: p.sizeUsd, side: p.side, longIndex: index, shortIndex: index, indexSnapshot: snapshot });
  let position: Position = { ...p, fundingPaidSnapshot: splitU128(index.paid), fundingReceivedSnapshot: splitU128(index.received) };
  if (f.usd.isZero()) return { position, collateral: coll, fundingUsd: new BN(0) };
  if (f.pays) {
    const t = BN.min(usdToTokenCeil(f.usd, collPrice.min, coll.decimals), position.collateralAmount);
    position = { ...position, collateralAmount: position.collateralAmount.sub(t), fundingSettledUsd: position.fundingSettledUsd.sub(f.usd) };
    return { position, collateral: { ...coll, collateral: coll.collateral.sub(t), owned: coll.owned.add(t) }, fundingUsd: f.usd.neg() };
  }
  const t = BN.min(usdToTokenFloor(f.usd, collPrice.max, coll.decimals), coll.owned);
  position = { ...position, collateralAmount: position.collateralAmount.add(t), fundingSettledUsd: position.fundingSettledUsd.add(f.usd) };
  return { position, collateral: { ...coll, collateral: coll.collateral.add(t), owned: coll.owned.sub(t) }, fundingUsd: f.usd };
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
  const price = readOraclePrice(c.account, c.account.oracle, c.oracle, now);
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

/** `pair` plus the interest and funding the program settles on an existing position first. */
function settled(state: PoolState, position: Position, now: BN) {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
  const same = position.custody.equals(position.collateralCustody);
  const s = settlePositionInterest(position, m.account, m.price, c.account, c.price);
  const f = settlePositionFunding(s.position, m.account, s.collateral, c.price);
  const cc = { account: f.collateral, price: c.price };
  return { m: same ? cc : m, c: cc, position: f.position, fundingUsd: f.fundingUsd };
}

/**
 * What the program settles and charges besides the quote itself: the price
 * impact of the trade (positive when the trader gains, USD) and the funding
 * settled first (positive when received, USD).
 */
export interface TradeExtras {
  priceImpactUsd: BN;
  fundingUsd: BN;
}

const signedImpact = (i: Impact) => (i.positive ? i.usd : i.usd.neg());

/** What `increase_position` will do (opens when `position` is null). */
export function quoteIncreasePosition(
  state: PoolState,
  a: { position: Position | null; side: number; custody: PublicKey; collateralCustody: PublicKey; sizeUsd: BN; collateralAmount: BN },
  now: BN,
): IncreaseQuote & TradeExtras {
  let { m, c } = pair(state, a.custody, a.collateralCustody, now);
  let position = a.position;
  let fundingUsd = new BN(0);
  if (position && !position.sizeUsd.isZero()) {
    ({ m, c, position, fundingUsd } = settled(state, position, now));
  }
  const impact = custodyPriceImpact(m.account, a.side, true, a.sizeUsd);
  const q = quoteIncrease({
    now,
    pos: positionState(position, a.side, now, c.account.borrowIndex),
    sizeDeltaUsd: a.sizeUsd,
    collateralDelta: a.collateralAmount,
    market: marketSide(m.account, m.price, a.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    impact,
  });
  return { ...q, priceImpactUsd: signedImpact(impact), fundingUsd };
}

/** What `decrease_position` (or `remove_collateral`, with size 0) will do. */
export function quoteDecreasePosition(state: PoolState, original: Position, sizeUsd: BN, collateralOut: BN, now: BN): DecreaseQuote & TradeExtras {
  const { m, c, position, fundingUsd } = settled(state, original, now);
  const pos = positionState(position, position.side, now, c.account.borrowIndex);
  // Checked before the impact, as the program does.
  if (sizeUsd.gt(pos.sizeUsd)) throw new PositionError("SizeTooLarge", `${sizeUsd} > ${pos.sizeUsd}`);
  const impact = custodyPriceImpact(m.account, position.side, false, sizeUsd);
  const market = marketSide(m.account, m.price, position.side);
  const q = quoteDecrease({
    now,
    pos,
    sizeDeltaUsd: sizeUsd,
    collateralOut,
    market,
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    impact,
  });
  return { ...q, priceImpactUsd: signedImpact(impact), fundingUsd };
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
  const spot = positionPnl(position.side, position.sizeUsd, position.sizeTokens, m.price.spot, m.account.decimals);
  const funding = settlePositionFunding(position, m.account, c.account, c.price).fundingUsd;
  return {
    exitPrice: exit,
    pnlUsd: p.profit ? p.usd : p.usd.neg(),
    /** PnL at the oracle spot price (what auto-deleveraging looks at). */
    spotPnlUsd: spot.profit ? spot.usd : spot.usd.neg(),
    borrowFeeTokens: borrowFee,
    /** Funding due since the last settlement: positive when the position receives, USD. */
    pendingFundingUsd: funding,
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

/** Whether an order's trigger has been crossed by the oracle spot price (mirrors the program's `triggered`). */
export function orderTriggered(o: { kind: number; side: number; triggerPrice: BN }, spot: BN): boolean {
  const long = o.side === 1;
  const above = spot.gte(o.triggerPrice);
  const below = spot.lte(o.triggerPrice);
  if (o.kind === 1) return long ? above : below; // take-profit
  if (o.kind === 2) return long ? below : above; // stop-loss
  return long ? below : above; // limit: buy low, sell high
}

/**
 * Whether a take-profit / stop-loss no longer applies: its position was closed,
 * or closed and opened again after the order was placed. `execute_order` then
 * clears it (the keeper earns the reward, the owner gets the rent back).
 */
export function orderStale(o: { kind: number; createdTime: BN }, position: Position | null): boolean {
  if (o.kind === 3) return false;
  return position === null || position.openTime.gt(o.createdTime);
}

/** A side's ADL ratio (bps of the collateral custody's own tokens) from custody states, at spot prices. */
function sideRatio(m: Custody, mPrice: OraclePrice, c: Custody, cPrice: OraclePrice, side: number): BN {
  const long = side === 1;
  return adlRatioBps({
    side,
    oiUsd: long ? m.longOiUsd : m.shortOiUsd,
    oiTokens: long ? m.longOiTokens : m.shortOiTokens,
    marketDecimals: m.decimals,
    marketPrice: mPrice.spot,
    poolTokens: c.owned,
    poolDecimals: c.decimals,
    poolPrice: cPrice.spot,
  });
}

/**
 * Auto-deleveraging state of a position's side (what `auto_deleverage` checks):
 * the ratio now, the market's threshold and floor, and whether ADL is allowed.
 */
export function adlStatus(state: PoolState, position: Position, now: BN) {
  const { m, c } = settled(state, position, now);
  const ratioBps = sideRatio(m.account, m.price, c.account, c.price, position.side);
  const thresholdBps = m.account.adlThresholdBps;
  const floorBps = m.account.adlFloorBps;
  return { ratioBps, thresholdBps, floorBps, allowed: ratioBps.gtn(thresholdBps) };
}

/**
 * The ratio after `auto_deleverage(sizeUsd)` would run, computed as the program
 * applies the decrease (settlement, then the quote's accounting); throws the
 * quote's error when the decrease itself would fail.
 */
export function adlRatioAfter(state: PoolState, original: Position, sizeUsd: BN, now: BN): BN {
  const { m, c, position } = settled(state, original, now);
  const same = position.custody.equals(position.collateralCustody);
  const pos = positionState(position, position.side, now, c.account.borrowIndex);
  // Checked before the impact, as the program does.
  if (sizeUsd.gt(pos.sizeUsd)) throw new PositionError("SizeTooLarge", `${sizeUsd} > ${pos.sizeUsd}`);
  const impact = custodyPriceImpact(m.account, position.side, false, sizeUsd);
  const market = marketSide(m.account, m.price, position.side);
  const q = quoteDecrease({
    now,
    pos,
    sizeDeltaUsd: sizeUsd,
    collateralOut: new BN(0),
    market,
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    impact,
  });
  const long = position.side === 1;
  const mAfter: Custody = long
    ? { ...m.account, longOiUsd: BN.max(m.account.longOiUsd.sub(sizeUsd), new BN(0)), longOiTokens: BN.max(m.account.longOiTokens.sub(q.closedTokens), new BN(0)) }
    : { ...m.account, shortOiUsd: BN.max(m.account.shortOiUsd.sub(sizeUsd), new BN(0)), shortOiTokens: BN.max(m.account.shortOiTokens.sub(q.closedTokens), new BN(0)) };
  const cBase = same ? mAfter : c.account;
  const cAfter: Custody = { ...cBase, owned: cBase.owned.add(q.lossTokens).add(q.lpFee).sub(q.profitTokens) };
  return sideRatio(same ? cAfter : mAfter, m.price, cAfter, c.price, position.side);
}

/**
 * The size a keeper should pass to `auto_deleverage`: the largest size (USD,
 * at most the position) whose ratio after is still at or above the floor and
 * below the ratio now; null when ADL is not allowed, the position is not in
 * profit, or no size lowers the ratio.
 */
export function adlCloseSize(state: PoolState, position: Position, now: BN): BN | null {
  const status = adlStatus(state, position, now);
  if (!status.allowed) return null;
  const info = positionInfo(state, position, now);
  if (!info.spotPnlUsd.gtn(0)) return null;
  const ok = (size: BN): boolean => {
    try {
      const after = adlRatioAfter(state, position, size, now);
      return after.lt(status.ratioBps) && after.gten(status.floorBps);
    } catch {
      return false;
    }
  };
  if (ok(position.sizeUsd)) return position.sizeUsd;
  // Closing more lowers the ratio further: find the largest size still at or above the floor.
  let lo = new BN(0);
  let hi = position.sizeUsd;
  while (hi.sub(lo).gtn(1)) {
    const mid = lo.add(hi).shrn(1);
    let after: BN;
    try {
      after = adlRatioAfter(state, position, mid, now);
    } catch {
      hi = mid;
      continue;
    }
    if (after.gten(status.floorBps)) lo = mid;
    else hi = mid;
  }
  return lo.isZero() || !ok(lo) ? null : lo;
}

/** Keepers' ADL ranking score: PnL % × leverage (both as plain numbers). */
export function adlScore(state: PoolState, position: Position, now: BN): number {
  const info = positionInfo(state, position, now);
  const { c } = pair(state, position.custody, position.collateralCustody, now);
  const collateralUsd = tokenToUsdFloor(position.collateralAmount, c.price.min, c.account.decimals);
  if (collateralUsd.isZero()) return 0;
  const pnlPct = Number(info.spotPnlUsd.toString()) / Number(collateralUsd.toString());
  const leverage = Number(position.sizeUsd.toString()) / Number(collateralUsd.toString());
  return pnlPct * leverage;
}
