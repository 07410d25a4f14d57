/**
 * `npm start` seeds an empty local pool with liquidity from the demo wallet
 * (localnet/seed-liquidity.ts), once: run against a fresh deployment over RPC.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { deploy, loadConfig } from "../migrations/deploy";
import { SEED_AMOUNTS, seedLiquidity } from "../localnet/seed-liquidity";
import { composition, fetchPoolState, perpoolProgram } from "../sdk/src";
import { TestCluster, testCluster } from "./localnet/harness";

describe("localnet: seeded pool", function () {
  let dir: string;
  let cluster: TestCluster;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-seed-"));
    cluster = await testCluster(dir);
  });

  after(async () => {
    await cluster?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deposits each asset near its target weight into an empty pool, and never again", async () => {
    const result = await deploy(loadConfig(), {
      url: cluster.url,
      dataDir: dir,
      keypair: path.join(dir, "admin.json"),
      log: () => {},
    });
    const first = await seedLiquidity({ url: cluster.url, dataDir: dir, log: () => {} });
    expect(first).to.have.length(Object.keys(SEED_AMOUNTS).length);
    const program = perpoolProgram(
      new anchor.AnchorProvider(new Connection(cluster.url, "confirmed"), new anchor.Wallet(Keypair.generate()), {}),
    );
    const state = await fetchPoolState(program, new PublicKey(result.deployment.pool.address));
    expect(state.lpSupply.gt(new BN(0))).to.equal(true);
    const now = new BN(Math.floor(Date.now() / 1000));
    for (const c of composition(state, now)) {
      const asset = result.deployment.assets.find((a) => a.custody === c.custody.toBase58())!;
      expect(c.valueUsd.gtn(0), `${asset.symbol} seeded`).to.equal(true);
      expect(Math.abs(c.weightBps - c.targetBps), `${asset.symbol} near its target`).to.be.below(300);
    }
    const second = await seedLiquidity({ url: cluster.url, dataDir: dir, log: () => {} });
    expect(second, "an already seeded pool is left alone").to.deep.equal([]);
    expect((await fetchPoolState(program, state.address)).lpSupply.toString()).to.equal(state.lpSupply.toString());
  });
});
