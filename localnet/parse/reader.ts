/** Little-endian reading of instruction data for the parsers; every miss is `NotParsable`. */
import { b58encode } from "../encoding";

/** The instruction does not decode as its program's: it is shown partially decoded. */
export class NotParsable extends Error {}

export interface ParsedInfo {
  type: string;
  info?: Record<string, unknown>;
}

export class Reader {
  private pos = 0;

  constructor(private readonly data: Uint8Array) {}

  private take(n: number): Uint8Array {
    if (this.pos + n > this.data.length) throw new NotParsable();
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u8(): number {
    return this.take(1)[0];
  }

  u16(): number {
    const b = this.take(2);
    return b[0] | (b[1] << 8);
  }

  u32(): number {
    const b = this.take(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 2 ** 24;
  }

  u64(): bigint {
    const b = this.take(8);
    return Buffer.from(b.buffer, b.byteOffset, 8).readBigUInt64LE(0);
  }

  pubkey(): string {
    return b58encode(this.take(32));
  }

  /** SPL Token's optional key: a 1-byte tag (0 none, 1 some) then the key when present. */
  tokenOptionalPubkey(): string | null {
    const tag = this.u8();
    if (tag === 0) return null;
    if (tag !== 1) throw new NotParsable();
    return this.pubkey();
  }

  /** bincode's String: u64 length, then UTF-8. */
  bincodeString(): string {
    const length = this.u64();
    if (length > BigInt(this.data.length)) throw new NotParsable();
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.take(Number(length)));
    } catch {
      throw new NotParsable();
    }
  }

  /** The rest of the data, as UTF-8. */
  restUtf8(): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.take(this.data.length - this.pos));
    } catch {
      throw new NotParsable();
    }
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }
}

/** Throws `NotParsable` unless the instruction names at least `n` accounts (Agave's key-mismatch check). */
export function needAccounts(accounts: readonly string[], n: number): void {
  if (accounts.length < n) throw new NotParsable();
}
