/**
 * The SDK's price-impact, funding and auto-deleveraging math against the shared vectors (`tests/vectors/risk.json`,
 * also checked by `programs/perpool-core/tests/risk_vectors.rs`), the SPEC's worked numbers, the
 * TS-only contract (error classes and codes, BN in and out, inputs untouched, `RangeError` for
 * impossible inputs) and properties: the pool never creates value through funding, a balanced
 * book pays nothing, and an impact round trip never gains the trader anything.
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  AdlInput,
  FUNDING_ONE,
  FundingError,
  FundingIndex,
  FundingInput,
  IMPACT_FACTOR_ONE,
  ImpactError,
  ImpactInput,
  ImpactedPriceInput,
  MATH_ERROR_NUMBERS,
  MathError,
  PositionFundingInput,
  accrueFunding,
  adlRatioBps,
  fundingRate,
  impactedPrice,
  positionFunding,
  priceImpact,
  sideProfitUsd,
} from "../src/math";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Vector = { note: string; input: Json; out: Json; err: string | null };

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "risk.json");
const vectors: Record<string, Vector[]> = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));
const MATH_CODES = Object.keys(MATH_ERROR_NUMBERS);
/** The `adl_ratio` section holds exactly this many cases (`ADL_RATIO_CASES` in `gen_risk_vectors.rs`). */
const ADL_RATIO_CASES = 310;

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `risk.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(60);
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

function check(
  name: string,
  v: Vector,
  errClass: new (...args: never[]) => Error,
  run: (input: never) => unknown,
): void {
  const label = `${name}: ${v.note}`;
  const input = toInput(v.input) as never;
  const before = JSON.stringify(render(input));
  if (v.err === null) {
    expect(render(run(input)), label).to.deep.equal(v.out);
  } else {
    const cls = MATH_CODES.includes(v.err) ? MathError : errClass;
    expect(() => run(input), label)
      .to.throw(cls)
      .with.property("code", v.err);
  }
  expect(JSON.stringify(render(input)), `${label}: input untouched`).to.equal(before);
}

const USD = new BN(1_000_000);
const usd = (n: number) => new BN(n).mul(USD);
const F = new BN("10000000000"); // 1e-8 per USD

function worked(longOi: BN): ImpactInput {
  return {
    side: 1,
    isIncrease: true,
    sizeUsd: usd(200_000),
    longOiUsd: longOi,
    shortOiUsd: new BN(0),
    positiveFactor: F,
    negativeFactor: F,
    exponent: 2,
    maxPositiveImpactBps: new BN(500),
    maxNegativeImpactBps: new BN(500),
  };
}

describe("risk math: shared vectors", () => {
  it("price_impact", () => {
    for (const v of section("price_impact")) check("price_impact", v, ImpactError, (i: ImpactInput) => priceImpact(i));
  });
  it("impacted_price", () => {
    for (const v of section("impacted_price"))
      check("impacted_price", v, ImpactError, (i: ImpactedPriceInput) => impactedPrice(i));
  });
  it("accrue_funding", () => {
    for (const v of section("accrue_funding"))
      check("accrue_funding", v, FundingError, (i: FundingInput) => accrueFunding(i));
  });
  it("position_funding", () => {
    for (const v of section("position_funding"))
      check("position_funding", v, FundingError, (i: PositionFundingInput) => positionFunding(i));
  });
  it("adl_ratio: side_profit_usd and adl_ratio_bps", () => {
    const list = section("adl_ratio");
    expect(list.length, "adl_ratio case count").to.equal(ADL_RATIO_CASES);
    for (const v of list) {
      check("adl_ratio", v, MathError, (i: AdlInput) => ({
        sideProfitUsd: sideProfitUsd(i),
        adlRatioBps: adlRatioBps(i),
      }));
    }
  });
});

describe("risk math: worked numbers (SPEC / issue 6)", () => {
  const oracle = new BN("5000000000000"); // 5,000 with 9 decimals

  it("long OI 0 -> 200,000 USD costs 400 USD, execution ~5,010.02", () => {
    const input = worked(new BN(0));
    const impact = priceImpact(input);
    expect(impact.positive).to.equal(false);
    expect(impact.usd.toString()).to.equal(usd(400).toString());
    const price = impactedPrice({ side: 1, isIncrease: true, sizeUsd: input.sizeUsd, price: oracle, impact });
    expect(price.toString()).to.equal("5010020040081");
  });

  it("long OI 200,000 -> 400,000 USD costs 1,200 USD, execution ~5,030.18", () => {
    const input = worked(usd(200_000));
    const impact = priceImpact(input);
    expect(impact.positive).to.equal(false);
    expect(impact.usd.toString()).to.equal(usd(1_200).toString());
    const price = impactedPrice({ side: 1, isIncrease: true, sizeUsd: input.sizeUsd, price: oracle, impact });
    expect(price.toString()).to.equal("5030181086520");
  });

  it("the factor unit: 1e-8 per USD is 1e-8 x IMPACT_FACTOR_ONE", () => {
    expect(IMPACT_FACTOR_ONE.div(new BN(100_000_000)).toString()).to.equal(F.toString());
  });
});

describe("risk math: contract", () => {
  it("errors carry their codes and classes", () => {
    expect(() => priceImpact({ ...worked(new BN(0)), side: 3 }))
      .to.throw(ImpactError)
      .with.property("code", "InvalidSide");
    expect(() => priceImpact({ ...worked(new BN(0)), exponent: 4 }))
      .to.throw(ImpactError)
      .with.property("code", "InvalidExponent");
    expect(() => priceImpact({ ...worked(new BN(0)), isIncrease: false }))
      .to.throw(MathError)
      .with.property("code", "Underflow");
    expect(() =>
      impactedPrice({
        side: 1,
        isIncrease: true,
        sizeUsd: new BN(5),
        price: new BN(1),
        impact: { positive: false, usd: new BN(5) },
      }),
    )
      .to.throw(ImpactError)
      .with.property("code", "ImpactTooLarge");
    const zero = { paid: new BN(0), received: new BN(0) };
    expect(() =>
      positionFunding({ sizeUsd: new BN(1), side: 0, longIndex: zero, shortIndex: zero, indexSnapshot: zero }),
    )
      .to.throw(FundingError)
      .with.property("code", "InvalidSide");
  });

  it("impossible inputs are RangeErrors", () => {
    expect(() => priceImpact({ ...worked(new BN(0)), sizeUsd: new BN(-1) })).to.throw(RangeError);
    expect(() => priceImpact({ ...worked(new BN(0)), exponent: 1.5 })).to.throw(RangeError);
    const big = { paid: new BN(1).ushln(128), received: new BN(0) };
    const zero = { paid: new BN(0), received: new BN(0) };
    expect(() =>
      positionFunding({ sizeUsd: new BN(1), side: 1, longIndex: big, shortIndex: zero, indexSnapshot: zero }),
    ).to.throw(RangeError);
  });

  it("fundingRate: proportional to skew, rounded up, capped", () => {
    expect(fundingRate(new BN(300), new BN(100), new BN(10), new BN("18446744073709551615")).toString()).to.equal("5");
    expect(fundingRate(new BN(2), new BN(1), new BN(10), new BN(1000)).toString()).to.equal("4");
    expect(fundingRate(new BN(2), new BN(1), new BN(10), new BN(3)).toString()).to.equal("3");
    expect(fundingRate(new BN(0), new BN(0), new BN(10), new BN(3)).toString()).to.equal("0");
  });
});

/** SplitMix64 over BigInt, for reproducible properties. */
class Rng {
  private s: bigint;
  constructor(seed: bigint) {
    this.s = seed;
  }
  next(): bigint {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  }
  below(n: number): number {
    return Number(this.next() % BigInt(n));
  }
  bn(bits: number): BN {
    return new BN((this.next() >> BigInt(64 - bits)).toString());
  }
}

describe("risk math: properties", () => {
  it("funding: over random books, total received never exceeds total paid", () => {
    const rng = new Rng(42n);
    for (let run = 0; run < 150; run++) {
      const factor = rng.bn(50);
      const maxRate = rng.bn(50);
      let longIndex: FundingIndex = { paid: new BN(0), received: new BN(0) };
      let shortIndex: FundingIndex = { paid: new BN(0), received: new BN(0) };
      let longOi = new BN(0);
      let shortOi = new BN(0);
      const book: { long: boolean; size: BN; snapshot: FundingIndex }[] = [];
      let paid = new BN(0);
      let received = new BN(0);
      const settle = (p: { long: boolean; size: BN; snapshot: FundingIndex }) => {
        const f = positionFunding({
          sizeUsd: p.size,
          side: p.long ? 1 : 2,
          longIndex,
          shortIndex,
          indexSnapshot: p.snapshot,
        });
        if (f.pays) paid = paid.add(f.usd);
        else received = received.add(f.usd);
      };
      const steps = 1 + rng.below(40);
      for (let k = 0; k < steps; k++) {
        const a = accrueFunding({
          longOiUsd: longOi,
          shortOiUsd: shortOi,
          fundingFactor: factor,
          maxRate,
          dtSecs: new BN(rng.below(100_000)),
          longIndex,
          shortIndex,
        });
        longIndex = a.longIndex;
        shortIndex = a.shortIndex;
        if (book.length === 0 || rng.below(2) === 0) {
          const long = rng.below(2) === 0;
          const size = rng.bn(40).addn(1);
          book.push({ long, size, snapshot: long ? longIndex : shortIndex });
          if (long) longOi = longOi.add(size);
          else shortOi = shortOi.add(size);
        } else {
          const [p] = book.splice(rng.below(book.length), 1);
          settle(p);
          if (p.long) longOi = longOi.sub(p.size);
          else shortOi = shortOi.sub(p.size);
        }
      }
      const a = accrueFunding({
        longOiUsd: longOi,
        shortOiUsd: shortOi,
        fundingFactor: factor,
        maxRate,
        dtSecs: new BN(3_600),
        longIndex,
        shortIndex,
      });
      longIndex = a.longIndex;
      shortIndex = a.shortIndex;
      for (const p of book) settle(p);
      expect(received.lte(paid), `run ${run}: received ${received} > paid ${paid}`).to.equal(true);
    }
  });

  it("funding: a balanced book pays nothing", () => {
    const rng = new Rng(7n);
    for (let k = 0; k < 200; k++) {
      const oi = rng.bn(60);
      const zero = { paid: new BN(0), received: new BN(0) };
      const a = accrueFunding({
        longOiUsd: oi,
        shortOiUsd: oi,
        fundingFactor: rng.bn(64),
        maxRate: rng.bn(64),
        dtSecs: rng.bn(32),
        longIndex: zero,
        shortIndex: zero,
      });
      expect(a.rate.isZero()).to.equal(true);
      for (const side of [1, 2]) {
        const f = positionFunding({
          sizeUsd: rng.bn(64),
          side,
          longIndex: a.longIndex,
          shortIndex: a.shortIndex,
          indexSnapshot: zero,
        });
        expect(f.usd.isZero()).to.equal(true);
        expect(f.pays).to.equal(false);
      }
    }
  });

  it("impact: opening and closing the same size never gains the trader anything", () => {
    const rng = new Rng(99n);
    for (let k = 0; k < 500; k++) {
      const side = 1 + rng.below(2);
      const size = rng.bn(40).addn(1);
      const l = rng.bn(40);
      const s = rng.bn(40);
      const f = rng.bn(36);
      const base: ImpactInput = {
        side,
        isIncrease: true,
        sizeUsd: size,
        longOiUsd: l,
        shortOiUsd: s,
        positiveFactor: f,
        negativeFactor: f,
        exponent: 1 + rng.below(3),
        maxPositiveImpactBps: new BN(10_000),
        maxNegativeImpactBps: new BN(10_000),
      };
      const open = priceImpact(base);
      const close = priceImpact({
        ...base,
        isIncrease: false,
        longOiUsd: side === 1 ? l.add(size) : l,
        shortOiUsd: side === 2 ? s.add(size) : s,
      });
      const signed = (i: { positive: boolean; usd: BN }) => (i.positive ? i.usd : i.usd.neg());
      expect(signed(open).add(signed(close)).lte(new BN(0))).to.equal(true);
    }
  });

  it("funding indexes use FUNDING_ONE = 1e18", () => {
    expect(FUNDING_ONE.toString()).to.equal("1000000000000000000");
  });
});
