use pinocchio::AccountView;

use super::proposal::{check_due, close_proposal, load_proposal, AdminPool};
use crate::{
    discriminator::event,
    error::PerpoolError,
    events,
    instruction::args,
    reader::Reader,
    state::{proposal::PROPOSAL_POOL, PoolParams, Proposal},
    util::{unix_timestamp, Result},
};

/// Accounts of `execute_pool_params` (admin): applies a pool settings proposal whose
/// timelock has passed, after validating it again, and closes it (see `proposal`). A
/// proposal lowers the timelock only when it was proposed as a lowering (below the
/// timelock of its time): one made before a `raise_timelock` that would undo the raise is
/// refused, so that no raise is reverted by a change announced as something else.
/// 0. `[writable, signer]` admin — receives the proposal's rent
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` proposal — a pool settings proposal of this pool
pub struct ExecutePoolParams<'a> {
    pub ix: AdminPool<'a>,
    pub proposal_account: &'a AccountView,
    pub proposal: &'a Proposal,
}

impl<'a> TryFrom<&'a [AccountView]> for ExecutePoolParams<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool, proposal_account, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let ix = AdminPool::load(admin, config, pool)?;
        let proposal = load_proposal(proposal_account, pool.address(), Some(PROPOSAL_POOL), Some(pool.address()))?;
        Ok(Self { ix, proposal_account, proposal })
    }
}

pub fn process_execute_pool_params(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ExecutePoolParams {} = args::ExecutePoolParams::read(data)?;
    let ExecutePoolParams { ix, proposal_account, proposal } = ExecutePoolParams::try_from(accounts)?;
    check_due(proposal, ix.pool, unix_timestamp()?)?;
    let mut r = Reader::new(proposal.payload());
    let params = PoolParams::read(&mut r).map_err(|_| PerpoolError::InvalidAccountData)?;
    r.finish().map_err(|_| PerpoolError::InvalidAccountData)?;
    params.validate(ix.config.min_timelock_secs)?;
    let timelock_when_proposed = proposal.eta.saturating_sub(proposal.proposed_at);
    if params.timelock_secs < ix.pool.timelock_secs && params.timelock_secs as i64 >= timelock_when_proposed {
        return Err(PerpoolError::TimelockRaisedSince);
    }
    ix.pool.set_params(&params);
    events::pool_params_event(event::POOL_PARAMS_EXECUTED, proposal_account.address(), proposal);
    close_proposal(proposal_account, ix.admin, ix.pool)
}
