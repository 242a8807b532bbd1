//! What `apply` says: refusals, the confirmation prompt, progress and
//! outcome lines, the interruption notes and the closing summary. Text
//! only; the command decides where it goes and when.

use std::path::Path;

use crate::diag::plural;
use crate::diag::words::shorten;
use crate::plan::check::{DigestKind, EntryPart, Mismatch, Staleness};
use crate::plan::saved::Precondition;

use super::style::{Paint, Style};
use super::text::status;
use super::value::{Shown, shown, start_offset};

/// Why `apply` will not ask for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoPrompt {
    /// The manifests came from stdin, so stdin cannot carry the answer.
    ManifestsFromStdin,
    /// stdin is not a terminal.
    NotATerminal,
}

/// The refusal of a saved plan found wrong before any request: every
/// mismatch named. A plan whose only fault is that the manifests changed
/// since is called stale; anything else means it does not match them.
pub fn refused(path: &Path, mismatches: &[Mismatch], style: Style) -> String {
    // Stale: an intact plan of manifests that changed since (its entries
    // then differ too, and say how), or of another target.
    let stale = mismatches.iter().all(|m| {
        matches!(
            m,
            Mismatch::ManifestsChanged { .. }
                | Mismatch::Desired { .. }
                | Mismatch::Source { .. }
                | Mismatch::Extra { .. }
                | Mismatch::Missing { .. }
                | Mismatch::Endpoint { .. }
                | Mismatch::Account { .. }
        )
    }) && mismatches.iter().any(|m| {
        matches!(
            m,
            Mismatch::ManifestsChanged { .. }
                | Mismatch::Endpoint { .. }
                | Mismatch::Account { .. }
        )
    });
    let verdict = if stale {
        "is stale"
    } else {
        "does not match the manifests and credentials it was made with"
    };
    let reasons: Vec<String> = mismatches.iter().map(mismatch).collect();
    refusal(path, verdict, &reasons, style)
}

/// The refusal of a saved plan that the account no longer matches.
pub fn stale(path: &Path, reasons: &[Staleness], style: Style) -> String {
    let reasons: Vec<String> = reasons.iter().map(staleness).collect();
    refusal(path, "is stale", &reasons, style)
}

fn refusal(path: &Path, verdict: &str, reasons: &[String], style: Style) -> String {
    let mut out = format!(
        "{}: the saved plan `{}` {verdict} and was not applied:\n",
        style.paint(Paint::Error, "error"),
        path.display()
    );
    for reason in reasons {
        out.push_str(&format!("  - {reason}\n"));
    }
    out.push_str(&format!(
        "  {} make a new plan with `aicall plan --out FILE`, review it, then apply that\n",
        style.paint(Paint::Help, "= help:")
    ));
    out
}

fn names(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", shorten(n))).collect();
    quoted.join(", ")
}

fn precondition(precondition: &Precondition) -> String {
    match precondition {
        Precondition::NoTaskNamed { name } => format!("no task named `{name}` exists"),
        Precondition::TaskState {
            name,
            task_id,
            status: known,
            ..
        } => format!(
            "task {task_id} (`{name}`) is {} with the configuration the plan saw",
            known.map_or_else(|| "of unknown status".to_owned(), status)
        ),
    }
}

/// One reason a saved plan was refused before any request.
pub fn mismatch(mismatch: &Mismatch) -> String {
    match mismatch {
        Mismatch::ManifestsChanged {
            added,
            changed,
            removed,
        } => {
            let mut parts = Vec::new();
            for (label, list) in [("added", added), ("changed", changed), ("removed", removed)] {
                if !list.is_empty() {
                    parts.push(format!("{label} {}", names(list)));
                }
            }
            format!(
                "the manifests changed since the plan was made: {}",
                parts.join("; ")
            )
        }
        Mismatch::Desired {
            name,
            fields,
            planned,
            manifests,
        } => {
            let offset = start_offset(manifests);
            let shown: Vec<String> = fields
                .iter()
                .map(|field| {
                    let value = |config| {
                        shown(config, *field, offset)
                            .unwrap_or(Shown::Absent)
                            .one_line()
                    };
                    format!(
                        "`{field}` is {} in the plan but {} in the manifests",
                        value(planned),
                        value(manifests)
                    )
                })
                .collect();
            format!("the entry for `{name}` differs: {}", shown.join("; "))
        }
        Mismatch::Source { name } => {
            format!("the entry for `{name}` names another place than the manifests declare it in")
        }
        Mismatch::Extra { name } => {
            format!("the plan has an entry for `{name}`, which no manifest declares (or twice)")
        }
        Mismatch::Missing { name } => {
            format!("the manifests declare `{name}`, which the plan has no entry for")
        }
        Mismatch::Inconsistent { name, part } => {
            let part = match part {
                EntryPart::Steps => "its steps are not what its verdict does",
                EntryPart::TaskId => "its task ID or status does not fit its verdict",
                EntryPart::Account => "its account configuration does not fit its verdict",
                EntryPart::Changes => {
                    "its changes are not the difference between the account and the manifests"
                }
            };
            format!("the entry for `{name}` contradicts itself: {part}")
        }
        Mismatch::Preconditions {
            missing,
            unexpected,
        } => {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                let list: Vec<String> = missing.iter().map(precondition).collect();
                parts.push(format!("it lacks {}", list.join(", ")));
            }
            if !unexpected.is_empty() {
                let list: Vec<String> = unexpected.iter().map(precondition).collect();
                parts.push(format!("no create needs {}", list.join(", ")));
            }
            format!(
                "the preconditions are not those of the plan's creates: {}",
                parts.join("; ")
            )
        }
        Mismatch::Digest { which } => match which {
            DigestKind::Manifest => {
                "the manifest digest is not the digest of the plan's entries".to_owned()
            }
            DigestKind::Task(name) => {
                format!("the digest recorded for `{name}` is not the digest of its entry")
            }
        },
        Mismatch::Summary => "the summary's counts are not the counts of the entries".to_owned(),
        Mismatch::Path { path } => format!(
            "it names the manifest path `{path}`, which is not a relative path inside the \
             working directory"
        ),
        Mismatch::Endpoint { planned, current } => {
            format!("the plan was made against {planned}, but this run targets {current}")
        }
        Mismatch::Account { planned, current } => {
            format!("the plan was made with AccessKey {planned}, but this run uses {current}")
        }
        Mismatch::Seal => {
            "its seal does not hold: the file was changed after aicall wrote it".to_owned()
        }
        Mismatch::RestartNotAllowed => "it stops running tasks to update them and starts them \
                                        again: apply it with `--allow-restart`"
            .to_owned(),
        Mismatch::Targets { planned, given } => {
            let list = |patterns: &[String]| match patterns {
                [] => "every manifest task".to_owned(),
                _ => format!("`--target` {}", crate::diag::backticked(patterns)),
            };
            format!(
                "it was made for {}, and this run names {}: a saved plan applies exactly the \
                 tasks it was reviewed with (leave `--target` out to apply them)",
                list(planned),
                list(given)
            )
        }
        Mismatch::TargetPattern { pattern } => {
            format!("its target `{pattern}` is not a valid pattern")
        }
    }
}

/// One reason the account no longer matches a saved plan.
pub fn staleness(staleness: &Staleness) -> String {
    match staleness {
        Staleness::NameTaken {
            precondition: assumed,
            task_id,
        } => {
            let found = match task_id {
                Some(id) => format!("task {id} has that name now"),
                None => "a task has that name now".to_owned(),
            };
            format!("the plan assumed {}, but {found}", precondition(assumed))
        }
        Staleness::Unplanned { names: list } => format!(
            "the account no longer holds {}, which the plan took as existing",
            names(list)
        ),
        Staleness::Changed { name } => {
            format!("task `{name}` is no longer what the plan saw in the account")
        }
    }
}

/// The refusal to apply without confirmation.
pub fn no_prompt(why: NoPrompt, style: Style) -> String {
    let why = match why {
        NoPrompt::ManifestsFromStdin => "the manifests came from stdin",
        NoPrompt::NotATerminal => "stdin is not a terminal",
    };
    format!(
        "{}: refusing to apply without confirmation: {why}\n  {} review the plan above, then run again with `--auto-approve`\n",
        style.paint(Paint::Error, "error"),
        style.paint(Paint::Help, "= help:"),
    )
}

/// The confirmation question (no newline: the answer follows it).
pub fn prompt(creates: usize) -> String {
    format!(
        "Create {creates} {}? Only `yes` is accepted: ",
        plural(creates, "task", "tasks")
    )
}

/// The confirmation question when existing tasks change too: what will
/// happen, counted by kind, then the question.
pub fn prompt_changes(plan: &crate::plan::model::Plan) -> String {
    format!(
        "Apply these changes ({})? Only `yes` is accepted: ",
        super::text::summary_counts(plan).trim_end_matches('.')
    )
}

/// Said when the answer was not `yes`.
pub fn cancelled() -> &'static str {
    "Apply cancelled: nothing was changed.\n"
}

/// Said at the first Ctrl-C.
pub fn interrupted(style: Style) -> String {
    format!(
        "{}\n",
        style.paint(
            Paint::Dim,
            "interrupted: no new task will be started; waiting for those in flight \
             (interrupt again to abandon them: re-running apply settles them)"
        )
    )
}

/// Said at the second Ctrl-C.
pub fn abandoning(style: Style) -> String {
    format!(
        "{}\n",
        style.paint(
            Paint::Dim,
            "interrupted again: no longer waiting for the tasks in flight; \
             re-run `aicall apply` to settle them"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_counts_the_tasks() {
        assert_eq!(prompt(1), "Create 1 task? Only `yes` is accepted: ");
    }
}
