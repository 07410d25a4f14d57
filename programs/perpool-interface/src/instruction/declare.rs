//! The machinery behind [`instructions!`]: the argument types an instruction may take ([`Arg`]) and
//! the macros that turn one declaration into the dispatch enum, the discriminators, the argument
//! structs and the IDL description ([`crate::idl`]).

use pinocchio::Address;

use crate::{
    error::PerpoolError,
    idl::IdlType,
    reader::Reader,
    state::{CustodyParams, CustodySettings, PoolParams, RiskParams},
};

/// A type an instruction argument may have: how it is read from the instruction data (Borsh) and
/// how the IDL names it.
pub trait Arg<'a>: Sized {
    const IDL: IdlType;
    fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError>;
}

macro_rules! int_args {
    ($($ty:ident => $idl:ident),* $(,)?) => {$(
        impl<'a> Arg<'a> for $ty {
            const IDL: IdlType = IdlType::$idl;
            #[inline(always)]
            fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError> {
                r.$ty()
            }
        }
    )*};
}

int_args!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i32 => I32, i64 => I64, bool => Bool);

impl<'a> Arg<'a> for Address {
    const IDL: IdlType = IdlType::Pubkey;
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError> {
        Ok(Address::new_from_array(r.array()?))
    }
}

/// A fixed byte array (a feed id).
impl<'a, const N: usize> Arg<'a> for [u8; N] {
    const IDL: IdlType = IdlType::Array(&IdlType::U8, N);
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError> {
        r.array()
    }
}

/// A Borsh `string`: its bytes, unchecked (the processor checks what it needs).
impl<'a> Arg<'a> for &'a [u8] {
    const IDL: IdlType = IdlType::String;
    #[inline(always)]
    fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError> {
        r.string()
    }
}

/// The settings structs, each a type of the IDL's `types` under its Rust name.
macro_rules! defined_args {
    ($($ty:ident),* $(,)?) => {$(
        impl<'a> Arg<'a> for $ty {
            const IDL: IdlType = IdlType::Defined(stringify!($ty));
            #[inline(always)]
            fn read(r: &mut Reader<'a>) -> Result<Self, PerpoolError> {
                $ty::read(r)
            }
        }
    )*};
}

defined_args!(PoolParams, CustodyParams, RiskParams, CustodySettings);

/// `s` in ASCII lowercase, as an array of its length (`N` must be `s.len()`).
// A loop counter below `N`; run by the const evaluator, where an overflow is a compile error.
#[allow(clippy::arithmetic_side_effects)]
pub const fn ascii_lowercase<const N: usize>(s: &str) -> [u8; N] {
    let bytes = s.as_bytes();
    assert!(bytes.len() == N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = bytes[i].to_ascii_lowercase();
        i += 1;
    }
    out
}

/// The snake_case name of an UPPER_SNAKE_CASE identifier, as a `&'static str`, while compiling.
macro_rules! snake_name {
    ($UPPER:ident) => {{
        const UPPER: &str = stringify!($UPPER);
        const LOWER: [u8; UPPER.len()] = $crate::instruction::ascii_lowercase(UPPER);
        match core::str::from_utf8(&LOWER) {
            Ok(name) => name,
            Err(_) => panic!("an instruction name is ASCII"),
        }
    }};
}

/// The seeds of a PDA: `b"bytes"` (constant), `account_name` (that account's address) or
/// `arg name` (an argument), then optionally `; program = ADDRESS` when another program derives it.
/// `price_feed_of custody` is the price feed account a custody names: the PDA of seeds
/// `[custody.oracle_shard (u16 LE), custody.feed_id]` of `custody.oracle_program` (add_custody and
/// settings proposals refuse any other oracle account); `price_feed_of params` the one the
/// instruction's `params` argument names.
macro_rules! pda {
    (price_feed_of params) => {
        $crate::idl::IdlPda {
            seeds: &[$crate::idl::IdlSeed::Arg("params.oracle_shard"), $crate::idl::IdlSeed::Arg("params.feed_id")],
            program: Some($crate::idl::IdlSeed::Arg("params.oracle_program")),
        }
    };
    (price_feed_of $custody:ident) => {
        $crate::idl::IdlPda {
            seeds: &[
                $crate::idl::IdlSeed::Field(concat!(stringify!($custody), ".oracle_shard"), "Custody"),
                $crate::idl::IdlSeed::Field(concat!(stringify!($custody), ".feed_id"), "Custody"),
            ],
            program: Some($crate::idl::IdlSeed::Field(concat!(stringify!($custody), ".oracle_program"), "Custody")),
        }
    };
    (@ [$($seed:expr,)*]) => {
        $crate::idl::IdlPda { seeds: &[$($seed),*], program: None }
    };
    (@ [$($seed:expr,)*] ; program = $program:expr) => {
        $crate::idl::IdlPda { seeds: &[$($seed),*], program: Some($crate::idl::IdlSeed::Key($program)) }
    };
    (@ [$($seed:expr,)*] , $($rest:tt)*) => {
        pda!(@ [$($seed,)*] $($rest)*)
    };
    (@ [$($seed:expr,)*] arg $arg:ident $($rest:tt)*) => {
        pda!(@ [$($seed,)* $crate::idl::IdlSeed::Arg(stringify!($arg)),] $($rest)*)
    };
    (@ [$($seed:expr,)*] $bytes:literal $($rest:tt)*) => {
        pda!(@ [$($seed,)* $crate::idl::IdlSeed::Const($bytes),] $($rest)*)
    };
    (@ [$($seed:expr,)*] $account:ident $($rest:tt)*) => {
        pda!(@ [$($seed,)* $crate::idl::IdlSeed::Account(stringify!($account)),] $($rest)*)
    };
    ($($seeds:tt)*) => {
        pda!(@ [] $($seeds)*)
    };
}

/// An account list, as an array of [`crate::idl::IdlAccountItem`]. Each entry, comma separated:
///
/// ```text
/// /// docs (one line in the IDL)
/// name [writable, signer] address(PROGRAM_ID) relations(other) pda(seeds…) if condition
/// ```
///
/// every part after the name optional (`if condition`, for a PDA only some users of a shared list
/// can derive, belongs in a `const fn`), or `..LIST` to splice a shared list (an array of items,
/// a constant or a `const fn` call) in place.
macro_rules! accounts {
    (@ [$($item:expr,)*]) => {
        [$($item),*]
    };
    (@ [$($item:expr,)*] .. $list:expr $(, $($rest:tt)*)?) => {
        accounts!(@ [
            $($item,)*
            $crate::idl::IdlAccountItem::Splice({
                const LIST: &[$crate::idl::IdlAccountItem] = &$list;
                LIST
            }),
        ] $($($rest)*)?)
    };
    (@ [$($item:expr,)*]
        $(#[doc = $doc:literal])*
        $name:ident
        $([$($flag:ident),* $(,)?])?
        $(address($address:expr))?
        $(relations($($relation:ident),* $(,)?))?
        $(pda($($seed:tt)*) $(if $condition:expr)?)?
        $(, $($rest:tt)*)?
    ) => {
        accounts!(@ [
            $($item,)*
            $crate::idl::IdlAccountItem::One($crate::idl::IdlAccount {
                name: stringify!($name),
                docs: concat!("" $(, $doc)*).trim_ascii(),
                $($($flag: true,)*)?
                $(address: Some($address),)?
                $(relations: &[$(stringify!($relation)),*],)?
                $(pda: {
                    let pda = Some(pda!($($seed)*));
                    $(let pda = if $condition { pda } else { None };)?
                    pda
                },)?
                ..$crate::idl::IdlAccount::NEW
            }),
        ] $($($rest)*)?)
    };
    ($($accounts:tt)*) => {
        accounts!(@ [] $($accounts)*)
    };
}

/// Declares the instruction set. Each instruction, in IDL order:
///
/// ```text
/// /// Docs: the IDL's, and the enum variant's and argument struct's rustdoc.
/// DISCRIMINATOR_NAME => Variant<'a> { arg: Type, … } [ accounts… ]
/// ```
///
/// The IDL name is `DISCRIMINATOR_NAME` in lowercase. Generates:
/// - `ix::DISCRIMINATOR_NAME: [u8; 8]` = `sha256("global:<name>")[..8]`, and `ix::ALL`;
/// - `enum Instruction { Variant, … }` with `from_discriminator(u64)` for the entrypoint's match;
/// - `args::Variant { arg: Type, … }`, fields in wire order, with `read(&[u8])` (trailing bytes
///   refused) and `ARGS` (the IDL's `args`); `Type` is any [`Arg`], `<'a>` only when an argument
///   borrows the data (a string);
/// - `INSTRUCTIONS: &[IdlInstruction]`, the IDL's `instructions`, accounts as [`accounts!`] reads them.
macro_rules! instructions {
    ($(
        $(#[doc = $doc:literal])*
        $DISC:ident => $Variant:ident $(<$lt:lifetime>)? { $($arg:ident: $ty:ty),* $(,)? }
        [$($accounts:tt)*]
    )*) => {
        /// Instruction discriminators: `sha256("global:<name>")[..8]`, computed from the names.
        pub mod ix {
            $(pub const $DISC: [u8; 8] = $crate::sha256::discriminator("global", super::name::$DISC);)*

            /// Every instruction with its IDL name, in IDL order.
            pub const ALL: &[(&str, [u8; 8])] = &[$((super::name::$DISC, $DISC)),*];
        }

        /// IDL names.
        mod name {
            $(pub const $DISC: &str = snake_name!($DISC);)*
        }

        /// Discriminators as the little-endian `u64` the entrypoint reads.
        mod tag {
            $(pub const $DISC: u64 = u64::from_le_bytes(super::ix::$DISC);)*
        }

        /// Every instruction of the program. Each variant's value is its discriminator read as a
        /// little-endian `u64`, so [`Instruction::from_discriminator`] maps a tag to itself and the
        /// entrypoint's `match` on its result compiles to the one comparison tree on the tag that
        /// hand-listed constants gave. (With values 0, 1, 2, … LLVM kept a second tree on the index:
        /// 4 to 8 more compute units per instruction.)
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u64)]
        pub enum Instruction {
            $($(#[doc = $doc])* $Variant = tag::$DISC,)*
        }

        impl Instruction {
            /// Every instruction, in IDL order.
            pub const ALL: &'static [Instruction] = &[$(Self::$Variant),*];

            /// The instruction whose discriminator, read as a little-endian `u64`, is `tag`.
            #[inline(always)]
            pub const fn from_discriminator(tag: u64) -> Option<Self> {
                match tag {
                    $(tag::$DISC => Some(Self::$Variant),)*
                    _ => None,
                }
            }

            /// The IDL (snake_case) name.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$Variant => name::$DISC,)*
                }
            }

            pub const fn discriminator(self) -> [u8; 8] {
                match self {
                    $(Self::$Variant => ix::$DISC,)*
                }
            }

            /// Its position in IDL order (in [`Self::ALL`] and `INSTRUCTIONS`).
            // A loop counter below `ALL.len()`: every instruction is in `ALL`.
            #[allow(clippy::arithmetic_side_effects)]
            pub const fn index(self) -> usize {
                let mut i = 0;
                while Self::ALL[i] as u64 != self as u64 {
                    i += 1;
                }
                i
            }

            /// Its description: docs, accounts, arguments.
            pub const fn idl(self) -> &'static $crate::idl::IdlInstruction {
                &INSTRUCTIONS[self.index()]
            }
        }

        /// Each instruction's arguments, fields in wire order.
        pub mod args {
            #[allow(unused_imports)]
            use super::*;

            $(
                $(#[doc = $doc])*
                ///
                /// The instruction's arguments, in wire order.
                pub struct $Variant $(<$lt>)? {
                    $(pub $arg: $ty,)*
                }

                impl $(<$lt>)? $Variant $(<$lt>)? {
                    /// The IDL's `args`.
                    pub const ARGS: &'static [$crate::idl::IdlField] =
                        &[$($crate::idl::IdlField { name: stringify!($arg), ty: <$ty as $crate::instruction::Arg>::IDL }),*];

                    /// Reads the arguments from the instruction data after the discriminator; data
                    /// left over is refused, so a client/IDL mismatch cannot pass silently.
                    #[inline(always)]
                    pub fn read(data: &$($lt)? [u8]) -> Result<Self, $crate::error::PerpoolError> {
                        #[allow(unused_mut)]
                        let mut r = $crate::reader::Reader::new(data);
                        let args = Self { $($arg: $crate::instruction::Arg::read(&mut r)?,)* };
                        r.finish()?;
                        Ok(args)
                    }
                }
            )*
        }

        /// The IDL's `instructions`, in order.
        pub const INSTRUCTIONS: &[$crate::idl::IdlInstruction] = &[$(
            $crate::idl::IdlInstruction {
                name: name::$DISC,
                docs: concat!("" $(, $doc)*).trim_ascii(),
                discriminator: ix::$DISC,
                accounts: &accounts!($($accounts)*),
                args: args::$Variant::ARGS,
            },
        )*];
    };
}
