/**
 * Test fixture: a LiteSVM with the built program deployed as a cluster deploys
 * it (upgradeable, the admin its upgrade authority), the local price
 * publisher at the Pyth receiver's address, driven through anchor.
 */
import * as anchor from "@coral-xyz/anchor";
import { Keypair, PublicKey, Transaction, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";

import { LiteSvmProvider, PerpoolProgram, PERPOOL_PROGRAM_ID, IDL, parseEvents, perpoolProgram } from "../sdk/src";
import type { Settlement } from "../sdk/src";

/**
 * The build the tests load: target/deploy (SBPF v0, `npm run build`), or with PERPOOL_SBPF=v3
 * target/deploy-v3 (`npm run build -- --sbpf v3`).
 */
const SBPF = process.env.PERPOOL_SBPF || "v0";
if (SBPF !== "v0" && SBPF !== "v3") throw new Error(`PERPOOL_SBPF must be v0 or v3, not ${SBPF}`);
export const DEPLOY_DIR = path.resolve(__dirname, "..", "target", SBPF === "v3" ? "deploy-v3" : "deploy");
export const PROGRAM_SO = path.join(DEPLOY_DIR, "perpool.so");
export const PUBLISHER_SO = path.join(DEPLOY_DIR, "pyth_publisher.so");

/** The built programs, read once per test process. */
let elves: { program: Buffer; publisher: Buffer } | undefined;
export function builtPrograms(): { program: Buffer; publisher: Buffer } {
  elves ??= { program: fs.readFileSync(PROGRAM_SO), publisher: fs.readFileSync(PUBLISHER_SO) };
  return elves;
}

export interface Ctx {
  provider: LiteSvmProvider;
  program: PerpoolProgram;
  admin: Keypair;
}

/**
 * A fresh SVM with the program deployed upgradeable at its address and the
 * price publisher at the Pyth receiver's. The provider's wallet is the admin
 * and, unless `upgradeAuthority` says otherwise (null: immutable), the
 * program's upgrade authority.
 */
export function freshCtx(opts: { upgradeAuthority?: PublicKey | null } = {}): Ctx {
  const admin = Keypair.generate();
  const provider = new LiteSvmProvider(undefined, new anchor.Wallet(admin));
  const { program: elf, publisher } = builtPrograms();
  provider.addUpgradeableProgram(
    PERPOOL_PROGRAM_ID,
    elf,
    opts.upgradeAuthority === undefined ? admin.publicKey : opts.upgradeAuthority,
  );
  provider.addPricePublisher(publisher);
  const program = perpoolProgram(provider);
  return { provider, program, admin };
}

export function fundedKeypair(ctx: Ctx, sol = 100): Keypair {
  const kp = Keypair.generate();
  ctx.provider.airdrop(kp.publicKey, BigInt(sol) * 1_000_000_000n);
  return kp;
}

/**
 * Sends instructions (fee payer: the admin wallet) and returns the logs, the compute units and the
 * events in order; `settled` lists what the position events report as settled before their change
 * (their `settled` field: what the position paid and earned over time), when anything was.
 */
export async function send(ctx: Ctx, ixs: TransactionInstruction[], signers: Keypair[] = []) {
  const sig = await ctx.provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  const result = ctx.provider.getTxResult(sig)!;
  const all = parseEvents(ctx.program, result.logs);
  return {
    sig,
    logs: result.logs,
    cu: Number(result.computeUnits),
    events: all,
    settled: all.flatMap((e) => (e.data.settled ? [e.data.settled as Settlement] : [])),
  };
}

export const errorCode = (name: string): number => {
  const e = (IDL.errors as { code: number; name: string }[]).find((x) => x.name === name);
  if (!e) throw new Error(`no error named ${name}`);
  return e.code;
};

/** Raw bytes, lamports and owner of accounts, to prove a failure changed nothing. */
export function snapshot(ctx: Ctx, keys: PublicKey[]): string[] {
  return keys.map((k) => {
    const a = ctx.provider.getAccount(k);
    return a ? `${a.owner.toBase58()}:${a.lamports}:${a.data.toString("hex")}` : "none";
  });
}

/**
 * Sends the instructions, expects the program to fail with the named error,
 * and checks that none of `watch` changed (the fee payer is not watched).
 */
export async function expectProgramError(
  ctx: Ctx,
  ixs: TransactionInstruction[],
  name: string,
  watch: PublicKey[],
  signers: Keypair[] = [],
): Promise<string[]> {
  const code = errorCode(name);
  const before = snapshot(ctx, watch);
  let err: any;
  try {
    await ctx.provider.sendAndConfirm(new Transaction().add(...ixs), signers);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name} (${code}) but the transaction succeeded`).to.not.equal(undefined);
  const logs: string[] = err.logs ?? err.transactionLogs ?? [];
  const hex = `custom program error: 0x${code.toString(16)}`;
  expect(logs.join("\n"), `expected ${name}; logs:\n${logs.join("\n")}`).to.contain(hex);
  expect(snapshot(ctx, watch), "accounts changed by a failed instruction").to.deep.equal(before);
  return logs;
}

/** Same, through anchor's `.rpc()` path: the translated error carries the code. */
export async function expectAnchorError(promise: Promise<unknown>, name: string): Promise<void> {
  const code = errorCode(name);
  let err: any;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${name}`).to.not.equal(undefined);
  const got = err.error?.errorCode?.number ?? err.code;
  expect(got, String(err)).to.equal(code);
}

/** A copy of an instruction with one account meta changed. */
/** The highest bump below `canonical` whose address (seeds of `program`) is off the curve, and that address. */
export function nonCanonical(
  seeds: Buffer[],
  canonical: number,
  program: PublicKey = PERPOOL_PROGRAM_ID,
): { address: PublicKey; bump: number } {
  for (let bump = canonical - 1; bump >= 0; bump--) {
    try {
      return { address: PublicKey.createProgramAddressSync([...seeds, Buffer.from([bump])], program), bump };
    } catch {
      // On the curve: not an address a program can sign for; try the next bump.
    }
  }
  throw new Error("no lower bump derives an address off the curve");
}

export function withAccount(
  ix: TransactionInstruction,
  index: number,
  change: Partial<{ pubkey: PublicKey; isSigner: boolean; isWritable: boolean }>,
): TransactionInstruction {
  const keys = ix.keys.map((k, i) => (i === index ? { ...k, ...change } : { ...k }));
  return new TransactionInstruction({ programId: ix.programId, keys, data: Buffer.from(ix.data) });
}

export function withData(ix: TransactionInstruction, data: Buffer): TransactionInstruction {
  return new TransactionInstruction({ programId: ix.programId, keys: ix.keys.map((k) => ({ ...k })), data });
}

export function withoutAccounts(ix: TransactionInstruction, keep: number): TransactionInstruction {
  return new TransactionInstruction({
    programId: ix.programId,
    keys: ix.keys.slice(0, keep),
    data: Buffer.from(ix.data),
  });
}
