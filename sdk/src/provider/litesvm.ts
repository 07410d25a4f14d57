/**
 * An anchor `Provider` backed by an in-process LiteSVM instance.
 *
 * Tests and benchmarks use `@coral-xyz/anchor` exactly as they would against a
 * cluster (`program.methods.x(...).accounts({...}).signers([...]).rpc()`,
 * `.simulate()`, `program.account.x.fetch(...)`), but every transaction runs
 * synchronously inside litesvm: no validator, no confirmation polling.
 *
 * Differences from a real cluster worth knowing:
 *  - Sending executes and "confirms" in one step; failures always throw,
 *    whatever `skipPreflight` says.
 *  - litesvm accepts only its latest blockhash. The provider stamps legacy
 *    transactions with it and re-stamps a stale `VersionedTransaction` when it
 *    holds every required signer. After each executed transaction the
 *    blockhash is expired, so sending the same instructions twice produces two
 *    distinct transactions instead of an `AlreadyProcessed` duplicate.
 *  - The clock only moves when told to (`warpSeconds`, `setUnixTimestamp`,
 *    `warpSlots`).
 */
import * as anchor from "@coral-xyz/anchor";
import {
  AccountInfo,
  Commitment,
  ConfirmOptions,
  Connection,
  Keypair,
  PublicKey,
  SendOptions,
  Signer,
  SimulatedTransactionResponse,
  SystemProgram,
  Transaction,
  TransactionSignature,
  VersionedTransaction,
} from "@solana/web3.js";
import { Address, getBase58Decoder, getTransactionDecoder, lamports as toLamports } from "@solana/kit";
import { FailedTransactionMetadata, LiteSVM, SimulatedTransactionInfo, TransactionMetadata } from "litesvm";
import BN from "bn.js";
import * as fs from "fs";
import { BPF_LOADER_UPGRADEABLE, upgradeableProgramAccounts } from "../loader";
import { LiteSvmConnection } from "./connection";
import {
  LiteSvmSendTransactionError,
  SimulateError,
  TransactionErrorJson,
  TxResult,
  describeTransactionError,
  instructionFailure,
  transactionErrorToJson,
} from "./errors";

/** anchor's `SuccessfulTxSimulationResponse` (not exported from the package root). */
export type SuccessfulTxSimulationResponse = Omit<SimulatedTransactionResponse, "err">;

/** Amounts of lamports accepted by the helpers. */
export type LamportsLike = number | bigint | BN;

/** Solana's target slot duration; used to advance the slot with the clock. */
export const SLOT_DURATION_MS = 400n;

const LAMPORTS_PER_SOL = 1_000_000_000n;

export interface LiteSvmProviderOptions {
  /**
   * Lamports airdropped to the wallet when its balance is zero.
   * Default: 1_000 SOL.
   */
  walletLamports?: LamportsLike;
  /**
   * Clock `unix_timestamp` to start from when the provider creates the LiteSVM
   * itself (litesvm starts at 0, which no real cluster shows). Default: the
   * current wall-clock time, in seconds. Ignored when an `svm` is passed in.
   */
  unixTimestamp?: number | bigint;
  /**
   * How many per-signature results `getTxResult` keeps (oldest evicted first),
   * so long benchmarks do not grow without bound. Default: 10_000.
   */
  resultHistory?: number;
}

/** Fields accepted by `setAccount`. */
export interface RawAccount {
  lamports: LamportsLike;
  data?: Uint8Array;
  /** Default: the system program. */
  owner?: PublicKey;
  /** Default: false. */
  executable?: boolean;
}

export class LiteSvmProvider implements anchor.Provider {
  /** The underlying VM; use it directly for anything not wrapped here. */
  readonly svm: LiteSVM;
  /** Pays for and signs every transaction sent through the provider. */
  readonly wallet: anchor.Wallet;
  readonly publicKey: PublicKey;
  /** `web3.Connection` look-alike, typed as such for anchor's benefit. */
  readonly connection: Connection;
  /** The same object as `connection`, with its real type (extra helpers). */
  readonly liteConnection: LiteSvmConnection;
  /** Result of the most recent transaction (sent or simulated). */
  lastResult: TxResult | undefined;

  private readonly results = new Map<string, TxResult>();
  private readonly resultHistory: number;

  constructor(svm?: LiteSVM, wallet?: anchor.Wallet, options: LiteSvmProviderOptions = {}) {
    if (svm === undefined) {
      // `new LiteSVM()` already bundles builtins, sysvars, precompiles, the SPL
      // programs (Token, Token-2022, ATA, memo) and a transaction history
      // (needed for duplicate detection). The wrapped-SOL mint is extra.
      svm = new LiteSVM().withNativeMints();
      const ts = options.unixTimestamp ?? Math.floor(Date.now() / 1000);
      const clock = svm.getClock();
      clock.unixTimestamp = BigInt(ts);
      clock.epochStartTimestamp = BigInt(ts);
      svm.setClock(clock);
    }
    this.svm = svm;
    this.wallet = wallet ?? new anchor.Wallet(Keypair.generate());
    this.publicKey = this.wallet.publicKey;
    this.resultHistory = options.resultHistory ?? 10_000;
    this.liteConnection = new LiteSvmConnection(this);
    this.connection = this.liteConnection as unknown as Connection;

    if (this.balance(this.publicKey) === 0n) {
      this.airdrop(this.publicKey, options.walletLamports ?? 1_000n * LAMPORTS_PER_SOL);
    }
  }

  // ---------------------------------------------------------------------------
  // anchor.Provider
  // ---------------------------------------------------------------------------

  /**
   * Signs (wallet + `signers`), executes, and returns the base58 signature.
   * Throws `LiteSvmSendTransactionError` (a `web3.SendTransactionError`) when
   * the transaction fails.
   */
  async sendAndConfirm(
    tx: Transaction | VersionedTransaction,
    signers?: Signer[],
    _opts?: ConfirmOptions,
  ): Promise<TransactionSignature> {
    const result = this.execute(await this.prepare(tx, signers ?? []));
    if (result.err !== null) throw new LiteSvmSendTransactionError(result);
    return result.signature;
  }

  /** Same as `sendAndConfirm`: execution is synchronous, there is nothing to wait for. */
  async send(
    tx: Transaction | VersionedTransaction,
    signers?: Signer[],
    opts?: SendOptions,
  ): Promise<TransactionSignature> {
    return this.sendAndConfirm(tx, signers, opts);
  }

  /** Sends the transactions one by one; stops at (and throws for) the first failure. */
  async sendAll<T extends Transaction | VersionedTransaction>(
    txWithSigners: { tx: T; signers?: Signer[] }[],
    opts?: ConfirmOptions,
  ): Promise<TransactionSignature[]> {
    const signatures: TransactionSignature[] = [];
    for (const { tx, signers } of txWithSigners) {
      signatures.push(await this.sendAndConfirm(tx, signers, opts));
    }
    return signatures;
  }

  /**
   * Simulates without changing state. Mirrors `AnchorProvider.simulate`:
   * returns `{ logs, unitsConsumed, returnData, err: null, accounts? }` or
   * throws `SimulateError` (with `.logs`) when the transaction fails.
   * Signatures missing after signing with the wallet and `signers` are not
   * required (the RPC's `sigVerify: false`).
   */
  async simulate(
    tx: Transaction | VersionedTransaction,
    signers?: Signer[],
    _commitment?: Commitment,
    includeAccounts?: boolean | PublicKey[],
  ): Promise<SuccessfulTxSimulationResponse> {
    const prepared = await this.prepare(tx, signers ?? [], { allowMissingSignatures: true });
    const { result, response } = this.simulateSerialized(prepared, includeAccounts);
    if (result.err !== null) throw new SimulateError(result, response);
    return response;
  }

  // ---------------------------------------------------------------------------
  // Results
  // ---------------------------------------------------------------------------

  /** Logs, compute units, error and return data of an executed transaction. */
  getTxResult(signature: TransactionSignature): TxResult | undefined {
    return this.results.get(signature);
  }

  /**
   * Executes an already signed, serialized transaction and records its result.
   * Never throws for a failing transaction: inspect `result.err`. This is the
   * primitive behind every send path (including `connection.sendRawTransaction`).
   */
  execute(serialized: Uint8Array): TxResult {
    const kitTx = getTransactionDecoder().decode(serialized);
    const outcome = this.svm.sendTransaction(kitTx);
    // A new blockhash for the next transaction, so identical instructions sent
    // again do not collide with this one as a duplicate.
    this.svm.expireBlockhash();
    const result = toTxResult(firstSignature(kitTx.signatures), outcome);
    this.record(result);
    return result;
  }

  /**
   * Simulates a serialized transaction; returns the recorded result plus the
   * RPC-shaped simulation response. Unsigned transactions are accepted.
   */
  simulateSerialized(
    serialized: Uint8Array,
    includeAccounts?: boolean | PublicKey[],
  ): { result: TxResult; response: SimulatedTransactionResponse } {
    const kitTx = getTransactionDecoder().decode(serialized);
    const unsigned = Object.values(kitTx.signatures).some((s) => s === null);
    // The RPC's `sigVerify: false`: switch verification off for this call only.
    const relaxSigverify = unsigned && this.sigverifyEnabled();
    if (relaxSigverify) this.svm.withSigverify(false);
    let outcome: FailedTransactionMetadata | SimulatedTransactionInfo;
    try {
      outcome = this.svm.simulateTransaction(kitTx);
    } finally {
      if (relaxSigverify) this.svm.withSigverify(true);
    }
    const signature = firstSignature(kitTx.signatures);
    const success = outcome instanceof FailedTransactionMetadata ? null : outcome;
    const result = toTxResult(signature, success ? success.meta() : (outcome as FailedTransactionMetadata));
    this.lastResult = result;

    const response: SimulatedTransactionResponse = {
      err: result.err,
      logs: result.logs,
      unitsConsumed: result.computeUnits,
      returnData: result.returnData && {
        programId: result.returnData.programId.toBase58(),
        data: [result.returnData.data.toString("base64"), "base64"],
      },
    };
    if (includeAccounts && success) {
      const post = success.postAccounts();
      const wanted = Array.isArray(includeAccounts)
        ? includeAccounts.map((k) => k.toBase58())
        : post.map((a) => a.address as string);
      response.accounts = wanted.map((key) => {
        const acc = post.find((a) => a.address === key);
        return acc
          ? {
              executable: acc.executable,
              owner: acc.programAddress,
              lamports: Number(acc.lamports),
              data: [Buffer.from(acc.data as Uint8Array).toString("base64"), "base64"],
            }
          : null;
      });
    }
    return { result, response };
  }

  // ---------------------------------------------------------------------------
  // Clock
  // ---------------------------------------------------------------------------

  /** The Clock sysvar, as programs see it. */
  getClock(): { slot: bigint; epoch: bigint; unixTimestamp: bigint } {
    const c = this.svm.getClock();
    return { slot: c.slot, epoch: c.epoch, unixTimestamp: c.unixTimestamp };
  }

  /** Moves `unix_timestamp` forward by `seconds`, and the slot by as many 400 ms slots. */
  warpSeconds(seconds: number | bigint): void {
    this.setUnixTimestamp(this.svm.getClock().unixTimestamp + BigInt(seconds));
  }

  /**
   * Sets `unix_timestamp`. Moving forward also advances the slot by the
   * equivalent number of 400 ms slots; moving backward leaves the slot alone
   * (slots never go back).
   */
  setUnixTimestamp(unixTimestamp: number | bigint): void {
    const clock = this.svm.getClock();
    const target = BigInt(unixTimestamp);
    const elapsed = target - clock.unixTimestamp;
    if (elapsed > 0n) clock.slot += (elapsed * 1000n) / SLOT_DURATION_MS;
    clock.unixTimestamp = target;
    this.svm.setClock(clock);
  }

  /** Moves the slot forward by `slots`; `unix_timestamp` is left unchanged. */
  warpSlots(slots: number | bigint): void {
    this.svm.warpToSlot(this.svm.getClock().slot + BigInt(slots));
  }

  // ---------------------------------------------------------------------------
  // Accounts and programs
  // ---------------------------------------------------------------------------

  /** Creates or overwrites an account, bypassing the runtime. */
  setAccount(pubkey: PublicKey, account: RawAccount): void {
    this.svm.setAccount({
      address: toAddress(pubkey),
      lamports: toLamports(toBigInt(account.lamports)),
      data: account.data ?? new Uint8Array(0),
      programAddress: toAddress(account.owner ?? SystemProgram.programId),
      executable: account.executable ?? false,
      space: BigInt(account.data?.length ?? 0),
    });
  }

  /** The account in web3's `AccountInfo` shape, or null (also for 0 lamports, as the RPC does). */
  getAccount(pubkey: PublicKey): AccountInfo<Buffer> | null {
    const acc = this.svm.getAccount(toAddress(pubkey));
    if (!acc.exists || acc.lamports === 0n) return null;
    return {
      executable: acc.executable,
      owner: new PublicKey(acc.programAddress),
      lamports: Number(acc.lamports),
      data: Buffer.from(acc.data.buffer, acc.data.byteOffset, acc.data.byteLength),
      rentEpoch: 0,
    };
  }

  /** Just the data of an account, or null when it does not exist. */
  getAccountRaw(pubkey: PublicKey): Buffer | null {
    return this.getAccount(pubkey)?.data ?? null;
  }

  /** Lamport balance (0 for a missing account). */
  balance(pubkey: PublicKey): bigint {
    return this.svm.getBalance(toAddress(pubkey)) ?? 0n;
  }

  /** Credits `lamports` to `pubkey` from litesvm's faucet; returns the signature. */
  airdrop(pubkey: PublicKey, lamports: LamportsLike): TransactionSignature {
    const outcome = this.svm.airdrop(toAddress(pubkey), toLamports(toBigInt(lamports)));
    // Two airdrops of the same amount to the same key would otherwise be
    // rejected as a duplicate transaction.
    this.svm.expireBlockhash();
    if (outcome === null) throw new Error(`airdrop to ${pubkey.toBase58()} failed`);
    if (outcome instanceof FailedTransactionMetadata) {
      const err = transactionErrorToJson(outcome.err());
      throw new Error(`airdrop to ${pubkey.toBase58()} failed: ${describeTransactionError(err)}`);
    }
    return getBase58Decoder().decode(outcome.signature());
  }

  /**
   * Deploys an SBF program from a `.so` path or its bytes. litesvm deploys it
   * through BPF Loader Upgradeable with no upgrade authority (immutable).
   */
  addProgram(programId: PublicKey, program: string | Uint8Array): void {
    if (typeof program === "string") this.svm.addProgramFromFile(toAddress(programId), program);
    else this.svm.addProgram(toAddress(programId), program);
  }

  /**
   * Deploys an SBF program as BPF Loader Upgradeable does, with
   * `upgradeAuthority` recorded in its ProgramData account (null: immutable):
   * the program account names the ProgramData account, which holds the
   * authority in its 45-byte header, followed by the ELF.
   */
  addUpgradeableProgram(programId: PublicKey, program: string | Uint8Array, upgradeAuthority: PublicKey | null): void {
    const accounts = upgradeableProgramAccounts(
      programId,
      typeof program === "string" ? fs.readFileSync(program) : program,
      upgradeAuthority,
      this.getClock().slot,
    );
    // ProgramData first: the program account is loaded from it when it is set.
    for (const a of [accounts.programData, accounts.program]) {
      this.svm.setAccount({
        address: toAddress(a.address),
        lamports: toLamports(this.svm.minimumBalanceForRentExemption(BigInt(a.data.length))),
        data: a.data,
        programAddress: toAddress(BPF_LOADER_UPGRADEABLE),
        executable: a.executable,
        space: BigInt(a.data.length),
      });
    }
  }

  /**
   * Deploys the local price publisher (programs/pyth-publisher, built to
   * `target/deploy/pyth_publisher.so`) at the Pyth receiver's address: tests
   * then publish real, fully verified `PriceUpdateV2` accounts.
   */
  addPricePublisher(program: string | Uint8Array): void {
    this.addProgram(PYTH_RECEIVER, program);
  }

  // ---------------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------------

  /**
   * Fills fee payer and blockhash, signs with `signers` and (when it is a
   * required signer) the wallet, and serializes.
   */
  private async prepare(
    tx: Transaction | VersionedTransaction,
    signers: Signer[],
    { allowMissingSignatures = false } = {},
  ): Promise<Uint8Array> {
    const blockhash = this.svm.latestBlockhash();
    if (tx instanceof VersionedTransaction) {
      const message = tx.message;
      const required = message.staticAccountKeys.slice(0, message.header.numRequiredSignatures);
      if (message.recentBlockhash !== blockhash) {
        // litesvm only accepts its latest blockhash. Re-stamping invalidates
        // existing signatures, so do it only if we can sign for every key.
        const available = [this.publicKey, ...signers.map((s) => s.publicKey)];
        if (required.every((k) => available.some((a) => a.equals(k)))) {
          message.recentBlockhash = blockhash;
          tx.signatures = tx.signatures.map(() => new Uint8Array(64));
        }
      }
      if (signers.length > 0) tx.sign(signers);
      if (required.some((k) => k.equals(this.publicKey))) await this.wallet.signTransaction(tx);
      return tx.serialize();
    }

    tx.feePayer = tx.feePayer ?? this.publicKey;
    tx.recentBlockhash = blockhash;
    if (signers.length > 0) tx.partialSign(...signers);
    const message = tx.compileMessage();
    const required = message.accountKeys.slice(0, message.header.numRequiredSignatures);
    if (required.some((k) => k.equals(this.publicKey))) await this.wallet.signTransaction(tx);
    return tx.serialize({ requireAllSignatures: !allowMissingSignatures, verifySignatures: false });
  }

  private record(result: TxResult): void {
    this.lastResult = result;
    this.results.set(result.signature, result);
    if (this.results.size > this.resultHistory) {
      const oldest = this.results.keys().next().value;
      if (oldest !== undefined) this.results.delete(oldest);
    }
  }

  /** Whether litesvm verifies signatures (not exposed by the public wrapper). */
  private sigverifyEnabled(): boolean {
    const inner = (this.svm as unknown as { inner?: { getSigverify?: () => boolean } }).inner;
    return typeof inner?.getSigverify === "function" ? inner.getSigverify() : true;
  }
}

// -----------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------

const PYTH_RECEIVER = new PublicKey("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
/** web3 `PublicKey` → kit `Address` (both are base58; no validation needed). */
export function toAddress(pubkey: PublicKey): Address {
  return pubkey.toBase58() as Address;
}

function toBigInt(value: LamportsLike): bigint {
  return typeof value === "bigint" ? value : BigInt(value.toString());
}

/** The transaction id: the first signature, in base58 (all ones when unsigned). */
function firstSignature(signatures: Readonly<Record<string, Uint8Array | null>>): string {
  const first = Object.values(signatures)[0];
  return getBase58Decoder().decode(first ?? new Uint8Array(64));
}

/** Flattens litesvm's native result objects into a plain `TxResult`. */
function toTxResult(signature: string, outcome: TransactionMetadata | FailedTransactionMetadata): TxResult {
  const failed = outcome instanceof FailedTransactionMetadata;
  const meta = failed ? outcome.meta() : outcome;
  const err: TransactionErrorJson | null = failed ? transactionErrorToJson(outcome.err()) : null;
  const ret = meta.returnData();
  const retData = ret.data();
  return {
    signature,
    logs: meta.logs(),
    computeUnits: Number(meta.computeUnitsConsumed()),
    err,
    errorMessage: err === null ? null : describeTransactionError(err),
    ...instructionFailure(err),
    returnData: retData.length > 0 ? { programId: new PublicKey(ret.programId()), data: Buffer.from(retData) } : null,
  };
}
