/**
 * The position a quote leads to, as an account value, so `liquidationPrice`
 * and `positionInfo` can price it before anything is signed (what the app
 * shows next to a trade). Every number comes from the quote or the custody.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Position } from "./idl/types";
import { PoolState } from "./pool";
import { fundingIndexOf, pricedCustody, splitU128 } from "./position";

type IncreaseResult = {
  sizeUsdAfter: BN;
  sizeTokensAfter: BN;
  collateralAfter: BN;
  lockedDelta: BN;
  averagePriceAfter: BN;
  entryPrice: BN;
  feeUsd: BN;
};
type DecreaseResult = { sizeUsdAfter: BN; sizeTokensAfter: BN; collateralAfter: BN; lockedReleased: BN };

/** The position `increase_position` leaves behind when it runs as `q` quoted (`existing` null: it opens one). */
export function positionAfterIncrease(
  state: PoolState,
  now: BN,
  existing: Position | null,
  trade: { owner: PublicKey; side: number; custody: PublicKey; collateralCustody: PublicKey },
  q: IncreaseResult,
): Position {
  const coll = pricedCustody(state, trade.collateralCustody, now).account;
  const market = pricedCustody(state, trade.custody, now).account;
  const index = fundingIndexOf(market, trade.side);
  const zero = new BN(0);
  const base: Position =
    existing ??
    ({
      version: 1,
      bump: 0,
      side: trade.side,
      padding0: [],
      owner: trade.owner,
      pool: state.address,
      custody: trade.custody,
      collateralCustody: trade.collateralCustody,
      openTime: now,
      updateTime: now,
      sizeUsd: zero,
      sizeTokens: zero,
      entryPrice: q.entryPrice,
      collateralAmount: zero,
      lockedAmount: zero,
      borrowIndexSnapshot: coll.borrowIndex,
      realizedPnlUsd: zero,
      feesPaidUsd: zero,
      borrowFeesPaid: zero,
      supplyIndexSnapshot: coll.supplyIndex,
      interestSettled: zero,
      fundingPaidSnapshot: splitU128(index.paid),
      fundingReceivedSnapshot: splitU128(index.received),
      fundingSettledUsd: zero,
      owedTokens: zero,
      lastIncreaseTime: now,
      pnlBaseUsd: zero,
      pnlSeenUsd: zero,
      pnlSeenTime: now,
      collateralIndexSnapshot: coll.collateralIndex,
      pnlBaseProfit: 0,
      collateralGroup: state.custodies.findIndex((c) => c.address.equals(trade.collateralCustody)),
      padding1: [],
      reserved: [],
    } as Position);
  return {
    ...base,
    sizeUsd: q.sizeUsdAfter,
    sizeTokens: q.sizeTokensAfter,
    collateralAmount: q.collateralAfter,
    lockedAmount: base.lockedAmount.add(q.lockedDelta),
    entryPrice: q.averagePriceAfter,
    borrowIndexSnapshot: coll.borrowIndex,
    supplyIndexSnapshot: coll.supplyIndex,
    collateralIndexSnapshot: coll.collateralIndex,
    fundingPaidSnapshot: splitU128(index.paid),
    fundingReceivedSnapshot: splitU128(index.received),
    owedTokens: new BN(0),
    lastIncreaseTime: now,
    updateTime: now,
  };
}

/** The position `decrease_position` leaves behind when it runs as `q` quoted. */
export function positionAfterDecrease(state: PoolState, now: BN, p: Position, q: DecreaseResult): Position {
  const coll = pricedCustody(state, p.collateralCustody, now).account;
  const market = pricedCustody(state, p.custody, now).account;
  const index = fundingIndexOf(market, p.side);
  return {
    ...p,
    sizeUsd: q.sizeUsdAfter,
    sizeTokens: q.sizeTokensAfter,
    collateralAmount: q.collateralAfter,
    lockedAmount: BN.max(p.lockedAmount.sub(q.lockedReleased), new BN(0)),
    borrowIndexSnapshot: coll.borrowIndex,
    supplyIndexSnapshot: coll.supplyIndex,
    collateralIndexSnapshot: coll.collateralIndex,
    fundingPaidSnapshot: splitU128(index.paid),
    fundingReceivedSnapshot: splitU128(index.received),
    owedTokens: new BN(0),
    updateTime: now,
  };
}
