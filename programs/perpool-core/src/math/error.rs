//! The error type of the math module.

/// Why a math operation failed. Numbers are explicit and append-only: the program maps them into
/// its own error codes, and the SDK mirrors them (`sdk/src/math/error.ts`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// The exact result does not fit in the output type (too large, or for signed results,
    /// outside `i64::MIN..=i64::MAX`).
    Overflow = 0,
    /// An unsigned subtraction would go below zero.
    Underflow = 1,
    /// The divisor (or a price used as a divisor) is zero.
    DivideByZero = 2,
    /// A token's decimals exceed [`MAX_TOKEN_DECIMALS`](super::units::MAX_TOKEN_DECIMALS).
    InvalidDecimals = 3,
    /// An oracle price is not positive, its exponent is outside `-18..=18`, or it normalises to
    /// zero (see [`normalize_price`](super::oracle::normalize_price)).
    InvalidPrice = 4,
}

impl MathError {
    /// The stable numeric code of this error.
    #[inline]
    pub const fn code(self) -> u32 {
        self as u32
    }
}
