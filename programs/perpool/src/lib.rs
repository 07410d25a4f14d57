#![no_std]

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod entry {
    use pinocchio::{AccountView, Address, ProgramResult};
    pinocchio::program_entrypoint!(process, 32);
    pinocchio::no_allocator!();
    pinocchio::nostd_panic_handler!();
    fn process(_p: &Address, accounts: &mut [AccountView], data: &[u8]) -> ProgramResult {
        let msg = "hello";
        unsafe { pinocchio::syscalls::sol_log_(msg.as_ptr(), msg.len() as u64) };
        if data.len() > 3 { return Err(pinocchio::error::ProgramError::Custom(6000 + accounts.len() as u32)); }
        Ok(())
    }
}
