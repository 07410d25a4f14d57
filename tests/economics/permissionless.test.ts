/**
 * Issue 14 item 2 (SPEC §6 item 7), tried as the attacker: deposit, then run every
 * permissionless instruction against the group's own positions and loans — `refresh_custody`,
 * `liquidate_position`, `execute_order`, `auto_deleverage`, `liquidate_loan` (an unhealthy loan
 * and the recall of an over-lent custody) — then redeem. None moves the LP price (the program's own
 * valuation at min and at max prices) by more than the LP fees it booked; every settlement they
 * run leaves it where it was; the books balance after every step; the group (LP, keeper, traders,
 * borrower) ends with no more than its price exposure explains.
 *
 * Price impact and funding are off here: impact is a transfer between trader and pool that is not
 * booked as a fee, so it would blur the "moves only by the fees booked" bound (the adversarial
 * fuzzer runs with both on).
 */
import BN from "bn.js";
import { expect } from "chai";

import { OrderKind, Side, adlCloseSize, orderPda, overLent } from "../../sdk/src";
import { USD27, dollars } from "./books";
import { econWorld, tok } from "./harness";
import { Wallet, World, price9, usd } from "../world";
import { GroupLedger, expectBooks, expectLpMoveWithinFees, lpMark } from "./watch";

describe("economics: permissionless instructions between a deposit and a redemption", function () {
  this.timeout(120_000);

  let env: World;
  let victim: Wallet;
  let a: Record<string, Wallet>;

  before(async () => {
    env = await econWorld({
      pool: { lpCooldownSecs: 900 },
      risk: {
        SOL: {
          fundingFactor: new BN(0),
          impactPositiveFactor: new BN(0),
          impactNegativeFactor: new BN(0),
          adlThresholdBps: 1,
          adlFloorBps: 0,
        },
      },
    });
    victim = await env.wallet("victim");
    a = {};
    for (const n of ["lp", "keeper", "t1", "t2", "t3", "borrower"]) a[n] = await env.wallet(n);
    env.mustOk(await env.deposit(victim, "USDC", usd(2_000_000)), "victim USDC");
    env.mustOk(await env.deposit(victim, "SOL", tok("SOL", 10_000)), "victim SOL");
    env.provider.warpSlots(1);
  });

  it("moves the LP price only by the fees each instruction books", async () => {
    const group = Object.values(a);
    const ledger = new GroupLedger(env, group);
    const moves: string[] = [];
    const step = async (what: string, send: () => Promise<{ err: unknown }>, expectOk = true) => {
      const before = lpMark(env);
      const r = await send();
      if (expectOk) env.mustOk(r as never, what);
      const m = expectLpMoveWithinFees(what, before, lpMark(env));
      expectBooks(what, env.books());
      moves.push(
        `${what}: LP price ${dollars(m.min, 9)} (min) ${dollars(m.max, 9)} (max), fees booked ${dollars(m.fees, 9)} per LP`,
      );
    };

    await step("attacker deposits", () => env.deposit(a.lp, "USDC", usd(500_000)));
    await step("40x long", () => env.open(a.t1, Side.LONG, "SOL", "USDC", usd(40_000), usd(1_000)));
    await step("long with a take-profit", () => env.open(a.t2, Side.LONG, "SOL", "SOL", usd(30_000), tok("SOL", 20)));
    await step("place the take-profit", () =>
      env.placeOrder(a.t2, {
        side: Side.LONG,
        market: "SOL",
        coll: "SOL",
        slot: 0,
        kind: OrderKind.TAKE_PROFIT,
        trigger: price9(155),
        sizeUsd: new BN(0),
        collateral: new BN(0),
      }),
    );
    await step("long to be deleveraged", () => env.open(a.t3, Side.LONG, "SOL", "USDC", usd(200_000), usd(20_000)));
    await step("loan collateral", () => env.loanDeposit(a.borrower, "SOL", "USDC", tok("SOL", 1_000)));
    await step("borrow", () => env.borrow(a.borrower, "SOL", "USDC", usd(112_000)));

    // A day passes: interest accrues everywhere; a refresh books it.
    env.warp(86_400);
    await step("refresh_custody USDC", () => env.refresh("USDC"));
    await step("refresh_custody SOL", () => env.refresh("SOL"));

    // SOL falls 2.5 %: the 40x long is liquidatable.
    ledger.movePrice("SOL", 146.25);
    await step("liquidate_position (40x long)", () =>
      env.liquidate(a.keeper, env.positionKey(a.t1, Side.LONG, "SOL", "USDC")),
    );
    expect(env.position(env.positionKey(a.t1, Side.LONG, "SOL", "USDC")), "liquidated in full").to.equal(null);

    // SOL rises to 156: the take-profit triggers, the big long may be deleveraged.
    env.warp(60);
    ledger.movePrice("SOL", 156);
    await step("execute_order (take-profit)", () =>
      env.executeOrder(a.keeper, orderPda(env.positionKey(a.t2, Side.LONG, "SOL", "SOL"), 0)[0]),
    );
    const t3 = env.positionKey(a.t3, Side.LONG, "SOL", "USDC");
    const size = adlCloseSize(env.state(), env.position(t3)!, env.now());
    expect(size, "ADL allowed on the profitable long").to.not.equal(null);
    await step("auto_deleverage", () => env.adl(a.keeper, t3, size!));

    // SOL falls to 138: the loan (74.7 % LTV at 150) passes its 80 % liquidation LTV.
    env.warp(60);
    ledger.movePrice("SOL", 138);
    await step("liquidate_loan", () => env.liquidateLoan(a.keeper, a.borrower, "SOL", "USDC", usd(40_000)));

    // Everything closes, the attacker's LP redeems after its cooldown.
    env.warp(900);
    const p3 = env.position(t3);
    if (p3) await step("close the deleveraged long", () => env.close(a.t3, t3));
    const p2 = env.position(env.positionKey(a.t2, Side.LONG, "SOL", "SOL"));
    if (p2)
      await step("close the take-profit long", () => env.close(a.t2, env.positionKey(a.t2, Side.LONG, "SOL", "SOL")));
    const loan = env.loan(env.loanKey(a.borrower, "SOL", "USDC"))!;
    await step("repay", () => env.repay(a.borrower, "SOL", "USDC", loan.scaledDebt.muln(2)));
    await step("withdraw loan collateral", () =>
      env.loanWithdraw(a.borrower, "SOL", "USDC", env.loan(env.loanKey(a.borrower, "SOL", "USDC"))!.collateralAmount),
    );
    await step("claim LP", () => env.claim(a.lp));
    await step("attacker redeems", () => env.redeem(a.lp, "USDC", env.tokenBalance(a.lp.lp.main)));
    for (const m of moves) console.log(`      ${m}`);

    const excess = ledger.excess();
    console.log(
      `      group net ${dollars(ledger.net(), 2)}, explained ${dollars(ledger.explained, 2)}, excess ${dollars(excess, 2)}`,
    );
    expect(excess.lte(USD27), `the group earned ${dollars(excess)} beyond its exposure`).to.equal(true);
  });

  it("lets anyone recall an over-lent loan without moving the LP price", async () => {
    // A borrower takes USDC while a trader's interest-bearing USDC collateral is lendable; the
    // trader then withdraws it, the custody is over-lent, and a stranger recalls the excess.
    // Lending may go past the pool's own room only when the utilization cap allows it (with the
    // defaults, 90 % utilization over `owned` is exactly the room left by the 10 % buffer).
    await env.setCustody("USDC", { params: { maxUtilizationBps: 9_900 } });
    const trader = a.t1;
    env.mustOk(await env.open(trader, Side.LONG, "SOL", "USDC", usd(20_000), usd(1_000_000)), "collateral-heavy long");
    env.mustOk(await env.loanDeposit(a.borrower, "SOL", "USDC", tok("SOL", 20_000)), "collateral");
    const usdc = env.state().custodies[env.main.symbols.indexOf("USDC")].account;
    const room = usdc.owned.sub(usdc.owned.muln(usdc.bufferBps).divn(10_000)).sub(usdc.locked).sub(usdc.lent);
    // Borrow the pool's own room and part of the trader's collateral (below the 99 % utilization cap).
    const borrowAmount = BN.min(
      room.add(usd(300_000)),
      usdc.owned.muln(9_850).divn(10_000).sub(usdc.locked).sub(usdc.lent),
    );
    env.mustOk(await env.borrow(a.borrower, "SOL", "USDC", borrowAmount), "borrow into the collateral tranche");
    env.provider.warpSlots(1);
    const key = env.positionKey(trader, Side.LONG, "SOL", "USDC");
    env.mustOk(await env.removeCollateral(trader, key, usd(900_000)), "withdraw the lent collateral");
    const after = env.state().custodies[env.main.symbols.indexOf("USDC")].account;
    const excess = overLent(after);
    console.log(
      `      borrowed ${dollars(borrowAmount.mul(USD27), 0)}, pool room ${dollars(room.mul(USD27), 0)}; after the withdrawal over-lent by ${dollars(excess.mul(USD27), 2)}`,
    );
    expect(excess.gtn(0), "the custody is over-lent").to.equal(true);
    const before = lpMark(env);
    env.mustOk(await env.liquidateLoan(victim, a.borrower, "SOL", "USDC", excess), "recall");
    expectLpMoveWithinFees("liquidate_loan (recall)", before, lpMark(env));
    expectBooks("recall", env.books());
    expect(overLent(env.state().custodies[env.main.symbols.indexOf("USDC")].account).isZero(), "recalled").to.equal(
      true,
    );
  });
});
