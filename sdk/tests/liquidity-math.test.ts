import { dynamicFeeBps as dynamicFeeBpsWorked } from "../src/math";
/**
 * The SDK's liquidity quotes against the shared vectors (`tests/vectors/liquidity.json`, also
 * checked by `programs/perpool-core/tests/liquidity_vectors.rs`), plus the TS-only contract: error
 * classes and codes, BN in and out, inputs untouched, `RangeError` for impossible inputs, and a
 * few pool properties (no value from nothing).
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  AddLiquidityInput,
  LIQUIDITY_ERROR_CODES,
  LiquidityError,
  MAX_EXPO,
  MATH_ERROR_NUMBERS,
  MathError,
  RemoveLiquidityInput,
  SwapInput,
  confWithin,
  custodyValueUsd,
  dynamicFeeBps,
  feeAmount,
  minMax,
  normalizeConf,
  normalizePrice,
  quoteAddLiquidity,
  quoteRemoveLiquidity,
  quoteSwap,
  splitFee,
  weightOkMax,
  weightOkMin,
} from "../src/math";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Vector = { [key: string]: Json };

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "liquidity.json");
const MIN_PER_SECTION = 60;
const vectors: Record<string, Vector[]> = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));
const MATH_CODES = Object.keys(MATH_ERROR_NUMBERS);

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `liquidity.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(MIN_PER_SECTION);
  return list;
}

function bn(v: Vector, key: string): BN {
  const raw = v[key];
  if (typeof raw !== "string") throw new Error(`${key} is not a decimal string in ${JSON.stringify(v)}`);
  return new BN(raw, 10);
}

function num(v: Vector, key: string): number {
  const raw = v[key];
  if (typeof raw !== "number") throw new Error(`${key} is not a number in ${JSON.stringify(v)}`);
  return raw;
}

function flag(v: Vector, key: string): boolean {
  const raw = v[key];
  if (typeof raw !== "boolean") throw new Error(`${key} is not a boolean in ${JSON.stringify(v)}`);
  return raw;
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A vector's `input` object as the TS input: camelCase keys, BN amounts, number decimals. */
function input<T>(v: Vector): T {
  const raw = v.input as Vector;
  const out: Record<string, BN | number> = {};
  for (const [key, value] of Object.entries(raw)) {
    out[camel(key)] = typeof value === "number" ? value : bn(raw, key);
  }
  return out as unknown as T;
}

/** Asserts `run` throws the error the vector names: a `MathError` or a `LiquidityError`. */
function expectError(label: string, run: () => unknown, code: string): void {
  const cls = MATH_CODES.includes(code) ? MathError : LiquidityError;
  expect(run, label).to.throw(cls).with.property("code", code);
}

/** Checks a result against a vector's `out` (compared through `render`) or `err`. */
function check<R>(name: string, v: Vector, run: () => R, render: (r: R) => Json): void {
  const label = `${name} ${JSON.stringify(v)}`;
  if (v.err === null) {
    expect(render(run()), label).to.deep.equal(v.out);
  } else {
    expectError(label, run, v.err as string);
  }
}

/** A quote object rendered as the vector's `out`: snake_case keys, decimal strings. */
function renderQuote(q: object): Json {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(q)) out[snake(key)] = (value as BN).toString(10);
  return out;
}

const str = (x: BN): Json => x.toString(10);

describe("liquidity math: shared vectors", () => {
  it("dynamic_fee_bps", () => {
    for (const v of section("dynamic_fee_bps")) {
      check(
        "dynamic_fee_bps",
        v,
        () =>
          dynamicFeeBps({
            baseBps: bn(v, "base_bps"),
            taxBps: bn(v, "tax_bps"),
            currentUsd: bn(v, "current_usd"),
            nextUsd: bn(v, "next_usd"),
            targetUsd: bn(v, "target_usd"),
          }),
        str,
      );
    }
  });

  it("split_fee", () => {
    for (const v of section("split_fee")) {
      check(
        "split_fee",
        v,
        () => splitFee(bn(v, "fee"), bn(v, "protocol_share_bps"), bn(v, "insurance_share_bps")),
        renderQuote,
      );
    }
  });

  it("normalize_price / normalize_conf / conf_within", () => {
    for (const v of section("normalize_price")) {
      check("normalize_price", v, () => normalizePrice(bn(v, "raw"), num(v, "expo"), flag(v, "round_up")), str);
    }
    for (const v of section("normalize_conf")) {
      check("normalize_conf", v, () => normalizeConf(bn(v, "conf"), num(v, "expo")), str);
    }
    for (const v of section("conf_within")) {
      check(
        "conf_within",
        v,
        () => confWithin(bn(v, "price"), bn(v, "conf"), bn(v, "max_conf_bps")),
        (b) => b,
      );
    }
  });

  it("custody_value_usd", () => {
    for (const v of section("custody_value_usd")) {
      check(
        "custody_value_usd",
        v,
        () => custodyValueUsd(bn(v, "owned"), bn(v, "price"), num(v, "decimals"), flag(v, "round_up")),
        str,
      );
    }
  });

  it("quote_add_liquidity", () => {
    const list = section("quote_add_liquidity");
    // The share-inflation guards are in the file (absent means zero) and are exercised.
    for (const key of ["min_first_deposit_usd", "dead_lp", "min_lp_mint"]) {
      const withKey = list.filter((v) => (v.input as Vector)[key] !== undefined).length;
      expect(withKey, `vectors with ${key}`).to.be.at.least(50);
    }
    for (const err of ["FirstDepositTooSmall", "LpMintTooSmall"])
      expect(
        list.some((v) => v.err === err),
        err,
      ).to.equal(true);
    expect(
      list.some((v) => v.out !== null && (v.out as Vector).dead_lp !== "0"),
      "dead LP minted",
    ).to.equal(true);
    for (const v of list) {
      check("quote_add_liquidity", v, () => quoteAddLiquidity(input<AddLiquidityInput>(v)), renderQuote);
    }
  });

  it("quote_remove_liquidity", () => {
    for (const v of section("quote_remove_liquidity")) {
      check("quote_remove_liquidity", v, () => quoteRemoveLiquidity(input<RemoveLiquidityInput>(v)), renderQuote);
    }
  });

  it("quote_swap", () => {
    for (const v of section("quote_swap")) {
      check("quote_swap", v, () => quoteSwap(input<SwapInput>(v)), renderQuote);
    }
  });
});

const b = (x: number | string) => new BN(x);

/** A USDC-like custody in a $1000 pool: 400 owned, 1000 LP. */
function addBase(): AddLiquidityInput {
  return {
    amountIn: b(1_000_000),
    decimals: 6,
    price: b(1_000_000_000),
    custodyUsd: b(400_000_000),
    aumUsd: b(1_000_000_000),
    lpSupply: b(1_000_000_000),
    targetWeightBps: b(4_000),
    maxWeightBps: b(5_000),
    baseFeeBps: b(10),
    taxFeeBps: b(20),
    protocolShareBps: b(1_000),
    insuranceShareBps: b(500),
    maxAumUsd: b(0),
  };
}

function removeBase(): RemoveLiquidityInput {
  return {
    lpIn: b(1_000_000),
    lpSupply: b(1_000_000_000),
    aumUsd: b(1_000_000_000),
    decimals: 6,
    price: b(1_000_000_000),
    custodyUsd: b(400_000_000),
    owned: b(400_000_000),
    available: b(400_000_000),
    targetWeightBps: b(4_000),
    minWeightBps: b(2_500),
    baseFeeBps: b(10),
    taxFeeBps: b(20),
    protocolShareBps: b(1_000),
    insuranceShareBps: b(500),
  };
}

describe("liquidity math: TypeScript contract", () => {
  it("throws LiquidityError for refusals and MathError for arithmetic", () => {
    try {
      quoteAddLiquidity({ ...addBase(), amountIn: b(0) });
      expect.fail("expected a throw");
    } catch (e) {
      expect(e).to.be.instanceOf(LiquidityError).and.instanceOf(Error);
      expect((e as LiquidityError).code).to.equal("ZeroAmount");
      expect((e as LiquidityError).name).to.equal("LiquidityError");
    }
    expectError("decimals", () => quoteAddLiquidity({ ...addBase(), decimals: 19 }), "InvalidDecimals");
    expectError("price", () => quoteRemoveLiquidity({ ...removeBase(), price: b(0) }), "DivideByZero");
    expectError("raw", () => normalizePrice(b(-1), -8, false), "InvalidPrice");
    expect(MATH_ERROR_NUMBERS.InvalidPrice).to.equal(4);
    expect(LIQUIDITY_ERROR_CODES).to.deep.equal([
      "ZeroAmount",
      "PoolValueZero",
      "MaxWeightExceeded",
      "MinWeightExceeded",
      "PoolCapExceeded",
      "InsufficientLiquidity",
      "InsufficientLpSupply",
      "FirstDepositTooSmall",
      "LpMintTooSmall",
    ]);
  });

  it("quotes by example", () => {
    // $1 USDC into a $1000 pool (custody 40%, target 40%): away from target by $1,
    // tax floor(20 × 0.5 / 400) = 0 → 10 bps; fee ceil(1e6 × 10 / 1e4) = 1000.
    const q = quoteAddLiquidity(addBase());
    expect(renderQuote(q)).to.deep.equal({
      fee_bps: "10",
      fee: "1000",
      lp_out: "999000",
      dead_lp: "0",
      value_in_usd: "1000000",
      protocol_fee: "100",
      insurance_fee: "50",
      owned_increase: "999850",
    });
    // Redeeming 1 LP ($1) moves the custody away from target (down): same 10 bps.
    const r = quoteRemoveLiquidity(removeBase());
    expect(r.amountOut.toString()).to.equal("999000");
    expect(r.ownedDecrease.toString()).to.equal("999150");
    expect(weightOkMax(b(500), b(1_000), b(5_000))).to.equal(true);
    expect(weightOkMax(b(501), b(1_000), b(5_000))).to.equal(false);
    expect(weightOkMin(b(250), b(1_000), b(2_500))).to.equal(true);
    expect(weightOkMin(b(249), b(1_000), b(2_500))).to.equal(false);
    const [min, max] = minMax(b(151), b(150));
    expect([min.toString(), max.toString()]).to.deep.equal(["150", "151"]);
    expect(feeAmount(b(10_001), b(30)).toString()).to.equal("31");
    expect(MAX_EXPO).to.equal(18);
    expect(normalizePrice(b("15012345678"), -8, false).toString()).to.equal("150123456780");
  });

  it("rejects inputs the program could never receive with RangeError", () => {
    const missing = { ...addBase() } as Partial<AddLiquidityInput>;
    delete missing.maxAumUsd;
    expect(() => quoteAddLiquidity(missing as AddLiquidityInput)).to.throw(RangeError);
    expect(() => quoteRemoveLiquidity({ ...removeBase(), lpIn: b(-1) })).to.throw(RangeError);
    expect(() => quoteAddLiquidity({ ...addBase(), decimals: 256 })).to.throw(RangeError);
    expect(() => normalizePrice(b("9223372036854775808"), -8, false)).to.throw(RangeError);
    expect(() => normalizePrice(b(1), 0.5, false)).to.throw(RangeError);
  });

  it("leaves inputs untouched and returns fresh BNs", () => {
    const add = addBase();
    const before = JSON.stringify(Object.entries(add).map(([k, v]) => [k, v.toString()]));
    const q = quoteAddLiquidity(add);
    expect(JSON.stringify(Object.entries(add).map(([k, v]) => [k, v.toString()]))).to.equal(before);
    for (const value of Object.values(q)) {
      for (const inputValue of Object.values(add)) expect(value).to.not.equal(inputValue);
    }
    const spot = b(5);
    expect(minMax(spot, b(7))[0]).to.not.equal(spot);
  });
});

describe("liquidity math: properties on random pools", () => {
  // A seeded xorshift64* stream so failures reproduce.
  let state = 0x9e3779b97f4a7c15n;
  const M64 = (1n << 64n) - 1n;
  function next(): bigint {
    state ^= state >> 12n;
    state ^= (state << 25n) & M64;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & M64;
  }
  const below = (n: bigint) => next() % n;
  const toBn = (x: bigint) => new BN(x.toString(), 10);

  const TOKENS = [
    { decimals: 9, price: 150_000_000_000n },
    { decimals: 8, price: 95_000_000_000_000n },
    { decimals: 8, price: 3_500_000_000_000n },
    { decimals: 6, price: 1_000_000_000n },
  ];

  it("add then remove at equal prices never returns more than deposited; the LP price never falls", () => {
    let checked = 0;
    for (let k = 0; k < 400; k++) {
      const t = TOKENS[Number(below(4n))];
      const price = toBn(t.price);
      const owned = below(10n ** BigInt(t.decimals + 6));
      const ownedBn = toBn(owned);
      // Other custodies' value, and an LP price between $0.50 and $2.
      const others = below(10n ** 12n);
      const aumOf = (o: BN, up: boolean) => custodyValueUsd(o, price, t.decimals, up).add(toBn(others));
      const aum = aumOf(ownedBn, true);
      const supply = toBn((BigInt(aum.toString()) * 1_000_000n) / (500_000n + below(1_500_000n)));
      if (supply.isZero()) continue;
      const amountIn = toBn(below(10n ** BigInt(t.decimals + 4)) + 1n);
      const fees = {
        baseFeeBps: toBn(below(60n)),
        taxFeeBps: toBn(below(100n)),
        protocolShareBps: b(1_000),
        insuranceShareBps: b(500),
      };
      let q;
      try {
        q = quoteAddLiquidity({
          amountIn,
          decimals: t.decimals,
          price,
          custodyUsd: custodyValueUsd(ownedBn, price, t.decimals, true),
          aumUsd: aum,
          lpSupply: supply,
          targetWeightBps: b(2_500),
          maxWeightBps: b(10_000),
          maxAumUsd: b(0),
          ...fees,
        });
      } catch (e) {
        if (e instanceof LiquidityError) continue;
        throw e;
      }
      const owned1 = ownedBn.add(q.ownedIncrease);
      const supply1 = supply.add(q.lpOut);
      // LP price (at min and max rounding) does not fall: aum1 / supply1 >= aum0 / supply0.
      for (const up of [false, true]) {
        expect(aumOf(owned1, up).mul(supply).gte(aumOf(ownedBn, up).mul(supply1)), "lp price after add").to.equal(true);
      }
      const aum1 = aumOf(owned1, false);
      const r = quoteRemoveLiquidity({
        lpIn: q.lpOut,
        lpSupply: supply1,
        aumUsd: aum1,
        decimals: t.decimals,
        price,
        custodyUsd: custodyValueUsd(owned1, price, t.decimals, false),
        owned: owned1,
        available: owned1,
        targetWeightBps: b(2_500),
        minWeightBps: b(0),
        ...fees,
      });
      expect(r.amountOut.lte(amountIn), `${r.amountOut} > ${amountIn}`).to.equal(true);
      checked++;
    }
    expect(checked).to.be.greaterThan(200);
  });
});

describe("dynamic fee: the issue's worked numbers (GMX v1)", () => {
  const g = (current: number, next: number, target: number) =>
    dynamicFeeBpsWorked({
      baseBps: new BN(100),
      taxBps: new BN(50),
      currentUsd: new BN(current),
      nextUsd: new BN(next),
      targetUsd: new BN(target),
    }).toNumber();
  it("charges 104 bps at target, 150 bps moving further over-weight, 50 bps moving back", () => {
    expect(g(29_700, 34_700, 29_700)).to.equal(104);
    expect(g(29_700, 34_700, 14_850)).to.equal(150);
    expect(g(29_700, 24_700, 14_850)).to.equal(50);
  });
});
