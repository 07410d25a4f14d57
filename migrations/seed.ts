/**
 * Creates a demo pool with test oracles: config (if absent), pool, one mint
 * and custody per asset, and a first price for each. Uses only the SDK.
 */
import * as anchor from "@coral-xyz/anchor";
import { PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import {
  LiteSvmProvider,
  OracleKind,
  PerpoolProgram,
  addCustodyIx,
  configPda,
  createMint,
  createPoolIx,
  custodyAddresses,
  defaultCustodyParams,
  defaultPoolParams,
  initConfigIx,
  poolPda,
  setTestPriceIx,
} from "../sdk/src";

export interface SeedAsset {
  symbol: string;
  decimals: number;
  /** USD price with 8 decimals (Pyth's usual exponent -8). */
  price: BN;
  isStable: boolean;
  targetWeightBps: number;
}

export const DEMO_ASSETS: SeedAsset[] = [
  { symbol: "SOL", decimals: 9, price: new BN("15000000000"), isStable: false, targetWeightBps: 3000 },
  { symbol: "BTC", decimals: 8, price: new BN("9500000000000"), isStable: false, targetWeightBps: 2000 },
  { symbol: "ETH", decimals: 8, price: new BN("350000000000"), isStable: false, targetWeightBps: 2000 },
  { symbol: "USDC", decimals: 6, price: new BN("100000000"), isStable: true, targetWeightBps: 3000 },
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
  await send(provider, [await createPoolIx(program, { admin, name, allowTestOracles: true, params: defaultPoolParams() })]);
  const seeded: SeededAsset[] = [];
  for (const a of assets) {
    const mint = await createMint(provider as LiteSvmProvider, a.decimals, admin);
    const params = defaultCustodyParams({ oracleKind: OracleKind.TEST, isStable: a.isStable, targetWeightBps: a.targetWeightBps });
    await send(provider, [await addCustodyIx(program, { admin, pool, mint, params })]);
    const { custody, vault, testOracle } = custodyAddresses(pool, mint, program.programId);
    await send(provider, [
      await setTestPriceIx(program, { admin, pool, custody, price: a.price, emaPrice: a.price, conf: new BN(0), expo: -8 }),
    ]);
    seeded.push({ ...a, mint, custody, vault, oracle: testOracle });
  }
  return { pool, assets: seeded };
}
