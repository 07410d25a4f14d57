/**
 * The durable ledger: everything the validator must not lose, under
 * `<data dir>/ledger/`.
 *
 *   genesis.json        genesis hash, faucet and identity keys (written once)
 *   snapshot.bin        full VM state at journal sequence S (litesvm `toBytes`),
 *                       replaced atomically (write a temporary file, fsync, rename)
 *   journal.<N>.jsonl   one line per transaction from sequence N on: the record
 *                       plus the post-state of every account it could write
 *   history.*           transaction records, on disk with indexes (history.ts)
 *   clock.json          last slot reached, so slots never go back on restart
 *   LOCK                pid and start time of the validator using the directory (lock.ts)
 *
 * A transaction's journal line is written (synchronously, before its
 * signature is reported anywhere), so a crash of the process at any point —
 * even `kill -9` in the middle of a checkpoint — loses nothing that was
 * confirmed: on start, the snapshot is loaded, then every journal entry newer
 * than it is re-applied. A line cut short by a crash was never acknowledged
 * and is dropped. Against an OS crash or power loss the journal is fdatasynced
 * within `SYNC_MS` of a write (see README.md, "The ledger").
 *
 * Checkpoint: (1) start a new journal file, (2) take the VM's bytes (the
 * only part on the event loop), then on libuv's threads: fdatasync the old
 * journal and the history files, write and fsync the new snapshot, (3) rename
 * it over the old one, (4) delete the journals it covers. A crash between
 * steps leaves journal entries the snapshot already holds (skipped by
 * sequence number on load), never a gap.
 */
import * as fs from "fs";
import * as path from "path";

import { FileLock } from "./lock";

const SNAPSHOT_MAGIC = Buffer.from("PPLSNAP1", "ascii");

/** Longest time a journal write waits for its fdatasync (the chain's housekeeping period). */
export const SYNC_MS = 100;

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
  private syncing = false;
  /** Bumped by every checkpoint; an asynchronous one that was overtaken does not install its snapshot. */
  private generation = 0;

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
    for (const name of fs.readdirSync(dir))
      if (name !== "LOCK") fs.rmSync(path.join(dir, name), { recursive: true, force: true });
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

  /** `writeJson` without durability, off the event loop (a file that only helps a restart, as clock.json). */
  async writeJsonAsync(name: string, value: unknown): Promise<void> {
    const file = this.file(name);
    // Its own temporary name: a synchronous writeJson of the same file (shutdown) may run meanwhile.
    const tmp = `${file}.async.tmp`;
    await fs.promises.writeFile(tmp, JSON.stringify(value, null, 1));
    await fs.promises.rename(tmp, file);
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

  /** Parsed lines of an old ledger's history.jsonl (records before history.ts), or null when there is none. */
  readLegacyHistory<T>(): T[] | null {
    return fs.existsSync(this.file("history.jsonl")) ? this.readLines<T>("history.jsonl") : null;
  }

  /** Deletes history.jsonl once its records are in the history files. */
  removeLegacyHistory(): void {
    fs.rmSync(this.file("history.jsonl"), { force: true });
  }

  /** Journal files, oldest first (an old ledger's journal.jsonl before the numbered ones). */
  private journalFiles(): string[] {
    const numbered = fs
      .readdirSync(this.dir)
      .map((name) => /^journal\.(\d+)\.jsonl$/.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((x, y) => Number(x[1]) - Number(y[1]))
      .map((m) => m[0]);
    return fs.existsSync(this.file("journal.jsonl")) ? ["journal.jsonl", ...numbered] : numbered;
  }

  /** Parsed lines of every journal file, oldest first. */
  readJournal<T>(): T[] {
    // Temporary snapshots of a checkpoint cut short: never renamed, so never used.
    for (const name of fs.readdirSync(this.dir))
      if (/^snapshot\.bin\..*tmp$/.test(name)) fs.rmSync(this.file(name), { force: true });
    return this.journalFiles().flatMap((name) => this.readLines<T>(name));
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
    let from = 0;
    while (from < end) {
      const to = buf.indexOf(0x0a, from);
      lineNo++;
      if (to > from) {
        try {
          out.push(JSON.parse(buf.toString("utf8", from, to)) as T);
        } catch {
          throw new LedgerError(`${file} line ${lineNo} is corrupt; start with --reset`);
        }
      }
      from = to + 1;
    }
    return out;
  }

  /** Appends one journal line. Synchronous: when it returns, a crash of the process cannot lose it. */
  appendJournal(line: string): void {
    if (this.journalFd === null) throw new LedgerError("the journal is not open");
    fs.writeSync(this.journalFd, line + "\n");
    this.journalDirty = true;
  }

  /**
   * Flushes journal writes to the disk (against power loss; a process crash
   * needs no flush), on libuv's threads: the event loop does not wait.
   */
  syncJournal(): void {
    const fd = this.journalFd;
    if (fd === null || !this.journalDirty || this.syncing) return;
    this.journalDirty = false;
    this.syncing = true;
    fs.fdatasync(fd, () => {
      this.syncing = false;
    });
  }

  /**
   * Checkpoint without blocking the event loop on the disk: new journal
   * entries go to a new file from now on; once `historySynced` resolves (the
   * records of the old journal durable elsewhere) and the snapshot at
   * `meta.seq` is durable, the old journals are deleted. Resolves when done;
   * a `checkpointSync` or `close` meanwhile supersedes it.
   */
  async checkpoint(meta: SnapshotMeta, state: Uint8Array, historySynced: Promise<void>): Promise<void> {
    const generation = ++this.generation;
    const oldFd = this.journalFd;
    this.openJournal(meta.seq + 1);
    const tmp = this.file(`snapshot.bin.${meta.seq}.tmp`);
    const p = fs.promises;
    try {
      if (oldFd !== null) {
        await new Promise<void>((resolve) => fs.fdatasync(oldFd, () => resolve()));
        fs.close(oldFd, () => {});
      }
      await historySynced;
      const fh = await p.open(tmp, "w");
      try {
        await fh.writev([snapshotHeader(meta), state]);
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (generation !== this.generation) return void (await p.rm(tmp, { force: true }));
      // Synchronous from here: nothing else may run between the rename and the deletions.
      fs.renameSync(tmp, this.file("snapshot.bin"));
      syncDir(this.dir);
      this.removeJournalsBefore(meta.seq + 1);
    } catch (e) {
      await p.rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
  }

  /** Checkpoint on the spot (start-up and shutdown): snapshot at `meta.seq`, every journal deleted, a new one started. */
  checkpointSync(meta: SnapshotMeta, state: Uint8Array): void {
    this.generation++;
    writeAtomic(this.file("snapshot.bin"), Buffer.concat([snapshotHeader(meta), state]));
    if (this.journalFd !== null) fs.closeSync(this.journalFd);
    this.journalFd = null;
    this.removeJournalsBefore(Infinity);
    this.openJournal(meta.seq + 1);
  }

  /** Opens the journal file new entries go to (they start at `firstSeq`). */
  openJournal(firstSeq: number): void {
    this.journalFd = fs.openSync(this.file(`journal.${firstSeq}.jsonl`), "a");
    this.journalDirty = false;
  }

  private removeJournalsBefore(firstSeq: number): void {
    for (const name of this.journalFiles()) {
      const m = /^journal\.(\d+)\.jsonl$/.exec(name);
      const start = m ? Number(m[1]) : 0;
      if (start < firstSeq) fs.rmSync(this.file(name), { force: true });
    }
  }

  close(): void {
    if (this.journalFd !== null) {
      fs.fdatasyncSync(this.journalFd);
      fs.closeSync(this.journalFd);
      this.journalFd = null;
    }
    this.generation++;
    this.lockHandle?.release();
    this.lockHandle = null;
  }
}

function snapshotHeader(meta: SnapshotMeta): Buffer {
  const metaBytes = Buffer.from(JSON.stringify(meta));
  const header = Buffer.alloc(12);
  SNAPSHOT_MAGIC.copy(header, 0);
  header.writeUInt32LE(metaBytes.length, 8);
  return Buffer.concat([header, metaBytes]);
}

function syncDir(dir: string): void {
  try {
    const dirFd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // Some filesystems cannot fsync a directory; the rename is still atomic.
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
  // Make the rename itself durable.
  if (durable) syncDir(path.dirname(file));
}
