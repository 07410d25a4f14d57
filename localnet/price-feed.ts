/**
 * A price feed for the local cluster: moves every price of a deployed pool as
 * a bounded random walk around its configured starting price, so the demo is
 * alive and no custody's price goes stale (prices expire after the custody's
 * `oracleMaxAgeSecs`, 60 s by default).
 *
 * Every `intervalMs` (default 3 s) one transaction, signed by the admin (the
 * feeds' write authority), publishes every custody's Pyth `PriceUpdateV2`
 * through the local price publisher (`publish_price`, expo −8; `publishIxs`
 * is the one place that writes them). Only for deployments whose prices come
 * from the publisher: on a real cluster Pyth publishes. A volatile
 * asset moves by a normal step of `stepBps` (default 15 bps) with a weak pull
 * back to its starting price (it stays within about ±10 %); a stable coin stays
 * within ±5 bps of $1. The EMA price follows the spot price (α = 0.2).
 *
 * From code: `const feed = await startPriceFeed({ url, dataDir })`, then
 * `feed.stop()`. From a shell (runs until SIGINT/SIGTERM):
 *
 *   ts-node --transpile-only localnet/price-feed.ts [--url URL] [--data-dir DIR]
 *       [--config migrations/localnet.json] [--interval-ms N] [--step-bps N] [--once] [--quiet]
 *
 * It reads `<data dir>/deployment.json` (written by migrations/deploy.ts) and
 * the admin keypair `<data dir>/admin.json` (or `--keypair`).
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as path from "path";

import { decodePriceUpdateV2, priceFeedPda, publishPriceIx } from "../sdk/src";
import type { DeployConfig, Deployment } from "../migrations/deploy";

const REPO_ROOT = path.resolve(__dirname, "..");
const PRICE_EXPO = -8;

export interface PriceFeedOptions {
  /** RPC URL. Default: `ANCHOR_PROVIDER_URL`, else the deployment's cluster. */
  url?: string;
  /** Data directory holding deployment.json and admin.json. Default `.localnet/`. */
  dataDir?: string;
  /** Admin keypair file. Default `<data dir>/admin.json`. */
  keypair?: string;
  /** Deploy config with the starting prices. Default migrations/localnet.json. */
  config?: string;
  /** Milliseconds between updates. Default 3000. */
  intervalMs?: number;
  /** Standard deviation of one step of a volatile asset, in basis points. Default 15. */
  stepBps?: number;
  /** Seed of the random walk (default: random). */
  seed?: number;
  /** Start the timer (default true); false: only `tick()` sends. */
  timer?: boolean;
  log?: (line: string) => void;
}

export interface PriceFeed {
  /** Current prices by symbol (USD). */
  readonly prices: Record<string, number>;
  /** Number of updates sent so far. */
  readonly ticks: number;
  /** Moves every price one step and sends it (also what the timer does). */
  tick(): Promise<string>;
  /** Stops the timer and waits for an update in flight. */
  stop(): Promise<void>;
}

interface Walker {
  symbol: string;
  /** The publisher's PriceUpdateV2 account and its feed. */
  oracle: PublicKey;
  feedId: Buffer;
  shard: number;
  anchor: number;
  isStable: boolean;
  price: number;
  ema: number;
}

/** A small deterministic PRNG (mulberry32) and a normal variate from it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toE8(usd: number): BN {
  return new BN(Math.max(1, Math.round(usd * 1e8)).toString());
}

function readKeypair(file: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]));
}

/** The next price of a walker: one random step (volatile) or a tight band around $1 (stable). */
export function nextPrice(
  w: { anchor: number; isStable: boolean; price: number },
  normal: number,
  stepBps: number,
): number {
  if (w.isStable) {
    // Pinned near the anchor: a fresh draw within ±5 bps each tick.
    const bps = Math.max(-5, Math.min(5, normal * 2));
    return w.anchor * (1 + bps / 10_000);
  }
  const logDev = Math.log(w.price / w.anchor);
  // A step plus a 2 % pull back towards the anchor; hard bounds at ±10 %.
  const next = w.price * Math.exp((normal * stepBps) / 10_000 - 0.02 * logDev);
  return Math.min(w.anchor * 1.1, Math.max(w.anchor * 0.9, next));
}

/**
 * The write: one `publish_price` per asset, at the cluster clock (the
 * publisher stamps the publish time), spot and EMA with 8 decimals, no
 * confidence interval.
 */
export function publishIxs(
  authority: PublicKey,
  prices: { feedId: Buffer; shard: number; price: number; ema: number }[],
): TransactionInstruction[] {
  return prices.map((w) =>
    publishPriceIx({
      authority,
      feedId: w.feedId,
      shard: w.shard,
      price: toE8(w.price),
      emaPrice: toE8(w.ema),
      conf: new BN(0),
      exponent: PRICE_EXPO,
    }),
  );
}

export async function startPriceFeed(opts: PriceFeedOptions = {}): Promise<PriceFeed> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(REPO_ROOT, opts.dataDir ?? ".localnet");
  const deploymentPath = path.join(dataDir, "deployment.json");
  if (!fs.existsSync(deploymentPath)) throw new Error(`${deploymentPath} not found: run migrations/deploy.ts first`);
  const deployment = JSON.parse(fs.readFileSync(deploymentPath, "utf8")) as Deployment;
  const config = JSON.parse(
    fs.readFileSync(path.resolve(REPO_ROOT, opts.config ?? path.join("migrations", "localnet.json")), "utf8"),
  ) as DeployConfig;
  const admin = readKeypair(opts.keypair ?? path.join(dataDir, "admin.json"));
  const url = opts.url ?? process.env.ANCHOR_PROVIDER_URL ?? deployment.cluster;
  const connection = new Connection(url, "confirmed");
  const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
  if (deployment.prices !== "publisher")
    throw new Error(`price feed: ${url} takes its prices from Pyth, not from the local price publisher`);
  const stepBps = opts.stepBps ?? 15;
  const intervalMs = opts.intervalMs ?? 3_000;
  const random = rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
  const normal = () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };

  // Start from the configured price (or the account's current one, when within the walk's band).
  const walkers: Walker[] = [];
  const accounts = await connection.getMultipleAccountsInfo(deployment.assets.map((a) => new PublicKey(a.oracle)));
  for (const [i, a] of deployment.assets.entries()) {
    const configured = config.assets.find((c) => c.symbol === a.symbol);
    const feedId = Buffer.from(a.feedId, "hex");
    const shard = a.shard;
    if (!priceFeedPda(feedId, shard)[0].equals(new PublicKey(a.oracle))) {
      log(
        `price feed: ${a.symbol}'s oracle ${a.oracle} is not the publisher's account of its feed (shard ${shard}); skipped`,
      );
      continue;
    }
    const onChain = accounts[i] ? decodePriceUpdateV2(accounts[i]!.data) : null;
    if (onChain && !onChain.writeAuthority.equals(admin.publicKey)) {
      log(
        `price feed: ${a.symbol}'s price is written by ${onChain.writeAuthority.toBase58()}, not this keypair; skipped`,
      );
      continue;
    }
    const current = onChain && onChain.price.gtn(0) ? Number(onChain.price.toString()) * 10 ** onChain.exponent : NaN;
    const anchorPrice = configured ? Number(configured.price) : Number.isFinite(current) ? current : NaN;
    if (!Number.isFinite(anchorPrice) || anchorPrice <= 0) {
      log(`price feed: no starting price for ${a.symbol}, skipped`);
      continue;
    }
    const start =
      Number.isFinite(current) && Math.abs(current / anchorPrice - 1) <= 0.1 && !a.isStable ? current : anchorPrice;
    walkers.push({
      symbol: a.symbol,
      oracle: new PublicKey(a.oracle),
      feedId,
      shard,
      anchor: anchorPrice,
      isStable: a.isStable,
      price: start,
      ema: start,
    });
  }
  if (walkers.length === 0)
    throw new Error("price feed: no price of the deployment can be published with this keypair");

  let ticks = 0;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const prices: Record<string, number> = {};
  const publish = () => walkers.forEach((w) => (prices[w.symbol] = w.price));
  publish();

  async function tick(): Promise<string> {
    for (const w of walkers) {
      w.price = nextPrice(w, normal(), stepBps);
      w.ema = w.ema + 0.2 * (w.price - w.ema);
    }
    publish();
    const signature = await provider.sendAndConfirm(
      new Transaction().add(...publishIxs(admin.publicKey, walkers)),
      [],
      { commitment: "confirmed" },
    );
    ticks++;
    return signature;
  }

  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    if (stopped) return;
    const run = tick().then(
      () => log(`price feed: ${walkers.map((w) => `${w.symbol} ${w.price.toFixed(w.price < 10 ? 4 : 2)}`).join("  ")}`),
      (e) => log(`price feed: update failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`),
    );
    inFlight = run;
    void run.then(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  if (opts.timer !== false) loop();

  return {
    prices,
    get ticks() {
      return ticks;
    },
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const num = (name: string) => (flag(name) === undefined ? undefined : Number(flag(name)));
  if (args.includes("-h") || args.includes("--help")) {
    console.log(
      "usage: price-feed [--url URL] [--data-dir DIR] [--keypair FILE] [--config FILE] [--interval-ms N] [--step-bps N] [--once] [--quiet]",
    );
    return;
  }
  const quiet = args.includes("--quiet");
  const feed = await startPriceFeed({
    timer: !args.includes("--once"),
    url: flag("--url"),
    dataDir: flag("--data-dir"),
    keypair: flag("--keypair"),
    config: flag("--config"),
    intervalMs: num("--interval-ms"),
    stepBps: num("--step-bps"),
    log: quiet ? () => {} : undefined,
  });
  if (args.includes("--once")) {
    // One update, sent and confirmed (a failure exits non-zero).
    await feed.tick();
    console.log(
      `price feed: set ${Object.entries(feed.prices)
        .map(([s, p]) => `${s} ${p}`)
        .join(", ")}`,
    );
    process.exit(0);
  }
  console.log(`price feed: moving ${Object.keys(feed.prices).join(", ")} every ${num("--interval-ms") ?? 3000} ms`);
  // Waits for an update in flight, but not forever: against a stopped validator its confirmation never comes.
  const stop = () => {
    setTimeout(() => process.exit(0), 1_500).unref();
    void feed.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`price feed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    console.error(
      "price feed: no price was published; check that the validator answers at --url and that deployment.json and admin.json in --data-dir belong to it (migrations/deploy.ts writes them)",
    );
    process.exit(1);
  });
}
