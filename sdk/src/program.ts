/** The `@coral-xyz/anchor` `Program` for Perpool, built from the IDL and typed by `Perpool`. */
import * as anchor from "@coral-xyz/anchor";
import { PublicKey } from "@solana/web3.js";

import { IDL } from "./idl/idl";
import type { Perpool } from "./idl/perpool";

/** The IDL's type as anchor takes it: `Perpool`, the camelCase form `new Program` converts the JSON into. */
export type PerpoolIdl = Perpool;
/** `Program<Perpool>`: method names, arguments, accounts, `account.*` and events are checked. */
export type PerpoolProgram = anchor.Program<Perpool>;

/**
 * The IDL, optionally re-addressed for a program deployed elsewhere. Typed as `Perpool` the way
 * anchor's generated types are used (`idl as Perpool`): `new Program` converts the snake_case
 * names to the camelCase the type states.
 */
export function perpoolIdl(programId?: PublicKey): PerpoolIdl {
  const idl = JSON.parse(JSON.stringify(IDL)) as anchor.Idl;
  if (programId) idl.address = programId.toBase58();
  return idl as unknown as PerpoolIdl;
}

export function perpoolProgram(provider: anchor.Provider, programId?: PublicKey): PerpoolProgram {
  return new anchor.Program<Perpool>(perpoolIdl(programId), provider);
}

/** Decodes the events a transaction's logs carry, in order. */
export function parseEvents(program: PerpoolProgram, logs: string[]): { name: string; data: any }[] {
  const parser = new anchor.EventParser(program.programId, program.coder);
  return Array.from(parser.parseLogs(logs));
}
