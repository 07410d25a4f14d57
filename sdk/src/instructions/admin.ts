/**
 * Pure builders for the admin instructions: each returns the
 * `TransactionInstruction` the program expects, with every account derived.
 */
import BN from "bn.js";
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";

import { DEFAULT_TIMELOCK_SECS, OracleKind, TOKEN_PROGRAM_ID } from "../constants";
import { configPda, custodyPda, lpEscrowPda, lpMintPda, poolPda, testOraclePda, vaultPda } from "../pda";
import { PerpoolProgram } from "../program";
import { CustodyParams, PoolParams } from "../types";

/**
 * `init_config(min_timelock_secs)`: the signer becomes the admin. `minTimelockSecs` is the
 * shortest settings timelock any pool may ever have (default 24 h; 0 for local clusters).
 */
export function initConfigIx(program: PerpoolProgram, admin: PublicKey, opts: { minTimelockSecs?: number } = {}): Promise<TransactionInstruction> {
  return program.methods
    .initConfig(opts.minTimelockSecs ?? DEFAULT_TIMELOCK_SECS)
    .accountsStrict({ admin, config: configPda(program.programId)[0], systemProgram: SystemProgram.programId })
    .instruction();
}

export function createPoolIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; name: string; allowTestOracles: boolean; params: PoolParams },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  const [pool] = poolPda(args.name, pid);
  return program.methods
    .createPool(args.name, args.allowTestOracles, args.params)
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
  return { custody, vault: vaultPda(custody, programId)[0], testOracle: testOraclePda(custody, programId)[0] };
}

export function addCustodyIx(
  program: PerpoolProgram,
  args: { admin: PublicKey; pool: PublicKey; mint: PublicKey; params: CustodyParams; pythOracle?: PublicKey },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  const { custody, vault, testOracle } = custodyAddresses(args.pool, args.mint, pid);
  const oracle = args.params.oracleKind === OracleKind.TEST ? testOracle : args.pythOracle;
  if (!oracle) throw new Error("a Pyth custody needs its PriceUpdateV2 account (pythOracle)");
  return program.methods
    .addCustody(args.params)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool: args.pool,
      custody,
      mint: args.mint,
      vault,
      oracle,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function setTestPriceIx(
  program: PerpoolProgram,
  args: {
    admin: PublicKey;
    pool: PublicKey;
    custody: PublicKey;
    price: BN;
    emaPrice: BN;
    conf: BN;
    expo: number;
  },
): Promise<TransactionInstruction> {
  const pid = program.programId;
  return program.methods
    .setTestPrice(args.price, args.emaPrice, args.conf, args.expo)
    .accountsStrict({
      admin: args.admin,
      config: configPda(pid)[0],
      pool: args.pool,
      custody: args.custody,
      testOracle: testOraclePda(args.custody, pid)[0],
    })
    .instruction();
}

export function proposeAdminIx(program: PerpoolProgram, admin: PublicKey, newAdmin: PublicKey): Promise<TransactionInstruction> {
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
