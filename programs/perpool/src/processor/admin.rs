//! Admin handover (two steps, so a typo cannot lock the protocol) and pausing.

use pinocchio::{AccountView, Address};

use crate::{
    error::PerpoolError,
    events,
    instruction::args,
    state::{config::PAUSE_ALL, load_mut, Config},
    util::{check_signer, Result},
};

/// Accounts of `propose_admin` and `set_pause`:
/// 0. `[signer]` admin
/// 1. `[writable]` config
pub struct AdminOnly<'a> {
    pub admin: &'a AccountView,
    pub config: &'a mut Config,
}

impl<'a> TryFrom<&'a [AccountView]> for AdminOnly<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [admin, config, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(admin)?;
        let config = load_mut::<Config>(config)?;
        if admin.address() != &config.admin {
            return Err(PerpoolError::Unauthorized);
        }
        Ok(Self { admin, config })
    }
}

/// `propose_admin(new_admin)`: records `new_admin` as pending; all zeroes cancels.
pub fn process_propose_admin(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::ProposeAdmin { new_admin } = args::ProposeAdmin::read(data)?;
    let ix = AdminOnly::try_from(accounts)?;
    ix.config.pending_admin = new_admin;
    events::admin_proposed(ix.admin.address(), &new_admin);
    Ok(())
}

/// `set_pause(flags)`: replaces the pause flags.
pub fn process_set_pause(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::SetPause { flags } = args::SetPause::read(data)?;
    if flags & !PAUSE_ALL != 0 {
        return Err(PerpoolError::InvalidPauseFlags);
    }
    let ix = AdminOnly::try_from(accounts)?;
    ix.config.pause_flags = flags;
    events::pause_set(ix.admin.address(), flags);
    Ok(())
}

/// Accounts of `accept_admin`:
/// 0. `[signer]` new admin — must be the pending admin
/// 1. `[writable]` config
pub struct AcceptAdmin<'a> {
    pub new_admin: &'a AccountView,
    pub config: &'a mut Config,
}

impl<'a> TryFrom<&'a [AccountView]> for AcceptAdmin<'a> {
    type Error = PerpoolError;

    fn try_from(accounts: &'a [AccountView]) -> Result<Self> {
        let [new_admin, config, ..] = accounts else {
            return Err(PerpoolError::NotEnoughAccounts);
        };
        check_signer(new_admin)?;
        let config = load_mut::<Config>(config)?;
        if config.pending_admin == Address::new_from_array([0; 32]) {
            return Err(PerpoolError::NoPendingAdmin);
        }
        if new_admin.address() != &config.pending_admin {
            return Err(PerpoolError::Unauthorized);
        }
        Ok(Self { new_admin, config })
    }
}

pub fn process_accept_admin(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    let args::AcceptAdmin {} = args::AcceptAdmin::read(data)?;
    let ix = AcceptAdmin::try_from(accounts)?;
    let old = ix.config.admin;
    ix.config.admin = *ix.new_admin.address();
    ix.config.pending_admin = Address::new_from_array([0; 32]);
    events::admin_changed(&old, ix.new_admin.address());
    Ok(())
}
