/**
 * Pure builders for the admin instructions: each returns the
 * `TransactionInstruction` the program expects, with every account derived.
 */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";

import { DEFAULT_TIMELOCK_SECS, TOKEN_PROGRAM_ID } from "../constants";
import { configPda, custodyPda, lpEscrowPda, lpMintPda, poolPda, programDataPda, vaultPda } from "../pda";
import { PerpoolProgram } from "../program";
import { priceFeedPda } from "../publisher";
import { CustodyParams, PoolParams } from "../types";

/**
 * `init_config(min_timelock_secs)`: `admin` must be the program's upgrade authority (checked
 * through its ProgramData account) and becomes the protocol admin. `minTimelockSecs` is the
 * shortest settings timelock any pool may ever have (default 24 h; 0 for local clusters).
 */
export function initConfigIx(
  program: PerpoolProgram,
  admin: PublicKey,
  opts: { minTimelockSecs?: number } = {},
): Promise<TransactionInstruction> {
  const pid = program.programId;
  return program.methods
    .initConfig(opts.minTimelockSecs ?? DEFAULT_TIMELOCK_SECS)
    .accountsStrict({
      admin,
      config: configPda(pid)[0],
      program: pid,
      programData: programDataPda(pid)[0],
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function createPoolIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; name: string; params: PoolParams },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  const [pool] = poolPda(args.name, pid);
  return program.methods
    .createPool(args.name, args.params)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool,
      lpMint: lpMintPda(pool, pid)[0],
      lpEscrow: lpEscrowPda(pool, pid)[0],
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** Addresses `add_custody` creates for a pool asset. */
export function custodyAddresses(pool: PublicKey, mint: PublicKey, programId: PublicKey) {
  const [custody] = custodyPda(pool, mint, programId);
  return { custody, vault: vaultPda(custody, programId)[0] };
}

/** The price feed account custody settings name: PDA `[oracleShard (u16 LE), feedId]` of `oracleProgram`. */
export function custodyOracleAddress(
  params: Pick<CustodyParams, "feedId" | "oracleShard" | "oracleProgram">,
): PublicKey {
  return priceFeedPda(params.feedId, params.oracleShard, params.oracleProgram)[0];
}

/**
 * `add_custody`: the asset is priced by its feed's `PriceUpdateV2` account, the one `params` name
 * ([`custodyOracleAddress`]); `pythOracle` passes another (which the program refuses: for tests).
 */
export function addCustodyIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; pool: PublicKey; mint: PublicKey; params: CustodyParams; pythOracle?: PublicKey },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  const { custody, vault } = custodyAddresses(args.pool, args.mint, pid);
  return program.methods
    .addCustody(args.params)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool: args.pool,
      custody,
      mint: args.mint,
      vault,
      oracle: args.pythOracle ?? custodyOracleAddress(args.params),
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function proposeAdminIx(
  program: PerpoolProgram,
  admin: PublicKey,
  newAdmin: PublicKey,
): Promise<TransactionInstruction> {
  return program.methods
    .proposeAdmin(newAdmin)
    .accountsStrict({ admin, config: configPda(program.programId)[0] })
    .instruction();
}

export function acceptAdminIx(program: PerpoolProgram, newAdmin: PublicKey): Promise<TransactionInstruction> {
  return program.methods
    .acceptAdmin()
    .accountsStrict({ newAdmin, config: configPda(program.programId)[0] })
    .instruction();
}

export function setPauseIx(program: PerpoolProgram, admin: PublicKey, flags: number): Promise<TransactionInstruction> {
  return program.methods
    .setPause(flags)
    .accountsStrict({ admin, config: configPda(program.programId)[0] })
    .instruction();
}
