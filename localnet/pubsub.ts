/**
 * Solana's WebSocket pub-sub: account, program, logs, signature, slot and
 * root subscriptions, with the node's notification shapes:
 *
 *   → {"jsonrpc":"2.0","id":1,"method":"accountSubscribe","params":[address,{encoding}]}
 *   ← {"jsonrpc":"2.0","result":7,"id":1}
 *   ← {"jsonrpc":"2.0","method":"accountNotification",
 *      "params":{"result":{"context":{"slot":N},"value":{…account…}},"subscription":7}}
 *
 * Notifications go out as soon as a transaction is journaled (every commitment
 * level is reached at once on this single node). A signature subscription
 * fires once and is then removed, as on the node; subscribing to a signature
 * that already landed fires immediately.
 */
import WebSocket from "ws";

import { AccountState, JsonLimitError, SYSTEM_PROGRAM, checkPubkey, parseJson, toJson } from "./encoding";
import { Chain, SlotInfo, TxRecord } from "./chain";
import { ErrorCode, RpcError, invalidParams } from "./errors";
import {
  BlockConfig,
  Config,
  Filter,
  accountEncoding,
  blockConfig,
  checkSignature,
  compileFilters,
  dataSlice,
  encodeAccountOrThrow,
  encodeBlock,
} from "./rpc";

type Kind = "account" | "program" | "logs" | "signature" | "slot" | "root" | "block";

interface Subscription {
  id: number;
  socket: WebSocket;
  kind: Kind;
  /** Account or program address, or signature. */
  key?: string;
  cfg: Config;
  filters?: Filter[];
  /** logsSubscribe: null for "all", else the one address to mention. */
  mentions?: string | null;
  receivedNotification?: boolean;
  /** blockSubscribe: what each notification's block holds. */
  block?: BlockConfig;
}

const NOTIFICATION: Record<Kind, string> = {
  account: "accountNotification",
  program: "programNotification",
  logs: "logsNotification",
  signature: "signatureNotification",
  slot: "slotNotification",
  root: "rootNotification",
  block: "blockNotification",
};

/** What one connection may hold (the server passes its `LIMITS`). */
export interface PubSubLimits {
  /** Bytes queued for a client before it is dropped as too slow (as Agave drops lagging clients). */
  maxBufferedBytes: number;
  /** Live subscriptions per connection; more get a -32602 error. */
  maxSubscriptionsPerSocket: number;
  /** Most requests in one batch message. */
  maxBatch: number;
  /** Longest message sent, in characters. */
  maxMessageChars: number;
}

const DEFAULT_LIMITS: PubSubLimits = {
  maxBufferedBytes: 8 * 1024 * 1024,
  maxSubscriptionsPerSocket: 1000,
  maxBatch: 100,
  maxMessageChars: 16 * 1024 * 1024,
};

/** Close codes (RFC 6455): 1003 unsupported data, 1008 policy violation. */
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_POLICY = 1008;

/** A deleted account, as the node reports it to account subscribers. */
const EMPTY_ACCOUNT: AccountState = { lamports: 0n, data: new Uint8Array(0), owner: SYSTEM_PROGRAM, executable: false };

export class PubSub {
  private nextId = 1;
  private readonly subs = new Map<number, Subscription>();
  private readonly byKey: Record<"account" | "program" | "signature", Map<string, Set<Subscription>>> = {
    account: new Map(),
    program: new Map(),
    signature: new Map(),
  };
  private readonly logs = new Set<Subscription>();
  private readonly slots = new Set<Subscription>();
  private readonly roots = new Set<Subscription>();
  private readonly blocks = new Set<Subscription>();
  private readonly sockets = new Set<WebSocket>();
  /** Sockets whose writes wait for the end of this turn of the event loop (`batchWrites`). */
  private readonly corked = new Set<WebSocket>();
  private readonly perSocket = new Map<WebSocket, number>();
  /** Sockets being dropped: nothing more is queued for them. */
  private readonly dropping = new Set<WebSocket>();
  private readonly limits: PubSubLimits;

  constructor(
    private readonly chain: Chain,
    limits: Partial<PubSubLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    // A notification that cannot be sent must not fail the transaction that
    // caused it (already journaled) nor the slot timer: it is logged and skipped.
    const guard =
      <A extends unknown[]>(what: string, f: (...args: A) => void) =>
      (...args: A) => {
        try {
          f(...args);
        } catch (e) {
          console.error(`localnet: ${what} notifications failed:`, e);
        }
      };
    chain.on(
      "transaction",
      guard("transaction", (record: TxRecord, written: Map<string, AccountState | null>) =>
        this.onTransaction(record, written),
      ),
    );
    chain.on(
      "received",
      guard("received", (signature: string) => this.onReceived(signature)),
    );
    chain.on(
      "slot",
      guard("slot", (info: SlotInfo) => this.onSlot(info)),
    );
  }

  /** Serves one WebSocket connection. */
  attach(socket: WebSocket): void {
    this.sockets.add(socket);
    // ws 7 hands text frames over as strings and binary frames as Buffers.
    socket.on("message", (data: WebSocket.Data) => {
      try {
        if (typeof data !== "string") {
          // Solana's pub-sub speaks JSON text; a binary frame is a client bug or abuse.
          this.drop(socket, CLOSE_UNSUPPORTED_DATA, "binary frames are not accepted: send JSON-RPC as text");
          return;
        }
        this.onMessage(socket, data);
      } catch (e) {
        console.error("localnet: WebSocket message failed:", e);
        this.send(socket, {
          jsonrpc: "2.0",
          error: { code: ErrorCode.InternalError, message: "Internal error" },
          id: null,
        });
      }
    });
    // Pongs are queued like any other frame: a client that pings and never reads is dropped too.
    socket.on("ping", () => this.checkBacklog(socket));
    socket.on("close", () => this.detach(socket));
    // ws reports protocol abuse (oversized or malformed frames, invalid UTF-8)
    // here, after queuing a close frame with the reason; the socket is cut a
    // second later whatever the client does.
    socket.on("error", () => setTimeout(() => socket.terminate(), 1000).unref());
  }

  /**
   * Closes every connection (server shutdown) with a normal closure, so
   * clients without subscriptions do not retry; sockets that do not finish the
   * closing handshake within `graceMs` are cut.
   */
  async closeAll(graceMs = 250): Promise<void> {
    const open = [...this.sockets];
    const closed = Promise.all(open.map((s) => new Promise<void>((resolve) => s.once("close", () => resolve()))));
    for (const s of open) s.close(1000, "server shutting down");
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, graceMs))]);
    for (const s of open) s.terminate();
    this.sockets.clear();
  }

  /** Open WebSocket connections. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  private detach(socket: WebSocket): void {
    this.sockets.delete(socket);
    this.dropping.delete(socket);
    this.perSocket.delete(socket);
    for (const sub of [...this.subs.values()]) if (sub.socket === socket) this.remove(sub);
  }

  private onMessage(socket: WebSocket, text: string): void {
    let request: unknown;
    try {
      request = parseJson(text);
    } catch (e) {
      this.send(socket, {
        jsonrpc: "2.0",
        error: { code: ErrorCode.ParseError, message: `Parse error: ${(e as Error).message}` },
        id: null,
      });
      return;
    }
    const batch = Array.isArray(request);
    if (batch && (request as unknown[]).length > this.limits.maxBatch) {
      const message = `Invalid request: a batch of ${(request as unknown[]).length} requests is over the limit of ${this.limits.maxBatch}`;
      this.send(socket, { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message }, id: null });
      return;
    }
    const replies: { reply: unknown; after?: () => void }[] = [];
    for (const r of batch ? (request as unknown[]) : [request]) {
      const out = this.handle(socket, r);
      if (out) replies.push(out);
    }
    if (replies.length === 0) return;
    this.send(socket, batch ? replies.map((r) => r.reply) : replies[0].reply);
    // Immediate notifications (a signature that already landed) follow the reply
    // that tells the client its subscription id (in the same write: `batchWrites`).
    for (const r of replies) r.after?.();
  }

  private handle(socket: WebSocket, request: unknown): { reply: unknown; after?: () => void } | null {
    const invalid = (why: string, id: unknown = null) => ({
      reply: { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: `Invalid request: ${why}` }, id },
    });
    if (!request || typeof request !== "object" || Array.isArray(request)) return invalid("expected a request object");
    const req = request as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const rawId = "id" in req ? req.id : undefined;
    const idOk =
      rawId === undefined ||
      rawId === null ||
      typeof rawId === "string" ||
      typeof rawId === "bigint" ||
      (typeof rawId === "number" && Number.isFinite(rawId));
    if (!idOk) return invalid("`id` must be a string, a number or null");
    const id = rawId as string | number | bigint | null | undefined;
    if (req.jsonrpc !== "2.0") return invalid('`jsonrpc` must be "2.0"', id ?? null);
    if (typeof req.method !== "string") return invalid("`method` must be a string", id ?? null);
    // A notification (no id) gets no answer; web3.js pings this way.
    if (id === undefined) return null;
    try {
      const params = req.params === undefined || req.params === null ? [] : req.params;
      if (!Array.isArray(params)) {
        throw invalidParams(
          `Invalid params: invalid type: ${typeof params === "object" ? "map" : typeof params}, expected a sequence.`,
        );
      }
      const { result, after } = this.dispatch(socket, req.method, params);
      return { reply: { jsonrpc: "2.0", result, id }, after };
    } catch (e) {
      if (!(e instanceof RpcError)) console.error(`localnet: ${req.method} failed:`, e);
      const error =
        e instanceof RpcError
          ? e.toJSON()
          : { code: ErrorCode.InternalError, message: `Internal error: ${req.method} failed` };
      return { reply: { jsonrpc: "2.0", error, id } };
    }
  }

  private dispatch(socket: WebSocket, method: string, params: unknown[]): { result: unknown; after?: () => void } {
    const config = (i: number): Config => {
      const v = params[i];
      if (v === undefined || v === null) return {};
      if (typeof v !== "object" || Array.isArray(v)) {
        throw invalidParams(
          `Invalid params: invalid type: ${Array.isArray(v) ? "sequence" : typeof v}, expected a config object.`,
        );
      }
      return v as Config;
    };
    const pubkey = (v: unknown): string => {
      const k = checkPubkey(v);
      if (k === "WrongSize" || k === "Invalid") throw invalidParams(`Invalid param: ${k}`);
      return k;
    };

    switch (method) {
      case "accountSubscribe": {
        const cfg = config(1);
        accountEncoding(cfg);
        dataSlice(cfg);
        return { result: this.add({ socket, kind: "account", key: pubkey(params[0]), cfg }) };
      }
      case "programSubscribe": {
        const cfg = config(1);
        accountEncoding(cfg);
        dataSlice(cfg);
        const filters = compileFilters(cfg.filters);
        return { result: this.add({ socket, kind: "program", key: pubkey(params[0]), cfg, filters }) };
      }
      case "logsSubscribe": {
        const filter = params[0];
        let mentions: string | null;
        if (filter === "all" || filter === "allWithVotes") mentions = null;
        else if (filter && typeof filter === "object" && Array.isArray((filter as { mentions?: unknown }).mentions)) {
          const list = (filter as { mentions: unknown[] }).mentions;
          if (list.length !== 1) throw invalidParams("Invalid Request: Only 1 address supported");
          mentions = pubkey(list[0]);
        } else {
          throw invalidParams('Invalid params: expected "all", "allWithVotes" or {"mentions": [address]}.');
        }
        return { result: this.add({ socket, kind: "logs", cfg: config(1), mentions }) };
      }
      case "signatureSubscribe": {
        const signature = checkSignature(params[0]);
        const cfg = config(1);
        const id = this.add({
          socket,
          kind: "signature",
          key: signature,
          cfg,
          receivedNotification: cfg.enableReceivedNotification === true,
        });
        const landed = this.chain.getTransaction(signature);
        return { result: id, after: landed ? () => this.notifySignature(signature, landed) : undefined };
      }
      case "slotSubscribe":
        return { result: this.add({ socket, kind: "slot", cfg: {} }) };
      case "rootSubscribe":
        return { result: this.add({ socket, kind: "root", cfg: {} }) };
      case "blockSubscribe": {
        const filter = params[0];
        let mentions: string | null;
        if (filter === "all") mentions = null;
        else if (filter && typeof filter === "object" && "mentionsAccountOrProgram" in filter) {
          mentions = pubkey((filter as { mentionsAccountOrProgram: unknown }).mentionsAccountOrProgram);
        } else {
          throw invalidParams('expected "all" or {"mentionsAccountOrProgram": address}.');
        }
        const cfg = config(1);
        return { result: this.add({ socket, kind: "block", cfg, mentions, block: blockConfig(cfg) }) };
      }
      case "accountUnsubscribe":
      case "programUnsubscribe":
      case "logsUnsubscribe":
      case "signatureUnsubscribe":
      case "slotUnsubscribe":
      case "rootUnsubscribe":
      case "blockUnsubscribe": {
        const kind = method.slice(0, -"Unsubscribe".length) as Kind;
        const sub = this.subs.get(Number(params[0]));
        if (!sub || sub.kind !== kind || sub.socket !== socket) throw invalidParams("Invalid subscription id.");
        this.remove(sub);
        return { result: true };
      }
      default:
        throw new RpcError(ErrorCode.MethodNotFound, "Method not found");
    }
  }

  private add(sub: Omit<Subscription, "id">): number {
    const count = this.perSocket.get(sub.socket) ?? 0;
    if (count >= this.limits.maxSubscriptionsPerSocket) {
      throw invalidParams(
        `Too many subscriptions on this connection: the limit is ${this.limits.maxSubscriptionsPerSocket}; unsubscribe first or open another connection`,
      );
    }
    this.perSocket.set(sub.socket, count + 1);
    const full: Subscription = { ...sub, id: this.nextId++ };
    this.subs.set(full.id, full);
    if (full.kind === "account" || full.kind === "program" || full.kind === "signature") {
      const map = this.byKey[full.kind];
      let set = map.get(full.key!);
      if (!set) map.set(full.key!, (set = new Set()));
      set.add(full);
    } else {
      this.setOf(full.kind).add(full);
    }
    return full.id;
  }

  private remove(sub: Subscription): void {
    if (!this.subs.delete(sub.id)) return;
    const count = this.perSocket.get(sub.socket);
    if (count !== undefined) this.perSocket.set(sub.socket, count - 1);
    if (sub.kind === "account" || sub.kind === "program" || sub.kind === "signature") {
      const map = this.byKey[sub.kind];
      const set = map.get(sub.key!);
      set?.delete(sub);
      if (set && set.size === 0) map.delete(sub.key!);
    } else {
      this.setOf(sub.kind).delete(sub);
    }
  }

  private setOf(kind: "logs" | "slot" | "root" | "block"): Set<Subscription> {
    return kind === "logs" ? this.logs : kind === "slot" ? this.slots : kind === "block" ? this.blocks : this.roots;
  }

  // --- events -----------------------------------------------------------------------

  private onTransaction(record: TxRecord, written: Map<string, AccountState | null>): void {
    const context = { slot: record.slot };
    for (const [address, state] of written) {
      for (const sub of this.byKey.account.get(address) ?? []) {
        this.notify(sub, { context, value: this.encode(sub, state ?? EMPTY_ACCOUNT) });
      }
      if (!state) continue;
      for (const sub of this.byKey.program.get(state.owner) ?? []) {
        if (sub.filters!.every((f) => f(state.data))) {
          this.notify(sub, { context, value: { pubkey: address, account: this.encode(sub, state) } });
        }
      }
    }
    if (this.logs.size > 0) {
      const value = { signature: record.signature, err: record.err, logs: record.logs };
      for (const sub of this.logs) {
        if (sub.mentions === null || record.accountKeys.includes(sub.mentions!)) this.notify(sub, { context, value });
      }
    }
    this.notifySignature(record.signature, record);
  }

  private onReceived(signature: string): void {
    for (const sub of this.byKey.signature.get(signature) ?? []) {
      if (sub.receivedNotification) {
        this.notify(sub, { context: { slot: this.chain.slot }, value: "receivedSignature" });
      }
    }
  }

  private notifySignature(signature: string, record: TxRecord): void {
    for (const sub of [...(this.byKey.signature.get(signature) ?? [])]) {
      this.notify(sub, { context: { slot: record.slot }, value: { err: record.err } });
      this.remove(sub);
    }
  }

  private onSlot(info: SlotInfo): void {
    for (const sub of this.slots) this.notify(sub, info);
    for (const sub of this.roots) this.notify(sub, info.root);
    // The parent's block is complete now.
    for (const sub of this.blocks) this.notifyBlock(sub, info.parent);
  }

  private notifyBlock(sub: Subscription, slot: number): void {
    let value: unknown;
    try {
      // With a filter, only blocks holding a matching transaction are sent.
      if (sub.mentions && !this.chain.blockTransactions(slot).some((r) => r.accountKeys.includes(sub.mentions!)))
        return;
      const block = encodeBlock(this.chain, slot, sub.block!, sub.mentions ?? undefined);
      if (block === null) return;
      value = { slot, block, err: null };
    } catch (e) {
      // E.g. a v0 transaction without maxSupportedTransactionVersion: the node reports the error in place of the block.
      value = { slot, block: null, err: e instanceof RpcError ? e.message : "Internal error" };
    }
    this.notify(sub, { context: { slot }, value });
  }

  private encode(sub: Subscription, state: AccountState): unknown {
    try {
      return encodeAccountOrThrow(this.chain, state, sub.cfg);
    } catch {
      // E.g. base58 asked for a large account: the node reports nothing useful
      // either; send base64 rather than drop the notification.
      return encodeAccountOrThrow(this.chain, state, { ...sub.cfg, encoding: "base64" });
    }
  }

  private notify(sub: Subscription, result: unknown): void {
    this.send(sub.socket, { jsonrpc: "2.0", method: NOTIFICATION[sub.kind], params: { result, subscription: sub.id } });
  }

  /**
   * Queues a message. A client whose queue is over `maxBufferedBytes` (it
   * does not read) is dropped rather than let the server's memory grow with
   * it. Never throws.
   */
  private send(socket: WebSocket, message: unknown): void {
    if (socket.readyState !== WebSocket.OPEN || this.dropping.has(socket)) return;
    if (!this.checkBacklog(socket)) return;
    let text: string;
    try {
      text = toJson(message, this.limits.maxMessageChars);
    } catch (e) {
      const id = (message as { id?: unknown }).id;
      const tooLong = e instanceof JsonLimitError && e.kind === "length";
      if (!tooLong) console.error("localnet: could not write a WebSocket message:", e);
      const error = tooLong
        ? {
            code: ErrorCode.InvalidRequest,
            message: `Response too large: over ${this.limits.maxMessageChars} characters`,
          }
        : { code: ErrorCode.InternalError, message: "Internal error" };
      if (id === undefined) return; // a notification: nothing to answer
      text = toJson({ jsonrpc: "2.0", error, id });
    }
    this.batchWrites(socket);
    socket.send(text, (err) => {
      if (err) socket.terminate();
    });
  }

  /**
   * Holds a socket's writes until the event loop has run what is ready now, so
   * the messages of many requests and transactions leave in one write (a
   * system call per message was a fifth of the server's time per transaction).
   */
  private batchWrites(socket: WebSocket): void {
    if (this.corked.has(socket)) return;
    const raw = (socket as unknown as { _socket?: { cork(): void } })._socket;
    if (!raw) return;
    raw.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) {
      setImmediate(() => {
        for (const s of this.corked) (s as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
        this.corked.clear();
      });
    }
  }

  /** False (and the client dropped) when its unsent output is over the limit. */
  private checkBacklog(socket: WebSocket): boolean {
    if (socket.bufferedAmount <= this.limits.maxBufferedBytes) return true;
    this.drop(socket, CLOSE_POLICY, `client too slow: over ${this.limits.maxBufferedBytes} bytes of messages unread`);
    return false;
  }

  /**
   * Closes a connection with a reason and removes its subscriptions at once.
   * The close frame waits behind the unsent output, so a client that does not
   * read is cut a second later.
   */
  private drop(socket: WebSocket, code: number, reason: string): void {
    if (this.dropping.has(socket)) return;
    this.dropping.add(socket);
    for (const sub of [...this.subs.values()]) if (sub.socket === socket) this.remove(sub);
    try {
      socket.close(code, reason);
    } catch {
      socket.terminate();
    }
    setTimeout(() => socket.terminate(), 1000).unref();
  }
}
