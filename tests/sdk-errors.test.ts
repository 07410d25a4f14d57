/**
 * `parsePerpoolError` on the shapes a failed transaction comes back in over LiteSVM: the
 * provider's `SendTransactionError`, a web3-style simulation result
 * (`value.err` + `value.logs`), the provider's `SimulateError`; and `null` for failures that are
 * not Perpool's (the token program's custom error, a network error).
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  PERPOOL_ERROR_MESSAGES,
  PerpoolErrorCode,
  TOKEN_PROGRAM_ID,
  Side,
  addLiquidityIx,
  eventsNamed,
  increasePositionIx,
  parsePerpoolError,
  parsePerpoolEvents,
  parseProgramFailure,
  describeProgramFailure,
} from "../sdk/src";
import { describeError } from "../sdk/src/keeper";
import { createMintToInstruction } from "../sdk/src/provider/token";
import { TestPool, TestUser, createTestPool } from "../sdk/src/testing";

/** What a caught promise rejected with (fails the test when it resolved). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the transaction to fail");
}

describe("SDK errors: parsePerpoolError", () => {
  let t: TestPool;
  let trader: TestUser;

  before(async () => {
    t = await createTestPool();
    trader = await t.user({ USDC: "1000" });
  });

  /** A 1,000 USD long of SOL on a pool nobody has deposited into: InsufficientLiquidity. */
  const unbacked = async () =>
    increasePositionIx(t.program, await t.state(), {
      owner: trader.keypair.publicKey,
      side: Side.LONG,
      custody: t.asset("SOL").custody,
      collateralCustody: t.asset("USDC").custody,
      fundingAccount: trader.token("USDC"),
      sizeUsd: new BN(1_000_000_000),
      collateralAmount: new BN(100_000_000),
      acceptablePrice: new BN(200_000_000_000),
    });

  const expectNoLiquidity = (e: unknown) => {
    const parsed = parsePerpoolError(e);
    expect(parsed, String(e)).to.not.equal(null);
    expect(parsed!.name).to.equal("InsufficientLiquidity");
    expect(parsed!.code).to.equal(PerpoolErrorCode.InsufficientLiquidity);
    expect(parsed!.message).to.equal(PERPOOL_ERROR_MESSAGES.InsufficientLiquidity);
    return parsed!;
  };

  it("names the error of a sent transaction (SendTransactionError with logs), and nothing changed", async () => {
    const before = t.balance(trader.token("USDC"));
    const e = await rejection(t.send([await unbacked()], [trader.keypair]));
    const parsed = expectNoLiquidity(e);
    expect(parsed.instructionIndex).to.equal(0);
    expect(parsed.logs.some((l) => l.includes("custom program error"))).to.equal(true);
    // A refusal that is not math names no math error site (regressions.test.ts has one that does).
    expect(parsed.mathError).to.equal(null);
    expect(t.balance(trader.token("USDC")).toString()).to.equal(before.toString());
  });

  it("names the error of a simulation result (value.err and value.logs) and of a failed simulate()", async () => {
    const tx = new Transaction().add(await unbacked());
    tx.feePayer = trader.keypair.publicKey;
    const sim = await t.provider.connection.simulateTransaction(tx, [trader.keypair]);
    expect(sim.value.err).to.not.equal(null);
    expectNoLiquidity(sim);
    expectNoLiquidity(sim.value);
    // Without logs the RPC error alone is enough: { InstructionError: [0, { Custom: n }] }.
    expect(parsePerpoolError({ err: sim.value.err })?.name).to.equal("InsufficientLiquidity");
    const e = await rejection(t.provider.simulate(new Transaction().add(await unbacked()), [trader.keypair]));
    expectNoLiquidity(e);
  });

  it("the program logs the error as Anchor programs do, so anchor's translateError (what .rpc() applies) names it", async () => {
    const e = await rejection(t.send([await unbacked()], [trader.keypair]));
    const logs = (e as { logs: string[] }).logs;
    const line = `Program log: AnchorError occurred. Error Code: InsufficientLiquidity. Error Number: ${PerpoolErrorCode.InsufficientLiquidity}. Error Message: ${PERPOOL_ERROR_MESSAGES.InsufficientLiquidity.replace(/\.$/, "")}.`;
    expect(logs).to.include(line);
    const translated = anchor.translateError(e, anchor.parseIdlErrors(t.program.idl));
    expect(translated).to.be.instanceOf(anchor.AnchorError);
    const { errorCode, errorMessage } = (translated as anchor.AnchorError).error;
    expect(errorCode).to.deep.equal({ code: "InsufficientLiquidity", number: PerpoolErrorCode.InsufficientLiquidity });
    expect(`${errorMessage}.`).to.equal(PERPOOL_ERROR_MESSAGES.InsufficientLiquidity);
    expect(parsePerpoolError(translated)?.name).to.equal("InsufficientLiquidity");
  });

  it("decodes a transaction's events as the typed union (name narrows data)", async () => {
    const lp = await t.user({ USDC: "1000" });
    const usdc = t.asset("USDC");
    const ix = await addLiquidityIx(t.program, await t.state(), {
      owner: lp.keypair.publicKey,
      custody: usdc.custody,
      fundingAccount: lp.token("USDC"),
      lpTokenAccount: lp.lp,
      amountIn: new BN(500_000_000),
      minLpOut: new BN(0),
    });
    const sig = await t.send([ix], [lp.keypair]);
    const events = parsePerpoolEvents(t.program, t.provider.getTxResult(sig)!.logs);
    const [added] = eventsNamed(events, "liquidityAdded");
    expect(added, JSON.stringify(events.map((e) => e.name))).to.not.equal(undefined);
    // Typed fields: a misspelt one would not compile.
    expect(added!.owner.toBase58()).to.equal(lp.keypair.publicKey.toBase58());
    expect(added!.amountIn.toString()).to.equal("500000000");
    expect(added!.lpOut.gtn(0)).to.equal(true);
    const side: Side = Side.SHORT;
    expect(side).to.equal(2);
  });

  it("returns null for another program's custom error and for errors that are not a program's", async () => {
    // The token program refuses a mint by a key that is not the mint authority (its custom error 4).
    const stranger = Keypair.generate();
    t.provider.airdrop(stranger.publicKey, 1_000_000_000n);
    const mint = createMintToInstruction(t.asset("USDC").mint, trader.token("USDC"), stranger.publicKey, 1n);
    const e = await rejection(t.send([mint], [stranger]));
    expect(String(e)).to.match(/custom program error: 0x4/);
    expect(parsePerpoolError(e)).to.equal(null);
    expect(parsePerpoolError(new Error("fetch failed"))).to.equal(null);
    expect(parsePerpoolError(undefined)).to.equal(null);
    // A Perpool-looking number from a program other than the one asked about is not Perpool's.
    expect(parsePerpoolError(e, new PublicKey(PublicKey.default))).to.equal(null);
  });

  it("names another program's refusal: the token program's and the system program's errors keep their cause", async () => {
    const stranger = Keypair.generate();
    t.provider.airdrop(stranger.publicKey, 1_000_000_000n);
    // The token program refuses a mint signed by a key that is not the mint authority.
    const mint = createMintToInstruction(t.asset("USDC").mint, trader.token("USDC"), stranger.publicKey, 1n);
    const token = parseProgramFailure(await rejection(t.send([mint], [stranger])));
    expect(token).to.deep.include({
      program: "Token",
      programId: TOKEN_PROGRAM_ID.toBase58(),
      code: 4,
      name: "OwnerMismatch",
      instructionIndex: 0,
      perpool: null,
    });
    // The system program refuses a transfer of more SOL than the payer holds (its error 1).
    const poor = Keypair.generate();
    t.provider.airdrop(poor.publicKey, 10_000_000n);
    const transfer = SystemProgram.transfer({
      fromPubkey: poor.publicKey,
      toPubkey: stranger.publicKey,
      lamports: 1_000_000_000,
    });
    const sent = await rejection(t.send([transfer], [poor]));
    expect(parseProgramFailure(sent)).to.deep.include({
      program: "System",
      code: 1,
      name: "ResultWithNegativeLamports",
    });
    expect(describeError(sent)).to.equal(
      "System program: ResultWithNegativeLamports (1): the payer does not hold enough SOL",
    );
    // Perpool's own refusal is Perpool's, with the error parsePerpoolError gives.
    const refused = await rejection(t.send([await unbacked()], [trader.keypair]));
    const own = parseProgramFailure(refused);
    expect(own?.program).to.equal("Perpool");
    expect(own?.name).to.equal("InsufficientLiquidity");
    expect(own?.perpool?.code).to.equal(PerpoolErrorCode.InsufficientLiquidity);
    expect(describeProgramFailure(refused)).to.equal(
      `InsufficientLiquidity (${PerpoolErrorCode.InsufficientLiquidity}): ${PERPOOL_ERROR_MESSAGES.InsufficientLiquidity}`,
    );
    expect(describeError(refused)).to.equal(`InsufficientLiquidity (${PerpoolErrorCode.InsufficientLiquidity})`);
    expect(parseProgramFailure(new Error("fetch failed"))).to.equal(null);
  });
});
