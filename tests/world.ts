/**
 * The test world every scenario suite builds on: one LiteSVM, any number of pools listed by
 * `listPool` (sdk/src/testing.ts), wallets with a token account of every listed mint and an LP
 * account of every pool, prices published through the local price publisher (or forged straight
 * into the SVM), the clock, readings of the state and of the books (`economics/books.ts`), and
 * every user, keeper and admin action as one call that returns the transaction's result.
 *
 * The scenarios configure it: the security suites' two look-alike pools, `main` and `alt`, with
 * positions, loans, orders and proposals (`buildWorld`, security/world.ts); the economics suites'
 * single pool (`econWorld`, economics/harness.ts), which is simply the main pool; the invariant
 * fuzzer's pool of random pool, custody and risk parameters, every key drawn from its seed
 * (`fuzzWorld`, security/fuzzer.ts), whose prices carry an EMA and a confidence (`quote`). Helpers
 * act on the main pool unless given another.
 *
 * Transactions go through `TxRunner`: a dedicated fee payer (never an account of an instruction,
 * so every account can be watched), signature verification off, a fast encoder, and failures
 * returned (never thrown, except by `ok`) and named by `outcomeName`.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { randomBytes } from "crypto";

import {
  Custody,
  CustodyParams,
  IDL,
  LiteSvmProvider,
  Loan,
  LpAccount,
  MAX_ORDERS,
  Order,
  OrderKind,
  PERPOOL_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  Pool,
  PoolParams,
  PoolState,
  Position,
  RiskParams,
  Side,
  TOKEN_PROGRAM_ID,
  TxResult,
  U64_MAX,
  addCollateralIx,
  addLiquidityIx,
  autoDeleverageIx,
  borrowIx,
  claimLpIx,
  createTokenAccount,
  custodySettingsOf,
  decreasePositionIx,
  depositLoanCollateralIx,
  encodePriceUpdateV2,
  executeOrderIx,
  findCustody,
  increasePositionIx,
  initConfigIx,
  liquidateLoanIx,
  liquidatePositionIx,
  loanPda,
  lpAccountPda,
  mintTo,
  orderPda,
  perpoolProgram,
  placeOrderIx,
  positionPda,
  proposeAndExecuteCustodyParamsIxs,
  publishPriceIx,
  refreshCustodyIx,
  removeCollateralIx,
  removeLiquidityIx,
  repayIx,
  swapIx,
  withSettings,
  withdrawLoanCollateralIx,
} from "../sdk/src";
import { ListedAsset, ListingAsset, listPool } from "../sdk/src/testing";
import { BooksReport, Holdings, Priced, books, exposure, priced, worth } from "./economics/books";
import { units } from "./fixtures";
import { Ctx, builtPrograms } from "./helpers";

export { U64_MAX };
export const ZERO = new BN(0);

/** USD with 6 decimals (sizes, USDC amounts). */
export const usd = (n: number | string) => units(n, 6);
/** A USD price as the 9-decimal price the program normalises to (the world's `prices`). */
export const price9 = (n: number | string) => units(n, 9);

/** A pool of the world, as `listPool` listed it. */
export interface PoolRef {
  /** The world's name of it ("main", "alt"): the key of `World.pools` and of a wallet's `lp`. */
  name: string;
  pool: PublicKey;
  lpMint: PublicKey;
  lpEscrow: PublicKey;
  /** Its assets' symbols in listing order (the order of its custodies). */
  symbols: string[];
  assets: Record<string, ListedAsset>;
  /** The state instructions are built from (addresses only: taken at listing, refreshed by `rebuild`). */
  built: PoolState;
}

export interface Wallet {
  name: string;
  kp: Keypair;
  key: PublicKey;
  /** Token accounts by symbol: one per mint, whichever pools list it. */
  tokens: Record<string, PublicKey>;
  /** LP token accounts by pool name. */
  lp: Record<string, PublicKey>;
}

/** A position's side, market and collateral symbols. */
export type Combo = [side: number, market: string, collateral: string];

export interface PositionEntry {
  wallet: Wallet;
  key: PublicKey;
  p: Position;
  combo: Combo;
}

export interface LoanEntry {
  wallet: Wallet;
  key: PublicKey;
  l: Loan;
  /** [collateral, borrowed] */
  pair: [string, string];
}

export interface OrderEntry {
  wallet: Wallet;
  key: PublicKey;
  o: Order;
  /** The combination of the position the order acts on. */
  combo: Combo;
  slot: number;
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
 * The world's transaction runner (the local validator's is `Chain`). Transactions without signing
 * cost: a dedicated fee payer, signature verification off, and a fast encoder. The runtime still derives `is_signer` from the message
 * header, so a key an instruction does not mark as signer is not one.
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
    return this.mustOk(this.run(ixs), what);
  }

  /** Throws with the logs unless `r` succeeded. */
  mustOk(r: TxResult, what: string): TxResult {
    if (r.err !== null) throw new Error(`${what} failed: ${outcomeName(r)}\n${r.logs.join("\n")}`);
    return r;
  }

  /** Simulates without changing state. */
  simulate(ixs: TransactionInstruction[]): TxResult {
    return this.provider.simulateSerialized(this.serialize(ixs)).result;
  }
}

export interface WorldOptions {
  /** Where every key comes from: deterministic keys for the fuzzers, random otherwise. */
  keys?: () => Keypair;
  /** The clock's start (the SVM's default otherwise). */
  unixTimestamp?: number;
  /** Whole tokens by symbol a wallet starts with unless told otherwise (none by default). */
  funds?: Record<string, number>;
}

export class World extends TxRunner {
  /** The pools by the world's name of them; the helpers' default is `main`. */
  readonly pools: Record<string, PoolRef> = {};
  /**
   * Current USD price per symbol, 9 decimals (the program's normalised price), as last published;
   * a symbol listed by several pools has one price, published to each pool's feed by `republish`.
   */
  readonly prices: Record<string, BN> = {};
  /**
   * A symbol's EMA price and confidence, 9 decimals, as last published, where a quote gave them
   * (`quote`, `setPrice`); otherwise the EMA is the spot price and the confidence 0.
   */
  readonly emas: Record<string, BN> = {};
  readonly confs: Record<string, BN> = {};
  readonly wallets: Record<string, Wallet> = {};
  private readonly keyGen: () => Keypair;
  private readonly funds: Record<string, number>;

  private constructor(ctx: Ctx, payer: Keypair, o: WorldOptions) {
    super(ctx, payer);
    this.keyGen = o.keys ?? (() => Keypair.generate());
    this.funds = o.funds ?? {};
  }

  /**
   * A fresh SVM with the program deployed upgradeable (the admin its upgrade authority), the price
   * publisher at the Pyth receiver's address, and a config whose pools may change settings at once
   * (timelock floor 0), as on a local cluster. No pool yet: `addPool` lists them.
   */
  static async create(o: WorldOptions = {}): Promise<World> {
    const keys = o.keys ?? (() => Keypair.generate());
    const admin = keys();
    const provider = new LiteSvmProvider(
      undefined,
      new anchor.Wallet(admin),
      o.unixTimestamp === undefined ? {} : { unixTimestamp: o.unixTimestamp },
    );
    const elves = builtPrograms();
    provider.addUpgradeableProgram(PERPOOL_PROGRAM_ID, elves.program, admin.publicKey);
    provider.addPricePublisher(elves.publisher);
    const w = new World({ provider, program: perpoolProgram(provider), admin }, keys(), { ...o, keys });
    w.ok([await initConfigIx(w.program, admin.publicKey, { minTimelockSecs: 0 })], "init_config");
    return w;
  }

  /** The pool every helper acts on unless given another. */
  get main(): PoolRef {
    return this.pools.main;
  }

  /**
   * Lists a pool (`listPool`) under the world's name `name` (on chain `onChainName`); each asset's
   * first price is its symbol's in `prices`, which must be set before.
   */
  async addPool(name: string, params: PoolParams, assets: ListingAsset[], onChainName = name): Promise<PoolRef> {
    const l = await listPool(
      {
        provider: this.provider,
        program: this.program,
        admin: this.admin.publicKey,
        send: (ixs, what) => this.ok(ixs, what),
        publish: (a) => this.publish(a.feedId, this.prices[a.symbol]),
      },
      onChainName,
      params,
      assets,
    );
    const ref = { name, pool: l.pool, lpMint: l.lpMint, symbols: Object.keys(l.assets), assets: l.assets } as PoolRef;
    this.rebuild(ref);
    ref.lpEscrow = ref.built.pool.lpEscrow;
    this.pools[name] = ref;
    return ref;
  }

  /** Refreshes the state a pool's instructions are built from. */
  rebuild(pool: PoolRef = this.main): PoolState {
    pool.built = this.state(pool);
    return pool.built;
  }

  /** The pool that has this address. */
  poolOf(address: PublicKey): PoolRef {
    const p = Object.values(this.pools).find((x) => x.pool.equals(address));
    if (!p) throw new Error("unknown pool");
    return p;
  }

  /** Every listed mint by symbol (the first pool's, where several list a symbol). */
  mints(): Record<string, { mint: PublicKey; decimals: number }> {
    const out: Record<string, { mint: PublicKey; decimals: number }> = {};
    for (const p of Object.values(this.pools))
      for (const s of p.symbols) out[s] ??= { mint: p.assets[s].mint, decimals: p.assets[s].decimals };
    return out;
  }

  /** The instructions that change a custody's settings at once (the pool's timelock is 0, as on a local cluster). */
  async custodyIxs(
    sym: string,
    change: { params?: Partial<CustodyParams>; risk?: Partial<RiskParams> },
    pool: PoolRef = this.main,
  ): Promise<TransactionInstruction[]> {
    const state = this.rebuild(pool);
    const custody = pool.assets[sym].custody;
    const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), change);
    return proposeAndExecuteCustodyParamsIxs(this.program, state, { admin: this.admin.publicKey, custody, settings });
  }

  /** Changes a custody's settings at once (the pool's timelock is 0, as on a local cluster). */
  async setCustody(
    sym: string,
    change: { params?: Partial<CustodyParams>; risk?: Partial<RiskParams> },
    pool: PoolRef = this.main,
  ): Promise<void> {
    this.ok(await this.custodyIxs(sym, change, pool), `settings ${pool.name} ${sym}`);
    this.rebuild(pool);
  }

  setRisk(sym: string, risk: Partial<RiskParams>, pool: PoolRef = this.main): Promise<void> {
    return this.setCustody(sym, { risk }, pool);
  }

  /**
   * A funded wallet: SOL for rent, a token account of every listed mint holding `fund` whole tokens
   * (the world's `funds` by default), and an LP account of every pool.
   */
  async wallet(name: string, fund: Partial<Record<string, number>> = this.funds): Promise<Wallet> {
    const kp = this.register(this.keyGen());
    this.provider.airdrop(kp.publicKey, 1_000_000_000_000n);
    const tokens: Record<string, PublicKey> = {};
    for (const [sym, m] of Object.entries(this.mints())) {
      tokens[sym] = await createTokenAccount(this.provider, m.mint, kp.publicKey, this.keyGen());
      const n = fund[sym] ?? 0;
      if (n > 0) await mintTo(this.provider, m.mint, tokens[sym], this.admin, units(n, m.decimals));
    }
    const lp: Record<string, PublicKey> = {};
    for (const p of Object.values(this.pools))
      lp[p.name] = await createTokenAccount(this.provider, p.lpMint, kp.publicKey, this.keyGen());
    const w = { name, kp, key: kp.publicKey, tokens, lp };
    this.wallets[name] = w;
    return w;
  }

  /** Mints more of a token to a wallet (the tests' faucet). */
  async fund(w: Wallet, sym: string, n: BN): Promise<void> {
    await mintTo(this.provider, this.mints()[sym].mint, w.tokens[sym], this.admin, n);
  }

  // --- oracles and time ---------------------------------------------------------------------

  /**
   * The publisher's instruction for a feed, 9 decimals as the feed's 8: the EMA is the spot price and
   * the confidence 0 unless given.
   */
  private publishIx(feed: Buffer, p9: BN, o: { ema?: BN; conf?: BN } = {}): TransactionInstruction {
    return publishPriceIx({
      authority: this.admin.publicKey,
      feedId: feed,
      price: p9.divn(10),
      ...(o.ema ? { emaPrice: o.ema.divn(10) } : {}),
      ...(o.conf ? { conf: o.conf.divn(10) } : {}),
      exponent: -8,
    });
  }

  /**
   * Publishes a feed's price (8 decimals, spot = EMA, no confidence) at the clock through the price
   * publisher; throws unless it succeeds. `usdPrice`: dollars, or 9 decimals as a BN.
   */
  publish(feed: Buffer, usdPrice: number | string | BN): TxResult {
    return this.ok([this.publishIx(feed, toPrice9(usdPrice))], "publish_price");
  }

  /**
   * Sets a symbol's price and publishes it at the clock to the pool's feed (the main pool's unless
   * told); returns the result (the price is kept only if it succeeded). `usdPrice`: dollars, or 9
   * decimals as a BN.
   */
  setPrice(
    sym: string,
    usdPrice: number | string | BN,
    pool: PoolRef = this.main,
    o: { ema?: BN; conf?: BN } = {},
  ): TxResult {
    const p9 = toPrice9(usdPrice);
    const r = this.run([this.publishIx(pool.assets[sym].feedId, p9, o)]);
    if (r.err === null) this.quote(sym, p9, o);
    return r;
  }

  /**
   * Sets a symbol's quote without publishing it (`quoteIx` publishes it): spot, EMA (the spot price
   * unless given) and confidence (0 unless given), 9 decimals, as the feed keeps them (8 decimals).
   */
  quote(sym: string, p9: BN, o: { ema?: BN; conf?: BN } = {}): void {
    const feed8 = (x: BN) => x.divn(10).muln(10);
    this.prices[sym] = feed8(p9);
    if (o.ema) this.emas[sym] = feed8(o.ema);
    else delete this.emas[sym];
    if (o.conf) this.confs[sym] = feed8(o.conf);
    else delete this.confs[sym];
  }

  /** The publisher's instruction for a symbol's current quote on a pool's feed (the main pool's unless told). */
  quoteIx(sym: string, pool: PoolRef = this.main): TransactionInstruction {
    return this.publishIx(pool.assets[sym].feedId, this.prices[sym], { ema: this.emas[sym], conf: this.confs[sym] });
  }

  /** Republishes every quote of every pool at the clock. */
  republish(): void {
    for (const p of Object.values(this.pools))
      for (const s of p.symbols) this.ok([this.quoteIx(s, p)], `republish ${s}`);
  }

  /** Moves the clock (and the slot) and republishes every price. */
  warp(seconds: number): void {
    this.provider.warpSeconds(seconds);
    this.republish();
  }

  /**
   * Forges a Pyth account by writing it straight into the SVM (the main pool's unless told): the
   * current price, fully verified, published now, with the admin as write authority (as the
   * publisher writes it), unless overridden.
   */
  writePyth(sym: string, o: PythFields = {}, pool: PoolRef = this.main): void {
    const a = pool.assets[sym];
    this.provider.setAccount(a.oracle, {
      lamports: 10_000_000,
      data: pythData(a.feedId, this.prices[sym], this.now(), { writeAuthority: this.admin.publicKey, ...o }),
      owner: o.owner ?? PYTH_RECEIVER_PROGRAM_ID,
    });
  }

  // --- readings -------------------------------------------------------------------------------

  /** Account data straight from the SVM by raw key bytes (no base58 on the way); null if absent. */
  raw(key: PublicKey): Buffer | null {
    const inner = (
      this.provider.svm as unknown as {
        inner: { getAccount(k: Uint8Array): { lamports(): bigint; data(): Uint8Array } | null };
      }
    ).inner;
    const a = inner.getAccount(rawKey(key));
    if (a === null || a.lamports() === 0n) return null;
    const d = a.data();
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }

  decode<T>(name: string, key: PublicKey): T | null {
    const d = this.raw(key);
    return d ? (this.program.coder.accounts.decode(name, d) as T) : null;
  }

  tokenBalance(account: PublicKey): BN {
    const d = this.raw(account);
    return d ? new BN(d.readBigUInt64LE(64).toString()) : ZERO;
  }

  lpSupply(pool: PoolRef = this.main): BN {
    return new BN(this.raw(pool.lpMint)!.readBigUInt64LE(36).toString());
  }

  /** A pool's state from the SVM's accounts (no RPC round trip); custodies in listing order. */
  state(pool: PoolRef = this.main): PoolState {
    return {
      address: pool.pool,
      pool: this.decode<Pool>("pool", pool.pool)!,
      custodies: pool.symbols.map((s) => {
        const address = pool.assets[s].custody;
        const account = this.decode<Custody>("custody", address)!;
        return { address, account, oracle: this.provider.getAccount(account.oracle) };
      }),
      lpSupply: this.lpSupply(pool),
      programId: this.program.programId,
    };
  }

  /** The prices of a pool's assets, in its custodies' order. */
  priceList(pool: PoolRef = this.main): BN[] {
    return pool.symbols.map((s) => this.prices[s]);
  }

  priced(state: PoolState = this.state()): Priced {
    return priced(state, this.now(), this.priceList(this.poolOf(state.address)));
  }

  vaults(pool: PoolRef = this.main): BN[] {
    return pool.symbols.map((s) => this.tokenBalance(pool.assets[s].vault));
  }

  // --- what exists ----------------------------------------------------------------------------

  /** Derived addresses, cached (deriving one costs more than a transaction on the SVM). */
  private pdas = new Map<string, PublicKey>();
  private pda(id: string, derive: () => PublicKey): PublicKey {
    let k = this.pdas.get(id);
    if (!k) {
      k = derive();
      this.pdas.set(id, k);
    }
    return k;
  }

  positionKey(w: Wallet, side: number, market: string, coll: string, pool: PoolRef = this.main): PublicKey {
    return this.pda(
      `p:${pool.name}:${w.name}:${side}:${market}:${coll}`,
      () => positionPda(w.key, pool.pool, pool.assets[market].custody, pool.assets[coll].custody, side)[0],
    );
  }

  loanKey(w: Wallet, coll: string, borrow: string, pool: PoolRef = this.main): PublicKey {
    return this.pda(
      `l:${pool.name}:${w.name}:${coll}:${borrow}`,
      () => loanPda(w.key, pool.pool, pool.assets[coll].custody, pool.assets[borrow].custody)[0],
    );
  }

  position(key: PublicKey): Position | null {
    return this.decode<Position>("position", key);
  }

  loan(key: PublicKey): Loan | null {
    return this.decode<Loan>("loan", key);
  }

  lpAccount(w: Wallet, pool: PoolRef = this.main): LpAccount | null {
    return this.decode<LpAccount>(
      "lpAccount",
      this.pda(`lp:${pool.name}:${w.name}`, () => lpAccountPda(pool.pool, w.key, this.program.programId)[0]),
    );
  }

  /** Every position and loan of the given wallets in a pool (all combinations the suites use). */
  holdings(ws: Wallet[], orders: PublicKey[] = [], pool: PoolRef = this.main): Holdings {
    const tokens = pool.symbols.map((s) => ws.reduce((t, w) => t.add(this.tokenBalance(w.tokens[s])), new BN(0)));
    let lp = new BN(0);
    const positions: Position[] = [];
    const loans: Loan[] = [];
    for (const w of ws) {
      lp = lp.add(this.tokenBalance(w.lp[pool.name]));
      const rec = this.lpAccount(w, pool);
      if (rec) lp = lp.add(rec.escrowedLp);
      positions.push(...this.positionsOf(w, pool));
      loans.push(...this.loansOf(w, pool));
    }
    const os = orders.map((k) => this.decode<Order>("order", k)).filter((o): o is Order => o !== null);
    return { tokens, lp, positions, loans, orders: os };
  }

  /** The (side, market, collateral) combinations a pool trades: longs on the market itself or on the stablecoin, shorts on the stablecoin. */
  combos(pool: PoolRef = this.main): Combo[] {
    const out: Combo[] = [];
    const stable = pool.symbols.filter((s) => s === "USDC");
    for (const m of pool.symbols.filter((s) => s !== "USDC")) {
      out.push([Side.LONG, m, m]);
      for (const s of stable) out.push([Side.LONG, m, s], [Side.SHORT, m, s]);
    }
    return out;
  }

  orderKey(position: PublicKey, slot: number): PublicKey {
    return this.pda(`o:${b58(position)}:${slot}`, () => orderPda(position, slot)[0]);
  }

  /** The open positions of `ws` (every wallet by default) in a pool: wallet by wallet, in `combos` order. */
  positionList(ws: Wallet[] = Object.values(this.wallets), pool: PoolRef = this.main): PositionEntry[] {
    const out: PositionEntry[] = [];
    for (const wallet of ws)
      for (const combo of this.combos(pool)) {
        const key = this.positionKey(wallet, ...combo, pool);
        const p = this.position(key);
        if (p) out.push({ wallet, key, p, combo });
      }
    return out;
  }

  /** The open loans of `ws` in a pool: wallet by wallet, in the order of `pairs` ([collateral, borrowed]). */
  loanList(
    ws: Wallet[] = Object.values(this.wallets),
    pool: PoolRef = this.main,
    pairs: [string, string][] = this.loanPairs(pool),
  ): LoanEntry[] {
    const out: LoanEntry[] = [];
    for (const wallet of ws)
      for (const pair of pairs) {
        const key = this.loanKey(wallet, ...pair, pool);
        const l = this.loan(key);
        if (l) out.push({ wallet, key, l, pair });
      }
    return out;
  }

  /** The open trigger orders of `ws` in a pool: wallet by wallet, combination by combination, slot by slot. */
  orderList(ws: Wallet[] = Object.values(this.wallets), pool: PoolRef = this.main, slots = MAX_ORDERS): OrderEntry[] {
    const out: OrderEntry[] = [];
    for (const wallet of ws)
      for (const combo of this.combos(pool)) {
        const position = this.positionKey(wallet, ...combo, pool);
        for (let slot = 0; slot < slots; slot++) {
          const key = this.orderKey(position, slot);
          const o = this.decode<Order>("order", key);
          if (o) out.push({ wallet, key, o, combo, slot });
        }
      }
    return out;
  }

  positionsOf(w: Wallet, pool: PoolRef = this.main): Position[] {
    return this.positionList([w], pool).map((x) => x.p);
  }

  loanPairs(pool: PoolRef = this.main): [string, string][] {
    const out: [string, string][] = [];
    for (const a of pool.symbols) for (const b of pool.symbols) if (a !== b) out.push([a, b]);
    return out;
  }

  loansOf(w: Wallet, pool: PoolRef = this.main): Loan[] {
    return this.loanList([w], pool).map((x) => x.l);
  }

  allPositions(pool: PoolRef = this.main): Position[] {
    return Object.values(this.wallets).flatMap((w) => this.positionsOf(w, pool));
  }

  allLoans(pool: PoolRef = this.main): Loan[] {
    return Object.values(this.wallets).flatMap((w) => this.loansOf(w, pool));
  }

  /** The books of a whole pool now (every wallet's positions and loans). */
  books(pool: PoolRef = this.main): BooksReport {
    return books(this.priced(this.state(pool)), this.vaults(pool), this.allPositions(pool), this.allLoans(pool));
  }

  /** A group's worth in a pool now. */
  worth(ws: Wallet[], pool: PoolRef = this.main): BN {
    return worth(this.priced(this.state(pool)), this.holdings(ws, [], pool));
  }

  /** A group's price exposure in a pool now. */
  exposure(ws: Wallet[], pool: PoolRef = this.main): BN[] {
    return exposure(this.priced(this.state(pool)), this.holdings(ws, [], pool));
  }

  symOf(custody: PublicKey): string {
    for (const p of Object.values(this.pools)) {
      const s = p.symbols.find((x) => p.assets[x].custody.equals(custody));
      if (s) return s;
    }
    throw new Error("unknown custody");
  }

  ownerWallet(owner: PublicKey): Wallet {
    const w = Object.values(this.wallets).find((x) => x.key.equals(owner));
    if (!w) throw new Error("unknown owner");
    return w;
  }

  // --- actions (each returns the transaction's result; none throws for a refusal) --------------
  // A position's or order's own pool is its account's; the others act on the main pool unless told.

  async deposit(w: Wallet, sym: string, amount: BN, pool: PoolRef = this.main): Promise<TxResult> {
    const ix = await addLiquidityIx(this.program, pool.built, {
      owner: w.key,
      custody: pool.assets[sym].custody,
      fundingAccount: w.tokens[sym],
      lpTokenAccount: w.lp[pool.name],
      amountIn: amount,
      minLpOut: ZERO,
    });
    return this.run([ix]);
  }

  async claim(w: Wallet, pool: PoolRef = this.main): Promise<TxResult> {
    return this.run([await claimLpIx(this.program, pool.built, { owner: w.key, lpTokenAccount: w.lp[pool.name] })]);
  }

  async redeem(w: Wallet, sym: string, lpIn: BN, pool: PoolRef = this.main): Promise<TxResult> {
    const ix = await removeLiquidityIx(this.program, pool.built, {
      owner: w.key,
      custody: pool.assets[sym].custody,
      receivingAccount: w.tokens[sym],
      lpTokenAccount: w.lp[pool.name],
      lpIn,
      minAmountOut: ZERO,
    });
    return this.run([ix]);
  }

  async swap(w: Wallet, from: string, to: string, amount: BN, pool: PoolRef = this.main): Promise<TxResult> {
    const ix = await swapIx(this.program, pool.built, {
      owner: w.key,
      custodyIn: pool.assets[from].custody,
      custodyOut: pool.assets[to].custody,
      fundingAccount: w.tokens[from],
      receivingAccount: w.tokens[to],
      amountIn: amount,
      minAmountOut: ZERO,
    });
    return this.run([ix]);
  }

  /** Opens or increases a position at any price. */
  async open(
    w: Wallet,
    side: number,
    market: string,
    coll: string,
    sizeUsd: BN,
    collateral: BN,
    pool: PoolRef = this.main,
  ): Promise<TxResult> {
    const ix = await increasePositionIx(this.program, pool.built, {
      owner: w.key,
      side,
      custody: pool.assets[market].custody,
      collateralCustody: pool.assets[coll].custody,
      fundingAccount: w.tokens[coll],
      sizeUsd,
      collateralAmount: collateral,
      acceptablePrice: side === Side.LONG ? U64_MAX : ZERO,
    });
    return this.run([ix]);
  }

  async decrease(w: Wallet, key: PublicKey, sizeUsd: BN, collateralOut = ZERO): Promise<TxResult> {
    const p = this.position(key);
    if (!p) throw new Error("no such position");
    const ix = await decreasePositionIx(this.program, this.poolOf(p.pool).built, {
      position: p,
      receivingAccount: w.tokens[this.symOf(p.collateralCustody)],
      sizeUsd,
      collateralOut,
      acceptablePrice: p.side === Side.LONG ? ZERO : U64_MAX,
    });
    return this.run([ix]);
  }

  async close(w: Wallet, key: PublicKey): Promise<TxResult> {
    const p = this.position(key);
    if (!p) throw new Error("no such position");
    return this.decrease(w, key, p.sizeUsd);
  }

  async addCollateral(w: Wallet, key: PublicKey, amount: BN): Promise<TxResult> {
    const p = this.position(key)!;
    return this.run([
      await addCollateralIx(this.program, this.poolOf(p.pool).built, {
        position: p,
        fundingAccount: w.tokens[this.symOf(p.collateralCustody)],
        amount,
      }),
    ]);
  }

  async removeCollateral(w: Wallet, key: PublicKey, amount: BN): Promise<TxResult> {
    const p = this.position(key)!;
    return this.run([
      await removeCollateralIx(this.program, this.poolOf(p.pool).built, {
        position: p,
        receivingAccount: w.tokens[this.symOf(p.collateralCustody)],
        amount,
      }),
    ]);
  }

  async liquidate(keeper: Wallet, key: PublicKey): Promise<TxResult> {
    const p = this.position(key)!;
    const owner = this.ownerWallet(p.owner);
    const sym = this.symOf(p.collateralCustody);
    return this.run([
      await liquidatePositionIx(this.program, this.poolOf(p.pool).built, {
        keeper: keeper.key,
        position: p,
        keeperAccount: keeper.tokens[sym],
        ownerAccount: owner.tokens[sym],
      }),
    ]);
  }

  async adl(keeper: Wallet, key: PublicKey, sizeUsd: BN): Promise<TxResult> {
    const p = this.position(key)!;
    const owner = this.ownerWallet(p.owner);
    return this.run([
      await autoDeleverageIx(this.program, this.poolOf(p.pool).built, {
        keeper: keeper.key,
        position: p,
        ownerAccount: owner.tokens[this.symOf(p.collateralCustody)],
        sizeUsd,
      }),
    ]);
  }

  /** Places a trigger order: a limit order opens at any price; a take-profit's or stop-loss's acceptable price is 0. */
  async placeOrder(
    w: Wallet,
    a: {
      side: number;
      market: string;
      coll: string;
      slot: number;
      kind: number;
      trigger: BN;
      sizeUsd: BN;
      collateral: BN;
    },
    pool: PoolRef = this.main,
  ): Promise<TxResult> {
    const ix = await placeOrderIx(this.program, pool.built, {
      owner: w.key,
      side: a.side,
      custody: pool.assets[a.market].custody,
      collateralCustody: pool.assets[a.coll].custody,
      fundingAccount: w.tokens[a.coll],
      slot: a.slot,
      kind: a.kind,
      triggerPrice: a.trigger,
      acceptablePrice: a.kind === OrderKind.LIMIT ? (a.side === Side.LONG ? U64_MAX : ZERO) : ZERO,
      sizeUsd: a.sizeUsd,
      collateralAmount: a.collateral,
      executionReward: new BN(20_000),
    });
    return this.run([ix]);
  }

  async executeOrder(keeper: Wallet, order: PublicKey): Promise<TxResult> {
    const o = this.decode<Order>("order", order)!;
    const owner = this.ownerWallet(o.owner);
    return this.run([
      await executeOrderIx(this.program, this.poolOf(o.pool).built, {
        keeper: keeper.key,
        order,
        account: o,
        ownerAccount: owner.tokens[this.symOf(o.collateralCustody)],
      }),
    ]);
  }

  loanRef(w: Wallet, coll: string, borrow: string, pool: PoolRef = this.main) {
    return { owner: w.key, collateralCustody: pool.assets[coll].custody, borrowCustody: pool.assets[borrow].custody };
  }

  async loanDeposit(w: Wallet, coll: string, borrow: string, amount: BN, pool: PoolRef = this.main): Promise<TxResult> {
    return this.run([
      await depositLoanCollateralIx(this.program, pool.built, {
        ...this.loanRef(w, coll, borrow, pool),
        fundingAccount: w.tokens[coll],
        amount,
      }),
    ]);
  }

  async loanWithdraw(
    w: Wallet,
    coll: string,
    borrow: string,
    amount: BN,
    pool: PoolRef = this.main,
  ): Promise<TxResult> {
    return this.run([
      await withdrawLoanCollateralIx(this.program, pool.built, {
        ...this.loanRef(w, coll, borrow, pool),
        receivingAccount: w.tokens[coll],
        amount,
      }),
    ]);
  }

  async borrow(w: Wallet, coll: string, borrow: string, amount: BN, pool: PoolRef = this.main): Promise<TxResult> {
    return this.run([
      await borrowIx(this.program, pool.built, {
        ...this.loanRef(w, coll, borrow, pool),
        receivingAccount: w.tokens[borrow],
        amount,
      }),
    ]);
  }

  async repay(w: Wallet, coll: string, borrow: string, amount: BN, pool: PoolRef = this.main): Promise<TxResult> {
    return this.run([
      await repayIx(this.program, pool.built, {
        ...this.loanRef(w, coll, borrow, pool),
        payer: w.key,
        fundingAccount: w.tokens[borrow],
        amount,
      }),
    ]);
  }

  async liquidateLoan(
    liquidator: Wallet,
    owner: Wallet,
    coll: string,
    borrow: string,
    repay: BN,
    pool: PoolRef = this.main,
  ): Promise<TxResult> {
    return this.run([
      await liquidateLoanIx(this.program, pool.built, {
        ...this.loanRef(owner, coll, borrow, pool),
        liquidator: liquidator.key,
        liquidatorFunding: liquidator.tokens[borrow],
        liquidatorReceiving: liquidator.tokens[coll],
        repayAmount: repay,
      }),
    ]);
  }

  async refresh(sym: string, pool: PoolRef = this.main): Promise<TxResult> {
    return this.run([await refreshCustodyIx(this.program, pool.pool, pool.assets[sym].custody)]);
  }
}

/** A USD price as 9 decimals: dollars, or already 9 decimals as a BN. */
function toPrice9(usdPrice: number | string | BN): BN {
  return BN.isBN(usdPrice) ? usdPrice : price9(usdPrice);
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

/** A Pyth price (expo −8) from a USD price: dollars, or 9 decimals as a BN (the world's `prices`). */
export const pythPrice = (usdPrice: number | BN) =>
  BN.isBN(usdPrice) ? usdPrice.divn(10) : new BN(Math.round(usdPrice * 1e8));

/** A `PriceUpdateV2` account's data: `usdPrice` (dollars, or 9 decimals as a BN) published `now`, fully verified, unless overridden. */
export function pythData(feed: Buffer, usdPrice: number | BN, now: BN, o: PythFields = {}): Buffer {
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
