/**
 * End to end over JSON-RPC: the SDK flows the LiteSVM suites run in process
 * (deposit, open and close a position, borrow and repay, liquidate after a
 * price move) through a real `@solana/web3.js` `Connection`, each transaction
 * confirmed over the WebSocket (signatureSubscribe), with account and logs
 * subscriptions firing; then the demo wallet and the price feed of `npm start`.
 *
 * The cluster is `ANCHOR_PROVIDER_URL` when set (e.g. Agave's
 * solana-test-validator; set `ANCHOR_WALLET` to the admin keypair when the
 * cluster's Perpool config already exists), else a local validator started
 * here. Each run deploys its own pool with a fresh name and fresh test mints,
 * priced by its own price accounts (the publisher's accounts of the Pyth feeds
 * under a random shard, so `npm start`'s price feed does not move them), so
 * it can run again and again against the same cluster.
 *
 * On-chain time is wall-clock time here, so a quote is computed for the
 * block time of the transaction it is compared with (±1 s, for clusters
 * whose Clock and block time differ by a second).
 */
import * as anchor from "@coral-xyz/anchor";
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  Signer,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { DeployConfig, Deployment, deploy, loadConfig } from "../migrations/deploy";
import { fundDemoWallet } from "../localnet/demo-wallet";
import { startPriceFeed } from "../localnet/price-feed";
import {
  LiteSvmProvider,
  PerpoolProgram,
  PoolState,
  Side,
  addLiquidityIx,
  borrowIx,
  createTokenAccount,
  decodeTokenAccount,
  decreasePositionIx,
  depositLoanCollateralIx,
  fetchLoan,
  fetchPoolState,
  fetchPosition,
  decodePriceUpdateV2,
  increasePositionIx,
  liquidatePositionIx,
  liquidationPrice,
  loanPda,
  mintTo,
  parseEvents,
  perpoolProgram,
  positionPda,
  publishPriceIx,
  quoteDecreasePosition,
  quoteDeposit,
  quoteIncreasePosition,
  quoteLiquidatePosition,
  quoteLoanBorrow,
  quoteLoanRepay,
  repayIx,
} from "../sdk/src";
import { TestCluster, testCluster, waitFor } from "./localnet/harness";

const units = (n: number, decimals: number) =>
  new BN(Math.round(n * 1e6)).mul(new BN(10).pow(new BN(decimals))).div(new BN(1e6));
const USD = (n: number) => units(n, 6);
const USDC = (n: number) => units(n, 6);
const SOL = (n: number) => units(n, 9);
const MAX = new BN("18446744073709551615");
const ZERO = new BN(0);

describe("localnet end to end: SDK flows over JSON-RPC and WebSocket", function () {
  this.timeout(60_000);

  let dir: string;
  let cluster: TestCluster;
  let connection: Connection;
  let provider: anchor.AnchorProvider;
  let program: PerpoolProgram;
  let admin: Keypair;
  let deployment: Deployment;
  let config: DeployConfig;
  const lp = Keypair.generate();
  const trader = Keypair.generate();
  const borrower = Keypair.generate();
  const keeper = Keypair.generate();
  const accounts = new Map<string, Record<string, PublicKey>>(); // owner → symbol → token account

  const pool = () => new PublicKey(deployment.pool.address);
  const custody = (symbol: string) => new PublicKey(deployment.assets.find((a) => a.symbol === symbol)!.custody);
  const mint = (symbol: string) => new PublicKey(deployment.assets.find((a) => a.symbol === symbol)!.mint);
  const tokens = (owner: Keypair) => accounts.get(owner.publicKey.toBase58())!;
  const state = (): Promise<PoolState> => fetchPoolState(program, pool());
  const tokenBalance = async (account: PublicKey) =>
    new BN((await connection.getTokenAccountBalance(account)).value.amount);

  /** Blockhashes of the price updates sent so far (the same update twice in one slot would be a duplicate). */
  const priceBlockhashes = new Set<string>();

  /** Sends and confirms over the WebSocket (signatureSubscribe), as wallets do; returns the landed transaction. */
  async function send(ixs: TransactionInstruction[], signers: Signer[], opts: { unusedBlockhash?: Set<string> } = {}) {
    let { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    while (opts.unusedBlockhash?.has(blockhash)) {
      await new Promise((r) => setTimeout(r, 50));
      ({ blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash());
    }
    opts.unusedBlockhash?.add(blockhash);
    const tx = new Transaction({ feePayer: signers[0].publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
    tx.sign(...signers);
    const signature = await connection.sendRawTransaction(tx.serialize());
    const confirmed = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed");
    expect(confirmed.value.err).to.equal(null);
    const landed = (await connection.getTransaction(signature, {
      maxSupportedTransactionVersion: 0,
      commitment: "confirmed",
    }))!;
    expect(landed.meta!.err).to.equal(null);
    return { signature, blockTime: landed.blockTime!, events: parseEvents(program, landed.meta!.logMessages!) };
  }

  /**
   * The quote made at the transaction's block time (or a second either side)
   * that `matches`; the block-time one when none does, so the failure shows it.
   */
  function quoteAt<Q>(blockTime: number, quote: (now: BN) => Q, matches: (q: Q) => boolean): Q {
    for (const t of [blockTime, blockTime - 1, blockTime + 1]) {
      try {
        const q = quote(new BN(t));
        if (matches(q)) return q;
      } catch {
        // e.g. not liquidatable at that second
      }
    }
    return quote(new BN(blockTime));
  }

  /** Fresh prices for every custody (they go stale after 60 s), published through the local price publisher. */
  async function setPrices(
    prices: Record<string, number> = { SOL: 150, BTC: 95_000, ETH: 3_500, USDC: 1 },
  ): Promise<void> {
    const ixs = Object.entries(prices).map(([symbol, usd]) => {
      const a = deployment.assets.find((x) => x.symbol === symbol)!;
      return publishPriceIx({
        authority: admin.publicKey,
        feedId: Buffer.from(a.feedId, "hex"),
        shard: a.shard,
        price: new BN(Math.round(usd * 1e8)),
        exponent: -8,
      });
    });
    await send(ixs, [admin], { unusedBlockhash: priceBlockhashes });
  }

  /** A funded user: SOL for fees, token accounts of SOL, USDC and LP, minted by the admin. */
  async function fund(user: Keypair, amounts: { SOL?: BN; USDC?: BN }): Promise<void> {
    const signature = await connection.requestAirdrop(user.publicKey, 10 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
    const p = provider as unknown as LiteSvmProvider; // the SDK token helpers only need connection + sendAndConfirm
    const out: Record<string, PublicKey> = {};
    for (const symbol of ["SOL", "USDC"] as const) {
      out[symbol] = await createTokenAccount(p, mint(symbol), user.publicKey);
      if (amounts[symbol]) await mintTo(p, mint(symbol), out[symbol], admin.publicKey, amounts[symbol]!);
    }
    out.LP = await createTokenAccount(p, new PublicKey(deployment.pool.lpMint), user.publicKey);
    accounts.set(user.publicKey.toBase58(), out);
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-e2e-"));
    cluster = await testCluster(dir);
    config = loadConfig();
    // No LP cooldown: these flows redeem what they deposit (the cooldown is tested on LiteSVM and by the CLI test).
    config.pool = {
      ...config.pool,
      name: `e2e-${Math.random().toString(36).slice(2, 10)}`,
      params: { ...(config.pool.params ?? {}), lpCooldownSecs: 0 },
    };
    const shard = 1 + Math.floor(Math.random() * 65_535);
    config.assets = config.assets.map((a) => ({ ...a, pyth: { ...a.pyth, shard } }));
    const keypair = process.env.ANCHOR_WALLET ?? path.join(dir, "admin.json");
    const result = await deploy(config, { url: cluster.url, dataDir: dir, keypair, log: () => {} });
    deployment = result.deployment;
    admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(keypair, "utf8"))));
    connection = new Connection(cluster.url, "confirmed");
    provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    program = perpoolProgram(provider);
  });

  after(async () => {
    await cluster?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deposits SOL and USDC liquidity, each exactly as quoted", async () => {
    await fund(lp, { SOL: SOL(1_000), USDC: USDC(200_000) });
    await setPrices();
    for (const [symbol, amount] of [
      ["USDC", USDC(100_000)],
      ["SOL", SOL(600)],
    ] as const) {
      const before = await state();
      const lpBefore = await tokenBalance(tokens(lp).LP);
      const ix = await addLiquidityIx(program, before, {
        owner: lp.publicKey,
        custody: custody(symbol),
        fundingAccount: tokens(lp)[symbol],
        lpTokenAccount: tokens(lp).LP,
        amountIn: amount,
        minLpOut: ZERO,
      });
      const res = await send([ix], [lp]);
      const minted = (await tokenBalance(tokens(lp).LP)).sub(lpBefore);
      const q = quoteAt(
        res.blockTime,
        (now) => quoteDeposit(before, custody(symbol), amount, now),
        (q) => q.lpOut.eq(minted),
      );
      expect(minted.toString(), `${symbol} LP out`).to.equal(q.lpOut.toString());
      expect(res.events.map((e) => e.name)).to.include("liquidityAdded");
    }
    expect((await tokenBalance(tokens(lp).USDC)).toString()).to.equal(USDC(100_000).toString());
  });

  it("opens and closes a SOL long, seen by an account subscription on the position", async () => {
    await fund(trader, { SOL: SOL(100), USDC: USDC(100_000) });
    await setPrices();
    const [key] = positionPda(trader.publicKey, pool(), custody("SOL"), custody("SOL"), Side.LONG, program.programId);
    const seen: { lamports: number; length: number }[] = [];
    const sub = connection.onAccountChange(
      key,
      (info) => seen.push({ lamports: info.lamports, length: info.data.length }),
      { commitment: "confirmed" },
    );
    try {
      // Open: $3,000 on 4 SOL.
      const before = await state();
      const sizeUsd = USD(3_000);
      const collateralAmount = SOL(4);
      const ix = await increasePositionIx(program, before, {
        owner: trader.publicKey,
        side: Side.LONG,
        custody: custody("SOL"),
        collateralCustody: custody("SOL"),
        fundingAccount: tokens(trader).SOL,
        sizeUsd,
        collateralAmount,
        acceptablePrice: MAX,
      });
      const opened = await send([ix], [trader]);
      const p = (await fetchPosition(program, key))!;
      const q = quoteAt(
        opened.blockTime,
        (now) =>
          quoteIncreasePosition(
            before,
            {
              position: null,
              side: Side.LONG,
              custody: custody("SOL"),
              collateralCustody: custody("SOL"),
              sizeUsd,
              collateralAmount,
            },
            now,
          ),
        (q) => q.sizeTokensAfter.eq(p.sizeTokens) && q.collateralAfter.eq(p.collateralAmount),
      );
      expect(p.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
      expect(p.sizeTokens.toString()).to.equal(q.sizeTokensAfter.toString());
      expect(p.collateralAmount.toString()).to.equal(q.collateralAfter.toString());
      expect(opened.events.map((e) => e.name)).to.deep.equal(["positionIncreased"]);
      expect(opened.events[0].data.price.toString()).to.equal(q.entryPrice.toString());
      await waitFor(() => seen.length >= 1, "the account notification of the opened position");
      expect(seen[0].lamports).to.be.greaterThan(0);

      // Close it all after a move up.
      await setPrices({ SOL: 156, USDC: 1 });
      const mid = await state();
      const received = await tokenBalance(tokens(trader).SOL);
      const ix2 = await decreasePositionIx(program, mid, {
        position: p,
        receivingAccount: tokens(trader).SOL,
        sizeUsd: p.sizeUsd,
        collateralOut: ZERO,
        acceptablePrice: ZERO,
      });
      const closed = await send([ix2], [trader]);
      const out = (await tokenBalance(tokens(trader).SOL)).sub(received);
      const q2 = quoteAt(
        closed.blockTime,
        (now) => quoteDecreasePosition(mid, p, p.sizeUsd, ZERO, now),
        (q) => q.amountOut.eq(out),
      );
      expect(q2.fullClose).to.equal(true);
      expect(out.toString(), "amount out").to.equal(q2.amountOut.toString());
      expect(closed.events[0].name).to.equal("positionDecreased");
      expect(await fetchPosition(program, key)).to.equal(null);
      // A closed account is notified with zero lamports, as on a cluster.
      await waitFor(() => seen.some((s) => s.lamports === 0), "the account notification of the closed position");
    } finally {
      await connection.removeAccountChangeListener(sub);
    }
  });

  it("borrows USDC against SOL collateral and repays it with interest", async () => {
    await fund(borrower, { SOL: SOL(100), USDC: USDC(1_000) });
    await setPrices();
    const ref = { owner: borrower.publicKey, collateralCustody: custody("SOL"), borrowCustody: custody("USDC") };
    const [loanKey] = loanPda(ref.owner, pool(), ref.collateralCustody, ref.borrowCustody, program.programId);
    await send(
      [
        await depositLoanCollateralIx(program, await state(), {
          ...ref,
          fundingAccount: tokens(borrower).SOL,
          amount: SOL(10),
        }),
      ],
      [borrower],
    );
    expect((await fetchLoan(program, loanKey))!.collateralAmount.toString()).to.equal(SOL(10).toString());

    // $500 against $1,500 of SOL: 33 % LTV.
    const before = await state();
    const loan = (await fetchLoan(program, loanKey))!;
    const usdcBefore = await tokenBalance(tokens(borrower).USDC);
    const borrowed = await send(
      [await borrowIx(program, before, { ...ref, receivingAccount: tokens(borrower).USDC, amount: USDC(500) })],
      [borrower],
    );
    expect((await tokenBalance(tokens(borrower).USDC)).sub(usdcBefore).toString()).to.equal(USDC(500).toString());
    const afterBorrow = (await fetchLoan(program, loanKey))!;
    const qb = quoteAt(
      borrowed.blockTime,
      (now) => quoteLoanBorrow(before, loan, USDC(500), now),
      (q) => q.scaledDelta.eq(afterBorrow.scaledDebt),
    );
    expect(afterBorrow.scaledDebt.toString()).to.equal(qb.scaledDelta.toString());

    await setPrices();
    const mid = await state();
    const usdcMid = await tokenBalance(tokens(borrower).USDC);
    const repaid = await send(
      [
        await repayIx(program, mid, {
          ...ref,
          payer: borrower.publicKey,
          fundingAccount: tokens(borrower).USDC,
          amount: MAX,
        }),
      ],
      [borrower],
    );
    const paid = usdcMid.sub(await tokenBalance(tokens(borrower).USDC));
    const qr = quoteAt(
      repaid.blockTime,
      (now) => quoteLoanRepay(mid, afterBorrow, MAX, now),
      (q) => q.repaid.eq(paid),
    );
    expect(paid.toString()).to.equal(qr.repaid.toString());
    expect(paid.gte(USDC(500))).to.equal(true);
    expect((await fetchLoan(program, loanKey))!.scaledDebt.toString()).to.equal("0");
  });

  it("liquidates a short after the price moves past its liquidation price, seen by a logs subscription", async () => {
    await fund(keeper, {});
    await setPrices();
    const [key] = positionPda(trader.publicKey, pool(), custody("SOL"), custody("USDC"), Side.SHORT, program.programId);
    const open = await increasePositionIx(program, await state(), {
      owner: trader.publicKey,
      side: Side.SHORT,
      custody: custody("SOL"),
      collateralCustody: custody("USDC"),
      fundingAccount: tokens(trader).USDC,
      sizeUsd: USD(20_000),
      collateralAmount: USDC(1_000),
      acceptablePrice: ZERO,
    });
    const opened = await send([open], [trader]);
    const p = (await fetchPosition(program, key))!;
    const liq = liquidationPrice(await state(), p, new BN(opened.blockTime))!;
    expect(Number(liq.toString()) / 1e9).to.be.within(150, 160);

    const logs: { signature: string; logs: string[] }[] = [];
    const sub = connection.onLogs(
      program.programId,
      (l) => logs.push({ signature: l.signature, logs: l.logs }),
      "confirmed",
    );
    try {
      // The oracle moves past the liquidation price (9-decimal price → 8-decimal oracle).
      await setPrices({ SOL: Number(liq.toString()) / 1e9 + 1, USDC: 1 });
      const before = await state();
      const ownerBefore = await tokenBalance(tokens(trader).USDC);
      const ix = await liquidatePositionIx(program, before, {
        keeper: keeper.publicKey,
        position: p,
        keeperAccount: tokens(keeper).USDC,
        ownerAccount: tokens(trader).USDC,
      });
      const res = await send([ix], [keeper]);
      const reward = await tokenBalance(tokens(keeper).USDC);
      const ownerOut = (await tokenBalance(tokens(trader).USDC)).sub(ownerBefore);
      const q = quoteAt(
        res.blockTime,
        (now) => quoteLiquidatePosition(before, p, now),
        (q) => q.rewardTokens.eq(reward) && q.ownerOut.eq(ownerOut),
      );
      expect(reward.toString(), "keeper reward").to.equal(q.rewardTokens.toString());
      expect(ownerOut.toString(), "owner out").to.equal(q.ownerOut.toString());
      expect(reward.gt(ZERO)).to.equal(true);
      // What the position owed over time is settled first, then it is liquidated: one event says both.
      expect(res.events.map((e: { name: string }) => e.name)).to.deep.equal(["positionLiquidated"]);

      await waitFor(() => logs.some((l) => l.signature === res.signature), "the logs notification of the liquidation");
      const notified = logs.find((l) => l.signature === res.signature)!;
      expect(parseEvents(program, notified.logs).map((e) => e.name)).to.deep.equal(["positionLiquidated"]);
      if (q.full) expect(await fetchPosition(program, key)).to.equal(null);
      else expect((await fetchPosition(program, key))!.sizeUsd.toString()).to.equal(q.sizeUsdAfter.toString());
    } finally {
      await connection.removeOnLogsListener(sub);
    }
  });

  it("funds the demo wallet with SOL and every test asset, once", async () => {
    const first = await fundDemoWallet({ url: cluster.url, dataDir: dir, keypair: keypairPath(), log: () => {} });
    expect(first.path).to.equal(path.join(dir, "demo-wallet.json"));
    expect(await connection.getBalance(new PublicKey(first.address))).to.equal(100 * LAMPORTS_PER_SOL);
    for (const a of deployment.assets) {
      const account = (await connection.getAccountInfo(new PublicKey(first.tokenAccounts[a.symbol])))!;
      const t = decodeTokenAccount(account.data);
      expect(t.owner.toBase58()).to.equal(first.address);
      expect(t.mint.toBase58()).to.equal(a.mint);
      expect(t.amount.gt(ZERO), a.symbol).to.equal(true);
    }
    expect(first.tokenAccounts.LP).to.be.a("string");
    const second = await fundDemoWallet({ url: cluster.url, dataDir: dir, keypair: keypairPath(), log: () => {} });
    expect(second.actions).to.deep.equal([]);
    expect(second.address).to.equal(first.address);
  });

  it("the price feed publishes every price around its starting one, stable coins near $1", async () => {
    const read = () =>
      Promise.all(
        deployment.assets.map(async (a) =>
          decodePriceUpdateV2((await connection.getAccountInfo(new PublicKey(a.oracle)))!.data),
        ),
      );
    const before = await read();
    const feed = await startPriceFeed({
      url: cluster.url,
      dataDir: dir,
      keypair: keypairPath(),
      intervalMs: 100,
      stepBps: 20,
      seed: 7,
      log: () => {},
    });
    try {
      await waitFor(() => feed.ticks >= 3, "three price updates", 15_000);
    } finally {
      await feed.stop();
    }
    const after = await read();
    const slotTime = (await connection.getBlockTime(await connection.getSlot()))!;
    deployment.assets.forEach((a, i) => {
      const usd = Number(after[i].price.toString()) / 1e8;
      const start = Number(config.assets.find((c) => c.symbol === a.symbol)!.price);
      expect(after[i].publishTime.toNumber(), `${a.symbol} fresh`).to.be.at.least(slotTime - 5);
      if (a.isStable) expect(Math.abs(usd - 1), a.symbol).to.be.at.most(0.0005);
      else {
        expect(after[i].price.eq(before[i].price), `${a.symbol} moved`).to.equal(false);
        expect(Math.abs(usd / start - 1), a.symbol).to.be.at.most(0.1);
      }
      expect(usd).to.equal(Math.round(feed.prices[a.symbol] * 1e8) / 1e8);
    });
  });

  function keypairPath(): string {
    return process.env.ANCHOR_WALLET ?? path.join(dir, "admin.json");
  }
});
