//! How to run an emulator: where to listen, which key pair to accept,
//! where to keep state, which faults to inject.

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
        }
    }
}
