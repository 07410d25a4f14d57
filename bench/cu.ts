/**
 * `npm run bench`: compute units per instruction, measured on LiteSVM with
 * the token program it loads (p-token, SPL Token rewritten on pinocchio), against the SPEC §7
 * targets where one exists.
 * Writes bench/RESULTS.md.
 */
import { parkingBench } from "./parking";
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { execFileSync } from "child_process";
import { DEPLOY_DIR, PROGRAM_SO, PUBLISHER_SO } from "../tests/helpers";
import { createTransferInstruction } from "../sdk/src/provider/token";
import {
  LiteSvmProvider,
  PERPOOL_PROGRAM_ID,
  PerpoolProgram,
  RiskParams,
  CustodyParams,
  priceFeedPda,
  publishPriceIx,
  acceptAdminIx,
  addCustodyIx,
  addLiquidityIx,
  createMint,
  createPoolIx,
  createTokenAccount,
  custodyAddresses,
  defaultCustodyParams,
  defaultPoolParams,
  fetchPoolState,
  initConfigIx,
  mintTo,
  perpoolProgram,
  poolPda,
  proposeAdminIx,
  removeLiquidityIx,
  setPauseIx,
  swapIx,
  withdrawProtocolFeesIx,
  increasePositionIx,
  decreasePositionIx,
  addCollateralIx,
  removeCollateralIx,
  liquidatePositionIx,
  refreshCustodyIx,
  fetchPosition,
  positionPda,
  depositLoanCollateralIx,
  borrowIx,
  repayIx,
  withdrawLoanCollateralIx,
  liquidateLoanIx,
  lpIncomeSplit,
  defaultRiskParams,
  custodySettingsOf,
  executeCustodyParamsIx,
  findCustody,
  nextProposalAddress,
  proposeCustodyParamsIx,
  withSettings,
  placeOrderIx,
  cancelOrderIx,
  executeOrderIx,
  autoDeleverageIx,
  fetchOrder,
  orderPda,
  OrderKind,
  valuePool,
  topUpInsuranceIx,
  quoteIncreasePosition,
  quoteDecreasePosition,
  quoteDeposit,
  PoolState,
} from "../sdk/src";

// The build the tests load (PERPOOL_SBPF=v3: the SBPF v3 build, `npm run build -- --sbpf v3`).
const SO = PROGRAM_SO;
/** The profile build (`npm run build:profile`): the same program with compute-unit marks at phase boundaries. */
const PROFILE_SO = path.join(DEPLOY_DIR, "perpool-profile.so");
/** The build the next providers deploy: the release build, or the profile build during `profileRun`. */
let programSo = SO;
/** Logs of the transaction `measure` sent last (a row keeps them: the profile build's marks). */
let lastLogs: string[] = [];
/** The price publisher the next providers deploy (the v3 comparison swaps both programs). */
let publisherSo = PUBLISHER_SO;

/**
 * A fresh SVM as a cluster runs the program: Perpool deployed upgradeable (the
 * admin its upgrade authority), prices in Pyth `PriceUpdateV2` accounts
 * written by the local price publisher at the Pyth receiver's address.
 */
function benchProvider(admin: Keypair): LiteSvmProvider {
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin));
  provider.addUpgradeableProgram(PERPOOL_PROGRAM_ID, programSo, admin.publicKey);
  provider.addPricePublisher(publisherSo);
  return provider;
}

/** The Pyth feed id of a bench asset. */
const feedOf = (label: string): Buffer => createHash("sha256").update(`perpool-bench:${label}`).digest();
let keyCount = 0; // reset by `allRows`, so a second pass derives the same keys
/** `keyCount` where `trades` starts in `allRows`: a rerun of `trades` alone derives the same keys. */
let tradeKeys = 0;
/**
 * The bench's keys, mints and token accounts, the same on every run: a PDA's bump depends on the
 * addresses it is derived from (each rejected bump costs about 1,500 CU), so random keys would move
 * the figures of the instructions that search for one by thousands of CU from run to run.
 */
const benchKey = (): Keypair =>
  Keypair.fromSeed(createHash("sha256").update(`perpool-bench-key:${keyCount++}`).digest());

/** Publishes a price (8 decimals, spot = EMA, no confidence) of `feedId` at the clock, signed by `authority`. */
const priceIx = (authority: PublicKey, feedId: Buffer, price: BN) =>
  publishPriceIx({ authority, feedId, price, exponent: -8 });

/** The spread of opening costs across owners (filled by `trades`). */
const openSpread: string[] = [];
/** A bare SPL token transfer's compute units: the unit our figures are compared in. */
const baseline = { transfer: 0 };
/** The trading pool's state at the end of `trades`, for the SDK quote timing. */
const quoteInputs: {
  state?: PoolState;
  now?: BN;
  owner?: PublicKey;
  custodies?: PublicKey[];
  program?: ReturnType<typeof perpoolProgram>;
} = {};

/** Mean time per call of `fn` over `n` calls after a warm-up, microseconds. */
function timePerCall(n: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(100, n); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1_000 / n;
}

/** SDK quote timing (issue 8): increase, decrease and deposit quotes over many iterations. */
async function quoteTimes(program: ReturnType<typeof perpoolProgram>): Promise<string[]> {
  const { state, now, owner, custodies } = quoteInputs;
  if (!state || !now || !owner || !custodies) return [];
  const [sol, usdc] = custodies;
  const p = await fetchPosition(program, positionPda(owner, state.address, sol, sol, 1)[0]);
  const N = 2_000;
  const rows: [string, number][] = [
    [
      "quoteIncreasePosition (open a SOL long)",
      timePerCall(N, () =>
        quoteIncreasePosition(
          state,
          {
            position: null,
            side: 1,
            custody: sol,
            collateralCustody: sol,
            sizeUsd: new BN(3_000_000_000),
            collateralAmount: new BN(4_000_000_000),
          },
          now,
        ),
      ),
    ],
    [
      "quoteDepositUSDC (3 custodies valued)",
      timePerCall(N, () => quoteDeposit(state, usdc, new BN(1_000_000_000), now)),
    ],
  ];
  if (p)
    rows.splice(1, 0, [
      "quoteDecreasePosition (partial)",
      timePerCall(N, () => quoteDecreasePosition(state, p, p.sizeUsd.divn(2), new BN(0), now)),
    ]);
  return [
    `SDK quote time (mean of ${N.toLocaleString("en-US")} calls after a warm-up, this machine):`,
    "",
    "| quote | µs per call | quotes per second |",
    "|---|---:|---:|",
    ...rows.map(
      ([name, us]) =>
        `| ${name.replace("quoteDepositUSDC", "quoteDeposit")} | ${us.toFixed(1)} | ${Math.round(1e6 / us).toLocaleString("en-US")} |`,
    ),
  ];
}

interface Row {
  instruction: string;
  custodies: number | "";
  cu: number;
  target?: number;
  /** The logs of the transaction measured for this row. */
  logs?: string[];
}

/** Rows that keep, each, the logs of the transaction `measure` sent just before it was pushed. */
class Rows extends Array<Row> {
  override push(...items: Row[]): number {
    for (const r of items) r.logs ??= lastLogs;
    return super.push(...items);
  }
}

/** New risk parameters for a custody of a zero-timelock pool: proposed, then executed; the CU of each. */
async function setRisk(
  program: PerpoolProgram,
  provider: LiteSvmProvider,
  args: { admin: PublicKey; pool: PublicKey; custody: PublicKey; risk: RiskParams },
): Promise<[number, number]> {
  const state = await fetchPoolState(program, args.pool);
  const settings = withSettings(custodySettingsOf(findCustody(state, args.custody).account), { risk: args.risk });
  const proposal = nextProposalAddress(state, args.custody, program.programId);
  const propose = await measure(provider, [
    await proposeCustodyParamsIx(program, state, { admin: args.admin, custody: args.custody, settings }),
  ]);
  const execute = await measure(provider, [
    await executeCustodyParamsIx(program, state, {
      admin: args.admin,
      proposal,
      custody: args.custody,
      oracle: settings.oracle,
    }),
  ]);
  return [propose, execute];
}

async function measure(
  provider: LiteSvmProvider,
  ixs: TransactionInstruction[],
  signers: Keypair[] = [],
): Promise<number> {
  const sig = await provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  const result = provider.getTxResult(sig)!;
  lastLogs = result.logs;
  return Number(result.computeUnits);
}

/** A pool with `n` custodies priced by published Pyth feeds, each with liquidity from `lp`. */
async function scenario(n: number, rows: Row[], recordAdmin: boolean, writable: string[] = []) {
  const admin = benchKey();
  const provider = benchProvider(admin);
  const program = perpoolProgram(provider);
  const a = admin.publicKey;
  const rec = (instruction: string, cu: number, target?: number, custodies: number | "" = "") =>
    rows.push({ instruction, custodies, cu, target });

  const initCu = await measure(provider, [await initConfigIx(program, a)]);
  const createCu = await measure(provider, [
    await createPoolIx(program, { admin: a, name: "bench", params: defaultPoolParams({ lpCooldownSecs: 0 }) }),
  ]);
  const [pool] = poolPda("bench");
  const mints: PublicKey[] = [];
  let addCustodyCu = 0;
  let priceCu = 0;
  for (let i = 0; i < n; i++) {
    const mint = await createMint(provider, 6, a, { keypair: benchKey() });
    mints.push(mint);
    const feedId = feedOf(`scenario-${i}`);
    await measure(provider, [priceIx(a, feedId, new BN(100_000_000))]);
    // An update of an existing price account (what a price feed sends), not its creation.
    priceCu = await measure(provider, [priceIx(a, feedId, new BN(100_000_001))]);
    const params = defaultCustodyParams({ feedId: Array.from(feedId), targetWeightBps: Math.floor(10_000 / n) });
    addCustodyCu = await measure(provider, [
      await addCustodyIx(program, { admin: a, pool, mint, params, pythOracle: priceFeedPda(feedId)[0] }),
    ]);
  }
  if (recordAdmin) {
    rec("init_config", initCu);
    rec("create_pool", createCu);
    rec("add_custody", addCustodyCu);
    rec("publish_price (local price publisher, not Perpool)", priceCu);
    const next = benchKey();
    provider.airdrop(next.publicKey, 1_000_000_000n);
    rec("propose_admin", await measure(provider, [await proposeAdminIx(program, a, next.publicKey)]));
    rec("accept_admin", await measure(provider, [await acceptAdminIx(program, next.publicKey)], [next]));
    rec("set_pause", await measure(provider, [await setPauseIx(program, next.publicKey, 0)], [next]));
    await measure(provider, [await proposeAdminIx(program, next.publicKey, a)], [next]);
    await measure(provider, [await acceptAdminIx(program, a)]);
  }

  const user = benchKey();
  provider.airdrop(user.publicKey, 10_000_000_000n);
  let state = await fetchPoolState(program, pool);
  const lp = await createTokenAccount(provider, state.pool.lpMint, user.publicKey, benchKey());
  const accounts: PublicKey[] = [];
  for (const mint of mints) {
    const t = await createTokenAccount(provider, mint, user.publicKey, benchKey());
    await mintTo(provider, mint, t, admin, new BN("1000000000000"));
    accounts.push(t);
  }
  // Seed every custody (first deposits create the LP record), then measure a steady-state deposit.
  for (let i = 0; i < n; i++) {
    state = await fetchPoolState(program, pool);
    await measure(
      provider,
      [
        await addLiquidityIx(program, state, {
          owner: user.publicKey,
          custody: state.custodies[i].address,
          fundingAccount: accounts[i],
          lpTokenAccount: lp,
          amountIn: new BN(1_000_000_000),
          minLpOut: new BN(0),
        }),
      ],
      [user],
    );
  }
  state = await fetchPoolState(program, pool);
  const names: Record<string, PublicKey> = {
    pool,
    user: user.publicKey,
    lpMint: state.pool.lpMint,
    lp,
    ...Object.fromEntries(state.custodies.map((c, i) => [`custody${i}`, c.address])),
  };
  const lpWritable = (what: string, ix: TransactionInstruction) => {
    if (writable.length < 16)
      writable.push(
        `${what} (${n} custodies): ${ix.keys
          .filter((k) => k.isWritable)
          .map((k) => label(k.pubkey, names))
          .join(", ")}`,
      );
    return ix;
  };
  rec(
    "add_liquidity",
    await measure(
      provider,
      [
        lpWritable(
          "add_liquidity",
          await addLiquidityIx(program, state, {
            owner: user.publicKey,
            custody: state.custodies[0].address,
            fundingAccount: accounts[0],
            lpTokenAccount: lp,
            amountIn: new BN(10_000_000),
            minLpOut: new BN(0),
          }),
        ),
      ],
      [user],
    ),
    n >= 4 ? 25_000 : undefined,
    n,
  );
  provider.warpSlots(1);
  state = await fetchPoolState(program, pool);
  rec(
    "remove_liquidity",
    await measure(
      provider,
      [
        lpWritable(
          "remove_liquidity",
          await removeLiquidityIx(program, state, {
            owner: user.publicKey,
            custody: state.custodies[0].address,
            receivingAccount: accounts[0],
            lpTokenAccount: lp,
            lpIn: new BN(5_000_000),
            minAmountOut: new BN(0),
          }),
        ),
      ],
      [user],
    ),
    undefined,
    n,
  );
  if (n >= 2) {
    state = await fetchPoolState(program, pool);
    rec(
      "swap",
      await measure(
        provider,
        [
          lpWritable(
            "swap",
            await swapIx(program, state, {
              owner: user.publicKey,
              custodyIn: state.custodies[0].address,
              custodyOut: state.custodies[1].address,
              fundingAccount: accounts[0],
              receivingAccount: accounts[1],
              amountIn: new BN(1_000_000),
              minAmountOut: new BN(0),
            }),
          ),
        ],
        [user],
      ),
      20_000,
      n,
    );
  }
  if (recordAdmin) {
    state = await fetchPoolState(program, pool);
    rec(
      "top_up_insurance",
      await measure(
        provider,
        [
          await topUpInsuranceIx(program, state, {
            payer: user.publicKey,
            custody: state.custodies[0].address,
            fundingAccount: accounts[0],
            amount: new BN(1_000_000),
          }),
        ],
        [user],
      ),
    );
    // Baseline: a bare SPL token transfer between two accounts of the same owner.
    const t = await createTokenAccount(provider, mints[0], user.publicKey, benchKey());
    baseline.transfer = await measure(
      provider,
      [createTransferInstruction(accounts[0], t, user.publicKey, 1_000)],
      [user],
    );
  }
  if (recordAdmin) {
    state = await fetchPoolState(program, pool);
    const treasury = await createTokenAccount(provider, mints[0], a, benchKey());
    rec(
      "withdraw_protocol_fees",
      await measure(provider, [
        await withdrawProtocolFeesIx(program, state, {
          admin: a,
          custody: state.custodies[0].address,
          receivingAccount: treasury,
          amount: state.custodies[0].account.protocolFees,
        }),
      ]),
    );
  }
  void SystemProgram;
}

/**
 * What the trading markets run with: as deployed, or with some of their features switched off
 * (`featureCosts`). Overrides of the custodies' parameters and risk parameters.
 */
interface Features {
  custody: Partial<CustodyParams>;
  risk: Partial<RiskParams>;
}
const AS_DEPLOYED: Features = { custody: {}, risk: {} };

/** Trades on a SOL/USDC pool: open, increase, collateral changes, partial and full close, liquidation. */
async function trades(rows: Row[], writable: string[], features: Features = AS_DEPLOYED) {
  const admin = benchKey();
  const provider = benchProvider(admin);
  const program = perpoolProgram(provider);
  const a = admin.publicKey;
  // A local cluster's config and pool: settings changes take effect at once.
  await measure(provider, [await initConfigIx(program, a, { minTimelockSecs: 0 })]);
  await measure(provider, [
    await createPoolIx(program, { admin: a, name: "trade", params: defaultPoolParams({ timelockSecs: 0 }) }),
  ]);
  const [pool] = poolPda("trade");
  const specs = [
    { decimals: 9, price: new BN("15000000000"), isStable: false, feedId: feedOf("SOL") },
    { decimals: 6, price: new BN("100000000"), isStable: true, feedId: feedOf("USDC") },
    { decimals: 8, price: new BN("9500000000000"), isStable: false, feedId: feedOf("BTC") },
  ];
  const mints: PublicKey[] = [];
  for (const s of specs) {
    const mint = await createMint(provider, s.decimals, a, { keypair: benchKey() });
    mints.push(mint);
    await measure(provider, [priceIx(a, s.feedId, s.price)]);
    const params = defaultCustodyParams({
      feedId: Array.from(s.feedId),
      isStable: s.isStable,
      targetWeightBps: 3333,
      spreadBps: 10,
      ...features.custody,
    });
    await measure(provider, [
      await addCustodyIx(program, { admin: a, pool, mint, params, pythOracle: priceFeedPda(s.feedId)[0] }),
    ]);
  }
  // The markets trade with price impact and funding on, as deployed.
  for (const i of [0, 2]) {
    const { custody } = custodyAddresses(pool, mints[i], program.programId);
    const [proposeCu, executeCu] = await setRisk(program, provider, {
      admin: a,
      pool,
      custody,
      risk: defaultRiskParams(features.risk),
    });
    if (i === 0) {
      rows.push({ instruction: "propose_custody_params", custodies: "", cu: proposeCu });
      rows.push({ instruction: "execute_custody_params", custodies: "", cu: executeCu });
    }
  }
  const user = benchKey();
  provider.airdrop(user.publicKey, 10_000_000_000n);
  let state = await fetchPoolState(program, pool);
  const lp = await createTokenAccount(provider, state.pool.lpMint, user.publicKey, benchKey());
  const tokens: PublicKey[] = [];
  for (const mint of mints) {
    const t = await createTokenAccount(provider, mint, user.publicKey, benchKey());
    await mintTo(provider, mint, t, admin, new BN("100000000000000"));
    tokens.push(t);
  }
  const deposits = [new BN("1000000000000"), new BN("150000000000"), new BN("150000000")];
  for (let i = 0; i < 3; i++) {
    state = await fetchPoolState(program, pool);
    await measure(
      provider,
      [
        await addLiquidityIx(program, state, {
          owner: user.publicKey,
          custody: state.custodies[i].address,
          fundingAccount: tokens[i],
          lpTokenAccount: lp,
          amountIn: deposits[i],
          minLpOut: new BN(0),
        }),
      ],
      [user],
    );
  }
  const [sol, usdc, btc] = state.custodies.map((c) => c.address);
  const MAXP = new BN("18446744073709551615");
  const open = async (
    market: PublicKey,
    collateralCustody: PublicKey,
    funding: PublicKey,
    side: number,
    sizeUsd: BN,
    collateral: BN,
  ) => {
    state = await fetchPoolState(program, pool);
    return increasePositionIx(program, state, {
      owner: user.publicKey,
      side,
      custody: market,
      collateralCustody,
      fundingAccount: funding,
      sizeUsd,
      collateralAmount: collateral,
      acceptablePrice: side === 1 ? MAXP : new BN(0),
    });
  };
  const openIx = await open(sol, sol, tokens[0], 1, new BN(3_000_000_000), new BN(4_000_000_000));
  writable.push(
    `increase_position (SOL long): ${openIx.keys
      .filter((k) => k.isWritable)
      .map((k) => label(k.pubkey, { pool, sol, usdc, btc, user: user.publicKey }))
      .join(", ")}`,
  );
  rows.push({
    instruction: "increase_position (open)",
    custodies: "",
    cu: await measure(provider, [openIx], [user]),
    target: 15_000,
  });
  provider.warpSeconds(3600);
  const reprice = async () => {
    for (let i = 0; i < 3; i++) await measure(provider, [priceIx(a, specs[i].feedId, specs[i].price)]);
  };
  await reprice();
  rows.push({
    instruction: "increase_position (increase)",
    custodies: "",
    cu: await measure(
      provider,
      [await open(sol, sol, tokens[0], 1, new BN(1_000_000_000), new BN(1_000_000_000))],
      [user],
    ),
    target: 15_000,
  });
  const btcIx = await open(btc, usdc, tokens[1], 2, new BN(20_000_000_000), new BN(500_000_000));
  writable.push(
    `increase_position (BTC short): ${btcIx.keys
      .filter((k) => k.isWritable)
      .map((k) => label(k.pubkey, { pool, sol, usdc, btc, user: user.publicKey }))
      .join(", ")}`,
  );
  await measure(provider, [btcIx], [user]);
  const solKeys = new Set(openIx.keys.filter((k) => k.isWritable).map((k) => k.pubkey.toBase58()));
  const shared = btcIx.keys.filter(
    (k) => k.isWritable && solKeys.has(k.pubkey.toBase58()) && !k.pubkey.equals(user.publicKey),
  );
  writable.push(
    `Pool account writable in a trade: ${openIx.keys.some((k) => k.isWritable && k.pubkey.equals(pool)) ? "YES" : "no"}; writable accounts shared by a SOL-on-SOL long and a BTC-on-USDC short (besides the trader): ${shared.length ? shared.map((k) => k.pubkey.toBase58()).join(", ") : "none"}`,
  );

  const position = async (market: PublicKey, coll: PublicKey, side: number) =>
    (await fetchPosition(program, positionPda(user.publicKey, pool, market, coll, side)[0]))!;
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "add_collateral",
    custodies: "",
    cu: await measure(
      provider,
      [
        await addCollateralIx(program, state, {
          position: await position(sol, sol, 1),
          fundingAccount: tokens[0],
          amount: new BN(100_000_000),
        }),
      ],
      [user],
    ),
  });
  rows.push({
    instruction: "remove_collateral",
    custodies: "",
    cu: await measure(
      provider,
      [
        await removeCollateralIx(program, state, {
          position: await position(sol, sol, 1),
          receivingAccount: tokens[0],
          amount: new BN(100_000_000),
        }),
      ],
      [user],
    ),
  });
  provider.warpSeconds(60);
  await reprice();
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "decrease_position (partial)",
    custodies: "",
    cu: await measure(
      provider,
      [
        await decreasePositionIx(program, state, {
          position: await position(sol, sol, 1),
          receivingAccount: tokens[0],
          sizeUsd: new BN(1_000_000_000),
          collateralOut: new BN(0),
          acceptablePrice: new BN(0),
        }),
      ],
      [user],
    ),
    target: 15_000,
  });
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "decrease_position (full)",
    custodies: "",
    cu: await measure(
      provider,
      [
        await decreasePositionIx(program, state, {
          position: await position(sol, sol, 1),
          receivingAccount: tokens[0],
          sizeUsd: (await position(sol, sol, 1)).sizeUsd,
          collateralOut: new BN(0),
          acceptablePrice: new BN(0),
        }),
      ],
      [user],
    ),
    target: 15_000,
  });
  rows.push({
    instruction: "refresh_custody",
    custodies: "",
    cu: await measure(provider, [await refreshCustodyIx(program, pool, sol)]),
  });
  // Liquidation: BTC up 2 % against a 40x short.
  await measure(provider, [priceIx(a, specs[2].feedId, new BN("9700000000000"))]);
  state = await fetchPoolState(program, pool);
  const keeper = benchKey();
  provider.airdrop(keeper.publicKey, 1_000_000_000n);
  const keeperUsdc = await createTokenAccount(provider, mints[1], keeper.publicKey, benchKey());
  rows.push({
    instruction: "liquidate_position",
    custodies: "",
    cu: await measure(
      provider,
      [
        await liquidatePositionIx(program, state, {
          keeper: keeper.publicKey,
          position: await position(btc, usdc, 2),
          keeperAccount: keeperUsdc,
          ownerAccount: tokens[1],
        }),
      ],
      [keeper],
    ),
    target: 15_000,
  });

  // Opening cost over many owners: the client passes the position's bump, so the cost no
  // longer depends on the owner's address (a bump search costs a hash and a curve test, about
  // 400 CU, per rejected bump; it was a 1,500 CU create_program_address).
  const opens: number[] = [];
  for (let i = 0; i < 48; i++) {
    const owner = benchKey();
    provider.airdrop(owner.publicKey, 1_000_000_000n);
    const t = await createTokenAccount(provider, mints[1], owner.publicKey, benchKey());
    await mintTo(provider, mints[1], t, admin, new BN(1_000_000_000));
    state = await fetchPoolState(program, pool);
    const ix = await increasePositionIx(program, state, {
      owner: owner.publicKey,
      side: 2,
      custody: sol,
      collateralCustody: usdc,
      fundingAccount: t,
      sizeUsd: new BN(1_000_000_000),
      collateralAmount: new BN(200_000_000),
      acceptablePrice: new BN(0),
    });
    opens.push(await measure(provider, [ix], [owner]));
  }
  opens.sort((x, y) => x - y);
  const pick = (q: number) => opens[Math.min(opens.length - 1, Math.floor(q * opens.length))];
  openSpread.push(
    `Opening a position (increase_position on a new SOL short, ${opens.length} random owners): min ${opens[0].toLocaleString("en-US")}, median ${pick(0.5).toLocaleString("en-US")}, 90th percentile ${pick(0.9).toLocaleString("en-US")}, max ${opens[opens.length - 1].toLocaleString("en-US")} CU; over the 15,000 target: ${opens.filter((c) => c > 15_000).length}. The SDK passes the position's canonical bump and the program derives the address once; with a search by create_program_address instead (an earlier version), 48 owners gave min 9,257, median 10,802, 90th percentile 13,833, max 22,834 CU.`,
  );

  // Keep a priced state with an open SOL long for the SDK quote timing.
  await measure(provider, [await open(sol, sol, tokens[0], 1, new BN(2_000_000_000), new BN(2_000_000_000))], [user]);
  quoteInputs.state = await fetchPoolState(program, pool);
  quoteInputs.now = new BN(provider.getClock().unixTimestamp.toString());
  quoteInputs.owner = user.publicKey;
  quoteInputs.custodies = [sol, usdc];
  quoteInputs.program = program;

  // Trigger orders on a new SOL long: a take-profit executed after the price rises, a
  // limit order that opens a BTC long on USDC, one cancelled.
  await measure(provider, [await open(sol, sol, tokens[0], 1, new BN(3_000_000_000), new BN(4_000_000_000))], [user]);
  const solLong = positionPda(user.publicKey, pool, sol, sol, 1)[0];
  const place = async (o: {
    market: PublicKey;
    coll: PublicKey;
    funding: PublicKey;
    slot: number;
    kind: number;
    trigger: BN;
    size: BN;
    collateral: BN;
    acceptable: BN;
  }) => {
    state = await fetchPoolState(program, pool);
    return placeOrderIx(program, state, {
      owner: user.publicKey,
      side: 1,
      custody: o.market,
      collateralCustody: o.coll,
      fundingAccount: o.funding,
      slot: o.slot,
      kind: o.kind,
      triggerPrice: o.trigger,
      acceptablePrice: o.acceptable,
      sizeUsd: o.size,
      collateralAmount: o.collateral,
      executionReward: new BN(100_000),
    });
  };
  rows.push({
    instruction: "place_order (take-profit)",
    custodies: "",
    cu: await measure(
      provider,
      [
        await place({
          market: sol,
          coll: sol,
          funding: tokens[0],
          slot: 0,
          kind: OrderKind.TAKE_PROFIT,
          trigger: new BN(160_000_000_000),
          size: new BN(0),
          collateral: new BN(0),
          acceptable: new BN(0),
        }),
      ],
      [user],
    ),
  });
  await measure(
    provider,
    [
      await place({
        market: sol,
        coll: sol,
        funding: tokens[0],
        slot: 1,
        kind: OrderKind.STOP_LOSS,
        trigger: new BN(100_000_000_000),
        size: new BN(0),
        collateral: new BN(0),
        acceptable: new BN(0),
      }),
    ],
    [user],
  );
  const btcLong = positionPda(user.publicKey, pool, btc, usdc, 1)[0];
  rows.push({
    instruction: "place_order (limit, escrow)",
    custodies: "",
    cu: await measure(
      provider,
      [
        await place({
          market: btc,
          coll: usdc,
          funding: tokens[1],
          slot: 0,
          kind: OrderKind.LIMIT,
          trigger: new BN("98000000000000"),
          size: new BN(5_000_000_000),
          collateral: new BN(1_000_000_000),
          acceptable: new BN("99000000000000"),
        }),
      ],
      [user],
    ),
  });
  const orderIx = async (order: PublicKey, ownerAccount: PublicKey) => {
    state = await fetchPoolState(program, pool);
    return executeOrderIx(program, state, {
      keeper: keeper.publicKey,
      order,
      account: (await fetchOrder(program, order))!,
      ownerAccount,
    });
  };
  const slOrder = orderPda(solLong, 1)[0];
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "cancel_order",
    custodies: "",
    cu: await measure(
      provider,
      [
        await cancelOrderIx(program, state, {
          order: slOrder,
          account: (await fetchOrder(program, slOrder))!,
          receivingAccount: tokens[0],
        }),
      ],
      [user],
    ),
  });
  await measure(provider, [priceIx(a, specs[0].feedId, new BN("16500000000"))]);
  rows.push({
    instruction: "execute_order (take-profit, full close)",
    custodies: "",
    cu: await measure(provider, [await orderIx(orderPda(solLong, 0)[0], tokens[0])], [keeper]),
    target: 15_000,
  });
  rows.push({
    instruction: "execute_order (limit, opens position)",
    custodies: "",
    cu: await measure(provider, [await orderIx(orderPda(btcLong, 0)[0], tokens[1])], [keeper]),
    target: 15_000,
  });

  // Auto-deleveraging: a SOL long in profit with the SOL custody's ADL threshold at 1 bp.
  await setRisk(program, provider, {
    admin: a,
    pool,
    custody: sol,
    risk: defaultRiskParams({ ...features.risk, adlThresholdBps: 1, adlFloorBps: 0 }),
  });
  await measure(provider, [await open(sol, sol, tokens[0], 1, new BN(3_000_000_000), new BN(4_000_000_000))], [user]);
  await measure(provider, [priceIx(a, specs[0].feedId, new BN("19000000000"))]);
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "auto_deleverage",
    custodies: "",
    cu: await measure(
      provider,
      [
        await autoDeleverageIx(program, state, {
          keeper: keeper.publicKey,
          position: await position(sol, sol, 1),
          ownerAccount: tokens[0],
          sizeUsd: new BN(1_000_000_000),
        }),
      ],
      [keeper],
    ),
    target: 15_000,
  });
}

/**
 * Loans, and a scripted month for the LP income split: a SOL/USDC pool,
 * swaps and trades for fees, a loan for interest, 30 days of time.
 */
async function lending(rows: Row[], split: string[]) {
  const admin = benchKey();
  const provider = benchProvider(admin);
  const program = perpoolProgram(provider);
  const a = admin.publicKey;
  await measure(provider, [await initConfigIx(program, a)]);
  await measure(provider, [
    await createPoolIx(program, { admin: a, name: "lend", params: defaultPoolParams({ lpCooldownSecs: 0 }) }),
  ]);
  const [pool] = poolPda("lend");
  const specs = [
    { decimals: 9, price: new BN("15000000000"), isStable: false, feedId: feedOf("SOL") },
    { decimals: 6, price: new BN("100000000"), isStable: true, feedId: feedOf("USDC") },
  ];
  const mints: PublicKey[] = [];
  for (const s of specs) {
    const mint = await createMint(provider, s.decimals, a, { keypair: benchKey() });
    mints.push(mint);
    await measure(provider, [priceIx(a, s.feedId, s.price)]);
    const params = defaultCustodyParams({ feedId: Array.from(s.feedId), isStable: s.isStable, targetWeightBps: 5000 });
    await measure(provider, [
      await addCustodyIx(program, { admin: a, pool, mint, params, pythOracle: priceFeedPda(s.feedId)[0] }),
    ]);
  }
  let state = await fetchPoolState(program, pool);
  const reprice = async () => {
    for (let i = 0; i < 2; i++) await measure(provider, [priceIx(a, specs[i].feedId, specs[i].price)]);
  };
  await reprice();
  const user = benchKey();
  provider.airdrop(user.publicKey, 10_000_000_000n);
  state = await fetchPoolState(program, pool);
  const lp = await createTokenAccount(provider, state.pool.lpMint, user.publicKey, benchKey());
  const tokens: PublicKey[] = [];
  for (const mint of mints) {
    const t = await createTokenAccount(provider, mint, user.publicKey, benchKey());
    await mintTo(provider, mint, t, admin, new BN("100000000000000"));
    tokens.push(t);
  }
  for (const [i, amount] of [
    [0, new BN("1000000000000")],
    [1, new BN("150000000000")],
  ] as const) {
    state = await fetchPoolState(program, pool);
    await measure(
      provider,
      [
        await addLiquidityIx(program, state, {
          owner: user.publicKey,
          custody: state.custodies[i].address,
          fundingAccount: tokens[i],
          lpTokenAccount: lp,
          amountIn: amount,
          minLpOut: new BN(0),
        }),
      ],
      [user],
    );
  }
  const [sol, usdc] = state.custodies.map((c) => c.address);
  const before = await fetchPoolState(program, pool);
  const ref = { owner: user.publicKey, collateralCustody: sol, borrowCustody: usdc };
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "deposit_loan_collateral (open)",
    custodies: "",
    cu: await measure(
      provider,
      [
        await depositLoanCollateralIx(program, state, {
          ...ref,
          fundingAccount: tokens[0],
          amount: new BN("500000000000"),
        }),
      ],
      [user],
    ),
  });
  rows.push({
    instruction: "borrow",
    custodies: "",
    cu: await measure(
      provider,
      [await borrowIx(program, state, { ...ref, receivingAccount: tokens[1], amount: new BN("50000000000") })],
      [user],
    ),
    target: 15_000,
  });
  // Fees: a swap each way and a trade opened and closed.
  state = await fetchPoolState(program, pool);
  await measure(
    provider,
    [
      await swapIx(program, state, {
        owner: user.publicKey,
        custodyIn: sol,
        custodyOut: usdc,
        fundingAccount: tokens[0],
        receivingAccount: tokens[1],
        amountIn: new BN("20000000000"),
        minAmountOut: new BN(0),
      }),
    ],
    [user],
  );
  await measure(
    provider,
    [
      await increasePositionIx(program, state, {
        owner: user.publicKey,
        side: 2,
        custody: sol,
        collateralCustody: usdc,
        fundingAccount: tokens[1],
        sizeUsd: new BN("20000000000"),
        collateralAmount: new BN("2000000000"),
        acceptablePrice: new BN(0),
      }),
    ],
    [user],
  );
  provider.warpSeconds(30 * 24 * 3600);
  await reprice();
  state = await fetchPoolState(program, pool);
  const pos = (await fetchPosition(program, positionPda(user.publicKey, pool, sol, usdc, 2)[0]))!;
  await measure(
    provider,
    [
      await decreasePositionIx(program, state, {
        position: pos,
        receivingAccount: tokens[1],
        sizeUsd: pos.sizeUsd,
        collateralOut: new BN(0),
        acceptablePrice: new BN("18446744073709551615"),
      }),
    ],
    [user],
  );
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "repay",
    custodies: "",
    cu: await measure(
      provider,
      [
        await repayIx(program, state, {
          ...ref,
          payer: user.publicKey,
          fundingAccount: tokens[1],
          amount: new BN("10000000000"),
        }),
      ],
      [user],
    ),
    target: 15_000,
  });
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "withdraw_loan_collateral",
    custodies: "",
    cu: await measure(
      provider,
      [
        await withdrawLoanCollateralIx(program, state, {
          ...ref,
          receivingAccount: tokens[0],
          amount: new BN("10000000000"),
        }),
      ],
      [user],
    ),
  });
  const after = await fetchPoolState(program, pool);
  const prices = new Map([
    [sol.toBase58(), new BN("150000000000")],
    [usdc.toBase58(), new BN("1000000000")],
  ]);
  const nowTs = new BN(provider.getClock().unixTimestamp.toString());
  const aum = valuePool(after, "min", nowTs).aumUsd;
  const s = lpIncomeSplit(before, after, prices, 30 * 24 * 3600, aum);
  const usd = (x: BN) => `$${(Number(x.toString()) / 1e6).toFixed(2)}`;
  const p = (x: number) => `${(100 * x).toFixed(2)} %`;
  split.push("| source | income over 30 days | APR on pool value |", "|---|---:|---:|");
  split.push(`| trading fees (swaps, LP fees, open/close fees) | ${usd(s.tradingFeesUsd)} | ${p(s.apr.tradingFees)} |`);
  split.push(`| position borrow fees | ${usd(s.borrowFeesUsd)} | ${p(s.apr.borrowFees)} |`);
  split.push(`| lending interest (suppliers' share) | ${usd(s.lendingInterestUsd)} | ${p(s.apr.lendingInterest)} |`);
  split.push(`| pool value | ${usd(aum)} | |`);
  // Liquidation: a second loan at the edge, then SOL falls.
  const b2 = benchKey();
  provider.airdrop(b2.publicKey, 1_000_000_000n);
  const b2sol = await createTokenAccount(provider, mints[0], b2.publicKey, benchKey());
  const b2usdc = await createTokenAccount(provider, mints[1], b2.publicKey, benchKey());
  await mintTo(provider, mints[0], b2sol, admin, new BN("100000000000"));
  const ref2 = { owner: b2.publicKey, collateralCustody: sol, borrowCustody: usdc };
  state = await fetchPoolState(program, pool);
  await measure(
    provider,
    [await depositLoanCollateralIx(program, state, { ...ref2, fundingAccount: b2sol, amount: new BN("100000000000") })],
    [b2],
  );
  await measure(
    provider,
    [await borrowIx(program, state, { ...ref2, receivingAccount: b2usdc, amount: new BN("11000000000") })],
    [b2],
  );
  specs[0].price = new BN("12000000000");
  await reprice();
  state = await fetchPoolState(program, pool);
  rows.push({
    instruction: "liquidate_loan",
    custodies: "",
    cu: await measure(
      provider,
      [
        await liquidateLoanIx(program, state, {
          ...ref2,
          liquidator: user.publicKey,
          liquidatorFunding: tokens[1],
          liquidatorReceiving: tokens[0],
          repayAmount: new BN("5000000000"),
        }),
      ],
      [user],
    ),
    target: 15_000,
  });
}

function label(k: PublicKey, names: Record<string, PublicKey>): string {
  for (const [name, key] of Object.entries(names)) if (key.equals(k)) return name;
  return k.toBase58().slice(0, 6) + "…";
}

/**
 * The compute units of the RESULTS.md this run replaces, by instruction and custody count, so the
 * table shows what a change did (the committed file is the last measured state).
 */
function previousFigures(): Map<string, number> {
  const out = new Map<string, number>();
  const file = path.join(__dirname, "RESULTS.md");
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    // | instruction | custodies | compute units | ...
    if (cells.length < 5 || !/^[0-9][0-9,]*$/.test(cells[3] ?? "")) continue;
    const key = `${cells[1]}|${cells[2]}`;
    if (!out.has(key)) out.set(key, Number(cells[3]!.replace(/,/g, "")));
  }
  return out;
}

/** Every measured instruction, in order, on a fresh set of the bench's keys. */
async function allRows(writable: string[], split: string[]): Promise<Rows> {
  keyCount = 0;
  const rows = new Rows();
  await scenario(4, rows, true, writable);
  await scenario(1, rows, false);
  await scenario(2, rows, false);
  await scenario(8, rows, false);
  tradeKeys = keyCount;
  await trades(rows, writable);
  await lending(rows, split);
  return rows;
}

/** First value of a profile mark's log line (programs/perpool/src/profile.rs `TAG`). */
const PROFILE_TAG = 0x5045_5250_5052_4f46n;
/** `Phase` values of profile.rs, by index; `start` marks the entrypoint (twice: calibration). */
const PHASES = [
  "start",
  "accounts",
  "oracle",
  "accrual",
  "math",
  "state",
  "cpi",
  "event",
  "valuation",
  "settlement",
  "impact",
] as const;
/** The columns of the profile table, in the order an instruction runs. */
const PROFILE_COLUMNS: { phase: (typeof PHASES)[number]; title: string }[] = [
  { phase: "accounts", title: "account checks" },
  { phase: "oracle", title: "clock + oracles" },
  { phase: "accrual", title: "custody accrual" },
  { phase: "settlement", title: "position settlement" },
  { phase: "valuation", title: "pool valuation" },
  { phase: "impact", title: "price impact" },
  { phase: "math", title: "math" },
  { phase: "state", title: "state writes" },
  { phase: "cpi", title: "CPIs" },
  { phase: "event", title: "event" },
];
/**
 * Compute units by phase from a profile build's logs: each mark logs `(TAG, phase)` and then
 * the units remaining; the units between two marks, less what a mark costs (the difference between the
 * entrypoint's two back-to-back marks), belong to the later mark's phase. The marks of the last
 * Perpool instruction of the transaction are used. Null when the logs hold no marks.
 */
function phaseCosts(logs: string[]): Map<string, number> | null {
  const marks: { phase: number; remaining: bigint }[] = [];
  for (let i = 0; i + 1 < logs.length; i++) {
    const m = /^Program log: 0x([0-9a-f]+), 0x([0-9a-f]+), 0x0, 0x0, 0x0$/.exec(logs[i]);
    if (!m || BigInt(`0x${m[1]}`) !== PROFILE_TAG) continue;
    const units = /^Program consumption: (\d+) units remaining$/.exec(logs[i + 1]);
    if (!units) throw new Error(`profile: a mark without its units line: ${logs[i + 1]}`);
    marks.push({ phase: Number(`0x${m[2]}`), remaining: BigInt(units[1]) });
  }
  let first = -1;
  for (let i = 0; i + 1 < marks.length; i++) if (marks[i].phase === 0 && marks[i + 1].phase === 0) first = i;
  if (first < 0) return null;
  const own = marks.slice(first);
  const markCost = own[0].remaining - own[1].remaining;
  const costs = new Map<string, number>([["mark", Number(markCost)]]);
  for (let i = 2; i < own.length; i++) {
    const name = PHASES[own[i].phase] ?? `phase ${own[i].phase}`;
    const spent = Number(own[i - 1].remaining - own[i].remaining - markCost);
    costs.set(name, (costs.get(name) ?? 0) + spent);
  }
  return costs;
}

/** Compute units as the tables print them. */
const fmtCu = (n: number) => n.toLocaleString("en-US");

/**
 * The profile table: the same instructions measured on the profile build, each release figure
 * split by phase; "entry + rest" is the release figure less the phases (pinocchio's input
 * parsing, the dispatch, the return, and what the marks move in the code around them).
 */
function profileTable(release: Row[], profiled: Row[]): string[] {
  const lines = [
    `| instruction | custodies | compute units | ${PROFILE_COLUMNS.map((c) => c.title).join(" | ")} | entry + rest |`,
    `|---|---:|---:|${PROFILE_COLUMNS.map(() => "---:").join("|")}|---:|`,
  ];
  for (const [instruction, custodies] of PROFILED) {
    const i = release.findIndex((r) => r.instruction === instruction && r.custodies === custodies);
    const p = profiled[i];
    if (i < 0 || !p || p.instruction !== instruction || p.custodies !== custodies)
      throw new Error(`profile: no matching row for ${instruction} ${custodies}`);
    const costs = phaseCosts(p.logs ?? []);
    if (!costs) throw new Error(`profile: no marks in the logs of ${instruction} ${custodies}`);
    const spent = PROFILE_COLUMNS.reduce((sum, c) => sum + (costs.get(c.phase) ?? 0), 0);
    const cells = PROFILE_COLUMNS.map((c) => (costs.has(c.phase) ? fmtCu(costs.get(c.phase)!) : ""));
    lines.push(
      `| ${instruction} | ${custodies} | ${fmtCu(release[i].cu)} | ${cells.join(" | ")} | ${fmtCu(release[i].cu - spent)} |`,
    );
  }
  return lines;
}

/**
 * The performance issue's targets (LiteSVM, p-token, impact and funding on), each beside its
 * figure, the part of it the runtime charges for what the instruction must do (its CPIs and its
 * event as the profile measures them) and Percolator's published figures (March 2026: 10,094 CU
 * per trade without token transfers, 7,278 per liquidation).
 */
const TARGETS: { instruction: string; custodies: number | ""; target: number; percolator?: number }[] = [
  { instruction: "increase_position (open)", custodies: "", target: 6_500, percolator: 10_094 },
  { instruction: "increase_position (increase)", custodies: "", target: 6_000, percolator: 10_094 },
  { instruction: "decrease_position (partial)", custodies: "", target: 6_000, percolator: 10_094 },
  { instruction: "decrease_position (full)", custodies: "", target: 5_000, percolator: 10_094 },
  { instruction: "liquidate_position", custodies: "", target: 5_500, percolator: 7_278 },
  { instruction: "execute_order (limit, opens position)", custodies: "", target: 6_500 },
  { instruction: "add_liquidity", custodies: 4, target: 5_000 },
  { instruction: "add_liquidity", custodies: 8, target: 6_500 },
  { instruction: "remove_liquidity", custodies: 4, target: 5_000 },
  { instruction: "remove_liquidity", custodies: 8, target: 6_500 },
  { instruction: "swap", custodies: 4, target: 5_000 },
  { instruction: "borrow", custodies: "", target: 3_500 },
];

/** The instructions the profile table shows: every one with a target, and two more of each kind's extremes. */
const PROFILED: [string, number | ""][] = [
  ...TARGETS.map((t): [string, number | ""] => [t.instruction, t.custodies]),
  ["execute_order (take-profit, full close)", ""],
  ["swap", 8],
];

/** Each target with its release figure and the phase costs of its profile run. */
function targetFigures(
  release: Row[],
  profiled: Row[],
): { t: (typeof TARGETS)[number]; cu: number; costs: Map<string, number> }[] {
  return TARGETS.map((t) => {
    const i = release.findIndex((r) => r.instruction === t.instruction && r.custodies === t.custodies);
    if (i < 0) throw new Error(`targets: no row for ${t.instruction} ${t.custodies}`);
    const costs = phaseCosts(profiled[i]?.logs ?? []);
    if (!costs) throw new Error(`targets: no profile marks for ${t.instruction} ${t.custodies}`);
    return { t, cu: release[i].cu, costs };
  });
}

function targetTable(release: Row[], profiled: Row[]): string[] {
  const lines = [
    "| instruction | custodies | compute units | target | met | runtime floor (CPIs + event) | the rest (ours) | Percolator |",
    "|---|---:|---:|---:|---|---:|---:|---:|",
  ];
  for (const { t, cu, costs } of targetFigures(release, profiled)) {
    const floor = (costs.get("cpi") ?? 0) + (costs.get("event") ?? 0);
    lines.push(
      `| ${t.instruction} | ${t.custodies} | ${fmtCu(cu)} | ${fmtCu(t.target)} | ${cu <= t.target ? "yes" : `no (+${fmtCu(cu - t.target)})`} | ${fmtCu(floor)} | ${fmtCu(cu - floor)} | ${t.percolator ? fmtCu(t.percolator) : ""} |`,
    );
  }
  return lines;
}

/**
 * For each missed target: how far over it is and the three phases of the program's own work (not
 * CPIs or the event) that cost the most in the profile, the places any further cut has to come from.
 */
function leftTable(release: Row[], profiled: Row[]): string[] {
  const title = new Map(PROFILE_COLUMNS.map((c) => [c.phase as string, c.title]));
  const lines = [
    "| instruction | custodies | over by | largest phases of our own work (profile build) |",
    "|---|---:|---:|---|",
  ];
  for (const { t, cu, costs } of targetFigures(release, profiled)) {
    if (cu <= t.target) continue;
    const ours = [...costs.entries()]
      .filter(([phase]) => title.has(phase) && phase !== "cpi" && phase !== "event")
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([phase, n]) => `${title.get(phase)} ${fmtCu(n)}`);
    lines.push(`| ${t.instruction} | ${t.custodies} | ${fmtCu(cu - t.target)} | ${ours.join(", ")} |`);
  }
  return lines;
}

/**
 * What a missed target leaves for valuing the pool: the target less everything else the
 * instruction spends (release figure less the profile's valuation phase), per custody, beside what
 * valuing one custody costs (the profile's valuation phase over the custody count).
 */
function valuationRoomTable(release: Row[], profiled: Row[]): string[] {
  const lines = [
    "| instruction | custodies | target | everything but the valuation | left for the valuation | per custody | the valuation now, per custody |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { t, cu, costs } of targetFigures(release, profiled)) {
    if (t.custodies === "" || cu <= t.target) continue;
    const valuation = costs.get("valuation");
    if (valuation === undefined)
      throw new Error(`valuation room: no valuation mark for ${t.instruction} ${t.custodies}`);
    const rest = cu - valuation;
    const room = t.target - rest;
    lines.push(
      `| ${t.instruction} | ${t.custodies} | ${fmtCu(t.target)} | ${fmtCu(rest)} | ${fmtCu(room)} | ${fmtCu(Math.floor(room / t.custodies))} | ${fmtCu(Math.round(valuation / t.custodies))} |`,
    );
  }
  return lines;
}

/** Runs every measured instruction again on the profile build; the bench's other outputs are kept as they were. */
async function profileRun(): Promise<Rows> {
  return rerun(PROFILE_SO, PUBLISHER_SO);
}

/** Runs `f`, then puts the bench's other outputs (opening spread, quote inputs, transfer baseline) back as they were. */
async function keepingOutputs<T>(f: () => Promise<T>): Promise<T> {
  const kept = { spread: openSpread.length, quote: { ...quoteInputs }, transfer: baseline.transfer };
  try {
    return await f();
  } finally {
    openSpread.length = kept.spread;
    Object.assign(quoteInputs, kept.quote);
    baseline.transfer = kept.transfer;
  }
}

/** Every measured instruction again with other builds deployed; the bench's other outputs are kept as they were. */
async function rerun(program: string, publisher: string): Promise<Rows> {
  programSo = program;
  publisherSo = publisher;
  try {
    return await keepingOutputs(() => allRows([], []));
  } finally {
    programSo = SO;
    publisherSo = PUBLISHER_SO;
  }
}

/**
 * The trade scenario again with the markets' features switched off one after another, each step
 * keeping the ones before it off: what each feature costs the trade targets. The targets are for
 * markets with everything on; this only says where their excess goes.
 */
const NO_INTEREST: Partial<CustodyParams> = { interestOnPnl: false, collateralEarnsInterest: false };
const FEATURE_STEPS: { title: string; features: Features }[] = [
  { title: "without interest on PnL and collateral", features: { custody: NO_INTEREST, risk: {} } },
  { title: "and without funding", features: { custody: NO_INTEREST, risk: { fundingFactor: new BN(0) } } },
  {
    title: "and without price impact",
    features: {
      custody: NO_INTEREST,
      risk: { fundingFactor: new BN(0), impactPositiveFactor: new BN(0), impactNegativeFactor: new BN(0) },
    },
  },
];

async function featureCosts(release: Row[]): Promise<string[]> {
  const runs: Row[][] = [];
  for (const step of FEATURE_STEPS) {
    runs.push(
      await keepingOutputs(async () => {
        keyCount = tradeKeys; // the same keys, so the same addresses and bumps, as the figures above
        const rows = new Rows();
        await trades(rows, [], step.features);
        return rows;
      }),
    );
  }
  const lines = [
    `| instruction | as deployed | ${FEATURE_STEPS.map((s) => s.title).join(" | ")} | target | the three features cost |`,
    `|---|---:|${FEATURE_STEPS.map(() => "---:|").join("")}---:|---:|`,
  ];
  const find = (rows: Row[], t: (typeof TARGETS)[number]) =>
    rows.find((r) => r.instruction === t.instruction && r.custodies === t.custodies);
  const cell = (cu: number, target: number) => `${fmtCu(cu)}${cu <= target ? " (met)" : ""}`;
  for (const t of TARGETS) {
    const deployed = find(release, t);
    const off = runs.map((rows) => find(rows, t));
    if (!deployed || off.some((r) => !r)) continue; // not a trade: the LP, swap and lending rows
    const bare = off[off.length - 1]!.cu;
    lines.push(
      `| ${t.instruction} | ${cell(deployed.cu, t.target)} | ${off.map((r) => cell(r!.cu, t.target)).join(" | ")} | ${fmtCu(t.target)} | ${fmtCu(deployed.cu - bare)} |`,
    );
  }
  return lines;
}

/**
 * SBPF v0 against v3 (`npm run build -- --sbpf v3`, target/deploy-v3): every instruction of the
 * table on both builds. Empty when there is no v3 build, or when the table above is already v3's.
 */
async function sbpfComparison(v0: Row[]): Promise<string[]> {
  const v3Dir = path.resolve(__dirname, "..", "target", "deploy-v3");
  if (process.env.PERPOOL_SBPF === "v3" || !fs.existsSync(path.join(v3Dir, "perpool.so"))) return [];
  const v3 = await rerun(path.join(v3Dir, "perpool.so"), path.join(v3Dir, "pyth_publisher.so"));
  const lines = ["| instruction | custodies | SBPF v0 | SBPF v3 | change |", "|---|---:|---:|---:|---:|"];
  let [total0, total3] = [0, 0];
  v0.forEach((r, i) => {
    const t = v3[i];
    if (!t || t.instruction !== r.instruction || t.custodies !== r.custodies)
      throw new Error(`v3: the rows differ at ${r.instruction} ${r.custodies}`);
    total0 += r.cu;
    total3 += t.cu;
    lines.push(
      `| ${r.instruction} | ${r.custodies} | ${fmtCu(r.cu)} | ${fmtCu(t.cu)} | ${t.cu - r.cu > 0 ? "+" : ""}${t.cu - r.cu} |`,
    );
  });
  const pct = ((100 * (total3 - total0)) / total0).toFixed(2);
  lines.push(`| all ${v0.length} rows |  | ${fmtCu(total0)} | ${fmtCu(total3)} | ${total3 - total0} (${pct} %) |`);
  return lines;
}

/**
 * The local validator's figures (bench/localnet.ts), measured in a process of their own: its RPC
 * client then starts with a fresh heap, as a wallet's does, not with the one this process has
 * after the runs above.
 */
function localnetFigures(): string[] {
  const out = execFileSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "localnet.ts")],
    {
      cwd: path.join(__dirname, ".."),
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "tsconfig.json") },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return out.split("\n").filter((l) => !l.startsWith("(bench/localnet.ts took"));
}

async function main() {
  const writable: string[] = [];
  const split: string[] = [];
  const rows = await allRows(writable, split);
  const profiled = await profileRun();
  const profileLines = profileTable(rows, profiled);
  const targetLines = targetTable(rows, profiled);
  const leftLines = leftTable(rows, profiled);
  const roomLines = valuationRoomTable(rows, profiled);
  const sbpfLines = await sbpfComparison(rows);
  const featureLines = await featureCosts(rows);
  const previous = previousFigures();
  const lines = [
    "| instruction | custodies | compute units | previous run | change | target | headroom |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => {
      const before = previous.get(`${r.instruction}|${r.custodies}`);
      const change = before === undefined ? "" : r.cu === before ? "0" : `${r.cu > before ? "+" : ""}${r.cu - before}`;
      return `| ${r.instruction} | ${r.custodies} | ${r.cu.toLocaleString("en-US")} | ${before === undefined ? "" : before.toLocaleString("en-US")} | ${change} | ${r.target ? r.target.toLocaleString("en-US") : ""} | ${r.target ? `${Math.round((100 * (r.target - r.cu)) / r.target)} %` : ""} |`;
    }),
  ];
  const table = lines.join("\n");
  console.log(table);
  // Agave's cost model: per writable account 40 % of the block; a transaction's cost = its CU +
  // signatures (720 each) + write locks (300 each) + instruction data and loaded pages (small).
  const ACCOUNT_BLOCK_BUDGET = 24_000_000;
  const SCHEDULER_OVERHEAD = 720 + 6 * 300 + 180;
  const byName = (name: string) => rows.find((r) => r.instruction === name)?.cu ?? 0;
  const ratioLines = [
    `Baseline: a bare SPL token transfer costs ${baseline.transfer.toLocaleString("en-US")} CU on the same VM (the token program build LiteSVM loads; the classic SPL Token transfer costs about 4,600 CU on mainnet), so each of our instructions includes one to three such transfers. Ratios make the figures comparable across machines and runtimes.`,
    "",
    "Per block: how many fit in one writable account's budget (Agave 4.x: 40 % of the 60M CU block, 24M CU), each counted as the scheduler counts it: CU + 720 for the signature + 300 per write lock (6 assumed) + about 180 for data and loaded pages (the program is about 18 pages of 32 KiB). See docs/parallelism.md.",
    "",
    "| instruction | CU | × token transfer | per block, one account's 24M CU budget |",
    "|---|---:|---:|---:|",
    ...[
      "increase_position (open)",
      "increase_position (increase)",
      "decrease_position (partial)",
      "decrease_position (full)",
      "liquidate_position",
      "swap",
      "add_liquidity",
      "execute_order (take-profit, full close)",
      "auto_deleverage",
      "borrow",
    ].map((name) => {
      const cu =
        name === "swap" || name === "add_liquidity"
          ? rows.find((r) => r.instruction === name && r.custodies === 4)!.cu
          : byName(name);
      return `| ${name}${name === "swap" || name === "add_liquidity" ? " (4 custodies)" : ""} | ${cu.toLocaleString("en-US")} | ${(cu / baseline.transfer).toFixed(1)} | ${Math.floor(ACCOUNT_BLOCK_BUDGET / (cu + SCHEDULER_OVERHEAD)).toLocaleString("en-US")} |`;
    }),
  ];
  console.log("");
  for (const l of profileLines) console.log(l);
  console.log("");
  for (const l of targetLines) console.log(l);
  console.log("");
  for (const l of leftLines) console.log(l);
  console.log("");
  for (const l of featureLines) console.log(l);
  console.log("");
  for (const l of sbpfLines) console.log(l);
  console.log("");
  for (const l of ratioLines) console.log(l);
  for (const l of openSpread) console.log(`\n${l}`);
  const quoteLines = quoteInputs.program ? await quoteTimes(quoteInputs.program) : [];
  console.log("");
  for (const l of quoteLines) console.log(l);
  console.log("");
  for (const w of writable) console.log(w);
  console.log("");
  console.log("LP income split, scripted month (bench/cu.ts `lending`):");
  for (const l of split) console.log(l);
  console.log("");
  const parkingLines = await parkingBench();
  for (const l of parkingLines) console.log(l);
  console.log("");
  const localnetLines = localnetFigures();
  for (const l of localnetLines) console.log(l);
  const md = [
    "# Benchmark results",
    "",
    "Generated by `npm run bench` (bench/cu.ts): compute units per instruction on LiteSVM with the",
    "token program LiteSVM loads (p-token, SPL Token rewritten on pinocchio), prices in Pyth `PriceUpdateV2` accounts (written by the local price publisher), the program",
    "deployed upgradeable as on a cluster, steady state (the LP record already exists).",
    "",
    `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}.`,
    "",
    table,
    "",
    "## Compute units by phase",
    "",
    "The same instructions on the profile build (`npm run build:profile`, feature `cu-profile`: a mark at each phase boundary logs the units remaining; the deployed build has no marks), each release figure above split by phase. A mark's own cost is measured at the entrypoint and taken off. Account checks include loading the accounts; custody accrual is interest and funding brought to now on each custody written; position settlement is what the position owes and earns since its last change (borrow fee, funding, interest on its PnL and collateral), which the instruction's event reports in its `settled` field; price impact is the impact at the market's open interest (the rest of the quote is math); an opening's CPIs include the position PDA's derivation and creation; entry + rest is the release figure less the phases: pinocchio's input parsing, the dispatch, the return, and the difference inlining makes (a mark is a call the compiler cannot inline across, so the profile build inlines less than the release build, built with an inline threshold of 1000).",
    "",
    ...profileLines,
    "",
    "### Targets",
    "",
    "The performance issue's targets beside each figure; the runtime floor is what the profile measures for the instruction's CPIs (invoke, the token or system program, PDA signers) and its event; the rest is the program's own work (account checks, oracle parsing, accrual, math, state).",
    "",
    ...targetLines,
    "",
    ...(leftLines.length > 2
      ? [
          "Where each missed target's excess has to come from: the three largest phases of the program's own work in the profile above. Each is a handful of 128-bit multiplications and divisions (about 40 to 150 CU each on SBF, which has no 128-bit instructions), copies of account fields into the core's inputs, and checked additions; none is a single removable cost. docs/performance.md takes each missed target in turn: what it spends, what its features cost (the last table of this section) and what would have to go for it to fall further.",
          "",
          ...leftLines,
          "",
        ]
      : []),
    ...(roomLines.length > 2
      ? [
          "What the LP and swap targets leave for valuing the pool. Valuing a custody means loading and checking it and its Pyth account (owner, type, verification, feed, age, confidence, three normalised prices), projecting its accruals to now, its value at the chosen price bound, and the check of its position rows; the rest of the instruction (the two token CPIs, the event, the account checks, the LP or swap quote) changes little with the number of custodies. Meeting a target would take the last column down to the one before it.",
          "",
          ...roomLines,
          "",
        ]
      : []),
    "What the markets' features cost the trade targets: the trade scenario again, on the release build, with the features switched off one after another (each column keeps the ones before it off; interest on PnL and on collateral are two custody settings, funding and price impact two risk settings). The targets are for markets with all of them on: the issue asks for price impact and funding, and the interest is what the protocol is for. So this is no way to meet a target; it shows how much of each figure pays for a feature rather than for the engine. (met): within the target.",
    "",
    ...featureLines,
    "",
    ...(sbpfLines.length
      ? [
          "## SBPF v0 and v3",
          "",
          "The same instructions on the SBPF v3 build (`npm run build -- --sbpf v3`: sbpf-linker 0.2.6 against LLVM 22, cpu v4 instructions) beside the v0 build above.",
          "",
          ...sbpfLines,
          "",
        ]
      : []),
    "## Against a token transfer, and per block",
    "",
    ...ratioLines,
    "",
    ...openSpread,
    "",
    "Writable accounts of LP instructions and trades (a trade never write-locks the Pool account):",
    "",
    ...writable.map((w) => `- ${w}`),
    "",
    "LP income split over a scripted month (deposits, a swap, a short opened and closed, a USDC loan):",
    "",
    ...split,
    "",
    ...quoteLines,
    "",
    ...parkingLines,
    "",
    ...localnetLines,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(__dirname, "RESULTS.md"), md);
  const over = rows.filter((r) => r.target && r.cu > r.target);
  if (over.length) {
    console.error(`over target: ${over.map((r) => r.instruction).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
