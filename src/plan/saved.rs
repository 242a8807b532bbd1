//! Saved plans (`plan --out FILE`, `apply --plan FILE`) and their staleness.
//!
//! A saved plan records what it was made from and against: a digest per
//! desired task (name and configuration after interpolation, so a changed
//! `${VAR}` counts as a change while a moved comment does not), the
//! endpoint, the account's fingerprint, and each action's precondition.
//! `apply --plan` refuses the plan when any of them no longer holds and says
//! which. Reading and writing the file is the caller's job; this module only
//! converts and compares.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::model::{DesiredTask, Plan, Step, Target};

/// The `kind` of a saved plan file, so other JSON is recognised as such.
pub const SAVED_KIND: &str = "aicall-saved-plan";

/// What must still hold for an action to be applied as planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Precondition {
    /// No account task carries this exact name.
    NoTaskNamed {
        /// The name.
        name: String,
    },
}

impl fmt::Display for Precondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Precondition::NoTaskNamed { name } => write!(f, "no task named `{name}` exists"),
        }
    }
}

/// A plan written to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SavedPlan {
    /// Always [`SAVED_KIND`].
    pub kind: String,
    /// The manifest paths the plan was made from, as given.
    pub paths: Vec<String>,
    /// Digest of each desired task, by name.
    pub task_digests: BTreeMap<String, String>,
    /// The preconditions of the plan's actions, in order.
    pub preconditions: Vec<Precondition>,
    /// The plan itself.
    pub plan: Plan,
}

impl SavedPlan {
    /// Wraps `plan`, made from `desired` read from `paths`.
    pub fn new(plan: Plan, desired: &[DesiredTask], paths: Vec<String>) -> SavedPlan {
        let preconditions = plan
            .tasks
            .iter()
            .filter(|t| t.steps.contains(&Step::Create))
            .map(|t| Precondition::NoTaskNamed {
                name: t.name.clone(),
            })
            .collect();
        SavedPlan {
            kind: SAVED_KIND.to_owned(),
            paths,
            task_digests: desired
                .iter()
                .map(|t| (t.name.clone(), task_digest(t)))
                .collect(),
            preconditions,
            plan,
        }
    }

    /// Parses a saved plan, telling apart "not a plan" from "a plan of a
    /// format this version cannot read".
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
        if version.split('.').next() != super::model::FORMAT_VERSION.split('.').next() {
            return Err(SavedPlanError::Version { found: version });
        }
        serde_json::from_value(value).map_err(|e| SavedPlanError::Malformed(e.to_string()))
    }

    /// The file's text.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Everything that makes this plan inapplicable now, given the tasks
    /// the manifests declare now and a plan freshly made from them
    /// against the account: changed manifests, another endpoint or
    /// account, a failed precondition, or creates the saved plan lacks.
    /// Pure: reading the file and the account is the caller's job.
    pub fn check(&self, desired: &[DesiredTask], fresh: &Plan) -> Vec<Staleness> {
        let mut stale = self.manifest_and_target_changes(desired, &fresh.target);
        let fresh_creates: BTreeSet<&str> = fresh.creates().map(|t| t.name.as_str()).collect();
        for precondition in &self.preconditions {
            let Precondition::NoTaskNamed { name } = precondition;
            if fresh_creates.contains(name.as_str()) {
                continue;
            }
            let found = match fresh
                .tasks
                .iter()
                .find(|t| &t.name == name)
                .and_then(|t| t.task_id.as_deref())
            {
                Some(id) => format!("task {id} has that name now"),
                None => format!("`{name}` is no longer in the manifests"),
            };
            stale.push(Staleness::PreconditionFailed {
                precondition: precondition.clone(),
                found,
            });
        }
        let saved_creates: BTreeSet<&str> = self.plan.creates().map(|t| t.name.as_str()).collect();
        let unplanned: Vec<String> = fresh_creates
            .difference(&saved_creates)
            .map(|n| (*n).to_owned())
            .collect();
        // New tasks in the manifests are already reported as a manifest change.
        if !unplanned.is_empty() && stale.is_empty() {
            stale.push(Staleness::Unplanned { names: unplanned });
        }
        stale
    }

    /// What changed since the plan was made, short of the account's
    /// contents: the manifests, the endpoint, the account.
    fn manifest_and_target_changes(
        &self,
        desired: &[DesiredTask],
        target: &Target,
    ) -> Vec<Staleness> {
        let mut out = Vec::new();
        let current: BTreeMap<&str, String> = desired
            .iter()
            .map(|t| (t.name.as_str(), task_digest(t)))
            .collect();
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for (name, digest) in &current {
            match self.task_digests.get(*name) {
                None => added.push((*name).to_owned()),
                Some(saved) if saved != digest => changed.push((*name).to_owned()),
                Some(_) => {}
            }
        }
        let removed: Vec<String> = self
            .task_digests
            .keys()
            .filter(|name| !current.contains_key(name.as_str()))
            .cloned()
            .collect();
        if !(added.is_empty() && changed.is_empty() && removed.is_empty()) {
            out.push(Staleness::ManifestsChanged {
                added,
                changed,
                removed,
            });
        }
        if self.plan.target.endpoint != target.endpoint {
            out.push(Staleness::EndpointChanged {
                planned: self.plan.target.endpoint.clone(),
                current: target.endpoint.clone(),
            });
        }
        if self.plan.target.account_fingerprint != target.account_fingerprint {
            out.push(Staleness::AccountChanged {
                planned: self.plan.target.access_key.clone(),
                current: target.access_key.clone(),
            });
        }
        out
    }
}

/// Why a saved plan can no longer be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// The manifests' tasks differ from those the plan was made from.
    ManifestsChanged {
        /// Tasks added since.
        added: Vec<String>,
        /// Tasks whose configuration changed since.
        changed: Vec<String>,
        /// Tasks removed since.
        removed: Vec<String>,
    },
    /// The plan was made against another endpoint.
    EndpointChanged {
        /// The endpoint in the plan.
        planned: String,
        /// The endpoint now.
        current: String,
    },
    /// The plan was made with another AccessKey (another account, maybe).
    AccountChanged {
        /// The masked AccessKey ID in the plan.
        planned: String,
        /// The masked AccessKey ID now.
        current: String,
    },
    /// The account now lacks tasks it held when the plan was made (a task
    /// was renamed away), so creating only the planned ones would not
    /// converge.
    Unplanned {
        /// Tasks that now need creating but are not in the plan.
        names: Vec<String>,
    },
    /// An action's precondition no longer holds.
    PreconditionFailed {
        /// The precondition.
        precondition: Precondition,
        /// What holds instead, e.g. "task 1187… has that name now".
        found: String,
    },
}

impl fmt::Display for Staleness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Staleness::ManifestsChanged {
                added,
                changed,
                removed,
            } => {
                let mut parts = Vec::new();
                for (label, names) in [("added", added), ("changed", changed), ("removed", removed)]
                {
                    if !names.is_empty() {
                        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                        parts.push(format!("{label} {}", quoted.join(", ")));
                    }
                }
                write!(
                    f,
                    "the manifests changed since the plan was made: {}",
                    parts.join("; ")
                )
            }
            Staleness::EndpointChanged { planned, current } => write!(
                f,
                "the plan was made against {planned}, but this run targets {current}"
            ),
            Staleness::AccountChanged { planned, current } => write!(
                f,
                "the plan was made with AccessKey {planned}, but this run uses {current}"
            ),
            Staleness::Unplanned { names } => {
                let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "the account no longer holds {}, which the plan took as existing",
                    quoted.join(", ")
                )
            }
            Staleness::PreconditionFailed {
                precondition,
                found,
            } => {
                write!(f, "the plan assumed {precondition}, but {found}")
            }
        }
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
    #[error("the plan's format version `{found}` is not readable by this aicall (it reads {}.x)", super::model::FORMAT_VERSION.split('.').next().unwrap_or_default())]
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
    format!("sha256:{}", hex(&hasher.finalize()))
}

/// Digest of one task's name and configuration (not its position).
pub fn task_digest(task: &DesiredTask) -> String {
    let canonical = serde_json::to_vec(&(&task.name, &task.config)).unwrap_or_default();
    hex(&Sha256::digest(&canonical))[..16].to_owned()
}

/// A short, stable fingerprint of an AccessKey ID: tells accounts apart in a
/// saved plan without storing the ID itself.
pub fn account_fingerprint(access_key_id: &str) -> String {
    hex(&Sha256::digest(
        format!("aicall-account:{access_key_id}").as_bytes(),
    ))[..16]
        .to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::build::build;
    use crate::testing::{desired, inputs, observed, target};

    fn plan_for(desired: &[DesiredTask]) -> Plan {
        build(inputs(desired, &[], 0)).expect("plan")
    }

    #[test]
    fn a_saved_plan_round_trips_and_records_preconditions() {
        let desired = [desired("a", 1), desired("续费提醒", 2)];
        let plan = plan_for(&desired);
        let saved = SavedPlan::new(plan.clone(), &desired, vec!["examples".to_owned()]);
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
        let back = SavedPlan::from_json(&saved.to_json()).expect("parses");
        assert_eq!(back, saved);
        assert!(back.check(&desired, &plan).is_empty());
    }

    fn reasons(stale: &[Staleness]) -> Vec<String> {
        stale.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn changed_added_and_removed_tasks_are_named() {
        let before = [desired("a", 1), desired("b", 2)];
        let saved = SavedPlan::new(plan_for(&before), &before, vec![]);
        let mut changed = desired("a", 1);
        changed.config.concurrency = Some(99);
        let after = [changed, desired("c", 3)];
        assert_eq!(
            reasons(&saved.check(&after, &plan_for(&after))),
            [
                "the manifests changed since the plan was made: added `c`; changed `a`; removed `b`",
                "the plan assumed no task named `b` exists, but `b` is no longer in the manifests",
            ]
        );
    }

    #[test]
    fn moving_a_task_is_not_a_change() {
        let before = [desired("a", 1), desired("b", 2)];
        let saved = SavedPlan::new(plan_for(&before), &before, vec![]);
        let after = [desired("b", 40), desired("a", 80)];
        assert!(saved.check(&after, &plan_for(&after)).is_empty());
        assert_eq!(manifest_digest(&before), manifest_digest(&after));
    }

    #[test]
    fn another_endpoint_or_account_is_stale() {
        let desired = [desired("a", 1)];
        let saved = SavedPlan::new(plan_for(&desired), &desired, vec![]);
        let mut fresh = plan_for(&desired);
        fresh.target.endpoint = "https://aiccs.aliyuncs.com".to_owned();
        fresh.target.account_fingerprint = "ffff".to_owned();
        fresh.target.access_key = "****zzzz".to_owned();
        assert_eq!(
            reasons(&saved.check(&desired, &fresh)),
            [
                "the plan was made against http://127.0.0.1:4000, but this run targets https://aiccs.aliyuncs.com",
                "the plan was made with AccessKey aica****-key, but this run uses ****zzzz",
            ]
        );
        assert_eq!(fresh.target.endpoint, "https://aiccs.aliyuncs.com");
        assert_ne!(target(), fresh.target);
    }

    #[test]
    fn a_task_made_elsewhere_since_fails_its_precondition() {
        let desired = [desired("a", 1)];
        let saved = SavedPlan::new(plan_for(&desired), &desired, vec![]);
        let fresh = build(inputs(
            &desired,
            &[observed(&desired[0], "118700000000000007")],
            0,
        ))
        .expect("plan");
        assert_eq!(
            reasons(&saved.check(&desired, &fresh)),
            [
                "the plan assumed no task named `a` exists, but task 118700000000000007 has that name now"
            ]
        );
    }

    #[test]
    fn a_task_renamed_away_since_is_unplanned() {
        let desired = [desired("a", 1)];
        let existing = [observed(&desired[0], "118700000000000007")];
        let saved = SavedPlan::new(
            build(inputs(&desired, &existing, 0)).expect("plan"),
            &desired,
            vec![],
        );
        assert_eq!(
            reasons(&saved.check(&desired, &plan_for(&desired))),
            ["the account no longer holds `a`, which the plan took as existing"]
        );
    }

    #[test]
    fn other_json_is_not_a_plan() {
        assert_eq!(SavedPlan::from_json("{}"), Err(SavedPlanError::NotAPlan));
        assert!(matches!(
            SavedPlan::from_json("nope"),
            Err(SavedPlanError::NotJson(_))
        ));
        let mut value: serde_json::Value =
            serde_json::from_str(&SavedPlan::new(plan_for(&[]), &[], vec![]).to_json())
                .expect("json");
        value["plan"]["formatVersion"] = "1.0".into();
        assert_eq!(
            SavedPlan::from_json(&value.to_string()),
            Err(SavedPlanError::Version {
                found: "1.0".to_owned()
            })
        );
    }

    #[test]
    fn accounts_are_fingerprinted() {
        assert_eq!(account_fingerprint("a"), account_fingerprint("a"));
        assert_ne!(account_fingerprint("a"), account_fingerprint("b"));
    }
}
