/**
 * Issue 14 item 1, tried as the attacker: a big long and a dust short of one group; the long pays
 * funding until its collateral is gone and it owes, the short is paid in full, and the owed amount
 * is collected from the long's profit when it closes.
 *
 * Found by this suite and fixed: once a settlement turns unpaid funding into `owed_tokens`, the
 * debt is in the collateral custody's `owned` (settlement credits `funding_in` in full, paid or
 * not; `position_debt` is the matching receivable). The group term used to net it against the
 * group's profit as well, `min(collateral, debt + loss − profit)`, so the pool value counted it
 * twice: the settlement raised the LP price by debt ÷ supply, the close took it back, and LP
 * redeemed in between kept about $13k of it here. The term is now `min(collateral − debt,
 * loss − profit)`: the settlement moves the LP price by no more than the fees it books, the books
 * balance at every step, and the group ends with no more than its price exposure explains.
 */
import BN from "bn.js";
import { expect } from "chai";

import { USD27, dollars } from "./books";
import { econWorld, tok } from "./harness";
import { Side } from "../../sdk/src";
import { Wallet, World, usd } from "../world";
import { GroupLedger, LpMark, expectBooks, expectLpMoveWithinFees, lpMark, lpMove, lpTolerance } from "./watch";

describe("economics: funding owed by a big position, paid to a dust one", function () {
  this.timeout(120_000);

  let env: World;
  let lp: Wallet;
  let big: Wallet;
  let dust: Wallet;
  let lpA: Wallet;

  before(async () => {
    // Funding at a per-second cap of 0.001 % (3.6 %/h) at full skew: a 10x long burns its
    // collateral in under three hours. No price impact (it would only blur the numbers).
    env = await econWorld({
      pool: { lpCooldownSecs: 900 },
      risk: {
        SOL: {
          fundingFactor: new BN("10000000000000"),
          maxFundingRate: new BN("10000000000000"),
          impactPositiveFactor: new BN(0),
          impactNegativeFactor: new BN(0),
        },
      },
    });
    lp = await env.wallet("lp");
    big = await env.wallet("big");
    dust = await env.wallet("dust");
    lpA = await env.wallet("attacker-lp");
    env.mustOk(await env.deposit(lp, "USDC", usd(3_000_000)), "lp USDC");
    env.mustOk(await env.deposit(lp, "SOL", tok("SOL", 10_000)), "lp SOL");
    env.provider.warpSlots(1);
    env.mustOk(await env.deposit(lpA, "USDC", usd(1_000_000)), "attacker LP");
    env.warp(901);
    env.mustOk(await env.claim(lpA), "claim LP");
  });

  it("counts a settled debt once: the settlement does not move the LP price, and LP redeemed before the close takes nothing", async () => {
    const group = [big, dust, lpA];
    const ledger = new GroupLedger(env, group);
    const step = async (what: string, action: () => Promise<unknown>, lpCheck = true) => {
      const mark: LpMark = lpMark(env);
      await action();
      const next = lpMark(env);
      if (lpCheck) expectLpMoveWithinFees(what, mark, next);
      return { mark, next };
    };

    const longKey = env.positionKey(big, Side.LONG, "SOL", "USDC");
    const shortKey = env.positionKey(dust, Side.SHORT, "SOL", "USDC");
    await step("open the big long", async () =>
      env.mustOk(await env.open(big, Side.LONG, "SOL", "USDC", usd(1_000_000), usd(100_000)), "open long"),
    );
    await step("open the dust short", async () =>
      env.mustOk(await env.open(dust, Side.SHORT, "SOL", "USDC", usd(20), usd(11)), "open short"),
    );
    expectBooks("positions open", env.books());
    env.warp(60);
    ledger.movePrice("SOL", 165);
    // Five hours of funding at the cap: 18 % of the long's size; its 10 % collateral is gone.
    env.warp(5 * 3600);
    await step("settle the dust short (it is paid)", async () =>
      env.mustOk(await env.decrease(dust, shortKey, new BN(0), new BN(1)), "settle short"),
    );
    expectBooks("short settled", env.books());

    // The long settles (any update of it does; here a one-unit collateral top-up).
    const s = await step("settle the big long (it owes)", async () =>
      env.mustOk(await env.addCollateral(big, longKey, new BN(1)), "settle long"),
    );
    const owing = env.position(longKey)!;
    expect(
      owing.collateralAmount.isZero() && owing.owedTokens.gtn(0),
      "the long's collateral is gone and it owes",
    ).to.equal(true);
    const debt27 = owing.owedTokens.mul(USD27); // USDC at $1: µUSD × 10^21
    const move = lpMove(s.mark, s.next);
    const perLp = debt27.mul(new BN(1_000_000)).div(s.next.supply);
    const tol = lpTolerance(s.next);
    console.log(
      `      long owes ${dollars(debt27, 2)}; its settlement moved the LP price by ${dollars(move.min, 9)} per LP (debt / supply = ${dollars(perLp, 9)}; fees booked ${dollars(move.fees, 9)})`,
    );
    // The debt is real (it is worth far more than rounding) and moved the LP price by none of it.
    expect(perLp.gt(tol.muln(100)), "the debt is material").to.equal(true);
    expect(move.min.sub(move.fees).lte(tol), "the settlement raises the LP price by no more than its fees").to.equal(
      true,
    );
    const b = env.books();
    console.log(
      `      books after the settlement: assets − claims = ${dollars(b.diff, 2)} (positions' stored debt ${dollars(b.storedDebt, 2)})`,
    );
    expectBooks("long settled owing", b);

    // The attacker's LP redeems at the inflated price.
    const lpIn = env.tokenBalance(lpA.lp.main);
    env.mustOk(await env.redeem(lpA, "USDC", lpIn), "redeem");
    // The long closes: what it owes is collected from its profit; the LP price falls back.
    const c = await step("close the big long", async () => env.mustOk(await env.close(big, longKey), "close long"));
    const back = lpMove(c.mark, c.next);
    console.log(`      closing the long moved the LP price by ${dollars(back.min, 9)} per LP`);
    env.mustOk(await env.close(dust, shortKey), "close short");
    expectBooks("all closed", env.books());

    const net = ledger.net();
    const excess = ledger.excess();
    console.log(
      `      group net ${dollars(net, 2)}, explained by its exposure ${dollars(ledger.explained, 2)}, excess ${dollars(excess, 2)}`,
    );
    // Nothing beyond what its price exposure explains (it paid fees and funding).
    expect(excess.lte(new BN(0)), "the group earns nothing beyond its exposure").to.equal(true);
  });
});
