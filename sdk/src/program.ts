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

/** Every Perpool event's decoded data, by camelCase event name. */
export type PerpoolEvents = anchor.IdlEvents<Perpool>;
/** A decoded event: checking `name` narrows `data` to that event's fields. */
export type PerpoolEvent = { [K in keyof PerpoolEvents]: { name: K; data: PerpoolEvents[K] } }[keyof PerpoolEvents];

/** Decodes the events a transaction's logs carry, in order, as the typed union. */
export function parsePerpoolEvents(program: PerpoolProgram, logs: string[]): PerpoolEvent[] {
  const parser = new anchor.EventParser(program.programId, program.coder);
  return Array.from(parser.parseLogs(logs)) as PerpoolEvent[];
}

/** The data of every event named `name` among `events`, typed. */
export function eventsNamed<K extends PerpoolEvent["name"]>(
  events: readonly PerpoolEvent[],
  name: K,
): PerpoolEvents[K][] {
  return events
    .filter((e): e is Extract<PerpoolEvent, { name: K }> => e.name === name)
    .map((e) => e.data as PerpoolEvents[K]);
}

/**
 * The same events with `data` untyped, for callers written before the typed union
 * (`parsePerpoolEvents` checks field names; prefer it in new code).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped on purpose, as said above
export function parseEvents(program: PerpoolProgram, logs: string[]): { name: string; data: any }[] {
  return parsePerpoolEvents(program, logs);
}
