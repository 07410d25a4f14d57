//! Anchor-compatible discriminators: the first 8 bytes of
//! sha256("global:<snake_name>") for instructions, sha256("account:<Name>")
//! for accounts and sha256("event:<Name>") for events. Native tests recompute
//! each one from its name and compare it with the IDL.

/// Instruction discriminators, read as little-endian `u64` for a cheap match.
pub mod ix {
    pub const INIT_CONFIG: [u8; 8] = [23, 235, 115, 232, 168, 96, 1, 231];
    pub const CREATE_POOL: [u8; 8] = [233, 146, 209, 142, 207, 104, 64, 188];
    pub const ADD_CUSTODY: [u8; 8] = [247, 254, 126, 17, 26, 6, 215, 117];
    pub const PROPOSE_ADMIN: [u8; 8] = [121, 214, 199, 212, 87, 39, 117, 234];
    pub const ACCEPT_ADMIN: [u8; 8] = [112, 42, 45, 90, 116, 181, 13, 170];
    pub const SET_PAUSE: [u8; 8] = [63, 32, 154, 2, 56, 103, 79, 45];
    pub const ADD_LIQUIDITY: [u8; 8] = [181, 157, 89, 67, 143, 182, 52, 72];
    pub const REMOVE_LIQUIDITY: [u8; 8] = [80, 85, 209, 72, 24, 206, 177, 108];
    pub const SWAP: [u8; 8] = [248, 198, 158, 145, 225, 117, 135, 200];
    pub const WITHDRAW_PROTOCOL_FEES: [u8; 8] = [11, 68, 165, 98, 18, 208, 134, 73];
    pub const INCREASE_POSITION: [u8; 8] = [253, 234, 128, 104, 192, 188, 45, 91];
    pub const DECREASE_POSITION: [u8; 8] = [57, 125, 21, 59, 200, 137, 179, 108];
    pub const ADD_COLLATERAL: [u8; 8] = [127, 82, 121, 42, 161, 176, 249, 206];
    pub const REMOVE_COLLATERAL: [u8; 8] = [86, 222, 130, 86, 92, 20, 72, 65];
    pub const LIQUIDATE_POSITION: [u8; 8] = [187, 74, 229, 149, 102, 81, 221, 68];
    pub const REFRESH_CUSTODY: [u8; 8] = [99, 14, 31, 75, 22, 73, 141, 146];
    pub const DEPOSIT_LOAN_COLLATERAL: [u8; 8] = [81, 211, 4, 184, 117, 237, 140, 112];
    pub const WITHDRAW_LOAN_COLLATERAL: [u8; 8] = [67, 102, 170, 56, 174, 164, 88, 40];
    pub const BORROW: [u8; 8] = [228, 253, 131, 202, 207, 116, 89, 18];
    pub const REPAY: [u8; 8] = [234, 103, 67, 82, 208, 234, 219, 166];
    pub const LIQUIDATE_LOAN: [u8; 8] = [111, 249, 185, 54, 161, 147, 178, 24];
    pub const TOP_UP_INSURANCE: [u8; 8] = [165, 190, 109, 199, 163, 71, 49, 110];
    pub const PLACE_ORDER: [u8; 8] = [51, 194, 155, 175, 109, 130, 96, 106];
    pub const CANCEL_ORDER: [u8; 8] = [95, 129, 237, 240, 8, 49, 223, 132];
    pub const EXECUTE_ORDER: [u8; 8] = [115, 61, 180, 24, 168, 32, 215, 20];
    pub const AUTO_DELEVERAGE: [u8; 8] = [210, 69, 163, 148, 44, 245, 226, 170];
    pub const CLAIM_LP: [u8; 8] = [4, 196, 142, 10, 43, 200, 164, 3];
    pub const PROPOSE_POOL_PARAMS: [u8; 8] = [57, 33, 221, 55, 150, 196, 88, 233];
    pub const PROPOSE_CUSTODY_PARAMS: [u8; 8] = [145, 226, 164, 160, 47, 50, 128, 111];
    pub const EXECUTE_POOL_PARAMS: [u8; 8] = [85, 138, 44, 251, 47, 195, 173, 116];
    pub const EXECUTE_CUSTODY_PARAMS: [u8; 8] = [107, 159, 61, 40, 192, 87, 4, 173];
    pub const CANCEL_PROPOSAL: [u8; 8] = [106, 74, 128, 146, 19, 65, 39, 23];
    pub const RAISE_TIMELOCK: [u8; 8] = [130, 134, 245, 196, 85, 230, 4, 175];

    /// Every instruction with its IDL name, for the native agreement test.
    pub const ALL: &[(&str, [u8; 8])] = &[
        ("init_config", INIT_CONFIG),
        ("create_pool", CREATE_POOL),
        ("add_custody", ADD_CUSTODY),
        ("propose_admin", PROPOSE_ADMIN),
        ("accept_admin", ACCEPT_ADMIN),
        ("set_pause", SET_PAUSE),
        ("add_liquidity", ADD_LIQUIDITY),
        ("remove_liquidity", REMOVE_LIQUIDITY),
        ("swap", SWAP),
        ("withdraw_protocol_fees", WITHDRAW_PROTOCOL_FEES),
        ("increase_position", INCREASE_POSITION),
        ("decrease_position", DECREASE_POSITION),
        ("add_collateral", ADD_COLLATERAL),
        ("remove_collateral", REMOVE_COLLATERAL),
        ("liquidate_position", LIQUIDATE_POSITION),
        ("refresh_custody", REFRESH_CUSTODY),
        ("deposit_loan_collateral", DEPOSIT_LOAN_COLLATERAL),
        ("withdraw_loan_collateral", WITHDRAW_LOAN_COLLATERAL),
        ("borrow", BORROW),
        ("repay", REPAY),
        ("liquidate_loan", LIQUIDATE_LOAN),
        ("top_up_insurance", TOP_UP_INSURANCE),
        ("place_order", PLACE_ORDER),
        ("cancel_order", CANCEL_ORDER),
        ("execute_order", EXECUTE_ORDER),
        ("auto_deleverage", AUTO_DELEVERAGE),
        ("claim_lp", CLAIM_LP),
        ("propose_pool_params", PROPOSE_POOL_PARAMS),
        ("propose_custody_params", PROPOSE_CUSTODY_PARAMS),
        ("execute_pool_params", EXECUTE_POOL_PARAMS),
        ("execute_custody_params", EXECUTE_CUSTODY_PARAMS),
        ("cancel_proposal", CANCEL_PROPOSAL),
        ("raise_timelock", RAISE_TIMELOCK),
    ];
}

/// Account discriminators.
pub mod account {
    pub const CONFIG: [u8; 8] = [155, 12, 170, 224, 30, 250, 204, 130];
    pub const POOL: [u8; 8] = [241, 154, 109, 4, 17, 177, 109, 188];
    pub const CUSTODY: [u8; 8] = [1, 184, 48, 81, 93, 131, 63, 145];
    pub const LP_ACCOUNT: [u8; 8] = [23, 166, 251, 222, 23, 27, 215, 48];
    pub const POSITION: [u8; 8] = [170, 188, 143, 228, 122, 64, 247, 208];
    pub const LOAN: [u8; 8] = [20, 195, 70, 117, 165, 227, 182, 1];
    pub const ORDER: [u8; 8] = [134, 173, 223, 185, 77, 86, 28, 51];
    pub const PROPOSAL: [u8; 8] = [26, 94, 189, 187, 116, 136, 53, 33];
    /// Pyth receiver's `PriceUpdateV2` (not ours; checked when reading prices).
    pub const PRICE_UPDATE_V2: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];

    pub const ALL: &[(&str, [u8; 8])] = &[
        ("Config", CONFIG),
        ("Pool", POOL),
        ("Custody", CUSTODY),
        ("LpAccount", LP_ACCOUNT),
        ("Position", POSITION),
        ("Loan", LOAN),
        ("Order", ORDER),
        ("Proposal", PROPOSAL),
    ];
}

/// Event discriminators.
pub mod event {
    pub const CONFIG_INITIALIZED: [u8; 8] = [181, 49, 200, 156, 19, 167, 178, 91];
    pub const POOL_CREATED: [u8; 8] = [202, 44, 41, 88, 104, 220, 157, 82];
    pub const CUSTODY_ADDED: [u8; 8] = [169, 62, 78, 253, 181, 32, 148, 106];
    pub const ADMIN_PROPOSED: [u8; 8] = [129, 249, 226, 227, 199, 82, 110, 243];
    pub const ADMIN_CHANGED: [u8; 8] = [232, 34, 31, 226, 62, 18, 19, 114];
    pub const PAUSE_SET: [u8; 8] = [175, 57, 198, 136, 192, 66, 204, 73];
    pub const LIQUIDITY_ADDED: [u8; 8] = [154, 26, 221, 108, 238, 64, 217, 161];
    pub const LIQUIDITY_REMOVED: [u8; 8] = [225, 105, 216, 39, 124, 116, 169, 189];
    pub const SWAPPED: [u8; 8] = [217, 52, 52, 83, 147, 135, 96, 109];
    pub const PROTOCOL_FEES_WITHDRAWN: [u8; 8] = [202, 213, 134, 216, 108, 14, 84, 99];
    pub const POSITION_INCREASED: [u8; 8] = [73, 58, 247, 181, 100, 237, 249, 81];
    pub const POSITION_DECREASED: [u8; 8] = [251, 151, 37, 204, 127, 87, 115, 232];
    pub const COLLATERAL_ADDED: [u8; 8] = [172, 68, 58, 249, 157, 64, 74, 141];
    pub const POSITION_LIQUIDATED: [u8; 8] = [40, 107, 90, 214, 96, 30, 61, 128];
    pub const CUSTODY_REFRESHED: [u8; 8] = [237, 220, 152, 170, 199, 216, 68, 77];
    pub const LOAN_COLLATERAL_DEPOSITED: [u8; 8] = [163, 150, 63, 205, 46, 34, 113, 246];
    pub const LOAN_COLLATERAL_WITHDRAWN: [u8; 8] = [16, 163, 115, 138, 210, 89, 182, 177];
    pub const BORROWED: [u8; 8] = [225, 182, 241, 78, 34, 145, 253, 230];
    pub const REPAID: [u8; 8] = [38, 248, 231, 7, 150, 164, 172, 23];
    pub const LOAN_LIQUIDATED: [u8; 8] = [1, 29, 28, 96, 66, 95, 8, 204];
    pub const INSURANCE_TOPPED_UP: [u8; 8] = [209, 126, 81, 239, 13, 76, 230, 227];
    pub const ORDER_PLACED: [u8; 8] = [96, 130, 204, 234, 169, 219, 216, 227];
    pub const ORDER_CANCELLED: [u8; 8] = [108, 56, 128, 68, 168, 113, 168, 239];
    pub const ORDER_EXECUTED: [u8; 8] = [74, 135, 231, 5, 168, 106, 194, 117];
    pub const POSITION_DELEVERAGED: [u8; 8] = [108, 14, 146, 114, 186, 45, 241, 84];
    pub const LP_CLAIMED: [u8; 8] = [10, 0, 30, 33, 125, 180, 171, 129];
    pub const POSITION_SETTLED: [u8; 8] = [75, 100, 92, 189, 245, 116, 252, 221];
    pub const POOL_PARAMS_PROPOSED: [u8; 8] = [145, 12, 67, 250, 71, 29, 93, 17];
    pub const POOL_PARAMS_EXECUTED: [u8; 8] = [87, 190, 119, 206, 154, 74, 219, 50];
    pub const POOL_PARAMS_CANCELLED: [u8; 8] = [142, 29, 65, 178, 85, 41, 216, 19];
    pub const CUSTODY_PARAMS_PROPOSED: [u8; 8] = [148, 181, 178, 118, 190, 57, 189, 33];
    pub const CUSTODY_PARAMS_EXECUTED: [u8; 8] = [28, 69, 143, 8, 37, 56, 206, 254];
    pub const CUSTODY_PARAMS_CANCELLED: [u8; 8] = [109, 251, 39, 28, 4, 175, 154, 102];
    pub const TIMELOCK_RAISED: [u8; 8] = [153, 103, 217, 213, 112, 130, 3, 129];

    pub const ALL: &[(&str, [u8; 8])] = &[
        ("ConfigInitialized", CONFIG_INITIALIZED),
        ("PoolCreated", POOL_CREATED),
        ("CustodyAdded", CUSTODY_ADDED),
        ("AdminProposed", ADMIN_PROPOSED),
        ("AdminChanged", ADMIN_CHANGED),
        ("PauseSet", PAUSE_SET),
        ("LiquidityAdded", LIQUIDITY_ADDED),
        ("LiquidityRemoved", LIQUIDITY_REMOVED),
        ("Swapped", SWAPPED),
        ("ProtocolFeesWithdrawn", PROTOCOL_FEES_WITHDRAWN),
        ("PositionIncreased", POSITION_INCREASED),
        ("PositionDecreased", POSITION_DECREASED),
        ("CollateralAdded", COLLATERAL_ADDED),
        ("PositionLiquidated", POSITION_LIQUIDATED),
        ("CustodyRefreshed", CUSTODY_REFRESHED),
        ("LoanCollateralDeposited", LOAN_COLLATERAL_DEPOSITED),
        ("LoanCollateralWithdrawn", LOAN_COLLATERAL_WITHDRAWN),
        ("Borrowed", BORROWED),
        ("Repaid", REPAID),
        ("LoanLiquidated", LOAN_LIQUIDATED),
        ("InsuranceToppedUp", INSURANCE_TOPPED_UP),
        ("OrderPlaced", ORDER_PLACED),
        ("OrderCancelled", ORDER_CANCELLED),
        ("OrderExecuted", ORDER_EXECUTED),
        ("PositionDeleveraged", POSITION_DELEVERAGED),
        ("LpClaimed", LP_CLAIMED),
        ("PositionSettled", POSITION_SETTLED),
        ("PoolParamsProposed", POOL_PARAMS_PROPOSED),
        ("PoolParamsExecuted", POOL_PARAMS_EXECUTED),
        ("PoolParamsCancelled", POOL_PARAMS_CANCELLED),
        ("CustodyParamsProposed", CUSTODY_PARAMS_PROPOSED),
        ("CustodyParamsExecuted", CUSTODY_PARAMS_EXECUTED),
        ("CustodyParamsCancelled", CUSTODY_PARAMS_CANCELLED),
        ("TimelockRaised", TIMELOCK_RAISED),
    ];
}
