/**
 * The security suites' world: the one test world (`World`, tests/world.ts) with two pools whose
 * accounts are look-alikes of each other, and traders with positions, loans and trigger orders.
 *
 * - `main`: Pyth `PriceUpdateV2` oracles published by the admin through the local price publisher
 *   (at the Pyth receiver's address); a test forges any field with `writePyth`. SOL (9 decimals),
 *   ETH (8), USDC (6, stable).
 * - `alt`: the same SOL and USDC mints priced by feeds of its own: its custodies, vaults and
 *   oracles are the "other pool's" accounts of the same mint (an oracle of alt is a valid, fully
 *   verified price of another feed); a 20 s LP cooldown.
 *
 * After `buildWorld` the prices have moved so that every permissionless instruction has a valid
 * target: carol's 35x SOL long and her loan are liquidatable, dave's ETH long may be
 * auto-deleveraged (the ETH custody's threshold is set to 1 bps), alice's take-profit and limit
 * orders are triggered.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import {
  OracleKind,
  OrderKind,
  Side,
  createMint,
  custodySettingsOf,
  defaultPoolParams,
  defaultRiskParams,
  findCustody,
  nextProposalAddress,
  orderPda,
  poolParamsOf,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  withSettings,
} from "../../sdk/src";
import { units } from "../fixtures";
import { PoolRef, Wallet, World, ZERO, price9, usd } from "../world";

const FEEDS: Record<string, Buffer> = {
  SOL: Buffer.alloc(32, 0x51),
  ETH: Buffer.alloc(32, 0xe7),
  USDC: Buffer.alloc(32, 0xc0),
};
/** The alt pool's feeds: other feeds of the same assets. */
const ALT_FEEDS: Record<string, Buffer> = { SOL: Buffer.alloc(32, 0x52), USDC: Buffer.alloc(32, 0xc1) };

export const START_PRICES: Record<string, number> = { SOL: 150, ETH: 3_000, USDC: 1 };

export interface WorldKeys {
  /** alice's positions: SOL long on SOL, SOL short on USDC. */
  aliceLong: PublicKey;
  aliceShort: PublicKey;
  bobLong: PublicKey;
  bobShort: PublicKey;
  /** carol's 35x SOL long: liquidatable after the world's price moves. */
  carolLong: PublicKey;
  /** dave's ETH long on USDC: in profit, auto-deleverageable. */
  daveLong: PublicKey;
  /** Loans: SOL collateral, USDC borrowed. carol's is liquidatable. */
  aliceLoan: PublicKey;
  bobLoan: PublicKey;
  carolLoan: PublicKey;
  /** alice's take-profit (slot 0) and stop-loss (slot 1) on her SOL long, bob's take-profit (slot 0). */
  aliceTp: PublicKey;
  aliceSl: PublicKey;
  bobTp: PublicKey;
  /** alice's limit order (slot 0) for an ETH long on ETH, whose position does not exist yet. */
  aliceLimit: PublicKey;
  aliceLimitPosition: PublicKey;
  /** Pending settings proposals: main's (timelock 0: due) of the pool and of ETH, alt's (24 h: not due) of the pool and of SOL. */
  mainPoolProposal: PublicKey;
  mainEthProposal: PublicKey;
  altPoolProposal: PublicKey;
  altSolProposal: PublicKey;
}

export async function buildWorld(): Promise<{ w: World; k: WorldKeys }> {
  const w = await World.create();
  const admin = w.admin.publicKey;

  const mints: Record<string, { decimals: number; mint: PublicKey }> = {};
  for (const [symbol, decimals] of [
    ["SOL", 9],
    ["ETH", 8],
    ["USDC", 6],
  ] as const) {
    mints[symbol] = { decimals, mint: await createMint(w.provider, decimals, admin) };
  }
  for (const [symbol, p] of Object.entries(START_PRICES)) w.prices[symbol] = price9(p);

  // Pools may have any timelock, as on a local cluster: main changes settings at once, alt waits 24 h.
  // main: Pyth oracles.
  const main = await w.addPool(
    "main",
    defaultPoolParams({ lpCooldownSecs: 0, timelockSecs: 0 }),
    (
      [
        ["SOL", 4000, false],
        ["ETH", 2000, false],
        ["USDC", 4000, true],
      ] as const
    ).map(([symbol, target, stable]) => ({
      symbol,
      ...mints[symbol],
      feedId: FEEDS[symbol],
      params: {
        oracleKind: OracleKind.PYTH,
        isStable: stable,
        targetWeightBps: target,
        spreadBps: stable ? 0 : 5,
      },
    })),
  );
  // alt: feeds of its own, the same SOL and USDC mints. alt keeps deposits in its LP escrow for
  // 20 s: alice's and bob's are claimable by the end of setup (claim_lp has a valid baseline).
  const alt = await w.addPool(
    "alt",
    defaultPoolParams({ lpCooldownSecs: 20 }),
    (
      [
        ["SOL", false],
        ["USDC", true],
      ] as const
    ).map(([symbol, stable]) => ({
      symbol,
      ...mints[symbol],
      feedId: ALT_FEEDS[symbol],
      params: { isStable: stable, targetWeightBps: 5000 },
    })),
  );
  w.republish();

  // Wallets, each with a token account of every mint and of both LP mints.
  for (const name of ["lp", "alice", "bob", "carol", "dave", "keeper", "stranger"]) {
    const big = name === "lp" ? 10_000_000 : 100_000;
    await w.wallet(name, { SOL: big / 100, ETH: big / 1000, USDC: big });
  }
  const { lp, alice, bob, carol, dave } = w.wallets;

  // Liquidity: the lp fills both pools; alice and bob hold a little (LP records).
  const deposit = async (pool: PoolRef, u: Wallet, symbol: string, n: number) =>
    w.mustOk(
      await w.deposit(u, symbol, units(n, pool.assets[symbol].decimals), pool),
      `deposit ${pool.name} ${u.name} ${symbol}`,
    );
  await deposit(main, lp, "USDC", 2_000_000);
  await deposit(main, lp, "SOL", 13_000);
  await deposit(main, lp, "ETH", 300);
  await deposit(alt, lp, "USDC", 500_000);
  await deposit(alt, lp, "SOL", 3_000);
  for (const u of [alice, bob]) {
    await deposit(main, u, "USDC", 5_000);
    await deposit(alt, u, "USDC", 1_000);
  }
  w.provider.warpSlots(1);

  // Positions.
  const open = async (u: Wallet, side: number, market: string, collateral: string, sizeUsd: BN, coll: BN) => {
    w.mustOk(await w.open(u, side, market, collateral, sizeUsd, coll), `open ${u.name}`);
    return w.positionKey(u, side, market, collateral);
  };
  const SOL = (n: number) => units(n, 9);
  const USDC = (n: number) => units(n, 6);
  const aliceLong = await open(alice, Side.LONG, "SOL", "SOL", usd(3_000), SOL(10));
  const aliceShort = await open(alice, Side.SHORT, "SOL", "USDC", usd(3_000), USDC(1_500));
  const bobLong = await open(bob, Side.LONG, "SOL", "SOL", usd(3_000), SOL(10));
  const bobShort = await open(bob, Side.SHORT, "SOL", "USDC", usd(3_000), USDC(1_500));
  const carolLong = await open(carol, Side.LONG, "SOL", "SOL", usd(35_000), SOL(6.7));
  const daveLong = await open(dave, Side.LONG, "ETH", "USDC", usd(30_000), USDC(3_000));

  // Loans: SOL collateral, USDC borrowed; carol near the maximum LTV.
  const loan = async (u: Wallet, collSol: number, borrowUsdc: number) => {
    w.mustOk(await w.loanDeposit(u, "SOL", "USDC", SOL(collSol)), `loan collateral ${u.name}`);
    w.mustOk(await w.borrow(u, "SOL", "USDC", USDC(borrowUsdc)), `borrow ${u.name}`);
    return w.loanKey(u, "SOL", "USDC");
  };
  const aliceLoan = await loan(alice, 20, 500);
  const bobLoan = await loan(bob, 20, 500);
  const carolLoan = await loan(carol, 100, 11_240);

  // Orders (a take-profit's and stop-loss's acceptable price is 0, a limit order's any).
  const order = async (
    u: Wallet,
    a: {
      slot: number;
      kind: number;
      side: number;
      market: string;
      coll: string;
      trigger: number;
      size: BN;
      collateral: BN;
    },
  ) => {
    w.mustOk(await w.placeOrder(u, { ...a, trigger: price9(a.trigger), sizeUsd: a.size }), `place_order ${u.name}`);
    const position = w.positionKey(u, a.side, a.market, a.coll);
    return { order: orderPda(position, a.slot)[0], position };
  };
  const tp = { kind: OrderKind.TAKE_PROFIT, side: Side.LONG, market: "SOL", coll: "SOL", size: ZERO, collateral: ZERO };
  const aliceTp = (await order(alice, { ...tp, slot: 0, trigger: 100 })).order;
  const aliceSl = (await order(alice, { ...tp, slot: 1, kind: OrderKind.STOP_LOSS, trigger: 200 })).order;
  const bobTp = (await order(bob, { ...tp, slot: 0, trigger: 100 })).order;
  const limit = await order(alice, {
    slot: 0,
    kind: OrderKind.LIMIT,
    side: Side.LONG,
    market: "ETH",
    coll: "ETH",
    trigger: 4_000,
    size: usd(1_000),
    collateral: units(0.2, 8),
  });

  // ETH may be auto-deleveraged as soon as longs are in profit.
  await w.setRisk("ETH", defaultRiskParams({ adlThresholdBps: 1, adlFloorBps: 0 }));

  // Time passes (no profit in the opening second), SOL falls, ETH rises.
  w.prices.SOL = price9(140);
  w.prices.ETH = price9(3_300);
  w.warp(30);

  // Pending settings proposals, one of each kind in each pool.
  const proposals: PublicKey[] = [];
  for (const pool of [main, alt]) {
    const custody = pool === main ? main.assets.ETH.custody : alt.assets.SOL.custody;
    let state = w.state(pool);
    proposals.push(nextProposalAddress(state, pool.pool, w.program.programId));
    w.ok(
      [
        await proposePoolParamsIx(w.program, state, {
          admin,
          params: { ...poolParamsOf(state.pool), maxAumUsd: usd(900_000_000) },
        }),
      ],
      `propose ${pool.name} pool settings`,
    );
    state = w.state(pool);
    proposals.push(nextProposalAddress(state, custody, w.program.programId));
    const settings = withSettings(custodySettingsOf(findCustody(state, custody).account), {
      params: { openFeeBps: 7 },
    });
    w.ok(
      [await proposeCustodyParamsIx(w.program, state, { admin, custody, settings })],
      `propose ${pool.name} custody settings`,
    );
  }

  const keys: WorldKeys = {
    mainPoolProposal: proposals[0],
    mainEthProposal: proposals[1],
    altPoolProposal: proposals[2],
    altSolProposal: proposals[3],
    aliceLong,
    aliceShort,
    bobLong,
    bobShort,
    carolLong,
    daveLong,
    aliceLoan,
    bobLoan,
    carolLoan,
    aliceTp,
    aliceSl,
    bobTp,
    aliceLimit: limit.order,
    aliceLimitPosition: limit.position,
  };
  return { w, k: keys };
}
