//! A credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`, a profile's
//! `credentials_uri`, `aiccs-api.md` §9): a GET answered with the JSON of
//! the metadata service. The URI is a secret (whoever can read it gets
//! credentials), so messages name only its origin.

use serde_json::Value;

use crate::secret::Scrubber;

use super::super::reply::field;
use super::CredentialSource;
use super::error::CredentialsError;
use super::fetch::{self, Fetched, Http, Timeouts};
use super::source::SecretUrl;

/// A client of one credentials URI.
#[derive(Debug, Clone)]
pub(crate) struct Uri {
    uri: SecretUrl,
    http: Http,
}

impl Uri {
    pub(crate) fn new(uri: &SecretUrl) -> Result<Uri, CredentialsError> {
        Ok(Uri {
            http: Http::new(
                uri.expose(),
                format!("the credentials URI (`{}`)", uri.origin()),
                Timeouts::SERVICE,
                false,
            )?,
            uri: uri.clone(),
        })
    }

    /// The credentials it hands out, described as `source`.
    pub(crate) async fn credentials(
        &self,
        source: CredentialSource,
    ) -> Result<Fetched, CredentialsError> {
        let what = "credentials";
        let mut scrubber = Scrubber::new();
        scrubber.add(self.uri.expose().as_str(), "***");
        let received = self
            .http
            .send(
                self.http.client().get(self.uri.expose().clone()),
                what,
                &scrubber,
            )
            .await?;
        let object = self.http.json(&received, what, &scrubber)?;
        let code = field(&object, "Code").and_then(Value::as_str);
        if received.status != 200 || code.is_some_and(|code| code != "Success") {
            return Err(self.http.refused(what, received.status, &object, &scrubber));
        }
        fetch::credentials_in(&object, source).map_err(|detail| self.http.bad_reply(what, detail))
    }
}
