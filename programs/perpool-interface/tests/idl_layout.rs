//! Proves the IDL (`sdk/src/idl/perpool.json`) agrees with the program:
//! discriminators recomputed from names, account sizes, error codes, and the
//! offset and size of every field of every zero-copy account.

use std::mem::{offset_of, size_of};

use perpool_interface::{discriminator, state};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn idl() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sdk/src/idl/perpool.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("IDL file")).expect("IDL json")
}

fn anchor_disc(prefix: &str, name: &str) -> [u8; 8] {
    let h = Sha256::digest(format!("{prefix}:{name}").as_bytes());
    h[..8].try_into().unwrap()
}

fn idl_disc(v: &Value) -> [u8; 8] {
    let d: Vec<u8> = v["discriminator"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u8).collect();
    d.try_into().unwrap()
}

fn find<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array().unwrap().iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("{name} missing from IDL"))
}

/// Borsh size of an IDL type (fixed-size types only).
fn borsh_size(idl: &Value, t: &Value) -> usize {
    match t {
        Value::String(s) => match s.as_str() {
            "u8" | "i8" | "bool" => 1,
            "u16" | "i16" => 2,
            "u32" | "i32" => 4,
            "u64" | "i64" => 8,
            "u128" | "i128" => 16,
            "pubkey" => 32,
            other => panic!("variable or unknown type {other}"),
        },
        Value::Object(o) if o.contains_key("array") => {
            let a = o["array"].as_array().unwrap();
            borsh_size(idl, &a[0]) * a[1].as_u64().unwrap() as usize
        }
        Value::Object(o) if o.contains_key("defined") => {
            let name = o["defined"]["name"].as_str().unwrap();
            let ty = find(&idl["types"], name);
            ty["type"]["fields"].as_array().unwrap().iter().map(|f| borsh_size(idl, &f["type"])).sum()
        }
        other => panic!("unsupported type {other}"),
    }
}

/// (field name, offset, size) of a struct's fields in declaration order.
macro_rules! layout {
    ($ty:ty { $($field:ident),* $(,)? }) => {{
        let offsets: Vec<(&str, usize)> = vec![$((stringify!($field), offset_of!($ty, $field))),*];
        let mut out = Vec::new();
        for (i, (name, off)) in offsets.iter().enumerate() {
            let end = offsets.get(i + 1).map(|x| x.1).unwrap_or(size_of::<$ty>());
            out.push((name.to_string(), *off, end - off));
        }
        out
    }};
}

/// The IDL lists an array field as one field per entry, `<prefix>_<i>` (`gen-idl.ts`'s `SPLIT`).
fn split_array(rust: Vec<(String, usize, usize)>, field: &str, prefix: &str, n: usize) -> Vec<(String, usize, usize)> {
    rust.into_iter()
        .flat_map(|(name, off, size)| {
            if name == field {
                assert_eq!(size % n, 0, "{field}: {n} equal entries");
                (0..n).map(|i| (format!("{prefix}_{i}"), off + i * size / n, size / n)).collect()
            } else {
                vec![(name, off, size)]
            }
        })
        .collect()
}

fn check_account(idl: &Value, name: &str, disc: [u8; 8], rust: Vec<(String, usize, usize)>, size: usize) {
    assert_eq!(idl_disc(find(&idl["accounts"], name)), disc, "{name} discriminator");
    assert_eq!(disc, anchor_disc("account", name), "{name} discriminator vs sha256");
    let fields = find(&idl["types"], name)["type"]["fields"].as_array().unwrap().clone();
    // The IDL omits the 8-byte discriminator; Rust lists it first.
    assert_eq!(rust[0].0, "discriminator");
    assert_eq!((rust[0].1, rust[0].2), (0, 8));
    assert_eq!(fields.len(), rust.len() - 1, "{name}: field count");
    let mut offset = 8;
    for (f, (rname, roff, rsize)) in fields.iter().zip(rust.iter().skip(1)) {
        let fname = f["name"].as_str().unwrap();
        let fsize = borsh_size(idl, &f["type"]);
        assert_eq!(fname, rname, "{name}: field order");
        assert_eq!(offset, *roff, "{name}.{fname}: offset");
        assert_eq!(fsize, *rsize, "{name}.{fname}: size");
        offset += fsize;
    }
    assert_eq!(offset, size, "{name}: total size");
}

#[test]
fn instruction_and_event_discriminators_match_idl() {
    let idl = idl();
    assert_eq!(idl["instructions"].as_array().unwrap().len(), discriminator::ix::ALL.len());
    for (name, d) in discriminator::ix::ALL {
        assert_eq!(*d, anchor_disc("global", name), "{name}");
        assert_eq!(idl_disc(find(&idl["instructions"], name)), *d, "{name}");
    }
    assert_eq!(idl["events"].as_array().unwrap().len(), discriminator::event::ALL.len());
    for (name, d) in discriminator::event::ALL {
        assert_eq!(*d, anchor_disc("event", name), "{name}");
        assert_eq!(idl_disc(find(&idl["events"], name)), *d, "{name}");
    }
    assert_eq!(idl["accounts"].as_array().unwrap().len(), discriminator::account::ALL.len());
    for (name, d) in discriminator::account::ALL {
        assert_eq!(*d, anchor_disc("account", name), "{name}");
    }
}

/// The IDL's instructions are what the interface crate declares (`npm run idl` writes them from
/// the same `write_instructions`; this holds without node).
#[test]
fn instructions_match_the_declarations() {
    let mut json = String::new();
    perpool_interface::idl::write_instructions(&mut json, perpool_interface::instruction::INSTRUCTIONS).unwrap();
    let declared: Value = serde_json::from_str(&json).expect("the writer's JSON");
    assert_eq!(declared, idl()["instructions"]);
}

/// The IDL's events and their types are what the interface crate declares.
#[test]
fn events_match_the_declarations() {
    let idl = idl();
    let mut json = String::new();
    perpool_interface::idl::write_events(&mut json, perpool_interface::event::EVENTS).unwrap();
    let declared: Value = serde_json::from_str(&json).expect("the writer's JSON");
    let declared = declared.as_array().unwrap();
    assert_eq!(declared.len(), idl["events"].as_array().unwrap().len());
    for (e, idl_event) in declared.iter().zip(idl["events"].as_array().unwrap()) {
        assert_eq!(e["name"], idl_event["name"]);
        assert_eq!(e["discriminator"], idl_event["discriminator"]);
        assert_eq!(e["fields"], find(&idl["types"], e["name"].as_str().unwrap())["type"]["fields"]);
    }
}

#[test]
fn account_layouts_match_idl() {
    let idl = idl();
    use state::*;
    check_account(
        &idl,
        "Config",
        Config::DISCRIMINATOR,
        layout!(Config {
            discriminator,
            version,
            bump,
            pause_flags,
            padding0,
            admin,
            pending_admin,
            min_timelock_secs,
            padding1,
            reserved
        }),
        Config::LEN,
    );
    check_account(
        &idl,
        "Pool",
        Pool::DISCRIMINATOR,
        split_array(
            layout!(Pool {
                discriminator,
                version,
                bump,
                lp_mint_bump,
                reserved0,
                custody_count,
                name_len,
                padding0,
                name,
                lp_mint,
                custodies,
                lp_fee_share_bps,
                protocol_fee_share_bps,
                insurance_fee_share_bps,
                adl_threshold_bps,
                adl_floor_bps,
                padding1,
                max_aum_usd,
                inception_time,
                lp_cooldown_secs,
                pnl_warmup_secs,
                min_profit_hold_secs,
                lp_escrow_bump,
                padding2,
                lp_escrow,
                min_first_deposit_usd,
                dead_lp,
                min_lp_mint,
                timelock_secs,
                pending_proposals,
                proposal_nonce,
                reserved
            }),
            "custodies",
            "custody",
            pool::MAX_CUSTODIES,
        ),
        Pool::LEN,
    );
    check_account(
        &idl,
        "Custody",
        Custody::DISCRIMINATOR,
        layout!(Custody {
            discriminator,
            version,
            bump,
            vault_bump,
            decimals,
            is_stable,
            oracle_kind,
            interest_on_pnl,
            collateral_earns_interest,
            pool,
            mint,
            vault,
            oracle,
            feed_id,
            oracle_max_age_secs,
            oracle_max_conf_bps,
            padding1,
            max_leverage_bps,
            spread_bps,
            target_weight_bps,
            min_weight_bps,
            max_weight_bps,
            base_fee_bps,
            tax_fee_bps,
            open_fee_bps,
            close_fee_bps,
            maintenance_margin_bps,
            liquidation_reward_bps,
            min_collateral_usd,
            max_position_usd,
            max_long_oi_usd,
            max_short_oi_usd,
            base_rate,
            slope1,
            slope2,
            optimal_utilization_bps,
            reserve_factor_bps,
            max_utilization_bps,
            buffer_bps,
            owned,
            locked,
            collateral,
            loan_collateral,
            lent,
            protocol_fees,
            insurance,
            borrow_index,
            supply_index,
            last_accrual,
            long_oi_usd,
            long_oi_tokens,
            short_oi_usd,
            short_oi_tokens,
            max_ltv_bps,
            liquidation_ltv_bps,
            liquidation_bonus_bps,
            close_factor_bps,
            cumulative_trading_fees,
            cumulative_borrow_fees,
            cumulative_lending_interest,
            impact_positive_factor,
            impact_negative_factor,
            funding_factor,
            max_funding_rate,
            long_funding_paid,
            long_funding_received,
            short_funding_paid,
            short_funding_received,
            last_funding_update,
            order_collateral,
            max_positive_impact_bps,
            max_negative_impact_bps,
            adl_threshold_bps,
            adl_floor_bps,
            impact_exponent,
            padding2,
            collateral_buffer_bps,
            padding3,
            last_price_time,
            owned_ema,
            owned_ema_time,
            position_debt,
            borrow_fees_accrued,
            collateral_index,
            collateral_interest_due,
            pnl_profit_base_usd,
            pnl_loss_base_usd,
            pnl_interest_due_usd,
            pnl_interest_owed_usd,
            long_funding_owed_usd,
            long_funding_due_usd,
            short_funding_owed_usd,
            short_funding_due_usd,
            long_groups,
            short_groups,
            oracle_program,
            oracle_shard,
            padding4,
            reserved
        }),
        Custody::LEN,
    );
    check_account(
        &idl,
        "LpAccount",
        LpAccount::DISCRIMINATOR,
        layout!(LpAccount {
            discriminator,
            version,
            bump,
            padding0,
            pool,
            owner,
            last_add_slot,
            deposited_usd,
            redeemed_usd,
            lp_minted,
            lp_burned,
            escrowed_lp,
            unlock_time,
            reserved
        }),
        LpAccount::LEN,
    );
    check_account(
        &idl,
        "Position",
        Position::DISCRIMINATOR,
        layout!(Position {
            discriminator,
            version,
            bump,
            side,
            padding0,
            owner,
            pool,
            custody,
            collateral_custody,
            open_time,
            update_time,
            size_usd,
            size_tokens,
            entry_price,
            collateral_amount,
            locked_amount,
            borrow_index_snapshot,
            realized_pnl_usd,
            fees_paid_usd,
            borrow_fees_paid,
            supply_index_snapshot,
            interest_settled,
            funding_paid_snapshot,
            funding_received_snapshot,
            funding_settled_usd,
            owed_tokens,
            last_increase_time,
            pnl_base_usd,
            pnl_seen_usd,
            pnl_seen_time,
            collateral_index_snapshot,
            pnl_base_profit,
            collateral_group,
            padding1,
            reserved
        }),
        Position::LEN,
    );
    check_account(
        &idl,
        "Order",
        Order::DISCRIMINATOR,
        layout!(Order {
            discriminator,
            version,
            bump,
            kind,
            side,
            slot,
            position_bump,
            padding0,
            owner,
            pool,
            position,
            custody,
            collateral_custody,
            trigger_price,
            acceptable_price,
            size_usd,
            collateral_amount,
            execution_reward,
            position_rent,
            created_time,
            reserved
        }),
        Order::LEN,
    );
    check_account(
        &idl,
        "Loan",
        Loan::DISCRIMINATOR,
        layout!(Loan {
            discriminator,
            version,
            bump,
            padding0,
            owner,
            pool,
            collateral_custody,
            borrow_custody,
            collateral_amount,
            scaled_debt,
            collateral_index_snapshot,
            open_time,
            update_time,
            collateral_interest,
            reserved
        }),
        Loan::LEN,
    );
    check_account(
        &idl,
        "Proposal",
        Proposal::DISCRIMINATOR,
        layout!(Proposal {
            discriminator,
            version,
            bump,
            kind,
            padding0,
            pool,
            target,
            proposer,
            nonce,
            proposed_at,
            eta,
            payload_len,
            padding1,
            payload,
            reserved
        }),
        Proposal::LEN,
    );
}

#[test]
fn error_codes_match_idl() {
    use perpool_interface::error::PerpoolError as E;
    let idl = idl();
    let rust = [
        ("InvalidInstructionData", E::InvalidInstructionData as u32),
        ("NotEnoughAccounts", E::NotEnoughAccounts as u32),
        ("MissingSigner", E::MissingSigner as u32),
        ("AccountNotWritable", E::AccountNotWritable as u32),
        ("InvalidAccountOwner", E::InvalidAccountOwner as u32),
        ("InvalidPda", E::InvalidPda as u32),
        ("InvalidAccountData", E::InvalidAccountData as u32),
        ("AlreadyInitialized", E::AlreadyInitialized as u32),
        ("Unauthorized", E::Unauthorized as u32),
        ("NoPendingAdmin", E::NoPendingAdmin as u32),
        ("Paused", E::Paused as u32),
        ("InvalidMint", E::InvalidMint as u32),
        ("InvalidTokenProgram", E::InvalidTokenProgram as u32),
        ("InvalidSystemProgram", E::InvalidSystemProgram as u32),
        ("InvalidOracleAccount", E::InvalidOracleAccount as u32),
        ("PoolFull", E::PoolFull as u32),
        ("InvalidPoolName", E::InvalidPoolName as u32),
        ("InvalidPoolParams", E::InvalidPoolParams as u32),
        ("InvalidCustodyParams", E::InvalidCustodyParams as u32),
        ("CustodyMismatch", E::CustodyMismatch as u32),
        ("MathOverflow", E::MathOverflow as u32),
        ("DivideByZero", E::DivideByZero as u32),
        ("InvalidPrice", E::InvalidPrice as u32),
        ("DuplicateAccount", E::DuplicateAccount as u32),
        ("InvalidPauseFlags", E::InvalidPauseFlags as u32),
        ("StaleOraclePrice", E::StaleOraclePrice as u32),
        ("OracleConfidenceTooWide", E::OracleConfidenceTooWide as u32),
        ("OracleFeedMismatch", E::OracleFeedMismatch as u32),
        ("OracleNotFullyVerified", E::OracleNotFullyVerified as u32),
        ("CustodyListMismatch", E::CustodyListMismatch as u32),
        ("SlippageExceeded", E::SlippageExceeded as u32),
        ("ZeroAmount", E::ZeroAmount as u32),
        ("MaxWeightExceeded", E::MaxWeightExceeded as u32),
        ("MinWeightExceeded", E::MinWeightExceeded as u32),
        ("PoolCapExceeded", E::PoolCapExceeded as u32),
        ("InsufficientLiquidity", E::InsufficientLiquidity as u32),
        ("SameSlotRedemption", E::SameSlotRedemption as u32),
        ("InvalidTokenAccount", E::InvalidTokenAccount as u32),
        ("PoolValueZero", E::PoolValueZero as u32),
        ("InsufficientLpSupply", E::InsufficientLpSupply as u32),
        ("InsufficientProtocolFees", E::InsufficientProtocolFees as u32),
        ("InvalidSide", E::InvalidSide as u32),
        ("InvalidCollateralCustody", E::InvalidCollateralCustody as u32),
        ("InvalidSpread", E::InvalidSpread as u32),
        ("InsufficientCollateral", E::InsufficientCollateral as u32),
        ("PositionTooLarge", E::PositionTooLarge as u32),
        ("OpenInterestCap", E::OpenInterestCap as u32),
        ("CollateralTooSmall", E::CollateralTooSmall as u32),
        ("LeverageTooHigh", E::LeverageTooHigh as u32),
        ("WouldBeLiquidatable", E::WouldBeLiquidatable as u32),
        ("SizeTooLarge", E::SizeTooLarge as u32),
        ("PositionUnderwater", E::PositionUnderwater as u32),
        ("NotLiquidatable", E::NotLiquidatable as u32),
        ("PositionMismatch", E::PositionMismatch as u32),
        ("LtvTooHigh", E::LtvTooHigh as u32),
        ("UtilizationTooHigh", E::UtilizationTooHigh as u32),
        ("LoanMismatch", E::LoanMismatch as u32),
        ("LendingNotEnabled", E::LendingNotEnabled as u32),
        ("PriceImpactTooLarge", E::PriceImpactTooLarge as u32),
        ("InvalidRiskParams", E::InvalidRiskParams as u32),
        ("InvalidOrder", E::InvalidOrder as u32),
        ("OrderNotTriggered", E::OrderNotTriggered as u32),
        ("OrderMismatch", E::OrderMismatch as u32),
        ("ExecutionRewardTooSmall", E::ExecutionRewardTooSmall as u32),
        ("AdlNotAllowed", E::AdlNotAllowed as u32),
        ("AdlNotProfitable", E::AdlNotProfitable as u32),
        ("AdlTooLarge", E::AdlTooLarge as u32),
        ("InsufficientLamports", E::InsufficientLamports as u32),
        ("InsufficientFunds", E::InsufficientFunds as u32),
        ("FirstDepositTooSmall", E::FirstDepositTooSmall as u32),
        ("LpMintTooSmall", E::LpMintTooSmall as u32),
        ("LpCooldown", E::LpCooldown as u32),
        ("OraclePriceOutdated", E::OraclePriceOutdated as u32),
        ("InvalidCollateralGroup", E::InvalidCollateralGroup as u32),
        ("UnsupportedOracleKind", E::UnsupportedOracleKind as u32),
        ("NotUpgradeAuthority", E::NotUpgradeAuthority as u32),
        ("InvalidProgramData", E::InvalidProgramData as u32),
        ("ProgramNotUpgradeable", E::ProgramNotUpgradeable as u32),
        ("TimelockNotElapsed", E::TimelockNotElapsed as u32),
        ("TimelockTooShort", E::TimelockTooShort as u32),
        ("TimelockTooLong", E::TimelockTooLong as u32),
        ("TimelockNotRaised", E::TimelockNotRaised as u32),
        ("ProposalMismatch", E::ProposalMismatch as u32),
        ("LiquidationFeesAboveMargin", E::LiquidationFeesAboveMargin as u32),
        ("LeverageBeyondMargin", E::LeverageBeyondMargin as u32),
        ("InvalidWeights", E::InvalidWeights as u32),
        ("TargetWeightsAbove100", E::TargetWeightsAbove100 as u32),
        ("FeeAboveCap", E::FeeAboveCap as u32),
        ("InvalidOracleLimits", E::InvalidOracleLimits as u32),
        ("InvalidRateCurve", E::InvalidRateCurve as u32),
        ("SettingFixedAtListing", E::SettingFixedAtListing as u32),
        ("TimelockRaisedSince", E::TimelockRaisedSince as u32),
        ("CpiAccountBorrowed", E::CpiAccountBorrowed as u32),
        ("CpiAccountMismatch", E::CpiAccountMismatch as u32),
        ("CpiRefused", E::CpiRefused as u32),
        ("SysvarUnavailable", E::SysvarUnavailable as u32),
        ("OracleNotFeedAccount", E::OracleNotFeedAccount as u32),
    ];
    assert_eq!(idl["errors"].as_array().unwrap().len(), rust.len(), "every error is in the IDL");
    for (name, code) in rust {
        assert_eq!(find(&idl["errors"], name)["code"].as_u64().unwrap() as u32, code, "{name}");
    }
}
