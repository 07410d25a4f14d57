/**
 * Loans and rates: quotes of every loan action exactly as the program
 * computes them (both custodies accrued to `now`, collateral interest settled,
 * the same oracle checks), loan health and liquidation price, current borrow
 * and supply rates per custody, and the LP's income split.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Custody, Loan } from "./idl/types";
import {
  accrue,
  borrowRate,
  loanHealth,
  loanLiquidationPrice,
  quoteBorrow,
  quoteLiquidateLoan,
  quoteRepay,
  quoteWithdrawCollateral,
  mulDivFloor,
  INDEX_ONE,
  supplyRate,
  utilizationBps,
  BorrowQuote,
  LiquidateLoanQuote,
  LoanHealth,
  RepayQuote,
  WithdrawCollateralQuote,
} from "./math";
import { PoolState } from "./pool";
import { collateralRoom, lendable, overLent, pricedCustody } from "./position";

/**
 * The loan after the program's first step: the collateral's interest settled (mirrors
 * `settle_collateral_interest`): `floor(collateral × (collateralIndex − snapshot) / 1e12)`, at most
 * what the custody has credited and not yet paid out.
 */
export function settleLoanInterest(loan: Loan, collateral: Custody): Loan {
  let amount = loan.collateralAmount;
  let earned = new BN(0);
  if (collateral.collateralEarnsInterest !== 0 && collateral.collateralIndex.gt(loan.collateralIndexSnapshot)) {
    earned = BN.min(
      mulDivFloor(amount, collateral.collateralIndex.sub(loan.collateralIndexSnapshot), INDEX_ONE),
      collateral.collateralInterestDue,
    );
    amount = amount.add(earned);
  }
  return {
    ...loan,
    collateralAmount: amount,
    collateralIndexSnapshot: collateral.collateralIndex,
    collateralInterest: loan.collateralInterest.add(earned),
  };
}

function sides(state: PoolState, collateralCustody: PublicKey, borrowCustody: PublicKey, now: BN) {
  const c = pricedCustody(state, collateralCustody, now);
  const b = pricedCustody(state, borrowCustody, now);
  return {
    c,
    b,
    coll: { decimals: c.account.decimals, priceMin: c.price.min, priceMax: c.price.max },
    borrow: {
      decimals: b.account.decimals,
      priceMax: b.price.max,
      borrowIndex: b.account.borrowIndex,
      owned: b.account.owned,
      locked: b.account.locked,
      lent: b.account.lent,
      lendable: lendable(b.account),
      bufferBps: new BN(b.account.bufferBps),
      maxUtilizationBps: new BN(b.account.maxUtilizationBps),
      collateralRoom: collateralRoom(b.account),
    },
    params: {
      maxLtvBps: new BN(c.account.maxLtvBps),
      liquidationLtvBps: new BN(c.account.liquidationLtvBps),
      liquidationBonusBps: new BN(c.account.liquidationBonusBps),
      closeFactorBps: new BN(c.account.closeFactorBps),
    },
  };
}

const stateOf = (l: Loan | null) => ({
  collateralAmount: l ? l.collateralAmount : new BN(0),
  scaledDebt: l ? l.scaledDebt : new BN(0),
});

function settledLoan(l: Loan | null, collateral: Custody): Loan | null {
  return l ? settleLoanInterest(l, collateral) : null;
}

/** What `borrow(amount)` will do for a loan (collateral already deposited). */
export function quoteLoanBorrow(state: PoolState, loan: Loan, amount: BN, now: BN): BorrowQuote {
  const s = sides(state, loan.collateralCustody, loan.borrowCustody, now);
  return quoteBorrow({
    loan: stateOf(settledLoan(loan, s.c.account)),
    amount,
    coll: s.coll,
    borrow: s.borrow,
    params: s.params,
  });
}

/** What `repay(amount)` will do. */
export function quoteLoanRepay(state: PoolState, loan: Loan, amount: BN, now: BN): RepayQuote {
  const b = pricedCustody(state, loan.borrowCustody, now);
  return quoteRepay({ scaledDebt: loan.scaledDebt, amount, borrowIndex: b.account.borrowIndex });
}

/** What `withdraw_loan_collateral(amount)` will do. */
export function quoteLoanWithdraw(state: PoolState, loan: Loan, amount: BN, now: BN): WithdrawCollateralQuote {
  const s = sides(state, loan.collateralCustody, loan.borrowCustody, now);
  return quoteWithdrawCollateral({
    loan: stateOf(settledLoan(loan, s.c.account)),
    amount,
    coll: s.coll,
    borrow: s.borrow,
    params: s.params,
  });
}

/** What `liquidate_loan(repayAmount)` will do; throws `LendingError` NotLiquidatable for a healthy loan. */
export function quoteLoanLiquidation(state: PoolState, loan: Loan, repayAmount: BN, now: BN): LiquidateLoanQuote {
  const s = sides(state, loan.collateralCustody, loan.borrowCustody, now);
  return quoteLiquidateLoan({
    loan: stateOf(settledLoan(loan, s.c.account)),
    repayAmount,
    coll: s.coll,
    borrow: s.borrow,
    params: s.params,
    insuranceBalance: s.b.account.insurance,
    recallExcess: overLent(s.b.account),
  });
}

/** Debt, values, loan-to-value and the collateral price at which the loan becomes liquidatable. */
export function loanInfo(state: PoolState, loan: Loan, now: BN): LoanHealth & { liquidationPrice: BN | null } {
  const s = sides(state, loan.collateralCustody, loan.borrowCustody, now);
  const input = { loan: stateOf(settledLoan(loan, s.c.account)), coll: s.coll, borrow: s.borrow, params: s.params };
  return { ...loanHealth(input), liquidationPrice: loanLiquidationPrice(input) };
}

const SECONDS_PER_YEAR = 31_536_000;

/** APY of a per-second-compounded APR (both 1e9 = 100 %), as a float for display only. */
export function aprToApy(aprRate: BN): number {
  const apr = Number(aprRate.toString()) / 1e9;
  return Math.expm1(Math.log1p(apr / SECONDS_PER_YEAR) * SECONDS_PER_YEAR);
}

/** Current borrow and supply rates of a custody (per year, 1e9 = 100 %), with utilization. */
export function custodyRates(c: Custody, now: BN) {
  const a = accrue({
    borrowIndex: c.borrowIndex,
    supplyIndex: c.supplyIndex,
    lastAccrual: c.lastAccrual,
    now,
    locked: c.locked,
    lent: c.lent,
    lendable: lendable(c),
    curve: {
      baseRate: c.baseRate,
      slope1: c.slope1,
      slope2: c.slope2,
      optimalUtilizationBps: new BN(c.optimalUtilizationBps),
      reserveFactorBps: new BN(c.reserveFactorBps),
    },
  });
  return {
    utilizationBps: a.utilizationBps,
    borrowRate: a.borrowRate,
    supplyRate: a.supplyRate,
    borrowApy: aprToApy(a.borrowRate),
    supplyApy: aprToApy(a.supplyRate),
  };
}

/**
 * The LPs' income split between two snapshots of the same pool (e.g. now and
 * a week ago, from `fetchPoolState`): trading fees, borrow fees and lending
 * interest credited to `owned`, valued at `prices` (9-decimal USD per token,
 * by custody), and annualised against the pool value.
 */
export function lpIncomeSplit(
  before: PoolState,
  after: PoolState,
  prices: Map<string, BN>,
  seconds: number,
  aumUsd: BN,
): {
  tradingFeesUsd: BN;
  borrowFeesUsd: BN;
  lendingInterestUsd: BN;
  apr: { tradingFees: number; borrowFees: number; lendingInterest: number };
} {
  let trading = new BN(0);
  let borrow = new BN(0);
  let lending = new BN(0);
  for (const c of after.custodies) {
    const b = before.custodies.find((x) => x.address.equals(c.address));
    const price = prices.get(c.address.toBase58());
    if (!b || !price) continue;
    const usd = (tokens: BN) => tokens.mul(price).div(new BN(10).pow(new BN(c.account.decimals + 3)));
    trading = trading.add(usd(c.account.cumulativeTradingFees.sub(b.account.cumulativeTradingFees)));
    borrow = borrow.add(usd(c.account.cumulativeBorrowFees.sub(b.account.cumulativeBorrowFees)));
    lending = lending.add(usd(c.account.cumulativeLendingInterest.sub(b.account.cumulativeLendingInterest)));
  }
  const annual = (x: BN) =>
    aumUsd.isZero() || seconds <= 0
      ? 0
      : (Number(x.toString()) / Number(aumUsd.toString())) * (SECONDS_PER_YEAR / seconds);
  return {
    tradingFeesUsd: trading,
    borrowFeesUsd: borrow,
    lendingInterestUsd: lending,
    apr: { tradingFees: annual(trading), borrowFees: annual(borrow), lendingInterest: annual(lending) },
  };
}

void borrowRate;
void supplyRate;
void utilizationBps;
