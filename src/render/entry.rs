//! One plan entry's block for people: its header (kind, name, task ID and
//! status, where it is declared), then what it does: every field a create
//! sends; the field diffs of an update, account → manifest; a rename's old
//! name; a status change; the steps when there are several; why a blocked
//! entry is blocked and what would unblock it.

use std::fmt::Write as _;

use crate::diag::words::shorten;
use crate::plan::model::{Action, DeclaredStatus, Step, TaskEntry};

use super::diff::{FIELD_WIDTH, field_change};
use super::style::{Paint, Style};
use super::text::{location, status};
use super::value::{Shown, create_fields, shown, start_offset};
use super::words;

/// One entry's block; a block that is not an unchanged line ends with a
/// blank line.
pub fn render_entry(entry: &TaskEntry, style: Style) -> String {
    let mut out = String::new();
    header(&mut out, entry, style);
    if entry.action == Action::Unchanged {
        unverified(&mut out, entry, style);
        return out;
    }
    if entry.action == Action::Create {
        create(&mut out, entry, style);
    } else {
        changes(&mut out, entry, style);
    }
    if entry.steps.len() > 1 {
        line(
            &mut out,
            "steps",
            &style.paint(Paint::Bold, &words::steps(&entry.steps)),
        );
    }
    if entry.action == Action::Restart {
        note(
            &mut out,
            "running: stopped, updated, then started again with its new configuration \
             (--allow-restart)",
            style,
        );
    }
    for reason in &entry.blocked {
        let (why, unblock) = words::block_reason(*reason);
        let _ = writeln!(out, "    {} {why}", style.paint(Paint::Error, "blocked:"));
        let _ = writeln!(out, "    {} {unblock}", style.paint(Paint::Help, "= help:"));
    }
    if entry.action == Action::Blocked {
        note(&mut out, "nothing is sent for this task", style);
    }
    unverified(&mut out, entry, style);
    out.push('\n');
    out
}

fn header(out: &mut String, entry: &TaskEntry, style: Style) {
    let label = style.paint(
        words::action_paint(entry.action),
        words::action_label(entry.action),
    );
    let mut line = format!(
        "{label} {}",
        style.paint(Paint::Bold, &shorten(&entry.name))
    );
    if let Some(id) = &entry.task_id {
        match entry.status {
            Some(known) => {
                let _ = write!(line, " (task {id}, {})", status(known));
            }
            None => {
                let _ = write!(line, " (task {id})");
            }
        }
    }
    let _ = writeln!(
        out,
        "{line}  {}",
        style.paint(Paint::Dim, &location(&entry.source))
    );
}

fn create(out: &mut String, entry: &TaskEntry, style: Style) {
    for (field, value) in create_fields(&entry.desired) {
        let shown = match &value {
            Shown::Absent => style.paint(Paint::Dim, "(not sent: the service decides)"),
            value => style.paint(Paint::Add, &shorten(&value.one_line())),
        };
        line(out, field.key(), &shown);
    }
    if entry.steps.contains(&Step::Stop) {
        line(
            out,
            "status",
            &format!(
                "{} {}",
                style.paint(Paint::Add, "stopped"),
                style.paint(
                    Paint::Dim,
                    "(stopped as soon as it is created, before its start)"
                )
            ),
        );
    }
}

fn changes(out: &mut String, entry: &TaskEntry, style: Style) {
    if !entry.changes.is_empty() || entry.renamed_from.is_some() {
        note(out, "account → manifest", style);
    }
    if let Some(old) = &entry.renamed_from {
        line(
            out,
            "name",
            &format!(
                "{} → {}",
                style.paint(Paint::Error, &shorten(old)),
                style.paint(Paint::Add, &shorten(&entry.name))
            ),
        );
    }
    let offset = start_offset(&entry.desired);
    for field in &entry.changes {
        let account = entry
            .account
            .as_ref()
            .and_then(|config| shown(config, *field, offset))
            .unwrap_or(Shown::Absent);
        let manifest = shown(&entry.desired, *field, None).unwrap_or(Shown::Absent);
        field_change(out, *field, &account, &manifest, style);
    }
    // A stop or start the manifest declares (a restart's are the update's).
    let declared = match entry.declared_status {
        Some(DeclaredStatus::Stopped) if entry.steps.contains(&Step::Stop) => Some("stopped"),
        Some(DeclaredStatus::Running) if entry.steps.contains(&Step::Start) => Some("running"),
        _ => None,
    };
    if let (Some(declared), Some(now)) = (declared, entry.status) {
        line(
            out,
            "status",
            &format!(
                "{} → {} {}",
                style.paint(Paint::Error, &status(now)),
                style.paint(Paint::Add, declared),
                style.paint(Paint::Dim, "(declared)")
            ),
        );
    }
}

fn unverified(out: &mut String, entry: &TaskEntry, style: Style) {
    if !entry.unverified.is_empty() {
        let fields: Vec<&str> = entry.unverified.iter().map(|f| f.key()).collect();
        note(
            out,
            &format!(
                "not reported by the API, so not compared: {}",
                fields.join(", ")
            ),
            style,
        );
    }
}

fn line(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "    {label:<FIELD_WIDTH$}{value}");
}

fn note(out: &mut String, text: &str, style: Style) {
    let _ = writeln!(out, "    {}", style.paint(Paint::Dim, text));
}
