//! What `apply --plan` checks before it trusts a saved plan. A saved plan
//! is a claim, not an authority: in CI it is an artifact passed between
//! jobs, and whoever can edit it must not be able to change what is
//! applied.
//!
//! Two pure checks, in the order `apply` runs them:
//!
//! 1. [`verify`], before any request: the plan against the manifests as
//!    they are now (re-read and re-validated by the caller). Every entry
//!    must be the one the manifests give, field for field; no entry may be
//!    added or missing; its steps, preconditions, digests and counts must
//!    be the ones a plan of those entries has. (The seal, checked by the
//!    caller with the credentials, catches whatever else was edited.)
//! 2. [`check`], once the account has been read: the saved plan against a
//!    plan freshly made from the same manifests. Any difference means the
//!    account changed since the plan was reviewed.
//!
//! `apply` then executes the fresh plan, which the checks proved equal to
//! the reviewed one: values in the file are never sent as such.

use std::collections::{BTreeMap, BTreeSet};

use crate::manifest::field::Field;
use crate::secret::Secret;

use super::build::existing_entry;
use super::decide;
use super::diff::compare;
use super::model::{
    Action, DesiredTask, ObservedTask, Plan, Summary, Target, TaskConfig, TaskEntry,
};
use super::saved::{
    Precondition, SavedPlan, config_digest, manifest_digest, preconditions_of, task_digest,
};
use super::target::Targets;

/// A way a saved plan does not match the manifests, found before any
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The manifests' tasks changed since the plan was made (its own
    /// digests say so): the plan is stale, not forged.
    ManifestsChanged {
        /// Tasks added since.
        added: Vec<String>,
        /// Tasks whose configuration changed since.
        changed: Vec<String>,
        /// Tasks removed since.
        removed: Vec<String>,
    },
    /// An entry's configuration is not the manifests'.
    Desired {
        /// The task.
        name: String,
        /// The fields that differ.
        fields: Vec<Field>,
        /// What the plan says.
        planned: Box<TaskConfig>,
        /// What the manifests say.
        manifests: Box<TaskConfig>,
    },
    /// An entry's declared place is not where the manifests declare it.
    Source {
        /// The task.
        name: String,
    },
    /// A plan entry names no manifest task.
    Extra {
        /// The entry's name.
        name: String,
    },
    /// A manifest task has no entry in the plan.
    Missing {
        /// The task.
        name: String,
    },
    /// An entry contradicts itself (its verdict, steps, task ID, account
    /// configuration and field changes must agree).
    Inconsistent {
        /// The task.
        name: String,
        /// Which part of the entry.
        part: EntryPart,
    },
    /// The preconditions are not those of the plan's creates.
    Preconditions {
        /// Preconditions the creates need that the file lacks.
        missing: Vec<Precondition>,
        /// Preconditions in the file that no create needs.
        unexpected: Vec<Precondition>,
    },
    /// A recorded digest is not the digest of what it covers.
    Digest {
        /// Which one.
        which: DigestKind,
    },
    /// The counts are not the counts of the entries.
    Summary,
    /// A recorded manifest path is not a relative path inside the working
    /// directory, so following it could read (and print) any file.
    Path {
        /// The path as recorded.
        path: String,
    },
    /// The plan was made against another endpoint than this run's.
    Endpoint {
        /// The endpoint in the plan.
        planned: String,
        /// The endpoint now.
        current: String,
    },
    /// The plan was made with another AccessKey (another account, maybe).
    Account {
        /// The masked AccessKey ID in the plan.
        planned: String,
        /// The masked AccessKey ID now.
        current: String,
    },
    /// The seal does not hold: the file was changed after aicall wrote it,
    /// or it is applied with other credentials than it was made with.
    Seal,
    /// The plan restarts running tasks, and this run was not given
    /// `--allow-restart`: the consent is given when applying, not planning.
    RestartNotAllowed,
    /// `apply --plan` was given `--target`s other than those the plan was
    /// made with: it applies exactly the selection that was reviewed.
    Targets {
        /// The plan's patterns (empty: every manifest task).
        planned: Vec<String>,
        /// This run's patterns.
        given: Vec<String>,
    },
    /// A recorded target is not a glob (the file was edited).
    TargetPattern {
        /// The pattern as recorded.
        pattern: String,
    },
}

/// The part of an entry that contradicts the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPart {
    /// `steps` is not what its verdict does.
    Steps,
    /// `taskId` is there for a create, or missing for an existing task.
    TaskId,
    /// `account` is there without differences, or missing with them.
    Account,
    /// `changes` or `unverified` are not the difference of `desired` and
    /// `account`.
    Changes,
}

/// A digest a saved plan records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestKind {
    /// The digest of every desired task together (`plan.manifestDigest`).
    Manifest,
    /// One task's digest (`taskDigests`).
    Task(String),
}

/// Why a saved plan no longer applies once the account has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staleness {
    /// A create's precondition no longer holds: a task has the name now.
    NameTaken {
        /// The precondition.
        precondition: Precondition,
        /// The ID of the task that has the name, when the account says.
        task_id: Option<String>,
    },
    /// Tasks the plan took as existing are gone (renamed away), so
    /// applying only the planned creates would not converge.
    Unplanned {
        /// Tasks that now need creating but are not in the plan.
        names: Vec<String>,
    },
    /// An existing task is no longer what the plan saw.
    Changed {
        /// The task.
        name: String,
    },
}

/// Whether `path`, as a saved plan records it, may be followed: relative,
/// not stdin, and never climbing out of the working directory. Checked
/// before any manifest is read, so a plan cannot make aicall open (and
/// print the first line of) a file that is not a manifest of this
/// directory.
pub fn path_is_contained(path: &str) -> bool {
    use std::path::{Component, Path};
    !path.is_empty()
        && path != "-"
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The recorded paths that may not be followed (see [`path_is_contained`]).
pub fn uncontained_paths(saved: &SavedPlan) -> Vec<Mismatch> {
    saved
        .paths
        .iter()
        .filter(|p| !path_is_contained(p))
        .map(|p| Mismatch::Path { path: p.clone() })
        .collect()
}

/// Checks that `saved` may be applied to `target` with `key`: the same
/// endpoint, the same AccessKey, and a seal that holds. Pure; made once
/// the credentials are known and before any request.
pub fn verify_target(saved: &SavedPlan, target: &Target, key: &Secret) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if saved.plan.target.endpoint != target.endpoint {
        out.push(Mismatch::Endpoint {
            planned: saved.plan.target.endpoint.clone(),
            current: target.endpoint.clone(),
        });
    }
    if saved.plan.target.account_fingerprint != target.account_fingerprint {
        out.push(Mismatch::Account {
            planned: saved.plan.target.access_key.clone(),
            current: target.access_key.clone(),
        });
    } else if !saved.seal_holds(key) {
        // Another key cannot hold the seal anyway: say it once, as above.
        out.push(Mismatch::Seal);
    }
    out
}

/// The manifests' tasks a saved plan covers: those its recorded
/// `--target`s select (every one when it records none), so that [`verify`]
/// compares the plan with the tasks it was made from, not with every
/// manifest task. A `--target` given now must name the same selection.
pub fn targeted(
    saved: &SavedPlan,
    given: Option<&Targets>,
    desired: Vec<DesiredTask>,
) -> Result<(Targets, Vec<DesiredTask>), Mismatch> {
    let recorded = Targets::new(&saved.plan.targets).map_err(|_| Mismatch::TargetPattern {
        pattern: saved.plan.targets.join(" "),
    })?;
    if let Some(given) = given
        && !given.same_as(&recorded)
    {
        return Err(Mismatch::Targets {
            planned: recorded.patterns().to_vec(),
            given: given.patterns().to_vec(),
        });
    }
    // A recorded target that matches nothing now is no error here: the
    // task it selected was removed since, and `verify` says so.
    let desired = recorded.filter(desired);
    Ok((recorded, desired))
}

/// Checks `saved` against `desired`, the manifests' tasks as they are now
/// (those its targets select: [`targeted`]). Pure, and made before any
/// request: every mismatch is listed.
pub fn verify(saved: &SavedPlan, desired: &[DesiredTask]) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let current: BTreeMap<&str, String> = desired
        .iter()
        .map(|t| (t.name.as_str(), task_digest(t)))
        .collect();

    // The plan's own digests, recomputed from its entries, must be what it
    // records: otherwise it was edited.
    let entries_as_desired: Vec<DesiredTask> = saved
        .plan
        .tasks
        .iter()
        .map(TaskEntry::desired_task)
        .collect();
    let recorded: BTreeMap<&str, String> = entries_as_desired
        .iter()
        .map(|t| (t.name.as_str(), task_digest(t)))
        .collect();
    for (name, digest) in &saved.task_digests {
        if recorded.get(name.as_str()) != Some(digest) {
            out.push(Mismatch::Digest {
                which: DigestKind::Task(name.clone()),
            });
        }
    }
    if saved.plan.manifest_digest != manifest_digest(&entries_as_desired) {
        out.push(Mismatch::Digest {
            which: DigestKind::Manifest,
        });
    }

    // An intact plan of other manifests is stale: say so first, then
    // how each entry differs (the entries added or removed since are
    // named once, here).
    let mut named_already = BTreeSet::new();
    if out.is_empty() && recorded != current {
        let added = names_in(&current, &recorded);
        let removed = names_in(&recorded, &current);
        let changed = current
            .iter()
            .filter(|(name, digest)| recorded.get(*name).is_some_and(|r| r != *digest))
            .map(|(name, _)| (*name).to_owned())
            .collect();
        named_already.extend(added.iter().chain(&removed).cloned());
        out.push(Mismatch::ManifestsChanged {
            added,
            changed,
            removed,
        });
    }

    let by_name: BTreeMap<&str, &DesiredTask> =
        desired.iter().map(|t| (t.name.as_str(), t)).collect();
    let mut seen = BTreeSet::new();
    for entry in &saved.plan.tasks {
        if !seen.insert(entry.name.as_str()) {
            out.push(Mismatch::Extra {
                name: entry.name.clone(),
            });
            continue;
        }
        match by_name.get(entry.name.as_str()) {
            None if named_already.contains(&entry.name) => {}
            None => out.push(Mismatch::Extra {
                name: entry.name.clone(),
            }),
            Some(task) => {
                if entry.desired != task.config
                    || entry.declared_status != task.status
                    || entry.old_names != task.renamed_from
                {
                    let fields = compare(&task.config, &entry.desired).changes;
                    out.push(Mismatch::Desired {
                        name: entry.name.clone(),
                        fields: if fields.is_empty() {
                            differing_fields(&entry.desired, &task.config)
                        } else {
                            fields
                        },
                        planned: Box::new(entry.desired.clone()),
                        manifests: Box::new(task.config.clone()),
                    });
                }
                if entry.source != task.source {
                    out.push(Mismatch::Source {
                        name: entry.name.clone(),
                    });
                }
            }
        }
        if let Some(part) = inconsistency(entry, &saved.plan) {
            out.push(Mismatch::Inconsistent {
                name: entry.name.clone(),
                part,
            });
        }
    }
    for task in desired {
        if !seen.contains(task.name.as_str()) && !named_already.contains(&task.name) {
            out.push(Mismatch::Missing {
                name: task.name.clone(),
            });
        }
    }

    let wanted: BTreeSet<Precondition> = preconditions_of(&saved.plan).into_iter().collect();
    let found: BTreeSet<Precondition> = saved.preconditions.iter().cloned().collect();
    if wanted != found || saved.preconditions.len() != found.len() {
        out.push(Mismatch::Preconditions {
            missing: wanted.difference(&found).cloned().collect(),
            unexpected: found.difference(&wanted).cloned().collect(),
        });
    }
    if saved.plan.summary != Summary::of(&saved.plan.tasks, saved.plan.summary.unmanaged) {
        out.push(Mismatch::Summary);
    }
    out
}

/// Checks `saved` against `fresh`, a plan made just now from the same
/// manifests against the account: every entry must be the same, or the
/// account changed since the plan was reviewed.
pub fn check(saved: &SavedPlan, fresh: &Plan) -> Vec<Staleness> {
    let mut stale = Vec::new();
    let fresh_entries: BTreeMap<&str, &TaskEntry> =
        fresh.tasks.iter().map(|t| (t.name.as_str(), t)).collect();
    for precondition in &saved.preconditions {
        match precondition {
            Precondition::NoTaskNamed { name } => {
                let entry = fresh_entries.get(name.as_str());
                let free = entry.is_some_and(|e| e.task_id.is_none() || e.renamed_from.is_some());
                if !free {
                    stale.push(Staleness::NameTaken {
                        precondition: precondition.clone(),
                        task_id: entry.and_then(|e| e.task_id.clone()),
                    });
                }
            }
            Precondition::TaskState {
                name,
                task_id,
                status,
                config_digest: digest,
            } => {
                let holds = fresh_entries.get(name.as_str()).is_some_and(|e| {
                    e.task_id.as_ref() == Some(task_id)
                        && e.status == *status
                        && e.account.as_ref().map(config_digest).as_ref() == Some(digest)
                });
                if !holds {
                    stale.push(Staleness::Changed { name: name.clone() });
                }
            }
        }
    }
    let saved_creates: BTreeSet<&str> = saved.plan.creates().map(|t| t.name.as_str()).collect();
    let unplanned: Vec<String> = fresh
        .creates()
        .map(|t| t.name.as_str())
        .filter(|name| !saved_creates.contains(name))
        .map(str::to_owned)
        .collect();
    if !unplanned.is_empty() {
        stale.push(Staleness::Unplanned { names: unplanned });
    }
    if stale.is_empty() {
        let planned: BTreeMap<&str, &TaskEntry> = saved
            .plan
            .tasks
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        for entry in &fresh.tasks {
            if planned.get(entry.name.as_str()) != Some(&entry) {
                stale.push(Staleness::Changed {
                    name: entry.name.clone(),
                });
            }
        }
    }
    stale
}

fn names_in(a: &BTreeMap<&str, String>, b: &BTreeMap<&str, String>) -> Vec<String> {
    a.keys()
        .filter(|name| !b.contains_key(*name))
        .map(|name| (*name).to_owned())
        .collect()
}

/// Fields that differ however the diff would judge them (the diff ignores
/// what it treats as equal, such as a start's display offset).
fn differing_fields(a: &TaskConfig, b: &TaskConfig) -> Vec<Field> {
    let mut out = Vec::new();
    let mut push = |field, same: bool| {
        if !same {
            out.push(field);
        }
    };
    push(Field::AgentId, a.agent_id == b.agent_id);
    push(Field::VirtualNumber, a.virtual_number == b.virtual_number);
    push(Field::Start, a.start == b.start);
    push(Field::Concurrency, a.concurrency == b.concurrency);
    push(Field::CallDays, a.call_days == b.call_days);
    push(Field::CallWindows, a.call_windows == b.call_windows);
    push(Field::Retry, a.retry == b.retry);
    out
}

/// Where an entry contradicts itself, if it does: its verdict, steps and
/// blocks must be the ones [`decide`] gives for the facts it records (the
/// account's task as it saw it, at the time the plan was made).
fn inconsistency(entry: &TaskEntry, plan: &Plan) -> Option<EntryPart> {
    let desired = entry.desired_task();
    let Some(task_id) = &entry.task_id else {
        let clean = entry.status.is_none()
            && entry.renamed_from.is_none()
            && entry.account.is_none()
            && entry.changes.is_empty()
            && entry.unverified.is_empty()
            && entry.blocked.is_empty();
        return if !clean {
            Some(EntryPart::Account)
        } else if entry.action != Action::Create || entry.steps != decide::create(&desired) {
            Some(EntryPart::Steps)
        } else {
            None
        };
    };
    if !(1..=20).contains(&task_id.len()) || !task_id.bytes().all(|b| b.is_ascii_digit()) {
        return Some(EntryPart::TaskId);
    }
    let now = plan.made_at.parse().ok()?;
    let config = match &entry.account {
        Some(account) => account.clone(),
        None => without(&entry.desired, &entry.unverified),
    };
    let observed = ObservedTask {
        task_id: task_id.clone(),
        name: entry
            .renamed_from
            .clone()
            .unwrap_or_else(|| entry.name.clone()),
        status: entry.status,
        config,
    };
    let expected = existing_entry(
        &desired,
        &observed,
        decide::existing(&desired, &observed, now, plan.allow_restart),
    );
    if expected.action != entry.action
        || expected.steps != entry.steps
        || expected.blocked != entry.blocked
    {
        Some(EntryPart::Steps)
    } else if expected.account != entry.account {
        Some(EntryPart::Account)
    } else if expected.changes != entry.changes || expected.unverified != entry.unverified {
        Some(EntryPart::Changes)
    } else {
        None
    }
}

/// `config` with `fields` not reported.
fn without(config: &TaskConfig, fields: &[Field]) -> TaskConfig {
    let mut out = config.clone();
    for field in fields {
        match field {
            Field::AgentId => out.agent_id = None,
            Field::VirtualNumber => out.virtual_number = None,
            Field::Start => out.start = None,
            Field::Concurrency => out.concurrency = None,
            Field::CallDays => out.call_days = None,
            Field::CallWindows => out.call_windows = None,
            Field::Retry
            | Field::RetryReasons
            | Field::RetryTimes
            | Field::RetryIntervalMinutes => out.retry = None,
            Field::Name | Field::Status | Field::RenamedFrom => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::Weekday;
    use crate::plan::build::build;
    use crate::plan::model::Step;
    use crate::testing::{desired, inputs, observed, target};

    fn saved_for(
        desired: &[DesiredTask],
        observed: &[crate::plan::model::ObservedTask],
    ) -> SavedPlan {
        let plan = build(inputs(desired, observed, 0)).expect("plan");
        SavedPlan::new(
            plan,
            desired,
            vec!["tasks.yaml".to_owned()],
            &Secret::new("k"),
        )
    }

    fn tasks() -> Vec<DesiredTask> {
        vec![desired("a", 1), desired("b", 2), desired("c", 3)]
    }

    /// `a` is to be created, `b` drifted, `c` unchanged.
    fn sample() -> SavedPlan {
        let tasks = tasks();
        let mut drifted = observed(&tasks[1], "118700000000000002");
        drifted.config.concurrency = Some(7);
        saved_for(
            &tasks,
            &[drifted, observed(&tasks[2], "118700000000000003")],
        )
    }

    #[test]
    fn an_untouched_plan_of_unchanged_manifests_verifies() {
        assert_eq!(verify(&sample(), &tasks()), []);
    }

    #[test]
    fn changed_manifests_make_an_intact_plan_stale() {
        let mut now = tasks();
        now[0].config.concurrency = Some(99);
        now.remove(2);
        now.push(desired("d", 4));
        let found = verify(&sample(), &now);
        assert_eq!(
            found[0],
            Mismatch::ManifestsChanged {
                added: vec!["d".to_owned()],
                changed: vec!["a".to_owned()],
                removed: vec!["c".to_owned()],
            }
        );
        assert!(
            matches!(&found[1..], [Mismatch::Desired { name, fields, .. }, Mismatch::Preconditions { .. } ]
                if name == "a" && fields == &[Field::Concurrency])
                || matches!(&found[1..], [Mismatch::Desired { name, fields, .. }]
                if name == "a" && fields == &[Field::Concurrency]),
            "{found:?}"
        );
    }

    #[test]
    fn an_edited_value_is_found_even_with_recomputed_digests() {
        let mut saved = sample();
        saved.plan.tasks[0].desired.concurrency = Some(9999);
        saved.plan.tasks[0].desired.call_days = Some(vec![Weekday::Sunday]);
        // The forger recomputes every digest; the entry still differs from
        // the manifests.
        let entries: Vec<DesiredTask> = saved
            .plan
            .tasks
            .iter()
            .map(TaskEntry::desired_task)
            .collect();
        saved.task_digests = entries
            .iter()
            .map(|t| (t.name.clone(), task_digest(t)))
            .collect();
        saved.plan.manifest_digest = manifest_digest(&entries);
        let found = verify(&saved, &tasks());
        assert!(
            matches!(&found[..], [Mismatch::ManifestsChanged { .. }, Mismatch::Desired { name, fields, .. }]
                if name == "a" && fields == &[Field::Concurrency, Field::CallDays]),
            "{found:?}"
        );
    }

    #[test]
    fn an_edited_value_without_new_digests_is_a_digest_mismatch() {
        let mut saved = sample();
        saved.plan.tasks[0].desired.agent_id = Some("118099999999999999".to_owned());
        let found = verify(&saved, &tasks());
        assert!(found.contains(&Mismatch::Digest {
            which: DigestKind::Task("a".to_owned())
        }));
        assert!(found.contains(&Mismatch::Digest {
            which: DigestKind::Manifest
        }));
    }

    #[test]
    fn extra_missing_and_contradicting_entries_are_named() {
        let mut saved = sample();
        let mut extra = saved.plan.tasks[0].clone();
        extra.name = "z".to_owned();
        saved.plan.tasks.push(extra);
        saved.plan.tasks.remove(2);
        saved.plan.tasks[1].steps = vec![Step::Create];
        let found = verify(&saved, &tasks());
        for expected in [
            Mismatch::Extra {
                name: "z".to_owned(),
            },
            Mismatch::Missing {
                name: "c".to_owned(),
            },
            Mismatch::Inconsistent {
                name: "b".to_owned(),
                part: EntryPart::Steps,
            },
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
    }

    #[test]
    fn removed_or_altered_preconditions_are_found() {
        let mut saved = sample();
        saved.preconditions.clear();
        assert!(verify(&saved, &tasks()).contains(&Mismatch::Preconditions {
            missing: vec![Precondition::NoTaskNamed {
                name: "a".to_owned()
            }],
            unexpected: vec![],
        }));
        let mut saved = sample();
        saved.preconditions = vec![Precondition::NoTaskNamed {
            name: "b".to_owned(),
        }];
        assert!(matches!(
            &verify(&saved, &tasks())[..],
            [Mismatch::Preconditions { missing, unexpected }] if missing.len() == 1 && unexpected.len() == 1
        ));
    }

    #[test]
    fn only_relative_paths_inside_the_directory_are_followed() {
        for good in [
            "tasks.yaml",
            "manifests",
            "./manifests/a.yaml",
            "a/b/c.yml",
            ".",
        ] {
            assert!(path_is_contained(good), "{good}");
        }
        for bad in [
            "/etc/passwd",
            "../secrets.yaml",
            "a/../../b",
            "-",
            "",
            "manifests/..",
        ] {
            assert!(!path_is_contained(bad), "{bad}");
        }
    }

    #[test]
    fn another_endpoint_account_or_key_is_refused() {
        let saved = sample();
        assert_eq!(verify_target(&saved, &target(), &Secret::new("k")), []);
        assert_eq!(
            verify_target(&saved, &target(), &Secret::new("other")),
            [Mismatch::Seal]
        );
        let mut elsewhere = target();
        elsewhere.endpoint = "https://aiccs.aliyuncs.com".to_owned();
        elsewhere.account_fingerprint = "ffff".to_owned();
        elsewhere.access_key = "****zzzz".to_owned();
        assert_eq!(
            verify_target(&saved, &elsewhere, &Secret::new("other")),
            [
                Mismatch::Endpoint {
                    planned: "http://127.0.0.1:4000".to_owned(),
                    current: "https://aiccs.aliyuncs.com".to_owned(),
                },
                Mismatch::Account {
                    planned: "aica****-key".to_owned(),
                    current: "****zzzz".to_owned(),
                },
            ]
        );
    }

    #[test]
    fn a_fresh_plan_equal_to_the_saved_one_is_not_stale() {
        let saved = sample();
        assert_eq!(check(&saved, &saved.plan.clone()), []);
    }

    #[test]
    fn a_task_made_elsewhere_since_takes_a_creates_name() {
        let saved = sample();
        let tasks = tasks();
        let mut drifted = observed(&tasks[1], "118700000000000002");
        drifted.config.concurrency = Some(7);
        let fresh = build(inputs(
            &tasks,
            &[
                observed(&tasks[0], "118700000000000007"),
                drifted,
                observed(&tasks[2], "118700000000000003"),
            ],
            0,
        ))
        .expect("plan");
        assert_eq!(
            check(&saved, &fresh),
            [Staleness::NameTaken {
                precondition: Precondition::NoTaskNamed {
                    name: "a".to_owned()
                },
                task_id: Some("118700000000000007".to_owned()),
            }]
        );
    }

    #[test]
    fn a_task_renamed_away_or_changed_since_is_stale() {
        let saved = sample();
        let tasks = tasks();
        let fresh = build(inputs(
            &tasks,
            &[observed(&tasks[2], "118700000000000003")],
            0,
        ))
        .expect("plan");
        assert_eq!(
            check(&saved, &fresh),
            [Staleness::Unplanned {
                names: vec!["b".to_owned()]
            }]
        );
        let mut drifted = observed(&tasks[1], "118700000000000002");
        drifted.config.concurrency = Some(8);
        let fresh = build(inputs(
            &tasks,
            &[drifted, observed(&tasks[2], "118700000000000003")],
            0,
        ))
        .expect("plan");
        assert_eq!(
            check(&saved, &fresh),
            [Staleness::Changed {
                name: "b".to_owned()
            }]
        );
    }
}
