//! Prints the IDL's `instructions` array (compact JSON) from the declarations in
//! `src/instruction.rs`; `sdk/scripts/gen-idl.ts` (`npm run idl`) reads it.
//!
//! `cargo run -q -p perpool-interface --example idl`

fn main() {
    let mut json = String::new();
    perpool_interface::idl::write_instructions(&mut json, perpool_interface::instruction::INSTRUCTIONS)
        .expect("writing to a String");
    println!("{json}");
}
