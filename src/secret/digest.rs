//! SHA-256 in hex, and a comparison that does not tell where two digests
//! differ: pure functions on bytes, shared by request signing
//! ([`crate::api::sign`]) and saved-plan seals ([`crate::plan::saved`]),
//! which may not import each other's layer.

use sha2::{Digest as _, Sha256};

/// Lowercase hex SHA-256 of `bytes`, as used for `x-acs-content-sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

/// Compares two signatures in time independent of where they first differ,
/// so the emulator does not leak how much of a forged signature was right.
pub fn signatures_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `bytes` as lowercase hex, two digits a byte.
pub fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}
