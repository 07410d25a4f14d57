/**
 * What an LP and a trader earn: the pool's trailing APY over its whole life
 * (split by source), an LP's return on their own deposits (deposited vs now,
 * annualised over the capital's time in the pool), and the interest a
 * position earns or pays on its collateral and on its unrealized PnL.
 */
import BN from "bn.js";

import { Position } from "./idl/types";
import { lpIncomeSplit, aprToApy } from "./loan";
import { PoolState, valuePool } from "./pool";
import { pricedCustody, settlePosition } from "./position";
import { at } from "./util";

export const SECONDS_PER_YEAR = 31_536_000;

export interface PoolApy {
  /** Seconds since the pool's inception. */
  seconds: number;
  /** USD (6 decimals) credited to LPs since inception, at today's prices. */
  tradingFeesUsd: BN;
  borrowFeesUsd: BN;
  lendingInterestUsd: BN;
  totalUsd: BN;
  /** Simple annual rates (fractions) over the pool's life, against today's pool value. */
  apr: { tradingFees: number; borrowFees: number; lendingInterest: number; total: number };
  /**
   * `apr.total` compounded per second: the headline figure. Over a very young
   * pool the annualised rate can be huge; above 500 % it is not compounded
   * (compounding an extrapolation of minutes would only inflate it).
   */
  apy: number;
}

/**
 * The LPs' income over the pool's whole life (the custodies' cumulative
 * trading fees, borrow fees and lending interest, valued at today's min
 * prices), annualised over that life against today's pool value. Trailing and
 * shown from day one: over a short life it swings with each trade.
 */
export function poolLifetimeApy(state: PoolState, now: BN): PoolApy {
  const v = valuePool(state, "min", now);
  const seconds = Math.max(Number(now.sub(state.pool.inceptionTime).toString()), 0);
  const zero = new BN(0);
  const start: PoolState = {
    ...state,
    custodies: state.custodies.map((c) => ({
      ...c,
      account: {
        ...c.account,
        cumulativeTradingFees: zero,
        cumulativeBorrowFees: zero,
        cumulativeLendingInterest: zero,
      },
    })),
  };
  const prices = new Map(state.custodies.map((c, i) => [c.address.toBase58(), at(v.custodies, i).price.min]));
  const s = lpIncomeSplit(start, state, prices, seconds, v.aumUsd);
  const total = s.apr.tradingFees + s.apr.borrowFees + s.apr.lendingInterest;
  return {
    seconds,
    tradingFeesUsd: s.tradingFeesUsd,
    borrowFeesUsd: s.borrowFeesUsd,
    lendingInterestUsd: s.lendingInterestUsd,
    totalUsd: s.tradingFeesUsd.add(s.borrowFeesUsd).add(s.lendingInterestUsd),
    apr: { ...s.apr, total },
    apy: total > 5 ? total : aprToApy(new BN(Math.round(total * 1e9).toString())),
  };
}

/** A deposit (positive USD) or a redemption (negative USD) at a unix time. */
export interface LpFlow {
  time: number;
  usd: BN;
}

export interface LpReturn {
  /** LP balance × redeem price (USD, 6 decimals, rounded down). */
  valueUsd: BN;
  /** Value now + redeemed − deposited (USD, signed). */
  earnedUsd: BN;
  /** Earned ÷ the dollar-seconds of capital in the pool, per year; null before any capital has been in for a second. */
  apy: number | null;
}

/**
 * An LP's return: what their LP tokens are worth now plus what they took out,
 * less what they put in (includes the pool assets' price moves), and that
 * return annualised over the time each dollar was in the pool
 * (Σ flow × (now − time) dollar-seconds).
 */
export function lpReturn(a: {
  lpBalance: BN;
  lpPriceUsd: BN;
  depositedUsd: BN;
  redeemedUsd: BN;
  flows: LpFlow[];
  now: number;
}): LpReturn {
  const valueUsd = a.lpBalance.mul(a.lpPriceUsd).divn(1_000_000);
  const earnedUsd = valueUsd.add(a.redeemedUsd).sub(a.depositedUsd);
  let capitalSeconds = new BN(0);
  for (const f of a.flows) capitalSeconds = capitalSeconds.add(f.usd.muln(Math.max(a.now - f.time, 0)));
  const apy = capitalSeconds.lten(0)
    ? null
    : (Number(earnedUsd.toString()) / Number(capitalSeconds.toString())) * SECONDS_PER_YEAR;
  return { valueUsd, earnedUsd, apy };
}

export interface PositionInterest {
  /** Interest already settled into the collateral since the position opened (collateral tokens, signed). */
  settled: BN;
  /** Not yet settled, earned on the collateral (tokens, ≥ 0). */
  pendingOnCollateral: BN;
  /** Not yet settled, on the unrealized PnL: earned on a profit (+), paid on a loss (−), tokens. */
  pendingOnPnl: BN;
}

/** The interest a position earns or pays, settled and pending at `now` (what the program settles on its next update). */
export function positionInterest(state: PoolState, position: Position, now: BN): PositionInterest {
  const m = pricedCustody(state, position.custody, now);
  const same = position.custody.equals(position.collateralCustody);
  const c = same ? m : pricedCustody(state, position.collateralCustody, now);
  // What the program would settle now (`Custodies::settle`): interest on the collateral, and on
  // the PnL recorded at the last settlement (earned on a held profit, paid on a loss).
  const k = settlePosition(position, m.account, c.account, same, state.pool, {
    now,
    marketPrice: m.price,
    collateralPrice: c.price,
  }).carry;
  return {
    settled: position.interestSettled,
    pendingOnCollateral: k.collateralInterest,
    pendingOnPnl: k.profitInterestTokens.sub(k.lossInterestTokens),
  };
}
