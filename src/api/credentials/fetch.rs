//! The one way credentials leave over the network: every request to STS,
//! the ECS metadata service and a credentials URI is made by an [`Http`],
//! and an `Http` exists only for a source that names its address
//! ([`super::Source::network_sources`]). A machine with a static key, or
//! with nothing configured, builds none.
//!
//! What it guarantees: redirects are never followed (a redirect would
//! carry a signed query, an OIDC token or a URI's secret elsewhere);
//! loopback addresses and the metadata service bypass proxies; errors keep
//! no URL, and their text is scrubbed of the credentials involved.

use std::time::Duration;

use reqwest::Url;
use serde_json::{Map, Value};

use crate::chain;
use crate::secret::{Scrubber, Secret};

use super::super::client::tls_config;
use super::super::endpoint::is_loopback_host;
use super::super::reply::{body_excerpt, field};
use super::error::CredentialsError;
use super::{CredentialSource, Credentials};

/// Connect and reply limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub connect: Duration,
    pub request: Duration,
}

impl Timeouts {
    /// STS and credentials URIs: the official SDK's 5 s and 10 s (§4.3).
    pub(crate) const SERVICE: Timeouts = Timeouts {
        connect: Duration::from_secs(5),
        request: Duration::from_secs(10),
    };
    /// The metadata service: 1 s each, as Alibaba Cloud's libraries (§9).
    pub(crate) const METADATA: Timeouts = Timeouts {
        connect: Duration::from_secs(1),
        request: Duration::from_secs(1),
    };
}

/// An HTTP client for one credentials service.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    /// e.g. ``STS (`https://sts.aliyuncs.com`)``, for messages.
    service: String,
}

/// A reply, read whole.
pub(crate) struct Received {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Http {
    /// A client for `base` (an origin, never shown with a path): TLS with
    /// the system's roots for `https`, no proxy for loopback or when
    /// `direct` (the metadata service is link-local).
    pub(crate) fn new(
        base: &Url,
        service: String,
        timeouts: Timeouts,
        direct: bool,
    ) -> Result<Http, CredentialsError> {
        let plain = base.scheme() == "http";
        let tls = tls_config(plain).map_err(|err| CredentialsError::Setup {
            detail: err.to_string(),
        })?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.request)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("aicall/", env!("CARGO_PKG_VERSION")));
        if direct || base.host_str().is_some_and(is_loopback_host) {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|err| CredentialsError::Setup {
            detail: chain::root_cause(&err).to_string(),
        })?;
        Ok(Http { client, service })
    }

    /// The underlying client, to build a request with.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request` (for `what`) and reads the whole reply. Failures
    /// keep no URL and are scrubbed with `scrubber`.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
        scrubber: &Scrubber,
    ) -> Result<Received, CredentialsError> {
        let unreachable = |err: reqwest::Error| {
            let err = err.without_url();
            let detail = if err.is_timeout() {
                "no reply in time".to_owned()
            } else {
                chain::root_cause(&err).to_string()
            };
            CredentialsError::Unreachable {
                service: self.service.clone(),
                request: what.to_owned(),
                detail: scrubber.scrub(&detail).into_owned(),
                // Nothing was signed that a retry could not sign again.
                transient: err.is_connect() || err.is_timeout(),
            }
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(unreachable)?.to_vec();
        Ok(Received { status, body })
    }

    /// `received` as a JSON object, or why it is not one.
    pub(crate) fn json(
        &self,
        received: &Received,
        what: &str,
        scrubber: &Scrubber,
    ) -> Result<Map<String, Value>, CredentialsError> {
        match serde_json::from_slice::<Value>(&received.body) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(self.bad_reply(
                what,
                format!(
                    "HTTP {}, a body that is not a JSON object: {:?}",
                    received.status,
                    scrubber.scrub(body_excerpt(&received.body).trim())
                ),
            )),
        }
    }

    pub(crate) fn bad_reply(&self, what: &str, detail: String) -> CredentialsError {
        CredentialsError::BadReply {
            service: self.service.clone(),
            request: what.to_owned(),
            detail,
        }
    }

    /// A refusal: the reply's `Code`, `Message` and `RequestId` (read in
    /// any case, §4.3), the message scrubbed.
    pub(crate) fn refused(
        &self,
        what: &str,
        status: u16,
        object: &Map<String, Value>,
        scrubber: &Scrubber,
    ) -> CredentialsError {
        let text = |key: &str| {
            field(object, key)
                .and_then(Value::as_str)
                .map(|s| scrubber.scrub(s).into_owned())
        };
        CredentialsError::Refused {
            service: self.service.as_str().into(),
            request: what.into(),
            code: text("Code").unwrap_or_else(|| format!("HTTP {status}")),
            message: text("Message").unwrap_or_default().into(),
            http_status: Some(status),
            request_id: text("RequestId").map(String::into_boxed_str),
        }
    }

    /// A refusal told by the HTTP status alone (`HTTP 404`), with
    /// `message` (empty when there is nothing to add).
    pub(crate) fn status_refused(
        &self,
        what: &str,
        status: u16,
        message: impl Into<Box<str>>,
    ) -> CredentialsError {
        CredentialsError::Refused {
            service: self.service.as_str().into(),
            request: what.into(),
            code: format!("HTTP {status}"),
            message: message.into(),
            http_status: Some(status),
            request_id: None,
        }
    }

    /// The credentials of `received`, the metadata service's JSON (a
    /// credentials URI answers the same): a 200 reply whose `Code`, when
    /// there is one, is `Success` (§9); described as `source`.
    pub(crate) fn credentials_reply(
        &self,
        received: &Received,
        what: &str,
        scrubber: &Scrubber,
        source: CredentialSource,
    ) -> Result<Fetched, CredentialsError> {
        let object = self.json(received, what, scrubber)?;
        let code = field(&object, "Code").and_then(Value::as_str);
        if received.status != 200 || code.is_some_and(|code| code != "Success") {
            return Err(self.refused(what, received.status, &object, scrubber));
        }
        credentials_in(&object, source).map_err(|detail| self.bad_reply(what, detail))
    }
}

/// Temporary credentials and when they expire.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    pub credentials: Credentials,
    pub expiration: jiff::Timestamp,
}

/// The keys of temporary credentials, in the order a message names them.
const CREDENTIAL_KEYS: [&str; 4] = [
    "AccessKeyId",
    "AccessKeySecret",
    "SecurityToken",
    "Expiration",
];

/// The credentials in `object`: `AccessKeyId`, `AccessKeySecret`,
/// `SecurityToken` and `Expiration` (`YYYY-MM-DDThh:mm:ssZ`, §9), the
/// shape STS nests under `Credentials` and the metadata service and
/// credentials URIs answer whole. Only the names of what is missing are
/// said, never a value.
pub(crate) fn credentials_in(
    object: &Map<String, Value>,
    source: CredentialSource,
) -> Result<Fetched, String> {
    let text = |key: &str| {
        field(object, key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let values = CREDENTIAL_KEYS.map(text);
    let [Some(id), Some(secret), Some(token), Some(expiration)] = values else {
        let missing: Vec<&str> = CREDENTIAL_KEYS
            .into_iter()
            .zip(values)
            .filter(|(_, value)| value.is_none())
            .map(|(key, _)| key)
            .collect();
        return Err(format!("no `{}`", missing.join("`, `")));
    };
    let expiration: jiff::Timestamp = expiration
        .parse()
        .map_err(|_| "an `Expiration` that is not a UTC time".to_owned())?;
    Ok(Fetched {
        credentials: Credentials {
            access_key_id: id.to_owned(),
            access_key_secret: Secret::new(secret),
            security_token: Some(Secret::new(token)),
            source,
        },
        expiration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given() -> CredentialSource {
        CredentialSource::Given {
            description: "t".to_owned(),
        }
    }

    #[test]
    fn credentials_are_read_with_their_expiration_and_never_echoed() {
        let object: Map<String, Value> = serde_json::from_str(
            r#"{"AccessKeyId":"STS.abc","AccessKeySecret":"s3cr3t-value","SecurityToken":"CAIS-tok","Expiration":"2030-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        let fetched = credentials_in(&object, given()).unwrap();
        assert_eq!(fetched.credentials.access_key_id, "STS.abc");
        assert_eq!(fetched.expiration.to_string(), "2030-01-01T00:00:00Z");

        let object: Map<String, Value> = serde_json::from_str(
            r#"{"AccessKeyId":"STS.abc","AccessKeySecret":"s3cr3t-value","Expiration":"soon"}"#,
        )
        .unwrap();
        assert_eq!(
            credentials_in(&object, given()).unwrap_err(),
            "no `SecurityToken`"
        );
        let object: Map<String, Value> = serde_json::from_str(
            r#"{"AccessKeyId":"STS.abc","AccessKeySecret":"s3cr3t-value","SecurityToken":"t","Expiration":"s3cr3t-value"}"#,
        )
        .unwrap();
        let err = credentials_in(&object, given()).unwrap_err();
        assert!(!err.contains("s3cr3t"), "{err}");
    }
}
