//! Settings under the pool's timelock (SPEC §4 `set_pool_params` /
//! `set_custody_params`): what the proposal instructions share.
//!
//! Every pool and custody setting changes in two steps. `propose_*_params`
//! validates the complete new settings, stores them in a proposal account and
//! announces them in an event; `execute_*_params` applies them once the pool's
//! timelock has passed, after validating them again against the state at that
//! time (other custodies' weights may have changed meanwhile). The admin may
//! `cancel_proposal` at any time. Pauses stay immediate (`set_pause`), and so
//! does raising a timelock (`raise_timelock`); lowering one is a pool settings
//! proposal, which waits out the current delay.
//!
//! The delay: a pool's timelock is at least the config's `min_timelock_secs`,
//! which `init_config` sets once, signed by the program's upgrade authority —
//! who can replace the program anyway, so trusting it with this bound grants
//! nothing new. `migrations/deploy.ts` sets 24 h on public clusters and 0 on
//! local ones (whose pools then change settings at once). The program itself
//! knows nothing of clusters and keeps no test path.

use crate::math::checked_add;
use pinocchio::{AccountView, Address};

use super::load_admin_config;
use crate::{
    error::PerpoolError,
    oracle::check_pyth_account,
    state::{load, load_mut, proposal::PAYLOAD_CAPACITY, Config, Custody, CustodySettings, Pool, Proposal},
    util::{check_writable, create_at_pda, Result},
};

perpool_core::source_file!();

/// The admin, the config and the pool every proposal instruction starts with:
/// 0. `[writable, signer]` admin — pays a proposal's rent, receives it back
/// 1. `[]` config
/// 2. `[writable]` pool
pub struct AdminPool<'a> {
    pub admin: &'a AccountView,
    pub config: &'a Config,
    pub pool_account: &'a AccountView,
    pub pool: &'a mut Pool,
}

impl<'a> AdminPool<'a> {
    pub fn load(admin: &'a AccountView, config: &'a AccountView, pool_account: &'a AccountView) -> Result<Self> {
        let config = load_admin_config(admin, config)?;
        check_writable(admin)?;
        let pool = load_mut::<Pool>(pool_account)?;
        Ok(Self { admin, config, pool_account, pool })
    }
}

/// A proposal about to be created (arguments bundled: upstream BPF passes five at most).
pub struct NewProposal<'a> {
    pub kind: u8,
    pub target: &'a Address,
    /// The encoded settings, in parts that are concatenated.
    pub payload: &'a [&'a [u8]],
    pub now: i64,
}

/// Creates the proposal at `["proposal", pool, target, pool.proposal_nonce]`,
/// due after the pool's timelock, and counts it in the pool.
pub fn create_proposal<'a>(
    ix: &mut AdminPool,
    account: &'a AccountView,
    new: &NewProposal,
) -> Result<&'a mut Proposal> {
    let total: usize = new.payload.iter().map(|p| p.len()).sum();
    if total > PAYLOAD_CAPACITY {
        return Err(PerpoolError::InvalidInstructionData);
    }
    let nonce = ix.pool.proposal_nonce;
    let nonce_seed = nonce.to_le_bytes();
    let (p, bump) = create_at_pda::<Proposal>(
        ix.admin,
        account,
        &[b"proposal", ix.pool_account.address().as_ref(), new.target.as_ref(), &nonce_seed],
    )?;
    p.bump = bump;
    p.kind = new.kind;
    p.pool = *ix.pool_account.address();
    p.target = *new.target;
    p.proposer = *ix.admin.address();
    p.nonce = nonce;
    p.proposed_at = new.now;
    p.eta = new.now.saturating_add(ix.pool.timelock_secs as i64);
    let mut at = 0usize;
    for part in new.payload {
        let end = at.saturating_add(part.len());
        p.payload[at..end].copy_from_slice(part);
        at = end;
    }
    p.payload_len = total as u16;
    ix.pool.proposal_nonce = checked_add(nonce, 1)?;
    ix.pool.pending_proposals = ix.pool.pending_proposals.saturating_add(1);
    Ok(p)
}

/// Loads a proposal of `pool`; `kind` and `target`, when given, must match.
pub fn load_proposal<'a>(
    account: &'a AccountView,
    pool: &Address,
    kind: Option<u8>,
    target: Option<&Address>,
) -> Result<&'a Proposal> {
    check_writable(account)?;
    let p = load::<Proposal>(account)?;
    if &p.pool != pool || kind.is_some_and(|k| k != p.kind) || target.is_some_and(|t| t != &p.target) {
        return Err(PerpoolError::ProposalMismatch);
    }
    Ok(p)
}

/// Refuses a proposal whose timelock has not passed.
#[inline(always)]
pub fn check_due(p: &Proposal, pool: &Pool, now: i64) -> Result<()> {
    if p.is_due(now, pool.timelock_secs) {
        Ok(())
    } else {
        Err(PerpoolError::TimelockNotElapsed)
    }
}

/// Closes an executed or cancelled proposal: its rent to the admin, one fewer pending.
pub fn close_proposal(account: &AccountView, admin: &AccountView, pool: &mut Pool) -> Result<()> {
    pool.pending_proposals = pool.pending_proposals.saturating_sub(1);
    let mut acc = *account;
    let mut to = *admin;
    to.set_lamports(checked_add(to.lamports(), acc.lamports())?);
    acc.set_lamports(0);
    // SAFETY: no reference into the proposal's data is used after this point.
    unsafe { acc.close_unchecked() };
    Ok(())
}

/// What custody settings are checked against (bundled: five arguments at most).
pub struct CustodyCheck<'a> {
    pub pool: &'a Pool,
    pub custody_key: &'a Address,
    pub custody: &'a Custody,
    pub settings: &'a CustodySettings,
    /// The account passed as the new oracle.
    pub oracle: &'a AccountView,
    /// The pool's other custodies, in pool order.
    pub others: &'a [AccountView],
}

/// Every bound of a custody's new settings: the parameters' and risk
/// parameters' own bounds, what is fixed at listing, the oracle account, and
/// the pool's target weights summing to at most 100 % with the new target.
pub fn check_custody_settings(c: &CustodyCheck) -> Result<()> {
    let s = c.settings;
    s.validate()?;
    c.custody.check_fixed_settings(&s.params)?;
    if c.oracle.address() != &s.oracle {
        return Err(PerpoolError::InvalidOracleAccount);
    }
    // `validate` admits Pyth oracles only.
    check_pyth_account(c.oracle, &s.params.feed_id)?;
    let others = other_target_weights(c.pool, c.custody_key, c.others)?;
    if checked_add(others, s.params.target_weight_bps as u32)? > 10_000 {
        return Err(PerpoolError::TargetWeightsAbove100);
    }
    Ok(())
}

/// Sum of the target weights of the pool's custodies other than `target`,
/// read from `others`, which must be exactly those custodies in pool order.
fn other_target_weights(pool: &Pool, target: &Address, others: &[AccountView]) -> Result<u32> {
    let mut expected = pool.custodies().iter().filter(|c| *c != target);
    let mut sum = 0u32;
    for account in others {
        match expected.next() {
            Some(key) if key == account.address() => {}
            _ => return Err(PerpoolError::CustodyListMismatch),
        }
        sum = checked_add(sum, load::<Custody>(account)?.target_weight_bps as u32)?;
    }
    if expected.next().is_some() {
        return Err(PerpoolError::CustodyListMismatch);
    }
    Ok(sum)
}
