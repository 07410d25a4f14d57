/**
 * The demo wallet of `npm start`: a keypair kept in the data directory
 * (`<data dir>/demo-wallet.json`, created once, Solana CLI format, importable
 * into a browser wallet), funded with SOL by airdrop and with every test
 * asset of the deployment, minted by the admin (the test mints' authority).
 * It also gets a token account for the pool's LP token.
 *
 * Idempotent: it tops up only what has fallen below half of its target, so
 * running it on every start keeps the wallet usable without inflating it.
 *
 *   ts-node --transpile-only localnet/demo-wallet.ts [--url URL] [--data-dir DIR]
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as path from "path";

import { LiteSvmProvider, decodeTokenAccount } from "../sdk/src";
import {
  TOKEN_ACCOUNT_SIZE,
  createInitializeAccount3Instruction,
  createMintToInstruction,
  createTokenProgramAccountInstruction,
} from "../sdk/src/provider/token";
import type { Deployment } from "../migrations/deploy";

const REPO_ROOT = path.resolve(__dirname, "..");
export const DEMO_WALLET_FILE = "demo-wallet.json";

/** Whole units of each asset the demo wallet is topped up to (assets not listed: 10,000). */
export const DEMO_AMOUNTS: Record<string, number> = { SOL: 1_000, BTC: 10, ETH: 100, USDC: 1_000_000 };
/** Native SOL for fees and rent. */
export const DEMO_SOL = 100;

export interface DemoWalletOptions {
  url?: string;
  dataDir?: string;
  /** Admin keypair (mint authority of the test mints). Default `<data dir>/admin.json`. */
  keypair?: string;
  log?: (line: string) => void;
}

export interface DemoWallet {
  path: string;
  address: string;
  keypair: Keypair;
  /** Token account of each asset symbol, and `LP` for the pool's LP token. */
  tokenAccounts: Record<string, string>;
  /** What was done (empty when the wallet was already funded). */
  actions: string[];
}

function readKeypair(file: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]));
}

export async function fundDemoWallet(opts: DemoWalletOptions = {}): Promise<DemoWallet> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(REPO_ROOT, opts.dataDir ?? ".localnet");
  const deployment = JSON.parse(fs.readFileSync(path.join(dataDir, "deployment.json"), "utf8")) as Deployment;
  const admin = readKeypair(opts.keypair ?? path.join(dataDir, "admin.json"));
  const url = opts.url ?? process.env.ANCHOR_PROVIDER_URL ?? deployment.cluster;
  const connection = new Connection(url, "confirmed");
  const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });
  const actions: string[] = [];
  const did = (a: string) => {
    actions.push(a);
    log(`  ${a}`);
  };

  const walletPath = path.join(dataDir, DEMO_WALLET_FILE);
  let wallet: Keypair;
  if (fs.existsSync(walletPath)) {
    wallet = readKeypair(walletPath);
  } else {
    wallet = Keypair.generate();
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(walletPath, JSON.stringify(Array.from(wallet.secretKey)), { mode: 0o600 });
    did(`created the demo wallet ${wallet.publicKey.toBase58()}`);
  }

  const lamports = await connection.getBalance(wallet.publicKey);
  const target = DEMO_SOL * LAMPORTS_PER_SOL;
  if (lamports < target / 2) {
    const signature = await connection.requestAirdrop(wallet.publicKey, target - lamports);
    await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
    did(`airdropped ${(target - lamports) / LAMPORTS_PER_SOL} SOL`);
  }

  // One token account per mint (the first found, else a new one), topped up by the admin.
  const tokenAccounts: Record<string, string> = {};
  const mints = [
    ...deployment.assets.map((a) => ({ symbol: a.symbol, mint: a.mint, decimals: a.decimals, mintable: true })),
    { symbol: "LP", mint: deployment.pool.lpMint, decimals: deployment.pool.lpDecimals, mintable: false },
  ];
  const rent = await connection.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE);
  for (const m of mints) {
    const mint = new PublicKey(m.mint);
    const existing = await connection.getTokenAccountsByOwner(wallet.publicKey, { mint });
    let account: PublicKey;
    let amount = new BN(0);
    const tx = new Transaction();
    const signers: Keypair[] = [];
    if (existing.value.length > 0) {
      account = existing.value[0].pubkey;
      amount = decodeTokenAccount(existing.value[0].account.data).amount;
    } else {
      const kp = Keypair.generate();
      account = kp.publicKey;
      signers.push(kp);
      tx.add(
        createTokenProgramAccountInstruction(admin.publicKey, account, TOKEN_ACCOUNT_SIZE, rent),
        createInitializeAccount3Instruction(account, mint, wallet.publicKey),
      );
    }
    tokenAccounts[m.symbol] = account.toBase58();
    const want = new BN(DEMO_AMOUNTS[m.symbol] ?? 10_000).mul(new BN(10).pow(new BN(m.decimals)));
    let minted = false;
    if (m.mintable && amount.lt(want.divn(2))) {
      tx.add(createMintToInstruction(mint, account, admin.publicKey, want.sub(amount)));
      minted = true;
    }
    if (tx.instructions.length === 0) continue;
    await (provider as unknown as LiteSvmProvider).sendAndConfirm(tx, signers);
    if (signers.length) did(`created the ${m.symbol} token account ${account.toBase58()}`);
    if (minted) did(`minted ${want.sub(amount).toString()} base units of ${m.symbol}`);
  }
  return { path: walletPath, address: wallet.publicKey.toBase58(), keypair: wallet, tokenAccounts, actions };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const w = await fundDemoWallet({ url: flag("--url"), dataDir: flag("--data-dir"), keypair: flag("--keypair") });
  const amounts = Object.entries(DEMO_AMOUNTS)
    .map(([s, n]) => `${n.toLocaleString("en-US")} ${s}`)
    .join(", ");
  console.log(`Demo wallet: ${w.address} (${w.path}); ${DEMO_SOL} SOL for fees; test tokens: ${amounts}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`demo wallet: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
