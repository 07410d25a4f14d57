use crate::math::checked_add;
use pinocchio::{cpi::Seed, AccountView};
use pinocchio_token::{instructions::InitializeAccount3, state::Account as TokenAccount};

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events::{self, CustodyAddedEvent},
    instruction::args,
    oracle::check_pyth_account,
    state::{
        config::PAUSE_LISTING, custody::INDEX_ONE, init, load_mut, pool::MAX_CUSTODIES, Custody, CustodyParams, Pool,
        ZeroCopy,
    },
    util::{
        check_feed_account, check_pda, check_system_program, check_token_program, check_uninitialized, check_writable,
        create_pda_account, mint_decimals, unix_timestamp, NewAccount, Result,
    },
    PYTH_RECEIVER_ID, TOKEN_PROGRAM_ID,
};

perpool_core::source_file!();

/// Highest token decimals the fixed-point conversions support.
const MAX_DECIMALS: u8 = 18;

/// Accounts of `add_custody(params)`:
/// 0. `[writable, signer]` admin — pays rent
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` custody — PDA `["custody", pool, mint]`, must not exist
/// 4. `[]` mint — SPL Token mint of the asset
/// 5. `[writable]` vault — PDA `["vault", custody]`, must not exist; token account owned by the pool
/// 6. `[]` oracle — a fully verified `PriceUpdateV2` of the feed, owned by the Pyth receiver,
///    at the PDA `[oracle_shard, feed_id]` of `oracle_program` (its feed, verification and
///    freshness are checked again on every read)
/// 7. `[]` token program
/// 8. `[]` system program
pub struct AddCustody<'a> {
    pub admin: &'a AccountView,
    pub pool_account: &'a AccountView,
    pub pool: &'a mut Pool,
    pub custody: &'a AccountView,
    pub mint: &'a AccountView,
    pub vault: &'a AccountView,
    pub oracle: &'a AccountView,
    pub decimals: u8,
    pub custody_bump: u8,
    pub vault_bump: u8,
}

impl<'a> AddCustody<'a> {
    fn try_from(accounts: &'a [AccountView], params: &CustodyParams) -> Result<Self> {
        let [admin, config, pool_account, custody, mint, vault, oracle, token_program, system_program, ..] = accounts
        else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let cfg = load_admin_config(admin, config)?;
        check_writable(admin)?;
        if cfg.is_paused(PAUSE_LISTING) {
            return Err(PerpoolError::Paused);
        }
        check_token_program(token_program)?;
        check_system_program(system_program)?;
        let pool = load_mut::<Pool>(pool_account)?;
        if pool.custody_count as usize >= MAX_CUSTODIES {
            return Err(PerpoolError::PoolFull);
        }
        let decimals = mint_decimals(mint)?;
        if decimals > MAX_DECIMALS || mint.address() == &pool.lp_mint {
            return Err(PerpoolError::InvalidMint);
        }
        check_uninitialized(custody)?;
        let custody_bump = check_pda(custody, &[b"custody", pool_account.address().as_ref(), mint.address().as_ref()])?;
        check_uninitialized(vault)?;
        let vault_bump = check_pda(vault, &[b"vault", custody.address().as_ref()])?;
        if !oracle.owned_by(&PYTH_RECEIVER_ID) {
            return Err(PerpoolError::InvalidOracleAccount);
        }
        check_feed_account(oracle, params)?;
        // A fully verified price of the feed, as a settings proposal requires (age and confidence
        // are checked on every read).
        check_pyth_account(oracle, &params.feed_id)?;
        Ok(Self { admin, pool_account, pool, custody, mint, vault, oracle, decimals, custody_bump, vault_bump })
    }
}

pub fn process_add_custody(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::AddCustody { params } = args::AddCustody::read(data)?;
    params.validate()?;
    let ix = AddCustody::try_from(accounts, &params)?;
    let pool_key = ix.pool_account.address();
    let custody_key = ix.custody.address();

    let custody_bump = [ix.custody_bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.custody, space: Custody::LEN, owner: &crate::ID },
        &[
            Seed::from(b"custody"),
            Seed::from(pool_key.as_ref()),
            Seed::from(ix.mint.address().as_ref()),
            Seed::from(&custody_bump),
        ],
    )?;
    let vault_bump = [ix.vault_bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.vault, space: TokenAccount::LEN, owner: &TOKEN_PROGRAM_ID },
        &[Seed::from(b"vault"), Seed::from(custody_key.as_ref()), Seed::from(&vault_bump)],
    )?;
    InitializeAccount3::new(ix.vault, ix.mint, pool_key).invoke()?;

    let now = unix_timestamp()?;
    let custody = init::<Custody>(ix.custody)?;
    custody.bump = ix.custody_bump;
    custody.vault_bump = ix.vault_bump;
    custody.decimals = ix.decimals;
    custody.pool = *pool_key;
    custody.mint = *ix.mint.address();
    custody.vault = *ix.vault.address();
    custody.oracle = *ix.oracle.address();
    custody.set_params(&params);
    custody.borrow_index = INDEX_ONE;
    custody.supply_index = INDEX_ONE;
    custody.last_accrual = now;
    custody.last_funding_update = now;
    custody.set_default_risk_params(ix.pool);

    let slot = ix.pool.custody_count as usize;
    if slot == 0 {
        // The first custody also fills every unused slot (see `Pool::custodies`).
        ix.pool.custodies = [*custody_key; MAX_CUSTODIES];
    } else {
        ix.pool.custodies[slot] = *custody_key;
    }
    ix.pool.custody_count = checked_add(ix.pool.custody_count, 1)?;

    events::custody_added(&CustodyAddedEvent {
        pool: pool_key,
        custody: custody_key,
        mint: ix.mint.address(),
        vault: ix.vault.address(),
        oracle: ix.oracle.address(),
        oracle_kind: params.oracle_kind,
        is_stable: params.is_stable,
        decimals: ix.decimals,
    });
    Ok(())
}
