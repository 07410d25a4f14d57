//! Anchor-compatible discriminators: the first 8 bytes of
//! sha256("global:<snake_name>") for instructions, sha256("account:<Name>")
//! for accounts and sha256("event:<Name>") for events. Native tests recompute
//! each one from its name and compare it with the IDL.

/// Instruction discriminators, read as little-endian `u64` for a cheap match.
pub mod ix {
    pub const INIT_CONFIG: [u8; 8] = [23, 235, 115, 232, 168, 96, 1, 231];
    pub const CREATE_POOL: [u8; 8] = [233, 146, 209, 142, 207, 104, 64, 188];
    pub const ADD_CUSTODY: [u8; 8] = [247, 254, 126, 17, 26, 6, 215, 117];
    pub const SET_TEST_PRICE: [u8; 8] = [132, 240, 240, 176, 155, 122, 8, 176];
    pub const PROPOSE_ADMIN: [u8; 8] = [121, 214, 199, 212, 87, 39, 117, 234];
    pub const ACCEPT_ADMIN: [u8; 8] = [112, 42, 45, 90, 116, 181, 13, 170];
    pub const SET_PAUSE: [u8; 8] = [63, 32, 154, 2, 56, 103, 79, 45];

    /// Every instruction with its IDL name, for the native agreement test.
    pub const ALL: &[(&str, [u8; 8])] = &[
        ("init_config", INIT_CONFIG),
        ("create_pool", CREATE_POOL),
        ("add_custody", ADD_CUSTODY),
        ("set_test_price", SET_TEST_PRICE),
        ("propose_admin", PROPOSE_ADMIN),
        ("accept_admin", ACCEPT_ADMIN),
        ("set_pause", SET_PAUSE),
    ];
}

/// Account discriminators.
pub mod account {
    pub const CONFIG: [u8; 8] = [155, 12, 170, 224, 30, 250, 204, 130];
    pub const POOL: [u8; 8] = [241, 154, 109, 4, 17, 177, 109, 188];
    pub const CUSTODY: [u8; 8] = [1, 184, 48, 81, 93, 131, 63, 145];
    pub const TEST_ORACLE: [u8; 8] = [198, 49, 63, 134, 232, 251, 168, 28];

    pub const ALL: &[(&str, [u8; 8])] = &[
        ("Config", CONFIG),
        ("Pool", POOL),
        ("Custody", CUSTODY),
        ("TestOracle", TEST_ORACLE),
    ];
}

/// Event discriminators.
pub mod event {
    pub const CONFIG_INITIALIZED: [u8; 8] = [181, 49, 200, 156, 19, 167, 178, 91];
    pub const POOL_CREATED: [u8; 8] = [202, 44, 41, 88, 104, 220, 157, 82];
    pub const CUSTODY_ADDED: [u8; 8] = [169, 62, 78, 253, 181, 32, 148, 106];
    pub const TEST_PRICE_SET: [u8; 8] = [155, 64, 129, 2, 195, 213, 24, 174];
    pub const ADMIN_PROPOSED: [u8; 8] = [129, 249, 226, 227, 199, 82, 110, 243];
    pub const ADMIN_CHANGED: [u8; 8] = [232, 34, 31, 226, 62, 18, 19, 114];
    pub const PAUSE_SET: [u8; 8] = [175, 57, 198, 136, 192, 66, 204, 73];

    pub const ALL: &[(&str, [u8; 8])] = &[
        ("ConfigInitialized", CONFIG_INITIALIZED),
        ("PoolCreated", POOL_CREATED),
        ("CustodyAdded", CUSTODY_ADDED),
        ("TestPriceSet", TEST_PRICE_SET),
        ("AdminProposed", ADMIN_PROPOSED),
        ("AdminChanged", ADMIN_CHANGED),
        ("PauseSet", PAUSE_SET),
    ];
}
