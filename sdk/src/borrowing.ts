/**
 * A borrower's view of a loan: the health factor (liquidation LTV ÷ LTV) and
 * its band, before and after each action (deposit, borrow, repay, withdraw),
 * the most that can be borrowed or withdrawn now, and the exact debt left
 * after a repayment. Every "after" comes from the same quotes the program's
 * checks mirror.
 */
import BN from "bn.js";

import { Loan } from "./idl/types";
import { loanInfo, quoteLoanBorrow, quoteLoanRepay, quoteLoanWithdraw, settleLoanInterest } from "./loan";
import { borrowScaled, debtTokens } from "./math";
import { PoolState } from "./pool";
import { pricedCustody } from "./position";

export type HealthBand = "none" | "safe" | "caution" | "danger";

/** Health factor: liquidation LTV ÷ LTV (liquidation at or below 1); null without debt. */
export function healthFactor(ltvBps: BN, liquidationLtvBps: number): number | null {
  if (ltvBps.isZero()) return null;
  // Two decimals, rounded down (never shows a loan healthier than it is).
  return Number(new BN(liquidationLtvBps).muln(100).div(ltvBps).toString()) / 100;
}

/** Colour band of a health factor: safe ≥ 1.5, caution ≥ 1.1, danger below. */
export function healthBand(h: number | null): HealthBand {
  if (h === null) return "none";
  if (h >= 1.5) return "safe";
  if (h >= 1.1) return "caution";
  return "danger";
}

export interface LoanSnapshot {
  collateral: BN;
  debt: BN;
  ltvBps: BN;
  health: number | null;
  band: HealthBand;
  /** Collateral price at which the loan liquidates (9 decimals), null without debt. */
  liquidationPrice: BN | null;
}

function snapshot(state: PoolState, loan: Loan, now: BN): LoanSnapshot {
  const i = loanInfo(state, loan, now);
  const liqLtv = pricedCustody(state, loan.collateralCustody, now).account.liquidationLtvBps;
  const health = healthFactor(i.ltvBps, liqLtv);
  return {
    collateral: loan.collateralAmount,
    debt: i.debt,
    ltvBps: i.ltvBps,
    health,
    band: healthBand(health),
    liquidationPrice: i.debt.isZero() ? null : i.liquidationPrice,
  };
}

export type LoanAction = "deposit" | "borrow" | "repay" | "withdraw";

export interface LoanPreview {
  before: LoanSnapshot | null;
  after: LoanSnapshot;
  /** Repay: tokens actually repaid (at most the debt). */
  repaid?: BN;
}

/** An empty loan of `owner` between two custodies, for previews before the first deposit. */
export function emptyLoan(
  ref: {
    owner: Loan["owner"];
    pool: Loan["pool"];
    collateralCustody: Loan["collateralCustody"];
    borrowCustody: Loan["borrowCustody"];
  },
  now: BN,
): Loan {
  const zero = new BN(0);
  return {
    version: 1,
    bump: 0,
    padding0: [],
    ...ref,
    collateralAmount: zero,
    scaledDebt: zero,
    collateralIndexSnapshot: zero,
    openTime: now,
    updateTime: now,
    collateralInterest: zero,
    reserved: [],
  } as Loan;
}

/**
 * The loan before and after `action(amount)`. Throws the quote's error when
 * the program would refuse the action (LTV too high, liquidity, …).
 */
export function previewLoanAction(state: PoolState, loan: Loan, action: LoanAction, amount: BN, now: BN): LoanPreview {
  const before = loan.collateralAmount.isZero() && loan.scaledDebt.isZero() ? null : snapshot(state, loan, now);
  const borrowIndex = pricedCustody(state, loan.borrowCustody, now).account.borrowIndex;
  switch (action) {
    case "deposit":
      if (amount.isZero()) throw new RangeError("amount is zero");
      return { before, after: snapshot(state, { ...loan, collateralAmount: loan.collateralAmount.add(amount) }, now) };
    case "borrow": {
      const q = quoteLoanBorrow(state, loan, amount, now);
      const after = snapshot(
        state,
        { ...loan, scaledDebt: loan.scaledDebt.add(borrowScaled(amount, borrowIndex)) },
        now,
      );
      return {
        before,
        after: {
          ...after,
          ltvBps: q.ltvBpsAfter,
          debt: q.debtAfter,
          health: healthFactor(q.ltvBpsAfter, liqLtvOf(state, loan, now)),
          band: healthBand(healthFactor(q.ltvBpsAfter, liqLtvOf(state, loan, now))),
        },
      };
    }
    case "repay": {
      const q = quoteLoanRepay(state, loan, amount, now);
      const after = snapshot(state, { ...loan, scaledDebt: q.scaledAfter }, now);
      return { before, after: { ...after, debt: debtTokens(q.scaledAfter, borrowIndex) }, repaid: q.repaid };
    }
    case "withdraw": {
      const q = quoteLoanWithdraw(state, loan, amount, now);
      const after = snapshot(
        state,
        { ...loan, collateralAmount: BN.max(loan.collateralAmount.sub(amount), new BN(0)) },
        now,
      );
      const h = healthFactor(q.ltvBpsAfter, liqLtvOf(state, loan, now));
      return {
        before,
        after: { ...after, collateral: q.collateralAfter, ltvBps: q.ltvBpsAfter, health: h, band: healthBand(h) },
      };
    }
  }
}

function liqLtvOf(state: PoolState, loan: Loan, now: BN): number {
  return pricedCustody(state, loan.collateralCustody, now).account.liquidationLtvBps;
}

/** The largest `x` in [0, hi] for which `ok(x)` holds, given `ok` holds up to some point and fails after; 0 when none. */
function largest(hi: BN, ok: (x: BN) => boolean): BN {
  if (hi.lten(0) || !ok(new BN(1))) return new BN(0);
  if (ok(hi)) return hi;
  let lo = new BN(1);
  let top = hi;
  while (top.sub(lo).gtn(1)) {
    const mid = lo.add(top).shrn(1);
    if (ok(mid)) lo = mid;
    else top = mid;
  }
  return lo;
}

const succeeds = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

/** The most the loan can borrow now (tokens): what keeps it within its maximum LTV and the pool's liquidity and utilization limits. */
export function maxBorrow(state: PoolState, loan: Loan, now: BN): BN {
  if (loan.collateralAmount.isZero()) return new BN(0);
  const owned = pricedCustody(state, loan.borrowCustody, now).account.owned;
  return largest(owned, (x) => succeeds(() => quoteLoanBorrow(state, loan, x, now)));
}

/** The most collateral that can be withdrawn now (tokens): all of it without debt, else what keeps the LTV within its maximum. */
export function maxWithdraw(state: PoolState, loan: Loan, now: BN): BN {
  // The collateral after the interest the program settles first.
  const settled = settleLoanInterest(loan, pricedCustody(state, loan.collateralCustody, now).account).collateralAmount;
  return largest(settled, (x) => succeeds(() => quoteLoanWithdraw(state, loan, x, now)));
}

/** Tokens owed now (rounded up, as the program counts it). */
export function loanDebt(state: PoolState, loan: Loan, now: BN): BN {
  return debtTokens(loan.scaledDebt, pricedCustody(state, loan.borrowCustody, now).account.borrowIndex);
}
