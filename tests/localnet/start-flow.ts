/**
 * `npm start` (scripts/start.sh) as the restart and clean-stop tests drive it:
 * a child process in a process group of its own, on free ports, with a data
 * directory of its own and without the build step. Signals go to the group
 * (as Ctrl-C does) or to start.sh alone; `groupPids()` lists what still runs.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

import {
  Side,
  fetchPoolState,
  fetchPosition,
  findCustody,
  increasePositionIx,
  perpoolProgram,
  positionPda,
} from "../../sdk/src";
import type { Deployment } from "../../migrations/deploy";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Agave's `solana-test-validator` for the tests that run on both validators:
 * the path of the binary in `PERPOOL_TEST_AGAVE` (unset: those tests run on
 * the local validator only).
 */
export function agaveBinary(): string | undefined {
  const bin = process.env.PERPOOL_TEST_AGAVE;
  if (!bin) return undefined;
  if (!fs.existsSync(bin)) throw new Error(`PERPOOL_TEST_AGAVE=${bin}: no such file`);
  return bin;
}

/** The PIDs of every process whose process group is `pgid` (from /proc). */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && Number(fields[2]) === pgid) out.push(Number(name));
  }
  return out;
}

export interface StartOptions {
  /** "agave": Agave's solana-test-validator (`agaveBinary()`), on the given ports. */
  validator?: "localnet" | "agave";
  /** Start the web app too, on this port. */
  appPort?: number;
  /** Ports when the validator cannot pick them (Agave): RPC (WebSocket = RPC + 1), faucet, Agave's faucet. */
  ports?: { rpc: number; faucet: number; agaveFaucet: number };
  extraArgs?: string[];
}

export class StartFlow {
  readonly output: string[] = [];
  private exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.stdout!.on("data", (c: Buffer) => this.output.push(c.toString()));
    child.stderr!.on("data", (c: Buffer) => this.output.push(c.toString()));
  }

  /** Runs scripts/start.sh on `dataDir` in a new process group. */
  static spawn(dataDir: string, opts: StartOptions = {}): StartFlow {
    const args = ["scripts/start.sh", "--no-build", "--ledger", dataDir, "--price-interval-ms", "1000"];
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.ANCHOR_PROVIDER_URL;
    delete env.ANCHOR_WALLET;
    if (opts.validator === "agave") {
      const bin = agaveBinary();
      if (!bin || !opts.ports) throw new Error("the Agave variant needs PERPOOL_TEST_AGAVE and explicit ports");
      env.PATH = `${path.dirname(bin)}:${env.PATH}`;
      env.AGAVE_FAUCET_PORT = String(opts.ports.agaveFaucet);
      args.push("--validator", "agave");
    }
    args.push("--port", String(opts.ports?.rpc ?? 0));
    if (opts.ports) args.push("--faucet-port", String(opts.ports.faucet));
    if (opts.appPort !== undefined) args.push("--app-port", String(opts.appPort));
    else args.push("--no-app");
    args.push(...(opts.extraArgs ?? []));
    const child = spawn("bash", args, { cwd: REPO_ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const flow = new StartFlow(child);
    // Should the test process end first, the group ends with it.
    const guard = () => flow.signal("SIGKILL");
    process.once("exit", guard);
    child.once("exit", () => process.removeListener("exit", guard));
    return flow;
  }

  get pgid(): number {
    return this.child.pid!;
  }

  text(): string {
    return this.output.join("");
  }

  /** Waits until the output matches `pattern` (fails if start.sh exits first, or after `timeoutMs`). */
  async waitForOutput(pattern: RegExp, what: string, timeoutMs = 180_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = pattern.exec(this.text());
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `start.sh exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}:\n${this.text()}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` to the whole process group (as Ctrl-C in a terminal does). */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pgid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
  }

  /** Waits until no process of the group runs (and start.sh has been reaped); resolves to the milliseconds it took. */
  async waitGone(timeoutMs: number, since = Date.now()): Promise<number> {
    const deadline = since + timeoutMs;
    for (;;) {
      const left = groupPids(this.pgid);
      const reaped = this.child.exitCode !== null || this.child.signalCode !== null;
      if (left.length === 0 && reaped) return Date.now() - since;
      if (Date.now() > deadline) {
        const what = left.map((pid) => `${pid} ${readCmdline(pid)}`).join("\n  ");
        throw new Error(`still running ${Date.now() - since} ms after the signal:\n  ${what}\n${this.text()}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILLs the group and waits for it to be gone (cleanup). */
  async kill(): Promise<void> {
    this.signal("SIGKILL");
    await this.exited;
  }
}

function readCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").slice(0, 160);
  } catch {
    return "(gone)";
  }
}

/** The RPC URL start.sh printed in its summary. */
export function rpcUrlOf(flow: StartFlow): string {
  const m = /^ {2}RPC URL {8}(\S+)$/m.exec(flow.text());
  if (!m) throw new Error(`no RPC URL in the output:\n${flow.text()}`);
  return m[1];
}

/** The PID start.sh printed for `label` ("Validator", "Keeper", …) in its summary. */
export function pidOf(flow: StartFlow, label: string): number {
  const m = new RegExp(`^  ${label}\\s.*\\bpid (\\d+)`, "m").exec(flow.text());
  if (!m) throw new Error(`no ${label} pid in the output:\n${flow.text()}`);
  return Number(m[1]);
}

/**
 * What `npm start` must leave behind: the pool deployed, every seeded asset
 * in it once (not twice), and a trade by the demo wallet going through.
 */
export async function checkDeployedSeededTrading(url: string, dataDir: string): Promise<void> {
  const deployment = JSON.parse(fs.readFileSync(path.join(dataDir, "deployment.json"), "utf8")) as Deployment;
  const demo = Keypair.fromSecretKey(
    Uint8Array.from(JSON.parse(fs.readFileSync(path.join(dataDir, "demo-wallet.json"), "utf8")) as number[]),
  );
  const connection = new Connection(url, "confirmed");
  const program = perpoolProgram(
    new anchor.AnchorProvider(connection, new anchor.Wallet(demo), { commitment: "confirmed" }),
    new PublicKey(deployment.programId),
  );
  const pool = new PublicKey(deployment.pool.address);
  const state = await fetchPoolState(program, pool);
  const { SEED_AMOUNTS } = await import("../../localnet/seed-liquidity");
  if (state.lpSupply.isZero()) throw new Error("the pool has no LP tokens: not seeded");
  for (const a of deployment.assets) {
    const owned = findCustody(state, new PublicKey(a.custody)).account.owned;
    const seed = new BN(SEED_AMOUNTS[a.symbol]).mul(new BN(10).pow(new BN(a.decimals)));
    // Deposited once: at least what the seed put in less fees, under twice that.
    if (owned.lt(seed.muln(9).divn(10)) || owned.gte(seed.muln(2))) {
      throw new Error(
        `${a.symbol}: the pool owns ${owned.toString()} base units; one seed deposit is ${seed.toString()}`,
      );
    }
  }
  // A trade: a 10x short SOL position with 100 USDC of collateral, from the demo wallet's tokens.
  const custody = (s: string) => new PublicKey(deployment.assets.find((a) => a.symbol === s)!.custody);
  const usdcMint = new PublicKey(deployment.assets.find((a) => a.symbol === "USDC")!.mint);
  const accounts = await connection.getParsedTokenAccountsByOwner(demo.publicKey, { mint: usdcMint });
  if (accounts.value.length === 0) throw new Error("the demo wallet has no USDC account");
  const ix = await increasePositionIx(program, state, {
    owner: demo.publicKey,
    side: Side.SHORT,
    custody: custody("SOL"),
    collateralCustody: custody("USDC"),
    fundingAccount: accounts.value[0].pubkey,
    sizeUsd: new BN(1_000_000_000),
    collateralAmount: new BN(100_000_000),
    acceptablePrice: new BN(0),
  });
  await program.provider.sendAndConfirm!(new Transaction().add(ix), []);
  const key = positionPda(demo.publicKey, pool, custody("SOL"), custody("USDC"), Side.SHORT, program.programId)[0];
  const position = await fetchPosition(program, key);
  if (!position || position.sizeUsd.isZero()) throw new Error(`no position at ${key.toBase58()} after the trade`);
}
