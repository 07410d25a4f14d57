//! Program entrypoint: dispatch on the 8-byte Anchor discriminator.

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

use crate::{discriminator::ix, error::PerpoolError, processor::*};

pinocchio::program_entrypoint!(process_instruction, 32);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

const fn tag(d: [u8; 8]) -> u64 {
    u64::from_le_bytes(d)
}

const INIT_CONFIG: u64 = tag(ix::INIT_CONFIG);
const CREATE_POOL: u64 = tag(ix::CREATE_POOL);
const ADD_CUSTODY: u64 = tag(ix::ADD_CUSTODY);
const PROPOSE_ADMIN: u64 = tag(ix::PROPOSE_ADMIN);
const ACCEPT_ADMIN: u64 = tag(ix::ACCEPT_ADMIN);
const SET_PAUSE: u64 = tag(ix::SET_PAUSE);
const WITHDRAW_PROTOCOL_FEES: u64 = tag(ix::WITHDRAW_PROTOCOL_FEES);
const SWAP: u64 = tag(ix::SWAP);
const REMOVE_LIQUIDITY: u64 = tag(ix::REMOVE_LIQUIDITY);
const ADD_LIQUIDITY: u64 = tag(ix::ADD_LIQUIDITY);
const TOP_UP_INSURANCE: u64 = tag(ix::TOP_UP_INSURANCE);
const LIQUIDATE_LOAN: u64 = tag(ix::LIQUIDATE_LOAN);
const REPAY: u64 = tag(ix::REPAY);
const BORROW: u64 = tag(ix::BORROW);
const WITHDRAW_LOAN_COLLATERAL: u64 = tag(ix::WITHDRAW_LOAN_COLLATERAL);
const DEPOSIT_LOAN_COLLATERAL: u64 = tag(ix::DEPOSIT_LOAN_COLLATERAL);
const REFRESH_CUSTODY: u64 = tag(ix::REFRESH_CUSTODY);
const LIQUIDATE_POSITION: u64 = tag(ix::LIQUIDATE_POSITION);
const REMOVE_COLLATERAL: u64 = tag(ix::REMOVE_COLLATERAL);
const ADD_COLLATERAL: u64 = tag(ix::ADD_COLLATERAL);
const DECREASE_POSITION: u64 = tag(ix::DECREASE_POSITION);
const INCREASE_POSITION: u64 = tag(ix::INCREASE_POSITION);
const PLACE_ORDER: u64 = tag(ix::PLACE_ORDER);
const CANCEL_ORDER: u64 = tag(ix::CANCEL_ORDER);
const EXECUTE_ORDER: u64 = tag(ix::EXECUTE_ORDER);
const AUTO_DELEVERAGE: u64 = tag(ix::AUTO_DELEVERAGE);
const CLAIM_LP: u64 = tag(ix::CLAIM_LP);
const PROPOSE_POOL_PARAMS: u64 = tag(ix::PROPOSE_POOL_PARAMS);
const PROPOSE_CUSTODY_PARAMS: u64 = tag(ix::PROPOSE_CUSTODY_PARAMS);
const EXECUTE_POOL_PARAMS: u64 = tag(ix::EXECUTE_POOL_PARAMS);
const EXECUTE_CUSTODY_PARAMS: u64 = tag(ix::EXECUTE_CUSTODY_PARAMS);
const CANCEL_PROPOSAL: u64 = tag(ix::CANCEL_PROPOSAL);
const RAISE_TIMELOCK: u64 = tag(ix::RAISE_TIMELOCK);

#[inline(never)]
pub fn process_instruction(_program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    let [d0, d1, d2, d3, d4, d5, d6, d7, rest @ ..] = data else {
        return Err(PerpoolError::InvalidInstructionData.into());
    };
    let accounts: &[AccountView] = accounts;
    let result = match u64::from_le_bytes([*d0, *d1, *d2, *d3, *d4, *d5, *d6, *d7]) {
        INIT_CONFIG => init_config::process_init_config(accounts, rest),
        CREATE_POOL => create_pool::process_create_pool(accounts, rest),
        ADD_CUSTODY => add_custody::process_add_custody(accounts, rest),
        PROPOSE_ADMIN => admin::process_propose_admin(accounts, rest),
        ACCEPT_ADMIN => admin::process_accept_admin(accounts, rest),
        SET_PAUSE => admin::process_set_pause(accounts, rest),
        ADD_LIQUIDITY => add_liquidity::process_add_liquidity(accounts, rest),
        REMOVE_LIQUIDITY => remove_liquidity::process_remove_liquidity(accounts, rest),
        SWAP => swap::process_swap(accounts, rest),
        WITHDRAW_PROTOCOL_FEES => withdraw_protocol_fees::process_withdraw_protocol_fees(accounts, rest),
        INCREASE_POSITION => increase_position::process_increase_position(accounts, rest),
        DECREASE_POSITION => decrease_position::process_decrease_position(accounts, rest),
        ADD_COLLATERAL => add_collateral::process_add_collateral(accounts, rest),
        REMOVE_COLLATERAL => decrease_position::process_remove_collateral(accounts, rest),
        LIQUIDATE_POSITION => liquidate_position::process_liquidate_position(accounts, rest),
        REFRESH_CUSTODY => refresh_custody::process_refresh_custody(accounts, rest),
        DEPOSIT_LOAN_COLLATERAL => deposit_loan_collateral::process_deposit_loan_collateral(accounts, rest),
        WITHDRAW_LOAN_COLLATERAL => withdraw_loan_collateral::process_withdraw_loan_collateral(accounts, rest),
        BORROW => borrow::process_borrow(accounts, rest),
        REPAY => repay::process_repay(accounts, rest),
        LIQUIDATE_LOAN => liquidate_loan::process_liquidate_loan(accounts, rest),
        TOP_UP_INSURANCE => top_up_insurance::process_top_up_insurance(accounts, rest),
        PLACE_ORDER => orders::process_place_order(accounts, rest),
        CANCEL_ORDER => orders::process_cancel_order(accounts, rest),
        EXECUTE_ORDER => orders::process_execute_order(accounts, rest),
        AUTO_DELEVERAGE => auto_deleverage::process_auto_deleverage(accounts, rest),
        CLAIM_LP => claim_lp::process_claim_lp(accounts, rest),
        PROPOSE_POOL_PARAMS => propose_pool_params::process_propose_pool_params(accounts, rest),
        PROPOSE_CUSTODY_PARAMS => propose_custody_params::process_propose_custody_params(accounts, rest),
        EXECUTE_POOL_PARAMS => execute_pool_params::process_execute_pool_params(accounts, rest),
        EXECUTE_CUSTODY_PARAMS => execute_custody_params::process_execute_custody_params(accounts, rest),
        CANCEL_PROPOSAL => cancel_proposal::process_cancel_proposal(accounts, rest),
        RAISE_TIMELOCK => raise_timelock::process_raise_timelock(accounts, rest),
        _ => Err(PerpoolError::InvalidInstructionData),
    };
    result.map_err(|e| {
        let e = ProgramError::from(e);
        if let ProgramError::Custom(code) = e {
            log_anchor_error(code);
        }
        e
    })
}

/// Logs a Perpool error the way Anchor programs do (`error_log.rs`), so any client's
/// `@coral-xyz/anchor` translates it. Kept out of line: only failing transactions pay for it.
/// (Not `#[cold]`: the linker places cold code where the VM refuses to run it.)
#[inline(never)]
fn log_anchor_error(code: u32) {
    if let Some(line) = crate::error_log::anchor_error_line(code) {
        // SAFETY: `sol_log_` reads `len` bytes at `message` during the call; `line` is a static str.
        unsafe { pinocchio::syscalls::sol_log_(line.as_ptr(), line.len() as u64) };
    }
}
