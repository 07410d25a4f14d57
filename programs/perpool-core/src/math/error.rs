//! The error type of the math module.

use core::panic::Location;

/// Why a math operation failed. Numbers are explicit and append-only: the program maps them into
/// its own error codes, and the SDK mirrors them (`sdk/src/math/error.ts`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathError {
    /// The exact result does not fit in the output type (too large, or for signed results,
    /// outside `i64::MIN..=i64::MAX`).
    Overflow = 0,
    /// An unsigned subtraction would go below zero.
    Underflow = 1,
    /// The divisor (or a price used as a divisor) is zero.
    DivideByZero = 2,
    /// A token's decimals exceed [`MAX_TOKEN_DECIMALS`](super::units::MAX_TOKEN_DECIMALS).
    InvalidDecimals = 3,
    /// An oracle price is not positive, its exponent is outside `-18..=18`, or it normalises to
    /// zero (see [`normalize_price`](super::oracle::normalize_price)).
    InvalidPrice = 4,
}

impl MathError {
    /// The stable numeric code of this error.
    #[inline]
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The name of this error, as the program's log spells it.
    pub const fn name(self) -> &'static str {
        match self {
            MathError::Overflow => "Overflow",
            MathError::Underflow => "Underflow",
            MathError::DivideByZero => "DivideByZero",
            MathError::InvalidDecimals => "InvalidDecimals",
            MathError::InvalidPrice => "InvalidPrice",
        }
    }

    /// Raises this error: records where it was raised, and returns it.
    ///
    /// Every math error is created through here (the checked helpers of [`fixed`](super::fixed) and
    /// the conversions of [`units`](super::units) are `#[track_caller]`, so the location is the line
    /// of the math that failed, not of the helper). On the chain the program logs the last one when
    /// the instruction fails (`Perpool math error: Overflow at programs/perpool-core/src/...:LINE`);
    /// [`last_raised`] reads it. Recording is two stores and no call, so a success path pays nothing.
    #[inline(always)]
    #[track_caller]
    pub fn raise(self) -> Self {
        record(self, Location::caller());
        self
    }

    /// The error of a stable code, if it is one.
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => MathError::Overflow,
            1 => MathError::Underflow,
            2 => MathError::DivideByZero,
            3 => MathError::InvalidDecimals,
            4 => MathError::InvalidPrice,
            _ => return None,
        })
    }
}

/// `Err(error.raise())`: the error path of a checked operation.
#[inline(always)]
#[track_caller]
pub fn fail<T>(error: MathError) -> Result<T, MathError> {
    Err(error.raise())
}

/// Where the last raised error is kept on the chain: the first 16 bytes of the VM's heap region
/// (the location's address, then the error's code + 1). The program runs without an allocator, so
/// the region is otherwise unused, and the VM zeroes it for every invocation.
#[cfg(target_arch = "bpf")]
const SLOT: *mut u64 = 0x3_0000_0000 as *mut u64;

#[cfg(target_arch = "bpf")]
#[inline(always)]
fn record(error: MathError, at: &'static Location<'static>) {
    // SAFETY: SLOT is 16 writable, 8-aligned bytes of the heap region nothing else uses.
    unsafe {
        SLOT.write_volatile(at as *const Location<'static> as u64);
        SLOT.add(1).write_volatile((error as u64).saturating_add(1));
    }
}

/// The last error raised in this invocation, and where.
#[cfg(target_arch = "bpf")]
pub fn last_raised() -> Option<(MathError, &'static Location<'static>)> {
    // SAFETY: SLOT holds zero or what `record` wrote: the address of a `'static` Location.
    let (at, code) = unsafe { (SLOT.read_volatile(), SLOT.add(1).read_volatile()) };
    if at == 0 {
        return None;
    }
    let error = MathError::from_code(code.checked_sub(1)?)?;
    // SAFETY: a non-zero `at` was written by `record` from a `&'static Location`.
    Some((error, unsafe { &*(at as *const Location<'static>) }))
}

#[cfg(not(target_arch = "bpf"))]
std::thread_local! {
    static LAST: core::cell::Cell<Option<(MathError, &'static Location<'static>)>> = const { core::cell::Cell::new(None) };
}

#[cfg(not(target_arch = "bpf"))]
#[inline(always)]
fn record(error: MathError, at: &'static Location<'static>) {
    LAST.with(|l| l.set(Some((error, at))));
}

/// The last error raised on this thread, and where; cleared by the read.
#[cfg(not(target_arch = "bpf"))]
pub fn last_raised() -> Option<(MathError, &'static Location<'static>)> {
    LAST.with(|l| l.take())
}

/// A source file that raises math errors, as the program's error log names it.
///
/// Why not `Location::file()`: the SBF linker leaves pointers stored in read-only data
/// unrelocated (`TOOLCHAIN.md`), and a `Location` holds its file name as such a pointer, so on the
/// chain the name cannot be read through it. Its value still identifies the file (every location of
/// one file points at the same string), so each raising file declares itself with
/// [`source_file!`](crate::source_file), whose `file!()` is a code literal (relocated), and the
/// program matches a location against those declarations, never reading through the pointer.
#[derive(Clone, Copy)]
pub struct SourceFile {
    key: (usize, usize),
    /// The file's path from the workspace root, e.g. `programs/perpool-core/src/math/position.rs`.
    pub name: &'static str,
}

impl SourceFile {
    /// The file of `at` (a location inside it) named `name` (its `file!()`).
    pub fn new(at: &'static Location<'static>, name: &'static str) -> Self {
        SourceFile { key: Self::key_of(at), name }
    }

    /// Whether `at` is in this file. Compares the name's address and length, never its bytes.
    pub fn contains(&self, at: &Location<'static>) -> bool {
        Self::key_of(at) == self.key
    }

    fn key_of(at: &Location<'static>) -> (usize, usize) {
        // Read from memory, as a recorded location is: folded at compile time, the probe's name would
        // be the relocated address while the stored one is not.
        let f = core::hint::black_box(at).file();
        (f.as_ptr() as usize, f.len())
    }
}

/// Declares the file it is invoked in as a [`SourceFile`]: defines `pub fn source_file()`. Every
/// file that raises math errors (calls a checked helper) invokes it once, and the program lists it
/// (a test holds both to the sources).
#[macro_export]
macro_rules! source_file {
    () => {
        /// This file, for the math error log (see `perpool_core::math::error::SourceFile`).
        pub fn source_file() -> $crate::math::error::SourceFile {
            $crate::math::error::SourceFile::new(::core::panic::Location::caller(), file!())
        }
    };
}
