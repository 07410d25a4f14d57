/**
 * Encodings the JSON-RPC speaks: base58/base64, account data in every
 * `encoding` Solana accepts (legacy binary, base58, base64, base64+zstd,
 * jsonParsed for SPL Token accounts and mints), token amounts, and JSON with
 * exact u64 numbers.
 */
// --- base58 ------------------------------------------------------------------------
//
// Hand-rolled (the usual byte-at-a-time base conversion) because it runs a few
// times per transaction and for every account key, and kit's BigInt-based
// codec is several times slower on 32- and 64-byte values.

const B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const B58_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B58_ALPHABET.length; i++) B58_INDEX[B58_ALPHABET.charCodeAt(i)] = i;

export function b58encode(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  // log(256) / log(58) ≈ 1.37 digits per byte.
  const size = (((bytes.length - zeros) * 138) / 100 + 1) >>> 0;
  const digits = new Uint8Array(size);
  let length = 0;
  for (let i = zeros; i < bytes.length; i++) {
    let carry = bytes[i];
    let j = 0;
    for (let k = size - 1; (carry !== 0 || j < length) && k >= 0; k--, j++) {
      carry += 256 * digits[k];
      digits[k] = carry % 58;
      carry = (carry / 58) | 0;
    }
    length = j;
  }
  let out = "1".repeat(zeros);
  for (let k = size - length; k < size; k++) out += B58_ALPHABET[digits[k]];
  return out;
}

/** Throws on characters outside the base58 alphabet. */
export function b58decode(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  // log(58) / log(256) ≈ 0.733 bytes per digit.
  const size = (((text.length - zeros) * 733) / 1000 + 1) >>> 0;
  const bytes = new Uint8Array(size);
  let length = 0;
  for (let i = zeros; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let carry = code < 128 ? B58_INDEX[code] : -1;
    if (carry < 0) throw new Error(`invalid base58 character ${JSON.stringify(text[i])}`);
    let j = 0;
    for (let k = size - 1; (carry !== 0 || j < length) && k >= 0; k--, j++) {
      carry += 58 * bytes[k];
      bytes[k] = carry & 0xff;
      carry >>= 8;
    }
    length = j;
  }
  const out = new Uint8Array(zeros + length);
  out.set(bytes.subarray(size - length), zeros);
  return out;
}

export function b64encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Strict base64 decoding (node's decoder silently skips invalid characters). */
export function b64decode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) throw new Error("invalid base64");
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** A 32-byte public key in base58, or an explanation of why not (Solana's wording). */
export function checkPubkey(text: unknown): string | "WrongSize" | "Invalid" {
  if (typeof text !== "string" || text.length > 44) return "WrongSize";
  let bytes: Uint8Array;
  try {
    bytes = b58decode(text);
  } catch {
    return "Invalid";
  }
  return bytes.length === 32 ? text : "WrongSize";
}

// --- JSON with u64 -----------------------------------------------------------------

/** Deepest nesting `toJson` writes (the node's answers nest fewer than 10 levels). */
export const MAX_JSON_DEPTH = 64;

/** `toJson` refused a value: nested deeper than `MAX_JSON_DEPTH`, or longer than its limit. */
export class JsonLimitError extends Error {
  constructor(
    readonly kind: "depth" | "length",
    message: string,
  ) {
    super(message);
  }
}

/**
 * JSON text where bigints are written as plain numbers, as the Rust node does
 * for u64 fields (lamports, rentEpoch = u64::MAX, token supplies…). Clients
 * parse them as JS numbers exactly as they parse a real node's answers.
 *
 * Throws `JsonLimitError` rather than overflow the stack (nesting past
 * `MAX_JSON_DEPTH`) or build a string longer than `maxLength` characters
 * (V8 strings stop at about 2^29 characters and the process dies past them).
 */
export function toJson(value: unknown, maxLength = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  const put = (text: string): void => {
    length += text.length;
    if (length > maxLength) throw new JsonLimitError("length", `JSON text longer than ${maxLength} characters`);
    parts.push(text);
  };
  const write = (v: unknown, depth: number): void => {
    switch (typeof v) {
      case "bigint":
        return put(v.toString());
      case "number":
        return put(Number.isFinite(v) ? String(v) : "null");
      case "string":
        return put(JSON.stringify(v));
      case "boolean":
        return put(v ? "true" : "false");
      case "object": {
        if (v === null) return put("null");
        if (depth >= MAX_JSON_DEPTH)
          throw new JsonLimitError("depth", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
        if (Array.isArray(v)) {
          put("[");
          for (let i = 0; i < v.length; i++) {
            if (i > 0) put(",");
            write(v[i] === undefined ? null : v[i], depth + 1);
          }
          return put("]");
        }
        put("{");
        let first = true;
        for (const [k, item] of Object.entries(v)) {
          if (item === undefined) continue;
          put(first ? `${JSON.stringify(k)}:` : `,${JSON.stringify(k)}:`);
          first = false;
          write(item, depth + 1);
        }
        return put("}");
      }
      default:
        return put("null");
    }
  };
  write(value, 0);
  return parts.length === 1 ? parts[0] : parts.join("");
}

/** The JSON text could not be parsed; `message` says where and why. */
export class JsonParseError extends Error {}

/** Nesting `parseJson` accepts when it has to parse by itself (see there). */
export const MAX_PARSE_DEPTH = 512;

/**
 * `JSON.parse`, except that integers outside JS's safe range (|n| > 2^53 - 1)
 * come back as exact bigints rather than rounded doubles, so a u64 parameter
 * such as 18446744073709551615 reaches the method as sent. Texts without a
 * run of 16 digits cannot hold such an integer and go to `JSON.parse`
 * directly; the others are parsed here (nesting capped at `MAX_PARSE_DEPTH`).
 * Throws `JsonParseError`.
 */
export function parseJson(text: string): unknown {
  if (!/[0-9]{16}/.test(text)) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new JsonParseError((e as Error).message);
    }
  }
  return new ExactJsonParser(text).parseDocument();
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
// eslint-disable-next-line no-control-regex -- JSON strings may not hold raw U+0000 to U+001F
const STRING_BODY_RE = /(?:[^"\\\u0000-\u001f]+|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class ExactJsonParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private fail(what: string): never {
    throw new JsonParseError(`${what} at position ${this.pos}`);
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.pos++;
    }
  }

  private value(depth: number): unknown {
    this.skipSpace();
    const t = this.text;
    const c = t[this.pos];
    if (c === "{" || c === "[") {
      if (depth >= MAX_PARSE_DEPTH) this.fail(`JSON nested deeper than ${MAX_PARSE_DEPTH} levels`);
      return c === "{" ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(t);
    if (!m) this.fail(c === undefined ? "unexpected end of JSON" : `unexpected character ${JSON.stringify(c)}`);
    this.pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  }

  private string(): string {
    STRING_BODY_RE.lastIndex = this.pos + 1;
    const m = STRING_BODY_RE.exec(this.text);
    if (!m) this.fail("unterminated or invalid string");
    const start = this.pos;
    this.pos += 1 + m[0].length;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== c) this.fail(`expected ${JSON.stringify(c)}`);
    this.pos++;
  }

  private peek(c: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== c) return false;
    this.pos++;
    return true;
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    if (this.peek("]")) return out;
    do out.push(this.value(depth));
    while (this.peek(","));
    this.expect("]");
    return out;
  }

  private object(depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    if (this.peek("}")) return out;
    do {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail("expected a property name");
      const key = this.string();
      this.expect(":");
      // defineProperty: a "__proto__" key is data, as with JSON.parse.
      Object.defineProperty(out, key, {
        value: this.value(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } while (this.peek(","));
    this.expect("}");
    return out;
  }
}

// --- zstd ------------------------------------------------------------------------

/**
 * A valid zstd frame holding `data` uncompressed ("raw" blocks). Any zstd
 * decoder reads it; clients asking for `base64+zstd` only need it to decode.
 * (Node 20 has no zstd compressor, and account data is small.)
 *
 * Frame: magic FD2FB528 (LE), descriptor 0xA0 = single segment + 4-byte
 * content size, content size u32 LE, then blocks of ≤128 KiB, each with a
 * 3-byte header: bit 0 last block, bits 1-2 type (0 = raw), bits 3-23 size.
 */
export function zstdRawFrame(data: Uint8Array): Uint8Array {
  const MAX_BLOCK = 128 * 1024;
  const blocks = Math.max(1, Math.ceil(data.length / MAX_BLOCK));
  const out = Buffer.alloc(4 + 1 + 4 + blocks * 3 + data.length);
  out.writeUInt32LE(0xfd2fb528, 0);
  out[4] = 0xa0;
  out.writeUInt32LE(data.length, 5);
  let pos = 9;
  for (let b = 0; b < blocks; b++) {
    const chunk = data.subarray(b * MAX_BLOCK, Math.min(data.length, (b + 1) * MAX_BLOCK));
    const last = b === blocks - 1 ? 1 : 0;
    const header = (chunk.length << 3) | last; // block type 0 (raw) in bits 1-2
    out[pos] = header & 0xff;
    out[pos + 1] = (header >> 8) & 0xff;
    out[pos + 2] = (header >> 16) & 0xff;
    out.set(chunk, pos + 3);
    pos += 3 + chunk.length;
  }
  return out;
}

// --- accounts ----------------------------------------------------------------------

export const SYSTEM_PROGRAM = "11111111111111111111111111111111";
export const TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
export const TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
export const TOKEN_PROGRAMS = new Set([TOKEN_PROGRAM, TOKEN_2022_PROGRAM]);

/** What an account's `rentEpoch` reads on current clusters (rent collection is gone). */
export const RENT_EPOCH_EXEMPT = 18446744073709551615n;

/** An account as the server handles it. */
export interface AccountState {
  lamports: bigint;
  data: Uint8Array;
  owner: string;
  executable: boolean;
}

export type AccountEncoding = "binary" | "base58" | "base64" | "base64+zstd" | "jsonParsed";

export const ACCOUNT_ENCODINGS: readonly string[] = ["binary", "base58", "base64", "base64+zstd", "jsonParsed"];

/** Solana refuses base58 for data over this many bytes (base58 is quadratic). */
export const MAX_BASE58_BYTES = 128;

export interface DataSlice {
  offset: number;
  length: number;
}

/** Looks up a mint's decimals (for jsonParsed token accounts); null when it is not a mint. */
export type MintDecimals = (mint: string) => number | null;

/** An account in the RPC's `UiAccount` shape. */
export interface UiAccount {
  lamports: bigint;
  owner: string;
  data: unknown;
  executable: boolean;
  rentEpoch: bigint;
  space: number;
}

/**
 * Encodes account data as the RPC does. `encoding` undefined means the RPC
 * default, legacy binary: a bare base58 string. Throws `Error` with Solana's
 * message when base58 is asked for data longer than 128 bytes.
 */
export function encodeAccount(
  acc: AccountState,
  encoding: AccountEncoding | undefined,
  slice: DataSlice | undefined,
  mintDecimals: MintDecimals,
): UiAccount {
  return {
    lamports: acc.lamports,
    owner: acc.owner,
    data: encodeData(acc, encoding ?? "binary", slice, mintDecimals),
    executable: acc.executable,
    rentEpoch: RENT_EPOCH_EXEMPT,
    space: acc.data.length,
  };
}

function encodeData(
  acc: AccountState,
  encoding: AccountEncoding,
  slice: DataSlice | undefined,
  mintDecimals: MintDecimals,
): unknown {
  if (encoding === "jsonParsed") {
    // jsonParsed ignores dataSlice when it can parse, and falls back to base64 (sliced) when it cannot.
    const parsed = parseAccountData(acc, mintDecimals);
    if (parsed) return parsed;
    encoding = "base64";
  }
  const data = slice ? acc.data.subarray(slice.offset, slice.offset + slice.length) : acc.data;
  switch (encoding) {
    case "binary":
    case "base58":
      if (data.length > MAX_BASE58_BYTES) {
        throw new Error("Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.");
      }
      return encoding === "binary" ? b58encode(data) : [b58encode(data), "base58"];
    case "base64":
      return [b64encode(data), "base64"];
    case "base64+zstd":
      return [b64encode(zstdRawFrame(data)), "base64+zstd"];
  }
}

// --- SPL Token ---------------------------------------------------------------------

/** Base layouts shared by Token and Token-2022 (extensions follow byte 165 in Token-2022). */
export const MINT_LEN = 82;
export const TOKEN_ACCOUNT_LEN = 165;
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;

export interface TokenAccountInfo {
  mint: string;
  owner: string;
  amount: bigint;
  delegate: string | null;
  /** 0 uninitialized, 1 initialized, 2 frozen. */
  state: number;
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: string | null;
}

export interface MintInfo {
  mintAuthority: string | null;
  supply: bigint;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: string | null;
}

function view(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function optionKey(data: Uint8Array, offset: number): string | null {
  return view(data).readUInt32LE(offset) === 0 ? null : b58encode(data.subarray(offset + 4, offset + 36));
}

/** The token account in `acc`, or null when it is not an initialized token account. */
export function readTokenAccount(acc: AccountState): TokenAccountInfo | null {
  if (!TOKEN_PROGRAMS.has(acc.owner) || acc.data.length < TOKEN_ACCOUNT_LEN) return null;
  if (acc.data.length > TOKEN_ACCOUNT_LEN && acc.data[TOKEN_ACCOUNT_LEN] !== ACCOUNT_TYPE_ACCOUNT) return null;
  const d = acc.data;
  const v = view(d);
  if (d[108] === 0) return null;
  return {
    mint: b58encode(d.subarray(0, 32)),
    owner: b58encode(d.subarray(32, 64)),
    amount: v.readBigUInt64LE(64),
    delegate: optionKey(d, 72),
    state: d[108],
    isNative: v.readUInt32LE(109) === 0 ? null : v.readBigUInt64LE(113),
    delegatedAmount: v.readBigUInt64LE(121),
    closeAuthority: optionKey(d, 129),
  };
}

/** The mint in `acc`, or null when it is not an initialized mint. */
export function readMint(acc: AccountState): MintInfo | null {
  if (!TOKEN_PROGRAMS.has(acc.owner) || acc.data.length < MINT_LEN) return null;
  // Token-2022 mints with extensions are padded to 165 bytes, then the account type.
  if (acc.data.length > MINT_LEN) {
    if (acc.data.length <= TOKEN_ACCOUNT_LEN || acc.data[TOKEN_ACCOUNT_LEN] !== ACCOUNT_TYPE_MINT) return null;
  }
  const d = acc.data;
  if (d[45] === 0) return null;
  return {
    mintAuthority: optionKey(d, 0),
    supply: view(d).readBigUInt64LE(36),
    decimals: d[44],
    isInitialized: true,
    freezeAuthority: optionKey(d, 46),
  };
}

/** `amount / 10^decimals` as the shortest exact decimal string ("1.5", "0", "0.000001"). */
export function uiAmountString(amount: bigint, decimals: number): string {
  const s = amount.toString().padStart(decimals + 1, "0");
  if (decimals === 0) return s;
  const whole = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole;
}

/** The RPC's `UiTokenAmount`. */
export function uiTokenAmount(amount: bigint, decimals: number) {
  const text = uiAmountString(amount, decimals);
  return { amount: amount.toString(), decimals, uiAmount: Number(text), uiAmountString: text };
}

const TOKEN_STATES = ["uninitialized", "initialized", "frozen"];

/** jsonParsed data of SPL Token accounts and mints; null for anything else. */
export function parseAccountData(acc: AccountState, mintDecimals: MintDecimals): unknown | null {
  const program =
    acc.owner === TOKEN_PROGRAM ? "spl-token" : acc.owner === TOKEN_2022_PROGRAM ? "spl-token-2022" : null;
  if (!program) return null;
  const token = readTokenAccount(acc);
  if (token) {
    const decimals = mintDecimals(token.mint);
    if (decimals === null) return null;
    const info: Record<string, unknown> = {
      isNative: token.isNative !== null,
      mint: token.mint,
      owner: token.owner,
      state: TOKEN_STATES[token.state] ?? "uninitialized",
      tokenAmount: uiTokenAmount(token.amount, decimals),
    };
    if (token.delegate) {
      info.delegate = token.delegate;
      info.delegatedAmount = uiTokenAmount(token.delegatedAmount, decimals);
    }
    if (token.isNative !== null) info.rentExemptReserve = uiTokenAmount(token.isNative, decimals);
    if (token.closeAuthority) info.closeAuthority = token.closeAuthority;
    return { program, parsed: { info, type: "account" }, space: acc.data.length };
  }
  const mint = readMint(acc);
  if (mint) {
    return {
      program,
      parsed: {
        info: {
          decimals: mint.decimals,
          freezeAuthority: mint.freezeAuthority,
          isInitialized: mint.isInitialized,
          mintAuthority: mint.mintAuthority,
          supply: mint.supply.toString(),
        },
        type: "mint",
      },
      space: acc.data.length,
    };
  }
  return null;
}
