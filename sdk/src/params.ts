/**
 * Pool and custody settings as proposals carry them: the settings an account
 * has now, the settings a proposal holds, and what differs between two.
 * Everything here is driven by the IDL's parameter types, so a setting added
 * to the program needs nothing in this file.
 */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { ProposalKind } from "./constants";
import { IDL as idl } from "./idl/idl";
import type { Custody, CustodySettings, Pool, Proposal } from "./idl/types";
import { PerpoolProgram } from "./program";
import type { CustodyParams, PoolParams, RiskParams } from "./types";

export type { CustodySettings } from "./idl/types";

interface IdlField {
  name: string;
  type: unknown;
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function fieldsOf(typeName: string): IdlField[] {
  const ty = (idl.types as { name: string; type: { fields?: IdlField[] } }[]).find((t) => t.name === typeName);
  if (!ty?.type.fields) throw new Error(`IDL type ${typeName} not found`);
  return ty.type.fields;
}

/** The fields of IDL struct `typeName` taken from `account` (same names; the account keeps bools as 0/1). */
function pick<T>(typeName: string, account: object): T {
  const source = account as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(typeName)) {
    const key = camel(f.name);
    if (!(key in source)) throw new Error(`${typeName}.${key} is not a field of the account`);
    const v = source[key];
    out[key] = f.type === "bool" ? v === true || v === 1 : v;
  }
  return out as T;
}

/** A pool's current settings, as `propose_pool_params` takes them. */
export function poolParamsOf(pool: Pool): PoolParams {
  return pick<PoolParams>("PoolParams", pool);
}

/** A custody's current settings (oracle account, parameters, risk parameters), as `propose_custody_params` takes them. */
export function custodySettingsOf(custody: Custody): CustodySettings {
  return {
    oracle: custody.oracle,
    params: pick<CustodyParams>("CustodyParams", custody),
    risk: pick<RiskParams>("RiskParams", custody),
  };
}

/** A change of some custody settings: the fields given replace the current ones. */
export interface CustodySettingsChange {
  oracle?: PublicKey;
  params?: Partial<CustodyParams>;
  risk?: Partial<RiskParams>;
}

/** `current` with `change` applied (a proposal always carries the complete settings). */
export function withSettings(current: CustodySettings, change: CustodySettingsChange): CustodySettings {
  return {
    oracle: change.oracle ?? current.oracle,
    params: { ...current.params, ...change.params },
    risk: { ...current.risk, ...change.risk },
  };
}

/**
 * A proposal whose payload is not the settings of this SDK's IDL: it was made under another layout of
 * the settings (an older program added settings since), so the program refuses to execute it. Cancel
 * it (`cancel_proposal`, the CLI's `params cancel`) and propose again.
 */
export class ProposalLayoutError extends Error {
  constructor(
    readonly kind: "pool" | "custody",
    readonly payloadLen: number,
    readonly expectedLen: number,
  ) {
    super(
      `the ${kind} settings proposal holds ${payloadLen} bytes, not the ${expectedLen} bytes of the current ${kind} settings: ` +
        `it was made under another settings layout and cannot execute; cancel it and propose again`,
    );
    this.name = "ProposalLayoutError";
  }
}

/** The settings a proposal holds: `PoolParams` for a pool proposal, `CustodySettings` for a custody one (anchor names types in camelCase). */
export function proposalSettings(
  program: PerpoolProgram,
  proposal: Proposal,
): { kind: "pool"; params: PoolParams } | { kind: "custody"; settings: CustodySettings } {
  const payload = Buffer.from(proposal.payload.slice(0, proposal.payloadLen));
  // Every settings type has a fixed size: its encoding of any value is that size.
  const read = <T>(kind: "pool" | "custody", type: string): T => {
    const expected = program.coder.types.encode(type, program.coder.types.decode(type, Buffer.alloc(512))).length;
    if (payload.length !== expected) throw new ProposalLayoutError(kind, payload.length, expected);
    return program.coder.types.decode(type, payload);
  };
  if (proposal.kind === ProposalKind.POOL) return { kind: "pool", params: read<PoolParams>("pool", "poolParams") };
  if (proposal.kind === ProposalKind.CUSTODY)
    return { kind: "custody", settings: read<CustodySettings>("custody", "custodySettings") };
  throw new Error(`unknown proposal kind ${proposal.kind}`);
}

/**
 * Whether a proposal may execute at `now` (unix seconds), as the program decides: at or
 * after its eta, and at least the pool's current timelock after it was proposed.
 */
export function proposalIsDue(proposal: Proposal, pool: Pool, now: BN): boolean {
  return now.gte(proposal.eta) && now.gte(proposal.proposedAt.addn(pool.timelockSecs));
}

/** When a proposal becomes executable under the pool's current timelock (unix seconds). */
export function proposalExecutableAt(proposal: Proposal, pool: Pool): BN {
  return BN.max(proposal.eta, proposal.proposedAt.addn(pool.timelockSecs));
}

/** One setting that differs: its path (e.g. `risk.fundingFactor`) and both values as text. */
export interface SettingChange {
  field: string;
  from: string;
  to: string;
}

function text(v: unknown): string {
  if (BN.isBN(v)) return v.toString();
  if (v instanceof PublicKey) return v.toBase58();
  if (Array.isArray(v))
    return v.every((x) => typeof x === "number" && x >= 0 && x < 256)
      ? Buffer.from(v as number[]).toString("hex")
      : JSON.stringify(v);
  return String(v);
}

function isStruct(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !BN.isBN(v) && !(v instanceof PublicKey) && !Array.isArray(v);
}

/** Every setting of `to` whose value differs from `from` (nested settings flattened with dots). */
export function settingsChanges(from: object, to: object, prefix = ""): SettingChange[] {
  const a = from as Record<string, unknown>;
  const out: SettingChange[] = [];
  for (const [key, next] of Object.entries(to)) {
    const field = prefix + key;
    const prev = a[key];
    if (isStruct(next) && isStruct(prev)) out.push(...settingsChanges(prev, next, `${field}.`));
    else if (text(prev) !== text(next)) out.push({ field, from: text(prev), to: text(next) });
  }
  return out;
}

/** Whether two settings are the same in every field. */
export function sameSettings(a: object, b: object): boolean {
  return settingsChanges(a, b).length === 0;
}
