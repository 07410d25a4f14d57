/**
 * The durable ledger: everything the validator must not lose, under
 * `<data dir>/ledger/`.
 *
 *   genesis.json    genesis hash, faucet and identity keys (written once)
 *   snapshot.bin    full VM state at journal sequence S (litesvm `toBytes`),
 *                   replaced atomically (write to .tmp, fsync, rename)
 *   journal.jsonl   one line per transaction since the snapshot: the record
 *                   plus the post-state of every account it could write
 *   history.jsonl   transaction records already covered by a snapshot
 *   clock.json      last slot reached, so slots never go back on restart
 *   LOCK            pid and start time of the validator using the directory (lock.ts)
 *
 * A transaction's journal line is written (synchronously, before its
 * signature is reported anywhere) and the snapshot merely compacts the
 * journal, so a crash at any point — even `kill -9` in the middle of a
 * checkpoint — loses nothing that was confirmed: on start, the snapshot is
 * loaded, then every journal entry newer than it is re-applied. A line cut
 * short by a crash was never acknowledged and is dropped.
 *
 * Checkpoint order: (1) new snapshot (atomic rename), (2) append the
 * journal's records to history.jsonl, (3) truncate the journal. A crash
 * between steps leaves records in both files (deduplicated by sequence
 * number on load) but never in neither.
 */
import * as fs from "fs";
import * as path from "path";

import { FileLock } from "./lock";

const SNAPSHOT_MAGIC = Buffer.from("PPLSNAP1", "ascii");

export interface SnapshotMeta {
  /** Sequence number of the last transaction included. */
  seq: number;
  slot: number;
}

export class LedgerError extends Error {}

export class Ledger {
  readonly dir: string;
  private journalFd: number | null = null;
  private journalDirty = false;
  private lockHandle: FileLock | null = null;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, "ledger");
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  /**
   * `--reset`: forgets the chain. Takes the ledger's lock first (refused while
   * another validator runs on it), then deletes the ledger but its lock, and
   * the deployment description that pointed into it; keypairs kept next to
   * them (admin, test mints) survive so addresses stay stable across resets.
   */
  static reset(dataDir: string): void {
    const dir = path.join(dataDir, "ledger");
    FileLock.acquire(path.join(dir, "LOCK"), `ledger ${dir}`); // kept: the ledger opened next takes it over
    for (const name of fs.readdirSync(dir)) if (name !== "LOCK") fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    fs.rmSync(path.join(dataDir, "deployment.json"), { force: true });
  }

  /** Claims the directory; refuses (`LockError`) when another live validator holds it. */
  lock(): void {
    this.lockHandle = FileLock.acquire(this.file("LOCK"), `ledger ${this.dir}`);
  }

  readJson<T>(name: string): T | null {
    try {
      return JSON.parse(fs.readFileSync(this.file(name), "utf8")) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new LedgerError(`cannot read ${this.file(name)}: ${(e as Error).message}`);
    }
  }

  /** Replaces a small JSON file atomically; `durable: false` skips the fsyncs (for data that may lag after a power cut). */
  writeJson(name: string, value: unknown, { durable = true } = {}): void {
    writeAtomic(this.file(name), Buffer.from(JSON.stringify(value, null, 1)), durable);
  }

  readSnapshot(): { meta: SnapshotMeta; state: Uint8Array } | null {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file("snapshot.bin"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
    if (buf.length < 12 || !buf.subarray(0, 8).equals(SNAPSHOT_MAGIC)) {
      throw new LedgerError(`${this.file("snapshot.bin")} is not a snapshot; start with --reset`);
    }
    const metaLen = buf.readUInt32LE(8);
    const meta = JSON.parse(buf.subarray(12, 12 + metaLen).toString("utf8")) as SnapshotMeta;
    return { meta, state: new Uint8Array(buf.buffer, buf.byteOffset + 12 + metaLen, buf.length - 12 - metaLen) };
  }

  /** Parsed lines of history.jsonl. */
  readHistory<T>(): T[] {
    return this.readLines<T>("history.jsonl");
  }

  /** Parsed lines of journal.jsonl. */
  readJournal<T>(): T[] {
    return this.readLines<T>("journal.jsonl");
  }

  /**
   * Reads a JSON-lines file. A last line without its newline is the trace of
   * a write cut short by a crash: it is cut off (it was never acknowledged).
   */
  private readLines<T>(name: string): T[] {
    const file = this.file(name);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const end = buf.lastIndexOf(0x0a) + 1;
    if (end < buf.length) fs.truncateSync(file, end);
    const out: T[] = [];
    let lineNo = 0;
    for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
      lineNo++;
      if (line === "") continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        throw new LedgerError(`${file} line ${lineNo} is corrupt; start with --reset`);
      }
    }
    return out;
  }

  /** Appends one journal line. Synchronous: when it returns, a crash of the process cannot lose it. */
  appendJournal(line: string): void {
    if (this.journalFd === null) this.journalFd = fs.openSync(this.file("journal.jsonl"), "a");
    fs.writeSync(this.journalFd, line + "\n");
    this.journalDirty = true;
  }

  /** Flushes journal writes to the disk (against power loss; a process crash needs no flush). */
  syncJournal(): void {
    if (this.journalFd !== null && this.journalDirty) {
      fs.fdatasyncSync(this.journalFd);
      this.journalDirty = false;
    }
  }

  /**
   * Writes a snapshot at `meta.seq`, moves `historyLines` (the journal's
   * records, without account states) to history.jsonl, empties the journal.
   */
  checkpoint(meta: SnapshotMeta, state: Uint8Array, historyLines: string[]): void {
    const metaBytes = Buffer.from(JSON.stringify(meta));
    const header = Buffer.alloc(12);
    SNAPSHOT_MAGIC.copy(header, 0);
    header.writeUInt32LE(metaBytes.length, 8);
    writeAtomic(this.file("snapshot.bin"), Buffer.concat([header, metaBytes, state]));
    if (historyLines.length > 0) {
      const fd = fs.openSync(this.file("history.jsonl"), "a");
      try {
        fs.writeSync(fd, historyLines.join("\n") + "\n");
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    if (this.journalFd === null) this.journalFd = fs.openSync(this.file("journal.jsonl"), "a");
    fs.ftruncateSync(this.journalFd, 0);
    fs.fdatasyncSync(this.journalFd);
    this.journalDirty = false;
  }

  close(): void {
    if (this.journalFd !== null) {
      this.syncJournal();
      fs.closeSync(this.journalFd);
      this.journalFd = null;
    }
    this.lockHandle?.release();
    this.lockHandle = null;
  }
}

/** Replaces `file` with `data` so that readers see either the old or the new content, never a mix. */
export function writeAtomic(file: string, data: Uint8Array, durable = true): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, data);
    if (durable) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  if (!durable) return;
  try {
    // Make the rename itself durable.
    const dirFd = fs.openSync(path.dirname(file), "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
  }
}
