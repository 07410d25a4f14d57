/**
 * The ledger directory's lock: a file created with O_EXCL (`wx`), so of two
 * validators starting at once exactly one gets it, taken before anything in
 * the directory is read or deleted (`--reset` included).
 *
 * The file holds the owner's PID and its start time (field 22 of
 * `/proc/<pid>/stat`, clock ticks since boot). A lock is stale when its PID
 * is dead, or alive but started at another time (the PID was reused by an
 * unrelated process after a crash); a stale lock is taken over. A lock file
 * without a start time (written by an older version) counts as held while its
 * PID lives.
 *
 * Within one process the lock is re-entrant: the process that holds it may
 * take it again (a `--reset` takes it, then the ledger it opens keeps it).
 */
import * as fs from "fs";
import * as path from "path";

export class LockError extends Error {}

export interface LockOwner {
  pid: number;
  /** Start time of the process (clock ticks since boot); null when unknown. */
  startTime: string | null;
}

/** The fields of `/proc/<pid>/stat` after "pid (comm) ", or null (no such process, or no /proc). */
function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces and parentheses: the fields start after its last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** The start time of process `pid` from /proc (field 22, clock ticks since boot), or null. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `pid` has exited but not been reaped (a zombie: it can never touch the ledger again). */
function exited(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === "Z" || state === "X";
}

/** Whether the process a lock names still runs (the same process: same PID and start time, not exited). */
export function ownerAlive(owner: LockOwner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !pidAlive(owner.pid) || exited(owner.pid)) return false;
  if (owner.startTime === null) return true;
  const now = processStartTime(owner.pid);
  return now === null || now === owner.startTime;
}

/** Parses a lock file's text: "<pid> <start time>" (or "<pid>" from older versions). */
export function parseOwner(text: string): LockOwner | null {
  const m = /^(\d+)(?: (\d+))?\n?$/.exec(text);
  return m ? { pid: Number(m[1]), startTime: m[2] ?? null } : null;
}

function self(): LockOwner {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

const format = (o: LockOwner) => `${o.pid}${o.startTime === null ? "" : ` ${o.startTime}`}\n`;

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/** A lock file held by this process. */
export class FileLock {
  private released = false;

  private constructor(
    readonly file: string,
    private readonly text: string,
  ) {}

  /**
   * Takes the lock at `file` (creating its directory), or throws `LockError`
   * naming the live process that holds it. `what` names the locked thing in
   * the error ("ledger /x/ledger").
   */
  static acquire(file: string, what = file): FileLock {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const me = self();
    const mine = format(me);
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const fd = fs.openSync(file, "wx", 0o644);
        try {
          fs.writeSync(fd, mine);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        return new FileLock(file, mine);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const text = readText(file);
      if (text === null) continue; // released meanwhile: try again
      const owner = parseOwner(text);
      if (owner === null) {
        // Created but not yet written by its owner (a moment), or garbage left by a crash
        // between the two (then older than a second): wait, or take it over.
        const age = Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
        if (age < 1_000) {
          sleepMs(20);
          continue;
        }
      } else if (owner.pid === me.pid && (owner.startTime === null || owner.startTime === me.startTime)) {
        return new FileLock(file, text); // re-entrant within this process
      } else if (ownerAlive(owner)) {
        throw new LockError(`${what} is in use by process ${owner.pid}`);
      }
      // Stale: moved aside (one process wins the rename), checked, removed; then try again.
      const aside = `${file}.stale-${me.pid}-${attempt}`;
      try {
        fs.renameSync(file, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw e;
      }
      if (readText(aside) !== text) {
        // Another process took the stale lock over between our read and our rename: give it back.
        try {
          fs.linkSync(aside, file);
        } catch {
          // A third one holds it now; the loop finds out who.
        }
      }
      fs.rmSync(aside, { force: true });
    }
    throw new LockError(`${what}: cannot take the lock ${file} (it keeps changing hands)`);
  }

  /** Removes the lock file if it is still this process's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readText(this.file) === this.text) fs.rmSync(this.file, { force: true });
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
