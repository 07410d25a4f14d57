/**
 * `@perpool/sdk/testing`: the LiteSVM provider and a ready pool, for integrators' tests.
 *
 * Loads `litesvm` (a native module): install it next to the SDK (`npm i -D litesvm @solana/kit`).
 * Nothing here is reachable from the package root.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

import { parseUnits } from "./cli/units";
import { PERPOOL_PROGRAM_ID } from "./constants";
import { addCustodyIx, createPoolIx, custodyAddresses, custodyOracleAddress, initConfigIx } from "./instructions";
import { lpMintPda, poolPda } from "./pda";
import { PoolState, fetchPoolState } from "./pool";
import { PerpoolProgram, perpoolProgram } from "./program";
import { LiteSvmProvider } from "./provider/litesvm";
import { createMint, createTokenAccount, getTokenBalance, mintTo } from "./provider/token";
import { publishPriceIx } from "./publisher";
import { defaultCustodyParams, defaultPoolParams } from "./types";
import type { CustodyParams, PoolParams } from "./types";

export * from "./provider";

/**
 * Where the package keeps the program binaries (`dist/programs`), and the repository's build output
 * (target/deploy, or target/deploy-v3 for the SBPF v3 build when PERPOOL_SBPF=v3).
 */
const BINARY_DIRS = [
  path.join(__dirname, "..", "programs"),
  path.join(__dirname, "..", "..", "target", repoBuild(process.env.PERPOOL_SBPF)),
];

/** The repository's build folder for `PERPOOL_SBPF` (unset or `v0`, or `v3`); anything else is refused. */
function repoBuild(sbpf: string | undefined): string {
  if (!sbpf || sbpf === "v0") return "deploy";
  if (sbpf === "v3") return "deploy-v3";
  throw new Error(`PERPOOL_SBPF must be v0 or v3, not ${sbpf}`);
}

/** The Perpool program and the local Pyth price publisher, as built for this package version. */
export function programBinaries(): { perpool: Buffer; publisher: Buffer } {
  for (const dir of BINARY_DIRS) {
    const perpool = path.join(dir, "perpool.so");
    const publisher = path.join(dir, "pyth_publisher.so");
    if (fs.existsSync(perpool) && fs.existsSync(publisher))
      return { perpool: fs.readFileSync(perpool), publisher: fs.readFileSync(publisher) };
  }
  throw new Error(
    `program binaries not found (looked in ${BINARY_DIRS.join(", ")}); pass them to createTestPool({ binaries })`,
  );
}

export interface TestAssetSpec {
  symbol: string;
  decimals: number;
  /** Starting price in USD (a decimal string or number, up to 8 decimals). */
  price: number | string;
  params?: Partial<CustodyParams>;
}

export interface TestAsset extends TestAssetSpec {
  mint: PublicKey;
  custody: PublicKey;
  vault: PublicKey;
  /** The asset's Pyth `PriceUpdateV2` account (published by the local price publisher). */
  oracle: PublicKey;
  feedId: Buffer;
}

export interface TestUser {
  keypair: Keypair;
  wallet: anchor.Wallet;
  /** The user's token account of each asset, by symbol. */
  tokens: Record<string, PublicKey>;
  /** The user's LP token account. */
  lp: PublicKey;
  /** The user's token account of `symbol` (throws for an asset the pool does not have). */
  token(symbol: string): PublicKey;
}

export interface TestPool {
  provider: LiteSvmProvider;
  program: PerpoolProgram;
  /** The admin: the provider's wallet, the program's upgrade authority and every price feed's publisher. */
  admin: Keypair;
  pool: PublicKey;
  assets: Record<string, TestAsset>;
  /** The asset of `symbol` (throws for an asset the pool does not have). */
  asset(symbol: string): TestAsset;
  state(): Promise<PoolState>;
  /** The cluster clock's unix time, as the quotes take it. */
  now(): BN;
  /** Publishes a new price (USD) for an asset at the current clock. */
  setPrice(symbol: string, price: number | string): Promise<void>;
  /** A funded user (1,000 SOL for fees) holding `fund[symbol]` whole tokens of each asset. */
  user(fund?: Record<string, number | string>): Promise<TestUser>;
  /** Token balance of a token account, in base units. */
  balance(account: PublicKey): BN;
  /** Signs with the provider's wallet and `signers`, sends and returns the signature. */
  send(ixs: TransactionInstruction[], signers?: Keypair[]): Promise<string>;
}

export const DEFAULT_TEST_ASSETS: TestAssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5_000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5_000 } },
];

/** A decimal amount as an integer of `decimals` places (zero allowed); refuses anything but a plain decimal. */
function scaled(value: number | string, decimals: number): BN {
  return parseUnits(String(value), decimals, "amount", { allowZero: true });
}

/** The Pyth feed id the test pools give an asset: sha256("perpool-test-feed:" + symbol). */
export const testFeedId = (symbol: string): Buffer =>
  createHash("sha256").update(`perpool-test-feed:${symbol}`).digest();

/** An asset to list in a pool ([`listPool`]). */
export interface ListingAsset {
  symbol: string;
  decimals: number;
  /** The Pyth feed id its custody reads (the price account is the publisher's account of it). */
  feedId: Buffer;
  /** A mint that already exists (another pool's); else one is created, with `mintKeypair` when given. */
  mint?: PublicKey;
  mintKeypair?: Keypair;
  /** Custody parameters over `defaultCustodyParams` (the feed id is set from `feedId`). */
  params?: Partial<CustodyParams>;
}

/** An asset as [`listPool`] listed it. */
export interface ListedAsset {
  symbol: string;
  decimals: number;
  mint: PublicKey;
  custody: PublicKey;
  vault: PublicKey;
  /** The publisher's `PriceUpdateV2` account of `feedId`. */
  oracle: PublicKey;
  feedId: Buffer;
}

/** What the listing needs from its caller: how to send the admin's instructions and publish a first price. */
export interface ListingHost {
  provider: LiteSvmProvider;
  program: PerpoolProgram;
  admin: PublicKey;
  /** Sends instructions the admin signs; `what` names them in a failure. */
  send: (ixs: TransactionInstruction[], what: string) => unknown;
  /** Publishes the asset's first price (its price account must exist before its custody names it). */
  publish: (asset: ListingAsset) => unknown;
}

/**
 * Creates pool `name` with `params` and lists `assets` in it, in order: for each its mint (unless
 * given), its first price, its custody. Every test world builds its pools through this.
 */
export async function listPool(
  host: ListingHost,
  name: string,
  params: PoolParams,
  assets: ListingAsset[],
): Promise<{ pool: PublicKey; lpMint: PublicKey; assets: Record<string, ListedAsset> }> {
  const { provider, program, admin } = host;
  await host.send([await createPoolIx(program, { admin, name, params })], `create_pool ${name}`);
  const [pool] = poolPda(name, program.programId);
  const listed: Record<string, ListedAsset> = {};
  for (const a of assets) {
    const mint =
      a.mint ?? (await createMint(provider, a.decimals, admin, a.mintKeypair ? { keypair: a.mintKeypair } : {}));
    await host.publish(a);
    const custodyParams = defaultCustodyParams({ feedId: Array.from(a.feedId), ...a.params });
    const oracle = custodyOracleAddress(custodyParams);
    await host.send(
      [await addCustodyIx(program, { admin, pool, mint, params: custodyParams })],
      `add_custody ${name} ${a.symbol}`,
    );
    const { custody, vault } = custodyAddresses(pool, mint, program.programId);
    listed[a.symbol] = { symbol: a.symbol, decimals: a.decimals, mint, custody, vault, oracle, feedId: a.feedId };
  }
  return { pool, lpMint: lpMintPda(pool, program.programId)[0], assets: listed };
}

/**
 * A fresh LiteSVM with Perpool deployed (upgradeable, the admin its authority), prices on real
 * Pyth `PriceUpdateV2` accounts, a config and a pool of `assets` with settings that change at once
 * and no LP cooldown, as on a local cluster.
 */
export async function createTestPool(
  opts: {
    assets?: TestAssetSpec[];
    name?: string;
    poolParams?: Partial<PoolParams>;
    /** The config's minimum settings timelock (0: pools may change settings at once, as on a local cluster). */
    minTimelockSecs?: number;
    binaries?: { perpool: Uint8Array; publisher: Uint8Array };
  } = {},
): Promise<TestPool> {
  const admin = Keypair.generate();
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin));
  const binaries = opts.binaries ?? programBinaries();
  provider.addUpgradeableProgram(PERPOOL_PROGRAM_ID, binaries.perpool, admin.publicKey);
  provider.addPricePublisher(binaries.publisher);
  const program = perpoolProgram(provider);
  const send = (ixs: TransactionInstruction[], signers: Keypair[] = []) =>
    provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  const publish = (feedId: Buffer, price: number | string) => {
    const e8 = scaled(price, 8);
    return send([
      publishPriceIx({ authority: admin.publicKey, feedId, price: e8, emaPrice: e8, conf: new BN(0), exponent: -8 }),
    ]).then(() => undefined);
  };

  const name = opts.name ?? "main";
  await send([await initConfigIx(program, admin.publicKey, { minTimelockSecs: opts.minTimelockSecs ?? 0 })]);
  const specs = opts.assets ?? DEFAULT_TEST_ASSETS;
  const prices = new Map<string, number | string>(specs.map((spec) => [spec.symbol, spec.price]));
  const listing = await listPool(
    {
      provider,
      program,
      admin: admin.publicKey,
      send: (ixs) => send(ixs),
      publish: (a) => publish(a.feedId, prices.get(a.symbol)!),
    },
    name,
    defaultPoolParams({ timelockSecs: 0, lpCooldownSecs: 0, ...opts.poolParams }),
    specs.map((spec) => ({
      symbol: spec.symbol,
      decimals: spec.decimals,
      feedId: testFeedId(spec.symbol),
      ...(spec.params ? { params: spec.params } : {}),
    })),
  );
  const { pool } = listing;
  const assets: Record<string, TestAsset> = {};
  for (const spec of specs) assets[spec.symbol] = { ...spec, ...listing.assets[spec.symbol]! };
  const asset = (symbol: string): TestAsset => {
    const a = assets[symbol];
    if (!a) throw new Error(`no asset ${symbol} in the test pool (have ${Object.keys(assets).join(", ")})`);
    return a;
  };

  return {
    provider,
    program,
    admin,
    pool,
    assets,
    asset,
    state: () => fetchPoolState(program, pool),
    now: () => new BN(provider.getClock().unixTimestamp.toString()),
    setPrice: (symbol, price) => publish(asset(symbol).feedId, price),
    balance: (account) => getTokenBalance(provider, account),
    send,
    user: async (fund = {}) => {
      const keypair = Keypair.generate();
      provider.airdrop(keypair.publicKey, 1_000n * 1_000_000_000n);
      const tokens: Record<string, PublicKey> = {};
      for (const a of Object.values(assets)) {
        const account = await createTokenAccount(provider, a.mint, keypair.publicKey);
        tokens[a.symbol] = account;
        const whole = fund[a.symbol];
        if (whole !== undefined) await mintTo(provider, a.mint, account, admin, scaled(whole, a.decimals));
      }
      const state = await fetchPoolState(program, pool);
      const lp = await createTokenAccount(provider, state.pool.lpMint, keypair.publicKey);
      const token = (symbol: string): PublicKey => {
        const account = tokens[symbol];
        if (!account) throw new Error(`no asset ${symbol} in the test pool`);
        return account;
      };
      return { keypair, wallet: new anchor.Wallet(keypair), tokens, lp, token };
    },
  };
}
