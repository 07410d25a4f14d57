/**
 * `perpool params list | propose-pool | propose-custody | execute | cancel | raise-timelock`:
 * pool and custody settings under the pool's timelock (signed by the admin). A proposal
 * carries the complete settings: the current ones with what `--set` changes. Setting
 * names are those of the IDL's `PoolParams`, `CustodyParams` and `RiskParams`
 * (camelCase, e.g. `openFeeBps`); values are raw integers (bps, base units), `true` /
 * `false`, or 64 hex digits for a feed id.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { Pool, Proposal, fetchConfig, fetchPoolProposals, fetchProposal } from "../../accounts";
import { MAX_TIMELOCK_SECS, ProposalKind, U64_MAX } from "../../constants";
import { IDL as idl } from "../../idl/idl";
import {
  cancelProposalIx,
  custodyOracleAddress,
  executeProposalIx,
  nextProposalAddress,
  proposeCustodyParamsIx,
  proposePoolParamsIx,
  raiseTimelockIx,
} from "../../instructions";
import {
  SettingChange,
  custodySettingsOf,
  poolParamsOf,
  proposalExecutableAt,
  proposalIsDue,
  proposalSettings,
  settingsChanges,
} from "../../params";
import { findCustody } from "../../pool";
import type { CustodyParams } from "../../types";
import { UsageError } from "../args";
import { Cli, Command } from "../cli";
import { asPublicKey, assetLabel } from "../context";
import { Json } from "../output";

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const LIMITS: Record<string, BN> = { u8: new BN(255), u16: new BN(65_535), u32: new BN(4_294_967_295), u64: U64_MAX };

/** The IDL type of every field of parameter struct `name`, by camelCase name. */
function fieldTypes(name: string): Map<string, unknown> {
  const ty = (idl.types as { name: string; type: { fields?: { name: string; type: unknown }[] } }[]).find(
    (t) => t.name === name,
  )!;
  return new Map(ty.type.fields!.map((f) => [camel(f.name), f.type]));
}

/** `value` read as a field of IDL type `type`. */
function parseValue(key: string, type: unknown, value: string): unknown {
  if (type === "bool") {
    if (value !== "true" && value !== "false")
      throw new UsageError(`--set ${key}: expected true or false, not "${value}"`);
    return value === "true";
  }
  const limit = typeof type === "string" ? LIMITS[type] : undefined;
  if (limit) {
    if (!/^\d+$/.test(value)) throw new UsageError(`--set ${key}: expected a whole number, not "${value}"`);
    const n = new BN(value);
    if (n.gt(limit)) throw new UsageError(`--set ${key}: ${value} does not fit in a ${type}`);
    return type === "u64" ? n : n.toNumber();
  }
  if (type === "pubkey") {
    const address = asPublicKey(value);
    if (!address) throw new UsageError(`--set ${key}: expected a base58 address, not "${value}"`);
    return address;
  }
  if (typeof type === "object" && type !== null && "array" in type) {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(value)) throw new UsageError(`--set ${key}: expected 64 hex digits`);
    return Array.from(Buffer.from(value.replace(/^0x/, ""), "hex"));
  }
  throw new UsageError(`--set ${key}: cannot be set from the command line`);
}

/** `--set a=1,b=2` applied to the structs it names (a key belongs to the first struct that has it). */
function applySets(cli: Cli, structs: { name: string; value: Record<string, unknown> }[]): void {
  const text = cli.args.str("set");
  if (text === undefined) return;
  for (const item of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--set ${item}: expected name=value`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const target = structs.find((s) => fieldTypes(s.name).has(key));
    if (!target) throw new UsageError(`--set ${key}: not a setting of ${structs.map((s) => s.name).join(" or ")}`);
    target.value[key] = parseValue(key, fieldTypes(target.name).get(key), value);
  }
}

const time = (t: BN) => new Date(t.toNumber() * 1000).toISOString();
const describe = (changes: SettingChange[]) =>
  changes.length ? changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(", ") : "(no change)";

/** Checks the signer is the admin (a clear message before anything is sent). */
async function adminKey(cli: Cli): Promise<PublicKey> {
  const wallet = cli.wallet();
  const config = await fetchConfig(cli.program());
  if (!config.admin.equals(wallet.publicKey))
    throw new Error(
      `the signer ${wallet.publicKey.toBase58()} is not the admin ${config.admin.toBase58()} (give --keypair with the admin's key)`,
    );
  return wallet.publicKey;
}

function proposalOption(cli: Cli): PublicKey {
  const text = cli.args.required("proposal");
  const key = asPublicKey(text);
  if (!key) throw new UsageError(`--proposal ${text}: not a base58 address`);
  return key;
}

/** A proposal described: what it targets, when it executes, what it changes against the chain now. */
async function describeProposal(cli: Cli, address: PublicKey, p: Proposal, pool: Pool, now: BN) {
  const state = await cli.state();
  const held = proposalSettings(cli.program(), p);
  const target = held.kind === "pool" ? "pool" : assetLabel(state, p.target, cli.deployment);
  const current =
    held.kind === "pool" ? poolParamsOf(state.pool) : custodySettingsOf(findCustody(state, p.target).account);
  const changes = settingsChanges(current, held.kind === "pool" ? held.params : held.settings);
  return {
    proposal: address.toBase58(),
    kind: held.kind,
    target,
    targetAddress: p.target.toBase58(),
    nonce: p.nonce.toString(),
    proposedAt: time(p.proposedAt),
    executableAt: time(proposalExecutableAt(p, pool)),
    due: proposalIsDue(p, pool, now),
    changes,
  };
}

const changesJson = (c: SettingChange[]) =>
  c.map((x) => ({ field: x.field, from: x.from, to: x.to })) as unknown as Json[];

export const paramsList: Command = {
  name: "params list",
  summary: "the pool's settings timelock and its pending settings proposals, with what each changes",
  options: [],
  async run(cli: Cli) {
    const state = await cli.state();
    const now = await cli.now();
    const pending = await fetchPoolProposals(cli.program(), cli.pool);
    const rows = [];
    for (const { address, account } of pending)
      rows.push(await describeProposal(cli, address, account, state.pool, now));
    cli.out.fields(`Pool ${cli.pool.toBase58()}`, [
      ["Timelock", `${state.pool.timelockSecs} s`],
      ["Pending proposals", String(state.pool.pendingProposals)],
    ]);
    if (rows.length === 0) cli.out.line("(no pending proposals)");
    for (const r of rows) {
      cli.out.fields(`${r.proposal}: ${r.kind} ${r.target}, nonce ${r.nonce}`, [
        ["Proposed", r.proposedAt],
        ["Executable", `${r.executableAt}${r.due ? " (due now)" : ""}`],
        ["Changes", describe(r.changes)],
      ]);
    }
    cli.out.result({
      pool: cli.pool.toBase58(),
      timelockSecs: state.pool.timelockSecs,
      proposals: rows.map((r) => ({ ...r, changes: changesJson(r.changes) })) as unknown as Json[],
    });
  },
};

const SET_HELP =
  "settings to change: name=value[,name=value…] (IDL names, raw integers, true/false, hex feed id, base58 address)";

export const paramsProposePool: Command = {
  name: "params propose-pool",
  summary: "propose new pool settings (fee split, ADL levels, cap, timelock), executable after the timelock",
  defaultKeypair: "admin.json",
  options: [{ name: "set", value: "NAME=VALUE,…", help: SET_HELP }],
  async run(cli: Cli) {
    const state = await cli.state();
    const current = poolParamsOf(state.pool);
    const next = { ...current } as unknown as Record<string, unknown>;
    applySets(cli, [{ name: "PoolParams", value: next }]);
    const changes = settingsChanges(current, next);
    if (changes.length === 0) throw new UsageError("nothing to change: give --set name=value");
    const admin = await adminKey(cli);
    const proposal = nextProposalAddress(state, cli.pool, cli.programId);
    const eta = (await cli.now()).addn(state.pool.timelockSecs);
    cli.out.fields(`Propose pool settings (proposal ${proposal.toBase58()})`, [
      ["Changes", describe(changes)],
      ["Executable", `${time(eta)} (timelock ${state.pool.timelockSecs} s)`],
    ]);
    const ix = await proposePoolParamsIx(cli.program(), state, {
      admin,
      params: next as unknown as ReturnType<typeof poolParamsOf>,
    });
    await cli.send([ix], {
      command: "params propose-pool",
      proposal: proposal.toBase58(),
      executableAt: time(eta),
      changes: changesJson(changes),
    });
  },
};

export const paramsProposeCustody: Command = {
  name: "params propose-custody",
  summary:
    "propose new settings for an asset (parameters, risk parameters, oracle account), executable after the timelock",
  defaultKeypair: "admin.json",
  options: [
    { name: "asset", value: "SYMBOL|MINT", help: "the asset" },
    { name: "set", value: "NAME=VALUE,…", help: SET_HELP },
    {
      name: "oracle",
      value: "ADDRESS",
      help: "the oracle account (default: the feed account the settings name, PDA [oracleShard, feedId] of oracleProgram)",
    },
  ],
  async run(cli: Cli) {
    const asset = await cli.asset("asset");
    const state = await cli.state();
    const current = custodySettingsOf(asset.custody.account);
    const params = { ...current.params } as unknown as Record<string, unknown>;
    const risk = { ...current.risk } as unknown as Record<string, unknown>;
    applySets(cli, [
      { name: "CustodyParams", value: params },
      { name: "RiskParams", value: risk },
    ]);
    // The oracle is the feed account the settings name (the program refuses any other): derived again
    // from the new feed id, shard and oracle program unless --oracle names one.
    let oracle = custodyOracleAddress(params as unknown as CustodyParams);
    const oracleText = cli.args.str("oracle");
    if (oracleText !== undefined) {
      const key = asPublicKey(oracleText);
      if (!key) throw new UsageError(`--oracle ${oracleText}: not a base58 address`);
      oracle = key;
    }
    const next = { oracle, params, risk } as unknown as typeof current;
    const changes = settingsChanges(current, next);
    if (changes.length === 0) throw new UsageError("nothing to change: give --set name=value or --oracle");
    const admin = await adminKey(cli);
    const proposal = nextProposalAddress(state, asset.custody.address, cli.programId);
    const eta = (await cli.now()).addn(state.pool.timelockSecs);
    cli.out.fields(`Propose ${asset.symbol} settings (proposal ${proposal.toBase58()})`, [
      ["Changes", describe(changes)],
      ["Executable", `${time(eta)} (timelock ${state.pool.timelockSecs} s)`],
    ]);
    const ix = await proposeCustodyParamsIx(cli.program(), state, {
      admin,
      custody: asset.custody.address,
      settings: next,
    });
    await cli.send([ix], {
      command: "params propose-custody",
      asset: asset.symbol,
      proposal: proposal.toBase58(),
      executableAt: time(eta),
      changes: changesJson(changes),
    });
  },
};

export const paramsExecute: Command = {
  name: "params execute",
  summary: "execute a settings proposal whose timelock has passed",
  defaultKeypair: "admin.json",
  options: [{ name: "proposal", value: "ADDRESS", help: "the proposal (see params list)" }],
  async run(cli: Cli) {
    const address = proposalOption(cli);
    const p = await fetchProposal(cli.program(), address);
    if (!p || !p.pool.equals(cli.pool))
      throw new Error(`proposal ${address.toBase58()} is not a pending proposal of pool ${cli.pool.toBase58()}`);
    const state = await cli.state();
    const now = await cli.now();
    const d = await describeProposal(cli, address, p, state.pool, now);
    if (!d.due)
      throw new Error(`proposal ${d.proposal} is executable at ${d.executableAt}, not yet (cluster time ${time(now)})`);
    const admin = await adminKey(cli);
    cli.out.fields(`Execute ${d.kind} ${d.target} settings proposal ${d.proposal}`, [["Changes", describe(d.changes)]]);
    const held = proposalSettings(cli.program(), p);
    const oracle = held.kind === "custody" ? held.settings.oracle : undefined;
    const ix = await executeProposalIx(cli.program(), state, {
      admin,
      proposal: address,
      account: p,
      ...(oracle ? { oracle } : {}),
    });
    await cli.send([ix], {
      command: "params execute",
      proposal: d.proposal,
      target: d.target,
      changes: changesJson(d.changes),
    });
  },
};

export const paramsCancel: Command = {
  name: "params cancel",
  summary: "cancel a pending settings proposal (its rent returns to the admin)",
  defaultKeypair: "admin.json",
  options: [{ name: "proposal", value: "ADDRESS", help: "the proposal (see params list)" }],
  async run(cli: Cli) {
    const address = proposalOption(cli);
    const p = await fetchProposal(cli.program(), address);
    if (!p || !p.pool.equals(cli.pool))
      throw new Error(`proposal ${address.toBase58()} is not a pending proposal of pool ${cli.pool.toBase58()}`);
    const admin = await adminKey(cli);
    const kind = p.kind === ProposalKind.POOL ? "pool" : assetLabel(await cli.state(), p.target, cli.deployment);
    cli.out.fields(`Cancel ${kind} settings proposal ${address.toBase58()}`, []);
    const ix = await cancelProposalIx(cli.program(), { admin, pool: cli.pool, proposal: address });
    await cli.send([ix], { command: "params cancel", proposal: address.toBase58() });
  },
};

export const paramsRaiseTimelock: Command = {
  name: "params raise-timelock",
  summary: "raise the pool's settings timelock at once (lowering it is a pool settings proposal)",
  defaultKeypair: "admin.json",
  options: [
    { name: "seconds", value: "N", help: `the new timelock, above the current one, at most ${MAX_TIMELOCK_SECS}` },
  ],
  async run(cli: Cli) {
    const secs = cli.args.int("seconds", -1);
    if (!cli.args.has("seconds")) throw new UsageError("--seconds is required");
    const state = await cli.state();
    if (secs <= state.pool.timelockSecs)
      throw new UsageError(
        `--seconds ${secs}: the timelock is ${state.pool.timelockSecs} s; it can only be raised here (lower it with params propose-pool --set timelockSecs=${secs})`,
      );
    if (secs > MAX_TIMELOCK_SECS) throw new UsageError(`--seconds ${secs}: at most ${MAX_TIMELOCK_SECS} (30 days)`);
    const admin = await adminKey(cli);
    cli.out.fields(`Raise the pool's timelock`, [["Timelock", `${state.pool.timelockSecs} s → ${secs} s`]]);
    const ix = await raiseTimelockIx(cli.program(), { admin, pool: cli.pool, timelockSecs: secs });
    await cli.send([ix], { command: "params raise-timelock", from: state.pool.timelockSecs, to: secs });
  },
};
