//! The job summary GitHub Actions shows for a step (issue 11): when
//! `GITHUB_STEP_SUMMARY` names a file, `validate`, `plan` and `apply`
//! append Markdown to it, and the command writes what these functions make.
//!
//! GitHub refuses a step summary of more than 1 MiB, and the file is
//! appended to by every command of the step, so each rendering takes the
//! room left (`room`, in bytes) and stays within it: tables are cut row by
//! row with a count of what was left out, and [`fit`] cuts whatever else
//! at a line, saying how much it cut.

use std::fmt::Write as _;

use crate::apply::{Outcome, Report};
use crate::plan::model::{Action, Plan, Step};

use super::apply_json::{self, Line, TaskOutcome};
use super::github::Annotation;
use super::markdown::{self, Frame, Limit, Unit, html_code};
use super::outcome;
use super::style::Style;

/// The most GitHub accepts in one step's summary file.
pub const FILE_LIMIT: usize = 1 << 20;

fn frame(room: usize, elsewhere: &str) -> Frame<'_> {
    Frame {
        marker: None,
        limit: Limit {
            max: room,
            unit: Unit::Bytes,
        },
        elsewhere,
    }
}

/// `validate`'s summary: the verdict, then the problems as a table.
pub fn validate(problems: &[Annotation], tasks: usize, files: usize, room: usize) -> String {
    let errors = problems
        .iter()
        .filter(|p| p.level == super::github::Level::Error)
        .count();
    let mut out = if errors == 0 {
        format!(
            "### aicall validate: {} in {} valid\n\n",
            crate::diag::count(tasks, "task"),
            crate::diag::count(files, "file")
        )
    } else {
        format!(
            "### aicall validate: {} in the manifests\n\n",
            crate::diag::count(problems.len(), "problem")
        )
    };
    if !problems.is_empty() {
        let room = room.saturating_sub(out.len() + 1);
        out.push_str(&markdown::problems_table(
            problems,
            frame(room, "`aicall validate` lists them all"),
        ));
        out.push('\n');
    }
    out
}

/// `plan`'s summary: the plan as Markdown, as much as fits.
pub fn plan(plan: &Plan, room: usize) -> String {
    // A blank line ends it, so whatever is appended next starts a block.
    let mut text = markdown::render_plan_within(
        plan,
        frame(room.saturating_sub(1), "`aicall plan` lists them all"),
    );
    text.push('\n');
    text
}

/// `plan`'s summary when no plan was made.
pub fn no_plan(problems: &[Annotation], room: usize) -> String {
    let mut text = markdown::render_no_plan(
        problems,
        frame(room.saturating_sub(1), "the job log lists them all"),
    );
    text.push('\n');
    text
}

/// One task `apply` acted on, with what the plan said of it.
#[derive(Debug, Clone, Copy)]
pub struct Applied<'a> {
    /// The task.
    pub name: &'a str,
    /// Its kind of entry and its steps.
    pub entry: (Action, &'a [Step]),
    /// Its ID, for an existing task.
    pub task_id: Option<&'a str>,
    /// How it ended.
    pub outcome: &'a Outcome,
}

/// `apply`'s summary: each task's outcome as a row, then the closing
/// summary (and any task a failed restart left stopped).
pub fn apply(tasks: &[Applied<'_>], report: &Report, blocked: usize, room: usize) -> String {
    let mut out = "### aicall apply\n\n".to_owned();
    if tasks.is_empty() && blocked == 0 {
        out.push_str(outcome::nothing_to_do());
        out.push('\n');
        return out;
    }
    let closing = outcome::summary(report, blocked, Style::plain());
    let closing = closing.trim_start();
    let head = "| | Task | Task ID | Outcome |\n|---|---|---|---|\n";
    let cut = |n: usize| {
        format!(
            "\n**{n} more {} not shown: the job log lists them all.**\n",
            crate::diag::plural(n, "task", "tasks")
        )
    };
    if !tasks.is_empty() {
        let mut room = room
            .saturating_sub(out.len() + head.len() + cut(tasks.len()).len() + closing.len() + 4);
        out.push_str(head);
        let mut shown = 0;
        for task in tasks {
            let Line::Task(line) =
                apply_json::task(task.name, task.entry, task.task_id, task.outcome)
            else {
                continue;
            };
            let message = markdown::cell(&line.message);
            let mut facts = Vec::new();
            if let Some(code) = &line.error_code {
                facts.push(format!("code {}", html_code(code)));
            }
            if let Some(id) = &line.request_id {
                facts.push(format!("request {}", html_code(id)));
            }
            let facts = if facts.is_empty() {
                String::new()
            } else {
                format!(" ({})", facts.join(", "))
            };
            let row = format!(
                "| {} | {} | {} | {message}{facts} |\n",
                badge(line.outcome),
                html_code(task.name),
                line.task_id.as_deref().map(html_code).unwrap_or_default()
            );
            if row.len() > room {
                break;
            }
            room -= row.len();
            out.push_str(&row);
            shown += 1;
        }
        if shown < tasks.len() {
            out.push_str(&cut(tasks.len() - shown));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{closing}");
    out.push('\n');
    out
}

/// `apply`'s summary when it stopped before changing anything.
pub fn not_applied(exit_code: u8) -> String {
    format!(
        "### aicall apply: nothing applied\n\nThe run stopped before changing anything (exit \
         {exit_code}); the job log says why.\n\n"
    )
}

fn badge(outcome: TaskOutcome) -> &'static str {
    match outcome {
        TaskOutcome::Created => "✅ created",
        TaskOutcome::Done => "✅ done",
        TaskOutcome::CreatedElsewhere | TaskOutcome::AlreadyDone => "✅ done elsewhere",
        TaskOutcome::LeftAlone => "⚠️ left alone",
        TaskOutcome::Skipped => "⏭️ skipped",
        TaskOutcome::Unknown | TaskOutcome::StepUnknown | TaskOutcome::Abandoned => "❓ unknown",
        TaskOutcome::CreatedNotStopped
        | TaskOutcome::Failed
        | TaskOutcome::Restored
        | TaskOutcome::LeftStopped => "❌ failed",
    }
}

/// The warning when the job summary could not be appended to.
pub fn not_written(path: &std::path::Path, why: &str, style: Style) -> String {
    format!(
        "{} the job summary `{}` was not written: {why}\n",
        style.paint(super::style::Paint::Warning, "warning:"),
        path.display()
    )
}

/// `text` as it fits in `room` bytes: whole, or cut at a line with a note
/// of how much was cut; `None` when not even the note fits.
pub fn fit(text: String, room: usize) -> Option<String> {
    if text.len() <= room {
        return Some(text);
    }
    let note = |cut: usize| {
        format!(
            "\n\n> ✂️ {cut} bytes of this summary were cut: GitHub takes at most 1 MiB of \
             summary per step.\n\n"
        )
    };
    // The note's length with the largest count it could hold.
    let reserve = note(text.len()).len();
    let keep = room.checked_sub(reserve)?;
    let mut end = keep;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |at| at + 1);
    let mut out = text[..end].to_owned();
    out.push_str(&note(text.len() - end));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_at_a_line_and_says_how_much() {
        assert_eq!(fit("short\n".to_owned(), 100).as_deref(), Some("short\n"));
        let text = "line one\n".repeat(50);
        let cut = fit(text.clone(), 200).expect("the note fits");
        assert!(cut.len() <= 200, "{}", cut.len());
        assert!(cut.starts_with("line one\nline one\n"), "{cut}");
        let kept = cut.find("\n\n>").expect("a note");
        assert!(
            cut.contains(&format!(
                "{} bytes of this summary were cut",
                text.len() - kept
            )),
            "{cut}"
        );
        assert_eq!(fit(text, 10), None);
    }
}
