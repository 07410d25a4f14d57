/**
 * Units of every amount the program stores, as exported constants, with exact parse and format
 * helpers (strings in, `BN` out; no amount passes through a JS `number`).
 *
 * | Quantity                         | Unit                               | Constant            |
 * | -------------------------------- | ---------------------------------- | ------------------- |
 * | USD values (sizes, PnL, fees)    | 1e-6 USD                           | `USD_DECIMALS` (6)  |
 * | Prices (entry, exit, bounds)     | 1e-9 USD per whole token           | `PRICE_DECIMALS` (9)|
 * | Token amounts                    | the mint's base units              | mint `decimals`     |
 * | LP tokens                        | 1e-6 LP                            | `LP_DECIMALS` (6)   |
 * | Fees, weights, ratios            | basis points (1e-4)                | `BPS_DENOM` (10000) |
 * | Rates (per second, per year)     | 1e-9                               | `RATE_ONE` (1e9)    |
 * | Borrow / supply / funding indexes| 1e-12                              | `INDEX_ONE` (1e12)  |
 */
import BN from "bn.js";

import { parseUnits } from "./cli/units";
import { USD_DECIMALS } from "./constants";
import { PRICE_DECIMALS } from "./math/units";

export { AmountError, formatBps, formatPrice, formatUnits, formatUsd, parseUnits } from "./cli/units";
export type { ParseUnitsOptions } from "./cli/units";
export { BPS_DENOM, PRICE_DECIMALS, RATE_ONE } from "./math/units";

/** A USD amount written in dollars ("12.5") as the program's 1e-6 USD units. */
export function parseUsd(text: string, what = "USD amount"): BN {
  return parseUnits(text, USD_DECIMALS, what);
}

/** A price written in dollars ("150.25") as the program's 1e-9 USD units. */
export function parsePrice(text: string, what = "price"): BN {
  return parseUnits(text, PRICE_DECIMALS, what);
}
