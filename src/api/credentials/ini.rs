//! The credentials INI file (`aiccs-api.md` §5.3): the section of the
//! profile asked for, in the types aicall can use.
//!
//! | `type` | keys | credentials |
//! |---|---|---|
//! | `access_key` | `access_key_id`, `access_key_secret` | as they are |
//! | `ram_role_arn` | the same, `role_arn` (`role_session_name`, `policy`) | AssumeRole signed by the key |
//! | `oidc_role_arn` | `role_arn`, `oidc_provider_arn`, `oidc_token_file_path` (`role_session_name`, `policy`) | AssumeRoleWithOIDC |
//! | `ecs_ram_role` | `role_name` (optional) | the metadata service |
//!
//! The STS endpoint of the role types is the environment's
//! (`ALIBABA_CLOUD_STS_ENDPOINT`, `ALIBABA_CLOUD_STS_REGION`).

use std::path::Path;

use crate::secret::Secret;

use super::super::file_value::FileValue;
use super::environment::{self, Vars};
use super::error::{CredentialsError, Lookup};
use super::source::{RoleRequest, Source};
use super::{CredentialSource, Credentials};

/// The source of `section` in the INI file at `path`; `None`, noted in
/// `looked`, when the file or the section does not exist.
pub(crate) fn from_ini_file(
    path: &Path,
    section: &str,
    vars: Vars<'_>,
    looked: &mut Vec<Lookup>,
) -> Result<Option<Source>, CredentialsError> {
    let Some(text) = super::chain::read_or_note(path, looked)? else {
        return Ok(None);
    };
    let sections = parse_ini(&text).map_err(|line| CredentialsError::IniSyntax {
        path: path.to_owned(),
        line,
    })?;
    let Some((_, entries)) = sections.iter().rev().find(|(name, _)| name == section) else {
        looked.push(Lookup::file(path, format!("no section `[{section}]`")));
        return Ok(None);
    };
    let text = |key: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let field = |key: &'static str| {
        text(key).ok_or_else(|| CredentialsError::MissingKey {
            path: path.to_owned(),
            profile: section.to_owned(),
            key,
        })
    };
    let origin = CredentialSource::IniFile {
        profile: section.to_owned(),
        path: path.to_owned(),
    };
    let key = || -> Result<Credentials, CredentialsError> {
        Ok(Credentials {
            access_key_id: field("access_key_id")?,
            access_key_secret: Secret::new(field("access_key_secret")?),
            security_token: None,
            source: origin.clone(),
        })
    };
    let role = || -> Result<RoleRequest, CredentialsError> {
        Ok(RoleRequest {
            role_arn: field("role_arn")?,
            session_name: environment::session_name(vars, text("role_session_name")),
            duration_seconds: RoleRequest::DEFAULT_DURATION_SECONDS,
            policy: text("policy"),
            external_id: None,
        })
    };
    let sts = || environment::sts_endpoint(vars, None);
    let kind = field("type")?;
    let source = match kind.as_str() {
        "access_key" => Source::Static {
            credentials: key()?,
            sts: None,
        },
        "ram_role_arn" => {
            let role = role()?;
            Source::AssumeRole {
                signer: Box::new(Source::Static {
                    credentials: key()?,
                    sts: None,
                }),
                sts: sts()?,
                origin: environment::assumed(&role.role_arn, false, origin.clone()),
                role,
            }
        }
        "oidc_role_arn" => {
            let role = role()?;
            Source::Oidc {
                provider_arn: field("oidc_provider_arn")?,
                token_file: field("oidc_token_file_path")?.into(),
                sts: sts()?,
                origin: environment::assumed(&role.role_arn, true, origin.clone()),
                role,
            }
        }
        "ecs_ram_role" => environment::configured_ecs(vars, text("role_name"), origin.clone())?,
        _ => {
            return Err(CredentialsError::UnsupportedType {
                path: path.to_owned(),
                profile: section.to_owned(),
                kind: FileValue::ini_type(&kind),
            });
        }
    };
    Ok(Some(source))
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
    use super::*;

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
}
