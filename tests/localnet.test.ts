/**
 * The local validator (localnet/) driven as a cluster: a real
 * `@solana/web3.js` `Connection` and `@coral-xyz/anchor` `AnchorProvider`
 * over HTTP JSON-RPC and WebSocket, the SDK on top, `migrations/deploy.ts`
 * creating the pool. Also: Solana's error shapes, blockhash expiry,
 * subscriptions, and a ledger that survives restarts and `kill -9`.
 */
import * as anchor from "@coral-xyz/anchor";
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
  sendAndConfirmRawTransaction,
  sendAndConfirmTransaction,
} from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { Localnet, startLocalnet } from "../localnet";
import { Deployment, deploy, loadConfig } from "../migrations/deploy";
import {
  IDL,
  LiteSvmProvider,
  PERPOOL_PROGRAM_ID,
  PYTH_RECEIVER_PROGRAM_ID,
  PerpoolProgram,
  addLiquidityIx,
  decodePriceUpdateV2,
  decodeProgramDeployment,
  feedIdFromHex,
  isPricePublisher,
  priceFeedPda,
  programDataPda,
  createTokenAccount,
  fetchCustody,
  fetchPool,
  fetchPoolProposals,
  fetchLookupTable,
  fetchPoolState,
  mintTo,
  parseEvents,
  perpoolProgram,
  quoteDeposit,
} from "../sdk/src";
import { ValidatorProcess, rpcCall, waitFor } from "./localnet/harness";

const USDC = (n: number) => new BN(n).mul(new BN(1_000_000));
const errorCode = (name: string) => (IDL.errors as { code: number; name: string }[]).find((e) => e.name === name)!.code;

// The tests form one scenario on one ledger and run in order: deploy, deposit,
// inspect, fail, expire, restart, kill, reset.
/** The local deployment with no LP cooldown: the RPC checks read the LP tokens a deposit mints. */
function testConfig() {
  const config = loadConfig();
  config.pool = { ...config.pool, params: { ...(config.pool.params ?? {}), lpCooldownSecs: 0 } };
  // Prices are published once at deploy; on a busy machine the suite can outlast the default 60 s.
  config.assets = config.assets.map((a) => ({ ...a, params: { ...a.params, oracleMaxAgeSecs: 600 } }));
  return config;
}

describe("localnet: Solana JSON-RPC and WebSocket over LiteSVM", function () {
  this.timeout(60_000);

  let dir: string;
  let net: Localnet | undefined;
  let connection: Connection;
  let provider: anchor.AnchorProvider;
  let program: PerpoolProgram;
  let deployment: Deployment;
  let admin: Keypair;
  const user = Keypair.generate();
  let userUsdc: PublicKey;
  let userLp: PublicKey;
  let depositSignature: string;

  const pool = () => new PublicKey(deployment.pool.address);
  const asset = (symbol: string) => deployment.assets.find((a) => a.symbol === symbol)!;

  /** Points the Connection, provider and program at `url`. */
  function connect(url: string): void {
    connection = new Connection(url, "confirmed");
    admin = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(path.join(dir, "admin.json"), "utf8"))));
    provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    program = perpoolProgram(provider);
  }

  /** A deposit of `amount` USDC by `user`, signed, with a fresh blockhash. */
  async function depositTx(amount: BN, minLpOut: BN): Promise<Transaction> {
    const state = await fetchPoolState(program, pool());
    const ix = await addLiquidityIx(program, state, {
      owner: user.publicKey,
      custody: new PublicKey(asset("USDC").custody),
      fundingAccount: userUsdc,
      lpTokenAccount: userLp,
      amountIn: amount,
      minLpOut,
    });
    const tx = new Transaction().add(ix);
    tx.feePayer = user.publicKey;
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.sign(user);
    return tx;
  }

  /** Explicit URL, data directory and admin keypair, whatever ANCHOR_* variables say. */
  const deployOptions = (url: string) => ({ url, dataDir: dir, keypair: path.join(dir, "admin.json"), log: () => {} });

  async function airdrop(to: PublicKey, sol: number): Promise<void> {
    const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-localnet-"));
    net = await startLocalnet({ port: 0, ledger: dir, quiet: true, slotMs: 100 });
    // The validator created the admin keypair (the program's upgrade authority) in `dir`.
    connection = new Connection(net.rpcUrl, "confirmed");
  });

  after(async () => {
    await net?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("answers cluster queries, batches and CORS preflights; unknown methods get -32601", async () => {
    expect(net!.rpcUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(net!.wsPort).to.equal(net!.rpcPort + 1);
    expect((await connection.getVersion())["solana-core"]).to.be.a("string");
    expect(await connection.getGenesisHash()).to.equal(net!.chain.genesisHash);
    const epoch = await connection.getEpochInfo();
    expect(epoch.absoluteSlot).to.be.at.least(0);
    expect(epoch.slotsInEpoch).to.equal(432_000);
    expect(await connection.getMinimumBalanceForRentExemption(165)).to.equal(2_039_280);

    const unknown = await rpcCall(net!.rpcUrl, "getNothing", []);
    expect(unknown.error).to.deep.equal({ code: -32601, message: "Method not found" });
    const badKey = await rpcCall(net!.rpcUrl, "getBalance", ["not-a-key"]);
    expect(badKey.error!.code).to.equal(-32602);

    const batch = await fetch(net!.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "getHealth" },
        { jsonrpc: "2.0", id: 2, method: "getSlot" },
        { jsonrpc: "2.0", method: "getSlot" }, // a notification: no reply
      ]),
    }).then((r) => r.json() as Promise<unknown[]>);
    expect(batch).to.have.length(2);
    expect(batch[0]).to.deep.equal({ jsonrpc: "2.0", result: "ok", id: 1 });

    const preflight = await fetch(net!.rpcUrl, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-headers": "content-type, solana-client" },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get("access-control-allow-origin")).to.equal("*");
    expect(preflight.headers.get("access-control-allow-headers")).to.contain("solana-client");
  });

  it("runs Perpool upgradeable, the data directory's admin its upgrade authority, and the price publisher at the Pyth receiver's address", async () => {
    const adminKey = Keypair.fromSecretKey(
      Uint8Array.from(JSON.parse(fs.readFileSync(path.join(dir, "admin.json"), "utf8"))),
    ).publicKey;
    const [programData] = programDataPda();
    const [programAccount, programDataAccount, publisher] = await connection.getMultipleAccountsInfo([
      PERPOOL_PROGRAM_ID,
      programData,
      PYTH_RECEIVER_PROGRAM_ID,
    ]);
    const deployed = decodeProgramDeployment(programAccount, (a) =>
      a.equals(programData) ? programDataAccount : null,
    );
    expect(deployed.kind).to.equal("upgradeable");
    expect(deployed.kind === "upgradeable" && deployed.upgradeAuthority?.toBase58()).to.equal(adminKey.toBase58());
    expect(publisher?.executable).to.equal(true);
    await airdrop(adminKey, 1);
    expect(await isPricePublisher(connection, adminKey)).to.equal(true);
  });

  it("refuses to deploy with an admin that is not the program's upgrade authority", async () => {
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-localnet-authority-"));
    const other = await startLocalnet({
      port: 0,
      ledger: otherDir,
      quiet: true,
      slotMs: 100,
      upgradeAuthority: Keypair.generate().publicKey.toBase58(),
    });
    try {
      const run = deploy(loadConfig(), {
        url: other.rpcUrl,
        dataDir: otherDir,
        keypair: path.join(otherDir, "admin.json"),
        log: () => {},
      });
      let err: unknown;
      await run.catch((e) => (err = e));
      expect(String(err)).to.match(/init_config needs the program's upgrade authority \w+; the admin keypair is \w+/);
      expect(
        await new Connection(other.rpcUrl).getAccountInfo(
          PublicKey.findProgramAddressSync([Buffer.from("config")], PERPOOL_PROGRAM_ID)[0],
        ),
      ).to.equal(null);
    } finally {
      await other.close();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it("deploys config, pool and custodies with migrations/deploy.ts, idempotently", async () => {
    const config = testConfig();
    const first = await deploy(config, deployOptions(net!.rpcUrl));
    deployment = first.deployment;
    expect(first.actions.length).to.be.greaterThan(4);
    expect(deployment.assets.map((a) => a.symbol)).to.deep.equal(["SOL", "BTC", "ETH", "USDC"]);
    // Each custody reads the publisher's account of its Pyth feed, written by the admin.
    expect(deployment.prices).to.equal("publisher");
    // The pool's lookup table holds every non-user account a client's v0 transaction names.
    const table = await fetchLookupTable(connection, new PublicKey(deployment.lookupTable));
    expect(table, "the pool's lookup table").to.not.equal(null);
    const inTable = new Set(table!.state.addresses.map((a) => a.toBase58()));
    for (const a of deployment.assets)
      for (const k of [a.custody, a.vault, a.oracle]) expect(inTable.has(k), k).to.equal(true);
    expect(inTable.has(deployment.pool.address)).to.equal(true);
    expect(table!.state.authority?.toBase58()).to.equal(deployment.admin);
    for (const a of deployment.assets) {
      const feed = feedIdFromHex(config.assets.find((c) => c.symbol === a.symbol)!.pyth.feedId);
      expect(a.oracle).to.equal(priceFeedPda(feed)[0].toBase58());
      const info = (await connection.getAccountInfo(new PublicKey(a.oracle)))!;
      expect(info.owner.toBase58()).to.equal(PYTH_RECEIVER_PROGRAM_ID.toBase58());
      expect(decodePriceUpdateV2(info.data).writeAuthority.toBase58()).to.equal(deployment.admin);
    }
    expect(JSON.parse(fs.readFileSync(path.join(dir, "deployment.json"), "utf8"))).to.deep.equal(deployment);

    const second = await deploy(config, deployOptions(net!.rpcUrl));
    expect(second.actions).to.deep.equal([]);
    expect(second.wroteDeployment).to.equal(false);
    expect(second.deployment).to.deep.equal(deployment);

    // A run stopped after making the table but before writing deployment.json: the next run takes the
    // admin's table up again instead of paying for a second one.
    const recorded = JSON.parse(fs.readFileSync(path.join(dir, "deployment.json"), "utf8")) as Record<string, unknown>;
    delete recorded.lookupTable;
    fs.writeFileSync(path.join(dir, "deployment.json"), JSON.stringify(recorded, null, 2) + "\n");
    const third = await deploy(config, deployOptions(net!.rpcUrl));
    expect(third.actions).to.deep.equal([]);
    expect(third.deployment).to.deep.equal(deployment);
    const tables = await connection.getProgramAccounts(AddressLookupTableProgram.programId, {
      filters: [{ memcmp: { offset: 22, bytes: deployment.admin } }],
    });
    expect(tables.map((t) => t.pubkey.toBase58())).to.deep.equal([deployment.lookupTable]);

    connect(net!.rpcUrl);
    const p = await fetchPool(program, pool());
    expect(p.custodyCount).to.equal(4);
  });

  it("deploys a changed custody setting through a proposal, executed at once on the local pool (timelock 0)", async () => {
    connect(net!.rpcUrl);
    expect((await fetchPool(program, pool())).timelockSecs).to.equal(0);
    const changed = testConfig();
    changed.assets = changed.assets.map((a) =>
      a.symbol === "SOL" ? { ...a, params: { ...a.params, openFeeBps: 8 } } : a,
    );
    const sol = () => new PublicKey(deployment.assets.find((a) => a.symbol === "SOL")!.custody);
    const run = await deploy(changed, deployOptions(net!.rpcUrl));
    expect(run.actions).to.have.length(2);
    expect(run.actions[0]).to.match(/^proposed SOL custody settings \(params\.openFeeBps 6 → 8\) as \w+$/);
    expect(run.actions[1]).to.match(/^executed SOL custody settings proposal \w+$/);
    expect((await fetchCustody(program, sol())).openFeeBps).to.equal(8);
    expect((await deploy(changed, deployOptions(net!.rpcUrl))).actions).to.deep.equal([]);
    // Back to the file's settings, the same way.
    expect((await deploy(testConfig(), deployOptions(net!.rpcUrl))).actions).to.have.length(2);
    expect((await fetchCustody(program, sol())).openFeeBps).to.equal(6);
    expect((await fetchPoolProposals(program, pool())).length).to.equal(0);
  });

  it("deposits liquidity through sendAndConfirmRawTransaction, exactly as quoted, confirmed over the WebSocket", async () => {
    await airdrop(user.publicKey, 10);
    const tokens = provider as unknown as LiteSvmProvider; // the SDK token helpers only need connection + sendAndConfirm
    userUsdc = await createTokenAccount(tokens, new PublicKey(asset("USDC").mint), user.publicKey);
    await mintTo(tokens, new PublicKey(asset("USDC").mint), userUsdc, admin.publicKey, USDC(10_000));
    userLp = await createTokenAccount(tokens, new PublicKey(deployment.pool.lpMint), user.publicKey);

    const state = await fetchPoolState(program, pool());
    const now = new BN((await connection.getBlockTime(await connection.getSlot()))!);
    const quote = quoteDeposit(state, new PublicKey(asset("USDC").custody), USDC(1_000), now);
    const tx = await depositTx(USDC(1_000), quote.lpOut);

    // Watch the signature over the WebSocket before sending, as confirmTransaction does. The
    // transaction is sent as signed: sendAndConfirmTransaction would re-sign it with web3's cached
    // blockhash, and the watched signature might then never land.
    const signature = bs58(tx);
    const notified = new Promise<unknown>((resolve) => connection.onSignature(signature, resolve));
    const lastValidBlockHeight = (await connection.getBlockHeight("confirmed")) + 150;
    depositSignature = await sendAndConfirmRawTransaction(
      connection,
      tx.serialize(),
      { signature, blockhash: tx.recentBlockhash!, lastValidBlockHeight },
      { commitment: "confirmed" },
    );
    expect(depositSignature).to.equal(signature);
    expect(await notified).to.deep.equal({ err: null });

    const lp = await connection.getTokenAccountBalance(userLp);
    expect(lp.value.amount).to.equal(quote.lpOut.toString());
    expect(lp.value.decimals).to.equal(6);
    expect((await connection.getTokenAccountBalance(userUsdc)).value.amount).to.equal(USDC(9_000).toString());
  });

  it("returns the transaction with logs, balances, inner instructions and a decodable event", async () => {
    const tx = await connection.getTransaction(depositSignature, {
      maxSupportedTransactionVersion: 0,
      commitment: "confirmed",
    });
    expect(tx).to.not.equal(null);
    const meta = tx!.meta!;
    expect(meta.err).to.equal(null);
    expect(meta.fee).to.equal(5000);
    // The user paid the fee and the rent of its new LP account record.
    expect(meta.preBalances[0] - meta.postBalances[0]).to.be.greaterThan(5000);
    expect(meta.computeUnitsConsumed).to.be.greaterThan(0);
    expect(meta.innerInstructions!.length).to.be.greaterThan(0); // the token transfer and LP mint CPIs
    const usdcPre = meta.preTokenBalances!.find(
      (b) => b.mint === asset("USDC").mint && b.owner === user.publicKey.toBase58(),
    );
    const usdcPost = meta.postTokenBalances!.find(
      (b) => b.mint === asset("USDC").mint && b.owner === user.publicKey.toBase58(),
    );
    expect(new BN(usdcPre!.uiTokenAmount.amount).sub(new BN(usdcPost!.uiTokenAmount.amount)).toString()).to.equal(
      USDC(1_000).toString(),
    );
    expect(tx!.blockTime).to.be.a("number");
    expect(tx!.version).to.equal("legacy");

    const events = parseEvents(program, meta.logMessages!);
    const added = events.find((e) => e.name === "liquidityAdded" || e.name === "LiquidityAdded");
    expect(added, JSON.stringify(events.map((e) => e.name))).to.not.equal(undefined);
    expect(added!.data.amountIn.toString()).to.equal(USDC(1_000).toString());

    const parsed = await connection.getParsedTransaction(depositSignature, { maxSupportedTransactionVersion: 0 });
    expect(parsed!.transaction.message.accountKeys[0].pubkey.equals(user.publicKey)).to.equal(true);

    const history = await connection.getSignaturesForAddress(user.publicKey, { limit: 2 });
    expect(history[0].signature).to.equal(depositSignature); // newest first
    expect(history).to.have.length(2);
    const older = await connection.getSignaturesForAddress(user.publicKey, { before: depositSignature });
    expect(older.map((s) => s.signature)).to.not.include(depositSignature);

    const statuses = await connection.getSignatureStatuses([depositSignature], { searchTransactionHistory: true });
    expect(statuses.value[0]!.confirmationStatus).to.equal("finalized");
  });

  it("finds the pool's custodies with getProgramAccounts memcmp filters", async () => {
    const custodies = deployment.assets.map((a) => a.custody).sort();
    const disc = Buffer.from(
      (IDL.accounts as { name: string; discriminator: number[] }[]).find((a) => a.name === "Custody")!.discriminator,
    );
    const sample = (await connection.getAccountInfo(new PublicKey(custodies[0])))!.data;
    const poolOffset = sample.indexOf(pool().toBuffer());
    expect(poolOffset).to.be.greaterThan(7);

    const found = await connection.getProgramAccounts(program.programId, {
      filters: [
        { memcmp: { offset: 0, bytes: bs58encode(disc) } },
        { memcmp: { offset: poolOffset, bytes: pool().toBase58() } },
        { dataSize: sample.length },
      ],
      dataSlice: { offset: 0, length: 8 },
    });
    expect(found.map((f) => f.pubkey.toBase58()).sort()).to.deep.equal(custodies);
    expect(found.every((f) => f.account.data.length === 8)).to.equal(true);

    // The same through anchor's account namespace (discriminator memcmp, base58).
    const all = await (program.account as any).custody.all([
      { memcmp: { offset: poolOffset, bytes: pool().toBase58() } },
    ]);
    expect(all).to.have.length(4);

    // memcmp bytes in base64 and a filter matching nothing.
    const none = await rpcCall(net!.rpcUrl, "getProgramAccounts", [
      program.programId.toBase58(),
      {
        encoding: "base64",
        filters: [{ memcmp: { offset: 0, bytes: Buffer.alloc(8, 7).toString("base64"), encoding: "base64" } }],
      },
    ]);
    expect(none.result).to.deep.equal([]);

    const owned = await connection.getParsedTokenAccountsByOwner(user.publicKey, {
      mint: new PublicKey(asset("USDC").mint),
    });
    expect(owned.value).to.have.length(1);
    expect(owned.value[0].account.data.parsed.info.tokenAmount.amount).to.equal(USDC(9_000).toString());
    const supply = await connection.getTokenSupply(new PublicKey(asset("USDC").mint));
    expect(supply.value.amount).to.equal(USDC(10_000).toString());
  });

  it("notifies account, program and logs subscribers", async () => {
    const subscriptions = net!.subscriptionCount();
    let onAccount!: (data: Buffer) => void;
    let onProgram!: (address: string) => void;
    let onLogs!: (logs: string[]) => void;
    const accountChange = new Promise<Buffer>((r) => (onAccount = r));
    const programChange = new Promise<string>((r) => (onProgram = r));
    const logs = new Promise<string[]>((r) => (onLogs = r));
    const custodyDisc = (IDL.accounts as { name: string; discriminator: number[] }[]).find(
      (a) => a.name === "Custody",
    )!;
    const ids = [
      connection.onAccountChange(userUsdc, (info) => onAccount(info.data), {
        commitment: "confirmed",
        encoding: "base64",
      }),
      connection.onProgramAccountChange(program.programId, (keyed) => onProgram(keyed.accountId.toBase58()), {
        commitment: "confirmed",
        filters: [{ memcmp: { offset: 0, bytes: bs58encode(Buffer.from(custodyDisc.discriminator)) } }],
      }),
      connection.onLogs(program.programId, (l) => onLogs(l.logs), "confirmed"),
    ];
    try {
      await waitFor(() => net!.subscriptionCount() === subscriptions + 3, "the three subscriptions");

      await sendAndConfirmTransaction(connection, await depositTx(USDC(100), new BN(1)), [user]);

      const data = await accountChange;
      expect(data.readBigUInt64LE(64).toString()).to.equal(USDC(8_900).toString());
      expect(await programChange).to.equal(asset("USDC").custody);
      expect((await logs).some((l) => l.includes(program.programId.toBase58()))).to.equal(true);
    } finally {
      await connection.removeAccountChangeListener(ids[0]);
      await connection.removeProgramAccountChangeListener(ids[1]);
      await connection.removeOnLogsListener(ids[2]);
    }
  });

  it("refuses a failing transaction at preflight (-32002 with logs) and runs it with skipPreflight", async () => {
    const lpBefore = (await connection.getTokenAccountBalance(userLp)).value.amount;
    const userBefore = await connection.getAccountInfo(user.publicKey);
    const tx = await depositTx(USDC(10), USDC(1_000_000)); // asks for far more LP than it can get
    const raw = tx.serialize();

    const reply = await rpcCall(net!.rpcUrl, "sendTransaction", [raw.toString("base64"), { encoding: "base64" }]);
    expect(reply.error!.code).to.equal(-32002);
    const custom = errorCode("SlippageExceeded");
    expect(reply.error!.message).to.equal(
      `Transaction simulation failed: Error processing Instruction 0: custom program error: 0x${custom.toString(16)}`,
    );
    expect(reply.error!.data.err).to.deep.equal({ InstructionError: [0, { Custom: custom }] });
    expect(reply.error!.data.accounts).to.equal(null);
    expect(reply.error!.data.unitsConsumed).to.be.greaterThan(0);
    expect(reply.error!.data.logs.join("\n")).to.contain(`Program ${program.programId.toBase58()} failed`);
    // Not executed: no status, no fee, nothing moved.
    const signature = bs58(tx);
    expect((await connection.getSignatureStatus(signature)).value).to.equal(null);
    expect((await connection.getTokenAccountBalance(userLp)).value.amount).to.equal(lpBefore);
    expect(await connection.getAccountInfo(user.publicKey)).to.deep.equal(userBefore); // not even the fee

    // web3.js surfaces the same failure as a SendTransactionError carrying the logs.
    const err = await connection.sendRawTransaction(raw).catch((e) => e);
    expect(err).to.be.instanceOf(SendTransactionError);
    expect((err as SendTransactionError).logs!.join("\n")).to.contain("failed");

    // Without preflight the transaction lands, fails, and pays its fee.
    const balanceBefore = await connection.getBalance(user.publicKey);
    expect(await connection.sendRawTransaction(raw, { skipPreflight: true })).to.equal(signature);
    const status = (await connection.getSignatureStatus(signature)).value!;
    expect(status.err).to.deep.equal({ InstructionError: [0, { Custom: custom }] });
    expect(await connection.getBalance(user.publicKey)).to.equal(balanceBefore - 5000);
    const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(landed!.meta!.err).to.deep.equal({ InstructionError: [0, { Custom: custom }] });
    expect((await connection.getTokenAccountBalance(userLp)).value.amount).to.equal(lpBefore);
  });

  it("simulates with returned accounts, units and a replaced blockhash", async () => {
    const tx = await depositTx(USDC(5), new BN(1));
    tx.recentBlockhash = Keypair.generate().publicKey.toBase58(); // unknown blockhash, unsigned
    const wire = tx.serialize({ requireAllSignatures: false, verifySignatures: false }).toString("base64");

    const stale = await rpcCall(net!.rpcUrl, "simulateTransaction", [wire, { encoding: "base64" }]);
    expect(stale.result.value.err).to.equal("BlockhashNotFound");

    const sim = await rpcCall(net!.rpcUrl, "simulateTransaction", [
      wire,
      {
        encoding: "base64",
        replaceRecentBlockhash: true,
        accounts: { addresses: [userUsdc.toBase58()], encoding: "base64" },
      },
    ]);
    const value = sim.result.value;
    expect(value.err).to.equal(null);
    expect(value.unitsConsumed).to.be.greaterThan(0);
    expect(value.replacementBlockhash.blockhash).to.be.a("string");
    const after = Buffer.from(value.accounts[0].data[0], "base64");
    const now = (await connection.getTokenAccountBalance(userUsdc)).value.amount;
    expect((after.readBigUInt64LE(64) + 5_000_000n).toString()).to.equal(now); // the simulation moved 5 USDC; the chain did not

    const refused = await rpcCall(net!.rpcUrl, "simulateTransaction", [wire, { encoding: "base64", sigVerify: true }]);
    expect(refused.error!.code).to.equal(-32003);
  });

  it("accepts a blockhash for 150 slots, then refuses it; refuses duplicates and bad signatures", async () => {
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    const transfer = (lamports: number) => {
      const tx = new Transaction({ feePayer: user.publicKey, blockhash, lastValidBlockHeight }).add(
        SystemProgram.transfer({ fromPubkey: user.publicKey, toPubkey: admin.publicKey, lamports }),
      );
      tx.sign(user);
      return tx.serialize();
    };

    net!.chain.advanceSlots(100); // older than the latest, still valid
    const ok = await connection.sendRawTransaction(transfer(1_000));
    expect((await connection.getSignatureStatus(ok)).value!.err).to.equal(null);

    const dup = await rpcCall(net!.rpcUrl, "sendTransaction", [
      transfer(1_000).toString("base64"),
      { encoding: "base64" },
    ]);
    expect(dup.error!.code).to.equal(-32002);
    expect(dup.error!.data.err).to.equal("AlreadyProcessed");

    const tampered = transfer(2_000);
    tampered[10] ^= 0xff;
    const badSig = await rpcCall(net!.rpcUrl, "sendTransaction", [tampered.toString("base64"), { encoding: "base64" }]);
    expect(badSig.error).to.deep.equal({ code: -32003, message: "Transaction signature verification failure" });

    net!.chain.advanceSlots(51); // now 151 slots old
    expect(await connection.getBlockHeight()).to.be.greaterThan(lastValidBlockHeight);
    expect((await connection.isBlockhashValid(blockhash)).value).to.equal(false);
    const expired = await rpcCall(net!.rpcUrl, "sendTransaction", [
      transfer(3_000).toString("base64"),
      { encoding: "base64" },
    ]);
    expect(expired.error!.code).to.equal(-32002);
    expect(expired.error!.message).to.equal("Transaction simulation failed: Blockhash not found");
    expect(expired.error!.data.err).to.equal("BlockhashNotFound");
  });

  it("reports a bad signature before anything else and charges nothing, with or without preflight", async () => {
    // litesvm checks the signatures of a transaction that executes; the chain
    // checks them itself first on every path that refuses one before that.
    const second = Keypair.generate();
    await connection.confirmTransaction(
      await connection.requestAirdrop(second.publicKey, LAMPORTS_PER_SOL),
      "confirmed",
    );
    const { blockhash } = await connection.getLatestBlockhash();
    const transfer = (lamports: number, recentBlockhash = blockhash) => {
      // Two signers: the fee payer's signature good, the second one's broken below.
      const tx = new Transaction({ feePayer: user.publicKey, recentBlockhash }).add(
        SystemProgram.transfer({ fromPubkey: user.publicKey, toPubkey: admin.publicKey, lamports }),
        SystemProgram.transfer({ fromPubkey: second.publicKey, toPubkey: admin.publicKey, lamports }),
      );
      tx.sign(user, second);
      const raw = tx.serialize();
      raw[1 + 64 + 5] ^= 0x01; // the second signature
      return raw;
    };
    const balances = async () => [
      await connection.getBalance(user.publicKey),
      await connection.getBalance(second.publicKey),
      await connection.getBalance(admin.publicKey),
    ];
    const before = await balances();
    const send = (raw: Buffer, config: object = {}) =>
      rpcCall(net!.rpcUrl, "sendTransaction", [raw.toString("base64"), { encoding: "base64", ...config }]);
    const expectBadSig = (reply: { error?: unknown }) =>
      expect(reply.error).to.deep.equal({ code: -32003, message: "Transaction signature verification failure" });

    expectBadSig(await send(transfer(1_001))); // would execute otherwise
    expectBadSig(await send(transfer(1_002, "11111111111111111111111111111111"))); // unknown blockhash too
    const skipped = await send(transfer(1_003), { skipPreflight: true });
    expect(skipped.error, "without preflight the node answers with the signature, then drops it").to.equal(undefined);
    expect(
      (await connection.getSignatureStatus(skipped.result as string, { searchTransactionHistory: true })).value,
    ).to.equal(null);
    expect(await balances()).to.deep.equal(before);
  });

  it("runs v0 transactions through an address lookup table; encodes them as the node does", async () => {
    const send = async (instructions: TransactionInstruction[], tables: AddressLookupTableAccount[] = []) => {
      const { blockhash } = await connection.getLatestBlockhash();
      const message = new TransactionMessage({ payerKey: user.publicKey, recentBlockhash: blockhash, instructions });
      const tx = new VersionedTransaction(message.compileToV0Message(tables));
      tx.sign([user]);
      // base58, the RPC's default encoding for sendTransaction.
      const reply = await rpcCall(net!.rpcUrl, "sendTransaction", [bs58encode(tx.serialize())]);
      expect(reply.error, JSON.stringify(reply.error)).to.equal(undefined);
      return reply.result as string;
    };
    const receivers = [Keypair.generate().publicKey, Keypair.generate().publicKey];
    const recentSlot = (await connection.getSlot()) - 1; // must be in the SlotHashes sysvar
    const [create, table] = AddressLookupTableProgram.createLookupTable({
      authority: user.publicKey,
      payer: user.publicKey,
      recentSlot,
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: user.publicKey,
      payer: user.publicKey,
      addresses: receivers,
    });
    await send([create, extend]);
    net!.chain.advanceSlots(1); // extended addresses are usable from the next slot
    const lookup = (await connection.getAddressLookupTable(table)).value!;
    expect(lookup.state.addresses).to.have.length(2);

    const transfers = receivers.map((to) =>
      SystemProgram.transfer({ fromPubkey: user.publicKey, toPubkey: to, lamports: 2_000_000 }),
    );
    const signature = await send(transfers, [lookup]);
    expect(await connection.getBalance(receivers[1])).to.equal(2_000_000);

    const tx = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    expect(tx!.version).to.equal(0);
    expect(tx!.meta!.loadedAddresses!.writable.map((k) => k.toBase58())).to.deep.equal(
      receivers.map((k) => k.toBase58()),
    );
    expect(tx!.meta!.postBalances.slice(-2)).to.deep.equal([2_000_000, 2_000_000]);

    const legacyClient = await rpcCall(net!.rpcUrl, "getTransaction", [signature]);
    expect(legacyClient.error!.code).to.equal(-32015);
    const base64 = await rpcCall(net!.rpcUrl, "getTransaction", [
      signature,
      { encoding: "base64", maxSupportedTransactionVersion: 0 },
    ]);
    expect(
      VersionedTransaction.deserialize(Buffer.from(base64.result.transaction[0], "base64")).signatures[0],
    ).to.deep.equal(anchor.utils.bytes.bs58.decode(signature));

    const fee = await connection.getFeeForMessage(
      new TransactionMessage({
        payerKey: user.publicKey,
        recentBlockhash: (await connection.getLatestBlockhash()).blockhash,
        instructions: transfers,
      }).compileToV0Message([lookup]),
    );
    expect(fee.value).to.equal(5000);
  });

  it("keeps the pool, balances and history across a restart of the server", async () => {
    const lp = (await connection.getTokenAccountBalance(userLp)).value.amount;
    const lamports = await connection.getBalance(user.publicKey);
    const slot = await connection.getSlot();
    await net!.close();

    net = await startLocalnet({ port: 0, ledger: dir, quiet: true, slotMs: 100 });
    connect(net.rpcUrl);
    expect(await connection.getSlot()).to.be.at.least(slot);
    expect((await connection.getTokenAccountBalance(userLp)).value.amount).to.equal(lp);
    expect(await connection.getBalance(user.publicKey)).to.equal(lamports);
    expect((await fetchPool(program, pool())).custodyCount).to.equal(4);
    const tx = await connection.getTransaction(depositSignature, { maxSupportedTransactionVersion: 0 });
    expect(tx!.meta!.logMessages!.length).to.be.greaterThan(0);
    expect((await deploy(testConfig(), deployOptions(net.rpcUrl))).actions).to.deep.equal([]);
  });

  it("loses nothing confirmed when the validator process is killed with SIGKILL", async () => {
    await net!.close();
    net = undefined;
    // A checkpoint interval longer than the test: the transactions exist only in the journal.
    let validator = await ValidatorProcess.start(dir, ["--checkpoint-ms", "600000"]);
    try {
      connect(validator.url);
      const receiver = Keypair.generate();
      await airdrop(receiver.publicKey, 2);
      const signature = await sendAndConfirmTransaction(
        connection,
        new Transaction().add(
          SystemProgram.transfer({
            fromPubkey: user.publicKey,
            toPubkey: receiver.publicKey,
            lamports: LAMPORTS_PER_SOL,
          }),
        ),
        [user],
      );
      // (web3.js drops its idle WebSocket after 500 ms; waiting for that keeps
      // it from retrying a dead server for the rest of the run.)
      await new Promise((r) => setTimeout(r, 700));
      // Killed with the confirmed transactions only in the journal.
      const ledgerDir = path.join(dir, "ledger");
      const journal = fs
        .readdirSync(ledgerDir)
        .filter((f) => /^journal\..*jsonl$/.test(f))
        .map((f) => fs.readFileSync(path.join(ledgerDir, f), "utf8"))
        .join("");
      expect(journal.trim().split("\n").length).to.be.at.least(2);
      await validator.stop("SIGKILL");

      validator = await ValidatorProcess.start(dir);
      // Killed again just after a start (its ledger load and checkpoint).
      await validator.stop("SIGKILL");

      validator = await ValidatorProcess.start(dir);
      connect(validator.url);
      expect(await connection.getBalance(receiver.publicKey)).to.equal(3 * LAMPORTS_PER_SOL);
      expect((await connection.getSignatureStatus(signature, { searchTransactionHistory: true })).value!.err).to.equal(
        null,
      );
      expect((await fetchPool(program, pool())).custodyCount).to.equal(4);
      expect(await validator.stop("SIGTERM")).to.equal(0);
    } finally {
      await validator.stop("SIGKILL");
    }
  });

  it("--reset starts from an empty ledger", async () => {
    net = await startLocalnet({ port: 0, ledger: dir, quiet: true, reset: true });
    connect(net.rpcUrl);
    expect(await connection.getAccountInfo(pool())).to.equal(null);
    expect(await connection.getBalance(user.publicKey)).to.equal(0);
    expect(await connection.getTransaction(depositSignature, { maxSupportedTransactionVersion: 0 })).to.equal(null);
    expect(fs.existsSync(path.join(dir, "deployment.json"))).to.equal(false);
    expect(fs.existsSync(path.join(dir, "admin.json"))).to.equal(true); // keys survive a reset
  });
});

// --- small helpers -----------------------------------------------------------------

/** The transaction id (first signature) of a signed transaction. */
function bs58(tx: Transaction): string {
  return bs58encode(tx.signatures[0].signature!);
}

function bs58encode(bytes: Uint8Array): string {
  return anchor.utils.bytes.bs58.encode(Buffer.from(bytes));
}
