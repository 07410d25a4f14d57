/**
 * The SDK's lending math against the shared vectors (`tests/vectors/lending.json`, also checked
 * by `programs/perpool-core/tests/lending_vectors.rs`), the worked numbers, the TS-only
 * contract (error classes and codes, BN in and out, inputs untouched, `RangeError` for impossible
 * inputs) and properties on random loans: the custody accounting identity after every quote,
 * rounding against the borrower, an exact liquidation price.
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  BorrowInput,
  INDEX_ONE,
  LENDING_ERROR_CODES,
  LendingAccrualInput,
  LendingError,
  LiquidateLoanInput,
  LoanHealthInput,
  MATH_ERROR_NUMBERS,
  MathError,
  PnlInterestInput,
  RateCurve,
  RepayInput,
  SECONDS_PER_YEAR,
  WithdrawCollateralInput,
  accrueIndex,
  accrueLending,
  accrueLendingDown,
  borrowRate,
  borrowScaled,
  debtTokens,
  loanHealth,
  loanLiquidationPrice,
  ltvBps,
  pnlInterest,
  quoteBorrow,
  quoteLiquidateLoan,
  quoteRepay,
  quoteWithdrawCollateral,
  repayScaled,
  supplyInterest,
  supplyRate,
} from "../src/math";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Vector = { [key: string]: Json };

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "lending.json");
const vectors: Record<string, Vector[]> = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));
const MATH_CODES = Object.keys(MATH_ERROR_NUMBERS);

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `lending.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(name.startsWith("quote_") ? 100 : 60);
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

/** A TS result as the vector's `out`: snake_case keys, BN as decimal strings, flags and null kept. */
function render(value: unknown): Json {
  if (value === null) return null;
  if (BN.isBN(value)) return (value as BN).toString(10);
  if (typeof value === "boolean" || typeof value === "number") return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value as object)) out[snake(key)] = render(v);
  return out;
}

const field = <T>(v: Vector, key: string): T => toInput(v[key]) as T;

function expectError(label: string, run: () => unknown, code: string): void {
  const cls = MATH_CODES.includes(code) ? MathError : LendingError;
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

describe("lending math: shared vectors", () => {
  it("accrue_lending, debt_tokens, borrow_scaled, repay_scaled, supply_interest, pnl_interest", () => {
    for (const v of section("accrue_lending"))
      check("accrue_lending", v, () => accrueLending(field<LendingAccrualInput>(v, "input")));
    for (const v of section("accrue_lending_down"))
      check("accrue_lending_down", v, () => accrueLendingDown(field<LendingAccrualInput>(v, "input")));
    for (const v of section("debt_tokens"))
      check("debt_tokens", v, () => debtTokens(field(v, "scaled"), field(v, "borrow_index")));
    for (const v of section("borrow_scaled"))
      check("borrow_scaled", v, () => borrowScaled(field(v, "amount"), field(v, "borrow_index")));
    for (const v of section("repay_scaled"))
      check("repay_scaled", v, () => repayScaled(field(v, "amount"), field(v, "borrow_index")));
    for (const v of section("supply_interest")) {
      check("supply_interest", v, () =>
        supplyInterest(field(v, "amount"), field(v, "supply_index_now"), field(v, "snapshot")),
      );
    }
    for (const v of section("pnl_interest"))
      check("pnl_interest", v, () => pnlInterest(field<PnlInterestInput>(v, "input")));
  });

  it("ltv_bps, loan_health, loan_liquidation_price", () => {
    for (const v of section("ltv_bps"))
      check("ltv_bps", v, () => ltvBps(field(v, "debt_usd"), field(v, "collateral_usd")));
    for (const v of section("loan_health"))
      check("loan_health", v, () => loanHealth(field<LoanHealthInput>(v, "input")));
    for (const v of section("loan_liquidation_price")) {
      check("loan_liquidation_price", v, () => ({ price: loanLiquidationPrice(field<LoanHealthInput>(v, "input")) }));
    }
  });

  it("quote_borrow", () => {
    const list = section("quote_borrow");
    // Lent collateral (`collateral_room`, absent meaning zero) is in the file and is read.
    const withRoom = list.filter((v) => ((v.input as Vector).borrow as Vector).collateral_room !== undefined).length;
    expect(withRoom, "vectors with a collateral room").to.be.at.least(100);
    for (const v of list) check("quote_borrow", v, () => quoteBorrow(field<BorrowInput>(v, "input")));
  });

  it("quote_repay", () => {
    for (const v of section("quote_repay")) check("quote_repay", v, () => quoteRepay(field<RepayInput>(v, "input")));
  });

  it("quote_withdraw_collateral", () => {
    for (const v of section("quote_withdraw_collateral")) {
      check("quote_withdraw_collateral", v, () => quoteWithdrawCollateral(field<WithdrawCollateralInput>(v, "input")));
    }
  });

  it("quote_liquidate_loan", () => {
    const list = section("quote_liquidate_loan");
    // The recall path (`recall_excess`, absent meaning zero) is in the file and is read.
    expect(
      list.filter((v) => (v.input as Vector).recall_excess !== undefined).length,
      "vectors with a recall excess",
    ).to.be.at.least(100);
    for (const v of list) {
      check("quote_liquidate_loan", v, () => quoteLiquidateLoan(field<LiquidateLoanInput>(v, "input")));
    }
  });
});

const b = (x: number | string | bigint) => new BN(x.toString(), 10);
const USDC = 1_000_000;
const SOL = 1_000_000_000;

/** $1,125 of USDC borrowed on 10 SOL at $150 (75 %); liquidation at 80 %, bonus 5 %, close 50 %. */
function solUsdc(priceMin = 150_000_000_000, priceMax = priceMin): LiquidateLoanInput {
  return {
    loan: { collateralAmount: b(10 * SOL), scaledDebt: b(1_125 * USDC) },
    repayAmount: b("18446744073709551615"),
    coll: { decimals: 9, priceMin: b(priceMin), priceMax: b(priceMax) },
    borrow: {
      decimals: 6,
      priceMax: b(1_000_000_000),
      borrowIndex: INDEX_ONE.clone(),
      owned: b(10_000_000 * USDC),
      locked: b(2_000_000 * USDC),
      lent: b(1_000_000 * USDC),
      lendable: b(10_000_000 * USDC),
      bufferBps: b(1_000),
      maxUtilizationBps: b(9_000),
    },
    params: { maxLtvBps: b(7_500), liquidationLtvBps: b(8_000), liquidationBonusBps: b(500), closeFactorBps: b(5_000) },
    insuranceBalance: b(0),
  };
}

describe("lending math: worked numbers and TypeScript contract", () => {
  const curve: RateCurve = {
    baseRate: b(0),
    slope1: b(40_000_000),
    slope2: b(750_000_000),
    optimalUtilizationBps: b(8_000),
    reserveFactorBps: b(1_000),
  };

  it("reproduces the issue rates: 4 % / 2.88 % at the kink, 79 % / 71.1 % at 100 %", () => {
    const atKink = borrowRate(curve, b(8_000));
    expect(atKink.toString()).to.equal("40000000");
    expect(supplyRate(atKink, b(8_000), b(1_000)).toString()).to.equal("28800000");
    const atFull = borrowRate(curve, b(10_000));
    expect(atFull.toString()).to.equal("790000000");
    expect(supplyRate(atFull, b(10_000), b(1_000)).toString()).to.equal("711000000");
  });

  it("splits a year of 4 % interest on 1,000,000 USDC exactly, in one step or 365 daily steps", () => {
    const split = (lent: BN, oldIndex: BN, newIndex: BN) =>
      accrueLending({
        lent,
        oldBorrowIndex: oldIndex,
        newBorrowIndex: newIndex,
        reserveFactorBps: b(1_000),
        protocolShareBps: b(5_000),
        insuranceShareBps: b(5_000),
      });
    const lent = b(1_000_000 * USDC);
    const rate = b(40_000_000);
    const one = accrueIndex(INDEX_ONE, rate, SECONDS_PER_YEAR, true);
    expect(render(split(lent, INDEX_ONE, one))).to.deep.equal({
      lent: String(1_040_000 * USDC),
      interest: String(40_000 * USDC),
      to_suppliers: String(36_000 * USDC),
      to_protocol: String(2_000 * USDC),
      to_insurance: String(2_000 * USDC),
    });
    let index = INDEX_ONE.clone();
    let amount = lent.clone();
    let interest = b(0);
    let credited = b(0);
    for (let day = 0; day < 365; day++) {
      const next = accrueIndex(index, rate, b(86_400), true);
      const a = split(amount, index, next);
      interest = interest.add(a.interest);
      credited = credited.add(a.toSuppliers).add(a.toProtocol).add(a.toInsurance);
      index = next;
      amount = a.lent;
    }
    expect(credited.toString()).to.equal(interest.toString());
    expect(interest.gt(b(40_808 * USDC)) && interest.lt(b(40_809 * USDC)), interest.toString()).to.equal(true);
  });

  it("never favours the borrower with one-hour steps against one long step", () => {
    const rate = b(790_000_000);
    const long = accrueIndex(INDEX_ONE, rate, b(30 * 86_400), true);
    let index = INDEX_ONE.clone();
    for (let h = 0; h < 30 * 24; h++) index = accrueIndex(index, rate, b(3_600), true);
    expect(index.gte(long)).to.equal(true);
  });

  it("quotes the SOL/USDC loan by example", () => {
    const l = solUsdc();
    const borrow = quoteBorrow({
      loan: { ...l.loan, scaledDebt: b(0) },
      amount: b(1_125 * USDC),
      coll: l.coll,
      borrow: l.borrow,
      params: l.params,
    });
    expect(render(borrow)).to.deep.equal({
      scaled_delta: "1125000000",
      debt_after: "1125000000",
      debt_usd_after: "1125000000",
      collateral_usd: "1500000000",
      ltv_bps_after: "7500",
    });
    expect(loanLiquidationPrice(l)?.toString()).to.equal("140624999999");
    expectError("healthy", () => quoteLiquidateLoan(l), "NotLiquidatable");
    const q = quoteLiquidateLoan({
      ...solUsdc(100_000_000_000),
      repayAmount: b(1_000 * USDC),
      insuranceBalance: b(100 * USDC),
    });
    expect(render(q)).to.deep.equal({
      repaid: "1000000000",
      scaled_after: "0",
      collateral_seized: "10000000000",
      collateral_after: "0",
      bad_debt: "125000000",
      insurance_used: "100000000",
      socialized: "25000000",
      ltv_bps_before: "11250",
    });
    const health = loanHealth(solUsdc(140_000_000_000));
    expect([health.ltvBps.toString(), health.liquidatable]).to.deep.equal(["8036", true]);
  });

  it("throws LendingError for refusals and MathError for arithmetic", () => {
    try {
      quoteRepay({ scaledDebt: b(1), amount: b(0), borrowIndex: INDEX_ONE });
      expect.fail("expected a throw");
    } catch (e) {
      expect(e).to.be.instanceOf(LendingError).and.instanceOf(Error);
      expect((e as LendingError).code).to.equal("ZeroAmount");
      expect((e as LendingError).name).to.equal("LendingError");
    }
    const l = solUsdc();
    expectError("decimals", () => loanHealth({ ...l, coll: { ...l.coll, decimals: 19 } }), "InvalidDecimals");
    expectError("index", () => borrowScaled(b(1), b(0)), "DivideByZero");
    expectError(
      "collateral",
      () => quoteWithdrawCollateral({ ...l, amount: b(10 * SOL + 1) }),
      "InsufficientCollateral",
    );
    expect(LENDING_ERROR_CODES).to.deep.equal([
      "ZeroAmount",
      "LtvTooHigh",
      "InsufficientLiquidity",
      "UtilizationTooHigh",
      "InsufficientCollateral",
      "NotLiquidatable",
    ]);
  });

  it("rejects inputs the program could never receive with RangeError", () => {
    const l = solUsdc();
    expect(() => quoteLiquidateLoan({ ...l, repayAmount: b(-1) })).to.throw(RangeError);
    expect(() => loanHealth({ ...l, coll: { ...l.coll, decimals: 256 } })).to.throw(RangeError);
    const missing = { ...l.borrow } as Partial<LiquidateLoanInput["borrow"]>;
    delete missing.lendable;
    expect(() => quoteBorrow({ ...l, amount: b(1), borrow: missing as LiquidateLoanInput["borrow"] })).to.throw(
      RangeError,
    );
    expect(() => debtTokens(b("18446744073709551616"), INDEX_ONE)).to.throw(RangeError);
  });

  it("leaves inputs untouched and returns fresh BNs", () => {
    const i = solUsdc(100_000_000_000);
    const before = JSON.stringify(render(i));
    const q = quoteLiquidateLoan({ ...i, repayAmount: b(900 * USDC) });
    const all = quoteLiquidateLoan(i);
    const r = quoteRepay({ scaledDebt: i.loan.scaledDebt, amount: b("18446744073709551615"), borrowIndex: INDEX_ONE });
    expect(JSON.stringify(render(i))).to.equal(before);
    const inputs: BN[] = [];
    const collect = (x: unknown) => {
      if (BN.isBN(x)) inputs.push(x as BN);
      else if (x && typeof x === "object") Object.values(x).forEach(collect);
    };
    collect(i);
    for (const out of [q, all, r])
      for (const value of Object.values(out)) for (const input of inputs) expect(value).to.not.equal(input);
  });
});

describe("lending math: properties on random loans", () => {
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
  const range = (lo: bigint, hi: bigint) => lo + below(hi - lo + 1n);
  const pick = <T>(xs: T[]): T => xs[Number(below(BigInt(xs.length)))];

  const TOKENS = [
    { decimals: 9, price: 150_000_000_000n },
    { decimals: 8, price: 95_000_000_000_000n },
    { decimals: 6, price: 1_000_000_000n },
  ];

  /** A custody's books: vault + lent = owned + collateral + loanCollateral + protocol + insurance. */
  interface Books {
    vault: bigint;
    lent: bigint;
    owned: bigint;
    collateral: bigint;
    loanCollateral: bigint;
    protocol: bigint;
    insurance: bigint;
  }
  const balanced = (k: Books) =>
    k.vault + k.lent === k.owned + k.collateral + k.loanCollateral + k.protocol + k.insurance;
  const nonNegative = (k: Books) => Object.values(k).every((x) => x >= 0n);
  /** `lent −= x`, any rounding shortfall taken from `owned` (the program's documented rule). */
  const takeLent = (k: Books, x: bigint): Books => {
    const fromLent = x < k.lent ? x : k.lent;
    return { ...k, lent: k.lent - fromLent, owned: k.owned + (x - fromLent) };
  };

  function books(loanDebt: bigint, loanCollateral: bigint): Books {
    const owned = range(1n << 30n, 1n << 50n) + loanDebt;
    const lent = (owned * range(0n, 50n)) / 100n + loanDebt;
    const collateral = below(1n << 40n);
    const protocol = below(1n << 30n);
    const insurance = below(1n << 35n);
    const lc = below(1n << 40n) + loanCollateral;
    return {
      vault: owned + collateral + lc + protocol + insurance - lent,
      lent,
      owned,
      collateral,
      loanCollateral: lc,
      protocol,
      insurance,
    };
  }

  function randomLoan(): LiquidateLoanInput {
    const c = pick(TOKENS);
    const d = pick(TOKENS);
    const move = range(3_000n, 15_000n);
    const cp = (c.price * move) / 10_000n;
    const widen = (p: bigint) => p + (p / 10_000n) * pick([0n, 2n, 10n]);
    const collUsd = range(10_000_000n, 10_000_000_000_000n);
    const collateral = (collUsd * 10n ** BigInt(c.decimals + 3)) / c.price;
    const ltv = range(0n, 13_000n);
    const index = INDEX_ONE.toNumber() + Number(below(1_000_000_000_000n));
    const debt = (((collUsd * ltv) / 10_000n) * 10n ** BigInt(d.decimals + 3)) / d.price;
    const scaled = (debt * 1_000_000_000_000n) / BigInt(index);
    const maxLtv = pick([5_000n, 7_500n, 8_000n]);
    return {
      loan: { collateralAmount: b(collateral), scaledDebt: b(scaled) },
      repayAmount: b(pick([M64, below(debt + 2n), debt / 2n, 0n])),
      coll: { decimals: c.decimals, priceMin: b(cp), priceMax: b(widen(cp)) },
      borrow: {
        decimals: d.decimals,
        priceMax: b(widen(d.price)),
        borrowIndex: b(index),
        owned: b(1n << 52n),
        locked: b(1n << 50n),
        lent: b(1n << 49n),
        lendable: b(1n << 52n),
        bufferBps: b(1_000),
        maxUtilizationBps: b(9_500),
      },
      params: {
        maxLtvBps: b(maxLtv),
        liquidationLtvBps: b(maxLtv + pick([300n, 500n])),
        liquidationBonusBps: b(pick([0n, 500n, 1_000n])),
        closeFactorBps: b(pick([2_500n, 5_000n, 10_000n])),
      },
      insuranceBalance: b(pick([0n, below(debt + 1n), debt])),
    };
  }

  const big = (x: BN) => BigInt(x.toString(10));

  it("every quote keeps vault + lent = owned + collateral + loan collateral + protocol + insurance", () => {
    const seen = new Set<string>();
    for (let n = 0; n < 1_500; n++) {
      const l = randomLoan();
      const debt = big(debtTokens(l.loan.scaledDebt, l.borrow.borrowIndex));
      const bb = books(debt, 0n);
      const cb = books(0n, big(l.loan.collateralAmount));
      expect(balanced(bb) && balanced(cb)).to.equal(true);

      // accrual
      const growth = range(0n, 100_000_000_000n);
      const a = accrueLending({
        lent: b(bb.lent),
        oldBorrowIndex: l.borrow.borrowIndex,
        newBorrowIndex: l.borrow.borrowIndex.add(b(growth)),
        reserveFactorBps: b(range(0n, 10_000n)),
        protocolShareBps: b(range(0n, 10_000n)),
        insuranceShareBps: b(range(0n, 10_000n)),
      });
      const accrued = {
        ...bb,
        lent: big(a.lent),
        owned: bb.owned + big(a.toSuppliers),
        protocol: bb.protocol + big(a.toProtocol),
        insurance: bb.insurance + big(a.toInsurance),
      };
      expect(balanced(accrued), "accrual").to.equal(true);

      // borrow
      const amount = b(range(1n, debt / 3n + 1n));
      const custody = { ...l.borrow, owned: b(bb.owned), lent: b(bb.lent), locked: b(0), lendable: b(bb.owned) };
      try {
        const q = quoteBorrow({ ...l, amount, borrow: custody });
        expect(big(q.debtAfter) >= debt + big(amount), "borrow rounds up").to.equal(true);
        const after = { ...bb, lent: bb.lent + big(amount), vault: bb.vault - big(amount) };
        expect(balanced(after) && nonNegative(after), "borrow books").to.equal(true);
        seen.add("borrow");
      } catch (e) {
        expect(e).to.be.instanceOf(LendingError);
      }

      // repay
      const r = quoteRepay({ scaledDebt: l.loan.scaledDebt, amount, borrowIndex: l.borrow.borrowIndex });
      expect(
        big(debtTokens(r.scaledAfter, l.borrow.borrowIndex)) + big(r.repaid) >= debt,
        "repay rounds against",
      ).to.equal(true);
      const repaid = takeLent({ ...bb, vault: bb.vault + big(r.repaid) }, big(r.repaid));
      expect(balanced(repaid) && nonNegative(repaid), "repay books").to.equal(true);

      // withdraw
      const w = b((big(l.loan.collateralAmount) * range(1n, 10_000n)) / 10_000n);
      try {
        const q = quoteWithdrawCollateral({ ...l, amount: w });
        expect(q.ltvBpsAfter.lte(l.params.maxLtvBps)).to.equal(true);
        const after = { ...cb, loanCollateral: cb.loanCollateral - big(w), vault: cb.vault - big(w) };
        expect(balanced(after) && nonNegative(after), "withdraw books").to.equal(true);
        seen.add("withdraw");
      } catch (e) {
        expect(e).to.be.instanceOf(LendingError);
      }

      // liquidate
      try {
        const q = quoteLiquidateLoan(l);
        const fund = {
          ...bb,
          insurance: bb.insurance + big(l.insuranceBalance),
          vault: bb.vault + big(l.insuranceBalance),
        };
        let after = takeLent({ ...fund, vault: fund.vault + big(q.repaid) }, big(q.repaid) + big(q.badDebt));
        after = { ...after, insurance: after.insurance - big(q.insuranceUsed), owned: after.owned - big(q.socialized) };
        expect(balanced(after) && nonNegative(after), "liquidation books (borrowed)").to.equal(true);
        const coll = {
          ...cb,
          loanCollateral: cb.loanCollateral - big(q.collateralSeized),
          vault: cb.vault - big(q.collateralSeized),
        };
        expect(balanced(coll) && nonNegative(coll), "liquidation books (collateral)").to.equal(true);
        expect(big(q.insuranceUsed) + big(q.socialized)).to.equal(big(q.badDebt));
        seen.add(q.badDebt.isZero() ? "liquidation" : "bad debt");
      } catch (e) {
        expect(e).to.be.instanceOf(LendingError);
      }
    }
    expect([...seen].sort()).to.deep.equal(["bad debt", "borrow", "liquidation", "withdraw"]);
  });

  it("the liquidation price is the exact boundary", () => {
    let found = 0;
    for (let n = 0; n < 1_000; n++) {
      const l = randomLoan();
      const p = loanLiquidationPrice(l);
      if (p === null) {
        expect(loanHealth({ ...l, coll: { ...l.coll, priceMin: b(0) } }).liquidatable).to.equal(false);
        continue;
      }
      found++;
      expect(loanHealth({ ...l, coll: { ...l.coll, priceMin: p } }).liquidatable).to.equal(true);
      if (p.lt(b(M64)))
        expect(loanHealth({ ...l, coll: { ...l.coll, priceMin: p.addn(1) } }).liquidatable).to.equal(false);
    }
    expect(found).to.be.greaterThan(500);
  });
});
