//! Where the AccessKey comes from: the lookup chain of Alibaba Cloud's own
//! tools (`aiccs-api.md` §5), limited to static keys and STS tokens.
//!
//! Order:
//! 1. the environment: `ALIBABA_CLOUD_ACCESS_KEY_ID` + `_SECRET` (+
//!    `ALIBABA_CLOUD_SECURITY_TOKEN`), then the legacy `ALIBABACLOUD_*`, then
//!    `ALICLOUD_*` (§5.1). Skipped when `--profile` names a profile: asking
//!    for a profile and silently getting the environment's key instead would
//!    act on the wrong account;
//! 2. the aliyun CLI's `~/.aliyun/config.json` (§5.2), unless
//!    `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`: the profile from
//!    `--profile`, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`;
//!    modes `AK` and `StsToken`;
//! 3. the INI file (§5.3): `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
//!    `~/.alibabacloud/credentials.ini`, then `~/.alibabacloud/credentials`;
//!    section = the profile, default `default`; `type = access_key`.
//!
//! A half-configured source (an ID without its secret, a profile of an
//! unsupported mode) is an error, never a silent fall-through to the next
//! source. Nothing found is one error listing every place looked at.
//!
//! The environment and the home directory are parameters, so every branch
//! is tested without touching the real ones. Secrets are [`Secret`]s from
//! the moment they are read; no error here holds a secret.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env;
use crate::secret::{MASK, MIN_SCRUBBED_LEN, Scrubber, Secret};

use super::error::{CredentialsError, Lookup};
use super::file_value::{self, FileValue};

/// An AccessKey pair (and STS token), with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey ID. Not secret, but shown only in part ([`Credentials::key_hint`]).
    pub access_key_id: String,
    /// The AccessKey secret.
    pub access_key_secret: Secret,
    /// The STS security token, for temporary credentials.
    pub security_token: Option<Secret>,
    /// Where they were found, for messages.
    pub source: CredentialSource,
}

impl Credentials {
    /// Credentials given directly (the emulator's pair, tests).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: Secret,
        description: impl Into<String>,
    ) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret,
            security_token: None,
            source: CredentialSource::Given {
                description: description.into(),
            },
        }
    }

    /// The AccessKey ID reduced to its last four characters (`****abcd`),
    /// for messages that must say which key was used without printing it.
    pub fn key_hint(&self) -> String {
        crate::secret::mask_access_key_id(&self.access_key_id)
    }

    /// What masks these credentials in text: the secret and the token as
    /// `****`, the AccessKey ID as its [`Credentials::key_hint`], each raw
    /// and percent-encoded once and twice (a gateway echoes its
    /// string-to-sign, which holds the encoded token and ID). Whole
    /// occurrences of long enough values only (see [`Scrubber`]).
    pub fn scrubber(&self) -> Scrubber {
        let mut scrubber = Scrubber::new();
        for secret in std::iter::once(&self.access_key_secret).chain(&self.security_token) {
            for form in encoded_forms(secret.expose()) {
                scrubber.add(&form, MASK);
            }
        }
        let hint = self.key_hint();
        for form in encoded_forms(&self.access_key_id) {
            scrubber.add(&form, &hint);
        }
        scrubber
    }

    /// `text` from elsewhere (a server's message, a transport error) with
    /// these credentials masked, before it is kept or shown.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber().scrub(text).into_owned()
    }
}

/// A value as it is, and percent-encoded once and twice; nothing for a
/// value too short to scrub, whose encoded forms may be long enough but
/// would mask the same ordinary text.
fn encoded_forms(raw: &str) -> Vec<String> {
    if raw.chars().count() < MIN_SCRUBBED_LEN {
        return Vec::new();
    }
    let once = super::sign::percent_encode(raw);
    let twice = super::sign::percent_encode(&once);
    vec![raw.to_owned(), once, twice]
}

/// Where credentials were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Environment variables; `variable` is the AccessKey ID's.
    Environment {
        /// e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`.
        variable: &'static str,
    },
    /// A profile of the aliyun CLI's `config.json`.
    CliProfile {
        /// The profile name.
        profile: String,
        /// The file.
        path: PathBuf,
    },
    /// A section of the INI credentials file.
    IniFile {
        /// The section name.
        profile: String,
        /// The file.
        path: PathBuf,
    },
    /// Given by the program (the emulator's pair, tests).
    Given {
        /// What they are, e.g. `the embedded emulator's demo pair`.
        description: String,
    },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Environment { variable } => write!(f, "environment (`{variable}`)"),
            CredentialSource::CliProfile { profile, path } => {
                write!(f, "profile `{profile}` in `{}`", path.display())
            }
            CredentialSource::IniFile { profile, path } => {
                write!(f, "section `[{profile}]` of `{}`", path.display())
            }
            CredentialSource::Given { description } => f.write_str(description),
        }
    }
}

impl CredentialSource {
    /// Where the AccessKey secret itself came from, for messages about a
    /// wrong secret. For the environment that is the secret's own variable,
    /// not the ID's one that [`CredentialSource::Environment`] records: a
    /// user told to check `ALIBABA_CLOUD_ACCESS_KEY_ID` would look at the
    /// wrong value. A profile or section holds both, so it is named whole.
    pub fn secret_origin(&self) -> String {
        if let CredentialSource::Environment { variable } = self
            && let Some([_, secret, _]) = ENV_GROUPS.iter().find(|[id, ..]| id == variable)
        {
            return format!("environment (`{secret}`)");
        }
        self.to_string()
    }
}

/// The environment variable triples, in the order they are read (§5.1).
const ENV_GROUPS: [[&str; 3]; 3] = [
    [
        env::ALIBABA_CLOUD_ACCESS_KEY_ID,
        env::ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        env::ALIBABA_CLOUD_SECURITY_TOKEN,
    ],
    [
        env::ALIBABACLOUD_ACCESS_KEY_ID,
        env::ALIBABACLOUD_ACCESS_KEY_SECRET,
        env::ALIBABACLOUD_SECURITY_TOKEN,
    ],
    [
        env::ALICLOUD_ACCESS_KEY_ID,
        env::ALICLOUD_ACCESS_KEY_SECRET,
        env::ALICLOUD_SECURITY_TOKEN,
    ],
];

/// Finds credentials: environment, then the aliyun CLI profile, then the
/// INI file (see the module docs for every rule).
///
/// `profile` is `--profile`; `env` reads an environment variable; `home` is
/// the home directory (`None` when there is none).
pub fn load_credentials(
    profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Credentials, CredentialsError> {
    // Empty or blank values count as unset: `FOO=` in a CI template is
    // common, and a pasted trailing newline would only fail as
    // SignatureDoesNotMatch much later.
    let get = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let flag_profile = profile.map(str::trim).filter(|p| !p.is_empty());
    let mut looked = Vec::new();

    if let Some(name) = flag_profile {
        looked.push(Lookup::new(
            "environment",
            format!("not read, because `--profile {name}` names a profile"),
        ));
    } else if let Some(found) = from_environment(&get, &mut looked)? {
        return Ok(found);
    }

    let named = flag_profile
        .map(str::to_owned)
        .or_else(|| get(env::ALIBABA_CLOUD_PROFILE));

    let cli_disabled = get(env::ALIBABA_CLOUD_CLI_PROFILE_DISABLED)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    match home {
        _ if cli_disabled => looked.push(Lookup::new(
            "~/.aliyun/config.json",
            format!(
                "skipped, because `{}=true`",
                env::ALIBABA_CLOUD_CLI_PROFILE_DISABLED
            ),
        )),
        None => looked.push(Lookup::new(
            "~/.aliyun/config.json",
            "no home directory".to_owned(),
        )),
        Some(home) => {
            let path = home.join(".aliyun").join("config.json");
            if let Some(found) = from_cli_config(&path, named.as_deref(), &mut looked)? {
                return Ok(found);
            }
        }
    }

    let section = named.as_deref().unwrap_or("default");
    let ini_paths = match get(env::ALIBABA_CLOUD_CREDENTIALS_FILE) {
        Some(path) => {
            let path = PathBuf::from(path);
            if !path.exists() {
                return Err(CredentialsError::CredentialsFileMissing { path });
            }
            vec![path]
        }
        None => match home {
            Some(home) => {
                let dir = home.join(".alibabacloud");
                vec![dir.join("credentials.ini"), dir.join("credentials")]
            }
            None => {
                looked.push(Lookup::new(
                    "~/.alibabacloud/credentials.ini",
                    "no home directory".to_owned(),
                ));
                Vec::new()
            }
        },
    };
    for path in ini_paths {
        if let Some(found) = from_ini_file(&path, section, &mut looked)? {
            return Ok(found);
        }
    }

    Err(CredentialsError::NotFound { looked })
}

/// Loads credentials from the real environment and home directory.
pub fn load_credentials_from_system(
    profile: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let home = std::env::home_dir();
    load_credentials(profile, &|name| std::env::var(name).ok(), home.as_deref())
}

fn from_environment(
    get: &dyn Fn(&str) -> Option<String>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Credentials>, CredentialsError> {
    for [id_var, secret_var, token_var] in ENV_GROUPS {
        let (id, secret, token) = (get(id_var), get(secret_var), get(token_var));
        match (id, secret) {
            (Some(id), Some(secret)) => {
                return Ok(Some(Credentials {
                    access_key_id: id,
                    access_key_secret: Secret::new(secret),
                    security_token: token.map(Secret::new),
                    source: CredentialSource::Environment { variable: id_var },
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
    if get(env::ALICLOUD_ACCESS_KEY).is_some() {
        outcome.push_str(&format!(
            "; `{}` (Terraform's name) is set but not read",
            env::ALICLOUD_ACCESS_KEY
        ));
    }
    if get(env::ACCESS_KEY_ID).is_some() {
        outcome.push_str(&format!(
            "; `{}` is set but too generic to trust, so not read",
            env::ACCESS_KEY_ID
        ));
    }
    looked.push(Lookup::new("environment", outcome));
    Ok(None)
}

/// Reads a file; `None`, noted in `looked`, when it does not exist.
fn read_or_note(
    path: &Path,
    place: &str,
    looked: &mut Vec<Lookup>,
) -> Result<Option<String>, CredentialsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            looked.push(Lookup::new(place, "no such file".to_owned()));
            Ok(None)
        }
        Err(source) => Err(CredentialsError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

fn from_cli_config(
    path: &Path,
    named: Option<&str>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Credentials>, CredentialsError> {
    let place = format!("`{}`", path.display());
    let Some(text) = read_or_note(path, &place, looked)? else {
        return Ok(None);
    };
    // Parsed as a generic value first: serde's typed errors quote the value
    // they choked on, and a value here may be a secret.
    let config: serde_json::Value =
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
    let profiles = config
        .get("profiles")
        .and_then(|v| v.as_array())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(entry) = profiles
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(profile.as_str()))
    else {
        let names = profiles
            .iter()
            .filter_map(|p| p.get("name").and_then(|n| n.as_str()));
        let has = file_value::profile_list(names);
        let outcome = match shown {
            FileValue::Word(_) => format!("no profile {shown} ({has})"),
            FileValue::Unrecognised { .. } => {
                format!("no profile named by `current` ({shown}; {has})")
            }
        };
        looked.push(Lookup::new(place, outcome));
        return Ok(None);
    };

    let field = |key: &'static str| {
        entry
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| CredentialsError::MissingKey {
                path: path.to_owned(),
                profile: profile.clone(),
                key,
            })
    };
    let mode = field("mode")?;
    // The aliyun CLI matches mode names case-insensitively (§5.2).
    let with_token = if mode.eq_ignore_ascii_case("AK") {
        false
    } else if mode.eq_ignore_ascii_case("StsToken") {
        true
    } else {
        return Err(CredentialsError::UnsupportedMode {
            path: path.to_owned(),
            profile,
            mode: FileValue::mode(&mode),
        });
    };
    let access_key_id = field("access_key_id")?;
    let access_key_secret = Secret::new(field("access_key_secret")?);
    let security_token = if with_token {
        Some(Secret::new(field("sts_token")?))
    } else {
        None
    };
    Ok(Some(Credentials {
        access_key_id,
        access_key_secret,
        security_token,
        source: CredentialSource::CliProfile {
            profile,
            path: path.to_owned(),
        },
    }))
}

fn from_ini_file(
    path: &Path,
    section: &str,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Credentials>, CredentialsError> {
    let place = format!("`{}`", path.display());
    let Some(text) = read_or_note(path, &place, looked)? else {
        return Ok(None);
    };
    let sections = parse_ini(&text).map_err(|line| CredentialsError::IniSyntax {
        path: path.to_owned(),
        line,
    })?;
    let Some((_, entries)) = sections.iter().rev().find(|(name, _)| name == section) else {
        looked.push(Lookup::new(place, format!("no section `[{section}]`")));
        return Ok(None);
    };
    let field = |key: &'static str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CredentialsError::MissingKey {
                path: path.to_owned(),
                profile: section.to_owned(),
                key,
            })
    };
    let kind = field("type")?;
    if kind != "access_key" {
        return Err(CredentialsError::UnsupportedType {
            path: path.to_owned(),
            profile: section.to_owned(),
            kind: FileValue::ini_type(&kind),
        });
    }
    Ok(Some(Credentials {
        access_key_id: field("access_key_id")?,
        access_key_secret: Secret::new(field("access_key_secret")?),
        security_token: None,
        source: CredentialSource::IniFile {
            profile: section.to_owned(),
            path: path.to_owned(),
        },
    }))
}

type IniSections = Vec<(String, Vec<(String, String)>)>;

/// A Python-`configparser`-like reader: `[section]`, `key = value` or
/// `key: value` (keys lowercased), whole-line `#`/`;` comments, indented
/// continuation lines; then, as the Python credentials loader does, text
/// after a `#` inside a value is dropped (§5.3). No escapes: a `\` in a
/// secret stays a `\`. Errors give the 1-based line.
fn parse_ini(text: &str) -> Result<IniSections, usize> {
    let mut sections: IniSections = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let indented = raw.starts_with([' ', '\t']);
        if let Some(name) = line.strip_prefix('[') {
            let name = name.strip_suffix(']').ok_or(index + 1)?;
            sections.push((name.trim().to_owned(), Vec::new()));
            continue;
        }
        let (_, entries) = sections.last_mut().ok_or(index + 1)?;
        if indented && let Some((_, value)) = entries.last_mut() {
            value.push('\n');
            value.push_str(line);
            continue;
        }
        let split = line.find(['=', ':']).ok_or(index + 1)?;
        let key = line[..split].trim().to_ascii_lowercase();
        entries.push((key, line[split + 1..].trim().to_owned()));
    }
    for (_, entries) in &mut sections {
        for (_, value) in entries.iter_mut() {
            if let Some(hash) = value.find('#') {
                value.truncate(hash);
            }
            *value = value.trim().to_owned();
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

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

        fn load(&self, profile: Option<&str>) -> Result<Credentials, CredentialsError> {
            load_credentials(
                profile,
                &|name| self.vars.get(name).cloned(),
                Some(self.home.path()),
            )
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
                {{"name":"role","mode":"RamRoleArn","access_key_id":"TESTrole000001","access_key_secret":"{SECRET}","ram_role_arn":"acs:ram::1:role/x"}},
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
type = ram_role_arn
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
                "profile `role` in `{}` uses mode `RamRoleArn`, which aicall does not support",
                world.path(".aliyun/config.json").display()
            )
        );
        assert!(err.hint().unwrap().contains("AK"));
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
            matches!(&err, CredentialsError::UnsupportedType { kind: FileValue::Word(kind), .. } if kind == "ram_role_arn"),
            "{err}"
        );
        assert!(err.to_string().contains("`ram_role_arn`"));
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
            CredentialsError::CredentialsFileMissing { .. }
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
        let err = load_credentials(None, &|_| None, None).unwrap_err();
        assert!(err.to_string().contains("no home directory"), "{err}");
    }

    #[test]
    fn ini_parser_follows_configparser() {
        let sections = parse_ini(
            "[a]\nKey = v # c\nmulti =\n  line1\n  line2\n; note\n[b]\nx: y:z\nkey = back\\slash\n",
        )
        .unwrap();
        assert_eq!(sections[0].0, "a");
        assert_eq!(sections[0].1[0], ("key".to_owned(), "v".to_owned()));
        assert_eq!(
            sections[0].1[1],
            ("multi".to_owned(), "line1\nline2".to_owned())
        );
        assert_eq!(sections[1].1[0], ("x".to_owned(), "y:z".to_owned()));
        assert_eq!(sections[1].1[1].1, "back\\slash");
        assert_eq!(parse_ini("key = value\n"), Err(1));
        assert_eq!(parse_ini("[a]\n[b\n"), Err(2));
        assert_eq!(parse_ini("[a]\nno separator\n"), Err(2));
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
                let text = match world.load(profile) {
                    Ok(found) => format!("{found:?} {} {}", found.source, found.key_hint()),
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
        const PASTED: &str = "Xq7pL2mN9vR4tY8wK3jH6fD1sA5gZ0";
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
            &config("default", &[profile("default", "ecsramrole")]),
        );
        assert!(
            world
                .load(None)
                .unwrap_err()
                .to_string()
                .ends_with("uses mode `ecsramrole`, which aicall does not support")
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
            looked[1].outcome,
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

    #[test]
    fn key_hint_shows_only_the_tail() {
        let creds = Credentials::new("TEST5tAbCdEfGh1234", Secret::new("x"), "test");
        assert_eq!(creds.key_hint(), "****1234");
        assert_eq!(
            Credentials::new("short", Secret::new("x"), "test").key_hint(),
            "****"
        );
    }

    #[test]
    fn scrub_removes_raw_and_encoded_forms() {
        let mut creds =
            Credentials::new("LTAI5tExampleKeyId00abcd", Secret::new("a b/c=d+e"), "test");
        creds.security_token = Some(Secret::new(TOKEN));
        let text = "sts: POST&%2F&AccessKeyId%3DLTAI5tExampleKeyId00abcd%26SecurityToken%3DCAIS%252Btoken%252Fwith%253Dchars \
                    raw CAIS+token/with=chars secret a%20b%2Fc%3Dd%2Be (a b/c=d+e)";
        assert_eq!(
            creds.scrub(text),
            "sts: POST&%2F&AccessKeyId%3D****abcd%26SecurityToken%3D**** raw **** secret **** (****)"
        );
    }

    #[test]
    fn scrub_leaves_short_values_and_longer_words_alone() {
        let creds = Credentials::new("LTAI5tExampleKeyId00abcd", Secret::new("s"), "test");
        let text = "10s later; key LTAI5tExampleKeyId00abcdef is another";
        assert_eq!(creds.scrub(text), text);
        let creds = Credentials::new("short", Secret::new("a b"), "test");
        assert_eq!(creds.scrub("short a%20b a b"), "short a%20b a b");
    }
}
