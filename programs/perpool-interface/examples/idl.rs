//! Prints what the IDL takes from the interface crate's declarations, as compact JSON:
//! `{"instructions": [...], "events": [{name, discriminator, fields}, ...]}` (`src/instruction.rs`,
//! `src/event.rs`); `sdk/scripts/gen-idl.ts` (`npm run idl`) reads it.
//!
//! `cargo run -q -p perpool-interface --example idl`

use perpool_interface::{event::EVENTS, idl, instruction::INSTRUCTIONS};

fn main() {
    let mut json = String::from("{\"instructions\":");
    idl::write_instructions(&mut json, INSTRUCTIONS).expect("writing to a String");
    json.push_str(",\"events\":");
    idl::write_events(&mut json, EVENTS).expect("writing to a String");
    json.push('}');
    println!("{json}");
}
