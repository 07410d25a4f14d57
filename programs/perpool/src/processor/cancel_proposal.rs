use pinocchio::AccountView;

use super::proposal::{close_proposal, load_proposal, AdminPool};
use crate::{
    discriminator::event,
    error::PerpoolError,
    events,
    instruction::args,
    state::{proposal::PROPOSAL_POOL, Proposal},
    util::Result,
};

/// Accounts of `cancel_proposal` (admin): withdraws a pending pool or custody settings
/// proposal, at any time; its rent goes back to the admin (see `proposal`).
/// 0. `[writable, signer]` admin — receives the proposal's rent
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` proposal — of this pool
pub struct CancelProposal<'a> {
    pub ix: AdminPool<'a>,
    pub proposal_account: &'a AccountView,
    pub proposal: &'a Proposal,
}

impl<'a> TryFrom<&'a [AccountView]> for CancelProposal<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool, proposal_account, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let ix = AdminPool::load(admin, config, pool)?;
        let proposal = load_proposal(proposal_account, pool.address(), None, None)?;
        Ok(Self { ix, proposal_account, proposal })
    }
}

pub fn process_cancel_proposal(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::CancelProposal {} = args::CancelProposal::read(data)?;
    let CancelProposal { ix, proposal_account, proposal } = CancelProposal::try_from(accounts)?;
    if proposal.kind == PROPOSAL_POOL {
        events::pool_params_event(event::POOL_PARAMS_CANCELLED, proposal_account.address(), proposal);
    } else {
        events::custody_params_event(event::CUSTODY_PARAMS_CANCELLED, proposal_account.address(), proposal);
    }
    close_proposal(proposal_account, ix.admin, ix.pool)
}
