//! The words of a plan's kinds, steps and block reasons: spelled once, for
//! the text, Markdown and apply renderings alike.

use crate::plan::model::{Action, BlockReason, DeclaredStatus, Step};

use super::style::Paint;

/// The symbol and word an entry of this kind is shown with.
pub fn action_label(action: Action) -> &'static str {
    match action {
        Action::Create => "+ create",
        Action::Update => "~ update",
        Action::Restart => "~ update with restart",
        Action::Rename => "» rename",
        Action::Stop => "■ stop",
        Action::Start => "▶ start",
        Action::Blocked => "! blocked",
        Action::Unchanged => "= unchanged",
    }
}

/// The label as it reads in a Markdown table.
pub fn action_emoji(action: Action) -> &'static str {
    match action {
        Action::Create => "➕ create",
        Action::Update => "🔄 update",
        Action::Restart => "🔁 update with restart",
        Action::Rename => "✏️ rename",
        Action::Stop => "⏹️ stop",
        Action::Start => "▶️ start",
        Action::Blocked => "⛔ blocked",
        Action::Unchanged => "unchanged",
    }
}

/// The colour of a kind's label.
pub fn action_paint(action: Action) -> Paint {
    match action {
        Action::Create | Action::Start => Paint::Add,
        Action::Update | Action::Restart | Action::Rename => Paint::Warning,
        Action::Stop | Action::Blocked => Paint::Error,
        Action::Unchanged => Paint::Dim,
    }
}

/// A step's word.
pub fn step(step: Step) -> &'static str {
    match step {
        Step::Create => "create",
        Step::Update => "update",
        Step::Stop => "stop",
        Step::Start => "start",
    }
}

/// Steps in order: `stop → update → start`.
pub fn steps(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| step(*s))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A declared status as the manifest writes it.
pub fn declared(status: DeclaredStatus) -> &'static str {
    status.as_str()
}

/// Why an entry is blocked, and what would unblock it.
pub fn block_reason(reason: BlockReason) -> (String, &'static str) {
    match reason {
        BlockReason::AgentChanged => (
            "`agentId` differs: the API cannot change a task's agent".to_owned(),
            "give the task a new name: a new task is created with this agent, the old one is \
             left as it is",
        ),
        BlockReason::RetryIntervalOverUpdateLimit { minutes } => (
            format!(
                "`retry.intervalMinutes` is {minutes}: UpdateAiCallTask accepts at most 120 \
                 (CreateAiCallTask accepts 720)"
            ),
            "use 120 minutes or less, or give the task a new name to create it anew",
        ),
        BlockReason::StartAlreadyHappened => (
            "`start` differs, but the task has already started: a start that happened is history"
                .to_owned(),
            "keep the account's start in the manifest, or give the task a new name to create a \
             new task",
        ),
        BlockReason::StartPassed => (
            "its scheduled start has passed: an update must send it, and the API accepts only a \
             start in the future"
                .to_owned(),
            "give the task a new name to create a new task, or change it in the console",
        ),
        BlockReason::RestartNotAllowed => (
            "the task is running, and the API updates only a task that is not".to_owned(),
            "apply with `--allow-restart` to stop it, update it and start it again, or declare \
             `status: stopped`",
        ),
        BlockReason::StatusUnknown => (
            "the account did not report whether the task runs".to_owned(),
            "look the task up in the console, then plan again",
        ),
        BlockReason::ConcurrencyUnknown => (
            "UpdateAiCallTask requires `TaskCps`, the manifest leaves `concurrency` unmanaged, \
             and the account did not report it"
                .to_owned(),
            "set `concurrency` in the manifest",
        ),
    }
}
