/**
 * Issue 9, part 3: rounding attacks. Loops of dust deposits and redemptions,
 * tiny positions opened and closed, interest accrued in one-second steps
 * against one long step, and a refresh slipped between a deposit and a
 * redemption — none may leave the attacker with more than they started with
 * (in USD at the oracle price), and none may leave the pool booking value that
 * is not there. The accounting identity is checked after every loop.
 */
import BN from "bn.js";
import { expect } from "chai";

import {
  Side,
  addLiquidityIx,
  borrowIx,
  decreasePositionIx,
  depositLoanCollateralIx,
  fetchCustody,
  fetchLoan,
  fetchPosition,
  getTokenBalance,
  increasePositionIx,
  loanPda,
  math,
  positionPda,
  refreshCustodyIx,
  removeLiquidityIx,
  repayIx,
} from "../../sdk/src";
import { AssetSpec, PoolFixture, User, expectAccounting, fundedPool, units } from "../fixtures";
import { send } from "../helpers";

const USDC = (n: number | string) => units(n, 6);
const SOL = (n: number | string) => units(n, 9);
const U64_MAX = new BN("18446744073709551615");
const ZERO = new BN(0);

/** A user's SOL and USDC at the oracle prices, in micro-USD (SOL at `solPrice` USD). */
function usdValue(f: PoolFixture, u: User, solPrice: number): BN {
  const sol = getTokenBalance(f.ctx.provider, u.tokens.SOL);
  const usdc = getTokenBalance(f.ctx.provider, u.tokens.USDC);
  return usdc.add(sol.mul(new BN(Math.round(solPrice * 1e6))).div(new BN(1e9)));
}

/** Keeps the test oracles fresh while the clock runs. */
async function republish(f: PoolFixture) {
  await f.setPrice("SOL", 150);
  await f.setPrice("USDC", 1);
}

async function deposit(f: PoolFixture, u: User, symbol: string, amount: BN) {
  const ix = await addLiquidityIx(f.ctx.program, await f.state(), {
    owner: u.kp.publicKey,
    custody: f.assets[symbol].custody,
    fundingAccount: u.tokens[symbol],
    lpTokenAccount: u.lp,
    amountIn: amount,
    minLpOut: ZERO,
  });
  return send(f.ctx, [ix], [u.kp]);
}

async function redeem(f: PoolFixture, u: User, symbol: string, lpIn: BN) {
  const ix = await removeLiquidityIx(f.ctx.program, await f.state(), {
    owner: u.kp.publicKey,
    custody: f.assets[symbol].custody,
    receivingAccount: u.tokens[symbol],
    lpTokenAccount: u.lp,
    lpIn,
    minAmountOut: ZERO,
  });
  return send(f.ctx, [ix], [u.kp]);
}

/** Sends, and reports whether it went through (a refusal is fine: it must just not pay). */
async function attempt(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch {
    return false;
  }
}

describe("security: rounding attacks", function () {
  this.timeout(120_000);

  it("dust deposits and redemptions, in every size from 1 base unit up, never return more than paid", async () => {
    // Down to a single LP unit (the default pool refuses mints under 0.001 LP: see the liquidity tests).
    const { f } = await fundedPool(undefined, { poolParams: { minLpMint: new BN(1) } });
    const attacker = await f.user({ USDC: USDC(1_000), SOL: SOL(10) });
    const start = usdValue(f, attacker, 150);
    let cycles = 0;
    let paid = 0;
    for (const [symbol, amounts] of [
      ["USDC", [1, 2, 3, 7, 10, 99, 101, 999, 1_001, 12_345, 99_999]],
      ["SOL", [1, 9, 10, 666, 667, 6_667, 10_001, 99_999, 1_000_001]],
    ] as const) {
      for (const amount of amounts) {
        const lp0 = getTokenBalance(f.ctx.provider, attacker.lp);
        const tokens0 = getTokenBalance(f.ctx.provider, attacker.tokens[symbol]);
        if (!(await attempt(() => deposit(f, attacker, symbol, new BN(amount))))) continue;
        f.ctx.provider.warpSlots(1);
        const minted = getTokenBalance(f.ctx.provider, attacker.lp).sub(lp0);
        // Out in dust-sized pieces, then the rest.
        for (const piece of [1, 2, 3])
          if (minted.gtn(piece)) await attempt(() => redeem(f, attacker, symbol, new BN(piece)));
        const rest = getTokenBalance(f.ctx.provider, attacker.lp).sub(lp0);
        if (rest.gtn(0)) await attempt(() => redeem(f, attacker, symbol, rest));
        cycles++;
        if (getTokenBalance(f.ctx.provider, attacker.lp).eq(lp0)) {
          expect(
            getTokenBalance(f.ctx.provider, attacker.tokens[symbol]).lte(tokens0),
            `${amount} ${symbol} in, more out`,
          ).to.equal(true);
          paid++;
        }
      }
    }
    expect(cycles).to.be.greaterThan(10);
    expect(paid).to.be.greaterThan(5);
    // What is left in LP tokens counts at the pool's redemption value; the attacker's tokens alone are below the start.
    expect(usdValue(f, attacker, 150).lte(start), "dust round trips created value").to.equal(true);
    await expectAccounting(f);
  });

  it("tiny positions opened and closed, in the opening second and the next, never pay out more than their collateral", async () => {
    const assets: AssetSpec[] = [
      {
        symbol: "SOL",
        decimals: 9,
        price: 150,
        params: { targetWeightBps: 5000, minCollateralUsd: new BN(1), openFeeBps: 0, closeFeeBps: 0 },
      },
      {
        symbol: "USDC",
        decimals: 6,
        price: 1,
        params: { isStable: true, targetWeightBps: 5000, minCollateralUsd: new BN(1) },
      },
    ];
    const { f } = await fundedPool(assets);
    const trader = await f.user({ USDC: USDC(1_000), SOL: SOL(10) });
    const start = usdValue(f, trader, 150);
    let closed = 0;
    for (const [side, collateral] of [
      [Side.LONG, "SOL"],
      [Side.LONG, "USDC"],
      [Side.SHORT, "USDC"],
    ] as const) {
      const key = positionPda(trader.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets[collateral].custody, side)[0];
      // Size and collateral in micro-USD: from one unit (refused: rounding eats the margin) up to a dollar.
      for (const [sizeUsd, coll] of [
        [1, 1],
        [3, 3],
        [7, 1],
        [50, 40],
        [999, 500],
        [1_001, 300],
        [10_001, 2_001],
        [99_999, 20_000],
        [1_000_001, 200_001],
      ]) {
        const collateralAmount = collateral === "SOL" ? new BN(coll).muln(7) : new BN(coll);
        const before = getTokenBalance(f.ctx.provider, trader.tokens[collateral]);
        const open = await attempt(async () =>
          send(
            f.ctx,
            [
              await increasePositionIx(f.ctx.program, await f.state(), {
                owner: trader.kp.publicKey,
                side,
                custody: f.assets.SOL.custody,
                collateralCustody: f.assets[collateral].custody,
                fundingAccount: trader.tokens[collateral],
                sizeUsd: new BN(sizeUsd),
                collateralAmount,
                acceptablePrice: side === Side.LONG ? U64_MAX : ZERO,
              }),
            ],
            [trader.kp],
          ),
        );
        if (!open) continue;
        if (closed % 2 === 1) f.ctx.provider.warpSeconds(1);
        await republish(f);
        const p = (await fetchPosition(f.ctx.program, key))!;
        const ix = await decreasePositionIx(f.ctx.program, await f.state(), {
          position: p,
          receivingAccount: trader.tokens[collateral],
          sizeUsd: p.sizeUsd,
          collateralOut: ZERO,
          acceptablePrice: side === Side.LONG ? ZERO : U64_MAX,
        });
        await send(f.ctx, [ix], [trader.kp]);
        closed++;
        expect(
          getTokenBalance(f.ctx.provider, trader.tokens[collateral]).lte(before),
          `$${sizeUsd} ${collateral} round trip paid out more`,
        ).to.equal(true);
      }
    }
    expect(closed).to.be.greaterThan(12);
    expect(usdValue(f, trader, 150).lte(start)).to.equal(true);
    await expectAccounting(f);
  });

  /** A pool with a borrower, for the interest comparisons: the USDC custody lends at a 5 % base rate. */
  async function lendingPool() {
    const assets: AssetSpec[] = [
      { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, oracleMaxAgeSecs: 3_600 } },
      {
        symbol: "USDC",
        decimals: 6,
        price: 1,
        params: { isStable: true, targetWeightBps: 5000, baseRate: new BN(50_000_000), oracleMaxAgeSecs: 3_600 },
      },
    ];
    const { f } = await fundedPool(assets);
    const borrower = await f.user({ SOL: SOL(100), USDC: USDC(10) });
    const ref = {
      owner: borrower.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.USDC.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: borrower.tokens.SOL,
          amount: SOL(10),
        }),
      ],
      [borrower.kp],
    );
    await send(
      f.ctx,
      [
        await borrowIx(f.ctx.program, await f.state(), {
          ...ref,
          receivingAccount: borrower.tokens.USDC,
          amount: USDC(3),
        }),
      ],
      [borrower.kp],
    );
    const loan = loanPda(borrower.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody)[0];
    return { f, borrower, ref, loan };
  }

  it("interest accrued in one-second steps books no more than the loans owe, and a full repayment leaves nothing lent", async () => {
    const STEPS = 900;
    const fine = await lendingPool();
    const coarse = await lendingPool();
    for (let i = 0; i < STEPS; i++) {
      fine.f.ctx.provider.warpSeconds(1);
      await send(fine.f.ctx, [await refreshCustodyIx(fine.f.ctx.program, fine.f.pool, fine.f.assets.USDC.custody)]);
    }
    coarse.f.ctx.provider.warpSeconds(STEPS);
    await send(coarse.f.ctx, [
      await refreshCustodyIx(coarse.f.ctx.program, coarse.f.pool, coarse.f.assets.USDC.custody),
    ]);

    const owed = async (w: typeof fine) => {
      const c = await fetchCustody(w.f.ctx.program, w.f.assets.USDC.custody);
      const l = (await fetchLoan(w.f.ctx.program, w.loan))!;
      return { lent: c.lent, debt: math.debtTokens(l.scaledDebt, c.borrowIndex), owned: c.owned };
    };
    const a = await owed(fine);
    const b = await owed(coarse);
    // The borrower gains nothing from frequent accrual (the borrow index rounds up each step)...
    expect(a.debt.gte(b.debt), `one-second steps owe ${a.debt} < one step ${b.debt}`).to.equal(true);
    // ...and the pool never books more than is owed (it used to gain one unit per step here).
    expect(a.lent.lte(a.debt), `booked ${a.lent} lent against ${a.debt} owed`).to.equal(true);
    expect(b.lent.lte(b.debt)).to.equal(true);

    // Repaying everything clears the books; whatever was owed beyond `lent` goes to the pool.
    for (const w of [fine, coarse]) {
      await republish(w.f);
      await send(
        w.f.ctx,
        [
          await repayIx(w.f.ctx.program, await w.f.state(), {
            ...w.ref,
            payer: w.borrower.kp.publicKey,
            fundingAccount: w.borrower.tokens.USDC,
            amount: U64_MAX,
          }),
        ],
        [w.borrower.kp],
      );
      const c = await fetchCustody(w.f.ctx.program, w.f.assets.USDC.custody);
      expect(c.lent.toString(), "nothing stays lent once every loan is repaid").to.equal("0");
      await expectAccounting(w.f);
    }
  });

  it("a refresh slipped between a deposit and a redemption does not pay the depositor another custody's unbooked interest", async () => {
    // No LP fees, so that any shift of value between LPs shows.
    const noFees = { baseFeeBps: 0, taxFeeBps: 0 };
    const assets: AssetSpec[] = [
      { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, ...noFees } },
      {
        symbol: "USDC",
        decimals: 6,
        price: 1,
        params: { isStable: true, targetWeightBps: 5000, baseRate: new BN(500_000_000), ...noFees },
      },
    ];
    const { f } = await fundedPool(assets);
    // Lend out most of what the USDC custody can, then leave it alone for a month.
    const borrower = await f.user({ SOL: SOL(1_000) });
    const ref = {
      owner: borrower.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.USDC.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: borrower.tokens.SOL,
          amount: SOL(1_000),
        }),
      ],
      [borrower.kp],
    );
    await send(
      f.ctx,
      [
        await borrowIx(f.ctx.program, await f.state(), {
          ...ref,
          receivingAccount: borrower.tokens.USDC,
          amount: USDC(60_000),
        }),
      ],
      [borrower.kp],
    );
    f.ctx.provider.warpSeconds(30 * 86_400);
    await republish(f);

    // The attacker deposits SOL (the USDC custody is not accrued by it), refreshes USDC, and redeems.
    const attacker = await f.user({ SOL: SOL(600) });
    const start = usdValue(f, attacker, 150);
    const lp0 = getTokenBalance(f.ctx.provider, attacker.lp);
    await deposit(f, attacker, "SOL", SOL(600));
    await send(f.ctx, [await refreshCustodyIx(f.ctx.program, f.pool, f.assets.USDC.custody)]);
    f.ctx.provider.warpSlots(1);
    await redeem(f, attacker, "SOL", getTokenBalance(f.ctx.provider, attacker.lp).sub(lp0));
    const end = usdValue(f, attacker, 150);
    expect(end.lte(start), `the attacker turned $${start.toString()} into $${end.toString()} (micro-USD)`).to.equal(
      true,
    );
    await expectAccounting(f);
  });
});
