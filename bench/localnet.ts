/**
 * Local validator figures for `npm run bench`: start-up time and RPC
 * throughput, against in-process LiteSVM for the ratio.
 *
 *   ts-node -P tsconfig.json --transpile-only bench/localnet.ts
 *
 * which is how bench/cu.ts runs it (in a process of its own) for `npm run bench`.
 *
 * 1. Start-up: the validator CLI (compiled, `localnet/run.js`, the process
 *    `npm start` runs) on an empty ledger and again on the ledger the bench left
 *    (pool deployed, about a thousand transactions): its own "Ready in" figure
 *    (ledger load + programs + listening) and the time from spawn to a healthy
 *    `getHealth` answer (Node's start included); and `startLocalnet()` in
 *    process on that ledger.
 * 2. RPC throughput: pre-signed transactions sent over HTTP (`sendTransaction`,
 *    base64, preflight on, as wallets send), `WINDOW` in flight, each confirmed
 *    by a `signatureSubscribe` notification on one WebSocket; p50 / p99 from
 *    send to notification; the validator runs in its own process, its RSS read
 *    after the runs; 300 transfers and 100 deposits first, not reported, so
 *    V8's compiling and the program's loading are not in the figures. Two workloads: System transfers, and Perpool
 *    `add_liquidity` deposits of USDC (steady state: the LP record exists).
 * 3. In-process LiteSVM: the same kinds of transactions, pre-signed,
 *    executed by litesvm's native `sendLegacyTransaction` on the same chain
 *    state (signature verification on), no RPC, no journal; and what a
 *    checkpoint costs the event loop.
 *
 * Bounded: loopback only, about 30 s on a quiet machine, every validator it starts is stopped
 * (by PID, or `close()`), its temporary ledger deleted.
 */
import * as anchor from "@coral-xyz/anchor";
import { FailedTransactionMetadata } from "litesvm/dist/internal";
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";
import WebSocket from "ws";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { startLocalnet, startPriceFeed } from "../localnet";
import { deploy, loadConfig } from "../migrations/deploy";
import {
  LiteSvmProvider,
  addLiquidityIx,
  createTokenAccount,
  fetchPoolState,
  mintTo,
  perpoolProgram,
} from "../sdk/src";
import { ValidatorProcess } from "../tests/localnet/harness";

const TRANSFERS = 3_000;
/** Transfers (and a third as many deposits) sent first and not reported: the first requests also pay for V8's compiling and the program's loading. */
const WARMUP = 300;
const DEPOSITS = 600;
/** Transactions in flight at once over RPC. */
const WINDOW = 64;
/** Ceiling of each RPC run (the bench reports what it confirmed by then). */
const RUN_LIMIT_MS = 6_000;

interface Run {
  count: number;
  ms: number;
  /** Milliseconds from send to confirmation, per transaction, sorted. */
  latencies: number[];
}
const percentile = (r: Run, p: number) =>
  r.latencies.length ? r.latencies[Math.min(r.latencies.length - 1, Math.floor((p / 100) * r.latencies.length))] : NaN;
const tps = (r: Run) => (r.count * 1000) / r.ms;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * One keep-alive HTTP/1.1 connection sending JSON POSTs one after another.
 * The bench's client shares the machine's two cores with the validator, and
 * `fetch` spends about 1.2 ms of CPU per request on them (more than the
 * validator's whole work on a transfer), so the bench writes the requests
 * itself: about 0.1 ms each. Answers must carry a Content-Length (the
 * validator's do).
 */
class KeepAliveConnection {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (body: string) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(private readonly url: URL) {
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk) => this.onData(chunk));
    const fail = (e: Error) => {
      this.failure ??= e;
      for (const w of this.waiting.splice(0)) w.reject(this.failure);
    };
    this.socket.on("error", fail);
    this.socket.on("close", () => fail(new Error("the validator closed the connection")));
  }

  post(body: string): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const bytes = Buffer.from(body);
    const head = `POST ${this.url.pathname} HTTP/1.1\r\nHost: ${this.url.host}\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n`;
    this.socket.write(Buffer.concat([Buffer.from(head, "latin1"), bytes]));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      const end = this.pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.pending.subarray(0, end).toString("latin1");
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!length) {
        this.socket.destroy(new Error(`an answer without Content-Length: ${head.split("\r\n")[0]}`));
        return;
      }
      const total = end + 4 + Number(length[1]);
      if (this.pending.length < total) return;
      const body = this.pending.subarray(end + 4, total).toString("utf8");
      this.pending = this.pending.subarray(total);
      this.waiting.shift()?.resolve(body);
    }
  }
}

/**
 * The bench's client: `WINDOW` keep-alive HTTP connections (one per slot of
 * the window) and one WebSocket, opened once and used by every run, as a
 * wallet or a bot keeps its connections. Opening them inside a measured run
 * would count connection set-up under load: while the validator is saturated
 * it takes new connections one per event-loop turn (seen: 64 connects made at
 * once were all taken only after 60 to 130 ms), which is not what a
 * connected client waits for.
 */
class RpcClient {
  private readonly connections: KeepAliveConnection[];
  private readonly bySubscription = new Map<number, (err: unknown) => void>();
  private readonly byRequest = new Map<number, (err: unknown) => void>();
  private nextId = 1;

  private constructor(
    url: URL,
    private readonly ws: WebSocket,
  ) {
    this.connections = Array.from({ length: WINDOW }, () => new KeepAliveConnection(url));
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString());
      if (m.id !== undefined) {
        const done = this.byRequest.get(m.id)!;
        this.byRequest.delete(m.id);
        if (m.error) done(new Error(`signatureSubscribe: ${m.error.message}`));
        else this.bySubscription.set(m.result, done);
      } else if (m.method === "signatureNotification") {
        const done = this.bySubscription.get(m.params.subscription);
        this.bySubscription.delete(m.params.subscription);
        done?.(m.params.result.value.err);
      }
    });
  }

  static async open(url: string, wsUrl: string): Promise<RpcClient> {
    const ws = new WebSocket(wsUrl);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    return new RpcClient(new URL(url), ws);
  }

  close(): void {
    this.ws.terminate();
    for (const c of this.connections) c.close();
  }

  private confirmed(signature: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      this.byRequest.set(id, (err) =>
        err === null
          ? resolve()
          : reject(err instanceof Error ? err : new Error(`${signature} failed: ${JSON.stringify(err)}`)),
      );
      this.ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "signatureSubscribe",
          params: [signature, { commitment: "confirmed" }],
        }),
      );
    });
  }

  /**
   * Sends `txs` (serialized) with `WINDOW` in flight: each one a
   * `sendTransaction` over HTTP (base64, preflight on, as wallets send), then
   * a `signatureSubscribe` on the shared WebSocket, done when its
   * notification arrives. A lean client, so the figure is the validator's
   * rather than the client library's.
   */
  async run(txs: Buffer[]): Promise<Run> {
    const started = performance.now();
    let next = 0;
    let done = 0;
    const latencies: number[] = [];
    let failure: unknown;
    const worker = async (connection: KeepAliveConnection) => {
      while (failure === undefined && next < txs.length && performance.now() - started < RUN_LIMIT_MS) {
        const raw = txs[next++];
        try {
          const sent = performance.now();
          const body = JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "sendTransaction",
            params: [raw.toString("base64"), { encoding: "base64" }],
          });
          const reply = JSON.parse(await connection.post(body)) as { result?: string; error?: { message: string } };
          if (!reply.result) throw new Error(`sendTransaction: ${reply.error?.message}`);
          await this.confirmed(reply.result);
          latencies.push(performance.now() - sent);
          done++;
        } catch (e) {
          failure ??= e; // the other workers stop after their transaction in flight
        }
      }
    };
    await Promise.all(this.connections.map(worker));
    if (failure !== undefined) throw failure;
    return { count: done, ms: performance.now() - started, latencies: latencies.sort((a, b) => a - b) };
  }
}

/** Resident memory of a process (Linux), in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Spawns the validator CLI and waits for a `getHealth` answer: what a script waiting on it sees. */
async function startTimed(dir: string): Promise<{ validator: ValidatorProcess; healthyMs: number }> {
  const t0 = performance.now();
  const validator = await ValidatorProcess.start(dir);
  const res = await fetch(validator.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" }),
  });
  if (((await res.json()) as { result?: unknown }).result !== "ok") throw new Error("the validator is not healthy");
  return { validator, healthyMs: performance.now() - t0 };
}

function sign(ixs: TransactionInstruction[], payer: Keypair, blockhash: string): Buffer {
  const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(...ixs);
  tx.sign(payer);
  return tx.serialize();
}

export async function localnetBench(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-bench-localnet-"));
  let validator: ValidatorProcess | undefined;
  // A client promise failing unobserved (a web3.js poll of a dead server) must
  // not end the process before `finally` has stopped the validator.
  let stray: unknown;
  const onStray = (e: unknown) => (stray ??= e);
  process.on("unhandledRejection", onStray);
  try {
    // --- 1a. cold start: the CLI on an empty ledger --------------------------------------
    const loadBefore = os.loadavg()[0];
    // (compiles localnet/ first when its output is stale, outside the timing)
    await (await ValidatorProcess.start(path.join(dir, "warm-up"))).stop("SIGTERM");
    fs.rmSync(path.join(dir, "warm-up"), { recursive: true, force: true });
    const cold = await startTimed(dir);
    validator = cold.validator;
    const coldSpawn = cold.healthyMs;
    const readyMs = (v: ValidatorProcess) => Number(/Ready in (\d+) ms/.exec(v.output.join(""))![1]);
    const coldReady = readyMs(validator);
    const url = validator.url;
    const connection = new Connection(url, "confirmed");

    // --- setup: the pool, an LP with USDC, payers for transfers ------------------------
    const config = loadConfig();
    const { deployment } = await deploy(config, {
      url,
      dataDir: dir,
      keypair: path.join(dir, "admin.json"),
      log: () => {},
    });
    const admin = Keypair.fromSecretKey(
      Uint8Array.from(JSON.parse(fs.readFileSync(path.join(dir, "admin.json"), "utf8"))),
    );
    const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
    const program = perpoolProgram(provider);
    const usdc = deployment.assets.find((a) => a.symbol === "USDC")!;
    const pool = new PublicKey(deployment.pool.address);
    const user = Keypair.generate();
    const airdrop = await connection.requestAirdrop(user.publicKey, 100 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction({ signature: airdrop, ...(await connection.getLatestBlockhash()) });
    const tokens = provider as unknown as LiteSvmProvider; // the SDK token helpers only need connection + sendAndConfirm
    const userUsdc = await createTokenAccount(tokens, new PublicKey(usdc.mint), user.publicKey);
    await mintTo(tokens, new PublicKey(usdc.mint), userUsdc, admin.publicKey, new BN(10).pow(new BN(15)));
    const userLp = await createTokenAccount(tokens, new PublicKey(deployment.pool.lpMint), user.publicKey);
    const state = await fetchPoolState(program, pool);
    const deposit = (amount: number) =>
      addLiquidityIx(program, state, {
        owner: user.publicKey,
        custody: new PublicKey(usdc.custody),
        fundingAccount: userUsdc,
        lpTokenAccount: userLp,
        amountIn: new BN(amount),
        minLpOut: new BN(0),
      });
    // Warm-up deposit (the pool's first: at least its $10 minimum): the LP record exists from now on.
    await provider.sendAndConfirm(new Transaction().add(await deposit(100_000_000)), [user]);
    const receiver = Keypair.generate().publicKey;

    // --- 2. RPC throughput -----------------------------------------------------------------
    // One deposit instruction from the SDK; the others differ in their amount only
    // (data: 8-byte discriminator, amount_in u64, min_lp_out u64).
    const template = await deposit(1_000_000);
    if (template.data.readBigUInt64LE(8) !== 1_000_000n) throw new Error("unexpected add_liquidity data layout");
    const depositOf = (amount: number) => {
      const data = Buffer.from(template.data);
      data.writeBigUInt64LE(BigInt(amount), 8);
      return new TransactionInstruction({ programId: template.programId, keys: template.keys, data });
    };
    // Signed in chunks, yielding between them, so this process keeps serving its sockets.
    const build = async (bh: string) => {
      const warmup: Buffer[] = [];
      const transfers: Buffer[] = [];
      const deposits: Buffer[] = [];
      for (let i = 0; i < WARMUP; i++) {
        warmup.push(
          sign(
            [SystemProgram.transfer({ fromPubkey: user.publicKey, toPubkey: receiver, lamports: 2_000_000 + i })],
            user,
            bh,
          ),
        );
      }
      // Deposits too: the first Perpool transaction after a start loads the program into litesvm's cache.
      for (let i = 0; i < WARMUP / 3; i++) warmup.push(sign([depositOf(2_000_000 + i)], user, bh));
      for (let i = 0; i < TRANSFERS; i++) {
        transfers.push(
          sign(
            [SystemProgram.transfer({ fromPubkey: user.publicKey, toPubkey: receiver, lamports: 1_000_000 + i })],
            user,
            bh,
          ),
        );
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      for (let i = 0; i < DEPOSITS; i++) {
        deposits.push(sign([depositOf(1_000_000 + i)], user, bh));
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      return { warmup, transfers, deposits };
    };
    const blockhash = await connection.getLatestBlockhash();
    const signed = await build(blockhash.blockhash);
    const wsUrl = /WebSocket URL: (\S+)/.exec(validator.output.join(""))![1];
    const client = await RpcClient.open(url, wsUrl);
    let rpcTransfers: Run;
    let rpcDeposits: Run;
    try {
      await client.run(signed.warmup); // not reported: V8 compiles the hot path, the connections open
      rpcTransfers = await client.run(signed.transfers);
      rpcDeposits = await client.run(signed.deposits);
    } finally {
      client.close();
    }
    // (web3.js closes its idle WebSocket after 500 ms; let it, before the server goes.)
    await new Promise((r) => setTimeout(r, 700));
    const txCount = await connection.getTransactionCount();
    const rss = rssMiB(validator.child.pid!);
    if ((await validator.stop("SIGTERM")) !== 0)
      throw new Error(`the validator did not stop cleanly: ${validator.output.join("")}`);

    // --- 1b. warm start: the CLI on the ledger just written ------------------------------
    const warm = await startTimed(dir);
    validator = warm.validator;
    const warmSpawn = warm.healthyMs;
    const warmReady = readyMs(validator);
    await validator.stop("SIGTERM");
    validator = undefined;

    // --- 1c + 3. in process: start-up on that ledger, then LiteSVM alone ------------------
    const inProcess = await startLocalnet({ port: 0, ledger: dir, quiet: true });
    const inProcessMs = inProcess.startupMs;
    // What a checkpoint costs the event loop (litesvm's toBytes, the history flush); the disk work runs on libuv's threads.
    // Median of 5, each after the previous one's disk work is done; CPU time beside wall time, since
    // on a busy machine the wall time also counts the moments the process was not scheduled.
    const cpWall: number[] = [];
    const cpCpu: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const cpu0 = process.cpuUsage();
      const cp0 = performance.now();
      inProcess.chain.checkpoint();
      cpWall.push(performance.now() - cp0);
      const cpu = process.cpuUsage(cpu0);
      cpCpu.push((cpu.user + cpu.system) / 1000);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const checkpointMs = median(cpWall);
    const checkpointCpuMs = median(cpCpu);
    let svmTransfers: Run;
    let svmDeposits: Run;
    try {
      const vm = inProcess.chain.vm;
      const svmRun = (txs: Buffer[]): Run => {
        const started = performance.now();
        for (const raw of txs) {
          const res = vm.sendLegacyTransaction(raw);
          if (res instanceof FailedTransactionMetadata)
            throw new Error(`LiteSVM transaction failed: ${String(res.err())}`);
        }
        return { count: txs.length, ms: performance.now() - started, latencies: [] };
      };
      // Prices fresh again (the RPC runs and restarts may have outlasted their max age).
      const feed = await startPriceFeed({ url: inProcess.rpcUrl, dataDir: dir, intervalMs: 3_600_000, log: () => {} });
      await feed.tick();
      await feed.stop();
      // New signatures (another blockhash); the chain's blockhash check is its own, litesvm's is off.
      const again = await build(Keypair.generate().publicKey.toBase58());
      // LiteSVM alone, signature verification on, as the chain runs it (litesvm's native object, raw bytes in).
      // Set here: the chain turns it off again after each transaction it executes (the price feed's above).
      vm.setSigverify(true);
      svmRun(again.warmup);
      svmTransfers = svmRun(again.transfers);
      svmDeposits = svmRun(again.deposits);
    } finally {
      await inProcess.close();
    }

    if (stray !== undefined) throw stray;
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const loadAfter = os.loadavg()[0];
    const ms = (n: number) => `${fmt(n, 1)} ms`;
    return [
      "## Local validator (localnet/)",
      "",
      `Generated by bench/localnet.ts on ${cpu}, ${os.cpus().length} cores, Node ${process.version}; loopback only; ` +
        `the validator runs compiled JavaScript (dist/, \`npm run build\`) in its own process, the client (64 keep-alive HTTP connections written by hand, one WebSocket) in the bench's. ` +
        `Load average (1 min) ${fmt(loadBefore, 1)} before, ${fmt(loadAfter, 1)} after: other work on the machine shares its cores.`,
      "",
      "| start-up | ready (validator's own figure) | spawn to a healthy getHealth answer |",
      "|---|---:|---:|",
      `| empty ledger (CLI) | ${fmt(coldReady)} ms | ${fmt(coldSpawn)} ms |`,
      `| ledger with the pool and ${fmt(txCount)} transactions (CLI) | ${fmt(warmReady)} ms | ${fmt(warmSpawn)} ms |`,
      `| same ledger, \`startLocalnet()\` in process | ${fmt(inProcessMs)} ms | — |`,
      "",
      `| throughput | RPC: HTTP send + WebSocket confirmation, ${WINDOW} in flight, after ${WARMUP} + ${WARMUP / 3} warm-up | confirmation p50 | p99 | in-process LiteSVM | RPC / LiteSVM |`,
      "|---|---:|---:|---:|---:|---:|",
      `| System transfer | ${fmt(tps(rpcTransfers))} tx/s (${fmt(rpcTransfers.count)} tx) | ${ms(percentile(rpcTransfers, 50))} | ${ms(percentile(rpcTransfers, 99))} | ${fmt(tps(svmTransfers))} tx/s | ${fmt((100 * tps(rpcTransfers)) / tps(svmTransfers))} % |`,
      `| Perpool add_liquidity | ${fmt(tps(rpcDeposits))} tx/s (${fmt(rpcDeposits.count)} tx) | ${ms(percentile(rpcDeposits, 50))} | ${ms(percentile(rpcDeposits, 99))} | ${fmt(tps(svmDeposits))} tx/s | ${fmt((100 * tps(rpcDeposits)) / tps(svmDeposits))} % |`,
      "",
      `Validator memory (RSS) after ${fmt(txCount)} transactions: ${fmt(rss)} MiB. ` +
        `A checkpoint holds the event loop for ${ms(checkpointMs)} (${ms(checkpointCpuMs)} of CPU; median of 5): the snapshot's bytes ` +
        `and the history flush; its writes and fsyncs run off the loop.`,
      "",
    ];
  } catch (e) {
    if (validator) (e as Error).message += `\nvalidator output:\n${validator.output.join("").slice(-3000)}`;
    throw e;
  } finally {
    process.off("unhandledRejection", onStray);
    if (validator) await validator.stop("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const started = performance.now();
  localnetBench().then(
    (lines) => {
      for (const l of lines) console.log(l);
      console.log(`(bench/localnet.ts took ${fmt((performance.now() - started) / 1000, 1)} s)`);
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
