/**
 * The position a quote leads to, as an account value, so the SDK's own
 * `liquidationPrice` can price it before anything is signed. Only fields are
 * assembled here; every number comes from an SDK quote or the custody.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { fundingIndexOf, pricedCustody, type PoolState, type Position } from "@perpool/sdk";

type IncreaseResult = { sizeUsdAfter: BN; sizeTokensAfter: BN; collateralAfter: BN; lockedDelta: BN; averagePriceAfter: BN; entryPrice: BN; feeUsd: BN };
type DecreaseResult = { sizeUsdAfter: BN; sizeTokensAfter: BN; collateralAfter: BN; lockedReleased: BN };

/** A u128 index as the account stores it: `[low, high]` u64 words. */
const words = (v: BN): BN[] => [v.maskn(64), v.shrn(64)];

export function afterIncrease(
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
      fundingPaidSnapshot: words(index.paid),
      fundingReceivedSnapshot: words(index.received),
      fundingSettledUsd: zero,
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
    fundingPaidSnapshot: words(index.paid),
    fundingReceivedSnapshot: words(index.received),
    updateTime: now,
  };
}

export function afterDecrease(state: PoolState, now: BN, p: Position, q: DecreaseResult): Position {
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
    fundingPaidSnapshot: words(index.paid),
    fundingReceivedSnapshot: words(index.received),
    updateTime: now,
  };
}
