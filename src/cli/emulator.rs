//! The arguments of `aicall emulator`: where it listens, whose key pair it
//! accepts, and the faults and quotas it injects.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::emulator::Operation;
use crate::env;

/// Arguments of `aicall emulator`.
///
/// The access key secret is never a flag (it would show in `ps` and in shell
/// history): it comes from the environment, or the documented demo pair is
/// used.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// File holding the emulator's tasks across restarts (written atomically).
    /// Without it, state lives in memory only.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The AccessKeyId the emulator accepts (its secret comes from
    /// AICALL_EMULATOR_ACCESS_KEY_SECRET). Default: the demo pair.
    #[arg(long, value_name = "ID", env = env::AICALL_EMULATOR_ACCESS_KEY_ID)]
    pub access_key_id: Option<String>,

    /// Largest PageSize accepted by QueryAiCallTaskPage; larger is refused.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_page_size: u32,

    /// Fault injection: added latency per request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Fault injection: answer every Nth request with `Throttling.User` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub throttle_every: Option<u64>,

    /// Fault injection: answer every Nth request with 503 `ServiceUnavailable` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub unavailable_every: Option<u64>,

    /// Fault injection: on the Nth CreateAiCallTask, commit, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_create_reply: Option<u64>,

    /// Fault injection: on every Nth CreateAiCallTask, commit, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_create_reply_every: Option<u64>,

    /// Fault injection: refuse the Nth CreateAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_create: Option<u64>,

    /// Fault injection: refuse the Nth UpdateAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_update: Option<u64>,

    /// Fault injection: refuse the Nth StartAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_start: Option<u64>,

    /// Fault injection: refuse the Nth StopAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_stop: Option<u64>,

    /// Fault injection: on the Nth UpdateAiCallTask, update, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_update_reply: Option<u64>,

    /// Fault injection: on the Nth StartAiCallTask, start, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_start_reply: Option<u64>,

    /// Fault injection: on the Nth StopAiCallTask, stop, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_stop_reply: Option<u64>,

    /// Quota of every operation: at most N requests per operation in any
    /// rolling second; over it, `400 Throttling.User` with the gateway's
    /// `x-ratelimit-user-api` header, before any side effect.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub quota: Option<u32>,

    /// Quota of one operation, e.g. `CreateAiCallTask=20` (repeatable);
    /// overrides `--quota` for that operation.
    #[arg(long, value_name = "ACTION=N", value_parser = parse_quota_for)]
    pub quota_for: Vec<(Operation, u32)>,

    /// Temporary credentials (STS, metadata service, credentials URI) live
    /// this many seconds, whatever was asked: expiry within a test's reach.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub sts_lifetime: Option<u64>,

    /// Temporary credentials are accepted for this many signed requests,
    /// then refused with `InvalidSecurityToken.Expired`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sts_requests_per_key: Option<u64>,
}

/// `ACTION=N`: one of the six actions, and a quota of at least 1.
fn parse_quota_for(text: &str) -> Result<(Operation, u32), String> {
    let names = || {
        Operation::ALL
            .map(|op| format!("`{}`", op.action()))
            .join(", ")
    };
    let (action, limit) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not ACTION=N, e.g. `CreateAiCallTask=20`"))?;
    let op = Operation::from_action(action.trim())
        .ok_or_else(|| format!("`{action}` is not an action; one of {}", names()))?;
    let limit = limit
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("`{limit}` is not a quota: a whole number of at least 1"))?;
    Ok((op, limit))
}
