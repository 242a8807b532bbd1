//! `aicall emulator`: run the local emulator until Ctrl-C or SIGTERM.
//!
//! Once it listens, the first three lines on stdout are exactly
//! `listening on http://ADDR:PORT`, `access key id: …` and
//! `access key secret: …`, flushed, so a script or test can start it and
//! read where it is and which pair it accepts, without sleeping. After that
//! stdout stays quiet; one line per request goes to stderr.
//!
//! Listening on anything but loopback is allowed (a container, a test
//! machine), but warned about on stderr before serving: the emulator's
//! pair protects nothing, and the demo pair is public.

use std::io::Write as _;
use std::net::SocketAddr;

use crate::cli::EmulatorArgs;
use crate::emulator::{self, Config, Emulator, Faults, IdentityConfig, Quotas, RequestLog};
use crate::env;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::secret::{MASK, Secret};

use crate::settings::Output;

/// Where the accepted secret came from: only the public demo secret is
/// ever printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretSource {
    Demo,
    Environment,
}

/// Runs `aicall emulator`.
pub fn run(args: &EmulatorArgs, _output: &Output) -> Result<ExitStatus, Error> {
    let secret = std::env::var_os(env::AICALL_EMULATOR_ACCESS_KEY_SECRET);
    let (config, source) = config(args, secret)?;
    super::runtime()?.block_on(serve(config, source))
}

fn config(
    args: &EmulatorArgs,
    secret: Option<std::ffi::OsString>,
) -> Result<(Config, SecretSource), Error> {
    let (access_key_secret, source) = match secret {
        None => (
            Secret::new(emulator::DEMO_ACCESS_KEY_SECRET),
            SecretSource::Demo,
        ),
        Some(raw) => match raw.into_string() {
            Ok(raw) if !raw.is_empty() => (Secret::new(raw), SecretSource::Environment),
            _ => {
                return Err(Error::EmulatorSecret {
                    variable: env::AICALL_EMULATOR_ACCESS_KEY_SECRET,
                });
            }
        },
    };
    let access_key_id = match &args.access_key_id {
        Some(id) if id.is_empty() => return Err(Error::EmptyAccessKeyId),
        Some(id) => id.clone(),
        None => emulator::DEMO_ACCESS_KEY_ID.to_owned(),
    };
    let config = Config {
        listen: args.listen,
        state_file: args.state.clone(),
        access_key_id,
        access_key_secret,
        max_page_size: args.max_page_size,
        faults: Faults {
            latency: std::time::Duration::from_millis(args.latency_ms),
            throttle_every: args.throttle_every,
            unavailable_every: args.unavailable_every,
            drop_create_reply: args.drop_create_reply,
            drop_create_reply_every: args.drop_create_reply_every,
            refuse_create: args.refuse_create,
            refuse_update: args.refuse_update,
            refuse_start: args.refuse_start,
            refuse_stop: args.refuse_stop,
            drop_update_reply: args.drop_update_reply,
            drop_start_reply: args.drop_start_reply,
            drop_stop_reply: args.drop_stop_reply,
        },
        quotas: Quotas {
            every: args.quota,
            per_operation: args.quota_for.iter().copied().collect(),
        },
        request_log: Some(RequestLog::new(|record| {
            // A closed stderr must not stop the server.
            let _ = writeln!(std::io::stderr().lock(), "{record}");
        })),
        identity: IdentityConfig {
            lifetime: args.sts_lifetime.map(std::time::Duration::from_secs),
            requests_per_key: args.sts_requests_per_key,
            ..IdentityConfig::default()
        },
        ..Config::default()
    };
    Ok((config, source))
}

/// The three lines a script reads to find the emulator.
fn banner(emulator: &Emulator, source: SecretSource) -> String {
    let secret = match source {
        SecretSource::Demo => emulator.access_key_secret().expose().to_owned(),
        SecretSource::Environment => {
            format!("{MASK} (from {})", env::AICALL_EMULATOR_ACCESS_KEY_SECRET)
        }
    };
    format!(
        "listening on {}\naccess key id: {}\naccess key secret: {secret}\n",
        emulator.endpoint(),
        emulator.access_key_id()
    )
}

/// What to say when `listen` is reachable from other machines; `None` on
/// loopback.
fn exposure_warning(listen: SocketAddr, source: SecretSource) -> Option<String> {
    if listen.ip().is_loopback() {
        return None;
    }
    let exposed = match source {
        SecretSource::Demo => {
            "anyone who can reach it can use the emulator with the demo key pair, which is public"
                .to_owned()
        }
        SecretSource::Environment => format!(
            "anyone who can reach it can reach the emulator, guarded only by the secret from `{}`",
            env::AICALL_EMULATOR_ACCESS_KEY_SECRET
        ),
    };
    Some(format!(
        "warning: `--listen {listen}` is not a loopback address: {exposed}; listen on \
         `127.0.0.1` unless other machines need the emulator"
    ))
}

async fn serve(config: Config, source: SecretSource) -> Result<ExitStatus, Error> {
    if let Some(warning) = exposure_warning(config.listen, source) {
        // Before the socket opens: the warning is on screen before anyone
        // else can send a request.
        let _ = writeln!(std::io::stderr().lock(), "{warning}");
    }
    let emulator = Emulator::start(config).await?;
    {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(banner(&emulator, source).as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(Error::Output)?;
    }
    wait_for_stop_signal().await?;
    let _ = writeln!(std::io::stderr().lock(), "shutting down");
    emulator.shutdown().await?;
    Ok(ExitStatus::Success)
}

/// Ctrl-C, or SIGTERM where there is such a thing.
async fn wait_for_stop_signal() -> Result<(), Error> {
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(Error::Runtime)?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(Error::Runtime),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(Error::Runtime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn args(extra: &[&str]) -> EmulatorArgs {
        let cli = crate::cli::Cli::parse_from(["aicall", "emulator"].iter().chain(extra));
        match cli.command {
            crate::cli::Command::Emulator(args) => args,
            _ => unreachable!("parsed `emulator`"),
        }
    }

    #[test]
    fn the_demo_pair_by_default_and_the_environment_secret_otherwise() {
        let (demo, source) = config(&args(&[]), None).unwrap();
        assert_eq!(source, SecretSource::Demo);
        assert_eq!(demo.access_key_id, emulator::DEMO_ACCESS_KEY_ID);
        assert_eq!(
            demo.access_key_secret.expose(),
            emulator::DEMO_ACCESS_KEY_SECRET
        );

        let (mine, source) =
            config(&args(&["--access-key-id", "mine"]), Some("s3cret".into())).unwrap();
        assert_eq!(source, SecretSource::Environment);
        assert_eq!(mine.access_key_id, "mine");
        assert_eq!(mine.access_key_secret.expose(), "s3cret");
        assert!(!format!("{mine:?}").contains("s3cret"));

        assert!(matches!(
            config(&args(&[]), Some("".into())),
            Err(Error::EmulatorSecret { .. })
        ));
    }

    #[test]
    fn only_a_non_loopback_address_is_warned_about() {
        let addr = |text: &str| text.parse::<SocketAddr>().unwrap();
        for quiet in ["127.0.0.1:0", "127.0.0.2:8765", "[::1]:0"] {
            assert_eq!(exposure_warning(addr(quiet), SecretSource::Demo), None);
        }
        let demo = exposure_warning(addr("0.0.0.0:8765"), SecretSource::Demo).unwrap();
        assert!(
            demo.starts_with("warning: `--listen 0.0.0.0:8765` is not a loopback address: "),
            "{demo}"
        );
        assert!(
            demo.contains("the demo key pair, which is public"),
            "{demo}"
        );
        let own = exposure_warning(addr("[::]:0"), SecretSource::Environment).unwrap();
        assert!(own.contains("can reach the emulator"), "{own}");
        assert!(!own.contains("demo"), "{own}");
    }

    #[test]
    fn fault_periods_start_at_one() {
        let parsed =
            crate::cli::Cli::try_parse_from(["aicall", "emulator", "--throttle-every", "0"]);
        assert!(parsed.is_err());
    }

    #[test]
    fn quota_flags_reach_the_config() {
        let (quoted, _) = config(
            &args(&[
                "--quota",
                "100",
                "--quota-for",
                "CreateAiCallTask=20",
                "--quota-for",
                "QueryAiCallTaskDetail = 50",
                "--drop-create-reply-every",
                "5",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(quoted.quotas.every, Some(100));
        assert_eq!(quoted.quotas.of(emulator::Operation::Create), Some(20));
        assert_eq!(quoted.quotas.of(emulator::Operation::Detail), Some(50));
        assert_eq!(quoted.quotas.of(emulator::Operation::Page), Some(100));
        assert_eq!(quoted.faults.drop_create_reply_every, Some(5));
        for bad in [
            "CreateAiCallTask",
            "Nope=3",
            "CreateAiCallTask=0",
            "CreateAiCallTask=x",
        ] {
            let parsed =
                crate::cli::Cli::try_parse_from(["aicall", "emulator", "--quota-for", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
        let err = crate::cli::Cli::try_parse_from(["aicall", "emulator", "--quota-for", "Nope=3"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`CreateAiCallTask`"), "{err}");
    }

    #[test]
    fn fault_flags_reach_the_config() {
        let (faulty, _) = config(
            &args(&[
                "--latency-ms",
                "5",
                "--throttle-every",
                "3",
                "--unavailable-every",
                "4",
                "--drop-create-reply",
                "2",
                "--refuse-create",
                "5",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            faulty.faults,
            Faults {
                latency: std::time::Duration::from_millis(5),
                throttle_every: Some(3),
                unavailable_every: Some(4),
                drop_create_reply: Some(2),
                drop_create_reply_every: None,
                refuse_create: Some(5),
                ..Faults::default()
            }
        );
    }
}
