//! Where temporary credentials come from, emulated (`aiccs-api.md` §9): on
//! the emulator's own port, beside the aiccs operations, STS (told apart
//! by `Version=2015-04-01`, `sts.rs`), the ECS metadata paths
//! (`/latest/...`) and a credentials URI (`GET /credentials`,
//! `metadata.rs`). Every key they issue is accepted by the aiccs
//! operations until it expires (`issued.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::auth::Auth;
use super::clock::Clock;
use super::config::IdentityConfig;
use super::issued::{Issuance, IssuedCredentials, IssuedKeys};
use super::received::Received;
use super::reply::Reply;
use super::{metadata, sts};

/// The path of the emulated credentials URI.
pub const CREDENTIALS_URI_PATH: &str = "/credentials";

/// Which identity service a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Sts,
    Metadata,
    CredentialsUri,
}

impl Side {
    /// The identity service `received` is for; `None` for the aiccs API.
    pub(crate) fn of(received: &Received) -> Option<Side> {
        let path = received.parts.uri.path();
        if path.starts_with("/latest/") {
            Some(Side::Metadata)
        } else if path == CREDENTIALS_URI_PATH {
            Some(Side::CredentialsUri)
        } else if path == "/"
            && (received.params.get("Version") == Some(sts::VERSION)
                || received.header("x-acs-version") == Some(sts::VERSION))
        {
            Some(Side::Sts)
        } else {
            None
        }
    }
}

/// The identity services' settings and state.
#[derive(Debug)]
pub(crate) struct Identity {
    pub config: IdentityConfig,
    /// IMDSv2 tokens given, with when each expires (epoch ms).
    pub imds_tokens: Mutex<HashMap<String, i64>>,
}

impl Identity {
    pub(crate) fn new(config: IdentityConfig) -> Identity {
        Identity {
            config,
            imds_tokens: Mutex::new(HashMap::new()),
        }
    }

    /// Answers `received` for `side`; the name to log it under, and the
    /// reply.
    pub(crate) fn serve(
        &self,
        side: Side,
        received: &Received,
        auth: &Auth,
        clock: &Clock,
        request_id: &str,
    ) -> (Option<&'static str>, Reply) {
        match side {
            Side::Sts => sts::serve(self, received, auth, clock.now(), request_id),
            Side::Metadata => metadata::serve(self, received, auth, clock.now_ms()),
            Side::CredentialsUri => (
                Some("CredentialsUri"),
                metadata::credentials_uri(self, auth, clock.now_ms()),
            ),
        }
    }

    /// Issues a key for `issuance`, living as configured, else `asked`.
    pub(crate) fn issue(
        &self,
        issued: &Arc<IssuedKeys>,
        now_ms: i64,
        asked: Duration,
        issuance: Issuance,
    ) -> IssuedCredentials {
        let lifetime = self.config.lifetime.unwrap_or(asked);
        issued.issue(now_ms, lifetime, self.config.requests_per_key, issuance)
    }

    /// `acs:ram::<account>:role/<name>`.
    pub(crate) fn role_arn(&self, name: &str) -> String {
        format!("acs:ram::{}:role/{name}", self.config.account_id)
    }

    /// What follows `acs:ram::<account>:role/` in `arn`, when it is a role
    /// of the account: the inverse of [`Identity::role_arn`].
    pub(crate) fn role_name<'a>(&self, arn: &'a str) -> Option<&'a str> {
        arn.strip_prefix(&self.role_arn(""))
    }

    pub(crate) fn lock_tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.imds_tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
