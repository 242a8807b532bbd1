//! Who may call: the request's signature checked exactly as `aiccs-api.md`
//! §2.5 describes, with the signing code the client uses (`api::sign`), so
//! the two ends cannot drift apart.
//!
//! V3 (`ACS3-HMAC-SHA256`, the official SDK's default) is recognised by its
//! `Authorization` header; anything else is V1 (HMAC-SHA1 over the sorted
//! parameters). Both then pass the same checks, in the gateway's order:
//! key, timestamp, signature, nonce. A nonce is remembered only once the
//! signature is right, so a forged request cannot burn a real one.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use hyper::HeaderMap;

use crate::api::request::format_timestamp;
use crate::api::sign::{self, V3Request};
use crate::secret::Secret;

use super::issued::IssuedKeys;
use super::operation::Operation;
use super::params::Params;
use super::service_error::ServiceError;

/// The only API version served.
pub(crate) const VERSION: &str = "2019-10-15";
/// Largest distance between a request's timestamp and the server clock.
const MAX_SKEW_SECONDS: i64 = 900;
/// Headers every V3 request must carry and sign (§2.4, §2.5).
const V3_REQUIRED: [&str; 6] = [
    "host",
    "x-acs-action",
    "x-acs-version",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-content-sha256",
];
/// Headers that must be signed whenever they are sent (STS, §2.4).
const V3_SIGNED_IF_SENT: [&str; 2] = ["x-acs-security-token", "x-acs-accesskey-id"];

/// A request as the verifier needs to see it.
#[derive(Debug)]
pub(crate) struct Incoming<'a> {
    pub method: &'a str,
    /// The raw query string, still form-encoded.
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    /// Query and form body, decoded and merged.
    pub params: &'a Params,
}

/// The signature scheme of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    V1,
    V3,
}

/// The key pair the emulator accepts, the temporary keys it issued, and
/// the nonces it has seen.
#[derive(Debug)]
pub(crate) struct Auth {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    issued: Arc<IssuedKeys>,
    nonces: Mutex<HashSet<String>>,
}

/// A key a request may be signed with.
struct Key {
    secret: Secret,
    /// The token requests must carry, if any.
    token: Option<Secret>,
    /// Issued by the emulator: accepted until it expires.
    issued: bool,
}

/// What a verified signature says.
struct Signed<'a> {
    nonce: &'a str,
    access_key_id: &'a str,
    issued: bool,
}

impl Auth {
    pub(crate) fn new(
        access_key_id: String,
        access_key_secret: Secret,
        security_token: Option<Secret>,
        issued: Arc<IssuedKeys>,
    ) -> Auth {
        Auth {
            access_key_id,
            access_key_secret,
            security_token,
            issued,
            nonces: Mutex::new(HashSet::new()),
        }
    }

    /// The keys issued by the emulator's STS and metadata service.
    pub(crate) fn issued(&self) -> &Arc<IssuedKeys> {
        &self.issued
    }

    /// Whether `access_key_id` is the emulator's own long-term key.
    pub(crate) fn is_base_key(&self, access_key_id: &str) -> bool {
        access_key_id == self.access_key_id
    }

    /// The signature scheme of a request.
    pub(crate) fn scheme(request: &Incoming<'_>) -> Result<Scheme, ServiceError> {
        scheme(request.headers)
    }

    /// The action a request asks for, checked to exist in this version.
    /// Comes before the signature, as on the real gateway.
    pub(crate) fn operation(request: &Incoming<'_>) -> Result<(Scheme, Operation), ServiceError> {
        let scheme = scheme(request.headers)?;
        let (action, version) = match scheme {
            Scheme::V3 => (
                header(request.headers, "x-acs-action")?.ok_or(
                    ServiceError::IncompleteSignature {
                        problem: "no `x-acs-action` header".to_owned(),
                    },
                )?,
                header(request.headers, "x-acs-version")?,
            ),
            Scheme::V1 => (
                request.params.get("Action").unwrap_or_default(),
                request.params.get("Version"),
            ),
        };
        let operation =
            Operation::from_action(action).ok_or_else(|| ServiceError::ActionNotFound {
                action: action.to_owned(),
            })?;
        if version != Some(VERSION) {
            return Err(ServiceError::InvalidVersion {
                version: version.unwrap_or_default().to_owned(),
            });
        }
        Ok((scheme, operation))
    }

    /// Checks key, timestamp, signature and nonce at `now`, then, for a key
    /// the emulator issued, that it has not expired (§9); the AccessKey ID
    /// that signed.
    pub(crate) fn verify<'a>(
        &self,
        scheme: Scheme,
        request: &Incoming<'a>,
        now: jiff::Timestamp,
    ) -> Result<&'a str, ServiceError> {
        let signed = match scheme {
            Scheme::V1 => self.verify_v1(request, now)?,
            Scheme::V3 => self.verify_v3(request, now)?,
        };
        if signed.issued {
            self.issued
                .admit(signed.access_key_id, now.as_millisecond())?;
        }
        let nonce = signed.nonce;
        let mut nonces = self
            .nonces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !nonces.insert(nonce.to_owned()) {
            return Err(ServiceError::NonceUsed {
                nonce: nonce.to_owned(),
            });
        }
        Ok(signed.access_key_id)
    }

    /// §2.5 step 2.
    fn verify_v1<'a>(
        &self,
        request: &Incoming<'a>,
        now: jiff::Timestamp,
    ) -> Result<Signed<'a>, ServiceError> {
        let params = request.params;
        let required = |name: &str| {
            params
                .get(name)
                .ok_or_else(|| ServiceError::IncompleteSignature {
                    problem: format!("no `{name}` parameter"),
                })
        };
        let signature = required("Signature")?;
        for (name, expected) in [
            ("SignatureMethod", sign::V1_METHOD),
            ("SignatureVersion", sign::V1_VERSION),
        ] {
            let found = required(name)?;
            if found != expected {
                return Err(ServiceError::InvalidSignatureMethod {
                    name,
                    found: found.to_owned(),
                    expected,
                });
            }
        }
        let access_key_id = required("AccessKeyId")?;
        let key = self.key(access_key_id)?;
        check_timestamp(required("Timestamp")?, now)?;
        let nonce = required("SignatureNonce")?;
        check_token(&key, params.get("SecurityToken"))?;

        let signed = params.pairs().filter(|(name, _)| *name != "Signature");
        let string_to_sign = sign::v1_string_to_sign(request.method, signed);
        let expected = sign::v1_signature(key.secret.expose(), &string_to_sign);
        if !sign::signatures_equal(&expected, signature) {
            return Err(ServiceError::SignatureMismatch { string_to_sign });
        }
        Ok(Signed {
            nonce,
            access_key_id,
            issued: key.issued,
        })
    }

    /// §2.5 step 1.
    fn verify_v3<'a>(
        &self,
        request: &Incoming<'a>,
        now: jiff::Timestamp,
    ) -> Result<Signed<'a>, ServiceError> {
        let headers = request.headers;
        let authorization =
            Authorization::parse(header(headers, "authorization")?.unwrap_or_default())?;
        let signed: Vec<String> = authorization
            .signed_headers
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect();
        for name in V3_REQUIRED {
            if header(headers, name)?.is_none() {
                return Err(ServiceError::IncompleteSignature {
                    problem: format!("no `{name}` header"),
                });
            }
        }
        for name in V3_REQUIRED.iter().chain(
            V3_SIGNED_IF_SENT
                .iter()
                .filter(|name| headers.contains_key(**name)),
        ) {
            if !signed.iter().any(|s| s == name) {
                return Err(ServiceError::IncompleteSignature {
                    problem: format!("`{name}` is not in SignedHeaders"),
                });
            }
        }

        let key = self.key(authorization.credential)?;
        if let Some(id) = header(headers, "x-acs-accesskey-id")?
            && id != authorization.credential
        {
            return Err(ServiceError::IncompleteSignature {
                problem: format!(
                    "`x-acs-accesskey-id` ({id}) differs from the Credential ({})",
                    authorization.credential
                ),
            });
        }
        check_timestamp(required_header(headers, "x-acs-date")?, now)?;
        let nonce = required_header(headers, "x-acs-signature-nonce")?;
        check_token(&key, header(headers, "x-acs-security-token")?)?;

        let declared = required_header(headers, "x-acs-content-sha256")?;
        let computed = sign::sha256_hex(request.body);
        if !declared.eq_ignore_ascii_case(&computed) {
            return Err(ServiceError::BodyHashMismatch {
                declared: declared.to_owned(),
                computed,
            });
        }

        // The canonical query covers the query string only; a form body is
        // covered through its hash (§2.4 step 4).
        let query: Vec<(String, String)> = form_urlencoded::parse(request.query.as_bytes())
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect();
        let query: Vec<(&str, &str)> = query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        // Rebuilt from the headers received, under the names signed.
        let mut canonical_headers = Vec::new();
        for name in &signed {
            let mut values = headers.get_all(name.as_str()).iter().peekable();
            if values.peek().is_none() {
                return Err(ServiceError::IncompleteSignature {
                    problem: format!("the signed header `{name}` was not sent"),
                });
            }
            for value in values {
                let value = value
                    .to_str()
                    .map_err(|_| ServiceError::IncompleteSignature {
                        problem: format!("the signed header `{name}` is not readable text"),
                    })?;
                canonical_headers.push((name.as_str(), value));
            }
        }
        let v3 = V3Request {
            method: request.method,
            query: &query,
            headers: &canonical_headers,
            payload_sha256: declared,
        };
        let expected = v3.signature(key.secret.expose());
        if !sign::signatures_equal(&expected, authorization.signature) {
            return Err(ServiceError::SignatureMismatch {
                string_to_sign: v3.string_to_sign(),
            });
        }
        Ok(Signed {
            nonce,
            access_key_id: authorization.credential,
            issued: key.issued,
        })
    }

    /// The emulator's own pair, or a key it issued.
    fn key(&self, access_key_id: &str) -> Result<Key, ServiceError> {
        if access_key_id == self.access_key_id {
            return Ok(Key {
                secret: self.access_key_secret.clone(),
                token: self.security_token.clone(),
                issued: false,
            });
        }
        match self.issued.secret_and_token(access_key_id) {
            Some((secret, token)) => Ok(Key {
                secret,
                token: Some(token),
                issued: true,
            }),
            None => Err(ServiceError::AccessKeyNotFound {
                access_key_id: access_key_id.to_owned(),
            }),
        }
    }
}

/// With a token required (configured for the pair, or issued with a
/// key), requests must carry exactly it; without, any token is accepted
/// (it is still covered by the signature).
fn check_token(key: &Key, sent: Option<&str>) -> Result<(), ServiceError> {
    match &key.token {
        Some(token) if sent.is_none_or(|sent| !sign::signatures_equal(sent, token.expose())) => {
            Err(ServiceError::SecurityTokenMismatch)
        }
        _ => Ok(()),
    }
}

/// `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> Authorization<'a> {
    fn parse(value: &'a str) -> Result<Authorization<'a>, ServiceError> {
        let malformed = |what: &str| ServiceError::IncompleteSignature {
            problem: format!("the `Authorization` header lacks {what}"),
        };
        let rest = value
            .strip_prefix(sign::V3_ALGORITHM)
            .and_then(|rest| rest.strip_prefix(' '))
            .ok_or_else(|| malformed("the algorithm `ACS3-HMAC-SHA256`"))?;
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            match part.trim().split_once('=') {
                Some(("Credential", v)) => credential = Some(v),
                Some(("SignedHeaders", v)) => signed_headers = Some(v),
                Some(("Signature", v)) => signature = Some(v),
                _ => return Err(malformed(&format!("well-formed parts (found `{part}`)"))),
            }
        }
        Ok(Authorization {
            credential: credential
                .filter(|v| !v.is_empty())
                .ok_or_else(|| malformed("a `Credential`"))?,
            signed_headers: signed_headers
                .filter(|v| !v.is_empty())
                .ok_or_else(|| malformed("a `SignedHeaders` list"))?,
            signature: signature
                .filter(|v| !v.is_empty())
                .ok_or_else(|| malformed("a `Signature`"))?,
        })
    }
}

/// V3 when an `Authorization` header names the V3 algorithm; V1 when there
/// is none; anything else is an algorithm the emulator does not verify.
fn scheme(headers: &HeaderMap) -> Result<Scheme, ServiceError> {
    match header(headers, "authorization")? {
        None => Ok(Scheme::V1),
        Some(value)
            if value.starts_with(sign::V3_ALGORITHM)
                && value[sign::V3_ALGORITHM.len()..].starts_with(' ') =>
        {
            Ok(Scheme::V3)
        }
        Some(value) => Err(ServiceError::IncompleteSignature {
            problem: format!(
                "the algorithm `{}` is not supported: use ACS3-HMAC-SHA256, or V1 parameters",
                value.split(' ').next().unwrap_or_default()
            ),
        }),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ServiceError> {
    headers
        .get(name)
        .map(|value| {
            value
                .to_str()
                .map_err(|_| ServiceError::IncompleteSignature {
                    problem: format!("the `{name}` header is not readable text"),
                })
        })
        .transpose()
}

fn required_header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ServiceError> {
    header(headers, name)?.ok_or_else(|| ServiceError::IncompleteSignature {
        problem: format!("no `{name}` header"),
    })
}

/// `yyyy-MM-ddTHH:mm:ssZ`, within 900 s of `now` (§1.3, §7).
fn check_timestamp(value: &str, now: jiff::Timestamp) -> Result<(), ServiceError> {
    let b = value.as_bytes();
    let shaped = b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        });
    let parsed = shaped
        .then(|| value.parse::<jiff::Timestamp>().ok())
        .flatten()
        .ok_or_else(|| ServiceError::TimestampFormat {
            value: value.to_owned(),
        })?;
    let skew = (now.as_second() - parsed.as_second()).abs();
    if skew > MAX_SKEW_SECONDS {
        return Err(ServiceError::TimestampExpired {
            value: value.to_owned(),
            server_time: format_timestamp(now),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> jiff::Timestamp {
        "2025-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn timestamps_must_be_exactly_shaped_and_recent() {
        assert!(check_timestamp("2025-01-01T00:15:00Z", now()).is_ok());
        assert!(check_timestamp("2024-12-31T23:45:00Z", now()).is_ok());
        let expired = check_timestamp("2025-01-01T00:15:01Z", now()).unwrap_err();
        assert_eq!(expired.code(), "InvalidTimeStamp.Expired");
        for bad in [
            "2025-01-01T00:00:00",
            "2025-01-01 00:00:00Z",
            "2025-01-01T00:00:00.000Z",
            "2025-01-01T00:00:00+00:00",
            "2025-13-01T00:00:00Z",
        ] {
            assert_eq!(
                check_timestamp(bad, now()).unwrap_err().code(),
                "InvalidTimeStamp.Format",
                "{bad}"
            );
        }
    }

    #[test]
    fn authorization_header_parts() {
        let parsed = Authorization::parse(
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=abc",
        )
        .unwrap();
        assert_eq!(
            parsed,
            Authorization {
                credential: "id",
                signed_headers: "host;x-acs-date",
                signature: "abc"
            }
        );
        for bad in [
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host",
            "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=",
            "ACS3-HMAC-SHA256 Credential=id;SignedHeaders=host;Signature=a",
        ] {
            assert_eq!(
                Authorization::parse(bad).unwrap_err().code(),
                "IncompleteSignature",
                "{bad}"
            );
        }
    }

    #[test]
    fn other_algorithms_are_incomplete_signatures() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            "ACS3-HMAC-SM3 Credential=x".parse().unwrap(),
        );
        assert_eq!(scheme(&headers).unwrap_err().code(), "IncompleteSignature");
        headers.insert(
            "authorization",
            "ACS3-HMAC-SHA256 Credential=x".parse().unwrap(),
        );
        assert_eq!(scheme(&headers).unwrap(), Scheme::V3);
        assert_eq!(scheme(&HeaderMap::new()).unwrap(), Scheme::V1);
    }
}
