/**
 * Positions end to end: open, increase, partial and full close, collateral
 * changes, borrow fees over time, liquidation (partial, full, bad debt),
 * and every refusal — each success equal to the SDK quote to the last unit,
 * the accounting identity checked after every step.
 */
import { Keypair, PublicKey } from "@solana/web3.js";
import { createHash } from "crypto";
import BN from "bn.js";
import { expect } from "chai";

import {
  PauseFlags,
  Position,
  Side,
  addCollateralIx,
  addLiquidityIx,
  createTokenAccount,
  decreasePositionIx,
  fetchCustody,
  fetchPosition,
  increasePositionIx,
  liquidatePositionIx,
  liquidationPrice,
  positionPda,
  quoteDecreasePosition,
  quoteDeposit,
  quoteIncreasePosition,
  quoteLiquidatePosition,
  removeCollateralIx,
  setPauseIx,
  valuePool,
} from "../sdk/src";
import {
  AssetSpec,
  PoolFixture,
  User,
  balance,
  expectAccounting,
  fundedPool,
  now,
  units,
  userWithPositionBump,
} from "./fixtures";
import { expectProgramError, send, snapshot, withAccount, withData } from "./helpers";

const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);

const ASSETS: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000, spreadBps: 10, maxLeverageBps: 500_000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

interface Trade {
  f: PoolFixture;
  trader: User;
  side: number;
  market: string;
  collateral: string;
  key: PublicKey;
}

async function setup() {
  const { f, lpUser } = await fundedPool(ASSETS);
  const trader = await f.user({ SOL: SOL(100), USDC: USDC(100_000) });
  return { f, lpUser, trader };
}

function tradeOf(f: PoolFixture, trader: User, side: number, market: string, collateral: string): Trade {
  const key = positionPda(trader.kp.publicKey, f.pool, f.assets[market].custody, f.assets[collateral].custody, side)[0];
  return { f, trader, side, market, collateral, key };
}

async function position(t: Trade): Promise<Position | null> {
  return fetchPosition(t.f.ctx.program, t.key);
}

/** Opens or increases through the SDK and checks the result against the quote. */
async function increase(t: Trade, sizeUsd: BN, collateralAmount: BN, acceptablePrice?: BN) {
  const { f, trader } = t;
  const state = await f.state();
  const before = await position(t);
  const q = quoteIncreasePosition(
    state,
    {
      position: before,
      side: t.side,
      custody: f.assets[t.market].custody,
      collateralCustody: f.assets[t.collateral].custody,
      sizeUsd,
      collateralAmount,
    },
    now(f),
  );
  const ix = await increasePositionIx(f.ctx.program, state, {
    owner: trader.kp.publicKey,
    side: t.side,
    custody: f.assets[t.market].custody,
    collateralCustody: f.assets[t.collateral].custody,
    fundingAccount: trader.tokens[t.collateral],
    sizeUsd,
    collateralAmount,
    acceptablePrice: acceptablePrice ?? (t.side === Side.LONG ? MAX : ZERO),
  });
  const res = await send(f.ctx, [ix], [trader.kp]);
  const p = (await position(t))!;
  expect(p.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
  expect(p.sizeTokens.toString()).to.equal(q.sizeTokensAfter.toString());
  expect(p.collateralAmount.toString()).to.equal(q.collateralAfter.toString());
  expect(p.lockedAmount.toString()).to.equal((before ? before.lockedAmount : ZERO).add(q.lockedDelta).toString());
  expect(res.events.map((e) => e.name)).to.deep.equal(["positionIncreased"]);
  expect(res.events[0].data.price.toString()).to.equal(q.entryPrice.toString());
  await expectAccounting(f);
  return { q, p, res };
}

async function decrease(t: Trade, sizeUsd: BN, collateralOut: BN) {
  const { f, trader } = t;
  const state = await f.state();
  const p = (await position(t))!;
  const q = quoteDecreasePosition(state, p, sizeUsd, collateralOut, now(f));
  const receiving = trader.tokens[t.collateral];
  const before = balance(f, receiving);
  const ix = await decreasePositionIx(f.ctx.program, state, {
    position: p,
    receivingAccount: receiving,
    sizeUsd,
    collateralOut,
    acceptablePrice: t.side === Side.LONG ? ZERO : MAX,
  });
  const res = await send(f.ctx, [ix], [trader.kp]);
  expect(balance(f, receiving).sub(before).toString(), "amount out").to.equal(q.amountOut.toString());
  const after = await position(t);
  if (q.fullClose) {
    expect(after, "closed position account").to.equal(null);
  } else {
    expect(after!.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
    expect(after!.collateralAmount.toString()).to.equal(q.collateralAfter.toString());
  }
  expect(res.events[0].name).to.equal("positionDecreased");
  await expectAccounting(f);
  return { q, res };
}

describe("positions: open and close", () => {
  it("opens a SOL long on SOL collateral at max(spot, EMA) plus spread, locks its payout, and counts open interest", async () => {
    const { f, trader } = await setup();
    await f.setPrice("SOL", 150, { ema: 151 });
    const t = tradeOf(f, trader, Side.LONG, "SOL", "SOL");
    const { q, p } = await increase(t, USD(3_000), SOL(4));
    // 151 × (1 + 10 bps) = 151.151, 9 decimals, rounded up.
    expect(q.entryPrice.toString()).to.equal("151151000000");
    // Open fee 6 bps of $3,000 = $1.80.
    expect(q.feeUsd.toString()).to.equal(USD(1.8).toString());
    expect(p.side).to.equal(Side.LONG);
    expect(p.openTime.toString()).to.equal(now(f).toString());
    const sol = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    expect(sol.longOiUsd.toString()).to.equal(USD(3_000).toString());
    expect(sol.longOiTokens.toString()).to.equal(p.sizeTokens.toString());
    expect(sol.locked.toString()).to.equal(p.lockedAmount.toString());
    expect(sol.collateral.toString()).to.equal(p.collateralAmount.toString());
  });

  it("closes a long in profit in two steps, paying exactly the quotes, and returns the rent", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "SOL");
    await increase(t, USD(3_000), SOL(4));
    f.ctx.provider.warpSeconds(30);
    await f.setPrice("SOL", 165);
    await f.setPrice("USDC", 1);
    const half = await decrease(t, USD(1_500), SOL(1));
    expect(half.q.pnlProfit).to.equal(true);
    expect(half.q.profitTokens.gt(ZERO)).to.equal(true);
    const lamportsBefore = f.ctx.provider.balance(trader.kp.publicKey);
    const full = await decrease(t, USD(1_500), ZERO);
    expect(full.q.fullClose).to.equal(true);
    expect(f.ctx.provider.balance(trader.kp.publicKey) > lamportsBefore).to.equal(true);
    const sol = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    expect([
      sol.longOiUsd.toString(),
      sol.longOiTokens.toString(),
      sol.locked.toString(),
      sol.collateral.toString(),
    ]).to.deep.equal(["0", "0", "0", "0"]);
  });

  it("shorts SOL on USDC collateral: profit when the price falls, loss to the pool when it rises", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    const open = await increase(t, USD(10_000), USDC(1_000));
    // 150 × (1 − 10 bps) = 149.85, rounded down.
    expect(open.q.entryPrice.toString()).to.equal("149850000000");
    f.ctx.provider.warpSeconds(10);
    await f.setPrice("SOL", 140);
    await f.setPrice("USDC", 1);
    const partial = await decrease(t, USD(5_000), ZERO);
    expect(partial.q.pnlProfit).to.equal(true);
    await f.setPrice("SOL", 160);
    const usdcBefore = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    const closed = await decrease(t, USD(5_000), ZERO);
    expect(closed.q.pnlProfit).to.equal(false);
    const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(usdc.owned.sub(usdcBefore.owned).toString()).to.equal(closed.q.lossTokens.add(closed.q.lpFee).toString());
    const sol = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    expect([sol.shortOiUsd.toString(), sol.shortOiTokens.toString()]).to.deep.equal(["0", "0"]);
  });

  it("longs SOL on USDC collateral and pays profit in USDC", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "USDC");
    await increase(t, USD(2_000), USDC(500));
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 180);
    await f.setPrice("USDC", 1);
    const { q } = await decrease(t, USD(2_000), ZERO);
    expect(q.pnlProfit).to.equal(true);
    // +20 % on $2,000 less spread and fees, paid in USDC.
    expect(q.profitTokens.gt(USDC(350))).to.equal(true);
  });

  it("pays no profit on a position closed in the second it was opened", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "SOL");
    await increase(t, USD(1_000), SOL(2));
    await f.setPrice("SOL", 200);
    const { q } = await decrease(t, USD(1_000), ZERO);
    expect(q.pnlUsd.toString()).to.equal("0");
    expect(q.profitTokens.toString()).to.equal("0");
  });
});

describe("positions: borrow fees and collateral", () => {
  it("charges the borrow fee accrued over time on increase instead of resetting it", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "SOL");
    await increase(t, USD(6_000), SOL(10));
    f.ctx.provider.warpSeconds(30 * 24 * 3600);
    await f.setPrice("SOL", 150);
    await f.setPrice("USDC", 1);
    const { q, p, res } = await increase(t, USD(1_000), SOL(1));
    // Settled first, before the increase is quoted; the event reports it (`settled`).
    const fee = q.settlement!.borrowFee;
    expect(fee.gt(ZERO), "a month of borrow fees").to.equal(true);
    expect(res.settled.map((s) => s.borrowFee.toString())).to.deep.equal([fee.toString()]);
    expect(q.borrowFeeTokens.toString()).to.equal("0");
    expect(p.borrowFeesPaid.toString()).to.equal(fee.toString());
    const sol = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    expect(p.borrowIndexSnapshot.toString()).to.equal(sol.borrowIndex.toString());
    expect(sol.borrowIndex.gt(new BN("1000000000000"))).to.equal(true);
  });

  it("adds and removes collateral within the leverage limit", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(t, USD(10_000), USDC(1_000));
    let state = await f.state();
    let p = (await position(t))!;
    const res = await send(
      f.ctx,
      [
        await addCollateralIx(f.ctx.program, state, {
          position: p,
          fundingAccount: trader.tokens.USDC,
          amount: USDC(500),
        }),
      ],
      [trader.kp],
    );
    expect(res.events[0].name).to.equal("collateralAdded");
    p = (await position(t))!;
    expect(p.collateralAmount.gt(USDC(1_490))).to.equal(true);
    await expectAccounting(f);

    state = await f.state();
    const q = quoteDecreasePosition(state, p, ZERO, USDC(400), now(f));
    const before = balance(f, trader.tokens.USDC);
    await send(
      f.ctx,
      [
        await removeCollateralIx(f.ctx.program, state, {
          position: p,
          receivingAccount: trader.tokens.USDC,
          amount: USDC(400),
        }),
      ],
      [trader.kp],
    );
    expect(balance(f, trader.tokens.USDC).sub(before).toString()).to.equal(q.amountOut.toString());
    await expectAccounting(f);

    // Taking out all but $150 would put $10,000 on 66x: refused.
    state = await f.state();
    p = (await position(t))!;
    const tooMuch = await removeCollateralIx(f.ctx.program, state, {
      position: p,
      receivingAccount: trader.tokens.USDC,
      amount: p.collateralAmount.sub(USDC(150)),
    });
    await expectProgramError(f.ctx, [tooMuch], "LeverageTooHigh", await watchTrade(t), [trader.kp]);
  });
});

async function watchTrade(t: Trade): Promise<PublicKey[]> {
  const s = await t.f.state();
  return [
    t.key,
    ...s.custodies.flatMap((c) => [c.address, c.account.vault]),
    t.trader.tokens.SOL,
    t.trader.tokens.USDC,
  ];
}

describe("positions: refusals", () => {
  it("refuses slippage, oversize, open-interest caps, leverage and dust collateral", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "USDC");
    const state = await f.state();
    const watch = await watchTrade(t);
    const build = (sizeUsd: BN, collateralAmount: BN, acceptablePrice = MAX, side = Side.LONG) =>
      increasePositionIx(f.ctx.program, state, {
        owner: trader.kp.publicKey,
        side,
        custody: f.assets.SOL.custody,
        collateralCustody: f.assets.USDC.custody,
        fundingAccount: trader.tokens.USDC,
        sizeUsd,
        collateralAmount,
        acceptablePrice,
      });
    await expectProgramError(
      f.ctx,
      [await build(USD(1_000), USDC(100), new BN("150000000000"))],
      "SlippageExceeded",
      watch,
      [trader.kp],
    );
    await expectProgramError(f.ctx, [await build(USD(1_000_001), USDC(50_000))], "PositionTooLarge", watch, [
      trader.kp,
    ]);
    await expectProgramError(f.ctx, [await build(USD(10_000), USDC(100))], "LeverageTooHigh", watch, [trader.kp]);
    await expectProgramError(f.ctx, [await build(USD(50), USDC(5))], "CollateralTooSmall", watch, [trader.kp]);
    await expectProgramError(f.ctx, [await build(ZERO, USDC(100))], "ZeroAmount", watch, [trader.kp]);
    // The pool holds ~$190k: a position locking more than owned less the buffer is refused.
    await expectProgramError(f.ctx, [await build(USD(500_000), USDC(50_000))], "InsufficientLiquidity", watch, [
      trader.kp,
    ]);
  });

  it("refuses a position that takes its side's open interest over the cap", async () => {
    const { f, trader } = await fundedPool([
      {
        symbol: "SOL",
        decimals: 9,
        price: 150,
        params: { targetWeightBps: 5000, maxLongOiUsd: units(5_000, 6), maxShortOiUsd: units(100_000, 6) },
      },
      { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
    ]).then(async ({ f }) => ({ f, trader: await f.user({ SOL: SOL(100), USDC: USDC(100_000) }) }));
    const t = tradeOf(f, trader, Side.LONG, "SOL", "USDC");
    await increase(t, USD(4_000), USDC(400));
    const state = await f.state();
    const ix = await increasePositionIx(f.ctx.program, state, {
      owner: trader.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.USDC.custody,
      fundingAccount: trader.tokens.USDC,
      sizeUsd: USD(1_001),
      collateralAmount: USDC(200),
      acceptablePrice: MAX,
    });
    await expectProgramError(f.ctx, [ix], "OpenInterestCap", await watchTrade(t), [trader.kp]);
    // The other side has its own cap.
    await increase(tradeOf(f, trader, Side.SHORT, "SOL", "USDC"), USD(4_000), USDC(400));
  });

  it("refuses a short on SOL collateral, a stablecoin market, an unknown side, and trading while paused", async () => {
    const { f, trader } = await setup();
    const state = await f.state();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "SOL");
    const watch = await watchTrade(t);
    const build = (side: number, market: string, collateral: string) =>
      increasePositionIx(f.ctx.program, state, {
        owner: trader.kp.publicKey,
        side,
        custody: f.assets[market].custody,
        collateralCustody: f.assets[collateral].custody,
        fundingAccount: trader.tokens[collateral],
        sizeUsd: USD(1_000),
        collateralAmount: collateral === "SOL" ? SOL(2) : USDC(300),
        acceptablePrice: side === Side.LONG ? MAX : ZERO,
      });
    await expectProgramError(f.ctx, [await build(Side.SHORT, "SOL", "SOL")], "InvalidCollateralCustody", watch, [
      trader.kp,
    ]);
    await expectProgramError(f.ctx, [await build(Side.LONG, "USDC", "USDC")], "InvalidCollateralCustody", watch, [
      trader.kp,
    ]);
    await expectProgramError(f.ctx, [await build(3, "SOL", "USDC")], "InvalidSide", watch, [trader.kp]);
    await send(f.ctx, [await setPauseIx(f.ctx.program, f.ctx.admin.publicKey, PauseFlags.TRADING)]);
    await expectProgramError(f.ctx, [await build(Side.LONG, "SOL", "USDC")], "Paused", watch, [trader.kp]);
  });

  it("refuses another trader's position, a mismatched custody pair, and a closing price past the bound", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(t, USD(2_000), USDC(500));
    const thief = await f.user({ USDC: USDC(10) });
    const state = await f.state();
    const p = (await position(t))!;
    const watch = await watchTrade(t);
    const base = await decreasePositionIx(f.ctx.program, state, {
      position: p,
      receivingAccount: trader.tokens.USDC,
      sizeUsd: USD(2_000),
      collateralOut: ZERO,
      acceptablePrice: MAX,
    });
    // The thief signs as owner with the victim's position and their own token account.
    const stolen = withAccount(withAccount(base, 0, { pubkey: thief.kp.publicKey }), 9, { pubkey: thief.tokens.USDC });
    await expectProgramError(f.ctx, [stolen], "PositionMismatch", watch, [thief.kp]);
    await expectProgramError(
      f.ctx,
      [withAccount(base, 4, { pubkey: f.assets.USDC.custody })],
      "PositionMismatch",
      watch,
      [trader.kp],
    );
    const bound = await decreasePositionIx(f.ctx.program, state, {
      position: p,
      receivingAccount: trader.tokens.USDC,
      sizeUsd: USD(2_000),
      collateralOut: ZERO,
      acceptablePrice: new BN("140000000000"),
    });
    await expectProgramError(f.ctx, [bound], "SlippageExceeded", watch, [trader.kp]);
    await expectProgramError(
      f.ctx,
      [
        await decreasePositionIx(f.ctx.program, state, {
          position: p,
          receivingAccount: trader.tokens.USDC,
          sizeUsd: USD(2_001),
          collateralOut: ZERO,
          acceptablePrice: MAX,
        }),
      ],
      "SizeTooLarge",
      watch,
      [trader.kp],
    );
  });
});

describe("positions: the position's bump", () => {
  /** The SDK's open of a 1,000 USD SOL long on 200 USDC, with its canonical bump. */
  const openSolLong = async (f: PoolFixture, who: User) =>
    increasePositionIx(f.ctx.program, await f.state(), {
      owner: who.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.USDC.custody,
      fundingAccount: who.tokens.USDC,
      sizeUsd: USD(1_000),
      collateralAmount: USDC(200),
      acceptablePrice: MAX,
    });

  it("opens at the canonical address whatever bump the client passes; a wrong one costs the search", async () => {
    const { f } = await setup();
    const pda = (who: User) =>
      positionPda(who.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody, Side.LONG);
    // Owners picked by their position's canonical bump, so each cost below is known: at 255 the
    // SDK's bump is taken with one hash; below it, every higher bump is shown to be on the curve.
    const first = await userWithPositionBump(f, (b) => b === 255, { USDC: USDC(10_000) });
    const second = await userWithPositionBump(f, (b) => b <= 253, { USDC: USDC(10_000) });
    const opened: number[] = [];
    // Both open the same market: the first with the SDK's bump (the canonical one), the second with
    // one above its canonical bump (never valid: the canonical bump is the highest that derives an
    // address off the curve).
    for (const [who, shift] of [
      [first, 0],
      [second, 1],
    ] as const) {
      const ix = await openSolLong(f, who);
      const [address, canonical] = pda(who);
      const data = Buffer.from(ix.data);
      expect(data[data.length - 1], "the SDK passes the canonical bump").to.equal(canonical);
      data[data.length - 1] = canonical + shift;
      const { cu } = await send(f.ctx, [withData(ix, data)], [who.kp]);
      const position = await fetchPosition(f.ctx.program, address);
      expect(position?.sizeUsd.toString()).to.equal(USD(1_000).toString());
      expect(position?.bump, "stored bump").to.equal(canonical);
      opened.push(cu);
    }
    // The wrong bump's hash is rejected, then the search hashes and tests against the curve each
    // bump from 255 down to the canonical one: a few hundred CU a step (a create_program_address
    // is 1,500).
    const steps = 256 - pda(second)[1];
    expect(opened[1], "a wrong bump pays for the search").to.be.greaterThan(opened[0]! + 300 * steps);
    expect(opened[1], "a search step costs less than one create_program_address").to.be.lessThan(
      opened[0]! + 200 + 500 * steps,
    );
  });

  it("takes the client's bump only when it is the canonical one: an owner below 255 pays a curve test per higher bump", async () => {
    const { f } = await setup();
    const pda = (who: User) =>
      positionPda(who.kp.publicKey, f.pool, f.assets.SOL.custody, f.assets.USDC.custody, Side.LONG);
    const costs = new Map<number, number>();
    for (let i = 0; i < 64 && !(costs.has(255) && costs.has(254)); i++) {
      const who = await f.user({ USDC: USDC(10_000) });
      const bump = pda(who)[1];
      if (bump < 254 || costs.has(bump)) continue;
      costs.set(bump, (await send(f.ctx, [await openSolLong(f, who)], [who.kp])).cu);
      expect((await fetchPosition(f.ctx.program, pda(who)[0]))?.bump).to.equal(bump);
    }
    // One step: a hash and a curve test of bump 255's address (and building the seed table once).
    const step = costs.get(254)! - costs.get(255)!;
    expect(step, "one higher bump shown on the curve").to.be.within(300, 600);
  });

  it("refuses a bump whose address is on the curve even when that very address is passed: the runtime will not sign for it", async () => {
    // The program checks the client's bump by hashing, and shows every higher bump's address to be
    // on the curve (so it is the highest off-curve one only if its own address is off the curve);
    // the runtime's derivation for the creating signature does that last off-curve test. An owner
    // whose canonical bump is below 255 has bump 255 on the curve, above the canonical one: the
    // program takes it and the runtime refuses to sign for it. (An on-curve bump below the canonical
    // one is refused by the program itself: tests/pda-bumps.test.ts.)
    const { f } = await setup();
    const trader = await userWithPositionBump(f, (b) => b < 255, { USDC: USDC(10_000) });
    const seeds = [
      Buffer.from("position"),
      trader.kp.publicKey.toBuffer(),
      f.pool.toBuffer(),
      f.assets.SOL.custody.toBuffer(),
      f.assets.USDC.custody.toBuffer(),
      Buffer.from([Side.LONG]),
    ];
    const [canonical] = positionPda(
      trader.kp.publicKey,
      f.pool,
      f.assets.SOL.custody,
      f.assets.USDC.custody,
      Side.LONG,
    );
    let bump = -1;
    let onCurve = PublicKey.default;
    for (let b = 255; b >= 0 && bump < 0; b--) {
      const hash = createHash("sha256")
        .update(
          Buffer.concat([
            ...seeds,
            Buffer.from([b]),
            f.ctx.program.programId.toBuffer(),
            Buffer.from("ProgramDerivedAddress"),
          ]),
        )
        .digest();
      if (PublicKey.isOnCurve(hash)) [bump, onCurve] = [b, new PublicKey(hash)];
    }
    expect(bump, "some bump derives an address on the curve").to.be.at.least(0);
    const ix = await openSolLong(f, trader);
    const at = ix.keys.findIndex((k) => k.pubkey.equals(canonical));
    const data = Buffer.from(ix.data);
    data[data.length - 1] = bump;
    const forged = withAccount(withData(ix, data), at, { pubkey: onCurve });
    const watch = [
      onCurve,
      canonical,
      trader.tokens.USDC,
      f.assets.SOL.custody,
      f.assets.USDC.custody,
      f.assets.USDC.vault,
    ];
    const before = snapshot(f.ctx, watch);
    let err: unknown;
    try {
      await send(f.ctx, [forged], [trader.kp]);
    } catch (e) {
      err = e;
    }
    expect(err, "the transaction fails").to.not.equal(undefined);
    const logs = ((err as { logs?: string[] }).logs ?? []).join("\n");
    expect(logs).to.include("failed: Could not create program address with signer seeds");
    expect(snapshot(f.ctx, watch), "nothing changed").to.deep.equal(before);
  });
});

describe("positions: account checks", () => {
  it("validates every account of increase_position", async () => {
    const { f, trader } = await setup();
    const state = await f.state();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "USDC");
    const watch = await watchTrade(t);
    const base = await increasePositionIx(f.ctx.program, state, {
      owner: trader.kp.publicKey,
      side: Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets.USDC.custody,
      fundingAccount: trader.tokens.USDC,
      sizeUsd: USD(1_000),
      collateralAmount: USDC(200),
      acceptablePrice: MAX,
    });
    const err = (ix: typeof base, name: string, signers = [trader.kp]) =>
      expectProgramError(f.ctx, [ix], name, watch, signers);
    await err(withAccount(base, 0, { isSigner: false }), "MissingSigner", []);
    await err(withAccount(base, 1, { pubkey: f.pool }), "InvalidAccountData");
    await err(withAccount(base, 2, { pubkey: f.assets.SOL.custody }), "InvalidAccountData");
    const wrongPda = Keypair.generate().publicKey;
    await err(withAccount(base, 3, { pubkey: wrongPda }), "InvalidPda");
    await err(withAccount(base, 4, { isWritable: false }), "AccountNotWritable");
    await err(withAccount(base, 5, { pubkey: f.assets.USDC.oracle }), "InvalidOracleAccount");
    await err(withAccount(base, 7, { pubkey: f.assets.SOL.oracle }), "InvalidOracleAccount");
    await err(withAccount(base, 8, { pubkey: f.assets.SOL.vault }), "InvalidTokenAccount");
    await err(withAccount(base, 9, { pubkey: trader.tokens.SOL }), "InvalidTokenAccount");
    await err(withAccount(base, 10, { pubkey: f.assets.SOL.custody }), "InvalidTokenProgram");
    // A position record of another side passed for this one.
    const short = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(short, USD(1_000), USDC(200));
    await err(withAccount(base, 3, { pubkey: short.key }), "PositionMismatch");
  });
});

describe("positions: pool value", () => {
  it("counts traders' unrealized PnL in pool value, so a deposit is quoted exactly with positions open", async () => {
    const { f, trader, lpUser } = await setup();
    const t = tradeOf(f, trader, Side.LONG, "SOL", "SOL");
    await increase(t, USD(30_000), SOL(40));
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("USDC", 1);
    let state = await f.state();
    const flat = valuePool(state, "min", now(f)).aumUsd;
    await f.setPrice("SOL", 170);
    state = await f.state();
    const up = valuePool(state, "min", now(f));
    // SOL owned by the pool rose, but the long's gain is owed to the trader.
    const sol = state.custodies.find((c) => c.address.equals(f.assets.SOL.custody))!;
    expect(up.aumUsd.lt(flat.add(sol.account.owned.muln(20).div(new BN(1000))))).to.equal(true);
    const q = quoteDeposit(state, f.assets.USDC.custody, USDC(1_000), now(f));
    const before = balance(f, lpUser.lp);
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: lpUser.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: lpUser.tokens.USDC,
          lpTokenAccount: lpUser.lp,
          amountIn: USDC(1_000),
          minLpOut: q.lpOut,
        }),
      ],
      [lpUser.kp],
    );
    expect(balance(f, lpUser.lp).sub(before).toString()).to.equal(q.lpOut.toString());
  });
});

describe("liquidate_position", () => {
  async function liquidate(t: Trade) {
    const { f } = t;
    const keeper = await f.user();
    const state = await f.state();
    const p = (await position(t))!;
    const q = quoteLiquidatePosition(state, p, now(f));
    const ownerAccount = t.trader.tokens[t.collateral];
    const ownerBefore = balance(f, ownerAccount);
    const ix = await liquidatePositionIx(f.ctx.program, state, {
      keeper: keeper.kp.publicKey,
      position: p,
      keeperAccount: keeper.tokens[t.collateral],
      ownerAccount,
    });
    const res = await send(f.ctx, [ix], [keeper.kp]);
    expect(balance(f, keeper.tokens[t.collateral]).toString(), "keeper reward").to.equal(q.rewardTokens.toString());
    expect(balance(f, ownerAccount).sub(ownerBefore).toString(), "owner out").to.equal(q.ownerOut.toString());
    expect(res.events[0].name).to.equal("positionLiquidated");
    await expectAccounting(f);
    return { q, res };
  }

  it("refuses a healthy position", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(t, USD(10_000), USDC(1_000));
    const keeper = await f.user();
    const state = await f.state();
    const p = (await position(t))!;
    const ix = await liquidatePositionIx(f.ctx.program, state, {
      keeper: keeper.kp.publicKey,
      position: p,
      keeperAccount: keeper.tokens.USDC,
      ownerAccount: trader.tokens.USDC,
    });
    await expectProgramError(f.ctx, [ix], "NotLiquidatable", await watchTrade(t), [keeper.kp]);
  });

  it("first reduces a position below maintenance margin, leaving it healthy", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(t, USD(20_000), USDC(1_000));
    const p = (await position(t))!;
    const liq = liquidationPrice(await f.state(), p, now(f))!;
    f.ctx.provider.warpSeconds(5);
    // Just past the liquidation price (9-decimal price → 8-decimal oracle).
    await f.setPrice("SOL", Number(liq.toString()) / 1e9 + 0.02);
    await f.setPrice("USDC", 1);
    const { q } = await liquidate(t);
    expect(q.full).to.equal(false);
    const after = (await position(t))!;
    expect(after.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
    expect(after.sizeUsd.lt(USD(20_000))).to.equal(true);
  });

  it("closes a bankrupt position fully; the insurance fund pays the bad debt", async () => {
    const { f, trader } = await setup();
    const t = tradeOf(f, trader, Side.SHORT, "SOL", "USDC");
    await increase(t, USD(20_000), USDC(1_000));
    f.ctx.provider.warpSeconds(5);
    await f.setPrice("SOL", 170);
    await f.setPrice("USDC", 1);
    const insuranceBefore = (await fetchCustody(f.ctx.program, f.assets.USDC.custody)).insurance;
    const { q } = await liquidate(t);
    expect(q.full).to.equal(true);
    expect(q.insuranceUsed.gt(ZERO)).to.equal(true);
    const usdc = await fetchCustody(f.ctx.program, f.assets.USDC.custody);
    expect(
      insuranceBefore
        .add(q.settlementFees.insurance)
        .add(q.insuranceFee)
        .sub(q.insuranceUsed)
        .sub(q.rewardFromInsurance)
        .toString(),
    ).to.equal(usdc.insurance.toString());
    expect(await position(t)).to.equal(null);
  });
});

void Keypair;
void createTokenAccount;
