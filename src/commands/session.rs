//! Where `plan` and `apply` send their requests: the cloud, with
//! credentials found the way Alibaba Cloud's own tools find them, or the
//! emulator embedded in this process (`--local`).

use std::num::NonZeroU32;

use crate::api::{Client, ClientConfig, Credentials, Endpoint, credentials};
use crate::cli::ConnectionArgs;
use crate::emulator::{self, Emulator};
use crate::error::Error;
use crate::plan::model::Target;
use crate::plan::saved::{account_fingerprint, mask_access_key_id};

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
    /// Connects as `args` say: starts the embedded emulator for `--local`,
    /// else resolves the endpoint and the credentials.
    pub async fn open(args: &ConnectionArgs) -> Result<Session, Error> {
        let (endpoint, credentials, local) = if args.local {
            if let Some(dir) = args
                .local_state
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| Error::LocalState {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
            let emulator = Emulator::start(emulator::Config {
                state_file: Some(args.local_state.clone()),
                ..emulator::Config::default()
            })
            .await?;
            let endpoint = Endpoint::parse(&emulator.endpoint())?;
            let credentials = Credentials::new(
                emulator.access_key_id(),
                emulator.access_key_secret().clone(),
                format!(
                    "the embedded emulator (--local, state in {})",
                    args.local_state.display()
                ),
            );
            (endpoint, credentials, Some(emulator))
        } else {
            let endpoint = Endpoint::from_override(args.endpoint.as_deref())?;
            let credentials = credentials::load_credentials_from_system(args.profile.as_deref())?;
            (endpoint, credentials, None)
        };

        // The embedded emulator's port changes on every run; its identity is
        // the state file, so a saved `--local` plan stays valid across runs.
        let shown_endpoint = match &local {
            Some(_) => format!("local:{}", args.local_state.display()),
            None => endpoint.to_string(),
        };
        let target = Target {
            endpoint: shown_endpoint,
            access_key: mask_access_key_id(&credentials.access_key_id),
            account_fingerprint: account_fingerprint(&credentials.access_key_id),
        };
        let mut config = ClientConfig::new(endpoint, credentials);
        config.rate_limit = NonZeroU32::new(args.rate_limit);
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
