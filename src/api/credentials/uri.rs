//! A credentials URI (`ALIBABA_CLOUD_CREDENTIALS_URI`, a profile's
//! `credentials_uri`, `aiccs-api.md` §9): a GET answered with the JSON of
//! the metadata service. The URI is a secret (whoever can read it gets
//! credentials), so messages name only its origin.

use crate::secret::Scrubber;

use super::CredentialSource;
use super::error::CredentialsError;
use super::fetch::{Fetched, Http, Timeouts};
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
        self.http
            .credentials_reply(&received, what, &scrubber, source)
    }
}
