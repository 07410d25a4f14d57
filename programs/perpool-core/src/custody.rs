//! The custody's time-based transitions and the quantities derived from it: funding and interest
//! accrual ([`CustodyOps::accrue`]), the same accrual projected without writing (pool valuation),
//! price impact at its open interest, and its lending room. Methods on the interface's [`Custody`]
//! through one trait, so a caller writes `custody.accrue(..)` with `use perpool_core::CustodyOps`.

use crate::math::{checked_add, checked_sub, checked_sum, mul_div_floor};
use perpool_interface::{
    error::PerpoolError,
    state::{
        custody::{join, split, OWNED_EMA_SECS},
        position::SIDE_LONG,
        Custody,
    },
};

crate::source_file!();

/// What the core computes from, and does to, a custody.
pub trait CustodyOps {
    /// The price impact of a trade of `size_usd` on `side` of this market.
    fn price_impact(&self, side: u8, is_increase: bool, size_usd: u64) -> Result<crate::math::Impact, PerpoolError>;

    /// A side's funding indexes.
    fn funding_index(&self, side: u8) -> crate::math::FundingIndex;

    /// Funding since the last update at the current open interest, without writing: the
    /// indexes after and what each side's aggregates grow by.
    fn funding_accrual(&self, now: i64) -> Result<Option<FundingStep>, PerpoolError>;

    /// Writes a funding accrual ([`CustodyOps::funding_accrual`] at `now`): the indexes and the
    /// aggregates' growth. Runs before any open-interest change (it is part of
    /// [`CustodyOps::accrue`], which computes the step once for both reading and writing).
    fn apply_funding(&mut self, now: i64, step: &FundingStep) -> Result<(), PerpoolError>;

    /// The borrow curve as the interest math takes it.
    fn rate_curve(&self) -> crate::math::RateCurve;

    /// What the pool's own tokens can fund: `max(0, owned − buffer − locked)`.
    fn pool_room(&self) -> u64;

    /// What interest-bearing collateral adds to the lending capacity: its amount less its own
    /// withdrawal buffer (`collateral_buffer_bps`).
    fn collateral_room(&self) -> u64;

    /// Tokens lent beyond what the custody may lend now (collateral withdrawn after it was lent
    /// out): loans may be recalled by anyone up to this amount (`liquidate_loan`).
    fn over_lent(&self) -> u64;

    /// Everything an accrual to `now` changes, computed without writing
    /// ([`CustodyOps::accrue`] applies it; pool valuations read it for custodies they do not write,
    /// so that refreshing a custody never moves the pool value).
    fn accrual(&self, now: i64, protocol_share_bps: u16, insurance_share_bps: u16) -> Result<Accrual, PerpoolError>;

    /// What the pool's value counts of this custody at `now` as if it were accrued: its own
    /// tokens, the LPs' share of accrued borrow fees, and the USD owed to and by positions for
    /// PnL interest and funding. See `processor::valuation`.
    fn projection(&self, now: i64, shares: (u16, u16)) -> Result<Projection, PerpoolError>;

    /// Accrues everything time-based up to `now` (every instruction that writes a custody calls
    /// this first): funding indexes and their aggregates; the borrow and supply indexes (utilization
    /// is what positions have locked plus what is lent, over `owned`); loan interest, which grows
    /// `lent` (rounded down: never more than the loans owe) and is credited at once — the
    /// suppliers' part to `owned` (so the LP price rises) except the share of loans funded by
    /// interest-bearing collateral, credited to that collateral (`collateral_interest_due`); the
    /// reserve factor to protocol and insurance; and the aggregates of what positions owe and are
    /// owed (`borrow_fees_accrued`, PnL interest). `protocol_share_bps` / `insurance_share_bps`
    /// split the reserve.
    fn accrue(&mut self, now: i64, protocol_share_bps: u16, insurance_share_bps: u16) -> Result<(), PerpoolError>;
}

impl CustodyOps for Custody {
    fn price_impact(&self, side: u8, is_increase: bool, size_usd: u64) -> Result<crate::math::Impact, PerpoolError> {
        if size_usd == 0 || (self.impact_positive_factor == 0 && self.impact_negative_factor == 0) {
            return Ok(crate::math::Impact::default());
        }
        crate::math::price_impact(&crate::math::ImpactInput {
            side,
            is_increase,
            size_usd,
            long_oi_usd: self.long_oi_usd,
            short_oi_usd: self.short_oi_usd,
            positive_factor: self.impact_positive_factor,
            negative_factor: self.impact_negative_factor,
            exponent: self.impact_exponent,
            max_positive_impact_bps: self.max_positive_impact_bps as u64,
            max_negative_impact_bps: self.max_negative_impact_bps as u64,
        })
        .map_err(|e| crate::math::PositionError::from(e).into())
    }

    #[inline(always)]
    fn funding_index(&self, side: u8) -> crate::math::FundingIndex {
        let (paid, received) = if side == SIDE_LONG {
            (self.long_funding_paid, self.long_funding_received)
        } else {
            (self.short_funding_paid, self.short_funding_received)
        };
        crate::math::FundingIndex { paid: join(paid), received: join(received) }
    }

    #[inline(always)]
    fn funding_accrual(&self, now: i64) -> Result<Option<FundingStep>, PerpoolError> {
        if now <= self.last_funding_update {
            return Ok(None);
        }
        if self.funding_factor == 0 || self.long_oi_usd == self.short_oi_usd {
            // Nothing moves (a stablecoin, a balanced or empty book): only the time advances.
            return Ok(Some(FundingStep::IDLE));
        }
        let dt = now.abs_diff(self.last_funding_update);
        let (long_before, short_before) =
            (self.funding_index(SIDE_LONG), self.funding_index(perpool_interface::state::position::SIDE_SHORT));
        let (a, aggregates) = crate::math::accrue_funding_aggregated(&crate::math::FundingInput {
            long_oi_usd: self.long_oi_usd,
            short_oi_usd: self.short_oi_usd,
            funding_factor: self.funding_factor,
            max_rate: self.max_funding_rate,
            dt_secs: dt,
            long_index: long_before,
            short_index: short_before,
        })?;
        Ok(Some(FundingStep { moved: true, long: a.long_index, short: a.short_index, aggregates }))
    }

    fn apply_funding(&mut self, now: i64, f: &FundingStep) -> Result<(), PerpoolError> {
        self.last_funding_update = now;
        if !f.moved {
            return Ok(());
        }
        self.long_funding_paid = split(f.long.paid);
        self.long_funding_received = split(f.long.received);
        self.short_funding_paid = split(f.short.paid);
        self.short_funding_received = split(f.short.received);
        let g = &f.aggregates;
        self.long_funding_owed_usd = checked_add(self.long_funding_owed_usd, g.long_owed_usd)?;
        self.long_funding_due_usd = checked_add(self.long_funding_due_usd, g.long_due_usd)?;
        self.short_funding_owed_usd = checked_add(self.short_funding_owed_usd, g.short_owed_usd)?;
        self.short_funding_due_usd = checked_add(self.short_funding_due_usd, g.short_due_usd)?;
        Ok(())
    }

    #[inline(always)]
    fn rate_curve(&self) -> crate::math::RateCurve {
        crate::math::RateCurve {
            base_rate: self.base_rate,
            slope1: self.slope1,
            slope2: self.slope2,
            optimal_utilization_bps: self.optimal_utilization_bps as u64,
            reserve_factor_bps: self.reserve_factor_bps as u64,
        }
    }

    #[inline(always)]
    fn pool_room(&self) -> u64 {
        let buffer = crate::math::mul_div_floor(self.owned, self.buffer_bps as u64, 10_000).unwrap_or(u64::MAX);
        self.owned.saturating_sub(buffer).saturating_sub(self.locked)
    }

    #[inline(always)]
    fn collateral_room(&self) -> u64 {
        let c = self.earning_collateral();
        let buffer = crate::math::mul_div_ceil(c, self.collateral_buffer_bps as u64, 10_000).unwrap_or(u64::MAX);
        c.saturating_sub(buffer)
    }

    #[inline(always)]
    fn over_lent(&self) -> u64 {
        self.lent.saturating_sub(self.pool_room().saturating_add(self.collateral_room()))
    }

    fn accrual(&self, now: i64, protocol_share_bps: u16, insurance_share_bps: u16) -> Result<Accrual, PerpoolError> {
        accrual_of(self, now, protocol_share_bps, insurance_share_bps)
    }

    #[inline(always)]
    fn projection(&self, now: i64, shares: (u16, u16)) -> Result<Projection, PerpoolError> {
        if now <= self.last_accrual && now <= self.last_funding_update {
            // Accrued to now already (a custody the instruction writes, or one written earlier
            // in the same second): nothing is projected, the sums are of the stored fields.
            return Ok(Projection {
                owned: self.owned,
                borrow_fees_accrued: self.borrow_fees_accrued,
                receivable_usd: checked_sum([
                    self.pnl_interest_owed_usd,
                    self.long_funding_owed_usd,
                    self.short_funding_owed_usd,
                ])?,
                payable_usd: checked_sum([
                    self.pnl_interest_due_usd,
                    self.long_funding_due_usd,
                    self.short_funding_due_usd,
                ])?,
            });
        }
        project_to(self, now, shares)
    }

    #[inline(always)]
    fn accrue(&mut self, now: i64, protocol_share_bps: u16, insurance_share_bps: u16) -> Result<(), PerpoolError> {
        if now <= self.last_accrual && now <= self.last_funding_update {
            // Accrued to now already (written earlier in the same second): nothing changes.
            return Ok(());
        }
        accrue_to(self, now, protocol_share_bps, insurance_share_bps)
    }
}

/// What [`CustodyOps::accrual`] computes. Always inlined: [`accrue_to`] gets a copy of its own,
/// where the result is applied field by field (the trait method, for projections, the other).
#[inline(always)]
fn accrual_of(
    cu: &Custody,
    now: i64,
    protocol_share_bps: u16,
    insurance_share_bps: u16,
) -> Result<Accrual, PerpoolError> {
    let funding = cu.funding_accrual(now)?;
    if now <= cu.last_accrual {
        return Ok(Accrual { interest: None, funding });
    }
    let a = crate::math::accrue(&crate::math::AccrualInput {
        borrow_index: cu.borrow_index,
        supply_index: cu.supply_index,
        last_accrual: cu.last_accrual,
        now,
        locked: cu.locked,
        lent: cu.lent,
        lendable: cu.lendable(),
        curve: cu.rate_curve(),
    })?;
    let l = if cu.lent > 0 {
        crate::math::accrue_lending_down(&crate::math::LendingAccrualInput {
            lent: cu.lent,
            old_borrow_index: cu.borrow_index,
            new_borrow_index: a.borrow_index,
            reserve_factor_bps: cu.reserve_factor_bps as u64,
            protocol_share_bps: protocol_share_bps as u64,
            insurance_share_bps: insurance_share_bps as u64,
        })?
    } else {
        crate::math::LendingAccrual { lent: 0, interest: 0, to_suppliers: 0, to_protocol: 0, to_insurance: 0 }
    };
    let c = crate::math::accrue_carry(&crate::math::CarryAccrualInput {
        locked: cu.locked,
        borrow_index_before: cu.borrow_index,
        borrow_index_after: a.borrow_index,
        supply_index_before: cu.supply_index,
        supply_index_after: a.supply_index,
        pnl_profit_base_usd: cu.pnl_profit_base_usd,
        pnl_loss_base_usd: cu.pnl_loss_base_usd,
        to_suppliers: l.to_suppliers,
        lent: cu.lent,
        pool_room: cu.pool_room(),
        earning_collateral: cu.earning_collateral(),
        collateral_index: cu.collateral_index,
    })?;
    // `owned` averaged over about an hour, from its value before this instruction.
    let dt = now.abs_diff(cu.owned_ema_time);
    let owned_ema = if cu.owned_ema_time == 0 || dt >= OWNED_EMA_SECS {
        cu.owned
    } else if cu.owned >= cu.owned_ema {
        checked_add(cu.owned_ema, mul_div_floor(cu.owned.abs_diff(cu.owned_ema), dt, OWNED_EMA_SECS)?)?
    } else {
        checked_sub(cu.owned_ema, mul_div_floor(cu.owned.abs_diff(cu.owned_ema), dt, OWNED_EMA_SECS)?)?
    };
    Ok(Accrual { interest: Some(InterestStep { accrual: a, lending: l, carry: c, owned_ema }), funding })
}

/// [`CustodyOps::projection`] when time has passed: out of line, so the common accrued-to-now case
/// stays inline in the valuation loop.
#[inline(never)]
fn project_to(cu: &Custody, now: i64, shares: (u16, u16)) -> Result<Projection, PerpoolError> {
    let a = cu.accrual(now, shares.0, shares.1)?;
    let mut p =
        Projection { owned: cu.owned, borrow_fees_accrued: cu.borrow_fees_accrued, receivable_usd: 0, payable_usd: 0 };
    let (mut pnl_due, mut pnl_owed) = (cu.pnl_interest_due_usd, cu.pnl_interest_owed_usd);
    if let Some(i) = &a.interest {
        p.owned = checked_add(p.owned, i.carry.to_pool)?;
        p.borrow_fees_accrued = checked_add(p.borrow_fees_accrued, i.carry.borrow_fees)?;
        pnl_due = checked_add(pnl_due, i.carry.pnl_interest_due_usd)?;
        pnl_owed = checked_add(pnl_owed, i.carry.pnl_interest_owed_usd)?;
    }
    let (mut lo, mut ld, mut so, mut sd) =
        (cu.long_funding_owed_usd, cu.long_funding_due_usd, cu.short_funding_owed_usd, cu.short_funding_due_usd);
    if let Some(f) = &a.funding {
        let g = &f.aggregates;
        lo = checked_add(lo, g.long_owed_usd)?;
        ld = checked_add(ld, g.long_due_usd)?;
        so = checked_add(so, g.short_owed_usd)?;
        sd = checked_add(sd, g.short_due_usd)?;
    }
    p.receivable_usd = checked_sum([pnl_owed, lo, so])?;
    p.payable_usd = checked_sum([pnl_due, ld, sd])?;
    Ok(p)
}

/// [`CustodyOps::accrue`] when time has passed: out of line, so the common same-second case stays
/// a comparison at every call site.
#[inline(never)]
fn accrue_to(
    cu: &mut Custody,
    now: i64,
    protocol_share_bps: u16,
    insurance_share_bps: u16,
) -> Result<(), PerpoolError> {
    let a = accrual_of(cu, now, protocol_share_bps, insurance_share_bps)?;
    // (Funding was computed by `accrual_of` from the fields as they were; nothing below reads it.)
    if let Some(f) = &a.funding {
        cu.apply_funding(now, f)?;
    }
    let Some(i) = a.interest else {
        return Ok(());
    };
    let (l, c) = (&i.lending, &i.carry);
    if cu.lent > 0 {
        cu.lent = l.lent;
        cu.owned = checked_add(cu.owned, c.to_pool)?;
        cu.protocol_fees = checked_add(cu.protocol_fees, l.to_protocol)?;
        cu.insurance = checked_add(cu.insurance, l.to_insurance)?;
        cu.cumulative_lending_interest = cu.cumulative_lending_interest.saturating_add(c.to_pool);
        cu.collateral_interest_due = checked_add(cu.collateral_interest_due, c.to_collateral)?;
        cu.collateral_index = c.collateral_index;
    }
    cu.borrow_fees_accrued = checked_add(cu.borrow_fees_accrued, c.borrow_fees)?;
    cu.pnl_interest_due_usd = checked_add(cu.pnl_interest_due_usd, c.pnl_interest_due_usd)?;
    cu.pnl_interest_owed_usd = checked_add(cu.pnl_interest_owed_usd, c.pnl_interest_owed_usd)?;
    cu.owned_ema = i.owned_ema;
    cu.owned_ema_time = now;
    cu.borrow_index = i.accrual.borrow_index;
    cu.supply_index = i.accrual.supply_index;
    cu.last_accrual = now;
    Ok(())
}

/// One funding accrual: the indexes after and the aggregates' growth.
pub struct FundingStep {
    /// False when nothing moved (no funding factor, or a balanced book): the indexes and the
    /// aggregates stay as they are, and the other fields are zero.
    pub moved: bool,
    pub long: crate::math::FundingIndex,
    pub short: crate::math::FundingIndex,
    pub aggregates: crate::math::FundingAggregates,
}

impl FundingStep {
    /// A step in which nothing moves.
    pub const IDLE: FundingStep = FundingStep {
        moved: false,
        long: crate::math::FundingIndex { paid: 0, received: 0 },
        short: crate::math::FundingIndex { paid: 0, received: 0 },
        aggregates: crate::math::FundingAggregates {
            long_owed_usd: 0,
            long_due_usd: 0,
            short_owed_usd: 0,
            short_due_usd: 0,
        },
    };
}

/// What [`CustodyOps::accrual`] computed: `None` where nothing is due (same second).
pub struct Accrual {
    pub interest: Option<InterestStep>,
    pub funding: Option<FundingStep>,
}

/// The interest part of an accrual.
pub struct InterestStep {
    pub accrual: crate::math::Accrual,
    pub lending: crate::math::LendingAccrual,
    pub carry: crate::math::CarryAccrual,
    pub owned_ema: u64,
}

/// What a pool valuation counts of a custody (see [`CustodyOps::projection`]).
#[derive(Clone, Copy)]
pub struct Projection {
    /// The pool's own tokens.
    pub owned: u64,
    /// Borrow fees positions owe, tokens (the LPs' share of it is pool value).
    pub borrow_fees_accrued: u64,
    /// USD positions owe the pool and have not settled (PnL interest, funding).
    pub receivable_usd: u64,
    /// USD the pool owes positions and has not settled (PnL interest, funding).
    pub payable_usd: u64,
}
