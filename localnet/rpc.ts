/**
 * Solana JSON-RPC methods over the chain, with the node's request and
 * response shapes (`{ context: { apiVersion, slot }, value }` where the node
 * wraps results, u64 fields as plain JSON numbers) and error codes.
 *
 * Each handler takes the positional `params` array and returns the `result`
 * or throws an `RpcError`. Commitment levels are accepted and coincide: the
 * single node's state is final as soon as a transaction is journaled.
 */
import {
  ACCOUNT_ENCODINGS,
  AccountEncoding,
  AccountState,
  DataSlice,
  TOKEN_PROGRAMS,
  b58decode,
  b58encode,
  b64decode,
  b64encode,
  checkPubkey,
  encodeAccount,
  readMint,
  readTokenAccount,
  uiTokenAmount,
} from "./encoding";
import { Chain, SLOTS_PER_EPOCH, Simulation, TxRecord, UiInnerInstructions } from "./chain";
import { transactionFee } from "./fees";
import { parseInstruction } from "./parse";
import { ErrorCode, RpcError, TransactionErrorJson, describeError, invalidParams } from "./errors";
import { PACKET_DATA_SIZE, WireError, isStaticWritable, parseMessage, parseTransaction } from "./wire";

/** The node version reported by `getVersion` and in every response context. */
export const SOLANA_VERSION = "2.3.0";
/** `getVersion`'s feature-set id (a hash of the active features on a real node). */
export const FEATURE_SET = 3_640_012_085;

const MAX_MULTIPLE_ACCOUNTS = 100;
const MAX_SIGNATURE_STATUSES = 256;
const MAX_GET_SIGNATURES_LIMIT = 1000;
/** Agave's `MAX_GET_CONFIRMED_BLOCKS_RANGE`: getBlocks' span and getBlocksWithLimit's limit. */
const MAX_BLOCKS_RANGE = 500_000;
const MAX_PRIORITIZATION_FEE_ACCOUNTS = 128;
const MAX_FILTERS = 4;
/** Longest base58 / base64 text of a transaction the node accepts. */
const MAX_BASE58_TX = 1683;
const MAX_BASE64_TX = 1644;
const COMMITMENTS = new Set(["processed", "confirmed", "finalized", "recent", "single", "singleGossip", "root", "max"]);

export interface ServerInfo {
  rpcPort: number;
  wsPort: number;
}

export type Config = Record<string, unknown>;

/** Positional parameters with the node's validation messages. */
class Params {
  constructor(private readonly list: unknown[]) {}

  static from(params: unknown): Params {
    if (params === undefined || params === null) return new Params([]);
    if (!Array.isArray(params))
      throw invalidParams(`Invalid params: invalid type: ${typeName(params)}, expected a sequence.`);
    return new Params(params);
  }

  get length(): number {
    return this.list.length;
  }

  raw(i: number): unknown {
    return this.list[i];
  }

  private need(i: number): unknown {
    if (this.list[i] === undefined) {
      throw invalidParams(
        `Invalid params: invalid length ${this.list.length}, expected at least ${i + 1} parameter(s).`,
      );
    }
    return this.list[i];
  }

  pubkey(i: number): string {
    const checked = checkPubkey(this.need(i));
    if (checked === "WrongSize" || checked === "Invalid") throw invalidParams(`Invalid param: ${checked}`);
    return checked;
  }

  signature(i: number): string {
    return checkSignature(this.need(i));
  }

  /** Every element, validated as an address. */
  allPubkeys(): string[] {
    return this.list.map((_, i) => this.pubkey(i));
  }

  string(i: number): string {
    const v = this.need(i);
    if (typeof v !== "string") throw invalidParams(`Invalid params: invalid type: ${typeName(v)}, expected a string.`);
    return v;
  }

  u64(i: number): bigint {
    return toU64(this.need(i));
  }

  array(i: number): unknown[] {
    const v = this.need(i);
    if (!Array.isArray(v)) throw invalidParams(`Invalid params: invalid type: ${typeName(v)}, expected a sequence.`);
    return v;
  }

  /** The optional config object at `i` ({} when absent). */
  config(i: number): Config {
    const v = this.list[i];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      throw invalidParams(`Invalid params: invalid type: ${typeName(v)}, expected a config object.`);
    }
    return v as Config;
  }
}

/** A JSON value as serde names it in "invalid type" messages. */
function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "sequence";
  if (typeof v === "object") return "map";
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v))) return `integer \`${String(v)}\``;
  if (typeof v === "number") return `floating point \`${String(v)}\``;
  return `${typeof v} \`${String(v)}\``;
}

export const U64_MAX = (1n << 64n) - 1n;

/**
 * A u64 parameter, exact: the body parser hands integers above 2^53 over as
 * bigints (see `parseJson`), so nothing is rounded on the way.
 */
function toU64(v: unknown): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "bigint" && v >= 0n && v <= U64_MAX) return v;
  if (typeof v === "bigint" || (typeof v === "number" && Number.isSafeInteger(v))) {
    throw invalidParams(`Invalid params: invalid value: integer \`${v}\`, expected u64 (0 to ${U64_MAX}).`);
  }
  throw invalidParams(`Invalid params: invalid type: ${typeName(v)}, expected u64.`);
}

export function checkSignature(v: unknown): string {
  if (typeof v !== "string" || v.length > 88) throw invalidParams("Invalid param: WrongSize");
  let bytes: Uint8Array;
  try {
    bytes = b58decode(v);
  } catch {
    throw invalidParams("Invalid param: Invalid");
  }
  if (bytes.length !== 64) throw invalidParams("Invalid param: WrongSize");
  return v;
}

function optionalNumber(cfg: Config, key: string): number | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw invalidParams(`Invalid params: invalid type: ${typeName(v)} for \`${key}\`, expected usize.`);
  }
  return v;
}

export function accountEncoding(cfg: Config): AccountEncoding | undefined {
  const e = cfg.encoding;
  if (e === undefined || e === null) return undefined;
  if (typeof e !== "string" || !ACCOUNT_ENCODINGS.includes(e)) {
    throw invalidParams(
      `Invalid params: unknown variant \`${String(e)}\`, expected one of \`binary\`, \`base58\`, \`base64\`, \`jsonParsed\`, \`base64+zstd\`.`,
    );
  }
  return e as AccountEncoding;
}

export function dataSlice(cfg: Config): DataSlice | undefined {
  const s = cfg.dataSlice as { offset?: unknown; length?: unknown } | undefined | null;
  if (s === undefined || s === null) return undefined;
  const offset = s.offset;
  const length = s.length;
  if (typeof offset !== "number" || typeof length !== "number" || offset < 0 || length < 0) {
    throw invalidParams("Invalid params: dataSlice needs non-negative `offset` and `length`.");
  }
  return { offset, length };
}

/** A program-accounts filter, compiled to a predicate over account data. */
export type Filter = (data: Uint8Array) => boolean;

export function compileFilters(raw: unknown): Filter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParams("Invalid params: filters must be an array.");
  if (raw.length > MAX_FILTERS) throw invalidParams(`Too many filters provided; max ${MAX_FILTERS}`);
  return raw.map((f): Filter => {
    if (f && typeof f === "object" && "dataSize" in f) {
      const size = (f as { dataSize: unknown }).dataSize;
      if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
        throw invalidParams("Invalid params: dataSize must be a non-negative integer.");
      }
      return (d) => d.length === size;
    }
    if (f && typeof f === "object" && "memcmp" in f) {
      const m = (f as { memcmp: { offset?: unknown; bytes?: unknown; encoding?: unknown } }).memcmp ?? {};
      if (typeof m.offset !== "number" || !Number.isInteger(m.offset) || m.offset < 0 || typeof m.bytes !== "string") {
        throw invalidParams("Invalid params: memcmp needs an `offset` and `bytes`.");
      }
      const encoding = m.encoding ?? "base58";
      let bytes: Uint8Array;
      try {
        if (encoding === "base58") {
          if (m.bytes.length > 175) throw new Error("base58 encoded data too large");
          bytes = b58decode(m.bytes);
        } else if (encoding === "base64") {
          if (m.bytes.length > 172) throw new Error("base64 encoded data too large");
          bytes = b64decode(m.bytes);
        } else {
          throw new Error(`unknown memcmp encoding ${String(encoding)}`);
        }
      } catch (e) {
        throw invalidParams(`Invalid param: ${(e as Error).message}`);
      }
      const offset = m.offset;
      return (d) => {
        if (offset + bytes.length > d.length) return false;
        for (let i = 0; i < bytes.length; i++) if (d[offset + i] !== bytes[i]) return false;
        return true;
      };
    }
    if (f && typeof f === "object" && "tokenAccountState" in f) {
      return (d) => d.length >= 165 && d[108] !== 0;
    }
    throw invalidParams("Invalid params: unknown filter (expected dataSize, memcmp or tokenAccountState).");
  });
}

/** Decodes a transaction sent as text; errors as the node words them. */
function decodeWireTransaction(data: string, encoding: unknown): Uint8Array {
  const enc = encoding ?? "base58";
  if (enc !== "base58" && enc !== "base64") {
    throw invalidParams(`unsupported encoding: ${String(enc)}. Supported encodings: base58, base64`);
  }
  const what = "solana_transaction::versioned::VersionedTransaction";
  const maxText = enc === "base58" ? MAX_BASE58_TX : MAX_BASE64_TX;
  if (data.length > maxText) {
    throw invalidParams(
      `${enc} encoded ${what} too large: ${data.length} bytes (max: encoded/raw ${maxText}/${PACKET_DATA_SIZE})`,
    );
  }
  let raw: Uint8Array;
  try {
    raw = enc === "base58" ? b58decode(data) : b64decode(data);
  } catch (e) {
    throw invalidParams(`invalid ${enc} encoding: ${(e as Error).message}`);
  }
  if (raw.length > PACKET_DATA_SIZE) {
    throw invalidParams(`decoded ${what} too large: ${raw.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`);
  }
  return raw;
}

function wireError(e: unknown): never {
  if (e instanceof WireError) {
    throw invalidParams(`failed to deserialize solana_transaction::versioned::VersionedTransaction: ${e.message}`);
  }
  throw e;
}

export class RpcMethods {
  private readonly handlers: Record<string, (p: Params) => unknown>;

  constructor(
    private readonly chain: Chain,
    private readonly info: ServerInfo,
  ) {
    const c = chain;
    this.handlers = {
      // --- cluster ---------------------------------------------------------------
      getHealth: () => "ok",
      getVersion: () => ({ "solana-core": SOLANA_VERSION, "feature-set": FEATURE_SET }),
      getGenesisHash: () => c.genesisHash,
      getIdentity: () => ({ identity: c.identity }),
      getSlot: () => c.slot,
      getBlockHeight: () => c.blockHeight,
      getSlotLeader: () => c.identity,
      getMaxRetransmitSlot: () => c.slot,
      getMaxShredInsertSlot: () => c.slot,
      getFirstAvailableBlock: () => 0,
      minimumLedgerSlot: () => 0,
      getTransactionCount: () => c.transactionCount,
      getHighestSnapshotSlot: () => {
        throw new RpcError(ErrorCode.NoSnapshot, "No snapshot");
      },
      getEpochInfo: () => ({
        absoluteSlot: c.slot,
        blockHeight: c.blockHeight,
        epoch: c.epoch,
        slotIndex: c.slot % SLOTS_PER_EPOCH,
        slotsInEpoch: SLOTS_PER_EPOCH,
        transactionCount: c.transactionCount,
      }),
      getEpochSchedule: () => ({
        firstNormalEpoch: 0,
        firstNormalSlot: 0,
        leaderScheduleSlotOffset: SLOTS_PER_EPOCH,
        slotsPerEpoch: SLOTS_PER_EPOCH,
        warmup: false,
      }),
      getClusterNodes: () => [
        {
          pubkey: c.identity,
          gossip: null,
          tpu: null,
          tpuQuic: null,
          rpc: `127.0.0.1:${this.info.rpcPort}`,
          pubsub: `127.0.0.1:${this.info.wsPort}`,
          version: SOLANA_VERSION,
          featureSet: FEATURE_SET,
          shredVersion: 0,
        },
      ],
      getBlockTime: (p) => {
        const slot = p.u64(0);
        const time = slot <= BigInt(Number.MAX_SAFE_INTEGER) ? c.blockTime(Number(slot)) : null;
        if (time === null) throw new RpcError(ErrorCode.BlockNotAvailable, `Block not available for slot ${slot}`);
        return time;
      },

      // --- fees and blockhashes -------------------------------------------------------
      getLatestBlockhash: () => this.withContext(c.latestBlockhash()),
      isBlockhashValid: (p) => this.withContext(c.isBlockhashValid(p.string(0))),
      getFeeForMessage: (p) => {
        let message;
        try {
          message = parseMessage(b64decode(p.string(0)));
        } catch (e) {
          throw invalidParams(`invalid message: ${(e as Error).message}`);
        }
        return this.withContext(c.isBlockhashValid(message.recentBlockhash) ? transactionFee(message) : null);
      },
      getRecentPrioritizationFees: (p) => {
        const list = p.raw(0) === undefined ? [] : p.array(0);
        if (list.length > MAX_PRIORITIZATION_FEE_ACCOUNTS) {
          throw invalidParams(`Too many inputs provided; max ${MAX_PRIORITIZATION_FEE_ACCOUNTS}`);
        }
        return c.recentPrioritizationFees(new Params(list).allPubkeys());
      },
      getMinimumBalanceForRentExemption: (p) => c.minimumBalanceForRentExemption(Number(p.u64(0))),

      // --- accounts -------------------------------------------------------------------
      getAccountInfo: (p) => {
        const address = p.pubkey(0);
        const cfg = p.config(1);
        return this.withContext(this.encode(c.getAccount(address), cfg));
      },
      getMultipleAccounts: (p) => {
        const list = p.array(0);
        if (list.length > MAX_MULTIPLE_ACCOUNTS)
          throw invalidParams(`Too many inputs provided; max ${MAX_MULTIPLE_ACCOUNTS}`);
        const keys = new Params(list).allPubkeys();
        const cfg = p.config(1);
        return this.withContext(keys.map((k) => this.encode(c.getAccount(k), cfg)));
      },
      getBalance: (p) => this.withContext(c.getAccount(p.pubkey(0))?.lamports ?? 0n),
      getProgramAccounts: (p) => {
        const program = p.pubkey(0);
        const cfg = p.config(1);
        const filters = compileFilters(cfg.filters);
        const list = c
          .getProgramAccounts(program)
          .filter(({ account }) => filters.every((f) => f(account.data)))
          .map(({ pubkey, account }) => ({ pubkey, account: this.encode(account, cfg) }));
        return cfg.withContext ? this.withContext(list) : list;
      },

      // --- tokens ---------------------------------------------------------------------
      getTokenAccountBalance: (p) => {
        const acc = c.getAccount(p.pubkey(0));
        if (!acc) throw invalidParams("Invalid param: could not find account");
        const token = readTokenAccount(acc);
        if (!token) throw invalidParams("Invalid param: not a Token account");
        const decimals = c.mintDecimals(token.mint);
        if (decimals === null) throw invalidParams("Invalid param: could not find mint");
        return this.withContext(uiTokenAmount(token.amount, decimals));
      },
      getTokenSupply: (p) => {
        const acc = c.getAccount(p.pubkey(0));
        if (!acc) throw invalidParams("Invalid param: could not find account");
        const mint = readMint(acc);
        if (!mint) throw invalidParams("Invalid param: not a Token mint");
        return this.withContext(uiTokenAmount(mint.supply, mint.decimals));
      },
      getTokenLargestAccounts: (p) => {
        const mintAddress = p.pubkey(0);
        const mintAcc = c.getAccount(mintAddress);
        const mint = mintAcc && readMint(mintAcc);
        if (!mintAcc || !mint) throw invalidParams("Invalid param: not a Token mint");
        const holders = c
          .getProgramAccounts(mintAcc.owner)
          .map(({ pubkey, account }) => ({ pubkey, token: readTokenAccount(account) }))
          .filter((h) => h.token?.mint === mintAddress)
          .sort((a, b) => (a.token!.amount < b.token!.amount ? 1 : a.token!.amount > b.token!.amount ? -1 : 0))
          .slice(0, 20);
        return this.withContext(
          holders.map((h) => ({ address: h.pubkey, ...uiTokenAmount(h.token!.amount, mint.decimals) })),
        );
      },
      getTokenAccountsByOwner: (p) => this.tokenAccountsBy(p, "owner"),
      getTokenAccountsByDelegate: (p) => this.tokenAccountsBy(p, "delegate"),

      // --- transactions ---------------------------------------------------------------
      sendTransaction: (p) => this.sendTransaction(p),
      simulateTransaction: (p) => this.simulateTransaction(p),
      requestAirdrop: (p) => {
        const to = p.pubkey(0);
        const lamports = p.u64(1);
        const result = c.airdrop(to, lamports);
        if (result.kind === "landed" && result.record.err === null) return result.record.signature;
        const err =
          result.kind === "landed"
            ? result.record.err!
            : result.kind === "preflightFailed"
              ? result.simulation.err!
              : result.kind === "dropped"
                ? result.err
                : "SignatureFailure";
        throw new RpcError(ErrorCode.InternalError, `airdrop request failed: ${describeError(err)}`);
      },
      getSignatureStatuses: (p) => {
        const list = p.array(0);
        if (list.length > MAX_SIGNATURE_STATUSES)
          throw invalidParams(`Too many inputs provided; max ${MAX_SIGNATURE_STATUSES}`);
        const search = p.config(1).searchTransactionHistory === true;
        return this.withContext(
          list.map((s) => {
            const r = c.signatureStatus(checkSignature(s), search);
            return r ? signatureStatus(r) : null;
          }),
        );
      },
      getTransaction: (p) => {
        const signature = p.signature(0);
        // Older clients pass the encoding itself instead of a config object.
        const cfg: Config = typeof p.raw(1) === "string" ? { encoding: p.raw(1) } : p.config(1);
        atLeastConfirmed(cfg);
        const r = c.getTransaction(signature);
        return r ? encodeTransaction(r, cfg) : null;
      },
      // --- blocks (one per slot; a slot's block is complete once the next slot began) ---
      getBlock: (p) => {
        const slot = Number(p.u64(0));
        // Older clients pass the encoding itself instead of a config object.
        const cfg: Config = typeof p.raw(1) === "string" ? { encoding: p.raw(1) } : p.config(1);
        const block = encodeBlock(c, slot, blockConfig(cfg));
        if (block === null) throw new RpcError(ErrorCode.BlockNotAvailable, `Block not available for slot ${slot}`);
        return block;
      },
      getBlocks: (p) => {
        const start = p.u64(0);
        const last = BigInt(c.slot - 1);
        // The end slot is optional; a config object may stand in its place.
        const end = typeof p.raw(1) === "number" || typeof p.raw(1) === "bigint" ? p.u64(1) : last;
        noProcessed(typeof p.raw(1) === "object" ? p.config(1) : p.config(2));
        if (end - start > BigInt(MAX_BLOCKS_RANGE))
          throw invalidParams(`Slot range too large; max ${MAX_BLOCKS_RANGE}`);
        return slotRange(start, end < last ? end : last);
      },
      getBlocksWithLimit: (p) => {
        const start = p.u64(0);
        const limit = p.u64(1);
        noProcessed(p.config(2));
        if (limit > BigInt(MAX_BLOCKS_RANGE)) throw invalidParams(`Limit too large; max ${MAX_BLOCKS_RANGE}`);
        const last = BigInt(c.slot - 1);
        const end = start + limit - 1n;
        return slotRange(start, end < last ? end : last);
      },
      getSignaturesForAddress: (p) => {
        const address = p.pubkey(0);
        const cfg = p.config(1);
        const limit = optionalNumber(cfg, "limit") ?? MAX_GET_SIGNATURES_LIMIT;
        if (limit < 1 || limit > MAX_GET_SIGNATURES_LIMIT)
          throw invalidParams(`Invalid limit; max ${MAX_GET_SIGNATURES_LIMIT}`);
        const before = cfg.before === undefined || cfg.before === null ? undefined : checkSignature(cfg.before);
        const until = cfg.until === undefined || cfg.until === null ? undefined : checkSignature(cfg.until);
        return c.signaturesForAddress(address, { limit, before, until }).map((r) => ({
          signature: r.signature,
          slot: r.slot,
          err: r.err,
          memo: null,
          blockTime: r.blockTime,
          confirmationStatus: "finalized",
        }));
      },
    };
  }

  /** Names of the implemented methods. */
  get methods(): string[] {
    return Object.keys(this.handlers);
  }

  /** Runs one method. Throws `RpcError`. */
  call(method: string, params: unknown): unknown {
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, method) ? this.handlers[method] : undefined;
    if (!handler) throw new RpcError(ErrorCode.MethodNotFound, "Method not found");
    const p = Params.from(params);
    checkCommonConfig(params as unknown[], this.chain.slot);
    return handler(p);
  }

  /** `{ context: { apiVersion, slot }, value }`. */
  withContext<T>(value: T): { context: { apiVersion: string; slot: number }; value: T } {
    return { context: { apiVersion: SOLANA_VERSION, slot: this.chain.slot }, value };
  }

  private encode(acc: AccountState | null, cfg: Config) {
    return acc ? encodeAccountOrThrow(this.chain, acc, cfg) : null;
  }

  private tokenAccountsBy(p: Params, field: "owner" | "delegate") {
    const who = p.pubkey(0);
    const filter = p.config(1);
    const cfg = p.config(2);
    let program: string;
    let mint: string | undefined;
    if (typeof filter.mint === "string") {
      mint = new Params([filter.mint]).pubkey(0);
      const mintAcc = this.chain.getAccount(mint);
      if (!mintAcc) throw invalidParams("Invalid param: could not find mint");
      if (!TOKEN_PROGRAMS.has(mintAcc.owner) || !readMint(mintAcc))
        throw invalidParams("Invalid param: not a Token mint");
      program = mintAcc.owner;
    } else if (typeof filter.programId === "string") {
      program = new Params([filter.programId]).pubkey(0);
      if (!TOKEN_PROGRAMS.has(program)) throw invalidParams("Invalid param: unrecognized Token program id");
    } else {
      throw invalidParams('Invalid params: expected {"mint": <address>} or {"programId": <address>}.');
    }
    const list = this.chain
      .getProgramAccounts(program)
      .filter(({ account }) => {
        const t = readTokenAccount(account);
        return t !== null && t[field] === who && (mint === undefined || t.mint === mint);
      })
      .map(({ pubkey, account }) => ({ pubkey, account: this.encode(account, cfg) }));
    return this.withContext(list);
  }

  private sendTransaction(p: Params): string {
    const cfg = p.config(1);
    const raw = decodeWireTransaction(p.string(0), cfg.encoding);
    let result;
    try {
      result = this.chain.submit(raw, { preflight: cfg.skipPreflight !== true });
    } catch (e) {
      wireError(e);
    }
    switch (result.kind) {
      case "landed":
        return result.record.signature;
      case "dropped":
        // A real node returns the signature of a transaction it forwards, even
        // if the leader then drops it; its status simply never appears.
        return result.signature;
      case "signatureFailure":
        throw new RpcError(
          ErrorCode.TransactionSignatureVerificationFailure,
          "Transaction signature verification failure",
        );
      case "preflightFailed": {
        const sim = result.simulation;
        throw new RpcError(
          ErrorCode.SendTransactionPreflightFailure,
          `Transaction simulation failed: ${describeError(sim.err!)}`,
          {
            accounts: null,
            err: sim.err,
            innerInstructions: null,
            logs: sim.logs,
            replacementBlockhash: null,
            returnData: sim.returnData,
            unitsConsumed: sim.unitsConsumed,
          },
        );
      }
    }
  }

  private simulateTransaction(p: Params) {
    const cfg = p.config(1);
    const raw = decodeWireTransaction(p.string(0), cfg.encoding);
    const sigVerify = cfg.sigVerify === true;
    const replace = cfg.replaceRecentBlockhash === true;
    if (sigVerify && replace) throw invalidParams("sigVerify may not be used with replaceRecentBlockhash");

    let accountsCfg: { addresses: string[]; encoding: AccountEncoding } | null = null;
    if (cfg.accounts !== undefined && cfg.accounts !== null) {
      const a = cfg.accounts as { addresses?: unknown; encoding?: unknown };
      const addresses = new Params(Array.isArray(a.addresses) ? a.addresses : []).allPubkeys();
      const encoding = accountEncoding({ encoding: a.encoding }) ?? "base64";
      if (encoding === "binary" || encoding === "base58") throw invalidParams("base58 encoding not supported");
      accountsCfg = { addresses, encoding };
    }

    let sim: Simulation | null;
    try {
      sim = this.chain.simulate(raw, { sigVerify, replaceRecentBlockhash: replace });
    } catch (e) {
      wireError(e);
    }
    if (sim === null) {
      throw new RpcError(
        ErrorCode.TransactionSignatureVerificationFailure,
        "Transaction signature verification failure",
      );
    }
    let accounts: unknown = null;
    if (accountsCfg) {
      const keyCount = parseTransaction(raw).message.staticAccountKeys.length;
      if (accountsCfg.addresses.length > Math.max(keyCount, sim.accountKeys.length)) {
        throw invalidParams(`Too many accounts provided; max ${Math.max(keyCount, sim.accountKeys.length)}`);
      }
      accounts = accountsCfg.addresses.map((address) => {
        const state = sim!.postAccounts.has(address) ? sim!.postAccounts.get(address)! : this.chain.getAccount(address);
        return this.encode(state, { encoding: accountsCfg!.encoding });
      });
    }
    return this.withContext({
      err: sim.err,
      logs: sim.logs,
      accounts,
      unitsConsumed: sim.unitsConsumed,
      returnData: sim.returnData,
      innerInstructions:
        cfg.innerInstructions === true ? partiallyDecoded(sim.innerInstructions, sim.accountKeys) : null,
      replacementBlockhash: replace ? this.chain.latestBlockhash() : null,
    });
  }
}

/** An account in the encoding `cfg` asks for; encoding limits become `RpcError`s. */
export function encodeAccountOrThrow(chain: Chain, acc: AccountState, cfg: Config) {
  try {
    return encodeAccount(acc, accountEncoding(cfg), dataSlice(cfg), chain.mintDecimals);
  } catch (e) {
    if (e instanceof RpcError) throw e;
    throw new RpcError(ErrorCode.InvalidRequest, (e as Error).message);
  }
}

/** minContextSlot and commitment, wherever a method takes a config object. */
function checkCommonConfig(params: unknown[] | undefined, slot: number): void {
  if (!Array.isArray(params)) return;
  for (const p of params) {
    if (!p || typeof p !== "object" || Array.isArray(p)) continue;
    const cfg = p as Config;
    if (cfg.commitment !== undefined && cfg.commitment !== null && !COMMITMENTS.has(String(cfg.commitment))) {
      throw invalidParams(
        `Invalid params: unknown variant \`${String(cfg.commitment)}\`, expected one of \`processed\`, \`confirmed\`, \`finalized\`.`,
      );
    }
    const minContextSlot = cfg.minContextSlot;
    if ((typeof minContextSlot === "number" || typeof minContextSlot === "bigint") && minContextSlot > slot) {
      throw new RpcError(ErrorCode.MinContextSlotNotReached, "Minimum context slot has not been reached", {
        contextSlot: slot,
      });
    }
  }
}

/** Methods reading history refuse `processed`, as the node does (a processed slot may still be dropped there). */
function atLeastConfirmed(cfg: Config): void {
  if (cfg.commitment === "processed" || cfg.commitment === "recent") {
    throw invalidParams("Method does not support commitment below `confirmed`");
  }
}

function signatureStatus(r: TxRecord) {
  return {
    slot: r.slot,
    confirmations: null,
    err: r.err,
    status: r.err === null ? { Ok: null } : { Err: r.err },
    confirmationStatus: "finalized",
  };
}

/** Inner instructions in their jsonParsed form (parsed where Agave parses, else partially decoded). */
function partiallyDecoded(list: UiInnerInstructions[], keys: string[]) {
  return list.map(({ index, instructions }) => ({
    index,
    instructions: instructions.map((ix) =>
      parseInstruction(keys[ix.programIdIndex], ix.accounts, b58decode(ix.data), keys, ix.stackHeight),
    ),
  }));
}

// --- blocks ---------------------------------------------------------------------------

export type TransactionDetails = "full" | "accounts" | "signatures" | "none";

export interface BlockConfig {
  transactionDetails: TransactionDetails;
  rewards: boolean;
  /** encoding and maxSupportedTransactionVersion, as getTransaction takes them. */
  tx: Config;
}

function noProcessed(cfg: Config): void {
  if (cfg.commitment === "processed") throw invalidParams("Method does not support commitment below `confirmed`");
}

/** getBlock's (and blockSubscribe's) configuration, validated. */
export function blockConfig(cfg: Config): BlockConfig {
  noProcessed(cfg);
  const details = cfg.transactionDetails ?? "full";
  if (typeof details !== "string" || !["full", "accounts", "signatures", "none"].includes(details)) {
    throw invalidParams(
      `unknown variant \`${String(details)}\`, expected one of \`full\`, \`signatures\`, \`none\`, \`accounts\`.`,
    );
  }
  if (cfg.rewards !== undefined && cfg.rewards !== null && typeof cfg.rewards !== "boolean") {
    throw invalidParams(`invalid type: ${typeName(cfg.rewards)} for \`rewards\`, expected a boolean.`);
  }
  const encoding = cfg.encoding ?? "json";
  if (!["json", "jsonParsed", "base64", "base58"].includes(String(encoding))) {
    throw invalidParams(
      `unknown variant \`${String(encoding)}\`, expected one of \`binary\`, \`base64\`, \`base58\`, \`json\`, \`jsonParsed\`.`,
    );
  }
  return {
    transactionDetails: details as TransactionDetails,
    rewards: cfg.rewards !== false,
    tx: { encoding, maxSupportedTransactionVersion: cfg.maxSupportedTransactionVersion },
  };
}

function slotRange(start: bigint, end: bigint): number[] {
  const out: number[] = [];
  for (let s = Number(start); s <= Number(end); s++) out.push(s);
  return out;
}

/**
 * The block at `slot` in Agave's shape, or null when it is not complete yet
 * (the current slot) or in the future. Every slot holds a block here (block
 * height = slot; the parent of slot N is N - 1), most of them empty.
 * `only`: keep the transactions that mention this address (blockSubscribe).
 */
export function encodeBlock(chain: Chain, slot: number, cfg: BlockConfig, only?: string) {
  if (!Number.isSafeInteger(slot) || slot >= chain.slot) return null;
  let records = chain.blockTransactions(slot);
  if (only !== undefined) records = records.filter((r) => r.accountKeys.includes(only));
  const block: Record<string, unknown> = {
    blockHeight: slot,
    blockTime: chain.blockTime(slot),
    blockhash: chain.blockhashOf(slot),
    parentSlot: Math.max(0, slot - 1),
    previousBlockhash: chain.blockhashOf(Math.max(0, slot - 1)),
  };
  const withVersion =
    cfg.tx.maxSupportedTransactionVersion !== undefined && cfg.tx.maxSupportedTransactionVersion !== null;
  switch (cfg.transactionDetails) {
    case "full":
      block.transactions = records.map((r) => {
        const { transaction, meta, version } = encodeTransaction(r, cfg.tx) as Record<string, unknown>;
        return withVersion ? { transaction, meta, version } : { transaction, meta };
      });
      break;
    case "accounts":
      block.transactions = records.map((r) => {
        const { transaction, meta, version } = encodeTransaction(r, { ...cfg.tx, encoding: "jsonParsed" }) as {
          transaction: { signatures: string[]; message: { accountKeys: unknown[] } };
          meta: Record<string, unknown>;
          version?: unknown;
        };
        const brief = {
          transaction: { signatures: transaction.signatures, accountKeys: transaction.message.accountKeys },
          meta: {
            err: meta.err,
            status: meta.status,
            fee: meta.fee,
            preBalances: meta.preBalances,
            postBalances: meta.postBalances,
            preTokenBalances: meta.preTokenBalances,
            postTokenBalances: meta.postTokenBalances,
          },
        };
        return withVersion ? { ...brief, version } : brief;
      });
      break;
    case "signatures":
      block.signatures = records.map((r) => r.signature);
      break;
    case "none":
      break;
  }
  if (cfg.rewards) block.rewards = [];
  return block;
}

/** `getTransaction`'s answer in the requested encoding. */
export function encodeTransaction(r: TxRecord, cfg: Config) {
  const encoding = cfg.encoding ?? "json";
  if (!["json", "jsonParsed", "base64", "base58"].includes(String(encoding))) {
    throw invalidParams(
      `Invalid params: unknown variant \`${String(encoding)}\`, expected one of \`binary\`, \`base64\`, \`base58\`, \`json\`, \`jsonParsed\`.`,
    );
  }
  const tx = parseTransaction(r.raw);
  const m = tx.message;
  const maxVersion = cfg.maxSupportedTransactionVersion;
  if (m.version !== "legacy" && (maxVersion === undefined || maxVersion === null || Number(maxVersion) < m.version)) {
    throw new RpcError(
      ErrorCode.UnsupportedTransactionVersion,
      `Transaction version (${m.version}) is not supported by the requesting client. ` +
        `Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${m.version}`,
    );
  }
  const signatures = tx.signatures.map(b58encode);
  const lookups =
    m.version === "legacy"
      ? undefined
      : m.addressTableLookups.map((l) => ({
          accountKey: l.accountKey,
          writableIndexes: l.writableIndexes,
          readonlyIndexes: l.readonlyIndexes,
        }));

  let transaction: unknown;
  const parsed = encoding === "jsonParsed";
  if (encoding === "base64") transaction = [b64encode(r.raw), "base64"];
  else if (encoding === "base58") transaction = [b58encode(r.raw), "base58"];
  else if (parsed) {
    const staticCount = m.staticAccountKeys.length;
    transaction = {
      signatures,
      message: {
        accountKeys: r.accountKeys.map((pubkey, i) => ({
          pubkey,
          writable:
            i < staticCount
              ? isStaticWritable(m.header, staticCount, i)
              : i < staticCount + r.loadedAddresses.writable.length,
          signer: i < m.header.numRequiredSignatures,
          source: i < staticCount ? "transaction" : "lookupTable",
        })),
        recentBlockhash: m.recentBlockhash,
        instructions: m.instructions.map((ix) =>
          parseInstruction(r.accountKeys[ix.programIdIndex], ix.accounts, ix.data, r.accountKeys, null),
        ),
        ...(lookups ? { addressTableLookups: lookups } : {}),
      },
    };
  } else {
    transaction = {
      signatures,
      message: {
        accountKeys: m.staticAccountKeys,
        header: m.header,
        recentBlockhash: m.recentBlockhash,
        instructions: m.instructions.map((ix) => ({
          programIdIndex: ix.programIdIndex,
          accounts: ix.accounts,
          data: b58encode(ix.data),
          stackHeight: null,
        })),
        ...(lookups ? { addressTableLookups: lookups } : {}),
      },
    };
  }

  const meta: Record<string, unknown> = {
    err: r.err,
    status: r.err === null ? { Ok: null } : { Err: r.err as TransactionErrorJson },
    fee: r.fee,
    preBalances: r.preBalances,
    postBalances: r.postBalances,
    innerInstructions: parsed ? partiallyDecoded(r.innerInstructions, r.accountKeys) : r.innerInstructions,
    logMessages: r.logs,
    preTokenBalances: r.preTokenBalances,
    postTokenBalances: r.postTokenBalances,
    rewards: [],
    computeUnitsConsumed: r.computeUnitsConsumed,
  };
  if (!parsed) meta.loadedAddresses = r.loadedAddresses;
  if (r.returnData) meta.returnData = r.returnData;

  const out: Record<string, unknown> = { slot: r.slot, transaction, meta, blockTime: r.blockTime };
  if (maxVersion !== undefined && maxVersion !== null) out.version = m.version;
  return out;
}
