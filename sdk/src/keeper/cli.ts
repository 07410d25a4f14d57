/**
 * `perpool-keeper`: runs the keeper against a cluster.
 *
 *   perpool-keeper --url <rpc> [--ws <url>] --pool <address|name> --keypair <file>
 *                  [--data-dir DIR] [--dry-run] [--once] [--interval-ms N]
 *
 * Logs one line per event on stdout. `--once` scans once and exits (1 when
 * an action failed); otherwise it watches until SIGINT/SIGTERM.
 */
import { LAMPORTS_PER_SOL } from "@solana/web3.js";
import * as fs from "fs";

import { Args, OptionSpec, UsageError, optionsHelp, parseArgs } from "../cli/args";
import {
  createKeypairFile,
  expandHome,
  makeConnection,
  makeProgram,
  readDeployment,
  readKeypair,
  resolvePool,
  resolveProgramId,
  resolveUrl,
} from "../cli/context";
import { PERPOOL_PROGRAM_ID } from "../constants";
import { Keeper, KeeperSummary } from "./keeper";
import { describeError } from "./chain";

const OPTIONS: OptionSpec[] = [
  {
    name: "url",
    value: "URL",
    help: "RPC URL (default: ANCHOR_PROVIDER_URL, the deployment's cluster, or http://127.0.0.1:8899)",
  },
  { name: "ws", value: "URL", help: "WebSocket URL (default: the RPC port + 1)" },
  { name: "pool", value: "ADDRESS|NAME", help: "pool to defend (default: the pool of --data-dir's deployment.json)" },
  {
    name: "keypair",
    value: "FILE",
    help: "keeper keypair: signs, pays fees, receives rewards (default: ANCHOR_WALLET)",
  },
  { name: "data-dir", value: "DIR", help: "directory with deployment.json (pool names and addresses)" },
  { name: "program-id", value: "ADDRESS", help: "Perpool program id (default: the deployment's, else the IDL's)" },
  { name: "dry-run", flag: true, help: "report what would be done; send nothing" },
  { name: "once", flag: true, help: "scan once, print the summary and exit" },
  { name: "interval-ms", value: "N", help: "polling fallback interval (default 10000)" },
  { name: "debounce-ms", value: "N", help: "quiet time after a change before scanning (default 250)" },
  { name: "create-keypair", flag: true, help: "create the --keypair file when it does not exist" },
  { name: "airdrop-sol", value: "N", help: "local clusters: top the keeper up to N SOL by airdrop when below half" },
  { name: "verbose", flag: true, help: "log every scan, not only those that act" },
  { name: "json", flag: true, help: "with --once: print the summary as JSON" },
  { name: "help", flag: true, help: "this help" },
];

const USAGE = `perpool-keeper: liquidates positions and loans, executes trigger orders and auto-deleverages for one Perpool pool

usage: perpool-keeper --url <rpc> [--ws <url>] --pool <address|name> --keypair <file> [--dry-run] [--once] [--interval-ms N]

${optionsHelp(OPTIONS)}`;

function summaryJson(s: KeeperSummary) {
  return {
    now: s.now.toString(),
    dryRun: s.dryRun,
    positions: s.positions,
    orders: s.orders,
    loans: s.loans,
    durationMs: s.durationMs,
    actions: s.actions.map((a) => ({
      kind: a.kind,
      target: a.target.toBase58(),
      owner: a.owner.toBase58(),
      status: a.status,
      signature: a.signature ?? null,
      error: a.error ?? null,
      details: a.details,
      events: a.events.map((e) => e.name),
    })),
    skipped: s.skipped.map((x) => ({ target: x.target.toBase58(), reason: x.reason })),
  };
}

export async function main(argv: string[]): Promise<number> {
  const args = new Args(parseArgs(argv, OPTIONS));
  if (args.flag("help")) {
    console.log(USAGE);
    return 0;
  }
  if (args.parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${args.parsed.positionals[0]}`);
  const dataDir = args.str("data-dir");
  const deployment = readDeployment(dataDir);
  const url = resolveUrl(args.str("url"), deployment);
  const programId = resolveProgramId(args.str("program-id"), deployment);
  const pool = resolvePool(args.str("pool"), deployment, programId ?? PERPOOL_PROGRAM_ID);
  const keypairFile = args.str("keypair") ?? process.env.ANCHOR_WALLET;
  if (!keypairFile) throw new UsageError("--keypair is required (or ANCHOR_WALLET)");
  const keypair =
    args.flag("create-keypair") && !fs.existsSync(expandHome(keypairFile))
      ? createKeypairFile(keypairFile)
      : readKeypair(keypairFile);
  const connection = makeConnection(url, args.str("ws"));
  const program = makeProgram(connection, keypair, programId);

  if (args.has("airdrop-sol")) {
    const target = BigInt(args.int("airdrop-sol", 0, 1)) * BigInt(LAMPORTS_PER_SOL);
    const balance = BigInt(await connection.getBalance(keypair.publicKey));
    if (balance < target / 2n) {
      const signature = await connection.requestAirdrop(keypair.publicKey, Number(target - balance));
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
      console.log(
        `${new Date().toISOString()} airdropped ${Number(target - balance) / LAMPORTS_PER_SOL} SOL to keeper ${keypair.publicKey.toBase58()}`,
      );
    }
  }

  const keeper = new Keeper({
    program,
    pool,
    keeper: keypair,
    dryRun: args.flag("dry-run"),
    pollIntervalMs: args.int("interval-ms", 10_000, 100),
    debounceMs: args.int("debounce-ms", 250),
    verbose: args.flag("verbose") || args.flag("once"),
  });

  if (args.flag("once")) {
    const summary = await keeper.runOnce();
    if (args.flag("json")) console.log(JSON.stringify(summaryJson(summary), null, 2));
    return summary.actions.some((a) => a.status === "failed") ? 1 : 0;
  }

  await keeper.start();
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await keeper.stop();
  return 0;
}

/** Entry point of the `perpool-keeper` executable. */
export function run(): void {
  const exit = (code: number) => process.stdout.write("", () => process.exit(code));
  main(process.argv.slice(2)).then(exit, (e) => {
    if (e instanceof UsageError) {
      console.error(`perpool-keeper: ${e.message}\n(see perpool-keeper --help)`);
      exit(2);
      return;
    }
    console.error(`perpool-keeper: ${describeError(e)}`);
    exit(1);
  });
}

if (require.main === module) run();
