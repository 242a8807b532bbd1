//! Writing manifests: tasks in manifest terms → YAML text that a person
//! would have written, and that reads back as exactly those tasks.
//!
//! This is `aicall export`'s last step. The writer knows the manifest
//! language and nothing of the account: it takes [`Task`] values (whoever
//! made them decided what each field is) and decides only how they look:
//!
//! - one document per agent (`agentId` in its `defaults`), documents in
//!   agent order, tasks in name order, so two exports of one account are
//!   identical and their diff is the account's change;
//! - `defaults` hold the values every task of the document shares
//!   (`virtualNumber`, `callDays`, `callWindows`, `retry`): a task states
//!   only what sets it apart;
//! - keys in the manifest reference's order ([`Field::TASK`]), and nothing
//!   that means what its absence means (no `retry` for no redial, no
//!   `concurrency` or `status` when unmanaged);
//! - IDs and times quoted, times `HH:MM` when their seconds are zero,
//!   names plain only when plainly safe (`scalar`);
//! - a task that cannot be declared ([`Task::gaps`]) is written commented
//!   out where it would be, with why; a note ([`Task::notes`]) is a
//!   comment above the task.

mod gap;
pub(crate) mod scalar;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diag::plural;
use crate::manifest::field::Field;
use crate::manifest::model::{DeclaredStatus, Retry, Start, TimeOfDay, Weekday, Window};

pub use gap::Gap;
pub use scalar::{quoted, string};

/// One task to write, in manifest terms. A field that is `None` is not
/// written: for a declared task that means "not managed" (`concurrency`,
/// `status`) or "no redial" (`retry`); every required field of a declared
/// task is `Some`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The task's name.
    pub name: String,
    /// The task's ID, named in the comment of a task that is not declared.
    pub task_id: String,
    /// `agentId`.
    pub agent_id: Option<String>,
    /// `virtualNumber`.
    pub virtual_number: Option<String>,
    /// `start`; a scheduled start is written as its `written` text.
    pub start: Option<Start>,
    /// `concurrency`.
    pub concurrency: Option<u32>,
    /// `callDays`, Monday first.
    pub call_days: Option<Vec<Weekday>>,
    /// `callWindows`, sorted.
    pub call_windows: Option<Vec<Window>>,
    /// `retry`; `None` is no redial.
    pub retry: Option<Retry>,
    /// `status`.
    pub status: Option<DeclaredStatus>,
    /// What is worth a comment above the declared task.
    pub notes: Vec<Gap>,
    /// Why the task cannot be declared; when any, it is written commented
    /// out.
    pub gaps: Vec<Gap>,
}

impl Task {
    /// Whether the task is declared (not written commented out).
    pub fn declared(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// What [`write`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The manifests, one YAML document per agent.
    pub text: String,
    /// How many documents.
    pub documents: usize,
    /// How many tasks are declared.
    pub declared: usize,
    /// How many are written commented out.
    pub commented: usize,
}

/// Writes `tasks` as manifests. `schema` is where the first line's
/// modeline points editors for the JSON Schema. With no task to declare,
/// the text holds only comments: it is no manifest, and the caller should
/// not offer it as one.
pub fn write(tasks: &[Task], schema: &str) -> Written {
    let mut by_agent: BTreeMap<&str, Vec<&Task>> = BTreeMap::new();
    for task in tasks.iter().filter(|t| t.declared()) {
        if let Some(agent) = task.agent_id.as_deref() {
            by_agent.entry(agent).or_default().push(task);
        }
    }
    let mut leftover = Vec::new();
    for task in tasks.iter().filter(|t| !t.declared()) {
        match task.agent_id.as_deref().and_then(|a| by_agent.get_mut(a)) {
            Some(document) => document.push(task),
            None => leftover.push(task),
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "# yaml-language-server: $schema={schema}");
    out.push_str(
        "# Written by `aicall export`: `aicall plan` reports every task declared here unchanged.\n",
    );
    let documents = by_agent.len();
    let mut declared = 0;
    let mut commented = 0;
    for (index, (agent, mut document)) in by_agent.into_iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        document.sort_by(|a, b| (&a.name, &a.task_id).cmp(&(&b.name, &b.task_id)));
        let defaults = Defaults::shared(agent, &document);
        out.push_str("version: 1\n");
        out.push_str("defaults:\n");
        defaults.write(&mut out);
        out.push_str("tasks:\n");
        for task in document {
            if task.declared() {
                declared += 1;
                for note in &task.notes {
                    let _ = writeln!(out, "  # note: {note}");
                }
                write_task(&mut out, task, &defaults, "  ");
            } else {
                commented += 1;
                write_commented(&mut out, task, "  ");
            }
        }
    }
    if !leftover.is_empty() {
        leftover.sort_by(|a, b| (&a.name, &a.task_id).cmp(&(&b.name, &b.task_id)));
        let _ = writeln!(
            out,
            "\n# {} more account {} cannot be declared, and {} no declared task to sit beside:\n#",
            leftover.len(),
            plural(leftover.len(), "task", "tasks"),
            plural(leftover.len(), "has", "have"),
        );
        for task in leftover {
            commented += 1;
            write_commented(&mut out, task, "");
        }
    }
    Written {
        text: out,
        documents,
        declared,
        commented,
    }
}

/// The values every declared task of a document shares.
#[derive(Debug, Default)]
struct Defaults<'t> {
    agent_id: Option<&'t str>,
    virtual_number: Option<&'t str>,
    call_days: Option<&'t [Weekday]>,
    call_windows: Option<&'t [Window]>,
    retry: Option<&'t Retry>,
}

impl<'t> Defaults<'t> {
    fn shared(agent: &'t str, document: &[&'t Task]) -> Defaults<'t> {
        let declared: Vec<&Task> = document.iter().copied().filter(|t| t.declared()).collect();
        Defaults {
            agent_id: Some(agent),
            virtual_number: shared(&declared, |t| t.virtual_number.as_deref()),
            call_days: shared(&declared, |t| t.call_days.as_deref()),
            call_windows: shared(&declared, |t| t.call_windows.as_deref()),
            retry: shared(&declared, |t| t.retry.as_ref()),
        }
    }

    fn write(&self, out: &mut String) {
        let indent = "  ";
        if let Some(agent) = self.agent_id {
            line(out, indent, Field::AgentId, &quoted(agent));
        }
        if let Some(number) = self.virtual_number {
            line(out, indent, Field::VirtualNumber, &quoted(number));
        }
        if let Some(days) = self.call_days {
            line(out, indent, Field::CallDays, &days_text(days));
        }
        if let Some(windows) = self.call_windows {
            write_windows(out, indent, windows);
        }
        if let Some(retry) = self.retry {
            line(out, indent, Field::Retry, &retry_text(retry));
        }
    }
}

/// The value all `tasks` have, if they all have one and it is the same.
fn shared<'t, T: PartialEq + ?Sized>(
    tasks: &[&'t Task],
    value: impl Fn(&'t Task) -> Option<&'t T>,
) -> Option<&'t T> {
    let first = value(tasks.first()?)?;
    tasks
        .iter()
        .all(|t| value(t) == Some(first))
        .then_some(first)
}

/// A task as a list item at `indent`, leaving out what `defaults` says.
fn write_task(out: &mut String, task: &Task, defaults: &Defaults<'_>, indent: &str) {
    let _ = writeln!(out, "{indent}- {}: {}", Field::Name, string(&task.name));
    let inner = format!("{indent}  ");
    let indent = inner.as_str();
    if let Some(agent) = task.agent_id.as_deref()
        && defaults.agent_id != Some(agent)
    {
        line(out, indent, Field::AgentId, &quoted(agent));
    }
    if let Some(number) = task.virtual_number.as_deref()
        && defaults.virtual_number != Some(number)
    {
        line(out, indent, Field::VirtualNumber, &quoted(number));
    }
    if let Some(start) = &task.start {
        line(out, indent, Field::Start, &start_text(start));
    }
    if let Some(concurrency) = task.concurrency {
        line(out, indent, Field::Concurrency, &concurrency.to_string());
    }
    if let Some(days) = task.call_days.as_deref()
        && defaults.call_days != Some(days)
    {
        line(out, indent, Field::CallDays, &days_text(days));
    }
    if let Some(windows) = task.call_windows.as_deref()
        && defaults.call_windows != Some(windows)
    {
        write_windows(out, indent, windows);
    }
    if let Some(retry) = &task.retry
        && defaults.retry != Some(retry)
    {
        line(out, indent, Field::Retry, &retry_text(retry));
    }
    if let Some(status) = task.status {
        line(out, indent, Field::Status, status.as_str());
    }
}

/// A task that cannot be declared: why, then every field that is known,
/// commented out, so a person can fix what is missing and uncomment it.
fn write_commented(out: &mut String, task: &Task, indent: &str) {
    for gap in &task.gaps {
        let _ = writeln!(out, "{indent}# not declared (task {}): {gap}", task.task_id);
    }
    let mut body = String::new();
    write_task(&mut body, task, &Defaults::default(), "");
    for text in body.lines() {
        let _ = writeln!(out, "{indent}# {text}");
    }
}

fn line(out: &mut String, indent: &str, field: Field, value: &str) {
    let _ = writeln!(out, "{indent}{}: {value}", field.leaf());
}

fn start_text(start: &Start) -> String {
    match start {
        Start::Immediate => "immediate".to_owned(),
        Start::At(scheduled) => format!("{{ at: {} }}", quoted(&scheduled.written)),
    }
}

fn days_text(days: &[Weekday]) -> String {
    let words: Vec<&str> = days.iter().map(|d| d.as_str()).collect();
    format!("[{}]", words.join(", "))
}

fn write_windows(out: &mut String, indent: &str, windows: &[Window]) {
    let _ = writeln!(out, "{indent}{}:", Field::CallWindows.leaf());
    for window in windows {
        let _ = writeln!(
            out,
            "{indent}  - {{ start: {}, end: {} }}",
            quoted(&time_text(window.start)),
            quoted(&time_text(window.end))
        );
    }
}

/// `HH:MM` when the seconds are zero, else `HH:MM:SS`.
fn time_text(time: TimeOfDay) -> String {
    let text = time.to_string();
    match text.strip_suffix(":00") {
        Some(short) => short.to_owned(),
        None => text,
    }
}

fn retry_text(retry: &Retry) -> String {
    let reasons: Vec<&str> = retry.reasons.iter().map(|r| r.as_str()).collect();
    format!(
        "{{ {}: [{}], {}: {}, {}: {} }}",
        Field::RetryReasons.leaf(),
        reasons.join(", "),
        Field::RetryTimes.leaf(),
        retry.times,
        Field::RetryIntervalMinutes.leaf(),
        retry.interval_minutes
    )
}

#[cfg(test)]
mod tests;
