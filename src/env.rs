//! Every environment variable aicall reads, in one table.
//!
//! `AICALL_*` names are ours; `ALIBABA_CLOUD_*` and the legacy aliases are the
//! conventions of Alibaba Cloud's own tools (`aiccs-api.md` §5), read in the
//! same order they use.

/// `auto`, `always` or `never`: the `--color` flag's default.
pub const AICALL_COLOR: &str = "AICALL_COLOR";
/// API endpoint URL override (`--endpoint`).
pub const AICALL_ENDPOINT: &str = "AICALL_ENDPOINT";
/// State file of the embedded emulator used by `--local`.
pub const AICALL_LOCAL_STATE: &str = "AICALL_LOCAL_STATE";
/// Rows per QueryAiCallTaskPage request.
pub const AICALL_PAGE_SIZE: &str = "AICALL_PAGE_SIZE";
/// The most requests per second of any one API operation (`--rate-limit`).
pub const AICALL_RATE_LIMIT: &str = "AICALL_RATE_LIMIT";
/// How long a read is retried (`--read-retry-budget`).
pub const AICALL_READ_RETRY_BUDGET: &str = "AICALL_READ_RETRY_BUDGET";
/// The whole run's deadline (`--timeout`).
pub const AICALL_TIMEOUT: &str = "AICALL_TIMEOUT";
/// Requests in flight at once while reading the account.
pub const AICALL_READ_PARALLELISM: &str = "AICALL_READ_PARALLELISM";
/// The AccessKeyId the emulator accepts.
pub const AICALL_EMULATOR_ACCESS_KEY_ID: &str = "AICALL_EMULATOR_ACCESS_KEY_ID";
/// The AccessKey secret the emulator accepts (never a flag).
pub const AICALL_EMULATOR_ACCESS_KEY_SECRET: &str = "AICALL_EMULATOR_ACCESS_KEY_SECRET";
/// `1` skips the official-SDK compatibility tests (`tests/it/sdk.rs`) on a
/// machine without Python; without it they fail rather than pass silently.
pub const AICALL_SKIP_SDK_TESTS: &str = "AICALL_SKIP_SDK_TESTS";
/// Disables colour whatever the terminal (<https://no-color.org>).
pub const NO_COLOR: &str = "NO_COLOR";

/// Static AccessKey ID (Alibaba Cloud credentials libraries, aliyun CLI).
pub const ALIBABA_CLOUD_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Static AccessKey secret.
pub const ALIBABA_CLOUD_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// STS security token, with the two above.
pub const ALIBABA_CLOUD_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Profile name for `~/.aliyun/config.json` and the INI credentials file.
pub const ALIBABA_CLOUD_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Path of the INI credentials file.
pub const ALIBABA_CLOUD_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// `true` skips `~/.aliyun/config.json`.
pub const ALIBABA_CLOUD_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Appended to the User-Agent, as tea-openapi does.
pub const ALIBABA_CLOUD_USER_AGENT: &str = "ALIBABA_CLOUD_USER_AGENT";
/// Legacy alias of `ALIBABA_CLOUD_ACCESS_KEY_ID` (old Go core SDK, aliyun CLI).
pub const ALIBABACLOUD_ACCESS_KEY_ID: &str = "ALIBABACLOUD_ACCESS_KEY_ID";
/// Legacy alias of `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
pub const ALIBABACLOUD_ACCESS_KEY_SECRET: &str = "ALIBABACLOUD_ACCESS_KEY_SECRET";
/// Legacy alias of `ALIBABA_CLOUD_SECURITY_TOKEN`.
pub const ALIBABACLOUD_SECURITY_TOKEN: &str = "ALIBABACLOUD_SECURITY_TOKEN";
/// Older legacy alias of `ALIBABA_CLOUD_ACCESS_KEY_ID` (aliyun CLI).
pub const ALICLOUD_ACCESS_KEY_ID: &str = "ALICLOUD_ACCESS_KEY_ID";
/// Older legacy alias of `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
pub const ALICLOUD_ACCESS_KEY_SECRET: &str = "ALICLOUD_ACCESS_KEY_SECRET";
/// Older legacy alias of `ALIBABA_CLOUD_SECURITY_TOKEN`.
pub const ALICLOUD_SECURITY_TOKEN: &str = "ALICLOUD_SECURITY_TOKEN";
/// Terraform's AccessKey ID variable: never read, only mentioned when no
/// credentials are found, so the user learns why it was ignored.
pub const ALICLOUD_ACCESS_KEY: &str = "ALICLOUD_ACCESS_KEY";
/// The aliyun CLI's last-resort bare name: too generic to read (any tool
/// may set it), only mentioned when no credentials are found.
pub const ACCESS_KEY_ID: &str = "ACCESS_KEY_ID";
