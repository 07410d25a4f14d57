//! Events: `sol_log_data(discriminator ++ borsh payload)`, the layout
//! Anchor's `EventParser` decodes ("Program data: <base64>").

use pinocchio::Address;

use crate::discriminator::event;

/// Fixed-capacity borsh writer on the stack. A write past the capacity is a
/// bug in this file (each event's capacity is sized to its fields), so
/// `emit` then aborts the instruction instead of dropping the event.
pub struct EventWriter<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> EventWriter<N> {
    #[inline(always)]
    pub fn new(discriminator: [u8; 8]) -> Self {
        let mut w = Self { buf: [0; N], len: 0, overflow: false };
        w.bytes(&discriminator);
        w
    }

    #[inline(always)]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        match self.buf.get_mut(self.len..self.len + b.len()) {
            Some(dst) => {
                dst.copy_from_slice(b);
                self.len += b.len();
            }
            None => self.overflow = true,
        }
        self
    }

    #[inline(always)]
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.bytes(&[v])
    }
    #[inline(always)]
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(v as u8)
    }
    #[inline(always)]
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }
    #[inline(always)]
    pub fn key(&mut self, k: &Address) -> &mut Self {
        self.bytes(k.as_ref())
    }
    #[inline(always)]
    pub fn string(&mut self, s: &[u8]) -> &mut Self {
        self.bytes(&(s.len() as u32).to_le_bytes()).bytes(s)
    }

    #[inline(always)]
    pub fn emit(&self) {
        if self.overflow {
            panic!("event larger than its buffer");
        }
        let data: &[u8] = &self.buf[..self.len];
        let slices: [&[u8]; 1] = [data];
        // SAFETY: `sol_log_data` reads `len` (pointer, length) pairs, the
        // layout of `&[u8]`, and only for the duration of the call.
        unsafe { pinocchio::syscalls::sol_log_data(slices.as_ptr() as *const u8, slices.len() as u64) };
    }
}

pub fn config_initialized(admin: &Address) {
    EventWriter::<40>::new(event::CONFIG_INITIALIZED).key(admin).emit();
}

pub fn pool_created(pool: &Address, name: &[u8], lp_mint: &Address, time: i64) {
    EventWriter::<120>::new(event::POOL_CREATED).key(pool).string(name).key(lp_mint).i64(time).emit();
}

pub struct CustodyAddedEvent<'a> {
    pub pool: &'a Address,
    pub custody: &'a Address,
    pub mint: &'a Address,
    pub vault: &'a Address,
    pub oracle: &'a Address,
    pub oracle_kind: u8,
    pub is_stable: bool,
    pub decimals: u8,
}

pub fn custody_added(e: &CustodyAddedEvent) {
    EventWriter::<176>::new(event::CUSTODY_ADDED)
        .key(e.pool)
        .key(e.custody)
        .key(e.mint)
        .key(e.vault)
        .key(e.oracle)
        .u8(e.oracle_kind)
        .bool(e.is_stable)
        .u8(e.decimals)
        .emit();
}

pub fn admin_proposed(admin: &Address, pending: &Address) {
    EventWriter::<72>::new(event::ADMIN_PROPOSED).key(admin).key(pending).emit();
}

pub fn admin_changed(old: &Address, new: &Address) {
    EventWriter::<72>::new(event::ADMIN_CHANGED).key(old).key(new).emit();
}

pub fn pause_set(admin: &Address, flags: u8) {
    EventWriter::<48>::new(event::PAUSE_SET).key(admin).u8(flags).emit();
}

pub struct LiquidityAddedEvent<'a> {
    pub pool: &'a Address,
    pub custody: &'a Address,
    pub owner: &'a Address,
    pub amount_in: u64,
    pub fee: u64,
    pub fee_bps: u64,
    pub lp_out: u64,
    pub value_usd: u64,
    pub aum_usd: u64,
    pub lp_supply: u64,
    pub price: u64,
    /// The owner's LP tokens in the cooldown escrow after the deposit.
    pub escrowed_lp: u64,
    /// When they can be claimed.
    pub unlock_time: i64,
}

pub fn liquidity_added(e: &LiquidityAddedEvent) {
    EventWriter::<192>::new(event::LIQUIDITY_ADDED)
        .key(e.pool)
        .key(e.custody)
        .key(e.owner)
        .u64(e.amount_in)
        .u64(e.fee)
        .u64(e.fee_bps)
        .u64(e.lp_out)
        .u64(e.value_usd)
        .u64(e.aum_usd)
        .u64(e.lp_supply)
        .u64(e.price)
        .u64(e.escrowed_lp)
        .i64(e.unlock_time)
        .emit();
}

/// `PositionSettled`: what a position paid and earned over time, settled before an update.
pub fn position_settled(position: &Address, borrow_fee: u64, funding_usd: i64, interest: i64, owed: u64) {
    EventWriter::<80>::new(event::POSITION_SETTLED)
        .key(position)
        .u64(borrow_fee)
        .i64(funding_usd)
        .i64(interest)
        .u64(owed)
        .emit();
}

/// `LpClaimed`: LP tokens left the cooldown escrow.
pub fn lp_claimed(pool: &Address, owner: &Address, amount: u64) {
    EventWriter::<80>::new(event::LP_CLAIMED).key(pool).key(owner).u64(amount).emit();
}

pub struct LiquidityRemovedEvent<'a> {
    pub pool: &'a Address,
    pub custody: &'a Address,
    pub owner: &'a Address,
    pub lp_in: u64,
    pub fee: u64,
    pub fee_bps: u64,
    pub amount_out: u64,
    pub value_usd: u64,
    pub aum_usd: u64,
    pub lp_supply: u64,
    pub price: u64,
}

pub fn liquidity_removed(e: &LiquidityRemovedEvent) {
    EventWriter::<176>::new(event::LIQUIDITY_REMOVED)
        .key(e.pool)
        .key(e.custody)
        .key(e.owner)
        .u64(e.lp_in)
        .u64(e.fee)
        .u64(e.fee_bps)
        .u64(e.amount_out)
        .u64(e.value_usd)
        .u64(e.aum_usd)
        .u64(e.lp_supply)
        .u64(e.price)
        .emit();
}

pub struct SwappedEvent<'a> {
    pub pool: &'a Address,
    pub custody_in: &'a Address,
    pub custody_out: &'a Address,
    pub owner: &'a Address,
    pub amount_in: u64,
    pub amount_out: u64,
    pub fee: u64,
    pub fee_bps: u64,
    pub value_usd: u64,
}

pub fn swapped(e: &SwappedEvent) {
    EventWriter::<176>::new(event::SWAPPED)
        .key(e.pool)
        .key(e.custody_in)
        .key(e.custody_out)
        .key(e.owner)
        .u64(e.amount_in)
        .u64(e.amount_out)
        .u64(e.fee)
        .u64(e.fee_bps)
        .u64(e.value_usd)
        .emit();
}

pub fn protocol_fees_withdrawn(custody: &Address, admin: &Address, receiver: &Address, amount: u64, remaining: u64) {
    EventWriter::<120>::new(event::PROTOCOL_FEES_WITHDRAWN)
        .key(custody)
        .key(admin)
        .key(receiver)
        .u64(amount)
        .u64(remaining)
        .emit();
}

pub struct PositionChange<'a> {
    pub position: &'a Address,
    pub owner: &'a Address,
    pub custody: &'a Address,
    pub collateral_custody: &'a Address,
    pub side: u8,
    pub size_delta_usd: u64,
    pub collateral_delta: u64,
    pub price: u64,
    pub fee_usd: u64,
    pub borrow_fee: u64,
    pub pnl_usd: i64,
    pub size_usd: u64,
    pub collateral: u64,
    pub amount_out: u64,
    /// Price impact of the trade, USD: positive when the trader gained.
    pub impact_usd: i64,
}

fn position_change(d: [u8; 8], e: &PositionChange) {
    EventWriter::<224>::new(d)
        .key(e.position)
        .key(e.owner)
        .key(e.custody)
        .key(e.collateral_custody)
        .u8(e.side)
        .u64(e.size_delta_usd)
        .u64(e.collateral_delta)
        .u64(e.price)
        .u64(e.fee_usd)
        .u64(e.borrow_fee)
        .i64(e.pnl_usd)
        .u64(e.size_usd)
        .u64(e.collateral)
        .u64(e.amount_out)
        .i64(e.impact_usd)
        .emit();
}

pub fn position_increased(e: &PositionChange) {
    position_change(event::POSITION_INCREASED, e);
}

pub fn position_decreased(e: &PositionChange) {
    position_change(event::POSITION_DECREASED, e);
}

pub fn collateral_added(position: &Address, owner: &Address, amount: u64, borrow_fee: u64, collateral: u64) {
    EventWriter::<96>::new(event::COLLATERAL_ADDED)
        .key(position)
        .key(owner)
        .u64(amount)
        .u64(borrow_fee)
        .u64(collateral)
        .emit();
}

pub struct Liquidation<'a> {
    pub position: &'a Address,
    pub owner: &'a Address,
    pub keeper: &'a Address,
    pub full: bool,
    pub size_delta_usd: u64,
    pub price: u64,
    pub pnl_usd: i64,
    pub reward: u64,
    pub bad_debt: u64,
    pub insurance_used: u64,
    pub owner_out: u64,
}

pub fn position_liquidated(e: &Liquidation) {
    EventWriter::<168>::new(event::POSITION_LIQUIDATED)
        .key(e.position)
        .key(e.owner)
        .key(e.keeper)
        .bool(e.full)
        .u64(e.size_delta_usd)
        .u64(e.price)
        .i64(e.pnl_usd)
        .u64(e.reward)
        .u64(e.bad_debt)
        .u64(e.insurance_used)
        .u64(e.owner_out)
        .emit();
}

pub fn custody_refreshed(custody: &Address, borrow_index: u64, supply_index: u64, time: i64) {
    EventWriter::<64>::new(event::CUSTODY_REFRESHED).key(custody).u64(borrow_index).u64(supply_index).i64(time).emit();
}

pub const LOAN_COLLATERAL_DEPOSITED_EVENT: [u8; 8] = event::LOAN_COLLATERAL_DEPOSITED;
pub const LOAN_COLLATERAL_WITHDRAWN_EVENT: [u8; 8] = event::LOAN_COLLATERAL_WITHDRAWN;
pub const BORROWED_EVENT: [u8; 8] = event::BORROWED;
pub const REPAID_EVENT: [u8; 8] = event::REPAID;

/// The loan events share one shape: loan, actor, amount, then the loan's collateral and scaled debt after.
#[inline(always)] // (six arguments)
pub fn loan_event(d: [u8; 8], loan: &Address, actor: &Address, amount: u64, collateral: u64, scaled_debt: u64) {
    EventWriter::<104>::new(d).key(loan).key(actor).u64(amount).u64(collateral).u64(scaled_debt).emit();
}

pub fn loan_liquidated(loan: &Address, liquidator: &Address, repaid: u64, seized: u64, bad_debt: u64) {
    EventWriter::<104>::new(event::LOAN_LIQUIDATED)
        .key(loan)
        .key(liquidator)
        .u64(repaid)
        .u64(seized)
        .u64(bad_debt)
        .emit();
}

pub fn insurance_topped_up(custody: &Address, payer: &Address, amount: u64, insurance: u64) {
    EventWriter::<88>::new(event::INSURANCE_TOPPED_UP).key(custody).key(payer).u64(amount).u64(insurance).emit();
}

/// `PoolParamsProposed` / `…Executed` / `…Cancelled` and their `CustodyParams…`
/// twins: the proposal's address, pool, target, nonce and eta, then its settings
/// (the payload is their borsh encoding: `PoolParams` or `CustodySettings`).
pub fn proposal_event(d: [u8; 8], proposal: &Address, p: &crate::state::Proposal) {
    EventWriter::<{ 8 + 3 * 32 + 16 + crate::state::proposal::PAYLOAD_CAPACITY }>::new(d)
        .key(proposal)
        .key(&p.pool)
        .key(&p.target)
        .u64(p.nonce)
        .i64(p.eta)
        .bytes(p.payload())
        .emit();
}

pub fn timelock_raised(pool: &Address, old_secs: u32, new_secs: u32) {
    EventWriter::<48>::new(event::TIMELOCK_RAISED).key(pool).u32(old_secs).u32(new_secs).emit();
}

pub fn order_placed(order: &Address, o: &crate::state::Order) {
    EventWriter::<192>::new(event::ORDER_PLACED)
        .key(order)
        .key(&o.owner)
        .key(&o.position)
        .u8(o.kind)
        .u8(o.side)
        .u8(o.slot)
        .u64(o.trigger_price)
        .u64(o.acceptable_price)
        .u64(o.size_usd)
        .u64(o.collateral_amount)
        .u64(o.execution_reward)
        .emit();
}

pub fn order_cancelled(order: &Address, owner: &Address, refunded: u64) {
    EventWriter::<88>::new(event::ORDER_CANCELLED).key(order).key(owner).u64(refunded).emit();
}

pub fn order_executed(order: &Address, keeper: &Address, price: u64, reward: u64) {
    EventWriter::<96>::new(event::ORDER_EXECUTED).key(order).key(keeper).u64(price).u64(reward).emit();
}

pub struct Deleveraged<'a> {
    pub position: &'a Address,
    pub owner: &'a Address,
    pub keeper: &'a Address,
    pub size_delta_usd: u64,
    pub price: u64,
    pub pnl_usd: i64,
    pub ratio_before_bps: u64,
    pub ratio_after_bps: u64,
}

pub fn position_deleveraged(e: &Deleveraged) {
    EventWriter::<144>::new(event::POSITION_DELEVERAGED)
        .key(e.position)
        .key(e.owner)
        .key(e.keeper)
        .u64(e.size_delta_usd)
        .u64(e.price)
        .i64(e.pnl_usd)
        .u64(e.ratio_before_bps)
        .u64(e.ratio_after_bps)
        .emit();
}
