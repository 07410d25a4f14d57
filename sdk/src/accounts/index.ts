/** Fetch and decode program accounts, typed. */
import { PublicKey } from "@solana/web3.js";

import * as T from "../idl/types";
import { configPda } from "../pda";
import { PerpoolProgram } from "../program";

export type { Config, Pool, Custody, TestOracle, LpAccount, Position, Loan } from "../idl/types";

// anchor's account namespace is keyed by the IDL's names; with an untyped IDL
// its members are looked up dynamically.
const client = (program: PerpoolProgram, name: string) => (program.account as Record<string, any>)[name];

export function fetchConfig(program: PerpoolProgram): Promise<T.Config> {
  return client(program, "config").fetch(configPda(program.programId)[0]);
}

export function fetchPool(program: PerpoolProgram, pool: PublicKey): Promise<T.Pool> {
  return client(program, "pool").fetch(pool);
}

export function fetchCustody(program: PerpoolProgram, custody: PublicKey): Promise<T.Custody> {
  return client(program, "custody").fetch(custody);
}

export function fetchTestOracle(program: PerpoolProgram, oracle: PublicKey): Promise<T.TestOracle> {
  return client(program, "testOracle").fetch(oracle);
}

export function fetchLpAccount(program: PerpoolProgram, address: PublicKey): Promise<T.LpAccount | null> {
  return client(program, "lpAccount").fetchNullable(address);
}

export function fetchPosition(program: PerpoolProgram, address: PublicKey): Promise<T.Position | null> {
  return client(program, "position").fetchNullable(address);
}

export function fetchLoan(program: PerpoolProgram, address: PublicKey): Promise<T.Loan | null> {
  return client(program, "loan").fetchNullable(address);
}

/** A pool with every custody, in pool order. */
export async function fetchPoolWithCustodies(
  program: PerpoolProgram,
  pool: PublicKey,
): Promise<{ pool: T.Pool; custodies: { address: PublicKey; account: T.Custody }[] }> {
  const p = await fetchPool(program, pool);
  const addresses = p.custodies.slice(0, p.custodyCount);
  const accounts: (T.Custody | null)[] = await client(program, "custody").fetchMultiple(addresses);
  return {
    pool: p,
    custodies: addresses.map((address, i) => {
      const account = accounts[i];
      if (!account) throw new Error(`custody ${address.toBase58()} of pool ${pool.toBase58()} not found`);
      return { address, account };
    }),
  };
}

/** The pool's name as text. */
export function poolName(pool: T.Pool): string {
  return Buffer.from(pool.name.slice(0, pool.nameLen)).toString("utf8");
}
