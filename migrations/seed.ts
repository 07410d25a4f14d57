/**
 * Creates a demo pool on a cluster that runs the local price publisher:
 * config (if absent), pool, one mint and custody per asset, each priced by a
 * Pyth feed whose first price the admin publishes. Uses only the SDK.
 */
import * as anchor from "@coral-xyz/anchor";
import { PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import {
  LiteSvmProvider,
  PerpoolProgram,
  addCustodyIx,
  configPda,
  createMint,
  createPoolIx,
  custodyAddresses,
  defaultCustodyParams,
  defaultPoolParams,
  feedIdFromHex,
  initConfigIx,
  poolPda,
  priceFeedPda,
  publishPriceIx,
} from "../sdk/src";

export interface SeedAsset {
  symbol: string;
  decimals: number;
  /** USD price with 8 decimals (Pyth's exponent -8). */
  price: BN;
  isStable: boolean;
  targetWeightBps: number;
  /** Pyth feed id. */
  feedId: Buffer;
}

export const DEMO_ASSETS: SeedAsset[] = [
  {
    symbol: "SOL",
    decimals: 9,
    price: new BN("15000000000"),
    isStable: false,
    targetWeightBps: 3000,
    feedId: feedIdFromHex("ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d"),
  },
  {
    symbol: "BTC",
    decimals: 8,
    price: new BN("9500000000000"),
    isStable: false,
    targetWeightBps: 2000,
    feedId: feedIdFromHex("e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43"),
  },
  {
    symbol: "ETH",
    decimals: 8,
    price: new BN("350000000000"),
    isStable: false,
    targetWeightBps: 2000,
    feedId: feedIdFromHex("ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace"),
  },
  {
    symbol: "USDC",
    decimals: 6,
    price: new BN("100000000"),
    isStable: true,
    targetWeightBps: 3000,
    feedId: feedIdFromHex("eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a"),
  },
];

export interface SeededAsset extends SeedAsset {
  mint: PublicKey;
  custody: PublicKey;
  vault: PublicKey;
  oracle: PublicKey;
}

async function send(provider: anchor.Provider, ixs: TransactionInstruction[]): Promise<void> {
  await provider.sendAndConfirm!(new Transaction().add(...ixs));
}

export async function seedPool(
  provider: anchor.Provider,
  program: PerpoolProgram,
  name = "main",
  assets: SeedAsset[] = DEMO_ASSETS,
): Promise<{ pool: PublicKey; assets: SeededAsset[] }> {
  const admin = provider.publicKey!;
  if (!(await provider.connection.getAccountInfo(configPda(program.programId)[0]))) {
    await send(provider, [await initConfigIx(program, admin)]);
  }
  const [pool] = poolPda(name, program.programId);
  await send(provider, [await createPoolIx(program, { admin, name, params: defaultPoolParams() })]);
  const seeded: SeededAsset[] = [];
  for (const a of assets) {
    const mint = await createMint(provider as LiteSvmProvider, a.decimals, admin);
    await send(provider, [publishPriceIx({ authority: admin, feedId: a.feedId, price: a.price, exponent: -8 })]);
    const [oracle] = priceFeedPda(a.feedId);
    const params = defaultCustodyParams({
      feedId: Array.from(a.feedId),
      isStable: a.isStable,
      targetWeightBps: a.targetWeightBps,
    });
    await send(provider, [await addCustodyIx(program, { admin, pool, mint, params, pythOracle: oracle })]);
    const { custody, vault } = custodyAddresses(pool, mint, program.programId);
    seeded.push({ ...a, mint, custody, vault, oracle });
  }
  return { pool, assets: seeded };
}
