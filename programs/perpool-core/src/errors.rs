//! How the math's errors become the program's: each math error type maps into
//! [`PerpoolError`] (a failed quote reports its precise cause).

use perpool_interface::error::PerpoolError;

use crate::math::{LendingError, LiquidityError, MathError, PositionError};

impl From<MathError> for PerpoolError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        match e {
            MathError::DivideByZero => PerpoolError::DivideByZero,
            MathError::InvalidPrice => PerpoolError::InvalidPrice,
            _ => PerpoolError::MathOverflow,
        }
    }
}

impl From<LiquidityError> for PerpoolError {
    #[inline(always)]
    fn from(e: LiquidityError) -> Self {
        match e {
            LiquidityError::Math(m) => m.into(),
            LiquidityError::ZeroAmount => PerpoolError::ZeroAmount,
            LiquidityError::PoolValueZero => PerpoolError::PoolValueZero,
            LiquidityError::MaxWeightExceeded => PerpoolError::MaxWeightExceeded,
            LiquidityError::MinWeightExceeded => PerpoolError::MinWeightExceeded,
            LiquidityError::PoolCapExceeded => PerpoolError::PoolCapExceeded,
            LiquidityError::InsufficientLiquidity => PerpoolError::InsufficientLiquidity,
            LiquidityError::InsufficientLpSupply => PerpoolError::InsufficientLpSupply,
            LiquidityError::FirstDepositTooSmall => PerpoolError::FirstDepositTooSmall,
            LiquidityError::LpMintTooSmall => PerpoolError::LpMintTooSmall,
        }
    }
}

impl From<PositionError> for PerpoolError {
    #[inline(always)]
    fn from(e: PositionError) -> Self {
        match e {
            PositionError::Math(m) => m.into(),
            PositionError::InvalidSide => PerpoolError::InvalidSide,
            PositionError::InvalidSpread => PerpoolError::InvalidSpread,
            PositionError::ZeroAmount => PerpoolError::ZeroAmount,
            PositionError::InsufficientCollateral => PerpoolError::InsufficientCollateral,
            PositionError::PositionTooLarge => PerpoolError::PositionTooLarge,
            PositionError::OpenInterestCap => PerpoolError::OpenInterestCap,
            PositionError::InsufficientLiquidity => PerpoolError::InsufficientLiquidity,
            PositionError::CollateralTooSmall => PerpoolError::CollateralTooSmall,
            PositionError::LeverageTooHigh => PerpoolError::LeverageTooHigh,
            PositionError::WouldBeLiquidatable => PerpoolError::WouldBeLiquidatable,
            PositionError::SizeTooLarge => PerpoolError::SizeTooLarge,
            PositionError::PositionUnderwater => PerpoolError::PositionUnderwater,
            PositionError::NotLiquidatable => PerpoolError::NotLiquidatable,
            PositionError::PriceImpactTooLarge => PerpoolError::PriceImpactTooLarge,
        }
    }
}

impl From<LendingError> for PerpoolError {
    #[inline(always)]
    fn from(e: LendingError) -> Self {
        match e {
            LendingError::Math(m) => m.into(),
            LendingError::ZeroAmount => PerpoolError::ZeroAmount,
            LendingError::LtvTooHigh => PerpoolError::LtvTooHigh,
            LendingError::InsufficientLiquidity => PerpoolError::InsufficientLiquidity,
            LendingError::UtilizationTooHigh => PerpoolError::UtilizationTooHigh,
            LendingError::InsufficientCollateral => PerpoolError::InsufficientCollateral,
            LendingError::NotLiquidatable => PerpoolError::NotLiquidatable,
        }
    }
}
