//! Temporary credentials the emulator has issued (STS, the metadata
//! service, the credentials URI), and the rule by which it stops accepting
//! them (`aiccs-api.md` §9): at their `Expiration` by the emulator's clock,
//! or, when a test asks for it, after a fixed number of requests — a
//! deterministic way to make credentials expire in the middle of a run
//! without waiting. A request signed with an expired key is refused with
//! `InvalidSecurityToken.Expired` before it takes effect.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::api::request::format_timestamp;
use crate::api::sign::sha256_hex;
use crate::secret::Secret;

use super::service_error::ServiceError;

/// What a key was issued as, for `GetCallerIdentity` and for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuance {
    /// How: `AssumeRole`, `AssumeRoleWithOIDC`, `EcsRamRole`,
    /// `CredentialsUri` or `Direct` ([`super::Emulator::issue_credentials`]).
    pub how: &'static str,
    /// The role's ARN.
    pub role_arn: String,
    /// The session name.
    pub session_name: String,
    /// The AccessKey ID issued.
    pub access_key_id: String,
    /// The `Expiration` sent, `YYYY-MM-DDThh:mm:ssZ`.
    pub expiration: String,
    /// SHA-256 (hex) of the OIDC token exchanged, for AssumeRoleWithOIDC.
    pub oidc_token_sha256: Option<String>,
    /// The AccessKey ID that signed the request, when one did.
    pub signed_by: Option<String>,
}

impl Issuance {
    /// A key to issue `how`, for `role_arn` and `session_name`; the key's ID
    /// and expiration are filled in when it is issued.
    pub(crate) fn new(how: &'static str, role_arn: String, session_name: String) -> Issuance {
        Issuance {
            how,
            role_arn,
            session_name,
            access_key_id: String::new(),
            expiration: String::new(),
            oidc_token_sha256: None,
            signed_by: None,
        }
    }

    /// Whether `token` is the OIDC token this key was issued for.
    pub fn used_oidc_token(&self, token: &str) -> bool {
        self.oidc_token_sha256.as_deref() == Some(sha256_hex(token.as_bytes()).as_str())
    }
}

/// Temporary credentials handed out: what a client signs with.
#[derive(Debug, Clone)]
pub struct IssuedCredentials {
    /// `AccessKeyId`, `STS.` and 20 characters.
    pub access_key_id: String,
    /// `AccessKeySecret`.
    pub access_key_secret: Secret,
    /// `SecurityToken`.
    pub security_token: Secret,
    /// `Expiration`, `YYYY-MM-DDThh:mm:ssZ` (whole seconds, as STS sends).
    pub expiration: String,
}

/// A key the emulator accepts, and how long.
#[derive(Debug, Clone)]
struct Key {
    secret: Secret,
    token: Secret,
    expires_ms: i64,
    requests: u64,
    max_requests: Option<u64>,
    issuance: Issuance,
}

/// Every key issued, by AccessKey ID. Shared by the signature check and
/// the services that issue; a test holds it too, to expire keys at a
/// chosen moment.
#[derive(Debug, Default)]
pub struct IssuedKeys {
    keys: Mutex<HashMap<String, Key>>,
    log: Mutex<Vec<Issuance>>,
}

impl IssuedKeys {
    /// Issues a key valid from `now_ms` for `lifetime` (its `Expiration`
    /// rounded up to the second) and, with `max_requests`, for that many
    /// signed requests.
    pub(crate) fn issue(
        &self,
        now_ms: i64,
        lifetime: Duration,
        max_requests: Option<u64>,
        mut issuance: Issuance,
    ) -> IssuedCredentials {
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX / 2);
        let expires_ms = (now_ms.saturating_add(lifetime_ms) + 999).div_euclid(1000) * 1000;
        let expiration = jiff::Timestamp::from_millisecond(expires_ms)
            .map(format_timestamp)
            .unwrap_or_default();
        let issued = IssuedCredentials {
            access_key_id: format!("STS.{}", random_text(20)),
            access_key_secret: Secret::new(random_text(30)),
            // Real tokens are long base64: `+`, `/` and `=` exercise the
            // encoding of every client.
            security_token: Secret::new(format!("CAIS{}+/{}==", random_text(120), random_text(8))),
            expiration: expiration.clone(),
        };
        issuance.access_key_id = issued.access_key_id.clone();
        issuance.expiration = expiration;
        lock(&self.log).push(issuance.clone());
        lock(&self.keys).insert(
            issued.access_key_id.clone(),
            Key {
                secret: issued.access_key_secret.clone(),
                token: issued.security_token.clone(),
                expires_ms,
                requests: 0,
                max_requests,
                issuance,
            },
        );
        issued
    }

    /// The secret and token of an issued key.
    pub(crate) fn secret_and_token(&self, access_key_id: &str) -> Option<(Secret, Secret)> {
        lock(&self.keys)
            .get(access_key_id)
            .map(|key| (key.secret.clone(), key.token.clone()))
    }

    /// Counts one request signed with `access_key_id`, or refuses it when
    /// the key has expired by `now_ms` or used up its requests.
    pub(crate) fn admit(&self, access_key_id: &str, now_ms: i64) -> Result<(), ServiceError> {
        let mut keys = lock(&self.keys);
        let Some(key) = keys.get_mut(access_key_id) else {
            return Ok(());
        };
        let used_up = key.max_requests.is_some_and(|max| key.requests >= max);
        if now_ms >= key.expires_ms || used_up {
            return Err(ServiceError::SecurityTokenExpired);
        }
        key.requests += 1;
        Ok(())
    }

    /// What `access_key_id` was issued as.
    pub(crate) fn issuance(&self, access_key_id: &str) -> Option<Issuance> {
        lock(&self.keys)
            .get(access_key_id)
            .map(|key| key.issuance.clone())
    }

    /// Expires every key issued so far, now: the next request signed with
    /// one is refused with `InvalidSecurityToken.Expired`. For tests.
    pub fn expire_all(&self) {
        for key in lock(&self.keys).values_mut() {
            key.expires_ms = i64::MIN;
        }
    }

    /// Every key issued, in order.
    pub fn issuances(&self) -> Vec<Issuance> {
        lock(&self.log).clone()
    }

    /// What of an issued key appears in `text`, if anything: its secret or
    /// its token (raw or percent-encoded), or its whole AccessKey ID. For
    /// tests that check nothing leaked; never the value itself.
    pub fn leaked_in(&self, text: &str) -> Option<String> {
        let encoded = crate::api::sign::percent_encode;
        for key in lock(&self.keys).values() {
            let id = &key.issuance.access_key_id;
            let secrets = [
                ("secret", key.secret.expose().to_owned()),
                ("token", key.token.expose().to_owned()),
                ("token, encoded", encoded(key.token.expose())),
                ("AccessKey ID", id.clone()),
            ];
            for (what, value) in secrets {
                if text.contains(&value) {
                    return Some(format!(
                        "the {what} of {}",
                        crate::secret::mask_access_key_id(id)
                    ));
                }
            }
        }
        None
    }
}

/// `n` random letters and digits.
pub(crate) fn random_text(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(n)
        .collect()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuance() -> Issuance {
        Issuance {
            oidc_token_sha256: Some(sha256_hex(b"tok")),
            ..Issuance::new("AssumeRole", "acs:ram::1:role/r".to_owned(), "s".to_owned())
        }
    }

    #[test]
    fn keys_expire_at_their_expiration_rounded_up_to_the_second() {
        let keys = IssuedKeys::default();
        let issued = keys.issue(1_000_500, Duration::from_secs(2), None, issuance());
        assert_eq!(issued.expiration, "1970-01-01T00:16:43Z");
        assert!(issued.access_key_id.starts_with("STS."));
        assert!(keys.admit(&issued.access_key_id, 1_002_999).is_ok());
        assert_eq!(
            keys.admit(&issued.access_key_id, 1_003_000),
            Err(ServiceError::SecurityTokenExpired)
        );
        assert!(keys.issuances()[0].used_oidc_token("tok"));
    }

    #[test]
    fn keys_can_be_limited_to_a_number_of_requests_or_expired_at_once() {
        let keys = IssuedKeys::default();
        let issued = keys.issue(0, Duration::from_secs(3600), Some(2), issuance());
        let id = &issued.access_key_id;
        assert!(keys.admit(id, 1).is_ok() && keys.admit(id, 2).is_ok());
        assert!(keys.admit(id, 3).is_err());
        let other = keys.issue(0, Duration::from_secs(3600), None, issuance());
        keys.expire_all();
        assert!(keys.admit(&other.access_key_id, 1).is_err());
        // A key the emulator never issued is not its business.
        assert!(keys.admit("aicall-demo-key", 1).is_ok());
    }
}
