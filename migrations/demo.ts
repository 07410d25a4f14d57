/**
 * `npm run demo`: deploys the freshly built program (upgradeable, the wallet
 * its upgrade authority) and the price publisher into an in-process SVM,
 * seeds a pool with SOL, BTC, ETH and USDC custodies priced by published Pyth
 * feeds, and prints what the chain now holds.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair } from "@solana/web3.js";
import * as path from "path";

import {
  LiteSvmProvider,
  PERPOOL_PROGRAM_ID,
  decodePriceUpdateV2,
  fetchCustody,
  fetchPool,
  perpoolProgram,
  poolName,
} from "../sdk/src";
import { seedPool } from "./seed";

async function main() {
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(Keypair.generate()));
  const deploy = path.resolve(__dirname, "..", "target", "deploy");
  provider.addUpgradeableProgram(PERPOOL_PROGRAM_ID, path.join(deploy, "perpool.so"), provider.publicKey);
  provider.addPricePublisher(path.join(deploy, "pyth_publisher.so"));
  const program = perpoolProgram(provider);
  const { pool, assets } = await seedPool(provider, program);

  const p = await fetchPool(program, pool);
  console.log(`Perpool program ${program.programId.toBase58()}`);
  console.log(`pool "${poolName(p)}" ${pool.toBase58()}`);
  console.log(
    `  LP mint ${p.lpMint.toBase58()}, ${p.custodyCount} custodies, fee split LP/protocol/insurance ${p.lpFeeShareBps}/${p.protocolFeeShareBps}/${p.insuranceFeeShareBps} bps`,
  );
  for (const a of assets) {
    const c = await fetchCustody(program, a.custody);
    const o = decodePriceUpdateV2(provider.getAccount(a.oracle)!.data);
    const price = (Number(o.price.toString()) * 10 ** o.exponent).toFixed(2);
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
