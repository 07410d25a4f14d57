import { Connection, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import { ChainWatcher } from "../src";

/** A connection whose subscriptions work but whose unsubscribes never get an answer (a dead socket). */
function deadSocket() {
  const listeners: ((info: { accountId: PublicKey }) => void)[] = [];
  const conn = {
    onProgramAccountChange: (_p: PublicKey, cb: (info: { accountId: PublicKey }) => void) => listeners.push(cb) - 1,
    onAccountChange: () => 100,
    removeProgramAccountChangeListener: () => new Promise<void>(() => {}),
    removeAccountChangeListener: () => new Promise<void>(() => {}),
  };
  return {
    connection: conn as unknown as Connection,
    fire: () => listeners.forEach((l) => l({ accountId: PublicKey.default })),
  };
}

describe("SDK watch: ChainWatcher", () => {
  it("runs at start and after a burst of changes, one run at a time", async () => {
    const { connection, fire } = deadSocket();
    let running = 0;
    let overlapped = false;
    const reasons: string[][] = [];
    const w = new ChainWatcher({
      connection,
      programId: PublicKey.default,
      pollIntervalMs: 60_000,
      debounceMs: 5,
      unsubscribeTimeoutMs: 50,
      onChange: async (r) => {
        overlapped ||= running > 0;
        running++;
        reasons.push(r);
        await new Promise((res) => setTimeout(res, 20));
        running--;
      },
    });
    w.start();
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((res) => setTimeout(res, 5));
      }
    };
    await until(() => w.runs === 1);
    for (let i = 0; i < 5; i++) fire();
    await until(() => w.runs === 2);
    await w.stop();
    expect(overlapped).to.equal(false);
    expect(reasons[0]).to.deep.equal(["start"]);
    expect(reasons[1]).to.deep.equal([`account ${PublicKey.default.toBase58()}`]);
  });

  it("stop() returns after unsubscribeTimeoutMs when the socket never answers", async () => {
    const { connection } = deadSocket();
    const lines: string[] = [];
    const w = new ChainWatcher({
      connection,
      programId: PublicKey.default,
      pollIntervalMs: 60_000,
      unsubscribeTimeoutMs: 100,
      onChange: () => {},
      log: (l) => lines.push(l),
    });
    w.start();
    w.watchAccount(PublicKey.default, "oracle");
    const t0 = Date.now();
    await w.stop();
    const took = Date.now() - t0;
    expect(took).to.be.within(90, 2_000);
    expect(w.isRunning).to.equal(false);
    expect(lines.some((l) => /stopped without the RPC's acknowledgement/.test(l))).to.equal(true);
  });
});
