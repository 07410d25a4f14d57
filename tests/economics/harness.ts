/**
 * The economics suites' world: one pool on a fresh LiteSVM (test oracles, EMA = spot, no
 * confidence, so one oracle price per asset), wallets with token and LP accounts, every user,
 * keeper and oracle action as one call, and the readings the attack checks need — the pool
 * state straight from the SVM, the books (`books.ts`), a group's worth and exposure.
 *
 * Transactions go through `TxRunner` (tests/security/world.ts): a dedicated fee payer, signature
 * verification off, failures returned (never thrown) with the program's error name.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import {
  Custody,
  CustodyParams,
  LiteSvmProvider,
  Loan,
  LpAccount,
  Order,
  PERPOOL_PROGRAM_ID,
  PoolParams,
  PoolState,
  Position,
  RiskParams,
  TxResult,
  addCollateralIx,
  addLiquidityIx,
  autoDeleverageIx,
  borrowIx,
  claimLpIx,
  createTokenAccount,
  custodySettingsOf,
  decreasePositionIx,
  defaultPoolParams,
  defaultRiskParams,
  depositLoanCollateralIx,
  executeOrderIx,
  fetchPoolState,
  findCustody,
  increasePositionIx,
  initConfigIx,
  liquidateLoanIx,
  liquidatePositionIx,
  loanPda,
  lpAccountPda,
  mintTo,
  perpoolProgram,
  placeOrderIx,
  publishPriceIx,
  positionPda,
  proposeAndExecuteCustodyParamsIxs,
  refreshCustodyIx,
  removeCollateralIx,
  removeLiquidityIx,
  repayIx,
  swapIx,
  withSettings,
  withdrawLoanCollateralIx,
} from "../../sdk/src";
import { listPool } from "../../sdk/src/testing";
import { builtPrograms } from "../helpers";
import { testFeedId } from "../fixtures";
import { TxRunner, U64_MAX, outcomeName } from "../security/world";
import { BooksReport, Holdings, Priced, books, exposure, priced, worth } from "./books";

export type Sym = "SOL" | "ETH" | "USDC";
export const DECIMALS: Record<Sym, number> = { SOL: 9, ETH: 8, USDC: 6 };
export const START_PRICE: Record<Sym, number> = { SOL: 150, ETH: 3_000, USDC: 1 };
export const START_TIME = 1_750_000_000;
export const ZERO = new BN(0);
export const LONG = 1;
export const SHORT = 2;

/** `n` whole units (may have a fraction) with `decimals` decimals. */
export function units(n: number | string, decimals: number): BN {
  const [whole, frac = ""] = String(n).split(".");
  return new BN(whole + frac.padEnd(decimals, "0").slice(0, decimals));
}
export const usd = (n: number | string) => units(n, 6);
export const tok = (sym: Sym, n: number | string) => units(n, DECIMALS[sym]);
/** A USD price as the 9-decimal price the program normalises to. */
export const price9 = (n: number | string) => units(n, 9);

export interface Asset {
  sym: Sym;
  decimals: number;
  mint: PublicKey;
  custody: PublicKey;
  vault: PublicKey;
}

export interface Wallet {
  name: string;
  kp: Keypair;
  key: PublicKey;
  tokens: Record<Sym, PublicKey>;
  lp: PublicKey;
}

export interface EconOptions {
  symbols?: Sym[];
  pool?: Partial<PoolParams>;
  custody?: Partial<Record<Sym, Partial<CustodyParams>>>;
  risk?: Partial<Record<Sym, Partial<RiskParams>>>;
  /** Deterministic keys (the fuzzers); random otherwise. */
  keys?: () => Keypair;
}

/** Whole tokens every wallet starts with. */
export const FUNDS: Record<Sym, number> = { SOL: 200_000, ETH: 10_000, USDC: 30_000_000 };

export class Econ extends TxRunner {
  pool!: PublicKey;
  lpMint!: PublicKey;
  lpEscrow!: PublicKey;
  symbols: Sym[] = [];
  assets = {} as Record<Sym, Asset>;
  /** Spot price per asset (USD, 9 decimals) as last published. */
  prices = {} as Record<Sym, BN>;
  wallets: Record<string, Wallet> = {};
  /** The state instructions are built from (addresses only: taken once, refreshed on demand). */
  built!: PoolState;
  private keyGen: () => Keypair;

  private constructor(
    ctx: { provider: LiteSvmProvider; program: ReturnType<typeof perpoolProgram>; admin: Keypair },
    payer: Keypair,
    keys: () => Keypair,
  ) {
    super(ctx, payer);
    this.keyGen = keys;
  }

  static async create(o: EconOptions = {}): Promise<Econ> {
    const keys = o.keys ?? (() => Keypair.generate());
    const admin = keys();
    const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin), { unixTimestamp: START_TIME });
    const elves = builtPrograms();
    provider.addUpgradeableProgram(PERPOOL_PROGRAM_ID, elves.program, admin.publicKey);
    provider.addPricePublisher(elves.publisher);
    const program = perpoolProgram(provider);
    const env = new Econ({ provider, program, admin }, keys(), keys);
    await env.setup(o);
    return env;
  }

  private async setup(o: EconOptions): Promise<void> {
    const P = this.program;
    const admin = this.admin.publicKey;
    this.ok([await initConfigIx(P, admin, { minTimelockSecs: 0 })], "init_config");
    this.symbols = o.symbols ?? ["SOL", "USDC"];
    for (const sym of this.symbols) this.feeds[sym] = testFeedId(sym);
    // The one pool builder every test world uses; prices go through this world's runner.
    const listing = await listPool(
      {
        provider: this.provider,
        program: P,
        admin,
        send: (ixs, what) => this.ok(ixs, what),
        publish: (a) =>
          this.mustOk(
            this.run([this.publishIx(a.symbol as Sym, price9(START_PRICE[a.symbol as Sym]))]),
            `publish ${a.symbol}`,
          ),
      },
      "econ",
      defaultPoolParams({ timelockSecs: 0, ...o.pool }),
      this.symbols.map((sym) => ({
        symbol: sym,
        decimals: DECIMALS[sym],
        feedId: this.feeds[sym],
        mintKeypair: this.keyGen(),
        params: {
          isStable: sym === "USDC",
          targetWeightBps: Math.floor(10_000 / this.symbols.length),
          oracleMaxAgeSecs: 3_600,
          ...o.custody?.[sym],
        },
      })),
    );
    this.pool = listing.pool;
    for (const sym of this.symbols) {
      const { mint, custody, vault } = listing.assets[sym]!;
      this.assets[sym] = { sym, decimals: DECIMALS[sym], mint, custody, vault };
      await this.setPrice(sym, START_PRICE[sym]);
    }
    await this.rebuild();
    this.lpMint = this.built.pool.lpMint;
    this.lpEscrow = this.built.pool.lpEscrow;
    for (const sym of this.symbols) {
      if (sym === "USDC") continue;
      await this.setRisk(sym, defaultRiskParams({ ...o.risk?.[sym] }));
    }
  }

  async rebuild(): Promise<PoolState> {
    this.built = await fetchPoolState(this.program, this.pool);
    return this.built;
  }

  /** Changes a custody's settings at once (the pool's timelock is 0, as on a local cluster). */
  async setCustody(sym: Sym, change: { params?: Partial<CustodyParams>; risk?: Partial<RiskParams> }): Promise<void> {
    const state = await this.rebuild();
    const custody = this.assets[sym].custody;
    const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), change);
    this.ok(
      await proposeAndExecuteCustodyParamsIxs(this.program, state, { admin: this.admin.publicKey, custody, settings }),
      `settings ${sym}`,
    );
    await this.rebuild();
  }

  setRisk(sym: Sym, risk: Partial<RiskParams>): Promise<void> {
    return this.setCustody(sym, { risk });
  }

  async wallet(name: string, fund: Partial<Record<Sym, number>> = FUNDS): Promise<Wallet> {
    const kp = this.register(this.keyGen());
    this.provider.airdrop(kp.publicKey, 1_000_000_000_000n);
    const tokens = {} as Record<Sym, PublicKey>;
    for (const sym of this.symbols) {
      tokens[sym] = await createTokenAccount(this.provider, this.assets[sym].mint, kp.publicKey, this.keyGen());
      const n = fund[sym] ?? 0;
      if (n > 0) await mintTo(this.provider, this.assets[sym].mint, tokens[sym], this.admin, tok(sym, n));
    }
    const lp = await createTokenAccount(this.provider, this.lpMint, kp.publicKey, this.keyGen());
    const w = { name, kp, key: kp.publicKey, tokens, lp };
    this.wallets[name] = w;
    return w;
  }

  /** Mints more of a token to a wallet (the tests' faucet). */
  async fund(w: Wallet, sym: Sym, n: BN): Promise<void> {
    await mintTo(this.provider, this.assets[sym].mint, w.tokens[sym], this.admin, n);
  }

  // --- oracles and time ---------------------------------------------------------------------

  /** Each asset's Pyth feed id; its price account is the publisher's PDA of it. */
  feeds = {} as Record<Sym, Buffer>;

  private publishIx(sym: Sym, p9: BN): TransactionInstruction {
    return publishPriceIx({
      authority: this.admin.publicKey,
      feedId: this.feeds[sym],
      price: p9.divn(10),
      exponent: -8,
    });
  }

  /** Publishes a spot price (= EMA, no confidence) at the clock through the price publisher. `usdPrice`: dollars, or a 9-decimal BN. */
  async setPrice(sym: Sym, usdPrice: number | string | BN): Promise<TxResult> {
    const p9 = BN.isBN(usdPrice) ? usdPrice : price9(usdPrice);
    const r = this.run([this.publishIx(sym, p9)]);
    if (r.err === null) this.prices[sym] = p9.divn(10).muln(10);
    return r;
  }

  /** Moves the clock (and slots) and republishes every price at the new time. */
  async warp(seconds: number): Promise<void> {
    this.provider.warpSeconds(seconds);
    for (const s of this.symbols) this.mustOk(await this.setPrice(s, this.prices[s]), `republish ${s}`);
  }

  mustOk(r: TxResult, what: string): TxResult {
    if (r.err !== null) throw new Error(`${what} failed: ${outcomeName(r)}\n${r.logs.join("\n")}`);
    return r;
  }

  // --- readings -------------------------------------------------------------------------------

  /** Account data straight from the SVM by raw key bytes (no base58 on the way); null if absent. */
  raw(key: PublicKey): Buffer | null {
    const inner = (
      this.provider.svm as unknown as {
        inner: { getAccount(k: Uint8Array): { lamports(): bigint; data(): Uint8Array } | null };
      }
    ).inner;
    let b = this.rawKeys.get(key);
    if (!b) {
      b = key.toBytes();
      this.rawKeys.set(key, b);
    }
    const a = inner.getAccount(b);
    if (a === null || a.lamports() === 0n) return null;
    const d = a.data();
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
  private rawKeys = new WeakMap<PublicKey, Uint8Array>();

  decode<T>(name: string, key: PublicKey): T | null {
    const d = this.raw(key);
    return d ? (this.program.coder.accounts.decode(name, d) as T) : null;
  }

  tokenBalance(account: PublicKey): BN {
    const d = this.raw(account);
    return d ? new BN(d.readBigUInt64LE(64).toString()) : ZERO;
  }

  lpSupply(): BN {
    return new BN(this.raw(this.lpMint)!.readBigUInt64LE(36).toString());
  }

  /** The pool state from the SVM's accounts (no RPC round trip). */
  state(): PoolState {
    const pool = this.decode<any>("pool", this.pool)!;
    return {
      address: this.pool,
      pool,
      custodies: this.symbols.map((s) => {
        const account = this.decode<Custody>("custody", this.assets[s].custody)!;
        return { address: this.assets[s].custody, account, oracle: this.provider.getAccount(account.oracle) };
      }),
      lpSupply: this.lpSupply(),
      programId: this.program.programId,
    };
  }

  priceList(): BN[] {
    return this.symbols.map((s) => this.prices[s]);
  }

  priced(state: PoolState = this.state()): Priced {
    return priced(state, this.now(), this.priceList());
  }

  vaults(): BN[] {
    return this.symbols.map((s) => this.tokenBalance(this.assets[s].vault));
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

  positionKey(w: Wallet, side: number, market: Sym, coll: Sym): PublicKey {
    return this.pda(
      `p:${w.name}:${side}:${market}:${coll}`,
      () => positionPda(w.key, this.pool, this.assets[market].custody, this.assets[coll].custody, side)[0],
    );
  }

  loanKey(w: Wallet, coll: Sym, borrow: Sym): PublicKey {
    return this.pda(
      `l:${w.name}:${coll}:${borrow}`,
      () => loanPda(w.key, this.pool, this.assets[coll].custody, this.assets[borrow].custody)[0],
    );
  }

  position(key: PublicKey): Position | null {
    return this.decode<Position>("position", key);
  }

  loan(key: PublicKey): Loan | null {
    return this.decode<Loan>("loan", key);
  }

  lpAccount(w: Wallet): LpAccount | null {
    return this.decode<LpAccount>(
      "lpAccount",
      this.pda(`lp:${w.name}`, () => lpAccountPda(this.pool, w.key, this.program.programId)[0]),
    );
  }

  /** Every position and loan of the given wallets (all combinations the suites use). */
  holdings(ws: Wallet[], orders: PublicKey[] = []): Holdings {
    const tokens = this.symbols.map((s) => ws.reduce((t, w) => t.add(this.tokenBalance(w.tokens[s])), new BN(0)));
    let lp = new BN(0);
    const positions: Position[] = [];
    const loans: Loan[] = [];
    for (const w of ws) {
      lp = lp.add(this.tokenBalance(w.lp));
      const rec = this.lpAccount(w);
      if (rec) lp = lp.add(rec.escrowedLp);
      positions.push(...this.positionsOf(w));
      loans.push(...this.loansOf(w));
    }
    const os = orders.map((k) => this.decode<Order>("order", k)).filter((o): o is Order => o !== null);
    return { tokens, lp, positions, loans, orders: os };
  }

  combos(): [number, Sym, Sym][] {
    const out: [number, Sym, Sym][] = [];
    const stable = this.symbols.filter((s) => s === "USDC");
    for (const m of this.symbols.filter((s) => s !== "USDC")) {
      out.push([LONG, m, m]);
      for (const s of stable) out.push([LONG, m, s], [SHORT, m, s]);
    }
    return out;
  }

  positionsOf(w: Wallet): Position[] {
    return this.combos()
      .map(([side, m, c]) => this.position(this.positionKey(w, side, m, c)))
      .filter((p): p is Position => p !== null);
  }

  loanPairs(): [Sym, Sym][] {
    const out: [Sym, Sym][] = [];
    for (const a of this.symbols) for (const b of this.symbols) if (a !== b) out.push([a, b]);
    return out;
  }

  loansOf(w: Wallet): Loan[] {
    return this.loanPairs()
      .map(([c, b]) => this.loan(this.loanKey(w, c, b)))
      .filter((l): l is Loan => l !== null);
  }

  allPositions(): Position[] {
    return Object.values(this.wallets).flatMap((w) => this.positionsOf(w));
  }

  allLoans(): Loan[] {
    return Object.values(this.wallets).flatMap((w) => this.loansOf(w));
  }

  /** The books of the whole pool now (every wallet's positions and loans). */
  books(): BooksReport {
    return books(this.priced(), this.vaults(), this.allPositions(), this.allLoans());
  }

  /** A group's worth and exposure now. */
  worth(ws: Wallet[]): BN {
    return worth(this.priced(), this.holdings(ws));
  }

  exposure(ws: Wallet[]): BN[] {
    return exposure(this.priced(), this.holdings(ws));
  }

  // --- actions (each returns the transaction's result; none throws for a refusal) --------------

  async deposit(w: Wallet, sym: Sym, amount: BN, minLpOut = ZERO): Promise<TxResult> {
    const ix = await addLiquidityIx(this.program, this.built, {
      owner: w.key,
      custody: this.assets[sym].custody,
      fundingAccount: w.tokens[sym],
      lpTokenAccount: w.lp,
      amountIn: amount,
      minLpOut,
    });
    return this.run([ix]);
  }

  async claim(w: Wallet): Promise<TxResult> {
    return this.run([await claimLpIx(this.program, this.built, { owner: w.key, lpTokenAccount: w.lp })]);
  }

  async redeem(w: Wallet, sym: Sym, lpIn: BN, minOut = ZERO): Promise<TxResult> {
    const ix = await removeLiquidityIx(this.program, this.built, {
      owner: w.key,
      custody: this.assets[sym].custody,
      receivingAccount: w.tokens[sym],
      lpTokenAccount: w.lp,
      lpIn,
      minAmountOut: minOut,
    });
    return this.run([ix]);
  }

  async swap(w: Wallet, from: Sym, to: Sym, amount: BN): Promise<TxResult> {
    const ix = await swapIx(this.program, this.built, {
      owner: w.key,
      custodyIn: this.assets[from].custody,
      custodyOut: this.assets[to].custody,
      fundingAccount: w.tokens[from],
      receivingAccount: w.tokens[to],
      amountIn: amount,
      minAmountOut: ZERO,
    });
    return this.run([ix]);
  }

  async open(w: Wallet, side: number, market: Sym, coll: Sym, sizeUsd: BN, collateral: BN): Promise<TxResult> {
    const ix = await increasePositionIx(this.program, this.built, {
      owner: w.key,
      side,
      custody: this.assets[market].custody,
      collateralCustody: this.assets[coll].custody,
      fundingAccount: w.tokens[coll],
      sizeUsd,
      collateralAmount: collateral,
      acceptablePrice: side === LONG ? U64_MAX : ZERO,
    });
    return this.run([ix]);
  }

  async decrease(w: Wallet, key: PublicKey, sizeUsd: BN, collateralOut = ZERO): Promise<TxResult> {
    const p = this.position(key);
    if (!p) throw new Error("no such position");
    const ix = await decreasePositionIx(this.program, this.built, {
      position: p,
      receivingAccount: w.tokens[this.symOf(p.collateralCustody)],
      sizeUsd,
      collateralOut,
      acceptablePrice: p.side === LONG ? ZERO : U64_MAX,
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
      await addCollateralIx(this.program, this.built, {
        position: p,
        fundingAccount: w.tokens[this.symOf(p.collateralCustody)],
        amount,
      }),
    ]);
  }

  async removeCollateral(w: Wallet, key: PublicKey, amount: BN): Promise<TxResult> {
    const p = this.position(key)!;
    return this.run([
      await removeCollateralIx(this.program, this.built, {
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
      await liquidatePositionIx(this.program, this.built, {
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
      await autoDeleverageIx(this.program, this.built, {
        keeper: keeper.key,
        position: p,
        ownerAccount: owner.tokens[this.symOf(p.collateralCustody)],
        sizeUsd,
      }),
    ]);
  }

  async placeOrder(
    w: Wallet,
    a: { side: number; market: Sym; coll: Sym; slot: number; kind: number; trigger: BN; sizeUsd: BN; collateral: BN },
  ): Promise<TxResult> {
    const ix = await placeOrderIx(this.program, this.built, {
      owner: w.key,
      side: a.side,
      custody: this.assets[a.market].custody,
      collateralCustody: this.assets[a.coll].custody,
      fundingAccount: w.tokens[a.coll],
      slot: a.slot,
      kind: a.kind,
      triggerPrice: a.trigger,
      acceptablePrice: a.kind === 3 ? (a.side === LONG ? U64_MAX : ZERO) : ZERO,
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
      await executeOrderIx(this.program, this.built, {
        keeper: keeper.key,
        order,
        account: o,
        ownerAccount: owner.tokens[this.symOf(o.collateralCustody)],
      }),
    ]);
  }

  loanRef(w: Wallet, coll: Sym, borrow: Sym) {
    return { owner: w.key, collateralCustody: this.assets[coll].custody, borrowCustody: this.assets[borrow].custody };
  }

  async loanDeposit(w: Wallet, coll: Sym, borrow: Sym, amount: BN): Promise<TxResult> {
    return this.run([
      await depositLoanCollateralIx(this.program, this.built, {
        ...this.loanRef(w, coll, borrow),
        fundingAccount: w.tokens[coll],
        amount,
      }),
    ]);
  }

  async loanWithdraw(w: Wallet, coll: Sym, borrow: Sym, amount: BN): Promise<TxResult> {
    return this.run([
      await withdrawLoanCollateralIx(this.program, this.built, {
        ...this.loanRef(w, coll, borrow),
        receivingAccount: w.tokens[coll],
        amount,
      }),
    ]);
  }

  async borrow(w: Wallet, coll: Sym, borrow: Sym, amount: BN): Promise<TxResult> {
    return this.run([
      await borrowIx(this.program, this.built, {
        ...this.loanRef(w, coll, borrow),
        receivingAccount: w.tokens[borrow],
        amount,
      }),
    ]);
  }

  async repay(w: Wallet, coll: Sym, borrow: Sym, amount: BN): Promise<TxResult> {
    return this.run([
      await repayIx(this.program, this.built, {
        ...this.loanRef(w, coll, borrow),
        payer: w.key,
        fundingAccount: w.tokens[borrow],
        amount,
      }),
    ]);
  }

  async liquidateLoan(liquidator: Wallet, owner: Wallet, coll: Sym, borrow: Sym, repay: BN): Promise<TxResult> {
    return this.run([
      await liquidateLoanIx(this.program, this.built, {
        ...this.loanRef(owner, coll, borrow),
        liquidator: liquidator.key,
        liquidatorFunding: liquidator.tokens[borrow],
        liquidatorReceiving: liquidator.tokens[coll],
        repayAmount: repay,
      }),
    ]);
  }

  async refresh(sym: Sym): Promise<TxResult> {
    return this.run([await refreshCustodyIx(this.program, this.pool, this.assets[sym].custody)]);
  }

  symOf(custody: PublicKey): Sym {
    const s = this.symbols.find((x) => this.assets[x].custody.equals(custody));
    if (!s) throw new Error("unknown custody");
    return s;
  }

  ownerWallet(owner: PublicKey): Wallet {
    const w = Object.values(this.wallets).find((x) => x.key.equals(owner));
    if (!w) throw new Error("unknown owner");
    return w;
  }
}

export { outcomeName };
