//! Program errors. Numbers are part of the interface: append only, never
//! renumber. They start at 6000 like Anchor's custom errors so that
//! `@coral-xyz/anchor` maps them through the IDL.

use pinocchio::error::ProgramError;

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerpoolError {
    /// Instruction data has an unknown discriminator or a malformed payload.
    InvalidInstructionData = 6000,
    /// Fewer accounts than the instruction requires.
    NotEnoughAccounts = 6001,
    /// A required signature is missing.
    MissingSigner = 6002,
    /// An account that must be writable was passed read-only.
    AccountNotWritable = 6003,
    /// An account is owned by the wrong program.
    InvalidAccountOwner = 6004,
    /// An account's address is not the expected program-derived address.
    InvalidPda = 6005,
    /// An account's data is not of the expected type (discriminator, size or version).
    InvalidAccountData = 6006,
    /// The account to create already exists.
    AlreadyInitialized = 6007,
    /// The signer is not the protocol admin.
    Unauthorized = 6008,
    /// `accept_admin` while no admin transfer is pending.
    NoPendingAdmin = 6009,
    /// The operation is paused by the admin.
    Paused = 6010,
    /// A mint account is not an initialized SPL Token mint, or not the expected one.
    InvalidMint = 6011,
    /// The token program account is not SPL Token.
    InvalidTokenProgram = 6012,
    /// The system program account is not the system program.
    InvalidSystemProgram = 6013,
    // 6014 was TestOraclesNotAllowed (test oracles were removed); never reuse it.
    /// The oracle account does not match the custody's oracle configuration.
    InvalidOracleAccount = 6015,
    /// The pool already has the maximum number of custodies.
    PoolFull = 6016,
    /// Pool names are 1 to 32 bytes.
    InvalidPoolName = 6017,
    /// Pool parameters out of range (fee split must sum to 10,000 bps, ADL floor below threshold).
    InvalidPoolParams = 6018,
    /// Custody parameters out of range (weights, fees, leverage, lending curve, oracle limits).
    InvalidCustodyParams = 6019,
    /// The custody does not belong to the given pool.
    CustodyMismatch = 6020,
    /// Arithmetic overflow.
    MathOverflow = 6021,
    /// Division by zero.
    DivideByZero = 6022,
    /// A price must be positive, its EMA too, and its exponent in range.
    InvalidPrice = 6023,
    /// The same account was passed where distinct accounts are required.
    DuplicateAccount = 6024,
    /// Unknown pause flag bits.
    InvalidPauseFlags = 6025,
    /// The oracle price is older than the custody's maximum age.
    StaleOraclePrice = 6026,
    /// The oracle's confidence interval is wider than the custody allows.
    OracleConfidenceTooWide = 6027,
    /// The price update carries another feed than the custody's.
    OracleFeedMismatch = 6028,
    /// The price update is only partially verified.
    OracleNotFullyVerified = 6029,
    /// The custody and oracle accounts after the fixed ones must list every custody of the pool in order.
    CustodyListMismatch = 6030,
    /// The result is worse than the caller's bound (min out / max in / acceptable price).
    SlippageExceeded = 6031,
    /// The amount is zero or rounds to zero.
    ZeroAmount = 6032,
    /// The custody would exceed its maximum weight in the pool.
    MaxWeightExceeded = 6033,
    /// The custody would fall below its minimum weight in the pool.
    MinWeightExceeded = 6034,
    /// The deposit would take pool value above its cap.
    PoolCapExceeded = 6035,
    /// Not enough unreserved tokens in the custody.
    InsufficientLiquidity = 6036,
    /// Liquidity added in this slot cannot be removed in the same slot.
    SameSlotRedemption = 6037,
    /// A token account has the wrong mint, or is not the expected vault.
    InvalidTokenAccount = 6038,
    /// Pool value is zero while LP tokens exist.
    PoolValueZero = 6039,
    /// More LP tokens than exist.
    InsufficientLpSupply = 6040,
    /// More than the custody's accrued protocol fees.
    InsufficientProtocolFees = 6041,
    /// Side must be 1 (long) or 2 (short).
    InvalidSide = 6042,
    /// Longs post the market asset or a stablecoin, shorts a stablecoin; stablecoins are not traded.
    InvalidCollateralCustody = 6043,
    /// Spread plus oracle confidence reaches 100 %.
    InvalidSpread = 6044,
    /// Collateral does not cover fees, losses or the amount requested.
    InsufficientCollateral = 6045,
    /// The position would exceed the custody's maximum position size.
    PositionTooLarge = 6046,
    /// The side's open interest would exceed its cap.
    OpenInterestCap = 6047,
    /// Collateral would be worth less than the custody's minimum.
    CollateralTooSmall = 6048,
    /// Leverage would exceed the custody's maximum.
    LeverageTooHigh = 6049,
    /// The position would be below maintenance margin after this change.
    WouldBeLiquidatable = 6050,
    /// More size than the position has.
    SizeTooLarge = 6051,
    /// Losses and fees exceed the collateral: the position can only be liquidated.
    PositionUnderwater = 6052,
    /// The position is above maintenance margin.
    NotLiquidatable = 6053,
    /// The position belongs to another owner, pool, custody pair or side.
    PositionMismatch = 6054,
    /// The loan's debt would exceed the collateral's maximum loan-to-value.
    LtvTooHigh = 6055,
    /// Lending stops above the custody's maximum utilization.
    UtilizationTooHigh = 6056,
    /// The loan belongs to another owner, pool or custody pair.
    LoanMismatch = 6057,
    /// The asset is not accepted as loan collateral, or a loan pairs a custody with itself.
    LendingNotEnabled = 6058,
    /// The price impact is as large as the trade itself.
    PriceImpactTooLarge = 6059,
    /// A risk parameter is out of range (impact exponent 1–3, caps, positive impact above negative, ADL floor below threshold, …).
    InvalidRiskParams = 6060,
    /// The order's kind, slot, trigger, size or collateral is invalid for its position.
    InvalidOrder = 6061,
    /// The oracle price has not crossed the order's trigger price.
    OrderNotTriggered = 6062,
    /// The order belongs to another position, owner or pool.
    OrderMismatch = 6063,
    /// The prepaid execution reward is below the minimum.
    ExecutionRewardTooSmall = 6064,
    /// The side's unrealized profit is not above the custody's deleveraging threshold.
    AdlNotAllowed = 6065,
    /// Only profitable positions can be deleveraged.
    AdlNotProfitable = 6066,
    /// Deleveraging must lower the profit ratio and not take it below the custody's floor.
    AdlTooLarge = 6067,
    /// The owner's SOL does not cover the order's rent and execution reward.
    InsufficientLamports = 6068,
    /// The paying token account holds fewer tokens than the instruction moves.
    InsufficientFunds = 6069,
    /// The first deposit into an empty pool is below the pool's minimum first deposit.
    FirstDepositTooSmall = 6070,
    /// The deposit would mint fewer LP units than the pool's minimum.
    LpMintTooSmall = 6071,
    /// The LP tokens are still in their cooldown: nothing can be claimed yet.
    LpCooldown = 6072,
    /// The oracle price is older than the newest price this custody has already used.
    OraclePriceOutdated = 6073,
    /// The position's collateral custody is not the pool's custody at the position's group index.
    InvalidCollateralGroup = 6074,
    // 6100–6119: the deployed binary has no test path; the config is the upgrade authority's.
    /// Only Pyth `PriceUpdateV2` oracles (kind 0) are supported.
    UnsupportedOracleKind = 6100,
    /// `init_config` must be signed by the program's upgrade authority.
    NotUpgradeAuthority = 6101,
    /// Not this program's account, or not the ProgramData account it names (BPF Loader Upgradeable).
    InvalidProgramData = 6102,
    /// The program is immutable (no upgrade authority): nobody may initialize the config.
    ProgramNotUpgradeable = 6103,
    // 6120–6149: settings under the timelock.
    /// The proposal's timelock has not elapsed: it executes at or after its eta (and at least the pool's current timelock after it was proposed).
    TimelockNotElapsed = 6120,
    /// The timelock is below the protocol's minimum (the config's `min_timelock_secs`).
    TimelockTooShort = 6121,
    /// The timelock is above 30 days.
    TimelockTooLong = 6122,
    /// `raise_timelock` only raises; a lower timelock goes through a pool settings proposal.
    TimelockNotRaised = 6123,
    /// The proposal belongs to another pool, targets another account, or is of the other kind.
    ProposalMismatch = 6124,
    /// Liquidation reward plus close fee must stay below the maintenance margin.
    LiquidationFeesAboveMargin = 6125,
    /// Max leverage must be 1x to 1,000x and keep a position opened at max leverage above maintenance margin (margin above 0, margin × leverage below 100 %).
    LeverageBeyondMargin = 6126,
    /// Weights must satisfy min ≤ target ≤ max ≤ 100 %.
    InvalidWeights = 6127,
    /// The pool's target weights would sum to more than 100 %.
    TargetWeightsAbove100 = 6128,
    /// A fee or spread is above its cap (10 %).
    FeeAboveCap = 6129,
    /// Oracle max age must be 1 s to 1 hour and max confidence at most 10 %.
    InvalidOracleLimits = 6130,
    /// Rate curve out of range (each rate at most 10,000 % a year, optimal utilization strictly between 0 and 100 %, reserve factor, max utilization and buffer at most 100 %).
    InvalidRateCurve = 6131,
    /// Whether an asset is a stablecoin and its oracle kind are fixed when it is listed.
    SettingFixedAtListing = 6132,
    /// The pool's timelock was raised after this pool settings proposal, which would lower it again without having been proposed as a lowering: cancel it and propose again.
    TimelockRaisedSince = 6133,
    /// A cross-program call was refused before it ran: an account it writes was still borrowed by this program. Nothing moved.
    CpiAccountBorrowed = 6134,
    /// A cross-program call was refused before it ran: its accounts did not match the instruction it carries. Nothing moved.
    CpiAccountMismatch = 6135,
    /// A cross-program call was refused before it ran, for a reason other than a borrowed or mismatched account. Nothing moved.
    CpiRefused = 6136,
    /// A sysvar (Clock or Rent) could not be read, or the Rent sysvar holds an exemption threshold other than one or two years.
    SysvarUnavailable = 6137,
    /// The oracle account is not the price feed account of the custody's feed: the PDA of seeds [oracle_shard, feed_id] of its oracle program.
    OracleNotFeedAccount = 6138,
}

/// A refusal from a cross-program call's own checks (pinocchio's, before the call runs; a callee
/// that fails aborts the whole transaction with its own error, which no program sees): each cause
/// keeps its own error.
impl From<ProgramError> for PerpoolError {
    #[cold]
    fn from(e: ProgramError) -> Self {
        match e {
            ProgramError::AccountBorrowFailed => PerpoolError::CpiAccountBorrowed,
            ProgramError::InvalidArgument => PerpoolError::CpiAccountMismatch,
            ProgramError::NotEnoughAccountKeys => PerpoolError::NotEnoughAccounts,
            _ => PerpoolError::CpiRefused,
        }
    }
}

impl From<PerpoolError> for ProgramError {
    #[inline(always)]
    fn from(e: PerpoolError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpi_refusals_keep_their_cause() {
        assert_eq!(PerpoolError::from(ProgramError::AccountBorrowFailed), PerpoolError::CpiAccountBorrowed);
        assert_eq!(PerpoolError::from(ProgramError::InvalidArgument), PerpoolError::CpiAccountMismatch);
        assert_eq!(PerpoolError::from(ProgramError::NotEnoughAccountKeys), PerpoolError::NotEnoughAccounts);
        assert_eq!(PerpoolError::from(ProgramError::AccountDataTooSmall), PerpoolError::CpiRefused);
        assert_eq!(PerpoolError::from(ProgramError::Custom(1)), PerpoolError::CpiRefused);
    }
}
