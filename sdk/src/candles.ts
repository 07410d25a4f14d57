/**
 * Price candles from oracle updates, and what an oracle reading looks like
 * to someone watching it (its spot price and age, stale or not).
 *
 * Ticks come from two places: the oracle accounts' updates a client observes
 * (`oracleTick`), and past updates read back from the oracle's transactions
 * (`publishedPriceTicks`: the local price publisher's `publish_price`
 * instructions; real Pyth updates carry signed messages it does not decode,
 * so there the chart starts with what the client observes). Candles are built from ticks
 * with integer prices (9 decimals, as `OraclePrice`); only a chart turns
 * them into floats.
 */
import { PublicKey, VersionedTransactionResponse } from "@solana/web3.js";
import BN from "bn.js";

import { decodePriceUpdateV2, readOraclePrice } from "./oracle";
import { CustodyState, PoolState, findCustody } from "./pool";
import { PRICE_PUBLISHER_PROGRAM_ID, decodePublishPrice } from "./publisher";

/** One observed oracle price: unix seconds (the price's publish time) and the 9-decimal spot price. */
export interface PriceTick {
  time: number;
  price: BN;
}

export interface Candle {
  /** Start of the candle's interval, unix seconds. */
  time: number;
  open: BN;
  high: BN;
  low: BN;
  close: BN;
  /** Number of ticks in the candle. */
  ticks: number;
}

/** Chart timeframes (seconds per candle). */
export const CANDLE_TIMEFRAMES: { label: string; seconds: number }[] = [
  { label: "15s", seconds: 15 },
  { label: "1m", seconds: 60 },
  { label: "5m", seconds: 300 },
  { label: "15m", seconds: 900 },
  { label: "1h", seconds: 3_600 },
];

/** Ticks sorted by time, one per (time, price): the union of `a` and `b`. */
export function mergeTicks(a: PriceTick[], b: PriceTick[]): PriceTick[] {
  const seen = new Set<string>();
  const out: PriceTick[] = [];
  for (const t of [...a, ...b].sort((x, y) => x.time - y.time)) {
    const key = `${t.time}:${t.price.toString()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

/**
 * Candles of `intervalSec` seconds from ticks (in any order; ticks at the same
 * time keep their given order). An interval without a tick has no candle.
 */
export function buildCandles(ticks: PriceTick[], intervalSec: number): Candle[] {
  if (!Number.isInteger(intervalSec) || intervalSec <= 0)
    throw new Error(`candle interval must be a positive whole number of seconds, got ${intervalSec}`);
  const sorted = ticks
    .map((t, i) => ({ t, i }))
    .sort((a, b) => a.t.time - b.t.time || a.i - b.i)
    .map((x) => x.t);
  const out: Candle[] = [];
  for (const t of sorted) {
    if (t.price.isNeg() || t.price.isZero()) continue;
    const start = Math.floor(t.time / intervalSec) * intervalSec;
    const last = out[out.length - 1];
    if (last && last.time === start) {
      if (t.price.gt(last.high)) last.high = t.price;
      if (t.price.lt(last.low)) last.low = t.price;
      last.close = t.price;
      last.ticks++;
    } else {
      out.push({ time: start, open: t.price, high: t.price, low: t.price, close: t.price, ticks: 1 });
    }
  }
  return out;
}

/** The publish time (unix seconds) of a custody's oracle account as it was read, whatever its age; null when unreadable. */
export function oraclePublishTime(c: CustodyState): number | null {
  if (!c.oracle) return null;
  try {
    return Number(decodePriceUpdateV2(c.oracle.data).publishTime.toString());
  } catch {
    return null;
  }
}

/** A custody's oracle reading as a chart tick: its spot price and publish time, whatever its age; null when unreadable. */
export function oracleTick(state: PoolState, custody: PublicKey): PriceTick | null {
  const c = findCustody(state, custody);
  const time = oraclePublishTime(c);
  if (time === null) return null;
  try {
    // At the publish time itself the reading is as fresh as it gets: every other check still applies.
    const p = readOraclePrice(c.account, c.account.oracle, c.oracle, new BN(time));
    return { time, price: p.spot };
  } catch {
    return null;
  }
}

/** One instruction of a landed transaction, its accounts resolved. */
export interface LandedInstruction {
  programId: PublicKey;
  keys: PublicKey[];
  data: Buffer;
}

/** The instructions of a transaction as `getTransaction` returns it (legacy or v0, lookup tables resolved). */
export function landedInstructions(tx: VersionedTransactionResponse): LandedInstruction[] {
  const keys = tx.transaction.message.getAccountKeys(
    tx.meta?.loadedAddresses ? { accountKeysFromLookups: tx.meta.loadedAddresses } : {},
  );
  return tx.transaction.message.compiledInstructions.map((ix) => ({
    programId: keys.get(ix.programIdIndex)!,
    keys: ix.accountKeyIndexes.map((i) => keys.get(i)!),
    data: Buffer.from(ix.data),
  }));
}

/**
 * Past oracle updates read back from a landed transaction: each `publish_price`
 * of the local price publisher that wrote `oracle`, at its publish time (the
 * block time when it let the cluster clock choose), scaled to 9 decimals.
 */
export function publishedPriceTicks(
  instructions: LandedInstruction[],
  oracle: PublicKey,
  blockTime: number | null,
): PriceTick[] {
  const out: PriceTick[] = [];
  for (const ix of instructions) {
    if (!ix.programId.equals(PRICE_PUBLISHER_PROGRAM_ID) || !ix.keys[1]?.equals(oracle)) continue;
    const d = decodePublishPrice(ix.data);
    if (!d || d.price.lten(0)) continue;
    const time = d.publishTime ? Number(d.publishTime.toString()) : blockTime;
    if (time === null) continue;
    out.push({ time, price: scaleTo9(d.price, d.exponent) });
  }
  return out;
}

function scaleTo9(price: BN, expo: number): BN {
  const shift = expo + 9;
  return shift >= 0 ? price.mul(new BN(10).pow(new BN(shift))) : price.div(new BN(10).pow(new BN(-shift)));
}

/** Per custody: the oracle's publish time, its age at `now`, the custody's maximum age and whether the price is stale. */
export interface OracleAge {
  custody: PublicKey;
  publishTime: number | null;
  ageSec: number | null;
  maxAgeSec: number;
  stale: boolean;
}

export function oracleAges(state: PoolState, now: BN): OracleAge[] {
  const t = Number(now.toString());
  return state.custodies.map((c) => {
    const publishTime = oraclePublishTime(c);
    const ageSec = publishTime === null ? null : Math.max(t - publishTime, 0);
    const maxAgeSec = c.account.oracleMaxAgeSecs;
    return { custody: c.address, publishTime, ageSec, maxAgeSec, stale: ageSec === null || ageSec > maxAgeSec };
  });
}

/**
 * The pool as it was at its last prices, for showing while an oracle is stale:
 * every custody accepts its oracle whatever the price's age. Quotes from it
 * would be refused by the program; use it only to display the last values.
 */
export function withLastPrices(state: PoolState): PoolState {
  return {
    ...state,
    custodies: state.custodies.map((c) => ({ ...c, account: { ...c.account, oracleMaxAgeSecs: 0xffff_ffff } })),
  };
}
