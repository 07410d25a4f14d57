//! Prints what the IDL takes from the interface crate's declarations, as compact JSON:
//! `{"instructions": [...], "events": [{name, discriminator, fields}, ...], "types": [{name, fields},
//! ...]}` (`src/instruction.rs`, `src/event.rs` with its `Settlement`, the settings of `src/state`); `sdk/scripts/gen-idl.ts`
//! (`npm run idl`) reads it.
//!
//! `cargo run -q -p perpool-interface --example idl`

use perpool_interface::{
    event::{Settlement, EVENTS},
    idl::{self, IdlTypeDef},
    instruction::INSTRUCTIONS,
    state::{CustodyParams, PoolParams, RiskParams},
};

/// The settings structs and the events' `Settlement`, each an IDL type written from its declaration.
const TYPES: &[IdlTypeDef] = &[
    IdlTypeDef { name: "PoolParams", fields: PoolParams::IDL_FIELDS },
    IdlTypeDef { name: "CustodyParams", fields: CustodyParams::IDL_FIELDS },
    IdlTypeDef { name: "RiskParams", fields: RiskParams::IDL_FIELDS },
    IdlTypeDef { name: "Settlement", fields: Settlement::IDL_FIELDS },
];

fn main() {
    let mut json = String::from("{\"instructions\":");
    idl::write_instructions(&mut json, INSTRUCTIONS).expect("writing to a String");
    json.push_str(",\"events\":");
    idl::write_events(&mut json, EVENTS).expect("writing to a String");
    json.push_str(",\"types\":");
    idl::write_types(&mut json, TYPES).expect("writing to a String");
    json.push('}');
    println!("{json}");
}
