/** Fetch and decode program accounts, typed. */
import { PublicKey } from "@solana/web3.js";

import * as T from "../idl/types";
import { configPda } from "../pda";
import { PerpoolProgram } from "../program";

export type { Config, Pool, Custody, LpAccount, Position, Loan, Order, Proposal } from "../idl/types";

// anchor's account namespace is keyed by the IDL's names; with an untyped IDL
// its members are looked up dynamically.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each fetcher below returns its own type
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
  const addresses = poolCustodies(p);
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

/**
 * The pool's eight custody slots as stored (the IDL lists them as fields `custody0` … `custody7`):
 * the custodies in the order they were added, then, from `custodyCount` on, the first custody again.
 */
export function poolCustodySlots(pool: T.Pool): PublicKey[] {
  const { custody0, custody1, custody2, custody3, custody4, custody5, custody6, custody7 } = pool;
  return [custody0, custody1, custody2, custody3, custody4, custody5, custody6, custody7];
}

/** The pool's custodies, in the order they were added. */
export function poolCustodies(pool: T.Pool): PublicKey[] {
  return poolCustodySlots(pool).slice(0, pool.custodyCount);
}

/** The pool's name as text. */
export function poolName(pool: T.Pool): string {
  return Buffer.from(pool.name.slice(0, pool.nameLen)).toString("utf8");
}

export function fetchOrder(program: PerpoolProgram, address: PublicKey): Promise<T.Order | null> {
  return client(program, "order").fetchNullable(address);
}

/** Byte offsets of fields used to filter program accounts (8-byte discriminator included). */
const ORDER_OWNER_OFFSET = 16;
const ORDER_POSITION_OFFSET = 16 + 64;
const POSITION_POOL_OFFSET = 48;
const LOAN_POOL_OFFSET = 48;
const PROPOSAL_POOL_OFFSET = 16;

/** A program account with its address, as `getProgramAccounts` lists it. */
export type Listed<A> = { address: PublicKey; account: A };

async function list<A>(program: PerpoolProgram, name: string, offset: number, key: PublicKey): Promise<Listed<A>[]> {
  const all: { publicKey: PublicKey; account: A }[] = await client(program, name).all([
    { memcmp: { offset, bytes: key.toBase58() } },
  ]);
  return all.map((a) => ({ address: a.publicKey, account: a.account }));
}

/** Every open position of a pool (what keepers watch). */
export function fetchPoolPositions(program: PerpoolProgram, pool: PublicKey): Promise<Listed<T.Position>[]> {
  return list(program, "position", POSITION_POOL_OFFSET, pool);
}

/** Every loan of a pool. */
export function fetchPoolLoans(program: PerpoolProgram, pool: PublicKey): Promise<Listed<T.Loan>[]> {
  return list(program, "loan", LOAN_POOL_OFFSET, pool);
}

/** Trigger orders of one owner. */
export function fetchOwnerOrders(program: PerpoolProgram, owner: PublicKey): Promise<Listed<T.Order>[]> {
  return list(program, "order", ORDER_OWNER_OFFSET, owner);
}

/** Trigger orders attached to one position address. */
export function fetchPositionOrders(program: PerpoolProgram, position: PublicKey): Promise<Listed<T.Order>[]> {
  return list(program, "order", ORDER_POSITION_OFFSET, position);
}

/** Every trigger order (of every pool: filter on `pool`). */
export async function fetchAllOrders(program: PerpoolProgram): Promise<Listed<T.Order>[]> {
  const all: { publicKey: PublicKey; account: T.Order }[] = await client(program, "order").all();
  return all.map((a) => ({ address: a.publicKey, account: a.account }));
}

export function fetchProposal(program: PerpoolProgram, address: PublicKey): Promise<T.Proposal | null> {
  return client(program, "proposal").fetchNullable(address);
}

/** A pool's pending settings proposals, oldest first. */
export async function fetchPoolProposals(program: PerpoolProgram, pool: PublicKey): Promise<Listed<T.Proposal>[]> {
  const all = await list<T.Proposal>(program, "proposal", PROPOSAL_POOL_OFFSET, pool);
  return all.sort((a, b) => a.account.nonce.cmp(b.account.nonce));
}
