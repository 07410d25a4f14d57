//! Errors of the publisher, numbered from 7000 (Perpool's own start at 6000).
//! Append only, never renumber.

#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublisherError {
    /// Unknown discriminator or malformed arguments.
    InvalidInstructionData = 7000,
    /// Fewer accounts than the instruction requires.
    NotEnoughAccounts = 7001,
    /// The authority did not sign.
    MissingSigner = 7002,
    /// The authority or the price account was passed read-only.
    AccountNotWritable = 7003,
    /// The system program account is not the system program.
    InvalidSystemProgram = 7004,
    /// The price account is not this program's PDA of `[shard, feed_id]`.
    InvalidPda = 7005,
    /// The price account exists but is not a `PriceUpdateV2` of this program.
    InvalidPriceAccount = 7006,
    /// The signer is not the account's `write_authority` (its first writer).
    NotWriteAuthority = 7007,
    /// The update's `publish_time` is older than the account's.
    PublishTimeWentBackwards = 7008,
    /// The authority cannot pay the new account's rent.
    InsufficientLamports = 7009,
    /// A sysvar could not be read, or the rent parameters are not the cluster's usual ones.
    SysvarUnavailable = 7010,
}

impl From<PublisherError> for pinocchio::error::ProgramError {
    #[inline(always)]
    fn from(e: PublisherError) -> Self {
        pinocchio::error::ProgramError::Custom(e as u32)
    }
}
