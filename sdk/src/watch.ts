/**
 * Watching the chain for changes: WebSocket subscriptions to the program's accounts and to any
 * other accounts (oracles), a polling fallback, and a debounced handler that never runs twice at
 * once (changes during a run trigger one more run). Used by the keeper and `PerpoolClient`.
 *
 * `stop()` is bounded: it removes the subscriptions but waits at most `unsubscribeTimeoutMs` for
 * the RPC to acknowledge (a dead socket never answers), then waits for a handler in progress.
 */
import { Connection, PublicKey } from "@solana/web3.js";

export interface ChainWatcherOptions {
  connection: Connection;
  /** The program whose accounts are watched (`onProgramAccountChange`); none when omitted. */
  programId?: PublicKey;
  /** Called after a burst of changes, at start and at least every `pollIntervalMs`. */
  onChange: (reasons: string[]) => Promise<void> | void;
  /** Polling fallback interval (default 10 000 ms). */
  pollIntervalMs?: number;
  /** Quiet time before a burst of changes triggers `onChange` (default 250 ms). */
  debounceMs?: number;
  /** The longest `stop()` waits for the RPC to acknowledge unsubscribes (default 2 000 ms). */
  unsubscribeTimeoutMs?: number;
  log?: (line: string) => void;
}

export class ChainWatcher {
  readonly connection: Connection;
  readonly pollIntervalMs: number;
  readonly debounceMs: number;
  readonly unsubscribeTimeoutMs: number;
  /** Completed `onChange` runs since `start()`. */
  runs = 0;

  private readonly programId: PublicKey | null;
  private readonly onChange: (reasons: string[]) => Promise<void> | void;
  private readonly log: (line: string) => void;
  private running = false;
  private current: Promise<void> | null = null;
  private again = false;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;
  private programSubscription: number | null = null;
  private readonly accountSubscriptions = new Map<string, number>();
  private readonly pending = new Set<string>();

  constructor(opts: ChainWatcherOptions) {
    this.connection = opts.connection;
    this.programId = opts.programId ?? null;
    this.onChange = opts.onChange;
    this.pollIntervalMs = opts.pollIntervalMs ?? 10_000;
    this.debounceMs = opts.debounceMs ?? 250;
    this.unsubscribeTimeoutMs = opts.unsubscribeTimeoutMs ?? 2_000;
    this.log = opts.log ?? (() => {});
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Whether the connection offers WebSocket subscriptions (LiteSVM's test connection does not). */
  get subscriptionsSupported(): boolean {
    const conn = this.connection as Partial<Connection>;
    return typeof conn.onProgramAccountChange === "function" && typeof conn.onAccountChange === "function";
  }

  /** Subscribes, starts polling and runs `onChange` once now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.subscriptionsSupported)
      this.log(`no WebSocket subscriptions on this connection: polling every ${this.pollIntervalMs} ms`);
    else if (this.programId) {
      try {
        this.programSubscription = this.connection.onProgramAccountChange(
          this.programId,
          (info) => this.trigger(`account ${info.accountId.toBase58()}`),
          {
            commitment: "confirmed",
            encoding: "base64",
          },
        );
      } catch (e) {
        this.log(
          `program subscription failed (${e instanceof Error ? e.message : String(e)}): polling every ${this.pollIntervalMs} ms`,
        );
      }
    }
    this.poll = setInterval(() => this.trigger("poll"), this.pollIntervalMs);
    this.run("start");
  }

  /** Also watches `account` (e.g. an oracle); `label` names it in the reasons. No-op when watched. */
  watchAccount(account: PublicKey, label = "account"): void {
    const key = account.toBase58();
    if (!this.running || !this.subscriptionsSupported || this.accountSubscriptions.has(key)) return;
    try {
      this.accountSubscriptions.set(
        key,
        this.connection.onAccountChange(account, () => this.trigger(`${label} ${key}`), { commitment: "confirmed" }),
      );
    } catch (e) {
      this.log(`${label} subscription ${key} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Stops: no more runs; unsubscribes (waiting at most `unsubscribeTimeoutMs`), then waits for a run in progress. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    this.poll = null;
    this.debounce = null;
    const removals: Promise<void>[] = [];
    if (this.programSubscription !== null)
      removals.push(this.connection.removeProgramAccountChangeListener(this.programSubscription));
    for (const id of this.accountSubscriptions.values()) removals.push(this.connection.removeAccountChangeListener(id));
    this.programSubscription = null;
    this.accountSubscriptions.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.unsubscribeTimeoutMs);
    });
    const outcome = await Promise.race([Promise.allSettled(removals).then(() => "done" as const), timeout]);
    clearTimeout(timer);
    if (outcome === "timeout")
      this.log(
        `unsubscribing took longer than ${this.unsubscribeTimeoutMs} ms; stopped without the RPC's acknowledgement`,
      );
    // The run in progress may be waiting on a request a dead RPC never answers: bounded the same way.
    if (this.current) {
      let runTimer: ReturnType<typeof setTimeout> | undefined;
      const runTimeout = new Promise<"timeout">((resolve) => {
        runTimer = setTimeout(() => resolve("timeout"), this.unsubscribeTimeoutMs);
      });
      const run = await Promise.race([
        this.current.then(
          () => "done" as const,
          () => "done" as const,
        ),
        runTimeout,
      ]);
      clearTimeout(runTimer);
      if (run === "timeout")
        this.log(`the run in progress did not finish within ${this.unsubscribeTimeoutMs} ms; stopped without it`);
    }
  }

  /** A change was seen: run after `debounceMs` of quiet (at most one run pending). */
  trigger(reason: string): void {
    if (!this.running) return;
    this.pending.add(reason);
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.run("change");
    }, this.debounceMs);
  }

  private run(reason: string): void {
    if (!this.running) return;
    if (this.current) {
      this.again = true;
      return;
    }
    const reasons = this.pending.size > 0 ? Array.from(this.pending) : [reason];
    this.pending.clear();
    this.current = (async () => {
      try {
        await this.onChange(reasons);
      } catch (e) {
        this.log(`handler failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        this.runs++;
        this.current = null;
        if (this.again && this.running) {
          this.again = false;
          this.trigger("changes during the last run");
        }
      }
    })();
  }
}
