//! SHA-256 (FIPS 180-4) as a `const fn`, so every Anchor discriminator is computed from its name
//! while compiling: nothing of this runs on chain, and no constant is typed in by hand.
//!
//! Written for clarity over speed (it runs in the compiler's const evaluator and in native tests).
//! Index arithmetic uses operators: it stays below the block and message lengths, and in the const
//! evaluator an overflow is a compile error; the hash's own sums are `wrapping_add`, as FIPS 180-4 says.
#![allow(clippy::arithmetic_side_effects)]

/// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (§4.2.2).
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
];

/// The initial hash value: the first 32 bits of the fractional parts of the square roots of the
/// first 8 primes (§5.3.3).
const H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// An incremental SHA-256: `Sha256::new().update(a).update(b).finalize()` hashes `a ‖ b`.
#[derive(Clone, Copy)]
pub struct Sha256 {
    state: [u32; 8],
    block: [u8; 64],
    /// Bytes waiting in `block`.
    filled: usize,
    /// Message length so far, bytes.
    len: u64,
}

impl Sha256 {
    pub const fn new() -> Self {
        Self { state: H0, block: [0; 64], filled: 0, len: 0 }
    }

    /// Appends `bytes` to the message.
    pub const fn update(mut self, bytes: &[u8]) -> Self {
        let mut i = 0;
        while i < bytes.len() {
            self = self.push(bytes[i]);
            i += 1;
        }
        self
    }

    /// The digest of the message (§5.1.1 padding: a one bit, zeroes, the bit length as u64 BE).
    pub const fn finalize(self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8).to_be_bytes();
        let mut s = self.push(0x80);
        while s.filled != 56 {
            s = s.push(0);
        }
        let mut i = 0;
        while i < 8 {
            s = s.push(bits[i]);
            i += 1;
        }
        let mut out = [0u8; 32];
        let mut w = 0;
        while w < 8 {
            let b = s.state[w].to_be_bytes();
            out[4 * w] = b[0];
            out[4 * w + 1] = b[1];
            out[4 * w + 2] = b[2];
            out[4 * w + 3] = b[3];
            w += 1;
        }
        out
    }

    const fn push(mut self, byte: u8) -> Self {
        self.block[self.filled] = byte;
        self.filled += 1;
        self.len = self.len.wrapping_add(1);
        if self.filled == 64 {
            self.state = compress(self.state, &self.block);
            self.filled = 0;
        }
        self
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// The compression function on one 512-bit block (§6.2.2).
const fn compress(mut h: [u32; 8], block: &[u8; 64]) -> [u32; 8] {
    let mut w = [0u32; 64];
    let mut t = 0;
    while t < 16 {
        w[t] = u32::from_be_bytes([block[4 * t], block[4 * t + 1], block[4 * t + 2], block[4 * t + 3]]);
        t += 1;
    }
    while t < 64 {
        let s0 = w[t - 15].rotate_right(7) ^ w[t - 15].rotate_right(18) ^ (w[t - 15] >> 3);
        let s1 = w[t - 2].rotate_right(17) ^ w[t - 2].rotate_right(19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        t += 1;
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
    t = 0;
    while t < 64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[t]).wrapping_add(w[t]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
        t += 1;
    }
    let v = [a, b, c, d, e, f, g, hh];
    let mut i = 0;
    while i < 8 {
        h[i] = h[i].wrapping_add(v[i]);
        i += 1;
    }
    h
}

/// SHA-256 of `bytes`.
pub const fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::new().update(bytes).finalize()
}

/// Anchor's discriminator: the first 8 bytes of sha256(`namespace:name`), e.g. `("global", "swap")`
/// for an instruction, `("account", "Pool")`, `("event", "Swapped")`.
pub const fn discriminator(namespace: &str, name: &str) -> [u8; 8] {
    let h = Sha256::new().update(namespace.as_bytes()).update(b":").update(name.as_bytes()).finalize();
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 32]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA256_2.pdf") and the empty message.
    #[test]
    fn known_answers() {
        assert_eq!(hex(sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(hex(sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(sha256(&million)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    /// Every length around the block boundaries (55/56 bytes decide whether the length fits the
    /// last block), split across updates at every point, against the one-shot digest.
    #[test]
    fn padding_and_updates() {
        let msg: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in [0, 1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200] {
            let whole = sha256(&msg[..n]);
            for cut in 0..=n {
                assert_eq!(Sha256::new().update(&msg[..cut]).update(&msg[cut..n]).finalize(), whole, "{n}/{cut}");
            }
        }
    }

    #[test]
    fn anchor_discriminators() {
        // As printed in sdk/src/idl/perpool.json.
        assert_eq!(discriminator("global", "init_config"), [23, 235, 115, 232, 168, 96, 1, 231]);
        assert_eq!(discriminator("account", "Pool"), [241, 154, 109, 4, 17, 177, 109, 188]);
        assert_eq!(discriminator("event", "Swapped"), [217, 52, 52, 83, 147, 135, 96, 109]);
    }
}
