//! The aliyun CLI's `config.json` (`aiccs-api.md` §5.2): the profile asked
//! for, in the modes aicall can use.
//!
//! | mode | keys | credentials |
//! |---|---|---|
//! | `AK` | `access_key_id`, `access_key_secret` | as they are |
//! | `StsToken` | the same, `sts_token` | as they are (not refreshable) |
//! | `RamRoleArn` | the same as `AK`, `ram_role_arn` | AssumeRole signed by the key |
//! | `ChainableRamRoleArn` | `source_profile`, `ram_role_arn` | AssumeRole signed by the source profile's credentials |
//! | `OIDC` | `ram_role_arn`, `oidc_provider_arn`, `oidc_token_file` | AssumeRoleWithOIDC |
//! | `EcsRamRole` | `ram_role_name` (optional) | the metadata service |
//! | `CredentialsURI` | `credentials_uri` | a GET of the URI |
//!
//! Role modes also read `ram_session_name`, `expired_seconds`, `policy`,
//! `external_id`, `sts_endpoint`, `sts_region` and `enable_vpc`. Mode names
//! match in any case, as in the aliyun CLI. A chain of
//! `ChainableRamRoleArn` profiles may be of any length; one that leads
//! back to itself is an error naming the cycle.

use std::path::Path;

use serde_json::Value;

use crate::secret::Secret;

use super::super::file_value::{self, FileValue};
use super::environment::{self, ProfileSts, Vars};
use super::error::{CredentialsError, Lookup};
use super::source::{RoleRequest, Source};
use super::{CredentialSource, Credentials};

/// The modes aicall reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ak,
    StsToken,
    RamRoleArn,
    ChainableRamRoleArn,
    Oidc,
    EcsRamRole,
    CredentialsUri,
}

impl Mode {
    const ALL: [(&'static str, Mode); 7] = [
        ("AK", Mode::Ak),
        ("StsToken", Mode::StsToken),
        ("RamRoleArn", Mode::RamRoleArn),
        ("ChainableRamRoleArn", Mode::ChainableRamRoleArn),
        ("OIDC", Mode::Oidc),
        ("EcsRamRole", Mode::EcsRamRole),
        ("CredentialsURI", Mode::CredentialsUri),
    ];

    /// The aliyun CLI matches mode names case-insensitively (§5.2).
    fn parse(text: &str) -> Option<Mode> {
        Mode::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, mode)| *mode)
    }
}

/// The source of the profile asked for in the file at `path`; `None`,
/// noted in `looked`, when the file or the profile does not exist (the INI
/// file may have it).
pub(crate) fn from_cli_config(
    path: &Path,
    named: Option<&str>,
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    let Some(text) = super::chain::read_or_note(path, looked)? else {
        return Ok(None);
    };
    // Parsed as a generic value first: serde's typed errors quote the value
    // they choked on, and a value here may be a secret.
    let config: Value =
        serde_json::from_str(&text).map_err(|err| CredentialsError::ConfigSyntax {
            path: path.to_owned(),
            line: err.line(),
            column: err.column(),
        })?;
    // A profile named on the command line or in the environment is shown
    // as given; one from the file's `current` only if it looks like a name.
    let (profile, shown) = match named {
        Some(name) => (name.to_owned(), FileValue::Word(name.to_owned())),
        None => {
            let current = config
                .get("current")
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .unwrap_or("default");
            (current.to_owned(), FileValue::name(current))
        }
    };
    let file = ConfigFile {
        path,
        profiles: config
            .get("profiles")
            .and_then(|v| v.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default(),
        vars,
    };
    if file.find(&profile).is_none() {
        let names = file
            .profiles
            .iter()
            .filter_map(|p| p.get("name").and_then(|n| n.as_str()));
        let has = file_value::profile_list(names);
        let outcome = match shown {
            FileValue::Word(_) => format!("no profile {shown} ({has})"),
            FileValue::Unrecognised { .. } => {
                format!("no profile named by `current` ({shown}; {has})")
            }
        };
        looked.push(Lookup::file(path, outcome));
        return Ok(None);
    }
    file.source(&profile, &mut Vec::new()).map(Some)
}

struct ConfigFile<'a> {
    path: &'a Path,
    profiles: &'a [Value],
    vars: Vars<'a>,
}

/// One profile's keys.
struct Profile<'a> {
    entry: &'a Value,
    name: &'a str,
    path: &'a Path,
}

impl Profile<'_> {
    /// A key's text, trimmed; `None` when absent or blank.
    fn text(&self, key: &str) -> Option<String> {
        self.entry
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    fn required(&self, key: &'static str) -> Result<String, CredentialsError> {
        self.text(key).ok_or_else(|| CredentialsError::MissingKey {
            path: self.path.to_owned(),
            profile: self.name.to_owned(),
            key,
        })
    }

    /// A whole number of seconds, as a JSON number or text; 0 or absent is
    /// unset (the aliyun CLI writes 0 for "the default").
    fn seconds(&self, key: &'static str) -> Result<Option<u32>, CredentialsError> {
        let invalid = || CredentialsError::InvalidKey {
            path: self.path.to_owned(),
            profile: self.name.to_owned(),
            key,
            expected: "a whole number of seconds",
        };
        let value = match self.entry.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.as_u64().ok_or_else(invalid)?,
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid())?,
            Some(_) => return Err(invalid()),
        };
        match value {
            0 => Ok(None),
            n => u32::try_from(n).map(Some).map_err(|_| invalid()),
        }
    }

    fn origin(&self) -> CredentialSource {
        CredentialSource::CliProfile {
            profile: self.name.to_owned(),
            path: self.path.to_owned(),
        }
    }

    fn sts(&self) -> ProfileSts {
        ProfileSts {
            endpoint: self.text("sts_endpoint"),
            region: self.text("sts_region"),
            vpc: self.entry.get("enable_vpc").and_then(Value::as_bool) == Some(true),
            setting: self.origin().to_string(),
        }
    }

    /// The profile's own key: `access_key_id`, `access_key_secret`, and
    /// `sts_token` when `with_token`.
    fn key(&self, with_token: bool) -> Result<Credentials, CredentialsError> {
        Ok(Credentials {
            access_key_id: self.required("access_key_id")?,
            access_key_secret: Secret::new(self.required("access_key_secret")?),
            security_token: if with_token {
                Some(Secret::new(self.required("sts_token")?))
            } else {
                None
            },
            source: self.origin(),
        })
    }

    fn role(&self, vars: Vars<'_>) -> Result<RoleRequest, CredentialsError> {
        Ok(RoleRequest {
            role_arn: self.required("ram_role_arn")?,
            session_name: environment::session_name(vars, self.text("ram_session_name")),
            duration_seconds: self
                .seconds("expired_seconds")?
                .unwrap_or(RoleRequest::DEFAULT_DURATION_SECONDS),
            policy: self.text("policy"),
            external_id: self.text("external_id"),
        })
    }
}

impl<'a> ConfigFile<'a> {
    fn find(&self, name: &str) -> Option<&'a Value> {
        self.profiles
            .iter()
            .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
    }

    /// The source of profile `name`; `visiting` holds the profiles whose
    /// source it is, outermost first, to find cycles.
    fn source(&self, name: &str, visiting: &mut Vec<String>) -> Result<Source, CredentialsError> {
        if visiting.iter().any(|v| v == name) {
            let chain = visiting
                .iter()
                .map(String::as_str)
                .chain([name])
                .map(|n| FileValue::name(n).to_string())
                .collect();
            return Err(CredentialsError::ProfileCycle {
                path: self.path.to_owned(),
                chain,
            });
        }
        let entry = self
            .find(name)
            .ok_or_else(|| CredentialsError::NoSourceProfile {
                path: self.path.to_owned(),
                profile: visiting.last().cloned().unwrap_or_default(),
                source_profile: FileValue::name(name),
            })?;
        let profile = Profile {
            entry,
            name,
            path: self.path,
        };
        let mode_text = profile.required("mode")?;
        let mode = Mode::parse(&mode_text).ok_or_else(|| CredentialsError::UnsupportedMode {
            path: self.path.to_owned(),
            profile: name.to_owned(),
            mode: FileValue::mode(&mode_text),
        })?;
        let vars = self.vars;
        let sts = || environment::sts_endpoint(vars, Some(&profile.sts()));
        let assume = |signer: Source| -> Result<Source, CredentialsError> {
            let role = profile.role(vars)?;
            Ok(Source::AssumeRole {
                signer: Box::new(signer),
                sts: sts()?,
                origin: environment::assumed(&role.role_arn, false, profile.origin()),
                role,
            })
        };
        match mode {
            Mode::Ak => Ok(Source::Static {
                credentials: profile.key(false)?,
                sts: None,
            }),
            Mode::StsToken => Ok(Source::Static {
                credentials: profile.key(true)?,
                sts: Some(sts()?),
            }),
            Mode::RamRoleArn => assume(Source::Static {
                credentials: profile.key(false)?,
                sts: None,
            }),
            Mode::ChainableRamRoleArn => {
                let source_name = profile.required("source_profile")?;
                visiting.push(name.to_owned());
                let signer = self.source(&source_name, visiting)?;
                visiting.pop();
                assume(signer)
            }
            Mode::Oidc => {
                let role = profile.role(vars)?;
                Ok(Source::Oidc {
                    provider_arn: profile.required("oidc_provider_arn")?,
                    token_file: profile.required("oidc_token_file")?.into(),
                    sts: sts()?,
                    origin: environment::assumed(&role.role_arn, true, profile.origin()),
                    role,
                })
            }
            Mode::EcsRamRole => {
                environment::configured_ecs(vars, profile.text("ram_role_name"), profile.origin())
            }
            Mode::CredentialsUri => {
                let setting = format!("`credentials_uri` of {}", profile.origin());
                environment::uri_source(
                    vars,
                    &profile.required("credentials_uri")?,
                    &setting,
                    Some(&profile.sts()),
                    profile.origin(),
                )
            }
        }
    }
}
