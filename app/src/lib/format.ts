/** Display formatting of integer amounts (never through a float, except for rates and charts). */
import BN from "bn.js";

const group = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");

/** Base units → "1,234.5678", cut (not rounded) to `maxFraction` digits. */
export function formatUnits(value: BN, decimals: number, maxFraction = Math.min(decimals, 6)): string {
  const neg = value.isNeg();
  const s = value
    .abs()
    .toString()
    .padStart(decimals + 1, "0");
  const whole = s.slice(0, s.length - decimals) || "0";
  let frac = decimals > 0 ? s.slice(s.length - decimals, s.length - decimals + maxFraction) : "";
  frac = frac.replace(/0+$/, "");
  return `${neg ? "-" : ""}${group(whole)}${frac ? "." + frac : ""}`;
}

/** USD with 6 decimals → "$1,234.56". */
export function formatUsd(value: BN, fraction = 2): string {
  const neg = value.isNeg();
  const cents = value
    .abs()
    .add(new BN(10).pow(new BN(6 - fraction)).divn(2))
    .div(new BN(10).pow(new BN(6 - fraction)));
  const s = cents.toString().padStart(fraction + 1, "0");
  const whole = s.slice(0, s.length - fraction);
  const frac = fraction > 0 ? "." + s.slice(s.length - fraction) : "";
  // An amount that rounds to zero shows no sign ("$0.00", never "-$0.00").
  return `${neg && !cents.isZero() ? "-" : ""}$${group(whole)}${frac}`;
}

/** A signed USD amount with its sign: "+$12.30" / "-$4.00". */
export function formatSignedUsd(value: BN): string {
  const text = formatUsd(value);
  return text.startsWith("-") || text === "$0.00" ? text : `+${text}`;
}

/** Seconds → "45 s", "12 min", "3.2 h", "4.5 days". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5_400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** Unix seconds → a short local date and time. */
export function formatTime(t: number | null): string {
  if (t === null) return "–";
  return new Date(t * 1000).toLocaleString([], {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
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
  const s = value
    .abs()
    .toString()
    .padStart(decimals + 1, "0");
  const whole = s.slice(0, s.length - decimals) || "0";
  const frac = s
    .slice(s.length - decimals)
    .padEnd(digits, "0")
    .slice(0, digits);
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
  if (Math.abs(x) >= 10) return `${Math.round(x * 100).toLocaleString("en-US")}%`;
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
