/**
 * The risk engine end to end (issue 6): price impact on increases and
 * decreases (the worked numbers, by the program and by the SDK quote),
 * funding between the sides with its per-second cap, auto-deleveraging and
 * its refusals, the admin's risk parameters, and trigger orders — each
 * success equal to the SDK's prediction, each refusal with its exact error
 * and no account changed, the accounting identity checked after each step.
 */
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  OrderKind,
  Position,
  RiskParams,
  Side,
  adlCloseSize,
  adlRatioAfter,
  adlStatus,
  autoDeleverageIx,
  cancelOrderIx,
  addLiquidityIx,
  custodyFunding,
  decreasePositionIx,
  defaultRiskParams,
  executeOrderIx,
  fetchCustody,
  fetchOrder,
  fetchPosition,
  increasePositionIx,
  insuranceFunds,
  joinU128,
  orderPda,
  orderStale,
  orderTriggered,
  positionAfterDecrease,
  positionAfterIncrease,
  placeOrderIx,
  positionPda,
  pricedCustody,
  quoteDecreasePosition,
  quoteIncreasePosition,
  refreshCustodyIx,
  topUpInsuranceIx,
} from "../sdk/src";
import {
  AssetSpec,
  PoolFixture,
  User,
  balance,
  expectAccounting,
  fundedPool,
  now,
  poolFixture,
  units,
} from "./fixtures";
import { expectProgramError, send, withAccount } from "./helpers";

const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);
const PRICE = (n: number) => units(n, 9);
const ceilDiv = (a: BN, b: BN) => a.add(b).subn(1).div(b);

async function setRisk(f: PoolFixture, symbol: string, params: RiskParams) {
  await f.setCustody(symbol, { risk: params });
}

function positionKey(f: PoolFixture, u: User, side: number, market: string, collateral: string): PublicKey {
  return positionPda(u.kp.publicKey, f.pool, f.assets[market].custody, f.assets[collateral].custody, side)[0];
}

/** Opens or increases and checks the program against the SDK quote; returns the quote and the event. */
async function open(
  f: PoolFixture,
  u: User,
  side: number,
  market: string,
  collateral: string,
  sizeUsd: BN,
  collateralAmount: BN,
) {
  const state = await f.state();
  const key = positionKey(f, u, side, market, collateral);
  const before = await fetchPosition(f.ctx.program, key);
  const a = {
    position: before,
    side,
    custody: f.assets[market].custody,
    collateralCustody: f.assets[collateral].custody,
    sizeUsd,
    collateralAmount,
  };
  const q = quoteIncreasePosition(state, a, now(f));
  const ix = await increasePositionIx(f.ctx.program, state, {
    owner: u.kp.publicKey,
    side,
    custody: a.custody,
    collateralCustody: a.collateralCustody,
    fundingAccount: u.tokens[collateral],
    sizeUsd,
    collateralAmount,
    acceptablePrice: side === Side.LONG ? MAX : ZERO,
  });
  const res = await send(f.ctx, [ix], [u.kp]);
  const p = (await fetchPosition(f.ctx.program, key))!;
  expect(p.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
  expect(p.collateralAmount.toString()).to.equal(q.collateralAfter.toString());
  // The SDK's projection of the position (what the app prices before signing) is the account.
  const projected = positionAfterIncrease(
    state,
    now(f),
    before,
    { owner: u.kp.publicKey, side, custody: a.custody, collateralCustody: a.collateralCustody },
    q,
  );
  for (const k of [
    "sizeUsd",
    "sizeTokens",
    "collateralAmount",
    "lockedAmount",
    "entryPrice",
    "borrowIndexSnapshot",
    "fundingPaidSnapshot",
    "fundingReceivedSnapshot",
  ] as const) {
    expect(String(projected[k]), `projected ${k}`).to.equal(String(p[k]));
  }
  const ev = res.events.find((e) => e.name === "positionIncreased")!;
  expect(ev.data.price.toString(), "entry price = SDK quote").to.equal(q.entryPrice.toString());
  expect(ev.data.impactUsd.toString(), "impact = SDK quote").to.equal(q.priceImpactUsd.toString());
  await expectAccounting(f);
  return { q, ev: ev.data, key, position: p, cu: res.cu };
}

/** Decreases and checks against the SDK quote (including settled funding). */
async function close(f: PoolFixture, u: User, key: PublicKey, sizeUsd: BN) {
  const state = await f.state();
  const p = (await fetchPosition(f.ctx.program, key))!;
  const q = quoteDecreasePosition(state, p, sizeUsd, ZERO, now(f));
  const receiving = u.tokens[Object.keys(f.assets).find((s) => f.assets[s].custody.equals(p.collateralCustody))!];
  const before = balance(f, receiving);
  const ix = await decreasePositionIx(f.ctx.program, state, {
    position: p,
    receivingAccount: receiving,
    sizeUsd,
    collateralOut: ZERO,
    acceptablePrice: p.side === Side.LONG ? ZERO : MAX,
  });
  const res = await send(f.ctx, [ix], [u.kp]);
  expect(balance(f, receiving).sub(before).toString(), "amount out = SDK quote").to.equal(q.amountOut.toString());
  const ev = res.events.find((e) => e.name === "positionDecreased")!;
  expect(ev.data.price.toString(), "exit price = SDK quote").to.equal(q.exitPrice.toString());
  expect(ev.data.impactUsd.toString(), "impact = SDK quote").to.equal(q.priceImpactUsd.toString());
  const after = await fetchPosition(f.ctx.program, key);
  if (after) {
    const projected = positionAfterDecrease(state, now(f), p, q);
    for (const k of [
      "sizeUsd",
      "sizeTokens",
      "collateralAmount",
      "lockedAmount",
      "fundingPaidSnapshot",
      "fundingReceivedSnapshot",
    ] as const) {
      expect(String(projected[k]), `projected ${k}`).to.equal(String(after[k]));
    }
    expect(after.fundingSettledUsd.sub(p.fundingSettledUsd).toString(), "funding settled = SDK quote").to.equal(
      q.fundingUsd.toString(),
    );
  }
  await expectAccounting(f);
  return { q, ev: ev.data, before: p, after };
}

/** ETH at 5,000 with spread 0 and no confidence: the worked example. */
const ETH_ASSETS: AssetSpec[] = [
  { symbol: "ETH", decimals: 8, price: 5_000, params: { targetWeightBps: 3000, maxPositionUsd: USD(2_000_000) } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 7000 } },
];

async function ethPool() {
  const f = await poolFixture(ETH_ASSETS);
  const lp = await f.user({ USDC: USDC(2_000_000), ETH: units(200, 8) });
  for (const [symbol, amount] of [
    ["USDC", USDC(1_400_000)],
    ["ETH", units(120, 8)],
  ] as const) {
    const state = await f.state();
    await send(
      f.ctx,
      [
        await addLiquidityIx(f.ctx.program, state, {
          owner: lp.kp.publicKey,
          custody: f.assets[symbol].custody,
          fundingAccount: lp.tokens[symbol],
          lpTokenAccount: lp.lp,
          amountIn: amount,
          minLpOut: ZERO,
        }),
      ],
      [lp.kp],
    );
  }
  // Impact factor 1e-8 per USD (18 decimals: 1e10), exponent 2, caps 1 %; no funding.
  await setRisk(
    f,
    "ETH",
    defaultRiskParams({
      impactPositiveFactor: new BN(10_000_000_000),
      impactNegativeFactor: new BN(10_000_000_000),
      maxPositiveImpactBps: 100,
      maxNegativeImpactBps: 100,
      fundingFactor: ZERO,
    }),
  );
  f.ctx.provider.warpSlots(1);
  const trader = await f.user({ USDC: USDC(200_000) });
  return { f, trader };
}

describe("risk: price impact", () => {
  it("reproduces the worked numbers: 0 → 200k long OI costs 400 USD (≈ 5,010.02), 200k → 400k costs 1,200 USD (≈ 5,030.18)", async () => {
    const { f, trader } = await ethPool();
    const S = USD(200_000);
    const first = await open(f, trader, Side.LONG, "ETH", "USDC", S, USDC(25_000));
    expect(first.q.priceImpactUsd.toString()).to.equal(USD(400).neg().toString());
    // P·S / (S − I), rounded up: 5,000 × 200,000 / 199,600.
    const expected1 = ceilDiv(PRICE(5_000).mul(S), S.sub(USD(400)));
    expect(first.ev.price.toString()).to.equal(expected1.toString());
    expect(expected1.toString()).to.equal("5010020040081");
    const second = await open(f, trader, Side.LONG, "ETH", "USDC", S, USDC(25_000));
    expect(second.q.priceImpactUsd.toString()).to.equal(USD(1_200).neg().toString());
    const expected2 = ceilDiv(PRICE(5_000).mul(S), S.sub(USD(1_200)));
    expect(second.ev.price.toString()).to.equal(expected2.toString());
    expect(expected2.toString()).to.equal("5030181086520");
    const eth = await fetchCustody(f.ctx.program, f.assets.ETH.custody);
    expect(eth.longOiUsd.toString()).to.equal(USD(400_000).toString());
  });

  it("pays the trader a positive impact when a decrease shrinks the skew, capped by the custody", async () => {
    const { f, trader } = await ethPool();
    const { key } = await open(f, trader, Side.LONG, "ETH", "USDC", USD(400_000), USDC(60_000));
    // 400k → 300k: 1e-8 × (400k² − 300k²) = 700 USD, under the 1 % cap (1,000 USD).
    const d = await close(f, trader, key, USD(100_000));
    expect(d.q.priceImpactUsd.toString()).to.equal(USD(700).toString());
    // The closed tokens realize exactly the 700 USD: the long opened with a 1,600 USD impact, so
    // its 100k of size holds tokens worth 99,600 USD at 5,000, and the price moves by
    // 700 × 100,000 / 99,600 USD of size: P·(S + I·S/V)/S ≈ 5,035.14 (not 5,035, which paid 697.2).
    expect(d.ev.price.toString()).to.equal("5035140562250");
    const realized = d.q.closedTokens
      .mul(new BN(d.ev.price.toString()).sub(PRICE(5_000)))
      .div(new BN(10).pow(new BN(11)));
    expect(USD(700).sub(realized).abs().lten(1), `realized ${realized} of 700 USD`).to.equal(true);
    // With a 0.5 % cap the same decrease gains at most 500 USD.
    await setRisk(
      f,
      "ETH",
      defaultRiskParams({
        impactPositiveFactor: new BN(10_000_000_000),
        impactNegativeFactor: new BN(10_000_000_000),
        maxPositiveImpactBps: 50,
        maxNegativeImpactBps: 100,
        fundingFactor: ZERO,
      }),
    );
    const capped = await close(f, trader, key, USD(100_000));
    expect(capped.q.priceImpactUsd.toString()).to.equal(USD(500).toString());
  });

  it("refuses an opening whose negative impact would leave it under maintenance margin, as the SDK does", async () => {
    const { f, trader } = await ethPool();
    // Factor 1.0, exponent 1, 50 % cap: a 1,000 USD long pays 500 USD of impact (entry at twice the oracle price).
    await setRisk(
      f,
      "ETH",
      defaultRiskParams({
        impactPositiveFactor: ZERO,
        impactNegativeFactor: new BN("1000000000000000000"),
        impactExponent: 1,
        maxPositiveImpactBps: 0,
        maxNegativeImpactBps: 5_000,
        fundingFactor: ZERO,
      }),
    );
    const state = await f.state();
    const a = {
      position: null,
      side: Side.LONG,
      custody: f.assets.ETH.custody,
      collateralCustody: f.assets.USDC.custody,
      sizeUsd: USD(1_000),
      collateralAmount: USDC(300),
    };
    expect(() => quoteIncreasePosition(state, a, now(f))).to.throw("WouldBeLiquidatable");
    const ix = await increasePositionIx(f.ctx.program, state, {
      owner: trader.kp.publicKey,
      side: Side.LONG,
      custody: a.custody,
      collateralCustody: a.collateralCustody,
      fundingAccount: trader.tokens.USDC,
      sizeUsd: a.sizeUsd,
      collateralAmount: a.collateralAmount,
      acceptablePrice: MAX,
    });
    const key = positionKey(f, trader, Side.LONG, "ETH", "USDC");
    await expectProgramError(
      f.ctx,
      [ix],
      "WouldBeLiquidatable",
      [key, f.assets.ETH.custody, f.assets.USDC.custody, trader.tokens.USDC],
      [trader.kp],
    );
    // With enough collateral it opens at exactly twice the oracle price.
    const ok = await open(f, trader, Side.LONG, "ETH", "USDC", USD(1_000), USDC(900));
    expect(ok.ev.price.toString()).to.equal(PRICE(10_000).toString());
    expect(ok.q.priceImpactUsd.toString()).to.equal(USD(500).neg().toString());
  });
});

describe("risk: funding", () => {
  it("charges the heavier side and pays the lighter one through per-side indexes, as the SDK predicts", async () => {
    const { f, trader } = await ethPool();
    // 0.01 % per hour at full skew, capped at 0.05 % per hour.
    await setRisk(f, "ETH", defaultRiskParams({ impactPositiveFactor: ZERO, impactNegativeFactor: ZERO }));
    const long = await open(f, trader, Side.LONG, "ETH", "USDC", USD(300_000), USDC(40_000));
    const shorter = await f.user({ USDC: USDC(50_000) });
    const short = await open(f, shorter, Side.SHORT, "ETH", "USDC", USD(100_000), USDC(20_000));
    const rate = custodyFunding(await fetchCustody(f.ctx.program, f.assets.ETH.custody));
    expect(rate.longsPay).to.equal(true);
    // factor × skew / total = 0.01 %/h × 200k / 400k.
    expect(rate.ratePerSecond.toString()).to.equal(
      ceilDiv(new BN(27_777_777_777).muln(200_000), new BN(400_000)).toString(),
    );
    f.ctx.provider.warpSeconds(3_600);
    await f.setPrice("ETH", 5_000);
    await f.setPrice("USDC", 1);
    const l = await close(f, trader, long.key, USD(100_000));
    expect(l.q.fundingUsd.isNeg(), "longs pay").to.equal(true);
    // ≈ 300k × 0.005 % = 15 USD.
    expect(l.q.fundingUsd.neg().toNumber()).to.be.within(USD(14).toNumber(), USD(16).toNumber());
    const s = await close(f, shorter, short.key, USD(50_000));
    expect(s.q.fundingUsd.gtn(0), "shorts receive").to.equal(true);
    // The shorts receive per USD three times what longs pay (300k paying into 100k): all of it, rounded down.
    expect(s.q.fundingUsd.toNumber()).to.be.within(USD(14).toNumber(), USD(16).toNumber());
    expect(s.q.fundingUsd.lte(l.q.fundingUsd.neg().addn(1)), "never more than was paid").to.equal(true);
  });

  it("caps the rate per second at the custody's maximum", async () => {
    const { f, trader } = await ethPool();
    const maxRate = new BN(138_888_888_888);
    await setRisk(
      f,
      "ETH",
      defaultRiskParams({
        impactPositiveFactor: ZERO,
        impactNegativeFactor: ZERO,
        fundingFactor: new BN("1000000000000000"),
        maxFundingRate: maxRate,
      }),
    );
    await open(f, trader, Side.LONG, "ETH", "USDC", USD(100_000), USDC(20_000));
    const before = await fetchCustody(f.ctx.program, f.assets.ETH.custody);
    expect(custodyFunding(before).ratePerSecond.toString()).to.equal(maxRate.toString());
    f.ctx.provider.warpSeconds(100);
    await send(f.ctx, [await refreshCustodyIx(f.ctx.program, f.pool, f.assets.ETH.custody)]);
    const after = await fetchCustody(f.ctx.program, f.assets.ETH.custody);
    const paid = joinU128(after.longFundingPaid).sub(joinU128(before.longFundingPaid));
    expect(paid.toString()).to.equal(maxRate.muln(100).toString());
    // Nobody receives: no short open interest (the pool keeps the payments).
    expect(joinU128(after.shortFundingReceived).toString()).to.equal("0");
  });
});

describe("risk: a new custody's risk parameters", () => {
  it("gives a new custody the pool's ADL levels and no impact or funding", async () => {
    const { f } = await fundedPool();
    const c = await fetchCustody(f.ctx.program, f.assets.SOL.custody);
    expect([c.adlThresholdBps, c.adlFloorBps, c.impactExponent]).to.deep.equal([8_500, 7_700, 2]);
    expect([c.impactNegativeFactor.toString(), c.fundingFactor.toString()]).to.deep.equal(["0", "0"]);
  });
});

describe("risk: insurance fund", () => {
  it("shows each custody's fund in the SDK; the admin's top-up and the fee share feed it", async () => {
    const { f, lpUser } = await fundedPool();
    const before = insuranceFunds(await f.state(), now(f));
    const usdcIndex = (await f.state()).custodies.findIndex((c) => c.address.equals(f.assets.USDC.custody));
    const admin = await f.user({ USDC: USDC(5_000) });
    await send(
      f.ctx,
      [
        await topUpInsuranceIx(f.ctx.program, await f.state(), {
          payer: admin.kp.publicKey,
          custody: f.assets.USDC.custody,
          fundingAccount: admin.tokens.USDC,
          amount: USDC(2_500),
        }),
      ],
      [admin.kp],
    );
    const topped = insuranceFunds(await f.state(), now(f));
    expect(topped[usdcIndex].tokens.sub(before[usdcIndex].tokens).toString()).to.equal(USDC(2_500).toString());
    expect(topped[usdcIndex].valueUsd.sub(before[usdcIndex].valueUsd).toString()).to.equal(USD(2_500).toString());
    // A trade's fee sends the pool's insurance share (10 %) to the collateral custody's fund.
    const t = await open(f, lpUser, Side.SHORT, "SOL", "USDC", USD(10_000), USDC(1_000));
    const after = insuranceFunds(await f.state(), now(f));
    expect(after[usdcIndex].tokens.sub(topped[usdcIndex].tokens).toString()).to.equal(t.q.insuranceFee.toString());
    expect(t.q.insuranceFee.gtn(0)).to.equal(true);
    await expectAccounting(f);
  });
});

const SOL_USDC: AssetSpec[] = [
  { symbol: "SOL", decimals: 9, price: 150, params: { targetWeightBps: 5000 } },
  { symbol: "USDC", decimals: 6, price: 1, params: { isStable: true, targetWeightBps: 5000 } },
];

describe("risk: auto_deleverage", () => {
  async function adlSetup() {
    const { f } = await fundedPool(SOL_USDC);
    const keeper = await f.user();
    const a = await f.user({ USDC: USDC(20_000) });
    const b = await f.user({ USDC: USDC(20_000) });
    // Longs on SOL posting USDC: their profit is paid by the USDC custody.
    const pa = await open(f, a, Side.LONG, "SOL", "USDC", USD(50_000), USDC(10_000));
    const pb = await open(f, b, Side.LONG, "SOL", "USDC", USD(25_000), USDC(5_000));
    return { f, keeper, a, b, pa, pb };
  }

  const adl = async (f: PoolFixture, keeper: User, position: Position, sizeUsd: BN, ownerAccount: PublicKey) =>
    autoDeleverageIx(f.ctx.program, await f.state(), { keeper: keeper.kp.publicKey, position, ownerAccount, sizeUsd });

  it("refuses while the side's profit is below the threshold, and a losing position when it is above", async () => {
    const { f, keeper, a, pa } = await adlSetup();
    const watch = [pa.key, f.assets.SOL.custody, f.assets.USDC.custody, a.tokens.USDC];
    const p = (await fetchPosition(f.ctx.program, pa.key))!;
    expect(adlStatus(await f.state(), p, now(f)).allowed).to.equal(false);
    await expectProgramError(f.ctx, [await adl(f, keeper, p, USD(1_000), a.tokens.USDC)], "AdlNotAllowed", watch, [
      keeper.kp,
    ]);
    // SOL 150 → 330: the longs' profit (≈ 90k) exceeds 85 % of the USDC custody (≈ 100k).
    await f.setPrice("SOL", 330);
    const c = await f.user({ USDC: USDC(2_000) });
    const pc = await open(f, c, Side.LONG, "SOL", "USDC", USD(5_000), USDC(1_000));
    await f.setPrice("SOL", 325);
    const late = (await fetchPosition(f.ctx.program, pc.key))!;
    const status = adlStatus(await f.state(), late, now(f));
    expect(status.allowed, `ratio ${status.ratioBps.toString()}`).to.equal(true);
    await expectProgramError(
      f.ctx,
      [await adl(f, keeper, late, USD(1_000), c.tokens.USDC)],
      "AdlNotProfitable",
      [pc.key, f.assets.USDC.custody],
      [keeper.kp],
    );
  });

  it("reduces a profitable position into the band: not below the floor, lower than before", async () => {
    const { f, keeper, a, pa } = await adlSetup();
    await f.setPrice("SOL", 330);
    const p = (await fetchPosition(f.ctx.program, pa.key))!;
    const state = await f.state();
    const status = adlStatus(state, p, now(f));
    expect(status.allowed).to.equal(true);
    const watch = [pa.key, f.assets.SOL.custody, f.assets.USDC.custody, a.tokens.USDC];
    // Closing all of it takes the ratio under the 77 % floor.
    await expectProgramError(f.ctx, [await adl(f, keeper, p, p.sizeUsd, a.tokens.USDC)], "AdlTooLarge", watch, [
      keeper.kp,
    ]);
    // Proceeds must go to the owner's own token account.
    await expectProgramError(
      f.ctx,
      [await adl(f, keeper, p, USD(1_000), keeper.tokens.USDC)],
      "InvalidTokenAccount",
      watch,
      [keeper.kp],
    );
    // Without the keeper's signature nothing happens.
    await expectProgramError(
      f.ctx,
      [withAccount(await adl(f, keeper, p, USD(1_000), a.tokens.USDC), 0, { isSigner: false })],
      "MissingSigner",
      watch,
    );
    const size = adlCloseSize(state, p, now(f))!;
    expect(size.gt(ZERO) && size.lt(p.sizeUsd), `size ${size}`).to.equal(true);
    const before = balance(f, a.tokens.USDC);
    const q = quoteDecreasePosition(state, p, size, ZERO, now(f));
    const res = await send(f.ctx, [await adl(f, keeper, p, size, a.tokens.USDC)], [keeper.kp]);
    const ev = res.events.find((e) => e.name === "positionDeleveraged")!.data;
    expect(ev.ratioBeforeBps.toString()).to.equal(status.ratioBps.toString());
    expect(ev.ratioAfterBps.gten(status.floorBps) && ev.ratioAfterBps.lt(ev.ratioBeforeBps)).to.equal(true);
    expect(ev.ratioAfterBps.toString(), "ratio after = the SDK's").to.equal(
      adlRatioAfter(state, p, size, now(f)).toString(),
    );
    expect(balance(f, a.tokens.USDC).sub(before).toString(), "owner paid as the SDK quote").to.equal(
      q.amountOut.toString(),
    );
    const after = (await fetchPosition(f.ctx.program, pa.key))!;
    expect(after.sizeUsd.toString()).to.equal(p.sizeUsd.sub(size).toString());
    await expectAccounting(f);
    // Now under the threshold: no more deleveraging.
    expect(adlStatus(await f.state(), after, now(f)).allowed).to.equal(false);
    await expectProgramError(f.ctx, [await adl(f, keeper, after, USD(1_000), a.tokens.USDC)], "AdlNotAllowed", watch, [
      keeper.kp,
    ]);
    // SPEC §7 ceiling (last measured ~6,200 here; `npm run bench` has ~7,200 with impact and funding on).
    expect(res.cu, "auto_deleverage CU").to.be.below(15_000);
  });
});

describe("risk: trigger orders", () => {
  async function ordersSetup() {
    const { f } = await fundedPool(SOL_USDC);
    const trader = await f.user({ SOL: SOL(50), USDC: USDC(20_000) });
    const keeper = await f.user();
    const pos = await open(f, trader, Side.LONG, "SOL", "SOL", USD(3_000), SOL(5));
    return { f, trader, keeper, pos };
  }

  type PlaceOverrides = Partial<{
    slot: number;
    kind: number;
    side: number;
    triggerPrice: BN;
    acceptablePrice: BN;
    sizeUsd: BN;
    collateralAmount: BN;
    executionReward: BN;
    collateral: string;
  }>;
  async function place(f: PoolFixture, u: User, o: PlaceOverrides = {}): Promise<TransactionInstruction> {
    const collateral = o.collateral ?? "SOL";
    return placeOrderIx(f.ctx.program, await f.state(), {
      owner: u.kp.publicKey,
      side: o.side ?? Side.LONG,
      custody: f.assets.SOL.custody,
      collateralCustody: f.assets[collateral].custody,
      fundingAccount: u.tokens[collateral],
      slot: o.slot ?? 0,
      kind: o.kind ?? OrderKind.TAKE_PROFIT,
      triggerPrice: o.triggerPrice ?? PRICE(180),
      acceptablePrice: o.acceptablePrice ?? ZERO,
      sizeUsd: o.sizeUsd ?? ZERO,
      collateralAmount: o.collateralAmount ?? ZERO,
      executionReward: o.executionReward ?? new BN(100_000),
    });
  }

  async function execute(f: PoolFixture, keeper: User, order: PublicKey, ownerAccount: PublicKey) {
    const account = (await fetchOrder(f.ctx.program, order))!;
    return executeOrderIx(f.ctx.program, await f.state(), {
      keeper: keeper.kp.publicKey,
      order,
      account,
      ownerAccount,
    });
  }

  it("refuses invalid orders: slot, kind, collateral on a take-profit, reward, a taken slot, no position", async () => {
    const { f, trader, pos } = await ordersSetup();
    const order0 = orderPda(pos.key, 0)[0];
    const watch = [order0, trader.tokens.SOL, f.assets.SOL.custody];
    await expectProgramError(
      f.ctx,
      [await place(f, trader, { slot: 8 })],
      "InvalidOrder",
      [orderPda(pos.key, 8)[0], ...watch],
      [trader.kp],
    );
    await expectProgramError(f.ctx, [await place(f, trader, { kind: 4 })], "InvalidOrder", watch, [trader.kp]);
    await expectProgramError(f.ctx, [await place(f, trader, { collateralAmount: SOL(1) })], "InvalidOrder", watch, [
      trader.kp,
    ]);
    await expectProgramError(f.ctx, [await place(f, trader, { triggerPrice: ZERO })], "InvalidOrder", watch, [
      trader.kp,
    ]);
    await expectProgramError(
      f.ctx,
      [await place(f, trader, { executionReward: new BN(9_999) })],
      "ExecutionRewardTooSmall",
      watch,
      [trader.kp],
    );
    // A stop-loss for a short that does not exist (shorts post USDC).
    const shortKey = positionKey(f, trader, Side.SHORT, "SOL", "USDC");
    await expectProgramError(
      f.ctx,
      [await place(f, trader, { side: Side.SHORT, kind: OrderKind.STOP_LOSS, collateral: "USDC" })],
      "InvalidOrder",
      [orderPda(shortKey, 0)[0], trader.tokens.USDC],
      [trader.kp],
    );
    await send(f.ctx, [await place(f, trader)], [trader.kp]);
    await expectProgramError(
      f.ctx,
      [await place(f, trader, { kind: OrderKind.STOP_LOSS, triggerPrice: PRICE(120) })],
      "AlreadyInitialized",
      watch,
      [trader.kp],
    );
  });

  it("checks every account of place_order, execute_order and cancel_order", async () => {
    const { f, trader, keeper, pos } = await ordersSetup();
    const order0 = orderPda(pos.key, 0)[0];
    const watch = [order0, orderPda(pos.key, 1)[0], pos.key, trader.tokens.SOL, f.assets.SOL.custody];
    const ix = await place(f, trader);
    const other = await f.user({ SOL: SOL(10) });
    const otherPos = await open(f, other, Side.LONG, "SOL", "SOL", USD(1_000), SOL(2));
    const cases: [number, Partial<{ pubkey: PublicKey; isSigner: boolean; isWritable: boolean }>, string][] = [
      [0, { isSigner: false }, "MissingSigner"],
      [3, { pubkey: otherPos.key }, "PositionMismatch"],
      [4, { pubkey: orderPda(pos.key, 1)[0] }, "InvalidPda"],
      [7, { pubkey: f.assets.USDC.vault }, "InvalidTokenAccount"],
      [8, { pubkey: trader.tokens.USDC }, "InvalidTokenAccount"],
      [9, { pubkey: f.assets.SOL.mint }, "InvalidTokenProgram"],
    ];
    for (const [i, change, name] of cases) {
      await expectProgramError(
        f.ctx,
        [withAccount(ix, i, change)],
        name,
        watch,
        i === 0 && change.isSigner === false ? [] : [trader.kp],
      );
    }
    // The market custody is also the collateral custody here: both places read-only.
    await expectProgramError(
      f.ctx,
      [withAccount(withAccount(ix, 5, { isWritable: false }), 6, { isWritable: false })],
      "AccountNotWritable",
      watch,
      [trader.kp],
    );
    await send(f.ctx, [ix], [trader.kp]);
    await f.setPrice("SOL", 185);
    const exec = await execute(f, keeper, order0, trader.tokens.SOL);
    const execWatch = [order0, pos.key, f.assets.SOL.custody, trader.tokens.SOL];
    const execCases: [number, Partial<{ pubkey: PublicKey; isSigner: boolean; isWritable: boolean }>, string][] = [
      [0, { isSigner: false }, "MissingSigner"],
      [1, { isWritable: false }, "AccountNotWritable"],
      [1, { pubkey: pos.key }, "InvalidAccountData"],
      [2, { pubkey: other.kp.publicKey }, "OrderMismatch"],
      [7, { pubkey: f.assets.USDC.oracle }, "InvalidOracleAccount"],
      [10, { pubkey: f.assets.USDC.vault }, "InvalidTokenAccount"],
    ];
    for (const [i, change, name] of execCases) {
      await expectProgramError(
        f.ctx,
        [withAccount(exec, i, change)],
        name,
        execWatch,
        change.isSigner === false ? [] : [keeper.kp],
      );
    }
    const o = (await fetchOrder(f.ctx.program, order0))!;
    const cancel = await cancelOrderIx(f.ctx.program, await f.state(), {
      order: order0,
      account: o,
      receivingAccount: trader.tokens.SOL,
    });
    for (const [i, change, name] of [
      [0, { isSigner: false }, "MissingSigner"],
      [3, { pubkey: f.assets.USDC.custody }, "OrderMismatch"],
      [4, { pubkey: f.assets.USDC.vault }, "InvalidTokenAccount"],
      [5, { pubkey: trader.tokens.USDC }, "InvalidTokenAccount"],
    ] as [number, Partial<{ pubkey: PublicKey; isSigner: boolean }>, string][]) {
      await expectProgramError(
        f.ctx,
        [withAccount(cancel, i, change)],
        name,
        [order0, trader.tokens.SOL],
        change.isSigner === false ? [] : [trader.kp],
      );
    }
  });

  it("executes a take-profit only after the price crosses it; the keeper earns the reward, the owner the proceeds", async () => {
    const { f, trader, keeper, pos } = await ordersSetup();
    const lamportsBefore = f.ctx.provider.balance(trader.kp.publicKey);
    const placed = await send(
      f.ctx,
      [await place(f, trader, { triggerPrice: PRICE(180), executionReward: new BN(100_000) })],
      [trader.kp],
    );
    expect(placed.events[0].name).to.equal("orderPlaced");
    const order = orderPda(pos.key, 0)[0];
    const orderLamports = BigInt(f.ctx.provider.balance(order));
    await send(
      f.ctx,
      [
        await place(f, trader, {
          slot: 1,
          kind: OrderKind.STOP_LOSS,
          triggerPrice: PRICE(100),
          executionReward: new BN(20_000),
        }),
      ],
      [trader.kp],
    );
    expect(
      f.ctx.provider.balance(trader.kp.publicKey) + BigInt(f.ctx.provider.balance(orderPda(pos.key, 1)[0])),
      "owner paid rent + reward",
    ).to.equal(lamportsBefore - orderLamports);
    const watch = [order, pos.key, f.assets.SOL.custody, trader.tokens.SOL];
    // Not yet: 150 < 180.
    const o = (await fetchOrder(f.ctx.program, order))!;
    expect(orderTriggered(o, pricedCustody(await f.state(), f.assets.SOL.custody, now(f)).price.spot)).to.equal(false);
    await expectProgramError(f.ctx, [await execute(f, keeper, order, trader.tokens.SOL)], "OrderNotTriggered", watch, [
      keeper.kp,
    ]);
    await f.setPrice("SOL", 185);
    // Proceeds go to the owner's token account only.
    await expectProgramError(
      f.ctx,
      [await execute(f, keeper, order, keeper.tokens.SOL)],
      "InvalidTokenAccount",
      watch,
      [keeper.kp],
    );
    // A stale price refuses execution.
    f.ctx.provider.warpSeconds(120);
    await expectProgramError(f.ctx, [await execute(f, keeper, order, trader.tokens.SOL)], "StaleOraclePrice", watch, [
      keeper.kp,
    ]);
    await f.setPrice("SOL", 185);
    const state = await f.state();
    const p = (await fetchPosition(f.ctx.program, pos.key))!;
    const q = quoteDecreasePosition(state, p, p.sizeUsd, ZERO, now(f));
    const keeperBefore = f.ctx.provider.balance(keeper.kp.publicKey);
    const ownerLamports = f.ctx.provider.balance(trader.kp.publicKey);
    const tokensBefore = balance(f, trader.tokens.SOL);
    const res = await send(f.ctx, [await execute(f, keeper, order, trader.tokens.SOL)], [keeper.kp]);
    expect(res.events.map((e) => e.name)).to.deep.equal(["positionDecreased", "orderExecuted"]);
    expect(f.ctx.provider.balance(keeper.kp.publicKey) - keeperBefore, "keeper reward").to.equal(100_000n);
    expect(await fetchPosition(f.ctx.program, pos.key), "position closed").to.equal(null);
    expect(await fetchOrder(f.ctx.program, order), "order closed").to.equal(null);
    expect(q.fullClose).to.equal(true);
    expect(
      f.ctx.provider.balance(trader.kp.publicKey) > ownerLamports + orderLamports - 100_000n,
      "owner got the order rent and the position rent",
    ).to.equal(true);
    expect(balance(f, trader.tokens.SOL).sub(tokensBefore).toString()).to.equal(q.amountOut.toString());
    await expectAccounting(f);
    // The stop-loss of the closed position no longer applies: a keeper clears it for the reward.
    const sl = orderPda(pos.key, 1)[0];
    const slAccount = (await fetchOrder(f.ctx.program, sl))!;
    expect(orderStale(slAccount, null)).to.equal(true);
    const k2 = f.ctx.provider.balance(keeper.kp.publicKey);
    const cleared = await send(f.ctx, [await execute(f, keeper, sl, trader.tokens.SOL)], [keeper.kp]);
    expect(cleared.events.map((e) => e.name)).to.deep.equal(["orderCancelled"]);
    expect(f.ctx.provider.balance(keeper.kp.publicKey) - k2).to.equal(BigInt(slAccount.executionReward.toString()));
    expect(await fetchOrder(f.ctx.program, sl)).to.equal(null);
    // SPEC §7 ceiling (last measured ~6,000; bench ~6,300).
    expect(res.cu, "execute_order CU").to.be.below(15_000);
  });

  it("executes a partial stop-loss; refuses another position's order, a stranger's cancel; the owner's cancel refunds", async () => {
    const { f, trader, keeper, pos } = await ordersSetup();
    await send(
      f.ctx,
      [await place(f, trader, { slot: 1, kind: OrderKind.STOP_LOSS, triggerPrice: PRICE(140), sizeUsd: USD(1_000) })],
      [trader.kp],
    );
    await send(
      f.ctx,
      [await place(f, trader, { slot: 2, kind: OrderKind.TAKE_PROFIT, triggerPrice: PRICE(200) })],
      [trader.kp],
    );
    const sl = orderPda(pos.key, 1)[0];
    const tp = orderPda(pos.key, 2)[0];
    // Another trader's position with this order → OrderMismatch.
    const other = await f.user({ SOL: SOL(10) });
    const otherPos = await open(f, other, Side.LONG, "SOL", "SOL", USD(1_000), SOL(2));
    await f.setPrice("SOL", 139);
    const ix = await execute(f, keeper, sl, trader.tokens.SOL);
    await expectProgramError(
      f.ctx,
      [withAccount(ix, 5, { pubkey: otherPos.key })],
      "OrderMismatch",
      [sl, otherPos.key, pos.key],
      [keeper.kp],
    );
    const res = await send(f.ctx, [ix], [keeper.kp]);
    expect(res.events.map((e) => e.name)).to.deep.equal(["positionDecreased", "orderExecuted"]);
    const after = (await fetchPosition(f.ctx.program, pos.key))!;
    expect(after.sizeUsd.toString()).to.equal(USD(2_000).toString());
    // The take-profit stays; only its owner may cancel it.
    const o = (await fetchOrder(f.ctx.program, tp))!;
    const state = await f.state();
    const strangerIx = await cancelOrderIx(f.ctx.program, state, {
      order: tp,
      account: { ...o, owner: keeper.kp.publicKey },
      receivingAccount: keeper.tokens.SOL,
    });
    await expectProgramError(f.ctx, [strangerIx], "OrderMismatch", [tp], [keeper.kp]);
    const lamports = f.ctx.provider.balance(trader.kp.publicKey);
    const orderLamports = f.ctx.provider.balance(tp);
    const res2 = await send(
      f.ctx,
      [await cancelOrderIx(f.ctx.program, state, { order: tp, account: o, receivingAccount: trader.tokens.SOL })],
      [trader.kp],
    );
    expect(res2.events[0].name).to.equal("orderCancelled");
    expect(f.ctx.provider.balance(trader.kp.publicKey) - lamports, "reward and rent back").to.equal(orderLamports);
    expect(await fetchOrder(f.ctx.program, tp)).to.equal(null);
  });

  it("a limit order escrows its collateral, opens the position at the trigger, and repays the keeper the position's rent", async () => {
    const { f, keeper } = await ordersSetup();
    const buyer = await f.user({ USDC: USDC(5_000) });
    const key = positionKey(f, buyer, Side.LONG, "SOL", "USDC");
    const order = orderPda(key, 0)[0];
    const limit = (slot: number) =>
      place(f, buyer, {
        slot,
        kind: OrderKind.LIMIT,
        collateral: "USDC",
        triggerPrice: PRICE(140),
        acceptablePrice: PRICE(141),
        sizeUsd: USD(2_000),
        collateralAmount: USDC(500),
      });
    // A limit order needs a size and a worst price.
    await expectProgramError(
      f.ctx,
      [
        await place(f, buyer, {
          kind: OrderKind.LIMIT,
          collateral: "USDC",
          sizeUsd: ZERO,
          acceptablePrice: PRICE(141),
          collateralAmount: USDC(500),
        }),
      ],
      "InvalidOrder",
      [order, buyer.tokens.USDC],
      [buyer.kp],
    );
    const usdcBefore = balance(f, buyer.tokens.USDC);
    await send(f.ctx, [await limit(0)], [buyer.kp]);
    expect(usdcBefore.sub(balance(f, buyer.tokens.USDC)).toString()).to.equal(USDC(500).toString());
    expect((await fetchCustody(f.ctx.program, f.assets.USDC.custody)).orderCollateral.toString()).to.equal(
      USDC(500).toString(),
    );
    await expectAccounting(f);
    await expectProgramError(
      f.ctx,
      [await execute(f, keeper, order, buyer.tokens.USDC)],
      "OrderNotTriggered",
      [order, key, f.assets.USDC.custody],
      [keeper.kp],
    );
    await f.setPrice("SOL", 139);
    const o = (await fetchOrder(f.ctx.program, order))!;
    const keeperBefore = f.ctx.provider.balance(keeper.kp.publicKey);
    const res = await send(f.ctx, [await execute(f, keeper, order, buyer.tokens.USDC)], [keeper.kp]);
    expect(res.events.map((e) => e.name)).to.deep.equal(["positionIncreased", "orderExecuted"]);
    expect(f.ctx.provider.balance(keeper.kp.publicKey) - keeperBefore, "reward; the rent it paid is repaid").to.equal(
      BigInt(o.executionReward.toString()),
    );
    const p = (await fetchPosition(f.ctx.program, key))!;
    expect(p.sizeUsd.toString()).to.equal(USD(2_000).toString());
    expect(p.owner.equals(buyer.kp.publicKey)).to.equal(true);
    expect((await fetchCustody(f.ctx.program, f.assets.USDC.custody)).orderCollateral.toString()).to.equal("0");
    await expectAccounting(f);
    // SPEC §7 ceiling (last measured ~7,600; bench ~10,500 with the position's PDA search).
    expect(res.cu, "execute_order (limit) CU").to.be.below(15_000);
    // A second limit order, cancelled: the escrow comes back.
    await send(f.ctx, [await limit(1)], [buyer.kp]);
    const second = orderPda(key, 1)[0];
    const before = balance(f, buyer.tokens.USDC);
    const account = (await fetchOrder(f.ctx.program, second))!;
    await send(
      f.ctx,
      [
        await cancelOrderIx(f.ctx.program, await f.state(), {
          order: second,
          account,
          receivingAccount: buyer.tokens.USDC,
        }),
      ],
      [buyer.kp],
    );
    expect(balance(f, buyer.tokens.USDC).sub(before).toString()).to.equal(USDC(500).toString());
    expect((await fetchCustody(f.ctx.program, f.assets.USDC.custody)).orderCollateral.toString()).to.equal("0");
    await expectAccounting(f);
  });
});
