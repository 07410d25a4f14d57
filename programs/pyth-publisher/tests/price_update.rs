//! Native tests of the publisher's account layout and transitions: the bytes
//! it writes are Pyth's `PriceUpdateV2`, only the first writer may update an
//! account, and publish time never goes backwards.

use pinocchio::Address;
use pyth_publisher::{
    error::PublisherError,
    ix,
    price_update::{self as pu, Now, PublishArgs},
    ID,
};
use sha2::{Digest, Sha256};

fn sha8(s: &str) -> [u8; 8] {
    let mut out = [0u8; 8];
    out.copy_from_slice(&Sha256::digest(s.as_bytes())[..8]);
    out
}

/// Base58 (Bitcoin alphabet) decoding, enough for 32-byte addresses.
fn base58(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut bytes: Vec<u8> = vec![];
    for c in s.bytes() {
        let mut carry = ALPHABET.iter().position(|a| *a == c).expect("base58 digit") as u32;
        for b in bytes.iter_mut().rev() {
            carry += (*b as u32) * 58;
            *b = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, carry as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|c| *c == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(bytes);
    out
}

fn args(price: i64, publish_time: Option<i64>) -> PublishArgs {
    PublishArgs {
        shard: 0,
        feed_id: [0xef; 32],
        price,
        conf: 7_000_000,
        exponent: -8,
        publish_time,
        ema_price: price - 100,
        ema_conf: 8_000_000,
    }
}

fn encode(a: &PublishArgs) -> Vec<u8> {
    let mut d = vec![];
    d.extend(a.shard.to_le_bytes());
    d.extend(a.feed_id);
    d.extend(a.price.to_le_bytes());
    d.extend(a.conf.to_le_bytes());
    d.extend(a.exponent.to_le_bytes());
    match a.publish_time {
        None => d.push(0),
        Some(t) => {
            d.push(1);
            d.extend(t.to_le_bytes());
        }
    }
    d.extend(a.ema_price.to_le_bytes());
    d.extend(a.ema_conf.to_le_bytes());
    d
}

const AUTHORITY: Address = Address::new_from_array([7; 32]);
const OTHER: Address = Address::new_from_array([8; 32]);
const NOW: Now = Now { slot: 1_234, unix_timestamp: 1_700_000_000 };

fn fresh(a: &PublishArgs) -> Vec<u8> {
    let mut d = vec![0u8; pu::LEN];
    pu::initialize(&mut d, &AUTHORITY, a, NOW).unwrap();
    d
}

fn i64_at(d: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(d[at..at + 8].try_into().unwrap())
}

#[test]
fn discriminators_are_anchors() {
    assert_eq!(pu::DISCRIMINATOR, sha8("account:PriceUpdateV2"));
    assert_eq!(ix::PUBLISH_PRICE, sha8("global:publish_price"));
    assert_eq!(ix::IDENTIFY, sha8("global:identify"));
}

#[test]
fn deployed_at_the_pyth_receivers_address() {
    assert_eq!(ID.as_ref(), &base58("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ")[..]);
}

#[test]
fn a_first_update_writes_pyths_layout_fully_verified() {
    let a = args(15_000_000_000, Some(1_699_999_990));
    let d = fresh(&a);
    // Offsets as the receiver's borsh layout puts them, written out by hand.
    let mut want = vec![0u8; 134];
    want[..8].copy_from_slice(&sha8("account:PriceUpdateV2"));
    want[8..40].copy_from_slice(&[7; 32]);
    want[40] = 1; // VerificationLevel::Full
    want[41..73].copy_from_slice(&[0xef; 32]);
    want[73..81].copy_from_slice(&15_000_000_000i64.to_le_bytes());
    want[81..89].copy_from_slice(&7_000_000u64.to_le_bytes());
    want[89..93].copy_from_slice(&(-8i32).to_le_bytes());
    want[93..101].copy_from_slice(&1_699_999_990i64.to_le_bytes());
    want[101..109].copy_from_slice(&1_699_999_990i64.to_le_bytes()); // prev = own time on the first update
    want[109..117].copy_from_slice(&14_999_999_900i64.to_le_bytes());
    want[117..125].copy_from_slice(&8_000_000u64.to_le_bytes());
    want[125..133].copy_from_slice(&1_234u64.to_le_bytes());
    assert_eq!(d, want);
}

#[test]
fn publish_time_defaults_to_the_clock() {
    let d = fresh(&args(1, None));
    assert_eq!(i64_at(&d, pu::PUBLISH_TIME), NOW.unix_timestamp);
    assert_eq!(i64_at(&d, pu::PREV_PUBLISH_TIME), NOW.unix_timestamp);
}

#[test]
fn initialize_refuses_an_account_that_is_not_fresh() {
    let mut d = vec![0u8; pu::LEN];
    d[100] = 1;
    assert_eq!(pu::initialize(&mut d, &AUTHORITY, &args(1, None), NOW), Err(PublisherError::InvalidPriceAccount));
    let mut short = vec![0u8; pu::LEN - 1];
    assert_eq!(pu::initialize(&mut short, &AUTHORITY, &args(1, None), NOW), Err(PublisherError::InvalidPriceAccount));
}

#[test]
fn the_write_authority_updates_and_prev_publish_time_follows() {
    let mut d = fresh(&args(100, Some(1_000)));
    let later = Now { slot: 2_000, unix_timestamp: 1_005 };
    pu::update(&mut d, &AUTHORITY, &args(200, Some(1_003)), later).unwrap();
    assert_eq!(i64_at(&d, pu::PRICE), 200);
    assert_eq!(i64_at(&d, pu::EMA_PRICE), 100);
    assert_eq!(i64_at(&d, pu::PUBLISH_TIME), 1_003);
    assert_eq!(i64_at(&d, pu::PREV_PUBLISH_TIME), 1_000);
    assert_eq!(i64_at(&d, pu::POSTED_SLOT), 2_000);
    assert_eq!(&d[pu::WRITE_AUTHORITY..pu::WRITE_AUTHORITY + 32], &[7; 32]);
    // The same publish time again is a correction, accepted.
    pu::update(&mut d, &AUTHORITY, &args(201, Some(1_003)), later).unwrap();
    assert_eq!(i64_at(&d, pu::PRICE), 201);
    assert_eq!(i64_at(&d, pu::PREV_PUBLISH_TIME), 1_003);
}

#[test]
fn refusals_leave_the_account_unchanged() {
    let mut d = fresh(&args(100, Some(1_000)));
    let before = d.clone();
    let cases: Vec<(Vec<u8>, Address, PublishArgs, PublisherError)> = vec![
        (d.clone(), OTHER, args(1, Some(1_001)), PublisherError::NotWriteAuthority),
        (d.clone(), AUTHORITY, args(1, Some(999)), PublisherError::PublishTimeWentBackwards),
        (d.clone(), AUTHORITY, PublishArgs { feed_id: [1; 32], ..args(1, Some(1_001)) }, PublisherError::InvalidPda),
    ];
    for (mut data, signer, a, err) in cases {
        assert_eq!(pu::update(&mut data, &signer, &a, NOW), Err(err));
        assert_eq!(data, before);
    }
    // Clock-time updates cannot go back either.
    let past = Now { slot: 1, unix_timestamp: 999 };
    assert_eq!(pu::update(&mut d, &AUTHORITY, &args(1, None), past), Err(PublisherError::PublishTimeWentBackwards));
    assert_eq!(d, before);
}

#[test]
fn update_refuses_what_is_not_a_full_price_update() {
    let good = fresh(&args(100, Some(1_000)));
    let mut wrong_disc = good.clone();
    wrong_disc[0] ^= 1;
    let mut partial = good.clone();
    partial[pu::VERIFICATION] = 0;
    let short = good[..pu::LEN - 1].to_vec();
    for mut d in [wrong_disc, partial, short] {
        let before = d.clone();
        assert_eq!(
            pu::update(&mut d, &AUTHORITY, &args(1, Some(1_001)), NOW),
            Err(PublisherError::InvalidPriceAccount)
        );
        assert_eq!(d, before);
    }
}

#[test]
fn arguments_decode_exactly() {
    for a in [args(-5, None), args(i64::MAX, Some(-1)), PublishArgs { shard: 513, ..args(3, Some(i64::MIN)) }] {
        let d = encode(&a);
        assert_eq!(PublishArgs::read(&d), Ok(a));
        // One byte short or one too many.
        assert_eq!(PublishArgs::read(&d[..d.len() - 1]), Err(PublisherError::InvalidInstructionData));
        let mut long = d.clone();
        long.push(0);
        assert_eq!(PublishArgs::read(&long), Err(PublisherError::InvalidInstructionData));
    }
    // An option tag other than 0 or 1.
    let mut d = encode(&args(1, None));
    d[54] = 2;
    assert_eq!(PublishArgs::read(&d), Err(PublisherError::InvalidInstructionData));
    assert_eq!(PublishArgs::read(&[]), Err(PublisherError::InvalidInstructionData));
}
