/**
 * The price publisher of local clusters (`programs/pyth-publisher`), deployed
 * at the Pyth receiver's address and nowhere else: it writes fully verified
 * `PriceUpdateV2` accounts, so Perpool reads the same oracle accounts, through
 * the same code, on a local cluster as on a real one.
 *
 * Price accounts live at PDAs `[shard (u16 LE), feed_id]` of the publisher,
 * the shape of Pyth's sponsored feed accounts, whose PDAs on real clusters
 * belong to Pyth's push oracle (`pythPushFeedAccount`). The first writer of an
 * account is its `write_authority` and the only one who may update it; an
 * update never moves `publish_time` backwards.
 */
import {
  Connection,
  PublicKey,
  SystemProgram,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from "@solana/web3.js";
import BN from "bn.js";

import { PYTH_PUSH_ORACLE_PROGRAM_ID, PYTH_RECEIVER_PROGRAM_ID } from "./constants";

/** Where the publisher runs: the Pyth receiver's address (local clusters only). */
export const PRICE_PUBLISHER_PROGRAM_ID = PYTH_RECEIVER_PROGRAM_ID;

/** sha256("global:publish_price")[..8] */
export const PUBLISH_PRICE_DISCRIMINATOR = Buffer.from([117, 13, 6, 171, 29, 204, 11, 1]);
/** sha256("global:identify")[..8] */
export const IDENTIFY_DISCRIMINATOR = Buffer.from([252, 78, 40, 148, 155, 165, 119, 253]);
/** What `identify` returns; the real Pyth receiver has no such instruction. */
export const PUBLISHER_IDENTITY = "perpool-pyth-publisher 1";

/** The publisher's errors by code (programs/pyth-publisher/src/error.rs). */
export const PUBLISHER_ERRORS: Record<number, string> = {
  7000: "InvalidInstructionData",
  7001: "NotEnoughAccounts",
  7002: "MissingSigner",
  7003: "AccountNotWritable",
  7004: "InvalidSystemProgram",
  7005: "InvalidPda",
  7006: "InvalidPriceAccount",
  7007: "NotWriteAuthority",
  7008: "PublishTimeWentBackwards",
  7009: "InsufficientLamports",
  7010: "SysvarUnavailable",
};

export type FeedId = Buffer | Uint8Array | number[];

function feedBytes(feedId: FeedId): Buffer {
  const b = Buffer.from(feedId as Uint8Array);
  if (b.length !== 32) throw new Error(`a Pyth feed id is 32 bytes, not ${b.length}`);
  return b;
}

function shardBytes(shard: number): Buffer {
  if (!Number.isInteger(shard) || shard < 0 || shard > 0xffff) throw new Error(`shard ${shard}: expected a u16`);
  const b = Buffer.alloc(2);
  b.writeUInt16LE(shard);
  return b;
}

/** A feed id from its hex form (Pyth lists them as 0x-prefixed hex). */
export function feedIdFromHex(hex: string): Buffer {
  const clean = hex.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new Error(`feed id ${hex}: expected 32 bytes of hex`);
  return Buffer.from(clean, "hex");
}

/** The publisher's price account of a feed: PDA `[shard (u16 LE), feed_id]`. */
export function priceFeedPda(feedId: FeedId, shard = 0, programId = PRICE_PUBLISHER_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([shardBytes(shard), feedBytes(feedId)], programId);
}

/** The sponsored `PriceUpdateV2` account of a feed on real clusters (Pyth push oracle, same seeds). */
export function pythPushFeedAccount(feedId: FeedId, shard = 0): PublicKey {
  return priceFeedPda(feedId, shard, PYTH_PUSH_ORACLE_PROGRAM_ID)[0];
}

export interface PublishPriceArgs {
  /** Signs and pays; becomes the write authority of a new account, must be it for an existing one. */
  authority: PublicKey;
  feedId: FeedId;
  /** Default 0. */
  shard?: number;
  /** Price, confidence, EMA price and EMA confidence, scaled by 10^exponent. */
  price: BN;
  conf?: BN;
  exponent: number;
  /** Unix seconds; default: the cluster clock when the transaction lands. */
  publishTime?: BN;
  /** Default: `price`. */
  emaPrice?: BN;
  /** Default: `conf`. */
  emaConf?: BN;
}

/** `publish_price`: creates or updates the feed's fully verified `PriceUpdateV2` account. */
export function publishPriceIx(args: PublishPriceArgs): TransactionInstruction {
  const shard = args.shard ?? 0;
  const feed = feedBytes(args.feedId);
  const conf = args.conf ?? new BN(0);
  const i64 = (v: BN) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v.toString()));
    return b;
  };
  const u64 = (v: BN) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v.toString()));
    return b;
  };
  const exponent = Buffer.alloc(4);
  exponent.writeInt32LE(args.exponent);
  const publishTime =
    args.publishTime === undefined ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), i64(args.publishTime)]);
  const data = Buffer.concat([
    PUBLISH_PRICE_DISCRIMINATOR,
    shardBytes(shard),
    feed,
    i64(args.price),
    u64(conf),
    exponent,
    publishTime,
    i64(args.emaPrice ?? args.price),
    u64(args.emaConf ?? conf),
  ]);
  return new TransactionInstruction({
    programId: PRICE_PUBLISHER_PROGRAM_ID,
    keys: [
      { pubkey: args.authority, isSigner: true, isWritable: true },
      { pubkey: priceFeedPda(feed, shard)[0], isSigner: false, isWritable: true },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
    ],
    data,
  });
}

/** What a `publish_price` instruction carries (`publishTime` null: the cluster clock when it landed). */
export interface PublishedPrice {
  shard: number;
  feedId: Buffer;
  price: BN;
  conf: BN;
  exponent: number;
  publishTime: BN | null;
  emaPrice: BN;
  emaConf: BN;
}

/** Decodes `publish_price` instruction data; null for any other data. */
export function decodePublishPrice(data: Buffer): PublishedPrice | null {
  if (data.length < 8 || !data.subarray(0, 8).equals(PUBLISH_PRICE_DISCRIMINATOR)) return null;
  let o = 8;
  const need = (n: number) => o + n <= data.length;
  if (!need(2 + 32 + 8 + 8 + 4 + 1)) return null;
  const shard = data.readUInt16LE(o);
  o += 2;
  const feedId = Buffer.from(data.subarray(o, o + 32));
  o += 32;
  const price = new BN(data.readBigInt64LE(o).toString());
  const conf = new BN(data.readBigUInt64LE(o + 8).toString());
  const exponent = data.readInt32LE(o + 16);
  o += 20;
  let publishTime: BN | null = null;
  const tag = data[o++];
  if (tag === 1) {
    if (!need(8)) return null;
    publishTime = new BN(data.readBigInt64LE(o).toString());
    o += 8;
  } else if (tag !== 0) {
    return null;
  }
  if (o + 16 !== data.length) return null;
  return {
    shard,
    feedId,
    price,
    conf,
    exponent,
    publishTime,
    emaPrice: new BN(data.readBigInt64LE(o).toString()),
    emaConf: new BN(data.readBigUInt64LE(o + 8).toString()),
  };
}

/** `identify`: no accounts; the publisher answers with `PUBLISHER_IDENTITY` as return data. */
export function identifyIx(): TransactionInstruction {
  return new TransactionInstruction({
    programId: PRICE_PUBLISHER_PROGRAM_ID,
    keys: [],
    data: Buffer.from(IDENTIFY_DISCRIMINATOR),
  });
}

/**
 * Whether the cluster runs this publisher at the Pyth receiver's address
 * (a local cluster) rather than the real receiver: simulates `identify`
 * with `payer` (an existing account) as fee payer. Nothing is sent.
 */
export async function isPricePublisher(connection: Connection, payer: PublicKey): Promise<boolean> {
  const program = await connection.getAccountInfo(PRICE_PUBLISHER_PROGRAM_ID);
  if (!program?.executable) return false;
  const { blockhash } = await connection.getLatestBlockhash();
  const message = new TransactionMessage({
    payerKey: payer,
    recentBlockhash: blockhash,
    instructions: [identifyIx()],
  }).compileToV0Message();
  const sim = await connection.simulateTransaction(new VersionedTransaction(message), {
    sigVerify: false,
    replaceRecentBlockhash: true,
  });
  const ret = sim.value.returnData;
  if (sim.value.err !== null || !ret || ret.programId !== PRICE_PUBLISHER_PROGRAM_ID.toBase58()) return false;
  return Buffer.from(ret.data[0], "base64").toString("utf8") === PUBLISHER_IDENTITY;
}
