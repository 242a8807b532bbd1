//! What `apply` says: refusals, the confirmation prompt, progress and
//! outcome lines, the interruption notes and the closing summary. Text
//! only; the command decides where it goes and when.

use std::path::Path;

use crate::apply::{Outcome, Report, StepError};
use crate::chain;
use crate::diag::plural;
use crate::diag::words::{LINE_WIDTH, shorten, shorten_to};
use crate::plan::check::{DigestKind, EntryPart, Mismatch, Staleness};
use crate::plan::saved::Precondition;

use super::style::{Paint, Style};
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

/// Said when the answer was not `yes`.
pub fn cancelled() -> &'static str {
    "Apply cancelled: nothing was created.\n"
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

/// The template of the progress bar shown on a terminal.
pub const PROGRESS_TEMPLATE: &str = "{bar:30} {pos}/{len} created or settled  {msg}";

/// A reply was lost and the name is being looked up.
pub fn looking_up(name: &str, error: &StepError, style: Style) -> String {
    format!(
        "{} {}: {}; looking the name up before sending anything again",
        style.paint(Paint::Warning, "? reply lost"),
        shorten(name),
        shorten_to(&chain::root_cause(error.api()).to_string(), LINE_WIDTH)
    )
}

/// One finished task, with its place in the run (`[3/10]`).
pub fn finished(name: &str, outcome: &Outcome, done: usize, total: usize, style: Style) -> String {
    let counter = style.paint(Paint::Dim, &format!("[{done}/{total}]"));
    format!("{} {counter}", outcome_line(name, outcome, style))
}

fn outcome_line(name: &str, outcome: &Outcome, style: Style) -> String {
    // Issue 7: a line per task, whatever the size of its name or of the
    // service's message.
    let name = shorten(name);
    let shown =
        |error: &dyn std::fmt::Display| shorten_to(&error.to_string(), LINE_WIDTH).into_owned();
    match outcome {
        Outcome::Created {
            task_id,
            confirmed_by_lookup: false,
        } => format!(
            "{} {name} (task {task_id})",
            style.paint(Paint::Add, "+ created")
        ),
        Outcome::Created {
            task_id,
            confirmed_by_lookup: true,
        } => format!(
            "{} {name} (task {task_id}; the reply was lost, the look-up found it)",
            style.paint(Paint::Add, "+ created")
        ),
        Outcome::MadeElsewhere { task_id } => format!(
            "{} {name}{}: it was created elsewhere meanwhile; nothing to do",
            style.paint(Paint::Dim, "= exists"),
            task_id
                .as_deref()
                .map(|id| format!(" (task {id})"))
                .unwrap_or_default()
        ),
        Outcome::Failed { error } => {
            let mut line = format!(
                "{} {name}: {}",
                style.paint(Paint::Error, "! failed"),
                shown(error)
            );
            for cause in chain::causes(error) {
                line.push_str(&format!("\n    Caused by: {}", shown(&cause)));
            }
            line
        }
        Outcome::Unknown {
            error,
            lookup_error,
        } => format!(
            "{} {name}: {}; the look-up that would settle it failed too ({}); re-run `aicall \
             apply`: it looks the name up before creating anything",
            style.paint(Paint::Warning, "? unknown"),
            shown(error),
            shown(lookup_error)
        ),
        Outcome::Skipped => format!(
            "{} {name}: not started (interrupted)",
            style.paint(Paint::Dim, "- skipped")
        ),
        Outcome::Abandoned => format!(
            "{} {name}: abandoned in flight (interrupted twice); re-run `aicall apply`: it \
             looks the name up before creating anything",
            style.paint(Paint::Warning, "? unknown")
        ),
    }
}

/// The closing summary, after a blank line.
pub fn summary(report: &Report, style: Style) -> String {
    let mut parts = vec![format!("{} created", report.created())];
    for (n, label) in [
        (report.made_elsewhere(), "created elsewhere"),
        (report.failed(), "failed"),
        (report.unknown(), "unknown (re-run apply)"),
        (report.abandoned(), "abandoned in flight (re-run apply)"),
        (report.skipped(), "skipped"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let head = if report.success() {
        style.paint(Paint::Add, "Apply complete:")
    } else {
        style.paint(Paint::Error, "Apply incomplete:")
    };
    format!("\n{head} {}.\n", parts.join(", "))
}

/// Said when the plan has nothing for apply to do.
pub fn nothing_to_do() -> &'static str {
    "Nothing to create: the account holds every task the manifests name.\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::step_error;

    #[test]
    fn outcome_lines_name_the_task_and_what_to_do() {
        let style = Style::plain();
        let failed = Outcome::Failed {
            error: step_error("connection reset"),
        };
        assert_eq!(
            finished("a", &failed, 1, 2, style),
            "! failed a: `CreateAiCallTask` got no reply from `http://127.0.0.1:4000`: \
             connection reset [1/2]"
        );
        assert_eq!(
            finished("b", &Outcome::Abandoned, 2, 2, style),
            "? unknown b: abandoned in flight (interrupted twice); re-run `aicall apply`: it \
             looks the name up before creating anything [2/2]"
        );
        let report = Report {
            outcomes: vec![
                ("a".to_owned(), failed),
                ("b".to_owned(), Outcome::Abandoned),
            ],
        };
        assert_eq!(
            summary(&report, style),
            "\nApply incomplete: 0 created, 1 failed, 1 abandoned in flight (re-run apply).\n"
        );
        assert_eq!(prompt(1), "Create 1 task? Only `yes` is accepted: ");
    }

    /// Issue 7: a line per task stays a line, whatever the name's size.
    #[test]
    fn long_names_and_errors_are_shortened_in_outcome_lines() {
        let name = format!("a{}z", "n".repeat(1 << 20));
        let failed = Outcome::Failed {
            error: step_error(&"x".repeat(1 << 20)),
        };
        for outcome in [Outcome::Skipped, failed] {
            let line = finished(&name, &outcome, 1, 1, Style::plain());
            assert!(line.len() < 2 * LINE_WIDTH, "{} bytes", line.len());
            assert!(
                line.contains("nnn…nnn") && line.contains("nz: "),
                "{line:.80}"
            );
        }
    }
}
