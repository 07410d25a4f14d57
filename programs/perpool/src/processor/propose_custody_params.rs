use pinocchio::AccountView;

use super::proposal::{check_custody_settings, create_proposal, AdminPool, CustodyCheck, NewProposal};
use crate::{
    discriminator::event,
    error::PerpoolError,
    events,
    instruction::args,
    state::{load, proposal::PROPOSAL_CUSTODY, Custody, CustodySettings},
    util::{check_feed_account, check_system_program, unix_timestamp, Result},
};

/// Accounts of `propose_custody_params(params, risk)` (admin): proposes a custody's complete
/// new settings — its oracle account (the account passed), parameters and risk parameters —
/// executable by `execute_custody_params` after the pool's timelock (see `proposal`).
/// 0. `[writable, signer]` admin — pays the proposal's rent (returned on execute or cancel)
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` proposal — PDA `["proposal", pool, custody, pool.proposal_nonce (u64 LE)]`, must not exist
/// 4. `[]` custody — of this pool
/// 5. `[]` oracle — the new oracle: a `PriceUpdateV2` of the new feed id (Pyth kind), or the custody's test oracle
/// 6. `[]` system program
///
/// From 7 on: `[]` the pool's other custodies, in pool order (their target weights)
pub struct ProposeCustodyParams<'a> {
    pub ix: AdminPool<'a>,
    pub proposal: &'a AccountView,
    pub custody_account: &'a AccountView,
    pub custody: &'a Custody,
    pub oracle: &'a AccountView,
    pub others: &'a [AccountView],
}

impl<'a> TryFrom<&'a [AccountView]> for ProposeCustodyParams<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool, proposal, custody_account, oracle, system_program, others @ ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let ix = AdminPool::load(admin, config, pool)?;
        check_system_program(system_program)?;
        let custody = load::<Custody>(custody_account)?;
        if &custody.pool != pool.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        Ok(Self { ix, proposal, custody_account, custody, oracle, others })
    }
}

pub fn process_propose_custody_params(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ProposeCustodyParams { params, risk } = args::ProposeCustodyParams::read(data)?;
    let ProposeCustodyParams { mut ix, proposal, custody_account, custody, oracle, others } =
        ProposeCustodyParams::try_from(accounts)?;
    let settings = CustodySettings { oracle: *oracle.address(), params, risk };
    check_custody_settings(&CustodyCheck {
        pool: ix.pool,
        custody_key: custody_account.address(),
        custody,
        settings: &settings,
        oracle,
        others,
    })?;
    // The oracle is the feed account the settings name. Checked when proposed only: the address,
    // feed, shard and program are all in the payload, which nothing changes before it executes.
    check_feed_account(oracle, &settings.params)?;
    let new = NewProposal {
        kind: PROPOSAL_CUSTODY,
        target: custody_account.address(),
        payload: &[oracle.address().as_ref(), data],
        now: unix_timestamp()?,
    };
    let p = create_proposal(&mut ix, proposal, &new)?;
    events::custody_params_event(event::CUSTODY_PARAMS_PROPOSED, proposal.address(), p);
    Ok(())
}
