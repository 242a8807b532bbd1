//! What `apply` says while it works and when it is done: a line per step
//! of a task with several, a line per finished task with its place in the
//! run, the summary, and the closing lines that name any task left stopped.

use crate::apply::{Outcome, Report, StepError};
use crate::chain;
use crate::diag::words::{LINE_WIDTH, shorten, shorten_to};
use crate::plan::model::{Action, Step};

use super::style::{Paint, Style};
use super::text::status;
use super::words;

/// The template of the progress bar shown on a terminal.
pub const PROGRESS_TEMPLATE: &str = "{bar:30} {pos}/{len} done or settled  {msg}";

/// A reply was lost and the name is being looked up.
pub fn looking_up(name: &str, error: &StepError, style: Style) -> String {
    let name = shorten(name);
    bounded(&format!(
        "{} {name}: {}; looking the name up before sending anything again",
        style.paint(Paint::Warning, "? reply lost"),
        chain::root_cause(error.api())
    ))
}

/// Each line of `text` within [`LINE_WIDTH`], keeping both ends (issue 7:
/// a line per task, whatever the size of a name or of a service message).
fn bounded(text: &str) -> String {
    text.split('\n')
        .map(|line| shorten_to(line, LINE_WIDTH))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One step of a task with several is done.
pub fn step_done(name: &str, step: Step, style: Style) -> String {
    let name = shorten(name);
    let done = match step {
        Step::Create => "created",
        Step::Update => "updated",
        Step::Stop => "stopped",
        Step::Start => "started",
    };
    format!("  {} {name}: {done}", style.paint(Paint::Dim, "·"))
}

/// One finished task (an entry of kind `action` with `steps`), with its
/// place in the run (`[3/10]`).
pub fn finished(
    name: &str,
    (action, steps): (Action, &[Step]),
    outcome: &Outcome,
    done: usize,
    total: usize,
    style: Style,
) -> String {
    let counter = style.paint(Paint::Dim, &format!("[{done}/{total}]"));
    bounded(&format!(
        "{} {counter}",
        outcome_line(&shorten(name), action, steps, outcome, style)
    ))
}

fn with_causes(mut line: String, error: &StepError) -> String {
    for cause in chain::causes(error) {
        line.push_str(&format!("\n    Caused by: {cause}"));
    }
    line
}

/// How a task ended, in one line (with its causes when it failed): what
/// [`finished`] says without the counter.
pub fn outcome_line(
    name: &str,
    action: Action,
    steps: &[Step],
    outcome: &Outcome,
    style: Style,
) -> String {
    let failed = style.paint(Paint::Error, "! failed");
    let unknown = style.paint(Paint::Warning, "? unknown");
    match outcome {
        Outcome::Created {
            task_id,
            confirmed_by_lookup,
        } => {
            let mut line = format!(
                "{} {name} (task {task_id}",
                style.paint(Paint::Add, "+ created")
            );
            if *confirmed_by_lookup {
                line.push_str("; the reply was lost, the look-up found it");
            }
            line.push(')');
            if steps.contains(&Step::Stop) {
                line.push_str(", then stopped as declared");
            }
            line
        }
        Outcome::MadeElsewhere { task_id } => format!(
            "{} {name}{}: it was created elsewhere meanwhile; nothing to do",
            style.paint(Paint::Dim, "= exists"),
            task_id
                .as_deref()
                .map(|id| format!(" (task {id})"))
                .unwrap_or_default()
        ),
        Outcome::CreatedNotStopped { task_id, error } => with_causes(
            format!(
                "{failed} {name} (task {task_id}): created, but the stop it declares failed: \
                 {error}; it will start at its scheduled time: re-run `aicall apply` to stop it"
            ),
            error,
        ),
        Outcome::Done { task_id, steps } => {
            let done = match action {
                Action::Restart => "~ updated with restart".to_owned(),
                Action::Rename => "» renamed".to_owned(),
                Action::Stop => "■ stopped".to_owned(),
                Action::Start => "▶ started".to_owned(),
                _ if steps.len() > 1 => format!("~ {}", words::steps(steps)),
                _ => "~ updated".to_owned(),
            };
            format!(
                "{} {name} (task {task_id})",
                style.paint(words::action_paint(action), &done)
            )
        }
        Outcome::AlreadyDone { task_id } => format!(
            "{} {name} (task {task_id}): it was changed as planned elsewhere meanwhile; nothing to do",
            style.paint(Paint::Dim, "= already done")
        ),
        Outcome::Changed {
            task_id,
            status: now,
        } => format!(
            "{} {name} (task {task_id}): left alone: it is no longer what the plan saw{}; plan \
             again",
            style.paint(Paint::Warning, "= left alone"),
            now.map(|s| format!(" (it is {} now)", status(s)))
                .unwrap_or_default()
        ),
        Outcome::Failed { step, error } => with_causes(
            format!("{failed} {name}: {} failed: {error}", words::step(*step)),
            error,
        ),
        Outcome::Restored { error } => with_causes(
            format!(
                "{failed} {name}: the update failed: {error}; the task was started again with \
                 its old configuration: back as it was"
            ),
            error,
        ),
        Outcome::LeftStopped {
            task_id,
            error,
            restore_error,
        } => format!(
            "{failed} {name}: the update failed: {error}; starting it again failed too: \
             {restore_error}: task {task_id} is STOPPED"
        ),
        Outcome::Unknown {
            error,
            lookup_error,
        } => format!(
            "{unknown} {name}: {error}; the look-up that would settle it failed too ({lookup_error}); \
             re-run `aicall apply`: it looks the name up before creating anything"
        ),
        Outcome::StepUnknown { step, error } => format!(
            "{unknown} {name}: the outcome of its {} is unknown: {error}; re-run `aicall apply`: \
             it reads the task before acting",
            words::step(*step)
        ),
        Outcome::Skipped => format!(
            "{} {name}: not started (interrupted)",
            style.paint(Paint::Dim, "- skipped")
        ),
        Outcome::Abandoned => format!(
            "{unknown} {name}: abandoned in flight (interrupted twice); re-run `aicall apply`: it \
             looks before it acts"
        ),
    }
}

/// The closing summary, after a blank line, then one paragraph per task
/// a failed restart left stopped. `blocked` entries of the plan were not
/// applied and make the run incomplete.
pub fn summary(report: &Report, blocked: usize, style: Style) -> String {
    let mut parts = vec![format!("{} created", report.created())];
    for (n, label) in [
        (report.done(), "changed"),
        (report.made_elsewhere(), "created elsewhere"),
        (report.already_done(), "done elsewhere"),
        (report.changed(), "left alone (changed since the plan)"),
        (report.failed(), "failed"),
        (report.unknown(), "unknown (re-run apply)"),
        (report.abandoned(), "abandoned in flight (re-run apply)"),
        (report.skipped(), "skipped"),
        (blocked, "blocked (not applied)"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {label}"));
        }
    }
    let head = if report.success() && blocked == 0 {
        style.paint(Paint::Add, "Apply complete:")
    } else {
        style.paint(Paint::Error, "Apply incomplete:")
    };
    let mut out = format!("\n{head} {}.\n", parts.join(", "));
    if let Some(hint) = expired_credentials_hint(report) {
        out.push_str(&format!(
            "\n{} the credentials expired during the run: {hint}\n",
            style.paint(Paint::Help, "= help:")
        ));
    }
    for (name, outcome) in report.left_stopped() {
        let name = shorten(name);
        if let Outcome::LeftStopped {
            task_id,
            error,
            restore_error,
        } = outcome
        {
            out.push_str(&format!(
                "\n{} task `{name}` (task {task_id}) is STOPPED: aicall stopped it to update it, \
                 the update failed ({}), and starting it again failed ({}).\n  {} once the \
                 cause is fixed, run `aicall apply --allow-restart` again, or start the task in \
                 the console to resume it with its old configuration.\n",
                style.paint(Paint::Error, "warning:"),
                chain::root_cause(error.api()),
                chain::root_cause(restore_error.api()),
                style.paint(Paint::Help, "= help:"),
            ));
        }
    }
    out
}

/// What to change when credentials expired while the run went on (issue
/// 12): the hint of the first task refused for it, said once, since every
/// task after it was refused for the same reason.
fn expired_credentials_hint(report: &Report) -> Option<&str> {
    report.outcomes.iter().find_map(|(_, outcome)| {
        let error = match outcome {
            Outcome::Failed { error, .. } => error,
            Outcome::Unknown { lookup_error, .. } => lookup_error,
            _ => return None,
        };
        error
            .code()
            .is_some_and(|code| code.starts_with("InvalidSecurityToken"))
            .then(|| error.api().hint())
            .flatten()
    })
}

/// Said when the plan has nothing for apply to do.
pub fn nothing_to_do() -> &'static str {
    "Nothing to do: the account matches the manifests.\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::step_error;

    #[test]
    fn outcome_lines_name_the_task_and_what_to_do() {
        let style = Style::plain();
        let failed = Outcome::Failed {
            step: Step::Create,
            error: step_error("connection reset"),
        };
        assert_eq!(
            finished("a", (Action::Create, &[Step::Create]), &failed, 1, 2, style),
            "! failed a: create failed: `CreateAiCallTask` got no reply from \
             `http://127.0.0.1:4000`: connection reset [1/2]"
        );
        assert_eq!(
            finished(
                "b",
                (Action::Create, &[Step::Create]),
                &Outcome::Abandoned,
                2,
                2,
                style
            ),
            "? unknown b: abandoned in flight (interrupted twice); re-run `aicall apply`: it \
             looks before it acts [2/2]"
        );
        let report = Report {
            outcomes: vec![
                ("a".to_owned(), failed),
                ("b".to_owned(), Outcome::Abandoned),
            ],
        };
        assert_eq!(
            summary(&report, 1, style),
            "\nApply incomplete: 0 created, 1 failed, 1 abandoned in flight (re-run apply), 1 \
             blocked (not applied).\n"
        );
    }

    /// Issue 7: a line per task stays a line, whatever the name's size.
    #[test]
    fn long_names_and_errors_are_shortened_in_outcome_lines() {
        let name = format!("a{}z", "n".repeat(1 << 20));
        let failed = Outcome::Failed {
            step: Step::Create,
            error: step_error(&"x".repeat(1 << 20)),
        };
        for outcome in [Outcome::Skipped, failed] {
            let line = finished(
                &name,
                (Action::Create, &[Step::Create]),
                &outcome,
                1,
                1,
                Style::plain(),
            );
            assert!(line.len() < 2 * LINE_WIDTH, "{} bytes", line.len());
            assert!(
                line.contains("nnn…nnn") && line.contains("nz: "),
                "{line:.80}"
            );
        }
    }

    #[test]
    fn a_task_left_stopped_is_named_last_with_how_to_resume_it() {
        let report = Report {
            outcomes: vec![(
                "camp".to_owned(),
                Outcome::LeftStopped {
                    task_id: "118700000000000001".to_owned(),
                    error: step_error("update refused"),
                    restore_error: step_error("start refused"),
                },
            )],
        };
        let text = summary(&report, 0, Style::plain());
        assert!(
            text.ends_with(
                "warning: task `camp` (task 118700000000000001) is STOPPED: aicall stopped it to \
                 update it, the update failed (`CreateAiCallTask` got no reply from \
                 `http://127.0.0.1:4000`: update refused), and starting it again failed \
                 (`CreateAiCallTask` got no reply from `http://127.0.0.1:4000`: start refused).\n  \
                 = help: once the cause is fixed, run `aicall apply --allow-restart` again, or \
                 start the task in the console to resume it with its old configuration.\n"
            ),
            "{text}"
        );
    }
}
