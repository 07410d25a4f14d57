//! Events: `sol_log_data(discriminator ++ borsh payload)`, the layout
//! Anchor's `EventParser` decodes ("Program data: <base64>"). Each event's fields,
//! their order and its buffer size come from its declaration in the interface crate
//! (`perpool-interface/src/event.rs`); the functions here fill them in.

use core::mem::MaybeUninit;

use pinocchio::Address;

pub use crate::event::{
    CollateralAdded, CustodyAddedEvent, Deleveraged, Liquidation, LiquidityAddedEvent, LiquidityRemovedEvent,
    PositionChange, SwappedEvent,
};
use crate::{
    discriminator::event,
    event::{
        AdminChanged, AdminProposed, ConfigInitialized, CustodyParamsProposal, CustodyRefreshed, Encoded, Event,
        EventBuf, InsuranceToppedUp, LoanChange, LoanLiquidated, LpClaimed, OrderCancelled, OrderExecuted, OrderPlaced,
        PauseSet, PoolCreated, PoolParamsProposal, ProtocolFeesWithdrawn, Str, TimelockRaised,
    },
};

/// Fixed-capacity borsh writer on the stack. A write past the capacity is a
/// bug (each event's capacity is its declared largest size), so `emit` then
/// aborts the instruction instead of dropping the event. The buffer is not
/// zeroed first: only the `len` bytes written are ever read.
pub struct EventWriter<const N: usize> {
    buf: [MaybeUninit<u8>; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> EventWriter<N> {
    #[inline(always)]
    pub fn new(discriminator: [u8; 8]) -> Self {
        let mut w = Self { buf: [const { MaybeUninit::uninit() }; N], len: 0, overflow: false };
        w.bytes(&discriminator);
        w
    }

    #[inline(always)]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        // `len` is at most the buffer's length and `b` a field of an event: the sum cannot wrap, and
        // an end past the buffer fails `get_mut` (the event overflows).
        let end = self.len.wrapping_add(b.len());
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                // SAFETY: `dst` is `b.len()` bytes of the buffer, which `b` (a field) cannot overlap.
                unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), dst.as_mut_ptr().cast::<u8>(), b.len()) };
                self.len = end;
            }
            None => self.overflow = true,
        }
        self
    }

    #[inline(always)]
    pub fn emit(&self) {
        if self.overflow {
            panic!("event larger than its buffer");
        }
        // SAFETY: the first `len` bytes (at most `N`) were written by `bytes`, in order and without gaps.
        let data: &[u8] = unsafe { core::slice::from_raw_parts(self.buf.as_ptr().cast::<u8>(), self.len) };
        let slices: [&[u8]; 1] = [data];
        // SAFETY: `sol_log_data` reads `len` (pointer, length) pairs, the
        // layout of `&[u8]`, and only for the duration of the call.
        unsafe { pinocchio::syscalls::sol_log_data(slices.as_ptr() as *const u8, slices.len() as u64) };
    }
}

impl<const N: usize> EventBuf for EventWriter<N> {
    #[inline(always)]
    fn bytes(&mut self, bytes: &[u8]) {
        EventWriter::bytes(self, bytes);
    }
}

/// Logs event `d` with fields `e` from a buffer of `N` bytes, `N` being `E::MAX_LEN` (a const
/// generic cannot be computed from a type parameter, so callers name it; the compiler checks it).
#[inline(always)]
fn emit<const N: usize, E: Event>(d: [u8; 8], e: &E) {
    const { assert!(N >= E::MAX_LEN, "an event buffer smaller than the event") };
    let mut w = EventWriter::<N>::new(d);
    e.write(&mut w);
    w.emit();
}

pub fn config_initialized(admin: &Address) {
    emit::<{ ConfigInitialized::MAX_LEN }, _>(event::CONFIG_INITIALIZED, &ConfigInitialized { admin });
}

pub fn pool_created(pool: &Address, name: &[u8], lp_mint: &Address, time: i64) {
    let e = PoolCreated { pool, name: Str(name), lp_mint, time };
    emit::<{ PoolCreated::MAX_LEN }, _>(event::POOL_CREATED, &e);
}

pub fn custody_added(e: &CustodyAddedEvent) {
    emit::<{ CustodyAddedEvent::MAX_LEN }, _>(event::CUSTODY_ADDED, e);
}

pub fn admin_proposed(admin: &Address, pending: &Address) {
    emit::<{ AdminProposed::MAX_LEN }, _>(event::ADMIN_PROPOSED, &AdminProposed { admin, pending_admin: pending });
}

pub fn admin_changed(old: &Address, new: &Address) {
    emit::<{ AdminChanged::MAX_LEN }, _>(event::ADMIN_CHANGED, &AdminChanged { old_admin: old, new_admin: new });
}

pub fn pause_set(admin: &Address, flags: u8) {
    emit::<{ PauseSet::MAX_LEN }, _>(event::PAUSE_SET, &PauseSet { admin, flags });
}

pub fn liquidity_added(e: &LiquidityAddedEvent) {
    emit::<{ LiquidityAddedEvent::MAX_LEN }, _>(event::LIQUIDITY_ADDED, e);
}

/// `LpClaimed`: LP tokens left the cooldown escrow.
pub fn lp_claimed(pool: &Address, owner: &Address, amount: u64) {
    emit::<{ LpClaimed::MAX_LEN }, _>(event::LP_CLAIMED, &LpClaimed { pool, owner, amount });
}

pub fn liquidity_removed(e: &LiquidityRemovedEvent) {
    emit::<{ LiquidityRemovedEvent::MAX_LEN }, _>(event::LIQUIDITY_REMOVED, e);
}

pub fn swapped(e: &SwappedEvent) {
    emit::<{ SwappedEvent::MAX_LEN }, _>(event::SWAPPED, e);
}

pub fn protocol_fees_withdrawn(custody: &Address, admin: &Address, receiver: &Address, amount: u64, remaining: u64) {
    let e = ProtocolFeesWithdrawn { custody, admin, receiving_account: receiver, amount, remaining };
    emit::<{ ProtocolFeesWithdrawn::MAX_LEN }, _>(event::PROTOCOL_FEES_WITHDRAWN, &e);
}

pub fn position_increased(e: &PositionChange) {
    emit::<{ PositionChange::MAX_LEN }, _>(event::POSITION_INCREASED, e);
}

pub fn position_decreased(e: &PositionChange) {
    emit::<{ PositionChange::MAX_LEN }, _>(event::POSITION_DECREASED, e);
}

pub fn collateral_added(e: &CollateralAdded) {
    emit::<{ CollateralAdded::MAX_LEN }, _>(event::COLLATERAL_ADDED, e);
}

pub fn position_liquidated(e: &Liquidation) {
    emit::<{ Liquidation::MAX_LEN }, _>(event::POSITION_LIQUIDATED, e);
}

pub fn custody_refreshed(custody: &Address, borrow_index: u64, supply_index: u64, time: i64) {
    let e = CustodyRefreshed { custody, borrow_index, supply_index, time };
    emit::<{ CustodyRefreshed::MAX_LEN }, _>(event::CUSTODY_REFRESHED, &e);
}

pub const LOAN_COLLATERAL_DEPOSITED_EVENT: [u8; 8] = event::LOAN_COLLATERAL_DEPOSITED;
pub const LOAN_COLLATERAL_WITHDRAWN_EVENT: [u8; 8] = event::LOAN_COLLATERAL_WITHDRAWN;
pub const BORROWED_EVENT: [u8; 8] = event::BORROWED;
pub const REPAID_EVENT: [u8; 8] = event::REPAID;

/// The loan events share one shape: loan, actor, amount, then the loan's collateral and scaled debt after.
#[inline(always)] // (six arguments)
pub fn loan_event(d: [u8; 8], loan: &Address, actor: &Address, amount: u64, collateral: u64, scaled_debt: u64) {
    emit::<{ LoanChange::MAX_LEN }, _>(d, &LoanChange { loan, actor, amount, collateral, scaled_debt });
}

pub fn loan_liquidated(loan: &Address, liquidator: &Address, repaid: u64, seized: u64, bad_debt: u64) {
    let e = LoanLiquidated { loan, liquidator, repaid, collateral_seized: seized, bad_debt };
    emit::<{ LoanLiquidated::MAX_LEN }, _>(event::LOAN_LIQUIDATED, &e);
}

pub fn insurance_topped_up(custody: &Address, payer: &Address, amount: u64, insurance: u64) {
    let e = InsuranceToppedUp { custody, payer, amount, insurance };
    emit::<{ InsuranceToppedUp::MAX_LEN }, _>(event::INSURANCE_TOPPED_UP, &e);
}

/// `PoolParamsProposed` / `…Executed` / `…Cancelled`: the proposal's address, pool, target, nonce
/// and eta, then its settings (the payload: their borsh encoding, a `PoolParams`).
pub fn pool_params_event(d: [u8; 8], proposal: &Address, p: &crate::state::Proposal) {
    let (pool, target, nonce, eta) = (&p.pool, &p.target, p.nonce, p.eta);
    let e = PoolParamsProposal { proposal, pool, target, nonce, eta, params: Encoded::new(p.payload()) };
    emit::<{ PoolParamsProposal::MAX_LEN }, _>(d, &e);
}

/// `CustodyParamsProposed` / `…Executed` / `…Cancelled`: as [`pool_params_event`], the settings a
/// `CustodySettings`.
pub fn custody_params_event(d: [u8; 8], proposal: &Address, p: &crate::state::Proposal) {
    let (pool, target, nonce, eta) = (&p.pool, &p.target, p.nonce, p.eta);
    let e = CustodyParamsProposal { proposal, pool, target, nonce, eta, settings: Encoded::new(p.payload()) };
    emit::<{ CustodyParamsProposal::MAX_LEN }, _>(d, &e);
}

pub fn timelock_raised(pool: &Address, old_secs: u32, new_secs: u32) {
    emit::<{ TimelockRaised::MAX_LEN }, _>(event::TIMELOCK_RAISED, &TimelockRaised { pool, old_secs, new_secs });
}

pub fn order_placed(order: &Address, o: &crate::state::Order) {
    let e = OrderPlaced {
        order,
        owner: &o.owner,
        position: &o.position,
        kind: o.kind,
        side: o.side,
        slot: o.slot,
        trigger_price: o.trigger_price,
        acceptable_price: o.acceptable_price,
        size_usd: o.size_usd,
        collateral_amount: o.collateral_amount,
        execution_reward: o.execution_reward,
    };
    emit::<{ OrderPlaced::MAX_LEN }, _>(event::ORDER_PLACED, &e);
}

pub fn order_cancelled(order: &Address, owner: &Address, refunded: u64) {
    emit::<{ OrderCancelled::MAX_LEN }, _>(event::ORDER_CANCELLED, &OrderCancelled { order, owner, refunded });
}

pub fn order_executed(order: &Address, keeper: &Address, price: u64, reward: u64) {
    emit::<{ OrderExecuted::MAX_LEN }, _>(event::ORDER_EXECUTED, &OrderExecuted { order, keeper, price, reward });
}

pub fn position_deleveraged(e: &Deleveraged) {
    emit::<{ Deleveraged::MAX_LEN }, _>(event::POSITION_DELEVERAGED, e);
}
