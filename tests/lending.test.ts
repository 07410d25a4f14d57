/**
 * Auto-lending end to end over simulated time (SVM clock): the kinked curve
 * at several utilizations against its closed form, loan interest credited to
 * LPs (the LP price rises by exactly that), loans borrowed, repaid and
 * liquidated (with bad debt), interest-bearing collateral, interest on
 * unrealized PnL — each equal to the SDK quote, the accounting identity
 * (vault + lent = claims) after every step.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  Side,
  addLiquidityIx,
  borrowIx,
  custodyRates,
  depositLoanCollateralIx,
  fetchCustody,
  fetchLoan,
  fetchPosition,
  increasePositionIx,
  liquidateLoanIx,
  loanInfo,
  loanPda,
  lpPriceUsd,
  positionPda,
  quoteLoanBorrow,
  quoteLoanLiquidation,
  quoteLoanRepay,
  refreshCustodyIx,
  repayIx,
  withdrawLoanCollateralIx,
  addCollateralIx,
  overLent,
  poolRoom,
  quoteIncreasePosition,
  settleLoanInterest,
  PauseFlags,
  setPauseIx,
} from "../sdk/src";
import { AssetSpec, PoolFixture, User, balance, expectAccounting, fundedPool, now, units } from "./fixtures";
import { expectProgramError, send } from "./helpers";

const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const YEAR = 31_536_000;
const pct = (p: number) => new BN(Math.round(p * 1e7)); // 1e9 = 100 %

// The worked curve: optimal 80 %, slope1 4 %, slope2 75 %, base 0, reserve factor 10 %.
const CURVE = {
  baseRate: new BN(0),
  slope1: pct(4),
  slope2: pct(75),
  optimalUtilizationBps: 8_000,
  reserveFactorBps: 1_000,
};

function assets(usdc: Record<string, unknown> = {}): AssetSpec[] {
  return [
    {
      symbol: "SOL",
      decimals: 9,
      price: 150,
      params: {
        targetWeightBps: 5000,
        maxLtvBps: 7_500,
        liquidationLtvBps: 8_000,
        liquidationBonusBps: 500,
        closeFactorBps: 5_000,
        ...CURVE,
      },
    },
    {
      symbol: "USDC",
      decimals: 6,
      price: 1,
      params: {
        isStable: true,
        targetWeightBps: 5000,
        collateralEarnsInterest: false,
        maxUtilizationBps: 10_000,
        bufferBps: 0,
        ...CURVE,
        ...usdc,
      },
    },
  ];
}

interface LoanCtx {
  f: PoolFixture;
  borrower: User;
  loan: PublicKey;
  ref: { owner: PublicKey; collateralCustody: PublicKey; borrowCustody: PublicKey };
}

async function openLoan(f: PoolFixture, collateral: BN): Promise<LoanCtx> {
  const borrower = await f.user({ SOL: SOL(10_000), USDC: USDC(100_000) });
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
        amount: collateral,
      }),
    ],
    [borrower.kp],
  );
  await expectAccounting(f);
  return { f, borrower, loan: loanPda(ref.owner, f.pool, ref.collateralCustody, ref.borrowCustody)[0], ref };
}

async function borrow(l: LoanCtx, amount: BN) {
  const { f } = l;
  const state = await f.state();
  const loan = (await fetchLoan(f.ctx.program, l.loan))!;
  const q = quoteLoanBorrow(state, loan, amount, now(f));
  const before = balance(f, l.borrower.tokens.USDC);
  const res = await send(
    f.ctx,
    [await borrowIx(f.ctx.program, state, { ...l.ref, receivingAccount: l.borrower.tokens.USDC, amount })],
    [l.borrower.kp],
  );
  expect(balance(f, l.borrower.tokens.USDC).sub(before).toString()).to.equal(amount.toString());
  const after = (await fetchLoan(f.ctx.program, l.loan))!;
  expect(after.scaledDebt.sub(loan.scaledDebt).toString()).to.equal(q.scaledDelta.toString());
  expect(res.events[0].name).to.equal("borrowed");
  await expectAccounting(f);
  return q;
}

async function refresh(f: PoolFixture, symbol: string) {
  await send(f.ctx, [await refreshCustodyIx(f.ctx.program, f.pool, f.assets[symbol].custody)]);
}

async function reprice(f: PoolFixture, sol = 150) {
  await f.setPrice("SOL", sol);
  await f.setPrice("USDC", 1);
}

describe("lending: the rate curve", () => {
  for (const [label, bps, borrowPct, supplyPct] of [
    ["80 % (the kink)", 8_000, 4, 2.88],
    ["100 %", 10_000, 79, 71.1],
    ["40 %", 4_000, 2, 0.72],
  ] as const) {
    it(`accrues a year at ${label} utilization as the closed form says`, async () => {
      const { f } = await fundedPool(assets());
      const l = await openLoan(f, SOL(4_000)); // $600k of collateral
      const owned = (await fetchCustody(f.ctx.program, f.assets.USDC.custody)).owned;
      await borrow(l, owned.muln(bps).divn(10_000));
      let usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
      const rates = custodyRates(usdc, now(f));
      expect(rates.utilizationBps.toNumber()).to.equal(bps);
      expect(rates.borrowRate.toString(), "borrow rate").to.equal(pct(borrowPct).toString());
      expect(rates.supplyRate.toString(), "supply rate").to.equal(pct(supplyPct).toString());

      const lentBefore = usdc.lent;
      const ownedBefore = usdc.owned;
      const lpBefore = lpPriceUsd(await f.state(), "min", now(f));
      const index0 = usdc.borrowIndex;
      f.ctx.provider.warpSeconds(YEAR);
      await refresh(f, "USDC");
      usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
      // One accrual over a year: index × (1 + rate), rounded up.
      const expectedIndex = index0
        .mul(new BN(1e9).add(rates.borrowRate))
        .add(new BN(1e9 - 1))
        .div(new BN(1e9));
      expect(usdc.borrowIndex.toString(), "borrow index").to.equal(expectedIndex.toString());
      const interest = usdc.lent.sub(lentBefore);
      const reserve = interest.muln(1_000).divn(10_000);
      expect(usdc.owned.sub(ownedBefore).toString(), "suppliers' share").to.equal(interest.sub(reserve).toString());
      // The LP price rose by that interest (prices unchanged, refreshed for staleness).
      await reprice(f);
      const lpAfter = lpPriceUsd(await f.state(), "min", now(f));
      expect(lpAfter.gt(lpBefore)).to.equal(true);
      await expectAccounting(f);
    });
  }

  it("matches the worked numbers at 80 % and 100 % (rates only)", async () => {
    const { f } = await fundedPool(assets());
    const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const at = (lent: BN) =>
      custodyRates(
        {
          ...usdc,
          lent,
          locked: new BN(0),
          owned: new BN(1_000_000),
          collateral: new BN(0),
          loanCollateral: new BN(0),
        },
        now(f),
      );
    const r80 = at(new BN(800_000));
    expect([r80.borrowRate.toString(), r80.supplyRate.toString()]).to.deep.equal([
      pct(4).toString(),
      pct(2.88).toString(),
    ]);
    const r100 = at(new BN(1_000_000));
    expect([r100.borrowRate.toString(), r100.supplyRate.toString()]).to.deep.equal([
      pct(79).toString(),
      pct(71.1).toString(),
    ]);
  });
});

describe("lending: loans", () => {
  it("borrows within max LTV, repays with interest, withdraws collateral", async () => {
    const { f } = await fundedPool(assets());
    const l = await openLoan(f, SOL(100)); // $15,000
    await borrow(l, USDC(10_000));
    const stateAtBorrow = await f.state();
    const info = loanInfo(stateAtBorrow, (await fetchLoan(f.ctx.program, l.loan))!, now(f));
    expect(info.ltvBps.toNumber()).to.be.within(6_666, 6_668);
    expect(info.liquidationPrice!.gt(new BN(0))).to.equal(true);

    f.ctx.provider.warpSeconds(30 * 24 * 3600);
    await reprice(f);
    let state = await f.state();
    let loan = (await fetchLoan(f.ctx.program, l.loan))!;
    const all = new BN("18446744073709551615");
    const q = quoteLoanRepay(state, loan, all, now(f));
    expect(q.repaid.gt(USDC(10_000)), "a month of interest").to.equal(true);
    const before = balance(f, l.borrower.tokens.USDC);
    await send(
      f.ctx,
      [
        await repayIx(f.ctx.program, state, {
          ...l.ref,
          payer: l.borrower.kp.publicKey,
          fundingAccount: l.borrower.tokens.USDC,
          amount: all,
        }),
      ],
      [l.borrower.kp],
    );
    expect(before.sub(balance(f, l.borrower.tokens.USDC)).toString()).to.equal(q.repaid.toString());
    loan = (await fetchLoan(f.ctx.program, l.loan))!;
    expect(loan.scaledDebt.toString()).to.equal("0");
    await expectAccounting(f);

    state = await f.state();
    await send(
      f.ctx,
      [
        await withdrawLoanCollateralIx(f.ctx.program, state, {
          ...l.ref,
          receivingAccount: l.borrower.tokens.SOL,
          amount: loan.collateralAmount,
        }),
      ],
      [l.borrower.kp],
    );
    expect((await fetchLoan(f.ctx.program, l.loan))!.collateralAmount.toString()).to.equal("0");
    await expectAccounting(f);
  });

  it("refuses borrowing past max LTV or available liquidity, withdrawals past max LTV, and borrowing while paused", async () => {
    const { f } = await fundedPool(assets({ maxUtilizationBps: 9_000, bufferBps: 1_000 }));
    const l = await openLoan(f, SOL(100));
    const state = await f.state();
    const s = await f.state();
    const watch = [l.loan, f.assets.USDC.custody, f.assets.USDC.vault, f.assets.SOL.custody, f.assets.SOL.vault];
    const b = (amount: BN) =>
      borrowIx(f.ctx.program, state, { ...l.ref, receivingAccount: l.borrower.tokens.USDC, amount });
    await expectProgramError(f.ctx, [await b(USDC(11_300))], "LtvTooHigh", watch, [l.borrower.kp]);
    await expectProgramError(f.ctx, [await b(new BN(0))], "ZeroAmount", watch, [l.borrower.kp]);
    const whale = await openLoan(f, SOL(5_000));
    const w = await borrowIx(f.ctx.program, s, {
      ...whale.ref,
      receivingAccount: whale.borrower.tokens.USDC,
      amount: USDC(95_000),
    });
    await expectProgramError(f.ctx, [w], "InsufficientLiquidity", [...watch, whale.loan], [whale.borrower.kp]);
    await borrow(l, USDC(10_000));
    const wd = await withdrawLoanCollateralIx(f.ctx.program, await f.state(), {
      ...l.ref,
      receivingAccount: l.borrower.tokens.SOL,
      amount: SOL(20),
    });
    await expectProgramError(f.ctx, [wd], "LtvTooHigh", watch, [l.borrower.kp]);
    await send(f.ctx, [await setPauseIx(f.ctx.program, f.ctx.admin.publicKey, PauseFlags.LENDING)]);
    await expectProgramError(f.ctx, [await b(USDC(10))], "Paused", watch, [l.borrower.kp]);
  });

  it("stops lending above the custody's maximum utilization, where the rate has jumped past the kink", async () => {
    const { f } = await fundedPool(assets({ maxUtilizationBps: 8_500, bufferBps: 0 }));
    const l = await openLoan(f, SOL(4_000));
    const owned = (await fetchCustody(f.ctx.program, f.assets.USDC.custody)).owned;
    const ix = await borrowIx(f.ctx.program, await f.state(), {
      ...l.ref,
      receivingAccount: l.borrower.tokens.USDC,
      amount: owned.muln(8_600).divn(10_000),
    });
    await expectProgramError(
      f.ctx,
      [ix],
      "UtilizationTooHigh",
      [l.loan, f.assets.USDC.custody, f.assets.USDC.vault],
      [l.borrower.kp],
    );
    await borrow(l, owned.muln(8_400).divn(10_000));
    const rates = custodyRates(await fetchCustody(f.ctx.program, f.assets.USDC.custody), now(f));
    // 4 % at the kink, then 75 % over the last 20 %: 84 % utilization → 4 % + 75 % × 4/20 = 19 %.
    expect(rates.borrowRate.toString()).to.equal(pct(19).toString());
  });

  it("refuses another owner's loan, a custody paired with itself, and an asset not accepted as collateral", async () => {
    const { f } = await fundedPool(assets({ maxLtvBps: 0, liquidationLtvBps: 0 }));
    const l = await openLoan(f, SOL(100));
    const thief = await f.user({ USDC: USDC(10) });
    const state = await f.state();
    const watch = [l.loan, f.assets.USDC.custody, f.assets.USDC.vault];
    const stolen = await borrowIx(f.ctx.program, state, {
      ...l.ref,
      receivingAccount: thief.tokens.USDC,
      amount: USDC(10),
    });
    stolen.keys[0] = { pubkey: thief.kp.publicKey, isSigner: true, isWritable: false };
    await expectProgramError(f.ctx, [stolen], "LoanMismatch", watch, [thief.kp]);
    const self = await depositLoanCollateralIx(f.ctx.program, state, {
      owner: l.borrower.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.SOL.custody,
      fundingAccount: l.borrower.tokens.SOL,
      amount: SOL(1),
    });
    await expectProgramError(f.ctx, [self], "LendingNotEnabled", watch, [l.borrower.kp]);
    const usdcAsCollateral = await depositLoanCollateralIx(f.ctx.program, state, {
      owner: l.borrower.kp.publicKey,
      collateralCustody: f.assets.USDC.custody,
      borrowCustody: f.assets.SOL.custody,
      fundingAccount: l.borrower.tokens.USDC,
      amount: USDC(100),
    });
    await expectProgramError(f.ctx, [usdcAsCollateral], "LendingNotEnabled", watch, [l.borrower.kp]);
  });

  it("liquidates an unhealthy loan at the quoted price with the bonus, not a healthy one", async () => {
    const { f } = await fundedPool(assets());
    const l = await openLoan(f, SOL(100));
    await borrow(l, USDC(11_000)); // 73 % LTV at $150
    const liquidator = await f.user({ USDC: USDC(50_000) });
    const build = async (amount: BN) =>
      liquidateLoanIx(f.ctx.program, await f.state(), {
        ...l.ref,
        liquidator: liquidator.kp.publicKey,
        liquidatorFunding: liquidator.tokens.USDC,
        liquidatorReceiving: liquidator.tokens.SOL,
        repayAmount: amount,
      });
    const watch = [l.loan, f.assets.USDC.custody, f.assets.SOL.custody, f.assets.USDC.vault, f.assets.SOL.vault];
    await expectProgramError(f.ctx, [await build(USDC(1_000))], "NotLiquidatable", watch, [liquidator.kp]);
    const price = loanInfo(await f.state(), (await fetchLoan(f.ctx.program, l.loan))!, now(f)).liquidationPrice!;
    // At the liquidation price (9 decimals) the loan is liquidatable; one cent above it is not.
    await f.setPrice("SOL", Number(price.toString()) / 1e9 + 0.01);
    await expectProgramError(f.ctx, [await build(USDC(1_000))], "NotLiquidatable", watch, [liquidator.kp]);
    await f.setPrice("SOL", Number(price.toString()) / 1e9 - 0.01);
    const loan = (await fetchLoan(f.ctx.program, l.loan))!;
    const q = quoteLoanLiquidation(await f.state(), loan, USDC(100_000), now(f));
    const res = await send(f.ctx, [await build(USDC(100_000))], [liquidator.kp]);
    expect(balance(f, liquidator.tokens.SOL).toString()).to.equal(q.collateralSeized.toString());
    expect(USDC(50_000).sub(balance(f, liquidator.tokens.USDC)).toString()).to.equal(q.repaid.toString());
    // Half the debt at most (close factor 50 %), collateral worth 5 % more than repaid.
    expect(q.badDebt.toString()).to.equal("0");
    expect(res.events[0].name).to.equal("loanLiquidated");
    await expectAccounting(f);
  });

  it("writes off bad debt: the insurance fund first, then the suppliers", async () => {
    const { f } = await fundedPool(assets());
    const l = await openLoan(f, SOL(100));
    await borrow(l, USDC(11_000));
    await f.setPrice("SOL", 60); // collateral $6,000 against $11,000 of debt
    const liquidator = await f.user({ USDC: USDC(50_000) });
    const loan = (await fetchLoan(f.ctx.program, l.loan))!;
    const usdcBefore = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const q = quoteLoanLiquidation(await f.state(), loan, USDC(6_000), now(f));
    expect(q.badDebt.gt(new BN(0))).to.equal(true);
    await send(
      f.ctx,
      [
        await liquidateLoanIx(f.ctx.program, await f.state(), {
          ...l.ref,
          liquidator: liquidator.kp.publicKey,
          liquidatorFunding: liquidator.tokens.USDC,
          liquidatorReceiving: liquidator.tokens.SOL,
          repayAmount: USDC(6_000),
        }),
      ],
      [liquidator.kp],
    );
    const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(usdcBefore.insurance.sub(usdc.insurance).toString()).to.equal(q.insuranceUsed.toString());
    expect(q.insuranceUsed.add(q.socialized).toString()).to.equal(q.badDebt.toString());
    expect((await fetchLoan(f.ctx.program, l.loan))!.scaledDebt.toString()).to.equal("0");
    await expectAccounting(f);
  });
});

describe("lending: interest on unrealized PnL", () => {
  it("charges a period's interest on the PnL recorded at the last settlement, after a profit is held through the warm-up", async () => {
    const { f } = await fundedPool(assets());
    // Utilization on USDC, so that it has a supply rate: a loan.
    const l = await openLoan(f, SOL(2_000));
    await borrow(l, USDC(50_000));
    const trader = await f.user({ USDC: USDC(10_000) });
    let state = await f.state();
    await send(
      f.ctx,
      [
        await increasePositionIx(f.ctx.program, state, {
          owner: trader.kp.publicKey,
          side: Side.SHORT,
          custody: f.assets.SOL.custody,
          collateralCustody: f.assets.USDC.custody,
          fundingAccount: trader.tokens.USDC,
          sizeUsd: USDC(10_000),
          collateralAmount: USDC(2_000),
          acceptablePrice: new BN(0),
        }),
      ],
      [trader.kp],
    );
    const key = positionPda(trader.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody, Side.SHORT)[0];
    // A settlement (adding 1 µUSDC) is how the position records its PnL; each returns what the SDK predicts.
    const settle = async () => {
      state = await f.state();
      const p = (await fetchPosition(f.ctx.program, key))!;
      const q = quoteIncreasePosition(
        state,
        {
          position: p,
          side: Side.SHORT,
          custody: f.assets.SOL.custody,
          collateralCustody: f.assets.USDC.custody,
          sizeUsd: new BN(1),
          collateralAmount: new BN(0),
        },
        now(f),
      );
      const res = await send(
        f.ctx,
        [
          await addCollateralIx(f.ctx.program, state, {
            position: p,
            fundingAccount: trader.tokens.USDC,
            amount: new BN(1),
          }),
        ],
        [trader.kp],
      );
      const after = (await fetchPosition(f.ctx.program, key))!;
      expect(after.pnlBaseUsd.toString()).to.equal(q.settlement!.pnlBaseAfter.usd.toString());
      expect(after.interestSettled.sub(p.interestSettled).toString()).to.equal(
        q.settlement!.profitInterestTokens.sub(q.settlement!.lossInterestTokens).toString(),
      );
      await expectAccounting(f);
      return { before: p, after, res, k: q.settlement! };
    };

    f.ctx.provider.warpSeconds(600);
    await reprice(f, 140); // the short is $714 in profit
    const first = await settle();
    // The profit is seen, not yet held: it is not the base, and nothing was earned.
    expect(first.after.pnlSeenUsd.gtn(0)).to.equal(true);
    expect(first.after.pnlBaseUsd.toString()).to.equal("0");
    f.ctx.provider.warpSeconds(10 * 60);
    await reprice(f, 100); // a spike: $4,000 of profit for a moment
    const spike = await settle();
    expect(spike.after.pnlBaseUsd.toString(), "a spike inside the warm-up does not become the base").to.equal("0");
    f.ctx.provider.warpSeconds(3_600);
    await reprice(f, 140);
    const held = await settle();
    // An hour after the observation: the smaller of then and now, the profit actually held.
    expect(held.after.pnlBaseProfit).to.equal(1);
    expect(held.after.pnlBaseUsd.toString()).to.equal(
      BN.min(first.after.pnlSeenUsd, held.k.pnlSeenUsdAfter).toString(),
    );

    // Ninety days on the held base, settled at a spike: the interest is on the base, not the spike.
    f.ctx.provider.warpSeconds(90 * 24 * 3600);
    await reprice(f, 60);
    const usdcBefore = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const paid = await settle();
    const usdcAfter = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const growth = usdcAfter.supplyIndex.sub(held.after.supplyIndexSnapshot);
    expect(growth.gtn(0)).to.equal(true);
    expect(paid.k.profitInterestUsd.toString()).to.equal(
      held.after.pnlBaseUsd.mul(growth).div(new BN("1000000000000")).toString(),
    );
    expect(paid.res.settled[0].interest.toString()).to.equal(paid.k.profitInterestTokens.toString());
    void usdcBefore;
  });
});

describe("lending: interest-bearing collateral is lent", () => {
  it("earns only what the loans it funds pay: nothing while the pool's own tokens cover the loans", async () => {
    const { f } = await fundedPool(assets({ collateralEarnsInterest: true, bufferBps: 0, collateralBufferBps: 5_000 }));
    // A depositor parks 100,000 USDC as loan collateral (against a SOL loan it never takes).
    const parker = await f.user({ USDC: USDC(100_001) });
    const ref = {
      owner: parker.kp.publicKey,
      collateralCustody: f.assets.USDC.custody,
      borrowCustody: f.assets.SOL.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: parker.tokens.USDC,
          amount: USDC(100_000),
        }),
      ],
      [parker.kp],
    );
    const parked = loanPda(ref.owner, f.pool, ref.collateralCustody, ref.borrowCustody)[0];
    // Borrowers take 50,000 USDC: within the pool's own 100,000.
    const l = await openLoan(f, SOL(2_000));
    await borrow(l, USDC(50_000));
    f.ctx.provider.warpSeconds(30 * 24 * 3600);
    await reprice(f);
    await refresh(f, "USDC");
    let usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(usdc.collateralIndex.toString(), "no loan is funded by collateral").to.equal("0");
    expect(usdc.collateralInterestDue.toString()).to.equal("0");

    // 120,000 borrowed: 20,000 comes from the collateral (room: half of it), which now earns.
    await borrow(l, USDC(70_000));
    usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const lentBefore = usdc.lent;
    f.ctx.provider.warpSeconds(30 * 24 * 3600);
    await reprice(f);
    const stateBefore = await f.state();
    await refresh(f, "USDC");
    usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(usdc.collateralIndex.gtn(0)).to.equal(true);
    // The credit equals the suppliers' share of interest on the collateral-funded part of the loans.
    const interest = usdc.lent.sub(lentBefore);
    const suppliers = interest.sub(
      usdc.protocolFees
        .add(usdc.insurance)
        .sub(stateBefore.custodies[1].account.protocolFees)
        .sub(stateBefore.custodies[1].account.insurance),
    );
    const fromCollateral = lentBefore.sub(poolRoom(stateBefore.custodies[1].account));
    const expected = suppliers.mul(fromCollateral).div(lentBefore);
    expect(
      usdc.collateralInterestDue.sub(expected).abs().lten(2),
      `credited ${usdc.collateralInterestDue} vs ${expected}`,
    ).to.equal(true);
    // The parker's loan collateral receives it when settled, exactly as the SDK says.
    const loan = (await fetchLoan(f.ctx.program, parked))!;
    const predicted = settleLoanInterest(loan, usdc);
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: parker.tokens.USDC,
          amount: new BN(1),
        }),
      ],
      [parker.kp],
    );
    const after = (await fetchLoan(f.ctx.program, parked))!;
    expect(after.collateralAmount.toString()).to.equal(predicted.collateralAmount.addn(1).toString());
    expect(after.collateralInterest.gtn(0)).to.equal(true);
    await expectAccounting(f);
  });

  it("refuses a collateral withdrawal the vault cannot honour while it is lent out, and lets anyone recall loans while over-lent", async () => {
    const { f } = await fundedPool(assets({ collateralEarnsInterest: true, bufferBps: 0, collateralBufferBps: 5_000 }));
    const parker = await f.user({ USDC: USDC(100_000), SOL: SOL(1) });
    const ref = {
      owner: parker.kp.publicKey,
      collateralCustody: f.assets.USDC.custody,
      borrowCustody: f.assets.SOL.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: parker.tokens.USDC,
          amount: USDC(100_000),
        }),
      ],
      [parker.kp],
    );
    const l = await openLoan(f, SOL(3_000));
    await borrow(l, USDC(140_000)); // 100,000 from the pool, 40,000 from the collateral
    const withdraw = async (amount: BN) =>
      withdrawLoanCollateralIx(f.ctx.program, await f.state(), {
        ...ref,
        receivingAccount: parker.tokens.USDC,
        amount,
      });
    const usdc = f.assets.USDC;
    const watch = [
      usdc.custody,
      usdc.vault,
      parker.tokens.USDC,
      loanPda(ref.owner, f.pool, ref.collateralCustody, ref.borrowCustody)[0],
    ];
    // The vault holds 60,000: taking 70,000 is refused, nothing moves.
    await expectProgramError(f.ctx, [await withdraw(USDC(70_000))], "InsufficientLiquidity", watch, [parker.kp]);
    await send(f.ctx, [await withdraw(USDC(50_000))], [parker.kp]);
    // Now 140,000 is lent against the pool's ~100,000 (its deposits less the fee shares that left
    // `owned`) + 25,000 of collateral room: about 15,000 over. The healthy loan can be recalled.
    let c = await fetchCustody(f.ctx.program, usdc.custody);
    const over = USDC(140_000).sub(poolRoom(c)).sub(USDC(25_000));
    expect(overLent(c).toString()).to.equal(over.toString());
    const keeper = await f.user({ USDC: USDC(20_000) });
    const state = await f.state();
    const loan = (await fetchLoan(f.ctx.program, l.loan))!;
    expect(loanInfo(state, loan, now(f)).liquidatable).to.equal(false);
    const q = quoteLoanLiquidation(state, loan, USDC(20_000), now(f));
    expect(q.repaid.toString()).to.equal(over.toString());
    await send(
      f.ctx,
      [
        await liquidateLoanIx(f.ctx.program, state, {
          ...l.ref,
          liquidator: keeper.kp.publicKey,
          liquidatorFunding: keeper.tokens.USDC,
          liquidatorReceiving: keeper.tokens.SOL,
          repayAmount: USDC(20_000),
        }),
      ],
      [keeper.kp],
    );
    c = await fetchCustody(f.ctx.program, usdc.custody);
    expect(overLent(c).toString()).to.equal("0");
    expect(balance(f, keeper.tokens.SOL).toString()).to.equal(q.collateralSeized.toString());
    // Not over-lent any more: a healthy loan is not liquidatable again.
    const again = await liquidateLoanIx(f.ctx.program, await f.state(), {
      ...l.ref,
      liquidator: keeper.kp.publicKey,
      liquidatorFunding: keeper.tokens.USDC,
      liquidatorReceiving: keeper.tokens.SOL,
      repayAmount: USDC(1_000),
    });
    await expectProgramError(f.ctx, [again], "NotLiquidatable", watch, [keeper.kp]);
    await expectAccounting(f);
  });
});

describe("lending: random sequences keep the books", () => {
  it("holds vault + lent = claims after every step of seeded random deposits, borrows, repays, trades and time jumps", async () => {
    for (const seed of [1, 2, 3]) {
      let x = seed * 2654435761;
      const rand = (n: number) => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x % n;
      };
      const { f } = await fundedPool(assets({ collateralEarnsInterest: true }));
      const l = await openLoan(f, SOL(500));
      const trader = await f.user({ USDC: USDC(50_000), SOL: SOL(100) });
      const lper = await f.user({ USDC: USDC(50_000), SOL: SOL(100) });
      for (let step = 0; step < 30; step++) {
        const action = rand(6);
        const state = await f.state();
        try {
          if (action === 0)
            await send(
              f.ctx,
              [
                await borrowIx(f.ctx.program, state, {
                  ...l.ref,
                  receivingAccount: l.borrower.tokens.USDC,
                  amount: USDC(100 + rand(3_000)),
                }),
              ],
              [l.borrower.kp],
            );
          else if (action === 1)
            await send(
              f.ctx,
              [
                await repayIx(f.ctx.program, state, {
                  ...l.ref,
                  payer: l.borrower.kp.publicKey,
                  fundingAccount: l.borrower.tokens.USDC,
                  amount: USDC(50 + rand(2_000)),
                }),
              ],
              [l.borrower.kp],
            );
          else if (action === 2)
            await send(
              f.ctx,
              [
                await increasePositionIx(f.ctx.program, state, {
                  owner: trader.kp.publicKey,
                  side: Side.SHORT,
                  custody: f.assets.SOL.custody,
                  collateralCustody: f.assets.USDC.custody,
                  fundingAccount: trader.tokens.USDC,
                  sizeUsd: USDC(500 + rand(3_000)),
                  collateralAmount: USDC(300),
                  acceptablePrice: new BN(0),
                }),
              ],
              [trader.kp],
            );
          else if (action === 3) {
            f.ctx.provider.warpSeconds(3600 * (1 + rand(72)));
            await reprice(f, 140 + rand(20));
          } else if (action === 4) await refresh(f, rand(2) ? "USDC" : "SOL");
          else {
            const sym = rand(2) ? "USDC" : "SOL";
            const amount = sym === "USDC" ? USDC(100 + rand(5_000)) : SOL(1 + rand(30));
            await send(
              f.ctx,
              [
                await addLiquidityIx(f.ctx.program, state, {
                  owner: lper.kp.publicKey,
                  custody: f.assets[sym].custody,
                  fundingAccount: lper.tokens[sym],
                  lpTokenAccount: lper.lp,
                  amountIn: amount,
                  minLpOut: new BN(0),
                }),
              ],
              [lper.kp],
            );
          }
        } catch (e) {
          // A refused action (limits) is fine; it must leave the books intact too.
          if (!String(e).includes("custom program error")) throw e;
        }
        await expectAccounting(f);
      }
    }
  });
});

void quoteLoanRepay;
