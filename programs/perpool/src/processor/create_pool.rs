use pinocchio::{cpi::Seed, AccountView};
use pinocchio_token::{
    instructions::{InitializeAccount3, InitializeMint2},
    state::{Account as TokenAccount, Mint},
};

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{
        config::PAUSE_LISTING,
        init,
        pool::{LP_DECIMALS, MAX_NAME_LEN},
        Pool, ZeroCopy,
    },
    util::{
        check_pda, check_system_program, check_token_program, check_uninitialized, check_writable, create_pda_account,
        unix_timestamp, NewAccount, Result,
    },
    TOKEN_PROGRAM_ID,
};

/// Accounts of `create_pool(name, params)`; `params.timelock_secs` is at least the config's
/// `min_timelock_secs` (24 h on public clusters, see `proposal`):
/// 0. `[writable, signer]` admin — pays rent
/// 1. `[]` config
/// 2. `[writable]` pool — PDA `["pool", name]`, must not exist
/// 3. `[writable]` lp_mint — PDA `["lp_mint", pool]`, must not exist; created with the pool as mint authority
/// 4. `[writable]` lp_escrow — PDA `["lp_escrow", pool]`, must not exist; the LP token account (owned
///    by the pool) that holds LP tokens during their cooldown and the dead LP units
/// 5. `[]` token program (SPL Token)
/// 6. `[]` system program
pub struct CreatePool<'a> {
    pub admin: &'a AccountView,
    pub pool: &'a AccountView,
    pub lp_mint: &'a AccountView,
    pub lp_escrow: &'a AccountView,
    pub pool_bump: u8,
    pub lp_mint_bump: u8,
    pub lp_escrow_bump: u8,
    /// The config's shortest pool timelock.
    pub min_timelock_secs: u32,
}

impl<'a> CreatePool<'a> {
    fn try_from(accounts: &'a [AccountView], name: &[u8]) -> Result<Self> {
        let [admin, config, pool, lp_mint, lp_escrow, token_program, system_program, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let cfg = load_admin_config(admin, config)?;
        check_writable(admin)?;
        if cfg.is_paused(PAUSE_LISTING) {
            return Err(PerpoolError::Paused);
        }
        check_token_program(token_program)?;
        check_system_program(system_program)?;
        check_uninitialized(pool)?;
        let pool_bump = check_pda(pool, &[b"pool", name])?;
        check_uninitialized(lp_mint)?;
        let lp_mint_bump = check_pda(lp_mint, &[b"lp_mint", pool.address().as_ref()])?;
        check_uninitialized(lp_escrow)?;
        let lp_escrow_bump = check_pda(lp_escrow, &[b"lp_escrow", pool.address().as_ref()])?;
        Ok(Self {
            admin,
            pool,
            lp_mint,
            lp_escrow,
            pool_bump,
            lp_mint_bump,
            lp_escrow_bump,
            min_timelock_secs: cfg.min_timelock_secs,
        })
    }
}

pub fn process_create_pool(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::CreatePool { name, params } = args::CreatePool::read(data)?;
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(PerpoolError::InvalidPoolName);
    }
    let ix = CreatePool::try_from(accounts, name)?;
    params.validate(ix.min_timelock_secs)?;

    let pool_bump = [ix.pool_bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.pool, space: Pool::LEN, owner: &crate::ID },
        &[Seed::from(b"pool"), Seed::from(name), Seed::from(&pool_bump)],
    )?;
    let mint_bump = [ix.lp_mint_bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.lp_mint, space: Mint::LEN, owner: &TOKEN_PROGRAM_ID },
        &[Seed::from(b"lp_mint"), Seed::from(ix.pool.address().as_ref()), Seed::from(&mint_bump)],
    )?;
    InitializeMint2::new(ix.lp_mint, LP_DECIMALS, ix.pool.address(), None).invoke()?;
    let escrow_bump = [ix.lp_escrow_bump];
    create_pda_account(
        &NewAccount { payer: ix.admin, account: ix.lp_escrow, space: TokenAccount::LEN, owner: &TOKEN_PROGRAM_ID },
        &[Seed::from(b"lp_escrow"), Seed::from(ix.pool.address().as_ref()), Seed::from(&escrow_bump)],
    )?;
    InitializeAccount3::new(ix.lp_escrow, ix.lp_mint, ix.pool.address()).invoke()?;

    let now = unix_timestamp()?;
    let pool = init::<Pool>(ix.pool)?;
    pool.bump = ix.pool_bump;
    pool.lp_mint_bump = ix.lp_mint_bump;
    pool.lp_escrow_bump = ix.lp_escrow_bump;
    pool.lp_escrow = *ix.lp_escrow.address();
    pool.name_len = name.len() as u8;
    pool.name[..name.len()].copy_from_slice(name);
    pool.lp_mint = *ix.lp_mint.address();
    pool.set_params(&params);
    pool.inception_time = now;
    events::pool_created(ix.pool.address(), name, ix.lp_mint.address(), now);
    Ok(())
}
