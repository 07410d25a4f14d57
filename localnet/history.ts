/**
 * Transaction history on disk, with compact indexes, so a long-running
 * validator's memory does not grow with the transactions it has seen.
 *
 *   history.dat   one JSON line per transaction record, in sequence order
 *   history.idx   32 bytes per record, record `seq` at `(seq - 1) * 32`:
 *                 offset f64, length u32, block time u32, slot f64,
 *                 the first 8 bytes of the signature
 *   history.addr  16 bytes per (record, address) pair, in sequence order:
 *                 the first 8 bytes of the address, seq u32, and the index + 1
 *                 of the same address's previous entry (0: none) — a linked
 *                 list per address, newest first
 *
 * In memory: two open-addressing tables keyed by 8-byte prefixes
 * (signature → seq, address → newest `history.addr` entry; 12 bytes a slot),
 * the records not yet written (at most one housekeeping interval's worth), and
 * a small cache of recently read records. A prefix can be shared by two
 * signatures or addresses; every hit is checked against the record itself.
 *
 * The files are derived data: the ledger's journal holds every record until a
 * snapshot covers it, and the history files are flushed and fsynced before a
 * journal is deleted. On open, entries past what the journal and snapshot
 * confirm (written before a crash lost their journal lines) are cut off, and
 * journal records missing here are appended again by the caller.
 */
import * as fs from "fs";
import * as path from "path";

import { b58decode } from "./encoding";

const IDX_SIZE = 32;
const ADDR_SIZE = 16;
/** Records read back from disk kept decoded (a fixed number, whatever the history's length). */
const CACHE_RECORDS = 512;
/** Records kept unwritten at most. */
const MAX_PENDING = 1000;

/** What the history needs besides the record's JSON line. */
export interface HistoryEntry<R> {
  seq: number;
  slot: number;
  blockTime: number;
  /** The first signature (64 bytes). */
  signature: Uint8Array;
  /** Every distinct address the transaction mentions (32 bytes each). */
  addresses: Uint8Array[];
  /** The record as its JSON line (without the newline). */
  json: string;
  record: R;
}

/** A multimap from 64-bit keys (two u32 halves) to non-zero u32 values, in typed arrays. */
export class PrefixTable {
  private keys: Uint32Array;
  private vals: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(capacity = 1024) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, capacity)));
    this.keys = new Uint32Array(cap * 2);
    this.vals = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.used;
  }

  private start(lo: number, hi: number): number {
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** Adds a value under `key` (keys may repeat). */
  add(lo: number, hi: number, val: number): void {
    if ((this.used + 1) * 2 > this.vals.length) this.grow();
    let i = this.start(lo, hi);
    while (this.vals[i] !== 0) i = (i + 1) & this.mask;
    this.keys[2 * i] = lo;
    this.keys[2 * i + 1] = hi;
    this.vals[i] = val;
    this.used++;
  }

  /** Replaces the value under `key` (the first one found), or adds it. */
  set(lo: number, hi: number, val: number): void {
    let i = this.start(lo, hi);
    while (this.vals[i] !== 0) {
      if (this.keys[2 * i] === lo && this.keys[2 * i + 1] === hi) {
        this.vals[i] = val;
        return;
      }
      i = (i + 1) & this.mask;
    }
    this.add(lo, hi, val);
  }

  /** Every value under `key`. */
  find(lo: number, hi: number): number[] {
    const out: number[] = [];
    let i = this.start(lo, hi);
    while (this.vals[i] !== 0) {
      if (this.keys[2 * i] === lo && this.keys[2 * i + 1] === hi) out.push(this.vals[i]);
      i = (i + 1) & this.mask;
    }
    return out;
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = vals.length * 2;
    this.keys = new Uint32Array(cap * 2);
    this.vals = new Uint32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) this.add(keys[2 * i], keys[2 * i + 1], vals[i]);
  }
}

function prefix(bytes: Uint8Array): [number, number] {
  return [
    (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0,
    (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0,
  ];
}

function decoded(text: string, length: number): Uint8Array | null {
  try {
    const bytes = b58decode(text);
    return bytes.length === length ? bytes : null;
  } catch {
    return null;
  }
}

/** Calls `fn(buffer, offset, n)` for the first `count` fixed-size entries of a file, 1 MiB at a time. */
function forEachChunk(fd: number, size: number, count: number, fn: (buf: Buffer, at: number, n: number) => void): void {
  const per = Math.floor((1 << 20) / size);
  const buf = Buffer.alloc(per * size);
  for (let first = 0; first < count; first += per) {
    const n = Math.min(per, count - first);
    fs.readSync(fd, buf, 0, n * size, first * size);
    for (let i = 0; i < n; i++) fn(buf, i * size, first + i);
  }
}

interface IdxEntry {
  offset: number;
  length: number;
  blockTime: number;
  slot: number;
}

export class History<R extends { signature: string; accountKeys: string[] }> {
  private readonly dat: number;
  private readonly idx: number;
  private readonly addr: number;
  /** Records and postings on disk. */
  private savedCount = 0;
  private savedPostings = 0;
  private datSize = 0;
  /** Appended, not yet written. */
  private pending: { entry: HistoryEntry<R>; postings: Buffer }[] = [];
  private pendingPostings: Buffer[] = [];
  private postingCount = 0;
  private readonly bySignature = new PrefixTable();
  private readonly addressHeads = new PrefixTable();
  private readonly cache = new Map<number, R>();
  private readonly scratch = Buffer.alloc(IDX_SIZE);
  private dirty = false;

  /**
   * Opens the files under `dir`, keeping at most `committedSeq` records
   * (later ones were never confirmed). `decode` turns a JSON line back into a
   * record.
   */
  constructor(
    readonly dir: string,
    committedSeq: number,
    private readonly decode: (json: string) => R,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const open = (name: string) => fs.openSync(path.join(dir, name), fs.existsSync(path.join(dir, name)) ? "r+" : "w+");
    this.dat = open("history.dat");
    this.idx = open("history.idx");
    this.addr = open("history.addr");
    this.recover(committedSeq);
  }

  /** Records (written and pending); the last one's seq. */
  get count(): number {
    return this.savedCount + this.pending.length;
  }

  /** Cuts the files back to whole, confirmed entries and rebuilds the in-memory indexes. */
  private recover(committedSeq: number): void {
    const datSize = fs.fstatSync(this.dat).size;
    let count = Math.min(Math.floor(fs.fstatSync(this.idx).size / IDX_SIZE), committedSeq);
    // An index entry whose record did not reach the disk goes too.
    while (count > 0) {
      const e = this.readIdx(count);
      if (e.offset + e.length <= datSize) break;
      count--;
    }
    this.savedCount = count;
    const last = count > 0 ? this.readIdx(count) : null;
    this.datSize = last ? last.offset + last.length : 0;
    fs.ftruncateSync(this.idx, count * IDX_SIZE);
    fs.ftruncateSync(this.dat, this.datSize);
    forEachChunk(this.idx, IDX_SIZE, count, (buf, at, n) => {
      this.bySignature.add(buf.readUInt32LE(at + 24), buf.readUInt32LE(at + 28), n + 1);
    });

    // Postings are in sequence order: drop those of records cut off above.
    let postings = Math.floor(fs.fstatSync(this.addr).size / ADDR_SIZE);
    const one = Buffer.alloc(ADDR_SIZE);
    while (postings > 0) {
      fs.readSync(this.addr, one, 0, ADDR_SIZE, (postings - 1) * ADDR_SIZE);
      if (one.readUInt32LE(8) <= count) break;
      postings--;
    }
    fs.ftruncateSync(this.addr, postings * ADDR_SIZE);
    forEachChunk(this.addr, ADDR_SIZE, postings, (buf, at, n) => {
      this.addressHeads.set(buf.readUInt32LE(at), buf.readUInt32LE(at + 4), n + 1);
    });
    this.savedPostings = this.postingCount = postings;
  }

  private readIdx(seq: number): IdxEntry {
    fs.readSync(this.idx, this.scratch, 0, IDX_SIZE, (seq - 1) * IDX_SIZE);
    return {
      offset: this.scratch.readDoubleLE(0),
      length: this.scratch.readUInt32LE(8),
      blockTime: this.scratch.readUInt32LE(12),
      slot: this.scratch.readDoubleLE(16),
    };
  }

  /** Adds the next record (its seq must be `count + 1`); written by `flush`. */
  append(entry: HistoryEntry<R>): void {
    if (entry.seq !== this.count + 1) throw new Error(`history: record ${entry.seq} after ${this.count}`);
    const [slo, shi] = prefix(entry.signature);
    this.bySignature.add(slo, shi, entry.seq);
    const postings = Buffer.alloc(entry.addresses.length * ADDR_SIZE);
    entry.addresses.forEach((address, i) => {
      const [lo, hi] = prefix(address);
      const prev = this.addressHeads.find(lo, hi)[0] ?? 0;
      postings.writeUInt32LE(lo, i * ADDR_SIZE);
      postings.writeUInt32LE(hi, i * ADDR_SIZE + 4);
      postings.writeUInt32LE(entry.seq, i * ADDR_SIZE + 8);
      postings.writeUInt32LE(prev, i * ADDR_SIZE + 12);
      this.postingCount++;
      this.addressHeads.set(lo, hi, this.postingCount);
    });
    this.pending.push({ entry, postings });
    this.pendingPostings.push(postings);
    // The owner flushes on a timer; this bounds memory when it does not run (a chain never started).
    if (this.pending.length >= MAX_PENDING) this.flush();
  }

  /** Writes pending records to the files (no fsync: the journal still holds them). */
  flush(): void {
    if (this.pending.length === 0) return;
    const lines: Buffer[] = [];
    const idx = Buffer.alloc(this.pending.length * IDX_SIZE);
    let offset = this.datSize;
    this.pending.forEach(({ entry }, i) => {
      const line = Buffer.from(entry.json + "\n", "utf8");
      lines.push(line);
      const at = i * IDX_SIZE;
      idx.writeDoubleLE(offset, at);
      idx.writeUInt32LE(line.length, at + 8);
      idx.writeUInt32LE(entry.blockTime >>> 0, at + 12);
      idx.writeDoubleLE(entry.slot, at + 16);
      Buffer.from(entry.signature.buffer, entry.signature.byteOffset, 8).copy(idx, at + 24);
      offset += line.length;
    });
    // Record bytes first, then postings, then the index (what `recover` trusts).
    fs.writeSync(this.dat, Buffer.concat(lines), 0, offset - this.datSize, this.datSize);
    const postings = Buffer.concat(this.pendingPostings);
    fs.writeSync(this.addr, postings, 0, postings.length, this.savedPostings * ADDR_SIZE);
    fs.writeSync(this.idx, idx, 0, idx.length, this.savedCount * IDX_SIZE);
    this.datSize = offset;
    this.savedCount += this.pending.length;
    this.savedPostings += postings.length / ADDR_SIZE;
    this.pending = [];
    this.pendingPostings = [];
    this.dirty = true;
  }

  /** Makes written records durable (before the journal that also holds them is deleted). */
  sync(): void {
    if (!this.dirty) return;
    for (const fd of [this.dat, this.addr, this.idx]) fs.fdatasyncSync(fd);
    this.dirty = false;
  }

  /** `sync` on libuv's threads: resolves when the writes made so far are durable. */
  syncAsync(): Promise<void> {
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    const one = (fd: number) =>
      new Promise<void>((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
    return Promise.all([one(this.dat), one(this.addr)]).then(() => one(this.idx));
  }

  private entry(seq: number): IdxEntry | HistoryEntry<R> {
    return seq > this.savedCount ? this.pending[seq - this.savedCount - 1].entry : this.readIdx(seq);
  }

  /** The record with sequence number `seq` (1-based), or null. */
  get(seq: number): R | null {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.count) return null;
    if (seq > this.savedCount) return this.pending[seq - this.savedCount - 1].entry.record;
    const cached = this.cache.get(seq);
    if (cached) return cached;
    const e = this.entry(seq) as IdxEntry;
    const buf = Buffer.alloc(e.length);
    fs.readSync(this.dat, buf, 0, e.length, e.offset);
    const record = this.decode(buf.toString("utf8", 0, e.length - 1));
    if (this.cache.size >= CACHE_RECORDS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(seq, record);
    return record;
  }

  /** Slot of record `seq`. */
  slotOf(seq: number): number {
    return this.entry(seq).slot;
  }

  /** Block time of record `seq`. */
  blockTimeOf(seq: number): number {
    return this.entry(seq).blockTime;
  }

  /** The seq of a signature (base58), or null when no record has it. */
  seqOf(signature: string, bytes?: Uint8Array): number | null {
    const sig = bytes ?? decoded(signature, 64);
    if (!sig) return null;
    const [lo, hi] = prefix(sig);
    for (const seq of this.bySignature.find(lo, hi)) {
      if (this.get(seq)?.signature === signature) return seq;
    }
    return null;
  }

  /** The first seq whose slot is ≥ `slot` (count + 1 when none). */
  firstSeqFromSlot(slot: number): number {
    let lo = 1;
    let hi = this.count + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slotOf(mid) < slot) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Seqs of the records that mention `address`, newest first: below
   * `beforeSeq`, above `untilSeq`, at most `limit`.
   */
  seqsForAddress(address: string, beforeSeq: number, untilSeq: number, limit: number): number[] {
    const bytes = decoded(address, 32);
    if (!bytes) return [];
    const [lo, hi] = prefix(bytes);
    const out: number[] = [];
    const buf = Buffer.alloc(ADDR_SIZE);
    let at = this.addressHeads.find(lo, hi)[0] ?? 0;
    while (at !== 0 && out.length < limit) {
      let plo: number, phi: number, seq: number, prev: number;
      if (at > this.savedPostings) {
        // A pending record's posting: find it in memory.
        let i = at - this.savedPostings - 1;
        let p = 0;
        while (i >= this.pendingPostings[p].length / ADDR_SIZE) i -= this.pendingPostings[p++].length / ADDR_SIZE;
        const b = this.pendingPostings[p];
        [plo, phi, seq, prev] = [
          b.readUInt32LE(i * ADDR_SIZE),
          b.readUInt32LE(i * ADDR_SIZE + 4),
          b.readUInt32LE(i * ADDR_SIZE + 8),
          b.readUInt32LE(i * ADDR_SIZE + 12),
        ];
      } else {
        fs.readSync(this.addr, buf, 0, ADDR_SIZE, (at - 1) * ADDR_SIZE);
        [plo, phi, seq, prev] = [buf.readUInt32LE(0), buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12)];
      }
      if (seq <= untilSeq) break;
      // Another address with the same 8-byte prefix shares the list: check the record.
      if (plo === lo && phi === hi && seq < beforeSeq && this.get(seq)?.accountKeys.includes(address)) out.push(seq);
      at = prev;
    }
    return out;
  }

  close(): void {
    this.flush();
    this.sync();
    for (const fd of [this.dat, this.idx, this.addr]) fs.closeSync(fd);
  }
}
