/**
 * Auto-deleveraging ratio (the Rust `math::adl`): a side's unrealized profit
 * as a share of the paying custody's own tokens, bps, rounded in the traders'
 * favour (profit down, pool value up). A profit against an empty custody is
 * `U64_MAX`.
 */
import BN from "bn.js";

import { mulDivFloor } from "./fixed";
import { tokenToUsdCeil, tokenToUsdFloor } from "./units";
import { U64_MAX } from "./wide";

/** Inputs of `adlRatioBps` (the Rust `AdlInput`). */
export interface AdlInput {
  /** 1 long, 2 short. */
  side: number;
  oiUsd: BN;
  oiTokens: BN;
  marketDecimals: number;
  /** 9 decimals. */
  marketPrice: BN;
  /** The paying custody's own tokens (`owned`). */
  poolTokens: BN;
  poolDecimals: number;
  /** 9 decimals. */
  poolPrice: BN;
}

const ZERO = new BN(0);

/** The side's unrealized profit, USD 6 decimals (0 for a loss). */
export function sideProfitUsd(i: AdlInput): BN {
  if (i.side === 1) {
    const value = tokenToUsdFloor(i.oiTokens, i.marketPrice, i.marketDecimals);
    return BN.max(value.sub(i.oiUsd), ZERO);
  }
  const value = tokenToUsdCeil(i.oiTokens, i.marketPrice, i.marketDecimals);
  return BN.max(i.oiUsd.sub(value), ZERO);
}

/** `floor(profit × 10,000 / pool value)`. */
export function adlRatioBps(i: AdlInput): BN {
  const profit = sideProfitUsd(i);
  if (profit.isZero()) return ZERO;
  const value = tokenToUsdCeil(i.poolTokens, i.poolPrice, i.poolDecimals);
  if (value.isZero()) return U64_MAX;
  return mulDivFloor(profit, new BN(10_000), value);
}
