//! Pure integer fixed-point math. No Solana types; testable natively.
