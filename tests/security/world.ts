/**
 * The adversarial test world: one LiteSVM with two pools whose accounts are
 * look-alikes of each other, traders with positions, loans and trigger orders,
 * and the transaction plumbing the security suites share (a dedicated fee
 * payer, signing from a key registry, failures classified by name).
 *
 * - `main`: Pyth `PriceUpdateV2` oracles published by the admin through the
 *   local price publisher (at the Pyth receiver's address); a test forges any
 *   field by writing the account straight into the SVM. SOL (9 decimals),
 *   ETH (8), USDC (6, stable).
 * - `alt`: the same SOL and USDC mints priced by feeds of its own: its
 *   custodies, vaults and oracles are the "other pool's" accounts of the same
 *   mint (an oracle of alt is a valid, fully verified price of another feed); a 20 s LP cooldown.
 *
 * After `buildWorld` the prices have moved so that every permissionless
 * instruction has a valid target: carol's 35x SOL long and her loan are
 * liquidatable, dave's ETH long may be auto-deleveraged (the ETH custody's
 * threshold is set to 1 bps), alice's take-profit and limit orders are
 * triggered.
 */
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { randomBytes } from "crypto";

import {
  IDL,
  OracleKind,
  OrderKind,
  PoolState,
  PYTH_RECEIVER_PROGRAM_ID,
  Side,
  TOKEN_PROGRAM_ID,
  TxResult,
  addLiquidityIx,
  borrowIx,
  createMint,
  createTokenAccount,
  defaultPoolParams,
  defaultRiskParams,
  depositLoanCollateralIx,
  encodePriceUpdateV2,
  publishPriceIx,
  fetchPoolState,
  increasePositionIx,
  initConfigIx,
  loanPda,
  mintTo,
  orderPda,
  placeOrderIx,
  positionPda,
  custodySettingsOf,
  findCustody,
  nextProposalAddress,
  poolParamsOf,
  proposeAndExecuteCustodyParamsIxs,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  withSettings,
} from "../../sdk/src";
import { ListedAsset, ListingAsset, listPool } from "../../sdk/src/testing";
import { Ctx, freshCtx, fundedKeypair } from "../helpers";

export const U64_MAX = new BN("18446744073709551615");
export const ZERO = new BN(0);

/** `n` whole units with `decimals` decimals (n may have a fraction). */
export function amount(n: number | string, decimals: number): BN {
  const [whole, frac = ""] = String(n).split(".");
  return new BN(whole + frac.padEnd(decimals, "0").slice(0, decimals));
}
export const usd = (n: number | string) => amount(n, 6);
export const price9 = (n: number | string) => amount(n, 9);

/** A listed asset (`listPool`) under the name this world's suites use for its feed id. */
export interface Asset extends ListedAsset {
  /** Pyth feed id (`feedId`); `oracle` is the publisher's account of it. */
  feed: Buffer;
}

export interface PoolRef {
  name: string;
  pool: PublicKey;
  lpMint: PublicKey;
  assets: Record<string, Asset>;
}

export interface Actor {
  name: string;
  kp: Keypair;
  /** Token accounts by symbol (same mints in both pools). */
  tokens: Record<string, PublicKey>;
  /** LP token accounts: main and alt pool. */
  lp: PublicKey;
  altLp: PublicKey;
}

export interface PythFields {
  price?: BN;
  ema?: BN;
  conf?: BN;
  expo?: number;
  publishTime?: BN;
  feed?: Buffer;
  partial?: boolean;
  owner?: PublicKey;
  writeAuthority?: PublicKey;
}

/**
 * The security and economics worlds' transaction runner (the local validator's is `Chain`).
 * Transactions without signing cost: a dedicated fee payer (never an account of an instruction,
 * so every account can be watched), signature verification off, and a fast encoder. The runtime still derives `is_signer` from the
 * message header, so a key an instruction does not mark as signer is not one.
 */
export class TxRunner {
  readonly keys = new Map<string, Keypair>();

  constructor(
    readonly ctx: Ctx,
    /** Pays every transaction. */
    readonly payer: Keypair,
  ) {
    ctx.provider.svm.withSigverify(false);
    ctx.provider.airdrop(payer.publicKey, 1_000_000_000_000n);
    this.register(ctx.admin);
  }

  get program() {
    return this.ctx.program;
  }
  get provider() {
    return this.ctx.provider;
  }
  get admin() {
    return this.ctx.admin;
  }

  register(kp: Keypair): Keypair {
    this.keys.set(kp.publicKey.toBase58(), kp);
    return kp;
  }

  now(): BN {
    return new BN(this.provider.getClock().unixTimestamp.toString());
  }

  /** The fee payer first; every other signer must be a registered key. */
  serialize(ixs: TransactionInstruction[]): Uint8Array {
    const { bytes, signers } = legacyTransaction(this.payer.publicKey, this.provider.svm.latestBlockhash(), ixs);
    for (const k of signers.slice(1)) {
      if (!this.keys.has(k)) throw new Error(`no key registered for signer ${k}`);
    }
    return bytes;
  }

  /** Executes; never throws for a failed transaction. */
  run(ixs: TransactionInstruction[]): TxResult {
    return this.provider.execute(this.serialize(ixs));
  }

  /** Executes and throws with the logs unless it succeeds. */
  ok(ixs: TransactionInstruction[], what = "transaction"): TxResult {
    const r = this.run(ixs);
    if (r.err !== null) throw new Error(`${what} failed: ${outcomeName(r)}\n${r.logs.join("\n")}`);
    return r;
  }

  /** Simulates without changing state. */
  simulate(ixs: TransactionInstruction[]): TxResult {
    return this.provider.simulateSerialized(this.serialize(ixs)).result;
  }
}

export class World extends TxRunner {
  /** Current USD prices of the main pool's assets (8-decimal Pyth prices written from them). */
  readonly prices: Record<string, number> = {};
  main!: PoolRef;
  alt!: PoolRef;
  users: Record<string, Actor> = {};

  constructor(ctx: Ctx) {
    super(ctx, Keypair.generate());
  }

  state(pool: PoolRef = this.main): Promise<PoolState> {
    return fetchPoolState(this.program, pool.pool);
  }

  // --- oracles ---------------------------------------------------------------------------

  /**
   * Forges a main-pool Pyth account by writing it straight into the SVM: the
   * current price, fully verified, published now, with the admin as write
   * authority (as the publisher writes it), unless overridden.
   */
  writePyth(symbol: string, o: PythFields = {}): void {
    const a = this.main.assets[symbol];
    this.provider.setAccount(a.oracle, {
      lamports: 10_000_000,
      data: pythData(a.feed, this.prices[symbol], this.now(), { writeAuthority: this.admin.publicKey, ...o }),
      owner: o.owner ?? PYTH_RECEIVER_PROGRAM_ID,
    });
  }

  /** Publishes a feed's price (8 decimals, spot = EMA, no confidence) at the clock through the price publisher. */
  publish(feed: Buffer, usdPrice: number): void {
    const price = pythPrice(usdPrice);
    this.ok([publishPriceIx({ authority: this.admin.publicKey, feedId: feed, price, exponent: -8 })], "publish_price");
  }

  /** Sets a main-pool price (spot = EMA, no confidence) and publishes it now. */
  setPrice(symbol: string, usdPrice: number): void {
    this.prices[symbol] = usdPrice;
    this.publish(this.main.assets[symbol].feed, usdPrice);
  }

  /** Moves the clock (and the slot) and republishes every price. */
  async warp(seconds: number): Promise<void> {
    this.provider.warpSeconds(seconds);
    await refreshPricesAsync(this);
  }
}

// --- a fast legacy transaction encoder (web3's compiles keys through base58 twice) -------------

const keyBytes = new WeakMap<PublicKey, Buffer>();
function bytesOf(k: PublicKey): Buffer {
  let b = keyBytes.get(k);
  if (!b) {
    b = k.toBuffer();
    keyBytes.set(k, b);
  }
  return b;
}

function compactU16(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    let byte = n & 0x7f;
    n >>= 7;
    if (n === 0) {
      out.push(byte);
      return out;
    }
    byte |= 0x80;
    out.push(byte);
  }
}

/**
 * A legacy transaction, exactly as `Transaction.serialize` lays it out: the fee payer first, then
 * writable signers, read-only signers, writable and read-only non-signers (flags merged per key);
 * the fee payer's signature random, the others empty (signature verification is off).
 * Returns the bytes and the base58 keys of the required signers.
 */
export function legacyTransaction(
  payer: PublicKey,
  blockhash: string,
  ixs: TransactionInstruction[],
): { bytes: Uint8Array; signers: string[] } {
  const metas = new Map<string, { key: PublicKey; signer: boolean; writable: boolean }>();
  const put = (key: PublicKey, signer: boolean, writable: boolean) => {
    const id = bytesOf(key).toString("latin1");
    const m = metas.get(id);
    if (m) {
      m.signer ||= signer;
      m.writable ||= writable;
    } else metas.set(id, { key, signer, writable });
  };
  put(payer, true, true);
  for (const ix of ixs) {
    for (const k of ix.keys) put(k.pubkey, k.isSigner, k.isWritable);
    put(ix.programId, false, false);
  }
  const all = [...metas.values()];
  const [first, ...rest] = all;
  const group = (s: boolean, w: boolean) => rest.filter((m) => m.signer === s && m.writable === w);
  const ordered = [first, ...group(true, true), ...group(true, false), ...group(false, true), ...group(false, false)];
  const index = new Map(ordered.map((m, i) => [bytesOf(m.key).toString("latin1"), i]));
  const numSigners = ordered.filter((m) => m.signer).length;
  const readonlySigned = ordered.filter((m) => m.signer && !m.writable).length;
  const readonlyUnsigned = ordered.filter((m) => !m.signer && !m.writable).length;
  const parts: Buffer[] = [
    Buffer.from([numSigners, readonlySigned, readonlyUnsigned]),
    Buffer.from(compactU16(ordered.length)),
    ...ordered.map((m) => bytesOf(m.key)),
    new PublicKey(blockhash).toBuffer(),
    Buffer.from(compactU16(ixs.length)),
  ];
  for (const ix of ixs) {
    parts.push(Buffer.from([index.get(bytesOf(ix.programId).toString("latin1"))!]));
    parts.push(Buffer.from(compactU16(ix.keys.length)));
    parts.push(Buffer.from(ix.keys.map((k) => index.get(bytesOf(k.pubkey).toString("latin1"))!)));
    parts.push(Buffer.from(compactU16(ix.data.length)));
    parts.push(Buffer.from(ix.data));
  }
  const message = Buffer.concat(parts);
  const sigs = Buffer.alloc(64 * numSigners);
  randomBytes(64).copy(sigs, 0);
  return {
    bytes: Buffer.concat([Buffer.from(compactU16(numSigners)), sigs, message]),
    signers: ordered.slice(0, numSigners).map((m) => m.key.toBase58()),
  };
}

/** A Pyth price (expo −8) from a USD number. */
export const pythPrice = (usdPrice: number) => new BN(Math.round(usdPrice * 1e8));

export function pythData(feed: Buffer, usdPrice: number, now: BN, o: PythFields = {}): Buffer {
  const price = o.price ?? pythPrice(usdPrice);
  const publishTime = o.publishTime ?? now;
  return encodePriceUpdateV2({
    writeAuthority: o.writeAuthority ?? PublicKey.default,
    verification: o.partial ? { partial: 3 } : "full",
    feedId: o.feed ?? feed,
    price,
    conf: o.conf ?? ZERO,
    exponent: o.expo ?? -8,
    publishTime,
    prevPublishTime: publishTime.subn(1),
    emaPrice: o.ema ?? price,
    emaConf: ZERO,
    postedSlot: new BN(1),
  });
}

// --- account images (what "nothing changed" compares) -----------------------------------

/** base58 of keys, cached (encoding dominates the cost of a case otherwise). */
const base58 = new WeakMap<PublicKey, string>();
export function b58(k: PublicKey): string {
  let s = base58.get(k);
  if (s === undefined) {
    s = k.toBase58();
    base58.set(k, s);
  }
  return s;
}

export interface Image {
  lamports: bigint;
  owner: string;
  executable: boolean;
  data: Uint8Array;
}

/** Full images of accounts (null: absent), read straight from the SVM (no base58 on the way). */
export function images(w: TxRunner, keys: PublicKey[]): (Image | null)[] {
  const inner = (w.provider.svm as unknown as { inner: { getAccount(k: Uint8Array): any } }).inner;
  return keys.map((k) => {
    const a = inner.getAccount(rawKey(k));
    if (a === null || a.lamports() === 0n) return null;
    return {
      lamports: a.lamports(),
      owner: Buffer.from(a.owner()).toString("hex"),
      executable: a.executable(),
      data: a.data(),
    };
  });
}

const raw = new WeakMap<PublicKey, Uint8Array>();
function rawKey(k: PublicKey): Uint8Array {
  let b = raw.get(k);
  if (!b) {
    b = k.toBytes();
    raw.set(k, b);
  }
  return b;
}

export function sameImage(a: Image | null, b: Image | null): boolean {
  if (a === null || b === null) return a === b;
  return a.lamports === b.lamports && a.owner === b.owner && Buffer.compare(a.data, b.data) === 0;
}

export function changedKeys(keys: PublicKey[], before: (Image | null)[], after: (Image | null)[]): string[] {
  return keys.filter((_, i) => !sameImage(before[i], after[i])).map((k) => b58(k));
}

// --- error names -------------------------------------------------------------------------

const PERPOOL_ERRORS = new Map((IDL.errors as { code: number; name: string }[]).map((e) => [e.code, e.name]));

/** SPL Token's error enum, in order. */
const TOKEN_ERRORS = [
  "NotRentExempt",
  "InsufficientFunds",
  "InvalidMint",
  "MintMismatch",
  "OwnerMismatch",
  "FixedSupply",
  "AlreadyInUse",
  "InvalidNumberOfProvidedSigners",
  "InvalidNumberOfRequiredSigners",
  "UninitializedState",
  "NativeNotSupported",
  "NonNativeHasBalance",
  "InvalidInstruction",
  "InvalidState",
  "Overflow",
  "AuthorityTypeNotSupported",
  "MintCannotFreeze",
  "AccountFrozen",
  "MintDecimalsMismatch",
  "NonNativeNotSupported",
];

/**
 * What a transaction did, as one name: "ok"; a Perpool error ("ZeroAmount");
 * an SPL Token error raised in a CPI ("token:OwnerMismatch"); or the runtime's
 * error ("runtime:PrivilegeEscalation", "tx:AccountLoadedTwice").
 */
const TOKEN_FAILED = `Program ${TOKEN_PROGRAM_ID.toBase58()} failed`;

export function outcomeName(r: TxResult): string {
  if (r.err === null) return "ok";
  const code = r.customErrorCode;
  const tokenFailed = r.logs.some((l) => l.startsWith(TOKEN_FAILED));
  if (code !== null && !tokenFailed && PERPOOL_ERRORS.has(code)) return PERPOOL_ERRORS.get(code)!;
  if (code !== null && tokenFailed) return `token:${TOKEN_ERRORS[code] ?? code}`;
  if (typeof r.err === "string") return `tx:${r.err}`;
  if ("InstructionError" in r.err) {
    const e = r.err.InstructionError[1];
    return `runtime:${typeof e === "string" ? e : JSON.stringify(e)}`;
  }
  return `tx:${JSON.stringify(r.err)}`;
}

// --- building the world ------------------------------------------------------------------

const FEEDS: Record<string, Buffer> = {
  SOL: Buffer.alloc(32, 0x51),
  ETH: Buffer.alloc(32, 0xe7),
  USDC: Buffer.alloc(32, 0xc0),
};
/** The alt pool's feeds: other feeds of the same assets. */
const ALT_FEEDS: Record<string, Buffer> = { SOL: Buffer.alloc(32, 0x52), USDC: Buffer.alloc(32, 0xc1) };

export const START_PRICES: Record<string, number> = { SOL: 150, ETH: 3_000, USDC: 1 };

export interface WorldKeys {
  /** alice's positions: SOL long on SOL, SOL short on USDC. */
  aliceLong: PublicKey;
  aliceShort: PublicKey;
  bobLong: PublicKey;
  bobShort: PublicKey;
  /** carol's 35x SOL long: liquidatable after the world's price moves. */
  carolLong: PublicKey;
  /** dave's ETH long on USDC: in profit, auto-deleverageable. */
  daveLong: PublicKey;
  /** Loans: SOL collateral, USDC borrowed. carol's is liquidatable. */
  aliceLoan: PublicKey;
  bobLoan: PublicKey;
  carolLoan: PublicKey;
  /** alice's take-profit (slot 0) and stop-loss (slot 1) on her SOL long, bob's take-profit (slot 0). */
  aliceTp: PublicKey;
  aliceSl: PublicKey;
  bobTp: PublicKey;
  /** alice's limit order (slot 0) for an ETH long on ETH, whose position does not exist yet. */
  aliceLimit: PublicKey;
  aliceLimitPosition: PublicKey;
  /** Pending settings proposals: main's (timelock 0: due) of the pool and of ETH, alt's (24 h: not due) of the pool and of SOL. */
  mainPoolProposal: PublicKey;
  mainEthProposal: PublicKey;
  altPoolProposal: PublicKey;
  altSolProposal: PublicKey;
}

export async function buildWorld(): Promise<{ w: World; k: WorldKeys }> {
  const ctx = freshCtx();
  const w = new World(ctx);
  const admin = ctx.admin.publicKey;
  // Pools may have any timelock, as on a local cluster: main changes settings at once, alt waits 24 h.
  w.ok([await initConfigIx(ctx.program, admin, { minTimelockSecs: 0 })], "init_config");

  const mints: Record<string, { decimals: number; mint: PublicKey }> = {};
  for (const [symbol, decimals] of [
    ["SOL", 9],
    ["ETH", 8],
    ["USDC", 6],
  ] as const) {
    mints[symbol] = { decimals, mint: await createMint(ctx.provider, decimals, admin) };
  }
  Object.assign(w.prices, START_PRICES);

  // Both pools are listed by the one pool builder every test world uses; prices are published
  // through this world's runner.
  const host = {
    provider: ctx.provider,
    program: ctx.program,
    admin,
    send: (ixs: TransactionInstruction[], what: string) => w.ok(ixs, what),
    publish: (a: ListingAsset) => w.publish(a.feedId, w.prices[a.symbol]),
  };
  const poolRef = (name: string, l: Awaited<ReturnType<typeof listPool>>): PoolRef => {
    const assets: Record<string, Asset> = {};
    for (const [symbol, a] of Object.entries(l.assets)) assets[symbol] = { ...a, feed: a.feedId };
    return { name, pool: l.pool, lpMint: l.lpMint, assets };
  };
  // main: Pyth oracles.
  w.main = poolRef(
    "main",
    await listPool(
      host,
      "main",
      defaultPoolParams({ lpCooldownSecs: 0, timelockSecs: 0 }),
      (
        [
          ["SOL", 4000, false],
          ["ETH", 2000, false],
          ["USDC", 4000, true],
        ] as const
      ).map(([symbol, target, stable]) => ({
        symbol,
        ...mints[symbol],
        feedId: FEEDS[symbol],
        params: {
          oracleKind: OracleKind.PYTH,
          isStable: stable,
          targetWeightBps: target,
          spreadBps: stable ? 0 : 5,
        },
      })),
    ),
  );
  // alt: feeds of its own, the same SOL and USDC mints. alt keeps deposits in its LP escrow for
  // 20 s: alice's and bob's are claimable by the end of setup (claim_lp has a valid baseline).
  w.alt = poolRef(
    "alt",
    await listPool(
      host,
      "alt",
      defaultPoolParams({ lpCooldownSecs: 20 }),
      (
        [
          ["SOL", false],
          ["USDC", true],
        ] as const
      ).map(([symbol, stable]) => ({
        symbol,
        ...mints[symbol],
        feedId: ALT_FEEDS[symbol],
        params: { isStable: stable, targetWeightBps: 5000 },
      })),
    ),
  );
  await refreshPricesAsync(w);

  // Actors, each with a token account of every mint and of both LP mints.
  for (const name of ["lp", "alice", "bob", "carol", "dave", "keeper", "stranger"]) {
    const kp = w.register(fundedKeypair(ctx, 100));
    const tokens: Record<string, PublicKey> = {};
    for (const [symbol, m] of Object.entries(mints)) {
      tokens[symbol] = await createTokenAccount(ctx.provider, m.mint, kp.publicKey);
      const big = name === "lp" ? 10_000_000 : 100_000;
      const n = symbol === "USDC" ? big : symbol === "SOL" ? big / 100 : big / 1000;
      await mintTo(ctx.provider, m.mint, tokens[symbol], ctx.admin, amount(n, m.decimals));
    }
    const lp = await createTokenAccount(ctx.provider, w.main.lpMint, kp.publicKey);
    const altLp = await createTokenAccount(ctx.provider, w.alt.lpMint, kp.publicKey);
    w.users[name] = { name, kp, tokens, lp, altLp };
  }
  const { lp, alice, bob, carol, dave } = w.users;

  // Liquidity: the lp fills both pools; alice and bob hold a little (LP records).
  const deposit = async (pool: PoolRef, u: Actor, symbol: string, n: number) => {
    const state = await w.state(pool);
    const ix = await addLiquidityIx(ctx.program, state, {
      owner: u.kp.publicKey,
      custody: pool.assets[symbol].custody,
      fundingAccount: u.tokens[symbol],
      lpTokenAccount: pool === w.main ? u.lp : u.altLp,
      amountIn: amount(n, pool.assets[symbol].decimals),
      minLpOut: ZERO,
    });
    w.ok([ix], `deposit ${u.name} ${symbol}`);
  };
  await deposit(w.main, lp, "USDC", 2_000_000);
  await deposit(w.main, lp, "SOL", 13_000);
  await deposit(w.main, lp, "ETH", 300);
  await deposit(w.alt, lp, "USDC", 500_000);
  await deposit(w.alt, lp, "SOL", 3_000);
  for (const u of [alice, bob]) {
    await deposit(w.main, u, "USDC", 5_000);
    await deposit(w.alt, u, "USDC", 1_000);
  }
  w.provider.warpSlots(1);

  // Positions.
  const S = w.main.assets;
  const open = async (u: Actor, side: number, market: string, collateral: string, sizeUsd: BN, coll: BN) => {
    const state = await w.state();
    const ix = await increasePositionIx(ctx.program, state, {
      owner: u.kp.publicKey,
      side,
      custody: S[market].custody,
      collateralCustody: S[collateral].custody,
      fundingAccount: u.tokens[collateral],
      sizeUsd,
      collateralAmount: coll,
      acceptablePrice: side === Side.LONG ? U64_MAX : ZERO,
    });
    w.ok([ix], `open ${u.name}`);
    return positionPda(u.kp.publicKey, w.main.pool, S[market].custody, S[collateral].custody, side)[0];
  };
  const SOL = (n: number) => amount(n, 9);
  const USDC = (n: number) => amount(n, 6);
  const aliceLong = await open(alice, Side.LONG, "SOL", "SOL", usd(3_000), SOL(10));
  const aliceShort = await open(alice, Side.SHORT, "SOL", "USDC", usd(3_000), USDC(1_500));
  const bobLong = await open(bob, Side.LONG, "SOL", "SOL", usd(3_000), SOL(10));
  const bobShort = await open(bob, Side.SHORT, "SOL", "USDC", usd(3_000), USDC(1_500));
  const carolLong = await open(carol, Side.LONG, "SOL", "SOL", usd(35_000), SOL(6.7));
  const daveLong = await open(dave, Side.LONG, "ETH", "USDC", usd(30_000), USDC(3_000));

  // Loans: SOL collateral, USDC borrowed; carol near the maximum LTV.
  const loan = async (u: Actor, collSol: number, borrowUsdc: number) => {
    const state = await w.state();
    const ref = { owner: u.kp.publicKey, collateralCustody: S.SOL.custody, borrowCustody: S.USDC.custody };
    w.ok(
      [
        await depositLoanCollateralIx(ctx.program, state, {
          ...ref,
          fundingAccount: u.tokens.SOL,
          amount: SOL(collSol),
        }),
      ],
      `loan collateral ${u.name}`,
    );
    w.ok(
      [
        await borrowIx(ctx.program, await w.state(), {
          ...ref,
          receivingAccount: u.tokens.USDC,
          amount: USDC(borrowUsdc),
        }),
      ],
      `borrow ${u.name}`,
    );
    return loanPda(u.kp.publicKey, w.main.pool, S.SOL.custody, S.USDC.custody)[0];
  };
  const aliceLoan = await loan(alice, 20, 500);
  const bobLoan = await loan(bob, 20, 500);
  const carolLoan = await loan(carol, 100, 11_240);

  // Orders.
  const order = async (
    u: Actor,
    a: {
      slot: number;
      kind: number;
      side: number;
      market: string;
      collateral: string;
      trigger: number;
      size: BN;
      coll: BN;
      acceptable: BN;
    },
  ) => {
    const state = await w.state();
    const ix = await placeOrderIx(ctx.program, state, {
      owner: u.kp.publicKey,
      side: a.side,
      custody: S[a.market].custody,
      collateralCustody: S[a.collateral].custody,
      fundingAccount: u.tokens[a.collateral],
      slot: a.slot,
      kind: a.kind,
      triggerPrice: price9(a.trigger),
      acceptablePrice: a.acceptable,
      sizeUsd: a.size,
      collateralAmount: a.coll,
      executionReward: new BN(20_000),
    });
    w.ok([ix], `place_order ${u.name}`);
    const position = positionPda(u.kp.publicKey, w.main.pool, S[a.market].custody, S[a.collateral].custody, a.side)[0];
    return { order: orderPda(position, a.slot)[0], position };
  };
  const tp = {
    kind: OrderKind.TAKE_PROFIT,
    side: Side.LONG,
    market: "SOL",
    collateral: "SOL",
    size: ZERO,
    coll: ZERO,
    acceptable: ZERO,
  };
  const aliceTp = (await order(alice, { ...tp, slot: 0, trigger: 100 })).order;
  const aliceSl = (await order(alice, { ...tp, slot: 1, kind: OrderKind.STOP_LOSS, trigger: 200 })).order;
  const bobTp = (await order(bob, { ...tp, slot: 0, trigger: 100 })).order;
  const limit = await order(alice, {
    slot: 0,
    kind: OrderKind.LIMIT,
    side: Side.LONG,
    market: "ETH",
    collateral: "ETH",
    trigger: 4_000,
    size: usd(1_000),
    coll: amount(0.2, 8),
    acceptable: U64_MAX,
  });

  // ETH may be auto-deleveraged as soon as longs are in profit.
  {
    const state = await w.state();
    const settings = withSettings(custodySettingsOf(findCustody(state, S.ETH.custody).account), {
      risk: defaultRiskParams({ adlThresholdBps: 1, adlFloorBps: 0 }),
    });
    w.ok(
      await proposeAndExecuteCustodyParamsIxs(ctx.program, state, { admin, custody: S.ETH.custody, settings }),
      "ETH risk parameters",
    );
  }

  // Time passes (no profit in the opening second), SOL falls, ETH rises.
  w.provider.warpSeconds(30);
  w.prices.SOL = 140;
  w.prices.ETH = 3_300;
  await refreshPricesAsync(w);

  // Pending settings proposals, one of each kind in each pool.
  const proposals: PublicKey[] = [];
  for (const pool of [w.main, w.alt]) {
    const custody = pool === w.main ? S.ETH.custody : w.alt.assets.SOL.custody;
    let state = await w.state(pool);
    proposals.push(nextProposalAddress(state, pool.pool, ctx.program.programId));
    w.ok(
      [
        await proposePoolParamsIx(ctx.program, state, {
          admin,
          params: { ...poolParamsOf(state.pool), maxAumUsd: usd(900_000_000) },
        }),
      ],
      `propose ${pool.name} pool settings`,
    );
    state = await w.state(pool);
    proposals.push(nextProposalAddress(state, custody, ctx.program.programId));
    const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), {
      params: { openFeeBps: 7 },
    });
    w.ok(
      [await proposeCustodyParamsIx(ctx.program, state, { admin, custody, settings })],
      `propose ${pool.name} custody settings`,
    );
  }

  const keys: WorldKeys = {
    mainPoolProposal: proposals[0],
    mainEthProposal: proposals[1],
    altPoolProposal: proposals[2],
    altSolProposal: proposals[3],
    aliceLong,
    aliceShort,
    bobLong,
    bobShort,
    carolLong,
    daveLong,
    aliceLoan,
    bobLoan,
    carolLoan,
    aliceTp,
    aliceSl,
    bobTp,
    aliceLimit: limit.order,
    aliceLimitPosition: limit.position,
  };
  return { w, k: keys };
}

/** Republishes every price of both pools at the current clock through the price publisher. */
export async function refreshPricesAsync(w: World): Promise<void> {
  for (const [s, a] of [...Object.entries(w.main.assets), ...Object.entries(w.alt.assets)])
    w.publish(a.feed, w.prices[s]);
}
