/** Pure builders for the loan instructions. */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { TOKEN_PROGRAM_ID } from "../constants";
import { configPda, loanPda } from "../pda";
import { PoolState, findCustody } from "../pool";
import { PerpoolProgram } from "../program";

const custody = (state: PoolState, address: PublicKey) => findCustody(state, address).account;

export interface LoanRef {
  owner: PublicKey;
  collateralCustody: PublicKey;
  borrowCustody: PublicKey;
}

function loanAccounts(program: PerpoolProgram, state: PoolState, signer: PublicKey, l: LoanRef) {
  return {
    owner: signer,
    config: configPda(program.programId)[0],
    pool: state.address,
    loan: loanPda(l.owner, state.address, l.collateralCustody, l.borrowCustody, program.programId)[0],
    collateralCustody: l.collateralCustody,
    collateralOracle: custody(state, l.collateralCustody).oracle,
    borrowCustody: l.borrowCustody,
    borrowOracle: custody(state, l.borrowCustody).oracle,
  };
}

export function depositLoanCollateralIx(
  program: PerpoolProgram,
  state: PoolState,
  l: LoanRef & { fundingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .depositLoanCollateral(l.amount)
    .accountsStrict({
      owner: l.owner,
      config: configPda(program.programId)[0],
      pool: state.address,
      loan: loanPda(l.owner, state.address, l.collateralCustody, l.borrowCustody, program.programId)[0],
      collateralCustody: l.collateralCustody,
      borrowCustody: l.borrowCustody,
      vault: custody(state, l.collateralCustody).vault,
      fundingAccount: l.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function withdrawLoanCollateralIx(
  program: PerpoolProgram,
  state: PoolState,
  l: LoanRef & { receivingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .withdrawLoanCollateral(l.amount)
    .accountsStrict({
      ...loanAccounts(program, state, l.owner, l),
      vault: custody(state, l.collateralCustody).vault,
      receivingAccount: l.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function borrowIx(
  program: PerpoolProgram,
  state: PoolState,
  l: LoanRef & { receivingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .borrow(l.amount)
    .accountsStrict({
      ...loanAccounts(program, state, l.owner, l),
      borrowVault: custody(state, l.borrowCustody).vault,
      receivingAccount: l.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function repayIx(
  program: PerpoolProgram,
  state: PoolState,
  l: LoanRef & { payer: PublicKey; fundingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  return program.methods
    .repay(l.amount)
    .accountsStrict({
      payer: l.payer,
      config: configPda(program.programId)[0],
      pool: state.address,
      loan: loanPda(l.owner, state.address, l.collateralCustody, l.borrowCustody, program.programId)[0],
      borrowCustody: l.borrowCustody,
      borrowVault: custody(state, l.borrowCustody).vault,
      fundingAccount: l.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function liquidateLoanIx(
  program: PerpoolProgram,
  state: PoolState,
  l: LoanRef & { liquidator: PublicKey; liquidatorFunding: PublicKey; liquidatorReceiving: PublicKey; repayAmount: BN },
): Promise<TransactionInstruction> {
  const { owner: _owner, ...rest } = loanAccounts(program, state, l.liquidator, l);
  return program.methods
    .liquidateLoan(l.repayAmount)
    .accountsStrict({
      liquidator: l.liquidator,
      ...rest,
      collateralVault: custody(state, l.collateralCustody).vault,
      borrowVault: custody(state, l.borrowCustody).vault,
      liquidatorFunding: l.liquidatorFunding,
      liquidatorReceiving: l.liquidatorReceiving,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}
