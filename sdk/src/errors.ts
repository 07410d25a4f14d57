/**
 * Perpool program errors out of whatever a failed transaction comes back as: anchor's
 * `AnchorError` / `ProgramError`, web3's `SendTransactionError` (RPC preflight or confirmation),
 * a simulation result (`{ err, logs }`), or the LiteSVM provider's errors and results.
 * Browser-safe: no Node or native module.
 */
import { PublicKey } from "@solana/web3.js";

import { PERPOOL_PROGRAM_ID } from "./constants";
import { PERPOOL_ERROR_MESSAGES, PerpoolErrorCode, type PerpoolErrorName } from "./idl/errors";

export { PERPOOL_ERROR_MESSAGES, PerpoolErrorCode } from "./idl/errors";
export type { PerpoolErrorName } from "./idl/errors";

/** A Perpool program error, identified. */
export interface PerpoolError {
  /** The error's number (`PerpoolErrorCode[name]`). */
  code: number;
  name: PerpoolErrorName;
  /** What the error means, from `error.rs`. */
  message: string;
  /** The failing instruction's index in its transaction, when the error says. */
  instructionIndex: number | null;
  /** The transaction's logs, when the error carries them. */
  logs: string[];
  /**
   * Where the program's math failed, from its log (`Perpool math error: Overflow at <file>:<line>`),
   * for `MathOverflow`, `DivideByZero` and `InvalidPrice` raised by a checked operation; else `null`.
   */
  mathError: MathErrorSite | null;
}

/** The checked operation a math error was raised at: the program's source file and line. */
export interface MathErrorSite {
  /** The core's `MathError`: `Overflow`, `Underflow`, `DivideByZero`, `InvalidDecimals` or `InvalidPrice`. */
  kind: string;
  /** From the workspace root, e.g. `programs/perpool-core/src/math/liquidity.rs`. */
  file: string;
  line: number;
}

const MATH_ERROR_LOG = /^Program log: Perpool math error: (\w+) at (\S+):(\d+)$/;

/** The last math error a transaction's logs name, or `null`. */
export function mathErrorOf(logs: string[]): MathErrorSite | null {
  for (let i = logs.length - 1; i >= 0; i--) {
    const m = MATH_ERROR_LOG.exec(logs[i]!);
    if (m?.[1] && m[2] && m[3]) return { kind: m[1], file: m[2], line: Number(m[3]) };
  }
  return null;
}

const BY_NUMBER = new Map<number, PerpoolErrorName>(
  Object.entries(PerpoolErrorCode).map(([name, code]) => [code, name as PerpoolErrorName]),
);

/** The error of `code`, or `null` when the program has no such error. */
export function perpoolErrorOf(
  code: number,
  instructionIndex: number | null = null,
  logs: string[] = [],
): PerpoolError | null {
  const name = BY_NUMBER.get(code);
  return name === undefined
    ? null
    : { code, name, message: PERPOOL_ERROR_MESSAGES[name], instructionIndex, logs, mathError: mathErrorOf(logs) };
}

type Loose = Record<string, unknown> | null | undefined;
const record = (x: unknown): Loose =>
  typeof x === "object" && x !== null ? (x as Record<string, unknown>) : undefined;
const strings = (x: unknown): string[] | null =>
  Array.isArray(x) && x.every((l) => typeof l === "string") ? (x as string[]) : null;

/** The logs an error or result carries, wherever its kind keeps them. */
function logsOf(e: Loose): string[] {
  if (!e) return [];
  for (const key of ["logs", "transactionLogs"]) {
    const logs = strings(e[key]);
    if (logs) return logs;
  }
  const nested = record(e.value) ?? record(e.result) ?? record(e.simulationResponse);
  return nested ? logsOf(nested) : [];
}

/** `{ InstructionError: [i, { Custom: n }] }` as the RPC encodes it, wherever it is kept. */
function instructionErrorOf(e: Loose): [number, number] | null {
  if (!e) return null;
  const err = record(e.err) ?? record(e.InstructionError ? e : undefined);
  const ie = err?.InstructionError;
  if (Array.isArray(ie) && typeof ie[0] === "number") {
    const custom = record(ie[1])?.Custom;
    if (typeof custom === "number") return [ie[0], custom];
  }
  const nested = record(e.value) ?? record(e.result) ?? record(e.simulationResponse);
  return nested ? instructionErrorOf(nested) : null;
}

/**
 * The Perpool error behind `e`, or `null` when the failure is not one (another program's error,
 * a network error, a signature refused). The program is named by its failure log
 * (`Program <id> failed: custom program error: 0x…`) when the logs are present, so another
 * program's custom error with the same number is not mistaken for Perpool's.
 */
export function parsePerpoolError(e: unknown, programId: PublicKey = PERPOOL_PROGRAM_ID): PerpoolError | null {
  const err = record(e);
  const logs = logsOf(err);
  const failure = new RegExp(`^Program ${programId.toBase58()} failed: custom program error: 0x([0-9a-fA-F]+)$`);
  for (const line of logs) {
    const m = failure.exec(line);
    if (m?.[1]) return perpoolErrorOf(parseInt(m[1], 16), instructionErrorOf(err)?.[0] ?? null, logs);
  }
  if (logs.some((l) => / failed: /.test(l))) return null; // another program failed, or not with a custom error
  // No logs: anchor's translated errors and bare results.
  // AnchorError keeps the number in error.errorCode.number, ProgramError in code.
  const anchorCode = record(record(err?.error)?.errorCode)?.number ?? err?.code;
  if (typeof anchorCode === "number") return perpoolErrorOf(anchorCode, null, logs);
  const ie = instructionErrorOf(err);
  if (ie) return perpoolErrorOf(ie[1], ie[0], logs);
  const customErrorCode = err?.customErrorCode;
  if (typeof customErrorCode === "number") return perpoolErrorOf(customErrorCode, null, logs);
  const message = typeof err?.message === "string" ? err.message : typeof e === "string" ? e : "";
  const m = /Error processing Instruction (\d+): custom program error: 0x([0-9a-fA-F]+)/.exec(message);
  if (m?.[1] && m[2]) return perpoolErrorOf(parseInt(m[2], 16), Number(m[1]), logs);
  return null;
}

/** One error of another program: its name and what it means. */
interface KnownError {
  name: string;
  message: string;
}

/** The token program's errors by number (the same for SPL Token, p-token and Token-2022's shared ones). */
const TOKEN_PROGRAM_ERRORS: KnownError[] = [
  { name: "NotRentExempt", message: "the account would hold less than its rent-exempt minimum" },
  { name: "InsufficientFunds", message: "the token account does not hold enough tokens" },
  { name: "InvalidMint", message: "the mint is not a valid mint" },
  { name: "MintMismatch", message: "the token account is of another mint" },
  { name: "OwnerMismatch", message: "the signer is not the token account's owner or delegate" },
  { name: "FixedSupply", message: "the mint's supply is fixed" },
  { name: "AlreadyInUse", message: "the account is already initialized" },
  { name: "InvalidNumberOfProvidedSigners", message: "the multisig was given the wrong number of signers" },
  { name: "InvalidNumberOfRequiredSigners", message: "the multisig requires a different number of signers" },
  { name: "UninitializedState", message: "the account is not initialized" },
  { name: "NativeNotSupported", message: "this instruction does not take native (wrapped SOL) accounts" },
  { name: "NonNativeHasBalance", message: "a non-native account with a balance cannot be closed" },
  { name: "InvalidInstruction", message: "the token instruction is malformed" },
  { name: "InvalidState", message: "the account's state does not allow this" },
  { name: "Overflow", message: "the amount would overflow" },
  { name: "AuthorityTypeNotSupported", message: "that authority type does not apply to this account" },
  { name: "MintCannotFreeze", message: "the mint has no freeze authority" },
  { name: "AccountFrozen", message: "the token account is frozen" },
  { name: "MintDecimalsMismatch", message: "the decimals given do not match the mint's" },
  { name: "NonNativeNotSupported", message: "this instruction only takes native (wrapped SOL) accounts" },
];

/** The system program's errors by number. */
const SYSTEM_PROGRAM_ERRORS: KnownError[] = [
  { name: "AccountAlreadyInUse", message: "an account already exists at that address" },
  { name: "ResultWithNegativeLamports", message: "the payer does not hold enough SOL" },
  { name: "InvalidProgramId", message: "the owner program is not valid" },
  { name: "InvalidAccountDataLength", message: "the account size is not valid" },
  { name: "MaxSeedLengthExceeded", message: "a seed is longer than 32 bytes" },
  { name: "AddressWithSeedMismatch", message: "the address does not match its base and seed" },
  { name: "NonceNoRecentBlockhashes", message: "no recent blockhash is available for the nonce" },
  { name: "NonceBlockhashNotExpired", message: "the nonce's blockhash has not expired" },
  { name: "NonceUnexpectedBlockhashValue", message: "the nonce holds another blockhash" },
];

const OTHER_PROGRAMS: Record<string, { program: string; errors: KnownError[] }> = {
  TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA: { program: "Token", errors: TOKEN_PROGRAM_ERRORS },
  TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb: { program: "Token-2022", errors: TOKEN_PROGRAM_ERRORS },
  "11111111111111111111111111111111": { program: "System", errors: SYSTEM_PROGRAM_ERRORS },
  ATokenGPvbdGVxr1b9hvZbsiqW5xWH25efTNsLJA8knL: {
    program: "Associated Token",
    errors: [{ name: "InvalidOwner", message: "the associated token account's owner is not the one given" }],
  },
};

/** The program that failed a transaction, and why, as its logs say. */
export interface ProgramFailure {
  /** `Perpool`, `Token`, `Token-2022`, `System`, `Associated Token`, or the program's address. */
  program: string;
  programId: string;
  /** The program's custom error number, or `null` when it failed otherwise (the reason is in `message`). */
  code: number | null;
  /** The error's name when the program is one of those above and the number is known, else `null`. */
  name: string | null;
  message: string;
  /** The failing instruction's index in its transaction, when the error says. */
  instructionIndex: number | null;
  /** For a Perpool failure, the error as `parsePerpoolError` gives it. */
  perpool: PerpoolError | null;
}

const FAILED_LOG = /^Program (\w+) failed: (.+)$/;

/**
 * The program whose failure failed the transaction behind `e`, from its logs: the innermost
 * failure, so a token-program refusal inside a Perpool instruction is the token program's (the
 * calling program's own failure line repeats the callee's error). `null` without such a log.
 */
export function parseProgramFailure(e: unknown, programId: PublicKey = PERPOOL_PROGRAM_ID): ProgramFailure | null {
  const err = record(e);
  const logs = logsOf(err);
  const line = logs.map((l) => FAILED_LOG.exec(l)).find((m) => m !== null);
  if (!line?.[1] || !line[2]) return null;
  const [, id, reason] = line;
  const custom = /^custom program error: 0x([0-9a-fA-F]+)$/.exec(reason);
  const code = custom?.[1] ? parseInt(custom[1], 16) : null;
  const instructionIndex = instructionErrorOf(err)?.[0] ?? null;
  if (id === programId.toBase58()) {
    const perpool = code === null ? null : perpoolErrorOf(code, instructionIndex, logs);
    return {
      program: "Perpool",
      programId: id,
      code,
      name: perpool?.name ?? null,
      message: perpool?.message ?? reason,
      instructionIndex,
      perpool,
    };
  }
  const known = OTHER_PROGRAMS[id];
  const error = code === null ? undefined : known?.errors[code];
  return {
    program: known?.program ?? id,
    programId: id,
    code,
    name: error?.name ?? null,
    message: error?.message ?? reason,
    instructionIndex,
    perpool: null,
  };
}

/**
 * One line for a failed transaction: `InsufficientLiquidity (6023): …` for Perpool's errors,
 * `Token program: InsufficientFunds (1): …` for another program's, else `null`.
 */
export function describeProgramFailure(e: unknown, programId: PublicKey = PERPOOL_PROGRAM_ID): string | null {
  const f = parseProgramFailure(e, programId);
  if (!f) {
    const p = parsePerpoolError(e, programId);
    return p ? `${p.name} (${p.code}): ${p.message}` : null;
  }
  const what = f.name !== null ? `${f.name} (${f.code})` : f.code !== null ? `error ${f.code}` : null;
  if (f.program === "Perpool") return what ? `${what}: ${f.message}` : `Perpool failed: ${f.message}`;
  return `${f.program} program: ${what ? `${what}: ` : ""}${f.message}`;
}
