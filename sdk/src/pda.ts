/** Program-derived addresses. The seeds are part of the program's interface. */
import { PublicKey } from "@solana/web3.js";
import BN from "bn.js";

import { BPF_LOADER_UPGRADEABLE_PROGRAM_ID, PERPOOL_PROGRAM_ID } from "./constants";

const enc = (s: string) => Buffer.from(s, "utf8");

export function configPda(programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("config")], programId);
}

export function poolPda(name: string, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  const bytes = enc(name);
  if (bytes.length === 0 || bytes.length > 32) throw new Error("pool name must be 1 to 32 bytes");
  return PublicKey.findProgramAddressSync([enc("pool"), bytes], programId);
}

export function lpMintPda(pool: PublicKey, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("lp_mint"), pool.toBuffer()], programId);
}

/** The pool's LP escrow: LP tokens in their cooldown, and the dead units of the first deposit. */
export function lpEscrowPda(pool: PublicKey, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("lp_escrow"), pool.toBuffer()], programId);
}

export function custodyPda(pool: PublicKey, mint: PublicKey, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("custody"), pool.toBuffer(), mint.toBuffer()], programId);
}

export function vaultPda(custody: PublicKey, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("vault"), custody.toBuffer()], programId);
}

/** The ProgramData account of an upgradeable program (BPF Loader Upgradeable's PDA `[program]`). */
export function programDataPda(programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_PROGRAM_ID);
}

export function lpAccountPda(pool: PublicKey, owner: PublicKey, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("lp_account"), pool.toBuffer(), owner.toBuffer()], programId);
}

/** Sides of a position. */
export const Side = { LONG: 1, SHORT: 2 } as const;
/** A position's side as the program stores it: `Side.LONG` (1) or `Side.SHORT` (2). */
export type Side = (typeof Side)[keyof typeof Side];

export function positionPda(
  owner: PublicKey,
  pool: PublicKey,
  custody: PublicKey,
  collateralCustody: PublicKey,
  side: number,
  programId = PERPOOL_PROGRAM_ID,
): [PublicKey, number] {
  return PublicKey.findProgramAddressSync(
    [
      enc("position"),
      owner.toBuffer(),
      pool.toBuffer(),
      custody.toBuffer(),
      collateralCustody.toBuffer(),
      Buffer.from([side]),
    ],
    programId,
  );
}

export function loanPda(
  owner: PublicKey,
  pool: PublicKey,
  collateralCustody: PublicKey,
  borrowCustody: PublicKey,
  programId = PERPOOL_PROGRAM_ID,
): [PublicKey, number] {
  return PublicKey.findProgramAddressSync(
    [enc("loan"), owner.toBuffer(), pool.toBuffer(), collateralCustody.toBuffer(), borrowCustody.toBuffer()],
    programId,
  );
}

/** `["order", position, [slot]]`: one of a position's trigger-order slots (0–7). */
export function orderPda(position: PublicKey, slot: number, programId = PERPOOL_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([enc("order"), position.toBuffer(), Buffer.from([slot])], programId);
}

/**
 * `["proposal", pool, target, nonce (u64 LE)]`: a settings proposal; `target` is the pool
 * itself or one of its custodies, `nonce` the pool's `proposalNonce` when it was made.
 */
export function proposalPda(
  pool: PublicKey,
  target: PublicKey,
  nonce: BN | number,
  programId = PERPOOL_PROGRAM_ID,
): [PublicKey, number] {
  const n = new BN(nonce.toString()).toArrayLike(Buffer, "le", 8);
  return PublicKey.findProgramAddressSync([enc("proposal"), pool.toBuffer(), target.toBuffer(), n], programId);
}
