//! The program's interface as data, in the shapes of Anchor's IDL (spec 0.1.0): what
//! [`crate::instruction`] and [`crate::event`] declare, readable by a client or a test, and written
//! as the IDL's JSON by [`write_instructions`] and [`write_events`] (host builds only;
//! `cargo run -p perpool-interface --example idl`).
//!
//! Everything here is `const`-constructible and `'static`; the program never reads it, so none of
//! it reaches the deployed binary.

use pinocchio::Address;

/// One event: `IdlEvent` of Anchor's IDL, with the fields of its `types` entry.
#[derive(Clone, Copy, Debug)]
pub struct IdlEvent {
    /// UpperCamel (`sha256("event:<Name>")`).
    pub name: &'static str,
    pub discriminator: [u8; 8],
    /// In wire order (Borsh, after the discriminator).
    pub fields: &'static [IdlField],
}

/// One instruction: `IdlInstruction` of Anchor's IDL.
#[derive(Clone, Copy, Debug)]
pub struct IdlInstruction {
    /// snake_case, as on the wire (`sha256("global:<name>")`).
    pub name: &'static str,
    /// The declaration's doc comment, its lines joined by spaces.
    pub docs: &'static str,
    pub discriminator: [u8; 8],
    pub accounts: &'static [IdlAccountItem],
    /// The arguments in wire order (Borsh, after the discriminator).
    pub args: &'static [IdlField],
}

/// An entry of an instruction's account list: one account, or a shared list spliced in place.
#[derive(Clone, Copy, Debug)]
pub enum IdlAccountItem {
    One(IdlAccount),
    Splice(&'static [IdlAccountItem]),
}

/// One account of an instruction: `IdlInstructionAccount` of Anchor's IDL.
#[derive(Clone, Copy, Debug)]
pub struct IdlAccount {
    pub name: &'static str,
    /// Empty when the account has no doc comment.
    pub docs: &'static str,
    pub writable: bool,
    pub signer: bool,
    /// May be absent: a client passes the program's own address in its place (anchor's convention).
    pub optional: bool,
    /// A fixed address (programs).
    pub address: Option<Address>,
    /// The seeds a client derives the address from.
    pub pda: Option<IdlPda>,
    /// Accounts whose stored keys name this one (`has_one`-style).
    pub relations: &'static [&'static str],
}

impl IdlAccount {
    /// An account with only a name: what each declaration starts from.
    pub const NEW: Self = Self {
        name: "",
        docs: "",
        writable: false,
        signer: false,
        optional: false,
        address: None,
        pda: None,
        relations: &[],
    };
}

/// A program-derived address: its seeds and, when not this program's, the deriving program.
#[derive(Clone, Copy, Debug)]
pub struct IdlPda {
    pub seeds: &'static [IdlSeed],
    pub program: Option<IdlSeed>,
}

/// One seed of a PDA.
#[derive(Clone, Copy, Debug)]
pub enum IdlSeed {
    /// Constant bytes.
    Const(&'static [u8]),
    /// A constant address's 32 bytes (the IDL writes it as constant bytes).
    Key(Address),
    /// Another account's address, by account name.
    Account(&'static str),
    /// An instruction argument, by name.
    Arg(&'static str),
    /// A field of another account's data: `account.field`, and that account's type.
    Field(&'static str, &'static str),
}

/// A named, typed field: an instruction argument or an event field.
#[derive(Clone, Copy, Debug)]
pub struct IdlField {
    pub name: &'static str,
    pub ty: IdlType,
}

/// The IDL types instruction arguments and event fields use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdlType {
    U8,
    U16,
    U32,
    U64,
    I32,
    I64,
    Bool,
    Pubkey,
    String,
    /// A struct of the IDL's `types`, by name.
    Defined(&'static str),
    /// A fixed-length array.
    Array(&'static IdlType, usize),
    /// A Borsh option (a 0 byte, or a 1 byte and the value).
    Option(&'static IdlType),
}

/// A struct of the IDL's `types` that the interface declares field by field (the settings).
#[derive(Clone, Copy, Debug)]
pub struct IdlTypeDef {
    pub name: &'static str,
    pub fields: &'static [IdlField],
}

impl IdlInstruction {
    /// The accounts in order, splices flattened.
    pub fn for_each_account(&self, mut f: impl FnMut(&IdlAccount)) {
        fn walk(items: &[IdlAccountItem], f: &mut impl FnMut(&IdlAccount)) {
            for item in items {
                match item {
                    IdlAccountItem::One(account) => f(account),
                    IdlAccountItem::Splice(items) => walk(items, f),
                }
            }
        }
        walk(self.accounts, &mut f)
    }
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub use json::{write_events, write_instructions, write_types};

/// The JSON writer: compact JSON whose objects have Anchor's key order, so a pretty printer
/// (`JSON.stringify(value, null, 2)`) gives the IDL file's exact text.
#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
mod json {
    use core::fmt::{Result, Write};

    use super::*;

    /// Writes `instructions` as the IDL's `instructions` array.
    pub fn write_instructions(out: &mut impl Write, instructions: &[IdlInstruction]) -> Result {
        list(out, instructions, |out, ix| {
            out.write_str("{\"name\":")?;
            string(out, ix.name)?;
            out.write_str(",\"docs\":[")?;
            string(out, ix.docs)?;
            out.write_str("],\"discriminator\":")?;
            list(out, &ix.discriminator, |out, b| write!(out, "{b}"))?;
            out.write_str(",\"accounts\":[")?;
            let mut first = true;
            let mut result = Ok(());
            ix.for_each_account(|account| {
                if result.is_ok() {
                    result =
                        (if first { Ok(()) } else { out.write_char(',') }).and_then(|_| self::account(out, account));
                    first = false;
                }
            });
            result?;
            out.write_str("],\"args\":")?;
            fields(out, ix.args)?;
            out.write_char('}')
        })
    }

    /// Writes `events` as an array of `{ name, discriminator, fields }`: the IDL's `events` entry
    /// (name and discriminator) and its `types` entry (name and fields) in one.
    pub fn write_events(out: &mut impl Write, events: &[IdlEvent]) -> Result {
        list(out, events, |out, e| {
            out.write_str("{\"name\":")?;
            string(out, e.name)?;
            out.write_str(",\"discriminator\":")?;
            list(out, &e.discriminator, |out, b| write!(out, "{b}"))?;
            out.write_str(",\"fields\":")?;
            fields(out, e.fields)?;
            out.write_char('}')
        })
    }

    /// Writes `types` as an array of `{ name, fields }`.
    pub fn write_types(out: &mut impl Write, types: &[IdlTypeDef]) -> Result {
        list(out, types, |out, t| {
            out.write_str("{\"name\":")?;
            string(out, t.name)?;
            out.write_str(",\"fields\":")?;
            fields(out, t.fields)?;
            out.write_char('}')
        })
    }

    fn fields(out: &mut impl Write, fields: &[IdlField]) -> Result {
        list(out, fields, |out, field| {
            out.write_str("{\"name\":")?;
            string(out, field.name)?;
            out.write_str(",\"type\":")?;
            ty(out, field.ty)?;
            out.write_char('}')
        })
    }

    fn account(out: &mut impl Write, a: &IdlAccount) -> Result {
        out.write_str("{\"name\":")?;
        string(out, a.name)?;
        if !a.docs.is_empty() {
            out.write_str(",\"docs\":[")?;
            string(out, a.docs)?;
            out.write_char(']')?;
        }
        if a.writable {
            out.write_str(",\"writable\":true")?;
        }
        if a.signer {
            out.write_str(",\"signer\":true")?;
        }
        if a.optional {
            out.write_str(",\"optional\":true")?;
        }
        if let Some(address) = &a.address {
            out.write_str(",\"address\":\"")?;
            base58(out, address.as_array())?;
            out.write_char('"')?;
        }
        if let Some(pda) = &a.pda {
            out.write_str(",\"pda\":{\"seeds\":")?;
            list(out, pda.seeds, |out, s| seed(out, s))?;
            if let Some(program) = &pda.program {
                out.write_str(",\"program\":")?;
                seed(out, program)?;
            }
            out.write_char('}')?;
        }
        if !a.relations.is_empty() {
            out.write_str(",\"relations\":")?;
            list(out, a.relations, |out, r| string(out, r))?;
        }
        out.write_char('}')
    }

    fn seed(out: &mut impl Write, s: &IdlSeed) -> Result {
        match s {
            IdlSeed::Const(bytes) => const_seed(out, bytes),
            IdlSeed::Key(address) => const_seed(out, address.as_array()),
            IdlSeed::Account(path) => {
                out.write_str("{\"kind\":\"account\",\"path\":")?;
                string(out, path)?;
                out.write_char('}')
            }
            IdlSeed::Arg(path) => {
                out.write_str("{\"kind\":\"arg\",\"path\":")?;
                string(out, path)?;
                out.write_char('}')
            }
            IdlSeed::Field(path, account) => {
                out.write_str("{\"kind\":\"account\",\"path\":")?;
                string(out, path)?;
                out.write_str(",\"account\":")?;
                string(out, account)?;
                out.write_char('}')
            }
        }
    }

    fn const_seed(out: &mut impl Write, bytes: &[u8]) -> Result {
        out.write_str("{\"kind\":\"const\",\"value\":")?;
        list(out, bytes, |out, b| write!(out, "{b}"))?;
        out.write_char('}')
    }

    fn ty(out: &mut impl Write, t: IdlType) -> Result {
        let name = match t {
            IdlType::U8 => "u8",
            IdlType::U16 => "u16",
            IdlType::U32 => "u32",
            IdlType::U64 => "u64",
            IdlType::I32 => "i32",
            IdlType::I64 => "i64",
            IdlType::Bool => "bool",
            IdlType::Pubkey => "pubkey",
            IdlType::String => "string",
            IdlType::Defined(name) => {
                out.write_str("{\"defined\":{\"name\":")?;
                string(out, name)?;
                return out.write_str("}}");
            }
            IdlType::Array(item, len) => {
                out.write_str("{\"array\":[")?;
                ty(out, *item)?;
                return write!(out, ",{len}]}}");
            }
            IdlType::Option(item) => {
                out.write_str("{\"option\":")?;
                ty(out, *item)?;
                return out.write_char('}');
            }
        };
        string(out, name)
    }

    fn list<W: Write, T>(out: &mut W, items: &[T], mut each: impl FnMut(&mut W, &T) -> Result) -> Result {
        out.write_char('[')?;
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.write_char(',')?;
            }
            each(out, item)?;
        }
        out.write_char(']')
    }

    /// A JSON string literal (RFC 8259 escapes).
    fn string(out: &mut impl Write, s: &str) -> Result {
        out.write_char('"')?;
        for c in s.chars() {
            match c {
                '"' => out.write_str("\\\"")?,
                '\\' => out.write_str("\\\\")?,
                '\n' => out.write_str("\\n")?,
                '\r' => out.write_str("\\r")?,
                '\t' => out.write_str("\\t")?,
                c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32)?,
                c => out.write_char(c)?,
            }
        }
        out.write_char('"')
    }

    /// Base58 (Bitcoin alphabet) of a 32-byte address, as Solana prints addresses.
    // Host-only; `carry` stays below 58 · 257 and `len` below 44.
    #[allow(clippy::arithmetic_side_effects)]
    fn base58(out: &mut impl Write, bytes: &[u8; 32]) -> Result {
        const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        // Base-58 digits, least significant first: 32 bytes need at most 44.
        let mut digits = [0u8; 44];
        let mut len = 0;
        for &byte in bytes {
            let mut carry = byte as u32;
            for d in digits[..len].iter_mut() {
                carry += (*d as u32) << 8;
                *d = (carry % 58) as u8;
                carry /= 58;
            }
            while carry > 0 {
                digits[len] = (carry % 58) as u8;
                len += 1;
                carry /= 58;
            }
        }
        // Each leading zero byte is a leading '1'.
        for _ in bytes.iter().take_while(|&&b| b == 0) {
            out.write_char('1')?;
        }
        for &d in digits[..len].iter().rev() {
            out.write_char(ALPHABET[d as usize] as char)?;
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn b58(bytes: [u8; 32]) -> String {
            let mut s = String::new();
            base58(&mut s, &bytes).unwrap();
            s
        }

        #[test]
        fn base58_of_known_addresses() {
            assert_eq!(b58([0; 32]), "11111111111111111111111111111111");
            assert_eq!(b58(crate::ID.to_bytes()), "Huuufy2ycrhXVytHV8GRH7yJCbCMnq4zsU2KAqY68dTD");
            assert_eq!(b58(crate::TOKEN_PROGRAM_ID.to_bytes()), "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
            assert_eq!(b58(crate::PYTH_RECEIVER_ID.to_bytes()), "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
            assert_eq!(b58(crate::BPF_LOADER_UPGRADEABLE_ID.to_bytes()), "BPFLoaderUpgradeab1e11111111111111111111111");
        }

        #[test]
        fn strings_are_escaped() {
            let mut s = String::new();
            string(&mut s, "PDA [\"config\"] \\ \n\u{1}é").unwrap();
            assert_eq!(s, r#""PDA [\"config\"] \\ \n\u0001é""#);
        }
    }
}
