/**
 * Wallet token accounts: which account of a mint the app uses (the
 * associated one when it exists, else the fullest), and the instruction that
 * creates the associated account when the user has none yet.
 */
import { PublicKey, TransactionInstruction } from "@solana/web3.js";
import BN from "bn.js";

import { associatedTokenAddress, createAssociatedTokenAccountIx, decodeTokenAccount } from "@perpool/sdk";

export interface TokenHolding {
  mint: PublicKey;
  /** The account the app reads and writes; the associated address when the user has none yet. */
  account: PublicKey;
  exists: boolean;
  amount: BN;
}

export interface RawTokenAccount {
  pubkey: PublicKey;
  data: Uint8Array;
}

/** Picks, per mint, the account to use from the owner's token accounts. */
export function holdingsByMint(
  owner: PublicKey,
  mints: PublicKey[],
  accounts: RawTokenAccount[],
): Map<string, TokenHolding> {
  const decoded = accounts.map((a) => {
    const d = decodeTokenAccount(a.data);
    return { pubkey: a.pubkey, mint: d.mint, amount: d.amount };
  });
  const out = new Map<string, TokenHolding>();
  for (const mint of mints) {
    const ata = associatedTokenAddress(owner, mint);
    const mine = decoded.filter((d) => d.mint.equals(mint));
    const chosen = mine.find((d) => d.pubkey.equals(ata)) ?? mine.sort((a, b) => b.amount.cmp(a.amount))[0];
    out.set(
      mint.toBase58(),
      chosen
        ? { mint, account: chosen.pubkey, exists: true, amount: chosen.amount }
        : { mint, account: ata, exists: false, amount: new BN(0) },
    );
  }
  return out;
}

/** Creates the owner's associated account of the holding's mint when it does not exist yet (no-op otherwise). */
export function ensureAccountIxs(payer: PublicKey, owner: PublicKey, holding: TokenHolding): TransactionInstruction[] {
  if (holding.exists) return [];
  return [createAssociatedTokenAccountIx(payer, owner, holding.mint)];
}
