//! Where `plan` and `apply` send their requests: the cloud, with
//! credentials found the way Alibaba Cloud's own tools find them, or the
//! emulator embedded in this process (`--local`).

use std::num::NonZeroU32;
use std::sync::Arc;

use crate::api::{
    Client, ClientConfig, CredentialProvider, Credentials, Endpoint, StartRate, credentials,
};
use crate::emulator::{self, Emulator};
use crate::error::Error;
use crate::plan::model::Target;
use crate::plan::saved::account_fingerprint;
use crate::secret::{Secret, mask_access_key_id};
use crate::settings::{Account, Connection};

/// How a plan names the embedded emulator as its endpoint: by its state
/// file, since its port changes on every run.
pub(crate) const LOCAL_PREFIX: &str = "local:";

/// The endpoint a plan made against `account` records: the embedded
/// emulator by its state file (its port changes on every run, so a saved
/// `--local` plan stays valid across runs), the cloud by its address.
pub(crate) fn shown_endpoint(account: &Account) -> String {
    match account {
        Account::Local { state_file } => format!("{LOCAL_PREFIX}{}", state_file.display()),
        Account::Remote { endpoint, .. } => endpoint.to_string(),
    }
}

/// An open connection to the API.
pub(crate) struct Session {
    /// The client every request goes through.
    pub client: Client,
    /// What plans made through this session are made against.
    pub target: Target,
    /// What seals a plan saved or applied through this session: the
    /// credentials' stable identity's key (issue 12, `api::Identity`).
    pub seal_key: Secret,
    /// The embedded emulator, with `--local`.
    local: Option<Emulator>,
}

impl Session {
    /// Connects as `connection` says: starts the embedded emulator for
    /// `--local`, else resolves the credentials, and obtains the first
    /// ones: a role that cannot be assumed fails here, before anything is
    /// read.
    pub async fn open(connection: &Connection) -> Result<Session, Error> {
        let (endpoint, provider, local) = match &connection.account {
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
                super::scrub::register(&credentials);
                let provider = CredentialProvider::fixed(credentials);
                (endpoint, provider, Some(emulator))
            }
            Account::Remote { endpoint, profile } => {
                // Every credential, refreshed ones included, is masked in
                // everything printed from before it is first used (issue 7).
                let provider = credentials::load_from_system(
                    profile.as_deref(),
                    Arc::new(super::scrub::register_scrubber),
                )?;
                (endpoint.clone(), provider, None)
            }
        };
        let credentials = provider.current().await?;
        let identity = provider.identity().await?;
        let target = Target {
            endpoint: shown_endpoint(&connection.account),
            access_key: mask_access_key_id(&credentials.access_key_id),
            account_fingerprint: account_fingerprint(&identity.principal),
        };
        let mut config = ClientConfig::new(endpoint, provider);
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
            seal_key: identity.seal_key,
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
