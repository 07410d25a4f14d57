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
import { Keypair } from "@solana/web3.js";

import { Chain, ProgramSpec } from "./chain";
import { toJson } from "./encoding";
import { ErrorCode, RpcError } from "./errors";
import { PubSub } from "./pubsub";
import { RpcMethods } from "./rpc";

export const HOST = "127.0.0.1";
export const DEFAULT_RPC_PORT = 8899;
/** Largest request body accepted (a batch of many requests fits easily). */
const MAX_BODY_BYTES = 1 << 20;

// localnet/ under ts-node, dist/localnet/ when compiled (npm run build).
const REPO_ROOT = path.resolve(__dirname, path.basename(path.dirname(__dirname)) === "dist" ? "../.." : "..");
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, ".localnet");

/** Perpool's program id (from the IDL) and its build output. */
export function defaultProgram(): ProgramSpec {
  const idl = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "sdk", "src", "idl", "perpool.json"), "utf8")) as {
    address: string;
  };
  return { programId: idl.address, path: path.join(REPO_ROOT, "target", "deploy", "perpool.so") };
}

/** The local price publisher (programs/pyth-publisher) at the Pyth receiver's address. */
export function publisherProgram(): ProgramSpec {
  return { programId: "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ", path: path.join(REPO_ROOT, "target", "deploy", "pyth_publisher.so") };
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
    fs.writeFileSync(file, JSON.stringify(Array.from(Keypair.generate().secretKey)), { mode: 0o600 });
  }
  const secret = Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]);
  return Keypair.fromSecretKey(secret).publicKey.toBase58();
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
    if (fs.existsSync(p.path)) programs.set(p.programId, { ...p, upgradeAuthority: opts.upgradeAuthority ?? dataDirAdmin(dataDir) });
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
  const wss = new WebSocket.Server({ noServer: true, maxPayload: MAX_BODY_BYTES });
  const pubsub = new PubSub(chain);
  const info = { rpcPort: 0, wsPort: 0 };
  const rpc = new RpcMethods(chain, info);

  rpcServer.on("request", (req, res) => serveHttp(rpc, req, res));
  for (const server of [rpcServer, wsServer]) {
    server.on("upgrade", (req, socket, head) => {
      wss.handleUpgrade(req, socket as Socket, head, (ws) => pubsub.attach(ws));
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

function setCors(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-methods", "POST, GET, OPTIONS");
  res.setHeader("access-control-allow-headers", req.headers["access-control-request-headers"] ?? "content-type, solana-client");
  res.setHeader("access-control-max-age", "86400");
  // Chrome's Private Network Access preflight (a page on another origin calling localhost).
  if (req.headers["access-control-request-private-network"] === "true") {
    res.setHeader("access-control-allow-private-network", "true");
  }
}

function serveHttp(rpc: RpcMethods, req: http.IncomingMessage, res: http.ServerResponse): void {
  setCors(req, res);
  if (req.method === "OPTIONS") {
    res.writeHead(204);
    res.end();
    return;
  }
  if (req.method === "GET" && req.url?.split("?")[0] === "/health") {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok");
    return;
  }
  if (req.method !== "POST") {
    res.writeHead(405, { "content-type": "text/plain" });
    res.end("Used HTTP Method is not allowed. POST or OPTIONS is required");
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      tooLarge = true;
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (tooLarge) {
      res.writeHead(413, { "content-type": "text/plain" });
      res.end("Payload Too Large");
      return;
    }
    const body = answer(rpc, Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
}

/** The response body for a request body (empty when it only held notifications). */
export function answer(rpc: RpcMethods, body: string): string {
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch {
    return toJson({ jsonrpc: "2.0", error: { code: ErrorCode.ParseError, message: "Parse error" }, id: null });
  }
  if (Array.isArray(request)) {
    if (request.length === 0) return toJson(invalidRequest(null));
    const replies = request.map((r) => handleOne(rpc, r)).filter((r) => r !== null);
    return replies.length ? toJson(replies) : "";
  }
  const reply = handleOne(rpc, request);
  return reply === null ? "" : toJson(reply);
}

function invalidRequest(id: unknown) {
  return { jsonrpc: "2.0", error: { code: ErrorCode.InvalidRequest, message: "Invalid request" }, id: id ?? null };
}

function handleOne(rpc: RpcMethods, request: unknown): unknown | null {
  if (!request || typeof request !== "object" || Array.isArray(request)) return invalidRequest(null);
  const req = request as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  if (req.jsonrpc !== "2.0" || typeof req.method !== "string") return invalidRequest(req.id);
  const notification = !("id" in req);
  let reply: unknown;
  try {
    reply = { jsonrpc: "2.0", result: rpc.call(req.method, req.params), id: req.id };
  } catch (e) {
    if (e instanceof RpcError) {
      reply = { jsonrpc: "2.0", error: e.toJSON(), id: req.id };
    } else {
      console.error(`localnet: ${req.method} failed:`, e);
      reply = { jsonrpc: "2.0", error: { code: ErrorCode.InternalError, message: "Internal error" }, id: req.id };
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
