//! The sources the environment configures (`aiccs-api.md` §5.1, §9):
//! static keys, OIDC (ACK RRSA), the ECS instance role when asked for, a
//! credentials URI; and the settings every role source shares: the STS
//! endpoint and the session name.

use reqwest::Url;

use crate::env;
use crate::secret::Secret;

use super::super::endpoint::{Endpoint, is_loopback_host};
use super::super::error::EndpointError;
use super::super::file_value::FileValue;
use super::error::{CredentialsError, Lookup};
use super::source::{MetadataEndpoint, RoleRequest, SecretUrl, Source};
use super::{CredentialSource, Credentials, ENV_GROUPS, Obtained};

/// The environment as the chain reads it: values trimmed, and a value that
/// is empty or blank counts as unset (`FOO=` in a CI template is common,
/// and a pasted trailing newline would only fail as SignatureDoesNotMatch
/// much later).
#[derive(Clone, Copy)]
pub(crate) struct Vars<'a> {
    read: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Vars<'a> {
    pub(crate) fn new(read: &'a dyn Fn(&str) -> Option<String>) -> Vars<'a> {
        Vars { read }
    }

    /// The trimmed value of `name`, unless unset or blank.
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.read)(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` is `true`, in any case.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// Static keys: `ALIBABA_CLOUD_*`, then `ALIBABACLOUD_*`, then `ALICLOUD_*`.
pub(crate) fn static_keys(
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    for [id_var, secret_var, token_var] in ENV_GROUPS {
        let (id, secret, token) = (vars.get(id_var), vars.get(secret_var), vars.get(token_var));
        match (id, secret) {
            (Some(id), Some(secret)) => {
                let sts = match token {
                    Some(_) => Some(sts_endpoint(vars, None)?),
                    None => None,
                };
                return Ok(Some(Source::Static {
                    credentials: Credentials {
                        access_key_id: id,
                        access_key_secret: Secret::new(secret),
                        security_token: token.map(Secret::new),
                        source: CredentialSource::Environment { variable: id_var },
                    },
                    sts,
                }));
            }
            (Some(_), None) => {
                return Err(CredentialsError::IncompleteEnvironment {
                    set: id_var,
                    missing: secret_var,
                });
            }
            (None, Some(_)) => {
                return Err(CredentialsError::IncompleteEnvironment {
                    set: secret_var,
                    missing: id_var,
                });
            }
            (None, None) if token.is_some() => {
                return Err(CredentialsError::IncompleteEnvironment {
                    set: token_var,
                    missing: id_var,
                });
            }
            (None, None) => {}
        }
    }
    let mut outcome = format!(
        "`{}`, `{}` and `{}` are not set",
        ENV_GROUPS[0][0], ENV_GROUPS[1][0], ENV_GROUPS[2][0]
    );
    if vars.get(env::ALICLOUD_ACCESS_KEY).is_some() {
        outcome.push_str(&format!(
            "; `{}` (Terraform's name) is set but not read",
            env::ALICLOUD_ACCESS_KEY
        ));
    }
    if vars.get(env::ACCESS_KEY_ID).is_some() {
        outcome.push_str(&format!(
            "; `{}` is set but too generic to trust, so not read",
            env::ACCESS_KEY_ID
        ));
    }
    looked.push(Lookup::new("environment", outcome));
    Ok(None)
}

/// The three variables of OIDC from the environment, in the order named.
const OIDC_VARIABLES: [&str; 3] = [
    env::ALIBABA_CLOUD_ROLE_ARN,
    env::ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
    env::ALIBABA_CLOUD_OIDC_TOKEN_FILE,
];

/// OIDC, when all three variables are set (ACK RRSA injects exactly
/// these); some of them without the others is an error.
pub(crate) fn oidc(
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    let values = OIDC_VARIABLES.map(|name| vars.get(name));
    let (set, missing): (Vec<_>, Vec<_>) = OIDC_VARIABLES
        .iter()
        .zip(&values)
        .partition(|(_, value)| value.is_some());
    let [Some(role_arn), Some(provider_arn), Some(token_file)] = values else {
        if set.is_empty() {
            looked.push(Lookup::new(
                "OIDC (environment)",
                format!(
                    "`{}`, `{}` and `{}` are not set",
                    OIDC_VARIABLES[0], OIDC_VARIABLES[1], OIDC_VARIABLES[2]
                ),
            ));
            return Ok(None);
        }
        return Err(CredentialsError::IncompleteOidcEnvironment {
            set: set.into_iter().map(|(name, _)| *name).collect(),
            missing: missing.into_iter().map(|(name, _)| *name).collect(),
        });
    };
    let origin = assumed(
        &role_arn,
        true,
        CredentialSource::Environment {
            variable: env::ALIBABA_CLOUD_ROLE_ARN,
        },
    );
    Ok(Some(Source::Oidc {
        role: RoleRequest {
            role_arn,
            session_name: session_name(vars, None),
            duration_seconds: RoleRequest::DEFAULT_DURATION_SECONDS,
            policy: None,
            external_id: None,
        },
        provider_arn,
        token_file: token_file.into(),
        sts: sts_endpoint(vars, None)?,
        origin,
    }))
}

/// The ECS instance role, only when `ALIBABA_CLOUD_ECS_METADATA` names it:
/// the metadata service is never probed on a guess.
pub(crate) fn ecs(
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    let place = "ECS instance role";
    let Some(role) = vars.get(env::ALIBABA_CLOUD_ECS_METADATA) else {
        looked.push(Lookup::new(
            place,
            format!(
                "not asked for (`{}` is not set), so the metadata service was not contacted",
                env::ALIBABA_CLOUD_ECS_METADATA
            ),
        ));
        return Ok(None);
    };
    if let Some(outcome) = metadata_disabled(vars) {
        looked.push(Lookup::new(place, outcome));
        return Ok(None);
    }
    let from = CredentialSource::Environment {
        variable: env::ALIBABA_CLOUD_ECS_METADATA,
    };
    Ok(Some(ecs_source(vars, Some(role), from)?))
}

/// The instance role `role` (or whichever the instance has) as a profile
/// configures it, in `from`: an error when the metadata service may not be
/// used, as a profile that asks for it cannot be skipped.
pub(crate) fn configured_ecs(
    vars: Vars<'_>,
    role: Option<String>,
    from: CredentialSource,
) -> Result<Source, CredentialsError> {
    if metadata_disabled(vars).is_some() {
        return Err(CredentialsError::MetadataDisabled {
            origin: from.to_string(),
        });
    }
    ecs_source(vars, role, from)
}

/// Why the metadata service may not be used, when it may not.
fn metadata_disabled(vars: Vars<'_>) -> Option<String> {
    vars.flag(env::ALIBABA_CLOUD_ECS_METADATA_DISABLED)
        .then(|| {
            format!(
                "skipped, because `{}=true`",
                env::ALIBABA_CLOUD_ECS_METADATA_DISABLED
            )
        })
}

/// The instance role `role` (or whichever the instance has), configured
/// in `from`.
fn ecs_source(
    vars: Vars<'_>,
    role: Option<String>,
    from: CredentialSource,
) -> Result<Source, CredentialsError> {
    let origin = CredentialSource::Obtained {
        how: Obtained::EcsRole {
            role: role.as_deref().map(FileValue::name),
        },
        from: Box::new(from),
    };
    Ok(Source::Ecs {
        role_name: role,
        metadata: metadata_endpoint(vars)?,
        imdsv1_disabled: vars.flag(env::ALIBABA_CLOUD_IMDSV1_DISABLED),
        sts: sts_endpoint(vars, None)?,
        origin,
    })
}

/// `ALIBABA_CLOUD_CREDENTIALS_URI`, when set.
pub(crate) fn credentials_uri(
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    let Some(text) = vars.get(env::ALIBABA_CLOUD_CREDENTIALS_URI) else {
        looked.push(Lookup::new(
            "credentials URI",
            format!("`{}` is not set", env::ALIBABA_CLOUD_CREDENTIALS_URI),
        ));
        return Ok(None);
    };
    let setting = format!("`{}`", env::ALIBABA_CLOUD_CREDENTIALS_URI);
    let from = CredentialSource::Environment {
        variable: env::ALIBABA_CLOUD_CREDENTIALS_URI,
    };
    Ok(Some(uri_source(vars, &text, &setting, None, from)?))
}

/// The credentials URI `text`, configured by `setting` in `from`; its STS
/// endpoint is the environment's, or `profile`'s.
pub(crate) fn uri_source(
    vars: Vars<'_>,
    text: &str,
    setting: &str,
    profile: Option<&ProfileSts>,
    from: CredentialSource,
) -> Result<Source, CredentialsError> {
    Ok(Source::Uri {
        uri: uri(text, setting)?,
        sts: sts_endpoint(vars, profile)?,
        origin: CredentialSource::Obtained {
            how: Obtained::CredentialsUri,
            from: Box::new(from),
        },
    })
}

/// A credentials URI, by the endpoint policy: `https://`, or `http://` to
/// loopback. It is a secret (whoever reads it gets credentials), so a
/// refusal shows its scheme and host only.
fn uri(text: &str, setting: &str) -> Result<SecretUrl, CredentialsError> {
    let refuse = |shown: String, reason: &str| CredentialsError::Location {
        what: "credentials URI",
        setting: setting.to_owned(),
        reason: EndpointError {
            endpoint: shown,
            reason: reason.to_owned(),
        },
    };
    let url = Url::parse(text.trim()).map_err(|_| refuse("***".to_owned(), "it is not a URL"))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let shown = format!("{}://{host}/***", url.scheme());
    match url.scheme() {
        "https" => Ok(SecretUrl::new(url)),
        "http" if is_loopback_host(&host) => Ok(SecretUrl::new(url)),
        "http" => Err(refuse(
            shown,
            "plain `http://` is allowed only for loopback addresses: the credentials would \
             travel unencrypted",
        )),
        _ => Err(refuse(shown, "its scheme is not http or https")),
    }
}

/// The metadata service: the real address, or the tests' loopback
/// override (`AICALL_TEST_ECS_METADATA_ENDPOINT`), which is refused for
/// anything but `http://` to loopback.
pub(crate) fn metadata_endpoint(vars: Vars<'_>) -> Result<MetadataEndpoint, CredentialsError> {
    let Some(text) = vars.get(env::AICALL_TEST_ECS_METADATA_ENDPOINT) else {
        return Ok(MetadataEndpoint::ecs());
    };
    MetadataEndpoint::loopback(&text).ok_or_else(|| CredentialsError::Location {
        what: "ECS metadata address",
        setting: format!("`{}`", env::AICALL_TEST_ECS_METADATA_ENDPOINT),
        reason: EndpointError {
            endpoint: text.clone(),
            reason: "it exists for tests, and may only name a loopback `http://` address"
                .to_owned(),
        },
    })
}

/// What a profile says about its STS endpoint (`sts_endpoint`, or
/// `sts_region` with `enable_vpc`), and where it says it.
pub(crate) struct ProfileSts {
    /// `sts_endpoint`.
    pub endpoint: Option<String>,
    /// `sts_region`.
    pub region: Option<String>,
    /// `enable_vpc`.
    pub vpc: bool,
    /// e.g. ``profile `ci` in `…` ``, for messages.
    pub setting: String,
}

/// The STS endpoint (§9): the profile's `sts_endpoint`, its `sts_region`,
/// then `ALIBABA_CLOUD_STS_ENDPOINT`, `ALIBABA_CLOUD_STS_REGION`, else
/// `sts.aliyuncs.com`. A region gives `sts.<region>.aliyuncs.com`, or
/// `sts-vpc.<region>.aliyuncs.com` with the VPC endpoint enabled. A host
/// means HTTPS; a URL is checked by the endpoint policy (https, or http to
/// loopback only).
pub(crate) fn sts_endpoint(
    vars: Vars<'_>,
    profile: Option<&ProfileSts>,
) -> Result<Endpoint, CredentialsError> {
    let vpc = profile.is_some_and(|p| p.vpc) || vars.flag(env::ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED);
    let by_region = |region: &str| {
        let prefix = if vpc { "sts-vpc" } else { "sts" };
        format!("{prefix}.{region}.aliyuncs.com")
    };
    let (text, setting) = if let Some(p) = profile
        && let Some(endpoint) = &p.endpoint
    {
        (endpoint.clone(), format!("`sts_endpoint` of {}", p.setting))
    } else if let Some(p) = profile
        && let Some(region) = &p.region
    {
        (by_region(region), format!("`sts_region` of {}", p.setting))
    } else if let Some(endpoint) = vars.get(env::ALIBABA_CLOUD_STS_ENDPOINT) {
        (endpoint, format!("`{}`", env::ALIBABA_CLOUD_STS_ENDPOINT))
    } else if let Some(region) = vars.get(env::ALIBABA_CLOUD_STS_REGION) {
        (
            by_region(&region),
            format!("`{}`", env::ALIBABA_CLOUD_STS_REGION),
        )
    } else {
        return Ok(Endpoint::parse("https://sts.aliyuncs.com").expect("the STS host is valid"));
    };
    let url = if text.contains("://") {
        text
    } else {
        format!("https://{text}")
    };
    Endpoint::parse(&url).map_err(|reason| CredentialsError::Location {
        what: "STS endpoint",
        setting,
        reason,
    })
}

/// `RoleSessionName`: as configured, else `ALIBABA_CLOUD_ROLE_SESSION_NAME`,
/// else `aicall-<unix milliseconds>` (2–64 of `[A-Za-z0-9._@-]`, §9).
pub(crate) fn session_name(vars: Vars<'_>, configured: Option<String>) -> String {
    configured
        .or_else(|| vars.get(env::ALIBABA_CLOUD_ROLE_SESSION_NAME))
        .unwrap_or_else(|| format!("aicall-{}", jiff::Timestamp::now().as_millisecond()))
}

/// How temporary credentials from a role are described.
pub(crate) fn assumed(role_arn: &str, oidc: bool, from: CredentialSource) -> CredentialSource {
    let role = FileValue::arn(role_arn);
    CredentialSource::Obtained {
        how: if oidc {
            Obtained::Oidc { role }
        } else {
            Obtained::AssumeRole { role }
        },
        from: Box::new(from),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn with<R>(pairs: &[(&str, &str)], run: impl FnOnce(Vars<'_>) -> R) -> R {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let read = move |name: &str| map.get(name).cloned();
        run(Vars::new(&read))
    }

    #[test]
    fn the_sts_endpoint_follows_profile_then_environment_then_default() {
        let endpoint = |pairs: &[(&str, &str)], profile: Option<&ProfileSts>| {
            with(pairs, |vars| {
                sts_endpoint(vars, profile).map(|e| e.to_string())
            })
        };
        assert_eq!(endpoint(&[], None).unwrap(), "https://sts.aliyuncs.com");
        assert_eq!(
            endpoint(&[("ALIBABA_CLOUD_STS_REGION", "cn-shanghai")], None).unwrap(),
            "https://sts.cn-shanghai.aliyuncs.com"
        );
        assert_eq!(
            endpoint(
                &[
                    ("ALIBABA_CLOUD_STS_REGION", "cn-shanghai"),
                    ("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "TRUE")
                ],
                None
            )
            .unwrap(),
            "https://sts-vpc.cn-shanghai.aliyuncs.com"
        );
        let env = [
            ("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:8080"),
            ("ALIBABA_CLOUD_STS_REGION", "cn-shanghai"),
        ];
        assert_eq!(endpoint(&env, None).unwrap(), "http://127.0.0.1:8080");
        let profile = ProfileSts {
            endpoint: None,
            region: Some("cn-beijing".to_owned()),
            vpc: false,
            setting: "profile `p`".to_owned(),
        };
        assert_eq!(
            endpoint(&env, Some(&profile)).unwrap(),
            "https://sts.cn-beijing.aliyuncs.com"
        );
        let err = endpoint(
            &[("ALIBABA_CLOUD_STS_ENDPOINT", "http://sts.example.com")],
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot use the STS endpoint from `ALIBABA_CLOUD_STS_ENDPOINT`"
        );
    }

    #[test]
    fn a_credentials_uri_is_https_or_loopback_and_never_echoed() {
        assert!(uri("https://creds.example.com/v1?token=abc", "x").is_ok());
        assert!(uri("http://127.0.0.1:9/credentials", "x").is_ok());
        let err = uri("http://creds.example.com/v1?token=hunter2-token", "`X`").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("creds.example.com"), "{text}");
    }

    #[test]
    fn the_session_name_is_configured_or_made_up() {
        assert_eq!(
            with(&[("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci-42")], |v| {
                session_name(v, None)
            }),
            "ci-42"
        );
        assert_eq!(
            with(&[], |v| session_name(v, Some("mine".to_owned()))),
            "mine"
        );
        assert!(with(&[], |v| session_name(v, None)).starts_with("aicall-"));
    }

    #[test]
    fn the_ecs_role_is_used_only_when_asked_for() {
        let mut looked = Vec::new();
        assert!(with(&[], |v| ecs(v, &mut looked)).unwrap().is_none());
        assert!(looked[0].outcome.contains("not contacted"));
        let disabled = [
            ("ALIBABA_CLOUD_ECS_METADATA", "role"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
        ];
        assert!(with(&disabled, |v| ecs(v, &mut looked)).unwrap().is_none());
        let asked = with(&[("ALIBABA_CLOUD_ECS_METADATA", "role")], |v| {
            ecs(v, &mut looked)
        })
        .unwrap()
        .unwrap();
        assert!(asked.uses_ecs_metadata());
    }
}
