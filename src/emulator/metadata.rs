//! The ECS metadata service and a credentials URI, emulated
//! (`aiccs-api.md` §9).
//!
//! - `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds`
//!   (1 to 21,600) gives an IMDSv2 token (404 when the instance is set to
//!   v1 only);
//! - `GET /latest/meta-data/ram/security-credentials/` names the
//!   instance's role, `GET …/<role>` gives its credentials, with
//!   `X-aliyun-ecs-metadata-token` (v2) or without (v1, refused with 401
//!   when the instance is set to v2 only);
//! - `GET /credentials` is a credentials URI: the same JSON, for the role
//!   `aicall-credentials-uri`.

use std::borrow::Cow;
use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api::request::format_timestamp;

use super::auth::Auth;
use super::config::Imds;
use super::identity::Identity;
use super::issued::{Issuance, random_text};
use super::received::Received;
use super::reply::Reply;
use super::sts::credentials_json;

/// Credentials of the metadata service and the URI live this long unless
/// configured otherwise (the real service rotates them hourly, each valid
/// for six).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(6 * 3600);
/// The role the credentials URI hands out credentials of.
pub const CREDENTIALS_URI_ROLE: &str = "aicall-credentials-uri";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";

/// Answers a request to `/latest/...`.
pub(crate) fn serve(
    identity: &Identity,
    received: &Received,
    auth: &Auth,
    now_ms: i64,
) -> (Option<&'static str>, Reply) {
    let path = received.parts.uri.path();
    let method = &received.parts.method;
    if path == "/latest/api/token" && method == Method::PUT {
        return (Some("MetadataToken"), token(identity, received, now_ms));
    }
    let Some(role) = path.strip_prefix(CREDENTIALS_PATH) else {
        return (None, text(StatusCode::NOT_FOUND, "not found"));
    };
    let label = if role.is_empty() {
        "MetadataRoleName"
    } else {
        "MetadataCredentials"
    };
    if method != Method::GET {
        return (Some(label), text(StatusCode::METHOD_NOT_ALLOWED, "use GET"));
    }
    if let Err(refused) = check_token(identity, received, now_ms) {
        return (Some(label), refused);
    }
    let reply = match (&identity.config.instance_role, role) {
        (None, _) => text(
            StatusCode::NOT_FOUND,
            "no RAM role is attached to this instance",
        ),
        (Some(attached), "") => Reply::text(StatusCode::OK, "OK", attached.clone()),
        (Some(attached), asked) if asked == attached => {
            credentials(identity, auth, now_ms, "EcsRamRole", attached)
        }
        (Some(_), _) => text(StatusCode::NOT_FOUND, "no such role on this instance"),
    };
    (Some(label), reply)
}

/// `GET /credentials`.
pub(crate) fn credentials_uri(identity: &Identity, auth: &Auth, now_ms: i64) -> Reply {
    credentials(
        identity,
        auth,
        now_ms,
        "CredentialsUri",
        CREDENTIALS_URI_ROLE,
    )
}

fn token(identity: &Identity, received: &Received, now_ms: i64) -> Reply {
    if identity.config.imds == Imds::V1Only {
        return text(StatusCode::NOT_FOUND, "not found");
    }
    let ttl = received
        .header("x-aliyun-ecs-metadata-token-ttl-seconds")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|ttl| (1..=21_600).contains(ttl));
    let Some(ttl) = ttl else {
        return text(
            StatusCode::BAD_REQUEST,
            "X-aliyun-ecs-metadata-token-ttl-seconds must be from 1 to 21600",
        );
    };
    let token = random_text(48);
    identity
        .lock_tokens()
        .insert(token.clone(), now_ms.saturating_add(ttl * 1000));
    Reply::text(StatusCode::OK, "OK", token)
}

/// A token, when sent, must be one given and unexpired; none is refused
/// only when the instance answers v2 only.
fn check_token(identity: &Identity, received: &Received, now_ms: i64) -> Result<(), Reply> {
    match received.header("x-aliyun-ecs-metadata-token") {
        Some(token) => {
            let valid = identity
                .lock_tokens()
                .get(token)
                .is_some_and(|expires| now_ms < *expires);
            if valid {
                Ok(())
            } else {
                Err(text(
                    StatusCode::UNAUTHORIZED,
                    "the metadata token is invalid or expired",
                ))
            }
        }
        None if identity.config.imds == Imds::V2Only => Err(text(
            StatusCode::UNAUTHORIZED,
            "a metadata token is required (IMDSv2 only)",
        )),
        None => Ok(()),
    }
}

fn credentials(
    identity: &Identity,
    auth: &Auth,
    now_ms: i64,
    how: &'static str,
    role: &str,
) -> Reply {
    let issued = identity.issue(
        auth.issued(),
        now_ms,
        DEFAULT_LIFETIME,
        Issuance::new(how, identity.role_arn(role), format!("{how}-session")),
    );
    let mut body: Value = credentials_json(&issued);
    body["Code"] = json!("Success");
    body["LastUpdated"] = json!(
        jiff::Timestamp::from_millisecond(now_ms)
            .map(format_timestamp)
            .unwrap_or_default()
    );
    Reply::json(StatusCode::OK, Cow::Borrowed("Success"), &body)
}

fn text(status: StatusCode, message: &'static str) -> Reply {
    Reply {
        code: Cow::Owned(format!("HTTP {}", status.as_u16())),
        ..Reply::text(status, "", message.to_owned())
    }
}
