/**
 * The local stack the browser test drives, all on 127.0.0.1 and ports the system gives:
 * the validator (in process, fresh ledger), the pool deployed from
 * migrations/localnet.json, the price feed (keeps the published prices fresh),
 * the token faucet, the keeper (in process: executes trigger and limit
 * orders, liquidates), and the app's Vite dev server as a child process
 * pointed at them. `stop()` ends each by its handle or PID. `previewBuild()`
 * builds the production app for this stack and serves it (vite preview).
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey } from "@solana/web3.js";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { startLocalnet, startPriceFeed, type Localnet, type PriceFeed } from "../../localnet";
import { startTokenFaucet, type TokenFaucet } from "../../localnet/token-faucet";
import { deploy, loadConfig, type Deployment } from "../../migrations/deploy";
import { Keeper, perpoolProgram } from "../../sdk/src";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface Stack {
  dir: string;
  rpcUrl: string;
  faucetUrl: string;
  appUrl: string;
  deployment: Deployment;
  /** The dev server's output, for failure reports. */
  appOutput: string[];
  /** The keeper's log lines (kept for failure reports, not printed). */
  keeperLog: string[];
  keeper: Keeper;
  /** Stops the price feed (oracles go stale after their maximum age). */
  stopPriceFeed(): Promise<void>;
  /** Starts it again. */
  startPriceFeed(): Promise<void>;
  /** Builds the production app for this stack into a temporary folder and serves it; resolves to its URL. */
  previewBuild(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The URL a Vite server started with `--port 0` prints once it listens (`Local: http://127.0.0.1:N/`):
 * the port the system gave it, so no other process can take it between a choice and the bind.
 */
async function listeningUrl(child: ChildProcess, output: string[], timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // eslint-disable-next-line no-control-regex -- Vite colours its output
    const text = output.join("").replace(/\u001b\[[0-9;]*m/g, "");
    const m = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
    if (m?.[1]) return m[1];
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the app server exited (${child.exitCode ?? child.signalCode}):\n${text}`);
    if (Date.now() > deadline) throw new Error(`the app server printed no URL within ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForHttp(url: string, child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the app server exited (${child.exitCode ?? child.signalCode}):\n${output.join("")}`);
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
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, "SIGKILL");
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
  let preview: ChildProcess | undefined;
  let keeper: Keeper | undefined;
  const appOutput: string[] = [];
  const keeperLog: string[] = [];
  const stop = async () => {
    if (preview) await stopChild(preview);
    if (app) await stopChild(app);
    await keeper?.stop();
    await feed?.stop();
    await faucet?.close();
    await localnet?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    localnet = await startLocalnet({ port: 0, ledger: dir, quiet: true, slotMs: 200 });
    // A short LP cooldown, so the test sees deposits wait in the escrow and then claims them.
    const config = loadConfig();
    config.pool = { ...config.pool, params: { ...(config.pool.params ?? {}), lpCooldownSecs: 4 } };
    const { deployment } = await deploy(config, {
      url: localnet.rpcUrl,
      dataDir: dir,
      keypair: path.join(dir, "admin.json"),
      log: () => {},
    });
    feed = await startPriceFeed({
      url: localnet.rpcUrl,
      dataDir: dir,
      intervalMs: 2_000,
      stepBps: 5,
      seed: 7,
      log: () => {},
    });
    await feed.tick();
    faucet = await startTokenFaucet({ url: localnet.rpcUrl, dataDir: dir, port: 0, log: () => {} });
    const rpcUrl = localnet.rpcUrl;
    const feedOptions = { url: rpcUrl, dataDir: dir, intervalMs: 2_000, stepBps: 5, seed: 7, log: () => {} };

    // The keeper, funded by an airdrop, watching the pool.
    const connection = new Connection(rpcUrl, "confirmed");
    const keeperKey = Keypair.generate();
    const airdrop = await connection.requestAirdrop(keeperKey.publicKey, 10 * LAMPORTS_PER_SOL);
    await connection.confirmTransaction(
      { signature: airdrop, ...(await connection.getLatestBlockhash("confirmed")) },
      "confirmed",
    );
    keeper = new Keeper({
      program: perpoolProgram(
        new anchor.AnchorProvider(connection, new anchor.Wallet(keeperKey), { commitment: "confirmed" }),
      ),
      pool: new PublicKey(deployment.pool.address),
      keeper: keeperKey,
      pollIntervalMs: 2_000,
      verbose: true,
      log: (line) => keeperLog.push(line),
    });
    await keeper.start();

    const vitePackage = require.resolve("vite/package.json", { paths: [path.join(REPO_ROOT, "app")] });
    const vite = path.join(path.dirname(vitePackage), "bin", "vite.js");
    app = spawn(
      process.execPath,
      [vite, "--host", "127.0.0.1", "--port", "0", "--strictPort", "--clearScreen", "false"],
      {
        cwd: path.join(REPO_ROOT, "app"),
        env: { ...process.env, VITE_RPC_URL: localnet.rpcUrl, VITE_FAUCET_URL: faucet.url, BROWSER: "none" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    // Should this process end without `stop()` (an interrupted run), the dev server ends with it.
    const child = app;
    const orphanGuard = () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
        process.kill(child.pid, "SIGTERM");
    };
    process.once("exit", orphanGuard);
    child.once("exit", () => process.removeListener("exit", orphanGuard));
    app.stdout!.on("data", (c: Buffer) => appOutput.push(c.toString()));
    app.stderr!.on("data", (c: Buffer) => appOutput.push(c.toString()));
    const appUrl = await listeningUrl(app, appOutput, 60_000);
    await waitForHttp(appUrl, app, appOutput, 60_000);
    const faucetUrl = faucet.url;
    const appDir = path.join(REPO_ROOT, "app");
    const previewBuild = async (): Promise<string> => {
      const outDir = path.join(dir, "app-dist");
      const env = { ...process.env, VITE_RPC_URL: rpcUrl, VITE_FAUCET_URL: faucetUrl };
      const built = spawnSync(
        process.execPath,
        [vite, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
        { cwd: appDir, env, encoding: "utf8" },
      );
      if (built.status !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
      const out: string[] = [];
      preview = spawn(
        process.execPath,
        [vite, "preview", "--host", "127.0.0.1", "--port", "0", "--strictPort", "--outDir", outDir],
        { cwd: appDir, env, stdio: ["ignore", "pipe", "pipe"] },
      );
      preview.stdout!.on("data", (c: Buffer) => out.push(c.toString()));
      preview.stderr!.on("data", (c: Buffer) => out.push(c.toString()));
      const url = await listeningUrl(preview, out, 30_000);
      await waitForHttp(url, preview, out, 30_000);
      return url;
    };
    return {
      dir,
      rpcUrl,
      faucetUrl,
      appUrl,
      deployment,
      appOutput,
      keeperLog,
      keeper,
      stopPriceFeed: async () => {
        await feed?.stop();
        feed = undefined;
      },
      startPriceFeed: async () => {
        if (!feed) feed = await startPriceFeed(feedOptions);
      },
      previewBuild,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
