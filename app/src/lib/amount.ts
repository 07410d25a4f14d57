/**
 * Amounts typed by a user: parsed to integer base units (`BN`) without ever
 * going through a JS number, and rejected with a plain reason before anything
 * is signed.
 */
import BN from "bn.js";

import { formatUnits } from "./format";

export const U64_MAX = new BN("18446744073709551615");

export type ParsedAmount = { kind: "empty" } | { kind: "error"; error: string } | { kind: "ok"; value: BN };

export interface AmountRules {
  decimals: number;
  /** Shown in messages, e.g. "USDC". */
  symbol: string;
  /** The most the user may enter (e.g. the wallet balance). */
  max?: BN;
  /** Why `max` is the limit, e.g. "your balance". */
  maxLabel?: string;
}

const NUMBER = /^\d*\.?\d*$/;

/** Decimal text → base units, or the reason it is not acceptable. */
export function parseAmount(text: string, rules: AmountRules): ParsedAmount {
  const t = text.trim().replace(/,/g, "");
  if (t === "") return { kind: "empty" };
  if (t.startsWith("-")) {
    return NUMBER.test(t.slice(1)) && /\d/.test(t)
      ? { kind: "error", error: "The amount must be positive." }
      : { kind: "error", error: "Enter a number." };
  }
  if (!NUMBER.test(t) || !/\d/.test(t)) return { kind: "error", error: "Enter a number." };
  const [whole, frac = ""] = t.split(".");
  if (frac.length > rules.decimals) {
    return {
      kind: "error",
      error:
        rules.decimals === 0
          ? `${rules.symbol} has no decimal places.`
          : `${rules.symbol} has at most ${rules.decimals} decimal places.`,
    };
  }
  const value = new BN((whole || "0") + frac.padEnd(rules.decimals, "0"), 10);
  if (value.isZero()) return { kind: "error", error: "Enter an amount above zero." };
  if (value.gt(U64_MAX)) return { kind: "error", error: "The amount is too large." };
  if (rules.max && value.gt(rules.max)) {
    return {
      kind: "error",
      error: `More than ${rules.maxLabel ?? "the maximum"} (${formatUnits(rules.max, rules.decimals)} ${rules.symbol}).`,
    };
  }
  return { kind: "ok", value };
}

/** Base units → the plain decimal text an input shows (no grouping, no trailing zeros). */
export function toInputText(value: BN, decimals: number): string {
  const s = value.toString().padStart(decimals + 1, "0");
  if (decimals === 0) return s;
  const whole = s.slice(0, s.length - decimals);
  const frac = s.slice(s.length - decimals).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole;
}

/** `amount × (10_000 − bps) / 10_000`, rounded down: a minimum accepted after slippage. */
export function lessSlippage(amount: BN, bps: number): BN {
  return amount.muln(10_000 - bps).divn(10_000);
}

/** `amount × (10_000 + bps) / 10_000`, rounded up: a maximum accepted after slippage. */
export function plusSlippage(amount: BN, bps: number): BN {
  const n = amount.muln(10_000 + bps);
  const q = n.divn(10_000);
  return n.modrn(10_000) === 0 ? q : q.addn(1);
}

export type ParsedLeverage = { kind: "empty" } | { kind: "error"; error: string } | { kind: "ok"; bps: number };

/**
 * Leverage as typed ("2.5", "10x") → basis points (2.5x = 25,000), between
 * 1.1x and the market's maximum; refused with a reason otherwise (never
 * silently clamped).
 */
export function parseLeverage(text: string, maxBps: number, minBps = 11_000): ParsedLeverage {
  const t = text.trim().replace(/x$/i, "").trim();
  if (t === "") return { kind: "empty" };
  if (!/^\d*\.?\d*$/.test(t) || !/\d/.test(t))
    return { kind: "error", error: "Enter the leverage as a number, e.g. 5 or 2.5." };
  const [whole, frac = ""] = t.split(".");
  if (frac.length > 2) return { kind: "error", error: "Leverage has at most 2 decimal places." };
  if (whole.replace(/^0+/, "").length > 4)
    return { kind: "error", error: `At most ${maxBps / 10_000}x on this market.` };
  const bps = Number(whole || "0") * 10_000 + Number(frac.padEnd(4, "0"));
  if (bps > maxBps) return { kind: "error", error: `At most ${maxBps / 10_000}x on this market.` };
  if (bps < minBps) return { kind: "error", error: `At least ${minBps / 10_000}x.` };
  return { kind: "ok", bps };
}

/** Leverage in bps → the text an input shows ("2.5"). */
export function leverageText(bps: number): string {
  return toInputText(new BN(bps), 4);
}
