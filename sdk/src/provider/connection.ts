/**
 * A `web3.Connection` look-alike over LiteSVM.
 *
 * Only what anchor 0.32 and our tests call is implemented; anchor reaches the
 * connection for:
 *  - `program.account.x.fetch/fetchNullable` → `getAccountInfoAndContext`
 *  - `fetchMultiple` → `getMultipleAccountsInfoAndContext`
 *  - `all()` → `getProgramAccounts` with `memcmp`/`dataSize` filters
 *  - `createInstruction` → `getMinimumBalanceForRentExemption`
 *  - the accounts resolver / `Program.fetchIdl` → `getAccountInfo`
 * and reads `connection.commitment`. Subscriptions (`onLogs`,
 * `onAccountChange`) are not supported.
 *
 * Every method is async like its web3 counterpart, although litesvm answers
 * synchronously. Commitment arguments are accepted and ignored: there is only
 * one, always final, state.
 */
import {
  AccountInfo,
  BlockhashWithExpiryBlockHeight,
  Commitment,
  Context,
  GetProgramAccountsFilter,
  PublicKey,
  RpcResponseAndContext,
  SendOptions,
  SignatureResult,
  SignatureStatus,
  Signer,
  SimulatedTransactionResponse,
  TokenAmount,
  Transaction,
  TransactionSignature,
  VersionedTransaction,
} from "@solana/web3.js";
import { Address, getBase58Encoder } from "@solana/kit";
import type { LiteSvmProvider } from "./litesvm";
import { LiteSvmSendTransactionError, TransactionErrorJson } from "./errors";
import { decodeMint, decodeTokenAccount, TOKEN_PROGRAM_ID } from "./token";

/** Blocks a blockhash stays valid for on a real cluster; used for `lastValidBlockHeight`. */
const BLOCKHASH_VALIDITY = 150;

/** The subset of web3's `GetProgramAccountsConfig` that is honoured. */
export interface ProgramAccountsConfig {
  commitment?: Commitment;
  filters?: GetProgramAccountsFilter[];
  dataSlice?: { offset: number; length: number };
  withContext?: boolean;
}

/** One entry of a `getProgramAccounts` answer. */
export interface ProgramAccount {
  pubkey: PublicKey;
  account: AccountInfo<Buffer>;
}

type CommitmentOrConfig = Commitment | { commitment?: Commitment } | undefined;

/** Minimal `getTransaction` answer: what anchor and `SendTransactionError.getLogs` read. */
export interface LiteSvmTransactionResponse {
  slot: number;
  blockTime: number | null;
  meta: {
    err: TransactionErrorJson | null;
    logMessages: string[];
    computeUnitsConsumed: number;
    returnData: { programId: string; data: [string, "base64"] } | null;
  };
}

export class LiteSvmConnection {
  /** Read by anchor as the default commitment. */
  readonly commitment: Commitment = "confirmed";
  readonly rpcEndpoint = "litesvm://in-process";

  constructor(private readonly provider: LiteSvmProvider) {}

  // --- accounts -------------------------------------------------------------

  async getAccountInfo(pubkey: PublicKey, _c?: CommitmentOrConfig): Promise<AccountInfo<Buffer> | null> {
    return this.provider.getAccount(pubkey);
  }

  async getAccountInfoAndContext(
    pubkey: PublicKey,
    _c?: CommitmentOrConfig,
  ): Promise<RpcResponseAndContext<AccountInfo<Buffer> | null>> {
    return { context: this.context(), value: this.provider.getAccount(pubkey) };
  }

  async getMultipleAccountsInfo(
    pubkeys: PublicKey[],
    _c?: CommitmentOrConfig,
  ): Promise<(AccountInfo<Buffer> | null)[]> {
    return pubkeys.map((k) => this.provider.getAccount(k));
  }

  async getMultipleAccountsInfoAndContext(
    pubkeys: PublicKey[],
    _c?: CommitmentOrConfig,
  ): Promise<RpcResponseAndContext<(AccountInfo<Buffer> | null)[]>> {
    return { context: this.context(), value: pubkeys.map((k) => this.provider.getAccount(k)) };
  }

  async getBalance(pubkey: PublicKey, _c?: CommitmentOrConfig): Promise<number> {
    return Number(this.provider.balance(pubkey));
  }

  async getBalanceAndContext(pubkey: PublicKey, _c?: CommitmentOrConfig): Promise<RpcResponseAndContext<number>> {
    return { context: this.context(), value: Number(this.provider.balance(pubkey)) };
  }

  /**
   * Accounts owned by `programId`, filtered like the RPC does: `dataSize`
   * compares the length, `memcmp` compares bytes (base58 unless
   * `encoding: "base64"`) at an offset. `dataSlice` trims the returned data.
   */
  async getProgramAccounts(
    programId: PublicKey,
    config: ProgramAccountsConfig & { withContext: true },
  ): Promise<RpcResponseAndContext<ProgramAccount[]>>;
  async getProgramAccounts(
    programId: PublicKey,
    configOrCommitment?: ProgramAccountsConfig | Commitment,
  ): Promise<ProgramAccount[]>;
  async getProgramAccounts(
    programId: PublicKey,
    configOrCommitment?: ProgramAccountsConfig | Commitment,
  ): Promise<ProgramAccount[] | RpcResponseAndContext<ProgramAccount[]>> {
    const config: ProgramAccountsConfig = typeof configOrCommitment === "object" ? configOrCommitment : {};
    const matchers = (config.filters ?? []).map(compileFilter);
    const accounts = this.provider.svm
      .getProgramAccounts(programId.toBase58() as Address)
      .filter((acc) => acc.lamports > 0n)
      .map((acc) => ({ acc, data: Buffer.from(acc.data.buffer, acc.data.byteOffset, acc.data.byteLength) }))
      .filter(({ data }) => matchers.every((m) => m(data)))
      .map(({ acc, data }): ProgramAccount => {
        if (config.dataSlice) {
          data = data.subarray(config.dataSlice.offset, config.dataSlice.offset + config.dataSlice.length);
        }
        const account: AccountInfo<Buffer> = {
          executable: acc.executable,
          owner: programId,
          lamports: Number(acc.lamports),
          data,
          rentEpoch: 0,
        };
        return { pubkey: new PublicKey(acc.address), account };
      });
    return config.withContext ? { context: this.context(), value: accounts } : accounts;
  }

  /** Balance of an SPL Token account (its mint supplies the decimals). */
  async getTokenAccountBalance(tokenAccount: PublicKey, _c?: Commitment): Promise<RpcResponseAndContext<TokenAmount>> {
    const info = this.provider.getAccount(tokenAccount);
    if (info === null) throw new Error(`could not find account ${tokenAccount.toBase58()}`);
    if (!info.owner.equals(TOKEN_PROGRAM_ID)) {
      throw new Error(`Invalid param: not a Token account ${tokenAccount.toBase58()}`);
    }
    const { mint, amount } = decodeTokenAccount(info.data);
    const mintData = this.provider.getAccountRaw(mint);
    if (mintData === null) throw new Error(`could not find mint ${mint.toBase58()}`);
    const { decimals } = decodeMint(mintData);
    const raw = amount.toString();
    const uiAmountString = formatUnits(raw, decimals);
    return {
      context: this.context(),
      value: { amount: raw, decimals, uiAmount: Number(uiAmountString), uiAmountString },
    };
  }

  async getMinimumBalanceForRentExemption(dataLength: number, _c?: Commitment): Promise<number> {
    return Number(this.provider.svm.minimumBalanceForRentExemption(BigInt(dataLength)));
  }

  // --- chain state ------------------------------------------------------------

  async getLatestBlockhash(_c?: CommitmentOrConfig): Promise<BlockhashWithExpiryBlockHeight> {
    return this.latestBlockhash();
  }

  async getLatestBlockhashAndContext(
    _c?: CommitmentOrConfig,
  ): Promise<RpcResponseAndContext<BlockhashWithExpiryBlockHeight>> {
    return { context: this.context(), value: this.latestBlockhash() };
  }

  async getSlot(_c?: CommitmentOrConfig): Promise<number> {
    return this.slot();
  }

  async getBlockHeight(_c?: CommitmentOrConfig): Promise<number> {
    return this.slot();
  }

  /** The clock's `unix_timestamp` (litesvm has no per-slot history). */
  async getBlockTime(_slot: number): Promise<number | null> {
    return Number(this.provider.svm.getClock().unixTimestamp);
  }

  // --- transactions -----------------------------------------------------------

  /**
   * Executes a signed, serialized transaction. A failing transaction throws
   * (as a preflight failure would) unless `skipPreflight` is set, in which
   * case its signature is returned and `confirmTransaction` reports the error.
   */
  async sendRawTransaction(raw: Buffer | Uint8Array | number[], opts?: SendOptions): Promise<TransactionSignature> {
    const result = this.provider.execute(Uint8Array.from(raw));
    if (result.err !== null && !opts?.skipPreflight) throw new LiteSvmSendTransactionError(result);
    return result.signature;
  }

  /**
   * web3's `sendTransaction`: a legacy transaction gets the latest blockhash
   * and is signed by `signers` (which must include the fee payer; the
   * provider's wallet is not used here); a versioned one is sent as is.
   */
  async sendTransaction(
    tx: Transaction | VersionedTransaction,
    signersOrOptions?: Signer[] | SendOptions,
    options?: SendOptions,
  ): Promise<TransactionSignature> {
    if (tx instanceof VersionedTransaction) {
      return this.sendRawTransaction(tx.serialize(), signersOrOptions as SendOptions | undefined);
    }
    const signers = Array.isArray(signersOrOptions) ? signersOrOptions : [];
    tx.recentBlockhash = this.provider.svm.latestBlockhash();
    if (signers.length > 0) tx.sign(...signers);
    return this.sendRawTransaction(tx.serialize(), options);
  }

  /** Execution is synchronous, so this only reports the recorded outcome. */
  async confirmTransaction(
    strategy: TransactionSignature | { signature: TransactionSignature },
    _c?: Commitment,
  ): Promise<RpcResponseAndContext<SignatureResult>> {
    const signature = typeof strategy === "string" ? strategy : strategy.signature;
    const result = this.provider.getTxResult(signature);
    if (result === undefined) throw new Error(`unknown transaction signature ${signature}`);
    return { context: this.context(), value: { err: result.err } };
  }

  async getSignatureStatus(
    signature: TransactionSignature,
    _config?: unknown,
  ): Promise<RpcResponseAndContext<SignatureStatus | null>> {
    return { context: this.context(), value: this.signatureStatus(signature) };
  }

  async getSignatureStatuses(
    signatures: TransactionSignature[],
    _config?: unknown,
  ): Promise<RpcResponseAndContext<(SignatureStatus | null)[]>> {
    return { context: this.context(), value: signatures.map((s) => this.signatureStatus(s)) };
  }

  /** Logs and outcome of a transaction sent through this provider, or null. */
  async getTransaction(signature: TransactionSignature, _opts?: unknown): Promise<LiteSvmTransactionResponse | null> {
    const result = this.provider.getTxResult(signature);
    if (result === undefined) return null;
    return {
      slot: this.slot(),
      blockTime: Number(this.provider.svm.getClock().unixTimestamp),
      meta: {
        err: result.err,
        logMessages: result.logs,
        computeUnitsConsumed: result.computeUnits,
        returnData: result.returnData && {
          programId: result.returnData.programId.toBase58(),
          data: [result.returnData.data.toString("base64"), "base64"],
        },
      },
    };
  }

  /** Simulates without throwing (web3 semantics); the error is in `value.err`. */
  async simulateTransaction(
    tx: Transaction | VersionedTransaction,
    signersOrConfig?: Signer[] | object,
    _includeAccounts?: unknown,
  ): Promise<RpcResponseAndContext<SimulatedTransactionResponse>> {
    let serialized: Uint8Array;
    if (tx instanceof VersionedTransaction) {
      serialized = tx.serialize();
    } else {
      tx.feePayer = tx.feePayer ?? this.provider.publicKey;
      tx.recentBlockhash = tx.recentBlockhash ?? this.provider.svm.latestBlockhash();
      if (Array.isArray(signersOrConfig) && signersOrConfig.length > 0) tx.sign(...signersOrConfig);
      serialized = tx.serialize({ requireAllSignatures: false, verifySignatures: false });
    }
    return { context: this.context(), value: this.provider.simulateSerialized(serialized).response };
  }

  async requestAirdrop(to: PublicKey, lamports: number): Promise<TransactionSignature> {
    return this.provider.airdrop(to, lamports);
  }

  // --- helpers -----------------------------------------------------------------

  private slot(): number {
    return Number(this.provider.svm.getClock().slot);
  }

  private context(): Context {
    return { slot: this.slot() };
  }

  private latestBlockhash(): BlockhashWithExpiryBlockHeight {
    return {
      blockhash: this.provider.svm.latestBlockhash(),
      lastValidBlockHeight: this.slot() + BLOCKHASH_VALIDITY,
    };
  }

  private signatureStatus(signature: TransactionSignature): SignatureStatus | null {
    const result = this.provider.getTxResult(signature);
    if (result === undefined) return null;
    return { slot: this.slot(), confirmations: null, err: result.err, confirmationStatus: "finalized" };
  }
}

/** Turns an RPC account filter into a predicate over account data. */
function compileFilter(filter: GetProgramAccountsFilter): (data: Buffer) => boolean {
  if ("dataSize" in filter) return (data) => data.length === filter.dataSize;
  if ("memcmp" in filter) {
    const { offset, bytes } = filter.memcmp;
    const encoding = (filter.memcmp as { encoding?: string }).encoding ?? "base58";
    const needle = encoding === "base64" ? Buffer.from(bytes, "base64") : Buffer.from(getBase58Encoder().encode(bytes));
    return (data) =>
      data.length >= offset + needle.length && data.subarray(offset, offset + needle.length).equals(needle);
  }
  throw new Error(`unsupported getProgramAccounts filter ${JSON.stringify(filter)}`);
}

/** "1234567", 6 → "1.234567"; trailing zeros trimmed like the RPC's uiAmountString. */
function formatUnits(raw: string, decimals: number): string {
  if (decimals === 0) return raw;
  const padded = raw.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals);
  const frac = padded.slice(padded.length - decimals).replace(/0+$/, "");
  return frac.length > 0 ? `${whole}.${frac}` : whole;
}
