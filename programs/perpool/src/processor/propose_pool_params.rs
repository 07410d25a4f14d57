use pinocchio::AccountView;

use super::proposal::{create_proposal, AdminPool, NewProposal};
use crate::{
    discriminator::event,
    error::PerpoolError,
    events,
    instruction::args,
    state::proposal::PROPOSAL_POOL,
    util::{check_system_program, unix_timestamp, Result},
};

/// Accounts of `propose_pool_params(params)` (admin): proposes the pool's complete new
/// settings, executable by `execute_pool_params` after the pool's timelock (see `proposal`).
/// 0. `[writable, signer]` admin — pays the proposal's rent (returned on execute or cancel)
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` proposal — PDA `["proposal", pool, pool, pool.proposal_nonce (u64 LE)]`, must not exist
/// 4. `[]` system program
pub struct ProposePoolParams<'a> {
    pub ix: AdminPool<'a>,
    pub proposal: &'a AccountView,
}

impl<'a> TryFrom<&'a [AccountView]> for ProposePoolParams<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool, proposal, system_program, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let ix = AdminPool::load(admin, config, pool)?;
        check_system_program(system_program)?;
        Ok(Self { ix, proposal })
    }
}

pub fn process_propose_pool_params(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ProposePoolParams { params } = args::ProposePoolParams::read(data)?;
    let ProposePoolParams { mut ix, proposal } = ProposePoolParams::try_from(accounts)?;
    params.validate(ix.config.min_timelock_secs)?;
    let pool_key = *ix.pool_account.address();
    let new = NewProposal { kind: PROPOSAL_POOL, target: &pool_key, payload: &[data], now: unix_timestamp()? };
    let p = create_proposal(&mut ix, proposal, &new)?;
    events::pool_params_event(event::POOL_PARAMS_PROPOSED, proposal.address(), p);
    Ok(())
}
