//! STS, emulated (`aiccs-api.md` §9): `AssumeRole` (signed, V1 or V3, by
//! the emulator's pair or by a key it issued: role chaining),
//! `AssumeRoleWithOIDC` (unsigned) and `GetCallerIdentity` (signed).
//!
//! Conventions of the emulator, where STS's own behaviour is not needed:
//! every role of the configured account exists (any name); a role of
//! another account is `EntityNotExist.Role`; an OIDC provider likewise; an
//! OIDC token that starts with `invalid` is refused with
//! `AuthenticationFail.OIDCToken.Invalid`, any other of 4 to 20,000
//! characters is accepted.

use std::time::Duration;

use serde_json::{Value, json};

use crate::api::sign::sha256_hex;

use super::auth::Auth;
use super::identity::Identity;
use super::issued::{Issuance, IssuedCredentials};
use super::received::Received;
use super::reply::Reply;
use super::service_error::ServiceError;

/// The STS API version.
pub(crate) const VERSION: &str = "2015-04-01";
/// `HostId` of STS errors.
const HOST_ID: &str = "sts.aliyuncs.com";

/// Answers an STS request.
pub(crate) fn serve(
    identity: &Identity,
    received: &Received,
    auth: &Auth,
    now: jiff::Timestamp,
    request_id: &str,
) -> (Option<&'static str>, Reply) {
    let action = received
        .params
        .get("Action")
        .or_else(|| received.header("x-acs-action"))
        .unwrap_or_default();
    let (label, result) = match action {
        "AssumeRole" => (
            "AssumeRole",
            assume_role(identity, received, auth, now, request_id),
        ),
        "AssumeRoleWithOIDC" => (
            "AssumeRoleWithOIDC",
            assume_role_with_oidc(identity, received, auth, now, request_id),
        ),
        "GetCallerIdentity" => (
            "GetCallerIdentity",
            caller_identity(identity, received, auth, now, request_id),
        ),
        other => (
            "Sts",
            Err(ServiceError::Identity {
                code: "InvalidAction.NotFound",
                status: 404,
                message: format!("the action `{other}` does not exist in STS 2015-04-01"),
            }),
        ),
    };
    let reply = match result {
        Ok(body) => Reply::json(hyper::StatusCode::OK, "OK".into(), &body),
        Err(error) => Reply::gateway(request_id, HOST_ID, &error),
    };
    (Some(label), reply)
}

/// Verifies the signature; the AccessKey ID that signed.
fn signed(received: &Received, auth: &Auth, now: jiff::Timestamp) -> Result<String, ServiceError> {
    let incoming = received.incoming();
    let scheme = Auth::scheme(&incoming)?;
    let signer = auth.verify(scheme, &incoming, now)?;
    received.params.reject_repeats()?;
    Ok(signer.to_owned())
}

fn assume_role(
    identity: &Identity,
    received: &Received,
    auth: &Auth,
    now: jiff::Timestamp,
    request_id: &str,
) -> Result<Value, ServiceError> {
    let signer = signed(received, auth, now)?;
    let request = RoleAsked::parse(identity, received)?;
    let issued = identity.issue(
        auth.issued(),
        now.as_millisecond(),
        request.duration,
        Issuance {
            signed_by: Some(signer),
            ..Issuance::new(
                "AssumeRole",
                request.role_arn.clone(),
                request.session.clone(),
            )
        },
    );
    Ok(assumed(request_id, &request, &issued))
}

fn assume_role_with_oidc(
    identity: &Identity,
    received: &Received,
    auth: &Auth,
    now: jiff::Timestamp,
    request_id: &str,
) -> Result<Value, ServiceError> {
    let params = &received.params;
    params.reject_repeats()?;
    let request = RoleAsked::parse(identity, received)?;
    let provider = params.required_text("OIDCProviderArn")?;
    let prefix = format!("acs:ram::{}:oidc-provider/", identity.config.account_id);
    if provider.strip_prefix(&prefix).is_none_or(str::is_empty) {
        return Err(ServiceError::Identity {
            code: "EntityNotExist.OIDCProvider",
            status: 404,
            message: "the OIDC provider does not exist".to_owned(),
        });
    }
    let token = params.required("OIDCToken")?;
    if !(4..=20_000).contains(&token.chars().count()) {
        return Err(ServiceError::invalid(
            "OIDCToken",
            "",
            "a token of 4 to 20,000 characters",
        ));
    }
    if token.starts_with("invalid") {
        return Err(ServiceError::Identity {
            code: "AuthenticationFail.OIDCToken.Invalid",
            status: 400,
            message: "the OIDC token is invalid (emulator convention: it starts with `invalid`)"
                .to_owned(),
        });
    }
    let issued = identity.issue(
        auth.issued(),
        now.as_millisecond(),
        request.duration,
        Issuance {
            oidc_token_sha256: Some(sha256_hex(token.as_bytes())),
            ..Issuance::new(
                "AssumeRoleWithOIDC",
                request.role_arn.clone(),
                request.session.clone(),
            )
        },
    );
    let mut body = assumed(request_id, &request, &issued);
    body["OIDCTokenInfo"] =
        json!({ "Issuer": "https://oidc.emulator.invalid", "Subject": "emulated" });
    Ok(body)
}

fn caller_identity(
    identity: &Identity,
    received: &Received,
    auth: &Auth,
    now: jiff::Timestamp,
    request_id: &str,
) -> Result<Value, ServiceError> {
    let signer = signed(received, auth, now)?;
    let account = &identity.config.account_id;
    let (arn, kind) = match auth.issued().issuance(&signer) {
        Some(issuance) => {
            let role = issuance
                .role_arn
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            (
                format!(
                    "acs:ram::{account}:assumed-role/{role}/{}",
                    issuance.session_name
                ),
                "AssumedRoleUser",
            )
        }
        None if auth.is_base_key(&signer) => (
            format!("acs:ram::{account}:user/aicall-emulator"),
            "RAMUser",
        ),
        None => (String::new(), "Unknown"),
    };
    Ok(json!({
        "RequestId": request_id,
        "AccountId": account,
        "Arn": arn,
        "IdentityType": kind,
        "PrincipalId": format!("{account}:{signer}"),
    }))
}

/// What AssumeRole and AssumeRoleWithOIDC both ask.
struct RoleAsked {
    role_arn: String,
    role_name: String,
    session: String,
    duration: Duration,
}

impl RoleAsked {
    fn parse(identity: &Identity, received: &Received) -> Result<RoleAsked, ServiceError> {
        let params = &received.params;
        let role_arn = params.required_text("RoleArn")?;
        let role_name = identity
            .role_name(&role_arn)
            .filter(|name| !name.is_empty() && !name.contains('/'))
            .ok_or_else(|| ServiceError::Identity {
                code: "EntityNotExist.Role",
                status: 404,
                message: "the role does not exist".to_owned(),
            })?
            .to_owned();
        let session = params.required_text("RoleSessionName")?;
        let session_ok = (2..=64).contains(&session.len())
            && session
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c));
        if !session_ok {
            return Err(ServiceError::Identity {
                code: "InvalidParameter.RoleSessionName",
                status: 400,
                message: "RoleSessionName must be 2 to 64 of A-Z a-z 0-9 . _ @ -".to_owned(),
            });
        }
        let seconds = match params.get("DurationSeconds") {
            None => 3600,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|s| (900..=43_200).contains(s))
                .ok_or_else(|| ServiceError::Identity {
                    code: "InvalidParameter.DurationSeconds",
                    status: 400,
                    message: "DurationSeconds must be from 900 to 43200".to_owned(),
                })?,
        };
        Ok(RoleAsked {
            role_arn,
            role_name,
            session,
            duration: Duration::from_secs(seconds),
        })
    }
}

/// The reply of both assume calls (§9).
fn assumed(request_id: &str, request: &RoleAsked, issued: &IssuedCredentials) -> Value {
    json!({
        "RequestId": request_id,
        "AssumedRoleUser": {
            "Arn": format!("{}/{}", request.role_arn, request.session),
            "AssumedRoleId": format!("300{}:{}", request.role_name.len(), request.session),
        },
        "Credentials": credentials_json(issued),
    })
}

/// `AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration`.
pub(crate) fn credentials_json(issued: &IssuedCredentials) -> Value {
    json!({
        "AccessKeyId": issued.access_key_id,
        "AccessKeySecret": issued.access_key_secret.expose(),
        "SecurityToken": issued.security_token.expose(),
        "Expiration": issued.expiration,
    })
}
