//! The pure math of auto-lending (SPEC §5, issue 5): a custody's lending accrual and its split,
//! scaled (index-based) loan debt, interest-bearing balances, interest on unrealized PnL, loan
//! health and liquidation price, and the quotes of the loan instructions (borrow, repay, withdraw
//! collateral, liquidate).
//!
//! A loan lives on two custodies: the *collateral* custody (the token posted, valued at its MIN
//! price — [`LoanCollateralSide`]) and the *borrowed* custody (the token lent out, whose debt is
//! valued at its MAX price and grows with its borrow index — [`LoanBorrowSide`]). Each loan
//! instruction's processor gathers numbers from accounts, calls exactly one `quote_*` function
//! and applies the quote's outputs; the accounting each quote implies is in its doc comment.
//! Applied to a custody, every quote keeps the identity
//!
//! ```text
//! vault + lent == owned + collateral + loan_collateral + protocol + insurance
//! ```
//!
//! (the tokens in the vault plus those lent out are exactly the claims on them), which the tests
//! check on random custody states.
//!
//! Rounding goes against the user (the borrower, the liquidated party), in the pool's favour:
//! - debts round up (`debt_tokens`, the scaled debt a borrow adds), repayments round down (the
//!   scaled debt a repayment removes), the custody's lent amount accrues rounding up;
//! - collateral is valued at its MIN price rounded down, debt at the borrowed token's MAX price
//!   rounded up, LTV rounds up;
//! - interest earned (supply interest, interest on an unrealized profit) rounds down, interest
//!   paid (on an unrealized loss) rounds up;
//! - a liquidation values the repaid debt rounding down and seizes collateral at its MAX price
//!   rounding down: the liquidator gets the smaller amount, so less of the borrower's collateral
//!   leaves and less is at risk of becoming the pool's bad debt.
//!
//! Units: USD values 6 decimals (`u64`), prices ([`Price`]) USD per whole token with 9 decimals,
//! token amounts native, bps /10_000, interest indexes 12 decimals ([`INDEX_ONE`]).
//!
//! Every quote takes one input struct by reference and returns a struct (the SBF target allows
//! at most five register arguments, the returned struct's pointer included). All arithmetic is
//! checked; any overflow is an error.

use super::error::fail;
use super::fixed::raised;
use super::fixed::{checked_add, checked_sub, mul_div, mul_div_ceil, mul_div_floor, Rounding};
use super::interest::INDEX_ONE;
use super::position::Pnl;
use super::units::{
    token_to_usd_ceil, token_to_usd_floor, usd_to_token_ceil, usd_to_token_floor, Price, TokenAmount, Usd, BPS_DENOM,
    MAX_TOKEN_DECIMALS,
};
use super::wide::wide_mul;
use super::MathError;

crate::source_file!();

/// Why a lending quote was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LendingError {
    /// Arithmetic failed (overflow, invalid decimals, zero price or index, …).
    Math(MathError),
    /// Nothing to do: a zero amount (or a liquidation whose close factor allows no repayment).
    ZeroAmount,
    /// The loan's LTV after the action would exceed the maximum LTV.
    LtvTooHigh,
    /// The borrowed custody has too few free tokens: lending never touches locked tokens or the
    /// withdrawal buffer.
    InsufficientLiquidity,
    /// The borrowed custody's utilization after the loan would exceed its maximum.
    UtilizationTooHigh,
    /// More collateral withdrawn than the loan holds.
    InsufficientCollateral,
    /// The loan's LTV is at or below the liquidation LTV.
    NotLiquidatable,
}

impl From<MathError> for LendingError {
    #[inline(always)]
    fn from(e: MathError) -> Self {
        LendingError::Math(e)
    }
}

// ---------------------------------------------------------------------------------------------
// Custody lending accrual
// ---------------------------------------------------------------------------------------------

/// Inputs of [`accrue_lending`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LendingAccrualInput {
    /// Tokens lent out by the custody at its last accrual (native units).
    pub lent: u64,
    /// The custody's borrow index at its last accrual (12 decimals).
    pub old_borrow_index: u64,
    /// The borrow index now (12 decimals), from [`accrue`](super::interest::accrue).
    pub new_borrow_index: u64,
    /// Share of the interest kept back from suppliers, bps.
    pub reserve_factor_bps: u64,
    /// The protocol's weight in the reserve (any unit; only the ratio to the insurance weight counts).
    pub protocol_share_bps: u64,
    /// The insurance fund's weight in the reserve.
    pub insurance_share_bps: u64,
}

/// What [`accrue_lending`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LendingAccrual {
    /// Tokens lent out after the accrual (the old amount plus interest).
    pub lent: u64,
    /// Interest accrued on the lent tokens, `lent − old lent`.
    pub interest: u64,
    /// Interest credited to suppliers (`owned`).
    pub to_suppliers: u64,
    /// Interest credited to the protocol.
    pub to_protocol: u64,
    /// Interest credited to the insurance fund.
    pub to_insurance: u64,
}

/// Accrues interest on a custody's lent tokens from its old to its new borrow index and splits it.
///
/// 1. `old == 0` → `DivideByZero`; `new < old` → `Underflow` (indexes never decrease).
/// 2. `lent_after = ceil(lent × new / old)`; `interest = lent_after − lent`.
/// 3. `reserve = floor(interest × reserve_factor / 10_000)`; `to_suppliers = interest − reserve`
///    (a reserve factor above 100 % → `Underflow` once there is interest).
/// 4. `to_protocol = floor(reserve × p / (p + i))` (0 when `p + i == 0`),
///    `to_insurance = reserve − to_protocol`.
///
/// So `to_suppliers + to_protocol + to_insurance == interest` exactly: nothing is created or lost.
///
/// The program books interest with [`accrue_lending_down`] instead: rounding `lent` up on every
/// accrual lets the aggregate outgrow what the loans owe by up to one unit per accrual (one per
/// second in a busy custody), and that excess never comes back. This rounding-up form is kept
/// as the reference the shared vectors check.
///
/// Errors: those above, and `Overflow`.
#[inline]
pub fn accrue_lending(i: &LendingAccrualInput) -> Result<LendingAccrual, MathError> {
    accrue_lending_rounded(i, Rounding::Up)
}

/// [`accrue_lending`] with `lent_after = floor(lent × new / old)`: what the custody books as
/// lent never exceeds what its loans owe (each loan's debt is `ceil(scaled × index)` and the
/// aggregate only ever grows by less than the exact interest). The difference reaches the pool
/// when loans are repaid: a repayment above the booked `lent` is credited to `owned`.
///
/// Accounting the processor applies to the custody: `lent = lent_after`, `owned += to_suppliers`
/// (interest-bearing collateral is paid out of the suppliers' share, see [`supply_interest`]),
/// `protocol += to_protocol`, `insurance += to_insurance`. `lent` and the right-hand side of the
/// identity grow by the same `interest`; the vault does not move.
///
/// Errors: as [`accrue_lending`].
#[inline(always)]
pub fn accrue_lending_down(i: &LendingAccrualInput) -> Result<LendingAccrual, MathError> {
    accrue_lending_rounded(i, Rounding::Down)
}

#[inline(always)]
fn accrue_lending_rounded(i: &LendingAccrualInput, rounding: Rounding) -> Result<LendingAccrual, MathError> {
    if i.old_borrow_index == 0 {
        return fail(MathError::DivideByZero);
    }
    if i.new_borrow_index < i.old_borrow_index {
        return fail(MathError::Underflow);
    }
    let lent = raised(mul_div(i.lent, i.new_borrow_index, i.old_borrow_index, rounding))?;
    // new >= old: lent_after >= lent in both roundings.
    let interest = checked_sub(lent, i.lent)?;
    let reserve = mul_div_floor(interest, i.reserve_factor_bps, BPS_DENOM)?;
    let to_suppliers = checked_sub(interest, reserve)?;
    let weights = checked_add(i.protocol_share_bps, i.insurance_share_bps)?;
    let to_protocol = if weights == 0 {
        0
    } else {
        // p <= p + i: the quotient is at most `reserve`.
        mul_div_floor(reserve, i.protocol_share_bps, weights)?
    };
    Ok(LendingAccrual { lent, interest, to_suppliers, to_protocol, to_insurance: checked_sub(reserve, to_protocol)? })
}

// ---------------------------------------------------------------------------------------------
// Scaled debt and interest-bearing balances
// ---------------------------------------------------------------------------------------------

/// Tokens owed on `scaled` debt at `borrow_index`: `ceil(scaled × index / INDEX_ONE)`.
///
/// Errors: `Overflow`.
#[inline]
pub fn debt_tokens(scaled: u64, borrow_index: u64) -> Result<u64, MathError> {
    mul_div_ceil(scaled, borrow_index, INDEX_ONE)
}

/// Scaled debt added by borrowing `amount`: `ceil(amount × INDEX_ONE / index)`, so the debt grows
/// by at least `amount`.
///
/// Errors: `index == 0` → `DivideByZero`; `Overflow`.
#[inline]
pub fn borrow_scaled(amount: u64, borrow_index: u64) -> Result<u64, MathError> {
    mul_div_ceil(amount, INDEX_ONE, borrow_index)
}

/// Scaled debt removed by repaying `amount` (less than the whole debt):
/// `floor(amount × INDEX_ONE / index)`, so the debt falls by at most `amount`.
///
/// Errors: `index == 0` → `DivideByZero`; `Overflow`.
#[inline]
pub fn repay_scaled(amount: u64, borrow_index: u64) -> Result<u64, MathError> {
    mul_div_floor(amount, INDEX_ONE, borrow_index)
}

/// Supply interest earned by an interest-bearing balance (trader collateral, loan collateral)
/// since its snapshot of the supply index: `floor(amount × (now − snapshot) / snapshot)`; zero
/// when the index has not grown.
///
/// Accounting: it is paid out of the suppliers' share of the custody's interest, so the processor
/// moves it from `owned` to `collateral` (or `loan_collateral`) and sets the snapshot to `now`.
///
/// Errors: `snapshot == 0 < now` → `DivideByZero`; `Overflow`.
#[inline]
pub fn supply_interest(amount: u64, supply_index_now: u64, snapshot: u64) -> Result<u64, MathError> {
    if supply_index_now <= snapshot {
        return Ok(0);
    }
    mul_div_floor(amount, supply_index_now.abs_diff(snapshot), snapshot)
}

/// Inputs of [`pnl_interest`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PnlInterestInput {
    /// True if the position is in (unrealized) profit.
    pub pnl_profit: bool,
    /// The unrealized PnL's magnitude, USD.
    pub pnl_usd: u64,
    /// The settle custody's supply index now (12 decimals).
    pub supply_index_now: u64,
    /// The supply index when the position's PnL interest was last settled.
    pub supply_snapshot: u64,
    /// The settle custody's borrow index now (12 decimals).
    pub borrow_index_now: u64,
    /// The borrow index when the position's PnL interest was last settled.
    pub borrow_snapshot: u64,
}

/// Interest on a position's unrealized PnL since its snapshots (interest-bearing perpetuals):
/// a profit earns the supply rate, `floor(usd × (s_now − s_snap) / s_snap)`, returned as a profit;
/// a loss pays the borrow rate, `ceil(usd × (b_now − b_snap) / b_snap)`, returned as a loss. An
/// index that has not grown gives zero, and zero is `{ profit: false, usd: 0 }` (as [`Pnl`]).
///
/// Accounting: the processor settles it on every position update (earned: `owned → collateral`,
/// paid: `collateral → owned`, in the settle custody's tokens) and resets both snapshots.
///
/// Errors: a zero snapshot below a grown index → `DivideByZero`; `Overflow`.
#[inline(never)]
pub fn pnl_interest(i: &PnlInterestInput) -> Result<Pnl, MathError> {
    let (usd, profit) = if i.pnl_profit {
        (supply_interest(i.pnl_usd, i.supply_index_now, i.supply_snapshot)?, true)
    } else if i.borrow_index_now <= i.borrow_snapshot {
        (0, false)
    } else {
        (mul_div_ceil(i.pnl_usd, i.borrow_index_now.abs_diff(i.borrow_snapshot), i.borrow_snapshot)?, false)
    };
    Ok(Pnl { profit: profit && usd > 0, usd })
}

// ---------------------------------------------------------------------------------------------
// Loans: shared inputs, health, liquidation price
// ---------------------------------------------------------------------------------------------

/// A loan as the quotes see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanState {
    /// Collateral posted, collateral-custody tokens.
    pub collateral_amount: u64,
    /// Debt in scaled units: tokens owed = `debt_tokens(scaled_debt, borrow_index)`.
    pub scaled_debt: u64,
}

/// The collateral custody of a loan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanCollateralSide {
    /// The collateral token's mint decimals.
    pub decimals: u8,
    /// `min(spot, ema)`: the collateral's value for health (rounded down).
    pub price_min: Price,
    /// `max(spot, ema)`: the price a liquidation seizes at (fewer tokens to the liquidator).
    /// Only [`quote_liquidate_loan`] uses it.
    pub price_max: Price,
}

/// The borrowed custody of a loan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanBorrowSide {
    /// The borrowed token's mint decimals.
    pub decimals: u8,
    /// `max(spot, ema)`: the debt's value (rounded up).
    pub price_max: Price,
    /// The custody's borrow index, already accrued to now (12 decimals).
    pub borrow_index: u64,
    /// The pool's own tokens in the custody.
    pub owned: u64,
    /// Tokens locked for open positions.
    pub locked: u64,
    /// Tokens lent out.
    pub lent: u64,
    /// The denominator of utilization: tokens that can be lent or locked.
    pub lendable: u64,
    /// Share of `owned` that is never lent or locked (the withdrawal buffer), bps.
    pub buffer_bps: u64,
    /// Lending stops above this utilization, bps.
    pub max_utilization_bps: u64,
    /// What interest-bearing collateral adds to the lending capacity once the pool's own room is
    /// used (collateral less its buffer), tokens; 0 when collateral earns nothing.
    pub collateral_room: u64,
}

/// Loan parameters of a (collateral, borrowed) custody pair.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanParams {
    /// Largest LTV a borrow or collateral withdrawal may leave, bps.
    pub max_ltv_bps: u64,
    /// Above this LTV the loan can be liquidated, bps.
    pub liquidation_ltv_bps: u64,
    /// The liquidator's bonus on the collateral seized, bps of the debt repaid.
    pub liquidation_bonus_bps: u64,
    /// Share of the debt one liquidation may repay (unless the loan is underwater), bps.
    pub close_factor_bps: u64,
}

/// Loan-to-value in bps: `ceil(debt_usd × 10_000 / collateral_usd)`, saturating at `u64::MAX`;
/// with no collateral value it is `u64::MAX` if there is debt, else 0.
///
/// Never fails: saturating keeps a hopelessly underwater loan liquidatable instead of failing
/// with an overflow.
#[inline]
pub fn ltv_bps(debt_usd: u64, collateral_usd: u64) -> u64 {
    if collateral_usd == 0 {
        return if debt_usd == 0 { 0 } else { u64::MAX };
    }
    mul_div_ceil(debt_usd, BPS_DENOM, collateral_usd).unwrap_or(u64::MAX)
}

/// Inputs of [`loan_health`] and [`loan_liquidation_price`]. Of the borrowed side only
/// `decimals`, `price_max` and `borrow_index` are used; of the collateral side not `price_max`;
/// of the parameters only `liquidation_ltv_bps`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanHealthInput {
    /// The loan.
    pub loan: LoanState,
    /// The collateral custody.
    pub coll: LoanCollateralSide,
    /// The borrowed custody.
    pub borrow: LoanBorrowSide,
    /// The pair's loan parameters.
    pub params: LoanParams,
}

/// What [`loan_health`] reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanHealth {
    /// Tokens owed (rounded up).
    pub debt: u64,
    /// The debt at the borrowed token's MAX price, USD (rounded up).
    pub debt_usd: u64,
    /// The collateral at its MIN price, USD (rounded down).
    pub collateral_usd: u64,
    /// [`ltv_bps`] of the two.
    pub ltv_bps: u64,
    /// `ltv_bps > liquidation_ltv_bps`.
    pub liquidatable: bool,
}

/// A loan's debt, values and LTV. Errors: `Overflow`, `InvalidDecimals`.
#[inline(never)]
pub fn loan_health(i: &LoanHealthInput) -> Result<LoanHealth, MathError> {
    health(&i.loan, &i.coll, &i.borrow, i.params.liquidation_ltv_bps)
}

#[inline(always)]
fn health(
    loan: &LoanState,
    coll: &LoanCollateralSide,
    borrow: &LoanBorrowSide,
    liquidation_ltv_bps: u64,
) -> Result<LoanHealth, MathError> {
    let debt = debt_tokens(loan.scaled_debt, borrow.borrow_index)?;
    let debt_usd = token_to_usd_ceil(TokenAmount(debt), borrow.price_max, borrow.decimals)?.0;
    let collateral_usd = token_to_usd_floor(TokenAmount(loan.collateral_amount), coll.price_min, coll.decimals)?.0;
    let ltv = ltv_bps(debt_usd, collateral_usd);
    Ok(LoanHealth { debt, debt_usd, collateral_usd, ltv_bps: ltv, liquidatable: ltv > liquidation_ltv_bps })
}

/// The liquidation price of a loan: the HIGHEST collateral MIN price at which the loan is
/// liquidatable (`ltv_bps > liquidation_ltv_bps`), everything else (debt, borrowed token's price)
/// fixed. At this price [`loan_health`] reports `liquidatable`; one unit above, it does not.
/// `None` when no price makes it liquidatable (no debt, a debt worth $0, or a liquidation LTV of
/// `u64::MAX`); `Some(Price(u64::MAX))` when every price does (no collateral, a liquidation LTV of
/// 0, or a threshold beyond the largest price).
///
/// With `D` the debt value (USD, up), `L` the liquidation LTV, `c` the collateral amount and
/// `S = 10^(decimals + 3)`: the loan is liquidatable at `P` iff `L × floor(c × P / S) < 10_000 × D`
/// (the LTV's rounding up and saturation do not change the comparison), i.e. iff
/// `floor(c × P / S) < K` with `K = ceil(10_000 × D / L)`, i.e. iff `c × P < K × S`. So the answer
/// is `ceil(K × S / c) − 1`, computed as `usd_to_token_ceil(K, Price(c)) − 1`.
///
/// Errors, in this order: `Overflow` (the debt), `InvalidDecimals` (the borrowed token, then the
/// collateral token's); `Overflow` when `K` exceeds `u64::MAX` (a debt above `1.8e9 × L` dollars).
#[inline(never)]
pub fn loan_liquidation_price(i: &LoanHealthInput) -> Result<Option<Price>, MathError> {
    let debt = debt_tokens(i.loan.scaled_debt, i.borrow.borrow_index)?;
    if debt == 0 {
        return Ok(None);
    }
    let debt_usd = token_to_usd_ceil(TokenAmount(debt), i.borrow.price_max, i.borrow.decimals)?.0;
    if i.coll.decimals > MAX_TOKEN_DECIMALS {
        return fail(MathError::InvalidDecimals);
    }
    let threshold = i.params.liquidation_ltv_bps;
    if debt_usd == 0 || threshold == u64::MAX {
        return Ok(None);
    }
    let collateral = i.loan.collateral_amount;
    if collateral == 0 || threshold == 0 {
        return Ok(Some(Price(u64::MAX)));
    }
    let k = mul_div_ceil(debt_usd, BPS_DENOM, threshold)?;
    // `collateral` stands in the price's place: `ceil(k × S / c)`, at least 1 (k, S >= 1).
    match usd_to_token_ceil(Usd(k), Price(collateral), i.coll.decimals) {
        // t >= 1 (see above).
        Ok(t) => Ok(Some(Price(t.0.saturating_sub(1)))),
        // The threshold is above u64::MAX: every representable price is liquidatable.
        Err(MathError::Overflow) => Ok(Some(Price(u64::MAX))),
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------
// borrow
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_borrow`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BorrowInput {
    /// The loan before.
    pub loan: LoanState,
    /// Tokens to borrow.
    pub amount: u64,
    /// The collateral custody.
    pub coll: LoanCollateralSide,
    /// The borrowed custody.
    pub borrow: LoanBorrowSide,
    /// The pair's loan parameters.
    pub params: LoanParams,
}

/// What [`quote_borrow`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BorrowQuote {
    /// Scaled debt added to the loan.
    pub scaled_delta: u64,
    /// Tokens owed after (at the current index).
    pub debt_after: u64,
    /// The debt after at the borrowed token's MAX price, USD.
    pub debt_usd_after: u64,
    /// The collateral at its MIN price, USD.
    pub collateral_usd: u64,
    /// The loan's LTV after, bps.
    pub ltv_bps_after: u64,
}

/// Quotes borrowing `amount` tokens of the borrowed custody against the loan's collateral.
///
/// Steps (errors are checked in this order):
/// 1. `amount == 0` → `ZeroAmount`.
/// 2. `buffer = floor(owned × buffer_bps / 10_000)`; `lent + amount > max(0, owned − locked −
///    buffer) + collateral_room` → `InsufficientLiquidity` (lending never touches locked tokens or
///    the withdrawal buffers; interest-bearing collateral is lent only beyond the pool's own room).
/// 3. `(locked + lent + amount) × 10_000 > max_utilization_bps × lendable + collateral_room ×
///    10_000` (exact) → `UtilizationTooHigh` (the cap applies to the pool's own tokens).
/// 4. `scaled_delta = ceil(amount × INDEX_ONE / index)`; `debt_after = debt_tokens(scaled +
///    scaled_delta)`; `debt_usd_after` at the borrowed MAX price (up), `collateral_usd` at the
///    collateral MIN price (down); `ltv_bps_after > max_ltv_bps` → `LtvTooHigh`.
///
/// Accounting the processor applies — borrowed custody: `lent += amount`, vault `−= amount` (to
/// the borrower); loan: `scaled_debt += scaled_delta`. `vault + lent` is unchanged and so are the
/// claims.
///
/// Errors also: `Math` (`DivideByZero` for a zero index, `Overflow`, `InvalidDecimals`).
#[inline]
pub fn quote_borrow(i: &BorrowInput) -> Result<BorrowQuote, LendingError> {
    if i.amount == 0 {
        return Err(LendingError::ZeroAmount);
    }
    let b = &i.borrow;
    if exceeds_room(b, i.amount) {
        return Err(LendingError::InsufficientLiquidity);
    }
    let borrowed = checked_add(checked_add(b.locked, b.lent)?, i.amount)?;
    let cap = wide_add(wide_mul(b.max_utilization_bps, b.lendable), wide_mul(b.collateral_room, BPS_DENOM));
    if wide_mul(borrowed, BPS_DENOM) > cap {
        return Err(LendingError::UtilizationTooHigh);
    }
    let scaled_delta = borrow_scaled(i.amount, b.borrow_index)?;
    let scaled_after = checked_add(i.loan.scaled_debt, scaled_delta)?;
    let debt_after = debt_tokens(scaled_after, b.borrow_index)?;
    let debt_usd_after = token_to_usd_ceil(TokenAmount(debt_after), b.price_max, b.decimals)?.0;
    let collateral_usd =
        token_to_usd_floor(TokenAmount(i.loan.collateral_amount), i.coll.price_min, i.coll.decimals)?.0;
    let ltv = ltv_bps(debt_usd_after, collateral_usd);
    if ltv > i.params.max_ltv_bps {
        return Err(LendingError::LtvTooHigh);
    }
    Ok(BorrowQuote { scaled_delta, debt_after, debt_usd_after, collateral_usd, ltv_bps_after: ltv })
}

/// Whether `lent + amount` exceeds `max(0, owned − buffer − locked) + collateral_room`, exactly
/// (u128 add and compare only).
#[inline(always)]
fn exceeds_room(b: &LoanBorrowSide, amount: u64) -> bool {
    // A buffer above u64::MAX (buffer_bps far above 100 %) exceeds `owned` anyway.
    let buffer = mul_div_floor(b.owned, b.buffer_bps, BPS_DENOM).unwrap_or(u64::MAX);
    let pool = b.owned.saturating_sub(buffer).saturating_sub(b.locked);
    // Sums of two u64 in u128: no overflow.
    (b.lent as u128).saturating_add(amount as u128) > (pool as u128).saturating_add(b.collateral_room as u128)
}

/// The sum of two `(high, low)` 128-bit values, saturating.
#[inline(always)]
fn wide_add(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    let (lo, carry) = a.1.overflowing_add(b.1);
    match a.0.checked_add(b.0).and_then(|h| h.checked_add(carry as u64)) {
        Some(hi) => (hi, lo),
        None => (u64::MAX, u64::MAX),
    }
}

// ---------------------------------------------------------------------------------------------
// repay
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_repay`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RepayInput {
    /// The loan's scaled debt before.
    pub scaled_debt: u64,
    /// Tokens offered; at most the debt is taken.
    pub amount: u64,
    /// The borrowed custody's borrow index, accrued to now.
    pub borrow_index: u64,
}

/// What [`quote_repay`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RepayQuote {
    /// Tokens taken from the payer: `min(amount, debt)`.
    pub repaid: u64,
    /// Scaled debt removed.
    pub scaled_delta: u64,
    /// The loan's scaled debt after.
    pub scaled_after: u64,
}

/// Quotes repaying up to `amount` tokens of a loan's debt.
///
/// 1. `debt = debt_tokens(scaled_debt, index)`; `amount == 0` → `ZeroAmount`.
/// 2. `amount >= debt`: `repaid = debt`, the whole scaled debt goes (`scaled_after = 0`).
/// 3. Otherwise `repaid = amount`, `scaled_delta = floor(amount × INDEX_ONE / index)`,
///    `scaled_after = scaled − scaled_delta` (the remaining debt never falls by more than paid).
///
/// Accounting — borrowed custody: vault `+= repaid`, `lent −= repaid`. If rounding left the
/// custody's aggregate `lent` below the per-loan debts (each rounds up), the processor takes
/// `min(lent, repaid)` from `lent` and credits the rest to `owned`; either way the vault change
/// equals the change of `owned − lent`, so the identity holds.
///
/// Errors also: `Math(Overflow)`.
#[inline(never)]
pub fn quote_repay(i: &RepayInput) -> Result<RepayQuote, LendingError> {
    let debt = debt_tokens(i.scaled_debt, i.borrow_index)?;
    if i.amount == 0 {
        return Err(LendingError::ZeroAmount);
    }
    Ok(repay_of(i.scaled_debt, debt, i.amount, i.borrow_index)?)
}

/// Steps 2–3 of [`quote_repay`].
#[inline(always)]
fn repay_of(scaled: u64, debt: u64, amount: u64, index: u64) -> Result<RepayQuote, MathError> {
    if amount >= debt {
        return Ok(RepayQuote { repaid: debt, scaled_delta: scaled, scaled_after: 0 });
    }
    // amount < debt = ceil(scaled × index / ONE) implies index > 0 and
    // floor(amount × ONE / index) < scaled: no division by zero, no underflow.
    let scaled_delta = repay_scaled(amount, index)?;
    Ok(RepayQuote { repaid: amount, scaled_delta, scaled_after: checked_sub(scaled, scaled_delta)? })
}

// ---------------------------------------------------------------------------------------------
// withdraw collateral
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_withdraw_collateral`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WithdrawCollateralInput {
    /// The loan before.
    pub loan: LoanState,
    /// Collateral tokens to withdraw.
    pub amount: u64,
    /// The collateral custody.
    pub coll: LoanCollateralSide,
    /// The borrowed custody (only `decimals`, `price_max`, `borrow_index` are used).
    pub borrow: LoanBorrowSide,
    /// The pair's loan parameters.
    pub params: LoanParams,
}

/// What [`quote_withdraw_collateral`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WithdrawCollateralQuote {
    /// The loan's collateral after.
    pub collateral_after: u64,
    /// The loan's LTV after, bps (0 without debt).
    pub ltv_bps_after: u64,
}

/// Quotes withdrawing `amount` of a loan's collateral.
///
/// 1. `amount == 0` → `ZeroAmount`; `amount > collateral` → `InsufficientCollateral`.
/// 2. `debt = debt_tokens(..)`; with no debt the LTV is 0 (no prices are read: a loan without
///    debt can always take its collateral back).
/// 3. Otherwise the LTV of `collateral − amount` (MIN price, down) against the debt (MAX price,
///    up) above `max_ltv_bps` → `LtvTooHigh`.
///
/// Accounting — collateral custody: `loan_collateral −= amount`, vault `−= amount` (to the owner);
/// loan: `collateral_amount = collateral_after`. (Depositing collateral is the reverse with no
/// check: `loan_collateral += amount`, vault `+= amount`.)
///
/// Errors also: `Math` (`Overflow`, `InvalidDecimals`).
#[inline(never)]
pub fn quote_withdraw_collateral(i: &WithdrawCollateralInput) -> Result<WithdrawCollateralQuote, LendingError> {
    if i.amount == 0 {
        return Err(LendingError::ZeroAmount);
    }
    if i.amount > i.loan.collateral_amount {
        return Err(LendingError::InsufficientCollateral);
    }
    let collateral_after = checked_sub(i.loan.collateral_amount, i.amount)?;
    let debt = debt_tokens(i.loan.scaled_debt, i.borrow.borrow_index)?;
    let ltv = if debt == 0 {
        0
    } else {
        let debt_usd = token_to_usd_ceil(TokenAmount(debt), i.borrow.price_max, i.borrow.decimals)?.0;
        let collateral_usd = token_to_usd_floor(TokenAmount(collateral_after), i.coll.price_min, i.coll.decimals)?.0;
        ltv_bps(debt_usd, collateral_usd)
    };
    if ltv > i.params.max_ltv_bps {
        return Err(LendingError::LtvTooHigh);
    }
    Ok(WithdrawCollateralQuote { collateral_after, ltv_bps_after: ltv })
}

// ---------------------------------------------------------------------------------------------
// liquidate
// ---------------------------------------------------------------------------------------------

/// Inputs of [`quote_liquidate_loan`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidateLoanInput {
    /// The loan before.
    pub loan: LoanState,
    /// Borrowed tokens the liquidator offers to repay; at most the allowed maximum is taken.
    pub repay_amount: u64,
    /// The collateral custody (`price_max` is the seize price).
    pub coll: LoanCollateralSide,
    /// The borrowed custody (only `decimals`, `price_max`, `borrow_index` are used).
    pub borrow: LoanBorrowSide,
    /// The pair's loan parameters.
    pub params: LoanParams,
    /// The borrowed custody's insurance fund, tokens.
    pub insurance_balance: u64,
    /// Tokens the borrowed custody has lent beyond its capacity (interest-bearing collateral
    /// withdrawn after it was lent): a healthy loan may be recalled up to this amount.
    pub recall_excess: u64,
}

/// What [`quote_liquidate_loan`] tells the processor to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidateLoanQuote {
    /// Borrowed tokens the liquidator pays in.
    pub repaid: u64,
    /// The loan's scaled debt after (0 when the debt is repaid or written off).
    pub scaled_after: u64,
    /// Collateral tokens paid to the liquidator.
    pub collateral_seized: u64,
    /// The loan's collateral after.
    pub collateral_after: u64,
    /// Debt left with no collateral behind it, written off, borrowed tokens.
    pub bad_debt: u64,
    /// Part of the bad debt the insurance fund covers.
    pub insurance_used: u64,
    /// Part of the bad debt the suppliers bear (`owned` falls).
    pub socialized: u64,
    /// The loan's LTV before, bps.
    pub ltv_bps_before: u64,
}

/// Quotes a (permissionless) liquidation of a loan.
///
/// Steps (errors are checked in this order):
/// 1. Health as [`loan_health`]; `ltv_bps <= liquidation_ltv_bps` → `NotLiquidatable`, unless
///    the custody is over-lent (`recall_excess > 0`, the recall path): then a healthy loan may be
///    repaid up to `min(ceil(debt × close_factor_bps / 10_000), recall_excess)` on the same terms;
///    `repay_amount == 0` → `ZeroAmount`.
/// 2. The loan is *underwater* when `collateral_usd × 10_000 < debt_usd × (10_000 + bonus)`
///    (the collateral cannot pay the debt plus the bonus). Then the whole debt may be repaid;
///    otherwise at most `ceil(debt × close_factor_bps / 10_000)`.
///    `repaid = min(repay_amount, that maximum, debt)`; 0 (a zero close factor) → `ZeroAmount`.
/// 3. `seize_usd = floor(floor(repaid at the borrowed MAX price) × (10_000 + bonus) / 10_000)`;
///    `collateral_seized = min(collateral, usd_to_token_floor(seize_usd, collateral MAX price))`
///    (a token amount above `u64::MAX` is capped too). A liquidator repaying more than the
///    collateral is worth just gets all of it: the SDK should offer the smallest repayment that
///    seizes everything.
/// 4. If no collateral is left but debt is (`debt − repaid > 0`), the rest is bad debt:
///    `insurance_used = min(insurance_balance, bad_debt)`, `socialized = bad_debt −
///    insurance_used`, `scaled_after = 0`. Otherwise `scaled_after` as [`quote_repay`] with
///    `repaid`.
///
/// Accounting the processor applies — borrowed custody: vault `+= repaid` (from the liquidator),
/// `lent −= repaid + bad_debt` (the written-off debt leaves the books), `insurance −=
/// insurance_used`, `owned −= socialized` (the suppliers bear the rest); collateral custody:
/// `loan_collateral −= collateral_seized`, vault `−= collateral_seized` (to the liquidator); loan:
/// `scaled_debt = scaled_after`, `collateral_amount = collateral_after`. Both sides of the
/// identity fall by `bad_debt` in the borrowed custody and by `collateral_seized` in the
/// collateral custody. (As in [`quote_repay`], a shortfall of `lent` against the per-loan debts
/// from rounding is taken from `owned` instead.)
///
/// Errors also: `Math` (`Overflow`, `InvalidDecimals`, `DivideByZero` for a zero collateral MAX
/// price).
#[inline(never)]
pub fn quote_liquidate_loan(i: &LiquidateLoanInput) -> Result<LiquidateLoanQuote, LendingError> {
    let h = health(&i.loan, &i.coll, &i.borrow, i.params.liquidation_ltv_bps)?;
    let recall = !h.liquidatable && i.recall_excess > 0 && h.debt > 0;
    if !h.liquidatable && !recall {
        return Err(LendingError::NotLiquidatable);
    }
    if i.repay_amount == 0 {
        return Err(LendingError::ZeroAmount);
    }
    let factor = checked_add(BPS_DENOM, i.params.liquidation_bonus_bps)?;
    let underwater = wide_mul(h.collateral_usd, BPS_DENOM) < wide_mul(h.debt_usd, factor);
    let max_repay = if recall {
        mul_div_ceil(h.debt, i.params.close_factor_bps, BPS_DENOM)?.min(i.recall_excess)
    } else if underwater {
        h.debt
    } else {
        mul_div_ceil(h.debt, i.params.close_factor_bps, BPS_DENOM)?
    };
    let repaid = i.repay_amount.min(max_repay).min(h.debt);
    if repaid == 0 {
        return Err(LendingError::ZeroAmount);
    }

    let b = &i.borrow;
    let repaid_usd = token_to_usd_floor(TokenAmount(repaid), b.price_max, b.decimals)?.0;
    let seize_usd = mul_div_floor(repaid_usd, factor, BPS_DENOM)?;
    let collateral = i.loan.collateral_amount;
    let seized = match usd_to_token_floor(Usd(seize_usd), i.coll.price_max, i.coll.decimals) {
        Ok(t) => t.0.min(collateral),
        Err(MathError::Overflow) => collateral,
        Err(e) => return Err(e.into()),
    };
    let collateral_after = checked_sub(collateral, seized)?;
    let remaining = checked_sub(h.debt, repaid)?;

    let (scaled_after, bad_debt, insurance_used) = if collateral_after == 0 && remaining > 0 {
        (0, remaining, remaining.min(i.insurance_balance))
    } else {
        let r = repay_of(i.loan.scaled_debt, h.debt, repaid, b.borrow_index)?;
        (r.scaled_after, 0, 0)
    };
    Ok(LiquidateLoanQuote {
        repaid,
        scaled_after,
        collateral_seized: seized,
        collateral_after,
        bad_debt,
        insurance_used,
        socialized: checked_sub(bad_debt, insurance_used)?,
        ltv_bps_before: h.ltv_bps,
    })
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::math::interest::{accrue_index, borrow_rate, supply_rate, RateCurve};
    use crate::math::SECONDS_PER_YEAR;
    use proptest::prelude::*;

    const USD: u64 = 1_000_000;
    const SOL_PRICE: u64 = 150_000_000_000;
    const USDC_PRICE: u64 = 1_000_000_000;
    const SOL: u64 = 1_000_000_000;
    const USDC: u64 = 1_000_000;

    /// The worked example of the issue: optimal 80 %, slope1 4 %, slope2 75 %, base 0, rf 10 %.
    const CURVE: RateCurve = RateCurve {
        base_rate: 0,
        slope1: 40_000_000,
        slope2: 750_000_000,
        optimal_utilization_bps: 8_000,
        reserve_factor_bps: 1_000,
    };

    #[test]
    fn worked_rates() {
        // At 80 %: borrow 4 %, supply 4 % × 0.8 × 0.9 = 2.88 %.
        let b = borrow_rate(&CURVE, 8_000).unwrap();
        assert_eq!(b, 40_000_000);
        assert_eq!(supply_rate(b, 8_000, 1_000), Ok(28_800_000));
        // At 100 %: borrow 79 %, supply 79 % × 0.9 = 71.1 %.
        let b = borrow_rate(&CURVE, 10_000).unwrap();
        assert_eq!(b, 790_000_000);
        assert_eq!(supply_rate(b, 10_000, 1_000), Ok(711_000_000));
    }

    fn split(lent: u64, old: u64, new: u64) -> LendingAccrual {
        accrue_lending(&LendingAccrualInput {
            lent,
            old_borrow_index: old,
            new_borrow_index: new,
            reserve_factor_bps: 1_000,
            protocol_share_bps: 5_000,
            insurance_share_bps: 5_000,
        })
        .unwrap()
    }

    fn assert_split(a: &LendingAccrual) {
        assert_eq!(a.to_suppliers + a.to_protocol + a.to_insurance, a.interest);
    }

    /// 1,000,000 USDC lent for one year at a constant 4 %: one step gives exactly 40,000 USDC,
    /// of which 10 % is the reserve; 365 daily steps compound (≈ 4.08 %); both split exactly.
    #[test]
    fn worked_year_of_lending() {
        let lent = 1_000_000 * USDC;
        let rate = 40_000_000;

        let one = accrue_index(INDEX_ONE, rate, SECONDS_PER_YEAR, true).unwrap();
        assert_eq!(one, 1_040_000_000_000);
        let a = split(lent, INDEX_ONE, one);
        assert_eq!(a.lent, 1_040_000 * USDC);
        assert_eq!(a.interest, 40_000 * USDC);
        assert_eq!(a.to_suppliers, 36_000 * USDC);
        assert_eq!((a.to_protocol, a.to_insurance), (2_000 * USDC, 2_000 * USDC));
        assert_split(&a);

        let (mut index, mut amount, mut interest, mut credited) = (INDEX_ONE, lent, 0u64, 0u64);
        for _ in 0..365 {
            let next = accrue_index(index, rate, 86_400, true).unwrap();
            let a = split(amount, index, next);
            assert_split(&a);
            interest += a.interest;
            credited += a.to_suppliers + a.to_protocol + a.to_insurance;
            (index, amount) = (next, a.lent);
        }
        assert_eq!(credited, interest);
        assert_eq!(amount, lent + interest);
        // (1 + 0.04/365)^365 − 1 = 4.0808..%: 40,808.48.. USDC, rounded up per step.
        assert!(interest > 40_808 * USDC && interest < 40_809 * USDC, "{interest}");
        // The borrowers' debt on one scaled loan equals the custody's lent amount to the unit.
        let scaled = borrow_scaled(lent, INDEX_ONE).unwrap();
        let debt = debt_tokens(scaled, index).unwrap();
        assert!(debt >= amount - 1 && debt <= amount + 1, "{debt} vs {amount}");
    }

    /// Accruing every second never leaves borrowers better off than one long step: both the
    /// index and the custody's lent amount round up at every step (and compound).
    #[test]
    fn one_second_steps_never_favour_the_borrower() {
        for (rate, lent) in [(40_000_000u64, 1_000_000 * USDC), (790_000_000, 7 * SOL), (1, 3)] {
            let span = 86_400;
            let long = accrue_index(INDEX_ONE, rate, span, true).unwrap();
            let long_lent = split(lent, INDEX_ONE, long).lent;
            let (mut index, mut amount) = (INDEX_ONE, lent);
            for _ in 0..span {
                let next = accrue_index(index, rate, 1, true).unwrap();
                let a = split(amount, index, next);
                assert_split(&a);
                (index, amount) = (next, a.lent);
            }
            assert!(index >= long, "index {index} < {long}");
            assert!(amount >= long_lent, "lent {amount} < {long_lent}");
        }
    }

    #[test]
    fn accrual_edges() {
        let base = LendingAccrualInput {
            lent: 1_000,
            old_borrow_index: INDEX_ONE,
            new_borrow_index: INDEX_ONE + 1,
            reserve_factor_bps: 1_000,
            protocol_share_bps: 3,
            insurance_share_bps: 1,
        };
        // 1000 × (1 + 1e-12) rounds up to 1001: the smallest step still charges a unit.
        let a = accrue_lending(&base).unwrap();
        assert_eq!((a.lent, a.interest, a.to_suppliers), (1_001, 1, 1));
        let a = accrue_lending(&LendingAccrualInput { new_borrow_index: 2 * INDEX_ONE, ..base }).unwrap();
        // interest 1000, reserve 100: protocol floor(75), insurance 25.
        assert_eq!((a.interest, a.to_suppliers, a.to_protocol, a.to_insurance), (1_000, 900, 75, 25));
        let none = LendingAccrualInput {
            new_borrow_index: 2 * INDEX_ONE,
            protocol_share_bps: 0,
            insurance_share_bps: 0,
            ..base
        };
        assert_eq!(accrue_lending(&none).unwrap().to_insurance, 100);
        let same = LendingAccrualInput { new_borrow_index: INDEX_ONE, ..base };
        assert_eq!(accrue_lending(&same).unwrap().interest, 0);
        for (input, err) in [
            (LendingAccrualInput { old_borrow_index: 0, ..base }, MathError::DivideByZero),
            (LendingAccrualInput { new_borrow_index: INDEX_ONE - 1, ..base }, MathError::Underflow),
            (
                LendingAccrualInput { reserve_factor_bps: 20_000, new_borrow_index: 2 * INDEX_ONE, ..base },
                MathError::Underflow,
            ),
            (LendingAccrualInput { lent: u64::MAX, ..base }, MathError::Overflow),
            (LendingAccrualInput { protocol_share_bps: u64::MAX, ..base }, MathError::Overflow),
        ] {
            assert_eq!(accrue_lending(&input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn scaled_debt_and_interest_by_example() {
        let index = 1_100_000_000_000; // 1.1
                                       // 100 USDC at 1.1: ceil(100e6 / 1.1) = 90_909_091 scaled, owing ceil(100.0000001e6).
        assert_eq!(borrow_scaled(100 * USDC, index), Ok(90_909_091));
        assert_eq!(debt_tokens(90_909_091, index), Ok(100_000_001));
        assert_eq!(repay_scaled(100 * USDC, index), Ok(90_909_090));
        assert_eq!(borrow_scaled(1, 0), Err(MathError::DivideByZero));
        assert_eq!(debt_tokens(u64::MAX, 2 * INDEX_ONE), Err(MathError::Overflow));
        // 1,000 at 1.0 → 1.05: 50 earned.
        assert_eq!(supply_interest(1_000, 1_050_000_000_000, INDEX_ONE), Ok(50));
        assert_eq!(supply_interest(1_000, INDEX_ONE, INDEX_ONE + 1), Ok(0));
        assert_eq!(supply_interest(1, 1, 0), Err(MathError::DivideByZero));

        let pnl = |profit, usd| PnlInterestInput {
            pnl_profit: profit,
            pnl_usd: usd,
            supply_index_now: 1_028_800_000_000,
            supply_snapshot: INDEX_ONE,
            borrow_index_now: 1_040_000_000_001,
            borrow_snapshot: INDEX_ONE,
        };
        // $1,000 profit earns 2.88 %, a $1,000 loss pays 4 % (plus a rounded-up micro-dollar).
        assert_eq!(pnl_interest(&pnl(true, 1_000 * USD)), Ok(Pnl { profit: true, usd: 28_800_000 }));
        assert_eq!(pnl_interest(&pnl(false, 1_000 * USD)), Ok(Pnl { profit: false, usd: 40_000_001 }));
        assert_eq!(pnl_interest(&pnl(true, 0)), Ok(Pnl::default()));
        assert_eq!(pnl_interest(&pnl(false, 0)), Ok(Pnl::default()));
    }

    #[test]
    fn ltv_edges() {
        assert_eq!(ltv_bps(0, 0), 0);
        assert_eq!(ltv_bps(1, 0), u64::MAX);
        assert_eq!(ltv_bps(0, 5), 0);
        assert_eq!(ltv_bps(2, 3), 6_667);
        assert_eq!(ltv_bps(u64::MAX, 1), u64::MAX);
    }

    /// 10 SOL at $150 backing a USDC loan; max LTV 75 %, liquidation 80 %, bonus 5 %, close 50 %.
    fn sol_usdc(collateral: u64, scaled_debt: u64) -> LiquidateLoanInput {
        LiquidateLoanInput {
            loan: LoanState { collateral_amount: collateral, scaled_debt },
            repay_amount: u64::MAX,
            coll: LoanCollateralSide {
                decimals: 9,
                price_min: Price(SOL_PRICE),
                price_max: Price(SOL_PRICE + 150_000_000), // 10 bps wider
            },
            borrow: LoanBorrowSide {
                decimals: 6,
                price_max: Price(USDC_PRICE),
                borrow_index: INDEX_ONE,
                owned: 10_000_000 * USDC,
                locked: 2_000_000 * USDC,
                lent: 1_000_000 * USDC,
                lendable: 10_000_000 * USDC,
                buffer_bps: 1_000,
                max_utilization_bps: 9_000,
                collateral_room: 0,
            },
            params: LoanParams {
                max_ltv_bps: 7_500,
                liquidation_ltv_bps: 8_000,
                liquidation_bonus_bps: 500,
                close_factor_bps: 5_000,
            },
            insurance_balance: 0,
            recall_excess: 0,
        }
    }

    fn borrow_input(l: &LiquidateLoanInput, amount: u64) -> BorrowInput {
        BorrowInput { loan: l.loan, amount, coll: l.coll, borrow: l.borrow, params: l.params }
    }

    fn health_input(l: &LiquidateLoanInput) -> LoanHealthInput {
        LoanHealthInput { loan: l.loan, coll: l.coll, borrow: l.borrow, params: l.params }
    }

    #[test]
    fn borrow_by_example() {
        let l = sol_usdc(10 * SOL, 0);
        // $1,500 of collateral: $1,125 borrowable at 75 %.
        let q = quote_borrow(&borrow_input(&l, 1_125 * USDC)).unwrap();
        assert_eq!(q.scaled_delta, 1_125 * USDC);
        assert_eq!((q.debt_after, q.debt_usd_after), (1_125 * USDC, 1_125 * USD));
        assert_eq!((q.collateral_usd, q.ltv_bps_after), (1_500 * USD, 7_500));
        assert_eq!(quote_borrow(&borrow_input(&l, 1_125 * USDC + 1)), Err(LendingError::LtvTooHigh));
        assert_eq!(quote_borrow(&borrow_input(&l, 0)), Err(LendingError::ZeroAmount));
        // Room: 10M − 1M buffer − 2M locked − 1M lent = 6M; utilization cap 90 % of 10M = 9M,
        // i.e. 6M more: room binds first unless lendable is smaller.
        let mut big = sol_usdc(1_000_000 * SOL, 0);
        assert!(quote_borrow(&borrow_input(&big, 6_000_000 * USDC)).is_ok());
        assert_eq!(quote_borrow(&borrow_input(&big, 6_000_000 * USDC + 1)), Err(LendingError::InsufficientLiquidity));
        big.borrow.lendable = 8_000_000 * USDC; // 90 % = 7.2M: 4.2M more.
        assert!(quote_borrow(&borrow_input(&big, 4_200_000 * USDC)).is_ok());
        assert_eq!(quote_borrow(&borrow_input(&big, 4_200_000 * USDC + 1)), Err(LendingError::UtilizationTooHigh));
        // Locked tokens and the buffer above owned: nothing to lend.
        big.borrow.locked = 9_500_000 * USDC;
        assert_eq!(quote_borrow(&borrow_input(&big, 1)), Err(LendingError::InsufficientLiquidity));
        big.borrow.locked = 0;
        big.borrow.borrow_index = 0;
        assert_eq!(quote_borrow(&borrow_input(&big, 1)), Err(LendingError::Math(MathError::DivideByZero)));
    }

    #[test]
    fn repay_and_withdraw_by_example() {
        let index = 1_100_000_000_000;
        let r = |amount| quote_repay(&RepayInput { scaled_debt: 90_909_091, amount, borrow_index: index });
        assert_eq!(r(0), Err(LendingError::ZeroAmount));
        let all = r(u64::MAX).unwrap();
        assert_eq!((all.repaid, all.scaled_delta, all.scaled_after), (100_000_001, 90_909_091, 0));
        let part = r(50 * USDC).unwrap();
        assert_eq!((part.repaid, part.scaled_delta, part.scaled_after), (50 * USDC, 45_454_545, 45_454_546));
        // What is left owes ceil(45_454_546 × 1.1) = 50_000_001: never less than debt − repaid.
        assert_eq!(debt_tokens(part.scaled_after, index), Ok(50_000_001));

        let l = sol_usdc(10 * SOL, 1_125 * USDC);
        let w = |amount| {
            quote_withdraw_collateral(&WithdrawCollateralInput {
                loan: l.loan,
                amount,
                coll: l.coll,
                borrow: l.borrow,
                params: l.params,
            })
        };
        assert_eq!(w(0), Err(LendingError::ZeroAmount));
        assert_eq!(w(10 * SOL + 1), Err(LendingError::InsufficientCollateral));
        assert_eq!(w(1), Err(LendingError::LtvTooHigh)); // already at 75 %
        let no_debt = WithdrawCollateralInput {
            loan: LoanState { collateral_amount: 10 * SOL, scaled_debt: 0 },
            amount: 10 * SOL,
            coll: LoanCollateralSide::default(), // no prices needed without debt
            borrow: l.borrow,
            params: l.params,
        };
        assert_eq!(
            quote_withdraw_collateral(&no_debt),
            Ok(WithdrawCollateralQuote { collateral_after: 0, ltv_bps_after: 0 })
        );
    }

    #[test]
    fn liquidation_by_example() {
        // $1,125 debt on 10 SOL: at $150, 75 % → not liquidatable.
        let mut l = sol_usdc(10 * SOL, 1_125 * USDC);
        assert_eq!(quote_liquidate_loan(&l), Err(LendingError::NotLiquidatable));
        // Liquidation price: 10 × P < 1_125 / 0.8 = 1_406.25 → P < $140.625.
        let p = loan_liquidation_price(&health_input(&l)).unwrap().unwrap();
        assert_eq!(p, Price(140_624_999_999));
        // At $140: $1,400 of collateral, LTV 80.36 % → liquidatable, not underwater (1.05 × 1125
        // = 1181.25 < 1400): at most half the debt.
        l.coll.price_min = Price(140_000_000_000);
        l.coll.price_max = Price(140_000_000_000);
        let q = quote_liquidate_loan(&l).unwrap();
        assert_eq!(q.ltv_bps_before, 8_036);
        assert_eq!(q.repaid, 562_500_000);
        // $562.5 × 1.05 = $590.625 at $140 = 4.21875 SOL.
        assert_eq!(q.collateral_seized, 4_218_750_000);
        assert_eq!(q.collateral_after, 10 * SOL - 4_218_750_000);
        assert_eq!(q.scaled_after, 562_500_000);
        assert_eq!((q.bad_debt, q.insurance_used, q.socialized), (0, 0, 0));
        l.repay_amount = 0;
        assert_eq!(quote_liquidate_loan(&l), Err(LendingError::ZeroAmount));

        // At $100: $1,000 < $1,181.25 → underwater, the whole debt may go. Repaying it all would
        // seize $1,181.25 = 11.8 SOL: capped at the 10 SOL, no debt left.
        l.coll.price_min = Price(100_000_000_000);
        l.coll.price_max = Price(100_000_000_000);
        l.repay_amount = u64::MAX;
        let q = quote_liquidate_loan(&l).unwrap();
        assert_eq!((q.repaid, q.collateral_seized, q.collateral_after), (1_125 * USDC, 10 * SOL, 0));
        assert_eq!((q.scaled_after, q.bad_debt), (0, 0));
        // Repaying $900 seizes $945 = 9.45 SOL: the rest stays (no bad debt yet).
        l.repay_amount = 900 * USDC;
        let q = quote_liquidate_loan(&l).unwrap();
        assert_eq!((q.collateral_seized, q.bad_debt, q.scaled_after), (9_450_000_000, 0, 225 * USDC));
        // Repaying $1,000 seizes $1,050 → capped at 10 SOL: $125 of bad debt, $100 from insurance.
        l.repay_amount = 1_000 * USDC;
        l.insurance_balance = 100 * USDC;
        let q = quote_liquidate_loan(&l).unwrap();
        assert_eq!((q.collateral_seized, q.collateral_after), (10 * SOL, 0));
        assert_eq!((q.bad_debt, q.insurance_used, q.socialized), (125 * USDC, 100 * USDC, 25 * USDC));
        assert_eq!(q.scaled_after, 0);
        // A zero close factor allows nothing unless underwater.
        let mut c = sol_usdc(10 * SOL, 1_125 * USDC);
        c.coll.price_min = Price(140_000_000_000);
        c.params.close_factor_bps = 0;
        assert_eq!(quote_liquidate_loan(&c), Err(LendingError::ZeroAmount));
        // A tiny price: the seized amount overflows u64 and is capped at the collateral.
        let mut tiny = sol_usdc(u64::MAX, 1_000_000 * USDC);
        tiny.coll = LoanCollateralSide { decimals: 18, price_min: Price(1), price_max: Price(1) };
        let q = quote_liquidate_loan(&tiny).unwrap();
        assert_eq!(q.collateral_seized, u64::MAX);
    }

    #[test]
    fn liquidation_price_edges() {
        let l = sol_usdc(10 * SOL, 1_125 * USDC);
        let h = |f: &dyn Fn(&mut LoanHealthInput)| {
            let mut i = health_input(&l);
            f(&mut i);
            loan_liquidation_price(&i)
        };
        assert_eq!(h(&|i| i.loan.scaled_debt = 0), Ok(None));
        assert_eq!(h(&|i| i.borrow.price_max = Price(0)), Ok(None));
        assert_eq!(h(&|i| i.params.liquidation_ltv_bps = u64::MAX), Ok(None));
        assert_eq!(h(&|i| i.loan.collateral_amount = 0), Ok(Some(Price(u64::MAX))));
        assert_eq!(h(&|i| i.params.liquidation_ltv_bps = 0), Ok(Some(Price(u64::MAX))));
        // One lamport of collateral backing $1,125 at 80 %: the price must exceed $1.4e12.
        assert_eq!(h(&|i| i.loan.collateral_amount = 1), Ok(Some(Price(u64::MAX))));
        assert_eq!(h(&|i| i.coll.decimals = 19), Err(MathError::InvalidDecimals));
        assert_eq!(
            h(&|i| {
                i.params.liquidation_ltv_bps = 1;
                i.loan.scaled_debt = u64::MAX / 2;
            }),
            Err(MathError::Overflow)
        );
        // A huge collateral: liquidatable only at price 0.
        assert_eq!(
            h(&|i| {
                i.loan.collateral_amount = u64::MAX;
                i.loan.scaled_debt = 1;
            }),
            Ok(Some(Price(0)))
        );
    }

    // -----------------------------------------------------------------------------------------
    // Properties
    // -----------------------------------------------------------------------------------------

    /// A custody's books; `identity` is the accounting identity every quote must keep.
    #[derive(Clone, Copy, Debug)]
    struct Books {
        vault: i128,
        lent: i128,
        owned: i128,
        collateral: i128,
        loan_collateral: i128,
        protocol: i128,
        insurance: i128,
    }

    impl Books {
        fn identity(&self) -> bool {
            self.vault + self.lent
                == self.owned + self.collateral + self.loan_collateral + self.protocol + self.insurance
        }
        fn non_negative(&self) -> bool {
            [self.vault, self.lent, self.owned, self.collateral, self.loan_collateral, self.protocol, self.insurance]
                .iter()
                .all(|x| *x >= 0)
        }
        /// `lent −= x`, any shortfall taken from `owned` (the processor's rule for rounding drift).
        fn take_lent(&mut self, x: i128) {
            let from_lent = x.min(self.lent);
            self.lent -= from_lent;
            self.owned += x - from_lent;
        }
    }

    /// A consistent custody: random claims, a random part of them lent out.
    fn books() -> impl Strategy<Value = Books> {
        (0u64..1 << 50, 0u64..1 << 45, 0u64..1 << 45, 0u64..1 << 40, 0u64..1 << 40, 0u64..=100).prop_map(
            |(owned, collateral, loan_collateral, protocol, insurance, lent_pct)| {
                let claims =
                    owned as i128 + collateral as i128 + loan_collateral as i128 + protocol as i128 + insurance as i128;
                let lent = owned as i128 * lent_pct as i128 / 100;
                Books {
                    vault: claims - lent,
                    lent,
                    owned: owned as i128,
                    collateral: collateral as i128,
                    loan_collateral: loan_collateral as i128,
                    protocol: protocol as i128,
                    insurance: insurance as i128,
                }
            },
        )
    }

    #[derive(Clone, Copy, Debug)]
    struct Tok {
        decimals: u8,
        price: u64,
    }

    const TOKS: [Tok; 3] = [
        Tok { decimals: 9, price: SOL_PRICE },
        Tok { decimals: 8, price: 95_000_000_000_000 },
        Tok { decimals: 6, price: USDC_PRICE },
    ];

    /// A realistic loan: a collateral token and a borrowed token (SOL, BTC, USDC), prices moved
    /// and widened, a growing borrow index, parameters, a loan near its limits.
    fn scenario() -> impl Strategy<Value = LiquidateLoanInput> {
        (
            (0usize..3, 0usize..3, 2_000u64..30_000, 0u64..30, 0u64..30),
            (INDEX_ONE..3 * INDEX_ONE, 1u64..1 << 44, 0u64..1 << 48, 0u64..12_000),
            (5_000u64..9_000, 0u64..1_500, 0u64..1_000, 0u64..=13_000),
            (any::<u64>(), 0u64..1 << 44, 0u64..3),
        )
            .prop_map(
                |(
                    (ct, bt, move_bps, wc, wb),
                    (index, coll_amt, scaled, ltv_mul),
                    (max_ltv, gap, bonus, cf),
                    (repay, insurance, kind),
                )| {
                    let (c, b) = (TOKS[ct], TOKS[bt]);
                    let cp = c.price / 10_000 * move_bps;
                    let bp = b.price;
                    let coll = LoanCollateralSide {
                        decimals: c.decimals,
                        price_min: Price(cp),
                        price_max: Price(cp + cp / 10_000 * wc),
                    };
                    // Scale the debt to the collateral's value so LTVs land around the limits.
                    let coll_usd = coll_amt as u128 * cp as u128 / 10u128.pow(c.decimals as u32 + 3);
                    let debt_usd = coll_usd * ltv_mul as u128 / 10_000;
                    let debt_tokens = debt_usd * 10u128.pow(b.decimals as u32 + 3) / bp as u128;
                    let scaled_debt = ((debt_tokens * INDEX_ONE as u128 / index as u128) as u64).max(scaled % 3);
                    LiquidateLoanInput {
                        loan: LoanState { collateral_amount: coll_amt, scaled_debt },
                        repay_amount: match repay % 6 {
                            0 | 1 => u64::MAX,
                            2 => 0,
                            _ => repay % (debt_tokens as u64 + 2),
                        },
                        coll,
                        borrow: LoanBorrowSide {
                            decimals: b.decimals,
                            price_max: Price(bp + bp / 10_000 * wb),
                            borrow_index: index,
                            owned: 1 << 52,
                            locked: 1 << 50,
                            lent: 1 << 49,
                            lendable: 1 << 52,
                            buffer_bps: 1_000,
                            max_utilization_bps: 9_500,
                            collateral_room: 0,
                        },
                        params: LoanParams {
                            max_ltv_bps: max_ltv,
                            liquidation_ltv_bps: max_ltv + gap,
                            liquidation_bonus_bps: bonus,
                            close_factor_bps: cf.min(10_000),
                        },
                        insurance_balance: if kind == 0 { 0 } else { insurance },
                        recall_excess: 0,
                    }
                },
            )
    }

    /// The scenarios reach every branch the properties are about.
    #[test]
    fn scenarios_reach_every_branch() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let mut seen = std::collections::BTreeMap::<&str, u32>::new();
        for _ in 0..3_000 {
            let s = scenario().new_tree(&mut runner).unwrap().current();
            let key = match quote_liquidate_loan(&s) {
                Ok(q) if q.bad_debt > 0 && q.insurance_used > 0 && q.socialized > 0 => "bad debt split",
                Ok(q) if q.bad_debt > 0 && q.socialized == 0 => "bad debt insured",
                Ok(q) if q.bad_debt > 0 => "bad debt socialized",
                Ok(q) if q.collateral_after == 0 => "all collateral",
                Ok(q) if q.scaled_after == 0 => "debt cleared",
                Ok(_) => "partial",
                Err(LendingError::NotLiquidatable) => "healthy",
                Err(LendingError::ZeroAmount) => "zero",
                Err(_) => "other error",
            };
            *seen.entry(key).or_default() += 1;
            let ok = quote_borrow(&borrow_input(&s, s.loan.scaled_debt / 7 + 1)).is_ok();
            *seen.entry(if ok { "borrow ok" } else { "borrow refused" }).or_default() += 1;
        }
        std::eprintln!("{seen:?}");
        for key in [
            "bad debt split",
            "bad debt insured",
            "bad debt socialized",
            "debt cleared",
            "partial",
            "healthy",
            "zero",
            "borrow ok",
            "borrow refused",
        ] {
            assert!(seen.get(key).copied().unwrap_or(0) > 5, "{key}: {seen:?}");
        }
        assert!(!seen.contains_key("other error"), "{seen:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        /// The accrual keeps the identity and splits the interest exactly.
        #[test]
        fn accrual_keeps_the_books(mut bk in books(), old in INDEX_ONE..4 * INDEX_ONE, growth in 0u64..INDEX_ONE, rf in 0u64..=10_000, p in 0u64..10_000, ins in 0u64..10_000) {
            let lent = bk.lent as u64;
            let a = accrue_lending(&LendingAccrualInput { lent, old_borrow_index: old, new_borrow_index: old + growth, reserve_factor_bps: rf, protocol_share_bps: p, insurance_share_bps: ins }).unwrap();
            prop_assert_eq!(a.to_suppliers + a.to_protocol + a.to_insurance, a.interest);
            prop_assert_eq!(a.lent, lent + a.interest);
            // Rounded up: never less than the exact growth.
            prop_assert!(a.lent as u128 * old as u128 >= lent as u128 * (old + growth) as u128);
            bk.lent = a.lent as i128;
            bk.owned += a.to_suppliers as i128;
            bk.protocol += a.to_protocol as i128;
            bk.insurance += a.to_insurance as i128;
            prop_assert!(bk.identity());
        }

        /// Borrow, repay, withdraw and liquidate keep both custodies' identity; borrowing never
        /// adds less debt than the amount, repaying never removes more than paid, a liquidation
        /// seizes at most the repaid value plus the bonus.
        #[test]
        fn quotes_keep_the_books(s in scenario(), borrowed in books(), collateral in books(), frac in 1u64..=10_000) {
            let mut bb = borrowed;
            let mut cb = collateral;
            // The loan's debt and collateral are part of the custodies' books.
            let debt = debt_tokens(s.loan.scaled_debt, s.borrow.borrow_index).unwrap();
            // (lent out of `owned`: both sides grow by the debt, the vault does not move).
            bb.lent += debt as i128;
            bb.owned += debt as i128;
            cb.loan_collateral += s.loan.collateral_amount as i128;
            cb.vault += s.loan.collateral_amount as i128;
            prop_assert!(bb.identity() && cb.identity());

            // borrow
            let amount = (debt / 10_000 * frac).max(1);
            let mut bi = borrow_input(&s, amount);
            bi.borrow.owned = bb.owned as u64;
            bi.borrow.lent = bb.lent as u64;
            bi.borrow.locked = 0;
            bi.borrow.lendable = bb.owned as u64;
            if let Ok(q) = quote_borrow(&bi) {
                let before = debt_tokens(s.loan.scaled_debt, s.borrow.borrow_index).unwrap();
                prop_assert!(q.debt_after >= before + amount);
                prop_assert!(q.ltv_bps_after <= s.params.max_ltv_bps);
                prop_assert!(bi.borrow.lent + amount <= bi.borrow.owned);
                let mut b2 = bb;
                b2.lent += amount as i128;
                b2.vault -= amount as i128;
                prop_assert!(b2.identity());
            }

            // repay
            let r = quote_repay(&RepayInput { scaled_debt: s.loan.scaled_debt, amount: amount.min(s.repay_amount).max(1), borrow_index: s.borrow.borrow_index });
            if let Ok(q) = r {
                let after = debt_tokens(q.scaled_after, s.borrow.borrow_index).unwrap();
                prop_assert!(after + q.repaid >= debt);
                prop_assert!(q.repaid <= debt);
                let mut b2 = bb;
                b2.vault += q.repaid as i128;
                b2.take_lent(q.repaid as i128);
                prop_assert!(b2.identity() && b2.non_negative());
            } else {
                prop_assert_eq!(r, Err(LendingError::ZeroAmount));
            }

            // withdraw
            let w = WithdrawCollateralInput { loan: s.loan, amount: s.loan.collateral_amount / 10_000 * frac, coll: s.coll, borrow: s.borrow, params: s.params };
            if let Ok(q) = quote_withdraw_collateral(&w) {
                prop_assert!(q.ltv_bps_after <= s.params.max_ltv_bps);
                let mut c2 = cb;
                c2.loan_collateral -= w.amount as i128;
                c2.vault -= w.amount as i128;
                prop_assert!(c2.identity() && c2.non_negative());
            }

            // liquidate
            match quote_liquidate_loan(&s) {
                Ok(q) => {
                    let h = loan_health(&health_input(&s)).unwrap();
                    prop_assert!(h.liquidatable);
                    prop_assert!(q.repaid > 0 && q.repaid <= h.debt);
                    prop_assert_eq!(q.collateral_after + q.collateral_seized, s.loan.collateral_amount);
                    // Seized value (at the MAX price) at most the repaid value plus the bonus.
                    let seized_usd = q.collateral_seized as u128 * s.coll.price_max.0 as u128 / 10u128.pow(s.coll.decimals as u32 + 3);
                    let repaid_usd = q.repaid as u128 * s.borrow.price_max.0 as u128 / 10u128.pow(s.borrow.decimals as u32 + 3);
                    prop_assert!(seized_usd * 10_000 <= repaid_usd * (10_000 + s.params.liquidation_bonus_bps as u128));
                    // Debt after plus repaid plus written off covers the debt before.
                    let after = debt_tokens(q.scaled_after, s.borrow.borrow_index).unwrap();
                    prop_assert!(after + q.repaid + q.bad_debt >= h.debt);
                    if q.bad_debt > 0 {
                        prop_assert_eq!(q.collateral_after, 0);
                        prop_assert_eq!(q.bad_debt, h.debt - q.repaid);
                        prop_assert_eq!(q.insurance_used + q.socialized, q.bad_debt);
                        prop_assert!(q.insurance_used <= s.insurance_balance);
                    }
                    let mut b2 = bb;
                    b2.insurance += s.insurance_balance as i128; // the fund the quote draws on
                    b2.vault += s.insurance_balance as i128;
                    b2.vault += q.repaid as i128;
                    b2.take_lent((q.repaid + q.bad_debt) as i128);
                    b2.insurance -= q.insurance_used as i128;
                    b2.owned -= q.socialized as i128;
                    prop_assert!(b2.identity());
                    let mut c2 = cb;
                    c2.loan_collateral -= q.collateral_seized as i128;
                    c2.vault -= q.collateral_seized as i128;
                    prop_assert!(c2.identity() && c2.non_negative());
                }
                Err(LendingError::NotLiquidatable) => {
                    prop_assert!(!loan_health(&health_input(&s)).unwrap().liquidatable);
                }
                Err(e) => prop_assert_eq!(e, LendingError::ZeroAmount),
            }
        }

        /// The liquidation price is exact: liquidatable at it, not one unit above.
        #[test]
        fn liquidation_price_is_the_boundary(s in scenario()) {
            let mut i = health_input(&s);
            match loan_liquidation_price(&i).unwrap() {
                None => {
                    i.coll.price_min = Price(0);
                    prop_assert!(!loan_health(&i).unwrap().liquidatable);
                }
                Some(p) => {
                    i.coll.price_min = p;
                    if let Ok(h) = loan_health(&i) {
                        prop_assert!(h.liquidatable, "not liquidatable at {:?}", p);
                    }
                    if p.0 < u64::MAX {
                        i.coll.price_min = Price(p.0 + 1);
                        if let Ok(h) = loan_health(&i) {
                            prop_assert!(!h.liquidatable, "liquidatable above {:?}", p);
                        }
                    }
                }
            }
        }
    }
}
