/**
 * What the attack suites assert around every action: the LP price (the program's own valuation,
 * `valuePool` at min and at max prices, over the LP supply) moves only by the LP fees the action
 * booked, the books balance (`books.ts`), and at the end an attacker group's net is what its
 * price exposure explains.
 */
import BN from "bn.js";
import { expect } from "chai";

import { valuePool } from "../../sdk/src";
import { BooksReport, USD27, booksViolation, dollars, explainedByMove } from "./books";
import { Wallet, World } from "../world";

export interface LpMark {
  min: BN;
  max: BN;
  supply: BN;
  /** Σ LP fees ever credited (trading + borrow + lending interest), USD27 at the current prices. */
  feesUsd27: BN;
  /** Σ lending interest credited to LPs (not a fee an action books). */
  lent: BN[];
}

/** The LP price's ingredients now. */
export function lpMark(env: World): LpMark {
  const state = env.state();
  const now = env.now();
  const p = env.priced(state);
  let fees = new BN(0);
  state.custodies.forEach((c, i) => {
    const a = c.account;
    fees = fees.add(a.cumulativeTradingFees.add(a.cumulativeBorrowFees).mul(p.price[i]).mul(p.scale[i]));
  });
  return {
    min: valuePool(state, "min", now).aumUsd,
    max: valuePool(state, "max", now).aumUsd,
    supply: state.lpSupply,
    feesUsd27: fees,
    lent: state.custodies.map((c) => c.account.cumulativeLendingInterest),
  };
}

/** LP price per LP unit in 27-decimal USD per 10^6 LP (an LP token has 6 decimals). */
export function lpPrice27(v: BN, supply: BN): BN {
  return v.mul(USD27).mul(new BN(1_000_000)).div(supply);
}

export interface Move {
  /** Price change per LP token at min and max prices, USD27. */
  min: BN;
  max: BN;
  /** LP fees the action booked, per LP token, USD27. */
  fees: BN;
}

export function lpMove(a: LpMark, b: LpMark): Move {
  const fees = b.feesUsd27.sub(a.feesUsd27).mul(new BN(1_000_000)).div(b.supply);
  return {
    min: lpPrice27(b.min, b.supply).sub(lpPrice27(a.min, a.supply)),
    max: lpPrice27(b.max, b.supply).sub(lpPrice27(a.max, a.supply)),
    fees,
  };
}

/** Rounding of the LP price: two micro-dollars of pool value per LP token's share of supply, plus a micro-dollar. */
export function lpTolerance(m: LpMark): BN {
  return USD27.muln(4).mul(new BN(1_000_000)).div(m.supply).add(USD27);
}

/**
 * Asserts that the LP price did not fall (beyond rounding) and rose by no more than the LP fees
 * the action booked (beyond rounding), at min and at max prices.
 */
export function expectLpMoveWithinFees(what: string, a: LpMark, b: LpMark): Move {
  const m = lpMove(a, b);
  const tol = lpTolerance(b);
  for (const side of ["min", "max"] as const) {
    expect(
      m[side].add(tol).isNeg(),
      `${what}: LP price at ${side} prices fell by ${dollars(m[side].neg(), 9)} per LP (fees booked ${dollars(m.fees, 9)})`,
    ).to.equal(false);
    expect(
      m[side].gt(m.fees.add(tol)),
      `${what}: LP price at ${side} prices rose by ${dollars(m[side], 9)} per LP, more than the fees booked ${dollars(m.fees, 9)}`,
    ).to.equal(false);
  }
  return m;
}

export function expectBooks(what: string, r: BooksReport): void {
  const v = booksViolation(r);
  expect(v, `${what}: ${v}`).to.equal(null);
}

/**
 * Follows an attacker group through a sequence: its worth at the start, the gain its exposure
 * explains at every price publication (`movePrice`), and its worth at the end.
 */
export class GroupLedger {
  readonly start: BN;
  explained = new BN(0);

  constructor(
    readonly env: World,
    readonly group: Wallet[],
  ) {
    this.start = env.worth(group);
  }

  /** Publishes a new price, crediting the group with its exposure × the move. */
  movePrice(sym: string, usdPrice: number | string | BN): void {
    const p = this.env.priced();
    const expo = this.env.exposure(this.group);
    const before = this.env.priceList();
    this.env.mustOk(this.env.setPrice(sym, usdPrice), `price ${sym}`);
    this.explained = this.explained.add(explainedByMove(p, expo, before, this.env.priceList()));
  }

  net(): BN {
    return this.env.worth(this.group).sub(this.start);
  }

  /** net − explained: what the group earned beyond its price exposure (USD27). */
  excess(): BN {
    return this.net().sub(this.explained);
  }
}
