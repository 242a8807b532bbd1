//! STS, the Security Token Service (`aiccs-api.md` §9): AssumeRole,
//! AssumeRoleWithOIDC and GetCallerIdentity, RPC version `2015-04-01`.
//!
//! Requests are shaped as Alibaba Cloud's credentials libraries shape
//! them: a POST to `/` with the common parameters in the query and the
//! call's own in a form body (an OIDC token may be 20,000 characters, too
//! long for a URL). AssumeRole and GetCallerIdentity are signed with
//! signature V1 over both (§2.2), with the project's signer; the
//! credentials that sign may be temporary themselves (role chaining), and
//! then carry their `SecurityToken`. AssumeRoleWithOIDC is unsigned: the
//! token is the proof.

use serde_json::{Map, Value};

use crate::secret::{Scrubber, Secret};

use super::super::endpoint::Endpoint;
use super::super::reply::field;
use super::super::request::{form_query, format_timestamp};
use super::super::sign;
use super::add_secret;
use super::error::CredentialsError;
use super::fetch::{self, Fetched, Http, Timeouts};
use super::source::RoleRequest;
use super::{CredentialSource, Credentials};

/// The STS API version.
pub(crate) const STS_VERSION: &str = "2015-04-01";

/// Who `GetCallerIdentity` says the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallerIdentity {
    /// `AccountId`.
    pub account_id: String,
    /// `Arn`, e.g. `acs:ram::123:assumed-role/deployer/session`.
    pub arn: String,
}

impl CallerIdentity {
    /// What stays the same from one session to the next: for an assumed
    /// role, the role's ARN (`acs:ram::123:role/deployer`) without the
    /// session; otherwise the ARN as it is.
    pub(crate) fn principal(&self) -> String {
        for kind in ["assumed-role/", "role/"] {
            let marker = format!(":{kind}");
            if let Some(at) = self.arn.find(&marker) {
                let rest = &self.arn[at + marker.len()..];
                let role = rest.split('/').next().unwrap_or(rest);
                return format!("{}:role/{role}", &self.arn[..at]);
            }
        }
        if self.arn.is_empty() {
            format!("acs:ram::{}:unknown", self.account_id)
        } else {
            self.arn.clone()
        }
    }
}

/// A client of one STS endpoint.
#[derive(Debug, Clone)]
pub(crate) struct Sts {
    endpoint: Endpoint,
    http: Http,
}

impl Sts {
    pub(crate) fn new(endpoint: &Endpoint) -> Result<Sts, CredentialsError> {
        Ok(Sts {
            http: Http::new(
                endpoint.url(),
                format!("STS (`{endpoint}`)"),
                Timeouts::SERVICE,
                false,
            )?,
            endpoint: endpoint.clone(),
        })
    }

    /// AssumeRole of `role`, signed by `signer`; the credentials obtained
    /// are described as `source`.
    pub(crate) async fn assume_role(
        &self,
        signer: &Credentials,
        role: &RoleRequest,
        source: CredentialSource,
    ) -> Result<Fetched, CredentialsError> {
        let mut body = role_params(role);
        if let Some(external_id) = &role.external_id {
            body.push(("ExternalId", external_id.clone()));
        }
        let what = format!("`AssumeRole` of role {}", shown_role(role));
        let reply = self
            .call("AssumeRole", &body, Some(signer), &signer.scrubber(), &what)
            .await?;
        self.assumed(&reply, &what, source)
    }

    /// AssumeRoleWithOIDC of `role` with `token`, unsigned.
    pub(crate) async fn assume_role_with_oidc(
        &self,
        role: &RoleRequest,
        provider_arn: &str,
        token: &Secret,
        source: CredentialSource,
    ) -> Result<Fetched, CredentialsError> {
        let mut body = role_params(role);
        body.push(("OIDCProviderArn", provider_arn.to_owned()));
        body.push(("OIDCToken", token.expose().to_owned()));
        let mut scrubber = Scrubber::new();
        add_secret(&mut scrubber, token);
        let what = format!("`AssumeRoleWithOIDC` of role {}", shown_role(role));
        let reply = self
            .call("AssumeRoleWithOIDC", &body, None, &scrubber, &what)
            .await?;
        self.assumed(&reply, &what, source)
    }

    /// GetCallerIdentity, signed by `signer`.
    pub(crate) async fn caller_identity(
        &self,
        signer: &Credentials,
    ) -> Result<CallerIdentity, CredentialsError> {
        let what = "`GetCallerIdentity`";
        let reply = self
            .call(
                "GetCallerIdentity",
                &[],
                Some(signer),
                &signer.scrubber(),
                what,
            )
            .await?;
        let text = |key: &str| {
            field(&reply, key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let identity = CallerIdentity {
            account_id: text("AccountId"),
            arn: text("Arn"),
        };
        if identity.account_id.is_empty() && identity.arn.is_empty() {
            return Err(self
                .http
                .bad_reply(what, "no `AccountId` or `Arn`".to_owned()));
        }
        Ok(identity)
    }

    /// The credentials of an assume reply (nested under `Credentials`).
    fn assumed(
        &self,
        reply: &Map<String, Value>,
        what: &str,
        source: CredentialSource,
    ) -> Result<Fetched, CredentialsError> {
        let credentials = field(reply, "Credentials")
            .and_then(Value::as_object)
            .ok_or_else(|| self.http.bad_reply(what, "no `Credentials`".to_owned()))?;
        fetch::credentials_in(credentials, source)
            .map_err(|detail| self.http.bad_reply(what, detail))
    }

    /// One call: common parameters in the query, `body` as a form, signed
    /// by `signer` when there is one; the reply object of a 2xx.
    async fn call(
        &self,
        action: &'static str,
        body: &[(&'static str, String)],
        signer: Option<&Credentials>,
        scrubber: &Scrubber,
        what: &str,
    ) -> Result<Map<String, Value>, CredentialsError> {
        let timestamp = format_timestamp(jiff::Timestamp::now());
        let nonce = uuid::Uuid::new_v4().to_string();
        let mut query: Vec<(&str, &str)> = vec![
            ("Action", action),
            ("Format", "JSON"),
            ("Version", STS_VERSION),
            ("Timestamp", &timestamp),
        ];
        if let Some(signer) = signer {
            query.extend([
                ("SignatureMethod", sign::V1_METHOD),
                ("SignatureVersion", sign::V1_VERSION),
                ("SignatureNonce", nonce.as_str()),
                ("AccessKeyId", signer.access_key_id.as_str()),
            ]);
            if let Some(token) = &signer.security_token {
                query.push(("SecurityToken", token.expose()));
            }
        }
        let signature = signer.map(|signer| {
            let all = query
                .iter()
                .copied()
                .chain(body.iter().map(|(n, v)| (*n, v.as_str())));
            let string_to_sign = sign::v1_string_to_sign("POST", all);
            sign::v1_signature(signer.access_key_secret.expose(), &string_to_sign)
        });
        if let Some(signature) = &signature {
            query.push(("Signature", signature));
        }
        let url = format!("{}?{}", self.endpoint.url(), form_query(query));
        let form = form_query(body.iter().map(|(n, v)| (*n, v.as_str())));
        let request = self
            .http
            .client()
            .post(url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
        let received = self.http.send(request, what, scrubber).await?;
        let object = self.http.json(&received, what, scrubber)?;
        if (200..300).contains(&received.status) {
            Ok(object)
        } else {
            Err(self.http.refused(what, received.status, &object, scrubber))
        }
    }
}

/// What AssumeRole and AssumeRoleWithOIDC share.
fn role_params(role: &RoleRequest) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("RoleArn", role.role_arn.clone()),
        ("RoleSessionName", role.session_name.clone()),
        ("DurationSeconds", role.duration_seconds.to_string()),
    ];
    if let Some(policy) = &role.policy {
        params.push(("Policy", policy.clone()));
    }
    params
}

/// The role as a message may show it (only if it looks like an ARN).
fn shown_role(role: &RoleRequest) -> String {
    super::super::file_value::FileValue::arn(&role.role_arn).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_principal_of_an_assumed_role_is_the_role_without_its_session() {
        let identity = |arn: &str| CallerIdentity {
            account_id: "1234567890123456".to_owned(),
            arn: arn.to_owned(),
        };
        assert_eq!(
            identity("acs:ram::1234567890123456:assumed-role/deployer/github-42").principal(),
            "acs:ram::1234567890123456:role/deployer"
        );
        assert_eq!(
            identity("acs:ram::1234567890123456:role/deployer/s").principal(),
            "acs:ram::1234567890123456:role/deployer"
        );
        assert_eq!(
            identity("acs:ram::1234567890123456:user/alice").principal(),
            "acs:ram::1234567890123456:user/alice"
        );
        assert_eq!(
            identity("").principal(),
            "acs:ram::1234567890123456:unknown"
        );
    }
}
