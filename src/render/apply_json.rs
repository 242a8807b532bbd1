//! `apply --format json` (issue 11): newline-delimited JSON, one object a
//! line, each written as soon as it is known, described by
//! `schemas/aicall-apply.schema.json` (`aicall schema apply`).
//!
//! The first line names the format and its version; then one line per
//! step as it finishes (`step` for a step of a task that goes on, `task`
//! for the step that ends a task, with the task's outcome); the last line
//! is the `summary`. A minor version bump adds fields or line types, a
//! major one breaks readers; readers ignore keys and line types they do not
//! know. The words a person reads are in `message`, made by
//! [`super::outcome`]; everything else is a value.

use schemars::JsonSchema;
use serde::Serialize;

use crate::apply::{Outcome, Report, StepError};
use crate::plan::model::{Action, Step};

use super::outcome::outcome_line;
use super::style::Style;

/// The name of this format, in the first line.
pub const FORMAT: &str = "aicall-apply";

/// Version of this format.
pub const FORMAT_VERSION: &str = "1.0";

/// One line of `apply --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
#[schemars(title = "aicall apply line")]
pub enum Line {
    /// The first line: which format the lines after it are in.
    #[serde(rename_all = "camelCase")]
    Format {
        /// Always `aicall-apply`.
        format: String,
        /// Currently `1.0`.
        format_version: String,
    },
    /// A step of a task finished and the task goes on, or a reply was
    /// lost and the name is being looked up before anything is re-sent.
    Step(StepLine),
    /// A task's last step finished: how the task ended.
    Task(TaskLine),
    /// The last line: how the run ended.
    Summary(SummaryLine),
}

/// How a step that does not end its task went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum StepOutcome {
    /// Done; the task's next step follows.
    Done,
    /// The reply was lost: whether it took effect is being established by
    /// a look-up; a `task` line follows.
    ReplyLost,
}

/// A `step` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepLine {
    /// The task's name.
    pub task: String,
    /// The step.
    pub step: Step,
    /// How it went.
    pub outcome: StepOutcome,
    /// The task's ID, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The service's error code (`replyLost` only, when it sent one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The request ID of the failed reply, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What went wrong, for `replyLost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// How a task ended, as one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TaskOutcome {
    /// Created by this run (and stopped, when declared stopped).
    Created,
    /// Created by someone else meanwhile: converged anyway.
    CreatedElsewhere,
    /// Created, but the declared stop failed: it will start at its time.
    CreatedNotStopped,
    /// Every step done.
    Done,
    /// Someone else made the planned change meanwhile: converged.
    AlreadyDone,
    /// No longer what the plan saw: left alone. Plan again.
    LeftAlone,
    /// A step failed.
    Failed,
    /// The update failed after aicall stopped the task; it was started
    /// again with its old configuration.
    Restored,
    /// The update failed after aicall stopped the task, and starting it
    /// again failed too: the task is STOPPED.
    LeftStopped,
    /// Whether the create took effect could not be established.
    Unknown,
    /// Whether a step took effect could not be established.
    StepUnknown,
    /// Not attempted: interrupted first.
    Skipped,
    /// In flight when interrupted twice: may or may not have taken effect.
    Abandoned,
}

/// A `task` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskLine {
    /// The task's name.
    pub task: String,
    /// The plan's kind of entry.
    pub action: Action,
    /// The planned steps, in order.
    pub steps: Vec<Step>,
    /// The step this outcome concerns: the last one done, or the one that
    /// failed; absent when none was attempted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<Step>,
    /// How the task ended.
    pub outcome: TaskOutcome,
    /// Whether the task now matches its manifest.
    pub converged: bool,
    /// The task's ID, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The service's error code, for an outcome with an error that came
    /// with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The request ID of the reply that failed, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The outcome as a person reads it, the same words as the text output.
    pub message: String,
}

/// How the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RunResult {
    /// Every task now matches its manifest.
    Complete,
    /// Some task failed, is unknown, was left alone, skipped, or blocked.
    Incomplete,
    /// The account already matched: nothing was sent.
    NothingToDo,
    /// Interrupted twice: what was in flight was abandoned (exit 130).
    Interrupted,
    /// Nothing was applied: the manifests were invalid, no plan could be
    /// made, or the saved plan was refused (stderr says why).
    NotApplied,
}

/// The `summary` line: the counts of `task` outcomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryLine {
    /// How the run ended.
    pub result: RunResult,
    /// The exit code aicall ends with.
    pub exit_code: u8,
    /// Tasks created.
    pub created: usize,
    /// Existing tasks whose steps were all done.
    pub changed: usize,
    /// Tasks someone else created meanwhile.
    pub created_elsewhere: usize,
    /// Tasks someone else changed as planned meanwhile.
    pub done_elsewhere: usize,
    /// Tasks left alone because they changed since the plan.
    pub left_alone: usize,
    /// Tasks with a failed step.
    pub failed: usize,
    /// Tasks whose outcome is unknown.
    pub unknown: usize,
    /// Tasks abandoned in flight.
    pub abandoned: usize,
    /// Tasks not attempted (interrupted).
    pub skipped: usize,
    /// Plan entries that were blocked, so not applied.
    pub blocked: usize,
}

/// A line as text, with its newline.
pub fn render(line: &Line) -> String {
    // Plain data with string keys: serialising cannot fail.
    let mut text = serde_json::to_string(line).unwrap_or_default();
    text.push('\n');
    text
}

/// The first line.
pub fn format_line() -> Line {
    Line::Format {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION.to_owned(),
    }
}

/// The `step` line of a step done, its task going on.
pub fn step_done(task: &str, step: Step, task_id: &str) -> Line {
    Line::Step(StepLine {
        task: task.to_owned(),
        step,
        outcome: StepOutcome::Done,
        task_id: Some(task_id.to_owned()),
        error_code: None,
        request_id: None,
        message: None,
    })
}

/// The `step` line of a lost create reply.
pub fn reply_lost(task: &str, error: &StepError) -> Line {
    Line::Step(StepLine {
        task: task.to_owned(),
        step: Step::Create,
        outcome: StepOutcome::ReplyLost,
        task_id: None,
        error_code: error.code().map(str::to_owned),
        request_id: error.request_id().map(str::to_owned),
        message: Some(crate::chain::root_cause(error.api()).to_string()),
    })
}

/// The `task` line of a finished task: an entry of kind `action` with
/// `steps`, whose ID the plan knew as `planned_id` (an existing task).
pub fn task(
    name: &str,
    (action, steps): (Action, &[Step]),
    planned_id: Option<&str>,
    outcome: &Outcome,
) -> Line {
    let last = steps.last().copied();
    let (kind, step, task_id, error): (TaskOutcome, Option<Step>, Option<&str>, _) = match outcome {
        Outcome::Created { task_id, .. } => (TaskOutcome::Created, last, Some(task_id), None),
        Outcome::MadeElsewhere { task_id } => (
            TaskOutcome::CreatedElsewhere,
            Some(Step::Create),
            task_id.as_deref(),
            None,
        ),
        Outcome::CreatedNotStopped { task_id, error } => (
            TaskOutcome::CreatedNotStopped,
            Some(Step::Stop),
            Some(task_id),
            Some(error),
        ),
        Outcome::Done { task_id, steps } => (
            TaskOutcome::Done,
            steps.last().copied(),
            Some(task_id),
            None,
        ),
        Outcome::AlreadyDone { task_id } => (TaskOutcome::AlreadyDone, None, Some(task_id), None),
        Outcome::Changed { task_id, .. } => (TaskOutcome::LeftAlone, None, Some(task_id), None),
        Outcome::Failed { step, error } => (TaskOutcome::Failed, Some(*step), None, Some(error)),
        Outcome::Restored { error } => {
            (TaskOutcome::Restored, Some(Step::Update), None, Some(error))
        }
        Outcome::LeftStopped { task_id, error, .. } => (
            TaskOutcome::LeftStopped,
            Some(Step::Update),
            Some(task_id),
            Some(error),
        ),
        Outcome::Unknown { error, .. } => {
            (TaskOutcome::Unknown, Some(Step::Create), None, Some(error))
        }
        Outcome::StepUnknown { step, error } => {
            (TaskOutcome::StepUnknown, Some(*step), None, Some(error))
        }
        Outcome::Skipped => (TaskOutcome::Skipped, None, None, None),
        Outcome::Abandoned => (TaskOutcome::Abandoned, None, None, None),
    };
    Line::Task(TaskLine {
        task: name.to_owned(),
        action,
        steps: steps.to_vec(),
        step,
        outcome: kind,
        converged: outcome.converged(),
        task_id: task_id.or(planned_id).map(str::to_owned),
        error_code: error.and_then(StepError::code).map(str::to_owned),
        request_id: error.and_then(StepError::request_id).map(str::to_owned),
        message: outcome_line(name, action, steps, outcome, Style::plain()),
    })
}

/// The last line: the counts of `report` (none when nothing ran), the
/// `blocked` entries, how the run ended and its exit code.
pub fn summary(report: &Report, blocked: usize, result: RunResult, exit_code: u8) -> Line {
    Line::Summary(SummaryLine {
        result,
        exit_code,
        created: report.created(),
        changed: report.done(),
        created_elsewhere: report.made_elsewhere(),
        done_elsewhere: report.already_done(),
        left_alone: report.changed(),
        failed: report.failed(),
        unknown: report.unknown(),
        abandoned: report.abandoned(),
        skipped: report.skipped(),
        blocked,
    })
}

/// The JSON Schema of one line.
pub fn apply_schema() -> String {
    let schema = schemars::schema_for!(Line);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::step_error;

    /// Every kind of line, as `apply --format json` writes them.
    pub(crate) fn every_line() -> Vec<Line> {
        let created = Outcome::Created {
            task_id: "118700000000000050".to_owned(),
            confirmed_by_lookup: true,
        };
        let failed = Outcome::Failed {
            step: Step::Update,
            error: step_error("connection reset"),
        };
        let report = Report {
            outcomes: vec![
                ("续费提醒".to_owned(), created.clone()),
                ("b".to_owned(), failed.clone()),
            ],
        };
        vec![
            format_line(),
            reply_lost("续费提醒", &step_error("timed out")),
            step_done("续费提醒", Step::Create, "118700000000000050"),
            task(
                "续费提醒",
                (Action::Create, &[Step::Create, Step::Stop]),
                None,
                &created,
            ),
            task(
                "b",
                (Action::Update, &[Step::Update]),
                Some("118700000000000051"),
                &failed,
            ),
            task(
                "c",
                (Action::Start, &[Step::Start]),
                None,
                &Outcome::Skipped,
            ),
            summary(&report, 1, RunResult::Incomplete, 1),
        ]
    }

    #[test]
    fn lines() {
        let text: String = every_line().iter().map(render).collect();
        insta::assert_snapshot!(text);
    }

    /// The committed schema is what `aicall schema apply` prints; regenerate
    /// it with `cargo run -- schema apply > schemas/aicall-apply.schema.json`.
    #[test]
    fn committed_apply_schema_is_up_to_date() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/aicall-apply.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == apply_schema(),
            "{path} is out of date: run `cargo run -- schema apply > schemas/aicall-apply.schema.json`"
        );
    }

    #[test]
    fn every_line_validates_against_the_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(&apply_schema()).expect("schema is JSON");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        for line in every_line() {
            let text = render(&line);
            assert!(!text.trim_end().contains('\n'), "one line: {text}");
            let value: serde_json::Value = serde_json::from_str(&text).expect("a line is JSON");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{text}{errors:#?}");
        }
    }
}
