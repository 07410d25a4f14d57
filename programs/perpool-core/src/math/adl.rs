//! Auto-deleveraging (SPEC §5): how much of the paying custody one side's
//! unrealized profit would take.
//!
//! `ratio_bps = floor(profit × 10_000 / value)`, where `profit` is the side's
//! unrealized profit from its open interest at `market_price` (a loss counts
//! as zero) and `value` the paying custody's own tokens (`owned`) at
//! `pool_price`. Rounding favours the deleveraged traders: the profit rounds
//! down (longs' token value down, shorts' up) and the pool value up. A profit
//! against an empty custody is `u64::MAX`.

use super::fixed::mul_div_floor;
use super::units::{token_to_usd_ceil, token_to_usd_floor, Price, TokenAmount};
use super::MathError;

crate::source_file!();

/// Inputs of [`adl_ratio_bps`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AdlInput {
    /// 1 long, 2 short.
    pub side: u8,
    /// The side's open interest, USD 6 decimals.
    pub oi_usd: u64,
    /// The side's open interest, market tokens.
    pub oi_tokens: u64,
    /// Market token decimals.
    pub market_decimals: u8,
    /// Market price the side is marked at, 9 decimals.
    pub market_price: Price,
    /// The paying custody's own tokens.
    pub pool_tokens: u64,
    /// The paying custody's decimals.
    pub pool_decimals: u8,
    /// The paying custody's price, 9 decimals.
    pub pool_price: Price,
}

/// The side's unrealized profit, USD 6 decimals (0 for a loss).
pub fn side_profit_usd(i: &AdlInput) -> Result<u64, MathError> {
    let tokens = TokenAmount(i.oi_tokens);
    Ok(if i.side == 1 {
        token_to_usd_floor(tokens, i.market_price, i.market_decimals)?.0.saturating_sub(i.oi_usd)
    } else {
        i.oi_usd.saturating_sub(token_to_usd_ceil(tokens, i.market_price, i.market_decimals)?.0)
    })
}

/// The side's profit as a share of the paying custody, bps (see the module docs).
pub fn adl_ratio_bps(i: &AdlInput) -> Result<u64, MathError> {
    let profit = side_profit_usd(i)?;
    if profit == 0 {
        return Ok(0);
    }
    let value = token_to_usd_ceil(TokenAmount(i.pool_tokens), i.pool_price, i.pool_decimals)?.0;
    if value == 0 {
        return Ok(u64::MAX);
    }
    mul_div_floor(profit, 10_000, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(side: u8, oi_usd: u64, oi_tokens: u64, price: u64, pool_tokens: u64) -> AdlInput {
        AdlInput {
            side,
            oi_usd,
            oi_tokens,
            market_decimals: 9,
            market_price: Price(price),
            pool_tokens,
            pool_decimals: 9,
            pool_price: Price(price),
        }
    }

    #[test]
    fn long_profit_share_of_the_custody() {
        // 10 tokens bought for 1,000 USD, now worth 2,000 USD: 1,000 USD profit;
        // the custody holds 10 tokens worth 2,000 USD → 50 %.
        let i = input(1, 1_000_000_000, 10_000_000_000, 200_000_000_000, 10_000_000_000);
        assert_eq!(side_profit_usd(&i).unwrap(), 1_000_000_000);
        assert_eq!(adl_ratio_bps(&i).unwrap(), 5_000);
    }

    #[test]
    fn short_profit_and_losses() {
        // Shorts sold 10 tokens for 2,000 USD; at 100 USD they are up 1,000 USD.
        let i = input(2, 2_000_000_000, 10_000_000_000, 100_000_000_000, 10_000_000_000);
        assert_eq!(side_profit_usd(&i).unwrap(), 1_000_000_000);
        assert_eq!(adl_ratio_bps(&i).unwrap(), 10_000);
        // A losing side has no ratio.
        let l = input(1, 3_000_000_000, 10_000_000_000, 200_000_000_000, 10_000_000_000);
        assert_eq!(adl_ratio_bps(&l).unwrap(), 0);
        // Profit against an empty custody: the largest ratio.
        let e = input(1, 1_000_000_000, 10_000_000_000, 200_000_000_000, 0);
        assert_eq!(adl_ratio_bps(&e).unwrap(), u64::MAX);
    }

    #[test]
    fn rounding_favours_the_traders() {
        // 1 µUSD of profit against 3 µUSD of custody: 3,333.33 bps → 3,333.
        let i = AdlInput {
            side: 1,
            oi_usd: 1,
            oi_tokens: 2,
            market_decimals: 6,
            market_price: Price(1_000_000_000),
            pool_tokens: 3,
            pool_decimals: 6,
            pool_price: Price(1_000_000_000),
        };
        assert_eq!(adl_ratio_bps(&i).unwrap(), 3_333);
    }
}
