use crate::math::checked_add;
use crate::CustodyOps;
use pinocchio::AccountView;
use pinocchio_token::instructions::MintTo;

use super::{
    lp_account,
    valuation::{value_pool, PriceSide, Target},
};
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    math::{quote_add_liquidity, AddLiquidityInput},
    profile::{mark, Phase},
    state::{config::PAUSE_LIQUIDITY, load, load_mut, Config, Custody, Pool},
    util::{
        check_funding, check_signer, check_system_program, check_token_account, check_token_program, check_vault,
        check_writable, now, transfer_from_user, PoolSigner, Result,
    },
};

perpool_core::source_file!();

/// Accounts of `add_liquidity(amount_in, min_lp_out)`:
/// 0. `[writable, signer]` owner — pays rent of the LP record on first deposit
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` custody — the deposited asset
/// 4. `[writable]` vault — the custody's vault
/// 5. `[writable]` funding_account — owner's token account of the asset
/// 6. `[writable]` lp_mint — the pool's LP mint
/// 7. `[writable]` lp_token_account — receives the owner's LP tokens whose cooldown is over (and,
///    with no cooldown, the new ones)
/// 8. `[writable]` lp_account — PDA `["lp_account", pool, owner]`, created if absent
/// 9. `[writable]` lp_escrow — the pool's LP escrow: new LP tokens wait out the pool's cooldown
///    here (`lp_account.escrowed_lp`, claimable from `unlock_time`; a new deposit restarts the
///    cooldown of what is still waiting), and the first deposit's dead units stay here forever
/// 10. `[]` token program
/// 11. `[]` system program
/// 12. `[]` custody 0 — the custody list: the pool's custody `i` and its oracle for each used slot
///     (valuation.rs); the unused slots may be left out or hold anything, they are not read
/// 13. `[]` oracle 0
/// 14. `[]` custody 1
/// 15. `[]` oracle 1
/// 16. `[]` custody 2
/// 17. `[]` oracle 2
/// 18. `[]` custody 3
/// 19. `[]` oracle 3
/// 20. `[]` custody 4
/// 21. `[]` oracle 4
/// 22. `[]` custody 5
/// 23. `[]` oracle 5
/// 24. `[]` custody 6
/// 25. `[]` oracle 6
/// 26. `[]` custody 7
/// 27. `[]` oracle 7
///
/// The cooldown follows the tokens, not the owner: LP tokens cannot be redeemed or moved by
/// anyone until they leave the escrow.
pub struct AddLiquidity<'a> {
    pub owner: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a Pool,
    pub custody_account: &'a AccountView,
    pub custody: &'a mut Custody,
    pub vault: &'a AccountView,
    pub funding: &'a AccountView,
    pub lp_mint: &'a AccountView,
    pub lp_token: &'a AccountView,
    pub lp_record: &'a AccountView,
    pub lp_escrow: &'a AccountView,
    pub list: &'a [AccountView],
}

impl<'a> TryFrom<&'a [AccountView]> for AddLiquidity<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [owner, config, pool_account, custody_account, vault, funding, lp_mint, lp_token, lp_record, lp_escrow, token_program, system_program, list @ ..] =
            accounts
        else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(owner)?;
        check_writable(owner)?;
        if load::<Config>(config)?.is_paused(PAUSE_LIQUIDITY) {
            return Err(PerpoolError::Paused);
        }
        let pool = load::<Pool>(pool_account)?;
        let custody = load_mut::<Custody>(custody_account)?;
        if &custody.pool != pool_account.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        check_vault(vault, &custody.vault)?;
        check_writable(funding)?;
        check_funding(funding, &custody.mint, owner)?;
        check_writable(lp_mint)?;
        if lp_mint.address() != &pool.lp_mint {
            return Err(PerpoolError::InvalidMint);
        }
        check_writable(lp_token)?;
        check_token_account(lp_token, &pool.lp_mint)?;
        check_vault(lp_escrow, &pool.lp_escrow)?;
        check_token_program(token_program)?;
        check_system_program(system_program)?;
        Ok(Self {
            owner,
            pool_account,
            pool,
            custody_account,
            custody,
            vault,
            funding,
            lp_mint,
            lp_token,
            lp_record,
            lp_escrow,
            list,
        })
    }
}

pub fn process_add_liquidity(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::AddLiquidity { amount_in, min_lp_out } = args::AddLiquidity::read(data)?;
    let ix = AddLiquidity::try_from(accounts)?;
    mark(Phase::Accounts);
    let clock = now()?;
    mark(Phase::Oracle);
    ix.custody.accrue(clock.unix_timestamp, ix.pool.protocol_fee_share_bps, ix.pool.insurance_fee_share_bps)?;
    mark(Phase::Accrual);

    let valuation = value_pool(
        ix.pool,
        ix.list,
        [Target { key: ix.custody_account.address(), custody: ix.custody }],
        PriceSide::Max,
        clock.unix_timestamp,
    )?;
    mark(Phase::Valuation);
    // SAFETY: the LP mint is owned by the token program (checked by key
    // against the pool's mint) and only read here.
    let lp_supply =
        unsafe { pinocchio_token::state::Mint::from_bytes_unchecked(ix.lp_mint.borrow_unchecked()) }.supply();
    let q = quote_add_liquidity(&AddLiquidityInput {
        amount_in,
        decimals: ix.custody.decimals,
        price: valuation.target_price[0].min,
        custody_usd: valuation.target_usd[0],
        aum_usd: valuation.aum_usd,
        lp_supply,
        target_weight_bps: ix.custody.target_weight_bps as u64,
        max_weight_bps: ix.custody.max_weight_bps as u64,
        base_fee_bps: ix.custody.base_fee_bps as u64,
        tax_fee_bps: ix.custody.tax_fee_bps as u64,
        protocol_share_bps: ix.pool.protocol_fee_share_bps as u64,
        insurance_share_bps: ix.pool.insurance_fee_share_bps as u64,
        max_aum_usd: ix.pool.max_aum_usd,
        min_first_deposit_usd: ix.pool.min_first_deposit_usd,
        dead_lp: ix.pool.dead_lp,
        min_lp_mint: ix.pool.min_lp_mint,
    })?;
    if q.lp_out < min_lp_out {
        return Err(PerpoolError::SlippageExceeded);
    }
    ix.custody.use_price_time(valuation.target_price[0].publish_time);
    mark(Phase::Math);

    let signer = PoolSigner::new(ix.pool);
    let seeds = signer.seeds();
    let lp = lp_account::load_or_create(ix.lp_record, ix.pool_account, ix.owner)?;
    mark(Phase::Accounts);
    // LP tokens whose cooldown is over leave the escrow first.
    if lp.escrowed_lp > 0 && clock.unix_timestamp >= lp.unlock_time {
        pinocchio_token::instructions::Transfer::new(ix.lp_escrow, ix.lp_token, ix.pool_account, lp.escrowed_lp)
            .invoke_signed(&[pinocchio::cpi::Signer::from(&seeds)])?;
        lp.escrowed_lp = 0;
    }
    mark(Phase::Cpi);
    let cooldown = ix.pool.lp_cooldown_secs != 0;
    if cooldown {
        lp.escrowed_lp = checked_add(lp.escrowed_lp, q.lp_out)?;
        lp.unlock_time = clock.unix_timestamp.saturating_add(ix.pool.lp_cooldown_secs as i64);
    }
    lp.last_add_slot = clock.slot;
    lp.deposited_usd = lp.deposited_usd.saturating_add(q.value_in_usd);
    lp.lp_minted = lp.lp_minted.saturating_add(q.lp_out);
    let (escrowed, unlock_time) = (lp.escrowed_lp, lp.unlock_time);

    let c = ix.custody;
    c.owned = checked_add(c.owned, q.owned_increase)?;
    c.protocol_fees = checked_add(c.protocol_fees, q.protocol_fee)?;
    c.insurance = checked_add(c.insurance, q.insurance_fee)?;
    c.cumulative_trading_fees =
        c.cumulative_trading_fees.saturating_add(q.fee.saturating_sub(q.protocol_fee).saturating_sub(q.insurance_fee));
    mark(Phase::State);

    transfer_from_user(ix.funding, ix.vault, ix.owner, amount_in)?;
    let to_escrow = if cooldown { checked_add(q.lp_out, q.dead_lp)? } else { q.dead_lp };
    if to_escrow > 0 {
        MintTo::new(ix.lp_mint, ix.lp_escrow, ix.pool_account, to_escrow)
            .invoke_signed(&[pinocchio::cpi::Signer::from(&seeds)])?;
    }
    if !cooldown {
        MintTo::new(ix.lp_mint, ix.lp_token, ix.pool_account, q.lp_out)
            .invoke_signed(&[pinocchio::cpi::Signer::from(&seeds)])?;
    }
    mark(Phase::Cpi);

    events::liquidity_added(&events::LiquidityAddedEvent {
        pool: ix.pool_account.address(),
        custody: ix.custody_account.address(),
        owner: ix.owner.address(),
        amount_in,
        fee: q.fee,
        fee_bps: q.fee_bps,
        lp_out: q.lp_out,
        value_usd: q.value_in_usd,
        aum_usd: valuation.aum_usd,
        lp_supply: lp_supply.saturating_add(q.lp_out).saturating_add(q.dead_lp),
        price: valuation.target_price[0].min.0,
        escrowed_lp: escrowed,
        unlock_time,
    });
    mark(Phase::Event);
    Ok(())
}
