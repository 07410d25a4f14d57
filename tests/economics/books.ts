/**
 * The pool-wide books (SPEC §6 item 6) and an attacker group's worth, computed
 * independently of the program's own valuation code paths where it matters:
 *
 *   assets  = Σ custodies (vault tokens + what the loans owe with accrued interest) × price
 *   claims  = the pool's value at those prices (what LPs own)
 *           + Σ positions (collateral + PnL − owed − what settling now would charge or pay)
 *           + Σ custodies (loan collateral + protocol fees + insurance + order escrow
 *                          + interest credited to collateral + the protocol's and insurance's
 *                            share of accrued borrow fees) × price
 *
 * One oracle price per asset (the spot price; the suites publish EMA = spot and no
 * confidence, so the program's min and max prices are that price too). Amounts are
 * exact rationals in 27-decimal USD (token × price₉ × 10^(18 − decimals)); nothing is
 * rounded, so every difference is the program's rounding or a hole in its books.
 *
 * `assets − claims` must be ≥ −tolerance (rounding in the pool's favour) and at most the
 * bad debt the pool's valuation does not count: per group (market side × collateral
 * custody) `max(0, −(collateral + PnL − debt))` at the stored rows — the group-netting
 * limitation (one position's shortfall netted against another's profit until a keeper
 * liquidates it) is inside that bound, since the trader equities here are per position
 * and not floored.
 *
 * Helpers only read: account data comes from the SVM, math from the SDK's mirrors
 * (`accrueCustody`, `settlePosition`, `debtTokens`), the valuation formula is written
 * out again here from SPEC §5.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Custody, Loan, Order, PoolState, Position, accrueCustody, math, settlePosition } from "../../sdk/src";

const TEN = new BN(10);
/** USD with 6 decimals → 27 decimals. */
export const USD27 = TEN.pow(new BN(21));
export const ZERO = new BN(0);

/** A pool state with each custody accrued to `now` and one price (9 decimals) per custody. */
export interface Priced {
  state: PoolState;
  now: BN;
  /** Custodies accrued to `now`, pool order. */
  custodies: Custody[];
  /** Spot price per custody, 9 decimals. */
  price: BN[];
  /** 10^(18 − decimals) per custody. */
  scale: BN[];
}

export function priced(state: PoolState, now: BN, price9: BN[]): Priced {
  const shares = { protocolBps: state.pool.protocolFeeShareBps, insuranceBps: state.pool.insuranceFeeShareBps };
  const custodies = state.custodies.map((c) => accrueCustody(c.account, now, shares));
  return { state, now, custodies, price: price9, scale: custodies.map((c) => TEN.pow(new BN(18 - c.decimals))) };
}

export function indexOf(p: Priced, custody: PublicKey): number {
  const i = p.state.custodies.findIndex((c) => c.address.equals(custody));
  if (i < 0) throw new Error(`custody ${custody.toBase58()} not in the pool`);
  return i;
}

/** Tokens of custody `i` in 27-decimal USD. */
export function usd27(p: Priced, i: number, tokens: BN): BN {
  return tokens.mul(p.price[i]).mul(p.scale[i]);
}

/** `n` 27-decimal USD as a decimal string in dollars (for messages). */
export function dollars(v: BN, digits = 6): string {
  const neg = v.isNeg();
  const a = v.abs();
  const unit = TEN.pow(new BN(27));
  const whole = a.div(unit).toString();
  const frac = a.mod(unit).toString().padStart(27, "0").slice(0, digits);
  return `${neg ? "-" : ""}${whole}.${frac}`;
}

/** A signed number of dollars as a JS number (for reports only, never for checks). */
export function dollarsNumber(v: BN): number {
  return Number(dollars(v, 9));
}

/**
 * The pool's value (what LPs own) at one price per asset, exactly, by the formula of SPEC §5 and
 * `processor/valuation.rs`: owned tokens + the LPs' share of accrued borrow fees, + what positions
 * owe − what they are owed (USD aggregates), + per (market side, collateral custody) group
 * `min(collateral − debt, loss − profit)` (settled debts are already in `owned`).
 */
export function poolValue(p: Priced): BN {
  const lpShare = new BN(10_000 - p.state.pool.protocolFeeShareBps - p.state.pool.insuranceFeeShareBps);
  let v = new BN(0);
  p.custodies.forEach((a, i) => {
    v = v.add(usd27(p, i, a.owned));
    v = v.add(usd27(p, i, a.borrowFeesAccrued.mul(lpShare)).divn(10_000));
    v = v.add(a.pnlInterestOwedUsd.add(a.longFundingOwedUsd).add(a.shortFundingOwedUsd).mul(USD27));
    v = v.sub(a.pnlInterestDueUsd.add(a.longFundingDueUsd).add(a.shortFundingDueUsd).mul(USD27));
  });
  for (const g of groups(p)) v = v.add(BN.min(g.collateral.sub(g.debt), g.pnl.neg()));
  return v;
}

/** Every non-empty group row at the spot prices: collateral, debt (USD27) and the traders' PnL (signed). */
export function groups(p: Priced): { market: number; side: number; coll: number; collateral: BN; debt: BN; pnl: BN }[] {
  const out = [];
  for (let m = 0; m < p.custodies.length; m++) {
    const a = p.custodies[m];
    for (const [side, rows] of [
      [1, a.longGroups],
      [2, a.shortGroups],
    ] as [number, BN[][]][]) {
      for (let j = 0; j < p.custodies.length; j++) {
        const row = rows[j];
        if (!row || row.every((x) => x.isZero())) continue;
        const value = usd27(p, m, row[1]);
        const size = row[0].mul(USD27);
        const pnl = side === 1 ? value.sub(size) : size.sub(value);
        out.push({ market: m, side, coll: j, collateral: usd27(p, j, row[2]), debt: usd27(p, j, row[3]), pnl });
      }
    }
  }
  return out;
}

/** A position's PnL at the spot price (signed, USD27), no spread, no fee. */
export function spotPnl(p: Priced, pos: Position): BN {
  const m = indexOf(p, pos.custody);
  const value = usd27(p, m, pos.sizeTokens);
  const size = pos.sizeUsd.mul(USD27);
  return pos.side === 1 ? value.sub(size) : size.sub(value);
}

/**
 * A position's equity if it settled now and closed at the spot price, not floored, USD27:
 * collateral − owed + PnL − borrow fee ± funding ± PnL interest (the settlement the program
 * would run first, from the SDK's mirror of it). The interest credited to its collateral is left
 * out: the books count it once, as the custody's `collateralInterestDue`.
 */
export function positionEquity(
  p: Priced,
  pos: Position,
): { equity: BN; settledCollateral: BN; settledOwed: BN; collateralInterest: BN } {
  const m = indexOf(p, pos.custody);
  const c = indexOf(p, pos.collateralCustody);
  const at = (i: number) => ({
    spot: p.price[i],
    ema: p.price[i],
    conf: ZERO,
    min: p.price[i],
    max: p.price[i],
    publishTime: p.now,
  });
  const r = settlePosition(pos, p.custodies[m], p.custodies[c], m === c, p.state.pool, {
    now: p.now,
    marketPrice: at(m),
    collateralPrice: at(c),
  });
  const k = r.carry;
  let e = usd27(p, c, pos.collateralAmount.sub(pos.owedTokens).sub(k.borrowFee));
  e = e.add(spotPnl(p, pos));
  e = e.add(k.fundingReceivedUsd.sub(k.fundingPaidUsd).add(k.profitInterestUsd).sub(k.lossInterestUsd).mul(USD27));
  return {
    equity: e,
    settledCollateral: r.position.collateralAmount,
    settledOwed: r.position.owedTokens,
    collateralInterest: k.collateralInterest,
  };
}

/** What a loan owes now, tokens of the borrow custody (the SDK's `debtTokens` at the accrued index). */
export function loanDebt(p: Priced, loan: Loan): BN {
  const b = indexOf(p, loan.borrowCustody);
  return math.debtTokens(loan.scaledDebt, p.custodies[b].borrowIndex);
}

export interface BooksReport {
  /** Σ (vault + loans' debts) × price. */
  assets: BN;
  /** The pool's value (LPs' claim). */
  lpClaim: BN;
  /** Σ position equities (not floored). */
  traderEquity: BN;
  /** Σ custodies' other liabilities (loan collateral, protocol fees, insurance, order escrow, collateral interest, the non-LP share of accrued borrow fees). */
  otherClaims: BN;
  /** assets − (lpClaim + traderEquity + otherClaims). */
  diff: BN;
  /** Σ groups max(0, −(collateral + PnL − debt)): bad debt the valuation does not count. */
  badDebt: BN;
  /** Σ positions max(0, −equity) (the netting limitation's size). */
  positionShortfall: BN;
  /** What rounding may explain. */
  tolerance: BN;
  /** Σ positions' stored debt (owed tokens) × price. */
  storedDebt: BN;
}

/**
 * The books of the whole pool. `vaults`: each custody's vault balance (pool order); `positions`,
 * `loans`, `orders`: every open one of the pool.
 */
export function books(p: Priced, vaults: BN[], positions: Position[], loans: Loan[]): BooksReport {
  let assets = new BN(0);
  const debts = p.custodies.map(() => new BN(0));
  for (const l of loans) {
    const b = indexOf(p, l.borrowCustody);
    debts[b] = debts[b].add(loanDebt(p, l));
  }
  const nonLp = new BN(p.state.pool.protocolFeeShareBps + p.state.pool.insuranceFeeShareBps);
  let other = new BN(0);
  p.custodies.forEach((a, i) => {
    assets = assets.add(usd27(p, i, vaults[i].add(debts[i])));
    const tokens = a.loanCollateral
      .add(a.protocolFees)
      .add(a.insurance)
      .add(a.orderCollateral)
      .add(a.collateralInterestDue);
    other = other.add(usd27(p, i, tokens)).add(usd27(p, i, a.borrowFeesAccrued.mul(nonLp)).divn(10_000));
  });
  const lpClaim = poolValue(p);
  let traderEquity = new BN(0);
  let positionShortfall = new BN(0);
  let storedDebt = new BN(0);
  for (const pos of positions) {
    const e = positionEquity(p, pos).equity;
    traderEquity = traderEquity.add(e);
    if (e.isNeg()) positionShortfall = positionShortfall.sub(e);
    storedDebt = storedDebt.add(usd27(p, indexOf(p, pos.collateralCustody), pos.owedTokens));
  }
  let badDebt = new BN(0);
  for (const g of groups(p)) {
    const equity = g.collateral.add(g.pnl).sub(g.debt);
    if (equity.isNeg()) badDebt = badDebt.sub(equity);
  }
  // Rounding: a few base units of the most valuable token per position, loan and custody, and a
  // few micro-dollars per USD aggregate share.
  const unit = p.custodies.reduce((m, _, i) => BN.max(m, usd27(p, i, new BN(1))), new BN(0));
  const count = new BN(4 * positions.length + 2 * loans.length + 8 * p.custodies.length + 4);
  const tolerance = count.mul(unit.add(USD27));
  const diff = assets.sub(lpClaim).sub(traderEquity).sub(other);
  return { assets, lpClaim, traderEquity, otherClaims: other, diff, badDebt, positionShortfall, tolerance, storedDebt };
}

/**
 * The books check: null when it holds, else what is wrong. `surplus`: rounding the pool has kept
 * over earlier operations (it accumulates in the pool's favour; a long sequence passes a bound).
 */
export function booksViolation(r: BooksReport, surplus: BN = new BN(0)): string | null {
  if (r.diff.add(r.tolerance).isNeg()) {
    return `the books promise more than the pool holds: assets ${dollars(r.assets)} − claims = ${dollars(r.diff)} (tolerance ${dollars(r.tolerance)}; LP claim ${dollars(r.lpClaim)}, trader equity ${dollars(r.traderEquity)}, other ${dollars(r.otherClaims)}, positions' stored debt ${dollars(r.storedDebt)})`;
  }
  if (r.diff.gt(r.badDebt.add(r.tolerance).add(surplus))) {
    return `assets exceed claims by ${dollars(r.diff)}, more than the uncounted bad debt ${dollars(r.badDebt)} + tolerance ${dollars(r.tolerance)} + kept rounding ${dollars(surplus)} (LP claim ${dollars(r.lpClaim)}, trader equity ${dollars(r.traderEquity)})`;
  }
  return null;
}

// --- an attacker group's worth --------------------------------------------------------------------

export interface Holdings {
  /** Token balances per custody (pool order), all the group's wallets. */
  tokens: BN[];
  /** LP tokens in the wallets plus those waiting in the pool's escrow. */
  lp: BN;
  positions: Position[];
  loans: Loan[];
  orders: Order[];
}

/**
 * The group's worth at the spot prices, USD27: wallet tokens, LP at the pool's redemption value
 * (pool value × LP / supply, before redemption fees), positions' equity (settled now, not floored),
 * loans' collateral (with the interest credited to it) less their debt, limit-order escrow.
 */
export function worth(p: Priced, h: Holdings): BN {
  let w = new BN(0);
  h.tokens.forEach((t, i) => (w = w.add(usd27(p, i, t))));
  if (!h.lp.isZero()) w = w.add(poolValue(p).mul(h.lp).div(p.state.lpSupply));
  for (const pos of h.positions) w = w.add(positionEquity(p, pos).equity);
  for (const l of h.loans) {
    const c = indexOf(p, l.collateralCustody);
    const b = indexOf(p, l.borrowCustody);
    w = w.add(usd27(p, c, l.collateralAmount)).sub(usd27(p, b, loanDebt(p, l)));
  }
  for (const o of h.orders) w = w.add(usd27(p, indexOf(p, o.collateralCustody), o.collateralAmount));
  return w;
}

/**
 * The group's exposure to each asset's price, tokens (signed, pool order): wallet tokens,
 * position collateral and size (long +, short −), loan collateral − debt, order escrow, and the
 * group's share of the pool's own exposure (owned tokens; per group either its collateral less
 * its debt, when that caps the claim, or the traders' opposite size). A price move of Δ per asset then explains
 * `Σ exposure × Δ` of the group's worth (exactly, for moves that cross no cap).
 */
export function exposure(p: Priced, h: Holdings): BN[] {
  const e = p.custodies.map(() => new BN(0));
  h.tokens.forEach((t, i) => (e[i] = e[i].add(t)));
  for (const pos of h.positions) {
    const m = indexOf(p, pos.custody);
    const c = indexOf(p, pos.collateralCustody);
    e[c] = e[c].add(pos.collateralAmount).sub(pos.owedTokens);
    e[m] = pos.side === 1 ? e[m].add(pos.sizeTokens) : e[m].sub(pos.sizeTokens);
  }
  for (const l of h.loans) {
    const c = indexOf(p, l.collateralCustody);
    const b = indexOf(p, l.borrowCustody);
    e[c] = e[c].add(l.collateralAmount);
    e[b] = e[b].sub(loanDebt(p, l));
  }
  for (const o of h.orders) {
    const c = indexOf(p, o.collateralCustody);
    e[c] = e[c].add(o.collateralAmount);
  }
  if (!h.lp.isZero() && !p.state.lpSupply.isZero()) {
    const pool = poolExposure(p);
    pool.forEach((t, i) => (e[i] = e[i].add(t.mul(h.lp).div(p.state.lpSupply))));
  }
  return e;
}

/** The pool's own exposure per asset, tokens (signed): see [`exposure`]. */
export function poolExposure(p: Priced): BN[] {
  const lpShare = new BN(10_000 - p.state.pool.protocolFeeShareBps - p.state.pool.insuranceFeeShareBps);
  const e = p.custodies.map((a) => a.owned.add(a.borrowFeesAccrued.mul(lpShare).divn(10_000)));
  for (const g of groups(p)) {
    const row = (g.side === 1 ? p.custodies[g.market].longGroups : p.custodies[g.market].shortGroups)[g.coll];
    if (g.pnl.neg().gte(g.collateral.sub(g.debt))) {
      e[g.coll] = e[g.coll].add(row[2]).sub(row[3]);
    } else {
      e[g.market] = g.side === 1 ? e[g.market].sub(row[1]) : e[g.market].add(row[1]);
    }
  }
  return e;
}

/** Σ exposure × (after − before) over assets, USD27. */
export function explainedByMove(p: Priced, expo: BN[], before: BN[], after: BN[]): BN {
  let v = new BN(0);
  expo.forEach((t, i) => (v = v.add(t.mul(after[i].sub(before[i])).mul(p.scale[i]))));
  return v;
}
