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
  priceImpact,
  borrowFeeTokens,
  exitPrice,
  accrueCarry,
  fundingAggregates,
  settleCarry,
  splitFee,
  profitLockUntil,
  Carry,
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
import { at } from "./util";

/** Tokens the utilization (and so the rate) is measured against: the pool's own (mirrors `Custody::lendable`). */
export function lendable(c: Custody): BN {
  return c.owned;
}

/** Interest-bearing collateral, positions' and loans' (mirrors `Custody::earning_collateral`). */
export function earningCollateral(c: Custody): BN {
  return c.collateralEarnsInterest !== 0 ? c.collateral.add(c.loanCollateral) : new BN(0);
}

/** What the pool's own tokens can fund: `max(0, owned − buffer − locked)` (mirrors `Custody::pool_room`). */
export function poolRoom(c: Custody): BN {
  const buffer = c.owned.muln(c.bufferBps).divn(10_000);
  return BN.max(c.owned.sub(buffer).sub(c.locked), new BN(0));
}

/** What interest-bearing collateral adds to the lending capacity (mirrors `Custody::collateral_room`). */
export function collateralRoom(c: Custody): BN {
  const e = earningCollateral(c);
  const buffer = e.muln(c.collateralBufferBps).addn(9_999).divn(10_000);
  return BN.max(e.sub(buffer), new BN(0));
}

/** Tokens lent beyond the custody's capacity: loans may be recalled up to this (mirrors `Custody::over_lent`). */
export function overLent(c: Custody): BN {
  return BN.max(c.lent.sub(poolRoom(c).add(collateralRoom(c))), new BN(0));
}

/** The time constant of `ownedEma`, seconds (`OWNED_EMA_SECS`). */
export const OWNED_EMA_SECS = 3_600;

/**
 * A custody accrued to `now` exactly as the program's `Custody::accrue`: funding indexes and
 * their aggregates; indexes along the curve (utilization over `owned`); loan interest grows
 * `lent` (rounded down), the suppliers' part credited to `owned` except the share of loans funded
 * by interest-bearing collateral (credited to `collateralInterestDue` through `collateralIndex`),
 * the reserve factor to protocol and insurance; borrow fees and PnL interest aggregates; `ownedEma`.
 */
export function accrueCustody(
  original: Custody,
  now: BN,
  shares: { protocolBps: number; insuranceBps: number },
): Custody {
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
  const zero = new BN(0);
  const l = c.lent.isZero()
    ? { lent: zero, toSuppliers: zero, toProtocol: zero, toInsurance: zero }
    : accrueLendingDown({
        lent: c.lent,
        oldBorrowIndex: c.borrowIndex,
        newBorrowIndex: a.borrowIndex,
        reserveFactorBps: new BN(c.reserveFactorBps),
        protocolShareBps: new BN(shares.protocolBps),
        insuranceShareBps: new BN(shares.insuranceBps),
      });
  const k = accrueCarry({
    locked: c.locked,
    borrowIndexBefore: c.borrowIndex,
    borrowIndexAfter: a.borrowIndex,
    supplyIndexBefore: c.supplyIndex,
    supplyIndexAfter: a.supplyIndex,
    pnlProfitBaseUsd: c.pnlProfitBaseUsd,
    pnlLossBaseUsd: c.pnlLossBaseUsd,
    toSuppliers: l.toSuppliers,
    lent: c.lent,
    poolRoom: poolRoom(c),
    earningCollateral: earningCollateral(c),
    collateralIndex: c.collateralIndex,
  });
  // `owned` averaged over about an hour, from its value before this instruction.
  const dt = BN.max(now.sub(c.ownedEmaTime), c.ownedEmaTime.sub(now));
  let ownedEma: BN;
  if (c.ownedEmaTime.isZero() || dt.gten(OWNED_EMA_SECS)) ownedEma = c.owned;
  else if (c.owned.gte(c.ownedEma)) ownedEma = c.ownedEma.add(c.owned.sub(c.ownedEma).mul(dt).divn(OWNED_EMA_SECS));
  else ownedEma = c.ownedEma.sub(c.ownedEma.sub(c.owned).mul(dt).divn(OWNED_EMA_SECS));
  let { lent, owned, protocolFees, insurance, cumulativeLendingInterest, collateralInterestDue, collateralIndex } = c;
  if (!lent.isZero()) {
    lent = l.lent;
    owned = owned.add(k.toPool);
    protocolFees = protocolFees.add(l.toProtocol);
    insurance = insurance.add(l.toInsurance);
    cumulativeLendingInterest = cumulativeLendingInterest.add(k.toPool);
    collateralInterestDue = collateralInterestDue.add(k.toCollateral);
    collateralIndex = k.collateralIndex;
  }
  return {
    ...c,
    lent,
    owned,
    protocolFees,
    insurance,
    cumulativeLendingInterest,
    collateralInterestDue,
    collateralIndex,
    borrowFeesAccrued: c.borrowFeesAccrued.add(k.borrowFees),
    pnlInterestDueUsd: c.pnlInterestDueUsd.add(k.pnlInterestDueUsd),
    pnlInterestOwedUsd: c.pnlInterestOwedUsd.add(k.pnlInterestOwedUsd),
    ownedEma,
    ownedEmaTime: now,
    borrowIndex: a.borrowIndex,
    supplyIndex: a.supplyIndex,
    lastAccrual: now,
  };
}

/** A u128 stored as `[low, high]` u64 words. */
export function joinU128(v: BN[]): BN {
  return at(v, 0).add(at(v, 1).shln(64));
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

/** Funding accrued to `now` at the current open interest, with its aggregates (mirrors `Custody::accrue_funding`). */
export function accrueCustodyFunding(c: Custody, now: BN): Custody {
  if (now.lte(c.lastFundingUpdate)) return c;
  const dt = now.sub(c.lastFundingUpdate);
  if (c.fundingFactor.isZero() || c.longOiUsd.eq(c.shortOiUsd)) return { ...c, lastFundingUpdate: now };
  const longBefore = fundingIndexOf(c, 1);
  const shortBefore = fundingIndexOf(c, 2);
  const a = accrueFunding({
    longOiUsd: c.longOiUsd,
    shortOiUsd: c.shortOiUsd,
    fundingFactor: c.fundingFactor,
    maxRate: c.maxFundingRate,
    dtSecs: dt,
    longIndex: longBefore,
    shortIndex: shortBefore,
  });
  const g = fundingAggregates({
    longOiUsd: c.longOiUsd,
    shortOiUsd: c.shortOiUsd,
    longBefore,
    longAfter: a.longIndex,
    shortBefore,
    shortAfter: a.shortIndex,
  });
  return {
    ...c,
    longFundingPaid: splitU128(a.longIndex.paid),
    longFundingReceived: splitU128(a.longIndex.received),
    shortFundingPaid: splitU128(a.shortIndex.paid),
    shortFundingReceived: splitU128(a.shortIndex.received),
    longFundingOwedUsd: c.longFundingOwedUsd.add(g.longOwedUsd),
    longFundingDueUsd: c.longFundingDueUsd.add(g.longDueUsd),
    shortFundingOwedUsd: c.shortFundingOwedUsd.add(g.shortOwedUsd),
    shortFundingDueUsd: c.shortFundingDueUsd.add(g.shortDueUsd),
    lastFundingUpdate: now,
  };
}

/** Row entries of a custody's `longGroups` / `shortGroups`. */
export const GROUP_USD = 0;
export const GROUP_TOKENS = 1;
export const GROUP_COLLATERAL = 2;
export const GROUP_DEBT = 3;

/** The `[size USD, size tokens, collateral, debt]` row of a market side for collateral custody number `group`. */
export function groupRow(m: Custody, side: number, group: number): BN[] {
  const rows = side === 1 ? m.longGroups : m.shortGroups;
  return rows[group] ?? [new BN(0), new BN(0), new BN(0), new BN(0)];
}

/** What a position contributes to its group row (mirrors `group_part`). */
export function groupPart(p: Position): BN[] {
  return [p.sizeUsd, p.sizeTokens, p.collateralAmount, p.owedTokens];
}

/** The market with a position's group contribution replaced (mirrors `move_group`). */
export function moveGroup(m: Custody, side: number, group: number, before: BN[], after: BN[]): Custody {
  const key = side === 1 ? "longGroups" : "shortGroups";
  const rows = m[key].map((r) => r.slice());
  rows[group] = at(rows, group).map((v, k) => BN.max(v.sub(at(before, k)), new BN(0)).add(at(after, k)));
  return { ...m, [key]: rows };
}

const release = (aggregate: BN, amount: BN) => BN.max(aggregate.sub(amount), new BN(0));

/** The time and checked prices of a position instruction. */
export interface At {
  now: BN;
  marketPrice: OraclePrice;
  collateralPrice: OraclePrice;
}

/**
 * Settles what a position owes and earns over time before any change, exactly as the program's
 * `Custodies::settle` (borrow fees, funding, PnL interest, collateral interest; what it cannot pay
 * becomes `owedTokens`). `same`: the market custody is the collateral custody (one account).
 */
export function settlePosition(
  p: Position,
  market: Custody,
  coll: Custody,
  same: boolean,
  pool: { protocolFeeShareBps: number; insuranceFeeShareBps: number; pnlWarmupSecs: number },
  at: At,
): { position: Position; market: Custody; collateral: Custody; carry: Carry } {
  const side = p.side;
  const interestOnPnl = market.interestOnPnl !== 0;
  const exit =
    interestOnPnl && !p.sizeUsd.isZero()
      ? exitPrice(side, quoteOf(at.marketPrice), new BN(market.spreadBps))
      : new BN(0);
  const fIndex = fundingIndexOf(market, side);
  const k = settleCarry({
    now: at.now,
    side,
    sizeUsd: p.sizeUsd,
    sizeTokens: p.sizeTokens,
    locked: p.lockedAmount,
    collateral: p.collateralAmount,
    owed: p.owedTokens,
    borrowSnapshot: p.borrowIndexSnapshot,
    supplySnapshot: p.supplyIndexSnapshot.isZero() ? coll.supplyIndex : p.supplyIndexSnapshot,
    collateralSnapshot: p.collateralIndexSnapshot,
    fundingSnapshot: { paid: joinU128(p.fundingPaidSnapshot), received: joinU128(p.fundingReceivedSnapshot) },
    pnlBase: { profit: p.pnlBaseProfit !== 0, usd: p.pnlBaseUsd },
    pnlSeenUsd: p.pnlSeenUsd,
    pnlSeenTime: p.pnlSeenTime,
    borrowIndex: coll.borrowIndex,
    supplyIndex: coll.supplyIndex,
    collateralIndex: coll.collateralIndex,
    fundingIndex: fIndex,
    collateralEarns: coll.collateralEarnsInterest !== 0,
    interestOnPnl,
    warmupSecs: new BN(pool.pnlWarmupSecs),
    exitPrice: exit,
    marketDecimals: market.decimals,
    collPrice: quoteOf(at.collateralPrice),
    collDecimals: coll.decimals,
    poolTokens: coll.owned,
    collateralInterestDue: coll.collateralInterestDue,
  });
  const before = groupPart(p);
  const after = [p.sizeUsd, p.sizeTokens, k.collateralAfter, k.owedAfter];
  let m: Custody =
    side === 1
      ? {
          ...market,
          longFundingOwedUsd: release(market.longFundingOwedUsd, k.fundingPaidUsd),
          longFundingDueUsd: release(market.longFundingDueUsd, k.fundingReceivedUsd),
        }
      : {
          ...market,
          shortFundingOwedUsd: release(market.shortFundingOwedUsd, k.fundingPaidUsd),
          shortFundingDueUsd: release(market.shortFundingDueUsd, k.fundingReceivedUsd),
        };
  m = moveGroup(m, side, p.collateralGroup, before, after);
  const c0 = same ? m : coll;
  const fees = splitFee(k.borrowFee, new BN(pool.protocolFeeShareBps), new BN(pool.insuranceFeeShareBps));
  let profitBase = c0.pnlProfitBaseUsd;
  let lossBase = c0.pnlLossBaseUsd;
  if (p.pnlBaseProfit !== 0) profitBase = release(profitBase, p.pnlBaseUsd);
  else lossBase = release(lossBase, p.pnlBaseUsd);
  if (k.pnlBaseAfter.profit) profitBase = profitBase.add(k.pnlBaseAfter.usd);
  else lossBase = lossBase.add(k.pnlBaseAfter.usd);
  const owned = c0.owned
    .add(fees.lp)
    .add(k.fundingIn)
    .add(k.lossInterestTokens)
    .sub(k.fundingOut)
    .sub(k.profitInterestTokens);
  if (owned.isNeg()) throw new PositionError("InsufficientLiquidity", "the pool cannot pay what the position earned");
  const c: Custody = {
    ...c0,
    owned,
    protocolFees: c0.protocolFees.add(fees.protocol),
    insurance: c0.insurance.add(fees.insurance),
    cumulativeBorrowFees: c0.cumulativeBorrowFees.add(fees.lp),
    borrowFeesAccrued: release(c0.borrowFeesAccrued, k.borrowFee),
    pnlInterestDueUsd: release(c0.pnlInterestDueUsd, k.profitInterestUsd),
    pnlInterestOwedUsd: release(c0.pnlInterestOwedUsd, k.lossInterestUsd),
    pnlProfitBaseUsd: profitBase,
    pnlLossBaseUsd: lossBase,
    collateralInterestDue: c0.collateralInterestDue.sub(k.collateralInterest),
    collateral: c0.collateral.sub(p.collateralAmount).add(k.collateralAfter),
    positionDebt: BN.max(c0.positionDebt.sub(p.owedTokens), new BN(0)).add(k.owedAfter),
  };
  const earned = k.profitInterestTokens.add(k.collateralInterest).sub(k.lossInterestTokens);
  const position: Position = {
    ...p,
    interestSettled: p.interestSettled.add(earned),
    fundingSettledUsd: p.fundingSettledUsd.add(fundingBookedUsd(k)),
    borrowFeesPaid: p.borrowFeesPaid.add(k.borrowFee),
    collateralAmount: k.collateralAfter,
    owedTokens: k.owedAfter,
    borrowIndexSnapshot: c.borrowIndex,
    supplyIndexSnapshot: c.supplyIndex,
    collateralIndexSnapshot: c.collateralIndex,
    fundingPaidSnapshot: splitU128(fIndex.paid),
    fundingReceivedSnapshot: splitU128(fIndex.received),
    pnlBaseUsd: k.pnlBaseAfter.usd,
    pnlBaseProfit: k.pnlBaseAfter.profit ? 1 : 0,
    pnlSeenUsd: k.pnlSeenUsdAfter,
    pnlSeenTime: k.pnlSeenTimeAfter,
  };
  return { position, market: same ? c : m, collateral: c, carry: k };
}

/** The funding a settlement booked, USD (mirrors `funding_booked_usd`): a payment counts only for what was paid. */
export function fundingBookedUsd(k: Carry): BN {
  if (k.fundingReceivedUsd.gte(k.fundingPaidUsd)) return k.fundingReceivedUsd.sub(k.fundingPaidUsd);
  const net = k.fundingPaidUsd.sub(k.fundingReceivedUsd);
  const paid =
    k.fundingIn.isZero() || k.fundingUnpaid.isZero() ? net : net.mul(k.fundingIn.sub(k.fundingUnpaid)).div(k.fundingIn);
  return paid.neg();
}

/**
 * The market's funding now: the rate per second (18 decimals) and which side
 * pays; `hourlyBps` is the rate per hour in bps (rounded down) for display.
 */
export function custodyFunding(c: Custody): { ratePerSecond: BN; longsPay: boolean; hourlyBps: number } {
  const rate = fundingRate(c.longOiUsd, c.shortOiUsd, c.fundingFactor, c.maxFundingRate);
  return {
    ratePerSecond: rate,
    longsPay: c.longOiUsd.gt(c.shortOiUsd),
    hourlyBps: rate.muln(3600).muln(10_000).div(FUNDING_ONE).toNumber(),
  };
}

/** The price impact of a trade on `side` of market `m` (mirrors `Custody::price_impact`). */
export function custodyPriceImpact(m: Custody, side: number, isIncrease: boolean, sizeUsd: BN): Impact {
  if (sizeUsd.isZero() || (m.impactPositiveFactor.isZero() && m.impactNegativeFactor.isZero()))
    return { positive: false, usd: new BN(0) };
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
    if (e instanceof ImpactError)
      throw new PositionError(e.code === "InvalidSide" ? "InvalidSide" : "PriceImpactTooLarge");
    throw e;
  }
}

/** The pool's fee shares, as accrual splits the reserve factor. */
export function poolShares(state: PoolState) {
  return { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
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

/**
 * The position as the quotes take it (mirrors the program's `position_state`): no profit is
 * realised within the pool's minimum hold after the last increase (at least that second).
 */
function positionState(state: PoolState, p: Position | null, side: number, now: BN, borrowIndex: BN) {
  const hold = new BN(state.pool.minProfitHoldSecs);
  if (!p) {
    return {
      side,
      openTime: profitLockUntil(now, hold),
      sizeUsd: new BN(0),
      sizeTokens: new BN(0),
      collateralAmount: new BN(0),
      lockedAmount: new BN(0),
      borrowIndexSnapshot: borrowIndex,
      owedTokens: new BN(0),
    };
  }
  return {
    side: p.side,
    openTime: profitLockUntil(p.lastIncreaseTime, hold),
    sizeUsd: p.sizeUsd,
    sizeTokens: p.sizeTokens,
    collateralAmount: p.collateralAmount,
    lockedAmount: p.lockedAmount,
    borrowIndexSnapshot: p.borrowIndexSnapshot,
    owedTokens: p.owedTokens,
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

/** `pair` plus what the program settles on an existing position first (`Custodies::settle`). */
function settled(state: PoolState, position: Position, now: BN) {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
  const same = position.custody.equals(position.collateralCustody);
  const r = settlePosition(position, m.account, c.account, same, state.pool, {
    now,
    marketPrice: m.price,
    collateralPrice: c.price,
  });
  const cc = { account: r.collateral, price: c.price };
  return {
    m: same ? cc : { account: r.market, price: m.price },
    c: cc,
    position: r.position,
    fundingUsd: fundingBookedUsd(r.carry),
    carry: r.carry,
  };
}

/**
 * What the program settles and charges besides the quote itself: the price
 * impact of the trade (positive when the trader gains, USD) and the funding
 * settled first (positive when received, USD).
 */
export interface TradeExtras {
  priceImpactUsd: BN;
  fundingUsd: BN;
  /** What the program settles on the position first (borrow fee, funding, interest, what stays owed). */
  settlement: Carry | null;
  /** How the settled borrow fee is split between LPs, protocol and insurance. */
  settlementFees: { lp: BN; protocol: BN; insurance: BN };
}

const NO_FEES = () => ({ lp: new BN(0), protocol: new BN(0), insurance: new BN(0) });
const settlementFees = (state: PoolState, k: Carry) =>
  splitFee(k.borrowFee, new BN(state.pool.protocolFeeShareBps), new BN(state.pool.insuranceFeeShareBps));

const signedImpact = (i: Impact) => (i.positive ? i.usd : i.usd.neg());

/** What `increase_position` will do (opens when `position` is null). */
export function quoteIncreasePosition(
  state: PoolState,
  a: {
    position: Position | null;
    side: number;
    custody: PublicKey;
    collateralCustody: PublicKey;
    sizeUsd: BN;
    collateralAmount: BN;
  },
  now: BN,
): IncreaseQuote & TradeExtras {
  let { m, c } = pair(state, a.custody, a.collateralCustody, now);
  let position = a.position;
  let fundingUsd = new BN(0);
  let settlement: Carry | null = null;
  if (position && !position.sizeUsd.isZero()) {
    let carry: Carry;
    ({ m, c, position, fundingUsd, carry } = settled(state, position, now));
    settlement = carry;
  }
  const impact = custodyPriceImpact(m.account, a.side, true, a.sizeUsd);
  const q = quoteIncrease({
    now,
    pos: positionState(state, position, a.side, now, c.account.borrowIndex),
    sizeDeltaUsd: a.sizeUsd,
    collateralDelta: a.collateralAmount,
    market: marketSide(m.account, m.price, a.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    impact,
  });
  return {
    ...q,
    priceImpactUsd: signedImpact(impact),
    fundingUsd,
    settlement,
    settlementFees: settlement ? settlementFees(state, settlement) : NO_FEES(),
  };
}

/** What `decrease_position` (or `remove_collateral`, with size 0) will do. */
export function quoteDecreasePosition(
  state: PoolState,
  original: Position,
  sizeUsd: BN,
  collateralOut: BN,
  now: BN,
): DecreaseQuote & TradeExtras {
  const { m, c, position, fundingUsd, carry } = settled(state, original, now);
  const pos = positionState(state, position, position.side, now, c.account.borrowIndex);
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
  return {
    ...q,
    priceImpactUsd: signedImpact(impact),
    fundingUsd,
    settlement: carry,
    settlementFees: settlementFees(state, carry),
  };
}

/** What `liquidate_position` will do; throws `PositionError` NotLiquidatable for a healthy position. */
export function quoteLiquidatePosition(
  state: PoolState,
  original: Position,
  now: BN,
): LiquidationQuote & { settlement: Carry; settlementFees: { lp: BN; protocol: BN; insurance: BN } } {
  const { m, c, position, carry } = settled(state, original, now);
  const q = quoteLiquidate({
    now,
    pos: positionState(state, position, position.side, now, c.account.borrowIndex),
    market: marketSide(m.account, m.price, position.side),
    coll: collateralSide(c.account, c.price),
    fees: fees(state),
    insuranceBalance: c.account.insurance,
  });
  return { ...q, settlement: carry, settlementFees: settlementFees(state, carry) };
}

/** Live numbers of a position at `now`. */
export function positionInfo(state: PoolState, position: Position, now: BN) {
  const { m, c } = pair(state, position.custody, position.collateralCustody, now);
  const spread = m.account.spreadBps;
  const exit = exitPrice(position.side, quoteOf(m.price), new BN(spread));
  const p = positionPnl(position.side, position.sizeUsd, position.sizeTokens, exit, m.account.decimals);
  const borrowFee = borrowFeeTokens(position.lockedAmount, c.account.borrowIndex, position.borrowIndexSnapshot);
  const spot = positionPnl(position.side, position.sizeUsd, position.sizeTokens, m.price.spot, m.account.decimals);
  const s = settled(state, position, now);
  const k = s.carry;
  return {
    exitPrice: exit,
    pnlUsd: p.profit ? p.usd : p.usd.neg(),
    /** PnL at the oracle spot price (what auto-deleveraging looks at). */
    spotPnlUsd: spot.profit ? spot.usd : spot.usd.neg(),
    borrowFeeTokens: borrowFee,
    /** Funding due since the last settlement: positive when the position receives, USD. */
    pendingFundingUsd: k.fundingReceivedUsd.sub(k.fundingPaidUsd),
    /** Interest due since the last settlement, collateral tokens: positive when earned (PnL and collateral interest). */
    pendingInterestTokens: k.profitInterestTokens.add(k.collateralInterest).sub(k.lossInterestTokens),
    /** What the position owes after settling (collateral tokens it could not pay). */
    owedTokens: k.owedAfter,
    /** The PnL base that earns (profit) or pays (loss) interest until the next settlement, USD (signed). */
    pnlBaseUsd: k.pnlBaseAfter.profit ? k.pnlBaseAfter.usd : k.pnlBaseAfter.usd.neg(),
    /** The collateral after settlement. */
    collateralAfterSettlement: s.position.collateralAmount,
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
        pos: positionState(state, position, position.side, now, c.account.borrowIndex),
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

/**
 * A group's ADL ratio (mirrors the program's `side_ratio`): the profit the collateral custody owes
 * the positions of this market side that post it, over the larger of its `owned` and `ownedEma`,
 * bps, at spot prices.
 */
function sideRatio(m: Custody, mPrice: OraclePrice, c: Custody, cPrice: OraclePrice, side: number, group: number): BN {
  const row = groupRow(m, side, group);
  return adlRatioBps({
    side,
    oiUsd: at(row, GROUP_USD),
    oiTokens: at(row, GROUP_TOKENS),
    marketDecimals: m.decimals,
    marketPrice: mPrice.spot,
    poolTokens: BN.max(c.owned, c.ownedEma),
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
  const ratioBps = sideRatio(m.account, m.price, c.account, c.price, position.side, position.collateralGroup);
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
  const pos = positionState(state, position, position.side, now, c.account.borrowIndex);
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
  const before = groupPart(position);
  const after = q.fullClose
    ? [new BN(0), new BN(0), new BN(0), new BN(0)]
    : [q.sizeUsdAfter, q.sizeTokensAfter, q.collateralAfter, new BN(0)];
  const moved = moveGroup(m.account, position.side, position.collateralGroup, before, after);
  const mAfter: Custody = long
    ? {
        ...moved,
        longOiUsd: BN.max(moved.longOiUsd.sub(sizeUsd), new BN(0)),
        longOiTokens: BN.max(moved.longOiTokens.sub(q.closedTokens), new BN(0)),
      }
    : {
        ...moved,
        shortOiUsd: BN.max(moved.shortOiUsd.sub(sizeUsd), new BN(0)),
        shortOiTokens: BN.max(moved.shortOiTokens.sub(q.closedTokens), new BN(0)),
      };
  const cBase = same ? mAfter : c.account;
  const cAfter: Custody = { ...cBase, owned: cBase.owned.add(q.lossTokens).add(q.lpFee).sub(q.profitTokens) };
  return sideRatio(same ? cAfter : mAfter, m.price, cAfter, c.price, position.side, position.collateralGroup);
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
