use pinocchio::AccountView;

use super::trade::{
    close_position, collateral_side, fee_shares, market_side, position_state, Actor, At, TradeAccounts,
};
use crate::{
    error::PerpoolError,
    events,
    math::{quote_liquidate_at, LiquidateInput},
    oracle::OracleContext,
    profile::{mark, Phase},
    util::{check_receiving, check_token_program, check_writable, now, transfer_from_vault, PoolSigner, Result},
};

/// Accounts of `liquidate_position()` (permissionless):
/// 0. `[signer]` keeper
/// 1. `[]` config
/// 2. `[]` pool
/// 3. `[writable]` position
/// 4. `[writable]` custody
/// 5. `[]` custody_oracle
/// 6. `[writable]` collateral_custody
/// 7. `[]` collateral_oracle
/// 8. `[writable]` vault — the collateral custody's vault
/// 9. `[writable]` keeper_account — receives the reward (collateral token)
/// 10. `[writable]` owner_account — the position owner's collateral token account, receives what is left on a full liquidation
/// 11. `[writable]` owner — the position owner, receives the rent when the position closes
/// 12. `[]` token program
pub fn process_liquidate_position(accounts: &[AccountView], data: &[u8]) -> Result<()> {
    use crate::instruction::args;
    let args::LiquidatePosition {} = args::LiquidatePosition::read(data)?;
    let (t, rest) = TradeAccounts::load(accounts, 13, Actor::Keeper, None)?;
    let [keeper_account, owner_account, owner, token_program, ..] = rest else {
        return Err(PerpoolError::NotEnoughAccounts);
    };
    let position = t.existing_position(owner)?;
    check_writable(owner)?;
    let side = position.side;
    let mut custodies = t.custodies(side)?;
    let TradeAccounts {
        actor: keeper,
        pool_account,
        pool,
        position: position_account,
        market_oracle,
        collateral_oracle,
        vault,
        ..
    } = t;
    check_writable(keeper_account)?;
    check_receiving(keeper_account, &custodies.collateral().mint, &custodies.collateral().vault)?;
    check_writable(owner_account)?;
    if check_receiving(owner_account, &custodies.collateral().mint, &custodies.collateral().vault)? != owner.address() {
        return Err(PerpoolError::InvalidTokenAccount);
    }
    check_token_program(token_program)?;
    mark(Phase::Accounts);

    let clock = now()?;
    mark(Phase::Oracle);
    let ctx = OracleContext { now: clock.unix_timestamp };
    custodies.accrue(clock.unix_timestamp, pool)?;
    mark(Phase::Accrual);
    let (market_price, collateral_price) = custodies.prices(market_oracle, collateral_oracle, &ctx)?;
    mark(Phase::Oracle);
    let at = At { now: clock.unix_timestamp, market_price, collateral_price, closes: false };
    let (settled, exit) = custodies.settle(position, pool, &at)?;
    mark(Phase::Settlement);
    // The settlement's exit price, when it computed one, is the quote's (same prices and spread).
    let input = LiquidateInput {
        now: clock.unix_timestamp,
        pos: position_state(position, pool),
        market: market_side(custodies.market, &market_price, side),
        coll: collateral_side(custodies.collateral(), &collateral_price),
        fees: fee_shares(pool),
        insurance_balance: custodies.collateral().insurance,
    };
    let q = quote_liquidate_at(&input, exit)?;
    mark(Phase::Math);

    let pnl = custodies.apply_liquidation(position, &q, clock.unix_timestamp)?;
    mark(Phase::State);

    let signer = PoolSigner::new(pool);
    if q.reward_tokens > 0 {
        transfer_from_vault(vault, keeper_account, pool_account, &signer, q.reward_tokens)?;
    }
    if q.owner_out > 0 {
        transfer_from_vault(vault, owner_account, pool_account, &signer, q.owner_out)?;
    }
    mark(Phase::Cpi);
    events::position_liquidated(&events::Liquidation {
        position: position_account.address(),
        owner: owner.address(),
        keeper: keeper.address(),
        full: q.full,
        size_delta_usd: q.size_delta_usd,
        price: q.exit_price.0,
        pnl_usd: pnl,
        reward: q.reward_tokens,
        bad_debt: q.insurance_used.saturating_add(q.pool_loss),
        insurance_used: q.insurance_used,
        owner_out: q.owner_out,
        settled,
    });
    mark(Phase::Event);
    if q.full {
        close_position(position_account, owner)?;
    }
    mark(Phase::State);
    Ok(())
}
