/** Pure builders for the position instructions. */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { TOKEN_PROGRAM_ID } from "../constants";
import { Position } from "../idl/types";
import { configPda, positionPda } from "../pda";
import { PoolState, findCustody } from "../pool";
import { PerpoolProgram } from "../program";

const custody = (state: PoolState, address: PublicKey) => findCustody(state, address).account;

function tradeAccounts(program: PerpoolProgram, state: PoolState, owner: PublicKey, market: PublicKey, collateral: PublicKey, side: number) {
  const m = custody(state, market);
  const c = custody(state, collateral);
  return {
    owner,
    config: configPda(program.programId)[0],
    pool: state.address,
    position: positionPda(owner, state.address, market, collateral, side, program.programId)[0],
    custody: market,
    custodyOracle: m.oracle,
    collateralCustody: collateral,
    collateralOracle: c.oracle,
    vault: c.vault,
  };
}

export interface IncreaseArgs {
  owner: PublicKey;
  side: number;
  /** Market custody. */
  custody: PublicKey;
  collateralCustody: PublicKey;
  fundingAccount: PublicKey;
  sizeUsd: BN;
  collateralAmount: BN;
  /** Worst entry price accepted (9 decimals): a ceiling for longs, a floor for shorts. */
  acceptablePrice: BN;
}

export function increasePositionIx(program: PerpoolProgram, state: PoolState, a: IncreaseArgs): Promise<TransactionInstruction> {
  return program.methods
    .increasePosition(a.side, a.sizeUsd, a.collateralAmount, a.acceptablePrice)
    .accountsStrict({
      ...tradeAccounts(program, state, a.owner, a.custody, a.collateralCustody, a.side),
      fundingAccount: a.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export interface DecreaseArgs {
  position: Position;
  receivingAccount: PublicKey;
  sizeUsd: BN;
  collateralOut: BN;
  /** Worst exit price accepted (9 decimals): a floor for longs, a ceiling for shorts. */
  acceptablePrice: BN;
}

export function decreasePositionIx(program: PerpoolProgram, state: PoolState, a: DecreaseArgs): Promise<TransactionInstruction> {
  const p = a.position;
  return program.methods
    .decreasePosition(a.sizeUsd, a.collateralOut, a.acceptablePrice)
    .accountsStrict({
      ...tradeAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side),
      receivingAccount: a.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function removeCollateralIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { position: Position; receivingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  const p = a.position;
  return program.methods
    .removeCollateral(a.amount)
    .accountsStrict({
      ...tradeAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side),
      receivingAccount: a.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function addCollateralIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { position: Position; fundingAccount: PublicKey; amount: BN },
): Promise<TransactionInstruction> {
  const p = a.position;
  return program.methods
    .addCollateral(a.amount)
    .accountsStrict({
      ...tradeAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side),
      fundingAccount: a.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function liquidatePositionIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { keeper: PublicKey; position: Position; keeperAccount: PublicKey; ownerAccount: PublicKey },
): Promise<TransactionInstruction> {
  const p = a.position;
  const t = tradeAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side);
  return program.methods
    .liquidatePosition()
    .accountsStrict({
      keeper: a.keeper,
      config: t.config,
      pool: t.pool,
      position: t.position,
      custody: t.custody,
      custodyOracle: t.custodyOracle,
      collateralCustody: t.collateralCustody,
      collateralOracle: t.collateralOracle,
      vault: t.vault,
      keeperAccount: a.keeperAccount,
      ownerAccount: a.ownerAccount,
      owner: p.owner,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

export function refreshCustodyIx(program: PerpoolProgram, pool: PublicKey, custodyAddress: PublicKey): Promise<TransactionInstruction> {
  return program.methods.refreshCustody().accountsStrict({ pool, custody: custodyAddress }).instruction();
}
