/**
 * The context every `perpool` command runs in: parsed options, the cluster,
 * the pool, the signing wallet (read only when a command sends), the pool's
 * state at the cluster's clock, and sending with a printed result.
 */
import { Connection, Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { PERPOOL_PROGRAM_ID } from "../constants";
import { clusterTime, sendInstructions } from "../keeper/chain";
import { PoolState, fetchPoolState } from "../pool";
import { PerpoolProgram } from "../program";
import { Args, OptionSpec, UsageError } from "./args";
import {
  AssetRef,
  DeploymentFile,
  makeConnection,
  makeProgram,
  readDeployment,
  readKeypair,
  resolveAsset,
  resolvePool,
  resolveProgramId,
  resolveUrl,
} from "./context";
import { Json, Output } from "./output";
import { AmountError, ParseUnitsOptions, parseUnits } from "./units";

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    name: "url",
    value: "URL",
    help: "RPC URL (default: ANCHOR_PROVIDER_URL, the deployment's cluster, or http://127.0.0.1:8899)",
  },
  {
    name: "data-dir",
    value: "DIR",
    help: "directory with deployment.json: asset symbols and the pool (e.g. .localnet)",
  },
  { name: "pool", value: "ADDRESS|NAME", help: "the pool (default: the deployment's)" },
  { name: "program-id", value: "ADDRESS", help: "Perpool program id (default: the deployment's, else the IDL's)" },
  {
    name: "keypair",
    value: "FILE",
    help: "signer (default: ANCHOR_WALLET, else DIR/demo-wallet.json, else ~/.config/solana/id.json)",
  },
  { name: "json", flag: true, help: "print one JSON document (for scripts)" },
  { name: "dry-run", flag: true, help: "print the quote; send nothing" },
  { name: "help", flag: true, help: "help for the command" },
];

export interface Command {
  /** e.g. "deposit" or "orders place". */
  name: string;
  summary: string;
  /** The command's own options. */
  options: OptionSpec[];
  /** Keypair used when `--keypair` is not given, relative to the data directory (e.g. "admin.json"). */
  defaultKeypair?: string;
  run(cli: Cli): Promise<void>;
}

export class Cli {
  readonly out: Output;
  readonly dryRun: boolean;
  readonly dataDir: string | undefined;
  readonly deployment: DeploymentFile | null;
  readonly url: string;
  readonly programId: PublicKey;
  readonly pool: PublicKey;
  readonly connection: Connection;
  private cachedWallet: Keypair | null = null;
  private cachedProgram: PerpoolProgram | null = null;
  private cachedState: PoolState | null = null;

  constructor(
    readonly args: Args,
    readonly command: Command,
    /** Where the command's output goes (standard output by default). */
    write?: (text: string) => void,
  ) {
    this.out = new Output(args.flag("json"), write);
    this.dryRun = args.flag("dry-run");
    this.dataDir = args.str("data-dir");
    this.deployment = readDeployment(this.dataDir);
    this.url = resolveUrl(args.str("url"), this.deployment);
    this.programId = resolveProgramId(args.str("program-id"), this.deployment) ?? PERPOOL_PROGRAM_ID;
    this.pool = resolvePool(args.str("pool"), this.deployment, this.programId);
    this.connection = makeConnection(this.url);
  }

  /** The signing keypair (read when first needed). */
  wallet(): Keypair {
    if (this.cachedWallet) return this.cachedWallet;
    const explicit = this.args.str("keypair") ?? process.env.ANCHOR_WALLET;
    let file = explicit;
    if (!file && this.dataDir) {
      const candidate = path.join(this.dataDir, this.command.defaultKeypair ?? "demo-wallet.json");
      if (fs.existsSync(candidate)) file = candidate;
    }
    if (!file) {
      const cli = path.join(os.homedir(), ".config", "solana", "id.json");
      if (fs.existsSync(cli)) file = cli;
    }
    if (!file) throw new UsageError(`${this.command.name} signs a transaction: give --keypair FILE`);
    this.cachedWallet = readKeypair(file);
    return this.cachedWallet;
  }

  /** The program, for reads and instruction building (sending signs with `wallet()` directly). */
  program(): PerpoolProgram {
    if (!this.cachedProgram) this.cachedProgram = makeProgram(this.connection, null, this.programId);
    return this.cachedProgram;
  }

  /** The pool's state (fetched once per command). */
  async state(): Promise<PoolState> {
    if (this.cachedState) return this.cachedState;
    const info = await this.connection.getAccountInfo(this.pool);
    if (!info) throw new UsageError(`pool ${this.pool.toBase58()} not found on ${this.url}`);
    this.cachedState = await fetchPoolState(this.program(), this.pool);
    return this.cachedState;
  }

  /** The cluster's clock (unix seconds), which quotes are made at. */
  now(): Promise<BN> {
    return clusterTime(this.connection);
  }

  /** An asset of the pool from option `name` (symbol, mint or custody). */
  async asset(name: string, fallback?: string): Promise<AssetRef> {
    const text = this.args.str(name) ?? fallback;
    if (text === undefined) throw new UsageError(`--${name} is required`);
    return resolveAsset(await this.state(), text, this.deployment, `--${name}`);
  }

  /** A required amount in human units (e.g. `--amount 1.5`). */
  amount(name: string, decimals: number, opts: ParseUnitsOptions = {}): BN {
    return parseUnits(this.args.required(name), decimals, `--${name}`, opts);
  }

  /** An optional amount in human units. */
  optionalAmount(name: string, decimals: number, opts: ParseUnitsOptions = {}): BN | undefined {
    const v = this.args.str(name);
    return v === undefined ? undefined : parseUnits(v, decimals, `--${name}`, opts);
  }

  /** Slippage in bps (`--slippage-bps`, default 100 = 1 %). */
  slippageBps(): number {
    const bps = this.args.int("slippage-bps", 100);
    if (bps >= 10_000) throw new AmountError(`--slippage-bps ${bps}: must be below 10000`);
    return bps;
  }

  /**
   * Sends `ixs` signed by the wallet, unless `--dry-run`; prints the
   * signature (or that nothing was sent) and emits the JSON result.
   */
  async send(ixs: TransactionInstruction[], result: { [key: string]: Json }): Promise<string | null> {
    if (this.dryRun) {
      this.out.line("dry-run: nothing sent");
      this.out.result({ ...result, dryRun: true, signature: null });
      return null;
    }
    const sent = await sendInstructions(this.program(), this.wallet(), ixs);
    this.out.line(`sent: ${sent.signature}`);
    if (sent.events.length > 0) this.out.line(`events: ${sent.events.map((e) => e.name).join(", ")}`);
    this.out.result({ ...result, dryRun: false, signature: sent.signature, events: sent.events.map((e) => e.name) });
    return sent.signature;
  }
}
