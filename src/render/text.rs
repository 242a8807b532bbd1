//! Plans for people: one block per entry that does something (its kind as
//! a symbol and a word, then its fields or its field diffs, its steps and,
//! when blocked, why and what would unblock it), unchanged tasks collapsed
//! to a count, and a closing summary line.

use std::fmt::Write as _;

use crate::diag::plural;
use crate::diag::words::shorten;
use crate::plan::model::{Action, Plan, Source, TaskStatus};

use super::entry::render_entry;
use super::style::{Paint, Style};

/// Options of the text rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// List unchanged tasks one by one (`-v`).
    pub verbose: bool,
    /// List unmanaged tasks (`--show-unmanaged`).
    pub show_unmanaged: bool,
}

/// Renders `plan` for a terminal or a log.
pub fn render_plan(plan: &Plan, options: TextOptions, style: Style) -> String {
    let mut out = format!(
        "{}\n\n",
        style.paint(
            Paint::Dim,
            &format!(
                "Against {} with AccessKey {}{}:",
                plan.target.endpoint,
                plan.target.access_key,
                targeted(plan)
            )
        )
    );
    // An unchanged task is one line, any other a block ending in a blank
    // line: a run of unchanged lines is closed by a blank line too.
    let mut in_unchanged_run = false;
    for entry in &plan.tasks {
        let is_unchanged = entry.action == Action::Unchanged;
        if is_unchanged && !options.verbose {
            continue;
        }
        if in_unchanged_run && !is_unchanged {
            out.push('\n');
        }
        in_unchanged_run = is_unchanged;
        out.push_str(&render_entry(entry, style));
    }
    if in_unchanged_run {
        out.push('\n');
    }
    let unchanged = plan.summary.unchanged;
    if unchanged > 0 && !options.verbose {
        let _ = writeln!(
            out,
            "{}\n",
            style.paint(
                Paint::Dim,
                &format!(
                    "= {unchanged} unchanged {} (-v lists {})",
                    plural(unchanged, "task", "tasks"),
                    plural(unchanged, "it", "them")
                )
            )
        );
    }
    if options.show_unmanaged {
        unmanaged(&mut out, plan, style);
    }
    out.push_str(&summary_line(plan, style));
    out.push('\n');
    out
}

/// The closing line, e.g. `Plan: 2 to create, 3 to update (1 with restart),
/// 1 to stop, 1 to start, 1 to rename, 9 unchanged, 40 unmanaged; 2
/// blocked.`
pub fn summary_line(plan: &Plan, style: Style) -> String {
    format!(
        "{} {}",
        style.paint(Paint::Bold, "Plan:"),
        summary_counts(plan)
    )
}

/// `, only the tasks matching `a*` or `b`` for a targeted plan (`--target`),
/// else nothing.
pub fn targeted(plan: &Plan) -> String {
    if plan.targets.is_empty() {
        return String::new();
    }
    let patterns: Vec<String> = plan.targets.iter().map(|p| format!("`{p}`")).collect();
    format!(
        ", only the tasks matching {}",
        crate::diag::join_or(patterns)
    )
}

/// The counts of the closing line, without `Plan:`.
pub fn summary_counts(plan: &Plan) -> String {
    let s = &plan.summary;
    let restart = if s.restart > 0 {
        format!(" ({} with restart)", s.restart)
    } else {
        String::new()
    };
    let blocked = if s.blocked > 0 {
        format!("; {} blocked", s.blocked)
    } else {
        String::new()
    };
    // A targeted plan read the account for its tasks only: it cannot tell
    // another manifest's task from an unmanaged one, so it counts neither.
    let unmanaged = if plan.targets.is_empty() {
        format!("{} unmanaged", s.unmanaged)
    } else {
        "unmanaged not counted (--target)".to_owned()
    };
    format!(
        "{} to create, {} to update{restart}, {} to stop, {} to start, {} to rename, {} unchanged, \
         {unmanaged}{blocked}.",
        s.create, s.update, s.stop, s.start, s.rename, s.unchanged
    )
}

/// A status as people read it: its word, or the service's code.
pub fn status(status: TaskStatus) -> String {
    match (status.word(), status) {
        (Some(word), _) => word.to_owned(),
        (None, TaskStatus::Other(code)) => format!("status {code}"),
        (None, _) => "unknown status".to_owned(),
    }
}

/// `file:line:column`, the way editors and CI annotations want it.
pub fn location(source: &Source) -> String {
    format!("{}:{}:{}", source.file, source.line, source.column)
}

fn unmanaged(out: &mut String, plan: &Plan, style: Style) {
    match &plan.unmanaged {
        Some(tasks) if tasks.is_empty() => {
            let _ = writeln!(out, "{}\n", style.paint(Paint::Dim, "No unmanaged tasks."));
        }
        Some(tasks) => {
            let _ = writeln!(
                out,
                "{}",
                style.paint(
                    Paint::Bold,
                    "Unmanaged tasks (no manifest names them; never touched):"
                )
            );
            for task in tasks {
                let _ = writeln!(
                    out,
                    "    {}  {}{}",
                    style.paint(Paint::Dim, &task.task_id),
                    shorten(&task.name),
                    task.status
                        .map(|s| format!("  ({})", status(s)))
                        .unwrap_or_default()
                );
            }
            out.push('\n');
        }
        None => {}
    }
}
