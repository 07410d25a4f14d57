/**
 * Issue 14 item 5, tried as the attacker: near-empty supply. The attacker makes the first deposit
 * as small as allowed, donates tokens straight into the vault, then a victim deposits and both
 * redeem. The attacker gains nothing (it loses its donation and fees); the victim loses nothing
 * beyond its fees and rounding. Deposits too small to mint are refused with a named error.
 */
import BN from "bn.js";
import { expect } from "chai";

import { quoteDeposit } from "../../sdk/src";
import { createTransferInstruction } from "../../sdk/src/provider/token";
import { USD27, dollars } from "./books";
import { econWorld } from "./harness";
import { Wallet, World, outcomeName, usd } from "../world";
import { GroupLedger } from "./watch";

describe("economics: share inflation on a near-empty pool", function () {
  this.timeout(120_000);

  let env: World;
  let attacker: Wallet;
  let victim: Wallet;

  before(async () => {
    env = await econWorld({ pool: { lpCooldownSecs: 0 } });
    attacker = await env.wallet("attacker");
    victim = await env.wallet("victim");
  });

  it("refuses a first deposit below the minimum and a deposit that would mint too little", async () => {
    const r = await env.deposit(attacker, "USDC", usd(5));
    expect(outcomeName(r)).to.equal("FirstDepositTooSmall");
    expect(env.lpSupply().toString()).to.equal("0");
  });

  it("gives the attacker nothing and costs the victim only fees", async () => {
    const ledger = new GroupLedger(env, [attacker]);
    const victimLedger = new GroupLedger(env, [victim]);
    // The smallest first deposit ($10 before fees): dead LP units go to no one.
    const first = await env.deposit(attacker, "USDC", usd(10.05));
    expect(outcomeName(first)).to.equal("ok");
    const supply = env.lpSupply();
    console.log(
      `      after the first deposit: LP supply ${supply.toString()} (dead ${env.state().pool.deadLp.toString()}), attacker holds ${env.tokenBalance(attacker.lp.main).toString()}`,
    );
    // A deposit that would mint fewer than the pool's minimum is refused, and the quote says so.
    const tiny = new BN(500);
    expect(() => quoteDeposit(env.state(), env.main.assets.USDC.custody, tiny, env.now())).to.throw();
    expect(outcomeName(await env.deposit(victim, "USDC", tiny))).to.equal("LpMintTooSmall");
    // The donation: 1M USDC straight into the vault. Pool value counts owned tokens, not the vault.
    env.mustOk(
      env.run([
        createTransferInstruction(attacker.tokens.USDC, env.main.assets.USDC.vault, attacker.key, usd(1_000_000)),
      ]),
      "donate",
    );
    env.provider.warpSlots(1);
    const q = quoteDeposit(env.state(), env.main.assets.USDC.custody, usd(1_000_000), env.now());
    env.mustOk(await env.deposit(victim, "USDC", usd(1_000_000)), "victim deposits");
    const minted = env.tokenBalance(victim.lp.main);
    console.log(`      victim deposits $1M: ${minted.toString()} LP (quoted ${q.lpOut.toString()})`);
    expect(minted.toString()).to.equal(q.lpOut.toString());
    env.provider.warpSlots(1);
    env.mustOk(await env.redeem(attacker, "USDC", env.tokenBalance(attacker.lp.main)), "attacker redeems");
    env.provider.warpSlots(1);
    env.mustOk(await env.redeem(victim, "USDC", env.tokenBalance(victim.lp.main)), "victim redeems");
    const a = ledger.net();
    const v = victimLedger.net();
    console.log(`      attacker net ${dollars(a, 6)} (incl. its $1M donation), victim net ${dollars(v, 6)}`);
    expect(a.lte(new BN(0)), "the attacker gains nothing").to.equal(true);
    // The victim pays the deposit and redemption fees (at most 0.75 % each way at these weights) and
    // nothing else: it loses less than 1.5 % + a micro-dollar, and nothing to the attacker.
    expect(v.neg().lte(usd(15_000).mul(USD27).add(USD27)), `victim lost ${dollars(v.neg())}`).to.equal(true);
    // What the victim lost, the pool (LPs' dead units, protocol, insurance) kept: not the attacker.
    expect(
      a.add(usd(1_000_000).mul(USD27)).lte(USD27.muln(10)),
      "the attacker did not get back more than $10 of its own",
    ).to.equal(true);
  });
});
