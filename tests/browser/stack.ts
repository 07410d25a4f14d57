/**
 * The local stack the browser test drives, all on 127.0.0.1 and free ports:
 * the validator (in process, fresh ledger), the pool deployed from
 * migrations/localnet.json, the price feed (keeps the published prices fresh),
 * the token faucet, and the app's Vite dev server as a child process
 * pointed at them. `stop()` ends each by its handle or PID.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { startLocalnet, startPriceFeed, type Localnet, type PriceFeed } from "../../localnet";
import { startTokenFaucet, type TokenFaucet } from "../../localnet/token-faucet";
import { deploy, loadConfig, type Deployment } from "../../migrations/deploy";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface Stack {
  dir: string;
  rpcUrl: string;
  faucetUrl: string;
  appUrl: string;
  deployment: Deployment;
  /** The dev server's output, for failure reports. */
  appOutput: string[];
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the dev server binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the app server exited (${child.exitCode ?? child.signalCode}):\n${output.join("")}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${output.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends SIGTERM to the child by its PID and waits for it to exit (SIGKILL after 5 s). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startStack(): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-app-"));
  let localnet: Localnet | undefined;
  let feed: PriceFeed | undefined;
  let faucet: TokenFaucet | undefined;
  let app: ChildProcess | undefined;
  const appOutput: string[] = [];
  const stop = async () => {
    if (app) await stopChild(app);
    await feed?.stop();
    await faucet?.close();
    await localnet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    localnet = await startLocalnet({ port: 0, ledger: dir, quiet: true, slotMs: 200 });
    const { deployment } = await deploy(loadConfig(), { url: localnet.rpcUrl, dataDir: dir, keypair: path.join(dir, "admin.json"), log: () => {} });
    feed = await startPriceFeed({ url: localnet.rpcUrl, dataDir: dir, intervalMs: 2_000, stepBps: 5, seed: 7, log: () => {} });
    await feed.tick();
    faucet = await startTokenFaucet({ url: localnet.rpcUrl, dataDir: dir, port: 0, log: () => {} });

    const port = await freePort();
    const vitePackage = require.resolve("vite/package.json", { paths: [path.join(REPO_ROOT, "app")] });
    const vite = path.join(path.dirname(vitePackage), "bin", "vite.js");
    app = spawn(process.execPath, [vite, "--host", "127.0.0.1", "--port", String(port), "--strictPort", "--clearScreen", "false"], {
      cwd: path.join(REPO_ROOT, "app"),
      env: { ...process.env, VITE_RPC_URL: localnet.rpcUrl, VITE_FAUCET_URL: faucet.url, BROWSER: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Should this process end without `stop()` (an interrupted run), the dev server ends with it.
    const child = app;
    const orphanGuard = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGTERM");
    };
    process.once("exit", orphanGuard);
    child.once("exit", () => process.removeListener("exit", orphanGuard));
    app.stdout!.on("data", (c: Buffer) => appOutput.push(c.toString()));
    app.stderr!.on("data", (c: Buffer) => appOutput.push(c.toString()));
    const appUrl = `http://127.0.0.1:${port}/`;
    await waitForHttp(appUrl, app, appOutput, 60_000);
    return { dir, rpcUrl: localnet.rpcUrl, faucetUrl: faucet.url, appUrl, deployment, appOutput, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
