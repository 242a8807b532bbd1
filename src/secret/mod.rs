//! A secret value that does not leak by accident.
//!
//! `Debug` and `Display` print a mask; the raw value is reachable only
//! through [`Secret::expose`], a name that is easy to grep for. Every use of
//! it should be signing, or handing the value to a child process that
//! needs it. Text from elsewhere, and everything aicall prints, is masked
//! with a [`Scrubber`] that knows the loaded values.

use std::fmt;

pub mod digest;
mod scrubber;

pub use scrubber::{MIN_SCRUBBED_LEN, Scrubber};

/// What `Debug` and `Display` print instead of a secret.
pub const MASK: &str = "****";

/// An AccessKey secret or an STS token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a raw secret value.
    pub fn new(raw: impl Into<String>) -> Secret {
        Secret(raw.into())
    }

    /// The raw value, for signing. Never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// An AccessKey ID as it may be shown: its last four characters after the
/// mask (`****abcd`), or only the mask when it is too short for four
/// characters to leave most of it hidden. The brief's rule: an AccessKey
/// ID appears nowhere in full, and at most as its last four characters.
pub fn mask_access_key_id(access_key_id: &str) -> String {
    let chars: Vec<char> = access_key_id.chars().collect();
    if chars.len() <= 8 {
        return MASK.to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{MASK}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_ids_show_at_most_their_last_four_characters() {
        assert_eq!(mask_access_key_id("TEST5tABCDEFGH12wxyz"), "****wxyz");
        assert_eq!(mask_access_key_id("短いID"), "****");
        assert_eq!(mask_access_key_id("12345678"), "****");
    }

    #[test]
    fn debug_and_display_mask_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{secret}"), MASK);
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}
