/**
 * The SDK's interest and position math against the shared vectors (`tests/vectors/position.json`,
 * also checked by `programs/perpool-core/tests/position_vectors.rs`; quote inputs may carry a price
 * `impact`, absent meaning zero), plus the TS-only contract
 * (error classes and codes, BN in and out, inputs untouched, `RangeError` for impossible inputs)
 * and properties on random realistic positions: no value from nothing, balanced custody books,
 * liquidation only below maintenance margin, healthy remainders.
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  AccrualInput,
  CollateralSide,
  DecreaseInput,
  DecreaseQuote,
  INDEX_ONE,
  Impact,
  IncreaseInput,
  IncreaseQuote,
  LONG,
  LiquidateInput,
  LiquidationQuote,
  MATH_ERROR_NUMBERS,
  MarketSide,
  MathError,
  POSITION_ERROR_CODES,
  PoolPnlInput,
  PositionError,
  PositionState,
  RateCurve,
  SHORT,
  accrue,
  accrueIndex,
  averagePrice,
  borrowFeeTokens,
  borrowRate,
  entryPrice,
  equityUsd,
  exitPrice,
  feeAmount,
  healthOk,
  pnl,
  poolPnl,
  quoteDecrease,
  decreaseImpact,
  quoteIncrease,
  quoteLiquidate,
  sizeTokens,
  supplyRate,
  tokenToUsdFloor,
  tradeSpreadBps,
  utilizationBps,
} from "../src/math";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Vector = { [key: string]: Json };

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "position.json");
const vectors: Record<string, Vector[]> = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));
const MATH_CODES = Object.keys(MATH_ERROR_NUMBERS);
/** Quote vectors with an `impact` field (`IMPACT_*_CASES` in `gen_position_vectors.rs`). */
const IMPACT_INCREASE_CASES = 196;
const IMPACT_DECREASE_CASES = 220;
/** Quote vectors of positions that owe (`pos.owed_tokens`; `OWED_*_CASES` in `gen_position_vectors.rs`). */
const OWED_INCREASE_CASES = 150;
const OWED_DECREASE_CASES = 214;
const OWED_LIQUIDATE_CASES = 190;
const ZERO_IMPACT: Impact = { positive: false, usd: new BN(0) };

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `position.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(name.startsWith("quote_") ? 120 : 60);
  return list;
}

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A JSON value as TS input: camelCase keys, decimal strings as BN, numbers and flags kept. */
function toInput(value: Json): unknown {
  if (typeof value === "string") return new BN(value, 10);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[camel(key)] = toInput(v);
  return out;
}

/** A TS result as the vector's `out`: snake_case keys, BN as decimal strings, flags kept. */
function render(value: unknown): Json {
  if (BN.isBN(value)) return (value as BN).toString(10);
  if (typeof value === "boolean" || typeof value === "number") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value as object)) out[snake(key)] = render(v);
  return out;
}

const field = <T>(v: Vector, key: string): T => toInput(v[key]) as T;

/** The number of vectors whose position owes (`owed_tokens` present, so read rather than defaulted). */
const owing = (list: Vector[]) =>
  list.filter((v) => ((v.input as Vector).pos as Vector).owed_tokens !== undefined).length;

/** True when the vector's input carries an `impact` field. */
const hasImpact = (v: Vector) => (v.input as { [key: string]: Json }).impact !== undefined;

/**
 * Checks a quote section: the count of impact cases, every vector, and for each vector without an
 * impact the same result with an explicit zero impact (absent means zero).
 */
function checkQuotes<I extends { impact?: Impact }>(name: string, impacts: number, run: (i: I) => unknown): void {
  const list = section(name);
  expect(list.filter(hasImpact).length, `${name} impact cases`).to.equal(impacts);
  for (const v of list) {
    const input = field<I>(v, "input");
    check(name, v, () => run(input));
    if (input.impact === undefined)
      check(`${name} (explicit zero impact)`, v, () => run({ ...input, impact: ZERO_IMPACT }));
  }
}

function expectError(label: string, run: () => unknown, code: string): void {
  const cls = MATH_CODES.includes(code) ? MathError : PositionError;
  expect(run, label).to.throw(cls).with.property("code", code);
}

function check(name: string, v: Vector, run: () => unknown): void {
  const label = `${name} ${JSON.stringify(v).slice(0, 400)}`;
  if (v.err === null) {
    expect(render(run()), label).to.deep.equal(v.out);
  } else {
    expectError(label, run, v.err as string);
  }
}

describe("position math: shared vectors", () => {
  it("interest: utilization_bps, borrow_rate, supply_rate, accrue_index, accrue", () => {
    for (const v of section("utilization_bps")) {
      check("utilization_bps", v, () => utilizationBps(field(v, "borrowed"), field(v, "lendable")));
    }
    for (const v of section("borrow_rate")) {
      check("borrow_rate", v, () => borrowRate(field<RateCurve>(v, "curve"), field(v, "u_bps")));
    }
    for (const v of section("supply_rate")) {
      check("supply_rate", v, () =>
        supplyRate(field(v, "borrow_rate"), field(v, "u_bps"), field(v, "reserve_factor_bps")),
      );
    }
    for (const v of section("accrue_index")) {
      check("accrue_index", v, () =>
        accrueIndex(field(v, "index"), field(v, "rate"), field(v, "dt_secs"), v.round_up as boolean),
      );
    }
    for (const v of section("accrue")) {
      check("accrue", v, () => accrue(field<AccrualInput>(v, "input")));
    }
  });

  it("prices and PnL: trade_spread_bps, entry/exit price, size_tokens, pnl, average_price, borrow_fee_tokens, pool_pnl", () => {
    for (const v of section("trade_spread_bps")) {
      check("trade_spread_bps", v, () => tradeSpreadBps(field(v, "spread_bps"), field(v, "price")));
    }
    for (const v of section("entry_price")) {
      check("entry_price", v, () => entryPrice(v.side as number, field(v, "price"), field(v, "spread_bps")));
    }
    for (const v of section("exit_price")) {
      check("exit_price", v, () => exitPrice(v.side as number, field(v, "price"), field(v, "spread_bps")));
    }
    for (const v of section("size_tokens")) {
      check("size_tokens", v, () =>
        sizeTokens(v.side as number, field(v, "size_usd"), field(v, "price"), v.decimals as number),
      );
    }
    for (const v of section("pnl")) {
      check("pnl", v, () =>
        pnl(
          v.side as number,
          field(v, "size_usd"),
          field(v, "size_tokens"),
          field(v, "exit_price"),
          v.decimals as number,
        ),
      );
    }
    for (const v of section("average_price")) {
      check("average_price", v, () =>
        averagePrice(field(v, "size_usd"), field(v, "size_tokens"), v.decimals as number),
      );
    }
    for (const v of section("borrow_fee_tokens")) {
      check("borrow_fee_tokens", v, () =>
        borrowFeeTokens(field(v, "locked"), field(v, "index_now"), field(v, "index_snapshot")),
      );
    }
    for (const v of section("pool_pnl")) {
      check("pool_pnl", v, () => poolPnl(field<PoolPnlInput>(v, "input")));
    }
  });

  it("quote_increase, with and without a price impact", () => {
    expect(owing(section("quote_increase")), "quote_increase owed cases").to.equal(OWED_INCREASE_CASES);
    checkQuotes("quote_increase", IMPACT_INCREASE_CASES, (i: IncreaseInput) => quoteIncrease(i));
  });

  it("decrease_impact: the impact a decrease realizes in USD", () => {
    for (const v of section("decrease_impact")) {
      const x = field<DecreaseInput>(v, "input");
      check("decrease_impact", v, () =>
        decreaseImpact({ pos: x.pos, sizeDeltaUsd: x.sizeDeltaUsd, market: x.market, impact: x.impact ?? ZERO_IMPACT }),
      );
    }
  });

  it("quote_decrease, with and without a price impact", () => {
    expect(owing(section("quote_decrease")), "quote_decrease owed cases").to.equal(OWED_DECREASE_CASES);
    checkQuotes("quote_decrease", IMPACT_DECREASE_CASES, (i: DecreaseInput) => quoteDecrease(i));
  });

  it("quote_liquidate", () => {
    expect(owing(section("quote_liquidate")), "quote_liquidate owed cases").to.equal(OWED_LIQUIDATE_CASES);
    for (const v of section("quote_liquidate"))
      check("quote_liquidate", v, () => quoteLiquidate(field<LiquidateInput>(v, "input")));
  });
});

const b = (x: number | string | bigint) => new BN(x.toString(), 10);
const SOL = b(150_000_000_000);
const USDC = b(1_000_000_000);
const quote = (min: BN, max: BN, conf: BN) => ({ min, max, conf });

function market(decimals: number, price = quote(SOL, SOL, b(150_000_000))): MarketSide {
  return {
    decimals,
    price,
    spreadBps: b(10),
    openFeeBps: b(6),
    closeFeeBps: b(6),
    maxLeverageBps: b(500_000),
    maxPositionUsd: b("10000000000000"),
    oiUsd: b(0),
    oiCapUsd: b("100000000000000"),
    minCollateralUsd: b(10_000_000),
    maintenanceMarginBps: b(100),
    liquidationRewardBps: b(10),
  };
}

function collateral(decimals: number, price = quote(SOL, SOL, b(150_000_000))): CollateralSide {
  return {
    decimals,
    price,
    borrowIndex: INDEX_ONE.clone(),
    owned: b("1000000000000"),
    locked: b(0),
    bufferBps: b(1_000),
  };
}

const emptyPosition = (side: number): PositionState => ({
  side,
  openTime: b(1_000),
  sizeUsd: b(0),
  sizeTokens: b(0),
  collateralAmount: b(0),
  lockedAmount: b(0),
  borrowIndexSnapshot: INDEX_ONE.clone(),
});

/** 10x SOL long on SOL: $1,500 on 1 SOL at $150, 10 bps spread + 10 bps of confidence. */
function solLong(): IncreaseInput {
  return {
    now: b(1_000),
    pos: emptyPosition(LONG),
    sizeDeltaUsd: b(1_500_000_000),
    collateralDelta: b(1_000_000_000),
    market: market(9),
    coll: collateral(9),
    fees: { protocolBps: b(1_000), insuranceBps: b(500) },
  };
}

function opened(i: IncreaseInput, q: IncreaseQuote): PositionState {
  return {
    ...i.pos,
    sizeUsd: q.sizeUsdAfter,
    sizeTokens: q.sizeTokensAfter,
    collateralAmount: q.collateralAfter,
    lockedAmount: i.pos.lockedAmount.add(q.lockedDelta),
    borrowIndexSnapshot: i.coll.borrowIndex,
  };
}

describe("position math: TypeScript contract", () => {
  it("reproduces the worked rate examples", () => {
    const curve: RateCurve = {
      baseRate: b(0),
      slope1: b(40_000_000),
      slope2: b(750_000_000),
      optimalUtilizationBps: b(8_000),
      reserveFactorBps: b(1_000),
    };
    const atKink = borrowRate(curve, b(8_000));
    expect(atKink.toString()).to.equal("40000000");
    expect(supplyRate(atKink, b(8_000), b(1_000)).toString()).to.equal("28800000");
    const atFull = borrowRate(curve, b(10_000));
    expect(atFull.toString()).to.equal("790000000");
    expect(supplyRate(atFull, b(10_000), b(1_000)).toString()).to.equal("711000000");
    const a = accrue({
      borrowIndex: INDEX_ONE,
      supplyIndex: INDEX_ONE,
      lastAccrual: b(1_000),
      now: b(1_000 + 31_536_000),
      locked: b(600),
      lent: b(200),
      lendable: b(1_000),
      curve,
    });
    expect(render(a)).to.deep.equal({
      borrow_index: "1040000000000",
      supply_index: "1028800000000",
      borrow_rate: "40000000",
      supply_rate: "28800000",
      utilization_bps: "8000",
    });
  });

  it("quotes a SOL long round trip by example", () => {
    const i = solLong();
    const q = quoteIncrease(i);
    expect(render(q)).to.deep.equal({
      entry_price: "150300000000",
      size_tokens_delta: "9980039920",
      fee_usd: "900000",
      fee_tokens: "6000000",
      borrow_fee_tokens: "0",
      owed_paid: "0",
      collateral_after: "994000000",
      locked_delta: "10000000000",
      size_usd_after: "1500000000",
      size_tokens_after: "9980039920",
      average_price_after: "150300000002",
      leverage_bps_after: "100603",
      lp_fee: "5100000",
      protocol_fee: "600000",
      insurance_fee: "300000",
    });
    const at = quote(b(165_000_000_000), b(165_000_000_000), b(0));
    const pos = opened(i, q);
    const d: DecreaseInput = {
      now: b(1_000 + 31_536_000),
      pos,
      sizeDeltaUsd: pos.sizeUsd,
      collateralOut: b(0),
      market: market(9, at),
      coll: { ...collateral(9, at), borrowIndex: b("1050000000000"), locked: pos.lockedAmount },
      fees: i.fees,
    };
    const c = quoteDecrease(d);
    expect(c.pnlProfit).to.equal(true);
    expect(c.fullClose).to.equal(true);
    expect(c.profitTokens.toString()).to.equal("879150787");
    expect(c.amountOut.toString()).to.equal((488_545_454 + 879_150_787).toString());
    const same = quoteDecrease({ ...d, now: b(1_000) });
    expect([same.pnlProfit, same.pnlUsd.toString(), same.amountOut.toString()]).to.deep.equal([
      false,
      "0",
      "488545454",
    ]);
  });

  it("throws PositionError for refusals and MathError for arithmetic", () => {
    try {
      quoteIncrease({ ...solLong(), sizeDeltaUsd: b(0) });
      expect.fail("expected a throw");
    } catch (e) {
      expect(e).to.be.instanceOf(PositionError).and.instanceOf(Error);
      expect((e as PositionError).code).to.equal("ZeroAmount");
      expect((e as PositionError).name).to.equal("PositionError");
    }
    expectError("side", () => quoteIncrease({ ...solLong(), pos: emptyPosition(3) }), "InvalidSide");
    expectError("decimals", () => quoteIncrease({ ...solLong(), coll: collateral(19) }), "InvalidDecimals");
    expectError(
      "leverage",
      () => quoteIncrease({ ...solLong(), market: { ...market(9), maxLeverageBps: b(100_603) } }),
      "LeverageTooHigh",
    );
    expectError(
      "healthy",
      () =>
        quoteLiquidate({
          now: b(2_000),
          pos: opened(solLong(), quoteIncrease(solLong())),
          market: market(9),
          coll: collateral(9),
          fees: solLong().fees,
          insuranceBalance: b(0),
        }),
      "NotLiquidatable",
    );
    expect(POSITION_ERROR_CODES).to.deep.equal([
      "InvalidSide",
      "InvalidSpread",
      "ZeroAmount",
      "InsufficientCollateral",
      "PositionTooLarge",
      "OpenInterestCap",
      "InsufficientLiquidity",
      "CollateralTooSmall",
      "LeverageTooHigh",
      "WouldBeLiquidatable",
      "SizeTooLarge",
      "PositionUnderwater",
      "NotLiquidatable",
      "PriceImpactTooLarge",
    ]);
  });

  it("rejects inputs the program could never receive with RangeError", () => {
    expect(() => quoteIncrease({ ...solLong(), sizeDeltaUsd: b(-1) })).to.throw(RangeError);
    expect(() => quoteIncrease({ ...solLong(), pos: { ...emptyPosition(LONG), side: 256 } })).to.throw(RangeError);
    expect(() => quoteIncrease({ ...solLong(), now: b("9223372036854775808") })).to.throw(RangeError);
    const missing = { ...market(9) } as Partial<MarketSide>;
    delete missing.oiCapUsd;
    expect(() => quoteIncrease({ ...solLong(), market: missing as MarketSide })).to.throw(RangeError);
    expect(() => entryPrice(LONG, quote(SOL, SOL, b(-1)), b(0))).to.throw(RangeError);
  });

  it("leaves inputs untouched and returns fresh BNs", () => {
    const i = solLong();
    const before = JSON.stringify(render(i as unknown as object));
    const q = quoteIncrease(i);
    expect(JSON.stringify(render(i as unknown as object))).to.equal(before);
    const inputs: BN[] = [];
    const collect = (x: unknown) => {
      if (BN.isBN(x)) inputs.push(x as BN);
      else if (x && typeof x === "object") Object.values(x).forEach(collect);
    };
    collect(i);
    for (const value of Object.values(q)) for (const input of inputs) expect(value).to.not.equal(input);
    const pos = opened(i, q);
    const full = quoteDecrease({
      now: b(5_000),
      pos,
      sizeDeltaUsd: pos.sizeUsd,
      collateralOut: b(0),
      market: i.market,
      coll: i.coll,
      fees: i.fees,
    });
    for (const value of Object.values(full))
      if (BN.isBN(value)) for (const input of [pos.sizeTokens, pos.lockedAmount]) expect(value).to.not.equal(input);
  });
});

describe("position math: properties on random positions", () => {
  // A seeded xorshift64* stream so failures reproduce.
  let state = 0x2545f4914f6cdd1dn;
  const M64 = (1n << 64n) - 1n;
  function next(): bigint {
    state ^= state >> 12n;
    state ^= (state << 25n) & M64;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & M64;
  }
  const below = (n: bigint) => next() % n;
  const range = (lo: bigint, hi: bigint) => lo + below(hi - lo + 1n);

  const TOKENS = [
    { decimals: 9, price: 150_000_000_000n },
    { decimals: 8, price: 95_000_000_000_000n },
    { decimals: 6, price: 1_000_000_000n },
  ];

  interface Books {
    vault: BN;
    owned: BN;
    collateral: BN;
    protocol: BN;
    insurance: BN;
    locked: BN;
  }
  const sum = (k: Books) => k.owned.add(k.collateral).add(k.protocol).add(k.insurance);

  function applyIncrease(k: Books, i: IncreaseInput, q: IncreaseQuote): Books {
    return {
      vault: k.vault.add(i.collateralDelta),
      collateral: k.collateral.add(q.collateralAfter).sub(i.pos.collateralAmount),
      owned: k.owned.add(q.lpFee),
      protocol: k.protocol.add(q.protocolFee),
      insurance: k.insurance.add(q.insuranceFee),
      locked: k.locked.add(q.lockedDelta),
    };
  }

  function applyDecrease(k: Books, i: DecreaseInput, q: DecreaseQuote): Books {
    return {
      vault: k.vault.sub(q.amountOut),
      collateral: k.collateral.sub(i.pos.collateralAmount).add(q.collateralAfter),
      owned: k.owned.add(q.lossTokens).add(q.lpFee).sub(q.profitTokens),
      protocol: k.protocol.add(q.protocolFee),
      insurance: k.insurance.add(q.insuranceFee),
      locked: k.locked.sub(q.lockedReleased),
    };
  }

  function applyLiquidate(k: Books, i: LiquidateInput, q: LiquidationQuote): Books {
    return {
      vault: k.vault.sub(q.rewardTokens).sub(q.ownerOut),
      collateral: k.collateral.sub(i.pos.collateralAmount).add(q.collateralAfter),
      owned: k.owned.add(q.lossTokens).add(q.lpFee).add(q.insuranceUsed).sub(q.profitTokens).sub(q.rewardFromPool),
      protocol: k.protocol.add(q.protocolFee),
      insurance: k.insurance.add(q.insuranceFee).sub(q.insuranceUsed).sub(q.rewardFromInsurance),
      locked: k.locked.sub(q.lockedReleased),
    };
  }

  /** A random opening: market token, side, collateral (the market token or USDC for longs, USDC for shorts). */
  function scenario(): IncreaseInput {
    const mt = TOKENS[Number(below(2n))];
    const long = below(2n) === 0n;
    const ct = long && below(2n) === 0n ? mt : TOKENS[2];
    const width = below(21n);
    const mq = quote(b(mt.price), b(mt.price + (mt.price / 10_000n) * width), b((mt.price / 10_000n) * below(10n)));
    const cq = ct === mt ? mq : quote(USDC, USDC, b(0));
    const depositUsd = range(10_000_000n, 50_000_000_000n);
    const leverage = range(10_000n, 300_000n);
    const scale = 10n ** BigInt(ct.decimals + 3);
    return {
      now: b(1_000),
      pos: emptyPosition(long ? LONG : SHORT),
      sizeDeltaUsd: b((depositUsd * leverage) / 10_000n),
      collateralDelta: b((depositUsd * scale) / ct.price),
      market: {
        ...market(mt.decimals, mq),
        spreadBps: b(below(25n)),
        openFeeBps: b(below(15n)),
        closeFeeBps: b(below(15n)),
        maxLeverageBps: b(1_000_000),
        maintenanceMarginBps: b(range(20n, 200n)),
        liquidationRewardBps: b(below(30n)),
      },
      coll: { ...collateral(ct.decimals, cq), owned: b((10n ** 16n * scale) / ct.price) },
      fees: { protocolBps: b(below(3_000n)), insuranceBps: b(below(2_000n)) },
    };
  }

  /** The scenario's prices moved by `moveBps` / 10_000 and the borrow index grown by `growth`. */
  function moved(
    s: IncreaseInput,
    moveBps: bigint,
    growth: bigint,
    books: Books,
  ): { market: MarketSide; coll: CollateralSide } {
    const mv = (x: BN) => BN.max(b((BigInt(x.toString()) * moveBps) / 10_000n), b(1));
    const price = {
      min: mv(s.market.price.min),
      max: mv(s.market.price.max),
      conf: b((BigInt(s.market.price.conf.toString()) * moveBps) / 10_000n),
    };
    const same = s.coll.decimals === s.market.decimals;
    return {
      market: { ...s.market, price },
      coll: {
        ...s.coll,
        price: same ? price : s.coll.price,
        borrowIndex: INDEX_ONE.add(b(growth)),
        owned: books.owned,
        locked: books.locked,
      },
    };
  }

  function open(s: IncreaseInput): { pos: PositionState; books: Books } | null {
    let q: IncreaseQuote;
    try {
      q = quoteIncrease(s);
    } catch (e) {
      if (e instanceof PositionError) return null;
      throw e;
    }
    const start = {
      vault: s.coll.owned,
      owned: s.coll.owned,
      collateral: b(0),
      protocol: b(0),
      insurance: b(0),
      locked: b(0),
    };
    const books = applyIncrease(start, s, q);
    expect(books.vault.eq(sum(books)), "increase books").to.equal(true);
    return { pos: opened(s, q), books };
  }

  function tryQuote<T>(run: () => T): T | PositionError {
    try {
      return run();
    } catch (e) {
      if (e instanceof PositionError) return e;
      throw e;
    }
  }

  it("opening and closing at the same prices never returns more than was put in", () => {
    let checked = 0;
    for (let k = 0; k < 300; k++) {
      const s = scenario();
      const o = open(s);
      if (o === null) continue;
      const m = moved(s, 10_000n, below(1_000_000_000n), o.books);
      const d: DecreaseInput = {
        now: b(1_000n + below(3n)),
        pos: o.pos,
        sizeDeltaUsd: o.pos.sizeUsd,
        collateralOut: b(0),
        ...m,
        fees: s.fees,
      };
      const q = tryQuote(() => quoteDecrease(d));
      if (q instanceof PositionError) continue;
      expect(q.pnlProfit).to.equal(false);
      expect(q.amountOut.lte(s.collateralDelta), `${q.amountOut} > ${s.collateralDelta}`).to.equal(true);
      const after = applyDecrease(o.books, d, q);
      expect(after.vault.eq(sum(after))).to.equal(true);
      expect(after.locked.isZero() && after.collateral.isZero()).to.equal(true);
      expect(after.owned.gte(s.coll.owned)).to.equal(true);
      checked++;
    }
    expect(checked).to.be.greaterThan(200);
  });

  it("books balance; liquidation only below maintenance margin; partial ones leave a healthy position", () => {
    let liquidated = 0;
    let partial = 0;
    for (let k = 0; k < 400; k++) {
      const s = scenario();
      const o = open(s);
      if (o === null) continue;
      const pos = o.pos;
      const long = pos.side === LONG;
      const growth = below(50_000_000_000n); // up to 5 % of borrow interest
      const at = (mv: bigint): LiquidateInput => ({
        now: b(2_000),
        pos,
        ...moved(s, mv, growth, o.books),
        fees: s.fees,
        insuranceBalance: b(below(1n << 36n)),
      });
      const liquidatable = (mv: bigint) => !(tryQuote(() => quoteLiquidate(at(mv))) instanceof PositionError);
      // Bisect for the first liquidatable price, then go a little further.
      let good = 10_000n;
      let bad = long ? 1n : 40_000n;
      if (liquidatable(good) || !liquidatable(bad)) continue;
      while ((good > bad ? good - bad : bad - good) > 1n) {
        const mid = (good + bad) / 2n;
        if (liquidatable(mid)) bad = mid;
        else good = mid;
      }
      const past = below(40n);
      const mv = long ? (bad > past ? bad - past : 1n) : bad + past;
      const i = at(mv);
      const q = quoteLiquidate(i);
      liquidated++;

      // Independently: the position is below maintenance margin.
      const m = i.market;
      const exit = exitPrice(pos.side, m.price, m.spreadBps);
      const fee = borrowFeeTokens(pos.lockedAmount, i.coll.borrowIndex, pos.borrowIndexSnapshot);
      const net = pos.collateralAmount.gt(fee) ? pos.collateralAmount.sub(fee) : b(0);
      const equity = equityUsd(
        tokenToUsdFloor(net, i.coll.price.min, i.coll.decimals),
        pnl(pos.side, pos.sizeUsd, pos.sizeTokens, exit, m.decimals),
        feeAmount(pos.sizeUsd, m.closeFeeBps),
      );
      expect(healthOk(equity, pos.sizeUsd, m.maintenanceMarginBps)).to.equal(false);
      expect(tryQuote(() => quoteLiquidate(at(good)))).to.be.instanceOf(PositionError);

      const start = {
        ...o.books,
        vault: o.books.vault.add(i.insuranceBalance),
        insurance: o.books.insurance.add(i.insuranceBalance),
      };
      const after = applyLiquidate(start, i, q);
      expect(after.vault.eq(sum(after)), "liquidation books").to.equal(true);
      expect(after.insurance.gten(0)).to.equal(true);
      expect(q.lpFee.add(q.protocolFee).add(q.insuranceFee).eq(q.feeTokens.add(q.borrowFeeTokens))).to.equal(true);
      if (!q.full) {
        partial++;
        const rest: PositionState = {
          ...pos,
          sizeUsd: q.sizeUsdAfter,
          sizeTokens: q.sizeTokensAfter,
          collateralAmount: q.collateralAfter,
          lockedAmount: pos.lockedAmount.sub(q.lockedReleased),
          borrowIndexSnapshot: i.coll.borrowIndex,
        };
        const again = tryQuote(() =>
          quoteLiquidate({ ...i, pos: rest, coll: { ...i.coll, owned: after.owned, locked: after.locked } }),
        );
        expect(again).to.be.instanceOf(PositionError).with.property("code", "NotLiquidatable");
      }
    }
    expect(liquidated).to.be.greaterThan(200);
    expect(partial).to.be.greaterThan(30);
  });
});
