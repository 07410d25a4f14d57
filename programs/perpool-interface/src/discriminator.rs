//! Anchor-compatible discriminators: the first 8 bytes of
//! sha256("global:<snake_name>") for instructions, sha256("account:<Name>")
//! for accounts and sha256("event:<Name>") for events, computed from the names
//! while compiling ([`crate::sha256`]). Native tests compare them with sha2 and the IDL.

/// `pub const NAME: [u8; 8]` for each name in `namespace`, and `ALL`: every one with its name.
macro_rules! discriminators {
    ($namespace:literal { $($(#[$doc:meta])* $NAME:ident = $name:literal,)* }) => {
        $($(#[$doc])* pub const $NAME: [u8; 8] = crate::sha256::discriminator($namespace, $name);)*

        /// Every one with its name.
        pub const ALL: &[(&str, [u8; 8])] = &[$(($name, $NAME)),*];
    };
}

/// Instruction discriminators, read as little-endian `u64` for a cheap match.
pub mod ix {
    discriminators!("global" {
        INIT_CONFIG = "init_config",
        CREATE_POOL = "create_pool",
        ADD_CUSTODY = "add_custody",
        PROPOSE_ADMIN = "propose_admin",
        ACCEPT_ADMIN = "accept_admin",
        SET_PAUSE = "set_pause",
        ADD_LIQUIDITY = "add_liquidity",
        REMOVE_LIQUIDITY = "remove_liquidity",
        SWAP = "swap",
        WITHDRAW_PROTOCOL_FEES = "withdraw_protocol_fees",
        INCREASE_POSITION = "increase_position",
        DECREASE_POSITION = "decrease_position",
        ADD_COLLATERAL = "add_collateral",
        REMOVE_COLLATERAL = "remove_collateral",
        LIQUIDATE_POSITION = "liquidate_position",
        REFRESH_CUSTODY = "refresh_custody",
        DEPOSIT_LOAN_COLLATERAL = "deposit_loan_collateral",
        WITHDRAW_LOAN_COLLATERAL = "withdraw_loan_collateral",
        BORROW = "borrow",
        REPAY = "repay",
        LIQUIDATE_LOAN = "liquidate_loan",
        TOP_UP_INSURANCE = "top_up_insurance",
        PLACE_ORDER = "place_order",
        CANCEL_ORDER = "cancel_order",
        EXECUTE_ORDER = "execute_order",
        AUTO_DELEVERAGE = "auto_deleverage",
        CLAIM_LP = "claim_lp",
        PROPOSE_POOL_PARAMS = "propose_pool_params",
        PROPOSE_CUSTODY_PARAMS = "propose_custody_params",
        EXECUTE_POOL_PARAMS = "execute_pool_params",
        EXECUTE_CUSTODY_PARAMS = "execute_custody_params",
        CANCEL_PROPOSAL = "cancel_proposal",
        RAISE_TIMELOCK = "raise_timelock",
    });
}

/// Account discriminators.
pub mod account {
    /// Pyth receiver's `PriceUpdateV2` (not ours; checked when reading prices).
    pub const PRICE_UPDATE_V2: [u8; 8] = crate::sha256::discriminator("account", "PriceUpdateV2");

    discriminators!("account" {
        CONFIG = "Config",
        POOL = "Pool",
        CUSTODY = "Custody",
        LP_ACCOUNT = "LpAccount",
        POSITION = "Position",
        LOAN = "Loan",
        ORDER = "Order",
        PROPOSAL = "Proposal",
    });
}

/// Event discriminators.
pub mod event {
    discriminators!("event" {
        CONFIG_INITIALIZED = "ConfigInitialized",
        POOL_CREATED = "PoolCreated",
        CUSTODY_ADDED = "CustodyAdded",
        ADMIN_PROPOSED = "AdminProposed",
        ADMIN_CHANGED = "AdminChanged",
        PAUSE_SET = "PauseSet",
        LIQUIDITY_ADDED = "LiquidityAdded",
        LIQUIDITY_REMOVED = "LiquidityRemoved",
        SWAPPED = "Swapped",
        PROTOCOL_FEES_WITHDRAWN = "ProtocolFeesWithdrawn",
        POSITION_INCREASED = "PositionIncreased",
        POSITION_DECREASED = "PositionDecreased",
        COLLATERAL_ADDED = "CollateralAdded",
        POSITION_LIQUIDATED = "PositionLiquidated",
        CUSTODY_REFRESHED = "CustodyRefreshed",
        LOAN_COLLATERAL_DEPOSITED = "LoanCollateralDeposited",
        LOAN_COLLATERAL_WITHDRAWN = "LoanCollateralWithdrawn",
        BORROWED = "Borrowed",
        REPAID = "Repaid",
        LOAN_LIQUIDATED = "LoanLiquidated",
        INSURANCE_TOPPED_UP = "InsuranceToppedUp",
        ORDER_PLACED = "OrderPlaced",
        ORDER_CANCELLED = "OrderCancelled",
        ORDER_EXECUTED = "OrderExecuted",
        POSITION_DELEVERAGED = "PositionDeleveraged",
        LP_CLAIMED = "LpClaimed",
        POSITION_SETTLED = "PositionSettled",
        POOL_PARAMS_PROPOSED = "PoolParamsProposed",
        POOL_PARAMS_EXECUTED = "PoolParamsExecuted",
        POOL_PARAMS_CANCELLED = "PoolParamsCancelled",
        CUSTODY_PARAMS_PROPOSED = "CustodyParamsProposed",
        CUSTODY_PARAMS_EXECUTED = "CustodyParamsExecuted",
        CUSTODY_PARAMS_CANCELLED = "CustodyParamsCancelled",
        TIMELOCK_RAISED = "TimelockRaised",
    });
}
