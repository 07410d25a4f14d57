/**
 * Just enough SPL Token for tests, without `@solana/spl-token`: hand-encoded
 * instructions, account/mint decoders and a few provider-driven helpers.
 *
 * Wire formats (spl-token `TokenInstruction`, first byte is the tag):
 *   InitializeMint2    [20, decimals u8, mint_authority [32], freeze COption: tag u8 (+ [32])]
 *   InitializeAccount3 [18, owner [32]]
 *   MintTo             [7, amount u64 LE]
 *   Transfer           [3, amount u64 LE]
 * Account layouts (`Pack` encoding, `COption` = u32 LE tag + value):
 *   Mint (82):     mint_authority COption<Pubkey> @0, supply u64 @36, decimals u8 @44,
 *                  is_initialized u8 @45, freeze_authority COption<Pubkey> @46
 *   Account (165): mint @0, owner @32, amount u64 @64, delegate COption<Pubkey> @72,
 *                  state u8 @108, is_native COption<u64> @109, delegated_amount u64 @121,
 *                  close_authority COption<Pubkey> @129
 */
import {
  Keypair,
  PublicKey,
  Signer,
  SystemProgram,
  Transaction,
  TransactionInstruction,
  TransactionSignature,
} from "@solana/web3.js";
import BN from "bn.js";
import type { LiteSvmProvider } from "./litesvm";
import { at } from "../util";
import { U64_MAX } from "../constants";

export const TOKEN_PROGRAM_ID = new PublicKey("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
/** The associated token account program (same address on every cluster). */
export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
export const MINT_SIZE = 82;
export const TOKEN_ACCOUNT_SIZE = 165;

/** spl-token instruction tags used here. */
export const TokenInstruction = {
  Transfer: 3,
  MintTo: 7,
  InitializeAccount3: 18,
  InitializeMint2: 20,
} as const;

/** Token amounts accepted by the helpers (u64). */
export type AmountLike = BN | number | bigint;

/** An authority: a `Signer`, or a public key the provider's wallet signs for. */
export type Authority = Signer | PublicKey;

function u64(amount: AmountLike): Buffer {
  const bn = BN.isBN(amount) ? amount : new BN(amount.toString());
  if (bn.isNeg() || bn.gt(U64_MAX)) throw new RangeError(`amount ${bn.toString()} does not fit in a u64`);
  return bn.toArrayLike(Buffer, "le", 8);
}

function authorityKey(authority: Authority): PublicKey {
  return authority instanceof PublicKey ? authority : authority.publicKey;
}

function extraSigners(authority: Authority): Signer[] {
  return authority instanceof PublicKey ? [] : [authority];
}

// --- instruction builders ------------------------------------------------------

/** System `CreateAccount` of `space` bytes owned by the token program, rent exempt. */
export function createTokenProgramAccountInstruction(
  payer: PublicKey,
  newAccount: PublicKey,
  space: number,
  lamports: number,
): TransactionInstruction {
  return SystemProgram.createAccount({
    fromPubkey: payer,
    newAccountPubkey: newAccount,
    space,
    lamports,
    programId: TOKEN_PROGRAM_ID,
  });
}

export function createInitializeMint2Instruction(
  mint: PublicKey,
  decimals: number,
  mintAuthority: PublicKey,
  freezeAuthority: PublicKey | null = null,
): TransactionInstruction {
  const data = Buffer.concat([
    Buffer.from([TokenInstruction.InitializeMint2, decimals]),
    mintAuthority.toBuffer(),
    freezeAuthority ? Buffer.concat([Buffer.from([1]), freezeAuthority.toBuffer()]) : Buffer.from([0]),
  ]);
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [{ pubkey: mint, isSigner: false, isWritable: true }],
    data,
  });
}

export function createInitializeAccount3Instruction(
  account: PublicKey,
  mint: PublicKey,
  owner: PublicKey,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: account, isSigner: false, isWritable: true },
      { pubkey: mint, isSigner: false, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([TokenInstruction.InitializeAccount3]), owner.toBuffer()]),
  });
}

export function createMintToInstruction(
  mint: PublicKey,
  destination: PublicKey,
  authority: PublicKey,
  amount: AmountLike,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: mint, isSigner: false, isWritable: true },
      { pubkey: destination, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: true, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([TokenInstruction.MintTo]), u64(amount)]),
  });
}

export function createTransferInstruction(
  source: PublicKey,
  destination: PublicKey,
  owner: PublicKey,
  amount: AmountLike,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: source, isSigner: false, isWritable: true },
      { pubkey: destination, isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: true, isWritable: false },
    ],
    data: Buffer.concat([Buffer.from([TokenInstruction.Transfer]), u64(amount)]),
  });
}

// --- decoders -----------------------------------------------------------------

/** The associated token account address of `owner` for `mint`. */
export function associatedTokenAddress(owner: PublicKey, mint: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync(
    [owner.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()],
    ASSOCIATED_TOKEN_PROGRAM_ID,
  )[0];
}

/** `CreateIdempotent` of the associated token account program: creates it unless it exists. */
export function createAssociatedTokenAccountIx(
  payer: PublicKey,
  owner: PublicKey,
  mint: PublicKey,
): TransactionInstruction {
  return new TransactionInstruction({
    programId: ASSOCIATED_TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: payer, isSigner: true, isWritable: true },
      { pubkey: associatedTokenAddress(owner, mint), isSigner: false, isWritable: true },
      { pubkey: owner, isSigner: false, isWritable: false },
      { pubkey: mint, isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: TOKEN_PROGRAM_ID, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]),
  });
}

export interface MintState {
  mintAuthority: PublicKey | null;
  supply: BN;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: PublicKey | null;
}

export interface TokenAccountState {
  mint: PublicKey;
  owner: PublicKey;
  amount: BN;
  delegate: PublicKey | null;
  /** 0 uninitialized, 1 initialized, 2 frozen. */
  state: number;
  /** For wrapped SOL accounts: the rent-exempt reserve. */
  isNative: BN | null;
  delegatedAmount: BN;
  closeAuthority: PublicKey | null;
}

function readU64(data: Uint8Array, offset: number): BN {
  return new BN(data.subarray(offset, offset + 8), "le");
}

function readOptionPubkey(data: Uint8Array, offset: number): PublicKey | null {
  const tag = Buffer.from(data.buffer, data.byteOffset, data.byteLength).readUInt32LE(offset);
  return tag === 0 ? null : new PublicKey(data.subarray(offset + 4, offset + 36));
}

export function decodeMint(data: Uint8Array): MintState {
  if (data.length < MINT_SIZE) throw new Error(`not a mint: ${data.length} bytes`);
  return {
    mintAuthority: readOptionPubkey(data, 0),
    supply: readU64(data, 36),
    decimals: at(data, 44),
    isInitialized: data[45] !== 0,
    freezeAuthority: readOptionPubkey(data, 46),
  };
}

export function decodeTokenAccount(data: Uint8Array): TokenAccountState {
  if (data.length < TOKEN_ACCOUNT_SIZE) throw new Error(`not a token account: ${data.length} bytes`);
  const isNativeTag = Buffer.from(data.buffer, data.byteOffset, data.byteLength).readUInt32LE(109);
  return {
    mint: new PublicKey(data.subarray(0, 32)),
    owner: new PublicKey(data.subarray(32, 64)),
    amount: readU64(data, 64),
    delegate: readOptionPubkey(data, 72),
    state: at(data, 108),
    isNative: isNativeTag === 0 ? null : readU64(data, 113),
    delegatedAmount: readU64(data, 121),
    closeAuthority: readOptionPubkey(data, 129),
  };
}

// --- provider helpers -----------------------------------------------------------

/**
 * Creates and initializes a mint (paid by the provider's wallet). Returns its
 * address; pass `keypair` to choose it.
 */
export async function createMint(
  provider: LiteSvmProvider,
  decimals: number,
  authority: PublicKey,
  opts: { freezeAuthority?: PublicKey | null; keypair?: Keypair } = {},
): Promise<PublicKey> {
  const mint = opts.keypair ?? Keypair.generate();
  const rent = await provider.connection.getMinimumBalanceForRentExemption(MINT_SIZE);
  const tx = new Transaction().add(
    createTokenProgramAccountInstruction(provider.publicKey, mint.publicKey, MINT_SIZE, rent),
    createInitializeMint2Instruction(mint.publicKey, decimals, authority, opts.freezeAuthority ?? null),
  );
  await provider.sendAndConfirm(tx, [mint]);
  return mint.publicKey;
}

/**
 * Creates and initializes a token account of `mint` owned by `owner` (any
 * key, PDAs included). Returns its address; pass `keypair` to choose it.
 */
export async function createTokenAccount(
  provider: LiteSvmProvider,
  mint: PublicKey,
  owner: PublicKey,
  keypair: Keypair = Keypair.generate(),
): Promise<PublicKey> {
  const rent = await provider.connection.getMinimumBalanceForRentExemption(TOKEN_ACCOUNT_SIZE);
  const tx = new Transaction().add(
    createTokenProgramAccountInstruction(provider.publicKey, keypair.publicKey, TOKEN_ACCOUNT_SIZE, rent),
    createInitializeAccount3Instruction(keypair.publicKey, mint, owner),
  );
  await provider.sendAndConfirm(tx, [keypair]);
  return keypair.publicKey;
}

/** Mints `amount` base units of `mint` to the token account `destination`. */
export async function mintTo(
  provider: LiteSvmProvider,
  mint: PublicKey,
  destination: PublicKey,
  authority: Authority,
  amount: AmountLike,
): Promise<TransactionSignature> {
  const tx = new Transaction().add(createMintToInstruction(mint, destination, authorityKey(authority), amount));
  return provider.sendAndConfirm(tx, extraSigners(authority));
}

/** Transfers `amount` base units between token accounts. */
export async function transfer(
  provider: LiteSvmProvider,
  source: PublicKey,
  destination: PublicKey,
  owner: Authority,
  amount: AmountLike,
): Promise<TransactionSignature> {
  const tx = new Transaction().add(createTransferInstruction(source, destination, authorityKey(owner), amount));
  return provider.sendAndConfirm(tx, extraSigners(owner));
}

/** Decoded token account; throws when missing. */
export function getTokenAccount(provider: LiteSvmProvider, account: PublicKey): TokenAccountState {
  const data = provider.getAccountRaw(account);
  if (data === null) throw new Error(`token account ${account.toBase58()} does not exist`);
  return decodeTokenAccount(data);
}

/** Decoded mint; throws when missing. */
export function getMint(provider: LiteSvmProvider, mint: PublicKey): MintState {
  const data = provider.getAccountRaw(mint);
  if (data === null) throw new Error(`mint ${mint.toBase58()} does not exist`);
  return decodeMint(data);
}

/** Token balance (base units) of a token account; throws when missing. */
export function getTokenBalance(provider: LiteSvmProvider, account: PublicKey): BN {
  return getTokenAccount(provider, account).amount;
}
