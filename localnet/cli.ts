/**
 * `node localnet/run.js [flags]` (compiled; or `ts-node --transpile-only localnet/cli.ts`): runs the local validator
 * until SIGINT/SIGTERM.
 *
 *   --port <n>          RPC port (default 8899; 0 = any free port)
 *   --ws-port <n>       WebSocket port (default: RPC port + 1)
 *   --ledger <dir>      data directory (default .localnet/ at the repository root)
 *   --reset             start from an empty ledger
 *   --slot-ms <n>       milliseconds per slot (default 400)
 *   --checkpoint-ms <n> how often the journal is folded into a snapshot (default 2000)
 *   --program <id=path> deploy another program (repeatable; replaces Perpool's
 *                       default target/deploy/perpool.so when the id is the same)
 *   --no-perpool        do not deploy target/deploy/perpool.so
 *   --upgrade-authority <pubkey|keypair file>
 *                       Perpool's upgrade authority (default: <ledger dir>/admin.json,
 *                       created when absent; init_config accepts only it)
 *   --no-publisher      do not deploy the price publisher (target/deploy/pyth_publisher.so)
 *                       at the Pyth receiver's address
 *   --quiet             print only the ready line and errors
 */
import * as fs from "fs";

import { TxRecord } from "./chain";
import { b58decode } from "./encoding";
import { LockError } from "./lock";
import { DEFAULT_RPC_PORT, LocalnetOptions, startLocalnet } from "./server";
import { publicKeyOfSecretKey } from "./wire";

const USAGE = `usage: localnet [--port N] [--ws-port N] [--ledger DIR] [--reset] [--slot-ms N] [--checkpoint-ms N] [--program ID=PATH]... [--no-perpool] [--upgrade-authority PUBKEY|FILE] [--no-publisher] [--quiet]`;

function parseArgs(argv: string[]): LocalnetOptions {
  const opts: LocalnetOptions = { programs: [] };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) fail(`${flag} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.includes("=") && arg.startsWith("--")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        opts.port = int(flag, value());
        break;
      case "--ws-port":
        opts.wsPort = int(flag, value());
        break;
      case "--ledger":
        opts.ledger = value() ?? fail("--ledger needs a directory");
        break;
      case "--reset":
        opts.reset = true;
        break;
      case "--slot-ms":
        opts.slotMs = int(flag, value());
        if (opts.slotMs === 0) fail("--slot-ms must be positive");
        break;
      case "--checkpoint-ms":
        opts.checkpointMs = int(flag, value());
        break;
      case "--program": {
        const spec = value() ?? fail("--program needs ID=PATH");
        const eq = spec.indexOf("=");
        if (eq <= 0) fail(`--program ${spec}: expected ID=PATH`);
        opts.programs!.push({ programId: spec.slice(0, eq), path: spec.slice(eq + 1) });
        break;
      }
      case "--no-perpool":
        opts.perpool = false;
        break;
      case "--upgrade-authority": {
        const v = value() ?? fail("--upgrade-authority needs a public key or a keypair file");
        opts.upgradeAuthority = authorityKey(v);
        break;
      }
      case "--no-publisher":
        opts.publisher = false;
        break;
      case "--quiet":
        opts.quiet = true;
        break;
      case "-h":
      case "--help":
        console.log(USAGE);
        process.exit(0);
      // eslint-disable-next-line no-fallthrough -- process.exit() does not return
      default:
        fail(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return opts;
}

/** A base58 public key as is, or the public key of a keypair file. */
function authorityKey(v: string): string {
  try {
    if (b58decode(v).length === 32) return v;
  } catch {
    // not base58: a file name
  }
  if (!fs.existsSync(v)) fail(`--upgrade-authority ${v}: neither a public key nor a keypair file`);
  try {
    return publicKeyOfSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(v, "utf8")) as number[]));
  } catch (e) {
    fail(`--upgrade-authority ${v}: not a keypair file (${(e as Error).message})`);
  }
}

function fail(message: string): never {
  console.error(`localnet: ${message}`);
  process.exit(2);
}

function describe(r: TxRecord): string {
  const status = r.err === null ? "ok" : `failed ${JSON.stringify(r.err)}`;
  return `slot ${r.slot} tx ${r.signature} ${status} (${r.computeUnitsConsumed} CU)`;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const net = await startLocalnet({
    ...opts,
    log: opts.quiet ? () => {} : undefined,
    port: opts.port ?? DEFAULT_RPC_PORT,
  });
  if (!opts.quiet) net.chain.on("transaction", (r) => console.log(describe(r)));

  // Always printed (scripts and tests read these lines).
  console.log(`Ledger: ${net.dataDir} (slot ${net.chain.slot}, ${net.chain.transactionCount} transactions)`);
  console.log(`RPC URL: ${net.rpcUrl}`);
  console.log(`WebSocket URL: ${net.wsUrl}`);
  console.log(
    `Ready in ${net.startupMs.toFixed(0)} ms (ledger ${net.chain.openMs.toFixed(0)} ms; ` +
      `${performance.now().toFixed(0)} ms since process start)`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!opts.quiet) console.log(`${signal}: saving the ledger and stopping`);
    net.close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e) => {
  console.error(`localnet: ${e instanceof Error ? e.message : String(e)}`);
  if (e instanceof LockError)
    console.error("localnet: stop that validator first, or give this one another --ledger (nothing was changed)");
  process.exit(1);
});
