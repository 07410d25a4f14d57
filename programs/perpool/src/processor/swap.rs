use crate::math::checked_add;
use crate::CustodyOps;
use pinocchio::AccountView;

use super::valuation::{value_pool, PriceSide, Target};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_swap, SwapInput},
    profile::{mark, Phase},
    state::{config::PAUSE_LIQUIDITY, load, load_mut, Config, Custody, Pool},
    util::{
        check_funding, check_receiving, check_signer, check_token_program, check_writable, now, transfer_from_user,
        transfer_from_vault, PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `swap(amount_in, min_amount_out)`:
/// 0. `[signer]` owner
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody_in — the asset paid in
/// 4. `[writable]` vault_in
/// 5. `[writable]` custody_out — the asset received
/// 6. `[writable]` vault_out
/// 7. `[writable]` funding_account — owner's token account of the asset paid in
/// 8. `[writable]` receiving_account — token account of the asset received
/// 9. `[]` token program
/// 10. `[]` custody 0 — the custody list: the pool's custody `i` and its oracle for each used slot
///     (valuation.rs); the unused slots may be left out or hold anything, they are not read
/// 11. `[]` oracle 0
/// 12. `[]` custody 1
/// 13. `[]` oracle 1
/// 14. `[]` custody 2
/// 15. `[]` oracle 2
/// 16. `[]` custody 3
/// 17. `[]` oracle 3
/// 18. `[]` custody 4
/// 19. `[]` oracle 4
/// 20. `[]` custody 5
/// 21. `[]` oracle 5
/// 22. `[]` custody 6
/// 23. `[]` oracle 6
/// 24. `[]` custody 7
/// 25. `[]` oracle 7
pub struct Swap<'a> {
    pub owner: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub in_account: &'a AccountView,
    pub custody_in: &'a mut Custody,
    pub vault_in: &'a AccountView,
    pub out_account: &'a AccountView,
    pub custody_out: &'a mut Custody,
    pub vault_out: &'a AccountView,
    pub funding: &'a AccountView,
    pub receiving: &'a AccountView,
    pub list: &'a [AccountView],
}

impl<'a> TryFrom<&'a [AccountView]> for Swap<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [owner, config, pool_account, in_account, vault_in, out_account, vault_out, funding, receiving, token_program, list @ ..] =
            accounts
        else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(owner)?;
        if load::<Config>(config)?.is_paused(PAUSE_LIQUIDITY) {
            return Err(PerpoolError::Paused);
        }
        let pool = load::<Pool>(pool_account)?;
        if in_account.address() == out_account.address() {
            return Err(PerpoolError::DuplicateAccount);
        }
        let custody_in = load_mut::<Custody>(in_account)?;
        let custody_out = load_mut::<Custody>(out_account)?;
        if &custody_in.pool != pool_account.address() || &custody_out.pool != pool_account.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        check_writable(vault_in)?;
        check_writable(vault_out)?;
        if vault_in.address() != &custody_in.vault || vault_out.address() != &custody_out.vault {
            return Err(PerpoolError::InvalidTokenAccount);
        }
        check_writable(funding)?;
        check_funding(funding, &custody_in.mint, owner)?;
        check_writable(receiving)?;
        check_receiving(receiving, &custody_out.mint, &custody_out.vault)?;
        check_token_program(token_program)?;
        Ok(Self {
            owner,
            pool_account,
            pool,
            in_account,
            custody_in,
            vault_in,
            out_account,
            custody_out,
            vault_out,
            funding,
            receiving,
            list,
        })
    }
}

pub fn process_swap(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::Swap { amount_in, min_amount_out } = args::Swap::read(data)?;
    let ix = Swap::try_from(accounts)?;
    mark(Phase::Accounts);
    let clock = now()?;
    mark(Phase::Oracle);
    let (ps, is) = (ix.pool.protocol_fee_share_bps, ix.pool.insurance_fee_share_bps);
    ix.custody_in.accrue(clock.unix_timestamp, ps, is)?;
    ix.custody_out.accrue(clock.unix_timestamp, ps, is)?;
    mark(Phase::Accrual);

    let v = value_pool(
        ix.pool,
        ix.list,
        [
            Target { key: ix.in_account.address(), custody: ix.custody_in },
            Target { key: ix.out_account.address(), custody: ix.custody_out },
        ],
        PriceSide::Min,
        clock.unix_timestamp,
    )?;
    mark(Phase::Valuation);
    let (ci, co) = (&*ix.custody_in, &*ix.custody_out);
    let q = quote_swap(&SwapInput {
        amount_in,
        in_decimals: ci.decimals,
        in_price: v.target_price[0].min,
        in_custody_usd: v.target_usd[0],
        in_target_bps: ci.target_weight_bps as u64,
        in_max_weight_bps: ci.max_weight_bps as u64,
        in_base_fee_bps: ci.base_fee_bps as u64,
        in_tax_fee_bps: ci.tax_fee_bps as u64,
        out_decimals: co.decimals,
        out_price: v.target_price[1].max,
        out_custody_usd: v.target_usd[1],
        out_target_bps: co.target_weight_bps as u64,
        out_min_weight_bps: co.min_weight_bps as u64,
        out_base_fee_bps: co.base_fee_bps as u64,
        out_tax_fee_bps: co.tax_fee_bps as u64,
        out_available: co.owned.saturating_sub(co.locked).saturating_sub(co.lent),
        aum_usd: v.aum_usd,
        protocol_share_bps: ix.pool.protocol_fee_share_bps as u64,
        insurance_share_bps: ix.pool.insurance_fee_share_bps as u64,
    })?;
    if q.amount_out < min_amount_out {
        return Err(PerpoolError::SlippageExceeded);
    }
    mark(Phase::Math);

    let ci = ix.custody_in;
    ci.owned = checked_add(ci.owned, q.in_owned_increase)?;
    ci.use_price_time(v.target_price[0].publish_time);
    let co = ix.custody_out;
    co.use_price_time(v.target_price[1].publish_time);
    co.owned = co.owned.checked_sub(q.out_owned_decrease).ok_or(PerpoolError::InsufficientLiquidity)?;
    co.protocol_fees = checked_add(co.protocol_fees, q.protocol_fee)?;
    co.insurance = checked_add(co.insurance, q.insurance_fee)?;
    co.cumulative_trading_fees =
        co.cumulative_trading_fees.saturating_add(q.fee.saturating_sub(q.protocol_fee).saturating_sub(q.insurance_fee));
    mark(Phase::State);

    transfer_from_user(ix.funding, ix.vault_in, ix.owner, amount_in)?;
    transfer_from_vault(ix.vault_out, ix.receiving, ix.pool_account, &PoolSigner::new(ix.pool), q.amount_out)?;
    mark(Phase::Cpi);

    events::swapped(&events::SwappedEvent {
        pool: ix.pool_account.address(),
        custody_in: ix.in_account.address(),
        custody_out: ix.out_account.address(),
        owner: ix.owner.address(),
        amount_in,
        amount_out: q.amount_out,
        fee: q.fee,
        fee_bps: q.fee_bps,
        value_usd: q.value_in_usd,
    });
    mark(Phase::Event);
    Ok(())
}
