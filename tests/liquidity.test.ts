/**
 * Liquidity pool end to end: oracle reading (Pyth PriceUpdateV2 and test
 * oracles), pool value, deposits, redemptions, swaps and protocol fees. Every
 * success compares the program's result with the SDK quote to the last unit
 * and checks the accounting identity; every refusal asserts its error and
 * that no account changed.
 */
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  MAX_CUSTODIES,
  OracleKind,
  PauseFlags,
  PYTH_RECEIVER_PROGRAM_ID,
  addCustodyIx,
  addLiquidityIx,
  composition,
  configPda,
  createMint,
  claimLpIx,
  createPoolIx,
  createTokenAccount,
  custodyAddresses,
  defaultCustodyParams,
  defaultPoolParams,
  encodePriceUpdateV2,
  fetchCustody,
  fetchLpAccount,
  fetchPoolState,
  initConfigIx,
  lpAccountPda,
  lpPriceUsd,
  mintTo,
  poolPda,
  priceFeedPda,
  quoteDeposit,
  quoteRedeem,
  quoteSwapExact,
  removeLiquidityIx,
  setPauseIx,
  swapIx,
  topUpInsuranceIx,
  valuePool,
  withdrawProtocolFeesIx,
} from "../sdk/src";
import { PoolFixture, balance, expectAccounting, fundedPool, now, poolFixture, units } from "./fixtures";
import { Ctx, expectProgramError, freshCtx, fundedKeypair, send, withAccount } from "./helpers";

/** `ix` with the unused slots of its custody list appended, holding accounts the program must not read. */
function withUnusedSlots(ix: TransactionInstruction, used: number): TransactionInstruction {
  const filler = () => ({ pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: false });
  const keys = [...ix.keys.map((k) => ({ ...k })), ...Array.from({ length: 2 * (MAX_CUSTODIES - used) }, filler)];
  return new TransactionInstruction({ programId: ix.programId, keys, data: Buffer.from(ix.data) });
}

const USDC = (n: number | string) => units(n, 6);
const SOL = (n: number | string) => units(n, 9);

/** Every account a liquidity instruction may touch, for unchanged-state checks. */
async function watched(f: PoolFixture, extra: PublicKey[] = []): Promise<PublicKey[]> {
  const s = await f.state();
  return [f.pool, s.pool.lpMint, ...s.custodies.flatMap((c) => [c.address, c.account.vault]), ...extra];
}

describe("add_liquidity", () => {
  it("mints 1 LP per USD on the first deposit, less the fee and the dead units, exactly as quoted", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(10_000) });
    const state = await f.state();
    const amountIn = USDC(1_000);
    const q = quoteDeposit(state, f.assets.USDC.custody, amountIn, now(f));
    const ix = await addLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn,
      minLpOut: q.lpOut,
    });
    const { events } = await send(f.ctx, [ix], [u.kp]);

    // An empty pool has no target value yet: the first deposit pays the base fee.
    expect(q.feeBps.toNumber()).to.equal(25);
    expect(balance(f, u.lp).toString()).to.equal(q.lpOut.toString());
    // USDC at $1, LP 6 decimals; 1 LP (the pool's `deadLp`) is minted to no one, into the escrow.
    expect(q.deadLp.toString()).to.equal(state.pool.deadLp.toString());
    expect(q.lpOut.toString()).to.equal(amountIn.sub(q.fee).sub(q.deadLp).toString());
    expect(balance(f, state.pool.lpEscrow).toString()).to.equal(q.deadLp.toString());
    expect(balance(f, u.tokens.USDC).toString()).to.equal(USDC(9_000).toString());
    expect(balance(f, f.assets.USDC.vault).toString()).to.equal(amountIn.toString());
    const c = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(c.owned.toString()).to.equal(q.ownedIncrease.toString());
    expect(c.protocolFees.toString()).to.equal(q.protocolFee.toString());
    expect(c.insurance.toString()).to.equal(q.insuranceFee.toString());

    const lp = await fetchLpAccount(f.ctx.program, lpAccountPda(f.pool, u.kp.publicKey)[0]);
    expect(lp!.owner.toBase58()).to.equal(u.kp.publicKey.toBase58());
    expect(lp!.lpMinted.toString()).to.equal(q.lpOut.toString());
    expect(lp!.depositedUsd.toString()).to.equal(q.valueInUsd.toString());
    expect(lp!.lastAddSlot.toString()).to.equal(f.ctx.provider.getClock().slot.toString());

    expect(events.map((e) => e.name)).to.deep.equal(["liquidityAdded"]);
    const ev = events[0].data;
    expect(ev.lpOut.toString()).to.equal(q.lpOut.toString());
    expect(ev.fee.toString()).to.equal(q.fee.toString());
    expect(ev.feeBps.toString()).to.equal(q.feeBps.toString());
    expect(ev.aumUsd.toString()).to.equal("0");
    expect(ev.lpSupply.toString()).to.equal(q.lpOut.add(q.deadLp).toString());
    await expectAccounting(f);
  });

  it("refuses a first deposit below the pool's minimum and a deposit minting fewer LP units than its minimum, each as quoted", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(10_000) });
    const state = await f.state();
    const deposit = (amountIn: BN) =>
      addLiquidityIx(f.ctx.program, state, {
        owner: u.kp.publicKey,
        custody: f.assets.USDC.custody,
        fundingAccount: u.tokens.USDC,
        lpTokenAccount: u.lp,
        amountIn,
        minLpOut: new BN(0),
      });
    const watch = await watched(f, [u.tokens.USDC, u.lp, state.pool.lpEscrow]);
    // $9.99 is below the $10 minimum first deposit.
    expect(() => quoteDeposit(state, f.assets.USDC.custody, USDC(9.99), now(f))).to.throw(/FirstDepositTooSmall/);
    await expectProgramError(f.ctx, [await deposit(USDC(9.99))], "FirstDepositTooSmall", watch, [u.kp]);
    await send(f.ctx, [await deposit(USDC(10))], [u.kp]);
    // Later: 0.0005 USD mints 500 units, below the 1,000-unit minimum.
    f.ctx.provider.warpSlots(1);
    const later = await f.state();
    expect(() => quoteDeposit(later, f.assets.USDC.custody, new BN(600), now(f))).to.throw(/LpMintTooSmall/);
    const small = await addLiquidityIx(f.ctx.program, later, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: new BN(600),
      minLpOut: new BN(0),
    });
    await expectProgramError(
      f.ctx,
      [small],
      "LpMintTooSmall",
      await watched(f, [u.tokens.USDC, u.lp, later.pool.lpEscrow]),
      [u.kp],
    );
  });

  it("prices later deposits against pool value at max prices, and the LP price never falls", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(100_000), SOL: SOL(1_000) });
    const deposit = async (symbol: string, amountIn: BN) => {
      const state = await f.state();
      const q = quoteDeposit(state, f.assets[symbol].custody, amountIn, now(f));
      const before = balance(f, u.lp);
      const ix = await addLiquidityIx(f.ctx.program, state, {
        owner: u.kp.publicKey,
        custody: f.assets[symbol].custody,
        fundingAccount: u.tokens[symbol],
        lpTokenAccount: u.lp,
        amountIn,
        minLpOut: q.lpOut,
      });
      await send(f.ctx, [ix], [u.kp]);
      expect(balance(f, u.lp).sub(before).toString(), `${symbol} LP out`).to.equal(q.lpOut.toString());
      await expectAccounting(f);
      return q;
    };
    await deposit("USDC", USDC(10_000));
    let price = lpPriceUsd(await f.state(), "min", now(f));
    // SOL at $150 with an EMA of $151: the deposit is valued at $150, the pool at max prices.
    await f.setPrice("SOL", 150, { ema: 151 });
    for (const [symbol, amount] of [
      ["SOL", SOL(20)],
      ["USDC", USDC(2_500)],
      ["SOL", SOL(3)],
    ] as const) {
      await deposit(symbol, amount);
      const next = lpPriceUsd(await f.state(), "min", now(f));
      expect(next.gte(price), `LP price fell after a ${symbol} deposit`).to.equal(true);
      price = next;
    }
    const v = valuePool(await f.state(), "min", now(f));
    expect(v.aumUsd.gt(new BN(0))).to.equal(true);
    // Composition: each custody's share of pool value against its target, in bps, summing to ~100 %.
    const comp = composition(await f.state(), now(f));
    expect(comp.map((c) => c.targetBps)).to.deep.equal([5000, 5000]);
    const total = comp.reduce((a, c) => a + c.weightBps, 0);
    expect(total).to.be.within(9_998, 10_000);
    const sol = comp.find((c) => c.custody.equals(f.assets.SOL.custody))!;
    expect(sol.valueUsd.toString()).to.equal(
      v.custodies.find((c) => c.address.equals(f.assets.SOL.custody))!.valueUsd.toString(),
    );
  });

  it("charges less than the base fee for a deposit toward the target weights and more for one away", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(200_000), SOL: SOL(1_000) });
    const deposit = async (symbol: string, amountIn: BN) => {
      const state = await f.state();
      const q = quoteDeposit(state, f.assets[symbol].custody, amountIn, now(f));
      const { events } = await send(
        f.ctx,
        [
          await addLiquidityIx(f.ctx.program, state, {
            owner: u.kp.publicKey,
            custody: f.assets[symbol].custody,
            fundingAccount: u.tokens[symbol],
            lpTokenAccount: u.lp,
            amountIn,
            minLpOut: q.lpOut,
          }),
        ],
        [u.kp],
      );
      expect(events[0].data.feeBps.toString()).to.equal(q.feeBps.toString());
      await expectAccounting(f);
      return q.feeBps.toNumber();
    };
    await deposit("USDC", USDC(100_000)); // empty pool: base fee
    // USDC is now 100 % of a 50/50 pool: more USDC moves away from target, SOL toward it.
    const away = await deposit("USDC", USDC(10_000));
    const toward = await deposit("SOL", SOL(100));
    expect(away).to.be.greaterThan(25);
    expect(toward).to.be.lessThan(25);
  });

  it("refuses a deposit whose LP out is below the bound, a zero amount, and a deposit over the pool cap", async () => {
    const f = await poolFixture(undefined, { poolParams: { maxAumUsd: USDC(5_000) } });
    const u = await f.user({ USDC: USDC(10_000) });
    const state = await f.state();
    const watch = await watched(f, [u.tokens.USDC, u.lp]);
    const build = (amountIn: BN, minLpOut: BN) =>
      addLiquidityIx(f.ctx.program, state, {
        owner: u.kp.publicKey,
        custody: f.assets.USDC.custody,
        fundingAccount: u.tokens.USDC,
        lpTokenAccount: u.lp,
        amountIn,
        minLpOut,
      });
    const q = quoteDeposit(state, f.assets.USDC.custody, USDC(1_000), now(f));
    await expectProgramError(f.ctx, [await build(USDC(1_000), q.lpOut.addn(1))], "SlippageExceeded", watch, [u.kp]);
    await expectProgramError(f.ctx, [await build(new BN(0), new BN(0))], "ZeroAmount", watch, [u.kp]);
    await send(f.ctx, [await build(USDC(4_000), new BN(0))], [u.kp]);
    const state2 = await f.state();
    const over = await addLiquidityIx(f.ctx.program, state2, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: USDC(1_500),
      minLpOut: new BN(0),
    });
    await expectProgramError(f.ctx, [over], "PoolCapExceeded", await watched(f, [u.tokens.USDC, u.lp]), [u.kp]);
  });

  it("refuses a deposit that takes a custody over its maximum weight", async () => {
    const f = await poolFixture([
      { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, maxWeightBps: 6000 } },
      { symbol: "USDC", decimals: 6, price: 1, params: { targetWeightBps: 5000, maxWeightBps: 6000 } },
    ]);
    const u = await f.user({ USDC: USDC(100_000), SOL: SOL(100) });
    let state = await f.state();
    // The first deposit into an empty pool is exempt; after it USDC is 100 % of the pool.
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: u.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: u.tokens.USDC,
          lpTokenAccount: u.lp,
          amountIn: USDC(1_000),
          minLpOut: new BN(0),
        }),
      ],
      [u.kp],
    );
    f.ctx.provider.warpSlots(1);
    state = await f.state();
    const more = await addLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: USDC(10),
      minLpOut: new BN(0),
    });
    await expectProgramError(f.ctx, [more], "MaxWeightExceeded", await watched(f, [u.tokens.USDC, u.lp]), [u.kp]);
    // Moving toward the target is allowed.
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: u.kp.publicKey,
          custody: f.assets.SOL.custody,
          fundingAccount: u.tokens.SOL,
          lpTokenAccount: u.lp,
          amountIn: SOL(5),
          minLpOut: new BN(0),
        }),
      ],
      [u.kp],
    );
  });

  it("takes the pool's whole custody list (every slot) as well as its used slots, the unused ones not read", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(10_000) });
    const state = await f.state();
    expect(state.custodies.length).to.be.lessThan(MAX_CUSTODIES);
    const ix = await addLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: USDC(100),
      minLpOut: new BN(1),
    });
    expect(ix.keys.length, "the SDK passes the used slots only").to.equal(12 + 2 * state.custodies.length);
    const q = quoteDeposit(state, f.assets.USDC.custody, USDC(100), now(f));
    await send(f.ctx, [withUnusedSlots(ix, state.custodies.length)], [u.kp]);
    expect(balance(f, u.lp).toString(), "the quoted LP tokens").to.equal(q.lpOut.toString());
  });

  it("validates every account", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(10_000), SOL: SOL(10) });
    // A second pool in the same program, holding the same USDC mint.
    const admin = f.ctx.admin.publicKey;
    await send(f.ctx, [await createPoolIx(f.ctx.program, { admin, name: "other", params: defaultPoolParams() })]);
    const [otherPool] = poolPda("other");
    const usdc = f.assets.USDC;
    await send(f.ctx, [
      await addCustodyIx(f.ctx.program, {
        admin,
        pool: otherPool,
        mint: usdc.mint,
        params: defaultCustodyParams({ feedId: Array.from(usdc.feedId) }),
        pythOracle: usdc.oracle,
      }),
    ]);
    const foreign = custodyAddresses(otherPool, f.assets.USDC.mint, f.ctx.program.programId);

    const state = await f.state();
    const watch = await watched(f, [u.tokens.USDC, u.lp, lpAccountPda(f.pool, u.kp.publicKey)[0], foreign.custody]);
    const base = await addLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: USDC(100),
      minLpOut: new BN(0),
    });
    const err = (ix: typeof base, name: string, signers = [u.kp]) =>
      expectProgramError(f.ctx, [ix], name, watch, signers);
    await err(withAccount(base, 0, { isSigner: false }), "MissingSigner", []);
    await err(withAccount(base, 1, { pubkey: f.pool }), "InvalidAccountData");
    await err(withAccount(base, 2, { pubkey: otherPool }), "CustodyMismatch");
    await err(withAccount(base, 3, { pubkey: foreign.custody }), "CustodyMismatch");
    await err(withAccount(base, 3, { isWritable: false }), "AccountNotWritable");
    await err(withAccount(base, 3, { pubkey: f.assets.SOL.custody }), "InvalidTokenAccount"); // USDC's vault
    await err(withAccount(base, 4, { pubkey: f.assets.SOL.vault }), "InvalidTokenAccount");
    await err(withAccount(base, 5, { pubkey: u.tokens.SOL }), "InvalidTokenAccount");
    await err(withAccount(base, 6, { pubkey: f.assets.USDC.mint }), "InvalidMint");
    await err(withAccount(base, 7, { pubkey: u.tokens.USDC }), "InvalidTokenAccount");
    await err(withAccount(base, 8, { pubkey: lpAccountPda(f.pool, Keypair.generate().publicKey)[0] }), "InvalidPda");
    await err(withAccount(base, 9, { pubkey: u.lp }), "InvalidTokenAccount"); // not the pool's escrow
    await err(withAccount(base, 9, { isWritable: false }), "AccountNotWritable");
    await err(withAccount(base, 10, { pubkey: SystemProgram.programId }), "InvalidTokenProgram");
    await err(withAccount(base, 11, { pubkey: PYTH_RECEIVER_PROGRAM_ID }), "InvalidSystemProgram");
    // The custody list: one pair missing, two pairs swapped, another custody's oracle.
    const missing = withAccount(base, 12, {});
    missing.keys.splice(12, 2);
    await err(missing, "CustodyListMismatch");
    const swapped = withAccount(base, 12, {});
    [swapped.keys[12], swapped.keys[13], swapped.keys[14], swapped.keys[15]] = [
      swapped.keys[14],
      swapped.keys[15],
      swapped.keys[12],
      swapped.keys[13],
    ];
    await err(swapped, "CustodyListMismatch");
    await err(withAccount(base, 13, { pubkey: f.assets.USDC.oracle }), "InvalidOracleAccount");
    // Every slot (what anchor resolves from the IDL) instead of the used ones: the used ones are
    // still checked, and a list of any other length is refused.
    const full = withUnusedSlots(base, state.custodies.length);
    await err(withAccount(full, 12, { pubkey: full.keys[14]!.pubkey }), "CustodyListMismatch");
    await err(withAccount(full, 13, { pubkey: f.assets.USDC.oracle }), "InvalidOracleAccount");
    const short = withAccount(full, 12, {});
    short.keys.pop();
    await err(short, "CustodyListMismatch");
    // Paused.
    await send(f.ctx, [await setPauseIx(f.ctx.program, admin, PauseFlags.LIQUIDITY)]);
    await err(base, "Paused");
  });
});

describe("remove_liquidity", () => {
  it("keeps new LP tokens in the escrow for the pool's cooldown, whoever asks, then pays exactly the quote", async () => {
    const { f, lpUser } = await fundedPool(undefined, { poolParams: { lpCooldownSecs: 900 } });
    const u = await f.user({ USDC: USDC(5_000) });
    let state = await f.state();
    const { events: added } = await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: u.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: u.tokens.USDC,
          lpTokenAccount: u.lp,
          amountIn: USDC(5_000),
          minLpOut: new BN(0),
        }),
      ],
      [u.kp],
    );
    // Minted into the escrow, not to the owner: nothing to redeem or move, by any wallet.
    expect(balance(f, u.lp).toString()).to.equal("0");
    const record = await fetchLpAccount(f.ctx.program, lpAccountPda(f.pool, u.kp.publicKey)[0]);
    const lpIn = record!.escrowedLp;
    expect(lpIn.toString()).to.equal(added[0].data.lpOut.toString());
    expect(record!.unlockTime.toString()).to.equal(now(f).addn(900).toString());
    expect(added[0].data.unlockTime.toString()).to.equal(record!.unlockTime.toString());
    const claim = () => claimLpIx(f.ctx.program, state, { owner: u.kp.publicKey, lpTokenAccount: u.lp });
    const watch = await watched(f, [u.lp, state.pool.lpEscrow, lpAccountPda(f.pool, u.kp.publicKey)[0]]);
    await expectProgramError(f.ctx, [await claim()], "LpCooldown", watch, [u.kp]);
    f.ctx.provider.warpSeconds(899);
    await expectProgramError(f.ctx, [await claim()], "LpCooldown", watch, [u.kp]);
    // Another wallet cannot claim them: the record is the owner's.
    const stranger = await f.user();
    const stolen = await claimLpIx(f.ctx.program, state, { owner: stranger.kp.publicKey, lpTokenAccount: stranger.lp });
    stolen.keys[2].pubkey = lpAccountPda(f.pool, u.kp.publicKey)[0];
    await expectProgramError(f.ctx, [stolen], "InvalidPda", watch, [stranger.kp]);
    f.ctx.provider.warpSeconds(1);
    for (const s of Object.keys(f.assets)) await f.setPrice(s, f.assets[s].price);
    const { events: claimed } = await send(f.ctx, [await claim()], [u.kp]);
    expect(claimed.map((e) => e.name)).to.deep.equal(["lpClaimed"]);
    expect(balance(f, u.lp).toString()).to.equal(lpIn.toString());
    expect(
      (await fetchLpAccount(f.ctx.program, lpAccountPda(f.pool, u.kp.publicKey)[0]))!.escrowedLp.toString(),
    ).to.equal("0");
    await expectProgramError(f.ctx, [await claim()], "ZeroAmount", watch, [u.kp]);

    state = await f.state();
    const build = (st: typeof state, minAmountOut: BN) =>
      removeLiquidityIx(f.ctx.program, st, {
        owner: u.kp.publicKey,
        custody: f.assets.USDC.custody,
        receivingAccount: u.tokens.USDC,
        lpTokenAccount: u.lp,
        lpIn,
        minAmountOut,
      });
    const q = quoteRedeem(state, f.assets.USDC.custody, lpIn, now(f));
    await expectProgramError(
      f.ctx,
      [await build(state, q.amountOut.addn(1))],
      "SlippageExceeded",
      await watched(f, [u.lp, u.tokens.USDC]),
      [u.kp],
    );
    const custodyBefore = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const { events } = await send(f.ctx, [await build(state, q.amountOut)], [u.kp]);
    expect(balance(f, u.tokens.USDC).toString()).to.equal(q.amountOut.toString());
    expect(balance(f, u.lp).toString()).to.equal("0");
    // Round trip at unchanged prices (15 minutes later, no trading): less comes back than went in (two fees).
    expect(q.amountOut.lt(USDC(5_000))).to.equal(true);
    const c = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(custodyBefore.owned.sub(c.owned).toString()).to.equal(q.ownedDecrease.toString());
    expect(c.protocolFees.sub(custodyBefore.protocolFees).toString()).to.equal(q.protocolFee.toString());
    expect(events.map((e) => e.name)).to.deep.equal(["liquidityRemoved"]);
    expect(events[0].data.amountOut.toString()).to.equal(q.amountOut.toString());
    expect(events[0].data.lpIn.toString()).to.equal(lpIn.toString());
    const after = await fetchLpAccount(f.ctx.program, lpAccountPda(f.pool, u.kp.publicKey)[0]);
    expect(after!.lpBurned.toString()).to.equal(lpIn.toString());
    await expectAccounting(f);
    void lpUser;
  });

  it("lets a holder without an LP record redeem, and the LP price does not fall", async () => {
    const { f, lpUser } = await fundedPool();
    const holder = await f.user();
    // LP tokens move by plain transfer; the new holder never deposited.
    const { transfer } = await import("../sdk/src/provider/token");
    await transfer(f.ctx.provider, lpUser.lp, holder.lp, lpUser.kp, new BN(1_000_000_000));
    let state = await f.state();
    const priceBefore = lpPriceUsd(state, "min", now(f));
    const q = quoteRedeem(state, f.assets.SOL.custody, new BN(1_000_000_000), now(f));
    await send(
      f.ctx,
      [
        await removeLiquidityIx(f.ctx.program, state, {
          owner: holder.kp.publicKey,
          custody: f.assets.SOL.custody,
          receivingAccount: holder.tokens.SOL,
          lpTokenAccount: holder.lp,
          lpIn: new BN(1_000_000_000),
          minAmountOut: q.amountOut,
        }),
      ],
      [holder.kp],
    );
    expect(balance(f, holder.tokens.SOL).toString()).to.equal(q.amountOut.toString());
    expect(f.ctx.provider.getAccount(lpAccountPda(f.pool, holder.kp.publicKey)[0])).to.equal(null);
    state = await f.state();
    expect(lpPriceUsd(state, "min", now(f)).gte(priceBefore)).to.equal(true);
    await expectAccounting(f);
  });

  it("refuses more than the custody holds, more LP than exist, and a zero amount", async () => {
    const { f, lpUser } = await fundedPool();
    const state = await f.state();
    const watch = await watched(f, [lpUser.lp, lpUser.tokens.USDC]);
    const build = (lpIn: BN) =>
      removeLiquidityIx(f.ctx.program, state, {
        owner: lpUser.kp.publicKey,
        custody: f.assets.USDC.custody,
        receivingAccount: lpUser.tokens.USDC,
        lpTokenAccount: lpUser.lp,
        lpIn,
        minAmountOut: new BN(0),
      });
    // All LP tokens are worth ~$190k; the USDC custody holds ~$100k.
    await expectProgramError(f.ctx, [await build(balance(f, lpUser.lp))], "InsufficientLiquidity", watch, [lpUser.kp]);
    await expectProgramError(f.ctx, [await build(state.lpSupply.addn(1))], "InsufficientLpSupply", watch, [lpUser.kp]);
    await expectProgramError(f.ctx, [await build(new BN(0))], "ZeroAmount", watch, [lpUser.kp]);
  });

  it("refuses a redemption that takes a custody under its minimum weight", async () => {
    const f = await poolFixture([
      { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, minWeightBps: 4000 } },
      { symbol: "USDC", decimals: 6, price: 1, params: { targetWeightBps: 5000, minWeightBps: 4000 } },
    ]);
    const u = await f.user({ USDC: USDC(10_000), SOL: SOL(100) });
    for (const [symbol, amount] of [
      ["USDC", USDC(10_000)],
      ["SOL", SOL(66)],
    ] as const) {
      const state = await f.state();
      await send(
        f.ctx,
        [
          await addLiquidityIx(f.ctx.program, state, {
            owner: u.kp.publicKey,
            custody: f.assets[symbol].custody,
            fundingAccount: u.tokens[symbol],
            lpTokenAccount: u.lp,
            amountIn: amount,
            minLpOut: new BN(0),
          }),
        ],
        [u.kp],
      );
    }
    f.ctx.provider.warpSlots(1);
    const state = await f.state();
    const ix = await removeLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      receivingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      lpIn: USDC(4_000),
      minAmountOut: new BN(0),
    });
    await expectProgramError(f.ctx, [ix], "MinWeightExceeded", await watched(f, [u.lp, u.tokens.USDC]), [u.kp]);
  });
});

describe("swap", () => {
  it("swaps at oracle prices with the higher of the two dynamic fees, exactly as quoted", async () => {
    const { f } = await fundedPool();
    const trader = await f.user({ SOL: SOL(10) });
    const state = await f.state();
    const amountIn = SOL(10);
    const q = quoteSwapExact(state, f.assets.SOL.custody, f.assets.USDC.custody, amountIn, now(f));
    const before = {
      sol: await fetchCustody(f.ctx.program, f.assets.SOL.custody),
      usdc: await fetchCustody(f.ctx.program, f.assets.USDC.custody),
    };
    const ix = await swapIx(f.ctx.program, state, {
      owner: trader.kp.publicKey,
      custodyIn: f.assets.SOL.custody,
      custodyOut: f.assets.USDC.custody,
      fundingAccount: trader.tokens.SOL,
      receivingAccount: trader.tokens.USDC,
      amountIn,
      minAmountOut: q.amountOut,
    });
    const { events } = await send(f.ctx, [ix], [trader.kp]);
    expect(balance(f, trader.tokens.USDC).toString()).to.equal(q.amountOut.toString());
    expect(balance(f, trader.tokens.SOL).toString()).to.equal("0");
    // $1,500 of SOL less the fee, paid in USDC.
    expect(q.amountOut.lt(USDC(1_500))).to.equal(true);
    expect(q.amountOut.gt(USDC(1_480))).to.equal(true);
    const sol = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(sol.owned.sub(before.sol.owned).toString()).to.equal(amountIn.toString());
    expect(before.usdc.owned.sub(usdc.owned).toString()).to.equal(q.outOwnedDecrease.toString());
    expect(usdc.protocolFees.sub(before.usdc.protocolFees).toString()).to.equal(q.protocolFee.toString());
    expect(events[0].name).to.equal("swapped");
    expect(events[0].data.amountOut.toString()).to.equal(q.amountOut.toString());
    expect(events[0].data.feeBps.toString()).to.equal(q.feeBps.toString());
    await expectAccounting(f);
  });

  it("refuses the same custody on both sides, a bound it cannot meet, and more than the pool holds", async () => {
    const { f } = await fundedPool();
    const trader = await f.user({ SOL: SOL(1_500), USDC: USDC(1_000) });
    const state = await f.state();
    const watch = await watched(f, [trader.tokens.SOL, trader.tokens.USDC]);
    const build = (custodyIn: PublicKey, custodyOut: PublicKey, amountIn: BN, minAmountOut: BN) =>
      swapIx(f.ctx.program, state, {
        owner: trader.kp.publicKey,
        custodyIn,
        custodyOut,
        fundingAccount: custodyIn.equals(f.assets.SOL.custody) ? trader.tokens.SOL : trader.tokens.USDC,
        receivingAccount: custodyOut.equals(f.assets.SOL.custody) ? trader.tokens.SOL : trader.tokens.USDC,
        amountIn,
        minAmountOut,
      });
    const { SOL: s, USDC: u } = f.assets;
    await expectProgramError(f.ctx, [await build(s.custody, s.custody, SOL(1), new BN(0))], "DuplicateAccount", watch, [
      trader.kp,
    ]);
    const q = quoteSwapExact(state, s.custody, u.custody, SOL(1), now(f));
    await expectProgramError(
      f.ctx,
      [await build(s.custody, u.custody, SOL(1), q.amountOut.addn(1))],
      "SlippageExceeded",
      watch,
      [trader.kp],
    );
    // 1,500 SOL ≈ $225k; the USDC custody holds ~$100k.
    await expectProgramError(
      f.ctx,
      [await build(s.custody, u.custody, SOL(1_500), new BN(0))],
      "InsufficientLiquidity",
      watch,
      [trader.kp],
    );
    await expectProgramError(f.ctx, [await build(s.custody, u.custody, new BN(0), new BN(0))], "ZeroAmount", watch, [
      trader.kp,
    ]);
    const ix = await build(u.custody, s.custody, USDC(10), new BN(0));
    await expectProgramError(f.ctx, [withAccount(ix, 4, { pubkey: s.vault })], "InvalidTokenAccount", watch, [
      trader.kp,
    ]);
    await expectProgramError(f.ctx, [withAccount(ix, 7, { pubkey: trader.tokens.SOL })], "InvalidTokenAccount", watch, [
      trader.kp,
    ]);
  });
});

describe("withdraw_protocol_fees", () => {
  it("sends the custody's protocol fees to the admin's account and no more", async () => {
    const { f } = await fundedPool();
    const state = await f.state();
    const custody = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(custody.protocolFees.gt(new BN(0))).to.equal(true);
    const treasury = await createTokenAccount(f.ctx.provider, f.assets.USDC.mint, f.ctx.admin.publicKey);
    const admin = f.ctx.admin.publicKey;
    const build = (amount: BN, who = admin) =>
      withdrawProtocolFeesIx(f.ctx.program, state, {
        admin: who,
        custody: f.assets.USDC.custody,
        receivingAccount: treasury,
        amount,
      });
    const watch = await watched(f, [treasury]);
    await expectProgramError(f.ctx, [await build(custody.protocolFees.addn(1))], "InsufficientProtocolFees", watch);
    await expectProgramError(f.ctx, [await build(new BN(0))], "ZeroAmount", watch);
    const stranger = fundedKeypair(f.ctx);
    await expectProgramError(f.ctx, [await build(new BN(1), stranger.publicKey)], "Unauthorized", watch, [stranger]);
    const { events } = await send(f.ctx, [await build(custody.protocolFees)]);
    expect(balance(f, treasury).toString()).to.equal(custody.protocolFees.toString());
    expect((await fetchCustody(f.ctx.program, f.assets.USDC.custody)).protocolFees.toString()).to.equal("0");
    expect(events[0].name).to.equal("protocolFeesWithdrawn");
    expect(events[0].data.amount.toString()).to.equal(custody.protocolFees.toString());
    await expectAccounting(f);
  });
});

describe("top_up_insurance", () => {
  it("adds to a custody's insurance fund, visible in the SDK, and refuses zero or a foreign token account", async () => {
    const { f, lpUser } = await fundedPool();
    const state = await f.state();
    const before = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const build = (amount: BN, funding = lpUser.tokens.USDC) =>
      topUpInsuranceIx(f.ctx.program, state, {
        payer: lpUser.kp.publicKey,
        custody: f.assets.USDC.custody,
        fundingAccount: funding,
        amount,
      });
    const watch = await watched(f, [lpUser.tokens.USDC]);
    await expectProgramError(f.ctx, [await build(new BN(0))], "ZeroAmount", watch, [lpUser.kp]);
    await expectProgramError(f.ctx, [await build(USDC(1), lpUser.tokens.SOL)], "InvalidTokenAccount", watch, [
      lpUser.kp,
    ]);
    const { events } = await send(f.ctx, [await build(USDC(2_500))], [lpUser.kp]);
    const after = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(after.insurance.sub(before.insurance).toString()).to.equal(USDC(2_500).toString());
    expect(events[0].name).to.equal("insuranceToppedUp");
    expect(events[0].data.insurance.toString()).to.equal(after.insurance.toString());
    await expectAccounting(f);
  });
});

// --- Pyth pull oracles -----------------------------------------------------------

const FEED = Buffer.alloc(32, 7);

function pythAccount(
  ctx: Ctx,
  key: PublicKey,
  o: Partial<{
    price: BN;
    conf: BN;
    expo: number;
    publishTime: BN;
    ema: BN;
    feed: Buffer;
    partial: boolean;
    owner: PublicKey;
  }> = {},
) {
  const publishTime = o.publishTime ?? new BN(ctx.provider.getClock().unixTimestamp.toString());
  const data = encodePriceUpdateV2({
    writeAuthority: Keypair.generate().publicKey,
    verification: o.partial ? { partial: 5 } : "full",
    feedId: o.feed ?? FEED,
    price: o.price ?? new BN("15000000000"),
    conf: o.conf ?? new BN("1500000"),
    exponent: o.expo ?? -8,
    publishTime,
    prevPublishTime: publishTime.subn(1),
    emaPrice: o.ema ?? o.price ?? new BN("15000000000"),
    emaConf: new BN(0),
    postedSlot: new BN(1),
  });
  ctx.provider.setAccount(key, {
    lamports: 10_000_000,
    data,
    owner: o.owner ?? PYTH_RECEIVER_PROGRAM_ID,
    executable: false,
  });
}

describe("oracles", () => {
  async function pythPool() {
    const ctx = freshCtx();
    const admin = ctx.admin.publicKey;
    await send(ctx, [await initConfigIx(ctx.program, admin)]);
    await send(ctx, [
      await createPoolIx(ctx.program, { admin, name: "prod", params: defaultPoolParams({ lpCooldownSecs: 0 }) }),
    ]);
    const [pool] = poolPda("prod");
    const mint = await createMint(ctx.provider, 9, admin);
    const [oracle] = priceFeedPda(FEED);
    pythAccount(ctx, oracle);
    await send(ctx, [
      await addCustodyIx(ctx.program, {
        admin,
        pool,
        mint,
        params: defaultCustodyParams({ oracleKind: OracleKind.PYTH, feedId: Array.from(FEED) }),
        pythOracle: oracle,
      }),
    ]);
    const { custody, vault } = custodyAddresses(pool, mint, ctx.program.programId);
    const user = fundedKeypair(ctx);
    const funding = await createTokenAccount(ctx.provider, mint, user.publicKey);
    await mintTo(ctx.provider, mint, funding, ctx.admin, SOL(100));
    const state = await fetchPoolState(ctx.program, pool);
    const lp = await createTokenAccount(ctx.provider, state.pool.lpMint, user.publicKey);
    const deposit = async () =>
      addLiquidityIx(ctx.program, await fetchPoolState(ctx.program, pool), {
        owner: user.publicKey,
        custody,
        fundingAccount: funding,
        lpTokenAccount: lp,
        amountIn: SOL(1),
        minLpOut: new BN(0),
      });
    return { ctx, pool, custody, vault, oracle, user, funding, lp, deposit };
  }

  it("prices a deposit from a fully verified PriceUpdateV2 of the custody's feed", async () => {
    const p = await pythPool();
    pythAccount(p.ctx, p.oracle, { price: new BN("15000000000"), ema: new BN("14900000000") });
    const state = await fetchPoolState(p.ctx.program, p.pool);
    const q = quoteDeposit(state, p.custody, SOL(1), new BN(p.ctx.provider.getClock().unixTimestamp.toString()));
    await send(p.ctx, [await p.deposit()], [p.user]);
    // Valued at min(spot, ema) = $149: first deposit, 1 LP per USD, less the fee.
    expect(getLp(p).toString()).to.equal(q.lpOut.toString());
    expect(q.valueInUsd.toString()).to.equal(USDC(149).toString());
  });

  it("refuses forged, unverified, stale, too wide and non-positive prices, each with its own error", async () => {
    const p = await pythPool();
    const watch = [p.custody, p.vault, p.funding, p.lp, p.oracle];
    const ix = await p.deposit();
    const nowTs = new BN(p.ctx.provider.getClock().unixTimestamp.toString());
    const cases: [string, Parameters<typeof pythAccount>[2]][] = [
      ["InvalidOracleAccount", { owner: SystemProgram.programId }],
      ["OracleFeedMismatch", { feed: Buffer.alloc(32, 8) }],
      ["OracleNotFullyVerified", { partial: true }],
      ["StaleOraclePrice", { publishTime: nowTs.subn(61) }],
      ["OracleConfidenceTooWide", { conf: new BN("150000001") }], // > 1 % of $150
      ["InvalidPrice", { price: new BN(-1) }],
      ["InvalidPrice", { price: new BN(0) }],
    ];
    for (const [error, o] of cases) {
      pythAccount(p.ctx, p.oracle, o);
      await expectProgramError(p.ctx, [ix], error, watch, [p.user]);
    }
    // Exactly at the limits it is accepted: 60 s old, confidence 1 %.
    pythAccount(p.ctx, p.oracle, { publishTime: nowTs.subn(60), conf: new BN("150000000") });
    await send(p.ctx, [ix], [p.user]);
  });

  it("refuses a published price once it is older than the custody's maximum age, until a new one is published", async () => {
    const f = await poolFixture();
    const u = await f.user({ USDC: USDC(100) });
    f.ctx.provider.warpSeconds(61);
    const state = await f.state();
    const ix = await addLiquidityIx(f.ctx.program, state, {
      owner: u.kp.publicKey,
      custody: f.assets.USDC.custody,
      fundingAccount: u.tokens.USDC,
      lpTokenAccount: u.lp,
      amountIn: USDC(100),
      minLpOut: new BN(0),
    });
    await expectProgramError(f.ctx, [ix], "StaleOraclePrice", await watched(f, [u.tokens.USDC]), [u.kp]);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    await send(f.ctx, [ix], [u.kp]);
  });
});

function getLp(p: { ctx: Ctx; lp: PublicKey }): BN {
  const d = p.ctx.provider.getAccountRaw(p.lp)!;
  return new BN(d.readBigUInt64LE(64).toString());
}

void configPda;
