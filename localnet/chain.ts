/**
 * The chain behind the RPC: one LiteSVM plus what a validator adds around its
 * runtime — slots that advance in real time (moving the Clock sysvar, so
 * on-chain time flows), blockhashes that stay valid for 150 slots, signature
 * checks, duplicate detection, fees, the transaction history with balances
 * and token balances, an address index, and the durable ledger.
 *
 * litesvm only accepts its own latest blockhash and forgets everything on
 * exit, so the chain runs it with the blockhash check and its transaction
 * history off and does both jobs itself: every transaction's blockhash must
 * be one of the last 150 slots' (`isBlockhashValid`), its signatures are
 * verified once (by litesvm as it executes; here first when the transaction is
 * refused before executing), and a signature seen before is refused as
 * `AlreadyProcessed`.
 *
 * Everything is synchronous: node runs one request at a time, so transactions
 * execute one after another, each in the current slot, and are final as soon
 * as they are journaled (there is one node; "processed", "confirmed" and
 * "finalized" coincide).
 */
import { createHash, randomBytes } from "crypto";
import { EventEmitter } from "events";
import * as fs from "fs";
// litesvm's native object, not its wrapper: the wrapper loads @solana/kit (a fifth of
// the start-up) and converts every address to and from base58.
import {
  Account as VmAccount,
  EpochSchedule,
  FailedTransactionMetadata,
  LiteSvm,
  SimulatedTransactionInfo,
  TransactionMetadata,
} from "litesvm/dist/internal";

import {
  AccountState,
  SYSTEM_PROGRAM,
  b58decode,
  b58encode,
  b64decode,
  b64encode,
  readMint,
  readTokenAccount,
  uiTokenAmount,
} from "./encoding";
import { TransactionErrorJson, transactionErrorToJson } from "./errors";
import { computeBudget, transactionFee } from "./fees";
import { History, HistoryEntry } from "./history";
import { Ledger, LedgerError, SYNC_MS } from "./ledger";
import { BPF_LOADER_UPGRADEABLE_ADDRESS, upgradeableProgramAccountData } from "../sdk/src/loader-layout";
import {
  ParsedMessage,
  ParsedTransaction,
  buildTransfer,
  findProgramAddress,
  isStaticWritable,
  keypairFromSeed,
  parseTransaction,
  verifySignatures,
} from "./wire";

/** Slots a blockhash stays usable for (Agave's `MAX_PROCESSING_AGE`). */
export const MAX_PROCESSING_AGE = 150;
/** Slots a signature stays in the status cache (Agave's `MAX_RECENT_BLOCKHASHES`). */
export const MAX_RECENT_BLOCKHASHES = 300;
export const SLOTS_PER_EPOCH = 432_000;
/** The faucet's starting balance: 1M SOL, as `solana-test-validator`'s default faucet. */
export const FAUCET_LAMPORTS = 1_000_000n * 1_000_000_000n;

const LOOKUP_TABLE_PROGRAM = "AddressLookupTab1e1111111111111111111111111";
const SYSTEM_PROGRAM_BYTES = b58decode(SYSTEM_PROGRAM);
const BPF_LOADER_UPGRADEABLE_BYTES = b58decode(BPF_LOADER_UPGRADEABLE_ADDRESS);
/** Addresses in an address lookup table start after its 56-byte metadata. */
const LOOKUP_TABLE_META_SIZE = 56;
/** A checkpoint starts after this many transactions even before `checkpointMs` has passed. */
const CHECKPOINT_TXS = 5000;
/** Entries in the SlotHashes sysvar. */
const SLOT_HASHES_LEN = 512;

/** A program to deploy at startup. */
export interface ProgramSpec {
  programId: string;
  path: string;
  /**
   * Deploy it through BPF Loader Upgradeable with this upgrade authority
   * (base58; null: immutable), as a cluster deploy does. Default: litesvm's
   * deploy (upgradeable loader, no authority).
   */
  upgradeAuthority?: string | null;
}

export interface ChainOptions {
  /** Directory holding the ledger (and deploy artifacts next to it). */
  dataDir: string;
  /** Start from an empty ledger. */
  reset?: boolean;
  /** Milliseconds per slot (default 400). */
  slotMs?: number;
  programs?: ProgramSpec[];
  /** How often pending journal entries are folded into a snapshot (default 2000 ms). */
  checkpointMs?: number;
}

export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  uiTokenAmount: ReturnType<typeof uiTokenAmount>;
}

export interface UiInnerInstructions {
  index: number;
  instructions: { programIdIndex: number; accounts: number[]; data: string; stackHeight: number }[];
}

export interface ReturnDataJson {
  programId: string;
  data: [string, "base64"];
}

/** Everything kept about a transaction that landed (succeeded or failed and paid its fee). */
export interface TxRecord {
  seq: number;
  signature: string;
  slot: number;
  blockTime: number;
  /** The transaction as sent. */
  raw: Uint8Array;
  /** Static keys, then lookup-table writable, then lookup-table read-only keys. */
  accountKeys: string[];
  loadedAddresses: { writable: string[]; readonly: string[] };
  err: TransactionErrorJson | null;
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  logs: string[];
  innerInstructions: UiInnerInstructions[];
  computeUnitsConsumed: bigint;
  returnData: ReturnDataJson | null;
}

/** Outcome of a simulation, in the shapes the RPC returns. */
export interface Simulation {
  err: TransactionErrorJson | null;
  logs: string[];
  unitsConsumed: bigint;
  returnData: ReturnDataJson | null;
  innerInstructions: UiInnerInstructions[];
  /** State of the transaction's accounts after it, by address. */
  postAccounts: Map<string, AccountState | null>;
  accountKeys: string[];
}

export type SubmitResult =
  | { kind: "landed"; record: TxRecord }
  /** Preflight refused it; nothing was executed. */
  | { kind: "preflightFailed"; signature: string; simulation: Simulation }
  | { kind: "signatureFailure"; signature: string }
  /** Not executed (skipPreflight, or not even the fee could be charged), as a leader drops it. */
  | { kind: "dropped"; signature: string; err: TransactionErrorJson };

export interface SlotInfo {
  parent: number;
  slot: number;
  root: number;
}

interface Genesis {
  version: 1;
  genesisHash: string;
  faucetSeed: string;
  identitySeed: string;
  createdAt: string;
}

/** One journal line: a landed transaction and the post-state of the accounts it could write. */
interface JournalEntry {
  seq: number;
  record: StoredRecord;
  /** [address, lamports, owner, executable, data base64], or [address] for a deleted account. */
  accounts: ([string, string, string, boolean, string] | [string])[];
}

type StoredRecord = Omit<TxRecord, "raw" | "fee" | "preBalances" | "postBalances" | "computeUnitsConsumed"> & {
  raw: string;
  fee: string;
  preBalances: string[];
  postBalances: string[];
  computeUnitsConsumed: string;
};

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- typed on() overloads; EventEmitter implements on()
export declare interface Chain {
  on(event: "slot", listener: (info: SlotInfo) => void): this;
  on(event: "received", listener: (signature: string) => void): this;
  on(event: "transaction", listener: (record: TxRecord, written: Map<string, AccountState | null>) => void): this;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class Chain extends EventEmitter {
  /** The VM (litesvm's native object: raw transactions, 32-byte keys). */
  readonly vm: LiteSvm;
  readonly genesisHash: string;
  readonly identity: string;
  readonly faucet: { publicKey: string; secretKey: Uint8Array };
  readonly slotMs: number;
  /** Milliseconds spent opening the ledger (load + replay + programs). */
  readonly openMs: number;

  private readonly ledger: Ledger;
  /** Base58 of the few account owners there are (system, token, programs), by their bytes. */
  private readonly ownerNames = new Map<string, string>();
  private currentSlot: number;
  private unixTimestamp: number;
  /** Every landed transaction, on disk (history.ts). */
  private readonly history: History<TxRecord>;
  private lastSeq: number;
  /** Transactions since the last checkpoint started. */
  private sinceCheckpoint = 0;
  private checkpointing = false;
  private readonly hashOfSlot = new Map<number, string>();
  private readonly slotOfHash = new Map<string, number>();
  private readonly slotTimes = new Map<number, number>();
  /** The SlotHashes sysvar's content, newest first (lookup-table creation checks it). */
  private slotHashes: { slot: bigint; hash: string }[] = [];
  /** Per recent slot: the lowest compute-unit price paid, overall and per written account. */
  private readonly priorityFees = new Map<number, { min: bigint; accounts: Map<string, bigint> }>();
  private readonly checkpointMs: number;
  private lastCheckpoint = Date.now();
  private clockWrittenSlot = -1;
  private clockWriting = false;
  private slotTimer: NodeJS.Timeout | null = null;
  private houseTimer: NodeJS.Timeout | null = null;
  private baseSlot = 0;
  private baseTime = 0;
  private closed = false;

  private constructor(opts: ChainOptions) {
    super();
    const started = performance.now();
    this.slotMs = opts.slotMs ?? 400;
    this.checkpointMs = opts.checkpointMs ?? 2000;
    if (opts.reset) Ledger.reset(opts.dataDir);
    this.ledger = new Ledger(opts.dataDir);
    this.ledger.lock();

    let genesis = this.ledger.readJson<Genesis>("genesis.json");
    if (!genesis) {
      genesis = {
        version: 1,
        genesisHash: b58encode(randomBytes(32)),
        faucetSeed: b58encode(randomBytes(32)),
        identitySeed: b58encode(randomBytes(32)),
        createdAt: new Date().toISOString(),
      };
      this.ledger.writeJson("genesis.json", genesis);
    }
    this.genesisHash = genesis.genesisHash;
    this.faucet = keypairFromSeed(b58decode(genesis.faucetSeed));
    this.identity = keypairFromSeed(b58decode(genesis.identitySeed)).publicKey;

    // State: the snapshot, or genesis when there is none yet.
    const snapshot = this.ledger.readSnapshot();
    this.vm = snapshot ? LiteSvm.fromBytes(snapshot.state) : this.genesisVm();
    // Signatures are verified once: by litesvm (native, about 4× cheaper than node's
    // ed25519) when a transaction executes, by wire.ts only on the paths that refuse a
    // transaction before it executes (`submit`) or when a simulation asks for it.
    this.vm.setBlockhashCheck(false);
    this.vm.setTransactionHistory(0n);
    this.vm.setSigverify(false);
    const snapSeq = snapshot?.meta.seq ?? 0;
    this.unixTimestamp = Math.max(Number(this.vm.getClock().unixTimestamp), nowSeconds());

    // History: on disk, cut back to what the snapshot and journal confirm; journal
    // records it lacks (written before a crash reached the history files) go in again.
    const journal = this.ledger.readJournal<JournalEntry>();
    const committed = journal.reduce((max, e) => Math.max(max, e.seq), snapSeq);
    this.history = new History<TxRecord>(this.ledger.dir, committed, (json) =>
      fromStored(JSON.parse(json) as StoredRecord),
    );
    const legacy = this.ledger.readLegacyHistory<StoredRecord>();
    for (const stored of (legacy ?? []).sort((x, y) => x.seq - y.seq)) {
      if (stored.seq === this.history.count + 1) this.history.append(historyEntry(fromStored(stored)));
    }
    for (const entry of journal) {
      if (entry.seq === this.history.count + 1) this.history.append(historyEntry(fromStored(entry.record)));
      if (entry.seq > snapSeq) this.applyAccounts(entry.accounts);
    }
    this.history.flush();
    if (legacy) {
      this.history.sync();
      this.ledger.removeLegacyHistory();
    }
    this.lastSeq = this.history.count;
    if (this.lastSeq < committed) {
      // Only a damaged disk gets here: the history files are fsynced before the journal holding the same records is deleted.
      throw new LedgerError(
        `${this.ledger.dir}: the history files end at transaction ${this.lastSeq} but the snapshot covers ${committed}; start with --reset`,
      );
    }

    // Slots never go back: resume from the highest slot any file remembers.
    const clock = this.ledger.readJson<{ slot: number }>("clock.json");
    this.currentSlot = Math.max(
      snapshot?.meta.slot ?? 0,
      clock?.slot ?? 0,
      this.lastSeq > 0 ? this.history.slotOf(this.lastSeq) : 0,
    );
    for (
      let seq = this.history.firstSeqFromSlot(this.currentSlot - MAX_PROCESSING_AGE + 1);
      seq <= this.lastSeq;
      seq++
    ) {
      this.notePriorityFee(this.history.get(seq)!);
    }
    this.fillBlockhashWindow();
    for (let slot = this.currentSlot; slot >= 0 && slot > this.currentSlot - SLOT_HASHES_LEN; slot--) {
      this.slotHashes.push({ slot: BigInt(slot), hash: this.blockhashOf(slot) });
    }
    this.applySysvars();

    for (const p of opts.programs ?? []) this.deployProgram(p);

    // Fold a non-empty journal (or a fresh genesis) into a snapshot right away.
    if (!snapshot || journal.length > 0) this.checkpointSync();
    else this.ledger.openJournal(this.lastSeq + 1);
    this.openMs = performance.now() - started;
  }

  /** Opens (or creates) the ledger under `opts.dataDir` and returns the chain, not yet ticking. */
  static open(opts: ChainOptions): Chain {
    return new Chain(opts);
  }

  /**
   * Deploys a program file. With an upgrade authority it writes the program
   * and ProgramData accounts as BPF Loader Upgradeable lays them out (so
   * programs that check their upgrade authority see it); on every start, so
   * the ledger always runs the files it was started with.
   */
  private deployProgram(p: ProgramSpec): void {
    if (p.upgradeAuthority === undefined) {
      this.vm.addProgramFromFile(b58decode(p.programId), p.path);
      return;
    }
    const programId = b58decode(p.programId);
    const authority = p.upgradeAuthority === null ? null : b58decode(p.upgradeAuthority);
    const [programDataAddress] = findProgramAddress([programId], BPF_LOADER_UPGRADEABLE_BYTES);
    const { program, programData } = upgradeableProgramAccountData(
      programDataAddress,
      fs.readFileSync(p.path),
      authority,
      BigInt(this.currentSlot),
    );
    // ProgramData first: the program is loaded from it when its account is set.
    for (const [address, data, executable] of [
      [programDataAddress, programData, false],
      [programId, program, true],
    ] as const) {
      const lamports = this.vm.minimumBalanceForRentExemption(BigInt(data.length));
      this.vm.setAccount(address, new VmAccount(lamports, data, BPF_LOADER_UPGRADEABLE_BYTES, executable, 0n));
    }
  }

  /** The VM of a new ledger: standard programs, a funded faucet, slot 0 at the current time. */
  private genesisVm(): LiteSvm {
    const svm = new LiteSvm();
    svm.withNativeMints();
    // A plain epoch schedule (no warm-up): 432,000-slot epochs from slot 0.
    svm.setEpochSchedule(new EpochSchedule(BigInt(SLOTS_PER_EPOCH), BigInt(SLOTS_PER_EPOCH), false, 0n, 0n));
    svm.setAccount(
      b58decode(this.faucet.publicKey),
      new VmAccount(FAUCET_LAMPORTS, new Uint8Array(0), SYSTEM_PROGRAM_BYTES, false, 0n),
    );
    const clock = svm.getClock();
    clock.slot = 0n;
    clock.epoch = 0n;
    clock.leaderScheduleEpoch = 1n;
    clock.unixTimestamp = BigInt(nowSeconds());
    clock.epochStartTimestamp = clock.unixTimestamp;
    svm.setClock(clock);
    return svm;
  }

  // ---------------------------------------------------------------------------
  // Time
  // ---------------------------------------------------------------------------

  /** Starts advancing slots in real time, and the periodic checkpoints. */
  start(): void {
    if (this.slotTimer) return;
    this.baseSlot = this.currentSlot;
    this.baseTime = performance.now();
    this.slotTimer = setInterval(() => this.catchUp(), this.slotMs);
    this.houseTimer = setInterval(() => this.housekeeping(), Math.min(SYNC_MS, this.checkpointMs));
    // Never keep a process alive on their own (the servers do that).
    this.slotTimer.unref();
    this.houseTimer.unref();
  }

  get slot(): number {
    return this.currentSlot;
  }

  /** Block height: every slot has a block here, so it equals the slot. */
  get blockHeight(): number {
    return this.currentSlot;
  }

  get epoch(): number {
    return Math.floor(this.currentSlot / SLOTS_PER_EPOCH);
  }

  get transactionCount(): number {
    return this.lastSeq;
  }

  /** Moves `n` slots forward at once (tests: blockhash expiry without waiting a minute). */
  advanceSlots(n: number): void {
    for (let i = 0; i < n; i++) this.advanceTo(this.currentSlot + 1);
    this.baseSlot += n;
    this.applySysvars();
  }

  private catchUp(): void {
    const target = this.baseSlot + Math.floor((performance.now() - this.baseTime) / this.slotMs);
    if (target <= this.currentSlot) return;
    // After a long stall (suspended process), jump instead of replaying every slot.
    if (target - this.currentSlot > 1000) this.advanceTo(target);
    while (this.currentSlot < target) this.advanceTo(this.currentSlot + 1);
    this.applySysvars();
  }

  private advanceTo(slot: number): void {
    const parent = this.currentSlot;
    this.currentSlot = slot;
    this.unixTimestamp = Math.max(this.unixTimestamp, nowSeconds());
    this.slotTimes.set(slot, this.unixTimestamp);
    this.slotTimes.delete(slot - 4096);
    this.priorityFees.delete(slot - MAX_PROCESSING_AGE);
    this.fillBlockhashWindow();
    this.slotHashes.unshift({ slot: BigInt(slot), hash: this.blockhashOf(slot) });
    if (this.slotHashes.length > SLOT_HASHES_LEN) this.slotHashes.length = SLOT_HASHES_LEN;
    this.emit("slot", { parent, slot, root: slot });
  }

  /** Writes slot, epoch and time into the Clock sysvar, and the recent slots into SlotHashes. */
  private applySysvars(): void {
    this.vm.setSlotHashes(this.slotHashes);
    const clock = this.vm.getClock();
    const epoch = BigInt(this.epoch);
    if (clock.epoch !== epoch) clock.epochStartTimestamp = BigInt(this.unixTimestamp);
    clock.slot = BigInt(this.currentSlot);
    clock.epoch = epoch;
    clock.leaderScheduleEpoch = epoch + 1n;
    clock.unixTimestamp = BigInt(this.unixTimestamp);
    this.vm.setClock(clock);
  }

  /** Unix time of a past slot: remembered for recent slots and slots with transactions, else estimated. */
  blockTime(slot: number): number | null {
    if (slot > this.currentSlot) return null;
    const known = this.slotTimes.get(slot);
    if (known !== undefined) return known;
    const seq = this.history.firstSeqFromSlot(slot);
    if (seq <= this.lastSeq && this.history.slotOf(seq) === slot) return this.history.blockTimeOf(seq);
    return Math.max(0, this.unixTimestamp - Math.floor(((this.currentSlot - slot) * this.slotMs) / 1000));
  }

  // ---------------------------------------------------------------------------
  // Blockhashes
  // ---------------------------------------------------------------------------

  /** Each slot's blockhash, derived from the genesis hash so it survives restarts. */
  blockhashOf(slot: number): string {
    const known = this.hashOfSlot.get(slot);
    if (known) return known;
    const h = createHash("sha256").update(b58decode(this.genesisHash)).update("blockhash");
    const s = Buffer.alloc(8);
    s.writeBigUInt64LE(BigInt(slot));
    return b58encode(h.update(s).digest());
  }

  latestBlockhash(): { blockhash: string; lastValidBlockHeight: number } {
    return {
      blockhash: this.blockhashOf(this.currentSlot),
      lastValidBlockHeight: this.currentSlot + MAX_PROCESSING_AGE,
    };
  }

  /** True while transactions may use `blockhash` (it is one of the last 150 slots'). */
  isBlockhashValid(blockhash: string): boolean {
    const slot = this.slotOfHash.get(blockhash);
    return slot !== undefined && this.currentSlot - slot <= MAX_PROCESSING_AGE;
  }

  /** Keeps the hash ⇄ slot maps covering the last `MAX_RECENT_BLOCKHASHES` slots. */
  private fillBlockhashWindow(): void {
    const from = Math.max(0, this.currentSlot - MAX_RECENT_BLOCKHASHES);
    for (const [slot, hash] of this.hashOfSlot) {
      if (slot < from) {
        this.hashOfSlot.delete(slot);
        this.slotOfHash.delete(hash);
      }
    }
    for (let slot = from; slot <= this.currentSlot; slot++) {
      if (this.hashOfSlot.has(slot)) continue;
      const hash = this.blockhashOf(slot);
      this.hashOfSlot.set(slot, hash);
      this.slotOfHash.set(hash, slot);
    }
  }

  // ---------------------------------------------------------------------------
  // Accounts
  // ---------------------------------------------------------------------------

  /** An account, or null when it does not exist (zero lamports counts as absent, as on a node). */
  getAccount(address: string): AccountState | null {
    return this.accountAt(b58decode(address));
  }

  /** `getAccount` by the key's bytes. */
  private accountAt(key: Uint8Array): AccountState | null {
    return this.stateOf(this.vm.getAccount(key));
  }

  private stateOf(acc: VmAccount | null): AccountState | null {
    if (acc === null) return null;
    const lamports = acc.lamports();
    if (lamports === 0n) return null;
    return { lamports, data: acc.data(), owner: this.ownerName(acc.owner()), executable: acc.executable() };
  }

  private ownerName(owner: Uint8Array): string {
    const key = Buffer.from(owner.buffer, owner.byteOffset, owner.length).toString("latin1");
    let name = this.ownerNames.get(key);
    if (name === undefined) {
      name = b58encode(owner);
      if (this.ownerNames.size >= 4096) this.ownerNames.clear();
      this.ownerNames.set(key, name);
    }
    return name;
  }

  /** Accounts owned by `program`. */
  getProgramAccounts(program: string): { pubkey: string; account: AccountState }[] {
    const out: { pubkey: string; account: AccountState }[] = [];
    for (const a of this.vm.getProgramAccounts(b58decode(program))) {
      const account = this.stateOf(a.account());
      if (account) out.push({ pubkey: b58encode(a.address), account });
    }
    return out;
  }

  /** Decimals of a mint, or null when `mint` is not one. */
  mintDecimals = (mint: string): number | null => {
    const acc = this.getAccount(mint);
    return acc ? (readMint(acc)?.decimals ?? null) : null;
  };

  minimumBalanceForRentExemption(dataLen: number): bigint {
    return this.vm.minimumBalanceForRentExemption(BigInt(dataLen));
  }

  // ---------------------------------------------------------------------------
  // Transactions
  // ---------------------------------------------------------------------------

  /**
   * Runs a serialized transaction as `sendTransaction` does. With `preflight`,
   * a transaction that would fail is refused and not executed; without, it is
   * executed and its failure recorded (or dropped, when it could not even pay
   * its fee, has a bad signature, an unknown blockhash or was seen before).
   * Throws `WireError` for bytes that are not a transaction.
   */
  submit(raw: Uint8Array, opts: { preflight: boolean }): SubmitResult {
    const tx = parseTransaction(raw);
    const signature = tx.signature;
    const refuse = (err: TransactionErrorJson): SubmitResult =>
      opts.preflight
        ? { kind: "preflightFailed", signature, simulation: emptySimulation(err) }
        : { kind: "dropped", signature, err };

    const badSignature = (): SubmitResult =>
      opts.preflight
        ? { kind: "signatureFailure", signature }
        : { kind: "dropped", signature, err: "SignatureFailure" };
    // A bad signature is reported before anything else, as a node does; the
    // check runs here only when the transaction is refused before executing.
    const refuseChecked = (err: TransactionErrorJson): SubmitResult =>
      verifySignatures(tx) ? refuse(err) : badSignature();
    if (!this.isBlockhashValid(tx.message.recentBlockhash)) return refuseChecked("BlockhashNotFound");
    if (this.history.seqOf(signature, tx.signatures[0]) !== null) return refuseChecked("AlreadyProcessed");
    const keys = this.resolveKeys(tx.message);
    if (typeof keys === "string") return refuseChecked(keys);

    return this.execute(tx, keys, opts.preflight) ?? badSignature();
  }

  /**
   * Simulates a serialized transaction. Signatures are checked only with
   * `sigVerify`; the blockhash only without `replaceRecentBlockhash`.
   * Returns null when signature verification was asked for and failed.
   */
  simulate(raw: Uint8Array, opts: { sigVerify: boolean; replaceRecentBlockhash: boolean }): Simulation | null {
    const tx = parseTransaction(raw);
    if (opts.sigVerify && !verifySignatures(tx)) return null;
    if (!opts.replaceRecentBlockhash && !this.isBlockhashValid(tx.message.recentBlockhash)) {
      return emptySimulation("BlockhashNotFound");
    }
    if (!opts.replaceRecentBlockhash && this.signatureStatus(tx.signature, true))
      return emptySimulation("AlreadyProcessed");
    const keys = this.resolveKeys(tx.message);
    if (typeof keys === "string") return emptySimulation(keys);
    return this.runSimulation(tx, keys.keys);
  }

  private runSimulation(tx: ParsedTransaction, accountKeys: string[]): Simulation {
    // Signatures were checked (or deliberately not) by the caller; litesvm's check is off.
    const outcome: SimulatedTransactionInfo | FailedTransactionMetadata =
      tx.message.version === "legacy"
        ? this.vm.simulateLegacyTransaction(tx.raw)
        : this.vm.simulateVersionedTransaction(tx.raw);
    const meta = outcome.meta();
    const postAccounts = new Map<string, AccountState | null>();
    let err: TransactionErrorJson | null = null;
    if (outcome instanceof FailedTransactionMetadata) {
      err = transactionErrorToJson(outcome.err());
    } else {
      for (const a of outcome.postAccounts()) postAccounts.set(b58encode(a.address), this.stateOf(a.account()));
    }
    return {
      err,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataOf(meta),
      innerInstructions: innerInstructionsOf(meta),
      postAccounts,
      accountKeys,
    };
  }

  /**
   * Executes a transaction. Preflight does not simulate first: a failed
   * transaction changes nothing but its fee payer's balance (the runtime rolls
   * back everything else), so a preflight failure is undone by restoring the
   * fee payer — the same outcome as refusing it after a simulation, at half
   * the cost for the transactions that succeed. Null when litesvm found a bad
   * signature (nothing ran, nothing was charged).
   */
  private execute(tx: ParsedTransaction, keys: ResolvedKeys, preflight: boolean): SubmitResult | null {
    const pre = keys.bytes.map((k) => this.accountAt(k));
    let outcome: TransactionMetadata | FailedTransactionMetadata;
    this.vm.setSigverify(true);
    try {
      outcome =
        tx.message.version === "legacy"
          ? this.vm.sendLegacyTransaction(tx.raw)
          : this.vm.sendVersionedTransaction(tx.raw);
    } finally {
      this.vm.setSigverify(false);
    }
    const err = outcome instanceof FailedTransactionMetadata ? transactionErrorToJson(outcome.err()) : null;
    // litesvm checks signatures before it loads anything: nothing was charged.
    if (err === "SignatureFailure") return null;
    const meta: TransactionMetadata = outcome instanceof FailedTransactionMetadata ? outcome.meta() : outcome;
    const post = keys.bytes.map((k, i) => (keys.writable[i] ? this.accountAt(k) : pre[i]));
    // A failed transaction lands only when it paid its fee; otherwise (unknown
    // fee payer, insufficient funds for the fee…) a leader would drop it.
    const paidFee = (pre[0]?.lamports ?? 0n) > (post[0]?.lamports ?? 0n);
    if (err !== null && preflight) {
      if (paidFee) this.restoreAccount(keys.keys[0], pre[0]);
      return {
        kind: "preflightFailed",
        signature: tx.signature,
        simulation: {
          err,
          logs: meta.logs(),
          unitsConsumed: meta.computeUnitsConsumed(),
          returnData: returnDataOf(meta),
          innerInstructions: innerInstructionsOf(meta),
          postAccounts: new Map(),
          accountKeys: keys.keys,
        },
      };
    }
    if (err !== null && !paidFee) return { kind: "dropped", signature: tx.signature, err };

    const record: TxRecord = {
      seq: this.lastSeq + 1,
      signature: tx.signature,
      slot: this.currentSlot,
      blockTime: this.unixTimestamp,
      raw: tx.raw,
      accountKeys: keys.keys,
      loadedAddresses: keys.loaded,
      err,
      fee: transactionFee(tx.message),
      preBalances: pre.map((a) => a?.lamports ?? 0n),
      postBalances: post.map((a) => a?.lamports ?? 0n),
      preTokenBalances: this.tokenBalances(pre),
      postTokenBalances: this.tokenBalances(post),
      logs: meta.logs(),
      innerInstructions: innerInstructionsOf(meta),
      computeUnitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataOf(meta),
    };
    const written = new Map<string, AccountState | null>();
    keys.keys.forEach((k, i) => {
      if (keys.writable[i]) written.set(k, post[i]);
    });
    this.emit("received", tx.signature);
    this.commit(record, written, keys.bytes, tx.message);
    return { kind: "landed", record };
  }

  /** Puts an account back as it was (`null`: deleted). */
  private restoreAccount(address: string, state: AccountState | null): void {
    this.vm.setAccount(
      b58decode(address),
      new VmAccount(
        state?.lamports ?? 0n,
        state?.data ?? new Uint8Array(0),
        state ? b58decode(state.owner) : SYSTEM_PROGRAM_BYTES,
        state?.executable ?? false,
        0n,
      ),
    );
  }

  /** Records a landed transaction: journal first (durability), then memory, then listeners. */
  private commit(
    record: TxRecord,
    written: Map<string, AccountState | null>,
    keyBytes: Uint8Array[],
    message: ParsedMessage,
  ): void {
    const entry: JournalEntry = {
      seq: record.seq,
      record: toStored(record),
      accounts: [...written].map(([k, a]) =>
        a ? [k, a.lamports.toString(), a.owner, a.executable, b64encode(a.data)] : [k],
      ),
    };
    this.ledger.appendJournal(JSON.stringify(entry));
    this.lastSeq = record.seq;
    this.history.append(historyEntry(record, entry.record, keyBytes));
    this.sinceCheckpoint++;
    this.notePriorityFee(record, message);
    this.emit("transaction", record, written);
  }

  /** Re-applies journaled account states (restart). */
  private applyAccounts(accounts: JournalEntry["accounts"]): void {
    for (const a of accounts) {
      if (a.length === 1) {
        this.restoreAccount(a[0], null);
      } else {
        const [address, lamports, owner, executable, data] = a;
        this.restoreAccount(address, { lamports: BigInt(lamports), owner, executable, data: b64decode(data) });
      }
    }
  }

  /** `requestAirdrop`: a real, signed System transfer from the faucet. Returns its result. */
  airdrop(to: string, lamports: bigint): SubmitResult {
    // Identical airdrops in one slot would be identical transactions (the same
    // signature); an older, still valid blockhash makes each one unique.
    let last: SubmitResult | null = null;
    for (let age = 0; age < MAX_PROCESSING_AGE && this.currentSlot - age >= 0; age++) {
      const raw = buildTransfer(this.faucet, to, lamports, this.blockhashOf(this.currentSlot - age));
      const signature = b58encode(raw.subarray(1, 65));
      if (this.history.seqOf(signature) !== null) continue;
      last = this.submit(raw, { preflight: true });
      break;
    }
    if (!last) throw new Error("too many identical airdrops in the last 150 slots");
    return last;
  }

  /** Lookup-table resolution: all keys of a message, which are writable, and the loaded ones. */
  private resolveKeys(message: ParsedMessage): ResolvedKeys | string {
    const { header, staticAccountKeys } = message;
    const writable = staticAccountKeys.map((_, i) => isStaticWritable(header, staticAccountKeys.length, i));
    const loaded = { writable: [] as string[], readonly: [] as string[] };
    for (const lookup of message.addressTableLookups) {
      const table = this.getAccount(lookup.accountKey);
      if (!table) return "AddressLookupTableNotFound";
      if (table.owner !== LOOKUP_TABLE_PROGRAM) return "InvalidAddressLookupTableOwner";
      const count = Math.floor((table.data.length - LOOKUP_TABLE_META_SIZE) / 32);
      const at = (i: number): string | null =>
        i < count
          ? b58encode(table.data.subarray(LOOKUP_TABLE_META_SIZE + 32 * i, LOOKUP_TABLE_META_SIZE + 32 * (i + 1)))
          : null;
      for (const [indexes, into] of [
        [lookup.writableIndexes, loaded.writable],
        [lookup.readonlyIndexes, loaded.readonly],
      ] as const) {
        for (const i of indexes) {
          const key = at(i);
          if (key === null) return "InvalidAddressLookupTableIndex";
          into.push(key);
        }
      }
    }
    return {
      keys: [...staticAccountKeys, ...loaded.writable, ...loaded.readonly],
      writable: [...writable, ...loaded.writable.map(() => true), ...loaded.readonly.map(() => false)],
      bytes: [...message.staticKeyBytes, ...loaded.writable.map(b58decode), ...loaded.readonly.map(b58decode)],
      loaded,
    };
  }

  private tokenBalances(states: (AccountState | null)[]): TokenBalance[] {
    const out: TokenBalance[] = [];
    states.forEach((acc, accountIndex) => {
      const token = acc && readTokenAccount(acc);
      if (!acc || !token) return;
      const decimals = this.mintDecimals(token.mint);
      if (decimals === null) return;
      out.push({
        accountIndex,
        mint: token.mint,
        owner: token.owner,
        programId: acc.owner,
        uiTokenAmount: uiTokenAmount(token.amount, decimals),
      });
    });
    return out;
  }

  // ---------------------------------------------------------------------------
  // History
  // ---------------------------------------------------------------------------

  getTransaction(signature: string): TxRecord | null {
    const seq = this.history.seqOf(signature);
    return seq === null ? null : this.history.get(seq);
  }

  /**
   * The status of a landed signature. Without `searchHistory`, only
   * signatures in the status cache (the last 300 slots) are found, as on a node.
   */
  signatureStatus(signature: string, searchHistory: boolean): TxRecord | null {
    const r = this.getTransaction(signature);
    if (!r) return null;
    if (!searchHistory && r.slot < this.currentSlot - MAX_RECENT_BLOCKHASHES) return null;
    return r;
  }

  /** Transactions that mention `address`, newest first, strictly before `before` and after `until`. */
  signaturesForAddress(address: string, opts: { limit: number; before?: string; until?: string }): TxRecord[] {
    const beforeSeq = opts.before ? this.history.seqOf(opts.before) : Infinity;
    const untilSeq = opts.until ? (this.history.seqOf(opts.until) ?? 0) : 0;
    if (beforeSeq === null) return [];
    return this.history.seqsForAddress(address, beforeSeq, untilSeq, opts.limit).map((seq) => this.history.get(seq)!);
  }

  /** The transactions of the block at `slot`, in the order they executed. */
  blockTransactions(slot: number): TxRecord[] {
    const out: TxRecord[] = [];
    for (
      let seq = this.history.firstSeqFromSlot(slot);
      seq <= this.lastSeq && this.history.slotOf(seq) === slot;
      seq++
    ) {
      out.push(this.history.get(seq)!);
    }
    return out;
  }

  /** Per recent slot (oldest first), the priority fee (micro-lamports per CU) that got in. */
  recentPrioritizationFees(addresses: string[]): { slot: number; prioritizationFee: bigint }[] {
    const out: { slot: number; prioritizationFee: bigint }[] = [];
    for (let slot = Math.max(0, this.currentSlot - MAX_PROCESSING_AGE + 1); slot <= this.currentSlot; slot++) {
      const stats = this.priorityFees.get(slot);
      let fee = stats?.min ?? 0n;
      for (const a of addresses) {
        const f = stats?.accounts.get(a);
        if (f !== undefined && f > fee) fee = f;
      }
      out.push({ slot, prioritizationFee: fee });
    }
    return out;
  }

  /** Notes a landed transaction's compute-unit price (`message`: its parsed message when the caller has it). */
  private notePriorityFee(record: TxRecord, parsed?: ParsedMessage): void {
    let message: ParsedMessage;
    try {
      message = parsed ?? parseTransaction(record.raw).message;
    } catch {
      return;
    }
    const price = computeBudget(message).price;
    let stats = this.priorityFees.get(record.slot);
    if (!stats) this.priorityFees.set(record.slot, (stats = { min: price, accounts: new Map() }));
    if (price < stats.min) stats.min = price;
    record.accountKeys.forEach((k, i) => {
      const writable =
        i < message.staticAccountKeys.length
          ? isStaticWritable(message.header, message.staticAccountKeys.length, i)
          : i < message.staticAccountKeys.length + record.loadedAddresses.writable.length;
      if (!writable) return;
      const prev = stats!.accounts.get(k);
      if (prev === undefined || price < prev) stats!.accounts.set(k, price);
    });
  }

  // ---------------------------------------------------------------------------
  // Durability
  // ---------------------------------------------------------------------------

  private housekeeping(): void {
    if (this.closed) return;
    this.ledger.syncJournal();
    this.history.flush();
    if (
      this.sinceCheckpoint > 0 &&
      (Date.now() - this.lastCheckpoint >= this.checkpointMs || this.sinceCheckpoint >= CHECKPOINT_TXS)
    ) {
      this.checkpoint();
    }
    if (this.currentSlot !== this.clockWrittenSlot && !this.clockWriting) {
      // Off the event loop: a synchronous rename held it for ~50 µs to ms on a busy disk.
      const slot = this.currentSlot;
      this.clockWriting = true;
      this.ledger
        .writeJsonAsync("clock.json", { slot })
        .then(() => (this.clockWrittenSlot = Math.max(this.clockWrittenSlot, slot)))
        .catch((e) => this.closed || console.error(`localnet: could not write clock.json: ${(e as Error).message}`))
        .finally(() => (this.clockWriting = false));
    }
  }

  private writeClock(): void {
    this.ledger.writeJson("clock.json", { slot: this.currentSlot }, { durable: false });
    this.clockWrittenSlot = this.currentSlot;
  }

  /**
   * Folds the journal into a fresh snapshot. Only litesvm's `toBytes` runs on
   * the event loop; the disk work (fsyncs, the snapshot file) runs on libuv's
   * threads, and new transactions go to a new journal file meanwhile.
   */
  checkpoint(): void {
    if (this.checkpointing || this.closed) return;
    this.history.flush();
    const meta = { seq: this.lastSeq, slot: this.currentSlot };
    const state = this.vm.toBytes();
    this.checkpointing = true;
    this.sinceCheckpoint = 0;
    this.lastCheckpoint = Date.now();
    this.ledger
      .checkpoint(meta, state, this.history.syncAsync())
      .catch((e) =>
        console.error(
          `localnet: checkpoint at ${meta.seq} failed (the journal keeps everything): ${(e as Error).message}`,
        ),
      )
      .finally(() => {
        this.checkpointing = false;
      });
  }

  /** A checkpoint that finishes before returning (start-up, shutdown). */
  private checkpointSync(): void {
    this.history.flush();
    this.history.sync();
    this.ledger.checkpointSync({ seq: this.lastSeq, slot: this.currentSlot }, this.vm.toBytes());
    this.sinceCheckpoint = 0;
    this.lastCheckpoint = Date.now();
  }

  /** Stops the clock and saves everything. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.slotTimer) clearInterval(this.slotTimer);
    if (this.houseTimer) clearInterval(this.houseTimer);
    this.slotTimer = this.houseTimer = null;
    this.checkpointSync();
    this.writeClock();
    this.history.close();
    this.ledger.close();
    this.removeAllListeners();
  }
}

interface ResolvedKeys {
  keys: string[];
  writable: boolean[];
  /** `keys` as bytes. */
  bytes: Uint8Array[];
  loaded: { writable: string[]; readonly: string[] };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function emptySimulation(err: TransactionErrorJson): Simulation {
  return {
    err,
    logs: [],
    unitsConsumed: 0n,
    returnData: null,
    innerInstructions: [],
    postAccounts: new Map(),
    accountKeys: [],
  };
}

function returnDataOf(meta: TransactionMetadata): ReturnDataJson | null {
  const ret = meta.returnData();
  const data = ret.data();
  // The runtime reports return data only when a program set some.
  if (data.length === 0) return null;
  return { programId: b58encode(ret.programId()), data: [b64encode(data), "base64"] };
}

function innerInstructionsOf(meta: TransactionMetadata): UiInnerInstructions[] {
  const out: UiInnerInstructions[] = [];
  meta.innerInstructions().forEach((list, index) => {
    if (list.length === 0) return;
    out.push({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: Array.from(ix.accounts()),
          data: b58encode(ix.data()),
          stackHeight: inner.stackHeight(),
        };
      }),
    });
  });
  return out;
}

/** A record as the history stores it; `stored` when its stored form exists already. */
function historyEntry(record: TxRecord, stored?: StoredRecord, keyBytes?: Uint8Array[]): HistoryEntry<TxRecord> {
  const seen = new Set<string>();
  const addresses: Uint8Array[] = [];
  record.accountKeys.forEach((key, i) => {
    if (seen.has(key)) return;
    seen.add(key);
    addresses.push(keyBytes?.[i] ?? b58decode(key));
  });
  return {
    seq: record.seq,
    slot: record.slot,
    blockTime: record.blockTime,
    // The transaction starts with the signature count (compact-u16), then the first signature.
    signature: record.raw.subarray(record.raw[0] < 0x80 ? 1 : 2, (record.raw[0] < 0x80 ? 1 : 2) + 64),
    addresses,
    json: JSON.stringify(stored ?? toStored(record)),
    record,
  };
}

/** A record's JSON line in the history files (tests write synthetic ledgers with it). */
export function storedRecordJson(r: TxRecord): string {
  return JSON.stringify(toStored(r));
}

function toStored(r: TxRecord): StoredRecord {
  return {
    ...r,
    raw: b64encode(r.raw),
    fee: r.fee.toString(),
    preBalances: r.preBalances.map(String),
    postBalances: r.postBalances.map(String),
    computeUnitsConsumed: r.computeUnitsConsumed.toString(),
  };
}

function fromStored(s: StoredRecord): TxRecord {
  return {
    ...s,
    raw: b64decode(s.raw),
    fee: BigInt(s.fee),
    preBalances: s.preBalances.map(BigInt),
    postBalances: s.postBalances.map(BigInt),
    computeUnitsConsumed: BigInt(s.computeUnitsConsumed),
  };
}
