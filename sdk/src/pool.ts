/**
 * The pool as integrators and the app see it: one fetch of the pool, its
 * custodies, their oracles and the LP mint; then pool value (AUM), LP price,
 * composition against target weights, and quotes of deposits, redemptions
 * and swaps computed exactly as the program computes them.
 */
import * as anchor from "@coral-xyz/anchor";
import { AccountInfo, PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { fetchPoolWithCustodies } from "./accounts";
import { MAX_CUSTODIES } from "./constants";
import { Custody, Pool } from "./idl/types";
import {
  custodyValueUsd,
  groupClaim,
  mulDivCeil,
  mulDivFloor,
  quoteAddLiquidity,
  quoteRemoveLiquidity,
  quoteSwap,
  AddLiquidityQuote,
  RemoveLiquidityQuote,
  SwapQuote,
  tokenToUsdFloor,
} from "./math";
import { OraclePrice, readOraclePrice } from "./oracle";
import { PerpoolProgram } from "./program";
import { accrueCustody } from "./position";
import { at } from "./util";

export interface CustodyState {
  address: PublicKey;
  account: Custody;
  oracle: AccountInfo<Buffer> | null;
}

export interface PoolState {
  address: PublicKey;
  pool: Pool;
  custodies: CustodyState[];
  lpSupply: BN;
  programId: PublicKey;
}

/** Fetches everything the quotes need, in one round of reads. */
export async function fetchPoolState(program: PerpoolProgram, pool: PublicKey): Promise<PoolState> {
  const { pool: p, custodies } = await fetchPoolWithCustodies(program, pool);
  const conn = program.provider.connection;
  const infos = await conn.getMultipleAccountsInfo([p.lpMint, ...custodies.map((c) => c.account.oracle)]);
  const mint = infos[0];
  if (!mint) throw new Error("LP mint not found");
  return {
    address: pool,
    pool: p,
    custodies: custodies.map((c, i) => ({ ...c, oracle: infos[i + 1] as AccountInfo<Buffer> | null })),
    lpSupply: new BN(Buffer.from(mint.data).readBigUInt64LE(36).toString()),
    programId: program.programId,
  };
}

export type PriceSide = "min" | "max";

export interface Valuation {
  /** Pool value, USD with 6 decimals. */
  aumUsd: BN;
  /** Per custody, in pool order: owned tokens' value and the oracle reading. */
  custodies: { address: PublicKey; valueUsd: BN; price: OraclePrice }[];
}

/**
 * Pool value at min or max oracle prices, exactly as the program values it
 * (`processor/valuation.rs`): what LPs would own if every position closed now.
 * Each custody counts its own tokens and the LPs' share of accrued borrow fees
 * at its price, plus what positions owe and minus what they are owed and have
 * not settled (funding, PnL interest), all projected to `now`; then per market
 * side and collateral custody, `min(collateral − debt, loss − profit)`: trader
 * losses count only up to the collateral behind them, and debts (already in
 * `owned`) the collateral cannot cover are written off. Rounded as the
 * program rounds (up at max prices, down at min prices). Throws `OracleError`
 * where the program would refuse the prices.
 */
export function valuePool(state: PoolState, side: PriceSide, now: BN): Valuation {
  const shares = { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
  const up = side === "max";
  const lpShareBps = Math.max(0, 10_000 - state.pool.protocolFeeShareBps - state.pool.insuranceFeeShareBps);
  let positive = new BN(0);
  let negative = new BN(0);
  const read = state.custodies.map((c) => {
    const price = readOraclePrice(c.account, c.account.oracle, c.oracle, now);
    const a = accrueCustody(c.account, now, shares);
    const p = up ? price.max : price.min;
    const valueUsd = custodyValueUsd(a.owned, p, a.decimals, up);
    positive = positive.add(valueUsd);
    if (!a.borrowFeesAccrued.isZero()) {
      // The LPs' share of the fees' value, rounded with the side being priced.
      const fees = custodyValueUsd(a.borrowFeesAccrued, p, a.decimals, up);
      positive = positive.add(
        up
          ? mulDivCeil(fees, new BN(lpShareBps), new BN(10_000))
          : mulDivFloor(fees, new BN(lpShareBps), new BN(10_000)),
      );
    }
    positive = positive.add(a.pnlInterestOwedUsd).add(a.longFundingOwedUsd).add(a.shortFundingOwedUsd);
    negative = negative.add(a.pnlInterestDueUsd).add(a.longFundingDueUsd).add(a.shortFundingDueUsd);
    return { c, a, price, valueUsd };
  });
  for (const { a: m, price } of read) {
    // Marked at the prices that favour the side being priced (as the program does).
    const longPrice = up ? price.min : price.max;
    const shortPrice = up ? price.max : price.min;
    for (const [sideTag, rows, marketPrice] of [
      [1, m.longGroups, longPrice],
      [2, m.shortGroups, shortPrice],
    ] as [number, BN[][], BN][]) {
      rows.slice(0, read.length).forEach((row, j) => {
        if (row.every((v) => v.isZero())) return;
        const coll = at(read, j);
        const claim = groupClaim({
          side: sideTag,
          oiUsd: at(row, 0),
          oiTokens: at(row, 1),
          marketDecimals: m.decimals,
          marketPrice,
          collateral: at(row, 2),
          debt: at(row, 3),
          collDecimals: coll.a.decimals,
          collPrice: up ? coll.price.max : coll.price.min,
          roundForMaxAum: up,
        });
        positive = positive.add(claim.positive);
        negative = negative.add(claim.negative);
      });
    }
  }
  const aumUsd = BN.max(positive.sub(negative), new BN(0));
  return { aumUsd, custodies: read.map((r) => ({ address: r.c.address, valueUsd: r.valueUsd, price: r.price })) };
}

/**
 * An LP's tokens in the pool's cooldown escrow (from their `LpAccount` record): how many, when
 * they can be claimed (`claim_lp`, or automatically by the next deposit once the time has come),
 * and whether that time has come at `now`.
 */
export function lpEscrowStatus(
  record: { escrowedLp: BN; unlockTime: BN } | null,
  now: BN,
): { escrowedLp: BN; unlockTime: BN; claimable: boolean; secondsLeft: number } {
  if (!record || record.escrowedLp.isZero())
    return { escrowedLp: new BN(0), unlockTime: new BN(0), claimable: false, secondsLeft: 0 };
  const left = record.unlockTime.sub(now);
  return {
    escrowedLp: record.escrowedLp,
    unlockTime: record.unlockTime,
    claimable: !left.gtn(0),
    secondsLeft: left.gtn(0) ? left.toNumber() : 0,
  };
}

/** LP token price in USD with 6 decimals (LP has 6 decimals too); 1 USD for an empty pool. */
export function lpPriceUsd(state: PoolState, side: PriceSide, now: BN): BN {
  if (state.lpSupply.isZero()) return new BN(1_000_000);
  return valuePool(state, side, now).aumUsd.mul(new BN(1_000_000)).div(state.lpSupply);
}

/** Each custody's share of pool value next to its target and bounds, in bps. */
export function composition(state: PoolState, now: BN) {
  const v = valuePool(state, "min", now);
  return state.custodies.map((c, i) => ({
    custody: c.address,
    mint: c.account.mint,
    valueUsd: at(v.custodies, i).valueUsd,
    weightBps: v.aumUsd.isZero() ? 0 : at(v.custodies, i).valueUsd.muln(10_000).div(v.aumUsd).toNumber(),
    targetBps: c.account.targetWeightBps,
    minBps: c.account.minWeightBps,
    maxBps: c.account.maxWeightBps,
  }));
}

/**
 * Each custody's insurance fund (SPEC §5): tokens (accrued to `now`, so the
 * lending reserve share is included) and their USD value at the MIN price;
 * it pays bad debt before the pool does.
 */
export function insuranceFunds(state: PoolState, now: BN) {
  const accrued = withAccrued(
    state,
    state.custodies.map((c) => c.address),
    now,
  );
  const v = valuePool(accrued, "min", now);
  return accrued.custodies.map((c, i) => {
    const a = c.account;
    const valueUsd = tokenToUsdFloor(a.insurance, at(v.custodies, i).price.min, a.decimals);
    return { custody: c.address, mint: a.mint, tokens: a.insurance, valueUsd };
  });
}

/** The state with the given custodies accrued to `now`, as the program accrues what it writes. */
export function withAccrued(state: PoolState, custodies: PublicKey[], now: BN): PoolState {
  const shares = { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
  return {
    ...state,
    custodies: state.custodies.map((c) =>
      custodies.some((k) => k.equals(c.address)) ? { ...c, account: accrueCustody(c.account, now, shares) } : c,
    ),
  };
}

function custodyIndex(state: PoolState, custody: PublicKey): number {
  const i = state.custodies.findIndex((c) => c.address.equals(custody));
  if (i < 0) throw new Error(`custody ${custody.toBase58()} is not in pool ${state.address.toBase58()}`);
  return i;
}

/** A custody of the pool by address (throws if the pool has no such custody). */
export function findCustody(state: PoolState, custody: PublicKey): CustodyState {
  return at(state.custodies, custodyIndex(state, custody));
}

/** What `add_liquidity(amountIn, ·)` will do at time `now`: LP out, fee, fee split. */
export function quoteDeposit(original: PoolState, custody: PublicKey, amountIn: BN, now: BN): AddLiquidityQuote {
  const state = withAccrued(original, [custody], now);
  const i = custodyIndex(state, custody);
  const c = at(state.custodies, i).account;
  const v = valuePool(state, "max", now);
  return quoteAddLiquidity({
    amountIn,
    decimals: c.decimals,
    price: at(v.custodies, i).price.min,
    custodyUsd: at(v.custodies, i).valueUsd,
    aumUsd: v.aumUsd,
    lpSupply: state.lpSupply,
    targetWeightBps: new BN(c.targetWeightBps),
    maxWeightBps: new BN(c.maxWeightBps),
    baseFeeBps: new BN(c.baseFeeBps),
    taxFeeBps: new BN(c.taxFeeBps),
    protocolShareBps: new BN(state.pool.protocolFeeShareBps),
    insuranceShareBps: new BN(state.pool.insuranceFeeShareBps),
    maxAumUsd: state.pool.maxAumUsd,
    minFirstDepositUsd: state.pool.minFirstDepositUsd,
    deadLp: state.pool.deadLp,
    minLpMint: state.pool.minLpMint,
  });
}

/** What `remove_liquidity(lpIn, ·)` will do at time `now`. */
export function quoteRedeem(original: PoolState, custody: PublicKey, lpIn: BN, now: BN): RemoveLiquidityQuote {
  const state = withAccrued(original, [custody], now);
  const i = custodyIndex(state, custody);
  const c = at(state.custodies, i).account;
  const v = valuePool(state, "min", now);
  return quoteRemoveLiquidity({
    lpIn,
    lpSupply: state.lpSupply,
    aumUsd: v.aumUsd,
    decimals: c.decimals,
    price: at(v.custodies, i).price.max,
    custodyUsd: at(v.custodies, i).valueUsd,
    owned: c.owned,
    available: BN.max(c.owned.sub(c.locked).sub(c.lent), new BN(0)),
    targetWeightBps: new BN(c.targetWeightBps),
    minWeightBps: new BN(c.minWeightBps),
    baseFeeBps: new BN(c.baseFeeBps),
    taxFeeBps: new BN(c.taxFeeBps),
    protocolShareBps: new BN(state.pool.protocolFeeShareBps),
    insuranceShareBps: new BN(state.pool.insuranceFeeShareBps),
  });
}

/** What `swap(amountIn, ·)` from `custodyIn` to `custodyOut` will do at time `now`. */
export function quoteSwapExact(
  original: PoolState,
  custodyIn: PublicKey,
  custodyOut: PublicKey,
  amountIn: BN,
  now: BN,
): SwapQuote {
  const state = withAccrued(original, [custodyIn, custodyOut], now);
  const a = custodyIndex(state, custodyIn);
  const b = custodyIndex(state, custodyOut);
  const ci = at(state.custodies, a).account;
  const co = at(state.custodies, b).account;
  const v = valuePool(state, "min", now);
  return quoteSwap({
    amountIn,
    inDecimals: ci.decimals,
    inPrice: at(v.custodies, a).price.min,
    inCustodyUsd: at(v.custodies, a).valueUsd,
    inTargetBps: new BN(ci.targetWeightBps),
    inMaxWeightBps: new BN(ci.maxWeightBps),
    inBaseFeeBps: new BN(ci.baseFeeBps),
    inTaxFeeBps: new BN(ci.taxFeeBps),
    outDecimals: co.decimals,
    outPrice: at(v.custodies, b).price.max,
    outCustodyUsd: at(v.custodies, b).valueUsd,
    outTargetBps: new BN(co.targetWeightBps),
    outMinWeightBps: new BN(co.minWeightBps),
    outBaseFeeBps: new BN(co.baseFeeBps),
    outTaxFeeBps: new BN(co.taxFeeBps),
    outAvailable: BN.max(co.owned.sub(co.locked).sub(co.lent), new BN(0)),
    aumUsd: v.aumUsd,
    protocolShareBps: new BN(state.pool.protocolFeeShareBps),
    insuranceShareBps: new BN(state.pool.insuranceFeeShareBps),
  });
}

/** The custody list every pool-valuing instruction ends with: each custody and its oracle, in pool order. */
export function custodyListAccounts(state: PoolState): anchor.web3.AccountMeta[] {
  return state.custodies.flatMap((c) => [
    { pubkey: c.address, isSigner: false, isWritable: false },
    { pubkey: c.account.oracle, isSigner: false, isWritable: false },
  ]);
}

/** A slot of the custody list (the pool holds at most `MAX_CUSTODIES`). */
export type CustodySlot = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
/** The custody list's accounts as the IDL names them: slot `i` is `custody<i>` and its price feed `oracle<i>`. */
export type CustodySlotAccounts = Record<`custody${CustodySlot}` | `oracle${CustodySlot}`, PublicKey | null>;

/**
 * The custody list as the IDL's named accounts (deposit, redemption, swap): the pool's custodies and
 * their oracles, `null` (absent) for the unused slots. {@link usedSlotsOnly} then drops the absent
 * ones, which the program does not need.
 */
export function custodySlotAccounts(state: PoolState): CustodySlotAccounts {
  const out: Partial<CustodySlotAccounts> = {};
  for (let i = 0; i < MAX_CUSTODIES; i++) {
    const c = state.custodies[i];
    out[`custody${i as CustodySlot}`] = c?.address ?? null;
    out[`oracle${i as CustodySlot}`] = c?.account.oracle ?? null;
  }
  return out as CustodySlotAccounts;
}

/**
 * `ix` (built with {@link custodySlotAccounts}) without the unused slots at its end: the program
 * takes either every slot or the used ones alone, and the shorter list is the smaller transaction.
 */
export function usedSlotsOnly(
  ix: anchor.web3.TransactionInstruction,
  state: PoolState,
): anchor.web3.TransactionInstruction {
  const keep = ix.keys.length - 2 * (MAX_CUSTODIES - state.custodies.length);
  // What is dropped must be the absent slots (anchor passes the program's address for them).
  if (keep < 0 || ix.keys.slice(keep).some((k) => !k.pubkey.equals(ix.programId)))
    throw new Error("usedSlotsOnly: the instruction does not end with the pool's unused custody slots");
  return new anchor.web3.TransactionInstruction({
    programId: ix.programId,
    keys: ix.keys.slice(0, keep),
    data: ix.data,
  });
}
