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
