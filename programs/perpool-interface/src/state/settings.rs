//! Settings declared once. [`settings!`] takes a settings struct as a list of fields, each with
//! its type and, where it has one, its own bound and the error a value outside it raises, and
//! makes of that one list: the struct, its Borsh reader, its IDL fields (so the IDL's `types` entry
//! is written from it), the check of every field's bound, and the method that copies the settings
//! into the account that keeps them (a field of the same name there; a flag is kept as a `u8`).
//!
//! Adding a setting is its line here and its field in the account. Bounds that relate two
//! settings (weights in order, margin against leverage, …) stay in the struct's `validate`.

/// How a setting is kept in its account: as itself, or a flag as `0` / `1`.
pub trait Store<T> {
    fn store(self) -> T;
}

impl<T> Store<T> for T {
    #[inline(always)]
    fn store(self) -> T {
        self
    }
}

impl Store<u8> for bool {
    #[inline(always)]
    fn store(self) -> u8 {
        self as u8
    }
}

/// `pub struct Name => Account::apply { field: type [bound => Error], … }`: the struct `Name`,
/// `Name::read`, `Name::IDL_FIELDS`, `Name::check_bounds` (the bounds in declaration order, each a
/// range a value must be in) and `Account::apply`.
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident => $account:ident :: $apply:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ty $([$bound:expr => $err:ident])?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $name {
            /// The fields as the IDL's `types` entry lists them, in wire order (Borsh).
            pub const IDL_FIELDS: &'static [$crate::idl::IdlField] = &[$(
                $crate::idl::IdlField {
                    name: stringify!($field),
                    ty: <$ty as $crate::instruction::Arg<'static>>::IDL,
                },
            )*];

            /// Reads the settings in wire order (Borsh).
            pub fn read(r: &mut $crate::reader::Reader) -> Result<Self, $crate::error::PerpoolError> {
                Ok(Self { $( $field: <$ty as $crate::instruction::Arg>::read(r)?, )* })
            }

            /// Each setting's own bound, in declaration order: the first value outside its range
            /// raises that setting's error.
            pub fn check_bounds(&self) -> Result<(), $crate::error::PerpoolError> {
                $($(
                    if !($bound).contains(&self.$field) {
                        return Err($crate::error::PerpoolError::$err);
                    }
                )?)*
                Ok(())
            }
        }

        impl $account {
            /// Copies every setting into the account; nothing else in it changes.
            pub fn $apply(&mut self, p: &$name) {
                $( self.$field = $crate::state::settings::Store::store(p.$field); )*
            }
        }
    };
}
