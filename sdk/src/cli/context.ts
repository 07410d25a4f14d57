/**
 * Shared by `perpool` and `perpool-keeper`: the cluster URL, keypair files,
 * the deployment file `deployment.json` (written by `migrations/deploy.ts`)
 * and resolving a pool (address or name) and its assets (symbol, mint or
 * custody address).
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { poolPda } from "../pda";
import { CustodyState, PoolState } from "../pool";
import { PerpoolProgram, perpoolProgram } from "../program";
import { UsageError } from "./args";

export const DEFAULT_URL = "http://127.0.0.1:8899";

/** The part of `deployment.json` the command line uses. */
export interface DeploymentFile {
  cluster?: string;
  programId?: string;
  pool: { name: string; address: string; lpMint?: string };
  assets: { symbol: string; decimals: number; mint: string; custody: string }[];
}

/** `<dataDir>/deployment.json`, or null when there is no data directory or no file. */
export function readDeployment(dataDir: string | undefined): DeploymentFile | null {
  if (!dataDir) return null;
  const file = path.join(dataDir, "deployment.json");
  if (!fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentFile;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** `~/…` expanded. */
export function expandHome(file: string): string {
  return file === "~" || file.startsWith("~/") ? path.join(os.homedir(), file.slice(1)) : file;
}

/** A Solana CLI keypair file (a JSON array of 64 bytes). */
export function readKeypair(file: string): Keypair {
  const full = expandHome(file);
  if (!fs.existsSync(full)) throw new UsageError(`keypair file ${file} not found`);
  let bytes: number[];
  try {
    bytes = JSON.parse(fs.readFileSync(full, "utf8")) as number[];
  } catch {
    throw new UsageError(`keypair file ${file} is not a JSON array of 64 bytes`);
  }
  if (!Array.isArray(bytes) || bytes.length !== 64)
    throw new UsageError(`keypair file ${file} is not a JSON array of 64 bytes`);
  return Keypair.fromSecretKey(Uint8Array.from(bytes));
}

/** Writes a new keypair file (private to the user) and returns the keypair. */
export function createKeypairFile(file: string): Keypair {
  const full = expandHome(file);
  const kp = Keypair.generate();
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, JSON.stringify(Array.from(kp.secretKey)), { mode: 0o600 });
  return kp;
}

/** A base58 public key, or null when `text` is not one. */
export function asPublicKey(text: string): PublicKey | null {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) return null;
  try {
    const key = new PublicKey(text);
    return key.toBase58() === text ? key : null;
  } catch {
    return null;
  }
}

/** The RPC URL: `--url`, else `ANCHOR_PROVIDER_URL`, else the deployment's cluster, else the local validator. */
export function resolveUrl(url: string | undefined, deployment: DeploymentFile | null): string {
  const chosen = url ?? process.env.ANCHOR_PROVIDER_URL ?? deployment?.cluster ?? DEFAULT_URL;
  try {
    const u = new URL(chosen);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UsageError(`--url ${chosen}: expected an http(s) URL`);
  }
  return chosen;
}

/** The program id: `--program-id`, else the deployment's, else the IDL's. */
export function resolveProgramId(
  programId: string | undefined,
  deployment: DeploymentFile | null,
): PublicKey | undefined {
  const text = programId ?? deployment?.programId;
  if (text === undefined) return undefined;
  const key = asPublicKey(text);
  if (!key) throw new UsageError(`program id ${text} is not a base58 address`);
  return key;
}

/**
 * A pool given as an address or a name: a name is looked up in the
 * deployment file when it is that deployment's pool, else derived
 * (`["pool", name]`); nothing given means the deployment's pool.
 */
export function resolvePool(
  arg: string | undefined,
  deployment: DeploymentFile | null,
  programId: PublicKey,
): PublicKey {
  if (arg === undefined) {
    if (deployment) return new PublicKey(deployment.pool.address);
    throw new UsageError("--pool is required (an address or a name), or --data-dir with a deployment.json");
  }
  const key = asPublicKey(arg);
  if (key) return key;
  if (deployment && deployment.pool.name === arg) return new PublicKey(deployment.pool.address);
  if (Buffer.byteLength(arg, "utf8") > 32)
    throw new UsageError(`--pool ${arg}: neither an address nor a pool name (at most 32 bytes)`);
  return poolPda(arg, programId)[0];
}

/** A connection with its WebSocket endpoint (default: the RPC port + 1, as Solana validators use). */
export function makeConnection(url: string, ws?: string): Connection {
  return new Connection(url, { commitment: "confirmed", ...(ws === undefined ? {} : { wsEndpoint: ws }) });
}

/** The Perpool program over `connection`, signing with `wallet` (or a throwaway key for reads). */
export function makeProgram(connection: Connection, wallet: Keypair | null, programId?: PublicKey): PerpoolProgram {
  const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(wallet ?? Keypair.generate()), {
    commitment: "confirmed",
    preflightCommitment: "confirmed",
  });
  return perpoolProgram(provider, programId);
}

export interface AssetRef {
  symbol: string;
  custody: CustodyState;
}

/** A short label for a custody: its symbol in the deployment, else its mint's first characters. */
export function assetLabel(state: PoolState, custody: PublicKey, deployment: DeploymentFile | null): string {
  const c = state.custodies.find((x) => x.address.equals(custody));
  const d = deployment?.assets.find(
    (a) => a.custody === custody.toBase58() || (c && a.mint === c.account.mint.toBase58()),
  );
  if (d) return d.symbol;
  return c ? c.account.mint.toBase58().slice(0, 6) : custody.toBase58().slice(0, 6);
}

/** An asset of the pool by symbol (from the deployment file), mint address or custody address. */
export function resolveAsset(
  state: PoolState,
  arg: string,
  deployment: DeploymentFile | null,
  what = "--asset",
): AssetRef {
  const bySymbol = deployment?.assets.find((a) => a.symbol.toLowerCase() === arg.toLowerCase());
  const key = bySymbol ? new PublicKey(bySymbol.custody) : asPublicKey(arg);
  if (key) {
    const c = state.custodies.find((x) => x.address.equals(key) || x.account.mint.equals(key));
    if (c) return { symbol: assetLabel(state, c.address, deployment), custody: c };
  }
  const known = state.custodies.map((c) => assetLabel(state, c.address, deployment)).join(", ");
  throw new UsageError(
    `${what} ${arg}: not an asset of this pool (known: ${known}${deployment ? "" : "; symbols need --data-dir with a deployment.json, else give a mint address"})`,
  );
}
