/**
 * Issue 14 item 4, tried as the attacker: interest on unrealized PnL is not a look-back option.
 * (1) A position settles during a one-second price spike, the price returns, and it holds a year:
 * it earns nothing for the spike. (2) A profit really held for a year earns at most the supply
 * rate on the smaller of the profit held and its locked payout — the bound computed here from the
 * custody's supply index, independently of the settlement code.
 */
import BN from "bn.js";
import { expect } from "chai";

import { USD27, dollars } from "./books";
import { econWorld, tok } from "./harness";
import { Side } from "../../sdk/src";
import { Wallet, World, usd } from "../world";
import { GroupLedger, expectBooks } from "./watch";

const INDEX_ONE = new BN(10).pow(new BN(12));

describe("economics: interest on unrealized PnL", function () {
  this.timeout(120_000);

  let env: World;
  let lp: Wallet;
  let trader: Wallet;
  let borrower: Wallet;

  beforeEach(async () => {
    // No funding or impact: the position's carry is its borrow fee and its PnL interest only.
    env = await econWorld({
      pool: { lpCooldownSecs: 0, pnlWarmupSecs: 3_600 },
      risk: { SOL: { fundingFactor: new BN(0), impactPositiveFactor: new BN(0), impactNegativeFactor: new BN(0) } },
    });
    lp = await env.wallet("lp");
    trader = await env.wallet("trader");
    borrower = await env.wallet("borrower");
    env.mustOk(await env.deposit(lp, "USDC", usd(2_000_000)), "lp");
    env.mustOk(await env.deposit(lp, "SOL", tok("SOL", 10_000)), "lp SOL");
    env.provider.warpSlots(1);
    // A borrower keeps USDC utilised, so the supply rate is not zero.
    env.mustOk(await env.loanDeposit(borrower, "SOL", "USDC", tok("SOL", 20_000)), "collateral");
    env.mustOk(await env.borrow(borrower, "SOL", "USDC", usd(1_200_000)), "borrow");
  });

  const settle = async (key: Parameters<World["position"]>[0]) =>
    env.mustOk(await env.addCollateral(trader, key, new BN(1)), "settle");

  it("earns nothing for a profit seen only during a one-second spike", async () => {
    const key = env.positionKey(trader, Side.LONG, "SOL", "USDC");
    env.mustOk(await env.open(trader, Side.LONG, "SOL", "USDC", usd(100_000), usd(10_000)), "open");
    env.warp(7_200);
    await settle(key);
    // The spike: +20 % for one second; the position settles during it.
    env.mustOk(env.setPrice("SOL", 180), "spike");
    await settle(key);
    env.provider.warpSeconds(1);
    env.setPrice("SOL", 150);
    await settle(key);
    const before = env.position(key)!;
    // A year, settled monthly.
    for (let m = 0; m < 12; m++) {
      env.warp(30 * 86_400);
      await settle(key);
    }
    const after = env.position(key)!;
    const earned = after.interestSettled.sub(before.interestSettled);
    console.log(
      `      interest settled over the year after the spike: ${earned.toString()} µUSDC (≤ 0: the position pays on its loss)`,
    );
    expect(earned.lten(0), "no profit interest for the spike").to.equal(true);
    expectBooks("after a year", env.books());
  });

  it("earns at most the supply rate on the profit held and locked, and something", async () => {
    const group = [trader];
    const ledger = new GroupLedger(env, group);
    const key = env.positionKey(trader, Side.LONG, "SOL", "USDC");
    env.mustOk(await env.open(trader, Side.LONG, "SOL", "USDC", usd(100_000), usd(10_000)), "open");
    env.warp(60);
    ledger.movePrice("SOL", 165);
    await settle(key);
    const usdcIndex = () => env.priced().custodies[env.main.symbols.indexOf("USDC")].supplyIndex;
    let bound = new BN(0);
    let lastIndex = usdcIndex();
    const start = env.position(key)!.interestSettled;
    for (let m = 0; m < 12; m++) {
      // What the position held over the month: its profit at the held price, capped at the value of
      // its locked tokens (USDC at $1); the index growth of the month.
      const p = env.position(key)!;
      const value = p.sizeTokens.mul(env.prices.SOL).div(new BN(10).pow(new BN(12))); // SOL 9 decimals × price 9 → µUSD
      const profit = BN.max(value.sub(p.sizeUsd), new BN(0));
      const held = BN.min(profit, p.lockedAmount);
      env.warp(30 * 86_400);
      const index = usdcIndex();
      bound = bound.add(held.mul(index.sub(lastIndex)).div(INDEX_ONE));
      lastIndex = index;
      await settle(key);
    }
    const earned = env.position(key)!.interestSettled.sub(start);
    console.log(
      `      profit interest over the year: ${dollars(earned.mul(USD27), 2)}; bound (supply rate × profit held, capped at locked): ${dollars(bound.mul(USD27), 2)}`,
    );
    expect(earned.gtn(0), "a held profit earns").to.equal(true);
    expect(earned.lte(bound.addn(12)), "no more than the supply rate on the held profit").to.equal(true);
    expectBooks("after a year", env.books());
    env.mustOk(await env.close(trader, key), "close");
    // The group's excess is the interest it was paid by design, less fees.
    expect(ledger.excess().lte(bound.mul(USD27)), `excess ${dollars(ledger.excess())}`).to.equal(true);
  });
});
