/**
 * The token faucet of the local cluster, for the web app's dev wallet: a small
 * HTTP server on 127.0.0.1 that mints the deployment's test tokens (their mint
 * authority is the admin keypair) to a wallet's associated token accounts.
 * SOL comes from the cluster's own `requestAirdrop`; this is for the rest.
 *
 * Amounts are bounded: each asset is topped up to `FAUCET_AMOUNTS` (whole
 * units) and never beyond, so asking again only refills what was spent.
 * Requests are served one at a time.
 *
 *   GET  /health   "ok"
 *   GET  /assets   { pool: { name, address, lpMint }, assets: [{ symbol, mint, decimals, isStable }] }
 *   POST /mint     body { "wallet": "<base58>" } →
 *                  { signature | null, minted: [{ symbol, amount }] } (amount in whole units, as text)
 *
 * From code: `const faucet = await startTokenFaucet({ url, dataDir, port: 0 })`,
 * then `faucet.url`, `await faucet.close()`. From a shell (until SIGINT/SIGTERM):
 *
 *   ts-node --transpile-only localnet/token-faucet.ts [--url URL] [--data-dir DIR] [--keypair FILE] [--port N]
 *
 * The default port is the RPC port + 2 (8901 next to the default 8899), where
 * the app looks for it unless told otherwise (VITE_FAUCET_URL).
 */
import { Connection, Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";

import type { Deployment } from "../migrations/deploy";
import {
  associatedTokenAddress,
  createAssociatedTokenAccountIx,
  createMintToInstruction,
  decodeMint,
  decodeTokenAccount,
} from "../sdk/src/provider/token";

const REPO_ROOT = path.resolve(__dirname, "..");
const HOST = "127.0.0.1";
const MAX_BODY_BYTES = 1024;

/** Whole units each wallet is topped up to (assets not listed: 1,000). */
export const FAUCET_AMOUNTS: Record<string, number> = { SOL: 100, BTC: 1, ETH: 10, USDC: 100_000 };
const DEFAULT_AMOUNT = 1_000;

export interface TokenFaucetOptions {
  /** RPC URL. Default: `ANCHOR_PROVIDER_URL`, else the deployment's cluster. */
  url?: string;
  /** Data directory holding deployment.json and admin.json. Default `.localnet/`. */
  dataDir?: string;
  /** Admin keypair file (the test mints' authority). Default `<data dir>/admin.json`. */
  keypair?: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default: the RPC URL's port + 2. */
  port?: number;
  log?: (line: string) => void;
}

export interface TokenFaucet {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Minted {
  symbol: string;
  amount: string;
}

function readKeypair(file: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]));
}

/** Base units → whole units as text ("1.5"). */
function whole(amount: BN, decimals: number): string {
  const s = amount.toString().padStart(decimals + 1, "0");
  const frac = s.slice(s.length - decimals).replace(/0+$/, "");
  const int = s.slice(0, s.length - decimals);
  return frac ? `${int}.${frac}` : int;
}

export async function startTokenFaucet(opts: TokenFaucetOptions = {}): Promise<TokenFaucet> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(REPO_ROOT, opts.dataDir ?? ".localnet");
  const deployment = JSON.parse(fs.readFileSync(path.join(dataDir, "deployment.json"), "utf8")) as Deployment;
  const admin = readKeypair(opts.keypair ?? path.join(dataDir, "admin.json"));
  const rpcUrl = opts.url ?? process.env.ANCHOR_PROVIDER_URL ?? deployment.cluster;
  const connection = new Connection(rpcUrl, "confirmed");

  // Only mints the admin can mint (the deploy's test mints) are served.
  const infos = await connection.getMultipleAccountsInfo(deployment.assets.map((a) => new PublicKey(a.mint)));
  const assets = deployment.assets.filter((a, i) => {
    const info = infos[i];
    if (!info) return false;
    const mint = decodeMint(info.data);
    return mint.mintAuthority !== null && mint.mintAuthority.equals(admin.publicKey);
  });

  async function mintTo(wallet: PublicKey): Promise<{ signature: string | null; minted: Minted[] }> {
    const atas = assets.map((a) => associatedTokenAddress(wallet, new PublicKey(a.mint)));
    const accounts = await connection.getMultipleAccountsInfo(atas, "confirmed");
    const ixs: TransactionInstruction[] = [];
    const minted: Minted[] = [];
    assets.forEach((a, i) => {
      const mint = new PublicKey(a.mint);
      const info = accounts[i];
      const balance = info ? decodeTokenAccount(info.data).amount : new BN(0);
      const target = new BN(FAUCET_AMOUNTS[a.symbol] ?? DEFAULT_AMOUNT).mul(new BN(10).pow(new BN(a.decimals)));
      if (balance.gte(target)) return;
      const amount = target.sub(balance);
      if (!info) ixs.push(createAssociatedTokenAccountIx(admin.publicKey, wallet, mint));
      ixs.push(createMintToInstruction(mint, atas[i], admin.publicKey, amount));
      minted.push({ symbol: a.symbol, amount: whole(amount, a.decimals) });
    });
    if (ixs.length === 0) return { signature: null, minted };
    const latest = await connection.getLatestBlockhash("confirmed");
    const tx = new Transaction({ feePayer: admin.publicKey, ...latest }).add(...ixs);
    tx.sign(admin);
    const signature = await connection.sendRawTransaction(tx.serialize());
    const res = await connection.confirmTransaction({ signature, ...latest }, "confirmed");
    if (res.value.err) throw new Error(`mint transaction failed: ${JSON.stringify(res.value.err)}`);
    log(`token faucet: ${minted.map((m) => `${m.amount} ${m.symbol}`).join(", ")} to ${wallet.toBase58()}`);
    return { signature, minted };
  }

  // One request at a time: each reads balances, then mints the difference.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => {});
    return run;
  };

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, {
        "content-type": "application/json",
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "content-type",
        "access-control-allow-private-network": "true",
      });
      res.end(JSON.stringify(body));
    };
    const url = (req.url ?? "/").split("?")[0];
    if (req.method === "OPTIONS") return reply(204, null);
    if (req.method === "GET" && url === "/health") return reply(200, "ok");
    if (req.method === "GET" && url === "/assets") {
      return reply(200, {
        pool: { name: deployment.pool.name, address: deployment.pool.address, lpMint: deployment.pool.lpMint },
        assets: assets.map((a) => ({ symbol: a.symbol, mint: a.mint, decimals: a.decimals, isStable: a.isStable })),
      });
    }
    if (req.method !== "POST" || url !== "/mint") return reply(404, { error: "not found" });
    let body = "";
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
      if (body.length > MAX_BODY_BYTES) tooLarge = true;
    });
    req.on("end", () => {
      if (tooLarge) return reply(413, { error: "request too large" });
      let wallet: PublicKey;
      try {
        const parsed = JSON.parse(body) as { wallet?: unknown };
        if (typeof parsed.wallet !== "string") throw new Error();
        wallet = new PublicKey(parsed.wallet);
      } catch {
        return reply(400, { error: 'expected {"wallet": "<base58 address>"}' });
      }
      if (!PublicKey.isOnCurve(wallet.toBytes()))
        return reply(400, { error: "the wallet must be a keypair's address, not a program-derived one" });
      serial(() => mintTo(wallet)).then(
        (r) => reply(200, r),
        (e) => reply(500, { error: e instanceof Error ? e.message : String(e) }),
      );
    });
  });

  const port = opts.port ?? Number(new URL(rpcUrl).port || 8899) + 2;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (args.includes("-h") || args.includes("--help")) {
    console.log("usage: token-faucet [--url URL] [--data-dir DIR] [--keypair FILE] [--port N]");
    return;
  }
  const port = flag("--port");
  const faucet = await startTokenFaucet({
    url: flag("--url"),
    dataDir: flag("--data-dir"),
    keypair: flag("--keypair"),
    port: port === undefined ? undefined : Number(port),
  });
  console.log(`token faucet: ${faucet.url} (POST /mint {"wallet": "<address>"})`);
  const stop = () => void faucet.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`token faucet: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
