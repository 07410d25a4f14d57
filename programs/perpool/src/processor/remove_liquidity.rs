use crate::math::checked_add;
use crate::CustodyOps;
use pinocchio::AccountView;
use pinocchio_token::instructions::Burn;

use super::{
    lp_account,
    valuation::{value_pool, PriceSide, Target},
};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_remove_liquidity, RemoveLiquidityInput},
    profile::{mark, Phase},
    state::{config::PAUSE_LIQUIDITY, load, load_mut, Config, Custody, Pool},
    util::{
        check_funding, check_receiving, check_signer, check_token_program, check_vault, check_writable, now,
        token_balance, transfer_from_vault, PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `remove_liquidity(lp_in, min_amount_out)`:
/// 0. `[signer]` owner — of the LP tokens
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody — the asset to receive
/// 4. `[writable]` vault — the custody's vault
/// 5. `[writable]` receiving_account — token account of the asset
/// 6. `[writable]` lp_mint
/// 7. `[writable]` lp_token_account — owner's LP tokens, burned
/// 8. `[writable]` lp_account — PDA `["lp_account", pool, owner]` (may not exist)
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
pub struct RemoveLiquidity<'a> {
    pub owner: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub custody_account: &'a AccountView,
    pub custody: &'a mut Custody,
    pub vault: &'a AccountView,
    pub receiving: &'a AccountView,
    pub lp_mint: &'a AccountView,
    pub lp_token: &'a AccountView,
    pub lp_record: &'a AccountView,
    pub list: &'a [AccountView],
}

impl<'a> TryFrom<&'a [AccountView]> for RemoveLiquidity<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [owner, config, pool_account, custody_account, vault, receiving, lp_mint, lp_token, lp_record, token_program, list @ ..] =
            accounts
        else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(owner)?;
        if load::<Config>(config)?.is_paused(PAUSE_LIQUIDITY) {
            return Err(PerpoolError::Paused);
        }
        let pool = load::<Pool>(pool_account)?;
        let custody = load_mut::<Custody>(custody_account)?;
        if &custody.pool != pool_account.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        check_vault(vault, &custody.vault)?;
        check_writable(receiving)?;
        check_receiving(receiving, &custody.mint, &custody.vault)?;
        check_writable(lp_mint)?;
        if lp_mint.address() != &pool.lp_mint {
            return Err(PerpoolError::InvalidMint);
        }
        check_writable(lp_token)?;
        // The owner signs the burn: the LP tokens must be theirs.
        check_funding(lp_token, &pool.lp_mint, owner)?;
        check_token_program(token_program)?;
        Ok(Self {
            owner,
            pool_account,
            pool,
            custody_account,
            custody,
            vault,
            receiving,
            lp_mint,
            lp_token,
            lp_record,
            list,
        })
    }
}

pub fn process_remove_liquidity(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::RemoveLiquidity { lp_in, min_amount_out } = args::RemoveLiquidity::read(data)?;
    let ix = RemoveLiquidity::try_from(accounts)?;
    mark(Phase::Accounts);
    let clock = now()?;
    mark(Phase::Oracle);
    ix.custody.accrue(clock.unix_timestamp, ix.pool.protocol_fee_share_bps, ix.pool.insurance_fee_share_bps)?;
    mark(Phase::Accrual);

    // LP tokens in their cooldown are in the pool's escrow, not in the owner's account: only
    // tokens out of cooldown can be burned here, whoever holds them.
    let record = lp_account::load_existing(ix.lp_record, ix.pool_account, ix.owner)?;
    mark(Phase::Accounts);

    let valuation = value_pool(
        ix.pool,
        ix.list,
        [Target { key: ix.custody_account.address(), custody: ix.custody }],
        PriceSide::Min,
        clock.unix_timestamp,
    )?;
    mark(Phase::Valuation);
    // SAFETY: the LP mint is the pool's (checked by key) and only read here.
    let lp_supply =
        unsafe { pinocchio_token::state::Mint::from_bytes_unchecked(ix.lp_mint.borrow_unchecked()) }.supply();
    let c = &*ix.custody;
    let q = quote_remove_liquidity(&RemoveLiquidityInput {
        lp_in,
        lp_supply,
        aum_usd: valuation.aum_usd,
        decimals: c.decimals,
        price: valuation.target_price[0].max,
        custody_usd: valuation.target_usd[0],
        owned: c.owned,
        // Lent tokens are out of the vault; locked ones back positions.
        available: c.owned.saturating_sub(c.locked).saturating_sub(c.lent),
        target_weight_bps: c.target_weight_bps as u64,
        min_weight_bps: c.min_weight_bps as u64,
        base_fee_bps: c.base_fee_bps as u64,
        tax_fee_bps: c.tax_fee_bps as u64,
        protocol_share_bps: ix.pool.protocol_fee_share_bps as u64,
        insurance_share_bps: ix.pool.insurance_fee_share_bps as u64,
    })?;
    if q.amount_out < min_amount_out {
        return Err(PerpoolError::SlippageExceeded);
    }
    ix.custody.use_price_time(valuation.target_price[0].publish_time);
    mark(Phase::Math);

    if let Some(lp) = record {
        lp.redeemed_usd = lp.redeemed_usd.saturating_add(q.value_usd);
        lp.lp_burned = lp.lp_burned.saturating_add(lp_in);
    }
    let c = ix.custody;
    c.owned = c.owned.checked_sub(q.owned_decrease).ok_or(PerpoolError::InsufficientLiquidity)?;
    c.protocol_fees = checked_add(c.protocol_fees, q.protocol_fee)?;
    c.insurance = checked_add(c.insurance, q.insurance_fee)?;
    c.cumulative_trading_fees =
        c.cumulative_trading_fees.saturating_add(q.fee.saturating_sub(q.protocol_fee).saturating_sub(q.insurance_fee));
    mark(Phase::State);

    if token_balance(ix.lp_token) < lp_in {
        return Err(PerpoolError::InsufficientFunds);
    }
    Burn::new(ix.lp_token, ix.lp_mint, ix.owner, lp_in).invoke()?;
    transfer_from_vault(ix.vault, ix.receiving, ix.pool_account, &PoolSigner::new(ix.pool), q.amount_out)?;
    mark(Phase::Cpi);

    events::liquidity_removed(&events::LiquidityRemovedEvent {
        pool: ix.pool_account.address(),
        custody: ix.custody_account.address(),
        owner: ix.owner.address(),
        lp_in,
        fee: q.fee,
        fee_bps: q.fee_bps,
        amount_out: q.amount_out,
        value_usd: q.value_usd,
        aum_usd: valuation.aum_usd,
        lp_supply: lp_supply.saturating_sub(lp_in),
        price: valuation.target_price[0].max.0,
    });
    mark(Phase::Event);
    Ok(())
}
