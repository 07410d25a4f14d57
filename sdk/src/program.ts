/** The `@coral-xyz/anchor` `Program` for Perpool, built from the IDL. */
import * as anchor from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";

import idlJson from "./idl/perpool.json";

export type PerpoolIdl = anchor.Idl;
export type PerpoolProgram = anchor.Program<PerpoolIdl>;

/** The IDL, optionally re-addressed for a program deployed elsewhere. */
export function perpoolIdl(programId?: PublicKey): PerpoolIdl {
  const idl = JSON.parse(JSON.stringify(idlJson)) as PerpoolIdl;
  if (programId) idl.address = programId.toBase58();
  return idl;
}

export function perpoolProgram(provider: anchor.Provider, programId?: PublicKey): PerpoolProgram {
  return new anchor.Program(perpoolIdl(programId), provider);
}

/** Decodes the events a transaction's logs carry, in order. */
export function parseEvents(program: PerpoolProgram, logs: string[]): { name: string; data: any }[] {
  const parser = new anchor.EventParser(program.programId, program.coder);
  return Array.from(parser.parseLogs(logs));
}
