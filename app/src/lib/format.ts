/** Display formatting of integer amounts (never through a float, except for rates and charts). */
import BN from "bn.js";

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Base units → "1,234.5678", cut (not rounded) to `maxFraction` digits. */
export function formatUnits(value: BN, decimals: number, maxFraction = Math.min(decimals, 6)): string {
  const neg = value.isNeg();
  const s = value.abs().toString().padStart(decimals + 1, "0");
  const whole = s.slice(0, s.length - decimals) || "0";
  let frac = decimals > 0 ? s.slice(s.length - decimals, s.length - decimals + maxFraction) : "";
  frac = frac.replace(/0+$/, "");
  return `${neg ? "-" : ""}${group(whole)}${frac ? "." + frac : ""}`;
}

/** USD with 6 decimals → "$1,234.56". */
export function formatUsd(value: BN, fraction = 2): string {
  const neg = value.isNeg();
  const cents = value.abs().add(new BN(10).pow(new BN(6 - fraction)).divn(2)).div(new BN(10).pow(new BN(6 - fraction)));
  const s = cents.toString().padStart(fraction + 1, "0");
  const whole = s.slice(0, s.length - fraction);
  const frac = fraction > 0 ? "." + s.slice(s.length - fraction) : "";
  return `${neg ? "-" : ""}$${group(whole)}${frac}`;
}

/** A signed USD amount with its sign: "+$12.30" / "-$4.00". */
export function formatSignedUsd(value: BN): string {
  return value.isNeg() ? formatUsd(value) : `+${formatUsd(value)}`;
}

/** A 9-decimal price → "$150.1234" (more digits for small prices). */
export function formatPrice(price: BN): string {
  const digits = price.lt(new BN(10).pow(new BN(9))) ? 6 : price.lt(new BN(10).pow(new BN(12))) ? 4 : 2;
  return "$" + formatUnits(price, 9, digits);
}

/** Basis points → "0.25%". */
export function formatBps(bps: number | BN, digits = 2): string {
  const n = typeof bps === "number" ? bps : Number(bps.toString());
  return `${(n / 100).toFixed(digits)}%`;
}

/** Base units → a fixed number of fraction digits ("1.000000"), cut, for prices that should not jump in width. */
export function formatFixed(value: BN, decimals: number, digits: number): string {
  const s = value.abs().toString().padStart(decimals + 1, "0");
  const whole = s.slice(0, s.length - decimals) || "0";
  const frac = s.slice(s.length - decimals).padEnd(digits, "0").slice(0, digits);
  return `${value.isNeg() ? "-" : ""}${group(whole)}${digits > 0 ? "." + frac : ""}`;
}

/** A yearly rate (0.0004) with enough digits to be seen: "0.040%", "5.12%". */
export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return "–";
  if (x !== 0 && Math.abs(x) < 0.001) return `${(x * 100).toFixed(4)}%`;
  return `${(x * 100).toFixed(2)}%`;
}

/** A fraction (0.05) → "5.00%". */
export function formatPercent(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return "–";
  return `${(x * 100).toFixed(digits)}%`;
}

/** A 9-decimal price or a 6-decimal USD amount as a float, for charts only. */
export function toFloat(value: BN, decimals: number): number {
  return Number(value.toString()) / 10 ** decimals;
}

export function shortAddress(address: string): string {
  return `${address.slice(0, 4)}…${address.slice(-4)}`;
}

/** Leverage in bps → "5.00x". */
export function formatLeverage(bps: BN | number): string {
  const n = typeof bps === "number" ? bps : Number(bps.toString());
  return `${(n / 10_000).toFixed(2)}x`;
}
