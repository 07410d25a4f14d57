/**
 * `npm start`: deploys the freshly built program into an in-process SVM,
 * seeds a pool with SOL, BTC, ETH and USDC custodies on test oracles, and
 * prints what the chain now holds. (The local validator replaces this.)
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair } from "@solana/web3.js";
import * as path from "path";

import { LiteSvmProvider, PERPOOL_PROGRAM_ID, fetchCustody, fetchPool, fetchTestOracle, perpoolProgram, poolName } from "../sdk/src";
import { seedPool } from "./seed";

async function main() {
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(Keypair.generate()));
  provider.addProgram(PERPOOL_PROGRAM_ID, path.resolve(__dirname, "..", "target", "deploy", "perpool.so"));
  const program = perpoolProgram(provider);
  const { pool, assets } = await seedPool(provider, program);

  const p = await fetchPool(program, pool);
  console.log(`Perpool program ${program.programId.toBase58()}`);
  console.log(`pool "${poolName(p)}" ${pool.toBase58()}`);
  console.log(`  LP mint ${p.lpMint.toBase58()}, ${p.custodyCount} custodies, fee split LP/protocol/insurance ${p.lpFeeShareBps}/${p.protocolFeeShareBps}/${p.insuranceFeeShareBps} bps`);
  for (const a of assets) {
    const c = await fetchCustody(program, a.custody);
    const o = await fetchTestOracle(program, a.oracle);
    const price = (Number(o.price.toString()) * 10 ** o.expo).toFixed(2);
    console.log(
      `  ${a.symbol.padEnd(5)} custody ${a.custody.toBase58()} vault ${a.vault.toBase58()} ` +
        `decimals ${c.decimals} target ${c.targetWeightBps / 100}% price $${price}${c.isStable ? " (stable)" : ""}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
