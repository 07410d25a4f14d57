/**
 * The SDK's history, lifetime APY, position interest and loan previews
 * against real transactions of the program on LiteSVM.
 */
import { Keypair } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  OrderKind,
  Side,
  addCollateralIx,
  borrowIx,
  decodeHistory,
  depositLoanCollateralIx,
  executeOrderIx,
  fetchLoan,
  fetchOrder,
  fetchPosition,
  healthBand,
  healthFactor,
  increasePositionIx,
  keeperItems,
  loanPda,
  maxBorrow,
  maxWithdraw,
  oracleAges,
  oracleTick,
  valuePool,
  withLastPrices,
  orderPda,
  placeOrderIx,
  poolLifetimeApy,
  positionInterest,
  positionPda,
  previewLoanAction,
  quoteLoanBorrow,
  quoteLoanWithdraw,
  repayIx,
  type HistoryTx,
} from "../src";
import { fundedPool, now, units } from "../../tests/fixtures";
import { send } from "../../tests/helpers";

const USD = (n: number) => units(n, 6);
const MAX = new BN("18446744073709551615");

describe("history, APY, interest and loan previews (SDK over LiteSVM)", function () {
  this.timeout(60_000);

  it("decodes a trader's and a borrower's history from their transactions, marking what a keeper did", async () => {
    const { f } = await fundedPool();
    const trader = await f.user({ USDC: units(10_000, 6), SOL: units(100, 9) });
    const keeper = await f.user();
    const txs: HistoryTx[] = [];
    let slot = 0;
    const record = async (ixs: Parameters<typeof send>[1], signers: Keypair[]) => {
      const r = await send(f.ctx, ixs, signers);
      txs.push({ signature: r.sig, slot: slot++, time: Number(now(f).toString()), logs: r.logs });
      f.ctx.provider.warpSeconds(2);
      return r;
    };
    const me = trader.kp.publicKey;
    const sol = f.assets.SOL;
    const usdc = f.assets.USDC;

    // Open a 5x long with a take-profit in the same transaction.
    const state = await f.state();

    const pos = positionPda(me, f.pool, sol.custody, usdc.custody, Side.LONG)[0];
    await record(
      [
        await increasePositionIx(f.ctx.program, state, {
          owner: me,
          side: Side.LONG,
          custody: sol.custody,
          collateralCustody: usdc.custody,
          fundingAccount: trader.tokens.USDC,
          sizeUsd: USD(1_000),
          collateralAmount: units(200, 6),
          acceptablePrice: MAX,
        }),
        await placeOrderIx(f.ctx.program, state, {
          owner: me,
          side: Side.LONG,
          custody: sol.custody,
          collateralCustody: usdc.custody,
          fundingAccount: trader.tokens.USDC,
          slot: 0,
          kind: OrderKind.TAKE_PROFIT,
          triggerPrice: units(160, 9),
          acceptablePrice: new BN(0),
          sizeUsd: USD(400),
          collateralAmount: new BN(0),
          executionReward: new BN(10_000),
        }),
      ],
      [trader.kp],
    );
    expect((await fetchPosition(f.ctx.program, pos))!.sizeUsd.toString()).to.equal(USD(1_000).toString());

    // Interest: what the SDK predicts as pending is what the next update settles.
    f.ctx.provider.warpSeconds(3_600);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    const before = (await fetchPosition(f.ctx.program, pos))!;
    const predicted = positionInterest(await f.state(), before, now(f));
    await record(
      [
        await addCollateralIx(f.ctx.program, await f.state(), {
          position: before,
          fundingAccount: trader.tokens.USDC,
          amount: units(10, 6),
        }),
      ],
      [trader.kp],
    );
    const after = (await fetchPosition(f.ctx.program, pos))!;
    expect(after.interestSettled.sub(before.interestSettled).toString(), "settled interest").to.equal(
      predicted.pendingOnCollateral.add(predicted.pendingOnPnl).toString(),
    );
    expect(predicted.settled.toString()).to.equal(before.interestSettled.toString());

    // The price rises past the take-profit: a keeper executes it.
    await f.setPrice("SOL", 161);
    const order = orderPda(pos, 0)[0];
    await record(
      [
        await executeOrderIx(f.ctx.program, await f.state(), {
          keeper: keeper.kp.publicKey,
          order,
          account: (await fetchOrder(f.ctx.program, order))!,
          ownerAccount: trader.tokens.USDC,
        }),
      ],
      [keeper.kp],
    );

    // A loan: collateral, borrow, part repay.
    const loan = loanPda(me, f.pool, sol.custody, usdc.custody)[0];
    const ref = { owner: me, collateralCustody: sol.custody, borrowCustody: usdc.custody };
    await record(
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: trader.tokens.SOL,
          amount: units(10, 9),
        }),
      ],
      [trader.kp],
    );
    await record(
      [
        await borrowIx(f.ctx.program, await f.state(), {
          ...ref,
          receivingAccount: trader.tokens.USDC,
          amount: units(300, 6),
        }),
      ],
      [trader.kp],
    );
    await record(
      [
        await repayIx(f.ctx.program, await f.state(), {
          ...ref,
          payer: me,
          fundingAccount: trader.tokens.USDC,
          amount: units(100, 6),
        }),
      ],
      [trader.kp],
    );

    // Someone else's trade is not in the trader's history.
    const other = await f.user({ USDC: units(1_000, 6) });
    const s2 = await f.state();
    await record(
      [
        await increasePositionIx(f.ctx.program, s2, {
          owner: other.kp.publicKey,
          side: Side.SHORT,
          custody: sol.custody,
          collateralCustody: usdc.custody,
          fundingAccount: other.tokens.USDC,
          sizeUsd: USD(500),
          collateralAmount: units(100, 6),
          acceptablePrice: new BN(0),
        }),
      ],
      [other.kp],
    );

    const items = decodeHistory(f.ctx.program, txs, { owner: me, loans: [loan] });
    expect(items.map((i) => i.kind)).to.deep.equal([
      "repay",
      "borrow",
      "loan_collateral_deposit",
      "order_executed",
      "position_decrease",
      "collateral_add",
      "order_placed",
      "position_open",
    ]);
    const open = items.find((i) => i.kind === "position_open")!;
    expect(open.sizeDeltaUsd!.toString()).to.equal(USD(1_000).toString());
    expect(open.settled, "nothing to settle on an open").to.equal(undefined);
    // The hour of interest and borrow fee the collateral deposit settled first, as its event says.
    const added = items.find((i) => i.kind === "collateral_add")!;
    expect(added.settled!.interest.toString()).to.equal(after.interestSettled.sub(before.interestSettled).toString());
    expect(added.settled!.borrowFee.toString()).to.equal(after.borrowFeesPaid.sub(before.borrowFeesPaid).toString());
    expect(added.settled!.borrowFee.gtn(0)).to.equal(true);
    expect(open.side).to.equal(Side.LONG);
    expect(open.byKeeper).to.equal(false);
    const placed = items.find((i) => i.kind === "order_placed")!;
    expect(placed.orderKind).to.equal(OrderKind.TAKE_PROFIT);
    expect(placed.price!.toString()).to.equal(units(160, 9).toString());
    const decreased = items.find((i) => i.kind === "position_decrease")!;
    expect(decreased.byKeeper).to.equal(true);
    expect(decreased.keeper!.equals(keeper.kp.publicKey)).to.equal(true);
    expect(decreased.orderKind).to.equal(OrderKind.TAKE_PROFIT);
    expect(decreased.sizeDeltaUsd!.toString()).to.equal(USD(400).toString());
    // Realized PnL is the event's, which the position's account also counts.
    const afterTp = (await fetchPosition(f.ctx.program, pos))!;
    expect(decreased.pnlUsd!.toString()).to.equal(afterTp.realizedPnlUsd.toString());
    expect(decreased.pnlUsd!.gtn(0)).to.equal(true);
    expect(items.find((i) => i.kind === "borrow")!.amountOut!.toString()).to.equal(units(300, 6).toString());
    expect(keeperItems(items).map((i) => i.kind)).to.deep.equal(["order_executed"]);

    // The other trader sees only their own open.
    expect(decodeHistory(f.ctx.program, txs, { owner: other.kp.publicKey }).map((i) => i.kind)).to.deep.equal([
      "position_open",
    ]);

    // All in one slot (a keeper quick enough executes an order in the slot it was placed in), listed
    // newest first with their ranks as `getSignaturesForAddress` gives them: the placement is still
    // read before the execution, so the execution knows the order's kind.
    const oneSlot = txs.map((t, i) => ({ ...t, slot: 7, time: 1_000, rank: txs.length - 1 - i })).reverse();
    const again = decodeHistory(f.ctx.program, oneSlot, { owner: me, loans: [loan] });
    expect(again.map((i) => i.kind).sort()).to.deep.equal(items.map((i) => i.kind).sort());
    expect(again.find((i) => i.kind === "order_executed")!.orderKind).to.equal(OrderKind.TAKE_PROFIT);
  });

  it("annualises the LPs' income over the pool's life, split by source, from its first minutes", async () => {
    const { f } = await fundedPool();
    const trader = await f.user({ USDC: units(10_000, 6) });
    const s0 = await f.state();
    const apy0 = poolLifetimeApy(s0, now(f));
    expect(apy0.seconds).to.equal(Number(now(f).sub(s0.pool.inceptionTime).toString()));
    // Deposits already paid fees to LPs.
    expect(apy0.tradingFeesUsd.gtn(0)).to.equal(true);
    await send(
      f.ctx,
      [
        await increasePositionIx(f.ctx.program, s0, {
          owner: trader.kp.publicKey,
          side: Side.LONG,
          custody: f.assets.SOL.custody,
          collateralCustody: f.assets.USDC.custody,
          fundingAccount: trader.tokens.USDC,
          sizeUsd: USD(5_000),
          collateralAmount: units(1_000, 6),
          acceptablePrice: MAX,
        }),
      ],
      [trader.kp],
    );
    f.ctx.provider.warpSeconds(600);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    const s1 = await f.state();
    const apy1 = poolLifetimeApy(s1, now(f));
    expect(apy1.tradingFeesUsd.gt(apy0.tradingFeesUsd), "open fee credited").to.equal(true);
    expect(apy1.totalUsd.toString()).to.equal(
      apy1.tradingFeesUsd.add(apy1.borrowFeesUsd).add(apy1.lendingInterestUsd).toString(),
    );
    expect(apy1.apr.total).to.be.closeTo(apy1.apr.tradingFees + apy1.apr.borrowFees + apy1.apr.lendingInterest, 1e-12);
    expect(apy1.apy).to.be.at.least(apy1.apr.total);
    expect(Number.isFinite(apy1.apy)).to.equal(true);
  });

  it("reads oracle ages and ticks, and values the pool at its last prices once an oracle is stale", async () => {
    const { f } = await fundedPool();
    await f.setPrice("SOL", 151.5);
    const fresh = await f.state();
    const t0 = now(f);
    const ages = oracleAges(fresh, t0);
    expect(ages.map((a) => [a.stale, a.ageSec, a.publishTime])).to.deep.equal(
      fresh.custodies.map(() => [false, 0, Number(t0.toString())]),
    );
    const tick = oracleTick(fresh, f.assets.SOL.custody)!;
    expect(tick.time).to.equal(Number(t0.toString()));
    expect(tick.price.toString()).to.equal(units(151.5, 9).toString());
    // 61 s later (max age 60 s) every price is stale: the program's valuation refuses, the last prices still value the pool.
    const later = t0.addn(61);
    expect(oracleAges(fresh, later).every((a) => a.stale && a.ageSec === 61 && a.maxAgeSec === 60)).to.equal(true);
    expect(() => valuePool(fresh, "min", later)).to.throw(/Stale/);
    expect(valuePool(withLastPrices(fresh), "min", later).aumUsd.toString()).to.equal(
      valuePool(fresh, "min", t0).aumUsd.toString(),
    );
  });

  it("previews loan actions: the most that can be borrowed or withdrawn, health before and after, the exact debt left after a repay", async () => {
    const { f } = await fundedPool();
    const user = await f.user({ SOL: units(100, 9), USDC: units(1_000, 6) });
    const me = user.kp.publicKey;
    const ref = { owner: me, collateralCustody: f.assets.SOL.custody, borrowCustody: f.assets.USDC.custody };
    const loanKey = loanPda(me, f.pool, ref.collateralCustody, ref.borrowCustody)[0];
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: user.tokens.SOL,
          amount: units(10, 9),
        }),
      ],
      [user.kp],
    );
    let loan = (await fetchLoan(f.ctx.program, loanKey))!;
    let state = await f.state();
    const t = now(f);

    // The maximum borrow is accepted and one unit more is not.
    const most = maxBorrow(state, loan, t);
    expect(most.gtn(0)).to.equal(true);
    expect(() => quoteLoanBorrow(state, loan, most, t)).to.not.throw();
    expect(() => quoteLoanBorrow(state, loan, most.addn(1), t)).to.throw();
    // 10 SOL at $150, max LTV 75 %: about $1,125.
    expect(Number(most.toString()) / 1e6).to.be.within(1_100, 1_130);

    const borrowPreview = previewLoanAction(state, loan, "borrow", units(900, 6), t);
    expect(borrowPreview.before!.health).to.equal(null);
    expect(borrowPreview.before!.band).to.equal("none");
    await send(
      f.ctx,
      [await borrowIx(f.ctx.program, state, { ...ref, receivingAccount: user.tokens.USDC, amount: units(900, 6) })],
      [user.kp],
    );
    loan = (await fetchLoan(f.ctx.program, loanKey))!;
    state = await f.state();
    const ltvNow = previewLoanAction(state, loan, "deposit", new BN(1), now(f)).before!;
    expect(ltvNow.ltvBps.toString()).to.equal(borrowPreview.after.ltvBps.toString());
    expect(borrowPreview.after.health).to.equal(healthFactor(borrowPreview.after.ltvBps, 8_000));
    expect(borrowPreview.after.band).to.equal(healthBand(borrowPreview.after.health));

    // Withdrawal: the maximum keeps the LTV within 75 %, one unit more does not.
    const w = maxWithdraw(state, loan, now(f));
    expect(() => quoteLoanWithdraw(state, loan, w, now(f))).to.not.throw();
    expect(() => quoteLoanWithdraw(state, loan, w.addn(1), now(f))).to.throw();

    // Repay part after a month of interest: the preview's debt left is the chain's.
    f.ctx.provider.warpSeconds(30 * 24 * 3600);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    state = await f.state();
    const repay = previewLoanAction(state, loan, "repay", units(400, 6), now(f));
    await send(
      f.ctx,
      [
        await repayIx(f.ctx.program, state, {
          ...ref,
          payer: me,
          fundingAccount: user.tokens.USDC,
          amount: units(400, 6),
        }),
      ],
      [user.kp],
    );
    const repaid = (await fetchLoan(f.ctx.program, loanKey))!;
    const chainDebt = previewLoanAction(await f.state(), repaid, "deposit", new BN(1), now(f)).before!.debt;
    expect(repay.after.debt.toString()).to.equal(chainDebt.toString());
    expect(repay.after.debt.gt(units(500, 6)), "interest accrued").to.equal(true);
    expect(repay.repaid!.toString()).to.equal(units(400, 6).toString());

    // Bands.
    expect([healthBand(null), healthBand(2), healthBand(1.2), healthBand(1.05)]).to.deep.equal([
      "none",
      "safe",
      "caution",
      "danger",
    ]);
  });
});
