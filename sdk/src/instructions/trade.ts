/** Pure builders for the position instructions. */
import { PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { TOKEN_PROGRAM_ID } from "../constants";
import { Order, Position } from "../idl/types";
import { configPda, orderPda, positionPda } from "../pda";
import { PoolState, findCustody } from "../pool";
import { PerpoolProgram } from "../program";

const custody = (state: PoolState, address: PublicKey) => findCustody(state, address).account;

function tradeAccounts(
  program: PerpoolProgram,
  state: PoolState,
  owner: PublicKey,
  market: PublicKey,
  collateral: PublicKey,
  side: number,
) {
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

export function increasePositionIx(
  program: PerpoolProgram,
  state: PoolState,
  a: IncreaseArgs,
): Promise<TransactionInstruction> {
  // The canonical bump: the program derives the position's address from it once instead of searching.
  const bump = positionPda(a.owner, state.address, a.custody, a.collateralCustody, a.side, program.programId)[1];
  return program.methods
    .increasePosition(a.side, a.sizeUsd, a.collateralAmount, a.acceptablePrice, bump)
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

export function decreasePositionIx(
  program: PerpoolProgram,
  state: PoolState,
  a: DecreaseArgs,
): Promise<TransactionInstruction> {
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
  return program.methods
    .liquidatePosition()
    .accountsStrict({
      keeper: a.keeper,
      ...keeperAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side, a.ownerAccount),
      keeperAccount: a.keeperAccount,
    })
    .instruction();
}

export function refreshCustodyIx(
  program: PerpoolProgram,
  pool: PublicKey,
  custodyAddress: PublicKey,
): Promise<TransactionInstruction> {
  return program.methods.refreshCustody().accountsStrict({ pool, custody: custodyAddress }).instruction();
}

export interface PlaceOrderArgs {
  owner: PublicKey;
  side: number;
  /** Market custody. */
  custody: PublicKey;
  collateralCustody: PublicKey;
  /** Owner's token account of the collateral (limit orders escrow from it). */
  fundingAccount: PublicKey;
  /** Slot 0–7 of the position. */
  slot: number;
  /** `OrderKind`: 1 take-profit, 2 stop-loss, 3 limit. */
  kind: number;
  /** Oracle price that triggers it, 9 decimals. */
  triggerPrice: BN;
  /** Worst execution price, 9 decimals; 0 = any (take-profit / stop-loss only). */
  acceptablePrice: BN;
  /** Size to close (0 = all) or, for a limit order, to open; USD 6 decimals. */
  sizeUsd: BN;
  /** Limit orders: collateral to escrow. */
  collateralAmount: BN;
  /** Lamports prepaid to the executing keeper (at least `MIN_EXECUTION_REWARD`). */
  executionReward: BN;
}

export function placeOrderIx(
  program: PerpoolProgram,
  state: PoolState,
  a: PlaceOrderArgs,
): Promise<TransactionInstruction> {
  const t = tradeAccounts(program, state, a.owner, a.custody, a.collateralCustody, a.side);
  return program.methods
    .placeOrder(
      a.slot,
      a.kind,
      a.side,
      a.triggerPrice,
      a.acceptablePrice,
      a.sizeUsd,
      a.collateralAmount,
      a.executionReward,
    )
    .accountsStrict({
      owner: a.owner,
      config: t.config,
      pool: t.pool,
      position: t.position,
      order: orderPda(t.position, a.slot, program.programId)[0],
      custody: t.custody,
      collateralCustody: t.collateralCustody,
      vault: t.vault,
      fundingAccount: a.fundingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

export function cancelOrderIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { order: PublicKey; account: Order; receivingAccount: PublicKey },
): Promise<TransactionInstruction> {
  const o = a.account;
  return program.methods
    .cancelOrder()
    .accountsStrict({
      owner: o.owner,
      pool: o.pool,
      order: a.order,
      collateralCustody: o.collateralCustody,
      vault: custody(state, o.collateralCustody).vault,
      receivingAccount: a.receivingAccount,
      tokenProgram: TOKEN_PROGRAM_ID,
    })
    .instruction();
}

/** The accounts a keeper passes for a position it acts on without the owner's signature. */
function keeperAccounts(
  program: PerpoolProgram,
  state: PoolState,
  owner: PublicKey,
  market: PublicKey,
  collateral: PublicKey,
  side: number,
  ownerAccount: PublicKey,
) {
  const t = tradeAccounts(program, state, owner, market, collateral, side);
  return {
    owner,
    config: t.config,
    pool: t.pool,
    position: t.position,
    custody: t.custody,
    custodyOracle: t.custodyOracle,
    collateralCustody: t.collateralCustody,
    collateralOracle: t.collateralOracle,
    vault: t.vault,
    ownerAccount,
    tokenProgram: TOKEN_PROGRAM_ID,
  };
}

/** `execute_order` (permissionless): `ownerAccount` is the owner's token account of the collateral. */
export function executeOrderIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { keeper: PublicKey; order: PublicKey; account: Order; ownerAccount: PublicKey },
): Promise<TransactionInstruction> {
  const o = a.account;
  return program.methods
    .executeOrder()
    .accountsStrict({
      keeper: a.keeper,
      order: a.order,
      ...keeperAccounts(program, state, o.owner, o.custody, o.collateralCustody, o.side, a.ownerAccount),
      systemProgram: SystemProgram.programId,
    })
    .instruction();
}

/** `auto_deleverage(size_usd)` (permissionless). */
export function autoDeleverageIx(
  program: PerpoolProgram,
  state: PoolState,
  a: { keeper: PublicKey; position: Position; ownerAccount: PublicKey; sizeUsd: BN },
): Promise<TransactionInstruction> {
  const p = a.position;
  return program.methods
    .autoDeleverage(a.sizeUsd)
    .accountsStrict({
      keeper: a.keeper,
      ...keeperAccounts(program, state, p.owner, p.custody, p.collateralCustody, p.side, a.ownerAccount),
    })
    .instruction();
}
