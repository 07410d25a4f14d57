use pinocchio::AccountView;

use super::decrease_position::{decrease, DecreasePosition, Request};
use crate::{
    error::PerpoolError,
    events,
    math::{adl_ratio_bps, pnl, AdlInput},
    oracle::OraclePrice,
    util::{check_signer, Result},
};

/// Accounts of `auto_deleverage(size_usd)` (permissionless):
/// 0. `[signer]` keeper
/// 1. `[writable]` owner — the position's owner; receives the rent on a full close
/// 2. `[]` config
/// 3. `[]` pool
/// 4. `[writable]` position — must be in profit
/// 5. `[writable]` custody — the market
/// 6. `[]` custody_oracle
/// 7. `[writable]` collateral_custody — pays the profit
/// 8. `[]` collateral_oracle
/// 9. `[writable]` vault — the collateral custody's vault
/// 10. `[writable]` owner_account — the owner's token account of the collateral
/// 11. `[]` token program
///
/// Allowed only while the unrealized profit of the positions the collateral
/// custody pays on this side of the market (the position's group: same market,
/// side and collateral custody) is above the market custody's
/// `adl_threshold_bps` of the collateral custody's own tokens, counted as the
/// larger of `owned` now and its average over about an hour (`owned_ema`): no
/// instruction in the same transaction, and no swap or redemption, can lower
/// that denominator quickly enough to turn deleveraging on (see `math::adl`). Closes `size_usd` (capped at the position) like the
/// owner's own decrease (fees, impact, payout to the owner); the ratio after must
/// be lower than before and not below `adl_floor_bps`. Keepers choose the size
/// (the SDK's `adlCloseSize`) and rank candidates by PnL % × leverage.
pub fn process_auto_deleverage(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::AutoDeleverage { size_usd } = args::AutoDeleverage::read(data)?;
    let [keeper, rest @ ..] = accounts else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    check_signer(keeper)?;
    let mut ix = DecreasePosition::load(rest, false)?;
    // (No size, so never `At::closes`. It could pass one: the size is known here, and its ratio
    // reads only the group row and `owned`, which the skipped base does not touch. A full
    // deleverage is rare, and this keeps its path as it was.)
    let at = ix.prepare(0)?;
    let side = ix.position.side;
    let m = &*ix.custodies.market;
    let (threshold, floor) = (m.adl_threshold_bps as u64, m.adl_floor_bps as u64);
    let group = ix.position.collateral_group;
    let before = side_ratio(&ix, side, group, (&at.market_price, &at.collateral_price))?;
    if before <= threshold {
        return Err(PerpoolError::AdlNotAllowed);
    }
    let p = &*ix.position;
    let own = pnl(side, p.size_usd, p.size_tokens, at.market_price.spot, m.decimals)?;
    if !own.profit || own.usd == 0 {
        return Err(PerpoolError::AdlNotProfitable);
    }
    let size = size_usd.min(p.size_usd);
    if size == 0 {
        return Err(PerpoolError::ZeroAmount);
    }
    let out = decrease(&mut ix, &at, &Request { size_usd: size, collateral_out: 0, acceptable_price: None })?;
    let after = side_ratio(&ix, side, group, (&at.market_price, &at.collateral_price))?;
    if after >= before || after < floor {
        return Err(PerpoolError::AdlTooLarge);
    }
    events::position_deleveraged(&events::Deleveraged {
        position: ix.position_account.address(),
        owner: ix.owner.address(),
        keeper: keeper.address(),
        size_delta_usd: size,
        price: out.exit_price,
        pnl_usd: out.pnl_usd,
        ratio_before_bps: before,
        ratio_after_bps: after,
    });
    Ok(())
}

/// The profit the collateral custody owes the position's group, as a share of that custody's
/// tokens (the larger of `owned` and its hourly average), bps, at spot prices.
#[inline(always)] // (six register arguments otherwise: upstream BPF passes five at most)
fn side_ratio(ix: &DecreasePosition, side: u8, group: u8, prices: (&OraclePrice, &OraclePrice)) -> Result<u64> {
    let (market_price, collateral_price) = prices;
    let m = &*ix.custodies.market;
    let c = ix.custodies.collateral();
    let row = m.group(side, group);
    Ok(adl_ratio_bps(&AdlInput {
        side,
        oi_usd: row[crate::state::custody::GROUP_USD],
        oi_tokens: row[crate::state::custody::GROUP_TOKENS],
        market_decimals: m.decimals,
        market_price: market_price.spot,
        pool_tokens: c.owned.max(c.owned_ema),
        pool_decimals: c.decimals,
        pool_price: collateral_price.spot,
    })?)
}
