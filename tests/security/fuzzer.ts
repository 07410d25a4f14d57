/**
 * Invariant fuzzing (issue 9, part 2): random sequences of every user, keeper
 * and admin action on one pool — deposits, redemptions, swaps, trades
 * (open / increase / decrease / close, collateral changes), loans (deposit,
 * borrow, repay, withdraw), liquidations, auto-deleveraging, trigger orders,
 * price moves and time jumps — with SPEC §6 checked after every step:
 *
 * 1. per custody, vault tokens + tokens lent = owned + collateral + loan
 *    collateral + protocol fees + insurance + order escrow, exactly;
 * 2. round trips (deposit → redeem, swap → swap back, open → close, borrow →
 *    repay) never return more than was put in;
 * 3. lending and payouts: the pool never owes more than it holds
 *    (owned ≥ lent); what a failed instruction did is nothing at all;
 * 4. the LP price (exact pool value over LP supply, at min and at max prices)
 *    never falls through a deposit, a redemption, a swap, an interest refresh,
 *    an insurance top-up or a protocol-fee withdrawal (loans and trades settle
 *    interest owed to collateral, which may lower it);
 * 5. every failed instruction fails with one of the program's own errors and
 *    leaves every account byte-for-byte unchanged.
 *
 * Everything is deterministic per seed (our own PRNG, keys derived from it, a
 * fixed start time), so a failing seed replays exactly: `npm run fuzz -- --seed N`.
 */
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import {
  Custody,
  CustodyParams,
  IDL,
  MAX_ORDERS,
  OracleKind,
  PoolState,
  Position,
  Loan,
  Side,
  TxResult,
  accrueCustody,
  addCollateralIx,
  addLiquidityIx,
  autoDeleverageIx,
  borrowIx,
  cancelOrderIx,
  decreasePositionIx,
  defaultCustodyParams,
  defaultPoolParams,
  depositLoanCollateralIx,
  executeOrderIx,
  increasePositionIx,
  liquidateLoanIx,
  liquidatePositionIx,
  math,
  placeOrderIx,
  readOraclePrice,
  refreshCustodyIx,
  removeCollateralIx,
  removeLiquidityIx,
  repayIx,
  swapIx,
  topUpInsuranceIx,
  withdrawLoanCollateralIx,
  withdrawProtocolFeesIx,
} from "../../sdk/src";
import { ListingAsset } from "../../sdk/src/testing";
import { testFeedId, units } from "../fixtures";
import {
  Combo,
  LoanEntry,
  OrderEntry,
  PoolRef,
  PositionEntry,
  U64_MAX,
  Wallet,
  World,
  ZERO,
  changedKeys,
  images,
  outcomeName,
  price9,
} from "../world";

// --- a small deterministic PRNG ---------------------------------------------------------------

/** sfc32, seeded through splitmix32: fast, good enough for choosing actions, identical everywhere. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** 10^(uniform in [lo, hi]). */
  logUniform(lo: number, hi: number): number {
    return Math.pow(10, lo + (hi - lo) * this.float());
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  keypair(): Keypair {
    return Keypair.fromSeed(this.bytes(32));
  }

  /** A share of `total`: mostly log-uniform between 1e-9 and 1, sometimes a few base units, sometimes all of it. */
  part(total: BN): BN {
    const r = this.float();
    if (r < 0.1) return new BN(this.range(1, 1000));
    if (r < 0.15) return total.clone();
    const f = Math.floor(this.logUniform(-9, 0) * 1e9);
    return total.mul(new BN(f)).div(new BN(1e9));
  }
}

// --- the world ---------------------------------------------------------------------------------

type Sym = "SOL" | "ETH" | "USDC";
const SYMS: Sym[] = ["SOL", "ETH", "USDC"];
const DECIMALS: Record<string, number> = { SOL: 9, ETH: 8, USDC: 6 };
const START_PRICE: Record<Sym, number> = { SOL: 150, ETH: 3_000, USDC: 1 };
const START_TIME = 1_700_000_000;
/** Whole tokens every wallet starts with. */
const FUNDS: Record<Sym, number> = { SOL: 300_000, ETH: 15_000, USDC: 50_000_000 };

/** Combinations of side, market and collateral a position may not take (those it may: the world's `combos`). */
const BAD_COMBOS: Combo[] = [
  [Side.SHORT, "SOL", "SOL"],
  [Side.LONG, "SOL", "ETH"],
  [Side.LONG, "USDC", "USDC"],
];
/** [collateral, borrowed] */
const LOAN_PAIRS: [string, string][] = [
  ["SOL", "USDC"],
  ["ETH", "USDC"],
  ["USDC", "SOL"],
  ["SOL", "ETH"],
  ["USDC", "ETH"],
];

/** The Pyth feed of each asset; the admin publishes them through the price publisher. */
const FEEDS = { SOL: testFeedId("SOL"), ETH: testFeedId("ETH"), USDC: testFeedId("USDC") } as Record<Sym, Buffer>;

const PERPOOL_ERRORS = new Set((IDL.errors as { name: string }[]).map((e) => e.name));

/** A check that failed: the runner reports it with the seed and step. */
export class InvariantViolation extends Error {}

function violation(what: string): never {
  throw new InvariantViolation(what);
}

/**
 * The fuzzer's configuration of the one test world (`World`, tests/world.ts), every key, mint and
 * parameter drawn from `rng`: one pool, "main" (on chain "fuzz"), of SOL, ETH and USDC with random
 * fee shares and custody and risk parameters, settings that change at once and no LP cooldown (the
 * round trips deposit and redeem in consecutive slots; the cooldown escrow is exercised by the
 * liquidity and economics suites); four traders and a keeper, funded with `FUNDS`; the first
 * liquidity, ann's.
 */
export async function fuzzWorld(rng: Rng): Promise<{ w: World; actors: Wallet[]; keeper: Wallet }> {
  const w = await World.create({ keys: () => rng.keypair(), unixTimestamp: START_TIME, funds: FUNDS });
  const lpShare = rng.range(5_000, 9_000);
  const protocol = rng.range(0, 10_000 - lpShare);
  const params = defaultPoolParams({
    lpFeeShareBps: lpShare,
    protocolFeeShareBps: protocol,
    insuranceFeeShareBps: 10_000 - lpShare - protocol,
    lpCooldownSecs: 0,
    minLpMint: new BN(1),
    timelockSecs: 0,
  });
  for (const sym of SYMS) w.prices[sym] = price9(START_PRICE[sym]);
  const assets: ListingAsset[] = SYMS.map((sym) => ({
    symbol: sym,
    decimals: DECIMALS[sym],
    feedId: FEEDS[sym],
    mintKeypair: rng.keypair(),
    params: randomCustodyParams(rng, sym),
  }));
  await w.addPool("main", params, assets, "fuzz");
  for (const sym of ["SOL", "ETH"] as Sym[]) await w.setRisk(sym, randomRiskParams(rng));
  const actors: Wallet[] = [];
  for (const name of ["ann", "ben", "cat", "dan"]) actors.push(await w.wallet(name));
  const keeper = await w.wallet("keeper");
  const seed: [Sym, number][] = [
    ["USDC", 4_000_000],
    ["SOL", 12_000],
    ["ETH", 700],
  ];
  for (const [sym, whole] of seed)
    w.mustOk(await w.deposit(actors[0], sym, units(whole, DECIMALS[sym])), `seed ${sym}`);
  w.provider.warpSlots(1);
  return { w, actors, keeper };
}

function randomCustodyParams(rng: Rng, sym: Sym): CustodyParams {
  const stable = sym === "USDC";
  const leverage = rng.range(10, 100) * 10_000;
  const mmMax = Math.min(500, Math.floor(100_000_000 / leverage) - 1);
  const mm = rng.range(10, mmMax);
  const close = rng.range(0, Math.min(20, mm - 1));
  const maxLtv = rng.range(5_000, 8_000);
  const usd = (n: number) => new BN(n).mul(new BN(1_000_000));
  const rate = (pct: number) => new BN(Math.round(pct * 10_000_000));
  return defaultCustodyParams({
    oracleKind: OracleKind.PYTH,
    feedId: Array.from(FEEDS[sym]),
    isStable: stable,
    interestOnPnl: rng.chance(0.6),
    collateralEarnsInterest: rng.chance(0.6),
    oracleMaxAgeSecs: rng.range(60, 3_600),
    oracleMaxConfBps: rng.range(50, 300),
    maxLeverageBps: leverage,
    spreadBps: stable ? 0 : rng.range(0, 30),
    targetWeightBps: sym === "ETH" ? 2_000 : 4_000,
    minWeightBps: rng.chance(0.3) ? rng.range(0, 1_500) : 0,
    maxWeightBps: rng.chance(0.3) ? rng.range(6_000, 10_000) : 10_000,
    baseFeeBps: rng.range(0, 50),
    taxFeeBps: rng.range(0, 100),
    openFeeBps: rng.range(0, 20),
    closeFeeBps: close,
    maintenanceMarginBps: mm,
    // The reward and the close fee stay below the maintenance margin (a program bound).
    liquidationRewardBps: rng.range(0, Math.min(50, mm - 1 - close)),
    minCollateralUsd: usd(rng.range(1, 20)),
    maxPositionUsd: usd(rng.pick([100_000, 1_000_000, 5_000_000])),
    maxLongOiUsd: usd(rng.pick([1_000_000, 10_000_000])),
    maxShortOiUsd: usd(rng.pick([1_000_000, 10_000_000])),
    baseRate: rate(rng.range(0, 5)),
    slope1: rate(rng.range(2, 20)),
    slope2: rate(rng.range(50, 300)),
    optimalUtilizationBps: rng.range(5_000, 9_000),
    reserveFactorBps: rng.range(0, 3_000),
    maxUtilizationBps: rng.range(8_000, 9_500),
    bufferBps: rng.range(500, 2_000),
    maxLtvBps: maxLtv,
    liquidationLtvBps: Math.min(10_000, maxLtv + rng.range(300, 1_500)),
    liquidationBonusBps: rng.range(0, 1_000),
    closeFactorBps: rng.range(2_000, 10_000),
  });
}

/** Risk parameters in range, and now and then out of it (a positive impact above the negative one is refused). */
function randomRiskParams(rng: Rng, allowInvalid = false) {
  // Low thresholds now and then, so that auto-deleveraging can happen in a pool this deep.
  const threshold = rng.chance(0.5) ? rng.range(1, 300) : rng.range(500, 9_500);
  const factor = () => (rng.chance(0.3) ? ZERO : new BN(Math.floor(rng.logUniform(7, 11))));
  const [a, b] = [factor(), factor()];
  const [c, d] = [rng.range(0, 300), rng.range(0, 300)];
  const ordered = !(allowInvalid && rng.chance(0.1));
  return {
    impactPositiveFactor: ordered ? BN.min(a, b) : a,
    impactNegativeFactor: ordered ? BN.max(a, b) : b,
    impactExponent: rng.range(1, 3),
    maxPositiveImpactBps: ordered ? Math.min(c, d) : c,
    maxNegativeImpactBps: ordered ? Math.max(c, d) : d,
    fundingFactor: rng.chance(0.3) ? ZERO : new BN(Math.floor(rng.logUniform(9, 12))),
    maxFundingRate: new BN(Math.floor(rng.logUniform(10, 13))),
    adlThresholdBps: threshold,
    adlFloorBps: rng.range(0, threshold - 1),
  };
}

// --- exact pool value --------------------------------------------------------------------------

const TEN = new BN(10);
/** USD with 27 decimals: token × price(9) × 10^(18 − decimals), and USD(6) × 10^21. */
const USD27 = TEN.pow(new BN(21));

/**
 * The pool's value without any rounding, at the prices the program uses for `side`
 * (`processor/valuation.rs`): each custody projected to `now` as the program values it — its own
 * tokens and the LPs' share of accrued borrow fees at min (max) prices, plus what positions owe
 * and minus what they are owed (USD aggregates); then per market side and collateral custody,
 * `min(collateral − debt, loss − profit)` with PnL at the prices that favour that side. 27-decimal USD.
 */
function exactAum(state: PoolState, side: "min" | "max", now: BN): BN {
  let aum = new BN(0);
  const shares = { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
  const lpShare = new BN(10_000 - state.pool.protocolFeeShareBps - state.pool.insuranceFeeShareBps);
  const read = state.custodies.map((c) => {
    const a = accrueCustody(c.account, now, shares);
    const price = readOraclePrice(a, a.oracle, c.oracle, now);
    return { a, price, scale: TEN.pow(new BN(18 - a.decimals)) };
  });
  for (const { a, price, scale } of read) {
    const own = side === "max" ? price.max : price.min;
    // LPs' share of accrued borrow fees, exactly (in 1e4 of tokens).
    const tokens = a.owned.muln(10_000).add(a.borrowFeesAccrued.mul(lpShare));
    aum = aum.add(tokens.mul(own).mul(scale).divn(10_000));
    aum = aum.add(a.pnlInterestOwedUsd.add(a.longFundingOwedUsd).add(a.shortFundingOwedUsd).mul(USD27));
    aum = aum.sub(a.pnlInterestDueUsd.add(a.longFundingDueUsd).add(a.shortFundingDueUsd).mul(USD27));
    const longPrice = side === "max" ? price.min : price.max;
    const shortPrice = side === "max" ? price.max : price.min;
    for (const [long, rows, p] of [
      [true, a.longGroups, longPrice],
      [false, a.shortGroups, shortPrice],
    ] as [boolean, BN[][], BN][]) {
      rows.slice(0, read.length).forEach((row, j) => {
        if (row.every((v) => v.isZero())) return;
        const c = read[j];
        const collPrice = side === "max" ? c.price.max : c.price.min;
        const value = row[1].mul(p).mul(scale);
        const size = row[0].mul(USD27);
        const traderPnl = long ? value.sub(size) : size.sub(value); // signed
        // The debt is already in `owned`: the group adds min(collateral − debt, −PnL).
        const collateralLessDebt = row[2].sub(row[3]).mul(collPrice).mul(c.scale);
        aum = aum.add(BN.min(collateralLessDebt, traderPnl.neg()));
      });
    }
  }
  return aum;
}

interface LpPrice {
  min: BN;
  max: BN;
  supply: BN;
}

function lpPrice(state: PoolState, now: BN): LpPrice | null {
  try {
    return { min: exactAum(state, "min", now), max: exactAum(state, "max", now), supply: state.lpSupply };
  } catch {
    return null; // a stale or invalid price: nothing to compare
  }
}

/** after.aum / after.supply >= before.aum / before.supply, exactly, on both sides. */
function lpPriceKept(before: LpPrice, after: LpPrice): string | null {
  if (before.supply.isZero() || after.supply.isZero()) return null;
  for (const side of ["min", "max"] as const) {
    if (before[side].lten(0)) continue;
    if (after[side].mul(before.supply).lt(before[side].mul(after.supply))) {
      return `LP price at ${side} prices fell: ${before[side].toString()}/${before.supply.toString()} → ${after[side].toString()}/${after.supply.toString()}`;
    }
  }
  return null;
}

// --- the runner --------------------------------------------------------------------------------

export interface OpStats {
  tried: number;
  ok: number;
  failed: number;
  errors: Record<string, number>;
}

export interface FuzzFailure {
  seed: number;
  step: number;
  op: string;
  message: string;
  trace: string[];
}

export interface FuzzResult {
  seed: number;
  steps: number;
  transactions: number;
  stats: Record<string, OpStats>;
  failure?: FuzzFailure;
}

/** One action: a label, the transactions it sends (in order) and what it checks. */
type Op = (f: Fuzzer) => Promise<void>;

export class Fuzzer {
  readonly trace: string[] = [];
  readonly stats: Record<string, OpStats> = {};
  transactions = 0;
  private opName = "";

  constructor(
    readonly w: World,
    /** The traders the actions pick from, and the keeper of the permissionless instructions. */
    readonly actors: Wallet[],
    readonly keeper: Wallet,
    readonly rng: Rng,
  ) {}

  get P() {
    return this.w.program;
  }

  /** The fuzzed pool (the world's main pool). */
  get pool(): PoolRef {
    return this.w.main;
  }

  custody(s: string): PublicKey {
    return this.pool.assets[s].custody;
  }

  /** A symbol's spot price as its feed has it, 8 decimals. */
  price8(s: string): BN {
    return this.w.prices[s].divn(10);
  }

  maxLtvBps(s: string): number {
    return this.w.decode<Custody>("custody", this.custody(s))!.maxLtvBps;
  }

  positions(): PositionEntry[] {
    return this.w.positionList(this.actors);
  }

  loans(): LoanEntry[] {
    return this.w.loanList(this.actors, this.pool, LOAN_PAIRS);
  }

  orders(): OrderEntry[] {
    return this.w.orderList(this.actors);
  }

  /**
   * Sends one transaction. A failure must be one of the program's errors and must
   * change nothing; a success is followed by the global invariants. Returns the result.
   */
  async send(label: string, ixs: TransactionInstruction[]): Promise<TxResult> {
    const keys = new Map<string, PublicKey>();
    for (const ix of ixs) for (const k of ix.keys) keys.set(k.pubkey.toBase58(), k.pubkey);
    const watched = [...keys.values()];
    const before = images(this.w, watched);
    const r = this.w.run(ixs);
    this.transactions++;
    const outcome = outcomeName(r);
    const s = (this.stats[this.opName] ??= { tried: 0, ok: 0, failed: 0, errors: {} });
    s.tried++;
    this.trace.push(`${label}: ${outcome}`);
    if (this.trace.length > 40) this.trace.shift();
    if (r.err === null) {
      s.ok++;
    } else {
      s.failed++;
      s.errors[outcome] = (s.errors[outcome] ?? 0) + 1;
      if (!PERPOOL_ERRORS.has(outcome))
        violation(`${label} failed with ${outcome}, not one of the program's errors\n${r.logs.join("\n")}`);
      const changed = changedKeys(watched, before, images(this.w, watched));
      if (changed.length > 0) violation(`${label} failed with ${outcome} but changed ${changed.join(", ")}`);
    }
    await this.checkAccounting(label);
    return r;
  }

  /**
   * SPEC §6.1 for every custody, and what lending may book: never more lent
   * than the loans owe at the custody's borrow index, never more lent than owned.
   */
  async checkAccounting(after: string): Promise<void> {
    const debts: Record<string, BN> = {};
    for (const s of SYMS) debts[s] = new BN(0);
    const custodies: Record<string, Custody> = {};
    for (const s of SYMS) custodies[s] = this.w.decode<Custody>("custody", this.pool.assets[s].custody)!;
    for (const { l, pair } of this.loans()) {
      debts[pair[1]] = debts[pair[1]].add(math.debtTokens(l.scaledDebt, custodies[pair[1]].borrowIndex));
    }
    for (const sym of SYMS) {
      const a = this.pool.assets[sym];
      const c = custodies[sym];
      if (c.lent.gt(debts[sym]))
        violation(`after ${after}: ${sym} books ${c.lent.toString()} lent but its loans owe ${debts[sym].toString()}`);
      const vault = this.w.tokenBalance(a.vault);
      const books = c.owned
        .add(c.collateral)
        .add(c.loanCollateral)
        .add(c.protocolFees)
        .add(c.insurance)
        .add(c.orderCollateral)
        .add(c.collateralInterestDue);
      if (!vault.add(c.lent).add(c.positionDebt).eq(books)) {
        violation(
          `after ${after}: ${sym} vault ${vault.toString()} + lent ${c.lent.toString()} + position debt ${c.positionDebt.toString()} ≠ books ${books.toString()} (owned ${c.owned}, collateral ${c.collateral}, loan collateral ${c.loanCollateral}, protocol ${c.protocolFees}, insurance ${c.insurance}, orders ${c.orderCollateral}, collateral interest ${c.collateralInterestDue})`,
        );
      }
    }
  }

  async run(op: [string, Op]): Promise<void> {
    this.opName = op[0];
    await op[1](this);
  }
}

const sym = (f: Fuzzer) => f.rng.pick(SYMS);

/** The position with the most size per unit of collateral value (the likeliest to be liquidatable). */
function mostLeveraged<T extends { p: Position; combo: Combo }>(f: Fuzzer, all: T[]): T {
  const lev = (x: T) =>
    x.p.sizeUsd.toNumber() /
    Math.max(
      1,
      (x.p.collateralAmount.toNumber() / 10 ** DECIMALS[x.combo[2]]) * (f.price8(x.combo[2]).toNumber() / 100),
    );
  return all.reduce((best, x) => (lev(x) > lev(best) ? x : best));
}

/** The position with the largest unrealized profit at spot prices. */
function mostProfitable<T extends { p: Position; combo: Combo }>(f: Fuzzer, all: T[]): T {
  const pnl = (x: T) => {
    const value = (x.p.sizeTokens.toNumber() / 10 ** DECIMALS[x.combo[1]]) * (f.price8(x.combo[1]).toNumber() / 1e8);
    const size = x.p.sizeUsd.toNumber() / 1e6;
    return x.p.side === Side.LONG ? value - size : size - value;
  };
  return all.reduce((best, x) => (pnl(x) > pnl(best) ? x : best));
}

/** The loan with the most debt per unit of collateral. */
function mostIndebted<T extends { l: Loan; pair: [string, string] }>(f: Fuzzer, all: T[]): T {
  const ltv = (x: T) =>
    ((x.l.scaledDebt.toNumber() / 10 ** DECIMALS[x.pair[1]]) * f.price8(x.pair[1]).toNumber()) /
    Math.max(1, (x.l.collateralAmount.toNumber() / 10 ** DECIMALS[x.pair[0]]) * f.price8(x.pair[0]).toNumber());
  return all.reduce((best, x) => (ltv(x) > ltv(best) ? x : best));
}
const actor = (f: Fuzzer) => f.rng.pick(f.actors);
const MAXP = U64_MAX;

/** Before/after LP prices around `body`, which must keep them (exactly) when it succeeds. */
async function keepingLpPrice(f: Fuzzer, label: string, ixs: TransactionInstruction[]): Promise<TxResult> {
  const before = lpPrice(f.w.state(), f.w.now());
  const r = await f.send(label, ixs);
  if (r.err === null && before) {
    const after = lpPrice(f.w.state(), f.w.now());
    const bad = after && lpPriceKept(before, after);
    if (bad) violation(`${label}: ${bad}`);
  }
  return r;
}

// --- the actions ------------------------------------------------------------------------------

const ops: [string, number, Op][] = [
  [
    "price move",
    14,
    async (f) => {
      const s = f.rng.pick(SYMS);
      const p = f.price8(s);
      const sigma = s === "USDC" ? 0.002 : f.rng.pick([0.001, 0.01, 0.05, 0.2, 0.5]);
      const move = Math.exp(sigma * (f.rng.float() * 2 - 1));
      const price = BN.max(new BN(1), new BN(Math.round(p.toNumber() * move)));
      const r = f.rng.float();
      const ema =
        r < 0.6 ? price : r < 0.8 ? p : new BN(Math.round(price.toNumber() * (1 + 0.01 * (f.rng.float() - 0.5))));
      const conf = f.rng.chance(0.8) ? ZERO : price.muln(f.rng.range(0, 120)).divn(10_000);
      // The feed's 8 decimals as the world's 9.
      f.w.quote(s, price.muln(10), { ema: BN.max(new BN(1), ema).muln(10), conf: conf.muln(10) });
      await f.send(`publish_price ${s} ${price.toString()}`, [f.w.quoteIx(s)]);
    },
  ],
  [
    "time jump",
    5,
    async (f) => {
      const secs = Math.floor(f.rng.logUniform(0, 6.2));
      f.w.provider.warpSeconds(secs);
      f.trace.push(`warp ${secs} s`);
      // Usually the oracles publish again; sometimes they stay stale for a while.
      if (f.rng.chance(0.9)) f.w.republish();
    },
  ],
  [
    "deposit",
    9,
    async (f) => {
      const a = actor(f);
      const s = sym(f);
      const amount = f.rng.part(f.w.tokenBalance(a.tokens[s]));
      const ix = await addLiquidityIx(f.P, f.w.state(), {
        owner: a.key,
        custody: f.custody(s),
        fundingAccount: a.tokens[s],
        lpTokenAccount: a.lp.main,
        amountIn: amount,
        minLpOut: ZERO,
      });
      await keepingLpPrice(f, `add_liquidity ${a.name} ${amount} ${s}`, [ix]);
      if (f.rng.chance(0.7)) f.w.provider.warpSlots(1);
    },
  ],
  [
    "redeem",
    7,
    async (f) => {
      const a = actor(f);
      const s = sym(f);
      const lpIn = f.rng.part(f.w.tokenBalance(a.lp.main));
      const ix = await removeLiquidityIx(f.P, f.w.state(), {
        owner: a.key,
        custody: f.custody(s),
        receivingAccount: a.tokens[s],
        lpTokenAccount: a.lp.main,
        lpIn,
        minAmountOut: ZERO,
      });
      await keepingLpPrice(f, `remove_liquidity ${a.name} ${lpIn} LP → ${s}`, [ix]);
    },
  ],
  [
    "swap",
    7,
    async (f) => {
      const a = actor(f);
      const from = sym(f);
      const to = f.rng.chance(0.05) ? from : f.rng.pick(SYMS.filter((x) => x !== from));
      const amount = f.rng.part(f.w.tokenBalance(a.tokens[from]).divn(10));
      const ix = await swapIx(f.P, f.w.state(), {
        owner: a.key,
        custodyIn: f.custody(from),
        custodyOut: f.custody(to),
        fundingAccount: a.tokens[from],
        receivingAccount: a.tokens[to],
        amountIn: amount,
        minAmountOut: ZERO,
      });
      await keepingLpPrice(f, `swap ${a.name} ${amount} ${from} → ${to}`, [ix]);
    },
  ],
  [
    "increase position",
    12,
    async (f) => {
      const a = actor(f);
      const combo = f.rng.chance(0.05) ? f.rng.pick(BAD_COMBOS) : f.rng.pick(f.w.combos());
      const [side, market, coll] = combo;
      const price = f.price8(coll).toNumber() / 1e8;
      const collateralUsd = f.rng.logUniform(0, 5.5);
      const collateral = new BN(Math.floor((collateralUsd / price) * 10 ** DECIMALS[coll]));
      const leverage = f.rng.logUniform(0, 2);
      const sizeUsd = new BN(Math.floor(collateralUsd * leverage * 1e6));
      const tight = f.rng.chance(0.05);
      const mp = f.price8(market).muln(10);
      const ix = await increasePositionIx(f.P, f.w.state(), {
        owner: a.key,
        side,
        custody: f.custody(market),
        collateralCustody: f.custody(coll),
        fundingAccount: a.tokens[coll],
        sizeUsd: f.rng.chance(0.03) ? ZERO : sizeUsd,
        collateralAmount: f.rng.chance(0.1) ? ZERO : collateral,
        acceptablePrice: tight ? mp : side === Side.LONG ? MAXP : ZERO,
      });
      await f.send(
        `increase ${a.name} ${side === Side.LONG ? "long" : "short"} ${market}/${coll} $${sizeUsd.toString()} coll ${collateral}`,
        [ix],
      );
    },
  ],
  [
    "decrease position",
    8,
    async (f) => {
      const all = f.positions();
      if (all.length === 0) return;
      const { wallet: a, p, combo } = f.rng.pick(all);
      const r = f.rng.float();
      const size = r < 0.35 ? p.sizeUsd : r < 0.85 ? f.rng.part(p.sizeUsd) : r < 0.95 ? ZERO : p.sizeUsd.addn(1);
      const collOut = f.rng.chance(0.7) ? ZERO : f.rng.part(p.collateralAmount);
      const ix = await decreasePositionIx(f.P, f.w.state(), {
        position: p,
        receivingAccount: a.tokens[combo[2]],
        sizeUsd: size,
        collateralOut: collOut,
        acceptablePrice: p.side === Side.LONG ? ZERO : MAXP,
      });
      await f.send(`decrease ${a.name} ${combo.join("/")} $${size} out ${collOut}`, [ix]);
    },
  ],
  [
    "collateral change",
    6,
    async (f) => {
      const all = f.positions();
      if (all.length === 0) return;
      const { wallet: a, p, combo } = f.rng.pick(all);
      const state = f.w.state();
      if (f.rng.chance(0.5)) {
        const amount = f.rng.part(f.w.tokenBalance(a.tokens[combo[2]]).divn(100));
        await f.send(`add_collateral ${a.name} ${amount}`, [
          await addCollateralIx(f.P, state, { position: p, fundingAccount: a.tokens[combo[2]], amount }),
        ]);
      } else {
        const amount = f.rng.part(p.collateralAmount);
        await f.send(`remove_collateral ${a.name} ${amount}`, [
          await removeCollateralIx(f.P, state, { position: p, receivingAccount: a.tokens[combo[2]], amount }),
        ]);
      }
    },
  ],
  [
    "liquidate position",
    5,
    async (f) => {
      const all = f.positions();
      if (all.length === 0) return;
      const { wallet: a, p, combo } = f.rng.chance(0.7) ? mostLeveraged(f, all) : f.rng.pick(all);
      const k = f.keeper;
      const ix = await liquidatePositionIx(f.P, f.w.state(), {
        keeper: k.key,
        position: p,
        keeperAccount: k.tokens[combo[2]],
        ownerAccount: a.tokens[combo[2]],
      });
      await f.send(`liquidate ${a.name} ${combo.join("/")}`, [ix]);
    },
  ],
  [
    "auto-deleverage",
    3,
    async (f) => {
      const all = f.positions();
      if (all.length === 0) return;
      const { wallet: a, p, combo } = f.rng.chance(0.7) ? mostProfitable(f, all) : f.rng.pick(all);
      const k = f.keeper;
      const ix = await autoDeleverageIx(f.P, f.w.state(), {
        keeper: k.key,
        position: p,
        ownerAccount: a.tokens[combo[2]],
        sizeUsd: f.rng.part(p.sizeUsd),
      });
      await f.send(`auto_deleverage ${a.name} ${combo.join("/")}`, [ix]);
    },
  ],
  [
    "loan",
    12,
    async (f) => {
      const loans = f.loans();
      const r = f.rng.float();
      const state = f.w.state();
      if (r < 0.3 || loans.length === 0) {
        const a = actor(f);
        const pair = f.rng.pick(LOAN_PAIRS);
        const amount = f.rng.part(f.w.tokenBalance(a.tokens[pair[0]]).divn(20));
        const ref = f.w.loanRef(a, ...pair);
        await f.send(`deposit_loan_collateral ${a.name} ${pair.join("→")} ${amount}`, [
          await depositLoanCollateralIx(f.P, state, { ...ref, fundingAccount: a.tokens[pair[0]], amount }),
        ]);
        return;
      }
      const { wallet: a, l, pair } = f.rng.pick(loans);
      const ref = f.w.loanRef(a, ...pair);
      if (r < 0.6) {
        // Borrow a share of what the collateral could carry at full LTV.
        const cp = f.price8(pair[0]).toNumber() / 1e8;
        const bp = f.price8(pair[1]).toNumber() / 1e8;
        const ltv = f.maxLtvBps(pair[0]) / 10_000;
        const capacity = ((l.collateralAmount.toNumber() / 10 ** DECIMALS[pair[0]]) * cp * ltv) / bp;
        const whole = new BN(Math.floor(capacity * 10 ** DECIMALS[pair[1]]));
        // Often close to the maximum loan-to-value, so that price moves make loans liquidatable.
        const amount = f.rng.chance(0.3) ? whole.muln(f.rng.range(900, 1_000)).divn(1_000) : f.rng.part(whole);
        await f.send(`borrow ${a.name} ${pair.join("→")} ${amount}`, [
          await borrowIx(f.P, state, { ...ref, receivingAccount: a.tokens[pair[1]], amount }),
        ]);
      } else if (r < 0.85) {
        const amount = f.rng.chance(0.3) ? MAXP : f.rng.part(f.w.tokenBalance(a.tokens[pair[1]]).divn(1000));
        await f.send(`repay ${a.name} ${pair.join("→")} ${amount}`, [
          await repayIx(f.P, state, { ...ref, payer: a.key, fundingAccount: a.tokens[pair[1]], amount }),
        ]);
      } else {
        const amount = f.rng.part(l.collateralAmount);
        await f.send(`withdraw_loan_collateral ${a.name} ${amount}`, [
          await withdrawLoanCollateralIx(f.P, state, { ...ref, receivingAccount: a.tokens[pair[0]], amount }),
        ]);
      }
    },
  ],
  [
    "liquidate loan",
    3,
    async (f) => {
      const loans = f.loans();
      if (loans.length === 0) return;
      const { wallet: a, pair } = f.rng.chance(0.7) ? mostIndebted(f, loans) : f.rng.pick(loans);
      const k = f.keeper;
      const ix = await liquidateLoanIx(f.P, f.w.state(), {
        owner: a.key,
        collateralCustody: f.custody(pair[0]),
        borrowCustody: f.custody(pair[1]),
        liquidator: k.key,
        liquidatorFunding: k.tokens[pair[1]],
        liquidatorReceiving: k.tokens[pair[0]],
        repayAmount: f.rng.chance(0.3) ? MAXP : f.rng.part(f.w.tokenBalance(k.tokens[pair[1]]).divn(1000)),
      });
      await f.send(`liquidate_loan ${a.name} ${pair.join("→")}`, [ix]);
    },
  ],
  [
    "orders",
    9,
    async (f) => {
      const r = f.rng.float();
      const orders = f.orders();
      const state = f.w.state();
      if (r < 0.45 || orders.length === 0) {
        const kind = f.rng.pick([1, 2, 3]);
        const open = f.positions();
        // Take-profit and stop-loss mostly on open positions (they need one).
        const target = kind !== 3 && open.length > 0 && f.rng.chance(0.8) ? f.rng.pick(open) : undefined;
        const a = target?.wallet ?? actor(f);
        const combo = target?.combo ?? f.rng.pick(f.w.combos());
        const spot = f.price8(combo[1]).muln(10);
        const trigger = spot.mul(new BN(Math.floor(f.rng.logUniform(-0.1, 0.1) * 1e6))).div(new BN(1e6));
        const collPrice = f.price8(combo[2]).toNumber() / 1e8;
        const collUsd = f.rng.logUniform(1, 4);
        const ix = await placeOrderIx(f.P, state, {
          owner: a.key,
          side: combo[0],
          custody: f.custody(combo[1]),
          collateralCustody: f.custody(combo[2]),
          fundingAccount: a.tokens[combo[2]],
          slot: f.rng.int(MAX_ORDERS),
          kind,
          triggerPrice: trigger,
          acceptablePrice: kind === 3 ? (combo[0] === Side.LONG ? MAXP : new BN(1)) : ZERO,
          sizeUsd:
            kind === 3
              ? new BN(Math.floor(collUsd * f.rng.logUniform(0, 1.3) * 1e6))
              : f.rng.chance(0.5)
                ? ZERO
                : new BN(Math.floor(f.rng.logUniform(0, 5) * 1e6)),
          collateralAmount: kind === 3 ? new BN(Math.floor((collUsd / collPrice) * 10 ** DECIMALS[combo[2]])) : ZERO,
          executionReward: new BN(f.rng.range(10_000, 50_000)),
        });
        await f.send(`place_order ${a.name} kind ${kind} ${combo.join("/")}`, [ix]);
        return;
      }
      const { wallet: a, key, o, combo } = f.rng.pick(orders);
      if (r < 0.6) {
        const ix = await cancelOrderIx(f.P, state, { order: key, account: o, receivingAccount: a.tokens[combo[2]] });
        await f.send(`cancel_order ${a.name} kind ${o.kind}`, [ix]);
      } else {
        const k = f.keeper;
        const ix = await executeOrderIx(f.P, state, {
          keeper: k.key,
          order: key,
          account: o,
          ownerAccount: a.tokens[combo[2]],
        });
        await f.send(`execute_order ${a.name} kind ${o.kind}`, [ix]);
      }
    },
  ],
  [
    "housekeeping",
    4,
    async (f) => {
      const s = sym(f);
      const state = f.w.state();
      const r = f.rng.float();
      if (r < 0.5) {
        await keepingLpPrice(f, `refresh_custody ${s}`, [await refreshCustodyIx(f.P, f.pool.pool, f.custody(s))]);
      } else if (r < 0.7) {
        const a = actor(f);
        const amount = f.rng.part(f.w.tokenBalance(a.tokens[s]).divn(1000));
        await keepingLpPrice(f, `top_up_insurance ${s} ${amount}`, [
          await topUpInsuranceIx(f.P, state, {
            payer: a.key,
            custody: f.custody(s),
            fundingAccount: a.tokens[s],
            amount,
          }),
        ]);
      } else if (r < 0.9) {
        const c = state.custodies.find((x) => x.address.equals(f.custody(s)))!.account;
        const amount = f.rng.part(c.protocolFees);
        const to = f.keeper.tokens[s];
        await keepingLpPrice(f, `withdraw_protocol_fees ${s} ${amount}`, [
          await withdrawProtocolFeesIx(f.P, state, {
            admin: f.w.admin.publicKey,
            custody: f.custody(s),
            receivingAccount: to,
            amount,
          }),
        ]);
      } else {
        const m = f.rng.pick(["SOL", "ETH"] as Sym[]);
        await f.send(`risk parameters ${m}`, await f.w.custodyIxs(m, { risk: randomRiskParams(f.rng, true) }));
      }
    },
  ],
  [
    "round trip",
    7,
    async (f) => {
      const r = f.rng.float();
      if (r < 0.3) await roundTripDeposit(f);
      else if (r < 0.55) await roundTripSwap(f);
      else if (r < 0.85) await roundTripTrade(f);
      else await roundTripLoan(f);
    },
  ],
];

/** Deposit, next slot, redeem every LP token minted into the same asset: no more back than paid. */
async function roundTripDeposit(f: Fuzzer): Promise<void> {
  const a = actor(f);
  const s = sym(f);
  const amount = f.rng.part(f.w.tokenBalance(a.tokens[s]).divn(10));
  const tokens0 = f.w.tokenBalance(a.tokens[s]);
  const lp0 = f.w.tokenBalance(a.lp.main);
  const dep = await f.send(`round trip: add_liquidity ${a.name} ${amount} ${s}`, [
    await addLiquidityIx(f.P, f.w.state(), {
      owner: a.key,
      custody: f.custody(s),
      fundingAccount: a.tokens[s],
      lpTokenAccount: a.lp.main,
      amountIn: amount,
      minLpOut: ZERO,
    }),
  ]);
  if (dep.err !== null) return;
  f.w.provider.warpSlots(1);
  const minted = f.w.tokenBalance(a.lp.main).sub(lp0);
  const red = await f.send(`round trip: remove_liquidity ${a.name} ${minted} LP → ${s}`, [
    await removeLiquidityIx(f.P, f.w.state(), {
      owner: a.key,
      custody: f.custody(s),
      receivingAccount: a.tokens[s],
      lpTokenAccount: a.lp.main,
      lpIn: minted,
      minAmountOut: ZERO,
    }),
  ]);
  if (red.err === null && f.w.tokenBalance(a.tokens[s]).gt(tokens0)) {
    violation(
      `deposit → redeem returned more ${s} than paid: ${tokens0.toString()} → ${f.w.tokenBalance(a.tokens[s]).toString()}`,
    );
  }
}

/** Swap A → B, then everything received back B → A: no more A than before. */
async function roundTripSwap(f: Fuzzer): Promise<void> {
  const a = actor(f);
  const from = sym(f);
  const to = f.rng.pick(SYMS.filter((x) => x !== from));
  const amount = f.rng.part(f.w.tokenBalance(a.tokens[from]).divn(10));
  const start = f.w.tokenBalance(a.tokens[from]);
  const got0 = f.w.tokenBalance(a.tokens[to]);
  const swap = async (x: Sym, y: Sym, amt: BN) =>
    f.send(`round trip: swap ${a.name} ${amt} ${x} → ${y}`, [
      await swapIx(f.P, f.w.state(), {
        owner: a.key,
        custodyIn: f.custody(x),
        custodyOut: f.custody(y),
        fundingAccount: a.tokens[x],
        receivingAccount: a.tokens[y],
        amountIn: amt,
        minAmountOut: ZERO,
      }),
    ]);
  if ((await swap(from, to, amount)).err !== null) return;
  const received = f.w.tokenBalance(a.tokens[to]).sub(got0);
  if ((await swap(to, from, received)).err !== null) return;
  if (f.w.tokenBalance(a.tokens[from]).gt(start))
    violation(
      `swap ${from} → ${to} → ${from} returned more than paid: ${start.toString()} → ${f.w.tokenBalance(a.tokens[from]).toString()}`,
    );
}

/** Open a fresh position and close it all, in the same second or the next, prices unchanged: no gain. */
async function roundTripTrade(f: Fuzzer): Promise<void> {
  const a = actor(f);
  const combo = f.rng.pick(f.w.combos());
  const key = f.w.positionKey(a, ...combo);
  if (f.w.raw(key) !== null) return;
  const [side, market, coll] = combo;
  const price = f.price8(coll).toNumber() / 1e8;
  const collateralUsd = f.rng.logUniform(1, 5);
  const collateral = new BN(Math.floor((collateralUsd / price) * 10 ** DECIMALS[coll]));
  const sizeUsd = new BN(Math.floor(collateralUsd * f.rng.logUniform(0, 1.5) * 1e6));
  const start = f.w.tokenBalance(a.tokens[coll]);
  const open = await f.send(`round trip: open ${a.name} ${combo.join("/")} $${sizeUsd}`, [
    await increasePositionIx(f.P, f.w.state(), {
      owner: a.key,
      side,
      custody: f.custody(market),
      collateralCustody: f.custody(coll),
      fundingAccount: a.tokens[coll],
      sizeUsd,
      collateralAmount: collateral,
      acceptablePrice: side === Side.LONG ? MAXP : ZERO,
    }),
  ]);
  if (open.err !== null) return;
  if (f.rng.chance(0.5)) f.w.provider.warpSeconds(1); // the next second: profit would be allowed
  const p = f.w.decode<Position>("position", key)!;
  const close = await f.send(`round trip: close ${a.name} ${combo.join("/")}`, [
    await decreasePositionIx(f.P, f.w.state(), {
      position: p,
      receivingAccount: a.tokens[coll],
      sizeUsd: p.sizeUsd,
      collateralOut: ZERO,
      acceptablePrice: side === Side.LONG ? ZERO : MAXP,
    }),
  ]);
  if (close.err === null && f.w.tokenBalance(a.tokens[coll]).gt(start)) {
    violation(
      `open → close of ${combo.join("/")} returned more than deposited: ${start.toString()} → ${f.w.tokenBalance(a.tokens[coll]).toString()}`,
    );
  }
}

/** Borrow, then repay everything at once: at least as many tokens go back as came out. */
async function roundTripLoan(f: Fuzzer): Promise<void> {
  const loans = f.loans().filter((l) => l.l.scaledDebt.isZero() && !l.l.collateralAmount.isZero());
  if (loans.length === 0) return;
  const { wallet: a, l, pair } = f.rng.pick(loans);
  const ref = f.w.loanRef(a, ...pair);
  const cp = f.price8(pair[0]).toNumber() / 1e8;
  const bp = f.price8(pair[1]).toNumber() / 1e8;
  const capacity = ((l.collateralAmount.toNumber() / 10 ** DECIMALS[pair[0]]) * cp * 0.5) / bp;
  const amount = f.rng.part(new BN(Math.floor(capacity * 10 ** DECIMALS[pair[1]])));
  const start = f.w.tokenBalance(a.tokens[pair[1]]);
  const b = await f.send(`round trip: borrow ${a.name} ${amount}`, [
    await borrowIx(f.P, f.w.state(), { ...ref, receivingAccount: a.tokens[pair[1]], amount }),
  ]);
  if (b.err !== null) return;
  if (f.rng.chance(0.5)) f.w.provider.warpSeconds(1);
  const r = await f.send(`round trip: repay ${a.name}`, [
    await repayIx(f.P, f.w.state(), {
      ...ref,
      payer: a.key,
      fundingAccount: a.tokens[pair[1]],
      amount: MAXP,
    }),
  ]);
  if (r.err === null && f.w.tokenBalance(a.tokens[pair[1]]).gt(start)) {
    violation(
      `borrow → repay left the borrower with more: ${start.toString()} → ${f.w.tokenBalance(a.tokens[pair[1]]).toString()}`,
    );
  }
}

/** Moves one price by `factor` (spot and EMA together) and publishes it. */
async function movePrice(f: Fuzzer, s: string, factor: number): Promise<void> {
  const price = BN.max(new BN(1), new BN(Math.round(f.price8(s).toNumber() * factor)));
  f.w.quote(s, price.muln(10));
  await f.send(`publish_price ${s} ${price.toString()}`, [f.w.quoteIx(s)]);
}

/**
 * Keeper drills: a leveraged position or loan, a price move against (or, for
 * auto-deleveraging, for) it, then the keeper's instruction — so that the
 * permissionless paths run often, not only when the random walk allows.
 */
async function keeperDrill(f: Fuzzer): Promise<void> {
  const a = actor(f);
  const k = f.keeper;
  const r = f.rng.float();
  if (r < 0.4) {
    const combo = f.rng.pick(f.w.combos());
    const [side, market, coll] = combo;
    const price = f.price8(coll).toNumber() / 1e8;
    const collateralUsd = f.rng.logUniform(2, 4.5);
    const leverage = f.rng.logUniform(0.5, 1.7);
    const ix = await increasePositionIx(f.P, f.w.state(), {
      owner: a.key,
      side,
      custody: f.custody(market),
      collateralCustody: f.custody(coll),
      fundingAccount: a.tokens[coll],
      sizeUsd: new BN(Math.floor(collateralUsd * leverage * 1e6)),
      collateralAmount: new BN(Math.floor((collateralUsd / price) * 10 ** DECIMALS[coll])),
      acceptablePrice: side === Side.LONG ? MAXP : ZERO,
    });
    await f.send(`drill: open ${a.name} ${combo.join("/")} ${leverage.toFixed(1)}x`, [ix]);
    const against = side === Side.LONG ? 1 - f.rng.logUniform(-2, -0.5) : 1 + f.rng.logUniform(-2, -0.5);
    await movePrice(f, market, against);
    const p = f.w.decode<Position>("position", f.w.positionKey(a, ...combo));
    if (!p) return;
    const liq = await liquidatePositionIx(f.P, f.w.state(), {
      keeper: k.key,
      position: p,
      keeperAccount: k.tokens[coll],
      ownerAccount: a.tokens[coll],
    });
    await f.send(`drill: liquidate ${a.name} ${combo.join("/")}`, [liq]);
  } else if (r < 0.7) {
    const pair = f.rng.pick(LOAN_PAIRS.filter((x) => x[0] !== "USDC"));
    const ref = f.w.loanRef(a, ...pair);
    const amount = f.rng.part(f.w.tokenBalance(a.tokens[pair[0]]).divn(50));
    await f.send(`drill: deposit_loan_collateral ${a.name} ${pair.join("→")}`, [
      await depositLoanCollateralIx(f.P, f.w.state(), { ...ref, fundingAccount: a.tokens[pair[0]], amount }),
    ]);
    const l = f.w.loan(f.w.loanKey(a, ...pair));
    if (!l) return;
    const cp = f.price8(pair[0]).toNumber() / 1e8;
    const bp = f.price8(pair[1]).toNumber() / 1e8;
    const capacity =
      ((l.collateralAmount.toNumber() / 10 ** DECIMALS[pair[0]]) * cp * (f.maxLtvBps(pair[0]) / 10_000)) / bp;
    const borrow = new BN(Math.floor(capacity * 0.97 * 10 ** DECIMALS[pair[1]]));
    await f.send(`drill: borrow ${a.name} ${borrow}`, [
      await borrowIx(f.P, f.w.state(), { ...ref, receivingAccount: a.tokens[pair[1]], amount: borrow }),
    ]);
    await movePrice(f, pair[0], 1 - f.rng.logUniform(-1.5, -0.3));
    const liq = await liquidateLoanIx(f.P, f.w.state(), {
      ...ref,
      liquidator: k.key,
      liquidatorFunding: k.tokens[pair[1]],
      liquidatorReceiving: k.tokens[pair[0]],
      repayAmount: f.rng.chance(0.5) ? MAXP : f.rng.part(borrow),
    });
    await f.send(`drill: liquidate_loan ${a.name} ${pair.join("→")}`, [liq]);
  } else {
    // Auto-deleveraging: a big winner on one side, a low threshold, the price in its favour.
    const market = f.rng.pick(["SOL", "ETH"] as Sym[]);
    const combo: [number, Sym, Sym] = [Side.LONG, market, "USDC"];
    const risk = { ...randomRiskParams(f.rng), adlThresholdBps: f.rng.range(1, 50), adlFloorBps: 0 };
    await f.send(
      `drill: risk parameters ${market} ADL at ${risk.adlThresholdBps} bps`,
      await f.w.custodyIxs(market, { risk }),
    );
    const collateralUsd = f.rng.logUniform(4, 5.3);
    await f.send(`drill: open ${a.name} ${combo.join("/")}`, [
      await increasePositionIx(f.P, f.w.state(), {
        owner: a.key,
        side: Side.LONG,
        custody: f.custody(market),
        collateralCustody: f.custody("USDC"),
        fundingAccount: a.tokens.USDC,
        sizeUsd: new BN(Math.floor(collateralUsd * 3 * 1e6)),
        collateralAmount: new BN(Math.floor(collateralUsd * 1e6)),
        acceptablePrice: MAXP,
      }),
    ]);
    f.w.provider.warpSeconds(1);
    await movePrice(f, market, 1 + f.rng.logUniform(-1.3, -0.3));
    const p = f.w.decode<Position>("position", f.w.positionKey(a, ...combo));
    if (!p) return;
    const adl = await autoDeleverageIx(f.P, f.w.state(), {
      keeper: k.key,
      position: p,
      ownerAccount: a.tokens.USDC,
      sizeUsd: f.rng.chance(0.3) ? p.sizeUsd : f.rng.part(p.sizeUsd),
    });
    await f.send(`drill: auto_deleverage ${a.name} ${combo.join("/")}`, [adl]);
  }
}

ops.push(["keeper drill", 6, keeperDrill]);

const TOTAL_WEIGHT = ops.reduce((s, o) => s + o[1], 0);

function pickOp(rng: Rng): [string, Op] {
  let x = rng.int(TOTAL_WEIGHT);
  for (const [name, w, op] of ops) {
    if (x < w) return [name, op];
    x -= w;
  }
  throw new Error("unreachable");
}

/** Runs `steps` random actions from `seed`; stops at the first violated invariant. */
export async function fuzzSeed(seed: number, steps: number): Promise<FuzzResult> {
  const rng = new Rng(seed);
  const { w, actors, keeper } = await fuzzWorld(rng);
  const f = new Fuzzer(w, actors, keeper, rng);
  for (let step = 0; step < steps; step++) {
    const op = pickOp(rng);
    try {
      await f.run(op);
    } catch (e) {
      // An invariant violation is a finding; anything else is a bug of the harness and shows its stack.
      const message =
        e instanceof InvariantViolation ? e.message : e instanceof Error ? `harness error: ${e.stack}` : String(e);
      return {
        seed,
        steps: step + 1,
        transactions: f.transactions,
        stats: f.stats,
        failure: { seed, step, op: op[0], message, trace: [...f.trace] },
      };
    }
  }
  return { seed, steps, transactions: f.transactions, stats: f.stats };
}
