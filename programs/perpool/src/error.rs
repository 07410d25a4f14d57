//! Program errors. Numbers are part of the interface: append only, never
//! renumber. They start at 6000 like Anchor's custom errors so that
//! `@coral-xyz/anchor` maps them through the IDL.

use pinocchio::error::ProgramError;

use crate::math::MathError;

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
    /// Test oracles are only usable by pools created with `allow_test_oracles`.
    TestOraclesNotAllowed = 6014,
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
}

impl From<PerpoolError> for ProgramError {
    #[inline(always)]
    fn from(e: PerpoolError) -> Self {
        ProgramError::Custom(e as u32)
    }
}

impl From<MathError> for PerpoolError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        match e {
            MathError::DivideByZero => PerpoolError::DivideByZero,
            _ => PerpoolError::MathOverflow,
        }
    }
}

impl From<MathError> for ProgramError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        PerpoolError::from(e).into()
    }
}
