//! The events, declared once.
//!
//! Each entry below names one or more events and the struct of their fields (in wire order);
//! `events!` (`event/declare.rs`) derives from it the discriminators (`sha256("event:<Name>")[..8]`,
//! also under [`crate::discriminator::event`]), each struct's [`Event`] impl (its largest size, which
//! sizes the program's buffer, its IDL fields and its writer), and [`EVENTS`], the IDL's events and
//! their types, which `npm run idl` writes through `cargo run -p perpool-interface --example idl`.
//!
//! The program emits an event by filling its struct (`programs/perpool/src/events.rs`).

#[macro_use]
mod declare;

pub use declare::{camel_len, upper_camel, Encoded, Event, EventBuf, EventField, Str};
use pinocchio::Address;

use crate::idl::{IdlField, IdlType};

use crate::state::{pool::MAX_NAME_LEN, CustodySettings, PoolParams};

events! {
    /// A pool settings proposal: made, executed or cancelled. The proposal's address, pool, target,
    /// nonce and eta, then its settings as stored.
    POOL_PARAMS_PROPOSED, POOL_PARAMS_EXECUTED, POOL_PARAMS_CANCELLED => PoolParamsProposal<'a> {
        proposal: &'a Address,
        pool: &'a Address,
        target: &'a Address,
        nonce: u64,
        eta: i64,
        params: Encoded<'a, PoolParams>,
    }

    /// A custody settings proposal: made, executed or cancelled (as [`PoolParamsProposal`], the
    /// settings a `CustodySettings`).
    CUSTODY_PARAMS_PROPOSED, CUSTODY_PARAMS_EXECUTED, CUSTODY_PARAMS_CANCELLED => CustodyParamsProposal<'a> {
        proposal: &'a Address,
        pool: &'a Address,
        target: &'a Address,
        nonce: u64,
        eta: i64,
        settings: Encoded<'a, CustodySettings>,
    }

    TIMELOCK_RAISED => TimelockRaised<'a> {
        pool: &'a Address,
        old_secs: u32,
        new_secs: u32,
    }

    ORDER_PLACED => OrderPlaced<'a> {
        order: &'a Address,
        owner: &'a Address,
        position: &'a Address,
        kind: u8,
        side: u8,
        slot: u8,
        trigger_price: u64,
        acceptable_price: u64,
        size_usd: u64,
        collateral_amount: u64,
        execution_reward: u64,
    }

    ORDER_CANCELLED => OrderCancelled<'a> {
        order: &'a Address,
        owner: &'a Address,
        refunded: u64,
    }

    ORDER_EXECUTED => OrderExecuted<'a> {
        order: &'a Address,
        keeper: &'a Address,
        price: u64,
        reward: u64,
    }

    POSITION_DELEVERAGED => Deleveraged<'a> {
        position: &'a Address,
        owner: &'a Address,
        keeper: &'a Address,
        size_delta_usd: u64,
        price: u64,
        pnl_usd: i64,
        ratio_before_bps: u64,
        ratio_after_bps: u64,
    }

    CONFIG_INITIALIZED => ConfigInitialized<'a> {
        admin: &'a Address,
    }

    POOL_CREATED => PoolCreated<'a> {
        pool: &'a Address,
        name: Str<'a, MAX_NAME_LEN>,
        lp_mint: &'a Address,
        time: i64,
    }

    CUSTODY_ADDED => CustodyAddedEvent<'a> {
        pool: &'a Address,
        custody: &'a Address,
        mint: &'a Address,
        vault: &'a Address,
        oracle: &'a Address,
        oracle_kind: u8,
        is_stable: bool,
        decimals: u8,
    }

    ADMIN_PROPOSED => AdminProposed<'a> {
        admin: &'a Address,
        pending_admin: &'a Address,
    }

    ADMIN_CHANGED => AdminChanged<'a> {
        old_admin: &'a Address,
        new_admin: &'a Address,
    }

    PAUSE_SET => PauseSet<'a> {
        admin: &'a Address,
        flags: u8,
    }

    LIQUIDITY_ADDED => LiquidityAddedEvent<'a> {
        pool: &'a Address,
        custody: &'a Address,
        owner: &'a Address,
        amount_in: u64,
        fee: u64,
        fee_bps: u64,
        lp_out: u64,
        value_usd: u64,
        aum_usd: u64,
        lp_supply: u64,
        price: u64,
        /// The owner's LP tokens in the cooldown escrow after the deposit.
        escrowed_lp: u64,
        /// When they can be claimed.
        unlock_time: i64,
    }

    /// LP tokens left the cooldown escrow.
    LP_CLAIMED => LpClaimed<'a> {
        pool: &'a Address,
        owner: &'a Address,
        amount: u64,
    }

    LIQUIDITY_REMOVED => LiquidityRemovedEvent<'a> {
        pool: &'a Address,
        custody: &'a Address,
        owner: &'a Address,
        lp_in: u64,
        fee: u64,
        fee_bps: u64,
        amount_out: u64,
        value_usd: u64,
        aum_usd: u64,
        lp_supply: u64,
        price: u64,
    }

    SWAPPED => SwappedEvent<'a> {
        pool: &'a Address,
        custody_in: &'a Address,
        custody_out: &'a Address,
        owner: &'a Address,
        amount_in: u64,
        amount_out: u64,
        fee: u64,
        fee_bps: u64,
        value_usd: u64,
    }

    PROTOCOL_FEES_WITHDRAWN => ProtocolFeesWithdrawn<'a> {
        custody: &'a Address,
        admin: &'a Address,
        receiving_account: &'a Address,
        amount: u64,
        remaining: u64,
    }

    POSITION_INCREASED, POSITION_DECREASED => PositionChange<'a> {
        position: &'a Address,
        owner: &'a Address,
        custody: &'a Address,
        collateral_custody: &'a Address,
        side: u8,
        size_delta_usd: u64,
        collateral_delta: u64,
        price: u64,
        fee_usd: u64,
        pnl_usd: i64,
        size_usd: u64,
        collateral: u64,
        amount_out: u64,
        /// Price impact of the trade, USD: positive when the trader gained.
        impact_usd: i64,
        /// What the position paid and earned since its last change, settled first; none when the
        /// settlement booked nothing (nothing accrued and nothing owed).
        settled: Option<Settlement>,
    }

    COLLATERAL_ADDED => CollateralAdded<'a> {
        position: &'a Address,
        owner: &'a Address,
        amount: u64,
        owed_paid: u64,
        collateral: u64,
        /// What the position paid and earned since its last change, settled first; none when the
        /// settlement booked nothing (nothing accrued and nothing owed).
        settled: Option<Settlement>,
    }

    POSITION_LIQUIDATED => Liquidation<'a> {
        position: &'a Address,
        owner: &'a Address,
        keeper: &'a Address,
        full: bool,
        size_delta_usd: u64,
        price: u64,
        pnl_usd: i64,
        reward: u64,
        bad_debt: u64,
        insurance_used: u64,
        owner_out: u64,
        /// What the position paid and earned since its last change, settled first; none when the
        /// settlement booked nothing (nothing accrued and nothing owed).
        settled: Option<Settlement>,
    }

    /// The loan events share one shape: loan, actor, amount, then the loan's collateral and scaled
    /// debt after.
    LOAN_COLLATERAL_DEPOSITED, LOAN_COLLATERAL_WITHDRAWN, BORROWED, REPAID => LoanChange<'a> {
        loan: &'a Address,
        actor: &'a Address,
        amount: u64,
        collateral: u64,
        scaled_debt: u64,
    }

    LOAN_LIQUIDATED => LoanLiquidated<'a> {
        loan: &'a Address,
        liquidator: &'a Address,
        repaid: u64,
        collateral_seized: u64,
        bad_debt: u64,
    }

    INSURANCE_TOPPED_UP => InsuranceToppedUp<'a> {
        custody: &'a Address,
        payer: &'a Address,
        amount: u64,
        insurance: u64,
    }

    CUSTODY_REFRESHED => CustodyRefreshed<'a> {
        custody: &'a Address,
        borrow_index: u64,
        supply_index: u64,
        time: i64,
    }
}

/// What a position paid and earned since its last change, settled before the change: the
/// `settled` field of the position events (none when nothing was booked).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// Borrow fee paid, collateral tokens.
    pub borrow_fee: u64,
    /// Funding received (positive) or paid, USD.
    pub funding_usd: i64,
    /// Interest earned (positive) or paid, collateral tokens.
    pub interest: i64,
    /// What the position owed after it, collateral tokens (the change pays it first).
    pub owed: u64,
}

impl Settlement {
    /// The IDL's `Settlement` type.
    pub const IDL_FIELDS: &'static [IdlField] = &[
        IdlField { name: "borrow_fee", ty: IdlType::U64 },
        IdlField { name: "funding_usd", ty: IdlType::I64 },
        IdlField { name: "interest", ty: IdlType::I64 },
        IdlField { name: "owed", ty: IdlType::U64 },
    ];

    /// Whether nothing was booked.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.borrow_fee == 0 && self.funding_usd == 0 && self.interest == 0 && self.owed == 0
    }

    /// Itself, or none when nothing was booked (the events' `settled` field).
    #[inline(always)]
    pub fn booked(self) -> Option<Self> {
        if self.is_empty() {
            None
        } else {
            Some(self)
        }
    }
}

/// The `settled` field of the position events: a Borsh option, a 0 byte (none: nothing was booked)
/// or a 1 byte and the settlement's fields in declaration order.
impl EventField for Option<Settlement> {
    const IDL: IdlType = IdlType::Option(&IdlType::Defined("Settlement"));
    const MAX_LEN: usize = 1 + 4 * 8;
    #[inline(always)]
    fn write(&self, buf: &mut impl EventBuf) {
        match self {
            None => buf.bytes(&[0]),
            Some(s) => {
                buf.bytes(&[1]);
                buf.bytes(&s.borrow_fee.to_le_bytes());
                buf.bytes(&s.funding_usd.to_le_bytes());
                buf.bytes(&s.interest.to_le_bytes());
                buf.bytes(&s.owed.to_le_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bytes(Vec<u8>);

    impl EventBuf for Bytes {
        fn bytes(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    #[test]
    fn names_and_discriminators() {
        assert_eq!(EVENTS.len(), discriminators::ALL.len());
        for (e, (name, d)) in EVENTS.iter().zip(discriminators::ALL) {
            assert_eq!((e.name, e.discriminator), (*name, *d));
            assert_eq!(e.discriminator, crate::sha256::discriminator("event", e.name));
        }
        assert_eq!(EVENTS[0].name, "PoolParamsProposed");
        assert!(EVENTS.iter().any(|e| e.name == "LpClaimed"));
        assert_eq!(discriminators::SWAPPED, [217, 52, 52, 83, 147, 135, 96, 109]);
    }

    #[test]
    fn writes_borsh_in_field_order_within_its_size() {
        let (pool, mint) = (Address::new_from_array([1; 32]), Address::new_from_array([2; 32]));
        let e = PoolCreated { pool: &pool, name: Str(b"main"), lp_mint: &mint, time: -2 };
        let mut out = Bytes(Vec::new());
        e.write(&mut out);
        let mut expected = vec![1u8; 32];
        expected.extend_from_slice(&4u32.to_le_bytes());
        expected.extend_from_slice(b"main");
        expected.extend_from_slice(&[2; 32]);
        expected.extend_from_slice(&(-2i64).to_le_bytes());
        assert_eq!(out.0, expected);
        assert_eq!(PoolCreated::MAX_LEN, 8 + 32 + 4 + MAX_NAME_LEN + 32 + 8);
        assert_eq!(PositionChange::MAX_LEN, 8 + 4 * 32 + 1 + 9 * 8 + 1 + 4 * 8);
        assert_eq!(upper_camel::<{ camel_len("LP_CLAIMED") }>("LP_CLAIMED"), *b"LpClaimed");
    }
}
