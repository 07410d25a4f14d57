/**
 * Oracle accounts: Pyth pull-oracle `PriceUpdateV2` (decode, and encode for
 * forged accounts in tests), read with the same checks as the program
 * (`programs/perpool/src/oracle.rs`). Local clusters publish real ones
 * through the price publisher (`publisher.ts`).
 */
import { AccountInfo, PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { OracleKind, PYTH_RECEIVER_PROGRAM_ID } from "./constants";
import { Custody } from "./idl/types";
import { confWithin, minMax, normalizeConf, normalizePrice } from "./math";

/** sha256("account:PriceUpdateV2")[..8] */
export const PRICE_UPDATE_V2_DISCRIMINATOR = Buffer.from([34, 241, 35, 99, 157, 126, 244, 205]);
/** Size the Pyth receiver allocates (room for the Partial variant). */
export const PRICE_UPDATE_V2_SIZE = 134;

export interface PriceUpdateV2 {
  writeAuthority: PublicKey;
  /** "full", or the number of guardian signatures checked for a partial update. */
  verification: "full" | { partial: number };
  feedId: Buffer;
  price: BN;
  conf: BN;
  exponent: number;
  publishTime: BN;
  prevPublishTime: BN;
  emaPrice: BN;
  emaConf: BN;
  postedSlot: BN;
}

export function encodePriceUpdateV2(u: PriceUpdateV2): Buffer {
  const out = Buffer.alloc(PRICE_UPDATE_V2_SIZE);
  PRICE_UPDATE_V2_DISCRIMINATOR.copy(out, 0);
  u.writeAuthority.toBuffer().copy(out, 8);
  let o = 40;
  if (u.verification === "full") {
    out[o++] = 1;
  } else {
    out[o++] = 0;
    out[o++] = u.verification.partial;
  }
  if (u.feedId.length !== 32) throw new Error("feed id must be 32 bytes");
  u.feedId.copy(out, o);
  o += 32;
  out.writeBigInt64LE(BigInt(u.price.toString()), o);
  out.writeBigUInt64LE(BigInt(u.conf.toString()), o + 8);
  out.writeInt32LE(u.exponent, o + 16);
  out.writeBigInt64LE(BigInt(u.publishTime.toString()), o + 20);
  out.writeBigInt64LE(BigInt(u.prevPublishTime.toString()), o + 28);
  out.writeBigInt64LE(BigInt(u.emaPrice.toString()), o + 36);
  out.writeBigUInt64LE(BigInt(u.emaConf.toString()), o + 44);
  out.writeBigUInt64LE(BigInt(u.postedSlot.toString()), o + 52);
  return out;
}

export function decodePriceUpdateV2(data: Buffer): PriceUpdateV2 {
  if (data.length < 133 || !data.subarray(0, 8).equals(PRICE_UPDATE_V2_DISCRIMINATOR)) {
    throw new Error("not a PriceUpdateV2 account");
  }
  let o = 40;
  const tag = data[o++];
  const verification: PriceUpdateV2["verification"] = tag === 1 ? "full" : { partial: data.readUInt8(o++) };
  const i64 = (at: number) => new BN(data.readBigInt64LE(at).toString());
  const u64 = (at: number) => new BN(data.readBigUInt64LE(at).toString());
  return {
    writeAuthority: new PublicKey(data.subarray(8, 40)),
    verification,
    feedId: Buffer.from(data.subarray(o, o + 32)),
    price: i64(o + 32),
    conf: u64(o + 40),
    exponent: data.readInt32LE(o + 48),
    publishTime: i64(o + 52),
    prevPublishTime: i64(o + 60),
    emaPrice: i64(o + 68),
    emaConf: u64(o + 76),
    postedSlot: u64(o + 84),
  };
}

/** A checked oracle reading, prices in USD per whole token with 9 decimals. */
export interface OraclePrice {
  spot: BN;
  ema: BN;
  conf: BN;
  /** min(spot, ema): the price the pool pays for tokens it takes in. */
  min: BN;
  /** max(spot, ema): the price the pool charges for tokens it gives out. */
  max: BN;
  /** The oracle's publish time, unix seconds. */
  publishTime: BN;
}

/** The program error the same reading fails with on chain. */
export class OracleError extends Error {
  constructor(readonly code: string) {
    super(`oracle: ${code}`);
    this.name = "OracleError";
  }
}

/**
 * Reads a custody's price exactly as the program does, with the same checks
 * and the same error names.
 */
export function readOraclePrice(
  custody: Custody,
  oracleKey: PublicKey,
  oracle: AccountInfo<Buffer> | null,
  now: BN,
): OraclePrice {
  if (!oracle || !oracleKey.equals(custody.oracle) || custody.oracleKind !== OracleKind.PYTH) {
    throw new OracleError("InvalidOracleAccount");
  }
  if (!oracle.owner.equals(PYTH_RECEIVER_PROGRAM_ID)) throw new OracleError("InvalidOracleAccount");
  let u: PriceUpdateV2;
  try {
    u = decodePriceUpdateV2(oracle.data);
  } catch {
    throw new OracleError("InvalidOracleAccount");
  }
  if (u.verification !== "full") throw new OracleError("OracleNotFullyVerified");
  if (!u.feedId.equals(Buffer.from(custody.feedId))) throw new OracleError("OracleFeedMismatch");
  const raw = { price: u.price, emaPrice: u.emaPrice, conf: u.conf, expo: u.exponent, publishTime: u.publishTime };
  if (now.sub(raw.publishTime).gt(new BN(custody.oracleMaxAgeSecs))) throw new OracleError("StaleOraclePrice");
  // Never older than a price the custody has already used (no choosing among signed updates).
  if (raw.publishTime.lt(custody.lastPriceTime)) throw new OracleError("OraclePriceOutdated");
  let spot: BN, ema: BN, conf: BN;
  try {
    spot = normalizePrice(raw.price, raw.expo, false);
    ema = normalizePrice(raw.emaPrice, raw.expo, false);
    conf = normalizeConf(raw.conf, raw.expo);
  } catch {
    throw new OracleError("InvalidPrice");
  }
  if (!confWithin(spot, conf, new BN(custody.oracleMaxConfBps))) throw new OracleError("OracleConfidenceTooWide");
  const [min, max] = minMax(spot, ema);
  return { spot, ema, conf, min, max, publishTime: raw.publishTime };
}
