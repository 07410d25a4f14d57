/** Helpers for the local validator tests: raw JSON-RPC calls and the validator as a child process. */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { ComputeBudgetProgram, TransactionInstruction } from "@solana/web3.js";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface RpcReply {
  jsonrpc: string;
  id: unknown;
  result?: any;
  error?: { code: number; message: string; data?: any };
}

/** One JSON-RPC request, answered as the server sent it (errors included). */
export async function rpcCall(url: string, method: string, params?: unknown[]): Promise<RpcReply> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as RpcReply;
}

let distinctCounter = 0;

/**
 * An instruction that changes nothing but makes the transaction it joins
 * differ from every other one this process builds: a compute-unit limit that
 * counts down from the maximum. Two sends of the same instructions by the same
 * signers within one blockhash are otherwise one transaction, and the second
 * is refused as "already processed".
 */
export function distinctIx(): TransactionInstruction {
  distinctCounter = (distinctCounter + 1) % 200_000;
  return ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 - distinctCounter });
}

/** Polls `check` until it returns true (or fails after `timeoutMs`). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The validator CLI in its own process, as `npm start` runs it. */
export class ValidatorProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly output: string[],
  ) {}

  /** Spawns the validator CLI (compiled, through localnet/run.js) on a free port and waits for its RPC URL line. */
  static async start(ledger: string, extraArgs: string[] = []): Promise<ValidatorProcess> {
    const child = spawn(
      process.execPath,
      ["localnet/run.js", "--port", "0", "--ledger", ledger, "--quiet", ...extraArgs],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const output: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        const m = /RPC URL: (\S+)/.exec(output.join(""));
        if (m && /Ready in/.test(output.join(""))) resolve(m[1]);
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => output.push(c.toString()));
      child.once("exit", (code) => reject(new Error(`validator exited (${code}): ${output.join("")}`)));
    });
    return new ValidatorProcess(child, url, output);
  }

  /** Sends `signal` to the process (by its PID) and waits for it to exit. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    process.kill(this.child.pid!, signal);
    return exited;
  }
}

/**
 * The cluster the end-to-end suite runs against: `ANCHOR_PROVIDER_URL` when it
 * is set (any cluster speaking Solana's JSON-RPC, e.g. Agave's
 * `solana-test-validator` started by `npm start -- --validator agave`),
 * otherwise a local validator of its own (localnet/, in this process, on a
 * free loopback port, a fresh ledger), stopped by `close()`.
 */
export interface TestCluster {
  url: string;
  /** The in-process validator, when the suite started one. */
  local?: import("../../localnet").Localnet;
  close(): Promise<void>;
}

export async function testCluster(ledger: string, opts: { slotMs?: number } = {}): Promise<TestCluster> {
  const external = process.env.ANCHOR_PROVIDER_URL;
  if (external) return { url: external, close: async () => {} };
  const { startLocalnet } = await import("../../localnet");
  const local = await startLocalnet({ port: 0, ledger, quiet: true, slotMs: opts.slotMs ?? 100 });
  return { url: local.rpcUrl, local, close: () => local.close() };
}
