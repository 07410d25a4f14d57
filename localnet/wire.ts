/**
 * Solana's transaction wire format, parsed without `@solana/web3.js`: the
 * server needs the signatures, the message bytes they sign, the account keys
 * and header (who is writable, who signs), the recent blockhash and the
 * compiled instructions — for signature checks, blockhash checks, balances,
 * subscriptions and `getTransaction`'s JSON encoding.
 *
 *   transaction = shortvec(signatures) [64]* message
 *   message     = [0x80 | version]? header[3] shortvec(keys) [32]* blockhash[32]
 *                 shortvec(instructions) (programIdIndex u8, shortvec(accounts) u8*,
 *                 shortvec(data) u8*)* [v0: shortvec(lookups) (key[32],
 *                 shortvec(writable) u8*, shortvec(readonly) u8*)*]
 *
 * "shortvec" is Solana's compact-u16 length prefix (7 bits per byte, ≤ 3 bytes).
 */
import {
  KeyObject,
  createHash,
  createPrivateKey,
  randomBytes,
  createPublicKey,
  sign as edSign,
  verify as edVerify,
} from "crypto";

import { b58decode, b58encode } from "./encoding";

/** Largest serialized transaction a Solana node accepts (IPv6 MTU − headers). */
export const PACKET_DATA_SIZE = 1232;

export interface MessageHeader {
  numRequiredSignatures: number;
  numReadonlySignedAccounts: number;
  numReadonlyUnsignedAccounts: number;
}

export interface CompiledInstruction {
  programIdIndex: number;
  accounts: number[];
  data: Uint8Array;
}

export interface AddressTableLookup {
  accountKey: string;
  writableIndexes: number[];
  readonlyIndexes: number[];
}

export interface ParsedMessage {
  version: "legacy" | 0;
  header: MessageHeader;
  /** Keys written in the message itself (base58). */
  staticAccountKeys: string[];
  /** The same keys as bytes (views into `bytes`): what litesvm takes, without a base58 round trip. */
  staticKeyBytes: Uint8Array[];
  recentBlockhash: string;
  instructions: CompiledInstruction[];
  /** Always empty for legacy messages. */
  addressTableLookups: AddressTableLookup[];
  /** The serialized message: what every signature signs. */
  bytes: Uint8Array;
}

export interface ParsedTransaction {
  signatures: Uint8Array[];
  message: ParsedMessage;
  /** The transaction id: the first signature in base58 (all ones when unsigned). */
  signature: string;
  raw: Uint8Array;
}

/** A malformed transaction or message. */
export class WireError extends Error {}

/** Sequential reader over a byte array; every read checks bounds. */
class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    if (this.offset >= this.bytes.length) throw new WireError("unexpected end of data");
    return this.bytes[this.offset++];
  }

  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new WireError("unexpected end of data");
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** compact-u16: little-endian groups of 7 bits, high bit = "more follows". */
  shortvec(): number {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const byte = this.u8();
      value |= (byte & 0x7f) << (7 * i);
      if ((byte & 0x80) === 0) {
        if (i > 0 && byte === 0) throw new WireError("non-canonical compact-u16");
        return value;
      }
    }
    throw new WireError("compact-u16 longer than 3 bytes");
  }

  bytesList(): number[] {
    return Array.from(this.take(this.shortvec()));
  }
}

/** Parses a message (legacy or v0). Throws `WireError`. */
export function parseMessage(bytes: Uint8Array): ParsedMessage {
  const r = new Reader(bytes);
  let version: "legacy" | 0 = "legacy";
  let first = r.u8();
  if (first & 0x80) {
    const v = first & 0x7f;
    if (v !== 0) throw new WireError(`unsupported transaction version ${v}`);
    version = 0;
    first = r.u8();
  }
  const header: MessageHeader = {
    numRequiredSignatures: first,
    numReadonlySignedAccounts: r.u8(),
    numReadonlyUnsignedAccounts: r.u8(),
  };
  const keyCount = r.shortvec();
  const staticAccountKeys: string[] = [];
  const staticKeyBytes: Uint8Array[] = [];
  for (let i = 0; i < keyCount; i++) {
    const key = r.take(32);
    staticKeyBytes.push(key);
    staticAccountKeys.push(b58encode(key));
  }
  const recentBlockhash = b58encode(r.take(32));
  const ixCount = r.shortvec();
  const instructions: CompiledInstruction[] = [];
  for (let i = 0; i < ixCount; i++) {
    const programIdIndex = r.u8();
    const accounts = r.bytesList();
    const data = r.take(r.shortvec());
    instructions.push({ programIdIndex, accounts, data });
  }
  const addressTableLookups: AddressTableLookup[] = [];
  if (version === 0) {
    const lookupCount = r.shortvec();
    for (let i = 0; i < lookupCount; i++) {
      const accountKey = b58encode(r.take(32));
      addressTableLookups.push({ accountKey, writableIndexes: r.bytesList(), readonlyIndexes: r.bytesList() });
    }
  }
  if (r.remaining !== 0) throw new WireError(`${r.remaining} trailing bytes after the message`);
  sanityCheck(header, staticAccountKeys.length, instructions, addressTableLookups);
  return {
    version,
    header,
    staticAccountKeys,
    staticKeyBytes,
    recentBlockhash,
    instructions,
    addressTableLookups,
    bytes,
  };
}

/** The structural checks a node applies before anything else ("sanitize"). */
function sanityCheck(
  header: MessageHeader,
  staticKeys: number,
  instructions: CompiledInstruction[],
  lookups: AddressTableLookup[],
): void {
  const {
    numRequiredSignatures: sigs,
    numReadonlySignedAccounts: roSigned,
    numReadonlyUnsignedAccounts: roUnsigned,
  } = header;
  if (sigs === 0) throw new WireError("a transaction needs at least one signer (the fee payer)");
  if (sigs > staticKeys || roSigned >= sigs || roUnsigned > staticKeys - sigs) {
    throw new WireError("message header does not match its account keys");
  }
  const loaded = lookups.reduce((n, l) => n + l.writableIndexes.length + l.readonlyIndexes.length, 0);
  const total = staticKeys + loaded;
  for (const ix of instructions) {
    // Program ids must be static keys (never loaded from a lookup table), and not the fee payer.
    if (ix.programIdIndex === 0 || ix.programIdIndex >= staticKeys) {
      throw new WireError("instruction program id index out of bounds");
    }
    if (ix.accounts.some((a) => a >= total)) throw new WireError("instruction account index out of bounds");
  }
}

/** Parses a serialized transaction. Throws `WireError`. */
export function parseTransaction(raw: Uint8Array): ParsedTransaction {
  const r = new Reader(raw);
  const count = r.shortvec();
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < count; i++) signatures.push(r.take(64));
  const message = parseMessage(raw.subarray(r.position));
  if (signatures.length !== message.header.numRequiredSignatures) {
    throw new WireError(`${signatures.length} signatures for ${message.header.numRequiredSignatures} required signers`);
  }
  return { signatures, message, signature: b58encode(signatures[0]), raw };
}

// --- ed25519 ----------------------------------------------------------------------

// DER prefixes that turn a raw 32-byte ed25519 key into SPKI (public) / PKCS#8
// (private seed) form, which node's crypto accepts.
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/** Verification keys of recent signers (building one costs more than verifying). */
const verifyKeys = new Map<string, KeyObject>();

function verifyKey(signer: string): KeyObject {
  let key = verifyKeys.get(signer);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, b58decode(signer)]), format: "der", type: "spki" });
    if (verifyKeys.size >= 10_000) verifyKeys.clear();
    verifyKeys.set(signer, key);
  }
  return key;
}

/** True when every signature is a valid ed25519 signature of the message by its signer. */
export function verifySignatures(tx: ParsedTransaction): boolean {
  const signers = tx.message.staticAccountKeys.slice(0, tx.message.header.numRequiredSignatures);
  return signers.every((signer, i) => {
    try {
      return edVerify(null, tx.message.bytes, verifyKey(signer), tx.signatures[i]);
    } catch {
      return false;
    }
  });
}

// --- program addresses ---------------------------------------------------------------

const P = 2n ** 255n - 19n;
/** Edwards25519's d = -121665 / 121666 (mod p). */
const D = ((((P - 121665n) * modPow(121666n, P - 2n)) % P) + P) % P;

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/**
 * True when 32 bytes decompress to an edwards25519 point, as the runtime's
 * `is_on_curve` decides (curve25519-dalek: y is the low 255 bits, taken mod p;
 * the point exists when (y² − 1) / (d·y² + 1) is a square).
 */
export function isOnCurve(bytes: Uint8Array): boolean {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? bytes[i] & 0x7f : bytes[i]);
  y %= P;
  const y2 = (y * y) % P;
  const u = (y2 - 1n + P) % P;
  const v = (D * y2 + 1n) % P;
  if (v === 0n) return u === 0n;
  const x2 = (u * modPow(v, P - 2n)) % P;
  return x2 === 0n || modPow(x2, (P - 1n) / 2n) === 1n;
}

/** A program-derived address and its bump, as the runtime's `find_program_address` finds them. */
export function findProgramAddress(seeds: Uint8Array[], programId: Uint8Array): [Uint8Array, number] {
  for (let bump = 255; bump >= 0; bump--) {
    const h = createHash("sha256");
    for (const seed of seeds) h.update(seed);
    h.update(Uint8Array.of(bump)).update(programId).update("ProgramDerivedAddress");
    const address = new Uint8Array(h.digest());
    if (!isOnCurve(address)) return [address, bump];
  }
  throw new Error("no program address for these seeds");
}

/**
 * The public key (base58) of a 64-byte Solana secret key (seed ‖ public key),
 * checked against its seed. Throws when the key is not one.
 */
export function publicKeyOfSecretKey(secretKey: Uint8Array): string {
  if (secretKey.length !== 64) throw new Error(`a secret key is 64 bytes, not ${secretKey.length}`);
  const { publicKey, secretKey: derived } = keypairFromSeed(secretKey.subarray(0, 32));
  if (!Buffer.from(derived).equals(Buffer.from(secretKey)))
    throw new Error("the secret key's public half does not match its seed");
  return publicKey;
}

/** A new random keypair's 64-byte secret key (seed ‖ public key), as Solana tools store it. */
export function generateSecretKey(): Uint8Array {
  return keypairFromSeed(randomBytes(32)).secretKey;
}

/** Signs `message` with a 64-byte Solana secret key (seed ‖ public key). */
export function signMessage(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, secretKey.subarray(0, 32)]),
    format: "der",
    type: "pkcs8",
  });
  return new Uint8Array(edSign(null, message, key));
}

/** The public key (base58) of a 32-byte ed25519 seed, and the 64-byte secret key Solana tools use. */
export function keypairFromSeed(seed: Uint8Array): { publicKey: string; secretKey: Uint8Array } {
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(priv).export({ format: "der", type: "spki" });
  const pub = new Uint8Array(spki.subarray(spki.length - 32));
  const secretKey = new Uint8Array(64);
  secretKey.set(seed, 0);
  secretKey.set(pub, 32);
  return { publicKey: b58encode(pub), secretKey };
}

// --- building ------------------------------------------------------------------

function shortvec(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if (n === 0) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * A signed legacy transaction of one System `Transfer` from `from` (fee payer
 * too) to `to`: what the faucet sends for `requestAirdrop`.
 */
export function buildTransfer(
  from: { publicKey: string; secretKey: Uint8Array },
  to: string,
  lamports: bigint,
  recentBlockhash: string,
): Uint8Array {
  const SYSTEM_PROGRAM = new Uint8Array(32);
  const data = Buffer.alloc(12);
  data.writeUInt32LE(2, 0); // SystemInstruction::Transfer
  data.writeBigUInt64LE(lamports, 4);
  const message = Uint8Array.from([
    1,
    0,
    1, // one signer (writable), no read-only signers, one read-only unsigned (the program)
    ...shortvec(3),
    ...b58decode(from.publicKey),
    ...b58decode(to),
    ...SYSTEM_PROGRAM,
    ...b58decode(recentBlockhash),
    ...shortvec(1),
    2,
    ...shortvec(2),
    0,
    1,
    ...shortvec(data.length),
    ...data,
  ]);
  const signature = signMessage(from.secretKey, message);
  return Uint8Array.from([...shortvec(1), ...signature, ...message]);
}

/** Whether static key `index` is writable, from the header (lookup-table keys are the caller's business). */
export function isStaticWritable(header: MessageHeader, staticKeys: number, index: number): boolean {
  if (index < header.numRequiredSignatures) {
    return index < header.numRequiredSignatures - header.numReadonlySignedAccounts;
  }
  return index < staticKeys - header.numReadonlyUnsignedAccounts;
}
