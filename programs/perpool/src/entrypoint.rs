//! Program entrypoint: dispatch on the 8-byte Anchor discriminator.

use pinocchio::{error::ProgramError, AccountView, Address, ProgramResult};

use crate::{
    error::PerpoolError,
    instruction::Instruction,
    processor::*,
    profile::{mark, Phase},
};

pinocchio::program_entrypoint!(process_instruction, 32);
pinocchio::no_allocator!();
pinocchio::nostd_panic_handler!();

/// Dispatches on the instruction the discriminator names ([`Instruction`], generated from the
/// declarations in `perpool-interface/src/instruction.rs`). The `match` is exhaustive, so an
/// instruction without a processor does not compile; it costs what a `match` on the `u64` does
/// (the variants' values are the tags).
#[inline(never)]
pub fn process_instruction(_program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
    // Twice: the second mark's cost is what every mark costs (the profile build's calibration).
    mark(Phase::Start);
    mark(Phase::Start);
    let [d0, d1, d2, d3, d4, d5, d6, d7, rest @ ..] = data else {
        return Err(PerpoolError::InvalidInstructionData.into());
    };
    let accounts: &[AccountView] = accounts;
    use Instruction as I;
    let result = match Instruction::from_discriminator(u64::from_le_bytes([*d0, *d1, *d2, *d3, *d4, *d5, *d6, *d7])) {
        Some(I::InitConfig) => init_config::process_init_config(accounts, rest),
        Some(I::CreatePool) => create_pool::process_create_pool(accounts, rest),
        Some(I::AddCustody) => add_custody::process_add_custody(accounts, rest),
        Some(I::ProposeAdmin) => admin::process_propose_admin(accounts, rest),
        Some(I::AcceptAdmin) => admin::process_accept_admin(accounts, rest),
        Some(I::SetPause) => admin::process_set_pause(accounts, rest),
        Some(I::AddLiquidity) => add_liquidity::process_add_liquidity(accounts, rest),
        Some(I::ClaimLp) => claim_lp::process_claim_lp(accounts, rest),
        Some(I::RemoveLiquidity) => remove_liquidity::process_remove_liquidity(accounts, rest),
        Some(I::Swap) => swap::process_swap(accounts, rest),
        Some(I::WithdrawProtocolFees) => withdraw_protocol_fees::process_withdraw_protocol_fees(accounts, rest),
        Some(I::IncreasePosition) => increase_position::process_increase_position(accounts, rest),
        Some(I::DecreasePosition) => decrease_position::process_decrease_position(accounts, rest),
        Some(I::AddCollateral) => add_collateral::process_add_collateral(accounts, rest),
        Some(I::RemoveCollateral) => decrease_position::process_remove_collateral(accounts, rest),
        Some(I::LiquidatePosition) => liquidate_position::process_liquidate_position(accounts, rest),
        Some(I::RefreshCustody) => refresh_custody::process_refresh_custody(accounts, rest),
        Some(I::DepositLoanCollateral) => deposit_loan_collateral::process_deposit_loan_collateral(accounts, rest),
        Some(I::WithdrawLoanCollateral) => withdraw_loan_collateral::process_withdraw_loan_collateral(accounts, rest),
        Some(I::Borrow) => borrow::process_borrow(accounts, rest),
        Some(I::Repay) => repay::process_repay(accounts, rest),
        Some(I::LiquidateLoan) => liquidate_loan::process_liquidate_loan(accounts, rest),
        Some(I::TopUpInsurance) => top_up_insurance::process_top_up_insurance(accounts, rest),
        Some(I::PlaceOrder) => orders::process_place_order(accounts, rest),
        Some(I::CancelOrder) => orders::process_cancel_order(accounts, rest),
        Some(I::ExecuteOrder) => orders::process_execute_order(accounts, rest),
        Some(I::AutoDeleverage) => auto_deleverage::process_auto_deleverage(accounts, rest),
        Some(I::ProposePoolParams) => propose_pool_params::process_propose_pool_params(accounts, rest),
        Some(I::ProposeCustodyParams) => propose_custody_params::process_propose_custody_params(accounts, rest),
        Some(I::ExecutePoolParams) => execute_pool_params::process_execute_pool_params(accounts, rest),
        Some(I::ExecuteCustodyParams) => execute_custody_params::process_execute_custody_params(accounts, rest),
        Some(I::CancelProposal) => cancel_proposal::process_cancel_proposal(accounts, rest),
        Some(I::RaiseTimelock) => raise_timelock::process_raise_timelock(accounts, rest),
        None => Err(PerpoolError::InvalidInstructionData),
    };
    result.map_err(|e| {
        let e = ProgramError::from(e);
        if let ProgramError::Custom(code) = e {
            log_math_error(code);
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

/// Logs the math error the core raised last, with where (`MathError::raise` records it; the
/// checked helpers are `#[track_caller]`, so `file:line` is the math that failed): one line,
/// `Perpool math error: Overflow at programs/perpool-core/src/...:LINE`, before the Anchor error
/// log. Only for the errors math produces, so a failure of another kind is not blamed on an
/// overflow an earlier step recovered from.
#[inline(never)]
fn log_math_error(code: u32) {
    let math = [PerpoolError::MathOverflow, PerpoolError::DivideByZero, PerpoolError::InvalidPrice];
    if !math.iter().any(|e| *e as u32 == code) {
        return;
    }
    let Some((error, at)) = crate::math::error::last_raised() else {
        return;
    };
    let mut file: &[u8] = b"an unlisted file";
    let mut i = 0;
    while let Some(f) = raising_file(i) {
        if f.contains(at) {
            file = f.name.as_bytes();
            break;
        }
        i = i.saturating_add(1);
    }
    let mut buf = [0u8; 200];
    let mut len = 0usize;
    let mut put = |bytes: &[u8]| {
        let end = len.saturating_add(bytes.len()).min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(len..end), bytes.get(..end.saturating_sub(len))) {
            dst.copy_from_slice(src);
        }
        len = end;
    };
    put(b"Perpool math error: ");
    put(error.name().as_bytes());
    put(b" at ");
    put(file);
    put(b":");
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut n = at.line();
    while start > 0 {
        start = start.saturating_sub(1);
        if let Some(d) = digits.get_mut(start) {
            *d = b'0'.saturating_add((n % 10) as u8);
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    put(digits.get(start..).unwrap_or(&[]));
    // SAFETY: `sol_log_` reads `len` bytes at the pointer during the call; `buf` holds at least `len`.
    unsafe { pinocchio::syscalls::sol_log_(buf.as_ptr(), len as u64) };
}

/// The files that raise math errors (each declares itself with `source_file!()`; a test holds this
/// list to the sources). By index, in code: a table of function pointers would sit in read-only
/// data, which the linker leaves unrelocated.
fn raising_file(i: usize) -> Option<perpool_core::math::error::SourceFile> {
    Some(match i {
        0 => perpool_core::custody::source_file(),
        1 => perpool_core::math::adl::source_file(),
        2 => perpool_core::math::carry::source_file(),
        3 => perpool_core::math::fees::source_file(),
        4 => perpool_core::math::fixed::source_file(),
        5 => perpool_core::math::funding::source_file(),
        6 => perpool_core::math::impact::source_file(),
        7 => perpool_core::math::interest::source_file(),
        8 => perpool_core::math::lending::source_file(),
        9 => perpool_core::math::liquidity::source_file(),
        10 => perpool_core::math::oracle::source_file(),
        11 => perpool_core::math::position::source_file(),
        12 => perpool_core::math::units::source_file(),
        13 => perpool_core::trade::source_file(),
        14 => crate::processor::add_collateral::source_file(),
        15 => crate::processor::add_custody::source_file(),
        16 => crate::processor::add_liquidity::source_file(),
        17 => crate::processor::borrow::source_file(),
        18 => crate::processor::deposit_loan_collateral::source_file(),
        19 => crate::processor::liquidate_loan::source_file(),
        20 => crate::processor::loan::source_file(),
        21 => crate::processor::orders::source_file(),
        22 => crate::processor::proposal::source_file(),
        23 => crate::processor::remove_liquidity::source_file(),
        24 => crate::processor::repay::source_file(),
        25 => crate::processor::swap::source_file(),
        26 => crate::processor::top_up_insurance::source_file(),
        27 => crate::processor::trade::source_file(),
        28 => crate::processor::valuation::source_file(),
        29 => crate::processor::withdraw_loan_collateral::source_file(),
        30 => crate::util::source_file(),
        _ => return None,
    })
}
