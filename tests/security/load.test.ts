/**
 * Issue 9, part 4: the local validator under load. Eight clients send
 * transactions concurrently — SOL transfers of distinct amounts and Perpool
 * deposits — each confirmed over the WebSocket, with account subscriptions
 * open; mid-load the validator process is killed with SIGKILL and started
 * again on the same ledger, and the clients carry on against it. Then:
 *
 * - every signature a client saw confirmed is retrievable, with its logs, and
 *   succeeded;
 * - no transaction is lost or applied twice: each receiver holds exactly its
 *   starting balance plus the transfers whose signatures landed, and each
 *   depositor exactly the LP tokens the landed deposits' events report (the LP
 *   supply agrees), also after every transaction is sent again;
 * - the restarted validator keeps its genesis, slot and state;
 * - subscriptions report the final balances.
 *
 * The validator runs as its own process (started and killed by PID here) on
 * 127.0.0.1 with a fresh temporary ledger.
 */
import * as anchor from "@coral-xyz/anchor";
import { Connection, Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { deploy, loadConfig } from "../../migrations/deploy";
import {
  LiteSvmProvider,
  addLiquidityIx,
  createTokenAccount,
  fetchPoolState,
  mintTo,
  parseEvents,
  perpoolProgram,
} from "../../sdk/src";
import { ValidatorProcess, waitFor } from "../localnet/harness";

const CLIENTS = 8;
const DEPOSITORS = 2;
const PHASE_MS = 3_500;
/** Transactions each phase must see confirmed (the checks below want more than 20). */
const MIN_CONFIRMED = 25;
const RECEIVER_START = LAMPORTS_PER_SOL;

interface Sent {
  client: number;
  kind: "transfer" | "deposit";
  signature: string;
  bytes: Buffer;
  /** Lamports moved (transfers). */
  amount: number;
  confirmed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("security: local validator under load, killed and restarted mid-load", function () {
  this.timeout(240_000);

  let dir: string;
  let validator: ValidatorProcess | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-load-"));
  });

  after(async () => {
    await validator?.stop("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loses no confirmed transaction, applies none twice, and keeps its state across a SIGKILL", async () => {
    validator = await ValidatorProcess.start(dir, ["--slot-ms", "100"]);
    let connection = new Connection(validator.url, "confirmed");
    const { deployment } = await deploy(loadConfig(), {
      url: validator.url,
      dataDir: dir,
      keypair: path.join(dir, "admin.json"),
      log: () => {},
    });
    const admin = Keypair.fromSecretKey(
      Uint8Array.from(JSON.parse(fs.readFileSync(path.join(dir, "admin.json"), "utf8"))),
    );
    const pool = new PublicKey(deployment.pool.address);
    const lpMint = new PublicKey(deployment.pool.lpMint);
    const usdc = deployment.assets.find((a) => a.symbol === "USDC")!;
    const provider = () => new anchor.AnchorProvider(connection, new anchor.Wallet(admin), { commitment: "confirmed" });

    // Clients, their receivers (funded, so any transfer is rent-safe) and, for depositors, token accounts.
    const clients = Array.from({ length: CLIENTS }, () => Keypair.generate());
    const receivers = Array.from({ length: CLIENTS }, () => Keypair.generate().publicKey);
    const airdrop = async (to: PublicKey, lamports: number) => {
      const signature = await connection.requestAirdrop(to, lamports);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
    };
    for (const c of clients) await airdrop(c.publicKey, 20 * LAMPORTS_PER_SOL);
    for (const r of receivers) await airdrop(r, RECEIVER_START);
    const tokens = provider() as unknown as LiteSvmProvider; // the token helpers need only connection + sendAndConfirm
    const usdcAccounts: PublicKey[] = [];
    const lpAccounts: PublicKey[] = [];
    for (let i = 0; i < DEPOSITORS; i++) {
      usdcAccounts.push(await createTokenAccount(tokens, new PublicKey(usdc.mint), clients[i].publicKey));
      await mintTo(
        tokens,
        new PublicKey(usdc.mint),
        usdcAccounts[i],
        admin.publicKey,
        new BN(1_000_000).mul(new BN(1_000_000)),
      );
      lpAccounts.push(await createTokenAccount(tokens, lpMint, clients[i].publicKey));
    }
    const state = await fetchPoolState(perpoolProgram(provider()), pool);
    const supplyBefore = new BN((await connection.getTokenSupply(lpMint)).value.amount);

    // --- the load ----------------------------------------------------------------------------
    const sent: Sent[] = [];
    let stop = false;
    let paused = false; // while the validator is down and restarting
    const notifications: number[][] = clients.map(() => []);
    const subscribe = (conn: Connection) =>
      receivers.map((r, i) => conn.onAccountChange(r, (a) => notifications[i].push(a.lamports), "confirmed"));
    let subscriptions = subscribe(connection);

    const run = async (i: number) => {
      let seq = 0;
      let blockhash: { blockhash: string; lastValidBlockHeight: number } | undefined;
      let conn = connection;
      while (!stop) {
        if (paused) {
          await sleep(50);
          continue;
        }
        if (conn !== connection) {
          conn = connection;
          blockhash = undefined;
        }
        try {
          if (!blockhash || seq % 20 === 0) blockhash = await conn.getLatestBlockhash();
          seq++;
          const deposit = i < DEPOSITORS && seq % 2 === 0;
          // Distinct amounts per client and transaction: a double-applied transfer shows in the sum.
          const amount = 1_000 * (i + 1) + seq;
          const ix = deposit
            ? await addLiquidityIx(perpoolProgram(provider()), state, {
                owner: clients[i].publicKey,
                custody: new PublicKey(usdc.custody),
                fundingAccount: usdcAccounts[i],
                lpTokenAccount: lpAccounts[i],
                amountIn: new BN(1_000_000 + seq),
                minLpOut: new BN(0),
              })
            : SystemProgram.transfer({ fromPubkey: clients[i].publicKey, toPubkey: receivers[i], lamports: amount });
          const tx = new Transaction({ feePayer: clients[i].publicKey, ...blockhash }).add(ix);
          tx.sign(clients[i]);
          const bytes = tx.serialize();
          const record: Sent = {
            client: i,
            kind: deposit ? "deposit" : "transfer",
            signature: anchor.utils.bytes.bs58.encode(tx.signature!),
            bytes,
            amount: deposit ? 0 : amount,
            confirmed: false,
          };
          sent.push(record);
          await conn.sendRawTransaction(bytes, { skipPreflight: true });
          // Confirmed by polling the status over HTTP (the WebSocket carries the account subscriptions).
          for (let t = 0; t < 100 && !stop; t++) {
            const st = (await conn.getSignatureStatus(record.signature)).value;
            if (st && (st.confirmationStatus === "confirmed" || st.confirmationStatus === "finalized")) {
              record.confirmed = st.err === null;
              break;
            }
            await sleep(40);
          }
        } catch {
          // The validator is gone (killed) or refused the transaction: the checks below decide what landed.
          await sleep(30);
        }
      }
    };

    const workers = clients.map((_, i) => run(i));
    // The load runs for a while and until enough has landed (a busy machine confirms fewer per second).
    const confirmedCount = () => sent.filter((s) => s.confirmed).length;
    const phase = async (what: string, atLeast: number) => {
      const until = Date.now() + PHASE_MS;
      await waitFor(() => Date.now() >= until && confirmedCount() >= atLeast, what, 120_000);
    };
    await phase("confirmed transactions before the kill", MIN_CONFIRMED);

    // --- kill mid-load, start again on the same ledger ---------------------------------------
    const genesis = await connection.getGenesisHash();
    const slotBefore = await connection.getSlot();
    // The subscriptions are closed first (web3.js would otherwise redial the dead socket without
    // pause); the clients keep sending while the process is killed.
    for (const id of subscriptions) await connection.removeAccountChangeListener(id);
    await sleep(700);
    const confirmedBeforeKill = sent.filter((s) => s.confirmed).length;
    await validator.stop("SIGKILL");
    paused = true;
    validator = await ValidatorProcess.start(dir, ["--slot-ms", "100"]);
    connection = new Connection(validator.url, "confirmed");
    expect(await connection.getGenesisHash(), "genesis after restart").to.equal(genesis);
    expect(await connection.getSlot(), "slot after restart").to.be.at.least(slotBefore);
    subscriptions = subscribe(connection);
    const notifiedBefore = notifications.map((n) => n.length);
    paused = false;
    await phase("confirmed transactions after the restart", confirmedBeforeKill + MIN_CONFIRMED);
    stop = true;
    await Promise.all(workers);

    // --- what landed -------------------------------------------------------------------------
    const statusOf = async () => {
      const out = new Map<string, { err: unknown } | null>();
      for (let k = 0; k < sent.length; k += 200) {
        const batch = sent.slice(k, k + 200);
        const st = await connection.getSignatureStatuses(
          batch.map((s) => s.signature),
          { searchTransactionHistory: true },
        );
        batch.forEach((s, j) => out.set(s.signature, st.value[j] ? { err: st.value[j]!.err } : null));
      }
      return out;
    };
    let status = await statusOf();
    const confirmed = sent.filter((s) => s.confirmed);
    expect(confirmedBeforeKill, "transactions confirmed before the kill").to.be.greaterThan(20);
    expect(confirmed.length - confirmedBeforeKill, "transactions confirmed after the restart").to.be.greaterThan(20);
    for (const s of confirmed) {
      expect(status.get(s.signature), `confirmed ${s.signature} is known`).to.not.equal(null);
      expect(status.get(s.signature)!.err, `confirmed ${s.signature} succeeded`).to.equal(null);
    }
    // Every confirmed signature is retrievable with its logs.
    for (let k = 0; k < confirmed.length; k += 25) {
      const txs = await Promise.all(
        confirmed
          .slice(k, k + 25)
          .map((s) =>
            connection.getTransaction(s.signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" }),
          ),
      );
      txs.forEach((tx, j) => {
        expect(tx, `getTransaction(${confirmed[k + j].signature})`).to.not.equal(null);
        expect(tx!.meta!.err).to.equal(null);
        expect(tx!.meta!.logMessages!.length).to.be.greaterThan(0);
      });
    }

    /** Balances must equal exactly what the landed transactions moved. */
    const checkBalances = async (what: string) => {
      for (let i = 0; i < CLIENTS; i++) {
        const landed = sent.filter(
          (s) => s.client === i && s.kind === "transfer" && status.get(s.signature)?.err === null,
        );
        const expected = RECEIVER_START + landed.reduce((sum, s) => sum + s.amount, 0);
        expect(await connection.getBalance(receivers[i]), `${what}: receiver ${i}`).to.equal(expected);
      }
      const program = perpoolProgram(provider());
      let minted = new BN(0);
      for (let i = 0; i < DEPOSITORS; i++) {
        const landed = sent.filter(
          (s) => s.client === i && s.kind === "deposit" && status.get(s.signature)?.err === null,
        );
        let lp = new BN(0);
        for (const s of landed) {
          const tx = await connection.getTransaction(s.signature, {
            maxSupportedTransactionVersion: 0,
            commitment: "confirmed",
          });
          const ev = parseEvents(program, tx!.meta!.logMessages!).find((e) => e.name === "liquidityAdded")!;
          lp = lp.add(new BN(ev.data.lpOut.toString()));
        }
        expect(
          (await connection.getTokenAccountBalance(lpAccounts[i])).value.amount,
          `${what}: depositor ${i} LP`,
        ).to.equal(lp.toString());
        minted = minted.add(lp);
      }
      expect((await connection.getTokenSupply(lpMint)).value.amount, `${what}: LP supply`).to.equal(
        supplyBefore.add(minted).toString(),
      );
    };
    await checkBalances("after the load");

    // Send everything again: what landed is refused as a duplicate (or as too old), what did not may land now — never twice.
    for (let k = 0; k < sent.length; k += 50) {
      await Promise.all(
        sent
          .slice(k, k + 50)
          .map((s) => connection.sendRawTransaction(s.bytes, { skipPreflight: true }).catch(() => undefined)),
      );
    }
    // (The local validator runs a transaction before it answers sendTransaction: what lands has landed.)
    status = await statusOf();
    await checkBalances("after sending every transaction again");

    // Subscriptions over the restarted validator saw the final balances.
    const finals = await Promise.all(receivers.map((r) => connection.getBalance(r)));
    await waitFor(
      () => notifications.every((n, i) => n[n.length - 1] === finals[i]),
      "the final balances' notifications",
      30_000,
    ).catch(() => undefined);
    for (let i = 0; i < CLIENTS; i++) {
      const final = await connection.getBalance(receivers[i]);
      expect(notifications[i].length, `notifications of receiver ${i} before the kill`).to.be.greaterThan(0);
      expect(
        notifications[i].length - notifiedBefore[i],
        `notifications of receiver ${i} after the restart`,
      ).to.be.greaterThan(0);
      expect(notifications[i][notifications[i].length - 1], `last notification of receiver ${i}`).to.equal(final);
    }
    for (const id of subscriptions) await connection.removeAccountChangeListener(id);
    const landed = [...status.values()].filter((v) => v !== null).length;
    console.log(
      `      load: ${sent.length} transactions from ${CLIENTS} clients, ${confirmed.length} confirmed (${confirmedBeforeKill} before the SIGKILL), ${landed} landed`,
    );
    // web3.js keeps an idle WebSocket for 500 ms; let it go before the validator does.
    await sleep(700);
    expect(await validator.stop("SIGTERM")).to.equal(0);
    validator = undefined;
  });
});
