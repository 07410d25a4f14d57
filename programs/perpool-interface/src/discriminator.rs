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

/// Event discriminators, generated from the event declarations in [`crate::event`].
pub use crate::event::discriminators as event;
