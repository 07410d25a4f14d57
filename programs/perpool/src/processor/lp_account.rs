//! The liquidity provider record `["lp_account", pool, owner]`.

use pinocchio::AccountView;

use crate::{
    error::PerpoolError,
    state::{load_mut, LpAccount},
    util::{check_pda, create_at_pda, Result},
};

/// Loads the owner's record, creating it (paid by the owner) on first use.
pub fn load_or_create<'a>(
    account: &'a AccountView,
    pool: &AccountView,
    owner: &AccountView,
) -> Result<&'a mut LpAccount> {
    if account.owned_by(&crate::ID) {
        let lp = load_mut::<LpAccount>(account)?;
        if &lp.pool != pool.address() || &lp.owner != owner.address() {
            return Err(PerpoolError::InvalidPda);
        }
        return Ok(lp);
    }
    let (lp, bump) = create_at_pda::<LpAccount>(
        owner,
        account,
        &[b"lp_account", pool.address().as_ref(), owner.address().as_ref()],
    )?;
    lp.bump = bump;
    lp.pool = *pool.address();
    lp.owner = *owner.address();
    Ok(lp)
}

/// The owner's record if they have one. When the address holds no record it
/// must still be the owner's PDA, so a fresh random account cannot stand in
/// for a record that exists.
pub fn load_existing<'a>(
    account: &'a AccountView,
    pool: &AccountView,
    owner: &AccountView,
) -> Result<Option<&'a mut LpAccount>> {
    if account.owned_by(&crate::ID) {
        let lp = load_mut::<LpAccount>(account)?;
        if &lp.pool != pool.address() || &lp.owner != owner.address() {
            return Err(PerpoolError::InvalidPda);
        }
        return Ok(Some(lp));
    }
    check_pda(account, &[b"lp_account", pool.address().as_ref(), owner.address().as_ref()])?;
    Ok(None)
}
