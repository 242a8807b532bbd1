//! How to run an emulator: where to listen, which key pair to accept,
//! where to keep state, which faults to inject, how it hands out
//! temporary credentials.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;

use super::clock::Clock;
use super::faults::Faults;
use super::quota::Quotas;
use super::request_log::RequestLog;
use super::{DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};

/// Settings of one emulator. `Default`: 127.0.0.1 on a free port, memory
/// only, the demo key pair, PageSize up to 100, no faults, no quotas.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free one ([`Emulator::addr`] tells).
    ///
    /// [`Emulator::addr`]: super::Emulator::addr
    pub listen: SocketAddr,
    /// The state file; `None` keeps the account in memory only.
    pub state_file: Option<PathBuf>,
    /// The one AccessKeyId accepted.
    pub access_key_id: String,
    /// Its secret.
    pub access_key_secret: Secret,
    /// When set, every request must carry exactly this STS token
    /// (`SecurityToken` in V1, `x-acs-security-token` in V3); when unset,
    /// any token is accepted as long as it is signed.
    pub security_token: Option<Secret>,
    /// The largest PageSize QueryAiCallTaskPage accepts; above it the
    /// request is refused with `InvalidParameter`, never clamped.
    pub max_page_size: u32,
    /// Faults to inject.
    pub faults: Faults,
    /// Requests per rolling second each operation allows (§8).
    pub quotas: Quotas,
    /// `x-acs-retry-after` sent with injected throttling (the official SDK
    /// uses it as its backoff). `None` sends no such header.
    pub throttle_retry_after: Option<Duration>,
    /// The clock; tests move it forward to reach a scheduled start.
    pub clock: Clock,
    /// Receives one record per request.
    pub request_log: Option<RequestLog>,
    /// STS, the metadata service and the credentials URI (§9).
    pub identity: IdentityConfig,
}

/// How the emulator hands out temporary credentials (`aiccs-api.md` §9):
/// STS `AssumeRole`, `AssumeRoleWithOIDC` and `GetCallerIdentity` on its
/// own port (told apart by `Version=2015-04-01`), the ECS metadata paths
/// (`/latest/...`), and a credentials URI (`GET /credentials`). Every key
/// issued is accepted by the aiccs operations until it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityConfig {
    /// The account every role belongs to: roles are
    /// `acs:ram::<account>:role/<name>`, any name; another account's role
    /// is `EntityNotExist.Role`.
    pub account_id: String,
    /// How long issued credentials live, whatever `DurationSeconds` asks
    /// (tests shorten it to seconds). `None`: as asked (900 to 43,200 s,
    /// default 3,600), 6 hours for the metadata service and the URI.
    pub lifetime: Option<Duration>,
    /// For tests: every key issued is accepted for this many signed
    /// requests, then refused with `InvalidSecurityToken.Expired`, as if it
    /// had expired — deterministic expiry in the middle of a run.
    pub requests_per_key: Option<u64>,
    /// The RAM role attached to the emulated ECS instance; `None`: no role
    /// (the credentials paths answer 404).
    pub instance_role: Option<String>,
    /// Which IMDS versions the metadata service answers.
    pub imds: Imds,
}

/// Which versions of the metadata service answer (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Imds {
    /// v2 (a token from `PUT /latest/api/token`) and v1 (no token).
    #[default]
    Both,
    /// v2 only: a request without a token is refused (401).
    V2Only,
    /// v1 only: no tokens are given (`PUT` answers 404), as on an older
    /// instance.
    V1Only,
}

impl IdentityConfig {
    /// The default account of the emulator's roles.
    pub const ACCOUNT_ID: &str = "1234567890123456";
    /// The default role of the emulated ECS instance.
    pub const INSTANCE_ROLE: &str = "aicall-instance";
}

impl Default for IdentityConfig {
    fn default() -> IdentityConfig {
        IdentityConfig {
            account_id: IdentityConfig::ACCOUNT_ID.to_owned(),
            lifetime: None,
            requests_per_key: None,
            instance_role: Some(IdentityConfig::INSTANCE_ROLE.to_owned()),
            imds: Imds::Both,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            access_key_id: DEMO_ACCESS_KEY_ID.to_owned(),
            access_key_secret: Secret::new(DEMO_ACCESS_KEY_SECRET),
            security_token: None,
            max_page_size: 100,
            faults: Faults::default(),
            quotas: Quotas::default(),
            throttle_retry_after: None,
            clock: Clock::system(),
            request_log: None,
            identity: IdentityConfig::default(),
        }
    }
}
