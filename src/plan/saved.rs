//! Saved plans (`plan --out FILE`, `apply --plan FILE`): the file, its
//! digests and its seal.
//!
//! A saved plan records what it was made from and against: the manifest
//! paths (relative to the working directory), a digest per desired task
//! (name and configuration after interpolation, so a changed `${VAR}`
//! counts as a change while a moved comment does not), the plan itself
//! with its target, each action's precondition, and a seal. The seal is an
//! HMAC over all of that, keyed by the credentials the plan was made with:
//! whoever edits the file without those credentials cannot make it apply.
//! What `apply --plan` checks before it trusts a plan is in
//! [`super::check`]. Reading and writing the file is the caller's job; this
//! module only converts, digests and seals.

use std::collections::BTreeMap;

use hmac::{KeyInit as _, Mac as _};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::secret::Secret;
use crate::secret::digest::{hex_lower, sha256_hex, signatures_equal};

use super::model::{DesiredTask, FORMAT_VERSION, Plan, Step, TaskConfig, TaskStatus};

/// The `kind` of a saved plan file, so other JSON is recognised as such.
pub const SAVED_KIND: &str = "aicall-saved-plan";

/// What must still hold for an action to be applied as planned.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Precondition {
    /// No account task carries this exact name (a create, or a rename's
    /// new name).
    NoTaskNamed {
        /// The name.
        name: String,
    },
    /// An existing task `apply` acts on is as the plan saw it: the same
    /// status and configuration.
    #[serde(rename_all = "camelCase")]
    TaskState {
        /// The manifest task's name.
        name: String,
        /// The task's ID.
        task_id: String,
        /// Its status when the plan was made.
        status: Option<TaskStatus>,
        /// The digest of its configuration when the plan was made.
        config_digest: String,
    },
}

/// A plan written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedPlan {
    /// Always [`SAVED_KIND`].
    pub kind: String,
    /// The manifest paths the plan was made from, relative to the working
    /// directory and inside it.
    pub paths: Vec<String>,
    /// Digest of each desired task, by name.
    pub task_digests: BTreeMap<String, String>,
    /// The preconditions of the plan's actions, in order.
    pub preconditions: Vec<Precondition>,
    /// The plan itself.
    pub plan: Plan,
    /// `hmac-sha256:<hex>` over everything above, keyed by the AccessKey
    /// secret the plan was made with.
    pub seal: String,
}

/// The sealed part of a saved plan, in the order it is serialised.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sealed<'a> {
    kind: &'a str,
    paths: &'a [String],
    task_digests: &'a BTreeMap<String, String>,
    preconditions: &'a [Precondition],
    plan: &'a Plan,
}

impl SavedPlan {
    /// Wraps `plan`, made from `desired` read from `paths`, sealed with
    /// `key` (the AccessKey secret the plan was made with).
    pub fn new(plan: Plan, desired: &[DesiredTask], paths: Vec<String>, key: &Secret) -> SavedPlan {
        let mut saved = SavedPlan {
            kind: SAVED_KIND.to_owned(),
            paths,
            task_digests: desired
                .iter()
                .map(|t| (t.name.clone(), task_digest(t)))
                .collect(),
            preconditions: preconditions_of(&plan),
            plan,
            seal: String::new(),
        };
        saved.seal = saved.compute_seal(key);
        saved
    }

    /// Parses a saved plan, telling apart "not a plan" from "a plan of a
    /// format this version cannot read" from "a damaged plan".
    pub fn from_json(text: &str) -> Result<SavedPlan, SavedPlanError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SavedPlanError::NotJson(e.to_string()))?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(SAVED_KIND) {
            return Err(SavedPlanError::NotAPlan);
        }
        let version = value
            .pointer("/plan/formatVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        check_version(&version)?;
        serde_json::from_value(value).map_err(|e| SavedPlanError::Malformed(e.to_string()))
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Whether the seal is the one `key` makes for this content: false
    /// when anything was changed after the plan was written, or when it is
    /// applied with other credentials than it was made with.
    pub fn seal_holds(&self, key: &Secret) -> bool {
        // A timing side channel on a local file check reveals nothing
        // worth having, but compare in full anyway.
        signatures_equal(&self.compute_seal(key), &self.seal)
    }

    fn compute_seal(&self, key: &Secret) -> String {
        let content = serde_json::to_vec(&Sealed {
            kind: &self.kind,
            paths: &self.paths,
            task_digests: &self.task_digests,
            preconditions: &self.preconditions,
            plan: &self.plan,
        })
        .unwrap_or_default();
        // The secret itself never keys the content: a derived key, so the
        // seal is useless for anything but seals.
        let derived = hmac_sha256(key.expose().as_bytes(), b"aicall saved plan seal v1");
        format!(
            "hmac-sha256:{}",
            hex_lower(&hmac_sha256(&derived, &content))
        )
    }
}

/// The preconditions a plan's steps rest on, in entry order: every create
/// and rename needs its name to be free; every other step needs its task
/// as the plan saw it.
pub fn preconditions_of(plan: &Plan) -> Vec<Precondition> {
    let mut out = Vec::new();
    for entry in plan.actions() {
        if entry.steps.contains(&Step::Create) || entry.renamed_from.is_some() {
            out.push(Precondition::NoTaskNamed {
                name: entry.name.clone(),
            });
        }
        if let (Some(task_id), Some(account)) = (&entry.task_id, &entry.account) {
            out.push(Precondition::TaskState {
                name: entry.name.clone(),
                task_id: task_id.clone(),
                status: entry.status,
                config_digest: config_digest(account),
            });
        }
    }
    out
}

/// Digest of a task's configuration as the account reported it.
pub fn config_digest(config: &TaskConfig) -> String {
    let canonical = serde_json::to_vec(config).unwrap_or_default();
    sha256_hex(&canonical)[..16].to_owned()
}

/// Accepts this format's major version at a minor no newer than this
/// aicall's: a newer minor may carry steps it does not know.
fn check_version(found: &str) -> Result<(), SavedPlanError> {
    let parse = |text: &str| -> Option<(u32, u32)> {
        let (major, minor) = text.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (digits(major) && digits(minor)).then_some(())?;
        Some((major.parse().ok()?, minor.parse().ok()?))
    };
    let ours = parse(FORMAT_VERSION).unwrap_or((0, 0));
    match parse(found) {
        Some((major, minor)) if major == ours.0 && minor <= ours.1 => Ok(()),
        _ => Err(SavedPlanError::Version {
            found: found.to_owned(),
        }),
    }
}

/// Why a saved plan file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedPlanError {
    /// The file is not JSON.
    #[error("not a saved plan: not JSON ({0})")]
    NotJson(String),
    /// The file is JSON but not a saved plan.
    #[error(
        "not a saved plan: `kind` is not `{SAVED_KIND}` (make one with `aicall plan --out FILE`)"
    )]
    NotAPlan,
    /// The plan's format version is not one this aicall reads.
    #[error("the plan's format version `{found}` is not one this aicall reads (it reads {FORMAT_VERSION} and older {}.x)", FORMAT_VERSION.split('.').next().unwrap_or_default())]
    Version {
        /// The version found.
        found: String,
    },
    /// The plan is damaged.
    #[error("the saved plan is malformed: {0}")]
    Malformed(String),
}

/// Digest of all desired tasks: SHA-256 over each task's digest in name
/// order, so reordering tasks or files changes nothing.
pub fn manifest_digest(desired: &[DesiredTask]) -> String {
    let mut digests: Vec<(&str, String)> = desired
        .iter()
        .map(|t| (t.name.as_str(), task_digest(t)))
        .collect();
    digests.sort();
    let mut hasher = Sha256::new();
    for (name, digest) in digests {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(digest.as_bytes());
        hasher.update([0]);
    }
    format!("sha256:{}", hex_lower(&hasher.finalize()))
}

/// Digest of one task's name, configuration, declared status and old
/// names (not its position).
pub fn task_digest(task: &DesiredTask) -> String {
    let canonical =
        serde_json::to_vec(&(&task.name, &task.config, &task.status, &task.renamed_from))
            .unwrap_or_default();
    sha256_hex(&canonical)[..16].to_owned()
}

/// A short, stable fingerprint of an AccessKey ID: tells accounts apart in a
/// saved plan without storing the ID itself.
pub fn account_fingerprint(access_key_id: &str) -> String {
    sha256_hex(format!("aicall-account:{access_key_id}").as_bytes())[..16].to_owned()
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length.
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| {
        hmac::Hmac::<Sha256>::new_from_slice(&[0]).unwrap_or_else(|_| unreachable!())
    });
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::build::build;
    use crate::testing::{desired, inputs};

    fn plan_for(desired: &[DesiredTask]) -> Plan {
        build(inputs(desired, &[], 0)).expect("plan")
    }

    fn key() -> Secret {
        Secret::new("the-plans-secret")
    }

    #[test]
    fn a_saved_plan_round_trips_records_preconditions_and_holds_its_seal() {
        let desired = [desired("a", 1), desired("续费提醒", 2)];
        let saved = SavedPlan::new(
            plan_for(&desired),
            &desired,
            vec!["examples".to_owned()],
            &key(),
        );
        assert_eq!(
            saved.preconditions,
            [
                Precondition::NoTaskNamed {
                    name: "a".to_owned()
                },
                Precondition::NoTaskNamed {
                    name: "续费提醒".to_owned()
                },
            ]
        );
        assert!(saved.seal.starts_with("hmac-sha256:"), "{}", saved.seal);
        let back = SavedPlan::from_json(&saved.to_json()).expect("parses");
        assert_eq!(back, saved);
        assert!(back.seal_holds(&key()));
    }

    #[test]
    fn any_change_or_other_credentials_break_the_seal() {
        let desired = [desired("a", 1)];
        let saved = SavedPlan::new(plan_for(&desired), &desired, vec![], &key());
        assert!(!saved.seal_holds(&Secret::new("another-secret")));
        let mut edited = saved.clone();
        edited.plan.tasks[0].desired.concurrency = Some(499);
        assert!(!edited.seal_holds(&key()));
        let mut edited = saved.clone();
        edited.paths.push("/etc".to_owned());
        assert!(!edited.seal_holds(&key()));
        let mut edited = saved;
        edited.seal = "hmac-sha256:00".to_owned();
        assert!(!edited.seal_holds(&key()));
    }

    #[test]
    fn moving_a_task_changes_no_digest() {
        let before = [desired("a", 1), desired("b", 2)];
        let after = [desired("b", 40), desired("a", 80)];
        assert_eq!(manifest_digest(&before), manifest_digest(&after));
    }

    #[test]
    fn other_json_and_other_versions_are_refused() {
        assert_eq!(SavedPlan::from_json("{}"), Err(SavedPlanError::NotAPlan));
        assert!(matches!(
            SavedPlan::from_json("nope"),
            Err(SavedPlanError::NotJson(_))
        ));
        let text = SavedPlan::new(plan_for(&[]), &[], vec![], &key()).to_json();
        for version in [
            "1.0", "1.99", "3.0", "2.99", "2", "2.0.0", "two", "", "02.x",
        ] {
            let mut value: serde_json::Value = serde_json::from_str(&text).expect("json");
            value["plan"]["formatVersion"] = version.into();
            assert_eq!(
                SavedPlan::from_json(&value.to_string()),
                Err(SavedPlanError::Version {
                    found: version.to_owned()
                }),
                "{version}"
            );
        }
        assert!(SavedPlan::from_json(&text).is_ok());
    }

    #[test]
    fn a_shown_start_that_is_not_the_sent_one_is_malformed() {
        let mut task = desired("a", 1);
        task.config.start = Some(crate::testing::scheduled());
        let text = SavedPlan::new(plan_for(&[task.clone()]), &[task], vec![], &key()).to_json();
        let edited = text.replace("2030-12-01T09:00:00+08:00", "2033-12-01T09:00:00+08:00");
        assert_ne!(edited, text);
        assert!(matches!(
            SavedPlan::from_json(&edited),
            Err(SavedPlanError::Malformed(message)) if message.contains("not the same instant")
        ));
    }

    #[test]
    fn accounts_are_fingerprinted() {
        assert_eq!(account_fingerprint("a"), account_fingerprint("a"));
        assert_ne!(account_fingerprint("a"), account_fingerprint("b"));
    }
}
