/**
 * A seeded pool with funded users, shared by the program tests: the SDK's test pool
 * (`createTestPool` in sdk/src/testing.ts, what integrators use too) with the program tests'
 * conveniences on top. Prices are real Pyth `PriceUpdateV2` accounts published through the local
 * price publisher (the admin is every feed's write authority).
 *
 * Every pool of the tests is listed by `listPool` (sdk/src/testing.ts); the scenario suites'
 * `World` (tests/world.ts) adds the transaction runner (`TxRunner`), any number of pools, wallets,
 * prices and the books, configured by the security scenario (tests/security/world.ts) and the
 * economics one (tests/economics/harness.ts).
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  CustodyParams,
  addLiquidityIx,
  PoolParams,
  PoolState,
  createTokenAccount,
  CustodySettingsChange,
  custodySettingsOf,
  findCustody,
  fetchPoolState,
  getTokenBalance,
  mintTo,
  Side,
  positionPda,
  proposeAndExecuteCustodyParamsIxs,
  publishPriceIx,
  withSettings,
  parseUnits,
} from "../sdk/src";
import { createTestPool, testFeedId } from "../sdk/src/testing";
import { Ctx, builtPrograms, fundedKeypair, send } from "./helpers";

export interface AssetSpec {
  symbol: string;
  decimals: number;
  /** Price with 8 decimals (expo −8). */
  price: number;
  params?: Partial<CustodyParams>;
}

export interface Asset extends AssetSpec {
  mint: PublicKey;
  custody: PublicKey;
  vault: PublicKey;
  /** The publisher's `PriceUpdateV2` account of `feedId`. */
  oracle: PublicKey;
  feedId: Buffer;
}

export interface PoolFixture {
  ctx: Ctx;
  name: string;
  pool: PublicKey;
  assets: Record<string, Asset>;
  state: () => Promise<PoolState>;
  /** Publishes a price (8 decimals) at the current clock through the price publisher. */
  setPrice: (symbol: string, price: number, opts?: { ema?: number; conf?: number }) => Promise<void>;
  /** Changes custody settings at once (the fixture's pools have a zero timelock, as on a local cluster). */
  setCustody: (symbol: string, change: CustodySettingsChange) => Promise<void>;
  /** A user with a token account of every asset (funded) and an LP token account. */
  user: (fund?: Record<string, BN>) => Promise<User>;
}

export interface User {
  kp: Keypair;
  tokens: Record<string, PublicKey>;
  lp: PublicKey;
}

export const e8 = (usd: number) => new BN(Math.round(usd * 1e8));
/** A decimal amount in base units of `decimals` places (zero allowed; more decimals than that are refused). */
export const units = (amount: number | string, decimals: number) =>
  parseUnits(String(amount), decimals, "amount", { allowZero: true });

/** The Pyth feed id the fixtures give an asset (the SDK's test pool's). */
export { testFeedId };

/** Publishes a price (8 decimals) of `feedId` at the cluster clock, signed by `authority` (the feed's write authority). */
export async function publishPrice(
  ctx: Ctx,
  feedId: Buffer,
  price: number,
  o: { ema?: number; conf?: number } = {},
  authority?: Keypair,
): Promise<void> {
  const ix = publishPriceIx({
    authority: (authority ?? ctx.admin).publicKey,
    feedId,
    price: e8(price),
    emaPrice: e8(o.ema ?? price),
    conf: e8(o.conf ?? 0),
    exponent: -8,
  });
  await send(ctx, [ix], authority ? [authority] : []);
}

export const STANDARD_ASSETS: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

/**
 * A pool on a fresh SVM whose config allows any timelock, as a local cluster's does
 * (unless `minTimelockSecs` says otherwise); the pool's own timelock is 0 (settings
 * change at once) unless `poolParams` says otherwise.
 */
export async function poolFixture(
  assets: AssetSpec[] = STANDARD_ASSETS,
  opts: { name?: string; poolParams?: Partial<PoolParams>; minTimelockSecs?: number } = {},
): Promise<PoolFixture> {
  // The SDK's test pool (every test world lists its pools the same way); no LP cooldown unless a
  // test asks for one: most suites redeem right after depositing; tests/liquidity.test.ts and
  // tests/economics/ exercise the cooldown escrow.
  const name = opts.name ?? "main";
  const { program: perpool, publisher } = builtPrograms();
  const t = await createTestPool({
    name,
    assets,
    ...(opts.poolParams ? { poolParams: opts.poolParams } : {}),
    minTimelockSecs: opts.minTimelockSecs ?? 0,
    binaries: { perpool, publisher },
  });
  const ctx: Ctx = { provider: t.provider, program: t.program, admin: t.admin };
  const admin = ctx.admin.publicKey;
  const { pool } = t;
  const out: Record<string, Asset> = {};
  for (const a of assets) out[a.symbol] = { ...t.asset(a.symbol), ...a };
  const fixture: PoolFixture = {
    ctx,
    name,
    pool,
    assets: out,
    state: () => fetchPoolState(ctx.program, pool),
    setPrice: (symbol, price, o = {}) => publishPrice(ctx, out[symbol].feedId, price, o),
    setCustody: async (symbol, change) => {
      const state = await fetchPoolState(ctx.program, pool);
      const custody = out[symbol].custody;
      const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), change);
      await send(ctx, await proposeAndExecuteCustodyParamsIxs(ctx.program, state, { admin, custody, settings }));
    },
    user: async (fund = {}) => {
      const kp = fundedKeypair(ctx);
      const tokens: Record<string, PublicKey> = {};
      for (const a of Object.values(out)) {
        tokens[a.symbol] = await createTokenAccount(ctx.provider, a.mint, kp.publicKey);
        if (fund[a.symbol]) await mintTo(ctx.provider, a.mint, tokens[a.symbol], ctx.admin, fund[a.symbol]);
      }
      const state = await fetchPoolState(ctx.program, pool);
      const lp = await createTokenAccount(ctx.provider, state.pool.lpMint, kp.publicKey);
      return { kp, tokens, lp };
    },
  };
  return fixture;
}

/**
 * A new funded user whose position on `market` (a SOL long on USDC collateral unless given) has a canonical
 * bump that `want` accepts: opening a position costs more per bump below 255 (a hash and a curve test
 * each), so tests that measure or reason about that cost pick their owner by it. 64 tries.
 */
export async function userWithPositionBump(
  f: PoolFixture,
  want: (bump: number) => boolean,
  fund: Record<string, BN>,
  market: { custody?: PublicKey; collateralCustody?: PublicKey; side?: number } = {},
): Promise<User> {
  const custody = market.custody ?? f.assets.SOL!.custody;
  const collateral = market.collateralCustody ?? f.assets.USDC!.custody;
  for (let i = 0; i < 64; i++) {
    const who = await f.user(fund);
    if (want(positionPda(who.kp.publicKey, f.pool, custody, collateral, market.side ?? Side.LONG)[1])) return who;
  }
  throw new Error("no owner with such a position bump in 64 tries");
}

export const balance = (f: PoolFixture, account: PublicKey): BN => getTokenBalance(f.ctx.provider, account);
export const now = (f: PoolFixture): BN => new BN(f.ctx.provider.getClock().unixTimestamp.toString());

/**
 * SPEC §6.1 for every custody: vault tokens + lent + what positions owe =
 * owned + collateral + loan collateral + protocol fees + insurance +
 * limit-order escrow + interest credited to collateral and not yet settled.
 */
export async function expectAccounting(f: PoolFixture): Promise<void> {
  const state = await f.state();
  for (const c of state.custodies) {
    const a = c.account;
    const assets = balance(f, a.vault).add(a.lent).add(a.positionDebt);
    const books = a.owned
      .add(a.collateral)
      .add(a.loanCollateral)
      .add(a.protocolFees)
      .add(a.insurance)
      .add(a.orderCollateral)
      .add(a.collateralInterestDue);
    expect(assets.toString(), `accounting of custody ${c.address.toBase58()}`).to.equal(books.toString());
  }
}

/** A pool with deposits in both assets from `lpUser`, past the deposit slot. */
export async function fundedPool(assets: AssetSpec[] = STANDARD_ASSETS, opts: Parameters<typeof poolFixture>[1] = {}) {
  const f = await poolFixture(assets, opts);
  const lpUser = await f.user({ USDC: units(200_000, 6), SOL: units(2_000, 9) });
  for (const [symbol, amount] of [
    ["USDC", units(100_000, 6)],
    ["SOL", units(600, 9)],
  ] as const) {
    const state = await f.state();
    const ix = await addLiquidityIx(f.ctx.program, state, {
      owner: lpUser.kp.publicKey,
      custody: f.assets[symbol].custody,
      fundingAccount: lpUser.tokens[symbol],
      lpTokenAccount: lpUser.lp,
      amountIn: amount,
      minLpOut: new BN(0),
    });
    await send(f.ctx, [ix], [lpUser.kp]);
  }
  f.ctx.provider.warpSlots(1);
  return { f, lpUser };
}
