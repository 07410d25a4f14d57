//! What the loan instructions share: the loan record, collateral interest,
//! and quote inputs built from the two custodies and their prices.

use crate::math::{checked_add, checked_sub};
use crate::CustodyOps;
use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    math::{LoanBorrowSide, LoanCollateralSide, LoanParams, LoanState},
    oracle::OraclePrice,
    state::{load_mut, Custody, Loan},
    util::{create_at_pda, Result},
};

perpool_core::source_file!();

/// The keys a loan is derived from.
pub struct LoanKeys<'a> {
    pub owner: &'a Address,
    pub pool: &'a Address,
    pub collateral_custody: &'a Address,
    pub borrow_custody: &'a Address,
}

/// Loads an existing loan and checks it is the one these keys name
/// (`owner` None: any owner, for repayments and liquidations).
pub fn load_loan<'a>(account: &'a AccountView, keys: &LoanKeys) -> Result<&'a mut Loan> {
    let l = load_mut::<Loan>(account)?;
    if &l.owner != keys.owner
        || &l.pool != keys.pool
        || &l.collateral_custody != keys.collateral_custody
        || &l.borrow_custody != keys.borrow_custody
    {
        return Err(PerpoolError::LoanMismatch);
    }
    Ok(l)
}

/// Loads the loan, or creates it (paid by `payer`, the owner) at its PDA.
pub fn load_or_create_loan<'a>(
    account: &'a AccountView,
    payer: &AccountView,
    keys: &LoanKeys,
    now: i64,
) -> Result<&'a mut Loan> {
    if account.owned_by(&crate::ID) {
        return load_loan(account, keys);
    }
    let (l, bump) = create_at_pda::<Loan>(
        payer,
        account,
        &[
            b"loan",
            keys.owner.as_ref(),
            keys.pool.as_ref(),
            keys.collateral_custody.as_ref(),
            keys.borrow_custody.as_ref(),
        ],
    )?;
    l.bump = bump;
    l.owner = *keys.owner;
    l.pool = *keys.pool;
    l.collateral_custody = *keys.collateral_custody;
    l.borrow_custody = *keys.borrow_custody;
    l.open_time = now;
    Ok(l)
}

/// Checks the pairing: both custodies of the pool, distinct, and the
/// collateral accepted for loans.
pub fn check_pair(
    pool: &Address,
    collateral_key: &Address,
    collateral: &Custody,
    borrow_key: &Address,
    borrow_pool: &Address,
) -> Result<()> {
    if collateral_key == borrow_key {
        return Err(PerpoolError::LendingNotEnabled);
    }
    if &collateral.pool != pool || borrow_pool != pool {
        return Err(PerpoolError::CustodyMismatch);
    }
    if collateral.max_ltv_bps == 0 {
        return Err(PerpoolError::LendingNotEnabled);
    }
    Ok(())
}

/// Credits the loan collateral's interest (interest-bearing collateral earns what the loans it
/// funds pay): tokens move from the custody's credited bucket (`collateral_interest_due`) to
/// `loan_collateral`, `floor(collateral × (collateral_index − snapshot) / INDEX_ONE)`.
pub fn settle_collateral_interest(loan: &mut Loan, c: &mut Custody) -> Result<()> {
    let now_index = c.collateral_index;
    if c.collateral_earns_interest != 0 && now_index > loan.collateral_index_snapshot {
        let earned = crate::math::mul_div_floor(
            loan.collateral_amount,
            now_index.abs_diff(loan.collateral_index_snapshot),
            crate::math::INDEX_ONE,
        )?
        .min(c.collateral_interest_due);
        c.collateral_interest_due = checked_sub(c.collateral_interest_due, earned)?;
        c.loan_collateral = checked_add(c.loan_collateral, earned)?;
        loan.collateral_amount = checked_add(loan.collateral_amount, earned)?;
        loan.collateral_interest = loan.collateral_interest.saturating_add(earned);
    }
    loan.collateral_index_snapshot = now_index;
    Ok(())
}

pub fn loan_state(l: &Loan) -> LoanState {
    LoanState { collateral_amount: l.collateral_amount, scaled_debt: l.scaled_debt }
}

pub fn loan_params(c: &Custody) -> LoanParams {
    LoanParams {
        max_ltv_bps: c.max_ltv_bps as u64,
        liquidation_ltv_bps: c.liquidation_ltv_bps as u64,
        liquidation_bonus_bps: c.liquidation_bonus_bps as u64,
        close_factor_bps: c.close_factor_bps as u64,
    }
}

pub fn collateral_side(c: &Custody, p: &OraclePrice) -> LoanCollateralSide {
    LoanCollateralSide { decimals: c.decimals, price_min: p.min, price_max: p.max }
}

pub fn borrow_side(c: &Custody, p: &OraclePrice) -> LoanBorrowSide {
    LoanBorrowSide {
        decimals: c.decimals,
        price_max: p.max,
        borrow_index: c.borrow_index,
        owned: c.owned,
        locked: c.locked,
        lent: c.lent,
        lendable: c.lendable(),
        buffer_bps: c.buffer_bps as u64,
        max_utilization_bps: c.max_utilization_bps as u64,
        collateral_room: c.collateral_room(),
    }
}

/// The accounts shared by withdraw, borrow and liquidate:
/// `[signer, config, pool, loan, collateral_custody, collateral_oracle, borrow_custody, borrow_oracle, ...]`.
pub struct LoanContext<'a> {
    pub signer: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a crate::state::Pool,
    pub loan_account: &'a AccountView,
    pub loan: &'a mut Loan,
    pub collateral_key: &'a Address,
    pub collateral: &'a mut Custody,
    pub borrow_key: &'a Address,
    pub borrow: &'a mut Custody,
    pub collateral_price: OraclePrice,
    pub borrow_price: OraclePrice,
    pub now: i64,
    pub paused: bool,
}

/// Loads and checks the shared accounts, accrues both custodies, settles the
/// collateral's interest and reads both prices. `owner_must_sign`: the
/// signer must be the loan's owner (withdraw, borrow); otherwise anyone
/// (liquidate).
pub fn load_context<'a>(
    accounts: &'a [AccountView],
    owner_must_sign: bool,
) -> Result<(LoanContext<'a>, &'a [AccountView])> {
    let [signer, config, pool_account, loan_account, collateral_custody, collateral_oracle, borrow_custody, borrow_oracle, rest @ ..] =
        accounts
    else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    crate::util::check_signer(signer)?;
    let cfg = crate::state::load::<crate::state::Config>(config)?;
    let pool = crate::state::load::<crate::state::Pool>(pool_account)?;
    if collateral_custody.address() == borrow_custody.address() {
        return Err(PerpoolError::LendingNotEnabled);
    }
    let collateral = load_mut::<Custody>(collateral_custody)?;
    let borrow = load_mut::<Custody>(borrow_custody)?;
    check_pair(
        pool_account.address(),
        collateral_custody.address(),
        collateral,
        borrow_custody.address(),
        &borrow.pool,
    )?;
    let l = load_mut::<Loan>(loan_account)?;
    if &l.pool != pool_account.address()
        || &l.collateral_custody != collateral_custody.address()
        || &l.borrow_custody != borrow_custody.address()
    {
        return Err(PerpoolError::LoanMismatch);
    }
    if owner_must_sign && &l.owner != signer.address() {
        return Err(PerpoolError::LoanMismatch);
    }
    crate::profile::mark(crate::profile::Phase::Accounts);
    let clock = crate::util::now()?;
    crate::profile::mark(crate::profile::Phase::Oracle);
    let (ps, is) = (pool.protocol_fee_share_bps, pool.insurance_fee_share_bps);
    collateral.accrue(clock.unix_timestamp, ps, is)?;
    borrow.accrue(clock.unix_timestamp, ps, is)?;
    settle_collateral_interest(l, collateral)?;
    crate::profile::mark(crate::profile::Phase::Accrual);
    let ctx = crate::oracle::OracleContext { now: clock.unix_timestamp };
    let collateral_price = crate::oracle::read_price(collateral, collateral_oracle, &ctx)?;
    collateral.use_price_time(collateral_price.publish_time);
    let borrow_price = crate::oracle::read_price(borrow, borrow_oracle, &ctx)?;
    borrow.use_price_time(borrow_price.publish_time);
    crate::profile::mark(crate::profile::Phase::Oracle);
    Ok((
        LoanContext {
            signer,
            pool_account,
            pool,
            loan_account,
            loan: l,
            collateral_key: collateral_custody.address(),
            collateral,
            borrow_key: borrow_custody.address(),
            borrow,
            collateral_price,
            borrow_price,
            now: clock.unix_timestamp,
            paused: cfg.is_paused(crate::state::config::PAUSE_LENDING),
        },
        rest,
    ))
}
