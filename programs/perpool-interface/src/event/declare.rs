//! The machinery behind [`events!`]: what an event field may be ([`EventField`]), how an event is
//! written ([`Event`], into any [`EventBuf`]), and the macro that turns one declaration into the
//! event structs, their discriminators and the IDL's events ([`crate::idl::IdlEvent`]).

use core::marker::PhantomData;

use pinocchio::Address;

use crate::{
    idl::{IdlField, IdlType},
    instruction::Arg,
    state::proposal::PAYLOAD_CAPACITY,
};

/// Where an event's bytes go (the program's stack buffer, a test's `Vec`).
pub trait EventBuf {
    fn bytes(&mut self, bytes: &[u8]);
}

/// An event's fields, Borsh encoded after its discriminator
/// (`sol_log_data(discriminator ++ fields)`, what Anchor's `EventParser` decodes).
pub trait Event {
    /// The largest encoding, discriminator included: the buffer an emitter needs.
    const MAX_LEN: usize;
    /// The IDL's fields.
    const FIELDS: &'static [IdlField];
    /// Writes the fields (not the discriminator).
    fn write(&self, buf: &mut impl EventBuf);
}

/// A type an event field may have: its Borsh encoding, its largest size and its IDL name.
pub trait EventField {
    const IDL: IdlType;
    const MAX_LEN: usize;
    fn write(&self, buf: &mut impl EventBuf);
}

macro_rules! int_fields {
    ($($ty:ident => $idl:ident),* $(,)?) => {$(
        impl EventField for $ty {
            const IDL: IdlType = IdlType::$idl;
            const MAX_LEN: usize = core::mem::size_of::<$ty>();
            #[inline(always)]
            fn write(&self, buf: &mut impl EventBuf) {
                buf.bytes(&self.to_le_bytes());
            }
        }
    )*};
}

int_fields!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i32 => I32, i64 => I64);

impl EventField for bool {
    const IDL: IdlType = IdlType::Bool;
    const MAX_LEN: usize = 1;
    #[inline(always)]
    fn write(&self, buf: &mut impl EventBuf) {
        buf.bytes(&[*self as u8]);
    }
}

impl EventField for &Address {
    const IDL: IdlType = IdlType::Pubkey;
    const MAX_LEN: usize = 32;
    #[inline(always)]
    fn write(&self, buf: &mut impl EventBuf) {
        buf.bytes(self.as_ref());
    }
}

/// A Borsh `string` of at most `MAX` bytes (the bytes as given).
pub struct Str<'a, const MAX: usize>(pub &'a [u8]);

impl<const MAX: usize> EventField for Str<'_, MAX> {
    const IDL: IdlType = IdlType::String;
    const MAX_LEN: usize = 4 + MAX;
    #[inline(always)]
    fn write(&self, buf: &mut impl EventBuf) {
        buf.bytes(&(self.0.len() as u32).to_le_bytes());
        buf.bytes(self.0);
    }
}

/// Settings `S` already Borsh encoded: a proposal's payload, written as it is stored (so at most
/// [`PAYLOAD_CAPACITY`] bytes), typed in the IDL as `S`.
pub struct Encoded<'a, S> {
    pub bytes: &'a [u8],
    settings: PhantomData<S>,
}

impl<'a, S> Encoded<'a, S> {
    #[inline(always)]
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, settings: PhantomData }
    }
}

impl<S: Arg<'static>> EventField for Encoded<'_, S> {
    const IDL: IdlType = S::IDL;
    const MAX_LEN: usize = PAYLOAD_CAPACITY;
    #[inline(always)]
    fn write(&self, buf: &mut impl EventBuf) {
        buf.bytes(self.bytes);
    }
}

/// The number of bytes of `UPPER_SNAKE` in UpperCamel: its length without the underscores.
// Counters below the name's length; run by the const evaluator.
#[allow(clippy::arithmetic_side_effects)]
pub const fn camel_len(upper_snake: &str) -> usize {
    let bytes = upper_snake.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'_' {
            n += 1;
        }
        i += 1;
    }
    n
}

/// `UPPER_SNAKE` in UpperCamel (`LP_CLAIMED` → `LpClaimed`); `N` must be its [`camel_len`].
// Counters below the name's length; run by the const evaluator.
#[allow(clippy::arithmetic_side_effects)]
pub const fn upper_camel<const N: usize>(upper_snake: &str) -> [u8; N] {
    let bytes = upper_snake.as_bytes();
    assert!(camel_len(upper_snake) == N);
    let mut out = [0u8; N];
    let (mut i, mut o) = (0, 0);
    let mut word_start = true;
    while i < bytes.len() {
        if bytes[i] == b'_' {
            word_start = true;
        } else {
            out[o] = if word_start { bytes[i].to_ascii_uppercase() } else { bytes[i].to_ascii_lowercase() };
            o += 1;
            word_start = false;
        }
        i += 1;
    }
    out
}

/// The UpperCamel name of an UPPER_SNAKE_CASE identifier, as a `&'static str`, while compiling.
macro_rules! camel_name {
    ($UPPER:ident) => {{
        const UPPER: &str = stringify!($UPPER);
        const CAMEL: [u8; $crate::event::camel_len(UPPER)] = $crate::event::upper_camel(UPPER);
        match core::str::from_utf8(&CAMEL) {
            Ok(name) => name,
            Err(_) => panic!("an event name is ASCII"),
        }
    }};
}

/// Declares the events. Each entry, in IDL order:
///
/// ```text
/// /// Docs of the struct.
/// EVENT_NAME, OTHER_EVENT => Shape<'a> { field: Type, … }
/// ```
///
/// The events listed share the struct `Shape` (their fields); each event's IDL name is its
/// identifier in UpperCamel (`LP_CLAIMED` → `LpClaimed`). Generates:
/// - `discriminators::EVENT_NAME: [u8; 8]` = `sha256("event:<Name>")[..8]`, and `ALL`;
/// - `struct Shape`, fields in wire order, implementing [`Event`] (`MAX_LEN`, `FIELDS`, `write`);
///   `Type` is any [`EventField`];
/// - `EVENTS: &[IdlEvent]`, the IDL's events and their types.
macro_rules! events {
    ($(
        $(#[doc = $doc:literal])*
        $($EVENT:ident),+ => $Shape:ident $(<$lt:lifetime>)? {
            $($(#[$field_attr:meta])* $field:ident: $ty:ty),* $(,)?
        }
    )*) => {
        /// Event discriminators: `sha256("event:<Name>")[..8]`, computed from the names.
        pub mod discriminators {
            $($(pub const $EVENT: [u8; 8] = $crate::sha256::discriminator("event", super::name::$EVENT);)+)*

            /// Every event with its IDL name, in IDL order.
            pub const ALL: &[(&str, [u8; 8])] = &[$($((super::name::$EVENT, $EVENT),)+)*];
        }

        /// IDL names.
        mod name {
            $($(pub const $EVENT: &str = camel_name!($EVENT);)+)*
        }

        $(
            $(#[doc = $doc])*
            pub struct $Shape $(<$lt>)? {
                $($(#[$field_attr])* pub $field: $ty,)*
            }

            impl $(<$lt>)? $crate::event::Event for $Shape $(<$lt>)? {
                const MAX_LEN: usize = 8 $(+ <$ty as $crate::event::EventField>::MAX_LEN)*;
                const FIELDS: &'static [$crate::idl::IdlField] = &[$(
                    $crate::idl::IdlField { name: stringify!($field), ty: <$ty as $crate::event::EventField>::IDL },
                )*];

                #[inline(always)]
                fn write(&self, buf: &mut impl $crate::event::EventBuf) {
                    $($crate::event::EventField::write(&self.$field, buf);)*
                }
            }
        )*

        /// The IDL's events (with the fields of their `types` entries), in order.
        pub const EVENTS: &[$crate::idl::IdlEvent] = &[$($(
            $crate::idl::IdlEvent {
                name: name::$EVENT,
                discriminator: discriminators::$EVENT,
                fields: <$Shape as $crate::event::Event>::FIELDS,
            },
        )+)*];
    };
}
