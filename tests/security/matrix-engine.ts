/**
 * The adversarial matrix engine: for one valid ("baseline") instruction it
 * derives every look-alike case — each account replaced by every account of
 * the zoo and every other account of the same instruction, made read-only,
 * left unsigned, absent, or copied under a foreign owner; each oracle forged;
 * each amount at 0, 1, max and past the limit; the data malformed — runs it,
 * and checks the outcome against the expected error name and that every
 * account of the instruction is byte-for-byte unchanged.
 *
 * Expected errors come from per-slot rules: a rule maps what the substitute
 * account is (its `Kind`, read from the SVM) to the error the program must
 * raise for that slot. The rules are the written specification of each
 * instruction's account validation.
 */
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { IDL, PERPOOL_PROGRAM_ID, PYTH_RECEIVER_PROGRAM_ID, TOKEN_PROGRAM_ID } from "../../sdk/src";
import { Image, U64_MAX, World, b58, changedKeys, images, outcomeName } from "../world";

/** Owner of the forged copies: any program but ours, the token program or Pyth's. */
export const ATTACKER_PROGRAM = new PublicKey("Attacker11111111111111111111111111111111111");

export type AccountType = "Config" | "Pool" | "Custody" | "LpAccount" | "Position" | "Loan" | "Order" | "Proposal";

/** What an account is, as far as validation can tell. */
export type Kind =
  | { t: "absent" }
  | { t: "wallet" }
  | { t: "exe"; key: PublicKey }
  | { t: "foreign" }
  | { t: "pyth" }
  | { t: "mint"; key: PublicKey }
  | { t: "token"; key: PublicKey; mint: PublicKey; owner: PublicKey }
  | { t: "perpool"; key: PublicKey; type: AccountType; d: any };

const DISCRIMINATORS = new Map(
  (IDL.accounts as { name: string; discriminator: number[] }[]).map((a) => [
    Buffer.from(a.discriminator).toString("hex"),
    a.name as AccountType,
  ]),
);

/** Kinds of accounts no case changes for good (every case is undone), by world and address. */
const kindCaches = new WeakMap<World, Map<string, Kind>>();

export function classify(w: World, key: PublicKey, cache = false): Kind {
  const id = key.toBase58();
  let kinds = kindCaches.get(w);
  if (!kinds) kindCaches.set(w, (kinds = new Map()));
  if (cache && kinds.has(id)) return kinds.get(id)!;
  const kind = classifyNow(w, key);
  if (cache) kinds.set(id, kind);
  return kind;
}

function classifyNow(w: World, key: PublicKey): Kind {
  const a = w.provider.getAccount(key);
  if (!a) return { t: "absent" };
  if (a.executable) return { t: "exe", key };
  if (a.owner.equals(SystemProgram.programId)) return { t: "wallet" };
  if (a.owner.equals(TOKEN_PROGRAM_ID)) {
    if (a.data.length === 165)
      return {
        t: "token",
        key,
        mint: new PublicKey(a.data.subarray(0, 32)),
        owner: new PublicKey(a.data.subarray(32, 64)),
      };
    if (a.data.length === 82) return { t: "mint", key };
    return { t: "foreign" };
  }
  if (a.owner.equals(PYTH_RECEIVER_PROGRAM_ID)) return { t: "pyth" };
  if (a.owner.equals(PERPOOL_PROGRAM_ID)) {
    const type = DISCRIMINATORS.get(a.data.subarray(0, 8).toString("hex"));
    if (!type) return { t: "foreign" };
    const name = type.charAt(0).toLowerCase() + type.slice(1);
    return { t: "perpool", key, type, d: w.program.coder.accounts.decode(name, a.data) };
  }
  return { t: "foreign" };
}

/** A replacement for one account meta (or for the data). */
export interface Cand {
  label: string;
  pubkey?: PublicKey;
  isSigner?: boolean;
  isWritable?: boolean;
  /** Runs before the snapshot (e.g. forges the oracle's data); undone by `teardown`. */
  setup?: () => void;
  teardown?: () => void;
  /** Overrides the slot's rule. */
  expect?: string;
}

/** The error a slot must raise for a substitute of kind `k`; "ok" when the substitute is legitimately accepted. */
export type Rule = (k: Kind, c: Cand) => string;

export interface ArgCase {
  label: string;
  /** The data, or a function building it when the case runs (limits read from the current state). */
  data: Buffer | (() => Promise<Buffer>);
  expect: string;
}

export interface Spec {
  /** Instruction name and variant, e.g. "decrease_position (short)". */
  label: string;
  ix: TransactionInstruction;
  /** What the unmodified instruction does ("ok", or the error it must raise in this world). */
  baseline?: string;
  /** Rules by account index (fixed accounts, then the valuation list). */
  rules?: Rule[];
  /** Extra curated candidates per account index. */
  extra?: Record<number, Cand[]>;
  /** What a slot raises for a demoted (never writable) key, when not `AccountNotWritable`. */
  demoted?: Record<number, string>;
  /** Account indexes that may be read-only (never written by this instruction). */
  readonlyOk?: number[];
  args?: ArgCase[];
  /** Other account lists (e.g. the valuation list reordered), each with its error. */
  shapes?: { label: string; keys: TransactionInstruction["keys"]; expect: string }[];
  /**
   * What the baseline raises while every pause flag is set: "Paused" for what a
   * flag stops; the baseline's own outcome (default) for what is never paused.
   */
  paused?: string;
  /** Only the baseline is run (a refusal that needs no look-alikes, e.g. a healthy position). */
  baselineOnly?: boolean;
  /** Instructions to send before the cases (undone by `after`). */
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export interface CaseResult {
  spec: string;
  label: string;
  expected: string;
  actual: string;
  changed: string[];
}

export interface MatrixReport {
  cases: number;
  refusals: number;
  accepted: number;
  failures: CaseResult[];
}

/** Puts accounts back as they were (after a case that should have failed went through). */
function restore(w: World, keys: PublicKey[], before: (Image | null)[]): void {
  keys.forEach((k, i) => {
    const a = before[i];
    if (a === null) w.provider.setAccount(k, { lamports: 0 });
    else if (!a.executable)
      w.provider.setAccount(k, {
        lamports: a.lamports,
        data: a.data,
        owner: new PublicKey(Buffer.from(a.owner, "hex")),
      });
  });
}

function uniqueKeys(ixs: TransactionInstruction[]): PublicKey[] {
  const seen = new Map<string, PublicKey>();
  for (const ix of ixs) for (const k of ix.keys) seen.set(b58(k.pubkey), k.pubkey);
  return [...seen.values()];
}

function replaceMeta(ix: TransactionInstruction, index: number, c: Cand): TransactionInstruction {
  const keys = ix.keys.map((k, i) =>
    i === index
      ? { pubkey: c.pubkey ?? k.pubkey, isSigner: c.isSigner ?? k.isSigner, isWritable: c.isWritable ?? k.isWritable }
      : { ...k },
  );
  return new TransactionInstruction({ programId: ix.programId, keys, data: Buffer.from(ix.data) });
}

/** A copy of `key`'s account at a new address under a foreign owner (planted once per world). */
const foreignCopiesByWorld = new WeakMap<World, Map<string, PublicKey>>();
export function foreignCopy(w: World, key: PublicKey): PublicKey | null {
  const id = key.toBase58();
  let foreignCopies = foreignCopiesByWorld.get(w);
  if (!foreignCopies) foreignCopiesByWorld.set(w, (foreignCopies = new Map()));
  if (foreignCopies.has(id)) return foreignCopies.get(id)!;
  const a = w.provider.getAccount(key);
  if (!a || a.executable) return null;
  const copy = Keypair.generate().publicKey;
  w.provider.setAccount(copy, { lamports: a.lamports, data: Buffer.from(a.data), owner: ATTACKER_PROGRAM });
  foreignCopies.set(id, copy);
  return copy;
}

/**
 * Runs one case: setup, snapshot, execute (simulate when "ok" is expected),
 * compare, teardown. A case that should have failed but went through is
 * undone, so one finding does not spill into the next cases.
 */
function runCase(w: World, spec: Spec, ixs: TransactionInstruction[], c: Cand, expected: string): CaseResult {
  c.setup?.();
  try {
    const keys = uniqueKeys([spec.ix, ...ixs]);
    const before = images(w, keys);
    const r = expected === "ok" ? w.simulate(ixs) : w.run(ixs);
    const actual = outcomeName(r);
    if (expected === "ok") return { spec: spec.label, label: c.label, expected, actual, changed: [] };
    const changed = changedKeys(keys, before, images(w, keys));
    if (actual === "ok") restore(w, keys, before);
    return { spec: spec.label, label: c.label, expected, actual, changed };
  } finally {
    c.teardown?.();
  }
}

/** Keys the runtime never lets an instruction write (builtins, the invoked program). */
const DEMOTED = [SystemProgram.programId, PERPOOL_PROGRAM_ID].map((k) => k.toBase58());

/** Every candidate of one account slot. */
function candidates(w: World, spec: Spec, index: number, zoo: Map<string, PublicKey>): Cand[] {
  const meta = spec.ix.keys[index];
  const out: Cand[] = [];
  const seen = new Set<string>([meta.pubkey.toBase58()]);
  const add = (c: Cand) => {
    const id = c.pubkey ? c.pubkey.toBase58() : `flag:${c.label}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push(c);
  };
  const sameKeyElsewhere = (pred: (k: { isSigner: boolean; isWritable: boolean }) => boolean) =>
    spec.ix.keys.some((k, i) => i !== index && k.pubkey.equals(meta.pubkey) && pred(k));
  // Curated candidates first: they may redefine "unsigned" or "read-only".
  for (const c of spec.extra?.[index] ?? []) add(c);
  if (meta.isSigner && !sameKeyElsewhere((k) => k.isSigner) && !meta.pubkey.equals(w.payer.publicKey)) {
    add({ label: "unsigned", isSigner: false, expect: "MissingSigner" });
  }
  if (meta.isWritable && !sameKeyElsewhere((k) => k.isWritable) && !(spec.readonlyOk ?? []).includes(index)) {
    add({ label: "read-only", isWritable: false, expect: "AccountNotWritable" });
  }
  spec.ix.keys.forEach((k, i) => {
    if (i !== index) add({ label: `duplicate of #${i}`, pubkey: k.pubkey });
  });
  // The zoo, at most two look-alikes per (kind, expected error): every distinct outcome is covered.
  const groups = new Map<string, number>();
  for (const [name, key] of zoo) {
    if (key.equals(meta.pubkey)) continue;
    const kind = classify(w, key, true);
    const group = `${kind.t}/${kind.t === "perpool" ? kind.type : ""}/${expectFor(w, spec, index, { label: name, pubkey: key, isSigner: meta.isSigner ? w.keys.has(key.toBase58()) : undefined })}`;
    const n = groups.get(group) ?? 0;
    if (n >= 2) continue;
    groups.set(group, n + 1);
    add({ label: `zoo:${name}`, pubkey: key });
  }
  const copy = foreignCopy(w, meta.pubkey);
  if (copy) add({ label: "foreign-owned copy", pubkey: copy });
  add({ label: "absent", pubkey: Keypair.generate().publicKey });
  // A substitute in a signer slot signs when we hold its key.
  if (meta.isSigner) {
    for (const c of out) if (c.pubkey && c.isSigner === undefined) c.isSigner = w.keys.has(c.pubkey.toBase58());
  }
  return out;
}

const PAUSE_ALL = 15;
/** Worlds whose specs also run their baseline with every pause flag set, with their config account. */
const pauseConfigs = new WeakMap<World, PublicKey>();

/** Makes every spec run in `w` also run its baseline with all pause flags set. */
export function enablePauseCases(w: World, config: PublicKey): void {
  pauseConfigs.set(w, config);
}

/** Writes the config's pause flags directly (the byte after discriminator, version and bump). */
function setPause(w: World, config: PublicKey, flags: number): void {
  const a = w.provider.getAccount(config)!;
  const data = Buffer.from(a.data);
  data[10] = flags;
  w.provider.setAccount(config, { lamports: a.lamports, data, owner: a.owner });
}

/** Builds and runs every case of `spec`; returns the per-case results. */
export async function runSpec(w: World, spec: Spec, zoo: Map<string, PublicKey>): Promise<CaseResult[]> {
  await spec.before?.();
  const results: CaseResult[] = [];
  try {
    results.push(runCase(w, spec, [spec.ix], { label: "baseline" }, spec.baseline ?? "ok"));
    if (spec.baselineOnly) return results;
    const config = pauseConfigs.get(w);
    if (config !== undefined) {
      const pausedCase: Cand = {
        label: "baseline with every pause flag set",
        setup: () => setPause(w, config, PAUSE_ALL),
        teardown: () => setPause(w, config, 0),
      };
      results.push(runCase(w, spec, [spec.ix], pausedCase, spec.paused ?? spec.baseline ?? "ok"));
    }
    spec.ix.keys.forEach((_meta, index) => {
      if (!spec.rules?.[index]) throw new Error(`${spec.label}: no rule for account #${index}`);
      for (const c of candidates(w, spec, index, zoo)) {
        const mutated = replaceMeta(spec.ix, index, c);
        const expected = expectFor(w, spec, index, c);
        results.push(
          runCase(
            w,
            spec,
            [mutated],
            { ...c, label: `#${index} ${ixAccountName(spec, index)} ← ${c.label}` },
            expected,
          ),
        );
      }
    });
    // Fewer accounts than required: drop the last fixed account.
    const fixed = fixedCount(spec);
    const short = new TransactionInstruction({
      programId: spec.ix.programId,
      keys: spec.ix.keys.slice(0, fixed - 1),
      data: spec.ix.data,
    });
    results.push(runCase(w, spec, [short], { label: "one account short" }, "NotEnoughAccounts"));
    // Data: empty, unknown discriminator, one byte short, one byte too many.
    const d = spec.ix.data;
    const dataCases: ArgCase[] = [
      { label: "no data", data: Buffer.alloc(0), expect: "InvalidInstructionData" },
      {
        label: "unknown discriminator",
        data: Buffer.concat([Buffer.alloc(8, 0xff), d.subarray(8)]),
        expect: "InvalidInstructionData",
      },
      { label: "trailing byte", data: Buffer.concat([d, Buffer.from([0])]), expect: "InvalidInstructionData" },
      ...(d.length > 8
        ? [{ label: "one byte short", data: d.subarray(0, d.length - 1), expect: "InvalidInstructionData" }]
        : []),
      ...(spec.args ?? []),
    ];
    for (const sh of spec.shapes ?? []) {
      const ix = new TransactionInstruction({
        programId: spec.ix.programId,
        keys: sh.keys,
        data: Buffer.from(spec.ix.data),
      });
      results.push(runCase(w, spec, [ix], { label: `accounts: ${sh.label}` }, sh.expect));
    }
    for (const a of dataCases) {
      const data = typeof a.data === "function" ? await a.data() : a.data;
      const ix = new TransactionInstruction({
        programId: spec.ix.programId,
        keys: spec.ix.keys.map((k) => ({ ...k })),
        data,
      });
      results.push(runCase(w, spec, [ix], { label: `data: ${a.label}` }, a.expect));
    }
  } finally {
    await spec.after?.();
  }
  return results;
}

/** The error a candidate must raise in slot `index`. */
function expectFor(w: World, spec: Spec, index: number, c: Cand): string {
  if (c.expect !== undefined) return c.expect;
  const meta = spec.ix.keys[index];
  const signed = c.isSigner ?? meta.isSigner;
  if (meta.isSigner && !signed) return "MissingSigner";
  // The runtime demotes builtins and the invoked program to read-only, whatever the meta says.
  if ((c.isWritable ?? meta.isWritable) && c.pubkey && DEMOTED.includes(c.pubkey.toBase58())) {
    return spec.demoted?.[index] ?? "AccountNotWritable";
  }
  return spec.rules![index](classifyAfter(w, c), c);
}

function classifyAfter(w: World, c: Cand): Kind {
  if (!c.setup) return classify(w, c.pubkey ?? PublicKey.default, c.pubkey !== undefined);
  c.setup();
  try {
    return classify(w, c.pubkey ?? PublicKey.default);
  } finally {
    c.teardown?.();
  }
}

type IxAccounts = { name: string; discriminator: number[]; accounts: { name: string; optional?: boolean }[] };
const IX_ACCOUNTS = new Map(
  (IDL.instructions as IxAccounts[]).map((i) => [
    Buffer.from(i.discriminator).toString("hex"),
    i.accounts.map((a) => a.name),
  ]),
);
const IX_FIXED = new Map(
  (IDL.instructions as IxAccounts[]).map((i) => [
    Buffer.from(i.discriminator).toString("hex"),
    i.accounts.filter((a) => !a.optional).map((a) => a.name),
  ]),
);

function ixAccountName(spec: Spec, index: number): string {
  const names = IX_ACCOUNTS.get(spec.ix.data.subarray(0, 8).toString("hex")) ?? [];
  if (index < names.length) return names[index];
  const j = index - names.length;
  return `list[${Math.floor(j / 2)}].${j % 2 === 0 ? "custody" : "oracle"}`;
}

/** The accounts an instruction cannot do without: its declared ones less the optional (a custody list's slots). */
function fixedCount(spec: Spec): number {
  return (IX_FIXED.get(spec.ix.data.subarray(0, 8).toString("hex")) ?? []).length;
}

// --- instruction data ------------------------------------------------------------------------

/** Replaces the u64 at byte `offset` of the data (after the discriminator). */
export function withU64(data: Buffer, offset: number, value: BN): Buffer {
  const out = Buffer.from(data);
  out.writeBigUInt64LE(BigInt(value.toString()), 8 + offset);
  return out;
}

export function withByte(data: Buffer, offset: number, value: number): Buffer {
  const out = Buffer.from(data);
  out[8 + offset] = value;
  return out;
}

/** The standard amount cases of the u64 at `offset`: 0, 1, u64::MAX and one past the largest accepted value. */
export function amountCases(
  spec: { ix: TransactionInstruction },
  arg: string,
  offset: number,
  expect: { zero: string; one: string; max: string; over?: [string, () => Promise<BN>, string] },
): ArgCase[] {
  const d = spec.ix.data;
  const out: ArgCase[] = [
    { label: `${arg} = 0`, data: withU64(d, offset, new BN(0)), expect: expect.zero },
    { label: `${arg} = 1`, data: withU64(d, offset, new BN(1)), expect: expect.one },
    { label: `${arg} = u64::MAX`, data: withU64(d, offset, U64_MAX), expect: expect.max },
  ];
  if (expect.over) {
    const [what, limit, error] = expect.over;
    out.push({ label: `${arg} = ${what}`, data: async () => withU64(d, offset, await limit()), expect: error });
  }
  return out;
}

// --- rules ---------------------------------------------------------------------------------------

export const Rules = {
  /** Any signer will do (permissionless). */
  anySigner: (): Rule => () => "ok",
  /** A program account of `type`; `sibling` decides for another account of the same type. */
  account:
    (type: AccountType, sibling: (d: any, k: Kind) => string): Rule =>
    (k) =>
      k.t !== "perpool" ? "InvalidAccountOwner" : k.type !== type ? "InvalidAccountData" : sibling(k.d, k),
  config: (): Rule => Rules.account("Config", () => "ok"),
  /** Compared by address with what an account of the instruction records. */
  address:
    (error: string): Rule =>
    () =>
      error,
  /** An SPL token account of `mint`; `owner` decides once the mint matches. */
  token:
    (mint: PublicKey, owner: (o: PublicKey, key: PublicKey) => string = () => "ok"): Rule =>
    (k) =>
      k.t !== "token" || !k.mint.equals(mint) ? "InvalidTokenAccount" : owner(k.owner, k.key),
  tokenProgram: (): Rule => (k) => (k.t === "exe" && k.key.equals(TOKEN_PROGRAM_ID) ? "ok" : "InvalidTokenProgram"),
  systemProgram: (): Rule => (k) =>
    k.t === "exe" && k.key.equals(SystemProgram.programId) ? "ok" : "InvalidSystemProgram",
  fixed:
    (error: string): Rule =>
    () =>
      error,
};
