/**
 * The per-pool address lookup table: every account a pool's instructions name besides the user's
 * own (program, config, pool, LP mint and escrow, custodies, vaults, oracles, token and system
 * programs), so v0 transactions carry 1-byte indexes instead of 32-byte keys.
 */
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Connection,
  PublicKey,
  SystemProgram,
  TransactionInstruction,
} from "@solana/web3.js";

import { TOKEN_PROGRAM_ID } from "./constants";
import { configPda } from "./pda";
import { PoolState } from "./pool";

/** The addresses the pool's table holds, in a fixed order. */
export function poolLookupAddresses(state: PoolState, programId: PublicKey): PublicKey[] {
  return [
    programId,
    configPda(programId)[0],
    state.address,
    state.pool.lpMint,
    state.pool.lpEscrow,
    TOKEN_PROGRAM_ID,
    SystemProgram.programId,
    ...state.custodies.flatMap((c) => [c.address, c.account.vault, c.account.oracle]),
  ];
}

/** The lookup table at `address`, or null when there is none. */
export async function fetchLookupTable(
  connection: Connection,
  address: PublicKey,
): Promise<AddressLookupTableAccount | null> {
  const info = await connection.getAccountInfo(address, "confirmed");
  if (!info || !info.owner.equals(AddressLookupTableProgram.programId)) return null;
  return new AddressLookupTableAccount({ key: address, state: AddressLookupTableAccount.deserialize(info.data) });
}

/** Byte offset of the authority in a lookup table account (after type, deactivation slot, last extended slot and index, and the option tag). */
const TABLE_AUTHORITY_OFFSET = 22;

/**
 * A table `authority` already made for this pool: active (not deactivated), holding only the pool's
 * addresses; the fullest if there are several. A deploy stopped between creating its table and
 * recording it leaves one such table behind, which the next deploy takes up instead of paying for
 * another. `null` when there is none.
 */
export async function findPoolLookupTable(
  connection: Connection,
  authority: PublicKey,
  state: PoolState,
  programId: PublicKey,
): Promise<AddressLookupTableAccount | null> {
  const wanted = new Set(poolLookupAddresses(state, programId).map((a) => a.toBase58()));
  const accounts = await connection.getProgramAccounts(AddressLookupTableProgram.programId, {
    commitment: "confirmed",
    filters: [{ memcmp: { offset: TABLE_AUTHORITY_OFFSET, bytes: authority.toBase58() } }],
  });
  let best: AddressLookupTableAccount | null = null;
  for (const { pubkey, account } of accounts) {
    let table: AddressLookupTableAccount;
    try {
      table = new AddressLookupTableAccount({
        key: pubkey,
        state: AddressLookupTableAccount.deserialize(account.data),
      });
    } catch {
      continue;
    }
    if (!table.isActive() || !table.state.authority?.equals(authority)) continue;
    if (!table.state.addresses.every((a) => wanted.has(a.toBase58()))) continue;
    if (!best || table.state.addresses.length > best.state.addresses.length) best = table;
  }
  return best;
}

/**
 * What to send so the pool has a complete lookup table: nothing when `existing` already holds
 * every address; its extension when some are missing (custodies added since); else a new table
 * (authority and payer `authority`, derived from `recentSlot`) with all of them. Extensions go in
 * chunks of 20 addresses, one instruction list per transaction.
 */
export async function poolLookupTableIxs(
  connection: Connection,
  authority: PublicKey,
  state: PoolState,
  programId: PublicKey,
  opts: { existing?: PublicKey; recentSlot?: number } = {},
): Promise<{ table: PublicKey; transactions: TransactionInstruction[][] }> {
  const wanted = poolLookupAddresses(state, programId);
  const current = opts.existing ? await fetchLookupTable(connection, opts.existing) : null;
  const transactions: TransactionInstruction[][] = [];
  let table: PublicKey;
  let missing: PublicKey[];
  if (current) {
    table = current.key;
    const have = new Set(current.state.addresses.map((a) => a.toBase58()));
    missing = wanted.filter((a) => !have.has(a.toBase58()));
  } else {
    const recentSlot = opts.recentSlot ?? (await connection.getSlot("finalized"));
    const [create, address] = AddressLookupTableProgram.createLookupTable({ authority, payer: authority, recentSlot });
    table = address;
    missing = wanted;
    transactions.push([create]);
  }
  for (let i = 0; i < missing.length; i += 20) {
    transactions.push([
      AddressLookupTableProgram.extendLookupTable({
        lookupTable: table,
        authority,
        payer: authority,
        addresses: missing.slice(i, i + 20),
      }),
    ]);
  }
  return { table, transactions };
}
