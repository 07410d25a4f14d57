/**
 * Any failure — a refused quote, a wallet refusal, a simulation or
 * on-chain error — in plain words. Program errors are looked up in the IDL
 * (number → name → message); the SDK's quote errors carry the same names.
 */
import { IDL, PERPOOL_PROGRAM_ID, TOKEN_PROGRAM_ID, parseProgramFailure } from "@perpool/sdk";

interface IdlError {
  code: number;
  name: string;
  msg?: string;
}

const PROGRAM_ERRORS: IdlError[] = (IDL as { errors?: IdlError[] }).errors ?? [];

/** Friendlier wording for the errors users meet most; the rest use the IDL's message. */
const WORDING: Record<string, string> = {
  SlippageExceeded:
    "The price moved past your slippage limit before the transaction landed. Try again or allow more slippage.",
  StaleOraclePrice: "The oracle price is too old; the pool refuses to trade on it until the price is updated.",
  SameSlotRedemption: "Liquidity added moments ago cannot be removed in the same block. Wait a second and try again.",
  Paused: "This part of the pool is paused by the admin.",
  InsufficientLiquidity: "The pool does not have enough free tokens of this asset for that.",
  LeverageTooHigh: "The leverage would exceed the market's maximum.",
  CollateralTooSmall: "The collateral would be worth less than the market's minimum.",
  WouldBeLiquidatable: "The position would be liquidatable right after this change.",
  LtvTooHigh: "The loan would be above its maximum loan-to-value.",
  ZeroAmount: "The amount is zero or too small to be worth one unit.",
};

const TOKEN_ERRORS: Record<number, string> = {
  1: "Your token account does not hold enough tokens for that.",
  3: "A token account has the wrong mint.",
  4: "A token account belongs to someone else.",
};

/** The IDL entry of a program error, by number or by name. */
export function programError(codeOrName: number | string): IdlError | undefined {
  return PROGRAM_ERRORS.find((e) => (typeof codeOrName === "number" ? e.code === codeOrName : e.name === codeOrName));
}

function describeProgramError(e: IdlError): string {
  return WORDING[e.name] ?? e.msg ?? e.name;
}

/** Every message and log line found on an error and the errors it wraps. */
function collectText(e: unknown, depth = 0): string[] {
  if (e == null || depth > 4) return [];
  if (typeof e === "string") return [e];
  if (typeof e !== "object") return [String(e)];
  const o = e as Record<string, unknown>;
  const out: string[] = [];
  if (typeof o.message === "string") out.push(o.message);
  for (const key of ["logs", "transactionLogs"]) {
    const logs = o[key];
    if (Array.isArray(logs)) out.push(...logs.filter((l): l is string => typeof l === "string"));
  }
  if (o.transactionMessage && typeof o.transactionMessage === "string") out.push(o.transactionMessage);
  for (const key of ["error", "cause", "err"]) if (key in o) out.push(...collectText(o[key], depth + 1));
  if ("InstructionError" in o) out.push(JSON.stringify(o));
  return out;
}

/** A quote error from the SDK math (`LiquidityError`, `PositionError`, `LendingError`, `OracleError`, `MathError`). */
function quoteErrorText(e: unknown): string | null {
  if (!e || typeof e !== "object") return null;
  const { name, code } = e as { name?: unknown; code?: unknown };
  if (typeof name !== "string" || typeof code !== "string") return null;
  if (!/^(Liquidity|Position|Lending|Oracle|Math|Impact|Funding)Error$/.test(name)) return null;
  const idl = programError(code === "Overflow" || code === "Underflow" ? "MathOverflow" : code);
  return idl ? describeProgramError(idl) : `The pool would refuse this (${code}).`;
}

/** The SDK quote error's code name (e.g. "CollateralTooSmall"), or null for any other error. */
export function quoteErrorCode(e: unknown): string | null {
  if (!e || typeof e !== "object") return null;
  const { name, code } = e as { name?: unknown; code?: unknown };
  return typeof name === "string" && typeof code === "string" && /Error$/.test(name) ? code : null;
}

/** A plain sentence for any error the app meets. */
export function explainError(e: unknown): string {
  const quote = quoteErrorText(e);
  if (quote) return quote;
  const text = collectText(e).join("\n");

  // "Program <id> failed: custom program error: 0x17a3"
  const failed = /Program (\w+) failed: custom program error: 0x([0-9a-fA-F]+)/.exec(text);
  const custom = failed ?? /custom program error: 0x([0-9a-fA-F]+)/.exec(text);
  const json = /"Custom":\s*(\d+)/.exec(text);
  let code: number | null = null;
  let program: string | null = null;
  if (failed) {
    program = failed[1];
    code = parseInt(failed[2], 16);
  } else if (custom) {
    code = parseInt(custom[1], 16);
  } else if (json) {
    code = Number(json[1]);
  }
  if (code !== null) {
    if (program === TOKEN_PROGRAM_ID.toBase58() && TOKEN_ERRORS[code]) return TOKEN_ERRORS[code];
    if (program === null || program === PERPOOL_PROGRAM_ID.toBase58()) {
      const idl = programError(code);
      if (idl) return describeProgramError(idl);
    }
    const other = program
      ? parseProgramFailure({ logs: [`Program ${program} failed: custom program error: 0x${code.toString(16)}`] })
      : null;
    if (other?.name) return `The ${other.program} program refused: ${other.message} (${other.name}).`;
    return `The transaction failed with error ${code} from program ${program ?? "unknown"}.`;
  }
  if (/User rejected|rejected the request|Approval Denied/i.test(text))
    return "You declined the request in your wallet.";
  if (/no record of a prior credit|insufficient funds for fee|InsufficientFundsForFee/i.test(text)) {
    return "Your wallet has no SOL to pay the transaction fee.";
  }
  if (/insufficient lamports/i.test(text)) return "Your wallet does not have enough SOL for that.";
  if (/Blockhash not found|block height exceeded|has expired/i.test(text))
    return "The transaction expired before it landed. Try again.";
  if (/Failed to fetch|NetworkError|ECONNREFUSED|fetch failed/i.test(text)) return "The RPC node could not be reached.";
  if (/WalletNotConnected|not connected/i.test(text)) return "Connect a wallet first.";
  const first = text.split("\n").find((l) => l.trim()) ?? "Unknown error";
  return first.length > 240 ? first.slice(0, 240) + "…" : first;
}
