/**
 * Creates Perpool's config, a pool and its custodies on a cluster, from a
 * config file, through the SDK only. Idempotent: what exists is left alone,
 * so running it again changes nothing (and says so).
 *
 *   ts-node migrations/deploy.ts [--config migrations/localnet.json] [--url URL]
 *                                [--keypair admin.json] [--data-dir DIR]
 *
 * The cluster is `--url`, else `ANCHOR_PROVIDER_URL`, else the file's
 * `cluster`; the admin keypair is `--keypair`, else `ANCHOR_WALLET`, else the
 * file's `adminKeypair` (relative to the data directory, default
 * `admin.json`). The data directory is `--data-dir`, else the file's
 * `dataDir` (relative to the repository root, default `.localnet`). On a local cluster
 * (loopback URL) a missing admin keypair is generated and funded by airdrop.
 * Assets without a `mint` get a test mint whose keypair is kept in
 * `<data dir>/keys/`, so its address survives a ledger reset.
 *
 * The program must already be deployed upgradeable (BPF Loader Upgradeable)
 * with the admin as its upgrade authority: `init_config` accepts no one else.
 * The local validators deploy it so (`localnet/`, and `npm start -- --validator
 * agave` through `--upgradeable-program`); on another cluster deploy it with
 * `solana program deploy --upgrade-authority <admin keypair>`.
 *
 * Every asset is priced by a Pyth feed (`pyth.feedId`). On a local cluster,
 * where the price publisher (programs/pyth-publisher) runs at the Pyth
 * receiver's address, its account is the publisher's PDA of the feed, created
 * by publishing `price` once (the admin is its write authority); on any other
 * cluster it is Pyth's feed account (push oracle PDA of the feed and
 * `pyth.shard`, default 0: the sponsored feeds), which must exist. The program
 * takes no other account: a custody's oracle is the PDA its settings name
 * (`oracleShard`, `feedId`, `oracleProgram`), so clients derive it.
 *
 * Settings go through the pool's timelock. The config's minimum timelock
 * (`minTimelockSecs`) and a new pool's timelock (`pool.params.timelockSecs`)
 * default to 24 h on a public cluster and 0 on a local one. When the pool's or
 * a custody's settings on chain differ from the file, the deploy proposes the
 * file's settings, and executes the proposal once it is due: at once on a
 * local cluster, on a later run elsewhere (until then each run says when). A
 * higher timelock in the file is applied at once (`raise_timelock`).
 *
 * The addresses the app needs are written to `<data dir>/deployment.json`.
 */
import * as anchor from "@coral-xyz/anchor";
import {
  Connection,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  Signer,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";
import * as fs from "fs";
import * as path from "path";

import {
  CustodyParams,
  CustodySettings,
  DEFAULT_TIMELOCK_SECS,
  LP_DECIMALS,
  LiteSvmProvider,
  PoolParams,
  addCustodyIx,
  configPda,
  decodePriceUpdateV2,
  decodeProgramDeployment,
  feedIdFromHex,
  isPricePublisher,
  priceFeedPda,
  programDataPda,
  publishPriceIx,
  pythPushFeedAccount,
  PYTH_RECEIVER_PROGRAM_ID,
  PRICE_PUBLISHER_PROGRAM_ID,
  PYTH_PUSH_ORACLE_PROGRAM_ID,
  createMint,
  createPoolIx,
  custodyAddresses,
  decodeMint,
  defaultCustodyParams,
  defaultRiskParams,
  RiskParams,
  PerpoolProgram,
  Proposal,
  clusterTime,
  custodySettingsOf,
  defaultPoolParams,
  executeProposalIx,
  fetchConfig,
  fetchCustody,
  fetchPoolProposals,
  fetchPoolState,
  findPoolLookupTable,
  poolLookupTableIxs,
  fetchProposal,
  findCustody,
  initConfigIx,
  lpMintPda,
  nextProposalAddress,
  perpoolProgram,
  poolPda,
  poolParamsOf,
  proposalExecutableAt,
  proposalIsDue,
  proposalSettings,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  raiseTimelockIx,
  sameSettings,
  settingsChanges,
} from "../sdk/src";

const REPO_ROOT = path.resolve(__dirname, "..");
export const DEFAULT_CONFIG = path.join(__dirname, "localnet.json");
/** Published prices carry 8 decimals (Pyth's exponent for USD feeds). */
const PRICE_EXPO = -8;

/** Parameter overrides: numbers, booleans, or decimal strings for u64/i64 fields. */
export type ParamOverrides = Record<string, number | string | boolean>;

export interface AssetConfig {
  symbol: string;
  decimals: number;
  /** USD price published once on local clusters, e.g. "150" or "0.9998" (at most 8 decimals). */
  price: string | number;
  isStable: boolean;
  targetWeightBps: number;
  /** An existing mint. Default: a test mint created by the deploy (mint authority: the admin). */
  mint?: string;
  /**
   * The asset's Pyth feed (id in hex). Its PriceUpdateV2 account: on local
   * clusters the publisher's PDA of the feed and `shard` (default 0); elsewhere
   * `account`, default Pyth's sponsored feed account of that shard.
   */
  pyth: { feedId: string; shard?: number };
  /** Overrides of `defaultCustodyParams`. */
  params?: ParamOverrides;
  /** Overrides of `defaultRiskParams` (price impact, funding, ADL); stablecoins get none. */
  risk?: ParamOverrides;
}

export interface DeployConfig {
  cluster: string;
  /** Where keys and deployment.json live, relative to the repository root. Default ".localnet". */
  dataDir?: string;
  /** The admin's keypair file, relative to the data directory. Default "admin.json". */
  adminKeypair?: string;
  /** Local clusters: airdrop the admin this many SOL when it holds less than half. Default 100. */
  airdropSol?: number;
  /** The config's shortest pool timelock, seconds (set once). Default: 0 on a local cluster, 24 h elsewhere. */
  minTimelockSecs?: number;
  pool: { name: string; params?: ParamOverrides };
  assets: AssetConfig[];
}

export interface DeployOptions {
  url?: string;
  keypair?: string;
  dataDir?: string;
  log?: (line: string) => void;
}

/** What `deployment.json` holds: every address the app and scripts need. */
export interface Deployment {
  cluster: string;
  programId: string;
  admin: string;
  config: string;
  pool: { name: string; address: string; lpMint: string; lpDecimals: number };
  assets: {
    symbol: string;
    decimals: number;
    isStable: boolean;
    mint: string;
    custody: string;
    vault: string;
    /** The custody's PriceUpdateV2 account. */
    oracle: string;
    /** Its Pyth feed id (hex), and the shard of its account (the publisher's / push oracle's PDA seed). */
    feedId: string;
    shard: number;
  }[];
  /** "publisher": prices are published by the local price publisher (its accounts' write authority is the admin); "pyth": Pyth's own. */
  prices: "publisher" | "pyth";
  /** The pool's address lookup table (its non-user accounts), for clients' v0 transactions. */
  lookupTable: string;
}

export interface DeployResult {
  deployment: Deployment;
  /** What was created or set; empty when everything already existed. */
  actions: string[];
  deploymentPath: string;
  /** Whether deployment.json was (re)written. */
  wroteDeployment: boolean;
}

export function loadConfig(file: string = DEFAULT_CONFIG): DeployConfig {
  return JSON.parse(fs.readFileSync(file, "utf8")) as DeployConfig;
}

const fromRoot = (p: string) => path.resolve(REPO_ROOT, p);

function isLocal(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

function readKeypair(file: string): Keypair {
  return Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(file, "utf8")) as number[]));
}

/** Reads a keypair file, creating it (Solana CLI format, private to the user) when absent. */
function keypairFile(file: string): Keypair {
  if (fs.existsSync(file)) return readKeypair(file);
  const kp = Keypair.generate();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(Array.from(kp.secretKey)), { mode: 0o600 });
  return kp;
}

/** "150.25" → 15025000000 (8 decimals), without floating point. */
export function priceE8(price: string | number): BN {
  const text = String(price).trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[2] ?? "").length > 8)
    throw new Error(`price ${text}: expected a decimal number with at most 8 decimals`);
  return new BN(m[1] + (m[2] ?? "").padEnd(8, "0"));
}

/** Applies overrides to a parameter struct, converting to the type of each default. */
function withOverrides<T extends object>(defaults: T, overrides: ParamOverrides | undefined, what: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in out)) throw new Error(`${what}: unknown parameter ${key}`);
    const current = out[key];
    out[key] = BN.isBN(current) ? new BN(String(value)) : typeof current === "number" ? Number(value) : value;
  }
  return out as T;
}

/** What a settings sync needs: the program (and its connection), the admin, a sender, and where to report. */
export interface SyncContext {
  program: PerpoolProgram;
  admin: PublicKey;
  send: (ixs: TransactionInstruction[]) => Promise<unknown>;
  log: (line: string) => void;
  did: (action: string) => void;
}

/** What `syncSettings` found or did. */
export type SyncOutcome = "same" | "raised" | "proposed" | "waiting" | "executed";

const iso = (t: BN) => new Date(t.toNumber() * 1000).toISOString();

/**
 * Brings the pool's settings (`custody` absent) or a custody's settings to `desired`
 * through the pool's timelock. Equal: nothing. A higher pool timelock is raised at once.
 * Otherwise a pending proposal holding exactly `desired` is executed when due (or reported
 * as waiting); without one, `desired` is proposed, and executed at once when the pool's
 * timelock is 0. Pending proposals with other settings are reported and left alone.
 * Idempotent: run again before the eta, it changes nothing.
 */
export async function syncSettings(
  ctx: SyncContext,
  pool: PublicKey,
  target: { what: string; custody?: PublicKey; desired: PoolParams | CustodySettings },
): Promise<SyncOutcome> {
  const { program, admin } = ctx;
  const pid = program.programId;
  let state = await fetchPoolState(program, pool);
  const address = target.custody ?? pool;
  const currentOf = (): object =>
    target.custody ? custodySettingsOf(findCustody(state, target.custody).account) : poolParamsOf(state.pool);
  let outcome: SyncOutcome = "same";
  if (!target.custody) {
    const wanted = (target.desired as PoolParams).timelockSecs;
    if (wanted > state.pool.timelockSecs) {
      await ctx.send([await raiseTimelockIx(program, { admin, pool, timelockSecs: wanted })]);
      ctx.did(`raised the ${target.what} timelock from ${state.pool.timelockSecs} s to ${wanted} s`);
      state = await fetchPoolState(program, pool);
      outcome = "raised";
    }
  }
  if (sameSettings(currentOf(), target.desired)) return outcome;
  const changes = settingsChanges(currentOf(), target.desired)
    .map((c) => `${c.field} ${c.from} → ${c.to}`)
    .join(", ");
  const held = (p: { account: Proposal }): object => {
    const s = proposalSettings(program, p.account);
    return s.kind === "pool" ? s.params : s.settings;
  };
  const pending = (await fetchPoolProposals(program, pool)).filter((p) => p.account.target.equals(address));
  let match = pending.find((p) => sameSettings(held(p), target.desired));
  for (const p of pending) {
    if (p !== match)
      ctx.log(
        `  note: ${target.what}: pending proposal ${p.address.toBase58()} holds other settings (executable at ${iso(proposalExecutableAt(p.account, state.pool))}); left alone`,
      );
  }
  if (!match) {
    const proposal = nextProposalAddress(state, address, pid);
    const ix = target.custody
      ? await proposeCustodyParamsIx(program, state, {
          admin,
          custody: target.custody,
          settings: target.desired as CustodySettings,
        })
      : await proposePoolParamsIx(program, state, { admin, params: target.desired as PoolParams });
    await ctx.send([ix]);
    const account = await fetchProposal(program, proposal);
    if (!account) throw new Error(`proposal ${proposal.toBase58()} not found after proposing`);
    match = { address: proposal, account };
    ctx.did(`proposed ${target.what} settings (${changes}) as ${proposal.toBase58()}`);
    outcome = "proposed";
  }
  const now = await clusterTime(program.provider.connection);
  if (!proposalIsDue(match.account, state.pool, now)) {
    ctx.log(
      `  ${target.what}: proposal ${match.address.toBase58()} executable at ${iso(proposalExecutableAt(match.account, state.pool))} (${changes})`,
    );
    return outcome === "proposed" ? outcome : "waiting";
  }
  const oracle = target.custody ? (target.desired as CustodySettings).oracle : undefined;
  await ctx.send([
    await executeProposalIx(program, state, { admin, proposal: match.address, account: match.account, oracle }),
  ]);
  ctx.did(`executed ${target.what} settings proposal ${match.address.toBase58()}`);
  return "executed";
}

/**
 * Runs the deploy against `config`. Every step checks the chain first and
 * only sends what is missing.
 */
export async function deploy(config: DeployConfig, opts: DeployOptions = {}): Promise<DeployResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const url = opts.url ?? process.env.ANCHOR_PROVIDER_URL ?? config.cluster;
  const dataDir = fromRoot(opts.dataDir ?? config.dataDir ?? ".localnet");
  const local = isLocal(url);
  const actions: string[] = [];
  const did = (action: string) => {
    actions.push(action);
    log(`  ${action}`);
  };

  // --- admin and provider -------------------------------------------------------
  const keypairPath =
    opts.keypair ?? process.env.ANCHOR_WALLET ?? path.resolve(dataDir, config.adminKeypair ?? "admin.json");
  if (!fs.existsSync(keypairPath) && !local) throw new Error(`admin keypair ${keypairPath} not found`);
  const admin = keypairFile(keypairPath);
  const connection = new Connection(url, { commitment: "confirmed" });
  const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(admin), {
    commitment: "confirmed",
    preflightCommitment: "confirmed",
  });
  const program = perpoolProgram(provider);
  const send = (ixs: TransactionInstruction[], signers: Signer[] = []) =>
    provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  // The SDK's token helpers are typed for the in-process provider but only use
  // `connection` and `sendAndConfirm`, which AnchorProvider has.
  const tokenProvider = provider as unknown as LiteSvmProvider;

  log(`deploy: ${url}, admin ${admin.publicKey.toBase58()}, program ${program.programId.toBase58()}`);
  const [programDataAddress] = programDataPda(program.programId);
  const [programAccount, programData] = await connection.getMultipleAccountsInfo([
    program.programId,
    programDataAddress,
  ]);
  const deployed = decodeProgramDeployment(programAccount, (a) => (a.equals(programDataAddress) ? programData : null));
  if (deployed.kind === "absent")
    throw new Error(`the Perpool program is not deployed at ${program.programId.toBase58()} on ${url}`);
  if (deployed.kind === "other-loader") {
    throw new Error(
      `the Perpool program is deployed by ${deployed.owner.toBase58()}, not BPF Loader Upgradeable: init_config needs its upgrade authority`,
    );
  }

  if (local) {
    const target = BigInt(Math.round((config.airdropSol ?? 100) * LAMPORTS_PER_SOL));
    const balance = BigInt(await connection.getBalance(admin.publicKey));
    if (balance < target / 2n) {
      const signature = await connection.requestAirdrop(admin.publicKey, Number(target - balance));
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) }, "confirmed");
      did(`airdropped ${Number(target - balance) / LAMPORTS_PER_SOL} SOL to the admin`);
    }
  }

  // --- config ---------------------------------------------------------------------------
  const [configAddress] = configPda(program.programId);
  if (await connection.getAccountInfo(configAddress)) {
    const current = await fetchConfig(program);
    if (!current.admin.equals(admin.publicKey)) {
      throw new Error(
        `config ${configAddress.toBase58()} belongs to admin ${current.admin.toBase58()}, not ${admin.publicKey.toBase58()}`,
      );
    }
  } else {
    // init_config accepts only the program's upgrade authority: say so before sending.
    if (deployed.upgradeAuthority === null) {
      throw new Error(
        `the Perpool program at ${program.programId.toBase58()} is immutable (no upgrade authority): no one can initialize its config`,
      );
    }
    if (!deployed.upgradeAuthority.equals(admin.publicKey)) {
      throw new Error(
        `init_config needs the program's upgrade authority ${deployed.upgradeAuthority.toBase58()}; the admin keypair is ${admin.publicKey.toBase58()}`,
      );
    }
    const minTimelockSecs = config.minTimelockSecs ?? (local ? 0 : DEFAULT_TIMELOCK_SECS);
    await send([await initConfigIx(program, admin.publicKey, { minTimelockSecs })]);
    did(`created config ${configAddress.toBase58()} (pool timelocks of at least ${minTimelockSecs} s)`);
  }
  const sync: SyncContext = { program, admin: admin.publicKey, send, log, did };

  // --- prices ---------------------------------------------------------------------------
  // A local cluster runs the price publisher at the Pyth receiver's address; a real one runs Pyth.
  const publisher = await isPricePublisher(connection, admin.publicKey);
  if (publisher !== local) {
    log(
      `  note: ${url} is ${local ? "a loopback URL without" : "not a loopback URL but runs"} the local price publisher; prices follow the publisher`,
    );
  }

  // --- pool -------------------------------------------------------------------------------
  const name = config.pool.name;
  const [pool] = poolPda(name, program.programId);
  const poolParams = withOverrides<PoolParams>(
    defaultPoolParams({ timelockSecs: local ? 0 : DEFAULT_TIMELOCK_SECS }),
    config.pool.params,
    `pool ${name}`,
  );
  if (await connection.getAccountInfo(pool)) {
    await syncSettings(sync, pool, { what: `pool "${name}"`, desired: poolParams });
  } else {
    await send([await createPoolIx(program, { admin: admin.publicKey, name, params: poolParams })]);
    did(`created pool "${name}" ${pool.toBase58()} (settings timelock ${poolParams.timelockSecs} s)`);
  }

  // --- assets ---------------------------------------------------------------------------
  const assets: Deployment["assets"] = [];
  // Settings proposals are executed against the custody's price: on a local cluster one older
  // than this is published again (same price, new time) first, so a deploy cut short and run
  // again later does not meet a stale price. Not a change to the deployment: not an action.
  const refreshAfterSecs = 20;
  const clusterNow = publisher ? await clusterTime(connection) : null;
  for (const a of config.assets) {
    const mintKeypair = a.mint ? null : keypairFile(path.join(dataDir, "keys", `mint-${a.symbol}.json`));
    const mint = a.mint ? new PublicKey(a.mint) : mintKeypair!.publicKey;
    const mintAccount = await connection.getAccountInfo(mint);
    if (!mintAccount) {
      if (!mintKeypair) throw new Error(`${a.symbol}: mint ${mint.toBase58()} does not exist`);
      await createMint(tokenProvider, a.decimals, admin.publicKey, { keypair: mintKeypair });
      did(`created ${a.symbol} test mint ${mint.toBase58()} (${a.decimals} decimals)`);
    } else if (decodeMint(mintAccount.data).decimals !== a.decimals) {
      throw new Error(
        `${a.symbol}: mint ${mint.toBase58()} has ${decodeMint(mintAccount.data).decimals} decimals, not ${a.decimals}`,
      );
    }

    if (!a.pyth?.feedId) throw new Error(`${a.symbol}: every asset needs its Pyth feed (pyth.feedId)`);
    const feedId = feedIdFromHex(a.pyth.feedId);
    const shard = a.pyth.shard ?? 0;
    let oracle: PublicKey;
    if ("account" in a.pyth)
      throw new Error(
        `${a.symbol}: pyth.account is not accepted: the oracle is the feed's account of pyth.shard (default 0)`,
      );
    const oracleProgram = publisher ? PRICE_PUBLISHER_PROGRAM_ID : PYTH_PUSH_ORACLE_PROGRAM_ID;
    if (publisher) {
      [oracle] = priceFeedPda(feedId, shard);
      const current = await connection.getAccountInfo(oracle);
      if (!current) {
        const price = priceE8(a.price);
        await send([publishPriceIx({ authority: admin.publicKey, feedId, shard, price, exponent: PRICE_EXPO })]);
        did(`published ${a.symbol} price $${a.price} (feed ${a.pyth.feedId}) at ${oracle.toBase58()}`);
      } else {
        const update = decodePriceUpdateV2(current.data);
        if (!update.writeAuthority.equals(admin.publicKey)) {
          log(
            `  warning: ${a.symbol}'s price account ${oracle.toBase58()} is written by another key; the admin cannot publish it`,
          );
        } else if (clusterNow && update.publishTime.addn(refreshAfterSecs).lt(clusterNow)) {
          const { price, conf, emaPrice, exponent } = update;
          await send([publishPriceIx({ authority: admin.publicKey, feedId, shard, price, conf, emaPrice, exponent })]);
          log(`  republished ${a.symbol}'s price (it was ${clusterNow.sub(update.publishTime).toString()} s old)`);
        }
      }
    } else {
      oracle = pythPushFeedAccount(feedId, shard);
      const current = await connection.getAccountInfo(oracle);
      if (!current?.owner.equals(PYTH_RECEIVER_PROGRAM_ID)) {
        throw new Error(`${a.symbol}: ${oracle.toBase58()} is not a Pyth PriceUpdateV2 account on ${url}`);
      }
    }
    const { custody, vault } = custodyAddresses(pool, mint, program.programId);
    for (const key of ["feedId", "oracleShard", "oracleProgram"])
      if (a.params && key in a.params)
        throw new Error(`${a.symbol}: params.${key} is set from pyth (feedId, shard) and the cluster, not in params`);
    const params = withOverrides<CustodyParams>(
      defaultCustodyParams({
        isStable: a.isStable,
        targetWeightBps: a.targetWeightBps,
        feedId: Array.from(feedId),
        oracleShard: shard,
        oracleProgram,
      }),
      a.params,
      `${a.symbol} custody`,
    );
    if (!(await connection.getAccountInfo(custody))) {
      await send([await addCustodyIx(program, { admin: admin.publicKey, pool, mint, params, pythOracle: oracle })]);
      did(`added ${a.symbol} custody ${custody.toBase58()}`);
    } else {
      const current = await fetchCustody(program, custody);
      if (!current.oracle.equals(oracle))
        log(
          `  ${a.symbol} custody is priced by ${current.oracle.toBase58()}: its settings move it to ${oracle.toBase58()}`,
        );
    }
    // Markets get price impact and funding (SPEC §5); stablecoins keep what they have unless the file says.
    const current = custodySettingsOf(await fetchCustody(program, custody));
    const risk =
      a.isStable && !a.risk ? current.risk : withOverrides<RiskParams>(defaultRiskParams(), a.risk, `${a.symbol} risk`);
    await syncSettings(sync, pool, { what: `${a.symbol} custody`, custody, desired: { oracle, params, risk } });

    assets.push({
      symbol: a.symbol,
      decimals: a.decimals,
      isStable: a.isStable,
      mint: mint.toBase58(),
      custody: custody.toBase58(),
      vault: vault.toBase58(),
      oracle: oracle.toBase58(),
      feedId: feedId.toString("hex"),
      shard,
    });
  }

  // --- the pool's address lookup table ------------------------------------------------------
  // Created once and extended when custodies are added; the previous deployment.json names it. A
  // run stopped between creating it and writing deployment.json left it unnamed: the admin's table
  // that holds only this pool's addresses is taken up again rather than a second one paid for.
  const deploymentPath = path.join(dataDir, "deployment.json");
  const poolState = await fetchPoolState(program, pool);
  let existingTable: PublicKey | undefined;
  try {
    const previous = JSON.parse(fs.readFileSync(deploymentPath, "utf8")) as Partial<Deployment>;
    if (previous.lookupTable && previous.pool?.address === pool.toBase58())
      existingTable = new PublicKey(previous.lookupTable);
  } catch {
    // No previous deployment here.
  }
  if (!existingTable) {
    const left = await findPoolLookupTable(connection, admin.publicKey, poolState, program.programId);
    if (left) {
      existingTable = left.key;
      log(`  found the pool's lookup table ${left.key.toBase58()} (${left.state.addresses.length} addresses)`);
    }
  }
  const lut = await poolLookupTableIxs(
    connection,
    admin.publicKey,
    poolState,
    program.programId,
    existingTable ? { existing: existingTable } : {},
  );
  for (const [i, ixs] of lut.transactions.entries()) {
    await send(ixs);
    const action =
      i === 0 && !(existingTable && existingTable.equals(lut.table))
        ? `created the pool's lookup table ${lut.table.toBase58()}`
        : `extended the pool's lookup table ${lut.table.toBase58()}`;
    log(`  ${action}`);
    actions.push(action);
  }

  // --- deployment.json --------------------------------------------------------------------
  const deployment: Deployment = {
    cluster: url,
    programId: program.programId.toBase58(),
    admin: admin.publicKey.toBase58(),
    config: configAddress.toBase58(),
    pool: {
      name,
      address: pool.toBase58(),
      lpMint: lpMintPda(pool, program.programId)[0].toBase58(),
      lpDecimals: LP_DECIMALS,
    },
    assets,
    prices: publisher ? "publisher" : "pyth",
    lookupTable: lut.table.toBase58(),
  };
  const text = JSON.stringify(deployment, null, 2) + "\n";
  const wroteDeployment = !fs.existsSync(deploymentPath) || fs.readFileSync(deploymentPath, "utf8") !== text;
  if (wroteDeployment) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(deploymentPath, text);
  }
  log(
    actions.length
      ? `deploy: done (${actions.length} changes)`
      : "deploy: nothing to do, everything is already deployed",
  );
  return { deployment, actions, deploymentPath, wroteDeployment };
}

/** Human-readable summary of a deployment. */
export function describeDeployment(d: Deployment): string[] {
  return [
    `Pool "${d.pool.name}" ${d.pool.address} (LP mint ${d.pool.lpMint})`,
    ...d.assets.map(
      (a) =>
        `  ${a.symbol.padEnd(5)} mint ${a.mint} custody ${a.custody} (Pyth feed ${a.feedId.slice(0, 8)}…, ${d.prices === "publisher" ? "local publisher" : "Pyth"}${a.isStable ? ", stable" : ""})`,
    ),
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const configPath = path.resolve(flag("--config") ?? DEFAULT_CONFIG);
  const result = await deploy(loadConfig(configPath), {
    url: flag("--url"),
    keypair: flag("--keypair"),
    dataDir: flag("--data-dir"),
  });
  for (const line of describeDeployment(result.deployment)) console.log(line);
  console.log(`Addresses: ${result.deploymentPath}${result.wroteDeployment ? "" : " (unchanged)"}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
