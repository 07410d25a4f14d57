/** Parameter defaults. The types themselves are generated from the program (idl/types.ts). */
import BN from "bn.js";

import { DEFAULT_TIMELOCK_SECS, PYTH_RECEIVER_PROGRAM_ID } from "./constants";

export type { PoolParams, CustodyParams, RiskParams } from "./idl/types";
/** What a position event reports as settled before its change (its `settled` field). */
export type { Settlement } from "./idl/types";
import type { CustodyParams, PoolParams, RiskParams } from "./idl/types";

/**
 * Default pool parameters: fees 70 % LPs / 20 % protocol / 10 % insurance, ADL 85 % → 77 %.
 *
 * - LP cooldown 15 minutes (GMX v1's choice): newly minted LP tokens wait in the pool's escrow,
 *   so nobody can deposit ahead of a price update they already know and redeem after it; 15
 *   minutes is many oracle updates (Pyth publishes every 400 ms), short enough not to trouble
 *   a real LP, and no wallet juggling gets around it because the tokens themselves are held.
 * - PnL-interest warm-up one hour: a profit earns interest only once it has been held that long.
 * - No minimum hold for profit beyond the opening second (0).
 * - The first deposit must be worth at least 10 USD; it mints 1 LP to no one (dead units) and
 *   no deposit may mint fewer than 0.001 LP.
 * - Settings changes wait 24 h (pools of a local cluster may set 0).
 */
export function defaultPoolParams(overrides: Partial<PoolParams> = {}): PoolParams {
  return {
    lpFeeShareBps: 7_000,
    protocolFeeShareBps: 2_000,
    insuranceFeeShareBps: 1_000,
    adlThresholdBps: 8_500,
    adlFloorBps: 7_700,
    maxAumUsd: new BN(0),
    lpCooldownSecs: 900,
    pnlWarmupSecs: 3_600,
    minProfitHoldSecs: 0,
    minFirstDepositUsd: new BN(10_000_000),
    deadLp: new BN(1_000_000),
    minLpMint: new BN(1_000),
    timelockSecs: DEFAULT_TIMELOCK_SECS,
    ...overrides,
  };
}

const usd = (dollars: number) => new BN(dollars).mul(new BN(1_000_000));
const rate = (percent: number) => new BN(percent).mul(new BN(10_000_000));

/**
 * Default custody parameters (SPEC §5). The oracle is the feed's account of shard 0 of the local
 * price publisher (`PRICE_PUBLISHER_PROGRAM_ID`, at the Pyth receiver's address); on public clusters
 * set `oracleProgram` to `PYTH_PUSH_ORACLE_PROGRAM_ID` (Pyth's sponsored feeds). Fees: 25 bps base LP fee with 50 bps tax,
 * 6 bps open/close fee, 50x max leverage, kinked lending curve 0 % → 8 % at
 * 80 % utilization → 108 % at 100 %, 10 % reserve factor, 10 % withdrawal buffer;
 * accepted as loan collateral up to 75 % LTV (liquidation at 80 %, 5 % bonus,
 * half the debt per liquidation); collateral held here is interest-bearing: it is lent once the
 * pool's own tokens are (up to half of it: the other half is its withdrawal buffer) and earns
 * what those loans pay.
 */
export function defaultCustodyParams(overrides: Partial<CustodyParams> = {}): CustodyParams {
  return {
    isStable: false,
    oracleKind: 0,
    interestOnPnl: true,
    feedId: new Array(32).fill(0),
    oracleShard: 0,
    oracleProgram: PYTH_RECEIVER_PROGRAM_ID,
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
    collateralBufferBps: 5_000,
    ...overrides,
  };
}

/**
 * Risk parameters (SPEC §5; changed through custody settings proposals), as the local deployment uses
 * them: price impact 1e-8 per USD (exponent 2) when the skew grows, half that
 * when it shrinks, capped at 1 % / 0.5 % of the trade; funding 0.01 % per hour
 * at full skew, capped at 0.05 % per hour; ADL at 85 % → 77 %. A new custody
 * starts with no impact and no funding until a settings proposal sets these.
 */
export function defaultRiskParams(overrides: Partial<RiskParams> = {}): RiskParams {
  return {
    impactPositiveFactor: new BN(5_000_000_000),
    impactNegativeFactor: new BN(10_000_000_000),
    impactExponent: 2,
    maxPositiveImpactBps: 50,
    maxNegativeImpactBps: 100,
    fundingFactor: new BN(27_777_777_777),
    maxFundingRate: new BN(138_888_888_888),
    adlThresholdBps: 8_500,
    adlFloorBps: 7_700,
    ...overrides,
  };
}

/** Trigger order kinds (`Order.kind`). */
export const OrderKind = { TAKE_PROFIT: 1, STOP_LOSS: 2, LIMIT: 3 } as const;
/** An order's kind as the program stores it: take-profit (1), stop-loss (2) or limit (3). */
export type OrderKind = (typeof OrderKind)[keyof typeof OrderKind];
/** Slots per position. */
export const MAX_ORDERS = 8;
/** Smallest execution reward, lamports. */
export const MIN_EXECUTION_REWARD = 10_000;
