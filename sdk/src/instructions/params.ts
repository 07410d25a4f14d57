/**
 * Pure builders for settings under the pool's timelock: propose, execute and
 * cancel pool and custody settings changes, and raise a pool's timelock.
 * A proposal carries the complete new settings; start from the current ones
 * (`poolParamsOf`, `custodySettingsOf`) and change what you mean to change.
 */
import { AccountMeta, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";

import { poolCustodies } from "../accounts";
import type { Pool, Proposal } from "../idl/types";
import type { CustodySettings } from "../params";
import { configPda, proposalPda } from "../pda";
import { PerpoolProgram } from "../program";
import { PoolParams } from "../types";

/** The pool a builder needs: its address and account (a `PoolState` will do). */
export interface PoolRef {
  address: PublicKey;
  pool: Pool;
}

/** The pool's custodies other than `custody`, in pool order: the target weights the program sums. */
export function otherCustodyAccounts(pool: PoolRef, custody: PublicKey): AccountMeta[] {
  return poolCustodies(pool.pool)
    .filter((c) => !c.equals(custody))
    .map((pubkey) => ({ pubkey, isSigner: false, isWritable: false }));
}

/** The address a new proposal gets: the pool's next nonce, plus `offset` for later proposals in the same transaction. */
export function nextProposalAddress(pool: PoolRef, target: PublicKey, programId: PublicKey, offset = 0): PublicKey {
  return proposalPda(pool.address, target, pool.pool.proposalNonce.addn(offset), programId)[0];
}

/** `propose_pool_params`: the pool's complete new settings, executable after its timelock. */
export function proposePoolParamsIx(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; params: PoolParams; nonceOffset?: number },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  return program.methods
    .proposePoolParams(args.params)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool: pool.address,
      proposal: nextProposalAddress(pool, pool.address, pid, args.nonceOffset),
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** `propose_custody_params`: a custody's complete new settings (oracle, parameters, risk), executable after the pool's timelock. */
export function proposeCustodyParamsIx(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; custody: PublicKey; settings: CustodySettings; nonceOffset?: number },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  return program.methods
    .proposeCustodyParams(args.settings.params, args.settings.risk)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool: pool.address,
      proposal: nextProposalAddress(pool, args.custody, pid, args.nonceOffset),
      custody: args.custody,
      oracle: args.settings.oracle,
      systemProgram: SystemProgram.programId,
    })
    .remainingAccounts(otherCustodyAccounts(pool, args.custody))
    .instruction();
}

/** `execute_pool_params`: applies a due pool settings proposal. */
export function executePoolParamsIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; pool: PublicKey; proposal: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .executePoolParams()
    .accountsStrict({
      admin: args.admin,
      config: configPda(program.programId)[0],
      pool: args.pool,
      proposal: args.proposal,
    })
    .instruction();
}

/** `execute_custody_params`: applies a due custody settings proposal (`oracle`: the one it holds). */
export function executeCustodyParamsIx(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; proposal: PublicKey; custody: PublicKey; oracle: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .executeCustodyParams()
    .accountsStrict({
      admin: args.admin,
      config: configPda(program.programId)[0],
      pool: pool.address,
      proposal: args.proposal,
      custody: args.custody,
      oracle: args.oracle,
    })
    .remainingAccounts(otherCustodyAccounts(pool, args.custody))
    .instruction();
}

/** Executes a decoded proposal of either kind (`oracle`: for a custody proposal, the one it holds). */
export function executeProposalIx(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; proposal: PublicKey; account: Proposal; oracle?: PublicKey },
): Promise<TransactionInstruction> {
  if (args.account.target.equals(pool.address))
    return executePoolParamsIx(program, { admin: args.admin, pool: pool.address, proposal: args.proposal });
  if (!args.oracle) throw new Error("a custody proposal executes with its oracle account");
  return executeCustodyParamsIx(program, pool, {
    admin: args.admin,
    proposal: args.proposal,
    custody: args.account.target,
    oracle: args.oracle,
  });
}

/** `cancel_proposal`: withdraws a pending proposal; its rent returns to the admin. */
export function cancelProposalIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; pool: PublicKey; proposal: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .cancelProposal()
    .accountsStrict({
      admin: args.admin,
      config: configPda(program.programId)[0],
      pool: args.pool,
      proposal: args.proposal,
    })
    .instruction();
}

/** `raise_timelock`: a longer settings timelock, at once. */
export function raiseTimelockIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; pool: PublicKey; timelockSecs: number },
): Promise<TransactionInstruction> {
  return program.methods
    .raiseTimelock(args.timelockSecs)
    .accountsStrict({ admin: args.admin, config: configPda(program.programId)[0], pool: args.pool })
    .instruction();
}

/**
 * Propose and execute in one transaction: a custody settings change that takes
 * effect at once, which only a pool with a zero timelock (a local cluster's) accepts.
 */
export async function proposeAndExecuteCustodyParamsIxs(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; custody: PublicKey; settings: CustodySettings },
): Promise<TransactionInstruction[]> {
  const proposal = nextProposalAddress(pool, args.custody, program.programId);
  return [
    await proposeCustodyParamsIx(program, pool, args),
    await executeCustodyParamsIx(program, pool, {
      admin: args.admin,
      proposal,
      custody: args.custody,
      oracle: args.settings.oracle,
    }),
  ];
}

/** The same for the pool's own settings. */
export async function proposeAndExecutePoolParamsIxs(
  program: PerpoolProgram,
  pool: PoolRef,
  args: { admin: PublicKey; params: PoolParams },
): Promise<TransactionInstruction[]> {
  const proposal = nextProposalAddress(pool, pool.address, program.programId);
  return [
    await proposePoolParamsIx(program, pool, args),
    await executePoolParamsIx(program, { admin: args.admin, pool: pool.address, proposal }),
  ];
}
