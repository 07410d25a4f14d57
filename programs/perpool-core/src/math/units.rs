//! Unit newtypes and the conversions between them.
//!
//! Precisions (all values are unsigned integers scaled by a power of ten):
//!
//! | type          | meaning                              | scale                       |
//! |---------------|--------------------------------------|-----------------------------|
//! | [`Usd`]       | a USD value                          | 10^[`USD_DECIMALS`] = $1    |
//! | [`Price`]     | USD per one whole token              | 10^[`PRICE_DECIMALS`] = $1  |
//! | [`TokenAmount`] | token amount in the mint's native units | 10^decimals = 1 token |
//! | [`Bps`]       | a fraction in basis points           | [`BPS_DENOM`] = 100%        |
//! | [`Rate`]      | a fraction (interest, funding, ratio)| [`RATE_ONE`] = 100%         |
//!
//! Each conversion comes as `_floor` and `_ceil`; the caller picks the direction that goes against
//! the user (e.g. collateral value rounds down, a fee or a debt rounds up).

use core::num::NonZeroU64;

use super::fixed::{checked_add, checked_sub, mul_div_nz, mul_quiet, raised, Rounding};
use super::wide::{div_wide, div_wide_full, wide_mul};
use super::MathError;

crate::source_file!();

/// Decimals of [`Usd`]: 1_000_000 = $1.
pub const USD_DECIMALS: u8 = 6;
/// Decimals of [`Price`]: 1_000_000_000 = $1 per whole token.
pub const PRICE_DECIMALS: u8 = 9;
/// Denominator of [`Bps`]: 10_000 bps = 100%.
pub const BPS_DENOM: u64 = 10_000;
/// [`Rate`] of 100%: 1_000_000_000 = 1.0.
pub const RATE_ONE: u64 = 1_000_000_000;
/// Largest supported mint decimals. Conversions scale by 10^(decimals + 3), at most 10^21.
pub const MAX_TOKEN_DECIMALS: u8 = 18;

// usd = amount * price / 10^(decimals + PRICE_DECIMALS - USD_DECIMALS): the exponent must not be
// negative for any decimals >= 0.
const _: () = assert!(PRICE_DECIMALS >= USD_DECIMALS);

/// The largest power of ten that fits in a `u64` is 10^19.
const MAX_POW10_EXP: u32 = 19;

/// POW10[k] = 10^k for k in 0..=19. Typed non-zero so dividing by an entry needs no zero check.
pub(crate) const POW10: [NonZeroU64; MAX_POW10_EXP as usize + 1] = {
    let mut table = [NonZeroU64::MIN; MAX_POW10_EXP as usize + 1];
    let mut k = 1;
    while k < table.len() {
        table[k] = nonzero(table[k - 1].get() * 10);
        k += 1;
    }
    table
};

/// [`BPS_DENOM`] as a divisor.
const BPS_DIVISOR: NonZeroU64 = nonzero(BPS_DENOM);
/// [`RATE_ONE`] as a divisor.
pub(crate) const RATE_DIVISOR: NonZeroU64 = nonzero(RATE_ONE);

/// A compile-time non-zero constant (a zero fails the build).
pub(crate) const fn nonzero(value: u64) -> NonZeroU64 {
    match NonZeroU64::new(value) {
        Some(value) => value,
        None => panic!("zero divisor constant"),
    }
}

/// A USD value with [`USD_DECIMALS`] (6) decimals: `Usd(1_000_000)` is $1.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usd(pub u64);

/// A token amount in the mint's native units: `TokenAmount(10^decimals)` is one whole token.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokenAmount(pub u64);

/// A price in USD per one whole token with [`PRICE_DECIMALS`] (9) decimals:
/// `Price(1_000_000_000)` is $1 per token. Only used to convert; it has no arithmetic.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Price(pub u64);

/// A fraction in basis points: `Bps(10_000)` is 100% ([`BPS_DENOM`]). Values above 100% are allowed.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bps(pub u64);

/// A fraction with 9 decimals: `Rate(1_000_000_000)` is 100% ([`RATE_ONE`]). Values above 100% are
/// allowed.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rate(pub u64);

/// An additive quantity (a [`Usd`] value or a [`TokenAmount`]) that a [`Bps`] or [`Rate`] can scale.
/// Prices, bps and rates are not quantities: adding two prices means nothing.
pub trait Quantity: Copy {
    /// Wraps a raw value.
    fn from_raw(raw: u64) -> Self;
    /// The raw value.
    fn raw(self) -> u64;
}

macro_rules! quantity {
    ($name:ident) => {
        impl $name {
            /// Zero.
            pub const ZERO: $name = $name(0);

            /// `self + other`, or [`MathError::Overflow`].
            #[inline(always)]
            #[track_caller]
            pub fn checked_add(self, other: $name) -> Result<$name, MathError> {
                checked_add(self.0, other.0).map($name)
            }

            /// `self - other`, or [`MathError::Underflow`] below zero.
            #[inline(always)]
            #[track_caller]
            pub fn checked_sub(self, other: $name) -> Result<$name, MathError> {
                checked_sub(self.0, other.0).map($name)
            }
        }

        impl Quantity for $name {
            #[inline(always)]
            fn from_raw(raw: u64) -> Self {
                $name(raw)
            }
            #[inline(always)]
            fn raw(self) -> u64 {
                self.0
            }
        }
    };
}

quantity!(Usd);
quantity!(TokenAmount);

impl Bps {
    /// 100%.
    pub const ONE: Bps = Bps(BPS_DENOM);
}

impl Rate {
    /// 100%.
    pub const ONE: Rate = Rate(RATE_ONE);
}

/// `amount * bps / 10_000`, rounded down. For amounts owed to the user (e.g. a rebate).
/// Errors: [`MathError::Overflow`] (only possible above 100%).
#[inline(always)]
#[track_caller]
pub fn apply_bps_floor<Q: Quantity>(amount: Q, bps: Bps) -> Result<Q, MathError> {
    raised(mul_div_nz(amount.raw(), bps.0, BPS_DIVISOR, Rounding::Down)).map(Q::from_raw)
}

/// `amount * bps / 10_000`, rounded up. For amounts the user owes (e.g. a fee).
/// Errors: [`MathError::Overflow`] (only possible above 100%).
#[inline(always)]
#[track_caller]
pub fn apply_bps_ceil<Q: Quantity>(amount: Q, bps: Bps) -> Result<Q, MathError> {
    raised(mul_div_nz(amount.raw(), bps.0, BPS_DIVISOR, Rounding::Up)).map(Q::from_raw)
}

/// `amount * rate / 1e9`, rounded down. For amounts owed to the user (e.g. interest earned).
/// Errors: [`MathError::Overflow`] (only possible above 100%).
#[inline(always)]
#[track_caller]
pub fn apply_rate_floor<Q: Quantity>(amount: Q, rate: Rate) -> Result<Q, MathError> {
    raised(mul_div_nz(amount.raw(), rate.0, RATE_DIVISOR, Rounding::Down)).map(Q::from_raw)
}

/// `amount * rate / 1e9`, rounded up. For amounts the user owes (e.g. borrow interest).
/// Errors: [`MathError::Overflow`] (only possible above 100%).
#[inline(always)]
#[track_caller]
pub fn apply_rate_ceil<Q: Quantity>(amount: Q, rate: Rate) -> Result<Q, MathError> {
    raised(mul_div_nz(amount.raw(), rate.0, RATE_DIVISOR, Rounding::Up)).map(Q::from_raw)
}

/// USD value of `amount` of a token with `decimals` at `price`, rounded down:
/// `amount * price / 10^(decimals + 3)`. For value credited to the user (e.g. collateral).
///
/// Errors: `decimals > 18` → [`MathError::InvalidDecimals`]; result above `u64::MAX` →
/// [`MathError::Overflow`].
#[inline(always)]
#[track_caller]
pub fn token_to_usd_floor(amount: TokenAmount, price: Price, decimals: u8) -> Result<Usd, MathError> {
    raised(token_to_usd(amount, price, decimals, Rounding::Down))
}

/// USD value of `amount` of a token with `decimals` at `price`, rounded up:
/// `amount * price / 10^(decimals + 3)`. For value charged to the user (e.g. a debt).
///
/// Errors: as [`token_to_usd_floor`].
#[inline(always)]
#[track_caller]
pub fn token_to_usd_ceil(amount: TokenAmount, price: Price, decimals: u8) -> Result<Usd, MathError> {
    raised(token_to_usd(amount, price, decimals, Rounding::Up))
}

/// Token amount (native units, `decimals`) worth `usd` at `price`, rounded down:
/// `usd * 10^(decimals + 3) / price`. For tokens paid out to the user.
///
/// Errors, in this order: `decimals > 18` → [`MathError::InvalidDecimals`]; `price == 0` →
/// [`MathError::DivideByZero`]; result above `u64::MAX` → [`MathError::Overflow`].
#[inline(always)]
#[track_caller]
pub fn usd_to_token_floor(usd: Usd, price: Price, decimals: u8) -> Result<TokenAmount, MathError> {
    raised(usd_to_token(usd, price, decimals, Rounding::Down))
}

/// Token amount (native units, `decimals`) worth `usd` at `price`, rounded up:
/// `usd * 10^(decimals + 3) / price`. For tokens the user must pay in.
///
/// Errors: as [`usd_to_token_floor`].
#[inline(always)]
#[track_caller]
pub fn usd_to_token_ceil(usd: Usd, price: Price, decimals: u8) -> Result<TokenAmount, MathError> {
    raised(usd_to_token(usd, price, decimals, Rounding::Up))
}

/// The `e` in `usd = amount * price / 10^e`, i.e. `decimals + PRICE_DECIMALS - USD_DECIMALS`.
#[inline(always)]
fn conversion_exponent(decimals: u8) -> Result<u32, MathError> {
    if decimals > MAX_TOKEN_DECIMALS {
        return Err(MathError::InvalidDecimals);
    }
    Ok((decimals as u32).saturating_add((PRICE_DECIMALS as u32).saturating_sub(USD_DECIMALS as u32)))
}

#[inline]
fn token_to_usd(amount: TokenAmount, price: Price, decimals: u8, rounding: Rounding) -> Result<Usd, MathError> {
    let exp = conversion_exponent(decimals)?;
    let (hi, lo) = wide_mul(amount.0, price.0);
    div_pow10(hi, lo, exp, rounding).map(Usd)
}

#[inline]
fn usd_to_token(usd: Usd, price: Price, decimals: u8, rounding: Rounding) -> Result<TokenAmount, MathError> {
    let exp = conversion_exponent(decimals)?;
    let Some(price) = NonZeroU64::new(price.0) else {
        return Err(MathError::DivideByZero);
    };
    if exp <= MAX_POW10_EXP {
        return mul_div_nz(usd.0, POW10[exp as usize].get(), price, rounding).map(TokenAmount);
    }

    // 10^exp does not fit in a u64: split it as 10^19 * 10^k. With usd * 10^19 = q * price + r
    // (full 128-bit q, r < price):
    //     usd * 10^exp / price = q * 10^k + r * 10^k / price,
    // where only the last term is fractional, so only it is rounded.
    let scale = POW10[exp.saturating_sub(MAX_POW10_EXP) as usize].get();
    let (hi, lo) = wide_mul(usd.0, POW10[MAX_POW10_EXP as usize].get());
    let (q_hi, q_lo, r) = div_wide_full(hi, lo, price);
    if q_hi != 0 {
        return Err(MathError::Overflow);
    }
    let whole = mul_quiet(q_lo, scale)?;
    let part = mul_div_nz(r, scale, price, rounding)?; // r < price: at most 10^k, never overflows
    whole.checked_add(part).map(TokenAmount).ok_or(MathError::Overflow)
}

/// `(hi * 2^64 + lo) / 10^exp` with the given rounding, for `exp <= 21`.
#[inline]
fn div_pow10(hi: u64, lo: u64, exp: u32, rounding: Rounding) -> Result<u64, MathError> {
    let (mut hi, mut lo, mut exp) = (hi, lo, exp);
    if exp > MAX_POW10_EXP {
        // 10^exp does not fit in a u64: divide by 10^(exp - 19) first, keeping the full 128-bit
        // quotient, then by 10^19. Nested divisions compose exactly in either direction:
        // floor(floor(x / m) / n) == floor(x / (m * n)), and likewise for ceil.
        let (q_hi, q_lo, r) = div_wide_full(hi, lo, POW10[exp.saturating_sub(MAX_POW10_EXP) as usize]);
        let (q_lo, carry) = if rounding == Rounding::Up && r != 0 { q_lo.overflowing_add(1) } else { (q_lo, false) };
        // q_hi <= hi / 10, so adding the carry cannot overflow.
        hi = q_hi.saturating_add(carry as u64);
        lo = q_lo;
        exp = MAX_POW10_EXP;
    }
    let divisor = POW10[exp as usize];
    if hi >= divisor.get() {
        return Err(MathError::Overflow);
    }
    let (quotient, remainder) = div_wide(hi, lo, divisor);
    rounding.adjust(quotient, remainder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CASES: u32 = 10_000;

    fn edgy_u64() -> impl Strategy<Value = u64> {
        prop_oneof![
            3 => any::<u64>(),
            1 => Just(0u64),
            1 => Just(1u64),
            1 => Just(u64::MAX),
            1 => (0u32..64).prop_map(|k| 1u64 << k),
            1 => (0usize..20).prop_map(|k| POW10[k].get()),
            1 => any::<u32>().prop_map(u64::from),
            1 => 0u64..100_000,
            1 => u64::MAX - 1000..=u64::MAX,
        ]
    }

    fn round(n: u128, d: u128, up: bool) -> u128 {
        n / d + (up && !n.is_multiple_of(d)) as u128
    }

    fn fit(q: u128) -> Result<u64, MathError> {
        u64::try_from(q).map_err(|_| MathError::Overflow)
    }

    /// u128 reference for `token_to_usd_*`.
    fn reference_to_usd(amount: u64, price: u64, decimals: u8, up: bool) -> Result<u64, MathError> {
        if decimals > MAX_TOKEN_DECIMALS {
            return Err(MathError::InvalidDecimals);
        }
        let divisor = 10u128.pow(decimals as u32 + 3);
        fit(round(amount as u128 * price as u128, divisor, up))
    }

    /// u128 reference for `usd_to_token_*`. If usd * 10^e overflows u128, the quotient by a
    /// 64-bit price is at least 2^128 / 2^64 = 2^64: an overflow.
    fn reference_to_token(usd: u64, price: u64, decimals: u8, up: bool) -> Result<u64, MathError> {
        if decimals > MAX_TOKEN_DECIMALS {
            return Err(MathError::InvalidDecimals);
        }
        if price == 0 {
            return Err(MathError::DivideByZero);
        }
        let scale = 10u128.pow(decimals as u32 + 3);
        match (usd as u128).checked_mul(scale) {
            Some(n) => fit(round(n, price as u128, up)),
            None => Err(MathError::Overflow),
        }
    }

    #[test]
    fn pow10_table() {
        assert_eq!(POW10[0].get(), 1);
        assert_eq!(POW10[19].get(), 10_000_000_000_000_000_000);
        assert!(POW10[19].get().checked_mul(10).is_none());
        for k in 1..POW10.len() {
            assert_eq!(POW10[k].get(), 10 * POW10[k - 1].get());
        }
    }

    #[test]
    fn conversions_by_example() {
        // 1.5 SOL (9 decimals) at $150 = $225.
        let sol = TokenAmount(1_500_000_000);
        let price = Price(150_000_000_000);
        assert_eq!(token_to_usd_floor(sol, price, 9), Ok(Usd(225_000_000)));
        assert_eq!(usd_to_token_floor(Usd(225_000_000), price, 9), Ok(sol));
        // 1 native unit of a 6-decimal token at $1 is exactly $0.000001.
        assert_eq!(token_to_usd_floor(TokenAmount(1), Price(1_000_000_000), 6), Ok(Usd(1)));
        // 1 wei-like unit (18 decimals) at $3000: 3e-15 USD → floor 0, ceil 1 micro-USD.
        let eth_price = Price(3_000_000_000_000);
        assert_eq!(token_to_usd_floor(TokenAmount(1), eth_price, 18), Ok(Usd(0)));
        assert_eq!(token_to_usd_ceil(TokenAmount(1), eth_price, 18), Ok(Usd(1)));
        // $1 at $3000 per 18-decimal token = 333_333_333_333_333.33.. units.
        assert_eq!(usd_to_token_floor(Usd(1_000_000), eth_price, 18), Ok(TokenAmount(333_333_333_333_333)));
        assert_eq!(usd_to_token_ceil(Usd(1_000_000), eth_price, 18), Ok(TokenAmount(333_333_333_333_334)));
        // Errors.
        assert_eq!(token_to_usd_floor(sol, price, 19), Err(MathError::InvalidDecimals));
        assert_eq!(usd_to_token_floor(Usd(1), Price(0), 19), Err(MathError::InvalidDecimals));
        assert_eq!(usd_to_token_floor(Usd(1), Price(0), 9), Err(MathError::DivideByZero));
        assert_eq!(usd_to_token_ceil(Usd(u64::MAX), Price(1), 0), Err(MathError::Overflow));
    }

    #[test]
    fn bps_and_rates_by_example() {
        // 0.1% fee on $1000.000001: 1_000_000.001 micro-USD.
        assert_eq!(apply_bps_floor(Usd(1_000_000_001), Bps(10)), Ok(Usd(1_000_000)));
        assert_eq!(apply_bps_ceil(Usd(1_000_000_001), Bps(10)), Ok(Usd(1_000_001)));
        assert_eq!(apply_bps_floor(TokenAmount(u64::MAX), Bps::ONE), Ok(TokenAmount(u64::MAX)));
        assert_eq!(apply_bps_floor(TokenAmount(u64::MAX), Bps(10_001)), Err(MathError::Overflow));
        assert_eq!(apply_rate_ceil(Usd(3), Rate(RATE_ONE / 2)), Ok(Usd(2)));
        assert_eq!(apply_rate_floor(Usd(3), Rate(RATE_ONE / 2)), Ok(Usd(1)));
        assert_eq!(apply_rate_floor(Usd(u64::MAX), Rate::ONE), Ok(Usd(u64::MAX)));
        assert_eq!(Usd(1).checked_sub(Usd(2)), Err(MathError::Underflow));
        assert_eq!(TokenAmount(u64::MAX).checked_add(TokenAmount(1)), Err(MathError::Overflow));
        assert_eq!(Usd::ZERO.checked_add(Usd(5)), Ok(Usd(5)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(CASES))]

        #[test]
        fn token_to_usd_matches_u128(amount in edgy_u64(), price in edgy_u64(), decimals in 0u8..=20) {
            let (a, p) = (TokenAmount(amount), Price(price));
            prop_assert_eq!(token_to_usd_floor(a, p, decimals).map(|u| u.0), reference_to_usd(amount, price, decimals, false));
            prop_assert_eq!(token_to_usd_ceil(a, p, decimals).map(|u| u.0), reference_to_usd(amount, price, decimals, true));
        }

        #[test]
        fn usd_to_token_matches_u128(usd in edgy_u64(), price in edgy_u64(), decimals in 0u8..=20) {
            let (u, p) = (Usd(usd), Price(price));
            prop_assert_eq!(usd_to_token_floor(u, p, decimals).map(|t| t.0), reference_to_token(usd, price, decimals, false));
            prop_assert_eq!(usd_to_token_ceil(u, p, decimals).map(|t| t.0), reference_to_token(usd, price, decimals, true));
        }

        /// Realistic ranges for the high-decimals paths, where results fit and the split
        /// arithmetic actually runs (rather than overflowing early).
        #[test]
        fn high_decimals_realistic(amount in 0u64..=u64::MAX, usd in 0u64..1u64 << 40, price in 1u64..1u64 << 50, decimals in 16u8..=18) {
            prop_assert_eq!(token_to_usd_floor(TokenAmount(amount), Price(price), decimals).map(|u| u.0), reference_to_usd(amount, price, decimals, false));
            prop_assert_eq!(token_to_usd_ceil(TokenAmount(amount), Price(price), decimals).map(|u| u.0), reference_to_usd(amount, price, decimals, true));
            prop_assert_eq!(usd_to_token_floor(Usd(usd), Price(price), decimals).map(|t| t.0), reference_to_token(usd, price, decimals, false));
            prop_assert_eq!(usd_to_token_ceil(Usd(usd), Price(price), decimals).map(|t| t.0), reference_to_token(usd, price, decimals, true));
        }

        #[test]
        fn round_trip_never_creates_value(amount in 0u64..1u64 << 56, price in 1u64..1u64 << 44, decimals in 0u8..=18) {
            // Selling tokens for USD (floor) and buying back (floor) never returns more tokens.
            if let Ok(usd) = token_to_usd_floor(TokenAmount(amount), Price(price), decimals) {
                let back = usd_to_token_floor(usd, Price(price), decimals);
                prop_assert!(back.is_ok_and(|back| back.0 <= amount));
            }
        }

        #[test]
        fn bps_and_rate_match_u128(amount in edgy_u64(), frac in edgy_u64()) {
            let n = amount as u128 * frac as u128;
            prop_assert_eq!(apply_bps_floor(Usd(amount), Bps(frac)).map(|u| u.0), fit(round(n, BPS_DENOM as u128, false)));
            prop_assert_eq!(apply_bps_ceil(Usd(amount), Bps(frac)).map(|u| u.0), fit(round(n, BPS_DENOM as u128, true)));
            prop_assert_eq!(apply_rate_floor(TokenAmount(amount), Rate(frac)).map(|t| t.0), fit(round(n, RATE_ONE as u128, false)));
            prop_assert_eq!(apply_rate_ceil(TokenAmount(amount), Rate(frac)).map(|t| t.0), fit(round(n, RATE_ONE as u128, true)));
        }
    }
}
