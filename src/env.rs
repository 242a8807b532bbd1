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
/// The file GitHub Actions shows as the job summary: `validate`, `plan` and
/// `apply` append Markdown to it (`--no-step-summary` turns that off).
pub const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";
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
/// Path of the aliyun CLI's `config.json` (default `~/.aliyun/config.json`;
/// Alibaba Cloud's Go credentials library reads it).
pub const ALIBABA_CLOUD_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// The RAM role an OIDC token is exchanged for (ACK RRSA injects it).
pub const ALIBABA_CLOUD_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// The OIDC identity provider of that exchange.
pub const ALIBABA_CLOUD_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// The file holding the OIDC token: a path, not a secret itself (the
/// file's content is one, and is masked once read).
pub const ALIBABA_CLOUD_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// `RoleSessionName` of the roles aicall assumes (default `aicall-<time>`).
pub const ALIBABA_CLOUD_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// The STS endpoint: a host (`sts.cn-hangzhou.aliyuncs.com`) or a URL;
/// plain `http://` only for loopback.
pub const ALIBABA_CLOUD_STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// The STS region: `sts.<region>.aliyuncs.com`.
pub const ALIBABA_CLOUD_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// `true`: the STS VPC endpoint, `sts-vpc.<region>.aliyuncs.com`.
pub const ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// The ECS instance's RAM role: asks for the instance role from the
/// metadata service (never contacted otherwise).
pub const ALIBABA_CLOUD_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// `true`: never use the ECS metadata service.
pub const ALIBABA_CLOUD_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// `true`: the metadata service only with an IMDSv2 token, no v1 fallback.
pub const ALIBABA_CLOUD_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// A URL that answers a GET with temporary credentials. A secret: whoever
/// can read it can get the credentials.
pub const ALIBABA_CLOUD_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// **For tests only**: the ECS metadata service's address, instead of
/// `http://100.100.100.200`. Loopback `http://` addresses only, so that it
/// can point at an emulator and nowhere else.
pub const AICALL_TEST_ECS_METADATA_ENDPOINT: &str = "AICALL_TEST_ECS_METADATA_ENDPOINT";
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
/// Terraform's AccessKey secret variable: never read, but a credential.
pub const ALICLOUD_SECRET_KEY: &str = "ALICLOUD_SECRET_KEY";
/// The aliyun CLI's bare secret name: never read, but a credential.
pub const ACCESS_KEY_SECRET: &str = "ACCESS_KEY_SECRET";
/// The aliyun CLI's bare token name: never read, but a credential.
pub const SECURITY_TOKEN: &str = "SECURITY_TOKEN";

/// Every variable that holds a credential: the secrets and tokens the
/// credential chain reads (`api::credentials`), the names other Alibaba
/// Cloud tools use for them, the emulator's secret, and the AccessKey IDs
/// the chain reads (an ID is never shown whole either).
///
/// A manifest may not interpolate any of them (issue 7): `${NAME}` of one
/// is the `secret-variable` diagnostic, even with a default and even when
/// unset, and its value is never read. **Every source of secrets must add
/// its variables here**. The role sources of issue 12 add the credentials
/// URI (it hands out credentials to whoever reads it); their other
/// variables name roles, files and endpoints, not secrets (an OIDC token
/// file's content is masked once read).
pub const SECRET_VARIABLES: &[&str] = &[
    ALIBABA_CLOUD_ACCESS_KEY_ID,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    ALIBABA_CLOUD_SECURITY_TOKEN,
    ALIBABACLOUD_ACCESS_KEY_ID,
    ALIBABACLOUD_ACCESS_KEY_SECRET,
    ALIBABACLOUD_SECURITY_TOKEN,
    ALICLOUD_ACCESS_KEY_ID,
    ALICLOUD_ACCESS_KEY_SECRET,
    ALICLOUD_SECURITY_TOKEN,
    ALICLOUD_SECRET_KEY,
    ACCESS_KEY_SECRET,
    SECURITY_TOKEN,
    AICALL_EMULATOR_ACCESS_KEY_SECRET,
    ALIBABA_CLOUD_CREDENTIALS_URI,
];

/// Whether `name` is one of [`SECRET_VARIABLES`], in any letter case
/// (Windows does not tell `Access_Key_Secret` from `ACCESS_KEY_SECRET`).
pub fn is_secret_variable(name: &str) -> bool {
    SECRET_VARIABLES
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_variables_are_listed_once_and_matched_in_any_case() {
        let mut names = SECRET_VARIABLES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SECRET_VARIABLES.len());
        assert!(is_secret_variable("alibaba_cloud_access_key_secret"));
        assert!(is_secret_variable(AICALL_EMULATOR_ACCESS_KEY_SECRET));
        assert!(!is_secret_variable(ALIBABA_CLOUD_PROFILE));
        assert!(!is_secret_variable("ALIBABA_CLOUD_ACCESS_KEY_SECRET_FILE"));
    }
}
