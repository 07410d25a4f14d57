/**
 * Hostile input against the local validator run as `npm start` runs it (its
 * own process, started here on a free loopback port, stopped by its PID).
 * Every input must get a JSON-RPC error or a closed socket, the server must
 * keep answering `getHealth`, and its resident memory must stay bounded.
 *
 * Memory bound: after the validator has started and served one 600 KB
 * account (the baseline), its RSS (VmRSS in /proc/<pid>/status) must stay
 * within 128 MiB of the baseline. The inputs here would each take the process to
 * several GB, or kill it, without the limits; the bound leaves room for V8's
 * garbage collector to run late, nothing more.
 */
import { Connection, Keypair, LAMPORTS_PER_SOL, SystemProgram, Transaction } from "@solana/web3.js";
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

import { RpcReply, ValidatorProcess, rpcCall, waitFor } from "./harness";

/** A size close to the account of the original report (616 KB). */
const BIG_ACCOUNT_BYTES = 616_000;

interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function post(
  url: string,
  body: string | Buffer,
  contentType: string | null = "application/json",
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers["content-type"] = contentType;
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A getHealth over a new connection of its own (fetch would reuse a pooled one): answered, or closed unanswered. */
function freshConnectionHealth(port: number): Promise<"answered" | "closed"> {
  return new Promise((resolve) => {
    const body = `{"jsonrpc":"2.0","id":1,"method":"getHealth"}`;
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("error", () => {});
    socket.on("close", () => resolve(/"result":"ok"/.test(text) ? "answered" : "closed"));
  });
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

// --- a bare WebSocket client (frames written by hand, so they can be wrong) -----------

interface Frame {
  opcode: number;
  payload: Buffer;
}

/** A client frame: FIN set, masked as RFC 6455 requires of clients. */
function clientFrame(opcode: number, payload: Buffer, declaredLength?: number): Buffer {
  const length = declaredLength ?? payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, 0x80 | length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = crypto.randomBytes(4);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([header, mask, masked]);
}

class RawWs {
  readonly frames: Frame[] = [];
  bytesReceived = 0;
  closed = false;
  private buffer = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => (this.closed = true));
  }

  /** Connects and completes the opening handshake. */
  static connect(wsUrl: string): Promise<RawWs> {
    const url = new URL(wsUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.write(
          `GET / HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        socket.off("data", onData);
        socket.off("error", reject);
        const status = head.subarray(0, end).toString();
        if (!status.startsWith("HTTP/1.1 101")) {
          socket.on("error", () => {}).destroy();
          return reject(new Error(`no upgrade: ${status}`));
        }
        const ws = new RawWs(socket);
        const rest = head.subarray(end + 4);
        if (rest.length) socket.emit("data", rest);
        resolve(ws);
      };
      socket.on("data", onData);
    });
  }

  sendText(text: string): void {
    this.socket.write(clientFrame(0x1, Buffer.from(text)));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** JSON messages received so far. */
  messages(): any[] {
    return this.frames.filter((f) => f.opcode === 0x1).map((f) => JSON.parse(f.payload.toString()));
  }

  closeFrame(): { code: number; reason: string } | null {
    const f = this.frames.find((x) => x.opcode === 0x8);
    if (!f) return null;
    return { code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005, reason: f.payload.subarray(2).toString() };
  }

  async waitMessages(n: number, what: string): Promise<any[]> {
    await waitFor(() => this.messages().length >= n, what, 20_000);
    return this.messages();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      this.frames.push({ opcode: b[0] & 0x0f, payload: Buffer.from(b.subarray(offset, offset + length)) });
      this.buffer = b.subarray(offset + length);
    }
  }
}

// --- the suite ------------------------------------------------------------------------

describe("localnet under hostile input", function () {
  this.timeout(120_000);

  let dir: string;
  let validator: ValidatorProcess;
  let url: string;
  let wsUrl: string;
  let connection: Connection;
  let payer: Keypair;
  let big: Keypair;
  let baselineRss: number;
  /** What the validator's memory may grow by over its baseline in any case here. */
  const RSS_ALLOWANCE = 128 * 2 ** 20;

  const healthy = async () => {
    const reply = await rpcCall(url, "getHealth");
    expect(reply.result).to.equal("ok");
    const rss = rssBytes(validator.child.pid!);
    // Bounded: the garbage of a few requests on a 616 KB account (each of its
    // transactions writes ~1.6 MB of journal and notification text before V8
    // collects it), never what a client left unread or an attack piled up.
    expect(
      rss,
      `RSS ${(rss / 2 ** 20).toFixed(0)} MiB against a baseline of ${(baselineRss / 2 ** 20).toFixed(0)} MiB`,
    ).to.be.lessThan(baselineRss + RSS_ALLOWANCE);
  };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "perpool-hostile-"));
    validator = await ValidatorProcess.start(dir, ["--no-perpool", "--no-publisher", "--slot-ms", "100"]);
    url = validator.url;
    // The RPC port takes WebSocket upgrades too.
    wsUrl = url.replace("http://", "ws://");
    connection = new Connection(url, "confirmed");

    // Given a large account (a plain System account, 616 KB of zeros).
    payer = Keypair.generate();
    big = Keypair.generate();
    await connection.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL);
    const rent = await connection.getMinimumBalanceForRentExemption(BIG_ACCOUNT_BYTES);
    const tx = new Transaction().add(
      SystemProgram.createAccount({
        fromPubkey: payer.publicKey,
        newAccountPubkey: big.publicKey,
        lamports: rent,
        space: BIG_ACCOUNT_BYTES,
        programId: SystemProgram.programId,
      }),
    );
    await connection.sendTransaction(tx, [payer, big]);
    const info = await connection.getAccountInfo(big.publicKey);
    expect(info!.data.length).to.equal(BIG_ACCOUNT_BYTES);
    baselineRss = rssBytes(validator.child.pid!);
    // The process measured is the validator itself (node, litesvm, the ledger), not a wrapper.
    expect(baselineRss).to.be.greaterThan(64 * 2 ** 20);
  });

  after(async () => {
    if (validator) await validator.stop("SIGTERM");
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("HTTP", () => {
    it("refuses an id nested 2,000 levels deep with -32600", async () => {
      const id = "[".repeat(2000) + "]".repeat(2000);
      const reply = await post(url, `{"jsonrpc":"2.0","id":${id},"method":"getHealth"}`);
      expect(reply.status).to.equal(200);
      expect(reply.json.error.code).to.equal(-32600);
      expect(reply.json.error.message).to.equal("Invalid request: `id` must be a string, a number or null");
      expect(reply.json.id).to.equal(null);
      await healthy();
    });

    it("refuses ids of other wrong types, and echoes string, number and null ids", async () => {
      for (const id of ["{}", "true", "[1]", '{"a":[[[]]]}']) {
        const reply = await post(url, `{"jsonrpc":"2.0","id":${id},"method":"getHealth"}`);
        expect(reply.json.error.code, id).to.equal(-32600);
        expect(reply.json.id).to.equal(null);
      }
      for (const id of ['"abc"', "7", "null", "18446744073709551615"]) {
        const reply = await post(url, `{"jsonrpc":"2.0","id":${id},"method":"getHealth"}`);
        expect(reply.json.result, id).to.equal("ok");
        // The id comes back as sent, digit for digit.
        expect(reply.text).to.contain(`"id":${id}`);
      }
      await healthy();
    });

    it("answers the 93 KB batch of 700 getAccountInfo of a 616 KB account with 413 and a JSON-RPC error", async () => {
      const one = {
        jsonrpc: "2.0",
        id: 1,
        method: "getAccountInfo",
        params: [big.publicKey.toBase58(), { encoding: "base64" }],
      };
      const body = JSON.stringify(Array.from({ length: 700 }, (_, i) => ({ ...one, id: i })));
      expect(body.length).to.be.greaterThan(90_000);
      const reply = await post(url, body);
      expect(reply.status).to.equal(413);
      expect(reply.json.error.code).to.equal(-32600);
      expect(reply.json.error.message).to.equal("Payload Too Large: the request body is over 51200 bytes");
      await healthy();
    });

    it("answers a small batch whose replies would pass the response cap with one JSON-RPC error", async () => {
      // 30 × 616 KB in base64 is 24.6 M characters, over the 16 Mi cap; the body is 3.5 KB.
      const body = JSON.stringify(
        Array.from({ length: 30 }, (_, i) => ({
          jsonrpc: "2.0",
          id: i,
          method: "getAccountInfo",
          params: [big.publicKey.toBase58(), { encoding: "base64" }],
        })),
      );
      const reply = await post(url, body);
      expect(reply.status).to.equal(200);
      expect(reply.json.error.code).to.equal(-32600);
      expect(reply.json.error.message).to.match(
        /^Response too large: the batch's answers are over 16777216 characters/,
      );
      // One of them is fine.
      const single = await rpcCall(url, "getAccountInfo", [big.publicKey.toBase58(), { encoding: "base64" }]);
      expect(Buffer.from(single.result.value.data[0], "base64").length).to.equal(BIG_ACCOUNT_BYTES);
      await healthy();
    });

    it("refuses batches of more than 100 requests, and an empty batch", async () => {
      const body = JSON.stringify(
        Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "getHealth" })),
      );
      const reply = await post(url, body);
      expect(reply.json.error).to.deep.equal({
        code: -32600,
        message: "Invalid request: a batch of 101 requests is over the limit of 100",
      });
      const ok = await post(
        url,
        JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "getHealth" }))),
      );
      expect(ok.json).to.have.length(100);
      const empty = await post(url, "[]");
      expect(empty.json.error.code).to.equal(-32600);
      await healthy();
    });

    it("answers malformed JSON with -32700", async () => {
      for (const body of [
        "{",
        '{"jsonrpc":"2.0",',
        "\u0000\u0001",
        "[1,2",
        '{"id":1 "method":"x"}',
        "",
        "nul",
        '{"a":12345678901234567890',
      ]) {
        const reply = await post(url, body);
        expect(reply.status, JSON.stringify(body)).to.equal(200);
        expect(reply.json.error.code, JSON.stringify(body)).to.equal(-32700);
        expect(reply.json.error.message).to.match(/^Parse error: /);
      }
      await healthy();
    });

    it("answers wrong types with -32600 or -32602", async () => {
      const cases: [string, number][] = [
        ['{"jsonrpc":"1.0","id":1,"method":"getHealth"}', -32600],
        ['{"jsonrpc":"2.0","id":1,"method":7}', -32600],
        ['{"jsonrpc":"2.0","id":1}', -32600],
        ["42", -32600],
        ['"getHealth"', -32600],
        ['{"jsonrpc":"2.0","id":1,"method":"getBalance","params":"x"}', -32602],
        ['{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[7]}', -32602],
        ['{"jsonrpc":"2.0","id":1,"method":"getBalance","params":[{"a":1}]}', -32602],
        ['{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111",7]}', -32602],
        [
          '{"jsonrpc":"2.0","id":1,"method":"getAccountInfo","params":["11111111111111111111111111111111",{"encoding":7}]}',
          -32602,
        ],
        ['{"jsonrpc":"2.0","id":1,"method":"getSignatureStatuses","params":[[1,2]]}', -32602],
        ['{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["11111111111111111111111111111111",-1]}', -32602],
        [
          '{"jsonrpc":"2.0","id":1,"method":"requestAirdrop","params":["11111111111111111111111111111111",1.5]}',
          -32602,
        ],
        ['{"jsonrpc":"2.0","id":1,"method":"getMultipleAccounts","params":[{"length":1e9}]}', -32602],
        ['{"jsonrpc":"2.0","id":1,"method":"__proto__"}', -32601],
        ['{"jsonrpc":"2.0","id":1,"method":"constructor"}', -32601],
      ];
      for (const [body, code] of cases) {
        const reply = await post(url, body);
        expect(reply.json.error?.code, body).to.equal(code);
        expect(reply.json.error.message, body)
          .to.be.a("string")
          .and.not.match(/Invalid params: Invalid params/);
      }
      await healthy();
    });

    it("refuses a 10 MB body with 413 and deep bodies with a JSON-RPC error", async () => {
      const huge = await post(
        url,
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth", params: ["x".repeat(10_000_000)] }),
      );
      expect(huge.status).to.equal(413);
      expect(huge.json.error.code).to.equal(-32600);

      // 25,000 levels fit in the body limit.
      const deepParams = `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":${"[".repeat(25_000)}${"]".repeat(25_000)}}`;
      expect((await post(url, deepParams)).json.error.code).to.equal(-32602);
      // A batch holding one deep array: its one reply is -32600.
      const deepBatch = "[".repeat(25_000) + "]".repeat(25_000);
      const batchReply = await post(url, deepBatch);
      expect(batchReply.json).to.have.length(1);
      expect(batchReply.json[0].error.code).to.equal(-32600);
      // With a long integer in it the body goes to the exact parser, which caps nesting.
      const deepBig = `{"jsonrpc":"2.0","id":1,"method":"getBalance","params":${"[".repeat(20_000)}12345678901234567890${"]".repeat(20_000)}}`;
      const reply = await post(url, deepBig);
      expect(reply.json.error.code).to.equal(-32700);
      expect(reply.json.error.message).to.match(/nested deeper than 512 levels/);
      await healthy();
    });

    it("refuses POST bodies that are not JSON (415), answers preflights, and takes JSON with a charset", async () => {
      const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "getHealth" });
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null]) {
        const reply = await post(url, body, type);
        expect(reply.status, String(type)).to.equal(415);
        expect(reply.json.error.code).to.equal(-32600);
        expect(reply.json.error.message).to.match(/^Unsupported Media Type: .*send the request as application\/json$/);
        expect(reply.headers.get("access-control-allow-origin")).to.equal("*");
      }
      const charset = await post(url, body, "application/json; charset=utf-8");
      expect(charset.json.result).to.equal("ok");
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: {
          origin: "http://localhost:5173",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, solana-client",
        },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get("access-control-allow-headers")).to.equal("content-type, solana-client");
      await healthy();
    });

    it("answers bad transactions with -32602 or -32003, and loses nothing", async () => {
      const before = await connection.getBalance(payer.publicKey);
      const send = (tx: string, encoding: string) => rpcCall(url, "sendTransaction", [tx, { encoding }]);
      const notB64 = await send("!!!not base64!!!", "base64");
      expect(notB64.error!.code).to.equal(-32602);
      expect(notB64.error!.message).to.equal("invalid base64 encoding: invalid base64");
      const notB58 = await send("0OIl", "base58");
      expect(notB58.error!.code).to.equal(-32602);
      expect(notB58.error!.message).to.match(/^invalid base58 encoding: invalid base58 character "0"/);
      const tooLong = await send("A".repeat(5000), "base64");
      expect(tooLong.error!.message).to.match(/too large: 5000 bytes/);
      const pattern = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
      const garbage = await send(pattern.toString("base64"), "base64");
      expect(garbage.error!.code).to.equal(-32602);
      expect(garbage.error!.message).to.match(
        /^failed to deserialize solana_transaction::versioned::VersionedTransaction: /,
      );

      const { blockhash } = await connection.getLatestBlockhash();
      const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
        SystemProgram.transfer({
          fromPubkey: payer.publicKey,
          toPubkey: Keypair.generate().publicKey,
          lamports: 1_000_000,
        }),
      );
      tx.sign(payer);
      const wire = tx.serialize();
      const truncated = await send(wire.subarray(0, wire.length - 10).toString("base64"), "base64");
      expect(truncated.error!.code).to.equal(-32602);
      const forged = Buffer.from(wire);
      forged[1 + 10] ^= 0xff; // a byte of the signature
      const badSig = await send(forged.toString("base64"), "base64");
      expect(badSig.error).to.deep.equal({ code: -32003, message: "Transaction signature verification failure" });
      const wrongSigner = Buffer.from(wire);
      wrongSigner.set(Keypair.generate().secretKey.subarray(0, 64), 1); // 64 bytes that sign nothing
      expect((await send(wrongSigner.toString("base64"), "base64")).error!.code).to.equal(-32003);
      expect(await connection.getBalance(payer.publicKey)).to.equal(before);
      await healthy();
    });
  });

  describe("WebSocket", () => {
    it("answers invalid JSON and wrong types with errors on the same socket", async () => {
      const ws = await RawWs.connect(wsUrl);
      ws.sendText("{not json");
      ws.sendText('{"jsonrpc":"2.0","id":[[[[]]]],"method":"slotSubscribe"}');
      ws.sendText('{"jsonrpc":"2.0","id":3,"method":"accountSubscribe","params":[7]}');
      ws.sendText('{"jsonrpc":"2.0","id":4,"method":"accountUnsubscribe","params":[123456789]}');
      const [parse, badId, badKey, badUnsub] = await ws.waitMessages(4, "four error replies");
      expect(parse.error.code).to.equal(-32700);
      expect(badId.error.code).to.equal(-32600);
      expect(badId.id).to.equal(null);
      expect(badKey.error.code).to.equal(-32602);
      expect(badUnsub.error.code).to.equal(-32602);
      expect(ws.closed).to.equal(false);
      ws.destroy();
      await healthy();
    });

    it("closes the socket on a binary frame (1003), an oversized frame (1009) and invalid UTF-8 (1007)", async () => {
      const cases: [Buffer, number][] = [
        [clientFrame(0x2, Buffer.from('{"jsonrpc":"2.0","id":1,"method":"slotSubscribe"}')), 1003],
        // A header announcing 2^40 bytes: refused before any of it is buffered.
        [clientFrame(0x1, Buffer.alloc(0), 2 ** 40), 1009],
        [
          clientFrame(
            0x1,
            Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "x", params: ["y".repeat(100_000)] })),
          ),
          1009,
        ],
        [clientFrame(0x1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1])), 1007],
      ];
      for (const [frame, code] of cases) {
        const ws = await RawWs.connect(wsUrl);
        ws.sendRaw(frame);
        await waitFor(() => ws.closeFrame() !== null, `a close frame (${code})`, 10_000);
        expect(ws.closeFrame()!.code).to.equal(code);
        ws.destroy();
      }
      await healthy();
    });

    it("caps connections: the 1,001st WebSocket gets a 503 saying why, HTTP connections past 1,000 are closed; both recover", async () => {
      const sockets: RawWs[] = [];
      try {
        // Until the first refusal: other clients of the suite may hold a connection or two.
        const refusals: string[] = [];
        while (refusals.length === 0 && sockets.length < 1100) {
          for (const r of await Promise.allSettled(Array.from({ length: 50 }, () => RawWs.connect(wsUrl)))) {
            if (r.status === "fulfilled") sockets.push(r.value);
            else refusals.push((r.reason as Error).message);
          }
        }
        expect(sockets.length).to.be.within(990, 1000);
        for (const refused of refusals) expect(refused).to.match(/^no upgrade: HTTP\/1\.1 503 Service Unavailable/);
        // One closed, one more accepted; the open ones still work.
        sockets.pop()!.destroy();
        await waitFor(
          async () =>
            await RawWs.connect(wsUrl).then(
              (ws) => (sockets.push(ws), true),
              () => false,
            ),
          "a free slot after a close",
          5_000,
        );
        sockets[0].sendText(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "slotSubscribe" }));
        await sockets[0].waitMessages(1, "a reply on an old connection");
        expect(typeof sockets[0].messages()[0].result).to.equal("number");
      } finally {
        for (const ws of sockets) ws.destroy();
      }
      // HTTP: 1,010 idle connections; the server holds at most 1,000 (fewer when clients of the
      // suite still hold some), so at least 10 are closed as they arrive, unanswered.
      const port = Number(new URL(url).port);
      const idle: { socket: net.Socket; closed: boolean }[] = [];
      try {
        for (let i = 0; i < 1010; i++) {
          const entry = { socket: net.connect(port, "127.0.0.1"), closed: false };
          entry.socket.on("error", () => {}).on("close", () => (entry.closed = true));
          idle.push(entry);
        }
        await Promise.all(
          idle.map(
            ({ socket }) =>
              new Promise((resolve) =>
                socket.connecting ? socket.once("connect", resolve).once("close", resolve) : resolve(null),
              ),
          ),
        );
        await waitFor(
          () => idle.filter((e) => e.closed).length >= 10,
          "the server to close the connections past its cap",
          5_000,
        );
        expect(idle.filter((e) => e.closed).length).to.be.lessThan(100);
      } finally {
        for (const { socket } of idle) socket.destroy();
      }
      await waitFor(async () => (await freshConnectionHealth(port)) === "answered", "HTTP again", 5_000);
      await healthy();
    });

    it("caps subscriptions per connection at 1,000 with a -32602 error past the cap", async () => {
      const ws = await RawWs.connect(wsUrl);
      // Accounts nobody writes, so no notification adds to the traffic.
      for (let b = 0; b < 11; b++) {
        const batch = Array.from({ length: 100 }, (_, i) => ({
          jsonrpc: "2.0",
          id: b * 100 + i,
          method: "accountSubscribe",
          params: [Keypair.generate().publicKey.toBase58()],
        }));
        ws.sendText(JSON.stringify(batch));
      }
      await waitFor(() => ws.messages().filter(Array.isArray).length >= 11, "11 batch replies", 20_000);
      const replies = ws.messages().filter(Array.isArray).flat() as RpcReply[];
      const ok = replies.filter((r) => typeof r.result === "number");
      const refused = replies.filter((r) => r.error);
      expect(ok).to.have.length(1000);
      expect(refused).to.have.length(100);
      expect(refused[0].error!.code).to.equal(-32602);
      expect(refused[0].error!.message).to.match(/^Too many subscriptions on this connection: the limit is 1000/);
      // A batch over the batch limit is refused whole.
      ws.sendText(
        JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "slotSubscribe" }))),
      );
      await waitFor(
        () =>
          ws
            .messages()
            .some(
              (m) =>
                !Array.isArray(m) &&
                m.error?.message === "Invalid request: a batch of 101 requests is over the limit of 100",
            ),
        "batch refusal",
      );
      ws.destroy();
      await healthy();
    });

    it("drops a client that never reads, with its subscriptions, and keeps its memory bounded", async () => {
      const ws = await RawWs.connect(wsUrl);
      ws.sendText(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "accountSubscribe",
          params: [big.publicKey.toBase58(), { encoding: "base64" }],
        }),
      );
      await ws.waitMessages(1, "subscription id");
      // Stop reading: from here the server's output to this client piles up.
      ws.socket.pause();
      // Every transfer to the account sends ~820 KB of notification: 60 of them are 49 MB.
      const notifications = 60;
      const { blockhash } = await connection.getLatestBlockhash();
      for (let i = 0; i < notifications; i++) {
        const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
          SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: big.publicKey, lamports: 1 + i }),
        );
        tx.sign(payer);
        await connection.sendRawTransaction(tx.serialize());
      }
      await healthy();
      // Read again: the stream ends (the server cut it) well short of everything sent.
      ws.socket.resume();
      await waitFor(() => ws.closed, "the server to drop the slow client", 20_000);
      const notificationBytes = 820_000;
      expect(ws.bytesReceived).to.be.lessThan((notifications * notificationBytes) / 2);
      await healthy();
    });
  });
});
