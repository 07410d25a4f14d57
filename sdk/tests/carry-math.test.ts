/**
 * The SDK's carry math (`sdk/src/math/carry.ts`, issue 14) against the shared vectors
 * (`tests/vectors/carry.json`, also checked by `programs/perpool-core/tests/carry_vectors.rs`), plus
 * the TS-only contract (inputs untouched, fresh BNs) and a property on random books: the two
 * halves agree — what positions settle against what the custody aggregates counted — up to the
 * rounding, always in the pool's favour.
 */
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  CarryAccrualInput,
  CarryInput,
  FUNDING_ONE,
  FundingIndex,
  GroupInput,
  INDEX_ONE,
  LONG,
  MATH_ERROR_NUMBERS,
  MathError,
  accrueCarry,
  fundingAggregates,
  fundingShares,
  groupClaim,
  profitLockUntil,
  settleCarry,
} from "../src/math";

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Vector = { [key: string]: Json };

const VECTORS_PATH = path.join(__dirname, "..", "..", "tests", "vectors", "carry.json");
const vectors: Record<string, Vector[]> = JSON.parse(fs.readFileSync(VECTORS_PATH, "utf8"));
const MIN_PER_SECTION = 100;

function section(name: string): Vector[] {
  const list = vectors[name];
  expect(list, `carry.json section ${name}`).to.be.an("array");
  expect(list.length, `${name} vector count`).to.be.at.least(MIN_PER_SECTION);
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

const input = <T>(v: Vector): T => toInput(v.input) as T;

function check(name: string, v: Vector, run: () => unknown): void {
  const label = `${name} ${JSON.stringify(v).slice(0, 500)}`;
  if (v.err === null) {
    expect(render(run()), label).to.deep.equal(v.out);
  } else {
    expect(Object.keys(MATH_ERROR_NUMBERS), label).to.include(v.err);
    expect(run, label).to.throw(MathError).with.property("code", v.err);
  }
}

describe("carry math: shared vectors", () => {
  it("funding_shares, with the aggregates’ and settlement’s roundings", () => {
    const list = section("funding_shares");
    const roundings = new Set(
      list.map((v) => JSON.stringify([(v.input as Vector).paid_up, (v.input as Vector).received_up])),
    );
    expect([...roundings].sort()).to.deep.equal(["[false,true]", "[true,false]"]);
    for (const v of list) {
      const x = input<{ sizeUsd: BN; now: FundingIndex; before: FundingIndex; paidUp: boolean; receivedUp: boolean }>(
        v,
      );
      check("funding_shares", v, () => {
        const [paid, received] = fundingShares(x.sizeUsd, x.now, x.before, x.paidUp, x.receivedUp);
        return { paid, received };
      });
    }
  });

  it("funding_aggregates", () => {
    for (const v of section("funding_aggregates")) check("funding_aggregates", v, () => fundingAggregates(input(v)));
  });

  it("accrue_carry", () => {
    for (const v of section("accrue_carry")) check("accrue_carry", v, () => accrueCarry(input<CarryAccrualInput>(v)));
  });

  it("settle_carry", () => {
    for (const v of section("settle_carry")) check("settle_carry", v, () => settleCarry(input<CarryInput>(v)));
  });

  it("group_claim", () => {
    for (const v of section("group_claim")) check("group_claim", v, () => groupClaim(input<GroupInput>(v)));
  });

  it("profit_lock_until", () => {
    for (const v of section("profit_lock_until")) {
      const x = input<{ lastIncreaseTime: BN; minProfitHoldSecs: BN }>(v);
      check("profit_lock_until", v, () => profitLockUntil(x.lastIncreaseTime, x.minProfitHoldSecs));
    }
  });
});

const b = (x: number | string | bigint) => new BN(x.toString(), 10);

/** The module's example position: a 10,000 USD long on 100 tokens at $100, USDC collateral. */
function position(): CarryInput {
  const p = (usd: number) => b(usd).mul(b(1_000_000_000));
  return {
    now: b(4_600),
    side: LONG,
    sizeUsd: b(10_000_000_000),
    sizeTokens: b(100_000_000_000),
    locked: b(10_000_000_000),
    collateral: b(50_000_000),
    owed: b(0),
    borrowSnapshot: INDEX_ONE,
    supplySnapshot: INDEX_ONE,
    collateralSnapshot: b(0),
    fundingSnapshot: { paid: b(0), received: b(0) },
    pnlBase: { profit: true, usd: b(1_000_000_000) },
    pnlSeenUsd: b(1_000_000_000),
    pnlSeenTime: b(1_000),
    borrowIndex: INDEX_ONE.add(INDEX_ONE.divn(100)),
    supplyIndex: INDEX_ONE.add(INDEX_ONE.divn(100)),
    collateralIndex: b(7),
    fundingIndex: { paid: FUNDING_ONE.divn(5), received: b(0) },
    collateralEarns: true,
    interestOnPnl: true,
    warmupSecs: b(3_600),
    exitPrice: p(120),
    marketDecimals: 9,
    collPrice: { min: p(1), max: p(1), conf: b(0) },
    collDecimals: 6,
    poolTokens: b("18446744073709551615"),
    collateralInterestDue: b("18446744073709551615"),
  };
}

/** Every BN inside a value. */
function bns(value: unknown, out: BN[] = []): BN[] {
  if (BN.isBN(value)) out.push(value as BN);
  else if (value && typeof value === "object") Object.values(value).forEach((v) => bns(v, out));
  return out;
}

describe("carry math: TypeScript contract", () => {
  it("settles the module example: unpaid charges stay owed, the held profit becomes the base", () => {
    const c = settleCarry(position());
    // 1 % on 10,000 locked; 2,000 of funding; 1 % on the 1,000 profit base; 50 of collateral.
    expect(render(c)).to.deep.include({
      borrow_fee: "100000000",
      funding_in: "2000000000",
      profit_interest_tokens: "10000000",
      owed_after: "2040000000",
      collateral_after: "0",
      funding_unpaid: "2000000000",
      pnl_base_after: { profit: true, usd: "1000000000" },
      pnl_seen_usd_after: "2000000000",
      pnl_seen_time_after: "4600",
    });
  });

  it("leaves inputs untouched and returns fresh BNs", () => {
    const runs: Array<[unknown, () => unknown]> = [];
    const i = position();
    runs.push([i, () => settleCarry(i)]);
    const a: CarryAccrualInput = {
      locked: b(10),
      borrowIndexBefore: INDEX_ONE,
      borrowIndexAfter: INDEX_ONE,
      supplyIndexBefore: INDEX_ONE,
      supplyIndexAfter: INDEX_ONE,
      pnlProfitBaseUsd: b(0),
      pnlLossBaseUsd: b(0),
      toSuppliers: b(1_000),
      lent: b(10_000),
      poolRoom: b(20_000),
      earningCollateral: b(8_000),
      collateralIndex: b(5),
    };
    runs.push([a, () => accrueCarry(a)]);
    const g: GroupInput = {
      side: LONG,
      oiUsd: b(10),
      oiTokens: b(0),
      marketDecimals: 9,
      marketPrice: b(1),
      collateral: b(0),
      debt: b(0),
      collDecimals: 6,
      collPrice: b(1),
      roundForMaxAum: false,
    };
    runs.push([g, () => groupClaim(g)]);
    const f = {
      longOiUsd: b(0),
      shortOiUsd: b(0),
      longBefore: { paid: b(1), received: b(1) },
      longAfter: { paid: b(1), received: b(1) },
      shortBefore: { paid: b(1), received: b(1) },
      shortAfter: { paid: b(1), received: b(1) },
    };
    runs.push([f, () => fundingAggregates(f)]);
    for (const [inp, run] of runs) {
      const before = JSON.stringify(render(inp));
      const out = run();
      expect(JSON.stringify(render(inp))).to.equal(before);
      for (const o of bns(out)) for (const x of bns(inp)) expect(o).to.not.equal(x);
    }
  });
});

describe("carry math: the aggregates and the settlements agree", () => {
  // A seeded xorshift64* stream so failures reproduce.
  let state = 0x5eed0014ca22e7n;
  const M64 = (1n << 64n) - 1n;
  function next(): bigint {
    state ^= state >> 12n;
    state ^= (state << 25n) & M64;
    state ^= state >> 27n;
    return (state * 0x2545f4914f6cdd1dn) & M64;
  }
  const below = (n: bigint) => next() % n;

  it("per-position shares sum to the aggregate within one unit per position, in the pool’s favour", () => {
    for (let k = 0; k < 300; k++) {
      const n = 1 + Number(below(12n));
      const sizes = Array.from({ length: n }, () => b(1n + below(10n ** BigInt(6 + Number(below(8n))))));
      const bases = Array.from({ length: n }, () => b(below(10n ** 12n)));
      const total = (xs: BN[]) => xs.reduce((s, x) => s.add(x), b(0));
      const before: FundingIndex = { paid: b(below(10n ** 18n)), received: b(below(10n ** 18n)) };
      const after: FundingIndex = {
        paid: before.paid.add(b(below(10n ** 17n))),
        received: before.received.add(b(below(10n ** 17n))),
      };
      const [bi0, si0] = [INDEX_ONE.add(b(below(10n ** 11n))), INDEX_ONE.add(b(below(10n ** 11n)))];
      const [bi1, si1] = [bi0.add(b(below(10n ** 10n))), si0.add(b(below(10n ** 10n)))];

      // Funding of one side: the aggregate owed (down) and due (up) against the settlements.
      const agg = fundingAggregates({
        longOiUsd: total(sizes),
        shortOiUsd: b(0),
        longBefore: before,
        longAfter: after,
        shortBefore: before,
        shortAfter: before,
      });
      const settled = sizes.map((s) => fundingShares(s, after, before, true, false));
      const paid = total(settled.map(([p]) => p));
      const received = total(settled.map(([, r]) => r));
      expect(
        paid.gte(agg.longOwedUsd) && paid.sub(agg.longOwedUsd).lten(n),
        `paid ${paid} vs owed ${agg.longOwedUsd}`,
      ).to.equal(true);
      expect(
        received.lte(agg.longDueUsd) && agg.longDueUsd.sub(received).lten(n),
        `received ${received} vs due ${agg.longDueUsd}`,
      ).to.equal(true);

      // Borrow fees and PnL interest: accrued on the sums, settled per position.
      const acc = accrueCarry({
        locked: total(sizes),
        borrowIndexBefore: bi0,
        borrowIndexAfter: bi1,
        supplyIndexBefore: si0,
        supplyIndexAfter: si1,
        pnlProfitBaseUsd: total(bases),
        pnlLossBaseUsd: total(bases),
        toSuppliers: b(0),
        lent: b(0),
        poolRoom: b(0),
        earningCollateral: b(0),
        collateralIndex: b(0),
      });
      const each = (base: BN, profit: boolean, locked: BN) =>
        settleCarry({
          ...position(),
          now: b(1_000),
          sizeUsd: b(0),
          locked,
          collateral: b(10n ** 15n),
          borrowSnapshot: bi0,
          borrowIndex: bi1,
          supplySnapshot: si0,
          supplyIndex: si1,
          fundingIndex: { paid: b(0), received: b(0) },
          collateralEarns: false,
          pnlBase: { profit, usd: base },
        });
      const fees = total(sizes.map((s) => each(b(0), true, s).borrowFee));
      const earned = total(bases.map((x) => each(x, true, b(0)).profitInterestUsd));
      const owed = total(bases.map((x) => each(x, false, b(0)).lossInterestUsd));
      expect(
        fees.gte(acc.borrowFees) && fees.sub(acc.borrowFees).lten(n),
        `fees ${fees} vs ${acc.borrowFees}`,
      ).to.equal(true);
      expect(
        earned.lte(acc.pnlInterestDueUsd) && acc.pnlInterestDueUsd.sub(earned).lten(n),
        `earned ${earned} vs ${acc.pnlInterestDueUsd}`,
      ).to.equal(true);
      expect(
        owed.gte(acc.pnlInterestOwedUsd) && owed.sub(acc.pnlInterestOwedUsd).lten(n),
        `owed ${owed} vs ${acc.pnlInterestOwedUsd}`,
      ).to.equal(true);
    }
  });

  it("the suppliers’ interest splits without creating any: to the collateral plus to the pool is the whole", () => {
    for (let k = 0; k < 500; k++) {
      const lent = b(below(10n ** 15n));
      const toSuppliers = b(below(10n ** 12n));
      const earning = b(below(10n ** 15n));
      const a = accrueCarry({
        locked: b(0),
        borrowIndexBefore: INDEX_ONE,
        borrowIndexAfter: INDEX_ONE,
        supplyIndexBefore: INDEX_ONE,
        supplyIndexAfter: INDEX_ONE,
        pnlProfitBaseUsd: b(0),
        pnlLossBaseUsd: b(0),
        toSuppliers,
        lent,
        poolRoom: b(below(10n ** 15n)),
        earningCollateral: earning,
        collateralIndex: b(0),
      });
      expect(a.toCollateral.add(a.toPool).eq(toSuppliers)).to.equal(true);
      // What the holders can claim through the index never exceeds what was credited.
      expect(earning.mul(a.collateralIndex).div(INDEX_ONE).lte(a.toCollateral)).to.equal(true);
    }
  });
});
