//! The order the sources are tried in, and the one error that lists them
//! all when none has credentials (`aiccs-api.md` §5.4, issue 12):
//!
//! 1. the environment's static keys: `ALIBABA_CLOUD_ACCESS_KEY_ID` +
//!    `_SECRET` (+ `ALIBABA_CLOUD_SECURITY_TOKEN`), then the legacy
//!    `ALIBABACLOUD_*`, then `ALICLOUD_*` (§5.1);
//! 2. OIDC from the environment, when `ALIBABA_CLOUD_ROLE_ARN`,
//!    `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE`
//!    are all set (ACK RRSA injects exactly these);
//! 3. the aliyun CLI's `config.json` (`ALIBABA_CLOUD_CONFIG_FILE`, else
//!    `~/.aliyun/config.json`), unless
//!    `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`: the profile from
//!    `--profile`, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`;
//! 4. the INI file (§5.3): `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//!    `~/.alibabacloud/credentials.ini`, then `~/.alibabacloud/credentials`;
//!    section = the profile, default `default`;
//! 5. the ECS instance role, **only when asked for**
//!    (`ALIBABA_CLOUD_ECS_METADATA=<role>`); profiles and sections of the
//!    instance-role kind ask for it too. The metadata service is never
//!    probed on a guess;
//! 6. `ALIBABA_CLOUD_CREDENTIALS_URI`.
//!
//! `--profile` skips every source the environment configures (1, 2, 5 and
//! 6): asking for a profile and silently getting the environment's
//! credentials instead would act on the wrong account.
//!
//! Resolving reads variables and files only. The environment and the home
//! directory are parameters, so every branch is tested without touching
//! the real ones.

use std::io;
use std::path::{Path, PathBuf};

use crate::env;

use super::config_file;
use super::environment::{self, Vars};
use super::error::{CredentialsError, Lookup};
use super::ini;
use super::provider::{CredentialProvider, Observer};
use super::source::Source;

/// Finds where credentials will come from (see the module docs for every
/// rule). Reads variables and files, contacts nothing.
///
/// `profile` is `--profile`; `env` reads an environment variable; `home` is
/// the home directory (`None` when there is none).
pub fn resolve(
    profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Source, CredentialsError> {
    let vars = Vars::new(env);
    let flag_profile = profile.map(str::trim).filter(|p| !p.is_empty());
    let mut looked = Vec::new();

    if let Some(name) = flag_profile {
        looked.push(Lookup::new(
            "environment",
            format!("not read, because `--profile {name}` names a profile"),
        ));
    } else {
        if let Some(found) = environment::static_keys(vars, &mut looked)? {
            return Ok(found);
        }
        if let Some(found) = environment::oidc(vars, &mut looked)? {
            return Ok(found);
        }
    }

    let named = flag_profile
        .map(str::to_owned)
        .or_else(|| vars.get(env::ALIBABA_CLOUD_PROFILE));

    if vars.flag(env::ALIBABA_CLOUD_CLI_PROFILE_DISABLED) {
        looked.push(Lookup::new(
            "~/.aliyun/config.json",
            format!(
                "skipped, because `{}=true`",
                env::ALIBABA_CLOUD_CLI_PROFILE_DISABLED
            ),
        ));
    } else {
        let path = match vars.get(env::ALIBABA_CLOUD_CONFIG_FILE) {
            Some(path) => Some(existing(env::ALIBABA_CLOUD_CONFIG_FILE, path)?),
            None => home.map(|home| home.join(".aliyun").join("config.json")),
        };
        match path {
            Some(path) => {
                if let Some(found) =
                    config_file::from_cli_config(&path, named.as_deref(), vars, &mut looked)?
                {
                    return Ok(found);
                }
            }
            None => looked.push(Lookup::new("~/.aliyun/config.json", "no home directory")),
        }
    }

    let section = named.as_deref().unwrap_or("default");
    let ini_paths = match vars.get(env::ALIBABA_CLOUD_CREDENTIALS_FILE) {
        Some(path) => vec![existing(env::ALIBABA_CLOUD_CREDENTIALS_FILE, path)?],
        None => match home {
            Some(home) => {
                let dir = home.join(".alibabacloud");
                vec![dir.join("credentials.ini"), dir.join("credentials")]
            }
            None => {
                looked.push(Lookup::new(
                    "~/.alibabacloud/credentials.ini",
                    "no home directory",
                ));
                Vec::new()
            }
        },
    };
    for path in ini_paths {
        if let Some(found) = ini::from_ini_file(&path, section, vars, &mut looked)? {
            return Ok(found);
        }
    }

    if flag_profile.is_none() {
        if let Some(found) = environment::ecs(vars, &mut looked)? {
            return Ok(found);
        }
        if let Some(found) = environment::credentials_uri(vars, &mut looked)? {
            return Ok(found);
        }
    }
    Err(CredentialsError::NotFound { looked })
}

/// The credentials of the real environment and home directory, as a
/// provider whose every credential (refreshed ones included) is shown to
/// `observer` first.
pub fn load_from_system(
    profile: Option<&str>,
    observer: Observer,
) -> Result<CredentialProvider, CredentialsError> {
    let home = std::env::home_dir();
    let source = resolve(profile, &|name| std::env::var(name).ok(), home.as_deref())?;
    CredentialProvider::new(&source, observer)
}

/// `path` from `variable`, which must exist.
fn existing(variable: &'static str, path: String) -> Result<PathBuf, CredentialsError> {
    let path = PathBuf::from(path);
    if path.exists() {
        Ok(path)
    } else {
        Err(CredentialsError::FileMissing { variable, path })
    }
}

/// Reads a file; `None`, noted in `looked`, when it does not exist.
pub(crate) fn read_or_note(
    path: &Path,
    looked: &mut Vec<Lookup>,
) -> Result<Option<String>, CredentialsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            looked.push(Lookup::file(path, "no such file"));
            Ok(None)
        }
        Err(source) => Err(CredentialsError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;
    use crate::api::credentials::source::RoleRequest;
    use crate::api::credentials::{CredentialSource, Credentials, ENV_GROUPS};
    use crate::api::file_value::FileValue;
    use crate::secret::Secret;

    const SECRET: &str = "S3cr3t-Never-Shown";
    const TOKEN: &str = "CAIS+token/with=chars";

    /// A fake environment plus a temporary home directory.
    struct World {
        vars: HashMap<String, String>,
        home: tempfile::TempDir,
    }

    impl World {
        fn new() -> World {
            World {
                vars: HashMap::new(),
                home: tempfile::tempdir().unwrap(),
            }
        }

        fn set(mut self, name: &str, value: &str) -> World {
            self.vars.insert(name.to_owned(), value.to_owned());
            self
        }

        fn file(self, relative: &str, text: &str) -> World {
            let path = self.home.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }

        fn resolve(&self, profile: Option<&str>) -> Result<Source, CredentialsError> {
            resolve(
                profile,
                &|name| self.vars.get(name).cloned(),
                Some(self.home.path()),
            )
        }

        /// The static credentials found for `profile`.
        fn load(&self, profile: Option<&str>) -> Result<Credentials, CredentialsError> {
            self.resolve(profile).map(|source| match source {
                Source::Static { credentials, .. } => credentials,
                other => panic!("not static: {other:?}"),
            })
        }

        /// The AccessKey ID found for `profile`.
        fn key_id(&self, profile: Option<&str>) -> String {
            self.load(profile).unwrap().access_key_id
        }

        fn path(&self, relative: &str) -> PathBuf {
            self.home.path().join(relative)
        }
    }

    fn cli_config(current: &str) -> String {
        format!(
            r#"{{"current":"{current}","profiles":[
                {{"name":"default","mode":"AK","access_key_id":"TESTcliDefault1","access_key_secret":"{SECRET}"}},
                {{"name":"sts","mode":"ststoken","access_key_id":"STS.cliSts0001","access_key_secret":"{SECRET}","sts_token":"{TOKEN}"}},
                {{"name":"role","mode":"CloudSSO","access_key_id":"TESTrole000001","access_key_secret":"{SECRET}","ram_role_arn":"acs:ram::1:role/x"}},
                {{"name":"nomode","access_key_id":"x","access_key_secret":"y"}},
                {{"name":"half","mode":"AK","access_key_id":"TESThalf000001"}}
            ],"meta_path":""}}"#
        )
    }

    const INI: &str = "\
# comment line
[default]
type = access_key
access_key_id = TESTiniDefault1   # trailing comment, stripped as Python does
access_key_secret = S3cr3t-Never-Shown

[prod]
type: access_key
access_key_id: TESTiniProd0001
access_key_secret: S3cr3t-Never-Shown

[role]
type = rsa_key_pair
access_key_id = foo
access_key_secret = bar
";

    #[test]
    fn environment_comes_first() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
            .set("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
            .file(".aliyun/config.json", &cli_config("default"));
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTenv00000001");
        assert_eq!(found.access_key_secret.expose(), SECRET);
        assert_eq!(
            found.security_token.as_ref().map(Secret::expose),
            Some(TOKEN)
        );
        assert_eq!(
            found.source.to_string(),
            "environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`)"
        );
    }

    #[test]
    fn the_secret_origin_names_the_secrets_own_variable() {
        for [id_var, secret_var, _] in ENV_GROUPS {
            let found = World::new()
                .set(id_var, "TESTenv00000001")
                .set(secret_var, SECRET)
                .load(None)
                .unwrap();
            assert_eq!(
                found.source.secret_origin(),
                format!("environment (`{secret_var}`)")
            );
        }
        let world = World::new().file(".aliyun/config.json", &cli_config("default"));
        let found = world.load(None).unwrap();
        assert_eq!(found.source.secret_origin(), found.source.to_string());
        let given = Credentials::new("id", Secret::new(SECRET), "the demo pair");
        assert_eq!(given.source.secret_origin(), "the demo pair");
    }

    #[test]
    fn legacy_environment_names_in_order() {
        let world = World::new()
            .set("ALICLOUD_ACCESS_KEY_ID", "TESTalicloud001")
            .set("ALICLOUD_ACCESS_KEY_SECRET", SECRET)
            .set("ALIBABACLOUD_ACCESS_KEY_ID", "TESTalibabacld1")
            .set("ALIBABACLOUD_ACCESS_KEY_SECRET", SECRET);
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTalibabacld1");
        assert_eq!(
            found.source,
            CredentialSource::Environment {
                variable: "ALIBABACLOUD_ACCESS_KEY_ID"
            }
        );
        let world = World::new()
            .set("ALICLOUD_ACCESS_KEY_ID", "TESTalicloud001")
            .set("ALICLOUD_ACCESS_KEY_SECRET", SECRET)
            .set("ALICLOUD_SECURITY_TOKEN", TOKEN);
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTalicloud001");
        assert!(found.security_token.is_some());
    }

    #[test]
    fn a_variable_without_its_partner_is_an_error_not_a_fall_through() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
            .set("ALIBABACLOUD_ACCESS_KEY_ID", "TESTalibabacld1")
            .set("ALIBABACLOUD_ACCESS_KEY_SECRET", SECRET);
        let err = world.load(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`ALIBABA_CLOUD_ACCESS_KEY_ID` is set but `ALIBABA_CLOUD_ACCESS_KEY_SECRET` is not: \
             set both, or unset `ALIBABA_CLOUD_ACCESS_KEY_ID`"
        );
        let err = World::new()
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
            .load(None)
            .unwrap_err();
        assert!(matches!(
            err,
            CredentialsError::IncompleteEnvironment {
                set: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                missing: "ALIBABA_CLOUD_ACCESS_KEY_ID"
            }
        ));
        let err = World::new()
            .set("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
            .load(None)
            .unwrap_err();
        assert!(matches!(
            err,
            CredentialsError::IncompleteEnvironment {
                set: "ALIBABA_CLOUD_SECURITY_TOKEN",
                ..
            }
        ));
    }

    #[test]
    fn blank_variables_count_as_unset() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "  ")
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "")
            .set("ALIBABACLOUD_ACCESS_KEY_ID", "TESTalibabacld1\n")
            .set("ALIBABACLOUD_ACCESS_KEY_SECRET", "S3cr3t-Never-Shown\n");
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTalibabacld1");
        assert_eq!(found.access_key_secret.expose(), SECRET);
    }

    #[test]
    fn cli_profile_current_then_env_profile_then_flag() {
        let world = World::new().file(".aliyun/config.json", &cli_config("sts"));
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "STS.cliSts0001");
        assert_eq!(
            found.security_token.as_ref().map(Secret::expose),
            Some(TOKEN)
        );
        assert_eq!(
            found.source.to_string(),
            format!(
                "profile `sts` in `{}`",
                world.path(".aliyun/config.json").display()
            )
        );

        let world = world.set("ALIBABA_CLOUD_PROFILE", "default");
        assert_eq!(world.key_id(None), "TESTcliDefault1");
        assert_eq!(world.key_id(Some("sts")), "STS.cliSts0001");
    }

    #[test]
    fn profile_flag_skips_the_environment() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
            .file(".aliyun/config.json", &cli_config("default"));
        assert_eq!(world.key_id(Some("sts")), "STS.cliSts0001");
        // ALIBABA_CLOUD_PROFILE does not: the environment's key still wins,
        // as in Alibaba Cloud's credentials libraries.
        let world = world.set("ALIBABA_CLOUD_PROFILE", "sts");
        assert_eq!(world.key_id(None), "TESTenv00000001");
    }

    #[test]
    fn unsupported_mode_names_mode_and_profile() {
        let world = World::new().file(".aliyun/config.json", &cli_config("role"));
        let err = world.load(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "profile `role` in `{}` uses mode `CloudSSO`, which aicall does not support",
                world.path(".aliyun/config.json").display()
            )
        );
        let hint = err.hint().unwrap();
        assert!(hint.contains("`RamRoleArn`") && hint.contains("ALIBABA_CLOUD_SECURITY_TOKEN"));
    }

    #[test]
    fn incomplete_cli_profiles_are_errors() {
        let world = World::new().file(".aliyun/config.json", &cli_config("default"));
        let err = world.load(Some("nomode")).unwrap_err();
        assert!(
            matches!(err, CredentialsError::MissingKey { key: "mode", .. }),
            "{err}"
        );
        let err = world.load(Some("half")).unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::MissingKey {
                    key: "access_key_secret",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn cli_profile_can_be_disabled() {
        let world = World::new()
            .set("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "TRUE")
            .file(".aliyun/config.json", &cli_config("default"))
            .file(".alibabacloud/credentials.ini", INI);
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTiniDefault1");
    }

    #[test]
    fn broken_cli_config_is_an_error_without_its_content() {
        let world = World::new().file(
            ".aliyun/config.json",
            r#"{"profiles":[{"access_key_secret":"S3cr3t-Never-Shown" "#,
        );
        let err = world.load(None).unwrap_err();
        assert!(
            matches!(err, CredentialsError::ConfigSyntax { line: 1, .. }),
            "{err}"
        );
        assert!(!format!("{err} {err:?}").contains(SECRET));
    }

    #[test]
    fn ini_file_sections_types_and_comments() {
        let world = World::new().file(".alibabacloud/credentials.ini", INI);
        let found = world.load(None).unwrap();
        assert_eq!(found.access_key_id, "TESTiniDefault1");
        assert_eq!(found.access_key_secret.expose(), SECRET);
        assert_eq!(
            found.source.to_string(),
            format!(
                "section `[default]` of `{}`",
                world.path(".alibabacloud/credentials.ini").display()
            )
        );
        assert_eq!(world.key_id(Some("prod")), "TESTiniProd0001");
        let err = world.load(Some("role")).unwrap_err();
        assert!(
            matches!(&err, CredentialsError::UnsupportedType { kind: FileValue::Word(kind), .. } if kind == "rsa_key_pair"),
            "{err}"
        );
        assert!(err.to_string().contains("`rsa_key_pair`"));
    }

    #[test]
    fn ini_file_without_extension_and_override() {
        let world = World::new().file(".alibabacloud/credentials", INI);
        assert_eq!(world.key_id(None), "TESTiniDefault1");

        let elsewhere = World::new().file("elsewhere/creds", INI);
        let path = elsewhere.path("elsewhere/creds");
        let world = elsewhere.set("ALIBABA_CLOUD_CREDENTIALS_FILE", path.to_str().unwrap());
        let found = world.load(Some("prod")).unwrap();
        assert_eq!(found.access_key_id, "TESTiniProd0001");

        let world = World::new().set("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/creds");
        assert!(matches!(
            world.load(None).unwrap_err(),
            CredentialsError::FileMissing { .. }
        ));
    }

    #[test]
    fn cli_profile_missing_falls_through_to_the_ini_section() {
        let world = World::new()
            .file(".aliyun/config.json", &cli_config("default"))
            .file(".alibabacloud/credentials.ini", INI);
        assert_eq!(world.key_id(Some("prod")), "TESTiniProd0001");
    }

    #[test]
    fn nothing_found_lists_every_place() {
        let world = World::new()
            .set("ALICLOUD_ACCESS_KEY", "terraform")
            .set("ACCESS_KEY_ID", "generic")
            .file(".aliyun/config.json", &cli_config("default"));
        let err = world.load(Some("missing")).unwrap_err();
        let home = world.home.path().display().to_string();
        assert_eq!(
            err.to_string().replace(&home, "~"),
            "no credentials found; looked at:\n\
             \x20 - environment: not read, because `--profile missing` names a profile\n\
             \x20 - `~/.aliyun/config.json`: no profile `missing` (it has `default`, `sts`, `role`, `nomode`, `half`)\n\
             \x20 - `~/.alibabacloud/credentials.ini`: no such file\n\
             \x20 - `~/.alibabacloud/credentials`: no such file"
        );
        let err = World::new()
            .set("ALICLOUD_ACCESS_KEY", "terraform")
            .set("ACCESS_KEY_ID", "generic")
            .load(None)
            .unwrap_err();
        let CredentialsError::NotFound { looked } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            looked[0].outcome,
            "`ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABACLOUD_ACCESS_KEY_ID` and \
             `ALICLOUD_ACCESS_KEY_ID` are not set; `ALICLOUD_ACCESS_KEY` (Terraform's name) is \
             set but not read; `ACCESS_KEY_ID` is set but too generic to trust, so not read"
        );
        assert!(err.hint().unwrap().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));
    }

    #[test]
    fn no_home_directory_is_reported() {
        let err = resolve(None, &|_| None, None).unwrap_err();
        assert!(err.to_string().contains("no home directory"), "{err}");
    }

    /// Every error and every found value, formatted every way, with the
    /// secret and token planted in the files and variables they came from.
    #[test]
    fn secrets_never_appear_in_errors_or_credentials() {
        let bad_ini = format!("[default]\naccess_key_secret = {SECRET}\n{SECRET}\n");
        let worlds = [
            World::new().set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
            World::new().set("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
            World::new().file(".aliyun/config.json/x", "{}"),
            World::new().file(".aliyun/config.json", &format!("{{\"s\":\"{SECRET}\"")),
            World::new().file(".alibabacloud/credentials.ini", &bad_ini),
            World::new().file(".aliyun/config.json", &cli_config("half")),
            World::new().file(".aliyun/config.json", &cli_config("role")),
            World::new().file(".alibabacloud/credentials.ini", INI),
            World::new().set("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent"),
            World::new().set("ACCESS_KEY_ID", SECRET),
            World::new().file(".aliyun/config.json", &cli_config("sts")),
            World::new()
                .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
                .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
                .set("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
        ];
        let mut variants = HashSet::new();
        for world in &worlds {
            for profile in [None, Some("role")] {
                let text = match world.resolve(profile) {
                    Ok(found) => format!("{found:?} {}", found.origin()),
                    Err(err) => {
                        variants.insert(std::mem::discriminant(&err));
                        let mut text = format!("{err} {err:?} {:?}", err.hint());
                        if let Some(source) = std::error::Error::source(&err) {
                            text.push_str(&source.to_string());
                        }
                        text
                    }
                };
                assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
            }
        }
        assert_eq!(
            variants.len(),
            9,
            "every CredentialsError variant is covered"
        );
    }

    /// Issue 7: a manifest may interpolate none of the variables this
    /// chain reads a key from (`env::SECRET_VARIABLES`).
    #[test]
    fn every_variable_read_for_a_key_is_a_secret_variable() {
        for name in ENV_GROUPS.iter().flatten() {
            assert!(env::is_secret_variable(name), "{name}");
        }
    }

    /// Issue 7: a secret pasted into a key that messages quote.
    #[test]
    fn values_pasted_into_the_wrong_key_are_described_not_echoed() {
        const PASTED: &str = "FAKE0secret0FAKE0secret0FAKE00";
        let profile = |name: &str, mode: &str| {
            format!(
                r#"{{"name":"{name}","mode":"{mode}","access_key_id":"x","access_key_secret":"y"}}"#
            )
        };
        let config = |current: &str, profiles: &[String]| {
            format!(
                r#"{{"current":"{current}","profiles":[{}]}}"#,
                profiles.join(",")
            )
        };
        let world = World::new().file(
            ".aliyun/config.json",
            &config("default", &[profile("default", PASTED)]),
        );
        let err = world.load(None).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "uses a mode aicall does not know (an unrecognised value of 30 characters)"
            ),
            "{err}"
        );
        let world = World::new().file(
            ".aliyun/config.json",
            &config("default", &[profile("default", "cloudsso")]),
        );
        assert!(
            world
                .load(None)
                .unwrap_err()
                .to_string()
                .ends_with("uses mode `cloudsso`, which aicall does not support")
        );

        let world = World::new().file(
            ".aliyun/config.json",
            &config(
                PASTED,
                &[profile("prod", "AK"), profile(&format!("{PASTED}2"), "AK")],
            ),
        );
        let CredentialsError::NotFound { looked } = world.load(None).unwrap_err() else {
            panic!("not NotFound")
        };
        assert_eq!(
            looked[2].outcome,
            "no profile named by `current` (an unrecognised value of 30 characters; it has \
             `prod` and 1 unrecognised name)"
        );
        // A name given on the command line is the user's own: shown.
        let CredentialsError::NotFound { looked } = world.load(Some("staging")).unwrap_err() else {
            panic!("not NotFound")
        };
        assert_eq!(
            looked[1].outcome,
            "no profile `staging` (it has `prod` and 1 unrecognised name)"
        );

        let world = World::new().file(
            ".alibabacloud/credentials.ini",
            &format!("[default]\ntype = {PASTED}\naccess_key_id = x\naccess_key_secret = y\n"),
        );
        let err = world.load(None).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "has a type aicall does not know (an unrecognised value of 30 characters)"
            ),
            "{err}"
        );
        assert!(!format!("{err:?}").contains(PASTED));
    }

    // Issue 12: the role sources.

    const ROLE: &str = "acs:ram::1234567890123456:role/deployer";

    fn profiles(current: &str, profiles: &[&str]) -> String {
        format!(
            r#"{{"current":"{current}","profiles":[{}]}}"#,
            profiles.join(",")
        )
    }

    fn role_of(source: &Source) -> &RoleRequest {
        match source {
            Source::AssumeRole { role, .. } | Source::Oidc { role, .. } => role,
            other => panic!("not a role: {other:?}"),
        }
    }

    #[test]
    fn nothing_configured_lists_every_source_and_contacts_nothing() {
        let world = World::new();
        let err = world.resolve(None).unwrap_err();
        let home = world.home.path().display().to_string();
        assert_eq!(
            err.to_string().replace(&home, "~"),
            "no credentials found; looked at:\n\
             \x20 - environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABACLOUD_ACCESS_KEY_ID` and `ALICLOUD_ACCESS_KEY_ID` are not set\n\
             \x20 - OIDC (environment): `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are not set\n\
             \x20 - `~/.aliyun/config.json`: no such file\n\
             \x20 - `~/.alibabacloud/credentials.ini`: no such file\n\
             \x20 - `~/.alibabacloud/credentials`: no such file\n\
             \x20 - ECS instance role: not asked for (`ALIBABA_CLOUD_ECS_METADATA` is not set), so the metadata service was not contacted\n\
             \x20 - credentials URI: `ALIBABA_CLOUD_CREDENTIALS_URI` is not set"
        );
    }

    #[test]
    fn oidc_from_the_environment_comes_right_after_static_keys() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .set(
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1234567890123456:oidc-provider/ack",
            )
            .set(
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                "/var/run/secrets/tokens/oidc-token",
            )
            .set("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci-run-42")
            .set(
                "ALIBABA_CLOUD_STS_ENDPOINT",
                "sts-vpc.cn-hangzhou.aliyuncs.com",
            )
            .file(".aliyun/config.json", &cli_config("default"));
        let source = world.resolve(None).unwrap();
        let Source::Oidc {
            role,
            provider_arn,
            token_file,
            sts,
            origin,
        } = &source
        else {
            panic!("{source:?}")
        };
        assert_eq!(role.role_arn, ROLE);
        assert_eq!(role.session_name, "ci-run-42");
        assert_eq!(role.duration_seconds, 3600);
        assert!(provider_arn.ends_with("oidc-provider/ack"));
        assert_eq!(token_file, Path::new("/var/run/secrets/tokens/oidc-token"));
        assert_eq!(sts.to_string(), "https://sts-vpc.cn-hangzhou.aliyuncs.com");
        assert_eq!(
            origin.to_string(),
            format!(
                "role `{ROLE}` assumed with an OIDC token, per environment (`ALIBABA_CLOUD_ROLE_ARN`)"
            )
        );
        assert_eq!(
            source.network_sources(),
            ["https://sts-vpc.cn-hangzhou.aliyuncs.com"]
        );

        // Static keys in the environment still come first.
        let world = world
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);
        assert_eq!(world.key_id(None), "TESTenv00000001");

        // Two of the three: an error, not a fall-through to config.json.
        let err = World::new()
            .set("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t")
            .file(".aliyun/config.json", &cli_config("default"))
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(&err, CredentialsError::IncompleteOidcEnvironment { missing, .. } if missing == &["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"]),
            "{err}"
        );
    }

    #[test]
    fn the_chain_never_asks_the_metadata_service_unless_told_to() {
        let ecs_profile = r#"{"name":"ecs","mode":"EcsRamRole","ram_role_name":"worker"}"#;
        let ak_profile = r#"{"name":"default","mode":"AK","access_key_id":"TESTkey00000001","access_key_secret":"s3cr3t-xx"}"#;
        let role_profile = r#"{"name":"role","mode":"RamRoleArn","access_key_id":"TESTkey00000001","access_key_secret":"s3cr3t-xx","ram_role_arn":"acs:ram::1:role/a"}"#;
        let config = profiles("default", &[ak_profile, role_profile, ecs_profile]);
        let quiet = [
            World::new()
                .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
                .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
            World::new().file(".aliyun/config.json", &config),
            World::new()
                .file(".aliyun/config.json", &config)
                .set("ALIBABA_CLOUD_PROFILE", "role"),
            World::new().file(".alibabacloud/credentials.ini", INI),
            World::new().set(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                "https://creds.example.com/x",
            ),
        ];
        for world in &quiet {
            let source = world.resolve(None).unwrap();
            assert!(!source.uses_ecs_metadata(), "{source:?}");
            assert!(
                source
                    .network_sources()
                    .iter()
                    .all(|address| !address.contains("100.100.100.200")),
                "{source:?}"
            );
        }
        // Nothing configured at all: no source, so nothing to contact.
        assert!(World::new().resolve(None).is_err());

        let asked = [
            World::new().set("ALIBABA_CLOUD_ECS_METADATA", "worker"),
            World::new()
                .file(".aliyun/config.json", &config)
                .set("ALIBABA_CLOUD_PROFILE", "ecs"),
            World::new().file(
                ".alibabacloud/credentials.ini",
                "[default]\ntype = ecs_ram_role\nrole_name = worker\n",
            ),
        ];
        for world in &asked {
            let source = world.resolve(None).unwrap();
            assert!(source.uses_ecs_metadata(), "{source:?}");
            assert_eq!(source.network_sources()[0], "http://100.100.100.200");
        }
        // The tests' loopback override, and nothing but loopback.
        let overridden = World::new()
            .set("ALIBABA_CLOUD_ECS_METADATA", "worker")
            .set("AICALL_TEST_ECS_METADATA_ENDPOINT", "http://127.0.0.1:9");
        assert_eq!(
            overridden.resolve(None).unwrap().network_sources()[0],
            "http://127.0.0.1:9"
        );
        let refused = World::new()
            .set("ALIBABA_CLOUD_ECS_METADATA", "worker")
            .set("AICALL_TEST_ECS_METADATA_ENDPOINT", "http://10.0.0.1");
        assert!(matches!(
            refused.resolve(None).unwrap_err(),
            CredentialsError::Location { .. }
        ));
        let disabled = World::new()
            .set("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .file(".aliyun/config.json", &config)
            .set("ALIBABA_CLOUD_PROFILE", "ecs");
        assert!(matches!(
            disabled.resolve(None).unwrap_err(),
            CredentialsError::MetadataDisabled { .. }
        ));
    }

    #[test]
    fn a_ram_role_profile_assumes_its_role_with_its_own_key() {
        let profile = format!(
            r#"{{"name":"role","mode":"ramrolearn","access_key_id":"TESTkey00000001","access_key_secret":"{SECRET}",
                "ram_role_arn":"{ROLE}","ram_session_name":"deploy","expired_seconds":"1800",
                "external_id":"ext-1","policy":"{{}}","sts_region":"cn-shanghai"}}"#
        );
        let world = World::new()
            .file(".aliyun/config.json", &profiles("role", &[&profile]))
            .set("ALIBABA_CLOUD_STS_ENDPOINT", "http://127.0.0.1:9");
        let source = world.resolve(None).unwrap();
        let Source::AssumeRole {
            role, signer, sts, ..
        } = &source
        else {
            panic!("{source:?}")
        };
        assert_eq!(
            role,
            &RoleRequest {
                role_arn: ROLE.to_owned(),
                session_name: "deploy".to_owned(),
                duration_seconds: 1800,
                policy: Some("{}".to_owned()),
                external_id: Some("ext-1".to_owned()),
            }
        );
        // The profile's region wins over the environment's endpoint.
        assert_eq!(sts.to_string(), "https://sts.cn-shanghai.aliyuncs.com");
        let Source::Static { credentials, .. } = &**signer else {
            panic!("{signer:?}")
        };
        assert_eq!(credentials.access_key_id, "TESTkey00000001");
        assert_eq!(source.long_term_secret().unwrap().expose(), SECRET);

        let bad = profile.replace(r#""1800""#, r#""half an hour""#);
        let err = World::new()
            .file(".aliyun/config.json", &profiles("role", &[&bad]))
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::InvalidKey {
                    key: "expired_seconds",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn chainable_profiles_chain_any_length_and_a_cycle_is_an_error() {
        let base = format!(
            r#"{{"name":"base","mode":"AK","access_key_id":"TESTkey00000001","access_key_secret":"{SECRET}"}}"#
        );
        let link = |name: &str, source: &str, role: &str| {
            format!(
                r#"{{"name":"{name}","mode":"ChainableRamRoleArn","source_profile":"{source}","ram_role_arn":"acs:ram::1234567890123456:role/{role}"}}"#
            )
        };
        let config = profiles(
            "third",
            &[
                &base,
                &link("first", "base", "one"),
                &link("second", "first", "two"),
                &link("third", "second", "three"),
            ],
        );
        let source = World::new()
            .file(".aliyun/config.json", &config)
            .resolve(None)
            .unwrap();
        let mut roles = Vec::new();
        let mut at = &source;
        while let Source::AssumeRole { role, signer, .. } = at {
            roles.push(role.role_arn.rsplit('/').next().unwrap().to_owned());
            at = signer;
        }
        assert_eq!(roles, ["three", "two", "one"]);
        assert!(matches!(at, Source::Static { .. }));
        assert_eq!(source.long_term_secret().unwrap().expose(), SECRET);
        assert_eq!(source.network_sources().len(), 3);

        let world = World::new().file(
            ".aliyun/config.json",
            &profiles(
                "a",
                &[
                    &link("a", "b", "one"),
                    &link("b", "c", "two"),
                    &link("c", "a", "three"),
                ],
            ),
        );
        let err = world.resolve(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "the profiles in `{}` form a cycle of source profiles: `a` → `b` → `c` → `a`",
                world.path(".aliyun/config.json").display()
            )
        );
        assert!(err.hint().is_some());
        let err = World::new()
            .file(
                ".aliyun/config.json",
                &profiles("a", &[&link("a", "a", "one")]),
            )
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(err, CredentialsError::ProfileCycle { .. }),
            "{err}"
        );
        let err = World::new()
            .file(
                ".aliyun/config.json",
                &profiles("a", &[&link("a", "gone", "one")]),
            )
            .resolve(None)
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("names the source profile `gone`, which the file does not have"),
            "{err}"
        );
    }

    #[test]
    fn oidc_ecs_and_credentials_uri_profiles() {
        let oidc = format!(
            r#"{{"name":"oidc","mode":"OIDC","ram_role_arn":"{ROLE}","oidc_provider_arn":"acs:ram::1:oidc-provider/gh","oidc_token_file":"/t/token"}}"#
        );
        let ecs = r#"{"name":"ecs","mode":"EcsRamRole"}"#;
        let uri = r#"{"name":"uri","mode":"CredentialsURI","credentials_uri":"http://127.0.0.1:9/creds?key=k"}"#;
        let plain_uri = r#"{"name":"plain","mode":"CredentialsURI","credentials_uri":"http://creds.example.com/x"}"#;
        let config = profiles("oidc", &[&oidc, ecs, uri, plain_uri]);
        let world = World::new().file(".aliyun/config.json", &config);
        let source = world.resolve(None).unwrap();
        assert_eq!(role_of(&source).role_arn, ROLE);
        assert!(
            matches!(&source, Source::Oidc { token_file, .. } if token_file == Path::new("/t/token"))
        );
        assert!(matches!(
            world.resolve(Some("ecs")).unwrap(),
            Source::Ecs {
                role_name: None,
                imdsv1_disabled: false,
                ..
            }
        ));
        let uri = world.resolve(Some("uri")).unwrap();
        assert_eq!(uri.network_sources()[0], "http://127.0.0.1:9");
        let err = world.resolve(Some("plain")).unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::Location {
                    what: "credentials URI",
                    ..
                }
            ),
            "{err}"
        );
        let err = World::new()
            .file(
                ".aliyun/config.json",
                &profiles("x", &[r#"{"name":"x","mode":"OIDC","ram_role_arn":"a"}"#]),
            )
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::MissingKey {
                    key: "oidc_provider_arn",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn ini_role_types() {
        let ini = format!(
            "[role]\ntype = ram_role_arn\naccess_key_id = TESTkey00000001\naccess_key_secret = {SECRET}\n\
             role_arn = {ROLE}\nrole_session_name = ini-session\n\
             [oidc]\ntype = oidc_role_arn\nrole_arn = {ROLE}\noidc_provider_arn = acs:ram::1:oidc-provider/p\n\
             oidc_token_file_path = /t/token\n\
             [ecs]\ntype = ecs_ram_role\nrole_name = worker\n"
        );
        let world = World::new().file(".alibabacloud/credentials", &ini);
        let role = world.resolve(Some("role")).unwrap();
        assert_eq!(role_of(&role).session_name, "ini-session");
        assert!(matches!(role, Source::AssumeRole { .. }));
        let oidc = world.resolve(Some("oidc")).unwrap();
        assert!(matches!(oidc, Source::Oidc { .. }));
        assert!(matches!(
            world.resolve(Some("ecs")).unwrap(),
            Source::Ecs { role_name: Some(name), .. } if name == "worker"
        ));
    }

    #[test]
    fn the_profile_flag_skips_every_source_the_environment_configures() {
        let world = World::new()
            .set("ALIBABA_CLOUD_ROLE_ARN", ROLE)
            .set(
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/p",
            )
            .set("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/t")
            .set("ALIBABA_CLOUD_ECS_METADATA", "worker")
            .set(
                "ALIBABA_CLOUD_CREDENTIALS_URI",
                "https://creds.example.com/x",
            );
        let CredentialsError::NotFound { looked } = world.resolve(Some("prod")).unwrap_err() else {
            panic!("not NotFound")
        };
        assert_eq!(looked.len(), 4, "{looked:?}");
        assert!(looked[0].outcome.contains("--profile prod"));
    }

    #[test]
    fn the_config_file_may_be_elsewhere() {
        let elsewhere = World::new().file("elsewhere/config.json", &cli_config("sts"));
        let path = elsewhere.path("elsewhere/config.json");
        let world = elsewhere.set("ALIBABA_CLOUD_CONFIG_FILE", path.to_str().unwrap());
        assert_eq!(world.key_id(None), "STS.cliSts0001");
        let err = World::new()
            .set("ALIBABA_CLOUD_CONFIG_FILE", "/nonexistent/config.json")
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::FileMissing {
                    variable: "ALIBABA_CLOUD_CONFIG_FILE",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_long_term_key_needs_no_sts_endpoint_and_sts_credentials_do() {
        let world = World::new()
            .set("ALIBABA_CLOUD_STS_ENDPOINT", "http://sts.example.com")
            .set("ALIBABA_CLOUD_ACCESS_KEY_ID", "TESTenv00000001")
            .set("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);
        assert!(world.resolve(None).unwrap().network_sources().is_empty());
        let err = world
            .set("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN)
            .resolve(None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                CredentialsError::Location {
                    what: "STS endpoint",
                    ..
                }
            ),
            "{err}"
        );
    }

    /// Issue 12: a credentials URI hands out credentials to whoever reads
    /// it, so a manifest may not interpolate it either.
    #[test]
    fn the_credentials_uri_is_a_secret_variable() {
        assert!(env::is_secret_variable(env::ALIBABA_CLOUD_CREDENTIALS_URI));
        for not_secret in [
            env::ALIBABA_CLOUD_ROLE_ARN,
            env::ALIBABA_CLOUD_OIDC_TOKEN_FILE,
        ] {
            assert!(!env::is_secret_variable(not_secret), "{not_secret}");
        }
    }
}
