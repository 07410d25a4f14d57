/** Pure builders for the LP instructions and swaps. */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { TOKEN_PROGRAM_ID } from "../constants";
import { configPda, lpAccountPda } from "../pda";
import { PoolState, custodySlotAccounts, findCustody, usedSlotsOnly } from "../pool";
import { PerpoolProgram } from "../program";

const custodyOf = (state: PoolState, address: PublicKey) => findCustody(state, address).account;

export function addLiquidityIx(
  program: PerpoolProgram,
  state: PoolState,
  args: {
    owner: PublicKey;
    custody: PublicKey;
    fundingAccount: PublicKey;
    lpTokenAccount: PublicKey;
    amountIn: BN;
    minLpOut: BN;
  },
): Promise<TransactionInstruction> {
  const c = custodyOf(state, args.custody);
  return program.methods
    .addLiquidity(args.amountIn, args.minLpOut)
    .accountsStrict({
      owner: args.owner,
      config: configPda(program.programId)[0],
      pool: state.address,
      custody: args.custody,
      vault: c.vault,
      fundingAccount: args.fundingAccount,
      lpMint: state.pool.lpMint,
      lpTokenAccount: args.lpTokenAccount,
      lpAccount: lpAccountPda(state.address, args.owner, program.programId)[0],
      lpEscrow: state.pool.lpEscrow,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
      ...custodySlotAccounts(state),
    })
    .instruction()
    .then((ix) => usedSlotsOnly(ix, state));
}

/** Takes the owner's LP tokens out of the pool's escrow once their cooldown is over. */
export function claimLpIx(
  program: PerpoolProgram,
  state: PoolState,
  args: { owner: PublicKey; lpTokenAccount: PublicKey },
): Promise<TransactionInstruction> {
  return program.methods
    .claimLp()
    .accountsStrict({
      owner: args.owner,
      pool: state.address,
      lpAccount: lpAccountPda(state.address, args.owner, program.programId)[0],
      lpEscrow: state.pool.lpEscrow,
      lpTokenAccount: args.lpTokenAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function removeLiquidityIx(
  program: PerpoolProgram,
  state: PoolState,
  args: {
    owner: PublicKey;
    custody: PublicKey;
    receivingAccount: PublicKey;
    lpTokenAccount: PublicKey;
    lpIn: BN;
    minAmountOut: BN;
  },
): Promise<TransactionInstruction> {
  const c = custodyOf(state, args.custody);
  return program.methods
    .removeLiquidity(args.lpIn, args.minAmountOut)
    .accountsStrict({
      owner: args.owner,
      config: configPda(program.programId)[0],
      pool: state.address,
      custody: args.custody,
      vault: c.vault,
      receivingAccount: args.receivingAccount,
      lpMint: state.pool.lpMint,
      lpTokenAccount: args.lpTokenAccount,
      lpAccount: lpAccountPda(state.address, args.owner, program.programId)[0],
      tokenProgram: TOKEN_PROGRAM_ID,
      ...custodySlotAccounts(state),
    })
    .instruction()
    .then((ix) => usedSlotsOnly(ix, state));
}

export function swapIx(
  program: PerpoolProgram,
  state: PoolState,
  args: {
    owner: PublicKey;
    custodyIn: PublicKey;
    custodyOut: PublicKey;
    fundingAccount: PublicKey;
    receivingAccount: PublicKey;
    amountIn: BN;
    minAmountOut: BN;
  },
): Promise<TransactionInstruction> {
  return program.methods
    .swap(args.amountIn, args.minAmountOut)
    .accountsStrict({
      owner: args.owner,
      config: configPda(program.programId)[0],
      pool: state.address,
      custodyIn: args.custodyIn,
      vaultIn: custodyOf(state, args.custodyIn).vault,
      custodyOut: args.custodyOut,
      vaultOut: custodyOf(state, args.custodyOut).vault,
      fundingAccount: args.fundingAccount,
      receivingAccount: args.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
      ...custodySlotAccounts(state),
    })
    .instruction()
    .then((ix) => usedSlotsOnly(ix, state));
}

export function withdrawProtocolFeesIx(
  program: PerpoolProgram,
  state: PoolState,
  args: { admin: PublicKey; custody: PublicKey; receivingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .withdrawProtocolFees(args.amount)
    .accountsStrict({
      admin: args.admin,
      config: configPda(program.programId)[0],
      pool: state.address,
      custody: args.custody,
      vault: custodyOf(state, args.custody).vault,
      receivingAccount: args.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** Adds `amount` of the custody's token to its insurance fund (anyone may). */
export function topUpInsuranceIx(
  program: PerpoolProgram,
  state: PoolState,
  args: { payer: PublicKey; custody: PublicKey; fundingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .topUpInsurance(args.amount)
    .accountsStrict({
      payer: args.payer,
      config: configPda(program.programId)[0],
      pool: state.address,
      custody: args.custody,
      vault: custodyOf(state, args.custody).vault,
      fundingAccount: args.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}
