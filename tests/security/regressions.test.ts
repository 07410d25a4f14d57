/**
 * Issue 9, part 5: one regression test per finding of the matrix, the fuzzer
 * and the property tests (the rounding findings are in rounding.test.ts). Each
 * says what used to happen and asserts what must happen now: the exact error,
 * and no account changed.
 */
import { Keypair } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import {
  OrderKind,
  Side,
  addCollateralIx,
  addLiquidityIx,
  borrowIx,
  custodySettingsOf,
  decreasePositionIx,
  defaultRiskParams,
  depositLoanCollateralIx,
  executeOrderIx,
  fetchOrder,
  fetchPosition,
  findCustody,
  increasePositionIx,
  nextProposalAddress,
  orderPda,
  parsePerpoolError,
  placeOrderIx,
  positionPda,
  proposeCustodyParamsIx,
  removeLiquidityIx,
  swapIx,
  topUpInsuranceIx,
  withSettings,
} from "../../sdk/src";
import { AssetSpec, PoolFixture, User, balance, expectAccounting, fundedPool, units } from "../fixtures";
import { expectProgramError, send, withAccount, withoutAccounts } from "../helpers";

const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);
const REPO_ROOT = path.resolve(__dirname, "..", "..");

async function setup(assets?: AssetSpec[]) {
  const { f, lpUser } = await fundedPool(assets);
  const alice = await f.user({ SOL: SOL(100), USDC: USDC(200_000) });
  const bob = await f.user({ SOL: SOL(100), USDC: USDC(100_000) });
  return { f, lpUser, alice, bob };
}

async function openLong(f: PoolFixture, u: User, sizeUsd: BN, collateral: BN) {
  const ix = await increasePositionIx(f.ctx.program, await f.state(), {
    owner: u.kp.publicKey,
    side: Side.LONG,
    custody: f.assets.SOL.custody,
    collateralCustody: f.assets.SOL.custody,
    fundingAccount: u.tokens.SOL,
    sizeUsd,
    collateralAmount: collateral,
    acceptablePrice: MAX,
  });
  await send(f.ctx, [ix], [u.kp]);
  return (await fetchPosition(
    f.ctx.program,
    positionPda(u.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.SOL.custody, Side.LONG)[0],
  ))!;
}

const custodies = (f: PoolFixture) => Object.values(f.assets).flatMap((a) => [a.custody, a.vault]);

describe("security: regressions of the issue 9 findings", function () {
  this.timeout(120_000);

  it("pays only from the signer's own token account: another owner's account is InvalidTokenAccount, not a token-program failure", async () => {
    // Before: the program did not check who owns the paying account, and the SPL Token
    // CPI aborted the transaction with its own OwnerMismatch (0x4), which no client can map.
    const { f, alice, bob } = await setup();
    const state = await f.state();
    await openLong(f, alice, USD(1_000), SOL(2));
    const position = (await fetchPosition(
      f.ctx.program,
      positionPda(alice.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.SOL.custody, Side.LONG)[0],
    ))!;
    const a = alice.kp.publicKey;
    const cases = [
      await addLiquidityIx(f.ctx.program, state, {
        owner: a,
        custody: f.assets.USDC.custody,
        fundingAccount: bob.tokens.USDC,
        lpTokenAccount: alice.lp,
        amountIn: USDC(10),
        minLpOut: ZERO,
      }),
      await swapIx(f.ctx.program, state, {
        owner: a,
        custodyIn: f.assets.USDC.custody,
        custodyOut: f.assets.SOL.custody,
        fundingAccount: bob.tokens.USDC,
        receivingAccount: alice.tokens.SOL,
        amountIn: USDC(10),
        minAmountOut: ZERO,
      }),
      await topUpInsuranceIx(f.ctx.program, state, {
        payer: a,
        custody: f.assets.USDC.custody,
        fundingAccount: bob.tokens.USDC,
        amount: USDC(1),
      }),
      await addCollateralIx(f.ctx.program, await f.state(), {
        position,
        fundingAccount: bob.tokens.SOL,
        amount: SOL(1),
      }),
      await depositLoanCollateralIx(f.ctx.program, state, {
        owner: a,
        collateralCustody: f.assets.SOL.custody,
        borrowCustody: f.assets.USDC.custody,
        fundingAccount: bob.tokens.SOL,
        amount: SOL(1),
      }),
    ];
    for (const ix of cases) {
      await expectProgramError(
        f.ctx,
        [ix],
        "InvalidTokenAccount",
        [bob.tokens.USDC, bob.tokens.SOL, alice.lp, ...custodies(f)],
        [alice.kp],
      );
    }
    // Redemptions burn from the LP account: it must be the signer's too.
    f.ctx.provider.warpSlots(1);
    const redeem = await removeLiquidityIx(f.ctx.program, await f.state(), {
      owner: bob.kp.publicKey,
      custody: f.assets.USDC.custody,
      receivingAccount: bob.tokens.USDC,
      lpTokenAccount: alice.lp,
      lpIn: new BN(1),
      minAmountOut: ZERO,
    });
    await expectProgramError(f.ctx, [redeem], "InvalidTokenAccount", [alice.lp, ...custodies(f)], [bob.kp]);
  });

  it("refuses to move more tokens than the paying account holds with InsufficientFunds (a new error, 6069)", async () => {
    // Before: the token program's InsufficientFunds (0x1) aborted the transaction.
    const { f, alice } = await setup();
    const state = await f.state();
    const tooMuch = balance(f, alice.tokens.USDC).addn(1);
    const ix = await addLiquidityIx(f.ctx.program, state, {
      owner: alice.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: alice.tokens.USDC,
      lpTokenAccount: alice.lp,
      amountIn: tooMuch,
      minLpOut: ZERO,
    });
    await expectProgramError(f.ctx, [ix], "InsufficientFunds", [alice.tokens.USDC, ...custodies(f)], [alice.kp]);
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: alice.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: alice.tokens.USDC,
          lpTokenAccount: alice.lp,
          amountIn: USDC(100),
          minLpOut: ZERO,
        }),
      ],
      [alice.kp],
    );
    f.ctx.provider.warpSlots(1);
    const lp = balance(f, alice.lp);
    const redeem = await removeLiquidityIx(f.ctx.program, await f.state(), {
      owner: alice.kp.publicKey,
      custody: f.assets.USDC.custody,
      receivingAccount: alice.tokens.USDC,
      lpTokenAccount: alice.lp,
      lpIn: lp.addn(1),
      minAmountOut: ZERO,
    });
    await expectProgramError(f.ctx, [redeem], "InsufficientFunds", [alice.lp, ...custodies(f)], [alice.kp]);
  });

  it("refuses a custody's own vault as the account receiving its payout", async () => {
    // Before: the payout went from the vault to the vault — the books said it left, the
    // tokens stayed, and the owner lost it.
    const { f, alice } = await setup();
    const p = await openLong(f, alice, USD(1_000), SOL(2));
    const close = await decreasePositionIx(f.ctx.program, await f.state(), {
      position: p,
      receivingAccount: f.assets.SOL.vault,
      sizeUsd: p.sizeUsd,
      collateralOut: ZERO,
      acceptablePrice: ZERO,
    });
    await expectProgramError(f.ctx, [close], "InvalidTokenAccount", [p.owner, ...custodies(f)], [alice.kp]);
    const ref = {
      owner: alice.kp.publicKey,
      collateralCustody: f.assets.SOL.custody,
      borrowCustody: f.assets.USDC.custody,
    };
    await send(
      f.ctx,
      [
        await depositLoanCollateralIx(f.ctx.program, await f.state(), {
          ...ref,
          fundingAccount: alice.tokens.SOL,
          amount: SOL(10),
        }),
      ],
      [alice.kp],
    );
    const borrow = await borrowIx(f.ctx.program, await f.state(), {
      ...ref,
      receivingAccount: f.assets.USDC.vault,
      amount: USDC(10),
    });
    await expectProgramError(f.ctx, [borrow], "InvalidTokenAccount", custodies(f), [alice.kp]);
    f.ctx.provider.warpSlots(1);
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, await f.state(), {
          owner: alice.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: alice.tokens.USDC,
          lpTokenAccount: alice.lp,
          amountIn: USDC(100),
          minLpOut: ZERO,
        }),
      ],
      [alice.kp],
    );
    f.ctx.provider.warpSlots(1);
    const redeem = await removeLiquidityIx(f.ctx.program, await f.state(), {
      owner: alice.kp.publicKey,
      custody: f.assets.USDC.custody,
      receivingAccount: f.assets.USDC.vault,
      lpTokenAccount: alice.lp,
      lpIn: new BN(1_000_000),
      minAmountOut: ZERO,
    });
    await expectProgramError(f.ctx, [redeem], "InvalidTokenAccount", [alice.lp, ...custodies(f)], [alice.kp]);
    await expectAccounting(f);
  });

  it("reports an add_collateral amount that overflows as MathOverflow, not InsufficientCollateral", async () => {
    const { f, alice } = await setup();
    const p = await openLong(f, alice, USD(1_000), SOL(2));
    const ix = await addCollateralIx(f.ctx.program, await f.state(), {
      position: p,
      fundingAccount: alice.tokens.SOL,
      amount: MAX,
    });
    await expectProgramError(f.ctx, [ix], "MathOverflow", [alice.tokens.SOL, ...custodies(f)], [alice.kp]);
  });

  it("logs which line of math failed: the processor's sum in add_collateral, the core's quote in add_liquidity", async () => {
    // Before: a failed checked operation left only `MathOverflow`, from any of some 300 places.
    const { f, alice } = await setup();
    const p = await openLong(f, alice, USD(1_000), SOL(2));
    const state = await f.state();
    const overflowAt = (logs: string[]) => {
      const lines = logs.filter((l) => l.includes("Perpool math error:"));
      expect(lines, logs.join("\n")).to.have.length(1);
      const m = /Perpool math error: (\w+) at (programs\/[\w/-]+\.rs):(\d+)$/.exec(lines[0]!);
      expect(m, lines[0]).to.not.equal(null);
      const [, kind, file, line] = m!;
      // The line named is arithmetic: a checked helper or a conversion that can fail.
      const source = fs.readFileSync(path.join(REPO_ROOT, file!), "utf8").split("\n")[Number(line) - 1]!;
      expect(source, `${file}:${line}`).to.match(
        /checked_(add|sub|mul)|mul_div|token_to_usd|usd_to_token|apply_(bps|rate)/,
      );
      // It comes before the Anchor error log of the same failure.
      const anchor = logs.findIndex((l) => l.includes("AnchorError"));
      expect(logs.indexOf(lines[0]!)).to.be.below(anchor < 0 ? Infinity : anchor);
      return { kind: kind!, file: file! };
    };
    const collateral = await addCollateralIx(f.ctx.program, state, {
      position: p,
      fundingAccount: alice.tokens.SOL,
      amount: MAX,
    });
    const logs = await expectProgramError(f.ctx, [collateral], "MathOverflow", custodies(f), [alice.kp]);
    expect(overflowAt(logs)).to.deep.equal({
      kind: "Overflow",
      file: "programs/perpool/src/processor/add_collateral.rs",
    });
    const deposit = await addLiquidityIx(f.ctx.program, state, {
      owner: alice.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: alice.tokens.USDC,
      lpTokenAccount: alice.lp,
      amountIn: MAX,
      minLpOut: ZERO,
    });
    const depositLogs = await expectProgramError(f.ctx, [deposit], "MathOverflow", custodies(f), [alice.kp]);
    const at = overflowAt(depositLogs);
    expect(at.file).to.match(/^programs\/perpool-core\/src\//);
    // The SDK reads the same site out of a failed transaction's logs.
    const parsed = parsePerpoolError({ logs: depositLogs }, f.ctx.program.programId);
    expect(parsed?.name).to.equal("MathOverflow");
    expect(parsed?.mathError).to.include({ kind: "Overflow", file: at.file });
    expect(parsed!.mathError!.line).to.be.greaterThan(0);
    // A refusal that is not math logs no math line.
    const tooMuch = await addLiquidityIx(f.ctx.program, state, {
      owner: alice.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: alice.tokens.USDC,
      lpTokenAccount: alice.lp,
      amountIn: balance(f, alice.tokens.USDC).addn(1),
      minLpOut: ZERO,
    });
    const refused = await expectProgramError(f.ctx, [tooMuch], "InsufficientFunds", custodies(f), [alice.kp]);
    expect(refused.filter((l) => l.includes("Perpool math error"))).to.deep.equal([]);
  });

  it("checks execute_order's system program for every order kind, and requires the full account list", async () => {
    // Before: a take-profit or stop-loss ran with any account (or none) in the system program's place.
    const { f, alice, bob } = await setup();
    const p = await openLong(f, alice, USD(1_000), SOL(2));
    f.ctx.provider.warpSeconds(1);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    const place = await placeOrderIx(f.ctx.program, await f.state(), {
      owner: alice.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.SOL.custody,
      fundingAccount: alice.tokens.SOL,
      slot: 0,
      kind: OrderKind.TAKE_PROFIT,
      triggerPrice: units(100, 9),
      acceptablePrice: ZERO,
      sizeUsd: ZERO,
      collateralAmount: ZERO,
      executionReward: new BN(10_000),
    });
    await send(f.ctx, [place], [alice.kp]);
    const order = orderPda(
      positionPda(alice.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.SOL.custody, Side.LONG)[0],
      0,
    )[0];
    const o = (await fetchOrder(f.ctx.program, order))!;
    const exec = await executeOrderIx(f.ctx.program, await f.state(), {
      keeper: bob.kp.publicKey,
      order,
      account: o,
      ownerAccount: alice.tokens.SOL,
    });
    const watch = [order, p.owner, alice.tokens.SOL, ...custodies(f)];
    await expectProgramError(
      f.ctx,
      [withAccount(exec, 13, { pubkey: Keypair.generate().publicKey })],
      "InvalidSystemProgram",
      watch,
      [bob.kp],
    );
    await expectProgramError(f.ctx, [withoutAccounts(exec, 13)], "NotEnoughAccounts", watch, [bob.kp]);
    await send(f.ctx, [exec], [bob.kp]);
  });

  it("answers a payer short of SOL with InsufficientLamports instead of a system-program failure", async () => {
    // Before: the system program's transfer or create_account failed inside the CPI and
    // aborted the transaction with its own error; InsufficientLamports was never returned.
    const { f, alice } = await setup();
    await openLong(f, alice, USD(1_000), SOL(2));
    const poor = await f.user({ USDC: USDC(100), SOL: SOL(1) });
    const order = await placeOrderIx(f.ctx.program, await f.state(), {
      owner: alice.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.SOL.custody,
      fundingAccount: alice.tokens.SOL,
      slot: 1,
      kind: OrderKind.STOP_LOSS,
      triggerPrice: units(100, 9),
      acceptablePrice: ZERO,
      sizeUsd: ZERO,
      collateralAmount: ZERO,
      executionReward: MAX,
    });
    await expectProgramError(f.ctx, [order], "InsufficientLamports", [alice.kp.publicKey, ...custodies(f)], [alice.kp]);
    // An LP record the owner cannot pay the rent of.
    f.ctx.provider.setAccount(poor.kp.publicKey, { lamports: 1_000_000 });
    const deposit = await addLiquidityIx(f.ctx.program, await f.state(), {
      owner: poor.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: poor.tokens.USDC,
      lpTokenAccount: poor.lp,
      amountIn: USDC(10),
      minLpOut: ZERO,
    });
    await expectProgramError(
      f.ctx,
      [deposit],
      "InsufficientLamports",
      [poor.kp.publicKey, poor.tokens.USDC, ...custodies(f)],
      [poor.kp],
    );
  });

  it("refuses risk parameters whose positive price impact exceeds the negative one", async () => {
    // Before: a positive factor (or cap) above the negative one was accepted, and opening then
    // closing a position at an unchanged price paid the trader from the pool (found by the fuzzer).
    const { f } = await setup();
    const admin = f.ctx.admin.publicKey;
    const custody = f.assets.SOL.custody;
    const set = async (o: Parameters<typeof defaultRiskParams>[0]) => {
      const state = await f.state();
      const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), {
        risk: defaultRiskParams(o),
      });
      return proposeCustodyParamsIx(f.ctx.program, state, { admin, custody, settings });
    };
    const watch = [...custodies(f), f.pool, nextProposalAddress(await f.state(), custody, f.ctx.program.programId)];
    await expectProgramError(
      f.ctx,
      [await set({ impactPositiveFactor: new BN(2), impactNegativeFactor: new BN(1) })],
      "InvalidRiskParams",
      watch,
    );
    await expectProgramError(
      f.ctx,
      [await set({ maxPositiveImpactBps: 101, maxNegativeImpactBps: 100 })],
      "InvalidRiskParams",
      watch,
    );
    await f.setCustody("SOL", {
      risk: defaultRiskParams({
        impactPositiveFactor: new BN(1),
        impactNegativeFactor: new BN(1),
        maxPositiveImpactBps: 100,
        maxNegativeImpactBps: 100,
      }),
    });
  });

  it("refuses a decrease larger than a position that holds the whole side with SizeTooLarge, not MathOverflow", async () => {
    // Before: the price impact of the decrease was computed first, and removing more than the
    // side's open interest overflowed.
    const { f, alice } = await setup();
    await f.setCustody("SOL", { risk: defaultRiskParams() });
    const p = await openLong(f, alice, USD(1_000), SOL(2));
    const ix = await decreasePositionIx(f.ctx.program, await f.state(), {
      position: p,
      receivingAccount: alice.tokens.SOL,
      sizeUsd: p.sizeUsd.addn(1),
      collateralOut: ZERO,
      acceptablePrice: ZERO,
    });
    await expectProgramError(f.ctx, [ix], "SizeTooLarge", [p.owner, alice.tokens.SOL, ...custodies(f)], [alice.kp]);
  });

  it("realizes a decrease's price impact in USD, whatever the position's tokens are worth: a round trip pays nothing back", async () => {
    // Before: the exit price moved by price × impact / size, so the closed tokens realized
    // impact × (their value / size): a short opened with a large negative impact, closed the next
    // second, took more back than it paid in (found by the property tests).
    const assets: AssetSpec[] = [
      {
        symbol: "SOL",
        decimals: 9,
        price: 150,
        params: {
          targetWeightBps: 5000,
          openFeeBps: 0,
          closeFeeBps: 0,
          maxPositionUsd: USD(10_000_000),
          maxLeverageBps: 1_000_000,
          maintenanceMarginBps: 10,
          liquidationRewardBps: 5,
        },
      },
      { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
    ];
    const { f, alice } = await setup(assets);
    // Equal factors of 0.4 (exponent 1: 40 % of the skew change), caps of 40 %.
    const risk = defaultRiskParams({
      impactPositiveFactor: new BN("400000000000000000"),
      impactNegativeFactor: new BN("400000000000000000"),
      impactExponent: 1,
      maxPositiveImpactBps: 4_000,
      maxNegativeImpactBps: 4_000,
      fundingFactor: ZERO,
    });
    await f.setCustody("SOL", { risk });
    const before = balance(f, alice.tokens.USDC);
    const open = await increasePositionIx(f.ctx.program, await f.state(), {
      owner: alice.kp.publicKey,
      side: Side.SHORT,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.USDC.custody,
      fundingAccount: alice.tokens.USDC,
      sizeUsd: USD(20_000),
      collateralAmount: USDC(30_000),
      acceptablePrice: ZERO,
    });
    const opened = await send(f.ctx, [open], [alice.kp]);
    const paid = new BN(opened.events[0].data.impactUsd.toString()).neg();
    expect(paid.toString(), "40 % of 20,000 USD").to.equal(USD(8_000).toString());
    f.ctx.provider.warpSeconds(1);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    const key = positionPda(alice.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody, Side.SHORT)[0];
    const p = (await fetchPosition(f.ctx.program, key))!;
    const close = await decreasePositionIx(f.ctx.program, await f.state(), {
      position: p,
      receivingAccount: alice.tokens.USDC,
      sizeUsd: p.sizeUsd,
      collateralOut: ZERO,
      acceptablePrice: MAX,
    });
    const closed = await send(f.ctx, [close], [alice.kp]);
    const gained = new BN(closed.events[0].data.impactUsd.toString());
    expect(gained.toString(), "undoing the skew earns the same 8,000 USD").to.equal(USD(8_000).toString());
    expect(
      balance(f, alice.tokens.USDC).lte(before),
      `round trip: ${before} → ${balance(f, alice.tokens.USDC)}`,
    ).to.equal(true);
    await expectAccounting(f);
  });
});
