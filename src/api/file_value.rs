//! Values of the credentials files as messages may show them (issue 7).
//!
//! A message about a profile quotes what the file says (`mode`, `type`,
//! `current`, the profiles' names), and a secret pasted into the wrong key
//! would be quoted with it. So a value is shown only when it looks like
//! what the key holds: a documented word for `mode` and `type`
//! (`aiccs-api.md` §5.2, §5.3), something name-like for a profile's name;
//! anything else is described by its length.

use std::fmt;

/// The documented `mode`s of `config.json` (§5.2): the ones a message may
/// name. Any other value is described by its length only.
const CLI_MODES: &[&str] = &[
    "AK",
    "StsToken",
    "RamRoleArn",
    "EcsRamRole",
    "ChainableRamRoleArn",
    "OIDC",
    "CredentialsURI",
    "External",
    "CloudSSO",
    "OAuth",
    "BearerToken",
    "Anonymous",
    "RsaKeyPair",
    "RamRoleArnWithRoleName",
];

/// The documented `type`s of the INI file (§5.3), likewise.
const INI_TYPES: &[&str] = &[
    "access_key",
    "ram_role_arn",
    "ecs_ram_role",
    "oidc_role_arn",
    "rsa_key_pair",
];

/// A value read from a credentials file, as a message may show it
/// (issue 7): itself when it is a word such a key holds, else only its
/// length, since a secret pasted into the wrong key (`mode`, `current`,
/// `type`) must not be echoed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileValue {
    /// Shown as written.
    Word(String),
    /// Not shown.
    Unrecognised {
        /// How many characters it has.
        chars: usize,
    },
}

impl FileValue {
    /// A `config.json` `mode`: shown when it is a documented one.
    pub fn mode(text: &str) -> FileValue {
        FileValue::known(text, CLI_MODES)
    }

    /// An INI file's `type`: shown when it is a documented one.
    pub fn ini_type(text: &str) -> FileValue {
        FileValue::known(text, INI_TYPES)
    }

    /// `text` when it is one of `known` (in any letter case, as the aliyun
    /// CLI matches modes), else only its length.
    fn known(text: &str, known: &[&str]) -> FileValue {
        if known.iter().any(|word| word.eq_ignore_ascii_case(text)) {
            FileValue::Word(text.to_owned())
        } else {
            FileValue::unrecognised(text)
        }
    }

    /// `text` when it looks like a name someone chose (a profile's): at
    /// most 32 letters, digits, `-`, `_` and `.`, without a run of 12 or
    /// more ASCII letters and digits that mixes both, as generated keys
    /// do; else only its length.
    pub fn name(text: &str) -> FileValue {
        let wordlike = (1..=32).contains(&text.chars().count())
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        let keylike = text.split(|c: char| !c.is_ascii_alphanumeric()).any(|run| {
            run.len() >= 12
                && run.contains(|c: char| c.is_ascii_digit())
                && run.contains(|c: char| c.is_ascii_alphabetic())
        });
        if wordlike && !keylike {
            FileValue::Word(text.to_owned())
        } else {
            FileValue::unrecognised(text)
        }
    }

    /// A RAM ARN (`acs:ram::<account>:role/<name>`, `…:oidc-provider/<name>`):
    /// shown when it has that shape, else only its length.
    pub fn arn(text: &str) -> FileValue {
        let shaped = text
            .strip_prefix("acs:ram::")
            .and_then(|rest| rest.split_once(':'))
            .and_then(|(account, rest)| Some((account, rest.split_once('/')?)))
            .is_some_and(|(account, (kind, name))| {
                !account.is_empty()
                    && account.bytes().all(|b| b.is_ascii_digit() || b == b'*')
                    && matches!(kind, "role" | "oidc-provider" | "saml-provider")
                    && (1..=128).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.@+=,/".contains(c))
            });
        if shaped {
            FileValue::Word(text.to_owned())
        } else {
            FileValue::unrecognised(text)
        }
    }

    fn unrecognised(text: &str) -> FileValue {
        FileValue::Unrecognised {
            chars: text.chars().count(),
        }
    }
}

impl fmt::Display for FileValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileValue::Word(word) => write!(f, "`{word}`"),
            FileValue::Unrecognised { chars: 1 } => {
                f.write_str("an unrecognised value of 1 character")
            }
            FileValue::Unrecognised { chars } => {
                write!(f, "an unrecognised value of {chars} characters")
            }
        }
    }
}

/// "it has `a`, `b` and 1 unrecognised name": a profile's `name` is shown
/// only if it looks like one ([`FileValue::name`]).
pub(crate) fn profile_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut shown = Vec::new();
    let mut hidden = 0;
    for name in names {
        match FileValue::name(name) {
            FileValue::Word(_) => shown.push(format!("`{name}`")),
            FileValue::Unrecognised { .. } => hidden += 1,
        }
    }
    let hidden = match hidden {
        0 => None,
        1 => Some("1 unrecognised name".to_owned()),
        n => Some(format!("{n} unrecognised names")),
    };
    match (shown.is_empty(), hidden) {
        (true, None) => "the file has no profiles".to_owned(),
        (true, Some(hidden)) => format!("it has {hidden}"),
        (false, None) => format!("it has {}", shown.join(", ")),
        (false, Some(hidden)) => format!("it has {} and {hidden}", shown.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_are_shown_only_when_they_look_like_their_words() {
        assert_eq!(
            FileValue::mode("ststoken"),
            FileValue::Word("ststoken".into())
        );
        assert_eq!(
            FileValue::mode("AccessKey"),
            FileValue::Unrecognised { chars: 9 }
        );
        for name in ["default", "prod-2024", "team.ops_cn", "生产", "a1b2c3d4e5f"] {
            assert_eq!(
                FileValue::name(name),
                FileValue::Word(name.into()),
                "{name}"
            );
        }
        for key in [
            "FAKE0secret0FAKE0secret0FAKE00",
            "it-secret-9f2c7e41d8b3a605",
            "CAIS+token/with=chars",
            "a name with spaces",
            "",
            &"x".repeat(33),
        ] {
            assert!(
                matches!(FileValue::name(key), FileValue::Unrecognised { .. }),
                "{key}"
            );
        }
        assert_eq!(
            FileValue::Unrecognised { chars: 1 }.to_string(),
            "an unrecognised value of 1 character"
        );
    }

    #[test]
    fn arns_are_shown_only_when_they_look_like_arns() {
        for arn in [
            "acs:ram::1234567890123456:role/deployer",
            "acs:ram::1234567890123456:oidc-provider/ack-rrsa-c1",
            "acs:ram::12345678901****:role/aliyunserviceroleforx",
        ] {
            assert_eq!(FileValue::arn(arn), FileValue::Word(arn.into()), "{arn}");
        }
        for other in [
            "FAKE0secret0FAKE0secret0FAKE00",
            "acs:ram::x1:role/deployer",
            "acs:ram::1:user/alice",
            "acs:ram::1:role/a b",
        ] {
            assert!(
                matches!(FileValue::arn(other), FileValue::Unrecognised { .. }),
                "{other}"
            );
        }
    }

    #[test]
    fn profile_lists_count_what_they_do_not_show() {
        let list = |names: &[&str]| profile_list(names.iter().copied());
        assert_eq!(list(&[]), "the file has no profiles");
        assert_eq!(list(&["a", "b"]), "it has `a`, `b`");
        assert_eq!(
            list(&["a", "FAKE0secret0FAKE0secret0FAKE00"]),
            "it has `a` and 1 unrecognised name"
        );
        assert_eq!(
            list(&[
                "FAKE0secret0FAKE0secret0FAKE00",
                "FAKE0secret0FAKE0secret0FAKE01"
            ]),
            "it has 2 unrecognised names"
        );
    }
}
