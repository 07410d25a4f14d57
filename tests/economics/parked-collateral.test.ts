/**
 * Issue 14 item 3, tried as the attacker: 3M USDC parked as debt-free loan collateral for a year,
 * and 1M USDC as the collateral of a tiny position. Two pools run the same year side by side (same
 * deposits, the same borrower, the same monthly refreshes); one has the parked collateral. The LPs'
 * yield is the same in both (within rounding), and the parker earns only what borrowers pay for
 * loans its collateral funds: nothing while the pool's own tokens fund every loan, something once
 * a loan reaches into the collateral tranche — and then the LPs' yield is not lower.
 */
import BN from "bn.js";
import { expect } from "chai";

import { Side, valuePool } from "../../sdk/src";
import { USD27, dollars } from "./books";
import { econWorld, tok } from "./harness";
import { Wallet, World, usd } from "../world";
import { expectBooks } from "./watch";

const YEAR = 365 * 86_400;

interface Run {
  env: World;
  lp: Wallet;
  borrower: Wallet;
  parker: Wallet;
}

async function world(maxUtilizationBps?: number): Promise<Run> {
  const env = await econWorld({
    pool: { lpCooldownSecs: 0 },
    custody: maxUtilizationBps ? { USDC: { maxUtilizationBps } } : {},
  });
  const lp = await env.wallet("lp");
  const borrower = await env.wallet("borrower");
  const parker = await env.wallet("parker", { USDC: 5_000_000 });
  env.mustOk(await env.deposit(lp, "USDC", usd(2_000_000)), "lp USDC");
  env.mustOk(await env.deposit(lp, "SOL", tok("SOL", 10_000)), "lp SOL");
  env.provider.warpSlots(1);
  env.mustOk(await env.loanDeposit(borrower, "SOL", "USDC", tok("SOL", 20_000)), "borrower collateral");
  return { env, lp, borrower, parker };
}

async function park(r: Run): Promise<void> {
  r.env.mustOk(await r.env.loanDeposit(r.parker, "USDC", "SOL", usd(3_000_000)), "park loan collateral");
  r.env.mustOk(
    await r.env.open(r.parker, Side.LONG, "SOL", "USDC", usd(20), usd(1_000_000)),
    "park position collateral",
  );
}

/** LP price at min prices, 27-decimal USD per LP token. */
function lpPrice(env: World): BN {
  const s = env.state();
  return valuePool(s, "min", env.now()).aumUsd.mul(USD27).mul(new BN(1_000_000)).div(s.lpSupply);
}

async function year(r: Run): Promise<void> {
  for (let m = 0; m < 12; m++) {
    r.env.warp(YEAR / 12);
    r.env.mustOk(await r.env.refresh("USDC"), "refresh");
  }
}

/** What the parker earned: the interest credited to its loan collateral and position collateral, µUSDC. */
function parkerEarned(r: Run): BN {
  const p = r.env.priced();
  const loan = r.env.loan(r.env.loanKey(r.parker, "USDC", "SOL"))!;
  const pos = r.env.position(r.env.positionKey(r.parker, Side.LONG, "SOL", "USDC"))!;
  const usdc = p.custodies[r.env.main.symbols.indexOf("USDC")];
  const share = (amount: BN, snapshot: BN) =>
    amount.mul(usdc.collateralIndex.sub(snapshot)).div(new BN(10).pow(new BN(12)));
  return loan.collateralInterest
    .add(share(loan.collateralAmount, loan.collateralIndexSnapshot))
    .add(share(pos.collateralAmount, pos.collateralIndexSnapshot));
}

describe("economics: parked interest-bearing collateral", function () {
  this.timeout(180_000);

  it("does not change the LPs' yield while the pool's own tokens fund every loan, and earns nothing", async () => {
    const plain = await world();
    const parked = await world();
    await park(parked);
    for (const r of [plain, parked])
      r.env.mustOk(await r.env.borrow(r.borrower, "SOL", "USDC", usd(1_200_000)), "borrow");
    const start = [lpPrice(plain.env), lpPrice(parked.env)];
    await year(plain);
    await year(parked);
    // The parker's tiny position pays its open fee and borrow fees to the pool: settle them so
    // the difference they make is known.
    const key = parked.env.positionKey(parked.parker, Side.LONG, "SOL", "USDC");
    parked.env.mustOk(await parked.env.addCollateral(parked.parker, key, new BN(1)), "settle the parker's position");
    const pos = parked.env.position(key)!;
    const growth = [lpPrice(plain.env).sub(start[0]), lpPrice(parked.env).sub(start[1])];
    // Fees and the funding it pays as the only open interest (nobody receives it but the pool).
    const feesPerLp = pos.feesPaidUsd
      .add(pos.borrowFeesPaid)
      .sub(pos.fundingSettledUsd)
      .mul(USD27)
      .mul(new BN(1_000_000))
      .div(parked.env.lpSupply());
    const apy = (g: BN, s: BN) => Number(g.muln(1_000_000).div(s).toString()) / 10_000;
    console.log(
      `      LP yield over the year: without parking ${apy(growth[0], start[0])} %, with 3M + 1M USDC parked ${apy(growth[1], start[1])} %; parker earned ${dollars(parkerEarned(parked).mul(USD27), 6)}`,
    );
    // Not lower beyond rounding (a micro-dollar per LP token), and higher by at most the fees the
    // parker's own position paid.
    expect(
      growth[1].add(USD27).gte(growth[0]),
      `LP price growth ${dollars(growth[0], 9)} without vs ${dollars(growth[1], 9)} with parking`,
    ).to.equal(true);
    expect(
      growth[1].sub(growth[0]).lte(feesPerLp.add(USD27)),
      `parking raised the LP price by ${dollars(growth[1].sub(growth[0]), 9)}, more than the parker's fees and funding ${dollars(feesPerLp, 9)} per LP`,
    ).to.equal(true);
    expect(parkerEarned(parked).isZero(), "the parker earns nothing: its collateral funded no loan").to.equal(true);
  });

  it("earns only what the loans it funds pay, and the LPs' yield is not lower for it", async () => {
    // Lending may go past the pool's own room (10 % buffer) only with a utilization cap above 90 %.
    const plain = await world(9_900);
    const parked = await world(9_900);
    await park(parked);
    const usdcOf = (r: Run) => r.env.state().custodies[r.env.main.symbols.indexOf("USDC")].account;
    const c = usdcOf(plain);
    const room = c.owned.sub(c.owned.muln(c.bufferBps).divn(10_000)).sub(c.locked).sub(c.lent);
    plain.env.mustOk(await plain.env.borrow(plain.borrower, "SOL", "USDC", room), "borrow the pool's room");
    // The parked pool lends the same room plus 300k of the parked collateral.
    parked.env.mustOk(
      await parked.env.borrow(parked.borrower, "SOL", "USDC", room.add(usd(300_000))),
      "borrow into the collateral tranche",
    );
    const start = [lpPrice(plain.env), lpPrice(parked.env)];
    await year(plain);
    await year(parked);
    const growth = [lpPrice(plain.env).sub(start[0]), lpPrice(parked.env).sub(start[1])];
    const earned = parkerEarned(parked);
    console.log(
      `      LP price growth: ${dollars(growth[0], 9)} (no parking) vs ${dollars(growth[1], 9)} (parked, 300k of it lent); parker earned ${dollars(earned.mul(USD27), 2)}`,
    );
    expect(earned.gtn(0), "the parker earns once its collateral is lent").to.equal(true);
    expect(growth[1].add(USD27).gte(growth[0]), "the LPs' yield is not lower with parked collateral").to.equal(true);
    // What the parker earned is part of what borrowers paid: the suppliers' interest of the year is
    // the pool's share (cumulative lending interest) plus the collateral's.
    const u = usdcOf(parked);
    console.log(
      `      suppliers' interest of the year: pool ${dollars(u.cumulativeLendingInterest.mul(USD27), 2)}, collateral ${dollars(earned.mul(USD27), 2)} (of which the 300k principal it funded at the start explains about half: the tranche also takes the loans' capitalised interest beyond the pool's room)`,
    );
    expect(
      earned.lt(u.cumulativeLendingInterest.add(earned)),
      "the parker's interest is part of what borrowers paid",
    ).to.equal(true);
    expectBooks("a year of lending", parked.env.books());
  });
});
