/**
 * `PerpoolClient` over LiteSVM's connection with a wallet-adapter-style signer: each action
 * quotes, bounds and sends a v0 transaction (compute limit from simulation), and the reads see
 * the result. Failures: a refused simulation carries the program's logs (named by
 * `parsePerpoolError`) and sends nothing; bad slippage is refused before anything is built.
 */
import { Connection, PublicKey, VersionedTransaction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";

import {
  PerpoolClient,
  Side,
  WalletSigner,
  fetchLookupTable,
  increasePositionIx,
  parsePerpoolError,
  poolLookupAddresses,
  poolLookupTableIxs,
} from "../sdk/src";
import { TestPool, TestUser, createTestPool } from "../sdk/src/testing";

/** Waits for `check` (polled every 20 ms), failing after `timeoutMs`. */
async function waitUntil(
  check: () => boolean,
  what: string,
  detail: () => string = () => "",
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Only what a wallet adapter offers: the public key and signTransaction. */
const adapter = (u: TestUser): WalletSigner => ({
  publicKey: u.keypair.publicKey,
  signTransaction: (tx) => u.wallet.signTransaction(tx),
});

describe("SDK client: PerpoolClient over a connection and a wallet adapter", () => {
  let t: TestPool;
  let lp: TestUser;
  let trader: TestUser;
  let lpClient: PerpoolClient;
  let client: PerpoolClient;
  let sol: PublicKey;
  let usdc: PublicKey;

  before(async () => {
    t = await createTestPool();
    lp = await t.user({ SOL: "1000", USDC: "200000" });
    trader = await t.user({ SOL: "10", USDC: "10000" });
    lpClient = new PerpoolClient(t.provider.connection, adapter(lp), { pool: t.pool });
    client = new PerpoolClient(t.provider.connection, adapter(trader), { pool: t.pool, slippageBps: 100 });
    sol = t.asset("SOL").custody;
    usdc = t.asset("USDC").custody;
  });

  it("deposits as quoted and reads the LP account", async () => {
    const sol1 = await lpClient.deposit({ custody: sol, amount: new BN("1000000000000") });
    const usdc1 = await lpClient.deposit({ custody: usdc, amount: new BN("200000000000") });
    expect(sol1.signature).to.be.a("string");
    // No cooldown in the test pool: the LP tokens arrive at once, exactly the quoted amount.
    expect(t.balance(lp.lp).toString()).to.equal(sol1.quote.lpOut.add(usdc1.quote.lpOut).toString());
    expect(await lpClient.getLpAccount(), "the LP account exists").to.not.equal(null);
  });

  it("opens a 5x long by leverage, lists it, and closes it; the trader gets the quoted amount", async () => {
    const before = t.balance(trader.token("USDC"));
    const opened = await client.openPosition({
      market: sol,
      side: Side.LONG,
      collateral: usdc,
      collateralAmount: new BN(1_000_000_000),
      leverage: 5,
    });
    // 1,000 USDC at 1 USD, times 5.
    expect(opened.quote.sizeUsdAfter.toString()).to.equal("5000000000");
    const positions = await client.getPositions();
    expect(positions).to.have.length(1);
    expect(positions[0]!.account.sizeUsd.toString()).to.equal("5000000000");
    expect(await lpClient.getPositions(), "another owner's positions are not listed").to.have.length(0);

    const closed = await client.closePosition({ position: positions[0]!.address });
    expect(await client.getPositions()).to.have.length(0);
    const received = t.balance(trader.token("USDC")).sub(before.sub(new BN(1_000_000_000)));
    expect(received.toString()).to.equal(closed.quote.amountOut.toString());
  });

  it("leaves compute headroom for the accrual a transaction runs when it lands a second after its simulation", async () => {
    // As on a cluster: simulated in the second of the position's last update (nothing to
    // accrue), executed in the next one (funding and interest accrue).
    const laterConnection = (): Connection => {
      const connection = Object.create(t.provider.connection) as Connection;
      connection.simulateTransaction = (async (...args: Parameters<Connection["simulateTransaction"]>) => {
        const result = await t.provider.connection.simulateTransaction(...args);
        t.provider.warpSeconds(1);
        return result;
      }) as Connection["simulateTransaction"];
      return connection;
    };
    const openAndClose = async (opts: { computeMarginBps?: number; computeHeadroom?: number }) => {
      const later = new PerpoolClient(laterConnection(), adapter(trader), { pool: t.pool, slippageBps: 100, ...opts });
      await later.openPosition({
        market: sol,
        side: Side.LONG,
        collateral: usdc,
        collateralAmount: new BN(100_000_000),
        leverage: 3,
      });
      const [position] = await later.getPositions();
      try {
        await later.closePosition({ position: position!.address });
      } finally {
        // Whatever happened, the position is closed before the next case.
        if ((await client.getPositions()).length > 0) await client.closePosition({ position: position!.address });
      }
    };
    // A limit of the simulated units alone is not enough: landing a second later, the trade accrues
    // what its simulation did not ...
    let refused: unknown;
    await openAndClose({ computeMarginBps: 10_000, computeHeadroom: 0 }).catch((e) => (refused = e));
    expect(String(refused)).to.match(/ComputationalBudgetExceeded|ProgramFailedToComplete|exceeded CUs/);
    // ... the default is.
    await openAndClose({});
    expect(await client.getPositions()).to.have.length(0);
  });

  it("swaps, borrows against collateral and repays", async () => {
    const swapped = await client.swap({ custodyIn: usdc, custodyOut: sol, amountIn: new BN(150_000_000) });
    expect(swapped.quote.amountOut.gtn(0)).to.equal(true);
    const usdcBefore = t.balance(trader.token("USDC"));
    await client.borrow({
      collateralCustody: sol,
      borrowCustody: usdc,
      amount: new BN(100_000_000),
      depositCollateral: new BN(5_000_000_000),
    });
    expect(t.balance(trader.token("USDC")).sub(usdcBefore).toString()).to.equal("100000000");
    const loans = await client.getLoans();
    expect(loans).to.have.length(1);
    expect(loans[0]!.account.collateralAmount.toString()).to.equal("5000000000");
    await client.repay({ collateralCustody: sol, borrowCustody: usdc, amount: new BN(200_000_000) });
    expect((await client.getLoans())[0]!.account.scaledDebt.toString()).to.equal("0");
  });

  it("watch() reports the pool and the owner's positions after a change (polling where there is no WebSocket)", async () => {
    const seen: { owned: string; positions: number }[] = [];
    let owned = "";
    const logs: string[] = [];
    const watcher = client.watch({
      log: (l) => logs.push(l),
      pollIntervalMs: 50,
      debounceMs: 10,
      // What the pool owns of each asset: a deposit moves it.
      onPool: (state) => (owned = state.custodies.map((c) => c.account.owned.toString()).join(",")),
      onPositions: (positions) => seen.push({ owned, positions: positions.length }),
    });
    try {
      await waitUntil(
        () => seen.length > 0,
        "the first report",
        () => logs.join("; "),
      );
      const first = seen[seen.length - 1]!;
      await client.deposit({ custody: usdc, amount: new BN(1_000_000) });
      await waitUntil(
        () => seen.some((x) => x.owned !== first.owned),
        "a report after the deposit",
        () => logs.join("; "),
      );
    } finally {
      await watcher.stop();
    }
    expect(watcher.isRunning).to.equal(false);
    const runs = watcher.runs;
    await new Promise((r) => setTimeout(r, 200));
    expect(watcher.runs, "no run after stop").to.equal(runs);
  });

  it("creates the pool's lookup table once (idempotent) and sends v0 messages that index it", async () => {
    const state = await client.state();
    // A table's address derives from a slot in the SlotHashes sysvar (LiteSVM keeps its own list).
    const recent = t.provider.svm.getSlotHashes()[0];
    if (!recent) throw new Error("LiteSVM has no slot hashes");
    const made = await poolLookupTableIxs(t.provider.connection, t.admin.publicKey, state, t.program.programId, {
      recentSlot: Number(recent.slot),
    });
    for (const ixs of made.transactions) await t.send(ixs);
    t.provider.warpSlots(1); // a table extended in a slot is usable from the next one
    const table = await fetchLookupTable(t.provider.connection, made.table);
    expect(table?.state.addresses.map((a) => a.toBase58())).to.deep.equal(
      poolLookupAddresses(state, t.program.programId).map((a) => a.toBase58()),
    );
    const again = await poolLookupTableIxs(t.provider.connection, t.admin.publicKey, state, t.program.programId, {
      existing: made.table,
    });
    expect(again.transactions, "nothing to do the second time").to.deep.equal([]);
    expect(again.table.equals(made.table)).to.equal(true);

    let signed: VersionedTransaction | undefined;
    const capturing: WalletSigner = {
      publicKey: trader.keypair.publicKey,
      signTransaction: async (tx) => {
        signed = tx as VersionedTransaction;
        return trader.wallet.signTransaction(tx);
      },
    };
    const withTable = new PerpoolClient(t.provider.connection, capturing, { pool: t.pool, lookupTable: made.table });
    const before = t.balance(trader.token("USDC"));
    await withTable.deposit({ custody: usdc, amount: new BN(2_000_000) });
    expect(before.sub(t.balance(trader.token("USDC"))).toString()).to.equal("2000000");
    expect(signed?.message.addressTableLookups.map((l) => l.accountKey.toBase58())).to.deep.equal([
      made.table.toBase58(),
    ]);
  });

  it("a refused quote or simulation sends nothing (the program error named); bad slippage is refused up front", async () => {
    const before = t.balance(trader.token("USDC"));
    const refusal = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return e;
      }
      throw new Error("expected a refusal");
    };
    // The quote refuses first: far beyond what the loan's collateral allows.
    const quoted = await refusal(
      client.borrow({ collateralCustody: sol, borrowCustody: usdc, amount: new BN(100_000_000_000) }),
    );
    expect((quoted as { code?: string }).code, String(quoted)).to.equal("LtvTooHigh");
    // The program refuses in simulation: an entry price bound below the oracle's.
    const ix = await increasePositionIx(client.program, await client.state(), {
      owner: trader.keypair.publicKey,
      side: Side.LONG,
      custody: sol,
      collateralCustody: usdc,
      fundingAccount: trader.token("USDC"),
      sizeUsd: new BN(1_000_000_000),
      collateralAmount: new BN(200_000_000),
      acceptablePrice: new BN(1),
    });
    const simulated = await refusal(client.send([ix]));
    expect(parsePerpoolError(simulated)?.name, String(simulated)).to.equal("SlippageExceeded");
    expect(t.balance(trader.token("USDC")).toString()).to.equal(before.toString());
    const slippage = await refusal(
      client.swap({ custodyIn: usdc, custodyOut: sol, amountIn: new BN(1), slippageBps: 10_000 }),
    );
    expect(String(slippage)).to.match(/slippageBps must be an integer in \[0, 10000\)/);
  });
});
