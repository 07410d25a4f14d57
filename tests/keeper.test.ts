/**
 * The keeper bot (sdk/src/keeper) run in process: against LiteSVM, one scan
 * after a price move liquidates an underwater position, executes the
 * triggered take-profit and stop-loss orders and leaves an untriggered limit
 * order alone (dry-run first: the same plan, nothing on chain); a later move
 * fills the limit order; a failing action is logged once and the scan goes
 * on; auto-deleveraging brings a side back under its
 * threshold; an unhealthy loan is liquidated once the keeper holds the
 * borrowed asset. Then over JSON-RPC: the keeper started against a local
 * validator reacts to a price change through its subscriptions.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import {
  LiteSvmProvider,
  OrderKind,
  PerpoolProgram,
  Side,
  addLiquidityIx,
  adlStatus,
  borrowIx,
  createTokenAccount,
  decreasePositionIx,
  depositLoanCollateralIx,
  fetchLoan,
  fetchOrder,
  fetchPoolState,
  fetchPosition,
  increasePositionIx,
  loanInfo,
  loanPda,
  mintTo,
  orderPda,
  perpoolProgram,
  placeOrderIx,
  positionPda,
  quoteLiquidatePosition,
  publishPriceIx,
  overLent,
  findCustody,
  withdrawLoanCollateralIx,
} from "../sdk/src";
import { Keeper, KeeperSummary } from "../sdk/src/keeper";
import { deploy, loadConfig } from "../migrations/deploy";
import { AssetSpec, PoolFixture, User, balance, expectAccounting, fundedPool, now, units } from "./fixtures";
import { send, snapshot } from "./helpers";
import { TestCluster, distinctIx, testCluster, waitFor } from "./localnet/harness";

const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const PRICE = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);
const REWARD = new BN(100_000);
/** LiteSVM's fee: 5,000 lamports per signature. */
const FEE = 5_000;

const SOL_USDC: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

function positionKey(f: PoolFixture, u: User, side: number, market: string, collateral: string): PublicKey {
  return positionPda(u.kp.publicKey, f.pool, f.assets[market].custody, f.assets[collateral].custody, side)[0];
}

async function open(
  f: PoolFixture,
  u: User,
  side: number,
  collateral: string,
  sizeUsd: BN,
  collateralAmount: BN,
): Promise<PublicKey> {
  const ix = await increasePositionIx(f.ctx.program, await f.state(), {
    owner: u.kp.publicKey,
    side,
    custody: f.assets.SOL.custody,
    collateralCustody: f.assets[collateral].custody,
    fundingAccount: u.tokens[collateral],
    sizeUsd,
    collateralAmount,
    acceptablePrice: side === Side.LONG ? MAX : ZERO,
  });
  await send(f.ctx, [ix], [u.kp]);
  return positionKey(f, u, side, "SOL", collateral);
}

async function placeOrder(
  f: PoolFixture,
  u: User,
  o: {
    side: number;
    collateral: string;
    kind: number;
    trigger: number;
    acceptable?: number;
    sizeUsd?: BN;
    collateralAmount?: BN;
  },
): Promise<PublicKey> {
  const ix = await placeOrderIx(f.ctx.program, await f.state(), {
    owner: u.kp.publicKey,
    side: o.side,
    custody: f.assets.SOL.custody,
    collateralCustody: f.assets[o.collateral].custody,
    fundingAccount: u.tokens[o.collateral],
    slot: 0,
    kind: o.kind,
    triggerPrice: PRICE(o.trigger),
    acceptablePrice: o.acceptable === undefined ? ZERO : PRICE(o.acceptable),
    sizeUsd: o.sizeUsd ?? ZERO,
    collateralAmount: o.collateralAmount ?? ZERO,
    executionReward: REWARD,
  });
  await send(f.ctx, [ix], [u.kp]);
  return orderPda(positionKey(f, u, o.side, "SOL", o.collateral), 0)[0];
}

/** A keeper over the fixture's program (any provider works: its connection is all it uses). */
function keeperOf(f: PoolFixture, kp: Keypair, dryRun = false) {
  const lines: string[] = [];
  const keeper = new Keeper({ program: f.ctx.program, pool: f.pool, keeper: kp, dryRun, log: (l) => lines.push(l) });
  return { keeper, lines };
}

const kinds = (s: KeeperSummary) => s.actions.map((a) => `${a.kind}:${a.target.toBase58()}:${a.status}`).sort();

describe("keeper on LiteSVM", () => {
  it("clears a take-profit whose position its owner closed, for the reward", async () => {
    const { f } = await fundedPool(SOL_USDC);
    const trader = await f.user({ SOL: SOL(10) });
    const keeperUser = await f.user();
    const key = await open(f, trader, Side.LONG, "SOL", USD(3_000), SOL(5));
    const order = await placeOrder(f, trader, {
      side: Side.LONG,
      collateral: "SOL",
      kind: OrderKind.TAKE_PROFIT,
      trigger: 160,
    });
    const p = (await fetchPosition(f.ctx.program, key))!;
    await send(
      f.ctx,
      [
        await decreasePositionIx(f.ctx.program, await f.state(), {
          position: p,
          receivingAccount: trader.tokens.SOL,
          sizeUsd: p.sizeUsd,
          collateralOut: ZERO,
          acceptablePrice: ZERO,
        }),
      ],
      [trader.kp],
    );
    const lamportsBefore = f.ctx.provider.balance(keeperUser.kp.publicKey);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    // Not triggered (SOL is still 150), but stale: the position is gone.
    const summary = await keeper.runOnce();
    expect(kinds(summary)).to.deep.equal([`execute_order:${order.toBase58()}:sent`]);
    expect(summary.actions[0].events.map((e) => e.name)).to.deep.equal(["orderCancelled"]);
    expect(await fetchOrder(f.ctx.program, order)).to.equal(null);
    expect(f.ctx.provider.balance(keeperUser.kp.publicKey) - lamportsBefore).to.equal(BigInt(REWARD.toNumber() - FEE));
    expect(lines.filter((l) => /cleared stale order/.test(l))).to.have.length(1);
  });

  it("after a price move: liquidates, executes the triggered take-profit and stop-loss, leaves the limit order; dry-run first changes nothing", async () => {
    // Given a pool with four traders at SOL = 150.
    const { f } = await fundedPool(SOL_USDC);
    const under = await f.user({ USDC: USDC(2_000) }); // 20x short: underwater above ~157
    const tp = await f.user({ SOL: SOL(10) }); // long with a take-profit at 160
    const sl = await f.user({ USDC: USDC(2_000) }); // 2x short with a stop-loss at 160
    const buyer = await f.user({ USDC: USDC(2_000) }); // limit order to go long at 140
    const keeperUser = await f.user();
    const underKey = await open(f, under, Side.SHORT, "USDC", USD(20_000), USDC(1_000));
    const tpKey = await open(f, tp, Side.LONG, "SOL", USD(3_000), SOL(5));
    const slKey = await open(f, sl, Side.SHORT, "USDC", USD(2_000), USDC(1_000));
    const tpOrder = await placeOrder(f, tp, {
      side: Side.LONG,
      collateral: "SOL",
      kind: OrderKind.TAKE_PROFIT,
      trigger: 160,
    });
    const slOrder = await placeOrder(f, sl, {
      side: Side.SHORT,
      collateral: "USDC",
      kind: OrderKind.STOP_LOSS,
      trigger: 160,
    });
    const limitOrder = await placeOrder(f, buyer, {
      side: Side.LONG,
      collateral: "USDC",
      kind: OrderKind.LIMIT,
      trigger: 140,
      acceptable: 141,
      sizeUsd: USD(2_000),
      collateralAmount: USDC(500),
    });
    const buyerKey = positionKey(f, buyer, Side.LONG, "SOL", "USDC");

    // Nothing is due at 150.
    const idle = await keeperOf(f, keeperUser.kp).keeper.runOnce();
    expect(idle.actions, "nothing to do at 150").to.deep.equal([]);
    expect([idle.positions, idle.orders]).to.deep.equal([3, 3]);

    // When SOL moves to 165.
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 165);
    await f.setPrice("USDC", 1);

    // Then a dry-run plans exactly the liquidation and the two triggered orders, and sends nothing.
    const watch = [
      underKey,
      tpKey,
      slKey,
      tpOrder,
      slOrder,
      limitOrder,
      f.assets.SOL.custody,
      f.assets.USDC.custody,
      keeperUser.tokens.USDC,
      keeperUser.kp.publicKey,
    ];
    const before = snapshot(f.ctx, watch);
    const dry = keeperOf(f, keeperUser.kp, true);
    const plan = await dry.keeper.runOnce();
    expect(kinds(plan)).to.deep.equal(
      [
        `liquidate_position:${underKey.toBase58()}:planned`,
        `execute_order:${tpOrder.toBase58()}:planned`,
        `execute_order:${slOrder.toBase58()}:planned`,
      ].sort(),
    );
    expect(snapshot(f.ctx, watch), "dry-run changed accounts").to.deep.equal(before);
    expect(dry.lines.filter((l) => / would /.test(l))).to.have.length(3);

    // And the keeper itself acts on all three.
    const q = quoteLiquidatePosition(await f.state(), (await fetchPosition(f.ctx.program, underKey))!, now(f));
    const lamportsBefore = f.ctx.provider.balance(keeperUser.kp.publicKey);
    const usdcBefore = balance(f, keeperUser.tokens.USDC);
    const tpSolBefore = balance(f, tp.tokens.SOL);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    const summary = await keeper.runOnce();
    expect(kinds(summary)).to.deep.equal(kinds(plan).map((k) => k.replace(":planned", ":sent")));
    // The liquidation: the position is closed or reduced, the keeper paid its reward.
    const liq = summary.actions.find((a) => a.kind === "liquidate_position")!;
    expect(liq.events.map((e) => e.name)).to.include("positionLiquidated");
    const underAfter = await fetchPosition(f.ctx.program, underKey);
    if (q.full) expect(underAfter, "fully liquidated").to.equal(null);
    else expect(underAfter!.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
    expect(balance(f, keeperUser.tokens.USDC).sub(usdcBefore).toString(), "liquidation reward").to.equal(
      q.rewardTokens.toString(),
    );
    // The orders: closed, their positions closed, proceeds to the owners, rewards to the keeper.
    for (const a of summary.actions.filter((x) => x.kind === "execute_order")) {
      expect(a.events.map((e) => e.name)).to.include("orderExecuted");
      expect(a.events.find((e) => e.name === "orderExecuted")!.data.reward.toString()).to.equal(REWARD.toString());
    }
    expect(await fetchOrder(f.ctx.program, tpOrder)).to.equal(null);
    expect(await fetchOrder(f.ctx.program, slOrder)).to.equal(null);
    expect(await fetchPosition(f.ctx.program, tpKey)).to.equal(null);
    expect(await fetchPosition(f.ctx.program, slKey)).to.equal(null);
    expect(balance(f, tp.tokens.SOL).gt(tpSolBefore), "take-profit proceeds").to.equal(true);
    const sent = summary.actions.length;
    expect(
      f.ctx.provider.balance(keeperUser.kp.publicKey) - lamportsBefore,
      "keeper lamports: two rewards less the fees",
    ).to.equal(BigInt(2 * REWARD.toNumber() - sent * FEE));
    // The limit order was not triggered at 165: still there, no position.
    expect(await fetchOrder(f.ctx.program, limitOrder)).to.not.equal(null);
    expect(await fetchPosition(f.ctx.program, buyerKey)).to.equal(null);
    expect(lines.filter((l) => /liquidated position .* tx \S+/.test(l))).to.have.length(1);
    expect(lines.filter((l) => /executed order .* tx \S+/.test(l))).to.have.length(2);
    await expectAccounting(f);

    // A second scan finds nothing left to do.
    expect((await keeper.runOnce()).actions).to.deep.equal([]);

    // When SOL falls to 139 the limit order fills: the position opens and the keeper gets the reward and its rent back.
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 139);
    await f.setPrice("USDC", 1);
    const lamports2 = f.ctx.provider.balance(keeperUser.kp.publicKey);
    const fill = await keeper.runOnce();
    expect(kinds(fill)).to.deep.equal([`execute_order:${limitOrder.toBase58()}:sent`]);
    expect(await fetchOrder(f.ctx.program, limitOrder)).to.equal(null);
    const filled = (await fetchPosition(f.ctx.program, buyerKey))!;
    expect(filled.sizeUsd.toString()).to.equal(USD(2_000).toString());
    expect(f.ctx.provider.balance(keeperUser.kp.publicKey) - lamports2, "reward less the fee").to.equal(
      BigInt(REWARD.toNumber() - FEE),
    );
    await expectAccounting(f);
  });

  it("skips a triggered order whose owner has no token account of the collateral, with one log line", async () => {
    const { f } = await fundedPool(SOL_USDC);
    const trader = await f.user({ SOL: SOL(10) });
    const keeperUser = await f.user();
    await open(f, trader, Side.LONG, "SOL", USD(3_000), SOL(5));
    const order = await placeOrder(f, trader, {
      side: Side.LONG,
      collateral: "SOL",
      kind: OrderKind.TAKE_PROFIT,
      trigger: 160,
    });
    // The owner's only SOL token account is gone (as if closed): the proceeds would have nowhere to go.
    f.ctx.provider.setAccount(trader.tokens.SOL, { lamports: 0 });
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 165);
    await f.setPrice("USDC", 1);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    const s1 = await keeper.runOnce();
    const s2 = await keeper.runOnce();
    expect(s1.actions).to.deep.equal([]);
    expect(s1.skipped.map((s) => s.target.toBase58())).to.deep.equal([order.toBase58()]);
    expect(s2.skipped).to.have.length(1);
    expect(
      lines.filter((l) => l.includes(`skipped order ${order.toBase58()}`)),
      "a standing reason is logged once",
    ).to.have.length(1);
    expect(await fetchOrder(f.ctx.program, order)).to.not.equal(null);
  });

  it("logs a failing action once and goes on: an order whose worst price cannot be met fails, the liquidation beside it lands", async () => {
    const { f } = await fundedPool(SOL_USDC);
    const trader = await f.user({ SOL: SOL(10) });
    const under = await f.user({ USDC: USDC(2_000) });
    const keeperUser = await f.user();
    const tpKey = await open(f, trader, Side.LONG, "SOL", USD(3_000), SOL(5));
    const underKey = await open(f, under, Side.SHORT, "USDC", USD(20_000), USDC(1_000));
    // Triggered at 160, but the long only accepts an exit at 170 or better.
    const order = await placeOrder(f, trader, {
      side: Side.LONG,
      collateral: "SOL",
      kind: OrderKind.TAKE_PROFIT,
      trigger: 160,
      acceptable: 170,
    });
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 165);
    await f.setPrice("USDC", 1);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    const s1 = await keeper.runOnce();
    const failed = s1.actions.find((a) => a.kind === "execute_order")!;
    expect(failed.status).to.equal("failed");
    expect(failed.error, "the program's error by name and code").to.match(/^[A-Za-z]+ \(\d+\)$/);
    expect(s1.actions.find((a) => a.kind === "liquidate_position")!.status).to.equal("sent");
    expect(await fetchPosition(f.ctx.program, underKey)).to.equal(null);
    expect(await fetchOrder(f.ctx.program, order)).to.not.equal(null);
    expect((await fetchPosition(f.ctx.program, tpKey))!.sizeUsd.toString()).to.equal(USD(3_000).toString());
    // Tried again next scan (a refused transaction costs nothing), but said once.
    const s2 = await keeper.runOnce();
    expect(kinds(s2)).to.deep.equal([`execute_order:${order.toBase58()}:failed`]);
    expect(lines.filter((l) => l.includes(`failed to execute order ${order.toBase58()}`))).to.have.length(1);
  });

  it("auto-deleverages the best-ranked profitable position until the side is back under its threshold", async () => {
    const { f } = await fundedPool(SOL_USDC);
    const keeperUser = await f.user();
    const a = await f.user({ USDC: USDC(20_000) });
    const b = await f.user({ USDC: USDC(20_000) });
    // Longs on SOL posting USDC: their profit is paid by the USDC custody. A is the more leveraged.
    const pa = await open(f, a, Side.LONG, "USDC", USD(50_000), USDC(5_000));
    const pb = await open(f, b, Side.LONG, "USDC", USD(25_000), USDC(5_000));
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 330);
    await f.setPrice("USDC", 1);
    const state = await f.state();
    const before = (await fetchPosition(f.ctx.program, pa))!;
    expect(adlStatus(state, before, now(f)).allowed).to.equal(true);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    const s = await keeper.runOnce();
    const adl = s.actions.filter((x) => x.kind === "auto_deleverage");
    expect(adl.length).to.be.greaterThan(0);
    expect(adl.every((x) => x.status === "sent")).to.equal(true);
    expect(adl[0].target.toBase58(), "highest PnL % × leverage first").to.equal(pa.toBase58());
    const ev = adl[0].events.find((e) => e.name === "positionDeleveraged")!.data;
    expect(ev.ratioAfterBps.lt(ev.ratioBeforeBps)).to.equal(true);
    const after = (await fetchPosition(f.ctx.program, pa))!;
    expect(after.sizeUsd.lt(before.sizeUsd)).to.equal(true);
    expect(adlStatus(await f.state(), after, now(f)).allowed, "back under the threshold").to.equal(false);
    expect(lines.some((l) => /deleveraged position .* tx \S+/.test(l))).to.equal(true);
    expect((await fetchPosition(f.ctx.program, pb))!.sizeUsd.toString()).to.equal(USD(25_000).toString());
    await expectAccounting(f);
  });

  it("liquidates an unhealthy loan only once it holds the borrowed asset, repaying what the close factor allows", async () => {
    const { f } = await fundedPool(SOL_USDC);
    const borrower = await f.user({ SOL: SOL(100) });
    const keeperUser = await f.user();
    const ref = {
      owner: borrower.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.USDC.custody,
    };
    const loan = loanPda(ref.owner, f.pool, ref.collateralCustody, ref.borrowCustody)[0];
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: borrower.tokens.SOL,
          amount: SOL(100),
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
          amount: USDC(11_000),
        }),
      ],
      [borrower.kp],
    );
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 120);
    await f.setPrice("USDC", 1);
    const info = loanInfo(await f.state(), (await fetchLoan(f.ctx.program, loan))!, now(f));
    expect(info.liquidatable).to.equal(true);
    const { keeper, lines } = keeperOf(f, keeperUser.kp);
    // Without USDC the keeper cannot repay: skipped, said once.
    const s1 = await keeper.runOnce();
    expect(s1.actions).to.deep.equal([]);
    expect(s1.skipped.map((s) => s.target.toBase58())).to.deep.equal([loan.toBase58()]);
    expect(lines.some((l) => l.includes(`skipped loan ${loan.toBase58()}`))).to.equal(true);
    // With USDC it repays at most half the debt (close factor 50 %) and receives SOL.
    await mintTo(f.ctx.provider, f.assets.USDC.mint, keeperUser.tokens.USDC, f.ctx.admin, USDC(50_000));
    const s2 = await keeper.runOnce();
    expect(kinds(s2)).to.deep.equal([`liquidate_loan:${loan.toBase58()}:sent`]);
    const repaid = USDC(50_000).sub(balance(f, keeperUser.tokens.USDC));
    expect(repaid.gt(ZERO) && repaid.lte(info.debt.divn(2).addn(1)), `repaid ${repaid}`).to.equal(true);
    expect(balance(f, keeperUser.tokens.SOL).gt(ZERO)).to.equal(true);
    expect(s2.actions[0].events.map((e) => e.name)).to.include("loanLiquidated");
    await expectAccounting(f);
  });

  it("recalls a healthy loan while interest-bearing collateral it drew on has been withdrawn (over-lent)", async () => {
    const usdcEarning = SOL_USDC.map((a) =>
      a.symbol === "USDC"
        ? {
            ...a,
            params: {
              ...a.params,
              collateralEarnsInterest: true,
              bufferBps: 0,
              maxUtilizationBps: 10_000,
              collateralBufferBps: 5_000,
            },
          }
        : a,
    );
    const { f } = await fundedPool(usdcEarning);
    // A parker's 100,000 USDC of loan collateral lets the pool lend beyond its own USDC.
    const parker = await f.user({ USDC: USDC(100_000) });
    const parked = {
      owner: parker.kp.publicKey,
      collateralCustody: f.assets.USDC.custody,
      borrowCustody: f.assets.SOL.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...parked,
          fundingAccount: parker.tokens.USDC,
          amount: USDC(100_000),
        }),
      ],
      [parker.kp],
    );
    const borrower = await f.user({ SOL: SOL(3_000) });
    const ref = {
      owner: borrower.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.USDC.custody,
    };
    const loan = loanPda(ref.owner, f.pool, ref.collateralCustody, ref.borrowCustody)[0];
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: borrower.tokens.SOL,
          amount: SOL(3_000),
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
          amount: USDC(140_000),
        }),
      ],
      [borrower.kp],
    );
    await send(
      f.ctx,
      [
        await withdrawLoanCollateralIx(f.ctx.program, await f.state(), {
          ...parked,
          receivingAccount: parker.tokens.USDC,
          amount: USDC(50_000),
        }),
      ],
      [parker.kp],
    );
    const keeperUser = await f.user({ USDC: USDC(50_000) });
    const state = await f.state();
    expect(
      loanInfo(state, (await fetchLoan(f.ctx.program, loan))!, now(f)).liquidatable,
      "the loan is healthy",
    ).to.equal(false);
    const over = overLent(findCustody(state, f.assets.USDC.custody).account);
    expect(over.gtn(0)).to.equal(true);
    const { keeper } = keeperOf(f, keeperUser.kp);
    const s = await keeper.runOnce();
    expect(kinds(s)).to.deep.equal([`liquidate_loan:${loan.toBase58()}:sent`]);
    expect(USDC(50_000).sub(balance(f, keeperUser.tokens.USDC)).toString(), "repaid exactly the excess").to.equal(
      over.toString(),
    );
    expect(overLent(findCustody(await f.state(), f.assets.USDC.custody).account).toString()).to.equal("0");
    // Nothing more to recall: the next scan leaves the healthy loan alone.
    expect(kinds(await keeper.runOnce())).to.deep.equal([]);
    await expectAccounting(f);
  });
});

describe("keeper over JSON-RPC", function () {
  this.timeout(120_000);

  let dir: string;
  let cluster: TestCluster;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-keeper-"));
    cluster = await testCluster(dir);
  });

  after(async () => {
    await cluster?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("started against a local validator, liquidates after a price change it hears over WebSocket; stops cleanly", async () => {
    // Given a deployed pool with liquidity and a 20x short.
    const config = loadConfig();
    config.pool = { ...config.pool, name: `keeper-${Math.random().toString(36).slice(2, 10)}` };
    // Price accounts of its own (a random shard of the feeds): nothing else on the cluster moves them.
    const shard = 1 + Math.floor(Math.random() * 65_535);
    config.assets = config.assets.map((a) => ({ ...a, pyth: { ...a.pyth, shard } }));
    const adminPath = process.env.ANCHOR_WALLET ?? path.join(dir, "admin.json");
    const { deployment } = await deploy(config, { url: cluster.url, dataDir: dir, keypair: adminPath, log: () => {} });
    const admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(adminPath, "utf8"))));
    const connection = new Connection(cluster.url, "confirmed");
    const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    const program: PerpoolProgram = perpoolProgram(provider);
    const pool = new PublicKey(deployment.pool.address);
    const asset = (s: string) => deployment.assets.find((a) => a.symbol === s)!;
    const custody = (s: string) => new PublicKey(asset(s).custody);
    const mint = (s: string) => new PublicKey(asset(s).mint);
    const tokenProvider = provider as unknown as LiteSvmProvider; // the token helpers use connection + sendAndConfirm only
    const sendTx = (ixs: TransactionInstruction[], signers: Keypair[]) =>
      provider.sendAndConfirm(new Transaction().add(...ixs), signers);
    // SOL at `sol`, every other asset at its configured price: a deposit values the whole pool.
    const setPrices = async (sol: number) => {
      const ixs = deployment.assets
        .map(
          (a) =>
            [
              a.symbol,
              a.symbol === "SOL" ? sol : Number(config.assets.find((c) => c.symbol === a.symbol)!.price),
            ] as const,
        )
        .map(([s, usd]) =>
          publishPriceIx({
            authority: admin.publicKey,
            feedId: Buffer.from(asset(s).feedId, "hex"),
            shard: asset(s).shard,
            price: new BN(Math.round(usd * 1e8)),
            exponent: -8,
          }),
        );
      // The same prices may be sent twice within one blockhash (the loop below): each send is its own transaction.
      await sendTx([distinctIx(), ...ixs], []);
    };
    const user = async (fund: Record<string, BN>) => {
      const kp = Keypair.generate();
      const sig = await connection.requestAirdrop(kp.publicKey, 10 * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
      const tokens: Record<string, PublicKey> = {};
      for (const s of ["SOL", "USDC"]) {
        tokens[s] = await createTokenAccount(tokenProvider, mint(s), kp.publicKey);
        if (fund[s]) await mintTo(tokenProvider, mint(s), tokens[s], admin.publicKey, fund[s]);
      }
      return { kp, tokens };
    };
    await setPrices(150);
    const lp = await user({ USDC: USDC(200_000) });
    const lpToken = await createTokenAccount(tokenProvider, new PublicKey(deployment.pool.lpMint), lp.kp.publicKey);
    const st = await fetchPoolState(program, pool);
    await sendTx(
      [
        await addLiquidityIx(program, st, {
          owner: lp.kp.publicKey,
          custody: custody("USDC"),
          fundingAccount: lp.tokens.USDC,
          lpTokenAccount: lpToken,
          amountIn: USDC(100_000),
          minLpOut: ZERO,
        }),
      ],
      [lp.kp],
    );
    const trader = await user({ USDC: USDC(2_000) });
    const st2 = await fetchPoolState(program, pool);
    await sendTx(
      [
        await increasePositionIx(program, st2, {
          owner: trader.kp.publicKey,
          side: Side.SHORT,
          custody: custody("SOL"),
          collateralCustody: custody("USDC"),
          fundingAccount: trader.tokens.USDC,
          sizeUsd: USD(20_000),
          collateralAmount: USDC(1_000),
          acceptablePrice: ZERO,
        }),
      ],
      [trader.kp],
    );
    const key = positionPda(
      trader.kp.publicKey,
      pool,
      custody("SOL"),
      custody("USDC"),
      Side.SHORT,
      program.programId,
    )[0];
    expect(await fetchPosition(program, key)).to.not.equal(null);

    // A keeper with its own key (no token account yet: it creates its associated one with the first reward).
    const keeperKp = Keypair.generate();
    const sig = await connection.requestAirdrop(keeperKp.publicKey, 2 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
    const keeperProgram = perpoolProgram(
      new anchor.AnchorProvider(new Connection(cluster.url, "confirmed"), new anchor.Wallet(keeperKp), {
        commitment: "confirmed",
      }),
    );
    const lines: string[] = [];
    // Polling is slower than the test: only a subscription can make it act in time.
    const keeper = new Keeper({
      program: keeperProgram,
      pool,
      keeper: keeperKp,
      pollIntervalMs: 600_000,
      debounceMs: 100,
      log: (l) => lines.push(l),
    });
    await keeper.start();
    try {
      await waitFor(() => keeper.scans >= 1, "the first scan", 20_000);
      expect(keeper.lastSummary!.actions).to.deep.equal([]);
      // The WebSocket subscriptions are set up in the background: a price update at the same
      // price, repeated until it triggers a scan, shows they are live (and that nothing is due).
      for (let i = 0; ; i++) {
        const before = keeper.scans;
        await setPrices(150);
        try {
          await waitFor(() => keeper.scans > before, "a scan after a price update", 5_000);
          break;
        } catch (e) {
          if (i >= 12) throw e; // about a minute on a busy machine
        }
      }
      expect(keeper.lastSummary!.actions).to.deep.equal([]);
      const scansBefore = keeper.scans;

      // When SOL jumps to 170 (one price transaction).
      const started = Date.now();
      await setPrices(170);

      // Then the keeper hears it and liquidates the short.
      await waitFor(
        () => lines.some((l) => /liquidated position/.test(l)) && keeper.scans > scansBefore,
        "the liquidation",
        30_000,
      );
      const line = lines.find((l) => /liquidated position/.test(l))!;
      expect(line).to.match(
        new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z liquidated position ${key.toBase58()} owner \\S+ tx \\S+`),
      );
      const liquidated = await fetchPosition(program, key);
      expect(liquidated === null || liquidated.sizeUsd.lt(USD(20_000))).to.equal(true);
      expect(Date.now() - started, "reacted well before the 10-minute poll").to.be.below(30_000);
    } finally {
      await keeper.stop();
    }
    expect(keeper.isRunning).to.equal(false);
    expect(lines[lines.length - 1]).to.match(/keeper stopped after \d+ scans/);
  });
});
