//! The instruction set, declared once.
//!
//! Each instruction below is declared with its docs, its arguments (in wire order) and its
//! accounts (in order); `instructions!` (`instruction/declare.rs`) derives from it:
//! - [`Instruction`]: the program's dispatch (`Instruction::from_discriminator`), so an
//!   instruction without a processor does not compile;
//! - [`ix`]: the discriminators, `sha256("global:<name>")[..8]` computed while compiling
//!   (also under [`crate::discriminator::ix`]);
//! - [`args`]: one struct per instruction whose `read(&[u8])` is what its processor reads;
//! - [`INSTRUCTIONS`]: the IDL's `instructions` ([`crate::idl`]), which `npm run idl` writes
//!   into `sdk/src/idl` through `cargo run -p perpool-interface --example idl`.
//!
//! To add an instruction: declare it here (in the IDL position it should take), write its
//! processor `process_<name>(accounts, data)` reading `args::<Variant>::read(data)`, add its arm
//! to the entrypoint's `match` (the compiler asks for it), then `npm run idl`.
//!
//! Account entries read `name [writable, signer] address(ADDRESS) pda(seeds…)`, docs as `///`
//! (see `accounts!` in `instruction/declare.rs`); `..LIST` splices one of the shared lists below.

#[macro_use]
mod declare;

pub use declare::{ascii_lowercase, Arg};
use pinocchio::Address;

use crate::{
    idl::IdlAccountItem,
    state::{CustodyParams, PoolParams, RiskParams},
    BPF_LOADER_UPGRADEABLE_ID, ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID,
};

const TOKEN_PROGRAM: &[IdlAccountItem] = &accounts! { token_program address(TOKEN_PROGRAM_ID) };
const SYSTEM_PROGRAM: &[IdlAccountItem] = &accounts! { system_program address(SYSTEM_PROGRAM_ID) };

/// The pool's custody list, which a deposit, a redemption and a swap value the pool with: slot `i`
/// is the pool's custody `i` (the pool's field `custody_<i>` in the IDL, so anchor reads it from the
/// pool) and that custody's price feed. Slots from the pool's custody count on are ignored: a client
/// passes either every slot or only the used ones. A pool fills its unused slots with its first
/// custody, so that an IDL client resolves all eight.
const CUSTODY_LIST: &[IdlAccountItem] = &accounts! {
    custody_0 [optional] relations(pool),
    oracle_0 [optional] pda(price_feed_of custody_0),
    custody_1 [optional] relations(pool),
    oracle_1 [optional] pda(price_feed_of custody_1),
    custody_2 [optional] relations(pool),
    oracle_2 [optional] pda(price_feed_of custody_2),
    custody_3 [optional] relations(pool),
    oracle_3 [optional] pda(price_feed_of custody_3),
    custody_4 [optional] relations(pool),
    oracle_4 [optional] pda(price_feed_of custody_4),
    custody_5 [optional] relations(pool),
    oracle_5 [optional] pda(price_feed_of custody_5),
    custody_6 [optional] relations(pool),
    oracle_6 [optional] pda(price_feed_of custody_6),
    custody_7 [optional] relations(pool),
    oracle_7 [optional] pda(price_feed_of custody_7),
};

/// [`trade_accounts`]'s argument: the instruction takes the side as an argument, so anchor can
/// derive the position.
const SIDE_ARG: bool = true;

/// A position's accounts after its owner: the config, the pool, the position, its market and
/// collateral custodies with their oracles, and the collateral custody's vault.
const fn trade_accounts(side_arg: bool) -> [IdlAccountItem; 8] {
    accounts! {
        config pda(b"config"),
        pool,
        /// PDA ["position", owner, pool, custody, collateral_custody, [side]]
        position [writable] pda(b"position", owner, pool, custody, collateral_custody, arg side) if side_arg,
        /// the market
        custody [writable],
        custody_oracle pda(price_feed_of custody),
        /// the market custody itself for a long posting the asset
        collateral_custody [writable],
        collateral_oracle pda(price_feed_of collateral_custody),
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
    }
}

/// A loan's accounts after the signer (its owner, or a liquidator): the config, the pool, the loan,
/// and its collateral and borrowed custodies with their oracles.
const LOAN_ACCOUNTS: &[IdlAccountItem] = &accounts! {
    config pda(b"config"),
    pool,
    /// PDA ["loan", owner, pool, collateral_custody, borrow_custody]
    loan [writable] pda(b"loan", owner, pool, collateral_custody, borrow_custody),
    collateral_custody [writable],
    collateral_oracle pda(price_feed_of collateral_custody),
    borrow_custody [writable],
    borrow_oracle pda(price_feed_of borrow_custody),
};

/// A keeper's trade on someone else's position, after the keeper's own accounts.
const KEEPER_TRADE_ACCOUNTS: &[IdlAccountItem] = &accounts! {
    /// the position's owner (does not sign)
    owner [writable],
    config pda(b"config"),
    pool,
    position [writable],
    /// the market
    custody [writable],
    custody_oracle pda(price_feed_of custody),
    collateral_custody [writable],
    collateral_oracle pda(price_feed_of collateral_custody),
    /// the collateral custody's vault
    vault [writable] pda(b"vault", collateral_custody),
    /// the owner's token account of the collateral
    owner_account [writable],
    ..TOKEN_PROGRAM,
};

/// Settings under the pool's timelock: the admin, the config and the pool come first.
const ADMIN_POOL: &[IdlAccountItem] = &accounts! {
    /// pays a proposal's rent and receives it back
    admin [writable, signer],
    config pda(b"config"),
    pool [writable],
};

instructions! {
    /// Creates the global config; the signer, who must be the program's upgrade authority, becomes the admin.
    /// min_timelock_secs: the shortest settings timelock any pool may have (24 h on public clusters, 0 on local ones),
    /// fixed for good.
    INIT_CONFIG => InitConfig { min_timelock_secs: u32 } [
        /// The program's upgrade authority
        admin [writable, signer],
        /// PDA ["config"]
        config [writable] pda(b"config"),
        /// This program's account (BPF Loader Upgradeable)
        program address(ID),
        /// The ProgramData account the program account names: PDA [program] of BPF Loader Upgradeable
        program_data pda(program; program = BPF_LOADER_UPGRADEABLE_ID),
        ..SYSTEM_PROGRAM,
    ]

    /// Creates a pool, its LP mint (mint authority: the pool) and its LP escrow.
    CREATE_POOL => CreatePool<'a> { name: &'a [u8], params: PoolParams } [
        admin [writable, signer],
        config pda(b"config"),
        /// PDA ["pool", name]
        pool [writable] pda(b"pool", arg name),
        /// PDA ["lp_mint", pool]
        lp_mint [writable] pda(b"lp_mint", pool),
        /// PDA ["lp_escrow", pool]: LP tokens in their cooldown and the dead LP units
        lp_escrow [writable] pda(b"lp_escrow", pool),
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
    ]

    /// Adds an asset to a pool: custody and vault token account, priced by a Pyth PriceUpdateV2 account.
    ADD_CUSTODY => AddCustody { params: CustodyParams } [
        admin [writable, signer],
        config pda(b"config"),
        pool [writable],
        /// PDA ["custody", pool, mint]
        custody [writable] pda(b"custody", pool, mint),
        mint,
        /// PDA ["vault", custody]
        vault [writable] pda(b"vault", custody),
        /// The feed's PriceUpdateV2 account (owned by the Pyth receiver): PDA [params.oracle_shard (u16 LE),
        /// params.feed_id] of params.oracle_program
        oracle pda(price_feed_of params),
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
    ]

    /// Proposes a new admin (all zeroes cancels); it takes effect when accepted.
    PROPOSE_ADMIN => ProposeAdmin { new_admin: Address } [
        admin [signer],
        config [writable] pda(b"config"),
    ]

    /// The pending admin accepts the role.
    ACCEPT_ADMIN => AcceptAdmin {} [
        new_admin [signer],
        config [writable] pda(b"config"),
    ]

    /// Sets the pause flags (1 liquidity, 2 trading, 4 lending, 8 listing).
    SET_PAUSE => SetPause { flags: u8 } [
        admin [signer],
        config [writable] pda(b"config"),
    ]

    /// Deposits an asset for LP tokens (pool valued at max prices, deposit at min price), the pool
    /// valued over its custody list.
    ADD_LIQUIDITY => AddLiquidity { amount_in: u64, min_lp_out: u64 } [
        owner [writable, signer],
        config pda(b"config"),
        pool,
        custody [writable],
        vault [writable] pda(b"vault", custody),
        funding_account [writable],
        lp_mint [writable] pda(b"lp_mint", pool),
        /// receives the owner's LP tokens whose cooldown is over
        lp_token_account [writable],
        /// PDA ["lp_account", pool, owner], created on first deposit
        lp_account [writable] pda(b"lp_account", pool, owner),
        /// the pool's LP escrow: new LP tokens wait out the cooldown here
        lp_escrow [writable] pda(b"lp_escrow", pool),
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
        ..CUSTODY_LIST,
    ]

    /// Takes the owner's LP tokens out of the pool's escrow once their cooldown is over.
    CLAIM_LP => ClaimLp {} [
        owner [signer],
        pool,
        /// PDA ["lp_account", pool, owner]
        lp_account [writable] pda(b"lp_account", pool, owner),
        lp_escrow [writable] pda(b"lp_escrow", pool),
        lp_token_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Redeems LP tokens for an asset (pool valued at min prices, asset at max price), the pool
    /// valued over its custody list.
    REMOVE_LIQUIDITY => RemoveLiquidity { lp_in: u64, min_amount_out: u64 } [
        owner [signer],
        config pda(b"config"),
        pool,
        custody [writable],
        vault [writable] pda(b"vault", custody),
        receiving_account [writable],
        lp_mint [writable] pda(b"lp_mint", pool),
        lp_token_account [writable],
        /// PDA ["lp_account", pool, owner]; may not exist
        lp_account [writable] pda(b"lp_account", pool, owner),
        ..TOKEN_PROGRAM,
        ..CUSTODY_LIST,
    ]

    /// Swaps one pool asset for another at oracle prices, paying the higher of the two dynamic fees, the pool
    /// valued over its custody list.
    SWAP => Swap { amount_in: u64, min_amount_out: u64 } [
        owner [signer],
        config pda(b"config"),
        pool,
        custody_in [writable],
        vault_in [writable] pda(b"vault", custody_in),
        custody_out [writable],
        vault_out [writable] pda(b"vault", custody_out),
        funding_account [writable],
        receiving_account [writable],
        ..TOKEN_PROGRAM,
        ..CUSTODY_LIST,
    ]

    /// Sends accrued protocol fees of a custody to a token account of the admin's choice.
    WITHDRAW_PROTOCOL_FEES => WithdrawProtocolFees { amount: u64 } [
        admin [signer],
        config pda(b"config"),
        pool,
        custody [writable],
        vault [writable] pda(b"vault", custody),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Opens or increases a position at the oracle price plus spread; settles accrued borrow fees first.
    /// `position_bump`: the position PDA's canonical bump, which saves a search when it is opened;
    /// any other value is searched past (the position still opens at its canonical address, at
    /// about 400 CU per bump tried).
    INCREASE_POSITION => IncreasePosition {
        side: u8,
        size_usd: u64,
        collateral_amount: u64,
        acceptable_price: u64,
        position_bump: u8,
    } [
        /// pays rent when the position is opened
        owner [writable, signer],
        ..trade_accounts(SIDE_ARG),
        funding_account [writable],
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
    ]

    /// Closes part or all of a position; pays out collateral_out (partial) or everything (full) plus profit.
    DECREASE_POSITION => DecreasePosition { size_usd: u64, collateral_out: u64, acceptable_price: u64 } [
        /// receives the rent when the position closes
        owner [writable, signer],
        ..trade_accounts(!SIDE_ARG),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Adds collateral to a position (settles interest and borrow fees first).
    ADD_COLLATERAL => AddCollateral { amount: u64 } [
        /// the position owner (read only: nothing is paid to or from it in lamports)
        owner [signer],
        ..trade_accounts(!SIDE_ARG),
        funding_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Withdraws collateral from a position within the leverage and margin limits.
    REMOVE_COLLATERAL => RemoveCollateral { amount: u64 } [
        /// the position owner
        owner [writable, signer],
        ..trade_accounts(!SIDE_ARG),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Permissionless: reduces (tiered) or closes a position below maintenance margin; the keeper earns a reward.
    LIQUIDATE_POSITION => LiquidatePosition {} [
        keeper [signer],
        config pda(b"config"),
        pool,
        position [writable],
        custody [writable],
        custody_oracle pda(price_feed_of custody),
        collateral_custody [writable],
        collateral_oracle pda(price_feed_of collateral_custody),
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
        /// receives the reward
        keeper_account [writable],
        /// the owner's collateral token account, receives what is left
        owner_account [writable],
        /// the position owner, receives the rent on a full liquidation
        owner [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Permissionless: accrues the custody's borrow and supply indexes (loan interest credited to suppliers).
    REFRESH_CUSTODY => RefreshCustody {} [
        pool,
        custody [writable],
    ]

    /// Deposits collateral into a loan, opening it on first use.
    DEPOSIT_LOAN_COLLATERAL => DepositLoanCollateral { amount: u64 } [
        owner [writable, signer],
        config pda(b"config"),
        pool,
        /// PDA ["loan", owner, pool, collateral_custody, borrow_custody]
        loan [writable] pda(b"loan", owner, pool, collateral_custody, borrow_custody),
        collateral_custody [writable],
        borrow_custody,
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
        funding_account [writable],
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
    ]

    /// Withdraws loan collateral while the loan stays within its maximum loan-to-value.
    WITHDRAW_LOAN_COLLATERAL => WithdrawLoanCollateral { amount: u64 } [
        /// the loan owner
        owner [signer],
        ..LOAN_ACCOUNTS,
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Borrows a pool asset against the loan's collateral, at the custody's borrow rate.
    BORROW => Borrow { amount: u64 } [
        /// the loan owner
        owner [signer],
        ..LOAN_ACCOUNTS,
        borrow_vault [writable] pda(b"vault", borrow_custody),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Repays a loan's debt (anyone may repay; more than the debt repays the debt).
    REPAY => Repay { amount: u64 } [
        payer [signer],
        config pda(b"config"),
        pool,
        loan [writable],
        borrow_custody [writable],
        borrow_vault [writable] pda(b"vault", borrow_custody),
        funding_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Permissionless: repays part of an unhealthy loan for its collateral plus a bonus; bad debt goes to insurance,
    /// then suppliers.
    LIQUIDATE_LOAN => LiquidateLoan { repay_amount: u64 } [
        /// the liquidator
        liquidator [signer],
        config pda(b"config"),
        pool,
        /// the loan: PDA ["loan", its owner, pool, collateral_custody, borrow_custody]; the owner is not an
        /// account of this instruction, so the caller passes the loan
        loan [writable],
        collateral_custody [writable],
        collateral_oracle pda(price_feed_of collateral_custody),
        borrow_custody [writable],
        borrow_oracle pda(price_feed_of borrow_custody),
        collateral_vault [writable] pda(b"vault", collateral_custody),
        borrow_vault [writable] pda(b"vault", borrow_custody),
        liquidator_funding [writable],
        liquidator_receiving [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Adds tokens to a custody's insurance fund (anyone may).
    TOP_UP_INSURANCE => TopUpInsurance { amount: u64 } [
        payer [signer],
        config pda(b"config"),
        pool,
        custody [writable],
        vault [writable] pda(b"vault", custody),
        funding_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Places a take-profit (1), stop-loss (2) or limit (3) order in one of a position's slots, prepaying the keeper's
    /// execution reward (lamports); limit orders escrow their collateral.
    PLACE_ORDER => PlaceOrder {
        slot: u8,
        kind: u8,
        side: u8,
        trigger_price: u64,
        acceptable_price: u64,
        size_usd: u64,
        collateral_amount: u64,
        execution_reward: u64,
    } [
        /// pays the order's rent and reward (and a limit order's position rent)
        owner [writable, signer],
        config pda(b"config"),
        pool,
        /// PDA ["position", owner, pool, custody, collateral_custody, [side]]; open for take-profit / stop-loss
        position pda(b"position", owner, pool, custody, collateral_custody, arg side),
        /// PDA ["order", position, [slot]]
        order [writable] pda(b"order", position, arg slot),
        /// the market
        custody [writable],
        collateral_custody [writable],
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
        funding_account [writable],
        ..TOKEN_PROGRAM,
        ..SYSTEM_PROGRAM,
    ]

    /// Cancels an order: the escrowed collateral, the reward and the rent go back to the owner.
    CANCEL_ORDER => CancelOrder {} [
        owner [writable, signer],
        pool,
        order [writable],
        collateral_custody [writable],
        /// the collateral custody's vault
        vault [writable] pda(b"vault", collateral_custody),
        receiving_account [writable],
        ..TOKEN_PROGRAM,
    ]

    /// Permissionless: executes an order once the oracle price has crossed its trigger; the keeper earns the prepaid
    /// reward.
    EXECUTE_ORDER => ExecuteOrder {} [
        /// receives the reward; pays a limit order's new position rent (repaid)
        keeper [writable, signer],
        order [writable],
        ..KEEPER_TRADE_ACCOUNTS,
        ..SYSTEM_PROGRAM,
    ]

    /// Permissionless: reduces a profitable position while the profit its collateral custody owes the position's group
    /// (market, side, collateral) exceeds the market's ADL threshold of that custody's tokens (the larger of owned and
    /// its hourly average); must lower the ratio, not below the floor.
    AUTO_DELEVERAGE => AutoDeleverage { size_usd: u64 } [
        keeper [signer],
        ..KEEPER_TRADE_ACCOUNTS,
    ]

    /// Admin: proposes the pool's complete new settings (a lower timelock included), executable after the pool's
    /// timelock.
    PROPOSE_POOL_PARAMS => ProposePoolParams { params: PoolParams } [
        ..ADMIN_POOL,
        /// PDA ["proposal", pool, pool, pool.proposal_nonce (u64 LE)]
        proposal [writable],
        ..SYSTEM_PROGRAM,
    ]

    /// Admin: proposes a custody's complete new settings (oracle account, parameters, risk parameters), executable
    /// after the pool's timelock. Remaining accounts: the pool's other custodies, in pool order (their target weights).
    PROPOSE_CUSTODY_PARAMS => ProposeCustodyParams { params: CustodyParams, risk: RiskParams } [
        ..ADMIN_POOL,
        /// PDA ["proposal", pool, custody, pool.proposal_nonce (u64 LE)]
        proposal [writable],
        custody,
        /// the new oracle: the PriceUpdateV2 account of the new feed, PDA [params.oracle_shard (u16 LE),
        /// params.feed_id] of params.oracle_program
        oracle pda(price_feed_of params),
        ..SYSTEM_PROGRAM,
    ]

    /// Admin: applies a pool settings proposal once its timelock has passed (validated again) and closes it.
    EXECUTE_POOL_PARAMS => ExecutePoolParams {} [
        ..ADMIN_POOL,
        proposal [writable],
    ]

    /// Admin: applies a custody settings proposal once its timelock has passed (validated again; interest and funding
    /// accrue under the old settings first) and closes it. Remaining accounts: the pool's other custodies, in pool
    /// order (their target weights).
    EXECUTE_CUSTODY_PARAMS => ExecuteCustodyParams {} [
        ..ADMIN_POOL,
        proposal [writable],
        custody [writable],
        /// the proposal's oracle account
        oracle,
    ]

    /// Admin: withdraws a pending settings proposal; its rent goes back to the admin.
    CANCEL_PROPOSAL => CancelProposal {} [
        ..ADMIN_POOL,
        proposal [writable],
    ]

    /// Admin: raises the pool's settings timelock at once (lowering it is a pool settings proposal).
    RAISE_TIMELOCK => RaiseTimelock { timelock_secs: u32 } [
        admin [signer],
        config pda(b"config"),
        pool [writable],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::PerpoolError;

    #[test]
    fn every_instruction_round_trips_through_its_discriminator() {
        assert_eq!(Instruction::ALL.len(), INSTRUCTIONS.len());
        assert_eq!(ix::ALL.len(), INSTRUCTIONS.len());
        for (i, &instruction) in Instruction::ALL.iter().enumerate() {
            let d = instruction.discriminator();
            assert_eq!(Instruction::from_discriminator(u64::from_le_bytes(d)), Some(instruction));
            assert_eq!(instruction.idl().name, instruction.name());
            assert_eq!(instruction.idl().discriminator, d);
            assert_eq!(ix::ALL[i], (instruction.name(), d));
            assert_eq!(d, crate::sha256::discriminator("global", instruction.name()));
        }
        assert_eq!(Instruction::IncreasePosition.name(), "increase_position");
        assert_eq!(ix::INIT_CONFIG, [23, 235, 115, 232, 168, 96, 1, 231]);
        assert_eq!(Instruction::from_discriminator(0), None);
    }

    #[test]
    fn arguments_are_read_in_wire_order_and_nothing_is_left_over() {
        let mut data = vec![1u8];
        data.extend_from_slice(&2u64.to_le_bytes());
        data.extend_from_slice(&3u64.to_le_bytes());
        data.extend_from_slice(&4u64.to_le_bytes());
        data.push(5);
        let a = args::IncreasePosition::read(&data).unwrap();
        assert_eq!((a.side, a.size_usd, a.collateral_amount, a.acceptable_price, a.position_bump), (1, 2, 3, 4, 5));
        let short = args::IncreasePosition::read(&data[..data.len() - 1]);
        assert!(matches!(short, Err(PerpoolError::InvalidInstructionData)));
        data.push(0);
        let long = args::IncreasePosition::read(&data);
        assert!(matches!(long, Err(PerpoolError::InvalidInstructionData)));
        assert!(args::AcceptAdmin::read(&[]).is_ok());
        assert!(matches!(args::AcceptAdmin::read(&[0]), Err(PerpoolError::InvalidInstructionData)));

        // A Borsh string borrows the data; an address is 32 bytes.
        let mut data = 4u32.to_le_bytes().to_vec();
        data.extend_from_slice(b"main");
        assert!(args::CreatePool::read(&data).is_err(), "the pool params are missing");
        data.extend_from_slice(&[0; 58]); // PoolParams: five u16, four u32 and four u64
        assert_eq!(args::CreatePool::read(&data).unwrap().name, b"main");
        let admin = args::ProposeAdmin::read(&[7; 32]).unwrap();
        assert_eq!(admin.new_admin, Address::new_from_array([7; 32]));
    }

    #[test]
    fn argument_types_are_named_as_the_idl_names_them() {
        use crate::idl::IdlType;
        let ty = |args: &[crate::idl::IdlField]| args.iter().map(|f| (f.name, f.ty)).collect::<Vec<_>>();
        assert_eq!(ty(args::CreatePool::ARGS), [("name", IdlType::String), ("params", IdlType::Defined("PoolParams"))]);
        assert_eq!(ty(args::ProposeAdmin::ARGS), [("new_admin", IdlType::Pubkey)]);
        assert_eq!(ty(args::SetPause::ARGS), [("flags", IdlType::U8)]);
        assert!(args::ClaimLp::ARGS.is_empty());
    }
}
