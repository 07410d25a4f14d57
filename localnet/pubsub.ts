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

import { AccountState, SYSTEM_PROGRAM, checkPubkey, toJson } from "./encoding";
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

  constructor(private readonly chain: Chain) {
    chain.on("transaction", (record, written) => this.onTransaction(record, written));
    chain.on("received", (signature) => this.onReceived(signature));
    chain.on("slot", (info) => this.onSlot(info));
  }

  /** Serves one WebSocket connection. */
  attach(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on("message", (data) => this.onMessage(socket, data.toString()));
    socket.on("close", () => this.detach(socket));
    socket.on("error", () => socket.terminate());
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

  get subscriptionCount(): number {
    return this.subs.size;
  }

  private detach(socket: WebSocket): void {
    this.sockets.delete(socket);
    for (const sub of [...this.subs.values()]) if (sub.socket === socket) this.remove(sub);
  }

  private onMessage(socket: WebSocket, text: string): void {
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch {
      this.send(socket, { jsonrpc: "2.0", error: { code: ErrorCode.ParseError, message: "Parse error" }, id: null });
      return;
    }
    const batch = Array.isArray(request);
    const replies: { reply: unknown; after?: () => void }[] = [];
    for (const r of batch ? (request as unknown[]) : [request]) {
      const out = this.handle(socket, r);
      if (out) replies.push(out);
    }
    if (replies.length === 0) return;
    this.send(socket, batch ? replies.map((r) => r.reply) : replies[0].reply);
    // Immediate notifications (a signature that already landed) follow the reply
    // that tells the client its subscription id.
    for (const r of replies) r.after?.();
  }

  private handle(socket: WebSocket, request: unknown): { reply: unknown; after?: () => void } | null {
    const req = request as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const id = req && typeof req === "object" && "id" in req ? (req.id as unknown) : undefined;
    if (!req || typeof req !== "object" || req.jsonrpc !== "2.0" || typeof req.method !== "string") {
      return { reply: { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: "Invalid request" }, id: id ?? null } };
    }
    // A notification (no id) gets no answer; web3.js pings this way.
    if (id === undefined) return null;
    try {
      const params = req.params === undefined || req.params === null ? [] : req.params;
      if (!Array.isArray(params)) throw invalidParams("Invalid params: invalid type: map, expected a sequence.");
      const { result, after } = this.dispatch(socket, req.method, params);
      return { reply: { jsonrpc: "2.0", result, id }, after };
    } catch (e) {
      const error = e instanceof RpcError ? e.toJSON() : { code: ErrorCode.InternalError, message: "Internal error" };
      return { reply: { jsonrpc: "2.0", error, id } };
    }
  }

  private dispatch(socket: WebSocket, method: string, params: unknown[]): { result: unknown; after?: () => void } {
    const config = (i: number): Config => {
      const v = params[i];
      if (v === undefined || v === null) return {};
      if (typeof v !== "object" || Array.isArray(v)) throw invalidParams("Invalid params: expected a config object.");
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
    this.subs.delete(sub.id);
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
      if (sub.mentions && !this.chain.blockTransactions(slot).some((r) => r.accountKeys.includes(sub.mentions!))) return;
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

  private send(socket: WebSocket, message: unknown): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(toJson(message));
  }
}
