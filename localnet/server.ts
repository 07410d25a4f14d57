/**
 * The local validator's network face: HTTP JSON-RPC 2.0 on `port` (default
 * 8899) and WebSocket pub-sub on `port + 1` (8900), as `solana-test-validator`
 * lays them out (web3.js finds the WebSocket at rpc port + 1 by itself).
 * The RPC port also accepts WebSocket upgrades. Both listen on 127.0.0.1
 * only.
 *
 * HTTP: POST with a request object or a batch (array); CORS for browsers
 * (any origin, preflight answered); `GET /health` answers "ok".
 */
import * as fs from "fs";
import * as http from "http";
import { Socket } from "net";
import * as path from "path";
import WebSocket from "ws";

import { Chain, ProgramSpec } from "./chain";
import { JsonLimitError, parseJson, toJson } from "./encoding";
import { ErrorCode, RpcError } from "./errors";
import { PubSub } from "./pubsub";
import { RpcMethods } from "./rpc";
import { generateSecretKey, publicKeyOfSecretKey } from "./wire";

export const HOST = "127.0.0.1";
export const DEFAULT_RPC_PORT = 8899;

// localnet/ under ts-node, dist/localnet/ when compiled (npm run build).
const REPO_ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === "dist" ? "../.." : "..");
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, ".localnet");

/** The build output: target/deploy, or target/deploy-v3 (the SBPF v3 build) when PERPOOL_SBPF=v3. */
const SBPF = process.env.PERPOOL_SBPF || "v0";
if (SBPF !== "v0" && SBPF !== "v3") throw new Error(`PERPOOL_SBPF must be v0 or v3, not ${SBPF}`);
const DEPLOY_DIR = path.join(REPO_ROOT, "target", SBPF === "v3" ? "deploy-v3" : "deploy");

/** Perpool's program id (from the IDL) and its build output. */
export function defaultProgram(): ProgramSpec {
  const idl = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "sdk", "src", "idl", "perpool.json"), "utf8")) as {
    address: string;
  };
  return { programId: idl.address, path: path.join(DEPLOY_DIR, "perpool.so") };
}

/** The local price publisher (programs/pyth-publisher) at the Pyth receiver's address. */
export function publisherProgram(): ProgramSpec {
  return {
    programId: "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ",
    path: path.join(DEPLOY_DIR, "pyth_publisher.so"),
  };
}

/**
 * The default upgrade authority of the Perpool program: the data directory's
 * admin keypair (`admin.json`, the one `migrations/deploy.ts` uses; created
 * here when absent, in the Solana CLI's format, private to the user).
 */
export function dataDirAdmin(dataDir: string): string {
  const file = path.join(dataDir, "admin.json");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(Array.from(generateSecretKey())), { mode: 0o600 });
  }
  const secret = Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]);
  return publicKeyOfSecretKey(secret);
}

export interface LocalnetOptions {
  /** RPC port; 0 picks a free one (with a free port after it for the WebSocket). Default 8899. */
  port?: number;
  /** WebSocket port. Default: RPC port + 1. */
  wsPort?: number;
  /** Data directory (ledger, deploy artifacts). Default: `.localnet/` at the repository root. */
  ledger?: string;
  /** Start from an empty ledger. */
  reset?: boolean;
  /** Milliseconds per slot. Default 400. */
  slotMs?: number;
  /** How often the journal is folded into a snapshot. Default 2000 ms. */
  checkpointMs?: number;
  /** Programs to deploy (`id=path`); replaces the default Perpool program when the id is the same. */
  programs?: ProgramSpec[];
  /**
   * Deploy `target/deploy/perpool.so` at the IDL's address (default true),
   * upgradeable, as a cluster deploy does.
   */
  perpool?: boolean;
  /** The Perpool program's upgrade authority (base58). Default: `dataDirAdmin(dataDir)`. */
  upgradeAuthority?: string;
  /**
   * Deploy the local price publisher (`target/deploy/pyth_publisher.so`) at
   * the Pyth receiver's address (default true): local prices are real
   * `PriceUpdateV2` accounts.
   */
  publisher?: boolean;
  /** Where progress lines go (default: console.log, nothing with `quiet`). */
  log?: (line: string) => void;
  quiet?: boolean;
}

export interface Localnet {
  rpcUrl: string;
  wsUrl: string;
  rpcPort: number;
  wsPort: number;
  dataDir: string;
  chain: Chain;
  /** Milliseconds from the call to listening (ledger load included). */
  startupMs: number;
  /** Live WebSocket subscriptions (tests wait for a client's subscription to be in place). */
  subscriptionCount(): number;
  /** Stops listening, closes connections, saves the ledger. */
  close(): Promise<void>;
}

export async function startLocalnet(opts: LocalnetOptions = {}): Promise<Localnet> {
  const started = performance.now();
  const log = opts.log ?? (opts.quiet ? () => {} : (line: string) => console.log(line));
  const dataDir = path.resolve(opts.ledger ?? DEFAULT_DATA_DIR);

  const programs = new Map<string, ProgramSpec>();
  if (opts.perpool !== false) {
    const p = defaultProgram();
    if (fs.existsSync(p.path))
      programs.set(p.programId, { ...p, upgradeAuthority: opts.upgradeAuthority ?? dataDirAdmin(dataDir) });
    else log(`warning: ${p.path} not found (run \`npm run build\`); starting without the Perpool program`);
  }
  if (opts.publisher !== false) {
    const p = publisherProgram();
    if (fs.existsSync(p.path)) programs.set(p.programId, p);
    else log(`warning: ${p.path} not found (run \`npm run build\`); starting without the price publisher`);
  }
  for (const p of opts.programs ?? []) {
    if (!fs.existsSync(p.path)) throw new Error(`program file ${p.path} not found`);
    programs.set(p.programId, p);
  }

  const chain = Chain.open({
    dataDir,
    reset: opts.reset,
    slotMs: opts.slotMs,
    checkpointMs: opts.checkpointMs,
    programs: [...programs.values()],
  });

  const rpcServer = http.createServer();
  const wsServer = http.createServer((req, res) => {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("WebSocket endpoint: connect with a WebSocket client\n");
  });
  const wss = new WebSocket.Server({ noServer: true, maxPayload: LIMITS.maxWsMessageBytes });
  const pubsub = new PubSub(chain, {
    maxBufferedBytes: LIMITS.maxWsBufferedBytes,
    maxSubscriptionsPerSocket: LIMITS.maxSubscriptionsPerSocket,
    maxBatch: LIMITS.maxBatch,
    maxMessageChars: LIMITS.maxResponseChars,
  });
  const info = { rpcPort: 0, wsPort: 0 };
  const rpc = new RpcMethods(chain, info);

  rpcServer.on("request", (req, res) => {
    try {
      serveHttp(rpc, req, res);
    } catch (e) {
      console.error("localnet: HTTP request failed:", e);
      res.destroy();
    }
  });
  // A client that sends its headers or body slower than this is cut off.
  rpcServer.requestTimeout = 30_000;
  rpcServer.headersTimeout = 10_000;
  // Each connection holds a socket and its buffers: a flood of them is refused, not
  // served. HTTP connections are counted until they upgrade (WebSockets have their cap).
  const httpSockets = new Set<Socket>();
  for (const server of [rpcServer, wsServer]) {
    server.on("connection", (socket: Socket) => {
      if (httpSockets.size >= LIMITS.maxHttpConnections) {
        socket.destroy();
        return;
      }
      httpSockets.add(socket);
      socket.once("close", () => httpSockets.delete(socket));
    });
    server.on("upgrade", (req, socket: Socket, head) => {
      httpSockets.delete(socket);
      socket.on("error", () => socket.destroy());
      if (pubsub.connectionCount >= LIMITS.maxWsConnections) {
        const body = `Too many WebSocket connections: the limit is ${LIMITS.maxWsConnections}; close one first\n`;
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      try {
        wss.handleUpgrade(req, socket, head, (ws) => pubsub.attach(ws));
      } catch (e) {
        console.error("localnet: WebSocket upgrade failed:", e);
        socket.destroy();
      }
    });
  }

  try {
    await listenPair(rpcServer, wsServer, opts.port ?? DEFAULT_RPC_PORT, opts.wsPort);
  } catch (e) {
    chain.close();
    throw e;
  }
  info.rpcPort = (rpcServer.address() as { port: number }).port;
  info.wsPort = (wsServer.address() as { port: number }).port;
  chain.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await pubsub.closeAll();
      wss.close();
      await Promise.all([rpcServer, wsServer].map((s) => closeServer(s)));
      chain.close();
    })();
    return closing;
  };

  return {
    rpcUrl: `http://${HOST}:${info.rpcPort}`,
    wsUrl: `ws://${HOST}:${info.wsPort}`,
    rpcPort: info.rpcPort,
    wsPort: info.wsPort,
    dataDir,
    chain,
    startupMs: performance.now() - started,
    subscriptionCount: () => pubsub.subscriptionCount,
    close,
  };
}

// --- HTTP ---------------------------------------------------------------------------

/**
 * What one request may cost the server. Agave's defaults where it has one
 * (request body 50 KiB); the others keep a single request, or a client that
 * never reads, from holding more than a few tens of MiB.
 */
export const LIMITS = {
  /** Largest request body, as Agave's `--rpc-max-request-body-size` default. */
  maxBodyBytes: 50 * 1024,
  /** Most requests in one batch. */
  maxBatch: 100,
  /**
   * Longest response, in characters (a 10 MiB account, the largest Solana
   * allows, is 14 M characters of base64).
   */
  maxResponseChars: 16 * 1024 * 1024,
  /** Response bytes written but not yet taken by clients, over all connections. */
  maxUnsentResponseBytes: 128 * 1024 * 1024,
  /** WebSocket: largest message accepted. */
  maxWsMessageBytes: 64 * 1024,
  /** WebSocket: bytes queued for one client before it is dropped as too slow. */
  maxWsBufferedBytes: 8 * 1024 * 1024,
  /** WebSocket: live subscriptions per connection. */
  maxSubscriptionsPerSocket: 1000,
  /** WebSocket connections at once; the next upgrade is refused with 503. */
  maxWsConnections: 1000,
  /** HTTP connections at once (until they upgrade); past it new ones are closed as they arrive. */
  maxHttpConnections: 1000,
};

/** Content types taken as JSON, as Agave's HTTP server takes them. */
const JSON_CONTENT_TYPES = new Set(["application/json", "application/json-rpc", "application/jsonrequest"]);

function setCors(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-methods", "POST, GET, OPTIONS");
  res.setHeader(
    "access-control-allow-headers",
    req.headers["access-control-request-headers"] ?? "content-type, solana-client",
  );
  res.setHeader("access-control-max-age", "86400");
  // Chrome's Private Network Access preflight (a page on another origin calling localhost).
  if (req.headers["access-control-request-private-network"] === "true") {
    res.setHeader("access-control-allow-private-network", "true");
  }
}

/** A JSON-RPC error object (`id` null: it answers the whole body). */
function errorBody(code: number, message: string): string {
  return toJson({ jsonrpc: "2.0", error: { code, message }, id: null });
}

/** Bytes handed to `res.end` and not yet flushed to the kernel, over every connection. */
let unsentResponseBytes = 0;

/**
 * Writes a whole response. Never throws: a connection that has gone away (or
 * a write that fails) costs that request, not the server.
 */
function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  if (res.writableEnded || res.destroyed) return;
  try {
    const bytes = Buffer.byteLength(body);
    unsentResponseBytes += bytes;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      unsentResponseBytes -= bytes;
    };
    res.once("finish", release);
    res.once("close", release);
    res.writeHead(status, { "content-type": contentType, "content-length": bytes });
    res.end(body);
  } catch (e) {
    console.error("localnet: could not write an HTTP response:", e);
    res.destroy();
  }
}

function serveHttp(rpc: RpcMethods, req: http.IncomingMessage, res: http.ServerResponse): void {
  res.on("error", (e) => console.error("localnet: HTTP response failed:", e.message));
  req.on("error", () => res.destroy());
  setCors(req, res);
  if (req.method === "OPTIONS") {
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method === "GET" && req.url?.split("?")[0] === "/health") {
    send(res, 200, "text/plain", "ok");
    return;
  }
  if (req.method !== "POST") {
    send(res, 405, "text/plain", "Used HTTP Method is not allowed. POST or OPTIONS is required");
    return;
  }
  // A browser page may send a `text/plain` POST to any origin without a CORS
  // preflight; only JSON bodies are read, so no page reaches a method unasked.
  const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (!JSON_CONTENT_TYPES.has(contentType)) {
    req.resume();
    const what = contentType ? `content type ${JSON.stringify(contentType)}` : "a request without a content type";
    send(
      res,
      415,
      "application/json",
      errorBody(ErrorCode.InvalidRequest, `Unsupported Media Type: ${what}; send the request as application/json`),
    );
    return;
  }
  const tooLarge = () =>
    send(
      res,
      413,
      "application/json",
      errorBody(ErrorCode.InvalidRequest, `Payload Too Large: the request body is over ${LIMITS.maxBodyBytes} bytes`),
    );
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > LIMITS.maxBodyBytes) {
    req.resume();
    tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    // Past the limit the rest is read and dropped, so the client gets its answer.
    if (size <= LIMITS.maxBodyBytes) chunks.push(chunk);
  });
  req.on("end", () => {
    if (size > LIMITS.maxBodyBytes) return tooLarge();
    if (unsentResponseBytes > LIMITS.maxUnsentResponseBytes) {
      return send(
        res,
        503,
        "application/json",
        errorBody(ErrorCode.InternalError, "Server busy: too many answers are waiting for slow clients; retry"),
      );
    }
    let body: string;
    try {
      body = answer(rpc, Buffer.concat(chunks).toString("utf8"));
    } catch (e) {
      console.error("localnet: request failed:", e);
      body = errorBody(ErrorCode.InternalError, "Internal error");
    }
    send(res, 200, "application/json", body);
  });
}

/**
 * The response body for a request body (empty when it only held
 * notifications). Never longer than `LIMITS.maxResponseChars`: each reply is
 * written as soon as it is computed, and a batch whose replies pass the limit
 * is answered by one error instead.
 */
export function answer(rpc: RpcMethods, body: string, limits = LIMITS): string {
  let request: unknown;
  try {
    request = parseJson(body);
  } catch (e) {
    return errorBody(ErrorCode.ParseError, `Parse error: ${(e as Error).message}`);
  }
  if (Array.isArray(request)) {
    if (request.length === 0) return toJson(invalidRequest(null, "empty batch"));
    if (request.length > limits.maxBatch) {
      return errorBody(
        ErrorCode.InvalidRequest,
        `Invalid request: a batch of ${request.length} requests is over the limit of ${limits.maxBatch}`,
      );
    }
    const parts: string[] = [];
    let length = 2;
    for (const r of request) {
      const reply = handleOne(rpc, r);
      if (reply === null) continue;
      const text = replyText(reply, limits.maxResponseChars - length - 1);
      if (text === null) return batchTooLarge(limits);
      parts.push(text);
      length += text.length + 1;
    }
    return parts.length ? `[${parts.join(",")}]` : "";
  }
  const reply = handleOne(rpc, request);
  if (reply === null) return "";
  return replyText(reply, limits.maxResponseChars) ?? toJson(replyTooLarge(reply.id, limits));
}

type Reply = { jsonrpc: "2.0"; id: JsonRpcId; result?: unknown; error?: unknown };
type JsonRpcId = string | number | bigint | null;

/** One reply as JSON, an error reply when it cannot be written, or null when it is longer than `maxChars`. */
function replyText(reply: Reply, maxChars: number): string | null {
  try {
    return toJson(reply, maxChars);
  } catch (e) {
    if (e instanceof JsonLimitError && e.kind === "length") return null;
    console.error("localnet: could not write a reply:", e);
    return toJson({
      jsonrpc: "2.0",
      error: { code: ErrorCode.InternalError, message: "Internal error" },
      id: reply.id,
    });
  }
}

function replyTooLarge(id: JsonRpcId, limits: typeof LIMITS): Reply {
  return {
    jsonrpc: "2.0",
    error: {
      code: ErrorCode.InvalidRequest,
      message: `Response too large: the answer is over ${limits.maxResponseChars} characters; ask for less (dataSlice, filters, fewer accounts)`,
    },
    id,
  };
}

function batchTooLarge(limits: typeof LIMITS): string {
  return errorBody(
    ErrorCode.InvalidRequest,
    `Response too large: the batch's answers are over ${limits.maxResponseChars} characters; send fewer requests per batch`,
  );
}

function invalidRequest(id: JsonRpcId, why: string): Reply {
  return { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: `Invalid request: ${why}` }, id };
}

/** A request's `id` when it is one JSON-RPC allows (string, number or null), else undefined. */
function validId(id: unknown): JsonRpcId | undefined {
  if (id === null || typeof id === "string" || typeof id === "bigint") return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return undefined;
}

function handleOne(rpc: RpcMethods, request: unknown): Reply | null {
  if (!request || typeof request !== "object" || Array.isArray(request))
    return invalidRequest(null, "expected a request object");
  const req = request as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  const notification = !("id" in req);
  const id = notification ? null : validId(req.id);
  if (id === undefined) return invalidRequest(null, "`id` must be a string, a number or null");
  if (req.jsonrpc !== "2.0") return invalidRequest(id, '`jsonrpc` must be "2.0"');
  if (typeof req.method !== "string") return invalidRequest(id, "`method` must be a string");
  let reply: Reply;
  try {
    reply = { jsonrpc: "2.0", result: rpc.call(req.method, req.params), id };
  } catch (e) {
    if (e instanceof RpcError) {
      reply = { jsonrpc: "2.0", error: e.toJSON(), id };
    } else {
      console.error(`localnet: ${req.method} failed:`, e);
      reply = {
        jsonrpc: "2.0",
        error: { code: ErrorCode.InternalError, message: `Internal error: ${req.method} failed` },
        id,
      };
    }
  }
  return notification ? null : reply;
}

// --- listening ------------------------------------------------------------------------

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Listens on `port` and `wsPort` (default port + 1). With port 0, retries
 * until the OS hands out a port whose successor is free too.
 */
async function listenPair(rpc: http.Server, ws: http.Server, port: number, wsPort?: number): Promise<void> {
  if (port !== 0 || wsPort !== undefined) {
    await listen(rpc, port);
    try {
      await listen(ws, wsPort ?? (rpc.address() as { port: number }).port + 1);
    } catch (e) {
      await closeServer(rpc);
      throw e;
    }
    return;
  }
  for (let attempt = 0; ; attempt++) {
    await listen(rpc, 0);
    try {
      await listen(ws, (rpc.address() as { port: number }).port + 1);
      return;
    } catch (e) {
      await closeServer(rpc);
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 20) throw e;
    }
  }
}
