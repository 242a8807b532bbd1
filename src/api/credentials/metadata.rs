//! The ECS instance metadata service (`aiccs-api.md` §9), asked only when
//! the configuration names the instance role: IMDSv2 first
//! (`PUT /latest/api/token`, then the security-credentials paths with the
//! token header), falling back to v1 (no token) unless
//! `ALIBABA_CLOUD_IMDSV1_DISABLED=true`; 1 s timeouts, no proxy.

use crate::secret::{Scrubber, Secret};

use super::CredentialSource;
use super::add_secret;
use super::error::CredentialsError;
use super::fetch::{Fetched, Http, Received, Timeouts};
use super::provider::Observer;
use super::source::MetadataEndpoint;

/// Where the instance's role credentials are.
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
/// Where an IMDSv2 token is asked for.
const TOKEN_PATH: &str = "/latest/api/token";
/// The token's lifetime asked for, in seconds: what Alibaba Cloud's Go
/// library asks (the most the service allows is 21,600).
const TOKEN_TTL_SECONDS: &str = "21600";

/// A client of the metadata service.
#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    endpoint: MetadataEndpoint,
    http: Http,
    imdsv1_disabled: bool,
}

impl Metadata {
    pub(crate) fn new(
        endpoint: &MetadataEndpoint,
        imdsv1_disabled: bool,
    ) -> Result<Metadata, CredentialsError> {
        let base = endpoint.join("/");
        Ok(Metadata {
            http: Http::new(
                &base,
                format!("the ECS metadata service (`{}`)", endpoint.origin()),
                Timeouts::METADATA,
                true,
            )?,
            endpoint: endpoint.clone(),
            imdsv1_disabled,
        })
    }

    /// The credentials of `role` (or of the instance's role, asked for
    /// first when `None`), described as `source`. The IMDSv2 token asked
    /// for on the way is shown to `observe` before use.
    pub(crate) async fn credentials(
        &self,
        role: Option<&str>,
        source: CredentialSource,
        observe: &Observer,
    ) -> Result<Fetched, CredentialsError> {
        let token = self.token().await?;
        let mut scrubber = Scrubber::new();
        if let Some(token) = &token {
            add_secret(&mut scrubber, token);
            observe(&scrubber);
        }
        let role = match role {
            Some(role) => role.to_owned(),
            None => {
                let what = "the instance's role name";
                let received = self
                    .get(CREDENTIALS_PATH, token.as_ref(), what, &scrubber)
                    .await?;
                let text = String::from_utf8_lossy(&received.body);
                let name = text.lines().next().unwrap_or_default().trim().to_owned();
                if name.is_empty() || name.contains(['/', '?', '#']) {
                    return Err(self.http.bad_reply(what, "no role name".to_owned()));
                }
                name
            }
        };
        let what = format!(
            "the credentials of role {}",
            super::super::file_value::FileValue::name(&role)
        );
        let path = format!("{CREDENTIALS_PATH}{role}");
        let received = self.get(&path, token.as_ref(), &what, &scrubber).await?;
        self.http
            .credentials_reply(&received, &what, &scrubber, source)
    }

    /// An IMDSv2 token; `None` when the service gives none and v1 may be
    /// used instead.
    async fn token(&self) -> Result<Option<Secret>, CredentialsError> {
        let what = "an IMDSv2 token";
        let request = self
            .http
            .client()
            .put(self.endpoint.join(TOKEN_PATH))
            .header("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS);
        let failure = match self.http.send(request, what, &Scrubber::new()).await {
            Ok(received) if received.status == 200 => {
                let token = String::from_utf8_lossy(&received.body).trim().to_owned();
                if !token.is_empty() {
                    return Ok(Some(Secret::new(token)));
                }
                self.http.bad_reply(what, "an empty token".to_owned())
            }
            // Said only when v1 is forbidden (below).
            Ok(received) => self.http.status_refused(
                what,
                received.status,
                format!(
                    "the instance gave no token, and `{}=true` forbids asking without one (IMDSv1)",
                    crate::env::ALIBABA_CLOUD_IMDSV1_DISABLED
                ),
            ),
            Err(err) => err,
        };
        if self.imdsv1_disabled {
            return Err(failure);
        }
        // An older instance or image without IMDSv2: v1 still answers.
        Ok(None)
    }

    /// A GET of `path`, with the token when there is one; a 200 reply.
    async fn get(
        &self,
        path: &str,
        token: Option<&Secret>,
        what: &str,
        scrubber: &Scrubber,
    ) -> Result<Received, CredentialsError> {
        let mut request = self.http.client().get(self.endpoint.join(path));
        if let Some(token) = token {
            request = request.header("X-aliyun-ecs-metadata-token", token.expose());
        }
        let received = self.http.send(request, what, scrubber).await?;
        if received.status == 200 {
            return Ok(received);
        }
        let message = if received.status == 404 {
            "no such role on this instance (is a RAM role attached to it?)"
        } else {
            ""
        };
        Err(self.http.status_refused(what, received.status, message))
    }
}
