//! Anchor-compatible discriminators: the first 8 bytes of
//! `sha256("global:<snake_name>")` for instructions, `sha256("account:<Name>")`
//! for accounts and `sha256("event:<Name>")` for events, computed from the names
//! while compiling ([`crate::sha256`]). Native tests compare them with sha2 and the IDL.

/// `pub const NAME: [u8; 8]` for each name in `namespace`, and `ALL`: every one with its name.
macro_rules! discriminators {
    ($namespace:literal { $($(#[$doc:meta])* $NAME:ident = $name:literal,)* }) => {
        $($(#[$doc])* pub const $NAME: [u8; 8] = crate::sha256::discriminator($namespace, $name);)*

        /// Every one with its name.
        pub const ALL: &[(&str, [u8; 8])] = &[$(($name, $NAME)),*];
    };
}

/// Instruction discriminators, generated from the instruction declarations in [`crate::instruction`].
pub use crate::instruction::ix;

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
