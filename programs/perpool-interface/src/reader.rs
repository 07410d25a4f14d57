//! Borsh-compatible reader for instruction data. Every read is bounds
//! checked and reports `InvalidInstructionData`; nothing here can panic.

use crate::error::PerpoolError;

pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline(always)]
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    #[inline(always)]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], PerpoolError> {
        if self.data.len() < n {
            return Err(PerpoolError::InvalidInstructionData);
        }
        let (head, tail) = self.data.split_at(n);
        self.data = tail;
        Ok(head)
    }

    #[inline(always)]
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], PerpoolError> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    #[inline(always)]
    pub fn u8(&mut self) -> Result<u8, PerpoolError> {
        Ok(self.array::<1>()?[0])
    }

    /// Borsh bool: exactly 0 or 1.
    #[inline(always)]
    pub fn bool(&mut self) -> Result<bool, PerpoolError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(PerpoolError::InvalidInstructionData),
        }
    }

    #[inline(always)]
    pub fn u16(&mut self) -> Result<u16, PerpoolError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32, PerpoolError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    #[inline(always)]
    pub fn i32(&mut self) -> Result<i32, PerpoolError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    #[inline(always)]
    pub fn u64(&mut self) -> Result<u64, PerpoolError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    #[inline(always)]
    pub fn i64(&mut self) -> Result<i64, PerpoolError> {
        Ok(i64::from_le_bytes(self.array()?))
    }

    /// Borsh string: u32 length then UTF-8 bytes (bytes are returned as is).
    #[inline(always)]
    pub fn string(&mut self) -> Result<&'a [u8], PerpoolError> {
        let len = self.u32()? as usize;
        self.bytes(len)
    }

    /// Trailing bytes are refused so a client/IDL mismatch cannot pass silently.
    #[inline(always)]
    pub fn finish(self) -> Result<(), PerpoolError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(PerpoolError::InvalidInstructionData)
        }
    }
}
