use crate::CustodyOps;
use pinocchio::AccountView;

use super::proposal::{check_custody_settings, check_due, close_proposal, load_proposal, AdminPool, CustodyCheck};
use crate::{
    discriminator::event,
    error::PerpoolError,
    events,
    instruction::args,
    reader::Reader,
    state::{load_mut, proposal::PROPOSAL_CUSTODY, Custody, CustodySettings, Proposal},
    util::{unix_timestamp, Result},
};

/// Accounts of `execute_custody_params` (admin): applies a custody settings proposal whose
/// timelock has passed, after validating it again against the pool as it is now, and
/// closes it. Interest and funding are accrued under the old settings first, so a change
/// never applies to the past (see `proposal`).
/// 0. `[writable, signer]` admin — receives the proposal's rent
/// 1. `[]` config
/// 2. `[writable]` pool
/// 3. `[writable]` proposal — a custody settings proposal of this pool
/// 4. `[writable]` custody — the proposal's target
/// 5. `[]` oracle — the proposal's oracle account
///
/// From 6 on: `[]` the pool's other custodies, in pool order (their target weights)
pub struct ExecuteCustodyParams<'a> {
    pub ix: AdminPool<'a>,
    pub proposal_account: &'a AccountView,
    pub proposal: &'a Proposal,
    pub custody_account: &'a AccountView,
    pub custody: &'a mut Custody,
    pub oracle: &'a AccountView,
    pub others: &'a [AccountView],
}

impl<'a> TryFrom<&'a [AccountView]> for ExecuteCustodyParams<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, pool, proposal_account, custody_account, oracle, others @ ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        let ix = AdminPool::load(admin, config, pool)?;
        let custody = load_mut::<Custody>(custody_account)?;
        if &custody.pool != pool.address() {
            return Err(PerpoolError::CustodyMismatch);
        }
        let proposal =
            load_proposal(proposal_account, pool.address(), Some(PROPOSAL_CUSTODY), Some(custody_account.address()))?;
        Ok(Self { ix, proposal_account, proposal, custody_account, custody, oracle, others })
    }
}

pub fn process_execute_custody_params(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ExecuteCustodyParams {} = args::ExecuteCustodyParams::read(data)?;
    let ExecuteCustodyParams { ix, proposal_account, proposal, custody_account, custody, oracle, others } =
        ExecuteCustodyParams::try_from(accounts)?;
    let now = unix_timestamp()?;
    check_due(proposal, ix.pool, now)?;
    let mut r = Reader::new(proposal.payload());
    let settings = CustodySettings::read(&mut r).map_err(|_| PerpoolError::InvalidAccountData)?;
    r.finish().map_err(|_| PerpoolError::InvalidAccountData)?;
    check_custody_settings(&CustodyCheck {
        pool: ix.pool,
        custody_key: custody_account.address(),
        custody,
        settings: &settings,
        oracle,
        others,
    })?;
    custody.accrue(now, ix.pool.protocol_fee_share_bps, ix.pool.insurance_fee_share_bps)?;
    custody.set_params(&settings.params);
    custody.set_risk_params(&settings.risk);
    custody.oracle = settings.oracle;
    events::custody_params_event(event::CUSTODY_PARAMS_EXECUTED, proposal_account.address(), proposal);
    close_proposal(proposal_account, ix.admin, ix.pool)
}
