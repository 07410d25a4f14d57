/**
 * `npm run bench`: compute units per instruction, measured on LiteSVM with
 * the real SPL Token program, against the SPEC §7 targets where one exists.
 * Writes bench/RESULTS.md.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, SystemProgram, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import {
  LiteSvmProvider,
  OracleKind,
  PERPOOL_PROGRAM_ID,
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
  setTestPriceIx,
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
} from "../sdk/src";

const SO = path.resolve(__dirname, "..", "target", "deploy", "perpool.so");

interface Row {
  instruction: string;
  custodies: number | "";
  cu: number;
  target?: number;
}

async function measure(provider: LiteSvmProvider, ixs: TransactionInstruction[], signers: Keypair[] = []): Promise<number> {
  const sig = await provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  return Number(provider.getTxResult(sig)!.computeUnits);
}

/** A pool with `n` custodies priced by test oracles, each with liquidity from `lp`. */
async function scenario(n: number, rows: Row[], recordAdmin: boolean) {
  const admin = Keypair.generate();
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin));
  provider.addProgram(PERPOOL_PROGRAM_ID, SO);
  const program = perpoolProgram(provider);
  const a = admin.publicKey;
  const rec = (instruction: string, cu: number, target?: number, custodies: number | "" = "") => rows.push({ instruction, custodies, cu, target });

  const initCu = await measure(provider, [await initConfigIx(program, a)]);
  const createCu = await measure(provider, [await createPoolIx(program, { admin: a, name: "bench", allowTestOracles: true, params: defaultPoolParams() })]);
  const [pool] = poolPda("bench");
  const mints: PublicKey[] = [];
  let addCustodyCu = 0;
  let priceCu = 0;
  for (let i = 0; i < n; i++) {
    const mint = await createMint(provider, 6, a);
    mints.push(mint);
    addCustodyCu = await measure(provider, [await addCustodyIx(program, { admin: a, pool, mint, params: defaultCustodyParams({ oracleKind: OracleKind.TEST, targetWeightBps: Math.floor(10_000 / n) }) })]);
    const { custody } = custodyAddresses(pool, mint, program.programId);
    priceCu = await measure(provider, [await setTestPriceIx(program, { admin: a, pool, custody, price: new BN(100_000_000), emaPrice: new BN(100_000_000), conf: new BN(0), expo: -8 })]);
  }
  if (recordAdmin) {
    rec("init_config", initCu);
    rec("create_pool", createCu);
    rec("add_custody (test oracle)", addCustodyCu);
    rec("set_test_price", priceCu);
    const next = Keypair.generate();
    provider.airdrop(next.publicKey, 1_000_000_000n);
    rec("propose_admin", await measure(provider, [await proposeAdminIx(program, a, next.publicKey)]));
    rec("accept_admin", await measure(provider, [await acceptAdminIx(program, next.publicKey)], [next]));
    rec("set_pause", await measure(provider, [await setPauseIx(program, next.publicKey, 0)], [next]));
    await measure(provider, [await proposeAdminIx(program, next.publicKey, a)], [next]);
    await measure(provider, [await acceptAdminIx(program, a)]);
  }

  const user = Keypair.generate();
  provider.airdrop(user.publicKey, 10_000_000_000n);
  let state = await fetchPoolState(program, pool);
  const lp = await createTokenAccount(provider, state.pool.lpMint, user.publicKey);
  const accounts: PublicKey[] = [];
  for (const mint of mints) {
    const t = await createTokenAccount(provider, mint, user.publicKey);
    await mintTo(provider, mint, t, admin, new BN("1000000000000"));
    accounts.push(t);
  }
  // Seed every custody (first deposits create the LP record), then measure a steady-state deposit.
  for (let i = 0; i < n; i++) {
    state = await fetchPoolState(program, pool);
    await measure(provider, [await addLiquidityIx(program, state, { owner: user.publicKey, custody: state.custodies[i].address, fundingAccount: accounts[i], lpTokenAccount: lp, amountIn: new BN(1_000_000_000), minLpOut: new BN(0) })], [user]);
  }
  state = await fetchPoolState(program, pool);
  rec("add_liquidity", await measure(provider, [await addLiquidityIx(program, state, { owner: user.publicKey, custody: state.custodies[0].address, fundingAccount: accounts[0], lpTokenAccount: lp, amountIn: new BN(10_000_000), minLpOut: new BN(0) })], [user]), n >= 4 ? 25_000 : undefined, n);
  provider.warpSlots(1);
  state = await fetchPoolState(program, pool);
  rec("remove_liquidity", await measure(provider, [await removeLiquidityIx(program, state, { owner: user.publicKey, custody: state.custodies[0].address, receivingAccount: accounts[0], lpTokenAccount: lp, lpIn: new BN(5_000_000), minAmountOut: new BN(0) })], [user]), undefined, n);
  if (n >= 2) {
    state = await fetchPoolState(program, pool);
    rec("swap", await measure(provider, [await swapIx(program, state, { owner: user.publicKey, custodyIn: state.custodies[0].address, custodyOut: state.custodies[1].address, fundingAccount: accounts[0], receivingAccount: accounts[1], amountIn: new BN(1_000_000), minAmountOut: new BN(0) })], [user]), 20_000, n);
  }
  if (recordAdmin) {
    state = await fetchPoolState(program, pool);
    const treasury = await createTokenAccount(provider, mints[0], a);
    rec("withdraw_protocol_fees", await measure(provider, [await withdrawProtocolFeesIx(program, state, { admin: a, custody: state.custodies[0].address, receivingAccount: treasury, amount: state.custodies[0].account.protocolFees })]));
  }
  void SystemProgram;
}

/** Trades on a SOL/USDC pool: open, increase, collateral changes, partial and full close, liquidation. */
async function trades(rows: Row[], writable: string[]) {
  const admin = Keypair.generate();
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin));
  provider.addProgram(PERPOOL_PROGRAM_ID, SO);
  const program = perpoolProgram(provider);
  const a = admin.publicKey;
  await measure(provider, [await initConfigIx(program, a)]);
  await measure(provider, [await createPoolIx(program, { admin: a, name: "trade", allowTestOracles: true, params: defaultPoolParams() })]);
  const [pool] = poolPda("trade");
  const specs = [
    { decimals: 9, price: new BN("15000000000"), isStable: false },
    { decimals: 6, price: new BN("100000000"), isStable: true },
    { decimals: 8, price: new BN("9500000000000"), isStable: false },
  ];
  const mints: PublicKey[] = [];
  for (const s of specs) {
    const mint = await createMint(provider, s.decimals, a);
    mints.push(mint);
    await measure(provider, [await addCustodyIx(program, { admin: a, pool, mint, params: defaultCustodyParams({ oracleKind: OracleKind.TEST, isStable: s.isStable, targetWeightBps: 3333, spreadBps: 10 }) })]);
    const { custody } = custodyAddresses(pool, mint, program.programId);
    await measure(provider, [await setTestPriceIx(program, { admin: a, pool, custody, price: s.price, emaPrice: s.price, conf: new BN(0), expo: -8 })]);
  }
  const user = Keypair.generate();
  provider.airdrop(user.publicKey, 10_000_000_000n);
  let state = await fetchPoolState(program, pool);
  const lp = await createTokenAccount(provider, state.pool.lpMint, user.publicKey);
  const tokens: PublicKey[] = [];
  for (const mint of mints) {
    const t = await createTokenAccount(provider, mint, user.publicKey);
    await mintTo(provider, mint, t, admin, new BN("100000000000000"));
    tokens.push(t);
  }
  const deposits = [new BN("1000000000000"), new BN("150000000000"), new BN("150000000")];
  for (let i = 0; i < 3; i++) {
    state = await fetchPoolState(program, pool);
    await measure(provider, [await addLiquidityIx(program, state, { owner: user.publicKey, custody: state.custodies[i].address, fundingAccount: tokens[i], lpTokenAccount: lp, amountIn: deposits[i], minLpOut: new BN(0) })], [user]);
  }
  const [sol, usdc, btc] = state.custodies.map((c) => c.address);
  const MAXP = new BN("18446744073709551615");
  const open = async (market: PublicKey, collateralCustody: PublicKey, funding: PublicKey, side: number, sizeUsd: BN, collateral: BN) => {
    state = await fetchPoolState(program, pool);
    return increasePositionIx(program, state, { owner: user.publicKey, side, custody: market, collateralCustody, fundingAccount: funding, sizeUsd, collateralAmount: collateral, acceptablePrice: side === 1 ? MAXP : new BN(0) });
  };
  const openIx = await open(sol, sol, tokens[0], 1, new BN(3_000_000_000), new BN(4_000_000_000));
  writable.push(`increase_position (SOL long): ${openIx.keys.filter((k) => k.isWritable).map((k) => label(k.pubkey, { pool, sol, usdc, btc, user: user.publicKey })).join(", ")}`);
  rows.push({ instruction: "increase_position (open)", custodies: "", cu: await measure(provider, [openIx], [user]), target: 15_000 });
  provider.warpSeconds(3600);
  const reprice = async () => {
    for (let i = 0; i < 3; i++) {
      await measure(provider, [await setTestPriceIx(program, { admin: a, pool, custody: state.custodies[i].address, price: specs[i].price, emaPrice: specs[i].price, conf: new BN(0), expo: -8 })]);
    }
  };
  await reprice();
  rows.push({ instruction: "increase_position (increase)", custodies: "", cu: await measure(provider, [await open(sol, sol, tokens[0], 1, new BN(1_000_000_000), new BN(1_000_000_000))], [user]), target: 15_000 });
  const btcIx = await open(btc, usdc, tokens[1], 2, new BN(20_000_000_000), new BN(500_000_000));
  writable.push(`increase_position (BTC short): ${btcIx.keys.filter((k) => k.isWritable).map((k) => label(k.pubkey, { pool, sol, usdc, btc, user: user.publicKey })).join(", ")}`);
  await measure(provider, [btcIx], [user]);
  const solKeys = new Set(openIx.keys.filter((k) => k.isWritable).map((k) => k.pubkey.toBase58()));
  const shared = btcIx.keys.filter((k) => k.isWritable && solKeys.has(k.pubkey.toBase58()) && !k.pubkey.equals(user.publicKey));
  writable.push(`Pool account writable in a trade: ${openIx.keys.some((k) => k.isWritable && k.pubkey.equals(pool)) ? "YES" : "no"}; writable accounts shared by a SOL-on-SOL long and a BTC-on-USDC short (besides the trader): ${shared.length ? shared.map((k) => k.pubkey.toBase58()).join(", ") : "none"}`);

  const position = async (market: PublicKey, coll: PublicKey, side: number) => (await fetchPosition(program, positionPda(user.publicKey, pool, market, coll, side)[0]))!;
  state = await fetchPoolState(program, pool);
  rows.push({ instruction: "add_collateral", custodies: "", cu: await measure(provider, [await addCollateralIx(program, state, { position: await position(sol, sol, 1), fundingAccount: tokens[0], amount: new BN(100_000_000) })], [user]) });
  rows.push({ instruction: "remove_collateral", custodies: "", cu: await measure(provider, [await removeCollateralIx(program, state, { position: await position(sol, sol, 1), receivingAccount: tokens[0], amount: new BN(100_000_000) })], [user]) });
  provider.warpSeconds(60);
  await reprice();
  state = await fetchPoolState(program, pool);
  rows.push({ instruction: "decrease_position (partial)", custodies: "", cu: await measure(provider, [await decreasePositionIx(program, state, { position: await position(sol, sol, 1), receivingAccount: tokens[0], sizeUsd: new BN(1_000_000_000), collateralOut: new BN(0), acceptablePrice: new BN(0) })], [user]), target: 15_000 });
  state = await fetchPoolState(program, pool);
  rows.push({ instruction: "decrease_position (full)", custodies: "", cu: await measure(provider, [await decreasePositionIx(program, state, { position: await position(sol, sol, 1), receivingAccount: tokens[0], sizeUsd: (await position(sol, sol, 1)).sizeUsd, collateralOut: new BN(0), acceptablePrice: new BN(0) })], [user]), target: 15_000 });
  rows.push({ instruction: "refresh_custody", custodies: "", cu: await measure(provider, [await refreshCustodyIx(program, pool, sol)]) });
  // Liquidation: BTC up 2 % against a 40x short.
  await measure(provider, [await setTestPriceIx(program, { admin: a, pool, custody: btc, price: new BN("9700000000000"), emaPrice: new BN("9700000000000"), conf: new BN(0), expo: -8 })]);
  state = await fetchPoolState(program, pool);
  const keeper = Keypair.generate();
  provider.airdrop(keeper.publicKey, 1_000_000_000n);
  const keeperUsdc = await createTokenAccount(provider, mints[1], keeper.publicKey);
  rows.push({ instruction: "liquidate_position", custodies: "", cu: await measure(provider, [await liquidatePositionIx(program, state, { keeper: keeper.publicKey, position: await position(btc, usdc, 2), keeperAccount: keeperUsdc, ownerAccount: tokens[1] })], [keeper]), target: 15_000 });
}

function label(k: PublicKey, names: Record<string, PublicKey>): string {
  for (const [name, key] of Object.entries(names)) if (key.equals(k)) return name;
  return k.toBase58().slice(0, 6) + "…";
}

async function main() {
  const rows: Row[] = [];
  const writable: string[] = [];
  await scenario(4, rows, true);
  await scenario(1, rows, false);
  await scenario(8, rows, false);
  await trades(rows, writable);
  const lines = [
    "| instruction | custodies | compute units | target | headroom |",
    "|---|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.instruction} | ${r.custodies} | ${r.cu.toLocaleString("en-US")} | ${r.target ? r.target.toLocaleString("en-US") : ""} | ${r.target ? `${Math.round((100 * (r.target - r.cu)) / r.target)} %` : ""} |`),
  ];
  const table = lines.join("\n");
  console.log(table);
  console.log("");
  for (const w of writable) console.log(w);
  const md = [
    "# Benchmark results",
    "",
    "Generated by `npm run bench` (bench/cu.ts): compute units per instruction on LiteSVM with the",
    "real SPL Token program, test oracles, steady state (the LP record already exists).",
    "",
    `Machine: ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}.`,
    "",
    table,
    "",
    "Writable accounts of trades (a trade never write-locks the Pool account):",
    "",
    ...writable.map((w) => `- ${w}`),
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
