//! The Pyth receiver's `PriceUpdateV2` account, byte for byte, and the two
//! transitions this publisher makes on it. Pure functions over byte slices:
//! no Solana runtime, tested natively.
//!
//! Layout (borsh): discriminator 8 · write_authority 32 · verification level
//! (tag 0 = Partial { num_signatures: u8 }, tag 1 = Full) · price message
//! (feed_id 32, price i64, conf u64, exponent i32, publish_time i64,
//! prev_publish_time i64, ema_price i64, ema_conf u64) · posted_slot u64.
//! The receiver allocates 134 bytes (room for the Partial variant); a Full
//! update leaves the last byte zero.

use pinocchio::Address;

use crate::error::PublisherError;

/// sha256("account:PriceUpdateV2")[..8].
pub const DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];
/// Size the receiver allocates for a `PriceUpdateV2`.
pub const LEN: usize = 134;

pub const WRITE_AUTHORITY: usize = 8;
pub const VERIFICATION: usize = 40;
/// Verification level tag of a fully verified update.
pub const FULL: u8 = 1;
pub const FEED_ID: usize = 41;
pub const PRICE: usize = FEED_ID + 32;
pub const CONF: usize = PRICE + 8;
pub const EXPONENT: usize = CONF + 8;
pub const PUBLISH_TIME: usize = EXPONENT + 4;
pub const PREV_PUBLISH_TIME: usize = PUBLISH_TIME + 8;
pub const EMA_PRICE: usize = PREV_PUBLISH_TIME + 8;
pub const EMA_CONF: usize = EMA_PRICE + 8;
pub const POSTED_SLOT: usize = EMA_CONF + 8;
const _: () = assert!(POSTED_SLOT + 8 + 1 == LEN);

/// `publish_price` arguments (borsh, after the discriminator).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublishArgs {
    /// First PDA seed (u16 little endian): lets several accounts carry one feed.
    pub shard: u16,
    pub feed_id: [u8; 32],
    /// Price, conf, EMA price and EMA conf scaled by 10^exponent.
    pub price: i64,
    pub conf: u64,
    pub exponent: i32,
    /// Unix time of the price; `None` = the cluster clock's.
    pub publish_time: Option<i64>,
    pub ema_price: i64,
    pub ema_conf: u64,
}

/// Size of the borsh-encoded arguments with and without a publish time.
const ARGS_LEN_NONE: usize = 2 + 32 + 8 + 8 + 4 + 1 + 8 + 8;
const ARGS_LEN_SOME: usize = ARGS_LEN_NONE + 8;

fn le<const N: usize>(d: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&d[at..at + N]);
    out
}

impl PublishArgs {
    /// Decodes the arguments; the data must be exactly their encoding.
    pub fn read(d: &[u8]) -> Result<Self, PublisherError> {
        // Offsets up to the option tag are fixed.
        const TAG: usize = 2 + 32 + 8 + 8 + 4;
        if d.len() < ARGS_LEN_NONE {
            return Err(PublisherError::InvalidInstructionData);
        }
        let (publish_time, rest) = match d[TAG] {
            0 if d.len() == ARGS_LEN_NONE => (None, TAG + 1),
            1 if d.len() == ARGS_LEN_SOME => (Some(i64::from_le_bytes(le(d, TAG + 1))), TAG + 9),
            _ => return Err(PublisherError::InvalidInstructionData),
        };
        Ok(Self {
            shard: u16::from_le_bytes(le(d, 0)),
            feed_id: le(d, 2),
            price: i64::from_le_bytes(le(d, 34)),
            conf: u64::from_le_bytes(le(d, 42)),
            exponent: i32::from_le_bytes(le(d, 50)),
            publish_time,
            ema_price: i64::from_le_bytes(le(d, rest)),
            ema_conf: u64::from_le_bytes(le(d, rest + 8)),
        })
    }
}

/// What the cluster says when the update lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    pub slot: u64,
    pub unix_timestamp: i64,
}

fn put(d: &mut [u8], at: usize, bytes: &[u8]) {
    d[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Writes the price message and the posted slot.
fn write_message(d: &mut [u8], a: &PublishArgs, publish_time: i64, prev_publish_time: i64, slot: u64) {
    put(d, FEED_ID, &a.feed_id);
    put(d, PRICE, &a.price.to_le_bytes());
    put(d, CONF, &a.conf.to_le_bytes());
    put(d, EXPONENT, &a.exponent.to_le_bytes());
    put(d, PUBLISH_TIME, &publish_time.to_le_bytes());
    put(d, PREV_PUBLISH_TIME, &prev_publish_time.to_le_bytes());
    put(d, EMA_PRICE, &a.ema_price.to_le_bytes());
    put(d, EMA_CONF, &a.ema_conf.to_le_bytes());
    put(d, POSTED_SLOT, &slot.to_le_bytes());
}

/// Fills a freshly created, zeroed account: `authority` becomes its write
/// authority; the previous publish time of a first update is its own.
pub fn initialize(d: &mut [u8], authority: &Address, a: &PublishArgs, now: Now) -> Result<(), PublisherError> {
    if d.len() != LEN || d.iter().any(|b| *b != 0) {
        return Err(PublisherError::InvalidPriceAccount);
    }
    let publish_time = a.publish_time.unwrap_or(now.unix_timestamp);
    put(d, 0, &DISCRIMINATOR);
    put(d, WRITE_AUTHORITY, authority.as_ref());
    d[VERIFICATION] = FULL;
    write_message(d, a, publish_time, publish_time, now.slot);
    Ok(())
}

/// Updates an account this program wrote: only its write authority may, for
/// the same feed, and never to an older publish time (the same time is
/// accepted: a correction within one second).
pub fn update(d: &mut [u8], signer: &Address, a: &PublishArgs, now: Now) -> Result<(), PublisherError> {
    if d.len() != LEN || d[..8] != DISCRIMINATOR || d[VERIFICATION] != FULL {
        return Err(PublisherError::InvalidPriceAccount);
    }
    if d[WRITE_AUTHORITY..WRITE_AUTHORITY + 32] != *signer.as_ref() {
        return Err(PublisherError::NotWriteAuthority);
    }
    // The account sits at the PDA of its feed; another feed's price would
    // contradict its address.
    if d[FEED_ID..FEED_ID + 32] != a.feed_id {
        return Err(PublisherError::InvalidPda);
    }
    let previous = i64::from_le_bytes(le(d, PUBLISH_TIME));
    let publish_time = a.publish_time.unwrap_or(now.unix_timestamp);
    if publish_time < previous {
        return Err(PublisherError::PublishTimeWentBackwards);
    }
    write_message(d, a, publish_time, previous, now.slot);
    Ok(())
}
