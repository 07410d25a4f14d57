/**
 * Human amounts ↔ base units, without floating point: "1.5" SOL (9 decimals)
 * is 1,500,000,000 lamports. Parsing refuses anything that is not a plain
 * non-negative decimal number with at most the token's decimals, and says why.
 */
import BN from "bn.js";
import { U64_MAX } from "../constants";

/** A bad amount or price on the command line; the message says what is wrong. */
export class AmountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AmountError";
  }
}

export interface ParseUnitsOptions {
  /** Accept 0 (default false: amounts must be positive). */
  allowZero?: boolean;
  /** Unit name for messages, e.g. "SOL" or "USD". */
  unit?: string;
}

/**
 * `text` in whole units → base units with `decimals` decimals.
 * `what` names the value in error messages ("--amount").
 */
export function parseUnits(text: string, decimals: number, what: string, opts: ParseUnitsOptions = {}): BN {
  const raw = text.trim();
  const unit = opts.unit ? ` ${opts.unit}` : "";
  if (raw.length === 0) throw new AmountError(`${what}: a number is required`);
  if (/^[-−]/.test(raw)) throw new AmountError(`${what} ${raw}: must not be negative`);
  const m = /^\+?(\d*)(?:\.(\d*))?$/.exec(raw);
  if (!m || (m[1] ?? "") + (m[2] ?? "") === "") {
    throw new AmountError(`${what} "${raw}" is not a number (expected a decimal such as 1.5)`);
  }
  const whole = m[1] ?? "";
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > decimals) {
    throw new AmountError(
      decimals === 0
        ? `${what} ${raw}: must be a whole number${unit ? ` of${unit}` : ""}`
        : `${what} ${raw}: at most ${decimals} decimals${unit ? ` for${unit}` : ""} (got ${frac.length})`,
    );
  }
  const value = new BN((whole || "0") + frac.padEnd(decimals, "0"));
  if (value.gt(U64_MAX)) throw new AmountError(`${what} ${raw}: too large`);
  if (value.isZero() && !opts.allowZero) throw new AmountError(`${what} ${raw}: must be greater than 0`);
  return value;
}

/** Base units → "1.5" (trailing zeros trimmed; negative values keep their sign). */
export function formatUnits(value: BN, decimals: number, opts: { maxDecimals?: number } = {}): string {
  const negative = value.isNeg();
  const digits = value
    .abs()
    .toString()
    .padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  let frac = decimals > 0 ? digits.slice(digits.length - decimals) : "";
  if (opts.maxDecimals !== undefined && frac.length > opts.maxDecimals) frac = frac.slice(0, opts.maxDecimals);
  frac = frac.replace(/0+$/, "");
  const text = frac.length > 0 ? `${whole}.${frac}` : whole;
  return negative && text !== "0" ? `-${text}` : text;
}

/** USD with 6 decimals → "1234.56" (cents). */
export const formatUsd = (usd: BN): string => formatUnits(usd, 6, { maxDecimals: 2 });
/** A 9-decimal price → "150.25" (at most 4 decimals). */
export const formatPrice = (price: BN): string => formatUnits(price, 9, { maxDecimals: 4 });
/** Basis points → "12.34%". */
export const formatBps = (bps: BN | number): string => `${formatUnits(new BN(bps.toString()), 2)}%`;
