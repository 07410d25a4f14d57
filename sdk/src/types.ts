/** Parameter defaults. The types themselves are generated from the program (idl/types.ts). */
import BN from "bn.js";

export type { PoolParams, CustodyParams } from "./idl/types";
import type { CustodyParams, PoolParams } from "./idl/types";

/** Default pool parameters: fees 70 % LPs / 20 % protocol / 10 % insurance, ADL 85 % → 77 %. */
export function defaultPoolParams(overrides: Partial<PoolParams> = {}): PoolParams {
  return {
    lpFeeShareBps: 7_000,
    protocolFeeShareBps: 2_000,
    insuranceFeeShareBps: 1_000,
    adlThresholdBps: 8_500,
    adlFloorBps: 7_700,
    maxAumUsd: new BN(0),
    ...overrides,
  };
}

const usd = (dollars: number) => new BN(dollars).mul(new BN(1_000_000));
const rate = (percent: number) => new BN(percent).mul(new BN(10_000_000));

/**
 * Default custody parameters (SPEC §5): 25 bps base LP fee with 50 bps tax,
 * 6 bps open/close fee, 50x max leverage, kinked lending curve 0 % → 8 % at
 * 80 % utilization → 108 % at 100 %, 10 % reserve factor, 10 % withdrawal buffer;
 * accepted as loan collateral up to 75 % LTV (liquidation at 80 %, 5 % bonus,
 * half the debt per liquidation); collateral held here earns the supply rate.
 */
export function defaultCustodyParams(overrides: Partial<CustodyParams> = {}): CustodyParams {
  return {
    isStable: false,
    oracleKind: 1,
    interestOnPnl: true,
    feedId: new Array(32).fill(0),
    oracleMaxAgeSecs: 60,
    oracleMaxConfBps: 100,
    maxLeverageBps: 500_000,
    spreadBps: 0,
    targetWeightBps: 2_500,
    minWeightBps: 0,
    maxWeightBps: 10_000,
    baseFeeBps: 25,
    taxFeeBps: 50,
    openFeeBps: 6,
    closeFeeBps: 6,
    maintenanceMarginBps: 50,
    liquidationRewardBps: 10,
    minCollateralUsd: usd(10),
    maxPositionUsd: usd(1_000_000),
    maxLongOiUsd: usd(10_000_000),
    maxShortOiUsd: usd(10_000_000),
    baseRate: new BN(0),
    slope1: rate(8),
    slope2: rate(100),
    optimalUtilizationBps: 8_000,
    reserveFactorBps: 1_000,
    maxUtilizationBps: 9_000,
    bufferBps: 1_000,
    collateralEarnsInterest: true,
    maxLtvBps: 7_500,
    liquidationLtvBps: 8_000,
    liquidationBonusBps: 500,
    closeFactorBps: 5_000,
    ...overrides,
  };
}
