/**
 * The SDK over a validator's JSON RPC (the local validator, or ANCHOR_PROVIDER_URL): errors come
 * back named (anchor's `.rpc()` as an `AnchorError` from the program's Anchor-format log, and
 * `parsePerpoolError` on a preflight `SendTransactionError` and on the client's simulation), and
 * `PerpoolClient` deposits, opens and closes with v0 transactions, and its events arrive over WebSocket.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, SendTransactionError, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import {
  LiteSvmProvider,
  PerpoolClient,
  PerpoolErrorCode,
  PerpoolProgram,
  Side,
  createTokenAccount,
  increasePositionIx,
  mintTo,
  parsePerpoolError,
  perpoolProgram,
  publishPriceIx,
} from "../sdk/src";
import { Deployment, deploy, loadConfig } from "../migrations/deploy";
import { TestCluster, distinctIx, testCluster, waitFor } from "./localnet/harness";

describe("SDK over RPC: error translation and PerpoolClient against a validator", function () {
  this.timeout(180_000);

  let dir: string;
  let cluster: TestCluster;
  let deployment: Deployment;
  let connection: Connection;
  let admin: Keypair;
  let program: PerpoolProgram;
  const user = Keypair.generate();
  const tokens: Record<string, PublicKey> = {};

  const asset = (s: string) => {
    const a = deployment.assets.find((x) => x.symbol === s);
    if (!a) throw new Error(`no ${s} in the deployment`);
    return a;
  };
  const custody = (s: string) => new PublicKey(asset(s).custody);

  /**
   * Fresh prices for every asset (a deposit values the whole pool), in a transaction made unique by
   * distinctIx: the same prices sent again within one blockhash would be refused as already processed.
   */
  async function setPrices() {
    const config = loadConfig();
    const ixs = deployment.assets.map((a) => {
      const usd = Number(config.assets.find((c) => c.symbol === a.symbol)!.price);
      return publishPriceIx({
        authority: admin.publicKey,
        feedId: Buffer.from(a.feedId, "hex"),
        shard: a.shard,
        price: new BN(Math.round(usd * 1e8)),
        exponent: -8,
      });
    });
    await program.provider.sendAndConfirm!(new Transaction().add(distinctIx(), ...ixs), []);
  }

  /** A refused 100 USD long: its entry bound (1e-9 USD) is below any price. */
  const refusedOpen = async (p: PerpoolProgram) =>
    increasePositionIx(
      p,
      await (await import("../sdk/src")).fetchPoolState(p, new PublicKey(deployment.pool.address)),
      {
        owner: user.publicKey,
        side: Side.LONG,
        custody: custody("SOL"),
        collateralCustody: custody("USDC"),
        fundingAccount: tokens.USDC!,
        sizeUsd: new BN(100_000_000),
        collateralAmount: new BN(20_000_000),
        acceptablePrice: new BN(1),
      },
    );

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-sdk-rpc-"));
    cluster = await testCluster(dir);
    const config = loadConfig();
    config.pool = {
      ...config.pool,
      name: `sdk-${Math.random().toString(36).slice(2, 10)}`,
      params: { ...(config.pool.params ?? {}), lpCooldownSecs: 0 },
    };
    const shard = 1 + Math.floor(Math.random() * 65_535);
    config.assets = config.assets.map((a) => ({ ...a, pyth: { ...a.pyth, shard } }));
    const adminFile = process.env.ANCHOR_WALLET ?? path.join(dir, "admin.json");
    ({ deployment } = await deploy(config, { url: cluster.url, dataDir: dir, keypair: adminFile, log: () => {} }));
    admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(adminFile, "utf8"))));
    connection = new Connection(cluster.url, "confirmed");
    const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    program = perpoolProgram(provider);
    const sig = await connection.requestAirdrop(user.publicKey, 10 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature: sig, ...(await connection.getLatestBlockhash()) }, "confirmed");
    const tokenProvider = provider as unknown as LiteSvmProvider; // the token helpers use connection + sendAndConfirm only
    for (const [s, amount] of [
      ["SOL", new BN("100000000000")],
      ["USDC", new BN(200_000_000_000)],
    ] as const) {
      tokens[s] = await createTokenAccount(tokenProvider, new PublicKey(asset(s).mint), user.publicKey);
      await mintTo(tokenProvider, new PublicKey(asset(s).mint), tokens[s]!, admin.publicKey, amount);
    }
    // Liquidity for the tests' longs (the deployment's pool starts without it).
    await setPrices();
    for (const [s, amount] of [
      ["SOL", new BN("50000000000")],
      ["USDC", new BN(50_000_000_000)],
    ] as const)
      await userClient().deposit({ custody: custody(s), amount });
  });

  const userClient = () => {
    const wallet = new anchor.Wallet(user);
    return new PerpoolClient(
      connection,
      { publicKey: wallet.publicKey, signTransaction: (t) => wallet.signTransaction(t) },
      { pool: new PublicKey(deployment.pool.address), resendMs: 500 },
    );
  };

  after(async () => {
    await cluster?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => setPrices());

  it("anchor's .rpc() throws an AnchorError naming the program error (from the program's log)", async () => {
    const userProgram = perpoolProgram(
      new anchor.AnchorProvider(connection, new anchor.Wallet(user), { commitment: "confirmed" }),
    );
    const state = await (
      await import("../sdk/src")
    ).fetchPoolState(userProgram, new PublicKey(deployment.pool.address));
    const usdc = state.custodies.find((c) => c.address.equals(custody("USDC")))!;
    let caught: unknown;
    try {
      await userProgram.methods
        .addLiquidity(new BN(0), new BN(0))
        .accounts({
          owner: user.publicKey,
          pool: state.address,
          custody: usdc.address,
          fundingAccount: tokens.USDC!,
          lpTokenAccount: tokens.USDC!,
        })
        .remainingAccounts(
          state.custodies.flatMap((c) => [
            { pubkey: c.address, isSigner: false, isWritable: false },
            { pubkey: c.account.oracle, isSigner: false, isWritable: false },
          ]),
        )
        .rpc();
    } catch (e) {
      caught = e;
    }
    expect(caught, String(caught)).to.be.instanceOf(anchor.AnchorError);
    const code = (caught as anchor.AnchorError).error.errorCode;
    expect(code.number).to.be.within(6000, 6999);
    expect(PerpoolErrorCode[code.code as keyof typeof PerpoolErrorCode], code.code).to.equal(code.number);
    expect(parsePerpoolError(caught)?.code).to.equal(code.number);
  });

  it("parsePerpoolError names a preflight SendTransactionError; nothing is sent", async () => {
    const before = (await connection.getTokenAccountBalance(tokens.USDC!)).value.amount;
    const tx = new Transaction().add(await refusedOpen(program));
    tx.feePayer = user.publicKey;
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.sign(user);
    let caught: unknown;
    try {
      await connection.sendRawTransaction(tx.serialize());
    } catch (e) {
      caught = e;
    }
    expect(caught, String(caught)).to.be.instanceOf(SendTransactionError);
    expect(parsePerpoolError(caught)?.name, String(caught)).to.equal("SlippageExceeded");
    expect((await connection.getTokenAccountBalance(tokens.USDC!)).value.amount).to.equal(before);
  });

  it("PerpoolClient deposits, opens and closes over RPC; its simulation refusal is named", async () => {
    const client = userClient();
    // Events over the validator's WebSocket, typed: the deposit's liquidityAdded.
    const seen: { signature: string; lpOut: string }[] = [];
    const unsubscribe = client.onEvents((events, signature) => {
      for (const e of events) if (e.name === "liquidityAdded") seen.push({ signature, lpOut: e.data.lpOut.toString() });
    });
    let deposited;
    try {
      deposited = await client.deposit({ custody: custody("USDC"), amount: new BN(50_000_000_000) });
      const signature = deposited.signature;
      await waitFor(() => seen.some((x) => x.signature === signature), "the deposit's event over WebSocket", 20_000);
    } finally {
      await unsubscribe();
    }
    expect(seen.find((x) => x.signature === deposited.signature)?.lpOut).to.equal(deposited.quote.lpOut.toString());
    await client.openPosition({
      market: custody("SOL"),
      side: Side.LONG,
      collateral: custody("USDC"),
      collateralAmount: new BN(100_000_000),
      sizeUsd: new BN(300_000_000),
    });
    const [position] = await client.getPositions();
    expect(position?.account.sizeUsd.toString()).to.equal("300000000");
    await client.closePosition({ position: position!.address });
    expect(await client.getPositions()).to.have.length(0);
    let refused: unknown;
    try {
      await client.send([await refusedOpen(client.program)]);
    } catch (e) {
      refused = e;
    }
    expect(parsePerpoolError(refused)?.name, String(refused)).to.equal("SlippageExceeded");
  });
});
