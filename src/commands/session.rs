//! Where `plan` and `apply` send their requests: the cloud, with
//! credentials found the way Alibaba Cloud's own tools find them, or the
//! emulator embedded in this process (`--local`).

use std::num::NonZeroU32;

use crate::api::{Client, ClientConfig, Credentials, Endpoint, StartRate, credentials};
use crate::emulator::{self, Emulator};
use crate::error::Error;
use crate::plan::model::Target;
use crate::plan::saved::account_fingerprint;
use crate::secret::mask_access_key_id;
use crate::settings::{Account, Connection};

/// How a plan names the embedded emulator as its endpoint: by its state
/// file, since its port changes on every run.
pub(crate) const LOCAL_PREFIX: &str = "local:";

/// An open connection to the API.
pub(crate) struct Session {
    /// The client every request goes through.
    pub client: Client,
    /// What plans made through this session are made against.
    pub target: Target,
    /// The embedded emulator, with `--local`.
    local: Option<Emulator>,
}

impl Session {
    /// Connects as `connection` says: starts the embedded emulator for
    /// `--local`, else resolves the credentials.
    pub async fn open(connection: &Connection) -> Result<Session, Error> {
        let (endpoint, credentials, local, shown_endpoint) = match &connection.account {
            Account::Local { state_file } => {
                if let Some(dir) = state_file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| Error::LocalState {
                        path: dir.to_path_buf(),
                        source,
                    })?;
                }
                let emulator = Emulator::start(emulator::Config {
                    state_file: Some(state_file.clone()),
                    ..emulator::Config::default()
                })
                .await?;
                let endpoint = Endpoint::parse(&emulator.endpoint())?;
                let credentials = Credentials::new(
                    emulator.access_key_id(),
                    emulator.access_key_secret().clone(),
                    format!(
                        "the embedded emulator (--local, state in {})",
                        state_file.display()
                    ),
                );
                // The embedded emulator's port changes on every run; its
                // identity is the state file, so a saved `--local` plan
                // stays valid across runs.
                let shown = format!("{LOCAL_PREFIX}{}", state_file.display());
                (endpoint, credentials, Some(emulator), shown)
            }
            Account::Remote { endpoint, profile } => {
                let credentials = credentials::load_credentials_from_system(profile.as_deref())?;
                (endpoint.clone(), credentials, None, endpoint.to_string())
            }
        };
        // From here on, nothing printed shows them (issue 7).
        super::scrub::register(&credentials);
        let target = Target {
            endpoint: shown_endpoint,
            access_key: mask_access_key_id(&credentials.access_key_id),
            account_fingerprint: account_fingerprint(&credentials.access_key_id),
        };
        let mut config = ClientConfig::new(endpoint, credentials);
        if let Some(ceiling) = connection.rate_limit.and_then(NonZeroU32::new) {
            // Given on purpose: the account allows that much, start there.
            config.rate_limit = Some(ceiling);
            config.start_rate = StartRate::Ceiling;
        }
        config.read_retry_budget = connection.read_retry_budget;
        config.timeout = Some(connection.timeout);
        let client = Client::new(config)?;
        Ok(Session {
            client,
            target,
            local,
        })
    }

    /// Closes the session; the embedded emulator flushes its state.
    pub async fn close(self) -> Result<(), Error> {
        if let Some(emulator) = self.local {
            emulator.shutdown().await?;
        }
        Ok(())
    }
}
