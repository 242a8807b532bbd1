//! The last guard between a loaded credential and the screen (issue 7).
//!
//! Once a command has loaded credentials it [`register`]s them, and from
//! then on every line aicall prints passes through [`scrub`]: the output
//! functions [`super::print`] and [`super::eprint`], and the message of
//! `apply`'s progress bar, which indicatif draws itself. Whatever carried a
//! secret, the token or the whole AccessKey ID so far (a value pasted into
//! a manifest, a message from elsewhere), it shows them masked.
//!
//! The masking is [`Scrubber`]'s: whole occurrences only, never a value
//! shorter than eight characters, raw and percent-encoded. It is process
//! wide because the credentials are: one process loads one set (or the
//! embedded emulator's pair), and every thread prints through the same two
//! functions.

use std::borrow::Cow;
use std::sync::{PoisonError, RwLock};

use crate::api::Credentials;
use crate::secret::Scrubber;

/// What the credentials loaded so far mask.
static LOADED: RwLock<Scrubber> = RwLock::new(Scrubber::new());

/// Masks `credentials` in everything printed from now on.
pub(crate) fn register(credentials: &Credentials) {
    register_scrubber(&credentials.scrubber());
}

/// Masks what `scrubber` masks in everything printed from now on: the
/// credentials provider calls it with every credential it obtains,
/// refreshed ones and OIDC tokens included (issue 12).
pub(crate) fn register_scrubber(scrubber: &Scrubber) {
    LOADED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(scrubber);
}

/// Masks in everything printed from now on the values of the variables
/// the credential chain reads secrets from, whether or not a command goes
/// on to load them: `validate` loads no credentials, yet a secret pasted
/// into a manifest must not be printed back either. AccessKey IDs keep
/// their last four characters, as everywhere.
pub(crate) fn register_environment(env: &dyn Fn(&str) -> Option<String>) {
    let mut scrubber = Scrubber::new();
    for name in crate::env::SECRET_VARIABLES {
        if let Some(value) = env(name) {
            let mask = if name.ends_with("_ID") {
                crate::secret::mask_access_key_id(&value)
            } else {
                crate::secret::MASK.to_owned()
            };
            scrubber.add(&value, &mask);
        }
    }
    register_scrubber(&scrubber);
}

/// `text` with every registered credential masked; borrowed when there
/// was nothing to mask.
pub(crate) fn scrub(text: &str) -> Cow<'_, str> {
    LOADED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .scrub(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn secrets_in_the_environment_are_masked_too() {
        register_environment(&|name| match name {
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("unit-env-secret-93af".to_owned()),
            "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some("unit-env-key-id-77c1".to_owned()),
            _ => None,
        });
        assert_eq!(
            scrub("unit-env-secret-93af and unit-env-key-id-77c1"),
            "**** and ****77c1"
        );
    }

    #[test]
    fn registered_credentials_are_masked_in_what_is_printed() {
        assert_eq!(scrub("unit-scrub-secret-61c0"), "unit-scrub-secret-61c0");
        register(&Credentials::new(
            "unit-scrub-key-id-0f9e",
            Secret::new("unit-scrub-secret-61c0"),
            "the unit test's pair",
        ));
        assert_eq!(
            scrub("secret unit-scrub-secret-61c0, key unit-scrub-key-id-0f9e, 10s"),
            "secret ****, key ****0f9e, 10s"
        );
    }
}
