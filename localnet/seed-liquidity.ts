/**
 * Seeds the local pool of `npm start` with liquidity, so that it can be traded
 * against at once: the demo wallet deposits part of each test asset (about
 * 460k USD in all, near the target weights). Only an asset the pool holds none
 * of is deposited, so running it again never inflates the pool, and a run cut
 * short (Ctrl-C, SIGKILL) is completed by the next one. Prices must be fresh
 * (`localnet/price-feed.ts --once` publishes them; `npm start` does so first).
 *
 *   ts-node --transpile-only localnet/seed-liquidity.ts [--url URL] [--data-dir DIR]
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as path from "path";

import { addLiquidityIx, fetchPoolState, findCustody, perpoolProgram } from "../sdk/src";
import type { Deployment } from "../migrations/deploy";
import { DEMO_WALLET_FILE, fundDemoWallet } from "./demo-wallet";

const REPO_ROOT = path.resolve(__dirname, "..");

/** Whole units each asset contributes (assets not listed: none): about 460k USD near the 30/20/20/30 targets. */
export const SEED_AMOUNTS: Record<string, number> = { SOL: 900, BTC: 1, ETH: 27, USDC: 135_000 };

export async function seedLiquidity(
  opts: { url?: string; dataDir?: string; log?: (line: string) => void } = {},
): Promise<string[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(REPO_ROOT, opts.dataDir ?? ".localnet");
  const url = opts.url ?? "http://127.0.0.1:8899";
  const deployment = JSON.parse(fs.readFileSync(path.join(dataDir, "deployment.json"), "utf8")) as Deployment;
  const connection = new Connection(url, "confirmed");
  const program = perpoolProgram(
    new anchor.AnchorProvider(connection, new anchor.Wallet(Keypair.generate()), { commitment: "confirmed" }),
    new PublicKey(deployment.programId),
  );
  const pool = new PublicKey(deployment.pool.address);
  const initial = await fetchPoolState(program, pool);
  const missing = deployment.assets.filter(
    (a) => SEED_AMOUNTS[a.symbol] && findCustody(initial, new PublicKey(a.custody)).account.owned.isZero(),
  );
  if (missing.length === 0) {
    log("Pool already has liquidity: not seeded again");
    return [];
  }
  // The demo wallet holds every test asset (topped up if needed) and an LP token account.
  const wallet = await fundDemoWallet({ url, dataDir, log: () => undefined });
  const kp: Keypair = wallet.keypair;
  const done: string[] = [];
  for (const asset of missing) {
    const units = SEED_AMOUNTS[asset.symbol];
    const amount = new BN(units).mul(new BN(10).pow(new BN(asset.decimals)));
    const state = await fetchPoolState(program, pool);
    const ix = await addLiquidityIx(program, state, {
      owner: kp.publicKey,
      custody: new PublicKey(asset.custody),
      fundingAccount: new PublicKey(wallet.tokenAccounts[asset.symbol]),
      lpTokenAccount: new PublicKey(wallet.tokenAccounts.LP),
      amountIn: amount,
      minLpOut: new BN(0),
    });
    const tx = new Transaction().add(ix);
    tx.feePayer = kp.publicKey;
    try {
      const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
      tx.recentBlockhash = blockhash;
      const signature = await connection.sendTransaction(tx, [kp]);
      const result = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed");
      if (result.value.err) throw new Error(`transaction ${signature} failed: ${JSON.stringify(result.value.err)}`);
    } catch (e) {
      const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
      const stale = /0x178a\b|StaleOraclePrice/.test(
        String(e instanceof Error ? e.message : e) + JSON.stringify((e as { logs?: unknown }).logs ?? ""),
      );
      throw new Error(
        `depositing ${units} ${asset.symbol} failed: ${message}. ` +
          (stale
            ? "The prices are stale: publish fresh ones (ts-node --transpile-only localnet/price-feed.ts --once --data-dir DIR), then run this again."
            : "Fix the cause and run this again: assets already deposited are not deposited twice."),
      );
    }
    const line = `deposited ${units.toLocaleString("en-US")} ${asset.symbol}`;
    done.push(line);
    log(`seed: ${line}`);
  }
  log(
    `Seeded the pool from the demo wallet ${kp.publicKey.toBase58()} (${path.join(path.relative(REPO_ROOT, dataDir), DEMO_WALLET_FILE)}): ${done.join(", ")}`,
  );
  return done;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  await seedLiquidity({ url: value("--url"), dataDir: value("--data-dir") });
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`seed-liquidity: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
