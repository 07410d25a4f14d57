/**
 * The SDK's quote math against the shared vectors (`tests/vectors/math.json`, also checked by
 * `programs/perpool-core/tests/math_vectors.rs`), plus the TS-only contract: BN in and out, inputs
 * untouched, `MathError` codes, `RangeError` for inputs the program could never receive.
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  BPS_DENOM,
  MATH_ERROR_NUMBERS,
  MathError,
  MathErrorCode,
  RATE_ONE,
  U64_MAX,
  applyBpsCeil,
  applyBpsFloor,
  applyRateCeil,
  applyRateFloor,
  checkedAdd,
  checkedMul,
  checkedSub,
  mulDivCeil,
  mulDivCeilI64,
  mulDivFloor,
  mulDivFloorI64,
  tokenToUsdCeil,
  tokenToUsdFloor,
  usdToTokenCeil,
  usdToTokenFloor,
  wideMul,
} from "../src/math";

type Vector = Record<string, string | number | null>;
type Vectors = Record<string, Vector[]>;

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "math.json");
const MIN_PER_FUNCTION = 50;
const vectors: Vectors = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));

function bn(v: Vector, key: string): BN {
  const raw = v[key];
  if (typeof raw !== "string") throw new Error(`${key} is not a decimal string in ${JSON.stringify(v)}`);
  return new BN(raw, 10);
}

function decimals(v: Vector): number {
  const d = v.decimals;
  if (typeof d !== "number") throw new Error(`decimals missing in ${JSON.stringify(v)}`);
  return d;
}

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `math.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(MIN_PER_FUNCTION);
  return list;
}

/** Asserts `run()` returns the vector's `out`, or throws a `MathError` with its `err` code. */
function check(name: string, v: Vector, run: () => BN): void {
  const label = `${name} ${JSON.stringify(v)}`;
  if (v.err === null) {
    expect(run().toString(10), label).to.equal(v.out);
  } else {
    expect(run, label).to.throw(MathError).with.property("code", v.err);
  }
}

/** Asserts that `run` throws a `MathError` with `code`. */
function expectMathError(run: () => unknown, code: MathErrorCode): void {
  expect(run).to.throw(MathError).with.property("code", code);
}

describe("math: shared vectors", () => {
  it("wideMul", () => {
    for (const v of section("wide_mul")) {
      const { hi, lo } = wideMul(bn(v, "a"), bn(v, "b"));
      expect([hi.toString(), lo.toString()], JSON.stringify(v)).to.deep.equal([v.hi, v.lo]);
    }
  });

  const binary: Array<[string, (a: BN, b: BN) => BN]> = [
    ["checked_add", checkedAdd],
    ["checked_sub", checkedSub],
    ["checked_mul", checkedMul],
  ];
  for (const [name, f] of binary) {
    it(name, () => {
      for (const v of section(name)) check(name, v, () => f(bn(v, "a"), bn(v, "b")));
    });
  }

  const ternary: Array<[string, (a: BN, b: BN, c: BN) => BN]> = [
    ["mul_div_floor", mulDivFloor],
    ["mul_div_ceil", mulDivCeil],
    ["mul_div_floor_i64", mulDivFloorI64],
    ["mul_div_ceil_i64", mulDivCeilI64],
  ];
  for (const [name, f] of ternary) {
    it(name, () => {
      for (const v of section(name)) check(name, v, () => f(bn(v, "a"), bn(v, "b"), bn(v, "c")));
    });
  }

  const conversions: Array<[string, string, (x: BN, price: BN, decimals: number) => BN]> = [
    ["token_to_usd_floor", "amount", tokenToUsdFloor],
    ["token_to_usd_ceil", "amount", tokenToUsdCeil],
    ["usd_to_token_floor", "usd", usdToTokenFloor],
    ["usd_to_token_ceil", "usd", usdToTokenCeil],
  ];
  for (const [name, input, f] of conversions) {
    it(name, () => {
      for (const v of section(name)) check(name, v, () => f(bn(v, input), bn(v, "price"), decimals(v)));
    });
  }

  const scalings: Array<[string, string, (amount: BN, fraction: BN) => BN]> = [
    ["apply_bps_floor", "bps", applyBpsFloor],
    ["apply_bps_ceil", "bps", applyBpsCeil],
    ["apply_rate_floor", "rate", applyRateFloor],
    ["apply_rate_ceil", "rate", applyRateCeil],
  ];
  for (const [name, fraction, f] of scalings) {
    it(name, () => {
      for (const v of section(name)) check(name, v, () => f(bn(v, "amount"), bn(v, fraction)));
    });
  }
});

describe("math: TypeScript contract", () => {
  it("MathError carries the code, the program number and a recognisable class", () => {
    try {
      mulDivFloor(new BN(1), new BN(1), new BN(0));
      expect.fail("expected a throw");
    } catch (e) {
      expect(e).to.be.instanceOf(MathError).and.instanceOf(Error);
      const err = e as MathError;
      expect(err.code).to.equal("DivideByZero");
      expect(err.number).to.equal(2);
      expect(err.name).to.equal("MathError");
    }
    expect(MATH_ERROR_NUMBERS).to.deep.equal({
      Overflow: 0,
      Underflow: 1,
      DivideByZero: 2,
      InvalidDecimals: 3,
      InvalidPrice: 4,
    });
  });

  it("rounds floor/ceil by example, including signed results", () => {
    // Given 7 * 3 / 2 = 10.5
    expect(mulDivFloor(new BN(7), new BN(3), new BN(2)).toString()).to.equal("10");
    expect(mulDivCeil(new BN(7), new BN(3), new BN(2)).toString()).to.equal("11");
    // Given -7 / 2 = -3.5: floor goes to -4, ceil to -3
    expect(mulDivFloorI64(new BN(-7), new BN(1), new BN(2)).toString()).to.equal("-4");
    expect(mulDivCeilI64(new BN(-7), new BN(1), new BN(2)).toString()).to.equal("-3");
    // Given 1 wei-like unit of an 18-decimal token at $3000: $3e-15, floor 0 and ceil 1 micro-USD
    const ethPrice = new BN("3000000000000");
    expect(tokenToUsdFloor(new BN(1), ethPrice, 18).toString()).to.equal("0");
    expect(tokenToUsdCeil(new BN(1), ethPrice, 18).toString()).to.equal("1");
    // Given a 0.1% fee on $1000.000001
    expect(applyBpsCeil(new BN("1000000001"), new BN(10)).toString()).to.equal("1000001");
    expect(applyRateFloor(new BN(3), RATE_ONE.divn(2)).toString()).to.equal("1");
  });

  it("reports errors in the program order", () => {
    // decimals before a zero price, a zero price before overflow
    expectMathError(() => usdToTokenFloor(U64_MAX, new BN(0), 19), "InvalidDecimals");
    expectMathError(() => usdToTokenFloor(U64_MAX, new BN(0), 0), "DivideByZero");
    expectMathError(() => usdToTokenFloor(U64_MAX, new BN(1), 0), "Overflow");
    // a zero divisor before overflow
    expectMathError(() => mulDivCeil(U64_MAX, U64_MAX, new BN(0)), "DivideByZero");
    // ceil overflows when only the remainder pushes past u64::MAX: 31 * b = 2 * u64::MAX + 1
    const b = new BN(1).shln(65).subn(1).divn(31);
    expect(mulDivFloor(new BN(31), b, new BN(2)).eq(U64_MAX)).to.equal(true);
    expectMathError(() => mulDivCeil(new BN(31), b, new BN(2)), "Overflow");
    expectMathError(() => checkedSub(new BN(0), new BN(1)), "Underflow");
    expectMathError(() => mulDivFloorI64(new BN("-9223372036854775807"), new BN(2), new BN(1)), "Overflow");
  });

  it("rejects inputs the program could never receive with RangeError", () => {
    const tooWide = U64_MAX.addn(1);
    expect(() => checkedAdd(tooWide, new BN(0))).to.throw(RangeError);
    expect(() => mulDivFloor(new BN(-1), new BN(1), new BN(1))).to.throw(RangeError);
    expect(() => mulDivFloorI64(new BN("9223372036854775808"), new BN(1), new BN(1))).to.throw(RangeError);
    expect(() => tokenToUsdFloor(new BN(1), new BN(1), 1.5)).to.throw(RangeError);
    expect(() => tokenToUsdFloor(new BN(1), new BN(1), 256)).to.throw(RangeError);
    expect(() => tokenToUsdFloor(new BN(1), new BN(1), -1)).to.throw(RangeError);
  });

  it("returns fresh BNs and leaves inputs and constants untouched", () => {
    const a = new BN("123456789012");
    const b = new BN("987654321");
    const before = [a.toString(), b.toString(), BPS_DENOM.toString(), RATE_ONE.toString(), U64_MAX.toString()];
    const out = mulDivCeil(a, b, new BN(7));
    applyBpsCeil(a, b);
    applyRateFloor(a, b);
    mulDivFloorI64(a.neg(), b, new BN(300));
    usdToTokenCeil(a, b, 6);
    expect(out).to.not.equal(a);
    expect([a.toString(), b.toString(), BPS_DENOM.toString(), RATE_ONE.toString(), U64_MAX.toString()]).to.deep.equal(
      before,
    );
  });
});

describe("math: randomized cross-check against BigInt", () => {
  // A seeded xorshift64* stream so failures reproduce.
  let state = 0x2545f4914f6cdd1dn;
  const M64 = (1n << 64n) - 1n;
  function next(): bigint {
    state ^= state >> 12n;
    state ^= (state << 25n) & M64;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & M64;
  }
  /** A u64 of random bit width, sometimes an edge value. */
  function u64(): bigint {
    const r = next();
    switch (r % 8n) {
      case 0n:
        return 0n;
      case 1n:
        return M64;
      case 2n:
        return 1n << (next() % 64n);
      default:
        return next() >> (next() % 64n);
    }
  }
  const toBn = (x: bigint) => new BN(x.toString(), 10);

  function reference(a: bigint, b: bigint, c: bigint, up: boolean): bigint | MathErrorCode {
    if (c === 0n) return "DivideByZero";
    const n = a * b;
    const q = n / c + (up && n % c !== 0n ? 1n : 0n);
    return q > M64 ? "Overflow" : q;
  }

  it("mulDivFloor / mulDivCeil agree with BigInt on 5000 random triples", () => {
    for (let k = 0; k < 5000; k++) {
      const [a, b, c] = [u64(), u64(), u64()];
      for (const [f, up] of [
        [mulDivFloor, false],
        [mulDivCeil, true],
      ] as const) {
        const expected = reference(a, b, c, up);
        if (typeof expected === "bigint") {
          expect(f(toBn(a), toBn(b), toBn(c)).toString(), `${a} ${b} ${c}`).to.equal(expected.toString());
        } else {
          expectMathError(() => f(toBn(a), toBn(b), toBn(c)), expected);
        }
      }
    }
  });

  it("mulDivFloorI64 / mulDivCeilI64 round toward -inf / +inf on 5000 random triples", () => {
    for (let k = 0; k < 5000; k++) {
      const sign = next() % 2n === 0n ? 1n : -1n;
      const a = sign * (u64() >> 1n);
      const [b, c] = [u64(), u64() || 1n];
      const n = a * b;
      // BigInt division truncates toward zero; fix up to floor/ceil.
      const trunc = n / c;
      const inexact = n % c !== 0n;
      const floor = inexact && n < 0n ? trunc - 1n : trunc;
      const ceil = inexact && n > 0n ? trunc + 1n : trunc;
      for (const [f, q] of [
        [mulDivFloorI64, floor],
        [mulDivCeilI64, ceil],
      ] as const) {
        if (q < -(1n << 63n) || q > (1n << 63n) - 1n) {
          expectMathError(() => f(toBn(a), toBn(b), toBn(c)), "Overflow");
        } else {
          expect(f(toBn(a), toBn(b), toBn(c)).toString(), `${a} ${b} ${c}`).to.equal(q.toString());
        }
      }
    }
  });
});
