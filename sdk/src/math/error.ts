/**
 * The error type of the math module; mirrors `programs/perpool-core/src/math/error.rs`.
 */

/** Why a math operation failed. Same names as the Rust `MathError` variants. */
export type MathErrorCode = "Overflow" | "Underflow" | "DivideByZero" | "InvalidDecimals" | "InvalidPrice";

/** The Rust enum's explicit `#[repr(u32)]` numbers (append-only). */
export const MATH_ERROR_NUMBERS: Readonly<Record<MathErrorCode, number>> = Object.freeze({
  Overflow: 0,
  Underflow: 1,
  DivideByZero: 2,
  InvalidDecimals: 3,
  InvalidPrice: 4,
});

/**
 * Thrown for the same inputs for which the program returns a `MathError`.
 *
 * - `Overflow`: the exact result does not fit in the output type (u64, or i64 for signed results).
 * - `Underflow`: an unsigned subtraction would go below zero.
 * - `DivideByZero`: the divisor (or a price used as a divisor) is zero.
 * - `InvalidDecimals`: a token's decimals exceed `MAX_TOKEN_DECIMALS` (18).
 * - `InvalidPrice`: an oracle price is not positive, its exponent is outside -18..=18, or it
 *   normalises to zero (`normalizePrice`).
 *
 * Inputs that the program could never receive (negative or wider than 64 bits, non-integer
 * decimals) are caller bugs, not math errors: they throw a `RangeError` instead.
 */
export class MathError extends Error {
  readonly code: MathErrorCode;

  constructor(code: MathErrorCode, detail?: string) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = "MathError";
    this.code = code;
  }

  /** The program's numeric code for this error. */
  get number(): number {
    return MATH_ERROR_NUMBERS[this.code];
  }
}
