//! One instruction per file: an accounts struct built by `TryFrom` (holding
//! it proves every check ran), then the state transition and its event.

pub mod add_collateral;
pub mod add_custody;
pub mod add_liquidity;
pub mod admin;
pub mod auto_deleverage;
pub mod borrow;
pub mod cancel_proposal;
pub mod claim_lp;
pub mod create_pool;
pub mod decrease_position;
pub mod deposit_loan_collateral;
pub mod execute_custody_params;
pub mod execute_pool_params;
pub mod increase_position;
pub mod init_config;
pub mod liquidate_loan;
pub mod liquidate_position;
pub mod loan;
pub mod lp_account;
pub mod orders;
pub mod proposal;
pub mod propose_custody_params;
pub mod propose_pool_params;
pub mod raise_timelock;
pub mod refresh_custody;
pub mod remove_liquidity;
pub mod repay;
pub mod swap;
pub mod top_up_insurance;
pub mod trade;
pub mod valuation;
pub mod withdraw_loan_collateral;
pub mod withdraw_protocol_fees;

use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    state::{load, Config},
    util::{check_signer, Result},
};

/// Loads the config and checks that `admin` signed and is the admin.
#[inline(always)]
pub(crate) fn load_admin_config<'a>(admin: &AccountView, config: &'a AccountView) -> Result<&'a Config> {
    check_signer(admin)?;
    let cfg = load::<Config>(config)?;
    if admin.address() != &cfg.admin {
        return Err(PerpoolError::Unauthorized);
    }
    Ok(cfg)
}
