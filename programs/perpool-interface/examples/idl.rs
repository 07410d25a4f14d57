//! Prints what the IDL takes from the interface crate's declarations, as compact JSON:
//! `{"instructions": [...], "events": [{name, discriminator, fields}, ...], "types": [{name, fields},
//! ...]}` (`src/instruction.rs`, `src/event.rs`, the settings of `src/state`); `sdk/scripts/gen-idl.ts`
//! (`npm run idl`) reads it.
//!
//! `cargo run -q -p perpool-interface --example idl`

use perpool_interface::{
    event::EVENTS,
    idl::{self, IdlTypeDef},
    instruction::INSTRUCTIONS,
    state::{CustodyParams, PoolParams, RiskParams},
};

/// The settings structs, each an IDL type written from its declaration.
const SETTINGS: &[IdlTypeDef] = &[
    IdlTypeDef { name: "PoolParams", fields: PoolParams::IDL_FIELDS },
    IdlTypeDef { name: "CustodyParams", fields: CustodyParams::IDL_FIELDS },
    IdlTypeDef { name: "RiskParams", fields: RiskParams::IDL_FIELDS },
];

fn main() {
    let mut json = String::from("{\"instructions\":");
    idl::write_instructions(&mut json, INSTRUCTIONS).expect("writing to a String");
    json.push_str(",\"events\":");
    idl::write_events(&mut json, EVENTS).expect("writing to a String");
    json.push_str(",\"types\":");
    idl::write_types(&mut json, SETTINGS).expect("writing to a String");
    json.push('}');
    println!("{json}");
}
