/**
 * Accounts are created only at their canonical PDA. The program finds the canonical bump itself
 * (a hash and a curve test per bump, from 255 down: programs/perpool/src/util.rs `check_pda`), so
 * an address the same seeds derive with a lower bump, off the curve too, must be refused: it would
 * be a second LP record, loan, order or position for the same owner, escaping the guards kept on
 * the first. A position's bump comes from the client: it is taken only when it is the canonical one.
 */
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  OrderKind,
  PERPOOL_PROGRAM_ID,
  Side,
  addLiquidityIx,
  createPoolIx,
  defaultPoolParams,
  depositLoanCollateralIx,
  increasePositionIx,
  lpAccountPda,
  loanPda,
  orderPda,
  placeOrderIx,
  poolPda,
  positionPda,
} from "../sdk/src";
import { fundedPool, units } from "./fixtures";
import { expectProgramError, nonCanonical, send, withAccount, withData } from "./helpers";

const USD = (n: number) => units(n, 6);

/** `ix` with the account at `canonical` replaced by the other address. */
function movedTo(ix: TransactionInstruction, canonical: PublicKey, other: PublicKey): TransactionInstruction {
  const index = ix.keys.findIndex((k) => k.pubkey.equals(canonical));
  expect(index, "the instruction names the canonical address").to.be.greaterThan(-1);
  return withAccount(ix, index, { pubkey: other });
}

describe("PDA creation: the canonical bump only", () => {
  it("refuses an LP record, a loan, an order, a second position and a pool at an address of a lower bump, creating nothing", async () => {
    const { f } = await fundedPool();
    const { SOL, USDC } = f.assets;
    const trader = await f.user({ USDC: USD(10_000), SOL: units(10, 9) });
    const owner = trader.kp.publicKey;
    const checked: string[] = [];
    const refuse = async (
      what: string,
      ix: TransactionInstruction,
      canonical: [PublicKey, number],
      seeds: Buffer[],
      signers = [trader.kp],
    ) => {
      const other = nonCanonical(seeds, canonical[1]);
      expect(other.address.equals(canonical[0])).to.equal(false);
      await expectProgramError(
        f.ctx,
        [movedTo(ix, canonical[0], other.address)],
        "InvalidPda",
        [other.address],
        signers,
      );
      expect(f.ctx.provider.getAccount(other.address), `${what}: nothing created`).to.equal(null);
      // The same instruction at the canonical address goes through.
      await send(f.ctx, [ix], signers);
      expect(f.ctx.provider.getAccount(canonical[0])?.owner.equals(PERPOOL_PROGRAM_ID), `${what} created`).to.equal(
        true,
      );
      checked.push(what);
    };

    // An LP record (a first deposit).
    let state = await f.state();
    await refuse(
      "LP record",
      await addLiquidityIx(f.ctx.program, state, {
        owner,
        custody: USDC.custody,
        fundingAccount: trader.tokens.USDC,
        lpTokenAccount: trader.lp,
        amountIn: USD(1_000),
        minLpOut: new BN(0),
      }),
      lpAccountPda(f.pool, owner),
      [Buffer.from("lp_account"), f.pool.toBuffer(), owner.toBuffer()],
    );

    // A loan (its first collateral deposit).
    state = await f.state();
    await refuse(
      "loan",
      await depositLoanCollateralIx(f.ctx.program, state, {
        owner,
        collateralCustody: SOL.custody,
        borrowCustody: USDC.custody,
        fundingAccount: trader.tokens.SOL,
        amount: units(1, 9),
      }),
      loanPda(owner, f.pool, SOL.custody, USDC.custody),
      [Buffer.from("loan"), owner.toBuffer(), f.pool.toBuffer(), SOL.custody.toBuffer(), USDC.custody.toBuffer()],
    );

    // An order (a take-profit on an open position).
    // A 1,000 USD long of SOL on USDC collateral, the trader's (the SDK passes the canonical bump).
    const openLong = async () =>
      increasePositionIx(f.ctx.program, await f.state(), {
        owner,
        side: Side.LONG,
        custody: SOL.custody,
        collateralCustody: USDC.custody,
        fundingAccount: trader.tokens.USDC,
        sizeUsd: USD(1_000),
        collateralAmount: USD(200),
        acceptablePrice: new BN("18446744073709551615"),
      });
    await send(f.ctx, [await openLong()], [trader.kp]);
    const [position] = positionPda(owner, f.pool, SOL.custody, USDC.custody, Side.LONG);
    state = await f.state();
    await refuse(
      "order",
      await placeOrderIx(f.ctx.program, state, {
        owner,
        side: Side.LONG,
        custody: SOL.custody,
        collateralCustody: USDC.custody,
        fundingAccount: trader.tokens.USDC,
        slot: 0,
        kind: OrderKind.TAKE_PROFIT,
        triggerPrice: units(200, 9),
        acceptablePrice: new BN(0),
        sizeUsd: new BN(0),
        collateralAmount: new BN(0),
        executionReward: new BN(10_000_000),
      }),
      orderPda(position, 0),
      [Buffer.from("order"), position.toBuffer(), Buffer.from([0])],
    );

    // A second position for the same owner, market, collateral and side: the client names the
    // lower bump in the instruction data too, so the address and the bump agree.
    const positionSeeds = [
      Buffer.from("position"),
      owner.toBuffer(),
      f.pool.toBuffer(),
      SOL.custody.toBuffer(),
      USDC.custody.toBuffer(),
      Buffer.from([Side.LONG]),
    ];
    const [, positionBump] = positionPda(owner, f.pool, SOL.custody, USDC.custody, Side.LONG);
    const second = nonCanonical(positionSeeds, positionBump);
    const again = await openLong();
    const data = Buffer.from(again.data);
    data[data.length - 1] = second.bump;
    await expectProgramError(
      f.ctx,
      [movedTo(withData(again, data), position, second.address)],
      "InvalidPda",
      [second.address, position, trader.tokens.USDC],
      [trader.kp],
    );
    expect(f.ctx.provider.getAccount(second.address), "no second position").to.equal(null);
    checked.push("second position");

    // A pool (the admin's).
    const name = "second";
    await refuse(
      "pool",
      await createPoolIx(f.ctx.program, {
        admin: f.ctx.admin.publicKey,
        name,
        params: defaultPoolParams({ timelockSecs: 0 }),
      }),
      poolPda(name),
      [Buffer.from("pool"), Buffer.from(name)],
      [],
    );
    expect(checked).to.deep.equal(["LP record", "loan", "order", "second position", "pool"]);
  });
});
