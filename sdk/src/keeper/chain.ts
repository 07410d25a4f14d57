/**
 * What the keeper and the CLI need from a cluster beyond the SDK's builders:
 * the cluster's clock, sending a transaction signed by one keypair and
 * reading its events, finding (or creating) token accounts, and naming a
 * program error. Everything goes through a `Connection`, so it works against
 * any RPC node and against the in-process `LiteSvmProvider`'s connection.
 */
import {
  Connection,
  Keypair,
  PublicKey,
  Signer,
  SYSVAR_CLOCK_PUBKEY,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";
import BN from "bn.js";

import { TOKEN_PROGRAM_ID } from "../constants";
import { describeProgramFailure, parsePerpoolError } from "../errors";
import { PerpoolProgram, parseEvents } from "../program";
import { associatedTokenAddress, createAssociatedTokenAccountIx, decodeTokenAccount } from "../provider/token";

const TOKEN_ACCOUNT_SIZE = 165;

/**
 * The cluster's `unix_timestamp` as programs see it (the Clock sysvar), in
 * seconds; falls back to the block time of the current slot.
 */
export async function clusterTime(connection: Connection): Promise<BN> {
  const clock = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (clock && clock.data.length >= 40) return new BN(clock.data.readBigInt64LE(32).toString());
  const slot = await connection.getSlot();
  const time = await connection.getBlockTime(slot);
  if (time === null) throw new Error(`the cluster has no block time for slot ${slot}`);
  return new BN(time);
}

export interface Sent {
  signature: string;
  /** Decoded Perpool events of the transaction (empty when its logs could not be read). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parseEvents' untyped data (a published type)
  events: { name: string; data: any }[];
}

/**
 * Signs with `payer` (fee payer) and `signers`, sends with preflight, waits
 * for confirmation and reads the transaction's events. Throws when the
 * transaction is refused or fails.
 */
export async function sendInstructions(
  program: PerpoolProgram,
  payer: Keypair,
  ixs: TransactionInstruction[],
  signers: Signer[] = [],
): Promise<Sent> {
  const connection = program.provider.connection;
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash("confirmed");
  const tx = new Transaction({ feePayer: payer.publicKey, blockhash, lastValidBlockHeight }).add(...ixs);
  tx.sign(payer, ...signers.filter((s) => !s.publicKey.equals(payer.publicKey)));
  const signature = await connection.sendRawTransaction(tx.serialize(), { preflightCommitment: "confirmed" });
  const confirmed = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight }, "confirmed");
  if (confirmed.value.err) throw new Error(`transaction ${signature} failed: ${JSON.stringify(confirmed.value.err)}`);
  let events: Sent["events"] = [];
  try {
    const landed = await connection.getTransaction(signature, {
      commitment: "confirmed",
      maxSupportedTransactionVersion: 0,
    });
    events = parseEvents(program, landed?.meta?.logMessages ?? []);
  } catch {
    // The events are a report only; the transaction landed.
  }
  return { signature, events };
}

/**
 * A short reason for a failed send: the Perpool error name and code when the program refused
 * (e.g. `NotLiquidatable (6053)`), another program's error when it failed inside the transaction
 * (e.g. `Token program: InsufficientFunds (1): the token account does not hold enough tokens`),
 * else the error's first line.
 */
export function describeError(e: unknown): string {
  const perpool = parsePerpoolError(e);
  if (perpool) return `${perpool.name} (${perpool.code})`;
  const failure = describeProgramFailure(e);
  if (failure) return failure;
  const message = (e as { message?: string })?.message ?? String(e);
  return message.split("\n")[0] ?? message;
}

export interface FoundTokenAccount {
  address: PublicKey;
  amount: BN;
}

function asTokenAccount(
  address: PublicKey,
  info: { owner: PublicKey; data: Buffer } | null,
  owner: PublicKey,
  mint: PublicKey,
): FoundTokenAccount | null {
  if (!info || !info.owner.equals(TOKEN_PROGRAM_ID) || info.data.length !== TOKEN_ACCOUNT_SIZE) return null;
  const t = decodeTokenAccount(info.data);
  if (!t.mint.equals(mint) || !t.owner.equals(owner) || t.state !== 1) return null;
  return { address, amount: t.amount };
}

/**
 * `owner`'s token account of `mint`: the associated one when it exists, else
 * the one holding the most (from `getTokenAccountsByOwner`, or a filtered
 * `getProgramAccounts` where that method is missing); null when there is none.
 */
export async function findTokenAccount(
  connection: Connection,
  owner: PublicKey,
  mint: PublicKey,
): Promise<FoundTokenAccount | null> {
  const ata = associatedTokenAddress(owner, mint);
  const direct = asTokenAccount(ata, await connection.getAccountInfo(ata), owner, mint);
  if (direct) return direct;
  let listed: readonly { pubkey: PublicKey; account: { owner: PublicKey; data: Buffer } }[];
  const byOwner = (connection as Partial<Connection>).getTokenAccountsByOwner;
  if (typeof byOwner === "function") {
    listed = (await connection.getTokenAccountsByOwner(owner, { mint }, "confirmed")).value;
  } else {
    listed = await connection.getProgramAccounts(TOKEN_PROGRAM_ID, {
      filters: [
        { dataSize: TOKEN_ACCOUNT_SIZE },
        { memcmp: { offset: 0, bytes: mint.toBase58() } },
        { memcmp: { offset: 32, bytes: owner.toBase58() } },
      ],
    });
  }
  let best: FoundTokenAccount | null = null;
  for (const { pubkey, account } of listed) {
    const found = asTokenAccount(pubkey, { owner: account.owner, data: Buffer.from(account.data) }, owner, mint);
    if (found && (!best || found.amount.gt(best.amount))) best = found;
  }
  return best;
}

/**
 * `owner`'s token account of `mint`, or the associated address with the
 * instruction that creates it (paid by `payer`) when there is none.
 */
export async function tokenAccountOrCreate(
  connection: Connection,
  payer: PublicKey,
  owner: PublicKey,
  mint: PublicKey,
): Promise<{ address: PublicKey; amount: BN; create: TransactionInstruction | null }> {
  const found = await findTokenAccount(connection, owner, mint);
  if (found) return { ...found, create: null };
  return {
    address: associatedTokenAddress(owner, mint),
    amount: new BN(0),
    create: createAssociatedTokenAccountIx(payer, owner, mint),
  };
}
